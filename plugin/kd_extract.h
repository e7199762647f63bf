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

/* Resolve the field names (all same-name registrations; kd_fields.c) and tell
 * Wireshark which ones the post-dissector `handle` wants; call from handoff. */
void kd_extract_init(dissector_handle_t handle);

/* A new capture: the fields wanted only while a rarer exchange is open (kd_fields.c,
 * late_roles) are not wanted until one opens; Wireshark's decryption items are
 * wanted only when its Kerberos preferences decrypt. Call from the init routine. */
void kd_extract_reset(gboolean decryption_on);

/* O(1) test: does this frame carry any field krbdiag reads, or a transport header
 * fact (kd_ippkt.h) read from the frame's bytes, tvb? */
gboolean kd_extract_relevant(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree);

/* Fill obs[] (at most KD_MAX_OBS_PER_FRAME) for this frame; strings live in pinfo->pool. */
guint kd_extract_frame(packet_info *pinfo, proto_tree *tree, kd_obs *obs);

#endif /* KD_EXTRACT_H */
