/* kd_rules_rpc.c
 * Failures surfacing in DCE/RPC and DCOM: calls failing with 0x721.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"


static const kd_finding *
first_finding(const kd_ctx *ctx, guint32 frame)
{
    return kd_findings_count(ctx->findings, frame) ? kd_finding_lookup(ctx->findings, frame, 0) : NULL;
}

/* 0x721 from an address that the ServerAlive2 answer of another host listed: DCOM
 * sent the client to an address that is not that server's. When the connection goes
 * from an address to itself, or the client announced the address in a ServerAlive2
 * answer of its own, the client connected to itself: that is decisive, with or
 * without a KRB-ERROR on the wire. FALSE when the fault is not from such an address. */
static gboolean
shared_address_fault(const kd_ctx *ctx, const kd_obs *obs, const kd_req *ap)
{
    kd_store *st = ctx->store;
    const kd_binding_rec *b = kd_store_shared_binding(st, &obs->src);
    if (!b)
        return FALSE;
    const kd_conn_rec *conn = kd_store_conn(st, obs);
    const gboolean self = kd_addr_equal(&obs->src, &obs->dst);
    const guint32 owned = self ? 0 : kd_store_announced_by(st, &obs->src, &obs->dst);
    const char *spn = ap && ap->ticket.present ? ap->ticket.sname : NULL;
    const char *client = spn ? kd_store_issued_client(st, spn, &obs->dst) : NULL;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_SHARED_ADDRESS_LOOPBACK, KD_CONF_CONFIRMED, -1,
                                   spn, client);
    if (!f)
        return TRUE;
    char addr[48], cl[48], srv[48];
    kd_addr_to_str(&obs->src, addr, sizeof addr);
    kd_addr_to_str(&obs->dst, cl, sizeof cl);
    GString *who = g_string_new(NULL);
    guint32 listed = 0;
    for (guint i = 0; i < b->n; i++) {
        kd_addr_to_str(&b->servers[i], srv, sizeof srv);
        if (kd_addr_equal(&b->servers[i], &obs->dst) || kd_addr_equal(&b->servers[i], &obs->src)) {
            kd_finding_evidence(f, b->frames[i], "ServerAlive2 response from %s (the client) lists %s as its own", srv,
                                addr);
            continue;
        }
        kd_finding_evidence(f, b->frames[i], "ServerAlive2 response from %s lists %s", srv, addr);
        g_string_append_printf(who, "%s%s", who->len ? ", " : "", srv);
        listed = listed ? listed : b->frames[i];
    }
    if (conn && conn->self_syn_frame && conn->self_syn_frame < obs->frame)
        kd_finding_evidence(f, conn->self_syn_frame, "first SYN of the connection from %s to itself", addr);
    if (ap && ap->ticket.present)
        kd_finding_evidence(f, ap->frame, "AP-REQ: ticket for %s (kvno %" G_GINT64_FORMAT ") presented on this "
                            "connection", spn ? spn : "?", ap->ticket.kvno);

    /* What would show the loop wrong: the client does not own the address, nobody
     * else announced it, or the service there took the ticket after all. */
    kd_claim claim;
    kd_claim_init(&claim);
    guint own = kd_claim_declare(&claim, "the fault's connection is not to the client's own address");
    if (self || owned)
        kd_claim_result(&claim, own, FALSE);
    kd_claim_check(&claim, "no other host answered ServerAlive2 with this address", who->len == 0);
    kd_claim_check(&claim, "the service accepted a ticket on this connection before the fault",
                   conn && conn->ap_rep_frame && conn->ap_rep_frame < obs->frame);
    kd_finding_confirm(f, &claim);

    if (self)
        kd_finding_summary(f, "0x%08X on a connection from %s to itself: DCOM server %s listed %s in its "
                           "ServerAlive2 answer (frame %u), an address the client owns too. The client connected "
                           "there, reached its own service and presented its ticket for %s, which its own service "
                           "cannot decrypt (no KRB-ERROR on the wire)", obs->u.dcerpc.status, addr, who->str, addr,
                           listed, spn ? spn : "the DCOM server");
    else
        kd_finding_summary(f, "0x%08X from %s, an address DCOM server %s listed in its ServerAlive2 answer (frame %u) "
                           "without answering there: the client was sent to an address that is not that server's%s "
                           "(no KRB-ERROR on the wire)", obs->u.dcerpc.status, addr, who->str, listed,
                           owned ? "; the client announced it as its own, so it connected to itself" : "");
    if (!self && !owned)
        kd_finding_set_missing(f, "the client's own addresses (ipconfig /all), or its own ServerAlive2 answer in a "
                               "capture, show whether it connected to itself");
    kd_finding_detail(f, "shared address: %s", addr);
    kd_finding_rpc_status(f, obs->u.dcerpc.status);
    g_string_free(who, TRUE);
    return TRUE;
}

