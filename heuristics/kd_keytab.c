/* kd_keytab.c
 * Bounded reader of keytab files (format version 0x0502: big-endian numbers).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * File: 0x05 0x02, then records of [int32 size][entry]; a negative size is a hole
 * (a deleted entry) of that many bytes. Entry: uint16 component count, counted
 * realm, counted components, uint32 name type, uint32 timestamp, uint8 kvno,
 * uint16 enctype, counted key bytes, then optionally a uint32 kvno that replaces
 * the 8-bit one when the record has room for it and it is not zero.
 */
#include "kd_keytab.h"

#include <string.h>

#define KT_VERSION_HI 0x05
#define KT_VERSION_2  0x02
/* More components than any real principal has: a corrupt count. */
#define KT_MAX_COMPONENTS 16
/* Names end up in finding texts: longer ones are cut. */
#define KT_MAX_NAME 256

typedef struct {
    const guint8 *p;
    gsize left;
} kt_cur;

static gboolean
take(kt_cur *c, gsize n, const guint8 **out)
{
    if (n > c->left)
        return FALSE;
    if (out)
        *out = c->p;
    c->p += n;
    c->left -= n;
    return TRUE;
}

static gboolean
u16(kt_cur *c, guint32 *v)
{
    const guint8 *b;
    if (!take(c, 2, &b))
        return FALSE;
    *v = ((guint32)b[0] << 8) | b[1];
    return TRUE;
}

static gboolean
u32(kt_cur *c, guint32 *v)
{
    const guint8 *b;
    if (!take(c, 4, &b))
        return FALSE;
    *v = ((guint32)b[0] << 24) | ((guint32)b[1] << 16) | ((guint32)b[2] << 8) | b[3];
    return TRUE;
}

/* A counted string as text; NUL bytes end it early (they never occur in names). */
static gboolean
counted(kt_cur *c, GString *out)
{
    guint32 n;
    const guint8 *b;
    if (!u16(c, &n) || !take(c, n, &b))
        return FALSE;
    gsize l = strnlen((const char *)b, n);
    g_string_append_len(out, (const char *)b, (gssize)l);
    return TRUE;
}

/* A name as finding texts can carry it: valid UTF-8, no control characters, capped. */
static char *
clean_name(GString *s)
{
    char *valid = g_utf8_make_valid(s->str, (gssize)s->len);
    if (g_utf8_strlen(valid, -1) > KT_MAX_NAME)
        *g_utf8_offset_to_pointer(valid, KT_MAX_NAME) = '\0';
    for (char *p = valid; *p; p++) {
        if ((guchar)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
    g_string_free(s, TRUE);
    return valid;
}

/* One entry (exactly the record's bytes); FALSE when it does not fit them. */
static gboolean
entry(kt_cur *c, kd_keytab_key *k)
{
    guint32 ncomp, name_type, stamp, etype, keylen;
    const guint8 *vno8;
    GString *realm = g_string_new(NULL), *name = g_string_new(NULL);
    gboolean ok = u16(c, &ncomp) && ncomp <= KT_MAX_COMPONENTS && counted(c, realm);
    for (guint32 i = 0; ok && i < ncomp; i++) {
        if (i)
            g_string_append_c(name, '/');
        ok = counted(c, name);
    }
    ok = ok && u32(c, &name_type) && u32(c, &stamp) && take(c, 1, &vno8) && u16(c, &etype) &&
         u16(c, &keylen) && take(c, keylen, NULL);
    if (ok) {
        guint32 vno32 = 0;
        k->kvno = vno8[0];
        if (c->left >= 4 && u32(c, &vno32) && vno32 != 0)
            k->kvno = vno32;
        k->etype = (gint32)etype;
        k->principal = clean_name(name);
        k->realm = clean_name(realm);
    } else {
        g_string_free(name, TRUE);
        g_string_free(realm, TRUE);
    }
    return ok;
}

void
kd_keytab_clear(kd_keytab *kt)
{
    for (guint i = 0; i < kt->n && i < KD_KEYTAB_MAX; i++) {
        g_free(kt->keys[i].principal);
        g_free(kt->keys[i].realm);
    }
    memset(kt, 0, sizeof(*kt));
}

gboolean
kd_keytab_parse(const guint8 *buf, gsize len, kd_keytab *kt)
{
    kd_keytab_clear(kt);
    if (!buf || len < 2 || buf[0] != KT_VERSION_HI || buf[1] != KT_VERSION_2)
        return FALSE;
    kt->loaded = TRUE;
    kt_cur c = { buf + 2, len - 2 };
    while (c.left >= 4) {
        guint32 raw;
        u32(&c, &raw);
        gint32 size = (gint32)raw;
        if (size == 0)
            break;
        if (size < 0) {
            /* A hole; INT32_MIN has no positive counterpart. */
            if (size == G_MININT32 || !take(&c, (gsize)(-(gint64)size), NULL)) {
                kt->damaged = TRUE;
                break;
            }
            continue;
        }
        const guint8 *rec;
        if (!take(&c, (gsize)size, &rec)) {
            kt->damaged = TRUE;
            break;
        }
        if (kt->n >= KD_KEYTAB_MAX) {
            kt->dropped++;
            continue;
        }
        kt_cur e = { rec, (gsize)size };
        if (entry(&e, &kt->keys[kt->n]))
            kt->n++;
        else
            kt->damaged = TRUE;
    }
    return TRUE;
}
