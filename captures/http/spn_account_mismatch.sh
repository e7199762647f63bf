#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# spn_account_mismatch: the SPN is registered on one account while the web server
# decrypts tickets as another (seed 002, scenario 3: IIS kernel-mode authentication uses
# the machine account although HTTP/<site> sits on the app-pool service account, or the
# reverse with useAppPoolCredentials). MIT imitation: HTTP/www.example.test is its own
# principal (the "service account", with its own key); host/www.example.test is the
# machine's. Apache's keytab holds both keys, but mod_auth_gssapi is told to accept as
# the machine identity (GssapiAcceptorName host@www.example.test), just as kernel-mode
# auth insists on the machine account. The client gets a valid ticket for
# HTTP/www.example.test and the 401's Negotiate token wraps MIT's KRB-ERROR
# KRB_AP_ERR_NOT_US ("Request ticket server HTTP/www.example.test@EXAMPLE.TEST found in
# keytab but does not match server principal host/www.example.test@"). Windows would say
# KRB_AP_ERR_MODIFIED and put the accepting account's name into the error's sname; MIT's
# acceptor always copies the ticket's server name into the error (krb_error_data.server =
# ticket->server in accept_sec_context.c), so here the error's sname equals the requested
# SPN and the mismatch shows only in the error code (the service says "not for me") with
# no CNAME, no kvno change and no earlier success to explain it. Expected
# spn_account_mismatch.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 tshark util-linux
web_need
PCAP=$CAPTURES/pcap/spn_account_mismatch.pcapng
SPN=HTTP/www.example.test
mkdir -p "$CAPTURES/pcap"

lab_init spn_account_mismatch
lab_host kdc 10.88.0.2
lab_host dns 10.88.0.3
lab_host www 10.88.0.20
lab_host client 10.88.0.10
mit_realm EXAMPLE.TEST kdc 10.88.0.2
mit_addprinc kdc alice +requires_preauth
mit_addprinc kdc "$SPN" -randkey
mit_addprinc kdc host/www.example.test -randkey
mit_kadmin kdc "ktadd -k $LAB_DIR/http.keytab host/www.example.test"
mit_kadmin kdc "ktadd -k $LAB_DIR/http.keytab $SPN"
mit_kdc_start kdc
web_dns_start dns A:www.example.test=10.88.0.20
mit_client_conf www EXAMPLE.TEST 10.88.0.2
web_apache_start www 10.88.0.20 www.example.test "$LAB_DIR/http.keytab" \
    "GssapiAcceptorName host@www.example.test"
mit_client_conf client EXAMPLE.TEST 10.88.0.2
web_client_dns client 10.88.0.3

lab_capture_start "$PCAP" 'port 80 or port 88 or port 53'
echo Passw0rd-alice | web_as client kinit alice >/dev/null
status=$(web_curl client http://www.example.test/)
lab_capture_stop
if [ "$status" != 401 ]; then
    echo "spn_account_mismatch: expected HTTP 401, got $status" >&2
    exit 1
fi

expect_begin "$PCAP" \
    "spn_account_mismatch: curl --negotiate (MIT krb5 1.20) to Apache 2.4 +" \
    "mod_auth_gssapi 1.6 that accepts as host/www.example.test (GssapiAcceptorName) while" \
    "the client's ticket is for $SPN, a principal with its own key: 401 with MIT's" \
    "KRB_AP_ERR_NOT_US (error sname = the requested SPN; MIT never names the acceptor)."
expect_preauth_required
tgsreq=$(expect_frame "kerberos.msg_type == 12 && kerberos.SNameString == \"www.example.test\"")
for f in $(expect_frames 'http.response.code == 401 && kerberos.msg_type == 30'); do
    expect_line "$f" spn_account_mismatch client=alice "spn=$SPN" \
        "evidence=$(expect_request "$f"),$tgsreq"
done
expect_frame 'http.response.code == 401 && kerberos.error_code == 35' >/dev/null
expect_check
