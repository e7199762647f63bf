# SPDX-License-Identifier: GPL-2.0-or-later
"""Build the synthesized DCOM captures around real Kerberos bytes.

usage: dcom_synth.py MODE KDC_PCAPNG TOKENS_JSON OUT_PCAPNG
  MODE fail: dcom_shared_address   (ServerAlive2 lists an address the client also owns;
             the client connects to itself and gets KRB_AP_ERR_MODIFIED, then 0x721)
  MODE ok:   dcom_serveralive2_ok  (ServerAlive2 lists only the server's own address;
             the authenticated bind succeeds with an AP-REP)
  MODE self: dcom_self_fault       (as fail, but the looped bind is answered with fault
             0x721 alone: no KRB-ERROR anywhere in the capture; fail-mode tokens)
  MODE sealed, sealed_lost: dcom_sealed_fault, dcom_sealed_fault_lost (ok-mode tokens:
             AP-REP in the alter_context_resp, one sealed call answered, the next sealed
             call gets fault 0x721; in sealed_lost the capture misses the first call's
             request segment)

Real bytes: the KDC frames (TGS-REQ/TGS-REP, referral then service ticket) are copied
unchanged from KDC_PCAPNG, captured on the lab bridge from MIT krb5 1.20; the SPNEGO
NegTokenInit/AP-REQ and the AP-REP come unchanged from MIT's GSS-API (python3-gssapi).
In fail mode the KRB-ERROR is MIT's real acceptor error re-encoded with the values a
Windows acceptor writes (see windows_krb_error()).
Synthesized: Ethernet/IP/TCP framing of the DCE/RPC connections, every DCE/RPC PDU, the
ARP exchange and the pcapng container (written here, with comments saying which frames
are real and which are synthesized).
"""
import json
import random
import struct
import sys
import time
import uuid

from pyasn1.codec.der import decoder, encoder
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import ARP, Ether
from scapy.utils import RawPcapNgReader
from impacket.krb5.asn1 import KRB_ERROR

# --- hosts ----------------------------------------------------------------------------
SRV1_IP, SRV2_IP, KDC_IP = '10.88.0.12', '10.88.0.22', '10.88.0.2'
SHARED_IP = '169.254.95.120'    # IBM IMM "USB Remote NDIS" host-side address, on both
IMM_IP = '169.254.95.118'       # the IMM itself, the far end of srv1's RNDIS link
SRV2_MAC = 'ae:88:00:00:00:22'
SRV1_RNDIS_MAC = 'ae:5f:78:00:00:12'
IMM_MAC = 'ae:5f:76:00:00:01'

NDR32 = (uuid.UUID('8a885d04-1ceb-11c9-9fe8-08002b104860'), 2)
IOBJECTEXPORTER = uuid.UUID('99fcfec4-5260-101b-bbcb-00aa0021347a')
IREMOTESCMACTIVATOR = uuid.UUID('000001a0-0000-0000-c000-000000000046')
RPC_C_AUTHN_GSS_NEGOTIATE = 9
RPC_C_AUTHN_LEVEL_PKT_INTEGRITY = 5
RPC_C_AUTHN_LEVEL_PKT_PRIVACY = 6
RPC_S_SEC_PKG_ERROR = 0x00000721

LINKTYPE_ETHERNET, LINKTYPE_NULL = 1, 0

REAL = 'real: MIT krb5 1.20 KDC exchange captured on the lab bridge'
SYNTH = 'synthesized'

rng = random.Random(1825)       # 1825 = RPC_S_SEC_PKG_ERROR: fixed, so runs repeat


# --- DCE/RPC connection-oriented PDUs (C706 ch. 12, [MS-RPCE] 2.2.2) --------------------
def pdu(ptype, call_id, body, flags=0x03, auth=None):
    """auth: (auth_type, auth_level, token) -> sec_trailer + token after 4-byte padding"""
    trailer = b''
    auth_len = 0
    if auth is not None:
        pad = (-(16 + len(body))) % 4
        body += b'\0' * pad
        auth_type, auth_level, token = auth
        trailer = struct.pack('<BBBBI', auth_type, auth_level, pad, 0, 0) + token
        auth_len = len(token)
    frag_len = 16 + len(body) + len(trailer)
    hdr = struct.pack('<BBBB4sHHI', 5, 0, ptype, flags, b'\x10\0\0\0', frag_len, auth_len,
                      call_id)
    return hdr + body + trailer


