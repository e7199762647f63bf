/* kd_rules_ldap.c
 * LDAP binds a directory refused: the reason Active Directory (and Samba) write into
 * the diagnostic message (AcceptSecurityContext data codes), and the Kerberos failure
 * on the same connection just before, which a refused SASL bind inherits.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"
#include "kd_ldapbind.h"

#include <string.h>

/* Longest part of a diagnostic message quoted in a finding. */
#define KD_LDAP_QUOTE_MAX 160

/* A bind answer that is no refusal: success, a SASL step, a referral elsewhere. */
static gboolean
bind_refused(gint32 result)
{
    return result > 0 && result != KD_LDAP_SASL_BIND_IN_PROGRESS && result != KD_LDAP_REFERRAL;
}

/* The cause a data code names, or KD_CAUSE_COUNT. */
static kd_cause
data_cause(const kd_ldap_data_info *info)
{
    if (!info)
        return KD_CAUSE_COUNT;
    switch (info->kind) {
    case KD_LDAP_DATA_USER_NOT_FOUND: return KD_CAUSE_UNKNOWN_CLIENT;
    case KD_LDAP_DATA_BAD_PASSWORD: return KD_CAUSE_WRONG_PASSWORD;
    case KD_LDAP_DATA_LOGON_HOURS: case KD_LDAP_DATA_WORKSTATION: case KD_LDAP_DATA_LOGON_TYPE:
        return KD_CAUSE_LOGON_RESTRICTED;
    case KD_LDAP_DATA_PASSWORD_EXPIRED: case KD_LDAP_DATA_MUST_CHANGE: return KD_CAUSE_PASSWORD_EXPIRED;
    case KD_LDAP_DATA_DISABLED: return KD_CAUSE_ACCOUNT_DISABLED;
    case KD_LDAP_DATA_ACCOUNT_EXPIRED: return KD_CAUSE_ACCOUNT_EXPIRED;
    case KD_LDAP_DATA_LOCKED: return KD_CAUSE_ACCOUNT_LOCKED;
    case KD_LDAP_DATA_CHANNEL_BINDING: return KD_CAUSE_LDAP_CHANNEL_BINDING_REQUIRED;
    default: return KD_CAUSE_COUNT;
    }
}

static void
bind_details(kd_finding *f, const kd_ldap_bind *b, const kd_ldap_bind_rec *req, const kd_ldap_diag *dg,
             const kd_ldap_data_info *info)
{
    const char *rn = kd_ldap_result_name(b->result_code);
    kd_finding_detail(f, "LDAP bind result: %d%s%s%s", b->result_code, rn ? " (" : "", rn ? rn : "", rn ? ")" : "");
    if (req && req->sasl)
        kd_finding_detail(f, "LDAP bind: SASL %s", req->mechanism ? req->mechanism : "(mechanism not seen)");
    else if (req)
        kd_finding_detail(f, "LDAP bind: simple%s%s", req->anonymous ? ", anonymous" : " as ",
                          req->anonymous ? "" : (req->name ? req->name : "?"));
    if (dg->has_data)
        kd_finding_detail(f, "AcceptSecurityContext data: 0x%x%s%s%s%s%s", dg->data, info ? " " : "",
                          info ? info->name : "", info ? " (" : "", info ? info->meaning : "", info ? ")" : "");
    if (b->diag && b->diag_len) {
        char *q = kd_ldap_diag_text(b->diag, b->diag_len, KD_LDAP_QUOTE_MAX);
        kd_finding_detail(f, "diagnostic message: %s%s", q, b->diag_len > KD_LDAP_QUOTE_MAX ? "..." : "");
        g_free(q);
    }
}

/* What the capture says about one refused bind: gathered once, read by the texts. */
typedef struct {
    const kd_obs *obs;
    const kd_ldap_bind *b;
    const kd_ldap_bind_rec *req;    /* its request, or NULL */
    kd_ldap_diag dg;
    const kd_ldap_data_info *info;  /* the data code's meaning, or NULL */
    kd_cause cause;                 /* what the data code names, or KD_CAUSE_COUNT */
    const char *who, *mech, *spn;
    guint32 kf;                     /* a KRB-ERROR in this bind exchange; 0 none */
    const kd_finding *why;          /* its finding, or NULL */
    char srv[48];
} bind_refusal;

