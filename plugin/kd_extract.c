/* kd_extract.c
 * Reads other dissectors' fields of one frame into krbdiag observations.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One generic extractor instead of one per protocol: every wanted field of the
 * frame is collected once, sorted by position, and each Kerberos leaf is
 * attributed to the message, ticket, enc-part or ETYPE-INFO2 entry whose byte
 * range contains it. Field names are ambiguous (kerberos.etype sits in the
 * request, the ticket and ETYPE-INFO2 alike); byte ranges are not.
 */
/* Log lines read "[krbdiag ...]" */
#define WS_LOG_DOMAIN "krbdiag"

#include "kd_extract.h"

#include <string.h>

#include "kd_encdata.h"
#include "kd_gsskrb.h"
#include "kd_kdcreq.h"
#include "kd_krberr.h"
#include "kd_ldapbind.h"

#include <epan/proto.h>
#include "kd_compat.h"

typedef enum {
    /* Kerberos containers */
    KF_KRB_AS_REQ, KF_KRB_AS_REP, KF_KRB_TGS_REQ, KF_KRB_TGS_REP, KF_KRB_AP_REQ, KF_KRB_AP_REP,
    KF_KRB_ERROR_EL, KF_KRB_TICKET, KF_KRB_ETYPE_INFO2, KF_KRB_ETYPE_INFO,
    /* Kerberos leaves */
    KF_KRB_MSG_TYPE, KF_KRB_CNAME, KF_KRB_SNAME, KF_KRB_REALM, KF_KRB_CREALM,
    KF_KRB_PADATA_TYPE, KF_KRB_ETEXT, KF_KRB_NTSTATUS,
    /* DNS */
    KF_DNS_RESP_NAME, KF_DNS_CNAME, KF_DNS_A, KF_DNS_AAAA,
    /* HTTP */
    KF_HTTP_AUTHZ, KF_HTTP_WWW_AUTH,
    /* NTLMSSP, DCE/RPC, SMB2, DCOM, LDAP */
    KF_NTLMSSP_TYPE, KF_NTLMSSP_USER, KF_NTLMSSP_DOMAIN,
    KF_DCERPC_PKT_TYPE, KF_DCERPC_STATUS, KF_DCERPC_REJECT, KF_DCERPC_AUTH_TYPE, KF_DCERPC_OPNUM,
    KF_SMB2_CMD, KF_SMB2_STATUS,
    /* transport signs of a silent KDC */
    KF_ICMP_TYPE, KF_TCP_SYN, KF_TCP_RST,
    KF_DCOM_ADDR,
    KF_TCP_SEGMENT_DATA,
    KF_LDAP_OP, KF_LDAP_ENTRY, KF_LDAP_DN, KF_LDAP_TYPE, KF_LDAP_VALUE,
    /* DCE/RPC auth verifier (read only on refusals) */
    KF_DCERPC_AUTH_INFO, KF_DCERPC_AUTH_LEN,
    KF_DCERPC_AUTH_LEVEL,
    /* TCP analysis: the capture misses a segment of the connection */
    KF_TCP_LOST, KF_TCP_ACK_LOST,
    /* Wireshark's own ticket decryption with the keytab of its Kerberos preferences */
    KF_KRB_DECRYPTED, KF_KRB_MISSING,
    /* DNS reverse look-up answers */
    KF_DNS_PTR,
    KF_COUNT
} kd_field_role;

/* A role's field name, and the names the same field has in other Wireshark
 * versions krbdiag supports. Every name this Wireshark registers is read (4.6
 * split kerberos.enc_part_element into one field per kind of enc-part; byte
 * ranges, not names, place them). A role none of whose names exists is
 * reported once at start-up. */
#define KD_FIELD_MAX_OTHER_NAMES 5

typedef struct {
    const char *name;
    gboolean trigger;   /* its presence makes the frame worth reading */
    const char *other_names[KD_FIELD_MAX_OTHER_NAMES];
} kd_field_def;

static const kd_field_def field_defs[KF_COUNT] = {
    [KF_KRB_AS_REQ]      = { "kerberos.as_req_element", FALSE },
    [KF_KRB_AS_REP]      = { "kerberos.as_rep_element", FALSE },
    [KF_KRB_TGS_REQ]     = { "kerberos.tgs_req_element", FALSE },
    [KF_KRB_TGS_REP]     = { "kerberos.tgs_rep_element", FALSE },
    [KF_KRB_AP_REQ]      = { "kerberos.ap_req_element", FALSE },
    [KF_KRB_AP_REP]      = { "kerberos.ap_rep_element", FALSE },
    [KF_KRB_ERROR_EL]    = { "kerberos.krb_error_element", FALSE },
    /* A request's body (KDC options, etypes, additional tickets: S4U2Proxy,
     * user-to-user) is read from its bytes, and with it Ticket_element (the
     * additional tickets, two registrations). */
    [KF_KRB_TICKET]      = { "kerberos.ticket_element", FALSE },
    /* The enc-parts of tickets and replies (their etype, kvno and ciphertext) are
     * read from the bytes of the ticket or message: kerberos.enc_part_element (five
     * registrations up to 4.4, five names in 4.6), kerberos.etype, kerberos.kvno and
     * kerberos.cipher (a dozen registrations) would be marked before every frame. */
    [KF_KRB_ETYPE_INFO2] = { "kerberos.ETYPE_INFO2_ENTRY_element", FALSE },
    [KF_KRB_ETYPE_INFO]  = { "kerberos.ETYPE_INFO_ENTRY_element", FALSE },
    [KF_KRB_MSG_TYPE]    = { "kerberos.msg_type", TRUE },
    [KF_KRB_CNAME]       = { "kerberos.CNameString", FALSE },
    [KF_KRB_SNAME]       = { "kerberos.SNameString", FALSE },
    [KF_KRB_REALM]       = { "kerberos.realm", FALSE },
    [KF_KRB_CREALM]      = { "kerberos.crealm", FALSE },
    [KF_KRB_PADATA_TYPE] = { "kerberos.padata_type", FALSE },
    [KF_KRB_ETEXT]       = { "kerberos.e_text", FALSE },
    [KF_KRB_NTSTATUS]    = { "kerberos.smb.nt_status", FALSE },
    /* A KRB-ERROR's error code, times and e-data are read from its bytes. */
    [KF_DNS_RESP_NAME]   = { "dns.resp.name", FALSE },
    [KF_DNS_CNAME]       = { "dns.cname", TRUE },
    [KF_DNS_A]           = { "dns.a", FALSE },
    [KF_DNS_AAAA]        = { "dns.aaaa", FALSE },
    [KF_HTTP_AUTHZ]      = { "http.authorization", TRUE },
    [KF_HTTP_WWW_AUTH]   = { "http.www_authenticate", TRUE },
    [KF_NTLMSSP_TYPE]    = { "ntlmssp.messagetype", TRUE },
    [KF_NTLMSSP_USER]    = { "ntlmssp.auth.username", FALSE },
    [KF_NTLMSSP_DOMAIN]  = { "ntlmssp.auth.domain", FALSE },
    [KF_DCERPC_PKT_TYPE] = { "dcerpc.pkt_type", FALSE },
    [KF_DCERPC_STATUS]   = { "dcerpc.cn_status", TRUE },
    [KF_DCERPC_REJECT]   = { "dcerpc.cn_reject_reason", TRUE },
    [KF_DCERPC_AUTH_TYPE] = { "dcerpc.auth_type", FALSE },
    [KF_DCERPC_OPNUM]    = { "dcerpc.opnum", FALSE },
    /* smb2.cmd is in every SMB2 header (the carrier of a session set-up's token);
     * a response's flags are read from the header's bytes. */
    [KF_SMB2_CMD]        = { "smb2.cmd", FALSE },
    [KF_SMB2_STATUS]     = { "smb2.nt_status", TRUE },
    [KF_ICMP_TYPE]       = { "icmp.type", TRUE },
    /* Every wanted field costs on every frame that has it: not tcp.flags (on every
     * TCP segment) but TCP's expert items, which only SYN (without ACK) and RST
     * segments carry. */
    [KF_TCP_SYN]         = { "tcp.connection.syn", TRUE },
    [KF_TCP_RST]         = { "tcp.connection.rst", TRUE },
    [KF_DCOM_ADDR]       = { "dcom.dualstringarray.network_addr", TRUE },
    /* An LDAP operation: binds (requests and answers) are read from its bytes, which
     * hold the whole [APPLICATION n] element (4.0, 4.4, 4.6 alike); only bind values
     * make the frame relevant. */
    [KF_LDAP_OP]         = { "ldap.protocolOp", TRUE },
    [KF_LDAP_ENTRY]      = { "ldap.searchResEntry_element", TRUE },
    [KF_LDAP_DN]         = { "ldap.objectName", FALSE },
    [KF_LDAP_TYPE]       = { "ldap.type", FALSE },
    [KF_LDAP_VALUE]      = { "ldap.AttributeValue", FALSE },
    /* A segment TCP holds for reassembly: towards port 88, a request even when its
     * message never completes. Asked for instead of tcp.len, which every TCP
     * segment carries (and would make every TCP frame pay the relevance test);
     * this one occurs only on segments of a multi-segment message. */
    [KF_TCP_SEGMENT_DATA] = { "tcp.segment_data", TRUE },
    /* The visible auth_info item starts at the 8-byte sec_trailer; the verifier's
     * cn_auth_len bytes follow it in the same tvb (4.0, 4.4, 4.6 alike). */
    [KF_DCERPC_AUTH_INFO] = { "dcerpc.auth_info", FALSE },
    [KF_DCERPC_AUTH_LEN] = { "dcerpc.cn_auth_len", FALSE },
    /* Occurs where dcerpc.auth_type does (authenticated PDUs): no new frames pay. */
    [KF_DCERPC_AUTH_LEVEL] = { "dcerpc.auth_level", FALSE },
    /* TCP's expert items, present only on the segment after a gap (or on the one
     * acknowledging data the capture never saw): rare, so wanting them is cheap. */
    [KF_TCP_LOST]        = { "tcp.analysis.lost_segment", TRUE },
    [KF_TCP_ACK_LOST]    = { "tcp.analysis.ack_lost_segment", TRUE },
    /* Expert items, present only when the user loaded a keytab and turned decryption
     * on (same names in 4.0, 4.4, 4.6): no cost on other captures. */
    [KF_KRB_DECRYPTED]   = { "kerberos.decrypted_keytype", FALSE },
    [KF_KRB_MISSING]     = { "kerberos.missing_keytype", FALSE },
    /* Only PTR answers carry it (same name in 4.0, 4.4, 4.6): the name a reverse
     * look-up gave, which MIT clients (rdns = true) build the SPN from. */
    [KF_DNS_PTR]         = { "dns.ptr.domain_name", TRUE },
};

