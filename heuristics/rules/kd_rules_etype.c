/* kd_rules_etype.c
 * Keys and encryption types between clients, KDCs and realms: TGTs one KDC issues
 * and another refuses, trust keys, no common encryption type.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"

#include <string.h>

/* "aes256-cts..., rc4-hmac" using the configured names; newly allocated. */
static char *
etype_list(const kd_ctx *ctx, const gint32 *etypes, guint n)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        const char *name = ctx->cfg->etype_name ? ctx->cfg->etype_name(etypes[i]) : NULL;
        if (i)
            g_string_append(s, ", ");
        if (name)
            g_string_append(s, name);
        else
            g_string_append_printf(s, "%d", etypes[i]);
    }
    if (n == 0)
        g_string_append(s, "none");
    return g_string_free(s, FALSE);
}

/* The TGT (ticket for krbtgt/...) this client presented: who issued it? */
static const kd_issue *
tgt_issue(const kd_ctx *ctx, const kd_req *req, const kd_addr *client)
{
    const kd_issue_hist *h = kd_store_issues(ctx->store, req->ticket.sname);
    if (!h)
        return NULL;
    for (guint i = 0; i < h->count; i++) {
        const kd_issue *it = kd_issue_hist_nth(h, i);
        if (kd_addr_equal(&it->client, client) &&
            (req->ticket.kvno < 0 || it->kvno < 0 || it->kvno == req->ticket.kvno) &&
            (req->ticket.etype < 0 || it->etype == req->ticket.etype))
            return it;
    }
    return NULL;
}

static gboolean
intersects(const gint32 *a, guint na, const gint32 *b, guint nb)
{
    for (guint i = 0; i < na; i++) {
        for (guint j = 0; j < nb; j++) {
            if (a[i] == b[j])
                return TRUE;
        }
    }
    return FALSE;
}

/* Codes with which a KDC refuses a ticket-granting ticket it cannot use. */
static gboolean
is_tgt_refusal(gint32 code)
{
    return code == 14 || code == 31 || code == 41 || code == 44 || code == 60;
}

/* Encryption-type and key disagreements (KDC_ERR_ETYPE_NOSUPP, BAD_INTEGRITY ...)
 * that the more specific rules of a KDC or service error left unexplained. */
