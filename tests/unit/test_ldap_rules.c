/* test_ldap_rules.c
 * LDAP binds the directory refused (account states, channel binding, a Kerberos
 * failure in the bind exchange), signing required (strongerAuthRequired) and SPNs built
 * from reverse DNS (rdns_spn, on a refused ticket and on S_PRINCIPAL_UNKNOWN): positive
 * cases, benign look-alikes, odd and missing fields.
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

#include "kd_testlib.h"

#define DC 2
#define CLIENT 10
#define LDAP_PORT 389

static const char *
ad_diag(const char *data)
{
    static char buf[160];
    g_snprintf(buf, sizeof buf, "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data %s, v1db1",
               data);
    return buf;
}

static kd_obs
bind_req(guint16 cport, const char *name, gboolean sasl, const char *mech)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_LDAP_BIND);
    o.src = t_ip(CLIENT);
    o.dst = t_ip(DC);
    o.sport = cport;
    o.dport = LDAP_PORT;
    o.transport = KD_TRANSPORT_TCP;
    o.u.bind.sasl = sasl;
    o.u.bind.name = name;
    o.u.bind.mechanism = mech;
    o.u.bind.empty_password = !sasl && (!name || !*name);
    return o;
}

static kd_obs
bind_resp(guint16 cport, gint32 result, const char *diag)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_LDAP_BIND);
    o.src = t_ip(DC);
    o.dst = t_ip(CLIENT);
    o.sport = LDAP_PORT;
    o.dport = cport;
    o.transport = KD_TRANSPORT_TCP;
    o.u.bind.is_response = TRUE;
    o.u.bind.result_code = result;
    o.u.bind.diag = (const guint8 *)diag;
    o.u.bind.diag_len = diag ? strlen(diag) : 0;
    return o;
}

/* A simple bind as name refused with the data code; returns the answer's frame. */
static guint32
refused_simple(t_harness *h, guint16 cport, const char *name, const char *data, guint32 *req_frame)
{
    kd_obs rq = bind_req(cport, name, FALSE, NULL);
    guint32 r = t_feed(h, &rq);
    if (req_frame)
        *req_frame = r;
    kd_obs rs = bind_resp(cport, 49, data ? ad_diag(data) : NULL);
    return t_feed(h, &rs);
}

static void
test_account_states(void **state)
{
    (void)state;
    static const struct {
        const char *data;
        kd_cause cause;
    } cases[] = {
        { "533", KD_CAUSE_ACCOUNT_DISABLED }, { "701", KD_CAUSE_ACCOUNT_EXPIRED },
        { "773", KD_CAUSE_PASSWORD_EXPIRED }, { "532", KD_CAUSE_PASSWORD_EXPIRED },
        { "775", KD_CAUSE_ACCOUNT_LOCKED }, { "530", KD_CAUSE_LOGON_RESTRICTED },
        { "525", KD_CAUSE_UNKNOWN_CLIENT },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        t_harness *h = t_new(NULL);
        guint32 req;
        guint32 f = refused_simple(h, 50000, "bob@ad.example.test", cases[i].data, &req);
        const t_finding *x = only(h, f);
        assert_int_equal(x->cause, cases[i].cause);
        assert_int_equal(x->confidence, KD_CONF_CONFIRMED);
        assert_int_equal(x->error_code, -1);
        assert_string_equal(x->client, "bob@ad.example.test");
        assert_true(t_has_evidence(x, req));
        assert_non_null(strstr(x->details, "AcceptSecurityContext data: 0x"));
        assert_non_null(strstr(x->details, "invalidCredentials"));
        t_free(h);
    }
}

/* 52e also means "unknown user name": likely, with unknown_client as a candidate. Three
 * of them and then 775: the lock-out cites them. */
