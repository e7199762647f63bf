/* test_ippkt.c
 * The transport facts read from a frame's bytes (heuristics/kd_ippkt.c): a TCP
 * segment's flags and payload length, an ICMP unreachable's quoted destination.
 * The frames are corpus frames (captures/pcap), and variants of them.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "kd_ippkt.h"
#include "kd_numbers.h"

/* delegation_not_configured.pcapng frame 6: the KDC (10.88.0.2) accepts
 * 10.88.0.10's connection, SYN-ACK from port 88 to 55140, over Ethernet. */
static const guint8 synack[] = {
    0x0e, 0xf7, 0x58, 0xa3, 0x3a, 0xde, 0x92, 0xeb, 0x6a, 0x25, 0x58, 0x86, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x3c, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x26, 0x01, 0x0a, 0x58, 0x00, 0x02, 0x0a, 0x58,
    0x00, 0x0a, 0x00, 0x58, 0xd7, 0x64, 0xf0, 0x82, 0xa3, 0x9e, 0xfe, 0xe6, 0x57, 0x59, 0xa0, 0x12,
    0xfe, 0x88, 0x14, 0xea, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x45, 0x54,
    0x65, 0xe6, 0x53, 0xd3, 0xbe, 0x24, 0x01, 0x03, 0x03, 0x0a,
};

/* kdc_unreachable_refused.pcapng frame 4: 10.88.0.5 refuses port 88 (RST, ACK to
 * port 34606), with Ethernet padding after the segment. */
static const guint8 rst[] = {
    0x2e, 0xc5, 0x1e, 0xdd, 0x85, 0x7c, 0xbe, 0xd2, 0xbf, 0x21, 0x83, 0xfd, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x26, 0x12, 0x0a, 0x58, 0x00, 0x05, 0x0a, 0x58,
    0x00, 0x0a, 0x00, 0x58, 0x87, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x7a, 0x15, 0xe8, 0xbe, 0x50, 0x14,
    0x00, 0x00, 0xb0, 0xb7, 0x00, 0x00,
};

/* kdc_unreachable_refused.pcapng frame 2, cut after the quoted UDP header: 10.88.0.5
 * answers 10.88.0.10's AS-REQ to port 88 (from 48763) with a port unreachable. */
static const guint8 unreachable[] = {
    0x2e, 0xc5, 0x1e, 0xdd, 0x85, 0x7c, 0xbe, 0xd2, 0xbf, 0x21, 0x83, 0xfd, 0x08, 0x00, 0x45, 0xc0,
    0x00, 0xf1, 0x51, 0x17, 0x00, 0x00, 0x40, 0x01, 0x13, 0x77, 0x0a, 0x58, 0x00, 0x05, 0x0a, 0x58,
    0x00, 0x0a, 0x03, 0x03, 0xa5, 0xf2, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0xd5, 0xb6, 0xce,
    0x40, 0x00, 0x40, 0x11, 0x6e, 0x8b, 0x0a, 0x58, 0x00, 0x0a, 0x0a, 0x58, 0x00, 0x05, 0xbe, 0x7b,
    0x00, 0x58, 0x00, 0xc1, 0x15, 0x91,
};

#define ETH_HEADER 14
#define IPV4_HEADER 20

static const kd_addr kdc2 = { 4, { 10, 88, 0, 2 } };
static const kd_addr kdc5 = { 4, { 10, 88, 0, 5 } };
static const kd_addr client = { 4, { 10, 88, 0, 10 } };

static guint8 *
copy(const guint8 *p, gsize len)
{
    return g_memdup2(p, len);
}

/* The segment from src:sport to dst:dport in p, or FALSE. */
static gboolean
segment(const guint8 *p, gsize len, gsize reported, const kd_addr *src, const kd_addr *dst, guint16 sport,
        guint16 dport, kd_tcp_segment *seg)
{
    gsize ip_at = 0;
    kd_ip_packet ip;
    return kd_ip_packet_find(p, len, reported, src, dst, &ip_at, &ip) &&
           kd_tcp_segment_read(p, len, &ip, sport, dport, seg);
}

