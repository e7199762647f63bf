/* test_u2u.c
 * User-to-user: a refused service ticket for a user account followed by the
 * user-to-user path (the server's TGT, enc-tkt-in-skey) is user_to_user, not a
 * missing SPN; a server without a TGT to give fails user-to-user itself.
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
#define SERVER 20
#define RPC_PORT 49913
#define CPORT 58406

/* A KERB-TGT-REQUEST from the client to the server, or the server's KERB-TGT-REPLY. */
static kd_obs
tgt_token(gint32 msg_type, int client, int server, guint16 cport)
{
    kd_obs o = t_ap_req(client, server, cport, RPC_PORT, KD_CARRIER_DCERPC, NULL, NULL, -1);
    o.u.krb.ticket.present = FALSE;
    o.u.krb.msg_type = msg_type;
    if (msg_type == KD_MSG_TGT_REP) {
        kd_obs r = t_ap_rep(&o);
        r.u.krb.msg_type = KD_MSG_TGT_REP;
        return r;
    }
    return o;
}

/* A TGS-REQ for sname; user_to_user: enc-tkt-in-skey with the server's TGT attached. */
static kd_obs
tgs_req(guint16 port, const char *sname, gboolean user_to_user, const char *addl_sname)
{
    kd_obs o = t_tgs_req(CLIENT, KDC, port, sname, REALM, REALM, 18, 1);
    if (user_to_user) {
        o.u.krb.opt_enc_tkt_in_skey = TRUE;
        o.u.krb.n_addl_tickets = 1;
        o.u.krb.addl_ticket.present = TRUE;
        o.u.krb.addl_ticket.sname = addl_sname;
        o.u.krb.addl_ticket.realm = REALM;
        o.u.krb.addl_ticket.etype = 18;
        o.u.krb.addl_ticket.kvno = 2;
    }
    return o;
}

static guint32
refused(t_harness *h, guint16 port, const char *sname, gint32 code, guint32 *req_frame)
{
    kd_obs req = tgs_req(port, sname, FALSE, NULL);
    guint32 rf = t_feed(h, &req);
    if (req_frame)
        *req_frame = rf;
    kd_obs err = t_error(&req, code, "alice", sname);
    return t_feed(h, &err);
}

/* The DCOM pattern: S_PRINCIPAL_UNKNOWN for a user name, the server's TGT over
 * SPNEGO, a user-to-user TGS-REQ, its TGS-REP. */
static void
test_unknown_user_name_then_user_to_user_recovers(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 req_frame = 0;
    guint32 ef = refused(h, 50000, "sbeavers", 7, &req_frame);
    assert_int_equal(only(h, ef)->cause, KD_CAUSE_SPN_MISSING);
    kd_obs treq = tgt_token(KD_MSG_TGT_REQ, CLIENT, SERVER, CPORT);
    guint32 tq = t_feed(h, &treq);
    kd_obs trep = tgt_token(KD_MSG_TGT_REP, CLIENT, SERVER, CPORT);
    guint32 tp = t_feed(h, &trep);
    kd_obs u2u = tgs_req(50001, "sbeavers", TRUE, "krbtgt/" REALM);
    guint32 uf = t_feed(h, &u2u);
    kd_obs rep = t_rep(&u2u, KD_MSG_TGS_REP, "alice", "sbeavers", REALM, 18, -1);
    guint32 rf = t_feed(h, &rep);

    const t_finding *f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_USER_TO_USER);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(f->n_checks >= 2);
    assert_int_equal(f->n_alternatives, 0);
    assert_true(f->recovered);
    assert_int_equal(f->recovered_frame, rf);
    assert_true(t_has_evidence(f, req_frame));
    assert_true(t_has_evidence(f, tq));
    assert_true(t_has_evidence(f, tp));
    assert_true(t_has_evidence(f, uf));
    assert_true(t_has_evidence(f, rf));
    assert_null(strstr(f->summary, "No account holds"));
    assert_int_equal(t_total(h, KD_CAUSE_SPN_MISSING), 0);
    t_free(h);
}

/* MIT's -allow_svr: KDC_ERR_MUST_USE_USER2USER, then the user-to-user request. */
static void
test_must_use_user2user_then_user_to_user_recovers(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 ef = refused(h, 50000, "bob", 27, NULL);
    const t_finding *f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_USER_TO_USER);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_false(f->recovered);
    kd_obs u2u = tgs_req(50001, "bob", TRUE, "krbtgt/" REALM);
    guint32 uf = t_feed(h, &u2u);
    kd_obs rep = t_rep(&u2u, KD_MSG_TGS_REP, "alice", "bob", REALM, 18, -1);
    guint32 rf = t_feed(h, &rep);
    f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_USER_TO_USER);
    assert_true(f->recovered);
    assert_int_equal(f->recovered_frame, rf);
    assert_true(t_has_evidence(f, uf));
    assert_int_equal(t_count(h, rf), 0);
    t_free(h);
}

/* Benign look-alike: an ordinary unknown SPN, followed by ordinary traffic and by a
 * user-to-user request for another principal, stays a missing SPN. */
static void
test_unknown_host_spn_stays_spn_missing(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 ef = refused(h, 50000, "host/web.example.test", 7, NULL);
    kd_obs other = tgs_req(50001, "carol", TRUE, "krbtgt/" REALM);
    t_feed(h, &other);
    kd_obs rep = t_rep(&other, KD_MSG_TGS_REP, "alice", "carol", REALM, 18, -1);
    t_feed(h, &rep);
    kd_obs again = tgs_req(50002, "host/web.example.test", FALSE, NULL);
    t_feed(h, &again);
    const t_finding *f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_SPN_MISSING);
    assert_false(f->recovered);
    assert_int_equal(t_total(h, KD_CAUSE_USER_TO_USER), 0);
    t_free(h);
}

