/* kd_rules_service.c
 * Rules for a service refusing a ticket (KRB_AP_ERR_* in HTTP, SMB2, DCE/RPC, LDAP,
 * or a refusal without any KRB-ERROR): whose key did the KDC use, and why does the
 * service not hold it? LDAP results naming an SPN's owners amend earlier failures.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"
#include "kd_ldapbind.h"

#include <string.h>

static gboolean
same_service_name(const char *a, const char *b)
{
    if (kd_str_empty(a) || kd_str_empty(b))
        return TRUE;
    /* Compare without realm. */
    gsize la = strcspn(a, "@"), lb = strcspn(b, "@");
    return la == lb && g_ascii_strncasecmp(a, b, la) == 0;
}

static void
ap_evidence(kd_finding *f, const kd_req *ap)
{
    if (!ap)
        return;
    if (ap->http_frame && ap->http_frame != ap->frame)
        kd_finding_evidence(f, ap->http_frame, "HTTP request for Host %s", ap->http_host ? ap->http_host : "?");
    if (ap->ticket.present)
        kd_finding_evidence(f, ap->frame, "AP-REQ: ticket for %s (kvno %" G_GINT64_FORMAT ") presented to the service%s%s",
                            ap->ticket.sname ? ap->ticket.sname : "?", ap->ticket.kvno,
                            ap->http_host && ap->http_frame == ap->frame ? ", Host " : "",
                            ap->http_host && ap->http_frame == ap->frame ? ap->http_host : "");
    else
        kd_finding_evidence(f, ap->frame, "the request this error answers");
}

/* The error comes from the address the client connected to, which a DCOM server
 * announced while another host announces or answers there too. */
static void
shared_evidence(const kd_ctx *ctx, kd_finding *f, const kd_obs *err, const kd_binding_rec *b)
{
    char addr[48], srv[48];
    kd_addr_to_str(&err->src, addr, sizeof addr);
    GString *who = g_string_new(NULL);
    for (guint i = 0; i < b->n; i++) {
        kd_addr_to_str(&b->servers[i], srv, sizeof srv);
        kd_finding_evidence(f, b->frames[i], "ServerAlive2 response from %s lists %s", srv, addr);
        g_string_append_printf(who, "%s%s", i ? (i + 1 == b->n ? " and " : ", ") : "", srv);
    }
    /* The error travels on a connection from the address to itself: the client
     * reached its own service there, no other machine. The connection's SYN shows it. */
    const kd_conn_rec *conn = kd_addr_equal(&err->src, &err->dst) ? kd_store_conn(ctx->store, err) : NULL;
    if (kd_addr_equal(&err->src, &err->dst)) {
        if (conn && conn->self_syn_frame && conn->self_syn_frame < err->frame)
            kd_finding_evidence(f, conn->self_syn_frame, "first SYN of the connection from %s to itself", addr);
        kd_finding_summary(f, "%s is announced by DCOM server%s %s, and the client owns it too: it connected from %s "
                           "to itself%s, reached its own service and presented its ticket for %s there, which its "
                           "own service cannot decrypt", addr, b->n > 1 ? "s" : "", who->str, addr,
                           conn && conn->self_syn_frame ? " (the connection's SYN)" : "",
                           f->spn ? f->spn : "the intended server");
    } else {
        kd_finding_summary(f, "%s is announced by DCOM server%s %s: %s. The client connected to it and presented its "
                           "ticket for %s to the machine that answered there (itself or another server), which "
                           "cannot decrypt it", addr, b->n > 1 ? "s" : "", who->str,
                           b->n > 1 ? "two machines share the address" : "another host answers at that address",
                           f->spn ? f->spn : "the intended server");
    }
    kd_finding_detail(f, "shared address: %s", addr);
    g_string_free(who, TRUE);
}

/* What the service's keytab, loaded by the user into Wireshark's Kerberos preferences,
 * says about the refused ticket: the ticket's key (SPN, etype, kvno) against the keys
 * the service holds, and whether Wireshark decrypted the ticket with them. */
typedef enum {
    KT_NONE = 0,        /* no keytab loaded, or no ticket to compare */
    KT_UNDECIDED,       /* loaded, but it tells nothing about this ticket */
    KT_DECRYPTS,        /* a key of the keytab decrypts the ticket: the service's key is right */
    KT_NO_SPN,          /* keys of other principals only: the SPN is not the service's account */
    KT_OTHER_KVNO,      /* the SPN's key of the ticket's etype, at other versions only */
    KT_OTHER_KEY        /* the SPN's key at the ticket's version and etype, and it does not decrypt it */
} kt_verdict;

typedef struct {
    kt_verdict v;
    gint64 held_kvno;       /* KT_OTHER_KVNO: the newest version held */
    const char *holder;     /* KT_NO_SPN: a principal the keytab holds */
    gboolean tried;         /* Wireshark tried to decrypt the ticket with it */
} kt_view;

/* A keytab entry of the ticket's principal. same_service_name() takes an empty name for
 * any and stops at '@': an entry without name, or with '@' inside a component (the
 * realm is a field of its own), is another principal. */
static gboolean
keytab_key_is(const kd_keytab_key *k, const kd_ticket_rec *t)
{
    if (kd_str_empty(k->principal) || strchr(k->principal, '@') || !same_service_name(k->principal, t->sname))
        return FALSE;
    return kd_str_empty(k->realm) || kd_str_empty(t->realm) || g_ascii_strcasecmp(k->realm, t->realm) == 0;
}

