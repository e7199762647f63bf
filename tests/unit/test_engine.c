/* test_engine.c
 * Unit tests of the diagnosis rules: for each cause a positive case, a benign
 * look-alike that must not get the cause, and odd or missing fields.
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

#include "kd_util.h"
#include "kd_testlib.h"

#define REALM T_REALM
#define KDC T_KDC
#define CLIENT T_CLIENT
#define WEB T_WEB

/* ---------------------------------------------------------- time arithmetic */

/* Capture and Kerberos timestamps are untrusted: a difference saturates at the
 * int64 bounds instead of overflowing, and is exact right up to them. */
static void
test_time_diff_saturates(void **state)
{
    (void)state;
    assert_true(kd_time_diff(5, 7) == -2);
    assert_true(kd_time_diff(G_MAXINT64, G_MAXINT64) == 0);
    assert_true(kd_time_diff(-1, G_MININT64) == G_MAXINT64);
    assert_true(kd_time_diff(-1, G_MAXINT64) == G_MININT64);
    assert_true(kd_time_diff(0, G_MININT64) == G_MAXINT64);
    assert_true(kd_time_diff(G_MAXINT64, -1) == G_MAXINT64);
    assert_true(kd_time_diff(-2, G_MAXINT64) == G_MININT64);
    assert_true(kd_time_diff(G_MININT64, 1) == G_MININT64);
    assert_true(kd_time_diff_s(G_MAXINT64, G_MININT64) == G_MAXINT64 / G_USEC_PER_SEC);
}

/* ---------------------------------------------------------------- KDC errors */

static void
test_preauth_required_confirmed_by_followup(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, KDC, 50000, "alice", REALM, FALSE);
    guint32 rf = t_feed(h, &req);
    kd_obs err = t_error(&req, 25, "alice", "krbtgt/" REALM);
    guint32 ef = t_feed(h, &err);
    const t_finding *f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_PREAUTH_REQUIRED);
    assert_int_equal(f->confidence, KD_CONF_INFO);
    assert_true(t_has_evidence(f, rf));
    kd_obs again = t_as_req(CLIENT, KDC, 50001, "alice", REALM, TRUE);
    guint32 af = t_feed(h, &again);
    f = only(h, ef);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(t_has_evidence(f, af));
    t_free(h);
}

static void
test_preauth_required_lookalike_other_principal(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, KDC, 50000, "alice", REALM, FALSE);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 25, "alice", "krbtgt/" REALM);
    guint32 ef = t_feed(h, &err);
    /* bob pre-authenticating does not confirm alice's round trip */
    kd_obs other = t_as_req(CLIENT, KDC, 50001, "bob", REALM, TRUE);
    t_feed(h, &other);
    assert_int_equal(only(h, ef)->confidence, KD_CONF_INFO);
    assert_int_equal(t_total(h, KD_CAUSE_WRONG_PASSWORD), 0);
    t_free(h);
}

/* What proves a request pre-authenticated: the client's proofs (encrypted timestamp,
 * PKINIT's requests 16, 14 and Windows 2000's 15, FAST, encrypted challenge), never
 * PA-PK-AS-REP (17), the KDC's reply, nor what any request carries (PAC request). */
static void
test_preauth_proofs(void **state)
{
    (void)state;
    static const gint32 proofs[] = { PA_ENC_TIMESTAMP, PA_PK_AS_REQ, PA_PK_AS_REQ_OLD, PA_PK_AS_REP_OLD,
                                     PA_FX_FAST, PA_ENCRYPTED_CHALLENGE };
    static const gint32 others[] = { PA_PK_AS_REP, PA_PAC_REQUEST, PA_ETYPE_INFO2, PA_FX_COOKIE };
    for (gsize i = 0; i < G_N_ELEMENTS(proofs); i++)
        assert_true(kd_padata_preauthenticated(&proofs[i], 1));
    for (gsize i = 0; i < G_N_ELEMENTS(others); i++)
        assert_false(kd_padata_preauthenticated(&others[i], 1));
    assert_false(kd_padata_preauthenticated(others, G_N_ELEMENTS(others)));

    /* Through the rule: PREAUTH_REQUIRED, then the same principal's AS-REQ with a
     * PKINIT request confirms the round trip; one carrying only type 17 (the look-alike:
     * no proof) leaves it a note. */
    static const struct { gint32 pa; kd_confidence conf; } cases[] = {
        { PA_PK_AS_REQ, KD_CONF_CONFIRMED },
        { PA_PK_AS_REP_OLD, KD_CONF_CONFIRMED },
        { PA_PK_AS_REP, KD_CONF_INFO },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        t_harness *h = t_new(NULL);
        kd_obs req = t_as_req(CLIENT, KDC, 50000, "alice", REALM, FALSE);
        t_feed(h, &req);
        kd_obs err = t_error(&req, KDC_ERR_PREAUTH_REQUIRED, "alice", "krbtgt/" REALM);
        guint32 ef = t_feed(h, &err);
        kd_obs again = t_as_req(CLIENT, KDC, 50001, "alice", REALM, FALSE);
        again.u.krb.padata[again.u.krb.n_padata++] = cases[i].pa;
        t_feed(h, &again);
        const t_finding *f = only(h, ef);
        assert_int_equal(f->cause, KD_CAUSE_PREAUTH_REQUIRED);
        assert_int_equal(f->confidence, cases[i].conf);
        t_free(h);
    }
}

static void
test_wrong_password_counts(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 first = 0;
    for (int i = 0; i < 3; i++) {
        guint32 rf;
        guint32 ef = t_scene_wrong_password(h, "alice", (guint16)(50000 + i), &rf);
        const t_finding *f = only(h, ef);
        assert_int_equal(f->cause, KD_CAUSE_WRONG_PASSWORD);
        assert_int_equal(f->count, i + 1);
        assert_true(t_has_evidence(f, rf));
        if (i == 0)
            first = ef;
        else
            assert_true(t_has_evidence(f, first));
        assert_string_equal(f->client, "alice");
    }
    /* another principal starts its own count */
    assert_int_equal(only(h, t_scene_wrong_password(h, "bob", 50100, NULL))->count, 1);
    t_free(h);
}

static void
test_unknown_client(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, KDC, 50000, "alcie", REALM, FALSE);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 6, "alcie", "krbtgt/" REALM);
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_UNKNOWN_CLIENT);
    assert_string_equal(f->client, "alcie");
    t_free(h);
}

static kd_cause
tgs_error_cause(const char *sname, gint32 code, const char **spn_out)
{
    static char spn[128];
    t_harness *h = t_new(NULL);
    kd_obs req = t_tgs_req(CLIENT, KDC, 50000, sname, REALM, REALM, 18, 2);
    t_feed(h, &req);
    kd_obs err = t_error(&req, code, NULL, sname);
    const t_finding *f = only(h, t_feed(h, &err));
    kd_cause c = f->cause;
    g_strlcpy(spn, f->spn ? f->spn : "", sizeof spn);
    if (spn_out)
        *spn_out = spn;
    t_free(h);
    return c;
}

static void
test_spn_missing_and_ip_literals(void **state)
{
    (void)state;
    const char *spn = NULL;
    assert_int_equal(tgs_error_cause("HTTP/web.example.test", 7, &spn), KD_CAUSE_SPN_MISSING);
    assert_string_equal(spn, "HTTP/web.example.test");
    assert_int_equal(tgs_error_cause("host/10.0.0.30", 7, NULL), KD_CAUSE_SPN_IP_ADDRESS);
    assert_int_equal(tgs_error_cause("MSSQLSvc/10.0.0.30:1433", 7, NULL), KD_CAUSE_SPN_IP_ADDRESS);
    assert_int_equal(tgs_error_cause("host/fe80::1", 7, NULL), KD_CAUSE_SPN_IP_ADDRESS);
    assert_int_equal(tgs_error_cause("host/[2001:db8::5]", 7, NULL), KD_CAUSE_SPN_IP_ADDRESS);
    /* look-alikes: names with digits are host names */
    assert_int_equal(tgs_error_cause("host/10.example.test", 7, NULL), KD_CAUSE_SPN_MISSING);
    assert_int_equal(tgs_error_cause("host/10.0.0", 7, NULL), KD_CAUSE_SPN_MISSING);
}

