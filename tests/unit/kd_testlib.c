/* kd_testlib.c
 * Helpers for the engine's unit tests.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_testlib.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void
t_finding_free(gpointer p)
{
    t_finding *f = p;
    g_free(f->spn);
    g_free(f->client);
    g_free(f->summary);
    g_free(f->details);
    g_free(f->roles);
    g_free(f->missing);
    g_free(f);
}

static void
collect(guint32 frame, const kd_finding *const *findings, guint n, void *user)
{
    t_harness *h = user;
    GPtrArray *a = g_ptr_array_new_with_free_func(t_finding_free);
    for (guint i = 0; i < n; i++) {
        const kd_finding *k = findings[i];
        t_finding *f = g_new0(t_finding, 1);
        f->frame = k->frame;
        f->cause = k->cause;
        f->confidence = k->confidence;
        f->error_code = k->error_code;
        f->spn = g_strdup(k->spn);
        f->client = g_strdup(k->client);
        f->summary = g_strdup(k->summary);
        f->missing = g_strdup(k->missing);
        f->n_evidence = k->n_evidence;
        for (guint e = 0; e < k->n_evidence; e++)
            f->evidence[e] = k->evidence[e].frame;
        f->n_alternatives = k->n_alternatives;
        memcpy(f->alternatives, k->alternatives, sizeof(k->alternatives));
        f->n_ruled_out = k->n_ruled_out;
        for (guint r = 0; r < k->n_ruled_out; r++) {
            f->ruled_out[r] = k->ruled_out[r].cause;
            g_assert(k->ruled_out[r].by && *k->ruled_out[r].by);
        }
        f->restates = k->restates;
        f->amended_by = k->amended_by;
        f->has_skew = k->has_skew;
        f->skew = k->skew_seconds;
        f->count = k->count;
        f->has_inherited = k->has_inherited;
        f->inherited = k->inherited;
        f->recovered = k->recovered;
        f->recovered_frame = k->recovered_frame;
        f->n_checks = k->n_checks;
        /* Every test checks it: nothing leaves the engine confirmed without the
         * contradiction checks that allowed it. */
        g_assert(k->confidence != KD_CONF_CONFIRMED || (k->n_checks > 0 && k->checked_cause == k->cause));
        /* ... and a confirmed finding has no candidate left: each other cause is ruled out. */
        g_assert(k->confidence != KD_CONF_CONFIRMED || k->n_alternatives == 0);
        GString *d = g_string_new(NULL);
        for (guint i2 = 0; i2 < k->n_details; i2++)
            g_string_append_printf(d, "%s%s", i2 ? "\n" : "", k->details[i2]);
        f->details = g_string_free(d, FALSE);
        GString *r = g_string_new(NULL);
        for (guint i2 = 0; i2 < k->n_evidence; i2++)
            g_string_append_printf(r, "%s%s", i2 ? "\n" : "", k->evidence[i2].role ? k->evidence[i2].role : "");
        f->roles = g_string_free(r, FALSE);
        g_ptr_array_add(a, f);
    }
    g_hash_table_replace(h->by_frame, GUINT_TO_POINTER(frame), a);
}

t_harness *
t_new(const kd_config *cfg)
{
    t_harness *h = g_new0(t_harness, 1);
    h->by_frame = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
    h->eng = kd_engine_new(cfg, collect, h);
    h->frame = 1;
    h->now_us = (gint64)1790000000 * G_USEC_PER_SEC;
    return h;
}

void
t_free(t_harness *h)
{
    kd_engine_free(h->eng);
    g_hash_table_destroy(h->by_frame);
    g_free(h);
}

guint32
t_feed(t_harness *h, kd_obs *o)
{
    o->frame = h->frame++;
    o->time_us = h->now_us;
    h->now_us += 1000;
    kd_engine_feed(h->eng, o, 1);
    return o->frame;
}

void
t_sleep(t_harness *h, double seconds)
{
    h->now_us += (gint64)(seconds * G_USEC_PER_SEC);
}

guint
t_count(t_harness *h, guint32 frame)
{
    GPtrArray *a = g_hash_table_lookup(h->by_frame, GUINT_TO_POINTER(frame));
    return a ? a->len : 0;
}

