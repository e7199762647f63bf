/* kd_fields.c
 * The fields krbdiag reads from other dissectors: their names in every
 * Wireshark version krbdiag supports, their hf ids, and the test, on every
 * frame, of whether a frame carries any of them.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
/* Log lines read "[krbdiag ...]" */
#define WS_LOG_DOMAIN "krbdiag"

#include "kd_extract_int.h"
#include "kd_ippkt.h"
#include "kd_pending.h"

#include <stdlib.h>
#include <string.h>

/* A role's field name, and the names the same field has in other Wireshark
 * versions krbdiag supports. Every name this Wireshark registers is read (4.6
 * split kerberos.enc_part_element into one field per kind of enc-part; byte
 * ranges, not names, place them). A role none of whose names exists is
 * reported once at start-up. A role without a name is read from the frame's own
 * IP, TCP or ICMP header (header_roles). */
#define KD_FIELD_MAX_OTHER_NAMES 5

typedef struct {
    const char *name;
    gboolean trigger;   /* its presence makes the frame worth reading */
    const char *other_names[KD_FIELD_MAX_OTHER_NAMES];
} kd_field_def;

/* Roles that matter only while a rarer exchange is open: they are wanted from the
 * frame that opens it (kd_extract_open) until its answer (kd_extract_answered), not
 * from the start of the capture. A 400 that matters answers a request with an
 * Authorization header; a segment of a request to the KDC that may never complete
 * comes between the KDC's SYN-ACK (itself wanted while a SYN to port 88 waits) and
 * the connection's first payload, or the KDC's answer or reset; an ICMP unreachable
 * answers a request to port 88 over UDP. While a late field is wanted, every frame
 * that carries it builds its item and is looked at: the shorter the window, the
 * cheaper. DCOM's address list (a DUALSTRINGARRAY) comes in the answer to a DCE/RPC
 * call (an activation, an OXID resolution, ServerAlive2): its field is wanted from a
 * request until the last fragment of an answer on that connection. A header role
 * (read from the frame's bytes, marked before no frame) is read only while it is
 * wanted: the findings stay those of the windows. The roles wanted on other
 * conditions (the KDC's reset, TCP's lost segments) are in late_role_wanted. */
#define KD_ROLE_BIT(r) ((guint32)1 << (r))
static const guint32 late_roles = KD_ROLE_BIT(KF_HTTP_RESPONSE_CODE) | KD_ROLE_BIT(KF_TCP_PAYLOAD_LEN) |
                                  KD_ROLE_BIT(KF_TCP_SYNACK) | KD_ROLE_BIT(KF_ICMP_TYPE) | KD_ROLE_BIT(KF_DCOM_ADDR);

