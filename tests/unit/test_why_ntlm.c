/* test_why_ntlm.c
 * Unit tests of why a logon used NTLM when no Kerberos failure precedes it
 * (ntlm_server_only, ntlm_ip_target, ntlm_no_kdc_contact, ntlm_spnego_ntlm_only),
 * and of a Kerberos token too large for the web server (token_too_large): each
 * with the benign look-alikes that must not get it.
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

#include "kd_gsskrb.h"
#include "kd_testlib.h"

#define REALM "EXAMPLE.TEST"
#define KDC 2
#define CLIENT 10
#define WEB 20
#define CPORT 40000

static kd_obs
ntlm(guint32 type, const char *user, guint8 mechs)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_NTLMSSP);
    o.src = t_ip(CLIENT);
    o.dst = t_ip(WEB);
    o.sport = CPORT;
    o.dport = 80;
    o.transport = KD_TRANSPORT_TCP;
    o.u.ntlmssp.message_type = type;
    o.u.ntlmssp.carrier = KD_CARRIER_HTTP;
    o.u.ntlmssp.user = user;
    o.u.ntlmssp.domain = user && *user ? "EXAMPLE" : NULL;
    o.u.ntlmssp.spnego_mechs = type == 1 ? mechs : 0;
    return o;
}

/* The server's answer on the client's connection: schemes offered, or a status. */
static kd_obs
http_answer(guint32 offers, kd_auth_scheme first, guint16 status, gboolean too_long)
{
    kd_obs o;
    kd_obs_init(&o, KD_OBS_HTTP);
    o.src = t_ip(WEB);
    o.dst = t_ip(CLIENT);
    o.sport = 80;
    o.dport = CPORT;
    o.transport = KD_TRANSPORT_TCP;
    o.u.http.offers = offers;
    o.u.http.auth = first;
    o.u.http.status = status;
    o.u.http.says_header_too_long = too_long;
    return o;
}

static kd_obs
http_request(const char *host, kd_auth_scheme auth, guint32 auth_len)
{
    kd_obs o = t_http_req(CLIENT, WEB, CPORT, host);
    o.u.http.auth = auth;
    o.u.http.auth_len = auth_len;
    return o;
}

#define OFFERS_NEGOTIATE (KD_AUTH_BIT(KD_AUTH_NEGOTIATE) | KD_AUTH_BIT(KD_AUTH_NTLM))
#define OFFERS_NTLM KD_AUTH_BIT(KD_AUTH_NTLM)

/* 401 offering `offers`, then the client's NEGOTIATE in a request to `host` with scheme
 * `auth`, the server's 401 carrying the CHALLENGE in that scheme alone (as every server
 * answers), and the AUTHENTICATE: returns the AUTHENTICATE's frame. */
static guint32
logon(t_harness *h, guint32 offers, const char *host, kd_auth_scheme auth, guint8 mechs, const char *user)
{
    kd_obs offer = http_answer(offers, offers & KD_AUTH_BIT(KD_AUTH_NEGOTIATE) ? KD_AUTH_NEGOTIATE_BARE : KD_AUTH_NTLM,
                               0, FALSE);
    assert_int_equal(t_count(h, t_feed(h, &offer)), 0);
    kd_obs r1 = http_request(host, auth, 200);
    t_feed(h, &r1);
    kd_obs neg = ntlm(1, NULL, mechs);
    assert_int_equal(t_count(h, t_feed(h, &neg)), 0);
    kd_auth_scheme continued = auth == KD_AUTH_NTLM ? KD_AUTH_NTLM : KD_AUTH_NEGOTIATE;
    kd_obs challenge = http_answer(KD_AUTH_BIT(continued), continued, 0, FALSE);
    assert_int_equal(t_count(h, t_feed(h, &challenge)), 0);
    kd_obs r2 = http_request(host, auth, 700);
    t_feed(h, &r2);
    kd_obs auth3 = ntlm(3, user, 0);
    return t_feed(h, &auth3);
}

/* The client got its TGT: it has Kerberos credentials. */
static void
kdc_contact(t_harness *h)
{
    kd_obs as = t_as_req(CLIENT, KDC, 50000, "alice", REALM, TRUE);
    t_feed(h, &as);
    kd_obs rep = t_rep(&as, KD_MSG_AS_REP, "alice", "krbtgt/" REALM, REALM, 18, 1);
    t_feed(h, &rep);
}

