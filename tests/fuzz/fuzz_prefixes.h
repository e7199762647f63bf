/* fuzz_prefixes.h
 * For the fuzz targets of byte parsers: runs a check over an exactly-sized copy
 * of the input and over prefixes of it, so that AddressSanitizer sees any read
 * past buf + len and the parser is shown to honour len, not the buffer's end.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef FUZZ_PREFIXES_H
#define FUZZ_PREFIXES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

static inline void
kd_fuzz_prefixes(const uint8_t *data, size_t size, void (*check)(const guint8 *buf, gsize len))
{
    guint8 *buf = malloc(size ? size : 1);
    if (!buf)
        return;
    memcpy(buf, data, size);
    check(buf, size);
    /* Shorter lengths over the same bytes: the first 64 prefixes, then a few. */
    for (size_t n = 0; n < size && n < 64; n++)
        check(buf, n);
    for (size_t n = 64; n < size; n += 1 + size / 16)
        check(buf, n);
    free(buf);
}

#endif /* FUZZ_PREFIXES_H */
