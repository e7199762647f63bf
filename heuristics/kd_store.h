/* kd_store.h
 * The correlation store: what the capture has shown so far, in capped tables,
 * and the questions rules ask of it. No finding logic lives here.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * kd_store_observe() records an observation and describes it as an event: what
 * kind of fact it is and the records it relates to (the request a reply or an
 * error answers, ...). The engine hands that event to the rules.
 */
#ifndef KD_STORE_H
#define KD_STORE_H

#include "kd_catalog.h"
#include "kd_obs.h"
#include "kd_util.h"

#define KD_SPN_HISTORY 8

/* A ticket seen in clear. */
typedef struct {
    gboolean present;
    char *realm;
    char *sname;
    gint32 etype;
    gint64 kvno;
    guint64 cipher_hash;    /* the ticket's ciphertext, hashed; 0 unknown */
    kd_decrypt decrypt;     /* Wireshark's decryption with the user's keytab */
    char *decrypted_by;     /* the keytab principal that decrypted it, or NULL */
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
    guint32 msg_digest;     /* digest of the message bytes (kd_krb.msg_digest), 0 unknown */
    gboolean partial;       /* TCP payload no Kerberos message could be read from: type and names unknown */
    /* TGS-REQ options and additional tickets (S4U2Proxy, user-to-user) */
    gboolean opt_cname_in_addl_tkt;
    gboolean opt_enc_tkt_in_skey;
    guint n_addl_tickets;
    kd_ticket_rec addl_ticket;  /* the first additional ticket */
    /* AP-REQ carried by DCE/RPC: its PDU type and auth level (the level every request
     * of the security context then uses); 0 unknown */
    guint8 rpc_pkt_type;
    guint8 rpc_auth_level;
} kd_req;

/* A TCP connection a client opened (or used) towards a KDC's port 88. */
typedef struct {
    guint32 frame;          /* its first SYN, or its first request when no SYN was recorded */
    gint64 time_us;
    guint16 cport;
    kd_req *req;            /* the first request it carried (a store reference), or NULL */
    gboolean answered;      /* the KDC answered on it */
    gboolean fell_back;     /* a UDP request asking the same already followed it */
} kd_tcp_attempt;

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
    guint64 cipher_hash;    /* the issued ticket's ciphertext, hashed; 0 unknown */
    gboolean user_to_user;  /* it answered a TGS-REQ with enc-tkt-in-skey and an additional ticket */
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
    kd_addr addr;           /* a PTR answer: the address it names (else len 0) */
} kd_dns_rec;

/* Counter per key, with the latest frames counted. */
#define KD_COUNTER_FRAMES 6
typedef struct {
    guint32 count;
    guint32 first_frame, last_frame;
    guint32 recent[KD_COUNTER_FRAMES];  /* ring of the latest frames */
} kd_counter;

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

/* What the capture shows of one TCP connection (either direction). */
typedef struct {
    guint32 self_syn_frame; /* its first SYN, when it went from an address to itself; 0 none */
    guint32 gap_frame;      /* the first frame after a segment the capture lost, since the
                             * latest AP-REP (a gap before it hides none of the calls it
                             * protects); 0 none */
    guint32 ap_rep_frame;   /* the latest AP-REP on it; 0 none */
    guint8 ap_rep_pdu;      /* the DCE/RPC PDU type that carried that AP-REP; 0 unknown */
    /* HTTP authentication on it: the schemes its answers (401) named, the answer that
     * last added one, the latest request carrying an Authorization header */
    guint32 http_offer_frame;   /* 0 none */
    guint32 http_offers;        /* KD_AUTH_BIT of each scheme the answers named */
    guint32 http_auth_frame;    /* 0 none */
    guint32 http_auth_len;      /* bytes of that request's Authorization header line */
    kd_auth_scheme http_auth;
    guint32 http_auth_prev_frame;   /* the request with Authorization before it; 0 none */
    guint32 http_auth_prev_len;
    /* NTLMSSP on it: the client's NEGOTIATE and the SPNEGO mechanisms it came with */
    guint32 ntlm_neg_frame;     /* 0 none */
    guint8 ntlm_neg_mechs;      /* KD_GSSKRB_OFFERS_ bits; 0 not read */
    guint32 krb_error_frame;/* the latest KRB-ERROR a service sent on it; 0 none */
} kd_conn_rec;

