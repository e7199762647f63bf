/* test_ldapbind.c
 * LDAP binds: the BindRequest / BindResponse reader, the diagnostic-message parser on
 * hostile text, and the AcceptSecurityContext data-code table.
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

#include "kd_ldapbind.h"
#include "kd_testlib.h"

#define AD_52E "8009030C: LdapErr: DSID-0C0904DC, comment: AcceptSecurityContext error, data 52e, v1db1"

static GByteArray *
bind_response(gint64 result, const char *diag)
{
    guint8 code = (guint8)result;
    GByteArray *b = t_der_cat(t_der_bytes(0x0a, &code, 1), t_der_bytes(0x04, "", 0));
    b = t_der_cat(b, t_der_bytes(0x04, diag, strlen(diag)));
    return t_der_tlv(0x61, b);
}

static GByteArray *
bind_request_simple(const char *name, const char *password)
{
    GByteArray *b = t_der_cat(t_der_int(3), t_der_bytes(0x04, name, strlen(name)));
    return t_der_tlv(0x60, t_der_cat(b, t_der_bytes(0x80, password, strlen(password))));
}

static GByteArray *
bind_request_sasl(const char *mech)
{
    GByteArray *b = t_der_cat(t_der_int(3), t_der_bytes(0x04, "", 0));
    GByteArray *sasl = t_der_cat(t_der_bytes(0x04, mech, strlen(mech)), t_der_bytes(0x04, "\x60\x01\x00", 3));
    return t_der_tlv(0x60, t_der_cat(b, t_der_tlv(0xa3, sasl)));
}

static void
test_response(void **state)
{
    (void)state;
    GByteArray *m = bind_response(49, AD_52E);
    kd_ldap_bind_msg b;
    assert_true(kd_ldap_bind_parse(m->data, m->len, &b));
    assert_false(b.is_request);
    assert_true(b.has_result);
    assert_int_equal(b.result_code, 49);
    assert_int_equal(b.diag_len, strlen(AD_52E));
    assert_memory_equal(b.diag, AD_52E, b.diag_len);
    g_byte_array_unref(m);
    /* Active Directory's lengths in the long form (0x84 and four bytes). */
    static const guint8 ad[] = { 0x61, 0x84, 0x00, 0x00, 0x00, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00 };
    assert_true(kd_ldap_bind_parse(ad, sizeof ad, &b));
    assert_true(b.has_result);
    assert_int_equal(b.result_code, 0);
    assert_int_equal(b.diag_len, 0);
}

static void
test_requests(void **state)
{
    (void)state;
    GByteArray *m = bind_request_simple("alice@ad.example.test", "secret");
    kd_ldap_bind_msg b;
    assert_true(kd_ldap_bind_parse(m->data, m->len, &b));
    assert_true(b.is_request);
    assert_int_equal(b.auth, KD_LDAP_AUTH_SIMPLE);
    assert_int_equal(b.name_len, strlen("alice@ad.example.test"));
    assert_int_equal(b.password_len, 6);
    g_byte_array_unref(m);
    m = bind_request_simple("", "");
    assert_true(kd_ldap_bind_parse(m->data, m->len, &b));
    assert_int_equal(b.name_len, 0);
    assert_int_equal(b.password_len, 0);
    g_byte_array_unref(m);
    m = bind_request_sasl("GSS-SPNEGO");
    assert_true(kd_ldap_bind_parse(m->data, m->len, &b));
    assert_int_equal(b.auth, KD_LDAP_AUTH_SASL);
    assert_int_equal(b.mechanism_len, 10);
    assert_memory_equal(b.mechanism, "GSS-SPNEGO", 10);
    g_byte_array_unref(m);
}

/* Every prefix and every single-byte change of a real answer: never a read outside the
 * buffer (run under the sanitizers), never a result from broken bytes that claims more
 * than the bytes hold. */
