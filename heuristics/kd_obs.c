/* kd_obs.c
 * Observation helpers.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_obs.h"

#include <string.h>
#ifdef _WIN32
#include <ws2tcpip.h>  /* inet_ntop(), inet_pton() on Windows (Winsock) */
#else
#include <arpa/inet.h>
#endif

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
    case KD_OBS_LDAP_BIND:
        obs->u.bind.result_code = -1;
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
    if (a->len == 4 && len >= 16) {
        /* Dotted quad by hand: every observation's keys go through here, and
         * inet_ntop costs several times more for the same text. */
        char *p = buf;
        for (int i = 0; i < 4; i++) {
            guint v = a->bytes[i];
            if (v >= 100)
                *p++ = (char)('0' + v / 100);
            if (v >= 10)
                *p++ = (char)('0' + v / 10 % 10);
            *p++ = (char)('0' + v % 10);
            *p++ = i < 3 ? '.' : '\0';
        }
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

gboolean
kd_addr_is_nowhere(const kd_addr *a)
{
    if (a->len == 4) {
        const guint8 *b = a->bytes;
        if ((b[0] | b[1] | b[2] | b[3]) == 0)
            return TRUE;                    /* 0.0.0.0: "this host", unspecified */
        if (b[0] >= 224 && b[0] <= 239)
            return TRUE;                    /* multicast */
        /* Limited broadcast, and the directed broadcast of a /24 or wider
         * network (host part all ones): a unicast host at x.y.z.255 needs a
         * network wider than /24 and is no KDC anyone configures. */
        return b[3] == 255;
    }
    if (a->len == 16) {
        static const guint8 zero[16] = { 0 };
        return memcmp(a->bytes, zero, 16) == 0 || a->bytes[0] == 0xff;
    }
    return FALSE;
}
