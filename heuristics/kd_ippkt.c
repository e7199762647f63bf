/* kd_ippkt.c
 * TCP flags and payload length, and ICMP unreachables, read from a frame's bytes
 * (kd_ippkt.h).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_ippkt.h"
#include "kd_numbers.h"

#include <string.h>

/* RFC 791 3.1: version and header length in byte 0, total length at 2, fragment
 * offset at 6 (13 bits), protocol at 9, addresses at 12 and 16. */
#define IPV4_MIN_HEADER 20
#define IPV4_TOTAL_LEN_OFFSET 2
#define IPV4_FRAGMENT_OFFSET 6
#define IPV4_FRAGMENT_OFFSET_MASK 0x1fff
#define IPV4_PROTOCOL_OFFSET 9
#define IPV4_SRC_OFFSET 12
#define IPV4_DST_OFFSET 16
/* RFC 8200 3, 4: payload length at 4, next header at 6, addresses at 8 and 24;
 * extension headers state their length in byte 1, a fragment's offset in bytes 2-3. */
#define IPV6_HEADER 40
#define IPV6_PAYLOAD_LEN_OFFSET 4
#define IPV6_NEXT_HEADER_OFFSET 6
#define IPV6_SRC_OFFSET 8
#define IPV6_DST_OFFSET 24
#define IPV6_MAX_EXTENSIONS 8
/* RFC 9293 3.1: ports at 0 and 2, data offset (words) in the high nibble of 12,
 * control bits at 13. */
#define TCP_MIN_HEADER 20
#define TCP_DATA_OFFSET_OFFSET 12
#define TCP_FLAGS_OFFSET 13
/* RFC 792: an ICMP error's quoted datagram starts 8 bytes after its type. RFC 768:
 * the UDP destination port at byte 2. */
#define ICMP_QUOTE_OFFSET 8
#define UDP_DSTPORT_OFFSET 2

static guint16
be16(const guint8 *p)
{
    return (guint16)(p[0] << 8 | p[1]);
}

/* The length of the packet's transport part: the IP header's, or (0, a segment
 * offloaded before capture) the rest of what the frame reports. */
static gsize
transport_len(gsize stated, gsize ip_len_so_far, gsize start, gsize reported)
{
    if (stated)
        return stated > ip_len_so_far ? stated - ip_len_so_far : 0;
    return reported > start ? reported - start : 0;
}

/* Whether p[i] starts a header of this IP version, its fixed part captured, from
 * src to dst (the addresses at src_at and dst_at in it). */
static gboolean
addressed_header(const guint8 *p, gsize len, gsize i, guint version, gsize fixed_len, gsize src_at, gsize dst_at,
                 const kd_addr *src, const kd_addr *dst)
{
    return i + fixed_len <= len && (p[i] >> 4) == version && memcmp(p + i + src_at, src->bytes, src->len) == 0 &&
           memcmp(p + i + dst_at, dst->bytes, dst->len) == 0;
}

/* An IPv4 header at p[i] from src to dst. */
static gboolean
ipv4_at(const guint8 *p, gsize len, gsize reported, gsize i, const kd_addr *src, const kd_addr *dst,
        kd_ip_packet *out)
{
    if (!addressed_header(p, len, i, 4, IPV4_MIN_HEADER, IPV4_SRC_OFFSET, IPV4_DST_OFFSET, src, dst))
        return FALSE;
    gsize ihl = (gsize)(p[i] & 0x0f) * 4;
    if (ihl < IPV4_MIN_HEADER)
        return FALSE;
    out->proto = p[i + IPV4_PROTOCOL_OFFSET];
    out->has_l4 = (be16(p + i + IPV4_FRAGMENT_OFFSET) & IPV4_FRAGMENT_OFFSET_MASK) == 0;
    out->l4 = i + ihl;
    out->l4_len = transport_len(be16(p + i + IPV4_TOTAL_LEN_OFFSET), ihl, out->l4, reported);
    return TRUE;
}

/* An IPv6 header at p[i] from src to dst, its extension headers (hop-by-hop,
 * routing, destination options, fragment, AH) walked to the protocol after them. */
