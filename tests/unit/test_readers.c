/* test_readers.c
 * The bounded readers of Kerberos messages, DNS messages, LDAP entries and NTLMSSP
 * AUTHENTICATE messages, on messages taken from corpus captures (readers_bytes.h):
 * the values Wireshark shows for the same messages, every truncation, lengths
 * that lie, compression loops, over-long names and bytes that are not UTF-8.
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

#include "kd_dnsmsg.h"
#include "kd_krbmsg.h"
#include "kd_ldapentry.h"
#include "kd_ntlmauth.h"
#include "readers_bytes.h"

/* ------------------------------------------------------------------ helpers */

static void
assert_der_str(kd_der d, const char *want)
{
    gchar *got = g_strndup((const gchar *)d.p, d.len);
    assert_string_equal(got, want);
    g_free(got);
}

/* "krbtgt/EXAMPLE.TEST": the components joined with '/' */
static void
assert_name(const kd_krbmsg_name *n, const char *want)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < n->n; i++) {
        if (i)
            g_string_append_c(s, '/');
        g_string_append_len(s, (const gchar *)n->part[i].p, (gssize)n->part[i].len);
    }
    assert_string_equal(s->str, want);
    g_string_free(s, TRUE);
}

static void
assert_ints(const gint32 *got, guint n_got, const gint32 *want, guint n_want)
{
    assert_int_equal(n_got, n_want);
    for (guint i = 0; i < n_want; i++)
        assert_int_equal(got[i], want[i]);
}

/* A window returned by a reader lies inside the buffer it was given. */
static void
assert_inside(const guint8 *p, gsize len, const guint8 *buf, gsize n)
{
    if (len == 0)
        return;
    assert_non_null(p);
    assert_true(p >= buf && p + len <= buf + n);
}

static void
assert_name_inside(const kd_krbmsg_name *nm, const guint8 *buf, gsize n)
{
    assert_true(nm->n <= KD_KRBMSG_MAX_COMPONENTS);
    for (guint i = 0; i < nm->n; i++)
        assert_inside(nm->part[i].p, nm->part[i].len, buf, n);
}

/* An exactly-sized copy, so that a read past the end is one past the allocation. */
static guint8 *
copy_of(const guint8 *p, gsize n)
{
    return n ? g_memdup2(p, n) : NULL;
}

static guint8 *
patched(const guint8 *p, gsize n, gsize at, guint8 value)
{
    guint8 *c = g_memdup2(p, n);
    c[at] = value;
    return c;
}

static gsize
find(const guint8 *buf, gsize len, const char *what)
{
    const gsize wl = strlen(what);
    for (gsize i = 0; i + wl <= len; i++)
        if (memcmp(buf + i, what, wl) == 0)
            return i;
    fail_msg("\"%s\" not found", what);
    return 0;
}

/* ----------------------------------------------------------------- Kerberos */

static void
check_krbmsg_truncations(const guint8 *msg, gsize len)
{
    for (gsize n = 0; n < len; n++) {
        guint8 *c = copy_of(msg, n);
        kd_krbmsg m;
        (void)kd_krbmsg_parse(c, n, &m);
        assert_name_inside(&m.cname, c, n);
        assert_name_inside(&m.sname, c, n);
        if (m.has_realm)
            assert_inside(m.realm.p, m.realm.len, c, n);
        if (m.has_crealm)
            assert_inside(m.crealm.p, m.crealm.len, c, n);
        if (m.has_e_text)
            assert_inside(m.e_text.p, m.e_text.len, c, n);
        assert_true(m.n_padata <= KD_MAX_PADATA);
        assert_true(m.n_etype_info <= KD_MAX_ETYPES);
        if (m.ticket.present) {
            assert_inside(m.ticket.tlv.p, m.ticket.tlv.len, c, n);
            assert_name_inside(&m.ticket.sname, c, n);
        }
        g_free(c);
    }
}

/* tshark: msg_type 10, CNameString alice, SNameString krbtgt,EXAMPLE.TEST,
 * realm EXAMPLE.TEST, padata_type 150,149 */
static void
test_krb_as_req(void **state)
{
    (void)state;
    kd_krbmsg m;
    assert_true(kd_krbmsg_parse(krb_as_req, sizeof krb_as_req, &m));
    assert_int_equal(m.app_tag, 10);
    assert_true(m.has_msg_type);
    assert_int_equal(m.msg_type, 10);
    assert_name(&m.cname, "alice");
    assert_name(&m.sname, "krbtgt/EXAMPLE.TEST");
    assert_true(m.has_realm);
    assert_der_str(m.realm, "EXAMPLE.TEST");
    assert_false(m.has_crealm);
    assert_false(m.has_e_text);
    static const gint32 pa[] = { 150, 149 };
    assert_ints(m.padata, m.n_padata, pa, 2);
    assert_int_equal(m.n_etype_info, 0);
    assert_false(m.ticket.present);
    check_krbmsg_truncations(krb_as_req, sizeof krb_as_req);
}

