/* kd_krbmsg.c
 * A bounded reader for one Kerberos message: see kd_krbmsg.h.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Only definite-length, low-tag-number DER is read (kd_der_next); every field
 * is a window on the caller's buffer. Nesting is bounded by the fixed
 * structure read here: a ticket inside PA-DATA is read once, never recursed.
 */
#include "kd_krbmsg.h"

#include <string.h>

#include "kd_numbers.h"

#define TAG_INTEGER         0x02
#define TAG_OCTET_STRING    0x04
#define TAG_SEQUENCE        0x30
#define TAG_APPLICATION     0x60    /* [APPLICATION n], constructed: 0x60 | n */
#define TAG_CONTEXT         0xa0    /* [n], constructed: 0xa0 | n */
#define TAG_NUMBER_MASK     0x1f
#define TAG_CLASS_MASK      0xe0
#define TAG_TICKET          (TAG_APPLICATION | 1)

/* Context tags [0] .. [KD_KRBMSG_MAX_FIELD - 1] of one SEQUENCE. */
#define KD_KRBMSG_MAX_FIELD 13

/* The explicit [n] fields of the SEQUENCE TLV at the start of `d`: fields[n] is
 * the content of [n] (the inner TLV), len 0 when absent. FALSE when `d` does
 * not start with a SEQUENCE. */
static gboolean
seq_fields(kd_der d, kd_der fields[KD_KRBMSG_MAX_FIELD])
{
    guint8 tag;
    kd_der body, f;
    memset(fields, 0, sizeof(kd_der) * KD_KRBMSG_MAX_FIELD);
    if (!kd_der_next(&d, &tag, &body) || tag != TAG_SEQUENCE)
        return FALSE;
    while (body.len && kd_der_next(&body, &tag, &f)) {
        guint n = tag & TAG_NUMBER_MASK;
        if ((tag & TAG_CLASS_MASK) == TAG_CONTEXT && n < KD_KRBMSG_MAX_FIELD && !fields[n].p)
            fields[n] = f;
    }
    return TRUE;
}

/* The value of the single TLV at the start of `d`, when its tag is `want`. */
static gboolean
inner(kd_der d, guint8 want, kd_der *value)
{
    guint8 tag;
    return d.p && kd_der_next(&d, &tag, value) && tag == want;
}

/* A KerberosString (GeneralString, or another string type a sender chose). */
static gboolean
kstring(kd_der field, kd_der *out)
{
    guint8 tag;
    return field.p && kd_der_next(&field, &tag, out) && (tag & TAG_CLASS_MASK) == 0;
}

/* PrincipalName ::= SEQUENCE { name-type [0], name-string [1] SEQUENCE OF KerberosString } */
static void
principal(kd_der field, kd_krbmsg_name *name)
{
    kd_der f[KD_KRBMSG_MAX_FIELD], seq, s;
    guint8 tag;
    if (!field.p || !seq_fields(field, f) || !inner(f[1], TAG_SEQUENCE, &seq))
        return;
    while (seq.len && kd_der_next(&seq, &tag, &s)) {
        if ((tag & TAG_CLASS_MASK) == 0 && name->n < KD_KRBMSG_MAX_COMPONENTS)
            name->part[name->n++] = s;
    }
}

gboolean
kd_krbmsg_ticket_parse(const guint8 *buf, gsize len, kd_krbmsg_ticket *out)
{
    memset(out, 0, sizeof(*out));
    kd_der d = { buf, len }, body;
    guint8 tag;
    kd_der f[KD_KRBMSG_MAX_FIELD];
    if (!buf || !kd_der_next(&d, &tag, &body) || tag != TAG_TICKET || !seq_fields(body, f))
        return FALSE;
    out->present = TRUE;
    out->tlv.p = buf;
    out->tlv.len = len - d.len;
    out->has_realm = kstring(f[1], &out->realm);
    principal(f[2], &out->sname);
    return TRUE;
}

/* The ticket of the AP-REQ in `ap_req` (the whole [APPLICATION 14] TLV). */
static void
ap_req_ticket(kd_der ap_req, kd_krbmsg_ticket *t)
{
    guint8 tag;
    kd_der body, f[KD_KRBMSG_MAX_FIELD];
    if (t->present || !kd_der_next(&ap_req, &tag, &body) || tag != (TAG_APPLICATION | KRB_AP_REQ) ||
        !seq_fields(body, f) || !f[3].p)
        return;
    kd_krbmsg_ticket_parse(f[3].p, f[3].len, t);
}

