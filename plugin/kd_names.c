/* kd_names.c
 * Wireshark's names for Kerberos error codes, encryption types and NTSTATUS
 * values, in the spelling the findings use.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The names of error codes and encryption types are spelt once, at start-up,
 * from the dissectors' value_strings into tables of epan scope: looking one up
 * allocates nothing. Only a number without a name is formatted, in the scope
 * the caller gives.
 */
#include "kd_names.h"

#include <stdio.h>
#include <string.h>

#include <epan/proto.h>

#include "kd_compat.h"
#include "kd_numbers.h"

/* Names are cut at this many bytes (with the terminating NUL). */
#define KD_NAME_MAX 64

typedef struct {
    gint32 value;
    const char *name;
} kd_name;

typedef struct {
    kd_name *names;
    guint n;
} kd_name_table;

static kd_name_table error_names;
static kd_name_table etype_names;
static value_string_ext *ntstatus_vals_ext;

/* The value_string of a field, when it is a plain one (not a range, extended
 * or 64-bit table). */
static const value_string *
plain_vals(const char *field)
{
    header_field_info *h = proto_registrar_get_byname(field);
    if (!h || !h->strings || (h->display & (BASE_RANGE_STRING | BASE_EXT_STRING | BASE_VAL64_STRING)))
        return NULL;
    return (const value_string *)h->strings;
}

/* Wireshark's ASN.1 names read "eRR-PREAUTH-FAILED"; the RFC's read
 * KDC_ERR_PREAUTH_FAILED: the class prefix follows from the code. */
static void
spell_error(char *buf, gint32 code, const char *vs)
{
    const char *stem = vs;
    if (g_str_has_prefix(stem, "eRROR-"))
        stem += 6;
    else if (g_str_has_prefix(stem, "eRR-"))
        stem += 4;
    const char *prefix = "KDC_ERR_";
    if ((code >= KRB_AP_ERR_BAD_INTEGRITY && code <= KRB_AP_ERR_INAPP_CKSUM) || code == KRB_AP_ERR_NO_TGT ||
        code == KRB_AP_ERR_USER_TO_USER_REQUIRED)
        prefix = "KRB_AP_ERR_";
    else if (code == KRB_AP_PATH_NOT_ACCEPTED)
        prefix = "KRB_AP_";
    else if (code == KRB_ERR_RESPONSE_TOO_BIG || code == KRB_ERR_GENERIC || code == KRB_ERR_FIELD_TOOLONG)
        prefix = "KRB_ERR_";
    snprintf(buf, KD_NAME_MAX, "%s%s", prefix, stem);
    for (char *p = buf; *p; p++)
        *p = *p == '-' ? '_' : g_ascii_toupper(*p);
}

/* "eTYPE-AES256-CTS-HMAC-SHA1-96" -> "aes256-cts-hmac-sha1-96". */
static void
spell_etype(char *buf, gint32 code _U_, const char *vs)
{
    if (g_str_has_prefix(vs, "eTYPE-"))
        vs += 6;
    g_strlcpy(buf, vs, KD_NAME_MAX);
    for (char *p = buf; *p; p++)
        *p = g_ascii_tolower(*p);
}

/* Every entry of vals, spelt by `spell`, in the order of vals (the first entry of
 * a value wins, as in try_val_to_str). */
static void
build_table(kd_name_table *t, const value_string *vals, void (*spell)(char *, gint32, const char *))
{
    t->names = NULL;
    t->n = 0;
    if (!vals)
        return;
    guint n = 0;
    while (vals[n].strptr)
        n++;
    t->names = wmem_alloc_array(wmem_epan_scope(), kd_name, n);
    for (guint i = 0; i < n; i++) {
        char buf[KD_NAME_MAX];
        spell(buf, (gint32)vals[i].value, vals[i].strptr);
        t->names[i].value = (gint32)vals[i].value;
        t->names[i].name = wmem_strdup(wmem_epan_scope(), buf);
    }
    t->n = n;
}

static const char *
table_lookup(const kd_name_table *t, gint32 value)
{
    for (guint i = 0; i < t->n; i++) {
        if (t->names[i].value == value)
            return t->names[i].name;
    }
    return NULL;
}

void
kd_names_init(void)
{
    build_table(&error_names, plain_vals("kerberos.error_code"), spell_error);
    build_table(&etype_names, plain_vals("kerberos.etype"), spell_etype);
    header_field_info *nt = proto_registrar_get_byname("smb2.nt_status");
    ntstatus_vals_ext = nt && nt->strings && (nt->display & BASE_EXT_STRING) ? (value_string_ext *)nt->strings : NULL;
}

const char *
kd_error_name(wmem_allocator_t *scope, gint32 code)
{
    const char *name = table_lookup(&error_names, code);
    return name ? name : wmem_strdup_printf(scope, "Kerberos error %d", code);
}

const char *
kd_error_name_for_engine(gint32 code)
{
    return kd_error_name(wmem_file_scope(), code);
}

const char *
kd_etype_name(gint32 etype)
{
    /* -1 is the observations' "absent": say so instead of printing -1. */
    if (etype == -1)
        return "unknown";      /* read from the bytes: every Wireshark version has it */
    return table_lookup(&etype_names, etype);
}

const char *
kd_ntstatus_name(wmem_allocator_t *scope, guint32 status)
{
    const char *vs = ntstatus_vals_ext ? try_val_to_str_ext(status, ntstatus_vals_ext) : NULL;
    if (!vs)
        return wmem_strdup_printf(scope, "status 0x%08X", status);
    /* Cut as every name is. */
    return strlen(vs) < KD_NAME_MAX ? vs : wmem_strndup(scope, vs, KD_NAME_MAX - 1);
}