static const char *
auth_level_name(guint8 level)
{
    return level == RPC_C_AUTHN_LEVEL_PKT_PRIVACY ? "sealed (auth level packet privacy)"
                                                   : "signed (auth level packet integrity)";
}

/* 0x721 after the service accepted the ticket on this connection (AP-REP in the
 * bind_ack or alter_context_resp) for a context whose requests are signed or sealed:
 * a request failed its per-message check; the ticket was fine. The capture losing
 * segments of the connection leaves that open. FALSE when it is not this case. */
static gboolean
message_check_failed(const kd_ctx *ctx, const kd_obs *obs, const kd_req *ap)
{
    kd_store *st = ctx->store;
    const kd_dcerpc *d = &obs->u.dcerpc;
    const kd_conn_rec *conn = kd_store_conn(st, obs);
    if (!conn || !conn->ap_rep_frame || conn->ap_rep_frame >= obs->frame ||
        (conn->ap_rep_pdu != DCERPC_PKT_BIND_ACK && conn->ap_rep_pdu != DCERPC_PKT_ALTER_CONTEXT_RESP))
        return FALSE;
    if (ap && ap->frame > conn->ap_rep_frame)
        return FALSE;           /* a new AP-REQ after the AP-REP, not answered yet */
    /* Every request of the context is protected at the level its bind (or
     * alter_context) set; a fault with a verifier of its own shows it too. */
    const guint8 level = ap && ap->rpc_auth_level ? ap->rpc_auth_level : d->auth_level;
    if (level < RPC_C_AUTHN_LEVEL_PKT_INTEGRITY)
        return FALSE;
    const gboolean lost = conn->gap_frame && conn->gap_frame <= obs->frame;
    const char *spn = ap && ap->ticket.present ? ap->ticket.sname : NULL;
    const char *client = spn ? kd_store_issued_client(st, spn, &obs->dst) : NULL;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_RPC_MESSAGE_CHECK_FAILED,
                                   lost ? KD_CONF_POSSIBLE : KD_CONF_LIKELY, -1, spn, client);
    if (!f)
        return TRUE;
    const char *pdu = conn->ap_rep_pdu == DCERPC_PKT_BIND_ACK ? "bind_ack" : "alter_context_resp";
    GString *sum = g_string_new(NULL);
    g_string_append_printf(sum, "0x%08X on a %s request after the service accepted the Kerberos ticket for %s "
                           "(AP-REP in the %s, frame %u): a per-message integrity failure (the request's signature, "
                           "sequence number or sealing did not check out), not a refused ticket", d->status,
                           auth_level_name(level), spn ? spn : "this connection", pdu, conn->ap_rep_frame);
    if (lost)
        g_string_append_printf(sum, "; the capture lost segments of this connection (frame %u), so what the server "
                               "received cannot be checked and the loss may hide another cause", conn->gap_frame);
    kd_finding_summary(f, "%s", sum->str);
    g_string_free(sum, TRUE);
    if (ap && ap->ticket.present)
        kd_finding_evidence(f, ap->frame, "AP-REQ: ticket for %s (kvno %" G_GINT64_FORMAT ") presented on this "
                            "connection", spn ? spn : "?", ap->ticket.kvno);
    kd_finding_evidence(f, conn->ap_rep_frame, "AP-REP in the %s: the service accepts the ticket", pdu);
    if (lost)
        kd_finding_evidence(f, conn->gap_frame, "TCP analysis: segments of this connection missing from the capture");
    kd_finding_alternative(f, KD_CAUSE_SEC_PKG_ERROR);
    kd_finding_rpc_status(f, d->status);
    kd_finding_detail(f, "auth level: %u", level);
    kd_finding_set_missing(f, lost ? "a capture without lost segments (capture on the server itself, larger "
                                     "buffers) shows the failing request whole; the server's System log names the call"
                                   : "a capture on both ends at once shows whether the request arrived as it was "
                                     "sent; the server's System log names the failing call");
    return TRUE;
}