static void
test_heimdal_empty_sname_takes_request(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_tgs_req(CLIENT, KDC, 50000, "HTTP/app.example.test", REALM, REALM, 18, 2);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 7, NULL, "");
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_SPN_MISSING);
    assert_string_equal(f->spn, "HTTP/app.example.test");
    t_free(h);
}

static kd_cause
account_cause(gint32 code, gboolean has_status, guint32 status)
{
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, KDC, 50000, "bob", REALM, TRUE);
    t_feed(h, &req);
    kd_obs err = t_error(&req, code, "bob", "krbtgt/" REALM);
    err.u.krb.has_nt_status = has_status;
    err.u.krb.nt_status = status;
    kd_cause c = only(h, t_feed(h, &err))->cause;
    t_free(h);
    return c;
}

static void
test_account_states(void **state)
{
    (void)state;
    assert_int_equal(account_cause(KDC_ERR_CLIENT_REVOKED, TRUE, STATUS_ACCOUNT_LOCKED_OUT), KD_CAUSE_ACCOUNT_LOCKED);
    assert_int_equal(account_cause(KDC_ERR_CLIENT_REVOKED, TRUE, STATUS_ACCOUNT_DISABLED), KD_CAUSE_ACCOUNT_DISABLED);
    assert_int_equal(account_cause(KDC_ERR_CLIENT_REVOKED, TRUE, STATUS_ACCOUNT_EXPIRED), KD_CAUSE_ACCOUNT_EXPIRED);
    assert_int_equal(account_cause(KDC_ERR_CLIENT_REVOKED, TRUE, STATUS_INVALID_LOGON_HOURS), KD_CAUSE_LOGON_RESTRICTED);
    assert_int_equal(account_cause(KDC_ERR_POLICY, TRUE, STATUS_INVALID_WORKSTATION), KD_CAUSE_LOGON_RESTRICTED);
    assert_int_equal(account_cause(KDC_ERR_POLICY, FALSE, 0), KD_CAUSE_LOGON_RESTRICTED);
    assert_int_equal(account_cause(KDC_ERR_KEY_EXPIRED, TRUE, STATUS_PASSWORD_MUST_CHANGE), KD_CAUSE_PASSWORD_EXPIRED);
    assert_int_equal(account_cause(KDC_ERR_KEY_EXPIRED, FALSE, 0), KD_CAUSE_PASSWORD_EXPIRED);
    assert_int_equal(account_cause(KDC_ERR_NAME_EXP, FALSE, 0), KD_CAUSE_ACCOUNT_EXPIRED);
    /* no status: nothing tells disabled from locked */
    assert_int_equal(account_cause(KDC_ERR_CLIENT_REVOKED, FALSE, 0), KD_CAUSE_ACCOUNT_REVOKED);
    /* an unknown status does not invent a state */
    assert_int_equal(account_cause(KDC_ERR_CLIENT_REVOKED, TRUE, 0xC0000001u), KD_CAUSE_ACCOUNT_REVOKED);
}

static void
test_lockout_after_wrong_passwords(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 fails[3];
    for (int i = 0; i < 3; i++)
        fails[i] = t_scene_wrong_password(h, "alice", (guint16)(50000 + i), NULL);
    kd_obs req = t_as_req(CLIENT, KDC, 50010, "alice", REALM, TRUE);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 18, "alice", "krbtgt/" REALM);
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_ACCOUNT_LOCKED);
    for (int i = 0; i < 3; i++)
        assert_true(t_has_evidence(f, fails[i]));
    /* look-alike: bob's failures do not lock carol */
    t_scene_wrong_password(h, "bob", 50020, NULL);
    kd_obs r3 = t_as_req(CLIENT, KDC, 50021, "carol", REALM, TRUE);
    t_feed(h, &r3);
    kd_obs e3 = t_error(&r3, 18, "carol", "krbtgt/" REALM);
    assert_int_equal(only(h, t_feed(h, &e3))->cause, KD_CAUSE_ACCOUNT_REVOKED);
    t_free(h);
}

static const t_finding *
skew_case(t_harness *h, gint64 stime_off, gboolean ctime, gint64 ctime_off)
{
    kd_obs req = t_as_req(CLIENT, KDC, 50000, "alice", REALM, TRUE);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 37, "alice", "krbtgt/" REALM);
    err.u.krb.has_stime = TRUE;
    err.u.krb.stime_us = h->now_us + stime_off * G_USEC_PER_SEC;
    err.u.krb.has_ctime = ctime;
    err.u.krb.ctime_us = h->now_us + ctime_off * G_USEC_PER_SEC;
    return only(h, t_feed(h, &err));
}

static void
test_clock_skew_which_side(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    const t_finding *f = skew_case(h, 0, TRUE, 7200);
    assert_int_equal(f->cause, KD_CAUSE_CLOCK_SKEW);
    assert_true(f->has_skew);
    assert_true(f->skew >= 7199 && f->skew <= 7200);
    assert_non_null(strstr(f->summary, "client's clock"));
    t_free(h);

    h = t_new(NULL);
    f = skew_case(h, -7200, FALSE, 0);
    assert_true(f->has_skew);
    assert_true(f->skew <= -7199 && f->skew >= -7201);
    assert_non_null(strstr(f->summary, "KDC's clock"));
    t_free(h);

    /* One sign everywhere: the clock that is off minus the reference; positive
     * ahead, negative behind, for the client and for the KDC. */
    h = t_new(NULL);
    f = skew_case(h, 0, TRUE, -7200);
    assert_true(f->has_skew && f->skew <= -7199 && f->skew >= -7201);
    assert_non_null(strstr(f->summary, "client's clock"));
    t_free(h);
    h = t_new(NULL);
    f = skew_case(h, 7200, FALSE, 0);
    assert_true(f->has_skew && f->skew >= 7199 && f->skew <= 7201);
    assert_non_null(strstr(f->summary, "KDC's clock"));
    t_free(h);
    /* A service's KRB_AP_ERR_SKEW with the server's time: measured the same way. */
    h = t_new(NULL);
    kd_obs sap = t_ap_req(CLIENT, WEB, 40000, 80, KD_CARRIER_HTTP, "HTTP/www.example.test", REALM, 2);
    t_feed(h, &sap);
    kd_obs serr = t_ap_error(&sap, 37, "HTTP/www.example.test");
    serr.u.krb.has_stime = TRUE;
    serr.u.krb.stime_us = h->now_us - (gint64)3600 * G_USEC_PER_SEC;
    f = only(h, t_feed(h, &serr));
    assert_int_equal(f->cause, KD_CAUSE_CLOCK_SKEW);
    assert_true(f->has_skew && f->skew <= -3599 && f->skew >= -3601);
    assert_non_null(strstr(f->summary, "service's clock"));
    t_free(h);

    /* client ahead without ctime: direction known, magnitude not */
    h = t_new(NULL);
    f = skew_case(h, 0, FALSE, 0);
    assert_false(f->has_skew);
    assert_non_null(strstr(f->summary, "client's clock"));
    t_free(h);

    /* no stime at all */
    h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, KDC, 50000, "alice", REALM, TRUE);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 37, "alice", "krbtgt/" REALM);
    f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_CLOCK_SKEW);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    t_free(h);
}

static void
test_response_too_big_then_tcp(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 ef = t_scene_response_too_big(h);
    assert_int_equal(only(h, ef)->cause, KD_CAUSE_RESPONSE_TOO_BIG);
    assert_int_equal(only(h, ef)->confidence, KD_CONF_INFO);
    guint32 tf = t_scene_retry_over_tcp(h);
    assert_int_equal(only(h, ef)->confidence, KD_CONF_CONFIRMED);
    assert_true(t_has_evidence(only(h, ef), tf));
    t_free(h);
}

