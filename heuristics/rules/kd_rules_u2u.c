/* kd_rules_u2u.c
 * User-to-user: a service ticket for a principal that is a user account.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A user account has no service key a ticket could be encrypted in: the KDC
 * refuses the ordinary request (Windows: KDC_ERR_S_PRINCIPAL_UNKNOWN for a plain
 * user name; MIT, principal marked -allow_svr: KDC_ERR_MUST_USE_USER2USER). The
 * client then asks the server for its TGT (KERB-TGT-REQUEST / KERB-TGT-REPLY in
 * SPNEGO) and the KDC for a ticket encrypted in that TGT's session key
 * (enc-tkt-in-skey, the TGT as additional ticket). When that request follows the
 * refusal, the refusal was no missing SPN: it becomes user_to_user, and the
 * recovery family marks it recovered when the ticket comes. When the server has
 * no TGT to give (KRB_AP_ERR_NO_TGT, or an error where the KERB-TGT-REPLY should
 * be), user-to-user itself failed.
 */
#include <string.h>

#include "kd_rules.h"

/* A TGS-REQ asking user-to-user: enc-tkt-in-skey with a ticket attached. */
static gboolean
is_user_to_user_request(const kd_req *req)
{
    return req && !req->partial && req->msg_type == KD_MSG_TGS_REQ && req->opt_enc_tkt_in_skey &&
           req->n_addl_tickets > 0;
}

/* "client|principal": the refused question a user-to-user request answers. */
static char *
subject_of(const kd_addr *client, const char *sname)
{
    char b[48];
    kd_addr_to_str(client, b, sizeof b);
    return g_strdup_printf("%s|%s", b, sname);
}

/* The additional ticket of a user-to-user request is a TGT (krbtgt/REALM). */
static gboolean
addl_is_tgt(const kd_req *req)
{
    const char *s = req->addl_ticket.sname;
    return s && g_ascii_strncasecmp(s, "krbtgt/", 7) == 0;
}

/* The server's TGT exchange of this client, when it came before `before`. */
static void
tgt_exchange_evidence(kd_finding *f, kd_store *st, const kd_addr *client, guint32 before)
{
    const kd_tgt_exchange *x = kd_store_tgt_exchange(st, client, NULL);
    if (!x)
        return;
    char b[48];
    kd_addr_to_str(&x->server, b, sizeof b);
    if (x->req_frame && x->req_frame < before)
        kd_finding_evidence(f, x->req_frame, "KERB-TGT-REQUEST: the client asks the server %s for its TGT", b);
    if (x->rep_frame && x->rep_frame < before)
        kd_finding_evidence(f, x->rep_frame, "KERB-TGT-REPLY: the server %s sends its TGT", b);
}

/* Claim the error and make its user_to_user finding (NULL when the group is off). */
static kd_finding *
claim_error(const kd_ctx *ctx, kd_event *ev)
{
    ev->claimed = TRUE;
    return kd_finding_add(ctx->findings, ev->obs->frame, KD_CAUSE_USER_TO_USER, KD_CONF_LIKELY,
                          ev->obs->u.krb.error_code, ev->spn, ev->client);
}

/* The refusal of a user-to-user request: whatever the code says about accounts
 * (KDC_ERR_POLICY is MIT's -allow_dup_skey), it is about user-to-user. Runs before
 * the account rules; codes that keep their own meaning (an unknown name, the clock,
 * the transport, a referral) are left to them. */
static gboolean
keeps_own_meaning(gint32 code)
{
    switch (code) {
    case KDC_ERR_C_PRINCIPAL_UNKNOWN:
    case KDC_ERR_S_PRINCIPAL_UNKNOWN:
    case KDC_ERR_PREAUTH_REQUIRED:
    case KRB_AP_ERR_SKEW:
    case KRB_ERR_RESPONSE_TOO_BIG:
    case KDC_ERR_WRONG_REALM:
        return TRUE;
    default:
        return FALSE;
    }
}

static void
u2u_on_refused_request(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const gint32 code = obs->u.krb.error_code;
    const kd_req *req = ev->req;
    if (!is_user_to_user_request(req) || keeps_own_meaning(code))
        return;
    kd_finding *f = claim_error(ctx, ev);
    if (!f)
        return;
    kd_finding_evidence(f, req->frame, "TGS-REQ for %s, user-to-user (enc-tkt-in-skey, %s attached): the request "
                        "this error answers", req->sname ? req->sname : "?",
                        req->addl_ticket.sname ? req->addl_ticket.sname : "a ticket");
    kd_finding_summary(f, "The KDC refuses the user-to-user request for %s%s", ev->spn ? ev->spn : "the service",
                       !addl_is_tgt(req) ? ": the attached ticket is no TGT"
                       : code == KDC_ERR_POLICY ? ": a KDC policy forbids user-to-user for it (MIT: -allow_dup_skey)" : "");
    kd_finding_detail(f, "additional ticket: %s", req->addl_ticket.sname ? req->addl_ticket.sname : "?");
    tgt_exchange_evidence(f, ctx->store, &obs->dst, obs->frame);
}

/* KDC_ERR_MUST_USE_USER2USER to an ordinary request: the principal is a user. */
static void
u2u_on_kdc_error(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_req *req = ev->req;
    kd_finding *f = claim_error(ctx, ev);
    if (!f)
        return;
    if (req)
        kd_finding_evidence(f, req->frame, "%s for %s (the request this error answers)", kd_msg_name(req->msg_type),
                            req->sname ? req->sname : "?");
    kd_finding_summary(f, "%s is a user account without a service key: the KDC issues tickets for it only "
                       "user-to-user, encrypted in the session key of the server's TGT",
                       ev->spn ? ev->spn : "The service");
    kd_finding_confirm_one(f, "the request already asked user-to-user (enc-tkt-in-skey)",
                           req && req->opt_enc_tkt_in_skey);
    tgt_exchange_evidence(f, ctx->store, &obs->dst, obs->frame);
}

