#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_dcerpc_bind_nak: a Kerberos failure inside a DCE/RPC bind against a Samba 4.17 AD
# DC. The DC machine account's password has changed in the directory only (samba-tool
# user setpassword DC$), so the KDC issues host/dc.ad.example.test tickets (kvno 2) that
# the DC's RPC server, which accepts with the key kept in secrets.ldb (kvno 1), cannot
# decrypt. rpcclient -k (Samba's Heimdal, ccache from MIT kinit) asks the endpoint mapper
# on 135 for LSARPC (unauthenticated), gets its host/ ticket and binds to the dynamic
# port with auth level sign: the answer is a bind_nak with reject reason 0 "not
# specified" (Samba sends neither RPC_S_SEC_PKG_ERROR 0x721 nor a KRB-ERROR in an auth
# verifier); rpcclient reports NT_STATUS_NETWORK_ACCESS_DENIED. Nothing in the capture
# says why the ticket was refused: proves ticket_decrypt_failed. (An AP-REQ that arrives
# in an alter_context gets fault 0x721 instead: samba_dcerpc_failure.)
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 "${SAMBA_PACKAGES[@]}"
NAME=samba_dcerpc_bind_nak
PCAP=$CAPTURES/pcap/$NAME.pcapng
SPN=host/dc.ad.example.test
mkdir -p "$CAPTURES/pcap"

samba_split_dc_key_lab "$NAME" "$PCAP"
if samba_as client rpcclient "${SAMBA_SMB_OPTS[@]}" -c lsaquery 'ncacn_ip_tcp:dc.ad.example.test[sign]' >/dev/null 2>&1; then
    echo "$NAME: the authenticated bind succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC whose machine password changed in the directory only;" \
    "rpcclient -k lsaquery over ncacn_ip_tcp (EPM map on 135, then bind with a kvno-2" \
    "$SPN ticket, auth level sign): bind_nak, reason 0 (not specified), no" \
    "0x721 and no KRB-ERROR on the wire."
expect_preauth_required
samba_expect_response_too_big
# The bind_nak (13); the AP-REQ rode in the bind (11).
samba_expect_rpc_refusal 'dcerpc.pkt_type == 13' 11 ticket_decrypt_failed "$SPN"
expect_check
