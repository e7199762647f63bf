/* kd_rules_ntlm.c
 * Why a logon used NTLM, and a Kerberos token the web server refused for its size.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * An NTLM logon gets one finding, whatever the reason: a Kerberos failure just
 * before it (ntlm_fallback), or, with none in sight, what the capture shows
 * instead (a server offering NTLM only, a target named by address, a client that
 * never contacted a KDC, a client offering NTLM only). One family decides among
 * them in one place, so the reasons never compete across rule files.
 */
#include "kd_rules.h"

#include "kd_gsskrb.h"

#include <string.h>

static const kd_finding *
first_finding(const kd_ctx *ctx, guint32 frame)
{
    return kd_findings_count(ctx->findings, frame) ? kd_finding_lookup(ctx->findings, frame, 0) : NULL;
}

/* ------------------------------------------------ why NTLM, with no Kerberos failure */

/* A capture that shows at least this much before a logon did not start just before it. */
#define KD_CAPTURE_LEAD_US (60 * G_USEC_PER_SEC)

/* A client's KDC exchanges (AS or TGS request), counted per client address. */
static const char *
kdc_contact_key(kd_key *key, const kd_addr *client)
{
    kd_key_init(key);
    kd_key_str(key, "ntlm-kdc");
    kd_key_addr(key, client);
    return kd_key_text(key);
}

static void
ntlm_on_kdc_request(const kd_ctx *ctx, kd_event *ev)
{
    kd_key key;
    kd_store_count(ctx->store, kdc_contact_key(&key, &ev->obs->src), ev->obs->frame);
    kd_key_done(&key);
}

/* The HTTP Host names an IPv4 or IPv6 address ("10.0.0.5", "10.0.0.5:8080",
 * "[fe80::1]:80"). */
static gboolean
host_is_address(const char *host)
{
    kd_addr a;
    if (kd_str_empty(host))
        return FALSE;
    char *h = g_strdup(host);
    if (h[0] == '[') {
        char *close = strchr(h, ']');
        if (close)
            *close = '\0';
        gboolean ok = kd_addr_parse(h + 1, &a);
        g_free(h);
        return ok;
    }
    char *colon = strchr(h, ':');
    if (colon && !strchr(colon + 1, ':'))
        *colon = '\0';             /* host:port; more colons: a bare IPv6 literal */
    gboolean ok = kd_addr_parse(h, &a);
    g_free(h);
    return ok;
}

/* The host part of an SPN ("cifs/10.0.0.5", "HTTP/[fd00::5]:8080") names an address.
 * The NTLMv2 response's MsvAvTargetName is the SPN the client names for the server,
 * whatever carries the logon (HTTP, SMB2, DCE/RPC). */
static gboolean
spn_host_is_address(const char *spn)
{
    const char *slash = spn ? strchr(spn, '/') : NULL;
    if (!slash)
        return FALSE;
    char *host = g_strdup(slash + 1);
    char *service_name = strchr(host, '/');   /* service/host/service-name */
    if (service_name)
        *service_name = '\0';
    gboolean ok = host_is_address(host);
    g_free(host);
    return ok;
}

/* What the capture shows of one NTLM logon that no Kerberos failure explains. */
typedef struct {
    const kd_conn_rec *conn;
    gboolean offers_seen;       /* a 401 on the connection named its schemes */
    gboolean server_ntlm_only;  /* ... NTLM, and neither Negotiate nor Kerberos */
    gboolean rpc_ntlm;          /* DCE/RPC with auth type NTLMSSP (not SPNEGO) */
    const char *host;           /* the HTTP Host the client named, or NULL */
    guint32 host_frame;
    gboolean ip_target;         /* the Host, or the NTLM target name, names an address */
    const char *target_name;    /* the AUTHENTICATE's NTLM target name (an SPN), or NULL */
    gboolean target_name_ip;    /* ... and its host is an address */
    guint32 kdc_frame;          /* the client's first KDC request before the logon; 0 none */
    gboolean spnego_ntlm_only;  /* its first token offered NTLMSSP and no Kerberos */
    gboolean chose_ntlm;        /* it answered a Negotiate offer with Authorization: NTLM */
    gint64 lead_us;             /* how much of the capture the store saw before the logon */
    guint32 first_frame;
} ntlm_facts;

