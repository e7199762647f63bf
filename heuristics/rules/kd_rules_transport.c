/* kd_rules_transport.c
 * A KDC that does not answer: retransmitted requests, ICMP errors, TCP attempts
 * and resets on port 88, gathered into one finding per client and KDC; and the
 * client's recovery from it (another KDC answers, UDP answers what TCP did not).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"

static char *
addr_text(const kd_addr *a)
{
    char b[48];
    return g_strdup(kd_addr_to_str(a, b, sizeof b));
}

/* The open "KDC does not answer" series of a client and a KDC (the client's latest
 * series is also kept by client alone, for an answer from another KDC): the finding sits on
 * the first unanswered request; later signs (retransmissions, ICMP errors, TCP
 * attempts and resets) are added to it as evidence. The frame that opens the
 * series (`deciding`) carries a finding of its own, so that a single pass, which
 * has already shown the first request, still reports it. */
static kd_finding *
unanswered_series(const kd_ctx *ctx, const kd_addr *client, const kd_addr *kdc, const kd_req *first, gboolean create,
                  guint32 deciding, const char *why)
{
    kd_key key;
    const char *subject = kd_key_pair(&key, client, kdc);
    kd_finding *f = NULL;
    if (kd_wait_pending(ctx->findings, KD_WAIT_UNANSWERED, subject)) {
        f = kd_wait_peek(ctx->findings, KD_WAIT_UNANSWERED, subject);
    } else if (create && first && !kd_addr_is_nowhere(kdc)) {
        f = kd_finding_add(ctx->findings, first->frame, KD_CAUSE_KDC_UNREACHABLE, KD_CONF_LIKELY, -1,
                           first->sname, first->cname);
        if (f) {
            kd_wait_set(ctx->findings, KD_WAIT_UNANSWERED, subject, first->frame);
            char *ctext = addr_text(client);
            kd_wait_set(ctx->findings, KD_WAIT_UNANSWERED_CLIENT, ctext, first->frame);
            g_free(ctext);
            char b[48];
            kd_addr_to_str(kdc, b, sizeof b);
            kd_finding_peer(f, b);
            kd_finding_summary(f, "KDC %s did not answer the %s for %s", b, kd_msg_name(first->msg_type),
                               first->sname ? first->sname : "?");
            kd_finding_evidence(f, first->frame, "%s with no answer", kd_msg_name(first->msg_type));
            if (deciding && deciding != first->frame) {
                kd_finding *d = kd_finding_add(ctx->findings, deciding, KD_CAUSE_KDC_UNREACHABLE, KD_CONF_LIKELY, -1,
                                               first->sname, first->cname);
                if (d) {
                    d->restates = first->frame;
                    kd_finding_peer(d, b);
                    kd_finding_summary(d, "%s: KDC %s is not answering the %s in frame %u", why, b,
                                       kd_msg_name(first->msg_type), first->frame);
                    kd_finding_evidence(d, first->frame, "%s with no answer", kd_msg_name(first->msg_type));
                    char *ct = addr_text(client);
                    kd_wait_set(ctx->findings, KD_WAIT_UNANSWERED_DECIDED, ct, deciding);
                    g_free(ct);
                }
            }
        }
    }
    kd_key_done(&key);
    return f;
}

/* "<tag>|<address>|<port>": a counter about the TCP connection from that end
 * ("syn": an attempt, "tcpreq": it carried a request). */
static const char *
conn_end_key(kd_key *key, const char *tag, const kd_addr *a, guint16 port)
{
    kd_key_init(key);
    kd_key_str(key, tag);
    kd_key_addr(key, a);
    kd_key_uint(key, port);
    return kd_key_text(key);
}

/* "tcpfb|<frame>": the counter marking a UDP request (its frame) that repeats an
 * unanswered TCP attempt. */
static const char *
fallback_key(kd_key *key, guint32 frame)
{
    kd_key_init(key);
    kd_key_str(key, "tcpfb");
    kd_key_uint(key, frame);
    return kd_key_text(key);
}

static gboolean
same_names(const char *a, const char *b)
{
    return g_ascii_strcasecmp(a ? a : "", b ? b : "") == 0;
}

/* Any answer from a KDC (reply or error) closes the client's open series with that
 * KDC. An answer from another KDC to the question the series is about is a
 * failover: the client recovered. An answer over UDP while the KDC leaves TCP
 * unanswered recovers the TCP attempts. */
