#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# account_locked: a password policy locks a principal after three failures
# (addpol -maxfailure 3 -lockoutduration 0). Three kinit attempts with a wrong password
# (each: PREAUTH_REQUIRED, then KDC_ERR_PREAUTH_FAILED), then one with the right
# password: the MIT KDC refuses its first AS-REQ with KDC_ERR_CLIENT_REVOKED (18). MIT
# sends no NTSTATUS (its e-text says LOCKED_OUT, where a disabled principal gets
# "CLIENT LOCKED OUT": e-text is not evidence); what makes this a lock-out is the run of
# wrong-password failures for the same principal just before. Proves account_locked
# (and wrong_password for the failures).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/account_locked.pcapng
mkdir -p "$CAPTURES/pcap"

lab_init account_locked
lab_host kdc 10.88.0.2
lab_host client 10.88.0.10
mit_realm EXAMPLE.TEST kdc 10.88.0.2
mit_kadmin kdc "addpol -maxfailure 3 -failurecountinterval 0 -lockoutduration 0 lockout"
mit_addprinc kdc alice +requires_preauth -policy lockout
mit_lab_start

lab_capture_start "$PCAP" 'port 88'
for i in 1 2 3; do
    if echo "Wrong-$i" | mit_as client kinit alice >/dev/null 2>&1; then
        echo "account_locked: kinit with a wrong password succeeded" >&2
        exit 1
    fi
done
if echo Passw0rd-alice | mit_as client kinit alice >/dev/null 2>&1; then
    echo "account_locked: kinit for a locked principal succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "account_locked: MIT krb5 1.20, policy maxfailure 3; three kinit alice with a wrong" \
    "password (KDC_ERR_PREAUTH_FAILED each), then the right password: the first AS-REQ" \
    "gets KDC_ERR_CLIENT_REVOKED (e-text LOCKED_OUT, no e-data). The preceding failures" \
    "for alice make it a lock-out."
expect_preauth_required
fails=
errs=$(expect_errors 24)
for f in $errs; do
    expect_line "$f" wrong_password client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$(expect_request "$f")"
    fails=$fails,$f
done
[ "$(echo "$errs" | wc -w)" -eq 3 ]
errs=$(expect_errors 18)
for f in $errs; do
    expect_line "$f" account_locked client=alice spn=krbtgt/EXAMPLE.TEST "evidence=${fails#,},$(expect_request "$f")"
done
expect_check