static void
test_server_offers_ntlm_only_is_a_note(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    guint32 af = logon(h, OFFERS_NTLM, "intranet.example.test", KD_AUTH_NTLM, 0, "alice");
    const t_finding *f = only(h, af);
    assert_int_equal(f->cause, KD_CAUSE_NTLM_SERVER_ONLY);
    assert_int_equal(f->confidence, KD_CONF_CONFIRMED);
    assert_true(f->n_checks > 0);
    assert_int_equal(f->n_alternatives, 0);
    assert_true(t_has_evidence(f, 1));          /* the 401 offering NTLM only */
    assert_string_equal(f->client, "alice");
    assert_non_null(strstr(f->summary, "offered NTLM only"));
    assert_int_equal(t_total(h, KD_CAUSE_NTLM_NO_KDC_CONTACT), 0);
    t_free(h);
}

/* DCE/RPC asking for NTLMSSP itself (auth type 10): the application's choice, a note. */
static void
test_rpc_bind_ntlmssp_is_a_note(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs neg = ntlm(1, NULL, 0);
    neg.u.ntlmssp.carrier = KD_CARRIER_DCERPC;
    neg.u.ntlmssp.rpc_auth_type = RPC_C_AUTHN_WINNT;
    neg.dport = 135;
    t_feed(h, &neg);
    kd_obs auth = ntlm(3, "alice", 0);
    auth.u.ntlmssp.carrier = KD_CARRIER_DCERPC;
    auth.u.ntlmssp.rpc_auth_type = RPC_C_AUTHN_WINNT;
    auth.dport = 135;
    const t_finding *f = only(h, t_feed(h, &auth));
    assert_int_equal(f->cause, KD_CAUSE_NTLM_SERVER_ONLY);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    /* SPNEGO over DCE/RPC (auth type 9) is not NTLM by design: nothing shown, nothing said */
    t_harness *h2 = t_new(NULL);
    kdc_contact(h2);
    auth.sport = CPORT + 1;
    auth.u.ntlmssp.rpc_auth_type = RPC_C_AUTHN_GSS_NEGOTIATE;
    assert_int_equal(t_count(h2, t_feed(h2, &auth)), 0);
    t_free(h2);
    t_free(h);
}

static void
test_anonymous_never(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    assert_int_equal(t_count(h, logon(h, OFFERS_NTLM, "10.0.0.20", KD_AUTH_NTLM, KD_GSSKRB_OFFERS_NTLMSSP, "")), 0);
    assert_int_equal(t_count(h, logon(h, OFFERS_NEGOTIATE, "10.0.0.20", KD_AUTH_NEGOTIATE, KD_GSSKRB_OFFERS_NTLMSSP,
                                      NULL)), 0);
    t_free(h);
}

static void
test_ip_target(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kdc_contact(h);
    guint32 af = logon(h, OFFERS_NEGOTIATE, "10.0.0.20:8080", KD_AUTH_NEGOTIATE, KD_GSSKRB_OFFERS_NTLMSSP, "alice");
    const t_finding *f = only(h, af);
    assert_int_equal(f->cause, KD_CAUSE_NTLM_IP_TARGET);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_non_null(strstr(f->summary, "10.0.0.20:8080"));
    /* the client also offered NTLM only: a candidate; the server offered Negotiate: ruled out */
    assert_true(has_alternative(f, KD_CAUSE_NTLM_SPNEGO_NTLM_ONLY));
    gboolean server_ruled_out = FALSE;
    for (guint i = 0; i < f->n_ruled_out; i++)
        server_ruled_out = server_ruled_out || f->ruled_out[i] == KD_CAUSE_NTLM_SERVER_ONLY;
    assert_true(server_ruled_out);
    t_free(h);
}

/* A bracketed IPv6 literal is an address; a name with a port is not. */
static void
test_ip_target_forms(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kdc_contact(h);
    const t_finding *f = only(h, logon(h, OFFERS_NEGOTIATE, "[fd00::20]:80", KD_AUTH_NEGOTIATE, 0, "alice"));
    assert_int_equal(f->cause, KD_CAUSE_NTLM_IP_TARGET);
    t_free(h);
    h = t_new(NULL);
    kdc_contact(h);
    /* a name, Kerberos offered and contacted, no SPNEGO list read: nothing to say */
    assert_int_equal(t_count(h, logon(h, OFFERS_NEGOTIATE, "web.example.test:8080", KD_AUTH_NEGOTIATE, 0, "alice")), 0);
    t_free(h);
}

