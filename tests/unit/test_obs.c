/* test_obs.c
 * Unit tests of the observation helpers: address text, which every store key
 * of the engine is built from.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "kd_obs.h"

/* IPv4 text is formatted by hand: it must read exactly as inet_ntop's. */
static void
test_ipv4_text_matches_inet_ntop(void **state)
{
    (void)state;
    static const guint8 quads[][4] = {
        { 0, 0, 0, 0 }, { 255, 255, 255, 255 }, { 10, 88, 0, 2 }, { 192, 168, 100, 9 },
        { 1, 10, 100, 200 }, { 99, 100, 101, 250 }, { 127, 0, 0, 1 }, { 169, 254, 7, 19 },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(quads); i++) {
        kd_addr a = { 0 };
        memcpy(a.bytes, quads[i], 4);
        a.len = 4;
        char mine[64], ref[INET6_ADDRSTRLEN];
        assert_non_null(inet_ntop(AF_INET, quads[i], ref, sizeof ref));
        assert_string_equal(kd_addr_to_str(&a, mine, sizeof mine), ref);
    }
    /* Every value of one octet, in each position. */
    for (guint v = 0; v < 256; v++) {
        kd_addr a = { .bytes = { (guint8)v, 1, (guint8)(255 - v), (guint8)v }, .len = 4 };
        char mine[64], ref[INET6_ADDRSTRLEN];
        assert_non_null(inet_ntop(AF_INET, a.bytes, ref, sizeof ref));
        assert_string_equal(kd_addr_to_str(&a, mine, sizeof mine), ref);
    }
    /* The longest text fills a 16-byte buffer exactly, NUL included. */
    kd_addr widest = { .bytes = { 255, 255, 255, 255 }, .len = 4 };
    char exact[16];
    assert_string_equal(kd_addr_to_str(&widest, exact, sizeof exact), "255.255.255.255");
}

/* IPv6, a short buffer and an empty address keep their old behaviour. */
static void
test_other_addresses(void **state)
{
    (void)state;
    kd_addr v6 = { .bytes = { 0xfe, 0x80, [15] = 1 }, .len = 16 };
    char buf[64];
    assert_string_equal(kd_addr_to_str(&v6, buf, sizeof buf), "fe80::1");
    kd_addr v4 = { .bytes = { 192, 168, 100, 200 }, .len = 4 };
    char small[8];
    assert_string_equal(kd_addr_to_str(&v4, small, sizeof small), "?");
    kd_addr none = { 0 };
    assert_string_equal(kd_addr_to_str(&none, buf, sizeof buf), "?");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_text_matches_inet_ntop),
        cmocka_unit_test(test_other_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
