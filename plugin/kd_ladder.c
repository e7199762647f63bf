/* kd_ladder.c
 * A finding as a ladder (sequence) diagram: the model, its text and SVG forms, and
 * the self-contained HTML page.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The rows are the frames the finding stands on or cites (its evidence, its
 * recovery, its first symptom), in frame order; the parties are the addresses those
 * frames went between, named by the well-known port they used (a KDC answers on 88,
 * a DNS server on 53...) or as client and service. Every text comes from a capture,
 * so it is made valid UTF-8, stripped of control characters, capped, and escaped for
 * the output it goes to.
 */
#include <wireshark.h>

#include <string.h>

#include "kd_ladder.h"
#include "packet-krbdiag.h"

#define KD_LADDER_LABEL_MAX 160     /* characters of an arrow's label */
#define KD_LADDER_MAX_ROLES 3       /* roles named per party */

/* ------------------------------------------------------------------- texts */

/* s as valid UTF-8 without control characters (but newlines when lines), at most
 * max characters ("..." ends a cut text), in scope. */
static char *
clean_chars(wmem_allocator_t *scope, const char *s, glong max, gboolean lines)
{
    char *valid = g_utf8_make_valid(s ? s : "", -1);
    GString *out = g_string_sized_new(strlen(valid));
    const char *p = valid;
    for (glong n = 0; *p && n < max; p = g_utf8_next_char(p), n++) {
        gunichar c = g_utf8_get_char(p);
        if (c == '\n' && lines)
            g_string_append_c(out, '\n');
        else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0xfffe || c == 0xffff)
            g_string_append_c(out, '?');
        else
            g_string_append_unichar(out, c);
    }
    if (*p)
        g_string_append(out, "...");
    char *r = wmem_strdup(scope, out->str);
    g_string_free(out, TRUE);
    g_free(valid);
    return r;
}

static char *
clean_text(wmem_allocator_t *scope, const char *s, glong max)
{
    return clean_chars(scope, s, max, FALSE);
}

/* Append s escaped for XML text and attribute values (s is clean already). */
static void
xml_append(GString *out, const char *s)
{
    char *e = g_markup_escape_text(s ? s : "", -1);
    g_string_append(out, e);
    g_free(e);
}

/* ----------------------------------------------------------------- parties */

/* The role of the host a frame went to or came from, by the port it used there. */
static const struct {
    guint16 port;
    const char *role;
} kd_port_roles[] = {
    { 88, "KDC" },          /* Kerberos */
    { 464, "KDC" },         /* Kerberos password change */
    { 53, "DNS" },
    { 389, "LDAP" },
    { 636, "LDAP" },        /* LDAP over TLS */
    { 3268, "LDAP" },       /* global catalog */
    { 3269, "LDAP" },       /* global catalog over TLS */
};

static const char *
port_role(guint16 port)
{
    for (guint i = 0; i < G_N_ELEMENTS(kd_port_roles); i++) {
        if (kd_port_roles[i].port == port)
            return kd_port_roles[i].role;
    }
    return NULL;
}

/* Roles of the source and destination of a frame: a well-known port names its side,
 * and the other side is the client; with none, the lower port is the service's
 * (clients take high ephemeral ports). NULL: no port tells (an ICMP error). */
static void
frame_roles(const kd_frame_ends *e, const char **src_role, const char **dst_role)
{
    const char *s = port_role(e->sport), *d = port_role(e->dport);
    if (s || d) {
        *src_role = s ? s : "client";
        *dst_role = d ? d : "client";
    } else if (!e->sport || !e->dport) {
        *src_role = *dst_role = NULL;
    } else {
        *src_role = e->sport < e->dport ? "service" : "client";
        *dst_role = e->sport < e->dport ? "client" : "service";
    }
}

static void
party_add_role(wmem_allocator_t *scope, kd_ladder_party *p, const char *role)
{
    if (!role)
        return;
    if (!p->roles) {
        p->roles = wmem_strdup(scope, role);
        return;
    }
    char **have = g_strsplit(p->roles, "/", -1);
    guint n = g_strv_length(have);
    gboolean known = g_strv_contains((const char *const *)have, role);
    g_strfreev(have);
    if (!known && n < KD_LADDER_MAX_ROLES)
        p->roles = wmem_strdup_printf(scope, "%s/%s", p->roles, role);
}

