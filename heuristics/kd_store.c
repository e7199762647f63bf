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

#include <stddef.h>
#include <string.h>

/* Only a request this recent can be the one a reply without a port match answers. */
#define KD_ANSWER_WINDOW_US (60 * G_USEC_PER_SEC)
/* Two recordings of one datagram (two interfaces, socket_wrapper) lie microseconds
 * apart; a client's own retransmission waits a second. */
#define KD_COPY_WINDOW_US 1000
/* Requests kept per connection, answered in order. */
#define KD_CONN_QUEUE 8
/* TCP attempts kept per client and KDC. */
#define KD_TCP_ATTEMPTS 4
/* A UDP request this long after an unanswered TCP attempt repeats it. */
#define KD_FALLBACK_MIN_US (G_USEC_PER_SEC / 2)
#define KD_FALLBACK_MAX_US (30 * G_USEC_PER_SEC)

struct kd_store {
    kd_lru *requests;       /* conn(client, cport, kdc, transport) -> kd_req (KDC requests) */
    kd_lru *last_request;   /* pair(client, kdc), client(client) -> kd_req (latest KDC request) */
    kd_lru *ap_conns;       /* conn(client, cport, server, sport) -> kd_req (AP-REQ to a service) */
    kd_lru *last_ap;        /* pair(client, server) -> kd_req */
    kd_lru *http_reqs;      /* conn(client, cport, server, sport) -> kd_req (HTTP request) */
    kd_lru *issues;         /* lower(sname) -> kd_issue_hist */
    kd_lru *accepts;        /* "lower(sname)|server" -> kd_accept */
    kd_lru *dns;            /* lower(name), "cname-of|" lower(target) -> kd_dns_rec */
    kd_lru *addr_names;     /* address -> addr_name: the last name that resolved to it */
    kd_lru *counters;       /* free-form keys -> kd_counter */
    kd_lru *spn_owners;     /* lower(spn) -> kd_spn_owners (from LDAP) */
    kd_lru *bindings;       /* address -> kd_binding_rec (DCOM ServerAlive2) */
    kd_lru *krb_failures;   /* pair(client, server), client(client) -> kd_counter */
    kd_lru *account_etypes; /* lower(cname) -> kd_account_etypes */
    kd_lru *client_names;   /* client address -> principal its latest TGT was issued to */
    kd_lru *neg_pending;    /* conn(client, cport, server, sport) -> NTLM seen on it */
    kd_lru *copies;         /* copy key (digest, ports) -> kd_copy_rec: the latest recording */
    kd_lru *by_port;        /* conn(client, cport, -, transport) -> kd_req_queue (answers from nowhere) */
    kd_lru *tcp_attempts;   /* pair(client, kdc) -> kd_tcp_ring */
    kd_lru *client_failures;/* client address -> kd_failure_ring */
    kd_lru *conns;          /* conn(lower end, higher end) -> kd_conn_rec */
    kd_lru *tgt_exchanges;  /* pair(client, server), client(client) -> kd_tgt_exchange (user-to-user) */
    guint32 first_frame;    /* the earliest observation; 0 before any */
    gint64 first_time_us;
    kd_lru *ldap_binds;     /* conn(client, cport, server, sport) -> kd_ldap_bind_rec */
    kd_lru *ptr_names;      /* address -> kd_dns_rec (cname: the PTR's name) */
    kd_lru *kdc_signs;      /* KDC address -> kd_kdc_signs */
};

/* The requests of one connection (or UDP address and port pair), oldest first. */
typedef struct {
    kd_req *items[KD_CONN_QUEUE];
    guint n;
} kd_req_queue;

typedef struct {
    kd_tcp_attempt items[KD_TCP_ATTEMPTS];  /* ring, newest at (next - 1) */
    guint next, count;
} kd_tcp_ring;

/* The first recording of a Kerberos message. */
typedef struct {
    guint32 frame;
    gint64 time_us;
    kd_addr src, dst;
} kd_copy_rec;

typedef struct {
    guint32 digest, len;
    guint16 sport, dport;
    guint32 transport;
} kd_copy_key;

/* A client's latest failures (ring, newest at next - 1). */
typedef struct {
    kd_failure_rec items[KD_CLIENT_FAILURES];
    guint next, count;
} kd_failure_ring;

/* A name DNS gave for an address, and the answer's frame (one allocation). */
typedef struct {
    guint32 frame;
    char name[];
} addr_name;

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

static guint
bytes_hash(const guint8 *p, gsize n)
{
    return kd_key_hash(p, n);
}

static guint conn_hash(gconstpointer k) { return bytes_hash(k, sizeof(kd_conn_key)); }
static gboolean conn_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(kd_conn_key)) == 0; }
static guint pair_hash(gconstpointer k) { return bytes_hash(k, sizeof(kd_pair_key)); }
static gboolean pair_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(kd_pair_key)) == 0; }
static guint addr_hash(gconstpointer k) { return bytes_hash(k, sizeof(kd_addr)); }
static gboolean addr_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(kd_addr)) == 0; }

static guint copy_hash(gconstpointer k) { return bytes_hash(k, sizeof(kd_copy_key)); }
static gboolean copy_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(kd_copy_key)) == 0; }

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
    g_free(t->decrypted_by);
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
    ticket_rec_clear(&r->addl_ticket);
}

static void
req_release(gpointer p)
{
    g_rc_box_release_full(p, req_clear);
}

static void
queue_free(gpointer p)
{
    kd_req_queue *q = p;
    for (guint i = 0; i < q->n; i++)
        req_release(q->items[i]);
    g_free(q);
}

static void
queue_push(kd_req_queue *q, kd_req *r)
{
    if (q->n == KD_CONN_QUEUE) {
        req_release(q->items[0]);
        memmove(&q->items[0], &q->items[1], (KD_CONN_QUEUE - 1) * sizeof(kd_req *));
        q->n--;
    }
    q->items[q->n++] = g_rc_box_acquire(r);
}

