/* kd_extract.c
 * Reads other dissectors' fields of one frame into krbdiag observations.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One walk over the frame instead of one per protocol: every wanted field of
 * the frame (kd_fields.c) is collected once and sorted by position; the reader
 * of each protocol (kd_extract_<protocol>.c) then attributes each item to the
 * message, ticket, enc-part or entry whose byte range contains it. Field names
 * are ambiguous (kerberos.etype sits in the request, the ticket and ETYPE-INFO2
 * alike); byte ranges are not.
 */
#include "kd_extract_int.h"

#include <string.h>

/* Hostile frames can hold many items; beyond this the rest is ignored. */
#define KD_MAX_ITEMS 2048

/* ------------------------------------------------------------------ values */

const char *
kd_safe_str(packet_info *pinfo, const char *s)
{
    if (!s)
        return NULL;
    gsize n = strnlen(s, KD_MAX_STR * 4);
    /* Printable ASCII within the limit (names, realms, hosts): already what the
     * general path below would make of it. */
    gsize plain = 0;
    while (plain < n && (guchar)s[plain] >= 0x20 && (guchar)s[plain] < 0x7f)
        plain++;
    if (plain == n && n <= KD_MAX_STR)
        return wmem_strndup(pinfo->pool, s, n);
    char *valid = g_utf8_make_valid(s, (gssize)n);
    /* Cut at a character boundary. */
    if (g_utf8_strlen(valid, -1) > KD_MAX_STR) {
        char *end = g_utf8_offset_to_pointer(valid, KD_MAX_STR);
        *end = '\0';
    }
    for (char *p = valid; *p; p++) {
        if ((guchar)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
    char *out = wmem_strdup(pinfo->pool, valid);
    g_free(valid);
    return out;
}

gint64
kd_item_int(field_info *fi)
{
    switch (fi->hfinfo->type) {
    case FT_INT8: case FT_INT16: case FT_INT24: case FT_INT32:
        return fvalue_get_sinteger(kd_fi_value(fi));
    case FT_UINT8: case FT_UINT16: case FT_UINT24: case FT_UINT32: case FT_FRAMENUM:
        return fvalue_get_uinteger(kd_fi_value(fi));
    case FT_INT40: case FT_INT48: case FT_INT56: case FT_INT64:
        return fvalue_get_sinteger64(kd_fi_value(fi));
    case FT_UINT40: case FT_UINT48: case FT_UINT56: case FT_UINT64:
        return (gint64)fvalue_get_uinteger64(kd_fi_value(fi));
    case FT_BOOLEAN:
        return fvalue_get_uinteger64(kd_fi_value(fi)) ? 1 : 0;
    default:
        return -1;
    }
}

const char *
kd_item_str(packet_info *pinfo, field_info *fi)
{
    switch (fi->hfinfo->type) {
    case FT_STRING: case FT_STRINGZ: case FT_UINT_STRING: case FT_STRINGZPAD: case FT_STRINGZTRUNC:
        return kd_safe_str(pinfo, fvalue_get_string(kd_fi_value(fi)));
    case FT_BYTES: case FT_UINT_BYTES:
        if (fi->ds_tvb && fi->length > 0 && tvb_bytes_exist(fi->ds_tvb, fi->start, MIN(fi->length, KD_MAX_STR))) {
            return kd_safe_str(pinfo, (const char *)tvb_get_string_enc(pinfo->pool, fi->ds_tvb, fi->start,
                                                                        MIN(fi->length, KD_MAX_STR), ENC_UTF_8));
        }
        return NULL;
    default:
        return NULL;
    }
}

/* Timestamps in captures and in Kerberos messages are untrusted. */
gint64
kd_nstime_to_us(const nstime_t *t)
{
    const gint64 max_secs = G_MAXINT64 / G_USEC_PER_SEC / 4;
    gint64 secs = CLAMP((gint64)t->secs, -max_secs, max_secs);
    return secs * G_USEC_PER_SEC + CLAMP(t->nsecs, 0, 999999999) / 1000;
}

void
kd_pinfo_addr(const address *a, kd_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (a->type == AT_IPv4 && a->len == 4) {
        memcpy(out->bytes, a->data, 4);
        out->len = 4;
    } else if (a->type == AT_IPv6 && a->len == 16) {
        memcpy(out->bytes, a->data, 16);
        out->len = 16;
    }
}

void
kd_pinfo_ends(const packet_info *pinfo, kd_addr *src, kd_addr *dst)
{
    kd_pinfo_addr(&pinfo->net_src, src);
    kd_pinfo_addr(&pinfo->net_dst, dst);
    if (src->len == 0)
        kd_pinfo_addr(&pinfo->src, src);
    if (dst->len == 0)
        kd_pinfo_addr(&pinfo->dst, dst);
}

void
kd_obs_header(packet_info *pinfo, kd_obs *o)
{
    o->frame = pinfo->num;
    o->time_us = kd_nstime_to_us(&pinfo->abs_ts);
    kd_pinfo_ends(pinfo, &o->src, &o->dst);
    o->sport = (guint16)pinfo->srcport;
    o->dport = (guint16)pinfo->destport;
    o->transport = pinfo->ptype == PT_TCP ? KD_TRANSPORT_TCP
                 : pinfo->ptype == PT_UDP ? KD_TRANSPORT_UDP : KD_TRANSPORT_OTHER;
}

/* ------------------------------------------------------------------- frame */


static int
item_cmp(gconstpointer pa, gconstpointer pb)
{
    const kd_item *a = pa, *b = pb;
    if (a->fi->ds_tvb != b->fi->ds_tvb)
        return (guintptr)a->fi->ds_tvb < (guintptr)b->fi->ds_tvb ? -1 : 1;
    if (a->fi->start != b->fi->start)
        return a->fi->start < b->fi->start ? -1 : 1;
    if (a->fi->length != b->fi->length)
        return a->fi->length > b->fi->length ? -1 : 1;  /* containers first */
    return (int)a->role - (int)b->role;
}

/* Every wanted field of the frame, sorted by position, into items; seen[] marks
 * the roles present. */
static void
collect_items(proto_tree *tree, GArray *items, gboolean *seen)
{
    const guint32 readable = kd_readable_roles();
    for (int r = 0; r < KF_COUNT && items->len < KD_MAX_ITEMS; r++) {
        if (!(readable & ((guint32)1 << r)))
            continue;
        const GArray *ids = kd_field_ids((kd_field_role)r);
        for (guint i = 0; i < ids->len; i++) {
            GPtrArray *a = proto_get_finfo_ptr_array(tree, g_array_index(ids, int, i));
            for (guint j = 0; a && j < a->len && items->len < KD_MAX_ITEMS; j++) {
                kd_item it = { (kd_field_role)r, g_ptr_array_index(a, j) };
                if (!it.fi)
                    continue;
                g_array_append_val(items, it);
                seen[r] = TRUE;
            }
        }
    }
    g_array_sort(items, item_cmp);
}

/* Kerberos in HTTP travels in authentication headers (a KDC proxy's POST
 * carries a KDC exchange, and counts as one). */
static kd_carrier
carrier_of(const gboolean *seen)
{
    return seen[KF_HTTP_AUTHZ] || seen[KF_HTTP_WWW_AUTH] ? KD_CARRIER_HTTP
         : seen[KF_SMB2_PDU] ? KD_CARRIER_SMB2
         : seen[KF_DCERPC_PDU] ? KD_CARRIER_DCERPC
         : seen[KF_LDAP_OP] ? KD_CARRIER_LDAP : KD_CARRIER_KDC;
}

guint
kd_extract_frame(packet_info *pinfo, proto_tree *tree, kd_obs *obs)
{
    /* One array for every frame: its size is bounded by KD_MAX_ITEMS. */
    static GArray *items;
    if (!items)
        items = g_array_sized_new(FALSE, FALSE, sizeof(kd_item), 64);
    g_array_set_size(items, 0);
    kd_frame fr;
    memset(&fr, 0, sizeof fr);
    collect_items(tree, items, fr.seen);
    static const kd_field_role from_headers[] = { KF_TCP_SYNACK, KF_TCP_RST, KF_TCP_PAYLOAD_LEN, KF_ICMP_TYPE };
    for (guint i = 0; i < G_N_ELEMENTS(from_headers); i++)
        fr.seen[from_headers[i]] = kd_header_has(pinfo, from_headers[i]);
    fr.pinfo = pinfo;
    fr.it = (const kd_item *)(void *)items->data;
    fr.n = items->len;
    fr.carrier = carrier_of(fr.seen);
    fr.partial_request = kd_partial_request(&fr);
    /* A connection to the KDC: a SYN waits for the KDC to accept it; from then on
     * its segments are read, even when their message never completes, until the
     * client's first payload, the KDC's answer or its reset. */
    if (pinfo->ptype == PT_TCP && pinfo->destport == KERBEROS_PORT) {
        if (fr.seen[KF_TCP_SYN])
            kd_extract_open(KF_TCP_SYNACK, pinfo);
        else if (fr.seen[KF_KRB_MSG_TYPE])
            kd_extract_request_complete(pinfo);
        else if (fr.partial_request)
            kd_extract_request_partial(pinfo);
    } else if (pinfo->ptype == PT_TCP && pinfo->srcport == KERBEROS_PORT) {
        kd_extract_answered(KF_TCP_SYNACK, pinfo);
        if (fr.seen[KF_TCP_SYNACK])
            kd_extract_open_by_server(KF_TCP_PAYLOAD_LEN, pinfo);
        else
            kd_extract_answered(KF_TCP_PAYLOAD_LEN, pinfo);
    }

    for (guint i = 0; fr.seen[KF_DCERPC_PDU] && i < fr.n; i++) {
        kd_rpc_pdu p;
        if (fr.it[i].role == KF_DCERPC_PDU && kd_rpc_pdu_read(fr.it[i].fi, &p))
            kd_extract_rpc_pdu(pinfo, &p);
    }

    /* The order of the readers is the order of the observations the engine reads:
     * a carrier's context (DNS, HTTP) before the tokens it carries, the Kerberos
     * error inside a DCE/RPC refusal's verifier before the refusal. */
    guint n_obs = 0;
    gboolean is_icmp = FALSE;
    n_obs = kd_read_dns(&fr, obs, n_obs);
    n_obs = kd_read_http(&fr, obs, n_obs);
    n_obs = kd_read_icmp(&fr, obs, n_obs, &is_icmp);
    /* A request to the KDC over UDP waits for its answer: an ICMP unreachable may
     * come instead. */
    if (!is_icmp && pinfo->ptype == PT_UDP && fr.seen[KF_KRB_MSG_TYPE]) {
        if (pinfo->destport == KERBEROS_PORT)
            kd_extract_open(KF_ICMP_TYPE, pinfo);
        else if (pinfo->srcport == KERBEROS_PORT)
            kd_extract_answered(KF_ICMP_TYPE, pinfo);
    }
    if (!is_icmp) {
        n_obs = kd_read_tcp(&fr, obs, n_obs);
        n_obs = kd_read_krb(&fr, obs, n_obs);
        n_obs = kd_read_ntlmssp(&fr, obs, n_obs);
        n_obs = kd_read_smb2(&fr, obs, n_obs);
        n_obs = kd_read_rpc_verifier(&fr, obs, n_obs);
        n_obs = kd_read_dcerpc(&fr, obs, n_obs);
        n_obs = kd_read_dcom(&fr, obs, n_obs);
        n_obs = kd_read_ldap(&fr, obs, n_obs);
    }
    for (guint i = 0; i < n_obs; i++) {
        if (obs[i].kind == KD_OBS_KRB && obs[i].u.krb.msg_type == KD_MSG_AP_REP &&
            obs[i].u.krb.carrier == KD_CARRIER_DCERPC && obs[i].transport == KD_TRANSPORT_TCP)
            kd_extract_rpc_ap_reply();
    }
    return n_obs;
}
