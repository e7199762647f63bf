/* kd_testlib.h
 * Helpers for the engine's unit tests: build observations, collect findings.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_TESTLIB_H
#define KD_TESTLIB_H

#include <glib.h>

#include "kd_engine.h"

/* Findings as last emitted, per frame (copies owned by the harness). */
typedef struct {
    guint32 frame;
    kd_cause cause;
    kd_confidence confidence;
    gint32 error_code;
    char *spn, *client, *summary;
    guint32 evidence[KD_MAX_EVIDENCE];
    guint n_evidence;
    kd_cause alternatives[KD_MAX_ALTERNATIVES];
    guint n_alternatives;
    kd_cause ruled_out[KD_MAX_ALTERNATIVES];    /* causes the capture excludes */
    guint n_ruled_out;
    guint32 restates;       /* restates the failure of this frame (evidence, not a failure) */
    guint32 amended_by;     /* frame whose evidence changed the finding after its first emission */
    gboolean has_skew;
    gint64 skew;
    guint32 count;
    gboolean has_inherited;
    kd_cause inherited;
    gboolean recovered;
    guint32 recovered_frame;
    guint n_checks;         /* contradiction checks that passed (confirmed findings) */
    char *details;          /* the detail lines, joined with "\n" ("" when none) */
    char *roles;            /* what each evidence frame shows, joined with "\n" */
    char *missing;          /* what to capture next, or NULL */
} t_finding;

typedef struct {
    kd_engine *eng;
    GHashTable *by_frame;   /* frame -> GPtrArray of t_finding* */
    guint32 frame;          /* next frame number */
    gint64 now_us;          /* capture clock */
} t_harness;

t_harness *t_new(const kd_config *cfg);
void t_free(t_harness *h);
/* Feed one observation as its own frame; returns that frame's number. */
guint32 t_feed(t_harness *h, kd_obs *o);
/* Advance the capture clock. */
void t_sleep(t_harness *h, double seconds);
/* The findings of a frame (NULL when none) and the count. */
guint t_count(t_harness *h, guint32 frame);
const t_finding *t_get(t_harness *h, guint32 frame, guint i);
gboolean t_has_evidence(const t_finding *f, guint32 frame);
/* The one finding of a frame (a test failure when it has none or several). */
const t_finding *only(t_harness *h, guint32 frame);
/* The finding lists c among its candidate causes. */
gboolean has_alternative(const t_finding *f, kd_cause c);
/* Total findings of any frame with this cause. */
guint t_total(t_harness *h, kd_cause cause);

/* The cipher hash the builders give a ticket: one value per (sname, realm, etype,
 * kvno), so a TGS-REQ built with a TGT's fields presents the ticket built with them.
 * Tests about "another ticket with the same kvno" set ticket.cipher_hash themselves. */
guint64 t_ticket_hash(const char *sname, const char *realm, gint32 etype, gint64 kvno);

/* Addresses 10.0.0.N */
kd_addr t_ip(int n);

/* Observation builders (strings are static or owned by the caller). */
kd_obs t_as_req(int client, int kdc, guint16 cport, const char *cname, const char *realm, gboolean preauth);
kd_obs t_tgs_req(int client, int kdc, guint16 cport, const char *sname, const char *realm,
                 const char *tgt_realm, gint32 tgt_etype, gint64 tgt_kvno);
kd_obs t_rep(const kd_obs *req, gint32 msg_type, const char *cname, const char *ticket_sname,
             const char *ticket_realm, gint32 etype, gint64 kvno);
kd_obs t_error(const kd_obs *req, gint32 code, const char *cname, const char *sname);
kd_obs t_ap_req(int client, int server, guint16 cport, guint16 sport, kd_carrier carrier,
                const char *sname, const char *realm, gint64 kvno);
