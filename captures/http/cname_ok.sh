#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cname_ok: the benign look-alike of cname_spn. Same DNS (alias.example.test CNAME
# web01.example.test) and the same canonicalising client (MIT dns_canonicalize_hostname
# = true), so the client again asks for HTTP/web01.example.test while the URL and the
# Host header say alias.example.test; but here the server holds the keys of both
# HTTP/alias.example.test and HTTP/web01.example.test (the canonical name's SPN is
# registered for the site, as seed 002 recommends), so the GET gets 200 with the AP-REP.
# A CNAME in front of a web site is normal: no finding beyond kinit's PREAUTH_REQUIRED.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 tshark util-linux
web_need
PCAP=$CAPTURES/pcap/cname_ok.pcapng
mkdir -p "$CAPTURES/pcap"

lab_init cname_ok
lab_host kdc 10.88.0.2
lab_host dns 10.88.0.3
lab_host www 10.88.0.20
lab_host client 10.88.0.10
mit_realm EXAMPLE.TEST kdc 10.88.0.2
mit_addprinc kdc alice +requires_preauth
mit_addprinc kdc HTTP/alias.example.test -randkey
mit_addprinc kdc HTTP/web01.example.test -randkey
mit_kadmin kdc "ktadd -k $LAB_DIR/http.keytab HTTP/alias.example.test"
mit_kadmin kdc "ktadd -k $LAB_DIR/http.keytab HTTP/web01.example.test"
mit_kdc_start kdc
web_dns_start dns A:web01.example.test=10.88.0.20 CNAME:alias.example.test=web01.example.test
mit_client_conf www EXAMPLE.TEST 10.88.0.2
web_apache_start www 10.88.0.20 alias.example.test "$LAB_DIR/http.keytab"
mit_client_conf client EXAMPLE.TEST 10.88.0.2
# Canonicalise host names through forward DNS only (no reverse lookup).
sed -i 's/dns_canonicalize_hostname = false/dns_canonicalize_hostname = true/' "$LAB_DIR/client/krb5.conf"
web_client_dns client 10.88.0.3

lab_capture_start "$PCAP" 'port 80 or port 88 or port 53'
echo Passw0rd-alice | web_as client kinit alice >/dev/null
status=$(web_curl client http://alias.example.test/)
lab_capture_stop
if [ "$status" != 200 ]; then
    echo "cname_ok: expected HTTP 200, got $status" >&2
    exit 1
fi

expect_begin "$PCAP" \
    "cname_ok: curl --negotiate (MIT krb5 1.20, dns_canonicalize_hostname = true) to" \
    "http://alias.example.test/ on Apache 2.4 + mod_auth_gssapi 1.6. DNS: alias CNAME web01." \
    "The client asks for HTTP/web01.example.test and the server holds that key too: 200" \
    "with the AP-REP. Success: only the benign PREAUTH_REQUIRED of kinit."
expect_preauth_required
expect_frame 'dns.flags.response == 1 && dns.cname == "web01.example.test"' >/dev/null
expect_frame 'kerberos.msg_type == 12 && kerberos.SNameString == "web01.example.test"' >/dev/null
expect_frame 'http.response.code == 200 && kerberos.msg_type == 15' >/dev/null
expect_check
