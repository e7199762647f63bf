/* kd_extract_http.c
 * HTTP authentication headers: the scheme offered or used, and the Host of the
 * request or response, read from the header block the header sits in.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

#include <string.h>

/* How far back and forward an HTTP header block is searched for its Host line. */
#define KD_MAX_HTTP_HEAD 16384

static kd_auth_scheme
auth_scheme(const char *v)
{
    if (!v)
        return KD_AUTH_NONE;
    if (g_ascii_strncasecmp(v, "Negotiate", 9) == 0)
        return v[9] == ' ' && v[10] ? KD_AUTH_NEGOTIATE : KD_AUTH_NEGOTIATE_BARE;
    if (g_ascii_strncasecmp(v, "NTLM", 4) == 0)
        return KD_AUTH_NTLM;
    if (g_ascii_strncasecmp(v, "Kerberos", 8) == 0)
        return KD_AUTH_KERBEROS;
    return KD_AUTH_OTHER;
}

/* The scheme of an authentication header item. auth_scheme() looks at the first 11
 * bytes only: when they are printable ASCII, kd_item_str() would return them as
 * they are, so the value is read in place rather than copied and checked whole (a
 * Negotiate token runs to kilobytes). */
#define KD_AUTH_SCHEME_PREFIX 11
static kd_auth_scheme
item_auth_scheme(packet_info *pinfo, field_info *fi)
{
    const char *raw = NULL;
    switch (fi->hfinfo->type) {
    case FT_STRING: case FT_STRINGZ: case FT_UINT_STRING: case FT_STRINGZPAD: case FT_STRINGZTRUNC:
        raw = fvalue_get_string(kd_fi_value(fi));
        break;
    default:
        break;
    }
    gboolean plain = raw != NULL;
    for (guint i = 0; plain && i < KD_AUTH_SCHEME_PREFIX && raw[i]; i++)
        plain = (guchar)raw[i] >= 0x20 && (guchar)raw[i] < 0x7f;
    return auth_scheme(plain ? raw : kd_item_str(pinfo, fi));
}

static gboolean
is_line_feed(tvbuff_t *t, gint off)
{
    return kd_tvb_get_u8(t, off) == '\n';
}

/* The start of the header block holding offset `from`: after the previous empty
 * line, or at the start of the data; never searched further back than `lowest`. */
static gint
header_block_start(tvbuff_t *t, gint from, gint lowest)
{
    gint head = from;
    /* Back, one line at a time, while the line before is not empty. */
    while (head > lowest && is_line_feed(t, head - 1)) {
        gint end = head - 1;                    /* the previous line's LF */
        if (end > 0 && kd_tvb_get_u8(t, end - 1) == '\r')
            end--;
        gint start = end;
        while (start > lowest && !is_line_feed(t, start - 1))
            start--;
        if (start == end)
            break;                              /* empty line: the block starts at head */
        head = start;
    }
    return head;
}

/* The value of a "Host:" line of len bytes at off: leading blanks skipped. */
static const char *
host_value(packet_info *pinfo, tvbuff_t *t, gint off, gint len)
{
    gint v = off + 5;
    while (v < off + len && (kd_tvb_get_u8(t, v) == ' ' || kd_tvb_get_u8(t, v) == '\t'))
        v++;
    gint vlen = MIN(off + len - v, KD_MAX_STR * 4);
    char *value = wmem_alloc(pinfo->pool, vlen + 1);
    tvb_memcpy(t, value, v, vlen);
    value[vlen] = '\0';
    return kd_safe_str(pinfo, value);
}

/* The value of the first "Host:" line of the HTTP header block holding the
 * header `anchor`, as Wireshark's http.host shows it: leading blanks skipped,
 * the line end left out. The block starts after the previous empty line (or at
 * the start of the data) and ends at the next one; both searches are bounded. */
static const char *
http_host(packet_info *pinfo, const field_info *anchor)
{
    tvbuff_t *t = anchor->ds_tvb;
    if (!t || anchor->start < 0 || !tvb_bytes_exist(t, anchor->start, 1))
        return NULL;
    gint head = header_block_start(t, anchor->start, MAX(0, anchor->start - KD_MAX_HTTP_HEAD));
    const gint limit = head + KD_MAX_HTTP_HEAD;
    for (gint off = head; off < limit && tvb_offset_exists(t, off);) {
        gint next;
        gint len = tvb_find_line_end(t, off, -1, &next, FALSE);
        if (len <= 0)
            break;                              /* empty line: end of the block */
        if (len >= 5 && tvb_strncaseeql(t, off, "host:", 5) == 0)
            return host_value(pinfo, t, off, len);
        if (next <= off)
            break;
        off = next;
    }
    return NULL;
}

