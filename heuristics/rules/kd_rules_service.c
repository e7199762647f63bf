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

#define SMB2_SESSION_SETUP 1
#define NT_STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u

/* Errors meaning "the service could not use the ticket's key". The same root cause
 * shows as different codes across implementations (Windows: MODIFIED; MIT and
 * Heimdal acceptors: BADKEYVER, NOKEY, BAD_INTEGRITY, NOT_US). */
static gboolean
is_decrypt_failure(gint32 code)
{
    return code == 41 || code == 44 || code == 45 || code == 31 || code == 35 || code == 36;
}

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

/* Decide among the KRB_AP_ERR_MODIFIED family of causes, most specific evidence first. */
static kd_finding *
decrypt_failure(const kd_ctx *ctx, const kd_obs *obs, const kd_req *ap, const char *spn, const char *client)
{
    kd_store *st = ctx->store;
    const kd_krb *k = &obs->u.krb;
    const gint32 code = k->error_code;
    char *host = kd_spn_host(spn);
    kd_cause found[8];
    guint n_found = 0;
    kd_finding *f = NULL;

    /* Evidence gathered once, used both for the winner and for the alternatives. */
    const kd_binding_rec *shared = kd_store_shared_binding(st, &obs->src);
    const kd_dns_rec *cname = NULL;
    char *alias = NULL;
    if (host && ap && !kd_str_empty(ap->http_host)) {
        char *h = g_strdup(ap->http_host);
        char *colon = strchr(h, ':');
        if (colon)
            *colon = '\0';
        if (g_ascii_strcasecmp(h, host) != 0 && (cname = kd_store_cname_chain(st, h, host)) != NULL)
            alias = g_strdup(h);
        g_free(h);
    }
    if (!cname && host) {
        char *a = NULL;
        cname = kd_store_alias_of(st, host, &a);
        if (cname)
            alias = g_strdup(a);
    }
    /* Reverse DNS: the user gave one name (the HTTP Host), the PTR answer for the
     * server's address gave another, and the client asked for that one's SPN (MIT's
     * rdns = true). A PTR naming the host the user gave explains nothing. */
    char *given = NULL;
    const char *ptr_name = NULL;
    guint32 ptr_frame = 0;
    if (!cname && host && ap && !kd_str_empty(ap->http_host)) {
        given = g_strdup(ap->http_host);
        char *colon = strchr(given, ':');
        if (colon)
            *colon = '\0';
        ptr_name = kd_store_ptr_name(st, &ap->server, &ptr_frame);
        if (!ptr_name || g_ascii_strcasecmp(given, host) == 0 || g_ascii_strcasecmp(ptr_name, host) != 0)
            ptr_name = NULL;
    }
    const kd_spn_owners *owner_rec = kd_store_spn_owners(st, spn);
    const guint owners = owner_rec ? owner_rec->n : 0;
    const kd_counter *dup = spn ? kd_store_not_unique(st, spn) : NULL;
    const kd_accept *accepted = spn ? kd_store_accepted(st, spn, &obs->src) : NULL;
    const gint64 kvno = ap && ap->ticket.present ? ap->ticket.kvno : -1;
    const gboolean stale_accept = accepted && kvno >= 0 && accepted->kvno >= 0 && accepted->kvno != kvno;
    const kd_issue *older = spn ? kd_store_issued_other_kvno(st, spn, kvno) : NULL;
    /* The acceptor names another principal than the requested SPN (Windows names the
     * account it decrypts as), or says outright that the ticket is not for it
     * (KRB_AP_ERR_NOT_US) although the client reached the address DNS gave for the
     * SPN's host: the service runs as another principal than the SPN's. */
    char srv[48];
    kd_addr_to_str(&obs->src, srv, sizeof srv);
    const char *dns_name = kd_store_name_of(st, &obs->src);
    const gboolean not_us = code == 35 && spn && !cname && !ptr_name &&
                            (!dns_name || (host && g_ascii_strcasecmp(dns_name, host) == 0));
    const gboolean name_differs = not_us || (!kd_str_empty(k->sname) && spn && !same_service_name(k->sname, spn) &&
                                             !g_str_has_prefix(k->sname, "krbtgt/"));
    const char *ticket_realm = ap && ap->ticket.present ? ap->ticket.realm : NULL;
    const char *client_realm = !kd_str_empty(k->crealm) ? k->crealm : NULL;
    const gboolean other_domain = host && !strchr(host, '.') && ticket_realm && client_realm &&
                                  g_ascii_strcasecmp(ticket_realm, client_realm) != 0;

    if (shared)
        found[n_found++] = KD_CAUSE_SHARED_ADDRESS_LOOPBACK;
    if (cname)
        found[n_found++] = KD_CAUSE_CNAME_SPN;
    if (ptr_name)
        found[n_found++] = KD_CAUSE_RDNS_SPN;
    if (owners >= 2 || dup)
        found[n_found++] = KD_CAUSE_DUPLICATE_SPN;
    if (stale_accept || older || code == 44)
        found[n_found++] = KD_CAUSE_STALE_SERVICE_KEY;
    if (name_differs)
        found[n_found++] = KD_CAUSE_SPN_ACCOUNT_MISMATCH;
    if (other_domain)
        found[n_found++] = KD_CAUSE_SAME_NAME_OTHER_DOMAIN;

    /* The service's keytab: a key that decrypts the ticket rules out a stale key and a
     * wrong account; keys of other principals only rule out a stale key; the SPN's key at
     * another version, or at the same version but not decrypting, rule out a wrong
     * account (with the SPN on one account only: see the claim below). The DNS alias,
     * the shared address and the duplicate SPN keep their rank: they say why. */
    const kt_view kt = keytab_view(ctx->cfg->keytab, ap);
    const kd_cause kt_cause = keytab_cause(kt.v);
    if (kt.v == KT_DECRYPTS || kt.v == KT_NO_SPN)
        drop_cause(found, &n_found, KD_CAUSE_STALE_SERVICE_KEY);
    if (kt.v == KT_DECRYPTS || kt.v == KT_OTHER_KVNO || kt.v == KT_OTHER_KEY)
        drop_cause(found, &n_found, KD_CAUSE_SPN_ACCOUNT_MISMATCH);
    if (kt_cause != KD_CAUSE_COUNT) {
        guint at = 0;
        while (at < n_found && (found[at] == KD_CAUSE_SHARED_ADDRESS_LOOPBACK || found[at] == KD_CAUSE_CNAME_SPN ||
                                found[at] == KD_CAUSE_RDNS_SPN || found[at] == KD_CAUSE_DUPLICATE_SPN))
            at++;
        drop_cause(found, &n_found, kt_cause);
        memmove(&found[at + 1], &found[at], (n_found - at) * sizeof(kd_cause));
        found[at] = kt_cause;
        n_found++;
    }

    if (n_found == 0) {
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_TICKET_DECRYPT_FAILED, KD_CONF_POSSIBLE, code, spn, client);
        if (!f)
            goto out;
        if (kt.v == KT_DECRYPTS)
            kd_finding_summary(f, "The service refused the ticket for %s, but the keytab loaded into Wireshark decrypts "
                               "it (key of %s): that key is neither stale nor another account's; the service does not "
                               "use this keytab, or it fails on something else (authenticator, replay cache)",
                               spn ? spn : "?", ap->ticket.decrypted_by ? ap->ticket.decrypted_by : "the keytab");
        else
            kd_finding_summary(f, "The service could not decrypt the ticket for %s; the capture holds no evidence that "
                               "tells duplicate SPN, DNS alias, wrong service account or stale key apart",
                               spn ? spn : "?");
        kd_finding_alternative(f, KD_CAUSE_DUPLICATE_SPN);
        kd_finding_alternative(f, KD_CAUSE_SPN_ACCOUNT_MISMATCH);
        kd_finding_alternative(f, KD_CAUSE_CNAME_SPN);
        kd_finding_alternative(f, KD_CAUSE_STALE_SERVICE_KEY);
        if (kt.v == KT_DECRYPTS) {
            /* The key that encrypted the ticket is in the service's keytab, current. */
            kd_finding_rule_out(f, KD_CAUSE_SPN_ACCOUNT_MISMATCH, "the keytab loaded into Wireshark decrypts the "
                                "ticket with a key of %s", ap->ticket.decrypted_by ? ap->ticket.decrypted_by : "the SPN");
            kd_finding_rule_out(f, KD_CAUSE_STALE_SERVICE_KEY, "the keytab loaded into Wireshark decrypts the ticket: "
                                "its key is the one the KDC used");
        }
        GString *m = g_string_new(NULL);
        if (!spn || !kd_store_issued_to(st, spn, &obs->dst))
            g_string_append(m, "capture the client's ticket request (klist purge first); ");
        if (!kd_store_has_dns(st))
            g_string_append(m, "capture DNS on the client (ipconfig /flushdns first) to see aliases; ");
        g_string_append_printf(m, "run setspn -Q %s (or capture an LDAP search for it) to see which accounts hold the SPN; "
                               "compare with the account the service runs as", spn ? spn : "<spn>");
        if (keytab_missing(kt.v))
            g_string_append_printf(m, "; %s", keytab_missing(kt.v));
        kd_finding_set_missing(f, m->str);
        g_string_free(m, TRUE);
        ap_evidence(f, ap);
        if (spn)
            kd_finding_issue_evidence(f, kd_store_issued_to(st, spn, &obs->dst), spn);
        goto out;
    }

    kd_cause top = found[0];
    kd_confidence conf = KD_CONF_LIKELY;
    const gboolean by_keytab = top == kt_cause;
    if ((top == KD_CAUSE_DUPLICATE_SPN && owners >= 2) || (top == KD_CAUSE_STALE_SERVICE_KEY && stale_accept) ||
        (top == KD_CAUSE_CNAME_SPN && ap && ap->http_host) || top == KD_CAUSE_RDNS_SPN ||
        top == KD_CAUSE_SHARED_ADDRESS_LOOPBACK || by_keytab)
        conf = KD_CONF_CONFIRMED;
    f = kd_finding_add(ctx->findings, obs->frame, top, conf, code, spn, client);
    if (!f)
        goto out;
    if (conf == KD_CONF_CONFIRMED) {
        /* What would show the winning evidence wrong. */
        kd_claim claim;
        kd_claim_init(&claim);
        kd_claim_check(&claim, "the service accepts a ticket for the SPN with the refused key version",
                       accepted && !stale_accept && kvno >= 0 && accepted->kvno == kvno);
        if (top == KD_CAUSE_DUPLICATE_SPN)
            kd_claim_check(&claim, "LDAP shows fewer than two accounts holding the SPN", owners < 2);
        else if (top == KD_CAUSE_CNAME_SPN)
            kd_claim_check(&claim, "the client asked for the SPN of the name the user gave", !alias);
        else if (top == KD_CAUSE_RDNS_SPN)
            kd_claim_check(&claim, "the client asked for the SPN of the name the user gave",
                           !given || g_ascii_strcasecmp(given, host) == 0);
        if (kt.v != KT_NONE && (top == KD_CAUSE_DUPLICATE_SPN || top == KD_CAUSE_STALE_SERVICE_KEY ||
                                top == KD_CAUSE_SPN_ACCOUNT_MISMATCH)) {
            /* Runs only when Wireshark tried the keytab's keys on the ticket. */
            guint dec = kd_claim_declare(&claim, "a key of the service's keytab decrypts the ticket");
            if (kt.tried)
                kd_claim_result(&claim, dec, kt.v == KT_DECRYPTS);
        }
        if (by_keytab) {
            kd_claim_check(&claim, "KDC_ERR_PRINCIPAL_NOT_UNIQUE or LDAP shows the SPN on two accounts",
                           owners >= 2 || dup != NULL);
            if (top == KD_CAUSE_SPN_ACCOUNT_MISMATCH)
                kd_claim_check(&claim, "the service's keytab holds a key for the SPN", kt.v != KT_NO_SPN);
            else if (kt.v == KT_OTHER_KVNO)
                kd_claim_check(&claim, "the service's keytab holds the ticket's key version for the SPN", FALSE);
            else
                kd_claim_check(&claim, "the SPN's key of the ticket's version in the service's keytab decrypts it",
                               kt.v != KT_OTHER_KEY);
        }
        kd_finding_confirm(f, &claim);
    }
    if (f->confidence != KD_CONF_CONFIRMED && keytab_missing(kt.v))
        kd_finding_set_missing(f, keytab_missing(kt.v));
    if (kt.v == KT_DECRYPTS)
        kd_finding_detail(f, "keytab loaded into Wireshark: decrypts the ticket (%s)",
                          ap->ticket.decrypted_by ? ap->ticket.decrypted_by : "key of the keytab");
    for (guint i = 1; i < n_found; i++) {
        if (top == KD_CAUSE_SHARED_ADDRESS_LOOPBACK && found[i] == KD_CAUSE_SPN_ACCOUNT_MISMATCH)
            /* The host that refused is not the SPN's service: the name it gives is its own. */
            kd_finding_rule_out(f, found[i], "the refusing host answers at an address two machines share: the "
                                "account it decrypts as is its own, not the SPN's");
        else
            kd_finding_alternative(f, found[i]);
    }
    ap_evidence(f, ap);
    const kd_issue *issued = spn ? kd_store_issued_to(st, spn, &obs->dst) : NULL;

    switch (top) {
    case KD_CAUSE_SHARED_ADDRESS_LOOPBACK:
        shared_evidence(ctx, f, obs, shared);
        break;
    case KD_CAUSE_CNAME_SPN:
        kd_finding_summary(f, "The user asked for %s, a DNS alias of %s; the client requested a ticket for %s, "
                           "which the service behind the alias cannot decrypt", alias ? alias : "an alias", host, spn);
        kd_finding_evidence(f, cname->frame, "DNS answer: %s is a CNAME (alias) leading to %s", alias ? alias : "?", host);
        kd_finding_issue_evidence(f, issued, spn);
        kd_finding_detail(f, "alias: %s", alias ? alias : "?");
        kd_finding_detail(f, "canonical name: %s", host);
        break;
    case KD_CAUSE_RDNS_SPN: {
        char a[48];
        kd_addr_to_str(&ap->server, a, sizeof a);
        kd_finding_summary(f, "The user asked for %s at %s; the reverse DNS (PTR) answer for %s names %s, and the "
                           "client requested a ticket for %s, which the service there cannot decrypt", given, a, a,
                           host, spn);
        kd_finding_evidence(f, ptr_frame, "DNS answer: PTR %s -> %s", a, host);
        kd_finding_issue_evidence(f, issued, spn);
        kd_finding_detail(f, "name given: %s", given);
        kd_finding_detail(f, "reverse DNS (PTR) name: %s", host);
        kd_finding_detail(f, "address: %s", a);
        break;
    }
    case KD_CAUSE_DUPLICATE_SPN:
        kd_finding_summary(f, "%s is registered on more than one account; the KDC encrypted the ticket for one of them "
                           "and the service runs as another", spn);
        kd_finding_owner_evidence(f, ctx->store, spn);
        if (dup)
            kd_finding_evidence(f, dup->first_frame, "KDC_ERR_PRINCIPAL_NOT_UNIQUE for %s", spn);
        kd_finding_issue_evidence(f, issued, spn);
        break;
    case KD_CAUSE_STALE_SERVICE_KEY:
        if (by_keytab && kt.v == KT_OTHER_KVNO) {
            kd_finding_summary(f, "The ticket for %s has key version %" G_GINT64_FORMAT " and the service's keytab holds "
                               "version %" G_GINT64_FORMAT " only: its key is stale (password or key changed in the "
                               "KDC, keytab not re-exported)", spn, kvno, kt.held_kvno);
            kd_finding_detail(f, "service keytab: %s kvno %" G_GINT64_FORMAT, spn, kt.held_kvno);
        } else if (by_keytab) {
            kd_finding_summary(f, "The service's keytab holds key version %" G_GINT64_FORMAT " of %s, the ticket's, but "
                               "that key does not decrypt the ticket: the keytab was made from another password than "
                               "the account's in the KDC", kvno, spn);
            kd_finding_detail(f, "service keytab: %s kvno %" G_GINT64_FORMAT ", another key", spn, kvno);
        } else if (stale_accept) {
            kd_finding_summary(f, "The ticket for %s has key version %" G_GINT64_FORMAT " but this service accepted "
                               "version %" G_GINT64_FORMAT " earlier: its key is stale (password or keytab changed)",
                               spn, kvno, accepted->kvno);
            kd_finding_evidence(f, accepted->frame, "the service accepted a ticket with kvno %" G_GINT64_FORMAT, accepted->kvno);
            if (older)
                kd_finding_evidence(f, older->frame, "KDC issued %s with kvno %" G_GINT64_FORMAT " earlier", spn, older->kvno);
        } else if (older) {
            kd_finding_summary(f, "The KDC issued %s with key version %" G_GINT64_FORMAT " before and %" G_GINT64_FORMAT
                               " now: the service account's key changed and the service still has the old one",
                               spn, older->kvno, kvno);
            kd_finding_evidence(f, older->frame, "KDC issued %s with kvno %" G_GINT64_FORMAT " earlier", spn, older->kvno);
        } else {
            kd_finding_summary(f, "The service does not hold key version %" G_GINT64_FORMAT " of %s (stale keytab)", kvno, spn);
        }
        kd_finding_issue_evidence(f, issued, spn);
        kd_finding_detail(f, "ticket kvno: %" G_GINT64_FORMAT, kvno);
        break;
    case KD_CAUSE_SPN_ACCOUNT_MISMATCH:
        if (by_keytab) {
            kd_finding_summary(f, "The service's keytab holds no key of %s, only keys of %s: the service runs as "
                               "another account than the one holding the SPN", spn, kt.holder);
            kd_finding_detail(f, "service keytab: keys of %s", kt.holder);
        } else if (not_us && same_service_name(k->sname, spn)) {
            kd_finding_summary(f, "The service at %s refuses the ticket for %s as not its own (KRB_AP_ERR_NOT_US): it "
                               "runs as another principal than the SPN's", srv, spn);
        } else {
            kd_finding_summary(f, "The client asked for %s but the service decrypts as %s: the SPN and the account the "
                               "service runs as differ", spn, k->sname);
            kd_finding_detail(f, "service decrypts as: %s", k->sname);
        }
        kd_finding_detail(f, "requested SPN: %s", spn);
        kd_finding_issue_evidence(f, issued, spn);
        break;
    case KD_CAUSE_SAME_NAME_OTHER_DOMAIN:
        kd_finding_summary(f, "The short name %s was resolved in realm %s while the client belongs to %s: an "
                           "identically named host in the other domain holds the SPN", host, ticket_realm, client_realm);
        kd_finding_issue_evidence(f, issued, spn);
        break;
    default:
        break;
    }
