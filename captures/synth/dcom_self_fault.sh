#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dcom_self_fault (SYNTHESIZED around real Kerberos bytes): the dcom_shared_address
# scenario (seed 001: both servers own 169.254.95.120, the IBM IMM USB RNDIS address)
# when no KRB-ERROR is visible at all. srv1 asks srv2 ServerAlive2; the answer lists
# "SRV2", "169.254.95.120", "10.88.0.22"; srv1 connects to 169.254.95.120, its own
# address, so the connection goes from that address to itself (loopback interface);
# its bind with the AP-REQ for host/srv2.beta.example.test is answered with a bare
# fault 0x721 (RPC_S_SEC_PKG_ERROR, 0x80070721).
#
# - real: the TGS exchanges (MIT krb5 1.20, ALPHA -> referral -> BETA) and the SPNEGO
#   NegTokenInit + AP-REQ from MIT's GSS-API (lib/dcom.sh, fail mode);
# - synthesized (captures/synth/dcom_synth.py, mode self): the DCE/RPC PDUs, TCP/IP
#   framing and the pcapng file. Unlike dcom_shared_address, nothing else in the
#   capture says srv1 owns the address (no answer of its own, no ARP): the
#   self-connection decides.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
. "$CAPTURES/lib/dcom.sh"
dcom_need
PCAP=$CAPTURES/pcap/dcom_self_fault.pcapng
mkdir -p "$CAPTURES/pcap"

dcom_capture dcom_self_fault fail "$PCAP" self

expect_begin "$PCAP" \
    "dcom_self_fault: SYNTHESIZED capture (no free DCOM server): DCE/RPC and TCP/IP frames" \
    "are made by captures/synth/dcom_synth.py (mode self); the KDC frames (MIT krb5 1.20," \
    "TGS-REQ/referral/TGS-REQ/TGS-REP across ALPHA->BETA) and the SPNEGO AP-REQ are real." \
    "srv2's ServerAlive2 lists 169.254.95.120; srv1 connects from that address to itself" \
    "and its bind gets fault 0x721 (0x80070721); no KRB-ERROR anywhere in the capture."
shared=169.254.95.120
[ -z "$(expect_frames 'kerberos.msg_type == 30')" ] || { echo "a KRB-ERROR is visible" >&2; exit 1; }
sa2=$(expect_frame "dcom.dualstringarray.network_addr == \"$shared\" && ip.src == 10.88.0.22")
syn=$(expect_frame "tcp.flags.syn == 1 && tcp.flags.ack == 0 && ip.src == $shared && ip.dst == $shared")
bind=$(expect_frame "kerberos.msg_type == 14 && ip.dst == $shared && ip.src == $shared")
fault=$(expect_frame 'dcerpc.pkt_type == 3 && dcerpc.cn_status == 0x00000721')
tgsrep=$(expect_frame 'kerberos.msg_type == 13 && kerberos.SNameString == "srv2.beta.example.test"')
spn=$(expect_field "$bind" kerberos.SNameString | tr , /)
client=$(expect_cname "$tgsrep")
[ "$spn" = host/srv2.beta.example.test ] || { echo "unexpected spn $spn" >&2; exit 1; }
expect_line "$fault" shared_address_loopback "spn=$spn" "client=$client" confidence=confirmed \
    "evidence=$sa2,$syn,$bind"
expect_check