static void
bind_gather(const kd_ctx *ctx, const kd_event *ev, bind_refusal *r)
{
    const kd_obs *obs = ev->obs;
    memset(r, 0, sizeof *r);
    r->obs = obs;
    r->b = &obs->u.bind;
    r->req = kd_store_ldap_bind(ctx->store, obs);
    const kd_ldap_bind_rec *req = r->req;
    kd_ldap_diag_parse(r->b->diag, r->b->diag_len, &r->dg);
    r->info = r->dg.has_data ? kd_ldap_data_lookup(r->dg.data) : NULL;
    r->cause = data_cause(r->info);
    /* strongerAuthRequired answers how the bind was offered (no signing, no TLS), not
     * whose: whatever data code comes with it (Active Directory's is 0). */
    if (r->b->result_code == KD_LDAP_STRONGER_AUTH_REQUIRED)
        r->cause = KD_CAUSE_LDAP_SIGNING_REQUIRED;
    /* An anonymous bind names no account: no account state is its cause. */
    const gboolean anonymous = req && req->anonymous;
    if (anonymous && r->cause != KD_CAUSE_LDAP_CHANNEL_BINDING_REQUIRED && r->cause != KD_CAUSE_LDAP_SIGNING_REQUIRED)
        r->cause = KD_CAUSE_COUNT;
    /* ERROR_LOGON_FAILURE on a bind that presented a Kerberos ticket says the ticket
     * failed, not a password: no password travelled. */
    const gboolean kerberos = req && req->sasl && ev->req && ev->req->ticket.present;
    if (kerberos && (r->cause == KD_CAUSE_WRONG_PASSWORD || r->cause == KD_CAUSE_UNKNOWN_CLIENT))
        r->cause = KD_CAUSE_COUNT;
    r->who = anonymous ? NULL : req && req->name ? req->name : ev->client;
    r->mech = req && req->sasl ? (req->mechanism ? req->mechanism : "SASL") : "simple";
    r->spn = req && req->sasl ? ev->spn : NULL;
    /* A Kerberos failure in this bind exchange: a KRB-ERROR on the connection since
     * the bind began. */
    const kd_conn_rec *conn = kd_store_conn(ctx->store, obs);
    r->kf = conn && conn->krb_error_frame && conn->krb_error_frame <= obs->frame &&
            (!req || conn->krb_error_frame >= req->frame) ? conn->krb_error_frame : 0;
    r->why = r->kf && kd_findings_count(ctx->findings, r->kf) ? kd_finding_lookup(ctx->findings, r->kf, 0) : NULL;
    kd_addr_to_str(&obs->src, r->srv, sizeof r->srv);
}

/* Refused passwords for this name, a lock-out after them: the summary and evidence. */
static void
explain_password_history(const kd_ctx *ctx, kd_finding *f, const bind_refusal *r)
{
    char *n = kd_lower(r->who);
    char *key = g_strdup_printf("ldap-pw|%s", n);
    g_free(n);
    const kd_counter *cp = r->cause == KD_CAUSE_WRONG_PASSWORD ? kd_store_count(ctx->store, key, r->obs->frame)
                                                                : kd_store_counter(ctx->store, key);
    g_free(key);
    if (r->cause == KD_CAUSE_WRONG_PASSWORD) {
        f->count = cp->count;
        kd_finding_summary(f, "The LDAP server at %s refused the %s bind of %s: %s (data %x; refusal %u "
                           "for this name in this capture)", r->srv, r->mech, r->who, r->info->meaning, r->dg.data,
                           cp->count);
    } else if (cp && cp->count) {
        kd_finding_summary(f, "The LDAP server at %s refused the %s bind of %s: account locked out, after "
                           "%u refused passwords in this capture", r->srv, r->mech, r->who, cp->count);
        for (guint i = 0; i < MIN(cp->count, KD_COUNTER_FRAMES); i++)
            kd_finding_evidence(f, cp->recent[(cp->count - 1 - i) % KD_COUNTER_FRAMES],
                                "LDAP bind refused: wrong password for this name");
    }
}

