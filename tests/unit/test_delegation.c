/* test_delegation.c
 * Unit tests of the constrained delegation and protocol transition rules
 * (S4U2Proxy, S4U2Self): each cause, benign look-alikes, odd fields.
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

#define REALM "AD.EXAMPLE.TEST"
#define KDC 2
#define FRONT 20


/* S4U2Proxy: the front-end asks for target with the user's ticket for itself. */
static kd_obs
proxy_req(guint16 port, const char *target)
{
    kd_obs o = t_tgs_req(FRONT, KDC, port, target, REALM, REALM, 18, 2);
    o.u.krb.opt_cname_in_addl_tkt = TRUE;
    o.u.krb.n_addl_tickets = 1;
    o.u.krb.addl_ticket.present = TRUE;
    o.u.krb.addl_ticket.sname = "HTTP/web.ad.example.test";
    o.u.krb.addl_ticket.realm = REALM;
    o.u.krb.addl_ticket.etype = 18;
    o.u.krb.addl_ticket.kvno = 3;
    return o;
}

static const t_finding *
refusal(t_harness *h, const kd_obs *req, gint32 code, gboolean has_status, guint32 status, const char *etext,
        guint32 *req_frame)
{
    kd_obs r = *req;
    *req_frame = t_feed(h, &r);
    kd_obs err = t_error(&r, code, "web$", r.u.krb.sname);
    err.u.krb.has_nt_status = has_status;
    err.u.krb.nt_status = status;
    err.u.krb.e_text = etext;
    guint32 ef = t_feed(h, &err);
    assert_int_equal(t_count(h, ef), 1);
    return t_get(h, ef, 0);
}

static void
test_proxy_no_delegation_list(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 rf;
    kd_obs req = proxy_req(50000, "cifs/files.ad.example.test");
    const t_finding *f = refusal(h, &req, KDC_ERR_BADOPTION, TRUE, STATUS_NOT_SUPPORTED, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_DELEGATION_NOT_CONFIGURED);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    /* The requested service only, not the evidence ticket's name. */
    assert_string_equal(f->spn, "cifs/files.ad.example.test");
    assert_true(t_has_evidence(f, rf));
    assert_non_null(strstr(f->summary, "web$"));
    t_free(h);
}

/* Routine Windows traffic: a host asks S4U2Proxy for a ticket to its own account,
 * with its own service ticket as evidence; refused with STATUS_NOT_SUPPORTED. The
 * cause stays, as a note that does not call the host a front-end service. */
static void
test_proxy_to_itself_is_a_note(void **state)
{
    (void)state;
    static const char *const targets[] = {
        "HTTP/web.ad.example.test",     /* the evidence ticket's own server */
        "web$@AD.EXAMPLE.TEST",         /* the requesting account, enterprise form */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(targets); i++) {
        t_harness *h = t_new(NULL);
        guint32 rf;
        kd_obs req = proxy_req(50000, targets[i]);
        const t_finding *f = refusal(h, &req, KDC_ERR_BADOPTION, TRUE, STATUS_NOT_SUPPORTED, NULL, &rf);
        assert_int_equal(f->cause, KD_CAUSE_DELEGATION_NOT_CONFIGURED);
        assert_int_equal(f->confidence, KD_CONF_INFO);
        assert_non_null(strstr(f->summary, "no delegation rights toward itself"));
        assert_non_null(strstr(f->summary, "web$"));
        assert_null(strstr(f->summary, "front-end"));
        assert_int_equal(f->n_alternatives, 0);
        assert_null(f->missing);
        assert_true(t_has_evidence(f, rf));
        t_free(h);
    }

    /* The same to itself refused with STATUS_NO_MATCH: its cause, also a note. */
    t_harness *h = t_new(NULL);
    guint32 rf;
    kd_obs req = proxy_req(50000, "HTTP/web.ad.example.test");
    const t_finding *f = refusal(h, &req, KDC_ERR_BADOPTION, TRUE, STATUS_NO_MATCH, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_DELEGATION_TARGET_NOT_ALLOWED);
    assert_int_equal(f->confidence, KD_CONF_INFO);
    t_free(h);

    /* look-alike: a real front-end (web$) delegating to another service: a warning
     * about the front-end, confirmed by the KDC's status. */
    h = t_new(NULL);
    kd_obs other = proxy_req(50000, "cifs/files.ad.example.test");
    f = refusal(h, &other, KDC_ERR_BADOPTION, TRUE, STATUS_NOT_SUPPORTED, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_DELEGATION_NOT_CONFIGURED);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_null(strstr(f->summary, "itself"));
    t_free(h);

    /* look-alike: another host's account as target is no self-target. */
    h = t_new(NULL);
    kd_obs db = proxy_req(50000, "db$@AD.EXAMPLE.TEST");
    f = refusal(h, &db, KDC_ERR_BADOPTION, TRUE, STATUS_NOT_SUPPORTED, NULL, &rf);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    t_free(h);
}