static const kd_field_def field_defs[KF_COUNT] = {
    /* Each message's msg-type marks where the message is: its [APPLICATION n] TLV
     * starts a few header bytes before (kd_extract_krb.c); kd_krbmsg.c reads names,
     * realms, PA-DATA, ETYPE-INFO, e-text, the ticket and the error from the
     * message's bytes. Asking for those fields instead (a dozen, with several
     * registrations each) marked them before every frame and built their items on
     * every Kerberos frame; asking for the Kerberos protocol item too marked one
     * more. Also the floor's field. A user-to-user token (KERB-TGT-REQUEST/REPLY)
     * is no message, only its msg-type. */
    [KF_KRB_MSG_TYPE]    = { "kerberos.msg_type", TRUE, { NULL } },
    /* A KRB-ERROR's error code, times and e-data are read from its bytes. */
    [KF_HTTP_AUTHZ]      = { "http.authorization", TRUE, { NULL } },
    [KF_HTTP_WWW_AUTH]   = { "http.www_authenticate", TRUE, { NULL } },
    /* On every HTTP response, but only a 400 makes the frame worth reading (a web
     * server refusing an oversized Negotiate header); FT_UINT16 in 4.0, FT_UINT24
     * from 4.4 on, the same name. (Wireshark 4.2 and later fake top-level protocol
     * items too, so the status line cannot be read from the HTTP item unasked.) */
    [KF_HTTP_RESPONSE_CODE] = { "http.response.code", TRUE, { NULL } },
    /* An AUTHENTICATE's domain, user and target name (MsvAvTargetName, the SPN the
     * client names: "cifs/10.0.0.5") are read from the message's bytes, which start
     * 8 bytes (the signature) before its type (kd_ntlmauth.c). */
    [KF_NTLMSSP_TYPE]    = { "ntlmssp.messagetype", TRUE, { NULL } },
    /* The DCE/RPC protocol item covers one connection-oriented PDU: its type,
     * status or reject reason, and sec_trailer (auth type and level, where the
     * verifier starts) are read from its bytes (kd_extract_rpc.c), instead of
     * seven fields marked before every frame. A refusal (Fault, bind_nak) makes
     * the frame worth reading. */
    [KF_DCERPC_PDU]      = { "dcerpc", TRUE, { NULL } },
    /* The SMB2 protocol item starts at each PDU's header (the carrier of a session
     * set-up's token): command, status and flags are read from its bytes
     * (kd_smb2_header_read); only a refusal makes the frame worth reading. */
    [KF_SMB2_PDU]        = { "smb2", TRUE, { NULL } },
    /* Header roles, read from the frame's bytes (kd_ippkt.h) on the few frames they
     * can matter on (to or from port 88), instead of TCP's SYN-ACK and reset items,
     * tcp.len and icmp.type: each of those was marked before every frame while it was
     * wanted, and tcp.len built an item on every TCP segment.
     * An unreachable quoting a request to port 88 over UDP: read while such a request
     * waits for the KDC's answer (kd_read_icmp). */
    [KF_ICMP_TYPE]       = { NULL, TRUE, { NULL } },
    /* A SYN (without ACK) to port 88 or to the host's own address. A field, not a
     * header role: a host's connections to itself are every frame of a loopback
     * capture, and TCP's SYN item is on SYN segments only, whereas finding each
     * frame's headers costs more than marking one id. Every wanted field costs on
     * every frame that has it: not tcp.flags (on every TCP segment). */
    [KF_TCP_SYN]         = { "tcp.connection.syn", TRUE, { NULL } },
    /* The KDC's reset, only while a connection attempt to it waits
     * (late_role_wanted). */
    [KF_TCP_RST]         = { NULL, TRUE, { NULL } },
    [KF_DCOM_ADDR]       = { "dcom.dualstringarray.network_addr", TRUE, { NULL } },
    /* A segment's payload length: towards port 88, payload without a Kerberos item
     * is a request whose message never completes. Read only while a connection to
     * the KDC waits for its request. */
    [KF_TCP_PAYLOAD_LEN] = { NULL, TRUE, { NULL } },
    /* The KDC accepting a connection (the SYN-ACK): read only while a SYN to port 88
     * waits; from it on, the connection's segments are read. */
    [KF_TCP_SYNACK]      = { NULL, TRUE, { NULL } },
    /* The DNS protocol item covers one DNS message (after the 2-byte length over
     * TCP): an answer's records are read from its bytes (kd_dnsmsg.c). Only DNS
     * frames carry it. */
    [KF_DNS_MSG]         = { "dns", TRUE, { NULL } },
    /* An LDAP operation: binds (requests and answers) and search result entries are
     * read from its bytes, which hold the whole [APPLICATION n] element (4.0, 4.4,
     * 4.6 alike); only those operations make the frame relevant. One field rather
     * than one per operation: each wanted id is marked before every frame. */
    [KF_LDAP_OP]         = { "ldap.protocolOp", TRUE, { NULL } },
    /* TCP's expert items, present only on the segment after a gap (or on the one
     * acknowledging data the capture never saw): rare, so wanting them is cheap. */
    [KF_TCP_LOST]        = { "tcp.analysis.lost_segment", TRUE, { NULL } },
    [KF_TCP_ACK_LOST]    = { "tcp.analysis.ack_lost_segment", TRUE, { NULL } },
    /* Expert items, present only when the user loaded a keytab and turned decryption
     * on (same names in 4.0, 4.4, 4.6): no cost on other captures. */
    [KF_KRB_DECRYPTED]   = { "kerberos.decrypted_keytype", FALSE, { NULL } },
    [KF_KRB_MISSING]     = { "kerberos.missing_keytype", FALSE, { NULL } },
};

/* Every hf id registered under each name (names can be registered several times). */
static GArray *field_ids[KF_COUNT];

/* The hf ids of the trigger fields, in one short array: the relevance test looks
 * each up on every frame that carries any wanted field. */
typedef struct {
    int id;
    kd_field_role role;
} kd_trigger;
static kd_trigger *triggers;
static guint n_triggers;