def syntax(u, ver):
    return u.bytes_le + struct.pack('<I', ver)


def bind(call_id, iface, auth=None):
    body = struct.pack('<HHI', 5840, 5840, 0)
    body += struct.pack('<B3x', 1)
    body += struct.pack('<HBx', 0, 1) + syntax(iface, 0) + syntax(*NDR32)
    return pdu(11, call_id, body, auth=auth)


def bind_ack(call_id, assoc_group, auth=None):
    body = struct.pack('<HHI', 5840, 5840, assoc_group)
    body += struct.pack('<H', 4) + b'135\0'
    body += b'\0' * ((-(16 + len(body))) % 4)
    body += struct.pack('<B3x', 1) + struct.pack('<HH', 0, 0) + syntax(*NDR32)
    return pdu(12, call_id, body, auth=auth)


def request(call_id, opnum, stub=b'', auth=None):
    return pdu(0, call_id, struct.pack('<IHH', len(stub), 0, opnum) + stub, auth=auth)


def alter_context(call_id, iface, auth):
    body = struct.pack('<HHI', 5840, 5840, 0x0000d3a1)
    body += struct.pack('<B3x', 1)
    body += struct.pack('<HBx', 0, 1) + syntax(iface, 0) + syntax(*NDR32)
    return pdu(14, call_id, body, auth=auth)


def alter_context_resp(call_id, assoc_group, auth):
    # [MS-RPCE]: an alter_context_resp carries an empty secondary address.
    body = struct.pack('<HHI', 5840, 5840, assoc_group) + struct.pack('<H', 0)
    body += b'\0' * ((-(16 + len(body))) % 4)
    body += struct.pack('<B3x', 1) + struct.pack('<HH', 0, 0) + syntax(*NDR32)
    return pdu(15, call_id, body, auth=auth)


def wrap_verifier(seq):
    """Verifier of a sealed PDU: an RFC 4121 wrap token header (TOK_ID 05 04, flags
    Sealed | AcceptorSubkey, filler, EC 16, RRC 28, SND_SEQ) and synthesized bytes for
    the rotated encrypted header and checksum (no key exists to compute real ones)."""
    hdr = bytes([0x05, 0x04, 0x06, 0xff]) + struct.pack('>HHQ', 16, 28, seq)
    return hdr + bytes(rng.randrange(256) for _ in range(60))


def sealed_request(call_id, opnum, seq, n):
    """A packet-privacy request: n bytes of (synthesized) ciphertext, padded to 16."""
    stub = bytes(rng.randrange(256) for _ in range(n))
    return request(call_id, opnum, stub,
                   auth=(RPC_C_AUTHN_GSS_NEGOTIATE, RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
                         wrap_verifier(seq)))


def sealed_response(call_id, seq, n):
    stub = bytes(rng.randrange(256) for _ in range(n))
    body = struct.pack('<IHBB', len(stub), 0, 0, 0) + stub
    return pdu(2, call_id, body, auth=(RPC_C_AUTHN_GSS_NEGOTIATE,
                                       RPC_C_AUTHN_LEVEL_PKT_PRIVACY, wrap_verifier(seq)))


def response(call_id, stub):
    return pdu(2, call_id, struct.pack('<IHBB', len(stub), 0, 0, 0) + stub)


def fault(call_id, status):
    # alloc_hint, p_cont_id, cancel_count, fault flags, status, reserved;
    # pfc flags: first | last | did_not_execute
    body = struct.pack('<IHBBII', 32, 0, 0, 0, status, 0)
    return pdu(3, call_id, body, flags=0x23)


