/* kd_extract_int.h
 * What the frame walk (kd_extract.c) shares with the field table (kd_fields.c)
 * and the readers of each protocol (kd_extract_*.c): the roles of the fields
 * read, one frame's items sorted by position, and the helpers that turn an
 * item into a bounded value.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_EXTRACT_INT_H
#define KD_EXTRACT_INT_H

#include "kd_extract.h"

#include <epan/proto.h>

#include "kd_compat.h"

/* The fields krbdiag reads, by what they mean; kd_fields.c names them. */
typedef enum {
    /* Kerberos: each message's msg-type, which also marks where the message is
     * (and tells a user-to-user token); the rest is read from the bytes */
    KF_KRB_MSG_TYPE,
    /* HTTP */
    KF_HTTP_AUTHZ, KF_HTTP_WWW_AUTH, KF_HTTP_RESPONSE_CODE,
    /* NTLMSSP, DCE/RPC, SMB2, DCOM, LDAP */
    KF_NTLMSSP_TYPE,
    /* a DCE/RPC PDU (its header and sec_trailer are read from its bytes) */
    KF_DCERPC_PDU,
    /* an SMB2 PDU: its header (command, status, flags) is read from its bytes */
    KF_SMB2_PDU,
    /* transport signs of a silent KDC */
    KF_ICMP_TYPE, KF_TCP_SYN, KF_TCP_RST,
    KF_DCOM_ADDR,
    KF_TCP_PAYLOAD_LEN, KF_TCP_SYNACK,
    /* a DNS message (its records are read from its bytes: kd_dnsmsg.c) */
    KF_DNS_MSG,
    KF_LDAP_OP,
    /* TCP analysis: the capture misses a segment of the connection */
    KF_TCP_LOST, KF_TCP_ACK_LOST,
    /* Wireshark's own ticket decryption with the keytab of its Kerberos preferences */
    KF_KRB_DECRYPTED, KF_KRB_MISSING,
    KF_COUNT
} kd_field_role;

/* Every hf id registered under the names of one role (kd_fields.c). */
const GArray *kd_field_ids(kd_field_role role);
/* The roles whose items the frame being read can use, bit r for role r: primed, and,
 * for the roles that matter only on some ports (TCP's signs of a KDC, DNS answers),
 * on those. */
guint32 kd_readable_roles(void);
/* Whether the frame's own headers (kd_ippkt.h) showed role r, one of the roles with
 * no field (TCP's SYN-ACK, reset, payload to port 88; an ICMP unreachable for a UDP
 * datagram to port 88), as the relevance test read them. */
gboolean kd_header_has(const packet_info *pinfo, kd_field_role r);
/* The destination of the datagram an ICMP unreachable of this frame quotes; NULL
 * when there is none. */
const kd_addr *kd_header_icmp_kdc(const packet_info *pinfo);
/* The protocol of the frame's IP packet (KD_IPPROTO_*) where the relevance test read
 * its headers; 0 where it did not. */
guint8 kd_header_ip_proto(const packet_info *pinfo);
/* Late fields (kd_fields.c): the frame opens an exchange that needs role r (one of
 * the late ones), from the client's side; r is wanted from the next frame on until
 * the server's side of the same connection answers it (kd_extract_answered). */
void kd_extract_open(kd_field_role r, const packet_info *pinfo);
void kd_extract_answered(kd_field_role r, const packet_info *pinfo);
/* The server's frame opens the exchange (the KDC accepting a connection). */
void kd_extract_open_by_server(kd_field_role r, const packet_info *pinfo);
/* A whole request to the KDC over TCP: its connection's segments need no reading
 * any more (or, when the capture did not show the KDC accept the connection,
 * every later segment to port 88 is read). */
void kd_extract_request_complete(const packet_info *pinfo);
/* Payload to the KDC that is not a whole request: the connection has carried its
 * request, read or not; its later segments need no reading. */
void kd_extract_request_partial(const packet_info *pinfo);
/* An AP-REP inside a DCE/RPC PDU: from the next frame on, segments the capture lost
 * are read. */
void kd_extract_rpc_ap_reply(void);

/* Kerberos, NTSTATUS, DCE/RPC, SMB2, IP and ICMP numbers are named in
 * heuristics/kd_numbers.h (included through kd_obs.h). */
/* LDAP protocolOp choices (RFC 4511 4.2): a bind's request and its answer, an
 * entry a search returns. */
#define KD_LDAP_OP_BIND_REQUEST 0
#define KD_LDAP_OP_BIND_RESPONSE 1
#define KD_LDAP_OP_SEARCH_RES_ENTRY 4
/* Strings read from a capture are cut at this many characters. */
#define KD_MAX_STR 256

/* One wanted field of the frame. */
typedef struct {
    kd_field_role role;
    field_info *fi;
} kd_item;

/* ------------------------------------------ DCE/RPC PDUs (kd_extract_rpc.c) */

/* A connection-oriented DCE/RPC PDU, read from its header (C706 12.6, MS-RPCE 2.2.2). */
typedef struct {
    const field_info *fi;       /* the DCE/RPC protocol item: the PDU's bytes */
    guint8 ptype;
    guint8 flags;               /* DCERPC_PFC_* */
    gboolean little_endian;     /* the data representation's integer format */
    guint16 frag_len, auth_len;
    gint trailer;               /* the sec_trailer's offset in fi->ds_tvb; -1 none */
    guint8 auth_type, auth_level;
} kd_rpc_pdu;