static void
tcp_ring_free(gpointer p)
{
    kd_tcp_ring *t = p;
    for (guint i = 0; i < KD_TCP_ATTEMPTS; i++) {
        if (t->items[i].req)
            req_release(t->items[i].req);
    }
    g_free(t);
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
ldap_bind_free(gpointer p)
{
    kd_ldap_bind_rec *b = p;
    g_free(b->name);
    g_free(b->mechanism);
    g_free(b);
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
    it->user_to_user = req && req->msg_type == KD_MSG_TGS_REQ && req->opt_enc_tkt_in_skey && req->n_addl_tickets > 0;
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
        r->ticket.decrypt = k->ticket.decrypt;
        r->ticket.decrypted_by = g_strdup(k->ticket.decrypted_by);
    } else {
        r->ticket.etype = -1;
        r->ticket.kvno = -1;
    }
    r->opt_cname_in_addl_tkt = k->opt_cname_in_addl_tkt;
    r->opt_enc_tkt_in_skey = k->opt_enc_tkt_in_skey;
    if (k->carrier == KD_CARRIER_DCERPC) {
        r->rpc_pkt_type = k->rpc_pkt_type;
        r->rpc_auth_level = k->rpc_auth_level;
    }
    r->n_addl_tickets = k->n_addl_tickets;
    r->addl_ticket.present = k->addl_ticket.present;
    r->addl_ticket.realm = g_strdup(k->addl_ticket.realm);
    r->addl_ticket.sname = g_strdup(k->addl_ticket.sname);
    r->addl_ticket.etype = k->addl_ticket.etype;
    r->addl_ticket.kvno = k->addl_ticket.kvno;
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
#define KD_STORE_TABLES 25
static void
store_tables(const kd_store *st, kd_lru **out, const char **names)
{
    kd_lru *t[] = {
        st->requests, st->last_request, st->ap_conns, st->last_ap, st->http_reqs,
        st->issues, st->accepts, st->dns, st->addr_names, st->counters,
        st->spn_owners, st->bindings, st->krb_failures, st->account_etypes,
        st->client_names, st->neg_pending, st->copies, st->by_port, st->tcp_attempts,
        st->client_failures, st->conns, st->tgt_exchanges, st->ldap_binds, st->ptr_names,
        st->kdc_signs
    };
    static const char *const n[] = {
        "requests", "last_request", "ap_conns", "last_ap", "http_reqs",
        "issues", "accepts", "dns", "addr_names", "counters",
        "spn_owners", "bindings", "krb_failures", "account_etypes",
        "client_names", "neg_pending", "copies", "by_port", "tcp_attempts",
        "client_failures", "conns", "tgt_exchanges", "ldap_binds", "ptr_names",
        "kdc_signs"
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
    st->requests = conn_table(queue_free);
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
    st->copies = kd_lru_new_keyed(KD_STORE_CAP, sizeof(kd_copy_key), copy_hash, copy_equal, g_free);
    st->by_port = conn_table(queue_free);
    st->tcp_attempts = pair_table(tcp_ring_free);
    st->client_failures = addr_table(failure_ring_free);
    st->conns = conn_table(g_free);
    st->tgt_exchanges = pair_table(g_free);
    st->ldap_binds = conn_table(ldap_bind_free);
    st->ptr_names = addr_table(dns_rec_free);
    st->kdc_signs = addr_table(g_free);
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

static kd_req_queue *
queue_at(kd_lru *table, const kd_conn_key *key, gboolean create)
{
    kd_req_queue *q = kd_lru_get(table, key);
    if (!q && create) {
        q = g_new0(kd_req_queue, 1);
        kd_lru_put(table, key, q);
    }
    return q;
}

/* The connection's (or UDP port pair's) key of a request, and of the index that
 * ignores the KDC's address, for answers recorded from an address no host has. */
static kd_conn_key
req_conn_key(const kd_addr *client, guint16 cport, const kd_addr *kdc, kd_transport transport)
{
    static const kd_addr none;
    return conn_key(client, cport, kdc ? kdc : &none, (guint16)transport);
}

/* Remember the TCP connection a request to a KDC travelled on. */
static void
note_tcp_request(kd_store *st, const kd_obs *obs, kd_req *r)
{
    kd_pair_key pk = pair_key(&obs->src, &obs->dst);
    kd_tcp_ring *ring = kd_lru_get(st->tcp_attempts, &pk);
    if (!ring) {
        ring = g_new0(kd_tcp_ring, 1);
        kd_lru_put(st->tcp_attempts, &pk, ring);
    }
    for (guint i = 0; i < ring->count; i++) {
        kd_tcp_attempt *a = &ring->items[(ring->next + KD_TCP_ATTEMPTS - 1 - i) % KD_TCP_ATTEMPTS];
        if (a->cport != obs->sport)
            continue;
        /* The first readable request is what the connection asked. */
        if (r && (!a->req || (a->req->partial && !r->partial))) {
            if (a->req)
                req_release(a->req);
            a->req = g_rc_box_acquire(r);
        }
        return;
    }
    kd_tcp_attempt *a = &ring->items[ring->next];
    if (a->req)
        req_release(a->req);
    memset(a, 0, sizeof(*a));
    a->frame = obs->frame;
    a->time_us = obs->time_us;
    a->cport = obs->sport;
    a->req = r ? g_rc_box_acquire(r) : NULL;
    ring->next = (ring->next + 1) % KD_TCP_ATTEMPTS;
    if (ring->count < KD_TCP_ATTEMPTS)
        ring->count++;
}

/* Place a request on its connection's queue. A readable request replaces the
 * unreadable segments before it on the same connection: they were its start. */
static void
queue_request(kd_store *st, const kd_obs *obs, kd_req *r)
{
    kd_conn_key keys[2] = { req_conn_key(&obs->src, obs->sport, &obs->dst, obs->transport),
                            req_conn_key(&obs->src, obs->sport, NULL, obs->transport) };
    kd_lru *tables[2] = { st->requests, st->by_port };
    for (int t = 0; t < 2; t++) {
        kd_req_queue *q = queue_at(tables[t], &keys[t], TRUE);
        while (!r->partial && q->n && q->items[q->n - 1]->partial && !q->items[q->n - 1]->answered) {
            req_release(q->items[q->n - 1]);
            q->n--;
        }
        queue_push(q, r);
    }
}

static void
note_kdc_request(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    kd_req *r = req_from_obs(obs);
    r->msg_digest = obs->u.krb.msg_digest;
    ev->kind = KD_EV_KDC_REQUEST;
    ev->req = r;
    /* The request this one may retransmit: the latest unanswered one, before it is replaced. */
    kd_req *prev = kd_store_pending_request(st, &obs->src, &obs->dst);
    ev->prev = prev ? g_rc_box_acquire(prev) : NULL;
    queue_request(st, obs, r);
    kd_pair_key pk = pair_key(&obs->src, &obs->dst);
    put_req(st->last_request, &pk, r);
    pk = pair_key(&obs->src, NULL);
    put_req(st->last_request, &pk, r);
    if (obs->transport == KD_TRANSPORT_TCP)
        note_tcp_request(st, obs, r);
    /* The tables hold the record now; the event borrows it. */
    g_rc_box_release_full(r, req_clear);
}

/* A segment to port 88 that yields no Kerberos message: a request of unknown
 * content, unless its connection already carries one (then it is a piece of it,
 * or a second recording of the stream). */
static void
note_partial_request(kd_store *st, const kd_obs *obs)
{
    kd_conn_key ck = req_conn_key(&obs->src, obs->sport, &obs->dst, obs->transport);
    kd_req_queue *q = queue_at(st->requests, &ck, FALSE);
    if (q && q->n)
        return;
    kd_req *r = req_new(obs);
    r->transport = obs->transport;
    r->carrier = KD_CARRIER_KDC;
    r->partial = TRUE;
    r->ticket.etype = -1;
    r->ticket.kvno = -1;
    queue_request(st, obs, r);
    note_tcp_request(st, obs, r);
    g_rc_box_release_full(r, req_clear);
}

/* The request an answer from a KDC answers: on the same TCP connection or UDP
 * address and port pair, the oldest one still unanswered (answers come in order).
 * Never "the latest request of that host" on another connection. */
static kd_req *
find_kdc_request(kd_store *st, const kd_obs *obs)
{
    kd_conn_key ck = req_conn_key(&obs->dst, obs->dport, &obs->src, obs->transport);
    kd_req_queue *q = queue_at(st->requests, &ck, FALSE);
    if (!q) {
        /* The KDC's address as recorded says nothing (0.0.0.0, broadcast), or the
         * request went to such an address: the client's address and port decide. */
        ck = req_conn_key(&obs->dst, obs->dport, NULL, obs->transport);
        kd_req_queue *bp = queue_at(st->by_port, &ck, FALSE);
        if (bp && bp->n && (kd_addr_is_nowhere(&obs->src) || kd_addr_is_nowhere(&bp->items[bp->n - 1]->server)))
            q = bp;
    }
    if (!q || !q->n) {
        if (obs->sport || obs->dport)
            return NULL;
        /* No ports to pair by (a carrier that has none): the client's latest request. */
        kd_pair_key pk = pair_key(&obs->dst, &obs->src);
        kd_req *r = kd_lru_get(st->last_request, &pk);
        if (r && kd_time_diff(obs->time_us, r->time_us) > KD_ANSWER_WINDOW_US)
            r = NULL;
        return r;
    }
    for (guint i = 0; i < q->n; i++) {
        if (!q->items[i]->answered)
            return q->items[i];
    }
    return q->items[q->n - 1];
}

/* An answer pairs with its request: that request, and its retransmissions on the
 * same pair (byte-identical), are answered; so is the TCP connection it used. */
static void
mark_answered(kd_store *st, const kd_obs *obs, kd_req *req)
{
    if (!req)
        return;
    req->answered = TRUE;
    kd_conn_key ck = req_conn_key(&req->client, req->cport, &req->server, req->transport);
    kd_req_queue *q = queue_at(st->requests, &ck, FALSE);
    for (guint i = 0; q && req->msg_digest && i < q->n; i++) {
        if (q->items[i]->msg_digest == req->msg_digest)
            q->items[i]->answered = TRUE;
    }
    if (obs->transport != KD_TRANSPORT_TCP)
        return;
    kd_pair_key pk = pair_key(&req->client, &req->server);
    kd_tcp_ring *ring = kd_lru_get(st->tcp_attempts, &pk);
    for (guint i = 0; ring && i < ring->count; i++) {
        if (ring->items[i].cport == req->cport)
            ring->items[i].answered = TRUE;
    }
}

/* Signs of which KDC software answers at an address (see kd_store_kdc_kind), kept
 * per address with the first frame showing each. */
typedef enum {
    KDC_SIGN_MIT = 0,       /* e-text from MIT's table rows */
    KDC_SIGN_HEIMDAL,       /* e-text from Heimdal/Samba's table rows */
    KDC_SIGN_NTSTATUS,      /* NTSTATUS in e-data: Windows, or Samba AD */
    KDC_SIGN_MACHINE,       /* a ticket issued to a machine account (name ending in '$') */
    KDC_SIGN_LOWER_REALM,   /* a ticket issued in a realm with lower-case letters */
    KDC_SIGN_COUNT
} kdc_sign;

typedef struct {
    guint32 first[KDC_SIGN_COUNT];  /* the frame that first showed each sign */
    gboolean seen[KDC_SIGN_COUNT];
} kd_kdc_signs;

static void
kdc_sign_note(kd_store *st, const kd_addr *kdc, kdc_sign sign, guint32 frame)
{
    kd_addr ak = addr_key(kdc);
    kd_kdc_signs *signs = kd_lru_get(st->kdc_signs, &ak);
    if (!signs) {
        signs = g_new0(kd_kdc_signs, 1);
        kd_lru_put(st->kdc_signs, &ak, signs);
    }
    if (!signs->seen[sign]) {
        signs->seen[sign] = TRUE;
        signs->first[sign] = frame;
    }
}

/* The first frame of each sign the KDC at kdc showed (0: none). */
static void
kdc_sign_frames(kd_store *st, const kd_addr *kdc, guint32 first[KDC_SIGN_COUNT])
{
    kd_addr ak = addr_key(kdc);
    const kd_kdc_signs *signs = kd_lru_get(st->kdc_signs, &ak);
    for (int i = 0; i < KDC_SIGN_COUNT; i++)
        first[i] = signs ? signs->first[i] : 0;
}

static gboolean
has_lower_ascii(const char *s)
{
    for (gsize i = 0; s && s[i] && i < 256; i++) {
        if (g_ascii_islower(s[i]))
            return TRUE;
    }
    return FALSE;
}

/* A KRB-ERROR from a KDC: its e-text style and e-data shape. */
static void
kdc_signs_from_error(kd_store *st, const kd_obs *obs, const kd_etext_info *row)
{
    const kd_krb *k = &obs->u.krb;
    if (row && strcmp(row->kdc, "MIT") == 0)
        kdc_sign_note(st, &obs->src, KDC_SIGN_MIT, obs->frame);
    else if (row && strcmp(row->kdc, "Heimdal/Samba") == 0)
        kdc_sign_note(st, &obs->src, KDC_SIGN_HEIMDAL, obs->frame);
    if (k->has_nt_status)
        kdc_sign_note(st, &obs->src, KDC_SIGN_NTSTATUS, obs->frame);
}

/* An AS-REP/TGS-REP: whom and in which realm the KDC issues tickets. */
static void
kdc_signs_from_reply(kd_store *st, const kd_obs *obs)
{
    const kd_krb *k = &obs->u.krb;
    gsize n = k->cname ? strnlen(k->cname, 256) : 0;
    if (n > 1 && n < 256 && k->cname[n - 1] == '$')
        kdc_sign_note(st, &obs->src, KDC_SIGN_MACHINE, obs->frame);
    if (k->ticket.present && has_lower_ascii(k->ticket.realm))
        kdc_sign_note(st, &obs->src, KDC_SIGN_LOWER_REALM, obs->frame);
}

/* "tktok|<kdc>|<hash>" or "tktno|...": the counter of a KDC's verdicts on a ticket. */
static const char *
verdict_key(kd_key *key, guint64 cipher_hash, const kd_addr *kdc, gboolean accepted)
{
    kd_key_init(key);
    kd_key_str(key, accepted ? "tktok" : "tktno");
    kd_key_addr(key, kdc);
    kd_key_hex64(key, cipher_hash);
    return kd_key_text(key);
}

static void
note_verdict(kd_store *st, const kd_req *req, const kd_obs *answer, gboolean accepted)
{
    if (!req || req->msg_type != KD_MSG_TGS_REQ || !req->ticket.present || req->ticket.cipher_hash == 0)
        return;
    kd_key key;
    counter_bump(st->counters, verdict_key(&key, req->ticket.cipher_hash, &answer->src, accepted), req->frame);
    kd_key_done(&key);
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
    kdc_signs_from_reply(st, obs);
    mark_answered(st, obs, req);
    note_verdict(st, req, obs, TRUE);
    note_recovery(st, &obs->dst, req && !kd_str_empty(req->sname) ? req->sname : k->ticket.sname, obs->frame);
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

/* One key per TCP connection whichever way a segment goes: the lower end first. */
static kd_conn_key
either_way_key(const kd_obs *obs)
{
    kd_conn_key k1 = conn_key(&obs->src, obs->sport, &obs->dst, obs->dport);
    kd_conn_key k2 = conn_key(&obs->dst, obs->dport, &obs->src, obs->sport);
    return memcmp(&k1, &k2, sizeof k1) <= 0 ? k1 : k2;
}

static kd_conn_rec *
conn_rec(kd_store *st, const kd_obs *obs)
{
    kd_conn_key ck = either_way_key(obs);
    kd_conn_rec *c = kd_lru_get(st->conns, &ck);
    if (!c) {
        c = g_new0(kd_conn_rec, 1);
        kd_lru_put(st->conns, &ck, c);
    }
    return c;
}

/* "lower(sname)|server": a service at server accepted a ticket for sname. */
static const char *
accept_key(kd_key *key, const char *sname, const kd_addr *server)
{
    kd_key_init(key);
    kd_key_lower(key, sname);
    kd_key_addr(key, server);
    return kd_key_text(key);
}

static void
note_ap_reply(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    if (obs->transport == KD_TRANSPORT_TCP) {
        kd_conn_rec *c = conn_rec(st, obs);
        c->ap_rep_frame = obs->frame;
        c->ap_rep_pdu = obs->u.krb.carrier == KD_CARRIER_DCERPC ? obs->u.krb.rpc_pkt_type : 0;
        c->gap_frame = 0;
    }
    kd_req *ap = kd_store_ap_request(st, obs);
    ev->kind = KD_EV_AP_REPLY;
    ev->req = ap;
    if (!ap || !ap->ticket.present || kd_str_empty(ap->ticket.sname))
        return;
    note_recovery(st, &obs->dst, ap->ticket.sname, obs->frame);
    kd_accept *a = g_new0(kd_accept, 1);
    a->frame = obs->frame;
    a->kvno = ap->ticket.kvno;
    a->etype = ap->ticket.etype;
    kd_key key;
    kd_lru_put(st->accepts, accept_key(&key, ap->ticket.sname, &obs->src), a);
    kd_key_done(&key);
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
    if (code == KDC_ERR_PREAUTH_REQUIRED || code == KRB_ERR_RESPONSE_TOO_BIG || code == KDC_ERR_WRONG_REALM)
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
    if (code == KDC_ERR_PREAUTH_REQUIRED || code == KRB_ERR_RESPONSE_TOO_BIG || code == KDC_ERR_WRONG_REALM)
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
    kd_key key;
    kd_key_init(&key);
    kd_key_str(&key, "dup");
    kd_key_lower(&key, spn);
    return kd_key_steal(&key);
}

static void
note_krb_error(kd_store *st, const kd_obs *in, kd_event *ev)
{
    /* Fill in what the dissector could not decode from the raw e-data. */
    kd_edata ed;
    ev->filled = *in;
    ev->obs = &ev->filled;
    kd_krb *k = &ev->filled.u.krb;
    /* Looked up once: the store and several rules read it. */
    ev->etext = kd_catalog_etext_lookup(k->e_text);
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
        mark_answered(st, obs, req);
    }
    if (k->carrier == KD_CARRIER_KDC &&
        (req || obs->sport == KERBEROS_PORT || obs->sport == KPASSWD_PORT)) {
        ev->kind = KD_EV_KDC_ERROR;
        ev->req = req;
        kdc_signs_from_error(st, obs, ev->etext);
        /* The client's request names what it asked for; error snames vary by KDC
         * (Heimdal leaves it empty, MIT's RESPONSE_TOO_BIG names krbtgt). */
        ev->spn = req && !kd_str_empty(req->sname) ? req->sname : k->sname;
        ev->client = !kd_str_empty(k->cname) ? k->cname : (req ? req->cname : NULL);
        if (k->error_code == KDC_ERR_PRINCIPAL_NOT_UNIQUE && !kd_str_empty(ev->spn)) {
            char *key = dup_key(ev->spn);
            counter_bump(st->counters, key, obs->frame);
            g_free(key);
        }
        if (k->error_code != KDC_ERR_PREAUTH_REQUIRED && k->error_code != KRB_ERR_RESPONSE_TOO_BIG &&
            k->error_code != KDC_ERR_WRONG_REALM)
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
        if (obs->transport == KD_TRANSPORT_TCP)
            conn_rec(st, obs)->krb_error_frame = obs->frame;
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
same_or_nowhere(const kd_addr *a, const kd_addr *b)
{
    return kd_addr_equal(a, b) || kd_addr_is_nowhere(a) || kd_addr_is_nowhere(b);
}

/* A second recording of a message seen microseconds before: byte-identical, same
 * ports, each address the same or one no host has (socket_wrapper writes one copy
 * with 0.0.0.0). It is the same message: no event of its own. */
static gboolean
is_recorded_copy(kd_store *st, const kd_obs *obs)
{
    const kd_krb *k = &obs->u.krb;
    if (k->msg_len == 0)
        return FALSE;
    kd_copy_key key;
    memset(&key, 0, sizeof key);
    key.digest = k->msg_digest;
    key.len = k->msg_len;
    key.sport = obs->sport;
    key.dport = obs->dport;
    key.transport = obs->transport;
    kd_copy_rec *c = kd_lru_get(st->copies, &key);
    if (c && c->frame != obs->frame) {
        gint64 dt = kd_time_diff(obs->time_us, c->time_us);
        if (dt >= 0 && dt <= KD_COPY_WINDOW_US && same_or_nowhere(&c->src, &obs->src) &&
            same_or_nowhere(&c->dst, &obs->dst))
            return TRUE;
    }
    c = g_new0(kd_copy_rec, 1);
    c->frame = obs->frame;
    c->time_us = obs->time_us;
    c->src = obs->src;
    c->dst = obs->dst;
    kd_lru_put(st->copies, &key, c);
    return FALSE;
}

/* An answer recorded from an address no host has (0.0.0.0, broadcast): the KDC is
 * the one its request went to. Returns the observation to use. */
static const kd_obs *
answer_from_somewhere(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    gint32 t = obs->u.krb.msg_type;
    if ((t != KD_MSG_AS_REP && t != KD_MSG_TGS_REP && t != KD_MSG_ERROR) || !kd_addr_is_nowhere(&obs->src) ||
        obs->u.krb.carrier != KD_CARRIER_KDC)
        return obs;
    kd_req *req = find_kdc_request(st, obs);
    if (!req || kd_addr_is_nowhere(&req->server))
        return obs;
    ev->filled = *obs;
    ev->filled.src = req->server;
    ev->obs = &ev->filled;
    return &ev->filled;
}

/* A user-to-user TGT token between a client and a server: a request opens the
 * exchange, a reply on the reverse direction of the same connection completes it. */
static void
note_tgt_token(kd_store *st, const kd_obs *obs)
{
    gboolean is_req = obs->u.krb.msg_type == KD_MSG_TGT_REQ;
    const kd_addr *client = is_req ? &obs->src : &obs->dst;
    const kd_addr *server = is_req ? &obs->dst : &obs->src;
    guint16 cport = is_req ? obs->sport : obs->dport;
    guint16 sport = is_req ? obs->dport : obs->sport;
    kd_pair_key pk = pair_key(client, server);
    const kd_tgt_exchange *old = kd_lru_get(st->tgt_exchanges, &pk);
    gboolean same_conn = old && old->cport == cport && old->sport == sport;
    kd_tgt_exchange *x = g_new0(kd_tgt_exchange, 1);
    if (!is_req && same_conn) {
        if (old->rep_frame != 0) {
            g_free(x);  /* a second reply on the connection: the first one stands */
            return;
        }
        *x = *old;
    } else {
        x->client = *client;
        x->server = *server;
        x->cport = cport;
        x->sport = sport;
    }
    if (is_req)
        x->req_frame = obs->frame;
    else
        x->rep_frame = obs->frame;
    kd_lru_put(st->tgt_exchanges, &pk, x);
    pk = pair_key(client, NULL);
    kd_tgt_exchange *by_client = g_new(kd_tgt_exchange, 1);
    *by_client = *x;
    kd_lru_put(st->tgt_exchanges, &pk, by_client);
}

const kd_tgt_exchange *
kd_store_tgt_exchange(kd_store *st, const kd_addr *client, const kd_addr *server)
{
    if (!client)
        return NULL;
    kd_pair_key pk = pair_key(client, server);
    return kd_lru_get(st->tgt_exchanges, &pk);
}

const kd_issue *
kd_store_ordinary_issued(kd_store *st, const char *spn)
{
    const kd_issue_hist *h = kd_store_issues(st, spn);
    for (guint i = 0; h && i < h->count; i++) {
        const kd_issue *it = kd_issue_hist_nth(h, i);
        if (it && !it->user_to_user)
            return it;
    }
    return NULL;
}

static gboolean
note_krb(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    if (is_recorded_copy(st, obs))
        return FALSE;
    obs = answer_from_somewhere(st, obs, ev);
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
    case KD_MSG_TGT_REQ:
    case KD_MSG_TGT_REP:
        /* Bookkeeping only: rules ask the store about the exchange. */
        note_tgt_token(st, obs);
        return FALSE;
    case KD_MSG_ERROR:
        note_krb_error(st, obs, ev);
        /* As received: key types only the raw e-data carries are not remembered. */
        note_account_etypes(st, obs);
        return TRUE;
    default:
        return FALSE;
    }
}

/* The address a reverse look-up name stands for: "20.0.88.10.in-addr.arpa" is
 * 10.88.0.20; an ip6.arpa name lists the 32 nibbles backwards. */
static gboolean
reverse_name_addr(const char *name, kd_addr *out)
{
    memset(out, 0, sizeof(*out));
    gsize len = strlen(name);
    if (g_str_has_suffix(name, ".in-addr.arpa")) {
        guint oct[4], n = 0;
        const char *p = name, *end = name + len - strlen(".in-addr.arpa");
        while (p < end && n < 4) {
            guint v = 0, digits = 0;
            while (p < end && g_ascii_isdigit(*p) && digits < 3) {
                v = v * 10 + (guint)(*p++ - '0');
                digits++;
            }
            if (digits == 0 || v > 255 || (p < end && *p != '.'))
                return FALSE;
            oct[n++] = v;
            if (p < end)
                p++;
        }
        if (n != 4 || p != end)
            return FALSE;
        for (guint i = 0; i < 4; i++)
            out->bytes[i] = (guint8)oct[3 - i];
        out->len = 4;
        return TRUE;
    }
    if (g_str_has_suffix(name, ".ip6.arpa") && len == 64 + strlen(".ip6.arpa")) {
        for (guint i = 0; i < 32; i++) {
            char c = name[2 * i];
            int v = g_ascii_xdigit_value(c);
            if (v < 0 || name[2 * i + 1] != '.')
                return FALSE;
            guint nib = 31 - i;     /* the first label is the last nibble */
            out->bytes[nib / 2] |= (guint8)(nib % 2 ? v : v << 4);
        }
        out->len = 16;
        return TRUE;
    }
    return FALSE;
}

/* "cname-of|lower(target)": the CNAME record leading to target. */
static const char *
alias_key(kd_key *key, const char *target)
{
    kd_key_init(key);
    kd_key_str(key, "cname-of");
    kd_key_lower(key, target);
    return kd_key_text(key);
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
        kd_addr ptr_addr;
        if (!kd_str_empty(a->ptr) && reverse_name_addr(name, &ptr_addr)) {
            kd_dns_rec *rec = g_new0(kd_dns_rec, 1);
            rec->frame = obs->frame;
            rec->cname = kd_lower(a->ptr);
            kd_addr ak = addr_key(&ptr_addr);
            kd_lru_put(st->ptr_names, &ak, rec);
            /* Index by the name too: rules ask "which address did reverse DNS give
             * this host for?" */
            kd_dns_rec *by_name = g_new0(kd_dns_rec, 1);
            by_name->frame = obs->frame;
            by_name->addr = ptr_addr;
            char *pkey = g_strdup_printf("ptr-to|%s", rec->cname);
            kd_lru_put(st->dns, pkey, by_name);
            g_free(pkey);
        } else if (!kd_str_empty(a->cname)) {
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
            kd_key tkey;
            kd_lru_put(st->dns, alias_key(&tkey, rec->cname), rev);
            kd_key_done(&tkey);
        } else if (a->addr.len) {
            kd_addr ak = addr_key(&a->addr);
            addr_name *an = g_malloc(sizeof(addr_name) + strlen(name) + 1);
            an->frame = obs->frame;
            memcpy(an->name, name, strlen(name) + 1);
            kd_lru_put(st->addr_names, &ak, an);
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
    if (!h->is_request) {
        /* A 401 carrying the chosen scheme's next token ("NTLM <challenge>") does not
         * withdraw the other schemes the server offered on the connection before: keep
         * every scheme named, and the answer that first named them. */
        if (h->offers) {
            kd_conn_rec *c = conn_rec(st, obs);
            if (!c->http_offer_frame || (h->offers & ~c->http_offers))
                c->http_offer_frame = obs->frame;
            c->http_offers |= h->offers;
        }
        return;
    }
    if (h->auth != KD_AUTH_NONE) {
        kd_conn_rec *c = conn_rec(st, obs);
        c->http_auth_prev_frame = c->http_auth_frame;
        c->http_auth_prev_len = c->http_auth_len;
        c->http_auth_frame = obs->frame;
        c->http_auth_len = h->auth_len;
        c->http_auth = h->auth;
    }
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

/* A BindRequest is remembered for its connection; a BindResponse is an event about
 * it, with the AP-REQ its connection carried (the Kerberos ticket of a SASL bind). */
static void
note_ldap_bind(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    const kd_ldap_bind *b = &obs->u.bind;
    if (!b->is_response) {
        kd_ldap_bind_rec *r = g_new0(kd_ldap_bind_rec, 1);
        r->frame = obs->frame;
        r->sasl = b->sasl;
        /* SASL binds name no one in the request: the ticket or the mechanism does. */
        r->anonymous = !b->sasl && (kd_str_empty(b->name) || b->empty_password);
        r->name = kd_str_empty(b->name) ? NULL : g_strdup(b->name);
        r->mechanism = kd_str_empty(b->mechanism) ? NULL : g_strdup(b->mechanism);
        kd_conn_key ck = conn_key(&obs->src, obs->sport, &obs->dst, obs->dport);
        kd_lru_put(st->ldap_binds, &ck, r);
        return;
    }
    /* The AP-REQ of this very connection, not the latest between the two hosts. */
    kd_conn_key ck = conn_key(&obs->dst, obs->dport, &obs->src, obs->sport);
    kd_req *ap = kd_lru_get(st->ap_conns, &ck);
    ev->req = ap && ap->carrier == KD_CARRIER_LDAP ? ap : NULL;
    ev->spn = ev->req && ev->req->ticket.present ? ev->req->ticket.sname : NULL;
    const kd_ldap_bind_rec *r = kd_store_ldap_bind(st, obs);
    ev->client = r ? r->name : NULL;
    if (!ev->client && ev->spn)
        ev->client = kd_store_issued_client(st, ev->spn, &obs->dst);
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
    /* NEGOTIATE or AUTHENTICATE travel from the client. */
    guint32 type = obs->u.ntlmssp.message_type;
    if (type != NTLMSSP_NEGOTIATE_MESSAGE && type != NTLMSSP_AUTHENTICATE_MESSAGE)
        return;
    if (type == NTLMSSP_NEGOTIATE_MESSAGE && obs->transport == KD_TRANSPORT_TCP) {
        kd_conn_rec *c = conn_rec(st, obs);
        c->ntlm_neg_frame = obs->frame;
        c->ntlm_neg_mechs = obs->u.ntlmssp.spnego_mechs;
    }
    kd_conn_key ck = conn_key(&obs->src, obs->sport, &obs->dst, obs->dport);
    ev->first = kd_lru_get(st->neg_pending, &ck) == NULL;
    if (ev->first)
        kd_lru_put(st->neg_pending, &ck, g_new0(kd_counter, 1));
}

/* Connection attempts and unreadable requests towards a KDC's TCP port. */
static void
note_transport(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    (void)ev;
    if (obs->transport != KD_TRANSPORT_TCP)
        return;
    if (obs->u.net.event == KD_NET_TCP_SELF_CONNECT) {
        kd_conn_rec *c = conn_rec(st, obs);
        c->self_syn_frame = c->self_syn_frame ? c->self_syn_frame : obs->frame;
    } else if (obs->u.net.event == KD_NET_TCP_LOST_SEGMENT) {
        kd_conn_rec *c = conn_rec(st, obs);
        c->gap_frame = c->gap_frame ? c->gap_frame : obs->frame;
    } else if (obs->u.net.event == KD_NET_TCP_SYN)
        note_tcp_request(st, obs, NULL);
    else if (obs->u.net.event == KD_NET_TCP_PARTIAL_REQUEST)
        note_partial_request(st, obs);
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
    { KD_OBS_TRANSPORT,   KD_EV_TRANSPORT,   note_transport },
    { KD_OBS_DCOM_ALIVE2, KD_EV_DCOM_ALIVE2, note_alive2 },
    { KD_OBS_LDAP_ENTRY,  KD_EV_LDAP_ENTRY,  note_ldap_entry },
    { KD_OBS_LDAP_BIND,   KD_EV_LDAP_BIND,   note_ldap_bind },
};

gboolean
kd_store_observe(kd_store *st, const kd_obs *obs, kd_event *ev)
{
    /* Everything but `filled`, a whole observation that is only read once a copy
     * of the frame's is made in it. */
    memset(ev, 0, offsetof(kd_event, filled));
    ev->obs = obs;
    if (!st->first_frame || obs->frame < st->first_frame) {
        st->first_frame = obs->frame;
        st->first_time_us = obs->time_us;
    }
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

const kd_accept *
kd_store_accepted(kd_store *st, const char *spn, const kd_addr *server)
{
    kd_key key;
    const kd_accept *acc = kd_lru_get(st->accepts, accept_key(&key, spn, server));
    kd_key_done(&key);
    return acc;
}

const kd_dns_rec *
kd_store_alias_of(kd_store *st, const char *host, char **alias_out)
{
    /* The table maps alias -> canonical; a reverse walk over a bounded LRU would be
     * costly, so aliases are also indexed by their target. */
    kd_key key;
    kd_dns_rec *rec = kd_lru_get(st->dns, alias_key(&key, host));
    kd_key_done(&key);
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
    return kd_store_name_of_at(st, addr, NULL);
}

const char *
kd_store_name_of_at(kd_store *st, const kd_addr *addr, guint32 *frame)
{
    kd_addr ak = addr_key(addr);
    const addr_name *an = kd_lru_get(st->addr_names, &ak);
    if (frame)
        *frame = an ? an->frame : 0;
    return an ? an->name : NULL;
}

const kd_dns_rec *
kd_store_ptr_naming(kd_store *st, const char *host)
{
    if (kd_str_empty(host))
        return NULL;
    char *h = kd_lower(host);
    char *key = g_strdup_printf("ptr-to|%s", h);
    const kd_dns_rec *r = kd_lru_get(st->dns, key);
    g_free(key);
    g_free(h);
    return r;
}

const char *
kd_store_ptr_name(kd_store *st, const kd_addr *addr, guint32 *frame)
{
    kd_addr ak = addr_key(addr);
    const kd_dns_rec *r = kd_lru_get(st->ptr_names, &ak);
    if (frame)
        *frame = r ? r->frame : 0;
    return r ? r->cname : NULL;
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

guint32
kd_store_announced_by(kd_store *st, const kd_addr *addr, const kd_addr *host)
{
    kd_addr ak = addr_key(addr);
    kd_binding_rec *b = kd_lru_get(st->bindings, &ak);
    for (guint i = 0; b && i < b->n; i++) {
        if (kd_addr_equal(&b->servers[i], host))
            return b->frames[i];
    }
    return 0;
}

const kd_ldap_bind_rec *
kd_store_ldap_bind(kd_store *st, const kd_obs *answer)
{
    kd_conn_key ck = conn_key(&answer->dst, answer->dport, &answer->src, answer->sport);
    return kd_lru_get(st->ldap_binds, &ck);
}

const kd_conn_rec *
kd_store_conn(kd_store *st, const kd_obs *obs)
{
    kd_conn_key ck = either_way_key(obs);
    return kd_lru_get(st->conns, &ck);
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
    kd_key key;
    const kd_counter *c = kd_lru_get(st->counters, verdict_key(&key, cipher_hash, kdc, accepted));
    kd_key_done(&key);
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

const char *
kd_store_http_host(kd_store *st, const kd_obs *conn, guint32 *frame)
{
    kd_conn_key ck = conn_key(&conn->src, conn->sport, &conn->dst, conn->dport);
    kd_req *http = kd_lru_get(st->http_reqs, &ck);
    *frame = http ? http->http_frame : 0;
    return http ? http->http_host : NULL;
}

gboolean
kd_store_first_seen(kd_store *st, guint32 *frame, gint64 *time_us)
{
    *frame = st->first_frame;
    *time_us = st->first_time_us;
    return st->first_frame != 0;
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

kd_kdc_kind
kd_store_kdc_kind(kd_store *st, const kd_addr *kdc, guint32 *frame)
{
    guint32 sign[KDC_SIGN_COUNT];
    kdc_sign_frames(st, kdc, sign);
    kd_kdc_kind kind = KD_KDC_UNKNOWN;
    guint32 at = 0;
    /* A directory behind the KDC decides whatever its e-text looks like: Samba's AD
     * DC runs MIT's or Heimdal's KDC code over its directory. */
    if (sign[KDC_SIGN_NTSTATUS] || sign[KDC_SIGN_MACHINE]) {
        kind = KD_KDC_DIRECTORY;
        at = sign[KDC_SIGN_NTSTATUS] ? sign[KDC_SIGN_NTSTATUS] : sign[KDC_SIGN_MACHINE];
    } else if (sign[KDC_SIGN_MIT] && !sign[KDC_SIGN_HEIMDAL]) {
        kind = KD_KDC_MIT;
        at = sign[KDC_SIGN_MIT];
    } else if (sign[KDC_SIGN_HEIMDAL] && !sign[KDC_SIGN_MIT]) {
        kind = KD_KDC_HEIMDAL;
        at = sign[KDC_SIGN_HEIMDAL];
    }
    if (frame)
        *frame = at;
    return kind;
}

const char *
kd_kdc_kind_name(kd_kdc_kind kind)
{
    switch (kind) {
    case KD_KDC_MIT: return "MIT krb5";
    case KD_KDC_HEIMDAL: return "Heimdal or Samba";
    case KD_KDC_DIRECTORY: return "a directory KDC (Windows or Samba AD)";
    default: return "unknown";
    }
}

gboolean
kd_store_kdc_names_unique(kd_store *st, const kd_addr *kdc, guint32 *frame)
{
    guint32 at = 0;
    kd_kdc_kind kind = kd_store_kdc_kind(st, kdc, &at);
    gboolean unique = kind == KD_KDC_MIT;
    if (kind != KD_KDC_MIT && kind != KD_KDC_DIRECTORY) {
        /* Heimdal's e-text is Samba's too; a realm no AD domain has tells them apart. */
        guint32 sign[KDC_SIGN_COUNT];
        kdc_sign_frames(st, kdc, sign);
        at = sign[KDC_SIGN_LOWER_REALM];
        unique = at != 0;
    }
    if (frame)
        *frame = unique ? at : 0;
    return unique;
}

/* Two requests ask the same: message type, client and service names (any case). */
static gboolean
req_same_question(const kd_req *a, const kd_req *b)
{
    if (a->msg_type != b->msg_type)
        return FALSE;
    return g_ascii_strcasecmp(a->sname ? a->sname : "", b->sname ? b->sname : "") == 0 &&
           g_ascii_strcasecmp(a->cname ? a->cname : "", b->cname ? b->cname : "") == 0;
}

kd_tcp_attempt *
kd_store_tcp_fallback(kd_store *st, const kd_req *udp)
{
    kd_pair_key pk = pair_key(&udp->client, &udp->server);
    kd_tcp_ring *ring = kd_lru_get(st->tcp_attempts, &pk);
    for (guint i = 0; ring && i < ring->count; i++) {
        kd_tcp_attempt *a = &ring->items[(ring->next + KD_TCP_ATTEMPTS - 1 - i) % KD_TCP_ATTEMPTS];
        gint64 dt = kd_time_diff(udp->time_us, a->time_us);
        if (a->answered || a->fell_back || dt < KD_FALLBACK_MIN_US || dt > KD_FALLBACK_MAX_US)
            continue;
        if (a->req && !a->req->partial && !req_same_question(a->req, udp))
            continue;
        return a;
    }
    return NULL;
}