def server_alive2_stub(bindings):
    """[MS-DCOM] 3.1.2.5.1.6 ServerAlive2 [out] parameters, NDR32:
    COMVERSION, unique pointer to a conformant DUALSTRINGARRAY, DWORD pReserved,
    error_status_t. The DUALSTRINGARRAY (2.2.19.1): wNumEntries, wSecurityOffset and
    aStringArray: STRINGBINDINGs (wTowerId + NUL-terminated UTF-16 address) ended by an
    empty entry, then SECURITYBINDINGs (wAuthnSvc, wReserved 0xffff, principal name)
    ended by an empty entry."""
    arr = []
    for tower, addr in bindings:
        arr += [tower] + [ord(c) for c in addr] + [0]
    arr += [0]
    sec_off = len(arr)
    # GSS_NEGOTIATE, GSS_KERBEROS, WINNT, GSS_SCHANNEL; principal names left empty
    for authn in (0x0009, 0x0010, 0x000a, 0x000e):
        arr += [authn, 0xffff, 0]
    arr += [0]
    # NDR would pad an odd-length array before pReserved; Wireshark 4.0's ServerAlive2
    # decoder does not (it reads 8 bytes right after the array and flags the pad as a
    # long frame). Our address lists give an even length: keep it so.
    assert len(arr) % 2 == 0, 'DUALSTRINGARRAY of odd length %d' % len(arr)
    stub = struct.pack('<HH', 5, 7)                      # COMVERSION 5.7
    stub += struct.pack('<II', 0x00020000, len(arr))     # referent id, max count
    stub += struct.pack('<HH', len(arr), sec_off)
    stub += struct.pack('<%dH' % len(arr), *arr)
    stub += b'\0' * ((-len(stub)) % 4)                   # NDR: align the next DWORD
    stub += struct.pack('<II', 0, 0)                     # pReserved, error_status_t
    return stub


# --- DER helpers for the KRB-ERROR token -----------------------------------------------
def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(b)]) + b


def tlv(tag, value):
    return bytes([tag]) + der_len(len(value)) + value


def windows_krb_error(mit_token, stime_ns):
    """MIT's acceptor answers a ticket it cannot decrypt with KRB_AP_ERR_BAD_INTEGRITY (31)
    naming the ticket's own server (host/srv2@BETA). A Windows acceptor answers with
    KRB_AP_ERR_MODIFIED (41) and names itself: the client's event 4 of the seed reads
    "received a KRB_AP_ERR_MODIFIED error from the server srv1$. The target name used
    was host/srv2.beta...". Decode MIT's real KRB-ERROR, set those three fields and the
    time of the synthesized answer, re-encode, and wrap it as MIT did: a SPNEGO
    NegTokenResp (negState reject) whose responseToken is the RFC 1964 framed KRB-ERROR."""
    krb5_oid_tokid = bytes.fromhex('06092a864886f712010202') + b'\x03\x00'   # KRB-ERROR
    i = mit_token.index(krb5_oid_tokid) + len(krb5_oid_tokid)
    err = decoder.decode(mit_token[i:], asn1Spec=KRB_ERROR())[0]
    assert int(err['error-code']) == 31, int(err['error-code'])
    err['error-code'] = 41
    err['realm'] = 'ALPHA.EXAMPLE.TEST'
    err['sname']['name-type'] = 1               # NT-PRINCIPAL: the machine account
    err['sname']['name-string'].clear()
    err['sname']['name-string'].append('srv1$')
    sec, nsec = divmod(stime_ns, 10**9)
    err['stime'] = time.strftime('%Y%m%d%H%M%SZ', time.gmtime(sec))
    err['susec'] = nsec // 1000
    krb = encoder.encode(err)
    gss = tlv(0x60, tlv(0x06, bytes.fromhex('2a864886f712010202')) + b'\x03\x00' + krb)
    neg = tlv(0xa0, tlv(0x0a, b'\x02')) + tlv(0xa2, tlv(0x04, gss))
    return tlv(0xa1, tlv(0x30, neg))


# --- TCP connections --------------------------------------------------------------------
class Capture:
    """Frames with integer nanosecond timestamps. Synthesized frames are placed with
    float seconds relative to base_ns (the first real KDC frame), rounded to the
    microsecond; real frames keep their captured nanoseconds."""

    def __init__(self, base_ns):
        self.base_ns = base_ns
        self.frames = []        # (ns, iface, bytes, comment)
        self.ipid = {}

    def ns(self, t):
        return (self.base_ns + int(round(t * 1e9)) + 500) // 1000 * 1000

    def add(self, t, iface, data, comment):
        self.frames.append((self.ns(t), iface, data, comment))

    def add_real(self, ns, iface, data):
        self.frames.append((ns, iface, data, REAL))

    def next_id(self, ip):
        self.ipid[ip] = (self.ipid.get(ip, rng.randrange(0x1000, 0x7000)) + 1) & 0xffff
        return self.ipid[ip]


