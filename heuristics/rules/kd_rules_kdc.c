/* kd_rules_kdc.c
 * Rules for errors answered by a KDC: accounts, SPNs, clocks; the benign round
 * trips (pre-authentication, TCP retry) confirmed by what follows.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"

#include <string.h>

/* The catalog's row for the error's e-text, when it speaks for this error code. */
static const kd_etext_info *
etext_row(const kd_event *ev)
{
    return kd_etext_applies(ev->etext, ev->obs->u.krb.error_code) ? ev->etext : NULL;
}

static int
etext_cause(const kd_event *ev)
{
    const kd_etext_info *row = etext_row(ev);
    return row ? row->cause : KD_ETEXT_NO_HINT;
}

/* Causes that name an account's state: what an e-text can say of KDC_ERR_CLIENT_REVOKED
 * and its kin. */
static gboolean
is_account_state(int cause)
{
    return cause == KD_CAUSE_ACCOUNT_LOCKED || cause == KD_CAUSE_ACCOUNT_DISABLED ||
           cause == KD_CAUSE_ACCOUNT_EXPIRED || cause == KD_CAUSE_PASSWORD_EXPIRED ||
           cause == KD_CAUSE_LOGON_RESTRICTED;
}

static void
request_evidence(kd_finding *f, const kd_req *req)
{
    if (!req)
        return;
    kd_finding_evidence(f, req->frame, "%s for %s%s%s (the request this error answers)",
                        kd_msg_name(req->msg_type), req->sname ? req->sname : "?",
                        req->cname ? " from " : "", req->cname ? req->cname : "");
}

/* "client|kdc|cname": what a pre-authenticated AS-REQ after PREAUTH_REQUIRED matches. */
static const char *
preauth_subject(kd_key *key, const kd_addr *client, const kd_addr *kdc, const char *cname)
{
    kd_key_pair(key, client, kdc);
    kd_key_lower(key, cname);
    return kd_key_text(key);
}

static void
kdc_on_request(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    kd_key subject;

    /* A pre-authenticated AS-REQ confirms an earlier PREAUTH_REQUIRED as benign. */
    if (k->msg_type == KD_MSG_AS_REQ && !kd_str_empty(k->cname) &&
        kd_padata_preauthenticated(k->padata, MIN(k->n_padata, KD_MAX_PADATA))) {
        kd_finding *f = kd_wait_take(ctx->findings, KD_WAIT_PREAUTH,
                                     preauth_subject(&subject, &obs->src, &obs->dst, k->cname));
        kd_key_done(&subject);
        if (f) {
            kd_finding_confirm_one(f, "no pre-authenticated AS-REQ of the same principal follows", FALSE);
            kd_finding_evidence(f, obs->frame, "pre-authenticated AS-REQ follows");
        }
    }

    /* A TCP request after RESPONSE_TOO_BIG is the expected retry. */
    if (obs->transport == KD_TRANSPORT_TCP) {
        kd_finding *f = kd_wait_take(ctx->findings, KD_WAIT_TCP_RETRY, kd_key_pair(&subject, &obs->src, &obs->dst));
        kd_key_done(&subject);
        if (f) {
            kd_finding_confirm_one(f, "the client does not retry over TCP", FALSE);
            kd_finding_evidence(f, obs->frame, "the client retries over TCP");
        }
    }
}

/* Clock skew, from a KDC or a service: which side is off, measured against the
 * capture's clock. */
