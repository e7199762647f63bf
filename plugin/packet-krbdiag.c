/* packet-krbdiag.c
 * krbdiag: a post-dissector that names the root cause of Kerberos failures.
 * Registration, the per-frame entry point and rendering of stored findings.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>

#include <string.h>

#include <glib/gstdio.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/tap.h>

#include "kd_compat.h"
#include "kd_engine.h"
#include "kd_extract.h"
#include "kd_names.h"
#include "packet-krbdiag.h"

void proto_register_krbdiag(void);
void proto_reg_handoff_krbdiag(void);

static int proto_krbdiag = -1;
/* Wireshark's expert protocol ("_ws.expert"), whose fields a display filter may name. */
static int proto_expert_items = -1;
static int krbdiag_tap = -1;
static dissector_handle_t krbdiag_handle;

static int hf_krbdiag_finding = -1;
static int hf_krbdiag_cause = -1;
static int hf_krbdiag_title = -1;
static int hf_krbdiag_confidence = -1;
static int hf_krbdiag_error = -1;
static int hf_krbdiag_error_code = -1;
static int hf_krbdiag_spn = -1;
static int hf_krbdiag_client = -1;
static int hf_krbdiag_summary = -1;
static int hf_krbdiag_explanation = -1;
static int hf_krbdiag_remedy = -1;
static int hf_krbdiag_evidence = -1;
static int hf_krbdiag_alternative = -1;
static int hf_krbdiag_missing = -1;
static int hf_krbdiag_detail = -1;
static int hf_krbdiag_skew = -1;
static int hf_krbdiag_count = -1;
static int hf_krbdiag_inherited = -1;
static int hf_krbdiag_inherited_frame = -1;
static int hf_krbdiag_reference = -1;
static int hf_krbdiag_recovered = -1;
static int hf_krbdiag_recovered_frame = -1;
static int hf_krbdiag_checked = -1;
static int hf_krbdiag_ruled_out = -1;
static int hf_krbdiag_restates = -1;
static int hf_krbdiag_amended_by = -1;

static gint ett_krbdiag = -1;
static gint ett_finding = -1;
static gint ett_evidence = -1;
static gint ett_text = -1;

/* One expert item per catalog cause and one for the cause as a note: a static table
 * generated from the catalog (heuristics/kd_catalog_doc --expert). */
#include "kd_expert_items.c"

/* Preferences */
static guint pref_skew_tolerance = 300;
static kd_pref_bool pref_show_info = TRUE;
static kd_pref_bool pref_group[KD_GROUP_COUNT] = { TRUE, TRUE, TRUE, TRUE };

/* Per capture: the engine, and the findings of each frame (wmem file scope). */
static kd_engine *engine;
static wmem_map_t *frame_findings;  /* frame number -> kd_stored_frame* */
static wmem_array_t *amended;       /* guint32: frames whose findings changed after they were dissected */
static guint32 feeding_frame;       /* the frame whose observations the engine is reading */
static guint kerberos_frames;       /* frames that carried Kerberos, for the report's verdict */

/* One bit per frame number, set where findings are stored: every frame asks,
 * and the bit answers without a hash look-up (frame numbers are dense, so the
 * set takes one bit per frame of the capture up to the last finding). */
static guint64 *findings_bits;
static guint32 findings_words;

/* The addresses of the frames findings stand on or cite, for the ladder diagram. A
 * frame's evidence arrives before its finding, so the addresses of the latest frames
 * that carried observations wait in a small ring (one slot write per such frame);
 * when a finding is stored, those of the frames it cites are kept for the capture. */
#define KD_ENDS_RING 4096
static kd_frame_ends *ends_ring;       /* indexed by frame % KD_ENDS_RING, not cleared: */
static guint64 ends_written[KD_ENDS_RING / 64];    /* slots written since the file opened
                                                     * (clearing 512 bytes, not the 180 KB ring) */
static wmem_map_t *cited_ends;          /* frame -> kd_frame_ends*: frames findings cite */

static void
mark_frame(guint32 frame)
{
    guint32 w = frame / 64;
    if (w >= findings_words) {
        guint32 words = MAX(MAX(findings_words * 2, w + 1), 1024);
        findings_bits = wmem_realloc(wmem_file_scope(), findings_bits, (gsize)words * sizeof(guint64));
        memset(findings_bits + findings_words, 0, (gsize)(words - findings_words) * sizeof(guint64));
        findings_words = words;
    }
    findings_bits[w] |= G_GUINT64_CONSTANT(1) << (frame % 64);
}

