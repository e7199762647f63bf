/* fuzz_engine.c
 * Fuzz target: the engine's observation input.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The fuzz bytes are read as a program: an engine configuration, then frames,
 * each with up to KD_MAX_OBS_PER_FEED observations of any kind. Addresses,
 * ports, principals and host names are mostly drawn from small pools so that
 * observations correlate (requests meet their errors, CNAMEs meet SPNs), and
 * otherwise made of raw fuzz bytes: strings that are not UTF-8, empty, huge,
 * full of separators; numbers at their extremes. Every string lives in its own
 * heap block that is freed right after the kd_engine_feed() call that saw it,
 * so an engine keeping a borrowed pointer shows up as a use-after-free.
 *
 * Bit 0x80 of the first byte sets the fields the plugin fills from Wireshark's
 * Kerberos decryption and from the message bytes: a keytab of the service's keys in
 * the configuration (one of four, by bits 0x20 and 0x40), and on every ticket its
 * ciphertext hash and Wireshark's decryption verdict, on every Kerberos message its
 * digest and length (copies of one datagram) and the DCE/RPC verifier mark, on
 * NTLMSSP the account. They are drawn from bits of bytes already read, so an input
 * keeps its frames with the bit set or not (a seed with the bit flipped reaches the
 * keytab, ticket-verdict and copy rules); values come from small pools, so one
 * ticket meets its verdicts and one datagram its copy.
 *
 * Checked on every emitted finding: the cause and confidence are in range,
 * counts within their arrays, every string readable. After each input: the
 * store is within its cap. The engine is freed at the end (leaks are reported
 * by LeakSanitizer).
 *
 * Built two ways: with clang's libFuzzer (-fsanitize=fuzzer), and with any
 * compiler against replay_main.c, which runs the function over saved inputs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kd_engine.h"

#define KD_MAX_OBS_PER_FEED 16   /* what the plugin passes at most per frame */
#define KD_FUZZ_MAX_FRAMES 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ------------------------------------------------------------ byte reader */

typedef struct {
    const uint8_t *p;
    size_t left;
} rd;

