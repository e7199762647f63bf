/* fuzz_keytab.c
 * Fuzz target: kd_keytab_parse(), the reader of the keytab named in Wireshark's
 * Kerberos preferences.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The input and its prefixes are checked in exactly-sized copies (fuzz_prefixes.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kd_keytab.h"
#include "fuzz_prefixes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const guint8 *buf, gsize len)
{
    kd_keytab kt;
    memset(&kt, 0, sizeof kt);
    gboolean ok = kd_keytab_parse(buf, len, &kt);
    if (ok != kt.loaded || kt.n > KD_KEYTAB_MAX || (!ok && kt.n)) {
        fprintf(stderr, "fuzz_keytab: result disagrees with the return value (n %u)\n", kt.n);
        abort();
    }
    for (guint i = 0; i < kt.n; i++) {
        if (!kt.keys[i].principal || !kt.keys[i].realm || kt.keys[i].kvno < 0) {
            fprintf(stderr, "fuzz_keytab: entry %u incomplete\n", i);
            abort();
        }
    }
    kd_keytab_clear(&kt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kd_fuzz_prefixes(data, size, check);
    check(NULL, size);
    return 0;
}