static void
gather(const kd_ctx *ctx, const kd_obs *obs, ntlm_facts *x)
{
    kd_store *st = ctx->store;
    const kd_ntlmssp *n = &obs->u.ntlmssp;
    memset(x, 0, sizeof *x);
    const kd_conn_rec *c = kd_store_conn(st, obs);
    x->conn = c;
    if (c && c->http_offer_frame && c->http_offer_frame < obs->frame) {
        const guint32 kerberos = KD_AUTH_BIT(KD_AUTH_NEGOTIATE) | KD_AUTH_BIT(KD_AUTH_KERBEROS);
        x->offers_seen = TRUE;
        x->server_ntlm_only = (c->http_offers & KD_AUTH_BIT(KD_AUTH_NTLM)) && !(c->http_offers & kerberos);
        x->chose_ntlm = (c->http_offers & kerberos) && c->http_auth == KD_AUTH_NTLM &&
                        c->http_auth_frame <= obs->frame;
    }
    x->rpc_ntlm = n->carrier == KD_CARRIER_DCERPC && n->rpc_auth_type == RPC_C_AUTHN_WINNT;
    if (n->carrier == KD_CARRIER_HTTP) {
        x->host = kd_store_http_host(st, obs, &x->host_frame);
        x->ip_target = host_is_address(x->host);
    }
    if (n->message_type == NTLMSSP_AUTHENTICATE_MESSAGE && !kd_str_empty(n->target_name)) {
        x->target_name = n->target_name;
        x->target_name_ip = spn_host_is_address(n->target_name);
        x->ip_target = x->ip_target || x->target_name_ip;
    }
    kd_key key;
    const kd_counter *k = kd_store_counter(st, kdc_contact_key(&key, &obs->src));
    kd_key_done(&key);
    x->kdc_frame = k && k->first_frame < obs->frame ? k->first_frame : 0;
    x->spnego_ntlm_only = c && c->ntlm_neg_frame && c->ntlm_neg_frame <= obs->frame &&
                          (c->ntlm_neg_mechs & KD_GSSKRB_OFFERS_NTLMSSP) &&
                          !(c->ntlm_neg_mechs & KD_GSSKRB_OFFERS_KRB5);
    gint64 first_us;
    if (kd_store_first_seen(st, &x->first_frame, &first_us))
        x->lead_us = kd_time_diff(obs->time_us, first_us);
}

static const char *
account(const kd_ntlmssp *n, GString *buf)
{
    const char *dom = kd_str_empty(n->domain) ? "" : n->domain;
    g_string_printf(buf, "%s%s%s", dom, *dom ? "\\" : "", n->user);
    return buf->str;
}

/* Each other reason that holds is a candidate; each the capture excludes, ruled out. */
static void
weigh_others(kd_finding *f, kd_cause chosen, const ntlm_facts *x, const char *server)
{
    if (chosen == KD_CAUSE_NTLM_SERVER_ONLY) {
        /* No Kerberos was on offer: what the client could have done does not matter. */
        static const kd_cause moot[] = { KD_CAUSE_NTLM_IP_TARGET, KD_CAUSE_NTLM_NO_KDC_CONTACT,
                                         KD_CAUSE_NTLM_SPNEGO_NTLM_ONLY, KD_CAUSE_NTLM_FALLBACK };
        for (guint i = 0; i < G_N_ELEMENTS(moot); i++) {
            if (x->rpc_ntlm)
                kd_finding_rule_out(f, moot[i], "the DCE/RPC bind asked for NTLMSSP itself: Kerberos was never "
                                    "negotiated");
            else
                kd_finding_rule_out(f, moot[i], "%s offered no Kerberos: the client could only use NTLM", server);
        }
        return;
    }
    if (chosen != KD_CAUSE_NTLM_IP_TARGET) {
        if (x->ip_target)
            kd_finding_alternative(f, KD_CAUSE_NTLM_IP_TARGET);
        else if (x->host)
            kd_finding_rule_out(f, KD_CAUSE_NTLM_IP_TARGET, "the client named the server %s, not an address "
                                "(frame %u)", x->host, x->host_frame);
        else if (x->target_name)
            kd_finding_rule_out(f, KD_CAUSE_NTLM_IP_TARGET, "the client's NTLM target name is %s, not an "
                                "address", x->target_name);
    }
    if (chosen != KD_CAUSE_NTLM_NO_KDC_CONTACT) {
        if (!x->kdc_frame)
            kd_finding_alternative(f, KD_CAUSE_NTLM_NO_KDC_CONTACT);
        else
            kd_finding_rule_out(f, KD_CAUSE_NTLM_NO_KDC_CONTACT, "the client exchanged with a KDC before the logon "
                                "(frame %u)", x->kdc_frame);
    }
    if (chosen != KD_CAUSE_NTLM_SPNEGO_NTLM_ONLY && (x->spnego_ntlm_only || x->chose_ntlm))
        kd_finding_alternative(f, KD_CAUSE_NTLM_SPNEGO_NTLM_ONLY);
    if (chosen != KD_CAUSE_NTLM_SERVER_ONLY && x->offers_seen && !x->server_ntlm_only)
        kd_finding_rule_out(f, KD_CAUSE_NTLM_SERVER_ONLY, "%s offered Negotiate or Kerberos (frame %u)", server,
                            x->conn->http_offer_frame);
    kd_finding_rule_out(f, KD_CAUSE_NTLM_FALLBACK, "no Kerberos failure of this client for this target in the "
                        "30 s before the logon");
}

