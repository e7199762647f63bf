/* kd_stats.c
 * Statistics (-z krbdiag,tree) and the end-of-run report (-z krbdiag,report[,json]).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Both count the same way: a failure is a finding that stands for itself. A finding
 * that restates another frame's failure (on the frame that brought the deciding
 * evidence) is evidence of that failure, and a symptom (an RPC status or NTLM logon
 * that inherits a Kerberos failure's cause) belongs to that failure: neither is
 * counted again. Both read the findings as they stand after every amendment.
 *
 * The ladders (-z krbdiag,ladder) and the HTML page (-z krbdiag,html, and the GUI's
 * menu entry) are drawn from the report's own problems: they cannot disagree with it.
 */
#include <wireshark.h>

#include <stdio.h>
#include <string.h>

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <epan/to_str.h>

#include "kd_compat.h"
#include "kd_ladder.h"
#include "packet-krbdiag.h"

/* ---------------------------------------------------- what a finding counts as */

/* The finding of `frame` with `cause`, or its first finding; NULL when it has none. */
static const kd_finding *
frame_finding(guint32 frame, kd_cause cause, guint *idx)
{
    const kd_stored_frame *sf = frame ? kd_frame_findings(frame) : NULL;
    if (!sf || !sf->n)
        return NULL;
    for (guint i = 0; i < sf->n; i++) {
        if (sf->findings[i].cause == cause) {
            if (idx)
                *idx = i;
            return &sf->findings[i];
        }
    }
    if (idx)
        *idx = 0;
    return &sf->findings[0];
}

/* The failure another finding belongs to (the one it restates or inherits from), or
 * NULL when it stands for itself. */
static const kd_finding *
belongs_to(const kd_finding *f, guint32 *frame, guint *idx)
{
    if (f->restates) {
        *frame = f->restates;
        return frame_finding(f->restates, f->cause, idx);
    }
    if (f->has_inherited) {
        *frame = f->inherited_frame;
        return frame_finding(f->inherited_frame, f->inherited, idx);
    }
    return NULL;
}

static gboolean
is_occurrence(const kd_finding *f)
{
    guint32 frame;
    guint idx;
    return belongs_to(f, &frame, &idx) == NULL;
}

/* What a symptom is, in a few words: its own status when it has one (an RPC fault),
 * else its cause (an NTLM logon). Its error is the Kerberos failure's it inherits. */
static const char *
kd_finding_symptom_label(wmem_allocator_t *scope, const kd_finding *f)
{
    if (f->has_status)
        return kd_finding_error_label(scope,
                                      &(kd_finding){ .error_code = -1, .has_status = TRUE, .status = f->status });
    return kd_cause_short_title(f->cause);
}

static gboolean
is_failure(const kd_finding *f)
{
    return !kd_finding_is_note(f);
}

/* ------------------------------------------------------------- stats tree */

static const char st_failures[] = "Failures by cause";
static const char st_notes[] = "Notes by cause (recovered failures, normal round trips)";
static const char st_error[] = "By error or status";
static const char st_spn[] = "By service principal";
static const char st_client[] = "By client principal";
static const char st_host[] = "By KDC or service";
static int st_node_failures, st_node_notes, st_node_error, st_node_spn, st_node_client, st_node_host;

/* What one statistics tree has counted, per frame: so that a frame whose findings
 * are amended later (a single pass shows the first diagnosis) is counted again with
 * its final findings, as the report does. */
typedef struct {
    GHashTable *counted;    /* frame -> GPtrArray of "parent\x1fchild" ticks */
    guint amended_seen;     /* entries of kd_amended_frames() already handled */
} kd_tree_state;

static GHashTable *tree_states;     /* stats_tree* -> kd_tree_state* */

static void
tree_state_free(gpointer p)
{
    kd_tree_state *ts = p;
    g_hash_table_destroy(ts->counted);
    g_free(ts);
}

