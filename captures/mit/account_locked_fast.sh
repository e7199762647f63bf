#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# account_locked_fast: wrong passwords sent as FAST encrypted challenges (RFC 6113), then a
# lock-out with a real policy window. The client armours kinit with a host TGT (kinit -T),
# so the password proof is PA-ENCRYPTED-CHALLENGE inside PA-FX-FAST, not PA-ENC-TIMESTAMP.
# Policy: addpol -maxfailure 3 -failurecountinterval 5min -lockoutduration 10min.
# Three kinit alice with a wrong password (each: PREAUTH_REQUIRED, then
# KDC_ERR_PREAUTH_FAILED, e-text PREAUTH_FAILED), then one with the right password: the
# KDC refuses it with KDC_ERR_CLIENT_REVOKED (e-text LOCKED_OUT). MIT krb5 1.15 and later
# answer a wrong encrypted timestamp or encrypted challenge with KDC_ERR_PREAUTH_FAILED
# (24); only MIT 1.14 and older sent KRB_AP_ERR_BAD_INTEGRITY (31), which Debian 12's
# MIT 1.20 cannot produce. Proves wrong_password for the encrypted-challenge failures and
# account_locked (the failures feed one lock-out counter).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
SCENARIO=account_locked_fast
PCAP=$CAPTURES/pcap/$SCENARIO.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab "$SCENARIO"
mit_kadmin kdc "addpol -maxfailure 3 -failurecountinterval 5min -lockoutduration 10min lockout"
mit_kadmin kdc "modprinc -policy lockout alice"
mit_addprinc kdc host/client.example.test -randkey
mit_kadmin kdc "ktadd -k $LAB_DIR/client.keytab host/client.example.test"
mit_lab_start

# The armour TGT (the host's own, from its keytab) is fetched before the capture starts.
armor=FILE:$LAB_DIR/client/armor
mit_as client kinit -k -t "$LAB_DIR/client.keytab" -c "$armor" host/client.example.test

lab_capture_start "$PCAP" 'port 88'
for i in 1 2 3; do
    if echo "Wrong-$i" | mit_as client kinit -T "$armor" alice >/dev/null 2>&1; then
        echo "$SCENARIO: kinit with a wrong password succeeded" >&2
        exit 1
    fi
done
if echo Passw0rd-alice | mit_as client kinit -T "$armor" alice >/dev/null 2>&1; then
    echo "$SCENARIO: kinit for a locked principal succeeded" >&2
    exit 1
fi
lab_capture_stop

expect_begin "$PCAP" \
    "$SCENARIO: MIT krb5 1.20, FAST armour (kinit -T with a host TGT), policy maxfailure 3" \
    "within 5 min, lock-out 10 min. Three kinit alice with a wrong password: each" \
    "PREAUTH_REQUIRED (e-text NEEDED_PREAUTH), then an encrypted challenge inside PA-FX-FAST" \
    "refused with KDC_ERR_PREAUTH_FAILED (e-text PREAUTH_FAILED). Then the right password:" \
    "KDC_ERR_CLIENT_REVOKED, e-text LOCKED_OUT. Intended: the e-text is quoted and makes" \
    "the lock-out confirmed."
# The proof of the password travels inside the encrypted FAST request, so the next
# AS-REQ from the client (not a PA-ENC-TIMESTAMP) is the pre-authenticated one.
for f in $(expect_errors 25); do
    req=$(expect_request "$f")
    next=$(expect_frame "frame.number > $f && kerberos.msg_type == 10 && ip.src == 10.88.0.10 && kerberos.padata_type == 136")
    expect_line "$f" preauth_required client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$req,$next"
done
fails=
errs=$(expect_errors 24)
[ "$(echo "$errs" | wc -w)" -eq 3 ]
for f in $errs; do
    [ "$(expect_field "$f" kerberos.e_text)" = PREAUTH_FAILED ]
    expect_line "$f" wrong_password client=alice spn=krbtgt/EXAMPLE.TEST etext=PREAUTH_FAILED \
        "evidence=$(expect_request "$f")" xfail=issue12-item1-etext-quoted
    fails=$fails,$f
done
for f in $(expect_errors 18); do
    [ "$(expect_field "$f" kerberos.e_text)" = LOCKED_OUT ]
    expect_line "$f" account_locked client=alice spn=krbtgt/EXAMPLE.TEST etext=LOCKED_OUT confidence=confirmed \
        "evidence=${fails#,},$(expect_request "$f")" xfail=issue12-item1-etext-confirms-lockout
done
# The lock-out error's e-data is METHOD-DATA holding PA-FX-FAST (the armoured error);
# Wireshark 4.0 decodes e-data of code 18 as one PA-DATA (the form Windows uses) and
# reports a BER error there.
EXPECT_KNOWN_MALFORMED='kerberos.error_code == 18'
expect_check
