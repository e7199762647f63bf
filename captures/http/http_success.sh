#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# http_success: the baseline for the HTTP group. A browser-like client (curl
# --negotiate, MIT krb5 1.20) opens http://www.example.test/ on Apache 2.4 with
# mod_auth_gssapi; the name resolves through a DNS server in the capture (dnsmasq), the
# client gets a ticket for HTTP/www.example.test and sends it in
# "Authorization: Negotiate"; the server's keytab holds the current key, so the answer is
# 200 with the AP-REP in "WWW-Authenticate: Negotiate". Nothing failed: the only
# KRB-ERROR is the benign PREAUTH_REQUIRED of kinit. A look-alike for every HTTP failure
# scenario in this group.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 tshark util-linux
web_need
PCAP=$CAPTURES/pcap/http_success.pcapng
mkdir -p "$CAPTURES/pcap"

lab_init http_success
lab_host kdc 10.88.0.2
lab_host dns 10.88.0.3
lab_host www 10.88.0.20
lab_host client 10.88.0.10
mit_realm EXAMPLE.TEST kdc 10.88.0.2
mit_addprinc kdc alice +requires_preauth
mit_addprinc kdc HTTP/www.example.test -randkey
mit_kadmin kdc "ktadd -k $LAB_DIR/http.keytab HTTP/www.example.test"
mit_kdc_start kdc
web_dns_start dns A:www.example.test=10.88.0.20
mit_client_conf www EXAMPLE.TEST 10.88.0.2
web_apache_start www 10.88.0.20 www.example.test "$LAB_DIR/http.keytab"
mit_client_conf client EXAMPLE.TEST 10.88.0.2
web_client_dns client 10.88.0.3

lab_capture_start "$PCAP" 'port 80 or port 88 or port 53'
echo Passw0rd-alice | web_as client kinit alice >/dev/null
status=$(web_curl client http://www.example.test/)
lab_capture_stop
if [ "$status" != 200 ]; then
    echo "http_success: expected HTTP 200, got $status" >&2
    exit 1
fi

expect_begin "$PCAP" \
    "http_success: curl --negotiate (MIT krb5 1.20) to Apache 2.4 + mod_auth_gssapi 1.6," \
    "DNS through dnsmasq: TGS-REQ/REP for HTTP/www.example.test, GET with the AP-REQ," \
    "200 with the AP-REP. Success: only the benign PREAUTH_REQUIRED of kinit."
expect_preauth_required
# The exchange really happened: an AP-REQ in HTTP and an AP-REP in the 200.
expect_frame 'http.request && kerberos.msg_type == 14' >/dev/null
expect_frame 'http.response.code == 200 && kerberos.msg_type == 15' >/dev/null
expect_check
