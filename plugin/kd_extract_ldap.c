/* kd_extract_ldap.c
 * LDAP search results naming service principals: the entry's DN, its
 * servicePrincipalName values and sAMAccountName (duplicate SPNs).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

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
    return n_obs;
}
