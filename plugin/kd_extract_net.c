/* kd_extract_net.c
 * Transport signs of a KDC that does not answer (an ICMP port unreachable for a
 * request to it, a SYN without answer, a RST from it) and the connection facts
 * the DCE/RPC rules weigh (a host connecting to itself, a lost segment).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

/* RFC 792: an ICMP error's quoted datagram starts 8 bytes after the ICMP type. */
#define KD_ICMP_QUOTE_OFFSET 8
/* RFC 791: an IPv4 header (version 4, at least 20 bytes, protocol at byte 9,
 * destination at byte 16). */
#define KD_IPV4_VERSION 4
#define KD_IPV4_MIN_HEADER 20
#define KD_IPV4_PROTOCOL_OFFSET 9
#define KD_IPV4_DST_OFFSET 16
#define KD_IPPROTO_UDP 17
/* RFC 768: the UDP destination port at byte 2 of the header. */
#define KD_UDP_DSTPORT_OFFSET 2

/* The ICMP unreachable quoting a UDP datagram to a KDC: one transport observation. */
static guint
icmp_unreachable(const kd_frame *fr, const field_info *icmp, kd_obs *obs, guint n_obs)
{
    /* Read the quoted destination and UDP destination port from the bytes
     * themselves (cheaper than asking for ip.dst and udp.dstport on every frame). */
    tvbuff_t *t = icmp->ds_tvb;
    gint ip = icmp->start + KD_ICMP_QUOTE_OFFSET;
    if (!t || n_obs >= KD_MAX_OBS_PER_FRAME || !tvb_bytes_exist(t, ip, KD_IPV4_MIN_HEADER) ||
        (kd_tvb_get_u8(t, ip) >> 4) != KD_IPV4_VERSION ||
        kd_tvb_get_u8(t, ip + KD_IPV4_PROTOCOL_OFFSET) != KD_IPPROTO_UDP)
        return n_obs;
    gint udp = ip + (kd_tvb_get_u8(t, ip) & 0x0f) * 4;
    if (!tvb_bytes_exist(t, udp, 4) || tvb_get_ntohs(t, udp + KD_UDP_DSTPORT_OFFSET) != KERBEROS_PORT)
        return n_obs;
    kd_obs *o = &obs[n_obs++];
    kd_obs_init(o, KD_OBS_TRANSPORT);
    kd_obs_header(fr->pinfo, o);
    o->u.net.event = KD_NET_ICMP_UNREACHABLE;
    o->u.net.kdc.len = 4;
    tvb_memcpy(t, o->u.net.kdc.bytes, ip + KD_IPV4_DST_OFFSET, 4);
    return n_obs;
}

/* An ICMP error quotes the datagram it is about: a request to a KDC that does
 * not listen. Its quoted Kerberos message is not a new request. ICMP's type is
 * wanted only while a request to port 88 over UDP waits for its answer; outside
 * that window a quoted Kerberos message is still not read as a request (the frame's
 * layers name ICMP), and no unreachable is reported: no request of the capture
 * waits for it. */
guint
kd_read_icmp(const kd_frame *fr, kd_obs *obs, guint n_obs, gboolean *is_icmp)
{
    field_info *icmp = NULL;
    for (guint i = 0; i < fr->n; i++) {
        if (fr->it[i].role == KF_ICMP_TYPE && kd_item_int(fr->it[i].fi) == KD_ICMP_DEST_UNREACHABLE)
            icmp = fr->it[i].fi;
    }
    /* The layers are walked only for a Kerberos message outside TCP: a quoted TCP
     * header carries no message, and most Kerberos frames are not ICMP errors. */
    *is_icmp = icmp != NULL || (!kd_field_primed(KF_ICMP_TYPE) && fr->seen[KF_KRB_MSG_TYPE] &&
                                fr->pinfo->ptype != PT_TCP && proto_is_frame_protocol(fr->pinfo->layers, "icmp"));
    return icmp ? icmp_unreachable(fr, icmp, obs, n_obs) : n_obs;
}

static guint
add_net_event(const kd_frame *fr, kd_obs *obs, guint n_obs, kd_net_event event)
{
    kd_obs *o = &obs[n_obs];
    kd_obs_init(o, KD_OBS_TRANSPORT);
    kd_obs_header(fr->pinfo, o);
    o->u.net.event = event;
    return n_obs + 1;
}

/* Payload to the KDC that yields no Kerberos message (a segment whose reassembly
 * never completes): still a request on its connection, which the KDC's answer on
 * that connection answers. */
gboolean
kd_partial_request(const kd_frame *fr)
{
    gboolean payload = FALSE;
    gboolean krb = FALSE;
    for (guint i = 0; i < fr->n; i++) {
        payload = payload || (fr->it[i].role == KF_TCP_PAYLOAD_LEN && kd_item_int(fr->it[i].fi) > 0);
        krb = krb || fr->it[i].role == KF_KRB_MSG_TYPE;
    }
    return payload && !krb && fr->pinfo->destport == KERBEROS_PORT && fr->pinfo->srcport != KERBEROS_PORT;
}

guint
kd_read_tcp(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    packet_info *pinfo = fr->pinfo;
    if (pinfo->ptype != PT_TCP || n_obs >= KD_MAX_OBS_PER_FRAME)
        return n_obs;
    /* TCP's expert items: a SYN without ACK to the KDC, a RST from it. */
    gboolean syn = fr->seen[KF_TCP_SYN] && pinfo->destport == KERBEROS_PORT;
    gboolean rst = fr->seen[KF_TCP_RST] && pinfo->srcport == KERBEROS_PORT;
    if (syn || rst) {
        n_obs = add_net_event(fr, obs, n_obs, rst ? KD_NET_TCP_RESET : KD_NET_TCP_SYN);
        obs[n_obs - 1].u.net.kdc = rst ? obs[n_obs - 1].src : obs[n_obs - 1].dst;
    }
    /* Connection facts the DCE/RPC rules weigh: a connection to the host's own
     * address, a segment the capture lost. */
    const kd_net_event facts[2] = { KD_NET_TCP_SELF_CONNECT, KD_NET_TCP_LOST_SEGMENT };
    const gboolean has_fact[2] = { fr->seen[KF_TCP_SYN] && kd_self_connection(pinfo),
                                   fr->seen[KF_TCP_LOST] || fr->seen[KF_TCP_ACK_LOST] };
    for (guint f = 0; f < G_N_ELEMENTS(facts) && n_obs < KD_MAX_OBS_PER_FRAME; f++) {
        if (has_fact[f])
            n_obs = add_net_event(fr, obs, n_obs, facts[f]);
    }
    if (n_obs < KD_MAX_OBS_PER_FRAME && fr->partial_request) {
        n_obs = add_net_event(fr, obs, n_obs, KD_NET_TCP_PARTIAL_REQUEST);
        obs[n_obs - 1].u.net.kdc = obs[n_obs - 1].dst;
    }
    return n_obs;
}
