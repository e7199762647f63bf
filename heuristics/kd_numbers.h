/* kd_numbers.h
 * Protocol numbers, each named once, as the specification that defines it names it:
 * Kerberos message types, error codes, PA-DATA types and encryption types
 * (RFC 4120, 4556, 6113, 3961/3962/4757/8009, MS-KILE, MS-SFU), NTSTATUS and Win32
 * values (MS-ERREF), DCE/RPC packet types (C706, MS-RPCE), SMB2 commands (MS-SMB2)
 * and ports.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Plain C preprocessor constants, no other header: usable from heuristics/ and
 * plugin/ alike. tests/check_numbers.py fails when a Kerberos error code, PA-DATA
 * type or NTSTATUS is written as a bare number elsewhere in heuristics/.
 */
#ifndef KD_NUMBERS_H
#define KD_NUMBERS_H

/* ---- Ports (IANA) ---- */
#define KERBEROS_PORT                   88      /* kerberos, TCP and UDP */
#define KPASSWD_PORT                    464     /* kpasswd (RFC 3244) */
#define DNS_PORT                        53      /* domain, UDP and TCP */

/* ---- IP protocol numbers (IANA), ICMP types (RFC 792) ---- */
#define KD_IPPROTO_V6_HOPOPTS           0       /* IPv6 hop-by-hop options */
#define KD_IPPROTO_ICMP                 1
#define KD_IPPROTO_TCP                  6
#define KD_IPPROTO_UDP                  17
#define KD_IPPROTO_V6_ROUTING           43
#define KD_IPPROTO_V6_FRAGMENT          44
#define KD_IPPROTO_AH                   51
#define KD_IPPROTO_V6_DSTOPTS           60
/* destination unreachable: the transport sign of a KDC that does not listen */
#define KD_ICMP_DEST_UNREACHABLE        3

/* ---- Kerberos message types (RFC 4120 5.10, MS-KILE 2.2.4) ---- */
#define KRB_PVNO                        5       /* protocol version number */
#define KRB_AS_REQ                      10
#define KRB_AS_REP                      11
#define KRB_TGS_REQ                     12
#define KRB_TGS_REP                     13
#define KRB_AP_REQ                      14
#define KRB_AP_REP                      15
#define KERB_TGT_REQUEST                16      /* user-to-user TGT request (MS-KILE 2.2.4) */
#define KERB_TGT_REPLY                  17
#define KRB_ERROR                       30

