/* kd_extract_ldap.c
 * LDAP search results naming service principals: the entry's DN, its
 * servicePrincipalName values and sAMAccountName (duplicate SPNs); binds, their
 * requests and answers (the result code and Active Directory's diagnostic message).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

#include "kd_ldapbind.h"

/* The attributes of the entry at it[e] (the items inside its bytes) into l. */
static void
read_entry(const kd_frame *fr, guint e, kd_ldap_entry *l)
{
    const kd_item *it = fr->it;
    const char *attr = NULL;
    for (guint j = e + 1; j < fr->n && kd_inside(it[j].fi, it[e].fi); j++) {
        switch (it[j].role) {
        case KF_LDAP_DN:
            if (!l->dn)
                l->dn = kd_item_str(fr->pinfo, it[j].fi);
            break;
        case KF_LDAP_TYPE:
            attr = kd_item_str(fr->pinfo, it[j].fi);
            break;
        case KF_LDAP_VALUE:
            if (attr && g_ascii_strcasecmp(attr, "servicePrincipalName") == 0 && l->n_spns < KD_MAX_LDAP_VALUES)
                l->spns[l->n_spns++] = kd_item_str(fr->pinfo, it[j].fi);
            else if (attr && g_ascii_strcasecmp(attr, "sAMAccountName") == 0 && !l->sam_account_name)
                l->sam_account_name = kd_item_str(fr->pinfo, it[j].fi);
            break;
        default:
            break;
        }
    }
}

/* A bounded, printable copy of bytes that should be text. */
static const char *
bytes_str(packet_info *pinfo, const guint8 *p, gsize len)
{
    return p ? kd_safe_str(pinfo, wmem_strndup(pinfo->pool, (const char *)p, MIN(len, (gsize)KD_MAX_STR * 4))) : NULL;
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
        if (fr->it[i].role != KF_LDAP_ENTRY)
            continue;
        kd_obs *o = &obs[n_obs];
        kd_obs_init(o, KD_OBS_LDAP_ENTRY);
        kd_obs_header(fr->pinfo, o);
        read_entry(fr, i, &o->u.ldap);
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
