#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kinit_success: the normal MIT exchange, nothing fails. kinit for a principal that
# requires pre-authentication (AS-REQ, KDC_ERR_PREAUTH_REQUIRED, AS-REQ with
# PA-ENC-TIMESTAMP, AS-REP), then kvno of an existing service (TGS-REQ, TGS-REP).
# Proves that the benign PREAUTH_REQUIRED leg is reported as info only
# (preauth_required) and that a successful exchange raises no warning.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/kinit_success.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab kinit_success
mit_addprinc kdc host/svc.example.test -randkey
mit_lab_start

lab_capture_start "$PCAP" 'port 88'
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
mit_as client kvno host/svc.example.test
lab_capture_stop

expect_begin "$PCAP" \
    "kinit_success: MIT krb5 1.20 client and KDC, kinit with pre-authentication, then" \
    "kvno host/svc.example.test. Everything succeeds: only the benign PREAUTH_REQUIRED."
expect_frame 'kerberos.msg_type == 13' >/dev/null   # the TGS-REP is there
expect_preauth_required
expect_check
