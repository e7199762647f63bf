/* kd_encdata.c
 * A bounded reader for one Kerberos EncryptedData (see kd_encdata.h).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every length is checked by kd_der_next() against its enclosing window, so no
 * read leaves the caller's buffer; there is no recursion.
 */
#include "kd_encdata.h"

#include <string.h>

#include "kd_edata.h"
#include "kd_util.h"

#define TAG_SEQUENCE        0x30
#define TAG_OCTET_STRING    0x04
#define TAG_CTX_ETYPE       0xa0
#define TAG_CTX_KVNO        0xa1
#define TAG_CTX_CIPHER      0xa2

gboolean
kd_encdata_parse(const guint8 *buf, gsize len, kd_encdata *out)
{
    memset(out, 0, sizeof(*out));
    kd_der all = { buf, buf ? len : 0 };
    guint8 tag;
    kd_der seq;
    if (!kd_der_next(&all, &tag, &seq) || tag != TAG_SEQUENCE)
        return FALSE;
    kd_der field;
    while (seq.len && kd_der_next(&seq, &tag, &field)) {
        gint64 v;
        if (tag == TAG_CTX_ETYPE && !out->has_etype && kd_der_int(field, &v) &&
            v >= G_MININT32 && v <= G_MAXINT32) {
            out->has_etype = TRUE;
            out->etype = (gint32)v;
        } else if (tag == TAG_CTX_KVNO && !out->has_kvno && kd_der_int(field, &v)) {
            out->has_kvno = TRUE;
            out->kvno = v;
        } else if (tag == TAG_CTX_CIPHER && !out->cipher) {
            kd_der os;
            if (kd_der_next(&field, &tag, &os) && tag == TAG_OCTET_STRING) {
                out->cipher = os.p;
                out->cipher_len = os.len;
            }
        }
    }
    return TRUE;
}

/* APPLICATION class, constructed: the [APPLICATION n] of Kerberos messages (n < 31). */
#define TAG_APP_CONS_MASK   0xe0
#define TAG_APP_CONS        0x60

gboolean
kd_der_seq_field(const guint8 *buf, gsize len, guint n, kd_der *out)
{
    kd_der all = { buf, buf ? len : 0 };
    guint8 tag;
    kd_der body;
    if (n > 30 || !kd_der_next(&all, &tag, &body))
        return FALSE;
    if ((tag & TAG_APP_CONS_MASK) == TAG_APP_CONS) {
        kd_der app = body;
        if (!kd_der_next(&app, &tag, &body))
            return FALSE;
    }
    if (tag != TAG_SEQUENCE)
        return FALSE;
    kd_der field;
    while (body.len && kd_der_next(&body, &tag, &field)) {
        if (tag == 0xa0 + n) {
            *out = field;
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
kd_encdata_in(const guint8 *buf, gsize len, guint n, kd_encdata *out)
{
    kd_der field;
    if (!kd_der_seq_field(buf, len, n, &field)) {
        memset(out, 0, sizeof(*out));
        return FALSE;
    }
    return kd_encdata_parse(field.p, field.len, out);
}

guint64
kd_encdata_cipher_hash(const kd_encdata *e, gsize max)
{
    gsize n = MIN(e->cipher_len, max);
    if (!e->cipher || n == 0)
        return 0;
    guint64 h = kd_fnv1a_64(e->cipher, n);
    return h ? h : 1;
}
