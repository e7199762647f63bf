/* kd_extract_dns.c
 * DNS answers: the name asked, its alias (CNAME chains) and the address it ends
 * at, and a reverse look-up's name (PTR). The records of an answer from port 53
 * are read from the bytes of the DNS message (the DNS protocol item), not from
 * dns.resp.name, dns.a, dns.aaaa, dns.cname and dns.ptr.domain_name: one wanted
 * item, on DNS frames only, instead of five marked before every frame.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

#include "kd_dnsmsg.h"

/* RFC 1035 4.2.2: over TCP a 2-byte length precedes each message. */
#define KD_DNS_TCP_LENGTH 2

/* The records of the message the DNS item `fi` covers, appended to d. */
static void
read_message(packet_info *pinfo, const field_info *fi, kd_dns *d)
{
    tvbuff_t *t = fi->ds_tvb;
    gint start = fi->start + (pinfo->ptype == PT_TCP ? KD_DNS_TCP_LENGTH : 0);
    gint len = fi->length - (pinfo->ptype == PT_TCP ? KD_DNS_TCP_LENGTH : 0);
    if (!t || fi->start < 0 || len <= 0 || !tvb_bytes_exist(t, start, len))
        return;
    kd_dnsmsg *m = wmem_new(pinfo->pool, kd_dnsmsg);
    /* Answers only: a query's records (EDNS0's OPT) say nothing. */
    if (!kd_dnsmsg_parse(tvb_get_ptr(t, start, len), (gsize)len, m) || !m->is_response)
        return;
    for (guint i = 0; i < m->n_rrs && d->n_answers < KD_MAX_DNS_ANSWERS; i++) {
        kd_dns_answer *a = &d->answers[d->n_answers++];
        a->name = kd_safe_str(pinfo, m->rrs[i].name);
        if (m->rrs[i].has_target && m->rrs[i].type == KD_DNS_RR_CNAME)
            a->cname = kd_safe_str(pinfo, m->rrs[i].target);
        else if (m->rrs[i].has_target)
            a->ptr = kd_safe_str(pinfo, m->rrs[i].target);
        a->addr = m->rrs[i].addr;
    }
}

guint
kd_read_dns(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    /* Answers with an alias (CNAME chains), an address (the name a client resolved
     * before a reverse look-up of its address) or a reverse look-up's name. */
    if (!fr->seen[KF_DNS_MSG] || fr->pinfo->srcport != DNS_PORT || n_obs >= KD_MAX_OBS_PER_FRAME)
        return n_obs;
    kd_obs *o = &obs[n_obs];
    kd_obs_init(o, KD_OBS_DNS);
    kd_obs_header(fr->pinfo, o);
    for (guint i = 0; i < fr->n; i++) {
        if (fr->it[i].role == KF_DNS_MSG)
            read_message(fr->pinfo, fr->it[i].fi, &o->u.dns);
    }
    gboolean says = FALSE;
    for (guint i = 0; i < o->u.dns.n_answers && !says; i++) {
        const kd_dns_answer *a = &o->u.dns.answers[i];
        says = a->cname || a->ptr || a->addr.len;
    }
    return says ? n_obs + 1 : n_obs;
}