kd_obs t_ap_rep(const kd_obs *ap);
kd_obs t_ap_error(const kd_obs *ap, gint32 code, const char *sname);
kd_obs t_http_req(int client, int server, guint16 cport, const char *host);
kd_obs t_dns_cname(int client, int dns, const char *alias, const char *target, int target_ip);
kd_obs t_ldap_entry(int client, int dc, const char *sam, const char *spn);
/* Transport signs: a SYN to port 88, a segment to port 88 nothing could be read
 * from, an ICMP port unreachable about a datagram to kdc. */
kd_obs t_tcp_syn(int client, int kdc, guint16 cport);
kd_obs t_tcp_partial(int client, int kdc, guint16 cport);
kd_obs t_icmp_unreachable(int client, int kdc);
/* The same message over TCP (ports kept). */
kd_obs t_over_tcp(kd_obs o);

/* Scenarios shared by a rule's own test and the test that switches its group off:
 * each builds one situation in one place, so that both feed the same frames. The
 * hosts are the engine tests' own: */
#define T_REALM "EXAMPLE.TEST"
#define T_KDC 2
#define T_DNS 3
#define T_CLIENT 10
#define T_WEB 20

/* A TGS exchange for sname (ticket kvno), then a GET to host carrying the AP-REQ on
 * T_CLIENT:cport -> T_WEB:80 (the HTTP request and the AP-REQ in one frame). Returns
 * the AP-REQ, its frame set to the request's; the frames are optional outputs. */
kd_obs t_http_attempt(t_harness *h, const char *host, const char *sname, gint64 kvno, guint16 cport,
                      guint32 *tgs_frame, guint32 *http_frame);
/* cname's pre-authenticated AS-REQ from T_CLIENT:cport answered KDC_ERR_PREAUTH_FAILED
 * (wrong_password). Returns the error's frame; req_frame (optional): the request's. */
guint32 t_scene_wrong_password(t_harness *h, const char *cname, guint16 cport, guint32 *req_frame);
/* alias.example.test CNAME web01.example.test; the client asks for
 * HTTP/web01.example.test and the GET to alias.example.test gets KRB_AP_ERR_MODIFIED
 * (cname_spn). Returns the error's frame; the other frames are optional outputs. */
guint32 t_scene_cname_spn(t_harness *h, guint32 *dns_frame, guint32 *tgs_frame, guint32 *http_frame);
/* A TGS-REQ for spn answered KDC_ERR_S_PRINCIPAL_UNKNOWN, then LDAP entries of two
 * accounts (svc_app, svc_old) holding spn (duplicate_spn, learnt late). Returns the
 * error's frame; ldap_frame (optional): the second entry's. */
guint32 t_scene_duplicate_spn_late(t_harness *h, const char *spn, guint32 *ldap_frame);
/* alice's AS-REQ offering only etype 20, answered KDC_ERR_ETYPE_NOSUPP with
 * ETYPE-INFO2 naming 18 only (etype_no_common). Returns the error's frame. */
guint32 t_scene_etype_no_common(t_harness *h);
/* alice's AS-REQ over UDP answered KRB_ERR_RESPONSE_TOO_BIG (response_too_big).
 * Returns the error's frame. */
guint32 t_scene_response_too_big(t_harness *h);
/* The client's retry of that AS-REQ over TCP. Returns its frame. */
guint32 t_scene_retry_over_tcp(t_harness *h);
/* alice's AS-REQ sent three times, 1 s then 3 s apart, never answered
 * (kdc_unreachable). Returns the first frame; the others are optional outputs. */
guint32 t_scene_silent_kdc(t_harness *h, guint32 *second, guint32 *third);

/* A tiny DER writer, so that parser inputs are built, not hand-counted. Each
 * function takes ownership of its GByteArray arguments (NULL is an empty body). */
GByteArray *t_der_tlv(guint8 tag, GByteArray *body);
GByteArray *t_der_cat(GByteArray *a, GByteArray *b);
GByteArray *t_der_int(gint64 v);                    /* INTEGER, shortest form */
GByteArray *t_der_bytes(guint8 tag, const void *p, gsize n);

#endif /* KD_TESTLIB_H */