static void
test_wrong_password_then_locked(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 bad[3];
    for (int i = 0; i < 3; i++) {
        bad[i] = refused_simple(h, (guint16)(50000 + i), "erin@ad.example.test", "52e", NULL);
        const t_finding *x = only(h, bad[i]);
        assert_int_equal(x->cause, KD_CAUSE_WRONG_PASSWORD);
        assert_int_equal(x->confidence, KD_CONF_LIKELY);
        assert_true(has_alternative(x, KD_CAUSE_UNKNOWN_CLIENT));
        assert_int_equal(x->count, (guint32)i + 1);
    }
    guint32 locked = refused_simple(h, 50010, "erin@ad.example.test", "775", NULL);
    const t_finding *x = only(h, locked);
    assert_int_equal(x->cause, KD_CAUSE_ACCOUNT_LOCKED);
    for (int i = 0; i < 3; i++)
        assert_true(t_has_evidence(x, bad[i]));
    /* Another name's refusals are not this one's. */
    guint32 other = refused_simple(h, 50011, "frank@ad.example.test", "775", NULL);
    x = only(h, other);
    assert_int_equal(x->cause, KD_CAUSE_ACCOUNT_LOCKED);
    assert_false(t_has_evidence(x, bad[0]));
    t_free(h);
}

static void
test_channel_binding(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs rq = bind_req(50100, NULL, TRUE, "GSS-SPNEGO");
    guint32 r = t_feed(h, &rq);
    kd_obs rs = bind_resp(50100, 49, "80090346: LdapErr: DSID-0C090569, comment: AcceptSecurityContext error, "
                                     "data 80090346, v4563");
    guint32 f = t_feed(h, &rs);
    const t_finding *x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_LDAP_CHANNEL_BINDING_REQUIRED);
    assert_int_equal(x->confidence, KD_CONF_CONFIRMED);
    assert_true(t_has_evidence(x, r));
    assert_non_null(strstr(x->details, "SEC_E_BAD_BINDINGS"));
    assert_non_null(strstr(x->details, "SASL GSS-SPNEGO"));
    t_free(h);
}

/* An account state is confirmed only when the capture shows the bind it answers and
 * the answer is an AcceptSecurityContext refusal of its credentials. */
static void
test_account_state_confirmation(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* No bind request in the capture (it started late). */
    kd_obs rs = bind_resp(50700, 49, ad_diag("533"));
    guint32 f = t_feed(h, &rs);
    const t_finding *x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_ACCOUNT_DISABLED);
    assert_int_equal(x->confidence, KD_CONF_LIKELY);
    /* Another result code than invalidCredentials. */
    kd_obs rq = bind_req(50701, "bob@ad.example.test", FALSE, NULL);
    t_feed(h, &rq);
    rs = bind_resp(50701, 50, ad_diag("533"));
    f = t_feed(h, &rs);
    x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_ACCOUNT_DISABLED);
    assert_int_equal(x->confidence, KD_CONF_LIKELY);
    /* A leading error that is no SSPI logon refusal (ERROR_INVALID_PARAMETER). */
    rq = bind_req(50702, "bob@ad.example.test", FALSE, NULL);
    t_feed(h, &rq);
    rs = bind_resp(50702, 49, "00000057: LdapErr: DSID-0C090A37, comment: Error in attribute conversion operation, "
                              "data 533, v4563");
    f = t_feed(h, &rs);
    x = only(h, f);
    assert_int_equal(x->confidence, KD_CONF_LIKELY);
    /* Samba's and Windows's logon refusal with the request seen: confirmed. */
    rq = bind_req(50703, "bob@ad.example.test", FALSE, NULL);
    t_feed(h, &rq);
    rs = bind_resp(50703, 49, "8009030C: LdapErr: DSID-0C0904DC, comment: AcceptSecurityContext error, data 533, v1db1");
    f = t_feed(h, &rs);
    x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_ACCOUNT_DISABLED);
    assert_int_equal(x->confidence, KD_CONF_CONFIRMED);
    t_free(h);
}

/* resultCode 8 on a bind over plain LDAP: signing or TLS required. Samba's words for a
 * simple bind and for an unsigned SASL bind, Active Directory's for either. */
