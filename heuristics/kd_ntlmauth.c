/* kd_ntlmauth.c
 * A bounded reader for an NTLMSSP AUTHENTICATE message: see kd_ntlmauth.h.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_ntlmauth.h"

#include <string.h>

#include "kd_numbers.h"

/* MS-NLMP 2.2.1.3: where the fixed part places each field. */
#define KD_NTLM_TYPE_OFFSET         8
#define KD_NTLM_NTRESP_FIELDS  20
#define KD_NTLM_DOMAIN_FIELDS       28
#define KD_NTLM_USER_FIELDS         36
#define KD_NTLM_FLAGS_OFFSET        60
#define KD_NTLM_FIXED_LEN           64
/* An NTLMv1 response is 24 bytes; an NTLMv2 one's AV_PAIRs follow its 16-byte
 * NTProofStr and the 28-byte header of its client challenge (MS-NLMP 2.2.2.7). */
#define KD_NTLM_V1_RESPONSE_LEN     24
#define KD_NTLM_V2_AV_PAIRS_OFFSET  44
#define KD_NTLM_AV_HEADER           4

static guint16
le16(const guint8 *p)
{
    return (guint16)(p[0] | p[1] << 8);
}

static guint32
le32(const guint8 *p)
{
    return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

/* The buffer a Fields structure at `at` names, when it lies inside the message. */
static gboolean
fields(const guint8 *buf, gsize len, gsize at, const guint8 **p, gsize *n)
{
    if (at + 8 > len)
        return FALSE;
    gsize l = le16(buf + at), off = le32(buf + at + 4);
    if (off > len || l > len - off)
        return FALSE;
    *p = buf + off;
    *n = l;
    return TRUE;
}

/* MsvAvTargetName among the AV_PAIRs of an NTLMv2 response. */
static void
target_name(const guint8 *resp, gsize n, kd_ntlm_str *out)
{
    if (n <= KD_NTLM_V1_RESPONSE_LEN || n < KD_NTLM_V2_AV_PAIRS_OFFSET)
        return;
    for (gsize at = KD_NTLM_V2_AV_PAIRS_OFFSET; at + KD_NTLM_AV_HEADER <= n;) {
        guint16 id = le16(resp + at), l = le16(resp + at + 2);
        if (id == NTLMSSP_MSV_AV_EOL || l > n - at - KD_NTLM_AV_HEADER)
            return;
        if (id == NTLMSSP_MSV_AV_TARGET_NAME) {
            out->present = TRUE;
            out->p = resp + at + KD_NTLM_AV_HEADER;
            out->len = l;
            out->utf16 = TRUE;
            return;
        }
        at += KD_NTLM_AV_HEADER + l;
    }
}

gboolean
kd_ntlmauth_parse(const guint8 *buf, gsize len, kd_ntlmauth *out)
{
    memset(out, 0, sizeof(*out));
    if (!buf || len < KD_NTLM_FIXED_LEN || memcmp(buf, "NTLMSSP", NTLMSSP_SIGNATURE_LEN) != 0 ||
        le32(buf + KD_NTLM_TYPE_OFFSET) != NTLMSSP_AUTHENTICATE_MESSAGE)
        return FALSE;
    const gboolean utf16 = (le32(buf + KD_NTLM_FLAGS_OFFSET) & NTLMSSP_NEGOTIATE_UNICODE) != 0;
    kd_ntlm_str *s[2] = { &out->domain, &out->user };
    const gsize at[2] = { KD_NTLM_DOMAIN_FIELDS, KD_NTLM_USER_FIELDS };
    for (guint i = 0; i < 2; i++) {
        s[i]->present = fields(buf, len, at[i], &s[i]->p, &s[i]->len);
        s[i]->utf16 = utf16;
    }
    const guint8 *resp;
    gsize n;
    if (fields(buf, len, KD_NTLM_NTRESP_FIELDS, &resp, &n))
        target_name(resp, n, &out->target_name);
    return TRUE;
}
