/* test_kdc_words.c
 * Unit tests of what a KDC's answer itself says: e-text as evidence, MIT's
 * KRB_AP_ERR_BAD_INTEGRITY for a wrong password and the lock-out it leads to, the
 * kind of KDC and the candidates it rules out, which clock is off, and how a name
 * is written. Each rule: a positive case, a benign look-alike, a contradiction.
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

#include "kd_store.h"
#include "kd_testlib.h"

#define REALM "EXAMPLE.TEST"
#define KDC 2
#define KDC2 3
#define CLIENT 10
#define WEB 20


static gboolean
says(const t_finding *f, const char *text)
{
    return f->summary && strstr(f->summary, text) != NULL;
}

/* What a KRB-ERROR carries besides its code. */
typedef struct {
    const char *etext;
    guint32 nt_status;      /* 0: none */
    const char *crealm;
    gboolean has_stime, has_ctime;
    gint64 stime_off, ctime_off;    /* seconds from the capture's clock */
} t_said;

static guint32
said_feed(t_harness *h, kd_obs *err, t_said said)
{
    err->u.krb.e_text = said.etext;
    err->u.krb.has_nt_status = said.nt_status != 0;
    err->u.krb.nt_status = said.nt_status;
    err->u.krb.crealm = said.crealm;
    err->u.krb.has_stime = said.has_stime;
    err->u.krb.stime_us = h->now_us + said.stime_off * G_USEC_PER_SEC;
    err->u.krb.has_ctime = said.has_ctime;
    err->u.krb.ctime_us = h->now_us + said.ctime_off * G_USEC_PER_SEC;
    return t_feed(h, err);
}

static guint32
answer(t_harness *h, kd_obs *req, gint32 code, const char *cname, const char *sname, t_said said)
{
    t_feed(h, req);
    kd_obs err = t_error(req, code, cname, sname);
    return said_feed(h, &err, said);
}

/* An AS exchange answered by an error; returns the error's frame. */
static guint32
as_error_said(t_harness *h, int kdc, guint16 cport, const char *cname, gboolean preauth, gint32 code,
              t_said said)
{
    kd_obs req = t_as_req(CLIENT, kdc, cport, cname, REALM, preauth);
    return answer(h, &req, code, cname, "krbtgt/" REALM, said);
}

static guint32
as_error(t_harness *h, int kdc, guint16 cport, const char *cname, gboolean preauth, gint32 code,
         const char *etext)
{
    return as_error_said(h, kdc, cport, cname, preauth, code, (t_said){ .etext = etext });
}

/* A TGS exchange for HTTP/web.example.test answered by an error: its finding. */
static const t_finding *
tgs_error(t_harness *h, int kdc, guint16 cport, gint32 code, const char *etext, guint32 nt_status)
{
    kd_obs req = t_tgs_req(CLIENT, kdc, cport, "HTTP/web.example.test", REALM, REALM, 18, 2);
    t_said said = { .etext = etext, .nt_status = nt_status };
    return only(h, answer(h, &req, code, NULL, "HTTP/web.example.test", said));
}

/* ------------------------------------------------------ item 1: e-text */

static void
test_etext_locked_out_names_the_lockout(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* No failure in the capture: the KDC's words alone say locked, not "revoked". */
    const t_finding *f = only(h, as_error(h, KDC, 50000, "alice", TRUE, 18, "LOCKED_OUT"));
    assert_int_equal(f->cause, KD_CAUSE_ACCOUNT_LOCKED);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(says(f, "the KDC says: LOCKED_OUT"));
    assert_false(has_alternative(f, KD_CAUSE_ACCOUNT_REVOKED));
    /* Case and white space as a hostile or odd KDC may send them. */
    f = only(h, as_error(h, KDC, 50001, "bob", TRUE, 18, "  locked_out \n"));
    assert_int_equal(f->cause, KD_CAUSE_ACCOUNT_LOCKED);
    assert_true(says(f, "the KDC says: LOCKED_OUT"));
    t_free(h);
}