/* How much of a 400 answer (status line, headers, body) is searched for the words
 * web servers use to refuse an oversized header. */
#define KD_MAX_HTTP_ERROR_TEXT 4096

/* The 400 answer starting at its status code says a request header was too long:
 * http.sys "Request Header Too Long" / "Header Field Too Long", IIS "The size of the
 * request headers is too long", Apache "Size of a request header field exceeds
 * server limit". A bounded, case-insensitive search of the answer's first bytes. */
static gboolean
http_says_header_too_long(packet_info *pinfo, const field_info *code)
{
    static const char *const says[] = { "too long", "exceeds server limit" };
    tvbuff_t *t = code->ds_tvb;
    if (!t || code->start < 0)
        return FALSE;
    const gint avail = tvb_captured_length_remaining(t, code->start);
    if (avail <= 0)
        return FALSE;
    const gint len = MIN(avail, KD_MAX_HTTP_ERROR_TEXT);
    char *text = wmem_alloc(pinfo->pool, len + 1);
    tvb_memcpy(t, text, code->start, len);
    for (gint i = 0; i < len; i++)
        text[i] = text[i] ? g_ascii_tolower(text[i]) : ' ';
    text[len] = '\0';
    for (gsize i = 0; i < G_N_ELEMENTS(says); i++) {
        if (strstr(text, says[i]))
            return TRUE;
    }
    return FALSE;
}

/* A 400 answer of the frame (the only status the relevance test lets through), or NULL. */
static const field_info *
bad_request_of(const kd_frame *fr)
{
    const field_info *bad_request = NULL;
    for (guint i = 0; fr->seen[KF_HTTP_RESPONSE_CODE] && i < fr->n; i++) {
        if (fr->it[i].role == KF_HTTP_RESPONSE_CODE && kd_item_int(fr->it[i].fi) == KD_HTTP_BAD_REQUEST)
            bad_request = fr->it[i].fi;
    }
    return bad_request;
}

/* HTTP with authentication headers, or a 400 answer: the carrier context comes
 * before its tokens. */
guint
kd_read_http(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    const field_info *bad_request = bad_request_of(fr);
    if ((!fr->seen[KF_HTTP_AUTHZ] && !fr->seen[KF_HTTP_WWW_AUTH] && !bad_request) || n_obs >= KD_MAX_OBS_PER_FRAME)
        return n_obs;
    /* A request with an Authorization header: its answer may be a 400. */
    if (fr->seen[KF_HTTP_AUTHZ])
        kd_extract_open(KF_HTTP_RESPONSE_CODE, fr->pinfo);
    kd_obs *o = &obs[n_obs];
    kd_obs_init(o, KD_OBS_HTTP);
    kd_obs_header(fr->pinfo, o);
    kd_http *h = &o->u.http;
    /* Authorization travels in requests, WWW-Authenticate in responses. */
    h->is_request = fr->seen[KF_HTTP_AUTHZ];
    for (guint i = 0; i < fr->n; i++) {
        const kd_item *it = &fr->it[i];
        if (it->role != KF_HTTP_AUTHZ && it->role != KF_HTTP_WWW_AUTH)
            continue;
        kd_auth_scheme scheme = item_auth_scheme(fr->pinfo, it->fi);
        if (it->role == KF_HTTP_WWW_AUTH)
            h->offers |= KD_AUTH_BIT(scheme == KD_AUTH_NEGOTIATE_BARE ? KD_AUTH_NEGOTIATE : scheme);
        if (h->auth == KD_AUTH_NONE) {
            h->auth = scheme;
            /* Host only where it matters: read from the header block the
             * authentication header sits in, rather than asking for
             * http.host on every request. */
            h->host = http_host(fr->pinfo, it->fi);
            /* The item spans the whole header line, name and token. */
            if (it->role == KF_HTTP_AUTHZ && it->fi->length > 0)
                h->auth_len = (guint32)it->fi->length;
        }
    }
    if (bad_request && !h->is_request) {
        h->status = KD_HTTP_BAD_REQUEST;
        h->says_header_too_long = http_says_header_too_long(fr->pinfo, bad_request);
    }
    return n_obs + 1;
}
