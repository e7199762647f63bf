#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden-output snapshots: every krbdiag field of every frame, and the
`-z krbdiag,report` text, for each corpus capture and each public capture
(captures/public, recursively; KRBDIAG_PUBLIC names another folder), in one-pass
and two-pass mode, compared with the snapshots under tests/e2e/golden/.

A change that is meant to keep behaviour (a refactoring) must leave every
snapshot byte-identical; a change that intentionally alters findings rewrites
them with --update and the diff shows what changed.

    check_golden.py            compare; a unified diff per difference
    check_golden.py --update   rewrite the snapshots (and drop stale ones)

The fields are read from `tshark -G fields` (every field named krbdiag.*), so a
new field is covered without touching this script."""

import argparse
import concurrent.futures
import difflib
import glob
import os
import sys

import kdtest
from check_public import public_captures, public_dir

GOLDEN = os.path.join(kdtest.HERE, "golden")
CORPUS = os.path.join(kdtest.REPO, "captures", "pcap")
MODES = (("1pass", []), ("2pass", ["-2"]))
# Joins the occurrences of one field in a frame; a character no field text holds.
AGGREGATOR = "\x1f"
WORKERS = 2


def krbdiag_fields():
    _, out, _ = kdtest.tshark(["-G", "fields"])
    names = []
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) > 2 and cols[0] == "F" and cols[2].startswith("krbdiag."):
            names.append(cols[2])
    return names


def captures():
    """(key, path) pairs: key is the snapshot's name without the mode suffix."""
    corpus = [("corpus/" + os.path.basename(p), p) for p in sorted(glob.glob(os.path.join(CORPUS, "*.pcapng")))]
    root = public_dir()
    public = public_captures(root)
    return corpus, [("public/" + os.path.relpath(p, root), p) for p in public]


def render(key, mode, fields, out):
    """The snapshot text of one run: non-empty fields per frame, then the report.
    Packet lines come first, one per frame numbered 1, 2, ...; the report follows."""
    lines = out.split("\n")
    ncols = len(fields) + 1
    body = ["# %s (%s)" % (key, mode)]
    i = 0
    while i < len(lines):
        cols = lines[i].split("\t")
        if len(cols) != ncols or cols[0] != str(i + 1):
            break
        shown = [(name, val) for name, val in zip(fields, cols[1:]) if val != ""]
        if shown:
            body.append("frame %s" % cols[0])
            for name, val in shown:
                for v in val.split(AGGREGATOR):
                    body.append("  %s: %s" % (name, v))
        i += 1
    body.insert(1, "frames: %d" % i)
    body.append("--- report ---")
    report = "\n".join(lines[i:]).strip("\n")
    if report:
        body.append(report)
    return "\n".join(body) + "\n"


def run_one(key, path, mode, flags, fields):
    """Returns (key, mode, text or None, note)."""
    args = flags + ["-r", path, "-T", "fields", "-e", "frame.number"]
    for name in fields:
        args += ["-e", name]
    args += ["-E", "occurrence=a", "-E", "aggregator=" + AGGREGATOR, "-z", "krbdiag,report"]
    rc, out, err = kdtest.tshark(args, check=False)
    if rc != 0 and not out.startswith("1\t"):
        # A capture tshark cannot read at all: nothing to compare.
        return key, mode, None, "unreadable (tshark exit %d: %s)" % (rc, err.strip()[-200:])
    return key, mode, render(key, mode, fields, out), ""


def golden_path(key, mode):
    return os.path.join(GOLDEN, "%s.%s.txt" % (key, mode))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--update", action="store_true", help="rewrite the snapshots")
    opts = ap.parse_args()

    fields = krbdiag_fields()
    if not fields:
        print("golden: tshark lists no krbdiag.* field: plugin not loaded")
        return 1
    corpus, public = captures()
    if not corpus:
        print("golden: no corpus captures under %s" % CORPUS)
        return 1
    if not public:
        print("golden: FAIL: no public captures under %s" % public_dir())
        return 1

    jobs = [(key, path, mode, flags) for key, path in corpus + public for mode, flags in MODES]
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futs = [pool.submit(run_one, key, path, mode, flags, fields) for key, path, mode, flags in jobs]
        for fut in futs:
            results.append(fut.result())

    passed = failed = skipped = 0
    wanted = set()
    for key, mode, text, note in results:
        name = "%s (%s)" % (key, mode)
        gp = golden_path(key, mode)
        wanted.add(os.path.abspath(gp))
        if text is None:
            print("SKIP %s: %s" % (name, note))
            skipped += 1
            continue
        if opts.update:
            os.makedirs(os.path.dirname(gp), exist_ok=True)
            with open(gp, "w", encoding="utf-8") as fh:
                fh.write(text)
            passed += 1
            continue
        if not os.path.exists(gp):
            kdtest.report(name, False, "no snapshot %s (run check_golden.py --update)" % os.path.relpath(gp, kdtest.REPO))
            failed += 1
            continue
        with open(gp, encoding="utf-8") as fh:
            old = fh.read()
        if old == text:
            passed += 1
            continue
        diff = difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                    os.path.relpath(gp, kdtest.REPO), "now")
        kdtest.report(name, False, "output differs from the snapshot")
        sys.stdout.writelines(diff)
        failed += 1

    stale = [p for p in glob.glob(os.path.join(GOLDEN, "**", "*.txt"), recursive=True)
             if os.path.abspath(p) not in wanted]
    for p in stale:
        if opts.update:
            os.remove(p)
            print("removed stale %s" % os.path.relpath(p, kdtest.REPO))
        else:
            print("note: snapshot without a capture: %s" % os.path.relpath(p, kdtest.REPO))
    verb = "written" if opts.update else "identical"
    print("golden: %d %s, %d differ, %d skipped (%d corpus and %d public captures, 2 modes)"
          % (passed, verb, failed, skipped, len(corpus), len(public)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
