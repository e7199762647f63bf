/* kd_engine_int.h
 * Internals shared by the engine and its rule files.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_ENGINE_INT_H
#define KD_ENGINE_INT_H

#include "kd_engine.h"
#include "kd_lru.h"

#define KD_SPN_HISTORY 8

/* A ticket seen in clear. */
typedef struct {
    gboolean present;
    char *realm;
    char *sname;
    gint32 etype;
    gint64 kvno;
} kd_ticket_rec;

/* A request: AS-REQ / TGS-REQ to a KDC, or an AP-REQ carried to a service.
 * Reference counted (g_rc_box): one record can sit in several tables. */
typedef struct {
    guint32 frame;
    gint64 time_us;
    gint32 msg_type;
    kd_carrier carrier;
    kd_addr client, server;
    guint16 cport, sport;
    kd_transport transport;
    char *cname, *crealm, *realm, *sname;
    gint32 etypes[KD_MAX_ETYPES];
    guint n_etypes;
    gint32 padata[KD_MAX_PADATA];
    guint n_padata;
    kd_ticket_rec ticket;   /* TGS-REQ: the TGT presented; AP-REQ: the service ticket */
    gboolean answered;
    guint32 http_frame;     /* carrier: the HTTP request frame (0 none) */
    char *http_host;
} kd_req;

/* A ticket the KDC issued (AS-REP/TGS-REP), kept per SPN. */
typedef struct {
    guint32 frame;
    guint32 req_frame;      /* the request it answered, 0 unknown */
    kd_addr kdc;
    kd_addr client;
    gint32 etype;
    gint64 kvno;
    char *realm;
    char *cname;            /* the client the ticket was issued to */
} kd_issue;

typedef struct {
    kd_issue items[KD_SPN_HISTORY];   /* ring, newest at (next - 1) */
    guint next, count;
} kd_issue_hist;

/* A service that accepted a ticket (AP-REP seen), per SPN and server address. */
typedef struct {
    guint32 frame;
    gint64 kvno;
    gint32 etype;
} kd_accept;

/* DNS knowledge per owner name. */
typedef struct {
    guint32 frame;
    char *cname;            /* the name's CNAME target, or NULL */
    gboolean resolved;      /* the answer also carried the address it led to */
} kd_dns_rec;

/* Failure counter per key, with the latest frames counted. */
#define KD_COUNTER_FRAMES 6
typedef struct {
    guint32 count;
    guint32 first_frame, last_frame;
    guint32 recent[KD_COUNTER_FRAMES];  /* ring of the latest frames */
} kd_counter;

/* A frame's findings, kept while later evidence may still amend them. */
typedef struct {
    guint32 frame;
    GPtrArray *findings;    /* kd_finding* */
} kd_frame_rec;

/* Something awaiting later evidence: "confirm finding F when X happens". */
typedef struct {
    guint32 frame;          /* frame holding the finding */
    guint index;            /* which finding of that frame */
} kd_wait;

/* Encryption types of a principal's keys, as a KDC announced them (ETYPE-INFO2). */
typedef struct {
    guint32 frame;
    gint32 etypes[KD_MAX_ETYPES];
    guint n;
} kd_account_etypes;

/* LDAP knowledge: accounts holding an SPN. */
#define KD_MAX_OWNERS 4
typedef struct {
    char *owners[KD_MAX_OWNERS];
    guint32 frames[KD_MAX_OWNERS];
    guint n;
} kd_spn_owners;

/* DCOM: a ServerAlive2 address as listed by servers. */
typedef struct {
    kd_addr servers[KD_MAX_OWNERS];
    guint32 frames[KD_MAX_OWNERS];
    guint n;
} kd_binding_rec;

struct kd_engine {
    kd_config cfg;
    kd_emit_fn emit;
    void *user;

