/* kd_ldapbind.h
 * LDAP binds: a bounded reader for a BindRequest or BindResponse (read from the bytes
 * of the protocolOp Wireshark located), a bounded parser for the diagnostic message
 * Active Directory (and Samba) put in a refused bind, and the one table of the
 * AcceptSecurityContext sub-codes ("data 52e") with their meaning.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   BindRequest  ::= [APPLICATION 0] SEQUENCE { version INTEGER, name LDAPDN,
 *                      authentication AuthenticationChoice }
 *   AuthenticationChoice ::= CHOICE { simple [0] OCTET STRING,
 *                      sasl [3] SaslCredentials { mechanism LDAPString,
 *                      credentials OCTET STRING OPTIONAL } }
 *   BindResponse ::= [APPLICATION 1] SEQUENCE { resultCode ENUMERATED, matchedDN,
 *                      diagnosticMessage LDAPString, referral [3] OPTIONAL,
 *                      serverSaslCreds [7] OCTET STRING OPTIONAL }   (RFC 4511 4.2)
 */
#ifndef KD_LDAPBIND_H
#define KD_LDAPBIND_H

#include <glib.h>

/* LDAP result codes a bind answer carries (RFC 4511 4.1.9, A.1). */
enum {
    KD_LDAP_SUCCESS = 0,
    KD_LDAP_STRONGER_AUTH_REQUIRED = 8,
    KD_LDAP_REFERRAL = 10,
    KD_LDAP_SASL_BIND_IN_PROGRESS = 14,
    KD_LDAP_INVALID_CREDENTIALS = 49
};

typedef enum {
    KD_LDAP_AUTH_UNKNOWN = 0,
    KD_LDAP_AUTH_SIMPLE,
    KD_LDAP_AUTH_SASL
} kd_ldap_auth;

typedef struct {
    gboolean is_request;        /* BindRequest, else BindResponse */
    /* request */
    kd_ldap_auth auth;
    const guint8 *name;         /* bind name (DN or user name) in the caller's buffer */
    gsize name_len;
    gsize password_len;         /* simple: length of the password (0: unauthenticated) */
    const guint8 *mechanism;    /* sasl: mechanism name in the caller's buffer */
    gsize mechanism_len;
    /* response */
    gboolean has_result;
    gint32 result_code;
    const guint8 *diag;         /* diagnosticMessage in the caller's buffer */
    gsize diag_len;
} kd_ldap_bind_msg;

/* RFC 4511's name of a result code ("invalidCredentials"), or NULL. */
const char *kd_ldap_result_name(gint32 code);

/* Reads the BindRequest ([APPLICATION 0]) or BindResponse ([APPLICATION 1]) at the start
 * of buf[0 .. len) into *out (cleared first). Never reads outside the buffer. FALSE when
 * the bytes are neither. */
gboolean kd_ldap_bind_parse(const guint8 *buf, gsize len, kd_ldap_bind_msg *out);

/* A refused bind's diagnostic message: Windows writes "8009030C: LdapErr: DSID-0C0904DC,
 * comment: AcceptSecurityContext error, data 52e, v1db1": the leading code is the SSPI
 * or Win32 error, the data code the reason (a Win32 error or an SSPI status). */
typedef struct {
    gboolean has_error;
    guint32 error;              /* the leading 8 hex digits */
    gboolean has_data;
    guint32 data;               /* after "data " */
} kd_ldap_diag;

/* Leading codes of a refused bind's diagnostic message (MS-ERREF 2.1, 2.2): the SSPI
 * errors of an AcceptSecurityContext refusal, and ERROR_DS_STRONG_AUTH_REQUIRED, Active
 * Directory's answer to a bind that neither signs nor runs over TLS where signing is
 * required. */
#define KD_LDAP_SEC_INVALID_TOKEN 0x80090308u
#define KD_LDAP_SEC_LOGON_DENIED 0x8009030cu
#define KD_LDAP_DS_STRONG_AUTH_REQUIRED 0x2028u

/* Longest diagnostic message read; the rest is ignored. */
#define KD_LDAP_DIAG_MAX 1024

/* A printable copy of at most max bytes of text (bytes outside printable ASCII become
 * '?'), for finding texts; g_free it. */
char *kd_ldap_diag_text(const guint8 *text, gsize len, gsize max);

/* Parses text[0 .. len) (any bytes: not UTF-8, NULs, huge; at most KD_LDAP_DIAG_MAX are
 * read). FALSE when neither code is there. */
gboolean kd_ldap_diag_parse(const guint8 *text, gsize len, kd_ldap_diag *out);

/* The diagnostic message says the server wants a signed bind or TLS: Active
 * Directory's leading ERROR_DS_STRONG_AUTH_REQUIRED, or Samba's words ("BindSimple:
 * Transport encryption required.", "SASL:[GSS-SPNEGO]: Sign or Seal are required."). dg
 * is kd_ldap_diag_parse's reading of the same text. */
gboolean kd_ldap_diag_names_strong_auth(const guint8 *text, gsize len, const kd_ldap_diag *dg);

/* What an AcceptSecurityContext data code means. */
typedef enum {
    KD_LDAP_DATA_USER_NOT_FOUND = 1,
    KD_LDAP_DATA_BAD_PASSWORD,
    KD_LDAP_DATA_LOGON_HOURS,
    KD_LDAP_DATA_WORKSTATION,
    KD_LDAP_DATA_PASSWORD_EXPIRED,
    KD_LDAP_DATA_DISABLED,
    KD_LDAP_DATA_ACCOUNT_EXPIRED,
    KD_LDAP_DATA_MUST_CHANGE,
    KD_LDAP_DATA_LOCKED,
    KD_LDAP_DATA_LOGON_TYPE,
    KD_LDAP_DATA_CHANNEL_BINDING,
    KD_LDAP_DATA_OTHER
} kd_ldap_data_kind;

typedef struct {
    guint32 code;
    const char *name;           /* the Win32 or SSPI name */
    const char *meaning;        /* a few words */
    kd_ldap_data_kind kind;
} kd_ldap_data_info;

/* The row for a data code, or NULL when unknown. */
const kd_ldap_data_info *kd_ldap_data_lookup(guint32 code);
/* Every row (for documentation and tests). */
const kd_ldap_data_info *kd_ldap_data_all(guint *n);

#endif /* KD_LDAPBIND_H */
