/* kd_engine.c
 * Engine lifecycle, the correlation store and dispatch of observations to rules.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_edata.h"
#include "kd_engine_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *
kd_confidence_name(kd_confidence c)
{
    switch (c) {
    case KD_CONF_CONFIRMED: return "confirmed";
    case KD_CONF_LIKELY:    return "likely";
    case KD_CONF_POSSIBLE:  return "possible";
    case KD_CONF_INFO:      return "info";
    }
    return "?";
}

void
kd_config_default(kd_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->skew_tolerance_s = 300;
    for (int g = 0; g < KD_GROUP_COUNT; g++)
        cfg->group_enabled[g] = TRUE;
}

/* ------------------------------------------------------------------ strings */

gboolean
kd_str_empty(const char *s)
{
    return s == NULL || *s == '\0';
}

gint64
kd_time_diff(gint64 a, gint64 b)
{
    /* Checked by hand, not with __builtin_sub_overflow: MSVC (Windows builds
     * of Wireshark) has no such builtin. */
    if (b < 0 && a > G_MAXINT64 + b)
        return G_MAXINT64;
    if (b > 0 && a < G_MININT64 + b)
        return G_MININT64;
    return a - b;
}

gint64
kd_time_diff_s(gint64 a, gint64 b)
{
    return kd_time_diff(a, b) / G_USEC_PER_SEC;
}

char *
kd_lower(const char *s)
{
    return s ? g_ascii_strdown(s, -1) : g_strdup("");
}

char *
kd_key_conn(const kd_addr *a, guint16 ap, const kd_addr *b, guint16 bp)
{
    char x[48], y[48];
    return g_strdup_printf("%s|%u|%s|%u", kd_addr_to_str(a, x, sizeof x), ap,
                           kd_addr_to_str(b, y, sizeof y), bp);
}

char *
kd_key_pair(const kd_addr *a, const kd_addr *b)
{
    char x[48], y[48];
    return g_strdup_printf("%s|%s", kd_addr_to_str(a, x, sizeof x), kd_addr_to_str(b, y, sizeof y));
}

char *
kd_tgt_ok_key(const kd_addr *client, const kd_addr *kdc, const kd_ticket_rec *t)
{
    char a[48], b[48];
    char *sn = kd_lower(t->sname);
    char *key = g_strdup_printf("tgtok|%s|%s|%s|%" G_GINT64_FORMAT "|%d", kd_addr_to_str(client, a, sizeof a),
                                kd_addr_to_str(kdc, b, sizeof b), sn, t->kvno, t->etype);
    g_free(sn);
    return key;
}

char *
kd_spn_host(const char *spn)
{
    if (kd_str_empty(spn))
        return NULL;
    const char *slash = strchr(spn, '/');
    if (!slash || !slash[1])
        return NULL;
    const char *host = slash + 1;
    const char *end = strchr(host, '/');   /* "ldap/host/domain" */
    gsize len = end ? (gsize)(end - host) : strlen(host);
    char *h = g_strndup(host, len);
    /* Strip ":port" unless it is an IPv6 literal (more than one colon). */
    char *colon = strchr(h, ':');
    if (colon && strchr(colon + 1, ':') == NULL)
        *colon = '\0';
    if (h[0] == '[') {          /* "[fe80::1]" */
        char *close = strchr(h, ']');
        if (close)
            *close = '\0';
        memmove(h, h + 1, strlen(h));
    }
    return h;
}

const char *
kd_msg_name(gint32 msg_type)
{
    switch (msg_type) {
    case KD_MSG_AS_REQ:  return "AS-REQ";
    case KD_MSG_AS_REP:  return "AS-REP";
    case KD_MSG_TGS_REQ: return "TGS-REQ";
    case KD_MSG_TGS_REP: return "TGS-REP";
    case KD_MSG_AP_REQ:  return "AP-REQ";
    case KD_MSG_AP_REP:  return "AP-REP";
    case KD_MSG_ERROR:   return "KRB-ERROR";
    }
    return "Kerberos message";
}

