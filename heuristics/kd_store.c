/* kd_store.c
 * The correlation store: records, capped tables, typed keys, queries.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_store.h"
#include "kd_edata.h"
#include "kd_engine.h"
#include "kd_lru.h"

#include <string.h>

/* Kerberos errors that are part of normal operation: not failures to link to. */
#define KD_ERR_PREAUTH_REQUIRED   25
#define KD_ERR_RESPONSE_TOO_BIG   52
#define KD_ERR_WRONG_REALM        68
#define KD_ERR_PRINCIPAL_NOT_UNIQUE 8
/* Ports a KDC answers on (Kerberos, kpasswd). */
#define KD_PORT_KERBEROS 88
#define KD_PORT_KPASSWD  464
/* Only a request this recent can be the one a reply without a port match answers. */
#define KD_ANSWER_WINDOW_US (60 * G_USEC_PER_SEC)

struct kd_store {
    kd_lru *requests;       /* conn(client, cport, kdc, transport) -> kd_req (KDC requests) */
    kd_lru *last_request;   /* pair(client, kdc), client(client) -> kd_req (latest KDC request) */
    kd_lru *ap_conns;       /* conn(client, cport, server, sport) -> kd_req (AP-REQ to a service) */
    kd_lru *last_ap;        /* pair(client, server) -> kd_req */
    kd_lru *http_reqs;      /* conn(client, cport, server, sport) -> kd_req (HTTP request) */
    kd_lru *issues;         /* lower(sname) -> kd_issue_hist */
    kd_lru *accepts;        /* "lower(sname)|server" -> kd_accept */
    kd_lru *dns;            /* lower(name), "cname-of|" lower(target) -> kd_dns_rec */
    kd_lru *addr_names;     /* address -> lower(name) that resolved to it */
    kd_lru *counters;       /* free-form keys -> kd_counter */
    kd_lru *spn_owners;     /* lower(spn) -> kd_spn_owners (from LDAP) */
    kd_lru *bindings;       /* address -> kd_binding_rec (DCOM ServerAlive2) */
    kd_lru *krb_failures;   /* pair(client, server), client(client) -> kd_counter */
    kd_lru *account_etypes; /* lower(cname) -> kd_account_etypes */
    kd_lru *client_names;   /* client address -> principal its latest TGT was issued to */
    kd_lru *neg_pending;    /* conn(client, cport, server, sport) -> NTLM seen on it */
    kd_lru *client_failures;/* client address -> kd_failure_ring */
};

/* A client's latest failures (ring, newest at next - 1). */
typedef struct {
    kd_failure_rec items[KD_CLIENT_FAILURES];
    guint next, count;
} kd_failure_ring;

/* -------------------------------------------------------------------- keys */

/* Addresses in keys compare as their text form does: an address of unknown
 * length is "unknown", whatever its bytes. Keys are zeroed first so that whole
 * structs can be hashed and compared. */
static void
key_addr(kd_addr *dst, const kd_addr *src)
{
    memset(dst, 0, sizeof(*dst));
    if (src->len == 4 || src->len == 16) {
        dst->len = src->len;
        memcpy(dst->bytes, src->bytes, src->len);
    }
}

typedef struct {
    kd_addr a, b;
    guint16 ap, bp;
} kd_conn_key;

typedef struct {
    guint8 client_only;     /* "anything from client a": b is unset */
    kd_addr a, b;
} kd_pair_key;

static kd_conn_key
conn_key(const kd_addr *a, guint16 ap, const kd_addr *b, guint16 bp)
{
    kd_conn_key k;
    memset(&k, 0, sizeof k);
    key_addr(&k.a, a);
    key_addr(&k.b, b);
    k.ap = ap;
    k.bp = bp;
    return k;
}

static kd_pair_key
pair_key(const kd_addr *a, const kd_addr *b)
{
    kd_pair_key k;
    memset(&k, 0, sizeof k);
    key_addr(&k.a, a);
    if (b)
        key_addr(&k.b, b);
    else
        k.client_only = 1;
    return k;
}

static kd_addr
addr_key(const kd_addr *a)
{
    kd_addr k;
    key_addr(&k, a);
    return k;
}

/* FNV-1a over a key's bytes. */
static guint
bytes_hash(const guint8 *p, gsize n)
{
    guint32 h = 2166136261u;
    for (gsize i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static guint conn_hash(gconstpointer k) { return bytes_hash(k, sizeof(kd_conn_key)); }
static gboolean conn_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(kd_conn_key)) == 0; }
static guint pair_hash(gconstpointer k) { return bytes_hash(k, sizeof(kd_pair_key)); }
static gboolean pair_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(kd_pair_key)) == 0; }
static guint addr_hash(gconstpointer k) { return bytes_hash(k, sizeof(kd_addr)); }
static gboolean addr_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(kd_addr)) == 0; }

static kd_lru *
conn_table(GDestroyNotify value_free)
{
    return kd_lru_new_keyed(KD_STORE_CAP, sizeof(kd_conn_key), conn_hash, conn_equal, value_free);
}