/* ---- Kerberos error codes (RFC 4120 7.5.9; RFC 4556, 6113, 8636) ---- */
#define KDC_ERR_NONE                    0
#define KDC_ERR_NAME_EXP                1       /* client's entry in the database has expired */
#define KDC_ERR_SERVICE_EXP             2
#define KDC_ERR_BAD_PVNO                3
#define KDC_ERR_C_OLD_MAST_KVNO         4
#define KDC_ERR_S_OLD_MAST_KVNO         5
#define KDC_ERR_C_PRINCIPAL_UNKNOWN     6
#define KDC_ERR_S_PRINCIPAL_UNKNOWN     7
#define KDC_ERR_PRINCIPAL_NOT_UNIQUE    8
#define KDC_ERR_NULL_KEY                9
#define KDC_ERR_CANNOT_POSTDATE         10
#define KDC_ERR_NEVER_VALID             11
#define KDC_ERR_POLICY                  12
#define KDC_ERR_BADOPTION               13
#define KDC_ERR_ETYPE_NOSUPP            14
#define KDC_ERR_SUMTYPE_NOSUPP          15
#define KDC_ERR_PADATA_TYPE_NOSUPP      16
#define KDC_ERR_TRTYPE_NOSUPP           17
#define KDC_ERR_CLIENT_REVOKED          18
#define KDC_ERR_SERVICE_REVOKED         19
#define KDC_ERR_TGT_REVOKED             20
#define KDC_ERR_CLIENT_NOTYET           21
#define KDC_ERR_SERVICE_NOTYET          22
#define KDC_ERR_KEY_EXPIRED             23      /* password has expired */
#define KDC_ERR_PREAUTH_FAILED          24
#define KDC_ERR_PREAUTH_REQUIRED        25
#define KDC_ERR_SERVER_NOMATCH          26
#define KDC_ERR_MUST_USE_USER2USER      27
#define KDC_ERR_PATH_NOT_ACCEPTED       28
#define KDC_ERR_SVC_UNAVAILABLE         29
#define KRB_AP_ERR_BAD_INTEGRITY        31
#define KRB_AP_ERR_TKT_EXPIRED          32
#define KRB_AP_ERR_TKT_NYV              33
#define KRB_AP_ERR_REPEAT               34
#define KRB_AP_ERR_NOT_US               35
#define KRB_AP_ERR_BADMATCH             36
#define KRB_AP_ERR_SKEW                 37
#define KRB_AP_ERR_BADADDR              38
#define KRB_AP_ERR_BADVERSION           39
#define KRB_AP_ERR_MSG_TYPE             40
#define KRB_AP_ERR_MODIFIED             41
#define KRB_AP_ERR_BADORDER             42
#define KRB_AP_ERR_ILL_CR_TKT           43
#define KRB_AP_ERR_BADKEYVER            44
#define KRB_AP_ERR_NOKEY                45
#define KRB_AP_ERR_MUT_FAIL             46
#define KRB_AP_ERR_BADDIRECTION         47
#define KRB_AP_ERR_METHOD               48
#define KRB_AP_ERR_BADSEQ               49
#define KRB_AP_ERR_INAPP_CKSUM          50
#define KRB_AP_PATH_NOT_ACCEPTED        51
#define KRB_ERR_RESPONSE_TOO_BIG        52
#define KRB_ERR_GENERIC                 60
#define KRB_ERR_FIELD_TOOLONG           61
#define KDC_ERROR_CLIENT_NOT_TRUSTED    62
#define KDC_ERROR_KDC_NOT_TRUSTED       63
#define KDC_ERROR_INVALID_SIG           64
#define KDC_ERR_KEY_TOO_WEAK            65
#define KDC_ERR_CERTIFICATE_MISMATCH    66
#define KRB_AP_ERR_NO_TGT               67
#define KDC_ERR_WRONG_REALM             68
#define KRB_AP_ERR_USER_TO_USER_REQUIRED 69
#define KDC_ERR_CANT_VERIFY_CERTIFICATE 70
#define KDC_ERR_INVALID_CERTIFICATE     71
#define KDC_ERR_REVOKED_CERTIFICATE     72
#define KDC_ERR_REVOCATION_STATUS_UNKNOWN 73
#define KDC_ERR_REVOCATION_STATUS_UNAVAILABLE 74
#define KDC_ERR_CLIENT_NAME_MISMATCH    75
#define KDC_ERR_KDC_NAME_MISMATCH       76
#define KDC_ERR_INCONSISTENT_KEY_PURPOSE 77
#define KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED 78
#define KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED 79
#define KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED 80
#define KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED 81
#define KDC_ERR_PREAUTH_EXPIRED         90      /* RFC 6113 */
#define KDC_ERR_MORE_PREAUTH_DATA_REQUIRED 91
#define KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET 92
#define KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS 93
#define KDC_ERR_NO_ACCEPTABLE_KDF       100     /* RFC 8636 */