    kd_lru *requests;       /* "client|cport|server|transport" -> kd_req (KDC requests) */
    kd_lru *last_request;   /* "client|server" -> kd_req (latest KDC request) */
    kd_lru *ap_conns;       /* "client|cport|server|sport" -> kd_req (AP-REQ to a service) */
    kd_lru *last_ap;        /* "client|server" -> kd_req */
    kd_lru *http_reqs;      /* "client|cport|server|sport" -> kd_req (HTTP request without AP-REQ) */
    kd_lru *issues;         /* lower(sname) -> kd_issue_hist */
    kd_lru *accepts;        /* "lower(sname)|server" -> kd_accept */
    kd_lru *dns;            /* lower(name) -> kd_dns_rec */
    kd_lru *addr_names;     /* address -> lower(name) that resolved to it */
    kd_lru *counters;       /* free-form counter keys -> kd_counter */
    kd_lru *frames;         /* frame number -> kd_frame_rec */
    kd_lru *waits;          /* wait kind + key -> kd_wait */
    kd_lru *spn_owners;     /* lower(spn) -> kd_spn_owners (from LDAP) */
    kd_lru *bindings;       /* address -> kd_binding_rec (DCOM ServerAlive2) */
    kd_lru *krb_failures;   /* "client|server" -> kd_counter + last failure frame (for RPC linking) */
    kd_lru *account_etypes; /* lower(cname) -> kd_account_etypes */
    kd_lru *client_names;   /* client address -> principal its latest TGT was issued to */
    kd_lru *neg_pending;    /* "client|cport|server|sport" -> kd_counter (Kerberos failure on a connection) */

    /* frames touched during the current feed, emitted at its end */
    GArray *dirty;          /* guint32 */
};

/* --- findings --- */
kd_finding *kd_finding_add(kd_engine *eng, guint32 frame, kd_cause cause, kd_confidence conf,
                           gint32 error_code, const char *spn, const char *client);
void kd_finding_evidence(kd_finding *f, guint32 frame, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void kd_finding_detail(kd_finding *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void kd_finding_summary(kd_finding *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void kd_finding_alternative(kd_finding *f, kd_cause cause);
void kd_finding_set_missing(kd_finding *f, const char *text);
/* The finding at (frame, index) if still held, for amendment; marks the frame dirty. */
kd_finding *kd_finding_lookup(kd_engine *eng, guint32 frame, guint index);
guint kd_frame_finding_count(kd_engine *eng, guint32 frame);
void kd_mark_dirty(kd_engine *eng, guint32 frame);

/* --- keys and strings --- */
char *kd_key_conn(const kd_addr *a, guint16 ap, const kd_addr *b, guint16 bp);
char *kd_key_pair(const kd_addr *a, const kd_addr *b);
char *kd_lower(const char *s);
/* a - b in microseconds, saturated: capture and Kerberos times are untrusted. */
gint64 kd_time_diff(gint64 a, gint64 b);
/* The same in whole seconds. */
gint64 kd_time_diff_s(gint64 a, gint64 b);
/* Key under which "KDC kdc accepted ticket t from client" is counted. */
char *kd_tgt_ok_key(const kd_addr *client, const kd_addr *kdc, const kd_ticket_rec *t);
gboolean kd_str_empty(const char *s);
/* Host part of an SPN ("HTTP/web.example.test:8080" -> "web.example.test"), newly allocated. */
char *kd_spn_host(const char *spn);
const char *kd_msg_name(gint32 msg_type);
gboolean kd_has_padata(const gint32 *pa, guint n, gint32 type);

/* --- rules --- */
void kd_rules_kdc_error(kd_engine *eng, const kd_obs *obs, kd_req *req);
void kd_rules_service_error(kd_engine *eng, const kd_obs *obs, kd_req *ap);
void kd_rules_on_request(kd_engine *eng, const kd_obs *obs, kd_req *req);
void kd_rules_ntlmssp(kd_engine *eng, const kd_obs *obs);
void kd_rules_dcerpc(kd_engine *eng, const kd_obs *obs);
void kd_rules_alive2(kd_engine *eng, const kd_obs *obs);
void kd_rules_smb2(kd_engine *eng, const kd_obs *obs);
void kd_rules_transport(kd_engine *eng, const kd_obs *obs);
kd_req *kd_find_ap_request(kd_engine *eng, const kd_obs *obs);
void kd_rules_owners_changed(kd_engine *eng, const char *spn);
void kd_rules_kdc_answered(kd_engine *eng, const kd_addr *client, const kd_addr *kdc);

kd_counter *kd_counter_bump(kd_engine *eng, const char *key, guint32 frame);
kd_counter *kd_counter_get(kd_engine *eng, const char *key);
kd_issue_hist *kd_issue_hist_get(kd_engine *eng, kd_lru *table, const char *key);
/* The i-th newest issue (0 = latest); i < h->count. */
const kd_issue *kd_issue_hist_nth(const kd_issue_hist *h, guint i);
/* Tickets the KDC issued for spn (any case), or NULL. */
kd_issue_hist *kd_issues_for(kd_engine *eng, const char *spn);

#endif /* KD_ENGINE_INT_H */
