/* kd_findings.c
 * Building, amending and emitting findings; findings that wait for later evidence.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_findings.h"
#include "kd_lru.h"

#include <stdarg.h>
#include <string.h>

/* A frame's findings, kept while later evidence may still amend them. */
typedef struct {
    guint32 frame;
    GPtrArray *findings;    /* kd_finding* */
    gboolean shown;         /* the latest emit showed at least one of them */
} kd_frame_rec;

/* Something awaiting later evidence: "amend finding (frame, position) when X happens";
 * list kinds keep several, oldest first. */
typedef struct {
    guint32 frame[KD_WAIT_LIST_MAX];
    guint position[KD_WAIT_LIST_MAX];
    guint n;
    guint *live;            /* the count of waits of its kind (kd_findings.live) */
} kd_wait;

#define KD_WAIT_KINDS (KD_WAIT_TICKET_CLAIM + 1)

struct kd_findings {
    const kd_config *cfg;
    kd_lru *frames;         /* frame number -> kd_frame_rec */
    kd_lru *waits;          /* wait kind + subject -> kd_wait */
    GArray *dirty;          /* guint32: frames touched during the current feed */
    guint32 feed_frame;     /* the frame of the current feed's observations */
    /* Waits held per kind: a look-up of a kind none is held of builds no key. */
    guint live[KD_WAIT_KINDS];
};

const char *
kd_confidence_name(kd_confidence c)
{
    switch (c) {
    case KD_CONF_CONFIRMED: return "confirmed";
    case KD_CONF_LIKELY:    return "likely";
    case KD_CONF_POSSIBLE:  return "possible";
    case KD_CONF_INFO:      return "info";
    }
    return "?";
}

void
kd_finding_clear(kd_finding *f)
{
    if (!f)
        return;
    g_free(f->spn);
    g_free(f->client);
    g_free(f->summary);
    g_free(f->missing);
    g_free(f->peer);
    for (guint i = 0; i < f->n_evidence; i++)
        g_free(f->evidence[i].role);
    for (guint i = 0; i < f->n_details; i++)
        g_free(f->details[i]);
    for (guint i = 0; i < f->n_ruled_out; i++)
        g_free(f->ruled_out[i].by);
    memset(f, 0, sizeof(*f));
}

static void
finding_free(gpointer p)
{
    kd_finding_clear(p);
    g_free(p);
}

static char *
copy_str(const char *s, kd_strdup_fn dup, void *user)
{
    if (!s)
        return NULL;
    return dup ? dup(s, user) : g_strdup(s);
}

void
kd_finding_copy(kd_finding *dst, const kd_finding *src, kd_strdup_fn dup, void *user)
{
    *dst = *src;    /* every scalar and static text; the owned strings follow */
    dst->spn = copy_str(src->spn, dup, user);
    dst->client = copy_str(src->client, dup, user);
    dst->summary = copy_str(src->summary, dup, user);
    dst->missing = copy_str(src->missing, dup, user);
    dst->peer = copy_str(src->peer, dup, user);
    for (guint i = 0; i < src->n_evidence; i++)
        dst->evidence[i].role = copy_str(src->evidence[i].role, dup, user);
    for (guint i = 0; i < src->n_details; i++)
        dst->details[i] = copy_str(src->details[i], dup, user);
    for (guint i = 0; i < src->n_ruled_out; i++)
        dst->ruled_out[i].by = copy_str(src->ruled_out[i].by, dup, user);
}

gboolean
kd_finding_is_note(const kd_finding *f)
{
    /* info: the engine's word that this case of a failure cause is routine (a host's
     * S4U2Proxy to itself). */
    return f->recovered || f->confidence == KD_CONF_INFO || kd_cause_get(f->cause)->severity == KD_SEV_NOTE;
}

static void
frame_rec_free(gpointer p)
{
    kd_frame_rec *r = p;
    g_ptr_array_free(r->findings, TRUE);
    g_free(r);
}

static kd_frame_rec *
frame_rec(kd_findings *fx, guint32 frame)
{
    return kd_lru_get(fx->frames, &frame);
}

static guint
frame_hash(gconstpointer k)
{
    guint32 frame;
    memcpy(&frame, k, sizeof frame);
    return frame;
}

static gboolean
frame_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(guint32)) == 0;
}

/* A wait leaves the table (taken, replaced, evicted or freed with it). */
static void
wait_free(gpointer p)
{
    kd_wait *w = p;
    (*w->live)--;
    g_free(w);
}

