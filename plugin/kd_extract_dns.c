/* kd_extract_dns.c
 * DNS answers: the name asked, its alias (CNAME chains) and the address it ends at,
 * and a reverse look-up's name (PTR).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

guint
kd_read_dns(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    /* Answers with an alias (CNAME chains), an address (the name a client resolved
     * before a reverse look-up of its address) or a reverse look-up's name. */
    if ((!fr->seen[KF_DNS_CNAME] && !fr->seen[KF_DNS_PTR] && !fr->seen[KF_DNS_A] && !fr->seen[KF_DNS_AAAA]) ||
        n_obs >= KD_MAX_OBS_PER_FRAME)
        return n_obs;
    kd_obs *o = &obs[n_obs];
    kd_obs_init(o, KD_OBS_DNS);
    kd_obs_header(fr->pinfo, o);
    kd_dns *d = &o->u.dns;
    for (guint i = 0; i < fr->n; i++) {
        const kd_item *it = &fr->it[i];
        if (it->role == KF_DNS_RESP_NAME && d->n_answers < KD_MAX_DNS_ANSWERS) {
            d->answers[d->n_answers++].name = kd_item_str(fr->pinfo, it->fi);
        } else if (d->n_answers > 0 && it->role == KF_DNS_CNAME) {
            d->answers[d->n_answers - 1].cname = kd_item_str(fr->pinfo, it->fi);
        } else if (d->n_answers > 0 && it->role == KF_DNS_PTR) {
            d->answers[d->n_answers - 1].ptr = kd_item_str(fr->pinfo, it->fi);
        } else if (d->n_answers > 0 && (it->role == KF_DNS_A || it->role == KF_DNS_AAAA)) {
            kd_item_addr(it->fi, &d->answers[d->n_answers - 1].addr);
        }
    }
    return n_obs + 1;
}
