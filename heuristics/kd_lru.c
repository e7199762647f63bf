/* kd_lru.c
 * A bounded map: oldest entry evicted when the cap is reached.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_lru.h"

#include <string.h>

typedef struct {
    gpointer key;       /* owned; also the hash table's key */
    gpointer value;
    GList *link;        /* this entry's place in the recency queue */
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
    g_queue_delete_link(&lru->order, e->link);
    if (lru->value_free && e->value)
        lru->value_free(e->value);
    g_free(e->key);
    g_free(e);
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
        g_queue_unlink(&lru->order, e->link);
        g_queue_push_head_link(&lru->order, e->link);
        return;
    }
    while (g_hash_table_size(lru->map) >= lru->cap && lru->order.tail)
        drop_entry(lru, lru->order.tail->data);
    e = g_new0(kd_lru_entry, 1);
    if (lru->key_size) {
        e->key = g_malloc(lru->key_size);
        memcpy(e->key, key, lru->key_size);
    } else {
        e->key = g_strdup(key);
    }
    e->value = value;
    g_queue_push_head(&lru->order, e);
    e->link = lru->order.head;
    g_hash_table_insert(lru->map, e->key, e);
}

gpointer
kd_lru_get(kd_lru *lru, gconstpointer key)
{
    kd_lru_entry *e = g_hash_table_lookup(lru->map, key);
    if (!e)
        return NULL;
    g_queue_unlink(&lru->order, e->link);
    g_queue_push_head_link(&lru->order, e->link);
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