static kd_tree_state *
tree_state(stats_tree *st)
{
    if (!tree_states)
        tree_states = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, tree_state_free);
    kd_tree_state *ts = g_hash_table_lookup(tree_states, st);
    if (!ts) {
        ts = g_new0(kd_tree_state, 1);
        ts->counted = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
        g_hash_table_insert(tree_states, st, ts);
    }
    return ts;
}

static void
kd_stats_init(stats_tree *st)
{
    st_node_failures = stats_tree_create_node(st, st_failures, 0, STAT_DT_INT, TRUE);
    st_node_notes = stats_tree_create_node(st, st_notes, 0, STAT_DT_INT, TRUE);
    st_node_error = stats_tree_create_node(st, st_error, 0, STAT_DT_INT, TRUE);
    st_node_spn = stats_tree_create_node(st, st_spn, 0, STAT_DT_INT, TRUE);
    st_node_client = stats_tree_create_node(st, st_client, 0, STAT_DT_INT, TRUE);
    st_node_host = stats_tree_create_node(st, st_host, 0, STAT_DT_INT, TRUE);
    if (tree_states)
        g_hash_table_remove(tree_states, st);
}

static void
kd_stats_cleanup(stats_tree *st)
{
    if (tree_states)
        g_hash_table_remove(tree_states, st);
}

static int
parent_node(const char *parent)
{
    if (parent == st_failures)
        return st_node_failures;
    if (parent == st_notes)
        return st_node_notes;
    if (parent == st_error)
        return st_node_error;
    if (parent == st_spn)
        return st_node_spn;
    if (parent == st_client)
        return st_node_client;
    return st_node_host;
}

static const char *const parents[] = { st_failures, st_notes, st_error, st_spn, st_client, st_host };

/* One tick: "<parent index>\x1f<child name>". */
static void
tick(stats_tree *st, GPtrArray *record, guint parent, const char *child)
{
    increase_stat_node(st, parents[parent], 0, TRUE, 1);
    increase_stat_node(st, child, parent_node(parents[parent]), FALSE, 1);
    g_ptr_array_add(record, g_strdup_printf("%u\x1f%s", parent, child));
}

static void
untick(stats_tree *st, const char *recorded)
{
    guint parent = (guint)g_ascii_strtoull(recorded, NULL, 10);
    const char *child = strchr(recorded, '\x1f');
    if (parent >= G_N_ELEMENTS(parents) || !child)
        return;
    increase_stat_node(st, parents[parent], 0, TRUE, -1);
    increase_stat_node(st, child + 1, parent_node(parents[parent]), FALSE, -1);
}

/* Count the findings `frame` holds now, replacing what was counted for it before. */
static void
count_frame(stats_tree *st, kd_tree_state *ts, guint32 frame, const char *sender, wmem_allocator_t *scope)
{
    GPtrArray *old = g_hash_table_lookup(ts->counted, GUINT_TO_POINTER(frame));
    const char *host_before = NULL;
    for (guint i = 0; old && i < old->len; i++) {
        const char *r = g_ptr_array_index(old, i);
        if (g_str_has_prefix(r, "5\x1f"))
            host_before = r + 2;
    }
    char *host = g_strdup(sender ? sender : host_before ? host_before : "(unknown)");
    GPtrArray *record = g_ptr_array_new_with_free_func(g_free);
    const kd_stored_frame *sf = kd_frame_findings(frame);
    for (guint i = 0; sf && i < sf->n; i++) {
        const kd_finding *f = &sf->findings[i];
        if (!is_occurrence(f))
            continue;
        const char *label = kd_finding_error_label(scope, f);
        tick(st, record, is_failure(f) ? 0 : 1, kd_cause_short_title(f->cause));
        tick(st, record, 2, label ? label : "(no error on the wire)");
        tick(st, record, 3, f->spn ? f->spn : "(none)");
        tick(st, record, 4, f->client ? f->client : "(none)");
        tick(st, record, 5, f->peer ? f->peer : host);
    }
    for (guint i = 0; old && i < old->len; i++)
        untick(st, g_ptr_array_index(old, i));
    g_hash_table_insert(ts->counted, GUINT_TO_POINTER(frame), record);
    g_free(host);
}

