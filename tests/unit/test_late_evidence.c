/* test_late_evidence.c
 * Evidence that arrives after the failures it explains: every failure it explains
 * is amended, and the frame where it arrives carries a finding of its own (what a
 * single pass shows).
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
#define DEAD 5
#define CLIENT 10
#define SPN "HTTP/web.example.test"

static guint32
spn_failure(t_harness *h, guint16 port, const char *spn)
{
    kd_obs req = t_tgs_req(CLIENT, KDC, port, spn, REALM, REALM, 18, 1);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 7, NULL, spn);
    return t_feed(h, &err);
}

static void
test_ldap_duplicate_amends_every_earlier_failure(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 e1 = spn_failure(h, 50000, SPN);
    guint32 e2 = spn_failure(h, 50001, SPN);
    assert_int_equal(t_get(h, e1, 0)->cause, KD_CAUSE_SPN_MISSING);
    kd_obs a = t_ldap_entry(CLIENT, KDC, "web1$", SPN);
    t_feed(h, &a);
    kd_obs b = t_ldap_entry(CLIENT, KDC, "svc_web", SPN);
    guint32 lf = t_feed(h, &b);
    assert_int_equal(t_get(h, e1, 0)->cause, KD_CAUSE_DUPLICATE_SPN);
    assert_int_equal(t_get(h, e2, 0)->cause, KD_CAUSE_DUPLICATE_SPN);
    /* the deciding frame names the failures it re-explains */
    const t_finding *d = t_get(h, lf, 0);
    assert_non_null(d);
    assert_int_equal(d->cause, KD_CAUSE_DUPLICATE_SPN);
    assert_true(t_has_evidence(d, e1) && t_has_evidence(d, e2));
    assert_non_null(strstr(d->summary, "2 accounts"));
    t_free(h);
}

/* Look-alike: LDAP showing the SPN on one account changes nothing and says nothing. */
static void
test_ldap_single_owner_changes_nothing(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 e1 = spn_failure(h, 50000, SPN);
    kd_obs a = t_ldap_entry(CLIENT, KDC, "web1$", SPN);
    guint32 lf = t_feed(h, &a);
    assert_int_equal(t_get(h, e1, 0)->cause, KD_CAUSE_SPN_MISSING);
    assert_int_equal(t_count(h, lf), 0);
    t_free(h);
}

/* Contradiction: a duplicate of another SPN does not explain these failures. */
static void
test_ldap_duplicate_of_another_spn_leaves_failures(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 e1 = spn_failure(h, 50000, SPN);
    kd_obs a = t_ldap_entry(CLIENT, KDC, "a$", "HTTP/other.example.test");
    t_feed(h, &a);
    kd_obs b = t_ldap_entry(CLIENT, KDC, "b$", "HTTP/other.example.test");
    guint32 lf = t_feed(h, &b);
    assert_int_equal(t_get(h, e1, 0)->cause, KD_CAUSE_SPN_MISSING);
    assert_int_equal(t_count(h, lf), 0);
    t_free(h);
}

/* The request a KDC leaves unanswered has passed when the deciding sign arrives:
 * that frame carries its own finding. */
static void
test_unreachable_kdc_reported_on_deciding_frame(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, DEAD, 50000, "alice", REALM, FALSE);
    guint32 rf = t_feed(h, &req);
    assert_int_equal(t_count(h, rf), 0);
    t_sleep(h, 1.0);
    guint32 again = t_feed(h, &req);
    const t_finding *d = t_get(h, again, 0);
    assert_non_null(d);
    assert_int_equal(d->cause, KD_CAUSE_KDC_UNREACHABLE);
    assert_true(t_has_evidence(d, rf));
    /* a third retransmission adds to the series, no new finding */
    t_sleep(h, 3.0);
    guint32 third = t_feed(h, &req);
    assert_int_equal(t_count(h, third), 0);
    assert_true(t_has_evidence(t_get(h, rf, 0), third));
    t_free(h);
}

/* Look-alike: a request answered late (within the client's patience) is no series. */
static void
test_answered_request_has_no_deciding_finding(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, KDC, 50000, "alice", REALM, FALSE);
    t_feed(h, &req);
    t_sleep(h, 0.3);
    kd_obs err = t_error(&req, 25, "alice", "krbtgt/" REALM);
    t_feed(h, &err);
    t_sleep(h, 1.0);
    kd_obs next = t_as_req(CLIENT, KDC, 50001, "alice", REALM, TRUE);
    t_feed(h, &next);
    assert_int_equal(t_total(h, KD_CAUSE_KDC_UNREACHABLE), 0);
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ldap_duplicate_amends_every_earlier_failure),
        cmocka_unit_test(test_ldap_single_owner_changes_nothing),
        cmocka_unit_test(test_ldap_duplicate_of_another_spn_leaves_failures),
        cmocka_unit_test(test_unreachable_kdc_reported_on_deciding_frame),
        cmocka_unit_test(test_answered_request_has_no_deciding_finding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
