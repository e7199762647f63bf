/* kd_pending.c
 * Exchanges waiting for their answer (kd_pending.h).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_pending.h"

#include <string.h>

/* Capture times are untrusted: clamped, so that differences cannot overflow. */
#define KD_PENDING_MAX_SECS ((gint64)1 << 40)

static gint64
clamp_secs(gint64 s)
{
    return CLAMP(s, -KD_PENDING_MAX_SECS, KD_PENDING_MAX_SECS);
}

void
kd_pending_clear(kd_pending *p)
{
    memset(p, 0, sizeof *p);
}

static gboolean
same_connection(const kd_pending_exchange *a, const kd_pending_exchange *b)
{
    return a->kind == b->kind && a->client_port == b->client_port && a->server_port == b->server_port &&
           a->client.len == b->client.len && a->server.len == b->server.len &&
           memcmp(a->client.bytes, b->client.bytes, MIN(a->client.len, sizeof a->client.bytes)) == 0 &&
           memcmp(a->server.bytes, b->server.bytes, MIN(a->server.len, sizeof a->server.bytes)) == 0;
}

static void
recompute_range(kd_pending *p)
{
    for (guint i = 0; i < p->n; i++) {
        p->min_s = i == 0 || p->ex[i].opened_s < p->min_s ? p->ex[i].opened_s : p->min_s;
        p->max_s = i == 0 || p->ex[i].opened_s > p->max_s ? p->ex[i].opened_s : p->max_s;
    }
}

/* Ends exchange i; the kinds none waits for any more. */
static guint32
end_exchange(kd_pending *p, guint i)
{
    guint kind = p->ex[i].kind;
    p->ex[i] = p->ex[--p->n];
    return --p->per_kind[kind] == 0 ? (guint32)1 << kind : 0;
}

guint32
kd_pending_open(kd_pending *p, const kd_pending_exchange *e)
{
    if (e->kind >= KD_PENDING_KINDS)
        return 0;
    kd_pending_exchange x = *e;
    x.opened_s = clamp_secs(e->opened_s);
    for (guint i = 0; i < p->n; i++) {
        if (same_connection(&p->ex[i], &x)) {
            p->ex[i].opened_s = x.opened_s;
            recompute_range(p);
            return 0;
        }
    }
    guint32 changed = 0;
    if (p->n == KD_PENDING_MAX) {
        guint oldest = 0;
        for (guint i = 1; i < p->n; i++)
            oldest = p->ex[i].opened_s < p->ex[oldest].opened_s ? i : oldest;
        changed = end_exchange(p, oldest);
    }
    p->ex[p->n++] = x;
    recompute_range(p);
    /* A kind that ended to make room and waits again is no change. */
    if (p->per_kind[x.kind]++ == 0)
        changed ^= (guint32)1 << x.kind;
    return changed;
}

guint32
kd_pending_close(kd_pending *p, const kd_pending_exchange *e)
{
    if (e->kind >= KD_PENDING_KINDS || !p->per_kind[e->kind])
        return 0;
    for (guint i = 0; i < p->n; i++) {
        if (same_connection(&p->ex[i], e)) {
            guint32 changed = end_exchange(p, i);
            recompute_range(p);
            return changed;
        }
    }
    return 0;
}

gboolean
kd_pending_has(const kd_pending *p, const kd_pending_exchange *e)
{
    for (guint i = 0; e->kind < KD_PENDING_KINDS && p->per_kind[e->kind] && i < p->n; i++) {
        if (same_connection(&p->ex[i], e))
            return TRUE;
    }
    return FALSE;
}

guint32
kd_pending_expire(kd_pending *p, gint64 now_s)
{
    if (!p->n)
        return 0;
    gint64 now = clamp_secs(now_s);
    if (now - p->min_s <= KD_PENDING_WAIT_S && p->max_s - now <= KD_PENDING_WAIT_S)
        return 0;
    guint32 changed = 0;
    for (guint i = p->n; i-- > 0;) {
        if (now - p->ex[i].opened_s > KD_PENDING_WAIT_S || p->ex[i].opened_s - now > KD_PENDING_WAIT_S)
            changed |= end_exchange(p, i);
    }
    recompute_range(p);
    return changed;
}