static void
test_no_kdc_contact(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    /* the capture shows traffic long before the logon */
    kd_obs early = http_answer(OFFERS_NEGOTIATE, KD_AUTH_NEGOTIATE_BARE, 0, FALSE);
    early.dport = CPORT + 7;
    t_feed(h, &early);
    t_sleep(h, 120.0);
    guint32 af = logon(h, OFFERS_NEGOTIATE, "web.example.test", KD_AUTH_NEGOTIATE, KD_GSSKRB_OFFERS_NTLMSSP, "alice");
    const t_finding *f = only(h, af);
    assert_int_equal(f->cause, KD_CAUSE_NTLM_NO_KDC_CONTACT);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_non_null(strstr(f->summary, "did not start just before"));
    assert_true(has_alternative(f, KD_CAUSE_NTLM_SPNEGO_NTLM_ONLY));
    assert_false(has_alternative(f, KD_CAUSE_NTLM_IP_TARGET));
    t_free(h);
}

/* The capture begins with the logon: it may have missed the Kerberos exchange. */
static void
test_no_kdc_contact_late_capture_possible(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    const t_finding *f = only(h, logon(h, OFFERS_NEGOTIATE, "web.example.test", KD_AUTH_NEGOTIATE,
                                       KD_GSSKRB_OFFERS_NTLMSSP, "alice"));
    assert_int_equal(f->cause, KD_CAUSE_NTLM_NO_KDC_CONTACT);
    assert_int_equal(f->confidence, KD_CONF_POSSIBLE);
    assert_non_null(strstr(f->summary, "may have started after"));
    t_free(h);
}

static void
test_spnego_ntlm_only_with_kerberos_credentials(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kdc_contact(h);
    guint32 af = logon(h, OFFERS_NEGOTIATE, "web.example.test", KD_AUTH_NEGOTIATE, KD_GSSKRB_OFFERS_NTLMSSP, "alice");
    const t_finding *f = only(h, af);
    assert_int_equal(f->cause, KD_CAUSE_NTLM_SPNEGO_NTLM_ONLY);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_true(t_has_evidence(f, 1));          /* the AS-REQ: the client talks to a KDC */
    t_free(h);
    /* Kerberos listed first, NTLM chosen by the server's answer: not "NTLM only" */
    h = t_new(NULL);
    kdc_contact(h);
    assert_int_equal(t_count(h, logon(h, OFFERS_NEGOTIATE, "web.example.test", KD_AUTH_NEGOTIATE,
                                      KD_GSSKRB_OFFERS_KRB5 | KD_GSSKRB_OFFERS_NTLMSSP, "alice")), 0);
    t_free(h);
}

/* curl --ntlm against a server offering Negotiate too: the client chose NTLM. */
static void
test_client_answers_negotiate_with_ntlm(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kdc_contact(h);
    const t_finding *f = only(h, logon(h, OFFERS_NEGOTIATE, "web.example.test", KD_AUTH_NTLM, 0, "alice"));
    assert_int_equal(f->cause, KD_CAUSE_NTLM_SPNEGO_NTLM_ONLY);
    assert_non_null(strstr(f->summary, "Authorization: NTLM"));
    t_free(h);
}

/* A Kerberos failure just before keeps today's ntlm_fallback: one finding per logon. */
static void
test_fallback_takes_precedence(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = t_tgs_req(CLIENT, KDC, 50000, "HTTP/10.0.0.20", REALM, REALM, 18, 2);
    t_feed(h, &req);
    kd_obs err = t_error(&req, 7, "alice", "HTTP/10.0.0.20");
    t_feed(h, &err);
    guint32 af = logon(h, OFFERS_NEGOTIATE, "10.0.0.20", KD_AUTH_NEGOTIATE, KD_GSSKRB_OFFERS_NTLMSSP, "alice");
    assert_int_equal(t_count(h, af), 1);
    assert_int_equal(t_get(h, af, 0)->cause, KD_CAUSE_NTLM_FALLBACK);
    t_free(h);
}

/* An SMB2 session set-up with NTLMSSP (no 401, no SPNEGO list read): NEGOTIATE, then
 * AUTHENTICATE as `user` whose NTLMv2 response names `target`. Returns its frame. */
static guint32
smb2_logon(t_harness *h, const char *target, const char *user)
{
    kd_obs neg = ntlm(1, NULL, 0);
    neg.u.ntlmssp.carrier = KD_CARRIER_SMB2;
    neg.dport = 445;
    assert_int_equal(t_count(h, t_feed(h, &neg)), 0);
    kd_obs auth = ntlm(3, user, 0);
    auth.u.ntlmssp.carrier = KD_CARRIER_SMB2;
    auth.u.ntlmssp.target_name = target;
    auth.dport = 445;
    return t_feed(h, &auth);
}

/* smbclient //10.0.0.5/share with a TGT in its cache: the NTLM target name is an
 * address, read on the AUTHENTICATE itself. */