/* Every hf id registered under each name (names can be registered several times). */
static GArray *field_ids[KF_COUNT];

/* The hf ids of the trigger fields, in one short array: the relevance test runs
 * on every frame that carries any wanted field. */
typedef struct {
    int id;
    kd_field_role role;
} kd_trigger;
static kd_trigger *triggers;
static guint n_triggers;
static const value_string *error_code_vals;
static const value_string *etype_vals;
static value_string_ext *ntstatus_vals_ext;

/* RFC 4120: the KDC's UDP and TCP port. */
#define KD_KERBEROS_PORT 88
/* A DCE/RPC sec_trailer (auth type, level, pad length, reserved, context id), and the
 * longest verifier read (auth_len is 16 bits; Kerberos errors are far smaller). */
#define KD_DCERPC_SEC_TRAILER 8
#define KD_MAX_VERIFIER 8192

/* LDAP protocolOp choices (RFC 4511 4.2): a bind's request and its answer. */
#define KD_LDAP_OP_BIND_REQUEST 0
#define KD_LDAP_OP_BIND_RESPONSE 1

/* Hostile frames can hold many items; beyond this the rest is ignored. */
#define KD_MAX_ITEMS 2048
#define KD_MAX_STR 256
#define KD_MAX_EDATA 4096
/* How far back and forward an HTTP header block is searched for its Host line. */
#define KD_MAX_HTTP_HEAD 16384

typedef struct {
    kd_field_role role;
    field_info *fi;
} kd_item;

/* Roles none of whose names this Wireshark registers (see kd_extract_init). */
static gboolean role_missing[KF_COUNT];

/* Every registration of one field name (names can be registered several times). */
static void
add_field_ids(const char *name, GArray *ids, GArray *wanted)
{
    int id = proto_registrar_get_id_byname(name);
    if (id < 0)
        return;
    for (header_field_info *h = proto_registrar_get_nth(id); h; h = h->same_name_next) {
        g_array_append_val(ids, h->id);
        g_array_append_val(wanted, h->id);
    }
    /* same_name_next starts at the newest registration; walk back too. */
    for (header_field_info *h = proto_registrar_get_nth(id)->same_name_prev_id >= 0
             ? proto_registrar_get_nth(proto_registrar_get_nth(id)->same_name_prev_id) : NULL;
         h; h = h->same_name_prev_id >= 0 ? proto_registrar_get_nth(h->same_name_prev_id) : NULL) {
        g_array_append_val(ids, h->id);
        g_array_append_val(wanted, h->id);
    }
}

GArray *
kd_extract_init(void)
{
    static gboolean reported;
    GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));
    GString *read = g_string_new(NULL);
    GArray *trig = g_array_new(FALSE, FALSE, sizeof(kd_trigger));
    for (int r = 0; r < KF_COUNT; r++) {
        if (field_ids[r])
            g_array_free(field_ids[r], TRUE);
        field_ids[r] = g_array_new(FALSE, FALSE, sizeof(int));
        GString *tried = g_string_new(NULL);
        for (int n = 0; n <= KD_FIELD_MAX_OTHER_NAMES; n++) {
            const char *name = n == 0 ? field_defs[r].name : field_defs[r].other_names[n - 1];
            if (!name)
                break;
            guint before = field_ids[r]->len;
            add_field_ids(name, field_ids[r], wanted);
            if (field_ids[r]->len > before)
                g_string_append_printf(read, " %s", name);
            g_string_append_printf(tried, "%s%s", n ? ", " : "", name);
        }
        role_missing[r] = field_ids[r]->len == 0;
        /* A renamed field must show at start-up, not as a wrong or empty finding later. */
        if (role_missing[r] && !reported)
            ws_warning("krbdiag: Wireshark %s registers no field %s; krbdiag reports what it would read "
                       "there as unavailable", KD_WS_VERSION_STR, tried->str);
        g_string_free(tried, TRUE);
        for (guint i = 0; field_defs[r].trigger && i < field_ids[r]->len; i++) {
            kd_trigger t = { g_array_index(field_ids[r], int, i), (kd_field_role)r };
            g_array_append_val(trig, t);
        }
    }
    g_free(triggers);
    n_triggers = trig->len;
    triggers = (kd_trigger *)(void *)g_array_free(trig, FALSE);
    /* The names actually read, for checks against `tshark -G fields` (--log-level info). */
    if (!reported)
        ws_info("krbdiag: Wireshark %s fields read:%s", KD_WS_VERSION_STR, read->str);
    g_string_free(read, TRUE);
    reported = TRUE;
    header_field_info *ec = proto_registrar_get_byname("kerberos.error_code");
    if (ec && ec->strings && !(ec->display & (BASE_RANGE_STRING | BASE_EXT_STRING | BASE_VAL64_STRING)))
        error_code_vals = (const value_string *)ec->strings;
    header_field_info *nt = proto_registrar_get_byname("smb2.nt_status");
    if (nt && nt->strings && (nt->display & BASE_EXT_STRING))
        ntstatus_vals_ext = (value_string_ext *)nt->strings;
    header_field_info *et = proto_registrar_get_byname("kerberos.etype");
    if (et && et->strings && !(et->display & (BASE_RANGE_STRING | BASE_EXT_STRING | BASE_VAL64_STRING)))
        etype_vals = (const value_string *)et->strings;
    return wanted;
}

/* Source and destination are one address: the host connected to itself. */
static gboolean
self_connection(const packet_info *pinfo)
{
    return (pinfo->src.type == AT_IPv4 || pinfo->src.type == AT_IPv6) && addresses_equal(&pinfo->src, &pinfo->dst);
}