static void
kdc_on_skew(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    ev->claimed = TRUE;
    const char *server_role = ev->kind == KD_EV_KDC_ERROR ? "KDC" : "service";
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_CLOCK_SKEW, KD_CONF_CONFIRMED,
                                   k->error_code, ev->spn, ev->client);
    if (!f)
        return;
    request_evidence(f, ev->req);
    gint64 tol = ctx->cfg->skew_tolerance_s;
    /* Windows and MIT send whole seconds in stime; allow for that and for latency. */
    gint64 near = MAX(tol / 5, 2);
    if (!k->has_stime) {
        kd_finding_summary(f, "The %s says the clocks differ by more than the allowed skew; "
                           "the error carries no server time to measure it", server_role);
        f->confidence = KD_CONF_LIKELY;
        return;
    }
    gint64 server_off = kd_time_diff_s(k->stime_us, obs->time_us);
    if (k->has_ctime) {
        gint64 client_vs_server = kd_time_diff_s(k->ctime_us, k->stime_us);
        kd_finding_detail(f, "client time - %s time: %+" G_GINT64_FORMAT " s", server_role,
                          client_vs_server);
    }
    kd_finding_detail(f, "%s time - capture time: %+" G_GINT64_FORMAT " s", server_role, server_off);
    f->has_skew = TRUE;
    /* The error's own times contradict a skew when the client's time it echoes is
     * within the allowed difference of the server's. */
    kd_finding_confirm_one(f, "the client time the error echoes is within the allowed difference of the server's",
                           k->has_ctime && ABS(kd_time_diff_s(k->ctime_us, k->stime_us)) <= tol);
    if (ABS(server_off) <= tol) {
        /* The server's time is within the tolerance of the capture's clock, so the
         * server alone cannot be the cause: the client is the one off. */
        char *server_note = ABS(server_off) <= near
            ? g_strdup_printf("the %s's clock agrees with the capture", server_role)
            : g_strdup_printf("the %s's clock is %+" G_GINT64_FORMAT " s from the capture's, within the "
                              "allowed %" G_GINT64_FORMAT " s", server_role, server_off, tol);
        if (k->has_ctime) {
            f->skew_seconds = kd_time_diff_s(k->ctime_us, k->stime_us);
            kd_finding_summary(f, "The client's clock is off by %+" G_GINT64_FORMAT
                               " s (%s); allowed %" G_GINT64_FORMAT " s", f->skew_seconds, server_note, tol);
        } else {
            /* The client's time is in its encrypted authenticator: only a bound is known. */
            f->has_skew = FALSE;
            kd_finding_summary(f, "The client's clock is off by more than %" G_GINT64_FORMAT
                               " s against the %s's (%s)", tol, server_role, server_note);
        }
        g_free(server_note);
    } else {
        f->skew_seconds = server_off;
        gboolean client_ok = k->has_ctime &&
                             ABS(kd_time_diff_s(k->ctime_us, obs->time_us)) <= near;
        kd_finding_summary(f, "The %s's clock is off by %+" G_GINT64_FORMAT
                           " s against the capture's clock%s; allowed %" G_GINT64_FORMAT " s",
                           server_role, server_off,
                           client_ok ? " (the client's clock agrees with the capture)" : "", tol);
    }
}

static void
account_state_from_ntstatus(guint32 st, kd_cause *cause)
{
    switch (st) {
    case STATUS_ACCOUNT_LOCKED_OUT:   *cause = KD_CAUSE_ACCOUNT_LOCKED; break;
    case STATUS_ACCOUNT_DISABLED:     *cause = KD_CAUSE_ACCOUNT_DISABLED; break;
    case STATUS_ACCOUNT_EXPIRED:      *cause = KD_CAUSE_ACCOUNT_EXPIRED; break;
    case STATUS_PASSWORD_EXPIRED:
    case STATUS_PASSWORD_MUST_CHANGE: *cause = KD_CAUSE_PASSWORD_EXPIRED; break;
    case STATUS_INVALID_LOGON_HOURS:
    case STATUS_INVALID_WORKSTATION:
    case STATUS_ACCOUNT_RESTRICTION:
    case STATUS_AUTHENTICATION_FIREWALL_FAILED: *cause = KD_CAUSE_LOGON_RESTRICTED; break;
    case STATUS_WRONG_PASSWORD:       *cause = KD_CAUSE_WRONG_PASSWORD; break;
    default: break;
    }
}

static gboolean
is_ip_literal(const char *host)
{
    kd_addr a;
    return host && kd_addr_parse(host, &a);
}

/* Reverse DNS chose the missing name: the client resolved the name it was given to an
 * address whose PTR answer names the SPN's host (MIT's rdns = true), and asked for that
 * host's SPN. A PTR naming the host the user gave explains nothing. NULL when the
 * capture does not show it. */