static void
transport_on_kdc_answer(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    if (ev->kind != KD_EV_KDC_REPLY && obs->u.krb.carrier != KD_CARRIER_KDC)
        return;
    kd_key key;
    const char *subject = kd_key_pair(&key, &obs->dst, &obs->src);
    char client[48], b[48];
    kd_addr_to_str(&obs->dst, client, sizeof client);
    kd_addr_to_str(&obs->src, b, sizeof b);
    if (kd_wait_pending(ctx->findings, KD_WAIT_UNANSWERED, subject)) {
        kd_wait_cancel(ctx->findings, KD_WAIT_UNANSWERED, subject);
        kd_wait_cancel(ctx->findings, KD_WAIT_UNANSWERED_DECIDED, client);
        kd_wait_cancel(ctx->findings, KD_WAIT_UNANSWERED_CLIENT, client);
    } else {
        kd_finding *f = kd_wait_peek(ctx->findings, KD_WAIT_UNANSWERED_CLIENT, client);
        const kd_req *req = ev->req;
        if (f && req && !req->partial && same_names(f->spn, req->sname) && same_names(f->client, req->cname)) {
            char *role = g_strdup_printf("KDC %s answers the same %s: the client fails over", b,
                                         kd_msg_name(req->msg_type));
            kd_finding_recovered(f, obs->frame, "%s", role);
            kd_finding_recovered(kd_wait_peek(ctx->findings, KD_WAIT_UNANSWERED_DECIDED, client), obs->frame, "%s", role);
            g_free(role);
        }
    }
    if (obs->transport == KD_TRANSPORT_UDP && ev->req) {
        kd_key fkey;
        gboolean fell_back = kd_store_counter(ctx->store, fallback_key(&fkey, ev->req->frame)) != NULL;
        kd_key_done(&fkey);
        if (fell_back)
            kd_finding_recovered(kd_wait_peek(ctx->findings, KD_WAIT_TCP_DROPPED, subject), obs->frame,
                                 "KDC %s answers the request over UDP", b);
    }
    kd_key_done(&key);
}

/* A UDP request repeating a TCP attempt the KDC left unanswered: TCP to port 88 is
 * dropped on the way or not served. One note per client and KDC gathers every such
 * attempt; the UDP answers recover it. */
static gboolean
tcp_fallback(const kd_ctx *ctx, const kd_obs *obs, const kd_req *req)
{
    if (obs->transport != KD_TRANSPORT_UDP)
        return FALSE;
    kd_key key;
    const char *subject = kd_key_pair(&key, &obs->src, &obs->dst);
    /* A KDC that answers nothing at all is the series' business. */
    gboolean silent = kd_wait_pending(ctx->findings, KD_WAIT_UNANSWERED, subject);
    kd_tcp_attempt *att = silent ? NULL : kd_store_tcp_fallback(ctx->store, req);
    if (!att) {
        kd_key_done(&key);
        return FALSE;
    }
    att->fell_back = TRUE;
    kd_key fkey;
    kd_store_count(ctx->store, fallback_key(&fkey, req->frame), obs->frame);
    kd_key_done(&fkey);
    guint32 at = att->req ? att->req->frame : att->frame;
    kd_finding *f = kd_wait_peek(ctx->findings, KD_WAIT_TCP_DROPPED, subject);
    char b[48];
    kd_addr_to_str(&obs->dst, b, sizeof b);
    if (!f) {
        f = kd_finding_add(ctx->findings, at, KD_CAUSE_KDC_UNREACHABLE, KD_CONF_LIKELY, -1, req->sname, req->cname);
        kd_finding_peer(f, b);
        kd_finding_summary(f, "KDC %s does not answer over TCP: the client asks again over UDP", b);
        kd_finding_detail(f, "transport: TCP port 88 unanswered, UDP port 88 answers");
        if (f)
            kd_wait_set(ctx->findings, KD_WAIT_TCP_DROPPED, subject, at);
    }
    /* Per attempt, the unanswered TCP side and (on recovery) the UDP answer: each
     * attempt counts alike in the few evidence slots. */
    if (att->req)
        kd_finding_evidence(f, att->req->frame, "%s over TCP with no answer; the client repeats it over UDP in frame %u",
                            kd_msg_name(att->req->msg_type), obs->frame);
    else
        kd_finding_evidence(f, att->frame, "TCP connection attempt to port 88 on %s with no answer; the client "
                            "asks over UDP in frame %u", b, obs->frame);
    kd_key_done(&key);
    return TRUE;
}

/* A request repeating the client's previous unanswered one is a retransmission. */
static void
transport_on_request(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_req *req = ev->req, *prev = ev->prev;
    if (obs->transport == KD_TRANSPORT_TCP) {
        /* This connection carried a request: a reset on it is not a refusal. */
        kd_key key;
        kd_store_count(ctx->store, conn_end_key(&key, "tcpreq", &obs->src, obs->sport), obs->frame);
        kd_key_done(&key);
    }
    if (tcp_fallback(ctx, obs, req))
        return;
    if (!prev || prev->msg_type != req->msg_type || g_strcmp0(prev->sname, req->sname) != 0 ||
        g_strcmp0(prev->cname, req->cname) != 0)
        return;
    /* Clients wait about a second before retrying; a quicker repeat is a second
     * question (MIT asks again with other options), not a retransmission. */
    if (kd_time_diff(req->time_us, prev->time_us) < G_USEC_PER_SEC / 2)
        return;
    char b[48];
    kd_finding *f = unanswered_series(ctx, &obs->src, &obs->dst, prev, TRUE, obs->frame, "Request retransmitted");
    kd_finding_evidence(f, obs->frame, "%s retransmitted to %s", kd_msg_name(req->msg_type),
                        kd_addr_to_str(&obs->dst, b, sizeof b));
}