static kt_view
keytab_view(const kd_keytab *kt, const kd_req *ap)
{
    kt_view r = { KT_NONE, -1, NULL, FALSE };
    const kd_ticket_rec *t = ap ? &ap->ticket : NULL;
    if (!kt || !kt->loaded || !t || !t->present || kd_str_empty(t->sname))
        return r;
    r.v = KT_UNDECIDED;
    r.tried = t->decrypt != KD_DECRYPT_NOT_TRIED;
    if (t->decrypt == KD_DECRYPT_OK) {
        r.v = KT_DECRYPTS;
        return r;
    }
    gboolean spn = FALSE, spn_etype = FALSE, exact = FALSE;
    for (guint i = 0; i < kt->n && i < KD_KEYTAB_MAX; i++) {
        const kd_keytab_key *k = &kt->keys[i];
        if (!keytab_key_is(k, t)) {
            if (!r.holder && !kd_str_empty(k->principal))
                r.holder = k->principal;
            continue;
        }
        spn = TRUE;
        if (t->etype >= 0 && k->etype != t->etype)
            continue;
        spn_etype = TRUE;
        /* A keytab without the 32-bit field keeps only the kvno's low byte. */
        if (t->kvno >= 0 && (k->kvno == t->kvno || (k->kvno < 256 && k->kvno == (t->kvno & 0xff))))
            exact = TRUE;
        else if (k->kvno > r.held_kvno)
            r.held_kvno = k->kvno;
    }
    if (!spn && r.holder)
        r.v = KT_NO_SPN;
    else if (spn_etype && !exact && t->kvno >= 0)
        r.v = KT_OTHER_KVNO;
    else if (exact && t->decrypt == KD_DECRYPT_NO_KEY)
        r.v = KT_OTHER_KEY;
    return r;
}

/* The cause a keytab verdict proves, or KD_CAUSE_COUNT. */
static kd_cause
keytab_cause(kt_verdict v)
{
    switch (v) {
    case KT_NO_SPN:
        return KD_CAUSE_SPN_ACCOUNT_MISMATCH;
    case KT_OTHER_KVNO: case KT_OTHER_KEY:
        return KD_CAUSE_STALE_SERVICE_KEY;
    default:
        return KD_CAUSE_COUNT;
    }
}

static void
drop_cause(kd_cause *found, guint *n, kd_cause c)
{
    guint w = 0;
    for (guint i = 0; i < *n; i++) {
        if (found[i] != c)
            found[w++] = found[i];
    }
    *n = w;
}

/* What the keytab (or its absence) leaves to capture next; NULL when it decided. */
static const char *
keytab_missing(kt_verdict v)
{
    switch (v) {
    case KT_NONE:
        return "load the service's keytab into Wireshark (Kerberos preferences: try to decrypt Kerberos blobs, "
               "Kerberos keytab file): the ticket's key (etype, kvno) against the keys the service holds tells a "
               "stale key from a wrong account or a duplicate SPN";
    case KT_UNDECIDED:
        return "the keytab loaded into Wireshark holds no key of the ticket's type for the SPN, or Wireshark did not "
               "try it on the ticket: load the service's own keytab (Kerberos preferences: try to decrypt Kerberos "
               "blobs, Kerberos keytab file)";
    case KT_DECRYPTS:
        return "check which keytab the service reads (KRB5_KTNAME, the server's keytab setting): the one loaded "
               "into Wireshark decrypts the ticket";
    default:
        return NULL;
    }
}

/* What the capture says about a refused ticket: gathered once from the store, read
 * by the ranking, the contradiction checks and the texts. */
typedef struct {
    const kd_obs *obs;
    const kd_krb *k;
    const kd_req *ap;
    const char *spn, *client;
    gint32 code;
    char *host;                     /* the SPN's host */
    const kd_binding_rec *shared;   /* DCOM servers announcing the refusing address */
    const kd_dns_rec *cname;        /* a DNS alias leading to the SPN's host */
    char *alias;                    /* the alias's name */
    char *given;                    /* the host name the user gave (HTTP Host), for reverse DNS */
    const char *ptr_name;           /* a PTR answer for the service's address naming the SPN's host */
    guint32 ptr_frame;              /* the frame of that answer */
    guint owners;                   /* accounts LDAP shows holding the SPN */
    const kd_counter *dup;          /* KDC_ERR_PRINCIPAL_NOT_UNIQUE for the SPN */
    const kd_accept *accepted;      /* a ticket for the SPN this service accepted */
    gint64 kvno;                    /* the refused ticket's key version, -1 unknown */
    gboolean stale_accept;          /* the accepted ticket had another key version */
    const kd_issue *older;          /* the KDC issued the SPN at another key version */
    char srv[48];                   /* the refusing address */
    gboolean not_us;                /* KRB_AP_ERR_NOT_US at the address DNS gave */
    gboolean name_differs;          /* the acceptor names another principal */
    const char *ticket_realm, *client_realm;
    gboolean other_domain;          /* a short host name resolved in another realm */
    kt_view kt;                     /* the service's keytab on the ticket */
    kd_cause kt_cause;              /* what the keytab proves, or KD_CAUSE_COUNT */
} refusal;

