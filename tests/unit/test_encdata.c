/* test_encdata.c
 * The EncryptedData reader: fields, the ciphertext's hash, tickets, hostile bytes.
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
#include "kd_testlib.h"

static const guint8 cipher[] = { 0x19, 0x00, 0xde, 0xed, 0xf3, 0x4e, 0x00, 0x25 };

/* EncryptedData { etype [0], kvno [1] (when >= 0), cipher [2] } */
static GByteArray *
encdata(int etype, int kvno)
{
    GByteArray *body = t_der_tlv(0xa0, t_der_int(etype));
    if (kvno >= 0)
        body = t_der_cat(body, t_der_tlv(0xa1, t_der_int(kvno)));
    body = t_der_cat(body, t_der_tlv(0xa2, t_der_bytes(0x04, cipher, sizeof cipher)));
    return t_der_tlv(0x30, body);
}

/* FNV-1a 64 over the bytes, a 64-bit word at a time and the rest byte by byte, as
 * the reader's hash is defined. */
static guint64
fnv(const guint8 *p, gsize n)
{
    guint64 h = G_GUINT64_CONSTANT(14695981039346656037);
    gsize i = 0;
    for (; i + 8 <= n; i += 8) {
        guint64 w = 0;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * G_GUINT64_CONSTANT(1099511628211);
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * G_GUINT64_CONSTANT(1099511628211);
    return h;
}

static void
test_fields(void **state)
{
    (void)state;
    GByteArray *e = encdata(18, 2);
    kd_encdata out;
    assert_true(kd_encdata_parse(e->data, e->len, &out));
    assert_true(out.has_etype);
    assert_int_equal(out.etype, 18);
    assert_true(out.has_kvno);
    assert_int_equal(out.kvno, 2);
    assert_non_null(out.cipher);
    assert_int_equal(out.cipher_len, sizeof cipher);
    assert_memory_equal(out.cipher, cipher, sizeof cipher);
    assert_true(kd_encdata_cipher_hash(&out, 256) == fnv(cipher, sizeof cipher));
    assert_true(kd_encdata_cipher_hash(&out, 4) == fnv(cipher, 4));
    assert_true(kd_encdata_cipher_hash(&out, 256) != kd_encdata_cipher_hash(&out, 4));
    g_byte_array_unref(e);

    e = encdata(23, -1);            /* kvno is optional */
    assert_true(kd_encdata_parse(e->data, e->len, &out));
    assert_int_equal(out.etype, 23);
    assert_false(out.has_kvno);
    assert_non_null(out.cipher);
    g_byte_array_unref(e);
}

static void
test_hostile(void **state)
{
    (void)state;
    kd_encdata out;
    assert_false(kd_encdata_parse(NULL, 0, &out));
    assert_int_equal(kd_encdata_cipher_hash(&out, 256), 0);
    const guint8 not_seq[] = { 0x04, 0x01, 0x00 };
    assert_false(kd_encdata_parse(not_seq, sizeof not_seq, &out));
    /* an empty ciphertext hashes to 0 (nothing to tell tickets apart by) */
    GByteArray *empty = t_der_tlv(0x30, t_der_cat(t_der_tlv(0xa0, t_der_int(18)),
                                                  t_der_tlv(0xa2, t_der_bytes(0x04, NULL, 0))));
    assert_true(kd_encdata_parse(empty->data, empty->len, &out));
    assert_int_equal(kd_encdata_cipher_hash(&out, 256), 0);
    g_byte_array_unref(empty);
    /* every truncation: refused, or read without the ciphertext; never past the end */
    GByteArray *e = encdata(18, 2);
    for (guint n = 0; n < e->len; n++) {
        guint8 *copy = g_memdup2(e->data, n);
        if (kd_encdata_parse(copy, n, &out))
            assert_null(out.cipher);
        g_free(copy);
    }
    /* a length that lies about the ciphertext */
    e->data[e->len - sizeof cipher - 1] = 0x7f;
    assert_true(kd_encdata_parse(e->data, e->len, &out));
    assert_int_equal(out.etype, 18);
    assert_null(out.cipher);
    g_byte_array_unref(e);
}

/* Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] } */
static void
test_ticket(void **state)
{
    (void)state;
    GByteArray *realm = t_der_tlv(0xa1, t_der_bytes(0x1b, "EXAMPLE.TEST", 12));
    GByteArray *seq = t_der_tlv(0x30, t_der_cat(t_der_cat(t_der_tlv(0xa0, t_der_int(5)), realm),
                                                t_der_tlv(0xa3, encdata(18, 7))));
    GByteArray *ticket = t_der_tlv(0x61, seq);
    kd_encdata out;
    assert_true(kd_encdata_in(ticket->data, ticket->len, 3, &out));
    assert_int_equal(out.etype, 18);
    assert_int_equal(out.kvno, 7);
    assert_int_equal(out.cipher_len, sizeof cipher);
    /* the SEQUENCE alone (how a dissector may place a ticket) reads the same */
    assert_true(kd_encdata_in(ticket->data + 2, ticket->len - 2, 3, &out));
    assert_int_equal(out.kvno, 7);
    /* a field that is not there */
    assert_false(kd_encdata_in(ticket->data, ticket->len, 6, &out));
    assert_false(out.has_etype);
    kd_der f;
    assert_true(kd_der_seq_field(ticket->data, ticket->len, 0, &f));
    gint64 v;
    assert_true(kd_der_int(f, &v));
    assert_int_equal(v, 5);
    assert_false(kd_der_seq_field(ticket->data, ticket->len, 31, &f));
    /* truncations never read past the end */
    for (guint n = 0; n < ticket->len; n++) {
        guint8 *copy = g_memdup2(ticket->data, n);
        assert_false(kd_encdata_in(copy, n, 3, &out));
        g_free(copy);
    }
    g_byte_array_unref(ticket);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_ticket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