/* A refusal a later user-to-user request for the same principal explains. */
static void
u2u_on_kdc_error_wait(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const gint32 code = obs->u.krb.error_code;
    const kd_req *req = ev->req;
    if (!req || req->partial || req->msg_type != KD_MSG_TGS_REQ || req->opt_enc_tkt_in_skey || kd_str_empty(req->sname))
        return;
    guint n = kd_findings_count(ctx->findings, obs->frame);
    kd_finding *f = n ? kd_finding_lookup(ctx->findings, obs->frame, n - 1) : NULL;
    if (!f || f->error_code != code || (f->cause != KD_CAUSE_SPN_MISSING && f->cause != KD_CAUSE_USER_TO_USER))
        return;
    char *subject = subject_of(&req->client, req->sname);
    kd_wait_set(ctx->findings, KD_WAIT_USER_TO_USER, subject, obs->frame);
    g_free(subject);
}

/* The user-to-user request that follows a refusal: the target is a user account. */
static void
u2u_on_request(const kd_ctx *ctx, kd_event *ev)
{
    const kd_req *req = ev->req;
    if (!is_user_to_user_request(req) || kd_str_empty(req->sname))
        return;
    char *subject = subject_of(&req->client, req->sname);
    kd_finding *fs[KD_WAIT_LIST_MAX];
    guint n = kd_wait_take_all(ctx->findings, KD_WAIT_USER_TO_USER, subject, fs, G_N_ELEMENTS(fs));
    g_free(subject);
    for (guint i = 0; i < n; i++) {
        kd_finding *f = fs[i];
        if (f->cause == KD_CAUSE_SPN_MISSING) {
            /* No SPN to register: the name is a user's, and the client knows it. */
            kd_finding_recause(f, KD_CAUSE_USER_TO_USER, KD_CONF_LIKELY);
            kd_finding_summary(f, "%s is a user account, not a service with an SPN: the client goes user-to-user "
                               "(the server's TGT, enc-tkt-in-skey)", req->sname);
        }
        kd_claim c;
        kd_claim_init(&c);
        kd_claim_check(&c, "the KDC issued an ordinary ticket for the principal (a service key of its own)",
                       kd_store_ordinary_issued(ctx->store, req->sname) != NULL);
        kd_claim_check(&c, "the user-to-user request attaches no TGT", !addl_is_tgt(req));
        kd_finding_confirm(f, &c);
        tgt_exchange_evidence(f, ctx->store, &req->client, req->frame);
        kd_finding_evidence(f, req->frame, "TGS-REQ for %s again, user-to-user: enc-tkt-in-skey with %s attached",
                            req->sname, req->addl_ticket.sname ? req->addl_ticket.sname : "a ticket");
        kd_finding_detail(f, "user-to-user request: frame %u", req->frame);
    }
}

/* The server answers the client's KERB-TGT-REQUEST with an error, or says it has no
 * TGT: user-to-user cannot work with that server's session. */
static void
u2u_on_service_error(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const gint32 code = obs->u.krb.error_code;
    /* The answer goes from the server (src) back to the client (dst). */
    const kd_tgt_exchange *x = kd_store_tgt_exchange(ctx->store, &obs->dst, &obs->src);
    gboolean asked = x && x->req_frame && x->req_frame < obs->frame && x->cport == obs->dport &&
                     x->sport == obs->sport;
    if (code != KRB_AP_ERR_NO_TGT && !(asked && x->rep_frame == 0))
        return;
    kd_finding *f = claim_error(ctx, ev);
    if (!f)
        return;
    char b[48];
    kd_addr_to_str(&obs->src, b, sizeof b);
    if (asked)
        kd_finding_evidence(f, x->req_frame, "KERB-TGT-REQUEST: the client asks the server %s for its TGT", b);
    kd_finding_summary(f, "User-to-user fails: the server %s has no TGT to give%s; its logon session holds no "
                       "Kerberos TGT (started with NTLM, or without Kerberos credentials)", b,
                       asked ? " for the client's KERB-TGT-REQUEST" : "");
    kd_claim c;
    kd_claim_init(&c);
    kd_claim_check(&c, "the error is another than KRB_AP_ERR_NO_TGT", code != KRB_AP_ERR_NO_TGT);
    kd_claim_check(&c, "the server sent its TGT (KERB-TGT-REPLY) on this connection", asked && x->rep_frame != 0);
    kd_finding_confirm(f, &c);
}

static const kd_rule rules[] = {
    KD_RULE(KD_EV_KDC_ERROR, KD_PRIO_OVERRIDE, u2u_on_refused_request, KD_RUN_UNCLAIMED),
    KD_RULE_CODES(KD_EV_KDC_ERROR, KD_PRIO_SPECIFIC, u2u_on_kdc_error, KD_RUN_UNCLAIMED, KDC_ERR_MUST_USE_USER2USER),
    KD_RULE_CODES(KD_EV_KDC_ERROR, KD_PRIO_AFTER_FINDINGS, u2u_on_kdc_error_wait, KD_RUN_ALWAYS,
                  KDC_ERR_S_PRINCIPAL_UNKNOWN, KDC_ERR_MUST_USE_USER2USER),
    KD_RULE(KD_EV_KDC_REQUEST, KD_PRIO_SPECIFIC, u2u_on_request, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_SERVICE_ERROR, KD_PRIO_SPECIFIC, u2u_on_service_error, KD_RUN_UNCLAIMED),
};

const kd_rule_table kd_rules_u2u = { "u2u", rules, G_N_ELEMENTS(rules) };
