/* kd_engine.h
 * The diagnosis engine: observations in, findings out.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Feed the observations of each frame in capture order with kd_engine_feed().
 * The engine keeps a bounded correlation store and calls the emit callback with
 * the complete list of findings of a frame whenever that list is created or
 * amended (evidence arriving later can amend an earlier frame's findings).
 */
#ifndef KD_ENGINE_H
#define KD_ENGINE_H

#include <glib.h>

#include "kd_catalog.h"
#include "kd_keytab.h"
#include "kd_obs.h"

#define KD_MAX_EVIDENCE     10
#define KD_MAX_ALTERNATIVES 4
#define KD_MAX_DETAILS      8
#define KD_MAX_CHECKS       8

typedef enum {
    KD_CONF_INFO = 0,
    KD_CONF_POSSIBLE,
    KD_CONF_LIKELY,
    KD_CONF_CONFIRMED
} kd_confidence;

const char *kd_confidence_name(kd_confidence c);

typedef struct {
    guint32 frame;
    char *role;                 /* one line: what this frame shows */
} kd_evidence;

/* A cause the capture excludes for this failure, and what excludes it. */
typedef struct {
    kd_cause cause;
    char *by;                   /* what in the capture rules it out */
} kd_ruled_out;

typedef struct {
    guint32 frame;              /* the frame the finding is shown on */
    kd_cause cause;             /* top-ranked cause */
    kd_confidence confidence;
    gint32 error_code;          /* Kerberos error code, -1 when none (NTLM fallback, RPC status) */
    char *spn;                  /* service principal (no realm), or NULL */
    char *client;               /* client principal (no realm), or NULL */
    char *summary;              /* one line specific to this case */
    kd_evidence evidence[KD_MAX_EVIDENCE];
    guint n_evidence;
    kd_cause alternatives[KD_MAX_ALTERNATIVES];  /* other candidates, ranked: none once confirmed */
    guint n_alternatives;
    kd_ruled_out ruled_out[KD_MAX_ALTERNATIVES]; /* other causes the capture excludes */
    guint n_ruled_out;
    char *missing;              /* what to capture to decide, when candidates remain */
    char *details[KD_MAX_DETAILS]; /* "name: value" lines */
    guint n_details;
    gboolean has_skew;
    gint64 skew_seconds;        /* measured clock offset, for clock_skew */
    guint32 count;              /* failures counted (wrong_password), 0 when not counted */
    gboolean has_status;
    guint32 status;             /* non-Kerberos status the failure surfaced as (SMB2 NTSTATUS, RPC status) */
    gboolean has_inherited;
    kd_cause inherited;         /* sec_pkg_error: the cause of the Kerberos failure beneath */
    guint32 inherited_frame;
    gboolean recovered;         /* the client got what it asked for later: a note, not a failure */
    guint32 recovered_frame;    /* the frame of that success */
    /* confirmed: what would have contradicted the claim, each checked against the
     * capture and found absent (kd_finding_confirm); static strings */
    const char *checks[KD_MAX_CHECKS];
    guint n_checks;
    kd_cause checked_cause;     /* the cause those checks were run for */
    /* This finding restates, on the frame where deciding evidence arrived, the
     * diagnosis of the failure in frame `restates` (a single pass has shown that
     * frame already): it is evidence, not another failure. 0: a failure of its own. */
    guint32 restates;
    /* Evidence in this frame changed the finding after it was first emitted (0: never
     * amended): a display filter applied while the capture loaded saw the earlier one. */
    guint32 amended_by;
    char *peer;                 /* the KDC or service the failure is with, as text; NULL: the
                                 * sender of the finding's frame */
    guint emitted_hash;         /* (findings module) what the finding said when last emitted */
} kd_finding;

/* A copy of f whose strings come from `dup` (e.g. an allocator scope of the
 * caller's; NULL: g_strdup, freed with kd_finding_clear). Every output reads this
 * one type, so no part of a finding can be left behind by a copy. */
typedef char *(*kd_strdup_fn)(const char *s, void *user);
void kd_finding_copy(kd_finding *dst, const kd_finding *src, kd_strdup_fn dup, void *user);
/* Frees the strings of a copy made with dup == NULL. */
void kd_finding_clear(kd_finding *f);
/* A failure the client recovered from, a routine case (confidence info) or a benign
 * cause: an expert note, not a warning. */
gboolean kd_finding_is_note(const kd_finding *f);

typedef struct {
    gint64 skew_tolerance_s;    /* allowed clock skew, default 300 */
    gboolean group_enabled[KD_GROUP_COUNT];
    /* Names for encryption types in finding texts; the plugin passes Wireshark's
     * own value_string lookup. NULL: numbers are shown. */
    const char *(*etype_name)(gint32 etype);
    /* Names for Kerberos error codes in finding texts (Wireshark's, from the plugin);
     * NULL: numbers are shown. */
    const char *(*error_name)(gint32 code);
    /* The keytab the user gave Wireshark's Kerberos preferences (the service's keys),
     * owned by the caller and unchanged while the engine lives; NULL: none. */
    const kd_keytab *keytab;
} kd_config;

void kd_config_default(kd_config *cfg);

typedef struct kd_engine kd_engine;

/* Called with every finding of `frame` (n >= 1), each time that set changes; n is 0
 * once when findings shown before are all hidden since (their rule group is switched
 * off and later evidence amended them into it). The findings belong to the engine and
 * are valid during the call only. */
typedef void (*kd_emit_fn)(guint32 frame, const kd_finding *const *findings, guint n, void *user);

kd_engine *kd_engine_new(const kd_config *cfg, kd_emit_fn emit, void *user);
void kd_engine_free(kd_engine *eng);

/* All observations of one frame, in the order the frame carries them. */
void kd_engine_feed(kd_engine *eng, const kd_obs *obs, guint n);

/* Counters for tests and the benchmark: entries currently held by the store. */
guint kd_engine_store_size(const kd_engine *eng);
/* The same per table: names and sizes of at most max tables; returns how many there are. */
guint kd_engine_tables(const kd_engine *eng, const char **names, guint *sizes, guint max);

/* Cap on every table of the store. */
#define KD_STORE_CAP 4096

#endif /* KD_ENGINE_H */
