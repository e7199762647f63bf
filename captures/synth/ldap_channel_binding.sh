#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ldap_channel_binding (SYNTHESIZED around real Kerberos bytes): a domain controller that
# enforces LDAP channel binding (LdapEnforceChannelBinding = 2, Microsoft ADV190023)
# refuses a SASL GSS-SPNEGO bind made over TLS without a channel binding token: resultCode
# 49, "80090346: LdapErr: DSID-0C090569, comment: AcceptSecurityContext error, data
# 80090346, v4563" (SEC_E_BAD_BINDINGS). Samba 4.17's LDAP server has no such setting, so
# the refusal is synthesized; everything Kerberos is real.
#
# - real: MIT krb5 1.20 KDC; alice logs on (kinit) and, through python3-gssapi, asks for a
#   SPNEGO context to ldap@dc.example.test: the TGS exchange for ldap/dc.example.test is
#   captured on the lab bridge, and MIT's acceptor with the service's keytab accepts the
#   token (the ticket is good: only the channel binding is missing);
# - synthesized (captures/synth/ldap_cbt_synth.py): the LDAP connection as Wireshark shows
#   it once the TLS session is decrypted (TLS itself left out): the BindRequest carrying
#   the real token and Active Directory's BindResponse.
# Proves ldap_channel_binding_required (evidence: the bind request).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
. "$CAPTURES/lib/dcom.sh"
dcom_need
NAME=ldap_channel_binding
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab "$NAME"
mit_addprinc kdc ldap/dc.example.test -randkey
mit_kadmin kdc "ktadd -k $LAB_DIR/dc.keytab ldap/dc.example.test"
mit_kdc_start kdc
mit_client_conf client EXAMPLE.TEST 10.88.0.2

OUT=$LAB_DIR/out
mkdir -p "$OUT"
lab_capture_start "$LAB_DIR/kdc.pcapng" 'port 88'
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
mit_as client env KRB5RCACHETYPE=none /usr/bin/python3 "$DCOM_SYNTH_DIR/dcom_tokens.py" \
    tokens "$OUT" ldap@dc.example.test "$LAB_DIR/dc.keytab" ok
lab_capture_stop
/usr/bin/python3 "$DCOM_SYNTH_DIR/ldap_cbt_synth.py" "$LAB_DIR/kdc.pcapng" "$OUT/tokens.json" "$PCAP"
chmod a+r "$PCAP"

expect_begin "$PCAP" \
    "$NAME: SYNTHESIZED capture (LDAP and TCP/IP framing by captures/synth/ldap_cbt_synth.py," \
    "LDAP shown as after TLS decryption); real MIT krb5 1.20 KDC frames and SPNEGO/AP-REQ" \
    "for ldap/dc.example.test. Active Directory's refusal of a bind without a channel" \
    "binding token: resultCode 49, AcceptSecurityContext data 80090346."
expect_preauth_required
req=$(expect_frame 'ldap.protocolOp == 0 && ldap.mechanism == "GSS-SPNEGO" && kerberos.msg_type == 14')
resp=$(expect_frame 'ldap.resultCode == 49 && ldap.errorMessage contains "data 80090346"')
expect_line "$resp" ldap_channel_binding_required client=alice spn=ldap/dc.example.test "evidence=$req" \
    confidence=confirmed
expect_check