static void
test_referral_and_generic(void **state)
{
    (void)state;
    assert_int_equal(tgs_error_cause("host/x.example.test", 68, NULL), KD_CAUSE_REFERRAL);
    assert_int_equal(tgs_error_cause("host/x.example.test", 13, NULL), KD_CAUSE_KRB_ERROR);
    assert_int_equal(tgs_error_cause("host/x.example.test", 99, NULL), KD_CAUSE_KRB_ERROR);
    assert_int_equal(tgs_error_cause("host/x.example.test", 32, NULL), KD_CAUSE_TICKET_EXPIRED);
    assert_int_equal(tgs_error_cause("host/x.example.test", 8, NULL), KD_CAUSE_DUPLICATE_SPN);
}

/* ------------------------------------------------------------ service errors */

static void
test_cname_spn(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 df, tf, hf;
    const t_finding *f = only(h, t_scene_cname_spn(h, &df, &tf, &hf));
    assert_int_equal(f->cause, KD_CAUSE_CNAME_SPN);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(t_has_evidence(f, df));
    assert_true(t_has_evidence(f, tf));
    assert_true(t_has_evidence(f, hf));
    assert_string_equal(f->client, "alice");
    t_free(h);
}

static void
test_cname_lookalike_success(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs dns = t_dns_cname(CLIENT, T_DNS, "alias.example.test", "web01.example.test", WEB);
    t_feed(h, &dns);
    kd_obs ap = t_http_attempt(h, "alias.example.test", "HTTP/web01.example.test", 2, 40000, NULL, NULL);
    kd_obs ok = t_ap_rep(&ap);
    t_feed(h, &ok);
    assert_int_equal(t_total(h, KD_CAUSE_CNAME_SPN), 0);
    assert_int_equal(kd_engine_store_size(h->eng) > 0, TRUE);
    t_free(h);
}

static void
test_stale_service_key(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs ap1 = t_http_attempt(h, "www.example.test", "HTTP/www.example.test", 2, 40000, NULL, NULL);
    kd_obs ok = t_ap_rep(&ap1);
    guint32 okf = t_feed(h, &ok);
    kd_obs ap2 = t_http_attempt(h, "www.example.test", "HTTP/www.example.test", 3, 40002, NULL, NULL);
    kd_obs err = t_ap_error(&ap2, 44, "HTTP/www.example.test");
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_STALE_SERVICE_KEY);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(t_has_evidence(f, okf));
    t_free(h);
}

static void
test_stale_key_lookalike_kvno_change_succeeds(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs ap1 = t_http_attempt(h, "www.example.test", "HTTP/www.example.test", 2, 40000, NULL, NULL);
    kd_obs ok1 = t_ap_rep(&ap1);
    t_feed(h, &ok1);
    kd_obs ap2 = t_http_attempt(h, "www.example.test", "HTTP/www.example.test", 3, 40002, NULL, NULL);
    kd_obs ok2 = t_ap_rep(&ap2);
    t_feed(h, &ok2);
    assert_int_equal(t_total(h, KD_CAUSE_STALE_SERVICE_KEY), 0);
    assert_int_equal(t_total(h, KD_CAUSE_TICKET_DECRYPT_FAILED), 0);
    t_free(h);
}

static void
test_undetermined_lists_candidates(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs ap = t_ap_req(CLIENT, WEB, 40000, 445, KD_CARRIER_SMB2, "cifs/fs.example.test", REALM, 5);
    t_feed(h, &ap);
    kd_obs err = t_ap_error(&ap, 41, "cifs/fs.example.test");
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_TICKET_DECRYPT_FAILED);
    assert_true(f->n_alternatives >= 3);
    assert_int_equal(f->confidence, KD_CONF_POSSIBLE);
    t_free(h);
}

static void
test_spn_account_mismatch(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs ap = t_http_attempt(h, "www.example.test", "HTTP/www.example.test", 2, 40000, NULL, NULL);
    /* Windows names the account it decrypted with */
    kd_obs err = t_ap_error(&ap, 41, "WWW$");
    assert_int_equal(only(h, t_feed(h, &err))->cause, KD_CAUSE_SPN_ACCOUNT_MISMATCH);
    t_free(h);

    /* look-alike: the error names the requested SPN itself (any realm suffix) */
    h = t_new(NULL);
    ap = t_http_attempt(h, "www.example.test", "HTTP/www.example.test", 2, 40000, NULL, NULL);
    err = t_ap_error(&ap, 41, "http/WWW.example.test@" REALM);
    assert_int_not_equal(only(h, t_feed(h, &err))->cause, KD_CAUSE_SPN_ACCOUNT_MISMATCH);
    t_free(h);
}

static void
test_same_name_other_domain(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs ap = t_ap_req(CLIENT, WEB, 40000, 135, KD_CARRIER_DCERPC, "host/srv2", "BETA.TEST", 4);
    t_feed(h, &ap);
    kd_obs err = t_ap_error(&ap, 41, "host/srv2");
    err.u.krb.crealm = "ALPHA.TEST";
    assert_int_equal(only(h, t_feed(h, &err))->cause, KD_CAUSE_SAME_NAME_OTHER_DOMAIN);
    t_free(h);

    /* look-alike: fully qualified name */
    h = t_new(NULL);
    ap = t_ap_req(CLIENT, WEB, 40000, 135, KD_CARRIER_DCERPC, "host/srv2.beta.test", "BETA.TEST", 4);
    t_feed(h, &ap);
    err = t_ap_error(&ap, 41, "host/srv2.beta.test");
    err.u.krb.crealm = "ALPHA.TEST";
    assert_int_not_equal(only(h, t_feed(h, &err))->cause, KD_CAUSE_SAME_NAME_OTHER_DOMAIN);
    t_free(h);
}

static void
test_duplicate_spn_from_ldap_before_and_after(void **state)
{
    (void)state;
    const char *spn = "HTTP/app.example.test";
    /* before: Samba answers a duplicate SPN with S_PRINCIPAL_UNKNOWN */
    t_harness *h = t_new(NULL);
    kd_obs l1 = t_ldap_entry(CLIENT, KDC, "svc_app", spn);
    guint32 lf1 = t_feed(h, &l1);
    kd_obs l2 = t_ldap_entry(CLIENT, KDC, "svc_old", spn);
    guint32 lf2 = t_feed(h, &l2);
    kd_obs req = t_tgs_req(CLIENT, KDC, 50000, spn, REALM, REALM, 18, 2);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 7, NULL, spn);
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_DUPLICATE_SPN);
    assert_true(t_has_evidence(f, lf1) && t_has_evidence(f, lf2));
    t_free(h);

    /* after: an admin's LDAP search amends the earlier finding */
    h = t_new(NULL);
    kd_obs ap = t_http_attempt(h, "app.example.test", spn, 2, 40000, NULL, NULL);
    kd_obs e2 = t_ap_error(&ap, 41, spn);
    guint32 ef = t_feed(h, &e2);
    assert_int_equal(only(h, ef)->cause, KD_CAUSE_TICKET_DECRYPT_FAILED);
    kd_obs a1 = t_ldap_entry(CLIENT, KDC, "svc_app", spn);
    t_feed(h, &a1);
    kd_obs a2 = t_ldap_entry(CLIENT, KDC, "svc_old", spn);
    guint32 af = t_feed(h, &a2);
    f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_DUPLICATE_SPN);
    assert_true(t_has_evidence(f, af));
    /* Rebuilt for its new cause: the earlier reading is ruled out, not a candidate. */
    assert_int_equal(f->n_alternatives, 0);
    assert_int_equal(f->n_ruled_out, 1);
    assert_int_equal(f->ruled_out[0], KD_CAUSE_TICKET_DECRYPT_FAILED);
    assert_null(f->missing);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    t_free(h);

    /* look-alike: two SPNs on different hosts, one owner each */
    h = t_new(NULL);
    kd_obs b1 = t_ldap_entry(CLIENT, KDC, "svc_a", "HTTP/a.example.test");
    t_feed(h, &b1);
    kd_obs b2 = t_ldap_entry(CLIENT, KDC, "svc_b", "HTTP/b.example.test");
    t_feed(h, &b2);
    kd_obs r3 = t_tgs_req(CLIENT, KDC, 50000, "HTTP/a.example.test", REALM, REALM, 18, 2);
    t_feed(h, &r3);
    kd_obs e3 = t_error(&r3, 7, NULL, "HTTP/a.example.test");
    assert_int_equal(only(h, t_feed(h, &e3))->cause, KD_CAUSE_SPN_MISSING);
    t_free(h);
}

