#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/krbdiag on bad input: every file that cannot be diagnosed to its end is
named with the reason (not a capture, truncated at byte N, a directory, missing),
the others are still diagnosed, and the exit status says that one failed; --help
and options anywhere on the line. Runs the freshly built plugin (KRBDIAG_USE_BUILD)."""

import os
import shutil
import subprocess
import sys
import tempfile

import kdtest

WRAPPER = os.path.join(kdtest.REPO, "tools", "krbdiag")
GOOD = os.path.join(kdtest.REPO, "captures", "pcap", "cname_spn.pcapng")
REPORT = "Kerberos Diagnosis report"


def run(*args):
    env = dict(os.environ, KRBDIAG_USE_BUILD="1", KRBDIAG_BUILD=kdtest.build_dir())
    p = subprocess.run([WRAPPER] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, errors="replace", env=env, timeout=300)
    return p.returncode, p.stdout, p.stderr


def main():
    work = tempfile.mkdtemp(prefix="krbdiag-wrapper.")
    failed = 0

    def check(name, ok, detail=""):
        nonlocal failed
        kdtest.report(name, ok, detail)
        failed += not ok

    try:
        empty = os.path.join(work, "empty.pcapng")
        open(empty, "wb").close()
        with open(GOOD, "rb") as fh:
            data = fh.read()
        cut = os.path.join(work, "cut.pcapng")
        with open(cut, "wb") as fh:
            fh.write(data[:1500])          # inside the fourth packet of cname_spn
        header = os.path.join(work, "header.pcapng")
        with open(header, "wb") as fh:
            fh.write(data[:10])            # inside the section header block
        text = os.path.join(work, "notes.txt")
        with open(text, "w") as fh:
            fh.write("hello\n")
        folder = os.path.join(work, "folder")
        os.mkdir(folder)

        rc, out, err = run(empty)
        check("0-byte file", rc == 1 and "not a capture (empty file, 0 bytes)" in err and REPORT not in out,
              "rc %d, stderr %r" % (rc, err.strip()))
        rc, out, err = run(cut)
        check("cut pcapng", rc == 1 and "truncated at byte 1500" in err and REPORT in out,
              "rc %d, stderr %r" % (rc, err.strip()))
        rc, out, err = run(header)
        check("file header cut", rc == 1 and "truncated at byte 10" in err, "rc %d, stderr %r" % (rc, err.strip()))
        rc, out, err = run(text)
        check("text file", rc == 1 and "not a capture" in err and REPORT not in out,
              "rc %d, stderr %r" % (rc, err.strip()))
        rc, out, err = run(folder)
        check("directory", rc == 1 and "is a directory" in err, "rc %d, stderr %r" % (rc, err.strip()))

        rc, out, err = run("--help")
        check("--help", rc == 0 and out.startswith("usage: tools/krbdiag") and not err, "rc %d" % rc)
        rc, out, err = run(GOOD, "--json")
        check("option after the capture", rc == 0 and '"type":"verdict"' in out, "rc %d, stderr %r" % (rc, err.strip()))
        rc, out, err = run("--no-such-option", GOOD)
        check("unknown option", rc == 2 and "unknown option" in err, "rc %d" % rc)
        rc, out, err = run()
        check("no capture", rc == 2 and "usage:" in err, "rc %d" % rc)
        rc, out, err = run(GOOD, "--html")
        check("--html without a file name", rc == 2 and "--html needs a file name" in err, "rc %d" % rc)
        rc, out, err = run("--json", "--html", os.path.join(work, "page.html"), GOOD)
        check("--json and --html at once", rc == 2 and "usage:" in err, "rc %d" % rc)
        # A page is written even when a capture of the batch cannot be read: it says why.
        page = os.path.join(work, "page.html")
        rc, out, err = run("--html", page, GOOD, os.path.join(work, "absent.pcapng"))
        text = open(page, encoding="utf-8").read() if os.path.isfile(page) else ""
        check("--html with a missing capture", rc == 1 and "(cname_spn)</h3>" in text and "no such file" in text,
              "rc %d, stderr %r" % (rc, err.strip()))

        # One bad file never stops the others; the status says one failed.
        missing = os.path.join(work, "missing.pcap")
        rc, out, err = run(empty, folder, GOOD, missing, cut)
        named = all(os.path.basename(p) in err.splitlines()[-1] for p in (empty, folder, missing, cut))
        check("bad files among good ones",
              rc == 1 and out.count(REPORT) == 2 and "cname_spn" in out and "4 of 5 failed" in err and named,
              "rc %d, %d reports, stderr %r" % (rc, out.count(REPORT), err.strip()[-400:]))
        rc, out, err = run("--", GOOD)
        check("-- ends the options", rc == 0 and REPORT in out, "rc %d" % rc)

        # JSON for scripts: every line parses and names its capture; a problem carries
        # its confidence, whether it recovered and its failing frames; a truncated
        # capture's lines say so, and a capture that could not be read has a line.
        import json
        rc, out, err = run("--json", GOOD, cut, empty)
        try:
            lines = [json.loads(l) for l in out.splitlines() if l.strip()]
        except ValueError as e:
            lines = []
            check("JSON lines parse", False, str(e))
        problems = [l for l in lines if l.get("type") == "problem"]
        check("JSON: each line names its capture",
              lines and all(l.get("capture") in (GOOD, cut, empty) for l in lines), out[-400:])
        check("JSON: problems carry confidence, recovered and frames",
              problems and all("confidence" in p and "recovered" in p and p.get("frames") for p in problems), out[-400:])
        check("JSON: a truncated capture's lines say so, others not",
              all(l.get("truncated") is True for l in lines if l.get("capture") == cut and l.get("type") != "error")
              and not any(l.get("truncated") for l in lines if l.get("capture") == GOOD), out[-400:])
        errors = [l for l in lines if l.get("type") == "error"]
        check("JSON: unreadable and truncated captures get an error line",
              {l["capture"] for l in errors} == {cut, empty} and rc == 1, out[-400:])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("wrapper: %d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
