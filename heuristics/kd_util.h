/* kd_util.h
 * Small string and time helpers shared by the store, the findings and the rules.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_UTIL_H
#define KD_UTIL_H

#include <glib.h>
#include <string.h>

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

/* A table key or wait subject: parts joined by '|', composed without printf (the
 * store and the rules compose several for nearly every frame they are fed). The
 * text stays in `local` while it fits, then moves to the heap; kd_key_done() frees
 * it. Each part is exactly what "%s" of it would print ("" for NULL), so that the
 * key is the same text, whatever its length. */
#define KD_KEY_LOCAL 128
typedef struct {
    char *text;         /* local, or the heap */
    gsize len, room;
    guint parts;
    char local[KD_KEY_LOCAL];
} kd_key;

void kd_key_init(kd_key *k);
void kd_key_str(kd_key *k, const char *s);
/* The part in ASCII lower case, as kd_lower() makes it. */
void kd_key_lower(kd_key *k, const char *s);
/* The address as kd_addr_to_str() writes it. */
void kd_key_addr(kd_key *k, const kd_addr *a);
/* Decimal. */
void kd_key_uint(kd_key *k, guint64 v);
/* Sixteen lower-case hex digits ("%016" G_GINT64_MODIFIER "x"). */
void kd_key_hex64(kd_key *k, guint64 v);
const char *kd_key_text(const kd_key *k);
/* A new key "a|b" of two addresses (kd_addr_pair_text's text); returns the text. */
const char *kd_key_pair(kd_key *k, const kd_addr *a, const kd_addr *b);
/* The text, newly allocated; the key is done. */
char *kd_key_steal(kd_key *k);
void kd_key_done(kd_key *k);

gboolean kd_has_padata(const gint32 *pa, guint n, gint32 type);
/* A request's PA-DATA that proves the client knows its key (PA-ENC-TIMESTAMP, a PKINIT
 * request, FAST, encrypted challenge): the request is pre-authenticated. */
gboolean kd_padata_preauthenticated(const gint32 *pa, guint n);

/* FNV-1a (64 bit) over n bytes, its step taken a 64-bit word at a time, the bytes
 * after the last whole word one at a time: the fingerprint of a ciphertext. */
static inline guint64
kd_fnv1a_64(const guint8 *p, gsize n)
{
    guint64 h = G_GUINT64_CONSTANT(14695981039346656037);
    gsize i = 0;
    for (; i + sizeof(guint64) <= n; i += sizeof(guint64)) {
        guint64 w;
        memcpy(&w, p + i, sizeof w);
        h = (h ^ w) * G_GUINT64_CONSTANT(1099511628211);
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * G_GUINT64_CONSTANT(1099511628211);
    return h;
}

/* The hash of the store's keys (zeroed structs of 16 to 38 bytes, text keys) and of
 * whole Kerberos messages, on nearly every frame the store is fed: FNV-1a's step
 * taken a 64-bit word at a time, and the high bits, where the multiplications leave
 * the words' high bits, folded into the low 32. */
static inline guint32
kd_key_hash(const guint8 *p, gsize n)
{
    guint64 h = kd_fnv1a_64(p, n);
    h ^= h >> 32;
    return (guint32)(h ^ (h >> 16));
}

#endif /* KD_UTIL_H */
