/* test_copies_pairing.c
 * Recorded copies of one message, addresses no host has, and pairing an answer
 * with its request by connection and order.
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

#include "kd_testlib.h"

#define REALM "EXAMPLE.TEST"
#define KDC 2
#define CLIENT 10

/* The message's bytes as the plugin digests them. */
static kd_obs
with_bytes(kd_obs o, guint32 digest)
{
    o.u.krb.msg_digest = digest;
    o.u.krb.msg_len = 300;
    return o;
}

static kd_addr
nowhere(void)
{
    kd_addr a = { 4, { 0, 0, 0, 0 } };
    return a;
}

/* Feed a copy recorded `us` microseconds after the original. */
static guint32
feed_copy(t_harness *h, kd_obs *o, gint64 us)
{
    h->now_us -= 1000;          /* t_feed advances 1 ms per frame */
    h->now_us += us;
    return t_feed(h, o);
}

/* ------------------------------------------------------------------ item 3 */

static void
test_copy_with_unspecified_address_is_one_message(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = with_bytes(t_as_req(CLIENT, KDC, 50000, "alice", REALM, FALSE), 0x1111);
    guint32 rf = t_feed(h, &req);
    kd_obs req_copy = req;
    req_copy.dst = nowhere();
    feed_copy(h, &req_copy, 40);
    /* socket_wrapper writes the answer's first copy from 0.0.0.0 */
    kd_obs err = with_bytes(t_error(&req, 25, "alice", "krbtgt/" REALM), 0x2222);
    err.src = nowhere();
    guint32 ef = t_feed(h, &err);
    kd_obs err_copy = with_bytes(t_error(&req, 25, "alice", "krbtgt/" REALM), 0x2222);
    guint32 cf = feed_copy(h, &err_copy, 45);
    assert_int_equal(t_count(h, ef), 1);
    assert_int_equal(t_count(h, cf), 0);
    assert_int_equal(t_total(h, KD_CAUSE_PREAUTH_REQUIRED), 1);
    assert_true(t_has_evidence(t_get(h, ef, 0), rf));
    t_free(h);
}

static void
test_copy_on_two_interfaces_is_one_message(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = with_bytes(t_tgs_req(CLIENT, KDC, 50000, "host/nosuch.example.test", REALM, REALM, 18, 1), 0x3333);
    t_feed(h, &req);
    feed_copy(h, &req, 8);
    kd_obs err = with_bytes(t_error(&req, 7, NULL, "host/nosuch.example.test"), 0x4444);
    guint32 ef = t_feed(h, &err);
    guint32 cf = feed_copy(h, &err, 9);
    assert_int_equal(t_count(h, ef), 1);
    assert_int_equal(t_count(h, cf), 0);
    assert_int_equal(t_total(h, KD_CAUSE_SPN_MISSING), 1);
    t_free(h);
}

/* Look-alike: a client's own retransmission is byte-identical too, but a second
 * later; it is a second message (a sign the KDC does not answer). */
static void
test_retransmission_is_not_a_copy(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = with_bytes(t_as_req(CLIENT, KDC, 50000, "alice", REALM, FALSE), 0x5555);
    guint32 rf = t_feed(h, &req);
    t_sleep(h, 1.0);
    guint32 again = t_feed(h, &req);
    assert_int_equal(t_total(h, KD_CAUSE_KDC_UNREACHABLE), 2);     /* the series and its deciding frame */
    assert_true(t_has_evidence(t_get(h, rf, 0), again));
    t_free(h);
}

/* Contradiction: the same bytes from two real, different hosts at once are two
 * messages (two clients replaying one request), each answered on its own. */
static void
test_same_bytes_other_hosts_are_two_messages(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs a = with_bytes(t_tgs_req(CLIENT, KDC, 50000, "host/nosuch.example.test", REALM, REALM, 18, 1), 0x6666);
    t_feed(h, &a);
    kd_obs b = a;
    b.src = t_ip(CLIENT + 1);
    feed_copy(h, &b, 10);
    kd_obs ea = with_bytes(t_error(&a, 7, NULL, "host/nosuch.example.test"), 0x7777);
    guint32 fa = t_feed(h, &ea);
    kd_obs eb = with_bytes(t_error(&b, 7, NULL, "host/nosuch.example.test"), 0x7777);
    guint32 fb = feed_copy(h, &eb, 10);
    assert_int_equal(t_count(h, fa), 1);
    assert_int_equal(t_count(h, fb), 1);
    t_free(h);
}

/* 0.0.0.0 is never a KDC: a TGT issued by the KDC and refused in an answer recorded
 * from 0.0.0.0 is not "refused by another KDC". */