const GArray *
kd_field_ids(kd_field_role role)
{
    return field_ids[role];
}

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

/* Resolve every name of role r into field_ids[r] (and wanted); the names found go
 * to `read`. FALSE when this Wireshark registers none of them. */
static gboolean
resolve_role(int r, GArray *wanted, GString *read, gboolean report)
{
    if (field_ids[r])
        g_array_free(field_ids[r], TRUE);
    field_ids[r] = g_array_new(FALSE, FALSE, sizeof(int));
    if (!field_defs[r].name)
        return TRUE;    /* a header role: no field */
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
    gboolean missing = field_ids[r]->len == 0;
    /* A renamed field must show at start-up, not as a wrong or empty finding later. */
    if (missing && report)
        ws_warning("krbdiag: Wireshark %s registers no field %s; krbdiag reports what it would read "
                   "there as unavailable", KD_WS_VERSION_STR, tried->str);
    g_string_free(tried, TRUE);
    return !missing;
}

static gboolean
is_late(int r)
{
    return (late_roles & KD_ROLE_BIT(r)) != 0;
}

/* Expert items of Wireshark's own ticket decryption: present only when its Kerberos
 * preferences turn decryption on. */
static gboolean
is_decryption_role(int r)
{
    return r == KF_KRB_DECRYPTED || r == KF_KRB_MISSING;
}

/* ------------------------------------------------------------- late fields
 * A late field is wanted while an exchange that needs it waits (kd_pending.h): a
 * request with an Authorization header until its connection answers, a connection
 * to the KDC until the KDC answers or resets it. */
static dissector_handle_t wanting_handle;
static gboolean decrypting;
static kd_pending waiting;
/* A whole request to the KDC came on a connection whose SYN-ACK the capture did
 * not show (it began before the capture, or the capture holds one direction or
 * no handshakes): from then on, every segment to port 88 is read, as no window
 * can be known. */
static gboolean segments_always;
/* An AP-REP came in a DCE/RPC bind_ack or alter_context_resp. A segment the capture
 * lost matters only after such an AP-REP on its connection (the DCE/RPC rules weigh
 * it against a later message-check failure; every AP-REP forgets earlier gaps): TCP
 * analysis's lost-segment items are wanted from the frame after the first one. */
static gboolean gaps_matter;
/* Registrations of every role together: a name is registered once or a few times. */
#define KD_MAX_WANTED_IDS 64
/* The roles in the wanted list, and in the list this frame was primed with (the
 * list as it stood when the frame began: a change made while reading a frame
 * takes effect from the next one). */
G_STATIC_ASSERT(KF_COUNT <= KD_PENDING_KINDS);
static guint32 wanted_roles, primed_roles;
/* Wireshark has the ids of wanted_roles (FALSE: set them whatever changed). */
static gboolean wanted_ids_set;
/* The roles read from the frame's own headers (kd_ippkt.h), not from fields. */
static const guint32 header_roles = KD_ROLE_BIT(KF_TCP_SYNACK) | KD_ROLE_BIT(KF_TCP_RST) |
                                    KD_ROLE_BIT(KF_TCP_PAYLOAD_LEN) | KD_ROLE_BIT(KF_ICMP_TYPE);

/* Whether role r is wanted now: every role but a late one no waiting exchange needs.
 * A KDC's reset matters only to a connection attempt that has not carried its
 * request yet (the transport rules ignore any other): wanted while a SYN waits for
 * its SYN-ACK or an accepted connection for its first payload, and never opened on
 * its own. */
static gboolean
late_role_wanted(int r)
{
    if (r == KF_TCP_RST)
        return kd_pending_waits(&waiting, KF_TCP_SYNACK) || kd_pending_waits(&waiting, KF_TCP_PAYLOAD_LEN);
    if (r == KF_TCP_PAYLOAD_LEN && segments_always)
        return TRUE;
    if (r == KF_TCP_LOST || r == KF_TCP_ACK_LOST)
        return gaps_matter;
    return !is_late(r) || kd_pending_waits(&waiting, (guint)r);
}

/* The wanted list: every role but the late ones no waiting exchange needs (and
 * Wireshark's decryption items while decryption is off). */
