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

/* A finding as kept for a frame (wmem file scope). */
typedef struct {
    kd_cause cause;
    kd_confidence confidence;
    gint32 error_code;
    const char *spn, *client, *summary, *missing;
    guint32 evidence[KD_MAX_EVIDENCE];
    const char *evidence_role[KD_MAX_EVIDENCE];
    guint n_evidence;
    kd_cause alternatives[KD_MAX_ALTERNATIVES];
    guint n_alternatives;
    const char *details[KD_MAX_DETAILS];
    guint n_details;
    gboolean has_skew;
    gint64 skew_seconds;
    guint32 count;
    gboolean has_status;
    guint32 status;
    gboolean has_inherited;
    kd_cause inherited;
    guint32 inherited_frame;
    gboolean recovered;
    guint32 recovered_frame;
    const char *checks[KD_MAX_CHECKS];  /* confirmed: the contradiction checks that passed */
    guint n_checks;
} kd_stored_finding;

typedef struct {
    guint n;
    kd_stored_finding findings[];   /* exactly n: memory grows with findings only */
} kd_stored_frame;

const kd_stored_frame *kd_frame_findings(guint32 frame);
/* Frames holding findings now (after every amendment so far), ascending; NULL when
 * no capture is loaded. Allocated in `scope`. */
wmem_array_t *kd_frames_with_findings(wmem_allocator_t *scope);
/* A recovered finding or a benign cause: expert level note, hidden with show_info off. */
gboolean kd_finding_is_note(const kd_stored_finding *s);
const char *kd_finding_error_label(const kd_stored_finding *s);
void kd_register_stats(void);
/* Frames carrying Kerberos seen on the first pass of the current capture. */
guint kd_kerberos_frame_count(void);

#endif /* PACKET_KRBDIAG_H */
