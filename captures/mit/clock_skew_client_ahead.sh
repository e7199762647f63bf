#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# clock_skew_client_ahead: the client's clock runs 2 hours ahead (faketime) and it does
# not adopt the KDC's time (kdc_timesync = 0; MIT clients otherwise correct the offset
# silently). The KDC rejects the pre-authenticated AS-REQ (PA-ENC-TIMESTAMP two hours
# in the future) with KRB_AP_ERR_SKEW (37). The error's stime agrees with the capture
# clock, so it is the client that is off. Proves clock_skew.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 krb5-kdc krb5-admin-server krb5-user tshark faketime
PCAP=$CAPTURES/pcap/clock_skew_client_ahead.pcapng
mkdir -p "$CAPTURES/pcap"

lab_init clock_skew_client_ahead
lab_host kdc 10.88.0.2
lab_host client 10.88.0.10
mit_realm EXAMPLE.TEST kdc 10.88.0.2
mit_addprinc kdc alice +requires_preauth
mit_kdc_start kdc
mit_client_conf client EXAMPLE.TEST 10.88.0.2 "kdc_timesync = 0"

lab_capture_start "$PCAP" 'port 88'
if echo Passw0rd-alice | mit_as client faketime -f +2h kinit alice >/dev/null 2>&1; then
    echo "clock_skew_client_ahead: kinit succeeded despite the skew" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "clock_skew_client_ahead: MIT krb5 1.20, the client's clock is 2 h ahead (faketime," \
    "kdc_timesync = 0): the pre-authenticated AS-REQ gets KRB_AP_ERR_SKEW; the KDC's" \
    "stime matches the capture time, so the client clock is the one that is off."
expect_preauth_required
errs=$(expect_errors 37)
for f in $errs; do
    expect_line "$f" clock_skew client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$(expect_request "$f")"
done
expect_check