/* The DNS alias the user named, when the SPN names its canonical host. */
static void
gather_alias(kd_store *st, refusal *r)
{
    if (r->host && r->ap && !kd_str_empty(r->ap->http_host)) {
        char *h = g_strdup(r->ap->http_host);
        char *colon = strchr(h, ':');
        if (colon)
            *colon = '\0';
        if (g_ascii_strcasecmp(h, r->host) != 0 && (r->cname = kd_store_cname_chain(st, h, r->host)) != NULL)
            r->alias = g_strdup(h);
        g_free(h);
    }
    if (!r->cname && r->host) {
        char *a = NULL;
        r->cname = kd_store_alias_of(st, r->host, &a);
        if (r->cname)
            r->alias = g_strdup(a);
    }
}

/* Reverse DNS: the user gave one name (the HTTP Host), the PTR answer for the
 * server's address gave another, and the client asked for that one's SPN (MIT's
 * rdns = true). A PTR naming the host the user gave explains nothing. */
static void
gather_rdns(kd_store *st, refusal *r)
{
    if (r->cname || !r->host || !r->ap || kd_str_empty(r->ap->http_host))
        return;
    r->given = g_strdup(r->ap->http_host);
    char *colon = strchr(r->given, ':');
    if (colon)
        *colon = '\0';
    r->ptr_name = kd_store_ptr_name(st, &r->ap->server, &r->ptr_frame);
    if (!r->ptr_name || g_ascii_strcasecmp(r->given, r->host) == 0 || g_ascii_strcasecmp(r->ptr_name, r->host) != 0)
        r->ptr_name = NULL;
}

/* Gather: every question the candidates need, asked of the store once. */
static void
refusal_gather(const kd_ctx *ctx, const kd_obs *obs, const kd_req *ap, const char *spn, const char *client,
               refusal *r)
{
    kd_store *st = ctx->store;
    memset(r, 0, sizeof(*r));
    r->obs = obs;
    r->k = &obs->u.krb;
    r->ap = ap;
    r->spn = spn;
    r->client = client;
    r->code = r->k->error_code;
    r->host = kd_spn_host(spn);
    r->shared = kd_store_shared_binding(st, &obs->src);
    gather_alias(st, r);
    gather_rdns(st, r);
    const kd_spn_owners *owner_rec = kd_store_spn_owners(st, spn);
    r->owners = owner_rec ? owner_rec->n : 0;
    r->dup = spn ? kd_store_not_unique(st, spn) : NULL;
    r->accepted = spn ? kd_store_accepted(st, spn, &obs->src) : NULL;
    r->kvno = ap && ap->ticket.present ? ap->ticket.kvno : -1;
    r->stale_accept = r->accepted && r->kvno >= 0 && r->accepted->kvno >= 0 && r->accepted->kvno != r->kvno;
    r->older = spn ? kd_store_issued_other_kvno(st, spn, r->kvno) : NULL;
    /* The acceptor names another principal than the requested SPN (Windows names the
     * account it decrypts as), or says outright that the ticket is not for it
     * (KRB_AP_ERR_NOT_US) although the client reached the address DNS gave for the
     * SPN's host: the service runs as another principal than the SPN's. */
    kd_addr_to_str(&obs->src, r->srv, sizeof r->srv);
    const char *dns_name = kd_store_name_of(st, &obs->src);
    r->not_us = r->code == KRB_AP_ERR_NOT_US && spn && !r->cname && !r->ptr_name &&
                (!dns_name || (r->host && g_ascii_strcasecmp(dns_name, r->host) == 0));
    r->name_differs = r->not_us || (!kd_str_empty(r->k->sname) && spn && !same_service_name(r->k->sname, spn) &&
                                    !g_str_has_prefix(r->k->sname, "krbtgt/"));
    r->ticket_realm = ap && ap->ticket.present ? ap->ticket.realm : NULL;
    r->client_realm = !kd_str_empty(r->k->crealm) ? r->k->crealm : NULL;
    r->other_domain = r->host && !strchr(r->host, '.') && r->ticket_realm && r->client_realm &&
                      g_ascii_strcasecmp(r->ticket_realm, r->client_realm) != 0;
    r->kt = keytab_view(ctx->cfg->keytab, ap);
    r->kt_cause = keytab_cause(r->kt.v);
}

