/* kd_ippkt.h
 * A bounded reader for the transport facts krbdiag needs from a frame's own
 * bytes: a TCP segment's flags and payload length, and an ICMP destination
 * unreachable quoting a UDP datagram. The frame's IP header is found by the
 * addresses (and the segment by the ports) the frame's dissection reported, so
 * any link layer, VLAN tag or tunnel before it is skipped without being parsed.
 *
 * Reading these from the bytes of the few frames that can matter (TCP to or from
 * port 88, an ICMP error about a datagram to port 88) instead of asking Wireshark
 * for TCP's SYN-ACK and reset items, its segment length and ICMP's type keeps those
 * fields from being marked before every frame, and tcp.len's items from being
 * built on every TCP segment.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_IPPKT_H
#define KD_IPPKT_H

#include <glib.h>

#include "kd_obs.h"         /* kd_addr */

/* How far into a frame its IP header may start (link layers, radio headers, VLAN
 * tags and tunnel headers together are far shorter). */
#define KD_IPPKT_SCAN_MAX 256

/* RFC 9293 3.1: the control bits in byte 13 of the TCP header. */
#define KD_TCP_FLAG_SYN 0x02
#define KD_TCP_FLAG_RST 0x04
#define KD_TCP_FLAG_ACK 0x10

/* A frame's IP packet: its protocol (after IPv6's extension headers), and where
 * that protocol's header starts. */
typedef struct {
    guint8 proto;           /* KD_IPPROTO_* */
    gboolean has_l4;        /* FALSE: a later fragment, no transport header */
    gsize l4;               /* the transport header's offset in the frame */
    gsize l4_len;           /* what the IP header says the transport part takes */
} kd_ip_packet;

/* The IP header from src to dst in a frame's bytes (len captured of reported), IPv4
 * or IPv6 as the addresses are. ip_at: where to look first (any value will do);
 * else the first within KD_IPPKT_SCAN_MAX bytes is taken, and ip_at set to it.
 * FALSE when there is none. */
gboolean kd_ip_packet_find(const guint8 *p, gsize len, gsize reported, const kd_addr *src, const kd_addr *dst,
                           gsize *ip_at, kd_ip_packet *out);

typedef struct {
    guint8 flags;           /* KD_TCP_FLAG_* */
    guint32 payload_len;    /* what the IP header says follows the TCP header */
} kd_tcp_segment;

/* The TCP segment from sport to dport the packet ip carries. FALSE when the packet
 * carries no such segment's header whole. */
gboolean kd_tcp_segment_read(const guint8 *p, gsize len, const kd_ip_packet *ip, guint16 sport, guint16 dport,
                             kd_tcp_segment *out);

/* Whether the packet ip is an ICMP (IPv4) destination unreachable about a UDP
 * datagram to quoted_dport: the datagram's destination into kdc. FALSE for
 * anything else (another ICMP type, a quoted TCP segment, a quote too short). */
gboolean kd_icmp_unreachable_read(const guint8 *p, gsize len, const kd_ip_packet *ip, guint16 quoted_dport,
                                  kd_addr *kdc);

#endif /* KD_IPPKT_H */