/* tshark: msg_type 30, CNameString alice, SNameString krbtgt,EXAMPLE.TEST, realm and
 * crealm EXAMPLE.TEST, padata_type 136,19,2,133, etype (ETYPE-INFO2) 18, e_text
 * NEEDED_PREAUTH */
static void
test_krb_error(void **state)
{
    (void)state;
    kd_krbmsg m;
    assert_true(kd_krbmsg_parse(krb_error_preauth, sizeof krb_error_preauth, &m));
    assert_int_equal(m.app_tag, 30);
    assert_int_equal(m.msg_type, 30);
    assert_name(&m.cname, "alice");
    assert_name(&m.sname, "krbtgt/EXAMPLE.TEST");
    assert_true(m.has_realm);
    assert_der_str(m.realm, "EXAMPLE.TEST");
    assert_true(m.has_crealm);
    assert_der_str(m.crealm, "EXAMPLE.TEST");
    assert_true(m.has_e_text);
    assert_der_str(m.e_text, "NEEDED_PREAUTH");
    static const gint32 pa[] = { 136, 19, 2, 133 };
    assert_ints(m.padata, m.n_padata, pa, 4);
    static const gint32 et[] = { 18 };
    assert_ints(m.etype_info, m.n_etype_info, et, 1);
    assert_false(m.ticket.present);
    check_krbmsg_truncations(krb_error_preauth, sizeof krb_error_preauth);
}

/* tshark: msg_type 11, CNameString alice, crealm EXAMPLE.TEST, padata_type 19 (its
 * ETYPE-INFO2: 18), the ticket's realm EXAMPLE.TEST and SNameString krbtgt,EXAMPLE.TEST */
static void
test_krb_as_rep(void **state)
{
    (void)state;
    kd_krbmsg m;
    assert_true(kd_krbmsg_parse(krb_as_rep, sizeof krb_as_rep, &m));
    assert_int_equal(m.app_tag, 11);
    assert_int_equal(m.msg_type, 11);
    assert_name(&m.cname, "alice");
    assert_int_equal(m.sname.n, 0);
    assert_true(m.has_crealm);
    assert_der_str(m.crealm, "EXAMPLE.TEST");
    assert_false(m.has_realm);
    static const gint32 pa[] = { 19 };
    assert_ints(m.padata, m.n_padata, pa, 1);
    static const gint32 et[] = { 18 };
    assert_ints(m.etype_info, m.n_etype_info, et, 1);
    assert_true(m.ticket.present);
    assert_true(m.ticket.has_realm);
    assert_der_str(m.ticket.realm, "EXAMPLE.TEST");
    assert_name(&m.ticket.sname, "krbtgt/EXAMPLE.TEST");
    /* the ticket read on its own gives the same */
    assert_int_equal(m.ticket.tlv.p[0], 0x61);
    kd_krbmsg_ticket t;
    assert_true(kd_krbmsg_ticket_parse(m.ticket.tlv.p, m.ticket.tlv.len, &t));
    assert_true(t.present);
    assert_der_str(t.realm, "EXAMPLE.TEST");
    assert_name(&t.sname, "krbtgt/EXAMPLE.TEST");
    for (gsize n = 0; n < m.ticket.tlv.len; n++) {
        guint8 *c = copy_of(m.ticket.tlv.p, n);
        kd_krbmsg_ticket part;
        if (kd_krbmsg_ticket_parse(c, n, &part)) {
            if (part.has_realm)
                assert_inside(part.realm.p, part.realm.len, c, n);
            assert_name_inside(&part.sname, c, n);
        }
        g_free(c);
    }
    /* not a ticket: the AS-REP itself */
    assert_false(kd_krbmsg_ticket_parse(krb_as_rep, sizeof krb_as_rep, &t));
    check_krbmsg_truncations(krb_as_rep, sizeof krb_as_rep);
}

/* tshark: msg_type 12 (and 14 in its PA-TGS-REQ), SNameString HTTP,web01.example.test
 * in the body and krbtgt,EXAMPLE.TEST in the TGT, realm EXAMPLE.TEST, padata_type 1,136 */
static void
test_krb_tgs_req(void **state)
{
    (void)state;
    kd_krbmsg m;
    assert_true(kd_krbmsg_parse(krb_tgs_req, sizeof krb_tgs_req, &m));
    assert_int_equal(m.app_tag, 12);
    assert_int_equal(m.msg_type, 12);
    assert_int_equal(m.cname.n, 0);
    assert_name(&m.sname, "HTTP/web01.example.test");
    assert_true(m.has_realm);
    assert_der_str(m.realm, "EXAMPLE.TEST");
    static const gint32 pa[] = { 1, 136 };
    assert_ints(m.padata, m.n_padata, pa, 2);
    /* the TGT inside PA-TGS-REQ's AP-REQ */
    assert_true(m.ticket.present);
    assert_der_str(m.ticket.realm, "EXAMPLE.TEST");
    assert_name(&m.ticket.sname, "krbtgt/EXAMPLE.TEST");
    check_krbmsg_truncations(krb_tgs_req, sizeof krb_tgs_req);
}

