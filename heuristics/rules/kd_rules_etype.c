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

/* The ticket this request presented, as issued (newest first) to client, or by kdc
 * when client is NULL: the same ticket is the same ciphertext (not merely the same
 * krbtgt kvno and etype). */
static const kd_issue *
ticket_issue(const kd_ctx *ctx, const kd_req *req, const kd_addr *client, const kd_addr *kdc)
{
    const kd_issue_hist *h = req->ticket.cipher_hash ? kd_store_issues(ctx->store, req->ticket.sname) : NULL;
    for (guint i = 0; h && i < h->count; i++) {
        const kd_issue *it = kd_issue_hist_nth(h, i);
        if (it->cipher_hash == req->ticket.cipher_hash &&
            (client ? kd_addr_equal(&it->client, client) : kd_addr_equal(&it->kdc, kdc)))
            return it;
    }
    return NULL;
}

/* An address a KDC can answer from: not unknown, unspecified (0.0.0.0, ::) or broadcast. */
static gboolean
is_host_address(const kd_addr *a)
{
    static const guint8 zero[16], ones[4] = { 255, 255, 255, 255 };
    if (a->len == 4)
        return memcmp(a->bytes, zero, 4) != 0 && memcmp(a->bytes, ones, 4) != 0;
    return a->len == 16 && memcmp(a->bytes, zero, 16) != 0;
}

/* "ok|kdc|hash" or "no|kdc|hash": a verdict of kdc on a ticket (KD_WAIT_TICKET_CLAIM). */
static const char *
ticket_subject(kd_key *key, const char *verdict, const kd_addr *kdc, guint64 cipher_hash)
{
    kd_key_init(key);
    kd_key_str(key, verdict);
    kd_key_addr(key, kdc);
    kd_key_hex64(key, cipher_hash);
    return kd_key_text(key);
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
    return code == KDC_ERR_ETYPE_NOSUPP || code == KRB_AP_ERR_BAD_INTEGRITY || code == KRB_AP_ERR_MODIFIED ||
           code == KRB_AP_ERR_BADKEYVER || code == KRB_ERR_GENERIC;
}

/* "KDC B refuses the TGT KDC A issued: they disagree on the krbtgt keys". What would
 * contradict it is looked for first, and the claim is not made when found: B or A is
 * no host of its own (0.0.0.0 of a recorded copy), B issued the very same ticket, A
 * refuses the same ticket too, or B accepts it. Confirmed when, besides, A accepts
 * the ticket (so the ticket itself is sound). Later verdicts on the same ticket are
 * watched (etype_on_ticket_verdict). FALSE when no claim is made. */
