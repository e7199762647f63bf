#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# account_disabled: kinit for a principal that an administrator disabled
# (kadmin modprinc -allow_tix). The MIT KDC refuses the very first AS-REQ, before any
# pre-authentication, with KDC_ERR_CLIENT_REVOKED (18). MIT sends no NTSTATUS e-data
# (only the e-text "CLIENT LOCKED OUT", its internal status string, which is misleading:
# the account is disabled, not locked), and nothing else in the capture tells disabled
# from locked, so the expected cause is account_revoked.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/account_disabled.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab account_disabled
mit_kadmin kdc "modprinc -allow_tix alice"
mit_lab_start

lab_capture_start "$PCAP" 'port 88'
if echo Passw0rd-alice | mit_as client kinit alice >/dev/null 2>&1; then
    echo "account_disabled: kinit for a disabled principal succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "account_disabled: MIT krb5 1.20, kinit alice after modprinc -allow_tix alice: the" \
    "first AS-REQ gets KDC_ERR_CLIENT_REVOKED, e-text CLIENT LOCKED OUT, no e-data. MIT" \
    "sends no NTSTATUS, so disabled cannot be told from locked: account_revoked."
errs=$(expect_errors 18)
for f in $errs; do
    expect_line "$f" account_revoked client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$(expect_request "$f")"
done
expect_check
