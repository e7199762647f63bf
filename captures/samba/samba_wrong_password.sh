#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_wrong_password: Samba 4.17 AD DC, MIT krb5 1.20 client. kinit alice with a wrong
# password: PREAUTH_REQUIRED, then KDC_ERR_PREAUTH_FAILED (24) whose e-data is a
# METHOD-DATA with ETYPE-INFO2 only (no NTSTATUS; Wireshark 4.0 dissects this one).
# Proves wrong_password.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 "${SAMBA_PACKAGES[@]}"
NAME=samba_wrong_password
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"

samba_lab "$NAME"

lab_capture_start "$PCAP"
if echo Wrong-password | samba_as client kinit alice >/dev/null 2>&1; then
    echo "$NAME: kinit with a wrong password succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC, MIT krb5 1.20 client; kinit alice with a wrong password:" \
    "PREAUTH_REQUIRED, then KDC_ERR_PREAUTH_FAILED (e-data: METHOD-DATA with ETYPE-INFO2)."
expect_preauth_required
samba_expect_response_too_big
f=$(expect_frame 'kerberos.error_code == 24')
expect_line "$f" wrong_password client=alice spn=krbtgt/AD.EXAMPLE.TEST "evidence=$(expect_request "$f")"
expect_check