static void
test_signing_required(void **state)
{
    (void)state;
    static const struct {
        gboolean sasl;
        const char *diag;
    } cases[] = {
        { FALSE, "BindSimple: Transport encryption required." },
        { TRUE, "SASL:[GSS-SPNEGO]: Sign or Seal are required." },
        { FALSE, "00002028: LdapErr: DSID-0C090259, comment: The server requires binds to turn on integrity "
                 "checking if SSL\\TLS are not already active on the connection, data 0, v4563" },
        { TRUE, "00002028: LdapErr: DSID-0C09025A, comment: The server requires binds to turn on integrity "
                "checking if SSL\\TLS are not already active on the connection, data 0, v4f7c" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        t_harness *h = t_new(NULL);
        kd_obs rq = bind_req(50800, cases[i].sasl ? NULL : "alice@ad.example.test", cases[i].sasl,
                             cases[i].sasl ? "GSS-SPNEGO" : NULL);
        guint32 r = t_feed(h, &rq);
        kd_obs rs = bind_resp(50800, 8, cases[i].diag);
        guint32 f = t_feed(h, &rs);
        const t_finding *x = only(h, f);
        assert_int_equal(x->cause, KD_CAUSE_LDAP_SIGNING_REQUIRED);
        assert_int_equal(x->confidence, KD_CONF_CONFIRMED);
        assert_true(t_has_evidence(x, r));
        assert_int_equal(t_total(h, KD_CAUSE_LDAP_BIND_FAILED), 0);
        assert_non_null(strstr(x->summary, cases[i].sasl ? "without a security layer" : "simple bind"));
        t_free(h);
    }
    /* A message that names no requirement: the result code alone, likely. */
    t_harness *h = t_new(NULL);
    kd_obs rq = bind_req(50801, "alice@ad.example.test", FALSE, NULL);
    t_feed(h, &rq);
    kd_obs rs = bind_resp(50801, 8, "stronger authentication needed");
    guint32 f = t_feed(h, &rs);
    const t_finding *x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_LDAP_SIGNING_REQUIRED);
    assert_int_equal(x->confidence, KD_CONF_LIKELY);
    /* Look-alikes: the same bind accepted (over TLS, or signed), and invalidCredentials
     * whose text mentions the requirement: no signing cause. */
    rq = bind_req(50802, "alice@ad.example.test", FALSE, NULL);
    t_feed(h, &rq);
    rs = bind_resp(50802, 0, "");
    f = t_feed(h, &rs);
    assert_int_equal(t_count(h, f), 0);
    rq = bind_req(50803, "alice@ad.example.test", FALSE, NULL);
    t_feed(h, &rq);
    rs = bind_resp(50803, 49, "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, "
                              "v1db1 (Transport encryption required)");
    f = t_feed(h, &rs);
    x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_WRONG_PASSWORD);
    assert_int_equal(t_total(h, KD_CAUSE_LDAP_SIGNING_REQUIRED), 1);
    t_free(h);
}

/* Binds that are no failures: anonymous, a good simple bind, SASL's intermediate step
 * and its success, a referral. */
static void
test_lookalikes_no_finding(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs anon = bind_req(50200, "", FALSE, NULL);
    t_feed(h, &anon);
    kd_obs ok = bind_resp(50200, 0, "");
    guint32 f1 = t_feed(h, &ok);
    kd_obs rq = bind_req(50201, NULL, TRUE, "GSS-SPNEGO");
    t_feed(h, &rq);
    kd_obs step = bind_resp(50201, 14, NULL);
    guint32 f2 = t_feed(h, &step);
    kd_obs done = bind_resp(50201, 0, NULL);
    guint32 f3 = t_feed(h, &done);
    kd_obs ref = bind_resp(50202, 10, "see elsewhere, data 52e");
    guint32 f4 = t_feed(h, &ref);
    assert_int_equal(t_count(h, f1) + t_count(h, f2) + t_count(h, f3) + t_count(h, f4), 0);
    t_free(h);
}

/* An anonymous bind refused names no account: no account state, the generic cause. */
static void
test_anonymous_refused(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 f = refused_simple(h, 50300, "", "52e", NULL);
    const t_finding *x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_LDAP_BIND_FAILED);
    assert_null(x->client);
    assert_non_null(strstr(x->details, "anonymous"));
    t_free(h);
}

/* No diagnostic message, one without a data code, an unknown data code, no bind request
 * seen: the generic cause, never an account state. */
