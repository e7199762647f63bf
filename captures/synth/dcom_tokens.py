# SPDX-License-Identifier: GPL-2.0-or-later
"""Real GSS tokens for the synthesized DCOM captures (MIT krb5 through python3-gssapi).

Runs inside the client's lab namespace, with KRB5_CONFIG / KRB5CCNAME pointing at the
client's files (its TGT is in the ccache), so the TGS exchanges it causes are real and
captured on the lab bridge. Writes OUTDIR/tokens.json:

  initiator SPNEGO token (NegTokenInit carrying the AP-REQ for host/TARGET),
  acceptor answer (SPNEGO NegTokenResp carrying an AP-REP, or the KRB-ERROR the acceptor
  produced), and the wall-clock times at which each token was made.

usage: dcom_tokens.py tokens OUTDIR TARGET ACCEPTOR_KEYTAB MODE
  TARGET a host name (service host@TARGET) or SERVICE@HOST
  MODE ok:   the acceptor keytab holds the target's real key: AP-REP expected
  MODE fail: the acceptor keytab holds another host's key under the target's name
             (what srv1's LSA does: it decrypts with its own machine key): KRB-ERROR

usage: dcom_tokens.py rekey SRC_KEYTAB DST_KEYTAB PRINCIPAL@REALM KVNO
  copies every key of SRC_KEYTAB into DST_KEYTAB under another principal name and kvno
  (a Windows acceptor tries its own machine key whatever the ticket's sname says; MIT
  looks the key up by the ticket's sname and kvno, so the wrong key is filed there).
"""
import json
import os
import struct
import sys
import time

import gssapi
from gssapi.raw import accept_sec_context, init_sec_context, acquire_cred_from
from gssapi.raw.misc import GSSError

SPNEGO = gssapi.OID.from_int_seq('1.3.6.1.5.5.2')


def rekey(src, dst, princ, kvno):
    """Minimal keytab (format 0x0502) reader/writer: enough for MIT's own keytabs."""
    data = open(src, 'rb').read()
    assert data[:2] == b'\x05\x02', 'not a v2 keytab'
    pos, keys = 2, []
    while pos < len(data):
        size, = struct.unpack_from('>i', data, pos)
        pos += 4
        if size < 0:          # a hole left by a deleted entry
            pos += -size
            continue
        e, pos = data[pos:pos + size], pos + size
        ncomp, = struct.unpack_from('>H', e, 0)
        p = 2
        for _ in range(ncomp + 1):          # realm, then the components
            ln, = struct.unpack_from('>H', e, p)
            p += 2 + ln
        p += 4 + 4 + 1                      # name type, timestamp, 8-bit kvno
        keytype, klen = struct.unpack_from('>HH', e, p)
        keys.append((keytype, e[p + 4:p + 4 + klen]))
    name, realm = princ.split('@')
    comps = name.split('/')

    def counted(b):
        return struct.pack('>H', len(b)) + b
    out = b'\x05\x02'
    for keytype, key in keys:
        e = struct.pack('>H', len(comps)) + counted(realm.encode())
        e += b''.join(counted(c.encode()) for c in comps)
        e += struct.pack('>IIB', 1, 0, kvno & 0xff)   # KRB5_NT_PRINCIPAL, timestamp
        e += struct.pack('>H', keytype) + counted(key) + struct.pack('>I', kvno)
        out += struct.pack('>i', len(e)) + e
    with open(dst, 'wb') as f:
        f.write(out)


def main():
    if sys.argv[1] == 'rekey':
        rekey(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return
    outdir, target, keytab, mode = sys.argv[2:6]
    # TARGET is a host (service host@TARGET) or service@host.
    name = gssapi.Name(target if '@' in target else 'host@' + target, gssapi.NameType.hostbased_service)
    flags = (gssapi.RequirementFlag.mutual_authentication |
             gssapi.RequirementFlag.integrity | gssapi.RequirementFlag.confidentiality)
    t_init = time.time()
    ires = init_sec_context(name, None, None, SPNEGO, flags)
    out = {'t_init': t_init, 't_init_done': time.time(),
           'init_token': ires.token.hex()}

    # The acceptor: credentials from the given keytab only (cred store extension).
    acred = acquire_cred_from({b'keytab': keytab.encode()}, usage='accept',
                              mechs=[SPNEGO]).creds
    t_acc = time.time()
    try:
        ares = accept_sec_context(ires.token, acred)
        out['accept_status'] = 'complete' if not ares.more_steps else 'continue'
        out['accept_token'] = ares.token.hex() if ares.token else ''
    except GSSError as e:
        out['accept_status'] = 'error: %s' % e
        out['accept_token'] = e.token.hex() if e.token else ''
    out['t_accept'] = t_acc
    if mode == 'ok':
        # Let the initiator check the AP-REP: proves the exchange really succeeded.
        fin = init_sec_context(name, None, ires.context, SPNEGO, flags,
                               input_token=bytes.fromhex(out['accept_token']))
        out['init_complete'] = not fin.more_steps
        out['init_final_token'] = fin.token.hex() if fin.token else ''
    with open(os.path.join(outdir, 'tokens.json'), 'w') as f:
        json.dump(out, f, indent=1)
    print('dcom_tokens: acceptor (%s): %s' % (mode, out['accept_status']), file=sys.stderr)


if __name__ == '__main__':
    main()