static kd_finding *
rdns_unknown(const kd_ctx *ctx, const kd_event *ev, const char *host)
{
    const kd_dns_rec *ptr = host ? kd_store_ptr_naming(ctx->store, host) : NULL;
    if (!ptr)
        return NULL;
    guint32 given_frame = 0;
    const char *given = kd_store_name_of_at(ctx->store, &ptr->addr, &given_frame);
    if (!given || g_ascii_strcasecmp(given, host) == 0)
        return NULL;
    char a[48];
    kd_addr_to_str(&ptr->addr, a, sizeof a);
    kd_finding *f = kd_finding_add(ctx->findings, ev->obs->frame, KD_CAUSE_RDNS_SPN, KD_CONF_LIKELY,
                                   ev->obs->u.krb.error_code, ev->spn, ev->client);
    if (!f)
        return NULL;
    kd_finding_summary(f, "The client resolved %s to %s; the reverse DNS (PTR) answer for %s names %s, and the "
                       "client asked for %s, which no account holds", given, a, a, host, ev->spn);
    kd_finding_evidence(f, ptr->frame, "DNS answer: PTR %s -> %s", a, host);
    kd_finding_evidence(f, given_frame, "DNS answer: %s has address %s", given, a);
    kd_finding_detail(f, "name given: %s", given);
    kd_finding_detail(f, "reverse DNS (PTR) name: %s", host);
    kd_finding_detail(f, "address: %s", a);
    /* The name the user gave may lack its SPN too: the capture shows no request for it. */
    kd_finding_alternative(f, KD_CAUSE_SPN_MISSING);
    return f;
}

/* KDC_ERR_S_PRINCIPAL_UNKNOWN: which name did the client ask for, and why does no
 * account hold it? */
static kd_finding *
unknown_service(const kd_ctx *ctx, const kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const gint32 code = obs->u.krb.error_code;
    const char *spn = ev->spn, *client = ev->client;
    kd_finding *f;
    char *host = kd_spn_host(spn);
    const kd_spn_owners *owners = spn ? kd_store_spn_owners(ctx->store, spn) : NULL;
    if (owners && owners->n >= 2) {
        /* Samba's KDC answers a duplicate SPN with S_PRINCIPAL_UNKNOWN. */
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_DUPLICATE_SPN, KD_CONF_CONFIRMED, code, spn, client);
        kd_finding_confirm_one(f, "the KDC issues tickets for the SPN", kd_store_issues(ctx->store, spn) != NULL);
        kd_finding_summary(f, "The KDC does not find %s although LDAP shows it on more than one account: "
                           "a duplicate SPN the KDC refuses to choose from", spn);
        kd_finding_owner_evidence(f, ctx->store, spn);
        kd_finding_rule_out(f, KD_CAUSE_SPN_MISSING, "LDAP shows %s on %u accounts", spn, owners->n);
    } else if (is_ip_literal(host)) {
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_SPN_IP_ADDRESS, KD_CONF_CONFIRMED, code, spn, client);
        kd_finding_confirm_one(f, "the KDC issues tickets for the SPN", kd_store_issues(ctx->store, spn) != NULL);
        kd_finding_summary(f, "No account holds %s: the service was addressed by IP address %s", spn, host);
    } else {
        char *alias = NULL;
        const kd_dns_rec *d = host ? kd_store_alias_of(ctx->store, host, &alias) : NULL;
        if (d && alias) {
            /* The client canonicalised a DNS alias and asked for the canonical
             * host's SPN: the alias is what the user named. */
            f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_CNAME_SPN, KD_CONF_LIKELY, code, spn, client);
            kd_finding_summary(f, "The user named %s, a DNS alias of %s; the client asked for %s, which no "
                               "account holds", alias, host, spn);
            kd_finding_detail(f, "alias: %s", alias);
            kd_finding_detail(f, "canonical name: %s", host);
            kd_finding_evidence(f, d->frame, "DNS answer: %s is a CNAME for %s", alias, host);
            kd_finding_alternative(f, KD_CAUSE_SPN_MISSING);
        } else if ((f = rdns_unknown(ctx, ev, host)) != NULL) {
            /* named above */
        } else {
            f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_SPN_MISSING, KD_CONF_LIKELY, code, spn, client);
            kd_finding_summary(f, "No account holds the SPN %s", spn ? spn : "(none named)");
            guint32 kind_frame = 0;
            if (kd_store_kdc_names_unique(ctx->store, &obs->src, &kind_frame)) {
                /* A KDC over a principal database of its own (MIT) keys it by name:
                 * one name cannot be on two accounts, so no duplicate to suspect. */
                kd_kdc_kind kind = kd_store_kdc_kind(ctx->store, &obs->src, NULL);
                kd_finding_detail(f, "KDC: %s (a principal name is unique in its database)",
                                  kind == KD_KDC_MIT ? kd_kdc_kind_name(kind) : "its own principal database");
                if (kind_frame != obs->frame)
                    kd_finding_evidence(f, kind_frame, "this KDC's answer shows %s",
                                        kind == KD_KDC_MIT ? "MIT krb5 (its e-text labels)"
                                                           : "a realm no AD domain has (lower-case letters)");
            } else if (f) {
                /* Samba's (Heimdal) KDC reports a duplicate SPN as unknown too. */
                kd_finding_alternative(f, KD_CAUSE_DUPLICATE_SPN);
                char *m = g_strdup_printf("run setspn -Q %s (or capture an LDAP search for it): no account "
                                          "means missing, two or more mean duplicate", spn ? spn : "<spn>");
                kd_finding_set_missing(f, m);
                g_free(m);
            }
        }
    }
    request_evidence(f, ev->req);
    /* LDAP results arriving later (an admin's search after the failure) can still
     * show the SPN on two accounts. */
    if (f && spn && f->cause != KD_CAUSE_DUPLICATE_SPN)
        kd_wait_set(ctx->findings, KD_WAIT_OWNERS, spn, obs->frame);
    g_free(host);
    return f;
}

