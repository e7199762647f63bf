#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# spn_account_mismatch_iis: spn_account_mismatch as a Windows server shows it. The lab
# is spn_account_mismatch's (real MIT KDC, client and Apache + mod_auth_gssapi accepting
# as host/www.example.test while the client's ticket is for HTTP/www.example.test, which
# belongs to another principal); only the KRB-ERROR inside the 401 is rewritten. MIT's
# acceptor sends KRB_AP_ERR_NOT_US and names the ticket's own server; IIS with
# kernel-mode authentication decrypts with the machine account and answers
# KRB_AP_ERR_MODIFIED naming that account (seed 002: "Sname: contososvc"; the client's
# event 4: "received a KRB_AP_ERR_MODIFIED error from the server contososvc. The target
# name used was HTTP/iis01.test.com"). iis_krb_error.py decodes MIT's real error, sets
# error-code 41, realm EXAMPLE.TEST and sname WWW$ (NT-PRINCIPAL, the machine account),
# re-encodes it in the same SPNEGO reject and fixes the TCP numbers; every other frame
# is as captured. Proves spn_account_mismatch from the wire alone: the error names an
# account other than the SPN the client asked for (TGS-REQ) and presented (AP-REQ).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
lab_need python3 python3-impacket python3-scapy
PCAP=$CAPTURES/pcap/spn_account_mismatch_iis.pcapng
SPN=HTTP/www.example.test
mkdir -p "$CAPTURES/pcap"

web_acceptor_mismatch_lab spn_account_mismatch_iis
web_get "$LAB_DIR/real.pcapng" http://www.example.test/ 401

# The Windows acceptor's answer in place of MIT's (which must be KRB_AP_ERR_NOT_US).
[ -n "$(tshark -r "$LAB_DIR/real.pcapng" -Y 'http.response.code == 401 && kerberos.error_code == 35' \
    -T fields -e frame.number 2>/dev/null)" ] || {
    echo "spn_account_mismatch_iis: MIT did not answer KRB_AP_ERR_NOT_US" >&2
    exit 1
}
frame=$(/usr/bin/python3 "$CAPTURES/http/iis_krb_error.py" "$LAB_DIR/real.pcapng" "$LAB_DIR/iis.pcap" \
    41 EXAMPLE.TEST 'WWW$')
rm -f "$PCAP"
editcap -F pcapng \
    --capture-comment "krbdiag corpus: real MIT KDC/curl/Apache lab; frame $frame's KRB-ERROR synthesized (MIT's re-encoded with IIS values)" \
    -a "$frame:synthesized: MIT acceptor KRB-ERROR (NOT_US, sname HTTP/www.example.test) re-encoded as IIS sends it: KRB_AP_ERR_MODIFIED from WWW\$@EXAMPLE.TEST" \
    "$LAB_DIR/iis.pcap" "$PCAP"
chmod a+r "$PCAP"

expect_begin "$PCAP" \
    "spn_account_mismatch_iis: the spn_account_mismatch lab (MIT 1.20 KDC and curl, Apache" \
    "2.4 + mod_auth_gssapi accepting as host/www.example.test; ticket for $SPN) with" \
    "the 401's KRB-ERROR re-encoded as IIS kernel-mode auth sends it (SYNTHESIZED frame):" \
    "KRB_AP_ERR_MODIFIED, sname WWW\$ (the machine account) instead of the requested SPN."
expect_preauth_required
tgsreq=$(expect_frame "kerberos.msg_type == 12 && kerberos.SNameString == \"www.example.test\"")
web_expect_401 spn_account_mismatch "$SPN" "$tgsreq"
expect_frame 'http.response.code == 401 && kerberos.error_code == 41 && kerberos.SNameString == "WWW$"' >/dev/null
expect_check
