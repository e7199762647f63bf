#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rdns_spn: the client builds the SPN from the name a reverse DNS (PTR) look-up gives for
# the server's address. MIT krb5 with its defaults (krb5.conf without rdns or
# dns_canonicalize_hostname lines: both true) canonicalises a host name through DNS: A
# look-up, then a PTR look-up of the address. DNS (dnsmasq): www.example.test A
# 10.88.0.20; the PTR of 10.88.0.20 names web01.example.test, another host name on the
# same address, whose SPN HTTP/web01.example.test exists in the KDC with another key.
# The site's identity is HTTP/www.example.test (Apache's keytab holds only that key). The
# user opens http://www.example.test/; the client asks the KDC for HTTP/web01.example.test
# and presents that ticket: 401 whose Negotiate token wraps MIT's KRB_AP_ERR_NOT_US.
# Proves rdns_spn: evidence the PTR answer, the A answer for the name the user gave, the
# TGS-REQ for the PTR's name, the HTTP request with Host: www.example.test.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
PCAP=$CAPTURES/pcap/rdns_spn.pcapng
mkdir -p "$CAPTURES/pcap"

web_lab rdns_spn
mit_addprinc kdc HTTP/www.example.test -randkey
mit_addprinc kdc HTTP/web01.example.test -randkey
web_keytab HTTP/www.example.test
web_site www.example.test ADDR:www.example.test=10.88.0.20 PTR:10.88.0.20=web01.example.test
# MIT's defaults: canonicalise through forward and reverse DNS.
sed -i '/rdns = false/d; /dns_canonicalize_hostname = false/d' "$LAB_DIR/client/krb5.conf"
web_get "$PCAP" http://www.example.test/ 401

expect_begin "$PCAP" \
    "rdns_spn: curl --negotiate (MIT krb5 1.20, krb5.conf defaults: rdns and" \
    "dns_canonicalize_hostname true) to http://www.example.test/ on Apache 2.4 +" \
    "mod_auth_gssapi 1.6. DNS: www A 10.88.0.20, PTR 10.88.0.20 -> web01.example.test." \
    "The client asks for HTTP/web01.example.test (exists, other key); Apache holds only" \
    "HTTP/www.example.test: 401 with MIT's KRB_AP_ERR_NOT_US in the Negotiate token."
expect_preauth_required
tgsreq=$(expect_frame 'kerberos.msg_type == 12 && kerberos.SNameString == "web01.example.test"')
ptr=$(expect_frames "dns.flags.response == 1 && dns.ptr.domain_name == \"web01.example.test\" && frame.number < $tgsreq" | tail -n 1)
expect_frame 'kerberos.msg_type == 12 && kerberos.SNameString == "www.example.test"' >/dev/null 2>&1 && {
    echo "rdns_spn: the client asked for the SPN of the name the user gave" >&2
    exit 1
}
web_expect_401 rdns_spn HTTP/web01.example.test "$ptr" "$tgsreq" confidence=confirmed
expect_check
