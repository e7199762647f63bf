/* kd_rules_rpc.c
 * Failures surfacing in other protocols: NTLM fallback after a Kerberos failure,
 * DCE/RPC and DCOM calls failing with 0x721.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"

#include <string.h>


static const kd_finding *
first_finding(const kd_ctx *ctx, guint32 frame)
{
    return kd_findings_count(ctx->findings, frame) ? kd_finding_lookup(ctx->findings, frame, 0) : NULL;
}

/* "Shortly after": a client falls back to NTLM within milliseconds of the Kerberos
 * failure (the same logon attempt); one a minute later is another attempt. */
#define KD_FALLBACK_WINDOW_US (30 * G_USEC_PER_SEC)

/* The user part of a principal or NTLM user ("alice@EX.TEST", "EX\\alice" -> "alice"). */
static gboolean
same_account(const char *principal, const char *user)
{
    const char *u = strrchr(user, '\\');
    u = u ? u + 1 : user;
    gsize lp = strcspn(principal, "@"), lu = strcspn(u, "@");
    return lp == lu && g_ascii_strncasecmp(principal, u, lp) == 0;
}

/* How a Kerberos failure relates to the host an NTLM logon goes to. */
typedef enum {
    TARGET_OTHER,       /* another target: not this logon's cause */
    TARGET_UNSHOWN,     /* could be it; the capture does not show the link */
    TARGET_SHOWN        /* the capture shows the NTLM target is the Kerberos target */
} target_link;

static target_link
link_target(const kd_ctx *ctx, const kd_obs *ntlm, const kd_failure_rec *k, guint32 *shown_frame)
{
    *shown_frame = 0;
    if (k->from_service) {
        if (!kd_addr_equal(&k->server, &ntlm->dst))
            return TARGET_OTHER;
        *shown_frame = k->frame;     /* the service itself refused the ticket */
        return TARGET_SHOWN;
    }
    /* No TGT (or no name at all): every service is out of Kerberos' reach. */
    if (!k->sname || g_ascii_strncasecmp(k->sname, "krbtgt/", 7) == 0)
        return TARGET_UNSHOWN;
    char *host = kd_spn_host(k->sname);
    /* A single name (a user principal, "pgustavo") names an account, not a host. */
    if (!host)
        return TARGET_UNSHOWN;
    target_link link = TARGET_UNSHOWN;
    kd_addr lit;
    if (kd_addr_parse(host, &lit)) {
        link = kd_addr_equal(&lit, &ntlm->dst) ? TARGET_SHOWN : TARGET_OTHER;
        *shown_frame = link == TARGET_SHOWN ? k->frame : 0;
    } else if ((*shown_frame = kd_store_target_shown(ctx->store, ntlm, host)) != 0) {
        link = TARGET_SHOWN;
    } else if (kd_store_name_of(ctx->store, &ntlm->dst)) {
        link = TARGET_OTHER;        /* DNS names the NTLM target, and not as this host */
    }
    g_free(host);
    return link;
}

/* The first NTLM AUTHENTICATE on a connection: is it a fallback from a Kerberos
 * failure? Only when the same client logs on with an account (not anonymously),
 * as the same account where both show it, to the target Kerberos failed for,
 * shortly after a failure it did not recover from. */
/* The counter of one kind of NTLMSSP message on a connection. */
static char *
ntlm_key(guint32 type, const char *a, guint sport, const char *b, guint dport)
{
    return g_strdup_printf("rpc-ntlm%u|%s|%u|%s|%u", type, a, sport, b, dport);
}

/* The client's recent Kerberos failure an NTLM logon of `n` falls back from: same
 * account (when named), not recovered, within the window, for this host. */
static const kd_failure_rec *
fallback_failure(const kd_ctx *ctx, const kd_obs *obs, const kd_ntlmssp *n, target_link *link, guint32 *shown)
{
    const kd_failure_rec *recs[KD_CLIENT_FAILURES];
    guint nr = kd_store_client_failures(ctx->store, &obs->src, recs, G_N_ELEMENTS(recs));
    *link = TARGET_OTHER;
    for (guint i = 0; i < nr; i++) {
        const kd_failure_rec *r = recs[i];
        gint64 age = kd_time_diff(obs->time_us, r->time_us);
        if (r->frame >= obs->frame || age < 0 || age > KD_FALLBACK_WINDOW_US)
            continue;
        if (r->recovered_frame && r->recovered_frame < obs->frame)
            continue;               /* the client got its ticket after all */
        if (r->cname && !same_account(r->cname, n->user))
            continue;               /* another account's failure */
        *link = link_target(ctx, obs, r, shown);
        if (*link == TARGET_OTHER)
            continue;
        return r;
    }
    return NULL;
}