/* tshark: msg_type 13, CNameString alice, crealm EXAMPLE.TEST, padata_type 136, the
 * ticket's SNameString HTTP,web01.example.test */
static void
test_krb_tgs_rep(void **state)
{
    (void)state;
    kd_krbmsg m;
    assert_true(kd_krbmsg_parse(krb_tgs_rep, sizeof krb_tgs_rep, &m));
    assert_int_equal(m.app_tag, 13);
    assert_int_equal(m.msg_type, 13);
    assert_name(&m.cname, "alice");
    assert_der_str(m.crealm, "EXAMPLE.TEST");
    static const gint32 pa[] = { 136 };
    assert_ints(m.padata, m.n_padata, pa, 1);
    assert_int_equal(m.n_etype_info, 0);
    assert_true(m.ticket.present);
    assert_der_str(m.ticket.realm, "EXAMPLE.TEST");
    assert_name(&m.ticket.sname, "HTTP/web01.example.test");
    check_krbmsg_truncations(krb_tgs_rep, sizeof krb_tgs_rep);
}

/* tshark (HTTP Negotiate token): msg_type 14, realm EXAMPLE.TEST, SNameString
 * HTTP,web01.example.test (the ticket's) */
static void
test_krb_ap_req(void **state)
{
    (void)state;
    kd_krbmsg m;
    assert_true(kd_krbmsg_parse(krb_ap_req, sizeof krb_ap_req, &m));
    assert_int_equal(m.app_tag, 14);
    assert_int_equal(m.msg_type, 14);
    assert_int_equal(m.cname.n, 0);
    assert_int_equal(m.sname.n, 0);
    assert_true(m.ticket.present);
    assert_der_str(m.ticket.realm, "EXAMPLE.TEST");
    assert_name(&m.ticket.sname, "HTTP/web01.example.test");
    check_krbmsg_truncations(krb_ap_req, sizeof krb_ap_req);
}

/* tshark: msg_type 10 (14 in the armor), padata_type 136, CNameString alice, realm
 * EXAMPLE.TEST, SNameString krbtgt,EXAMPLE.TEST (the body's and the armor ticket's) */
static void
test_krb_fast_armor(void **state)
{
    (void)state;
    kd_krbmsg m;
    assert_true(kd_krbmsg_parse(krb_as_req_fast, sizeof krb_as_req_fast, &m));
    assert_int_equal(m.app_tag, 10);
    assert_int_equal(m.msg_type, 10);
    static const gint32 pa[] = { 136 };
    assert_ints(m.padata, m.n_padata, pa, 1);
    assert_name(&m.cname, "alice");
    assert_name(&m.sname, "krbtgt/EXAMPLE.TEST");
    assert_der_str(m.realm, "EXAMPLE.TEST");
    /* the FAST armor's ticket */
    assert_true(m.ticket.present);
    assert_der_str(m.ticket.realm, "EXAMPLE.TEST");
    assert_name(&m.ticket.sname, "krbtgt/EXAMPLE.TEST");
    assert_true(m.ticket.tlv.p > krb_as_req_fast && m.ticket.tlv.p[0] == 0x61);
    check_krbmsg_truncations(krb_as_req_fast, sizeof krb_as_req_fast);
}

/* tshark: msg_type 12, padata_type 1,136,130,129, SNameString krbtgt,EXAMPLE.TEST (the
 * TGT) and HTTP,web.example.test, PA-FOR-USER { name alice, realm EXAMPLE.TEST } */
static void
test_krb_s4u_for_user(void **state)
{
    (void)state;
    kd_krbmsg m;
    const gsize n = sizeof krb_tgs_req_s4u;
    assert_true(kd_krbmsg_parse(krb_tgs_req_s4u, n, &m));
    assert_int_equal(m.app_tag, 12);
    static const gint32 pa[] = { 1, 136, 130, 129 };
    assert_ints(m.padata, m.n_padata, pa, 4);
    assert_name(&m.sname, "HTTP/web.example.test");
    assert_der_str(m.realm, "EXAMPLE.TEST");
    assert_name(&m.ticket.sname, "krbtgt/EXAMPLE.TEST");
    /* the realm is PA-FOR-USER's (the user's), read before the body's: marked here */
    /* (PA-S4U-X509-USER names alice in EXAMPLE.TEST first: PA-FOR-USER's value is
     * the SEQUENCE 30 4e a0 12 after it) */
    gsize at = find(krb_tgs_req_s4u, n, "\x30\x4e\xa0\x12");
    at += find(krb_tgs_req_s4u + at, n - at, "EXAMPLE.TEST");
    guint8 *c = patched(krb_tgs_req_s4u, n, at, 'F');
    assert_true(kd_krbmsg_parse(c, n, &m));
    assert_der_str(m.realm, "FXAMPLE.TEST");
    g_free(c);
    check_krbmsg_truncations(krb_tgs_req_s4u, n);
}