static guint8
u8(rd *r)
{
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

static guint16
u16(rd *r)
{
    return (guint16)(u8(r) | (u8(r) << 8));
}

static guint32
u32(rd *r)
{
    return (guint32)u16(r) | ((guint32)u16(r) << 16);
}

static guint64
u64(rd *r)
{
    return (guint64)u32(r) | ((guint64)u32(r) << 32);
}

/* Numbers: mostly small and plausible, sometimes extreme. */
static gint64
num(rd *r, gint64 lo, gint64 hi)
{
    switch (u8(r) & 7) {
    case 0: return G_MININT64;
    case 1: return G_MAXINT64;
    case 2: return -1;
    case 3: return 0;
    case 4: return (gint64)u64(r);
    case 5: return (gint32)u32(r);
    default: {
        guint64 span = (guint64)(hi - lo) + 1;
        return lo + (gint64)(u16(r) % (span ? span : 1));
    }
    }
}

static gint32
num32(rd *r, gint32 lo, gint32 hi)
{
    switch (u8(r) & 7) {
    case 0: return G_MININT32;
    case 1: return G_MAXINT32;
    case 2: return -1;
    case 3: return 0;
    case 4: return (gint32)u32(r);
    default: return lo + (gint32)(u16(r) % (guint32)(hi - lo + 1));
    }
}

/* Bit 0x80 of the first byte (see the top). */
static gboolean extended;

/* ---------------------------------------------------- per-feed allocations */

/* Heap blocks handed to the engine for one feed only. */
static GPtrArray *feed_blocks;

static void *
feed_keep(void *p)
{
    g_ptr_array_add(feed_blocks, p);
    return p;
}

static const char *const str_pool[] = {
    "alice", "bob", "Alice", "krbtgt", "EXAMPLE.TEST", "example.test", "B.TEST", "A.TEST",
    "krbtgt/EXAMPLE.TEST", "krbtgt/B.TEST", "host/svc.example.test", "HTTP/www.example.test",
    "HTTP/WWW.example.test", "HTTP/web01.example.test", "HTTP/alias.example.test",
    "HTTP/web01.example.test:8080", "host/10.88.0.30", "host/[fe80::1]", "host/[fe80::1]:88",
    "cifs/dc.example.test", "ldap/dc.example.test/example.test", "kadmin/changepw",
    "srv1$", "SRV2$", "WWW$", "svc_app", "svc_old", "HTTP/app", "www.example.test",
    "alias.example.test", "web01.example.test", "dc.example.test", "10.88.0.10",
    "169.254.95.120", "fe80::1", "SRV2", "SRV2[49152]", "GET", "POST", "/", "/index.html",
    "CN=svc_app,CN=Users,DC=example,DC=test", "servicePrincipalName", "LOCKED_OUT",
    "CLIENT LOCKED OUT", "PROCESS_TGS", "BAD_ENCRYPTION_TYPE", "NEEDED_PREAUTH",
    "/", "//", "a/", "/b", "[", "]", ":", "x/[", "x/[fe80::1", "x/a:b:c", "x/:", "\xff\xfe",
    "\xc3\x28", "\xe2\x82", "caf\xc3\xa9", "%s%n%x", "", "\x01\x02\x7f", "a/b/c/d/e/f/g/h",
};

/* A string for the engine: NULL, a pooled name, raw bytes, or a huge one. */
static const char *
str(rd *r)
{
    guint8 sel = u8(r);
    if (sel < 40)
        return NULL;
    if (sel < 200)
        return str_pool[u8(r) % G_N_ELEMENTS(str_pool)];
    if (sel < 230) {
        /* Raw bytes: any value but NUL (strings are C strings). */
        size_t n = u8(r);
        char *s = feed_keep(g_malloc(n + 1));
        for (size_t i = 0; i < n; i++) {
            guint8 c = u8(r);
            s[i] = (char)(c ? c : 'x');
        }
        s[n] = '\0';
        return s;
    }
    if (sel < 250) {
        /* Pooled name plus a suffix, so that near-duplicates appear. */
        return feed_keep(g_strdup_printf("%s%u%s", str_pool[u8(r) % G_N_ELEMENTS(str_pool)], u8(r),
                                         (u8(r) & 1) ? "/x" : ""));
    }
    /* Huge: up to 256 KiB of one repeated byte, or a repeated pooled name. */
    size_t n = (size_t)u16(r) * 4 + 1;
    char *s = feed_keep(g_malloc(n + 1));
    const char *pat = str_pool[u8(r) % G_N_ELEMENTS(str_pool)];
    size_t pl = strlen(pat);
    for (size_t i = 0; i < n; i++)
        s[i] = pl ? pat[i % pl] : 'A';
    s[n] = '\0';
    return s;
}

static void
addr(rd *r, kd_addr *a)
{
    memset(a, 0, sizeof(*a));
    guint8 sel = u8(r);
    if (sel < 16)
        return;                                 /* unknown */
    if (sel < 200) {
        /* 10.88.0.1 .. 10.88.0.8, a small world where things correlate */
        a->len = 4;
        a->bytes[0] = 10;
        a->bytes[1] = 88;
        a->bytes[3] = (guint8)(1 + sel % 8);
        return;
    }
    if (sel < 220) {
        a->len = 16;
        a->bytes[0] = 0xfe;
        a->bytes[1] = 0x80;
        a->bytes[15] = (guint8)(1 + sel % 4);
        return;
    }
    a->len = (sel & 1) ? 4 : 16;
    for (int i = 0; i < a->len; i++)
        a->bytes[i] = u8(r);
}

static guint16
port(rd *r)
{
    static const guint16 pool[] = { 88, 464, 80, 445, 135, 389, 49152, 50000, 50001, 0, 65535 };
    guint8 sel = u8(r);
    return sel < 200 ? pool[sel % G_N_ELEMENTS(pool)] : u16(r);
}

static const gint32 msg_types[] = { 10, 11, 12, 13, 14, 15, 30, 0, -1, 22, 31, 16, 17 };
static const gint32 err_pool[] = {
    6, 7, 12, 14, 18, 23, 24, 25, 31, 32, 34, 37, 41, 44, 52, 60, 68, 0, 1, 2, 3, 9, 13, 16, 17, 19,
    20, 21, 26, 29, 33, 35, 36, 38, 39, 40, 42, 47, 50, 51, 61, 62, 69, 70, 93, 27, 67
};
static const gint32 etype_pool[] = { 17, 18, 19, 20, 23, 24, 3, 1, -128, 0 };

static gint32
etype(rd *r)
{
    guint8 sel = u8(r);
    return sel < 220 ? etype_pool[sel % G_N_ELEMENTS(etype_pool)] : num32(r, -200, 200);
}

/* e-data: raw bytes, or one of the shapes the parser knows with fuzzed contents. */
static void
edata(rd *r, kd_krb *k)
{
    guint8 sel = u8(r);
    if (sel < 150)
        return;
    size_t n;
    guint8 *b;
    if (sel < 200) {
        n = u8(r);
        b = feed_keep(g_malloc(n ? n : 1));
        for (size_t i = 0; i < n; i++)
            b[i] = u8(r);
    } else {
        /* METHOD-DATA { PA-DATA { [1] 3, [2] OCTET STRING (12 bytes status) },
         *               PA-DATA { [1] 19, [2] ETYPE-INFO2 { { [0] etype } } } } */
        static const guint8 tmpl[] = {
            0x30, 0x2f,
            0x30, 0x15, 0xa1, 0x03, 0x02, 0x01, 0x03, 0xa2, 0x0e, 0x04, 0x0c,
            0x72, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
            0x30, 0x16, 0xa1, 0x03, 0x02, 0x01, 0x13, 0xa2, 0x0f, 0x04, 0x0d,
            0x30, 0x0b, 0x30, 0x09, 0xa0, 0x03, 0x02, 0x01, 0x12, 0xa1, 0x02, 0x1b, 0x00,
        };
        n = sizeof tmpl;
        b = feed_keep(g_memdup2(tmpl, n));
        /* A few byte edits, then maybe a cut. */
        for (int i = u8(r) % 4; i > 0; i--)
            b[u8(r) % n] = u8(r);
        if (u8(r) & 1)
            n = u8(r) % (n + 1);
    }
    /* Exact-size block: reading past e_data_len is caught by AddressSanitizer. */
    guint8 *exact = feed_keep(g_malloc(n ? n : 1));
    memcpy(exact, b, n);
    k->e_data = n ? exact : (u8(r) & 1 ? exact : NULL);
    k->e_data_len = n;
}

static void
ticket(rd *r, kd_ticket *t)
{
    guint8 b = u8(r);
    t->present = b & 1;
    t->realm = str(r);
    t->sname = str(r);
    t->etype = etype(r);
    t->kvno = num(r, -1, 5);
    if (extended) {
        /* The byte's other bits: ciphertext hash 0..3 (0: none), verdict, who decrypted. */
        t->cipher_hash = (b >> 1) & 3;
        t->decrypt = (kd_decrypt)(((b >> 3) & 3) % 3);
        t->decrypted_by = (b & 0x20) ? t->sname : NULL;
    }
}

static void
fill_krb(rd *r, kd_krb *k)
{
    guint8 sel = u8(r);
    k->msg_type = sel < 230 ? msg_types[sel % G_N_ELEMENTS(msg_types)] : (gint32)u32(r);
    k->carrier = (kd_carrier)(u8(r) % (KD_CARRIER_OTHER + 1));
    k->cname = str(r);
    k->crealm = str(r);
    k->realm = str(r);
    k->sname = str(r);
    k->n_req_etypes = u8(r) % (KD_MAX_ETYPES + 1);
    for (guint i = 0; i < k->n_req_etypes; i++)
        k->req_etypes[i] = etype(r);
    k->n_padata = u8(r) % (KD_MAX_PADATA + 1);
    for (guint i = 0; i < k->n_padata; i++) {
        static const gint32 pa[] = { 2, 3, 11, 16, 19, 128, 133, 136, 138, 149, 150, 165 };
        guint8 s = u8(r);
        k->padata[i] = s < 230 ? pa[s % G_N_ELEMENTS(pa)] : (gint32)u32(r);
    }
    if (u8(r) & 1)
        ticket(r, &k->ticket);
    k->rep_etype = (u8(r) & 1) ? etype(r) : -1;
    sel = u8(r);
    k->error_code = sel < 40 ? -1 : sel < 230 ? err_pool[sel % G_N_ELEMENTS(err_pool)] : (gint32)u32(r);
    /* The DCE/RPC PDU and auth level, from a byte already read: seed inputs keep their meaning. */
    if (k->carrier == KD_CARRIER_DCERPC) {
        static const guint8 pdus[] = { 11, 12, 14, 15, 16 };
        k->rpc_pkt_type = pdus[sel % G_N_ELEMENTS(pdus)];
        k->rpc_auth_level = (guint8)(sel % 7);
    }
    guint8 st = u8(r), ct = u8(r);
    k->has_stime = st & 1;
    k->has_ctime = ct & 1;
    if (extended) {
        /* Copies of one datagram: the same digest and length, microseconds apart. */
        static const guint32 lens[] = { 0, 60, 1200, 1500 };
        k->msg_digest = (st >> 1) & 3;
        k->msg_len = lens[(st >> 3) & 3];
        k->in_rpc_verifier = (ct >> 1) & 1;
    }
    k->stime_us = num(r, 1795435844LL * 1000000 - 10000000000LL, 1795435844LL * 1000000 + 10000000000LL);
    k->ctime_us = num(r, 1795435844LL * 1000000 - 10000000000LL, 1795435844LL * 1000000 + 10000000000LL);
    k->e_text = str(r);
    k->has_nt_status = u8(r) & 1;
    k->nt_status = u8(r) < 200 ? 0xC0000000u | u8(r) | (u8(r) << 8) : u32(r);
    k->n_etype_info2 = u8(r) % (KD_MAX_ETYPES + 1);
    for (guint i = 0; i < k->n_etype_info2; i++)
        k->etype_info2[i] = etype(r);
    edata(r, k);
    /* TGS-REQ options and additional tickets: S4U2Proxy and user-to-user. */
    guint8 opts = u8(r);
    k->opt_cname_in_addl_tkt = opts & 1;
    k->opt_enc_tkt_in_skey = (opts >> 1) & 1;
    k->n_addl_tickets = (opts >> 2) % 3;
    if (k->n_addl_tickets)
        ticket(r, &k->addl_ticket);
}

static void
fill_obs(rd *r, kd_obs *o, guint32 frame, gint64 time_us)
{
    /* 0 is no kind (ignored); the last kind, LDAP binds, came after the seeds were
     * made: the byte value that was "ignored" then. */
    guint8 kind = u8(r) % (KD_OBS_LDAP_BIND + 1);
    kd_obs_init(o, (kd_obs_kind)kind);
    o->frame = frame;
    o->time_us = time_us;
    addr(r, &o->src);
    addr(r, &o->dst);
    o->sport = port(r);
    o->dport = port(r);
    o->transport = (kd_transport)(u8(r) % 3);
    switch (o->kind) {
    case KD_OBS_KRB:
        fill_krb(r, &o->u.krb);
        break;
    case KD_OBS_DNS: {
        kd_dns *d = &o->u.dns;
        d->qname = str(r);
        d->qtype = u16(r);
        d->rcode = u16(r);
        d->n_answers = u8(r) % (KD_MAX_DNS_ANSWERS + 1);
        for (guint i = 0; i < d->n_answers; i++) {
            d->answers[i].name = str(r);
            d->answers[i].cname = str(r);
            guint8 fl = u8(r);
            if (fl & 1)
                addr(r, &d->answers[i].addr);
            /* Reverse look-ups, from bits of a byte already read (seeds keep their meaning). */
            if (fl & 2)
                d->answers[i].ptr = d->answers[i].cname;
            if (fl & 4)
                d->answers[i].name = (fl & 8) ? "1.0.0.10.in-addr.arpa" : "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa";
        }
        break;
    }
    case KD_OBS_HTTP: {
        kd_http *h = &o->u.http;
        h->is_request = u8(r) & 1;
        (void)str(r);   /* bytes once read as the method: kept so seed inputs keep their meaning */
        h->host = str(r);
        (void)str(r);   /* once the URI */
        if (u8(r) < 200) /* once the status */
            (void)u8(r);
        else
            (void)u16(r);
        h->auth = (kd_auth_scheme)(u8(r) % (KD_AUTH_OTHER + 1));
        /* read after the older fields, so seed inputs keep their meaning */
        h->auth_len = u16(r) * (u8(r) & 1 ? 1u : 4u);
        h->offers = u8(r);
        h->status = u8(r) & 1 ? KD_HTTP_BAD_REQUEST : 0;
        h->says_header_too_long = u8(r) & 1;
        break;
    }
    case KD_OBS_NTLMSSP:
        o->u.ntlmssp.message_type = u8(r) < 200 ? (guint32)(1 + u8(r) % 3) : u32(r);
        guint8 c = u8(r);
        o->u.ntlmssp.carrier = (kd_carrier)(c % (KD_CARRIER_OTHER + 1));
        if (extended) {
            static const char *const users[] = { NULL, "", "alice", "Alice", "bob", "svc_app", "SRV2$", "alice" };
            o->u.ntlmssp.user = users[(c >> 3) & 7];
            o->u.ntlmssp.domain = (c & 4) ? "EXAMPLE" : NULL;
        }
        o->u.ntlmssp.spnego_mechs = u8(r) & 7;
        o->u.ntlmssp.rpc_auth_type = u8(r);
        break;
    case KD_OBS_DCERPC: {
        static const guint8 pt[] = { 0, 2, 3, 11, 12, 13, 14, 15, 16 };
        static const guint32 st[] = { 0x721, 0x5, 0x1c010003, 0, 1, 2, 0xC0000022 };
        kd_dcerpc *d = &o->u.dcerpc;
        guint8 s = u8(r);
        d->pkt_type = s < 230 ? pt[s % G_N_ELEMENTS(pt)] : u8(r);
        d->has_status = u8(r) & 1;
        s = u8(r);
        d->status = s < 230 ? st[s % G_N_ELEMENTS(st)] : u32(r);
        static const guint8 at[] = { 0, 9, 10, 16, 68 };
        d->auth_type = at[u8(r) % G_N_ELEMENTS(at)];
        d->auth_level = (guint8)(s % 7);  /* from a byte already read: seeds keep their meaning */
        break;
    }
    case KD_OBS_SMB2:
        o->u.smb2.is_response = u8(r) & 1;
        o->u.smb2.cmd = u8(r) < 200 ? 1 : u16(r);
        o->u.smb2.nt_status = u8(r) < 100 ? 0xC000006Du : u8(r) < 200 ? 0 : u32(r);
        break;
    case KD_OBS_DCOM_ALIVE2:
        o->u.alive2.n_addrs = u8(r) % (KD_MAX_BINDINGS + 1);
        for (guint i = 0; i < o->u.alive2.n_addrs; i++)
            o->u.alive2.addrs[i] = str(r);
        break;
    case KD_OBS_LDAP_ENTRY:
        o->u.ldap.dn = str(r);
        o->u.ldap.sam_account_name = str(r);
        o->u.ldap.n_spns = u8(r) % (KD_MAX_LDAP_VALUES + 1);
        for (guint i = 0; i < o->u.ldap.n_spns; i++)
            o->u.ldap.spns[i] = str(r);
        break;
    case KD_OBS_LDAP_BIND: {
        static const gint32 rc[] = { 0, 14, 49, 8, 10, -1 };
        static const char *const diag[] = {
            "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1",
            "80090346: LdapErr: DSID-0C090569, comment: AcceptSecurityContext error, data 80090346, v4563",
            "data 775", "",
        };
        kd_ldap_bind *b = &o->u.bind;
        guint8 s = u8(r);
        b->is_response = s & 1;
        b->sasl = (s >> 1) & 1;
        b->empty_password = (s >> 2) & 1;
        b->name = str(r);
        b->mechanism = str(r);
        s = u8(r);
        b->result_code = s < 200 ? rc[s % G_N_ELEMENTS(rc)] : num32(r, -1, 80);
        s = u8(r);
        b->diag = (const guint8 *)(s < 128 ? diag[s % G_N_ELEMENTS(diag)] : str(r));
        b->diag_len = b->diag ? strlen((const char *)b->diag) : 0;
        break;
    }
    case KD_OBS_TRANSPORT: {
        /* 0 is not an event; the connection facts come from bytes seeds rarely hold. */
        guint8 e = u8(r);
        o->u.net.event = (kd_net_event)(e < 250 ? e % 5 : 5 + e % 2);
        addr(r, &o->u.net.kdc);
        break;
    }
    default:
        break;
    }
}

/* The service keytabs of bit 0x80: loaded but empty; the pool's SPNs at several
 * versions and types; other principals only; a mix with a realm. */
static const kd_keytab_key keytab_keys[][4] = {
    { { NULL, NULL, 0, 0 } },
    { { "HTTP/www.example.test", "EXAMPLE.TEST", 2, 18 }, { "HTTP/web01.example.test", NULL, 3, 17 },
      { "host/svc.example.test", NULL, 1, 23 }, { "cifs/dc.example.test", "EXAMPLE.TEST", 5, 18 } },
    { { "HTTP/app", NULL, 1, 18 }, { "svc_old", "EXAMPLE.TEST", 4, 23 } },
    { { "HTTP/www.example.test", "B.TEST", 1, 18 }, { "HTTP/alias.example.test", NULL, 2, 18 },
      { "x/a@b", NULL, 2, 18 }, { "", NULL, 2, 18 } },
};
static const guint keytab_n[] = { 0, 4, 2, 4 };

static void
keytab(guint variant, kd_keytab *kt)
{
    memset(kt, 0, sizeof(*kt));
    kt->loaded = TRUE;
    kt->n = keytab_n[variant];
    for (guint i = 0; i < kt->n; i++) {
        kt->keys[i] = keytab_keys[variant][i];
        kt->keys[i].principal = g_strdup(keytab_keys[variant][i].principal);
        kt->keys[i].realm = g_strdup(keytab_keys[variant][i].realm);
    }
}

/* --------------------------------------------------------------- checking */

static void
fail(const char *what, guint32 frame)
{
    fprintf(stderr, "fuzz_engine: invariant broken on frame %u: %s\n", frame, what);
    abort();
}

static size_t touched;

static void
touch(const char *s)
{
    if (s)
        touched += strlen(s);
}

static void
check_emit(guint32 frame, const kd_finding *const *findings, guint n, void *user)
{
    (void)user;
    if (n == 0 || !findings)
        fail("emit without findings", frame);
    for (guint i = 0; i < n; i++) {
        const kd_finding *f = findings[i];
        if (!f)
            fail("NULL finding", frame);
        if (f->frame != frame)
            fail("finding emitted under another frame", frame);
        if ((int)f->cause < 0 || f->cause >= KD_CAUSE_COUNT)
            fail("cause out of range", frame);
        if ((int)f->confidence < KD_CONF_INFO || f->confidence > KD_CONF_CONFIRMED)
            fail("confidence out of range", frame);
        if (f->n_evidence > KD_MAX_EVIDENCE || f->n_alternatives > KD_MAX_ALTERNATIVES ||
            f->n_details > KD_MAX_DETAILS)
            fail("count beyond its array", frame);
        touch(kd_cause_get(f->cause)->id);
        touch(kd_confidence_name(f->confidence));
        touch(f->spn);
        touch(f->client);
        touch(f->summary);
        touch(f->missing);
        for (guint e = 0; e < f->n_evidence; e++) {
            if (f->evidence[e].frame == 0)
                fail("evidence frame 0", frame);
            touch(f->evidence[e].role);
        }
        for (guint a = 0; a < f->n_alternatives; a++) {
            if ((int)f->alternatives[a] < 0 || f->alternatives[a] >= KD_CAUSE_COUNT)
                fail("alternative out of range", frame);
        }
        for (guint d = 0; d < f->n_details; d++)
            touch(f->details[d]);
        if (f->has_inherited && ((int)f->inherited < 0 || f->inherited >= KD_CAUSE_COUNT))
            fail("inherited cause out of range", frame);
    }
}

/* What the plugin passes: names for known etypes, NULL otherwise. */
static const char *
etype_name(gint32 e)
{
    static char buf[32];
    if (e == 17 || e == 18 || e == 23) {
        g_snprintf(buf, sizeof buf, "etype-%d", e);
        return buf;
    }
    return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rd r = { data, size };
    kd_config cfg;
    kd_config_default(&cfg);
    guint8 flags = u8(&r);
    for (int g = 0; g < KD_GROUP_COUNT; g++)
        cfg.group_enabled[g] = !(flags & (1u << g));
    if (flags & 0x10)
        cfg.skew_tolerance_s = num(&r, 0, 3600);
    cfg.etype_name = (flags & 0x20) ? NULL : etype_name;
    extended = (flags & 0x80) != 0;
    static kd_keytab kt;
    if (extended) {
        keytab((flags >> 5) & 3, &kt);
        cfg.keytab = &kt;
    }
    kd_engine *eng = kd_engine_new(&cfg, (flags & 0x40) ? NULL : check_emit, NULL);

    guint32 frame = 1;
    gint64 t = 1795435844LL * G_USEC_PER_SEC;
    kd_obs obs[KD_MAX_OBS_PER_FEED];
    feed_blocks = g_ptr_array_new_with_free_func(g_free);
    for (int f = 0; f < KD_FUZZ_MAX_FRAMES && r.left; f++) {
        guint8 step = u8(&r);
        /* Frames mostly advance; sometimes repeat, jump or hit the extremes. */
        if (step < 200)
            frame += step % 3;
        else if (step < 240)
            frame += u16(&r);
        else
            frame = u8(&r) & 1 ? G_MAXUINT32 - (u8(&r) % 3) : u8(&r) % 2;
        guint8 ts = u8(&r);
        /* Time wraps (unsigned arithmetic): extremes are the point, not UB here. */
        if (ts < 200)
            t = (gint64)((guint64)t + (guint64)ts * 1000);
        else if (ts < 250)
            t = (gint64)((guint64)t + (guint64)((gint64)(gint32)u32(&r) * 1000));
        else
            t = ts & 1 ? G_MAXINT64 : G_MININT64;
        guint n = u8(&r) % (KD_MAX_OBS_PER_FEED + 1);
        for (guint i = 0; i < n; i++)
            fill_obs(&r, &obs[i], frame, t);
        kd_engine_feed(eng, obs, n);
        g_ptr_array_set_size(feed_blocks, 0);   /* borrowed strings die here */
        if (kd_engine_store_size(eng) > 17u * KD_STORE_CAP)
            fail("store beyond 17 tables x KD_STORE_CAP", frame);
    }
    kd_engine_feed(eng, NULL, 0);
    kd_engine_feed(eng, obs, 0);
    kd_engine_free(eng);
    if (extended)
        kd_keytab_clear(&kt);
    g_ptr_array_free(feed_blocks, TRUE);
    feed_blocks = NULL;
    return 0;
}
