/* test_keys.c
 * Unit tests of the store's building blocks that run on every frame the engine is
 * fed: keys composed without printf must be the very text printf made of them,
 * the bounded map must evict, refresh and free as before, and lower-casing must
 * stay ASCII-only.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kd_lru.h"
#include "kd_util.h"

static kd_addr
v4(guint8 a, guint8 b, guint8 c, guint8 d)
{
    kd_addr x = { .bytes = { a, b, c, d }, .len = 4 };
    return x;
}

/* Each part reads as "%s", "%u" or "%016x" of it would, joined by '|'. */
static void
test_key_is_printf_text(void **state)
{
    (void)state;
    kd_addr a = v4(10, 0, 0, 5), b = { .bytes = { 0xfe, 0x80, [15] = 1 }, .len = 16 }, none = { 0 };
    kd_key k;
    kd_key_init(&k);
    kd_key_str(&k, "tkt");
    kd_key_addr(&k, &a);
    kd_key_addr(&k, &b);
    kd_key_addr(&k, &none);
    kd_key_uint(&k, 0);
    kd_key_uint(&k, 88);
    kd_key_uint(&k, G_MAXUINT32);
    kd_key_hex64(&k, G_GUINT64_CONSTANT(0x00ab00cd0000ef12));
    kd_key_hex64(&k, 0);
    kd_key_lower(&k, "HTTP/Web.Example.TEST");
    kd_key_str(&k, NULL);
    kd_key_lower(&k, NULL);
    char *want = g_strdup_printf("tkt|10.0.0.5|fe80::1|?|%u|%u|%u|%016" G_GINT64_MODIFIER "x|%016" G_GINT64_MODIFIER "x|%s||",
                                 0u, 88u, G_MAXUINT32, G_GUINT64_CONSTANT(0x00ab00cd0000ef12), (guint64)0,
                                 "http/web.example.test");
    assert_string_equal(kd_key_text(&k), want);
    g_free(want);
    kd_key_done(&k);
    assert_string_equal(kd_key_text(&k), "");

    /* Empty parts keep their separators: ("", "x") and ("x", "") are two keys. */
    kd_key x, y;
    kd_key_init(&x);
    kd_key_str(&x, "");
    kd_key_str(&x, "x");
    kd_key_init(&y);
    kd_key_str(&y, "x");
    kd_key_str(&y, "");
    assert_string_equal(kd_key_text(&x), "|x");
    assert_string_equal(kd_key_text(&y), "x|");
    kd_key_done(&x);
    kd_key_done(&y);
}

/* A key longer than its local room moves to the heap whole; steal hands it over. */
static void
test_long_key_is_whole(void **state)
{
    (void)state;
    GString *part = g_string_new(NULL);
    for (int i = 0; i < 3 * KD_KEY_LOCAL; i++)
        g_string_append_c(part, (char)('A' + i % 26));
    char *lower = g_ascii_strdown(part->str, -1);
    kd_addr a = v4(192, 168, 1, 1), b = v4(192, 168, 1, 2);
    kd_key k;
    kd_key_pair(&k, &a, &b);
    kd_key_lower(&k, part->str);
    kd_key_str(&k, part->str);
    char *want = g_strdup_printf("192.168.1.1|192.168.1.2|%s|%s", lower, part->str);
    assert_string_equal(kd_key_text(&k), want);
    char *stolen = kd_key_steal(&k);
    assert_string_equal(stolen, want);
    assert_string_equal(kd_key_text(&k), "");
    kd_key_done(&k);

    char *pair = kd_addr_pair_text(&a, &b);
    assert_string_equal(pair, "192.168.1.1|192.168.1.2");
    kd_key_pair(&k, &a, &b);
    char *small = kd_key_steal(&k);
    assert_string_equal(small, pair);
    g_free(small);
    g_free(pair);
    g_free(stolen);
    g_free(want);
    g_free(lower);
    g_string_free(part, TRUE);
}

/* Lower case as g_ascii_strdown makes it: bytes above 127 stay as they are. */
static void
test_lower_is_ascii_only(void **state)
{
    (void)state;
    char all[256];
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    char *mine = kd_lower(all), *ref = g_ascii_strdown(all, -1);
    assert_string_equal(mine, ref);
    g_free(mine);
    g_free(ref);
    char *empty = kd_lower(NULL);
    assert_string_equal(empty, "");
    g_free(empty);
}

static guint freed;

static void
count_free(gpointer p)
{
    freed++;
    g_free(p);
}

/* The oldest entry goes at the cap; a get or a put makes an entry the newest; a
 * replaced, removed or evicted value is freed once. */
static void
test_lru_bounded(void **state)
{
    (void)state;
    freed = 0;
    kd_lru *lru = kd_lru_new(3, count_free);
    kd_lru_put(lru, "a", g_strdup("1"));
    kd_lru_put(lru, "b", g_strdup("2"));
    kd_lru_put(lru, "c", g_strdup("3"));
    assert_string_equal(kd_lru_get(lru, "a"), "1");    /* a is the newest now */
    kd_lru_put(lru, "d", g_strdup("4"));                /* evicts b */
    assert_null(kd_lru_get(lru, "b"));
    assert_int_equal(freed, 1);
    assert_int_equal(kd_lru_size(lru), 3);
    kd_lru_put(lru, "c", g_strdup("5"));                /* replaces, c the newest */
    assert_int_equal(freed, 2);
    kd_lru_put(lru, "e", g_strdup("6"));                /* evicts a */
    assert_null(kd_lru_get(lru, "a"));
    assert_string_equal(kd_lru_get(lru, "c"), "5");
    kd_lru_remove(lru, "d");
    assert_int_equal(freed, 4);
    assert_null(kd_lru_get(lru, "d"));
    assert_int_equal(kd_lru_size(lru), 2);
    kd_lru_free(lru);
    assert_int_equal(freed, 6);
}

