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
    case KD_OBS_LDAP_BIND:
        obs->u.bind.result_code = -1;
        break;
    default:
        break;
    }
}

/* Each octet's decimal text, NUL-padded to 4 bytes: a dotted quad is four copies. */
static const char octet_text[256][4] = {
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
    "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46",
    "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61",
    "62", "63", "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75", "76",
    "77", "78", "79", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91",
    "92", "93", "94", "95", "96", "97", "98", "99", "100", "101", "102", "103", "104", "105",
    "106", "107", "108", "109", "110", "111", "112", "113", "114", "115", "116", "117", "118",
    "119", "120", "121", "122", "123", "124", "125", "126", "127", "128", "129", "130", "131",
    "132", "133", "134", "135", "136", "137", "138", "139", "140", "141", "142", "143", "144",
    "145", "146", "147", "148", "149", "150", "151", "152", "153", "154", "155", "156", "157",
    "158", "159", "160", "161", "162", "163", "164", "165", "166", "167", "168", "169", "170",
    "171", "172", "173", "174", "175", "176", "177", "178", "179", "180", "181", "182", "183",
    "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "194", "195", "196",
    "197", "198", "199", "200", "201", "202", "203", "204", "205", "206", "207", "208", "209",
    "210", "211", "212", "213", "214", "215", "216", "217", "218", "219", "220", "221", "222",
    "223", "224", "225", "226", "227", "228", "229", "230", "231", "232", "233", "234", "235",
    "236", "237", "238", "239", "240", "241", "242", "243", "244", "245", "246", "247", "248",
    "249", "250", "251", "252", "253", "254", "255"
};

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
            const char *t = octet_text[a->bytes[i]];
            gsize n = t[1] ? (t[2] ? 3 : 2) : 1;
            memcpy(p, t, 4);    /* the padding is overwritten or ends the text */
            p += n;
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
