/* test_probe.c
 * Unit tests of the probe rules: AS-REQs without a client or service name, and
 * user enumeration (single AS-REQs for many names, none pre-authenticated).
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

#define C_PRINCIPAL_UNKNOWN 6
#define PREAUTH_REQUIRED 25
#define GENERIC 60

static const char *const names[] = { "admin", "alice", "test", "guest", "bob", "backup", "oracle" };

/* An AS-REQ for name from client, answered with code; returns the error's frame. */
static guint32
ask(t_harness *h, int client, guint16 port, const char *name, gint32 code, gboolean preauth)
{
    kd_obs req = t_as_req(client, KDC, port, name, REALM, preauth);
    t_feed(h, &req);
    kd_obs err = t_error(&req, code, name, "krbtgt/" REALM);
    return t_feed(h, &err);
}

static gint32
code_for(const char *name)
{
    return strcmp(name, "alice") == 0 || strcmp(name, "bob") == 0 ? PREAUTH_REQUIRED : C_PRINCIPAL_UNKNOWN;
}

static void
test_nameless_requests(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* No client name, answered C_PRINCIPAL_UNKNOWN: the probe, the KDC rules' reading kept. */
    kd_obs req = t_as_req(CLIENT, KDC, 40000, NULL, REALM, FALSE);
    guint32 rf = t_feed(h, &req);
    kd_obs err = t_error(&req, C_PRINCIPAL_UNKNOWN, NULL, "krbtgt/" REALM);
    guint32 ef = t_feed(h, &err);
    const t_finding *f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_KDC_PROBE);
    assert_int_equal(f->confidence, KD_CONF_INFO);
    assert_true(has_alternative(f, KD_CAUSE_UNKNOWN_CLIENT));
    assert_true(t_has_evidence(f, rf));
    assert_non_null(strstr(f->summary, "client name"));
    /* No service name, answered KRB_ERR_GENERIC (no specific rule): one finding, the probe. */
    kd_obs req2 = t_as_req(CLIENT, KDC, 40001, "nmap", REALM, FALSE);
    req2.u.krb.sname = NULL;
    t_feed(h, &req2);
    kd_obs err2 = t_error(&req2, GENERIC, "nmap", NULL);
    ef = t_feed(h, &err2);
    f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_KDC_PROBE);
    assert_non_null(strstr(f->summary, "service name"));
    /* An empty string is no name either. */
    kd_obs req3 = t_as_req(CLIENT, KDC, 40002, "", REALM, FALSE);
    t_feed(h, &req3);
    kd_obs err3 = t_error(&req3, C_PRINCIPAL_UNKNOWN, NULL, "krbtgt/" REALM);
    ef = t_feed(h, &err3);
    assert_int_equal(only(h, ef)->cause, KD_CAUSE_KDC_PROBE);
    t_free(h);
}

static void
test_lookalike_named_request(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* A TGS-REQ without a client name is normal (the name is in the TGT). */
    kd_obs tgs = t_tgs_req(CLIENT, KDC, 40000, "HTTP/web.example.test", REALM, REALM, 18, 2);
    t_feed(h, &tgs);
    kd_obs err = t_error(&tgs, 7, NULL, "HTTP/web.example.test");
    guint32 ef = t_feed(h, &err);
    assert_int_equal(only(h, ef)->cause, KD_CAUSE_SPN_MISSING);
    /* One unknown name is a typo, not a probe. */
    ef = ask(h, CLIENT, 40001, "alcie", C_PRINCIPAL_UNKNOWN, FALSE);
    assert_int_equal(only(h, ef)->cause, KD_CAUSE_UNKNOWN_CLIENT);
    t_free(h);
}

