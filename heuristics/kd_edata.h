/* kd_edata.h
 * A bounded reader for KRB-ERROR e-data (DER), for what Wireshark 4.0 does not
 * decode: Windows/Samba NTSTATUS in PA-PW-SALT or KERB-EXT-ERROR, and
 * ETYPE-INFO2 entries. Its DER primitives are the project's only DER reader
 * (kd_gsskrb.c reads GSS tokens with them).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_EDATA_H
#define KD_EDATA_H

#include <glib.h>

#include "kd_obs.h"

/* A window on DER bytes: p .. p + len. */
typedef struct {
    const guint8 *p;
    gsize len;
} kd_der;

/* Reads the identifier and length octets at the start of `d`: the tag, how many
 * bytes they take (`header`) and the length they announce (`length`), which may run
 * past the end of `d`. Only definite lengths of at most 4 length bytes and low tag
 * numbers (< 31) are accepted; FALSE on anything else or when `d` is too short. */
static inline gboolean
kd_der_header(kd_der d, guint8 *tag, gsize *header, gsize *length)
{
    if (!d.p || d.len < 2)
        return FALSE;
    *tag = d.p[0];
    if ((*tag & 0x1f) == 0x1f)
        return FALSE;
    gsize pos = 1;
    gsize l = d.p[pos++];
    if (l & 0x80) {
        guint n = l & 0x7f;
        if (n == 0 || n > 4 || d.len - pos < n)
            return FALSE;
        l = 0;
        for (guint i = 0; i < n; i++)
            l = (l << 8) | d.p[pos++];
    }
    *header = pos;
    *length = l;
    return TRUE;
}

/* Reads the next TLV of `d` into `tag` and `body` (its value) and moves `d` past it
 * (kd_der_header's limits); FALSE also on a length past the end of `d`. `d` is
 * unchanged when FALSE is returned.
 * Inline: the readers call it for every TLV of every message. */
static inline gboolean
kd_der_next(kd_der *d, guint8 *tag, kd_der *body)
{
    gsize pos, l;
    if (!kd_der_header(*d, tag, &pos, &l) || l > d->len - pos)
        return FALSE;
    body->p = d->p + pos;
    body->len = l;
    d->p += pos + l;
    d->len -= pos + l;
    return TRUE;
}

/* The content of a KerberosTime (GeneralizedTime "YYYYMMDDHHMMSSZ", RFC 4120 5.2.3) as
 * seconds since 1970; FALSE for any other text. */
gboolean kd_der_kerberos_time(kd_der t, gint64 *out);

/* Reads an INTEGER TLV of 1 to 8 value bytes (two's complement) from the start of `v`. */
static inline gboolean
kd_der_int(kd_der v, gint64 *out)
{
    guint8 tag;
    kd_der body;
    if (!kd_der_next(&v, &tag, &body) || tag != 0x02 || body.len == 0 || body.len > 8)
        return FALSE;
    gint64 x = (body.p[0] & 0x80) ? -1 : 0;
    for (gsize i = 0; i < body.len; i++)
        x = (gint64)(((guint64)x << 8) | body.p[i]);
    *out = x;
    return TRUE;
}

typedef struct {
    gboolean has_nt_status;
    guint32 nt_status;
    gint32 etype_info2[KD_MAX_ETYPES];
    guint n_etype_info2;
} kd_edata;

/* Parses METHOD-DATA (SEQUENCE OF PA-DATA) or KERB-ERROR-DATA. Never reads past
 * buf + len; returns FALSE when nothing usable was found. */
gboolean kd_edata_parse(const guint8 *buf, gsize len, kd_edata *out);

#endif /* KD_EDATA_H */