/* Rank: the candidate causes, most specific evidence first. Returns how many. */
static guint
refusal_rank(const refusal *r, kd_cause *found)
{
    guint n_found = 0;
    if (r->shared)
        found[n_found++] = KD_CAUSE_SHARED_ADDRESS_LOOPBACK;
    if (r->cname)
        found[n_found++] = KD_CAUSE_CNAME_SPN;
    if (r->ptr_name)
        found[n_found++] = KD_CAUSE_RDNS_SPN;
    if (r->owners >= 2 || r->dup)
        found[n_found++] = KD_CAUSE_DUPLICATE_SPN;
    if (r->stale_accept || r->older || r->code == KRB_AP_ERR_BADKEYVER)
        found[n_found++] = KD_CAUSE_STALE_SERVICE_KEY;
    if (r->name_differs)
        found[n_found++] = KD_CAUSE_SPN_ACCOUNT_MISMATCH;
    if (r->other_domain)
        found[n_found++] = KD_CAUSE_SAME_NAME_OTHER_DOMAIN;

    /* The service's keytab: a key that decrypts the ticket rules out a stale key and a
     * wrong account; keys of other principals only rule out a stale key; the SPN's key at
     * another version, or at the same version but not decrypting, rule out a wrong
     * account (with the SPN on one account only: see the claim in refusal_confirm). The
     * DNS alias, the shared address and the duplicate SPN keep their rank: they say why. */
    const kt_verdict v = r->kt.v;
    if (v == KT_DECRYPTS || v == KT_NO_SPN)
        drop_cause(found, &n_found, KD_CAUSE_STALE_SERVICE_KEY);
    if (v == KT_DECRYPTS || v == KT_OTHER_KVNO || v == KT_OTHER_KEY)
        drop_cause(found, &n_found, KD_CAUSE_SPN_ACCOUNT_MISMATCH);
    if (r->kt_cause != KD_CAUSE_COUNT) {
        guint at = 0;
        while (at < n_found && (found[at] == KD_CAUSE_SHARED_ADDRESS_LOOPBACK || found[at] == KD_CAUSE_CNAME_SPN ||
                                found[at] == KD_CAUSE_RDNS_SPN || found[at] == KD_CAUSE_DUPLICATE_SPN))
            at++;
        drop_cause(found, &n_found, r->kt_cause);
        memmove(&found[at + 1], &found[at], (n_found - at) * sizeof(kd_cause));
        found[at] = r->kt_cause;
        n_found++;
    }
    return n_found;
}

/* No candidate: the generic decrypt failure, its open alternatives and what to
 * capture next. */
static kd_finding *
refusal_undecided(const kd_ctx *ctx, const refusal *r)
{
    kd_store *st = ctx->store;
    const char *spn = r->spn;
    const char *decrypted_by = r->kt.v == KT_DECRYPTS ? r->ap->ticket.decrypted_by : NULL;
    kd_finding *f = kd_finding_add(ctx->findings, r->obs->frame, KD_CAUSE_TICKET_DECRYPT_FAILED, KD_CONF_POSSIBLE,
                                   r->code, spn, r->client);
    if (!f)
        return NULL;
    if (r->kt.v == KT_DECRYPTS)
        kd_finding_summary(f, "The service refused the ticket for %s, but the keytab loaded into Wireshark decrypts "
                           "it (key of %s): that key is neither stale nor another account's; the service does not "
                           "use this keytab, or it fails on something else (authenticator, replay cache)",
                           spn ? spn : "?", decrypted_by ? decrypted_by : "the keytab");
    else
        kd_finding_summary(f, "The service could not decrypt the ticket for %s; the capture holds no evidence that "
                           "tells duplicate SPN, DNS alias, wrong service account or stale key apart",
                           spn ? spn : "?");
    kd_finding_alternative(f, KD_CAUSE_DUPLICATE_SPN);
    kd_finding_alternative(f, KD_CAUSE_SPN_ACCOUNT_MISMATCH);
    kd_finding_alternative(f, KD_CAUSE_CNAME_SPN);
    kd_finding_alternative(f, KD_CAUSE_STALE_SERVICE_KEY);
    if (r->kt.v == KT_DECRYPTS) {
        /* The key that encrypted the ticket is in the service's keytab, current. */
        kd_finding_rule_out(f, KD_CAUSE_SPN_ACCOUNT_MISMATCH, "the keytab loaded into Wireshark decrypts the "
                            "ticket with a key of %s", decrypted_by ? decrypted_by : "the SPN");
        kd_finding_rule_out(f, KD_CAUSE_STALE_SERVICE_KEY, "the keytab loaded into Wireshark decrypts the ticket: "
                            "its key is the one the KDC used");
    }
    GString *m = g_string_new(NULL);
    if (!spn || !kd_store_issued_to(st, spn, &r->obs->dst))
        g_string_append(m, "capture the client's ticket request (klist purge first); ");
    if (!kd_store_has_dns(st))
        g_string_append(m, "capture DNS on the client (ipconfig /flushdns first) to see aliases; ");
    g_string_append_printf(m, "run setspn -Q %s (or capture an LDAP search for it) to see which accounts hold the SPN; "
                           "compare with the account the service runs as", spn ? spn : "<spn>");
    if (keytab_missing(r->kt.v))
        g_string_append_printf(m, "; %s", keytab_missing(r->kt.v));
    kd_finding_set_missing(f, m->str);
    g_string_free(m, TRUE);
    ap_evidence(f, r->ap);
    if (spn)
        kd_finding_issue_evidence(f, kd_store_issued_to(st, spn, &r->obs->dst), spn);
    return f;
}