/* The latest LDAP BindRequest of a connection. */
typedef struct {
    guint32 frame;
    gboolean sasl;
    gboolean anonymous;     /* no name, or a simple bind without password */
    char *name;             /* the bind name, or NULL */
    char *mechanism;        /* SASL mechanism, or NULL */
} kd_ldap_bind_rec;

/* ------------------------------------------------------------------ events */

/* What an observation is, once the store has placed it. Rules register per kind. */
typedef enum {
    KD_EV_KDC_REQUEST = 0,  /* AS-REQ/TGS-REQ: req is it, prev the client's previous unanswered one to this KDC */
    KD_EV_KDC_REPLY,        /* AS-REP/TGS-REP: req is the request answered, or NULL */
    KD_EV_KDC_ERROR,        /* KRB-ERROR from a KDC: req is the request answered, or NULL */
    KD_EV_SERVICE_ERROR,    /* KRB-ERROR from a service: req is the AP-REQ answered, or NULL */
    KD_EV_AP_REQUEST,
    KD_EV_AP_REPLY,
    KD_EV_DNS,
    KD_EV_HTTP,
    KD_EV_NTLMSSP,          /* first: the first NEGOTIATE/AUTHENTICATE on its connection */
    KD_EV_DCERPC,
    KD_EV_SMB2,
    KD_EV_DCOM_ALIVE2,
    KD_EV_LDAP_ENTRY,       /* new_dup: SPNs of the entry that now have a second owner */
    KD_EV_TRANSPORT,
    KD_EV_LDAP_BIND,        /* a BindResponse: req is the AP-REQ of its connection, or NULL */
    KD_EV_COUNT
} kd_event_kind;

typedef struct {
    kd_event_kind kind;
    const kd_obs *obs;      /* errors: with what the raw e-data adds */
    kd_req *req;
    kd_req *prev;           /* a reference of its own, dropped by kd_store_event_done() */
    const char *spn;        /* errors: the service asked for (the request's, else the error's) */
    const char *client;     /* errors: the client (the error's, else the request's or the ticket's) */
    const kd_etext_info *etext; /* errors: the catalog's row for the e-text (any error code), or NULL */
    gboolean first;
    guint new_dup[KD_MAX_LDAP_VALUES];  /* indexes into obs->u.ldap.spns */
    guint n_new_dup;
    gboolean claimed;       /* a rule explained this error: fallbacks stay quiet */
    kd_obs filled;
} kd_event;

typedef struct kd_store kd_store;

kd_store *kd_store_new(void);
void kd_store_free(kd_store *st);
/* Entries per table; returns the number of tables (at most max are written). */
guint kd_store_tables(const kd_store *st, const char **names, guint *sizes, guint max);

/* Record an observation; FALSE when it is no fact rules look at. */
gboolean kd_store_observe(kd_store *st, const kd_obs *obs, kd_event *ev);
void kd_store_event_done(kd_event *ev);

/* ----------------------------------------------------------------- queries */

/* The AP-REQ an answer from a service (error, SMB2 status, RPC fault) relates to. */
kd_req *kd_store_ap_request(kd_store *st, const kd_obs *answer);
/* The latest request from client to kdc, if it has no answer yet. */
kd_req *kd_store_pending_request(kd_store *st, const kd_addr *client, const kd_addr *kdc);