/* Contradiction: the user-to-user request is refused too. The first refusal stays a
 * warning (not recovered); the second is the KDC refusing user-to-user. */
static void
test_user_to_user_refused(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 ef = refused(h, 50000, "bob", 27, NULL);
    kd_obs u2u = tgs_req(50001, "bob", TRUE, "krbtgt/" REALM);
    guint32 uf = t_feed(h, &u2u);
    kd_obs err = t_error(&u2u, 12, "alice", "bob");  /* KDC_ERR_POLICY: -allow_dup_skey */
    guint32 e2 = t_feed(h, &err);
    const t_finding *f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_USER_TO_USER);
    assert_false(f->recovered);
    assert_true(t_has_evidence(f, uf));
    /* KDC_ERR_POLICY answering the user-to-user request is no logon restriction of
     * alice's: the KDC refuses user-to-user for bob. */
    const t_finding *g = only(h, e2);
    assert_int_equal(g->cause, KD_CAUSE_USER_TO_USER);
    assert_false(g->recovered);
    assert_non_null(strstr(g->summary, "refuses the user-to-user request"));
    assert_true(t_has_evidence(g, uf));
    assert_int_equal(t_total(h, KD_CAUSE_LOGON_RESTRICTED), 0);
    t_free(h);
}

/* Contradiction: the KDC also issued an ordinary ticket for the name: it has a key
 * of its own, so "a user account without SPN" is not confirmed. */
static void
test_ordinary_ticket_for_the_name_keeps_it_likely(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs ok = tgs_req(49999, "sbeavers", FALSE, NULL);
    t_feed(h, &ok);
    kd_obs okrep = t_rep(&ok, KD_MSG_TGS_REP, "alice", "sbeavers", REALM, 18, 3);
    t_feed(h, &okrep);
    guint32 ef = refused(h, 50000, "sbeavers", 7, NULL);
    kd_obs u2u = tgs_req(50001, "sbeavers", TRUE, "krbtgt/" REALM);
    t_feed(h, &u2u);
    const t_finding *f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_USER_TO_USER);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    t_free(h);
}

/* The server has no TGT (activated with NTLM): it answers the KERB-TGT-REQUEST with
 * KRB_AP_ERR_NO_TGT. */
static void
test_server_without_tgt(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs treq = tgt_token(KD_MSG_TGT_REQ, CLIENT, SERVER, CPORT);
    guint32 tq = t_feed(h, &treq);
    kd_obs err = t_ap_error(&treq, 67, "sbeavers");
    guint32 ef = t_feed(h, &err);
    const t_finding *f = only(h, ef);
    assert_int_equal(f->cause, KD_CAUSE_USER_TO_USER);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(t_has_evidence(f, tq));
    assert_non_null(strstr(f->summary, "no TGT"));
    t_free(h);
}

/* Benign look-alike: a service error on another connection than the TGT request,
 * after the server sent its TGT, is not blamed on user-to-user. */
static void
test_service_error_after_tgt_reply_is_not_user_to_user(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs treq = tgt_token(KD_MSG_TGT_REQ, CLIENT, SERVER, CPORT);
    t_feed(h, &treq);
    kd_obs trep = tgt_token(KD_MSG_TGT_REP, CLIENT, SERVER, CPORT);
    t_feed(h, &trep);
    kd_obs ap = t_ap_req(CLIENT, SERVER, CPORT, RPC_PORT, KD_CARRIER_DCERPC, "sbeavers", REALM, -1);
    t_feed(h, &ap);
    kd_obs err = t_ap_error(&ap, 41, "sbeavers");   /* KRB_AP_ERR_MODIFIED */
    guint32 ef = t_feed(h, &err);
    assert_true(t_count(h, ef) >= 1);
    assert_int_equal(t_total(h, KD_CAUSE_USER_TO_USER), 0);
    t_free(h);
}

/* Hostile input: replies without requests, repeated replies, and many exchanges
 * leave the store within its cap and make no finding. */
static void
test_tgt_tokens_hostile(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    for (int i = 0; i < 3; i++) {
        kd_obs trep = tgt_token(KD_MSG_TGT_REP, CLIENT, SERVER, CPORT);
        t_feed(h, &trep);
    }
    for (guint i = 0; i < KD_STORE_CAP + 100; i++) {
        kd_obs treq = tgt_token(KD_MSG_TGT_REQ, CLIENT, SERVER, (guint16)(1024 + i));
        treq.src.bytes[2] = (guint8)(i >> 8);
        treq.src.bytes[3] = (guint8)i;
        t_feed(h, &treq);
    }
    const char *names[64];
    guint sizes[64];
    guint n = kd_engine_tables(h->eng, names, sizes, G_N_ELEMENTS(names));
    gboolean seen = FALSE;
    for (guint i = 0; i < n && i < G_N_ELEMENTS(names); i++) {
        assert_true(sizes[i] <= KD_STORE_CAP);
        seen = seen || strcmp(names[i], "tgt_exchanges") == 0;
    }
    assert_true(seen);
    assert_int_equal(t_total(h, KD_CAUSE_USER_TO_USER), 0);
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_user_name_then_user_to_user_recovers),
        cmocka_unit_test(test_must_use_user2user_then_user_to_user_recovers),
        cmocka_unit_test(test_unknown_host_spn_stays_spn_missing),
        cmocka_unit_test(test_user_to_user_refused),
        cmocka_unit_test(test_ordinary_ticket_for_the_name_keeps_it_likely),
        cmocka_unit_test(test_server_without_tgt),
        cmocka_unit_test(test_service_error_after_tgt_reply_is_not_user_to_user),
        cmocka_unit_test(test_tgt_tokens_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
