/* kd_extract_net.c
 * Transport signs of a KDC that does not answer (an ICMP port unreachable for a
 * request to it, a SYN without answer, a RST from it) and the connection facts
 * the DCE/RPC rules weigh (a host connecting to itself, a lost segment).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

/* An ICMP error quotes the datagram it is about: a request to a KDC that does
 * not listen. Its quoted Kerberos message is not a new request. An unreachable is
 * read (from the frame's bytes, kd_ippkt.h) only while a request to port 88 over
 * UDP waits for its answer; outside that window a quoted Kerberos message is still
 * not read as a request (the frame's layers name ICMP), and no unreachable is
 * reported: no request of the capture waits for it. */
guint
kd_read_icmp(const kd_frame *fr, kd_obs *obs, guint n_obs, gboolean *is_icmp)
{
    const kd_addr *kdc = kd_header_icmp_kdc(fr->pinfo);
    /* Only a Kerberos message outside TCP can be a quoted one (a quoted TCP header
     * carries no message). The IP packet's protocol tells, where the relevance test
     * read it (UDP to port 88); otherwise the frame's layers are walked. */
    const guint8 proto = kd_header_ip_proto(fr->pinfo);
    *is_icmp = kdc != NULL ||
               (fr->seen[KF_KRB_MSG_TYPE] && fr->pinfo->ptype != PT_TCP &&
                (proto ? proto == KD_IPPROTO_ICMP : proto_is_frame_protocol(fr->pinfo->layers, "icmp")));
    if (!kdc || n_obs >= KD_MAX_OBS_PER_FRAME)
        return n_obs;
    kd_obs *o = &obs[n_obs++];
    kd_obs_init(o, KD_OBS_TRANSPORT);
    kd_obs_header(fr->pinfo, o);
    o->u.net.event = KD_NET_ICMP_UNREACHABLE;
    o->u.net.kdc = *kdc;
    return n_obs;
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
    /* The role is there only for a segment with payload (kd_fields.c). */
    return fr->seen[KF_TCP_PAYLOAD_LEN] && !fr->seen[KF_KRB_MSG_TYPE] && fr->pinfo->destport == KERBEROS_PORT &&
           fr->pinfo->srcport != KERBEROS_PORT;
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