static tap_packet_status
kd_stats_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data _U_,
                tap_flags_t flags _U_)
{
    kd_tree_state *ts = tree_state(st);
    /* Frames changed by evidence that came since: recount those already counted or
     * already passed; the others are counted when their turn comes. */
    wmem_array_t *amended = kd_amended_frames();
    guint n = amended ? wmem_array_get_count(amended) : 0;
    for (; ts->amended_seen < n; ts->amended_seen++) {
        guint32 frame = *(guint32 *)wmem_array_index(amended, ts->amended_seen);
        if (frame < pinfo->num || g_hash_table_contains(ts->counted, GUINT_TO_POINTER(frame)))
            count_frame(st, ts, frame, NULL, pinfo->pool);
    }
    if (kd_frame_findings(pinfo->num))
        count_frame(st, ts, pinfo->num, address_to_str(pinfo->pool, &pinfo->net_src), pinfo->pool);
    return TAP_PACKET_REDRAW;
}

/* ----------------------------------------------------------------- report */

#define KD_REPORT_MAX_PROBLEMS 1000
/* The text report shows this many frames of a list; JSON gives them all (up to the cap). */
#define KD_REPORT_SHOWN_FRAMES 16
#define KD_REPORT_MAX_FRAMES 65536

/* Frames of one kind in a problem, in the order met, without repeats, capped. */
typedef struct {
    GArray *frame;          /* guint32 */
    GHashTable *seen;       /* the same frames, for the repeat test */
    guint more;             /* frames beyond the cap */
} kd_frame_list;

static void
frames_init(kd_frame_list *l)
{
    l->frame = g_array_new(FALSE, FALSE, sizeof(guint32));
    l->seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    l->more = 0;
}

static void
frames_clear(kd_frame_list *l)
{
    g_array_free(l->frame, TRUE);
    g_hash_table_destroy(l->seen);
}

static gboolean
frames_has(const kd_frame_list *l, guint32 frame)
{
    return g_hash_table_contains(l->seen, GUINT_TO_POINTER(frame));
}

static void
frames_add(kd_frame_list *l, guint32 frame)
{
    if (frames_has(l, frame))
        return;
    if (l->frame->len >= KD_REPORT_MAX_FRAMES) {
        l->more++;
        return;
    }
    g_array_append_val(l->frame, frame);
    g_hash_table_add(l->seen, GUINT_TO_POINTER(frame));
}

typedef struct {
    const kd_finding *first;        /* its first occurrence: texts come from there */
    guint32 first_frame;
    kd_confidence confidence;       /* the weakest of its occurrences */
    guint count;                    /* occurrences: failing frames (or notes) */
    kd_frame_list failing;          /* frames of the occurrences */
    kd_frame_list symptoms;         /* RPC statuses or NTLM logons inheriting it */
    const char *symptom_label;      /* the label of its first symptom */
    kd_frame_list evidence;         /* the evidence of its occurrences and symptoms, and restating frames */
    guint32 recovered_frame;
} kd_problem;

/* What the report tap writes at the end. */
typedef enum {
    KD_REPORT_TEXT = 0,
    KD_REPORT_JSON,         /* -z krbdiag,report,json */
    KD_REPORT_LADDER,       /* -z krbdiag,ladder */
    KD_REPORT_HTML          /* -z krbdiag,html */
} kd_report_form;

typedef struct {
    kd_report_form form;
    GHashTable *by_key;     /* "cause|recovered|subject" -> kd_problem* */
    GHashTable *by_finding; /* "frame|index" -> kd_problem* */
    GPtrArray *problems;
    guint frames_with_findings;
    guint dropped;
    wmem_allocator_t *scope;    /* names formatted for one drawing */
} kd_report;

static void
problem_free(gpointer p)
{
    kd_problem *pr = p;
    frames_clear(&pr->failing);
    frames_clear(&pr->symptoms);
    frames_clear(&pr->evidence);
    g_free(pr);
}