static void
test_tcp_flags(void **state)
{
    (void)state;
    kd_tcp_segment seg;
    gsize ip_at = 0;
    kd_ip_packet ip;
    assert_true(kd_ip_packet_find(synack, sizeof synack, sizeof synack, &kdc2, &client, &ip_at, &ip));
    assert_int_equal(ip_at, ETH_HEADER);
    assert_int_equal(ip.proto, KD_IPPROTO_TCP);
    assert_true(kd_tcp_segment_read(synack, sizeof synack, &ip, KERBEROS_PORT, 55140, &seg));
    assert_int_equal(seg.flags, KD_TCP_FLAG_SYN | KD_TCP_FLAG_ACK);
    assert_int_equal(seg.payload_len, 0);

    /* The reset, its Ethernet padding not counted as payload (the IP header's
     * length decides). */
    assert_true(segment(rst, sizeof rst, sizeof rst, &kdc5, &client, KERBEROS_PORT, 34606, &seg));
    assert_int_equal(seg.flags, KD_TCP_FLAG_RST | KD_TCP_FLAG_ACK);
    assert_int_equal(seg.payload_len, 0);

    /* Another connection's segment, or the other direction, is not this one. */
    assert_false(segment(synack, sizeof synack, sizeof synack, &kdc2, &client, KERBEROS_PORT, 55141, &seg));
    assert_false(segment(synack, sizeof synack, sizeof synack, &client, &kdc2, 55140, KERBEROS_PORT, &seg));
    assert_false(segment(synack, sizeof synack, sizeof synack, &kdc5, &client, KERBEROS_PORT, 55140, &seg));
    /* An IPv6 frame's addresses find no IPv4 header. */
    const kd_addr v6 = { 16, { 0xfd } };
    assert_false(segment(synack, sizeof synack, sizeof synack, &v6, &v6, KERBEROS_PORT, 55140, &seg));
}

static void
test_tcp_payload(void **state)
{
    (void)state;
    kd_tcp_segment seg;
    /* The SYN-ACK turned into a segment with 100 bytes of payload: IP total length
     * 60 + 100, the 40-byte TCP header kept, ACK and PSH. Only the header is in the
     * copy (a capture's snap length): the IP header's length decides. */
    guint8 *d = copy(synack, sizeof synack);
    d[ETH_HEADER + 2] = 0x00;
    d[ETH_HEADER + 3] = 60 + 100;
    d[ETH_HEADER + IPV4_HEADER + 13] = KD_TCP_FLAG_ACK | 0x08;
    assert_true(segment(d, sizeof synack, sizeof synack + 100, &kdc2, &client, KERBEROS_PORT, 55140, &seg));
    assert_int_equal(seg.payload_len, 100);
    assert_int_equal(seg.flags & (KD_TCP_FLAG_SYN | KD_TCP_FLAG_RST), 0);

    /* A total length of 0 (a segment offloaded before capture): what the frame
     * reports after the headers. */
    d[ETH_HEADER + 2] = d[ETH_HEADER + 3] = 0;
    assert_true(segment(d, sizeof synack, sizeof synack + 100, &kdc2, &client, KERBEROS_PORT, 55140, &seg));
    assert_int_equal(seg.payload_len, 100);

    /* A total length shorter than the headers: no payload, not a wrapped-around one. */
    d[ETH_HEADER + 3] = 30;
    assert_true(segment(d, sizeof synack, sizeof synack, &kdc2, &client, KERBEROS_PORT, 55140, &seg));
    assert_int_equal(seg.payload_len, 0);

    /* A later fragment carries no TCP header, whatever its bytes look like. */
    d[ETH_HEADER + 6] = 0x00;
    d[ETH_HEADER + 7] = 0xb9;
    assert_false(segment(d, sizeof synack, sizeof synack, &kdc2, &client, KERBEROS_PORT, 55140, &seg));
    g_free(d);
}

/* The IP header is found behind any link layer (a VLAN tag here), and where it was
 * found is tried first on the next frame. */
static void
test_ip_anywhere(void **state)
{
    (void)state;
    guint8 tagged[sizeof synack + 4];
    memcpy(tagged, synack, 12);
    const guint8 tag[] = { 0x81, 0x00, 0x00, 0x2a };
    memcpy(tagged + 12, tag, sizeof tag);
    memcpy(tagged + 16, synack + 12, sizeof synack - 12);
    gsize ip_at = ETH_HEADER;
    kd_ip_packet ip;
    assert_true(kd_ip_packet_find(tagged, sizeof tagged, sizeof tagged, &kdc2, &client, &ip_at, &ip));
    assert_int_equal(ip_at, ETH_HEADER + 4);
    assert_int_equal(ip.l4, ETH_HEADER + 4 + IPV4_HEADER);
    /* A hint past the frame or pointing at other bytes only costs the scan. */
    ip_at = 1000;
    assert_true(kd_ip_packet_find(tagged, sizeof tagged, sizeof tagged, &kdc2, &client, &ip_at, &ip));
    assert_int_equal(ip_at, ETH_HEADER + 4);

    /* Past KD_IPPKT_SCAN_MAX bytes of link layer, no header is looked for. */
    const gsize pad = KD_IPPKT_SCAN_MAX + 1 - ETH_HEADER;
    guint8 *far = g_malloc0(sizeof synack + pad);
    memcpy(far + pad, synack, sizeof synack);
    ip_at = 0;
    assert_false(kd_ip_packet_find(far, sizeof synack + pad, sizeof synack + pad, &kdc2, &client, &ip_at, &ip));
    g_free(far);
}

