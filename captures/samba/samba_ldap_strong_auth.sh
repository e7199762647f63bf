#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_ldap_strong_auth: a Samba 4.17 AD DC with its default "ldap server require strong
# auth = yes" (the lab's other Samba scenarios turn it off): over plain LDAP (ldap://) it
# accepts only SASL binds that sign or seal, and simple binds only over TLS. alice's
# ldapsearch -x simple bind over ldap:// is refused with resultCode 8
# (strongerAuthRequired, "BindSimple: Transport encryption required."). A SASL GSS-SPNEGO
# bind told to negotiate no security layer (-O maxssf=0) is the unsigned SASL bind.
# Look-alikes that get no cause: an anonymous bind, alice's simple bind after StartTLS
# (-ZZ: the bind travels inside TLS), and a SASL GSS-SPNEGO bind with signing (ldapsearch's
# default security layer), all accepted.
# Proves ldap_signing_required on each refusal: evidence its bind request.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 libsasl2-modules-gssapi-mit "${SAMBA_PACKAGES[@]}"
NAME=samba_ldap_strong_auth
PCAP=$CAPTURES/pcap/$NAME.pcapng
URI=ldap://dc.ad.example.test
BASE=DC=ad,DC=example,DC=test
mkdir -p "$CAPTURES/pcap"

# samba_lab, with the DC's default strong-auth requirement put back before it starts.
lab_init "$NAME"
lab_host dc 10.88.0.2
lab_host client 10.88.0.10
samba_provision dc 10.88.0.2
sed -i 's/ldap server require strong auth = no/ldap server require strong auth = yes/' \
    "$(samba_dir dc)/etc/smb.conf"
grep -q 'ldap server require strong auth = yes' "$(samba_dir dc)/etc/smb.conf"
samba_start dc
samba_adduser dc alice
samba_client_conf client 10.88.0.2 "udp_preference_limit = 1"
samba_client_dns client 10.88.0.2
samba_tool dc spn add ldap/dc.ad.example.test 'DC$' >/dev/null

search() {
    # The DC's TLS certificate is the self-signed one Samba made at its first start.
    samba_as client env LDAPTLS_REQCERT=never ldapsearch -LLL -H "$URI" -b "$BASE" -s base dn "$@" \
        >/dev/null 2>>"$LAB_DIR/ldap.err"
}

lab_capture_start "$PCAP"
search -x -b "" defaultNamingContext
if search -x -D alice@ad.example.test -w Passw0rd-alice; then
    echo "$NAME: the simple bind over ldap:// was accepted" >&2
    exit 1
fi
search -x -ZZ -D alice@ad.example.test -w Passw0rd-alice
echo Passw0rd-alice | samba_as client kinit alice >/dev/null
search -N -Y GSS-SPNEGO
if search -N -O maxssf=0 -Y GSS-SPNEGO; then
    echo "$NAME: the GSS-SPNEGO bind without a security layer was accepted" >&2
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC with ldap server require strong auth = yes (its default)," \
    "MIT krb5 1.20 / OpenLDAP client: alice's simple bind over ldap:// refused with resultCode 8" \
    "(strongerAuthRequired); GSS-SPNEGO without a security layer (maxssf=0). Look-alikes" \
    "accepted: an anonymous bind, alice's simple bind after StartTLS, GSS-SPNEGO with signing."
expect_preauth_required
[ -n "$(expect_frames 'ldap.resultCode == 8')" ]
for f in $(expect_frames 'ldap.protocolOp == 1 && ldap.resultCode == 8'); do
    stream=$(expect_field "$f" tcp.stream)
    req=$(expect_frames "ldap.protocolOp == 0 && tcp.stream == $stream && frame.number < $f" | tail -n 1)
    if [ -n "$(expect_field "$req" ldap.simple)" ]; then
        expect_line "$f" ldap_signing_required client=alice@ad.example.test "evidence=$req"
    else
        expect_line "$f" ldap_signing_required client=alice spn=ldap/dc.ad.example.test "evidence=$req"
    fi
done
expect_check
