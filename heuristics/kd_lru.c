/* kd_lru.c
 * A bounded map: oldest entry evicted when the cap is reached.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_lru.h"
#include "kd_util.h"     /* kd_key_hash */

#include <string.h>

/* One allocation per entry: the entry, its place in the recency queue and a copy
 * of its key, which follows the struct. The store puts and gets on most frames it
 * is fed, so an entry costs one malloc, not three. */
typedef struct {
    GList link;         /* this entry's place in the recency queue; data: the entry */
    gpointer value;
    gpointer key;       /* the copy after the struct */
    guint hash;         /* the key's hash, kept for probing and growing */
} kd_lru_entry;

/* The index is an open-addressing table (linear probing, at most half full, removal
 * by shifting the following run back): a look-up hashes the key once and compares
 * hashes before keys, with no tombstones left by evictions. */
struct kd_lru {
    guint cap;
    gsize key_size;     /* 0: NUL-terminated string keys */
    GHashFunc hash;
    GEqualFunc equal;
    GDestroyNotify value_free;
    kd_lru_entry **slots;   /* n_slots, a power of two; NULL: empty */
    guint n_slots, shift;   /* shift: 32 - log2(n_slots) */
    guint size;
    GQueue order;       /* head = most recent */
};

#define KD_LRU_MIN_SLOTS 64u   /* room for 32 entries before the first growth */

kd_lru *
kd_lru_new_keyed(guint cap, gsize key_size, GHashFunc hash, GEqualFunc equal, GDestroyNotify value_free)
{
    kd_lru *lru = g_new0(kd_lru, 1);
    lru->cap = cap ? cap : 1;
    lru->key_size = key_size;
    lru->hash = hash;
    lru->equal = equal;
    lru->value_free = value_free;
    g_queue_init(&lru->order);
    return lru;
}

/* String keys ("tkt|10.0.0.5|http/web.example.test") run to tens of bytes:
 * hashed a word at a time, not a byte at a time as g_str_hash does. */
static guint
str_hash(gconstpointer key)
{
    return kd_key_hash(key, strlen(key));
}

kd_lru *
kd_lru_new(guint cap, GDestroyNotify value_free)
{
    return kd_lru_new_keyed(cap, 0, str_hash, g_str_equal, value_free);
}

/* The home slot of a hash (Fibonacci hashing: every bit of the hash counts, so
 * sequential keys such as frame numbers spread too). */
static guint
home_of(const kd_lru *lru, guint hash)
{
    return (guint)(((guint32)hash * 2654435769u) >> lru->shift);
}

/* The slot holding key, or the empty slot where it would go. */
static guint
find_slot(const kd_lru *lru, gconstpointer key, guint hash)
{
    guint mask = lru->n_slots - 1, i = home_of(lru, hash);
    for (;;) {
        const kd_lru_entry *e = lru->slots[i];
        if (!e || (e->hash == hash && lru->equal(e->key, key)))
            return i;
        i = (i + 1) & mask;
    }
}

static kd_lru_entry *
lookup(const kd_lru *lru, gconstpointer key, guint hash)
{
    return lru->n_slots ? lru->slots[find_slot(lru, key, hash)] : NULL;
}

static void
grow(kd_lru *lru)
{
    guint old_n = lru->n_slots;
    kd_lru_entry **old = lru->slots;
    lru->n_slots = old_n ? old_n * 2 : KD_LRU_MIN_SLOTS;
    lru->shift = 32;
    for (guint n = lru->n_slots; n > 1; n >>= 1)
        lru->shift--;
    lru->slots = g_new0(kd_lru_entry *, lru->n_slots);
    guint mask = lru->n_slots - 1;
    for (guint i = 0; i < old_n; i++) {
        if (!old[i])
            continue;
        guint j = home_of(lru, old[i]->hash);
        while (lru->slots[j])
            j = (j + 1) & mask;
        lru->slots[j] = old[i];
    }
    g_free(old);
}

/* Empty slot i, and move back the entries after it that probing would no longer reach. */
static void
clear_slot(kd_lru *lru, guint i)
{
    guint mask = lru->n_slots - 1;
    lru->slots[i] = NULL;
    for (guint j = (i + 1) & mask; lru->slots[j]; j = (j + 1) & mask) {
        guint home = home_of(lru, lru->slots[j]->hash);
        /* The entry at j stays when its home lies cyclically within (i, j]. */
        gboolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        lru->slots[i] = lru->slots[j];
        lru->slots[j] = NULL;
        i = j;
    }
}

static void
drop_entry(kd_lru *lru, kd_lru_entry *e)
{
    clear_slot(lru, find_slot(lru, e->key, e->hash));
    lru->size--;
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
    /* The whole index goes: no slot to empty, no run to shift back. */
    for (GList *l = lru->order.head, *next; l; l = next) {
        kd_lru_entry *e = l->data;
        next = l->next;
        if (lru->value_free && e->value)
            lru->value_free(e->value);
        g_free(e);
    }
    g_free(lru->slots);
    g_free(lru);
}

void
kd_lru_put(kd_lru *lru, gconstpointer key, gpointer value)
{
    guint hash = lru->hash(key);
    /* The empty slot the look-up ends at is where the key goes, unless an eviction
     * (which moves entries back) or growing comes first. */
    gboolean have_slot = lru->n_slots > 0;
    guint slot = have_slot ? find_slot(lru, key, hash) : 0;
    kd_lru_entry *e = have_slot ? lru->slots[slot] : NULL;
    if (e) {
        if (lru->value_free && e->value && e->value != value)
            lru->value_free(e->value);
        e->value = value;
        touch_entry(lru, e);
        return;
    }
    while (lru->size >= lru->cap && lru->order.tail) {
        drop_entry(lru, lru->order.tail->data);
        have_slot = FALSE;
    }
    if ((lru->size + 1) * 2 > lru->n_slots) {
        grow(lru);
        have_slot = FALSE;
    }
    gsize key_size = lru->key_size ? lru->key_size : strlen(key) + 1;
    e = g_malloc(sizeof(kd_lru_entry) + key_size);
    e->key = e + 1;
    memcpy(e->key, key, key_size);
    e->value = value;
    e->hash = hash;
    e->link.data = e;
    e->link.next = e->link.prev = NULL;
    g_queue_push_head_link(&lru->order, &e->link);
    lru->slots[have_slot ? slot : find_slot(lru, key, hash)] = e;
    lru->size++;
}

gpointer
kd_lru_get(kd_lru *lru, gconstpointer key)
{
    if (!lru->size)
        return NULL;
    kd_lru_entry *e = lookup(lru, key, lru->hash(key));
    if (!e)
        return NULL;
    touch_entry(lru, e);
    return e->value;
}

void
kd_lru_remove(kd_lru *lru, gconstpointer key)
{
    if (!lru->size)
        return;
    kd_lru_entry *e = lookup(lru, key, lru->hash(key));
    if (e)
        drop_entry(lru, e);
}

guint
kd_lru_size(const kd_lru *lru)
{
    return lru->size;
}