/* PA-FX-FAST-REQUEST armored-data [0] KrbFastArmoredReq { armor [0] KrbFastArmor
 * { armor-type [0], armor-value [1] OCTET STRING (an AP-REQ) } } (RFC 6113 5.4.2). */
static void
fast_armor_ticket(kd_der value, kd_krbmsg_ticket *t)
{
    kd_der req, armor_seq, av;
    kd_der f[KD_KRBMSG_MAX_FIELD], a[KD_KRBMSG_MAX_FIELD];
    if (!inner(value, TAG_CONTEXT | 0, &req) || !seq_fields(req, f) || !f[0].p)
        return;
    armor_seq = f[0];
    if (!seq_fields(armor_seq, a) || !inner(a[1], TAG_OCTET_STRING, &av))
        return;
    ap_req_ticket(av, t);
}

/* ETYPE-INFO2 / ETYPE-INFO: SEQUENCE OF SEQUENCE { etype [0] Int32, ... }. */
static void
etype_entries(kd_der value, kd_krbmsg *m)
{
    kd_der seq, entry;
    guint8 tag;
    if (!inner(value, TAG_SEQUENCE, &seq))
        return;
    while (seq.len && kd_der_next(&seq, &tag, &entry) && m->n_etype_info < KD_MAX_ETYPES) {
        if (tag != TAG_SEQUENCE)
            return;
        guint8 t2;
        kd_der fv;
        gint64 et;
        while (entry.len && kd_der_next(&entry, &t2, &fv)) {
            if (t2 == (TAG_CONTEXT | 0)) {
                if (kd_der_int(fv, &et) && et >= G_MININT32 && et <= G_MAXINT32)
                    m->etype_info[m->n_etype_info++] = (gint32)et;
                break;
            }
        }
    }
}

/* A SEQUENCE OF PA-DATA { padata-type [1] Int32, padata-value [2] OCTET STRING }:
 * the types, the announced etypes, and in a request the first ticket and
 * PA-FOR-USER's realm. */
static void
padata_list(kd_der field, gboolean request, kd_krbmsg *m)
{
    kd_der seq, pa;
    guint8 tag;
    if (!inner(field, TAG_SEQUENCE, &seq))
        return;
    while (seq.len && kd_der_next(&seq, &tag, &pa)) {
        if (tag != TAG_SEQUENCE)
            return;
        kd_der f[KD_KRBMSG_MAX_FIELD], value, pf[KD_KRBMSG_MAX_FIELD];
        gint64 type;
        guint8 t2;
        kd_der fv;
        memset(f, 0, sizeof f);
        while (pa.len && kd_der_next(&pa, &t2, &fv)) {
            if ((t2 & TAG_CLASS_MASK) == TAG_CONTEXT && (t2 & TAG_NUMBER_MASK) < KD_KRBMSG_MAX_FIELD)
                f[t2 & TAG_NUMBER_MASK] = fv;
        }
        if (!f[1].p || !kd_der_int(f[1], &type) || type < G_MININT32 || type > G_MAXINT32)
            continue;
        if (m->n_padata < KD_MAX_PADATA)
            m->padata[m->n_padata++] = (gint32)type;
        if (!inner(f[2], TAG_OCTET_STRING, &value))
            continue;
        if (type == PA_ETYPE_INFO2 || type == PA_ETYPE_INFO)
            etype_entries(value, m);
        else if (request && type == PA_TGS_REQ)
            ap_req_ticket(value, &m->ticket);
        else if (request && type == PA_FX_FAST)
            fast_armor_ticket(value, &m->ticket);
        else if (request && type == PA_FOR_USER && !m->has_realm && seq_fields(value, pf))
            m->has_realm = kstring(pf[1], &m->realm);
    }
}

static void
msg_type_field(kd_der field, kd_krbmsg *m)
{
    m->has_msg_type = field.p && kd_der_int(field, &m->msg_type);
}

static void
kdc_req(const kd_der *f, kd_krbmsg *m)
{
    kd_der b[KD_KRBMSG_MAX_FIELD];
    msg_type_field(f[2], m);
    padata_list(f[3], TRUE, m);
    if (!f[4].p || !seq_fields(f[4], b))
        return;
    principal(b[1], &m->cname);
    if (!m->has_realm)
        m->has_realm = kstring(b[2], &m->realm);
    principal(b[3], &m->sname);
}

static void
kdc_rep(const kd_der *f, kd_krbmsg *m)
{
    msg_type_field(f[1], m);
    padata_list(f[2], FALSE, m);
    m->has_crealm = kstring(f[3], &m->crealm);
    principal(f[4], &m->cname);
    if (f[5].p)
        kd_krbmsg_ticket_parse(f[5].p, f[5].len, &m->ticket);
}

