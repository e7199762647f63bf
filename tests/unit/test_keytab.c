/* test_keytab.c
 * The service's keytab: the bounded keytab reader, and the decrypt-failure rule
 * confirming a stale key, a wrong account or neither from the keys the service holds.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "kd_keytab.h"
#include "kd_testlib.h"

#define REALM "EXAMPLE.TEST"
#define SPN "HTTP/www.example.test"
#define KDC 2
#define CLIENT 10
#define WEB 20

/* ------------------------------------------------------------ keytab bytes */

static void
put16(GByteArray *b, guint32 v)
{
    guint8 x[2] = { (guint8)(v >> 8), (guint8)v };
    g_byte_array_append(b, x, 2);
}

static void
put32(GByteArray *b, guint32 v)
{
    guint8 x[4] = { (guint8)(v >> 24), (guint8)(v >> 16), (guint8)(v >> 8), (guint8)v };
    g_byte_array_append(b, x, 4);
}

static void
put_counted(GByteArray *b, const char *s)
{
    put16(b, (guint32)strlen(s));
    g_byte_array_append(b, (const guint8 *)s, (guint)strlen(s));
}

/* One entry's bytes (without its size): principal "a/b" split at '/'. vno32 0: none. */
static GByteArray *
entry_bytes(const char *principal, const char *realm, guint8 vno8, guint32 vno32, guint16 etype)
{
    GByteArray *e = g_byte_array_new();
    gchar **comp = g_strsplit(principal, "/", -1);
    put16(e, g_strv_length(comp));
    put_counted(e, realm);
    for (guint i = 0; comp[i]; i++)
        put_counted(e, comp[i]);
    g_strfreev(comp);
    put32(e, 1);            /* KRB5_NT_PRINCIPAL */
    put32(e, 1700000000);   /* timestamp */
    g_byte_array_append(e, &vno8, 1);
    put16(e, etype);
    put16(e, 32);
    for (int i = 0; i < 32; i++) {
        guint8 k = (guint8)i;
        g_byte_array_append(e, &k, 1);
    }
    if (vno32)
        put32(e, vno32);
    return e;
}

static GByteArray *
keytab_start(void)
{
    GByteArray *b = g_byte_array_new();
    guint8 v[2] = { 0x05, 0x02 };
    g_byte_array_append(b, v, 2);
    return b;
}

static void
keytab_add(GByteArray *kt, const char *principal, guint8 vno8, guint32 vno32, guint16 etype)
{
    GByteArray *e = entry_bytes(principal, REALM, vno8, vno32, etype);
    put32(kt, e->len);
    g_byte_array_append(kt, e->data, e->len);
    g_byte_array_free(e, TRUE);
}

static void
test_parse_entries(void **state)
{
    (void)state;
    GByteArray *b = keytab_start();
    keytab_add(b, SPN, 2, 0, 18);
    /* A hole left by a removed entry. */
    put32(b, (guint32)-6);
    for (int i = 0; i < 6; i++)
        g_byte_array_append(b, (const guint8 *)"\0", 1);
    /* The 32-bit kvno replaces the 8-bit one (kvno 300 does not fit a byte). */
    keytab_add(b, "host/www.example.test", 44, 300, 17);
    kd_keytab kt = { 0 };
    assert_true(kd_keytab_parse(b->data, b->len, &kt));
    assert_true(kt.loaded);
    assert_false(kt.damaged);
    assert_int_equal(kt.n, 2);
    assert_string_equal(kt.keys[0].principal, SPN);
    assert_string_equal(kt.keys[0].realm, REALM);
    assert_int_equal(kt.keys[0].kvno, 2);
    assert_int_equal(kt.keys[0].etype, 18);
    assert_string_equal(kt.keys[1].principal, "host/www.example.test");
    assert_int_equal(kt.keys[1].kvno, 300);
    assert_int_equal(kt.keys[1].etype, 17);
    kd_keytab_clear(&kt);
    g_byte_array_free(b, TRUE);
}

