/* test_catalog.c
 * The cause catalog's e-text table and its lookup, and the public references of
 * every cause.
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

#include "kd_catalog.h"

/* Error codes used below (RFC 4120 7.5.9). */
enum {
    CODE_CLIENT_REVOKED = 18, CODE_PREAUTH_FAILED = 24, CODE_PREAUTH_REQUIRED = 25,
    CODE_BAD_INTEGRITY = 31, CODE_SKEW = 37, CODE_S_PRINCIPAL_UNKNOWN = 7,
    CODE_GENERIC = 60, CODE_RESPONSE_TOO_BIG = 52
};

static void
test_etext_names_causes(void **state)
{
    (void)state;
    /* MIT's wrong password: 24 since krb5 1.15, 31 before. */
    assert_int_equal(kd_catalog_etext_cause("PREAUTH_FAILED", CODE_PREAUTH_FAILED), KD_CAUSE_WRONG_PASSWORD);
    assert_int_equal(kd_catalog_etext_cause("PREAUTH_FAILED", CODE_BAD_INTEGRITY), KD_CAUSE_WRONG_PASSWORD);
    /* A policy lock-out and an administrator's -allow_tix are different causes. */
    assert_int_equal(kd_catalog_etext_cause("LOCKED_OUT", CODE_CLIENT_REVOKED), KD_CAUSE_ACCOUNT_LOCKED);
    assert_int_equal(kd_catalog_etext_cause("CLIENT LOCKED OUT", CODE_CLIENT_REVOKED), KD_CAUSE_ACCOUNT_DISABLED);
    assert_int_equal(kd_catalog_etext_cause("CLIENT_NOT_FOUND", 6), KD_CAUSE_UNKNOWN_CLIENT);
    assert_int_equal(kd_catalog_etext_cause("SERVER_NOT_FOUND", CODE_S_PRINCIPAL_UNKNOWN), KD_CAUSE_SPN_MISSING);
    assert_int_equal(kd_catalog_etext_cause("CANT_FIND_CLIENT_KEY", 14), KD_CAUSE_ETYPE_NO_COMMON);
    assert_int_equal(kd_catalog_etext_cause("Reply packet too large", CODE_RESPONSE_TOO_BIG), KD_CAUSE_RESPONSE_TOO_BIG);
    assert_int_equal(kd_catalog_etext_cause("Need to use PA-ENC-TIMESTAMP/PA-PK-AS-REQ", CODE_PREAUTH_REQUIRED),
                     KD_CAUSE_PREAUTH_REQUIRED);
    const kd_etext_info *e = kd_catalog_etext_lookup("LOCKED_OUT");
    assert_non_null(e);
    assert_string_equal(e->etext, "LOCKED_OUT");
    assert_string_equal(e->kdc, "MIT");
    assert_non_null(strstr(e->meaning, "locked out"));
}

static void
test_etext_look_alikes(void **state)
{
    (void)state;
    /* The same label with another code: MIT's PREAUTH_FAILED on a skewed timestamp. */
    assert_int_equal(kd_catalog_etext_cause("PREAUTH_FAILED", CODE_SKEW), KD_ETEXT_NO_HINT);
    assert_false(kd_etext_applies(kd_catalog_etext_lookup("PREAUTH_FAILED"), CODE_SKEW));
    assert_int_equal(kd_catalog_etext_cause("LOCKED_OUT", CODE_PREAUTH_FAILED), KD_ETEXT_NO_HINT);
    /* Processing steps are known, but name no cause whatever the code. */
    static const char *const steps[] = { "LOOKING_UP_SERVER", "PROCESS_TGS", "HANDLE_AUTHDATA",
                                         "LOOKING_UP_CLIENT", "TICKET NOT RENEWABLE" };
    for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
        const kd_etext_info *e = kd_catalog_etext_lookup(steps[i]);
        assert_non_null(e);
        assert_int_equal(e->cause, KD_ETEXT_NO_HINT);
        assert_true(strlen(e->meaning) > 10);
        assert_int_equal(kd_catalog_etext_cause(steps[i], CODE_S_PRINCIPAL_UNKNOWN), KD_ETEXT_NO_HINT);
        assert_int_equal(kd_catalog_etext_cause(steps[i], CODE_GENERIC), KD_ETEXT_NO_HINT);
    }
    /* Near misses are not matches: underscores are not spaces, prefixes are not words. */
    assert_null(kd_catalog_etext_lookup("CLIENT_LOCKED_OUT"));
    assert_null(kd_catalog_etext_lookup("LOCKED"));
    assert_null(kd_catalog_etext_lookup("LOCKED_OUT_"));
    assert_null(kd_catalog_etext_lookup("PREAUTH_FAILED x"));
    assert_null(kd_catalog_etext_lookup(""));
    assert_null(kd_catalog_etext_lookup(" \t\r\n "));
    assert_null(kd_catalog_etext_lookup(NULL));
    assert_false(kd_etext_applies(NULL, CODE_PREAUTH_FAILED));
}