static guint
addr_hash(gconstpointer k)
{
    return kd_key_hash(k, sizeof(kd_addr));
}

static gboolean
addr_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(kd_addr)) == 0;
}

/* Struct keys are copied: the caller's buffer may change afterwards. */
static void
test_lru_struct_keys(void **state)
{
    (void)state;
    kd_lru *lru = kd_lru_new_keyed(64, sizeof(kd_addr), addr_hash, addr_equal, g_free);
    for (guint i = 0; i < 100; i++) {
        kd_addr a = v4(10, 0, (guint8)(i / 256), (guint8)i);
        kd_lru_put(lru, &a, g_strdup_printf("%u", i));
        memset(&a, 0xff, sizeof a);     /* the table holds its own copy */
    }
    assert_int_equal(kd_lru_size(lru), 64);
    kd_addr oldest = v4(10, 0, 0, 35), kept = v4(10, 0, 0, 36), last = v4(10, 0, 0, 99);
    assert_null(kd_lru_get(lru, &oldest));
    assert_string_equal(kd_lru_get(lru, &kept), "36");
    assert_string_equal(kd_lru_get(lru, &last), "99");
    kd_lru_free(lru);
}

/* Puts, gets and removals in any order find what a plain map holds: the index keeps
 * every entry reachable after removals inside a probe run and after growing. */
static void
test_lru_matches_map(void **state)
{
    (void)state;
    kd_lru *lru = kd_lru_new_keyed(4096, sizeof(kd_addr), addr_hash, addr_equal, g_free);
    GHashTable *ref = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    guint32 x = 12345;
    for (guint step = 0; step < 20000; step++) {
        x = x * 1103515245u + 12345u;
        guint id = (x >> 8) % 700;
        kd_addr a = v4(10, 1, (guint8)(id / 256), (guint8)id);
        gpointer rk = GUINT_TO_POINTER(id + 1);
        switch ((x >> 24) % 4) {
        case 0:
        case 1:
            kd_lru_put(lru, &a, g_strdup_printf("%u", step));
            g_hash_table_insert(ref, rk, g_strdup_printf("%u", step));
            break;
        case 2:
            kd_lru_remove(lru, &a);
            g_hash_table_remove(ref, rk);
            break;
        default: {
            const char *got = kd_lru_get(lru, &a), *want = g_hash_table_lookup(ref, rk);
            if (want)
                assert_string_equal(got, want);
            else
                assert_null(got);
        }
        }
        assert_int_equal(kd_lru_size(lru), g_hash_table_size(ref));
    }
    for (guint id = 0; id < 700; id++) {
        kd_addr a = v4(10, 1, (guint8)(id / 256), (guint8)id);
        const char *got = kd_lru_get(lru, &a), *want = g_hash_table_lookup(ref, GUINT_TO_POINTER(id + 1));
        if (want)
            assert_string_equal(got, want);
        else
            assert_null(got);
    }
    g_hash_table_destroy(ref);
    kd_lru_free(lru);
}

/* With evictions between the look-up and the insertion: a value found is always the
 * latest put for its key, and the most recent puts are all there. */
static void
test_lru_evicting_matches_map(void **state)
{
    (void)state;
    const guint cap = 48;
    kd_lru *lru = kd_lru_new_keyed(cap, sizeof(kd_addr), addr_hash, addr_equal, g_free);
    GHashTable *ref = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    guint32 x = 777;
    for (guint step = 0; step < 20000; step++) {
        x = x * 1103515245u + 12345u;
        guint id = (x >> 8) % 300;
        kd_addr a = v4(10, 2, (guint8)(id / 256), (guint8)id);
        gpointer rk = GUINT_TO_POINTER(id + 1);
        if ((x >> 24) % 3 == 0) {
            const char *got = kd_lru_get(lru, &a);
            if (got)
                assert_string_equal(got, g_hash_table_lookup(ref, rk));
            continue;
        }
        kd_lru_put(lru, &a, g_strdup_printf("%u", step));
        g_hash_table_insert(ref, rk, g_strdup_printf("%u", step));
        assert_true(kd_lru_size(lru) <= cap);
    }
    /* cap puts of distinct keys in a row: every one of them is held, with its value. */
    for (guint id = 0; id < cap; id++) {
        kd_addr a = v4(10, 2, 0, (guint8)(id * 5));
        kd_lru_put(lru, &a, g_strdup_printf("last %u", id));
    }
    assert_int_equal(kd_lru_size(lru), cap);
    for (guint id = 0; id < cap; id++) {
        kd_addr a = v4(10, 2, 0, (guint8)(id * 5));
        char *want = g_strdup_printf("last %u", id);
        assert_string_equal(kd_lru_get(lru, &a), want);
        g_free(want);
    }
    g_hash_table_destroy(ref);
    kd_lru_free(lru);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_is_printf_text),
        cmocka_unit_test(test_long_key_is_whole),
        cmocka_unit_test(test_lower_is_ascii_only),
        cmocka_unit_test(test_lru_bounded),
        cmocka_unit_test(test_lru_struct_keys),
        cmocka_unit_test(test_lru_matches_map),
        cmocka_unit_test(test_lru_evicting_matches_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
