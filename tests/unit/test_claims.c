/* test_claims.c
 * Unit tests of claims and their contradiction checks: a finding is confirmed only
 * when its rule declared checks, ran them all and none found a contradiction.
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

#include "kd_findings.h"

typedef struct {
    kd_config cfg;
    kd_findings *fx;
} fixture;

static int
setup(void **state)
{
    fixture *fix = g_new0(fixture, 1);
    kd_config_default(&fix->cfg);
    fix->fx = kd_findings_new(&fix->cfg);
    *state = fix;
    return 0;
}

static int
teardown(void **state)
{
    fixture *fix = *state;
    kd_findings_free(fix->fx);
    g_free(fix);
    return 0;
}

static kd_finding *
new_finding(void **state, kd_confidence conf)
{
    fixture *fix = *state;
    return kd_finding_add(fix->fx, 7, KD_CAUSE_DC_ETYPE_MISMATCH, conf, 60, "host/a", "alice");
}

static void
test_claim_confirms_when_every_check_passes(void **state)
{
    kd_finding *f = new_finding(state, KD_CONF_LIKELY);
    kd_claim c;
    kd_claim_init(&c);
    guint a = kd_claim_declare(&c, "the issuing KDC refuses the same ticket");
    guint b = kd_claim_declare(&c, "the refusing KDC accepts the same ticket");
    kd_claim_result(&c, a, FALSE);
    kd_claim_result(&c, b, FALSE);
    assert_true(kd_claim_holds(&c));
    assert_true(kd_finding_confirm(f, &c));
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_int_equal(f->n_checks, 2);
    assert_string_equal(f->checks[1], "the refusing KDC accepts the same ticket");
    assert_int_equal(f->checked_cause, KD_CAUSE_DC_ETYPE_MISMATCH);
}

static void
test_claim_declared_but_not_run_is_likely(void **state)
{
    kd_finding *f = new_finding(state, KD_CONF_CONFIRMED);
    kd_claim c;
    kd_claim_init(&c);
    kd_claim_check(&c, "the issuing KDC refuses the same ticket", FALSE);
    /* Declared, never run: the capture lacked what the check needs. */
    kd_claim_declare(&c, "the refusing KDC accepts the same ticket");
    assert_false(kd_claim_holds(&c));
    assert_false(kd_finding_confirm(f, &c));
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_int_equal(f->n_checks, 0);
}

static void
test_claim_contradicted_is_likely(void **state)
{
    kd_finding *f = new_finding(state, KD_CONF_CONFIRMED);
    kd_claim c;
    kd_claim_init(&c);
    assert_true(kd_claim_check(&c, "the issuing KDC refuses the same ticket", FALSE));
    assert_false(kd_claim_check(&c, "the refusing KDC accepts the same ticket", TRUE));
    assert_false(kd_finding_confirm(f, &c));
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
}

static void
test_claim_without_checks_never_confirms(void **state)
{
    kd_finding *f = new_finding(state, KD_CONF_CONFIRMED);
    kd_claim c;
    kd_claim_init(&c);
    assert_false(kd_claim_holds(&c));
    assert_false(kd_finding_confirm(f, &c));
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    /* A weaker confidence is never raised to likely by a failed confirmation. */
    kd_finding *g = new_finding(state, KD_CONF_POSSIBLE);
    assert_false(kd_finding_confirm(g, &c));
    assert_int_equal(g->confidence, KD_CONF_POSSIBLE);
}

static void
test_claim_with_too_many_checks_never_confirms(void **state)
{
    kd_finding *f = new_finding(state, KD_CONF_LIKELY);
    kd_claim c;
    kd_claim_init(&c);
    for (guint i = 0; i < KD_MAX_CHECKS + 1; i++)
        kd_claim_check(&c, "a check", FALSE);
    assert_int_equal(c.n, KD_MAX_CHECKS);
    assert_false(kd_finding_confirm(f, &c));
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
}

static void
test_confirm_one(void **state)
{
    kd_finding *f = new_finding(state, KD_CONF_LIKELY);
    assert_true(kd_finding_confirm_one(f, "an AS-REP for the same client follows", FALSE));
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_false(kd_finding_confirm_one(f, "an AS-REP for the same client follows", TRUE));
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_false(kd_finding_confirm_one(NULL, "nothing", FALSE));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_claim_confirms_when_every_check_passes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_declared_but_not_run_is_likely, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_contradicted_is_likely, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_without_checks_never_confirms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_with_too_many_checks_never_confirms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirm_one, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
