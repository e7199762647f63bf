#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# keytab_old_kvno: the service account's key changed in the KDC (cpw -randkey: kvno 3)
# and the web server still has the keytab of the previous version (kvno 2). Unlike
# stale_key, no request succeeded before: the capture alone shows one ticket at kvno 3
# and MIT's KRB_AP_ERR_BADKEYVER in the 401. The service's keytab is committed beside
# the capture (pcap/keytab_old_kvno.keytab, test keys of this lab only): loaded into
# Wireshark's Kerberos preferences it shows the service holds kvno 2 only.
# Expected stale_service_key, confirmed with the keytab.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
NAME=keytab_old_kvno
PCAP=$CAPTURES/pcap/$NAME.pcapng
SPN=HTTP/www.example.test
mkdir -p "$CAPTURES/pcap"

web_lab $NAME
mit_addprinc kdc "$SPN" -randkey
web_keytab "$SPN"
# The KDC's key moves on to kvno 3; Apache keeps the kvno-2 keytab.
mit_kadmin kdc "cpw -randkey $SPN"
web_www_site
web_keytab_get $NAME http://www.example.test/ 401

expect_begin "$PCAP" \
    "$NAME: curl --negotiate (MIT krb5 1.20) to Apache 2.4 + mod_auth_gssapi 1.6 whose" \
    "keytab holds kvno 2 of $SPN while the KDC issues kvno 3 (cpw -randkey after ktadd):" \
    "401 with MIT's KRB_AP_ERR_BADKEYVER. Read with the service's keytab" \
    "($NAME.keytab: Wireshark's Kerberos preferences, try to decrypt)."
expect_preauth_required
tgsrep=$(expect_frame "kerberos.msg_type == 13 && kerberos.kvno == 3")
web_expect_401 stale_service_key "$SPN" "$tgsrep" confidence=confirmed
expect_frame 'http.response.code == 401 && kerberos.error_code == 44' >/dev/null
expect_check
