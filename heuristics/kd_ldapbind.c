/* kd_ldapbind.c
 * LDAP bind requests and answers, their diagnostic messages and data codes.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_ldapbind.h"
#include "kd_edata.h"

#include <string.h>

#define KD_BER_INTEGER 0x02
#define KD_BER_OCTET_STRING 0x04
#define KD_BER_ENUMERATED 0x0a
#define KD_LDAP_BIND_REQUEST 0x60   /* [APPLICATION 0] constructed */
#define KD_LDAP_BIND_RESPONSE 0x61  /* [APPLICATION 1] constructed */
#define KD_LDAP_AUTH_SIMPLE_TAG 0x80
#define KD_LDAP_AUTH_SASL_TAG 0xa3

/* An ENUMERATED or INTEGER of 1 to 4 value bytes. */
static gboolean
small_int(kd_der v, gint32 *out)
{
    if (v.len == 0 || v.len > 4)
        return FALSE;
    gint64 x = (v.p[0] & 0x80) ? -1 : 0;
    for (gsize i = 0; i < v.len; i++)
        x = (gint64)(((guint64)x << 8) | v.p[i]);
    *out = (gint32)x;
    return TRUE;
}

gboolean
kd_ldap_bind_parse(const guint8 *buf, gsize len, kd_ldap_bind_msg *out)
{
    memset(out, 0, sizeof(*out));
    kd_der d = { buf, len }, body, v;
    guint8 tag;
    if (!buf || !kd_der_next(&d, &tag, &body) ||
        (tag != KD_LDAP_BIND_REQUEST && tag != KD_LDAP_BIND_RESPONSE))
        return FALSE;
    if (tag == KD_LDAP_BIND_REQUEST) {
        out->is_request = TRUE;
        gint32 version;
        if (!kd_der_next(&body, &tag, &v) || tag != KD_BER_INTEGER || !small_int(v, &version))
            return TRUE;
        if (!kd_der_next(&body, &tag, &v) || tag != KD_BER_OCTET_STRING)
            return TRUE;
        out->name = v.p;
        out->name_len = v.len;
        if (!kd_der_next(&body, &tag, &v))
            return TRUE;
        if (tag == KD_LDAP_AUTH_SIMPLE_TAG) {
            out->auth = KD_LDAP_AUTH_SIMPLE;
            out->password_len = v.len;
        } else if (tag == KD_LDAP_AUTH_SASL_TAG) {
            kd_der mech;
            out->auth = KD_LDAP_AUTH_SASL;
            if (kd_der_next(&v, &tag, &mech) && tag == KD_BER_OCTET_STRING) {
                out->mechanism = mech.p;
                out->mechanism_len = mech.len;
            }
        }
        return TRUE;
    }
    if (!kd_der_next(&body, &tag, &v) || tag != KD_BER_ENUMERATED || !small_int(v, &out->result_code))
        return TRUE;
    out->has_result = TRUE;
    /* matchedDN, then the diagnostic message */
    if (kd_der_next(&body, &tag, &v) && tag == KD_BER_OCTET_STRING &&
        kd_der_next(&body, &tag, &v) && tag == KD_BER_OCTET_STRING) {
        out->diag = v.p;
        out->diag_len = v.len;
    }
    return TRUE;
}

/* RFC 4511 4.1.9 and A.1: the codes a bind answer carries. */
static const struct {
    gint32 code;
    const char *name;
} result_names[] = {
    { 0, "success" }, { 1, "operationsError" }, { 2, "protocolError" },
    { 7, "authMethodNotSupported" }, { 8, "strongerAuthRequired" }, { 10, "referral" },
    { 13, "confidentialityRequired" }, { 14, "saslBindInProgress" },
    { 48, "inappropriateAuthentication" }, { 49, "invalidCredentials" },
    { 50, "insufficientAccessRights" }, { 51, "busy" }, { 52, "unavailable" },
    { 53, "unwillingToPerform" }, { 80, "other" },
};

const char *
kd_ldap_result_name(gint32 code)
{
    for (gsize i = 0; i < G_N_ELEMENTS(result_names); i++) {
        if (result_names[i].code == code)
            return result_names[i].name;
    }
    return NULL;
}

char *
kd_ldap_diag_text(const guint8 *text, gsize len, gsize max)
{
    gsize n = text ? MIN(len, max) : 0;
    char *out = g_malloc(n + 1);
    for (gsize i = 0; i < n; i++)
        out[i] = text[i] >= 0x20 && text[i] < 0x7f ? (char)text[i] : '?';
    out[n] = '\0';
    return out;
}

