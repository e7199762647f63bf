#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# keytab_success: the benign look-alike of the keytab_* scenarios. The server's keytab
# holds the current key of HTTP/www.example.test (kvno 2), curl --negotiate gets 200 with
# the AP-REP. The keytab is committed beside the capture (pcap/keytab_success.keytab,
# test keys of this lab only): read with it, Wireshark decrypts the ticket, and krbdiag
# must claim no failure (only kinit's benign PREAUTH_REQUIRED).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
NAME=keytab_success
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"

web_lab $NAME
web_www_spn
web_www_site
web_keytab_get $NAME http://www.example.test/ 200

expect_begin "$PCAP" \
    "$NAME: curl --negotiate (MIT krb5 1.20) to Apache 2.4 + mod_auth_gssapi 1.6 with the" \
    "current key of HTTP/www.example.test: 200 with the AP-REP. Read with the service's keytab" \
    "($NAME.keytab): the ticket decrypts. Success: only the benign PREAUTH_REQUIRED of kinit."
expect_preauth_required
expect_frame 'http.request && kerberos.msg_type == 14' >/dev/null
expect_frame 'http.response.code == 200 && kerberos.msg_type == 15' >/dev/null
expect_check