/* Tickets the KDC issued for spn (any case), or NULL; kd_issue_hist_nth(h, 0) is the newest. */
const kd_issue_hist *kd_store_issues(kd_store *st, const char *spn);
const kd_issue *kd_issue_hist_nth(const kd_issue_hist *h, guint i);
/* The latest ticket issued for spn to this client address. */
const kd_issue *kd_store_issued_to(kd_store *st, const char *spn, const kd_addr *client);
/* A ticket for spn issued with another kvno than kvno (kvno >= 0). */
const kd_issue *kd_store_issued_other_kvno(kd_store *st, const char *spn, gint64 kvno);
/* Who a ticket for spn was issued to: at this address first, then anywhere, then
 * whoever logged on from the address. */
const char *kd_store_issued_client(kd_store *st, const char *spn, const kd_addr *client);
/* The service at server accepted a ticket for spn, or NULL. */
const kd_accept *kd_store_accepted(kd_store *st, const char *spn, const kd_addr *server);

/* The CNAME record whose target is host (the alias in *alias_out), or NULL. */
const kd_dns_rec *kd_store_alias_of(kd_store *st, const char *host, char **alias_out);
/* Following CNAMEs from alias (at most 8) ends at host: the first record, else NULL. */
const kd_dns_rec *kd_store_cname_chain(kd_store *st, const char *alias, const char *host);
/* The name DNS gave for this address, or NULL. */
const char *kd_store_name_of(kd_store *st, const kd_addr *addr);
/* The name DNS gave last for this address, or NULL; *frame (may be NULL) gets that
 * answer's frame. */
const char *kd_store_name_of_at(kd_store *st, const kd_addr *addr, guint32 *frame);
/* The last PTR answer naming host (the address it was for in rec->addr), or NULL. */
const kd_dns_rec *kd_store_ptr_naming(kd_store *st, const char *host);
/* The name a reverse look-up (PTR answer) gave for this address, or NULL; *frame (may
 * be NULL) gets the answer's frame. */
const char *kd_store_ptr_name(kd_store *st, const kd_addr *addr, guint32 *frame);
gboolean kd_store_has_dns(const kd_store *st);

/* Accounts holding spn (from LDAP), or NULL. */
const kd_spn_owners *kd_store_spn_owners(kd_store *st, const char *spn);
/* KDC_ERR_PRINCIPAL_NOT_UNIQUE seen for spn, or NULL. */
const kd_counter *kd_store_not_unique(kd_store *st, const char *spn);
/* The key types the KDC announced for a principal, or NULL. */
const kd_account_etypes *kd_store_account_etypes(kd_store *st, const char *cname);
/* DCOM: servers other than the host at addr announced addr, or NULL. */
const kd_binding_rec *kd_store_shared_binding(kd_store *st, const kd_addr *addr);
/* DCOM: host announced addr in a ServerAlive2 answer of its own (it owns addr): the
 * frame, else 0. */
guint32 kd_store_announced_by(kd_store *st, const kd_addr *addr, const kd_addr *host);
/* The TCP connection obs travelled on (either direction), or NULL when the capture
 * showed nothing of it. */
const kd_conn_rec *kd_store_conn(kd_store *st, const kd_obs *obs);
/* The latest BindRequest on the connection an LDAP answer travels on, or NULL. */
const kd_ldap_bind_rec *kd_store_ldap_bind(kd_store *st, const kd_obs *answer);
/* The latest real Kerberos failure involving client: with server, else with anyone. */
const kd_counter *kd_store_recent_failure(kd_store *st, const kd_addr *client, const kd_addr *server);

/* The client's TCP attempt towards kdc that a UDP request `udp` repeats: no answer on
 * it, not already repeated, made between half a second and 30 s before, and carrying
 * the same question (or nothing readable). NULL when none. */
kd_tcp_attempt *kd_store_tcp_fallback(kd_store *st, const kd_req *udp);
/* A KDC's verdict on a ticket (by its ciphertext hash) presented in a TGS-REQ:
 * accepted (a reply) or refused (an error); the frames are the TGS-REQs. NULL
 * when the capture shows none. */
const kd_counter *kd_store_ticket_verdict(kd_store *st, guint64 cipher_hash, const kd_addr *kdc, gboolean accepted);

