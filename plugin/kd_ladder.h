/* kd_ladder.h
 * A finding as a ladder (sequence) diagram: the frames that matter to it, as arrows
 * between the hosts taking part, drawn as text or as SVG, and the HTML page.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The ladder is built from the stored findings the report groups (kd_stats.c), so it
 * names the same cause, confidence and frames as the report, the tree and the JSON.
 */
#ifndef KD_LADDER_H
#define KD_LADDER_H

#include <wireshark.h>

#include "kd_engine.h"

/* What the report knows of one problem, for its ladder (kd_stats.c fills it). */
typedef struct {
    const char *heading;            /* "[WARNING] title (id)", as the report heads the problem */
    const kd_finding *first;        /* its first occurrence: the ladder draws this one */
    guint32 first_frame;
    kd_confidence confidence;       /* the weakest of its occurrences, as the report says */
    gboolean failure;               /* a failure, not a note */
    const char *failing;            /* frames of its occurrences, as the report lists them */
    guint32 symptom_frame;          /* its first symptom (an RPC status, an NTLM logon), 0: none */
    const char *symptom_label;
} kd_ladder_source;

#define KD_LADDER_MAX_PARTIES 8
#define KD_LADDER_MAX_ROWS    16

/* In rising precedence: a frame cited in two ways is drawn as the later kind. */
typedef enum {
    KD_ROW_EVIDENCE = 0,
    KD_ROW_SYMPTOM,
    KD_ROW_RECOVERY,
    KD_ROW_FAILING                  /* the frame the finding stands on */
} kd_ladder_row_kind;

typedef struct {
    char *roles;                    /* "client", "KDC", "client/service"... */
    char *address;
} kd_ladder_party;

typedef struct {
    guint32 frame;
    kd_ladder_row_kind kind;
    int from, to;                   /* party indexes; -1: the frame's ends are unknown */
    char *label;                    /* what the frame shows (sanitised: valid UTF-8, no control characters) */
} kd_ladder_row;

typedef struct {
    char *heading;                  /* "[WARNING] title (id)", as the report heads the problem */
    const char *cause_id;
    const char *confidence;
    gboolean failure;               /* a failure, not a note */
    char *failing;                  /* the report's frame list: "20", "5 9 (and 3 more)" */
    char *summary;                  /* the finding's own line (sanitised), or NULL */
    kd_ladder_party parties[KD_LADDER_MAX_PARTIES];
    guint n_parties;
    kd_ladder_row rows[KD_LADDER_MAX_ROWS];
    guint n_rows;
} kd_ladder;

/* The ladder of one problem, in `scope` (its strings too). */
kd_ladder *kd_ladder_build(wmem_allocator_t *scope, const kd_ladder_source *src);

/* The ladder as text (-z krbdiag,ladder). */
void kd_ladder_text(GString *out, const kd_ladder *l);
/* The ladder as one inline SVG element (no script, no external reference). */
void kd_ladder_svg(GString *out, const kd_ladder *l);

/* The HTML page of one capture: each problem (kd_ladder*) with its ladder, then the
 * report's text. Self-contained: no script, no external URL. `capture` NULL: the
 * page carries a marker where tools/krbdiag puts the file's name. */
void kd_ladder_html(GString *out, const char *capture, GPtrArray *ladders, const char *report_text);

#endif /* KD_LADDER_H */