/* Counters of failed pre-authentications: "pw|kdc|principal" per KDC (kdc given),
 * "pwp|principal" anywhere (kdc NULL); the principal in lower case. */
static const char *
pw_key(kd_key *key, const kd_addr *kdc, const char *client)
{
    kd_key_init(key);
    kd_key_str(key, kdc ? "pw" : "pwp");
    if (kdc)
        kd_key_addr(key, kdc);
    kd_key_lower(key, client);
    return kd_key_text(key);
}

/* KDC_ERR_CLIENT_REVOKED, POLICY, KEY_EXP, NAME_EXP: the account's state, from the
 * NTSTATUS in e-data, the KDC's e-text, or the failures just before. */
static kd_finding *
account_state(const kd_ctx *ctx, const kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    const gint32 code = k->error_code;
    const char *spn = ev->spn, *client = ev->client;
    kd_finding *f;
    kd_cause cause = code == KDC_ERR_POLICY ? KD_CAUSE_LOGON_RESTRICTED
                   : code == KDC_ERR_KEY_EXPIRED ? KD_CAUSE_PASSWORD_EXPIRED
                   : code == KDC_ERR_NAME_EXP ? KD_CAUSE_ACCOUNT_EXPIRED : KD_CAUSE_ACCOUNT_REVOKED;
    const kd_cause by_code = cause;
    if (k->has_nt_status)
        account_state_from_ntstatus(k->nt_status, &cause);
    const gboolean by_status = cause != by_code;
    /* MIT names the state in e-text (LOCKED_OUT, CLIENT LOCKED OUT ...). Where an
     * NTSTATUS says otherwise the two contradict each other: the status, the more
     * specific, leads, and neither is confirmed. */
    int said = etext_cause(ev);
    gboolean by_text = FALSE, conflict = FALSE;
    if (is_account_state(said) && (kd_cause)said != cause) {
        if (by_status)
            conflict = TRUE;
        else {
            cause = (kd_cause)said;
            by_text = TRUE;
        }
    } else if (is_account_state(said)) {
        by_text = TRUE;
    }
    /* Failed pre-authentications for this principal just before (wrong_password). */
    kd_key key;
    const kd_counter *cp = kd_store_counter(ctx->store, pw_key(&key, NULL, client));
    kd_key_done(&key);
    const gboolean failures = cp && cp->count > 0 &&
                              (cause == KD_CAUSE_ACCOUNT_REVOKED || cause == KD_CAUSE_ACCOUNT_LOCKED);
    if (cause == KD_CAUSE_ACCOUNT_REVOKED && failures)
        cause = KD_CAUSE_ACCOUNT_LOCKED;
    kd_confidence conf = conflict ? KD_CONF_LIKELY
                       : by_status || by_text || code != KDC_ERR_CLIENT_REVOKED ? KD_CONF_CONFIRMED : KD_CONF_LIKELY;
    f = kd_finding_add(ctx->findings, obs->frame, cause, conf, code, spn, client);
    if (!f)
        return NULL;
    if (conf == KD_CONF_CONFIRMED) {
        kd_claim c;
        kd_claim_init(&c);
        kd_claim_check(&c, "neither the error code, an NTSTATUS nor the KDC's e-text names the account's state",
                       !(by_status || by_text || code != KDC_ERR_CLIENT_REVOKED));
        kd_claim_check(&c, "the NTSTATUS and the KDC's e-text name different states", conflict);
        kd_finding_confirm(f, &c);
    }
    if (conflict)
        kd_finding_alternative(f, (kd_cause)said);
    if (failures) {
        kd_finding_summary(f, "%s is refused after %u failed pre-authentications in this capture: locked out",
                           client ? client : "The account", cp->count);
        kd_finding_evidence(f, cp->first_frame, "first wrong-password failure for this principal");
        for (guint i = 0; i < MIN(cp->count, KD_COUNTER_FRAMES); i++)
            kd_finding_evidence(f, cp->recent[(cp->count - 1 - i) % KD_COUNTER_FRAMES],
                                "wrong-password failure for this principal");
        /* Only the count says lock-out: the KDC may have refused for another reason. */
        if (!by_status && !by_text)
            kd_finding_alternative(f, KD_CAUSE_ACCOUNT_REVOKED);
    } else if (cause == KD_CAUSE_ACCOUNT_REVOKED) {
        kd_finding_summary(f, "The KDC refuses %s without saying whether it is disabled, locked or expired",
                           client ? client : "the client");
    } else {
        kd_finding_summary(f, "%s: %s", client ? client : "client", kd_catalog[f->cause].title);
    }
    request_evidence(f, ev->req);
    return f;
}

