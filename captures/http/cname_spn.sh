#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cname_spn: the web site is reached through a DNS alias, and the client builds the SPN
# from the canonical name (seed 002, scenario 2: IE and Windows SSPI do this; MIT does it
# with dns_canonicalize_hostname = true). DNS: alias.example.test CNAME
# web01.example.test, web01 A 10.88.0.20. The site's identity is HTTP/alias.example.test
# (Apache's keytab holds only that key); HTTP/web01.example.test also exists in the KDC
# but belongs to another principal with another key (the host's own service). The user
# opens http://alias.example.test/; curl's GSS name HTTP@alias.example.test is
# canonicalised through DNS, the client asks the KDC for HTTP/web01.example.test and gets
# a ticket the server cannot decrypt: 401 whose Negotiate token wraps MIT's KRB-ERROR
# (KRB_AP_ERR_NOT_US: "Request ticket server HTTP/web01.example.test@EXAMPLE.TEST not
# found in keytab"; Windows says KRB_AP_ERR_MODIFIED). Proves cname_spn: evidence the DNS
# answer with the CNAME, the TGS-REQ for the canonical name, the HTTP request with
# Host: alias.example.test that carries the ticket.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 tshark util-linux
web_need
PCAP=$CAPTURES/pcap/cname_spn.pcapng
mkdir -p "$CAPTURES/pcap"

lab_init cname_spn
lab_host kdc 10.88.0.2
lab_host dns 10.88.0.3
lab_host www 10.88.0.20
lab_host client 10.88.0.10
mit_realm EXAMPLE.TEST kdc 10.88.0.2
mit_addprinc kdc alice +requires_preauth
mit_addprinc kdc HTTP/alias.example.test -randkey
mit_addprinc kdc HTTP/web01.example.test -randkey
mit_kadmin kdc "ktadd -k $LAB_DIR/http.keytab HTTP/alias.example.test"
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
if [ "$status" != 401 ]; then
    echo "cname_spn: expected HTTP 401, got $status" >&2
    exit 1
fi

expect_begin "$PCAP" \
    "cname_spn: curl --negotiate (MIT krb5 1.20, dns_canonicalize_hostname = true) to" \
    "http://alias.example.test/ on Apache 2.4 + mod_auth_gssapi 1.6. DNS: alias CNAME web01." \
    "The client asks for HTTP/web01.example.test (exists, other key); Apache holds only" \
    "HTTP/alias.example.test: 401 with MIT's KRB_AP_ERR_NOT_US in the Negotiate token."
expect_preauth_required
tgsreq=$(expect_frame 'kerberos.msg_type == 12 && kerberos.SNameString == "web01.example.test"')
# The A answer with the CNAME that the Kerberos library used to canonicalise the name:
# the last one before the TGS-REQ (curl resolved the same name just before).
dns=$(expect_frames "dns.flags.response == 1 && dns.qry.type == 1 && dns.cname == \"web01.example.test\" && frame.number < $tgsreq" | tail -n 1)
expect_frame 'kerberos.msg_type == 12 && kerberos.SNameString == "alias.example.test"' >/dev/null 2>&1 && {
    echo "cname_spn: the client asked for the alias's SPN" >&2
    exit 1
}
for f in $(expect_frames 'http.response.code == 401 && kerberos.msg_type == 30'); do
    expect_line "$f" cname_spn client=alice spn=HTTP/web01.example.test \
        "evidence=$(expect_request "$f"),$dns,$tgsreq"
done
expect_frame 'http.response.code == 401 && kerberos.msg_type == 30' >/dev/null
expect_check
