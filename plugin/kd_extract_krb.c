/* kd_extract_krb.c
 * Kerberos messages (in KDC exchanges and in the GSS tokens of HTTP, SMB2,
 * DCE/RPC and LDAP): names, realms, pre-authentication types, the ticket and
 * the additional tickets, etypes, errors and times. Wireshark marks where each
 * message is (its msg-type item); what the message says is read from its
 * bytes (kd_krbmsg.c and the engine's other bounded readers), so that none of the
 * dozen Kerberos fields krbdiag reads has to be marked before every frame.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

#include <stdio.h>
#include <string.h>

#include "kd_encdata.h"
#include "kd_kdcreq.h"
#include "kd_krberr.h"
#include "kd_krbmsg.h"
#include "kd_util.h"

/* RFC 4120 5.3, 5.4.2, 5.5.2: the enc-part's tag in a Ticket, a KDC-REP and an AP-REP. */
#define KD_TICKET_ENC_PART 3
#define KD_KDC_REP_ENC_PART 6
#define KD_AP_REP_ENC_PART 2
/* RFC 4120 7.5.1: key usage 2 is the ticket's enc-part (the service key). */
#define KD_KEY_USAGE_TICKET 2
/* Enough ciphertext to tell two tickets apart: it is random-looking, so its first
 * bytes identify the ticket (the same ticket presented twice has the same bytes). */
#define KD_CIPHER_HASH_BYTES 256
#define KD_MAX_EDATA 4096
/* Kerberos messages read per frame (more are ignored). */
#define KD_MAX_MESSAGES 16

/* ------------------------------------------------------------- from bytes */

/* A message's bytes: where it starts in its data source, and how long it is. */
typedef struct {
    tvbuff_t *tvb;
    gint start;
    const guint8 *p;
    gsize len;
} kd_msg_bytes;

/* The message a msg-type item belongs to (its [APPLICATION n] TLV): the nearest
 * start before the item that reads forward to exactly this msg-type. FALSE for a
 * msg-type outside every message (a user-to-user token's) or one whose message the
 * capture cut short. Asking for the Kerberos protocol item instead marked one more
 * field before every frame. */
static gboolean
message_bytes(const field_info *fi, kd_msg_bytes *m)
{
    tvbuff_t *t = fi->ds_tvb;
    if (!t || fi->start < KD_KRBMSG_TYPE_MIN_OFFSET || fi->length < 1 || !tvb_bytes_exist(t, fi->start, fi->length))
        return FALSE;
    const gint from = MAX(0, fi->start - KD_KRBMSG_TYPE_MAX_OFFSET);
    const guint8 *w = tvb_get_ptr(t, from, fi->start + fi->length - from);
    gsize at, total;
    if (!kd_krbmsg_locate(w, (gsize)(fi->start - from), (gsize)fi->length, &at, &total) || total > G_MAXINT32 ||
        !tvb_bytes_exist(t, from + (gint)at, (gint)total))
        return FALSE;
    m->tvb = t;
    m->start = from + (gint)at;
    m->p = tvb_get_ptr(t, m->start, (gint)total);
    m->len = total;
    return TRUE;
}

/* A KerberosString kd_safe_str would keep as it is: printable ASCII, no NUL, at
 * most KD_MAX_STR bytes. Names and realms nearly always are. */
static gboolean
plain_string(kd_der s)
{
    if (!s.p || s.len > KD_MAX_STR)
        return FALSE;
    for (gsize i = 0; i < s.len; i++) {
        if (s.p[i] < 0x20 || s.p[i] >= 0x7f)
            return FALSE;
    }
    return TRUE;
}

/* A KerberosString as text: cut at a NUL, made valid UTF-8, control characters
 * replaced (kd_safe_str). */
