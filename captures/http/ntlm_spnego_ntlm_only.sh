#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ntlm_spnego_ntlm_only: "why did this logon use NTLM?" when the client did talk to a KDC.
# The site http://intranet.example.test/ is set up for Kerberos (HTTP/intranet.example.test
# registered, its key in the server's keytab) and offers Negotiate with krb5 and NTLMSSP
# (Apache 2.4 + mod_auth_gssapi, GssapiAllowedMech krb5 + ntlmssp, gss-ntlmssp 1.2), as in
# ntlm_no_kdc_contact. The client host logs alice on first (kinit: AS exchange, her TGT in
# her ticket cache). The application then runs in a session whose KRB5CCNAME names another
# ticket cache, which holds nothing (as a service, a sudo shell or a second login session
# does), with NTLM credentials in NTLM_USER_FILE. curl --negotiate (MIT krb5 1.20 +
# gss-ntlmssp): MIT's SPNEGO initiator finds no krb5 credentials in that cache and sends a
# negTokenInit listing NTLMSSP only (NEGOTIATE), the 401 carries the CHALLENGE, the next
# GET the AUTHENTICATE (EXAMPLE\alice), 200. No TGS-REQ for the site: Kerberos was never
# tried for it. Proves ntlm_spnego_ntlm_only on the AUTHENTICATE (evidence: the client's
# first AS-REQ, which rules out ntlm_no_kdc_contact, and its NTLMSSP-only NEGOTIATE).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
PCAP=$CAPTURES/pcap/ntlm_spnego_ntlm_only.pcapng
SPN=HTTP/intranet.example.test
mkdir -p "$CAPTURES/pcap"

web_lab ntlm_spnego_ntlm_only
web_ntlmssp
mit_addprinc kdc "$SPN" -randkey
web_keytab "$SPN"
# NTLM accounts (Heimdal format DOMAIN:user:password), read by both sides.
echo "EXAMPLE:alice:Passw0rd-alice" > "$LAB_DIR/ntlm-users"
chmod 644 "$LAB_DIR/ntlm-users"
# shellcheck disable=SC2034 # read by web_apache_start
WEB_APACHE_ENV=(NTLM_USER_FILE="$LAB_DIR/ntlm-users" NETBIOS_COMPUTER_NAME=WWW NETBIOS_DOMAIN_NAME=EXAMPLE)
# The application's session: its own ticket cache (empty), NTLM credentials.
# shellcheck disable=SC2034 # read by web_curl
WEB_CURL_ENV=(KRB5CCNAME="FILE:$LAB_DIR/client/ccache-app" NTLM_USER_FILE="$LAB_DIR/ntlm-users" NTLMUSER=alice
    NETBIOS_COMPUTER_NAME=CLIENT NETBIOS_DOMAIN_NAME=EXAMPLE)
web_site intranet.example.test A:intranet.example.test=10.88.0.20 -- \
    "GssapiAllowedMech krb5" "GssapiAllowedMech ntlmssp" "GssapiConnectionBound On" \
    "GssapiAcceptorName HTTP@intranet.example.test"
lab_capture_start "$PCAP" "$WEB_BPF"
web_kinit
status=$(web_curl client http://intranet.example.test/)
lab_capture_stop
[ "$status" = 200 ] || { echo "ntlm_spnego_ntlm_only: expected HTTP 200, got $status" >&2; exit 1; }
# alice's TGT is in her cache; the application's cache stayed empty.
web_as client klist -s || { echo "ntlm_spnego_ntlm_only: kinit left no TGT" >&2; exit 1; }
if web_as client env KRB5CCNAME="FILE:$LAB_DIR/client/ccache-app" klist -s 2>/dev/null; then
    echo "ntlm_spnego_ntlm_only: the application's ticket cache holds tickets" >&2
    exit 1
fi

expect_begin "$PCAP" \
    "ntlm_spnego_ntlm_only: kinit alice (AS exchange, TGT in her cache), then curl --negotiate" \
    "(MIT krb5 1.20 + gss-ntlmssp 1.2) with KRB5CCNAME naming another, empty cache to Apache 2.4" \
    "+ mod_auth_gssapi 1.6 offering krb5 and NTLMSSP: SPNEGO negTokenInit with NTLMSSP only" \
    "(NEGOTIATE), CHALLENGE (401), AUTHENTICATE, 200; no TGS-REQ."
if [ -n "$(expect_frames 'kerberos.msg_type == 12')" ]; then
    echo "ntlm_spnego_ntlm_only: the client asked for a service ticket" >&2
    exit 1
fi
expect_preauth_required
asreq=$(expect_frame 'kerberos.msg_type == 10')
neg=$(expect_frame 'http.request && ntlmssp.messagetype == 0x00000001')
auth=$(expect_frame 'http.request && ntlmssp.messagetype == 0x00000003')
expect_line "$auth" ntlm_spnego_ntlm_only client=alice confidence=likely "evidence=$asreq,$neg"
expect_frame 'http.response.code == 200' >/dev/null
expect_check
