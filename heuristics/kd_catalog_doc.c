/* kd_catalog_doc.c
 * Prints the cause catalog as a Markdown table (README's "Causes" section), or
 * with --tsv as "id<TAB>severity<TAB>group" lines for the tests.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "kd_catalog.h"

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--tsv") == 0) {
        for (int i = 0; i < KD_CAUSE_COUNT; i++)
            printf("%s\t%s\t%s\n", kd_catalog[i].id, kd_catalog[i].severity == KD_SEV_WARN ? "warning" : "note",
                   kd_group_name(kd_catalog[i].group));
        return 0;
    }
    printf("| cause (`krbdiag.cause`) | severity | rule group | what it means | what to do |\n");
    printf("|---|---|---|---|---|\n");
    for (int i = 0; i < KD_CAUSE_COUNT; i++) {
        const kd_cause_info *c = &kd_catalog[i];
        printf("| `%s` | %s | %s | **%s.** %s | %s |\n", c->id, c->severity == KD_SEV_WARN ? "warning" : "note",
               kd_group_name(c->group), c->title, c->explanation, c->remedy);
    }
    return 0;
}
