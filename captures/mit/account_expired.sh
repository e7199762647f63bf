#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# account_expired: kinit for a principal whose account expiry date has passed
# (kadmin modprinc -expire <past date>). The MIT KDC refuses the first AS-REQ, before
# pre-authentication, with KDC_ERR_NAME_EXP (1; e-text "CLIENT EXPIRED", no e-data).
# The code itself is specific. Proves account_expired.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/account_expired.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab account_expired
mit_kadmin kdc "modprinc -expire 2020-01-01 alice"
mit_lab_start

lab_capture_start "$PCAP" 'port 88'
if echo Passw0rd-alice | mit_as client kinit alice >/dev/null 2>&1; then
    echo "account_expired: kinit for an expired principal succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "account_expired: MIT krb5 1.20, kinit alice after modprinc -expire 2020-01-01 alice:" \
    "the first AS-REQ gets KDC_ERR_NAME_EXP (e-text CLIENT EXPIRED, no e-data)."
errs=$(expect_errors 1)
for f in $errs; do
    expect_line "$f" account_expired client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$(expect_request "$f")"
done
expect_check
