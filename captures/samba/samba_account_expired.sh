#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_account_expired: Samba 4.17 AD DC, MIT krb5 1.20 client. bob's account has
# expired (samba-tool user setexpiry --days=0: accountExpires = now); kinit bob with the
# right password: PREAUTH_REQUIRED, then KDC_ERR_CLIENT_REVOKED (not KDC_ERR_NAME_EXP)
# whose e-data METHOD-DATA carries PA-PW-SALT = NTSTATUS 0xC0000193
# STATUS_ACCOUNT_EXPIRED. Wireshark 4.0 mis-dissects that e-data (see samba.sh).
# Proves account_expired (from the NTSTATUS).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 "${SAMBA_PACKAGES[@]}"
NAME=samba_account_expired
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"

samba_lab "$NAME"

samba_adduser dc bob
samba_tool dc user setexpiry bob --days=0 >/dev/null
sleep 1

lab_capture_start "$PCAP"
if echo Passw0rd-bob | samba_as client kinit bob >/dev/null 2>&1; then
    echo "$NAME: kinit for an expired account succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC, MIT krb5 1.20 client; bob's accountExpires is in the past;" \
    "kinit bob with the right password: PREAUTH_REQUIRED, then KDC_ERR_CLIENT_REVOKED whose" \
    "e-data (METHOD-DATA: ETYPE-INFO2 + PW-SALT) carries NTSTATUS 0xC0000193 (account" \
    "expired). Wireshark 4.0 mis-dissects that e-data (BER errors, no kerberos.smb.nt_status)."
samba_expect_known_edata
expect_preauth_required
samba_expect_response_too_big
f=$(expect_frame 'kerberos.error_code == 18')
[ "$(samba_edata_ntstatus "$f")" = 0xC0000193 ]
expect_line "$f" account_expired client=bob spn=krbtgt/AD.EXAMPLE.TEST "evidence=$(expect_request "$f")"
expect_check