/* Confirm: what would show the winning evidence wrong. */
static void
refusal_confirm(kd_finding *f, const refusal *r, kd_cause top, gboolean by_keytab)
{
    const kt_verdict v = r->kt.v;
    kd_claim claim;
    kd_claim_init(&claim);
    kd_claim_check(&claim, "the service accepts a ticket for the SPN with the refused key version",
                   r->accepted && !r->stale_accept && r->kvno >= 0 && r->accepted->kvno == r->kvno);
    if (top == KD_CAUSE_DUPLICATE_SPN)
        kd_claim_check(&claim, "LDAP shows fewer than two accounts holding the SPN", r->owners < 2);
    else if (top == KD_CAUSE_CNAME_SPN)
        kd_claim_check(&claim, "the client asked for the SPN of the name the user gave", !r->alias);
    else if (top == KD_CAUSE_RDNS_SPN)
        kd_claim_check(&claim, "the client asked for the SPN of the name the user gave",
                       !r->given || g_ascii_strcasecmp(r->given, r->host) == 0);
    if (v != KT_NONE && (top == KD_CAUSE_DUPLICATE_SPN || top == KD_CAUSE_STALE_SERVICE_KEY ||
                         top == KD_CAUSE_SPN_ACCOUNT_MISMATCH)) {
        /* Runs only when Wireshark tried the keytab's keys on the ticket. */
        guint dec = kd_claim_declare(&claim, "a key of the service's keytab decrypts the ticket");
        if (r->kt.tried)
            kd_claim_result(&claim, dec, v == KT_DECRYPTS);
    }
    if (by_keytab) {
        kd_claim_check(&claim, "KDC_ERR_PRINCIPAL_NOT_UNIQUE or LDAP shows the SPN on two accounts",
                       r->owners >= 2 || r->dup != NULL);
        if (top == KD_CAUSE_SPN_ACCOUNT_MISMATCH)
            kd_claim_check(&claim, "the service's keytab holds a key for the SPN", v != KT_NO_SPN);
        else if (v == KT_OTHER_KVNO)
            kd_claim_check(&claim, "the service's keytab holds the ticket's key version for the SPN", FALSE);
        else
            kd_claim_check(&claim, "the SPN's key of the ticket's version in the service's keytab decrypts it",
                           v != KT_OTHER_KEY);
    }
    kd_finding_confirm(f, &claim);
}

/* Explain a stale service key: from the keytab, an accepted older ticket, or an
 * older issue of the SPN. */
static void
explain_stale_key(kd_finding *f, const refusal *r, gboolean by_keytab)
{
    const char *spn = r->spn;
    const gint64 kvno = r->kvno;
    if (by_keytab && r->kt.v == KT_OTHER_KVNO) {
        kd_finding_summary(f, "The ticket for %s has key version %" G_GINT64_FORMAT " and the service's keytab holds "
                           "version %" G_GINT64_FORMAT " only: its key is stale (password or key changed in the "
                           "KDC, keytab not re-exported)", spn, kvno, r->kt.held_kvno);
        kd_finding_detail(f, "service keytab: %s kvno %" G_GINT64_FORMAT, spn, r->kt.held_kvno);
    } else if (by_keytab) {
        kd_finding_summary(f, "The service's keytab holds key version %" G_GINT64_FORMAT " of %s, the ticket's, but "
                           "that key does not decrypt the ticket: the keytab was made from another password than "
                           "the account's in the KDC", kvno, spn);
        kd_finding_detail(f, "service keytab: %s kvno %" G_GINT64_FORMAT ", another key", spn, kvno);
    } else if (r->stale_accept) {
        kd_finding_summary(f, "The ticket for %s has key version %" G_GINT64_FORMAT " but this service accepted "
                           "version %" G_GINT64_FORMAT " earlier: its key is stale (password or keytab changed)",
                           spn, kvno, r->accepted->kvno);
        kd_finding_evidence(f, r->accepted->frame, "the service accepted a ticket with kvno %" G_GINT64_FORMAT,
                            r->accepted->kvno);
        if (r->older)
            kd_finding_evidence(f, r->older->frame, "KDC issued %s with kvno %" G_GINT64_FORMAT " earlier", spn,
                                r->older->kvno);
    } else if (r->older) {
        kd_finding_summary(f, "The KDC issued %s with key version %" G_GINT64_FORMAT " before and %" G_GINT64_FORMAT
                           " now: the service account's key changed and the service still has the old one",
                           spn, r->older->kvno, kvno);
        kd_finding_evidence(f, r->older->frame, "KDC issued %s with kvno %" G_GINT64_FORMAT " earlier", spn,
                            r->older->kvno);
    } else {
        kd_finding_summary(f, "The service does not hold key version %" G_GINT64_FORMAT " of %s (stale keytab)", kvno, spn);
    }
}

/* Explain a service running as another account than the SPN's. */
static void
explain_account_mismatch(kd_finding *f, const refusal *r, gboolean by_keytab)
{
    const char *spn = r->spn;
    if (by_keytab) {
        kd_finding_summary(f, "The service's keytab holds no key of %s, only keys of %s: the service runs as "
                           "another account than the one holding the SPN", spn, r->kt.holder);
        kd_finding_detail(f, "service keytab: keys of %s", r->kt.holder);
    } else if (r->not_us && same_service_name(r->k->sname, spn)) {
        kd_finding_summary(f, "The service at %s refuses the ticket for %s as not its own (KRB_AP_ERR_NOT_US): it "
                           "runs as another principal than the SPN's", r->srv, spn);
    } else {
        kd_finding_summary(f, "The client asked for %s but the service decrypts as %s: the SPN and the account the "
                           "service runs as differ", spn, r->k->sname);
        kd_finding_detail(f, "service decrypts as: %s", r->k->sname);
    }
    kd_finding_detail(f, "requested SPN: %s", spn);
}

