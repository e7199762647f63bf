/* kd_rules_delegation.c
 * Rules for constrained delegation and protocol transition (S4U2Proxy, S4U2Self)
 * refused by a KDC.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Wireshark decodes what the request asked for (KDC option cname-in-addl-tkt, the
 * additional ticket, PA-FOR-USER / PA-S4U-X509-USER); the KDC says why it refused in
 * the NTSTATUS of its e-data (Windows) or in its e-text (MIT). The front-end
 * service's account settings are not in the capture: the finding names them.
 */
#include "kd_rules.h"

#include <string.h>

/* The NTSTATUS of an S4U2Proxy refusal (MS-SFU 3.2.5.2, MS-KILE 3.3.5.7.4):
 * STATUS_NOT_SUPPORTED, the front-end has no delegation list; STATUS_NO_MATCH, the
 * target is not listed or the evidence ticket is not forwardable. */

/* The status strings an MIT KDC puts in e-text (src/kdc/kdc_util.c). */
static const struct {
    const char *text;
    kd_cause cause;
} mit_texts[] = {
    { "UNSUPPORTED_S4U2PROXY_REQUEST", KD_CAUSE_DELEGATION_NOT_CONFIGURED },
    { "NOT_ALLOWED_TO_DELEGATE", KD_CAUSE_DELEGATION_TARGET_NOT_ALLOWED },
    { "EVIDENCE_TKT_NOT_FORWARDABLE", KD_CAUSE_DELEGATION_NOT_FORWARDABLE },
};

static gboolean
is_s4u2proxy(const kd_req *req)
{
    return req->opt_cname_in_addl_tkt && req->n_addl_tickets > 0;
}

static gboolean
is_s4u2self(const kd_req *req)
{
    return kd_has_padata(req->padata, req->n_padata, PA_FOR_USER) ||
           kd_has_padata(req->padata, req->n_padata, PA_S4U_X509_USER);
}

/* Two principal names, realm left out ("a@R" and "a" are the same), without case. */
static gboolean
same_principal(const char *a, const char *b)
{
    if (kd_str_empty(a) || kd_str_empty(b))
        return FALSE;
    gsize la = strcspn(a, "@"), lb = strcspn(b, "@");
    return la == lb && g_ascii_strncasecmp(a, b, la) == 0;
}

/* S4U2Proxy towards the requester's own account. The evidence ticket of S4U2Proxy
 * is a ticket to the requester itself (its S4U2Self result), so a target equal to
 * the evidence ticket's server, or naming the requesting account, asks for a ticket
 * to itself. Windows hosts do this routinely (their own service ticket as evidence,
 * their own machine account as target); a refusal only says the account has no
 * delegation rights toward itself. */
static gboolean
is_self_target(const kd_req *req, const char *client)
{
    return same_principal(req->sname, req->addl_ticket.sname) || same_principal(req->sname, client);
}

static void
refusal_details(kd_finding *f, const kd_krb *k)
{
    if (k->has_nt_status)
        kd_finding_detail(f, "NTSTATUS in e-data: 0x%08X", k->nt_status);
    if (!kd_str_empty(k->e_text))
        kd_finding_detail(f, "KDC text: %s", k->e_text);
}

/* The refused S4U2Proxy asked for a ticket to the requester itself: the cause the
 * KDC's answer names stays, as a note. Nothing that needs delegation failed here; a
 * service on that host that must delegate fails with a request of its own. */
static void
self_refused_note(const kd_ctx *ctx, kd_event *ev, kd_cause cause)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    const kd_req *req = ev->req;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, cause, KD_CONF_INFO, k->error_code, ev->spn, ev->client);
    if (!f)
        return;
    const char *why = k->has_nt_status && k->nt_status == STATUS_NOT_SUPPORTED ? " (STATUS_NOT_SUPPORTED)"
                    : k->has_nt_status && k->nt_status == STATUS_NO_MATCH ? " (STATUS_NO_MATCH)" : "";
    char *who = ev->client ? g_strdup_printf("%s asked for a ticket to its own account (%s)", ev->client,
                                             req->sname ? req->sname : "?")
                           : g_strdup_printf("The account holding %s asked for a ticket to itself",
                                             req->sname ? req->sname : "?");
    kd_finding_summary(f, "%s on behalf of a user (S4U2Proxy to itself) and was refused%s: the account simply has "
                       "no delegation rights toward itself. Windows hosts ask this routinely; act only if a service "
                       "on this host must delegate", who, why);
    g_free(who);
    kd_finding_evidence(f, req->frame, "S4U2Proxy TGS-REQ for %s with the evidence ticket for %s (a ticket to itself)",
                        req->sname ? req->sname : "?", req->addl_ticket.sname ? req->addl_ticket.sname : "?");
    if (req->addl_ticket.sname)
        kd_finding_detail(f, "evidence ticket: %s", req->addl_ticket.sname);
    kd_finding_detail(f, "target: the requester's own account");
    refusal_details(f, k);
}