/* The most specific reason the facts show for an NTLM logon with no Kerberos
 * failure before it. The server offering NTLM only explains everything else (a
 * note: it is the service's design); an address for a target explains why no
 * ticket was asked for; no KDC exchange at all, why the client had no Kerberos to
 * offer; a negTokenInit without Kerberos from a client that did talk to a KDC,
 * that the client left Kerberos out. FALSE: the capture shows none of them, or
 * does not show the client choosing among schemes at all (a 401 offering them, a
 * DCE/RPC bind naming its provider, the client's own negTokenInit, or the
 * AUTHENTICATE's own target name naming an address). */
static gboolean
why_ntlm_rank(const ntlm_facts *x, kd_cause *cause)
{
    if (x->server_ntlm_only || x->rpc_ntlm)
        *cause = KD_CAUSE_NTLM_SERVER_ONLY;
    else if (x->ip_target)
        *cause = KD_CAUSE_NTLM_IP_TARGET;
    else if (!x->kdc_frame)
        *cause = KD_CAUSE_NTLM_NO_KDC_CONTACT;
    else if (x->spnego_ntlm_only || x->chose_ntlm)
        *cause = KD_CAUSE_NTLM_SPNEGO_NTLM_ONLY;
    else
        return FALSE;
    return x->offers_seen || x->rpc_ntlm || (x->conn && x->conn->ntlm_neg_mechs) || x->target_name_ip;
}

static void
explain_server_only(kd_finding *f, const ntlm_facts *x, const kd_ntlmssp *n, const char *server, const char *who)
{
    if (x->rpc_ntlm)
        kd_finding_summary(f, "The DCE/RPC connection to %s authenticates with NTLMSSP itself (auth type %u, not "
                           "SPNEGO or Kerberos): the application asked for NTLM; %s logged on with it", server,
                           n->rpc_auth_type, who);
    else
        kd_finding_summary(f, "%s offered NTLM only (WWW-Authenticate: NTLM without Negotiate, frame %u): %s "
                           "logged on with NTLM as the server asked; no Kerberos failure is involved", server,
                           x->conn->http_offer_frame, who);
}

/* The 401 itself shows the server offered NTLM only: nothing else could make the
 * client use NTLM here (the other reasons are ruled out by weigh_others first). */
static void
confirm_server_only(kd_finding *f)
{
    kd_claim claim;
    kd_claim_init(&claim);
    kd_claim_check(&claim, "the server offered Negotiate or Kerberos on this connection", FALSE);
    kd_claim_check(&claim, "the NTLM logon is anonymous", FALSE);
    kd_finding_confirm(f, &claim);
}

