/* kd_encdata.h
 * A bounded reader for one Kerberos EncryptedData (RFC 4120 5.2.9): its etype,
 * kvno and the ciphertext's place, read from the bytes of the enc-part a
 * message already located (a ticket's enc-part, a reply's).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   EncryptedData ::= SEQUENCE {
 *       etype   [0] Int32,
 *       kvno    [1] UInt32 OPTIONAL,
 *       cipher  [2] OCTET STRING }
 */
#ifndef KD_ENCDATA_H
#define KD_ENCDATA_H

#include <glib.h>

#include "kd_edata.h"     /* kd_der */

typedef struct {
    gboolean has_etype;
    gint32 etype;
    gboolean has_kvno;
    gint64 kvno;
    const guint8 *cipher;       /* the OCTET STRING's value inside the caller's buffer,
                                   NULL when absent */
    gsize cipher_len;
} kd_encdata;

/* Reads the EncryptedData SEQUENCE at the start of buf[0 .. len) into *out
 * (cleared first). Never reads outside the buffer. FALSE when the bytes do not
 * start with a SEQUENCE whose length fits; fields that are missing or broken
 * are left absent, those read before them stay. */
gboolean kd_encdata_parse(const guint8 *buf, gsize len, kd_encdata *out);

/* The value of context field [n] (tag 0xa0 + n) of the SEQUENCE at the start of
 * buf[0 .. len), looked through one APPLICATION tag around it (Kerberos messages
 * and tickets carry one: Ticket ::= [APPLICATION 1] SEQUENCE): the first such
 * field, as a window into buf. FALSE when the bytes have no such field. */
gboolean kd_der_seq_field(const guint8 *buf, gsize len, guint n, kd_der *out);

/* The EncryptedData in context field [n] of such a SEQUENCE: a ticket's enc-part
 * is field [3], a KDC-REP's [6], an AP-REP's [2]. */
gboolean kd_encdata_in(const guint8 *buf, gsize len, guint n, kd_encdata *out);

/* FNV-1a (64 bit) over the first `max` bytes of the ciphertext: enough to tell
 * two tickets apart (ciphertext is random-looking), equal for the same ticket
 * presented twice. 0 when there is no ciphertext; never 0 otherwise. */
guint64 kd_encdata_cipher_hash(const kd_encdata *e, gsize max);

#endif /* KD_ENCDATA_H */