/* IPv6: the extension headers before TCP are walked; a later fragment has none. */
static void
test_ipv6(void **state)
{
    (void)state;
    guint8 f[14 + 40 + 8 + 20] = { 0 };
    f[12] = 0x86;
    f[13] = 0xdd;
    guint8 *ip6 = f + 14;
    ip6[0] = 0x60;
    ip6[4] = 0;
    ip6[5] = 8 + 20 + 7;        /* hop-by-hop, TCP header, 7 bytes of payload */
    ip6[6] = KD_IPPROTO_V6_HOPOPTS;
    ip6[7] = 64;
    kd_addr a = { 16, { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a } };
    kd_addr b = { 16, { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02 } };
    memcpy(ip6 + 8, a.bytes, 16);
    memcpy(ip6 + 24, b.bytes, 16);
    guint8 *ext = ip6 + 40;
    ext[0] = KD_IPPROTO_TCP;
    ext[1] = 0;                 /* 8 bytes */
    guint8 *tcp = ext + 8;
    tcp[0] = 0xd7;
    tcp[1] = 0x64;
    tcp[3] = KERBEROS_PORT;
    tcp[12] = 0x50;
    tcp[13] = KD_TCP_FLAG_SYN;
    kd_tcp_segment seg;
    assert_true(segment(f, sizeof f, sizeof f + 7, &a, &b, 55140, KERBEROS_PORT, &seg));
    assert_int_equal(seg.flags, KD_TCP_FLAG_SYN);
    assert_int_equal(seg.payload_len, 7);

    /* The same behind a fragment header: the first fragment has TCP's header, a
     * later one none. */
    ip6[6] = KD_IPPROTO_V6_FRAGMENT;
    assert_true(segment(f, sizeof f, sizeof f + 7, &a, &b, 55140, KERBEROS_PORT, &seg));
    ext[3] = 0x08;              /* offset 1 (8 bytes) */
    assert_false(segment(f, sizeof f, sizeof f + 7, &a, &b, 55140, KERBEROS_PORT, &seg));
    ext[3] = 0;
    /* An IPv4 address pair finds no IPv6 header. */
    assert_false(segment(f, sizeof f, sizeof f, &client, &kdc2, 55140, KERBEROS_PORT, &seg));
}

static void
test_icmp_unreachable(void **state)
{
    (void)state;
    gsize ip_at = 0;
    kd_ip_packet ip;
    kd_addr kdc = { 0 };
    assert_true(kd_ip_packet_find(unreachable, sizeof unreachable, 0x00ff, &kdc5, &client, &ip_at, &ip));
    assert_int_equal(ip.proto, KD_IPPROTO_ICMP);
    assert_true(kd_icmp_unreachable_read(unreachable, sizeof unreachable, &ip, KERBEROS_PORT, &kdc));
    assert_int_equal(kdc.len, 4);
    assert_memory_equal(kdc.bytes, kdc5.bytes, 4);

    /* Not about a datagram to port 88; another ICMP type (time exceeded); a quoted
     * TCP segment; a quote cut before the UDP port: no unreachable for the KDC. */
    assert_false(kd_icmp_unreachable_read(unreachable, sizeof unreachable, &ip, KPASSWD_PORT, &kdc));
    guint8 *d = copy(unreachable, sizeof unreachable);
    d[ETH_HEADER + IPV4_HEADER] = 11;
    assert_false(kd_icmp_unreachable_read(d, sizeof unreachable, &ip, KERBEROS_PORT, &kdc));
    memcpy(d, unreachable, sizeof unreachable);
    d[ETH_HEADER + IPV4_HEADER + 8 + 9] = KD_IPPROTO_TCP;
    assert_false(kd_icmp_unreachable_read(d, sizeof unreachable, &ip, KERBEROS_PORT, &kdc));
    g_free(d);
    for (gsize n = 0; n <= sizeof unreachable; n++) {
        guint8 *cut = copy(unreachable, n ? n : 1);
        gboolean found = kd_ip_packet_find(cut, n, n, &kdc5, &client, &ip_at, &ip) &&
                         kd_icmp_unreachable_read(cut, n, &ip, KERBEROS_PORT, &kdc);
        assert_true(found == (n >= ETH_HEADER + IPV4_HEADER + 8 + IPV4_HEADER + 4));
        g_free(cut);
    }
}

