/* kd_rules_kdc.c
 * Rules for errors answered by a KDC: accounts, SPNs, clocks; the benign round
 * trips (pre-authentication, TCP retry) confirmed by what follows.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"

#include <string.h>

/* PA-DATA types that carry pre-authentication proof (RFC 4120, 6113, 4556). */
static gboolean
is_preauth_proof(gint32 pa)
{
    return pa == 2 /* PA-ENC-TIMESTAMP */ || pa == 16 /* PA-PK-AS-REQ */ ||
           pa == 17 /* PA-PK-AS-REQ-OLD */ || pa == 136 /* PA-FX-FAST */ ||
           pa == 138 /* PA-ENCRYPTED-CHALLENGE */;
}

#define PA_FOR_USER 129

/* NTSTATUS values Windows and Samba KDCs put in KRB-ERROR e-data (MS-KILE 3.3.5.7.1). */
#define NT_WRONG_PASSWORD        0xC000006Au
#define NT_ACCOUNT_RESTRICTION   0xC000006Eu
#define NT_INVALID_LOGON_HOURS   0xC000006Fu
#define NT_INVALID_WORKSTATION   0xC0000070u
#define NT_PASSWORD_EXPIRED      0xC0000071u
#define NT_ACCOUNT_DISABLED      0xC0000072u
#define NT_ACCOUNT_EXPIRED       0xC0000193u
#define NT_PASSWORD_MUST_CHANGE  0xC0000224u
#define NT_ACCOUNT_LOCKED_OUT    0xC0000234u
#define NT_AUTH_FIREWALL_FAILED  0xC0000413u

static void
request_evidence(kd_finding *f, const kd_req *req)
{
    if (!req)
        return;
    kd_finding_evidence(f, req->frame, "%s for %s%s%s (the request this error answers)",
                        kd_msg_name(req->msg_type), req->sname ? req->sname : "?",
                        req->cname ? " from " : "", req->cname ? req->cname : "");
}

static void
on_request(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    char *hosts = kd_addr_pair_text(&obs->src, &obs->dst);

    /* A pre-authenticated AS-REQ confirms an earlier PREAUTH_REQUIRED as benign. */
    if (k->msg_type == KD_MSG_AS_REQ && !kd_str_empty(k->cname)) {
        gboolean proof = FALSE;
        for (guint i = 0; i < k->n_padata && i < KD_MAX_PADATA; i++)
            proof = proof || is_preauth_proof(k->padata[i]);
        if (proof) {
            char *cn = kd_lower(k->cname);
            char *subject = g_strdup_printf("%s|%s", hosts, cn);
            kd_finding *f = kd_wait_take(ctx->findings, KD_WAIT_PREAUTH, subject);
            if (f) {
                kd_finding_confirm_one(f, "no pre-authenticated AS-REQ of the same principal follows", FALSE);
                kd_finding_evidence(f, obs->frame, "pre-authenticated AS-REQ follows");
            }
            g_free(subject);
            g_free(cn);
        }
    }

    /* A TCP request after RESPONSE_TOO_BIG is the expected retry. */
    if (obs->transport == KD_TRANSPORT_TCP) {
        kd_finding *f = kd_wait_take(ctx->findings, KD_WAIT_TCP_RETRY, hosts);
        if (f) {
            kd_finding_confirm_one(f, "the client does not retry over TCP", FALSE);
            kd_finding_evidence(f, obs->frame, "the client retries over TCP");
        }
    }
    g_free(hosts);
}

/* Clock skew, from a KDC or a service: which side is off, measured against the
 * capture's clock. */
static void
on_skew(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    if (k->error_code != 37) /* KRB_AP_ERR_SKEW */
        return;
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
    kd_finding_confirm_one(f, "the error carries no server time to measure the clocks against", FALSE);
    if (ABS(server_off) <= near) {
        /* The server agrees with the capture clock: the client is the one off. */
        if (k->has_ctime) {
            f->skew_seconds = kd_time_diff_s(k->ctime_us, k->stime_us);
            kd_finding_summary(f, "The client's clock is off by %+" G_GINT64_FORMAT
                               " s (the %s's clock agrees with the capture); allowed %"
                               G_GINT64_FORMAT " s", f->skew_seconds, server_role, tol);
        } else {
            f->has_skew = FALSE;
            kd_finding_summary(f, "The client's clock is off by more than %" G_GINT64_FORMAT
                               " s (the %s's clock agrees with the capture)", tol, server_role);
        }
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
    case NT_ACCOUNT_LOCKED_OUT:   *cause = KD_CAUSE_ACCOUNT_LOCKED; break;
    case NT_ACCOUNT_DISABLED:     *cause = KD_CAUSE_ACCOUNT_DISABLED; break;
    case NT_ACCOUNT_EXPIRED:      *cause = KD_CAUSE_ACCOUNT_EXPIRED; break;
    case NT_PASSWORD_EXPIRED:
    case NT_PASSWORD_MUST_CHANGE: *cause = KD_CAUSE_PASSWORD_EXPIRED; break;
    case NT_INVALID_LOGON_HOURS:
    case NT_INVALID_WORKSTATION:
    case NT_ACCOUNT_RESTRICTION:
    case NT_AUTH_FIREWALL_FAILED: *cause = KD_CAUSE_LOGON_RESTRICTED; break;
    case NT_WRONG_PASSWORD:       *cause = KD_CAUSE_WRONG_PASSWORD; break;
    default: break;
    }
}