static gboolean
dc_claim(const kd_ctx *ctx, kd_event *ev, const kd_issue *it)
{
    const kd_obs *obs = ev->obs;
    const kd_req *req = ev->req;
    const guint64 tk = req->ticket.cipher_hash;
    if (!is_host_address(&obs->src) || !is_host_address(&it->kdc) || ticket_issue(ctx, req, NULL, &obs->src) ||
        kd_store_ticket_verdict(ctx->store, tk, &it->kdc, FALSE) ||
        kd_store_ticket_verdict(ctx->store, tk, &obs->src, TRUE))
        return FALSE;
    char kdc[48], other[48];
    kd_addr_to_str(&obs->src, kdc, sizeof kdc);
    kd_addr_to_str(&it->kdc, other, sizeof other);
    ev->claimed = TRUE;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_DC_ETYPE_MISMATCH, KD_CONF_LIKELY,
                                   obs->u.krb.error_code, ev->spn, ev->client ? ev->client : it->cname);
    if (!f)
        return TRUE;
    kd_claim claim;
    kd_claim_init(&claim);
    kd_claim_check(&claim, "the refusing or the issuing address is no host of its own (0.0.0.0, broadcast)", FALSE);
    kd_claim_check(&claim, "the refusing KDC issued the same ticket (one KDC recorded twice)", FALSE);
    kd_claim_check(&claim, "the issuing KDC refuses the same ticket too", FALSE);
    kd_claim_check(&claim, "the refusing KDC accepts the same ticket", FALSE);
    /* The issuing KDC accepting the same ticket proves the ticket itself is sound. */
    const kd_counter *ok = kd_store_ticket_verdict(ctx->store, tk, &it->kdc, TRUE);
    kd_claim_check(&claim, "the issuing KDC never accepts the same ticket (it may be unsound)", ok == NULL);

    char *et = etype_list(ctx, &it->etype, 1);
    kd_finding_summary(f, "The TGT issued by KDC %s (%s, kvno %" G_GINT64_FORMAT ") is refused by KDC %s of the same "
                       "realm: the KDCs disagree on the krbtgt keys or encryption types", other, et, it->kvno, kdc);
    if (it->req_frame)
        kd_finding_evidence(f, it->req_frame, "the client asks KDC %s for its TGT", other);
    kd_finding_evidence(f, it->frame, "KDC %s issues the TGT (%s)", other, et);
    if (ok)
        kd_finding_evidence(f, ok->first_frame, "KDC %s accepts the same TGT", other);
    kd_finding_evidence(f, req->frame, "TGS-REQ to KDC %s presenting that TGT", kdc);
    kd_finding_detail(f, "TGT issued by: %s", other);
    kd_finding_detail(f, "refused by: %s", kdc);
    kd_finding_detail(f, "TGT etype: %s", et);
    g_free(et);
    kd_finding_confirm(f, &claim);
    /* A later verdict can still contradict the claim. */
    kd_key subject;
    kd_wait_set(ctx->findings, KD_WAIT_TICKET_CLAIM, ticket_subject(&subject, "ok", &obs->src, tk), obs->frame);
    kd_key_done(&subject);
    kd_wait_set(ctx->findings, KD_WAIT_TICKET_CLAIM, ticket_subject(&subject, "no", &it->kdc, tk), obs->frame);
    kd_key_done(&subject);
    return TRUE;
}

/* A KDC's later verdict on a ticket a claim was made about: the refusing KDC
 * accepting it, or the issuing KDC refusing it, withdraws the claim. */
static void
etype_on_ticket_verdict(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_req *req = ev->req;
    if (!req || !req->ticket.present || req->ticket.cipher_hash == 0)
        return;
    gboolean accepted = ev->kind == KD_EV_KDC_REPLY;
    if (!accepted) {
        gint32 code = obs->u.krb.error_code;
        /* Round trips, not refusals. */
        if (code == KDC_ERR_PREAUTH_REQUIRED || code == KRB_ERR_RESPONSE_TOO_BIG || code == KDC_ERR_WRONG_REALM)
            return;
    }
    kd_key subject;
    kd_finding *f = kd_wait_take(ctx->findings, KD_WAIT_TICKET_CLAIM,
                                 ticket_subject(&subject, accepted ? "ok" : "no", &obs->src, req->ticket.cipher_hash));
    kd_key_done(&subject);
    if (!f || f->cause != KD_CAUSE_DC_ETYPE_MISMATCH)
        return;
    char kdc[48];
    kd_addr_to_str(&obs->src, kdc, sizeof kdc);
    f->cause = KD_CAUSE_KRB_ERROR;
    f->confidence = KD_CONF_POSSIBLE;
    f->n_checks = 0;
    kd_finding_summary(f, "A KDC refused this TGT, but KDC %s %s the same ticket in frame %u: the KDCs do not "
                       "disagree on the krbtgt keys; the refusal has another reason", kdc,
                       accepted ? "accepts" : "refuses", obs->frame);
    kd_finding_evidence(f, obs->frame, "KDC %s %s the same TGT", kdc, accepted ? "accepts" : "refuses");
}

/* Encryption-type and key disagreements (KDC_ERR_ETYPE_NOSUPP, BAD_INTEGRITY ...)
 * that the more specific rules of a KDC or service error left unexplained. */