const t_finding *
t_get(t_harness *h, guint32 frame, guint i)
{
    GPtrArray *a = g_hash_table_lookup(h->by_frame, GUINT_TO_POINTER(frame));
    return a && i < a->len ? g_ptr_array_index(a, i) : NULL;
}

gboolean
t_has_evidence(const t_finding *f, guint32 frame)
{
    for (guint i = 0; f && i < f->n_evidence; i++) {
        if (f->evidence[i] == frame)
            return TRUE;
    }
    return FALSE;
}

const t_finding *
only(t_harness *h, guint32 frame)
{
    assert_int_equal(t_count(h, frame), 1);
    return t_get(h, frame, 0);
}

gboolean
has_alternative(const t_finding *f, kd_cause c)
{
    for (guint i = 0; i < f->n_alternatives; i++) {
        if (f->alternatives[i] == c)
            return TRUE;
    }
    return FALSE;
}

guint
t_total(t_harness *h, kd_cause cause)
{
    guint n = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, h->by_frame);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        GPtrArray *a = v;
        for (guint i = 0; i < a->len; i++)
            n += ((t_finding *)g_ptr_array_index(a, i))->cause == cause;
    }
    return n;
}

guint64
t_ticket_hash(const char *sname, const char *realm, gint32 etype, gint64 kvno)
{
    char *l = g_ascii_strdown(sname ? sname : "", -1);
    char *u = g_ascii_strup(realm ? realm : "", -1);
    char *text = g_strdup_printf("%s@%s|%d|%" G_GINT64_FORMAT, l, u, etype, kvno);
    guint64 h = G_GUINT64_CONSTANT(14695981039346656037);
    for (const char *p = text; *p; p++)
        h = (h ^ (guchar)*p) * G_GUINT64_CONSTANT(1099511628211);
    g_free(text);
    g_free(u);
    g_free(l);
    return h ? h : 1;
}

kd_addr
t_ip(int n)
{
    kd_addr a = { 4, { 10, 0, 0, (guint8)n } };
    return a;
}

static kd_obs
krb(kd_obs_kind kind, int src, int dst, guint16 sport, guint16 dport)
{
    kd_obs o;
    kd_obs_init(&o, kind);
    o.src = t_ip(src);
    o.dst = t_ip(dst);
    o.sport = sport;
    o.dport = dport;
    o.transport = KD_TRANSPORT_UDP;
    return o;
}

kd_obs
t_as_req(int client, int kdc, guint16 cport, const char *cname, const char *realm, gboolean preauth)
{
    static char snames[8][64];
    static int next;
    kd_obs o = krb(KD_OBS_KRB, client, kdc, cport, 88);
    o.u.krb.msg_type = KD_MSG_AS_REQ;
    o.u.krb.cname = cname;
    o.u.krb.realm = realm;
    char *s = snames[next++ % 8];
    g_snprintf(s, 64, "krbtgt/%s", realm);
    o.u.krb.sname = s;
    o.u.krb.req_etypes[0] = 18;
    o.u.krb.req_etypes[1] = 17;
    o.u.krb.n_req_etypes = 2;
    o.u.krb.padata[o.u.krb.n_padata++] = 149;
    if (preauth)
        o.u.krb.padata[o.u.krb.n_padata++] = 2;
    return o;
}

kd_obs
t_tgs_req(int client, int kdc, guint16 cport, const char *sname, const char *realm,
          const char *tgt_realm, gint32 tgt_etype, gint64 tgt_kvno)
{
    static char tgts[8][64];
    static int next;
    kd_obs o = krb(KD_OBS_KRB, client, kdc, cport, 88);
    o.u.krb.msg_type = KD_MSG_TGS_REQ;
    o.u.krb.sname = sname;
    o.u.krb.realm = realm;
    o.u.krb.req_etypes[0] = 18;
    o.u.krb.n_req_etypes = 1;
    o.u.krb.padata[o.u.krb.n_padata++] = 1;
    if (tgt_realm) {
        char *t = tgts[next++ % 8];
        g_snprintf(t, 64, "krbtgt/%s", realm);
        o.u.krb.ticket.present = TRUE;
        o.u.krb.ticket.realm = tgt_realm;
        o.u.krb.ticket.sname = t;
        o.u.krb.ticket.etype = tgt_etype;
        o.u.krb.ticket.kvno = tgt_kvno;
        o.u.krb.ticket.cipher_hash = t_ticket_hash(t, tgt_realm, tgt_etype, tgt_kvno);
    }
    return o;
}