/* ------------------------------------------------------ transport and RPC */

static kd_obs
fault(int server, int client, guint32 status)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_DCERPC);
    o.src = t_ip(server);
    o.dst = t_ip(client);
    o.sport = 135;
    o.dport = 40000;
    o.u.dcerpc.pkt_type = KD_DCERPC_FAULT;
    o.u.dcerpc.has_status = TRUE;
    o.u.dcerpc.status = status;
    return o;
}

static void
test_sec_pkg_error_inherits(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs ap = t_ap_req(CLIENT, WEB, 40000, 135, KD_CARRIER_DCERPC, "host/srv.example.test", REALM, 3);
    t_feed(h, &ap);
    kd_obs err = t_ap_error(&ap, 41, "WWW$");
    guint32 ef = t_feed(h, &err);
    kd_obs fl = fault(WEB, CLIENT, 0x721);
    const t_finding *f = only(h, t_feed(h, &fl));
    assert_int_equal(f->cause, KD_CAUSE_SEC_PKG_ERROR);
    assert_true(f->has_inherited);
    assert_int_equal(f->inherited, KD_CAUSE_SPN_ACCOUNT_MISMATCH);
    assert_true(t_has_evidence(f, ef));
    t_free(h);

    /* look-alikes: another fault status; 0x721 with no Kerberos in sight */
    h = t_new(NULL);
    kd_obs other = fault(WEB, CLIENT, 0x1c010002);
    assert_int_equal(t_count(h, t_feed(h, &other)), 0);
    kd_obs lone = fault(WEB, CLIENT, 0x80070721u);
    f = only(h, t_feed(h, &lone));
    assert_int_equal(f->confidence, KD_CONF_POSSIBLE);
    assert_false(f->has_inherited);
    t_free(h);
}

static kd_obs
alive2(int server, int client, const char *a1, const char *a2)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_DCOM_ALIVE2);
    o.src = t_ip(server);
    o.dst = t_ip(client);
    o.sport = 135;
    o.dport = 40000;
    o.u.alive2.addrs[0] = "SRV";
    o.u.alive2.addrs[1] = a1;
    o.u.alive2.addrs[2] = a2;
    o.u.alive2.n_addrs = 3;
    return o;
}

static void
test_shared_address_loopback(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs al = alive2(22, 12, "169.254.95.120", "10.0.0.22");
    guint32 af = t_feed(h, &al);
    kd_obs ap = t_ap_req(12, 22, 49732, 135, KD_CARRIER_DCERPC, "host/srv2.beta.test", "BETA.TEST", 4);
    kd_addr_parse("169.254.95.120", &ap.src);
    kd_addr_parse("169.254.95.120", &ap.dst);
    t_feed(h, &ap);
    kd_obs err = t_ap_error(&ap, 41, "srv1$");
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_SHARED_ADDRESS_LOOPBACK);
    assert_true(t_has_evidence(f, af));
    t_free(h);

    /* look-alike: the list holds only the server's own address, which answers */
    h = t_new(NULL);
    kd_obs ok = alive2(22, 12, "10.0.0.22", "10.0.0.22");
    t_feed(h, &ok);
    kd_obs ap2 = t_ap_req(12, 22, 49732, 135, KD_CARRIER_DCERPC, "host/srv2.beta.test", "BETA.TEST", 4);
    t_feed(h, &ap2);
    kd_obs err2 = t_ap_error(&ap2, 41, "host/srv2.beta.test");
    assert_int_not_equal(only(h, t_feed(h, &err2))->cause, KD_CAUSE_SHARED_ADDRESS_LOOPBACK);
    t_free(h);
}

/* A connection fact (self-connection SYN, lost segment) on the connection of o. */
static kd_obs
tcp_fact(const kd_obs *o, kd_net_event event)
{
    kd_obs f;
    kd_obs_init(&f, KD_OBS_TRANSPORT);
    f.src = o->src;
    f.dst = o->dst;
    f.sport = o->sport;
    f.dport = o->dport;
    f.transport = KD_TRANSPORT_TCP;
    f.u.net.event = event;
    return f;
}

/* The refusal comes back on a connection from the shared address to itself: the
 * finding says the client connected to itself and cites that connection's SYN; its
 * explanation names the error the capture holds. */
static void
test_shared_address_self_connection_words(void **state)
{
    (void)state;
    static const gint32 codes[] = { 41, 35 };
    for (gsize i = 0; i < G_N_ELEMENTS(codes); i++) {
        t_harness *h = t_new(NULL);
        kd_obs al = alive2(22, 12, "169.254.95.120", "10.0.0.22");
        t_feed(h, &al);
        kd_obs ap = t_ap_req(12, 22, 49732, 135, KD_CARRIER_DCERPC, "host/srv2.beta.test", "BETA.TEST", 4);
        kd_addr_parse("169.254.95.120", &ap.src);
        kd_addr_parse("169.254.95.120", &ap.dst);
        kd_obs syn = tcp_fact(&ap, KD_NET_TCP_SELF_CONNECT);
        guint32 sf = t_feed(h, &syn);
        t_feed(h, &ap);
        kd_obs err = t_ap_error(&ap, codes[i], "srv1$");
        const t_finding *f = only(h, t_feed(h, &err));
        assert_int_equal(f->cause, KD_CAUSE_SHARED_ADDRESS_LOOPBACK);
        assert_true(t_has_evidence(f, sf));
        assert_non_null(strstr(f->summary, "to itself"));
        assert_null(strstr(f->summary, "another host answers"));
        assert_null(strstr(f->summary, "itself or another server"));
        const char *x = kd_finding_explanation(f->cause, f->error_code);
        assert_non_null(strstr(x, codes[i] == 35 ? "KRB_AP_ERR_NOT_US" : "KRB_AP_ERR_MODIFIED"));
        assert_null(strstr(x, codes[i] == 35 ? "KRB_AP_ERR_MODIFIED" : "KRB_AP_ERR_NOT_US"));
        t_free(h);
    }

    /* look-alike: the address answers from another machine (not a connection to
     * itself): which machine answered stays open. */
    t_harness *h = t_new(NULL);
    kd_obs a1 = alive2(22, 12, "169.254.95.120", "10.0.0.22");
    t_feed(h, &a1);
    kd_obs ap = t_ap_req(12, 22, 49732, 135, KD_CARRIER_DCERPC, "host/srv2.beta.test", "BETA.TEST", 4);
    kd_addr_parse("169.254.95.121", &ap.src);
    kd_addr_parse("169.254.95.120", &ap.dst);
    t_feed(h, &ap);
    kd_obs err = t_ap_error(&ap, 41, "srv1$");
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_SHARED_ADDRESS_LOOPBACK);
    assert_non_null(strstr(f->summary, "itself or another server"));
    assert_null(strstr(f->summary, "connected from"));
    t_free(h);
}

/* Item: 0x721 with no KRB-ERROR anywhere, on a connection from the shared address to
 * itself, after another host's ServerAlive2 listed that address: the client looped. */