static void
test_ip_target_smb2_target_name(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kdc_contact(h);
    const t_finding *f = only(h, smb2_logon(h, "cifs/10.0.0.5", "alice"));
    assert_int_equal(f->cause, KD_CAUSE_NTLM_IP_TARGET);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_non_null(strstr(f->summary, "NTLM target name is cifs/10.0.0.5"));
    assert_null(strstr(f->summary, "Host:"));
    assert_string_equal(f->client, "alice");
    /* the client did talk to a KDC: not a client without Kerberos */
    gboolean no_kdc_ruled_out = FALSE;
    for (guint i = 0; i < f->n_ruled_out; i++)
        no_kdc_ruled_out = no_kdc_ruled_out || f->ruled_out[i] == KD_CAUSE_NTLM_NO_KDC_CONTACT;
    assert_true(no_kdc_ruled_out);
    t_free(h);
    /* an IPv6 literal, an SPN with a port */
    h = t_new(NULL);
    kdc_contact(h);
    assert_int_equal(only(h, smb2_logon(h, "HTTP/[fd00::5]:8080", "alice"))->cause, KD_CAUSE_NTLM_IP_TARGET);
    t_free(h);
}

/* A host name for a target is not an address; an anonymous logon says nothing; a
 * target name without a "/" is no SPN. */
static void
test_ip_target_smb2_look_alikes(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kdc_contact(h);
    assert_int_equal(t_count(h, smb2_logon(h, "cifs/fileserver.example.test", "alice")), 0);
    t_free(h);
    h = t_new(NULL);
    kdc_contact(h);
    assert_int_equal(t_count(h, smb2_logon(h, "cifs/10.0.0.5", "")), 0);
    assert_int_equal(t_count(h, smb2_logon(h, "cifs/10.0.0.5", NULL)), 0);
    t_free(h);
    h = t_new(NULL);
    kdc_contact(h);
    assert_int_equal(t_count(h, smb2_logon(h, "10.0.0.5", "alice")), 0);
    t_free(h);
    /* an HTTP logon to a host name whose NTLM target name is that name: ruled out */
    h = t_new(NULL);
    kdc_contact(h);
    kd_obs offer = http_answer(OFFERS_NEGOTIATE, KD_AUTH_NEGOTIATE_BARE, 0, FALSE);
    t_feed(h, &offer);
    kd_obs neg = ntlm(1, NULL, KD_GSSKRB_OFFERS_NTLMSSP);
    t_feed(h, &neg);
    kd_obs auth = ntlm(3, "alice", 0);
    auth.u.ntlmssp.target_name = "HTTP/web.example.test";
    const t_finding *f = only(h, t_feed(h, &auth));
    assert_int_equal(f->cause, KD_CAUSE_NTLM_SPNEGO_NTLM_ONLY);
    gboolean ip_ruled_out = FALSE;
    for (guint i = 0; i < f->n_ruled_out; i++)
        ip_ruled_out = ip_ruled_out || f->ruled_out[i] == KD_CAUSE_NTLM_IP_TARGET;
    assert_true(ip_ruled_out);
    t_free(h);
}

/* Odd input: no host, no offers seen, no SPNEGO list, an empty domain. */
static void
test_missing_fields(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs neg = ntlm(1, NULL, 0);
    t_feed(h, &neg);
    kd_obs auth = ntlm(3, "alice", 0);
    auth.u.ntlmssp.domain = NULL;
    /* nothing shows the client chose among schemes: no claim */
    assert_int_equal(t_count(h, t_feed(h, &auth)), 0);
    t_free(h);
}

/* ---------------------------------------------------------- token_too_large */

/* A 400 saying a request header is too long, answering a request with a Negotiate
 * token: likely, never confirmed. The server does not say which header; a Cookie
 * longer than the Authorization header gets the same 400 (the look-alike the capture
 * cannot tell apart: only the Authorization header's length is read). */
static void
test_token_too_large_400_says_so(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = http_request("web.example.test", KD_AUTH_NEGOTIATE, 2100);
    guint32 rf = t_feed(h, &req);
    kd_obs bad = http_answer(0, KD_AUTH_NONE, 400, TRUE);
    const t_finding *f = only(h, t_feed(h, &bad));
    assert_int_equal(f->cause, KD_CAUSE_TOKEN_TOO_LARGE);
    assert_int_equal(f->confidence, KD_CONF_LIKELY);
    assert_int_equal(f->n_checks, 0);
    assert_true(t_has_evidence(f, rf));
    assert_non_null(strstr(f->summary, "2100 bytes"));
    assert_non_null(strstr(f->summary, "Cookie"));
    assert_non_null(f->missing);
    assert_non_null(strstr(f->missing, "which header"));
    t_free(h);
}

