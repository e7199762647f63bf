#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_dcerpc_failure: RPC_S_SEC_PKG_ERROR (0x721) from a Samba 4.17 AD DC's RPC server.
# The DC machine account's password has changed in the directory only (samba-tool user
# setpassword DC$), so the KDC issues host/dc.ad.example.test tickets (kvno 2) that the
# RPC server, which accepts with the key kept in secrets.ldb (kvno 1), cannot decrypt.
# The client (spnego_alter_bind.py: impacket PDUs, MIT GSS-API for the AP-REQ) maps LSARPC
# through the endpoint mapper on 135, binds to the dynamic port with SPNEGO (auth level
# integrity) offering Kerberos without an optimistic token (bind_ack: NegTokenResp),
# then sends the AP-REQ in an alter_context, as SPNEGO clients that negotiate first do.
# Samba answers the alter_context with a fault, status nca_s_fault_sec_pkg_error
# 0x00000721 (a failure in the bind itself gets a bind_nak instead: see
# samba_dcerpc_bind_nak). No KRB-ERROR is on the wire. Proves sec_pkg_error.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 python3-impacket python3-gssapi "${SAMBA_PACKAGES[@]}"
NAME=samba_dcerpc_failure
PCAP=$CAPTURES/pcap/$NAME.pcapng
SPN=host/dc.ad.example.test
mkdir -p "$CAPTURES/pcap"

samba_split_dc_key_lab "$NAME" "$PCAP"
status=$(samba_as client /usr/bin/python3 "$CAPTURES/samba/spnego_alter_bind.py" 10.88.0.2 host@dc.ad.example.test) || true
lab_capture_stop
if [ "$status" != 0x00000721 ]; then
    echo "$NAME: expected fault 0x00000721, got '$status'" >&2
    exit 1
fi

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC whose machine password changed in the directory only;" \
    "EPM map on 135, SPNEGO bind to LSARPC without an optimistic token (bind_ack), then" \
    "the AP-REQ (kvno-2 $SPN ticket) in an alter_context: fault" \
    "nca_s_fault_sec_pkg_error 0x00000721. No KRB-ERROR on the wire."
expect_preauth_required
samba_expect_response_too_big
# The fault (3); the AP-REQ rode in the alter_context (14).
samba_expect_rpc_refusal 'dcerpc.pkt_type == 3 && dcerpc.cn_status == 0x00000721' 14 sec_pkg_error "$SPN"
expect_check
