/* kd_extract_smb.c
 * NTLMSSP messages (whatever carries them: HTTP, SMB2, DCE/RPC, LDAP) and
 * failed SMB2 session set-ups.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_extract_int.h"

#include "kd_gsskrb.h"
#include "kd_ntlmauth.h"

/* How much of the buffer after an NTLMSSP message's start is read as the message:
 * AUTHENTICATE messages are a few hundred bytes to a few kilobytes. */
#define KD_MAX_NTLM_MESSAGE_LEN 65535

/* An NTLMSSP string as text: UTF-16LE (unpaired surrogates replaced) or OEM. An
 * empty one is "" (Wireshark shows it as "NULL"), not a user named NULL. */
static const char *
ntlm_text(packet_info *pinfo, const kd_ntlm_str *s)
{
    if (!s->present)
        return NULL;
    if (!s->utf16)
        return kd_safe_str(pinfo, wmem_strndup(pinfo->pool, (const char *)s->p, MIN(s->len, (gsize)KD_MAX_STR * 4)));
    wmem_strbuf_t *out = wmem_strbuf_new(pinfo->pool, "");
    const gsize units = MIN(s->len / 2, (gsize)KD_MAX_STR * 2);
    for (gsize i = 0; i < units; i++) {
        gunichar c = (gunichar)(s->p[2 * i] | s->p[2 * i + 1] << 8);
        if (c >= 0xd800 && c < 0xdc00 && i + 1 < units) {
            gunichar lo = (gunichar)(s->p[2 * i + 2] | s->p[2 * i + 3] << 8);
            if (lo >= 0xdc00 && lo < 0xe000) {
                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                i++;
            }
        }
        wmem_strbuf_append_unichar(out, g_unichar_validate(c) ? c : 0xfffd);
    }
    return kd_safe_str(pinfo, wmem_strbuf_get_str(out));
}

/* The domain, user and target name of the AUTHENTICATE whose type item is `type`
 * (it follows the 8-byte signature), read from the message's bytes. */
static void
read_authenticate(packet_info *pinfo, const field_info *type, kd_ntlmssp *n)
{
    tvbuff_t *t = type->ds_tvb;
    const gint start = type->start - NTLMSSP_SIGNATURE_LEN;
    if (!t || start < 0)
        return;
    const gint len = MIN(tvb_captured_length_remaining(t, start), KD_MAX_NTLM_MESSAGE_LEN);
    kd_ntlmauth a;
    if (len <= 0 || !kd_ntlmauth_parse(tvb_get_ptr(t, start, len), (gsize)len, &a))
        return;
    n->user = ntlm_text(pinfo, &a.user);
    n->domain = ntlm_text(pinfo, &a.domain);
    n->target_name = ntlm_text(pinfo, &a.target_name);
}

/* The mechanisms the client's token carrying an NTLMSSP NEGOTIATE offers: Wireshark
 * decodes an HTTP Authorization token into a data source of its own, which begins
 * with the GSS-API framing of a SPNEGO negTokenInit (its mechTypes), or with the
 * NTLMSSP message itself (a bare NTLMSSP token offers NTLM alone). 0 when not read:
 * SMB2 and DCE/RPC carry the token inside their own messages. */
#define KD_MAX_SPNEGO_INIT 8192
#define KD_GSS_INITIAL_CONTEXT_TOKEN 0x60   /* RFC 2743 3.1: [APPLICATION 0] */
static guint8
ntlmssp_offered_mechs(const field_info *type, kd_carrier carrier)
{
    tvbuff_t *t = type->ds_tvb;
    if (!t || carrier != KD_CARRIER_HTTP || type->start <= 0)
        return 0;
    if (type->start == NTLMSSP_SIGNATURE_LEN && tvb_strneql(t, 0, "NTLMSSP", NTLMSSP_SIGNATURE_LEN) == 0)
        return KD_GSSKRB_OFFERS_NTLMSSP;
    if (kd_tvb_get_u8(t, 0) != KD_GSS_INITIAL_CONTEXT_TOKEN)
        return 0;
    const gint len = MIN(tvb_captured_length(t), KD_MAX_SPNEGO_INIT);
    if (type->start >= len)
        return 0;
    kd_gsskrb tok;
    kd_gsskrb_parse(tvb_get_ptr(t, 0, len), (gsize)len, &tok);
    return tok.kind == KD_GSSKRB_OTHER_MECH && tok.in_spnego && tok.mech == KD_GSSKRB_MECH_NTLMSSP
           ? (guint8)tok.spnego_mechs : 0;
}

