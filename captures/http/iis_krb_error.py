#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Re-encode the KRB-ERROR that MIT's acceptor put into an HTTP 401 with the values a
Windows (IIS kernel-mode) acceptor sends, and write the capture back.

usage: iis_krb_error.py IN.pcapng OUT.pcap CODE REALM ACCOUNT

MIT's acceptor always copies the ticket's server name into its KRB-ERROR
(krb_error_data.server = ticket->server in accept_sec_context.c), so the error never
names the principal the server really used. A Windows acceptor names its own account
(seed 002: "ErrorCode: KRB_AP_ERR_MODIFIED (41), Realm: TEST.COM, Sname: contososvc").
This script takes the real capture, finds the one HTTP 401 whose
"WWW-Authenticate: Negotiate" token is a SPNEGO reject wrapping a KRB-ERROR, decodes that
KRB-ERROR, sets error-code, realm and sname (NT-PRINCIPAL ACCOUNT), re-encodes it in the
same SPNEGO/RFC 1964 framing, and shifts the TCP sequence/acknowledgement numbers of the
later segments of that connection by the change in length. Everything else is left as
captured. Prints the number (1-based) of the rewritten frame.
"""
import base64
import re
import sys

from impacket.krb5.asn1 import KRB_ERROR
from pyasn1.codec.der import decoder, encoder
from scapy.all import IP, TCP, Raw, rdpcap, wrpcap

KRB5_OID = bytes.fromhex('06092a864886f712010202')


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(b)]) + b


def tlv(tag, value):
    return bytes([tag]) + der_len(len(value)) + value


def rewrite_token(token, code, realm, account):
    marker = KRB5_OID + b'\x03\x00'                     # krb5 mech, TOK_ID KRB-ERROR
    i = token.index(marker) + len(marker)
    err = decoder.decode(token[i:], asn1Spec=KRB_ERROR())[0]
    old = int(err['error-code'])
    err['error-code'] = code
    err['realm'] = realm
    err['sname']['name-type'] = 1                       # NT-PRINCIPAL: an account name
    err['sname']['name-string'].clear()
    err['sname']['name-string'].append(account)
    krb = encoder.encode(err)
    gss = tlv(0x60, KRB5_OID + b'\x03\x00' + krb)
    neg = tlv(0xa0, tlv(0x0a, b'\x02')) + tlv(0xa2, tlv(0x04, gss))   # reject + token
    return tlv(0xa1, tlv(0x30, neg)), old


def main():
    src, dst, code, realm, account = sys.argv[1:6]
    pkts = rdpcap(src)
    hit = None
    for n, p in enumerate(pkts):
        if IP not in p or TCP not in p or Raw not in p:
            continue
        data = bytes(p[Raw].load)
        if not data.startswith(b'HTTP/1.1 401'):
            continue
        m = re.search(rb'WWW-Authenticate: Negotiate ([A-Za-z0-9+/=]+)\r\n', data)
        if not m:
            continue
        token = base64.b64decode(m.group(1))
        if KRB5_OID + b'\x03\x00' not in token:
            continue
        if hit is not None:
            sys.exit('iis_krb_error: more than one 401 with a KRB-ERROR')
        new, old = rewrite_token(token, int(code), realm, account)
        print(f'iis_krb_error: frame {n + 1}: error {old} -> {code}, sname {account}@{realm}',
              file=sys.stderr)
        data = data[:m.start(1)] + base64.b64encode(new) + data[m.end(1):]
        hit = (n, p[IP].src, p[IP].dst, p[TCP].sport, p[TCP].dport,
               len(data) - len(p[Raw].load))
        p[Raw].load = data
        del p[IP].len, p[IP].chksum, p[TCP].chksum
    if hit is None:
        sys.exit('iis_krb_error: no 401 with a KRB-ERROR found')
    n, sip, cip, sport, cport, delta = hit
    for p in pkts[n + 1:]:
        if IP not in p or TCP not in p:
            continue
        ip, tcp = p[IP], p[TCP]
        if (ip.src, ip.dst, tcp.sport, tcp.dport) == (sip, cip, sport, cport):
            tcp.seq = (tcp.seq + delta) % 2**32
        elif (ip.src, ip.dst, tcp.sport, tcp.dport) == (cip, sip, cport, sport):
            if tcp.flags & 0x10:
                tcp.ack = (tcp.ack + delta) % 2**32
        else:
            continue
        del ip.chksum, tcp.chksum
    wrpcap(dst, pkts)
    print(n + 1)


if __name__ == '__main__':
    main()
