#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dcom_sealed_fault, dcom_sealed_fault_lost (SYNTHESIZED around real Kerberos bytes):
# 0x721 after a successful context. srv1 binds IRemoteSCMActivator on srv2, adds
# security with an alter_context at packet privacy (the real AP-REQ), srv2 accepts
# (the real AP-REP in the alter_context_resp); a first sealed call is answered, the
# next sealed call gets fault 0x721 (RPC_S_SEC_PKG_ERROR): a per-message check failed,
# the ticket did not. In dcom_sealed_fault_lost the capture misses the first call's
# request segment (Wireshark: previous segment not captured, ACKed unseen segment).
#
# - real: the TGS exchanges (MIT krb5 1.20, ALPHA -> referral -> BETA), the SPNEGO
#   NegTokenInit + AP-REQ and the acceptor's accept-completed + AP-REP (lib/dcom.sh,
#   ok mode: srv2's own keytab);
# - synthesized (captures/synth/dcom_synth.py, modes sealed / sealed_lost): the DCE/RPC
#   PDUs, the sealed stubs and their wrap-token verifiers (no key exists to compute real
#   ciphertext), TCP/IP framing and the pcapng file.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
. "$CAPTURES/lib/dcom.sh"
dcom_need
mkdir -p "$CAPTURES/pcap"

for mode in sealed sealed_lost; do
    name=dcom_${mode/sealed/sealed_fault}
    PCAP=$CAPTURES/pcap/$name.pcapng
    dcom_capture "$name" ok "$PCAP" "$mode"
    if [ "$mode" = sealed ]; then
        lost="The capture is complete."
    else
        lost="The capture misses the first sealed request's segment."
    fi
    expect_begin "$PCAP" \
        "$name: SYNTHESIZED capture (no free DCOM server): DCE/RPC, sealed stubs and" \
        "verifiers, TCP/IP frames are made by captures/synth/dcom_synth.py (mode $mode);" \
        "the KDC frames (MIT krb5 1.20), the SPNEGO AP-REQ and AP-REP are real. AP-REP in" \
        "the alter_context_resp (packet privacy), one sealed call answered, the next one" \
        "gets fault 0x721 (0x80070721): a per-message failure, not a refused ticket." \
        "$lost"
    alter=$(expect_frame 'dcerpc.pkt_type == 14 && kerberos.msg_type == 14')
    resp=$(expect_frame 'dcerpc.pkt_type == 15 && kerberos.msg_type == 15')
    fault=$(expect_frame 'dcerpc.pkt_type == 3 && dcerpc.cn_status == 0x00000721')
    tgsrep=$(expect_frame 'kerberos.msg_type == 13 && kerberos.SNameString == "srv2.beta.example.test"')
    [ "$(expect_field "$alter" dcerpc.auth_level)" = 6 ] || { echo "alter_context not at packet privacy" >&2; exit 1; }
    spn=$(expect_field "$alter" kerberos.SNameString | tr , /)
    client=$(expect_cname "$tgsrep")
    if [ "$mode" = sealed ]; then
        [ -z "$(expect_frames 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment')" ] ||
            { echo "segments lost" >&2; exit 1; }
        expect_line "$fault" rpc_message_check_failed "spn=$spn" "client=$client" confidence=likely \
            "evidence=$alter,$resp"
    else
        gap=$(expect_frame 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment')
        expect_line "$fault" rpc_message_check_failed "spn=$spn" "client=$client" confidence=possible \
            "evidence=$alter,$resp,$gap"
    fi
    expect_check
done