/* The data code is the answer of AcceptSecurityContext to this bind's credentials:
 * invalidCredentials, with the SSPI error Windows puts first for a refused logon (or,
 * for channel binding, the data code itself). Another result code or leading error
 * says the code is about something else than the bind's account. */
static gboolean
refusal_of_credentials(const bind_refusal *r)
{
    if (r->b->result_code != KD_LDAP_INVALID_CREDENTIALS || !r->dg.has_error)
        return FALSE;
    const guint32 e = r->dg.error;
    return e == KD_LDAP_SEC_INVALID_TOKEN || e == KD_LDAP_SEC_LOGON_DENIED || (r->dg.has_data && e == r->dg.data);
}

/* The server names the reason. ERROR_LOGON_FAILURE also stands for an unknown user
 * name: a wrong password from it stays likely. Confirmed when the capture shows whose
 * bind it was and that the code is the logon's answer. */
static kd_finding *
bind_named_reason(const kd_ctx *ctx, const bind_refusal *r)
{
    const gboolean ambiguous = r->cause == KD_CAUSE_WRONG_PASSWORD;
    kd_finding *f = kd_finding_add(ctx->findings, r->obs->frame, r->cause,
                                   ambiguous ? KD_CONF_LIKELY : KD_CONF_CONFIRMED, -1, r->spn, r->who);
    if (!f)
        return NULL;
    if (ambiguous) {
        kd_finding_alternative(f, KD_CAUSE_UNKNOWN_CLIENT);
    } else {
        kd_claim c;
        kd_claim_init(&c);
        kd_claim_check(&c, "the bind request is not in the capture: whose credentials were refused is not seen",
                       r->req == NULL);
        kd_claim_check(&c, "the answer is not an AcceptSecurityContext refusal of the credentials "
                           "(resultCode invalidCredentials with SEC_E_INVALID_TOKEN or SEC_E_LOGON_DENIED first)",
                       !refusal_of_credentials(r));
        kd_finding_confirm(f, &c);
    }
    if (r->who && (r->cause == KD_CAUSE_WRONG_PASSWORD || r->cause == KD_CAUSE_ACCOUNT_LOCKED))
        explain_password_history(ctx, f, r);
    if (f->summary == NULL)
        kd_finding_summary(f, "The LDAP server at %s refused the %s bind%s%s: %s (AcceptSecurityContext data %x)",
                           r->srv, r->mech, r->who ? " of " : "", r->who ? r->who : "", r->info->meaning, r->dg.data);
    if (r->why)
        kd_finding_evidence(f, r->kf, "Kerberos failure in this bind exchange (%s)", kd_catalog[r->why->cause].id);
    return f;
}

/* strongerAuthRequired: the server wants the bind signed or over TLS (a server that
 * requires either answers a bind so only on a connection without TLS, whose binds
 * Wireshark reads from the wire). Confirmed when the bind request is in the capture and
 * the server's message names the requirement: then no other reason for the code (a
 * server policy on something else, RFC 4511's broken security association) is left. */
static kd_finding *
bind_signing_required(const kd_ctx *ctx, const bind_refusal *r)
{
    kd_finding *f = kd_finding_add(ctx->findings, r->obs->frame, KD_CAUSE_LDAP_SIGNING_REQUIRED, KD_CONF_CONFIRMED,
                                   -1, r->spn, r->who);
    if (!f)
        return NULL;
    const gboolean named = kd_ldap_diag_names_strong_auth(r->b->diag, r->b->diag_len, &r->dg);
    kd_claim c;
    kd_claim_init(&c);
    kd_claim_check(&c, "the bind request is not in the capture: how it was offered (simple, SASL) is not seen",
                   r->req == NULL);
    kd_claim_check(&c, "the server's diagnostic message does not name the signing or TLS requirement", !named);
    kd_finding_confirm(f, &c);
    if (!r->req)
        kd_finding_summary(f, "The LDAP server at %s refused a bind with strongerAuthRequired: it requires TLS "
                           "(LDAPS, StartTLS) or a SASL bind that signs", r->srv);
    else if (!r->req->sasl)
        kd_finding_summary(f, "The LDAP server at %s refused the simple bind%s%s over a connection without TLS: "
                           "it requires TLS (LDAPS, StartTLS) or a SASL bind that signs", r->srv,
                           r->who ? " of " : "", r->who ? r->who : "");
    else
        kd_finding_summary(f, "The LDAP server at %s refused the %s bind%s%s without a security layer over a "
                           "connection without TLS: it requires signing (or TLS)", r->srv, r->mech,
                           r->who ? " of " : "", r->who ? r->who : "");
    return f;
}

