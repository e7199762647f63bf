/* kd_rules_etype.c
 * Keys and encryption types between clients, KDCs and realms; unanswered requests.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_engine_int.h"
#include "kd_rules.h"

#include <string.h>

/* The TGT (ticket for krbtgt/...) this client presented: who issued it? */
static const kd_issue *
tgt_issue(kd_engine *eng, const kd_req *req, const kd_addr *client)
{
    kd_issue_hist *h = kd_issues_for(eng, req->ticket.sname);
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

gboolean
kd_rules_etype_error(kd_engine *eng, const kd_obs *obs, kd_req *req, const char *spn, const char *client)
{
    const kd_krb *k = &obs->u.krb;
    const gint32 code = k->error_code;
    char kdc[48], other[48];
    kd_addr_to_str(&obs->src, kdc, sizeof kdc);
    kd_finding *f;

    if (req && req->msg_type == KD_MSG_TGS_REQ && req->ticket.present && is_tgt_refusal(code) &&
        req->ticket.sname && g_ascii_strncasecmp(req->ticket.sname, "krbtgt/", 7) == 0) {
        const char *target = req->ticket.sname + 7;
        if (req->ticket.realm && g_ascii_strcasecmp(target, req->ticket.realm) != 0) {
            /* krbtgt/OTHER@THIS: a referral across a trust, refused by OTHER's KDC. */
            f = kd_finding_add(eng, obs->frame, KD_CAUSE_TRUST_KEY_MISMATCH, KD_CONF_LIKELY, code, spn, client);
            if (!f)
                return TRUE;
            kd_finding_summary(f, "Realm %s's KDC (%s) refuses the referral ticket krbtgt/%s@%s issued by realm %s: "
                               "the two realms hold different trust keys", target, kdc, target,
                               req->ticket.realm, req->ticket.realm);
            const kd_issue *it = tgt_issue(eng, req, &obs->dst);
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
            return TRUE;
        }
        const kd_issue *it = tgt_issue(eng, req, &obs->dst);
        if (it && !kd_addr_equal(&it->kdc, &obs->src)) {
            f = kd_finding_add(eng, obs->frame, KD_CAUSE_DC_ETYPE_MISMATCH, KD_CONF_LIKELY, code, spn,
                               client ? client : it->cname);
            if (!f)
                return TRUE;
            char *et = kd_etype_list(eng, &it->etype, 1);
            kd_addr_to_str(&it->kdc, other, sizeof other);
            kd_finding_summary(f, "The TGT issued by KDC %s (%s, kvno %" G_GINT64_FORMAT ") is refused by KDC %s of the same "
                               "realm: the KDCs disagree on the krbtgt keys or encryption types", other, et, it->kvno, kdc);
            if (it->req_frame)
                kd_finding_evidence(f, it->req_frame, "the client asks KDC %s for its TGT", other);
            kd_finding_evidence(f, it->frame, "KDC %s issues the TGT (%s)", other, et);
            /* The issuing KDC accepting the same TGT proves the TGT itself is sound. */
            char *key = kd_tgt_ok_key(&req->client, &it->kdc, &req->ticket);
            const kd_counter *ok = kd_counter_get(eng, key);
            g_free(key);
            if (ok) {
                kd_finding_evidence(f, ok->first_frame, "KDC %s accepts the same TGT", other);
                f->confidence = KD_CONF_CONFIRMED;
            }
            kd_finding_evidence(f, req->frame, "TGS-REQ to KDC %s presenting that TGT", kdc);
            kd_finding_detail(f, "TGT issued by: %s", other);
            kd_finding_detail(f, "refused by: %s", kdc);
            kd_finding_detail(f, "TGT etype: %s", et);
            g_free(et);
            return TRUE;
        }
    }
    if (code == 14 || code == 45) {
        const gint32 *acct = k->etype_info2;
        guint n_acct = k->n_etype_info2;
        const kd_account_etypes *seen = NULL;
        if (n_acct == 0 && !kd_str_empty(client)) {
            char *cn = kd_lower(client);
            seen = kd_lru_get(eng->account_etypes, cn);
            g_free(cn);
            if (seen) {
                acct = seen->etypes;
                n_acct = seen->n;
            }
        }
        gboolean known = n_acct > 0;
        gboolean disjoint = req && req->n_etypes > 0 && known && !intersects(req->etypes, req->n_etypes, acct, n_acct);
        f = kd_finding_add(eng, obs->frame, KD_CAUSE_ETYPE_NO_COMMON, disjoint ? KD_CONF_CONFIRMED : KD_CONF_LIKELY,
                           code, spn, client);
        if (!f)
            return TRUE;
        char *offered = req ? kd_etype_list(eng, req->etypes, req->n_etypes) : g_strdup("unknown");
        char *have = known ? kd_etype_list(eng, acct, n_acct) : g_strdup("not in the capture");
        kd_finding_summary(f, "No common encryption type: the client offers %s; the account's keys: %s", offered, have);
        kd_finding_detail(f, "client offers: %s", offered);
        kd_finding_detail(f, "account keys: %s", have);
        if (seen)
            kd_finding_evidence(f, seen->frame, "the KDC announced the account's key types (ETYPE-INFO2): %s", have);
        if (req)
            kd_finding_evidence(f, req->frame, "%s offering %s", kd_msg_name(req->msg_type), offered);
        g_free(offered);
        g_free(have);
        return TRUE;
    }
    return FALSE;
}

/* The open "KDC does not answer" series of a client and a KDC: the finding sits on
 * the first unanswered request; later signs (retransmissions, ICMP errors, TCP
 * attempts and resets) are added to it as evidence. */
static kd_finding *
unanswered_series(kd_engine *eng, const kd_addr *client, const kd_addr *kdc, kd_req *first, gboolean create)
{
    char *key = kd_key_pair(client, kdc);
    char *skey = g_strdup_printf("unrs|%s", key);
    g_free(key);
    kd_counter *c = kd_counter_get(eng, skey);
    kd_finding *f = NULL;
    if (c) {
        f = kd_finding_lookup(eng, c->first_frame, c->count - 1);
    } else if (create && first) {
        f = kd_finding_add(eng, first->frame, KD_CAUSE_KDC_UNREACHABLE, KD_CONF_LIKELY, -1, first->sname, first->cname);
        if (f) {
            c = kd_counter_bump(eng, skey, first->frame);
            c->count = kd_frame_finding_count(eng, first->frame); /* index of the finding + 1 */
            char b[48];
            kd_finding_summary(f, "KDC %s did not answer the %s for %s", kd_addr_to_str(kdc, b, sizeof b),
                               kd_msg_name(first->msg_type), first->sname ? first->sname : "?");
            kd_finding_evidence(f, first->frame, "%s with no answer", kd_msg_name(first->msg_type));
        }
    }
    g_free(skey);
    return f;
}

void
kd_rules_kdc_answered(kd_engine *eng, const kd_addr *client, const kd_addr *kdc)
{
    char *key = kd_key_pair(client, kdc);
    char *skey = g_strdup_printf("unrs|%s", key);
    kd_lru_remove(eng->counters, skey);
    g_free(skey);
    g_free(key);
}

/* The latest request from client to kdc, if it has no answer yet. */
static kd_req *
pending_request(kd_engine *eng, const kd_addr *client, const kd_addr *kdc)
{
    char *key = kd_key_pair(client, kdc);
    kd_req *r = kd_lru_get(eng->last_request, key);
    g_free(key);
    return r && !r->answered ? r : NULL;
}

void
kd_rules_unanswered(kd_engine *eng, const kd_obs *obs, kd_req *req)
{
    if (obs->transport == KD_TRANSPORT_TCP) {
        /* This connection carried a request: a reset on it is not a refusal. */
        char a[48];
        char *key = g_strdup_printf("tcpreq|%s|%u", kd_addr_to_str(&obs->src, a, sizeof a), obs->sport);
        kd_counter_bump(eng, key, obs->frame);
        g_free(key);
    }
    kd_req *prev = pending_request(eng, &obs->src, &obs->dst);
    if (!prev || prev->msg_type != req->msg_type || g_strcmp0(prev->sname, req->sname) != 0 ||
        g_strcmp0(prev->cname, req->cname) != 0)
        return;
    /* Clients wait about a second before retrying; a quicker repeat is a second
     * question (MIT asks again with other options), not a retransmission. */
    if (kd_time_diff(req->time_us, prev->time_us) < G_USEC_PER_SEC / 2)
        return;
    char b[48];
    kd_finding *f = unanswered_series(eng, &obs->src, &obs->dst, prev, TRUE);
    kd_finding_evidence(f, obs->frame, "%s retransmitted to %s", kd_msg_name(req->msg_type),
                        kd_addr_to_str(&obs->dst, b, sizeof b));
}

void
kd_rules_transport(kd_engine *eng, const kd_obs *obs)
{
    const kd_transport_ev *ev = &obs->u.net;
    char b[48];
    switch (ev->event) {
    case KD_NET_ICMP_UNREACHABLE: {
        /* The ICMP error goes back to the client that sent the request. */
        kd_req *r = pending_request(eng, &obs->dst, &ev->kdc);
        kd_finding *f = unanswered_series(eng, &obs->dst, &ev->kdc, r, TRUE);
        if (r && f && r->frame != f->frame)
            kd_finding_evidence(f, r->frame, "%s to the same KDC, again unanswered", kd_msg_name(r->msg_type));
        kd_finding_evidence(f, obs->frame, "ICMP destination unreachable from %s for the request to %s",
                            kd_addr_to_str(&obs->src, b, sizeof b), kd_addr_to_str(&ev->kdc, b, sizeof b));
        break;
    }
    case KD_NET_TCP_SYN: {
        /* One piece of evidence per connection attempt, not per SYN retransmission. */
        char *key = g_strdup_printf("syn|%s|%u", kd_addr_to_str(&obs->src, b, sizeof b), obs->sport);
        gboolean seen = kd_counter_get(eng, key) != NULL;
        kd_counter_bump(eng, key, obs->frame);
        g_free(key);
        if (seen)
            break;
        /* A client falling back to TCP a while after an unanswered UDP request is a
         * sign; a new connection while another TCP request is in flight is not. */
        kd_req *r = pending_request(eng, &obs->src, &obs->dst);
        gboolean fallback = r && r->transport == KD_TRANSPORT_UDP && kd_time_diff(obs->time_us, r->time_us) >= G_USEC_PER_SEC / 2;
        kd_finding *f = unanswered_series(eng, &obs->src, &obs->dst, r, fallback);
        kd_finding_evidence(f, obs->frame, "the client tries TCP port 88 on %s", kd_addr_to_str(&obs->dst, b, sizeof b));
        break;
    }
    case KD_NET_TCP_RESET: {
        /* Only a reset that refuses a connection attempt counts: Windows KDCs reset
         * every connection after answering on it. */
        char *key = g_strdup_printf("syn|%s|%u", kd_addr_to_str(&obs->dst, b, sizeof b), obs->dport);
        gboolean attempt = kd_counter_get(eng, key) != NULL;
        g_free(key);
        key = g_strdup_printf("tcpreq|%s|%u", b, obs->dport);
        gboolean used = kd_counter_get(eng, key) != NULL;
        g_free(key);
        if (!attempt || used)
            break;
        kd_finding *f = unanswered_series(eng, &obs->dst, &obs->src, pending_request(eng, &obs->dst, &obs->src), TRUE);
        kd_finding_evidence(f, obs->frame, "%s refuses TCP port 88 (reset)", kd_addr_to_str(&obs->src, b, sizeof b));
        break;
    }
    }
}
