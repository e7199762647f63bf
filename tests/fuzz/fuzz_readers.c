/* fuzz_readers.c
 * Fuzz target: the bounded readers of a message's bytes: kd_krbmsg_parse(),
 * kd_krbmsg_locate() (the last byte as a msg-type's value) and
 * kd_krbmsg_ticket_parse(), kd_dnsmsg_parse(), kd_ldapentry_parse(),
 * kd_ntlmauth_parse(). The first byte picks the reader (its value modulo 4:
 * 1 Kerberos, 2 DNS, 3 LDAP, 0 NTLMSSP), the rest is the message. The rest is
 * also read as a frame (kd_ippkt.h): the addresses of an Ethernet frame's IPv4 or
 * IPv6 header in it are looked for, and a TCP segment and an ICMP unreachable read
 * from the packet found.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The message and its prefixes are read in exactly-sized copies (fuzz_prefixes.h);
 * every window a reader returns must lie inside the bytes it was given, every
 * count within its array, every DNS name within its buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kd_dnsmsg.h"
#include "kd_ippkt.h"
#include "kd_krbmsg.h"
#include "kd_ldapentry.h"
#include "kd_ntlmauth.h"
#include "fuzz_prefixes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static G_NORETURN void
fail(const char *what)
{
    fprintf(stderr, "fuzz_readers: %s\n", what);
    abort();
}

static void
inside(const guint8 *p, gsize n, const guint8 *buf, gsize len)
{
    if (n && (!p || p < buf || n > len || p > buf + len - n))
        fail("a window outside the input");
}

static void
name_inside(const kd_krbmsg_name *nm, const guint8 *buf, gsize len)
{
    if (nm->n > KD_KRBMSG_MAX_COMPONENTS)
        fail("too many name components");
    for (guint i = 0; i < nm->n; i++)
        inside(nm->part[i].p, nm->part[i].len, buf, len);
}

static void
ticket_inside(const kd_krbmsg_ticket *t, const guint8 *buf, gsize len)
{
    if (!t->present)
        return;
    inside(t->tlv.p, t->tlv.len, buf, len);
    if (t->has_realm)
        inside(t->realm.p, t->realm.len, buf, len);
    name_inside(&t->sname, buf, len);
}

static void
check_krb(const guint8 *buf, gsize len)
{
    kd_krbmsg m;
    memset(&m, 0xa5, sizeof m);
    if (kd_krbmsg_parse(buf, len, &m)) {
        name_inside(&m.cname, buf, len);
        name_inside(&m.sname, buf, len);
        if (m.has_realm)
            inside(m.realm.p, m.realm.len, buf, len);
        if (m.has_crealm)
            inside(m.crealm.p, m.crealm.len, buf, len);
        if (m.has_e_text)
            inside(m.e_text.p, m.e_text.len, buf, len);
        if (m.n_padata > KD_MAX_PADATA || m.n_etype_info > KD_MAX_ETYPES)
            fail("too many PA-DATA types or etypes");
        ticket_inside(&m.ticket, buf, len);
    }
    kd_krbmsg_ticket t;
    memset(&t, 0xa5, sizeof t);
    if (kd_krbmsg_ticket_parse(buf, len, &t))
        ticket_inside(&t, buf, len);
    /* The last byte as a msg-type's value: the message found starts far enough
     * before it, and nothing past the buffer is read (the allocation ends there). */
    gsize start, total;
    if (len > 0 && kd_krbmsg_locate(buf, len - 1, 1, &start, &total) &&
        (start + KD_KRBMSG_TYPE_MIN_OFFSET > len - 1 || start + KD_KRBMSG_TYPE_MAX_OFFSET < len - 1))
        fail("a message located outside its msg-type's reach");
}

static void
dns_name_ok(const char *name)
{
    if (!memchr(name, '\0', KD_DNSMSG_MAX_NAME + 1))
        fail("a DNS name without its end");
}