static const char *
krb_string(packet_info *pinfo, kd_der s)
{
    if (!s.p)
        return NULL;
    if (plain_string(s))
        return wmem_strndup(pinfo->pool, (const char *)s.p, s.len);
    gsize n = MIN(s.len, (gsize)KD_MAX_STR * 4);
    return kd_safe_str(pinfo, wmem_strndup(pinfo->pool, (const char *)s.p, n));
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

/* "HTTP/web.example.test" from a principal's components, NULL when it has none.
 * Components are appended while the name is at most KD_MAX_STR bytes long. */
static const char *
name_of(packet_info *pinfo, const kd_krbmsg_name *n, const char *sofar)
{
    gboolean plain = TRUE;
    for (guint i = 0; i < n->n && plain; i++)
        plain = plain_string(n->part[i]);
    if (!plain) {
        for (guint i = 0; i < n->n; i++)
            sofar = join_name(pinfo, sofar, krb_string(pinfo, n->part[i]));
        return sofar;
    }
    /* Plain components, joined in one buffer: what join_name would build, with one
     * allocation. Each component is at most KD_MAX_STR bytes, and none is appended
     * to a name longer than that. */
    char buf[KD_MAX_STR * 2 + 2];
    gsize len = 0;
    gboolean have = sofar != NULL, grew = FALSE;
    if (have) {
        len = strnlen(sofar, KD_MAX_STR + 1);
        if (len > KD_MAX_STR)
            return sofar;
        memcpy(buf, sofar, len);
    }
    for (guint i = 0; i < n->n && len <= KD_MAX_STR; i++) {
        const kd_der *part = &n->part[i];
        if (have)
            buf[len++] = '/';
        memcpy(buf + len, part->p, part->len);
        len += part->len;
        have = grew = TRUE;
    }
    return grew ? wmem_strndup(pinfo->pool, buf, len) : sofar;
}

/* A hash of the message's bytes: recorded copies of one datagram compare equal. */
static void
message_digest(const kd_msg_bytes *m, kd_krb *k)
{
    k->msg_digest = kd_key_hash(m->p, m->len);
    k->msg_len = (guint32)MIN(m->len, G_MAXUINT32);
}

/* The first etype and the first kvno among the enc-parts of a request's additional
 * tickets, and their names (every ticket's sname components, the first realm). */
static void
addl_tickets(packet_info *pinfo, const kd_kdcreq *r, kd_krb *k)
{
    for (guint i = 0; i < MIN(r->n_addl, KD_KDCREQ_MAX_TICKETS); i++) {
        kd_encdata e;
        kd_encdata_in(r->addl[i].p, r->addl[i].len, KD_TICKET_ENC_PART, &e);
        if (e.has_etype && k->addl_ticket.etype < 0)
            k->addl_ticket.etype = e.etype;
        if (e.has_kvno && k->addl_ticket.kvno < 0)
            k->addl_ticket.kvno = e.kvno;
        kd_krbmsg_ticket t;
        if (!kd_krbmsg_ticket_parse(r->addl[i].p, r->addl[i].len, &t))
            continue;
        if (t.sname.n) {
            k->addl_ticket.present = TRUE;
            k->addl_ticket.sname = name_of(pinfo, &t.sname, k->addl_ticket.sname);
        }
        if (t.has_realm && !k->addl_ticket.realm)
            k->addl_ticket.realm = krb_string(pinfo, t.realm);
    }
}

/* A KDC request's body, from the request's bytes: KDC options, the etypes asked
 * for, and the additional tickets (how many, the enc-part of the first: S4U2Proxy's
 * evidence ticket, user-to-user's TGT). */
static void
fill_req_body(packet_info *pinfo, const kd_msg_bytes *m, kd_krb *k)
{
    kd_kdcreq req;
    const kd_kdcreq *r = &req;
    if (!kd_kdcreq_parse(m->p, m->len, &req))
        return;
    k->opt_cname_in_addl_tkt = r->opt_cname_in_addl_tkt;
    k->opt_enc_tkt_in_skey = r->opt_enc_tkt_in_skey;
    for (guint i = 0; i < r->n_etypes && k->n_req_etypes < KD_MAX_ETYPES; i++)
        k->req_etypes[k->n_req_etypes++] = r->etypes[i];
    if (r->has_addl) {
        k->n_addl_tickets = MIN(r->n_addl, 64);
        addl_tickets(pinfo, r, k);
    }
}

static gint64
secs_to_us(gint64 secs, gboolean has_usec, gint64 usec)
{
    nstime_t t;
    t.secs = (time_t)CLAMP(secs, -G_MAXINT64 / G_USEC_PER_SEC / 4, G_MAXINT64 / G_USEC_PER_SEC / 4);
    t.nsecs = 0;
    gint64 us = kd_nstime_to_us(&t);
    return has_usec && usec > 0 && usec < G_USEC_PER_SEC ? us + usec : us;
}

/* A KRB-ERROR's own fields, from its bytes: the error code, the KDC's time (and
 * the client's, when the message type says KRB-ERROR), the e-data's raw bytes
 * for the engine's own bounded parser (NTSTATUS, ETYPE-INFO2). */
static void
fill_error(packet_info *pinfo, const kd_msg_bytes *m, kd_krb *k)
{
    kd_krberr e;
    if (!kd_krberr_parse(m->p, m->len, &e))
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

/* The message's ticket: names, and its enc-part's etype, kvno and ciphertext. */
static void
fill_ticket(packet_info *pinfo, const kd_krbmsg_ticket *t, kd_krb *k)
{
    k->ticket.present = TRUE;
    kd_encdata e;
    if (kd_encdata_in(t->tlv.p, t->tlv.len, KD_TICKET_ENC_PART, &e)) {
        k->ticket.etype = e.has_etype ? e.etype : k->ticket.etype;
        k->ticket.kvno = e.has_kvno ? e.kvno : k->ticket.kvno;
        k->ticket.cipher_hash = kd_encdata_cipher_hash(&e, KD_CIPHER_HASH_BYTES);
    }
    k->ticket.sname = name_of(pinfo, &t->sname, NULL);
    if (t->has_realm)
        k->ticket.realm = krb_string(pinfo, t->realm);
}

/* ------------------------------------------------------ wireshark's decrypt */

/* One of Wireshark's decryption expert items, by its text: about the ticket's
 * enc-part (key usage 2), decrypted (by: the keytab principal) or its key missing. */
static kd_decrypt
decrypt_by_text(packet_info *pinfo, const kd_item *item, kd_decrypt sofar, const char **by)
{
    char text[ITEM_LABEL_LENGTH + 1];
    g_strlcpy(text, item->fi->rep->representation, sizeof text);
    int keytype = 0, usage = 0;
    if (item->role == KF_KRB_DECRYPTED &&
        sscanf(text, "Decrypted keytype %d usage %d", &keytype, &usage) == 2 && usage == KD_KEY_USAGE_TICKET) {
        const char *p = strstr(text, "using keytab principal ");
        if (p) {
            p += strlen("using keytab principal ");
            *by = kd_safe_str(pinfo, wmem_strndup(pinfo->pool, p, strcspn(p, " ")));
        }
        return KD_DECRYPT_OK;
    }
    if (item->role == KF_KRB_MISSING && sofar == KD_DECRYPT_NOT_TRIED &&
        sscanf(text, "Missing keytype %d usage %d", &keytype, &usage) == 2 && usage == KD_KEY_USAGE_TICKET)
        return KD_DECRYPT_NO_KEY;
    return sofar;
}

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
        if (items[i].role == KF_KRB_DECRYPTED)
            any_ok = TRUE;
        else
            any_missing = TRUE;
        if (items[i].fi->rep)
            by_text = decrypt_by_text(pinfo, &items[i], by_text, by);
    }
    if (by_text != KD_DECRYPT_NOT_TRIED)
        return by_text;
    return any_ok ? KD_DECRYPT_OK : any_missing ? KD_DECRYPT_NO_KEY : KD_DECRYPT_NOT_TRIED;
}

