#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_duplicate_spn_ldap: the same servicePrincipalName HTTP/app.ad.example.test sits on
# two accounts of a Samba 4.17 AD domain: the service account svc_app and an old account
# svc_old (samba-tool refuses the duplicate, so it is written straight into the domain
# partition file while the DC is stopped). An MIT krb5 1.20 client (alice) first runs an
# LDAP search over plain ldap:// (simple bind, readable by Wireshark) for
# (servicePrincipalName=HTTP/app.ad.example.test): two entries. Then kvno for that SPN:
# Samba's KDC does not answer KDC_ERR_PRINCIPAL_NOT_UNIQUE (8) nor issue a ticket for
# one owner (what Windows may do): it answers KDC_ERR_S_PRINCIPAL_UNKNOWN (7), and MIT
# retries once (two TGS-REQ/KRB-ERROR pairs). The LDAP result is what tells this from a
# missing SPN. Proves duplicate_spn (evidence: the TGS-REQ and the LDAP entries).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 "${SAMBA_PACKAGES[@]}"
NAME=samba_duplicate_spn_ldap
PCAP=$CAPTURES/pcap/$NAME.pcapng
SPN=HTTP/app.ad.example.test
BASE=DC=ad,DC=example,DC=test
mkdir -p "$CAPTURES/pcap"

samba_lab "$NAME" "udp_preference_limit = 1"
samba_adduser dc svc_app
samba_adduser dc svc_old
samba_duplicate_spn dc "$SPN" svc_app svc_old

lab_capture_start "$PCAP"
echo Passw0rd-alice | samba_as client kinit alice >/dev/null
samba_as client ldapsearch -LLL -x -H ldap://dc.ad.example.test -D alice@ad.example.test \
    -w Passw0rd-alice -b "$BASE" "(servicePrincipalName=$SPN)" servicePrincipalName sAMAccountName >/dev/null
if samba_as client kvno "$SPN" >/dev/null 2>&1; then
    echo "$NAME: the KDC issued a ticket for the duplicate SPN" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC; $SPN is on svc_app and on svc_old." \
    "alice (MIT krb5 1.20) searches LDAP (simple bind, ldap://) for that SPN: two entries;" \
    "kvno $SPN:" \
    "Samba's KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN (not PRINCIPAL_NOT_UNIQUE), twice (MIT" \
    "retries). The two LDAP entries make it a duplicate SPN, not a missing one."
expect_preauth_required
samba_expect_response_too_big
entries=$(expect_frames 'ldap.protocolOp == 4' | sort -u | paste -sd, -)
owners=$(_expect_tshark -r "$PCAP" -Y 'ldap.protocolOp == 4' -T fields -e ldap.objectName | grep -o 'CN=svc_[a-z]*' | sort -u | paste -sd, -)
[ "$owners" = CN=svc_app,CN=svc_old ]
for f in $(expect_frames 'kerberos.error_code == 7'); do
    expect_line "$f" duplicate_spn client=alice "spn=$SPN" "evidence=$(expect_request "$f"),$entries"
done
[ "$(expect_frames 'kerberos.error_code == 7' | wc -l)" -ge 1 ]
expect_check
