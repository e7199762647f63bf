#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ntlm_no_kdc_contact: "why did this logon use NTLM?" with no Kerberos failure in sight.
# The site http://intranet.example.test/ is set up for Kerberos (HTTP/intranet.example.test
# registered, its key in the server's keytab) and offers Negotiate with krb5 and NTLMSSP
# (Apache 2.4 + mod_auth_gssapi, GssapiAllowedMech krb5 + ntlmssp, gss-ntlmssp 1.2). The
# client holds NTLM credentials (NTLM_USER_FILE) but no Kerberos ticket at all: nobody ran
# kinit, as with a local account or a client that never reached a domain controller. curl
# --negotiate (MIT krb5 1.20 + gss-ntlmssp): MIT's SPNEGO initiator finds no krb5
# credentials and sends a negTokenInit listing NTLMSSP only (NEGOTIATE), the 401 carries
# the CHALLENGE, the next GET the AUTHENTICATE (EXAMPLE\alice), 200. The capture holds
# no AS or TGS exchange at all. Proves ntlm_no_kdc_contact on the AUTHENTICATE, at
# "possible": the capture starts with the logon, so it cannot rule out that the client's
# Kerberos exchange happened before it began.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
PCAP=$CAPTURES/pcap/ntlm_no_kdc_contact.pcapng
SPN=HTTP/intranet.example.test
mkdir -p "$CAPTURES/pcap"

web_lab ntlm_no_kdc_contact
web_ntlmssp
mit_addprinc kdc "$SPN" -randkey
web_keytab "$SPN"
# NTLM accounts (Heimdal format DOMAIN:user:password), read by both sides.
echo "EXAMPLE:alice:Passw0rd-alice" > "$LAB_DIR/ntlm-users"
chmod 644 "$LAB_DIR/ntlm-users"
# shellcheck disable=SC2034 # read by web_apache_start
WEB_APACHE_ENV=(NTLM_USER_FILE="$LAB_DIR/ntlm-users" NETBIOS_COMPUTER_NAME=WWW NETBIOS_DOMAIN_NAME=EXAMPLE)
# shellcheck disable=SC2034 # read by web_curl
WEB_CURL_ENV=(NTLM_USER_FILE="$LAB_DIR/ntlm-users" NTLMUSER=alice NETBIOS_COMPUTER_NAME=CLIENT
    NETBIOS_DOMAIN_NAME=EXAMPLE)
web_site intranet.example.test A:intranet.example.test=10.88.0.20 -- \
    "GssapiAllowedMech krb5" "GssapiAllowedMech ntlmssp" "GssapiConnectionBound On" \
    "GssapiAcceptorName HTTP@intranet.example.test"
# No kinit: the client has no Kerberos credentials.
lab_capture_start "$PCAP" "$WEB_BPF"
status=$(web_curl client http://intranet.example.test/)
lab_capture_stop
[ "$status" = 200 ] || { echo "ntlm_no_kdc_contact: expected HTTP 200, got $status" >&2; exit 1; }

expect_begin "$PCAP" \
    "ntlm_no_kdc_contact: curl --negotiate (MIT krb5 1.20 + gss-ntlmssp 1.2) without any" \
    "Kerberos ticket to Apache 2.4 + mod_auth_gssapi 1.6 offering krb5 and NTLMSSP: SPNEGO" \
    "negTokenInit with NTLMSSP only (NEGOTIATE), CHALLENGE (401), AUTHENTICATE, 200; no AS or" \
    "TGS exchange in the capture."
if [ -n "$(expect_frames 'kerberos.msg_type')" ]; then
    echo "ntlm_no_kdc_contact: the capture holds a Kerberos message" >&2
    exit 1
fi
auth=$(expect_frame 'http.request && ntlmssp.messagetype == 0x00000003')
expect_line "$auth" ntlm_no_kdc_contact client=alice confidence=possible
expect_frame 'http.response.code == 200' >/dev/null
expect_check