/* A failed pre-authentication (KDC_ERR_PREAUTH_FAILED, or an old MIT KDC's
 * KRB_AP_ERR_BAD_INTEGRITY): counted per host and per principal, the count a
 * lock-out that follows is judged by (account_state). */
static kd_finding *
wrong_password(const kd_ctx *ctx, const kd_event *ev, kd_confidence conf)
{
    const kd_obs *obs = ev->obs;
    const char *client = ev->client;
    kd_key key;
    kd_counter *c = kd_store_count(ctx->store, pw_key(&key, &obs->dst, client), obs->frame);
    kd_key_done(&key);
    kd_counter *cp = kd_store_count(ctx->store, pw_key(&key, NULL, client), obs->frame);
    kd_key_done(&key);
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_WRONG_PASSWORD, conf,
                                   obs->u.krb.error_code, ev->spn, client);
    request_evidence(f, ev->req);
    if (conf == KD_CONF_CONFIRMED)
        kd_finding_confirm_one(f, "the error answers a request other than an AS-REQ",
                               ev->req && ev->req->msg_type != KD_MSG_AS_REQ);
    if (f)
        f->count = c->count;
    char a[48];
    kd_finding_summary(f, "Wrong password for %s: failure %u from %s in this capture (%u for this principal from all hosts)",
                       client ? client : "?", c->count, kd_addr_to_str(&obs->dst, a, sizeof a), cp->count);
    if (c->count > 1)
        kd_finding_evidence(f, c->first_frame, "first pre-authentication failure for this principal from this host");
    return f;
}

/* KRB_AP_ERR_BAD_INTEGRITY answering an AS-REQ. In an AS exchange the only thing a
 * KDC checks for integrity is the client's password proof: older MIT KDCs answer a
 * PA-ENC-TIMESTAMP (or encrypted challenge) they cannot decrypt with this code and
 * e-text PREAUTH_FAILED instead of KDC_ERR_PREAUTH_FAILED. FALSE when the capture
 * says otherwise: a TGS-REQ (a ticket's integrity), an e-text naming another step,
 * or no password proof in the request. */
static gboolean
is_as_preauth_integrity(const kd_event *ev, kd_confidence *conf)
{
    const kd_krb *k = &ev->obs->u.krb;
    const kd_req *req = ev->req;
    if (req && req->msg_type != KD_MSG_AS_REQ)
        return FALSE;
    const kd_etext_info *row = etext_row(ev);
    if (row && row->cause == KD_CAUSE_WRONG_PASSWORD) {
        *conf = req ? KD_CONF_CONFIRMED : KD_CONF_LIKELY;
        return TRUE;
    }
    if (!kd_str_empty(k->e_text) || !req)
        return FALSE;
    if (!kd_has_padata(req->padata, req->n_padata, PA_ENC_TIMESTAMP) &&
        !kd_has_padata(req->padata, req->n_padata, PA_ENCRYPTED_CHALLENGE))
        return FALSE;
    *conf = KD_CONF_LIKELY;
    return TRUE;
}

