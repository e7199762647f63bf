/* kd_edata.c
 * A bounded reader for KRB-ERROR e-data (DER).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Only definite-length, low-tag-number DER is accepted (what KDCs send); anything
 * else stops the parse. Nesting is bounded by the fixed structure read here.
 */
#include "kd_edata.h"

#include <string.h>

/* { [1] type INTEGER, [2] value OCTET STRING } (PA-DATA and KERB-ERROR-DATA alike). */
static gboolean
typed_value(kd_der seq, gint64 *type, kd_der *value)
{
    gboolean have_type = FALSE, have_value = FALSE;
    guint8 tag;
    kd_der field;
    while (seq.len && kd_der_next(&seq, &tag, &field)) {
        if (tag == 0xa1) {
            have_type = kd_der_int(field, type);
        } else if (tag == 0xa2) {
            kd_der os;
            guint8 t2;
            if (kd_der_next(&field, &t2, &os) && t2 == 0x04) {
                *value = os;
                have_value = TRUE;
            }
        }
    }
    return have_type && have_value;
}

/* Windows' 12-byte status blocks (PW-SALT, KERB-EXT-ERROR): NTSTATUS little-endian first. */
static void
status_block(kd_der v, kd_edata *out)
{
    if (v.len != 12 || out->has_nt_status)
        return;
    guint32 st = (guint32)v.p[0] | ((guint32)v.p[1] << 8) | ((guint32)v.p[2] << 16) | ((guint32)v.p[3] << 24);
    /* Only error-severity NTSTATUS values; a salt that happens to be 12 bytes is not one. */
    if ((st & NTSTATUS_SEVERITY_MASK) == NTSTATUS_SEVERITY_ERROR) {
        out->has_nt_status = TRUE;
        out->nt_status = st;
    }
}

static void
etype_info2(kd_der v, kd_edata *out)
{
    guint8 tag;
    kd_der seq, entry;
    if (!kd_der_next(&v, &tag, &seq) || tag != 0x30)
        return;
    while (seq.len && kd_der_next(&seq, &tag, &entry) && out->n_etype_info2 < KD_MAX_ETYPES) {
        if (tag != 0x30)
            return;
        kd_der field;
        while (entry.len && kd_der_next(&entry, &tag, &field)) {
            gint64 et;
            if (tag == 0xa0 && kd_der_int(field, &et) && et >= G_MININT32 && et <= G_MAXINT32)
                out->etype_info2[out->n_etype_info2++] = (gint32)et;
        }
    }
}

gboolean
kd_edata_parse(const guint8 *buf, gsize len, kd_edata *out)
{
    memset(out, 0, sizeof(*out));
    if (!buf || len < 2)
        return FALSE;
    kd_der d = { buf, len }, outer, item;
    guint8 tag;
    if (!kd_der_next(&d, &tag, &outer) || tag != 0x30)
        return FALSE;
    kd_der peek = outer;
    if (!kd_der_next(&peek, &tag, &item))
        return FALSE;
    if (tag == 0xa1) {
        /* KERB-ERROR-DATA of an extended error (MS-KILE 2.2.2). */
        gint64 type;
        kd_der value;
        if (typed_value(outer, &type, &value) && type == KERB_ERR_TYPE_EXTENDED)
            status_block(value, out);
    } else {
        /* METHOD-DATA: SEQUENCE OF PA-DATA. */
        while (outer.len && kd_der_next(&outer, &tag, &item)) {
            if (tag != 0x30)
                break;
            gint64 type;
            kd_der value;
            if (!typed_value(item, &type, &value))
                continue;
            if (type == PA_PW_SALT)             /* carrying a status block */
                status_block(value, out);
            else if (type == PA_ETYPE_INFO2)
                etype_info2(value, out);
        }
    }
    return out->has_nt_status || out->n_etype_info2 > 0;
}

static gboolean
digits(const guint8 *p, guint n, guint *out)
{
    guint v = 0;
    for (guint i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return FALSE;
        v = v * 10 + (guint)(p[i] - '0');
    }
    *out = v;
    return TRUE;
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static gint64
days_from_civil(gint64 y, guint m, guint d)
{
    gint64 mm = m;
    y -= mm <= 2;
    gint64 era = (y >= 0 ? y : y - 399) / 400;
    gint64 yoe = y - era * 400;
    gint64 doy = (153 * (mm > 2 ? mm - 3 : mm + 9) + 2) / 5 + (gint64)d - 1;
    gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

gboolean
kd_der_kerberos_time(kd_der t, gint64 *out)
{
    guint y, mo, d, h, mi, s;
    if (t.len != 15 || t.p[14] != 'Z' ||
        !digits(t.p, 4, &y) || !digits(t.p + 4, 2, &mo) || !digits(t.p + 6, 2, &d) ||
        !digits(t.p + 8, 2, &h) || !digits(t.p + 10, 2, &mi) || !digits(t.p + 12, 2, &s) ||
        mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return FALSE;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return TRUE;
}
