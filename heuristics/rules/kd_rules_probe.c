/* kd_rules_probe.c
 * Rules for traffic that probes a KDC rather than logs anyone on: AS-REQs without a
 * client or service name (scanners), and runs of single AS-REQs for many names that
 * are never followed by a pre-authenticated one (user enumeration).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Both judge errors other rules may already have explained (an unknown client, a
 * pre-authentication request): they run after them and turn that finding into the
 * probe's note, keeping the first explanation as an alternative.
 */
#include "kd_rules.h"

/* Distinct client names, from one host to one KDC, each answered with an error and
 * none followed by a pre-authenticated AS-REQ, that make a run an enumeration.
 * Interactive logons follow a PREAUTH_REQUIRED with a pre-authenticated request at
 * once, which starts a new run; a mistyped name now and then stays far below this.
 * At most KD_COUNTER_FRAMES earlier findings are amended when the run is recognised. */
#define KD_ENUM_MIN_NAMES 5


/* "<tag>|client|kdc": a counter of the requests of a client to a KDC. */
static const char *
hosts_key(kd_key *key, const char *tag, const kd_req *req)
{
    kd_key_init(key);
    kd_key_str(key, tag);
    kd_key_addr(key, &req->client);
    kd_key_addr(key, &req->server);
    return kd_key_text(key);
}

/* The run number of this host pair: a pre-authenticated request starts a new run. */
static guint32
run_generation(kd_store *st, const kd_req *req)
{
    kd_key key;
    const kd_counter *c = kd_store_counter(st, hosts_key(&key, "probe-reset", req));
    kd_key_done(&key);
    return c ? c->count : 0;
}

/* The error's finding becomes cause (a more specific rule's cause stays as the
 * alternative); a new finding when no rule explained the error. */
static kd_finding *
reclassify(const kd_ctx *ctx, kd_event *ev, kd_cause cause)
{
    const guint32 frame = ev->obs->frame;
    if (!ctx->cfg->group_enabled[kd_catalog[cause].group])
        return NULL;
    ev->claimed = TRUE;
    kd_finding *f = kd_findings_count(ctx->findings, frame) ? kd_finding_lookup(ctx->findings, frame, 0) : NULL;
    if (f && f->cause != cause) {
        kd_cause first = f->cause;
        kd_finding_recause(f, cause, KD_CONF_INFO);
        kd_finding_alternative(f, first);
    } else if (!f) {
        const kd_krb *k = &ev->obs->u.krb;
        f = kd_finding_add(ctx->findings, frame, cause, KD_CONF_INFO, k->error_code, ev->spn, ev->client);
    }
    return f;
}

static void
probe_on_request(const kd_ctx *ctx, kd_event *ev)
{
    const kd_req *req = ev->req;
    if (!req || req->msg_type != KD_MSG_AS_REQ || !kd_padata_preauthenticated(req->padata, req->n_padata))
        return;
    kd_key key;
    kd_store_count(ctx->store, hosts_key(&key, "probe-reset", req), req->frame);
    kd_key_done(&key);
}

static void
no_name_probe(const kd_ctx *ctx, kd_event *ev)
{
    const kd_req *req = ev->req;
    kd_finding *f = reclassify(ctx, ev, KD_CAUSE_KDC_PROBE);
    if (!f)
        return;
    gboolean no_client = kd_str_empty(req->cname), no_service = kd_str_empty(req->sname);
    kd_finding_summary(f, "An AS-REQ without %s%s%s: a probe, not a logon",
                       no_client ? "a client name" : "", no_client && no_service ? " or " : "",
                       no_service ? "a service name" : "");
    kd_finding_evidence(f, req->frame, "AS-REQ without %s", no_client ? "cname" : "sname");
}

static void
enumeration(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_req *req = ev->req;
    guint32 gen = run_generation(ctx->store, req);
    kd_key key;
    hosts_key(&key, "probe-name", req);
    kd_key_uint(&key, gen);
    kd_key_lower(&key, req->cname);
    gboolean new_name = kd_store_count(ctx->store, kd_key_text(&key), obs->frame)->count == 1;
    kd_key_done(&key);
    hosts_key(&key, "probe-run", req);
    kd_key_uint(&key, gen);
    const kd_counter *run = new_name ? kd_store_count(ctx->store, kd_key_text(&key), obs->frame)
                                     : kd_store_counter(ctx->store, kd_key_text(&key));
    kd_key_done(&key);
    /* A name asked again in the run is a retry or a logon: it keeps its own cause. */
    if (new_name && run->count >= KD_ENUM_MIN_NAMES) {
        char a[48];
        kd_addr_to_str(&req->client, a, sizeof a);
        kd_finding *f = reclassify(ctx, ev, KD_CAUSE_USER_ENUMERATION);
        if (f) {
            kd_finding_summary(f, "%s sent single AS-REQs for %u different names without pre-authenticating "
                               "any: user enumeration%s", a, run->count,
                               f->error_code == KDC_ERR_PREAUTH_REQUIRED ? " (this answer shows the name exists)"
                               : f->error_code == KDC_ERR_C_PRINCIPAL_UNKNOWN ? " (this name does not exist)" : "");
            kd_finding_evidence(f, run->first_frame, "first AS-REQ error of the run");
            for (guint i = 1; i < MIN(run->count, KD_COUNTER_FRAMES); i++)
                kd_finding_evidence(f, run->recent[(run->count - 1 - i) % KD_COUNTER_FRAMES],
                                    "an earlier AS-REQ error of the run, for another name");
        }
        /* The run's earlier errors keep their own cause (each is true of its name);
         * once the run is recognised they say they belong to it. Not as a candidate:
         * the run explains why the name was asked, not why the KDC refused it. */
        if (run->count == KD_ENUM_MIN_NAMES) {
            for (guint i = 1; i < MIN(run->count, KD_COUNTER_FRAMES); i++) {
                guint32 frame = run->recent[(run->count - 1 - i) % KD_COUNTER_FRAMES];
                kd_finding *e = kd_findings_count(ctx->findings, frame) ? kd_finding_lookup(ctx->findings, frame, 0) : NULL;
                kd_finding_detail(e, "one of the names of a user-enumeration run (frame %u)", obs->frame);
            }
        }
    }
}

static void
probe_on_kdc_error(const kd_ctx *ctx, kd_event *ev)
{
    const kd_req *req = ev->req;
    if (!req || req->msg_type != KD_MSG_AS_REQ)
        return;
    if (kd_str_empty(req->cname) || kd_str_empty(req->sname)) {
        no_name_probe(ctx, ev);
        return;
    }
    const gint32 code = ev->obs->u.krb.error_code;
    if ((code == KDC_ERR_C_PRINCIPAL_UNKNOWN || code == KDC_ERR_PREAUTH_REQUIRED) &&
        !kd_padata_preauthenticated(req->padata, req->n_padata))
        enumeration(ctx, ev);
}

static const kd_rule rules[] = {
    KD_RULE(KD_EV_KDC_REQUEST, KD_PRIO_SPECIFIC, probe_on_request, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_KDC_ERROR, KD_PRIO_LATER, probe_on_kdc_error, KD_RUN_ALWAYS),
};

const kd_rule_table kd_rules_probe = { "probe", rules, G_N_ELEMENTS(rules) };
