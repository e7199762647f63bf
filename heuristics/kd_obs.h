/* kd_obs.h
 * Observations: the plain facts the plugin extracts from one frame.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Nothing here knows about Wireshark. Strings are borrowed: they stay valid only
 * for the duration of the kd_engine_feed() call that receives the observation;
 * the engine copies what it keeps. Any string may be NULL (field absent).
 */
#ifndef KD_OBS_H
#define KD_OBS_H

#include <glib.h>

#include "kd_numbers.h"

#define KD_MAX_ETYPES   16  /* requested etypes / ETYPE-INFO2 entries kept per message */
#define KD_MAX_PADATA   16
#define KD_MAX_DNS_ANSWERS 16
#define KD_MAX_BINDINGS 16
#define KD_MAX_LDAP_VALUES 32

/* An IPv4 or IPv6 address; len 0 means unknown. */
typedef struct {
    guint8 len;
    guint8 bytes[16];
} kd_addr;

typedef enum {
    KD_OBS_KRB = 1,     /* any Kerberos message */
    KD_OBS_DNS,         /* DNS response */
    KD_OBS_HTTP,        /* HTTP request or response */
    KD_OBS_NTLMSSP,     /* an NTLMSSP message in any carrier */
    KD_OBS_DCERPC,      /* DCE/RPC connection-oriented PDU */
    KD_OBS_SMB2,        /* SMB2 SESSION_SETUP request/response */
    KD_OBS_DCOM_ALIVE2, /* IObjectExporter::ServerAlive2 response address list */
    KD_OBS_LDAP_ENTRY,  /* one LDAP search result entry */
    KD_OBS_TRANSPORT,   /* a sign that a KDC is not answering: ICMP error, TCP SYN/RST on port 88 */
    KD_OBS_LDAP_BIND    /* an LDAP BindRequest or BindResponse */
} kd_obs_kind;

/* Where a Kerberos message travelled: straight to a KDC, or inside an application protocol. */
typedef enum {
    KD_CARRIER_KDC = 0,
    KD_CARRIER_HTTP,
    KD_CARRIER_SMB2,
    KD_CARRIER_DCERPC,
    KD_CARRIER_LDAP,
    KD_CARRIER_OTHER
} kd_carrier;

typedef enum {
    KD_TRANSPORT_OTHER = 0,
    KD_TRANSPORT_UDP,
    KD_TRANSPORT_TCP
} kd_transport;

/* Kerberos message types (RFC 4120 5.10), as observations carry them. */
enum {
    KD_MSG_AS_REQ = KRB_AS_REQ,
    KD_MSG_AS_REP = KRB_AS_REP,
    KD_MSG_TGS_REQ = KRB_TGS_REQ,
    KD_MSG_TGS_REP = KRB_TGS_REP,
    KD_MSG_AP_REQ = KRB_AP_REQ,
    KD_MSG_AP_REP = KRB_AP_REP,
    /* User-to-user GSS tokens (draft-ietf-cat-user2user, MS-KILE 3.1.5.6): the client
     * asks the server for its TGT, the server sends it. They travel inside the
     * application protocol (SPNEGO), never to a KDC. */
    KD_MSG_TGT_REQ = KERB_TGT_REQUEST,
    KD_MSG_TGT_REP = KERB_TGT_REPLY,
    KD_MSG_ERROR = KRB_ERROR
};

/* Wireshark's own attempt to decrypt a ticket with the keys of the keytab named in its
 * Kerberos preferences (try to decrypt, keytab file). */
typedef enum {
    KD_DECRYPT_NOT_TRIED = 0,   /* no keytab, decryption off, or no result on this ticket */
    KD_DECRYPT_OK,              /* a keytab key decrypted it */
    KD_DECRYPT_NO_KEY           /* every key of the ticket's etype was tried: none decrypts it */
} kd_decrypt;

/* A ticket as it travels in clear: realm, server name, enc-part etype and kvno. */
typedef struct {
    gboolean present;
    const char *realm;
    const char *sname;      /* name components joined with '/' */
    gint32 etype;           /* -1 when absent */
    gint64 kvno;            /* -1 when absent */
    guint64 cipher_hash;    /* hash of the ticket's ciphertext bytes: the same ticket; 0 when absent */
    kd_decrypt decrypt;
    const char *decrypted_by;   /* KD_DECRYPT_OK: the keytab principal whose key did it, if known */
} kd_ticket;

