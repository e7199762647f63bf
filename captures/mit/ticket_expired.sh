#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ticket_expired: a TGT whose lifetime has ended is presented to the KDC. The TGT is
# made 20 minutes in the past (KDC and kinit both under faketime -20m, lifetime 5 min,
# renewable for 1 h), then the KDC is restarted on the real clock and the user runs
# kinit -R to renew it. (kvno does not do: the MIT client checks the TGT's end time
# itself and fails with "Ticket expired" without sending anything; kinit -R sends the
# TGS-REQ.) The KDC answers KRB_AP_ERR_TKT_EXPIRED (32): "kinit: Ticket expired while
# renewing credentials". Proves ticket_expired.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need faketime
PCAP=$CAPTURES/pcap/ticket_expired.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab ticket_expired
mit_kdc_start kdc faketime -f -20m
mit_client_conf client EXAMPLE.TEST 10.88.0.2
echo Passw0rd-alice | mit_as client faketime -f -20m kinit -l 5m -r 1h alice >/dev/null
# Back to the real clock: stop the faked KDC (krb5kdc's own pid; faketime forks).
kill "$(cat "$LAB_DIR/kdc-kdc/kdc.pid.krb5")"
for _ in $(seq 1 50); do
    lab_exec kdc ss -lun 2>/dev/null | grep -q ':88 ' || break
    sleep 0.1
done
mit_kdc_start kdc

lab_capture_start "$PCAP" 'port 88'
if mit_as client kinit -R >/dev/null 2>&1; then
    echo "ticket_expired: renewing an expired TGT succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "ticket_expired: MIT krb5 1.20, kinit -R with a TGT whose end time passed 15 minutes" \
    "ago (made under faketime -20m with a 5 min lifetime): the TGS-REQ gets" \
    "KRB_AP_ERR_TKT_EXPIRED (e-text PROCESS_TGS)."
errs=$(expect_errors 32)
for f in $errs; do
    expect_line "$f" ticket_expired client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$(expect_request "$f")"
done
expect_check
