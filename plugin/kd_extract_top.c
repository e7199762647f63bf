/* kd_extract_top.c
 * What krbdiag reads from the frame's top-level protocol items (IP, TCP, HTTP,
 * DNS), which Wireshark builds on every frame whoever asks: a TCP segment's flags
 * and payload length, an HTTP response's status, where a DNS message is. Asking for tcp.flags, tcp.len or
 * http.response.code instead would mark them before every frame and build their
 * items on most frames of an ordinary capture; these are read only on the few
 * frames whose ports or connection make them matter.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

#include <string.h>


/* RFC 9293 3.1: the data offset (high nibble of byte 12, in 32-bit words) and the
 * flags (byte 13) of a TCP header of at least 20 bytes. */
#define KD_TCP_MIN_HEADER 20
#define KD_TCP_OFFSET_BYTE 12
#define KD_TCP_FLAGS_BYTE 13
/* RFC 791: an IPv4 header's total length at byte 2 (0 when a NIC segments it). RFC
 * 8200: an IPv6 header's payload length at byte 4, after its own 40 bytes. */
#define KD_IPV4_TOTAL_LENGTH_OFFSET 2
#define KD_IPV6_PAYLOAD_LENGTH_OFFSET 4
#define KD_IPV6_HEADER_LEN 40
/* RFC 9110 4.2 / 15: "HTTP/1.1 400 Reason": the status code follows the version. */
#define KD_HTTP_VERSION_PREFIX "HTTP/"
#define KD_HTTP_CODE_DIGITS 3

/* Connections (both directions) whose HTTP carried authentication, by a 64-bit
 * fingerprint of their endpoints: only their answers are read for a 400. Open
 * addressing in a fixed table: bounded memory; a full table takes no more (their
 * 400s go unread), a fingerprint collision only costs one reading. */
#define KD_HTTP_WATCH_SLOTS 4096
static guint64 http_watch[KD_HTTP_WATCH_SLOTS];
static guint http_watched;
/* The ports of the watched connections, by their low bits: a frame both of whose
 * ports are unmarked is on no watched connection, without computing its key. */
#define KD_HTTP_WATCH_BITS 1024
static guint32 http_ports[KD_HTTP_WATCH_BITS / 32];

static inline gboolean
port_marked(guint32 port)
{
    return (http_ports[(port % KD_HTTP_WATCH_BITS) / 32] >> (port % 32)) & 1;
}

static int proto_ip = -1, proto_ipv6 = -1, proto_tcp = -1, proto_http = -1, proto_dns = -1;

void
kd_top_init(void)
{
    proto_ip = proto_get_id_by_filter_name("ip");
    proto_ipv6 = proto_get_id_by_filter_name("ipv6");
    proto_tcp = proto_get_id_by_filter_name("tcp");
    proto_http = proto_get_id_by_filter_name("http");
    proto_dns = proto_get_id_by_filter_name("dns");
}

void
kd_top_reset(void)
{
    memset(http_watch, 0, sizeof http_watch);
    memset(http_ports, 0, sizeof http_ports);
    http_watched = 0;
}

static void
top_item(proto_node *node, gpointer data)
{
    kd_top_items *t = data;
    const field_info *fi = PNODE_FINFO(node);
    if (!fi || !fi->hfinfo)
        return;
    const int id = fi->hfinfo->id;
    if ((id == proto_ip || id == proto_ipv6) && !t->tcp) {
        t->ip = fi;                 /* the last IP header before TCP (tunnels) */
        t->ip_v6 = id == proto_ipv6;
    } else if (id == proto_tcp && !t->tcp) {
        t->tcp = fi;
    } else if (id == proto_http && t->n_http < KD_MAX_TOP_HTTP) {
        t->http[t->n_http++] = fi;
    } else if (id == proto_dns && t->n_dns < KD_MAX_TOP_DNS) {
        t->dns[t->n_dns++] = fi;
    }
}

void
kd_top_items_of(proto_tree *tree, kd_top_items *t)
{
    memset(t, 0, sizeof(*t));
    if (tree)
        proto_tree_children_foreach(tree, top_item, t);
}

/* Where the IP packet holding the TCP header ends in their buffer, or -1. */
static gint
ip_end(const kd_top_items *t)
{
    const field_info *ip = t->ip;
    tvbuff_t *b = ip ? ip->ds_tvb : NULL;
    if (!b || b != t->tcp->ds_tvb)
        return -1;
    if (!t->ip_v6 && tvb_bytes_exist(b, ip->start, KD_IPV4_TOTAL_LENGTH_OFFSET + 2)) {
        guint16 total = tvb_get_ntohs(b, ip->start + KD_IPV4_TOTAL_LENGTH_OFFSET);
        /* A segmentation-offloaded packet says 0: it runs to the end of the frame. */
        return total ? ip->start + total : (gint)tvb_reported_length(b);
    }
    if (t->ip_v6 && tvb_bytes_exist(b, ip->start, KD_IPV6_PAYLOAD_LENGTH_OFFSET + 2))
        return ip->start + KD_IPV6_HEADER_LEN + tvb_get_ntohs(b, ip->start + KD_IPV6_PAYLOAD_LENGTH_OFFSET);
    return -1;
}