static void
test_odd_fields(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 f = refused_simple(h, 50400, "alice@ad.example.test", NULL, NULL);
    const t_finding *x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_LDAP_BIND_FAILED);
    assert_int_equal(x->confidence, KD_CONF_POSSIBLE);
    /* strongerAuthRequired without its bind request: the requirement, only likely. */
    kd_obs rs = bind_resp(50401, 8, "00002028: LdapErr: DSID-0C090259, comment: The server requires binds to turn "
                                    "on integrity checking");
    f = t_feed(h, &rs);
    x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_LDAP_SIGNING_REQUIRED);
    assert_int_equal(x->confidence, KD_CONF_LIKELY);
    assert_null(x->client);
    assert_non_null(strstr(x->summary, "strongerAuthRequired"));
    f = refused_simple(h, 50402, "alice@ad.example.test", "fffff", NULL);
    x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_LDAP_BIND_FAILED);
    /* A diagnostic message of hostile bytes is quoted printable. */
    static const char hostile[] = "\xff\xfe\x01 data 52e\x7f";
    kd_obs rq = bind_req(50403, "alice@ad.example.test", FALSE, NULL);
    t_feed(h, &rq);
    rs = bind_resp(50403, 49, hostile);
    f = t_feed(h, &rs);
    x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_WRONG_PASSWORD);
    for (const char *p = x->details; *p; p++)
        assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
    t_free(h);
}

/* A KRB-ERROR inside the SASL exchange, then the refusal: the refusal inherits the
 * Kerberos failure's cause and cites it. */
static void
test_krb_error_in_bind(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs rq = bind_req(50500, NULL, TRUE, "GSS-SPNEGO");
    t_feed(h, &rq);
    kd_obs ap = t_ap_req(CLIENT, DC, 50500, LDAP_PORT, KD_CARRIER_LDAP, "ldap/dc.ad.example.test", "AD.EXAMPLE.TEST", 3);
    t_feed(h, &ap);
    kd_obs err = t_ap_error(&ap, 44, "ldap/dc.ad.example.test");
    err.transport = KD_TRANSPORT_TCP;
    guint32 ef = t_feed(h, &err);
    const t_finding *k = only(h, ef);
    assert_int_equal(k->cause, KD_CAUSE_STALE_SERVICE_KEY);
    kd_obs rs = bind_resp(50500, 49, ad_diag("0"));
    guint32 f = t_feed(h, &rs);
    const t_finding *x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_LDAP_BIND_FAILED);
    assert_true(x->has_inherited);
    assert_int_equal(x->inherited, KD_CAUSE_STALE_SERVICE_KEY);
    assert_true(t_has_evidence(x, ef));
    /* A KRB-ERROR on another connection is not this bind's. */
    kd_obs rq2 = bind_req(50501, NULL, TRUE, "GSS-SPNEGO");
    t_feed(h, &rq2);
    kd_obs rs2 = bind_resp(50501, 49, ad_diag("0"));
    f = t_feed(h, &rs2);
    x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_LDAP_BIND_FAILED);
    assert_false(x->has_inherited);
    t_free(h);
}

/* An AP-REQ in the bind, no KRB-ERROR, resultCode 49: the server could not use the
 * ticket (as an SMB2 logon failure says); the KDC issued the SPN with another key
 * version before. */