static void
transport_on_transport(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_transport_ev *net = &obs->u.net;
    kd_store *st = ctx->store;
    char b[48];
    kd_key key;
    switch (net->event) {
    case KD_NET_ICMP_UNREACHABLE: {
        /* The ICMP error goes back to the client that sent the request. */
        kd_req *r = kd_store_pending_request(st, &obs->dst, &net->kdc);
        kd_finding *f = unanswered_series(ctx, &obs->dst, &net->kdc, r, TRUE, obs->frame, "ICMP destination unreachable");
        if (r && f && r->frame != f->frame)
            kd_finding_evidence(f, r->frame, "%s to the same KDC, again unanswered", kd_msg_name(r->msg_type));
        char kb[48];    /* a buffer per address: both go into one line */
        kd_finding_evidence(f, obs->frame, "ICMP destination unreachable from %s for the request to %s",
                            kd_addr_to_str(&obs->src, b, sizeof b), kd_addr_to_str(&net->kdc, kb, sizeof kb));
        break;
    }
    case KD_NET_TCP_SYN: {
        /* One piece of evidence per connection attempt, not per SYN retransmission. */
        conn_end_key(&key, "syn", &obs->src, obs->sport);
        gboolean seen = kd_store_counter(st, kd_key_text(&key)) != NULL;
        kd_store_count(st, kd_key_text(&key), obs->frame);
        kd_key_done(&key);
        if (seen)
            break;
        /* A client falling back to TCP a while after an unanswered UDP request is a
         * sign; a new connection while another TCP request is in flight is not. */
        kd_req *r = kd_store_pending_request(st, &obs->src, &obs->dst);
        gboolean fallback = r && r->transport == KD_TRANSPORT_UDP && kd_time_diff(obs->time_us, r->time_us) >= G_USEC_PER_SEC / 2;
        kd_finding *f = unanswered_series(ctx, &obs->src, &obs->dst, r, fallback, obs->frame,
                                          "UDP request unanswered, the client tries TCP");
        kd_finding_evidence(f, obs->frame, "the client tries TCP port 88 on %s", kd_addr_to_str(&obs->dst, b, sizeof b));
        break;
    }
    case KD_NET_TCP_RESET: {
        /* Only a reset that refuses a connection attempt counts: Windows KDCs reset
         * every connection after answering on it. */
        gboolean attempt = kd_store_counter(st, conn_end_key(&key, "syn", &obs->dst, obs->dport)) != NULL;
        kd_key_done(&key);
        gboolean used = kd_store_counter(st, conn_end_key(&key, "tcpreq", &obs->dst, obs->dport)) != NULL;
        kd_key_done(&key);
        if (!attempt || used)
            break;
        kd_finding *f = unanswered_series(ctx, &obs->dst, &obs->src, kd_store_pending_request(st, &obs->dst, &obs->src),
                                          TRUE, obs->frame, "TCP port 88 refused");
        kd_finding_evidence(f, obs->frame, "%s refuses TCP port 88 (reset)", kd_addr_to_str(&obs->src, b, sizeof b));
        break;
    }
    case KD_NET_TCP_PARTIAL_REQUEST: {
        /* A request went over this connection, readable or not. */
        kd_store_count(st, conn_end_key(&key, "tcpreq", &obs->src, obs->sport), obs->frame);
        kd_key_done(&key);
        break;
    }
    case KD_NET_TCP_SELF_CONNECT:
    case KD_NET_TCP_LOST_SEGMENT:
        break;      /* facts of any connection, kept by the store for the DCE/RPC rules */
    }
}

static const kd_rule rules[] = {
    KD_RULE(KD_EV_KDC_REPLY, KD_PRIO_NOTE, transport_on_kdc_answer, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_KDC_ERROR, KD_PRIO_NOTE, transport_on_kdc_answer, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_SERVICE_ERROR, KD_PRIO_NOTE, transport_on_kdc_answer, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_KDC_REQUEST, KD_PRIO_SPECIFIC, transport_on_request, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_TRANSPORT, KD_PRIO_SPECIFIC, transport_on_transport, KD_RUN_ALWAYS),
};

const kd_rule_table kd_rules_transport = { "transport", rules, G_N_ELEMENTS(rules) };