typedef struct {
    gint32 msg_type;
    kd_carrier carrier;
    /* KDC-REQ body, KRB-ERROR, KDC-REP */
    const char *cname;
    const char *crealm;
    const char *realm;      /* request/err realm (the service's realm) */
    const char *sname;
    gint32 req_etypes[KD_MAX_ETYPES];
    guint n_req_etypes;
    gint32 padata[KD_MAX_PADATA];   /* PA-DATA types present (request, or error e-data) */
    guint n_padata;
    /* AS-REP/TGS-REP ticket; AP-REQ ticket; in a TGS-REQ the TGT presented in PA-TGS-REQ */
    kd_ticket ticket;
    gint32 rep_etype;       /* KDC-REP enc-part etype; -1 when absent */
    /* KRB-ERROR */
    gint32 error_code;      /* -1 when absent */
    gboolean has_stime, has_ctime;
    gint64 stime_us, ctime_us;  /* microseconds since the epoch */
    const char *e_text;
    gboolean has_nt_status;
    guint32 nt_status;      /* Windows/Samba e-data NTSTATUS */
    gint32 etype_info2[KD_MAX_ETYPES];  /* etypes announced in ETYPE-INFO(2) */
    guint n_etype_info2;
    const guint8 *e_data;   /* raw e-data, parsed by the engine where the dissector did not */
    gsize e_data_len;
    /* The message's own bytes, digested: two recordings of one datagram (capture on
     * two interfaces, socket_wrapper) carry the same digest. msg_len 0: unknown. */
    guint32 msg_digest;
    guint32 msg_len;
    /* TGS-REQ: constrained delegation (S4U2Proxy) and user-to-user */
    gboolean opt_cname_in_addl_tkt; /* KDC option cname-in-addl-tkt (S4U2Proxy) */
    gboolean opt_enc_tkt_in_skey;   /* KDC option enc-tkt-in-skey (user-to-user) */
    guint n_addl_tickets;           /* additional tickets in the request body */
    kd_ticket addl_ticket;          /* the first one: S4U2Proxy's evidence ticket */
    /* A KRB-ERROR read by krbdiag from the auth verifier of a DCE/RPC refusal (Fault,
     * bind_nak, alter_context_resp) that Wireshark left undecoded */
    gboolean in_rpc_verifier;
    /* Carried by DCE/RPC (a verifier Wireshark decoded, or one krbdiag read): the PDU
     * type and the auth level of its sec_trailer; 0 unknown */
    guint8 rpc_pkt_type;
    guint8 rpc_auth_level;
} kd_krb;

typedef struct {
    const char *name;       /* owner name of the record */
    const char *cname;      /* CNAME target, or NULL */
    const char *ptr;        /* PTR target (the name a reverse look-up gives), or NULL */
    kd_addr addr;           /* A/AAAA address, len 0 when none */
} kd_dns_answer;

typedef struct {
    const char *qname;
    guint16 qtype;
    guint16 rcode;
    kd_dns_answer answers[KD_MAX_DNS_ANSWERS];
    guint n_answers;
} kd_dns;

typedef enum {
    KD_AUTH_NONE = 0,
    KD_AUTH_NEGOTIATE,      /* Negotiate with a token */
    KD_AUTH_NEGOTIATE_BARE, /* "Negotiate" with no token (a challenge to start) */
    KD_AUTH_NTLM,
    KD_AUTH_KERBEROS,
    KD_AUTH_OTHER
} kd_auth_scheme;

/* The bit of a scheme in kd_http.offers. */
#define KD_AUTH_BIT(scheme) (1u << (scheme))

/* An HTTP status a web server answers an oversized header with (IIS, http.sys, Apache). */
#define KD_HTTP_BAD_REQUEST 400

typedef struct {
    gboolean is_request;
    const char *host;
    kd_auth_scheme auth;    /* Authorization (request) or WWW-Authenticate (response) */
    guint32 auth_len;       /* request: bytes of its Authorization header line; 0 none */
    guint32 offers;         /* response: KD_AUTH_BIT of every WWW-Authenticate scheme */
    guint16 status;         /* response: its status code when the extractor reads it
                             * (400 only), else 0 */
    gboolean says_header_too_long;  /* a 400 whose text says a request header is too long */
} kd_http;


typedef struct {
    guint32 message_type;   /* 1 negotiate, 2 challenge, 3 authenticate */
    kd_carrier carrier;
    const char *user;       /* AUTHENTICATE: user and domain; "" or NULL when empty (anonymous) */
    const char *domain;
    /* AUTHENTICATE: the NTLMv2 response's MsvAvTargetName, the SPN the client names
     * for the server ("cifs/10.0.0.5"); NULL when absent (NTLMv1, older clients) */
    const char *target_name;
    /* NEGOTIATE: the mechanisms the client's token offers, KD_GSSKRB_OFFERS_ bits
     * (kd_gsskrb.h): a SPNEGO negTokenInit's mechTypes, or NTLMSSP alone for a bare
     * NTLMSSP token in HTTP; 0 when not read */
    guint8 spnego_mechs;
    guint8 rpc_auth_type;   /* carried by DCE/RPC: the sec_trailer's auth type, 0 unknown */
} kd_ntlmssp;

