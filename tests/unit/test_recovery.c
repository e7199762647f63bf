/* test_recovery.c
 * Failures the client recovers from: the finding becomes a note marked recovered,
 * with the success as evidence; the same pattern gives the same finding.
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
#define KDC2 3
#define DEAD 5
#define CLIENT 10

static const t_finding *
first_of(t_harness *h, kd_cause cause)
{
    for (guint32 fr = 1; fr < h->frame; fr++) {
        for (guint i = 0; i < t_count(h, fr); i++) {
            if (t_get(h, fr, i)->cause == cause)
                return t_get(h, fr, i);
        }
    }
    return NULL;
}

/* One exchange each: the error (or reply) frame. */
static guint32
as_refused(t_harness *h, guint16 port, const char *cname, gint32 code)
{
    kd_obs req = t_as_req(CLIENT, KDC, port, cname, REALM, code == KDC_ERR_PREAUTH_FAILED);
    t_feed(h, &req);
    kd_obs err = t_error(&req, code, cname, "krbtgt/" REALM);
    return t_feed(h, &err);
}

static guint32
as_granted(t_harness *h, int client, guint16 port, const char *cname)
{
    kd_obs req = t_as_req(client, KDC, port, cname, REALM, TRUE);
    t_feed(h, &req);
    kd_obs rep = t_rep(&req, KD_MSG_AS_REP, cname, "krbtgt/" REALM, REALM, 18, 1);
    return t_feed(h, &rep);
}

static guint32
tgs_refused(t_harness *h, guint16 port, const char *sname)
{
    kd_obs req = t_tgs_req(CLIENT, KDC, port, sname, REALM, REALM, 18, 1);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 7, NULL, sname);
    return t_feed(h, &err);
}

static guint32
tgs_granted(t_harness *h, int kdc, guint16 port, const char *sname, const char *realm)
{
    kd_obs req = t_tgs_req(CLIENT, kdc, port, sname, realm, realm, 18, 1);
    t_feed(h, &req);
    kd_obs rep = t_rep(&req, KD_MSG_TGS_REP, NULL, sname, realm, 18, 3);
    return t_feed(h, &rep);
}

/* ---------------------------------------------------------- KDC errors */

static void
test_etype_retry_that_gets_a_ticket_recovers(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 ef = as_refused(h, 50000, "alice", 14);
    assert_int_equal(t_get(h, ef, 0)->cause, KD_CAUSE_ETYPE_NO_COMMON);
    assert_false(t_get(h, ef, 0)->recovered);
    guint32 okf = as_granted(h, CLIENT, 50001, "alice");
    const t_finding *f = t_get(h, ef, 0);
    assert_int_equal(f->cause, KD_CAUSE_ETYPE_NO_COMMON);
    assert_true(f->recovered);
    assert_int_equal(f->recovered_frame, okf);
    assert_true(t_has_evidence(f, okf));
    t_free(h);
}

/* Look-alike: a ticket for another principal, or on another host, recovers nothing. */
static void
test_ticket_for_another_principal_does_not_recover(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 ef = as_refused(h, 50000, "alice", 14);
    as_granted(h, CLIENT, 50001, "bob");
    assert_false(t_get(h, ef, 0)->recovered);
    as_granted(h, CLIENT + 1, 50002, "alice");
    assert_false(t_get(h, ef, 0)->recovered);
    t_free(h);
}

/* Contradiction: a wrong password stays a failure when the right one follows: the
 * failed attempt counts towards the lock-out. */
static void
test_wrong_password_is_not_recovered_by_a_later_logon(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 ef = as_refused(h, 50000, "alice", 24);
    as_granted(h, CLIENT, 50001, "alice");
    assert_int_equal(t_get(h, ef, 0)->cause, KD_CAUSE_WRONG_PASSWORD);
    assert_false(t_get(h, ef, 0)->recovered);
    t_free(h);
}