static void
test_silent_ticket_refusal(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs tgs = t_tgs_req(CLIENT, DC, 40000, "ldap/dc.ad.example.test", "AD.EXAMPLE.TEST", "AD.EXAMPLE.TEST", 18, 1);
    t_feed(h, &tgs);
    kd_obs rep = t_rep(&tgs, KD_MSG_TGS_REP, "alice", "ldap/dc.ad.example.test", "AD.EXAMPLE.TEST", 18, 1);
    t_feed(h, &rep);
    kd_obs tgs2 = t_tgs_req(CLIENT, DC, 40001, "ldap/dc.ad.example.test", "AD.EXAMPLE.TEST", "AD.EXAMPLE.TEST", 18, 1);
    t_feed(h, &tgs2);
    kd_obs rep2 = t_rep(&tgs2, KD_MSG_TGS_REP, "alice", "ldap/dc.ad.example.test", "AD.EXAMPLE.TEST", 18, 2);
    t_feed(h, &rep2);
    kd_obs rq = bind_req(50600, NULL, TRUE, "GSS-SPNEGO");
    guint32 r = t_feed(h, &rq);
    kd_obs ap = t_ap_req(CLIENT, DC, 50600, LDAP_PORT, KD_CARRIER_LDAP, "ldap/dc.ad.example.test", "AD.EXAMPLE.TEST", 2);
    guint32 a = t_feed(h, &ap);
    (void)r;
    /* Samba's words for it: "8009030C: ... data 52e": a logon failure, not a password. */
    kd_obs rs = bind_resp(50600, 49, "8009030C: LdapErr: DSID-0C0904DC, comment: AcceptSecurityContext error, "
                                     "data 52e, v1db1");
    guint32 f = t_feed(h, &rs);
    const t_finding *x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_STALE_SERVICE_KEY);
    assert_int_equal(t_total(h, KD_CAUSE_WRONG_PASSWORD), 0);
    assert_true(t_has_evidence(x, a));
    assert_non_null(strstr(x->details, "LDAP SASL GSS-SPNEGO bind refused"));
    /* Look-alike: the same ticket refused with an account state: the state, not the key. */
    kd_obs rq2 = bind_req(50601, NULL, TRUE, "GSS-SPNEGO");
    t_feed(h, &rq2);
    kd_obs ap2 = t_ap_req(CLIENT, DC, 50601, LDAP_PORT, KD_CARRIER_LDAP, "ldap/dc.ad.example.test", "AD.EXAMPLE.TEST", 2);
    t_feed(h, &ap2);
    kd_obs rs2 = bind_resp(50601, 49, ad_diag("533"));
    f = t_feed(h, &rs2);
    x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_ACCOUNT_DISABLED);
    assert_string_equal(x->spn, "ldap/dc.ad.example.test");
    t_free(h);
}

/* --------------------------------------------------------------- rdns_spn */

#define WWW 20

static kd_obs
dns_ptr(const char *rev_name, const char *target)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_DNS);
    o.src = t_ip(3);
    o.dst = t_ip(CLIENT);
    o.sport = 53;
    o.dport = 40000;
    o.transport = KD_TRANSPORT_UDP;
    o.u.dns.qname = rev_name;
    o.u.dns.answers[0].name = rev_name;
    o.u.dns.answers[0].ptr = target;
    o.u.dns.n_answers = 1;
    return o;
}

/* The user opens http://host/; the client asked for spn; the service refuses. */
static guint32
web_refusal(t_harness *h, const char *host, const char *spn, guint32 *ptr_frame, const char *ptr_rev,
            const char *ptr_target)
{
    kd_obs ptr = dns_ptr(ptr_rev, ptr_target);
    *ptr_frame = t_feed(h, &ptr);
    kd_obs tgs = t_tgs_req(CLIENT, 2, 40100, spn, "EXAMPLE.TEST", "EXAMPLE.TEST", 18, 1);
    t_feed(h, &tgs);
    kd_obs rep = t_rep(&tgs, KD_MSG_TGS_REP, "alice", spn, "EXAMPLE.TEST", 18, 1);
    t_feed(h, &rep);
    kd_obs http = t_http_req(CLIENT, WWW, 40200, host);
    t_feed(h, &http);
    kd_obs ap = t_ap_req(CLIENT, WWW, 40200, 80, KD_CARRIER_HTTP, spn, "EXAMPLE.TEST", 1);
    t_feed(h, &ap);
    kd_obs err = t_ap_error(&ap, 35, spn);
    err.transport = KD_TRANSPORT_TCP;
    return t_feed(h, &err);
}

static void
test_rdns_spn(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 ptr;
    guint32 f = web_refusal(h, "www.example.test", "HTTP/web01.example.test", &ptr, "20.0.0.10.in-addr.arpa",
                            "web01.example.test");
    const t_finding *x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_RDNS_SPN);
    assert_int_equal(x->confidence, KD_CONF_CONFIRMED);
    assert_true(t_has_evidence(x, ptr));
    assert_non_null(strstr(x->details, "name given: www.example.test"));
    assert_non_null(strstr(x->details, "reverse DNS (PTR) name: web01.example.test"));
    t_free(h);
}

