#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ntlm_ip_target_http: "why did this logon use NTLM?" when the client named the web site
# by its IP address. The site is set up for Kerberos under its name (HTTP/intranet.example.test
# registered, its key in the server's keytab) and offers Negotiate with krb5 and NTLMSSP
# (Apache 2.4 + mod_auth_gssapi 1.6, gss-ntlmssp 1.2), as in ntlm_no_kdc_contact. alice has
# a TGT (kinit: AS exchange). The client fetches http://10.88.0.20/ with Negotiate done by
# Samba 4.17's gensec (http/gensec_http_get.py: the HTTP framing is this project's script,
# every SPNEGO and NTLMSSP token is gensec's), which, like Windows, asks for no ticket for a
# target named by an address: its negTokenInit lists NTLMSSP only (NEGOTIATE), the 401
# carries the CHALLENGE, the next GET the AUTHENTICATE (EXAMPLE\alice), 200. No TGS-REQ.
# (The same client fetching http://intranet.example.test/ gets a ticket and logs on with
# Kerberos: only the address made it leave Kerberos out.) Proves ntlm_ip_target on the
# AUTHENTICATE (Host: 10.88.0.20; evidence: the 401 offering Negotiate and the NEGOTIATE).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
lab_need python3 python3-samba
PCAP=$CAPTURES/pcap/ntlm_ip_target_http.pcapng
SPN=HTTP/intranet.example.test
mkdir -p "$CAPTURES/pcap"

web_lab ntlm_ip_target_http
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
# The client's Samba configuration: its own smb.conf, nothing under /etc/samba.
mkdir -p "$LAB_DIR/client/samba"
printf '%s\n' '[global]' '    workgroup = EXAMPLE' '    realm = EXAMPLE.TEST' '    netbios name = CLIENT' \
    "    private dir = $LAB_DIR/client/samba" "    lock dir = $LAB_DIR/client/samba" \
    "    state directory = $LAB_DIR/client/samba" "    cache directory = $LAB_DIR/client/samba" \
    '    client use kerberos = desired' > "$LAB_DIR/client/smb.conf"
lab_capture_start "$PCAP" "$WEB_BPF"
web_kinit
status=$(web_as client /usr/bin/python3 "$CAPTURES/http/gensec_http_get.py" "$LAB_DIR/client/smb.conf" 10.88.0.20 / \
    EXAMPLE alice Passw0rd-alice)
lab_capture_stop
[ "$status" = 200 ] || { echo "ntlm_ip_target_http: expected HTTP 200, got $status" >&2; exit 1; }

expect_begin "$PCAP" \
    "ntlm_ip_target_http: kinit alice, then a GET of http://10.88.0.20/ with Negotiate by Samba 4.17's" \
    "gensec (http/gensec_http_get.py: HTTP framing by this project's script) to Apache 2.4 +" \
    "mod_auth_gssapi 1.6 offering krb5 and NTLMSSP: negTokenInit with NTLMSSP only (NEGOTIATE)," \
    "CHALLENGE (401), AUTHENTICATE, 200; no TGS-REQ."
if [ -n "$(expect_frames 'kerberos.msg_type == 12')" ]; then
    echo "ntlm_ip_target_http: the client asked for a service ticket" >&2
    exit 1
fi
expect_preauth_required
offer=$(expect_frame 'http.response.code == 401 && http.www_authenticate == "Negotiate"')
neg=$(expect_frame 'http.request && http.host == "10.88.0.20" && ntlmssp.messagetype == 0x00000001')
auth=$(expect_frame 'http.request && http.host == "10.88.0.20" && ntlmssp.messagetype == 0x00000003')
expect_line "$auth" ntlm_ip_target client=alice confidence=likely "evidence=$offer,$neg"
expect_frame 'http.response.code == 200' >/dev/null
expect_check
