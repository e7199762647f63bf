#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""krbdiag's output must not depend on luck: every corpus capture is run one-pass
and two-pass (-2), twice each, with

    tshark -T fields -e frame.number -e krbdiag.cause -e krbdiag.evidence

through tools/kd-tshark and the build given with --build (or KRBDIAG_BUILD).

- Two runs in the same mode must print the same thing: a difference FAILS.
- One pass against two passes: findings are computed on the first pass in
  capture order, so a finding whose evidence arrives later can only be complete
  in the second pass. A differing frame is "explained" when the capture's
  .expected file puts a finding on that frame with an evidence frame after it.
  Differences are listed (explained and not) but do not fail, unless --strict
  (then unexplained ones fail).
Ends with "N passed, N failed" (captures)."""

import argparse
import concurrent.futures
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
KD_TSHARK = os.path.join(REPO, "tools", "kd-tshark")
FIELDS = ["-T", "fields", "-e", "frame.number", "-e", "krbdiag.cause", "-e", "krbdiag.evidence"]


def run(build, cap, two_pass):
    cmd = [KD_TSHARK, "-B", build] + (["-2"] if two_pass else []) + ["-r", cap] + FIELDS
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                       timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr[-1000:]))
    return p.stdout


def rows(text):
    """frame -> (causes, evidence) for frames with a finding."""
    out = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].strip().isdigit():
            continue
        if parts[1] or parts[2]:
            out[int(parts[0])] = (parts[1], parts[2])
    return out


def late_evidence_frames(exp_path):
    """Frames whose expected finding lists an evidence frame that follows it."""
    frames = set()
    if not os.path.exists(exp_path):
        return frames
    for raw in open(exp_path, encoding="utf-8"):
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        parts = raw.split()
        try:
            frame = int(parts[0])
        except ValueError:
            continue
        for kv in parts[2:]:
            k, _, v = kv.partition("=")
            if k == "evidence" and any(x.isdigit() and int(x) > frame for x in v.split(",")):
                frames.add(frame)
    return frames


def check(build, cap):
    one_a, one_b = run(build, cap, False), run(build, cap, False)
    two_a, two_b = run(build, cap, True), run(build, cap, True)
    problems = []
    if one_a != one_b:
        problems.append("one-pass runs differ")
    if two_a != two_b:
        problems.append("two-pass runs differ")
    one, two = rows(one_a), rows(two_a)
    differ = sorted(f for f in set(one) | set(two) if one.get(f) != two.get(f))
    late = late_evidence_frames(cap[:-len(".pcapng")] + ".expected")
    explained = [f for f in differ if f in late]
    unexplained = [f for f in differ if f not in late]
    detail = {f: (one.get(f), two.get(f)) for f in differ}
    return problems, explained, unexplained, detail


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("KRBDIAG_BUILD", os.path.join(REPO, "build")))
    ap.add_argument("--strict", action="store_true", help="fail on unexplained one-pass/two-pass differences")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("names", nargs="*", help="only captures whose name contains one of these")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    caps = sorted(glob.glob(os.path.join(REPO, "captures", "pcap", "*.pcapng")))
    if a.names:
        caps = [c for c in caps if any(n in os.path.basename(c) for n in a.names)]
    passed = failed = 0
    differing = []
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        results = list(ex.map(lambda c: (c, check(build, c)), caps))
    for cap, (problems, explained, unexplained, detail) in results:
        name = os.path.basename(cap)[:-len(".pcapng")]
        bad = list(problems)
        if a.strict and unexplained:
            bad.append("one-pass and two-pass differ on frames %s (not explained by the expected file)"
                       % unexplained)
        print("%s %s%s" % ("FAIL" if bad else "PASS", name, (": " + "; ".join(bad)) if bad else ""))
        if explained or unexplained:
            differing.append(name)
            for f in explained + unexplained:
                o, t = detail[f]
                print("    %s frame %d: one-pass %s, two-pass %s"
                      % ("expected " if f in explained else "UNEXPLAINED", f, o, t))
        passed += not bad
        failed += bool(bad)
    print("one-pass/two-pass differences in %d captures: %s" % (len(differing), " ".join(differing) or "none"))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not caps else 0


if __name__ == "__main__":
    sys.exit(main())