static void
test_token_too_large_400_large_header_possible(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = http_request("web.example.test", KD_AUTH_NEGOTIATE, 15000);
    t_feed(h, &req);
    kd_obs bad = http_answer(0, KD_AUTH_NONE, 400, FALSE);
    const t_finding *f = only(h, t_feed(h, &bad));
    assert_int_equal(f->cause, KD_CAUSE_TOKEN_TOO_LARGE);
    assert_int_equal(f->confidence, KD_CONF_POSSIBLE);
    assert_non_null(f->missing);
    t_free(h);
}

/* A 400 for another reason: a small header and no word about its length; a 400 to a
 * request without Kerberos; a large Basic header. */
static void
test_token_too_large_look_alikes(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = http_request("web.example.test", KD_AUTH_NEGOTIATE, 1800);
    t_feed(h, &req);
    kd_obs bad = http_answer(0, KD_AUTH_NONE, 400, FALSE);
    assert_int_equal(t_count(h, t_feed(h, &bad)), 0);
    t_free(h);
    h = t_new(NULL);
    bad = http_answer(0, KD_AUTH_NONE, 400, TRUE);
    assert_int_equal(t_count(h, t_feed(h, &bad)), 0);       /* no request with a token */
    req = http_request("web.example.test", KD_AUTH_OTHER, 20000);
    t_feed(h, &req);
    assert_int_equal(t_count(h, t_feed(h, &bad)), 0);       /* Basic, not Kerberos */
    t_free(h);
    /* The server says a header is too long, but the request's Authorization header
     * carries no Kerberos token (a bare "Negotiate", NTLM): another header was. */
    static const kd_auth_scheme no_token[] = { KD_AUTH_NEGOTIATE_BARE, KD_AUTH_NTLM };
    for (gsize i = 0; i < G_N_ELEMENTS(no_token); i++) {
        h = t_new(NULL);
        req = http_request("web.example.test", no_token[i], 40);
        t_feed(h, &req);
        assert_int_equal(t_count(h, t_feed(h, &bad)), 0);
        assert_int_equal(t_total(h, KD_CAUSE_TOKEN_TOO_LARGE), 0);
        t_free(h);
    }
}

/* A 401 loop: two large tokens in a row, each answered with a new challenge. */
static void
test_token_too_large_401_loop(void **state)
{
    (void)state;
    t_harness *h = t_new(NULL);
    kd_obs req = http_request("web.example.test", KD_AUTH_NEGOTIATE, 14000);
    t_feed(h, &req);
    kd_obs again = http_answer(KD_AUTH_BIT(KD_AUTH_NEGOTIATE), KD_AUTH_NEGOTIATE_BARE, 0, FALSE);
    assert_int_equal(t_count(h, t_feed(h, &again)), 0);    /* once is a challenge */
    t_feed(h, &req);
    const t_finding *f = only(h, t_feed(h, &again));
    assert_int_equal(f->cause, KD_CAUSE_TOKEN_TOO_LARGE);
    assert_int_equal(f->confidence, KD_CONF_POSSIBLE);
    t_free(h);
    /* small tokens answered 401 twice (a wrong key, a refused ticket): not this */
    h = t_new(NULL);
    req = http_request("web.example.test", KD_AUTH_NEGOTIATE, 1500);
    t_feed(h, &req);
    t_feed(h, &again);
    t_feed(h, &req);
    assert_int_equal(t_count(h, t_feed(h, &again)), 0);
    t_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_offers_ntlm_only_is_a_note),
        cmocka_unit_test(test_rpc_bind_ntlmssp_is_a_note),
        cmocka_unit_test(test_anonymous_never),
        cmocka_unit_test(test_ip_target),
        cmocka_unit_test(test_ip_target_forms),
        cmocka_unit_test(test_ip_target_smb2_target_name),
        cmocka_unit_test(test_ip_target_smb2_look_alikes),
        cmocka_unit_test(test_no_kdc_contact),
        cmocka_unit_test(test_no_kdc_contact_late_capture_possible),
        cmocka_unit_test(test_spnego_ntlm_only_with_kerberos_credentials),
        cmocka_unit_test(test_client_answers_negotiate_with_ntlm),
        cmocka_unit_test(test_fallback_takes_precedence),
        cmocka_unit_test(test_missing_fields),
        cmocka_unit_test(test_token_too_large_400_says_so),
        cmocka_unit_test(test_token_too_large_400_large_header_possible),
        cmocka_unit_test(test_token_too_large_look_alikes),
        cmocka_unit_test(test_token_too_large_401_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
