/* kd_rules_rpc.c
 * Failures surfacing in other protocols: NTLM fallback after a Kerberos failure,
 * DCE/RPC and DCOM calls failing with 0x721.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"

#define RPC_S_SEC_PKG_ERROR 0x00000721u
#define HRESULT_SEC_PKG_ERROR 0x80070721u

static const kd_finding *
first_finding(const kd_ctx *ctx, guint32 frame)
{
    return kd_findings_count(ctx->findings, frame) ? kd_finding_lookup(ctx->findings, frame, 0) : NULL;
}

/* The first NTLM message on a connection, after a Kerberos failure of its client. */
static void
on_ntlmssp(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    if (!ev->first)
        return;
    const kd_counter *c = kd_store_recent_failure(ctx->store, &obs->src, &obs->dst);
    if (!c)
        return;
    const kd_finding *why = first_finding(ctx, c->last_frame);
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_NTLM_FALLBACK, KD_CONF_CONFIRMED, -1,
                                   why ? why->spn : NULL, why ? why->client : NULL);
    if (!f)
        return;
    if (why) {
        kd_finding_summary(f, "Kerberos failed (%s) and the client fell back to NTLM", kd_catalog[why->cause].title);
        f->has_inherited = TRUE;
        f->inherited = why->cause;
        f->inherited_frame = c->last_frame;
        f->error_code = why->error_code;
    } else {
        kd_finding_summary(f, "Kerberos failed and the client fell back to NTLM");
    }
    kd_finding_evidence(f, c->last_frame, "the Kerberos failure before the fallback");
}

/* RPC_S_SEC_PKG_ERROR in a fault or response: the Kerberos failure beneath it. */
static void
on_dcerpc(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_dcerpc *d = &obs->u.dcerpc;
    /* A bind_nak is a refused ticket, not a status (the service rules read it). */
    if (d->pkt_type == KD_DCERPC_BIND_NAK || !d->has_status)
        return;
    if (d->status != RPC_S_SEC_PKG_ERROR && d->status != HRESULT_SEC_PKG_ERROR)
        return;
    /* A fault travels from the server to the client. */
    const kd_counter *c = kd_store_recent_failure(ctx->store, &obs->dst, &obs->src);
    const kd_failure_rec *rec = NULL;
    if (c) {
        const kd_failure_rec *recs[KD_CLIENT_FAILURES];
        guint nr = kd_store_client_failures(ctx->store, &obs->dst, recs, G_N_ELEMENTS(recs));
        for (guint i = 0; i < nr && !rec; i++)
            rec = recs[i]->frame == c->last_frame ? recs[i] : NULL;
        /* A failure the client recovered from (it got the ticket, or a service took
         * one for that name) is not what this call fails on. */
        if (rec && rec->recovered_frame && rec->recovered_frame < obs->frame)
            c = NULL;
    }
    kd_req *ap = kd_store_ap_request(ctx->store, obs);
    const kd_finding *why = c ? first_finding(ctx, c->last_frame) : NULL;
    kd_finding *f = kd_finding_add(ctx->findings, obs->frame, KD_CAUSE_SEC_PKG_ERROR, KD_CONF_LIKELY,
                                   -1, why ? why->spn : NULL, why ? why->client : NULL);
    if (!f)
        return;
    kd_finding_detail(f, "status: 0x%08X", d->status);
    if (why) {
        f->has_inherited = TRUE;
        f->inherited = why->cause;
        f->inherited_frame = c->last_frame;
        f->error_code = why->error_code;
        kd_finding_summary(f, "0x%08X because of the Kerberos failure in frame %u; likely cause: %s", d->status,
                           c->last_frame, kd_catalog[why->cause].title);
        kd_finding_evidence(f, c->last_frame, "the Kerberos failure beneath this RPC error");
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
    } else if (ap && ap->ticket.present) {
        /* No KRB-ERROR, but the service got a ticket on this connection just before. */
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
                               "an incomplete capture), not the ticket", d->status, spn ? spn : "?", acc->frame);
            kd_finding_evidence(f, acc->frame, "AP-REP: the service accepts the ticket");
            kd_finding_set_missing(f, "a complete capture of the call (no lost segments) and the server's own log "
                                   "tell why the call failed");
        } else {
            kd_finding_summary(f, "0x%08X: the service refused the Kerberos ticket for %s presented in frame %u "
                               "(no KRB-ERROR on the wire)", d->status, spn ? spn : "?", ap->frame);
            if (spn)
                kd_finding_issue_evidence(f, kd_store_issued_to(ctx->store, spn, &obs->dst), spn);
            kd_finding_set_missing(f, "the server's own log (or a capture with its keytab, kerberos.decrypt) tells why "
                                   "it refused the ticket");
        }
    } else {
        f->confidence = KD_CONF_POSSIBLE;
        kd_finding_summary(f, "0x%08X with no Kerberos failure in sight", d->status);
        kd_finding_set_missing(f, "capture on both the client and the server from before the call (klist purge "
                               "first) so the ticket request and the authentication are visible");
    }
}

static const kd_rule rules[] = {
    { KD_EV_NTLMSSP, KD_PRIO_SPECIFIC, on_ntlmssp },
    { KD_EV_DCERPC,  KD_PRIO_SPECIFIC, on_dcerpc },
};

const kd_rule_table kd_rules_rpc = { "rpc", rules, G_N_ELEMENTS(rules) };
