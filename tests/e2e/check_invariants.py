#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""One finding, told the same way everywhere: every corpus and public capture goes
through every output (the tree with its expert items, the statistics tree, the text
and JSON report, one pass and two), and what no output may ever say is checked as
an invariant, not against a snapshot:

- a confirmed finding lists no candidate and nothing left to capture;
- no finding lists its own cause as a candidate or as ruled out;
- report, statistics and tree count the same failures, each once (a finding that
  restates another frame's failure, or a symptom inheriting a cause, is not counted
  again); statistics and report agree in one pass too, and with two passes;
- no "Kerberos" stands where an error name belongs (tree, expert item, report);
- an inherited finding cites more than its own frame;
- every JSON line parses and carries its confidence; the frames a problem lists
  hold a finding of its cause;
- labels count right ("1 frame", never "1 frames"; no "frames N..N");
- the ladders (-z krbdiag,ladder) draw the report's problems, in its order, with
  its confidence; each failing row is one of the problem's frames and names its
  cause and confidence, and every frame drawn is one the report lists for it."""

import concurrent.futures
import glob
import json
import os
import re
import sys

import kdtest
from check_golden import captures
from check_ladder import parse_ladders

WORKERS = 2
PI_WARN = 6291456


def pairs_hook(pairs):
    """JSON objects keep repeated keys (tshark repeats a field per occurrence)."""
    obj = {}
    for k, v in pairs:
        obj.setdefault(k, []).append(v)
    return obj


def first(obj, key, default=None):
    v = obj.get(key)
    return v[0] if v else default


def findings_of(packets):
    """[(frame, finding dict)] from tshark -T json -J krbdiag."""
    out = []
    for pkt in packets:
        layers = first(first(pkt, "_source", {}), "layers", {})
        frame_layer = layers.get("frame")
        kd = first(layers, "krbdiag")
        if not kd:
            continue
        frame = None
        num = first(layers, "frame.number")
        if num is None and frame_layer and isinstance(frame_layer[0], dict):
            num = first(frame_layer[0], "frame.number")
        frame = int(num) if num else None
        for tree in kd.get("krbdiag.finding_tree", []):
            out.append((frame, tree))
    return out


def evidence_frames(tree):
    frames = []
    for k, v in tree.items():
        if k.startswith("Evidence ("):
            for sub in v:
                frames += [int(x) for x in sub.get("krbdiag.evidence", [])]
    return frames


def expert_of(tree):
    for ct in tree.get("krbdiag.cause_tree", []):
        for ex in ct.get("_ws.expert", []):
            return first(ex, "_ws.expert.message", ""), int(first(ex, "_ws.expert.severity", "0"))
    return "", 0


def split_output(out):
    """The -T json packet array, then the -z outputs after it."""
    out = out.lstrip()
    if out.startswith("["):
        packets, end = json.JSONDecoder(object_pairs_hook=pairs_hook).raw_decode(out)
        return packets, out[end:]
    return [], out


def stats_failures(text):
    m = re.search(r"^Failures by cause\s+(\d+)", text, re.M)
    return int(m.group(1)) if m else 0


def run(path, flags):
    """Two passes: the packet tree with its expert items, and every -z output. One
    pass: the -z outputs only (its packet tree shows what was known when each frame
    went by, which the corpus test checks; statistics and report must hold the final
    findings)."""
    tree = ["-T", "json", "-J", "krbdiag frame", "-Y", "krbdiag"] if "-2" in flags else ["-q"]
    args = flags + ["-r", path] + tree + ["-z", "krbdiag,tree", "-z", "krbdiag,report,json", "-z", "krbdiag,report",
                                          "-z", "krbdiag,ladder"]
    rc, out, err = kdtest.tshark(args, check=False)
    if rc != 0 and not out.lstrip().startswith("["):
        return None
    return split_output(out)


def ladder_violations(mode, problems, text):
    """The ladders say what the JSON report says, problem by problem."""
    bad = []
    ladders = parse_ladders(text)
    if [(l["cause"], l.get("confidence")) for l in ladders] != [(p["cause"], p["confidence"]) for p in problems]:
        return [("%s: ladders and report name different problems" % mode,
                 "%s vs %s" % ([l["cause"] for l in ladders], [p["cause"] for p in problems]))]
    for lad, p in zip(ladders, problems):
        listed = set(p.get("frames", [])) | set(p.get("evidence", [])) | set(p.get("symptom_frames", []))
        listed.add(p.get("recovered_frame"))
        failing = [r for r in lad["rows"] if r["mark"] == "!!"]
        if len(failing) != 1 or failing[0]["frame"] not in p.get("frames", []):
            bad.append(("%s: a ladder's failing row is not one of the problem's frames" % mode,
                        "%s %s vs %s" % (p["cause"], [r["frame"] for r in failing], p.get("frames"))))
        elif not re.search(r"\(%s\) \[%s\](; symptom: .*)?$" % (p["cause"], p["confidence"]), failing[0]["label"]):
            bad.append(("%s: a ladder's failing row does not name its cause and confidence" % mode,
                        failing[0]["label"]))
        if lad.get("failing") != p.get("frames", [])[:len(lad.get("failing", []))]:
            bad.append(("%s: a ladder lists other failing frames than the report" % mode, p["cause"]))
        stray = [r["frame"] for r in lad["rows"] if r["frame"] not in listed]
        if stray:
            bad.append(("%s: a ladder draws frames the report does not list" % mode, "%s %s" % (p["cause"], stray)))
    return bad


def check_capture(key, path):
    """A list of (what, detail) violations of one capture."""
    bad = []
    counts = {}
    for mode, flags in (("2pass", ["-2"]), ("1pass", [])):
        res = run(path, flags)
        if res is None:
            return [("%s: tshark cannot read it" % mode, "")] if mode == "2pass" else bad
        packets, rest = res
        found = findings_of(packets)
        by_frame = {}
        for frame, t in found:
            by_frame.setdefault(frame, []).append(first(t, "krbdiag.cause"))
        occurrences = 0
        for frame, t in found:
            cause = first(t, "krbdiag.cause")
            conf = first(t, "krbdiag.confidence")
            alts = t.get("krbdiag.alternative", [])
            outs = t.get("krbdiag.ruled_out", [])
            where = "%s frame %s %s [%s]" % (mode, frame, cause, conf)
            if conf == "confirmed" and (alts or t.get("krbdiag.missing")):
                bad.append(("confirmed finding lists candidates or what to capture", where + " %s" % alts))
            if cause in alts or cause in outs:
                bad.append(("a finding names its own cause as candidate or ruled out", where))
            if first(t, "krbdiag.error") == "Kerberos":
                bad.append(("'Kerberos' as an error name in the tree", where))
            msg, sev = expert_of(t)
            title = first(t, "krbdiag.title", "")
            if msg.startswith("Kerberos:") or title not in msg:
                bad.append(("expert item does not tell the finding's title", where + " " + msg))
            if first(t, "krbdiag.recovered") in ("1", "True", "true") and sev == PI_WARN:
                bad.append(("a recovered failure is a warning", where))
            if any(re.match(r"Evidence \(1 frames\)", k) for k in t):
                bad.append(("'1 frames'", where))
            inh = first(t, "krbdiag.inherited_frame")
            ev = evidence_frames(t)
            if inh and not [e for e in ev if e != frame]:
                bad.append(("an inherited finding cites only its own frame", where))
            restates = first(t, "krbdiag.restates")
            owner = None
            if restates:
                owner = (int(restates), cause)
            elif inh:
                owner = (int(inh), first(t, "krbdiag.inherited"))
            if owner and owner[1] in by_frame.get(owner[0], []):
                continue        # counted with the failure it belongs to
            if sev == PI_WARN:
                occurrences += 1
        lines = [l for l in rest.splitlines() if l.startswith("{")]
        report = []
        for l in lines:
            try:
                report.append(json.loads(l))
            except ValueError:
                bad.append(("%s: a JSON line does not parse" % mode, l[:200]))
        problems = [p for p in report if p.get("type") == "problem"]
        verdict = [p for p in report if p.get("type") == "verdict"]
        for p in problems:
            if not p.get("confidence"):
                bad.append(("%s: JSON problem without confidence" % mode, p.get("cause")))
            if p.get("error") == "Kerberos":
                bad.append(("%s: 'Kerberos' as an error name in the JSON report" % mode, p.get("cause")))
            # A single pass shows a frame before later evidence placed or changed its finding.
            for fr in p.get("frames", []) if mode == "2pass" else []:
                if p["cause"] not in by_frame.get(fr, []):
                    bad.append(("%s: a problem lists a frame without a finding of its cause" % mode,
                                "%s frame %s" % (p["cause"], fr)))
        bad += ladder_violations(mode, problems, rest)
        text = rest
        if re.search(r"^  error:\s+Kerberos$", text, re.M):
            bad.append(("%s: 'Kerberos' as an error name in the text report" % mode, ""))
        if re.search(r"frames \d+\.\.\d+", text):
            bad.append(("%s: a frame range in the report" % mode, ""))
        failures = verdict[0]["failures"] if verdict else 0
        tree_failures = stats_failures(text)
        m = re.search(r"^Verdict: (\d+) failures?", text, re.M)
        text_failures = int(m.group(1)) if m else 0
        counts[mode] = (occurrences, failures, tree_failures, text_failures)
        # The packet tree of a single pass shows what was known when each frame went
        # by; statistics and report count the final findings in both modes.
        compared = counts[mode] if mode == "2pass" else counts[mode][1:]
        if mode == "1pass" and found:
            bad.append(("1pass: packets printed with -q", ""))
        if len(set(compared)) != 1:
            bad.append(("%s: tree, JSON report, statistics and text report count different failures" % mode,
                        "tree warnings %d, JSON %d, statistics %d, text %d" % counts[mode]))
    if "1pass" in counts and "2pass" in counts and counts["1pass"][1:] != counts["2pass"][1:]:
        bad.append(("one pass and two passes report different failures", "%s vs %s" % (counts["1pass"], counts["2pass"])))
    return bad


def main():
    corpus, public = captures()
    if not corpus or not public:
        print("invariants: corpus or public captures missing")
        return 1
    jobs = corpus + public
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futs = {pool.submit(check_capture, key, path): key for key, path in jobs}
        for fut in concurrent.futures.as_completed(futs):
            key = futs[fut]
            bad = fut.result()
            kdtest.report(key, not bad, "\n".join("%s: %s" % b for b in bad))
            failed += bool(bad)
    print("invariants: %d captures, %d with violations" % (len(jobs), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