static void
set_wanted(void)
{
    /* Called at every change of a late role (twice per authenticated HTTP request,
     * per DCE/RPC call, per connection to the KDC). A change of header roles only
     * changes no field, and leaves Wireshark's list as it is. */
    const guint32 before = wanted_roles;
    wanted_roles = 0;
    for (int r = 0; r < KF_COUNT; r++) {
        if (late_role_wanted(r) && (!is_decryption_role(r) || decrypting))
            wanted_roles |= KD_ROLE_BIT(r);
    }
    if (wanted_ids_set && ((before ^ wanted_roles) & ~header_roles) == 0)
        return;
    wanted_ids_set = TRUE;
    /* The ids go to a buffer first, then into the array in one append. */
    int ids[KD_MAX_WANTED_IDS];
    guint n = 0;
    for (int r = 0; r < KF_COUNT; r++) {
        for (guint i = 0; (wanted_roles & KD_ROLE_BIT(r)) && i < field_ids[r]->len && n < G_N_ELEMENTS(ids); i++)
            ids[n++] = g_array_index(field_ids[r], int, i);
    }
    GArray *wanted = g_array_sized_new(FALSE, FALSE, sizeof(int), n);
    g_array_append_vals(wanted, ids, n);
    /* Takes the array; the one it replaces was used to prime this frame, already done. */
    set_postdissector_wanted_hfids(wanting_handle, wanted);
}

/* The frame's connection as an exchange of role r: the frame is the client's
 * (from_client) or the server's. */
static void
exchange_of(const packet_info *pinfo, kd_field_role r, gboolean from_client, kd_pending_exchange *e)
{
    e->kind = (guint)r;
    kd_pinfo_addr(from_client ? &pinfo->src : &pinfo->dst, &e->client);
    kd_pinfo_addr(from_client ? &pinfo->dst : &pinfo->src, &e->server);
    e->client_port = (guint16)(from_client ? pinfo->srcport : pinfo->destport);
    e->server_port = (guint16)(from_client ? pinfo->destport : pinfo->srcport);
    e->opened_s = (gint64)pinfo->abs_ts.secs;
}

static void
open_exchange(kd_field_role r, const packet_info *pinfo, gboolean from_client)
{
    if (!wanting_handle || !is_late(r))
        return;
    kd_pending_exchange e;
    exchange_of(pinfo, r, from_client, &e);
    if (kd_pending_open(&waiting, &e))
        set_wanted();
}

void
kd_extract_open(kd_field_role r, const packet_info *pinfo)
{
    open_exchange(r, pinfo, TRUE);
}

void
kd_extract_open_by_server(kd_field_role r, const packet_info *pinfo)
{
    open_exchange(r, pinfo, FALSE);
}

static void
close_exchange(kd_field_role r, const packet_info *pinfo, gboolean from_client)
{
    if (!kd_pending_waits(&waiting, (guint)r))
        return;
    kd_pending_exchange e;
    exchange_of(pinfo, r, from_client, &e);
    if (kd_pending_close(&waiting, &e))
        set_wanted();
}

void
kd_extract_answered(kd_field_role r, const packet_info *pinfo)
{
    close_exchange(r, pinfo, FALSE);
}

void
kd_extract_request_complete(const packet_info *pinfo)
{
    kd_pending_exchange e;
    exchange_of(pinfo, KF_TCP_PAYLOAD_LEN, TRUE, &e);
    if (kd_pending_has(&waiting, &e)) {
        close_exchange(KF_TCP_PAYLOAD_LEN, pinfo, TRUE);
    } else if (!segments_always && wanting_handle) {
        segments_always = TRUE;
        set_wanted();
    }
}

void
kd_extract_request_partial(const packet_info *pinfo)
{
    /* Only this connection's wait ends: a piece of a request never turns on reading
     * every segment (kd_extract_request_complete does, for a whole one). Its later
     * pieces add nothing: the store counts one request per connection. */
    close_exchange(KF_TCP_PAYLOAD_LEN, pinfo, TRUE);
}

void
kd_extract_rpc_pdu(const packet_info *pinfo, const kd_rpc_pdu *p)
{
    /* One call waits per connection: DCOM's calls that return an address list are
     * made one at a time (the client needs the answer to go on). */
    if (p->ptype == DCERPC_PKT_REQUEST)
        open_exchange(KF_DCOM_ADDR, pinfo, TRUE);
    else if ((p->ptype == DCERPC_PKT_RESPONSE || p->ptype == DCERPC_PKT_FAULT) && (p->flags & DCERPC_PFC_LAST_FRAG))
        close_exchange(KF_DCOM_ADDR, pinfo, FALSE);
}

