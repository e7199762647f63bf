/* kd_krberr.h
 * A bounded reader for the fields of a KRB-ERROR that only a KRB-ERROR has: the
 * error code, the client's and the KDC's times, and the e-data, read from the
 * bytes of the message.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0], msg-type [1], ctime [2]
 *       OPTIONAL, cusec [3] OPTIONAL, stime [4], susec [5], error-code [6],
 *       crealm [7] OPTIONAL, cname [8] OPTIONAL, realm [9], sname [10],
 *       e-text [11] OPTIONAL, e-data [12] OPTIONAL }          (RFC 4120 5.9.1)
 */
#ifndef KD_KRBERR_H
#define KD_KRBERR_H

#include <glib.h>

typedef struct {
    gboolean has_error_code;
    gint32 error_code;
    gboolean has_ctime, has_cusec, has_stime, has_susec;
    gint64 ctime, stime;        /* seconds since 1970 UTC */
    gint64 cusec, susec;        /* as sent (range not checked) */
    const guint8 *edata;        /* e-data's OCTET STRING value in the caller's buffer */
    gsize edata_len;
} kd_krberr;

/* Reads the KRB-ERROR at the start of buf[0 .. len) (its SEQUENCE, or the
 * [APPLICATION 30] around it) into *out (cleared first). Never reads outside the
 * buffer. The first error code and e-data count, the last of a time or its
 * microseconds. Each field is read on its own: a broken one is left absent, the others
 * are kept. A time is read only in the form RFC 4120 prescribes,
 * YYYYMMDDHHMMSSZ. FALSE when the bytes are no SEQUENCE. */
gboolean kd_krberr_parse(const guint8 *buf, gsize len, kd_krberr *out);

#endif /* KD_KRBERR_H */
