/* test_claims_rules.c
 * Unit tests of claims that must hold: "KDC B refuses the TGT KDC A issued" is about
 * the same ticket (its ciphertext) for the same client, and is not made when another
 * frame contradicts it; 0x721 after the service accepted the ticket is not "the
 * service refused the ticket"; "no common encryption type" is not said when the
 * offered types and the account's keys share one.
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
#define KDC_A 2
#define KDC_B 3
#define CLIENT 10
#define SRV 20
#define SPN "host/app.example.test"

/* alice's TGT from KDC A (kvno 2, aes256); returns the AS-REP frame. */
static guint32
tgt_from_a(t_harness *h, kd_obs *as_rep)
{
    kd_obs as = t_as_req(CLIENT, KDC_A, 50000, "alice", REALM, TRUE);
    t_feed(h, &as);
    *as_rep = t_rep(&as, KD_MSG_AS_REP, "alice", "krbtgt/" REALM, REALM, 18, 2);
    return t_feed(h, as_rep);
}

/* A TGS-REQ to kdc presenting alice's TGT (or another ticket of the same kvno). */
static kd_obs
present(int kdc, guint16 cport, guint64 cipher_hash)
{
    kd_obs r = t_tgs_req(CLIENT, kdc, cport, SPN, REALM, REALM, 18, 2);
    if (cipher_hash)
        r.u.krb.ticket.cipher_hash = cipher_hash;
    return r;
}

static void
test_dc_etype_same_ticket_confirmed(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs tgt;
    guint32 tgtf = tgt_from_a(h, &tgt);
    kd_obs ok = present(KDC_A, 50001, 0);
    guint32 okf = t_feed(h, &ok);
    kd_obs okrep = t_rep(&ok, KD_MSG_TGS_REP, "alice", SPN, REALM, 18, 1);
    t_feed(h, &okrep);
    kd_obs other = present(KDC_B, 50002, 0);
    t_feed(h, &other);
    kd_obs err = t_error(&other, 60, NULL, SPN);
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_equal(f->cause, KD_CAUSE_DC_ETYPE_MISMATCH);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(f->n_checks >= 4);
    assert_true(t_has_evidence(f, tgtf) && t_has_evidence(f, okf));
    t_free(h);
}

/* Look-alike: the ticket B refuses has A's krbtgt kvno and etype but is another
 * ticket (other ciphertext): not "the TGT A issued". */
static void
test_dc_etype_same_kvno_other_ticket(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs tgt;
    tgt_from_a(h, &tgt);
    kd_obs other = present(KDC_B, 50002, G_GUINT64_CONSTANT(0x1234567890abcdef));
    t_feed(h, &other);
    kd_obs err = t_error(&other, 60, NULL, SPN);
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_not_equal(f->cause, KD_CAUSE_DC_ETYPE_MISMATCH);
    assert_int_not_equal(f->confidence, KD_CONF_CONFIRMED);
    t_free(h);
}

/* Contradiction: A refuses the same ticket too. */
static void
test_dc_etype_issuer_refuses_too(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs tgt;
    tgt_from_a(h, &tgt);
    kd_obs at_a = present(KDC_A, 50001, 0);
    t_feed(h, &at_a);
    kd_obs err_a = t_error(&at_a, 60, NULL, SPN);
    t_feed(h, &err_a);
    kd_obs at_b = present(KDC_B, 50002, 0);
    t_feed(h, &at_b);
    kd_obs err_b = t_error(&at_b, 60, NULL, SPN);
    const t_finding *f = only(h, t_feed(h, &err_b));
    assert_int_equal(f->cause, KD_CAUSE_KRB_ERROR);
    assert_int_equal(t_total(h, KD_CAUSE_DC_ETYPE_MISMATCH), 0);
    t_free(h);
}

/* Contradiction arriving later: B accepts the same ticket a second after refusing
 * it. The claim is withdrawn from the earlier finding. */
