#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# etype_no_common: an application whose Kerberos configuration permits only an
# encryption type the account has no key for (permitted_enctypes =
# aes256-cts-hmac-sha384-192, while the KDC keeps aes256/aes128-cts-hmac-sha1 keys for
# alice). First a workstation with the default configuration logs alice on: its
# PREAUTH_REQUIRED answers an etype list that includes 20 with ETYPE-INFO2 naming only
# aes256-cts-hmac-sha1-96 (18; MIT names just the best key it has), so the account has
# no etype-20 key. Then the application's
# AS-REQ (etype list {20} only) gets KDC_ERR_ETYPE_NOSUPP (14; MIT e-text
# BAD_ENCRYPTION_TYPE, no e-data) before any pre-authentication. Proves etype_no_common.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/etype_no_common.pcapng
mkdir -p "$CAPTURES/pcap"

lab_init etype_no_common
lab_host kdc 10.88.0.2
lab_host ws 10.88.0.10
lab_host app 10.88.0.11
mit_realm EXAMPLE.TEST kdc 10.88.0.2
mit_addprinc kdc alice +requires_preauth
mit_kdc_start kdc
mit_client_conf ws EXAMPLE.TEST 10.88.0.2
mit_client_conf app EXAMPLE.TEST 10.88.0.2 "permitted_enctypes = aes256-cts-hmac-sha384-192"

lab_capture_start "$PCAP" 'port 88'
echo Passw0rd-alice | mit_as ws kinit alice >/dev/null
if echo Passw0rd-alice | mit_as app kinit alice >/dev/null 2>&1; then
    echo "etype_no_common: kinit with no common enctype succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "etype_no_common: MIT krb5 1.20. alice logs on from 10.88.0.10 (default enctypes incl." \
    "20; the PREAUTH_REQUIRED's ETYPE-INFO2 names aes256-cts-hmac-sha1-96 (18) only), then" \
    "an application on 10.88.0.11 permitting only aes256-cts-hmac-sha384-192 asks for her" \
    "TGT: KDC_ERR_ETYPE_NOSUPP (e-text BAD_ENCRYPTION_TYPE, no e-data)."
expect_preauth_required
etinfo=$(expect_errors 25)
errs=$(expect_errors 14)
for f in $errs; do
    expect_line "$f" etype_no_common client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$etinfo,$(expect_request "$f")"
done
expect_check
