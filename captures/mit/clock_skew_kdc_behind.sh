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
mit_need faketime
PCAP=$CAPTURES/pcap/clock_skew_kdc_behind.pcapng
mkdir -p "$CAPTURES/pcap"

mit_clock_skew_lab clock_skew_kdc_behind "$PCAP" kdc -2h

expect_begin "$PCAP" \
    "clock_skew_kdc_behind: MIT krb5 1.20, the KDC's clock is 2 h behind (faketime), the" \
    "client's is right (kdc_timesync = 0): the pre-authenticated AS-REQ gets" \
    "KRB_AP_ERR_SKEW; the KDC's stime is 2 h behind the capture time."
expect_preauth_required
mit_expect_errors 37 clock_skew
expect_check