static void
report_reset(void *tapdata)
{
    kd_report *r = tapdata;
    g_hash_table_remove_all(r->by_key);
    g_hash_table_remove_all(r->by_finding);
    g_ptr_array_set_size(r->problems, 0);
    r->frames_with_findings = 0;
    r->dropped = 0;
    wmem_free_all(r->scope);
}

static const char *
subject_of(const kd_finding *f)
{
    return f->spn ? f->spn : f->client ? f->client : "-";
}

static void
evidence_add(kd_problem *pr, const kd_finding *f)
{
    for (guint e = 0; e < f->n_evidence; e++)
        frames_add(&pr->evidence, f->evidence[e].frame);
}

/* A failure (or note) standing for itself, into the problem of its cause and subject. */
static kd_problem *
add_occurrence(kd_report *r, guint32 frame, guint idx, const kd_finding *f)
{
    char *key = g_strdup_printf("%d|%d|%d|%s", f->cause, f->recovered ? 1 : 0, kd_finding_is_note(f) ? 1 : 0,
                                subject_of(f));
    kd_problem *pr = g_hash_table_lookup(r->by_key, key);
    if (!pr) {
        if (r->problems->len >= KD_REPORT_MAX_PROBLEMS) {
            r->dropped++;
            g_free(key);
            return NULL;
        }
        pr = g_new0(kd_problem, 1);
        frames_init(&pr->failing);
        frames_init(&pr->symptoms);
        frames_init(&pr->evidence);
        pr->first = f;
        pr->first_frame = frame;
        pr->confidence = f->confidence;
        g_hash_table_insert(r->by_key, key, pr);
        g_ptr_array_add(r->problems, pr);
    } else {
        g_free(key);
    }
    pr->count++;
    pr->confidence = MIN(pr->confidence, f->confidence);
    frames_add(&pr->failing, frame);
    evidence_add(pr, f);
    if (f->recovered && !pr->recovered_frame)
        pr->recovered_frame = f->recovered_frame;
    g_hash_table_insert(r->by_finding, g_strdup_printf("%u|%u", frame, idx), pr);
    return pr;
}

/* Every frame's findings as they stand at the end: amended by later evidence, and
 * including findings placed on frames already dissected. Occurrences first, then
 * what belongs to them. */
static void
report_rebuild(kd_report *r)
{
    wmem_array_t *frames = kd_frames_with_findings(NULL);
    if (!frames)
        return;
    report_reset(r);
    guint nf = wmem_array_get_count(frames);
    for (int pass = 0; pass < 2; pass++) {
        for (guint i = 0; i < nf; i++) {
            guint32 frame = *(guint32 *)wmem_array_index(frames, i);
            const kd_stored_frame *sf = kd_frame_findings(frame);
            if (!sf || !sf->n)
                continue;
            r->frames_with_findings += pass == 0;
            for (guint j = 0; j < sf->n; j++) {
                const kd_finding *f = &sf->findings[j];
                guint32 owner_frame = 0;
                guint owner_index = 0;
                const kd_finding *owner = belongs_to(f, &owner_frame, &owner_index);
                if (pass == 0 && !owner) {
                    add_occurrence(r, frame, j, f);
                } else if (pass == 1 && owner) {
                    char *k = g_strdup_printf("%u|%u", owner_frame, owner_index);
                    kd_problem *pr = g_hash_table_lookup(r->by_finding, k);
                    g_free(k);
                    if (!pr)
                        continue;
                    if (f->restates) {
                        frames_add(&pr->evidence, frame);
                    } else {
                        frames_add(&pr->symptoms, frame);
                        if (!pr->symptom_label)
                            pr->symptom_label = kd_finding_symptom_label(r->scope, f);
                        evidence_add(pr, f);
                    }
                }
            }
        }
    }
    wmem_destroy_array(frames);
}

static gboolean
problem_is_failure(const kd_problem *p)
{
    return is_failure(p->first);
}