static void
test_shared_address_fault_without_krb_error(void **state)
{
    (void)state;
    kd_addr shared;
    kd_addr_parse("169.254.95.120", &shared);
    t_harness *h = t_new(NULL);
    kd_obs al = alive2(22, 12, "169.254.95.120", "10.0.0.22");
    guint32 af = t_feed(h, &al);
    kd_obs ap = t_ap_req(12, 22, 40000, 135, KD_CARRIER_DCERPC, "host/srv2.beta.test", "BETA.TEST", 4);
    ap.src = shared;
    ap.dst = shared;
    kd_obs syn = tcp_fact(&ap, KD_NET_TCP_SELF_CONNECT);
    guint32 sf = t_feed(h, &syn);
    t_feed(h, &ap);
    kd_obs fl = fault(22, 12, 0x721);
    fl.src = shared;
    fl.dst = shared;
    const t_finding *f = only(h, t_feed(h, &fl));
    assert_int_equal(f->cause, KD_CAUSE_SHARED_ADDRESS_LOOPBACK);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(f->n_checks >= 2);
    assert_true(t_has_evidence(f, af));
    assert_true(t_has_evidence(f, sf));
    assert_string_equal(f->spn, "host/srv2.beta.test");
    t_free(h);

    /* Not a self-connection, but the client itself announced the address in its own
     * ServerAlive2 answer: it owns the address, so it connected to itself. */
    h = t_new(NULL);
    kd_obs mine = alive2(12, 22, "169.254.95.120", "10.0.0.12");
    guint32 mf = t_feed(h, &mine);
    kd_obs theirs = alive2(22, 12, "169.254.95.120", "10.0.0.22");
    t_feed(h, &theirs);
    kd_obs fl2 = fault(22, 12, 0x721);
    fl2.src = shared;
    f = only(h, t_feed(h, &fl2));
    assert_int_equal(f->cause, KD_CAUSE_SHARED_ADDRESS_LOOPBACK);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(t_has_evidence(f, mf));
    t_free(h);

    /* Only another host's listing: sent to an address not that server's, but whether
     * the client owns it is open: likely, never confirmed. */
    h = t_new(NULL);
    kd_obs al3 = alive2(22, 12, "169.254.95.120", "10.0.0.22");
    t_feed(h, &al3);
    kd_obs fl3 = fault(22, 12, 0x721);
    fl3.src = shared;
    f = only(h, t_feed(h, &fl3));
    assert_int_equal(f->cause, KD_CAUSE_SHARED_ADDRESS_LOOPBACK);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    t_free(h);
}

/* Contradiction: the service on the looped connection accepted the ticket (AP-REP
 * before the fault): the loop did not refuse it, so the cause is not confirmed. */
static void
test_shared_address_fault_contradicted(void **state)
{
    (void)state;
    kd_addr shared;
    kd_addr_parse("169.254.95.120", &shared);
    t_harness *h = t_new(NULL);
    kd_obs al = alive2(22, 12, "169.254.95.120", "10.0.0.22");
    t_feed(h, &al);
    kd_obs ap = t_ap_req(12, 22, 40000, 135, KD_CARRIER_DCERPC, "host/srv2.beta.test", "BETA.TEST", 4);
    ap.src = shared;
    ap.dst = shared;
    t_feed(h, &ap);
    kd_obs rep = t_ap_rep(&ap);
    rep.u.krb.rpc_pkt_type = KD_DCERPC_BIND_ACK;
    t_feed(h, &rep);
    kd_obs fl = fault(22, 12, 0x721);
    fl.src = shared;
    fl.dst = shared;
    const t_finding *f = only(h, t_feed(h, &fl));
    assert_int_not_equal(f->confidence, KD_CONF_CONFIRMED);
    t_free(h);
}

/* Benign look-alikes: a normal DCOM session to another host (ServerAlive2 lists the
 * server's own address, the bind succeeds); a self-connection no ServerAlive2 sent
 * the client to; a fault from the listed server's own address. */
static void
test_shared_address_fault_lookalikes(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs ok = alive2(22, 12, "10.0.0.22", "10.0.0.22");
    t_feed(h, &ok);
    kd_obs ap = t_ap_req(12, 22, 40000, 135, KD_CARRIER_DCERPC, "host/srv2.beta.test", "BETA.TEST", 4);
    kd_obs syn = tcp_fact(&ap, KD_NET_TCP_LOST_SEGMENT);
    t_feed(h, &syn);
    t_feed(h, &ap);
    kd_obs rep = t_ap_rep(&ap);
    rep.u.krb.rpc_pkt_type = KD_DCERPC_BIND_ACK;
    t_feed(h, &rep);
    assert_int_equal(t_total(h, KD_CAUSE_SHARED_ADDRESS_LOOPBACK), 0);
    assert_int_equal(t_total(h, KD_CAUSE_RPC_MESSAGE_CHECK_FAILED), 0);
    kd_obs fl = fault(22, 12, 0x721);
    assert_int_not_equal(only(h, t_feed(h, &fl))->cause, KD_CAUSE_SHARED_ADDRESS_LOOPBACK);
    t_free(h);

    h = t_new(NULL);
    kd_obs self = fault(12, 12, 0x721);
    kd_obs ssyn = tcp_fact(&self, KD_NET_TCP_SELF_CONNECT);
    t_feed(h, &ssyn);
    const t_finding *f = only(h, t_feed(h, &self));
    assert_int_equal(f->cause, KD_CAUSE_SEC_PKG_ERROR);
    t_free(h);
}

/* An AP-REQ carried by a DCE/RPC PDU at an auth level. */
static kd_obs
rpc_ap_req(guint8 pdu, guint8 level)
{
    kd_obs ap = t_ap_req(CLIENT, WEB, 40000, 135, KD_CARRIER_DCERPC, "host/srv.example.test", REALM, 3);
    ap.u.krb.rpc_pkt_type = pdu;
    ap.u.krb.rpc_auth_level = level;
    return ap;
}

/* Item: AP-REP in the alter_context_resp, then 0x721 on a sealed request: a
 * per-message integrity failure, less sure when the capture lost segments. */
static void
test_message_check_failed(void **state)
{
    (void)state;
    for (int lost = 0; lost <= 1; lost++) {
        t_harness *h = t_new(NULL);
        kd_obs ap = rpc_ap_req(KD_DCERPC_ALTER, RPC_C_AUTHN_LEVEL_PKT_PRIVACY);
        guint32 apf = t_feed(h, &ap);
        kd_obs rep = t_ap_rep(&ap);
        rep.u.krb.rpc_pkt_type = KD_DCERPC_ALTER_RESP;
        guint32 rf = t_feed(h, &rep);
        kd_obs gap = tcp_fact(&ap, KD_NET_TCP_LOST_SEGMENT);
        guint32 gf = lost ? t_feed(h, &gap) : 0;
        kd_obs fl = fault(WEB, CLIENT, 0x721);
        const t_finding *f = only(h, t_feed(h, &fl));
        assert_int_equal(f->cause, KD_CAUSE_RPC_MESSAGE_CHECK_FAILED);
        assert_int_equal(f->confidence, lost ? KD_CONF_POSSIBLE : KD_CONF_LIKELY);
        assert_true(t_has_evidence(f, apf));
        assert_true(t_has_evidence(f, rf));
        assert_true(!lost || t_has_evidence(f, gf));
        assert_non_null(strstr(f->summary, "integrity failure"));
        assert_null(strstr(f->summary, "refused the Kerberos ticket"));
        assert_string_equal(f->spn, "host/srv.example.test");
        t_free(h);
    }

    /* A gap on another connection of the same hosts, or one before the AP-REP (the
     * connection's start not captured), does not count. */
    t_harness *h = t_new(NULL);
    kd_obs ap = rpc_ap_req(KD_DCERPC_BIND, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY);
    kd_obs early = tcp_fact(&ap, KD_NET_TCP_LOST_SEGMENT);
    t_feed(h, &early);
    t_feed(h, &ap);
    kd_obs rep = t_ap_rep(&ap);
    rep.u.krb.rpc_pkt_type = KD_DCERPC_BIND_ACK;
    t_feed(h, &rep);
    kd_obs other = ap;
    other.sport = 40001;
    kd_obs gap = tcp_fact(&other, KD_NET_TCP_LOST_SEGMENT);
    t_feed(h, &gap);
    kd_obs fl = fault(WEB, CLIENT, 0x721);
    const t_finding *f = only(h, t_feed(h, &fl));
    assert_int_equal(f->cause, KD_CAUSE_RPC_MESSAGE_CHECK_FAILED);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    t_free(h);
}

/* Look-alikes: requests neither signed nor sealed (auth level connect); an AP-REP the
 * capture does not place in a bind_ack or alter_context_resp; a fault with no AP-REP
 * before it; another fault status after a good context. */
