/* kd_gsskrb.c
 * A bounded reader for Kerberos GSS tokens (see kd_gsskrb.h).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every length is checked by kd_der_next() against its enclosing window, so no
 * read leaves the caller's buffer; nesting is fixed by the structures read here
 * (SPNEGO holds one mech token, read without SPNEGO), so recursion is bounded.
 */
#include "kd_gsskrb.h"

#include <string.h>

#include "kd_edata.h"

/* DER tags used here. */
#define TAG_INTEGER         0x02
#define TAG_OCTET_STRING    0x04
#define TAG_OID             0x06
#define TAG_ENUMERATED      0x0a
#define TAG_UTF8_STRING     0x0c
#define TAG_SEQUENCE        0x30
#define TAG_GENERALIZED_TIME 0x18
#define TAG_GENERAL_STRING  0x1b
#define TAG_GSS_FRAMING     0x60    /* [APPLICATION 0] InitialContextToken */
#define TAG_AP_REQ          0x6e    /* [APPLICATION 14] */
#define TAG_AP_REP          0x6f    /* [APPLICATION 15] */
#define TAG_KRB_ERROR       0x7e    /* [APPLICATION 30] */
#define TAG_NEG_TOKEN_INIT  0xa0    /* NegotiationToken CHOICE [0] */
#define TAG_NEG_TOKEN_RESP  0xa1    /* NegotiationToken CHOICE [1] */
#define TAG_CONTEXT_MASK    0xe0
#define TAG_CONTEXT_CONS    0xa0    /* context-specific, constructed */

/* RFC 1964 / RFC 4121 TOK_ID values (big-endian), user-to-user ones from
 * draft-swift-win2k-krb-user2user. */
#define TOK_ID_AP_REQ       0x0100
#define TOK_ID_AP_REP       0x0200
#define TOK_ID_KRB_ERROR    0x0300
#define TOK_ID_TGT_REQ      0x0400
#define TOK_ID_TGT_REP      0x0401

/* OID contents (without tag and length). */
static const guint8 oid_krb5[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02 };
static const guint8 oid_ms_krb5[] = { 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02 };
static const guint8 oid_krb5_u2u[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03 };
static const guint8 oid_spnego[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };
static const guint8 oid_ntlmssp[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a };
static const guint8 ntlmssp_signature[] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };

/* How many SPNEGO layers may be unwrapped: one (a mech token is not SPNEGO again). */
#define MAX_SPNEGO_DEPTH 1

/* mech_of_oid() of the SPNEGO OID (not a kd_gsskrb_mech: it is unwrapped). */
#define MECH_IS_SPNEGO (-1)

static gboolean
oid_is(kd_der oid, const guint8 *want, gsize n)
{
    return oid.len == n && memcmp(oid.p, want, n) == 0;
}

/* kd_gsskrb_mech of an OID's contents, or MECH_IS_SPNEGO. */
static int
mech_of_oid(kd_der oid)
{
    if (oid_is(oid, oid_krb5, sizeof oid_krb5))
        return KD_GSSKRB_MECH_KRB5;
    if (oid_is(oid, oid_ms_krb5, sizeof oid_ms_krb5))
        return KD_GSSKRB_MECH_MS_KRB5;
    if (oid_is(oid, oid_krb5_u2u, sizeof oid_krb5_u2u))
        return KD_GSSKRB_MECH_KRB5_U2U;
    if (oid_is(oid, oid_spnego, sizeof oid_spnego))
        return MECH_IS_SPNEGO;
    if (oid_is(oid, oid_ntlmssp, sizeof oid_ntlmssp))
        return KD_GSSKRB_MECH_NTLMSSP;
    return KD_GSSKRB_MECH_OTHER;
}

/* `field` holds exactly one TLV with tag `want`: its value goes to `body`. */
static gboolean
one_tlv(kd_der field, guint8 want, kd_der *body)
{
    guint8 tag;
    return kd_der_next(&field, &tag, body) && tag == want && field.len == 0;
}