/* No reason named, none in sight: the refusal as it stands. */
static kd_finding *
bind_unexplained(const kd_ctx *ctx, const kd_event *ev, const bind_refusal *r)
{
    kd_finding *f = kd_finding_add(ctx->findings, r->obs->frame, KD_CAUSE_LDAP_BIND_FAILED,
                                   r->dg.has_data || r->dg.has_error ? KD_CONF_LIKELY : KD_CONF_POSSIBLE, -1, r->spn,
                                   r->who);
    if (!f)
        return NULL;
    const char *rn = kd_ldap_result_name(r->b->result_code);
    kd_finding_summary(f, "The LDAP server at %s refused the %s bind%s%s with %s%s%s",
                       r->srv, r->mech, r->who ? " of " : "", r->who ? r->who : "", rn ? rn : "result code",
                       r->info ? ": " : "", r->info ? r->info->meaning : "");
    if (ev->req && ev->req->ticket.present && r->req && r->req->sasl)
        kd_finding_set_missing(f, "the server refused the Kerberos ticket of the bind without a KRB-ERROR: "
                                  "load the service's keytab into Wireshark to compare the ticket's key with "
                                  "the keys the server holds");
    return f;
}

static void
ldap_on_bind_answer(const kd_ctx *ctx, kd_event *ev)
{
    const kd_ldap_bind *b = &ev->obs->u.bind;
    if (!b->is_response || !bind_refused(b->result_code) || ev->claimed)
        return;
    ev->claimed = TRUE;
    bind_refusal r;
    bind_gather(ctx, ev, &r);
    kd_finding *f;
    if (r.cause == KD_CAUSE_LDAP_SIGNING_REQUIRED) {
        f = bind_signing_required(ctx, &r);
    } else if (r.cause != KD_CAUSE_COUNT) {
        f = bind_named_reason(ctx, &r);
    } else if (r.why) {
        /* The refusal follows a Kerberos failure of the same exchange: that is its cause. */
        f = kd_finding_add(ctx->findings, r.obs->frame, KD_CAUSE_LDAP_BIND_FAILED, KD_CONF_LIKELY, -1, r.spn, r.who);
        if (f) {
            kd_finding_inherit(f, r.why, r.kf, "the Kerberos failure in this bind exchange");
            kd_finding_summary(f, "The LDAP server at %s refused the %s bind after the Kerberos failure in frame %u "
                               "(%s)", r.srv, r.mech, r.kf, kd_catalog[r.why->cause].title);
        }
    } else {
        f = bind_unexplained(ctx, ev, &r);
    }
    if (!f)
        return;
    const kd_ldap_bind_rec *req = r.req;
    if (req)
        kd_finding_evidence(f, req->frame, "LDAP bind request (%s%s%s)", r.mech, r.who ? " as " : "",
                            r.who ? r.who : "");
    if (ev->req && ev->req->ticket.present && req && req->sasl && ev->req->frame != req->frame)
        kd_finding_evidence(f, ev->req->frame, "AP-REQ: ticket for %s presented in the bind",
                            ev->req->ticket.sname ? ev->req->ticket.sname : "?");
    bind_details(f, b, req, &r.dg, r.info);
}

static const kd_rule rules[] = {
    KD_RULE(KD_EV_LDAP_BIND, KD_PRIO_LATER, ldap_on_bind_answer, KD_RUN_ALWAYS),
};

const kd_rule_table kd_rules_ldap = { "ldap", rules, G_N_ELEMENTS(rules) };