/* -------------------------------------------------------------- one message */

/* The message m (already known to parse) into k. */
static void
fill_krb(packet_info *pinfo, const kd_msg_bytes *m, const kd_krbmsg *msg, kd_krb *k)
{
    k->msg_type = msg->app_tag;
    if (msg->has_msg_type && msg->msg_type >= G_MININT32 && msg->msg_type <= G_MAXINT32)
        k->msg_type = (gint32)msg->msg_type;
    message_digest(m, k);
    if (msg->app_tag == KD_MSG_AS_REQ || msg->app_tag == KD_MSG_TGS_REQ)
        fill_req_body(pinfo, m, k);
    /* A reply's own enc-part: the key the reply is encrypted in. */
    if (msg->app_tag == KD_MSG_AS_REP || msg->app_tag == KD_MSG_TGS_REP || msg->app_tag == KD_MSG_AP_REP) {
        kd_encdata e;
        if (kd_encdata_in(m->p, m->len, msg->app_tag == KD_MSG_AP_REP ? KD_AP_REP_ENC_PART : KD_KDC_REP_ENC_PART, &e) &&
            e.has_etype)
            k->rep_etype = e.etype;
    }
    if (msg->ticket.present)
        fill_ticket(pinfo, &msg->ticket, k);
    k->cname = name_of(pinfo, &msg->cname, NULL);
    k->sname = name_of(pinfo, &msg->sname, NULL);
    k->realm = msg->has_realm ? krb_string(pinfo, msg->realm) : NULL;
    k->crealm = msg->has_crealm ? krb_string(pinfo, msg->crealm) : NULL;
    k->e_text = msg->has_e_text ? krb_string(pinfo, msg->e_text) : NULL;
    for (guint i = 0; i < msg->n_padata && k->n_padata < KD_MAX_PADATA; i++)
        k->padata[k->n_padata++] = msg->padata[i];
    for (guint i = 0; i < msg->n_etype_info && k->n_etype_info2 < KD_MAX_ETYPES; i++)
        k->etype_info2[k->n_etype_info2++] = msg->etype_info[i];
    if (msg->app_tag == KD_MSG_ERROR)
        fill_error(pinfo, m, k);
}

/* ------------------------------------------------------------------- frame */