void
kd_extract_rpc_ap_reply(void)
{
    if (!gaps_matter && wanting_handle) {
        gaps_matter = TRUE;
        set_wanted();
    }
}

/* The capture second the waiting exchanges were last checked at. Exchanges expire
 * by whole seconds, and one opened since was opened at that second: within one
 * second the answer cannot change (a dense capture has thousands of frames a second). */
static gint64 checked_s;
static gboolean checked_any;

/* Each frame, first pass: exchanges open too long (in capture time) close. */
static inline void
extract_tick(const packet_info *pinfo)
{
    const gint64 now_s = (gint64)pinfo->abs_ts.secs;
    if (!waiting.n || (checked_any && now_s == checked_s))
        return;
    checked_s = now_s;
    checked_any = TRUE;
    if (kd_pending_expire(&waiting, now_s))
        set_wanted();
}

void
kd_extract_reset(gboolean decryption_on)
{
    gboolean changed = decrypting != decryption_on || waiting.n > 0 || segments_always || gaps_matter;
    decrypting = decryption_on;
    segments_always = FALSE;
    gaps_matter = FALSE;
    checked_any = FALSE;
    kd_pending_clear(&waiting);
    if (changed && wanting_handle)
        set_wanted();
}

void
kd_extract_init(dissector_handle_t handle)
{
    static gboolean reported;
    GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));
    GString *read = g_string_new(NULL);
    GArray *trig = g_array_new(FALSE, FALSE, sizeof(kd_trigger));
    for (int r = 0; r < KF_COUNT; r++) {
        resolve_role(r, wanted, read, !reported);
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
    g_array_free(wanted, TRUE);
    wanting_handle = handle;
    kd_pending_clear(&waiting);
    segments_always = FALSE;
    gaps_matter = FALSE;
    wanted_ids_set = FALSE;
    set_wanted();
}

/* The roles whose items the frame being read can use (set by the relevance test). */
static guint32 frame_roles;

static gboolean
field_readable(kd_field_role r)
{
    return (frame_roles & KD_ROLE_BIT(r)) != 0;
}

guint32
kd_readable_roles(void)
{
    return frame_roles;
}

/* A frame an ICMP error about a datagram to port 88 can be: Wireshark 4.0 leaves
 * the quoted datagram's transport and ports (UDP to 88), 4.4 and 4.6 none. */
static inline gboolean
icmp_error_frame(const packet_info *pinfo)
{
    return pinfo->ptype == PT_NONE || (pinfo->ptype == PT_UDP && pinfo->destport == KERBEROS_PORT);
}

/* What the frame's addresses and ports alone tell of the triggers: the roles whose
 * items could matter on this frame (the others are not even looked up), among
 * those the frame was primed with. Items of a role krbdiag did not ask for on this
 * frame are there only for someone else (a display filter): findings must not
 * depend on them. One mask per frame rather than a test per trigger. */
static guint32
roles_that_may_matter(const packet_info *pinfo)
{
    const guint32 port_gated = header_roles | KD_ROLE_BIT(KF_TCP_SYN) | KD_ROLE_BIT(KF_TCP_LOST) |
                               KD_ROLE_BIT(KF_TCP_ACK_LOST) | KD_ROLE_BIT(KF_DNS_MSG);
    /* HTTP/1.x authenticates over TCP only (SSDP's HTTP over UDP carries no
     * Negotiate): not looked up on DNS, Kerberos-over-UDP or LDAP-over-UDP frames. */
    const guint32 over_tcp = KD_ROLE_BIT(KF_HTTP_AUTHZ) | KD_ROLE_BIT(KF_HTTP_WWW_AUTH) |
                             KD_ROLE_BIT(KF_HTTP_RESPONSE_CODE);
    gboolean tcp = pinfo->ptype == PT_TCP;
    guint32 may = primed_roles & ~port_gated & (tcp ? ~0u : ~over_tcp);
    /* A KDC that refuses (RST) or never answers (SYN after SYN), or accepts (SYN-ACK):
     * only the Kerberos port; and a host connecting to its own address (DCOM sent to a
     * shared one). */
    if (tcp && (pinfo->destport == KERBEROS_PORT || kd_self_connection(pinfo)))
        may |= KD_ROLE_BIT(KF_TCP_SYN);
    if (tcp && pinfo->srcport == KERBEROS_PORT)
        may |= KD_ROLE_BIT(KF_TCP_RST) | KD_ROLE_BIT(KF_TCP_SYNACK);
    if (tcp)
        may |= KD_ROLE_BIT(KF_TCP_LOST) | KD_ROLE_BIT(KF_TCP_ACK_LOST);
    /* Payload towards the KDC, even when no Kerberos message can be read from it. */
    if (tcp && pinfo->destport == KERBEROS_PORT)
        may |= KD_ROLE_BIT(KF_TCP_PAYLOAD_LEN);
    if (icmp_error_frame(pinfo))
        may |= KD_ROLE_BIT(KF_ICMP_TYPE);
    /* A DNS answer (from the server's port): its records are read from its bytes. */
    if (pinfo->srcport == DNS_PORT)
        may |= KD_ROLE_BIT(KF_DNS_MSG);
    return may & primed_roles;
}

