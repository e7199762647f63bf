#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# delegation_not_configured: constrained delegation against an MIT krb5 1.20 KDC with the db2
# database backend, which keeps no delegation list (only the LDAP backend has
# krbAllowedToDelegateTo) and so refuses every S4U2Proxy request. The front-end service
# HTTP/web.example.test (ok_to_auth_as_delegate: protocol transition allowed) gets its
# TGT from its keytab, asks for a ticket to itself on behalf of alice (S4U2Self:
# PA-FOR-USER and PA-S4U-X509-USER; granted, forwardable), then asks for
# cifs/files.example.test with alice's ticket as additional ticket (S4U2Proxy:
# cname-in-addl-tkt). The KDC answers KDC_ERR_BADOPTION with e-text
# UNSUPPORTED_S4U2PROXY_REQUEST. Proves delegation_not_configured, and that the finding's SPN
# is the requested service, not the evidence ticket's. Before S4U2Self the MIT client
# sends an AS-REQ for alice to learn her realm; its PREAUTH_REQUIRED is answered by
# nothing (the client never had alice's password).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
NAME=delegation_not_configured
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab "$NAME"
mit_addprinc kdc HTTP/web.example.test +ok_to_auth_as_delegate
mit_addprinc kdc cifs/files.example.test
mit_lab_start "forwardable = true"

lab_capture_start "$PCAP" 'port 88'
echo Passw0rd-HTTP_web.example.test | mit_as client kinit HTTP/web.example.test >/dev/null
if mit_as client kvno -U alice -P cifs/files.example.test >"$LAB_DIR/kvno.out" 2>&1; then
    echo "$NAME: S4U2Proxy succeeded against a db2 KDC" >&2
    exit 1
fi
lab_capture_stop
cat "$LAB_DIR/kvno.out" >&2

expect_begin "$PCAP" \
    "$NAME: MIT krb5 1.20 KDC (db2 backend: no delegation list), MIT client as the" \
    "service HTTP/web.example.test (ok_to_auth_as_delegate). S4U2Self for alice is granted;" \
    "S4U2Proxy to cifs/files.example.test with alice's ticket gets KDC_ERR_BADOPTION" \
    "(UNSUPPORTED_S4U2PROXY_REQUEST). The AS-REQ for alice before S4U2Self is the MIT" \
    "client's realm lookup: its PREAUTH_REQUIRED has no pre-authenticated follow-up."
# S4U2Self (PA-FOR-USER) granted, then S4U2Proxy (cname-in-addl-tkt, one additional ticket).
self=$(expect_frame 'kerberos.msg_type == 12 && kerberos.padata_type == 129')
expect_frame "kerberos.msg_type == 13 && frame.number > $self" >/dev/null
expect_frame 'kerberos.KDCOptions.constrained.delegation == 1 && kerberos.additional_tickets == 1' >/dev/null
for f in $(expect_errors 25); do
    expect_line "$f" preauth_required client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$(expect_request "$f")"
done
for f in $(expect_errors 13); do
    expect_line "$f" delegation_not_configured client=HTTP/web.example.test spn=cifs/files.example.test \
        "evidence=$(expect_request "$f")"
done
# The MIT KDC answers with e-data = METHOD-DATA { PA-FX-FAST } (it offers FAST); Wireshark
# 4.0 decodes the e-data of KDC_ERR_BADOPTION as a single PA-DATA (the form Windows uses
# for its NTSTATUS), so it reports a BER error (expert group Malformed) on that frame.
EXPECT_KNOWN_MALFORMED='kerberos.error_code == 13'
expect_check