static void
test_dc_etype_refuser_accepts_later(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs tgt;
    tgt_from_a(h, &tgt);
    kd_obs at_b = present(KDC_B, 50002, 0);
    t_feed(h, &at_b);
    kd_obs err_b = t_error(&at_b, 60, NULL, SPN);
    guint32 ef = t_feed(h, &err_b);
    assert_int_equal(only(h, ef)->cause, KD_CAUSE_DC_ETYPE_MISMATCH);
    t_sleep(h, 1.0);
    kd_obs again = present(KDC_B, 50003, 0);
    t_feed(h, &again);
    kd_obs rep = t_rep(&again, KD_MSG_TGS_REP, "alice", SPN, REALM, 18, 1);
    guint32 rf = t_feed(h, &rep);
    const t_finding *f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_KRB_ERROR);
    assert_int_equal(f->confidence, KD_CONF_POSSIBLE);
    assert_true(t_has_evidence(f, rf));
    assert_null(strstr(f->summary, "disagree on the krbtgt keys or"));
    t_free(h);
}

/* Look-alike: one KDC recorded twice, once as 0.0.0.0 (capture tools do that): the
 * "two KDCs" are one. */
static void
test_dc_etype_recorded_copy(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs tgt;
    tgt_from_a(h, &tgt);
    kd_obs copy = tgt;
    memset(&copy.src, 0, sizeof(copy.src));
    copy.src.len = 4;               /* 0.0.0.0 */
    t_feed(h, &copy);
    kd_obs req = present(KDC_A, 50002, 0);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 60, NULL, SPN);
    err.src = copy.src;
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_not_equal(f->cause, KD_CAUSE_DC_ETYPE_MISMATCH);
    t_free(h);
}

static kd_obs
fault(int server, int client, guint16 cport, guint32 status)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_DCERPC);
    o.src = t_ip(server);
    o.dst = t_ip(client);
    o.sport = 49154;
    o.dport = cport;
    o.transport = KD_TRANSPORT_TCP;
    o.u.dcerpc.pkt_type = KD_DCERPC_FAULT;
    o.u.dcerpc.has_status = TRUE;
    o.u.dcerpc.status = status;
    return o;
}

/* The service answered the AP-REQ with an AP-REP (bind_ack accepting it): a later
 * 0x721 is not the service refusing the ticket. */
static void
test_sec_pkg_after_accepted_ticket(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs ap = t_ap_req(CLIENT, SRV, 59374, 49154, KD_CARRIER_DCERPC, "host/srv.example.test", REALM, 3);
    guint32 apf = t_feed(h, &ap);
    kd_obs rep = t_ap_rep(&ap);
    guint32 repf = t_feed(h, &rep);
    kd_obs fl = fault(SRV, CLIENT, 59374, 0x721);
    const t_finding *f = only(h, t_feed(h, &fl));
    assert_int_equal(f->cause, KD_CAUSE_SEC_PKG_ERROR);
    assert_int_equal(f->confidence, KD_CONF_POSSIBLE);
    assert_null(strstr(f->summary, "refused"));
    assert_non_null(strstr(f->summary, "accepted"));
    assert_true(t_has_evidence(f, apf) && t_has_evidence(f, repf));
    t_free(h);
}

/* Positive: no AP-REP, the call fails with 0x721: the service refused the ticket. */
static void
test_sec_pkg_refused_ticket(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs ap = t_ap_req(CLIENT, SRV, 59374, 49154, KD_CARRIER_DCERPC, "host/srv.example.test", REALM, 3);
    guint32 apf = t_feed(h, &ap);
    kd_obs fl = fault(SRV, CLIENT, 59374, 0x721);
    const t_finding *f = only(h, t_feed(h, &fl));
    assert_int_equal(f->cause, KD_CAUSE_SEC_PKG_ERROR);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_non_null(strstr(f->summary, "refused"));
    assert_true(t_has_evidence(f, apf));
    t_free(h);
}

