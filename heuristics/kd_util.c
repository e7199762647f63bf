/* kd_util.c
 * Small string and time helpers shared by the store, the findings and the rules.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_util.h"

#include <string.h>

gboolean
kd_str_empty(const char *s)
{
    return s == NULL || *s == '\0';
}

gint64
kd_time_diff(gint64 a, gint64 b)
{
    /* Checked by hand, not with __builtin_sub_overflow: MSVC (Windows builds
     * of Wireshark) has no such builtin. */
    if (b < 0 && a > G_MAXINT64 + b)
        return G_MAXINT64;
    if (b > 0 && a < G_MININT64 + b)
        return G_MININT64;
    return a - b;
}

gint64
kd_time_diff_s(gint64 a, gint64 b)
{
    return kd_time_diff(a, b) / G_USEC_PER_SEC;
}

static inline char
ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

char *
kd_lower(const char *s)
{
    gsize n = s ? strlen(s) : 0;
    char *l = g_malloc(n + 1);
    for (gsize i = 0; i < n; i++)
        l[i] = ascii_lower(s[i]);
    l[n] = '\0';
    return l;
}

void
kd_key_init(kd_key *k)
{
    k->text = k->local;
    k->len = 0;
    k->room = sizeof k->local;
    k->parts = 0;
    k->local[0] = '\0';
}

/* Room for n more bytes and the NUL; the separator before a part that is not the first. */
static char *
key_reserve(kd_key *k, gsize n)
{
    gsize sep = k->parts++ ? 1 : 0;
    gsize need = k->len + sep + n + 1;
    if (need > k->room) {
        gsize room = MAX(need, 2 * k->room);
        if (k->text == k->local) {
            k->text = g_malloc(room);
            memcpy(k->text, k->local, k->len + 1);
        } else {
            k->text = g_realloc(k->text, room);
        }
        k->room = room;
    }
    if (sep)
        k->text[k->len++] = '|';
    char *at = k->text + k->len;
    k->len += n;
    k->text[k->len] = '\0';
    return at;
}

void
kd_key_str(kd_key *k, const char *s)
{
    gsize n = s ? strlen(s) : 0;
    memcpy(key_reserve(k, n), s ? s : "", n);
}

void
kd_key_lower(kd_key *k, const char *s)
{
    gsize n = s ? strlen(s) : 0;
    char *at = key_reserve(k, n);
    for (gsize i = 0; i < n; i++)
        at[i] = ascii_lower(s[i]);
}

void
kd_key_addr(kd_key *k, const kd_addr *a)
{
    char b[48];
    kd_key_str(k, kd_addr_to_str(a, b, sizeof b));
}

void
kd_key_uint(kd_key *k, guint64 v)
{
    char b[24];
    gsize i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(key_reserve(k, sizeof b - i), b + i, sizeof b - i);
}

void
kd_key_hex64(kd_key *k, guint64 v)
{
    char *at = key_reserve(k, 16);
    for (int i = 15; i >= 0; i--, v >>= 4)
        at[i] = "0123456789abcdef"[v & 0xf];
}

const char *
kd_key_text(const kd_key *k)
{
    return k->text;
}

const char *
kd_key_pair(kd_key *k, const kd_addr *a, const kd_addr *b)
{
    kd_key_init(k);
    kd_key_addr(k, a);
    kd_key_addr(k, b);
    return k->text;
}

char *
kd_key_steal(kd_key *k)
{
    char *t = k->text == k->local ? g_strndup(k->text, k->len) : k->text;
    kd_key_init(k);
    return t;
}

void
kd_key_done(kd_key *k)
{
    if (k->text != k->local)
        g_free(k->text);
    kd_key_init(k);
}

char *
kd_spn_host(const char *spn)
{
    if (kd_str_empty(spn))
        return NULL;
    const char *slash = strchr(spn, '/');
    if (!slash || !slash[1])
        return NULL;
    const char *host = slash + 1;
    const char *end = strchr(host, '/');   /* "ldap/host/domain" */
    gsize len = end ? (gsize)(end - host) : strlen(host);
    char *h = g_strndup(host, len);
    /* Strip ":port" unless it is an IPv6 literal (more than one colon). */
    char *colon = strchr(h, ':');
    if (colon && strchr(colon + 1, ':') == NULL)
        *colon = '\0';
    if (h[0] == '[') {          /* "[fe80::1]" */
        char *close = strchr(h, ']');
        if (close)
            *close = '\0';
        memmove(h, h + 1, strlen(h));
    }
    return h;
}

const char *
kd_msg_name(gint32 msg_type)
{
    switch (msg_type) {
    case KD_MSG_AS_REQ:  return "AS-REQ";
    case KD_MSG_AS_REP:  return "AS-REP";
    case KD_MSG_TGS_REQ: return "TGS-REQ";
    case KD_MSG_TGS_REP: return "TGS-REP";
    case KD_MSG_AP_REQ:  return "AP-REQ";
    case KD_MSG_AP_REP:  return "AP-REP";
    case KD_MSG_TGT_REQ: return "KERB-TGT-REQUEST";
    case KD_MSG_TGT_REP: return "KERB-TGT-REPLY";
    case KD_MSG_ERROR:   return "KRB-ERROR";
    }
    return "Kerberos message";
}

gboolean
kd_has_padata(const gint32 *pa, guint n, gint32 type)
{
    for (guint i = 0; i < n; i++) {
        if (pa[i] == type)
            return TRUE;
    }
    return FALSE;
}

char *
kd_addr_pair_text(const kd_addr *a, const kd_addr *b)
{
    kd_key k;
    kd_key_pair(&k, a, b);
    return kd_key_steal(&k);
}

gboolean
kd_padata_preauthenticated(const gint32 *pa, guint n)
{
    /* What a client puts in a request to prove it holds its key: RFC 4120
     * PA-ENC-TIMESTAMP; PKINIT's requests (RFC 4556 PA-PK-AS-REQ, the draft-19 one, and
     * Windows 2000's, which travels as type 15); RFC 6113 PA-FX-FAST and
     * PA-ENCRYPTED-CHALLENGE. Not PA-PK-AS-REP (17): the KDC's reply, which no
     * request carries. */
    static const gint32 proofs[] = {
        PA_ENC_TIMESTAMP, PA_PK_AS_REQ_OLD, PA_PK_AS_REP_OLD, PA_PK_AS_REQ, PA_FX_FAST, PA_ENCRYPTED_CHALLENGE
    };
    for (gsize i = 0; i < G_N_ELEMENTS(proofs); i++) {
        if (kd_has_padata(pa, n, proofs[i]))
            return TRUE;
    }
    return FALSE;
}