static void
explain_ip_target(kd_finding *f, const ntlm_facts *x, const char *who)
{
    /* What showed the address: the HTTP Host header, else the NTLM target name the
     * AUTHENTICATE itself carries (any carrier: SMB2, DCE/RPC, HTTP). */
    const gboolean by_host = x->host && host_is_address(x->host);
    GString *shown = g_string_new(NULL);
    if (by_host)
        g_string_printf(shown, "Host: %s, frame %u", x->host, x->host_frame);
    else
        g_string_printf(shown, "its NTLM target name is %s", x->target_name);
    kd_finding_summary(f, "The client named the server by its address (%s) and logged on with NTLM as %s: no SPN "
                       "exists for an address unless one was registered, so Windows (and Samba's client) does "
                       "not ask for a ticket%s", shown->str, who,
                       x->kdc_frame ? "" : "; the capture shows no KDC exchange of this client either");
    g_string_free(shown, TRUE);
    if (by_host)
        kd_finding_evidence(f, x->host_frame, "HTTP request naming the server by address (Host: %s)", x->host);
    else
        kd_finding_detail(f, "NTLM target name (MsvAvTargetName): %s", x->target_name);
    kd_finding_set_missing(f, "the same logon with the server's host name shows whether Kerberos works there");
}

/* What the capture can and cannot rule out when no KDC exchange precedes the logon. */
static void
explain_no_kdc_contact(kd_finding *f, const ntlm_facts *x, const kd_obs *obs, const char *server, const char *who)
{
    const double lead = (double)x->lead_us / G_USEC_PER_SEC;
    GString *sum = g_string_new(NULL);
    g_string_append_printf(sum, "%s logged on to %s with NTLM and the capture shows no AS or TGS exchange of this "
                           "client before it", who, server);
    if (x->spnego_ntlm_only)
        g_string_append(sum, "; its Negotiate token offered NTLMSSP only: it had no Kerberos credentials");
    g_string_append(sum, ". The capture cannot tell a local account from a client that cannot reach a domain "
                    "controller");
    if (x->lead_us >= KD_CAPTURE_LEAD_US)
        g_string_append_printf(sum, "; it shows %.0f s before the logon, so it did not start just before it (a "
                               "Kerberos answer the client keeps from earlier remains possible)", lead);
    else
        g_string_append_printf(sum, "; it shows only %.1f s before the logon: it may have started after the "
                               "client's Kerberos exchange", lead);
    kd_finding_summary(f, "%s", sum->str);
    g_string_free(sum, TRUE);
    if (x->lead_us < KD_CAPTURE_LEAD_US)
        f->confidence = KD_CONF_POSSIBLE;
    if (x->first_frame && x->first_frame < obs->frame)
        kd_finding_evidence(f, x->first_frame, "the earliest frame krbdiag read (%.1f s before the logon)", lead);
    kd_finding_set_missing(f, "a capture on the client from before its logon (klist purge first), with its DNS "
                           "queries for _kerberos SRV records, shows whether it has a domain account and finds a "
                           "KDC");
}

static void
explain_spnego_ntlm_only(kd_finding *f, const ntlm_facts *x, const char *server, const char *who)
{
    kd_finding_summary(f, "%s answered %s's Negotiate offer with NTLM only (%s), although it exchanged with a KDC "
                       "(frame %u): it did not try Kerberos for this service", who, server,
                       x->chose_ntlm ? "Authorization: NTLM" : "its Negotiate token offers NTLMSSP only",
                       x->kdc_frame);
    kd_finding_evidence(f, x->kdc_frame, "the client's first KDC request in the capture");
    kd_finding_set_missing(f, "the client's ticket cache (klist) and the application's authentication settings "
                           "tell why it left Kerberos out");
}

/* An NTLM logon (not anonymous) with no Kerberos failure before it: the most
 * specific reason the capture shows (why_ntlm_rank); nothing shown, no finding. */
