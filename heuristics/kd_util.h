/* kd_util.h
 * Small string and time helpers shared by the store, the findings and the rules.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_UTIL_H
#define KD_UTIL_H

#include <glib.h>

#include "kd_obs.h"

gboolean kd_str_empty(const char *s);
/* Lower-case copy; "" for NULL. */
char *kd_lower(const char *s);
/* a - b in microseconds, saturated: capture and Kerberos times are untrusted. */
gint64 kd_time_diff(gint64 a, gint64 b);
/* The same in whole seconds. */
gint64 kd_time_diff_s(gint64 a, gint64 b);
/* Host part of an SPN ("HTTP/web.example.test:8080" -> "web.example.test"), newly allocated. */
char *kd_spn_host(const char *spn);
const char *kd_msg_name(gint32 msg_type);
/* "a|b": two addresses as text, a subject for waits and counters; newly allocated. */
char *kd_addr_pair_text(const kd_addr *a, const kd_addr *b);
gboolean kd_has_padata(const gint32 *pa, guint n, gint32 type);
/* A request's PA-DATA that proves the client knows its key (PA-ENC-TIMESTAMP, a PKINIT
 * request, FAST, encrypted challenge): the request is pre-authenticated. */
gboolean kd_padata_preauthenticated(const gint32 *pa, guint n);

/* FNV-1a (32 and 64 bit) over n bytes: the hash of the store's keys, the fingerprint
 * of a ciphertext or of a datagram's copies. Inline: the store hashes on every frame. */
static inline guint32
kd_fnv1a_32(const guint8 *p, gsize n)
{
    guint32 h = 2166136261u;
    for (gsize i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static inline guint64
kd_fnv1a_64(const guint8 *p, gsize n)
{
    guint64 h = G_GUINT64_CONSTANT(14695981039346656037);
    for (gsize i = 0; i < n; i++)
        h = (h ^ p[i]) * G_GUINT64_CONSTANT(1099511628211);
    return h;
}

#endif /* KD_UTIL_H */