/* The same routine refusal when the request is a TCP segment nothing could be read
 * from: the error names the account that logged on from the host as its server, with
 * STATUS_NOT_SUPPORTED. A note; another account as server stays the generic error. */
static void
test_proxy_to_itself_unread_request(void **state)
{
    (void)state;
    for (int self = 1; self >= 0; self--) {
        t_harness *h = t_new(NULL);
        kd_obs as = t_as_req(FRONT, KDC, 49000, "web$", REALM, TRUE);
        t_feed(h, &as);
        kd_obs tgt = t_rep(&as, KD_MSG_AS_REP, "web$", "krbtgt/" REALM, REALM, 18, 2);
        t_feed(h, &tgt);
        kd_obs part = t_tcp_partial(FRONT, KDC, 49001);
        t_feed(h, &part);
        kd_obs err = t_over_tcp(t_error(&part, KDC_ERR_BADOPTION, NULL, self ? "web$@" REALM : "db$@" REALM));
        err.u.krb.carrier = KD_CARRIER_KDC;    /* t_error copies it from a KRB request */
        err.u.krb.has_nt_status = TRUE;
        err.u.krb.nt_status = STATUS_NOT_SUPPORTED;
        guint32 ef = t_feed(h, &err);
        assert_int_equal(t_count(h, ef), 1);
        const t_finding *f = t_get(h, ef, 0);
        if (self) {
            assert_int_equal(f->cause, KD_CAUSE_DELEGATION_NOT_CONFIGURED);
            assert_int_equal(f->confidence, KD_CONF_INFO);
            assert_non_null(strstr(f->summary, "no delegation rights toward itself"));
            assert_null(strstr(f->summary, "front-end"));
        } else {
            assert_int_equal(f->cause, KD_CAUSE_KRB_ERROR);
        }
        t_free(h);
    }
}

static void
test_proxy_no_match_is_target_or_evidence(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 rf;
    kd_obs req = proxy_req(50000, "host/db.ad.example.test");
    const t_finding *f = refusal(h, &req, KDC_ERR_BADOPTION, TRUE, STATUS_NO_MATCH, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_DELEGATION_TARGET_NOT_ALLOWED);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_int_equal(f->n_alternatives, 1);
    assert_int_equal(f->alternatives[0], KD_CAUSE_DELEGATION_NOT_FORWARDABLE);
    assert_string_equal(f->spn, "host/db.ad.example.test");
    t_free(h);
}