/* Explain: the winner's summary, evidence and details. */
static void
refusal_explain(const kd_ctx *ctx, kd_finding *f, const refusal *r, kd_cause top, gboolean by_keytab)
{
    const char *spn = r->spn, *host = r->host, *alias = r->alias;
    const kd_issue *issued = spn ? kd_store_issued_to(ctx->store, spn, &r->obs->dst) : NULL;
    switch (top) {
    case KD_CAUSE_SHARED_ADDRESS_LOOPBACK:
        shared_evidence(ctx, f, r->obs, r->shared);
        break;
    case KD_CAUSE_CNAME_SPN:
        kd_finding_summary(f, "The user asked for %s, a DNS alias of %s; the client requested a ticket for %s, "
                           "which the service behind the alias cannot decrypt", alias ? alias : "an alias", host, spn);
        kd_finding_evidence(f, r->cname->frame, "DNS answer: %s is a CNAME (alias) leading to %s", alias ? alias : "?",
                            host);
        kd_finding_issue_evidence(f, issued, spn);
        kd_finding_detail(f, "alias: %s", alias ? alias : "?");
        kd_finding_detail(f, "canonical name: %s", host);
        break;
    case KD_CAUSE_RDNS_SPN: {
        char a[48];
        kd_addr_to_str(&r->ap->server, a, sizeof a);
        kd_finding_summary(f, "The user asked for %s at %s; the reverse DNS (PTR) answer for %s names %s, and the "
                           "client requested a ticket for %s, which the service there cannot decrypt", r->given, a, a,
                           host, spn);
        kd_finding_evidence(f, r->ptr_frame, "DNS answer: PTR %s -> %s", a, host);
        kd_finding_issue_evidence(f, issued, spn);
        kd_finding_detail(f, "name given: %s", r->given);
        kd_finding_detail(f, "reverse DNS (PTR) name: %s", host);
        kd_finding_detail(f, "address: %s", a);
        break;
    }
    case KD_CAUSE_DUPLICATE_SPN:
        kd_finding_summary(f, "%s is registered on more than one account; the KDC encrypted the ticket for one of them "
                           "and the service runs as another", spn);
        kd_finding_owner_evidence(f, ctx->store, spn);
        if (r->dup)
            kd_finding_evidence(f, r->dup->first_frame, "KDC_ERR_PRINCIPAL_NOT_UNIQUE for %s", spn);
        kd_finding_issue_evidence(f, issued, spn);
        break;
    case KD_CAUSE_STALE_SERVICE_KEY:
        explain_stale_key(f, r, by_keytab);
        kd_finding_issue_evidence(f, issued, spn);
        kd_finding_detail(f, "ticket kvno: %" G_GINT64_FORMAT, r->kvno);
        break;
    case KD_CAUSE_SPN_ACCOUNT_MISMATCH:
        explain_account_mismatch(f, r, by_keytab);
        kd_finding_issue_evidence(f, issued, spn);
        break;
    case KD_CAUSE_SAME_NAME_OTHER_DOMAIN:
        kd_finding_summary(f, "The short name %s was resolved in realm %s while the client belongs to %s: an "
                           "identically named host in the other domain holds the SPN", host, r->ticket_realm,
                           r->client_realm);
        kd_finding_issue_evidence(f, issued, spn);
        break;
    default:
        break;
    }
}

/* The winner among several candidates: its confidence, checks, alternatives and texts. */
static kd_finding *
refusal_decided(const kd_ctx *ctx, const refusal *r, const kd_cause *found, guint n_found)
{
    const kd_cause top = found[0];
    const gboolean by_keytab = top == r->kt_cause;
    kd_confidence conf = KD_CONF_LIKELY;
    if ((top == KD_CAUSE_DUPLICATE_SPN && r->owners >= 2) || (top == KD_CAUSE_STALE_SERVICE_KEY && r->stale_accept) ||
        (top == KD_CAUSE_CNAME_SPN && r->ap && r->ap->http_host) || top == KD_CAUSE_RDNS_SPN ||
        top == KD_CAUSE_SHARED_ADDRESS_LOOPBACK || by_keytab)
        conf = KD_CONF_CONFIRMED;
    kd_finding *f = kd_finding_add(ctx->findings, r->obs->frame, top, conf, r->code, r->spn, r->client);
    if (!f)
        return NULL;
    if (conf == KD_CONF_CONFIRMED)
        refusal_confirm(f, r, top, by_keytab);
    if (f->confidence != KD_CONF_CONFIRMED && keytab_missing(r->kt.v))
        kd_finding_set_missing(f, keytab_missing(r->kt.v));
    if (r->kt.v == KT_DECRYPTS)
        kd_finding_detail(f, "keytab loaded into Wireshark: decrypts the ticket (%s)",
                          r->ap->ticket.decrypted_by ? r->ap->ticket.decrypted_by : "key of the keytab");
    for (guint i = 1; i < n_found; i++) {
        if (top == KD_CAUSE_SHARED_ADDRESS_LOOPBACK && found[i] == KD_CAUSE_SPN_ACCOUNT_MISMATCH)
            /* The host that refused is not the SPN's service: the name it gives is its own. */
            kd_finding_rule_out(f, found[i], "the refusing host answers at an address two machines share: the "
                                "account it decrypts as is its own, not the SPN's");
        else
            kd_finding_alternative(f, found[i]);
    }
    ap_evidence(f, r->ap);
    refusal_explain(ctx, f, r, top, by_keytab);
    return f;
}

/* Decide among the KRB_AP_ERR_MODIFIED family of causes: gather the evidence, rank
 * the candidates, then confirm and explain the winner (or the undecided failure). */