class Conn:
    """One TCP connection. iface: (index, linktype); macs: (client, server) or None."""

    def __init__(self, cap, iface, cip, sip, cport, sport, macs=None, mss=1460, win=64240):
        self.cap, self.iface, self.macs = cap, iface, macs
        self.ends = {True: [cip, cport, rng.randrange(1 << 32)],
                     False: [sip, sport, rng.randrange(1 << 32)]}
        self.mss, self.win = mss, win
        self.t = None

    def _emit(self, t, from_client, flags, payload=b'', syn=False, comment=SYNTH, lost=False):
        src, dst = self.ends[from_client], self.ends[not from_client]
        opts = [('MSS', self.mss), ('NOP', None), ('WScale', 8), ('NOP', None),
                ('NOP', None), ('SAckOK', b'')] if syn else []
        win = self.win if syn else 1026      # scaled by 2^8 after the handshake
        ack = dst[2] if 'A' in flags else 0
        ip = IP(src=src[0], dst=dst[0], ttl=128, flags='DF', id=self.cap.next_id(src[0]))
        seg = ip / TCP(sport=src[1], dport=dst[1], seq=src[2], ack=ack, flags=flags,
                       window=win, options=opts) / payload
        data = bytes(seg)
        if self.iface[1] == LINKTYPE_NULL:
            data = struct.pack('<I', 2) + data       # AF_INET, host byte order (Npcap)
        else:
            smac, dmac = self.macs if from_client else self.macs[::-1]
            data = bytes(Ether(src=smac, dst=dmac) / seg)
        src[2] = (src[2] + len(payload) + (1 if syn or 'F' in flags else 0)) & 0xffffffff
        if not lost:        # lost: sent, but missing from the capture
            self.cap.add(t, self.iface[0], data, comment)

    def handshake(self, t, rtt=0.0001):
        self._emit(t, True, 'S', syn=True)
        self._emit(t + rtt, False, 'SA', syn=True)
        self._emit(t + rtt + 0.00002, True, 'A')
        return t + rtt + 0.00002

    def send(self, t, from_client, payload, comment=SYNTH, lost=False):
        self._emit(t, from_client, 'PA', payload, comment=comment, lost=lost)
        return t

    def close(self, t, rtt=0.0001):
        self._emit(t, True, 'FA')
        self._emit(t + rtt, False, 'FA')
        self._emit(t + rtt + 0.00002, True, 'A')
        return t + rtt + 0.00002


def server_alive2(cap, t, iface, macs, cip, sip, cport, bindings, rtt=0.00025):
    """Unauthenticated IObjectExporter::ServerAlive2 on port 135, as the DCOM client's
    RPCSS sends it before activation. Returns (end time, frame index of the response)."""
    c = Conn(cap, iface, cip, sip, cport, 135, macs)
    t = c.handshake(t, rtt)
    t = c.send(t + 0.00005, True, bind(1, IOBJECTEXPORTER))
    t = c.send(t + rtt, False, bind_ack(1, rng.randrange(0x1000, 0xffff)))
    t = c.send(t + 0.00005, True, request(2, 5))
    t = c.send(t + rtt, False, response(2, server_alive2_stub(bindings)))
    return c.close(t + 0.0003, rtt)


# --- pcapng writer ----------------------------------------------------------------------
def opt(code, value):
    if isinstance(value, str):
        value = value.encode()
    return struct.pack('<HH', code, len(value)) + value + b'\0' * ((-len(value)) % 4)


def block(btype, body):
    ln = 12 + len(body)
    return struct.pack('<II', btype, ln) + body + struct.pack('<I', ln)


def write_pcapng(path, interfaces, frames, comment):
    out = block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1) +
                opt(1, comment) + opt(4, 'captures/synth/dcom_synth.py (krbdiag corpus)') +
                opt(0, b''))
    for linktype, name, descr in interfaces:
        out += block(1, struct.pack('<HHI', linktype, 0, 262144) + opt(2, name) +
                     opt(3, descr) + opt(9, b'\x09') + opt(0, b''))
    for ns, iface, data, cmt in sorted(frames, key=lambda f: f[0]):
        body = struct.pack('<IIIII', iface, ns >> 32, ns & 0xffffffff, len(data), len(data))
        body += data + b'\0' * ((-len(data)) % 4) + opt(1, cmt) + opt(0, b'')
        out += block(6, body)
    with open(path, 'wb') as f:
        f.write(out)