kd_obs
t_rep(const kd_obs *req, gint32 msg_type, const char *cname, const char *ticket_sname,
      const char *ticket_realm, gint32 etype, gint64 kvno)
{
    kd_obs o = *req;
    memset(&o.u, 0, sizeof(o.u));
    kd_obs_init(&o, KD_OBS_KRB);
    o.src = req->dst;
    o.dst = req->src;
    o.sport = req->dport;
    o.dport = req->sport;
    o.transport = req->transport;
    o.u.krb.msg_type = msg_type;
    o.u.krb.cname = cname;
    o.u.krb.ticket.present = TRUE;
    o.u.krb.ticket.sname = ticket_sname;
    o.u.krb.ticket.realm = ticket_realm;
    o.u.krb.ticket.etype = etype;
    o.u.krb.ticket.kvno = kvno;
    o.u.krb.ticket.cipher_hash = t_ticket_hash(ticket_sname, ticket_realm, etype, kvno);
    return o;
}

kd_obs
t_error(const kd_obs *req, gint32 code, const char *cname, const char *sname)
{
    kd_obs o = *req;
    kd_obs_init(&o, KD_OBS_KRB);
    o.src = req->dst;
    o.dst = req->src;
    o.sport = req->dport;
    o.dport = req->sport;
    o.transport = req->transport;
    o.u.krb.msg_type = KD_MSG_ERROR;
    o.u.krb.error_code = code;
    o.u.krb.cname = cname;
    o.u.krb.sname = sname;
    o.u.krb.carrier = req->u.krb.carrier;
    return o;
}

kd_obs
t_ap_req(int client, int server, guint16 cport, guint16 sport, kd_carrier carrier,
         const char *sname, const char *realm, gint64 kvno)
{
    kd_obs o = krb(KD_OBS_KRB, client, server, cport, sport);
    o.transport = KD_TRANSPORT_TCP;
    o.u.krb.msg_type = KD_MSG_AP_REQ;
    o.u.krb.carrier = carrier;
    o.u.krb.ticket.present = TRUE;
    o.u.krb.ticket.sname = sname;
    o.u.krb.ticket.realm = realm;
    o.u.krb.ticket.etype = 18;
    o.u.krb.ticket.kvno = kvno;
    return o;
}

kd_obs
t_ap_rep(const kd_obs *ap)
{
    kd_obs o = t_error(ap, 0, NULL, NULL);
    o.u.krb.msg_type = KD_MSG_AP_REP;
    o.u.krb.error_code = -1;
    return o;
}

kd_obs
t_ap_error(const kd_obs *ap, gint32 code, const char *sname)
{
    return t_error(ap, code, NULL, sname);
}

kd_obs
t_http_req(int client, int server, guint16 cport, const char *host)
{
    kd_obs o = krb(KD_OBS_HTTP, client, server, cport, 80);
    o.transport = KD_TRANSPORT_TCP;
    o.u.http.is_request = TRUE;
    o.u.http.host = host;
    o.u.http.auth = KD_AUTH_NEGOTIATE;
    return o;
}

kd_obs
t_dns_cname(int client, int dns, const char *alias, const char *target, int target_ip)
{
    kd_obs o = krb(KD_OBS_DNS, dns, client, 53, 40000);
    o.u.dns.qname = alias;
    o.u.dns.answers[0].name = alias;
    o.u.dns.answers[0].cname = target;
    o.u.dns.answers[1].name = target;
    o.u.dns.answers[1].addr = t_ip(target_ip);
    o.u.dns.n_answers = 2;
    return o;
}

