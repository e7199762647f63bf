/* kd_lru.h
 * A bounded map: oldest entry evicted when the cap is reached. Keys are strings,
 * or fixed-size structs with their own hash and equality (kd_lru_new_keyed).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every table of the correlation store is one of these, so memory stays bounded
 * whatever the capture holds.
 */
#ifndef KD_LRU_H
#define KD_LRU_H

#include <glib.h>

typedef struct kd_lru kd_lru;

/* String keys. */
kd_lru *kd_lru_new(guint cap, GDestroyNotify value_free);
/* Keys of key_size bytes, copied on insertion; hash and equal see such keys. */
kd_lru *kd_lru_new_keyed(guint cap, gsize key_size, GHashFunc hash, GEqualFunc equal,
                         GDestroyNotify value_free);
void kd_lru_free(kd_lru *lru);
/* Takes ownership of value; replaces (and frees) an existing value for key. */
void kd_lru_put(kd_lru *lru, gconstpointer key, gpointer value);
/* Looks up and marks the entry as recently used; NULL when absent. */
gpointer kd_lru_get(kd_lru *lru, gconstpointer key);
void kd_lru_remove(kd_lru *lru, gconstpointer key);
guint kd_lru_size(const kd_lru *lru);

#endif /* KD_LRU_H */