out:
    /* LDAP results arriving later (an admin's search after the failure) can still
     * show the SPN on two accounts. */
    if (f && spn && f->cause != KD_CAUSE_DUPLICATE_SPN)
        kd_wait_set(ctx->findings, KD_WAIT_OWNERS, spn, obs->frame);
    g_free(alias);
    g_free(given);
    g_free(host);
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
on_service_error(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const gint32 code = obs->u.krb.error_code;
    if (code == 32) { /* KRB_AP_ERR_TKT_EXPIRED */
        ev->claimed = TRUE;
        kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_TICKET_EXPIRED, KD_CONF_CONFIRMED, code,
                                       ev->spn, ev->client);
        kd_finding_confirm_one(f, "the error answers no AP-REQ carrying a ticket", ev->req && !ev->req->ticket.present);
        ap_evidence(f, ev->req);
        kd_finding_summary(f, "The service ticket for %s has expired", ev->spn ? ev->spn : "?");
    } else if (is_decrypt_failure(code)) {
        ev->claimed = TRUE;
        decrypt_failure(ctx, obs, ev->req, ev->spn, ev->client);
    }
}

/* Any other service error: the generic finding with the code's documented causes. */
static void
on_service_error_fallback(const kd_ctx *ctx, kd_event *ev)
{
    if (ev->claimed)
        return;
    kd_finding *f = kd_finding_add(ctx->findings, ev->obs->frame, KD_CAUSE_KRB_ERROR, KD_CONF_POSSIBLE,
                                   ev->obs->u.krb.error_code, ev->spn, ev->client);
    ap_evidence(f, ev->req);
}

