#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes fuzz_engine seeds for the fields of bit 0x80 (tests/fuzz/fuzz_engine.c):
a refused ticket with a service keytab, ticket verdicts of one TGT, copies of one
datagram, an NTLM logon after a Kerberos failure. Usage: make_engine_seeds.py DIR"""
import hashlib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = open(os.path.join(HERE, 'fuzz_engine.c'), encoding='utf-8').read()


def pool(name):
    body = re.search(r'%s\[\] = \{(.*?)\};' % name, SRC, re.S).group(1)
    return body


STRS = [s for s in re.findall(r'"((?:[^"\\]|\\.)*)"', pool('str_pool'))]
ERRS = [int(x) for x in pool('err_pool').replace('\n', ' ').split(',') if x.strip()]
MSGS = [int(x) for x in pool('msg_types').split(',') if x.strip()]
ETYPES = [int(x) for x in pool('etype_pool').split(',') if x.strip()]
PORTS = [88, 464, 80, 445, 135, 389, 49152, 50000, 50001, 0, 65535]
KRB, NTLMSSP = 1, 4
CARRIER_KDC, CARRIER_HTTP = 0, 1


def s(name):
    """str(): a pooled name (NULL for None)."""
    if name is None:
        return [0]
    return [100, STRS.index(name)]


def host(n):       # 10.88.0.n
    return [16 + (n - 1)]


def port(p):
    return [PORTS.index(p)]


def err(code):
    i = ERRS.index(code)
    return [next(x for x in range(40, 230) if x % len(ERRS) == i)]


def kvno(v):        # num(-1, 5): default branch, lo + u16 % 7
    return [6, v + 1, 0]


def ticket(sname, realm='EXAMPLE.TEST', etype=18, kv=2, cipher=1, verdict=0, by=False):
    b = 1 | (cipher << 1) | (verdict << 3) | (0x20 if by else 0)
    return [b] + s(realm) + s(sname) + [ETYPES.index(etype)] + kvno(kv)


def krb(src, dst, sport, dport, msg, carrier, tcp=True, cname=None, sname=None, tkt=None, code=None,
        digest=0, length=0):
    out = [KRB] + host(src) + host(dst) + port(sport) + port(dport) + [2 if tcp else 1]
    out += [MSGS.index(msg), carrier] + s(cname) + s(None) + s(None) + s(sname)
    out += [0, 0]                                   # no requested etypes, no PA-DATA
    out += [1] + tkt if tkt else [0]               # a ticket follows, or not
    out += [0]                                      # rep etype absent
    out += err(code) if code is not None else [0]
    st = (digest << 1) | (length << 3)
    out += [st, 0, 3, 3] + s(None) + [0, 0, 0, 0, 0, 0, 0]   # times 0, no e-text, status, ETYPE-INFO2, e-data, options
    return out


def ntlm_auth(src, dst, sport, dport, user_index=2):
    return [NTLMSSP] + host(src) + host(dst) + port(sport) + port(dport) + [2, 0, 2, (user_index << 3) | 1]


def frame(*obs, step=1, ts=1):
    return [step, ts, len(obs)] + [b for o in obs for b in o]


def program(flags, *frames):
    return bytes([flags] + [b for f in frames for b in f])


def seeds():
    spn = 'HTTP/www.example.test'
    for variant in range(4):
        for verdict in range(3):
            for code, kv in ((41, 2), (44, 1)):
                ap = krb(1, 2, 50000, 80, 14, CARRIER_HTTP, tkt=ticket(spn, kv=kv, verdict=verdict, by=verdict == 1))
                refusal = krb(2, 1, 80, 50000, 30, CARRIER_HTTP, sname=spn, code=code)
                yield program(0x80 | (variant << 5), frame(ap), frame(refusal))
    # A TGT KDC .4 issued, refused by KDC .3 of the same realm, then judged again by
    # both (ticket verdicts); and a referral TGT refused across a trust.
    for tgt_name, code in (('krbtgt/EXAMPLE.TEST', 31), ('krbtgt/EXAMPLE.TEST', 14), ('krbtgt/B.TEST', 41)):
        tgt = ticket(tgt_name, cipher=1)
        as_req = krb(1, 4, 50000, 88, 10, CARRIER_KDC, tcp=False, cname='alice', sname='krbtgt/EXAMPLE.TEST')
        as_rep = krb(4, 1, 88, 50000, 11, CARRIER_KDC, tcp=False, cname='alice', tkt=tgt)
        req = krb(1, 3, 50001, 88, 12, CARRIER_KDC, tcp=False, cname='alice', sname='host/svc.example.test', tkt=tgt)
        refused = krb(3, 1, 88, 50001, 30, CARRIER_KDC, tcp=False, sname='host/svc.example.test', code=code)
        req2 = krb(1, 4, 49152, 88, 12, CARRIER_KDC, tcp=False, cname='alice', sname='host/svc.example.test', tkt=tgt)
        rep = krb(4, 1, 88, 49152, 13, CARRIER_KDC, tcp=False, cname='alice',
                  tkt=ticket('host/svc.example.test', cipher=2))
        req3 = krb(1, 3, 50000, 88, 12, CARRIER_KDC, tcp=False, cname='alice', sname='host/svc.example.test', tkt=tgt)
        rep3 = krb(3, 1, 88, 50000, 13, CARRIER_KDC, tcp=False, cname='alice',
                   tkt=ticket('host/svc.example.test', cipher=3))
        yield program(0x80, frame(as_req), frame(as_rep), frame(req), frame(refused), frame(req2), frame(rep),
                      frame(req3), frame(rep3))
    # Two recordings of one datagram: same digest and length, same time.
    as_req = krb(1, 3, 50000, 88, 10, CARRIER_KDC, tcp=False, cname='alice', sname='krbtgt/EXAMPLE.TEST',
                 digest=1, length=1)
    yield program(0x80, frame(as_req), frame(as_req, ts=0), frame(krb(3, 1, 88, 50000, 30, CARRIER_KDC, tcp=False,
                                                                      code=6, digest=2, length=1)))
    # An NTLM logon after the KDC did not find the service's name.
    unknown = krb(3, 1, 88, 50000, 30, CARRIER_KDC, tcp=False, cname='alice', sname=spn, code=7)
    req = krb(1, 3, 50000, 88, 12, CARRIER_KDC, tcp=False, cname='alice', sname=spn)
    yield program(0x80, frame(req), frame(unknown), frame(ntlm_auth(1, 2, 50001, 80)))


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.join(HERE, 'corpus', 'engine')
    n = 0
    for data in seeds():
        open(os.path.join(out, hashlib.sha1(data).hexdigest()), 'wb').write(data)
        n += 1
    print('%d seeds written to %s' % (n, out))


if __name__ == '__main__':
    sys.exit(main(sys.argv))
