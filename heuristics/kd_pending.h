/* kd_pending.h
 * Exchanges waiting for their answer: a request with an Authorization header
 * until its connection's response, a connection to the KDC until the KDC answers
 * or resets it. The plugin asks Wireshark for some fields only while an exchange
 * that needs them waits (plugin/kd_fields.c); this table says when.
 *
 * Bounded: at most KD_PENDING_MAX exchanges (the oldest gives way), and an
 * exchange left waiting longer than KD_PENDING_WAIT_S of capture time, before or
 * after the frame that opened it (a peer that never answers, a capture whose clock
 * jumps), ends by itself.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_PENDING_H
#define KD_PENDING_H

#include "kd_obs.h"

#define KD_PENDING_MAX 64
#define KD_PENDING_WAIT_S 120
/* Kinds are the caller's small numbers: 0 .. KD_PENDING_KINDS - 1. */
#define KD_PENDING_KINDS 32

/* One exchange, seen from its client (who opened it) and its server. */
typedef struct {
    guint kind;
    kd_addr client, server;
    guint16 client_port, server_port;
    gint64 opened_s;            /* capture time of the frame that opened it */
} kd_pending_exchange;

typedef struct {
    kd_pending_exchange ex[KD_PENDING_MAX];
    guint n;
    guint per_kind[KD_PENDING_KINDS];
    gint64 min_s, max_s;        /* opening times of the waiting exchanges */
} kd_pending;

void kd_pending_clear(kd_pending *p);

/* Each returns the kinds (bit 1 << kind) that changed between none waiting and
 * some waiting. */

/* The client's frame at time e->opened_s opens e (or, open already, renews it). */
guint32 kd_pending_open(kd_pending *p, const kd_pending_exchange *e);
/* e ends: the server's side of its connection answered, or the client's side
 * finished what needed watching (e->opened_s unused). */
guint32 kd_pending_close(kd_pending *p, const kd_pending_exchange *e);
/* Whether e (its kind and connection) waits. */
gboolean kd_pending_has(const kd_pending *p, const kd_pending_exchange *e);
/* A frame at capture time now_s: exchanges waiting too long end. O(1) unless one does. */
guint32 kd_pending_expire(kd_pending *p, gint64 now_s);

static inline gboolean
kd_pending_waits(const kd_pending *p, guint kind)
{
    return kind < KD_PENDING_KINDS && p->per_kind[kind] > 0;
}

#endif /* KD_PENDING_H */
