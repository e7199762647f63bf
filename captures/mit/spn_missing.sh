#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# spn_missing: kvno of a service principal that is not registered in the realm (the
# SPN was never created, or the client builds the wrong name). The MIT KDC answers the
# TGS-REQ with KDC_ERR_S_PRINCIPAL_UNKNOWN (7); the MIT client asks twice (first with
# the canonicalize/referral flag, then without), so there are two errors. Proves
# spn_missing.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/spn_missing.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab spn_missing
mit_addprinc kdc host/svc.example.test -randkey
mit_lab_start

lab_capture_start "$PCAP" 'port 88'
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
if mit_as client kvno host/nosuch.example.test 2>/dev/null; then
    echo "spn_missing: kvno of a missing service succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "spn_missing: MIT krb5 1.20, kinit alice, then kvno host/nosuch.example.test, which" \
    "does not exist: KDC_ERR_S_PRINCIPAL_UNKNOWN (the MIT client asks twice)."
expect_preauth_required
errs=$(expect_errors 7)
for f in $errs; do
    expect_line "$f" spn_missing client=alice spn=host/nosuch.example.test "evidence=$(expect_request "$f")"
done
expect_check