static void
test_krb_hostile(void **state)
{
    (void)state;
    kd_krbmsg m;
    const gsize n = sizeof krb_as_req;
    /* [APPLICATION 10] 81 b6: an outer length past the end */
    guint8 *c = patched(krb_as_req, n, 2, 0xff);
    assert_false(kd_krbmsg_parse(c, n, &m));
    g_free(c);
    /* the SEQUENCE inside longer than its [APPLICATION] */
    c = patched(krb_as_req, n, 5, 0xb7);
    assert_false(kd_krbmsg_parse(c, n, &m));
    assert_int_equal(m.cname.n, 0);
    g_free(c);
    /* "EXAMPLE.TEST" of the realm [2] announced 0x7f long: the realm is absent, no
     * read past the end */
    gsize at = find(krb_as_req, n, "EXAMPLE.TEST");
    c = patched(krb_as_req, n, at - 1, 0x7f);
    (void)kd_krbmsg_parse(c, n, &m);
    assert_false(m.has_realm && m.realm.len == 0x7f);
    g_free(c);
    /* not UTF-8: the bytes as sent */
    at = find(krb_as_req, n, "alice");
    c = patched(krb_as_req, n, at, 0xff);
    assert_true(kd_krbmsg_parse(c, n, &m));
    assert_int_equal(m.cname.n, 1);
    assert_int_equal(m.cname.part[0].len, 5);
    assert_memory_equal(m.cname.part[0].p, "\xff" "lice", 5);
    g_free(c);
    /* not a Kerberos message */
    assert_false(kd_krbmsg_parse(dns_cname_a, sizeof dns_cname_a, &m));
    assert_false(kd_krbmsg_parse(NULL, 0, &m));
}

/* ------------------------------------------------- a message from its msg-type */

/* Where the value of msg-type sits in a message: after pvno's INTEGER 5 and
 * msg-type's own headers ("02 01 05 a? 03 02 01 <type>"), found by those bytes and
 * not by the reader under test. */
static gsize
msg_type_value_at(const guint8 *msg, gsize len, guint8 type)
{
    static const guint8 before[] = { 0x02, 0x01, 0x05 };
    for (gsize i = 0; i + 8 <= len; i++) {
        if (memcmp(msg + i, before, sizeof before) == 0 && (msg[i + 3] & 0xf0) == 0xa0 && msg[i + 4] == 0x03 &&
            msg[i + 5] == 0x02 && msg[i + 6] == 0x01 && msg[i + 7] == type)
            return i + 7;
    }
    fail_msg("no msg-type %u", type);
    return 0;
}

/* The message behind 11 bytes of something else (a record mark, a GSS header; here
 * bytes that look like an AP-REQ's tag): found where it starts, whole. One byte
 * off, the value is no message's msg-type. Every shorter buffer ending at the value
 * holds what the reader reads (a read past it is one past the allocation). */
static void
check_located(const guint8 *msg, gsize len, guint8 type)
{
    const gsize lead = 11;
    guint8 *buf = g_malloc(lead + len);
    memset(buf, 0x6e, lead);
    memcpy(buf + lead, msg, len);
    const gsize at = lead + msg_type_value_at(msg, len, type);
    gsize start = 0, total = 0;
    guint8 *exact = copy_of(buf, at + 1);
    assert_true(kd_krbmsg_locate(exact, at, 1, &start, &total));
    assert_int_equal(start, lead);
    assert_int_equal(total, len);
    g_free(exact);
    assert_false(kd_krbmsg_locate(buf, at + 1, 1, &start, &total));
    assert_false(kd_krbmsg_locate(buf, at - 1, 1, &start, &total));
    /* the value is one byte: two would end past it */
    assert_false(kd_krbmsg_locate(buf, at, 2, &start, &total));
    g_free(buf);
}