static void
test_proxy_mit_status_texts(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        kd_cause cause;
    } cases[] = {
        { "UNSUPPORTED_S4U2PROXY_REQUEST", KD_CAUSE_DELEGATION_NOT_CONFIGURED },
        { "NOT_ALLOWED_TO_DELEGATE", KD_CAUSE_DELEGATION_TARGET_NOT_ALLOWED },
        { "EVIDENCE_TKT_NOT_FORWARDABLE", KD_CAUSE_DELEGATION_NOT_FORWARDABLE },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        t_harness *h = t_new(NULL);
        guint32 rf;
        kd_obs req = proxy_req(50000, "cifs/files.ad.example.test");
        const t_finding *f = refusal(h, &req, KDC_ERR_BADOPTION, FALSE, 0, cases[i].text, &rf);
        assert_int_equal(f->cause, cases[i].cause);
        assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
        t_free(h);
    }
}

static void
test_proxy_without_reason(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 rf;
    kd_obs req = proxy_req(50000, "cifs/files.ad.example.test");
    /* No status, an e-text that is no known status string. */
    const t_finding *f = refusal(h, &req, KDC_ERR_BADOPTION, FALSE, 0, "something else", &rf);
    assert_int_equal(f->cause, KD_CAUSE_DELEGATION_TARGET_NOT_ALLOWED);
    assert_int_equal(f->confidence, KD_CONF_POSSIBLE);
    assert_int_equal(f->n_alternatives, 2);
    /* An unrelated NTSTATUS is no reason either. */
    kd_obs again = proxy_req(50001, "cifs/files.ad.example.test");
    f = refusal(h, &again, KDC_ERR_BADOPTION, TRUE, STATUS_WRONG_PASSWORD, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_DELEGATION_TARGET_NOT_ALLOWED);
    assert_int_equal(f->confidence, KD_CONF_POSSIBLE);
    t_free(h);
}

static void
test_lookalike_badoption_without_s4u(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 rf;
    /* A plain TGS-REQ refused with KDC_ERR_BADOPTION (a renewal, say): the generic error. */
    kd_obs plain = t_tgs_req(FRONT, KDC, 50000, "cifs/files.ad.example.test", REALM, REALM, 18, 2);
    const t_finding *f = refusal(h, &plain, KDC_ERR_BADOPTION, TRUE, STATUS_NOT_SUPPORTED, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_KRB_ERROR);
    /* The option without an additional ticket, or a ticket without the option
     * (user-to-user): not S4U2Proxy. */
    kd_obs opt_only = t_tgs_req(FRONT, KDC, 50001, "cifs/files.ad.example.test", REALM, REALM, 18, 2);
    opt_only.u.krb.opt_cname_in_addl_tkt = TRUE;
    f = refusal(h, &opt_only, KDC_ERR_BADOPTION, TRUE, STATUS_NOT_SUPPORTED, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_KRB_ERROR);
    kd_obs u2u = proxy_req(50002, "alice");
    u2u.u.krb.opt_cname_in_addl_tkt = FALSE;
    u2u.u.krb.opt_enc_tkt_in_skey = TRUE;
    f = refusal(h, &u2u, KDC_ERR_BADOPTION, FALSE, 0, NULL, &rf);
    /* A refused user-to-user request has a cause of its own. */
    assert_int_equal(f->cause, KD_CAUSE_USER_TO_USER);
    t_free(h);
}

static void
test_proxy_other_errors_keep_their_cause(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 rf;
    /* S4U2Proxy to an SPN nobody holds: the KDC rules explain it. */
    kd_obs req = proxy_req(50000, "cifs/nowhere.ad.example.test");
    const t_finding *f = refusal(h, &req, 7, FALSE, 0, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_SPN_MISSING);
    assert_string_equal(f->spn, "cifs/nowhere.ad.example.test");
    /* A granted S4U2Proxy: no finding at all. */
    kd_obs ok = proxy_req(50001, "cifs/files.ad.example.test");
    t_feed(h, &ok);
    kd_obs rep = t_rep(&ok, KD_MSG_TGS_REP, "alice", "cifs/files.ad.example.test", REALM, 18, 4);
    guint32 pf = t_feed(h, &rep);
    assert_int_equal(t_count(h, pf), 0);
    t_free(h);
}

