/* test_pending.c
 * Unit tests of the table of exchanges waiting for their answer (kd_pending), which
 * decides when the plugin asks Wireshark for its late fields: an answer from the
 * server's side ends only its own connection's exchange, renewing does not
 * duplicate, waiting ends by itself after KD_PENDING_WAIT_S of capture time either
 * way, the table stays bounded, and hostile times cannot overflow.
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

#include "kd_pending.h"

enum { KIND_HTTP = 3, KIND_KDC = 7 };

static kd_pending_exchange
exchange(guint kind, guint8 client_last, guint16 client_port, guint16 server_port, gint64 t)
{
    kd_pending_exchange e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    e.client.len = 4;
    e.client.bytes[0] = 10;
    e.client.bytes[3] = client_last;
    e.server.len = 4;
    e.server.bytes[0] = 10;
    e.server.bytes[3] = 200;
    e.client_port = client_port;
    e.server_port = server_port;
    e.opened_s = t;
    return e;
}

static void
test_answer_ends_its_own_connection(void **state)
{
    (void)state;
    static kd_pending p;
    kd_pending_clear(&p);
    kd_pending_exchange a = exchange(KIND_HTTP, 1, 50000, 80, 100);
    kd_pending_exchange b = exchange(KIND_HTTP, 2, 50000, 80, 100);
    assert_int_equal(kd_pending_open(&p, &a), 1u << KIND_HTTP);
    assert_int_equal(kd_pending_open(&p, &b), 0);      /* the kind waited already */
    assert_true(kd_pending_waits(&p, KIND_HTTP));
    assert_false(kd_pending_waits(&p, KIND_KDC));
    /* Another port of the same client, or the same connection of another kind: no answer. */
    kd_pending_exchange other_port = exchange(KIND_HTTP, 1, 50001, 80, 100);
    kd_pending_exchange other_kind = exchange(KIND_KDC, 1, 50000, 80, 100);
    assert_int_equal(kd_pending_close(&p, &other_port), 0);
    assert_int_equal(kd_pending_close(&p, &other_kind), 0);
    assert_int_equal(p.n, 2);
    assert_true(kd_pending_has(&p, &a));
    assert_false(kd_pending_has(&p, &other_port));
    assert_false(kd_pending_has(&p, &other_kind));
    /* a's answer ends a only; b still waits. */
    assert_int_equal(kd_pending_close(&p, &a), 0);
    assert_false(kd_pending_has(&p, &a));
    assert_int_equal(p.n, 1);
    assert_true(kd_pending_waits(&p, KIND_HTTP));
    assert_int_equal(kd_pending_close(&p, &a), 0);    /* answered already */
    assert_int_equal(kd_pending_close(&p, &b), 1u << KIND_HTTP);
    assert_false(kd_pending_waits(&p, KIND_HTTP));
    assert_int_equal(p.n, 0);
}

static void
test_renewing_does_not_duplicate(void **state)
{
    (void)state;
    static kd_pending p;
    kd_pending_clear(&p);
    kd_pending_exchange a = exchange(KIND_KDC, 1, 40000, 88, 100);
    kd_pending_open(&p, &a);
    a.opened_s = 200;
    assert_int_equal(kd_pending_open(&p, &a), 0);
    assert_int_equal(p.n, 1);
    /* Renewed at 200: still waiting at 300, not at 321. */
    assert_int_equal(kd_pending_expire(&p, 300), 0);
    assert_int_equal(kd_pending_expire(&p, 200 + KD_PENDING_WAIT_S + 1), 1u << KIND_KDC);
    assert_int_equal(p.n, 0);
}