static kd_lru *
pair_table(GDestroyNotify value_free)
{
    return kd_lru_new_keyed(KD_STORE_CAP, sizeof(kd_pair_key), pair_hash, pair_equal, value_free);
}

static kd_lru *
addr_table(GDestroyNotify value_free)
{
    return kd_lru_new_keyed(KD_STORE_CAP, sizeof(kd_addr), addr_hash, addr_equal, value_free);
}

/* ----------------------------------------------------------------- records */

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
failure_rec_clear(kd_failure_rec *f)
{
    g_free(f->sname);
    g_free(f->cname);
    memset(f, 0, sizeof(*f));
}

static void
failure_ring_free(gpointer p)
{
    kd_failure_ring *r = p;
    for (guint i = 0; i < G_N_ELEMENTS(r->items); i++)
        failure_rec_clear(&r->items[i]);
    g_free(r);
}

static void
owners_free(gpointer p)
{
    kd_spn_owners *o = p;
    for (guint i = 0; i < o->n; i++)
        g_free(o->owners[i]);
    g_free(o);
}

static gboolean
is_anonymous(const char *cname)
{
    return g_ascii_strcasecmp(cname, "WELLKNOWN/ANONYMOUS") == 0;
}

static void
issue_hist_push(kd_issue_hist *h, const kd_obs *obs, const kd_req *req)
{
    kd_issue *it = &h->items[h->next];
    g_free(it->realm);
    g_free(it->cname);
    /* FAST replies may name the anonymous principal outside the armor: no client. */
    it->cname = obs->u.krb.cname && !is_anonymous(obs->u.krb.cname) ? g_strdup(obs->u.krb.cname) : NULL;
    it->frame = obs->frame;
    it->req_frame = req ? req->frame : 0;
    it->kdc = obs->src;
    it->client = obs->dst;
    it->etype = obs->u.krb.ticket.etype;
    it->kvno = obs->u.krb.ticket.kvno;
    it->cipher_hash = obs->u.krb.ticket.cipher_hash;
    it->realm = g_strdup(obs->u.krb.ticket.realm ? obs->u.krb.ticket.realm
                                                 : (req ? req->realm : NULL));
    h->next = (h->next + 1) % KD_SPN_HISTORY;
    if (h->count < KD_SPN_HISTORY)
        h->count++;
}

/* A request record: when, and between which ends of which connection. */
static kd_req *
req_new(const kd_obs *obs)
{
    kd_req *r = g_rc_box_new0(kd_req);
    r->frame = obs->frame;
    r->time_us = obs->time_us;
    r->client = obs->src;
    r->server = obs->dst;
    r->cport = obs->sport;
    r->sport = obs->dport;
    return r;
}

static kd_req *
req_from_obs(const kd_obs *obs)
{
    const kd_krb *k = &obs->u.krb;
    kd_req *r = req_new(obs);
    r->msg_type = k->msg_type;
    r->carrier = k->carrier;
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
        r->ticket.cipher_hash = k->ticket.cipher_hash;
    } else {
        r->ticket.etype = -1;
        r->ticket.kvno = -1;
    }
    return r;
}

/* Store a record under a key; the table holds its own reference. */
static void
put_req(kd_lru *table, gconstpointer key, kd_req *r)
{
    kd_lru_put(table, key, g_rc_box_acquire(r));
}

static kd_counter *
counter_bump(kd_lru *table, gconstpointer key, guint32 frame)
{
    kd_counter *c = kd_lru_get(table, key);
    if (!c) {
        c = g_new0(kd_counter, 1);
        c->first_frame = frame;
        kd_lru_put(table, key, c);
    }
    c->recent[c->count % KD_COUNTER_FRAMES] = frame;
    c->count++;
    c->last_frame = frame;
    return c;
}

/* ------------------------------------------------------------------- store */

/* Every table with its name, for freeing and counting. */
#define KD_STORE_TABLES 17
static void
store_tables(const kd_store *st, kd_lru **out, const char **names)
{
    kd_lru *t[] = {
        st->requests, st->last_request, st->ap_conns, st->last_ap, st->http_reqs,
        st->issues, st->accepts, st->dns, st->addr_names, st->counters,
        st->spn_owners, st->bindings, st->krb_failures, st->account_etypes,
        st->client_names, st->neg_pending, st->client_failures
    };
    static const char *const n[] = {
        "requests", "last_request", "ap_conns", "last_ap", "http_reqs",
        "issues", "accepts", "dns", "addr_names", "counters",
        "spn_owners", "bindings", "krb_failures", "account_etypes",
        "client_names", "neg_pending", "client_failures"
    };
    G_STATIC_ASSERT(G_N_ELEMENTS(t) == KD_STORE_TABLES && G_N_ELEMENTS(n) == KD_STORE_TABLES);
    memcpy(out, t, sizeof(t));
    if (names)
        memcpy(names, n, sizeof(n));
}

