#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ntlm_server_only: "why did this logon use NTLM?" when the web site offers NTLM only.
# The site http://intranet.example.test/ is configured for NTLM alone, as an IIS site whose
# Windows Authentication lists the NTLM provider only: its 401 offers WWW-Authenticate: NTLM
# without Negotiate. Apache's mod_auth_gssapi cannot send that list (it always offers
# Negotiate), so the site is http/ntlm_only_server.py: a minimal HTTP server (this
# project's script, labelled as such) whose NTLM is done by a real implementation, MIT
# GSS-API with gss-ntlmssp 1.2 (private mech config, NTLM_USER_FILE). The client has
# Kerberos credentials (kinit alice: AS exchange, TGT). The client is python3-requests-ntlm
# 1.1 (NTLM by python3-ntlm-auth 1.4; gss-ntlmssp 1.2 refuses curl 7.88's NEGOTIATE, which
# lacks the version field: "Failed to decode data"): it asks without credentials, reads
# the 401 offering NTLM only, sends the NTLMSSP
# NEGOTIATE, gets the CHALLENGE (401 "WWW-Authenticate: NTLM <token>"), sends the
# AUTHENTICATE (EXAMPLE\alice), 200. No TGS-REQ. Proves ntlm_server_only on the
# AUTHENTICATE: a note (the service's design), confirmed by the 401.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
lab_need python3 python3-gssapi python3-requests-ntlm
PCAP=$CAPTURES/pcap/ntlm_server_only.pcapng
mkdir -p "$CAPTURES/pcap"

web_lab ntlm_server_only
web_ntlmssp
# NTLM accounts (Heimdal format DOMAIN:user:password), read by the server.
echo "EXAMPLE:alice:Passw0rd-alice" > "$LAB_DIR/ntlm-users"
chmod 644 "$LAB_DIR/ntlm-users"
mit_kdc_start kdc
web_dns_start dns A:intranet.example.test=10.88.0.20
mit_client_conf client EXAMPLE.TEST 10.88.0.2
web_client_dns client 10.88.0.3
lab_bg www "$LAB_DIR/ntlm-server.pid" env GSS_MECH_CONFIG="$WEB_GSS_MECH" NTLM_USER_FILE="$LAB_DIR/ntlm-users" \
    NETBIOS_COMPUTER_NAME=WWW NETBIOS_DOMAIN_NAME=EXAMPLE \
    /usr/bin/python3 "$CAPTURES/http/ntlm_only_server.py" 10.88.0.20 80 HTTP@intranet.example.test \
    2> "$LAB_DIR/ntlm-server.log"
for _ in $(seq 1 50); do
    lab_exec www ss -ltn 2>/dev/null | grep -q '10.88.0.20:80 ' && break
    sleep 0.1
done
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
[ "$status" = 200 ] || { echo "ntlm_server_only: expected HTTP 200, got $status" >&2; exit 1; }

expect_begin "$PCAP" \
    "ntlm_server_only: kinit alice, then python3-requests-ntlm 1.1 to a site offering" \
    "WWW-Authenticate: NTLM alone (http/ntlm_only_server.py: the HTTP framing is this project's" \
    "script, the NTLM is MIT GSS-API + gss-ntlmssp 1.2): NEGOTIATE, CHALLENGE (401)," \
    "AUTHENTICATE, 200; no TGS-REQ."
if [ -n "$(expect_frames 'kerberos.msg_type == 12')" ]; then
    echo "ntlm_server_only: the client asked for a service ticket" >&2
    exit 1
fi
offer=$(expect_frame 'http.response.code == 401 && http.www_authenticate == "NTLM"')
if [ -n "$(expect_frames 'http.www_authenticate contains "Negotiate"')" ]; then
    echo "ntlm_server_only: the server offered Negotiate" >&2
    exit 1
fi
expect_preauth_required
auth=$(expect_frame 'http.request && ntlmssp.messagetype == 0x00000003')
expect_line "$auth" ntlm_server_only client=alice confidence=confirmed "evidence=$offer"
expect_frame 'http.response.code == 200' >/dev/null
expect_check