static void
on_error(const kd_ctx *ctx, kd_event *ev)
{
    if (ev->claimed)
        return;
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    const gint32 code = k->error_code;
    const kd_req *req = ev->req;
    const char *spn = ev->spn, *client = ev->client;
    char kdc[48], other[48];
    kd_addr_to_str(&obs->src, kdc, sizeof kdc);
    kd_finding *f;

    if (req && req->msg_type == KD_MSG_TGS_REQ && req->ticket.present && is_tgt_refusal(code) &&
        req->ticket.sname && g_ascii_strncasecmp(req->ticket.sname, "krbtgt/", 7) == 0) {
        const char *target = req->ticket.sname + 7;
        if (req->ticket.realm && g_ascii_strcasecmp(target, req->ticket.realm) != 0) {
            /* krbtgt/OTHER@THIS: a referral across a trust, refused by OTHER's KDC. */
            ev->claimed = TRUE;
            f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_TRUST_KEY_MISMATCH, KD_CONF_LIKELY, code, spn, client);
            if (!f)
                return;
            kd_finding_summary(f, "Realm %s's KDC (%s) refuses the referral ticket krbtgt/%s@%s issued by realm %s: "
                               "the two realms hold different trust keys", target, kdc, target,
                               req->ticket.realm, req->ticket.realm);
            const kd_issue *it = tgt_issue(ctx, req, &obs->dst);
            if (it) {
                if (it->req_frame)
                    kd_finding_evidence(f, it->req_frame, "TGS-REQ to realm %s for the referral", req->ticket.realm);
                kd_finding_evidence(f, it->frame, "realm %s's KDC (%s) issues the referral ticket krbtgt/%s (kvno %"
                                    G_GINT64_FORMAT ")", req->ticket.realm,
                                    kd_addr_to_str(&it->kdc, other, sizeof other), target, it->kvno);
                f->confidence = KD_CONF_CONFIRMED;
            }
            kd_finding_evidence(f, req->frame, "TGS-REQ presenting the referral ticket to realm %s", target);
            kd_finding_detail(f, "referral ticket kvno: %" G_GINT64_FORMAT, req->ticket.kvno);
            return;
        }
        const kd_issue *it = tgt_issue(ctx, req, &obs->dst);
        if (it && !kd_addr_equal(&it->kdc, &obs->src)) {
            ev->claimed = TRUE;
            f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_DC_ETYPE_MISMATCH, KD_CONF_LIKELY, code, spn,
                               client ? client : it->cname);
            if (!f)
                return;
            char *et = etype_list(ctx, &it->etype, 1);
            kd_addr_to_str(&it->kdc, other, sizeof other);
            kd_finding_summary(f, "The TGT issued by KDC %s (%s, kvno %" G_GINT64_FORMAT ") is refused by KDC %s of the same "
                               "realm: the KDCs disagree on the krbtgt keys or encryption types", other, et, it->kvno, kdc);
            if (it->req_frame)
                kd_finding_evidence(f, it->req_frame, "the client asks KDC %s for its TGT", other);
            kd_finding_evidence(f, it->frame, "KDC %s issues the TGT (%s)", other, et);
            /* The issuing KDC accepting the same TGT proves the TGT itself is sound. */
            const kd_counter *ok = kd_store_tgt_accepted(ctx->store, &req->client, &it->kdc, &req->ticket);
            if (ok) {
                kd_finding_evidence(f, ok->first_frame, "KDC %s accepts the same TGT", other);
                f->confidence = KD_CONF_CONFIRMED;
            }
            kd_finding_evidence(f, req->frame, "TGS-REQ to KDC %s presenting that TGT", kdc);
            kd_finding_detail(f, "TGT issued by: %s", other);
            kd_finding_detail(f, "refused by: %s", kdc);
            kd_finding_detail(f, "TGT etype: %s", et);
            g_free(et);
            return;
        }
    }
    if (code == 14 || code == 45) { /* KDC_ERR_ETYPE_NOSUPP, KRB_AP_ERR_NOKEY */
        ev->claimed = TRUE;
        const gint32 *acct = k->etype_info2;
        guint n_acct = k->n_etype_info2;
        const kd_account_etypes *seen = NULL;
        if (n_acct == 0 && !kd_str_empty(client)) {
            seen = kd_store_account_etypes(ctx->store, client);
            if (seen) {
                acct = seen->etypes;
                n_acct = seen->n;
            }
        }
        gboolean known = n_acct > 0;
        gboolean disjoint = req && req->n_etypes > 0 && known && !intersects(req->etypes, req->n_etypes, acct, n_acct);
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_ETYPE_NO_COMMON,
                           disjoint ? KD_CONF_CONFIRMED : KD_CONF_LIKELY, code, spn, client);
        if (!f)
            return;
        char *offered = req ? etype_list(ctx, req->etypes, req->n_etypes) : g_strdup("unknown");
        char *have = known ? etype_list(ctx, acct, n_acct) : g_strdup("not in the capture");
        kd_finding_summary(f, "No common encryption type: the client offers %s; the account's keys: %s", offered, have);
        kd_finding_detail(f, "client offers: %s", offered);
        kd_finding_detail(f, "account keys: %s", have);
        if (seen)
            kd_finding_evidence(f, seen->frame, "the KDC announced the account's key types (ETYPE-INFO2): %s", have);
        if (req)
            kd_finding_evidence(f, req->frame, "%s offering %s", kd_msg_name(req->msg_type), offered);
        g_free(offered);
        g_free(have);
    }
}

static const kd_rule rules[] = {
    { KD_EV_KDC_ERROR,     KD_PRIO_LATER, on_error },
    { KD_EV_SERVICE_ERROR, KD_PRIO_LATER, on_error },
};

const kd_rule_table kd_rules_etype = { "etype", rules, G_N_ELEMENTS(rules) };
