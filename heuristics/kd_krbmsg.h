/* kd_krbmsg.h
 * A bounded reader for one Kerberos message (RFC 4120 5.4-5.9.1): the names,
 * realms, pre-authentication types, announced etypes, error text and ticket
 * krbdiag reads, taken from the message's bytes. Reading them from the bytes of
 * the few frames that carry Kerberos, instead of asking Wireshark for a dozen
 * Kerberos fields, keeps those fields from being marked on every frame.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What is read, by message ([APPLICATION n] SEQUENCE):
 *   KDC-REQ   (10, 12) padata [3] (types; the ticket of PA-TGS-REQ's AP-REQ or of
 *                      PA-FX-FAST's armor; PA-FOR-USER's realm), req-body [4]:
 *                      cname [1], realm [2], sname [3]
 *   KDC-REP   (11, 13) padata [2] (types, ETYPE-INFO2/ETYPE-INFO entries),
 *                      crealm [3], cname [4], ticket [5]
 *   AP-REQ    (14)     ticket [3]
 *   AP-REP    (15)     nothing beyond its type
 *   KRB-ERROR (30)     crealm [7], cname [8], realm [9], sname [10], e-text [11],
 *                      e-data [12] when it is METHOD-DATA (types, entries)
 * and in every one its msg-type field. A Ticket ([APPLICATION 1]) gives realm [1]
 * and sname [2]. Strings are returned as the bytes sent (KerberosString); the
 * caller makes them displayable.
 */
#ifndef KD_KRBMSG_H
#define KD_KRBMSG_H

#include <glib.h>

#include "kd_edata.h"       /* kd_der */
#include "kd_obs.h"         /* KD_MAX_PADATA, KD_MAX_ETYPES */

/* Name components kept per principal name (more are ignored). */
#define KD_KRBMSG_MAX_COMPONENTS 8

typedef struct {
    guint n;
    kd_der part[KD_KRBMSG_MAX_COMPONENTS];
} kd_krbmsg_name;

typedef struct {
    gboolean present;
    kd_der tlv;                 /* the whole Ticket, tag and length included */
    gboolean has_realm;
    kd_der realm;
    kd_krbmsg_name sname;
} kd_krbmsg_ticket;

typedef struct {
    gint32 app_tag;             /* n of [APPLICATION n]: the message type by its tag */
    gboolean has_msg_type;
    gint64 msg_type;            /* the msg-type field */
    kd_krbmsg_name cname;       /* the message's own names (not its ticket's) */
    kd_krbmsg_name sname;
    gboolean has_realm, has_crealm, has_e_text;
    kd_der realm, crealm, e_text;
    gint32 padata[KD_MAX_PADATA];
    guint n_padata;
    gint32 etype_info[KD_MAX_ETYPES];   /* ETYPE-INFO2 and ETYPE-INFO entries, in order */
    guint n_etype_info;
    kd_krbmsg_ticket ticket;    /* the first ticket in the message */
} kd_krbmsg;

/* Reads the message at the start of buf[0 .. len) into *out (cleared first).
 * Never reads outside the buffer. FALSE when buf does not start with one of the
 * seven messages above; a broken field leaves itself and what follows it absent. */
gboolean kd_krbmsg_parse(const guint8 *buf, gsize len, kd_krbmsg *out);

/* Reads a Ticket TLV at the start of buf[0 .. len). FALSE when it is not one. */
gboolean kd_krbmsg_ticket_parse(const guint8 *buf, gsize len, kd_krbmsg_ticket *out);

/* Every message above starts with [APPLICATION n] { SEQUENCE { pvno [0], msg-type
 * [1] ... } } (a KDC-REQ: pvno [1], msg-type [2]), so the value of its msg-type
 * sits a few header bytes after the message's start: at least
 * KD_KRBMSG_TYPE_MIN_OFFSET (short lengths), at most KD_KRBMSG_TYPE_MAX_OFFSET. */
#define KD_KRBMSG_TYPE_MIN_OFFSET 13
#define KD_KRBMSG_TYPE_MAX_OFFSET 40

/* The message whose msg-type value is the value_len bytes at buf[value_at ..]:
 * the nearest start before it that reads forward, tag by tag, to exactly that
 * value. Its offset in buf goes to *start and its TLV's whole length (which may run
 * past what buf holds) to *total. Reads only buf[0 .. value_at + value_len). FALSE
 * for a msg-type outside every message (a user-to-user token's). */
gboolean kd_krbmsg_locate(const guint8 *buf, gsize value_at, gsize value_len, gsize *start, gsize *total);

#endif /* KD_KRBMSG_H */