static void
test_etext_tolerant(void **state)
{
    (void)state;
    const kd_etext_info *e = kd_catalog_etext_lookup("CLIENT LOCKED OUT");
    assert_non_null(e);
    assert_ptr_equal(kd_catalog_etext_lookup("client locked out"), e);
    assert_ptr_equal(kd_catalog_etext_lookup("  Client \t Locked\r\nOut \n"), e);
    assert_ptr_equal(kd_catalog_etext_lookup("locked_out"), kd_catalog_etext_lookup("LOCKED_OUT"));
    assert_ptr_equal(kd_catalog_etext_lookup("REPLY PACKET TOO LARGE"), kd_catalog_etext_lookup("Reply packet too large"));
}

static void
test_etext_hostile(void **state)
{
    (void)state;
    /* Bytes outside ASCII never fold onto ASCII letters. */
    assert_null(kd_catalog_etext_lookup("LOCKED\xC2\xA0OUT"));
    assert_null(kd_catalog_etext_lookup("\xFF\xFE\x80PREAUTH_FAILED"));
    assert_null(kd_catalog_etext_lookup("LOCKED_\xC4\xB0UT"));
    /* Long inputs: a known label padded with white space beyond the bound, a long
     * run of letters, and random bytes, none read past their end. */
    gsize big = 1 << 16;
    char *s = g_malloc(big + 1);
    memset(s, ' ', big);
    memcpy(s + big - 10, "LOCKED_OUT", 10);
    s[big] = '\0';
    assert_null(kd_catalog_etext_lookup(s));
    memset(s, 'A', big);
    assert_null(kd_catalog_etext_lookup(s));
    GRand *r = g_rand_new_with_seed(12);
    for (int round = 0; round < 2000; round++) {
        gsize n = (gsize)g_rand_int_range(r, 0, 200);
        char *t = g_malloc(n + 1);
        for (gsize i = 0; i < n; i++)
            t[i] = (char)g_rand_int_range(r, 1, 256);
        t[n] = '\0';
        const kd_etext_info *e = kd_catalog_etext_lookup(t);
        if (e)
            assert_non_null(e->etext);
        g_free(t);
    }
    g_rand_free(r);
    /* A label exactly at the bound is still read; one byte more is not a label. */
    memset(s, ' ', big);
    s[KD_ETEXT_MAX_LEN] = '\0';
    memcpy(s, "LOCKED_OUT", 10);
    assert_non_null(kd_catalog_etext_lookup(s));
    g_free(s);
}

static void
test_etext_table_consistent(void **state)
{
    (void)state;
    guint n;
    const kd_etext_info *all = kd_etext_all(&n);
    assert_true(n >= 40);
    for (guint i = 0; i < n; i++) {
        const kd_etext_info *e = &all[i];
        assert_true(strlen(e->etext) > 0 && strlen(e->etext) <= KD_ETEXT_MAX_LEN);
        assert_non_null(e->kdc);
        assert_true(strlen(e->meaning) > 10);
        assert_true(e->cause == KD_ETEXT_NO_HINT || (e->cause >= 0 && e->cause < KD_CAUSE_COUNT));
        assert_true(e->ncodes <= KD_ETEXT_MAX_CODES);
        for (guint c = 0; c < e->ncodes; c++)
            assert_non_null(kd_error_info_get(e->codes[c]));
        /* Each row is found by its own text, and no two rows share a text. */
        assert_ptr_equal(kd_catalog_etext_lookup(e->etext), e);
        /* A row naming a cause says for which codes. */
        if (e->cause != KD_ETEXT_NO_HINT)
            assert_true(e->ncodes > 0);
    }
}

static void
test_references_are_public(void **state)
{
    (void)state;
    /* A reference names a public source: RFC, Microsoft article or KB, protocol
     * document, event id; never a file or label of this project. */
    static const char *const public_marks[] = { "RFC ", "Microsoft", "MS-", "KB ", "event ", "article \"" };
    static const char *const internal_marks[] = { "seed", ".md", "KERBEROS-ERRORS", "scenario script",
                                                  "captures/", "issue " };
    for (int i = 0; i < KD_CAUSE_COUNT; i++) {
        const char *ref = kd_catalog[i].reference;
        gboolean has_public = FALSE;
        for (guint j = 0; j < G_N_ELEMENTS(public_marks); j++)
            has_public |= strstr(ref, public_marks[j]) != NULL;
        if (!has_public)
            fail_msg("cause %s: reference \"%s\" names no public source", kd_catalog[i].id, ref);
        gchar *low = g_ascii_strdown(ref, -1);
        for (guint j = 0; j < G_N_ELEMENTS(internal_marks); j++) {
            gchar *mark = g_ascii_strdown(internal_marks[j], -1);
            if (strstr(low, mark))
                fail_msg("cause %s: reference \"%s\" names \"%s\"", kd_catalog[i].id, ref, internal_marks[j]);
            g_free(mark);
        }
        g_free(low);
    }
}

