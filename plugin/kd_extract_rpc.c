/* kd_extract_rpc.c
 * DCE/RPC (statuses, rejections, the Kerberos error inside a refusal's auth
 * verifier, the PDU carrying a Kerberos token) and DCOM (the addresses an
 * OXID resolver answers with).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

#include <string.h>

#include "kd_gsskrb.h"

/* The longest verifier read after a sec_trailer (auth_len is 16 bits; Kerberos
 * errors are far smaller). */
#define KD_MAX_VERIFIER 8192
#define KD_MAX_EDATA 4096

/* C706 12.6.3: the common header (version 5 for connection-oriented PDUs), the
 * data representation's integer format (little-endian when bit 0x10 of its first
 * byte is set), the fragment and auth lengths; a Fault's status and a bind_nak's
 * reject reason. */
#define KD_RPC_CN_VERSION 5
#define KD_RPC_HEADER_LEN 16
#define KD_RPC_PTYPE_OFFSET 2
#define KD_RPC_FLAGS_OFFSET 3
#define KD_RPC_DREP_OFFSET 4
#define KD_RPC_DREP_LITTLE_ENDIAN 0x10
#define KD_RPC_FRAG_LEN_OFFSET 8
#define KD_RPC_AUTH_LEN_OFFSET 10
#define KD_RPC_FAULT_CODE_OFFSET 24
#define KD_RPC_REJECT_REASON_OFFSET 16

static guint16
rpc_u16(const kd_rpc_pdu *p, gint off)
{
    return p->little_endian ? tvb_get_letohs(p->fi->ds_tvb, off) : tvb_get_ntohs(p->fi->ds_tvb, off);
}

static guint32
rpc_u32(const kd_rpc_pdu *p, gint off)
{
    return p->little_endian ? tvb_get_letohl(p->fi->ds_tvb, off) : tvb_get_ntohl(p->fi->ds_tvb, off);
}

gboolean
kd_rpc_pdu_read(const field_info *fi, kd_rpc_pdu *p)
{
    memset(p, 0, sizeof(*p));
    p->trailer = -1;
    tvbuff_t *t = fi->ds_tvb;
    if (!t || fi->start < 0 || !tvb_bytes_exist(t, fi->start, KD_RPC_HEADER_LEN) ||
        kd_tvb_get_u8(t, fi->start) != KD_RPC_CN_VERSION)
        return FALSE;
    p->fi = fi;
    p->ptype = kd_tvb_get_u8(t, fi->start + KD_RPC_PTYPE_OFFSET);
    p->flags = kd_tvb_get_u8(t, fi->start + KD_RPC_FLAGS_OFFSET);
    p->little_endian = (kd_tvb_get_u8(t, fi->start + KD_RPC_DREP_OFFSET) & KD_RPC_DREP_LITTLE_ENDIAN) != 0;
    p->frag_len = rpc_u16(p, fi->start + KD_RPC_FRAG_LEN_OFFSET);
    p->auth_len = rpc_u16(p, fi->start + KD_RPC_AUTH_LEN_OFFSET);
    gint trailer = fi->start + (gint)p->frag_len - (gint)p->auth_len - DCERPC_SEC_TRAILER_LEN;
    if (p->auth_len > 0 && trailer >= fi->start + KD_RPC_HEADER_LEN && tvb_bytes_exist(t, trailer, 2)) {
        p->trailer = trailer;
        p->auth_type = kd_tvb_get_u8(t, trailer);
        p->auth_level = kd_tvb_get_u8(t, trailer + 1);
    }
    return TRUE;
}

gboolean
kd_rpc_pdu_around(const kd_frame *fr, const field_info *fi, kd_rpc_pdu *p)
{
    gboolean any = FALSE;
    kd_rpc_pdu first, q;
    for (guint i = 0; i < fr->n; i++) {
        if (fr->it[i].role != KF_DCERPC_PDU || !kd_rpc_pdu_read(fr->it[i].fi, &q))
            continue;
        const field_info *pdu = fr->it[i].fi;
        if (fi && pdu->ds_tvb == fi->ds_tvb && fi->start >= pdu->start && fi->start < pdu->start + MAX(pdu->length, 1)) {
            *p = q;
            return TRUE;
        }
        if (!any)
            first = q;
        any = TRUE;
    }
    if (any)
        *p = first;
    return any;
}