kd_findings *
kd_findings_new(const kd_config *cfg)
{
    kd_findings *fx = g_new0(kd_findings, 1);
    fx->cfg = cfg;
    fx->frames = kd_lru_new_keyed(KD_STORE_CAP, sizeof(guint32), frame_hash, frame_equal, frame_rec_free);
    fx->waits = kd_lru_new(KD_STORE_CAP, wait_free);
    fx->dirty = g_array_new(FALSE, FALSE, sizeof(guint32));
    return fx;
}

void
kd_findings_free(kd_findings *fx)
{
    if (!fx)
        return;
    kd_lru_free(fx->frames);
    kd_lru_free(fx->waits);
    g_array_free(fx->dirty, TRUE);
    g_free(fx);
}

guint
kd_findings_tables(const kd_findings *fx, const char **names, guint *sizes, guint max)
{
    const kd_lru *t[] = { fx->frames, fx->waits };
    static const char *const n[] = { "frames", "waits" };
    for (guint i = 0; i < G_N_ELEMENTS(t) && i < max; i++) {
        if (names)
            names[i] = n[i];
        sizes[i] = kd_lru_size(t[i]);
    }
    return G_N_ELEMENTS(t);
}

/* The rule group of cause is switched on; the generic krb_error always is. */
static gboolean
cause_enabled(const kd_findings *fx, kd_cause cause)
{
    return cause == KD_CAUSE_KRB_ERROR || fx->cfg->group_enabled[kd_catalog[cause].group];
}

static void
mark_dirty(kd_findings *fx, guint32 frame)
{
    for (guint i = 0; i < fx->dirty->len; i++) {
        if (g_array_index(fx->dirty, guint32, i) == frame)
            return;
    }
    g_array_append_val(fx->dirty, frame);
}

void
kd_findings_begin(kd_findings *fx, guint32 frame)
{
    g_array_set_size(fx->dirty, 0);
    fx->feed_frame = frame;
}

/* A finding leaves the engine confirmed only with the checks kd_finding_confirm()
 * ran for its present cause: whatever set the confidence, no check, no confirmation. */
static void
enforce_checks(kd_finding *f)
{
    /* A cause is never its own alternative, and an excluded one is no candidate. */
    guint w = 0;
    for (guint i = 0; i < f->n_alternatives; i++) {
        gboolean excluded = f->alternatives[i] == f->cause;
        for (guint j = 0; j < f->n_ruled_out; j++)
            excluded |= f->ruled_out[j].cause == f->alternatives[i];
        if (!excluded)
            f->alternatives[w++] = f->alternatives[i];
    }
    f->n_alternatives = w;
    if (f->confidence != KD_CONF_CONFIRMED)
        return;
    /* Confirmed means nothing else is left: a candidate no check ruled out, or
     * checks run for another cause, leave the finding likely. */
    if (f->n_checks == 0 || f->checked_cause != f->cause || f->n_alternatives > 0) {
        f->confidence = KD_CONF_LIKELY;
        f->n_checks = 0;
    }
}

/* What decides whether a display filter on the cause or on a recovery shows the
 * frame, folded into one number: a finding whose evidence, texts or confidence grew
 * keeps its place in a filtered list; one whose cause changed, that recovered or that
 * appeared on a frame already read does not. */
static guint
finding_hash(const kd_finding *f)
{
    return ((guint)f->cause + 1u) * 2u + (f->recovered ? 1u : 0u);
}

/* What a user sees of f when rule groups are switched off (preferences): a disabled
 * group's causes never appear. A finding whose cause is in a disabled group (made
 * so, or amended into it by later evidence) shows as the generic krb_error on its
 * Kerberos error, with nothing of the disabled rule (summary, evidence, details,
 * candidates, checks, measurements) at the generic finding's own confidence, and is
 * not shown at all without a Kerberos error. Candidates and inherited causes of a
 * disabled group are left out of every finding. Fills *out (sharing f's strings)
 * and returns it; NULL: not shown. */
