#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# http_spn_missing: a web site whose HTTP/ SPN was never registered. The name resolves
# (DNS A record in the capture, no CNAME) and Apache answers, but the realm has no
# HTTP/intranet.example.test. curl --negotiate (MIT krb5 1.20) asks the KDC and gets
# KDC_ERR_S_PRINCIPAL_UNKNOWN (MIT asks twice), sends the GET without a token, gets a
# bare "401 WWW-Authenticate: Negotiate", asks the KDC once more (two more errors) and
# gives up with 401. No fallback mechanism is offered (Kerberos only on both sides).
# Proves spn_missing for every KDC error; the 401 carries no KRB-ERROR.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
PCAP=$CAPTURES/pcap/http_spn_missing.pcapng
SPN=HTTP/intranet.example.test
mkdir -p "$CAPTURES/pcap"

web_lab http_spn_missing
# The server has a key, but for its host name only; nobody registered the site's SPN.
mit_addprinc kdc host/www.example.test -randkey
web_keytab host/www.example.test
web_site intranet.example.test A:www.example.test=10.88.0.20 A:intranet.example.test=10.88.0.20 -- \
    "GssapiAllowedMech krb5"
web_get "$PCAP" http://intranet.example.test/ 401

expect_begin "$PCAP" \
    "http_spn_missing: curl --negotiate (MIT krb5 1.20) to http://intranet.example.test/" \
    "(Apache 2.4 + mod_auth_gssapi 1.6); $SPN does not exist:" \
    "KDC_ERR_S_PRINCIPAL_UNKNOWN twice, GET without a token, bare 401 Negotiate, twice more."
expect_preauth_required
web_expect_spn_missing "$SPN"
expect_frame 'kerberos.error_code == 7 && kerberos.SNameString == "intranet.example.test"' >/dev/null
expect_frame 'http.response.code == 401' >/dev/null
expect_check
