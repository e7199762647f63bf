/* kd_gsskrb.h
 * A bounded reader for the Kerberos GSS tokens that Wireshark leaves undecoded:
 * the auth_value of a DCE/RPC auth_verifier (a Fault carries it as opaque bytes),
 * and a SPNEGO responseToken. It says what the token is (AP-REQ, AP-REP,
 * KRB-ERROR, user-to-user TGT request/reply, another mechanism) and decodes a
 * KRB-ERROR's fields.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Accepted shapes (RFC 1964 / RFC 4121 framing, RFC 4178 SPNEGO, RFC 4120 messages):
 *   60 len  06 OID(krb5 | MS krb5 | krb5 user-to-user)  TOK_ID  message
 *   60 len  06 OID(SPNEGO)  a0 negTokenInit { [0] mechTypes, [2] mechToken }  / a1 negTokenResp
 *   a1 negTokenResp { [0] negState, [1] supportedMech, [2] responseToken }
 *   a0 negTokenInit
 *   7e KRB-ERROR / 6e AP-REQ / 6f AP-REP without framing (DCE-style third leg)
 * A SPNEGO mech token is read once more with the same rules, but not as SPNEGO
 * again (no recursion).
 */
#ifndef KD_GSSKRB_H
#define KD_GSSKRB_H

#include <glib.h>

typedef enum {
    KD_GSSKRB_NONE = 0,         /* empty, or not a token shape this reader knows */
    KD_GSSKRB_MALFORMED,        /* a known shape that is broken: truncated, lengths past
                                   the end or lying, wrong tags, missing required fields */
    KD_GSSKRB_OTHER_MECH,       /* a well-formed GSS/SPNEGO token of another mechanism
                                   (NTLMSSP inside SPNEGO, an unknown OID) */
    KD_GSSKRB_NO_MECH_TOKEN,    /* SPNEGO without a mech token (negState, MIC only) */
    KD_GSSKRB_AP_REQ,           /* TOK_ID 01 00, or a bare AP-REQ */
    KD_GSSKRB_AP_REP,           /* TOK_ID 02 00, or a bare AP-REP: the context was accepted */
    KD_GSSKRB_KRB_ERROR,        /* TOK_ID 03 00, or a bare KRB-ERROR: fields below are set */
    KD_GSSKRB_TGT_REQ,          /* user-to-user KERB-TGT-REQUEST, TOK_ID 04 00 */
    KD_GSSKRB_TGT_REP,          /* user-to-user KERB-TGT-REPLY, TOK_ID 04 01 */
    KD_GSSKRB_OTHER_TOKEN,      /* krb5 framing with another TOK_ID */
} kd_gsskrb_kind;

typedef enum {
    KD_GSSKRB_MECH_NONE = 0,    /* no GSS framing and no SPNEGO supportedMech */
    KD_GSSKRB_MECH_KRB5,        /* 1.2.840.113554.1.2.2 */
    KD_GSSKRB_MECH_MS_KRB5,     /* 1.2.840.48018.1.2.2 */
    KD_GSSKRB_MECH_KRB5_U2U,    /* 1.2.840.113554.1.2.2.3 */
    KD_GSSKRB_MECH_NTLMSSP,     /* 1.3.6.1.4.1.311.2.2.10, or an NTLMSSP message */
    KD_GSSKRB_MECH_OTHER,
} kd_gsskrb_mech;

/* What a negTokenInit's mechTypes list offers (kd_gsskrb.spnego_mechs). */
enum {
    KD_GSSKRB_OFFERS_KRB5 = 1u << 0,    /* krb5, Microsoft's krb5 or user-to-user */
    KD_GSSKRB_OFFERS_NTLMSSP = 1u << 1,
    KD_GSSKRB_OFFERS_OTHER = 1u << 2
};

/* Longest string kept; longer ones are cut and flagged. */
#define KD_GSSKRB_STR_MAX 255

/* A string as sent: raw bytes (may hold NULs and non-UTF-8; escape before display),
 * len of them kept, a NUL after them. */
typedef struct {
    gboolean present;
    gboolean truncated;         /* the token's string was longer than KD_GSSKRB_STR_MAX */
    guint len;
    gchar s[KD_GSSKRB_STR_MAX + 1];
} kd_gsskrb_str;

typedef struct {
    kd_gsskrb_kind kind;
    kd_gsskrb_mech mech;
    gboolean gss_framed;        /* the message had the 60 len OID TOK_ID framing */
    gboolean in_spnego;         /* the token was a SPNEGO one */
    guint spnego_mechs;         /* negTokenInit: KD_GSSKRB_OFFERS_ bits of its mechTypes;
                                   0 when absent or not well-formed */
    gint spnego_neg_state;      /* negState: 0 accept-completed, 1 accept-incomplete,
                                   2 reject, 3 request-mic; -1 when absent */

    /* KRB-ERROR (kind == KD_GSSKRB_KRB_ERROR); times are seconds since 1970 UTC. */
    gint32 error_code;
    gboolean has_ctime, has_cusec, has_stime, has_susec;
    gint64 ctime, stime;
    gint32 cusec, susec;
    gint32 cname_type, sname_type;  /* name-type when cname / sname is present */
    kd_gsskrb_str crealm;
    kd_gsskrb_str cname;        /* name components joined with '/' */
    kd_gsskrb_str realm;
    kd_gsskrb_str sname;        /* name components joined with '/' */
    kd_gsskrb_str etext;
    const guint8 *edata;        /* e-data's OCTET STRING value inside the caller's
                                   buffer (for kd_edata_parse()); NULL when absent */
    gsize edata_len;
} kd_gsskrb;

/* Reads buf[0 .. len) and fills *out (cleared first); returns out->kind. Never
 * reads outside the buffer; buf may be NULL when len is 0. The structure must be
 * exact DER (any malformation gives KD_GSSKRB_MALFORMED, no partial result);
 * a value that is well-formed but unusable (a time that is not YYYYMMDDHHMMSSZ,
 * microseconds out of range) only leaves its has_ flag FALSE. Bytes after the
 * outermost token are ignored. */
kd_gsskrb_kind kd_gsskrb_parse(const guint8 *buf, gsize len, kd_gsskrb *out);

/* A short English name of a kind ("KRB-ERROR", "AP-REP", ...). */
const char *kd_gsskrb_kind_name(kd_gsskrb_kind kind);

#endif /* KD_GSSKRB_H */
