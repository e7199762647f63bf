/* kd_rules_service.c
 * Rules for a service refusing a ticket (KRB_AP_ERR_* in HTTP, SMB2, DCE/RPC, LDAP):
 * whose key did the KDC use, and why does the service not hold it?
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_engine_int.h"
#include "kd_rules.h"

#include <string.h>

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

/* Follow the alias chain from `alias` (at most 8 hops): does it end at `host`? */
static const kd_dns_rec *
cname_chain_to(kd_engine *eng, const char *alias, const char *host)
{
    char *name = kd_lower(alias);
    const kd_dns_rec *first = NULL;
    for (int hop = 0; hop < 8; hop++) {
        kd_dns_rec *rec = kd_lru_get(eng->dns, name);
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

static void
issue_evidence(kd_finding *f, const kd_issue *it, const char *spn)
{
    if (!it)
        return;
    if (it->req_frame)
        kd_finding_evidence(f, it->req_frame, "TGS-REQ for %s", spn);
    kd_finding_evidence(f, it->frame, "KDC issues the ticket for %s (kvno %" G_GINT64_FORMAT ")", spn, it->kvno);
}

/* The latest ticket the KDC issued for spn to this client. */
static const kd_issue *
issued_to(kd_engine *eng, const char *spn, const kd_addr *client)
{
    kd_issue_hist *h = kd_issues_for(eng, spn);
    if (!h)
        return NULL;
    for (guint i = 0; i < h->count; i++) {
        const kd_issue *it = kd_issue_hist_nth(h, i);
        if (kd_addr_equal(&it->client, client))
            return it;
    }
    return NULL;
}

/* Service errors rarely name the client; the ticket's issue does. Newest issue to
 * this client address first, then any (the client may use another address). */
const char *
kd_issued_client(kd_engine *eng, const char *spn, const kd_addr *client)
{
    kd_issue_hist *h = kd_issues_for(eng, spn);
    for (int pass = 0; h && pass < 2; pass++) {
        for (guint i = 0; i < h->count; i++) {
            const kd_issue *it = kd_issue_hist_nth(h, i);
            if (it->cname && (pass == 1 || kd_addr_equal(&it->client, client)))
                return it->cname;
        }
    }
    /* FAST hides the client of a TGS exchange: take whoever logged on from that address. */
    char a[48];
    return kd_lru_get(eng->client_names, kd_addr_to_str(client, a, sizeof a));
}

/* A ticket for spn with another kvno than `kvno`, issued earlier. */
static const kd_issue *
other_kvno_issue(kd_engine *eng, const char *spn, gint64 kvno)
{
    kd_issue_hist *h = kd_issues_for(eng, spn);
    if (!h || kvno < 0)
        return NULL;
    for (guint i = 0; i < h->count; i++) {
        const kd_issue *it = kd_issue_hist_nth(h, i);
        if (it->kvno >= 0 && it->kvno != kvno)
            return it;
    }
    return NULL;
}

void
kd_rules_issue_evidence(kd_engine *eng, kd_finding *f, const char *spn, const kd_addr *client)
{
    if (spn)
        issue_evidence(f, issued_to(eng, spn, client), spn);
}

static kd_finding *decrypt_failure(kd_engine *eng, const kd_obs *obs, const kd_req *ap, const char *spn,
                                   const char *client);

/* A failed SMB2 SESSION_SETUP after a Kerberos AP-REQ: Samba and Windows answer a
 * ticket they cannot use with STATUS_LOGON_FAILURE and no KRB-ERROR at all. */
void
kd_rules_smb2(kd_engine *eng, const kd_obs *obs)
{
    const kd_smb2 *s = &obs->u.smb2;
    if (!s->is_response || s->cmd != 1 || s->nt_status == 0 || s->nt_status == 0xC0000016u /* more processing */)
        return;
    kd_req *ap = kd_find_ap_request(eng, obs);
    if (!ap || !ap->ticket.present || ap->carrier != KD_CARRIER_SMB2)
        return;
    kd_obs as_krb = *obs;
    memset(&as_krb.u, 0, sizeof(as_krb.u));
    as_krb.kind = KD_OBS_KRB;
    as_krb.u.krb.msg_type = KD_MSG_ERROR;
    as_krb.u.krb.error_code = -1;
    kd_finding *f = kd_rules_silent_refusal(eng, obs, ap);
    if (f) {
        f->has_status = TRUE;
        f->status = s->nt_status;
        kd_finding_detail(f, "SMB2 SESSION_SETUP status: 0x%08X (no KRB-ERROR on the wire)", s->nt_status);
    }
}

/* A service refused the ticket of the AP-REQ `ap` without sending a KRB-ERROR
 * (SMB2 logon failure, DCE/RPC bind_nak): the same analysis as a decrypt error. */
kd_finding *
kd_rules_silent_refusal(kd_engine *eng, const kd_obs *obs, const kd_req *ap)
{
    kd_obs as_krb = *obs;
    memset(&as_krb.u, 0, sizeof(as_krb.u));
    as_krb.kind = KD_OBS_KRB;
    as_krb.u.krb.msg_type = KD_MSG_ERROR;
    as_krb.u.krb.error_code = -1;
    const char *spn = ap->ticket.sname;
    return decrypt_failure(eng, &as_krb, ap, spn, spn ? kd_issued_client(eng, spn, &obs->dst) : NULL);
}

void
kd_rules_note_duplicate(kd_engine *eng, const char *spn, guint32 frame)
{
    if (kd_str_empty(spn))
        return;
    char *l = kd_lower(spn);
    char *key = g_strdup_printf("dup|%s", l);
    kd_counter_bump(eng, key, frame);
    g_free(key);
    g_free(l);
}

void
kd_rules_owner_evidence(kd_engine *eng, kd_finding *f, const char *spn)
{
    if (!f || kd_str_empty(spn))
        return;
    char *l = kd_lower(spn);
    kd_spn_owners *o = kd_lru_get(eng->spn_owners, l);
    g_free(l);
    if (!o)
        return;
    for (guint i = 0; i < o->n; i++)
        kd_finding_evidence(f, o->frames[i], "LDAP: %s holds servicePrincipalName %s", o->owners[i], spn);
    if (o->n >= 2)
        kd_finding_detail(f, "accounts holding %s: %s%s%s%s%s", spn, o->owners[0], o->n > 1 ? ", " : "",
                          o->n > 1 ? o->owners[1] : "", o->n > 2 ? ", " : "", o->n > 2 ? o->owners[2] : "");
}

/* Remember the latest failure about spn, so LDAP results arriving later (an admin's
 * search after the failure) can amend it to duplicate_spn. */
void
kd_rules_await_owners(kd_engine *eng, const char *spn, guint32 frame)
{
    char *l = kd_lower(spn);
    char *key = g_strdup_printf("owners|%s", l);
    kd_wait *w = g_new0(kd_wait, 1);
    w->frame = frame;
    w->index = kd_frame_finding_count(eng, frame) - 1;
    kd_lru_put(eng->waits, key, w);
    g_free(key);
    g_free(l);
}

/* Called when LDAP shows a second account holding spn. */
void
kd_rules_owners_changed(kd_engine *eng, const char *spn)
{
    char *l = kd_lower(spn);
    char *key = g_strdup_printf("owners|%s", l);
    g_free(l);
    kd_wait *w = kd_lru_get(eng->waits, key);
    kd_finding *f = w ? kd_finding_lookup(eng, w->frame, w->index) : NULL;
    if (f && f->cause != KD_CAUSE_DUPLICATE_SPN) {
        kd_cause was = f->cause;
        f->cause = KD_CAUSE_DUPLICATE_SPN;
        f->confidence = KD_CONF_CONFIRMED;
        /* The earlier top cause stays as the first alternative. */
        memmove(&f->alternatives[1], &f->alternatives[0], sizeof(kd_cause) * MIN(f->n_alternatives, KD_MAX_ALTERNATIVES - 1));
        f->alternatives[0] = was;
        f->n_alternatives = MIN(f->n_alternatives + 1, KD_MAX_ALTERNATIVES);
        for (guint i = 1; i < f->n_alternatives; i++) {
            if (f->alternatives[i] == KD_CAUSE_DUPLICATE_SPN)
                f->alternatives[i] = was;
        }
        kd_finding_summary(f, "%s is registered on more than one account (LDAP results in this capture)", spn);
        kd_rules_owner_evidence(eng, f, spn);
    }
    g_free(key);
}

guint
kd_owner_count(kd_engine *eng, const char *spn)
{
    char *l = kd_lower(spn);
    kd_spn_owners *o = kd_lru_get(eng->spn_owners, l);
    g_free(l);
    return o ? o->n : 0;
}

static guint
owner_count(kd_engine *eng, const char *spn)
{
    char *l = kd_lower(spn);
    kd_spn_owners *o = kd_lru_get(eng->spn_owners, l);
    g_free(l);
    return o ? o->n : 0;
}

/* Decide among the KRB_AP_ERR_MODIFIED family of causes, most specific evidence first. */
static kd_finding *
decrypt_failure(kd_engine *eng, const kd_obs *obs, const kd_req *ap, const char *spn, const char *client)
{
    const kd_krb *k = &obs->u.krb;
    const gint32 code = k->error_code;
    char *host = kd_spn_host(spn);
    kd_cause found[8];
    guint n_found = 0;
    kd_finding *f = NULL;

    /* Evidence gathered once, used both for the winner and for the alternatives. */
    const kd_binding_rec *shared = kd_rules_shared_binding(eng, obs);
    const kd_dns_rec *cname = NULL;
    char *alias = NULL;
    if (host && ap && !kd_str_empty(ap->http_host)) {
        char *h = g_strdup(ap->http_host);
        char *colon = strchr(h, ':');
        if (colon)
            *colon = '\0';
        if (g_ascii_strcasecmp(h, host) != 0 && (cname = cname_chain_to(eng, h, host)) != NULL)
            alias = g_strdup(h);
        g_free(h);
    }
    if (!cname && host) {
        char *a = NULL;
        cname = kd_alias_for(eng, host, &a);
        if (cname)
            alias = g_strdup(a);
    }
    const guint owners = owner_count(eng, spn);
    char *dkey = NULL;
    if (spn) {
        char *l = kd_lower(spn);
        dkey = g_strdup_printf("dup|%s", l);
        g_free(l);
    }
    const kd_counter *dup = dkey ? kd_counter_get(eng, dkey) : NULL;
    g_free(dkey);
    const kd_accept *accepted = NULL;
    if (spn) {
        char a[48];
        char *l = kd_lower(spn);
        char *key = g_strdup_printf("%s|%s", l, kd_addr_to_str(&obs->src, a, sizeof a));
        accepted = kd_lru_get(eng->accepts, key);
        g_free(key);
        g_free(l);
    }
    const gint64 kvno = ap && ap->ticket.present ? ap->ticket.kvno : -1;
    const gboolean stale_accept = accepted && kvno >= 0 && accepted->kvno >= 0 && accepted->kvno != kvno;
    const kd_issue *older = spn ? other_kvno_issue(eng, spn, kvno) : NULL;
    /* The acceptor names another principal than the requested SPN (Windows names the
     * account it decrypts as), or says outright that the ticket is not for it
     * (KRB_AP_ERR_NOT_US) although the client reached the address DNS gave for the
     * SPN's host: the service runs as another principal than the SPN's. */
    char srv[48];
    const char *dns_name = kd_lru_get(eng->addr_names, kd_addr_to_str(&obs->src, srv, sizeof srv));
    const gboolean not_us = code == 35 && spn && !cname &&
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
    if (owners >= 2 || dup)
        found[n_found++] = KD_CAUSE_DUPLICATE_SPN;
    if (stale_accept || older || code == 44)
        found[n_found++] = KD_CAUSE_STALE_SERVICE_KEY;
    if (name_differs)
        found[n_found++] = KD_CAUSE_SPN_ACCOUNT_MISMATCH;
    if (other_domain)
        found[n_found++] = KD_CAUSE_SAME_NAME_OTHER_DOMAIN;

    if (n_found == 0) {
        f = kd_finding_add(eng, obs->frame, KD_CAUSE_TICKET_DECRYPT_FAILED, KD_CONF_POSSIBLE, code, spn, client);
        if (!f)
            goto out;
        kd_finding_summary(f, "The service could not decrypt the ticket for %s; the capture holds no evidence that "
                           "tells duplicate SPN, DNS alias, wrong service account or stale key apart", spn ? spn : "?");
        kd_finding_alternative(f, KD_CAUSE_DUPLICATE_SPN);
        kd_finding_alternative(f, KD_CAUSE_SPN_ACCOUNT_MISMATCH);
        kd_finding_alternative(f, KD_CAUSE_CNAME_SPN);
        kd_finding_alternative(f, KD_CAUSE_STALE_SERVICE_KEY);
        GString *m = g_string_new(NULL);
        if (!spn || !issued_to(eng, spn, &obs->dst))
            g_string_append(m, "capture the client's ticket request (klist purge first); ");
        if (kd_lru_size(eng->dns) == 0)
            g_string_append(m, "capture DNS on the client (ipconfig /flushdns first) to see aliases; ");
        g_string_append_printf(m, "run setspn -Q %s (or capture an LDAP search for it) to see which accounts hold the SPN; "
                               "compare with the account the service runs as", spn ? spn : "<spn>");
        kd_finding_set_missing(f, m->str);
        g_string_free(m, TRUE);
        ap_evidence(f, ap);
        if (spn)
            issue_evidence(f, issued_to(eng, spn, &obs->dst), spn);
        goto out;
    }

    kd_cause top = found[0];
    kd_confidence conf = KD_CONF_LIKELY;
    if ((top == KD_CAUSE_DUPLICATE_SPN && owners >= 2) || (top == KD_CAUSE_STALE_SERVICE_KEY && stale_accept) ||
        (top == KD_CAUSE_CNAME_SPN && ap && ap->http_host) || top == KD_CAUSE_SHARED_ADDRESS_LOOPBACK)
        conf = KD_CONF_CONFIRMED;
    f = kd_finding_add(eng, obs->frame, top, conf, code, spn, client);
    if (!f)
        goto out;
    for (guint i = 1; i < n_found; i++)
        kd_finding_alternative(f, found[i]);
    ap_evidence(f, ap);
    const kd_issue *issued = spn ? issued_to(eng, spn, &obs->dst) : NULL;

    switch (top) {
    case KD_CAUSE_SHARED_ADDRESS_LOOPBACK:
        kd_rules_shared_evidence(eng, f, obs, shared);
        break;
    case KD_CAUSE_CNAME_SPN:
        kd_finding_summary(f, "The user asked for %s, a DNS alias of %s; the client requested a ticket for %s, "
                           "which the service behind the alias cannot decrypt", alias ? alias : "an alias", host, spn);
        kd_finding_evidence(f, cname->frame, "DNS answer: %s is a CNAME (alias) leading to %s", alias ? alias : "?", host);
        issue_evidence(f, issued, spn);
        kd_finding_detail(f, "alias: %s", alias ? alias : "?");
        kd_finding_detail(f, "canonical name: %s", host);
        break;
    case KD_CAUSE_DUPLICATE_SPN:
        kd_finding_summary(f, "%s is registered on more than one account; the KDC encrypted the ticket for one of them "
                           "and the service runs as another", spn);
        kd_rules_owner_evidence(eng, f, spn);
        if (dup)
            kd_finding_evidence(f, dup->first_frame, "KDC_ERR_PRINCIPAL_NOT_UNIQUE for %s", spn);
        issue_evidence(f, issued, spn);
        break;
    case KD_CAUSE_STALE_SERVICE_KEY:
        if (stale_accept) {
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
        issue_evidence(f, issued, spn);
        kd_finding_detail(f, "ticket kvno: %" G_GINT64_FORMAT, kvno);
        break;
    case KD_CAUSE_SPN_ACCOUNT_MISMATCH:
        if (not_us && same_service_name(k->sname, spn)) {
            kd_finding_summary(f, "The service at %s refuses the ticket for %s as not its own (KRB_AP_ERR_NOT_US): it "
                               "runs as another principal than the SPN's", srv, spn);
        } else {
            kd_finding_summary(f, "The client asked for %s but the service decrypts as %s: the SPN and the account the "
                               "service runs as differ", spn, k->sname);
            kd_finding_detail(f, "service decrypts as: %s", k->sname);
        }
        kd_finding_detail(f, "requested SPN: %s", spn);
        issue_evidence(f, issued, spn);
        break;
    case KD_CAUSE_SAME_NAME_OTHER_DOMAIN:
        kd_finding_summary(f, "The short name %s was resolved in realm %s while the client belongs to %s: an "
                           "identically named host in the other domain holds the SPN", host, ticket_realm, client_realm);
        issue_evidence(f, issued, spn);
        break;
    default:
        break;
    }
out:
    if (f && spn && f->cause != KD_CAUSE_DUPLICATE_SPN)
        kd_rules_await_owners(eng, spn, obs->frame);
    g_free(alias);
    g_free(host);
    return f;
}

void
kd_rules_service_error(kd_engine *eng, const kd_obs *obs, kd_req *ap)
{
    const kd_krb *k = &obs->u.krb;
    const gint32 code = k->error_code;
    const char *spn = ap && ap->ticket.present && !kd_str_empty(ap->ticket.sname) ? ap->ticket.sname : k->sname;
    const char *client = !kd_str_empty(k->cname) ? k->cname : NULL;
    kd_finding *f;
    if (!client && spn)
        client = kd_issued_client(eng, spn, &obs->dst);

    if (code == 37) {
        kd_skew_finding(eng, obs, spn, client, ap, "service");
        return;
    }
    if (code == 32) {
        f = kd_finding_add(eng, obs->frame, KD_CAUSE_TICKET_EXPIRED, KD_CONF_CONFIRMED, code, spn, client);
        ap_evidence(f, ap);
        kd_finding_summary(f, "The service ticket for %s has expired", spn ? spn : "?");
        return;
    }
    if (is_decrypt_failure(code)) {
        decrypt_failure(eng, obs, ap, spn, client);
        return;
    }
    if (kd_rules_etype_error(eng, obs, ap, spn, client))
        return;
    f = kd_finding_add(eng, obs->frame, KD_CAUSE_KRB_ERROR, KD_CONF_POSSIBLE, code, spn, client);
    ap_evidence(f, ap);
}