/* What would show the fallback wrong. */
static void
fallback_confirm(kd_finding *f, const kd_failure_rec *k, target_link link)
{
    kd_claim claim;
    kd_claim_init(&claim);
    kd_claim_check(&claim, "the NTLM logon is anonymous", FALSE);
    kd_claim_check(&claim, "the client recovered from the Kerberos failure before the NTLM logon", FALSE);
    kd_claim_check(&claim, "the Kerberos failure is more than 30 s before the NTLM logon", FALSE);
    guint acct = kd_claim_declare(&claim, "the Kerberos failure is another account's");
    if (k->cname != NULL)
        kd_claim_result(&claim, acct, FALSE);
    guint tgt = kd_claim_declare(&claim, "the NTLM logon goes to another host than the Kerberos request");
    if (link == TARGET_SHOWN)
        kd_claim_result(&claim, tgt, FALSE);
    kd_finding_confirm(f, &claim);
}

/* The fallback's summary and evidence; a and b are the client's and server's addresses. */
static void
fallback_explain(const kd_ctx *ctx, kd_finding *f, const kd_obs *obs, const kd_failure_rec *k, const kd_finding *why,
                 target_link link, guint32 shown, const char *a, const char *b)
{
    const kd_ntlmssp *n = &obs->u.ntlmssp;
    const char *dom = kd_str_empty(n->domain) ? "" : n->domain;
    GString *sum = g_string_new(NULL);
    g_string_append_printf(sum, "Kerberos failed (%s, frame %u) and %.3f s later the client logged on to %s with NTLM "
                           "as %s%s%s", why ? kd_catalog[why->cause].title : "for this client", k->frame,
                           (double)kd_time_diff(obs->time_us, k->time_us) / G_USEC_PER_SEC, b, dom, *dom ? "\\" : "",
                           n->user);
    if (link != TARGET_SHOWN)
        g_string_append_printf(sum, "; the capture does not show that %s is the host Kerberos asked a ticket for (%s)",
                               b, k->sname ? k->sname : "?");
    kd_finding_summary(f, "%s", sum->str);
    g_string_free(sum, TRUE);
    if (why)
        kd_finding_inherit(f, why, k->frame, "the Kerberos failure before the fallback");
    else
        kd_finding_evidence(f, k->frame, "the Kerberos failure before the fallback");
    if (shown && shown != k->frame && shown != obs->frame)
        kd_finding_evidence(f, shown, "shows %s is the host of %s", b, k->sname ? k->sname : "the request");
    char *nk = ntlm_key(NTLMSSP_NEGOTIATE_MESSAGE, a, obs->sport, b, obs->dport);
    const kd_counter *neg = kd_store_counter(ctx->store, nk);
    g_free(nk);
    if (neg)
        kd_finding_evidence(f, neg->first_frame, "NTLMSSP NEGOTIATE on this connection");
    kd_finding_detail(f, "NTLM account: %s%s%s", dom, *dom ? "\\" : "", n->user);
}

static void
rpc_on_ntlmssp(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_ntlmssp *n = &obs->u.ntlmssp;
    char a[48], b[48];
    kd_addr_to_str(&obs->src, a, sizeof a);
    kd_addr_to_str(&obs->dst, b, sizeof b);
    const guint32 type = n->message_type == NTLMSSP_AUTHENTICATE_MESSAGE ? NTLMSSP_AUTHENTICATE_MESSAGE
                                                                         : NTLMSSP_NEGOTIATE_MESSAGE;
    char *key = ntlm_key(type, a, obs->sport, b, obs->dport);
    gboolean again = kd_store_counter(ctx->store, key) != NULL;
    kd_store_count(ctx->store, key, obs->frame);
    g_free(key);
    if (n->message_type != NTLMSSP_AUTHENTICATE_MESSAGE || again)
        return;
    /* An anonymous session (NULL user, as SMB null sessions use) is no one's fallback. */
    if (kd_str_empty(n->user))
        return;
    target_link link;
    guint32 shown = 0;
    const kd_failure_rec *k = fallback_failure(ctx, obs, n, &link, &shown);
    if (!k)
        return;
    const kd_finding *why = first_finding(ctx, k->frame);
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_NTLM_FALLBACK, KD_CONF_LIKELY, -1,
                                   k->sname, k->cname ? k->cname : n->user);
    if (!f)
        return;
    fallback_confirm(f, k, link);
    fallback_explain(ctx, f, obs, k, why, link, shown, a, b);
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
    KD_RULE(KD_EV_NTLMSSP, KD_PRIO_SPECIFIC, rpc_on_ntlmssp, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_DCERPC, KD_PRIO_SPECIFIC, rpc_on_dcerpc, KD_RUN_ALWAYS),
};

const kd_rule_table kd_rules_rpc = { "rpc", rules, G_N_ELEMENTS(rules) };
