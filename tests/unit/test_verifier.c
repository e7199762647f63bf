/* test_verifier.c
 * Unit tests of the rules for a Kerberos error read from the auth verifier of a
 * DCE/RPC refusal: the error is judged like any service error, says where it was
 * found, and the RPC fault of the same PDU names it and inherits its cause.
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
#define CLIENT 10
#define SRV 20
#define SPN "host/srv.example.test"
#define BADKEYVER 44
#define SEC_PKG_ERROR 0x721u

/* Two observations in one frame, in order (b NULL: a alone). */
static guint32
feed_pair(t_harness *h, kd_obs *a, kd_obs *b)
{
    guint32 frame = h->frame++;
    kd_obs both[2] = { *a, *a };
    if (b)
        both[1] = *b;
    for (int i = 0; i < 2; i++) {
        both[i].frame = frame;
        both[i].time_us = h->now_us;
    }
    h->now_us += 1000;
    kd_engine_feed(h->eng, both, b ? 2 : 1);
    return frame;
}

static kd_obs
rpc_answer(const kd_obs *ap, guint8 ptype, guint32 status)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_DCERPC);
    o.src = ap->dst;
    o.dst = ap->src;
    o.sport = ap->dport;
    o.dport = ap->sport;
    o.transport = KD_TRANSPORT_TCP;
    o.u.dcerpc.pkt_type = ptype;
    o.u.dcerpc.has_status = ptype != KD_DCERPC_BIND_NAK;
    o.u.dcerpc.status = status;
    o.u.dcerpc.auth_type = 9;
    return o;
}

/* The KRB-ERROR the plugin read from the verifier of that answer. */
static kd_obs
verifier_error(const kd_obs *ap, guint8 ptype, gint32 code)
{
    kd_obs o = t_ap_error(ap, code, SPN);
    o.transport = KD_TRANSPORT_TCP;
    o.u.krb.carrier = KD_CARRIER_DCERPC;
    o.u.krb.in_rpc_verifier = TRUE;
    o.u.krb.rpc_pkt_type = ptype;
    return o;
}

/* alice's ticket for SPN (kvno 3), then the bind carrying it. */
static kd_obs
setup(t_harness *h, guint32 *bind_frame)
{
    kd_obs tgs = t_tgs_req(CLIENT, 2, 50000, SPN, REALM, REALM, 18, 1);
    t_feed(h, &tgs);
    kd_obs rep = t_rep(&tgs, KD_MSG_TGS_REP, "alice", SPN, REALM, 18, 3);
    t_feed(h, &rep);
    kd_obs ap = t_ap_req(CLIENT, SRV, 49733, 135, KD_CARRIER_DCERPC, SPN, REALM, 3);
    ap.transport = KD_TRANSPORT_TCP;
    *bind_frame = t_feed(h, &ap);
    return ap;
}

/* After setup, the server answers the bind with ptype (status) carrying a BADKEYVER
 * in its verifier; returns that frame. */
static guint32
refused_bind(t_harness *h, guint8 ptype, guint32 status, guint32 *bind_frame)
{
    kd_obs ap = setup(h, bind_frame);
    kd_obs err = verifier_error(&ap, ptype, BADKEYVER);
    kd_obs answer = rpc_answer(&ap, ptype, status);
    return feed_pair(h, &err, &answer);
}

static const t_finding *
with_cause(t_harness *h, guint32 frame, kd_cause cause)
{
    for (guint i = 0; i < t_count(h, frame); i++) {
        if (t_get(h, frame, i)->cause == cause)
            return t_get(h, frame, i);
    }
    return NULL;
}

static void
test_fault_carries_krb_error(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 bf;
    guint32 ff = refused_bind(h, KD_DCERPC_FAULT, SEC_PKG_ERROR, &bf);
    assert_int_equal(t_count(h, ff), 2);
    /* The error: judged by the service rules, and it says where it was found. */
    const t_finding *k = t_get(h, ff, 0);
    assert_int_equal(k->error_code, BADKEYVER);
    assert_int_not_equal(k->cause, KD_CAUSE_SEC_PKG_ERROR);
    assert_true(t_has_evidence(k, bf));
    assert_non_null(strstr(k->details, "Kerberos error inside the RPC fault: Kerberos error 44"));
    /* The fault: inherits it and names it. */
    const t_finding *f = with_cause(h, ff, KD_CAUSE_SEC_PKG_ERROR);
    assert_non_null(f);
    assert_true(f->has_inherited);
    assert_int_equal(f->inherited, k->cause);
    assert_int_equal(f->error_code, BADKEYVER);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_non_null(strstr(f->summary, "Kerberos error inside the RPC fault: Kerberos error 44; likely cause: "));
    t_free(h);
}

