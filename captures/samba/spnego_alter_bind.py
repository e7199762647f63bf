#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""DCE/RPC client that authenticates the way a SPNEGO client without an optimistic
token does: the bind carries a NegTokenInit with the mechanism list only, the server's
bind_ack answers with a NegTokenResp choosing Kerberos, and the Kerberos AP-REQ (from
MIT GSS-API and the ccache in KRB5CCNAME) goes in an alter_context. Used by
samba_dcerpc_failure.sh against Samba's RPC server.

usage: spnego_alter_bind.py HOST_IP TARGET_NAME   (TARGET_NAME: host@dc.ad.example.test)
Prints the fault status (0x...) or "ok"; exit status 0 when a fault came back.
"""
import socket
import struct
import sys

import gssapi
from impacket.dcerpc.v5 import epm, lsat
from impacket.dcerpc.v5.rpcrt import (MSRPCHeader, MSRPCBind, CtxItem, SEC_TRAILER,
                                      MSRPC_BIND, MSRPC_ALTERCTX, MSRPC_FAULT,
                                      MSRPC_ALTERCTX_R, MSRPC_BINDACK)
from impacket.spnego import SPNEGO_NegTokenInit, SPNEGO_NegTokenResp, TypesMech
from impacket.uuid import uuidtup_to_bin

RPC_C_AUTHN_GSS_NEGOTIATE = 9
RPC_C_AUTHN_LEVEL_PKT_INTEGRITY = 5
NDR = uuidtup_to_bin(('8a885d04-1ceb-11c9-9fe8-08002b104860', '2.0'))


def recv_pdu(s):
    hdr = b''
    while len(hdr) < 16:
        chunk = s.recv(16 - len(hdr))
        if not chunk:
            raise EOFError('connection closed')
        hdr += chunk
    frag_len = struct.unpack('<H', hdr[8:10])[0]
    body = b''
    while len(hdr) + len(body) < frag_len:
        chunk = s.recv(frag_len - len(hdr) - len(body))
        if not chunk:
            raise EOFError('connection closed')
        body += chunk
    return MSRPCHeader(hdr + body)


def pdu(ptype, call_id, body, token):
    pad = (4 - len(body) % 4) % 4
    sec = SEC_TRAILER()
    sec['auth_type'] = RPC_C_AUTHN_GSS_NEGOTIATE
    sec['auth_level'] = RPC_C_AUTHN_LEVEL_PKT_INTEGRITY
    sec['auth_pad_len'] = pad
    sec['auth_ctx_id'] = 79231
    h = MSRPCHeader()
    h['type'] = ptype
    h['flags'] = 0x03
    h['call_id'] = call_id
    h['pduData'] = body + b'\x00' * pad
    h['sec_trailer'] = sec
    h['auth_data'] = token
    h['auth_len'] = len(token)
    return h.getData()


def bind_body(iface):
    b = MSRPCBind()
    b['max_tfrag'] = b['max_rfrag'] = 4280
    item = CtxItem()
    item['AbstractSyntax'] = iface
    item['TransferSyntax'] = NDR
    item['ContextID'] = 0
    item['TransItems'] = 1
    b.addCtxItem(item)
    return b.getData()


def main():
    ip, target = sys.argv[1], sys.argv[2]
    # The endpoint mapper says where LSARPC listens (unauthenticated, as rpcclient does).
    binding = epm.hept_map(ip, lsat.MSRPC_UUID_LSAT, protocol='ncacn_ip_tcp')
    port = int(binding.split('[')[1].rstrip(']'))
    s = socket.create_connection((ip, port))

    init = SPNEGO_NegTokenInit()
    init['MechTypes'] = [TypesMech['MS KRB5 - Microsoft Kerberos 5'],
                         TypesMech['KRB5 - Kerberos 5']]
    s.sendall(pdu(MSRPC_BIND, 1, bind_body(lsat.MSRPC_UUID_LSAT), init.getData()))
    ack = recv_pdu(s)
    if ack['type'] != MSRPC_BINDACK:
        print('bind answered with type %d' % ack['type'])
        return 1

    name = gssapi.Name(target, gssapi.NameType.hostbased_service)
    ctx = gssapi.SecurityContext(name=name, usage='initiate',
                                 mech=gssapi.MechType.kerberos,
                                 flags=gssapi.RequirementFlag.mutual_authentication |
                                 gssapi.RequirementFlag.dce_style |
                                 gssapi.RequirementFlag.integrity)
    ap_req = ctx.step()
    resp = SPNEGO_NegTokenResp()
    resp['ResponseToken'] = ap_req
    s.sendall(pdu(MSRPC_ALTERCTX, 2, bind_body(lsat.MSRPC_UUID_LSAT), resp.getData()))
    try:
        ans = recv_pdu(s)
    except EOFError:
        print('closed')
        return 1
    if ans['type'] == MSRPC_FAULT:
        status = struct.unpack('<L', ans['pduData'][8:12])[0]
        print('0x%08x' % status)
        return 0
    print('ok' if ans['type'] == MSRPC_ALTERCTX_R else 'type %d' % ans['type'])
    return 1


if __name__ == '__main__':
    sys.exit(main())