static void
test_parse_hostile(void **state)
{
    (void)state;
    kd_keytab kt = { 0 };
    /* Not a keytab, or another version. */
    assert_false(kd_keytab_parse((const guint8 *)"\x05\x01", 2, &kt));
    assert_false(kd_keytab_parse((const guint8 *)"\x05", 1, &kt));
    assert_false(kd_keytab_parse(NULL, 0, &kt));
    assert_false(kt.loaded);

    GByteArray *b = keytab_start();
    keytab_add(b, SPN, 2, 0, 18);
    /* Every truncation of a good file: no read past the end, at most the whole entries. */
    for (guint len = 0; len < b->len; len++) {
        guint8 *copy = g_memdup2(b->data, len);
        kd_keytab_parse(copy, len, &kt);
        assert_int_equal(kt.n, 0);
        assert_true(len < 2 || kt.damaged || len <= 6);
        g_free(copy);
    }
    /* A record size past the end. */
    GByteArray *c = keytab_start();
    put32(c, 1000);
    put16(c, 1);
    assert_true(kd_keytab_parse(c->data, c->len, &kt));
    assert_true(kt.damaged);
    assert_int_equal(kt.n, 0);
    g_byte_array_free(c, TRUE);
    /* A string length past its record (the record itself fits the file). */
    GByteArray *d = keytab_start();
    GByteArray *e = g_byte_array_new();
    put16(e, 1);
    put16(e, 500);      /* realm length beyond the record */
    g_byte_array_append(e, (const guint8 *)"EXAMPLE", 7);
    put32(d, e->len);
    g_byte_array_append(d, e->data, e->len);
    keytab_add(d, SPN, 3, 0, 18);
    assert_true(kd_keytab_parse(d->data, d->len, &kt));
    assert_true(kt.damaged);
    assert_int_equal(kt.n, 1);      /* the next record is still read */
    assert_int_equal(kt.keys[0].kvno, 3);
    g_byte_array_free(e, TRUE);
    g_byte_array_free(d, TRUE);
    /* The most negative size has no hole length. */
    GByteArray *m = keytab_start();
    put32(m, 0x80000000u);
    assert_true(kd_keytab_parse(m->data, m->len, &kt));
    assert_true(kt.damaged);
    g_byte_array_free(m, TRUE);
    /* A component count no principal has. */
    GByteArray *x = keytab_start();
    GByteArray *y = g_byte_array_new();
    put16(y, 60000);
    put_counted(y, REALM);
    put32(x, y->len);
    g_byte_array_append(x, y->data, y->len);
    assert_true(kd_keytab_parse(x->data, x->len, &kt));
    assert_int_equal(kt.n, 0);
    assert_true(kt.damaged);
    g_byte_array_free(y, TRUE);
    g_byte_array_free(x, TRUE);
    /* Names with control bytes and invalid UTF-8 come out printable. */
    GByteArray *n = keytab_start();
    keytab_add(n, "HTTP/w\001w\377", 2, 0, 18);
    assert_true(kd_keytab_parse(n->data, n->len, &kt));
    assert_int_equal(kt.n, 1);
    assert_true(g_utf8_validate(kt.keys[0].principal, -1, NULL));
    assert_null(strchr(kt.keys[0].principal, '\001'));
    g_byte_array_free(n, TRUE);
    /* More entries than kept: counted, not stored. */
    GByteArray *many = keytab_start();
    for (int i = 0; i < KD_KEYTAB_MAX + 5; i++)
        keytab_add(many, SPN, (guint8)i, 0, 18);
    assert_true(kd_keytab_parse(many->data, many->len, &kt));
    assert_int_equal(kt.n, KD_KEYTAB_MAX);
    assert_int_equal(kt.dropped, 5);
    g_byte_array_free(many, TRUE);
    kd_keytab_clear(&kt);
    g_byte_array_free(b, TRUE);
}

/* ------------------------------------------------------------------ rules */

typedef struct {
    const char *principal;
    gint64 kvno;
    gint32 etype;
} key_spec;

/* A harness whose engine knows the service's keytab (built from the given keys). */
static t_harness *
with_keytab(kd_keytab *kt, const key_spec *keys, guint n)
{
    GByteArray *b = keytab_start();
    for (guint i = 0; i < n; i++)
        keytab_add(b, keys[i].principal, (guint8)keys[i].kvno, 0, (guint16)keys[i].etype);
    kd_keytab_parse(b->data, b->len, kt);
    g_byte_array_free(b, TRUE);
    kd_config cfg;
    kd_config_default(&cfg);
    cfg.keytab = kt;
    return t_new(&cfg);
}