gboolean
kd_tcp_segment_of(const kd_top_items *t, kd_tcp_segment *s)
{
    const field_info *tcp = t->tcp;
    memset(s, 0, sizeof(*s));
    if (!tcp || !tcp->ds_tvb || tcp->start < 0 || !tvb_bytes_exist(tcp->ds_tvb, tcp->start, KD_TCP_MIN_HEADER))
        return FALSE;
    s->flags = kd_tvb_get_u8(tcp->ds_tvb, tcp->start + KD_TCP_FLAGS_BYTE);
    gint header = (kd_tvb_get_u8(tcp->ds_tvb, tcp->start + KD_TCP_OFFSET_BYTE) >> 4) * 4;
    gint end = ip_end(t);
    s->payload = end < 0 ? -1 : MAX(0, end - (tcp->start + header));
    return TRUE;
}

/* ------------------------------------------------------------ HTTP answers */

/* An endpoint's address (its last 8 bytes: all of IPv4, the interface part of
 * IPv6) and port in 64 bits, mixed; cheap enough for every TCP frame. */
static guint64
endpoint_hash(const address *a, guint32 port)
{
    guint64 v = 0;
    if (a->data && a->len > 0) {
        gsize n = MIN((gsize)a->len, sizeof v);
        memcpy(&v, (const guint8 *)a->data + a->len - n, n);
    }
    v ^= (guint64)port << 48 ^ (guint64)a->type << 40;
    v *= G_GUINT64_CONSTANT(0x9E3779B97F4A7C15);
    return v ^ (v >> 29);
}

/* Both directions of a connection give one fingerprint, never 0 (an empty slot). */
static guint64
connection_key(const packet_info *pinfo)
{
    guint64 a = endpoint_hash(&pinfo->src, pinfo->srcport), b = endpoint_hash(&pinfo->dst, pinfo->destport);
    guint64 k = a < b ? a * 31 + b : b * 31 + a;
    return k ? k : 1;
}

/* The slot holding key, or the empty slot where it would go; NULL when full. */
static guint64 *
watch_slot(guint64 key)
{
    for (guint i = 0; i < KD_HTTP_WATCH_SLOTS; i++) {
        guint64 *slot = &http_watch[(key + i) % KD_HTTP_WATCH_SLOTS];
        if (*slot == key || *slot == 0)
            return slot;
    }
    return NULL;
}

void
kd_http_watch(const packet_info *pinfo)
{
    /* Three quarters full at most: probes stay short. */
    if (pinfo->ptype != PT_TCP || http_watched >= KD_HTTP_WATCH_SLOTS / 4 * 3)
        return;
    guint64 key = connection_key(pinfo);
    guint64 *slot = watch_slot(key);
    if (slot && *slot == 0) {
        *slot = key;
        http_watched++;
        http_ports[(pinfo->srcport % KD_HTTP_WATCH_BITS) / 32] |= 1u << (pinfo->srcport % 32);
        http_ports[(pinfo->destport % KD_HTTP_WATCH_BITS) / 32] |= 1u << (pinfo->destport % 32);
    }
}

gboolean
kd_http_watched(const packet_info *pinfo)
{
    if (!http_watched || pinfo->ptype != PT_TCP || !port_marked(pinfo->srcport) || !port_marked(pinfo->destport))
        return FALSE;
    guint64 key = connection_key(pinfo);
    guint64 *slot = watch_slot(key);
    return slot && *slot == key;
}

gint
kd_http_bad_request(const kd_top_items *t, tvbuff_t **tvb)
{
    const gint prefix = (gint)strlen(KD_HTTP_VERSION_PREFIX);
    for (guint i = 0; i < t->n_http; i++) {
        const field_info *fi = t->http[i];
        tvbuff_t *b = fi->ds_tvb;
        if (!b || fi->start < 0 || tvb_strneql(b, fi->start, KD_HTTP_VERSION_PREFIX, prefix) != 0)
            continue;
        gint sp = kd_tvb_find_u8(b, fi->start + prefix, 16, ' ');
        if (sp < 0 || !tvb_bytes_exist(b, sp + 1, KD_HTTP_CODE_DIGITS + 1))
            continue;
        gint status = 0;
        for (gint d = 0; d < KD_HTTP_CODE_DIGITS && status >= 0; d++) {
            guint8 c = kd_tvb_get_u8(b, sp + 1 + d);
            status = g_ascii_isdigit(c) ? status * 10 + (c - '0') : -1;
        }
        if (status == KD_HTTP_BAD_REQUEST) {
            *tvb = b;
            return sp + 1;
        }
    }
    return -1;
}
