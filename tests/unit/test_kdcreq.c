/* test_kdcreq.c
 * The KDC request body reader: options, etypes, additional tickets, hostile bytes.
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

#include "kd_encdata.h"
#include "kd_kdcreq.h"
#include "kd_testlib.h"

static GByteArray *
ticket(int etype, int kvno)
{
    static const guint8 c[] = { 1, 2, 3, 4 };
    GByteArray *ed = t_der_tlv(0x30, t_der_cat(t_der_cat(t_der_tlv(0xa0, t_der_int(etype)),
                                                         t_der_tlv(0xa1, t_der_int(kvno))),
                                               t_der_tlv(0xa2, t_der_bytes(0x04, c, sizeof c))));
    GByteArray *seq = t_der_tlv(0x30, t_der_cat(t_der_cat(t_der_tlv(0xa0, t_der_int(5)),
                                                          t_der_tlv(0xa1, t_der_bytes(0x1b, "R", 1))),
                                                t_der_tlv(0xa3, ed)));
    return t_der_tlv(0x61, seq);
}

/* TGS-REQ with options 0x40810010 | cname-in-addl-tkt (bit 14) | enc-tkt-in-skey (bit 28),
 * etypes 18, 17, 23 and two additional tickets. */
static GByteArray *
tgs_req(gboolean with_addl)
{
    const guint8 opts[] = { 0x00, 0x40, 0x82, 0x00, 0x18 };
    GByteArray *etypes = t_der_tlv(0x30, t_der_cat(t_der_cat(t_der_int(18), t_der_int(17)), t_der_int(23)));
    GByteArray *body = t_der_cat(t_der_tlv(0xa0, t_der_bytes(0x03, opts, sizeof opts)),
                                 t_der_tlv(0xa2, t_der_bytes(0x1b, "EXAMPLE.TEST", 12)));
    body = t_der_cat(body, t_der_tlv(0xa7, t_der_int(12345)));
    body = t_der_cat(body, t_der_tlv(0xa8, etypes));
    if (with_addl)
        body = t_der_cat(body, t_der_tlv(0xab, t_der_tlv(0x30, t_der_cat(ticket(23, 3), ticket(18, 5)))));
    GByteArray *req = t_der_cat(t_der_cat(t_der_tlv(0xa1, t_der_int(5)), t_der_tlv(0xa2, t_der_int(12))),
                                t_der_tlv(0xa4, t_der_tlv(0x30, body)));
    return t_der_tlv(0x6c, t_der_tlv(0x30, req));
}

static void
test_body(void **state)
{
    (void)state;
    GByteArray *m = tgs_req(TRUE);
    kd_kdcreq r;
    assert_true(kd_kdcreq_parse(m->data, m->len, &r));
    assert_true(r.opt_cname_in_addl_tkt);
    assert_true(r.opt_enc_tkt_in_skey);
    assert_int_equal(r.n_etypes, 3);
    assert_int_equal(r.etypes[0], 18);
    assert_int_equal(r.etypes[2], 23);
    assert_true(r.has_addl);
    assert_int_equal(r.n_addl, 2);
    assert_int_equal(m->data[r.addl_offset], 0x30);
    assert_true(r.addl_offset + r.addl_len <= m->len);
    kd_encdata e;
    assert_true(kd_encdata_in(r.addl[1].p, r.addl[1].len, 3, &e));
    assert_int_equal(e.etype, 18);
    assert_int_equal(e.kvno, 5);
    /* the SEQUENCE without its [APPLICATION 12] reads the same */
    GByteArray *m2 = tgs_req(FALSE);
    assert_true(kd_kdcreq_parse(m2->data + 2, m2->len - 2, &r));
    assert_false(r.has_addl);
    assert_int_equal(r.n_etypes, 3);
    g_byte_array_unref(m2);
    /* options too short to hold a bit */
    const guint8 short_opts[] = { 0x00, 0x40 };
    assert_false(kd_kdcreq_option(short_opts, sizeof short_opts, KDC_OPT_CNAME_IN_ADDL_TKT));
    assert_true(kd_kdcreq_option(short_opts, sizeof short_opts, 1));
    /* truncations never read past the end */
    for (guint n = 0; n < m->len; n++) {
        guint8 *copy = g_memdup2(m->data, n);
        assert_false(kd_kdcreq_parse(copy, n, &r));
        g_free(copy);
    }
    g_byte_array_unref(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
