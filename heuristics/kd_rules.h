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

#include "kd_findings.h"
#include "kd_store.h"

typedef struct {
    const kd_config *cfg;
    kd_store *store;
    kd_findings *findings;
} kd_ctx;

typedef void (*kd_rule_fn)(const kd_ctx *ctx, kd_event *ev);

/* Handlers of one event run by descending priority, then in the order of the
 * family list (kd_engine.c) and of each table. */
#define KD_PRIO_NOTE      10    /* bookkeeping every judgement may rely on */
#define KD_PRIO_SPECIFIC   0    /* a rule that explains the event and claims it */
#define KD_PRIO_LATER     -1    /* explains what the specific rules left unclaimed */
#define KD_PRIO_FALLBACK -10    /* the generic finding for an unclaimed error */
#define KD_PRIO_AMEND    -20    /* amends every finding the event got (quotes, confidence) */

typedef struct {
    kd_event_kind kind;
    int priority;
    kd_rule_fn fn;
} kd_rule;

typedef struct {
    const char *family;
    const kd_rule *rules;
    guint n_rules;
} kd_rule_table;

/* The families (rules/kd_rules_*.c). */
extern const kd_rule_table kd_rules_kdc;
extern const kd_rule_table kd_rules_service;
extern const kd_rule_table kd_rules_etype;
extern const kd_rule_table kd_rules_transport;
extern const kd_rule_table kd_rules_rpc;
extern const kd_rule_table kd_rules_recovery;
extern const kd_rule_table kd_rules_delegation;
extern const kd_rule_table kd_rules_probe;
extern const kd_rule_table kd_rules_verifier;
extern const kd_rule_table kd_rules_u2u;
extern const kd_rule_table kd_rules_ldap;

#endif /* KD_RULES_H */
