#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_password_expired: Samba 4.17 AD DC, MIT krb5 1.20 client. bob must change his
# password at next logon (pwdLastSet = 0); kinit bob with the right password:
# PREAUTH_REQUIRED, then KDC_ERR_KEY_EXPIRED (23) whose e-data METHOD-DATA carries
# PA-PW-SALT = NTSTATUS 0xC0000224 STATUS_PASSWORD_MUST_CHANGE (mis-dissected by
# Wireshark 4.0, see samba.sh). kinit then asks for a kadmin/changepw ticket (a
# successful AS exchange, over TCP after KRB_ERR_RESPONSE_TOO_BIG) and gives up when no
# new password comes on stdin.
# Proves password_expired (the code itself).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 "${SAMBA_PACKAGES[@]}"
NAME=samba_password_expired
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"

samba_lab "$NAME"

samba_tool dc user create bob Passw0rd-bob --must-change-at-next-login >/dev/null

lab_capture_start "$PCAP"
if echo Passw0rd-bob | samba_as client kinit bob >/dev/null 2>&1; then
    echo "$NAME: kinit for an account whose password must change succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC, MIT krb5 1.20 client; bob must change his password at next" \
    "logon; kinit bob: PREAUTH_REQUIRED, then KDC_ERR_KEY_EXPIRED whose e-data (METHOD-DATA:" \
    "ETYPE-INFO2 + PW-SALT) carries NTSTATUS 0xC0000224 (password must change); kinit then" \
    "gets a kadmin/changepw ticket and stops (no new password on stdin)."
samba_expect_known_edata
expect_preauth_required
samba_expect_response_too_big
f=$(expect_frame 'kerberos.error_code == 23')
[ "$(samba_edata_ntstatus "$f")" = 0xC0000224 ]
expect_line "$f" password_expired client=bob spn=krbtgt/AD.EXAMPLE.TEST "evidence=$(expect_request "$f")"
expect_check