/* The look-alike: the KDC's request frame itself (UDP to port 88, the same
 * addresses in the request's direction) is no unreachable, nor a TCP segment. */
static void
test_request_is_no_unreachable(void **state)
{
    (void)state;
    /* The quoted datagram, as it went: from 10.88.0.10 to 10.88.0.5, UDP. */
    const gsize q = ETH_HEADER + IPV4_HEADER + 8;
    guint8 f[ETH_HEADER + sizeof unreachable - q];
    memcpy(f, unreachable, ETH_HEADER);
    memcpy(f + ETH_HEADER, unreachable + q, sizeof unreachable - q);
    gsize ip_at = 0;
    kd_ip_packet ip;
    kd_addr kdc = { 0 };
    kd_tcp_segment seg;
    assert_true(kd_ip_packet_find(f, sizeof f, sizeof f, &client, &kdc5, &ip_at, &ip));
    assert_int_equal(ip.proto, KD_IPPROTO_UDP);
    assert_false(kd_icmp_unreachable_read(f, sizeof f, &ip, KERBEROS_PORT, &kdc));
    assert_false(kd_tcp_segment_read(f, sizeof f, &ip, 48763, KERBEROS_PORT, &seg));
}

/* Every prefix of each frame, in an exactly-sized copy: nothing read past it
 * (AddressSanitizer in the sanitizer build), and a segment read only with its
 * fixed header (ports, data offset, flags) captured. */
static void
test_hostile(void **state)
{
    (void)state;
    const struct {
        const guint8 *p;
        gsize len;
        const kd_addr *src, *dst;
        guint16 sport, dport;
    } frames[] = {
        { synack, sizeof synack, &kdc2, &client, KERBEROS_PORT, 55140 },
        { rst, sizeof rst, &kdc5, &client, KERBEROS_PORT, 34606 },
    };
    for (gsize f = 0; f < G_N_ELEMENTS(frames); f++) {
        for (gsize n = 0; n <= frames[f].len; n++) {
            guint8 *cut = copy(frames[f].p, n ? n : 1);
            kd_tcp_segment seg;
            gboolean whole = segment(cut, n, frames[f].len, frames[f].src, frames[f].dst, frames[f].sport,
                                     frames[f].dport, &seg);
            assert_true(whole == (n >= ETH_HEADER + IPV4_HEADER + 20));
            g_free(cut);
        }
    }
    /* Every header length and extension length a byte can state, over random bytes:
     * no read past the buffer. */
    GRand *r = g_rand_new_with_seed(88);
    for (guint round = 0; round < 20000; round++) {
        guint8 buf[96];
        for (gsize i = 0; i < sizeof buf; i++)
            buf[i] = (guint8)g_rand_int(r);
        const gboolean v6 = round & 1;
        const gsize at = g_rand_int_range(r, 0, 24);
        buf[at] = (guint8)((v6 ? 0x60 : 0x40) | (buf[at] & 0x0f));
        kd_addr s = { v6 ? 16 : 4, { 0 } }, d = { v6 ? 16 : 4, { 0 } };
        memcpy(s.bytes, buf + at + (v6 ? 8 : 12), v6 ? 16 : 4);
        memcpy(d.bytes, buf + at + (v6 ? 24 : 16), v6 ? 16 : 4);
        const gsize len = g_rand_int_range(r, 0, sizeof buf + 1);
        guint8 *cut = copy(buf, len ? len : 1);
        gsize ip_at = g_rand_int_range(r, 0, 200);
        kd_ip_packet ip;
        kd_tcp_segment seg;
        kd_addr kdc;
        if (kd_ip_packet_find(cut, len, len, &s, &d, &ip_at, &ip)) {
            assert_true(ip_at < len);
            (void)kd_tcp_segment_read(cut, len, &ip, 1, 2, &seg);
            if (kd_icmp_unreachable_read(cut, len, &ip, KERBEROS_PORT, &kdc))
                assert_int_equal(kdc.len, 4);
        }
        g_free(cut);
    }
    g_rand_free(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_flags),
        cmocka_unit_test(test_tcp_payload),
        cmocka_unit_test(test_ip_anywhere),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_icmp_unreachable),
        cmocka_unit_test(test_request_is_no_unreachable),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