static void
check_dns(const guint8 *buf, gsize len)
{
    kd_dnsmsg d;
    memset(&d, 0xa5, sizeof d);
    if (!kd_dnsmsg_parse(buf, len, &d))
        return;
    if (d.n_rrs > KD_MAX_DNS_ANSWERS)
        fail("too many DNS records");
    for (guint i = 0; i < d.n_rrs; i++) {
        dns_name_ok(d.rrs[i].name);
        if (d.rrs[i].has_target)
            dns_name_ok(d.rrs[i].target);
        if (d.rrs[i].addr.len != 0 && d.rrs[i].addr.len != 4 && d.rrs[i].addr.len != 16)
            fail("an address of another length");
    }
}

static void
check_ldap(const guint8 *buf, gsize len)
{
    kd_ldapentry e;
    memset(&e, 0xa5, sizeof e);
    if (!kd_ldapentry_parse(buf, len, &e))
        return;
    if (!e.has_dn)
        fail("an entry without its DN");
    inside(e.dn.p, e.dn.len, buf, len);
    if (e.n_spns > KD_LDAPENTRY_MAX_SPNS)
        fail("too many SPNs");
    for (guint i = 0; i < e.n_spns; i++)
        inside(e.spns[i].p, e.spns[i].len, buf, len);
    if (e.has_sam_account_name)
        inside(e.sam_account_name.p, e.sam_account_name.len, buf, len);
}

static void
check_ntlm(const guint8 *buf, gsize len)
{
    kd_ntlmauth a;
    memset(&a, 0xa5, sizeof a);
    if (!kd_ntlmauth_parse(buf, len, &a))
        return;
    const kd_ntlm_str *s[3] = { &a.domain, &a.user, &a.target_name };
    for (guint i = 0; i < 3; i++)
        if (s[i]->present)
            inside(s[i]->p, s[i]->len, buf, len);
    if (a.target_name.present && !a.target_name.utf16)
        fail("MsvAvTargetName not UTF-16");
}

/* The addresses the frame reader looks for: taken from the whole input, used for
 * each of its prefixes. */
static kd_addr frame_src, frame_dst;

static void
check_ip(const guint8 *buf, gsize len)
{
    gsize ip_at = len ? buf[0] : 0;
    kd_ip_packet ip;
    if (!kd_ip_packet_find(buf, len, len, &frame_src, &frame_dst, &ip_at, &ip))
        return;
    if (ip_at >= len)
        fail("an IP header found outside the input");
    kd_tcp_segment seg;
    (void)kd_tcp_segment_read(buf, len, &ip, 88, 88, &seg);
    kd_addr kdc;
    if (kd_icmp_unreachable_read(buf, len, &ip, 88, &kdc) && kdc.len != 4)
        fail("an unreachable's destination not IPv4");
}

/* An Ethernet frame's addresses: IPv4 at bytes 26 and 30, IPv6 at 22 and 38
 * (the first byte after the link header says which). */
static void
frame_addresses(const guint8 *p, gsize len)
{
    frame_src.len = frame_dst.len = 0;
    if (len >= 54 && (p[14] >> 4) == 6) {
        frame_src.len = frame_dst.len = 16;
        memcpy(frame_src.bytes, p + 22, 16);
        memcpy(frame_dst.bytes, p + 38, 16);
    } else if (len >= 34) {
        frame_src.len = frame_dst.len = 4;
        memcpy(frame_src.bytes, p + 26, 4);
        memcpy(frame_dst.bytes, p + 30, 4);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static void (*const readers[4])(const guint8 *, gsize) = { check_ntlm, check_krb, check_dns, check_ldap };
    void (*check)(const guint8 *, gsize) = readers[data[0] % 4];
    kd_fuzz_prefixes(data + 1, size - 1, check);
    check(NULL, size - 1);
    frame_addresses(data + 1, size - 1);
    kd_fuzz_prefixes(data + 1, size - 1, check_ip);
    return 0;
}
