/* kd_engine.c
 * The dispatcher: each observation updates the store, then goes to the rules
 * registered for its kind of event.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_rules.h"

#include <string.h>

/* The rule families, in the order equal-priority handlers run. */
static const kd_rule_table *const families[] = {
    &kd_rules_kdc, &kd_rules_service, &kd_rules_etype, &kd_rules_transport, &kd_rules_rpc, &kd_rules_ntlm,
    &kd_rules_recovery,
    &kd_rules_delegation, &kd_rules_probe, &kd_rules_verifier, &kd_rules_u2u,
    &kd_rules_ldap,
};

#define KD_MAX_HANDLERS 16      /* per event kind */

const kd_rule_table *const *
kd_rule_families(guint *n)
{
    *n = G_N_ELEMENTS(families);
    return families;
}

struct kd_engine {
    kd_config cfg;
    kd_emit_fn emit;
    void *user;
    kd_store *store;
    kd_findings *findings;
    const kd_rule *handlers[KD_EV_COUNT][KD_MAX_HANDLERS];  /* by descending priority */
    guint n_handlers[KD_EV_COUNT];
};

void
kd_config_default(kd_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->skew_tolerance_s = 300;
    for (int g = 0; g < KD_GROUP_COUNT; g++)
        cfg->group_enabled[g] = TRUE;
}

/* Insert each handler after those of equal or higher priority: a stable order. */
static void
register_rules(kd_engine *eng)
{
    for (gsize t = 0; t < G_N_ELEMENTS(families); t++) {
        for (guint i = 0; i < families[t]->n_rules; i++) {
            const kd_rule *r = &families[t]->rules[i];
            const kd_rule **list = eng->handlers[r->kind];
            guint *n = &eng->n_handlers[r->kind];
            /* A family table longer than the room is a programming error the unit
             * tests catch (every handler runs there); never a crash in Wireshark. */
            if (*n >= KD_MAX_HANDLERS)
                continue;
            guint at = *n;
            while (at > 0 && list[at - 1]->priority < r->priority) {
                list[at] = list[at - 1];
                at--;
            }
            list[at] = r;
            (*n)++;
        }
    }
}

kd_engine *
kd_engine_new(const kd_config *cfg, kd_emit_fn emit, void *user)
{
    kd_engine *eng = g_new0(kd_engine, 1);
    if (cfg)
        eng->cfg = *cfg;
    else
        kd_config_default(&eng->cfg);
    eng->emit = emit;
    eng->user = user;
    eng->store = kd_store_new();
    eng->findings = kd_findings_new(&eng->cfg);
    register_rules(eng);
    return eng;
}

void
kd_engine_free(kd_engine *eng)
{
    if (!eng)
        return;
    kd_store_free(eng->store);
    kd_findings_free(eng->findings);
    g_free(eng);
}

const kd_rule *const *
kd_engine_handlers(const kd_engine *eng, kd_event_kind kind, guint *n)
{
    *n = kind < KD_EV_COUNT ? eng->n_handlers[kind] : 0;
    return kind < KD_EV_COUNT ? eng->handlers[kind] : NULL;
}

guint
kd_engine_tables(const kd_engine *eng, const char **names, guint *sizes, guint max)
{
    guint n = kd_store_tables(eng->store, names, sizes, max);
    guint skip = MIN(n, max);
    return n + kd_findings_tables(eng->findings, names ? names + skip : NULL, sizes + skip, max - skip);
}

guint
kd_engine_store_size(const kd_engine *eng)
{
    guint sizes[32];
    guint n = MIN(kd_engine_tables(eng, NULL, sizes, G_N_ELEMENTS(sizes)), G_N_ELEMENTS(sizes));
    guint total = 0;
    for (guint i = 0; i < n; i++)
        total += sizes[i];
    return total;
}

void
kd_engine_feed(kd_engine *eng, const kd_obs *obs, guint n)
{
    if (!eng || !obs)
        return;
    const kd_ctx ctx = { &eng->cfg, eng->store, eng->findings };
    kd_findings_begin(eng->findings, n ? obs[0].frame : 0);
    for (guint i = 0; i < n; i++) {
        kd_event ev;
        if (!kd_store_observe(eng->store, &obs[i], &ev))
            continue;
        for (guint h = 0; h < eng->n_handlers[ev.kind]; h++)
            if (kd_rule_takes(eng->handlers[ev.kind][h], &ev))
                eng->handlers[ev.kind][h]->fn(&ctx, &ev);
        kd_store_event_done(&ev);
    }
    kd_findings_emit(eng->findings, eng->emit, eng->user);
}