/* Some trigger fields are everywhere in their protocol; only some values matter. */
static gboolean
trigger_value_matters(const packet_info *pinfo, kd_field_role r, GPtrArray *a)
{
    for (guint j = 0; j < a->len; j++) {
        field_info *fi = g_ptr_array_index(a, j);
        if (!fi)
            continue;
        switch (r) {
        case KF_SMB2_PDU: {
            kd_smb2_header h;
            /* Not a failure: a request, success, an interim answer, the next leg of a
             * session set-up. */
            if (kd_smb2_header_read(fi, &h) && h.is_response && h.nt_status != STATUS_SUCCESS &&
                h.nt_status != STATUS_PENDING && h.nt_status != STATUS_MORE_PROCESSING_REQUIRED)
                return TRUE;
            break;
        }
        case KF_HTTP_RESPONSE_CODE:
            if (fvalue_get_uinteger(kd_fi_value(fi)) == KD_HTTP_BAD_REQUEST)
                return TRUE;
            break;
        case KF_DCERPC_PDU: {
            kd_rpc_pdu p;
            if (!kd_rpc_pdu_read(fi, &p))
                break;
            /* A refusal makes the frame worth reading (which reads every PDU of it
             * again); otherwise every PDU is read here, for DCOM's late field. */
            if (p.ptype == DCERPC_PKT_FAULT || p.ptype == DCERPC_PKT_BIND_NAK)
                return TRUE;
            kd_extract_rpc_pdu(pinfo, &p);
            break;
        }
        case KF_LDAP_OP: {
            guint32 op = fvalue_get_uinteger(kd_fi_value(fi));
            if (op <= KD_LDAP_OP_BIND_RESPONSE || op == KD_LDAP_OP_SEARCH_RES_ENTRY)
                return TRUE;
            break;
        }
        default:
            return TRUE;
        }
    }
    return FALSE;
}

/* An HTTP response on a connection whose request with an Authorization header is
 * open answers it (whether or not the response itself matters). */
static void
note_http_answer(packet_info *pinfo, proto_tree *tree)
{
    const GArray *ids = field_ids[KF_HTTP_RESPONSE_CODE];
    for (guint i = 0; field_readable(KF_HTTP_RESPONSE_CODE) && kd_pending_waits(&waiting, KF_HTTP_RESPONSE_CODE) &&
                      i < ids->len; i++) {
        GPtrArray *a = proto_get_finfo_ptr_array(tree, g_array_index(ids, int, i));
        if (a && a->len)
            kd_extract_answered(KF_HTTP_RESPONSE_CODE, pinfo);
    }
}

/* What the frame's own headers told (set by the relevance test). */
static struct {
    guint32 frame;
    guint32 roles;          /* header roles present */
    guint8 ip_proto;        /* the IP packet's protocol; 0 when not read */
    kd_addr icmp_kdc;       /* an unreachable's quoted destination */
} header;

gboolean
kd_header_has(const packet_info *pinfo, kd_field_role r)
{
    return header.frame == pinfo->num && (header.roles & KD_ROLE_BIT(r)) != 0;
}

const kd_addr *
kd_header_icmp_kdc(const packet_info *pinfo)
{
    return kd_header_has(pinfo, KF_ICMP_TYPE) ? &header.icmp_kdc : NULL;
}

guint8
kd_header_ip_proto(const packet_info *pinfo)
{
    return header.frame == pinfo->num ? header.ip_proto : 0;
}