/* Some trigger fields are everywhere in their protocol; only some values matter. */
static gboolean
trigger_value_matters(packet_info *pinfo, kd_field_role r, GPtrArray *a)
{
    /* A KDC that refuses (RST) or never answers (SYN after SYN): only the Kerberos
     * port; and a host connecting to its own address (DCOM sent to a shared one). */
    if (r == KF_TCP_SYN)
        return pinfo->ptype == PT_TCP && (pinfo->destport == KD_KERBEROS_PORT || self_connection(pinfo));
    if (r == KF_TCP_LOST || r == KF_TCP_ACK_LOST)
        return pinfo->ptype == PT_TCP;
    if (r == KF_TCP_RST)
        return pinfo->ptype == PT_TCP && pinfo->srcport == KD_KERBEROS_PORT;
    /* Payload towards the KDC, even when no Kerberos message can be read from it. */
    if (r == KF_TCP_SEGMENT_DATA)
        return pinfo->ptype == PT_TCP && pinfo->destport == KD_KERBEROS_PORT;
    for (guint j = 0; j < a->len; j++) {
        field_info *fi = g_ptr_array_index(a, j);
        if (!fi)
            continue;
        switch (r) {
        case KF_SMB2_STATUS: {
            guint32 st = fvalue_get_uinteger(kd_fi_value(fi));
            /* success, STATUS_PENDING, STATUS_MORE_PROCESSING_REQUIRED */
            if (st != 0 && st != 0x103 && st != 0xC0000016u)
                return TRUE;
            break;
        }
        case KF_ICMP_TYPE:
            if (fvalue_get_uinteger(kd_fi_value(fi)) == 3)   /* destination unreachable */
                return TRUE;
            break;
        case KF_LDAP_OP:
            if (fvalue_get_uinteger(kd_fi_value(fi)) <= KD_LDAP_OP_BIND_RESPONSE)
                return TRUE;
            break;
        default:
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
kd_extract_relevant(packet_info *pinfo, proto_tree *tree)
{
    /* The tree keeps a table of the wanted fields that occurred on this frame:
     * on most frames (TCP acknowledgements, plain HTTP) it is empty, and one
     * call answers. Other wanted fields (a display filter's, a column's) can fill
     * it too: then the trigger fields are looked up one by one. */
    if (!tree || !proto_tracking_interesting_fields(tree))
        return FALSE;
    for (guint i = 0; i < n_triggers; i++) {
        GPtrArray *a = proto_get_finfo_ptr_array(tree, triggers[i].id);
        if (a && a->len && trigger_value_matters(pinfo, triggers[i].role, a))
            return TRUE;
    }
    return FALSE;
}

/* ------------------------------------------------------------------ values */

/* A bounded, printable, valid UTF-8 copy: captures are hostile. */
static const char *
safe_str(packet_info *pinfo, const char *s)
{
    if (!s)
        return NULL;
    gsize n = strnlen(s, KD_MAX_STR * 4);
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

static gint64
item_int(field_info *fi)
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

static const char *
item_str(packet_info *pinfo, field_info *fi)
{
    switch (fi->hfinfo->type) {
    case FT_STRING: case FT_STRINGZ: case FT_UINT_STRING: case FT_STRINGZPAD: case FT_STRINGZTRUNC:
        return safe_str(pinfo, fvalue_get_string(kd_fi_value(fi)));
    case FT_BYTES: case FT_UINT_BYTES:
        if (fi->ds_tvb && fi->length > 0 && tvb_bytes_exist(fi->ds_tvb, fi->start, MIN(fi->length, KD_MAX_STR))) {
            return safe_str(pinfo, (const char *)tvb_get_string_enc(pinfo->pool, fi->ds_tvb, fi->start,
                                                                     MIN(fi->length, KD_MAX_STR), ENC_UTF_8));
        }
        return NULL;
    default:
        return NULL;
    }
}

/* Microseconds since the epoch, clamped so later arithmetic cannot overflow:
 * timestamps in captures and in Kerberos messages are untrusted. */
static gint64
nstime_to_us(const nstime_t *t)
{
    const gint64 max_secs = G_MAXINT64 / G_USEC_PER_SEC / 4;
    gint64 secs = CLAMP((gint64)t->secs, -max_secs, max_secs);
    return secs * G_USEC_PER_SEC + CLAMP(t->nsecs, 0, 999999999) / 1000;
}

static gboolean
item_addr(field_info *fi, kd_addr *out)
{
    int len = fi->hfinfo->type == FT_IPv4 ? 4 : fi->hfinfo->type == FT_IPv6 ? 16 : 0;
    memset(out, 0, sizeof(*out));
    if (!len || !fi->ds_tvb || fi->length != len || !tvb_bytes_exist(fi->ds_tvb, fi->start, len))
        return FALSE;
    tvb_memcpy(fi->ds_tvb, out->bytes, fi->start, len);
    out->len = (guint8)len;
    return TRUE;
}

static void
pinfo_addr(const address *a, kd_addr *out)
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

/* ------------------------------------------------------------------ ranges */

static gboolean
inside(const field_info *leaf, const field_info *box)
{
    return leaf->ds_tvb == box->ds_tvb && leaf->start >= box->start &&
           (gint64)leaf->start + leaf->length <= (gint64)box->start + box->length && leaf != box;
}

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

static gboolean
is_krb_message(kd_field_role r)
{
    return r >= KF_KRB_AS_REQ && r <= KF_KRB_ERROR_EL;
}

static gint32
message_type_of(kd_field_role r)
{
    static const gint32 types[] = { KD_MSG_AS_REQ, KD_MSG_AS_REP, KD_MSG_TGS_REQ, KD_MSG_TGS_REP,
                                    KD_MSG_AP_REQ, KD_MSG_AP_REP, KD_MSG_ERROR };
    return types[r - KF_KRB_AS_REQ];
}

/* Append a name component ("HTTP", "web.example.test" -> "HTTP/web.example.test"). */
static const char *
join_name(packet_info *pinfo, const char *sofar, const char *part)
{
    if (!part)
        return sofar;
    if (!sofar)
        return part;
    if (strlen(sofar) > KD_MAX_STR)
        return sofar;
    return wmem_strdup_printf(pinfo->pool, "%s/%s", sofar, part);
}

/* FNV-1a over the message's bytes: recorded copies of one datagram compare equal. */
static void
message_digest(const field_info *msg, kd_krb *k)
{
    tvbuff_t *t = msg->ds_tvb;
    if (!t || msg->length <= 0 || !tvb_bytes_exist(t, msg->start, msg->length))
        return;
    const guint8 *p = tvb_get_ptr(t, msg->start, msg->length);
    guint32 h = 2166136261u;
    for (gint i = 0; i < msg->length; i++)
        h = (h ^ p[i]) * 16777619u;
    k->msg_digest = h;
    k->msg_len = (guint32)msg->length;
}

/* An NTLMSSP AUTHENTICATE string: Wireshark shows an empty one as "NULL" over its
 * 8-byte security buffer (length 0); that is "" here, not a user named NULL. */
static const char *
ntlm_str(packet_info *pinfo, field_info *fi)
{
    if (fi->length == 8 && fi->ds_tvb && tvb_bytes_exist(fi->ds_tvb, fi->start, 2) &&
        tvb_get_letohs(fi->ds_tvb, fi->start) == 0)
        return "";
    return item_str(pinfo, fi);
}

/* Enough ciphertext to tell two tickets apart: it is random-looking, so its first
 * bytes identify the ticket (the same ticket presented twice has the same bytes). */
#define KD_CIPHER_HASH_BYTES 256

/* A ticket's enc-part (RFC 4120: Ticket ::= [APPLICATION 1] SEQUENCE { ..., enc-part
 * [3] EncryptedData }), or a reply's (KDC-REP [6], AP-REP [2]), read from the bytes
 * of the ticket or message item. FALSE when unreadable. */
static gboolean
encdata_of(const field_info *fi, guint field, kd_encdata *e)
{
    tvbuff_t *t = fi->ds_tvb;
    if (!t || fi->length <= 0 || !tvb_bytes_exist(t, fi->start, fi->length)) {
        memset(e, 0, sizeof(*e));
        return FALSE;
    }
    return kd_encdata_in(tvb_get_ptr(t, fi->start, fi->length), (gsize)fi->length, field, e);
}

/* The etype of one ETYPE-INFO2-ENTRY or ETYPE-INFO-ENTRY ([0] etype, first in both). */
static gboolean
etype_info_etype(const field_info *fi, gint32 *etype)
{
    tvbuff_t *t = fi->ds_tvb;
    kd_der field;
    gint64 v;
    if (!t || fi->length <= 0 || !tvb_bytes_exist(t, fi->start, fi->length) ||
        !kd_der_seq_field(tvb_get_ptr(t, fi->start, fi->length), (gsize)fi->length, 0, &field) ||
        !kd_der_int(field, &v) || v < G_MININT32 || v > G_MAXINT32)
        return FALSE;
    *etype = (gint32)v;
    return TRUE;
}

/* A message's place, for items whose place is read from bytes. */
typedef struct {
    tvbuff_t *tvb;
    gint start;
    gint length;
} kd_range;

static gboolean
inside_range(const field_info *leaf, const kd_range *box)
{
    return leaf->ds_tvb == box->tvb && leaf->start >= box->start &&
           (gint64)leaf->start + leaf->length <= (gint64)box->start + box->length;
}

#define KD_TICKET_ENC_PART 3
#define KD_KDC_REP_ENC_PART 6
#define KD_AP_REP_ENC_PART 2

/* RFC 4120 7.5.1: key usage 2 is the ticket's enc-part (the service key). */
#define KD_KEY_USAGE_TICKET 2

/* The result of Wireshark's attempt to decrypt the frame's ticket with the user's keytab.
 * Its expert items carry no byte range (they are created without a tvb). Their text says
 * what was decrypted ("Decrypted keytype 18 usage 2 using keytab principal HTTP/www@REALM
 * (id=...)", "Missing keytype 18 usage 2 (id=...)", the same wording in 4.0, 4.4 and
 * 4.6), but Wireshark formats labels only for a tree someone displays (tshark without
 * -V/-T pdml formats none). Without text: in a frame carrying a service's AP-REQ, any
 * key that decrypts something got there through the ticket (the authenticator's key is
 * the ticket's session key; a service's keytab holds no user or krbtgt key), and items
 * that only report missing keys mean the ticket did not decrypt. */
static kd_decrypt
ticket_decrypt(packet_info *pinfo, const kd_item *items, guint n, const char **by)
{
    kd_decrypt by_text = KD_DECRYPT_NOT_TRIED;
    gboolean any_ok = FALSE, any_missing = FALSE;
    *by = NULL;
    for (guint i = 0; i < n; i++) {
        if (items[i].role != KF_KRB_DECRYPTED && items[i].role != KF_KRB_MISSING)
            continue;
        const field_info *fi = items[i].fi;
        if (items[i].role == KF_KRB_DECRYPTED)
            any_ok = TRUE;
        else
            any_missing = TRUE;
        if (!fi->rep)
            continue;
        char text[ITEM_LABEL_LENGTH + 1];
        g_strlcpy(text, fi->rep->representation, sizeof text);
        int keytype = 0, usage = 0;
        if (items[i].role == KF_KRB_DECRYPTED &&
            sscanf(text, "Decrypted keytype %d usage %d", &keytype, &usage) == 2 && usage == KD_KEY_USAGE_TICKET) {
            by_text = KD_DECRYPT_OK;
            const char *p = strstr(text, "using keytab principal ");
            if (p) {
                p += strlen("using keytab principal ");
                *by = safe_str(pinfo, wmem_strndup(pinfo->pool, p, strcspn(p, " ")));
            }
        } else if (items[i].role == KF_KRB_MISSING && by_text == KD_DECRYPT_NOT_TRIED &&
                   sscanf(text, "Missing keytype %d usage %d", &keytype, &usage) == 2 &&
                   usage == KD_KEY_USAGE_TICKET) {
            by_text = KD_DECRYPT_NO_KEY;
        }
    }
    if (by_text != KD_DECRYPT_NOT_TRIED)
        return by_text;
    return any_ok ? KD_DECRYPT_OK : any_missing ? KD_DECRYPT_NO_KEY : KD_DECRYPT_NOT_TRIED;
}

/* A KDC request's body, from the request's bytes: KDC options, the etypes asked
 * for, and the additional tickets (where they are, how many, the enc-part of the
 * first: S4U2Proxy's evidence ticket, user-to-user's TGT). */
static void
fill_req_body(const field_info *msg, kd_krb *k, kd_range *addl)
{
    tvbuff_t *t = msg->ds_tvb;
    if (!t || msg->length <= 0 || !tvb_bytes_exist(t, msg->start, msg->length))
        return;
    const guint8 *base = tvb_get_ptr(t, msg->start, msg->length);
    kd_kdcreq req;
    const kd_kdcreq *r = &req;
    if (kd_kdcreq_parse(base, (gsize)msg->length, &req)) {
        k->opt_cname_in_addl_tkt = r->opt_cname_in_addl_tkt;
        k->opt_enc_tkt_in_skey = r->opt_enc_tkt_in_skey;
        for (guint i = 0; i < r->n_etypes && k->n_req_etypes < KD_MAX_ETYPES; i++)
            k->req_etypes[k->n_req_etypes++] = r->etypes[i];
        if (r->has_addl) {
            addl->tvb = t;
            addl->start = msg->start + (gint)r->addl_offset;
            addl->length = (gint)r->addl_len;
            k->n_addl_tickets = MIN(r->n_addl, 64);
            /* The first etype and the first kvno among the tickets' enc-parts. */
            for (guint i = 0; i < MIN(r->n_addl, KD_KDCREQ_MAX_TICKETS); i++) {
                kd_encdata e;
                kd_encdata_in(r->addl[i].p, r->addl[i].len, KD_TICKET_ENC_PART, &e);
                if (e.has_etype && k->addl_ticket.etype < 0)
                    k->addl_ticket.etype = e.etype;
                if (e.has_kvno && k->addl_ticket.kvno < 0)
                    k->addl_ticket.kvno = e.kvno;
            }
        }
    }
}

static gint64
secs_to_us(gint64 secs, gboolean has_usec, gint64 usec)
{
    nstime_t t;
    t.secs = (time_t)CLAMP(secs, -G_MAXINT64 / G_USEC_PER_SEC / 4, G_MAXINT64 / G_USEC_PER_SEC / 4);
    t.nsecs = 0;
    gint64 us = nstime_to_us(&t);
    return has_usec && usec > 0 && usec < G_USEC_PER_SEC ? us + usec : us;
}

/* A KRB-ERROR's own fields, from its bytes: the error code, the KDC's time (and
 * the client's, when the message type says KRB-ERROR), the e-data's raw bytes
 * for the engine's own bounded parser (Wireshark 4.0 mis-reads Samba's
 * PA-PW-SALT status). */
static void
fill_error(packet_info *pinfo, const field_info *msg, kd_krb *k)
{
    tvbuff_t *t = msg->ds_tvb;
    kd_krberr e;
    if (!t || msg->length <= 0 || !tvb_bytes_exist(t, msg->start, msg->length) ||
        !kd_krberr_parse(tvb_get_ptr(t, msg->start, msg->length), (gsize)msg->length, &e))
        return;
    if (e.has_error_code)
        k->error_code = e.error_code;
    if (e.has_stime) {
        k->has_stime = TRUE;
        k->stime_us = secs_to_us(e.stime, e.has_susec, e.susec);
    }
    if (e.has_ctime && k->msg_type == KD_MSG_ERROR) {
        k->has_ctime = TRUE;
        k->ctime_us = secs_to_us(e.ctime, e.has_cusec, e.cusec);
    }
    if (e.edata && e.edata_len > 0) {
        k->e_data_len = MIN(e.edata_len, (gsize)KD_MAX_EDATA);
        k->e_data = (const guint8 *)wmem_memdup(pinfo->pool, e.edata, k->e_data_len);
    }
}

static void
fill_krb(packet_info *pinfo, const kd_item *items, guint n, guint m, kd_krb *k)
{
    const field_info *msg = items[m].fi;
    const field_info *ticket = NULL;
    kd_range addl = { NULL, 0, 0 };     /* additional tickets of a TGS-REQ */
    const field_info *boxes[64];        /* enc-parts, ETYPE-INFO entries, nested messages */
    kd_field_role box_roles[64];
    guint n_boxes = 0;
    gboolean have_msg_type = FALSE;

    k->msg_type = message_type_of(items[m].role);
    message_digest(msg, k);
    if (items[m].role == KF_KRB_AS_REQ || items[m].role == KF_KRB_TGS_REQ)
        fill_req_body(msg, k, &addl);
    /* A reply's own enc-part: the key the reply is encrypted in. */
    if (items[m].role == KF_KRB_AS_REP || items[m].role == KF_KRB_TGS_REP || items[m].role == KF_KRB_AP_REP) {
        kd_encdata e;
        if (encdata_of(msg, items[m].role == KF_KRB_AP_REP ? KD_AP_REP_ENC_PART : KD_KDC_REP_ENC_PART, &e) &&
            e.has_etype)
            k->rep_etype = e.etype;
    }
    for (guint i = m + 1; i < n && inside(items[i].fi, msg); i++) {
        const kd_item *it = &items[i];
        field_info *fi = it->fi;
        /* Context of this item inside the message. */
        gboolean in_ticket = ticket && inside(fi, ticket);
        gboolean in_addl = addl.tvb && inside_range(fi, &addl);
        gboolean in_nested = FALSE;
        for (guint b = 0; b < n_boxes && !in_nested; b++) {
            /* A second ticket (TGS-REQ additional-tickets: S4U2Proxy, user-to-user)
             * names another service than the request: as foreign as a nested message. */
            in_nested = (is_krb_message(box_roles[b]) || box_roles[b] == KF_KRB_TICKET) && inside(fi, boxes[b]);
        }
        if (in_addl && !in_nested) {
            /* The evidence ticket of S4U2Proxy (or the TGT of user-to-user). */
            switch (it->role) {
            case KF_KRB_SNAME:
                k->addl_ticket.present = TRUE;
                k->addl_ticket.sname = join_name(pinfo, k->addl_ticket.sname, item_str(pinfo, fi));
                break;
            case KF_KRB_REALM:
                if (!k->addl_ticket.realm)
                    k->addl_ticket.realm = item_str(pinfo, fi);
                break;
            default:
                break;
            }
            continue;
        }
        switch (it->role) {
        case KF_KRB_TICKET:
            if (in_addl)
                break;
            if (!ticket) {
                ticket = fi;
                k->ticket.present = TRUE;
                kd_encdata e;
                if (encdata_of(fi, KD_TICKET_ENC_PART, &e)) {
                    k->ticket.etype = e.has_etype ? e.etype : k->ticket.etype;
                    k->ticket.kvno = e.has_kvno ? e.kvno : k->ticket.kvno;
                    k->ticket.cipher_hash = kd_encdata_cipher_hash(&e, KD_CIPHER_HASH_BYTES);
                }
            } else if (!in_ticket && n_boxes < G_N_ELEMENTS(boxes)) {
                boxes[n_boxes] = fi;
                box_roles[n_boxes++] = it->role;
            }
            break;
        case KF_KRB_ETYPE_INFO2: case KF_KRB_ETYPE_INFO:
            /* The etypes a KDC announces, from the entries' bytes. */
            if (n_boxes < G_N_ELEMENTS(boxes)) {
                boxes[n_boxes] = fi;
                box_roles[n_boxes++] = it->role;
                gint32 et;
                if (k->n_etype_info2 < KD_MAX_ETYPES && etype_info_etype(fi, &et))
                    k->etype_info2[k->n_etype_info2++] = et;
            }
            break;
        case KF_KRB_AS_REQ: case KF_KRB_AS_REP: case KF_KRB_TGS_REQ: case KF_KRB_TGS_REP:
        case KF_KRB_AP_REQ: case KF_KRB_AP_REP: case KF_KRB_ERROR_EL:
            if (n_boxes < G_N_ELEMENTS(boxes)) {
                boxes[n_boxes] = fi;
                box_roles[n_boxes++] = it->role;
            }
            break;
        case KF_KRB_MSG_TYPE:
            if (!in_nested && !have_msg_type) {
                have_msg_type = TRUE;
                k->msg_type = (gint32)item_int(fi);
            }
            break;
        case KF_KRB_CNAME:
            if (!in_ticket && !in_nested)
                k->cname = join_name(pinfo, k->cname, item_str(pinfo, fi));
            break;
        case KF_KRB_SNAME:
            if (in_ticket)
                k->ticket.sname = join_name(pinfo, k->ticket.sname, item_str(pinfo, fi));
            else if (!in_nested)
                k->sname = join_name(pinfo, k->sname, item_str(pinfo, fi));
            break;
        case KF_KRB_REALM:
            if (in_ticket) {
                if (!k->ticket.realm)
                    k->ticket.realm = item_str(pinfo, fi);
            } else if (!in_nested && !k->realm) {
                k->realm = item_str(pinfo, fi);
            }
            break;
        case KF_KRB_CREALM:
            if (!in_nested && !k->crealm)
                k->crealm = item_str(pinfo, fi);
            break;
        case KF_KRB_PADATA_TYPE:
            if (!in_ticket && !in_nested && k->n_padata < KD_MAX_PADATA)
                k->padata[k->n_padata++] = (gint32)item_int(fi);
            break;
        case KF_KRB_ETEXT:
            if (!in_nested && !k->e_text)
                k->e_text = item_str(pinfo, fi);
            break;
        case KF_KRB_NTSTATUS:
            if (!in_nested && !k->has_nt_status) {
                k->has_nt_status = TRUE;
                k->nt_status = (guint32)item_int(fi);
            }
            break;
        default:
            break;
        }
    }
    if (items[m].role == KF_KRB_ERROR_EL)
        fill_error(pinfo, msg, k);
}

/* ------------------------------------------------------------------- frame */

static void
obs_header(packet_info *pinfo, kd_obs *o)
{
    o->frame = pinfo->num;
    o->time_us = nstime_to_us(&pinfo->abs_ts);
    pinfo_addr(&pinfo->net_src, &o->src);
    pinfo_addr(&pinfo->net_dst, &o->dst);
    if (o->src.len == 0)
        pinfo_addr(&pinfo->src, &o->src);
    if (o->dst.len == 0)
        pinfo_addr(&pinfo->dst, &o->dst);
    o->sport = (guint16)pinfo->srcport;
    o->dport = (guint16)pinfo->destport;
    o->transport = pinfo->ptype == PT_TCP ? KD_TRANSPORT_TCP
                 : pinfo->ptype == PT_UDP ? KD_TRANSPORT_UDP : KD_TRANSPORT_OTHER;
}

static const char *
gss_str(packet_info *pinfo, const kd_gsskrb_str *s)
{
    return s->present ? safe_str(pinfo, s->s) : NULL;
}

static gint64
gss_time_us(gint64 secs, gboolean has_usec, gint32 usec)
{
    nstime_t t;
    t.secs = (time_t)CLAMP(secs, (gint64)G_MININT32, (gint64)G_MAXINT32 * 4);
    t.nsecs = has_usec && usec > 0 && usec < 1000000 ? usec * 1000 : 0;
    return nstime_to_us(&t);
}

/* The DCE/RPC PDU carrying the Kerberos message items[m]: the packet type and the
 * sec_trailer's auth level nearest before it in the same buffer (a verifier follows
 * its PDU header and trailer), else the frame's first ones. */
static void
rpc_carrier_of(const kd_item *items, guint n, guint m, kd_krb *k)
{
    gint64 ptype = -1, level = -1, any_ptype = -1, any_level = -1;
    for (guint i = 0; i < n; i++) {
        gboolean before = i < m && items[i].fi->ds_tvb == items[m].fi->ds_tvb;
        if (items[i].role == KF_DCERPC_PKT_TYPE) {
            any_ptype = any_ptype < 0 ? item_int(items[i].fi) : any_ptype;
            ptype = before ? item_int(items[i].fi) : ptype;
        } else if (items[i].role == KF_DCERPC_AUTH_LEVEL) {
            any_level = any_level < 0 ? item_int(items[i].fi) : any_level;
            level = before ? item_int(items[i].fi) : level;
        }
    }
    ptype = ptype >= 0 ? ptype : any_ptype;
    level = level >= 0 ? level : any_level;
    k->rpc_pkt_type = ptype >= 0 && ptype <= G_MAXUINT8 ? (guint8)ptype : 0;
    k->rpc_auth_level = level >= 0 && level <= G_MAXUINT8 ? (guint8)level : 0;
}

/* A DCE/RPC refusal (Fault, bind_nak, alter_context_resp) whose auth verifier holds a
 * Kerberos error Wireshark did not decode (4.0 does not dissect a Fault's verifier):
 * read the verifier's bytes and fill o with that KRB-ERROR. FALSE when there is none. */
static gboolean
verifier_krb_error(packet_info *pinfo, const kd_item *it, guint n, kd_obs *o)
{
    gint64 ptype = -1, auth_len = 0;
    const field_info *info = NULL;
    for (guint i = 0; i < n; i++) {
        switch (it[i].role) {
        case KF_DCERPC_PKT_TYPE:
            if (ptype < 0)
                ptype = item_int(it[i].fi);
            break;
        case KF_DCERPC_AUTH_LEN:
            if (auth_len == 0)
                auth_len = item_int(it[i].fi);
            break;
        case KF_DCERPC_AUTH_INFO:
            /* The visible item (the hidden one is empty and starts at the verifier). */
            if (!info && it[i].fi->length >= KD_DCERPC_SEC_TRAILER)
                info = it[i].fi;
            break;
        case KF_KRB_ERROR_EL:
            return FALSE;       /* Wireshark decoded it: the Kerberos loop has it */
        default:
            break;
        }
    }
    if (ptype != KD_DCERPC_FAULT && ptype != KD_DCERPC_BIND_NAK && ptype != KD_DCERPC_ALTER_RESP)
        return FALSE;
    if (!info || !info->ds_tvb || auth_len <= 0 || auth_len > KD_MAX_VERIFIER)
        return FALSE;
    gint start = info->start + KD_DCERPC_SEC_TRAILER;
    if (!tvb_bytes_exist(info->ds_tvb, start, (gint)auth_len))
        return FALSE;
    const guint8 *buf = tvb_memdup(pinfo->pool, info->ds_tvb, start, (size_t)auth_len);
    kd_gsskrb *g = wmem_new(pinfo->pool, kd_gsskrb);
    if (kd_gsskrb_parse(buf, (gsize)auth_len, g) != KD_GSSKRB_KRB_ERROR)
        return FALSE;
    kd_obs_init(o, KD_OBS_KRB);
    obs_header(pinfo, o);
    kd_krb *k = &o->u.krb;
    k->msg_type = KD_MSG_ERROR;
    k->carrier = KD_CARRIER_DCERPC;
    k->in_rpc_verifier = TRUE;
    k->rpc_pkt_type = (guint8)ptype;
    k->error_code = g->error_code;
    k->cname = gss_str(pinfo, &g->cname);
    k->crealm = gss_str(pinfo, &g->crealm);
    k->realm = gss_str(pinfo, &g->realm);
    k->sname = gss_str(pinfo, &g->sname);
    k->e_text = gss_str(pinfo, &g->etext);
    if (g->has_stime) {
        k->has_stime = TRUE;
        k->stime_us = gss_time_us(g->stime, g->has_susec, g->susec);
    }
    if (g->has_ctime) {
        k->has_ctime = TRUE;
        k->ctime_us = gss_time_us(g->ctime, g->has_cusec, g->cusec);
    }
    if (g->edata && g->edata_len > 0) {
        k->e_data = g->edata;       /* inside buf, which lives as long as the packet */
        k->e_data_len = MIN(g->edata_len, (gsize)KD_MAX_EDATA);
    }
    return TRUE;
}

/* Whether the SMB2 header holding this command is a response, read from the
 * header's bytes (MS-SMB2 2.2.1: protocol id 0xFE 'SMB', ..., command at offset
 * 12, credits, flags at 16; SERVER_TO_REDIR is flag 0x1) rather than asking for
 * smb2.flags.response, which every SMB2 frame carries. `otherwise` when the
 * bytes are not an SMB2 header. */
static gboolean
smb2_is_response(const field_info *cmd, gboolean otherwise)
{
    tvbuff_t *t = cmd->ds_tvb;
    gint h = cmd->start - 12;
    if (!t || h < 0 || !tvb_bytes_exist(t, h, 20) || tvb_get_ntohl(t, h) != 0xFE534D42u)
        return otherwise;
    return (tvb_get_letohl(t, h + 16) & 0x1) != 0;
}

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
    gint head = anchor->start;
    const gint lowest = MAX(0, anchor->start - KD_MAX_HTTP_HEAD);
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
    const gint limit = head + KD_MAX_HTTP_HEAD;
    for (gint off = head; off < limit && tvb_offset_exists(t, off);) {
        gint next;
        gint len = tvb_find_line_end(t, off, -1, &next, FALSE);
        if (len <= 0)
            break;                              /* empty line: end of the block */
        if (len >= 5 && tvb_strncaseeql(t, off, "host:", 5) == 0) {
            gint v = off + 5;
            while (v < off + len && (kd_tvb_get_u8(t, v) == ' ' || kd_tvb_get_u8(t, v) == '\t'))
                v++;
            gint vlen = MIN(off + len - v, KD_MAX_STR * 4);
            char *value = wmem_alloc(pinfo->pool, vlen + 1);
            tvb_memcpy(t, value, v, vlen);
            value[vlen] = '\0';
            return safe_str(pinfo, value);
        }
        if (next <= off)
            break;
        off = next;
    }
    return NULL;
}

/* A bounded, printable copy of bytes that should be text. */
static const char *
bytes_str(packet_info *pinfo, const guint8 *p, gsize len)
{
    return p ? safe_str(pinfo, wmem_strndup(pinfo->pool, (const char *)p, MIN(len, (gsize)KD_MAX_STR * 4))) : NULL;
}

/* An LDAP BindRequest or BindResponse, read from the bytes of its protocolOp item.
 * FALSE for any other operation. */
static gboolean
ldap_bind(packet_info *pinfo, const field_info *op, kd_obs *o)
{
    gint64 v = item_int((field_info *)op);
    tvbuff_t *t = op->ds_tvb;
    kd_ldap_bind_msg m;
    if ((v != KD_LDAP_OP_BIND_REQUEST && v != KD_LDAP_OP_BIND_RESPONSE) || !t || op->length <= 0 ||
        !tvb_bytes_exist(t, op->start, op->length) ||
        !kd_ldap_bind_parse(tvb_get_ptr(t, op->start, op->length), (gsize)op->length, &m))
        return FALSE;
    kd_obs_init(o, KD_OBS_LDAP_BIND);
    obs_header(pinfo, o);
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
kd_extract_frame(packet_info *pinfo, proto_tree *tree, kd_obs *obs)
{
    GArray *items = g_array_sized_new(FALSE, FALSE, sizeof(kd_item), 64);
    gboolean seen[KF_COUNT] = { FALSE };
    guint n_obs = 0;

    for (int r = 0; r < KF_COUNT && items->len < KD_MAX_ITEMS; r++) {
        for (guint i = 0; i < field_ids[r]->len; i++) {
            GPtrArray *a = proto_get_finfo_ptr_array(tree, g_array_index(field_ids[r], int, i));
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
    const kd_item *it = (const kd_item *)(void *)items->data;
    const guint n = items->len;

    /* Kerberos in HTTP travels in authentication headers (a KDC proxy's POST
     * carries a KDC exchange, and counts as one). */
    kd_carrier carrier = seen[KF_HTTP_AUTHZ] || seen[KF_HTTP_WWW_AUTH] ? KD_CARRIER_HTTP
                       : seen[KF_SMB2_CMD] ? KD_CARRIER_SMB2
                       : seen[KF_DCERPC_PKT_TYPE] ? KD_CARRIER_DCERPC
                       : seen[KF_LDAP_OP] ? KD_CARRIER_LDAP : KD_CARRIER_KDC;

    /* DNS: only answers with an alias (CNAME chains) or a reverse look-up's name matter. */
    if ((seen[KF_DNS_CNAME] || seen[KF_DNS_PTR]) && n_obs < KD_MAX_OBS_PER_FRAME) {
        kd_obs *o = &obs[n_obs];
        kd_obs_init(o, KD_OBS_DNS);
        obs_header(pinfo, o);
        kd_dns *d = &o->u.dns;
        for (guint i = 0; i < n; i++) {
            if (it[i].role == KF_DNS_RESP_NAME && d->n_answers < KD_MAX_DNS_ANSWERS) {
                d->answers[d->n_answers++].name = item_str(pinfo, it[i].fi);
            } else if (d->n_answers > 0 && it[i].role == KF_DNS_CNAME) {
                d->answers[d->n_answers - 1].cname = item_str(pinfo, it[i].fi);
            } else if (d->n_answers > 0 && it[i].role == KF_DNS_PTR) {
                d->answers[d->n_answers - 1].ptr = item_str(pinfo, it[i].fi);
            } else if (d->n_answers > 0 && (it[i].role == KF_DNS_A || it[i].role == KF_DNS_AAAA)) {
                item_addr(it[i].fi, &d->answers[d->n_answers - 1].addr);
            }
        }
        n_obs++;
    }

    /* HTTP with authentication headers: the carrier context comes before its tokens. */
    if ((seen[KF_HTTP_AUTHZ] || seen[KF_HTTP_WWW_AUTH]) && n_obs < KD_MAX_OBS_PER_FRAME) {
        kd_obs *o = &obs[n_obs];
        kd_obs_init(o, KD_OBS_HTTP);
        obs_header(pinfo, o);
        kd_http *h = &o->u.http;
        /* Authorization travels in requests, WWW-Authenticate in responses. */
        h->is_request = seen[KF_HTTP_AUTHZ];
        for (guint i = 0; i < n; i++) {
            switch (it[i].role) {
            case KF_HTTP_AUTHZ: case KF_HTTP_WWW_AUTH:
                if (h->auth == KD_AUTH_NONE) {
                    h->auth = auth_scheme(item_str(pinfo, it[i].fi));
                    /* Host only where it matters: read from the header block the
                     * authentication header sits in, rather than asking for
                     * http.host on every request. */
                    h->host = http_host(pinfo, it[i].fi);
                }
                break;
            default: break;
            }
        }
        n_obs++;
    }

    /* An ICMP error quotes the datagram it is about: a request to a KDC that does
     * not listen. Its quoted Kerberos message is not a new request. */
    field_info *icmp = NULL;
    for (guint i = 0; i < n; i++) {
        if (it[i].role == KF_ICMP_TYPE && item_int(it[i].fi) == 3)
            icmp = it[i].fi;
    }
    if (icmp) {
        /* The quoted IPv4 header starts 8 bytes after the ICMP type; read its
         * destination and the UDP destination port from the bytes themselves
         * (cheaper than asking for ip.dst and udp.dstport on every frame). */
        tvbuff_t *t = icmp->ds_tvb;
        gint ip = icmp->start + 8;
        if (t && n_obs < KD_MAX_OBS_PER_FRAME && tvb_bytes_exist(t, ip, 20) &&
            (kd_tvb_get_u8(t, ip) >> 4) == 4 && kd_tvb_get_u8(t, ip + 9) == 17 /* UDP */) {
            gint udp = ip + (kd_tvb_get_u8(t, ip) & 0x0f) * 4;
            if (tvb_bytes_exist(t, udp, 4) && tvb_get_ntohs(t, udp + 2) == KD_KERBEROS_PORT) {
                kd_obs *o = &obs[n_obs++];
                kd_obs_init(o, KD_OBS_TRANSPORT);
                obs_header(pinfo, o);
                o->u.net.event = KD_NET_ICMP_UNREACHABLE;
                o->u.net.kdc.len = 4;
                tvb_memcpy(t, o->u.net.kdc.bytes, ip + 16, 4);
            }
        }
        g_array_free(items, TRUE);
        return n_obs;
    }
    if (pinfo->ptype == PT_TCP && n_obs < KD_MAX_OBS_PER_FRAME) {
        /* TCP's expert items: a SYN without ACK to the KDC, a RST from it. */
        gboolean syn = seen[KF_TCP_SYN] && pinfo->destport == KD_KERBEROS_PORT;
        gboolean rst = seen[KF_TCP_RST] && pinfo->srcport == KD_KERBEROS_PORT;
        if (syn || rst) {
            kd_obs *o = &obs[n_obs++];
            kd_obs_init(o, KD_OBS_TRANSPORT);
            obs_header(pinfo, o);
            o->u.net.event = rst ? KD_NET_TCP_RESET : KD_NET_TCP_SYN;
            o->u.net.kdc = rst ? o->src : o->dst;
        }
        /* Connection facts the DCE/RPC rules weigh: a connection to the host's own
         * address, a segment the capture lost. */
        const kd_net_event facts[2] = { KD_NET_TCP_SELF_CONNECT, KD_NET_TCP_LOST_SEGMENT };
        const gboolean has_fact[2] = { seen[KF_TCP_SYN] && self_connection(pinfo),
                                       seen[KF_TCP_LOST] || seen[KF_TCP_ACK_LOST] };
        for (guint f = 0; f < G_N_ELEMENTS(facts) && n_obs < KD_MAX_OBS_PER_FRAME; f++) {
            if (!has_fact[f])
                continue;
            kd_obs *o = &obs[n_obs++];
            kd_obs_init(o, KD_OBS_TRANSPORT);
            obs_header(pinfo, o);
            o->u.net.event = facts[f];
        }
        /* Payload to the KDC that yields no Kerberos message (a segment whose
         * reassembly never completes): still a request on its
         * connection, which the KDC's answer on that connection answers. */
        gboolean payload = FALSE;
        gboolean krb = FALSE;
        for (guint i = 0; i < n; i++) {
            payload = payload || (it[i].role == KF_TCP_SEGMENT_DATA && it[i].fi->length > 0);
            krb = krb || is_krb_message(it[i].role);
        }
        if (payload && !krb && pinfo->destport == 88 && pinfo->srcport != 88 && n_obs < KD_MAX_OBS_PER_FRAME) {
            kd_obs *o = &obs[n_obs++];
            kd_obs_init(o, KD_OBS_TRANSPORT);
            obs_header(pinfo, o);
            o->u.net.event = KD_NET_TCP_PARTIAL_REQUEST;
            o->u.net.kdc = o->dst;
        }
    }

    /* Kerberos: every top-level message (an AP-REQ inside a TGS-REQ is part of it).
     * User-to-user GSS tokens (KERB-TGT-REQUEST / KERB-TGT-REPLY) have no message
     * element of their own in Wireshark's SPNEGO decoding: their msg-type, outside
     * every other Kerberos message, tells them. */
    for (guint i = 0; i < n && n_obs < KD_MAX_OBS_PER_FRAME; i++) {
        gint64 tgt_token = 0;
        if (it[i].role == KF_KRB_MSG_TYPE) {
            tgt_token = item_int(it[i].fi);
            if (tgt_token != KD_MSG_TGT_REQ && tgt_token != KD_MSG_TGT_REP)
                continue;
        } else if (!is_krb_message(it[i].role)) {
            continue;
        }
        gboolean nested = FALSE;
        for (guint j = 0; j < i && !nested; j++)
            nested = is_krb_message(it[j].role) && inside(it[i].fi, it[j].fi);
        if (nested)
            continue;
        kd_obs *o = &obs[n_obs++];
        kd_obs_init(o, KD_OBS_KRB);
        obs_header(pinfo, o);
        o->u.krb.carrier = carrier;
        if (tgt_token)
            o->u.krb.msg_type = (gint32)tgt_token;
        else
            fill_krb(pinfo, it, n, i, &o->u.krb);
        if (carrier == KD_CARRIER_DCERPC)
            rpc_carrier_of(it, n, i, &o->u.krb);
    }
    /* The ticket an AP-REQ presents to a service, decrypted (or not) with the user's
     * keytab. A TGS-REQ's TGT stays out: its AP-REQ is nested in the request. */
    if (seen[KF_KRB_DECRYPTED] || seen[KF_KRB_MISSING]) {
        const char *by = NULL;
        kd_decrypt d = ticket_decrypt(pinfo, it, n, &by);
        for (guint k = 0; k < n_obs; k++) {
            if (obs[k].kind == KD_OBS_KRB && obs[k].u.krb.msg_type == KD_MSG_AP_REQ && obs[k].u.krb.ticket.present) {
                obs[k].u.krb.ticket.decrypt = d;
                obs[k].u.krb.ticket.decrypted_by = by;
            }
        }
    }

    for (guint i = 0; i < n && n_obs < KD_MAX_OBS_PER_FRAME; i++) {
        if (it[i].role != KF_NTLMSSP_TYPE)
            continue;
        kd_obs *o = &obs[n_obs++];
        kd_obs_init(o, KD_OBS_NTLMSSP);
        obs_header(pinfo, o);
        o->u.ntlmssp.message_type = (guint32)item_int(it[i].fi);
        o->u.ntlmssp.carrier = carrier;
        /* The account of an AUTHENTICATE follows its type in the same buffer. */
        for (guint j = i + 1; j < n && it[j].role != KF_NTLMSSP_TYPE && it[j].fi->ds_tvb == it[i].fi->ds_tvb; j++) {
            if (it[j].role == KF_NTLMSSP_USER && !o->u.ntlmssp.user)
                o->u.ntlmssp.user = ntlm_str(pinfo, it[j].fi);
            else if (it[j].role == KF_NTLMSSP_DOMAIN && !o->u.ntlmssp.domain)
                o->u.ntlmssp.domain = ntlm_str(pinfo, it[j].fi);
        }
    }

    if (seen[KF_SMB2_STATUS] && seen[KF_SMB2_CMD] && n_obs < KD_MAX_OBS_PER_FRAME) {
        kd_obs *o = &obs[n_obs];
        kd_obs_init(o, KD_OBS_SMB2);
        obs_header(pinfo, o);
        /* The last header of the frame (a compound frame holds several). */
        for (guint i = 0; i < n; i++) {
            switch (it[i].role) {
            case KF_SMB2_CMD:
                o->u.smb2.cmd = (guint16)item_int(it[i].fi);
                o->u.smb2.is_response = smb2_is_response(it[i].fi, o->u.smb2.is_response);
                break;
            case KF_SMB2_STATUS: o->u.smb2.nt_status = (guint32)item_int(it[i].fi); break;
            default: break;
            }
        }
        /* Only a failed SESSION_SETUP answer is a sign of an authentication failure. */
        if (o->u.smb2.is_response && o->u.smb2.cmd == 1 && o->u.smb2.nt_status != 0)
            n_obs++;
    }

    /* The Kerberos error inside a refusal's verifier comes before the refusal itself,
     * as it would if Wireshark had decoded it. */
    if (seen[KF_DCERPC_AUTH_INFO] && seen[KF_DCERPC_PKT_TYPE] && n_obs < KD_MAX_OBS_PER_FRAME &&
        verifier_krb_error(pinfo, it, n, &obs[n_obs]))
        n_obs++;

    if ((seen[KF_DCERPC_STATUS] || seen[KF_DCERPC_REJECT]) && n_obs < KD_MAX_OBS_PER_FRAME) {
        kd_obs *o = &obs[n_obs++];
        kd_obs_init(o, KD_OBS_DCERPC);
        obs_header(pinfo, o);
        for (guint i = 0; i < n; i++) {
            switch (it[i].role) {
            case KF_DCERPC_PKT_TYPE: o->u.dcerpc.pkt_type = (guint8)item_int(it[i].fi); break;
            case KF_DCERPC_STATUS:
                o->u.dcerpc.has_status = TRUE;
                o->u.dcerpc.status = (guint32)item_int(it[i].fi);
                break;
            case KF_DCERPC_REJECT: o->u.dcerpc.status = (guint32)item_int(it[i].fi); break;
            case KF_DCERPC_AUTH_TYPE: o->u.dcerpc.auth_type = (guint8)item_int(it[i].fi); break;
            case KF_DCERPC_AUTH_LEVEL: o->u.dcerpc.auth_level = (guint8)item_int(it[i].fi); break;
            case KF_DCERPC_OPNUM: o->u.dcerpc.opnum = (gint32)item_int(it[i].fi); break;
            default: break;
            }
        }
    }

    if (seen[KF_DCOM_ADDR] && n_obs < KD_MAX_OBS_PER_FRAME) {
        kd_obs *o = &obs[n_obs++];
        kd_obs_init(o, KD_OBS_DCOM_ALIVE2);
        obs_header(pinfo, o);
        for (guint i = 0; i < n && o->u.alive2.n_addrs < KD_MAX_BINDINGS; i++) {
            if (it[i].role != KF_DCOM_ADDR)
                continue;
            const char *s = item_str(pinfo, it[i].fi);
            if (!s)
                continue;
            /* OBJREF resolver bindings read "host[port]". */
            char *addr = wmem_strdup(pinfo->pool, s);
            char *br = strchr(addr, '[');
            if (br)
                *br = '\0';
            o->u.alive2.addrs[o->u.alive2.n_addrs++] = addr;
        }
    }

    for (guint i = 0; i < n && n_obs < KD_MAX_OBS_PER_FRAME; i++) {
        if (it[i].role != KF_LDAP_ENTRY)
            continue;
        kd_obs *o = &obs[n_obs];
        kd_obs_init(o, KD_OBS_LDAP_ENTRY);
        obs_header(pinfo, o);
        kd_ldap_entry *e = &o->u.ldap;
        const char *attr = NULL;
        for (guint j = i + 1; j < n && inside(it[j].fi, it[i].fi); j++) {
            switch (it[j].role) {
            case KF_LDAP_DN: if (!e->dn) e->dn = item_str(pinfo, it[j].fi); break;
            case KF_LDAP_TYPE: attr = item_str(pinfo, it[j].fi); break;
            case KF_LDAP_VALUE:
                if (attr && g_ascii_strcasecmp(attr, "servicePrincipalName") == 0 && e->n_spns < KD_MAX_LDAP_VALUES)
                    e->spns[e->n_spns++] = item_str(pinfo, it[j].fi);
                else if (attr && g_ascii_strcasecmp(attr, "sAMAccountName") == 0 && !e->sam_account_name)
                    e->sam_account_name = item_str(pinfo, it[j].fi);
                break;
            default: break;
            }
        }
        if (e->n_spns)
            n_obs++;
    }

    for (guint i = 0; i < n && n_obs < KD_MAX_OBS_PER_FRAME; i++) {
        if (it[i].role == KF_LDAP_OP && ldap_bind(pinfo, it[i].fi, &obs[n_obs]))
            n_obs++;
    }

    g_array_free(items, TRUE);
    return n_obs;
}

/* ------------------------------------------------------------------- names */

const char *
kd_error_name(gint32 code)
{
    static char buf[64];
    const char *vs = error_code_vals ? try_val_to_str(code, error_code_vals) : NULL;
    if (!vs) {
        g_snprintf(buf, sizeof buf, "Kerberos error %d", code);
        return buf;
    }
    /* Wireshark's ASN.1 names read "eRR-PREAUTH-FAILED"; the RFC's read
     * KDC_ERR_PREAUTH_FAILED: the class prefix follows from the code. */
    const char *stem = vs;
    if (g_str_has_prefix(stem, "eRROR-"))
        stem += 6;
    else if (g_str_has_prefix(stem, "eRR-"))
        stem += 4;
    const char *prefix = "KDC_ERR_";
    if ((code >= 31 && code <= 50) || code == 67 || code == 69)
        prefix = "KRB_AP_ERR_";
    else if (code == 51)
        prefix = "KRB_AP_";
    else if (code == 52 || code == 60 || code == 61)
        prefix = "KRB_ERR_";
    g_snprintf(buf, sizeof buf, "%s%s", prefix, stem);
    for (char *p = buf; *p; p++)
        *p = *p == '-' ? '_' : g_ascii_toupper(*p);
    return buf;
}

const char *
kd_ntstatus_name(guint32 status)
{
    static char buf[64];
    const char *vs = ntstatus_vals_ext ? try_val_to_str_ext(status, ntstatus_vals_ext) : NULL;
    if (vs)
        g_strlcpy(buf, vs, sizeof buf);
    else
        g_snprintf(buf, sizeof buf, "status 0x%08X", status);
    return buf;
}

const char *
kd_etype_name(gint32 etype)
{
    static char buf[64];
    /* -1 is the observations' "absent": say so instead of printing -1. */
    if (etype == -1)
        return "unknown";      /* read from the bytes: every Wireshark version has it */
    const char *vs = etype_vals ? try_val_to_str(etype, etype_vals) : NULL;
    if (!vs)
        return NULL;
    if (g_str_has_prefix(vs, "eTYPE-"))
        vs += 6;
    g_strlcpy(buf, vs, sizeof buf);
    for (char *p = buf; *p; p++)
        *p = g_ascii_tolower(*p);
    return buf;
}