static void
test_waiting_ends_by_itself_either_way(void **state)
{
    (void)state;
    static kd_pending p;
    kd_pending_clear(&p);
    kd_pending_exchange old = exchange(KIND_KDC, 1, 40000, 88, 1000);
    kd_pending_exchange recent = exchange(KIND_HTTP, 2, 40001, 80, 1100);
    kd_pending_open(&p, &old);
    kd_pending_open(&p, &recent);
    assert_int_equal(kd_pending_expire(&p, 1000 + KD_PENDING_WAIT_S), 0);
    assert_int_equal(kd_pending_expire(&p, 1000 + KD_PENDING_WAIT_S + 1), 1u << KIND_KDC);
    assert_true(kd_pending_waits(&p, KIND_HTTP));
    /* The clock jumps back by more than the wait: the recent one ends too. */
    assert_int_equal(kd_pending_expire(&p, 1100 - KD_PENDING_WAIT_S - 1), 1u << KIND_HTTP);
    assert_int_equal(p.n, 0);
    assert_int_equal(kd_pending_expire(&p, 0), 0);
}

static void
test_bounded_oldest_gives_way(void **state)
{
    (void)state;
    static kd_pending p;
    kd_pending_clear(&p);
    /* The oldest is the only KDC exchange. */
    kd_pending_exchange kdc = exchange(KIND_KDC, 1, 1, 88, 10);
    kd_pending_open(&p, &kdc);
    for (guint i = 1; i < KD_PENDING_MAX; i++) {
        kd_pending_exchange h = exchange(KIND_HTTP, 2, (guint16)(1000 + i), 80, 20 + i);
        kd_pending_open(&p, &h);
    }
    assert_int_equal(p.n, KD_PENDING_MAX);
    /* One more HTTP exchange: the KDC one gives way, and its kind waits no more. */
    kd_pending_exchange extra = exchange(KIND_HTTP, 3, 9, 80, 500);
    assert_int_equal(kd_pending_open(&p, &extra), 1u << KIND_KDC);
    assert_int_equal(p.n, KD_PENDING_MAX);
    assert_false(kd_pending_waits(&p, KIND_KDC));
    assert_int_equal(kd_pending_close(&p, &kdc), 0);
    /* One more again: the oldest HTTP one gives way, and HTTP still waits (no change). */
    kd_pending_exchange more = exchange(KIND_HTTP, 4, 9, 80, 501);
    assert_int_equal(kd_pending_open(&p, &more), 0);
    assert_int_equal(p.n, KD_PENDING_MAX);
    kd_pending_exchange first_http = exchange(KIND_HTTP, 2, 1001, 80, 0);
    assert_int_equal(kd_pending_close(&p, &first_http), 0);
    assert_int_equal(p.n, KD_PENDING_MAX);
}

static void
test_hostile_times_and_kinds(void **state)
{
    (void)state;
    static kd_pending p;
    kd_pending_clear(&p);
    kd_pending_exchange far = exchange(KIND_KDC, 1, 1, 88, G_MAXINT64);
    kd_pending_open(&p, &far);
    assert_int_equal(kd_pending_expire(&p, G_MININT64), 1u << KIND_KDC);
    kd_pending_exchange past = exchange(KIND_KDC, 1, 1, 88, G_MININT64);
    kd_pending_open(&p, &past);
    assert_int_equal(kd_pending_expire(&p, G_MAXINT64), 1u << KIND_KDC);
    /* A kind beyond the table's is ignored, not written out of bounds. */
    kd_pending_exchange bad = exchange(KD_PENDING_KINDS, 1, 1, 88, 0);
    assert_int_equal(kd_pending_open(&p, &bad), 0);
    assert_int_equal(kd_pending_close(&p, &bad), 0);
    assert_false(kd_pending_waits(&p, KD_PENDING_KINDS));
    assert_int_equal(p.n, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_ends_its_own_connection),
        cmocka_unit_test(test_renewing_does_not_duplicate),
        cmocka_unit_test(test_waiting_ends_by_itself_either_way),
        cmocka_unit_test(test_bounded_oldest_gives_way),
        cmocka_unit_test(test_hostile_times_and_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