static gboolean
is_ip_literal(const char *host)
{
    kd_addr a;
    return host && kd_addr_parse(host, &a);
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
        kd_finding_alternative(f, KD_CAUSE_SPN_MISSING);
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
        } else {
            f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_SPN_MISSING, KD_CONF_LIKELY, code, spn, client);
            kd_finding_summary(f, "No account holds the SPN %s", spn ? spn : "(none named)");
            /* Samba's (Heimdal) KDC reports a duplicate SPN as unknown too. */
            kd_finding_alternative(f, KD_CAUSE_DUPLICATE_SPN);
            if (f) {
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

/* KDC_ERR_CLIENT_REVOKED, POLICY, KEY_EXP, NAME_EXP: the account's state, from the
 * NTSTATUS in e-data or from the failures just before. */
static kd_finding *
account_state(const kd_ctx *ctx, const kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    const gint32 code = k->error_code;
    const char *spn = ev->spn, *client = ev->client;
    kd_finding *f;
    kd_cause cause = code == 12 ? KD_CAUSE_LOGON_RESTRICTED
                   : code == 23 ? KD_CAUSE_PASSWORD_EXPIRED
                   : code == 1 ? KD_CAUSE_ACCOUNT_EXPIRED : KD_CAUSE_ACCOUNT_REVOKED;
    if (k->has_nt_status)
        account_state_from_ntstatus(k->nt_status, &cause);
    if (cause == KD_CAUSE_ACCOUNT_REVOKED) {
        /* No status code: failed logons for this principal just before mean lock-out. */
        char *cn = kd_lower(client);
        char *key = g_strdup_printf("pwp|%s", cn);
        kd_counter *cp = kd_store_counter(ctx->store, key);
        g_free(key);
        g_free(cn);
        if (cp && cp->count > 0) {
            f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_ACCOUNT_LOCKED, KD_CONF_LIKELY, code, spn, client);
            kd_finding_summary(f, "%s is refused after %u failed pre-authentications in this capture: locked out",
                               client ? client : "The account", cp->count);
            kd_finding_evidence(f, cp->first_frame, "first wrong-password failure for this principal");
            for (guint i = 0; i < MIN(cp->count, KD_COUNTER_FRAMES); i++)
                kd_finding_evidence(f, cp->recent[(cp->count - 1 - i) % KD_COUNTER_FRAMES],
                                    "wrong-password failure for this principal");
            kd_finding_alternative(f, KD_CAUSE_ACCOUNT_REVOKED);
            request_evidence(f, ev->req);
            return f;
        }
    }
    f = kd_finding_add(ctx->findings, obs->frame, cause,
                       k->has_nt_status || code != 18 ? KD_CONF_CONFIRMED : KD_CONF_LIKELY, code, spn, client);
    if (k->has_nt_status || code != 18)
        kd_finding_confirm_one(f, "neither the error code nor an NTSTATUS names the account's state", FALSE);
    request_evidence(f, ev->req);
    if (cause == KD_CAUSE_ACCOUNT_REVOKED)
        kd_finding_summary(f, "The KDC refuses %s without saying whether it is disabled, locked or expired",
                           client ? client : "the client");
    else
        kd_finding_summary(f, "%s: %s", client ? client : "client", kd_catalog[f ? f->cause : cause].title);
    return f;
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

static void
on_kdc_error(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    const gint32 code = k->error_code;
    const char *spn = ev->spn, *client = ev->client;
    const kd_req *req = ev->req;
    char a[48];
    kd_addr_to_str(&obs->dst, a, sizeof a);
    kd_finding *f = NULL;

    switch (code) {
    case 25: { /* KDC_ERR_PREAUTH_REQUIRED */
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_PREAUTH_REQUIRED, KD_CONF_INFO, code, spn, client);
        request_evidence(f, req);
        kd_finding_summary(f, "The KDC asks %s to pre-authenticate (normal first round trip)",
                           client ? client : "the client");
        char *cn = kd_lower(client);
        char *hosts = kd_addr_pair_text(&obs->dst, &obs->src);
        char *subject = g_strdup_printf("%s|%s", hosts, cn);
        kd_wait_set(ctx->findings, KD_WAIT_PREAUTH, subject, obs->frame);
        g_free(subject);
        g_free(hosts);
        g_free(cn);
        break;
    }
    case 24: { /* KDC_ERR_PREAUTH_FAILED */
        char *cn = kd_lower(client);
        char *key = g_strdup_printf("pw|%s|%s", a, cn);
        kd_counter *c = kd_store_count(ctx->store, key, obs->frame);
        g_free(key);
        key = g_strdup_printf("pwp|%s", cn);
        kd_counter *cp = kd_store_count(ctx->store, key, obs->frame);
        g_free(key);
        g_free(cn);
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_WRONG_PASSWORD, KD_CONF_CONFIRMED, code, spn, client);
        kd_finding_confirm_one(f, "the error answers a request other than an AS-REQ", req && req->msg_type != KD_MSG_AS_REQ);
        request_evidence(f, req);
        if (f)
            f->count = c->count;
        kd_finding_summary(f, "Wrong password for %s: failure %u from %s in this capture (%u for this principal from all hosts)",
                           client ? client : "?", c->count, a, cp->count);
        if (c->count > 1)
            kd_finding_evidence(f, c->first_frame, "first pre-authentication failure for this principal from this host");
        break;
    }
    case 6: /* KDC_ERR_C_PRINCIPAL_UNKNOWN */
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_UNKNOWN_CLIENT, KD_CONF_CONFIRMED, code, spn, client);
        kd_finding_confirm_one(f, "the KDC announced the principal's keys (it exists)",
                               client && kd_store_account_etypes(ctx->store, client) != NULL);
        request_evidence(f, req);
        kd_finding_summary(f, "The KDC has no account %s%s%s",
                           client ? client : "(no name)", k->crealm ? "@" : "", k->crealm ? k->crealm : "");
        if (req && req->msg_type == KD_MSG_TGS_REQ && kd_has_padata(req->padata, req->n_padata, PA_FOR_USER))
            kd_finding_detail(f, "request: S4U2Self (PA-FOR-USER) for a user the KDC does not know");
        break;
    case 7: /* KDC_ERR_S_PRINCIPAL_UNKNOWN */
        f = unknown_service(ctx, ev);
        break;
    case 8: /* KDC_ERR_PRINCIPAL_NOT_UNIQUE */
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_DUPLICATE_SPN, KD_CONF_CONFIRMED, code, spn, client);
        kd_finding_confirm_one(f, "the error names no service principal", kd_str_empty(spn));
        request_evidence(f, req);
        kd_finding_summary(f, "The KDC found %s on more than one account", spn ? spn : "the SPN");
        kd_finding_owner_evidence(f, ctx->store, spn);
        break;
    case 18: /* KDC_ERR_CLIENT_REVOKED */
    case 12: /* KDC_ERR_POLICY */
    case 23: /* KDC_ERR_KEY_EXP */
    case 1:  /* KDC_ERR_NAME_EXP */
        f = account_state(ctx, ev);
        break;
    case 32: /* KRB_AP_ERR_TKT_EXPIRED */
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_TICKET_EXPIRED, KD_CONF_CONFIRMED, code, spn, client);
        kd_finding_confirm_one(f, "the request presented no ticket", req && !req->ticket.present);
        request_evidence(f, req);
        kd_finding_summary(f, "The ticket %s presented to the KDC has expired",
                           req && req->ticket.sname ? req->ticket.sname : "");
        break;
    case 52: { /* KRB_ERR_RESPONSE_TOO_BIG */
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_RESPONSE_TOO_BIG, KD_CONF_INFO, code, spn, client);
        request_evidence(f, req);
        kd_finding_summary(f, "The KDC's answer does not fit in UDP; the client should retry over TCP");
        char *hosts = kd_addr_pair_text(&obs->dst, &obs->src);
        kd_wait_set(ctx->findings, KD_WAIT_TCP_RETRY, hosts, obs->frame);
        g_free(hosts);
        break;
    }
    case 68: /* KDC_ERR_WRONG_REALM */
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_REFERRAL, KD_CONF_INFO, code, spn, client);
        request_evidence(f, req);
        kd_finding_summary(f, "The KDC refers the client to realm %s",
                           k->crealm ? k->crealm : (k->realm ? k->realm : "?"));
        break;
    default:
        return;
    }
    ev->claimed = TRUE;
    error_details(f, k);
}

/* Any other KDC error: the generic finding with the code's documented causes. */
static void
on_kdc_error_fallback(const kd_ctx *ctx, kd_event *ev)
{
    if (ev->claimed)
        return;
    const kd_krb *k = &ev->obs->u.krb;
    kd_finding *f = kd_finding_add(ctx->findings, ev->obs->frame, KD_CAUSE_KRB_ERROR, KD_CONF_POSSIBLE,
                                   k->error_code, ev->spn, ev->client);
    request_evidence(f, ev->req);
    error_details(f, k);
}

static const kd_rule rules[] = {
    { KD_EV_KDC_REQUEST,   KD_PRIO_SPECIFIC, on_request },
    { KD_EV_KDC_ERROR,     KD_PRIO_SPECIFIC, on_skew },
    { KD_EV_SERVICE_ERROR, KD_PRIO_SPECIFIC, on_skew },
    { KD_EV_KDC_ERROR,     KD_PRIO_SPECIFIC, on_kdc_error },
    { KD_EV_KDC_ERROR,     KD_PRIO_FALLBACK, on_kdc_error_fallback },
};

const kd_rule_table kd_rules_kdc = { "kdc", rules, G_N_ELEMENTS(rules) };
