#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dc_etype_mismatch (seed 000): two KDCs of one realm disagree about krbtgt's keys. KDC
# B got a copy of A's database (kdb5_util dump/load), but its krbtgt was then re-keyed
# from the same password with aes128-cts-hmac-sha1-96 only and the same kvno 2 - the
# MIT analogue of a DC that rebuilt krbtgt's keys without AES after a functional-level
# raise. KDC A issues alice's TGT encrypted with aes256-cts-hmac-sha1-96 (etype 18,
# kvno 2, visible in the AS-REP's ticket). A TGS-REQ with that TGT to A succeeds; the
# same TGT presented to B is refused: B has no etype-18 key for krbtgt kvno 2. MIT's KDC
# answers KRB_ERR_GENERIC (60, e-text PROCESS_TGS; its log says "Bad encryption type"),
# not the KDC_ERR_ETYPE_NOSUPP Windows sends, and the client asks twice. Proves
# dc_etype_mismatch.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/dc_etype_mismatch.pcapng
mkdir -p "$CAPTURES/pcap"

lab_init dc_etype_mismatch
lab_host kdca 10.88.0.2
lab_host kdcb 10.88.0.3
lab_host client 10.88.0.10
mit_realm EXAMPLE.TEST kdca 10.88.0.2
mit_addprinc kdca alice +requires_preauth
mit_addprinc kdca host/svc.example.test -randkey
mit_addprinc kdca host/app.example.test -randkey
mit_kadmin kdca "cpw -pw Krbtgt-Secret-1 krbtgt/EXAMPLE.TEST"   # kvno 2, aes256 + aes128
# KDC B: same realm, a copy of A's database.
mit_realm EXAMPLE.TEST kdcb 10.88.0.3
da=$LAB_DIR/kdc-kdca
db=$LAB_DIR/kdc-kdcb
KRB5_CONFIG=$da/krb5.conf KRB5_KDC_PROFILE=$da/kdc.conf kdb5_util dump "$LAB_DIR/a.dump"
KRB5_CONFIG=$db/krb5.conf KRB5_KDC_PROFILE=$db/kdc.conf kdb5_util destroy -f >/dev/null
cp "$da/stash" "$db/stash"
KRB5_CONFIG=$db/krb5.conf KRB5_KDC_PROFILE=$db/kdc.conf kdb5_util load "$LAB_DIR/a.dump"
# On B only: krbtgt's keys rebuilt from the same password without aes256, kvno kept.
mit_kadmin kdcb "cpw -pw Krbtgt-Secret-1 -e aes128-cts-hmac-sha1-96:normal krbtgt/EXAMPLE.TEST"
mit_kadmin kdcb "modprinc -kvno 2 krbtgt/EXAMPLE.TEST"
mit_kdc_start kdca
mit_kdc_start kdcb
# One client host; its krb5.conf names KDC A, a second one (used for the TGS-REQ to B)
# names KDC B, as a client does when its DC locator picks another DC.
mit_client_conf client EXAMPLE.TEST 10.88.0.2
mkdir -p "$LAB_DIR/client-b"
sed 's/kdc = 10.88.0.2/kdc = 10.88.0.3/' "$LAB_DIR/client/krb5.conf" > "$LAB_DIR/client-b/krb5.conf"

lab_capture_start "$PCAP" 'port 88'
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
mit_as client kvno host/svc.example.test >/dev/null
if mit_as client env KRB5_CONFIG="$LAB_DIR/client-b/krb5.conf" kvno host/app.example.test >/dev/null 2>&1; then
    echo "dc_etype_mismatch: KDC B accepted the aes256 TGT" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "dc_etype_mismatch (seed 000): MIT krb5 1.20, KDCs A 10.88.0.2 and B 10.88.0.3 of one" \
    "realm; B's krbtgt (kvno 2) has only an aes128 key. A issues the TGT in aes256 (AS-REP," \
    "ticket etype 18 kvno 2), a TGS-REQ to A succeeds, the TGS-REQ to B with the same TGT" \
    "gets KRB_ERR_GENERIC (e-text PROCESS_TGS), twice."
expect_preauth_required
asrep=$(expect_frame 'kerberos.msg_type == 11 && ip.src == 10.88.0.2')
tgs_a=$(expect_frame 'kerberos.msg_type == 13 && ip.src == 10.88.0.2')
tgs_a_req=$(expect_request "$tgs_a")
errs=$(expect_errors 60)
[ "$(echo "$errs" | wc -w)" -eq 2 ]
for f in $errs; do
    [ "$(expect_field "$f" ip.src)" = 10.88.0.3 ]
    # B could not open the TGT: the error carries no cname, the TGS-REQ none in clear.
    expect_line "$f" dc_etype_mismatch spn=host/app.example.test "evidence=$asrep,$tgs_a_req,$(expect_request "$f")"
done
expect_check
