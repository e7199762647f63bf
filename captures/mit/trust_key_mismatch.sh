#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trust_key_mismatch: a cross-realm trust whose two halves disagree. Realms A.TEST (KDC
# 10.88.0.2) and B.TEST (KDC 10.88.0.3) both hold krbtgt/B.TEST@A.TEST, at the same
# kvno 1 but made from different passwords (the trust password was reset on one side
# only). alice@A.TEST asks for host/svc.b.test (kvno -S: a host-based name, so A's KDC
# answers with a referral: its [domain_realm] maps .b.test to B.TEST). A issues the
# referral TGT krbtgt/B.TEST@A.TEST; B cannot decrypt it and answers
# KRB_AP_ERR_BAD_INTEGRITY (31, e-text PROCESS_TGS, no cname). Proves trust_key_mismatch.
# Set TRUST_KVNO=N to also give B's copy another kvno (trust_key_mismatch_kvno.sh).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
SCENARIO=${SCENARIO:-trust_key_mismatch}
PCAP=$CAPTURES/pcap/$SCENARIO.pcapng
mkdir -p "$CAPTURES/pcap"

mit_two_realms "$SCENARIO"
mit_kadmin kdca "addprinc -pw Trust-A-side krbtgt/B.TEST@A.TEST"
mit_kadmin kdcb "addprinc -pw Trust-B-side krbtgt/B.TEST@A.TEST"
if [ -n "${TRUST_KVNO:-}" ]; then
    mit_kadmin kdcb "modprinc -kvno $TRUST_KVNO krbtgt/B.TEST@A.TEST"
fi
# KDC A knows realm B and that *.b.test lives there (for referrals).
addrealm='s/^\[realms\]$/&\n    B.TEST = {\n        kdc = 10.88.0.3\n    }/'
sed -i "$addrealm" "$LAB_DIR/kdc-kdca/krb5.conf"
printf '[domain_realm]\n    .b.test = B.TEST\n    b.test = B.TEST\n' >> "$LAB_DIR/kdc-kdca/krb5.conf"
mit_kdc_start kdca
mit_kdc_start kdcb
mit_client_conf client A.TEST 10.88.0.2
sed -i "$addrealm" "$LAB_DIR/client/krb5.conf"

lab_capture_start "$PCAP" 'port 88'
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
if mit_as client kvno -S host svc.b.test >/dev/null 2>&1; then
    echo "$SCENARIO: B accepted the referral TGT" >&2
    exit 1
fi
lab_capture_stop

if [ -n "${TRUST_KVNO:-}" ]; then
    code=60
    expect_begin "$PCAP" \
        "$SCENARIO: MIT krb5 1.20, realms A.TEST and B.TEST; krbtgt/B.TEST@A.TEST has kvno 1" \
        "and one password on A, kvno $TRUST_KVNO and another password on B. A's referral TGT" \
        "(TGS-REP, ticket sname krbtgt/B.TEST, kvno 1) is refused by B with KRB_ERR_GENERIC" \
        "(e-text PROCESS_TGS; B's log: No matching key in entry)."
else
    code=31
    expect_begin "$PCAP" \
        "$SCENARIO: MIT krb5 1.20, realms A.TEST and B.TEST; krbtgt/B.TEST@A.TEST has kvno 1" \
        "on both KDCs but different passwords. A's referral TGT (TGS-REP, ticket sname" \
        "krbtgt/B.TEST, kvno 1) is refused by B with KRB_AP_ERR_BAD_INTEGRITY (e-text" \
        "PROCESS_TGS)."
fi
expect_preauth_required
referral=$(expect_frame 'kerberos.msg_type == 13 && ip.src == 10.88.0.2 && kerberos.SNameString == "B.TEST"')
errs=$(expect_errors "$code")
for f in $errs; do
    [ "$(expect_field "$f" ip.src)" = 10.88.0.3 ]
    # B could not open the TGT: the error carries no cname, the TGS-REQ none in clear.
    expect_line "$f" trust_key_mismatch spn=host/svc.b.test "evidence=$referral,$(expect_request "$f")"
done
expect_check