static void
krb_error(const kd_der *f, kd_krbmsg *m)
{
    kd_der edata, peek, first;
    guint8 tag;
    msg_type_field(f[1], m);
    m->has_crealm = kstring(f[7], &m->crealm);
    principal(f[8], &m->cname);
    m->has_realm = kstring(f[9], &m->realm);
    principal(f[10], &m->sname);
    m->has_e_text = kstring(f[11], &m->e_text);
    /* METHOD-DATA (a SEQUENCE OF PA-DATA), not a typed KERB-ERROR-DATA. */
    if (!inner(f[12], TAG_OCTET_STRING, &edata) || !inner(edata, TAG_SEQUENCE, &peek) ||
        !kd_der_next(&peek, &tag, &first) || tag != TAG_SEQUENCE)
        return;
    padata_list(edata, FALSE, m);
}

static gboolean
is_message_tag(guint8 tag)
{
    if ((tag & TAG_CLASS_MASK) != TAG_APPLICATION)
        return FALSE;
    switch (tag & TAG_NUMBER_MASK) {
    case KRB_AS_REQ: case KRB_TGS_REQ: case KRB_AS_REP: case KRB_TGS_REP:
    case KRB_AP_REQ: case KRB_AP_REP: case KRB_ERROR:
        return TRUE;
    default:
        return FALSE;
    }
}

/* Whether the message starting at `at` has its msg-type value exactly at
 * value[0 .. value_len); *total: its TLV's length. */
static gboolean
message_starts_at(const guint8 *at, const guint8 *value, gsize value_len, gsize *total)
{
    kd_der d = { at, (gsize)(value + value_len - at) }, pvno, type;
    guint8 tag;
    gsize header, length;
    if (!kd_der_header(d, &tag, &header, &length) || !is_message_tag(tag))
        return FALSE;
    const guint first = (tag & TAG_NUMBER_MASK) == KRB_AS_REQ || (tag & TAG_NUMBER_MASK) == KRB_TGS_REQ ? 1 : 0;
    *total = header + length;
    d.p += header;
    d.len -= header;
    if (!kd_der_header(d, &tag, &header, &length) || tag != TAG_SEQUENCE)
        return FALSE;
    d.p += header;
    d.len -= header;
    if (!kd_der_next(&d, &tag, &pvno) || tag != (TAG_CONTEXT | first) ||
        !kd_der_next(&d, &tag, &type) || tag != (TAG_CONTEXT | (first + 1)) ||
        !kd_der_header(type, &tag, &header, &length) || tag != TAG_INTEGER)
        return FALSE;
    return type.p + header == value && length == value_len;
}

gboolean
kd_krbmsg_locate(const guint8 *buf, gsize value_at, gsize value_len, gsize *start, gsize *total)
{
    if (!buf || value_len == 0)
        return FALSE;
    for (gsize back = KD_KRBMSG_TYPE_MIN_OFFSET; back <= KD_KRBMSG_TYPE_MAX_OFFSET && back <= value_at; back++) {
        if (message_starts_at(buf + value_at - back, buf + value_at, value_len, total)) {
            *start = value_at - back;
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
kd_krbmsg_parse(const guint8 *buf, gsize len, kd_krbmsg *out)
{
    memset(out, 0, sizeof(*out));
    kd_der d = { buf, len }, body, f[KD_KRBMSG_MAX_FIELD];
    guint8 tag;
    if (!buf || !kd_der_next(&d, &tag, &body) || (tag & TAG_CLASS_MASK) != TAG_APPLICATION)
        return FALSE;
    out->app_tag = tag & TAG_NUMBER_MASK;
    switch (out->app_tag) {
    case KRB_AS_REQ: case KRB_TGS_REQ: case KRB_AS_REP: case KRB_TGS_REP:
    case KRB_AP_REQ: case KRB_AP_REP: case KRB_ERROR:
        break;
    default:
        return FALSE;
    }
    if (!seq_fields(body, f))
        return FALSE;
    switch (out->app_tag) {
    case KRB_AS_REQ: case KRB_TGS_REQ:
        kdc_req(f, out);
        break;
    case KRB_AS_REP: case KRB_TGS_REP:
        kdc_rep(f, out);
        break;
    case KRB_AP_REQ:
        msg_type_field(f[1], out);
        if (f[3].p)
            kd_krbmsg_ticket_parse(f[3].p, f[3].len, &out->ticket);
        break;
    case KRB_AP_REP:
        msg_type_field(f[1], out);
        break;
    default:
        krb_error(f, out);
        break;
    }
    return TRUE;
}