static void
test_etext_client_locked_out_is_disabled(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* MIT's -allow_tix text: an administrator's disable, even after failures. */
    as_error(h, KDC, 50000, "alice", TRUE, 24, "PREAUTH_FAILED");
    const t_finding *f = only(h, as_error(h, KDC, 50001, "alice", TRUE, 18, "CLIENT LOCKED OUT"));
    assert_int_equal(f->cause, KD_CAUSE_ACCOUNT_DISABLED);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(says(f, "the KDC says: CLIENT LOCKED OUT"));
    t_free(h);
}

static void
test_etext_generic_code_names_account_state(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    const t_finding *f = only(h, as_error(h, KDC, 50000, "alice", TRUE, 60, "CLIENT EXPIRED"));
    assert_int_equal(f->cause, KD_CAUSE_ACCOUNT_EXPIRED);
    assert_true(says(f, "CLIENT EXPIRED"));
    /* look-alike: the same code with a processing-step label names nothing */
    f = only(h, as_error(h, KDC, 50001, "bob", TRUE, 60, "HANDLE_AUTHDATA"));
    assert_int_equal(f->cause, KD_CAUSE_KRB_ERROR);
    assert_int_equal(f->confidence, KD_CONF_POSSIBLE);
    assert_true(says(f, "KDC says: HANDLE_AUTHDATA: it failed while adding authorization data"));
    t_free(h);
}

static void
test_etext_progress_labels_give_no_cause(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* LOOKING_UP_SERVER says where the KDC was, not why: the code decides. */
    const t_finding *f = tgs_error(h, KDC, 50000, 7, "LOOKING_UP_SERVER", 0);
    assert_int_equal(f->cause, KD_CAUSE_SPN_MISSING);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_true(says(f, "LOOKING_UP_SERVER"));
    /* NEEDED_PREAUTH: a normal round trip stays a note, its words unquoted */
    f = only(h, as_error(h, KDC, 50001, "alice", FALSE, 25, "NEEDED_PREAUTH"));
    assert_int_equal(f->cause, KD_CAUSE_PREAUTH_REQUIRED);
    assert_int_equal(f->confidence, KD_CONF_INFO);
    assert_false(says(f, "NEEDED_PREAUTH"));
    /* a known label with a code it does not speak for: neither cause nor quote */
    f = only(h, as_error(h, KDC, 50002, "carol", TRUE, 6, "LOCKED_OUT"));
    assert_int_equal(f->cause, KD_CAUSE_UNKNOWN_CLIENT);
    assert_false(says(f, "LOCKED_OUT"));
    /* unknown or oversized text: shown as a detail only, never quoted */
    char big[2048];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    f = only(h, as_error(h, KDC, 50003, "dave", TRUE, 18, big));
    assert_int_equal(f->cause, KD_CAUSE_ACCOUNT_REVOKED);
    assert_false(says(f, "the KDC says"));
    t_free(h);
}

static void
test_etext_contradicted_by_ntstatus(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    const t_finding *f = only(h, as_error_said(h, KDC, 50000, "alice", TRUE, 18,
                                               (t_said){ .etext = "LOCKED_OUT", .nt_status = STATUS_ACCOUNT_DISABLED }));
    /* The two disagree: the status leads, nothing is confirmed, the text's cause remains. */
    assert_int_equal(f->cause, KD_CAUSE_ACCOUNT_DISABLED);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_true(has_alternative(f, KD_CAUSE_ACCOUNT_LOCKED));
    /* agreeing status and text: confirmed */
    f = only(h, as_error_said(h, KDC, 50001, "bob", TRUE, 18,
                              (t_said){ .etext = "LOCKED_OUT", .nt_status = STATUS_ACCOUNT_LOCKED_OUT }));
    assert_int_equal(f->cause, KD_CAUSE_ACCOUNT_LOCKED);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_int_equal(f->n_alternatives, 0);
    t_free(h);
}

