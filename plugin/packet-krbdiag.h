/* packet-krbdiag.h
 * Stored findings shared between the dissector and the statistics/report taps.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PACKET_KRBDIAG_H
#define PACKET_KRBDIAG_H

#include <wireshark.h>

#include "kd_engine.h"

#define KD_MAX_STORED 8

/* A frame's findings as the engine last emitted them: the engine's own type, copied
 * whole into wmem file scope, so every output (tree, expert item, Info column,
 * statistics, report) reads the same finding. */
typedef struct {
    guint n;
    kd_finding findings[];          /* exactly n: memory grows with findings only */
} kd_stored_frame;

const kd_stored_frame *kd_frame_findings(guint32 frame);

/* Where a frame went: source and destination address and port (port 0: none). */
typedef struct {
    guint32 frame;
    kd_addr src, dst;
    guint16 sport, dport;
} kd_frame_ends;

/* The ends of a frame a finding stands on or cites (evidence, recovery, restated or
 * inherited failure); NULL when unknown (cited long after it went by, or no capture). */
const kd_frame_ends *kd_frame_ends_of(guint32 frame);
/* Frames holding findings now (after every amendment so far), ascending; NULL when
 * no capture is loaded. Allocated in `scope`. */
wmem_array_t *kd_frames_with_findings(wmem_allocator_t *scope);
/* Frames whose stored findings were replaced after first being stored (amended by
 * later evidence), in the order it happened; NULL when no capture is loaded. */
wmem_array_t *kd_amended_frames(void);
/* The error the finding is about, by name: the Kerberos error, else the DCE/RPC or
 * SMB2 status it surfaced as; NULL when there is none (no answer from a KDC, an LDAP
 * result): outputs then name no error rather than invent one. A name Wireshark does
 * not know is formatted in `scope`. */
const char *kd_finding_error_label(wmem_allocator_t *scope, const kd_finding *f);
/* How many frames (singular or plural), for labels. */
#define KD_PLURAL(n, one, many) ((n) == 1 ? (one) : (many))
void kd_register_stats(void);
/* The HTML page of the loaded capture (its findings with their ladders, and the
 * report), named `capture` (NULL: a marker tools/krbdiag replaces). */
void kd_report_write_html(GString *out, const char *capture);
/* Wireshark's Tools menu entry that opens that page (kd_menu.c). */
void kd_register_menu(int proto);
/* Frames carrying Kerberos seen on the first pass of the current capture. */
guint kd_kerberos_frame_count(void);

#endif /* PACKET_KRBDIAG_H */