static const kd_finding *
public_view(const kd_findings *fx, const kd_finding *f, kd_finding *out)
{
    *out = *f;
    if (!cause_enabled(fx, f->cause)) {
        if (f->error_code < 0)
            return NULL;
        kd_finding *o = out;
        o->cause = KD_CAUSE_KRB_ERROR;
        o->confidence = KD_CONF_POSSIBLE;
        o->summary = NULL;
        o->missing = NULL;
        o->n_evidence = 0;
        o->n_alternatives = 0;
        o->n_ruled_out = 0;
        o->restates = 0;
        o->n_details = 0;
        o->n_checks = 0;
        o->has_skew = FALSE;
        o->skew_seconds = 0;
        o->count = 0;
        o->has_inherited = FALSE;
        o->has_status = FALSE;
        /* The client getting what it asked for is no rule's reading: kept. */
        if (o->recovered) {
            for (guint i = 0; i < f->n_evidence; i++) {
                if (f->evidence[i].frame == f->recovered_frame)
                    o->evidence[o->n_evidence++] = f->evidence[i];
            }
        }
        return out;
    }
    guint w = 0;
    for (guint i = 0; i < f->n_alternatives; i++) {
        if (cause_enabled(fx, f->alternatives[i]))
            out->alternatives[w++] = f->alternatives[i];
    }
    out->n_alternatives = w;
    w = 0;
    for (guint i = 0; i < f->n_ruled_out; i++) {
        if (cause_enabled(fx, f->ruled_out[i].cause))
            out->ruled_out[w++] = f->ruled_out[i];
    }
    out->n_ruled_out = w;
    if (f->has_inherited && !cause_enabled(fx, f->inherited)) {
        /* The Kerberos failure beneath shows as the generic finding; a summary
         * written from its cause would name it. */
        out->inherited = KD_CAUSE_KRB_ERROR;
        out->summary = NULL;
    }
    return out;
}

void
kd_findings_emit(kd_findings *fx, kd_emit_fn emit, void *user)
{
    gboolean all_on = TRUE;
    for (int g = 0; g < KD_GROUP_COUNT; g++)
        all_on = all_on && fx->cfg->group_enabled[g];
    GPtrArray *shown = NULL;
    GArray *views = NULL;
    for (guint i = 0; i < fx->dirty->len; i++) {
        guint32 frame = g_array_index(fx->dirty, guint32, i);
        kd_frame_rec *rec = frame_rec(fx, frame);
        if (!rec)
            continue;
        for (guint j = 0; j < rec->findings->len; j++) {
            kd_finding *f = g_ptr_array_index(rec->findings, j);
            enforce_checks(f);
            guint h = finding_hash(f);
            if (frame != fx->feed_frame && h != f->emitted_hash)
                f->amended_by = fx->feed_frame;
            f->emitted_hash = h;
        }
        if (!emit || !rec->findings->len)
            continue;
        if (all_on) {
            /* Every group on (the default): the findings as they are. */
            emit(frame, (const kd_finding *const *)rec->findings->pdata, rec->findings->len, user);
            continue;
        }
        if (!shown) {
            shown = g_ptr_array_new();
            views = g_array_new(FALSE, FALSE, sizeof(kd_finding));
        }
        g_ptr_array_set_size(shown, 0);
        g_array_set_size(views, rec->findings->len);
        for (guint j = 0; j < rec->findings->len; j++) {
            const kd_finding *v = public_view(fx, g_ptr_array_index(rec->findings, j),
                                              &g_array_index(views, kd_finding, j));
            if (v)
                g_ptr_array_add(shown, (gpointer)v);
        }
        /* A frame whose findings all became hidden is emitted empty once, so that
         * what was shown before goes away. */
        if (shown->len || rec->shown) {
            rec->shown = shown->len > 0;
            emit(frame, (const kd_finding *const *)shown->pdata, shown->len, user);
        }
    }
    if (shown) {
        g_array_free(views, TRUE);
        g_ptr_array_free(shown, TRUE);
    }
}

kd_finding *
kd_finding_add(kd_findings *fx, guint32 frame, kd_cause cause, kd_confidence conf,
               gint32 error_code, const char *spn, const char *client)
{
    /* A finding of a switched-off rule group without a Kerberos error is dropped. On a
     * Kerberos error it is kept as the rule made it, so that later evidence amends
     * it as usual, and is emitted as the generic krb_error (public_view). */
    if (error_code < 0 && !cause_enabled(fx, cause))
        return NULL;
    kd_frame_rec *rec = frame_rec(fx, frame);
    if (!rec) {
        rec = g_new0(kd_frame_rec, 1);
        rec->frame = frame;
        rec->findings = g_ptr_array_new_with_free_func(finding_free);
        kd_lru_put(fx->frames, &frame, rec);
    }
    kd_finding *f = g_new0(kd_finding, 1);
    f->frame = frame;
    f->cause = cause;
    f->confidence = conf;
    f->error_code = error_code;
    f->spn = kd_str_empty(spn) ? NULL : g_strdup(spn);
    f->client = kd_str_empty(client) ? NULL : g_strdup(client);
    g_ptr_array_add(rec->findings, f);
    mark_dirty(fx, frame);
    return f;
}