static void
test_krb_locate(void **state)
{
    (void)state;
    check_located(krb_as_req, sizeof krb_as_req, 10);
    check_located(krb_as_rep, sizeof krb_as_rep, 11);
    check_located(krb_tgs_req, sizeof krb_tgs_req, 12);
    check_located(krb_tgs_rep, sizeof krb_tgs_rep, 13);
    check_located(krb_ap_req, sizeof krb_ap_req, 14);
    check_located(krb_error_preauth, sizeof krb_error_preauth, 30);

    /* The AP-REQ in a TGS-REQ's PA-TGS-REQ: its own msg-type leads to it, not to the
     * TGS-REQ around it. */
    gsize start = 0, total = 0;
    const gsize inner = msg_type_value_at(krb_tgs_req, sizeof krb_tgs_req, 14);
    assert_true(kd_krbmsg_locate(krb_tgs_req, inner, 1, &start, &total));
    assert_true(start > 0 && start + total <= sizeof krb_tgs_req);
    kd_krbmsg m;
    assert_true(kd_krbmsg_parse(krb_tgs_req + start, total, &m));
    assert_int_equal(m.app_tag, 14);

    /* A user-to-user token (KERB-TGT-REQUEST): pvno and msg-type 16 in a SEQUENCE
     * with no [APPLICATION n] around it, behind its GSS header (the user-to-user
     * mechanism's OID 1.2.840.113554.1.2.2.3, TOK_ID 04 00). Nor does an
     * [APPLICATION n] that is no message Wireshark decodes (a Ticket's, 1) count. */
    static const guint8 tgt_request[] = { 0x60, 0x1a, 0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01,
                                          0x02, 0x02, 0x03, 0x04, 0x00, 0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01,
                                          0x05, 0xa1, 0x03, 0x02, 0x01, 0x10 };
    assert_false(kd_krbmsg_locate(tgt_request, sizeof tgt_request - 1, 1, &start, &total));
    static const guint8 not_message[] = { 0x61, 0x0e, 0x30, 0x0c, 0xa0, 0x03, 0x02, 0x01, 0x05,
                                          0xa1, 0x03, 0x02, 0x01, 0x0e };
    assert_false(kd_krbmsg_locate(not_message, sizeof not_message - 1, 1, &start, &total));
    /* The same bytes as an AP-REQ ([APPLICATION 14]) are one, even when its length
     * runs past what the buffer holds (the caller checks the bytes exist). */
    guint8 *c = patched(not_message, sizeof not_message, 0, 0x6e);
    c[1] = 0x7f;
    assert_true(kd_krbmsg_locate(c, sizeof not_message - 1, 1, &start, &total));
    assert_int_equal(start, 0);
    assert_int_equal(total, 0x81);
    g_free(c);

    /* Too close to the buffer's start for any message; nothing to read. */
    assert_false(kd_krbmsg_locate(krb_as_req, KD_KRBMSG_TYPE_MIN_OFFSET - 1, 1, &start, &total));
    assert_false(kd_krbmsg_locate(NULL, 20, 1, &start, &total));
    /* Every position of every byte: whatever is found reads as that message. */
    for (gsize at = 0; at < sizeof krb_tgs_req; at++) {
        guint8 *e = copy_of(krb_tgs_req, at + 1);
        if (kd_krbmsg_locate(e, at, 1, &start, &total)) {
            assert_true(start + KD_KRBMSG_TYPE_MIN_OFFSET <= at);
            assert_true(at == msg_type_value_at(krb_tgs_req, sizeof krb_tgs_req, 12) || at == inner);
        }
        g_free(e);
    }
}

/* ---------------------------------------------------------------------- DNS */

static void
check_dns_truncations(const guint8 *msg, gsize len)
{
    for (gsize n = 0; n < len; n++) {
        guint8 *c = copy_of(msg, n);
        kd_dnsmsg d;
        gboolean ok = kd_dnsmsg_parse(c, n, &d);
        if (n < 12)
            assert_false(ok);
        if (ok) {
            assert_true(d.n_rrs <= KD_MAX_DNS_ANSWERS);
            for (guint i = 0; i < d.n_rrs; i++) {
                assert_true(strlen(d.rrs[i].name) <= KD_DNSMSG_MAX_NAME);
                assert_true(strlen(d.rrs[i].target) <= KD_DNSMSG_MAX_NAME);
            }
        }
        g_free(c);
    }
}

/* tshark: dns.resp.name alias.example.test,web01.example.test, dns.resp.type 5,1,
 * dns.cname web01.example.test, dns.a 10.88.0.20 */
static void
test_dns_cname_a(void **state)
{
    (void)state;
    kd_dnsmsg d;
    assert_true(kd_dnsmsg_parse(dns_cname_a, sizeof dns_cname_a, &d));
    assert_true(d.is_response);
    assert_int_equal(d.n_rrs, 2);
    assert_string_equal(d.rrs[0].name, "alias.example.test");
    assert_int_equal(d.rrs[0].type, KD_DNS_RR_CNAME);
    assert_true(d.rrs[0].has_target);
    assert_string_equal(d.rrs[0].target, "web01.example.test");
    assert_int_equal(d.rrs[0].addr.len, 0);
    assert_string_equal(d.rrs[1].name, "web01.example.test");
    assert_int_equal(d.rrs[1].type, 1);
    assert_false(d.rrs[1].has_target);
    assert_int_equal(d.rrs[1].addr.len, 4);
    static const guint8 a[4] = { 10, 88, 0, 20 };
    assert_memory_equal(d.rrs[1].addr.bytes, a, 4);
    check_dns_truncations(dns_cname_a, sizeof dns_cname_a);
}

/* tshark: dns.resp.name 20.0.88.10.in-addr.arpa, type 12, dns.ptr.domain_name
 * web01.example.test */
static void
test_dns_ptr(void **state)
{
    (void)state;
    kd_dnsmsg d;
    assert_true(kd_dnsmsg_parse(dns_ptr, sizeof dns_ptr, &d));
    assert_true(d.is_response);
    assert_int_equal(d.n_rrs, 1);
    assert_string_equal(d.rrs[0].name, "20.0.88.10.in-addr.arpa");
    assert_int_equal(d.rrs[0].type, KD_DNS_RR_PTR);
    assert_true(d.rrs[0].has_target);
    assert_string_equal(d.rrs[0].target, "web01.example.test");
    check_dns_truncations(dns_ptr, sizeof dns_ptr);
}

/* tshark: dns.resp.name dc.ad.example.test,ad.example.test, dns.resp.type 1,6 (the
 * SOA in the authority section), dns.a 10.88.0.2 */
