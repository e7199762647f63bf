/* kd_catalog_doc.c
 * Prints the cause catalog as a Markdown table (README's "Causes" section).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>

#include "kd_catalog.h"

int
main(void)
{
    printf("| cause (`krbdiag.cause`) | severity | rule group | what it means | what to do |\n");
    printf("|---|---|---|---|---|\n");
    for (int i = 0; i < KD_CAUSE_COUNT; i++) {
        const kd_cause_info *c = &kd_catalog[i];
        printf("| `%s` | %s | %s | **%s.** %s | %s |\n", c->id, c->severity == KD_SEV_WARN ? "warning" : "note",
               kd_group_name(c->group), c->title, c->explanation, c->remedy);
    }
    return 0;
}
