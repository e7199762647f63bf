/* test_fallback.c
 * Unit tests of NTLM fallback: an NTLM logon is a fallback only when the same client
 * logs on with an account (not anonymously), as the same account where both show
 * it, to the target Kerberos failed for, shortly after a failure it did not recover
 * from, or an unknown SPN of that target the client keeps in its SPN cache. Confirmed
 * only when the capture shows the target is the same.
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
#define DNS 3
#define CLIENT 10
#define WEB 20
#define OTHER 21
#define SPN "HTTP/intranet.example.test"

static kd_obs
ntlm(int client, int server, guint16 cport, guint32 type, const char *user, const char *domain)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_NTLMSSP);
    o.src = t_ip(client);
    o.dst = t_ip(server);
    o.sport = cport;
    o.dport = 80;
    o.transport = KD_TRANSPORT_TCP;
    o.u.ntlmssp.message_type = type;
    o.u.ntlmssp.carrier = KD_CARRIER_HTTP;
    o.u.ntlmssp.user = user;
    o.u.ntlmssp.domain = domain;
    return o;
}

static kd_obs
dns_a(const char *name, int addr)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_DNS);
    o.src = t_ip(DNS);
    o.dst = t_ip(CLIENT);
    o.sport = 53;
    o.dport = 40000;
    o.u.dns.qname = name;
    o.u.dns.answers[0].name = name;
    o.u.dns.answers[0].addr = t_ip(addr);
    o.u.dns.n_answers = 1;
    return o;
}

/* alice's TGS-REQ for sname refused with code: returns the error's frame. */
static guint32
kerberos_fails(t_harness *h, const char *sname, gint32 code, const char *cname)
{
    kd_obs req = t_tgs_req(CLIENT, KDC, 50000, sname, REALM, REALM, 18, 2);
    t_feed(h, &req);
    kd_obs err = t_error(&req, code, cname, sname);
    return t_feed(h, &err);
}

/* NEGOTIATE then AUTHENTICATE on one connection: returns the AUTHENTICATE's frame. */
static guint32
ntlm_logon(t_harness *h, int server, const char *user, const char *domain)
{
    kd_obs neg = ntlm(CLIENT, server, 40000, 1, NULL, NULL);
    assert_int_equal(t_count(h, t_feed(h, &neg)), 0);
    kd_obs auth = ntlm(CLIENT, server, 40000, 3, user, domain);
    return t_feed(h, &auth);
}

static void
test_fallback_same_target_confirmed(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs d = dns_a("intranet.example.test", WEB);
    guint32 df = t_feed(h, &d);
    guint32 ef = kerberos_fails(h, SPN, 7, "alice");
    guint32 af = ntlm_logon(h, WEB, "alice", "EXAMPLE");
    assert_int_equal(t_count(h, af), 1);
    const t_finding *f = t_get(h, af, 0);
    assert_int_equal(f->cause, KD_CAUSE_NTLM_FALLBACK);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(f->n_checks > 0);
    assert_true(f->has_inherited);
    assert_int_equal(f->inherited, KD_CAUSE_SPN_MISSING);
    assert_true(t_has_evidence(f, ef) && t_has_evidence(f, df));
    assert_string_equal(f->spn, SPN);
    assert_string_equal(f->client, "alice");
    /* A second AUTHENTICATE on the same connection is the same logon. */
    kd_obs again = ntlm(CLIENT, WEB, 40000, 3, "alice", "EXAMPLE");
    assert_int_equal(t_count(h, t_feed(h, &again)), 0);
    t_free(h);
}

/* The Kerberos target is a user principal (a service running as a user): the link
 * to the NTLM target host is inferred, not shown. */
static void
test_fallback_user_principal_likely(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kerberos_fails(h, "pgustavo", 7, NULL);
    guint32 af = ntlm_logon(h, WEB, "pgustavo", "THESHIRE");
    assert_int_equal(t_count(h, af), 1);
    const t_finding *f = t_get(h, af, 0);
    assert_int_equal(f->cause, KD_CAUSE_NTLM_FALLBACK);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_non_null(strstr(f->summary, "does not show"));
    t_free(h);
}

static void
test_fallback_anonymous_never(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs d = dns_a("intranet.example.test", WEB);
    t_feed(h, &d);
    kerberos_fails(h, SPN, 7, "alice");
    /* NULL user and domain: an anonymous (null) session */
    assert_int_equal(t_count(h, ntlm_logon(h, WEB, "", "")), 0);
    assert_int_equal(t_total(h, KD_CAUSE_NTLM_FALLBACK), 0);
    t_free(h);
}

static void
test_fallback_other_account(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs d = dns_a("intranet.example.test", WEB);
    t_feed(h, &d);
    kerberos_fails(h, SPN, 7, "bob");
    assert_int_equal(t_count(h, ntlm_logon(h, WEB, "alice", "EXAMPLE")), 0);
    t_free(h);
}