static void
test_s4u2self_refused(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 rf;
    kd_obs req = t_tgs_req(FRONT, KDC, 50000, "web$", REALM, REALM, 18, 2);
    req.u.krb.padata[req.u.krb.n_padata++] = 129;     /* PA-FOR-USER */
    const t_finding *f = refusal(h, &req, KDC_ERR_BADOPTION, FALSE, 0, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_PROTOCOL_TRANSITION_REFUSED);
    assert_true(t_has_evidence(f, rf));
    /* PA-S4U-X509-USER alone is S4U2Self too. */
    kd_obs x509 = t_tgs_req(FRONT, KDC, 50001, "web$", REALM, REALM, 18, 2);
    x509.u.krb.padata[x509.u.krb.n_padata++] = 130;
    f = refusal(h, &x509, 16, FALSE, 0, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_PROTOCOL_TRANSITION_REFUSED);
    /* An unknown user stays unknown_client (the KDC rules' more specific answer). */
    kd_obs unknown = t_tgs_req(FRONT, KDC, 50002, "web$", REALM, REALM, 18, 2);
    unknown.u.krb.padata[unknown.u.krb.n_padata++] = 129;
    f = refusal(h, &unknown, 6, FALSE, 0, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_UNKNOWN_CLIENT);
    t_free(h);
}

static void
test_odd_fields(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 rf;
    /* A huge additional-ticket count, no evidence name, no client name in the error. */
    kd_obs req = proxy_req(50000, NULL);
    req.u.krb.n_addl_tickets = G_MAXUINT;
    req.u.krb.addl_ticket.sname = NULL;
    t_feed(h, &req);
    rf = req.frame;
    kd_obs err = t_error(&req, KDC_ERR_BADOPTION, NULL, NULL);
    err.u.krb.has_nt_status = TRUE;
    err.u.krb.nt_status = STATUS_NO_MATCH;
    err.u.krb.e_text = "";
    guint32 ef = t_feed(h, &err);
    assert_int_equal(t_count(h, ef), 1);
    const t_finding *f = t_get(h, ef, 0);
    assert_int_equal(f->cause, KD_CAUSE_DELEGATION_TARGET_NOT_ALLOWED);
    assert_null(f->spn);
    assert_non_null(f->summary);
    /* An error with no request to pair it with: the generic finding. */
    kd_obs lone = proxy_req(50001, "cifs/files.ad.example.test");
    kd_obs err2 = t_error(&lone, KDC_ERR_BADOPTION, "web$", "cifs/files.ad.example.test");
    err2.u.krb.has_nt_status = TRUE;
    err2.u.krb.nt_status = STATUS_NOT_SUPPORTED;
    t_sleep(h, 600);
    ef = t_feed(h, &err2);
    assert_int_equal(t_get(h, ef, 0)->cause, KD_CAUSE_KRB_ERROR);
    (void)rf;
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
    guint32 rf;
    kd_obs req = proxy_req(50000, "cifs/files.ad.example.test");
    const t_finding *f = refusal(h, &req, KDC_ERR_BADOPTION, TRUE, STATUS_NOT_SUPPORTED, NULL, &rf);
    assert_int_equal(f->cause, KD_CAUSE_KRB_ERROR);
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proxy_no_delegation_list),
        cmocka_unit_test(test_proxy_to_itself_is_a_note),
        cmocka_unit_test(test_proxy_to_itself_unread_request),
        cmocka_unit_test(test_proxy_no_match_is_target_or_evidence),
        cmocka_unit_test(test_proxy_mit_status_texts),
        cmocka_unit_test(test_proxy_without_reason),
        cmocka_unit_test(test_lookalike_badoption_without_s4u),
        cmocka_unit_test(test_proxy_other_errors_keep_their_cause),
        cmocka_unit_test(test_s4u2self_refused),
        cmocka_unit_test(test_odd_fields),
        cmocka_unit_test(test_group_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