static void
test_dns_authority(void **state)
{
    (void)state;
    kd_dnsmsg d;
    assert_true(kd_dnsmsg_parse(dns_a_soa, sizeof dns_a_soa, &d));
    assert_true(d.is_response);
    assert_int_equal(d.n_rrs, 2);
    assert_string_equal(d.rrs[0].name, "dc.ad.example.test");
    assert_int_equal(d.rrs[0].addr.len, 4);
    static const guint8 a[4] = { 10, 88, 0, 2 };
    assert_memory_equal(d.rrs[0].addr.bytes, a, 4);
    assert_string_equal(d.rrs[1].name, "ad.example.test");
    assert_int_equal(d.rrs[1].type, 6);
    assert_false(d.rrs[1].has_target);
    assert_int_equal(d.rrs[1].addr.len, 0);
    check_dns_truncations(dns_a_soa, sizeof dns_a_soa);
}

/* A response header with no question and `an` answers. */
static GByteArray *
dns_header(guint an)
{
    const guint8 h[12] = { 0x12, 0x34, 0x81, 0x80, 0, 0, 0, (guint8)an, 0, 0, 0, 0 };
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, h, sizeof h);
    return b;
}

/* type A, class IN, TTL 0, rdlength 4, 192.0.2.1 */
static void
dns_append_a_rdata(GByteArray *b)
{
    const guint8 r[14] = { 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1 };
    g_byte_array_append(b, r, sizeof r);
}

static gboolean
dns_parse_bytes(GByteArray *b, kd_dnsmsg *d)
{
    guint8 *c = copy_of(b->data, b->len);
    gboolean ok = kd_dnsmsg_parse(c, b->len, d);
    g_free(c);
    return ok;
}

/* `jumps` compression pointers, each to the next, then the name "a" */
static GByteArray *
dns_pointer_chain(guint jumps)
{
    GByteArray *b = dns_header(1);
    const guint start = 12 + 2 + 14;            /* after the answer record */
    /* answer: a pointer to the first link, then the A record's fixed part */
    guint8 ptr[2] = { 0xc0 | (guint8)(start >> 8), (guint8)(start & 0xff) };
    g_byte_array_append(b, ptr, 2);
    dns_append_a_rdata(b);
    /* padding so that `start` is where the chain begins */
    while (b->len < start)
        g_byte_array_append(b, (const guint8 *)"\0", 1);
    for (guint i = 1; i < jumps; i++) {
        const guint next = b->len + 2;
        guint8 p[2] = { 0xc0 | (guint8)(next >> 8), (guint8)(next & 0xff) };
        g_byte_array_append(b, p, 2);
    }
    g_byte_array_append(b, (const guint8 *)"\001a\0", 3);
    return b;
}

static void
test_dns_hostile(void **state)
{
    (void)state;
    kd_dnsmsg d;
    /* the A record's rdlength past the end: the CNAME before it stays */
    const gsize n = sizeof dns_cname_a;
    guint8 *c = patched(dns_cname_a, n, n - 6, 0x01);
    assert_true(kd_dnsmsg_parse(c, n, &d));
    assert_int_equal(d.n_rrs, 1);
    assert_string_equal(d.rrs[0].target, "web01.example.test");
    g_free(c);

    /* a pointer to itself */
    GByteArray *b = dns_header(1);
    g_byte_array_append(b, (const guint8 *)"\xc0\x0c", 2);
    dns_append_a_rdata(b);
    assert_true(dns_parse_bytes(b, &d));
    assert_int_equal(d.n_rrs, 0);
    g_byte_array_unref(b);

    /* a chain within the jump limit is followed ... */
    b = dns_pointer_chain(KD_DNSMSG_MAX_JUMPS);
    assert_true(dns_parse_bytes(b, &d));
    assert_int_equal(d.n_rrs, 1);
    assert_string_equal(d.rrs[0].name, "a");
    assert_int_equal(d.rrs[0].addr.len, 4);
    g_byte_array_unref(b);
    /* ... one longer is not */
    b = dns_pointer_chain(KD_DNSMSG_MAX_JUMPS + 1);
    assert_true(dns_parse_bytes(b, &d));
    assert_int_equal(d.n_rrs, 0);
    g_byte_array_unref(b);

    /* a name of 5 labels of 63 bytes (319 characters) is refused, one of 3 kept */
    for (guint labels = 3; labels <= 5; labels += 2) {
        b = dns_header(1);
        guint8 label[64];
        label[0] = 63;
        memset(label + 1, 'x', 63);
        for (guint i = 0; i < labels; i++)
            g_byte_array_append(b, label, sizeof label);
        g_byte_array_append(b, (const guint8 *)"\0", 1);
        dns_append_a_rdata(b);
        assert_true(dns_parse_bytes(b, &d));
        if (labels == 3) {
            assert_int_equal(d.n_rrs, 1);
            assert_int_equal(strlen(d.rrs[0].name), 3 * 63 + 2);
        } else {
            assert_int_equal(d.n_rrs, 0);
        }
        g_byte_array_unref(b);
    }

    /* the root as owner, and label bytes that are not UTF-8, copied as sent */
    b = dns_header(2);
    g_byte_array_append(b, (const guint8 *)"\0", 1);
    dns_append_a_rdata(b);
    g_byte_array_append(b, (const guint8 *)"\002\xff\xfe\004test\0", 9);
    dns_append_a_rdata(b);
    assert_true(dns_parse_bytes(b, &d));
    assert_int_equal(d.n_rrs, 2);
    assert_string_equal(d.rrs[0].name, "<Root>");
    assert_string_equal(d.rrs[1].name, "\xff\xfe.test");
    g_byte_array_unref(b);

    /* a query: QR clear */
    c = patched(dns_cname_a, n, 2, 0x01);
    assert_true(kd_dnsmsg_parse(c, n, &d));
    assert_false(d.is_response);
    g_free(c);
}