static inline gboolean
frame_marked(guint32 frame)
{
    guint32 w = frame / 64;
    return w < findings_words && (findings_bits[w] >> (frame % 64)) & 1;
}

/* ------------------------------------------------------------------ storage */

static void
remember_ends(const kd_obs *obs, guint n)
{
    if (!ends_ring)
        ends_ring = g_new(kd_frame_ends, KD_ENDS_RING);
    guint32 slot = obs[0].frame % KD_ENDS_RING;
    ends_written[slot / 64] |= G_GUINT64_CONSTANT(1) << (slot % 64);
    kd_frame_ends *e = &ends_ring[slot];
    e->frame = obs[0].frame;
    e->src = obs[0].src;
    e->dst = obs[0].dst;
    e->sport = obs[0].sport;
    e->dport = obs[0].dport;
    /* An ICMP error's ports are those of the datagram it quotes, not its own. */
    for (guint i = 0; i < n; i++) {
        if (obs[i].kind == KD_OBS_TRANSPORT && obs[i].u.net.event == KD_NET_ICMP_UNREACHABLE)
            e->sport = e->dport = 0;
    }
}

static void
keep_ends(guint32 frame)
{
    if (!frame || !ends_ring || wmem_map_contains(cited_ends, GUINT_TO_POINTER(frame)))
        return;
    guint32 slot = frame % KD_ENDS_RING;
    const kd_frame_ends *e = &ends_ring[slot];
    if (!((ends_written[slot / 64] >> (slot % 64)) & 1) || e->frame != frame)
        return;             /* gone from the ring: the ladder shows the frame without its ends */
    wmem_map_insert(cited_ends, GUINT_TO_POINTER(frame), wmem_memdup(wmem_file_scope(), e, sizeof(*e)));
}

/* The frames a finding stands on or cites keep their addresses. */
static void
keep_cited_ends(guint32 frame, const kd_finding *f)
{
    keep_ends(frame);
    for (guint e = 0; e < f->n_evidence; e++)
        keep_ends(f->evidence[e].frame);
    keep_ends(f->recovered_frame);
    keep_ends(f->restates);
    if (f->has_inherited)
        keep_ends(f->inherited_frame);
}

const kd_frame_ends *
kd_frame_ends_of(guint32 frame)
{
    return cited_ends ? wmem_map_lookup(cited_ends, GUINT_TO_POINTER(frame)) : NULL;
}

static char *
file_strdup(const char *s, void *user _U_)
{
    return wmem_strdup(wmem_file_scope(), s);
}

/* Keep the engine's findings of a frame in file scope, replacing any earlier copy:
 * later evidence amends a frame's findings. */
static void
store_findings(guint32 frame, const kd_finding *const *findings, guint n, void *user _U_)
{
    guint keep = MIN(n, KD_MAX_STORED);
    kd_stored_frame *sf = wmem_alloc0(wmem_file_scope(), sizeof(kd_stored_frame) + keep * sizeof(kd_finding));
    sf->n = keep;
    for (guint i = 0; i < sf->n; i++) {
        kd_finding_copy(&sf->findings[i], findings[i], file_strdup, NULL);
        keep_cited_ends(frame, findings[i]);
    }
    /* Findings of a frame already dissected (amended, or placed there by later
     * evidence): the statistics count that frame again. */
    wmem_map_insert(frame_findings, GUINT_TO_POINTER(frame), sf);
    if (frame != feeding_frame)
        wmem_array_append_one(amended, frame);
    mark_frame(frame);
}

wmem_array_t *
kd_amended_frames(void)
{
    return amended;
}

/* The keytab the Kerberos dissector decrypts with: the service's keys, when the user
 * loaded them. Read again at every file start, as the preferences may have changed. */
static kd_keytab user_keytab;

/* Wireshark reads the keytab only with "try to decrypt" on; krbdiag does the same, so
 * what it reports about the service's keys matches what the dissector decrypted with. */
/* The current value of a preference of another module, as text (g_free it); NULL
 * when that module or preference does not exist. */
static char *
pref_text(module_t *module, const char *name)
{
    pref_t *pref = module ? prefs_find_preference(module, name) : NULL;
    return pref ? prefs_pref_to_str(pref, pref_current) : NULL;
}