/* Without canonicalize, in the host's own realm: another KDC issues the ticket. */
static void
test_noncanonical_retry_recovers_spn_missing(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 ef = tgs_refused(h, 50000, "host/svc.b.test");
    guint32 okf = tgs_granted(h, KDC2, 50001, "host/svc.b.test", "B.TEST");
    const t_finding *f = t_get(h, ef, 0);
    assert_int_equal(f->cause, KD_CAUSE_SPN_MISSING);
    assert_true(f->recovered);
    assert_true(t_has_evidence(f, okf));
    /* look-alike: the ticket for another service recovers nothing */
    guint32 e2f = tgs_refused(h, 50002, "host/nosuch.example.test");
    tgs_granted(h, KDC, 50003, "host/other.example.test", REALM);
    assert_false(t_get(h, e2f, 0)->recovered);
    t_free(h);
}

/* User-to-user: a service running as a user account (a one-component name) is
 * refused first, then the TGS-REQ with the user's TGT gets its ticket. */
static void
test_user_to_user_after_first_refusal_recovers(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 ef = tgs_refused(h, 50000, "sbeavers");
    guint32 okf = tgs_granted(h, KDC, 50001, "sbeavers", REALM);
    assert_true(t_get(h, ef, 0)->recovered);
    assert_int_equal(t_get(h, ef, 0)->recovered_frame, okf);
    t_free(h);
}

/* ----------------------------------------------------------- transport */

/* TCP to the KDC unanswered, the same request over UDP answered: one note for the
 * client and KDC, whatever the number of attempts, each recovered. */
static void
test_tcp_unanswered_udp_answered_is_one_recovered_note(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 syns[2], oks[2];
    for (int i = 0; i < 2; i++) {
        kd_obs syn = t_tcp_syn(CLIENT, KDC, (guint16)(53000 + i));
        syns[i] = t_feed(h, &syn);
        t_sleep(h, 1.0);
        kd_obs req = t_tgs_req(CLIENT, KDC, (guint16)(36000 + i), "host/svc.example.test", REALM, REALM, 18, 1);
        t_feed(h, &req);
        kd_obs rep = t_rep(&req, KD_MSG_TGS_REP, NULL, "host/svc.example.test", REALM, 18, 1);
        oks[i] = t_feed(h, &rep);
    }
    assert_int_equal(t_total(h, KD_CAUSE_KDC_UNREACHABLE), 1);
    const t_finding *f = t_get(h, syns[0], 0);
    assert_non_null(f);
    assert_int_equal(f->cause, KD_CAUSE_KDC_UNREACHABLE);
    assert_true(f->recovered);
    for (int i = 0; i < 2; i++)
        assert_true(t_has_evidence(f, syns[i]) && t_has_evidence(f, oks[i]));
    t_free(h);

    /* the request itself went over TCP and got no answer */
    h = t_new(NULL);
    kd_obs syn = t_tcp_syn(CLIENT, KDC, 53100);
    t_feed(h, &syn);
    kd_obs tcp = t_over_tcp(t_tgs_req(CLIENT, KDC, 53100, "ldap/dc.example.test", REALM, REALM, 18, 1));
    guint32 tf = t_feed(h, &tcp);
    t_sleep(h, 1.0);
    kd_obs udp = t_tgs_req(CLIENT, KDC, 36100, "ldap/dc.example.test", REALM, REALM, 18, 1);
    t_feed(h, &udp);
    kd_obs rep = t_rep(&udp, KD_MSG_TGS_REP, NULL, "ldap/dc.example.test", REALM, 18, 1);
    guint32 okf = t_feed(h, &rep);
    f = first_of(h, KD_CAUSE_KDC_UNREACHABLE);
    assert_non_null(f);
    assert_int_equal(f->frame, tf);
    assert_true(f->recovered && t_has_evidence(f, okf));
    assert_int_equal(t_total(h, KD_CAUSE_KDC_UNREACHABLE), 1);
    t_free(h);
}

/* Look-alike: TCP answered (the usual path), and a UDP request that asks
 * something else than the TCP attempt did. */
