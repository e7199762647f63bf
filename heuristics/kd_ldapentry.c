/* kd_ldapentry.c
 * A bounded reader for an LDAP SearchResultEntry: see kd_ldapentry.h.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_ldapentry.h"

#include <string.h>

#define TAG_OCTET_STRING    0x04
#define TAG_SEQUENCE        0x30
#define TAG_SET             0x31
#define TAG_SEARCH_RES_ENTRY 0x64   /* [APPLICATION 4], constructed */

static gboolean
is_attr(kd_der type, const char *name)
{
    return type.len == strlen(name) && g_ascii_strncasecmp((const char *)type.p, name, type.len) == 0;
}

/* One PartialAttribute: its values, when its type is one krbdiag reads. */
static void
attribute(kd_der attr, kd_ldapentry *out)
{
    guint8 tag;
    kd_der type, vals, v;
    if (!kd_der_next(&attr, &tag, &type) || tag != TAG_OCTET_STRING || !kd_der_next(&attr, &tag, &vals) ||
        tag != TAG_SET)
        return;
    const gboolean spn = is_attr(type, "servicePrincipalName");
    if (!spn && !is_attr(type, "sAMAccountName"))
        return;
    while (vals.len && kd_der_next(&vals, &tag, &v)) {
        if (tag != TAG_OCTET_STRING)
            return;
        if (spn && out->n_spns < KD_LDAPENTRY_MAX_SPNS) {
            out->spns[out->n_spns++] = v;
        } else if (!spn && !out->has_sam_account_name) {
            out->has_sam_account_name = TRUE;
            out->sam_account_name = v;
        }
    }
}

gboolean
kd_ldapentry_parse(const guint8 *buf, gsize len, kd_ldapentry *out)
{
    memset(out, 0, sizeof(*out));
    kd_der d = { buf, len }, body = d, attrs, attr;
    guint8 tag;
    if (!buf || !kd_der_next(&d, &tag, &attrs))
        return FALSE;
    /* Wireshark's entry item starts inside the SEQUENCE, at objectName. */
    if (tag == TAG_SEARCH_RES_ENTRY || tag == TAG_SEQUENCE)
        body = attrs;
    if (!kd_der_next(&body, &tag, &out->dn) || tag != TAG_OCTET_STRING)
        return FALSE;
    out->has_dn = TRUE;
    if (!kd_der_next(&body, &tag, &attrs) || tag != TAG_SEQUENCE)
        return TRUE;
    while (attrs.len && kd_der_next(&attrs, &tag, &attr)) {
        if (tag != TAG_SEQUENCE)
            break;
        attribute(attr, out);
    }
    return TRUE;
}
