/* fuzz_edata.c
 * Fuzz target: kd_edata_parse(), the DER reader for KRB-ERROR e-data.
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

#include "kd_edata.h"
#include "fuzz_prefixes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const guint8 *buf, gsize len)
{
    kd_edata out;
    memset(&out, 0xa5, sizeof out);
    gboolean ok = kd_edata_parse(buf, len, &out);
    if (out.n_etype_info2 > KD_MAX_ETYPES) {
        fprintf(stderr, "fuzz_edata: n_etype_info2 %u > %d\n", out.n_etype_info2, KD_MAX_ETYPES);
        abort();
    }
    if (ok != (out.has_nt_status || out.n_etype_info2 > 0)) {
        fprintf(stderr, "fuzz_edata: return value disagrees with the result\n");
        abort();
    }
    if (out.has_nt_status && (out.nt_status & 0xC0000000u) != 0xC0000000u) {
        fprintf(stderr, "fuzz_edata: NTSTATUS 0x%08x is not an error status\n", out.nt_status);
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kd_fuzz_prefixes(data, size, check);
    check(NULL, size);
    return 0;
}