/* Single-DES encryption types (RFC 3961 8.1; RFC 6649 deprecates them). */
static gboolean
only_single_des(const gint32 *etypes, guint n)
{
    for (guint i = 0; i < n; i++) {
        if (etypes[i] != ETYPE_DES_CBC_CRC && etypes[i] != ETYPE_DES_CBC_MD4 && etypes[i] != ETYPE_DES_CBC_MD5)
            return FALSE;
    }
    return n > 0;
}
/* What the capture says about the key types of the principal an etype error is
 * about. An AS-REQ's error is about the client's own keys: the error's ETYPE-INFO2,
 * or the ETYPE-INFO2 the KDC announced for that client earlier. A TGS-REQ's error
 * (and a service's NOKEY) is about the SERVICE's keys: the etypes of tickets the KDC
 * issued for that SPN and the keys of that SPN in the loaded keytab. ETYPE-INFO2
 * always names the client's keys (RFC 4120 5.2.7.5), so it never speaks for a
 * service. */
typedef struct {
    gboolean service;           /* the principal is the service, not the client */
    const char *who;            /* "the account" / "the service" */
    gint32 etypes[KD_MAX_ETYPES];
    guint n;
    gboolean complete;          /* every key type of the principal is known */
    guint32 frames[KD_MAX_ETYPES];  /* where each type was seen (0: the keytab) */
} kd_etype_view;

static void
view_add(kd_etype_view *v, gint32 etype, guint32 frame)
{
    for (guint i = 0; i < v->n; i++) {
        if (v->etypes[i] == etype)
            return;
    }
    if (v->n < KD_MAX_ETYPES) {
        v->frames[v->n] = frame;
        v->etypes[v->n++] = etype;
    }
}

/* A keytab entry of the service named spn (realm ignored; an entry with '@' inside
 * a component is another principal). */
static gboolean
keytab_names(const kd_keytab_key *k, const char *spn)
{
    if (kd_str_empty(k->principal) || kd_str_empty(spn) || strchr(k->principal, '@'))
        return FALSE;
    gsize ls = strcspn(spn, "@");
    return strlen(k->principal) == ls && g_ascii_strncasecmp(k->principal, spn, ls) == 0;
}

static void
etype_view(const kd_ctx *ctx, const kd_event *ev, kd_etype_view *v)
{
    const kd_krb *k = &ev->obs->u.krb;
    const kd_req *req = ev->req;
    memset(v, 0, sizeof(*v));
    /* Without the request, an error naming a service other than krbtgt answered a
     * TGS-REQ (AS-REQs ask for krbtgt). */
    if (req)
        v->service = ev->kind == KD_EV_SERVICE_ERROR || req->msg_type == KD_MSG_TGS_REQ;
    else
        v->service = ev->kind == KD_EV_SERVICE_ERROR ||
                     (!kd_str_empty(ev->spn) && g_ascii_strncasecmp(ev->spn, "krbtgt/", 7) != 0);
    v->who = v->service ? "the service" : "the account";
    if (!v->service) {
        /* ETYPE-INFO2 names what the KDC chose to name (MIT: the best key only): taken
         * as the account's keys, as the KDC means it. */
        if (k->n_etype_info2 > 0) {
            for (guint i = 0; i < k->n_etype_info2 && i < KD_MAX_ETYPES; i++)
                view_add(v, k->etype_info2[i], ev->obs->frame);
        } else if (!kd_str_empty(ev->client)) {
            const kd_account_etypes *seen = kd_store_account_etypes(ctx->store, ev->client);
            for (guint i = 0; seen && i < seen->n; i++)
                view_add(v, seen->etypes[i], seen->frame);
        }
        v->complete = v->n > 0;
        return;
    }
    const char *spn = ev->spn;
    if (kd_str_empty(spn))
        return;
    const kd_keytab *kt = ctx->cfg->keytab;
    for (guint i = 0; kt && kt->loaded && i < kt->n && i < KD_KEYTAB_MAX; i++) {
        if (keytab_names(&kt->keys[i], spn)) {
            view_add(v, kt->keys[i].etype, 0);
            v->complete = TRUE;
        }
    }
    /* A ticket issued for the SPN is encrypted in one of its keys: that type exists,
     * but the service may hold others. */
    const kd_issue_hist *h = kd_store_issues(ctx->store, spn);
    for (guint i = 0; h && i < h->count; i++) {
        const kd_issue *it = kd_issue_hist_nth(h, i);
        if (it->etype >= 0 && !it->user_to_user)
            view_add(v, it->etype, it->frame);
    }
}