/* `field` holds exactly one INTEGER that fits a gint32. */
static gboolean
field_int32(kd_der field, gint32 *out)
{
    kd_der body;
    gint64 v;
    if (!one_tlv(field, TAG_INTEGER, &body) || !kd_der_int(field, &v) ||
        v < G_MININT32 || v > G_MAXINT32)
        return FALSE;
    *out = (gint32)v;
    return TRUE;
}

static void
str_append(kd_gsskrb_str *s, const guint8 *p, gsize n)
{
    gsize room = KD_GSSKRB_STR_MAX - s->len;
    if (n > room) {
        n = room;
        s->truncated = TRUE;
    }
    if (n)
        memcpy(s->s + s->len, p, n);
    s->len += (guint)n;
    s->s[s->len] = '\0';
}

static gboolean
is_string_tag(guint8 tag)
{
    /* KerberosString is a GeneralString; some encoders use UTF8String. */
    return tag == TAG_GENERAL_STRING || tag == TAG_UTF8_STRING;
}

/* `field` holds exactly one KerberosString. */
static gboolean
field_string(kd_der field, kd_gsskrb_str *out)
{
    guint8 tag;
    kd_der body;
    if (!kd_der_next(&field, &tag, &body) || !is_string_tag(tag) || field.len)
        return FALSE;
    out->present = TRUE;
    str_append(out, body.p, body.len);
    return TRUE;
}

/* PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF
 * KerberosString }; components are joined with '/'. */
static gboolean
field_principal(kd_der field, gint32 *type, kd_gsskrb_str *out)
{
    kd_der seq, f0, f1, names, comp;
    guint8 tag;
    if (!one_tlv(field, TAG_SEQUENCE, &seq))
        return FALSE;
    if (!kd_der_next(&seq, &tag, &f0) || tag != 0xa0 || !field_int32(f0, type))
        return FALSE;
    if (!kd_der_next(&seq, &tag, &f1) || tag != 0xa1 || seq.len || !one_tlv(f1, TAG_SEQUENCE, &names))
        return FALSE;
    out->present = TRUE;
    gboolean first = TRUE;
    while (names.len) {
        if (!kd_der_next(&names, &tag, &comp) || !is_string_tag(tag))
            return FALSE;
        if (!first)
            str_append(out, (const guint8 *)"/", 1);
        str_append(out, comp.p, comp.len);
        first = FALSE;
    }
    return TRUE;
}

/* KerberosTime: GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 4120 5.2.3). A malformed TLV
 * fails the token; a well-formed one with another text only leaves *has FALSE. */
static gboolean
field_time(kd_der field, gboolean *has, gint64 *out)
{
    kd_der t;
    if (!one_tlv(field, TAG_GENERALIZED_TIME, &t))
        return FALSE;
    if (kd_der_kerberos_time(t, out))
        *has = TRUE;
    return TRUE;
}

static gboolean
field_usec(kd_der field, gboolean *has, gint32 *out)
{
    gint32 v;
    if (!field_int32(field, &v))
        return FALSE;
    if (v >= 0 && v <= 999999) {
        *out = v;
        *has = TRUE;
    }
    return TRUE;
}

/* KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0], msg-type [1], ctime [2] OPT,
 * cusec [3] OPT, stime [4], susec [5], error-code [6], crealm [7] OPT, cname [8] OPT,
 * realm [9], sname [10], e-text [11] OPT, e-data [12] OPT } (RFC 4120 5.9.1).
 * `app` is the value of the [APPLICATION 30] TLV. */