/* A failed SMB2 SESSION_SETUP after a Kerberos AP-REQ: Samba and Windows answer a
 * ticket they cannot use with STATUS_LOGON_FAILURE and no KRB-ERROR at all. */
static void
on_smb2(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_smb2 *s = &obs->u.smb2;
    if (!s->is_response || s->cmd != SMB2_SESSION_SETUP || s->nt_status == 0 ||
        s->nt_status == NT_STATUS_MORE_PROCESSING_REQUIRED)
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
on_dcerpc(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_dcerpc *d = &obs->u.dcerpc;
    if (d->pkt_type != KD_DCERPC_BIND_NAK)
        return;
    kd_req *ap = kd_store_ap_request(ctx->store, obs);
    if (ap && ap->ticket.present && ap->carrier == KD_CARRIER_DCERPC) {
        kd_finding *f = silent_refusal(ctx, obs, ap);
        kd_finding_detail(f, "DCE/RPC bind_nak, reject reason %u (no KRB-ERROR on the wire)", d->status);
    }
}

/* A SASL bind refused after its AP-REQ, with no KRB-ERROR in the exchange and no
 * reason in the diagnostic message that names something else (an account state,
 * channel binding; a logon failure, data 52e, is what Samba says of a ticket it cannot
 * decrypt): the server could not use the ticket, as an SMB2 logon failure says it. */
static void
on_ldap_bind(const kd_ctx *ctx, kd_event *ev)
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

/* LDAP shows a second account holding an SPN: every failure waiting on it becomes
 * duplicate_spn, and the LDAP frame says so itself (a single pass has already shown
 * those failures with their earlier diagnosis). */
static void
on_ldap_entry(const kd_ctx *ctx, kd_event *ev)
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

static const kd_rule rules[] = {
    { KD_EV_SERVICE_ERROR, KD_PRIO_SPECIFIC, on_service_error },
    { KD_EV_SERVICE_ERROR, KD_PRIO_FALLBACK, on_service_error_fallback },
    { KD_EV_SMB2,          KD_PRIO_SPECIFIC, on_smb2 },
    { KD_EV_DCERPC,        KD_PRIO_SPECIFIC, on_dcerpc },
    { KD_EV_LDAP_ENTRY,    KD_PRIO_SPECIFIC, on_ldap_entry },
    { KD_EV_LDAP_BIND,     KD_PRIO_SPECIFIC, on_ldap_bind },
};

const kd_rule_table kd_rules_service = { "service", rules, G_N_ELEMENTS(rules) };