/* Contradiction: the Kerberos failure beneath the fault was recovered from (the
 * client got the ticket): the fault does not inherit it. */
static void
test_sec_pkg_recovered_failure_not_inherited(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_tgs_req(CLIENT, KDC_A, 50000, "host/srv.example.test", REALM, REALM, 18, 2);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 7, "alice", "host/srv.example.test");
    t_feed(h, &err);
    kd_obs again = t_tgs_req(CLIENT, KDC_A, 50001, "host/srv.example.test", REALM, REALM, 18, 2);
    t_feed(h, &again);
    kd_obs rep = t_rep(&again, KD_MSG_TGS_REP, "alice", "host/srv.example.test", REALM, 18, 3);
    t_feed(h, &rep);
    kd_obs fl = fault(SRV, CLIENT, 59374, 0x721);
    const t_finding *f = only(h, t_feed(h, &fl));
    assert_int_equal(f->cause, KD_CAUSE_SEC_PKG_ERROR);
    assert_false(f->has_inherited);
    assert_int_not_equal(f->confidence, KD_CONF_CONFIRMED);
    t_free(h);
}

/* Look-alike of test_engine's test_etype_no_common: the client offers RC4 and DES, the KDC names the account's DES keys:
 * there is a common type (a normal round trip), not "no common type". */
static void
test_etype_offer_and_keys_intersect(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, KDC_A, 50000, "des", REALM, TRUE);
    req.u.krb.req_etypes[0] = 23;
    req.u.krb.req_etypes[1] = 3;
    req.u.krb.req_etypes[2] = 1;
    req.u.krb.n_req_etypes = 3;
    t_feed(h, &req);
    kd_obs err = t_error(&req, 14, "des", "krbtgt/" REALM);
    err.u.krb.etype_info2[0] = 3;
    err.u.krb.etype_info2[1] = 1;
    err.u.krb.n_etype_info2 = 2;
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_not_equal(f->cause, KD_CAUSE_ETYPE_NO_COMMON);
    assert_int_not_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_null(strstr(f->summary, "No common"));
    assert_int_equal(t_total(h, KD_CAUSE_ETYPE_NO_COMMON), 0);
    /* Only DES keys: said, since that is why such an account fails elsewhere. */
    assert_non_null(strstr(f->details, "single-DES keys only"));
    t_free(h);
}

/* The same round trip with AES keys says nothing about DES. */
static void
test_etype_round_trip_aes_keys(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_as_req(CLIENT, KDC_A, 50000, "alice", REALM, TRUE);
    req.u.krb.req_etypes[0] = 18;
    req.u.krb.req_etypes[1] = 3;
    req.u.krb.n_req_etypes = 2;
    t_feed(h, &req);
    kd_obs err = t_error(&req, 14, "alice", "krbtgt/" REALM);
    err.u.krb.etype_info2[0] = 18;
    err.u.krb.etype_info2[1] = 3;
    err.u.krb.n_etype_info2 = 2;
    const t_finding *f = only(h, t_feed(h, &err));
    assert_int_not_equal(f->cause, KD_CAUSE_ETYPE_NO_COMMON);
    assert_null(strstr(f->details, "single-DES"));
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dc_etype_same_ticket_confirmed),
        cmocka_unit_test(test_dc_etype_same_kvno_other_ticket),
        cmocka_unit_test(test_dc_etype_issuer_refuses_too),
        cmocka_unit_test(test_dc_etype_refuser_accepts_later),
        cmocka_unit_test(test_dc_etype_recorded_copy),
        cmocka_unit_test(test_sec_pkg_after_accepted_ticket),
        cmocka_unit_test(test_sec_pkg_refused_ticket),
        cmocka_unit_test(test_sec_pkg_recovered_failure_not_inherited),
        cmocka_unit_test(test_etype_offer_and_keys_intersect),
        cmocka_unit_test(test_etype_round_trip_aes_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