/* TGS exchange for the SPN at kvno, then the HTTP request with its AP-REQ whose ticket
 * Wireshark decrypted (or not) with the keytab. */
static kd_obs
attempt(t_harness *h, gint64 kvno, kd_decrypt dec, guint16 cport, guint32 *tgs_rep_frame)
{
    kd_obs tgs = t_tgs_req(CLIENT, KDC, (guint16)(cport + 1000), SPN, REALM, REALM, 18, 2);
    t_feed(h, &tgs);
    kd_obs rep = t_rep(&tgs, KD_MSG_TGS_REP, "alice", SPN, REALM, 18, kvno);
    guint32 rf = t_feed(h, &rep);
    if (tgs_rep_frame)
        *tgs_rep_frame = rf;
    kd_obs http = t_http_req(CLIENT, WEB, cport, "www.example.test");
    kd_obs ap = t_ap_req(CLIENT, WEB, cport, 80, KD_CARRIER_HTTP, SPN, REALM, kvno);
    ap.u.krb.ticket.decrypt = dec;
    if (dec == KD_DECRYPT_OK)
        ap.u.krb.ticket.decrypted_by = SPN "@" REALM;
    http.frame = ap.frame = h->frame++;
    http.time_us = ap.time_us = h->now_us;
    kd_obs both[2] = { http, ap };
    kd_engine_feed(h->eng, both, 2);
    return ap;
}

/* One refusal: the service holding `keys` refuses (code) a ticket at kvno that
 * Wireshark decrypted or not with those keys; f is the error frame's one finding. */
typedef struct {
    kd_keytab kt;
    t_harness *h;
    const t_finding *f;
    guint32 rep_frame;
} refusal;

static void
refuse(refusal *r, const key_spec *keys, guint n, gint64 kvno, kd_decrypt dec, gint32 code)
{
    memset(r, 0, sizeof(*r));
    r->h = n ? with_keytab(&r->kt, keys, n) : t_new(NULL);
    kd_obs ap = attempt(r->h, kvno, dec, 40000, &r->rep_frame);
    kd_obs err = t_ap_error(&ap, code, SPN);
    guint32 ef = t_feed(r->h, &err);
    assert_int_equal(t_count(r->h, ef), 1);
    r->f = t_get(r->h, ef, 0);
}

static void
refusal_free(refusal *r)
{
    t_free(r->h);
    kd_keytab_clear(&r->kt);
}

static const key_spec spn_kvno2[] = { { SPN, 2, 18 }, { SPN, 2, 17 } };
static const key_spec spn_kvno3[] = { { SPN, 3, 18 } };

static void
test_old_kvno_confirms_stale_key(void **state)
{
    (void)state;
    refusal r;
    refuse(&r, spn_kvno2, G_N_ELEMENTS(spn_kvno2), 3, KD_DECRYPT_NO_KEY, 44);
    assert_int_equal(r.f->cause, KD_CAUSE_STALE_SERVICE_KEY);
    assert_int_equal(r.f->confidence, KD_CONF_CONFIRMED);
    assert_non_null(strstr(r.f->summary, "holds version 2 only"));
    assert_true(t_has_evidence(r.f, r.rep_frame));
    refusal_free(&r);
}

/* Windows says KRB_AP_ERR_MODIFIED for the same mistake: the keytab decides alone. */
static void
test_same_kvno_other_password_confirms_stale_key(void **state)
{
    (void)state;
    refusal r;
    refuse(&r, spn_kvno3, G_N_ELEMENTS(spn_kvno3), 3, KD_DECRYPT_NO_KEY, 41);
    assert_int_equal(r.f->cause, KD_CAUSE_STALE_SERVICE_KEY);
    assert_int_equal(r.f->confidence, KD_CONF_CONFIRMED);
    assert_non_null(strstr(r.f->summary, "another password"));
    assert_non_null(strstr(r.f->details, "another key"));
    refusal_free(&r);
}