static int
hex_digit(guint8 c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* 1 to max hex digits at text[at], ending at end or a byte that is no hex digit. */
static gboolean
hex_at(const guint8 *text, gsize len, gsize at, guint max, guint32 *out)
{
    guint32 v = 0;
    guint n = 0;
    while (at + n < len && hex_digit(text[at + n]) >= 0) {
        if (++n > max)
            return FALSE;
        v = (v << 4) | (guint32)hex_digit(text[at + n - 1]);
    }
    if (n == 0)
        return FALSE;
    *out = v;
    return TRUE;
}

gboolean
kd_ldap_diag_parse(const guint8 *text, gsize len, kd_ldap_diag *out)
{
    memset(out, 0, sizeof(*out));
    if (!text)
        return FALSE;
    len = MIN(len, (gsize)KD_LDAP_DIAG_MAX);
    /* "8009030C: ..." */
    guint32 v;
    if (len >= 9 && text[8] == ':' && hex_at(text, 8, 0, 8, &v)) {
        out->has_error = TRUE;
        out->error = v;
    }
    /* ", data 52e," anywhere after it: "data" as a word, one space, hex digits */
    for (gsize i = 0; i + 5 < len; i++) {
        if ((i == 0 || text[i - 1] == ' ' || text[i - 1] == ',') &&
            g_ascii_strncasecmp((const char *)text + i, "data ", 5) == 0 &&
            hex_at(text, len, i + 5, 8, &v)) {
            out->has_data = TRUE;
            out->data = v;
            break;
        }
    }
    return out->has_error || out->has_data;
}

/* text[0 .. len) holds word, ASCII case ignored. */
static gboolean
has_words(const guint8 *text, gsize len, const char *word)
{
    const gsize n = strlen(word);
    for (gsize i = 0; i + n <= len; i++) {
        if (g_ascii_strncasecmp((const char *)text + i, word, n) == 0)
            return TRUE;
    }
    return FALSE;
}

gboolean
kd_ldap_diag_names_strong_auth(const guint8 *text, gsize len, const kd_ldap_diag *dg)
{
    if (dg && dg->has_error && dg->error == KD_LDAP_DS_STRONG_AUTH_REQUIRED)
        return TRUE;
    if (!text)
        return FALSE;
    len = MIN(len, (gsize)KD_LDAP_DIAG_MAX);
    return has_words(text, len, "Transport encryption required") || has_words(text, len, "Sign or Seal are required") ||
           has_words(text, len, "requires binds to turn on integrity checking");
}

/* [MS-ERREF] 2.2 (Win32 errors) and 2.1 (SSPI HRESULTs), as Active Directory reports
 * them after "data" in a refused bind. */
static const kd_ldap_data_info data_info[] = {
    { 0x525, "ERROR_NO_SUCH_USER", "no such user", KD_LDAP_DATA_USER_NOT_FOUND },
    { 0x52e, "ERROR_LOGON_FAILURE", "wrong password (or unknown user name)", KD_LDAP_DATA_BAD_PASSWORD },
    { 0x530, "ERROR_INVALID_LOGON_HOURS", "not allowed to log on at this time", KD_LDAP_DATA_LOGON_HOURS },
    { 0x531, "ERROR_INVALID_WORKSTATION", "not allowed to log on from this computer", KD_LDAP_DATA_WORKSTATION },
    { 0x532, "ERROR_PASSWORD_EXPIRED", "password expired", KD_LDAP_DATA_PASSWORD_EXPIRED },
    { 0x533, "ERROR_ACCOUNT_DISABLED", "account disabled", KD_LDAP_DATA_DISABLED },
    { 0x568, "ERROR_TOO_MANY_CONTEXT_IDS", "too many security IDs (group memberships)", KD_LDAP_DATA_OTHER },
    { 0x569, "ERROR_LOGON_TYPE_NOT_GRANTED", "logon type not granted to the account", KD_LDAP_DATA_LOGON_TYPE },
    { 0x701, "ERROR_ACCOUNT_EXPIRED", "account expired", KD_LDAP_DATA_ACCOUNT_EXPIRED },
    { 0x773, "ERROR_PASSWORD_MUST_CHANGE", "password must be changed before logging on", KD_LDAP_DATA_MUST_CHANGE },
    { 0x775, "ERROR_ACCOUNT_LOCKED_OUT", "account locked out", KD_LDAP_DATA_LOCKED },
    { 0x80090308, "SEC_E_INVALID_TOKEN", "the security token is invalid", KD_LDAP_DATA_OTHER },
    { 0x8009030c, "SEC_E_LOGON_DENIED", "logon denied", KD_LDAP_DATA_OTHER },
    { 0x8009030e, "SEC_E_NO_CREDENTIALS", "no credentials available", KD_LDAP_DATA_OTHER },
    { 0x80090311, "SEC_E_NO_AUTHENTICATING_AUTHORITY", "no authority could be contacted", KD_LDAP_DATA_OTHER },
    { 0x80090322, "SEC_E_WRONG_PRINCIPAL", "the target principal name is incorrect", KD_LDAP_DATA_OTHER },
    { 0x80090324, "SEC_E_TIME_SKEW", "clock skew between client and server", KD_LDAP_DATA_OTHER },
    { 0x80090346, "SEC_E_BAD_BINDINGS", "channel binding token missing or wrong", KD_LDAP_DATA_CHANNEL_BINDING },
};

const kd_ldap_data_info *
kd_ldap_data_lookup(guint32 code)
{
    for (gsize i = 0; i < G_N_ELEMENTS(data_info); i++) {
        if (data_info[i].code == code)
            return &data_info[i];
    }
    return NULL;
}

const kd_ldap_data_info *
kd_ldap_data_all(guint *n)
{
    *n = G_N_ELEMENTS(data_info);
    return data_info;
}
