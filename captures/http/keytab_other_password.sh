#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# keytab_other_password: the service's keytab holds the right key version of its SPN, but
# a key made from another password (a keytab written by hand with ktutil/ktpass and a
# mistyped or outdated password, the account's kvno unchanged). HTTP/www.example.test gets
# kvno 1 from its password in the KDC; Apache's keytab holds kvno 1 for the same name and
# salt, derived from another password. curl --negotiate gets a kvno-1 ticket and
# mod_auth_gssapi answers 401 with MIT's KRB_AP_ERR_BAD_INTEGRITY (the ticket does not
# decrypt). The keytab is committed beside the capture (pcap/keytab_other_password.keytab,
# test keys of this lab only): loaded into Wireshark's Kerberos preferences it shows the
# service holds kvno 1 of the SPN and that this key does not decrypt the ticket.
# Expected stale_service_key, confirmed with the keytab.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
NAME=keytab_other_password
PCAP=$CAPTURES/pcap/$NAME.pcapng
SPN=HTTP/www.example.test
mkdir -p "$CAPTURES/pcap"

web_lab $NAME
mit_addprinc kdc "$SPN"
# kvno 1 in the KDC (from Passw0rd-HTTP_www.example.test); the keytab gets kvno 1 too,
# from another password, with the realm's default salt.
printf 'addent -password -p %s@EXAMPLE.TEST -k 1 -e aes256-cts-hmac-sha1-96\nOther-Passw0rd\naddent -password -p %s@EXAMPLE.TEST -k 1 -e aes128-cts-hmac-sha1-96\nOther-Passw0rd\nwkt %s\n' \
    "$SPN" "$SPN" "$WEB_KEYTAB" | KRB5_CONFIG="$LAB_DIR/kdc-kdc/krb5.conf" ktutil >/dev/null
web_www_site
web_keytab_get $NAME http://www.example.test/ 401

expect_begin "$PCAP" \
    "$NAME: curl --negotiate (MIT krb5 1.20) to Apache 2.4 + mod_auth_gssapi 1.6 whose" \
    "keytab holds kvno 1 of $SPN made from another password than the KDC's (kvno 1 too):" \
    "401 with MIT's KRB_AP_ERR_BAD_INTEGRITY. Read with the service's keytab" \
    "($NAME.keytab: Wireshark's Kerberos preferences, try to decrypt): the ticket does not decrypt."
expect_preauth_required
tgsrep=$(expect_frame "kerberos.msg_type == 13 && kerberos.kvno == 1")
web_expect_401 stale_service_key "$SPN" "$tgsrep" confidence=confirmed
expect_frame 'http.response.code == 401 && kerberos.error_code == 31' >/dev/null
expect_check