/* The PTR names the host the user gave (and the client asked for its SPN): the key is
 * wrong for another reason, not reverse DNS. */
static void
test_rdns_same_host(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 ptr;
    guint32 f = web_refusal(h, "www.example.test", "HTTP/www.example.test", &ptr, "20.0.0.10.in-addr.arpa",
                            "www.example.test");
    assert_int_equal(t_total(h, KD_CAUSE_RDNS_SPN), 0);
    assert_true(t_count(h, f) >= 1);
    t_free(h);
    /* The user named the PTR's host himself: nothing was canonicalised. */
    h = t_new(NULL);
    f = web_refusal(h, "web01.example.test:80", "HTTP/web01.example.test", &ptr, "20.0.0.10.in-addr.arpa",
                    "web01.example.test");
    assert_int_equal(t_total(h, KD_CAUSE_RDNS_SPN), 0);
    t_free(h);
    /* The PTR is about another address than the refusing server's. */
    h = t_new(NULL);
    f = web_refusal(h, "www.example.test", "HTTP/web01.example.test", &ptr, "21.0.0.10.in-addr.arpa",
                    "web01.example.test");
    assert_int_equal(t_total(h, KD_CAUSE_RDNS_SPN), 0);
    t_free(h);
}

/* Reverse names that are no address: ignored, never a crash. */
static void
test_rdns_odd_names(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "0.0.10.in-addr.arpa", "1.20.0.0.10.in-addr.arpa", "256.0.0.10.in-addr.arpa", "a.0.0.10.in-addr.arpa",
        ".0.0.10.in-addr.arpa", "20..0.10.in-addr.arpa", "in-addr.arpa", "20.0.0.10.in-addr.arpa.example",
        "1.2.ip6.arpa", "",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        t_harness *h = t_new(NULL);
        guint32 ptr;
        web_refusal(h, "www.example.test", "HTTP/web01.example.test", &ptr, bad[i], "web01.example.test");
        assert_int_equal(t_total(h, KD_CAUSE_RDNS_SPN), 0);
        t_free(h);
    }
    /* A PTR answer without a name. */
    t_harness *h = t_new(NULL);
    guint32 ptr;
    web_refusal(h, "www.example.test", "HTTP/web01.example.test", &ptr, "20.0.0.10.in-addr.arpa", NULL);
    assert_int_equal(t_total(h, KD_CAUSE_RDNS_SPN), 0);
    t_free(h);
}

static kd_obs
dns_a(const char *name, int ip)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_DNS);
    o.src = t_ip(3);
    o.dst = t_ip(CLIENT);
    o.sport = 53;
    o.dport = 40000;
    o.transport = KD_TRANSPORT_UDP;
    o.u.dns.qname = name;
    o.u.dns.answers[0].name = name;
    o.u.dns.answers[0].addr = t_ip(ip);
    o.u.dns.n_answers = 1;
    return o;
}

/* The client resolves given (A), reverse-resolves the address (PTR names ptr_target)
 * and asks the KDC for spn: KDC_ERR_S_PRINCIPAL_UNKNOWN. Returns the error's frame. */
static guint32
unknown_after_dns(t_harness *h, const char *given, const char *ptr_rev, const char *ptr_target, const char *spn,
                  guint32 *a_frame, guint32 *ptr_frame, guint32 *req_frame)
{
    kd_obs a = dns_a(given, WWW);
    *a_frame = t_feed(h, &a);
    kd_obs ptr = dns_ptr(ptr_rev, ptr_target);
    *ptr_frame = t_feed(h, &ptr);
    kd_obs tgs = t_tgs_req(CLIENT, 2, 40300, spn, "EXAMPLE.TEST", "EXAMPLE.TEST", 18, 1);
    *req_frame = t_feed(h, &tgs);
    kd_obs err = t_error(&tgs, 7, "alice", spn);
    return t_feed(h, &err);
}

