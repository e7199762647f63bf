/* kd_obs.c
 * Observation helpers.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_obs.h"

#include <string.h>
#include <arpa/inet.h>

void
kd_obs_init(kd_obs *obs, kd_obs_kind kind)
{
    memset(obs, 0, sizeof(*obs));
    obs->kind = kind;
    switch (kind) {
    case KD_OBS_KRB:
        obs->u.krb.error_code = -1;
        obs->u.krb.rep_etype = -1;
        obs->u.krb.ticket.etype = -1;
        obs->u.krb.ticket.kvno = -1;
        obs->u.krb.addl_ticket.etype = -1;
        obs->u.krb.addl_ticket.kvno = -1;
        break;
    case KD_OBS_DCERPC:
        obs->u.dcerpc.opnum = -1;
        break;
    default:
        break;
    }
}

const char *
kd_addr_to_str(const kd_addr *a, char *buf, gsize len)
{
    if (!a || (a->len != 4 && a->len != 16) || len < 2) {
        g_strlcpy(buf, "?", len);
        return buf;
    }
    if (!inet_ntop(a->len == 4 ? AF_INET : AF_INET6, a->bytes, buf, (socklen_t)len))
        g_strlcpy(buf, "?", len);
    return buf;
}

gboolean
kd_addr_equal(const kd_addr *a, const kd_addr *b)
{
    return a->len != 0 && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

gboolean
kd_addr_parse(const char *text, kd_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (!text)
        return FALSE;
    if (inet_pton(AF_INET, text, out->bytes) == 1) {
        out->len = 4;
        return TRUE;
    }
    if (inet_pton(AF_INET6, text, out->bytes) == 1) {
        out->len = 16;
        return TRUE;
    }
    return FALSE;
}