static kd_gsskrb_kind
krb_error(kd_der app, kd_gsskrb *out)
{
    kd_der seq, field, v;
    guint8 tag;
    if (!one_tlv(app, TAG_SEQUENCE, &seq))
        return KD_GSSKRB_MALFORMED;
    gint32 pvno = -1, msg_type = -1;
    gboolean have_code = FALSE;
    int last = -1;
    gboolean ok = TRUE;
    while (ok && seq.len) {
        if (!kd_der_next(&seq, &tag, &field) || (tag & TAG_CONTEXT_MASK) != TAG_CONTEXT_CONS)
            return KD_GSSKRB_MALFORMED;
        int n = tag & 0x1f;
        if (n <= last)      /* DER: each field once, in tag order */
            return KD_GSSKRB_MALFORMED;
        last = n;
        switch (n) {
        case 0: ok = field_int32(field, &pvno); break;
        case 1: ok = field_int32(field, &msg_type); break;
        case 2: ok = field_time(field, &out->has_ctime, &out->ctime); break;
        case 3: ok = field_usec(field, &out->has_cusec, &out->cusec); break;
        case 4: ok = field_time(field, &out->has_stime, &out->stime); break;
        case 5: ok = field_usec(field, &out->has_susec, &out->susec); break;
        case 6: ok = have_code = field_int32(field, &out->error_code); break;
        case 7: ok = field_string(field, &out->crealm); break;
        case 8: ok = field_principal(field, &out->cname_type, &out->cname); break;
        case 9: ok = field_string(field, &out->realm); break;
        case 10: ok = field_principal(field, &out->sname_type, &out->sname); break;
        case 11: ok = field_string(field, &out->etext); break;
        case 12:
            ok = one_tlv(field, TAG_OCTET_STRING, &v);
            if (ok) {
                out->edata = v.p;
                out->edata_len = v.len;
            }
            break;
        default: break;     /* a later extension: skipped */
        }
    }
    if (!ok || pvno != KRB_PVNO || msg_type != KRB_ERROR || !have_code)
        return KD_GSSKRB_MALFORMED;
    return KD_GSSKRB_KRB_ERROR;
}

/* Clears the KRB-ERROR fields (a failed or absent decode leaves none), keeping
 * what was learnt of the framing. */
static void
clear_error_fields(kd_gsskrb *out)
{
    kd_gsskrb keep = *out;
    memset(out, 0, sizeof *out);
    out->kind = keep.kind;
    out->mech = keep.mech;
    out->gss_framed = keep.gss_framed;
    out->in_spnego = keep.in_spnego;
    out->spnego_neg_state = keep.spnego_neg_state;
}

/* A Kerberos message TLV that fills `msg` exactly (after a TOK_ID, or bare). */
static kd_gsskrb_kind
krb_message(kd_der msg, kd_gsskrb_kind want, kd_gsskrb *out)
{
    guint8 tag;
    kd_der body;
    if (!kd_der_next(&msg, &tag, &body) || msg.len)
        return KD_GSSKRB_MALFORMED;
    switch (want) {
    case KD_GSSKRB_KRB_ERROR:
        return tag == TAG_KRB_ERROR ? krb_error(body, out) : KD_GSSKRB_MALFORMED;
    case KD_GSSKRB_AP_REQ:
        return tag == TAG_AP_REQ ? want : KD_GSSKRB_MALFORMED;
    case KD_GSSKRB_AP_REP:
        return tag == TAG_AP_REP ? want : KD_GSSKRB_MALFORMED;
    case KD_GSSKRB_TGT_REQ:
    case KD_GSSKRB_TGT_REP: {
        /* KERB-TGT-REQUEST / KERB-TGT-REPLY ::= SEQUENCE { pvno [0], msg-type [1], ... } */
        kd_der f;
        gint32 pvno, mt;
        if (tag != TAG_SEQUENCE || !kd_der_next(&body, &tag, &f) || tag != 0xa0 ||
            !field_int32(f, &pvno) || !kd_der_next(&body, &tag, &f) || tag != 0xa1 ||
            !field_int32(f, &mt) || pvno != KRB_PVNO ||
            mt != (want == KD_GSSKRB_TGT_REQ ? KERB_TGT_REQUEST : KERB_TGT_REPLY))
            return KD_GSSKRB_MALFORMED;
        return want;
    }
    default:
        return KD_GSSKRB_MALFORMED;
    }
}