static void
test_other_account_confirms_mismatch(void **state)
{
    (void)state;
    const key_spec host[] = { { "host/www.example.test", 2, 18 } };
    refusal r;
    /* BADKEYVER alone would point at a stale key; the keytab holds no key of the SPN. */
    refuse(&r, host, G_N_ELEMENTS(host), 2, KD_DECRYPT_NO_KEY, 44);
    assert_int_equal(r.f->cause, KD_CAUSE_SPN_ACCOUNT_MISMATCH);
    assert_int_equal(r.f->confidence, KD_CONF_CONFIRMED);
    assert_non_null(strstr(r.f->summary, "host/www.example.test"));
    for (guint i = 0; i < r.f->n_alternatives; i++)
        assert_int_not_equal(r.f->alternatives[i], KD_CAUSE_STALE_SERVICE_KEY);
    refusal_free(&r);
}

/* The SPN on two accounts: the keytab's key of the SPN at another version looks stale,
 * but LDAP says why. */
static void
test_duplicate_spn_stays_duplicate(void **state)
{
    (void)state;
    kd_keytab kt = { 0 };
    t_harness *h = with_keytab(&kt, spn_kvno2, 1);
    kd_obs l1 = t_ldap_entry(CLIENT, KDC, "websvc", SPN);
    kd_obs l2 = t_ldap_entry(CLIENT, KDC, "WWW$", SPN);
    t_feed(h, &l1);
    t_feed(h, &l2);
    kd_obs ap = attempt(h, 7, KD_DECRYPT_NO_KEY, 40000, NULL);
    kd_obs err = t_ap_error(&ap, 41, SPN);
    guint32 ef = t_feed(h, &err);
    assert_int_equal(t_count(h, ef), 1);
    const t_finding *f = t_get(h, ef, 0);
    assert_int_equal(f->cause, KD_CAUSE_DUPLICATE_SPN);
    assert_int_equal(f->alternatives[0], KD_CAUSE_STALE_SERVICE_KEY);
    t_free(h);
    kd_keytab_clear(&kt);
}

/* Contradiction: the keytab holds the ticket's kvno and etype and Wireshark decrypted
 * the ticket with it, yet the service says it cannot: not a stale key, nor another
 * account; the service does not use that keytab. */
static void
test_keytab_decrypts_rules_out_stale_key(void **state)
{
    (void)state;
    const gint32 codes[] = { 41, 44 };
    for (guint c = 0; c < G_N_ELEMENTS(codes); c++) {
        refusal r;
        refuse(&r, spn_kvno3, G_N_ELEMENTS(spn_kvno3), 3, KD_DECRYPT_OK, codes[c]);
        assert_int_not_equal(r.f->cause, KD_CAUSE_STALE_SERVICE_KEY);
        assert_int_not_equal(r.f->cause, KD_CAUSE_SPN_ACCOUNT_MISMATCH);
        assert_int_equal(r.f->cause, KD_CAUSE_TICKET_DECRYPT_FAILED);
        assert_int_not_equal(r.f->confidence, KD_CONF_CONFIRMED);
        assert_non_null(strstr(r.f->summary, "decrypts it"));
        assert_non_null(strstr(r.f->missing, "which keytab the service reads"));
        /* ... and the same finding does not offer them as candidates: they are ruled out. */
        for (guint a = 0; a < r.f->n_alternatives; a++) {
            assert_int_not_equal(r.f->alternatives[a], KD_CAUSE_STALE_SERVICE_KEY);
            assert_int_not_equal(r.f->alternatives[a], KD_CAUSE_SPN_ACCOUNT_MISMATCH);
        }
        assert_int_equal(r.f->n_ruled_out, 2);
        refusal_free(&r);
    }
}

/* An earlier acceptance at another kvno confirms a stale key on its own; a keytab that
 * decrypts the refused ticket contradicts it. */