/* Whether the Kerberos preferences turn Wireshark's own decryption on. */
static gboolean
kerberos_decrypting(void)
{
    char *decrypt = pref_text(prefs_find_module("kerberos"), "decrypt");
    gboolean on = decrypt && g_ascii_strcasecmp(decrypt, "TRUE") == 0;
    g_free(decrypt);
    return on;
}

/* The keytab file of the Kerberos preferences when decryption is on (g_free it), else NULL. */
static char *
kerberos_keytab_path(void)
{
    char *path = kerberos_decrypting() ? pref_text(prefs_find_module("kerberos"), "file") : NULL;
    if (path && !*path) {
        g_free(path);
        return NULL;
    }
    return path;
}

static void
load_user_keytab(void)
{
    kd_keytab_clear(&user_keytab);
    char *pref_path = kerberos_keytab_path();
    if (!pref_path)
        return;
    const char *path = pref_path;
    /* A krb5 keytab name may carry its type. */
    if (g_str_has_prefix(path, "FILE:"))
        path += strlen("FILE:");
    GStatBuf st;
    gchar *buf = NULL;
    gsize len = 0;
    if (g_stat(path, &st) != 0 || st.st_size > KD_KEYTAB_MAX_FILE ||
        !g_file_get_contents(path, &buf, &len, NULL) || len > KD_KEYTAB_MAX_FILE) {
        ws_warning("krbdiag: cannot read the keytab %s of the Kerberos preferences (missing or larger than %d bytes)",
                   path, KD_KEYTAB_MAX_FILE);
        g_free(buf);
        g_free(pref_path);
        return;
    }
    if (!kd_keytab_parse((const guint8 *)buf, len, &user_keytab))
        ws_warning("krbdiag: %s is no keytab krbdiag reads (format 0x0502 expected)", path);
    else if (user_keytab.damaged || user_keytab.dropped)
        ws_warning("krbdiag: keytab %s: %u entries read, %u beyond the limit, %s", path, user_keytab.n,
                   user_keytab.dropped, user_keytab.damaged ? "damaged" : "intact");
    g_free(buf);
    g_free(pref_path);
}

static void
krbdiag_init(void)
{
    kd_config cfg;
    kd_config_default(&cfg);
    cfg.skew_tolerance_s = pref_skew_tolerance;
    for (int g = 0; g < KD_GROUP_COUNT; g++)
        cfg.group_enabled[g] = pref_group[g];
    cfg.etype_name = kd_etype_name;
    cfg.error_name = kd_error_name_for_engine;
    load_user_keytab();
    cfg.keytab = user_keytab.loaded ? &user_keytab : NULL;
    engine = kd_engine_new(&cfg, store_findings, NULL);
    frame_findings = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    amended = wmem_array_new(wmem_file_scope(), sizeof(guint32));
    findings_bits = NULL;
    findings_words = 0;
    kerberos_frames = 0;
    g_free(ends_ring);
    ends_ring = NULL;
    memset(ends_written, 0, sizeof ends_written);
    cited_ends = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    kd_extract_reset(kerberos_decrypting());
    /* Looked up here, when a file opens, not at hand-off: Wireshark 4.4 and 4.6
     * register the expert protocol after the plugins' hand-off (the look-up found
     * nothing there). */
    proto_expert_items = proto_get_id_by_filter_name("_ws.expert");
}

guint
kd_kerberos_frame_count(void)
{
    return kerberos_frames;
}

static void
krbdiag_cleanup(void)
{
    kd_engine_free(engine);
    engine = NULL;
    kd_keytab_clear(&user_keytab);
    frame_findings = NULL;
    amended = NULL;
    findings_bits = NULL;       /* file scope: freed with the file */
    findings_words = 0;
    g_free(ends_ring);
    ends_ring = NULL;
    cited_ends = NULL;
}

const kd_stored_frame *
kd_frame_findings(guint32 frame)
{
    return frame_findings && frame_marked(frame) ? wmem_map_lookup(frame_findings, GUINT_TO_POINTER(frame)) : NULL;
}

static void
add_frame_number(gpointer key, gpointer value _U_, gpointer user)
{
    guint32 frame = GPOINTER_TO_UINT(key);
    wmem_array_append_one((wmem_array_t *)user, frame);
}

static int
frame_cmp(const void *a, const void *b)
{
    guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
    return x < y ? -1 : x > y;
}

