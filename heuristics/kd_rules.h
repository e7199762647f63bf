/* kd_rules.h
 * What a rule family sees and exports: the context, events, and its handler table.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A rule reads the store, makes or amends findings, and never calls a function of
 * another rule file: what two families both need is a store query or a findings
 * helper. Each family exports exactly one kd_rule_table; the engine lists them.
 */
#ifndef KD_RULES_H
#define KD_RULES_H

#include "kd_engine.h"
#include "kd_findings.h"
#include "kd_store.h"

typedef struct {
    const kd_config *cfg;
    kd_store *store;
    kd_findings *findings;
} kd_ctx;

typedef void (*kd_rule_fn)(const kd_ctx *ctx, kd_event *ev);

/* The priority ladder. Handlers of one event run by descending priority, then in
 * the order of the family list (kd_engine.c) and of each table. A handler that
 * explains an event sets ev->claimed; those below it that make a finding of their
 * own return when it is set (the guards the README's handler table lists), those
 * that amend findings run regardless. */
#define KD_PRIO_NOTE            10  /* bookkeeping every judgement may rely on */
#define KD_PRIO_OVERRIDE         1  /* context that overrides the code's usual reading; claims it */
#define KD_PRIO_SPECIFIC         0  /* a rule that explains the event and claims it */
#define KD_PRIO_LATER           -1  /* explains what the specific rules left unclaimed */
#define KD_PRIO_FALLBACK       -10  /* the generic finding for an unclaimed error */
#define KD_PRIO_AFTER_FINDINGS -11  /* reads the findings every family made (recovery, waits) */
#define KD_PRIO_AMEND          -20  /* amends every finding the event got (quotes, confidence) */

/* Flags of a handler's row. */
#define KD_RUN_ALWAYS     0x0
#define KD_RUN_UNCLAIMED  0x1   /* runs only while no handler before it claimed the event */

/* One handler and the guard the engine applies before calling it: its flags and,
 * for a KRB-ERROR event (KD_EV_KDC_ERROR, KD_EV_SERVICE_ERROR), the error codes it
 * takes (none listed: every code). The handler judges the rest itself. Write rows
 * with KD_RULE or KD_RULE_CODES: the name and the codes' names are kept as text for
 * the dispatch table (kd_dispatch_doc, README "Who handles what"). */
typedef struct {
    kd_event_kind kind;
    int priority;
    kd_rule_fn fn;
    const char *name;
    guint flags;
    const gint32 *codes;
    guint n_codes;
    const char *codes_text;
} kd_rule;

#define KD_RULE(kind_, prio_, fn_, flags_) \
    { (kind_), (prio_), (fn_), #fn_, (flags_), NULL, 0, NULL }
#define KD_RULE_CODES(kind_, prio_, fn_, flags_, ...) \
    { (kind_), (prio_), (fn_), #fn_, (flags_), (const gint32[]){ __VA_ARGS__ }, \
      sizeof((const gint32[]){ __VA_ARGS__ }) / sizeof(gint32), #__VA_ARGS__ }

/* Whether the engine calls the handler of row r for event ev. */
static inline gboolean
kd_rule_takes(const kd_rule *r, const kd_event *ev)
{
    if ((r->flags & KD_RUN_UNCLAIMED) && ev->claimed)
        return FALSE;
    if (r->n_codes == 0)
        return TRUE;
    for (guint i = 0; i < r->n_codes; i++) {
        if (r->codes[i] == ev->obs->u.krb.error_code)
            return TRUE;
    }
    return FALSE;
}

typedef struct {
    const char *family;
    const kd_rule *rules;
    guint n_rules;
} kd_rule_table;

/* The families (rules/kd_rules_*.c), in the order kd_engine.c lists them. */
extern const kd_rule_table kd_rules_kdc;
extern const kd_rule_table kd_rules_service;
extern const kd_rule_table kd_rules_etype;
extern const kd_rule_table kd_rules_transport;
extern const kd_rule_table kd_rules_rpc;
extern const kd_rule_table kd_rules_ntlm;
extern const kd_rule_table kd_rules_recovery;
extern const kd_rule_table kd_rules_delegation;
extern const kd_rule_table kd_rules_probe;
extern const kd_rule_table kd_rules_verifier;
extern const kd_rule_table kd_rules_u2u;
extern const kd_rule_table kd_rules_ldap;

/* The family list, in the order equal-priority handlers run (for kd_dispatch_doc). */
const kd_rule_table *const *kd_rule_families(guint *n);
/* The handlers of an event kind in the order the engine calls them. */
const kd_rule *const *kd_engine_handlers(const kd_engine *eng, kd_event_kind kind, guint *n);

#endif /* KD_RULES_H */
