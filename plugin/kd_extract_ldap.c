/* kd_extract_ldap.c
 * LDAP search results naming service principals: the entry's DN, its
 * servicePrincipalName values and sAMAccountName (duplicate SPNs); binds, their
 * requests and answers (the result code and Active Directory's diagnostic message).
 * Both are read from the bytes of the operation's item (ldap.protocolOp).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

#include "kd_ldapbind.h"
#include "kd_ldapentry.h"

/* A bounded, printable copy of bytes that should be text. */
static const char *
bytes_str(packet_info *pinfo, const guint8 *p, gsize len)
{
    return p ? kd_safe_str(pinfo, wmem_strndup(pinfo->pool, (const char *)p, MIN(len, (gsize)KD_MAX_STR * 4))) : NULL;
}

/* Wireshark's attribute values are byte strings: their first KD_MAX_STR bytes. */
static const char *
value_str(packet_info *pinfo, kd_der v)
{
    return bytes_str(pinfo, v.p, MIN(v.len, (gsize)KD_MAX_STR));
}

/* The entry whose item is `fi`, read from its bytes into l. */
static void
read_entry(packet_info *pinfo, const field_info *fi, kd_ldap_entry *l)
{
    kd_ldapentry e;
    tvbuff_t *t = fi->ds_tvb;
    if (!t || fi->start < 0 || fi->length <= 0 || !tvb_bytes_exist(t, fi->start, fi->length) ||
        !kd_ldapentry_parse(tvb_get_ptr(t, fi->start, fi->length), (gsize)fi->length, &e))
        return;
    if (e.has_dn)
        l->dn = bytes_str(pinfo, e.dn.p, e.dn.len);
    for (guint i = 0; i < e.n_spns && l->n_spns < KD_MAX_LDAP_VALUES; i++)
        l->spns[l->n_spns++] = value_str(pinfo, e.spns[i]);
    if (e.has_sam_account_name)
        l->sam_account_name = value_str(pinfo, e.sam_account_name);
}

/* An LDAP BindRequest or BindResponse, read from the bytes of its protocolOp item.
 * FALSE for any other operation. */
static gboolean
ldap_bind(packet_info *pinfo, field_info *op, kd_obs *o)
{
    gint64 v = kd_item_int(op);
    tvbuff_t *t = op->ds_tvb;
    kd_ldap_bind_msg m;
    if ((v != KD_LDAP_OP_BIND_REQUEST && v != KD_LDAP_OP_BIND_RESPONSE) || !t || op->length <= 0 ||
        !tvb_bytes_exist(t, op->start, op->length) ||
        !kd_ldap_bind_parse(tvb_get_ptr(t, op->start, op->length), (gsize)op->length, &m))
        return FALSE;
    kd_obs_init(o, KD_OBS_LDAP_BIND);
    kd_obs_header(pinfo, o);
    kd_ldap_bind *b = &o->u.bind;
    b->is_response = !m.is_request;
    if (m.is_request) {
        b->sasl = m.auth == KD_LDAP_AUTH_SASL;
        b->name = bytes_str(pinfo, m.name, m.name_len);
        b->empty_password = m.auth == KD_LDAP_AUTH_SIMPLE && m.password_len == 0;
        b->mechanism = bytes_str(pinfo, m.mechanism, m.mechanism_len);
    } else if (m.has_result) {
        b->result_code = m.result_code;
        if (m.diag && m.diag_len) {
            b->diag_len = MIN(m.diag_len, (gsize)KD_LDAP_DIAG_MAX);
            b->diag = (const guint8 *)wmem_memdup(pinfo->pool, m.diag, b->diag_len);
        }
    }
    return TRUE;
}

guint
kd_read_ldap(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    for (guint i = 0; i < fr->n && n_obs < KD_MAX_OBS_PER_FRAME; i++) {
        if (fr->it[i].role != KF_LDAP_OP || kd_item_int(fr->it[i].fi) != KD_LDAP_OP_SEARCH_RES_ENTRY)
            continue;
        kd_obs *o = &obs[n_obs];
        kd_obs_init(o, KD_OBS_LDAP_ENTRY);
        kd_obs_header(fr->pinfo, o);
        read_entry(fr->pinfo, fr->it[i].fi, &o->u.ldap);
        /* Only entries with SPNs matter. */
        if (o->u.ldap.n_spns)
            n_obs++;
    }
    for (guint i = 0; i < fr->n && n_obs < KD_MAX_OBS_PER_FRAME; i++) {
        if (fr->it[i].role == KF_LDAP_OP && ldap_bind(fr->pinfo, fr->it[i].fi, &obs[n_obs]))
            n_obs++;
    }
    return n_obs;
}
