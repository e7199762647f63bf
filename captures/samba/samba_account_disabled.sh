#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_account_disabled: Samba 4.17 AD DC, MIT krb5 1.20 client. bob is disabled
# (samba-tool user disable); kinit bob with the right password: PREAUTH_REQUIRED, then the
# pre-authenticated AS-REQ gets KDC_ERR_CLIENT_REVOKED. Samba's e-data is a METHOD-DATA
# { PA-ETYPE-INFO2, PA-PW-SALT = KERB-EXT-ERROR NTSTATUS 0xC0000072
# STATUS_ACCOUNT_DISABLED }. Wireshark 4.0 expects a single PA-DATA there (the Windows
# form), reports BER errors and leaves kerberos.smb.nt_status empty: the NTSTATUS must be
# read from kerberos.e_data. Proves account_disabled (from the NTSTATUS).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 "${SAMBA_PACKAGES[@]}"
NAME=samba_account_disabled
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"

samba_lab "$NAME"

samba_adduser dc bob
samba_tool dc user disable bob >/dev/null

lab_capture_start "$PCAP"
if echo Passw0rd-bob | samba_as client kinit bob >/dev/null 2>&1; then
    echo "$NAME: kinit for a disabled account succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC, MIT krb5 1.20 client; bob is disabled; kinit bob with the right" \
    "password: PREAUTH_REQUIRED, then KDC_ERR_CLIENT_REVOKED whose e-data (METHOD-DATA:" \
    "ETYPE-INFO2 + PW-SALT) carries NTSTATUS 0xC0000072 (account disabled). Wireshark 4.0" \
    "mis-dissects that e-data (BER errors, no kerberos.smb.nt_status): read kerberos.e_data."
samba_expect_known_edata
expect_preauth_required
samba_expect_response_too_big
f=$(expect_frame 'kerberos.error_code == 18')
[ "$(samba_edata_ntstatus "$f")" = 0xC0000072 ]
expect_line "$f" account_disabled client=bob spn=krbtgt/AD.EXAMPLE.TEST "evidence=$(expect_request "$f")"
expect_check