/* The party at address a (added when new), with role; -1 when there is no room. */
static int
party_of(wmem_allocator_t *scope, kd_ladder *l, const kd_addr *a, const char *role)
{
    char buf[64];
    const char *text = kd_addr_to_str(a, buf, sizeof buf);
    guint i;
    for (i = 0; i < l->n_parties; i++) {
        if (strcmp(l->parties[i].address, text) == 0)
            break;
    }
    if (i == l->n_parties) {
        if (l->n_parties >= KD_LADDER_MAX_PARTIES)
            return -1;
        l->parties[l->n_parties].address = wmem_strdup(scope, text);
        l->parties[l->n_parties].roles = NULL;
        l->n_parties++;
    }
    party_add_role(scope, &l->parties[i], role);
    return (int)i;
}

/* Clients stand leftmost, then the others in the order they first appear; rows
 * follow their parties. */
static void
order_parties(kd_ladder *l)
{
    int map[KD_LADDER_MAX_PARTIES];
    kd_ladder_party sorted[KD_LADDER_MAX_PARTIES];
    guint n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (guint i = 0; i < l->n_parties; i++) {
            gboolean client = g_str_has_prefix(l->parties[i].roles, "client");
            if (client == (pass == 0)) {
                map[i] = (int)n;
                sorted[n++] = l->parties[i];
            }
        }
    }
    memcpy(l->parties, sorted, n * sizeof(kd_ladder_party));
    for (guint r = 0; r < l->n_rows; r++) {
        if (l->rows[r].from >= 0)
            l->rows[r].from = map[l->rows[r].from];
        if (l->rows[r].to >= 0)
            l->rows[r].to = map[l->rows[r].to];
    }
}

/* -------------------------------------------------------------------- rows */

static kd_ladder_row *
row_of(kd_ladder *l, guint32 frame)
{
    for (guint i = 0; i < l->n_rows; i++) {
        if (l->rows[i].frame == frame)
            return &l->rows[i];
    }
    return NULL;
}

/* A row for frame (the one it has already, when the frame is cited twice). */
static void
row_add(wmem_allocator_t *scope, kd_ladder *l, guint32 frame, kd_ladder_row_kind kind, const char *label)
{
    if (!frame)
        return;
    kd_ladder_row *r = row_of(l, frame);
    if (r) {
        if (kind > r->kind)     /* the failure, then a recovery or a symptom, say more than evidence */
            r->kind = kind;
        return;
    }
    if (l->n_rows >= KD_LADDER_MAX_ROWS)
        return;
    r = &l->rows[l->n_rows++];
    r->frame = frame;
    r->kind = kind;
    r->from = r->to = -1;
    r->label = clean_text(scope, label, KD_LADDER_LABEL_MAX);
}

