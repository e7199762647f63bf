/* kd_stats.c
 * Statistics (-z krbdiag,tree) and the end-of-run report (-z krbdiag,report[,json]).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
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
#include "packet-krbdiag.h"

/* ------------------------------------------------------------- stats tree */

static const char st_cause[] = "Findings by cause";
static const char st_error[] = "By Kerberos error";
static const char st_spn[] = "By service principal";
static const char st_client[] = "By client principal";
static const char st_host[] = "By answering host (KDC or service)";
static int st_node_cause, st_node_error, st_node_spn, st_node_client, st_node_host;

static void
kd_stats_init(stats_tree *st)
{
    st_node_cause = stats_tree_create_node(st, st_cause, 0, STAT_DT_INT, TRUE);
    st_node_error = stats_tree_create_node(st, st_error, 0, STAT_DT_INT, TRUE);
    st_node_spn = stats_tree_create_node(st, st_spn, 0, STAT_DT_INT, TRUE);
    st_node_client = stats_tree_create_node(st, st_client, 0, STAT_DT_INT, TRUE);
    st_node_host = stats_tree_create_node(st, st_host, 0, STAT_DT_INT, TRUE);
}

static tap_packet_status
kd_stats_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data, tap_flags_t flags _U_)
{
    const kd_stored_frame *sf = data;
    char *host = address_to_str(pinfo->pool, &pinfo->net_src);
    for (guint i = 0; i < sf->n; i++) {
        const kd_stored_finding *s = &sf->findings[i];
        tick_stat_node(st, st_cause, 0, TRUE);
        tick_stat_node(st, kd_cause_get(s->cause)->id, st_node_cause, FALSE);
        tick_stat_node(st, st_error, 0, TRUE);
        tick_stat_node(st, kd_finding_error_label(s), st_node_error, FALSE);
        tick_stat_node(st, st_spn, 0, TRUE);
        tick_stat_node(st, s->spn ? s->spn : "(none)", st_node_spn, FALSE);
        tick_stat_node(st, st_client, 0, TRUE);
        tick_stat_node(st, s->client ? s->client : "(none)", st_node_client, FALSE);
        tick_stat_node(st, st_host, 0, TRUE);
        tick_stat_node(st, host, st_node_host, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

/* ----------------------------------------------------------------- report */

#define KD_REPORT_MAX_PROBLEMS 1000

typedef struct {
    kd_cause cause;
    gboolean recovered;     /* the client recovered: a note, whatever the cause */
    gboolean note;          /* a note (kd_finding_is_note): no failure */
    char *subject;
    char *error;
    gint32 error_code;      /* of the first finding: the generic krb_error's remedy depends on it */
    guint count;
    guint32 first, last;
    guint32 evidence[KD_MAX_EVIDENCE];
    guint n_evidence;
    char *summary;
} kd_problem;

typedef struct {
    gboolean json;
    GHashTable *by_key;     /* "cause|subject" -> kd_problem* */
    GPtrArray *problems;
    guint frames_with_findings;
    guint dropped;
} kd_report;

static void
problem_free(gpointer p)
{
    kd_problem *pr = p;
    g_free(pr->subject);
    g_free(pr->error);
    g_free(pr->summary);
    g_free(pr);
}

static void
report_reset(void *tapdata)
{
    kd_report *r = tapdata;
    g_hash_table_remove_all(r->by_key);
    g_ptr_array_set_size(r->problems, 0);
    r->frames_with_findings = 0;
    r->dropped = 0;
}

/* A finding of `frame` into its problem (cause, subject, recovered or not). */
static void
report_add(kd_report *r, guint32 frame, const kd_stored_finding *s)
{
    const char *subject = s->spn ? s->spn : s->client ? s->client : "-";
    char *key = g_strdup_printf("%d|%d|%d|%s", s->cause, s->recovered ? 1 : 0, kd_finding_is_note(s) ? 1 : 0,
                                subject);
    kd_problem *pr = g_hash_table_lookup(r->by_key, key);
    if (!pr) {
        if (r->problems->len >= KD_REPORT_MAX_PROBLEMS) {
            r->dropped++;
            g_free(key);
            return;
        }
        pr = g_new0(kd_problem, 1);
        pr->cause = s->cause;
        pr->recovered = s->recovered;
        pr->note = kd_finding_is_note(s);
        pr->subject = g_strdup(subject);
        pr->error = g_strdup(kd_finding_error_label(s));
        pr->error_code = s->error_code;
        pr->first = frame;
        pr->summary = g_strdup(s->summary);
        for (guint e = 0; e < s->n_evidence; e++)
            pr->evidence[pr->n_evidence++] = s->evidence[e];
        g_hash_table_insert(r->by_key, key, pr);
        g_ptr_array_add(r->problems, pr);
    } else {
        g_free(key);
    }
    pr->count++;
    pr->last = frame;
}

/* As frames are dissected. In a single pass a frame's findings can still be
 * amended by later evidence: the report is rebuilt from the final findings when it
 * is drawn (report_rebuild); this copy only serves when they are gone. */
static tap_packet_status
report_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data, tap_flags_t flags _U_)
{
    kd_report *r = tapdata;
    const kd_stored_frame *sf = data;
    r->frames_with_findings++;
    for (guint i = 0; i < sf->n; i++)
        report_add(r, pinfo->num, &sf->findings[i]);
    return TAP_PACKET_REDRAW;
}

/* Every frame's findings as they stand at the end: amended by later evidence, and
 * including findings placed on frames already dissected. */
static void
report_rebuild(kd_report *r)
{
    wmem_array_t *frames = kd_frames_with_findings(NULL);
    if (!frames)
        return;
    report_reset(r);
    for (guint i = 0; i < wmem_array_get_count(frames); i++) {
        guint32 frame = *(guint32 *)wmem_array_index(frames, i);
        const kd_stored_frame *sf = kd_frame_findings(frame);
        if (!sf || !sf->n)
            continue;
        r->frames_with_findings++;
        for (guint j = 0; j < sf->n; j++)
            report_add(r, frame, &sf->findings[j]);
    }
    wmem_destroy_array(frames);
}

static gboolean
problem_is_failure(const kd_problem *p)
{
    return !p->recovered && !p->note && kd_cause_get(p->cause)->severity == KD_SEV_WARN;
}

/* Failures first, then recoveries, then normal round trips; the most frequent first. */
static int
problem_rank(const kd_problem *p)
{
    return problem_is_failure(p) ? 0 : p->recovered ? 1 : 2;
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
    return a->first < b->first ? -1 : a->first > b->first;
}

static void
json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void
report_draw(void *tapdata)
{
    kd_report *r = tapdata;
    report_rebuild(r);
    g_ptr_array_sort(r->problems, problem_cmp);
    /* Failures: distinct problems (cause and subject) still failing at the end, and
     * how many findings they make. Normal round trips (pre-authentication asked,
     * a TCP retry after RESPONSE_TOO_BIG, referrals) and recovered failures are no
     * problems: counted apart, per occurrence. */
    guint warnings = 0, failure_findings = 0, round_trips = 0, recovered = 0, notes = 0;
    for (guint i = 0; i < r->problems->len; i++) {
        const kd_problem *pr = g_ptr_array_index(r->problems, i);
        if (problem_is_failure(pr)) {
            warnings++;
            failure_findings += pr->count;
        } else if (pr->recovered) {
            recovered += pr->count;
        } else if (pr->cause == KD_CAUSE_PREAUTH_REQUIRED || pr->cause == KD_CAUSE_RESPONSE_TOO_BIG ||
                   pr->cause == KD_CAUSE_REFERRAL) {
            round_trips += pr->count;
        } else {
            notes += pr->count;     /* e.g. a probe: neither a failure nor a round trip */
        }
    }
    if (r->json) {
        for (guint i = 0; i < r->problems->len; i++) {
            const kd_problem *pr = g_ptr_array_index(r->problems, i);
            const kd_cause_info *c = kd_cause_get(pr->cause);
            printf("{\"type\":\"problem\",\"cause\":");
            json_string(c->id);
            printf(",\"severity\":\"%s\",\"recovered\":%s,\"title\":", problem_is_failure(pr) ? "warning" : "note",
                   pr->recovered ? "true" : "false");
            json_string(c->title);
            printf(",\"error\":");
            json_string(pr->error);
            printf(",\"subject\":");
            json_string(pr->subject);
            printf(",\"count\":%u,\"first_frame\":%u,\"last_frame\":%u,\"evidence\":[", pr->count, pr->first, pr->last);
            for (guint e = 0; e < pr->n_evidence; e++)
                printf("%s%u", e ? "," : "", pr->evidence[e]);
            printf("],\"summary\":");
            json_string(pr->summary);
            printf(",\"remedy\":");
            json_string(kd_finding_remedy(pr->cause, pr->error_code));
            printf("}\n");
        }
        printf("{\"type\":\"verdict\",\"problems\":%u,\"warnings\":%u,\"failures\":%u,\"round_trips\":%u,"
               "\"recovered\":%u,\"frames_with_findings\":%u,\"kerberos_frames\":%u}\n", r->problems->len, warnings,
               warnings, round_trips, recovered, r->frames_with_findings, kd_kerberos_frame_count());
        return;
    }
    printf("\n================ Kerberos Diagnosis report ================\n");
    for (guint i = 0; i < r->problems->len; i++) {
        const kd_problem *pr = g_ptr_array_index(r->problems, i);
        const kd_cause_info *c = kd_cause_get(pr->cause);
        printf("\n[%s] %s (%s)\n", problem_is_failure(pr) ? "WARNING" : pr->recovered ? "note, recovered" : "note",
               c->title, c->id);
        printf("  error:    %s\n", pr->error);
        printf("  subject:  %s\n", pr->subject);
        printf("  seen:     %u time%s, frames %u..%u\n", pr->count, pr->count == 1 ? "" : "s", pr->first, pr->last);
        if (pr->n_evidence) {
            printf("  evidence:");
            for (guint e = 0; e < pr->n_evidence; e++)
                printf(" %u", pr->evidence[e]);
            printf("\n");
        }
        if (pr->summary)
            printf("  what:     %s\n", pr->summary);
        printf("  remedy:   %s\n", kd_finding_remedy(pr->cause, pr->error_code));
    }
    if (r->dropped)
        printf("\n(%u further findings not grouped: more than %u distinct problems)\n", r->dropped, KD_REPORT_MAX_PROBLEMS);
    if (r->problems->len == 0 && kd_kerberos_frame_count() == 0)
        printf("\nVerdict: no Kerberos traffic in this capture (nothing to diagnose).\n");
    else if (r->problems->len == 0)
        printf("\nVerdict: no Kerberos problem found (%u frames with Kerberos).\n", kd_kerberos_frame_count());
    else {
        printf("\nVerdict: ");
        if (warnings == 0)
            printf("no failure");
        else
            printf("%u failure%s", warnings, warnings == 1 ? "" : "s");
        if (failure_findings != warnings)
            printf(" (%u findings)", failure_findings);
        printf("; %u normal round trip%s", round_trips, round_trips == 1 ? "" : "s");
        if (recovered)
            printf("; %u recovered", recovered);
        if (notes)
            printf("; %u other note%s", notes, notes == 1 ? "" : "s");
        printf(".\n");
    }
    printf("===========================================================\n");
}

static void
report_finish(void *tapdata)
{
    kd_report *r = tapdata;
    g_hash_table_destroy(r->by_key);
    g_ptr_array_free(r->problems, TRUE);
    g_free(r);
}

static kd_stat_tap_init_ret
report_init(const char *opt_arg, void *userdata _U_)
{
    kd_report *r = g_new0(kd_report, 1);
    r->json = opt_arg && strstr(opt_arg, ",json") != NULL;
    r->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    r->problems = g_ptr_array_new_with_free_func(problem_free);
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

static stat_tap_ui report_ui = {
    REGISTER_STAT_GROUP_GENERIC, "Kerberos Diagnosis report", "krbdiag,report", report_init, 0, NULL
};

void
kd_register_stats(void)
{
    stats_tree_register_plugin("krbdiag", "krbdiag", "Kerberos Diagnosis", 0, kd_stats_packet, kd_stats_init, NULL);
    register_stat_tap_ui(&report_ui, NULL);
}