/* One frame's wanted fields, sorted by buffer and position (containers before
 * what they contain), what each reader of a protocol starts from. */
typedef struct {
    packet_info *pinfo;
    const kd_item *it;
    guint n;
    gboolean seen[KF_COUNT];    /* roles present at least once */
    kd_carrier carrier;         /* what a Kerberos message of this frame travels in */
    gboolean partial_request;   /* payload to the KDC's port, no Kerberos message in it */
} kd_frame;

/* ------------------------------------------------ values (kd_extract.c) */

/* A bounded, printable, valid UTF-8 copy in pinfo->pool; NULL for NULL. */
const char *kd_safe_str(packet_info *pinfo, const char *s);
/* An integer field's value (booleans 0/1); -1 for other types. */
gint64 kd_item_int(field_info *fi);
/* A string (or byte string) field's value, as kd_safe_str; NULL for other types. */
const char *kd_item_str(packet_info *pinfo, field_info *fi);
/* Microseconds since the epoch, clamped so that later arithmetic cannot overflow. */
gint64 kd_nstime_to_us(const nstime_t *t);
/* An IPv4 or IPv6 address as the engine keeps it; len 0 for any other kind. */
void kd_pinfo_addr(const address *a, kd_addr *out);
/* The frame's network addresses (the innermost IP header's), else its addresses. */
void kd_pinfo_ends(const packet_info *pinfo, kd_addr *src, kd_addr *dst);
/* The frame's number, time, addresses, ports and transport. */
void kd_obs_header(packet_info *pinfo, kd_obs *o);
/* Source and destination are one address: the host connected to itself. */
static inline gboolean
kd_self_connection(const packet_info *pinfo)
{
    return (pinfo->src.type == AT_IPv4 || pinfo->src.type == AT_IPv6) && addresses_equal(&pinfo->src, &pinfo->dst);
}

/* ------------------------------------- readers, one file per protocol
 * Each appends the observations of its protocol to obs[n_obs...] (never past
 * KD_MAX_OBS_PER_FRAME) and returns the new count. */

guint kd_read_dns(const kd_frame *fr, kd_obs *obs, guint n_obs);         /* kd_extract_dns.c */
guint kd_read_http(const kd_frame *fr, kd_obs *obs, guint n_obs);        /* kd_extract_http.c */
/* kd_extract_net.c: an ICMP error about a request to a KDC. Sets *is_icmp when the
 * frame is an ICMP destination unreachable, or (ICMP's type not wanted on this
 * frame) an ICMP error quoting a Kerberos message: nothing else of it is read. */
guint kd_read_icmp(const kd_frame *fr, kd_obs *obs, guint n_obs, gboolean *is_icmp);
guint kd_read_tcp(const kd_frame *fr, kd_obs *obs, guint n_obs);         /* kd_extract_net.c */
/* Payload to the KDC's port that yields no Kerberos message: a request that never
 * completes (kd_extract_net.c; kd_extract_frame keeps it in fr->partial_request). */
gboolean kd_partial_request(const kd_frame *fr);
guint kd_read_krb(const kd_frame *fr, kd_obs *obs, guint n_obs);         /* kd_extract_krb.c */
guint kd_read_ntlmssp(const kd_frame *fr, kd_obs *obs, guint n_obs);     /* kd_extract_smb.c */
guint kd_read_smb2(const kd_frame *fr, kd_obs *obs, guint n_obs);        /* kd_extract_smb.c */
guint kd_read_rpc_verifier(const kd_frame *fr, kd_obs *obs, guint n_obs);/* kd_extract_rpc.c */
guint kd_read_dcerpc(const kd_frame *fr, kd_obs *obs, guint n_obs);      /* kd_extract_rpc.c */
guint kd_read_dcom(const kd_frame *fr, kd_obs *obs, guint n_obs);        /* kd_extract_rpc.c */
guint kd_read_ldap(const kd_frame *fr, kd_obs *obs, guint n_obs);        /* kd_extract_ldap.c */

/* An SMB2 header (MS-SMB2 2.2.1), read from the bytes of an SMB2 protocol item. */
typedef struct {
    guint16 cmd;
    guint32 nt_status;
    gboolean is_response;
} kd_smb2_header;

/* kd_extract_smb.c: the header an SMB2 item starts with; FALSE when its bytes hold
 * none (a transform or compression header, a truncated frame). */
gboolean kd_smb2_header_read(const field_info *fi, kd_smb2_header *h);

/* kd_extract_rpc.c: the PDU a DCE/RPC item covers; FALSE when it is no readable
 * connection-oriented PDU. */
gboolean kd_rpc_pdu_read(const field_info *fi, kd_rpc_pdu *p);
/* kd_fields.c: a PDU of the frame, for DCOM's late address field. A request opens its
 * connection's call; the last fragment of an answer (response or Fault) ends it. */
void kd_extract_rpc_pdu(const packet_info *pinfo, const kd_rpc_pdu *p);
/* The frame's PDU whose bytes hold fi's start (same buffer), else its first one;
 * FALSE when the frame has none. */
gboolean kd_rpc_pdu_around(const kd_frame *fr, const field_info *fi, kd_rpc_pdu *p);
/* kd_extract_rpc.c: the DCE/RPC PDU carrying the Kerberos message at `msg`. */
void kd_rpc_carrier_of(const kd_frame *fr, const field_info *msg, kd_krb *k);

#endif /* KD_EXTRACT_INT_H */