kd_store *
kd_store_new(void)
{
    kd_store *st = g_new0(kd_store, 1);
    st->requests = conn_table(req_release);
    st->last_request = pair_table(req_release);
    st->ap_conns = conn_table(req_release);
    st->last_ap = pair_table(req_release);
    st->http_reqs = conn_table(req_release);
    st->issues = kd_lru_new(KD_STORE_CAP, issue_hist_free);
    st->accepts = kd_lru_new(KD_STORE_CAP, g_free);
    st->dns = kd_lru_new(KD_STORE_CAP, dns_rec_free);
    st->addr_names = addr_table(g_free);
    st->counters = kd_lru_new(KD_STORE_CAP, g_free);
    st->spn_owners = kd_lru_new(KD_STORE_CAP, owners_free);
    st->bindings = addr_table(g_free);
    st->krb_failures = pair_table(g_free);
    st->account_etypes = kd_lru_new(KD_STORE_CAP, g_free);
    st->client_names = addr_table(g_free);
    st->neg_pending = conn_table(g_free);
    st->client_failures = addr_table(failure_ring_free);
    return st;
}

void
kd_store_free(kd_store *st)
{
    if (!st)
        return;
    kd_lru *tables[KD_STORE_TABLES];
    store_tables(st, tables, NULL);
    for (guint i = 0; i < KD_STORE_TABLES; i++)
        kd_lru_free(tables[i]);
    g_free(st);
}

guint
kd_store_tables(const kd_store *st, const char **names, guint *sizes, guint max)
{
    kd_lru *tables[KD_STORE_TABLES];
    const char *n[KD_STORE_TABLES];
    store_tables(st, tables, n);
    for (guint i = 0; i < KD_STORE_TABLES && i < max; i++) {
        if (names)
            names[i] = n[i];
        sizes[i] = kd_lru_size(tables[i]);
    }
    return KD_STORE_TABLES;
}

/* ---------------------------------------------------------------- observe */

static void
note_kdc_request(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    kd_req *r = req_from_obs(obs);
    ev->kind = KD_EV_KDC_REQUEST;
    ev->req = r;
    /* The request this one may retransmit: the latest unanswered one, before it is replaced. */
    kd_req *prev = kd_store_pending_request(st, &obs->src, &obs->dst);
    ev->prev = prev ? g_rc_box_acquire(prev) : NULL;
    kd_conn_key ck = conn_key(&obs->src, obs->sport, &obs->dst, obs->transport);
    put_req(st->requests, &ck, r);
    kd_pair_key pk = pair_key(&obs->src, &obs->dst);
    put_req(st->last_request, &pk, r);
    pk = pair_key(&obs->src, NULL);
    put_req(st->last_request, &pk, r);
    /* The tables hold the record now; the event borrows it. */
    g_rc_box_release_full(r, req_clear);
}

static kd_req *
find_kdc_request(kd_store *st, const kd_obs *obs)
{
    /* The answer goes from the KDC back to the client's port. */
    kd_conn_key ck = conn_key(&obs->dst, obs->dport, &obs->src, obs->transport);
    kd_req *r = kd_lru_get(st->requests, &ck);
    if (!r) {
        kd_pair_key pk = pair_key(&obs->dst, &obs->src);
        r = kd_lru_get(st->last_request, &pk);
        if (r && kd_time_diff(obs->time_us, r->time_us) > KD_ANSWER_WINDOW_US)
            r = NULL;
    }
    return r;
}

static char *
tgt_ok_key(const kd_addr *client, const kd_addr *kdc, const kd_ticket_rec *t)
{
    char a[48], b[48];
    char *sn = kd_lower(t->sname);
    char *key = g_strdup_printf("tgtok|%s|%s|%s|%" G_GINT64_FORMAT "|%d", kd_addr_to_str(client, a, sizeof a),
                                kd_addr_to_str(kdc, b, sizeof b), sn, t->kvno, t->etype);
    g_free(sn);
    return key;
}

static char *
verdict_key(guint64 cipher_hash, const kd_addr *kdc, gboolean accepted)
{
    char b[48];
    return g_strdup_printf("tkt%s|%s|%016" G_GINT64_MODIFIER "x", accepted ? "ok" : "no",
                           kd_addr_to_str(kdc, b, sizeof b), cipher_hash);
}

static void
note_verdict(kd_store *st, const kd_req *req, const kd_obs *answer, gboolean accepted)
{
    if (!req || req->msg_type != KD_MSG_TGS_REQ || !req->ticket.present || req->ticket.cipher_hash == 0)
        return;
    char *key = verdict_key(req->ticket.cipher_hash, &answer->src, accepted);
    counter_bump(st->counters, key, req->frame);
    g_free(key);
}

/* The client got what an earlier failure was for: that failure is recovered. */
static void
note_recovery(kd_store *st, const kd_addr *client, const char *sname, guint32 frame)
{
    if (kd_str_empty(sname))
        return;
    kd_addr ak = addr_key(client);
    kd_failure_ring *r = kd_lru_get(st->client_failures, &ak);
    for (guint i = 0; r && i < r->count; i++) {
        kd_failure_rec *f = &r->items[i];
        if (!f->recovered_frame && f->frame < frame && f->sname && g_ascii_strcasecmp(f->sname, sname) == 0)
            f->recovered_frame = frame;
    }
}