static void
test_fallback_other_target(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs d = dns_a("files.example.test", OTHER);
    t_feed(h, &d);
    kerberos_fails(h, SPN, 7, "alice");
    /* DNS names the NTLM target, and it is not the host Kerberos asked a ticket for */
    assert_int_equal(t_count(h, ntlm_logon(h, OTHER, "alice", "EXAMPLE")), 0);
    t_free(h);
}

/* A failure minutes earlier is another attempt, unless it is an unknown SPN the
 * client keeps in its SPN cache (below). */
static void
test_fallback_minutes_earlier_is_not_the_cause(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs d = dns_a("intranet.example.test", WEB);
    t_feed(h, &d);
    kerberos_fails(h, SPN, 14, "alice");    /* KDC_ERR_ETYPE_NOSUPP: nothing a client caches */
    t_sleep(h, 180.0);
    assert_int_equal(t_count(h, ntlm_logon(h, WEB, "alice", "EXAMPLE")), 0);
    t_free(h);
}

/* KDC_ERR_S_PRINCIPAL_UNKNOWN for this very target minutes before: the cached failure
 * (Windows' SPN cache) is the fallback's cause, likely (a cache is not on the wire). */
static void
test_fallback_cached_unknown_spn(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs d = dns_a("intranet.example.test", WEB);
    t_feed(h, &d);
    guint32 ef = kerberos_fails(h, SPN, 7, "alice");
    t_sleep(h, 180.0);
    guint32 af = ntlm_logon(h, WEB, "alice", "EXAMPLE");
    const t_finding *f = only(h, af);
    assert_int_equal(f->cause, KD_CAUSE_NTLM_FALLBACK);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_true(f->has_inherited);
    assert_int_equal(f->inherited, KD_CAUSE_SPN_MISSING);
    assert_true(t_has_evidence(f, ef));
    assert_non_null(strstr(f->summary, "SPN cache"));
    t_free(h);
    /* past the cache's 15 minutes: not linked */
    h = t_new(NULL);
    t_feed(h, &d);
    kerberos_fails(h, SPN, 7, "alice");
    t_sleep(h, 20 * 60.0);
    assert_int_equal(t_total(h, KD_CAUSE_NTLM_FALLBACK), 0);
    ntlm_logon(h, WEB, "alice", "EXAMPLE");
    assert_int_equal(t_total(h, KD_CAUSE_NTLM_FALLBACK), 0);
    t_free(h);
    /* an unknown SPN of another host: not linked */
    h = t_new(NULL);
    kd_obs other = dns_a("files.example.test", OTHER);
    t_feed(h, &d);
    t_feed(h, &other);
    kerberos_fails(h, SPN, 7, "alice");
    t_sleep(h, 180.0);
    ntlm_logon(h, OTHER, "alice", "EXAMPLE");
    assert_int_equal(t_total(h, KD_CAUSE_NTLM_FALLBACK), 0);
    t_free(h);
}

static void
test_fallback_recovered_failure_is_not_the_cause(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs d = dns_a("intranet.example.test", WEB);
    t_feed(h, &d);
    kerberos_fails(h, SPN, 7, "alice");
    /* the client asks again and gets the ticket: it recovered */
    kd_obs req = t_tgs_req(CLIENT, KDC, 50001, SPN, REALM, REALM, 18, 2);
    t_feed(h, &req);
    kd_obs rep = t_rep(&req, KD_MSG_TGS_REP, "alice", SPN, REALM, 18, 3);
    t_feed(h, &rep);
    assert_int_equal(t_count(h, ntlm_logon(h, WEB, "alice", "EXAMPLE")), 0);
    t_free(h);
}

static void
test_fallback_without_kerberos_failure(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* NTLM with no Kerberos failure, and a benign round trip only */
    kd_obs as = t_as_req(CLIENT, KDC, 50000, "alice", REALM, FALSE);
    t_feed(h, &as);
    kd_obs err = t_error(&as, 25, "alice", "krbtgt/" REALM);
    t_feed(h, &err);
    assert_int_equal(t_count(h, ntlm_logon(h, WEB, "alice", "EXAMPLE")), 0);
    assert_int_equal(t_total(h, KD_CAUSE_NTLM_FALLBACK), 0);
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fallback_same_target_confirmed),
        cmocka_unit_test(test_fallback_user_principal_likely),
        cmocka_unit_test(test_fallback_anonymous_never),
        cmocka_unit_test(test_fallback_other_account),
        cmocka_unit_test(test_fallback_other_target),
        cmocka_unit_test(test_fallback_minutes_earlier_is_not_the_cause),
        cmocka_unit_test(test_fallback_cached_unknown_spn),
        cmocka_unit_test(test_fallback_recovered_failure_is_not_the_cause),
        cmocka_unit_test(test_fallback_without_kerberos_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
