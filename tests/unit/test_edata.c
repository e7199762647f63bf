/* test_edata.c
 * The e-data reader (Windows/Samba status blocks, ETYPE-INFO2, hostile bytes) and
 * the cause catalog's own consistency.
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
#include "kd_edata.h"
#include "kd_testlib.h"

static GByteArray *
octets(const guint8 *p, guint n)
{
    return t_der_bytes(0x04, p, n);
}

/* PA-DATA / KERB-ERROR-DATA shape: SEQUENCE { [1] type, [2] OCTET STRING value } */
static GByteArray *
typed(int type, GByteArray *value_octets)
{
    return t_der_tlv(0x30, t_der_cat(t_der_tlv(0xa1, t_der_int(type)), t_der_tlv(0xa2, value_octets)));
}

static const guint8 status_disabled[12] = { 0x72, 0x00, 0x00, 0xc0, 0, 0, 0, 0, 1, 0, 0, 0 };

static GByteArray *
etype_info2(int a, int b)
{
    GByteArray *e1 = t_der_tlv(0x30, t_der_tlv(0xa0, t_der_int(a)));
    GByteArray *e2 = t_der_tlv(0x30, t_der_tlv(0xa0, t_der_int(b)));
    return t_der_tlv(0x30, t_der_cat(e1, e2));
}

static void
test_samba_method_data(void **state)
{
    (void)state;
    GByteArray *ei = etype_info2(18, 23);
    GByteArray *md = t_der_tlv(0x30, t_der_cat(typed(19, octets(ei->data, ei->len)), typed(3, octets(status_disabled, 12))));
    g_byte_array_unref(ei);
    kd_edata out;
    assert_true(kd_edata_parse(md->data, md->len, &out));
    assert_true(out.has_nt_status);
    assert_int_equal(out.nt_status, STATUS_ACCOUNT_DISABLED);
    assert_int_equal(out.n_etype_info2, 2);
    assert_int_equal(out.etype_info2[0], 18);
    assert_int_equal(out.etype_info2[1], 23);
    /* every truncation is refused or partial, never read past the end */
    for (guint n = 0; n < md->len; n++) {
        guint8 *copy = g_memdup2(md->data, n);
        kd_edata part;
        kd_edata_parse(copy, n, &part);
        assert_true(part.n_etype_info2 <= KD_MAX_ETYPES);
        g_free(copy);
    }
    g_byte_array_unref(md);
}

static void
test_windows_kerb_error_data(void **state)
{
    (void)state;
    static const guint8 locked[12] = { 0x34, 0x02, 0x00, 0xc0, 0, 0, 0, 0, 1, 0, 0, 0 };
    GByteArray *ked = typed(3, octets(locked, 12));
    kd_edata out;
    assert_true(kd_edata_parse(ked->data, ked->len, &out));
    assert_int_equal(out.nt_status, STATUS_ACCOUNT_LOCKED_OUT);
    g_byte_array_unref(ked);
    /* data-type 2 (SKEW_RECOVERY) carries no status */
    ked = typed(2, octets(locked, 12));
    assert_false(kd_edata_parse(ked->data, ked->len, &out));
    g_byte_array_unref(ked);
}

static void
test_salt_is_not_a_status(void **state)
{
    (void)state;
    /* a 12-byte PW-SALT that is a real salt (ASCII), not a status block */
    GByteArray *md = t_der_tlv(0x30, typed(3, octets((const guint8 *)"EXAMPLEalice", 12)));
    kd_edata out;
    assert_false(kd_edata_parse(md->data, md->len, &out));
    assert_false(out.has_nt_status);
    g_byte_array_unref(md);
}

static void
test_hostile_bytes(void **state)
{
    (void)state;
    kd_edata out;
    assert_false(kd_edata_parse(NULL, 10, &out));
    static const guint8 long_len[] = { 0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30 };
    assert_false(kd_edata_parse(long_len, sizeof long_len, &out));
    static const guint8 high_tag[] = { 0x3f, 0x01, 0x00 };
    assert_false(kd_edata_parse(high_tag, sizeof high_tag, &out));
    static const guint8 indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
    assert_false(kd_edata_parse(indefinite, sizeof indefinite, &out));
    /* random bytes, many seeds */
    GRand *r = g_rand_new_with_seed(42);
    guint8 buf[256];
    for (int i = 0; i < 20000; i++) {
        guint n = g_rand_int_range(r, 0, sizeof buf);
        for (guint j = 0; j < n; j++)
            buf[j] = (guint8)g_rand_int(r);
        if (n > 0 && (i & 1))
            buf[0] = 0x30;
        kd_edata_parse(buf, n, &out);
        assert_true(out.n_etype_info2 <= KD_MAX_ETYPES);
    }
    g_rand_free(r);
}

static void
test_catalog_consistent(void **state)
{
    (void)state;
    for (int i = 0; i < KD_CAUSE_COUNT; i++) {
        const kd_cause_info *c = kd_cause_get((kd_cause)i);
        assert_non_null(c);
        assert_int_equal(c->cause, i);
        assert_true(strlen(c->title) > 5 && strlen(c->explanation) > 20 && strlen(c->remedy) > 10);
        assert_non_null(c->reference);
        for (const char *p = c->id; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
        assert_int_equal(kd_cause_from_id(c->id), i);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(kd_catalog[j].id, c->id);
    }
    assert_int_equal(kd_cause_from_id("no_such_cause"), -1);
    assert_int_equal(kd_cause_from_id(NULL), -1);
    assert_null(kd_cause_get(KD_CAUSE_COUNT));
    guint n;
    const kd_error_info *all = kd_error_info_all(&n);
    assert_true(n > 60);
    for (guint i = 1; i < n; i++)
        assert_true(all[i - 1].code < all[i].code);
    for (guint i = 0; i < n; i++)
        assert_ptr_equal(kd_error_info_get(all[i].code), &all[i]);
    assert_null(kd_error_info_get(0));
    assert_null(kd_error_info_get(30));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samba_method_data),
        cmocka_unit_test(test_windows_kerb_error_data),
        cmocka_unit_test(test_salt_is_not_a_status),
        cmocka_unit_test(test_hostile_bytes),
        cmocka_unit_test(test_catalog_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