wmem_array_t *
kd_frames_with_findings(wmem_allocator_t *scope)
{
    if (!frame_findings)
        return NULL;
    wmem_array_t *frames = wmem_array_new(scope, sizeof(guint32));
    wmem_map_foreach(frame_findings, add_frame_number, frames);
    wmem_array_sort(frames, frame_cmp);
    return frames;
}

/* ---------------------------------------------------------------- rendering */

/* Wireshark cuts an item's label at ITEM_LABEL_LENGTH (240 bytes, field name
 * included) and marks it "[truncated]". A text longer than one line keeps its
 * full value in the field (filters, -T fields, -T json); its label shows the
 * first line, and the whole text follows below it in lines of at most
 * KD_TEXT_LINE bytes, cut at spaces. */
#define KD_TEXT_LINE 110

static size_t
text_line_length(const char *p)
{
    size_t len = strlen(p);
    if (len <= KD_TEXT_LINE)
        return len;
    size_t n = KD_TEXT_LINE;
    while (n > KD_TEXT_LINE / 2 && p[n] != ' ')
        n--;
    if (p[n] != ' ') {              /* no space: cut, but not inside a UTF-8 sequence */
        n = KD_TEXT_LINE;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
            n--;
    }
    return n;
}

static void
add_text(proto_tree *tree, int hf, tvbuff_t *tvb, const char *text)
{
    size_t first = text_line_length(text);
    if (text[first] == '\0') {
        proto_item_set_generated(proto_tree_add_string(tree, hf, tvb, 0, 0, text));
        return;
    }
    proto_item *it = proto_tree_add_string_format_value(tree, hf, tvb, 0, 0, text, "%.*s \u2026", (int)first, text);
    proto_item_set_generated(it);
    /* The wrapped lines are for reading only (the field holds the whole text): not
     * built where nobody sees the tree (tshark -z expert, -T fields without it). */
    if (!proto_field_is_referenced(tree, hf))
        return;
    proto_tree *sub = proto_item_add_subtree(it, ett_text);
    for (const char *p = text; *p;) {
        size_t n = text_line_length(p);
        proto_tree_add_subtree_format(sub, tvb, 0, 0, ett_text, NULL, "%.*s", (int)n, p);
        p += n;
        while (*p == ' ')
            p++;
    }
}

const char *
kd_finding_error_label(wmem_allocator_t *scope, const kd_finding *f)
{
    if (f->error_code >= 0)
        return kd_error_name(scope, f->error_code);
    /* A DCE/RPC fault's status is a Win32 error, not an NTSTATUS (SMB2's). */
    if (f->has_status && kd_is_sec_pkg_error(f->status))
        return "RPC_S_SEC_PKG_ERROR";
    if (f->has_status)
        return kd_ntstatus_name(scope, f->status);
    return NULL;
}

static void
add_generated(proto_item *it)
{
    proto_item_set_generated(it);
}

/* The finding's lists: evidence frames, other candidates, causes ruled out. */
static void
add_lists(tvbuff_t *tvb, proto_tree *ft, const kd_finding *f)
{
    if (f->n_evidence) {
        proto_tree *et = proto_tree_add_subtree_format(ft, tvb, 0, 0, ett_evidence, NULL, "Evidence (%u %s)",
                                                       f->n_evidence, KD_PLURAL(f->n_evidence, "frame", "frames"));
        for (guint e = 0; e < f->n_evidence; e++)
            add_generated(proto_tree_add_uint_format_value(et, hf_krbdiag_evidence, tvb, 0, 0, f->evidence[e].frame,
                                                           "%u: %s", f->evidence[e].frame,
                                                           f->evidence[e].role ? f->evidence[e].role : ""));
    }
    for (guint a = 0; a < f->n_alternatives; a++) {
        const kd_cause_info *alt = kd_cause_get(f->alternatives[a]);
        add_generated(proto_tree_add_string_format_value(ft, hf_krbdiag_alternative, tvb, 0, 0, alt->id, "%s (%s)",
                                                         alt->id, alt->title));
    }
    for (guint r = 0; r < f->n_ruled_out; r++) {
        const kd_cause_info *out = kd_cause_get(f->ruled_out[r].cause);
        add_generated(proto_tree_add_string_format_value(ft, hf_krbdiag_ruled_out, tvb, 0, 0, out->id, "%s, by: %s",
                                                         out->id, f->ruled_out[r].by ? f->ruled_out[r].by : "?"));
    }
}