/* RPC_S_SEC_PKG_ERROR in a fault or response: the Kerberos failure beneath it. */
/* The Kerberos failure of the calling client just before this fault, unless the
 * client recovered from it; `rec` gets its record when the store still holds it. */
static const kd_counter *
failure_beneath(const kd_ctx *ctx, const kd_obs *obs, const kd_failure_rec **rec)
{
    /* A fault travels from the server to the client. */
    const kd_counter *c = kd_store_recent_failure(ctx->store, &obs->dst, &obs->src);
    *rec = NULL;
    if (c) {
        const kd_failure_rec *recs[KD_CLIENT_FAILURES];
        guint nr = kd_store_client_failures(ctx->store, &obs->dst, recs, G_N_ELEMENTS(recs));
        for (guint i = 0; i < nr && !*rec; i++)
            *rec = recs[i]->frame == c->last_frame ? recs[i] : NULL;
        /* A failure the client recovered from (it got the ticket, or a service took
         * one for that name) is not what this call fails on. */
        if (*rec && (*rec)->recovered_frame && (*rec)->recovered_frame < obs->frame)
            c = NULL;
    }
    return c;
}

/* The fault inherits the Kerberos failure `why` beneath it: confirmed unless that
 * failure was with another server, or a ticket was accepted here after it. */
static void
explain_by_failure(const kd_ctx *ctx, kd_finding *f, const kd_obs *obs, const kd_finding *why,
                   const kd_counter *c, const kd_failure_rec *rec)
{
    kd_finding_summary(f, "0x%08X because of the Kerberos failure in frame %u; likely cause: %s", obs->u.dcerpc.status,
                       c->last_frame, kd_catalog[why->cause].title);
    kd_finding_inherit(f, why, c->last_frame, "the Kerberos failure beneath this RPC error");
    /* The failure is this call's when it was with this server (or for it), and
     * no ticket was accepted here after it. */
    kd_claim claim;
    kd_claim_init(&claim);
    guint other = kd_claim_declare(&claim, "the Kerberos failure was for another server than this call's");
    if (rec) {
        kd_obs call = *obs;
        call.src = obs->dst;
        call.dst = obs->src;
        call.sport = obs->dport;
        call.dport = obs->sport;
        char *host = kd_spn_host(rec->sname);
        gboolean here = kd_addr_equal(&rec->server, &obs->src) ||
                        (host && kd_store_target_shown(ctx->store, &call, host));
        g_free(host);
        kd_claim_result(&claim, other, !here);
    }
    const kd_accept *acc = why->spn ? kd_store_accepted(ctx->store, why->spn, &obs->src) : NULL;
    kd_claim_check(&claim, "the service accepted a ticket after the Kerberos failure",
                   acc && acc->frame > c->last_frame);
    kd_finding_confirm(f, &claim);
}

/* No KRB-ERROR, but the service got a ticket on this connection just before: it
 * refused it, or took it and the call failed later. */