static kd_finding *
decrypt_failure(const kd_ctx *ctx, const kd_obs *obs, const kd_req *ap, const char *spn, const char *client)
{
    refusal r;
    kd_cause found[8];
    refusal_gather(ctx, obs, ap, spn, client, &r);
    const guint n_found = refusal_rank(&r, found);
    kd_finding *f = n_found == 0 ? refusal_undecided(ctx, &r) : refusal_decided(ctx, &r, found, n_found);
    /* LDAP results arriving later (an admin's search after the failure) can still
     * show the SPN on two accounts. */
    if (f && spn && f->cause != KD_CAUSE_DUPLICATE_SPN)
        kd_wait_set(ctx->findings, KD_WAIT_OWNERS, spn, obs->frame);
    g_free(r.alias);
    g_free(r.given);
    g_free(r.host);
    return f;
}

/* A service refused the ticket of the AP-REQ `ap` without sending a KRB-ERROR
 * (SMB2 logon failure, DCE/RPC bind_nak): the same analysis as a decrypt error. */
static kd_finding *
silent_refusal(const kd_ctx *ctx, const kd_obs *obs, const kd_req *ap)
{
    kd_obs as_krb = *obs;
    memset(&as_krb.u, 0, sizeof(as_krb.u));
    as_krb.kind = KD_OBS_KRB;
    as_krb.u.krb.msg_type = KD_MSG_ERROR;
    as_krb.u.krb.error_code = -1;
    const char *spn = ap->ticket.sname;
    return decrypt_failure(ctx, &as_krb, ap, spn, spn ? kd_store_issued_client(ctx->store, spn, &obs->dst) : NULL);
}

static void
service_on_error(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const gint32 code = obs->u.krb.error_code;
    if (code == KRB_AP_ERR_TKT_EXPIRED) {
        ev->claimed = TRUE;
        kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_TICKET_EXPIRED, KD_CONF_CONFIRMED, code,
                                       ev->spn, ev->client);
        kd_finding_confirm_one(f, "the error answers no AP-REQ carrying a ticket", ev->req && !ev->req->ticket.present);
        ap_evidence(f, ev->req);
        kd_finding_summary(f, "The service ticket for %s has expired", ev->spn ? ev->spn : "?");
    } else {
        ev->claimed = TRUE;
        decrypt_failure(ctx, obs, ev->req, ev->spn, ev->client);
    }
}

/* Any other service error: the generic finding with the code's documented causes. */
static void
service_on_error_fallback(const kd_ctx *ctx, kd_event *ev)
{
    kd_finding *f = kd_finding_add(ctx->findings, ev->obs->frame, KD_CAUSE_KRB_ERROR, KD_CONF_POSSIBLE,
                                   ev->obs->u.krb.error_code, ev->spn, ev->client);
    ap_evidence(f, ev->req);
}

/* A failed SMB2 SESSION_SETUP after a Kerberos AP-REQ: Samba and Windows answer a
 * ticket they cannot use with STATUS_LOGON_FAILURE and no KRB-ERROR at all. */
static void
service_on_smb2(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_smb2 *s = &obs->u.smb2;
    if (!s->is_response || s->cmd != SMB2_SESSION_SETUP || s->nt_status == STATUS_SUCCESS ||
        s->nt_status == STATUS_MORE_PROCESSING_REQUIRED)
        return;
    kd_req *ap = kd_store_ap_request(ctx->store, obs);
    if (!ap || !ap->ticket.present || ap->carrier != KD_CARRIER_SMB2)
        return;
    kd_finding *f = silent_refusal(ctx, obs, ap);
    if (f) {
        f->has_status = TRUE;
        f->status = s->nt_status;
        kd_finding_detail(f, "SMB2 SESSION_SETUP status: 0x%08X (no KRB-ERROR on the wire)", s->nt_status);
    }
}

/* A DCE/RPC bind refused right after a Kerberos AP-REQ on the connection. */
static void
service_on_dcerpc(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_dcerpc *d = &obs->u.dcerpc;
    if (d->pkt_type != DCERPC_PKT_BIND_NAK)
        return;
    kd_req *ap = kd_store_ap_request(ctx->store, obs);
    if (ap && ap->ticket.present && ap->carrier == KD_CARRIER_DCERPC) {
        kd_finding *f = silent_refusal(ctx, obs, ap);
        kd_finding_detail(f, "DCE/RPC bind_nak, reject reason %u (no KRB-ERROR on the wire)", d->status);
    }
}

/* LDAP shows a second account holding an SPN: every failure waiting on it becomes
 * duplicate_spn, and the LDAP frame says so itself (a single pass has already shown
 * those failures with their earlier diagnosis). */
