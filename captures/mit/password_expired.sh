#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# password_expired: kinit for a principal whose password has expired
# (kadmin modprinc -pwexpire <past date>). The MIT KDC refuses the first AS-REQ, before
# pre-authentication, with KDC_ERR_KEY_EXP (23; e-text "CLIENT KEY EXPIRED", no
# e-data). kinit then does what MIT clients do on an expired password: it gets a ticket
# for kadmin/changepw (AS-REQ, PREAUTH_REQUIRED, AS-REQ, AS-REP) to change the password,
# and gives up here because no new password is typed. Proves password_expired, and that
# the changepw exchange that follows is benign.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/password_expired.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab password_expired
mit_kadmin kdc "modprinc -pwexpire 2020-01-01 alice"
mit_lab_start

lab_capture_start "$PCAP" 'port 88'
if echo Passw0rd-alice | mit_as client kinit alice >/dev/null 2>&1; then
    echo "password_expired: kinit with an expired password succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "password_expired: MIT krb5 1.20, kinit alice after modprinc -pwexpire 2020-01-01" \
    "alice: the first AS-REQ gets KDC_ERR_KEY_EXP (e-text CLIENT KEY EXPIRED, no e-data);" \
    "kinit then gets a kadmin/changepw ticket to change the password (benign)."
expect_preauth_required
errs=$(expect_errors 23)
for f in $errs; do
    expect_line "$f" password_expired client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$(expect_request "$f")"
done
expect_check