/* The finding's expert item, under the finding's cause item (ci), or on no item when
 * nothing reads the tree (tree_items_read). A note of a failure cause (the client
 * recovered, or the engine judged this case routine) is an expert note, told apart
 * from the failure by its own item. */
static void
add_expert(packet_info *pinfo, proto_item *ci, const kd_finding *f, const char *label)
{
    const kd_cause_info *c = kd_cause_get(f->cause);
    gboolean note = kd_finding_is_note(f) && c->severity == KD_SEV_WARN;
    expert_field *ei = note ? ei_krbdiag_cause_note[f->cause] : ei_krbdiag_cause[f->cause];
    const char *tag = f->recovered ? " (recovered)" : note ? " (note)" : "";
    if (label)
        expert_add_info_format(pinfo, ci, ei, "%s: %s%s", label, c->title, tag);
    else
        expert_add_info_format(pinfo, ci, ei, "%s%s", c->title, tag);
}

static void
render_finding(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const kd_finding *f)
{
    const kd_cause_info *c = kd_cause_get(f->cause);
    const char *label = kd_finding_error_label(pinfo->pool, f);
    const char *conf = kd_confidence_name(f->confidence);

    proto_item *fi = label ? proto_tree_add_string_format(tree, hf_krbdiag_finding, tvb, 0, 0, c->id, "%s: %s [%s]",
                                                          label, c->title, conf)
                           : proto_tree_add_string_format(tree, hf_krbdiag_finding, tvb, 0, 0, c->id, "%s [%s]",
                                                          c->title, conf);
    add_generated(fi);
    proto_tree *ft = proto_item_add_subtree(fi, ett_finding);

    proto_item *ci = proto_tree_add_string(ft, hf_krbdiag_cause, tvb, 0, 0, c->id);
    add_generated(ci);
    add_generated(proto_tree_add_string(ft, hf_krbdiag_title, tvb, 0, 0, c->title));
    add_generated(proto_tree_add_string(ft, hf_krbdiag_confidence, tvb, 0, 0, conf));
    if (f->error_code >= 0) {
        add_generated(proto_tree_add_string(ft, hf_krbdiag_error, tvb, 0, 0, label));
        add_generated(proto_tree_add_int(ft, hf_krbdiag_error_code, tvb, 0, 0, f->error_code));
    }
    if (f->spn)
        add_generated(proto_tree_add_string(ft, hf_krbdiag_spn, tvb, 0, 0, f->spn));
    if (f->client)
        add_generated(proto_tree_add_string(ft, hf_krbdiag_client, tvb, 0, 0, f->client));
    if (f->summary)
        add_text(ft, hf_krbdiag_summary, tvb, f->summary);
    if (f->has_inherited) {
        add_generated(proto_tree_add_string(ft, hf_krbdiag_inherited, tvb, 0, 0, kd_cause_get(f->inherited)->id));
        add_generated(proto_tree_add_uint(ft, hf_krbdiag_inherited_frame, tvb, 0, 0, f->inherited_frame));
    }
    if (f->restates)
        add_generated(proto_tree_add_uint(ft, hf_krbdiag_restates, tvb, 0, 0, f->restates));
    if (f->recovered) {
        add_generated(proto_tree_add_boolean(ft, hf_krbdiag_recovered, tvb, 0, 0, TRUE));
        add_generated(proto_tree_add_uint(ft, hf_krbdiag_recovered_frame, tvb, 0, 0, f->recovered_frame));
    }
    if (f->has_skew)
        add_generated(proto_tree_add_int64(ft, hf_krbdiag_skew, tvb, 0, 0, f->skew_seconds));
    if (f->count)
        add_generated(proto_tree_add_uint(ft, hf_krbdiag_count, tvb, 0, 0, f->count));
    for (guint d = 0; d < f->n_details; d++)
        add_generated(proto_tree_add_string(ft, hf_krbdiag_detail, tvb, 0, 0, f->details[d]));
    add_lists(tvb, ft, f);
    if (f->missing)
        add_text(ft, hf_krbdiag_missing, tvb, f->missing);
    add_text(ft, hf_krbdiag_explanation, tvb, kd_finding_explanation(f->cause, f->error_code));
    add_text(ft, hf_krbdiag_remedy, tvb, kd_finding_remedy(f->cause, f->error_code));
    add_generated(proto_tree_add_string(ft, hf_krbdiag_reference, tvb, 0, 0, c->reference));
    if (f->amended_by)
        add_generated(proto_tree_add_uint_format_value(ft, hf_krbdiag_amended_by, tvb, 0, 0, f->amended_by,
            "%u (evidence that came later changed this finding; a display filter applied while the capture "
            "loaded saw the earlier one: apply it again)", f->amended_by));
    /* Hidden: what was ruled out before saying "confirmed" (filters and tests read it). */
    for (guint k = 0; k < f->n_checks; k++) {
        proto_item *ck = proto_tree_add_string(ft, hf_krbdiag_checked, tvb, 0, 0, f->checks[k]);
        add_generated(ck);
        proto_item_set_hidden(ck);
    }
    add_expert(pinfo, ci, f, label);
}