static void
why_ntlm(const kd_ctx *ctx, const kd_obs *obs)
{
    const kd_ntlmssp *n = &obs->u.ntlmssp;
    ntlm_facts x;
    gather(ctx, obs, &x);
    kd_cause cause;
    if (!why_ntlm_rank(&x, &cause))
        return;
    char server[48];
    kd_addr_to_str(&obs->dst, server, sizeof server);
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, cause, KD_CONF_LIKELY, -1, NULL, n->user);
    if (!f)
        return;
    GString *who = g_string_new(NULL);
    account(n, who);
    kd_finding_peer(f, server);
    kd_finding_detail(f, "NTLM account: %s", who->str);
    if (x.conn && x.conn->ntlm_neg_frame && x.conn->ntlm_neg_frame < obs->frame)
        kd_finding_evidence(f, x.conn->ntlm_neg_frame, "NTLMSSP NEGOTIATE on this connection%s",
                            x.spnego_ntlm_only ? ": the client's token offers NTLMSSP only" : "");
    if (x.offers_seen)
        kd_finding_evidence(f, x.conn->http_offer_frame, "%s offers %s", server,
                            x.server_ntlm_only ? "WWW-Authenticate: NTLM only" : "WWW-Authenticate: Negotiate");
    switch (cause) {
    case KD_CAUSE_NTLM_SERVER_ONLY:
        explain_server_only(f, &x, n, server, who->str);
        break;
    case KD_CAUSE_NTLM_IP_TARGET:
        explain_ip_target(f, &x, who->str);
        break;
    case KD_CAUSE_NTLM_NO_KDC_CONTACT:
        explain_no_kdc_contact(f, &x, obs, server, who->str);
        break;
    default:
        explain_spnego_ntlm_only(f, &x, server, who->str);
        break;
    }
    weigh_others(f, cause, &x, server);
    if (cause == KD_CAUSE_NTLM_SERVER_ONLY && x.offers_seen)
        confirm_server_only(f);
    g_string_free(who, TRUE);
}

/* "Shortly after": a client falls back to NTLM within milliseconds of the Kerberos
 * failure (the same logon attempt); one a minute later is another attempt. */
#define KD_FALLBACK_WINDOW_US (30 * G_USEC_PER_SEC)
/* Windows keeps an SPN the KDC did not know in its SPN cache (registry SpnCacheTimeout,
 * 15 minutes by default) and meanwhile goes to NTLM without asking the KDC again. */
#define KD_SPN_CACHE_US (15 * 60 * G_USEC_PER_SEC)

/* The user part of a principal or NTLM user ("alice@EX.TEST", "EX\\alice" -> "alice"). */
static gboolean
same_account(const char *principal, const char *user)
{
    const char *u = strrchr(user, '\\');
    u = u ? u + 1 : user;
    gsize lp = strcspn(principal, "@"), lu = strcspn(u, "@");
    return lp == lu && g_ascii_strncasecmp(principal, u, lp) == 0;
}

/* How a Kerberos failure relates to the host an NTLM logon goes to. */
typedef enum {
    TARGET_OTHER,       /* another target: not this logon's cause */
    TARGET_UNSHOWN,     /* could be it; the capture does not show the link */
    TARGET_SHOWN        /* the capture shows the NTLM target is the Kerberos target */
} target_link;

static target_link
link_target(const kd_ctx *ctx, const kd_obs *ntlm, const kd_failure_rec *k, guint32 *shown_frame)
{
    *shown_frame = 0;
    if (k->from_service) {
        if (!kd_addr_equal(&k->server, &ntlm->dst))
            return TARGET_OTHER;
        *shown_frame = k->frame;     /* the service itself refused the ticket */
        return TARGET_SHOWN;
    }
    /* No TGT (or no name at all): every service is out of Kerberos' reach. */
    if (!k->sname || g_ascii_strncasecmp(k->sname, "krbtgt/", 7) == 0)
        return TARGET_UNSHOWN;
    char *host = kd_spn_host(k->sname);
    /* A single name (a user principal, "pgustavo") names an account, not a host. */
    if (!host)
        return TARGET_UNSHOWN;
    target_link link = TARGET_UNSHOWN;
    kd_addr lit;
    if (kd_addr_parse(host, &lit)) {
        link = kd_addr_equal(&lit, &ntlm->dst) ? TARGET_SHOWN : TARGET_OTHER;
        *shown_frame = link == TARGET_SHOWN ? k->frame : 0;
    } else if ((*shown_frame = kd_store_target_shown(ctx->store, ntlm, host)) != 0) {
        link = TARGET_SHOWN;
    } else if (kd_store_name_of(ctx->store, &ntlm->dst)) {
        link = TARGET_OTHER;        /* DNS names the NTLM target, and not as this host */
    }
    g_free(host);
    return link;
}

