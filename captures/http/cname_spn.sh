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
web_need
PCAP=$CAPTURES/pcap/cname_spn.pcapng
mkdir -p "$CAPTURES/pcap"

web_lab cname_spn
mit_addprinc kdc HTTP/alias.example.test -randkey
# The canonical name's SPN exists, but with another key that the site does not hold.
mit_addprinc kdc HTTP/web01.example.test -randkey
web_keytab HTTP/alias.example.test
web_cname_site
web_get "$PCAP" http://alias.example.test/ 401

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
web_expect_401 cname_spn HTTP/web01.example.test "$dns" "$tgsreq"
expect_frame 'http.response.code == 401 && kerberos.msg_type == 30' >/dev/null
expect_check