static void
test_tcp_answered_or_other_question_is_no_finding(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs syn = t_tcp_syn(CLIENT, KDC, 53200);
    t_feed(h, &syn);
    kd_obs tcp = t_over_tcp(t_tgs_req(CLIENT, KDC, 53200, "ldap/dc.example.test", REALM, REALM, 18, 1));
    t_feed(h, &tcp);
    kd_obs rep = t_rep(&tcp, KD_MSG_TGS_REP, NULL, "ldap/dc.example.test", REALM, 18, 1);
    t_feed(h, &rep);
    t_sleep(h, 1.0);
    kd_obs udp = t_tgs_req(CLIENT, KDC, 36200, "ldap/dc.example.test", REALM, REALM, 18, 1);
    t_feed(h, &udp);
    assert_int_equal(t_total(h, KD_CAUSE_KDC_UNREACHABLE), 0);
    t_free(h);

    h = t_new(NULL);
    kd_obs syn2 = t_tcp_syn(CLIENT, KDC, 53300);
    t_feed(h, &syn2);
    kd_obs tcp2 = t_over_tcp(t_tgs_req(CLIENT, KDC, 53300, "ldap/dc.example.test", REALM, REALM, 18, 1));
    t_feed(h, &tcp2);
    t_sleep(h, 1.0);
    kd_obs udp2 = t_tgs_req(CLIENT, KDC, 36300, "cifs/fs.example.test", REALM, REALM, 18, 1);
    t_feed(h, &udp2);
    kd_obs rep2 = t_rep(&udp2, KD_MSG_TGS_REP, NULL, "cifs/fs.example.test", REALM, 18, 1);
    t_feed(h, &rep2);
    assert_int_equal(t_total(h, KD_CAUSE_KDC_UNREACHABLE), 0);
    t_free(h);
}

/* Contradiction: a KDC that answers neither TCP nor UDP is not recovered. */
static void
test_silent_kdc_stays_a_failure(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, KDC, 50000, "alice", REALM, FALSE);
    guint32 rf = t_feed(h, &req);
    t_sleep(h, 1.0);
    kd_obs syn = t_tcp_syn(CLIENT, KDC, 53400);
    t_feed(h, &syn);
    t_sleep(h, 3.0);
    t_feed(h, &req);
    const t_finding *f = t_get(h, rf, 0);
    assert_non_null(f);
    assert_int_equal(f->cause, KD_CAUSE_KDC_UNREACHABLE);
    assert_false(f->recovered);
    t_free(h);
}

/* Failover: the first KDC is unreachable, the second answers the same request. */
static void
test_failover_to_another_kdc_recovers(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, DEAD, 50000, "alice", REALM, FALSE);
    guint32 rf = t_feed(h, &req);
    kd_obs icmp = t_icmp_unreachable(CLIENT, DEAD);
    guint32 icf = t_feed(h, &icmp);
    assert_false(t_get(h, rf, 0)->recovered);
    assert_int_equal(t_get(h, icf, 0)->cause, KD_CAUSE_KDC_UNREACHABLE);
    /* look-alike first: the second KDC answers another principal */
    kd_obs bob = t_as_req(CLIENT, KDC, 50001, "bob", REALM, FALSE);
    t_feed(h, &bob);
    kd_obs bob_err = t_error(&bob, 25, "bob", "krbtgt/" REALM);
    t_feed(h, &bob_err);
    assert_false(t_get(h, rf, 0)->recovered);
    kd_obs alt = t_as_req(CLIENT, KDC, 50002, "alice", REALM, FALSE);
    t_feed(h, &alt);
    kd_obs rep = t_rep(&alt, KD_MSG_AS_REP, "alice", "krbtgt/" REALM, REALM, 18, 1);
    guint32 okf = t_feed(h, &rep);
    const t_finding *f = t_get(h, rf, 0);
    assert_true(f->recovered && t_has_evidence(f, okf));
    assert_true(t_get(h, icf, 0)->recovered);
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_etype_retry_that_gets_a_ticket_recovers),
        cmocka_unit_test(test_ticket_for_another_principal_does_not_recover),
        cmocka_unit_test(test_wrong_password_is_not_recovered_by_a_later_logon),
        cmocka_unit_test(test_noncanonical_retry_recovers_spn_missing),
        cmocka_unit_test(test_user_to_user_after_first_refusal_recovers),
        cmocka_unit_test(test_tcp_unanswered_udp_answered_is_one_recovered_note),
        cmocka_unit_test(test_tcp_answered_or_other_question_is_no_finding),
        cmocka_unit_test(test_silent_kdc_stays_a_failure),
        cmocka_unit_test(test_failover_to_another_kdc_recovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
