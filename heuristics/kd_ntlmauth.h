/* kd_ntlmauth.h
 * A bounded reader for an NTLMSSP AUTHENTICATE message (MS-NLMP 2.2.1.3): the
 * domain and user it logs on with, and the target name (MsvAvTargetName) of its
 * NTLMv2 response, from the message's bytes: one wanted field (the message type)
 * instead of four marked before every frame.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   "NTLMSSP\0" MessageType(4) LmChallengeResponseFields(8) NtChallengeResponseFields(8)
 *   DomainNameFields(8) UserNameFields(8) WorkstationFields(8)
 *   EncryptedRandomSessionKeyFields(8) NegotiateFlags(4) ...
 * each Fields: Len(2) MaxLen(2) BufferOffset(4), little-endian, the offset from the
 * message's start. An NTLMv2 response (longer than 24 bytes) holds, after its
 * 16-byte proof and 28 bytes of client challenge header, AV_PAIRs: AvId(2) AvLen(2).
 */
#ifndef KD_NTLMAUTH_H
#define KD_NTLMAUTH_H

#include <glib.h>

typedef struct {
    gboolean present;
    const guint8 *p;
    gsize len;
    gboolean utf16;             /* UTF-16LE; otherwise OEM (read as ASCII) */
} kd_ntlm_str;

typedef struct {
    kd_ntlm_str domain, user;
    kd_ntlm_str target_name;    /* MsvAvTargetName, always UTF-16LE */
} kd_ntlmauth;

/* buf[0 .. len) starts with "NTLMSSP\0" and message type 3. FALSE otherwise; a
 * field whose buffer lies outside the message is absent. */
gboolean kd_ntlmauth_parse(const guint8 *buf, gsize len, kd_ntlmauth *out);

#endif /* KD_NTLMAUTH_H */