static const char *
fake_name(gint32 code)
{
    return code == BADKEYVER ? "KRB_AP_ERR_BADKEYVER" : "OTHER";
}

static void
test_error_names_from_config(void **state)
{
    (void)state;
    kd_config cfg;
    kd_config_default(&cfg);
    cfg.error_name = fake_name;
    t_harness *h = t_new(&cfg);
    guint32 bf;
    const t_finding *f = with_cause(h, refused_bind(h, KD_DCERPC_FAULT, SEC_PKG_ERROR, &bf),
                                    KD_CAUSE_SEC_PKG_ERROR);
    assert_non_null(f);
    assert_non_null(strstr(f->summary, "Kerberos error inside the RPC fault: KRB_AP_ERR_BADKEYVER"));
    t_free(h);
}

static void
test_bind_nak_and_alter_context(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 bf;
    guint32 nf = refused_bind(h, KD_DCERPC_BIND_NAK, 0, &bf);
    assert_true(t_count(h, nf) >= 1);
    assert_non_null(strstr(t_get(h, nf, 0)->details, "inside the RPC bind_nak"));
    /* alter_context_resp has no status: the error alone. */
    kd_obs ap2 = t_ap_req(CLIENT, SRV, 49734, 135, KD_CARRIER_DCERPC, SPN, REALM, 3);
    t_feed(h, &ap2);
    kd_obs err2 = verifier_error(&ap2, KD_DCERPC_ALTER_RESP, BADKEYVER);
    guint32 af = feed_pair(h, &err2, NULL);
    assert_int_equal(t_count(h, af), 1);
    assert_non_null(strstr(t_get(h, af, 0)->details, "inside the RPC alter_context_resp"));
    t_free(h);
}

static void
test_lookalikes(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 bf;
    kd_obs ap = setup(h, &bf);
    /* A KRB-ERROR Wireshark decoded itself (not from a verifier): no such words. */
    kd_obs err = verifier_error(&ap, KD_DCERPC_BIND_ACK, BADKEYVER);
    err.u.krb.in_rpc_verifier = FALSE;
    guint32 ef = feed_pair(h, &err, NULL);
    assert_null(strstr(t_get(h, ef, 0)->details, "inside the RPC"));
    /* A fault in a later frame inherits it the usual way, without the verifier words. */
    kd_obs fault = rpc_answer(&ap, KD_DCERPC_FAULT, SEC_PKG_ERROR);
    guint32 ff = t_feed(h, &fault);
    const t_finding *f = with_cause(h, ff, KD_CAUSE_SEC_PKG_ERROR);
    assert_non_null(f);
    assert_true(f->has_inherited);
    assert_null(strstr(f->summary, "inside the RPC"));
    /* A fault with another status in the same frame as a verifier error: only the error. */
    kd_obs ap3 = t_ap_req(CLIENT, SRV, 49735, 135, KD_CARRIER_DCERPC, SPN, REALM, 3);
    t_feed(h, &ap3);
    kd_obs err3 = verifier_error(&ap3, KD_DCERPC_FAULT, BADKEYVER);
    kd_obs other = rpc_answer(&ap3, KD_DCERPC_FAULT, 0x1c010003u);
    guint32 of = feed_pair(h, &err3, &other);
    assert_null(with_cause(h, of, KD_CAUSE_SEC_PKG_ERROR));
    t_free(h);
}

static void
test_odd_fields(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* No AP-REQ seen, a negative error code, an unknown PDU type, no names. */
    kd_obs ap = t_ap_req(CLIENT, SRV, 49733, 135, KD_CARRIER_DCERPC, NULL, NULL, -1);
    kd_obs err = verifier_error(&ap, 99, -5);
    err.u.krb.sname = NULL;
    kd_obs fault = rpc_answer(&ap, KD_DCERPC_FAULT, SEC_PKG_ERROR);
    guint32 ff = feed_pair(h, &err, &fault);
    assert_true(t_count(h, ff) >= 1);
    const t_finding *k = t_get(h, ff, 0);
    assert_non_null(strstr(k->details, "inside the RPC PDU: Kerberos error -5"));
    const t_finding *f = with_cause(h, ff, KD_CAUSE_SEC_PKG_ERROR);
    assert_non_null(f);
    assert_non_null(strstr(f->summary, "Kerberos error -5"));
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_carries_krb_error),
        cmocka_unit_test(test_error_names_from_config),
        cmocka_unit_test(test_bind_nak_and_alter_context),
        cmocka_unit_test(test_lookalikes),
        cmocka_unit_test(test_odd_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