/* The Kerberos failure an NTLM logon falls back from, and how the capture links them. */
typedef struct {
    const kd_failure_rec *k;
    target_link link;
    guint32 shown;              /* the frame showing the NTLM target is the Kerberos target */
    gboolean cached;            /* an unknown SPN the client keeps in its SPN cache */
    gboolean account_shown;     /* the failure names its account */
} fallback_match;

/* Is failure `r` (pass 0: of this logon attempt; pass 1: an unknown SPN of this very
 * target still in the client's SPN cache) the one the NTLM logon `obs` falls back from? */
static gboolean
fallback_candidate(const kd_ctx *ctx, const kd_obs *obs, const kd_failure_rec *r, guint pass, fallback_match *m)
{
    const kd_ntlmssp *n = &obs->u.ntlmssp;
    gint64 age = kd_time_diff(obs->time_us, r->time_us);
    if (r->frame >= obs->frame || age < 0 || age > (pass ? KD_SPN_CACHE_US : KD_FALLBACK_WINDOW_US))
        return FALSE;
    if (r->recovered_frame && r->recovered_frame < obs->frame)
        return FALSE;               /* the client got its ticket after all */
    if (r->cname && !same_account(r->cname, n->user))
        return FALSE;               /* another account's failure */
    if (pass) {
        const kd_finding *was = first_finding(ctx, r->frame);
        if (age <= KD_FALLBACK_WINDOW_US || !was || was->error_code != KDC_ERR_S_PRINCIPAL_UNKNOWN || r->from_service)
            return FALSE;
    }
    m->link = link_target(ctx, obs, r, &m->shown);
    if (m->link == TARGET_OTHER || (pass && m->link != TARGET_SHOWN))
        return FALSE;
    m->k = r;
    m->cached = pass == 1;
    m->account_shown = r->cname != NULL;
    return TRUE;
}

/* The client's Kerberos failure this logon falls back from: first one of this logon
 * attempt, else a cached unknown SPN of this target. */
static gboolean
fallback_search(const kd_ctx *ctx, const kd_obs *obs, fallback_match *m)
{
    const kd_failure_rec *recs[KD_CLIENT_FAILURES];
    guint nr = kd_store_client_failures(ctx->store, &obs->src, recs, G_N_ELEMENTS(recs));
    memset(m, 0, sizeof *m);
    m->link = TARGET_OTHER;
    for (guint pass = 0; pass < 2; pass++)
        for (guint i = 0; i < nr; i++)
            if (fallback_candidate(ctx, obs, recs[i], pass, m))
                return TRUE;
    return FALSE;
}

/* What would show the fallback wrong. */
static void
fallback_confirm(kd_finding *f, const fallback_match *m)
{
    kd_claim claim;
    kd_claim_init(&claim);
    kd_claim_check(&claim, "the NTLM logon is anonymous", FALSE);
    kd_claim_check(&claim, "the client recovered from the Kerberos failure before the NTLM logon", FALSE);
    if (m->cached)
        kd_claim_declare(&claim, "the client goes to NTLM because of its cached unknown-SPN answer (the capture "
                         "cannot show a cache)");
    else
        kd_claim_check(&claim, "the Kerberos failure is more than 30 s before the NTLM logon", FALSE);
    guint acct = kd_claim_declare(&claim, "the Kerberos failure is another account's");
    if (m->account_shown)
        kd_claim_result(&claim, acct, FALSE);
    guint tgt = kd_claim_declare(&claim, "the NTLM logon goes to another host than the Kerberos request");
    if (m->link == TARGET_SHOWN)
        kd_claim_result(&claim, tgt, FALSE);
    kd_finding_confirm(f, &claim);
}

