#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ntlm_fallback: Negotiate silently ends in NTLM because Kerberos failed first. The web
# site http://intranet.example.test/ runs with a key for HTTP/intranet.example.test,
# but that SPN was never registered in the realm. Client and server both offer Kerberos
# and NTLMSSP in SPNEGO (MIT krb5 1.20 with gss-ntlmssp; Apache 2.4 + mod_auth_gssapi
# with GssapiAllowedMech krb5 + ntlmssp, GssapiConnectionBound On). curl --negotiate
# asks the KDC for HTTP/intranet.example.test: KDC_ERR_S_PRINCIPAL_UNKNOWN (MIT asks
# twice); MIT's SPNEGO initiator then drops Kerberos and sends a negTokenInit with
# NTLMSSP only (NEGOTIATE), the 401 carries the CHALLENGE, the next GET the AUTHENTICATE
# (EXAMPLE\alice), and the server answers 200: the user gets in, but over NTLM. Proves
# spn_missing on each KDC error and ntlm_fallback on the AUTHENTICATE (evidence: the
# KRB-ERROR just before the NTLMSSP NEGOTIATE, and the NEGOTIATE).
# gss-ntlmssp is used from a private mech config (web_ntlmssp), never through
# /etc/gss/mech.d. Notes on gss-ntlmssp 1.2.0: with a cred store and no acceptor name it
# hands mod_auth_gssapi a non-server credential ("Not a server credential type"), so
# GssapiAcceptorName is set; without GssapiConnectionBound the NTLM exchange cannot work.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
PCAP=$CAPTURES/pcap/ntlm_fallback.pcapng
SPN=HTTP/intranet.example.test
mkdir -p "$CAPTURES/pcap"

web_lab ntlm_fallback
web_ntlmssp
# NTLM accounts (Heimdal format DOMAIN:user:password), read by both sides.
echo "EXAMPLE:alice:Passw0rd-alice" > "$LAB_DIR/ntlm-users"
chmod 644 "$LAB_DIR/ntlm-users"
# The server's keytab holds a key for the site's SPN, which the KDC does not know.
printf 'addent -password -p %s@EXAMPLE.TEST -k 1 -e aes256-cts-hmac-sha1-96\nNever-registered-1\nwkt %s\n' \
    "$SPN" "$WEB_KEYTAB" | ktutil >/dev/null
# shellcheck disable=SC2034 # read by web_apache_start
WEB_APACHE_ENV=(NTLM_USER_FILE="$LAB_DIR/ntlm-users" NETBIOS_COMPUTER_NAME=WWW NETBIOS_DOMAIN_NAME=EXAMPLE)
# shellcheck disable=SC2034 # read by web_curl
WEB_CURL_ENV=(NTLM_USER_FILE="$LAB_DIR/ntlm-users" NTLMUSER=alice NETBIOS_COMPUTER_NAME=CLIENT
    NETBIOS_DOMAIN_NAME=EXAMPLE)
web_site intranet.example.test A:intranet.example.test=10.88.0.20 -- \
    "GssapiAllowedMech krb5" "GssapiAllowedMech ntlmssp" "GssapiConnectionBound On" \
    "GssapiAcceptorName HTTP@intranet.example.test"
# 200: after the KDC errors, SPNEGO falls back to NTLMSSP.
web_get "$PCAP" http://intranet.example.test/ 200

expect_begin "$PCAP" \
    "ntlm_fallback: curl --negotiate (MIT krb5 1.20 + gss-ntlmssp 1.2) to Apache 2.4 +" \
    "mod_auth_gssapi 1.6 offering krb5 and NTLMSSP. $SPN is not registered:" \
    "KDC_ERR_S_PRINCIPAL_UNKNOWN twice, then SPNEGO carries NTLMSSP NEGOTIATE, CHALLENGE" \
    "(401), AUTHENTICATE, 200. The fallback shows on the AUTHENTICATE (the account alice" \
    "is visible there); DNS and the HTTP Host show the NTLM target is the SPN's host."
expect_preauth_required
web_expect_spn_missing "$SPN"
neg=$(expect_frame 'http.request && ntlmssp.messagetype == 0x00000001')
auth=$(expect_frame 'http.request && ntlmssp.messagetype == 0x00000003')
krberr=$(expect_frames "kerberos.error_code == 7 && frame.number < $neg" | tail -n 1)
[ -n "$krberr" ] || { echo "ntlm_fallback: no KRB-ERROR before the NTLMSSP request" >&2; exit 1; }
expect_line "$auth" ntlm_fallback client=alice "spn=$SPN" "evidence=$krberr,$neg" confidence=confirmed
expect_frame 'http.response.code == 200' >/dev/null
expect_check