/* The generic krb_error shows its error code's remedy and explanation; every other
 * cause its own, whatever the code; an unknown code falls back to the catalog row. */
static void
test_finding_texts(void **state)
{
    (void)state;
    const kd_error_info *nosupp = kd_error_info_get(14);   /* KDC_ERR_ETYPE_NOSUPP */
    assert_non_null(nosupp);
    assert_string_equal(kd_finding_remedy(KD_CAUSE_KRB_ERROR, 14), nosupp->remedy);
    assert_string_equal(kd_finding_explanation(KD_CAUSE_KRB_ERROR, 14), nosupp->causes);
    assert_string_not_equal(kd_finding_remedy(KD_CAUSE_KRB_ERROR, 14), kd_catalog[KD_CAUSE_KRB_ERROR].remedy);
    assert_string_equal(kd_finding_remedy(KD_CAUSE_ETYPE_NO_COMMON, 14), kd_catalog[KD_CAUSE_ETYPE_NO_COMMON].remedy);
    assert_string_equal(kd_finding_explanation(KD_CAUSE_ETYPE_NO_COMMON, 14),
                        kd_catalog[KD_CAUSE_ETYPE_NO_COMMON].explanation);
    assert_string_equal(kd_finding_remedy(KD_CAUSE_KRB_ERROR, -1), kd_catalog[KD_CAUSE_KRB_ERROR].remedy);
    assert_string_equal(kd_finding_remedy(KD_CAUSE_KRB_ERROR, 0x7fffffff), kd_catalog[KD_CAUSE_KRB_ERROR].remedy);
}

/* stale_service_key also covers a key changed at the same version (a keytab made from
 * another password: BAD_INTEGRITY or MODIFIED): its title does not say the version
 * differs, and its explanation and reference cover the errors it comes with. A
 * shared_address_loopback finding's explanation names the error it holds. */
static void
test_texts_fit_the_error(void **state)
{
    (void)state;
    const kd_cause_info *st = kd_cause_get(KD_CAUSE_STALE_SERVICE_KEY);
    assert_null(strstr(st->title, "version differs"));
    static const char *const errs[] = { "KRB_AP_ERR_BADKEYVER", "KRB_AP_ERR_BAD_INTEGRITY", "KRB_AP_ERR_MODIFIED" };
    for (gsize i = 0; i < G_N_ELEMENTS(errs); i++) {
        assert_non_null(strstr(st->reference, errs[i]));
        assert_non_null(strstr(st->explanation, errs[i]));
    }
    const char *not_us = kd_finding_explanation(KD_CAUSE_SHARED_ADDRESS_LOOPBACK, 35);
    assert_non_null(strstr(not_us, "KRB_AP_ERR_NOT_US"));
    assert_null(strstr(not_us, "KRB_AP_ERR_MODIFIED"));
    const char *modified = kd_finding_explanation(KD_CAUSE_SHARED_ADDRESS_LOOPBACK, 41);
    assert_non_null(strstr(modified, "KRB_AP_ERR_MODIFIED"));
    assert_null(strstr(modified, "KRB_AP_ERR_NOT_US"));
    const char *fault = kd_finding_explanation(KD_CAUSE_SHARED_ADDRESS_LOOPBACK, -1);
    assert_null(strstr(fault, "KRB_AP_ERR_"));
    /* Another error code: the catalog row, which names the possibilities. */
    assert_string_equal(kd_finding_explanation(KD_CAUSE_SHARED_ADDRESS_LOOPBACK, 60),
                        kd_catalog[KD_CAUSE_SHARED_ADDRESS_LOOPBACK].explanation);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_etext_names_causes),
        cmocka_unit_test(test_etext_look_alikes),
        cmocka_unit_test(test_etext_tolerant),
        cmocka_unit_test(test_etext_hostile),
        cmocka_unit_test(test_etext_table_consistent),
        cmocka_unit_test(test_references_are_public),
        cmocka_unit_test(test_finding_texts),
        cmocka_unit_test(test_texts_fit_the_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
