/* kd_kdcreq.h
 * A bounded reader for the body of a KDC request (AS-REQ, TGS-REQ): the KDC
 * options user-to-user and S4U2Proxy set, the etypes the client asks for, and
 * where its additional tickets are, read from the bytes of the request.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   KDC-REQ ::= SEQUENCE { pvno [1], msg-type [2], padata [3] OPTIONAL,
 *                          req-body [4] KDC-REQ-BODY }
 *   KDC-REQ-BODY ::= SEQUENCE { kdc-options [0] KDCOptions, cname [1] OPTIONAL,
 *       realm [2], sname [3] OPTIONAL, from [4] OPTIONAL, till [5], rtime [6]
 *       OPTIONAL, nonce [7], etype [8] SEQUENCE OF Int32, addresses [9] OPTIONAL,
 *       enc-authorization-data [10] OPTIONAL, additional-tickets [11] SEQUENCE OF
 *       Ticket OPTIONAL }
 * (RFC 4120 5.4.1), wrapped in [APPLICATION 10] or [APPLICATION 12].
 */
#ifndef KD_KDCREQ_H
#define KD_KDCREQ_H

#include <glib.h>

#include "kd_obs.h"         /* KD_MAX_ETYPES */

/* How many additional tickets are looked at (their first ones matter). */
#define KD_KDCREQ_MAX_TICKETS 64

typedef struct {
    gboolean has_body;
    gboolean opt_cname_in_addl_tkt;
    gboolean opt_enc_tkt_in_skey;
    gint32 etypes[KD_MAX_ETYPES];   /* in the request's order */
    guint n_etypes;
    /* additional-tickets: the SEQUENCE OF's place in the caller's buffer (offset
     * and length of the whole TLV) and its tickets, in order (each a window). */
    gboolean has_addl;
    gsize addl_offset, addl_len;
    guint n_addl;
    struct {
        const guint8 *p;
        gsize len;
    } addl[KD_KDCREQ_MAX_TICKETS];
} kd_kdcreq;

/* Reads the KDC-REQ at the start of buf[0 .. len) (the SEQUENCE, or the
 * [APPLICATION n] around it) into *out (cleared first). Never reads outside the
 * buffer. FALSE when no req-body was found; a broken field leaves only itself
 * and what follows it in the body absent. */
gboolean kd_kdcreq_parse(const guint8 *buf, gsize len, kd_kdcreq *out);

/* Whether KDCOptions bit `bit` is set, given the BIT STRING's value bytes
 * (unused-bits octet first). FALSE when the string is too short to hold it. */
gboolean kd_kdcreq_option(const guint8 *bits, gsize len, guint bit);

#endif /* KD_KDCREQ_H */
