/* kd_krberr.c
 * A bounded reader for a KRB-ERROR's own fields (see kd_krberr.h).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every length is checked by kd_der_next() against its enclosing window, so no
 * read leaves the caller's buffer; there is no recursion.
 */
#include "kd_krberr.h"

#include <string.h>

#include "kd_edata.h"

#define TAG_OCTET_STRING     0x04
#define TAG_GENERALIZED_TIME 0x18
#define TAG_SEQUENCE         0x30
#define TAG_APP_KRB_ERROR    0x7e

/* KerberosTime: GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 4120 5.2.3). */
static gboolean
kerberos_time(kd_der field, gint64 *out)
{
    guint8 tag;
    kd_der t;
    if (!kd_der_next(&field, &tag, &t) || tag != TAG_GENERALIZED_TIME)
        return FALSE;
    return kd_der_kerberos_time(t, out);
}

gboolean
kd_krberr_parse(const guint8 *buf, gsize len, kd_krberr *out)
{
    memset(out, 0, sizeof(*out));
    kd_der all = { buf, buf ? len : 0 };
    guint8 tag;
    kd_der seq;
    if (!kd_der_next(&all, &tag, &seq))
        return FALSE;
    if (tag == TAG_APP_KRB_ERROR) {
        kd_der app = seq;
        if (!kd_der_next(&app, &tag, &seq))
            return FALSE;
    }
    if (tag != TAG_SEQUENCE)
        return FALSE;
    kd_der field;
    while (seq.len && kd_der_next(&seq, &tag, &field)) {
        gint64 v;
        kd_der os;
        switch (tag) {
        case 0xa2: out->has_ctime = kerberos_time(field, &out->ctime); break;
        case 0xa3: out->has_cusec = kd_der_int(field, &out->cusec); break;
        case 0xa4: out->has_stime = kerberos_time(field, &out->stime); break;
        case 0xa5: out->has_susec = kd_der_int(field, &out->susec); break;
        case 0xa6:
            if (!out->has_error_code && kd_der_int(field, &v) && v >= G_MININT32 && v <= G_MAXINT32) {
                out->has_error_code = TRUE;
                out->error_code = (gint32)v;
            }
            break;
        case 0xac:
            if (!out->edata && kd_der_next(&field, &tag, &os) && tag == TAG_OCTET_STRING) {
                out->edata = os.p;
                out->edata_len = os.len;
            }
            break;
        default:
            break;
        }
    }
    return TRUE;
}