kd_finding *
kd_finding_lookup(kd_findings *fx, guint32 frame, guint position)
{
    kd_frame_rec *rec = frame_rec(fx, frame);
    if (!rec || position >= rec->findings->len)
        return NULL;
    mark_dirty(fx, frame);
    return g_ptr_array_index(rec->findings, position);
}

guint
kd_findings_count(kd_findings *fx, guint32 frame)
{
    kd_frame_rec *rec = frame_rec(fx, frame);
    return rec ? rec->findings->len : 0;
}

void
kd_finding_evidence(kd_finding *f, guint32 frame, const char *fmt, ...)
{
    if (!f || frame == 0)
        return;
    for (guint i = 0; i < f->n_evidence; i++) {
        if (f->evidence[i].frame == frame)
            return;
    }
    if (f->n_evidence >= KD_MAX_EVIDENCE)
        return;
    va_list ap;
    va_start(ap, fmt);
    f->evidence[f->n_evidence].frame = frame;
    f->evidence[f->n_evidence].role = g_strdup_vprintf(fmt, ap);
    f->n_evidence++;
    va_end(ap);
}

void
kd_finding_detail(kd_finding *f, const char *fmt, ...)
{
    if (!f || f->n_details >= KD_MAX_DETAILS)
        return;
    va_list ap;
    va_start(ap, fmt);
    f->details[f->n_details++] = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void
kd_finding_summary(kd_finding *f, const char *fmt, ...)
{
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_free(f->summary);
    f->summary = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void
kd_finding_alternative(kd_finding *f, kd_cause cause)
{
    if (!f || cause == f->cause)
        return;
    for (guint i = 0; i < f->n_alternatives; i++) {
        if (f->alternatives[i] == cause)
            return;
    }
    if (f->n_alternatives < KD_MAX_ALTERNATIVES)
        f->alternatives[f->n_alternatives++] = cause;
}

void
kd_finding_rule_out(kd_finding *f, kd_cause cause, const char *fmt, ...)
{
    if (!f || cause == f->cause)
        return;
    guint w = 0;
    for (guint i = 0; i < f->n_alternatives; i++) {
        if (f->alternatives[i] != cause)
            f->alternatives[w++] = f->alternatives[i];
    }
    f->n_alternatives = w;
    for (guint i = 0; i < f->n_ruled_out; i++) {
        if (f->ruled_out[i].cause == cause)
            return;
    }
    if (f->n_ruled_out >= KD_MAX_ALTERNATIVES)
        return;
    va_list ap;
    va_start(ap, fmt);
    f->ruled_out[f->n_ruled_out].cause = cause;
    f->ruled_out[f->n_ruled_out].by = g_strdup_vprintf(fmt, ap);
    f->n_ruled_out++;
    va_end(ap);
}

void
kd_finding_recause(kd_finding *f, kd_cause cause, kd_confidence conf)
{
    if (!f)
        return;
    /* What stays is what the frames are: the error, names, count, status, the
     * evidence frames (each line says what its frame shows, true whatever the cause)
     * and a recovery. What the earlier cause concluded goes. */
    g_free(f->summary);
    f->summary = NULL;
    g_free(f->missing);
    f->missing = NULL;
    for (guint i = 0; i < f->n_details; i++)
        g_free(f->details[i]);
    f->n_details = 0;
    for (guint i = 0; i < f->n_ruled_out; i++)
        g_free(f->ruled_out[i].by);
    f->n_ruled_out = 0;
    f->n_alternatives = 0;
    f->n_checks = 0;
    f->cause = cause;
    f->confidence = conf;
    if (f->has_status)
        kd_finding_detail(f, "status: 0x%08X", f->status);
}

void
kd_finding_inherit(kd_finding *f, const kd_finding *why, guint32 why_frame, const char *role)
{
    if (!f || !why)
        return;
    f->has_inherited = TRUE;
    f->inherited = why->cause;
    f->inherited_frame = why_frame;
    f->error_code = why->error_code;
    kd_finding_evidence(f, why_frame, "%s", role);
    /* The symptom stands on the cause's evidence, not on its own frame alone. */
    for (guint i = 0; i < why->n_evidence; i++) {
        if (why->evidence[i].frame != f->frame)
            kd_finding_evidence(f, why->evidence[i].frame, "%s", why->evidence[i].role ? why->evidence[i].role : "");
    }
}

void
kd_finding_peer(kd_finding *f, const char *peer)
{
    if (!f)
        return;
    g_free(f->peer);
    f->peer = kd_str_empty(peer) ? NULL : g_strdup(peer);
}

void
kd_finding_set_missing(kd_finding *f, const char *text)
{
    if (!f)
        return;
    g_free(f->missing);
    f->missing = g_strdup(text);
}

void
kd_finding_rpc_status(kd_finding *f, guint32 status)
{
    if (!f)
        return;
    f->has_status = TRUE;
    f->status = status;
    kd_finding_detail(f, "status: 0x%08X", status);
}

void
kd_finding_recovered(kd_finding *f, guint32 frame, const char *fmt, ...)
{
    if (!f || frame == 0)
        return;
    if (!f->recovered) {
        f->recovered = TRUE;
        f->recovered_frame = frame;
    }
    va_list ap;
    va_start(ap, fmt);
    char *role = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    kd_finding_evidence(f, frame, "%s", role);
    g_free(role);
}

void
kd_claim_init(kd_claim *c)
{
    memset(c, 0, sizeof(*c));
}

guint
kd_claim_declare(kd_claim *c, const char *contradiction)
{
    /* A claim with more checks than room cannot be confirmed. */
    if (c->n >= KD_MAX_CHECKS) {
        c->overflow = TRUE;
        return KD_MAX_CHECKS;
    }
    c->what[c->n] = contradiction;
    c->ran[c->n] = FALSE;
    c->contradicted[c->n] = FALSE;
    return c->n++;
}

void
kd_claim_result(kd_claim *c, guint check, gboolean contradicted)
{
    if (check >= c->n)
        return;
    c->ran[check] = TRUE;
    c->contradicted[check] = contradicted;
}

gboolean
kd_claim_check(kd_claim *c, const char *contradiction, gboolean contradicted)
{
    kd_claim_result(c, kd_claim_declare(c, contradiction), contradicted);
    return !contradicted;
}

gboolean
kd_claim_holds(const kd_claim *c)
{
    if (c->n == 0 || c->overflow)
        return FALSE;
    for (guint i = 0; i < c->n; i++) {
        if (!c->ran[i] || c->contradicted[i])
            return FALSE;
    }
    return TRUE;
}

gboolean
kd_finding_confirm(kd_finding *f, const kd_claim *c)
{
    if (!f)
        return FALSE;
    if (!kd_claim_holds(c)) {
        if (f->confidence > KD_CONF_LIKELY)
            f->confidence = KD_CONF_LIKELY;
        f->n_checks = 0;
        return FALSE;
    }
    f->confidence = KD_CONF_CONFIRMED;
    f->checked_cause = f->cause;
    f->n_checks = c->n;
    for (guint i = 0; i < c->n; i++)
        f->checks[i] = c->what[i];
    return TRUE;
}

gboolean
kd_finding_confirm_one(kd_finding *f, const char *contradiction, gboolean contradicted)
{
    kd_claim c;
    kd_claim_init(&c);
    kd_claim_check(&c, contradiction, contradicted);
    return kd_finding_confirm(f, &c);
}

void
kd_finding_issue_evidence(kd_finding *f, const kd_issue *it, const char *spn)
{
    if (!it)
        return;
    if (it->req_frame)
        kd_finding_evidence(f, it->req_frame, "TGS-REQ for %s", spn);
    kd_finding_evidence(f, it->frame, "KDC issues the ticket for %s (kvno %" G_GINT64_FORMAT ")", spn, it->kvno);
}

void
kd_finding_owner_evidence(kd_finding *f, kd_store *st, const char *spn)
{
    if (!f || kd_str_empty(spn))
        return;
    const kd_spn_owners *o = kd_store_spn_owners(st, spn);
    if (!o)
        return;
    for (guint i = 0; i < o->n; i++)
        kd_finding_evidence(f, o->frames[i], "LDAP: %s holds servicePrincipalName %s", o->owners[i], spn);
    if (o->n >= 2)
        kd_finding_detail(f, "accounts holding %s: %s%s%s%s%s", spn, o->owners[0], o->n > 1 ? ", " : "",
                          o->n > 1 ? o->owners[1] : "", o->n > 2 ? ", " : "", o->n > 2 ? o->owners[2] : "");
}

/* ------------------------------------------------------------------ waits */

/* The waits' key: the kind and the subject in lower case. */
static const char *
wait_key(kd_key *key, kd_wait_kind kind, const char *subject)
{
    static const char *const prefix[] = { "pre", "big", "owners", "unrs", "unrc", "unrd", "tcpd", "recov", "u2u", "tclaim" };
    G_STATIC_ASSERT(G_N_ELEMENTS(prefix) == KD_WAIT_TICKET_CLAIM + 1);
    kd_key_init(key);
    kd_key_str(key, prefix[kind]);
    kd_key_lower(key, subject);
    return kd_key_text(key);
}

static gboolean
wait_is_list(kd_wait_kind kind)
{
    return kind == KD_WAIT_OWNERS || kind == KD_WAIT_RECOVERY || kind == KD_WAIT_USER_TO_USER;
}

void
kd_wait_set(kd_findings *fx, kd_wait_kind kind, const char *subject, guint32 frame)
{
    guint count = kd_findings_count(fx, frame);
    if (count == 0)
        return;
    kd_key key;
    const char *k = wait_key(&key, kind, subject);
    kd_wait *w = wait_is_list(kind) ? kd_lru_get(fx->waits, k) : NULL;
    if (!w) {
        w = g_new0(kd_wait, 1);
        w->live = &fx->live[kind];
        fx->live[kind]++;
        kd_lru_put(fx->waits, k, w);
    }
    kd_key_done(&key);
    if (!wait_is_list(kind))
        w->n = 0;
    for (guint i = 0; i < w->n; i++) {
        if (w->frame[i] == frame && w->position[i] == count - 1)
            return;
    }
    if (w->n == KD_WAIT_LIST_MAX) {
        memmove(&w->frame[0], &w->frame[1], (KD_WAIT_LIST_MAX - 1) * sizeof(guint32));
        memmove(&w->position[0], &w->position[1], (KD_WAIT_LIST_MAX - 1) * sizeof(guint));
        w->n--;
    }
    w->frame[w->n] = frame;
    w->position[w->n] = count - 1;
    w->n++;
}

/* The wait on (kind, subject), or NULL. */
static kd_wait *
wait_find(kd_findings *fx, kd_wait_kind kind, const char *subject)
{
    if (!fx->live[kind])
        return NULL;
    kd_key key;
    kd_wait *w = kd_lru_get(fx->waits, wait_key(&key, kind, subject));
    kd_key_done(&key);
    return w;
}

gboolean
kd_wait_pending(kd_findings *fx, kd_wait_kind kind, const char *subject)
{
    return wait_find(fx, kind, subject) != NULL;
}

kd_finding *
kd_wait_peek(kd_findings *fx, kd_wait_kind kind, const char *subject)
{
    kd_wait *w = wait_find(fx, kind, subject);
    return w && w->n ? kd_finding_lookup(fx, w->frame[w->n - 1], w->position[w->n - 1]) : NULL;
}

kd_finding *
kd_wait_take(kd_findings *fx, kd_wait_kind kind, const char *subject)
{
    if (!fx->live[kind])
        return NULL;
    kd_key key;
    const char *k = wait_key(&key, kind, subject);
    kd_wait *w = kd_lru_get(fx->waits, k);
    kd_finding *f = w && w->n ? kd_finding_lookup(fx, w->frame[w->n - 1], w->position[w->n - 1]) : NULL;
    if (w)
        kd_lru_remove(fx->waits, k);
    kd_key_done(&key);
    return f;
}

guint
kd_wait_take_all(kd_findings *fx, kd_wait_kind kind, const char *subject, kd_finding **out, guint max)
{
    if (!fx->live[kind])
        return 0;
    kd_key key;
    const char *k = wait_key(&key, kind, subject);
    kd_wait *w = kd_lru_get(fx->waits, k);
    guint n = 0;
    for (guint i = 0; w && i < w->n && n < max; i++) {
        kd_finding *f = kd_finding_lookup(fx, w->frame[i], w->position[i]);
        if (f)
            out[n++] = f;
    }
    if (w)
        kd_lru_remove(fx->waits, k);
    kd_key_done(&key);
    return n;
}

void
kd_wait_cancel(kd_findings *fx, kd_wait_kind kind, const char *subject)
{
    if (!fx->live[kind])
        return;
    kd_key key;
    kd_lru_remove(fx->waits, wait_key(&key, kind, subject));
    kd_key_done(&key);
}
