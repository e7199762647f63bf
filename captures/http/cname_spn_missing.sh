#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cname_spn_missing: the CNAME case of seed 002 scenario 2 when the canonical name has
# no SPN at all. DNS: alias.example.test CNAME web01.example.test, web01 A 10.88.0.20;
# the site's SPN is HTTP/alias.example.test (Apache holds its key) and nothing is
# registered for HTTP/web01.example.test. The client canonicalises through DNS (MIT
# dns_canonicalize_hostname = true; IE/SSPI do the same) and asks for
# HTTP/web01.example.test: KDC_ERR_S_PRINCIPAL_UNKNOWN (MIT asks twice), curl sends the
# GET without a token, gets a bare "401 Negotiate", and tries once more (two more
# errors). Proves cname_spn rather than plain spn_missing: the DNS answer just before
# the TGS-REQ shows that the requested host is the CNAME target of the name the client
# resolved, so the fix is the alias/SPN mismatch (register the canonical name's SPN on
# the site's account, stop canonicalising, or use an A record), not a missing service.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
PCAP=$CAPTURES/pcap/cname_spn_missing.pcapng
mkdir -p "$CAPTURES/pcap"

web_lab cname_spn_missing
# Nothing is registered for the canonical name HTTP/web01.example.test.
mit_addprinc kdc HTTP/alias.example.test -randkey
web_keytab HTTP/alias.example.test
web_cname_site
web_get "$PCAP" http://alias.example.test/ 401

expect_begin "$PCAP" \
    "cname_spn_missing: curl --negotiate (MIT krb5 1.20, dns_canonicalize_hostname = true)" \
    "to http://alias.example.test/ on Apache 2.4 + mod_auth_gssapi 1.6. DNS: alias CNAME" \
    "web01. The client asks for HTTP/web01.example.test, which does not exist:" \
    "KDC_ERR_S_PRINCIPAL_UNKNOWN (twice per attempt, two attempts around a bare 401)."
expect_preauth_required
for f in $(expect_frames 'kerberos.error_code == 7'); do
    req=$(expect_request "$f")
    # The A answer with the CNAME the Kerberos library used: the last one before the request.
    dns=$(expect_frames "dns.flags.response == 1 && dns.qry.type == 1 && dns.cname == \"web01.example.test\" && frame.number < $req" | tail -n 1)
    [ -n "$dns" ] || { echo "cname_spn_missing: no CNAME answer before frame $req" >&2; exit 1; }
    expect_line "$f" cname_spn client=alice spn=HTTP/web01.example.test "evidence=$req,$dns"
done
expect_frame 'kerberos.error_code == 7 && kerberos.SNameString == "web01.example.test"' >/dev/null
expect_frame 'http.response.code == 401' >/dev/null
expect_check
