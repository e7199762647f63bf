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
lab_need iproute2 tshark util-linux
web_need
PCAP=$CAPTURES/pcap/http_spn_missing.pcapng
SPN=HTTP/intranet.example.test
mkdir -p "$CAPTURES/pcap"

lab_init http_spn_missing
lab_host kdc 10.88.0.2
lab_host dns 10.88.0.3
lab_host www 10.88.0.20
lab_host client 10.88.0.10
mit_realm EXAMPLE.TEST kdc 10.88.0.2
mit_addprinc kdc alice +requires_preauth
# The server has a key, but for its host name only; nobody registered the site's SPN.
mit_addprinc kdc host/www.example.test -randkey
mit_kadmin kdc "ktadd -k $LAB_DIR/http.keytab host/www.example.test"
mit_kdc_start kdc
web_dns_start dns A:www.example.test=10.88.0.20 A:intranet.example.test=10.88.0.20
mit_client_conf www EXAMPLE.TEST 10.88.0.2
web_apache_start www 10.88.0.20 intranet.example.test "$LAB_DIR/http.keytab" \
    "GssapiAllowedMech krb5"
mit_client_conf client EXAMPLE.TEST 10.88.0.2
web_client_dns client 10.88.0.3

lab_capture_start "$PCAP" 'port 80 or port 88 or port 53'
echo Passw0rd-alice | web_as client kinit alice >/dev/null
status=$(web_curl client http://intranet.example.test/)
lab_capture_stop
if [ "$status" != 401 ]; then
    echo "http_spn_missing: expected HTTP 401, got $status" >&2
    exit 1
fi

expect_begin "$PCAP" \
    "http_spn_missing: curl --negotiate (MIT krb5 1.20) to http://intranet.example.test/" \
    "(Apache 2.4 + mod_auth_gssapi 1.6); $SPN does not exist:" \
    "KDC_ERR_S_PRINCIPAL_UNKNOWN twice, GET without a token, bare 401 Negotiate, twice more."
expect_preauth_required
for f in $(expect_frames 'kerberos.error_code == 7'); do
    expect_line "$f" spn_missing client=alice "spn=$SPN" "evidence=$(expect_request "$f")"
done
expect_frame 'kerberos.error_code == 7 && kerberos.SNameString == "intranet.example.test"' >/dev/null
expect_frame 'http.response.code == 401' >/dev/null
expect_check
