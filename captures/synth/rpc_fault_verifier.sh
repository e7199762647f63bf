#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rpc_fault_verifier (SYNTHESIZED around real Kerberos bytes): a DCE/RPC bind with
# SPNEGO/Kerberos is refused with a Fault, status 0x721 (RPC_S_SEC_PKG_ERROR), whose auth
# verifier carries the acceptor's KRB-ERROR. Wireshark does not decode a Kerberos token
# in a Fault's verifier (4.0 reports BER errors on it), so only krbdiag's own reader
# sees the error.
#
# - real: MIT krb5 1.20 KDC; alice logs on (kinit) and, through python3-gssapi, asks for
#   a context to host@srv.example.test: the TGS exchange for the kvno-3 ticket is captured
#   on the lab bridge. The acceptor (MIT's GSS-API, accept_sec_context) holds only the
#   kvno-2 key of host/srv (its keytab was exported before the key changed) and answers
#   with its real KRB-ERROR, KRB_AP_ERR_BADKEYVER, GSS-framed inside a SPNEGO reject;
# - synthesized (captures/synth/rpc_fault_synth.py): the TCP connection to port 135, the
#   bind carrying the real AP-REQ, and the Fault carrying the real KRB-ERROR unchanged.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
. "$CAPTURES/lib/dcom.sh"
dcom_need
NAME=rpc_fault_verifier
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab "$NAME"
mit_addprinc kdc host/srv.example.test -randkey
# The service's keytab holds kvno 2; the KDC then moves on to kvno 3.
mit_kadmin kdc "ktadd -k $LAB_DIR/srv.keytab host/srv.example.test"
mit_kadmin kdc "cpw -randkey host/srv.example.test"
mit_kdc_start kdc
mit_client_conf client EXAMPLE.TEST 10.88.0.2

OUT=$LAB_DIR/out
mkdir -p "$OUT"
lab_capture_start "$LAB_DIR/kdc.pcapng" 'port 88'
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
mit_as client env KRB5RCACHETYPE=none /usr/bin/python3 "$DCOM_SYNTH_DIR/dcom_tokens.py" \
    tokens "$OUT" srv.example.test "$LAB_DIR/srv.keytab" fail
lab_capture_stop
/usr/bin/python3 "$DCOM_SYNTH_DIR/rpc_fault_synth.py" "$LAB_DIR/kdc.pcapng" "$OUT/tokens.json" "$PCAP"
chmod a+r "$PCAP"

expect_begin "$PCAP" \
    "$NAME: SYNTHESIZED capture (DCE/RPC and TCP/IP framing by captures/synth/" \
    "rpc_fault_synth.py); real MIT krb5 1.20 KDC frames, AP-REQ and acceptor KRB-ERROR" \
    "(KRB_AP_ERR_BADKEYVER: the service keytab holds kvno 2, the ticket is kvno 3)." \
    "The bind is refused with fault 0x721 carrying the KRB-ERROR in its auth verifier," \
    "which Wireshark does not decode."
expect_preauth_required
bind=$(expect_frame 'dcerpc.pkt_type == 11 && kerberos.msg_type == 14')
fault=$(expect_frame 'dcerpc.pkt_type == 3 && dcerpc.cn_status == 0x00000721 && dcerpc.cn_auth_len > 0')
tgsrep=$(expect_frame 'kerberos.msg_type == 13 && kerberos.SNameString == "srv.example.test"')
[ -z "$(expect_field "$fault" kerberos.error_code)" ] || { echo "Wireshark decoded the fault's verifier" >&2; exit 1; }
expect_line "$fault" stale_service_key error=KRB_AP_ERR_BADKEYVER spn=host/srv.example.test client=alice \
    "evidence=$bind,$tgsrep"
expect_line "$fault" sec_pkg_error error=KRB_AP_ERR_BADKEYVER spn=host/srv.example.test client=alice \
    "evidence=$fault"
# Wireshark 4.0 hands a Fault's SPNEGO verifier to the GSS-API dissector, which expects
# an initial token (APPLICATION 0) and reports the NegTokenResp as BER errors (expert
# group Malformed): the very frame whose KRB-ERROR Wireshark cannot show.
EXPECT_KNOWN_MALFORMED='dcerpc.pkt_type == 3'
expect_check
