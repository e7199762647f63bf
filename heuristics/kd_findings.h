/* kd_findings.h
 * Building, amending and emitting findings; findings that wait for later evidence.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A frame's findings are kept (capped) while later evidence may still amend them.
 * Every frame touched during one kd_engine_feed() is "dirty" and emitted at its end.
 */
#ifndef KD_FINDINGS_H
#define KD_FINDINGS_H

#include "kd_engine.h"
#include "kd_store.h"

typedef struct kd_findings kd_findings;

kd_findings *kd_findings_new(const kd_config *cfg);
void kd_findings_free(kd_findings *fx);
guint kd_findings_tables(const kd_findings *fx, const char **names, guint *sizes, guint max);

/* A feed of the observations of `frame` starts: nothing is dirty. */
void kd_findings_begin(kd_findings *fx, guint32 frame);
/* A feed ends: every dirty frame's findings go to emit. */
void kd_findings_emit(kd_findings *fx, kd_emit_fn emit, void *user);

/* A new finding on frame. NULL when its rule group is switched off (a Kerberos
 * error then gets the generic krb_error finding instead). */
kd_finding *kd_finding_add(kd_findings *fx, guint32 frame, kd_cause cause, kd_confidence conf,
                           gint32 error_code, const char *spn, const char *client);
/* The finding at (frame, position) if still held, for amendment; marks the frame dirty. */
kd_finding *kd_finding_lookup(kd_findings *fx, guint32 frame, guint position);
guint kd_findings_count(kd_findings *fx, guint32 frame);

/* Amending a finding; each accepts NULL. */
void kd_finding_evidence(kd_finding *f, guint32 frame, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void kd_finding_detail(kd_finding *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void kd_finding_summary(kd_finding *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void kd_finding_alternative(kd_finding *f, kd_cause cause);
/* The capture excludes `cause` for this failure, by what fmt says (it leaves the
 * candidates). A confirmed finding keeps no candidate: each is ruled out by what the
 * capture shows, or the finding is emitted as likely. */
void kd_finding_rule_out(kd_finding *f, kd_cause cause, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Later evidence gives the finding another cause: what the earlier cause concluded
 * (summary, details, candidates, ruled-out causes, what to capture, checks) goes; the
 * facts stay (error, names, count, status, the evidence frames, a recovery). The new
 * cause then writes its parts. */
void kd_finding_recause(kd_finding *f, kd_cause cause, kd_confidence conf);
/* f is a symptom of the failure `why` in why_frame (an RPC status, an NTLM logon):
 * it inherits that cause and error, and cites that frame (with role) and its evidence. */
void kd_finding_inherit(kd_finding *f, const kd_finding *why, guint32 why_frame, const char *role);
/* The KDC or service the failure is with, when it is not the sender of the frame. */
void kd_finding_peer(kd_finding *f, const char *peer);
void kd_finding_set_missing(kd_finding *f, const char *text);
/* The finding is about a DCE/RPC status (a fault): recorded and shown as a detail. */
void kd_finding_rpc_status(kd_finding *f, guint32 status);
/* The client recovered from the failure in `frame` (the success): the finding
 * becomes a note and the success is evidence. */
void kd_finding_recovered(kd_finding *f, guint32 frame, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* A claim and the checks that could contradict it. A rule declares each check (what
 * in the capture would contradict the claim), runs it and records the result;
 * kd_finding_confirm() then makes the finding confirmed only when at least one check
 * was declared, every declared check ran and none found a contradiction. A finding
 * marked confirmed any other way is emitted as likely: confirmation cannot be
 * forgotten into a finding. */
typedef struct {
    const char *what[KD_MAX_CHECKS];    /* the contradiction looked for (static text) */
    gboolean ran[KD_MAX_CHECKS];
    gboolean contradicted[KD_MAX_CHECKS];
    guint n;
    gboolean overflow;                  /* more checks than room: never confirmed */
} kd_claim;

void kd_claim_init(kd_claim *c);
/* Declare a check; returns its index for kd_claim_result(). */
guint kd_claim_declare(kd_claim *c, const char *contradiction);
void kd_claim_result(kd_claim *c, guint check, gboolean contradicted);
/* Declare and run a check at once; returns !contradicted. */
gboolean kd_claim_check(kd_claim *c, const char *contradiction, gboolean contradicted);
/* Every declared check ran and none found a contradiction (and there is one). */
gboolean kd_claim_holds(const kd_claim *c);
/* confirmed when the claim holds, else at most likely; returns whether confirmed. */
gboolean kd_finding_confirm(kd_finding *f, const kd_claim *c);
/* The common case of a claim with one check, run on the spot. */
gboolean kd_finding_confirm_one(kd_finding *f, const char *contradiction, gboolean contradicted);

/* Evidence lines from store records, shared by rule families. */
void kd_finding_issue_evidence(kd_finding *f, const kd_issue *it, const char *spn);
/* The accounts LDAP showed holding spn (nothing when f or spn is missing). */
void kd_finding_owner_evidence(kd_finding *f, kd_store *st, const char *spn);

/* Waits: "the latest finding of frame awaits evidence of this kind about subject".
 * Subjects compare without case. */
typedef enum {
    KD_WAIT_PREAUTH,        /* PREAUTH_REQUIRED: a pre-authenticated AS-REQ ("client|kdc|cname") */
    KD_WAIT_TCP_RETRY,      /* RESPONSE_TOO_BIG: a TCP request ("client|kdc") */
    KD_WAIT_OWNERS,         /* a failure about an SPN: LDAP showing its owners (the SPN) */
    KD_WAIT_UNANSWERED,     /* an open "KDC does not answer" series ("client|kdc") */
    KD_WAIT_UNANSWERED_CLIENT, /* the same series, by client alone ("client"): another KDC may answer */
    KD_WAIT_UNANSWERED_DECIDED, /* the finding on the frame that decided the series ("client|kdc") */
    KD_WAIT_TCP_DROPPED,    /* TCP attempts left unanswered, repeated over UDP ("client|kdc") */
    KD_WAIT_RECOVERY,       /* failures a later success would recover ("client|exchange|principal") */
    KD_WAIT_USER_TO_USER,   /* a refused service ticket a user-to-user request for the same
                             * principal would explain ("client|principal") */
    KD_WAIT_TICKET_CLAIM    /* a claim about a ticket a later verdict on it would contradict
                             * ("ok|kdc|hash": kdc accepting it; "no|kdc|hash": kdc refusing it) */
} kd_wait_kind;

void kd_wait_set(kd_findings *fx, kd_wait_kind kind, const char *subject, guint32 frame);
/* A wait is registered (its finding may have been dropped since). */
gboolean kd_wait_pending(kd_findings *fx, kd_wait_kind kind, const char *subject);
/* The waiting finding, or NULL; kd_wait_take also ends the wait. */
kd_finding *kd_wait_peek(kd_findings *fx, kd_wait_kind kind, const char *subject);
kd_finding *kd_wait_take(kd_findings *fx, kd_wait_kind kind, const char *subject);
void kd_wait_cancel(kd_findings *fx, kd_wait_kind kind, const char *subject);
/* KD_WAIT_OWNERS, KD_WAIT_RECOVERY and KD_WAIT_USER_TO_USER keep every finding set on a subject (the
 * latest KD_WAIT_LIST_MAX), not only the latest: late evidence amends them all.
 * kd_wait_take_all ends the wait and returns its findings still held, oldest first. */
#define KD_WAIT_LIST_MAX 16
guint kd_wait_take_all(kd_findings *fx, kd_wait_kind kind, const char *subject, kd_finding **out, guint max);

#endif /* KD_FINDINGS_H */