/* The header roles present on a frame whose ports let them matter (may): a SYN-ACK,
 * a reset, a segment with payload, an ICMP unreachable for a UDP datagram to port
 * 88. Addresses and ports as the frame's dissection left them find its IP header;
 * where the last one was is tried first (a capture's link layer seldom changes). */
static guint32
read_header_roles(tvbuff_t *tvb, const packet_info *pinfo, guint32 may)
{
    kd_addr src, dst;
    kd_pinfo_ends(pinfo, &src, &dst);
    const guint len = tvb_captured_length(tvb);
    const guint8 *p = len ? tvb_get_ptr(tvb, 0, len) : NULL;
    guint32 roles = 0;
    static gsize ip_at;
    kd_ip_packet ip;
    if (!kd_ip_packet_find(p, len, tvb_reported_length(tvb), &src, &dst, &ip_at, &ip))
        return 0;
    header.ip_proto = ip.proto;
    kd_tcp_segment seg;
    if ((may & ~KD_ROLE_BIT(KF_ICMP_TYPE)) &&
        kd_tcp_segment_read(p, len, &ip, (guint16)pinfo->srcport, (guint16)pinfo->destport, &seg)) {
        const gboolean syn_ack = (seg.flags & (KD_TCP_FLAG_SYN | KD_TCP_FLAG_ACK)) == (KD_TCP_FLAG_SYN | KD_TCP_FLAG_ACK);
        roles |= (syn_ack ? KD_ROLE_BIT(KF_TCP_SYNACK) : 0) | (seg.flags & KD_TCP_FLAG_RST ? KD_ROLE_BIT(KF_TCP_RST) : 0) |
                 (seg.payload_len ? KD_ROLE_BIT(KF_TCP_PAYLOAD_LEN) : 0);
    }
    if ((may & KD_ROLE_BIT(KF_ICMP_TYPE)) && kd_icmp_unreachable_read(p, len, &ip, KERBEROS_PORT, &header.icmp_kdc))
        roles |= KD_ROLE_BIT(KF_ICMP_TYPE);
    return roles & may;
}

/* Whether a header role can matter on this frame at all: TCP to or from port 88,
 * an ICMP error about a datagram to port 88. On every frame. */
static gboolean
header_frame(const packet_info *pinfo)
{
    return (pinfo->ptype == PT_TCP && (pinfo->destport == KERBEROS_PORT || pinfo->srcport == KERBEROS_PORT)) ||
           icmp_error_frame(pinfo);
}

gboolean
kd_extract_relevant(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!tree)
        return FALSE;
    primed_roles = wanted_roles;
    extract_tick(pinfo);
    header.frame = pinfo->num;
    header.roles = 0;
    header.ip_proto = 0;
    guint32 may = 0;
    if ((primed_roles & header_roles) && header_frame(pinfo)) {
        may = roles_that_may_matter(pinfo);
        if (may & header_roles)
            header.roles = read_header_roles(tvb, pinfo, may & header_roles);
    }
    /* Wireshark tracks the wanted fields that occur on a frame: on most frames
     * (TCP acknowledgements, HTTP without authentication, ordinary DNS) there are
     * none, and one call answers. */
    if (!header.roles && !proto_tracking_interesting_fields(tree))
        return FALSE;
    /* Each header role present makes the frame worth reading (payload to the KDC,
     * an unreachable for a request to it, the KDC's SYN-ACK or reset). */
    gboolean relevant = header.roles != 0;
    if (!may)
        may = roles_that_may_matter(pinfo);
    frame_roles = may;
    guint32 looked = may & header_roles, present = header.roles;
    for (guint i = 0; i < n_triggers && !relevant; i++) {
        const guint32 bit = KD_ROLE_BIT(triggers[i].role);
        if (!(may & bit))
            continue;
        GPtrArray *a = proto_get_finfo_ptr_array(tree, triggers[i].id);
        looked |= bit;
        if (a && a->len)
            present |= bit;
        relevant = a && a->len && trigger_value_matters(pinfo, triggers[i].role, a);
    }
    /* A role looked up in full and absent is not looked up again by the extractor:
     * a role's ids are consecutive among the triggers, and the search stops on a
     * present one. */
    frame_roles &= ~(looked & ~present);
    note_http_answer(pinfo, tree);
    return relevant;
}