static void
note_kdc_reply(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    const kd_krb *k = &obs->u.krb;
    kd_req *req = find_kdc_request(st, obs);
    ev->kind = KD_EV_KDC_REPLY;
    ev->req = req;
    if (req)
        req->answered = TRUE;
    note_verdict(st, req, obs, TRUE);
    note_recovery(st, &obs->dst, req && !kd_str_empty(req->sname) ? req->sname : k->ticket.sname, obs->frame);
    if (req && req->msg_type == KD_MSG_TGS_REQ && req->ticket.present && req->ticket.sname) {
        /* This KDC accepted the TGT the request presented. */
        char *key = tgt_ok_key(&req->client, &obs->src, &req->ticket);
        counter_bump(st->counters, key, req->frame);
        g_free(key);
    }
    if (!k->ticket.present || kd_str_empty(k->ticket.sname))
        return;
    if (k->msg_type == KD_MSG_AS_REP && !kd_str_empty(k->cname) && !is_anonymous(k->cname)) {
        kd_addr ak = addr_key(&obs->dst);
        kd_lru_put(st->client_names, &ak, g_strdup(k->cname));
    }
    char *spn = kd_lower(k->ticket.sname);
    kd_issue_hist *h = kd_lru_get(st->issues, spn);
    if (!h) {
        h = g_new0(kd_issue_hist, 1);
        kd_lru_put(st->issues, spn, h);
    }
    issue_hist_push(h, obs, req);
    g_free(spn);
}

static void
note_ap_request(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    kd_req *r = req_from_obs(obs);
    ev->kind = KD_EV_AP_REQUEST;
    ev->req = r;
    /* An HTTP request in the same frame (or earlier on the connection) is the carrier. */
    kd_conn_key ck = conn_key(&obs->src, obs->sport, &obs->dst, obs->dport);
    kd_req *http = kd_lru_get(st->http_reqs, &ck);
    if (http) {
        r->http_frame = http->frame;
        r->http_host = g_strdup(http->http_host);
    }
    put_req(st->ap_conns, &ck, r);
    kd_pair_key pk = pair_key(&obs->src, &obs->dst);
    put_req(st->last_ap, &pk, r);
    g_rc_box_release_full(r, req_clear);
}

static void
note_ap_reply(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    kd_req *ap = kd_store_ap_request(st, obs);
    ev->kind = KD_EV_AP_REPLY;
    ev->req = ap;
    if (!ap || !ap->ticket.present || kd_str_empty(ap->ticket.sname))
        return;
    char addr[48];
    char *spn = kd_lower(ap->ticket.sname);
    char *key = g_strdup_printf("%s|%s", spn, kd_addr_to_str(&obs->src, addr, sizeof addr));
    note_recovery(st, &obs->dst, ap->ticket.sname, obs->frame);
    kd_accept *a = g_new0(kd_accept, 1);
    a->frame = obs->frame;
    a->kvno = ap->ticket.kvno;
    a->etype = ap->ticket.etype;
    kd_lru_put(st->accepts, key, a);
    g_free(key);
    g_free(spn);
}

static void
bump_failure(kd_store *st, const kd_pair_key *key, guint32 frame)
{
    kd_counter *c = kd_lru_get(st->krb_failures, key);
    if (!c) {
        c = g_new0(kd_counter, 1);
        c->first_frame = frame;
        kd_lru_put(st->krb_failures, key, c);
    }
    c->count++;
    c->last_frame = frame;
}

/* Remember the latest real Kerberos failure between two hosts and per client, for
 * linking RPC faults and NTLM fallback to it. Benign errors do not count. */
static void
record_failure(kd_store *st, const kd_obs *obs)
{
    gint32 code = obs->u.krb.error_code;
    if (code == KD_ERR_PREAUTH_REQUIRED || code == KD_ERR_RESPONSE_TOO_BIG || code == KD_ERR_WRONG_REALM)
        return;
    kd_pair_key pk = pair_key(&obs->dst, &obs->src);
    bump_failure(st, &pk, obs->frame);
    pk = pair_key(&obs->dst, NULL);
    bump_failure(st, &pk, obs->frame);
}

/* The same failure with what NTLM fallback compares: target, account, time. */
static void
record_client_failure(kd_store *st, const kd_obs *obs, const kd_event *ev)
{
    gint32 code = obs->u.krb.error_code;
    if (code == KD_ERR_PREAUTH_REQUIRED || code == KD_ERR_RESPONSE_TOO_BIG || code == KD_ERR_WRONG_REALM)
        return;
    kd_addr ak = addr_key(&obs->dst);
    kd_failure_ring *r = kd_lru_get(st->client_failures, &ak);
    if (!r) {
        r = g_new0(kd_failure_ring, 1);
        kd_lru_put(st->client_failures, &ak, r);
    }
    kd_failure_rec *f = &r->items[r->next];
    failure_rec_clear(f);
    f->frame = obs->frame;
    f->time_us = obs->time_us;
    f->server = obs->src;
    f->from_service = ev->kind == KD_EV_SERVICE_ERROR;
    f->sname = g_strdup(ev->spn);
    const char *cname = ev->client;
    /* A TGS exchange hides the client: the TGT it presented was issued to someone. */
    if (kd_str_empty(cname) && ev->req && ev->req->ticket.present && ev->req->ticket.sname)
        cname = kd_store_issued_client(st, ev->req->ticket.sname, &obs->dst);
    f->cname = kd_str_empty(cname) ? NULL : g_strdup(cname);
    r->next = (r->next + 1) % KD_CLIENT_FAILURES;
    if (r->count < KD_CLIENT_FAILURES)
        r->count++;
}