static void
test_etext_confirms_only_without_alternatives(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* CANT_FIND_CLIENT_KEY agrees with etype_no_common: the KDC's own word confirms it. */
    const t_finding *f = only(h, as_error(h, KDC, 50000, "alice", TRUE, 14, "CANT_FIND_CLIENT_KEY"));
    assert_int_equal(f->cause, KD_CAUSE_ETYPE_NO_COMMON);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(says(f, "CANT_FIND_CLIENT_KEY"));
    /* without e-text the same error stays likely */
    f = only(h, as_error(h, KDC2, 50001, "alice", TRUE, 14, NULL));
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    t_free(h);
}

/* ------------------------------- item 2: MIT's KRB_AP_ERR_BAD_INTEGRITY */

static void
test_bad_integrity_on_as_req_is_wrong_password(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 fails[3];
    for (int i = 0; i < 3; i++) {
        fails[i] = as_error(h, KDC, (guint16)(50000 + i), "alice", TRUE, 31, "PREAUTH_FAILED");
        const t_finding *f = only(h, fails[i]);
        assert_int_equal(f->cause, KD_CAUSE_WRONG_PASSWORD);
        assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
        assert_int_equal(f->count, i + 1);
        assert_true(says(f, "the KDC says: PREAUTH_FAILED"));
    }
    /* The 31s feed the lock-out counter like 24s: the refusal that follows is a lock-out. */
    const t_finding *f = only(h, as_error(h, KDC, 50010, "alice", TRUE, 18, NULL));
    assert_int_equal(f->cause, KD_CAUSE_ACCOUNT_LOCKED);
    for (int i = 0; i < 3; i++)
        assert_true(t_has_evidence(f, fails[i]));
    /* ... and with MIT's LOCKED_OUT it is confirmed */
    f = only(h, as_error(h, KDC, 50011, "alice", TRUE, 18, "LOCKED_OUT"));
    assert_int_equal(f->cause, KD_CAUSE_ACCOUNT_LOCKED);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(t_has_evidence(f, fails[0]));
    /* 24 and 31 count together */
    as_error(h, KDC, 50020, "bob", TRUE, 24, NULL);
    f = only(h, as_error(h, KDC, 50021, "bob", TRUE, 31, "PREAUTH_FAILED"));
    assert_int_equal(f->count, 2);
    /* without e-text: an AS-REQ carrying PA-ENC-TIMESTAMP, likely */
    f = only(h, as_error(h, KDC, 50030, "carol", TRUE, 31, NULL));
    assert_int_equal(f->cause, KD_CAUSE_WRONG_PASSWORD);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    t_free(h);
}

static void
test_bad_integrity_lookalikes(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* A TGS-REQ's 31 is about a ticket, not a password. */
    const t_finding *f = tgs_error(h, KDC, 50000, 31, NULL, 0);
    assert_int_not_equal(f->cause, KD_CAUSE_WRONG_PASSWORD);
    /* An AS-REQ without any password proof: nothing was decrypted */
    f = only(h, as_error(h, KDC, 50001, "alice", FALSE, 31, NULL));
    assert_int_not_equal(f->cause, KD_CAUSE_WRONG_PASSWORD);
    /* no failure counted, so a following refusal says nothing about a lock-out */
    f = only(h, as_error(h, KDC, 50002, "alice", TRUE, 18, NULL));
    assert_int_equal(f->cause, KD_CAUSE_ACCOUNT_REVOKED);
    t_free(h);
}

static void
test_bad_integrity_contradicted(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* The e-text names another step: not a password failure. */
    const t_finding *f = only(h, as_error(h, KDC, 50000, "alice", TRUE, 31, "DECRYPT_CLIENT_KEY"));
    assert_int_equal(f->cause, KD_CAUSE_KRB_ERROR);
    assert_true(says(f, "DECRYPT_CLIENT_KEY"));
    /* An e-text the table does not know: no guess either way. */
    f = only(h, as_error(h, KDC, 50002, "bob", TRUE, 31, "integrity check on decrypted field failed"));
    assert_int_not_equal(f->cause, KD_CAUSE_WRONG_PASSWORD);
    /* PREAUTH_FAILED on a TGS exchange contradicts the request type. */
    f = tgs_error(h, KDC, 50001, 31, "PREAUTH_FAILED", 0);
    assert_int_not_equal(f->cause, KD_CAUSE_WRONG_PASSWORD);
    assert_int_equal(t_total(h, KD_CAUSE_WRONG_PASSWORD), 0);
    t_free(h);
}