static gboolean
ipv6_at(const guint8 *p, gsize len, gsize reported, gsize i, const kd_addr *src, const kd_addr *dst,
        kd_ip_packet *out)
{
    if (!addressed_header(p, len, i, 6, IPV6_HEADER, IPV6_SRC_OFFSET, IPV6_DST_OFFSET, src, dst))
        return FALSE;
    guint8 next = p[i + IPV6_NEXT_HEADER_OFFSET];
    gsize at = i + IPV6_HEADER;
    out->has_l4 = TRUE;
    for (guint n = 0;; n++) {
        gsize ext_len;
        if (at + 8 > len)
            break;      /* what follows is not captured: the caller finds no header */
        switch (next) {
        case KD_IPPROTO_V6_HOPOPTS:
        case KD_IPPROTO_V6_ROUTING:
        case KD_IPPROTO_V6_DSTOPTS:
            ext_len = ((gsize)p[at + 1] + 1) * 8;
            break;
        case KD_IPPROTO_V6_FRAGMENT:
            out->has_l4 = out->has_l4 && (be16(p + at + 2) >> 3) == 0;
            ext_len = 8;
            break;
        case KD_IPPROTO_AH:
            ext_len = ((gsize)p[at + 1] + 2) * 4;
            break;
        default:
            ext_len = 0;
            break;
        }
        if (!ext_len)
            break;
        if (n == IPV6_MAX_EXTENSIONS)
            return FALSE;
        next = p[at];
        at += ext_len;
    }
    out->proto = next;
    out->l4 = at;
    out->l4_len = transport_len(be16(p + i + IPV6_PAYLOAD_LEN_OFFSET), at - i - IPV6_HEADER, at, reported);
    return TRUE;
}

static gboolean
ip_at_offset(const guint8 *p, gsize len, gsize reported, gsize i, const kd_addr *src, const kd_addr *dst,
             kd_ip_packet *out)
{
    return src->len == 4 ? ipv4_at(p, len, reported, i, src, dst, out) : ipv6_at(p, len, reported, i, src, dst, out);
}

gboolean
kd_ip_packet_find(const guint8 *p, gsize len, gsize reported, const kd_addr *src, const kd_addr *dst,
                  gsize *ip_at, kd_ip_packet *out)
{
    if (!p || src->len != dst->len || (src->len != 4 && src->len != 16))
        return FALSE;
    if (*ip_at < len && ip_at_offset(p, len, reported, *ip_at, src, dst, out))
        return TRUE;
    const gsize last = MIN(len, (gsize)KD_IPPKT_SCAN_MAX);
    for (gsize i = 0; i < last; i++) {
        if (ip_at_offset(p, len, reported, i, src, dst, out)) {
            *ip_at = i;
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
kd_tcp_segment_read(const guint8 *p, gsize len, const kd_ip_packet *ip, guint16 sport, guint16 dport,
                    kd_tcp_segment *out)
{
    if (ip->proto != KD_IPPROTO_TCP || !ip->has_l4 || ip->l4 + TCP_MIN_HEADER > len)
        return FALSE;
    const guint8 *t = p + ip->l4;
    gsize header = (gsize)(t[TCP_DATA_OFFSET_OFFSET] >> 4) * 4;
    if (be16(t) != sport || be16(t + 2) != dport || header < TCP_MIN_HEADER)
        return FALSE;
    out->flags = t[TCP_FLAGS_OFFSET];
    out->payload_len = ip->l4_len > header ? (guint32)MIN(ip->l4_len - header, (gsize)G_MAXUINT32) : 0;
    return TRUE;
}

gboolean
kd_icmp_unreachable_read(const guint8 *p, gsize len, const kd_ip_packet *ip, guint16 quoted_dport, kd_addr *kdc)
{
    if (ip->proto != KD_IPPROTO_ICMP || !ip->has_l4 || ip->l4 >= len || p[ip->l4] != KD_ICMP_DEST_UNREACHABLE)
        return FALSE;
    const gsize q = ip->l4 + ICMP_QUOTE_OFFSET;
    if (q + IPV4_MIN_HEADER > len || (p[q] >> 4) != 4 || p[q + IPV4_PROTOCOL_OFFSET] != KD_IPPROTO_UDP)
        return FALSE;
    const gsize udp = q + (gsize)(p[q] & 0x0f) * 4;
    if (udp + 4 > len || be16(p + udp + UDP_DSTPORT_OFFSET) != quoted_dport)
        return FALSE;
    kdc->len = 4;
    memcpy(kdc->bytes, p + q + IPV4_DST_OFFSET, 4);
    return TRUE;
}