static char *
dup_key(const char *spn)
{
    char *l = kd_lower(spn);
    char *key = g_strdup_printf("dup|%s", l);
    g_free(l);
    return key;
}

static void
note_krb_error(kd_store *st, const kd_obs *in, kd_event *ev)
{
    /* Fill in what the dissector could not decode from the raw e-data. */
    kd_edata ed;
    ev->filled = *in;
    ev->obs = &ev->filled;
    kd_krb *k = &ev->filled.u.krb;
    if (in->u.krb.e_data && kd_edata_parse(in->u.krb.e_data, in->u.krb.e_data_len, &ed)) {
        if (!k->has_nt_status && ed.has_nt_status) {
            k->has_nt_status = TRUE;
            k->nt_status = ed.nt_status;
        }
        if (k->n_etype_info2 == 0 && ed.n_etype_info2) {
            memcpy(k->etype_info2, ed.etype_info2, ed.n_etype_info2 * sizeof(gint32));
            k->n_etype_info2 = ed.n_etype_info2;
        }
    }
    const kd_obs *obs = ev->obs;
    kd_req *req = NULL;
    if (k->carrier == KD_CARRIER_KDC) {
        req = find_kdc_request(st, obs);
        if (req)
            req->answered = TRUE;
    }
    if (k->carrier == KD_CARRIER_KDC &&
        (req || obs->sport == KD_PORT_KERBEROS || obs->sport == KD_PORT_KPASSWD)) {
        ev->kind = KD_EV_KDC_ERROR;
        ev->req = req;
        /* The client's request names what it asked for; error snames vary by KDC
         * (Heimdal leaves it empty, MIT's RESPONSE_TOO_BIG names krbtgt). */
        ev->spn = req && !kd_str_empty(req->sname) ? req->sname : k->sname;
        ev->client = !kd_str_empty(k->cname) ? k->cname : (req ? req->cname : NULL);
        if (k->error_code == KD_ERR_PRINCIPAL_NOT_UNIQUE && !kd_str_empty(ev->spn)) {
            char *key = dup_key(ev->spn);
            counter_bump(st->counters, key, obs->frame);
            g_free(key);
        }
        if (k->error_code != KD_ERR_PREAUTH_REQUIRED && k->error_code != KD_ERR_RESPONSE_TOO_BIG &&
            k->error_code != KD_ERR_WRONG_REALM)
            note_verdict(st, req, obs, FALSE);
    } else {
        kd_req *ap = kd_store_ap_request(st, obs);
        ev->kind = KD_EV_SERVICE_ERROR;
        ev->req = ap;
        ev->spn = ap && ap->ticket.present && !kd_str_empty(ap->ticket.sname) ? ap->ticket.sname : k->sname;
        ev->client = !kd_str_empty(k->cname) ? k->cname : NULL;
        /* Service errors rarely name the client; the ticket's issue does. */
        if (!ev->client && ev->spn)
            ev->client = kd_store_issued_client(st, ev->spn, &obs->dst);
    }
    record_failure(st, obs);
    record_client_failure(st, obs, ev);
}

/* Remember which key types a KDC announced for a principal (PREAUTH_REQUIRED
 * e-data, AS-REP padata): later etype errors compare against them. */
static void
note_account_etypes(kd_store *st, const kd_obs *obs)
{
    const kd_krb *k = &obs->u.krb;
    if (k->n_etype_info2 == 0 || kd_str_empty(k->cname))
        return;
    char *cn = kd_lower(k->cname);
    kd_account_etypes *old = kd_lru_get(st->account_etypes, cn);
    guint n = MIN(k->n_etype_info2, KD_MAX_ETYPES);
    /* Keep the first frame that announced this set: it is the one an admin looks for. */
    if (!old || old->n != n || memcmp(old->etypes, k->etype_info2, n * sizeof(gint32)) != 0) {
        kd_account_etypes *ae = g_new0(kd_account_etypes, 1);
        ae->frame = obs->frame;
        ae->n = n;
        memcpy(ae->etypes, k->etype_info2, n * sizeof(gint32));
        kd_lru_put(st->account_etypes, cn, ae);
    }
    g_free(cn);
}

static gboolean
note_krb(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    switch (obs->u.krb.msg_type) {
    case KD_MSG_AS_REQ:
    case KD_MSG_TGS_REQ:
        note_kdc_request(st, obs, ev);
        return TRUE;
    case KD_MSG_AS_REP:
    case KD_MSG_TGS_REP:
        note_kdc_reply(st, obs, ev);
        note_account_etypes(st, obs);
        return TRUE;
    case KD_MSG_AP_REQ:
        note_ap_request(st, obs, ev);
        return TRUE;
    case KD_MSG_AP_REP:
        note_ap_reply(st, obs, ev);
        return TRUE;
    case KD_MSG_ERROR:
        note_krb_error(st, obs, ev);
        /* As received: key types only the raw e-data carries are not remembered. */
        note_account_etypes(st, obs);
        return TRUE;
    default:
        return FALSE;
    }
}