/* Rank: the reason the KDC's NTSTATUS or status text gives, and how sure it is. */
static kd_cause
proxy_reason(const kd_krb *k, kd_confidence *conf, gboolean *from_text)
{
    kd_cause cause = KD_CAUSE_DELEGATION_TARGET_NOT_ALLOWED;
    *conf = KD_CONF_POSSIBLE;
    *from_text = FALSE;
    if (k->has_nt_status && k->nt_status == STATUS_NOT_SUPPORTED) {
        cause = KD_CAUSE_DELEGATION_NOT_CONFIGURED;
        *conf = KD_CONF_CONFIRMED;
    } else if (k->has_nt_status && k->nt_status == STATUS_NO_MATCH) {
        /* Windows uses one status for both: the list and the evidence's flags. */
        *conf = KD_CONF_LIKELY;
    } else if (!kd_str_empty(k->e_text)) {
        for (gsize i = 0; i < G_N_ELEMENTS(mit_texts); i++) {
            if (strstr(k->e_text, mit_texts[i].text)) {
                cause = mit_texts[i].cause;
                *conf = KD_CONF_CONFIRMED;
                *from_text = TRUE;
                break;
            }
        }
    }
    return cause;
}

/* Confirm: the KDC's own word names the reason; the capture contradicts it when its
 * status text names another one. */
static void
proxy_confirm(kd_finding *f, const kd_krb *k, kd_cause cause)
{
    int text_cause = -1;
    for (gsize i = 0; !kd_str_empty(k->e_text) && i < G_N_ELEMENTS(mit_texts); i++) {
        if (strstr(k->e_text, mit_texts[i].text))
            text_cause = (int)mit_texts[i].cause;
    }
    kd_finding_confirm_one(f, "the KDC's status text names another reason than its NTSTATUS",
                           text_cause >= 0 && (kd_cause)text_cause != cause);
}

/* Explain: the summary of each reason, and what stays open. */
static void
proxy_explain(kd_finding *f, const kd_krb *k, kd_cause cause, kd_confidence conf, gboolean from_text,
              const char *front, const char *target)
{
    switch (cause) {
    case KD_CAUSE_DELEGATION_NOT_CONFIGURED:
        kd_finding_summary(f, "%s may not delegate to any service: the KDC %s", front,
                           from_text ? "keeps no delegation list (MIT db2 backend)"
                                     : "finds no delegation list on its account (STATUS_NOT_SUPPORTED)");
        break;
    case KD_CAUSE_DELEGATION_NOT_FORWARDABLE:
        kd_finding_summary(f, "%s presented a user's ticket that is not forwardable to delegate to %s",
                           front, target);
        if (from_text)
            kd_finding_rule_out(f, KD_CAUSE_DELEGATION_TARGET_NOT_ALLOWED, "the KDC's status text (%s) names the "
                                "ticket's flags, not the delegation list", k->e_text);
        else
            kd_finding_alternative(f, KD_CAUSE_DELEGATION_TARGET_NOT_ALLOWED);
        break;
    default:
        if (from_text) {
            kd_finding_summary(f, "%s may not delegate to %s (not in its delegation list, no resource-based "
                               "delegation on the target)", front, target);
            kd_finding_rule_out(f, KD_CAUSE_DELEGATION_NOT_FORWARDABLE, "the KDC's status text (%s) names the "
                                "delegation list, not the ticket's flags", k->e_text);
            break;
        }
        if (conf == KD_CONF_POSSIBLE) {
            kd_finding_summary(f, "The KDC refuses to let %s delegate to %s and does not say why", front, target);
            kd_finding_alternative(f, KD_CAUSE_DELEGATION_NOT_CONFIGURED);
        } else {
            kd_finding_summary(f, "%s may not delegate to %s (not in its delegation list, no resource-based "
                               "delegation on the target), or the user's ticket is not forwardable", front, target);
        }
        kd_finding_alternative(f, KD_CAUSE_DELEGATION_NOT_FORWARDABLE);
        kd_finding_set_missing(f, "the front-end account's msDS-AllowedToDelegateTo and TrustedToAuthForDelegation, "
                               "the target account's msDS-AllowedToActOnBehalfOfOtherIdentity, and whether the user "
                               "is sensitive or in Protected Users (Get-ADUser/Get-ADComputer -Properties ...)");
        break;
    }
}