void
kd_rpc_carrier_of(const kd_frame *fr, const field_info *msg, kd_krb *k)
{
    /* The packet type and the sec_trailer's auth level of the PDU around the message
     * (a verifier follows its PDU header and trailer), else of the frame's first. */
    kd_rpc_pdu p;
    if (!kd_rpc_pdu_around(fr, msg, &p))
        return;
    k->rpc_pkt_type = p.ptype;
    k->rpc_auth_level = p.auth_level;
}

static const char *
gss_str(packet_info *pinfo, const kd_gsskrb_str *s)
{
    return s->present ? kd_safe_str(pinfo, s->s) : NULL;
}

static gint64
gss_time_us(gint64 secs, gboolean has_usec, gint32 usec)
{
    nstime_t t;
    t.secs = (time_t)CLAMP(secs, (gint64)G_MININT32, (gint64)G_MAXINT32 * 4);
    t.nsecs = has_usec && usec > 0 && usec < 1000000 ? usec * 1000 : 0;
    return kd_nstime_to_us(&t);
}

/* The PDU of a refusal with a verifier (Fault, bind_nak, alter_context_resp): the
 * frame's first PDU, when it is one. FALSE otherwise. */
static gboolean
find_refusal_verifier(const kd_frame *fr, kd_rpc_pdu *p)
{
    if (!kd_rpc_pdu_around(fr, NULL, p))
        return FALSE;
    if (p->ptype != DCERPC_PKT_FAULT && p->ptype != DCERPC_PKT_BIND_NAK && p->ptype != DCERPC_PKT_ALTER_CONTEXT_RESP)
        return FALSE;
    return p->trailer >= 0 && p->auth_len > 0 && p->auth_len <= KD_MAX_VERIFIER;
}

/* The KRB-ERROR g read from a verifier, as Kerberos observation k. */
static void
fill_verifier_error(packet_info *pinfo, const kd_gsskrb *g, kd_krb *k)
{
    k->msg_type = KD_MSG_ERROR;
    k->carrier = KD_CARRIER_DCERPC;
    k->in_rpc_verifier = TRUE;
    k->error_code = g->error_code;
    k->cname = gss_str(pinfo, &g->cname);
    k->crealm = gss_str(pinfo, &g->crealm);
    k->realm = gss_str(pinfo, &g->realm);
    k->sname = gss_str(pinfo, &g->sname);
    k->e_text = gss_str(pinfo, &g->etext);
    if (g->has_stime) {
        k->has_stime = TRUE;
        k->stime_us = gss_time_us(g->stime, g->has_susec, g->susec);
    }
    if (g->has_ctime) {
        k->has_ctime = TRUE;
        k->ctime_us = gss_time_us(g->ctime, g->has_cusec, g->cusec);
    }
    if (g->edata && g->edata_len > 0) {
        k->e_data = g->edata;       /* inside the verifier's copy, which lives as long as the packet */
        k->e_data_len = MIN(g->edata_len, (gsize)KD_MAX_EDATA);
    }
}

/* A DCE/RPC refusal (Fault, bind_nak, alter_context_resp) whose auth verifier holds a
 * Kerberos error Wireshark did not decode (4.0 does not dissect a Fault's verifier):
 * read the verifier's bytes into a KRB-ERROR observation, which comes before the
 * refusal itself, as it would if Wireshark had decoded it. */
