#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_account_locked: Samba 4.17 AD DC, MIT krb5 1.20 client. Lockout threshold 3
# (samba-tool domain passwordsettings set --account-lockout-threshold=3); three kinit bob
# with a wrong password (each PREAUTH_REQUIRED then KDC_ERR_PREAUTH_FAILED, e-data
# ETYPE-INFO2), then the right password: KDC_ERR_CLIENT_REVOKED. Unlike disabled/expired,
# Samba's e-data here is a METHOD-DATA with ETYPE-INFO2 only: no NTSTATUS (and still
# mis-dissected by Wireshark 4.0). What makes it a lock-out is the run of wrong-password
# failures for bob just before. Proves account_locked (and wrong_password).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 "${SAMBA_PACKAGES[@]}"
NAME=samba_account_locked
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"

samba_lab "$NAME"

samba_tool dc domain passwordsettings set --account-lockout-threshold=3 >/dev/null
samba_adduser dc bob

lab_capture_start "$PCAP"
for i in 1 2 3; do
    if echo "Wrong-$i" | samba_as client kinit bob >/dev/null 2>&1; then
        echo "$NAME: kinit with a wrong password succeeded" >&2
        exit 1
    fi
done
if echo Passw0rd-bob | samba_as client kinit bob >/dev/null 2>&1; then
    echo "$NAME: kinit for a locked-out account succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC, MIT krb5 1.20 client; lockout threshold 3; three kinit bob" \
    "with a wrong password (KDC_ERR_PREAUTH_FAILED each), then the right one: the" \
    "pre-authenticated AS-REQ gets KDC_ERR_CLIENT_REVOKED whose e-data (METHOD-DATA with" \
    "ETYPE-INFO2 only) has no NTSTATUS. The preceding failures make it a lock-out."
samba_expect_known_edata
expect_preauth_required
samba_expect_response_too_big
fails=
for f in $(expect_frames 'kerberos.error_code == 24'); do
    expect_line "$f" wrong_password client=bob spn=krbtgt/AD.EXAMPLE.TEST "evidence=$(expect_request "$f")"
    fails=$fails,$f
done
[ "$(expect_frames 'kerberos.error_code == 24' | wc -l)" -eq 3 ]
f=$(expect_frame 'kerberos.error_code == 18')
[ -z "$(samba_edata_ntstatus "$f")" ]
expect_line "$f" account_locked client=bob spn=krbtgt/AD.EXAMPLE.TEST "evidence=$(expect_request "$f")$fails"
expect_check