static void
note_dns(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    (void)ev;
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
            kd_dns_rec *old = kd_lru_get(st->dns, name);
            if (old && old->resolved && !resolved) {
                g_free(name);
                continue;
            }
            kd_dns_rec *rec = g_new0(kd_dns_rec, 1);
            rec->frame = obs->frame;
            rec->resolved = resolved;
            rec->cname = kd_lower(a->cname);
            kd_lru_put(st->dns, name, rec);
            /* Index by target too: rules ask "which alias led to this host?" */
            kd_dns_rec *rev = g_new0(kd_dns_rec, 1);
            rev->frame = obs->frame;
            rev->cname = g_strdup(name);
            char *tkey = g_strdup_printf("cname-of|%s", rec->cname);
            kd_lru_put(st->dns, tkey, rev);
            g_free(tkey);
        } else if (a->addr.len) {
            kd_addr ak = addr_key(&a->addr);
            kd_lru_put(st->addr_names, &ak, g_strdup(name));
            if (!kd_lru_get(st->dns, name)) {
                kd_dns_rec *rec = g_new0(kd_dns_rec, 1);
                rec->frame = obs->frame;
                kd_lru_put(st->dns, name, rec);
            }
        }
        g_free(name);
    }
}

static void
note_http(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    (void)ev;
    const kd_http *h = &obs->u.http;
    if (!h->is_request)
        return;
    kd_req *r = req_new(obs);
    r->http_frame = obs->frame;
    r->http_host = g_strdup(h->host);
    r->ticket.etype = -1;
    r->ticket.kvno = -1;
    kd_conn_key ck = conn_key(&obs->src, obs->sport, &obs->dst, obs->dport);
    put_req(st->http_reqs, &ck, r);
    g_rc_box_release_full(r, req_clear);
}

static void
note_ldap_entry(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    const kd_ldap_entry *e = &obs->u.ldap;
    const char *who = !kd_str_empty(e->sam_account_name) ? e->sam_account_name : e->dn;
    if (kd_str_empty(who))
        return;
    for (guint i = 0; i < e->n_spns && i < KD_MAX_LDAP_VALUES; i++) {
        if (kd_str_empty(e->spns[i]))
            continue;
        char *spn = kd_lower(e->spns[i]);
        kd_spn_owners *o = kd_lru_get(st->spn_owners, spn);
        if (!o) {
            o = g_new0(kd_spn_owners, 1);
            kd_lru_put(st->spn_owners, spn, o);
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
                ev->new_dup[ev->n_new_dup++] = i;
        }
        g_free(spn);
    }
}

static void
note_alive2(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    (void)ev;
    const kd_dcom_alive2 *al = &obs->u.alive2;
    for (guint i = 0; i < al->n_addrs && i < KD_MAX_BINDINGS; i++) {
        kd_addr addr;
        if (!kd_addr_parse(al->addrs[i], &addr))
            continue;
        kd_addr ak = addr_key(&addr);
        kd_binding_rec *b = kd_lru_get(st->bindings, &ak);
        if (!b) {
            b = g_new0(kd_binding_rec, 1);
            kd_lru_put(st->bindings, &ak, b);
        }
        gboolean known = FALSE;
        for (guint j = 0; j < b->n; j++)
            known = known || kd_addr_equal(&b->servers[j], &obs->src);
        if (!known && b->n < KD_MAX_OWNERS) {
            b->servers[b->n] = obs->src;
            b->frames[b->n] = obs->frame;
            b->n++;
        }
    }
}

static void
note_ntlmssp(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    /* NEGOTIATE (1) or AUTHENTICATE (3) travel from the client. */
    guint32 type = obs->u.ntlmssp.message_type;
    if (type != 1 && type != 3)
        return;
    kd_conn_key ck = conn_key(&obs->src, obs->sport, &obs->dst, obs->dport);
    ev->first = kd_lru_get(st->neg_pending, &ck) == NULL;
    if (ev->first)
        kd_lru_put(st->neg_pending, &ck, g_new0(kd_counter, 1));
}

/* Observations other than Kerberos: their event kind and what the store keeps of them. */
typedef void (*note_fn)(kd_store *st, const kd_obs *obs, kd_event *ev);
static const struct {
    kd_obs_kind obs;
    kd_event_kind ev;
    note_fn note;           /* NULL: nothing to keep, rules only */
} other_kinds[] = {
    { KD_OBS_DNS,         KD_EV_DNS,         note_dns },
    { KD_OBS_HTTP,        KD_EV_HTTP,        note_http },
    { KD_OBS_NTLMSSP,     KD_EV_NTLMSSP,     note_ntlmssp },
    { KD_OBS_DCERPC,      KD_EV_DCERPC,      NULL },
    { KD_OBS_SMB2,        KD_EV_SMB2,        NULL },
    { KD_OBS_TRANSPORT,   KD_EV_TRANSPORT,   NULL },
    { KD_OBS_DCOM_ALIVE2, KD_EV_DCOM_ALIVE2, note_alive2 },
    { KD_OBS_LDAP_ENTRY,  KD_EV_LDAP_ENTRY,  note_ldap_entry },
};