static void
test_keytab_decrypts_contradicts_earlier_evidence(void **state)
{
    (void)state;
    kd_keytab kt = { 0 };
    t_harness *h = with_keytab(&kt, spn_kvno3, 1);
    kd_obs ap1 = attempt(h, 2, KD_DECRYPT_NO_KEY, 40000, NULL);
    kd_obs ok = t_ap_rep(&ap1);
    t_feed(h, &ok);
    kd_obs ap2 = attempt(h, 3, KD_DECRYPT_OK, 40002, NULL);
    kd_obs err = t_ap_error(&ap2, 44, SPN);
    guint32 ef = t_feed(h, &err);
    assert_int_equal(t_count(h, ef), 1);
    const t_finding *f = t_get(h, ef, 0);
    assert_int_not_equal(f->cause, KD_CAUSE_STALE_SERVICE_KEY);
    assert_int_not_equal(f->confidence, KD_CONF_CONFIRMED);
    t_free(h);
    kd_keytab_clear(&kt);
}

/* Benign look-alike: the ticket decrypts with the keytab and the service accepts it. */
static void
test_keytab_decrypts_and_accepted_no_claim(void **state)
{
    (void)state;
    kd_keytab kt = { 0 };
    t_harness *h = with_keytab(&kt, spn_kvno3, 1);
    kd_obs ap = attempt(h, 3, KD_DECRYPT_OK, 40000, NULL);
    kd_obs ok = t_ap_rep(&ap);
    guint32 okf = t_feed(h, &ok);
    assert_int_equal(t_count(h, okf), 0);
    assert_int_equal(t_count(h, ap.frame), 0);
    for (int c = 0; c < KD_CAUSE_COUNT; c++)
        assert_int_equal(t_total(h, (kd_cause)c), 0);
    t_free(h);
    kd_keytab_clear(&kt);
}

/* A keytab Wireshark did not try on the ticket proves nothing: the check that would
 * contradict the claim did not run. */
static void
test_keytab_not_tried_stays_likely(void **state)
{
    (void)state;
    refusal r;
    refuse(&r, spn_kvno2, 1, 3, KD_DECRYPT_NOT_TRIED, 41);
    assert_int_equal(r.f->cause, KD_CAUSE_STALE_SERVICE_KEY);
    assert_int_equal(r.f->confidence, KD_CONF_LIKELY);
    refusal_free(&r);
}

/* The SPN's key in the keytab, of another type only: undecided, and said so. */
static void
test_keytab_other_etype_undecided(void **state)
{
    (void)state;
    const key_spec rc4[] = { { SPN, 3, 23 } };
    refusal r;
    refuse(&r, rc4, G_N_ELEMENTS(rc4), 3, KD_DECRYPT_NO_KEY, 41);
    assert_int_not_equal(r.f->confidence, KD_CONF_CONFIRMED);
    assert_non_null(r.f->missing);
    assert_non_null(strstr(r.f->missing, "keytab loaded into Wireshark holds no key"));
    refusal_free(&r);
}

/* Without a keytab, what to capture next says that loading it decides. */
static void
test_no_keytab_missing_names_keytab(void **state)
{
    (void)state;
    const gint32 codes[] = { 41, 44 };
    for (guint c = 0; c < G_N_ELEMENTS(codes); c++) {
        refusal r;
        refuse(&r, NULL, 0, 3, KD_DECRYPT_NOT_TRIED, codes[c]);
        assert_int_not_equal(r.f->confidence, KD_CONF_CONFIRMED);
        assert_non_null(r.f->missing);
        assert_non_null(strstr(r.f->missing, "load the service's keytab into Wireshark"));
        refusal_free(&r);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_entries),
        cmocka_unit_test(test_parse_hostile),
        cmocka_unit_test(test_old_kvno_confirms_stale_key),
        cmocka_unit_test(test_same_kvno_other_password_confirms_stale_key),
        cmocka_unit_test(test_other_account_confirms_mismatch),
        cmocka_unit_test(test_duplicate_spn_stays_duplicate),
        cmocka_unit_test(test_keytab_decrypts_rules_out_stale_key),
        cmocka_unit_test(test_keytab_decrypts_contradicts_earlier_evidence),
        cmocka_unit_test(test_keytab_decrypts_and_accepted_no_claim),
        cmocka_unit_test(test_keytab_not_tried_stays_likely),
        cmocka_unit_test(test_keytab_other_etype_undecided),
        cmocka_unit_test(test_no_keytab_missing_names_keytab),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
