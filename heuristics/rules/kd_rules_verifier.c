/* kd_rules_verifier.c
 * Kerberos errors that krbdiag read from the auth verifier of a DCE/RPC refusal
 * (Fault, bind_nak, alter_context_resp), where Wireshark shows none: say where the
 * error was found, and put it in the words of the RPC failure it explains.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The error itself is judged by the service rules like any KRB-ERROR from a service;
 * the RPC rules make the fault inherit it. This family only adds what the reader of
 * the finding cannot see in Wireshark's own tree.
 */
#include "kd_rules.h"

static const char *
pdu_name(guint8 ptype)
{
    switch (ptype) {
    case DCERPC_PKT_FAULT: return "RPC fault";
    case DCERPC_PKT_BIND_NAK: return "RPC bind_nak";
    case DCERPC_PKT_ALTER_CONTEXT_RESP: return "RPC alter_context_resp";
    default: return "RPC PDU";
    }
}

static char *
error_text(const kd_ctx *ctx, gint32 code)
{
    if (ctx->cfg->error_name)
        return g_strdup(ctx->cfg->error_name(code));
    return g_strdup_printf("Kerberos error %d", code);
}

static char *
frame_key(guint32 frame)
{
    return g_strdup_printf("verifier-krb|%u", frame);
}

/* The error's own findings: where it was found. */
static void
verifier_on_service_error(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    if (!k->in_rpc_verifier)
        return;
    char *key = frame_key(obs->frame);
    kd_store_count(ctx->store, key, obs->frame);
    g_free(key);
    char *name = error_text(ctx, k->error_code);
    for (guint i = 0; i < kd_findings_count(ctx->findings, obs->frame); i++) {
        kd_finding *f = kd_finding_lookup(ctx->findings, obs->frame, i);
        if (f && f->error_code == k->error_code)
            kd_finding_detail(f, "Kerberos error inside the %s: %s (read from its auth verifier, which "
                              "Wireshark does not decode)", pdu_name(k->rpc_pkt_type), name);
    }
    g_free(name);
}

/* The RPC failure of the same PDU inherited that error: name it. */
static void
verifier_on_dcerpc(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    char *key = frame_key(obs->frame);
    gboolean here = kd_store_counter(ctx->store, key) != NULL;
    g_free(key);
    if (!here)
        return;
    for (guint i = 0; i < kd_findings_count(ctx->findings, obs->frame); i++) {
        kd_finding *f = kd_finding_lookup(ctx->findings, obs->frame, i);
        if (!f || f->cause != KD_CAUSE_SEC_PKG_ERROR || !f->has_inherited || f->inherited_frame != obs->frame)
            continue;
        char *name = error_text(ctx, f->error_code);
        kd_finding_summary(f, "Kerberos error inside the %s: %s; likely cause: %s", pdu_name(obs->u.dcerpc.pkt_type),
                           name, kd_catalog[f->inherited].title);
        g_free(name);
    }
}

/* KD_PRIO_AMEND: after every other handler, the generic fallback included, so each
 * finding the error got is there to amend. */
static const kd_rule rules[] = {
    KD_RULE(KD_EV_SERVICE_ERROR, KD_PRIO_AMEND, verifier_on_service_error, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_DCERPC, KD_PRIO_AMEND, verifier_on_dcerpc, KD_RUN_ALWAYS),
};

const kd_rule_table kd_rules_verifier = { "verifier", rules, G_N_ELEMENTS(rules) };