guint
kd_read_rpc_verifier(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    kd_rpc_pdu p;
    /* Wireshark decoded the KRB-ERROR itself: the Kerberos reader has it. */
    for (guint i = 0; i < n_obs; i++) {
        if (obs[i].kind == KD_OBS_KRB && obs[i].u.krb.msg_type == KD_MSG_ERROR)
            return n_obs;
    }
    if (!fr->seen[KF_DCERPC_PDU] || n_obs >= KD_MAX_OBS_PER_FRAME || !find_refusal_verifier(fr, &p))
        return n_obs;
    const gint start = p.trailer + DCERPC_SEC_TRAILER_LEN, auth_len = p.auth_len;
    tvbuff_t *t = p.fi->ds_tvb;
    if (!tvb_bytes_exist(t, start, auth_len))
        return n_obs;
    packet_info *pinfo = fr->pinfo;
    const guint8 *buf = tvb_memdup(pinfo->pool, t, start, (size_t)auth_len);
    kd_gsskrb *g = wmem_new(pinfo->pool, kd_gsskrb);
    if (kd_gsskrb_parse(buf, (gsize)auth_len, g) != KD_GSSKRB_KRB_ERROR)
        return n_obs;
    kd_obs *o = &obs[n_obs];
    kd_obs_init(o, KD_OBS_KRB);
    kd_obs_header(pinfo, o);
    fill_verifier_error(pinfo, g, &o->u.krb);
    o->u.krb.rpc_pkt_type = p.ptype;
    return n_obs + 1;
}

/* The refusals of the frame (a Fault's status, a bind_nak's reject reason), with
 * the type and auth provider of its PDUs (the last one read wins). */
guint
kd_read_dcerpc(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    if (!fr->seen[KF_DCERPC_PDU] || n_obs >= KD_MAX_OBS_PER_FRAME)
        return n_obs;
    kd_obs *o = &obs[n_obs];
    kd_obs_init(o, KD_OBS_DCERPC);
    kd_obs_header(fr->pinfo, o);
    kd_dcerpc *d = &o->u.dcerpc;
    gboolean refusal = FALSE;
    for (guint i = 0; i < fr->n; i++) {
        kd_rpc_pdu p;
        if (fr->it[i].role != KF_DCERPC_PDU || !kd_rpc_pdu_read(fr->it[i].fi, &p))
            continue;
        d->pkt_type = p.ptype;
        if (p.trailer >= 0) {
            d->auth_type = p.auth_type;
            d->auth_level = p.auth_level;
        }
        const gint start = p.fi->start;
        if (p.ptype == DCERPC_PKT_FAULT && tvb_bytes_exist(p.fi->ds_tvb, start + KD_RPC_FAULT_CODE_OFFSET, 4)) {
            d->has_status = TRUE;
            d->status = rpc_u32(&p, start + KD_RPC_FAULT_CODE_OFFSET);
            refusal = TRUE;
        } else if (p.ptype == DCERPC_PKT_BIND_NAK && tvb_bytes_exist(p.fi->ds_tvb, start + KD_RPC_REJECT_REASON_OFFSET, 2)) {
            d->status = rpc_u16(&p, start + KD_RPC_REJECT_REASON_OFFSET);
            refusal = TRUE;
        }
    }
    return refusal ? n_obs + 1 : n_obs;
}

guint
kd_read_dcom(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    if (!fr->seen[KF_DCOM_ADDR] || n_obs >= KD_MAX_OBS_PER_FRAME)
        return n_obs;
    kd_obs *o = &obs[n_obs];
    kd_obs_init(o, KD_OBS_DCOM_ALIVE2);
    kd_obs_header(fr->pinfo, o);
    for (guint i = 0; i < fr->n && o->u.alive2.n_addrs < KD_MAX_BINDINGS; i++) {
        if (fr->it[i].role != KF_DCOM_ADDR)
            continue;
        const char *s = kd_item_str(fr->pinfo, fr->it[i].fi);
        if (!s)
            continue;
        /* OBJREF resolver bindings read "host[port]". */
        char *addr = wmem_strdup(fr->pinfo->pool, s);
        char *br = strchr(addr, '[');
        if (br)
            *br = '\0';
        o->u.alive2.addrs[o->u.alive2.n_addrs++] = addr;
    }
    return n_obs + 1;
}
