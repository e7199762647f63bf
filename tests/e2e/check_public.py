#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-world check: every capture under ../shared/captures-public (recorded by
other projects; read in place, never copied into the project).

For each: tshark with krbdiag must not crash or report a dissector bug; every
KRB-ERROR must get a finding of its own error code (a recorded copy of a message
shares its first recording's); where nothing failed (no KRB-ERROR beyond the benign
PREAUTH_REQUIRED / RESPONSE_TOO_BIG / WRONG_REALM, and no DCE/RPC security-package
fault) krbdiag must raise no warning; and the patterns of public_patterns.py
(recorded copies, KDC identity, recovery), kdc_patterns.py (what the KDC's answers
say) and claim_patterns.py (claims that hold) hold."""

import glob
import os
import shutil
import sys

import claim_patterns
import kdc_patterns
import kdtest
import public_patterns

BENIGN = {25, 52, 68}
# ctest's SKIP_RETURN_CODE for this test (tests/e2e/CMakeLists.txt).
SKIPPED = 77


def public_dir():
    return os.environ.get("KRBDIAG_PUBLIC", os.path.join(os.path.dirname(kdtest.REPO), "shared", "captures-public"))


def main():
    root = public_dir()
    caps = sorted(p for p in glob.glob(os.path.join(root, "**", "*"), recursive=True)
                  if p.endswith((".pcap", ".pcapng", ".cap")))
    if not caps:
        # Zero captures checked is not a pass: ctest reports the test as skipped.
        print("public: no captures under %s (set KRBDIAG_PUBLIC); skipped" % root)
        return SKIPPED
    shutil.rmtree(os.path.join(kdtest.build_dir(), "findings", "public"), ignore_errors=True)
    sev = kdtest.severities()
    passed = failed = 0
    seen = {}
    for cap in caps:
        problems = []
        name = os.path.relpath(cap, root)
        rc, out, err = kdtest.tshark(["-2", "-r", cap, "-T", "pdml"], check=False)
        if rc != 0 and "appears to have been cut short" not in err:
            problems.append("tshark exit %d: %s" % (rc, err.strip()[-300:]))
        if "Dissector bug, protocol KRBDIAG" in out + err or "krbdiag: " in err:
            problems.append("dissector bug or plugin message")
        try:
            findings, krb_errors = kdtest.parse_pdml(out)
            kdtest.save_findings("public", name, out)
        except Exception as e:  # noqa: BLE001 - a broken PDML is itself a failure
            problems.append("unreadable PDML: %s" % e)
            findings, krb_errors = [], {}
        frames = public_patterns.frames_of(cap) if (krb_errors or findings) and not problems else []
        copies = public_patterns.recorded_copies(frames)
        for frame, codes in krb_errors.items():
            if frame in copies:
                continue    # a second recording of a message: the first carries its finding
            have = [fd.error_code for fd in findings if fd.frame == frame]
            for code in codes:
                if code not in have:
                    problems.append("frame %d: KRB-ERROR %d has no finding" % (frame, code))
        failing = any(c not in BENIGN for codes in krb_errors.values() for c in codes)
        # An RPC call failing with 0x721 is a failure, whatever lies beneath it.
        failing = failing or any(fd.cause in ("sec_pkg_error", "rpc_message_check_failed") for fd in findings)
        # What the KDC's answers say (e-text, BAD_INTEGRITY, KDC kind, clock side, names).
        problems += kdc_patterns.check(out, findings, sev, seen) if findings else []
        warnings = [fd for fd in findings if sev.get(fd.cause) == "warning"]
        if not failing and warnings:
            problems.append("warnings where nothing failed: %s" % warnings[:5])
        if frames:
            problems += public_patterns.check(cap, findings, frames)
        if findings and not problems:
            problems += claim_patterns.check(cap, findings)
        summary = "%d findings, %d warnings, %d KRB-ERROR frames" % (len(findings), len(warnings), len(krb_errors))
        kdtest.report(name, not problems, "; ".join(problems) if problems else summary)
        passed += not problems
        failed += bool(problems)
    print("public: KDC answer patterns applied: %s" % (", ".join("%s %d" % kv for kv in sorted(seen.items())) or "none"))
    print("public: %d passed, %d failed" % (passed, failed))
    if passed + failed == 0:
        return SKIPPED
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