static void
explain_by_ticket(const kd_ctx *ctx, kd_finding *f, const kd_obs *obs, const kd_req *ap)
{
    const guint32 status = obs->u.dcerpc.status;
    const char *spn = ap->ticket.sname;
    g_free(f->spn);
    f->spn = g_strdup(spn);
    if (!f->client && spn) {
        const char *cl = kd_store_issued_client(ctx->store, spn, &obs->dst);
        f->client = g_strdup(cl);
    }
    kd_finding_evidence(f, ap->frame, "AP-REQ: ticket for %s (kvno %" G_GINT64_FORMAT ") presented on this connection",
                        spn ? spn : "?", ap->ticket.kvno);
    const kd_accept *acc = spn ? kd_store_accepted(ctx->store, spn, &obs->src) : NULL;
    if (acc && acc->frame > ap->frame && acc->frame < obs->frame) {
        /* The service answered the AP-REQ with an AP-REP: it took the ticket. The
         * call fails later (per-message protection, or what the capture lost). */
        f->confidence = KD_CONF_POSSIBLE;
        kd_finding_summary(f, "0x%08X after the service accepted the Kerberos ticket for %s (AP-REP in frame %u): "
                           "authentication succeeded; the failure is in a later call (message protection, or "
                           "an incomplete capture), not the ticket", status, spn ? spn : "?", acc->frame);
        kd_finding_evidence(f, acc->frame, "AP-REP: the service accepts the ticket");
        kd_finding_set_missing(f, "a complete capture of the call (no lost segments) and the server's own log "
                               "tell why the call failed");
    } else {
        kd_finding_summary(f, "0x%08X: the service refused the Kerberos ticket for %s presented in frame %u "
                           "(no KRB-ERROR on the wire)", status, spn ? spn : "?", ap->frame);
        if (spn)
            kd_finding_issue_evidence(f, kd_store_issued_to(ctx->store, spn, &obs->dst), spn);
        kd_finding_set_missing(f, "the server's own log (or a capture with its keytab, kerberos.decrypt) tells why "
                               "it refused the ticket");
    }
}

static void
rpc_on_dcerpc(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_dcerpc *d = &obs->u.dcerpc;
    /* A bind_nak is a refused ticket, not a status (the service rules read it). */
    if (d->pkt_type == DCERPC_PKT_BIND_NAK || !d->has_status)
        return;
    if (!kd_is_sec_pkg_error(d->status))
        return;
    const kd_failure_rec *rec;
    const kd_counter *c = failure_beneath(ctx, obs, &rec);
    kd_req *ap = kd_store_ap_request(ctx->store, obs);
    const kd_finding *why = c ? first_finding(ctx, c->last_frame) : NULL;
    /* No Kerberos failure beneath it: what the connection itself shows. */
    if (!why && (shared_address_fault(ctx, obs, ap) || message_check_failed(ctx, obs, ap)))
        return;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_SEC_PKG_ERROR, KD_CONF_LIKELY,
                                   -1, why ? why->spn : NULL, why ? why->client : NULL);
    if (!f)
        return;
    kd_finding_rpc_status(f, d->status);
    if (why) {
        explain_by_failure(ctx, f, obs, why, c, rec);
    } else if (ap && ap->ticket.present) {
        explain_by_ticket(ctx, f, obs, ap);
    } else {
        f->confidence = KD_CONF_POSSIBLE;
        kd_finding_summary(f, "0x%08X with no Kerberos failure in sight", d->status);
        kd_finding_set_missing(f, "capture on both the client and the server from before the call (klist purge "
                               "first) so the ticket request and the authentication are visible");
    }
}

static const kd_rule rules[] = {
    KD_RULE(KD_EV_DCERPC, KD_PRIO_SPECIFIC, rpc_on_dcerpc, KD_RUN_ALWAYS),
};

const kd_rule_table kd_rules_rpc = { "rpc", rules, G_N_ELEMENTS(rules) };
