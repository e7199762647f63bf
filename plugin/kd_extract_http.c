/* kd_extract_http.c
 * HTTP authentication headers: the scheme offered or used, and the Host of the
 * request or response, read from the header block the header sits in.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

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

/* HTTP with authentication headers: the carrier context comes before its tokens. */
guint
kd_read_http(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    if ((!fr->seen[KF_HTTP_AUTHZ] && !fr->seen[KF_HTTP_WWW_AUTH]) || n_obs >= KD_MAX_OBS_PER_FRAME)
        return n_obs;
    kd_obs *o = &obs[n_obs];
    kd_obs_init(o, KD_OBS_HTTP);
    kd_obs_header(fr->pinfo, o);
    kd_http *h = &o->u.http;
    /* Authorization travels in requests, WWW-Authenticate in responses. */
    h->is_request = fr->seen[KF_HTTP_AUTHZ];
    for (guint i = 0; i < fr->n; i++) {
        const kd_item *it = &fr->it[i];
        if ((it->role == KF_HTTP_AUTHZ || it->role == KF_HTTP_WWW_AUTH) && h->auth == KD_AUTH_NONE) {
            h->auth = auth_scheme(kd_item_str(fr->pinfo, it->fi));
            /* Host only where it matters: read from the header block the
             * authentication header sits in, rather than asking for
             * http.host on every request. */
            h->host = http_host(fr->pinfo, it->fi);
        }
    }
    return n_obs + 1;
}
