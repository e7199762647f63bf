#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# unknown_client: kinit for a principal that does not exist in the realm (a typo in the
# user name, or the wrong realm). The MIT KDC answers the AS-REQ with
# KDC_ERR_C_PRINCIPAL_UNKNOWN (6). Proves unknown_client.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/unknown_client.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab unknown_client
mit_lab_start

lab_capture_start "$PCAP" 'port 88'
if echo Passw0rd-alice | mit_as client kinit alcie >/dev/null 2>&1; then
    echo "unknown_client: kinit for an unknown principal succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "unknown_client: MIT krb5 1.20, kinit alcie (typo; only alice exists): the AS-REQ" \
    "gets KDC_ERR_C_PRINCIPAL_UNKNOWN."
errs=$(expect_errors 6)
for f in $errs; do
    expect_line "$f" unknown_client client=alcie spn=krbtgt/EXAMPLE.TEST "evidence=$(expect_request "$f")"
done
expect_check