/* What the KDC said besides the code, on every finding this family makes for it. */
static void
error_details(kd_finding *f, const kd_krb *k)
{
    if (f && k->has_nt_status)
        kd_finding_detail(f, "NTSTATUS in e-data: 0x%08X", k->nt_status);
    if (f && !kd_str_empty(k->e_text))
        kd_finding_detail(f, "KDC text: %s", k->e_text);
}

/* KDC_ERR_PREAUTH_REQUIRED: the normal first round trip; a pre-authenticated
 * AS-REQ of the same principal that follows confirms it (kdc_on_request). */
static kd_finding *
preauth_required(const kd_ctx *ctx, const kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const char *client = ev->client;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_PREAUTH_REQUIRED, KD_CONF_INFO,
                                   obs->u.krb.error_code, ev->spn, client);
    request_evidence(f, ev->req);
    kd_finding_summary(f, "The KDC asks %s to pre-authenticate (normal first round trip)",
                       client ? client : "the client");
    kd_key subject;
    kd_wait_set(ctx->findings, KD_WAIT_PREAUTH, preauth_subject(&subject, &obs->dst, &obs->src, client), obs->frame);
    kd_key_done(&subject);
    return f;
}

/* KRB_AP_ERR_BAD_INTEGRITY: a wrong password when it answers an AS-REQ's proof;
 * FALSE (left to other rules) otherwise. */
static gboolean
bad_integrity(const kd_ctx *ctx, const kd_event *ev, kd_finding **f)
{
    kd_confidence conf = KD_CONF_LIKELY;
    if (!is_as_preauth_integrity(ev, &conf))
        return FALSE;
    *f = wrong_password(ctx, ev, conf);
    kd_finding_detail(*f, "KRB_AP_ERR_BAD_INTEGRITY to an AS-REQ: how older MIT KDCs answer a "
                          "pre-authentication they cannot decrypt");
    return TRUE;
}

/* KDC_ERR_C_PRINCIPAL_UNKNOWN: no such client account. */
static kd_finding *
unknown_client(const kd_ctx *ctx, const kd_event *ev)
{
    const kd_krb *k = &ev->obs->u.krb;
    const char *client = ev->client;
    const kd_req *req = ev->req;
    kd_finding *f = kd_finding_add(ctx->findings, ev->obs->frame, KD_CAUSE_UNKNOWN_CLIENT, KD_CONF_CONFIRMED,
                                   k->error_code, ev->spn, client);
    kd_finding_confirm_one(f, "the KDC announced the principal's keys (it exists)",
                           client && kd_store_account_etypes(ctx->store, client) != NULL);
    request_evidence(f, req);
    /* An enterprise name (NT-ENTERPRISE, "user@upn.suffix") carries its own '@': the
     * realm is not part of it. */
    gboolean with_realm = client && !kd_str_empty(k->crealm) && !strchr(client, '@');
    kd_finding_summary(f, "The KDC has no account %s%s%s", client ? client : "(no name)",
                       with_realm ? "@" : "", with_realm ? k->crealm : "");
    if (req && req->msg_type == KD_MSG_TGS_REQ && kd_has_padata(req->padata, req->n_padata, PA_FOR_USER))
        kd_finding_detail(f, "request: S4U2Self (PA-FOR-USER) for a user the KDC does not know");
    return f;
}

/* KDC_ERR_PRINCIPAL_NOT_UNIQUE: the SPN is on more than one account. */
static kd_finding *
principal_not_unique(const kd_ctx *ctx, const kd_event *ev)
{
    const char *spn = ev->spn;
    kd_finding *f = kd_finding_add(ctx->findings, ev->obs->frame, KD_CAUSE_DUPLICATE_SPN, KD_CONF_CONFIRMED,
                                   ev->obs->u.krb.error_code, spn, ev->client);
    kd_finding_confirm_one(f, "the error names no service principal", kd_str_empty(spn));
    request_evidence(f, ev->req);
    kd_finding_summary(f, "The KDC found %s on more than one account", spn ? spn : "the SPN");
    kd_finding_owner_evidence(f, ctx->store, spn);
    return f;
}

