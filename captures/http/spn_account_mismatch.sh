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
web_need
PCAP=$CAPTURES/pcap/spn_account_mismatch.pcapng
SPN=HTTP/www.example.test
mkdir -p "$CAPTURES/pcap"

web_acceptor_mismatch_lab spn_account_mismatch
web_get "$PCAP" http://www.example.test/ 401

expect_begin "$PCAP" \
    "spn_account_mismatch: curl --negotiate (MIT krb5 1.20) to Apache 2.4 +" \
    "mod_auth_gssapi 1.6 that accepts as host/www.example.test (GssapiAcceptorName) while" \
    "the client's ticket is for $SPN, a principal with its own key: 401 with MIT's" \
    "KRB_AP_ERR_NOT_US (error sname = the requested SPN; MIT never names the acceptor)."
expect_preauth_required
tgsreq=$(expect_frame "kerberos.msg_type == 12 && kerberos.SNameString == \"www.example.test\"")
web_expect_401 spn_account_mismatch "$SPN" "$tgsreq"
expect_frame 'http.response.code == 401 && kerberos.error_code == 35' >/dev/null
expect_check
