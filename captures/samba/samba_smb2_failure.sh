#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_smb2_failure: a Kerberos failure inside SMB2 SESSION_SETUP against a Samba 4.17
# AD DC. smbclient -k (Samba's Heimdal, ccache from MIT kinit) lists netlogon: its
# ticket for cifs/dc.ad.example.test has kvno 1, the session setup succeeds. Then the
# DC machine account's password changes in the directory only (samba-tool user
# setpassword DC$): the KDC now encrypts cifs/dc tickets with the kvno-2 key while smbd
# still accepts with the key kept in the DC's secrets.ldb (kvno 1), the state of a DC
# whose machine password is out of sync. alice logs on again and smbclient gets a
# kvno-2 ticket: the SESSION_SETUP response is STATUS_LOGON_FAILURE with no security
# blob at all (Samba sends no KRB-ERROR back inside SPNEGO). The earlier TGS-REP with
# kvno 1 for the same SPN shows the key changed. Proves stale_service_key.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 "${SAMBA_PACKAGES[@]}"
NAME=samba_smb2_failure
PCAP=$CAPTURES/pcap/$NAME.pcapng
SPN=cifs/dc.ad.example.test
mkdir -p "$CAPTURES/pcap"

samba_lab "$NAME" "udp_preference_limit = 1"

lab_capture_start "$PCAP"
echo Passw0rd-alice | samba_as client kinit alice >/dev/null
samba_as client smbclient "${SAMBA_SMB_OPTS[@]}" //dc.ad.example.test/netlogon -c ls >/dev/null
samba_tool dc user setpassword 'DC$' --newpassword='Machine-Passw0rd-2' >/dev/null
samba_as client kdestroy
echo Passw0rd-alice | samba_as client kinit alice >/dev/null
if samba_as client smbclient "${SAMBA_SMB_OPTS[@]}" //dc.ad.example.test/netlogon -c ls >/dev/null 2>&1; then
    echo "$NAME: the session setup with the new key succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC; smbclient -k (ticket for $SPN, kvno 1)" \
    "lists netlogon; then DC\$'s password changes in the directory only (secrets.ldb keeps" \
    "the kvno-1 key smbd accepts with); after a new kinit, smbclient's kvno-2 ticket gets" \
    "SMB2 SESSION_SETUP STATUS_LOGON_FAILURE (no security blob, no KRB-ERROR)."
expect_preauth_required
samba_expect_response_too_big
old=$(expect_frame 'kerberos.msg_type == 13 && kerberos.SNameString == "cifs" && kerberos.kvno == 1')
new=$(expect_frame 'kerberos.msg_type == 13 && kerberos.SNameString == "cifs" && kerberos.kvno == 2')
expect_frame 'smb2.cmd == 1 && smb2.flags.response == 1 && smb2.nt_status == 0' >/dev/null
f=$(expect_frame 'smb2.cmd == 1 && smb2.flags.response == 1 && smb2.nt_status == 0xc000006d')
stream=$(expect_field "$f" tcp.stream)
req=$(expect_frames "smb2.cmd == 1 && smb2.flags.response == 0 && kerberos.msg_type == 14 && tcp.stream == $stream" | tail -n 1)
[ -n "$req" ]
expect_line "$f" stale_service_key client=alice "spn=$SPN" "evidence=$req,$new,$old"
expect_check
