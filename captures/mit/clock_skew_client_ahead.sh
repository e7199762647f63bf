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
mit_need faketime
PCAP=$CAPTURES/pcap/clock_skew_client_ahead.pcapng
mkdir -p "$CAPTURES/pcap"

mit_clock_skew_lab clock_skew_client_ahead "$PCAP" client +2h

expect_begin "$PCAP" \
    "clock_skew_client_ahead: MIT krb5 1.20, the client's clock is 2 h ahead (faketime," \
    "kdc_timesync = 0): the pre-authenticated AS-REQ gets KRB_AP_ERR_SKEW; the KDC's" \
    "stime matches the capture time, so the client clock is the one that is off."
expect_preauth_required
mit_expect_errors 37 clock_skew
expect_check