/* ---- PA-DATA types (RFC 4120 7.5.2, RFC 4556, RFC 6113, MS-KILE, MS-SFU) ---- */
#define PA_TGS_REQ                      1
#define PA_ENC_TIMESTAMP                2
#define PA_PW_SALT                      3       /* also carries a KERB-ERROR-DATA status block (MS-KILE) */
#define PA_ETYPE_INFO                   11
/* PKINIT, by RFC 4120's names. 14 and 15 are the draft-19 request and reply
 * (Wireshark: pA-PK-AS-REQ-19, pA-PK-AS-REP-19); in an AS-REQ 15 is also Windows
 * 2000's request (Heimdal: PK_AS_REQ_WIN). KDCs verify a request's 14, 15 (MIT's
 * pkinit module) and 16 as PKINIT; 17 is the KDC's reply only. */
#define PA_PK_AS_REQ_OLD                14
#define PA_PK_AS_REP_OLD                15
#define PA_PK_AS_REQ                    16      /* RFC 4556 3.2.1: the request */
#define PA_PK_AS_REP                    17      /* RFC 4556 3.2.3: the KDC's reply */
#define PA_ETYPE_INFO2                  19
#define PA_PAC_REQUEST                  128     /* MS-KILE 2.2.3 */
#define PA_FOR_USER                     129     /* MS-SFU 2.2.1: S4U2Self */
#define PA_S4U_X509_USER                130     /* MS-SFU 2.2.2 */
#define PA_FX_COOKIE                    133     /* RFC 6113 */
#define PA_FX_FAST                      136
#define PA_FX_ERROR                     137
#define PA_ENCRYPTED_CHALLENGE          138
#define PA_SUPPORTED_ETYPES             165     /* MS-KILE 2.2.8 */
#define PA_PAC_OPTIONS                  167     /* MS-KILE 2.2.10 */

/* ---- Encryption types (RFC 3961 8, RFC 3962, RFC 4757, RFC 8009) ---- */
#define ETYPE_DES_CBC_CRC               1
#define ETYPE_DES_CBC_MD4               2
#define ETYPE_DES_CBC_MD5               3
#define ETYPE_DES3_CBC_SHA1             16
#define ETYPE_AES128_CTS_HMAC_SHA1_96   17
#define ETYPE_AES256_CTS_HMAC_SHA1_96   18
#define ETYPE_AES128_CTS_HMAC_SHA256_128 19
#define ETYPE_AES256_CTS_HMAC_SHA384_192 20
#define ETYPE_RC4_HMAC                  23
#define ETYPE_RC4_HMAC_EXP              24

/* KERB-ERROR-DATA data-type (MS-KILE 2.2.2): an extended error, NTSTATUS inside. */
#define KERB_ERR_TYPE_EXTENDED          3

/* ---- KDC options, bit numbers (RFC 4120 5.4.1) ---- */
#define KDC_OPT_CNAME_IN_ADDL_TKT       14      /* MS-SFU 2.2.3: S4U2Proxy */
#define KDC_OPT_ENC_TKT_IN_SKEY         28      /* user-to-user */

/* ---- NTSTATUS (MS-ERREF 2.3.1) ---- */
#define STATUS_SUCCESS                  0x00000000u
#define STATUS_PENDING                  0x00000103u     /* an SMB2 interim answer */
#define STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u
#define STATUS_WRONG_PASSWORD           0xC000006Au
#define STATUS_LOGON_FAILURE            0xC000006Du
#define STATUS_ACCOUNT_RESTRICTION      0xC000006Eu
#define STATUS_INVALID_LOGON_HOURS      0xC000006Fu
#define STATUS_INVALID_WORKSTATION      0xC0000070u
#define STATUS_PASSWORD_EXPIRED         0xC0000071u
#define STATUS_ACCOUNT_DISABLED         0xC0000072u
#define STATUS_NOT_SUPPORTED            0xC00000BBu
#define STATUS_ACCOUNT_EXPIRED          0xC0000193u
#define STATUS_PASSWORD_MUST_CHANGE     0xC0000224u
#define STATUS_ACCOUNT_LOCKED_OUT       0xC0000234u
#define STATUS_NO_MATCH                 0xC0000272u
#define STATUS_AUTHENTICATION_FIREWALL_FAILED 0xC0000413u
/* An NTSTATUS's severity bits (MS-ERREF 2.3): 11 = error. */
#define NTSTATUS_SEVERITY_MASK          0xC0000000u
#define NTSTATUS_SEVERITY_ERROR         0xC0000000u