/* Reverse DNS chose an SPN no account holds: rdns_spn, not the plain missing SPN, with
 * the PTR answer and the name the client resolved as evidence. */
static void
test_rdns_spn_unknown(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 a, ptr, req;
    guint32 f = unknown_after_dns(h, "www.example.test", "20.0.0.10.in-addr.arpa", "web01.example.test",
                                  "HTTP/web01.example.test", &a, &ptr, &req);
    const t_finding *x = only(h, f);
    assert_int_equal(x->cause, KD_CAUSE_RDNS_SPN);
    assert_int_equal(x->confidence, KD_CONF_LIKELY);
    assert_int_equal(x->error_code, 7);
    assert_true(t_has_evidence(x, ptr));
    assert_true(t_has_evidence(x, a));
    assert_true(t_has_evidence(x, req));
    assert_true(has_alternative(x, KD_CAUSE_SPN_MISSING));
    assert_non_null(strstr(x->details, "name given: www.example.test"));
    assert_non_null(strstr(x->details, "reverse DNS (PTR) name: web01.example.test"));
    assert_int_equal(t_total(h, KD_CAUSE_SPN_MISSING), 0);
    t_free(h);
}

/* Look-alikes: the PTR names the host the client resolved (the SPN is missing for no
 * DNS reason); a PTR for another address than the resolved name's; no forward answer
 * at all (an address given): the plain missing SPN. */
static void
test_rdns_unknown_lookalikes(void **state)
{
    (void)state;
    guint32 a, ptr, req;
    t_harness *h = t_new(NULL);
    guint32 f = unknown_after_dns(h, "web01.example.test", "20.0.0.10.in-addr.arpa", "web01.example.test",
                                  "HTTP/web01.example.test", &a, &ptr, &req);
    assert_int_equal(only(h, f)->cause, KD_CAUSE_SPN_MISSING);
    assert_int_equal(t_total(h, KD_CAUSE_RDNS_SPN), 0);
    t_free(h);
    h = t_new(NULL);
    f = unknown_after_dns(h, "www.example.test", "21.0.0.10.in-addr.arpa", "web01.example.test",
                          "HTTP/web01.example.test", &a, &ptr, &req);
    assert_int_equal(only(h, f)->cause, KD_CAUSE_SPN_MISSING);
    t_free(h);
    h = t_new(NULL);
    kd_obs p = dns_ptr("20.0.0.10.in-addr.arpa", "web01.example.test");
    t_feed(h, &p);
    kd_obs tgs = t_tgs_req(CLIENT, 2, 40301, "HTTP/web01.example.test", "EXAMPLE.TEST", "EXAMPLE.TEST", 18, 1);
    t_feed(h, &tgs);
    kd_obs err = t_error(&tgs, 7, "alice", "HTTP/web01.example.test");
    f = t_feed(h, &err);
    assert_int_equal(only(h, f)->cause, KD_CAUSE_SPN_MISSING);
    /* The PTR names another host than the SPN's. */
    t_free(h);
    h = t_new(NULL);
    f = unknown_after_dns(h, "www.example.test", "20.0.0.10.in-addr.arpa", "web02.example.test",
                          "HTTP/web01.example.test", &a, &ptr, &req);
    assert_int_equal(only(h, f)->cause, KD_CAUSE_SPN_MISSING);
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_account_states),
        cmocka_unit_test(test_wrong_password_then_locked),
        cmocka_unit_test(test_channel_binding),
        cmocka_unit_test(test_account_state_confirmation),
        cmocka_unit_test(test_signing_required),
        cmocka_unit_test(test_lookalikes_no_finding),
        cmocka_unit_test(test_anonymous_refused),
        cmocka_unit_test(test_odd_fields),
        cmocka_unit_test(test_krb_error_in_bind),
        cmocka_unit_test(test_silent_ticket_refusal),
        cmocka_unit_test(test_rdns_spn),
        cmocka_unit_test(test_rdns_same_host),
        cmocka_unit_test(test_rdns_odd_names),
        cmocka_unit_test(test_rdns_spn_unknown),
        cmocka_unit_test(test_rdns_unknown_lookalikes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