/* Failures first, then recoveries, then normal round trips; the most frequent first. */
static int
problem_rank(const kd_problem *p)
{
    return problem_is_failure(p) ? 0 : p->first->recovered ? 1 : 2;
}

static gint
problem_cmp(gconstpointer pa, gconstpointer pb)
{
    const kd_problem *a = *(const kd_problem *const *)pa, *b = *(const kd_problem *const *)pb;
    int sa = problem_rank(a), sb = problem_rank(b);
    if (sa != sb)
        return sa - sb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->first_frame < b->first_frame ? -1 : a->first_frame > b->first_frame;
}

static void
json_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf(out, "\\u%04x", *p);
        else
            g_string_append_c(out, (char)*p);
    }
    g_string_append_c(out, '"');
}

static void
json_frames(GString *out, const char *name, const GArray *l)
{
    g_string_append_printf(out, ",\"%s\":[", name);
    for (guint i = 0; i < l->len; i++)
        g_string_append_printf(out, "%s%u", i ? "," : "", g_array_index(l, guint32, i));
    g_string_append(out, "]");
}

/* The evidence of a problem, less its own failing and symptom frames (the caller frees it). */
static GArray *
evidence_only(const kd_problem *pr)
{
    GArray *l = g_array_new(FALSE, FALSE, sizeof(guint32));
    for (guint i = 0; i < pr->evidence.frame->len; i++) {
        guint32 f = g_array_index(pr->evidence.frame, guint32, i);
        if (!frames_has(&pr->failing, f) && !frames_has(&pr->symptoms, f))
            g_array_append_val(l, f);
    }
    return l;
}

/* The frames of a list as the text report shows them: the first few, and how many more. */
static void
frames_text(GString *out, const GArray *l, guint more)
{
    for (guint i = 0; i < l->len && i < KD_REPORT_SHOWN_FRAMES; i++)
        g_string_append_printf(out, "%s%u", i ? " " : "", g_array_index(l, guint32, i));
    if (l->len > KD_REPORT_SHOWN_FRAMES || more)
        g_string_append_printf(out, " (and %u more)", l->len - MIN(l->len, KD_REPORT_SHOWN_FRAMES) + more);
}

static void
text_frames(GString *out, const char *label, const GArray *l, guint more, const char *what)
{
    g_string_append_printf(out, "  %-11s ", label);
    frames_text(out, l, more);
    if (what)
        g_string_append_printf(out, " (%s)", what);
    g_string_append(out, "\n");
}

typedef struct {
    guint problems, failures, round_trips, recovered, notes;
} kd_verdict;

static kd_verdict
verdict_of(const kd_report *r)
{
    kd_verdict v = { 0, 0, 0, 0, 0 };
    for (guint i = 0; i < r->problems->len; i++) {
        const kd_problem *pr = g_ptr_array_index(r->problems, i);
        if (problem_is_failure(pr)) {
            v.problems++;
            v.failures += pr->count;
        } else if (pr->first->recovered) {
            v.recovered += pr->count;
        } else if (kd_cause_is_round_trip(pr->first->cause)) {
            v.round_trips += pr->count;
        } else {
            v.notes += pr->count;     /* e.g. a probe: neither a failure nor a round trip */
        }
    }
    return v;
}