/* The fallback's summary and evidence; a and b are the client's and server's addresses. */
static void
fallback_explain(const kd_ctx *ctx, kd_finding *f, const kd_obs *obs, const fallback_match *m, const kd_finding *why,
                 const char *a, const char *b)
{
    const kd_ntlmssp *n = &obs->u.ntlmssp;
    const kd_failure_rec *k = m->k;
    const char *dom = kd_str_empty(n->domain) ? "" : n->domain;
    GString *sum = g_string_new(NULL);
    g_string_append_printf(sum, "Kerberos failed (%s, frame %u) and %.3f s later the client logged on to %s with NTLM "
                           "as %s%s%s", why ? kd_catalog[why->cause].title : "for this client", k->frame,
                           (double)kd_time_diff(obs->time_us, k->time_us) / G_USEC_PER_SEC, b, dom, *dom ? "\\" : "",
                           n->user);
    if (m->link != TARGET_SHOWN)
        g_string_append_printf(sum, "; the capture does not show that %s is the host Kerberos asked a ticket for (%s)",
                               b, k->sname ? k->sname : "?");
    if (m->cached)
        g_string_append_printf(sum, ". The client did not ask the KDC again: Windows keeps an SPN the KDC did not know "
                               "in its SPN cache (SpnCacheTimeout, 15 minutes by default) and goes to NTLM meanwhile");
    kd_finding_summary(f, "%s", sum->str);
    g_string_free(sum, TRUE);
    if (why)
        kd_finding_inherit(f, why, k->frame, "the Kerberos failure before the fallback");
    else
        kd_finding_evidence(f, k->frame, "the Kerberos failure before the fallback");
    if (m->shown && m->shown != k->frame && m->shown != obs->frame)
        kd_finding_evidence(f, m->shown, "shows %s is the host of %s", b, k->sname ? k->sname : "the request");
    char *nk = g_strdup_printf("rpc-ntlm%u|%s|%u|%s|%u", NTLMSSP_NEGOTIATE_MESSAGE, a, obs->sport, b, obs->dport);
    const kd_counter *neg = kd_store_counter(ctx->store, nk);
    g_free(nk);
    if (neg)
        kd_finding_evidence(f, neg->first_frame, "NTLMSSP NEGOTIATE on this connection");
    kd_finding_detail(f, "NTLM account: %s%s%s", dom, *dom ? "\\" : "", n->user);
}

/* The first NTLM AUTHENTICATE on a connection: is it a fallback from a Kerberos
 * failure? Only when the same client logs on with an account (not anonymously),
 * as the same account where both show it, to the target Kerberos failed for,
 * shortly after a failure it did not recover from. Otherwise, what else the
 * capture shows of why the logon used NTLM (why_ntlm). One finding per logon. */
static void
ntlm_on_ntlmssp(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_ntlmssp *n = &obs->u.ntlmssp;
    char a[48], b[48];
    kd_addr_to_str(&obs->src, a, sizeof a);
    kd_addr_to_str(&obs->dst, b, sizeof b);
    /* NEGOTIATE and AUTHENTICATE counted per connection: only the first logon counts. */
    gboolean authenticate = n->message_type == NTLMSSP_AUTHENTICATE_MESSAGE;
    char *key = g_strdup_printf("rpc-ntlm%u|%s|%u|%s|%u",
                                authenticate ? NTLMSSP_AUTHENTICATE_MESSAGE : NTLMSSP_NEGOTIATE_MESSAGE,
                                a, obs->sport, b, obs->dport);
    gboolean again = kd_store_counter(ctx->store, key) != NULL;
    kd_store_count(ctx->store, key, obs->frame);
    g_free(key);
    if (!authenticate || again)
        return;
    /* An anonymous session (NULL user, as SMB null sessions use) is no one's fallback. */
    if (kd_str_empty(n->user))
        return;
    fallback_match m;
    if (!fallback_search(ctx, obs, &m)) {
        why_ntlm(ctx, obs);
        return;
    }
    const kd_finding *why = first_finding(ctx, m.k->frame);
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_NTLM_FALLBACK, KD_CONF_LIKELY, -1,
                                   m.k->sname, m.k->cname ? m.k->cname : n->user);
    if (!f)
        return;
    fallback_confirm(f, &m);
    fallback_explain(ctx, f, obs, &m, why, a, b);
}


/* ---------------------------------------------------- Kerberos token too large */

/* A Negotiate header this long is past Apache's default LimitRequestFieldSize (8190)
 * and half of http.sys's default MaxRequestBytes (16384, all headers): a 400 without
 * a reason answering it is likely about its size. */
#define KD_LARGE_AUTH_HEADER 8192

static gboolean
is_kerberos_scheme(kd_auth_scheme s)
{
    return s == KD_AUTH_NEGOTIATE || s == KD_AUTH_KERBEROS;
}

