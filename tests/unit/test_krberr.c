/* test_krberr.c
 * The KRB-ERROR reader: error code, times, e-data, broken fields, hostile bytes.
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

#include "kd_krberr.h"
#include "kd_testlib.h"

static GByteArray *
krb_error(const char *stime, int code, gboolean with_edata)
{
    static const guint8 edata[] = { 0x30, 0x03, 0x02, 0x01, 0x07 };
    GByteArray *b = t_der_cat(t_der_tlv(0xa0, t_der_int(5)), t_der_tlv(0xa1, t_der_int(30)));
    b = t_der_cat(b, t_der_tlv(0xa2, t_der_bytes(0x18, "20261206213000Z", 15)));
    b = t_der_cat(b, t_der_tlv(0xa3, t_der_int(250)));
    b = t_der_cat(b, t_der_tlv(0xa4, t_der_bytes(0x18, stime, strlen(stime))));
    b = t_der_cat(b, t_der_tlv(0xa5, t_der_int(123456)));
    b = t_der_cat(b, t_der_tlv(0xa6, t_der_int(code)));
    b = t_der_cat(b, t_der_tlv(0xa9, t_der_bytes(0x1b, "EXAMPLE.TEST", 12)));
    if (with_edata)
        b = t_der_cat(b, t_der_tlv(0xac, t_der_bytes(0x04, edata, sizeof edata)));
    return t_der_tlv(0x7e, t_der_tlv(0x30, b));
}

static void
test_fields(void **state)
{
    (void)state;
    GByteArray *m = krb_error("20261206213005Z", 25, TRUE);
    kd_krberr e;
    assert_true(kd_krberr_parse(m->data, m->len, &e));
    assert_true(e.has_error_code);
    assert_int_equal(e.error_code, 25);
    assert_true(e.has_stime);
    assert_int_equal(e.stime, G_GINT64_CONSTANT(1796592605));     /* 2026-12-06 21:30:05 UTC */
    assert_true(e.has_susec);
    assert_int_equal(e.susec, 123456);
    assert_true(e.has_ctime);
    assert_int_equal(e.ctime, G_GINT64_CONSTANT(1796592600));
    assert_int_equal(e.cusec, 250);
    assert_non_null(e.edata);
    assert_int_equal(e.edata_len, 5);
    assert_int_equal(e.edata[0], 0x30);
    /* the SEQUENCE without [APPLICATION 30] reads the same */
    assert_true(kd_krberr_parse(m->data + 2, m->len - 2, &e));
    assert_int_equal(e.error_code, 25);
    g_byte_array_unref(m);
}

static void
test_hostile(void **state)
{
    (void)state;
    kd_krberr e;
    /* a time in another form is left out; the other fields stay */
    GByteArray *m = krb_error("2026120621300Z", 6, FALSE);
    assert_true(kd_krberr_parse(m->data, m->len, &e));
    assert_false(e.has_stime);
    assert_true(e.has_ctime);
    assert_int_equal(e.error_code, 6);
    assert_null(e.edata);
    /* truncations never read past the end */
    for (guint n = 0; n < m->len; n++) {
        guint8 *copy = g_memdup2(m->data, n);
        assert_false(kd_krberr_parse(copy, n, &e));
        g_free(copy);
    }
    g_byte_array_unref(m);
    assert_false(kd_krberr_parse(NULL, 0, &e));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