static void
test_message_check_lookalikes(void **state)
{
    (void)state;
    const struct { guint8 level, rep_pdu; gboolean rep; guint32 status; } cases[] = {
        { 2, KD_DCERPC_BIND_ACK, TRUE, 0x721 },
        { RPC_C_AUTHN_LEVEL_PKT_PRIVACY, 0, TRUE, 0x721 },
        { RPC_C_AUTHN_LEVEL_PKT_PRIVACY, KD_DCERPC_BIND_ACK, FALSE, 0x721 },
        { RPC_C_AUTHN_LEVEL_PKT_PRIVACY, KD_DCERPC_BIND_ACK, TRUE, 0x1c010003 },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        t_harness *h = t_new(NULL);
        kd_obs ap = rpc_ap_req(KD_DCERPC_BIND, cases[i].level);
        t_feed(h, &ap);
        if (cases[i].rep) {
            kd_obs rep = t_ap_rep(&ap);
            rep.u.krb.rpc_pkt_type = cases[i].rep_pdu;
            t_feed(h, &rep);
        }
        kd_obs fl = fault(WEB, CLIENT, cases[i].status);
        t_feed(h, &fl);
        assert_int_equal(t_total(h, KD_CAUSE_RPC_MESSAGE_CHECK_FAILED), 0);
        assert_int_equal(t_total(h, KD_CAUSE_SEC_PKG_ERROR), cases[i].status == RPC_S_SEC_PKG_ERROR ? 1 : 0);
        t_free(h);
    }
}

static void
test_dc_etype_mismatch(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs as = t_as_req(CLIENT, KDC, 50000, "alice", REALM, TRUE);
    t_feed(h, &as);
    kd_obs tgt = t_rep(&as, KD_MSG_AS_REP, "alice", "krbtgt/" REALM, REALM, 18, 2);
    guint32 tgtf = t_feed(h, &tgt);
    kd_obs ok = t_tgs_req(CLIENT, KDC, 50001, "host/app.example.test", REALM, REALM, 18, 2);
    guint32 okf = t_feed(h, &ok);
    kd_obs okrep = t_rep(&ok, KD_MSG_TGS_REP, "alice", "host/app.example.test", REALM, 18, 1);
    t_feed(h, &okrep);
    kd_obs other = t_tgs_req(CLIENT, 3, 50002, "host/app.example.test", REALM, REALM, 18, 2);
    t_feed(h, &other);
    kd_obs err = t_error(&other, 60, NULL, "host/app.example.test");
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_DC_ETYPE_MISMATCH);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(t_has_evidence(f, tgtf) && t_has_evidence(f, okf));
    assert_string_equal(f->client, "alice");
    t_free(h);

    /* look-alike: the issuing KDC itself refuses: not a disagreement between KDCs */
    h = t_new(NULL);
    kd_obs as2 = t_as_req(CLIENT, KDC, 50000, "alice", REALM, TRUE);
    t_feed(h, &as2);
    kd_obs tgt2 = t_rep(&as2, KD_MSG_AS_REP, "alice", "krbtgt/" REALM, REALM, 18, 2);
    t_feed(h, &tgt2);
    kd_obs same = t_tgs_req(CLIENT, KDC, 50002, "host/app.example.test", REALM, REALM, 18, 2);
    t_feed(h, &same);
    kd_obs e2 = t_error(&same, 60, NULL, "host/app.example.test");
    assert_int_equal(only(h, t_feed(h, &e2))->cause, KD_CAUSE_KRB_ERROR);
    t_free(h);
}

static void
test_trust_key_mismatch(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* realm A's KDC issues krbtgt/B.TEST@A.TEST, realm B's KDC (3) refuses it */
    kd_obs tgs = t_tgs_req(CLIENT, KDC, 50000, "host/svc.b.test", "A.TEST", "A.TEST", 18, 2);
    t_feed(h, &tgs);
    kd_obs ref = t_rep(&tgs, KD_MSG_TGS_REP, "alice", "krbtgt/B.TEST", "A.TEST", 18, 1);
    guint32 reff = t_feed(h, &ref);
    kd_obs tgsb = t_tgs_req(CLIENT, 3, 50001, "host/svc.b.test", "B.TEST", "A.TEST", 18, 1);
    t_feed(h, &tgsb);
    kd_obs err = t_error(&tgsb, 31, NULL, "host/svc.b.test");
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_TRUST_KEY_MISMATCH);
    assert_true(t_has_evidence(f, reff));
    t_free(h);
}

static void
test_etype_no_common(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    const t_finding *f = only(h, t_scene_etype_no_common(h));
    assert_int_equal(f->cause, KD_CAUSE_ETYPE_NO_COMMON);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    t_free(h);

    /* the account's keys unknown: still the cause, less sure */
    h = t_new(NULL);
    kd_obs r2 = t_as_req(CLIENT, KDC, 50000, "bob", REALM, FALSE);
    t_feed(h, &r2);
    kd_obs e2 = t_error(&r2, 14, "bob", "krbtgt/" REALM);
    assert_int_equal(only(h, t_feed(h, &e2))->confidence, KD_CONF_LIKELY);
    t_free(h);
}

/* A TGS-REQ's KDC_ERR_ETYPE_NOSUPP is about the service's keys. The client's own AS
 * exchange announced the client's key types (ETYPE-INFO2: aes128, the very type the
 * TGS-REQ offers); they say nothing about the service's keys (aes256 only). */
#define SVC "host/svc.example.test"

/* alice logs on offering and getting aes128 (17); then asks for SVC offering 17 only. */
static guint32
etype_tgs_failure(t_harness *h, guint16 port, guint32 *req_frame)
{
    kd_obs as = t_as_req(CLIENT, KDC, port, "alice", REALM, FALSE);
    as.u.krb.req_etypes[0] = 17;
    as.u.krb.n_req_etypes = 1;
    t_feed(h, &as);
    kd_obs pre = t_error(&as, 25, "alice", "krbtgt/" REALM);
    pre.u.krb.etype_info2[0] = 17;
    pre.u.krb.n_etype_info2 = 1;
    t_feed(h, &pre);
    kd_obs as2 = t_as_req(CLIENT, KDC, port + 1, "alice", REALM, TRUE);
    as2.u.krb.req_etypes[0] = 17;
    as2.u.krb.n_req_etypes = 1;
    t_feed(h, &as2);
    kd_obs tgt = t_rep(&as2, KD_MSG_AS_REP, "alice", "krbtgt/" REALM, REALM, 18, 1);
    tgt.u.krb.etype_info2[0] = 17;
    tgt.u.krb.n_etype_info2 = 1;
    t_feed(h, &tgt);
    kd_obs tgs = t_tgs_req(CLIENT, KDC, port + 2, SVC, REALM, REALM, 18, 1);
    tgs.u.krb.req_etypes[0] = 17;
    tgs.u.krb.n_req_etypes = 1;
    *req_frame = t_feed(h, &tgs);
    kd_obs err = t_error(&tgs, 14, "alice", SVC);
    return t_feed(h, &err);
}