gboolean
kd_has_padata(const gint32 *pa, guint n, gint32 type)
{
    for (guint i = 0; i < n; i++) {
        if (pa[i] == type)
            return TRUE;
    }
    return FALSE;
}

/* ---------------------------------------------------------------- findings */

static void
finding_free(gpointer p)
{
    kd_finding *f = p;
    if (!f)
        return;
    g_free(f->spn);
    g_free(f->client);
    g_free(f->summary);
    g_free(f->missing);
    for (guint i = 0; i < f->n_evidence; i++)
        g_free(f->evidence[i].role);
    for (guint i = 0; i < f->n_details; i++)
        g_free(f->details[i]);
    g_free(f);
}

static void
frame_rec_free(gpointer p)
{
    kd_frame_rec *r = p;
    g_ptr_array_free(r->findings, TRUE);
    g_free(r);
}

static char *
frame_key(guint32 frame)
{
    return g_strdup_printf("%u", frame);
}

void
kd_mark_dirty(kd_engine *eng, guint32 frame)
{
    for (guint i = 0; i < eng->dirty->len; i++) {
        if (g_array_index(eng->dirty, guint32, i) == frame)
            return;
    }
    g_array_append_val(eng->dirty, frame);
}

kd_finding *
kd_finding_add(kd_engine *eng, guint32 frame, kd_cause cause, kd_confidence conf,
               gint32 error_code, const char *spn, const char *client)
{
    /* A switched-off rule group still leaves a finding on a Kerberos error:
     * the generic one. Other findings of a switched-off group are dropped. */
    if (!eng->cfg.group_enabled[kd_catalog[cause].group] && cause != KD_CAUSE_KRB_ERROR) {
        if (error_code < 0)
            return NULL;
        cause = KD_CAUSE_KRB_ERROR;
        conf = KD_CONF_POSSIBLE;
    }
    char *key = frame_key(frame);
    kd_frame_rec *rec = kd_lru_get(eng->frames, key);
    if (!rec) {
        rec = g_new0(kd_frame_rec, 1);
        rec->frame = frame;
        rec->findings = g_ptr_array_new_with_free_func(finding_free);
        kd_lru_put(eng->frames, key, rec);
    }
    g_free(key);
    kd_finding *f = g_new0(kd_finding, 1);
    f->frame = frame;
    f->cause = cause;
    f->confidence = conf;
    f->error_code = error_code;
    f->spn = kd_str_empty(spn) ? NULL : g_strdup(spn);
    f->client = kd_str_empty(client) ? NULL : g_strdup(client);
    g_ptr_array_add(rec->findings, f);
    kd_mark_dirty(eng, frame);
    return f;
}

kd_finding *
kd_finding_lookup(kd_engine *eng, guint32 frame, guint index)
{
    char *key = frame_key(frame);
    kd_frame_rec *rec = kd_lru_get(eng->frames, key);
    g_free(key);
    if (!rec || index >= rec->findings->len)
        return NULL;
    kd_mark_dirty(eng, frame);
    return g_ptr_array_index(rec->findings, index);
}

guint
kd_frame_finding_count(kd_engine *eng, guint32 frame)
{
    char *key = frame_key(frame);
    kd_frame_rec *rec = kd_lru_get(eng->frames, key);
    g_free(key);
    return rec ? rec->findings->len : 0;
}

void
kd_finding_evidence(kd_finding *f, guint32 frame, const char *fmt, ...)
{
    if (!f || frame == 0)
        return;
    for (guint i = 0; i < f->n_evidence; i++) {
        if (f->evidence[i].frame == frame)
            return;
    }
    if (f->n_evidence >= KD_MAX_EVIDENCE)
        return;
    va_list ap;
    va_start(ap, fmt);
    f->evidence[f->n_evidence].frame = frame;
    f->evidence[f->n_evidence].role = g_strdup_vprintf(fmt, ap);
    f->n_evidence++;
    va_end(ap);
}

