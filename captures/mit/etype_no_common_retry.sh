#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# etype_no_common_retry: the look-alike of etype_no_common that does no harm to the
# user. On one host, a program with its own krb5.conf that permits only
# aes256-cts-hmac-sha384-192 asks for alice's TGT and gets KDC_ERR_ETYPE_NOSUPP (14);
# right after, kinit with the host's default configuration (a common enctype) succeeds
# (PREAUTH_REQUIRED, AS-REQ, AS-REP).
# Expected cause of the error: still etype_no_common. The retry succeeding does not
# change why that request failed (its etype list shared nothing with the account's
# keys, which the later ETYPE-INFO2 confirms); it shows the restriction is in one
# client configuration, not in the account. There is no benign cause for error 14,
# unlike PREAUTH_REQUIRED or RESPONSE_TOO_BIG, which are protocol steps.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/etype_no_common_retry.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab etype_no_common_retry
mit_lab_start
mkdir -p "$LAB_DIR/app"
sed 's/^\[libdefaults\]$/&\n    permitted_enctypes = aes256-cts-hmac-sha384-192/' "$LAB_DIR/client/krb5.conf" > "$LAB_DIR/app/krb5.conf"

lab_capture_start "$PCAP" 'port 88'
if echo Passw0rd-alice | mit_as client env KRB5_CONFIG="$LAB_DIR/app/krb5.conf" kinit alice >/dev/null 2>&1; then
    echo "etype_no_common_retry: kinit with no common enctype succeeded" >&2
    exit 1
fi
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
lab_capture_stop

expect_begin "$PCAP" \
    "etype_no_common_retry: MIT krb5 1.20, one host: kinit alice with a krb5.conf that" \
    "permits only aes256-cts-hmac-sha384-192 gets KDC_ERR_ETYPE_NOSUPP; kinit alice with" \
    "the default configuration then succeeds. The error's cause is still etype_no_common," \
    "marked recovered with the AS-REP as evidence."
expect_preauth_required
ok=$(expect_frame 'kerberos.msg_type == 11')   # the retry got its AS-REP
errs=$(expect_errors 14)
for f in $errs; do
    expect_line "$f" etype_no_common client=alice spn=krbtgt/EXAMPLE.TEST recovered=yes \
        "evidence=$(expect_request "$f"),$ok"
done
expect_check