kd_obs
t_ldap_entry(int client, int dc, const char *sam, const char *spn)
{
    kd_obs o = krb(KD_OBS_LDAP_ENTRY, dc, client, 389, 41000);
    o.transport = KD_TRANSPORT_TCP;
    o.u.ldap.dn = sam;
    o.u.ldap.sam_account_name = sam;
    o.u.ldap.spns[0] = spn;
    o.u.ldap.n_spns = 1;
    return o;
}

GByteArray *
t_der_tlv(guint8 tag, GByteArray *body)
{
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, &tag, 1);
    guint len = body ? body->len : 0;
    if (len < 0x80) {
        guint8 l = (guint8)len;
        g_byte_array_append(out, &l, 1);
    } else {
        guint8 l[5];
        guint n = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
        l[0] = (guint8)(0x80 | n);
        for (guint i = 0; i < n; i++)
            l[1 + i] = (guint8)(len >> (8 * (n - 1 - i)));
        g_byte_array_append(out, l, 1 + n);
    }
    if (body) {
        g_byte_array_append(out, body->data, body->len);
        g_byte_array_unref(body);
    }
    return out;
}

GByteArray *
t_der_cat(GByteArray *a, GByteArray *b)
{
    g_byte_array_append(a, b->data, b->len);
    g_byte_array_unref(b);
    return a;
}

GByteArray *
t_der_int(gint64 v)
{
    guint8 be[8];
    for (int i = 0; i < 8; i++)
        be[i] = (guint8)((guint64)v >> (56 - 8 * i));
    /* Drop leading bytes that only repeat the sign of the next one. */
    int first = 0;
    while (first < 7 && ((be[first] == 0x00 && !(be[first + 1] & 0x80)) ||
                         (be[first] == 0xff && (be[first + 1] & 0x80))))
        first++;
    return t_der_bytes(0x02, be + first, (gsize)(8 - first));
}

GByteArray *
t_der_bytes(guint8 tag, const void *p, gsize n)
{
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, p, (guint)n);
    return t_der_tlv(tag, b);
}

kd_obs
t_tcp_syn(int client, int kdc, guint16 cport)
{
    kd_obs o = krb(KD_OBS_TRANSPORT, client, kdc, cport, 88);
    o.transport = KD_TRANSPORT_TCP;
    o.u.net.event = KD_NET_TCP_SYN;
    o.u.net.kdc = t_ip(kdc);
    return o;
}

kd_obs
t_tcp_partial(int client, int kdc, guint16 cport)
{
    kd_obs o = t_tcp_syn(client, kdc, cport);
    o.u.net.event = KD_NET_TCP_PARTIAL_REQUEST;
    return o;
}

kd_obs
t_icmp_unreachable(int client, int kdc)
{
    kd_obs o = krb(KD_OBS_TRANSPORT, kdc, client, 0, 0);
    o.transport = KD_TRANSPORT_OTHER;
    o.u.net.event = KD_NET_ICMP_UNREACHABLE;
    o.u.net.kdc = t_ip(kdc);
    return o;
}

kd_obs
t_over_tcp(kd_obs o)
{
    o.transport = KD_TRANSPORT_TCP;
    return o;
}

/* ------------------------------------------------------------------ scenarios */

kd_obs
t_http_attempt(t_harness *h, const char *host, const char *sname, gint64 kvno, guint16 cport,
               guint32 *tgs_frame, guint32 *http_frame)
{
    kd_obs tgs = t_tgs_req(T_CLIENT, T_KDC, (guint16)(cport + 1000), sname, T_REALM, T_REALM, 18, 2);
    guint32 tf = t_feed(h, &tgs);
    kd_obs rep = t_rep(&tgs, KD_MSG_TGS_REP, "alice", sname, T_REALM, 18, kvno);
    t_feed(h, &rep);
    if (tgs_frame)
        *tgs_frame = tf;
    kd_obs http = t_http_req(T_CLIENT, T_WEB, cport, host);
    kd_obs ap = t_ap_req(T_CLIENT, T_WEB, cport, 80, KD_CARRIER_HTTP, sname, T_REALM, kvno);
    http.frame = ap.frame = h->frame++;
    http.time_us = ap.time_us = h->now_us;
    kd_obs both[2] = { http, ap };
    kd_engine_feed(h->eng, both, 2);
    if (http_frame)
        *http_frame = http.frame;
    ap.frame = http.frame;
    return ap;
}

