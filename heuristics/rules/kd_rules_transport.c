/* kd_rules_transport.c
 * A KDC that does not answer: retransmitted requests, ICMP errors, TCP attempts
 * and resets on port 88, gathered into one finding per client and KDC.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"

/* The open "KDC does not answer" series of a client and a KDC: the finding sits on
 * the first unanswered request; later signs (retransmissions, ICMP errors, TCP
 * attempts and resets) are added to it as evidence. */
static kd_finding *
unanswered_series(const kd_ctx *ctx, const kd_addr *client, const kd_addr *kdc, const kd_req *first, gboolean create)
{
    char *subject = kd_addr_pair_text(client, kdc);
    kd_finding *f = NULL;
    if (kd_wait_pending(ctx->findings, KD_WAIT_UNANSWERED, subject)) {
        f = kd_wait_peek(ctx->findings, KD_WAIT_UNANSWERED, subject);
    } else if (create && first) {
        f = kd_finding_add(ctx->findings, first->frame, KD_CAUSE_KDC_UNREACHABLE, KD_CONF_LIKELY, -1,
                           first->sname, first->cname);
        if (f) {
            kd_wait_set(ctx->findings, KD_WAIT_UNANSWERED, subject, first->frame);
            char b[48];
            kd_finding_summary(f, "KDC %s did not answer the %s for %s", kd_addr_to_str(kdc, b, sizeof b),
                               kd_msg_name(first->msg_type), first->sname ? first->sname : "?");
            kd_finding_evidence(f, first->frame, "%s with no answer", kd_msg_name(first->msg_type));
        }
    }
    g_free(subject);
    return f;
}

/* Any answer from a KDC (reply or error) closes the client's open series. */
static void
on_kdc_answer(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    if (ev->kind != KD_EV_KDC_REPLY && obs->u.krb.carrier != KD_CARRIER_KDC)
        return;
    char *subject = kd_addr_pair_text(&obs->dst, &obs->src);
    kd_wait_cancel(ctx->findings, KD_WAIT_UNANSWERED, subject);
    g_free(subject);
}

/* A request repeating the client's previous unanswered one is a retransmission. */
static void
on_request(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_req *req = ev->req, *prev = ev->prev;
    if (obs->transport == KD_TRANSPORT_TCP) {
        /* This connection carried a request: a reset on it is not a refusal. */
        char a[48];
        char *key = g_strdup_printf("tcpreq|%s|%u", kd_addr_to_str(&obs->src, a, sizeof a), obs->sport);
        kd_store_count(ctx->store, key, obs->frame);
        g_free(key);
    }
    if (!prev || prev->msg_type != req->msg_type || g_strcmp0(prev->sname, req->sname) != 0 ||
        g_strcmp0(prev->cname, req->cname) != 0)
        return;
    /* Clients wait about a second before retrying; a quicker repeat is a second
     * question (MIT asks again with other options), not a retransmission. */
    if (kd_time_diff(req->time_us, prev->time_us) < G_USEC_PER_SEC / 2)
        return;
    char b[48];
    kd_finding *f = unanswered_series(ctx, &obs->src, &obs->dst, prev, TRUE);
    kd_finding_evidence(f, obs->frame, "%s retransmitted to %s", kd_msg_name(req->msg_type),
                        kd_addr_to_str(&obs->dst, b, sizeof b));
}

static void
on_transport(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_transport_ev *net = &obs->u.net;
    kd_store *st = ctx->store;
    char b[48];
    switch (net->event) {
    case KD_NET_ICMP_UNREACHABLE: {
        /* The ICMP error goes back to the client that sent the request. */
        kd_req *r = kd_store_pending_request(st, &obs->dst, &net->kdc);
        kd_finding *f = unanswered_series(ctx, &obs->dst, &net->kdc, r, TRUE);
        if (r && f && r->frame != f->frame)
            kd_finding_evidence(f, r->frame, "%s to the same KDC, again unanswered", kd_msg_name(r->msg_type));
        kd_finding_evidence(f, obs->frame, "ICMP destination unreachable from %s for the request to %s",
                            kd_addr_to_str(&obs->src, b, sizeof b), kd_addr_to_str(&net->kdc, b, sizeof b));
        break;
    }
    case KD_NET_TCP_SYN: {
        /* One piece of evidence per connection attempt, not per SYN retransmission. */
        char *key = g_strdup_printf("syn|%s|%u", kd_addr_to_str(&obs->src, b, sizeof b), obs->sport);
        gboolean seen = kd_store_counter(st, key) != NULL;
        kd_store_count(st, key, obs->frame);
        g_free(key);
        if (seen)
            break;
        /* A client falling back to TCP a while after an unanswered UDP request is a
         * sign; a new connection while another TCP request is in flight is not. */
        kd_req *r = kd_store_pending_request(st, &obs->src, &obs->dst);
        gboolean fallback = r && r->transport == KD_TRANSPORT_UDP && kd_time_diff(obs->time_us, r->time_us) >= G_USEC_PER_SEC / 2;
        kd_finding *f = unanswered_series(ctx, &obs->src, &obs->dst, r, fallback);
        kd_finding_evidence(f, obs->frame, "the client tries TCP port 88 on %s", kd_addr_to_str(&obs->dst, b, sizeof b));
        break;
    }
    case KD_NET_TCP_RESET: {
        /* Only a reset that refuses a connection attempt counts: Windows KDCs reset
         * every connection after answering on it. */
        char *key = g_strdup_printf("syn|%s|%u", kd_addr_to_str(&obs->dst, b, sizeof b), obs->dport);
        gboolean attempt = kd_store_counter(st, key) != NULL;
        g_free(key);
        key = g_strdup_printf("tcpreq|%s|%u", b, obs->dport);
        gboolean used = kd_store_counter(st, key) != NULL;
        g_free(key);
        if (!attempt || used)
            break;
        kd_finding *f = unanswered_series(ctx, &obs->dst, &obs->src, kd_store_pending_request(st, &obs->dst, &obs->src), TRUE);
        kd_finding_evidence(f, obs->frame, "%s refuses TCP port 88 (reset)", kd_addr_to_str(&obs->src, b, sizeof b));
        break;
    }
    case KD_NET_TCP_PARTIAL_REQUEST: {
        /* A request went over this connection, readable or not. */
        char *key = g_strdup_printf("tcpreq|%s|%u", kd_addr_to_str(&obs->src, b, sizeof b), obs->sport);
        kd_store_count(st, key, obs->frame);
        g_free(key);
        break;
    }
    }
}

static const kd_rule rules[] = {
    { KD_EV_KDC_REPLY,     KD_PRIO_NOTE,     on_kdc_answer },
    { KD_EV_KDC_ERROR,     KD_PRIO_NOTE,     on_kdc_answer },
    { KD_EV_SERVICE_ERROR, KD_PRIO_NOTE,     on_kdc_answer },
    { KD_EV_KDC_REQUEST,   KD_PRIO_SPECIFIC, on_request },
    { KD_EV_TRANSPORT,     KD_PRIO_SPECIFIC, on_transport },
};

const kd_rule_table kd_rules_transport = { "transport", rules, G_N_ELEMENTS(rules) };