/* Whether anything reads krbdiag's tree items on this frame: a tree that is shown
 * (the GUI's packet details, -V, -T json or pdml), or a filter, column, -e or Lua
 * field that names a krbdiag field or an expert field. Otherwise (tshark -z expert,
 * a display filter on other fields) Wireshark fakes every item anyway, and the
 * findings need only their expert items (the expert tap reads them), the Info
 * column and the statistics tap. */
static gboolean
tree_items_read(proto_tree *tree)
{
    return proto_field_is_referenced(tree, proto_krbdiag) ||
           (proto_expert_items > 0 && proto_field_is_referenced(tree, proto_expert_items));
}

static int
dissect_krbdiag(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    /* Feed the engine once, on the first pass, in capture order. Later passes
     * (tshark -2, GUI redisplay) only render what was stored. */
    gboolean amends = FALSE, fed = FALSE;
    if (!pinfo->fd->visited && engine && kd_extract_relevant(tvb, pinfo, tree)) {
        kd_obs obs[KD_MAX_OBS_PER_FRAME];
        guint n = kd_extract_frame(pinfo, tree, obs);
        for (guint i = 0; i < n; i++) {
            if (obs[i].kind == KD_OBS_KRB) {
                kerberos_frames++;
                break;
            }
        }
        if (n) {
            fed = TRUE;
            remember_ends(obs, n);
            guint before = wmem_array_get_count(amended);
            feeding_frame = pinfo->num;
            kd_engine_feed(engine, obs, n);
            feeding_frame = 0;
            amends = wmem_array_get_count(amended) != before;
        }
    }
    /* On the first pass a frame has findings of its own only when it was fed: the
     * engine adds findings to the frame it reads, and amends only earlier ones. */
    const kd_stored_frame *sf = pinfo->fd->visited || fed ? kd_frame_findings(pinfo->num) : NULL;
    /* The statistics recount frames this one amended, even with no finding of its own. */
    if (!sf) {
        if (amends)
            tap_queue_packet(krbdiag_tap, pinfo, NULL);
        return 0;
    }
    tap_queue_packet(krbdiag_tap, pinfo, sf);

    guint shown = 0;
    for (guint i = 0; i < sf->n; i++)
        shown += pref_show_info || !kd_finding_is_note(&sf->findings[i]);
    if (!shown)
        return 0;

    const gboolean items = tree_items_read(tree);
    proto_item *ti = NULL;
    proto_tree *kt = NULL;
    if (items) {
        ti = proto_tree_add_item(tree, proto_krbdiag, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(ti);
        kt = proto_item_add_subtree(ti, ett_krbdiag);
    }
    /* The Info column names every finding shown, by its short title, in one tag. */
    wmem_strbuf_t *info = wmem_strbuf_new(pinfo->pool, NULL);
    for (guint i = 0; i < sf->n; i++) {
        const kd_finding *f = &sf->findings[i];
        if (!pref_show_info && kd_finding_is_note(f))
            continue;
        if (items)
            render_finding(tvb, pinfo, kt, f);
        else
            add_expert(pinfo, NULL, f, kd_finding_error_label(pinfo->pool, f));
        if (wmem_strbuf_get_len(info) == 0) {
            if (items)
                proto_item_append_text(ti, ": %s", kd_cause_get(f->cause)->title);
        } else {
            wmem_strbuf_append(info, "; ");
        }
        wmem_strbuf_append(info, kd_cause_short_title(f->cause));
    }
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, " ", "[krbdiag: %s]", wmem_strbuf_get_str(info));
    return 0;
}

/* ------------------------------------------------------------- registration */