/* ------------------------------------------ item 8: the kind of KDC */

static const t_finding *
unknown_spn(t_harness *h, int kdc, guint16 cport, const char *etext, gboolean nt_status)
{
    return tgs_error(h, kdc, cport, 7, etext, nt_status ? 0xC0000001u : 0);
}

static void
test_mit_kdc_offers_no_duplicate_spn(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* The error's own MIT label */
    const t_finding *f = unknown_spn(h, KDC, 50000, "SERVER_NOT_FOUND", FALSE);
    assert_int_equal(f->cause, KD_CAUSE_SPN_MISSING);
    assert_false(has_alternative(f, KD_CAUSE_DUPLICATE_SPN));
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    t_free(h);

    /* An earlier MIT label from the same KDC; this error has none */
    h = t_new(NULL);
    guint32 shown = as_error(h, KDC, 50000, "alice", FALSE, 25, "NEEDED_PREAUTH");
    f = unknown_spn(h, KDC, 50001, NULL, FALSE);
    assert_false(has_alternative(f, KD_CAUSE_DUPLICATE_SPN));
    assert_true(t_has_evidence(f, shown));
    /* look-alike: another KDC, nothing known of it: today's candidates stay */
    f = unknown_spn(h, KDC2, 50002, NULL, FALSE);
    assert_true(has_alternative(f, KD_CAUSE_DUPLICATE_SPN));
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    t_free(h);

    /* A realm no AD domain has, in a ticket this KDC issued */
    h = t_new(NULL);
    kd_obs as = t_as_req(CLIENT, KDC, 50000, "alice", "example.test", TRUE);
    t_feed(h, &as);
    kd_obs rep = t_rep(&as, KD_MSG_AS_REP, "alice", "krbtgt/example.test", "example.test", 18, 1);
    t_feed(h, &rep);
    f = unknown_spn(h, KDC, 50001, NULL, FALSE);
    assert_false(has_alternative(f, KD_CAUSE_DUPLICATE_SPN));
    t_free(h);
}

static void
test_directory_kdc_keeps_duplicate_spn(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* Heimdal's text is Samba's too: a directory may be behind it. */
    as_error(h, KDC, 50000, "alice", FALSE, 25, "Need to use PA-ENC-TIMESTAMP/PA-PK-AS-REQ");
    const t_finding *f = unknown_spn(h, KDC, 50001, NULL, FALSE);
    assert_true(has_alternative(f, KD_CAUSE_DUPLICATE_SPN));
    t_free(h);

    /* A Windows-style error (NTSTATUS in e-data), upper-case realm */
    h = t_new(NULL);
    f = unknown_spn(h, KDC, 50000, NULL, TRUE);
    assert_true(has_alternative(f, KD_CAUSE_DUPLICATE_SPN));
    t_free(h);
}

static void
test_kdc_kind_contradictions(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* MIT's labels, but NTSTATUS in e-data too: Samba's AD DC on MIT's KDC, a directory
     * behind it, so a duplicate SPN stays possible. */
    as_error(h, KDC, 50000, "alice", FALSE, 25, "NEEDED_PREAUTH");
    const t_finding *f = unknown_spn(h, KDC, 50001, "SERVER_NOT_FOUND", TRUE);
    assert_true(has_alternative(f, KD_CAUSE_DUPLICATE_SPN));
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    t_free(h);

    /* MIT's labels and a ticket for a machine account: a directory again */
    h = t_new(NULL);
    kd_obs as = t_as_req(CLIENT, KDC, 50000, "WS01$", REALM, TRUE);
    t_feed(h, &as);
    kd_obs rep = t_rep(&as, KD_MSG_AS_REP, "WS01$", "krbtgt/" REALM, REALM, 18, 1);
    t_feed(h, &rep);
    f = unknown_spn(h, KDC, 50001, "SERVER_NOT_FOUND", FALSE);
    assert_true(has_alternative(f, KD_CAUSE_DUPLICATE_SPN));
    t_free(h);

    /* MIT and Heimdal texts from one address: the kind is unknown */
    h = t_new(NULL);
    as_error(h, KDC, 50000, "alice", FALSE, 25, "Need to use PA-ENC-TIMESTAMP/PA-PK-AS-REQ");
    f = unknown_spn(h, KDC, 50001, "SERVER_NOT_FOUND", FALSE);
    assert_true(has_alternative(f, KD_CAUSE_DUPLICATE_SPN));
    t_free(h);
}