guint32
t_scene_wrong_password(t_harness *h, const char *cname, guint16 cport, guint32 *req_frame)
{
    kd_obs req = t_as_req(T_CLIENT, T_KDC, cport, cname, T_REALM, TRUE);
    guint32 rf = t_feed(h, &req);
    if (req_frame)
        *req_frame = rf;
    kd_obs err = t_error(&req, KDC_ERR_PREAUTH_FAILED, cname, "krbtgt/" T_REALM);
    return t_feed(h, &err);
}

guint32
t_scene_cname_spn(t_harness *h, guint32 *dns_frame, guint32 *tgs_frame, guint32 *http_frame)
{
    kd_obs dns = t_dns_cname(T_CLIENT, T_DNS, "alias.example.test", "web01.example.test", T_WEB);
    guint32 df = t_feed(h, &dns);
    if (dns_frame)
        *dns_frame = df;
    kd_obs ap = t_http_attempt(h, "alias.example.test", "HTTP/web01.example.test", 2, 40000, tgs_frame, http_frame);
    kd_obs err = t_ap_error(&ap, KRB_AP_ERR_MODIFIED, "HTTP/web01.example.test");
    return t_feed(h, &err);
}

guint32
t_scene_duplicate_spn_late(t_harness *h, const char *spn, guint32 *ldap_frame)
{
    kd_obs req = t_tgs_req(T_CLIENT, T_KDC, 50000, spn, T_REALM, T_REALM, 18, 2);
    t_feed(h, &req);
    kd_obs err = t_error(&req, KDC_ERR_S_PRINCIPAL_UNKNOWN, NULL, spn);
    guint32 ef = t_feed(h, &err);
    kd_obs first = t_ldap_entry(T_CLIENT, T_KDC, "svc_app", spn);
    t_feed(h, &first);
    kd_obs second = t_ldap_entry(T_CLIENT, T_KDC, "svc_old", spn);
    guint32 lf = t_feed(h, &second);
    if (ldap_frame)
        *ldap_frame = lf;
    return ef;
}

guint32
t_scene_etype_no_common(t_harness *h)
{
    kd_obs req = t_as_req(T_CLIENT, T_KDC, 50000, "alice", T_REALM, FALSE);
    req.u.krb.req_etypes[0] = 20;
    req.u.krb.n_req_etypes = 1;
    t_feed(h, &req);
    kd_obs err = t_error(&req, KDC_ERR_ETYPE_NOSUPP, "alice", "krbtgt/" T_REALM);
    err.u.krb.etype_info2[0] = 18;
    err.u.krb.n_etype_info2 = 1;
    return t_feed(h, &err);
}

guint32
t_scene_response_too_big(t_harness *h)
{
    kd_obs req = t_as_req(T_CLIENT, T_KDC, 50000, "alice", T_REALM, TRUE);
    t_feed(h, &req);
    kd_obs err = t_error(&req, KRB_ERR_RESPONSE_TOO_BIG, NULL, "krbtgt/" T_REALM);
    return t_feed(h, &err);
}

guint32
t_scene_retry_over_tcp(t_harness *h)
{
    kd_obs tcp = t_over_tcp(t_as_req(T_CLIENT, T_KDC, 50001, "alice", T_REALM, TRUE));
    return t_feed(h, &tcp);
}

guint32
t_scene_silent_kdc(t_harness *h, guint32 *second, guint32 *third)
{
    kd_obs req = t_as_req(T_CLIENT, T_KDC, 50000, "alice", T_REALM, FALSE);
    guint32 first = t_feed(h, &req);
    t_sleep(h, 1.0);
    guint32 f2 = t_feed(h, &req);
    t_sleep(h, 3.0);
    guint32 f3 = t_feed(h, &req);
    if (second)
        *second = f2;
    if (third)
        *third = f3;
    return first;
}
