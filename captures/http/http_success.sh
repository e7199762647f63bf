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
web_need
PCAP=$CAPTURES/pcap/http_success.pcapng
mkdir -p "$CAPTURES/pcap"

web_lab http_success
web_www_spn
web_www_site
web_get "$PCAP" http://www.example.test/ 200

expect_begin "$PCAP" \
    "http_success: curl --negotiate (MIT krb5 1.20) to Apache 2.4 + mod_auth_gssapi 1.6," \
    "DNS through dnsmasq: TGS-REQ/REP for HTTP/www.example.test, GET with the AP-REQ," \
    "200 with the AP-REP. Success: only the benign PREAUTH_REQUIRED of kinit."
expect_preauth_required
# The exchange really happened: an AP-REQ in HTTP and an AP-REP in the 200.
expect_frame 'http.request && kerberos.msg_type == 14' >/dev/null
expect_frame 'http.response.code == 200 && kerberos.msg_type == 15' >/dev/null
expect_check