def read_real_frames(kdc_pcap):
    """The frames captured on the lab bridge, as (nanoseconds, bytes); exits if none."""
    real = []
    for data, meta in RawPcapNgReader(kdc_pcap):
        ns = ((meta.tshigh << 32) | meta.tslow) * 10**9 // meta.tsresol
        real.append((ns, data))
    if not real:
        sys.exit('no KDC frames in ' + kdc_pcap)
    return real


def looped_bind(cap, kdc_start, t, to_srv2, init_token):
    """wbemtest on srv1 -> srv2: ServerAlive2 lists SRV2, 169.254.95.120, 10.88.0.22.
    The client prefers 169.254.95.120 (on-link for it) and connects: the address is its
    own, so the stack loops the connection back (source = destination address) and it
    never reaches a wire; a capture on srv1 sees it only on the loopback interface (Npcap
    loopback adapter, LINKTYPE_NULL). At t the bind carries the real AP-REQ. Returns the
    looped connection."""
    server_alive2(cap, kdc_start - 0.012, (0, LINKTYPE_ETHERNET), to_srv2, SRV1_IP, SRV2_IP,
                  49731, [(7, 'SRV2'), (7, SHARED_IP), (7, SRV2_IP)])
    lo = Conn(cap, (1, LINKTYPE_NULL), SHARED_IP, SHARED_IP, 49732, 135, mss=65495,
              win=65535)
    lo.handshake(kdc_start - 0.0008, 0.00003)
    lo.send(t, True, bind(1, IREMOTESCMACTIVATOR,
                          auth=(RPC_C_AUTHN_GSS_NEGOTIATE,
                                RPC_C_AUTHN_LEVEL_PKT_INTEGRITY, init_token)),
            comment=SYNTH + '; auth verifier: real MIT SPNEGO NegTokenInit + AP-REQ')
    return lo


