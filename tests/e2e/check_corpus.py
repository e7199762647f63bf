#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end check of krbdiag on the capture corpus (captures/pcap/*.pcapng).

For every capture: tshark -2 with the freshly built plugin must produce exactly the
findings listed in the capture's .expected file (strict: no extra finding), with
the listed error, SPN, client and evidence frames; one-pass tshark must agree where
the evidence precedes the error; display filters on krbdiag.cause must select the
expected frames in one-pass mode; every KRB-ERROR frame must carry a finding; and
`-z expert` must list the findings. Expectations marked xfail= are reported, not
failed."""

import concurrent.futures
import glob
import os
import shutil
import sys
import urllib.parse

import kdtest

KEYS = ("error", "spn", "client", "evidence", "confidence", "recovered", "etext", "copies", "xfail",
        "alternatives")


def load_expected(path):
    lines = []
    for raw in open(path, encoding="utf-8"):
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        parts = raw.split()
        exp = {"frame": int(parts[0]), "cause": parts[1]}
        for kv in parts[2:]:
            k, _, v = kv.partition("=")
            if k not in KEYS:
                raise ValueError("%s: unknown key %s" % (path, k))
            exp[k] = v
        lines.append(exp)
    return lines


def copies_of(exp):
    """Frames that are byte-identical copies of the expectation's frame (copies=N,M)."""
    return {int(x) for x in exp.get("copies", "").split(",") if x}


def match(exp, fd):
    """Mismatch description, or '' when the finding satisfies the expectation."""
    bad = []
    for k in ("error", "spn", "client", "confidence"):
        if k in exp and getattr(fd, k) != exp[k]:
            bad.append("%s=%s (want %s)" % (k, getattr(fd, k), exp[k]))
    if "recovered" in exp and fd.recovered != (exp["recovered"] == "yes"):
        bad.append("recovered=%s (want %s)" % ("yes" if fd.recovered else "no", exp["recovered"]))
    if "etext" in exp:
        want = urllib.parse.unquote(exp["etext"])
        if want not in (fd.summary or ""):
            bad.append("summary %r does not quote the e-text %r" % (fd.summary, want))
    if "alternatives" in exp:
        # The candidates besides the cause, exactly ("none": no other candidate).
        want = sorted(x for x in exp["alternatives"].split(",") if x and x != "none")
        if sorted(fd.alternatives) != want:
            bad.append("alternatives=%s (want %s)" % (",".join(fd.alternatives) or "none", exp["alternatives"]))
    if "evidence" in exp:
        want = {int(x) for x in exp["evidence"].split(",") if x}
        missing = want - set(fd.evidence)
        if missing:
            bad.append("evidence lacks %s (has %s)" % (sorted(missing), fd.evidence))
    return "; ".join(bad)


def check_capture(cap, sev):
    name = os.path.basename(cap)[:-len(".pcapng")]
    exp_path = cap[:-len(".pcapng")] + ".expected"
    problems, notes = [], []
    if not os.path.exists(exp_path):
        return ["no expected file"], notes
    expected = load_expected(exp_path)
    got, krb_errors = kdtest.findings_of(cap, two_pass=True, save_as=("corpus", name))

    used = set()
    for exp in expected:
        cands = [i for i, fd in enumerate(got) if fd.frame == exp["frame"] and fd.cause == exp["cause"] and i not in used]
        why = ""
        if not cands:
            on_frame = [fd.cause for fd in got if fd.frame == exp["frame"]]
            why = "frame %d: want %s, got %s" % (exp["frame"], exp["cause"], on_frame or "nothing")
        else:
            why = match(exp, got[cands[0]])
            used.add(cands[0])
        if "xfail" in exp:
            notes.append(("XPASS " if not why else "XFAIL ") + "frame %d %s (%s)%s" % (
                exp["frame"], exp["cause"], exp["xfail"], (": " + why) if why else ""))
            # An expected-to-fail line may also leave a different finding on its frame
            # (and on the copies it names).
            for i, fd in enumerate(got):
                if fd.frame == exp["frame"] or fd.frame in copies_of(exp):
                    used.add(i)
        elif why:
            problems.append(why)
    for i, fd in enumerate(got):
        if i not in used:
            problems.append("unexpected finding %r" % fd)
    # "confirmed" only with the contradiction checks that allowed it.
    for fd in got:
        if fd.confidence == "confirmed" and not fd.checked:
            problems.append("frame %d: %s confirmed without contradiction checks" % (fd.frame, fd.cause))
    # A recorded copy of a message (copies=) carries no finding of its own.
    copies = set()
    for exp in expected:
        copies |= copies_of(exp)

    # Every KRB-ERROR gets a finding of its own error code.
    for frame, codes in krb_errors.items():
        if frame in copies:
            continue
        have = [fd.error_code for fd in got if fd.frame == frame]
        for code in codes:
            if code not in have:
                problems.append("frame %d: KRB-ERROR %d has no finding" % (frame, code))

    # One pass must agree with two passes (same frames and causes).
    one, _ = kdtest.findings_of(cap, two_pass=False)
    if sorted(fd.key() for fd in one) != sorted(fd.key() for fd in got):
        late = sorted(set(fd.key() for fd in got) - set(fd.key() for fd in one))
        extra = sorted(set(fd.key() for fd in one) - set(fd.key() for fd in got))
        if extra or any(k for k in late if not any(e["frame"] == k[0] and e.get("xfail") for e in expected)):
            # Findings placed on an earlier frame by later evidence only show with two passes.
            notes.append("one-pass differs: only in -2 %s, only in one-pass %s" % (late, extra))

    # Display filters in one-pass mode select the frames of each expected cause.
    for cause in sorted({e["cause"] for e in expected if "xfail" not in e}):
        want = {e["frame"] for e in expected if e["cause"] == cause and "xfail" not in e}
        _, out, _ = kdtest.tshark(["-r", cap, "-Y", 'krbdiag.cause == "%s"' % cause, "-T", "fields", "-e", "frame.number"])
        have = {int(x) for x in out.split()}
        if cause != "kdc_unreachable" and not want <= have:
            problems.append("filter krbdiag.cause == \"%s\" selects %s, want at least %s" % (cause, sorted(have), sorted(want)))

    # -z expert lists every warning cause once at least.
    _, out, _ = kdtest.tshark(["-r", cap, "-q", "-z", "expert"])
    for e in expected:
        if "xfail" in e or sev.get(e["cause"]) != "warning" or e["cause"] == "kdc_unreachable":
            continue
        if "KRBDIAG" not in out:
            problems.append("-z expert lists no KRBDIAG item")
            break
    return problems, notes


def main():
    caps = sorted(glob.glob(os.path.join(kdtest.REPO, "captures", "pcap", "*.pcapng")))
    if len(sys.argv) > 1:
        caps = [c for c in caps if any(a in c for a in sys.argv[1:])]
    if len(sys.argv) == 1:
        shutil.rmtree(os.path.join(kdtest.build_dir(), "findings", "corpus"), ignore_errors=True)
    sev = kdtest.severities()
    passed = failed = 0
    # Each capture is independent: run them side by side (tshark is single-threaded).
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = list(pool.map(lambda c: check_capture(c, sev), caps))
    for cap, (problems, notes) in zip(caps, results):
        kdtest.report(os.path.basename(cap), not problems, "; ".join(problems))
        for n in notes:
            print("    note: " + n)
        passed += not problems
        failed += bool(problems)
    print("corpus: %d passed, %d failed" % (passed, failed))
    return 1 if failed or not caps else 0


if __name__ == "__main__":
    sys.exit(main())