static void
test_etype_no_common_service_keys(void **state)
{
    (void)state;
    guint32 rf;
    /* The service's keys unknown: the client's ETYPE-INFO2 is no evidence of a
     * common type: etype_no_common, not a round trip. */
    t_harness *h = t_new(NULL);
    const t_finding *f = only(h, etype_tgs_failure(h, 50000, &rf));
    assert_int_equal(f->cause, KD_CAUSE_ETYPE_NO_COMMON);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_false(f->recovered);
    assert_true(t_has_evidence(f, rf));
    assert_null(strstr(f->summary, "round trip"));
    assert_non_null(strstr(f->details, "service keys: not in the capture"));
    t_free(h);

    /* The service's keytab loaded: aes256 only; confirmed. */
    kd_keytab kt = { 0 };
    kt.loaded = TRUE;
    kt.keys[0].principal = (char *)SVC;
    kt.keys[0].realm = (char *)REALM;
    kt.keys[0].kvno = 1;
    kt.keys[0].etype = 18;
    kt.n = 1;
    kd_config cfg;
    kd_config_default(&cfg);
    cfg.keytab = &kt;
    h = t_new(&cfg);
    f = only(h, etype_tgs_failure(h, 50000, &rf));
    assert_int_equal(f->cause, KD_CAUSE_ETYPE_NO_COMMON);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_non_null(strstr(f->details, "service keys: 18"));
    t_free(h);

    /* A keytab of another service says nothing about SVC. */
    kt.keys[0].principal = (char *)"HTTP/www.example.test";
    h = t_new(&cfg);
    assert_int_equal(only(h, etype_tgs_failure(h, 50000, &rf))->confidence, KD_CONF_LIKELY);
    t_free(h);

    /* A ticket issued for SVC in aes256 shows one of its keys, not all: likely. */
    h = t_new(NULL);
    kd_obs other = t_tgs_req(30, KDC, 40000, SVC, REALM, REALM, 18, 1);
    t_feed(h, &other);
    kd_obs rep = t_rep(&other, KD_MSG_TGS_REP, "bob", SVC, REALM, 18, 3);
    guint32 repf = t_feed(h, &rep);
    f = only(h, etype_tgs_failure(h, 50000, &rf));
    assert_int_equal(f->cause, KD_CAUSE_ETYPE_NO_COMMON);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_true(t_has_evidence(f, repf));
    t_free(h);

    /* look-alike: a ticket for SVC was issued in aes128, the type the client offers:
     * the service has a common type, the refusal is about something else. No round
     * trip is claimed while no retry succeeds. */
    h = t_new(NULL);
    kd_obs o2 = t_tgs_req(30, KDC, 40000, SVC, REALM, REALM, 18, 1);
    t_feed(h, &o2);
    kd_obs rep2 = t_rep(&o2, KD_MSG_TGS_REP, "bob", SVC, REALM, 17, 3);
    t_feed(h, &rep2);
    f = only(h, etype_tgs_failure(h, 50000, &rf));
    assert_int_equal(f->cause, KD_CAUSE_KRB_ERROR);
    assert_false(f->recovered);
    t_free(h);
}

/* The same failure, then a retry offering aes256 gets the ticket: recovered (a round
 * trip), whatever the keys. */
static void
test_etype_no_common_service_retry(void **state)
{
    (void)state;
    guint32 rf;
    t_harness *h = t_new(NULL);
    guint32 ef = etype_tgs_failure(h, 50000, &rf);
    kd_obs retry = t_tgs_req(CLIENT, KDC, 50010, SVC, REALM, REALM, 18, 1);
    t_feed(h, &retry);
    kd_obs rep = t_rep(&retry, KD_MSG_TGS_REP, "alice", SVC, REALM, 18, 3);
    guint32 okf = t_feed(h, &rep);
    const t_finding *f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_ETYPE_NO_COMMON);
    assert_true(f->recovered);
    assert_int_equal(f->recovered_frame, okf);
    t_free(h);
}

static void
test_kdc_unreachable(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 second, thirdf;
    guint32 first = t_scene_silent_kdc(h, &second, &thirdf);
    const t_finding *f = only(h, first);
    assert_int_equal(f->cause, KD_CAUSE_KDC_UNREACHABLE);
    assert_true(t_has_evidence(f, second) && t_has_evidence(f, thirdf));
    /* the series, and the frame that decided it (for a single pass) */
    assert_int_equal(t_total(h, KD_CAUSE_KDC_UNREACHABLE), 2);
    assert_int_equal(only(h, second)->cause, KD_CAUSE_KDC_UNREACHABLE);
    t_free(h);

    /* look-alikes: a quick second question, and a new request after an answer */
    h = t_new(NULL);
    kd_obs a = t_tgs_req(CLIENT, KDC, 50000, "host/x.example.test", REALM, REALM, 18, 2);
    t_feed(h, &a);
    kd_obs b = t_tgs_req(CLIENT, KDC, 50001, "host/x.example.test", REALM, REALM, 18, 2);
    t_feed(h, &b);
    kd_obs rep = t_rep(&b, KD_MSG_TGS_REP, "alice", "host/x.example.test", REALM, 18, 1);
    t_feed(h, &rep);
    t_sleep(h, 5);
    kd_obs c = t_tgs_req(CLIENT, KDC, 50002, "host/x.example.test", REALM, REALM, 18, 2);
    t_feed(h, &c);
    assert_int_equal(t_total(h, KD_CAUSE_KDC_UNREACHABLE), 0);
    t_free(h);
}

static void
test_icmp_unreachable(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, 5, 50000, "alice", REALM, FALSE);
    guint32 rf = t_feed(h, &req);
    kd_obs icmp;
    kd_obs_init(&icmp, KD_OBS_TRANSPORT);
    icmp.src = t_ip(5);
    icmp.dst = t_ip(CLIENT);
    icmp.u.net.event = KD_NET_ICMP_UNREACHABLE;
    icmp.u.net.kdc = t_ip(5);
    guint32 icf = t_feed(h, &icmp);
    const t_finding *f = only(h, rf);
    assert_int_equal(f->cause, KD_CAUSE_KDC_UNREACHABLE);
    assert_true(t_has_evidence(f, icf));
    assert_non_null(strstr(f->roles, "ICMP destination unreachable from 10.0.0.5 for the request to 10.0.0.5"));
    t_free(h);
}

/* A router, not the KDC, reports the KDC unreachable: the evidence names both. */
static void
test_icmp_unreachable_from_router(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, 5, 50000, "alice", REALM, FALSE);
    guint32 rf = t_feed(h, &req);
    kd_obs icmp;
    kd_obs_init(&icmp, KD_OBS_TRANSPORT);
    icmp.src = t_ip(1);
    icmp.dst = t_ip(CLIENT);
    icmp.u.net.event = KD_NET_ICMP_UNREACHABLE;
    icmp.u.net.kdc = t_ip(5);
    t_feed(h, &icmp);
    const t_finding *f = only(h, rf);
    assert_int_equal(f->cause, KD_CAUSE_KDC_UNREACHABLE);
    assert_non_null(strstr(f->roles, "ICMP destination unreachable from 10.0.0.1 for the request to 10.0.0.5"));
    t_free(h);
}

/* ------------------------------------------------------ robustness, config */

static void
test_missing_and_odd_fields(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* an error with nothing else known: still exactly one finding */
    kd_obs err;
    kd_obs_init(&err, KD_OBS_KRB);
    err.u.krb.msg_type = KD_MSG_ERROR;
    err.u.krb.error_code = 41;
    assert_int_equal(t_count(h, t_feed(h, &err)), 1);
    err.u.krb.error_code = -5;
    assert_int_equal(t_count(h, t_feed(h, &err)), 1);
    err.u.krb.error_code = G_MAXINT32;
    assert_int_equal(t_count(h, t_feed(h, &err)), 1);
    /* huge and non-ASCII strings */
    char *big = g_strnfill(100000, 'A');
    kd_obs req = t_tgs_req(CLIENT, KDC, 1, big, "\xff\xfe", NULL, -1, -1);
    t_feed(h, &req);
    kd_obs e2 = t_error(&req, 7, "\xc3\x28", big);
    assert_int_equal(t_count(h, t_feed(h, &e2)), 1);
    g_free(big);
    /* SPNs without a host part, only slashes, only a colon */
    const char *odd[] = { "", "/", "//", "host/", "host/:", "host/[", "host/]", ":", "a/b/c/d" };
    for (gsize i = 0; i < G_N_ELEMENTS(odd); i++) {
        kd_obs r = t_tgs_req(CLIENT, KDC, 2, odd[i], REALM, REALM, 18, 2);
        t_feed(h, &r);
        kd_obs e = t_error(&r, 7, NULL, odd[i]);
        assert_int_equal(t_count(h, t_feed(h, &e)), 1);
    }
    /* unknown kinds, empty feeds, a NULL engine */
    kd_obs junk;
    memset(&junk, 0, sizeof(junk));
    junk.kind = (kd_obs_kind)999;
    t_feed(h, &junk);
    kd_engine_feed(h->eng, NULL, 3);
    kd_engine_feed(NULL, &junk, 1);
    kd_engine_feed(h->eng, &junk, 0);
    t_free(h);
}