static void
store_error(kd_store *st, guint32 frame, int kdc, const char *etext, gboolean nt_status)
{
    kd_obs o;
    kd_event ev;
    kd_obs_init(&o, KD_OBS_KRB);
    o.frame = frame;
    o.src = t_ip(kdc);
    o.dst = t_ip(CLIENT);
    o.sport = 88;
    o.dport = 50000;
    o.transport = KD_TRANSPORT_UDP;
    o.u.krb.msg_type = KD_MSG_ERROR;
    o.u.krb.error_code = 7;
    o.u.krb.e_text = etext;
    o.u.krb.has_nt_status = nt_status;
    o.u.krb.nt_status = 0xC0000001u;
    assert_true(kd_store_observe(st, &o, &ev));
    kd_store_event_done(&ev);
}

static void
test_store_kdc_kind_query(void **state)
{
    (void)state;
    kd_store *st = kd_store_new();
    kd_addr a = t_ip(KDC), b = t_ip(KDC2), c = t_ip(4), d = t_ip(5);
    guint32 frame = 99;
    /* nothing seen: unknown, no frame */
    assert_int_equal(kd_store_kdc_kind(st, &a, &frame), KD_KDC_UNKNOWN);
    assert_int_equal(frame, 0);
    assert_false(kd_store_kdc_names_unique(st, &a, NULL));
    store_error(st, 1, KDC, "PROCESS_TGS", FALSE);
    store_error(st, 2, KDC, "SERVER_NOT_FOUND", FALSE);
    assert_int_equal(kd_store_kdc_kind(st, &a, &frame), KD_KDC_MIT);
    assert_int_equal(frame, 1);
    assert_true(kd_store_kdc_names_unique(st, &a, NULL));
    store_error(st, 3, KDC2, "Reply packet too large", FALSE);
    assert_int_equal(kd_store_kdc_kind(st, &b, NULL), KD_KDC_HEIMDAL);
    assert_false(kd_store_kdc_names_unique(st, &b, NULL));
    store_error(st, 4, 4, NULL, TRUE);
    assert_int_equal(kd_store_kdc_kind(st, &c, NULL), KD_KDC_DIRECTORY);
    /* an unknown text tells nothing */
    store_error(st, 5, 5, "something went wrong", FALSE);
    assert_int_equal(kd_store_kdc_kind(st, &d, NULL), KD_KDC_UNKNOWN);
    kd_store_free(st);
}

/* --------------------------------------------- item 9: which clock is off */

/* KRB_AP_ERR_SKEW from a service (SMB2) or a KDC, its server time stime_off from
 * the capture's clock. */
static const t_finding *
skew(t_harness *h, gboolean service, gint64 stime_off, gboolean ctime, gint64 ctime_off)
{
    t_said said = { .has_stime = TRUE, .stime_off = stime_off, .has_ctime = ctime, .ctime_off = ctime_off };
    if (!service)
        return only(h, as_error_said(h, KDC, 50000, "alice", TRUE, 37, said));
    kd_obs ap = t_ap_req(CLIENT, WEB, 50000, 445, KD_CARRIER_SMB2, "cifs/fs.example.test", REALM, 3);
    t_feed(h, &ap);
    kd_obs err = t_ap_error(&ap, 37, "cifs/fs.example.test");
    return only(h, said_feed(h, &err, said));
}