static int
row_cmp(const void *a, const void *b)
{
    const kd_ladder_row *x = a, *y = b;
    return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* The failing frame's label: the error, the cause and its confidence. */
static char *
failing_label(wmem_allocator_t *scope, const kd_ladder_source *src)
{
    const kd_finding *f = src->first;
    const kd_cause_info *c = kd_cause_get(f->cause);
    const char *error = kd_finding_error_label(scope, f);
    return wmem_strdup_printf(scope, "%s%s%s (%s) [%s]", error ? error : "", error ? ": " : "",
                              kd_cause_short_title(f->cause), c->id, kd_confidence_name(src->confidence));
}

static void
rows_of(wmem_allocator_t *scope, kd_ladder *l, const kd_ladder_source *src)
{
    const kd_finding *f = src->first;
    /* The failing row first: it keeps its place whatever the cap drops. */
    row_add(scope, l, src->first_frame, KD_ROW_FAILING, NULL);
    /* The cause shows whole, and the symptom the failure surfaced as in the same frame. */
    char *label = failing_label(scope, src);
    if (src->symptom_frame == src->first_frame)
        label = wmem_strdup_printf(scope, "%s; symptom: %s", label, src->symptom_label ? src->symptom_label : "?");
    l->rows[0].label = clean_text(scope, label, 4 * KD_LADDER_LABEL_MAX);
    if (src->symptom_frame)
        row_add(scope, l, src->symptom_frame, KD_ROW_SYMPTOM,
                wmem_strdup_printf(scope, "symptom: %s", src->symptom_label ? src->symptom_label : "?"));
    if (f->recovered)
        row_add(scope, l, f->recovered_frame, KD_ROW_RECOVERY, "recovered: the client got what it asked for");
    for (guint e = 0; e < f->n_evidence; e++)
        row_add(scope, l, f->evidence[e].frame, KD_ROW_EVIDENCE, f->evidence[e].role);
    /* A recovery cited as evidence keeps its own words. */
    kd_ladder_row *rec = f->recovered ? row_of(l, f->recovered_frame) : NULL;
    for (guint e = 0; rec && e < f->n_evidence; e++) {
        if (f->evidence[e].frame == f->recovered_frame)
            rec->label = clean_text(scope, f->evidence[e].role, KD_LADDER_LABEL_MAX);
    }
    qsort(l->rows, l->n_rows, sizeof(kd_ladder_row), row_cmp);
}

static void
arrows_of(wmem_allocator_t *scope, kd_ladder *l)
{
    for (guint i = 0; i < l->n_rows; i++) {
        kd_ladder_row *r = &l->rows[i];
        const kd_frame_ends *e = kd_frame_ends_of(r->frame);
        if (!e || !e->src.len || !e->dst.len)
            continue;
        const char *src_role, *dst_role;
        frame_roles(e, &src_role, &dst_role);
        r->from = party_of(scope, l, &e->src, src_role);
        r->to = party_of(scope, l, &e->dst, dst_role);
        if (r->from < 0 || r->to < 0)
            r->from = r->to = -1;
    }
    for (guint p = 0; p < l->n_parties; p++) {
        if (!l->parties[p].roles)
            l->parties[p].roles = wmem_strdup(scope, "host");
    }
    order_parties(l);
}

kd_ladder *
kd_ladder_build(wmem_allocator_t *scope, const kd_ladder_source *src)
{
    const kd_finding *f = src->first;
    const kd_cause_info *c = kd_cause_get(f->cause);
    kd_ladder *l = wmem_new0(scope, kd_ladder);
    l->heading = wmem_strdup(scope, src->heading);
    l->cause_id = c->id;
    l->confidence = kd_confidence_name(src->confidence);
    l->failure = src->failure;
    l->failing = wmem_strdup(scope, src->failing);
    l->summary = f->summary ? clean_text(scope, f->summary, 4 * KD_LADDER_LABEL_MAX) : NULL;
    rows_of(scope, l, src);
    arrows_of(scope, l);
    return l;
}

/* -------------------------------------------------------------------- text */

#define KD_TEXT_COL 12          /* characters between two lifelines */

static char
party_letter(int i)
{
    return i < 0 ? '?' : (char)('A' + i);
}

/* One row of lifelines with the row's arrow drawn between them. */
static void
text_arrow(GString *out, const kd_ladder *l, const kd_ladder_row *r)
{
    guint width = (l->n_parties ? l->n_parties - 1 : 0) * KD_TEXT_COL + 4;
    char *line = g_malloc(width + 1);
    memset(line, ' ', width);
    line[width] = '\0';
    for (guint p = 0; p < l->n_parties; p++)
        line[p * KD_TEXT_COL] = '|';
    if (r->from >= 0 && r->from == r->to) {
        memcpy(line + r->from * KD_TEXT_COL + 1, "<-)", 3);    /* to itself */
    } else if (r->from >= 0) {
        guint a = (guint)MIN(r->from, r->to) * KD_TEXT_COL, b = (guint)MAX(r->from, r->to) * KD_TEXT_COL;
        for (guint x = a + 1; x < b; x++)
            line[x] = '-';
        line[r->to > r->from ? b - 1 : a + 1] = r->to > r->from ? '>' : '<';
    }
    g_string_append(out, line);
    g_free(line);
}

static const char *
row_mark(kd_ladder_row_kind kind)
{
    switch (kind) {
    case KD_ROW_FAILING: return "!!";
    case KD_ROW_SYMPTOM: return " !";
    case KD_ROW_RECOVERY: return "ok";
    default: return "  ";
    }
}

void
kd_ladder_text(GString *out, const kd_ladder *l)
{
    g_string_append_printf(out, "\n%s\n", l->heading);
    g_string_append_printf(out, "  %-11s %s\n", "confidence:", l->confidence);
    g_string_append_printf(out, "  %-11s %s\n", "failing:", l->failing);
    for (guint p = 0; p < l->n_parties; p++)
        g_string_append_printf(out, "  %-11s %c = %s %s\n", p ? "" : "parties:", party_letter((int)p),
                               l->parties[p].roles, l->parties[p].address);
    g_string_append_printf(out, "  %2s %6s  ", "", "frame");
    for (guint p = 0; p < l->n_parties; p++)
        g_string_append_printf(out, "%-*c", p + 1 < l->n_parties ? KD_TEXT_COL : 1, party_letter((int)p));
    g_string_append(out, "\n");
    for (guint i = 0; i < l->n_rows; i++) {
        const kd_ladder_row *r = &l->rows[i];
        g_string_append_printf(out, "  %s %6u  ", row_mark(r->kind), r->frame);
        text_arrow(out, l, r);
        g_string_append_printf(out, " %c->%c  %s\n", party_letter(r->from), party_letter(r->to), r->label);
    }
}

/* --------------------------------------------------------------------- SVG */

#define KD_SVG_GUTTER   64      /* frame numbers */
#define KD_SVG_COL      150     /* between lifelines */
#define KD_SVG_HEAD     54      /* party boxes */
#define KD_SVG_ROW      28
#define KD_SVG_CHAR     8       /* room for a label character at 12px (bold too) */

/* Colours of arrows and labels by row kind (kd_ladder_row_kind order), then of the
 * frame a note stands on; each has an arrowhead marker "kd-head-<index>". */
static const char *const kd_row_colours[] = { "#333333", "#b35c00", "#1b7a3a", "#b3261e", "#1f5fa8" };
#define KD_COLOUR_NOTE 4

static guint
row_colour(const kd_ladder *l, const kd_ladder_row *r)
{
    return r->kind == KD_ROW_FAILING && !l->failure ? KD_COLOUR_NOTE : (guint)r->kind;
}

static guint
party_x(int p)
{
    return KD_SVG_GUTTER + KD_SVG_COL / 2 + (guint)p * KD_SVG_COL;
}

static void
svg_parties(GString *out, const kd_ladder *l, guint height)
{
    for (guint p = 0; p < l->n_parties; p++) {
        guint x = party_x((int)p);
        g_string_append_printf(out, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" class=\"life\"/>\n", x,
                               KD_SVG_HEAD, x, height - 8);
        g_string_append_printf(out, "<rect x=\"%u\" y=\"6\" width=\"%u\" height=\"%u\" rx=\"4\" class=\"party\"/>\n",
                               x - KD_SVG_COL / 2 + 6, KD_SVG_COL - 12, KD_SVG_HEAD - 12);
        g_string_append_printf(out, "<text x=\"%u\" y=\"24\" class=\"role\">", x);
        xml_append(out, l->parties[p].roles);
        g_string_append_printf(out, "</text>\n<text x=\"%u\" y=\"40\" class=\"addr\">", x);
        xml_append(out, l->parties[p].address);
        g_string_append(out, "</text>\n");
    }
}

/* The arrow of one row: between two lifelines, a loop back to the same one, or a
 * question mark when the frame's ends are unknown. */
static void
svg_arrow(GString *out, const kd_ladder_row *r, guint y, guint c)
{
    const char *colour = kd_row_colours[c];
    if (r->from < 0) {
        g_string_append_printf(out, "<text x=\"%u\" y=\"%u\" class=\"unknown\">(ends unknown)</text>\n",
                               KD_SVG_GUTTER + 4, y + 4);
        return;
    }
    guint a = party_x(r->from), b = party_x(r->to);
    if (a == b) {
        g_string_append_printf(out, "<path d=\"M %u %u h 40 v 12 h -34\" fill=\"none\" stroke=\"%s\" "
                               "stroke-width=\"2\" marker-end=\"url(#kd-head-%u)\"/>\n", a, y - 6, colour, c);
        return;
    }
    guint end = b > a ? b - 3 : b + 3;
    g_string_append_printf(out, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"%s\" stroke-width=\"2\" "
                           "marker-end=\"url(#kd-head-%u)\"/>\n", a, y, end, y, colour, c);
}

static void
svg_rows(GString *out, const kd_ladder *l, guint label_x)
{
    for (guint i = 0; i < l->n_rows; i++) {
        const kd_ladder_row *r = &l->rows[i];
        guint y = KD_SVG_HEAD + KD_SVG_ROW / 2 + 6 + i * KD_SVG_ROW;
        guint c = row_colour(l, r);
        const char *colour = kd_row_colours[c];
        g_string_append_printf(out, "<g class=\"row%s\"><text x=\"%u\" y=\"%u\" class=\"frame\">%u</text>\n",
                               r->kind == KD_ROW_FAILING ? " failing" : "", KD_SVG_GUTTER - 10, y + 4, r->frame);
        svg_arrow(out, r, y, c);
        g_string_append_printf(out, "<text x=\"%u\" y=\"%u\" fill=\"%s\" class=\"label\">", label_x, y + 4, colour);
        xml_append(out, r->label);
        g_string_append(out, "</text></g>\n");
    }
}

void
kd_ladder_svg(GString *out, const kd_ladder *l)
{
    guint label_x = party_x((int)MAX(l->n_parties, 1) - 1) + KD_SVG_COL / 2 + 10;
    glong longest = 0;
    for (guint i = 0; i < l->n_rows; i++)
        longest = MAX(longest, g_utf8_strlen(l->rows[i].label, -1));
    guint width = label_x + (guint)longest * KD_SVG_CHAR + 16;
    guint height = KD_SVG_HEAD + 12 + l->n_rows * KD_SVG_ROW;
    g_string_append_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" width=\"%u\" "
                           "height=\"%u\" viewBox=\"0 0 %u %u\" role=\"img\">\n<title>", width, height, width, height);
    xml_append(out, l->heading);
    g_string_append(out, "</title>\n<defs>");
    for (guint k = 0; k < G_N_ELEMENTS(kd_row_colours); k++)
        g_string_append_printf(out, "<marker id=\"kd-head-%u\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                               "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M 0 0 L 10 5 L 0 10 z\" "
                               "fill=\"%s\"/></marker>", k, kd_row_colours[k]);
    g_string_append(out, "</defs>\n");
    svg_parties(out, l, height);
    svg_rows(out, l, label_x);
    g_string_append(out, "</svg>\n");
}