/* The generic finding of a switched-off group: nothing of the disabled rule in it. */
static void
assert_generic(const t_finding *f)
{
    assert_int_equal(f->cause, KD_CAUSE_KRB_ERROR);
    assert_int_equal(f->confidence, KD_CONF_POSSIBLE);
    assert_null(f->summary);
    assert_null(f->missing);
    assert_int_equal(f->n_evidence, 0);
    assert_int_equal(f->n_alternatives, 0);
    assert_int_equal(f->n_checks, 0);
    assert_string_equal(f->details, "");
    assert_false(f->has_skew);
}

static void
test_group_switched_off_leaves_generic(void **state)
{
    (void)state;
    kd_config cfg;
    kd_config_default(&cfg);
    cfg.group_enabled[KD_GROUP_KDC] = FALSE;
    t_harness *h = t_new(&cfg);
    assert_generic(only(h, t_scene_wrong_password(h, "alice", 50000, NULL)));
    assert_int_equal(t_total(h, KD_CAUSE_WRONG_PASSWORD), 0);
    t_free(h);
}

static t_harness *
groups_off(kd_rule_group off)
{
    kd_config cfg;
    kd_config_default(&cfg);
    cfg.group_enabled[off] = FALSE;
    return t_new(&cfg);
}

/* Service group off: a DNS-alias failure shows as the generic finding only, with
 * nothing of the service rule in it. */
static void
test_group_off_service(void **state)
{
    (void)state;
    t_harness *h = groups_off(KD_GROUP_SERVICE);
    assert_generic(only(h, t_scene_cname_spn(h, NULL, NULL, NULL)));
    assert_int_equal(t_total(h, KD_CAUSE_CNAME_SPN), 0);
    t_free(h);

    /* Late LDAP evidence would amend spn_missing (kdc group) into duplicate_spn
     * (service group): with the service group off it amends nothing. */
    const char *spn = "HTTP/app.example.test";
    h = groups_off(KD_GROUP_SERVICE);
    guint32 lf;
    guint32 ef = t_scene_duplicate_spn_late(h, spn, &lf);
    const t_finding *f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_SPN_MISSING);
    for (guint i = 0; i < f->n_alternatives; i++)
        assert_int_not_equal(kd_catalog[f->alternatives[i]].group, KD_GROUP_SERVICE);
    assert_int_equal(t_count(h, lf), 0);
    assert_int_equal(t_total(h, KD_CAUSE_DUPLICATE_SPN), 0);
    t_free(h);

    /* look-alike: the same with every group on is duplicate_spn */
    h = t_new(NULL);
    ef = t_scene_duplicate_spn_late(h, spn, &lf);
    assert_int_equal(only(h, ef)->cause, KD_CAUSE_DUPLICATE_SPN);
    assert_true(t_has_evidence(only(h, ef), lf));
    t_free(h);
}

/* Etype group off: no common encryption type shows as the generic finding. */
static void
test_group_off_etype(void **state)
{
    (void)state;
    t_harness *h = groups_off(KD_GROUP_ETYPE);
    assert_generic(only(h, t_scene_etype_no_common(h)));
    assert_int_equal(t_total(h, KD_CAUSE_ETYPE_NO_COMMON), 0);
    t_free(h);
}

/* Transport group off: RESPONSE_TOO_BIG (a Kerberos error) shows as the generic
 * finding; the KDC that never answers (no Kerberos error) shows nothing. */
static void
test_group_off_transport(void **state)
{
    (void)state;
    t_harness *h = groups_off(KD_GROUP_TRANSPORT);
    guint32 ef = t_scene_response_too_big(h);
    assert_generic(only(h, ef));
    t_scene_retry_over_tcp(h);
    assert_generic(only(h, ef));
    assert_int_equal(t_total(h, KD_CAUSE_RESPONSE_TOO_BIG), 0);
    t_free(h);

    /* A silent KDC (test_kdc_unreachable's scenario): nothing with the group off. */
    for (int on = 1; on >= 0; on--) {
        h = on ? t_new(NULL) : groups_off(KD_GROUP_TRANSPORT);
        t_scene_silent_kdc(h, NULL, NULL);
        assert_int_equal(t_total(h, KD_CAUSE_KDC_UNREACHABLE) > 0, on);
        assert_int_equal(t_total(h, KD_CAUSE_KRB_ERROR), 0);
        t_free(h);
    }
}

static void
test_skew_tolerance_config(void **state)
{
    (void)state;
    kd_config cfg;
    kd_config_default(&cfg);
    cfg.skew_tolerance_s = 60;
    t_harness *h = t_new(&cfg);
    const t_finding *f = skew_case(h, -100, FALSE, 0);
    /* 100 s off: outside the 12 s "agrees with the capture" band of a 60 s tolerance */
    assert_non_null(strstr(f->summary, "KDC's clock"));
    assert_non_null(strstr(f->summary, "allowed 60 s"));
    t_free(h);
}

static void
test_store_stays_bounded(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    char name[64];
    for (int i = 0; i < 30000; i++) {
        g_snprintf(name, sizeof name, "user%d", i);
        kd_obs req = t_as_req(i % 250 + 1, KDC, (guint16)(i % 60000 + 1), name, REALM, TRUE);
        t_feed(h, &req);
        kd_obs err = t_error(&req, 24, name, "krbtgt/" REALM);
        t_feed(h, &err);
    }
    assert_true(kd_engine_store_size(h->eng) <= 20 * KD_STORE_CAP);
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preauth_required_confirmed_by_followup),
        cmocka_unit_test(test_preauth_required_lookalike_other_principal),
        cmocka_unit_test(test_preauth_proofs),
        cmocka_unit_test(test_wrong_password_counts),
        cmocka_unit_test(test_unknown_client),
        cmocka_unit_test(test_spn_missing_and_ip_literals),
        cmocka_unit_test(test_heimdal_empty_sname_takes_request),
        cmocka_unit_test(test_account_states),
        cmocka_unit_test(test_lockout_after_wrong_passwords),
        cmocka_unit_test(test_clock_skew_which_side),
        cmocka_unit_test(test_response_too_big_then_tcp),
        cmocka_unit_test(test_referral_and_generic),
        cmocka_unit_test(test_cname_spn),
        cmocka_unit_test(test_cname_lookalike_success),
        cmocka_unit_test(test_stale_service_key),
        cmocka_unit_test(test_stale_key_lookalike_kvno_change_succeeds),
        cmocka_unit_test(test_undetermined_lists_candidates),
        cmocka_unit_test(test_spn_account_mismatch),
        cmocka_unit_test(test_same_name_other_domain),
        cmocka_unit_test(test_duplicate_spn_from_ldap_before_and_after),
        cmocka_unit_test(test_sec_pkg_error_inherits),
        cmocka_unit_test(test_shared_address_loopback),
        cmocka_unit_test(test_shared_address_self_connection_words),
        cmocka_unit_test(test_shared_address_fault_without_krb_error),
        cmocka_unit_test(test_shared_address_fault_contradicted),
        cmocka_unit_test(test_shared_address_fault_lookalikes),
        cmocka_unit_test(test_message_check_failed),
        cmocka_unit_test(test_message_check_lookalikes),
        cmocka_unit_test(test_dc_etype_mismatch),
        cmocka_unit_test(test_trust_key_mismatch),
        cmocka_unit_test(test_etype_no_common),
        cmocka_unit_test(test_etype_no_common_service_keys),
        cmocka_unit_test(test_etype_no_common_service_retry),
        cmocka_unit_test(test_kdc_unreachable),
        cmocka_unit_test(test_icmp_unreachable),
        cmocka_unit_test(test_icmp_unreachable_from_router),
        cmocka_unit_test(test_missing_and_odd_fields),
        cmocka_unit_test(test_group_switched_off_leaves_generic),
        cmocka_unit_test(test_group_off_service),
        cmocka_unit_test(test_group_off_etype),
        cmocka_unit_test(test_group_off_transport),
        cmocka_unit_test(test_skew_tolerance_config),
        cmocka_unit_test(test_store_stays_bounded),
        cmocka_unit_test(test_time_diff_saturates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
