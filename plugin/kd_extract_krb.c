/* kd_extract_krb.c
 * Kerberos messages (in KDC exchanges and in the GSS tokens of HTTP, SMB2,
 * DCE/RPC and LDAP): names, realms, pre-authentication types, the ticket and
 * the additional tickets, etypes, errors and times. What Wireshark's field
 * names leave ambiguous is read by byte range, or from the message's bytes.
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
/* Enc-parts, ETYPE-INFO entries and nested messages remembered inside one message. */
#define KD_MAX_BOXES 64

/* ------------------------------------------------------------- from bytes */

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

/* The first etype and the first kvno among the enc-parts of a request's additional
 * tickets. */
static void
addl_ticket_keys(const kd_kdcreq *r, kd_krb *k)
{
    for (guint i = 0; i < MIN(r->n_addl, KD_KDCREQ_MAX_TICKETS); i++) {
        kd_encdata e;
        kd_encdata_in(r->addl[i].p, r->addl[i].len, KD_TICKET_ENC_PART, &e);
        if (e.has_etype && k->addl_ticket.etype < 0)
            k->addl_ticket.etype = e.etype;
        if (e.has_kvno && k->addl_ticket.kvno < 0)
            k->addl_ticket.kvno = e.kvno;
    }
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
    if (!kd_kdcreq_parse(base, (gsize)msg->length, &req))
        return;
    k->opt_cname_in_addl_tkt = r->opt_cname_in_addl_tkt;
    k->opt_enc_tkt_in_skey = r->opt_enc_tkt_in_skey;
    for (guint i = 0; i < r->n_etypes && k->n_req_etypes < KD_MAX_ETYPES; i++)
        k->req_etypes[k->n_req_etypes++] = r->etypes[i];
    if (r->has_addl) {
        addl->tvb = t;
        addl->start = msg->start + (gint)r->addl_offset;
        addl->length = (gint)r->addl_len;
        k->n_addl_tickets = MIN(r->n_addl, 64);
        addl_ticket_keys(r, k);
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

/* What has been met inside one message so far. */
typedef struct {
    packet_info *pinfo;
    kd_krb *k;
    const field_info *ticket;           /* the message's own ticket */
    kd_range addl;                      /* additional tickets of a TGS-REQ */
    const field_info *boxes[KD_MAX_BOXES];  /* enc-parts, ETYPE-INFO entries, nested messages */
    kd_field_role box_roles[KD_MAX_BOXES];
    guint n_boxes;
    gboolean have_msg_type;
} kd_krb_walk;

/* Inside a nested message, or a second ticket (TGS-REQ additional-tickets: S4U2Proxy,
 * user-to-user), which names another service than the request: foreign items. */
static gboolean
in_nested(const kd_krb_walk *w, const field_info *fi)
{
    for (guint b = 0; b < w->n_boxes; b++) {
        if ((kd_is_krb_message(w->box_roles[b]) || w->box_roles[b] == KF_KRB_TICKET) && kd_inside(fi, w->boxes[b]))
            return TRUE;
    }
    return FALSE;
}

static void
add_box(kd_krb_walk *w, const kd_item *it)
{
    if (w->n_boxes < KD_MAX_BOXES) {
        w->boxes[w->n_boxes] = it->fi;
        w->box_roles[w->n_boxes++] = it->role;
    }
}

/* An item of the evidence ticket of S4U2Proxy (or the TGT of user-to-user). */
static void
read_addl_item(kd_krb_walk *w, const kd_item *it)
{
    kd_krb *k = w->k;
    if (it->role == KF_KRB_SNAME) {
        k->addl_ticket.present = TRUE;
        k->addl_ticket.sname = join_name(w->pinfo, k->addl_ticket.sname, kd_item_str(w->pinfo, it->fi));
    } else if (it->role == KF_KRB_REALM && !k->addl_ticket.realm) {
        k->addl_ticket.realm = kd_item_str(w->pinfo, it->fi);
    }
}

/* The message's ticket (its enc-part read from its bytes), or a further one. */
static void
read_ticket(kd_krb_walk *w, const kd_item *it, gboolean in_ticket, gboolean in_addl)
{
    if (in_addl)
        return;
    if (w->ticket) {
        if (!in_ticket)
            add_box(w, it);
        return;
    }
    kd_krb *k = w->k;
    w->ticket = it->fi;
    k->ticket.present = TRUE;
    kd_encdata e;
    if (encdata_of(it->fi, KD_TICKET_ENC_PART, &e)) {
        k->ticket.etype = e.has_etype ? e.etype : k->ticket.etype;
        k->ticket.kvno = e.has_kvno ? e.kvno : k->ticket.kvno;
        k->ticket.cipher_hash = kd_encdata_cipher_hash(&e, KD_CIPHER_HASH_BYTES);
    }
}

/* The etypes a KDC announces, from the entries' bytes. */
static void
read_etype_info(kd_krb_walk *w, const kd_item *it)
{
    if (w->n_boxes >= KD_MAX_BOXES)
        return;
    add_box(w, it);
    gint32 et;
    kd_krb *k = w->k;
    if (k->n_etype_info2 < KD_MAX_ETYPES && etype_info_etype(it->fi, &et))
        k->etype_info2[k->n_etype_info2++] = et;
}

/* The message's own names, realms, pre-authentication types and error texts. */
static void
read_leaf(kd_krb_walk *w, const kd_item *it, gboolean ticket, gboolean nested)
{
    packet_info *pinfo = w->pinfo;
    kd_krb *k = w->k;
    field_info *fi = it->fi;
    switch (it->role) {
    case KF_KRB_MSG_TYPE:
        if (!nested && !w->have_msg_type) {
            w->have_msg_type = TRUE;
            k->msg_type = (gint32)kd_item_int(fi);
        }
        break;
    case KF_KRB_CNAME:
        if (!ticket && !nested)
            k->cname = join_name(pinfo, k->cname, kd_item_str(pinfo, fi));
        break;
    case KF_KRB_SNAME:
        if (ticket)
            k->ticket.sname = join_name(pinfo, k->ticket.sname, kd_item_str(pinfo, fi));
        else if (!nested)
            k->sname = join_name(pinfo, k->sname, kd_item_str(pinfo, fi));
        break;
    case KF_KRB_REALM:
        if (ticket && !k->ticket.realm)
            k->ticket.realm = kd_item_str(pinfo, fi);
        else if (!ticket && !nested && !k->realm)
            k->realm = kd_item_str(pinfo, fi);
        break;
    case KF_KRB_CREALM:
        if (!nested && !k->crealm)
            k->crealm = kd_item_str(pinfo, fi);
        break;
    case KF_KRB_PADATA_TYPE:
        if (!ticket && !nested && k->n_padata < KD_MAX_PADATA)
            k->padata[k->n_padata++] = (gint32)kd_item_int(fi);
        break;
    case KF_KRB_ETEXT:
        if (!nested && !k->e_text)
            k->e_text = kd_item_str(pinfo, fi);
        break;
    case KF_KRB_NTSTATUS:
        if (!nested && !k->has_nt_status) {
            k->has_nt_status = TRUE;
            k->nt_status = (guint32)kd_item_int(fi);
        }
        break;
    default:
        break;
    }
}

/* One item inside the message, attributed by the byte ranges met so far. */
static void
read_item(kd_krb_walk *w, const kd_item *it)
{
    gboolean ticket = w->ticket && kd_inside(it->fi, w->ticket);
    gboolean addl = w->addl.tvb && inside_range(it->fi, &w->addl);
    gboolean nested = in_nested(w, it->fi);
    if (addl && !nested) {
        read_addl_item(w, it);
        return;
    }
    if (it->role == KF_KRB_TICKET)
        read_ticket(w, it, ticket, addl);
    else if (it->role == KF_KRB_ETYPE_INFO2 || it->role == KF_KRB_ETYPE_INFO)
        read_etype_info(w, it);
    else if (kd_is_krb_message(it->role))
        add_box(w, it);
    else
        read_leaf(w, it, ticket, nested);
}

/* The Kerberos message items[m] and everything inside it, into k. */
static void
fill_krb(packet_info *pinfo, const kd_item *items, guint n, guint m, kd_krb *k)
{
    const field_info *msg = items[m].fi;
    const kd_field_role role = items[m].role;
    kd_krb_walk w;
    memset(&w, 0, sizeof w);
    w.pinfo = pinfo;
    w.k = k;

    k->msg_type = message_type_of(role);
    message_digest(msg, k);
    if (role == KF_KRB_AS_REQ || role == KF_KRB_TGS_REQ)
        fill_req_body(msg, k, &w.addl);
    /* A reply's own enc-part: the key the reply is encrypted in. */
    if (role == KF_KRB_AS_REP || role == KF_KRB_TGS_REP || role == KF_KRB_AP_REP) {
        kd_encdata e;
        if (encdata_of(msg, role == KF_KRB_AP_REP ? KD_AP_REP_ENC_PART : KD_KDC_REP_ENC_PART, &e) && e.has_etype)
            k->rep_etype = e.etype;
    }
    for (guint i = m + 1; i < n && kd_inside(items[i].fi, msg); i++)
        read_item(&w, &items[i]);
    if (role == KF_KRB_ERROR_EL)
        fill_error(pinfo, msg, k);
}

/* ------------------------------------------------------------------- frame */

/* items[i] starts a top-level Kerberos message (or a user-to-user token): its
 * msg-type for a KERB-TGT-REQUEST/REPLY, 0 for a message element, -1 otherwise. */
static gint64
top_level_message(const kd_item *items, guint i)
{
    gint64 tgt_token = 0;
    if (items[i].role == KF_KRB_MSG_TYPE) {
        tgt_token = kd_item_int(items[i].fi);
        if (tgt_token != KD_MSG_TGT_REQ && tgt_token != KD_MSG_TGT_REP)
            return -1;
    } else if (!kd_is_krb_message(items[i].role)) {
        return -1;
    }
    /* An AP-REQ inside a TGS-REQ is part of it. */
    for (guint j = 0; j < i; j++) {
        if (kd_is_krb_message(items[j].role) && kd_inside(items[i].fi, items[j].fi))
            return -1;
    }
    return tgt_token;
}

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

/* Every top-level Kerberos message of the frame. User-to-user GSS tokens
 * (KERB-TGT-REQUEST / KERB-TGT-REPLY) have no message element of their own in
 * Wireshark's SPNEGO decoding: their msg-type, outside every other Kerberos
 * message, tells them. */
guint
kd_read_krb(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    for (guint i = 0; i < fr->n && n_obs < KD_MAX_OBS_PER_FRAME; i++) {
        gint64 tgt_token = top_level_message(fr->it, i);
        if (tgt_token < 0)
            continue;
        kd_obs *o = &obs[n_obs++];
        kd_obs_init(o, KD_OBS_KRB);
        kd_obs_header(fr->pinfo, o);
        o->u.krb.carrier = fr->carrier;
        if (tgt_token)
            o->u.krb.msg_type = (gint32)tgt_token;
        else
            fill_krb(fr->pinfo, fr->it, fr->n, i, &o->u.krb);
        if (fr->carrier == KD_CARRIER_DCERPC)
            kd_rpc_carrier_of(fr->it, fr->n, i, &o->u.krb);
    }
    if (fr->seen[KF_KRB_DECRYPTED] || fr->seen[KF_KRB_MISSING])
        mark_decrypt(fr, obs, n_obs);
    return n_obs;
}