/* The ticket an AP-REQ presents to a service, decrypted (or not) with the user's
 * keytab. A TGS-REQ's TGT stays out: its AP-REQ is nested in the request. */
static void
mark_decrypt(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    const char *by = NULL;
    kd_decrypt d = ticket_decrypt(fr->pinfo, fr->it, fr->n, &by);
    for (guint k = 0; k < n_obs; k++) {
        if (obs[k].kind == KD_OBS_KRB && obs[k].u.krb.msg_type == KD_MSG_AP_REQ && obs[k].u.krb.ticket.present) {
            obs[k].u.krb.ticket.decrypt = d;
            obs[k].u.krb.ticket.decrypted_by = by;
        }
    }
}

/* The messages of the frame, in byte order, each with its item's index; a message
 * inside another one (an AP-REQ in a TGS-REQ) is part of it. */
typedef struct {
    guint item;
    kd_msg_bytes bytes;
} kd_msg_at;

static gboolean
within(const kd_msg_bytes *inner_msg, const kd_msg_bytes *outer)
{
    return inner_msg->tvb == outer->tvb && inner_msg->start >= outer->start &&
           (gsize)(inner_msg->start - outer->start) + inner_msg->len <= outer->len &&
           !(inner_msg->start == outer->start && inner_msg->len == outer->len);
}

static guint
frame_messages(const kd_frame *fr, kd_msg_at *at)
{
    guint n = 0;
    for (guint i = 0; i < fr->n && n < KD_MAX_MESSAGES; i++) {
        kd_msg_bytes m;
        if (fr->it[i].role != KF_KRB_MSG_TYPE || !message_bytes(fr->it[i].fi, &m))
            continue;
        gboolean nested = FALSE;
        for (guint j = 0; j < n && !nested; j++)
            nested = within(&m, &at[j].bytes) || (m.tvb == at[j].bytes.tvb && m.start == at[j].bytes.start);
        if (!nested) {
            at[n].item = i;
            at[n++].bytes = m;
        }
    }
    return n;
}

/* A user-to-user token's msg-type (KERB-TGT-REQUEST/REPLY) outside every message. */
static gint64
tgt_token_at(const kd_frame *fr, guint i, const kd_msg_at *at, guint n_at)
{
    if (fr->it[i].role != KF_KRB_MSG_TYPE)
        return 0;
    gint64 v = kd_item_int(fr->it[i].fi);
    if (v != KD_MSG_TGT_REQ && v != KD_MSG_TGT_REP)
        return 0;
    const field_info *fi = fr->it[i].fi;
    for (guint j = 0; j < n_at; j++) {
        if (fi->ds_tvb == at[j].bytes.tvb && fi->start >= at[j].bytes.start &&
            (gsize)(fi->start - at[j].bytes.start) < at[j].bytes.len)
            return 0;
    }
    return v;
}

static kd_obs *
new_krb_obs(const kd_frame *fr, kd_obs *obs, guint *n_obs)
{
    kd_obs *o = &obs[(*n_obs)++];
    kd_obs_init(o, KD_OBS_KRB);
    kd_obs_header(fr->pinfo, o);
    o->u.krb.carrier = fr->carrier;
    return o;
}

/* Every top-level Kerberos message of the frame, in byte order. User-to-user GSS
 * tokens (KERB-TGT-REQUEST / KERB-TGT-REPLY) are no message of their own in
 * Wireshark's SPNEGO decoding: their msg-type, outside every other Kerberos
 * message, tells them. */
guint
kd_read_krb(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    kd_msg_at at[KD_MAX_MESSAGES];
    guint n_at = frame_messages(fr, at), next = 0;
    for (guint i = 0; i < fr->n && n_obs < KD_MAX_OBS_PER_FRAME; i++) {
        gint64 tgt_token = tgt_token_at(fr, i, at, n_at);
        if (tgt_token) {
            new_krb_obs(fr, obs, &n_obs)->u.krb.msg_type = (gint32)tgt_token;
            continue;
        }
        if (next >= n_at || at[next].item != i)
            continue;
        kd_krbmsg msg;
        const kd_msg_bytes *m = &at[next++].bytes;
        if (!kd_krbmsg_parse(m->p, m->len, &msg))
            continue;
        kd_obs *o = new_krb_obs(fr, obs, &n_obs);
        fill_krb(fr->pinfo, m, &msg, &o->u.krb);
        if (fr->carrier == KD_CARRIER_DCERPC)
            kd_rpc_carrier_of(fr, fr->it[i].fi, &o->u.krb);
    }
    if (fr->seen[KF_KRB_DECRYPTED] || fr->seen[KF_KRB_MISSING])
        mark_decrypt(fr, obs, n_obs);
    return n_obs;
}