/* One expert item per cause and one for the cause as a note (kd_expert_items.c). */
static void
register_expert_items(void)
{
    /* Expert items appear in `tshark -G fields` too: their descriptions are the
     * catalog's explanations (the table itself is generated from the catalog). */
    G_STATIC_ASSERT(G_N_ELEMENTS(ei_krbdiag) == 2 * KD_CAUSE_COUNT);
    for (int i = 0; i < KD_CAUSE_COUNT; i++) {
        ei_krbdiag[i].eiinfo.hf_info.hfinfo.blurb = kd_catalog[i].explanation;
        ei_krbdiag[KD_CAUSE_COUNT + i].eiinfo.hf_info.hfinfo.blurb =
            g_strdup_printf("A note, not a failure: the client recovered later in the capture, or the case is "
                            "routine. %s", kd_catalog[i].explanation);
    }
    expert_module_t *expert = expert_register_protocol(proto_krbdiag);
    expert_register_field_array(expert, ei_krbdiag, array_length(ei_krbdiag));
}

static void
register_preferences(void)
{
    module_t *kd_prefs = prefs_register_protocol(proto_krbdiag, NULL);
    prefs_register_uint_preference(kd_prefs, "skew_tolerance", "Clock skew tolerance (seconds)",
                                   "Clock difference the Kerberos realm allows (default 300 s)", 10, &pref_skew_tolerance);
    prefs_register_bool_preference(kd_prefs, "show_info", "Show informational findings",
                                   "Show benign findings (pre-authentication round trip, TCP retry, referrals)",
                                   &pref_show_info);
    prefs_register_bool_preference(kd_prefs, "rules_kdc", "Rules: KDC errors",
                                   "Accounts, SPNs, clocks (errors answered by a KDC)", &pref_group[KD_GROUP_KDC]);
    prefs_register_bool_preference(kd_prefs, "rules_service", "Rules: service errors",
                                   "Tickets a service refuses (KRB_AP_ERR_MODIFIED and relatives)", &pref_group[KD_GROUP_SERVICE]);
    prefs_register_bool_preference(kd_prefs, "rules_etype", "Rules: encryption types and keys",
                                   "Encryption types and keys between KDCs and realms", &pref_group[KD_GROUP_ETYPE]);
    prefs_register_bool_preference(kd_prefs, "rules_transport", "Rules: transport and fallbacks",
                                   "Unreachable KDCs, UDP size, NTLM fallback, RPC status codes", &pref_group[KD_GROUP_TRANSPORT]);
}

