/* kd_rules_recovery.c
 * Failures the client recovers from: a KDC error followed by a ticket for the same
 * question (another encryption type, no canonicalize option, user-to-user after
 * the first refusal, the same request a second later) is marked recovered, with
 * the success as evidence. The cause stays; the finding becomes a note.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"

/* Causes a later ticket for the same question undoes. Not a wrong password or a
 * lock-out: the failed attempts still count towards the account's lock-out, and a
 * later right password does not make them harmless. */
static gboolean
is_recoverable(kd_cause cause)
{
    switch (cause) {
    case KD_CAUSE_ETYPE_NO_COMMON:   /* the retry offers other encryption types */
    case KD_CAUSE_SPN_MISSING:       /* the retry drops canonicalize, or goes user-to-user */
    case KD_CAUSE_KRB_ERROR:         /* whatever it was, the same request then succeeds */
    case KD_CAUSE_DC_ETYPE_MISMATCH: /* the same TGT is accepted on a retry */
    case KD_CAUSE_USER_TO_USER:      /* the user-to-user request gets the ticket */
        return TRUE;
    default:
        return FALSE;
    }
}

/* "client|as|cname" or "client|tgs|sname": what a success must answer, composed in
 * key (kd_key_done() it either way). NULL when the exchange or the name is unknown. */
static const char *
question(kd_key *key, const kd_addr *client, gint32 msg_type, const char *cname, const char *sname)
{
    kd_key_init(key);
    gboolean as = (msg_type == KD_MSG_AS_REQ || msg_type == KD_MSG_AS_REP) && !kd_str_empty(cname);
    gboolean tgs = (msg_type == KD_MSG_TGS_REQ || msg_type == KD_MSG_TGS_REP) && !kd_str_empty(sname);
    if (!as && !tgs)
        return NULL;
    kd_key_addr(key, client);
    kd_key_str(key, as ? "as" : "tgs");
    kd_key_str(key, as ? cname : sname);
    return kd_key_text(key);
}

static void
recovery_on_error(const kd_ctx *ctx, kd_event *ev)
{
    const kd_req *req = ev->req;
    if (!req || req->partial)
        return;
    kd_key key;
    const char *subject = question(&key, &req->client, req->msg_type, req->cname, req->sname);
    guint n = subject ? kd_findings_count(ctx->findings, ev->obs->frame) : 0;
    /* kd_wait_set waits on the frame's latest finding: the one made for this error. */
    kd_finding *f = n ? kd_finding_lookup(ctx->findings, ev->obs->frame, n - 1) : NULL;
    if (f && f->error_code == ev->obs->u.krb.error_code && is_recoverable(f->cause))
        kd_wait_set(ctx->findings, KD_WAIT_RECOVERY, subject, ev->obs->frame);
    kd_key_done(&key);
}

static void
recovery_on_reply(const kd_ctx *ctx, kd_event *ev)
{
    const kd_obs *obs = ev->obs;
    const kd_krb *k = &obs->u.krb;
    const kd_req *req = ev->req;
    const char *cname = req && !kd_str_empty(req->cname) ? req->cname : k->cname;
    const char *sname = req && !kd_str_empty(req->sname) ? req->sname : k->ticket.sname;
    gint32 type = req && !req->partial ? req->msg_type : k->msg_type;
    kd_key key;
    const char *subject = question(&key, &obs->dst, type, cname, sname);
    if (!subject)
        return;
    kd_finding *fs[KD_WAIT_LIST_MAX];
    guint n = kd_wait_take_all(ctx->findings, KD_WAIT_RECOVERY, subject, fs, G_N_ELEMENTS(fs));
    for (guint i = 0; i < n; i++) {
        kd_finding_recovered(fs[i], obs->frame, "%s for %s: the client gets what it asked for",
                             kd_msg_name(k->msg_type), type == KD_MSG_AS_REQ || type == KD_MSG_AS_REP ? cname : sname);
        if (req && req->frame != fs[i]->frame)
            kd_finding_evidence(fs[i], req->frame, "%s asking again", kd_msg_name(req->msg_type));
        kd_finding_detail(fs[i], "recovered: frame %u", obs->frame);
    }
    kd_key_done(&key);
}

static const kd_rule rules[] = {
    KD_RULE(KD_EV_KDC_ERROR, KD_PRIO_AFTER_FINDINGS, recovery_on_error, KD_RUN_ALWAYS),
    KD_RULE(KD_EV_KDC_REPLY, KD_PRIO_SPECIFIC, recovery_on_reply, KD_RUN_ALWAYS),
};

const kd_rule_table kd_rules_recovery = { "recovery", rules, G_N_ELEMENTS(rules) };
