/* kd_dnsmsg.c
 * A bounded reader for the resource records of a DNS message: see kd_dnsmsg.h.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_dnsmsg.h"

#include <string.h>

/* RFC 1035 4.1.1: a 12-byte header, the section counts at bytes 4, 6, 8 and 10. */
#define KD_DNS_HEADER_LEN 12
#define KD_DNS_FLAGS 2
#define KD_DNS_QR 0x80          /* in the first flags byte: a response */
#define KD_DNS_QDCOUNT 4
#define KD_DNS_ANCOUNT 6
/* RFC 1035 3.2.2, RFC 3596: the record types read. */
#define KD_DNS_TYPE_A 1
#define KD_DNS_TYPE_AAAA 28
/* A label's length byte: top two bits 11 make a compression pointer. */
#define KD_DNS_POINTER 0xc0
#define KD_DNS_MAX_LABEL 63
#define KD_DNS_RR_FIXED 10      /* type, class, TTL, RDLENGTH */

static guint16
be16(const guint8 *p)
{
    return (guint16)(p[0] << 8 | p[1]);
}

/* The name at *at into text (when text is not NULL); *at moves past the name as
 * it stands in the message (a pointer ends it). FALSE when malformed. */
static gboolean
read_name(const guint8 *buf, gsize len, gsize *at, char *text)
{
    gsize pos = *at, out = 0, end = 0;
    guint jumps = 0;
    gboolean jumped = FALSE;
    for (;;) {
        if (pos >= len)
            return FALSE;
        guint8 l = buf[pos];
        if ((l & KD_DNS_POINTER) == KD_DNS_POINTER) {
            if (pos + 1 >= len || ++jumps > KD_DNSMSG_MAX_JUMPS)
                return FALSE;
            if (!jumped)
                end = pos + 2;
            jumped = TRUE;
            pos = (gsize)(l & ~KD_DNS_POINTER) << 8 | buf[pos + 1];
            continue;
        }
        if (l > KD_DNS_MAX_LABEL)
            return FALSE;           /* the reserved label types */
        if (l == 0) {
            if (!jumped)
                end = pos + 1;
            break;
        }
        if (pos + 1 + l > len || out + l + 1 > KD_DNSMSG_MAX_NAME)
            return FALSE;
        if (text) {
            if (out)
                text[out++] = '.';
            memcpy(text + out, buf + pos + 1, l);
        } else if (out) {
            out++;
        }
        out += l;
        pos += 1 + (gsize)l;
    }
    if (text) {
        if (out == 0)
            g_strlcpy(text, "<Root>", KD_DNSMSG_MAX_NAME + 1);
        else
            text[out] = '\0';
    }
    *at = end;
    return TRUE;
}

/* One record at *at: its name and what it points to, into rr (when not NULL). */
static gboolean
read_rr(const guint8 *buf, gsize len, gsize *at, kd_dnsmsg_rr *rr)
{
    if (!read_name(buf, len, at, rr ? rr->name : NULL) || *at + KD_DNS_RR_FIXED > len)
        return FALSE;
    const guint16 type = be16(buf + *at);
    const gsize rdlen = be16(buf + *at + 8), rdata = *at + KD_DNS_RR_FIXED;
    if (rdata + rdlen > len)
        return FALSE;
    *at = rdata + rdlen;
    if (!rr)
        return TRUE;
    rr->type = type;
    if (type == KD_DNS_RR_CNAME || type == KD_DNS_RR_PTR) {
        gsize t = rdata;
        rr->has_target = read_name(buf, len, &t, rr->target);
        if (!rr->has_target)
            rr->target[0] = '\0';  /* a broken name leaves no partial text */
    } else if ((type == KD_DNS_TYPE_A && rdlen == 4) || (type == KD_DNS_TYPE_AAAA && rdlen == 16)) {
        rr->addr.len = (guint8)rdlen;
        memcpy(rr->addr.bytes, buf + rdata, rdlen);
    }
    return TRUE;
}

gboolean
kd_dnsmsg_parse(const guint8 *buf, gsize len, kd_dnsmsg *out)
{
    /* Only the header and the records read are set: the record array is 8 kB,
     * and a reader sees no record past n_rrs. */
    out->is_response = FALSE;
    out->n_rrs = 0;
    if (!buf || len < KD_DNS_HEADER_LEN)
        return FALSE;
    out->is_response = (buf[KD_DNS_FLAGS] & KD_DNS_QR) != 0;
    gsize at = KD_DNS_HEADER_LEN;
    for (guint q = be16(buf + KD_DNS_QDCOUNT); q > 0; q--) {
        if (!read_name(buf, len, &at, NULL) || at + 4 > len)
            return FALSE;
        at += 4;                    /* QTYPE, QCLASS */
    }
    guint records = 0;
    for (guint s = 0; s < 3; s++)
        records += be16(buf + KD_DNS_ANCOUNT + 2 * s);
    for (guint r = 0; r < records && out->n_rrs < KD_MAX_DNS_ANSWERS; r++) {
        kd_dnsmsg_rr *rr = &out->rrs[out->n_rrs];
        /* Every field but the name, which read_rr writes whole or the record is
         * dropped. */
        rr->type = 0;
        rr->has_target = FALSE;
        rr->target[0] = '\0';
        memset(&rr->addr, 0, sizeof rr->addr);
        if (!read_rr(buf, len, &at, rr))
            break;
        out->n_rrs++;
    }
    return TRUE;
}
