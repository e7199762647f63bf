#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# response_too_big: the MIT KDC may send at most kdc_max_dgram_reply_size bytes over UDP
# (here lowered from 4096 to 600, as a large PAC or a small path MTU would force on a
# real network). Its AS-REP and TGS-REP do not fit: it answers those UDP requests with
# KRB_ERR_RESPONSE_TOO_BIG (52) and the client repeats each request over TCP, which
# succeeds. Proves response_too_big (info, benign) and that the TCP retries complete.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
PCAP=$CAPTURES/pcap/response_too_big.pcapng
mkdir -p "$CAPTURES/pcap"

lab_init response_too_big
lab_host kdc 10.88.0.2
lab_host client 10.88.0.10
mit_realm EXAMPLE.TEST kdc 10.88.0.2
sed -i 's/^\[kdcdefaults\]$/&\n    kdc_max_dgram_reply_size = 600/' "$LAB_DIR/kdc-kdc/kdc.conf"
mit_addprinc kdc alice +requires_preauth
mit_addprinc kdc host/svc.example.test -randkey
mit_lab_start

lab_capture_start "$PCAP" 'port 88'
mit_kinit_kvno host/svc.example.test
lab_capture_stop

expect_begin "$PCAP" \
    "response_too_big: MIT krb5 1.20 KDC with kdc_max_dgram_reply_size = 600: the AS-REP" \
    "and TGS-REP do not fit in UDP, the KDC sends KRB_ERR_RESPONSE_TOO_BIG and the client" \
    "retries each request over TCP, successfully."
expect_preauth_required
# MIT's RESPONSE_TOO_BIG carries no cname, and its sname is always the KDC's own
# krbtgt/EXAMPLE.TEST, also when the TGS-REQ asked for host/svc.example.test: the SPN
# the finding is about is the request's.
errs=$(expect_errors 52)
[ "$(echo "$errs" | wc -w)" -eq 2 ]
for f in $errs; do
    req=$(expect_request "$f")
    type=$(expect_field "$req" kerberos.msg_type)
    type=${type%%,*}   # a TGS-REQ also holds its AP-REQ (14)
    client=$(expect_field "$f" ip.dst)
    retry=$(expect_frame "tcp && kerberos.msg_type == $type && ip.src == $client && frame.number > $f")
    # The retry must be answered by a reply (AS-REP 11 / TGS-REP 13) over TCP.
    expect_frame "tcp && kerberos.msg_type == $((type + 1)) && frame.number > $retry" >/dev/null
    if [ "$type" = 10 ]; then
        expect_line "$f" response_too_big client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$req,$retry"
    else
        expect_line "$f" response_too_big spn=host/svc.example.test "evidence=$req,$retry"
    fi
done
expect_check