/* --------------------------------------------------------------------- LDAP */

static void
check_ldap_truncations(const guint8 *msg, gsize len)
{
    for (gsize n = 0; n < len; n++) {
        guint8 *c = copy_of(msg, n);
        kd_ldapentry e;
        if (kd_ldapentry_parse(c, n, &e)) {
            if (e.has_dn)
                assert_inside(e.dn.p, e.dn.len, c, n);
            assert_true(e.n_spns <= KD_LDAPENTRY_MAX_SPNS);
            for (guint i = 0; i < e.n_spns; i++)
                assert_inside(e.spns[i].p, e.spns[i].len, c, n);
            if (e.has_sam_account_name)
                assert_inside(e.sam_account_name.p, e.sam_account_name.len, c, n);
        }
        g_free(c);
    }
}

/* tshark: ldap.objectName CN=svc_app,CN=Users,DC=ad,DC=example,DC=test, ldap.type
 * sAMAccountName,servicePrincipalName, values svc_app, HTTP/app.ad.example.test */
static void
assert_svc_app(const kd_ldapentry *e)
{
    assert_true(e->has_dn);
    assert_der_str(e->dn, "CN=svc_app,CN=Users,DC=ad,DC=example,DC=test");
    assert_int_equal(e->n_spns, 1);
    assert_der_str(e->spns[0], "HTTP/app.ad.example.test");
    assert_true(e->has_sam_account_name);
    assert_der_str(e->sam_account_name, "svc_app");
}

static void
test_ldap_entry(void **state)
{
    (void)state;
    kd_ldapentry e;
    const gsize n = sizeof ldap_entry_svc_app;
    assert_int_equal(ldap_entry_svc_app[0], 0x64);
    assert_true(kd_ldapentry_parse(ldap_entry_svc_app, n, &e));
    assert_svc_app(&e);
    /* from objectName on (64 81 81 skipped) */
    assert_int_equal(ldap_entry_svc_app[3], 0x04);
    assert_true(kd_ldapentry_parse(ldap_entry_svc_app + 3, n - 3, &e));
    assert_svc_app(&e);
    check_ldap_truncations(ldap_entry_svc_app, n);
    check_ldap_truncations(ldap_entry_svc_app + 3, n - 3);
}

static void
test_ldap_hostile(void **state)
{
    (void)state;
    kd_ldapentry e;
    const gsize n = sizeof ldap_entry_svc_app;
    /* the DN's length (04 2c) made 4 length bytes ("CN=s"): far past the end */
    guint8 *c = patched(ldap_entry_svc_app, n, 4, 0x84);
    assert_false(kd_ldapentry_parse(c, n, &e));
    assert_false(e.has_dn);
    assert_false(kd_ldapentry_parse(c + 3, n - 3, &e));
    g_free(c);
    /* the SPN value's length past its SET: that value is not taken */
    gsize at = find(ldap_entry_svc_app, n, "HTTP/app");
    c = patched(ldap_entry_svc_app, n, at - 1, 0x7f);
    assert_true(kd_ldapentry_parse(c, n, &e));
    assert_int_equal(e.n_spns, 0);
    assert_true(e.has_sam_account_name);
    g_free(c);
    /* not UTF-8: the bytes as sent */
    at = find(ldap_entry_svc_app, n, "svc_app");
    c = patched(ldap_entry_svc_app, n, at, 0xc3);
    assert_true(kd_ldapentry_parse(c, n, &e));
    assert_true(e.has_dn);
    assert_memory_equal(e.dn.p + 3, "\xc3" "vc_app", 7);
    g_free(c);
    /* not an entry */
    assert_false(kd_ldapentry_parse(krb_as_req, sizeof krb_as_req, &e));
    assert_false(kd_ldapentry_parse(NULL, 0, &e));
}

/* --------------------------------------------------------------------- NTLM */

/* The UTF-16LE text of an ASCII string. */
static void
assert_ntlm_str(const kd_ntlm_str *s, gboolean utf16, const char *want)
{
    assert_true(s->present);
    assert_int_equal(s->utf16, utf16);
    GString *got = g_string_new(NULL);
    for (gsize i = 0; i < s->len; i += utf16 ? 2 : 1) {
        if (utf16) {
            assert_true(i + 1 < s->len);
            assert_int_equal(s->p[i + 1], 0);
        }
        g_string_append_c(got, (gchar)s->p[i]);
    }
    assert_string_equal(got->str, want);
    g_string_free(got, TRUE);
}