/* S4U2Proxy answered with KDC_ERR_BADOPTION: which of the three reasons. */
static void
proxy_refused(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    const kd_req *req = ev->req;
    kd_confidence conf;
    gboolean from_text;
    const kd_cause cause = proxy_reason(k, &conf, &from_text);
    ev->claimed = TRUE;
    const char *front = ev->client ? ev->client : "The front-end service";
    const char *target = ev->spn ? ev->spn : "the requested service";
    if (is_self_target(req, ev->client)) {
        self_refused_note(ctx, ev, cause);
        return;
    }
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, cause, conf, k->error_code, ev->spn, ev->client);
    if (!f)
        return;
    if (conf == KD_CONF_CONFIRMED)
        proxy_confirm(f, k, cause);
    kd_finding_evidence(f, req->frame, "S4U2Proxy TGS-REQ for %s with %u additional ticket(s)%s%s "
                        "(cname-in-addl-tkt)", target, req->n_addl_tickets,
                        req->addl_ticket.sname ? ", evidence ticket for " : "",
                        req->addl_ticket.sname ? req->addl_ticket.sname : "");
    if (req->addl_ticket.sname)
        kd_finding_detail(f, "evidence ticket: %s", req->addl_ticket.sname);
    refusal_details(f, k);
    proxy_explain(f, k, cause, conf, from_text, front, target);
}

/* S4U2Self refused with an error no more specific rule explained. */
static void
self_refused(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    const kd_req *req = ev->req;
    ev->claimed = TRUE;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_PROTOCOL_TRANSITION_REFUSED, KD_CONF_LIKELY,
                                   k->error_code, ev->spn, ev->client);
    if (!f)
        return;
    kd_finding_evidence(f, req->frame, "S4U2Self TGS-REQ for %s (%s%s%s)", req->sname ? req->sname : "?",
                        kd_has_padata(req->padata, req->n_padata, PA_FOR_USER) ? "PA-FOR-USER" : "",
                        kd_has_padata(req->padata, req->n_padata, PA_FOR_USER) &&
                        kd_has_padata(req->padata, req->n_padata, PA_S4U_X509_USER) ? ", " : "",
                        kd_has_padata(req->padata, req->n_padata, PA_S4U_X509_USER) ? "PA-S4U-X509-USER" : "");
    refusal_details(f, k);
    kd_finding_summary(f, "The KDC refuses %s a ticket to itself on behalf of a user (protocol transition)",
                       ev->client ? ev->client : "the service");
}

/* KDC_ERR_BADOPTION with STATUS_NOT_SUPPORTED (MS-SFU: an S4U2Proxy from an account
 * without a delegation list) naming as its server the very account that logged on
 * from the requesting host, while the request itself is not in the capture (a TCP
 * segment left unread): the routine S4U2Proxy to itself, as a note. */
static gboolean
unread_self_refusal(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    if (k->error_code != KDC_ERR_BADOPTION || !k->has_nt_status || k->nt_status != STATUS_NOT_SUPPORTED ||
        kd_str_empty(k->sname))
        return FALSE;
    const char *host_account = kd_store_issued_client(ctx->store, k->sname, &obs->dst);
    if (!same_principal(k->sname, host_account))
        return FALSE;
    ev->claimed = TRUE;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_DELEGATION_NOT_CONFIGURED, KD_CONF_INFO,
                                   k->error_code, ev->spn, host_account);
    if (!f)
        return TRUE;
    kd_finding_summary(f, "%s asked for a ticket to its own account (%s) and was refused (STATUS_NOT_SUPPORTED, "
                       "the answer to an S4U2Proxy request; the request itself is not readable in the capture): the "
                       "account simply has no delegation rights toward itself. Windows hosts ask this routinely; act "
                       "only if a service on this host must delegate", host_account, k->sname);
    if (ev->req)
        kd_finding_evidence(f, ev->req->frame, "the request this error answers (not readable)");
    kd_finding_detail(f, "target: the requester's own account");
    refusal_details(f, k);
    return TRUE;
}

static void
delegation_on_kdc_error(const kd_ctx *ctx, kd_event *ev)
{
    const kd_req *req = ev->req;
    if ((!req || req->partial) && unread_self_refusal(ctx, ev))
        return;
    if (!req || req->msg_type != KD_MSG_TGS_REQ)
        return;
    if (is_s4u2proxy(req)) {
        if (ev->obs->u.krb.error_code == KDC_ERR_BADOPTION)
            proxy_refused(ctx, ev);
    } else if (is_s4u2self(req)) {
        self_refused(ctx, ev);
    }
}

static const kd_rule rules[] = {
    KD_RULE(KD_EV_KDC_ERROR, KD_PRIO_SPECIFIC, delegation_on_kdc_error, KD_RUN_UNCLAIMED),
};

const kd_rule_table kd_rules_delegation = { "delegation", rules, G_N_ELEMENTS(rules) };