/* The security provider the sec_trailer of the PDU holding the NTLMSSP item at
 * it[i] names (DCE/RPC only); 0 when none is read. */
static guint8
rpc_auth_type_before(const kd_frame *fr, guint i)
{
    kd_rpc_pdu p;
    if (fr->carrier != KD_CARRIER_DCERPC || !kd_rpc_pdu_around(fr, fr->it[i].fi, &p) || p.trailer < 0)
        return 0;
    const field_info *fi = fr->it[i].fi;
    /* The trailer is before the token, in the same buffer. */
    return p.fi->ds_tvb == fi->ds_tvb && p.trailer < fi->start ? p.auth_type : 0;
}

guint
kd_read_ntlmssp(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    const kd_item *it = fr->it;
    for (guint i = 0; i < fr->n && n_obs < KD_MAX_OBS_PER_FRAME; i++) {
        if (it[i].role != KF_NTLMSSP_TYPE)
            continue;
        kd_obs *o = &obs[n_obs++];
        kd_obs_init(o, KD_OBS_NTLMSSP);
        kd_obs_header(fr->pinfo, o);
        o->u.ntlmssp.message_type = (guint32)kd_item_int(it[i].fi);
        o->u.ntlmssp.carrier = fr->carrier;
        if (o->u.ntlmssp.message_type == NTLMSSP_NEGOTIATE_MESSAGE)
            o->u.ntlmssp.spnego_mechs = ntlmssp_offered_mechs(it[i].fi, fr->carrier);
        o->u.ntlmssp.rpc_auth_type = rpc_auth_type_before(fr, i);
        if (o->u.ntlmssp.message_type == NTLMSSP_AUTHENTICATE_MESSAGE)
            read_authenticate(fr->pinfo, it[i].fi, &o->u.ntlmssp);
    }
    return n_obs;
}

/* The SMB2 protocol item starts at its PDU's header (each PDU of a compound chain
 * has its own item): command, status and flags are read from there rather than
 * asking for smb2.cmd, smb2.nt_status and smb2.flags.response, which every SMB2
 * frame carries. */
gboolean
kd_smb2_header_read(const field_info *fi, kd_smb2_header *h)
{
    tvbuff_t *t = fi->ds_tvb;
    gint at = fi->start;
    if (!t || at < 0 || !tvb_bytes_exist(t, at, SMB2_HEADER_FLAGS_OFFSET + 4) ||
        tvb_get_ntohl(t, at) != SMB2_PROTOCOL_ID)
        return FALSE;
    h->nt_status = tvb_get_letohl(t, at + SMB2_HEADER_STATUS_OFFSET);
    h->cmd = tvb_get_letohs(t, at + SMB2_HEADER_COMMAND_OFFSET);
    h->is_response = (tvb_get_letohl(t, at + SMB2_HEADER_FLAGS_OFFSET) & SMB2_FLAGS_SERVER_TO_REDIR) != 0;
    return TRUE;
}

guint
kd_read_smb2(const kd_frame *fr, kd_obs *obs, guint n_obs)
{
    if (!fr->seen[KF_SMB2_PDU] || n_obs >= KD_MAX_OBS_PER_FRAME)
        return n_obs;
    /* The last header of the frame (a compound frame holds several). */
    kd_smb2_header last = { 0, 0, FALSE };
    gboolean any = FALSE;
    for (guint i = 0; i < fr->n; i++) {
        kd_smb2_header h;
        if (fr->it[i].role == KF_SMB2_PDU && kd_smb2_header_read(fr->it[i].fi, &h)) {
            last = h;
            any = TRUE;
        }
    }
    /* Only a failed SESSION_SETUP answer is a sign of an authentication failure. */
    if (!any || !last.is_response || last.cmd != SMB2_SESSION_SETUP || last.nt_status == 0)
        return n_obs;
    kd_obs *o = &obs[n_obs];
    kd_obs_init(o, KD_OBS_SMB2);
    kd_obs_header(fr->pinfo, o);
    o->u.smb2.cmd = last.cmd;
    o->u.smb2.nt_status = last.nt_status;
    o->u.smb2.is_response = last.is_response;
    return n_obs + 1;
}
