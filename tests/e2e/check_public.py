#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-world check: every capture under captures/public (recorded by other
projects, shipped with their sources and licences in captures/public/SOURCES.tsv;
KRBDIAG_PUBLIC names another folder).

First the folder itself: each capture must be listed in SOURCES.tsv with its sha256,
and each listed file must be there, so a missing or altered capture fails instead
of leaving fewer captures checked.

For each: tshark with krbdiag must not crash or report a dissector bug; every
KRB-ERROR must get a finding of its own error code (a recorded copy of a message
shares its first recording's); where nothing failed (no KRB-ERROR beyond the benign
PREAUTH_REQUIRED / RESPONSE_TOO_BIG / WRONG_REALM, and no DCE/RPC security-package
fault) krbdiag must raise no warning, but for why an NTLM logon the capture holds was
not Kerberos; and the patterns of public_patterns.py
(recorded copies, KDC identity, recovery), kdc_patterns.py (what the KDC's answers
say) and claim_patterns.py (claims that hold) hold."""

import glob
import hashlib
import os
import re
import shutil
import sys

import claim_patterns
import kdc_patterns
import kdtest
import public_patterns

BENIGN = {25, 52, 68}
# Why an NTLM logon was not Kerberos, with no Kerberos failure before it.
WHY_NTLM = {"ntlm_ip_target", "ntlm_no_kdc_contact", "ntlm_spnego_ntlm_only"}
EXTENSIONS = (".pcap", ".pcapng", ".cap")


def public_dir():
    return os.environ.get("KRBDIAG_PUBLIC", os.path.join(kdtest.REPO, "captures", "public"))


def public_captures(root):
    return sorted(p for p in glob.glob(os.path.join(root, "**", "*"), recursive=True)
                  if os.path.isfile(p) and p.endswith(EXTENSIONS))


def check_sources(root, caps):
    """Problems between the captures found and SOURCES.tsv (file -> sha256)."""
    table = os.path.join(root, "SOURCES.tsv")
    if not os.path.isfile(table):
        return ["no %s" % table]
    listed = {}
    with open(table, encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh if line.strip() and not line.startswith("#")]
    header = rows[0]
    for row in rows[1:]:
        rec = dict(zip(header, row))
        listed[rec["file"]] = rec
        # (A folder named by KRBDIAG_PUBLIC may list no licence file: then none is checked.)
        if "licence_file" in header and not os.path.isfile(os.path.join(root, rec["licence_file"])):
            return ["%s: no licence file %s" % (rec["file"], rec["licence_file"])]
    problems = []
    found = {os.path.relpath(p, root): p for p in caps}
    for name in sorted(set(listed) - set(found)):
        problems.append("%s: listed in SOURCES.tsv, missing" % name)
    for name in sorted(set(found) - set(listed)):
        problems.append("%s: not listed in SOURCES.tsv" % name)
    for name in sorted(set(found) & set(listed)):
        with open(found[name], "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        if digest != listed[name]["sha256"]:
            problems.append("%s: sha256 %s, SOURCES.tsv says %s" % (name, digest, listed[name]["sha256"]))
    return problems


def main():
    root = public_dir()
    caps = public_captures(root)
    if not caps:
        # Zero captures checked is not a pass: the captures ship with the project.
        print("public: FAIL: no captures under %s" % root)
        return 1
    problems = check_sources(root, caps)
    for p in problems:
        print("public: FAIL: %s" % p)
    if problems:
        return 1
    print("public: %d captures, each listed in SOURCES.tsv with its sha256 and licence" % len(caps))
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
        # An NTLM logon (an NTLMSSP AUTHENTICATE in the capture) where Kerberos was
        # possible is what the "why NTLM?" causes warn about: no false alarm there.
        ntlm_logon = re.search(r'name="ntlmssp\.messagetype"[^>]*show="0x00000003"', out) is not None
        unexplained = [fd for fd in warnings if not (ntlm_logon and fd.cause in WHY_NTLM)]
        if not failing and unexplained:
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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
