/* kd_dispatch_doc.c
 * Prints who handles what: for each event kind, the handlers in the order the engine
 * calls them, with their family, priority and guard (the claimed flag, the error
 * codes they take), as a Markdown table. README's "Who handles what" section is this
 * output; tests/check_dispatch_doc.py fails when the two differ.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>

#include "kd_rules.h"

static const char *const event_names[] = {
    "KD_EV_KDC_REQUEST", "KD_EV_KDC_REPLY", "KD_EV_KDC_ERROR", "KD_EV_SERVICE_ERROR",
    "KD_EV_AP_REQUEST", "KD_EV_AP_REPLY", "KD_EV_DNS", "KD_EV_HTTP", "KD_EV_NTLMSSP",
    "KD_EV_DCERPC", "KD_EV_SMB2", "KD_EV_DCOM_ALIVE2", "KD_EV_LDAP_ENTRY", "KD_EV_TRANSPORT", "KD_EV_LDAP_BIND",
};
G_STATIC_ASSERT(G_N_ELEMENTS(event_names) == KD_EV_COUNT);

static const struct {
    int priority;
    const char *name;
} priorities[] = {
    { KD_PRIO_NOTE, "NOTE" },
    { KD_PRIO_OVERRIDE, "OVERRIDE" },
    { KD_PRIO_SPECIFIC, "SPECIFIC" },
    { KD_PRIO_LATER, "LATER" },
    { KD_PRIO_FALLBACK, "FALLBACK" },
    { KD_PRIO_AFTER_FINDINGS, "AFTER_FINDINGS" },
    { KD_PRIO_AMEND, "AMEND" },
};

static const char *
priority_name(int priority)
{
    for (gsize i = 0; i < G_N_ELEMENTS(priorities); i++) {
        if (priorities[i].priority == priority)
            return priorities[i].name;
    }
    return "?";
}

static const char *
family_of(const kd_rule *r)
{
    guint n;
    const kd_rule_table *const *families = kd_rule_families(&n);
    for (guint t = 0; t < n; t++) {
        if (r >= families[t]->rules && r < families[t]->rules + families[t]->n_rules)
            return families[t]->family;
    }
    return "?";
}

int
main(void)
{
    kd_engine *eng = kd_engine_new(NULL, NULL, NULL);
    printf("| Event | # | Priority | Family | Handler | Runs when |\n");
    printf("|---|---|---|---|---|---|\n");
    for (int kind = 0; kind < KD_EV_COUNT; kind++) {
        guint n;
        const kd_rule *const *handlers = kd_engine_handlers(eng, (kd_event_kind)kind, &n);
        if (n == 0)
            printf("| %s | | | | (none: the store records it) | |\n", event_names[kind]);
        for (guint h = 0; h < n; h++) {
            const kd_rule *r = handlers[h];
            const gboolean unclaimed = (r->flags & KD_RUN_UNCLAIMED) != 0;
            printf("| %s | %u | %s (%d) | %s | `%s` | %s%s%s%s |\n", event_names[kind], h + 1,
                   priority_name(r->priority), r->priority, family_of(r), r->name,
                   unclaimed ? "unclaimed" : "",
                   unclaimed && r->n_codes ? "; " : "",
                   r->n_codes ? "codes " : "",
                   r->n_codes ? r->codes_text : unclaimed ? "" : "always");
        }
    }
    kd_engine_free(eng);
    return 0;
}
