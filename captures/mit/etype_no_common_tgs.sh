#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# etype_no_common_tgs: no common encryption type between a client and a SERVICE (not
# the client's own account). The service principal host/svc.example.test has an
# aes256-cts-hmac-sha1-96 key only (addprinc -e); the client's krb5.conf permits only
# aes128-cts-hmac-sha1-96 (permitted_enctypes, default_tkt_enctypes,
# default_tgs_enctypes). kinit alice works: alice has an aes128 key, so her AS
# exchange's ETYPE-INFO2 names aes128-cts-hmac-sha1-96, the very type the client then
# offers in its TGS-REQ. kvno host/svc.example.test gets KDC_ERR_ETYPE_NOSUPP (14) on
# every TGS-REQ: the service supports no type the client offers. Nothing recovers.
# The service's keytab is committed beside the capture (pcap/etype_no_common_tgs.keytab:
# the service's aes256 key, test key of a throw-away realm), so a reader who loads it
# knows the service's key types. Proves etype_no_common on a TGS-REQ; the client's
# ETYPE-INFO2 (aes128) must not be read as the service's keys.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
NAME=etype_no_common_tgs
PCAP=$CAPTURES/pcap/$NAME.pcapng
KEYTAB=$CAPTURES/pcap/$NAME.keytab
mkdir -p "$CAPTURES/pcap"

mit_lab $NAME
mit_kadmin kdc "addprinc -randkey -e aes256-cts-hmac-sha1-96:normal host/svc.example.test"
rm -f "$KEYTAB"
mit_kadmin kdc "ktadd -k $KEYTAB -norandkey host/svc.example.test"
chmod a+r "$KEYTAB"
mit_lab_start \
    "permitted_enctypes = aes128-cts-hmac-sha1-96" \
    "default_tkt_enctypes = aes128-cts-hmac-sha1-96" \
    "default_tgs_enctypes = aes128-cts-hmac-sha1-96"

lab_capture_start "$PCAP" 'port 88'
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
if mit_as client kvno host/svc.example.test >/dev/null 2>&1; then
    echo "$NAME: kvno with no common enctype succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: MIT krb5 1.20. host/svc.example.test has an aes256-cts-hmac-sha1-96 key only;" \
    "the client permits aes128-cts-hmac-sha1-96 only. kinit alice works (her ETYPE-INFO2" \
    "names aes128), then every TGS-REQ for host/svc.example.test gets KDC_ERR_ETYPE_NOSUPP;" \
    "nothing recovers. Read with the service's keytab ($NAME.keytab: aes256 only)."
expect_preauth_required
errs=$(expect_errors 14)
if [ -z "$errs" ]; then
    echo "$NAME: no KDC_ERR_ETYPE_NOSUPP in the capture" >&2
    exit 1
fi
expect_comment "Confirmed: the loaded keytab gives the service's key types (aes256), which the offer (aes128) misses."
for f in $errs; do
    expect_line "$f" etype_no_common client=alice spn=host/svc.example.test recovered=no \
        "evidence=$(expect_request "$f")" confidence=confirmed
done
expect_check
