#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_duplicate_spn_nolap: as samba_duplicate_spn_ldap (HTTP/app.ad.example.test on both
# svc_app and svc_old in a Samba 4.17 AD domain), without the LDAP search: alice (MIT
# krb5 1.20) runs kvno for the SPN and Samba's KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN
# twice (MIT retries). Samba neither sends KDC_ERR_PRINCIPAL_NOT_UNIQUE nor issues a
# ticket for one owner, so on the wire this is exactly a missing SPN: the capture
# proves spn_missing, and only outside knowledge (or an LDAP search, see the _ldap
# variant) says duplicate. The expected file therefore says spn_missing.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 "${SAMBA_PACKAGES[@]}"
NAME=samba_duplicate_spn_nolap
PCAP=$CAPTURES/pcap/$NAME.pcapng
SPN=HTTP/app.ad.example.test
mkdir -p "$CAPTURES/pcap"

samba_lab "$NAME" "udp_preference_limit = 1"
samba_adduser dc svc_app
samba_adduser dc svc_old
samba_duplicate_spn dc "$SPN" svc_app svc_old

lab_capture_start "$PCAP"
echo Passw0rd-alice | samba_as client kinit alice >/dev/null
if samba_as client kvno "$SPN" >/dev/null 2>&1; then
    echo "$NAME: the KDC issued a ticket for the duplicate SPN" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC; $SPN is on svc_app and on svc_old." \
    "alice (MIT krb5 1.20): kvno $SPN: Samba's KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN" \
    "(not PRINCIPAL_NOT_UNIQUE), twice (MIT retries). Nothing in the capture tells this" \
    "from a missing SPN, so the finding is spn_missing (see samba_duplicate_spn_ldap)."
expect_preauth_required
samba_expect_response_too_big
for f in $(expect_frames 'kerberos.error_code == 7'); do
    expect_line "$f" spn_missing client=alice "spn=$SPN" "evidence=$(expect_request "$f")"
done
[ "$(expect_frames 'kerberos.error_code == 7' | wc -l)" -ge 1 ]
expect_check