void
kd_finding_detail(kd_finding *f, const char *fmt, ...)
{
    if (!f || f->n_details >= KD_MAX_DETAILS)
        return;
    va_list ap;
    va_start(ap, fmt);
    f->details[f->n_details++] = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void
kd_finding_summary(kd_finding *f, const char *fmt, ...)
{
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_free(f->summary);
    f->summary = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void
kd_finding_alternative(kd_finding *f, kd_cause cause)
{
    if (!f || cause == f->cause)
        return;
    for (guint i = 0; i < f->n_alternatives; i++) {
        if (f->alternatives[i] == cause)
            return;
    }
    if (f->n_alternatives < KD_MAX_ALTERNATIVES)
        f->alternatives[f->n_alternatives++] = cause;
}

void
kd_finding_set_missing(kd_finding *f, const char *text)
{
    if (!f)
        return;
    g_free(f->missing);
    f->missing = g_strdup(text);
}

/* ------------------------------------------------------------------ records */

static void
ticket_rec_clear(kd_ticket_rec *t)
{
    g_free(t->realm);
    g_free(t->sname);
    memset(t, 0, sizeof(*t));
}

static void
req_clear(gpointer p)
{
    kd_req *r = p;
    g_free(r->cname);
    g_free(r->crealm);
    g_free(r->realm);
    g_free(r->sname);
    g_free(r->http_host);
    ticket_rec_clear(&r->ticket);
}

static void
req_release(gpointer p)
{
    g_rc_box_release_full(p, req_clear);
}

static void
issue_hist_free(gpointer p)
{
    kd_issue_hist *h = p;
    for (guint i = 0; i < KD_SPN_HISTORY; i++) {
        g_free(h->items[i].realm);
        g_free(h->items[i].cname);
    }
    g_free(h);
}

static void
dns_rec_free(gpointer p)
{
    kd_dns_rec *d = p;
    g_free(d->cname);
    g_free(d);
}

static void
owners_free(gpointer p)
{
    kd_spn_owners *o = p;
    for (guint i = 0; i < o->n; i++)
        g_free(o->owners[i]);
    g_free(o);
}

kd_counter *
kd_counter_get(kd_engine *eng, const char *key)
{
    return kd_lru_get(eng->counters, key);
}

kd_counter *
kd_counter_bump(kd_engine *eng, const char *key, guint32 frame)
{
    kd_counter *c = kd_lru_get(eng->counters, key);
    if (!c) {
        c = g_new0(kd_counter, 1);
        c->first_frame = frame;
        kd_lru_put(eng->counters, key, c);
    }
    c->recent[c->count % KD_COUNTER_FRAMES] = frame;
    c->count++;
    c->last_frame = frame;
    return c;
}

kd_issue_hist *
kd_issue_hist_get(kd_engine *eng, kd_lru *table, const char *key)
{
    (void)eng;
    kd_issue_hist *h = kd_lru_get(table, key);
    if (!h) {
        h = g_new0(kd_issue_hist, 1);
        kd_lru_put(table, key, h);
    }
    return h;
}

const kd_issue *
kd_issue_hist_nth(const kd_issue_hist *h, guint i)
{
    return &h->items[(h->next + KD_SPN_HISTORY - 1 - i) % KD_SPN_HISTORY];
}

kd_issue_hist *
kd_issues_for(kd_engine *eng, const char *spn)
{
    char *key = kd_lower(spn);
    kd_issue_hist *h = kd_lru_get(eng->issues, key);
    g_free(key);
    return h;
}

static void
issue_hist_push(kd_issue_hist *h, const kd_obs *obs, const kd_req *req)
{
    kd_issue *it = &h->items[h->next];
    g_free(it->realm);
    g_free(it->cname);
    /* FAST replies may name the anonymous principal outside the armor: no client. */
    it->cname = obs->u.krb.cname && g_ascii_strcasecmp(obs->u.krb.cname, "WELLKNOWN/ANONYMOUS") != 0
                    ? g_strdup(obs->u.krb.cname) : NULL;
    it->frame = obs->frame;
    it->req_frame = req ? req->frame : 0;
    it->kdc = obs->src;
    it->client = obs->dst;
    it->etype = obs->u.krb.ticket.etype;
    it->kvno = obs->u.krb.ticket.kvno;
    it->realm = g_strdup(obs->u.krb.ticket.realm ? obs->u.krb.ticket.realm
                                                 : (req ? req->realm : NULL));
    h->next = (h->next + 1) % KD_SPN_HISTORY;
    if (h->count < KD_SPN_HISTORY)
        h->count++;
}

static kd_req *
req_from_obs(const kd_obs *obs)
{
    const kd_krb *k = &obs->u.krb;
    kd_req *r = g_rc_box_new0(kd_req);
    r->frame = obs->frame;
    r->time_us = obs->time_us;
    r->msg_type = k->msg_type;
    r->carrier = k->carrier;
    r->client = obs->src;
    r->server = obs->dst;
    r->cport = obs->sport;
    r->sport = obs->dport;
    r->transport = obs->transport;
    r->cname = g_strdup(k->cname);
    r->crealm = g_strdup(k->crealm);
    r->realm = g_strdup(k->realm);
    r->sname = g_strdup(k->sname);
    r->n_etypes = MIN(k->n_req_etypes, KD_MAX_ETYPES);
    memcpy(r->etypes, k->req_etypes, r->n_etypes * sizeof(gint32));
    r->n_padata = MIN(k->n_padata, KD_MAX_PADATA);
    memcpy(r->padata, k->padata, r->n_padata * sizeof(gint32));
    if (k->ticket.present) {
        r->ticket.present = TRUE;
        r->ticket.realm = g_strdup(k->ticket.realm);
        r->ticket.sname = g_strdup(k->ticket.sname);
        r->ticket.etype = k->ticket.etype;
        r->ticket.kvno = k->ticket.kvno;
    } else {
        r->ticket.etype = -1;
        r->ticket.kvno = -1;
    }
    return r;
}

/* Store a record under a key; the table holds its own reference. */
static void
put_req(kd_lru *table, char *key, kd_req *r)
{
    kd_lru_put(table, key, g_rc_box_acquire(r));
    g_free(key);
}

/* ------------------------------------------------------------------- engine */

/* Every table of the store, for freeing and for counting. */
#define KD_TABLES 18
static void
engine_tables(const kd_engine *eng, kd_lru **out)
{
    kd_lru *t[] = {
        eng->requests, eng->last_request, eng->ap_conns, eng->last_ap, eng->http_reqs,
        eng->issues, eng->accepts, eng->dns, eng->addr_names, eng->counters,
        eng->frames, eng->waits, eng->spn_owners, eng->bindings, eng->krb_failures,
        eng->neg_pending, eng->account_etypes, eng->client_names
    };
    G_STATIC_ASSERT(G_N_ELEMENTS(t) == KD_TABLES);
    memcpy(out, t, sizeof(t));
}

kd_engine *
kd_engine_new(const kd_config *cfg, kd_emit_fn emit, void *user)
{
    kd_engine *eng = g_new0(kd_engine, 1);
    if (cfg)
        eng->cfg = *cfg;
    else
        kd_config_default(&eng->cfg);
    eng->emit = emit;
    eng->user = user;
    eng->requests = kd_lru_new(KD_STORE_CAP, req_release);
    eng->last_request = kd_lru_new(KD_STORE_CAP, req_release);
    eng->ap_conns = kd_lru_new(KD_STORE_CAP, req_release);
    eng->last_ap = kd_lru_new(KD_STORE_CAP, req_release);
    eng->http_reqs = kd_lru_new(KD_STORE_CAP, req_release);
    eng->issues = kd_lru_new(KD_STORE_CAP, issue_hist_free);
    eng->accepts = kd_lru_new(KD_STORE_CAP, g_free);
    eng->dns = kd_lru_new(KD_STORE_CAP, dns_rec_free);
    eng->addr_names = kd_lru_new(KD_STORE_CAP, g_free);
    eng->counters = kd_lru_new(KD_STORE_CAP, g_free);
    eng->frames = kd_lru_new(KD_STORE_CAP, frame_rec_free);
    eng->waits = kd_lru_new(KD_STORE_CAP, g_free);
    eng->spn_owners = kd_lru_new(KD_STORE_CAP, owners_free);
    eng->bindings = kd_lru_new(KD_STORE_CAP, g_free);
    eng->krb_failures = kd_lru_new(KD_STORE_CAP, g_free);
    eng->neg_pending = kd_lru_new(KD_STORE_CAP, g_free);
    eng->account_etypes = kd_lru_new(KD_STORE_CAP, g_free);
    eng->client_names = kd_lru_new(KD_STORE_CAP, g_free);
    eng->dirty = g_array_new(FALSE, FALSE, sizeof(guint32));
    return eng;
}

void
kd_engine_free(kd_engine *eng)
{
    if (!eng)
        return;
    kd_lru *tables[KD_TABLES];
    engine_tables(eng, tables);
    for (gsize i = 0; i < KD_TABLES; i++)
        kd_lru_free(tables[i]);
    g_array_free(eng->dirty, TRUE);
    g_free(eng);
}

guint
kd_engine_store_size(const kd_engine *eng)
{
    kd_lru *tables[KD_TABLES];
    engine_tables(eng, tables);
    guint n = 0;
    for (gsize i = 0; i < KD_TABLES; i++)
        n += kd_lru_size(tables[i]);
    return n;
}

/* ------------------------------------------------------------- observations */

static void
on_kdc_request(kd_engine *eng, const kd_obs *obs)
{
    kd_req *r = req_from_obs(obs);
    kd_rules_on_request(eng, obs, r);
    put_req(eng->requests, kd_key_conn(&obs->src, obs->sport, &obs->dst, obs->transport), r);
    put_req(eng->last_request, kd_key_pair(&obs->src, &obs->dst), r);
    char a[48];
    put_req(eng->last_request, g_strdup_printf("c|%s", kd_addr_to_str(&obs->src, a, sizeof a)), r);
    g_rc_box_release_full(r, req_clear);
}

static kd_req *
find_kdc_request(kd_engine *eng, const kd_obs *obs)
{
    /* The answer goes from the KDC back to the client's port. */
    char *key = kd_key_conn(&obs->dst, obs->dport, &obs->src, obs->transport);
    kd_req *r = kd_lru_get(eng->requests, key);
    g_free(key);
    if (!r) {
        key = kd_key_pair(&obs->dst, &obs->src);
        r = kd_lru_get(eng->last_request, key);
        g_free(key);
        /* Only a recent request can be the one answered. */
        if (r && kd_time_diff(obs->time_us, r->time_us) > 60 * G_USEC_PER_SEC)
            r = NULL;
    }
    return r;
}

static void
on_kdc_reply(kd_engine *eng, const kd_obs *obs)
{
    const kd_krb *k = &obs->u.krb;
    kd_req *req = find_kdc_request(eng, obs);
    if (req)
        req->answered = TRUE;
    kd_rules_kdc_answered(eng, &obs->dst, &obs->src);
    if (req && req->msg_type == KD_MSG_TGS_REQ && req->ticket.present && req->ticket.sname) {
        /* This KDC accepted the TGT the request presented. */
        char *key = kd_tgt_ok_key(&req->client, &obs->src, &req->ticket);
        kd_counter_bump(eng, key, req->frame);
        g_free(key);
    }
    if (!k->ticket.present || kd_str_empty(k->ticket.sname))
        return;
    if (k->msg_type == KD_MSG_AS_REP && !kd_str_empty(k->cname) &&
        g_ascii_strcasecmp(k->cname, "WELLKNOWN/ANONYMOUS") != 0) {
        char a[48];
        kd_lru_put(eng->client_names, kd_addr_to_str(&obs->dst, a, sizeof a), g_strdup(k->cname));
    }
    char *spn = kd_lower(k->ticket.sname);
    issue_hist_push(kd_issue_hist_get(eng, eng->issues, spn), obs, req);
    g_free(spn);
}

static void
on_ap_request(kd_engine *eng, const kd_obs *obs)
{
    kd_req *r = req_from_obs(obs);
    /* An HTTP request in the same frame (or earlier on the connection) is the carrier. */
    char *ck = kd_key_conn(&obs->src, obs->sport, &obs->dst, obs->dport);
    kd_req *http = kd_lru_get(eng->http_reqs, ck);
    if (http) {
        r->http_frame = http->frame;
        r->http_host = g_strdup(http->http_host);
    }
    put_req(eng->ap_conns, ck, r);
    put_req(eng->last_ap, kd_key_pair(&obs->src, &obs->dst), r);
    g_rc_box_release_full(r, req_clear);
}

kd_req *
kd_find_ap_request(kd_engine *eng, const kd_obs *obs)
{
    char *key = kd_key_conn(&obs->dst, obs->dport, &obs->src, obs->sport);
    kd_req *r = kd_lru_get(eng->ap_conns, key);
    g_free(key);
    if (!r) {
        key = kd_key_pair(&obs->dst, &obs->src);
        r = kd_lru_get(eng->last_ap, key);
        g_free(key);
    }
    return r;
}

static void
on_ap_reply(kd_engine *eng, const kd_obs *obs)
{
    kd_req *ap = kd_find_ap_request(eng, obs);
    if (!ap || !ap->ticket.present || kd_str_empty(ap->ticket.sname))
        return;
    char addr[48];
    char *spn = kd_lower(ap->ticket.sname);
    char *key = g_strdup_printf("%s|%s", spn, kd_addr_to_str(&obs->src, addr, sizeof addr));
    kd_accept *a = g_new0(kd_accept, 1);
    a->frame = obs->frame;
    a->kvno = ap->ticket.kvno;
    a->etype = ap->ticket.etype;
    kd_lru_put(eng->accepts, key, a);
    g_free(key);
    g_free(spn);
}

static void
bump_failure(kd_engine *eng, char *key, guint32 frame)
{
    kd_counter *c = kd_lru_get(eng->krb_failures, key);
    if (!c) {
        c = g_new0(kd_counter, 1);
        c->first_frame = frame;
        kd_lru_put(eng->krb_failures, key, c);
    }
    c->count++;
    c->last_frame = frame;
    g_free(key);
}

static void
record_failure(kd_engine *eng, const kd_obs *obs)
{
    /* Remember the latest real Kerberos failure between two hosts and per client,
     * for linking RPC faults and NTLM fallback to it. Benign errors do not count. */
    gint32 code = obs->u.krb.error_code;
    if (code == 25 || code == 52 || code == 68)
        return;
    char a[48];
    bump_failure(eng, kd_key_pair(&obs->dst, &obs->src), obs->frame);
    bump_failure(eng, g_strdup_printf("c|%s", kd_addr_to_str(&obs->dst, a, sizeof a)), obs->frame);
}

static void
on_krb_error(kd_engine *eng, const kd_obs *in)
{
    /* Fill in what the dissector could not decode from the raw e-data. */
    kd_obs copy;
    const kd_obs *obs = in;
    kd_edata ed;
    if (in->u.krb.e_data && kd_edata_parse(in->u.krb.e_data, in->u.krb.e_data_len, &ed)) {
        copy = *in;
        if (!copy.u.krb.has_nt_status && ed.has_nt_status) {
            copy.u.krb.has_nt_status = TRUE;
            copy.u.krb.nt_status = ed.nt_status;
        }
        if (copy.u.krb.n_etype_info2 == 0 && ed.n_etype_info2) {
            memcpy(copy.u.krb.etype_info2, ed.etype_info2, ed.n_etype_info2 * sizeof(gint32));
            copy.u.krb.n_etype_info2 = ed.n_etype_info2;
        }
        obs = &copy;
    }
    const kd_krb *k = &obs->u.krb;
    if (k->carrier == KD_CARRIER_KDC) {
        kd_req *req = find_kdc_request(eng, obs);
        if (req)
            req->answered = TRUE;
        kd_rules_kdc_answered(eng, &obs->dst, &obs->src);
        if (req || obs->sport == 88 || obs->sport == 464) {
            kd_rules_kdc_error(eng, obs, req);
            record_failure(eng, obs);
            return;
        }
    }
    kd_rules_service_error(eng, obs, kd_find_ap_request(eng, obs));
    record_failure(eng, obs);
}

/* Remember which key types a KDC announced for a principal (PREAUTH_REQUIRED
 * e-data, AS-REP padata): later etype errors compare against them. */
static void
note_account_etypes(kd_engine *eng, const kd_obs *obs)
{
    const kd_krb *k = &obs->u.krb;
    if (k->n_etype_info2 == 0 || kd_str_empty(k->cname))
        return;
    char *cn = kd_lower(k->cname);
    kd_account_etypes *old = kd_lru_get(eng->account_etypes, cn);
    guint n = MIN(k->n_etype_info2, KD_MAX_ETYPES);
    /* Keep the first frame that announced this set: it is the one an admin looks for. */
    if (!old || old->n != n || memcmp(old->etypes, k->etype_info2, n * sizeof(gint32)) != 0) {
        kd_account_etypes *ae = g_new0(kd_account_etypes, 1);
        ae->frame = obs->frame;
        ae->n = n;
        memcpy(ae->etypes, k->etype_info2, n * sizeof(gint32));
        kd_lru_put(eng->account_etypes, cn, ae);
    }
    g_free(cn);
}

static void
on_krb(kd_engine *eng, const kd_obs *obs)
{
    switch (obs->u.krb.msg_type) {
    case KD_MSG_AS_REQ:
    case KD_MSG_TGS_REQ:
        on_kdc_request(eng, obs);
        break;
    case KD_MSG_AS_REP:
    case KD_MSG_TGS_REP:
        on_kdc_reply(eng, obs);
        note_account_etypes(eng, obs);
        break;
    case KD_MSG_AP_REQ:
        on_ap_request(eng, obs);
        break;
    case KD_MSG_AP_REP:
        on_ap_reply(eng, obs);
        break;
    case KD_MSG_ERROR:
        on_krb_error(eng, obs);
        note_account_etypes(eng, obs);
        break;
    default:
        break;
    }
}

static void
on_dns(kd_engine *eng, const kd_obs *obs)
{
    const kd_dns *d = &obs->u.dns;
    for (guint i = 0; i < d->n_answers && i < KD_MAX_DNS_ANSWERS; i++) {
        const kd_dns_answer *a = &d->answers[i];
        if (kd_str_empty(a->name))
            continue;
        char *name = kd_lower(a->name);
        if (!kd_str_empty(a->cname)) {
            /* Prefer the answer that resolved the alias all the way to an address
             * (the A query's) over a later one that did not (the AAAA query's). */
            gboolean resolved = FALSE;
            for (guint j = 0; j < d->n_answers && j < KD_MAX_DNS_ANSWERS; j++)
                resolved = resolved || d->answers[j].addr.len != 0;
            kd_dns_rec *old = kd_lru_get(eng->dns, name);
            if (old && old->resolved && !resolved) {
                g_free(name);
                continue;
            }
            kd_dns_rec *rec = g_new0(kd_dns_rec, 1);
            rec->frame = obs->frame;
            rec->resolved = resolved;
            rec->cname = kd_lower(a->cname);
            kd_lru_put(eng->dns, name, rec);
            /* Index by target too: rules ask "which alias led to this host?" */
            kd_dns_rec *rev = g_new0(kd_dns_rec, 1);
            rev->frame = obs->frame;
            rev->cname = g_strdup(name);
            char *tkey = g_strdup_printf("cname-of|%s", rec->cname);
            kd_lru_put(eng->dns, tkey, rev);
            g_free(tkey);
        } else if (a->addr.len) {
            char buf[48];
            kd_lru_put(eng->addr_names, kd_addr_to_str(&a->addr, buf, sizeof buf), g_strdup(name));
            if (!kd_lru_get(eng->dns, name)) {
                kd_dns_rec *rec = g_new0(kd_dns_rec, 1);
                rec->frame = obs->frame;
                kd_lru_put(eng->dns, name, rec);
            }
        }
        g_free(name);
    }
}

static void
on_http(kd_engine *eng, const kd_obs *obs)
{
    const kd_http *h = &obs->u.http;
    if (!h->is_request)
        return;
    kd_req *r = g_rc_box_new0(kd_req);
    r->frame = obs->frame;
    r->time_us = obs->time_us;
    r->client = obs->src;
    r->server = obs->dst;
    r->cport = obs->sport;
    r->sport = obs->dport;
    r->http_frame = obs->frame;
    r->http_host = g_strdup(h->host);
    r->ticket.etype = -1;
    r->ticket.kvno = -1;
    put_req(eng->http_reqs, kd_key_conn(&obs->src, obs->sport, &obs->dst, obs->dport), r);
    g_rc_box_release_full(r, req_clear);
}

static void
on_ldap_entry(kd_engine *eng, const kd_obs *obs)
{
    const kd_ldap_entry *e = &obs->u.ldap;
    const char *who = !kd_str_empty(e->sam_account_name) ? e->sam_account_name : e->dn;
    if (kd_str_empty(who))
        return;
    for (guint i = 0; i < e->n_spns && i < KD_MAX_LDAP_VALUES; i++) {
        if (kd_str_empty(e->spns[i]))
            continue;
        char *spn = kd_lower(e->spns[i]);
        kd_spn_owners *o = kd_lru_get(eng->spn_owners, spn);
        if (!o) {
            o = g_new0(kd_spn_owners, 1);
            kd_lru_put(eng->spn_owners, spn, o);
        }
        gboolean known = FALSE;
        for (guint j = 0; j < o->n; j++) {
            if (g_ascii_strcasecmp(o->owners[j], who) == 0)
                known = TRUE;
        }
        if (!known && o->n < KD_MAX_OWNERS) {
            o->owners[o->n] = g_strdup(who);
            o->frames[o->n] = obs->frame;
            o->n++;
            if (o->n == 2)
                kd_rules_owners_changed(eng, e->spns[i]);
        }
        g_free(spn);
    }
}

void
kd_engine_feed(kd_engine *eng, const kd_obs *obs, guint n)
{
    if (!eng || !obs)
        return;
    g_array_set_size(eng->dirty, 0);
    for (guint i = 0; i < n; i++) {
        const kd_obs *o = &obs[i];
        switch (o->kind) {
        case KD_OBS_KRB:        on_krb(eng, o); break;
        case KD_OBS_DNS:        on_dns(eng, o); break;
        case KD_OBS_HTTP:       on_http(eng, o); break;
        case KD_OBS_NTLMSSP:    kd_rules_ntlmssp(eng, o); break;
        case KD_OBS_DCERPC:     kd_rules_dcerpc(eng, o); break;
        case KD_OBS_SMB2:       kd_rules_smb2(eng, o); break;
        case KD_OBS_TRANSPORT:  kd_rules_transport(eng, o); break;
        case KD_OBS_DCOM_ALIVE2: kd_rules_alive2(eng, o); break;
        case KD_OBS_LDAP_ENTRY: on_ldap_entry(eng, o); break;
        }
    }
    if (!eng->emit)
        return;
    for (guint i = 0; i < eng->dirty->len; i++) {
        guint32 frame = g_array_index(eng->dirty, guint32, i);
        char *key = frame_key(frame);
        kd_frame_rec *rec = kd_lru_get(eng->frames, key);
        g_free(key);
        if (rec && rec->findings->len)
            eng->emit(frame, (const kd_finding *const *)rec->findings->pdata, rec->findings->len,
                      eng->user);
    }
}