void
proto_register_krbdiag(void)
{
    static hf_register_info hf[] = {
        { &hf_krbdiag_finding, { "Finding", "krbdiag.finding", FT_STRING, BASE_NONE, NULL, 0x0,
                         "One diagnosis on this frame (its value is the cause id)", HFILL } },
        { &hf_krbdiag_cause, { "Cause", "krbdiag.cause", FT_STRING, BASE_NONE, NULL, 0x0,
                       "Stable id of the diagnosed root cause (see the cause catalog)", HFILL } },
        { &hf_krbdiag_title, { "Title", "krbdiag.title", FT_STRING, BASE_NONE, NULL, 0x0,
                       "One-line title of the cause", HFILL } },
        { &hf_krbdiag_confidence, { "Confidence", "krbdiag.confidence", FT_STRING, BASE_NONE, NULL, 0x0,
                            "How well the capture supports the cause: confirmed, likely, possible or info", HFILL } },
        { &hf_krbdiag_error, { "Kerberos error", "krbdiag.error", FT_STRING, BASE_NONE, NULL, 0x0,
                       "Name of the Kerberos error the finding explains", HFILL } },
        { &hf_krbdiag_error_code, { "Kerberos error code", "krbdiag.error_code", FT_INT32, BASE_DEC, NULL, 0x0,
                            "Numeric Kerberos error code", HFILL } },
        { &hf_krbdiag_spn, { "Service principal", "krbdiag.spn", FT_STRING, BASE_NONE, NULL, 0x0,
                     "The service principal name the failure is about", HFILL } },
        { &hf_krbdiag_client, { "Client principal", "krbdiag.client", FT_STRING, BASE_NONE, NULL, 0x0,
                        "The client principal the failure is about", HFILL } },
        { &hf_krbdiag_summary, { "Summary", "krbdiag.summary", FT_STRING, BASE_NONE, NULL, 0x0,
                         "What happened in this case, with the values seen", HFILL } },
        { &hf_krbdiag_explanation, { "Explanation", "krbdiag.explanation", FT_STRING, BASE_NONE, NULL, 0x0,
                             "Why this cause produces this failure", HFILL } },
        { &hf_krbdiag_remedy, { "Remedy", "krbdiag.remedy", FT_STRING, BASE_NONE, NULL, 0x0,
                        "What to do about it", HFILL } },
        { &hf_krbdiag_evidence, { "Evidence frame", "krbdiag.evidence", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
                          "A frame that supports the diagnosis (double-click to go there)", HFILL } },
        { &hf_krbdiag_alternative, { "Other candidate", "krbdiag.alternative", FT_STRING, BASE_NONE, NULL, 0x0,
                             "Another cause the capture does not rule out, ranked", HFILL } },
        { &hf_krbdiag_missing, { "To decide, capture", "krbdiag.missing", FT_STRING, BASE_NONE, NULL, 0x0,
                         "Evidence that would settle between the candidate causes", HFILL } },
        { &hf_krbdiag_detail, { "Detail", "krbdiag.detail", FT_STRING, BASE_NONE, NULL, 0x0,
                        "A value that backs the diagnosis", HFILL } },
        { &hf_krbdiag_skew, { "Clock offset (s)", "krbdiag.skew", FT_INT64, BASE_DEC, NULL, 0x0,
                      "Offset of the clock that is off, in seconds: that clock minus the reference clock (the capture's; the server's when it agrees with the capture); positive ahead, negative behind", HFILL } },
        { &hf_krbdiag_count, { "Failures so far", "krbdiag.count", FT_UINT32, BASE_DEC, NULL, 0x0,
                       "Failures counted for this principal and client up to this frame", HFILL } },
        { &hf_krbdiag_inherited, { "Underlying cause", "krbdiag.inherited", FT_STRING, BASE_NONE, NULL, 0x0,
                           "Cause of the Kerberos failure beneath an RPC or NTLM symptom", HFILL } },
        { &hf_krbdiag_inherited_frame, { "Underlying failure", "krbdiag.inherited_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
                                 "Frame of the Kerberos failure beneath this symptom", HFILL } },
        { &hf_krbdiag_reference, { "Reference", "krbdiag.reference", FT_STRING, BASE_NONE, NULL, 0x0,
                           "Where the reasoning behind this cause comes from", HFILL } },
        { &hf_krbdiag_recovered, { "Recovered", "krbdiag.recovered", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
                           "The client got what it asked for later in the capture: a note, not a failure", HFILL } },
        { &hf_krbdiag_recovered_frame, { "Recovered in", "krbdiag.recovered_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
                                 "Frame of the success that recovered this failure", HFILL } },
        { &hf_krbdiag_checked, { "Checked", "krbdiag.checked", FT_STRING, BASE_NONE, NULL, 0x0,
                         "A contradiction looked for in the capture and not found (confirmed findings only)", HFILL } },
        { &hf_krbdiag_ruled_out, { "Ruled out", "krbdiag.ruled_out", FT_STRING, BASE_NONE, NULL, 0x0,
                           "Another cause the capture excludes for this failure (its id), and by what", HFILL } },
        { &hf_krbdiag_restates, { "Restates the failure in", "krbdiag.restates", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
                          "This frame brought the deciding evidence: the finding restates that frame's diagnosis "
                          "(evidence, not another failure)", HFILL } },
        { &hf_krbdiag_amended_by, { "Amended by frame", "krbdiag.amended_by", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
                            "Evidence in this later frame changed the finding after the frame was first dissected",
                            HFILL } },
    };
    static gint *ett[] = { &ett_krbdiag, &ett_finding, &ett_evidence, &ett_text };

    proto_krbdiag = proto_register_protocol("Kerberos Diagnosis", "KRBDIAG", "krbdiag");
    proto_register_field_array(proto_krbdiag, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));

    register_expert_items();
    register_preferences();

    krbdiag_handle = register_dissector("krbdiag", dissect_krbdiag, proto_krbdiag);
    register_postdissector(krbdiag_handle);
    register_init_routine(krbdiag_init);
    register_cleanup_routine(krbdiag_cleanup);
    krbdiag_tap = register_tap("krbdiag");
    kd_register_menu(proto_krbdiag);
}

void
proto_reg_handoff_krbdiag(void)
{
    /* Field ids of other protocols are final once every protocol registered. */
    kd_names_init();
    kd_extract_init(krbdiag_handle);
    /* The statistics tree and the report read the findings through the "krbdiag"
     * tap, registered with the protocol. */
    kd_register_stats();
}
