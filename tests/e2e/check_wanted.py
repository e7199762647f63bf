#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Findings do not depend on what else the session asks Wireshark for.

krbdiag asks for some fields only part of the time: http.response.code while a
request with an Authorization header waits for its answer, TCP's lost-segment
items after an AP-REP in DCE/RPC, DCOM's address list while a DCE/RPC call
waits for its answer, Wireshark's decryption items only when
its Kerberos preferences decrypt (plugin/kd_fields.c). It reads a segment's payload
length while a connection to the KDC waits for its request, the KDC's SYN-ACK and
reset while a connection attempt waits, and an ICMP unreachable while a request
over UDP waits, from the frame's own headers (heuristics/kd_ippkt.c), not from
tcp.len, tcp.connection.* or icmp.type. A display filter, a column or another
plugin can make Wireshark build any of those items on every frame anyway; the
findings must be the ones krbdiag gives alone. Every corpus capture is read twice,
once as is and once with a display filter that is true on every frame and primes
those fields (and a few more krbdiag reads from bytes), and every frame's causes
and confidences must be the same."""

import concurrent.futures
import glob
import os
import sys

import kdtest

# True on every frame; names fields krbdiag wants only some of the time, or reads
# from bytes instead of asking for them.
PRIMING_FILTER = ("http.response.code || tcp.segment_data || kerberos.decrypted_keytype || "
                  "kerberos.missing_keytype || smb2.nt_status || smb2.cmd || tcp.len || "
                  "ldap.searchResEntry_element || icmp.type || tcp.connection.rst || tcp.connection.synack || "
                  "tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment || dcerpc.opnum || "
                  "dcom.dualstringarray.network_addr || "
                  "!http.response.code")
FIELDS = ["frame.number", "krbdiag.cause", "krbdiag.confidence", "krbdiag.evidence"]


def causes(capture, extra):
    args = ["-r", capture, "-T", "fields", "-E", "occurrence=a", "-E", "separator=|"] + extra
    for f in FIELDS:
        args += ["-e", f]
    _, out, _ = kdtest.tshark(args)
    return [line for line in out.splitlines() if line.split("|", 1)[1].strip("|")]


def check(capture):
    alone = causes(capture, [])
    primed = causes(capture, ["-Y", PRIMING_FILTER])
    name = os.path.basename(capture)
    if alone == primed:
        return name, True, "findings on %d of its frames" % len(alone)
    diff = [l for l in alone if l not in primed][:3] + ["+ " + l for l in primed if l not in alone][:3]
    return name, False, "a display filter changed the findings: %s" % "; ".join(diff)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    captures = sorted(glob.glob(os.path.join(here, "..", "..", "captures", "pcap", "*.pcapng")))
    if not captures:
        kdtest.report("captures", False, "no corpus capture found")
        return 1
    failed = 0
    with_findings = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        for name, ok, detail in ex.map(check, captures):
            kdtest.report(name, ok, detail)
            failed += not ok
            with_findings += ok and not detail.startswith("findings on 0 ")
    # A run where krbdiag found nothing anywhere would compare nothing.
    if with_findings == 0:
        kdtest.report("findings", False, "no capture gave any finding: the plugin did not run")
        return 1
    print("wanted: %d captures, %d failed" % (len(captures), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