static void
check_ntlm_truncations(const guint8 *msg, gsize len)
{
    for (gsize n = 0; n < len; n++) {
        guint8 *c = copy_of(msg, n);
        kd_ntlmauth a;
        if (kd_ntlmauth_parse(c, n, &a)) {
            const kd_ntlm_str *s[3] = { &a.domain, &a.user, &a.target_name };
            for (guint i = 0; i < 3; i++)
                if (s[i]->present)
                    assert_inside(s[i]->p, s[i]->len, c, n);
        }
        g_free(c);
    }
}

/* tshark: ntlmssp.auth.username alice, domain EXAMPLE, ntlmv2_response.target_name
 * HTTP/intranet.example.test */
static void
test_ntlm_http(void **state)
{
    (void)state;
    kd_ntlmauth a;
    assert_true(kd_ntlmauth_parse(ntlm_auth_http, sizeof ntlm_auth_http, &a));
    assert_ntlm_str(&a.domain, TRUE, "EXAMPLE");
    assert_ntlm_str(&a.user, TRUE, "alice");
    assert_ntlm_str(&a.target_name, TRUE, "HTTP/intranet.example.test");
    check_ntlm_truncations(ntlm_auth_http, sizeof ntlm_auth_http);
}

/* tshark: ntlmssp.auth.username alice, domain ADEX, target_name cifs/10.88.0.2 */
static void
test_ntlm_smb(void **state)
{
    (void)state;
    kd_ntlmauth a;
    assert_true(kd_ntlmauth_parse(ntlm_auth_smb, sizeof ntlm_auth_smb, &a));
    assert_ntlm_str(&a.domain, TRUE, "ADEX");
    assert_ntlm_str(&a.user, TRUE, "alice");
    assert_ntlm_str(&a.target_name, TRUE, "cifs/10.88.0.2");
    check_ntlm_truncations(ntlm_auth_smb, sizeof ntlm_auth_smb);
}

static void
test_ntlm_hostile(void **state)
{
    (void)state;
    kd_ntlmauth a;
    const gsize n = sizeof ntlm_auth_http;
    /* the domain's BufferOffset (bytes 32..35) past the end: the user stays */
    guint8 *c = patched(ntlm_auth_http, n, 35, 0x7f);
    assert_true(kd_ntlmauth_parse(c, n, &a));
    assert_false(a.domain.present);
    assert_ntlm_str(&a.user, TRUE, "alice");
    g_free(c);
    /* the user's Len (bytes 36..37) reaching past the end */
    c = patched(ntlm_auth_http, n, 37, 0xff);
    assert_true(kd_ntlmauth_parse(c, n, &a));
    assert_false(a.user.present);
    assert_ntlm_str(&a.domain, TRUE, "EXAMPLE");
    g_free(c);
    /* the NT response's offset (bytes 24..27) past the end: no target name */
    c = patched(ntlm_auth_http, n, 27, 0x7f);
    assert_true(kd_ntlmauth_parse(c, n, &a));
    assert_false(a.target_name.present);
    g_free(c);
    /* without NTLMSSP_NEGOTIATE_UNICODE (flags at 60, bit 0) the names are OEM */
    c = patched(ntlm_auth_http, n, 60, ntlm_auth_http[60] & 0xfe);
    assert_true(kd_ntlmauth_parse(c, n, &a));
    assert_true(a.user.present);
    assert_false(a.user.utf16);
    assert_int_equal(a.user.len, 10);
    assert_true(a.target_name.utf16);
    g_free(c);
    /* another message type, another signature */
    c = patched(ntlm_auth_http, n, 8, 2);
    assert_false(kd_ntlmauth_parse(c, n, &a));
    g_free(c);
    c = patched(ntlm_auth_http, n, 0, 'n');
    assert_false(kd_ntlmauth_parse(c, n, &a));
    g_free(c);
    assert_false(kd_ntlmauth_parse(NULL, 0, &a));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_krb_as_req),
        cmocka_unit_test(test_krb_error),
        cmocka_unit_test(test_krb_as_rep),
        cmocka_unit_test(test_krb_tgs_req),
        cmocka_unit_test(test_krb_tgs_rep),
        cmocka_unit_test(test_krb_ap_req),
        cmocka_unit_test(test_krb_fast_armor),
        cmocka_unit_test(test_krb_s4u_for_user),
        cmocka_unit_test(test_krb_hostile),
        cmocka_unit_test(test_krb_locate),
        cmocka_unit_test(test_dns_cname_a),
        cmocka_unit_test(test_dns_ptr),
        cmocka_unit_test(test_dns_authority),
        cmocka_unit_test(test_dns_hostile),
        cmocka_unit_test(test_ldap_entry),
        cmocka_unit_test(test_ldap_hostile),
        cmocka_unit_test(test_ntlm_http),
        cmocka_unit_test(test_ntlm_smb),
        cmocka_unit_test(test_ntlm_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