/* KRB_AP_ERR_TKT_EXPIRED from the KDC: the TGT (or evidence ticket) presented expired. */
static kd_finding *
kdc_ticket_expired(const kd_ctx *ctx, const kd_event *ev)
{
    const kd_req *req = ev->req;
    kd_finding *f = kd_finding_add(ctx->findings, ev->obs->frame, KD_CAUSE_TICKET_EXPIRED, KD_CONF_CONFIRMED,
                                   ev->obs->u.krb.error_code, ev->spn, ev->client);
    kd_finding_confirm_one(f, "the request presented no ticket", req && !req->ticket.present);
    request_evidence(f, req);
    kd_finding_summary(f, "The ticket %s presented to the KDC has expired",
                       req && req->ticket.sname ? req->ticket.sname : "");
    return f;
}

/* KRB_ERR_RESPONSE_TOO_BIG: a note; a TCP retry that follows confirms it (kdc_on_request). */
static kd_finding *
response_too_big(const kd_ctx *ctx, const kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_RESPONSE_TOO_BIG, KD_CONF_INFO,
                                   obs->u.krb.error_code, ev->spn, ev->client);
    request_evidence(f, ev->req);
    kd_finding_summary(f, "The KDC's answer does not fit in UDP; the client should retry over TCP");
    char *hosts = kd_addr_pair_text(&obs->dst, &obs->src);
    kd_wait_set(ctx->findings, KD_WAIT_TCP_RETRY, hosts, obs->frame);
    g_free(hosts);
    return f;
}

/* KDC_ERR_WRONG_REALM: a referral, a note. */
static kd_finding *
referral(const kd_ctx *ctx, const kd_event *ev)
{
    const kd_krb *k = &ev->obs->u.krb;
    kd_finding *f = kd_finding_add(ctx->findings, ev->obs->frame, KD_CAUSE_REFERRAL, KD_CONF_INFO, k->error_code,
                                   ev->spn, ev->client);
    request_evidence(f, ev->req);
    kd_finding_summary(f, "The KDC refers the client to realm %s",
                       k->crealm ? k->crealm : (k->realm ? k->realm : "?"));
    return f;
}

/* A code that says little (KRB_ERR_GENERIC) with an e-text naming the account's
 * state (MIT's CLIENT EXPIRED, CLIENT KEY EXPIRED); FALSE when the e-text names none. */
static gboolean
account_state_by_text(const kd_ctx *ctx, const kd_event *ev, kd_finding **out)
{
    const kd_krb *k = &ev->obs->u.krb;
    const char *client = ev->client;
    int said = etext_cause(ev);
    if (!is_account_state(said))
        return FALSE;
    kd_finding *f = kd_finding_add(ctx->findings, ev->obs->frame, (kd_cause)said, KD_CONF_CONFIRMED, k->error_code,
                                   ev->spn, client);
    kd_cause by_status = (kd_cause)said;
    if (k->has_nt_status)
        account_state_from_ntstatus(k->nt_status, &by_status);
    kd_finding_confirm_one(f, "an NTSTATUS in e-data names another account state", by_status != (kd_cause)said);
    request_evidence(f, ev->req);
    kd_finding_summary(f, "%s: %s", client ? client : "client", kd_catalog[said].title);
    *out = f;
    return TRUE;
}

/* A KDC error by its code: each code's reading is one function above. */
static void
kdc_on_error(const kd_ctx *ctx, kd_event *ev)
{
    const kd_krb *k = &ev->obs->u.krb;
    kd_finding *f = NULL;
    switch (k->error_code) {
    case KDC_ERR_PREAUTH_REQUIRED:
        f = preauth_required(ctx, ev);
        break;
    case KDC_ERR_PREAUTH_FAILED:
        f = wrong_password(ctx, ev, KD_CONF_CONFIRMED);
        break;
    case KRB_AP_ERR_BAD_INTEGRITY:
        if (!bad_integrity(ctx, ev, &f))
            return;
        break;
    case KDC_ERR_C_PRINCIPAL_UNKNOWN:
        f = unknown_client(ctx, ev);
        break;
    case KDC_ERR_S_PRINCIPAL_UNKNOWN:
        f = unknown_service(ctx, ev);
        break;
    case KDC_ERR_PRINCIPAL_NOT_UNIQUE:
        f = principal_not_unique(ctx, ev);
        break;
    case KDC_ERR_CLIENT_REVOKED:
    case KDC_ERR_POLICY:
    case KDC_ERR_KEY_EXPIRED:
    case KDC_ERR_NAME_EXP:
        f = account_state(ctx, ev);
        break;
    case KRB_AP_ERR_TKT_EXPIRED:
        f = kdc_ticket_expired(ctx, ev);
        break;
    case KRB_ERR_RESPONSE_TOO_BIG:
        f = response_too_big(ctx, ev);
        break;
    case KDC_ERR_WRONG_REALM:
        f = referral(ctx, ev);
        break;
    default:
        if (!account_state_by_text(ctx, ev, &f))
            return;
        break;
    }
    ev->claimed = TRUE;
    error_details(f, k);
}