gboolean
kd_store_observe(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->obs = obs;
    if (obs->kind == KD_OBS_KRB)
        return note_krb(st, obs, ev);
    for (gsize i = 0; i < G_N_ELEMENTS(other_kinds); i++) {
        if (other_kinds[i].obs == obs->kind) {
            ev->kind = other_kinds[i].ev;
            if (other_kinds[i].note)
                other_kinds[i].note(st, obs, ev);
            return TRUE;
        }
    }
    return FALSE;
}

void
kd_store_event_done(kd_event *ev)
{
    if (ev->prev)
        g_rc_box_release_full(ev->prev, req_clear);
    ev->prev = NULL;
}

/* ----------------------------------------------------------------- queries */

/* Names (principals, SPNs) are keyed in lower case. */
static gpointer
get_by_name(kd_lru *table, const char *name)
{
    char *key = kd_lower(name);
    gpointer v = kd_lru_get(table, key);
    g_free(key);
    return v;
}

kd_req *
kd_store_ap_request(kd_store *st, const kd_obs *answer)
{
    kd_conn_key ck = conn_key(&answer->dst, answer->dport, &answer->src, answer->sport);
    kd_req *r = kd_lru_get(st->ap_conns, &ck);
    if (!r) {
        kd_pair_key pk = pair_key(&answer->dst, &answer->src);
        r = kd_lru_get(st->last_ap, &pk);
    }
    return r;
}

kd_req *
kd_store_pending_request(kd_store *st, const kd_addr *client, const kd_addr *kdc)
{
    kd_pair_key pk = pair_key(client, kdc);
    kd_req *r = kd_lru_get(st->last_request, &pk);
    return r && !r->answered ? r : NULL;
}

const kd_issue_hist *
kd_store_issues(kd_store *st, const char *spn)
{
    return get_by_name(st->issues, spn);
}

const kd_issue *
kd_issue_hist_nth(const kd_issue_hist *h, guint i)
{
    return &h->items[(h->next + KD_SPN_HISTORY - 1 - i) % KD_SPN_HISTORY];
}

const kd_issue *
kd_store_issued_to(kd_store *st, const char *spn, const kd_addr *client)
{
    const kd_issue_hist *h = kd_store_issues(st, spn);
    if (!h)
        return NULL;
    for (guint i = 0; i < h->count; i++) {
        const kd_issue *it = kd_issue_hist_nth(h, i);
        if (kd_addr_equal(&it->client, client))
            return it;
    }
    return NULL;
}

const kd_issue *
kd_store_issued_other_kvno(kd_store *st, const char *spn, gint64 kvno)
{
    const kd_issue_hist *h = kd_store_issues(st, spn);
    if (!h || kvno < 0)
        return NULL;
    for (guint i = 0; i < h->count; i++) {
        const kd_issue *it = kd_issue_hist_nth(h, i);
        if (it->kvno >= 0 && it->kvno != kvno)
            return it;
    }
    return NULL;
}

const char *
kd_store_issued_client(kd_store *st, const char *spn, const kd_addr *client)
{
    const kd_issue_hist *h = kd_store_issues(st, spn);
    for (int pass = 0; h && pass < 2; pass++) {
        for (guint i = 0; i < h->count; i++) {
            const kd_issue *it = kd_issue_hist_nth(h, i);
            if (it->cname && (pass == 1 || kd_addr_equal(&it->client, client)))
                return it->cname;
        }
    }
    /* FAST hides the client of a TGS exchange: take whoever logged on from that address. */
    kd_addr ak = addr_key(client);
    return kd_lru_get(st->client_names, &ak);
}

const kd_counter *
kd_store_tgt_accepted(kd_store *st, const kd_addr *client, const kd_addr *kdc, const kd_ticket_rec *tgt)
{
    char *key = tgt_ok_key(client, kdc, tgt);
    const kd_counter *c = kd_lru_get(st->counters, key);
    g_free(key);
    return c;
}

const kd_accept *
kd_store_accepted(kd_store *st, const char *spn, const kd_addr *server)
{
    char a[48];
    char *l = kd_lower(spn);
    char *key = g_strdup_printf("%s|%s", l, kd_addr_to_str(server, a, sizeof a));
    const kd_accept *acc = kd_lru_get(st->accepts, key);
    g_free(key);
    g_free(l);
    return acc;
}

const kd_dns_rec *
kd_store_alias_of(kd_store *st, const char *host, char **alias_out)
{
    /* The table maps alias -> canonical; a reverse walk over a bounded LRU would be
     * costly, so aliases are also indexed by their target. */
    char *h = kd_lower(host);
    char *key = g_strdup_printf("cname-of|%s", h);
    kd_dns_rec *rec = kd_lru_get(st->dns, key);
    g_free(key);
    g_free(h);
    if (rec && alias_out)
        *alias_out = rec->cname;
    return rec;
}