static void
test_user_enumeration(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 frames[G_N_ELEMENTS(names)];
    for (guint i = 0; i < G_N_ELEMENTS(names); i++)
        frames[i] = ask(h, CLIENT, (guint16)(40000 + i), names[i], code_for(names[i]), FALSE);
    /* The first four keep their own causes and say they belong to the run (not as a
     * candidate cause: a confirmed finding lists none). */
    assert_int_equal(only(h, frames[0])->cause, KD_CAUSE_UNKNOWN_CLIENT);
    assert_int_equal(only(h, frames[1])->cause, KD_CAUSE_PREAUTH_REQUIRED);
    assert_false(has_alternative(only(h, frames[1]), KD_CAUSE_USER_ENUMERATION));
    assert_non_null(strstr(only(h, frames[1])->details, "user-enumeration run"));
    assert_non_null(strstr(only(h, frames[0])->details, "user-enumeration run"));
    assert_int_equal(only(h, frames[3])->cause, KD_CAUSE_UNKNOWN_CLIENT);
    /* From the fifth name on: the enumeration, citing the run. */
    for (guint i = 4; i < G_N_ELEMENTS(names); i++) {
        const t_finding *f = only(h, frames[i]);
        assert_int_equal(f->cause, KD_CAUSE_USER_ENUMERATION);
        assert_int_equal(f->confidence, KD_CONF_INFO);
        assert_true(t_has_evidence(f, frames[0]));         /* the first error of the run */
        assert_true(t_has_evidence(f, frames[i - 1]));
    }
    assert_non_null(strstr(only(h, frames[4])->summary, "name exists"));        /* bob */
    assert_non_null(strstr(only(h, frames[5])->summary, "does not exist"));     /* backup */
    assert_non_null(strstr(only(h, frames[5])->summary, "6 different names"));
    /* A name asked again later in the run is a retry or a logon: its own cause. */
    guint32 again = ask(h, CLIENT, 41000, "alice", PREAUTH_REQUIRED, FALSE);
    assert_int_equal(only(h, again)->cause, KD_CAUSE_PREAUTH_REQUIRED);
    t_free(h);
}

static void
test_lookalikes_logons_retries_many_hosts(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* A terminal server: many users, each pre-authenticating after PREAUTH_REQUIRED. */
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        guint32 ef = ask(h, CLIENT, (guint16)(40000 + i), names[i], PREAUTH_REQUIRED, FALSE);
        kd_obs pa = t_as_req(CLIENT, KDC, (guint16)(40100 + i), names[i], REALM, TRUE);
        t_feed(h, &pa);
        assert_int_equal(only(h, ef)->cause, KD_CAUSE_PREAUTH_REQUIRED);
    }
    /* One name retried many times. */
    for (guint i = 0; i < 8; i++) {
        guint32 ef = ask(h, 11, (guint16)(40200 + i), "alcie", C_PRINCIPAL_UNKNOWN, FALSE);
        assert_int_equal(only(h, ef)->cause, KD_CAUSE_UNKNOWN_CLIENT);
    }
    /* Many hosts, one unknown name each. */
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        guint32 ef = ask(h, 30 + (int)i, 40300, names[i], C_PRINCIPAL_UNKNOWN, FALSE);
        assert_int_equal(only(h, ef)->cause, KD_CAUSE_UNKNOWN_CLIENT);
    }
    assert_int_equal(t_total(h, KD_CAUSE_USER_ENUMERATION), 0);
    t_free(h);
}

static void
test_odd_fields(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* Pre-authenticated requests answered "unknown" are no enumeration step. */
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        guint32 ef = ask(h, CLIENT, (guint16)(40000 + i), names[i], C_PRINCIPAL_UNKNOWN, TRUE);
        assert_int_equal(only(h, ef)->cause, KD_CAUSE_UNKNOWN_CLIENT);
    }
    /* Other codes do not count (wrong passwords are guessing, another cause). */
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        guint32 ef = ask(h, 12, (guint16)(40100 + i), names[i], 24, TRUE);
        assert_int_equal(only(h, ef)->cause, KD_CAUSE_WRONG_PASSWORD);
    }
    /* Names differing only in case are one name. */
    static const char *const cased[] = { "Admin", "ADMIN", "admin", "aDmin", "admiN", "AdMiN" };
    for (guint i = 0; i < G_N_ELEMENTS(cased); i++)
        ask(h, 13, (guint16)(40200 + i), cased[i], C_PRINCIPAL_UNKNOWN, FALSE);
    /* Very long names. */
    char longname[600];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    for (guint i = 0; i < 6; i++) {
        longname[i] = 'a';
        ask(h, 14, (guint16)(40300 + i), longname, C_PRINCIPAL_UNKNOWN, FALSE);
    }
    assert_int_equal(t_total(h, KD_CAUSE_USER_ENUMERATION), 2);   /* the long names' 5th and 6th */
    t_free(h);
}

static void
test_group_off(void **state)
{
    (void)state;
    kd_config cfg;
    kd_config_default(&cfg);
    cfg.group_enabled[KD_GROUP_KDC] = FALSE;
    t_harness *h = t_new(&cfg);
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        guint32 ef = ask(h, CLIENT, (guint16)(40000 + i), names[i], C_PRINCIPAL_UNKNOWN, FALSE);
        assert_int_equal(only(h, ef)->cause, KD_CAUSE_KRB_ERROR);
    }
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nameless_requests),
        cmocka_unit_test(test_lookalike_named_request),
        cmocka_unit_test(test_user_enumeration),
        cmocka_unit_test(test_lookalikes_logons_retries_many_hosts),
        cmocka_unit_test(test_odd_fields),
        cmocka_unit_test(test_group_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
