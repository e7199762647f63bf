#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tgs_noncanon_retry: a TGS-REQ with the canonicalize option fails, the client's retry
# without it succeeds. Realms A.TEST (KDC 10.88.0.2) and B.TEST (KDC 10.88.0.3) share a
# working trust (krbtgt/B.TEST@A.TEST, same password on both sides); host/svc.b.test lives
# in B. Neither A's KDC nor the client has a [domain_realm] mapping, so A cannot refer
# the client. alice@A.TEST runs kvno -S host svc.b.test: MIT first asks A for
# host/svc.b.test@A.TEST with canonicalize (referral attempt) and gets
# KDC_ERR_S_PRINCIPAL_UNKNOWN, then falls back to the host's domain as realm (B.TEST)
# without canonicalize: krbtgt/B.TEST@A.TEST from A, host/svc.b.test@B.TEST from B, both
# answered. Proves that
# a failure the client recovered from is a note marked recovered, with the success as
# evidence, not a missing SPN.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
SCENARIO=tgs_noncanon_retry
PCAP=$CAPTURES/pcap/$SCENARIO.pcapng
mkdir -p "$CAPTURES/pcap"

mit_two_realms "$SCENARIO"
mit_kadmin kdca "addprinc -pw Trust-A-B krbtgt/B.TEST@A.TEST"
mit_kadmin kdcb "addprinc -pw Trust-A-B krbtgt/B.TEST@A.TEST"
mit_kdc_start kdca
mit_kdc_start kdcb
# The client knows B's KDC, not which hosts live in B.
mit_client_conf client A.TEST 10.88.0.2
sed -i 's/^\[realms\]$/&\n    B.TEST = {\n        kdc = 10.88.0.3\n    }/' "$LAB_DIR/client/krb5.conf"

lab_capture_start "$PCAP" 'port 88'
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
mit_as client kvno -S host svc.b.test >/dev/null
lab_capture_stop

expect_begin "$PCAP" \
    "$SCENARIO: MIT krb5 1.20, realms A.TEST and B.TEST with a working trust, no" \
    "domain_realm mapping anywhere. kvno -S host svc.b.test: TGS-REQ to A for" \
    "host/svc.b.test with canonicalize: KDC_ERR_S_PRINCIPAL_UNKNOWN; retry without" \
    "canonicalize in the host's domain realm: krbtgt/B.TEST from A, then" \
    "host/svc.b.test from B, answered. Intended: the error is a note marked recovered whose" \
    "evidence includes B's TGS-REP for host/svc.b.test."
expect_preauth_required
ok=$(expect_frame 'kerberos.msg_type == 13 && ip.src == 10.88.0.3 && kerberos.SNameString == "svc.b.test"')
errs=$(expect_errors 7)
[ "$(echo "$errs" | wc -w)" -eq 1 ]
for f in $errs; do
    req=$(expect_request "$f")
    # The failed request asked for canonicalization (KDCOptions bit 15), the retry did not.
    [ "$(expect_field "$req" kerberos.KDCOptions.canonicalize)" = 1 ]
    expect_line "$f" spn_missing spn=host/svc.b.test recovered=yes "evidence=$req,$ok"
done
[ "$(expect_field "$(expect_request "$ok")" kerberos.KDCOptions.canonicalize)" = 0 ]
expect_check