# --- scenario ---------------------------------------------------------------------------
def main():
    mode, kdc_pcap, tokens_json, out = sys.argv[1:5]
    tok = json.load(open(tokens_json))
    real = read_real_frames(kdc_pcap)
    cap = Capture(real[0][0])
    # srv1's MAC on the lab bridge: source of its first frame to the KDC.
    srv1_mac = ':'.join('%02x' % b for b in real[0][1][6:12])
    kdc_start = 0.0                                  # times relative to cap.base_ns
    kdc_end = (real[-1][0] - cap.base_ns) / 1e9
    init_done = tok['t_init_done'] - cap.base_ns / 1e9
    for ns, data in real:
        cap.add_real(ns, 0, data)

    eth0 = (0, LINKTYPE_ETHERNET)
    to_srv2 = (srv1_mac, SRV2_MAC)
    init_token = bytes.fromhex(tok['init_token'])
    if mode == 'fail':
        interfaces = [
            (LINKTYPE_ETHERNET, 'Ethernet0', 'srv1 10.88.0.12 (lab net)'),
            (LINKTYPE_NULL, 'Npcap Loopback Adapter', 'srv1 loopback (Npcap, DLT_NULL)'),
            (LINKTYPE_ETHERNET, 'Ethernet2',
             'srv1 IBM USB Remote NDIS Network Device 169.254.95.120'),
        ]
        # Seconds before: srv2 had been a DCOM client of srv1 (the seed's "other
        # direction"): srv1's own ServerAlive2 answer lists 169.254.95.120 as well.
        server_alive2(cap, kdc_start - 3.2, eth0, (SRV2_MAC, srv1_mac), SRV2_IP, SRV1_IP,
                      50412, [(7, 'SRV1'), (7, SHARED_IP), (7, SRV1_IP)])
        # srv1 talks to its IMM over the RNDIS link: ARP from 169.254.95.120.
        rndis = 2
        a = Ether(src=SRV1_RNDIS_MAC, dst='ff:ff:ff:ff:ff:ff') / ARP(
            op=1, hwsrc=SRV1_RNDIS_MAC, psrc=SHARED_IP, pdst=IMM_IP)
        cap.add(kdc_start - 1.1, rndis, bytes(a), SYNTH)
        a = Ether(src=IMM_MAC, dst=SRV1_RNDIS_MAC) / ARP(
            op=2, hwsrc=IMM_MAC, psrc=IMM_IP, hwdst=SRV1_RNDIS_MAC, pdst=SHARED_IP)
        cap.add(kdc_start - 1.1 + 0.0004, rndis, bytes(a), SYNTH)
        t = max(kdc_end, init_done) + 0.0002
        lo = looped_bind(cap, kdc_start, t, to_srv2, init_token)
        t += 0.0006
        err = windows_krb_error(bytes.fromhex(tok['accept_token']), cap.ns(t))
        lo.send(t, False, bind_ack(1, 0x0000d3a1,
                                   auth=(RPC_C_AUTHN_GSS_NEGOTIATE,
                                         RPC_C_AUTHN_LEVEL_PKT_INTEGRITY, err)),
                comment=SYNTH + '; auth verifier: MIT acceptor KRB-ERROR (BAD_INTEGRITY) '
                'with Windows values: KRB_AP_ERR_MODIFIED from srv1$@ALPHA.EXAMPLE.TEST')
        t += 0.00004
        lo.send(t, False, fault(1, RPC_S_SEC_PKG_ERROR))
        lo.close(t + 0.0004, 0.00003)
        comment = ('SYNTHESIZED capture (krbdiag corpus, dcom_shared_address): DCOM/WMI '
                   'between two domains where both servers own 169.254.95.120 (IBM IMM '
                   'USB RNDIS); the client connects to itself and gets KRB_AP_ERR_MODIFIED '
                   '-> 0x80070721. Kerberos KDC frames and GSS tokens are real (MIT krb5 '
                   '1.20, lab); DCE/RPC, TCP/IP framing, ARP are synthesized; the KRB-ERROR '
                   'is MIT\'s re-encoded with Windows values (code 41, sname srv1$).')
    elif mode == 'self':
        interfaces = [
            (LINKTYPE_ETHERNET, 'Ethernet0', 'srv1 10.88.0.12 (lab net)'),
            (LINKTYPE_NULL, 'Npcap Loopback Adapter', 'srv1 loopback (Npcap, DLT_NULL)'),
        ]
        # Only srv2's answer lists 169.254.95.120: nothing else in the capture says that
        # srv1 owns it, but the connection that follows goes from that address to itself.
        t = max(kdc_end, init_done) + 0.0002
        lo = looped_bind(cap, kdc_start, t, to_srv2, init_token)
        # The looped service cannot decrypt the ticket and refuses the bind with a bare
        # fault: no KRB-ERROR reaches the wire.
        t += 0.0006
        lo.send(t, False, fault(1, RPC_S_SEC_PKG_ERROR))
        lo.close(t + 0.0004, 0.00003)
        comment = ('SYNTHESIZED capture (krbdiag corpus, dcom_self_fault): srv2\'s '
                   'ServerAlive2 answer lists 169.254.95.120, which srv1 owns too; srv1 '
                   'connects to itself (source = destination address) and its bind is '
                   'refused with fault 0x721, with no KRB-ERROR anywhere. Kerberos KDC '
                   'frames and the AP-REQ are real (MIT krb5 1.20, lab); DCE/RPC and TCP/IP '
                   'framing are synthesized.')
    elif mode in ('sealed', 'sealed_lost'):
        lost = mode == 'sealed_lost'
        interfaces = [(LINKTYPE_ETHERNET, 'Ethernet0', 'srv1 10.88.0.12 (lab net)')]
        server_alive2(cap, kdc_start - 0.012, eth0, to_srv2, SRV1_IP, SRV2_IP, 49731,
                      [(7, 'SRV2'), (7, SRV2_IP)])
        c = Conn(cap, eth0, SRV1_IP, SRV2_IP, 49732, 135, to_srv2)
        c.handshake(kdc_start - 0.0009, 0.00025)
        c.send(kdc_start - 0.0005, True, bind(1, IREMOTESCMACTIVATOR))
        c.send(kdc_start - 0.0002, False, bind_ack(1, 0x0000d3a1))
        # Security comes with an alter_context on the bound connection: the real AP-REQ
        # at packet privacy, the real AP-REP in the alter_context_resp.
        t = max(kdc_end, init_done) + 0.0002
        c.send(t, True, alter_context(2, IREMOTESCMACTIVATOR,
                                      auth=(RPC_C_AUTHN_GSS_NEGOTIATE,
                                            RPC_C_AUTHN_LEVEL_PKT_PRIVACY, init_token)),
               comment=SYNTH + '; auth verifier: real MIT SPNEGO NegTokenInit + AP-REQ')
        t += 0.0009
        c.send(t, False, alter_context_resp(2, 0x0000d3a1,
                                            auth=(RPC_C_AUTHN_GSS_NEGOTIATE,
                                                  RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
                                                  bytes.fromhex(tok['accept_token']))),
               comment=SYNTH + '; auth verifier: real MIT SPNEGO accept-completed + AP-REP')
        # A first sealed call succeeds; in sealed_lost its request segment is missing
        # from the capture (the server's answer acknowledges data never recorded).
        t += 0.0004
        c.send(t, True, sealed_request(3, 3, 0, 96), lost=lost,
               comment=SYNTH + '; sealed request: synthesized ciphertext and verifier')
        t += 0.0007
        c.send(t, False, sealed_response(3, 0, 64),
               comment=SYNTH + '; sealed response: synthesized ciphertext and verifier')
        # The next sealed call fails its per-message check on the server.
        t += 0.0004
        c.send(t, True, sealed_request(4, 4, 1, 208),
               comment=SYNTH + '; sealed request: synthesized ciphertext and verifier')
        t += 0.0006
        c.send(t, False, fault(4, RPC_S_SEC_PKG_ERROR))
        c.close(t + 0.0005, 0.00025)
        name = 'dcom_sealed_fault_lost' if lost else 'dcom_sealed_fault'
        comment = ('SYNTHESIZED capture (krbdiag corpus, %s): the service accepts the '
                   'ticket (AP-REP in the alter_context_resp), a sealed call succeeds, the '
                   'next sealed call gets fault 0x721%s. Kerberos KDC frames, AP-REQ and '
                   'AP-REP are real (MIT krb5 1.20, lab); DCE/RPC, its sealed stubs and '
                   'verifiers, and TCP/IP framing are synthesized.'
                   % (name, '; the capture misses the first request\'s segment' if lost
                      else ''))
    else:
        interfaces = [(LINKTYPE_ETHERNET, 'Ethernet0', 'srv1 10.88.0.12 (lab net)')]
        server_alive2(cap, kdc_start - 0.012, eth0, to_srv2, SRV1_IP, SRV2_IP, 49731,
                      [(7, 'SRV2'), (7, SRV2_IP)])
        c = Conn(cap, eth0, SRV1_IP, SRV2_IP, 49732, 135, to_srv2)
        c.handshake(kdc_start - 0.0009, 0.00025)
        t = max(kdc_end, init_done) + 0.0002
        c.send(t, True, bind(1, IREMOTESCMACTIVATOR,
                             auth=(RPC_C_AUTHN_GSS_NEGOTIATE,
                                   RPC_C_AUTHN_LEVEL_PKT_INTEGRITY, init_token)),
               comment=SYNTH + '; auth verifier: real MIT SPNEGO NegTokenInit + AP-REQ')
        t += 0.0009
        c.send(t, False, bind_ack(1, 0x0000d3a1,
                                  auth=(RPC_C_AUTHN_GSS_NEGOTIATE,
                                        RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
                                        bytes.fromhex(tok['accept_token']))),
               comment=SYNTH + '; auth verifier: real MIT SPNEGO accept-completed + AP-REP')
        c.close(t + 0.0005, 0.00025)
        comment = ('SYNTHESIZED capture (krbdiag corpus, dcom_serveralive2_ok): DCOM '
                   'ServerAlive2 lists only the server\'s own name and address, then an '
                   'authenticated bind succeeds (AP-REQ, AP-REP). Kerberos KDC frames and '
                   'GSS tokens are real (MIT krb5 1.20, lab); DCE/RPC and TCP/IP framing '
                   'are synthesized.')
    write_pcapng(out, interfaces, cap.frames, comment)


if __name__ == '__main__':
    main()
