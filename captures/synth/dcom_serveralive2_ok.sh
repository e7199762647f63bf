#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dcom_serveralive2_ok (SYNTHESIZED around real Kerberos bytes): the benign look-alike
# of dcom_shared_address. srv1 (ALPHA, 10.88.0.12) asks srv2 (BETA, 10.88.0.22)
# IObjectExporter::ServerAlive2; the DUALSTRINGARRAY lists only srv2's own name and
# routable address ("SRV2", "10.88.0.22"). srv1 connects to 10.88.0.22:135, binds to
# IRemoteSCMActivator with SPNEGO/Kerberos (AP-REQ for host/srv2.beta.example.test) and
# gets SPNEGO accept-completed with an AP-REP. Proves that a ServerAlive2 answer and a
# cross-realm DCOM bind raise no warning by themselves.
#
# Real: the TGS exchanges (MIT krb5 1.20, TGS-REQ to ALPHA, referral TGS-REP, TGS-REQ
# to BETA, TGS-REP) captured on the lab bridge; the SPNEGO NegTokenInit + AP-REQ and
# the accept-completed + AP-REP made by MIT's GSS-API (acceptor with srv2's keytab; the
# initiator verified the AP-REP). Synthesized (dcom_synth.py): the DCE/RPC PDUs, TCP/IP
# and Ethernet framing, the pcapng file.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
. "$CAPTURES/lib/dcom.sh"
dcom_need
PCAP=$CAPTURES/pcap/dcom_serveralive2_ok.pcapng
mkdir -p "$CAPTURES/pcap"

dcom_capture dcom_serveralive2_ok ok "$PCAP"

expect_begin "$PCAP" \
    "dcom_serveralive2_ok: SYNTHESIZED capture (no free DCOM server): DCE/RPC and TCP/IP" \
    "frames are made by captures/synth/dcom_synth.py; the KDC frames (MIT krb5 1.20," \
    "TGS-REQ/referral/TGS-REQ/TGS-REP across ALPHA->BETA) and the SPNEGO AP-REQ/AP-REP" \
    "are real. ServerAlive2 lists only srv2's own name and address; the authenticated" \
    "bind to 10.88.0.22 succeeds. No finding."
# The scenario did what it should: one ServerAlive2 answer naming only srv2, an AP-REP.
sa2=$(expect_frame 'dcom.dualstringarray.network_addr')
addrs=$(expect_field "$sa2" dcom.dualstringarray.network_addr)
[ "$addrs" = SRV2,10.88.0.22 ] || { echo "unexpected ServerAlive2 addresses: $addrs" >&2; exit 1; }
expect_frame 'kerberos.msg_type == 15 && ip.src == 10.88.0.22' >/dev/null
expect_check
