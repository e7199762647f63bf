#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_ldap_bind: LDAP binds to a Samba 4.17 AD DC that fail, and binds that do not.
# One provisioned domain, one capture. Simple binds over ldap:// (readable by Wireshark):
# alice with a wrong password, bob (disabled), carol (expired), dave (must change his
# password at next logon), erin three times with a wrong password and then with the
# right one (lock-out threshold 3). Samba answers each refusal as Active Directory does:
# resultCode 49 (invalidCredentials) with the diagnostic message "80090308: LdapErr:
# DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1" whose data code
# names the account state. Look-alikes: an anonymous bind, alice's own simple bind,
# and SASL binds (MIT krb5 1.20 client, no SASL wrapping) that succeed: GSS-SPNEGO at
# once, GSSAPI after resultCode 14 (saslBindInProgress) twice. Then the DC$ password changes in the
# directory only (the LDAP server keeps accepting with its old kvno-1 key while the KDC
# issues kvno-2 tickets): alice's next GSS-SPNEGO bind carries a ticket the server
# cannot decrypt, refused with resultCode 49 on the connection of the AP-REQ ("8009030C:
# ... data 52e": a logon failure; no KRB-ERROR).
# Proves wrong_password, account_disabled, account_expired, password_expired,
# account_locked from LDAP bind answers, and stale_service_key on the SASL refusal (the AP-REQ
# before it on its connection, and the kvno-1 ticket the same server accepted earlier).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 libsasl2-modules-gssapi-mit "${SAMBA_PACKAGES[@]}"
NAME=samba_ldap_bind
PCAP=$CAPTURES/pcap/$NAME.pcapng
URI=ldap://dc.ad.example.test
BASE=DC=ad,DC=example,DC=test
mkdir -p "$CAPTURES/pcap"

samba_lab "$NAME" "udp_preference_limit = 1"
samba_tool dc domain passwordsettings set --account-lockout-threshold=3 \
    --account-lockout-duration=10 --reset-account-lockout-after=10 >/dev/null
# The provisioned DC$ holds HOST/ SPNs only (samba_spnupdate is not run here).
samba_tool dc spn add ldap/dc.ad.example.test 'DC$' >/dev/null
samba_adduser dc bob
samba_tool dc user disable bob >/dev/null
samba_adduser dc carol
samba_tool dc user setexpiry carol --days=0 >/dev/null
samba_adduser dc dave --must-change-at-next-login
samba_adduser dc erin

# bind USER PASSWORD: one simple bind and a base search; a refused bind is expected.
simple_bind() {
    samba_as client ldapsearch -LLL -x -H "$URI" -D "$1@ad.example.test" -w "$2" \
        -b "$BASE" -s base dn >/dev/null 2>&1 || true
}
sasl() {
    samba_as client ldapsearch -LLL -N -O maxssf=0 -Y "$1" -H "$URI" -b "$BASE" -s base dn >/dev/null \
        2>>"$LAB_DIR/sasl.err"
}

lab_capture_start "$PCAP"
samba_as client ldapsearch -LLL -x -H "$URI" -b "" -s base defaultNamingContext >/dev/null
simple_bind alice Passw0rd-alice
simple_bind alice Wrong-password
simple_bind bob Passw0rd-bob
simple_bind carol Passw0rd-carol
simple_bind dave Passw0rd-dave
for _ in 1 2 3; do simple_bind erin Wrong-password; done
simple_bind erin Passw0rd-erin
echo Passw0rd-alice | samba_as client kinit alice >/dev/null
# Both must succeed (set -e); $LAB_DIR/sasl.err keeps ldapsearch's messages.
sasl GSS-SPNEGO
sasl GSSAPI
samba_tool dc user setpassword 'DC$' --newpassword='Machine-Passw0rd-2' >/dev/null
samba_as client kdestroy >/dev/null
echo Passw0rd-alice | samba_as client kinit alice >/dev/null
if sasl GSS-SPNEGO; then
    echo "$NAME: the GSS-SPNEGO bind with a kvno-2 ticket succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC, LDAP simple binds (ldap://) and SASL binds from an MIT krb5 1.20" \
    "client: anonymous and good binds; wrong password (alice), disabled (bob), expired (carol)," \
    "must change password (dave), three wrong passwords then locked out (erin): resultCode 49," \
    "AcceptSecurityContext data 52e/533/701/773/775. SASL GSS-SPNEGO and GSSAPI binds succeed" \
    "(saslBindInProgress first); after DC\$'s password changes in the directory only, the" \
    "GSS-SPNEGO bind's kvno-2 ticket is refused with resultCode 49."
expect_preauth_required
samba_expect_response_too_big
# bind_line DATA CAUSE USER: every refusal with that data code, evidence its bind request.
bind_line() {
    local f stream req
    for f in $(expect_frames "ldap.resultCode == 49 && ldap.errorMessage contains \"data $1,\""); do
        stream=$(_expect_tshark -r "$PCAP" -Y "frame.number == $f" -T fields -e tcp.stream)
        req=$(expect_frames "ldap.protocolOp == 0 && ldap.simple && tcp.stream == $stream && frame.number < $f" | tail -n 1)
        [ -n "$req" ] || continue
        [ "$(_expect_tshark -r "$PCAP" -Y "frame.number == $req" -T fields -e ldap.name)" = "$3@ad.example.test" ] || continue
        expect_line "$f" "$2" "client=$3@ad.example.test" "evidence=$req"
    done
}
bind_line 52e wrong_password alice
bind_line 52e wrong_password erin
bind_line 533 account_disabled bob
bind_line 701 account_expired carol
bind_line 773 password_expired dave
bind_line 775 account_locked erin
[ "$(grep -c ' wrong_password ' "$EXPECT_FILE")" -eq 4 ]
# The SASL refusal: the bind response on the connection whose bind request carried the
# AP-REQ with the kvno-2 ticket (no KRB-ERROR on the wire; Samba says "data 52e", a logon
# failure): the key is stale, as the kvno-1 ticket the same server accepted before shows.
for f in $(expect_frames 'ldap.resultCode == 49'); do
    stream=$(_expect_tshark -r "$PCAP" -Y "frame.number == $f" -T fields -e tcp.stream)
    req=$(expect_frames "ldap.protocolOp == 0 && kerberos.msg_type == 14 && tcp.stream == $stream && frame.number < $f" | tail -n 1)
    [ -n "$req" ] || continue
    tgsrep=$(expect_frames "kerberos.msg_type == 13 && kerberos.SNameString == \"ldap\" && frame.number < $req" | tail -n 1)
    expect_line "$f" stale_service_key client=alice spn=ldap/dc.ad.example.test "evidence=$req,$tgsrep"
done
expect_check