/* Any other KDC error: the generic finding with the code's documented causes. */
static void
kdc_on_error_fallback(const kd_ctx *ctx, kd_event *ev)
{
    const kd_krb *k = &ev->obs->u.krb;
    kd_finding *f = kd_finding_add(ctx->findings, ev->obs->frame, KD_CAUSE_KRB_ERROR, KD_CONF_POSSIBLE,
                                   k->error_code, ev->spn, ev->client);
    request_evidence(f, ev->req);
    error_details(f, k);
}

/* The KDC's own words on every finding its error got: quoted in the summary, and
 * confirming the cause they name when no other candidate is left. Progress labels
 * (LOOKING_UP_SERVER, HANDLE_AUTHDATA) name no cause: quoted, never a cause. */
static void
kdc_on_error_etext(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    const kd_etext_info *row = etext_row(ev);
    if (!row)
        return;
    guint n = kd_findings_count(ctx->findings, obs->frame);
    for (guint i = 0; i < n; i++) {
        kd_finding *f = kd_finding_lookup(ctx->findings, obs->frame, i);
        /* Benign round trips (NEEDED_PREAUTH) and other notes: their words add nothing. */
        if (!f || f->error_code != k->error_code || kd_catalog[f->cause].severity == KD_SEV_NOTE ||
            f->confidence == KD_CONF_INFO)
            continue;
        /* The rule's reading of the code and the KDC's own text agree: confirmed
         * unless the rule left other causes open. */
        if (row->cause == (int)f->cause &&
            (f->confidence == KD_CONF_LIKELY || f->confidence == KD_CONF_POSSIBLE))
            kd_finding_confirm_one(f, "the rule left other causes open (alternatives)", f->n_alternatives != 0);
        /* The row's own spelling: known text, whatever bytes the capture carried. */
        if (kd_str_empty(f->summary)) {
            kd_finding_summary(f, "The KDC says: %s: %s", row->etext, row->meaning);
        } else {
            char *was = g_strdup(f->summary);
            kd_finding_summary(f, "%s; the KDC says: %s: %s", was, row->etext, row->meaning);
            g_free(was);
        }
    }
}

static const kd_rule rules[] = {
    KD_RULE(KD_EV_KDC_REQUEST, KD_PRIO_SPECIFIC, kdc_on_request, KD_RUN_ALWAYS),
    KD_RULE_CODES(KD_EV_KDC_ERROR, KD_PRIO_SPECIFIC, kdc_on_skew, KD_RUN_ALWAYS, KRB_AP_ERR_SKEW),
    KD_RULE_CODES(KD_EV_SERVICE_ERROR, KD_PRIO_SPECIFIC, kdc_on_skew, KD_RUN_ALWAYS, KRB_AP_ERR_SKEW),
    /* Unclaimed: a family running first may have explained it (a refused
     * user-to-user request). */
    KD_RULE(KD_EV_KDC_ERROR, KD_PRIO_SPECIFIC, kdc_on_error, KD_RUN_UNCLAIMED),
    KD_RULE(KD_EV_KDC_ERROR, KD_PRIO_FALLBACK, kdc_on_error_fallback, KD_RUN_UNCLAIMED),
    KD_RULE(KD_EV_KDC_ERROR, KD_PRIO_AMEND, kdc_on_error_etext, KD_RUN_ALWAYS),
};

const kd_rule_table kd_rules_kdc = { "kdc", rules, G_N_ELEMENTS(rules) };