static void
report_json(GString *out, const kd_report *r, const kd_verdict *v)
{
    for (guint i = 0; i < r->problems->len; i++) {
        const kd_problem *pr = g_ptr_array_index(r->problems, i);
        const kd_finding *f = pr->first;
        const kd_cause_info *c = kd_cause_get(f->cause);
        const char *label = kd_finding_error_label(r->scope, f);
        g_string_append(out, "{\"type\":\"problem\",\"cause\":");
        json_string(out, c->id);
        g_string_append(out, ",\"title\":");
        json_string(out, c->title);
        g_string_append_printf(out, ",\"severity\":\"%s\",\"confidence\":\"%s\",\"recovered\":%s",
                               problem_is_failure(pr) ? "warning" : "note", kd_confidence_name(pr->confidence),
                               f->recovered ? "true" : "false");
        if (pr->recovered_frame)
            g_string_append_printf(out, ",\"recovered_frame\":%u", pr->recovered_frame);
        if (label) {
            g_string_append(out, ",\"error\":");
            json_string(out, label);
        }
        g_string_append(out, ",\"subject\":");
        json_string(out, subject_of(f));
        g_string_append_printf(out, ",\"count\":%u", pr->count);
        json_frames(out, "frames", pr->failing.frame);
        json_frames(out, "symptom_frames", pr->symptoms.frame);
        GArray *ev = evidence_only(pr);
        json_frames(out, "evidence", ev);
        g_array_free(ev, TRUE);
        g_string_append(out, ",\"summary\":");
        json_string(out, f->summary);
        g_string_append(out, ",\"remedy\":");
        json_string(out, kd_finding_remedy(f->cause, f->error_code));
        g_string_append(out, "}\n");
    }
    g_string_append_printf(out, "{\"type\":\"verdict\",\"problems\":%u,\"failures\":%u,\"round_trips\":%u,"
                           "\"recovered\":%u,\"notes\":%u,\"frames_with_findings\":%u,\"kerberos_frames\":%u}\n",
                           v->problems, v->failures, v->round_trips, v->recovered, v->notes, r->frames_with_findings,
                           kd_kerberos_frame_count());
}

/* "[WARNING] title (id)": how the report and the ladders head a problem. */
static void
problem_heading(GString *out, const kd_problem *pr)
{
    const kd_cause_info *c = kd_cause_get(pr->first->cause);
    g_string_append_printf(out, "[%s] %s (%s)",
                           problem_is_failure(pr) ? "WARNING" : pr->first->recovered ? "note, recovered" : "note",
                           c->title, c->id);
}

static void
report_text(GString *out, const kd_report *r, const kd_verdict *v)
{
    g_string_append(out, "\n================ Kerberos Diagnosis report ================\n");
    for (guint i = 0; i < r->problems->len; i++) {
        const kd_problem *pr = g_ptr_array_index(r->problems, i);
        const kd_finding *f = pr->first;
        const char *label = kd_finding_error_label(r->scope, f);
        g_string_append_c(out, '\n');
        problem_heading(out, pr);
        g_string_append_c(out, '\n');
        g_string_append_printf(out, "  %-11s %s\n", "confidence:", kd_confidence_name(pr->confidence));
        if (label)
            g_string_append_printf(out, "  %-11s %s\n", "error:", label);
        g_string_append_printf(out, "  %-11s %s\n", "subject:", subject_of(f));
        text_frames(out, problem_is_failure(pr) ? "failing:" : "frames:", pr->failing.frame, pr->failing.more, NULL);
        if (pr->symptoms.frame->len)
            text_frames(out, "symptom:", pr->symptoms.frame, pr->symptoms.more, pr->symptom_label);
        if (pr->recovered_frame)
            g_string_append_printf(out, "  %-11s in frame %u\n", "recovered:", pr->recovered_frame);
        GArray *ev = evidence_only(pr);
        if (ev->len)
            text_frames(out, "evidence:", ev, pr->evidence.more, NULL);
        g_array_free(ev, TRUE);
        if (f->summary)
            g_string_append_printf(out, "  %-11s %s\n", "what:", f->summary);
        g_string_append_printf(out, "  %-11s %s\n", "remedy:", kd_finding_remedy(f->cause, f->error_code));
    }
    if (r->dropped)
        g_string_append_printf(out, "\n(%u further findings not grouped: more than %u distinct problems)\n",
                               r->dropped, KD_REPORT_MAX_PROBLEMS);
    if (r->problems->len == 0 && kd_kerberos_frame_count() == 0)
        g_string_append(out, "\nVerdict: no Kerberos traffic in this capture (nothing to diagnose).\n");
    else if (r->problems->len == 0)
        g_string_append_printf(out, "\nVerdict: no Kerberos problem found (%u frames with Kerberos).\n",
                               kd_kerberos_frame_count());
    else {
        g_string_append(out, "\nVerdict: ");
        if (v->failures == 0)
            g_string_append(out, "no failure");
        else
            g_string_append_printf(out, "%u %s", v->failures, KD_PLURAL(v->failures, "failure", "failures"));
        if (v->problems > 1 || v->problems != v->failures)
            g_string_append_printf(out, " (%u %s)", v->problems, KD_PLURAL(v->problems, "problem", "problems"));
        g_string_append_printf(out, "; %u normal round %s", v->round_trips,
                               KD_PLURAL(v->round_trips, "trip", "trips"));
        if (v->recovered)
            g_string_append_printf(out, "; %u recovered", v->recovered);
        if (v->notes)
            g_string_append_printf(out, "; %u other %s", v->notes, KD_PLURAL(v->notes, "note", "notes"));
        g_string_append(out, ".\n");
    }
    g_string_append(out, "===========================================================\n");
}