/* -------------------------------------------------------------------- HTML */

static const char kd_html_style[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;color:#222;background:#fff}"
    "h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px}"
    "h3{font-size:15px;margin:18px 0 4px}h3.warning{color:#b3261e}"
    ".facts{margin:2px 0 6px;font-size:13px}.what{margin:2px 0 8px;font-size:13px;max-width:1100px}"
    ".scroll{overflow-x:auto}pre{background:#f6f6f6;padding:10px;font-size:12px;white-space:pre-wrap}"
    "svg.ladder{font-family:'DejaVu Sans',Arial,sans-serif;font-size:12px}"
    "svg .life{stroke:#999;stroke-dasharray:4 3}svg .party{fill:#eef3fb;stroke:#5b7fb8}"
    "svg .role{text-anchor:middle;font-weight:bold}svg .addr{text-anchor:middle;font-size:11px}"
    "svg .frame{text-anchor:end;fill:#555}svg .failing .label{font-weight:bold}"
    "svg .unknown{fill:#888;font-style:italic}";

static void
html_problem(GString *out, const kd_ladder *l)
{
    g_string_append_printf(out, "<article>\n<h3 class=\"%s\">", l->failure ? "warning" : "note");
    xml_append(out, l->heading);
    g_string_append(out, "</h3>\n<p class=\"facts\">confidence: ");
    xml_append(out, l->confidence);
    g_string_append(out, " &#183; failing: ");
    xml_append(out, l->failing);
    g_string_append(out, "</p>\n");
    if (l->summary) {
        g_string_append(out, "<p class=\"what\">");
        xml_append(out, l->summary);
        g_string_append(out, "</p>\n");
    }
    g_string_append(out, "<div class=\"scroll\">\n");
    kd_ladder_svg(out, l);
    g_string_append(out, "</div>\n</article>\n");
}

void
kd_ladder_html(GString *out, const char *capture, GPtrArray *ladders, const char *report_text)
{
    /* XHTML as well as HTML: the page parses as XML (tests check it does). */
    g_string_append(out, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
                    "<meta charset=\"utf-8\"/>\n<title>Kerberos Diagnosis</title>\n<style>");
    g_string_append(out, kd_html_style);
    g_string_append(out, "</style>\n</head>\n<body>\n<h1>Kerberos Diagnosis</h1>\n"
                    "<!-- krbdiag:capture -->\n<section class=\"capture\">\n<h2>");
    if (capture) {
        char *name = clean_text(NULL, capture, 4 * KD_LADDER_LABEL_MAX);
        xml_append(out, name);
        g_free(name);
    } else
        g_string_append(out, "<!-- krbdiag:name -->");
    g_string_append(out, "</h2>\n");
    if (!ladders->len)
        g_string_append(out, "<p>No finding.</p>\n");
    for (guint i = 0; i < ladders->len; i++)
        html_problem(out, g_ptr_array_index(ladders, i));
    g_string_append(out, "<h3>Report</h3>\n<pre>");
    char *text = clean_chars(NULL, report_text, G_MAXINT32, TRUE);
    xml_append(out, text);
    g_free(text);
    g_string_append(out, "</pre>\n</section>\n<!-- /krbdiag:capture -->\n</body>\n</html>\n");
}