static void
test_hostile_bytes(void **state)
{
    (void)state;
    GByteArray *m = bind_response(49, AD_52E);
    kd_ldap_bind_msg b;
    for (guint len = 0; len < m->len; len++) {
        guint8 *copy = g_memdup2(m->data, len);
        if (kd_ldap_bind_parse(copy, len, &b) && b.diag)
            assert_true(b.diag + b.diag_len <= copy + len);
        g_free(copy);
    }
    for (guint i = 0; i < m->len; i++) {
        guint8 *copy = g_memdup2(m->data, m->len);
        copy[i] ^= 0xa5;
        if (kd_ldap_bind_parse(copy, m->len, &b) && b.diag)
            assert_true(b.diag >= copy && b.diag + b.diag_len <= copy + m->len);
        g_free(copy);
    }
    g_byte_array_unref(m);
    /* Other operations, empty input. */
    static const guint8 search[] = { 0x63, 0x02, 0x04, 0x00 };
    assert_false(kd_ldap_bind_parse(search, sizeof search, &b));
    assert_false(kd_ldap_bind_parse(NULL, 0, &b));
    /* A result code too wide for 32 bits is no result. */
    static const guint8 wide[] = { 0x61, 0x07, 0x0a, 0x05, 0x01, 0x00, 0x00, 0x00, 0x31 };
    assert_true(kd_ldap_bind_parse(wide, sizeof wide, &b));
    assert_false(b.has_result);
}

static void
test_diag(void **state)
{
    (void)state;
    kd_ldap_diag d;
    assert_true(kd_ldap_diag_parse((const guint8 *)AD_52E, strlen(AD_52E), &d));
    assert_true(d.has_error);
    assert_int_equal(d.error, 0x8009030c);
    assert_true(d.has_data);
    assert_int_equal(d.data, 0x52e);
    /* Samba's wording, and AD's channel binding refusal. */
    const char *samba = "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 775, v1db1";
    assert_true(kd_ldap_diag_parse((const guint8 *)samba, strlen(samba), &d));
    assert_int_equal(d.data, 0x775);
    const char *cbt = "80090346: LdapErr: DSID-0C090569, comment: AcceptSecurityContext error, data 80090346, v4563";
    assert_true(kd_ldap_diag_parse((const guint8 *)cbt, strlen(cbt), &d));
    assert_int_equal(d.data, 0x80090346);
    assert_int_equal(kd_ldap_data_lookup(d.data)->kind, KD_LDAP_DATA_CHANNEL_BINDING);
    /* Upper case, at the start. */
    assert_true(kd_ldap_diag_parse((const guint8 *)"DATA 533", 8, &d));
    assert_false(d.has_error);
    assert_int_equal(d.data, 0x533);
}

static void
test_diag_hostile(void **state)
{
    (void)state;
    kd_ldap_diag d;
    /* Missing, empty, no code at all. */
    assert_false(kd_ldap_diag_parse(NULL, 10, &d));
    assert_false(kd_ldap_diag_parse((const guint8 *)"", 0, &d));
    assert_false(kd_ldap_diag_parse((const guint8 *)"BindSimple: Transport encryption required.", 42, &d));
    /* "data" inside a word, "data" with nothing or no hex after it, too many digits. */
    assert_false(kd_ldap_diag_parse((const guint8 *)"metadata 52e", 12, &d));
    assert_false(kd_ldap_diag_parse((const guint8 *)", data ", 7, &d));
    assert_false(kd_ldap_diag_parse((const guint8 *)", data xyz", 10, &d));
    assert_false(kd_ldap_diag_parse((const guint8 *)", data 123456789", 16, &d));
    /* The leading code needs its colon and exactly 8 digits. */
    assert_false(kd_ldap_diag_parse((const guint8 *)"8009030C LdapErr", 16, &d));
    assert_false(kd_ldap_diag_parse((const guint8 *)"8009030: x", 10, &d));
    /* Not UTF-8, NULs: bytes are bytes. */
    static const guint8 bin[] = { 0xff, 0xfe, 0x00, ',', ' ', 'd', 'a', 't', 'a', ' ', '7', '7', '3', 0x00, 0xc3 };
    assert_true(kd_ldap_diag_parse(bin, sizeof bin, &d));
    assert_int_equal(d.data, 0x773);
    /* Huge: only the first KD_LDAP_DIAG_MAX bytes are read. */
    gsize big = 1 << 20;
    guint8 *huge = g_malloc(big);
    memset(huge, 'x', big);
    memcpy(huge + big - 9, " data 52e", 9);
    assert_false(kd_ldap_diag_parse(huge, big, &d));
    memcpy(huge + 10, ",data 701", 9);
    assert_true(kd_ldap_diag_parse(huge, big, &d));
    assert_int_equal(d.data, 0x701);
    /* The digits run into the end of the buffer: read up to it, not past. */
    assert_true(kd_ldap_diag_parse((const guint8 *)", data 52e", 9, &d));
    assert_int_equal(d.data, 0x52);
    g_free(huge);
    /* The quoted text is printable whatever the bytes. */
    char *q = kd_ldap_diag_text(bin, sizeof bin, 64);
    assert_int_equal(strlen(q), sizeof bin);
    for (const char *p = q; *p; p++)
        assert_true(*p >= 0x20 && *p < 0x7f);
    g_free(q);
}