/* The offer and the principal's keys, as details and evidence. */
static void
etype_evidence(const kd_ctx *ctx, kd_finding *f, const kd_etype_view *v, const kd_req *req, const char *offer,
               const char *have, const char *spn, guint32 err_frame)
{
    kd_finding_detail(f, "client offers: %s", offer);
    kd_finding_detail(f, "%s keys: %s", v->service ? "service" : "account", have);
    for (guint i = 0; i < v->n; i++) {
        if (v->frames[i] == 0 || v->frames[i] == err_frame)
            continue;
        if (v->service) {
            char *et = etype_list(ctx, &v->etypes[i], 1);
            kd_finding_evidence(f, v->frames[i], "the KDC issues a ticket for %s encrypted in %s: the service holds "
                                "a key of that type", spn ? spn : "the service", et);
            g_free(et);
        } else
            kd_finding_evidence(f, v->frames[i], "the KDC announced the account's key types (ETYPE-INFO2): %s", have);
    }
    if (v->service && v->complete)
        kd_finding_detail(f, "the service's keytab (loaded into Wireshark) holds its key types");
    if (req)
        kd_finding_evidence(f, req->frame, "%s offering %s", kd_msg_name(req->msg_type), offer);
}

/* KDC_ERR_ETYPE_NOSUPP or KRB_AP_ERR_NOKEY: does the offer miss every key the
 * principal the error is about has? */
static void
etype_refused(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const gint32 code = obs->u.krb.error_code;
    const kd_req *req = ev->req;
    const char *spn = ev->spn, *client = ev->client;
    ev->claimed = TRUE;
    kd_etype_view v;
    etype_view(ctx, ev, &v);
    gboolean known = v.n > 0;
    gboolean offered = req && req->n_etypes > 0;
    char *offer = req ? etype_list(ctx, req->etypes, req->n_etypes) : g_strdup("unknown");
    char *have = known ? etype_list(ctx, v.etypes, v.n) : g_strdup("not in the capture");
    kd_finding *f;
    if (offered && known && intersects(req->etypes, req->n_etypes, v.etypes, v.n)) {
        /* The client offers a type the principal has a key in: the keys are not what
         * lacks a common type. The KDC refused something else (typically the
         * pre-authentication's type). Whether the client gets past it shows only in
         * a retry that succeeds (kd_rules_recovery marks it). */
        f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_KRB_ERROR, KD_CONF_POSSIBLE, code, spn, client);
        kd_finding_summary(f, "The KDC refuses the encryption types, yet %s has a key of a type the client offers "
                           "(keys: %s; offered: %s): the KDC refused another type (typically the "
                           "pre-authentication's); a normal round trip only if a retry succeeds", v.who, have, offer);
        etype_evidence(ctx, f, &v, req, offer, have, spn, obs->frame);
        if (!v.service && only_single_des(v.etypes, v.n))
            kd_finding_detail(f, "the account has single-DES keys only: current KDCs and clients refuse DES by "
                                 "default (allow_weak_crypto); a password reset gives it AES keys");
        g_free(offer);
        g_free(have);
        return;
    }
    f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_ETYPE_NO_COMMON, KD_CONF_LIKELY, code, spn, client);
    if (!f) {
        g_free(offer);
        g_free(have);
        return;
    }
    kd_claim claim;
    kd_claim_init(&claim);
    guint both = kd_claim_declare(&claim, v.service ? "the client's offered types and the service's keys share a type"
                                                    : "the client's offered types and the account's keys share a type");
    if (offered && known)
        kd_claim_result(&claim, both, FALSE);
    /* A ticket shows one key of the service, not all: only the keytab lists them. */
    kd_claim_check(&claim, "the principal may hold key types the capture does not show", !v.complete);
    kd_finding_confirm(f, &claim);
    if (v.service)
        kd_finding_summary(f, "No common encryption type between the client and the service %s: the client offers "
                           "%s; the service's keys: %s", spn ? spn : "", offer, have);
    else
        kd_finding_summary(f, "No common encryption type: the client offers %s; the account's keys: %s", offer, have);
    etype_evidence(ctx, f, &v, req, offer, have, spn, obs->frame);
    g_free(offer);
    g_free(have);
}

