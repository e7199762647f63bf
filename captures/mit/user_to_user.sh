#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# user_to_user: a service ticket for a user account. bob is an ordinary user marked
# -allow_svr (KRB5_KDB_DISALLOW_SVR: no service tickets except user-to-user), the MIT
# way of saying "this principal has no service key". bob logs on (kinit into a ccache
# of his own: the TGT a user-to-user server holds), alice logs on and runs kvno bob:
# the MIT KDC answers the ordinary TGS-REQ with KDC_ERR_MUST_USE_USER2USER (27; the MIT
# client asks twice, with and without canonicalize, so there are two). Then
# kvno --u2u <bob's ccache> bob: a TGS-REQ with enc-tkt-in-skey and bob's TGT as
# additional ticket, answered with a TGS-REP. Proves user_to_user, recovered: the
# refusal is no missing SPN (registering one is wrong advice), and the user-to-user
# request that follows gets the ticket.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
SCENARIO=user_to_user
PCAP=$CAPTURES/pcap/$SCENARIO.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab "$SCENARIO"
mit_addprinc kdc bob +requires_preauth -allow_svr
mit_lab_start
bob_cc="FILE:$LAB_DIR/client/ccache-bob"

lab_capture_start "$PCAP" 'port 88'
echo Passw0rd-bob | mit_as client kinit -c "$bob_cc" bob >/dev/null
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
if mit_as client kvno bob >/dev/null 2>&1; then
    echo "$SCENARIO: an ordinary ticket for a -allow_svr user was issued" >&2
    exit 1
fi
mit_as client kvno --u2u "$bob_cc" bob >/dev/null
lab_capture_stop

expect_begin "$PCAP" \
    "$SCENARIO: MIT krb5 1.20, bob marked -allow_svr (user-to-user only). kinit bob into" \
    "his own ccache, kinit alice, kvno bob: KDC_ERR_MUST_USE_USER2USER (the client asks" \
    "twice); then kvno --u2u with bob's ccache: TGS-REQ with enc-tkt-in-skey and bob's" \
    "TGT attached, answered." \
    "Intended: user_to_user, not spn_missing, marked recovered with the user-to-user" \
    "request and its TGS-REP as evidence."
expect_preauth_required
errs=$(expect_errors 27)
[ "$(echo "$errs" | wc -w)" -ge 1 ]
u2u=$(expect_frame 'kerberos.msg_type == 12 && kerberos.KDCOptions.enc.tkt.in.skey == 1')
ok=$(expect_frame "kerberos.msg_type == 13 && frame.number > $u2u")
for f in $errs; do
    req=$(expect_request "$f")
    [ "$(expect_field "$req" kerberos.KDCOptions.enc.tkt.in.skey)" = 0 ]
    expect_line "$f" user_to_user client=alice spn=bob confidence=confirmed recovered=yes "evidence=$req,$u2u,$ok"
done
expect_check
