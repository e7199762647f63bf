/* kd_extract.h
 * Reads other dissectors' fields of one frame into krbdiag observations.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_EXTRACT_H
#define KD_EXTRACT_H

#include <wireshark.h>
#include <epan/packet.h>

#include "kd_obs.h"

#define KD_MAX_OBS_PER_FRAME 16

/* Resolve the field names (all same-name registrations); call from handoff.
 * Returns the array of hf ids to give to set_postdissector_wanted_hfids(). */
GArray *kd_extract_init(void);

/* O(1) test: does this frame carry any field krbdiag reads? */
gboolean kd_extract_relevant(packet_info *pinfo, proto_tree *tree);

/* Fill obs[] (at most KD_MAX_OBS_PER_FRAME) for this frame; strings live in pinfo->pool. */
guint kd_extract_frame(packet_info *pinfo, proto_tree *tree, kd_obs *obs);

/* Wireshark's names: "KRB_AP_ERR_MODIFIED" from kerberos.error_code's value_string,
 * "aes256-cts-hmac-sha1-96" from kerberos.etype's. */
const char *kd_error_name(gint32 code);
const char *kd_etype_name(gint32 etype);
/* "STATUS_LOGON_FAILURE" from Wireshark's NTSTATUS table, else "status 0x...". */
const char *kd_ntstatus_name(guint32 status);

#endif /* KD_EXTRACT_H */
