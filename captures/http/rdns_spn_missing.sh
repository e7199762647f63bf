#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rdns_spn_missing: reverse DNS chose an SPN no account holds. MIT krb5 with its defaults
# (krb5.conf without rdns or dns_canonicalize_hostname lines: both true) canonicalises a
# host name through a forward and then a reverse (PTR) look-up. DNS (dnsmasq):
# www.example.test A 10.88.0.20; the PTR of 10.88.0.20 names web01.example.test, which
# has no principal in the KDC (only HTTP/www.example.test exists, in Apache's keytab).
# The user opens http://www.example.test/: the client asks the KDC for
# HTTP/web01.example.test and gets KDC_ERR_S_PRINCIPAL_UNKNOWN (the 401 stays bare).
# Look-alike in the same capture: the user opens http://web01.example.test/ (A 10.88.0.20,
# the same PTR): the client asks for the SPN of the name it was given, which is missing
# for no DNS reason: spn_missing, not rdns_spn.
# Proves rdns_spn on S_PRINCIPAL_UNKNOWN (evidence the TGS-REQ, the PTR answer and the A
# answer for the name the user gave) and spn_missing for the look-alike.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
NAME=rdns_spn_missing
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"

web_lab "$NAME"
mit_addprinc kdc HTTP/www.example.test -randkey
web_keytab HTTP/www.example.test
web_site www.example.test ADDR:www.example.test=10.88.0.20 ADDR:web01.example.test=10.88.0.20 \
    PTR:10.88.0.20=web01.example.test
# MIT's defaults: canonicalise through forward and reverse DNS.
sed -i '/rdns = false/d; /dns_canonicalize_hostname = false/d' "$LAB_DIR/client/krb5.conf"
lab_capture_start "$PCAP" "$WEB_BPF"
web_kinit
status=$(web_curl client http://www.example.test/)
status2=$(web_curl client http://web01.example.test/)
lab_capture_stop
[ "$status" = 401 ] && [ "$status2" = 401 ] || {
    echo "$NAME: expected HTTP 401 twice, got $status and $status2" >&2
    exit 1
}

expect_begin "$PCAP" \
    "$NAME: curl --negotiate (MIT krb5 1.20, krb5.conf defaults: rdns and" \
    "dns_canonicalize_hostname true) to http://www.example.test/, then to" \
    "http://web01.example.test/, on Apache 2.4 + mod_auth_gssapi 1.6 (keytab: HTTP/www only)." \
    "DNS: www and web01 A 10.88.0.20, PTR 10.88.0.20 -> web01.example.test. Both times the" \
    "client asks for HTTP/web01.example.test, which does not exist: KDC_ERR_S_PRINCIPAL_UNKNOWN."
expect_preauth_required
# The A answer for the name the user gave last before each request says which case it is.
for f in $(expect_frames 'kerberos.error_code == 7'); do
    req=$(expect_request "$f")
    ptr=$(expect_frames "dns.flags.response == 1 && dns.ptr.domain_name == \"web01.example.test\" && frame.number < $req" | tail -n 1)
    a=$(expect_frames "dns.flags.response == 1 && dns.qry.type == 1 && dns.a == 10.88.0.20 && frame.number < $req" | tail -n 1)
    given=$(expect_field "$a" dns.qry.name)
    [ -n "$ptr" ] && [ -n "$a" ] || { echo "$NAME: no PTR or A answer before frame $req" >&2; exit 1; }
    if [ "$given" = www.example.test ]; then
        expect_line "$f" rdns_spn error=KDC_ERR_S_PRINCIPAL_UNKNOWN client=alice spn=HTTP/web01.example.test \
            "evidence=$req,$ptr,$a"
    else
        expect_line "$f" spn_missing error=KDC_ERR_S_PRINCIPAL_UNKNOWN client=alice spn=HTTP/web01.example.test \
            "evidence=$req"
    fi
done
[ "$(grep -c ' rdns_spn ' "$EXPECT_FILE")" -ge 1 ]
[ "$(grep -c ' spn_missing ' "$EXPECT_FILE")" -ge 1 ]
expect_check