/* A 400 answering a request whose Authorization header carries a Negotiate or
 * Kerberos token: the header's size, when the answer says a header is too long or
 * the header is large. A 401 answering a second large token in a row: the server
 * cannot take the token either (a 401 loop). */
static void
ntlm_on_http(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_http *h = &obs->u.http;
    if (h->is_request)
        return;
    const kd_conn_rec *c = kd_store_conn(ctx->store, obs);
    if (!c || !c->http_auth_frame || c->http_auth_frame >= obs->frame || !is_kerberos_scheme(c->http_auth))
        return;
    const gboolean large = c->http_auth_len >= KD_LARGE_AUTH_HEADER;
    const gboolean refused = h->status == KD_HTTP_BAD_REQUEST;
    /* A 401 loop: a fresh Negotiate challenge after a second large token in a row. */
    const gboolean loop = !refused && h->auth == KD_AUTH_NEGOTIATE_BARE && large && c->http_auth_prev_frame &&
                          c->http_auth_prev_len >= KD_LARGE_AUTH_HEADER;
    if (!(refused && (h->says_header_too_long || large)) && !loop)
        return;
    if (kd_findings_count(ctx->findings, obs->frame))
        return;                 /* the answer carries a Kerberos error another rule explained */
    kd_req *ap = kd_store_ap_request(ctx->store, obs);
    const char *spn = ap && ap->ticket.present ? ap->ticket.sname : NULL;
    const char *client = spn ? kd_store_issued_client(ctx->store, spn, &obs->dst) : NULL;
    const kd_confidence conf = refused && h->says_header_too_long ? KD_CONF_LIKELY : KD_CONF_POSSIBLE;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_TOKEN_TOO_LARGE, conf, -1, spn, client);
    if (!f)
        return;
    kd_finding_evidence(f, c->http_auth_frame, "request with an Authorization: %s header of %u bytes",
                        c->http_auth == KD_AUTH_KERBEROS ? "Kerberos" : "Negotiate", c->http_auth_len);
    kd_finding_detail(f, "Authorization header: %u bytes", c->http_auth_len);
    if (refused) {
        kd_finding_summary(f, "HTTP 400 answering a request with an Authorization: Negotiate header of %u bytes "
                           "(frame %u)%s", c->http_auth_len, c->http_auth_frame,
                           h->says_header_too_long ? ": the server says a request header is too long (not which "
                                                     "one: a longer Cookie or other header is not ruled out)"
                                                   : "; the answer does not say why, but a header this large is "
                                                     "past common limits");
        /* Likely at most, even when the 400 says a header is too long: the header past
         * the limit may be another one (a Cookie longer than the Authorization header),
         * and the HTTP observation gives the Authorization header's length only. */
        if (h->says_header_too_long)
            kd_finding_set_missing(f, "which header the server refused: the 400's text or the server's log (Apache "
                                   "quotes the header in its error page and error log; IIS httperr log: "
                                   "Request_Header_Too_Long, FieldLength), or the lengths of the request's other "
                                   "headers");
        else
            kd_finding_set_missing(f, "the server's log (IIS httperr log: Request_Header_Too_Long, "
                                   "FieldLength; Apache error log) names the reason of the 400");
    } else {
        kd_finding_evidence(f, c->http_auth_prev_frame, "an earlier request with an Authorization header of %u bytes, "
                            "answered with a new challenge", c->http_auth_prev_len);
        kd_finding_summary(f, "The server answers a Negotiate header of %u bytes (frame %u) with a new challenge, "
                           "as it answered the one before (%u bytes, frame %u): a 401 loop over a large token",
                           c->http_auth_len, c->http_auth_frame, c->http_auth_prev_len, c->http_auth_prev_frame);
        kd_finding_set_missing(f, "the server's log names why it refuses the token; a logon by a user in few groups "
                               "shows whether size is the difference");
    }
}

static const kd_rule rules[] = {
    KD_RULE(KD_EV_KDC_REQUEST, KD_PRIO_NOTE, ntlm_on_kdc_request, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_NTLMSSP, KD_PRIO_SPECIFIC, ntlm_on_ntlmssp, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_HTTP, KD_PRIO_LATER, ntlm_on_http, KD_RUN_ALWAYS),
};

const kd_rule_table kd_rules_ntlm = { "ntlm", rules, G_N_ELEMENTS(rules) };