/* The inner token of a krb5 GSS framing: TOK_ID then the message. */
static kd_gsskrb_kind
krb5_inner(kd_der inner, kd_gsskrb *out)
{
    if (inner.len < 2)
        return KD_GSSKRB_MALFORMED;
    guint tok_id = ((guint)inner.p[0] << 8) | inner.p[1];
    kd_der msg = { inner.p + 2, inner.len - 2 };
    switch (tok_id) {
    case TOK_ID_AP_REQ: return krb_message(msg, KD_GSSKRB_AP_REQ, out);
    case TOK_ID_AP_REP: return krb_message(msg, KD_GSSKRB_AP_REP, out);
    case TOK_ID_KRB_ERROR: return krb_message(msg, KD_GSSKRB_KRB_ERROR, out);
    case TOK_ID_TGT_REQ: return krb_message(msg, KD_GSSKRB_TGT_REQ, out);
    case TOK_ID_TGT_REP: return krb_message(msg, KD_GSSKRB_TGT_REP, out);
    default: return KD_GSSKRB_OTHER_TOKEN;
    }
}

static kd_gsskrb_kind token(kd_der d, guint depth, kd_gsskrb *out);

/* NegTokenInit ::= SEQUENCE { mechTypes [0], reqFlags [1] OPT, mechToken [2] OPT, ... }
 * NegTokenResp ::= SEQUENCE { negState [0] OPT, supportedMech [1] OPT,
 *                             responseToken [2] OPT, mechListMIC [3] OPT }
 * `choice` is the value of the [0] / [1] CHOICE. */
static kd_gsskrb_kind
spnego(kd_der choice, gboolean resp, guint depth, kd_gsskrb *out)
{
    kd_der seq, field, v, mech_token = { NULL, 0 };
    guint8 tag;
    gboolean have_token = FALSE;
    int last = -1;
    if (!one_tlv(choice, TAG_SEQUENCE, &seq))
        return KD_GSSKRB_MALFORMED;
    out->in_spnego = TRUE;
    while (seq.len) {
        if (!kd_der_next(&seq, &tag, &field) || (tag & TAG_CONTEXT_MASK) != TAG_CONTEXT_CONS)
            return KD_GSSKRB_MALFORMED;
        int n = tag & 0x1f;
        if (n <= last)
            return KD_GSSKRB_MALFORMED;
        last = n;
        if (n == 2) {
            if (!one_tlv(field, TAG_OCTET_STRING, &mech_token))
                return KD_GSSKRB_MALFORMED;
            have_token = TRUE;
        } else if (resp && n == 0) {
            if (!one_tlv(field, TAG_ENUMERATED, &v) || v.len != 1)
                return KD_GSSKRB_MALFORMED;
            out->spnego_neg_state = v.p[0];
        } else if (resp && n == 1) {
            if (!one_tlv(field, TAG_OID, &v))
                return KD_GSSKRB_MALFORMED;
            int m = mech_of_oid(v);
            out->mech = m == MECH_IS_SPNEGO ? KD_GSSKRB_MECH_OTHER : (kd_gsskrb_mech)m;
        }
        /* mechTypes, reqFlags, negHints, mechListMIC: not needed. */
    }
    if (!have_token)
        return KD_GSSKRB_NO_MECH_TOKEN;
    kd_gsskrb_kind k = token(mech_token, depth + 1, out);
    /* A mech token this reader does not know is another mechanism's. */
    return k == KD_GSSKRB_NONE ? KD_GSSKRB_OTHER_MECH : k;
}