/* A real Kerberos failure of a client, as NTLM fallback needs it: what it was for,
 * who answered, for which account, and whether the client recovered (got the
 * ticket it asked for, or a service accepted one for that name, later). */
#define KD_CLIENT_FAILURES 8
typedef struct {
    guint32 frame;
    gint64 time_us;
    kd_addr server;         /* the KDC, or the service that refused */
    gboolean from_service;
    char *sname;            /* what the client asked for, or NULL */
    char *cname;            /* the client principal where the capture shows it, or NULL */
    guint32 recovered_frame;/* the success that followed, 0 none */
} kd_failure_rec;
/* The client's latest failures, newest first: at most max written, the count returned. */
guint kd_store_client_failures(kd_store *st, const kd_addr *client, const kd_failure_rec **out, guint max);
/* The capture shows that the server `conn` goes to (its dst) is host: DNS gave its
 * address for host, the connection's HTTP request names Host host, or the client
 * presented a ticket for a name of host to it. The frame showing it, else 0. */
guint32 kd_store_target_shown(kd_store *st, const kd_obs *conn, const char *host);

/* User-to-user: the latest KERB-TGT-REQUEST a client sent to a server, and the
 * KERB-TGT-REPLY (the server's TGT) that came back on the same connection. */
typedef struct {
    guint32 req_frame;      /* 0 when only a reply was seen */
    guint32 rep_frame;      /* 0: no TGT came back (yet) */
    kd_addr client, server;
    guint16 cport, sport;
} kd_tgt_exchange;
/* The latest such exchange of client with server (server NULL: with any server),
 * or NULL. */
const kd_tgt_exchange *kd_store_tgt_exchange(kd_store *st, const kd_addr *client, const kd_addr *server);
/* A ticket for spn issued by an ordinary TGS exchange (no user-to-user), or NULL. */
const kd_issue *kd_store_ordinary_issued(kd_store *st, const char *spn);

/* The HTTP Host the client named in its latest request on the connection `conn`
 * (client to server) that carried an Authorization header; *frame gets that
 * request's frame. NULL when none. */
const char *kd_store_http_host(kd_store *st, const kd_obs *conn, guint32 *frame);
/* The earliest observation the store was fed: where the capture shows it had
 * started at the latest. FALSE before any. */
gboolean kd_store_first_seen(kd_store *st, guint32 *frame, gint64 *time_us);

/* Free-form counters for a rule family's own bookkeeping (keys "family-tag|..."). */
kd_counter *kd_store_count(kd_store *st, const char *key, guint32 frame);
kd_counter *kd_store_counter(kd_store *st, const char *key);

/* What kind of KDC answers at an address, from what the capture shows of it. */
typedef enum {
    KD_KDC_UNKNOWN = 0,     /* nothing tells, or the signs disagree */
    KD_KDC_MIT,             /* MIT krb5: its status labels in e-text, its own principal database */
    KD_KDC_HEIMDAL,         /* Heimdal, or Samba's Heimdal-based KDC: their e-text sentences */
    KD_KDC_DIRECTORY        /* a KDC over a directory (Windows or Samba AD): NTSTATUS in
                             * e-data, tickets for machine accounts (name ending in '$') */
} kd_kdc_kind;

/* The kind of the KDC at kdc; *frame (may be NULL) gets the first frame that shows
 * it, 0 for KD_KDC_UNKNOWN. */
kd_kdc_kind kd_store_kdc_kind(kd_store *st, const kd_addr *kdc, guint32 *frame);
const char *kd_kdc_kind_name(kd_kdc_kind kind);
/* The KDC at kdc keeps principals in a database of its own, where a name is a
 * unique key: one service name cannot be on two accounts. TRUE for an MIT KDC, and
 * for any KDC issuing tickets in a realm with lower-case letters (Windows and Samba
 * AD realms are the upper-case DNS domain) that shows no directory sign. */
gboolean kd_store_kdc_names_unique(kd_store *st, const kd_addr *kdc, guint32 *frame);

#endif /* KD_STORE_H */