/* krbtgt/OTHER@THIS: a referral across a trust, refused by OTHER's KDC: the two
 * realms hold different trust keys. */
static void
trust_key_refusal(const kd_ctx *ctx, kd_event *ev, const char *target)
{
    const kd_obs *obs = ev->obs;
    const kd_req *req = ev->req;
    const gint32 code = obs->u.krb.error_code;
    const char *spn = ev->spn, *client = ev->client;
    char kdc[48], other[48];
    kd_addr_to_str(&obs->src, kdc, sizeof kdc);
    ev->claimed = TRUE;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_TRUST_KEY_MISMATCH, KD_CONF_LIKELY, code, spn, client);
    if (!f)
        return;
    kd_finding_summary(f, "Realm %s's KDC (%s) refuses the referral ticket krbtgt/%s@%s issued by realm %s: "
                       "the two realms hold different trust keys", target, kdc, target,
                       req->ticket.realm, req->ticket.realm);
    const kd_issue *it = ticket_issue(ctx, req, &obs->dst, NULL);
    kd_claim claim;
    kd_claim_init(&claim);
    /* The presented referral is the one realm X issued, and the refusing KDC
     * never accepts that same ticket. */
    kd_claim_check(&claim, "the referral ticket presented is not one the capture shows issued", it == NULL);
    const kd_counter *ok = kd_store_ticket_verdict(ctx->store, req->ticket.cipher_hash, &obs->src, TRUE);
    kd_claim_check(&claim, "the refusing KDC accepts the same referral ticket", ok != NULL);
    if (it) {
        if (it->req_frame)
            kd_finding_evidence(f, it->req_frame, "TGS-REQ to realm %s for the referral", req->ticket.realm);
        kd_finding_evidence(f, it->frame, "realm %s's KDC (%s) issues the referral ticket krbtgt/%s (kvno %"
                            G_GINT64_FORMAT ")", req->ticket.realm,
                            kd_addr_to_str(&it->kdc, other, sizeof other), target, it->kvno);
    }
    if (ok)
        kd_finding_evidence(f, ok->first_frame, "KDC %s accepts the same referral ticket", kdc);
    kd_finding_confirm(f, &claim);
    kd_finding_evidence(f, req->frame, "TGS-REQ presenting the referral ticket to realm %s", target);
    kd_finding_detail(f, "referral ticket kvno: %" G_GINT64_FORMAT, req->ticket.kvno);
}

static void
etype_on_error(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    const gint32 code = k->error_code;
    const kd_req *req = ev->req;

    /* A TGT refused: across a trust, or by another KDC of the realm than its issuer. */
    if (req && req->msg_type == KD_MSG_TGS_REQ && req->ticket.present && is_tgt_refusal(code) &&
        req->ticket.sname && g_ascii_strncasecmp(req->ticket.sname, "krbtgt/", 7) == 0) {
        const char *target = req->ticket.sname + 7;
        if (req->ticket.realm && g_ascii_strcasecmp(target, req->ticket.realm) != 0) {
            trust_key_refusal(ctx, ev, target);
            return;
        }
        const kd_issue *it = ticket_issue(ctx, req, &obs->dst, NULL);
        if (it && !kd_addr_equal(&it->kdc, &obs->src) && dc_claim(ctx, ev, it))
            return;
    }
    if (code == KDC_ERR_ETYPE_NOSUPP || code == KRB_AP_ERR_NOKEY)
        etype_refused(ctx, ev);
}

static const kd_rule rules[] = {
    KD_RULE(KD_EV_KDC_REPLY, KD_PRIO_NOTE, etype_on_ticket_verdict, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_KDC_ERROR, KD_PRIO_NOTE, etype_on_ticket_verdict, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_KDC_ERROR, KD_PRIO_LATER, etype_on_error, KD_RUN_UNCLAIMED),
    KD_RULE(KD_EV_SERVICE_ERROR, KD_PRIO_LATER, etype_on_error, KD_RUN_UNCLAIMED),
};

const kd_rule_table kd_rules_etype = { "etype", rules, G_N_ELEMENTS(rules) };
