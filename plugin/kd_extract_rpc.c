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

void
kd_rpc_carrier_of(const kd_item *items, guint n, guint m, kd_krb *k)
{
    /* The packet type and the sec_trailer's auth level nearest before the message in
     * the same buffer (a verifier follows its PDU header and trailer), else the
     * frame's first ones. */
    gint64 ptype = -1, level = -1, any_ptype = -1, any_level = -1;
    for (guint i = 0; i < n; i++) {
        gboolean before = i < m && items[i].fi->ds_tvb == items[m].fi->ds_tvb;
        if (items[i].role == KF_DCERPC_PKT_TYPE) {
            any_ptype = any_ptype < 0 ? kd_item_int(items[i].fi) : any_ptype;
            ptype = before ? kd_item_int(items[i].fi) : ptype;
        } else if (items[i].role == KF_DCERPC_AUTH_LEVEL) {
            any_level = any_level < 0 ? kd_item_int(items[i].fi) : any_level;
            level = before ? kd_item_int(items[i].fi) : level;
        }
    }
    ptype = ptype >= 0 ? ptype : any_ptype;
    level = level >= 0 ? level : any_level;
    k->rpc_pkt_type = ptype >= 0 && ptype <= G_MAXUINT8 ? (guint8)ptype : 0;
    k->rpc_auth_level = level >= 0 && level <= G_MAXUINT8 ? (guint8)level : 0;
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

/* The verifier of a refusal: its packet type, the visible auth_info item and the
 * verifier's length. FALSE when the frame is no refusal with a verifier. */
static gboolean
find_refusal_verifier(const kd_frame *fr, gint64 *ptype, const field_info **info, gint64 *auth_len)
{
    *ptype = -1;
    *auth_len = 0;
    *info = NULL;
    for (guint i = 0; i < fr->n; i++) {
        const kd_item *it = &fr->it[i];
        switch (it->role) {
        case KF_DCERPC_PKT_TYPE:
            if (*ptype < 0)
                *ptype = kd_item_int(it->fi);
            break;
        case KF_DCERPC_AUTH_LEN:
            if (*auth_len == 0)
                *auth_len = kd_item_int(it->fi);
            break;
        case KF_DCERPC_AUTH_INFO:
            /* The visible item (the hidden one is empty and starts at the verifier). */
            if (!*info && it->fi->length >= DCERPC_SEC_TRAILER_LEN)
                *info = it->fi;
            break;
        default:
            break;
        }
    }
    if (*ptype != KD_DCERPC_FAULT && *ptype != KD_DCERPC_BIND_NAK && *ptype != KD_DCERPC_ALTER_RESP)
        return FALSE;
    return *info && (*info)->ds_tvb && *auth_len > 0 && *auth_len <= KD_MAX_VERIFIER;
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
    gint64 ptype, auth_len;
    const field_info *info;
    /* Wireshark decoded the KRB-ERROR itself: the Kerberos reader has it. */
    for (guint i = 0; i < n_obs; i++) {
        if (obs[i].kind == KD_OBS_KRB && obs[i].u.krb.msg_type == KD_MSG_ERROR)
            return n_obs;
    }
    if (!fr->seen[KF_DCERPC_AUTH_INFO] || !fr->seen[KF_DCERPC_PKT_TYPE] || n_obs >= KD_MAX_OBS_PER_FRAME ||
        !find_refusal_verifier(fr, &ptype, &info, &auth_len))
        return n_obs;
    gint start = info->start + DCERPC_SEC_TRAILER_LEN;
    if (!tvb_bytes_exist(info->ds_tvb, start, (gint)auth_len))
        return n_obs;
    packet_info *pinfo = fr->pinfo;
    const guint8 *buf = tvb_memdup(pinfo->pool, info->ds_tvb, start, (size_t)auth_len);
    kd_gsskrb *g = wmem_new(pinfo->pool, kd_gsskrb);
    if (kd_gsskrb_parse(buf, (gsize)auth_len, g) != KD_GSSKRB_KRB_ERROR)
        return n_obs;
    kd_obs *o = &obs[n_obs];
    kd_obs_init(o, KD_OBS_KRB);
    kd_obs_header(pinfo, o);
    fill_verifier_error(pinfo, g, &o->u.krb);
    o->u.krb.rpc_pkt_type = (guint8)ptype;
    return n_obs + 1;
}

guint
kd_read_dcerpc(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    if ((!fr->seen[KF_DCERPC_STATUS] && !fr->seen[KF_DCERPC_REJECT]) || n_obs >= KD_MAX_OBS_PER_FRAME)
        return n_obs;
    kd_obs *o = &obs[n_obs];
    kd_obs_init(o, KD_OBS_DCERPC);
    kd_obs_header(fr->pinfo, o);
    kd_dcerpc *d = &o->u.dcerpc;
    for (guint i = 0; i < fr->n; i++) {
        field_info *fi = fr->it[i].fi;
        switch (fr->it[i].role) {
        case KF_DCERPC_PKT_TYPE: d->pkt_type = (guint8)kd_item_int(fi); break;
        case KF_DCERPC_STATUS:
            d->has_status = TRUE;
            d->status = (guint32)kd_item_int(fi);
            break;
        case KF_DCERPC_REJECT: d->status = (guint32)kd_item_int(fi); break;
        case KF_DCERPC_AUTH_TYPE: d->auth_type = (guint8)kd_item_int(fi); break;
        case KF_DCERPC_AUTH_LEVEL: d->auth_level = (guint8)kd_item_int(fi); break;
        case KF_DCERPC_OPNUM: d->opnum = (gint32)kd_item_int(fi); break;
        default: break;
        }
    }
    return n_obs + 1;
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
