#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdc_probe_enum: probes of an MIT krb5 1.20 KDC, then a real logon. First two AS-REQs
# such as scanners send, built by hand: without a client name (the KDC answers
# KDC_ERR_C_PRINCIPAL_UNKNOWN, e-text NULL_CLIENT) and without a service name (the MIT
# KDC does not answer it at all: no error, no finding); then kinit, with no password to give, for eight names in a row (two
# exist: alice and bob, which get PREAUTH_REQUIRED; six do not, which get
# KDC_ERR_C_PRINCIPAL_UNKNOWN), as user enumeration tools do; last alice logs on with
# her password (PREAUTH_REQUIRED, pre-authenticated AS-REQ, AS-REP). Proves kdc_probe
# for the nameless requests, user_enumeration from the fifth name of the run on, and
# that the real logon afterwards stays a benign preauth_required.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need python3
NAME=kdc_probe_enum
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"
NAMES=(admin alice test guest bob backup oracle svc_sql)
MIN_RUN=5   # names in a run before it is called an enumeration (kd_rules_probe.c)

mit_lab "$NAME"
mit_addprinc kdc bob +requires_preauth
mit_lab_start

lab_capture_start "$PCAP" 'port 88'
# AS-REQ { pvno 5, msg-type 10, req-body { kdc-options, [cname], realm, [sname], till,
# nonce, etype } }, one without cname and one without sname, over UDP.
lab_exec client python3 - <<'PY'
import socket, struct

def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + body

def ctx(n, body):
    return tlv(0xa0 | n, body)

def integer(v):
    return tlv(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), 'big', signed=True))

def gstr(s):
    return tlv(0x1b, s.encode())

def name(t, *parts):
    return tlv(0x30, ctx(0, integer(t)) + ctx(1, tlv(0x30, b''.join(gstr(p) for p in parts))))

def as_req(cname, sname, nonce):
    body = ctx(0, tlv(0x03, b'\x00\x40\x00\x00'))     # kdc-options: forwardable
    if cname:
        body += ctx(1, name(1, cname))
    body += ctx(2, gstr('EXAMPLE.TEST'))
    if sname:
        body += ctx(3, name(2, *sname))
    body += ctx(5, tlv(0x18, b'20370913024805Z'))
    body += ctx(7, integer(nonce))
    body += ctx(8, tlv(0x30, integer(18) + integer(17)))
    req = ctx(1, integer(5)) + ctx(2, integer(10)) + ctx(4, tlv(0x30, body))
    return tlv(0x6a, tlv(0x30, req))

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
for i, (c, sn) in enumerate([(None, ('krbtgt', 'EXAMPLE.TEST')), ('nmap', None)]):
    s.sendto(as_req(c, sn, 0x1234567 + i), ('10.88.0.2', 88))
    try:
        s.recv(4096)
    except socket.timeout:
        pass
PY
for n in "${NAMES[@]}"; do
    mit_as client kinit "$n" </dev/null >/dev/null 2>&1 || true
done
echo Passw0rd-alice | mit_as client kinit alice >/dev/null
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: MIT krb5 1.20 KDC. Two hand-built AS-REQs: no cname (answered with an error)," \
    "no sname (not answered); kinit without a password for ${NAMES[*]} (alice and bob" \
    "exist: PREAUTH_REQUIRED; the others: C_PRINCIPAL_UNKNOWN), none pre-authenticated;" \
    "then kinit alice with her password."
# The request without cname: the first AS-REQ; its answer is the first error.
mapfile -t errs < <(awk -F'\t' -v ec="$(_expect_col kerberos.error_code)" '$ec != "" { print $1 }' "$EXPECT_TABLE")
f=${errs[0]}
[ -z "$(expect_cname "$f")" ] || { echo "expect: error $f names a client" >&2; exit 1; }
expect_line "$f" kdc_probe "evidence=$(expect_request "$f")"
# The run: one error per name, in order.
first=
for i in "${!NAMES[@]}"; do
    f=${errs[$((i + 1))]}
    n=${NAMES[$i]}
    [ "$(expect_cname "$f")" = "$n" ] || { echo "expect: error $f is not for $n" >&2; exit 1; }
    req=$(expect_request "$f")
    [ -z "$first" ] && first=$f
    if [ $((i + 1)) -ge $MIN_RUN ]; then
        expect_line "$f" user_enumeration "client=$n" "evidence=$req,$first"
    elif [ "$(expect_field "$f" kerberos.error_code)" = 25 ]; then
        expect_line "$f" preauth_required "client=$n" "evidence=$req"
    else
        expect_line "$f" unknown_client "client=$n" "evidence=$req"
    fi
done
# The real logon: PREAUTH_REQUIRED answered by a pre-authenticated AS-REQ.
f=${errs[$((${#NAMES[@]} + 1))]}
next=$(expect_frame "kerberos.msg_type == 10 && kerberos.padata_type == 2 && frame.number > $f")
expect_line "$f" preauth_required client=alice "evidence=$(expect_request "$f"),$next"
[ ${#errs[@]} -eq $((${#NAMES[@]} + 2)) ] || { echo "expect: ${#errs[@]} errors, want $((${#NAMES[@]} + 2))" >&2; exit 1; }
expect_check
