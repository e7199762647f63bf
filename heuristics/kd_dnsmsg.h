/* kd_dnsmsg.h
 * A bounded reader for the resource records of a DNS message (RFC 1035 4.1): each
 * record's owner name and, for CNAME, PTR, A and AAAA, what it points to, in the
 * message's order (answers, authority, additional), from the message's bytes. It
 * stands in for dns.resp.name, dns.a and dns.aaaa, which Wireshark would otherwise
 * mark before every frame and build on every DNS answer.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Names are decompressed (RFC 1035 4.1.4) with at most KD_DNSMSG_MAX_JUMPS
 * pointers and 255 bytes; labels are joined with '.', the root is "<Root>" (as
 * Wireshark shows it). Label bytes are copied as sent: escape before display.
 */
#ifndef KD_DNSMSG_H
#define KD_DNSMSG_H

#include <glib.h>

#include "kd_obs.h"         /* KD_MAX_DNS_ANSWERS, kd_addr */

#define KD_DNSMSG_MAX_NAME 255
/* RFC 1035 3.2.2: CNAME (an alias) and PTR (a reverse look-up's name). */
#define KD_DNS_RR_CNAME 5
#define KD_DNS_RR_PTR 12
#define KD_DNSMSG_MAX_JUMPS 32

typedef struct {
    char name[KD_DNSMSG_MAX_NAME + 1];
    guint16 type;
    gboolean has_target;                    /* CNAME or PTR */
    char target[KD_DNSMSG_MAX_NAME + 1];
    kd_addr addr;                           /* A or AAAA; len 0 otherwise */
} kd_dnsmsg_rr;

typedef struct {
    gboolean is_response;                   /* the header's QR bit */
    guint n_rrs;
    kd_dnsmsg_rr rrs[KD_MAX_DNS_ANSWERS];
} kd_dnsmsg;

/* buf[0 .. len) is one DNS message (header first). FALSE when its header or
 * questions cannot be read; records after a broken one are absent. */
gboolean kd_dnsmsg_parse(const guint8 *buf, gsize len, kd_dnsmsg *out);

#endif /* KD_DNSMSG_H */
