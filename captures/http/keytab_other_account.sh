#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# keytab_other_account: the web server holds the keys of one account while its SPN sits
# on another. MIT imitation: HTTP/www.example.test is a principal with its own key (the
# account holding the SPN); the server's keytab holds only host/www.example.test (the
# machine's account, the one the server runs as). mod_auth_gssapi accepts with any
# keytab entry (no GssapiAcceptorName), the ticket for HTTP/www.example.test matches
# none and the 401 carries MIT's KRB-ERROR. The keytab is committed beside the capture
# (pcap/keytab_other_account.keytab, test keys of this lab only): loaded into Wireshark's
# Kerberos preferences it shows that the service holds no key of the SPN at all.
# Expected spn_account_mismatch, confirmed with the keytab.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
NAME=keytab_other_account
PCAP=$CAPTURES/pcap/$NAME.pcapng
SPN=HTTP/www.example.test
mkdir -p "$CAPTURES/pcap"

web_lab $NAME
mit_addprinc kdc "$SPN" -randkey
mit_addprinc kdc host/www.example.test -randkey
web_keytab host/www.example.test
web_www_site
web_keytab_get $NAME http://www.example.test/ 401

expect_begin "$PCAP" \
    "$NAME: curl --negotiate (MIT krb5 1.20) to Apache 2.4 + mod_auth_gssapi 1.6 whose" \
    "keytab holds only host/www.example.test while the ticket is for $SPN (own key):" \
    "401 with MIT's KRB-ERROR. Read with the service's keytab ($NAME.keytab: Wireshark's" \
    "Kerberos preferences, try to decrypt): no key of the SPN in it."
expect_preauth_required
tgsrep=$(expect_frame "kerberos.msg_type == 13 && kerberos.SNameString == \"www.example.test\"")
web_expect_401 spn_account_mismatch "$SPN" "$tgsrep" confidence=confirmed
expect_check