/* ---- Win32 errors and HRESULTs (MS-ERREF 2.2, 2.1) ---- */
#define RPC_S_SEC_PKG_ERROR             0x00000721u     /* a security package specific error occurred */
#define HRESULT_RPC_S_SEC_PKG_ERROR     0x80070721u     /* HRESULT_FROM_WIN32(RPC_S_SEC_PKG_ERROR) */

/* ---- DCE/RPC connection-oriented packet types (C706 12.6.4, MS-RPCE 2.2.2) ---- */
#define DCERPC_PKT_REQUEST              0
#define DCERPC_PKT_RESPONSE             2
#define DCERPC_PKT_FAULT                3
#define DCERPC_PKT_BIND                 11
#define DCERPC_PKT_BIND_ACK             12
#define DCERPC_PKT_BIND_NAK             13
#define DCERPC_PKT_ALTER_CONTEXT        14
#define DCERPC_PKT_ALTER_CONTEXT_RESP   15
#define DCERPC_PKT_AUTH3                16
/* The header's flags (C706 12.6.3.1): the last fragment of a PDU. */
#define DCERPC_PFC_LAST_FRAG            0x02

/* ---- DCE/RPC authentication (MS-RPCE 2.2.1.1.7, 2.2.1.1.8) ---- */
#define RPC_C_AUTHN_GSS_NEGOTIATE       9
#define RPC_C_AUTHN_WINNT               10      /* NTLM */
#define RPC_C_AUTHN_GSS_KERBEROS        16
#define RPC_C_AUTHN_LEVEL_PKT_INTEGRITY 5
#define RPC_C_AUTHN_LEVEL_PKT_PRIVACY   6
/* sec_trailer (MS-RPCE 2.2.2.11): auth type, level, pad length, reserved, context id */
#define DCERPC_SEC_TRAILER_LEN          8

/* ---- SMB2 commands (MS-SMB2 2.2.1) ---- */
#define SMB2_NEGOTIATE                  0x0000
#define SMB2_SESSION_SETUP              0x0001
/* The SMB2 header (MS-SMB2 2.2.1): ProtocolId 0xFE 'S' 'M' 'B' (read big-endian), the
 * Status at byte 8, the Command at byte 12, the Flags at byte 16
 * (SMB2_FLAGS_SERVER_TO_REDIR: a response) */
#define SMB2_PROTOCOL_ID                0xFE534D42u
#define SMB2_HEADER_STATUS_OFFSET       8
#define SMB2_HEADER_COMMAND_OFFSET      12
#define SMB2_HEADER_FLAGS_OFFSET        16
#define SMB2_FLAGS_SERVER_TO_REDIR      0x00000001u

/* ---- NTLMSSP message types (MS-NLMP 2.2.1) ---- */
#define NTLMSSP_NEGOTIATE_MESSAGE       1
#define NTLMSSP_CHALLENGE_MESSAGE       2
#define NTLMSSP_AUTHENTICATE_MESSAGE    3
/* "NTLMSSP\0" (MS-NLMP 2.2.1.1), before the message type */
#define NTLMSSP_SIGNATURE_LEN           8
/* NegotiateFlags bit A: strings are UTF-16LE (MS-NLMP 2.2.2.5) */
#define NTLMSSP_NEGOTIATE_UNICODE       0x00000001
/* AV_PAIR ids (MS-NLMP 2.2.2.1): the list's end, the SPN the client names */
#define NTLMSSP_MSV_AV_EOL              0x0000
#define NTLMSSP_MSV_AV_TARGET_NAME      0x0009

#endif /* KD_NUMBERS_H */