/* DCE/RPC connection-oriented packet types we care about. */
enum {
    KD_DCERPC_REQUEST = DCERPC_PKT_REQUEST,
    KD_DCERPC_RESPONSE = DCERPC_PKT_RESPONSE,
    KD_DCERPC_FAULT = DCERPC_PKT_FAULT,
    KD_DCERPC_BIND = DCERPC_PKT_BIND,
    KD_DCERPC_BIND_ACK = DCERPC_PKT_BIND_ACK,
    KD_DCERPC_BIND_NAK = DCERPC_PKT_BIND_NAK,
    KD_DCERPC_ALTER = DCERPC_PKT_ALTER_CONTEXT,
    KD_DCERPC_ALTER_RESP = DCERPC_PKT_ALTER_CONTEXT_RESP,
    KD_DCERPC_AUTH3 = DCERPC_PKT_AUTH3
};

typedef struct {
    guint8 pkt_type;
    gboolean has_status;
    guint32 status;         /* fault status, or bind_nak reject reason */
    guint8 auth_type;       /* 0 none, 9 SPNEGO, 10 NTLM, 16 Kerberos */
    guint8 auth_level;      /* the PDU's own sec_trailer level, 0 when it has none */
} kd_dcerpc;

/* RPC_S_SEC_PKG_ERROR, as a DCE/RPC status or as an HRESULT: "a security package
 * specific error occurred". */
static inline gboolean
kd_is_sec_pkg_error(guint32 status)
{
    return status == RPC_S_SEC_PKG_ERROR || status == HRESULT_RPC_S_SEC_PKG_ERROR;
}

typedef struct {
    gboolean is_response;
    guint16 cmd;
    guint32 nt_status;
} kd_smb2;

typedef struct {
    const char *addrs[KD_MAX_BINDINGS]; /* network addresses of the string bindings */
    guint n_addrs;
} kd_dcom_alive2;

typedef struct {
    const char *dn;
    const char *sam_account_name;
    const char *spns[KD_MAX_LDAP_VALUES];
    guint n_spns;
} kd_ldap_entry;

/* An LDAP bind (RFC 4511 4.2) on the connection of the observation's addresses and
 * ports. The engine parses the diagnostic message itself (kd_ldapbind.h). */
typedef struct {
    gboolean is_response;
    /* BindRequest */
    gboolean sasl;          /* SASL, else simple */
    const char *name;       /* bind name; "" or NULL for an anonymous bind */
    gboolean empty_password;/* simple bind without a password (unauthenticated) */
    const char *mechanism;  /* SASL mechanism (GSS-SPNEGO, GSSAPI...), or NULL */
    /* BindResponse */
    gint32 result_code;     /* -1 when absent */
    const guint8 *diag;     /* diagnosticMessage as sent (not NUL-terminated), or NULL */
    gsize diag_len;
} kd_ldap_bind;

typedef enum {
    KD_NET_ICMP_UNREACHABLE = 1,  /* src: the reporting host; about a datagram from dst to kdc */
    KD_NET_TCP_SYN,               /* client -> KDC port 88 */
    KD_NET_TCP_RESET,             /* KDC port 88 -> client */
    KD_NET_TCP_PARTIAL_REQUEST,   /* client -> KDC port 88: payload no Kerberos message could be read from */
    /* Facts about any TCP connection (kdc unset): */
    KD_NET_TCP_SELF_CONNECT,      /* a SYN whose source and destination addresses are equal */
    KD_NET_TCP_LOST_SEGMENT       /* TCP analysis: a segment of this connection is missing from the capture */
} kd_net_event;

typedef struct {
    kd_net_event event;
    kd_addr kdc;                  /* the KDC address the failed traffic was for */
} kd_transport_ev;

typedef struct {
    kd_obs_kind kind;
    guint32 frame;
    gint64 time_us;         /* capture time, microseconds since the epoch */
    kd_addr src, dst;
    guint16 sport, dport;
    kd_transport transport;
    union {
        kd_krb krb;
        kd_dns dns;
        kd_http http;
        kd_ntlmssp ntlmssp;
        kd_dcerpc dcerpc;
        kd_smb2 smb2;
        kd_dcom_alive2 alive2;
        kd_ldap_entry ldap;
        kd_ldap_bind bind;
        kd_transport_ev net;
    } u;
} kd_obs;

/* Initialise an observation of the given kind with every optional number "absent". */
void kd_obs_init(kd_obs *obs, kd_obs_kind kind);

/* Text form of an address ("10.1.2.3", "fe80::1"); "?" when unknown. buf >= 48 bytes. */
const char *kd_addr_to_str(const kd_addr *a, char *buf, gsize len);
gboolean kd_addr_equal(const kd_addr *a, const kd_addr *b);
/* Parse a dotted IPv4 / IPv6 literal. */
gboolean kd_addr_parse(const char *text, kd_addr *out);
/* An address no host answers from: unspecified (0.0.0.0, ::), broadcast or multicast.
 * Capture tools record such copies of datagrams; they are never a KDC. */
gboolean kd_addr_is_nowhere(const kd_addr *a);

#endif /* KD_OBS_H */
