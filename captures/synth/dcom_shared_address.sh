#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dcom_shared_address (SYNTHESIZED around real Kerberos bytes): WMI/DCOM between two
# domains fails with 0x80070721 "A security package specific error occurred" because
# both servers own the same address (seed 001: IBM System x, "IBM USB Remote NDIS
# Network Device" = 169.254.95.120 on every box). srv1 (ALPHA, 10.88.0.12) asks srv2
# (BETA, 10.88.0.22) IObjectExporter::ServerAlive2; the DUALSTRINGARRAY lists "SRV2",
# "169.254.95.120", "10.88.0.22". srv1 picks 169.254.95.120, which is its own, so the
# connection loops back to srv1's RPCSS; the AP-REQ for host/srv2.beta.example.test
# reaches srv1, which cannot decrypt the ticket with its own key: KRB_AP_ERR_MODIFIED
# (naming srv1$ as the answering server, as in the seed's event 4), then the DCE/RPC
# fault nca status 0x721 (RPC_S_SEC_PKG_ERROR) that the client surfaces as 0x80070721.
#
# No free implementation serves DCOM, so the capture is synthesized (dcom_synth.py):
# - real: the TGS exchanges (MIT krb5 1.20, two realms with a trust: TGS-REQ to ALPHA,
#   referral TGS-REP, TGS-REQ to BETA, TGS-REP), captured on the lab bridge; the SPNEGO
#   NegTokenInit + AP-REQ made by MIT's GSS-API for host@srv2.beta.example.test;
# - real, then edited: the KRB-ERROR. MIT's acceptor, given srv1's key filed under
#   srv2's name, answers KRB_AP_ERR_BAD_INTEGRITY (31) naming host/srv2@BETA; a
#   Windows acceptor answers KRB_AP_ERR_MODIFIED (41) naming itself (srv1$@ALPHA). The
#   script re-encodes MIT's error with those values (code, realm, sname, stime/susec);
# - synthesized: all DCE/RPC PDUs, TCP/IP and Ethernet framing, ARP, the pcapng file.
#
# What a capture on srv1 would hold, and why this layout: the looped connection never
# reaches a wire. Windows routes a connection to one of its own addresses through the
# loopback path with that address as source too (169.254.95.120 -> 169.254.95.120).
# Network Monitor 3.4 (the seed's tool) cannot see loopback traffic at all; a
# multi-interface capture with Npcap's loopback adapter (Wireshark/dumpcap on Windows)
# can, and records it with LINKTYPE_NULL. So the pcapng has three interfaces of srv1:
# Ethernet0 (lab net: KDC and srv2 traffic), the Npcap loopback adapter (the looped
# DCE/RPC connection, no MAC addresses) and the RNDIS adapter (an ARP exchange with the
# IMM, 169.254.95.118, sent from 169.254.95.120 by srv1's RNDIS MAC).
# Evidence that srv1 owns 169.254.95.120: srv1's own ServerAlive2 answer to srv2 a few
# seconds earlier lists it too (the seed shows both directions), the looped connection
# has it as source and destination, and srv1's ARP uses it as sender address.
# Where Windows puts the KRB-ERROR: Wireshark 4.0 does not dissect a Kerberos token in a
# fault's auth verifier, so the token rides in the bind_ack's auth verifier (SPNEGO
# negState reject + KRB-ERROR, as MIT's SPNEGO wraps it) and a separate fault carries
# the status.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
. "$CAPTURES/lib/dcom.sh"
dcom_need
PCAP=$CAPTURES/pcap/dcom_shared_address.pcapng
mkdir -p "$CAPTURES/pcap"

dcom_capture dcom_shared_address fail "$PCAP"

expect_begin "$PCAP" \
    "dcom_shared_address: SYNTHESIZED capture (no free DCOM server): DCE/RPC, TCP/IP and" \
    "ARP frames are made by captures/synth/dcom_synth.py; the KDC frames (MIT krb5 1.20," \
    "TGS-REQ/referral/TGS-REQ/TGS-REP across ALPHA->BETA) and the SPNEGO AP-REQ are real;" \
    "the KRB-ERROR is MIT's real acceptor error re-encoded with Windows values (41, srv1\$)." \
    "srv1's ServerAlive2 to srv2 lists 169.254.95.120, an address srv1 owns as well (its" \
    "own ServerAlive2 answer lists it); srv1 connects to itself (loopback interface), its" \
    "host/srv2 ticket fails KRB_AP_ERR_MODIFIED, then fault 0x721 (0x80070721)."
shared=169.254.95.120
sa2_srv2=$(expect_frame "dcom.dualstringarray.network_addr == \"$shared\" && ip.src == 10.88.0.22")
sa2_srv1=$(expect_frame "dcom.dualstringarray.network_addr == \"$shared\" && ip.src == 10.88.0.12")
bind=$(expect_frame "kerberos.msg_type == 14 && ip.dst == $shared && ip.src == $shared")
krberr=$(expect_frame "kerberos.msg_type == 30 && kerberos.error_code == 41")
fault=$(expect_frame 'dcerpc.pkt_type == 3 && dcerpc.cn_status == 0x00000721')
tgsrep=$(expect_frame 'kerberos.msg_type == 13 && kerberos.SNameString == "srv2.beta.example.test"')
spn=$(expect_field "$bind" kerberos.SNameString | tr , /)
client=$(expect_cname "$tgsrep")
[ "$spn" = host/srv2.beta.example.test ] || { echo "unexpected spn $spn" >&2; exit 1; }
expect_line "$krberr" shared_address_loopback "spn=$spn" "client=$client" \
    "evidence=$sa2_srv2,$sa2_srv1,$bind"
expect_line "$fault" sec_pkg_error error=KRB_AP_ERR_MODIFIED "spn=$spn" "client=$client" \
    "evidence=$krberr"
expect_check