static void
test_unspecified_address_is_never_a_kdc(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs as = with_bytes(t_as_req(CLIENT, KDC, 50000, "alice", REALM, TRUE), 0x1);
    t_feed(h, &as);
    kd_obs tgt = with_bytes(t_rep(&as, KD_MSG_AS_REP, "alice", "krbtgt/" REALM, REALM, 18, 1), 0x2);
    t_feed(h, &tgt);
    kd_obs tgs = with_bytes(t_tgs_req(CLIENT, KDC, 50001, "ldap/dc.example.test", REALM, REALM, 18, 1), 0x3);
    t_feed(h, &tgs);
    kd_obs err = with_bytes(t_error(&tgs, 60, NULL, "ldap/dc.example.test"), 0x4);
    err.src = nowhere();
    guint32 ef = t_feed(h, &err);
    assert_int_equal(t_count(h, ef), 1);
    assert_int_not_equal(t_get(h, ef, 0)->cause, KD_CAUSE_DC_ETYPE_MISMATCH);
    assert_int_equal(t_total(h, KD_CAUSE_DC_ETYPE_MISMATCH), 0);
    t_free(h);
}

/* ------------------------------------------------------------------ item 6 */

/* An error on a connection whose only request could not be read pairs with that
 * request, not with the host's latest readable request on another connection. */
static void
test_error_pairs_with_unreadable_request_on_its_connection(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs other = t_over_tcp(t_tgs_req(CLIENT, KDC, 49171, "host/pc.example.test", REALM, REALM, 18, 1));
    guint32 of = t_feed(h, &other);
    kd_obs rep = t_rep(&other, KD_MSG_TGS_REP, NULL, "host/pc.example.test", REALM, 18, 1);
    t_feed(h, &rep);
    kd_obs part = t_tcp_partial(CLIENT, KDC, 49173);
    guint32 pf = t_feed(h, &part);
    kd_obs req_shape = t_over_tcp(t_tgs_req(CLIENT, KDC, 49173, NULL, REALM, NULL, -1, -1));
    kd_obs err = t_error(&req_shape, 13, NULL, "host/echoed.example.test");
    guint32 ef = t_feed(h, &err);
    const t_finding *f = t_get(h, ef, 0);
    assert_non_null(f);
    assert_true(t_has_evidence(f, pf));
    assert_false(t_has_evidence(f, of));
    assert_string_equal(f->spn, "host/echoed.example.test");
    t_free(h);
}

/* Two requests on one connection: answers come in order. */
static void
test_answers_pair_by_order_on_a_connection(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs a = t_over_tcp(t_tgs_req(CLIENT, KDC, 49200, "host/a.example.test", REALM, REALM, 18, 1));
    guint32 af = t_feed(h, &a);
    kd_obs b = t_over_tcp(t_tgs_req(CLIENT, KDC, 49200, "host/b.example.test", REALM, REALM, 18, 1));
    guint32 bf = t_feed(h, &b);
    kd_obs ea = t_error(&a, 7, NULL, NULL);
    guint32 eaf = t_feed(h, &ea);
    kd_obs eb = t_error(&b, 7, NULL, NULL);
    guint32 ebf = t_feed(h, &eb);
    assert_string_equal(t_get(h, eaf, 0)->spn, "host/a.example.test");
    assert_true(t_has_evidence(t_get(h, eaf, 0), af));
    assert_string_equal(t_get(h, ebf, 0)->spn, "host/b.example.test");
    assert_true(t_has_evidence(t_get(h, ebf, 0), bf));
    t_free(h);
}

/* Look-alike: an error on a port no request used names only what it carries. */
static void
test_error_without_request_is_not_paired_by_host(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs a = t_tgs_req(CLIENT, KDC, 50000, "host/a.example.test", REALM, REALM, 18, 1);
    guint32 af = t_feed(h, &a);
    kd_obs shape = t_tgs_req(CLIENT, KDC, 50999, NULL, REALM, NULL, -1, -1);
    kd_obs err = t_error(&shape, 7, NULL, "host/z.example.test");
    guint32 ef = t_feed(h, &err);
    const t_finding *f = t_get(h, ef, 0);
    assert_string_equal(f->spn, "host/z.example.test");
    assert_false(t_has_evidence(f, af));
    t_free(h);
}

/* Contradiction: the unreadable start of a request that a later segment completes
 * is the same request: the answer pairs with the readable one. */
static void
test_completed_request_supersedes_its_first_segment(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs part = t_tcp_partial(CLIENT, KDC, 49300);
    t_feed(h, &part);
    kd_obs req = t_over_tcp(t_tgs_req(CLIENT, KDC, 49300, "host/c.example.test", REALM, REALM, 18, 1));
    guint32 rf = t_feed(h, &req);
    kd_obs err = t_error(&req, 7, NULL, NULL);
    guint32 ef = t_feed(h, &err);
    assert_string_equal(t_get(h, ef, 0)->spn, "host/c.example.test");
    assert_true(t_has_evidence(t_get(h, ef, 0), rf));
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_with_unspecified_address_is_one_message),
        cmocka_unit_test(test_copy_on_two_interfaces_is_one_message),
        cmocka_unit_test(test_retransmission_is_not_a_copy),
        cmocka_unit_test(test_same_bytes_other_hosts_are_two_messages),
        cmocka_unit_test(test_unspecified_address_is_never_a_kdc),
        cmocka_unit_test(test_error_pairs_with_unreadable_request_on_its_connection),
        cmocka_unit_test(test_answers_pair_by_order_on_a_connection),
        cmocka_unit_test(test_error_without_request_is_not_paired_by_host),
        cmocka_unit_test(test_completed_request_supersedes_its_first_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
