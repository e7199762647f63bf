#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# clock_skew_kdc_behind: the KDC's clock runs 2 hours behind (krb5kdc under faketime);
# the client's clock is right. The client does not adopt the KDC's time
# (kdc_timesync = 0), so the KDC rejects the pre-authenticated AS-REQ with
# KRB_AP_ERR_SKEW (37). This time the error's stime is two hours behind the capture
# clock: the KDC is the one that is off. Proves clock_skew (the other side).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 krb5-kdc krb5-admin-server krb5-user tshark faketime
PCAP=$CAPTURES/pcap/clock_skew_kdc_behind.pcapng
mkdir -p "$CAPTURES/pcap"

lab_init clock_skew_kdc_behind
lab_host kdc 10.88.0.2
lab_host client 10.88.0.10
mit_realm EXAMPLE.TEST kdc 10.88.0.2
mit_addprinc kdc alice +requires_preauth
mit_kdc_start kdc faketime -f -2h
mit_client_conf client EXAMPLE.TEST 10.88.0.2 "kdc_timesync = 0"

lab_capture_start "$PCAP" 'port 88'
if echo Passw0rd-alice | mit_as client kinit alice >/dev/null 2>&1; then
    echo "clock_skew_kdc_behind: kinit succeeded despite the skew" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "clock_skew_kdc_behind: MIT krb5 1.20, the KDC's clock is 2 h behind (faketime), the" \
    "client's is right (kdc_timesync = 0): the pre-authenticated AS-REQ gets" \
    "KRB_AP_ERR_SKEW; the KDC's stime is 2 h behind the capture time."
expect_preauth_required
errs=$(expect_errors 37)
for f in $errs; do
    expect_line "$f" clock_skew client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$(expect_request "$f")"
done
expect_check
