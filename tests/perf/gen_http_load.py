#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a pcap of ordinary web traffic for the per-frame cost guard: keep-alive
HTTP/1.1 connections (handshake, GET/POST requests, 200/404 responses, client
acknowledgements, close) and a few DNS look-ups, the frames a post-dissector
meets on every capture whether or not Kerberos is in it. Deterministic (fixed
seed, fixed time stamps): the same bytes on every run, so instruction counts
compare across runs. No network, no packages beyond Python.

    gen_http_load.py OUT.pcap [FRAMES]
"""

import random
import struct
import sys

SERVER = bytes([10, 77, 0, 80])
RESOLVER = bytes([10, 77, 0, 53])
PAGES = [
    ("GET", "/index.html", 200, 612),
    ("GET", "/static/app.css", 200, 2400),
    ("GET", "/api/items?page=%d", 200, 900),
    ("GET", "/missing/%d", 404, 150),
    ("POST", "/api/data.json", 200, 1200),
]
MSS = 1448


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, 64, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 64240, 0, 0)
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 6, len(hdr) + len(payload))
    c = csum(pseudo + hdr + payload)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload


def udp(src, dst, sport, dport, payload):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 17, len(hdr) + len(payload))
    c = csum(pseudo + hdr + payload) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + payload


def ether(ip_packet, to_server):
    a, b = b"\x02\x00\x00\x00\x00\x01", b"\x02\x00\x00\x00\x00\x02"
    dst, src = (b, a) if to_server else (a, b)
    return dst + src + b"\x08\x00" + ip_packet


def dns_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.t = 1700000000.0
        self.n = 0
        self.ident = 1

    def frame(self, src, dst, l4, to_server, proto=6, gap=0.0002):
        self.t += gap
        pkt = ether(ipv4(src, dst, proto, l4, self.ident), to_server)
        self.ident += 1
        sec = int(self.t)
        usec = int(round((self.t - sec) * 1e6)) % 1000000
        self.f.write(struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt)
        self.n += 1


def http_connection(w, rnd, client, sport, requests, budget):
    """One keep-alive connection; stops when `budget` frames are written."""
    cseq, sseq = rnd.randrange(1 << 32), rnd.randrange(1 << 32)
    w.frame(client, SERVER, tcp(client, SERVER, sport, 80, cseq, 0, 0x02), True)
    w.frame(SERVER, client, tcp(SERVER, client, 80, sport, sseq, cseq + 1, 0x12), False)
    cseq, sseq = cseq + 1, sseq + 1
    w.frame(client, SERVER, tcp(client, SERVER, sport, 80, cseq, sseq, 0x10), True)
    for r in range(requests):
        if w.n >= budget:
            return
        method, path, status, size = PAGES[rnd.randrange(len(PAGES))]
        if "%d" in path:
            path = path % rnd.randrange(1000)
        body = b'{"user": "alice", "action": "ping"}' if method == "POST" else b""
        req = ("%s %s HTTP/1.1\r\nHost: www.example.test\r\nUser-Agent: ApacheBench/2.3\r\n"
               "Accept: */*\r\n" % (method, path)).encode()
        if body:
            req += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        req += b"\r\n" + body
        w.frame(client, SERVER, tcp(client, SERVER, sport, 80, cseq, sseq, 0x18, req), True)
        cseq += len(req)
        reason = "OK" if status == 200 else "Not Found"
        ctype = "application/json" if "api" in path else "text/html"
        head = ("HTTP/1.1 %d %s\r\nServer: nginx/1.22.1\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
                "Content-Type: %s\r\nContent-Length: %d\r\nConnection: keep-alive\r\n\r\n"
                % (status, reason, ctype, size)).encode()
        resp = head + bytes([0x61 + (i % 26) for i in range(size)])
        for off in range(0, len(resp), MSS):
            seg = resp[off:off + MSS]
            w.frame(SERVER, client, tcp(SERVER, client, 80, sport, sseq, cseq, 0x18 if off + MSS >= len(resp) else 0x10,
                                        seg), False)
            sseq += len(seg)
        w.frame(client, SERVER, tcp(client, SERVER, sport, 80, cseq, sseq, 0x10), True)
    w.frame(client, SERVER, tcp(client, SERVER, sport, 80, cseq, sseq, 0x11), True)
    w.frame(SERVER, client, tcp(SERVER, client, 80, sport, sseq, cseq + 1, 0x11), False)
    w.frame(client, SERVER, tcp(client, SERVER, sport, 80, cseq + 1, sseq + 1, 0x10), True)


def dns_lookup(w, rnd, client):
    qid = rnd.randrange(1 << 16)
    sport = 30000 + rnd.randrange(30000)
    q = dns_name("www%d.example.test" % rnd.randrange(50))
    query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)
    w.frame(client, RESOLVER, udp(client, RESOLVER, sport, 53, query), True, proto=17)
    answer = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q + struct.pack("!HH", 1, 1) + \
        b"\xc0\x0c" + struct.pack("!HHIH4s", 1, 1, 300, 4, SERVER)
    w.frame(RESOLVER, client, udp(RESOLVER, client, 53, sport, answer), False, proto=17)


def main():
    out = sys.argv[1]
    frames = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    rnd = random.Random(21)
    w = Writer(out)
    conn = 0
    while w.n < frames:
        client = bytes([10, 77, 1 + conn % 200, 10 + conn % 7])
        if conn % 10 == 0:
            dns_lookup(w, rnd, client)
        http_connection(w, rnd, client, 40000 + conn % 20000, 5 + rnd.randrange(20), frames)
        conn += 1
    w.f.close()


if __name__ == "__main__":
    main()
