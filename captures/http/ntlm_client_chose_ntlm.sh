#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ntlm_client_chose_ntlm: the site offers Negotiate and NTLM, the application picks NTLM.
# The site http://intranet.example.test/ is set up for Kerberos (HTTP/intranet.example.test
# registered, its key in the server's keytab): Apache 2.4 + mod_auth_gssapi 1.6 with
# GssapiAllowedMech krb5 + ntlmssp (gss-ntlmssp 1.2 through a private mech config,
# GssapiConnectionBound On), whose 401 offers "WWW-Authenticate: Negotiate" and
# "WWW-Authenticate: NTLM". alice has a TGT (kinit: AS exchange). The application is
# python3-requests-ntlm 1.1 (NTLM by python3-ntlm-auth 1.4), an HTTP library that speaks
# NTLM only: it asks without credentials, reads the 401, answers with "Authorization: NTLM"
# (NEGOTIATE), mod_auth_gssapi's raw NTLM answers "WWW-Authenticate: NTLM <CHALLENGE>"
# (NTLM alone: the chosen scheme's next token), then the AUTHENTICATE (EXAMPLE\alice), 200.
# No TGS-REQ. Proves ntlm_spnego_ntlm_only on the AUTHENTICATE ("Authorization: NTLM"
# although the server offered Negotiate; evidence: the 401 offering both and the client's
# AS-REQ), and that the CHALLENGE's "NTLM <token>" is not read as the server offering NTLM
# only (no ntlm_server_only).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
lab_need python3 python3-requests-ntlm
PCAP=$CAPTURES/pcap/ntlm_client_chose_ntlm.pcapng
SPN=HTTP/intranet.example.test
mkdir -p "$CAPTURES/pcap"

web_lab ntlm_client_chose_ntlm
web_ntlmssp
mit_addprinc kdc "$SPN" -randkey
web_keytab "$SPN"
# NTLM accounts (Heimdal format DOMAIN:user:password), read by the server.
echo "EXAMPLE:alice:Passw0rd-alice" > "$LAB_DIR/ntlm-users"
chmod 644 "$LAB_DIR/ntlm-users"
# shellcheck disable=SC2034 # read by web_apache_start
WEB_APACHE_ENV=(NTLM_USER_FILE="$LAB_DIR/ntlm-users" NETBIOS_COMPUTER_NAME=WWW NETBIOS_DOMAIN_NAME=EXAMPLE)
web_site intranet.example.test A:intranet.example.test=10.88.0.20 -- \
    "GssapiAllowedMech krb5" "GssapiAllowedMech ntlmssp" "GssapiConnectionBound On" \
    "GssapiAcceptorName HTTP@intranet.example.test"
# OpenSSL 3 keeps MD4 (the NT hash) in its legacy provider: the client loads it.
printf '%s\n' 'openssl_conf = openssl_init' '[openssl_init]' 'providers = provider_sect' '[provider_sect]' \
    'default = default_sect' 'legacy = legacy_sect' '[default_sect]' 'activate = 1' '[legacy_sect]' \
    'activate = 1' > "$LAB_DIR/openssl-legacy.cnf"
lab_capture_start "$PCAP" "$WEB_BPF"
web_kinit
# shellcheck disable=SC2016 # the program is Python
status=$(web_as client env NO_PROXY='*' OPENSSL_CONF="$LAB_DIR/openssl-legacy.cnf" /usr/bin/python3 -c '
import sys, requests, requests_ntlm
r = requests.get(sys.argv[1], auth=requests_ntlm.HttpNtlmAuth(sys.argv[2], sys.argv[3]))
print(r.status_code)' http://intranet.example.test/ 'EXAMPLE\alice' Passw0rd-alice)
lab_capture_stop
[ "$status" = 200 ] || { echo "ntlm_client_chose_ntlm: expected HTTP 200, got $status" >&2; exit 1; }

expect_begin "$PCAP" \
    "ntlm_client_chose_ntlm: kinit alice, then python3-requests-ntlm 1.1 (NTLM only) to Apache 2.4" \
    "+ mod_auth_gssapi 1.6 offering Negotiate and NTLM (krb5 + gss-ntlmssp 1.2): Authorization:" \
    "NTLM NEGOTIATE, 401 WWW-Authenticate: NTLM CHALLENGE, AUTHENTICATE, 200; no TGS-REQ."
if [ -n "$(expect_frames 'kerberos.msg_type == 12')" ]; then
    echo "ntlm_client_chose_ntlm: the client asked for a service ticket" >&2
    exit 1
fi
offer=$(expect_frame 'http.response.code == 401 && http.www_authenticate == "Negotiate"')
expect_frame 'http.response.code == 401 && http.www_authenticate contains "NTLM TlRM"' >/dev/null
expect_preauth_required
asreq=$(expect_frame 'kerberos.msg_type == 10')
auth=$(expect_frame 'http.request && ntlmssp.messagetype == 0x00000003')
expect_line "$auth" ntlm_spnego_ntlm_only client=alice confidence=likely "evidence=$offer,$asreq"
expect_frame 'http.response.code == 200' >/dev/null
expect_check