/* One token starting at d.p; bytes after it are ignored. */
static kd_gsskrb_kind
token(kd_der d, guint depth, kd_gsskrb *out)
{
    guint8 tag;
    kd_der body;
    if (!d.p || d.len == 0)
        return KD_GSSKRB_NONE;
    if (d.len >= sizeof ntlmssp_signature &&
        memcmp(d.p, ntlmssp_signature, sizeof ntlmssp_signature) == 0) {
        out->mech = KD_GSSKRB_MECH_NTLMSSP;
        return KD_GSSKRB_OTHER_MECH;
    }
    kd_der rest = d;
    switch (d.p[0]) {
    case TAG_KRB_ERROR:
    case TAG_AP_REQ:
    case TAG_AP_REP: {
        /* Without framing (DCE-style AP-REP, a KRB-ERROR passed on as is): the TLV
         * itself is the message. */
        if (!kd_der_next(&rest, &tag, &body))
            return KD_GSSKRB_MALFORMED;
        kd_der msg = { d.p, d.len - rest.len };
        kd_gsskrb_kind want = tag == TAG_KRB_ERROR ? KD_GSSKRB_KRB_ERROR :
                              tag == TAG_AP_REQ ? KD_GSSKRB_AP_REQ : KD_GSSKRB_AP_REP;
        return krb_message(msg, want, out);
    }
    case TAG_NEG_TOKEN_INIT:
    case TAG_NEG_TOKEN_RESP:
        if (depth >= MAX_SPNEGO_DEPTH)
            return KD_GSSKRB_NONE;
        if (!kd_der_next(&rest, &tag, &body))
            return KD_GSSKRB_MALFORMED;
        return spnego(body, tag == TAG_NEG_TOKEN_RESP, depth, out);
    case TAG_GSS_FRAMING:
        if (!kd_der_next(&rest, &tag, &body))
            return KD_GSSKRB_MALFORMED;
        break;
    default:
        return KD_GSSKRB_NONE;
    }

    /* InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE { thisMech OID,
     * innerToken ANY } (RFC 2743 3.1). */
    kd_der oid;
    if (!kd_der_next(&body, &tag, &oid) || tag != TAG_OID || oid.len == 0)
        return KD_GSSKRB_MALFORMED;
    int m = mech_of_oid(oid);
    if (m == MECH_IS_SPNEGO) {
        if (depth >= MAX_SPNEGO_DEPTH)
            return KD_GSSKRB_MALFORMED;
        kd_der choice;
        if (!kd_der_next(&body, &tag, &choice) || body.len ||
            (tag != TAG_NEG_TOKEN_INIT && tag != TAG_NEG_TOKEN_RESP))
            return KD_GSSKRB_MALFORMED;
        return spnego(choice, tag == TAG_NEG_TOKEN_RESP, depth, out);
    }
    out->mech = (kd_gsskrb_mech)m;
    out->gss_framed = TRUE;
    if (m == KD_GSSKRB_MECH_OTHER || m == KD_GSSKRB_MECH_NTLMSSP)
        return KD_GSSKRB_OTHER_MECH;
    return krb5_inner(body, out);
}

kd_gsskrb_kind
kd_gsskrb_parse(const guint8 *buf, gsize len, kd_gsskrb *out)
{
    memset(out, 0, sizeof *out);
    out->spnego_neg_state = -1;
    kd_der d = { buf, buf ? len : 0 };
    out->kind = token(d, 0, out);
    if (out->kind != KD_GSSKRB_KRB_ERROR)
        clear_error_fields(out);
    return out->kind;
}

const char *
kd_gsskrb_kind_name(kd_gsskrb_kind kind)
{
    switch (kind) {
    case KD_GSSKRB_NONE: return "not a Kerberos token";
    case KD_GSSKRB_MALFORMED: return "malformed token";
    case KD_GSSKRB_OTHER_MECH: return "token of another mechanism";
    case KD_GSSKRB_NO_MECH_TOKEN: return "SPNEGO without a mechanism token";
    case KD_GSSKRB_AP_REQ: return "AP-REQ";
    case KD_GSSKRB_AP_REP: return "AP-REP";
    case KD_GSSKRB_KRB_ERROR: return "KRB-ERROR";
    case KD_GSSKRB_TGT_REQ: return "KERB-TGT-REQUEST";
    case KD_GSSKRB_TGT_REP: return "KERB-TGT-REPLY";
    case KD_GSSKRB_OTHER_TOKEN: return "other Kerberos GSS token";
    }
    return "unknown";
}
