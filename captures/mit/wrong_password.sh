#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# wrong_password: three kinit attempts with a wrong password for a principal that
# requires pre-authentication. The MIT KDC answers each pre-authenticated AS-REQ with
# KDC_ERR_PREAUTH_FAILED (24): the classic mistyped or stale password. Each attempt also
# shows the benign PREAUTH_REQUIRED leg. Proves wrong_password (and that three failures
# without a later CLIENT_REVOKED stay wrong_password).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/wrong_password.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab wrong_password
mit_lab_start

lab_capture_start "$PCAP" 'port 88'
for i in 1 2 3; do
    if echo "Wrong-$i" | mit_as client kinit alice >/dev/null 2>&1; then
        echo "wrong_password: kinit with a wrong password succeeded" >&2
        exit 1
    fi
done
lab_capture_stop

expect_begin "$PCAP" \
    "wrong_password: MIT krb5 1.20, three kinit alice attempts with a wrong password;" \
    "each pre-authenticated AS-REQ gets KDC_ERR_PREAUTH_FAILED."
expect_preauth_required
errs=$(expect_errors 24)
for f in $errs; do
    expect_line "$f" wrong_password client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$(expect_request "$f")"
done
[ "$(echo "$errs" | wc -w)" -eq 3 ]
expect_check