/* The signing requirement in the server's words: read within the buffer, the first
 * KD_LDAP_DIAG_MAX bytes only, ASCII case ignored; other refusals do not name it. */
static void
test_strong_auth_words(void **state)
{
    (void)state;
    kd_ldap_diag d;
    static const char *const named[] = {
        "BindSimple: Transport encryption required.",
        "SASL:[GSS-SPNEGO]: Sign or Seal are required.",
        "00002028: LdapErr: DSID-0C090259, comment: The server requires binds to turn on integrity checking if "
        "SSL\\TLS are not already active on the connection, data 0, v4563",
        "00002028: LdapErr: DSID-0C09FFFF, comment: (another wording), data 0, v4563",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(named); i++) {
        kd_ldap_diag_parse((const guint8 *)named[i], strlen(named[i]), &d);
        assert_true(kd_ldap_diag_names_strong_auth((const guint8 *)named[i], strlen(named[i]), &d));
    }
    static const char *const other[] = {
        "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1",
        "00002027: LdapErr: DSID-0C090259, comment: another error, data 0, v4563",
        "Transport encryption",
        "",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(other); i++) {
        kd_ldap_diag_parse((const guint8 *)other[i], strlen(other[i]), &d);
        assert_false(kd_ldap_diag_names_strong_auth((const guint8 *)other[i], strlen(other[i]), &d));
    }
    assert_false(kd_ldap_diag_names_strong_auth(NULL, 40, NULL));
    /* The words cut by the buffer's end are not read past it. */
    static const char cut[] = "BindSimple: Transport encryption required.";
    assert_false(kd_ldap_diag_names_strong_auth((const guint8 *)cut, 25, NULL));
    /* Huge: words beyond KD_LDAP_DIAG_MAX are ignored. */
    gsize big = 1 << 16;
    guint8 *huge = g_malloc(big);
    memset(huge, 0, big);
    memcpy(huge + big - 40, "transport ENCRYPTION required", 29);
    assert_false(kd_ldap_diag_names_strong_auth(huge, big, NULL));
    memcpy(huge + 3, "transport ENCRYPTION required", 29);
    assert_true(kd_ldap_diag_names_strong_auth(huge, big, NULL));
    g_free(huge);
}

static void
test_data_table(void **state)
{
    (void)state;
    guint n;
    const kd_ldap_data_info *all = kd_ldap_data_all(&n);
    assert_true(n > 10);
    for (guint i = 0; i < n; i++) {
        assert_ptr_equal(kd_ldap_data_lookup(all[i].code), &all[i]);    /* each code once */
        assert_non_null(all[i].name);
        assert_non_null(all[i].meaning);
    }
    assert_int_equal(kd_ldap_data_lookup(0x52e)->kind, KD_LDAP_DATA_BAD_PASSWORD);
    assert_int_equal(kd_ldap_data_lookup(0x775)->kind, KD_LDAP_DATA_LOCKED);
    assert_null(kd_ldap_data_lookup(0x12345));
    assert_string_equal(kd_ldap_result_name(49), "invalidCredentials");
    assert_null(kd_ldap_result_name(4711));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_response),
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_hostile_bytes),
        cmocka_unit_test(test_diag),
        cmocka_unit_test(test_diag_hostile),
        cmocka_unit_test(test_strong_auth_words),
        cmocka_unit_test(test_data_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