/* The report is drawn from the final findings (a single pass has shown some frames
 * before later evidence amended them); the packets only count frames. */
static tap_packet_status
report_packet(void *tapdata _U_, packet_info *pinfo _U_, epan_dissect_t *edt _U_, const void *data _U_,
              tap_flags_t flags _U_)
{
    return TAP_PACKET_DONT_REDRAW;
}

/* ----------------------------------------------------------------- ladders */

/* The ladder of each problem, in the report's order, in scope. */
static GPtrArray *
ladders_of(const kd_report *r, wmem_allocator_t *scope)
{
    GPtrArray *ladders = g_ptr_array_new();
    GString *failing = g_string_new(NULL), *heading = g_string_new(NULL);
    for (guint i = 0; i < r->problems->len; i++) {
        const kd_problem *pr = g_ptr_array_index(r->problems, i);
        g_string_truncate(failing, 0);
        frames_text(failing, pr->failing.frame, pr->failing.more);
        g_string_truncate(heading, 0);
        problem_heading(heading, pr);
        kd_ladder_source src = {
            .heading = heading->str,
            .first = pr->first,
            .first_frame = pr->first_frame,
            .confidence = pr->confidence,
            .failure = problem_is_failure(pr),
            .failing = failing->str,
            .symptom_frame = pr->symptoms.frame->len ? g_array_index(pr->symptoms.frame, guint32, 0) : 0,
            .symptom_label = pr->symptom_label,
        };
        g_ptr_array_add(ladders, kd_ladder_build(scope, &src));
    }
    g_string_free(failing, TRUE);
    g_string_free(heading, TRUE);
    return ladders;
}

static void
report_ladders(GString *out, const kd_report *r)
{
    wmem_allocator_t *scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    GPtrArray *ladders = ladders_of(r, scope);
    g_string_append(out, "\n================ Kerberos Diagnosis ladder ================\n");
    for (guint i = 0; i < ladders->len; i++)
        kd_ladder_text(out, g_ptr_array_index(ladders, i));
    if (ladders->len)
        g_string_append(out, "\n(!! the failing frame, ! a symptom, ok the recovery; X->Y: from party X to party Y, "
                        "?: ends unknown)\n");
    else
        g_string_append(out, "\nNo finding: nothing to draw.\n");
    g_string_append(out, "===========================================================\n");
    g_ptr_array_free(ladders, TRUE);
    wmem_destroy_allocator(scope);
}

static void
report_html(GString *out, const kd_report *r, const kd_verdict *v, const char *capture)
{
    wmem_allocator_t *scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    GPtrArray *ladders = ladders_of(r, scope);
    GString *text = g_string_new(NULL);
    report_text(text, r, v);
    kd_ladder_html(out, capture, ladders, text->str);
    g_string_free(text, TRUE);
    g_ptr_array_free(ladders, TRUE);
    wmem_destroy_allocator(scope);
}

/* ------------------------------------------------------------ report taps */

