#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stale_key: the service's key changed in the KDC but not on the server (password
# reset of the service account, or a second ktadd/ktpass, while the web server keeps
# its old keytab). First curl --negotiate to http://www.example.test/ succeeds with a
# ticket at kvno 2; then the KDC's key for HTTP/www.example.test is replaced
# (cpw -randkey: kvno 3) and Apache keeps the kvno-2 keytab. After kdestroy/kinit the
# client's new ticket is at kvno 3 and mod_auth_gssapi answers 401 whose
# "WWW-Authenticate: Negotiate" token is a SPNEGO reject wrapping MIT's KRB-ERROR.
# MIT's acceptor reports KRB_AP_ERR_BADKEYVER (44) here ("Request ticket server
# HTTP/www.example.test@EXAMPLE.TEST kvno 3 not found in keytab"); Windows reports
# KRB_AP_ERR_MODIFIED for the same mistake. Proves stale_service_key: the same SPN was
# accepted earlier with another kvno (evidence: the old TGS-REP, the new TGS-REP, the
# failing request).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
PCAP=$CAPTURES/pcap/stale_key.pcapng
SPN=HTTP/www.example.test
mkdir -p "$CAPTURES/pcap"

web_lab stale_key
mit_addprinc kdc "$SPN" -randkey
web_keytab "$SPN"
web_www_site

lab_capture_start "$PCAP" "$WEB_BPF"
web_kinit
first=$(web_curl client http://www.example.test/)
# The service key changes in the KDC only; Apache keeps the old keytab.
mit_kadmin kdc "cpw -randkey $SPN"
web_as client kdestroy
web_kinit
second=$(web_curl client http://www.example.test/)
lab_capture_stop
if [ "$first" != 200 ] || [ "$second" != 401 ]; then
    echo "stale_key: expected 200 then 401, got $first then $second" >&2
    exit 1
fi

expect_begin "$PCAP" \
    "stale_key: curl --negotiate (MIT krb5 1.20) to Apache 2.4 + mod_auth_gssapi 1.6." \
    "First GET with a kvno-2 ticket for $SPN: 200. Then the KDC's key changes" \
    "(cpw -randkey, kvno 3) while Apache keeps the kvno-2 keytab: kinit again, GET with" \
    "the kvno-3 ticket, 401 whose Negotiate token wraps MIT's KRB_AP_ERR_BADKEYVER."
expect_preauth_required
tgsrep_old=$(expect_frame "kerberos.msg_type == 13 && kerberos.kvno == 2")
tgsrep_new=$(expect_frame "kerberos.msg_type == 13 && kerberos.kvno == 3")
expect_frame 'http.response.code == 200 && kerberos.msg_type == 15' >/dev/null
web_expect_401 stale_service_key "$SPN" "$tgsrep_new" "$tgsrep_old"
expect_frame 'http.response.code == 401 && kerberos.error_code == 44' >/dev/null
expect_check