const kd_dns_rec *
kd_store_cname_chain(kd_store *st, const char *alias, const char *host)
{
    char *name = kd_lower(alias);
    const kd_dns_rec *first = NULL;
    for (int hop = 0; hop < 8; hop++) {
        kd_dns_rec *rec = kd_lru_get(st->dns, name);
        if (!rec || !rec->cname)
            break;
        if (!first)
            first = rec;
        g_free(name);
        name = g_strdup(rec->cname);
        if (g_ascii_strcasecmp(name, host) == 0) {
            g_free(name);
            return first;
        }
    }
    g_free(name);
    return NULL;
}

const char *
kd_store_name_of(kd_store *st, const kd_addr *addr)
{
    kd_addr ak = addr_key(addr);
    return kd_lru_get(st->addr_names, &ak);
}

gboolean
kd_store_has_dns(const kd_store *st)
{
    return kd_lru_size(st->dns) != 0;
}

const kd_spn_owners *
kd_store_spn_owners(kd_store *st, const char *spn)
{
    return get_by_name(st->spn_owners, spn);
}

const kd_counter *
kd_store_not_unique(kd_store *st, const char *spn)
{
    char *key = dup_key(spn);
    const kd_counter *c = kd_lru_get(st->counters, key);
    g_free(key);
    return c;
}

const kd_account_etypes *
kd_store_account_etypes(kd_store *st, const char *cname)
{
    return get_by_name(st->account_etypes, cname);
}

const kd_binding_rec *
kd_store_shared_binding(kd_store *st, const kd_addr *addr)
{
    kd_addr ak = addr_key(addr);
    kd_binding_rec *b = kd_lru_get(st->bindings, &ak);
    if (!b || b->n == 0)
        return NULL;
    for (guint i = 0; i < b->n; i++) {
        /* The server listing it is not the host answering there: the address is shared. */
        if (!kd_addr_equal(&b->servers[i], addr))
            return b;
    }
    return NULL;
}

const kd_counter *
kd_store_recent_failure(kd_store *st, const kd_addr *client, const kd_addr *server)
{
    kd_pair_key pk = pair_key(client, server);
    const kd_counter *c = kd_lru_get(st->krb_failures, &pk);
    if (!c) {
        pk = pair_key(client, NULL);
        c = kd_lru_get(st->krb_failures, &pk);
    }
    return c;
}

const kd_counter *
kd_store_ticket_verdict(kd_store *st, guint64 cipher_hash, const kd_addr *kdc, gboolean accepted)
{
    if (cipher_hash == 0)
        return NULL;
    char *key = verdict_key(cipher_hash, kdc, accepted);
    const kd_counter *c = kd_lru_get(st->counters, key);
    g_free(key);
    return c;
}

guint
kd_store_client_failures(kd_store *st, const kd_addr *client, const kd_failure_rec **out, guint max)
{
    kd_addr ak = addr_key(client);
    kd_failure_ring *r = kd_lru_get(st->client_failures, &ak);
    guint n = 0;
    for (guint i = 0; r && i < r->count && n < max; i++)
        out[n++] = &r->items[(r->next + KD_CLIENT_FAILURES - 1 - i) % KD_CLIENT_FAILURES];
    return n;
}

/* Host names compare without case; a short name matches the first label of a long one. */
static gboolean
same_host(const char *a, const char *b)
{
    if (kd_str_empty(a) || kd_str_empty(b))
        return FALSE;
    gsize la = strcspn(a, ":"), lb = strcspn(b, ":");
    if (la == lb && g_ascii_strncasecmp(a, b, la) == 0)
        return TRUE;
    const char *da = memchr(a, '.', la), *db = memchr(b, '.', lb);
    if ((da != NULL) == (db != NULL))
        return FALSE;
    gsize sa = da ? (gsize)(da - a) : la, sb = db ? (gsize)(db - b) : lb;
    return sa == sb && g_ascii_strncasecmp(a, b, sa) == 0;
}

guint32
kd_store_target_shown(kd_store *st, const kd_obs *conn, const char *host)
{
    if (kd_str_empty(host))
        return 0;
    const char *name = kd_store_name_of(st, &conn->dst);
    if (name && same_host(name, host)) {
        kd_dns_rec *d = get_by_name(st->dns, name);
        if (d)
            return d->frame;
    }
    kd_conn_key ck = conn_key(&conn->src, conn->sport, &conn->dst, conn->dport);
    kd_req *http = kd_lru_get(st->http_reqs, &ck);
    if (http && same_host(http->http_host, host))
        return http->http_frame;
    kd_pair_key pk = pair_key(&conn->src, &conn->dst);
    kd_req *ap = kd_lru_get(st->last_ap, &pk);
    if (ap && ap->ticket.present && ap->ticket.sname) {
        char *h = kd_spn_host(ap->ticket.sname);
        gboolean same = same_host(h, host);
        g_free(h);
        if (same)
            return ap->frame;
    }
    return 0;
}

kd_counter *
kd_store_count(kd_store *st, const char *key, guint32 frame)
{
    return counter_bump(st->counters, key, frame);
}

kd_counter *
kd_store_counter(kd_store *st, const char *key)
{
    return kd_lru_get(st->counters, key);
}