static kd_report *
report_new(kd_report_form form)
{
    kd_report *r = g_new0(kd_report, 1);
    r->form = form;
    r->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, problem_free);
    r->by_finding = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    r->problems = g_ptr_array_new();
    r->scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    return r;
}

static void
report_finish(void *tapdata)
{
    kd_report *r = tapdata;
    g_hash_table_destroy(r->by_key);
    g_hash_table_destroy(r->by_finding);
    g_ptr_array_free(r->problems, TRUE);
    wmem_destroy_allocator(r->scope);
    g_free(r);
}

/* The report's problems as the findings stand now, sorted; NULL-safe on no capture. */
static kd_verdict
report_settle(kd_report *r)
{
    report_rebuild(r);
    g_ptr_array_sort(r->problems, problem_cmp);
    return verdict_of(r);
}

static void
report_draw(void *tapdata)
{
    kd_report *r = tapdata;
    kd_verdict v = report_settle(r);
    GString *out = g_string_new(NULL);
    switch (r->form) {
    case KD_REPORT_JSON: report_json(out, r, &v); break;
    case KD_REPORT_LADDER: report_ladders(out, r); break;
    case KD_REPORT_HTML: report_html(out, r, &v, NULL); break;
    default: report_text(out, r, &v); break;
    }
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
}

void
kd_report_write_html(GString *out, const char *capture)
{
    kd_report *r = report_new(KD_REPORT_HTML);
    kd_verdict v = report_settle(r);
    report_html(out, r, &v, capture);
    report_finish(r);
}

static kd_stat_tap_init_ret
report_start(kd_report_form form)
{
    kd_report *r = report_new(form);
    GString *err = register_tap_listener("krbdiag", r, NULL, TL_REQUIRES_NOTHING, report_reset, report_packet,
                                         report_draw, report_finish);
    if (err) {
        fprintf(stderr, "krbdiag: cannot register the report: %s\n", err->str);
        g_string_free(err, TRUE);
        report_finish(r);
        KD_STAT_TAP_INIT_RETURN(FALSE);
    }
    KD_STAT_TAP_INIT_RETURN(TRUE);
}

static kd_stat_tap_init_ret
report_init(const char *opt_arg, void *userdata _U_)
{
    KD_STAT_TAP_INIT_RETURN(report_start(opt_arg && strstr(opt_arg, ",json") ? KD_REPORT_JSON : KD_REPORT_TEXT));
}

static kd_stat_tap_init_ret
ladder_init(const char *opt_arg _U_, void *userdata _U_)
{
    KD_STAT_TAP_INIT_RETURN(report_start(KD_REPORT_LADDER));
}

static kd_stat_tap_init_ret
html_init(const char *opt_arg _U_, void *userdata _U_)
{
    KD_STAT_TAP_INIT_RETURN(report_start(KD_REPORT_HTML));
}

static stat_tap_ui report_ui = {
    REGISTER_STAT_GROUP_GENERIC, "Kerberos Diagnosis report", "krbdiag,report", report_init, 0, NULL
};
static stat_tap_ui ladder_ui = {
    REGISTER_STAT_GROUP_GENERIC, "Kerberos Diagnosis ladders", "krbdiag,ladder", ladder_init, 0, NULL
};
/* The HTML page comes from the plugin (not assembled by tools/krbdiag from the text
 * ladder): one writer serves tshark and the GUI's menu entry, and one run gives the
 * ladders and the report from the same stored findings. */
static stat_tap_ui html_ui = {
    REGISTER_STAT_GROUP_GENERIC, "Kerberos Diagnosis HTML page", "krbdiag,html", html_init, 0, NULL
};

void
kd_register_stats(void)
{
    stats_tree_register_plugin("krbdiag", "krbdiag", "Kerberos Diagnosis", 0, kd_stats_packet, kd_stats_init,
                               kd_stats_cleanup);
    register_stat_tap_ui(&report_ui, NULL);
    register_stat_tap_ui(&ladder_ui, NULL);
    register_stat_tap_ui(&html_ui, NULL);
}