static void
service_on_ldap_entry(const kd_ctx *ctx, kd_event *ev)
{
    /* A switched-off service group amends nothing: the failures keep their cause. */
    if (!ctx->cfg->group_enabled[KD_GROUP_SERVICE])
        return;
    for (guint i = 0; i < ev->n_new_dup; i++) {
        const char *spn = ev->obs->u.ldap.spns[ev->new_dup[i]];
        const kd_spn_owners *o = kd_store_spn_owners(ctx->store, spn);
        kd_finding *fs[KD_WAIT_LIST_MAX];
        guint n = kd_wait_take_all(ctx->findings, KD_WAIT_OWNERS, spn, fs, G_N_ELEMENTS(fs));
        GString *frames = g_string_new(NULL);
        guint32 amended[KD_WAIT_LIST_MAX];
        guint n_amended = 0;
        for (guint k = 0; k < n; k++) {
            kd_finding *f = fs[k];
            if (f->cause == KD_CAUSE_DUPLICATE_SPN)
                continue;
            kd_cause was = f->cause;
            kd_finding_recause(f, KD_CAUSE_DUPLICATE_SPN, KD_CONF_CONFIRMED);
            kd_finding_confirm_one(f, "LDAP shows fewer than two accounts holding the SPN", !o || o->n < 2);
            kd_finding_rule_out(f, was, "LDAP shows %s on %u accounts", spn, o ? o->n : 2);
            kd_finding_summary(f, "%s is registered on more than one account (LDAP results in this capture)", spn);
            kd_finding_owner_evidence(f, ctx->store, spn);
            amended[n_amended++] = f->frame;
        }
        for (guint k = 0; k < n_amended; k++)
            g_string_append_printf(frames, "%s%u", k == 0 ? "" : k + 1 == n_amended ? " and " : ", ", amended[k]);
        if (n_amended) {
            kd_finding *d = kd_finding_add(ctx->findings, ev->obs->frame, KD_CAUSE_DUPLICATE_SPN, KD_CONF_CONFIRMED, -1,
                                           spn, NULL);
            if (d)
                d->restates = amended[0];
            kd_finding_confirm_one(d, "LDAP shows fewer than two accounts holding the SPN", !o || o->n < 2);
            kd_finding_summary(d, "LDAP shows %s on %u accounts: the failure%s in frame%s %s %s duplicate_spn", spn,
                               o ? o->n : 2, n_amended > 1 ? "s" : "", n_amended > 1 ? "s" : "", frames->str,
                               n_amended > 1 ? "are" : "is");
            for (guint k = 0; k < n_amended; k++)
                kd_finding_evidence(d, amended[k], "failure for %s, now explained", spn);
            kd_finding_owner_evidence(d, ctx->store, spn);
        }
        g_string_free(frames, TRUE);
    }
}

/* A SASL bind refused after its AP-REQ, with no KRB-ERROR in the exchange and no
 * reason in the diagnostic message that names something else (an account state,
 * channel binding; a logon failure, data 52e, is what Samba says of a ticket it cannot
 * decrypt): the server could not use the ticket, as an SMB2 logon failure says it. */
static void
service_on_ldap_bind(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_ldap_bind *b = &obs->u.bind;
    if (!b->is_response || b->result_code != KD_LDAP_INVALID_CREDENTIALS)
        return;
    const kd_ldap_bind_rec *req = kd_store_ldap_bind(ctx->store, obs);
    const kd_req *ap = ev->req;
    if (!req || !req->sasl || !ap || !ap->ticket.present)
        return;
    kd_ldap_diag dg;
    if (kd_ldap_diag_parse(b->diag, b->diag_len, &dg) && dg.has_data) {
        const kd_ldap_data_info *info = kd_ldap_data_lookup(dg.data);
        /* ERROR_LOGON_FAILURE is what a refused ticket gets too (Samba, Windows). */
        if (info && info->kind != KD_LDAP_DATA_OTHER && info->kind != KD_LDAP_DATA_BAD_PASSWORD &&
            info->kind != KD_LDAP_DATA_USER_NOT_FOUND)
            return;
    }
    const kd_conn_rec *conn = kd_store_conn(ctx->store, obs);
    if (conn && conn->krb_error_frame >= ap->frame)
        return;     /* a KRB-ERROR answered the ticket: its own finding says why */
    ev->claimed = TRUE;
    kd_finding *f = silent_refusal(ctx, obs, ap);
    kd_finding_detail(f, "LDAP SASL %s bind refused: resultCode %d (no KRB-ERROR on the wire)",
                      req->mechanism ? req->mechanism : "", b->result_code);
}

static const kd_rule rules[] = {
    /* The expired ticket, and the errors meaning "the service could not use the
     * ticket's key": the same root cause shows as different codes across
     * implementations (Windows: MODIFIED; MIT and Heimdal acceptors: BADKEYVER,
     * NOKEY, BAD_INTEGRITY, NOT_US, BADMATCH). */
    KD_RULE_CODES(KD_EV_SERVICE_ERROR, KD_PRIO_SPECIFIC, service_on_error, KD_RUN_ALWAYS,
                  KRB_AP_ERR_TKT_EXPIRED, KRB_AP_ERR_MODIFIED, KRB_AP_ERR_BADKEYVER, KRB_AP_ERR_NOKEY,
                  KRB_AP_ERR_BAD_INTEGRITY, KRB_AP_ERR_NOT_US, KRB_AP_ERR_BADMATCH),
    KD_RULE(KD_EV_SERVICE_ERROR, KD_PRIO_FALLBACK, service_on_error_fallback, KD_RUN_UNCLAIMED),
    KD_RULE(KD_EV_SMB2, KD_PRIO_SPECIFIC, service_on_smb2, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_DCERPC, KD_PRIO_SPECIFIC, service_on_dcerpc, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_LDAP_ENTRY, KD_PRIO_SPECIFIC, service_on_ldap_entry, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_LDAP_BIND, KD_PRIO_SPECIFIC, service_on_ldap_bind, KD_RUN_ALWAYS),
};

const kd_rule_table kd_rules_service = { "service", rules, G_N_ELEMENTS(rules) };
