/* kd_lru.c
 * A bounded map: oldest entry evicted when the cap is reached.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_lru.h"

#include <string.h>

/* One allocation per entry: the entry, its place in the recency queue and a copy
 * of its key, which follows the struct. The store puts and gets on most frames it
 * is fed, so an entry costs one malloc, not three. */
typedef struct {
    GList link;         /* this entry's place in the recency queue; data: the entry */
    gpointer value;
    gpointer key;       /* the copy after the struct; also the hash table's key */
} kd_lru_entry;

struct kd_lru {
    guint cap;
    gsize key_size;     /* 0: NUL-terminated string keys */
    GDestroyNotify value_free;
    GHashTable *map;    /* key -> kd_lru_entry */
    GQueue order;       /* head = most recent */
};

kd_lru *
kd_lru_new_keyed(guint cap, gsize key_size, GHashFunc hash, GEqualFunc equal, GDestroyNotify value_free)
{
    kd_lru *lru = g_new0(kd_lru, 1);
    lru->cap = cap ? cap : 1;
    lru->key_size = key_size;
    lru->value_free = value_free;
    lru->map = g_hash_table_new(hash, equal);
    g_queue_init(&lru->order);
    return lru;
}

kd_lru *
kd_lru_new(guint cap, GDestroyNotify value_free)
{
    return kd_lru_new_keyed(cap, 0, g_str_hash, g_str_equal, value_free);
}

static void
drop_entry(kd_lru *lru, kd_lru_entry *e)
{
    g_hash_table_remove(lru->map, e->key);
    g_queue_unlink(&lru->order, &e->link);
    if (lru->value_free && e->value)
        lru->value_free(e->value);
    g_free(e);
}

static void
touch_entry(kd_lru *lru, kd_lru_entry *e)
{
    if (lru->order.head == &e->link)
        return;
    g_queue_unlink(&lru->order, &e->link);
    g_queue_push_head_link(&lru->order, &e->link);
}

void
kd_lru_free(kd_lru *lru)
{
    if (!lru)
        return;
    while (lru->order.tail)
        drop_entry(lru, lru->order.tail->data);
    g_hash_table_destroy(lru->map);
    g_free(lru);
}

void
kd_lru_put(kd_lru *lru, gconstpointer key, gpointer value)
{
    kd_lru_entry *e = g_hash_table_lookup(lru->map, key);
    if (e) {
        if (lru->value_free && e->value && e->value != value)
            lru->value_free(e->value);
        e->value = value;
        touch_entry(lru, e);
        return;
    }
    while (g_hash_table_size(lru->map) >= lru->cap && lru->order.tail)
        drop_entry(lru, lru->order.tail->data);
    gsize key_size = lru->key_size ? lru->key_size : strlen(key) + 1;
    e = g_malloc(sizeof(kd_lru_entry) + key_size);
    e->key = e + 1;
    memcpy(e->key, key, key_size);
    e->value = value;
    e->link.data = e;
    e->link.next = e->link.prev = NULL;
    g_queue_push_head_link(&lru->order, &e->link);
    g_hash_table_insert(lru->map, e->key, e);
}

gpointer
kd_lru_get(kd_lru *lru, gconstpointer key)
{
    kd_lru_entry *e = g_hash_table_lookup(lru->map, key);
    if (!e)
        return NULL;
    touch_entry(lru, e);
    return e->value;
}

void
kd_lru_remove(kd_lru *lru, gconstpointer key)
{
    kd_lru_entry *e = g_hash_table_lookup(lru->map, key);
    if (e)
        drop_entry(lru, e);
}

guint
kd_lru_size(const kd_lru *lru)
{
    return g_hash_table_size(lru->map);
}