static void
test_skew_server_within_tolerance_blames_client(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* The service is 67 s behind the capture: well inside 300 s, so the client is off. */
    const t_finding *f = skew(h, TRUE, -67, FALSE, 0);
    assert_int_equal(f->cause, KD_CAUSE_CLOCK_SKEW);
    assert_true(says(f, "The client's clock is off"));
    assert_false(says(f, "service's clock is off"));
    assert_true(says(f, "-67 s"));
    assert_false(f->has_skew);
    /* with the client's time in the error, the measure is client - server */
    f = skew(h, FALSE, -250, TRUE, 200);
    assert_true(says(f, "The client's clock is off"));
    assert_true(f->has_skew);
    assert_true(f->skew >= 449 && f->skew <= 451);
    t_free(h);
}

static void
test_skew_lookalike_server_beyond_tolerance(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* 301 s away from the capture: the server's clock is off */
    const t_finding *f = skew(h, TRUE, -301, FALSE, 0);
    assert_true(says(f, "service's clock is off"));
    assert_true(f->skew <= -300 && f->skew >= -302);
    t_free(h);
    /* a tolerance configured wider moves the line */
    kd_config cfg;
    kd_config_default(&cfg);
    cfg.skew_tolerance_s = 600;
    h = t_new(&cfg);
    f = skew(h, FALSE, -400, FALSE, 0);
    assert_true(says(f, "The client's clock is off"));
    t_free(h);
}

static void
test_skew_contradiction_client_agrees_with_capture(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* The server 2 h behind, the client's own time matching the capture: the server. */
    const t_finding *f = skew(h, FALSE, -7200, TRUE, 0);
    assert_true(says(f, "KDC's clock is off"));
    assert_true(says(f, "client's clock agrees with the capture"));
    t_free(h);
}

/* ----------------------------------------- item 11: how a name is written */

static void
test_enterprise_name_keeps_its_own_realm(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    const t_finding *f = only(h, as_error_said(h, KDC, 50000, "alice@corp.example", FALSE, 6,
                                               (t_said){ .crealm = REALM }));
    assert_int_equal(f->cause, KD_CAUSE_UNKNOWN_CLIENT);
    assert_true(says(f, "no account alice@corp.example"));
    assert_false(says(f, "@" REALM));
    /* look-alike: a plain name gets its realm */
    f = only(h, as_error_said(h, KDC, 50001, "bob", FALSE, 6, (t_said){ .crealm = REALM }));
    assert_true(says(f, "no account bob@" REALM));
    /* no realm in the error: the bare name, no dangling '@' */
    f = only(h, as_error(h, KDC, 50002, "carol", FALSE, 6, NULL));
    assert_false(says(f, "@"));
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_etext_locked_out_names_the_lockout),
        cmocka_unit_test(test_etext_client_locked_out_is_disabled),
        cmocka_unit_test(test_etext_generic_code_names_account_state),
        cmocka_unit_test(test_etext_progress_labels_give_no_cause),
        cmocka_unit_test(test_etext_contradicted_by_ntstatus),
        cmocka_unit_test(test_etext_confirms_only_without_alternatives),
        cmocka_unit_test(test_bad_integrity_on_as_req_is_wrong_password),
        cmocka_unit_test(test_bad_integrity_lookalikes),
        cmocka_unit_test(test_bad_integrity_contradicted),
        cmocka_unit_test(test_mit_kdc_offers_no_duplicate_spn),
        cmocka_unit_test(test_directory_kdc_keeps_duplicate_spn),
        cmocka_unit_test(test_kdc_kind_contradictions),
        cmocka_unit_test(test_store_kdc_kind_query),
        cmocka_unit_test(test_skew_server_within_tolerance_blames_client),
        cmocka_unit_test(test_skew_lookalike_server_beyond_tolerance),
        cmocka_unit_test(test_skew_contradiction_client_agrees_with_capture),
        cmocka_unit_test(test_enterprise_name_keeps_its_own_realm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
