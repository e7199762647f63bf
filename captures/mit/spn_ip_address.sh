#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# spn_ip_address: the client addresses the service by IP address, so the SPN it asks
# for is host/10.88.0.30: no SPN is registered for an IP literal (services are
# registered under host names). The MIT KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN (7),
# twice (the MIT client retries without the canonicalize flag). The service itself is
# registered under its name. Proves spn_ip_address.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/spn_ip_address.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab spn_ip_address
mit_addprinc kdc host/svc.example.test -randkey
mit_lab_start

lab_capture_start "$PCAP" 'port 88'
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
if mit_as client kvno host/10.88.0.30 2>/dev/null; then
    echo "spn_ip_address: kvno of an IP-literal SPN succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "spn_ip_address: MIT krb5 1.20, kinit alice, then kvno host/10.88.0.30 (the service" \
    "host svc.example.test addressed by its IP): KDC_ERR_S_PRINCIPAL_UNKNOWN, twice."
expect_preauth_required
errs=$(expect_errors 7)
for f in $errs; do
    expect_line "$f" spn_ip_address client=alice spn=host/10.88.0.30 "evidence=$(expect_request "$f")"
done
expect_check
