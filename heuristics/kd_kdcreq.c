/* kd_kdcreq.c
 * A bounded reader for the body of a KDC request (see kd_kdcreq.h).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every length is checked by kd_der_next() against its enclosing window, so no
 * read leaves the caller's buffer; there is no recursion.
 */
#include "kd_kdcreq.h"

#include <string.h>

#include "kd_edata.h"
#include "kd_encdata.h"

#define TAG_BIT_STRING      0x03
#define TAG_SEQUENCE        0x30

gboolean
kd_kdcreq_option(const guint8 *bits, gsize len, guint bit)
{
    gsize byte = 1 + bit / 8;   /* after the unused-bits octet */
    return bits && byte < len && (bits[byte] & (0x80 >> (bit % 8))) != 0;
}

gboolean
kd_kdcreq_parse(const guint8 *buf, gsize len, kd_kdcreq *out)
{
    memset(out, 0, sizeof(*out));
    kd_der field, body;
    guint8 tag;
    if (!kd_der_seq_field(buf, len, 4, &field) || !kd_der_next(&field, &tag, &body) || tag != TAG_SEQUENCE)
        return FALSE;
    out->has_body = TRUE;
    while (body.len) {
        if (!kd_der_next(&body, &tag, &field))
            break;
        kd_der v;
        guint8 vtag;
        switch (tag) {
        case 0xa0:      /* kdc-options */
            if (kd_der_next(&field, &vtag, &v) && vtag == TAG_BIT_STRING) {
                out->opt_cname_in_addl_tkt = kd_kdcreq_option(v.p, v.len, KDC_OPT_CNAME_IN_ADDL_TKT);
                out->opt_enc_tkt_in_skey = kd_kdcreq_option(v.p, v.len, KDC_OPT_ENC_TKT_IN_SKEY);
            }
            break;
        case 0xa8:      /* etype: SEQUENCE OF Int32 */
            if (kd_der_next(&field, &vtag, &v) && vtag == TAG_SEQUENCE) {
                while (v.len && out->n_etypes < KD_MAX_ETYPES) {
                    kd_der one = v;
                    kd_der ignored;
                    gint64 e;
                    if (!kd_der_next(&v, &vtag, &ignored))
                        break;
                    one.len = (gsize)(v.p - one.p);
                    if (kd_der_int(one, &e) && e >= G_MININT32 && e <= G_MAXINT32)
                        out->etypes[out->n_etypes++] = (gint32)e;
                }
            }
            break;
        case 0xab: {    /* additional-tickets: SEQUENCE OF Ticket */
            const guint8 *seq_at = field.p;
            if (kd_der_next(&field, &vtag, &v) && vtag == TAG_SEQUENCE) {
                out->has_addl = TRUE;
                out->addl_offset = (gsize)(seq_at - buf);
                out->addl_len = (gsize)(field.p - seq_at);
                while (v.len) {
                    const guint8 *t = v.p;
                    kd_der ticket;
                    if (!kd_der_next(&v, &vtag, &ticket))
                        break;
                    if (out->n_addl < KD_KDCREQ_MAX_TICKETS) {
                        out->addl[out->n_addl].p = t;
                        out->addl[out->n_addl].len = (gsize)(v.p - t);
                    }
                    out->n_addl++;
                }
            }
            break;
        }
        default:
            break;
        }
    }
    return TRUE;
}
