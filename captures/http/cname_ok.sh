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
web_need
PCAP=$CAPTURES/pcap/cname_ok.pcapng
mkdir -p "$CAPTURES/pcap"

web_lab cname_ok
mit_addprinc kdc HTTP/alias.example.test -randkey
mit_addprinc kdc HTTP/web01.example.test -randkey
# The site holds the keys of both names.
web_keytab HTTP/alias.example.test HTTP/web01.example.test
web_cname_site
web_get "$PCAP" http://alias.example.test/ 200

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
