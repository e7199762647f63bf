/* test_gsskrb.c
 * The GSS token reader: real tokens from the corpus (MIT acceptor KRB-ERRORs in
 * SPNEGO, MIT and Samba KDC KRB-ERRORs, an AP-REQ and an AP-REP), their framings,
 * and hostile variants (every truncation, lengths past the end or lying, wrong
 * OIDs and TOK_IDs, non-UTF-8 and huge strings).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kd_edata.h"
#include "kd_gsskrb.h"
#include "kd_testlib.h"

/* Real tokens, as captured in captures/pcap (made by the labs described in each
 * capture's .expected file). */

/* cname_spn: Apache + mod_auth_gssapi (MIT 1.20 acceptor) 401, WWW-Authenticate:
 * SPNEGO negTokenResp reject, responseToken = GSS-framed KRB_AP_ERR_NOT_US. */
static const guint8 mit_spnego_not_us[127] = {
    0xa1, 0x7d, 0x30, 0x7b, 0xa0, 0x03, 0x0a, 0x01, 0x02, 0xa2, 0x74, 0x04,
    0x72, 0x60, 0x70, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01,
    0x02, 0x02, 0x03, 0x00, 0x7e, 0x61, 0x30, 0x5f, 0xa0, 0x03, 0x02, 0x01,
    0x05, 0xa1, 0x03, 0x02, 0x01, 0x1e, 0xa4, 0x11, 0x18, 0x0f, 0x32, 0x30,
    0x32, 0x36, 0x31, 0x31, 0x32, 0x33, 0x31, 0x33, 0x30, 0x39, 0x30, 0x32,
    0x5a, 0xa5, 0x04, 0x02, 0x02, 0x72, 0x88, 0xa6, 0x03, 0x02, 0x01, 0x23,
    0xa9, 0x0e, 0x1b, 0x0c, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45, 0x2e,
    0x54, 0x45, 0x53, 0x54, 0xaa, 0x25, 0x30, 0x23, 0xa0, 0x03, 0x02, 0x01,
    0x03, 0xa1, 0x1c, 0x30, 0x1a, 0x1b, 0x04, 0x48, 0x54, 0x54, 0x50, 0x1b,
    0x12, 0x77, 0x65, 0x62, 0x30, 0x31, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70,
    0x6c, 0x65, 0x2e, 0x74, 0x65, 0x73, 0x74,
};

/* stale_key: the same acceptor with a kvno-2 keytab, ticket kvno 3: KRB_AP_ERR_BADKEYVER. */
static const guint8 mit_spnego_badkeyver[126] = {
    0xa1, 0x7c, 0x30, 0x7a, 0xa0, 0x03, 0x0a, 0x01, 0x02, 0xa2, 0x73, 0x04,
    0x71, 0x60, 0x6f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01,
    0x02, 0x02, 0x03, 0x00, 0x7e, 0x60, 0x30, 0x5e, 0xa0, 0x03, 0x02, 0x01,
    0x05, 0xa1, 0x03, 0x02, 0x01, 0x1e, 0xa4, 0x11, 0x18, 0x0f, 0x32, 0x30,
    0x32, 0x36, 0x31, 0x31, 0x32, 0x33, 0x31, 0x33, 0x31, 0x30, 0x33, 0x37,
    0x5a, 0xa5, 0x05, 0x02, 0x03, 0x0e, 0x3e, 0x5c, 0xa6, 0x03, 0x02, 0x01,
    0x2c, 0xa9, 0x0e, 0x1b, 0x0c, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45,
    0x2e, 0x54, 0x45, 0x53, 0x54, 0xaa, 0x23, 0x30, 0x21, 0xa0, 0x03, 0x02,
    0x01, 0x03, 0xa1, 0x1a, 0x30, 0x18, 0x1b, 0x04, 0x48, 0x54, 0x54, 0x50,
    0x1b, 0x10, 0x77, 0x77, 0x77, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
    0x65, 0x2e, 0x74, 0x65, 0x73, 0x74,
};

/* account_locked: MIT 1.20 KDC, bare KRB-ERROR KDC_ERR_PREAUTH_REQUIRED with e-text
 * and METHOD-DATA e-data (ETYPE-INFO2). */
static const guint8 mit_kdc_needed_preauth[237] = {
    0x7e, 0x81, 0xea, 0x30, 0x81, 0xe7, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1,
    0x03, 0x02, 0x01, 0x1e, 0xa4, 0x11, 0x18, 0x0f, 0x32, 0x30, 0x32, 0x36,
    0x31, 0x31, 0x32, 0x33, 0x31, 0x32, 0x30, 0x39, 0x32, 0x33, 0x5a, 0xa5,
    0x05, 0x02, 0x03, 0x0c, 0xe7, 0x9a, 0xa6, 0x03, 0x02, 0x01, 0x19, 0xa7,
    0x0e, 0x1b, 0x0c, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45, 0x2e, 0x54,
    0x45, 0x53, 0x54, 0xa8, 0x12, 0x30, 0x10, 0xa0, 0x03, 0x02, 0x01, 0x01,
    0xa1, 0x09, 0x30, 0x07, 0x1b, 0x05, 0x61, 0x6c, 0x69, 0x63, 0x65, 0xa9,
    0x0e, 0x1b, 0x0c, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45, 0x2e, 0x54,
    0x45, 0x53, 0x54, 0xaa, 0x21, 0x30, 0x1f, 0xa0, 0x03, 0x02, 0x01, 0x02,
    0xa1, 0x18, 0x30, 0x16, 0x1b, 0x06, 0x6b, 0x72, 0x62, 0x74, 0x67, 0x74,
    0x1b, 0x0c, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45, 0x2e, 0x54, 0x45,
    0x53, 0x54, 0xab, 0x10, 0x1b, 0x0e, 0x4e, 0x45, 0x45, 0x44, 0x45, 0x44,
    0x5f, 0x50, 0x52, 0x45, 0x41, 0x55, 0x54, 0x48, 0xac, 0x53, 0x04, 0x51,
    0x30, 0x4f, 0x30, 0x0a, 0xa1, 0x04, 0x02, 0x02, 0x00, 0x88, 0xa2, 0x02,
    0x04, 0x00, 0x30, 0x27, 0xa1, 0x03, 0x02, 0x01, 0x13, 0xa2, 0x20, 0x04,
    0x1e, 0x30, 0x1c, 0x30, 0x1a, 0xa0, 0x03, 0x02, 0x01, 0x12, 0xa1, 0x13,
    0x1b, 0x11, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45, 0x2e, 0x54, 0x45,
    0x53, 0x54, 0x61, 0x6c, 0x69, 0x63, 0x65, 0x30, 0x09, 0xa1, 0x03, 0x02,
    0x01, 0x02, 0xa2, 0x02, 0x04, 0x00, 0x30, 0x0d, 0xa1, 0x04, 0x02, 0x02,
    0x00, 0x85, 0xa2, 0x05, 0x04, 0x03, 0x4d, 0x49, 0x54,
};

/* samba_account_disabled: Samba 4.17 KDC, KDC_ERR_CLIENT_REVOKED with the NTSTATUS
 * STATUS_ACCOUNT_DISABLED in PA-PW-SALT. */
static const guint8 samba_kdc_disabled[220] = {
    0x7e, 0x81, 0xd9, 0x30, 0x81, 0xd6, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1,
    0x03, 0x02, 0x01, 0x1e, 0xa4, 0x11, 0x18, 0x0f, 0x32, 0x30, 0x32, 0x36,
    0x31, 0x31, 0x32, 0x33, 0x31, 0x32, 0x31, 0x33, 0x31, 0x38, 0x5a, 0xa5,
    0x05, 0x02, 0x03, 0x09, 0x9a, 0xc3, 0xa6, 0x03, 0x02, 0x01, 0x12, 0xa7,
    0x11, 0x1b, 0x0f, 0x41, 0x44, 0x2e, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c,
    0x45, 0x2e, 0x54, 0x45, 0x53, 0x54, 0xa8, 0x10, 0x30, 0x0e, 0xa0, 0x03,
    0x02, 0x01, 0x01, 0xa1, 0x07, 0x30, 0x05, 0x1b, 0x03, 0x62, 0x6f, 0x62,
    0xa9, 0x11, 0x1b, 0x0f, 0x41, 0x44, 0x2e, 0x45, 0x58, 0x41, 0x4d, 0x50,
    0x4c, 0x45, 0x2e, 0x54, 0x45, 0x53, 0x54, 0xaa, 0x24, 0x30, 0x22, 0xa0,
    0x03, 0x02, 0x01, 0x02, 0xa1, 0x1b, 0x30, 0x19, 0x1b, 0x06, 0x6b, 0x72,
    0x62, 0x74, 0x67, 0x74, 0x1b, 0x0f, 0x41, 0x44, 0x2e, 0x45, 0x58, 0x41,
    0x4d, 0x50, 0x4c, 0x45, 0x2e, 0x54, 0x45, 0x53, 0x54, 0xac, 0x4d, 0x04,
    0x4b, 0x30, 0x49, 0x30, 0x30, 0xa1, 0x03, 0x02, 0x01, 0x13, 0xa2, 0x29,
    0x04, 0x27, 0x30, 0x25, 0x30, 0x23, 0xa0, 0x03, 0x02, 0x01, 0x12, 0xa1,
    0x14, 0x1b, 0x12, 0x41, 0x44, 0x2e, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c,
    0x45, 0x2e, 0x54, 0x45, 0x53, 0x54, 0x62, 0x6f, 0x62, 0xa2, 0x06, 0x04,
    0x04, 0x00, 0x00, 0x10, 0x00, 0x30, 0x15, 0xa1, 0x03, 0x02, 0x01, 0x03,
    0xa2, 0x0e, 0x04, 0x0c, 0x72, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00,
};

/* http_success: the acceptor's 200, negTokenResp accept-completed with a GSS-framed AP-REP. */
static const guint8 mit_spnego_ap_rep[186] = {
    0xa1, 0x81, 0xb7, 0x30, 0x81, 0xb4, 0xa0, 0x03, 0x0a, 0x01, 0x00, 0xa1,
    0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
    0xa2, 0x81, 0x9f, 0x04, 0x81, 0x9c, 0x60, 0x81, 0x99, 0x06, 0x09, 0x2a,
    0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x02, 0x00, 0x6f, 0x81,
    0x89, 0x30, 0x81, 0x86, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02,
    0x01, 0x0f, 0xa2, 0x7a, 0x30, 0x78, 0xa0, 0x03, 0x02, 0x01, 0x12, 0xa2,
    0x71, 0x04, 0x6f, 0xbe, 0xe6, 0xf4, 0x8c, 0x1e, 0xac, 0xcf, 0x40, 0x20,
    0x49, 0xcf, 0x0e, 0xcc, 0x34, 0x56, 0x16, 0x27, 0x02, 0xee, 0x0f, 0x43,
    0xc7, 0xd8, 0x58, 0x16, 0xe3, 0x85, 0xe7, 0x97, 0xed, 0x01, 0x77, 0xdb,
    0xeb, 0xaf, 0xed, 0x68, 0xf0, 0xc8, 0xd5, 0x3d, 0x82, 0x28, 0xee, 0x27,
    0x39, 0x81, 0xea, 0x71, 0xcf, 0x1e, 0xbe, 0x01, 0xfc, 0xe5, 0x20, 0x9e,
    0x4a, 0x67, 0xb7, 0xd4, 0x90, 0x20, 0x47, 0xdd, 0x30, 0x88, 0xa2, 0x83,
    0x71, 0x1e, 0x52, 0x1b, 0x14, 0x64, 0x5e, 0xe9, 0x18, 0x34, 0xc1, 0x7f,
    0xaf, 0x98, 0x40, 0x0a, 0xd4, 0xc9, 0xc1, 0xf4, 0xdb, 0xc1, 0x40, 0x67,
    0xb9, 0x05, 0xca, 0xaf, 0xf6, 0xf2, 0x72, 0x29, 0x65, 0x13, 0x5a, 0x92,
    0x79, 0x1a, 0xda, 0x41, 0x04, 0xd8,
};

/* http_success: curl's Authorization: GSS-framed SPNEGO negTokenInit, mechToken AP-REQ. */
static const guint8 mit_spnego_ap_req[771] = {
    0x60, 0x82, 0x02, 0xff, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02,
    0xa0, 0x82, 0x02, 0xf3, 0x30, 0x82, 0x02, 0xef, 0xa0, 0x0d, 0x30, 0x0b,
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0xa2,
    0x82, 0x02, 0xdc, 0x04, 0x82, 0x02, 0xd8, 0x60, 0x82, 0x02, 0xd4, 0x06,
    0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x01, 0x00,
    0x6e, 0x82, 0x02, 0xc3, 0x30, 0x82, 0x02, 0xbf, 0xa0, 0x03, 0x02, 0x01,
    0x05, 0xa1, 0x03, 0x02, 0x01, 0x0e, 0xa2, 0x07, 0x03, 0x05, 0x00, 0x20,
    0x00, 0x00, 0x00, 0xa3, 0x82, 0x01, 0xd6, 0x61, 0x82, 0x01, 0xd2, 0x30,
    0x82, 0x01, 0xce, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x0e, 0x1b, 0x0c,
    0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45, 0x2e, 0x54, 0x45, 0x53, 0x54,
    0xa2, 0x23, 0x30, 0x21, 0xa0, 0x03, 0x02, 0x01, 0x03, 0xa1, 0x1a, 0x30,
    0x18, 0x1b, 0x04, 0x48, 0x54, 0x54, 0x50, 0x1b, 0x10, 0x77, 0x77, 0x77,
    0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x74, 0x65, 0x73,
    0x74, 0xa3, 0x82, 0x01, 0x90, 0x30, 0x82, 0x01, 0x8c, 0xa0, 0x03, 0x02,
    0x01, 0x12, 0xa1, 0x03, 0x02, 0x01, 0x02, 0xa2, 0x82, 0x01, 0x7e, 0x04,
    0x82, 0x01, 0x7a, 0xb4, 0x67, 0xf7, 0x8a, 0x1e, 0x5f, 0xf2, 0xe8, 0xed,
    0xbb, 0x92, 0x43, 0x8d, 0xec, 0x59, 0x20, 0x90, 0x8d, 0xf8, 0x09, 0xd4,
    0x43, 0x63, 0x7e, 0x01, 0x6d, 0x37, 0x2b, 0x8b, 0x02, 0xbe, 0x4a, 0x0b,
    0x74, 0x1f, 0xd0, 0x1f, 0x2d, 0x85, 0x3b, 0x74, 0x1f, 0x3e, 0x7f, 0xe9,
    0xac, 0x2c, 0x24, 0xff, 0xf3, 0xe3, 0xaa, 0x1e, 0x9d, 0x1d, 0x87, 0xc7,
    0x35, 0xd0, 0xe2, 0x1d, 0xb7, 0x0f, 0x3c, 0xca, 0x17, 0x78, 0x99, 0xfd,
    0x27, 0x78, 0x98, 0x15, 0xe3, 0x30, 0xa1, 0x14, 0x41, 0x58, 0xeb, 0xaa,
    0x6a, 0x17, 0x18, 0xf3, 0xdd, 0x29, 0x20, 0x9e, 0xa5, 0x6c, 0xae, 0x28,
    0x29, 0xe8, 0x78, 0x0e, 0xce, 0xed, 0xa2, 0xe5, 0xe8, 0xf5, 0xbb, 0xd5,
    0x81, 0x5e, 0xab, 0x01, 0xc3, 0x87, 0x96, 0x72, 0xee, 0x47, 0xfc, 0x1e,
    0x68, 0xb2, 0xfc, 0x8e, 0x55, 0x45, 0x7f, 0x4b, 0x3e, 0xf1, 0x32, 0xa5,
    0x30, 0xbb, 0xaa, 0x50, 0x88, 0xd9, 0x63, 0x11, 0x16, 0x26, 0xa6, 0x32,
    0xdb, 0x33, 0x9f, 0xf6, 0x52, 0x87, 0x36, 0x89, 0x12, 0x86, 0x97, 0x3b,
    0x07, 0x4f, 0xc3, 0x14, 0x13, 0x28, 0x49, 0x2a, 0xdf, 0x49, 0x55, 0x7f,
    0x7f, 0xfc, 0xaf, 0x3f, 0x7d, 0x0f, 0xc9, 0x1a, 0x5a, 0xba, 0xdd, 0x25,
    0xf0, 0xdb, 0xfb, 0xb1, 0x53, 0x81, 0x65, 0x6b, 0x30, 0x67, 0xc9, 0xb4,
    0x8d, 0x00, 0xbf, 0xf7, 0xa4, 0xff, 0x74, 0x58, 0x67, 0x2a, 0x44, 0xde,
    0x25, 0x5f, 0x01, 0xc1, 0x43, 0xef, 0xc2, 0x20, 0x72, 0xe1, 0x0b, 0x8a,
    0xb6, 0x73, 0xae, 0x26, 0xbe, 0x18, 0x69, 0x1d, 0x66, 0xba, 0x40, 0xdf,
    0xd5, 0xf2, 0xc4, 0x56, 0x52, 0x77, 0x5c, 0xdf, 0xd5, 0x5e, 0x52, 0x37,
    0x21, 0x20, 0xd8, 0x59, 0x3c, 0xdb, 0xc0, 0xfe, 0xdc, 0x6e, 0x1c, 0xc1,
    0x28, 0x3b, 0x4a, 0x52, 0xd1, 0x5d, 0x21, 0xd6, 0x36, 0xca, 0x29, 0xcd,
    0x4f, 0xd6, 0xcd, 0xea, 0xa6, 0x99, 0xb5, 0xfa, 0xed, 0xf5, 0xc4, 0x13,
    0x84, 0xbe, 0x8a, 0x70, 0xb6, 0xf1, 0xd2, 0xb7, 0x81, 0x7f, 0x3c, 0x70,
    0x4a, 0x20, 0xcb, 0x2a, 0x2d, 0xf9, 0x36, 0x1b, 0x8c, 0x2e, 0xdd, 0xcb,
    0x3c, 0xb7, 0x92, 0x95, 0x7a, 0x71, 0xb0, 0x8d, 0xf9, 0x29, 0xb7, 0xab,
    0x85, 0xeb, 0x10, 0xeb, 0x9d, 0xae, 0x1d, 0xda, 0x52, 0xa3, 0xa9, 0x5e,
    0xb9, 0x57, 0x2f, 0xb6, 0x55, 0xd3, 0x26, 0x90, 0x9b, 0x9e, 0x1c, 0x35,
    0x0f, 0x3d, 0x5e, 0xac, 0x4f, 0x63, 0x9c, 0x8a, 0xf1, 0x52, 0xf7, 0xa2,
    0x98, 0x57, 0x16, 0x8c, 0x49, 0x51, 0x97, 0xff, 0xdc, 0x06, 0xb5, 0xb2,
    0x6d, 0xd8, 0xf1, 0xe4, 0xe8, 0x56, 0x74, 0xf8, 0xa4, 0x72, 0x1e, 0xe2,
    0x53, 0x5d, 0xfc, 0x86, 0x7d, 0x17, 0x5f, 0x52, 0xf6, 0xa4, 0x81, 0xcf,
    0x30, 0x81, 0xcc, 0xa0, 0x03, 0x02, 0x01, 0x12, 0xa2, 0x81, 0xc4, 0x04,
    0x81, 0xc1, 0xd9, 0x7e, 0x35, 0x0b, 0xbf, 0x02, 0xed, 0x5c, 0xc5, 0x13,
    0xa4, 0x39, 0x3c, 0x04, 0xb5, 0xce, 0x23, 0x86, 0x7d, 0x93, 0x5d, 0x01,
    0x67, 0xbb, 0x7d, 0x95, 0xd1, 0xba, 0x71, 0x15, 0x3b, 0x0c, 0x58, 0x95,
    0x34, 0x75, 0x65, 0xe4, 0xc0, 0x8e, 0x7b, 0xd1, 0x8d, 0x38, 0x05, 0x7a,
    0x34, 0x26, 0x56, 0xe8, 0x15, 0x96, 0xd4, 0x36, 0xd2, 0x3a, 0x87, 0xfb,
    0x11, 0xe1, 0x4e, 0xc4, 0x85, 0xeb, 0x91, 0xf6, 0xdd, 0x0f, 0x94, 0x80,
    0x20, 0xd4, 0x5e, 0xbf, 0x0e, 0x1b, 0x1b, 0x86, 0xe8, 0x22, 0x4a, 0xb3,
    0xb5, 0x5e, 0xe1, 0x06, 0x7b, 0x50, 0xf5, 0xbe, 0x02, 0x26, 0x01, 0xcb,
    0xb8, 0x72, 0x04, 0xda, 0x8c, 0xed, 0x85, 0xff, 0x10, 0xa4, 0xc0, 0x1d,
    0xef, 0x67, 0x2d, 0x3b, 0x59, 0x0e, 0xfb, 0xf1, 0x99, 0xf4, 0x94, 0x39,
    0x08, 0xf5, 0x45, 0x06, 0x28, 0x07, 0x23, 0x91, 0xf7, 0x6f, 0x9c, 0x77,
    0x0c, 0x12, 0xf7, 0xd9, 0x9a, 0x9e, 0x41, 0x2c, 0x1b, 0xd9, 0xdc, 0xf8,
    0x74, 0x30, 0x9e, 0x26, 0x41, 0x9c, 0xc5, 0x90, 0x5c, 0x4b, 0x4f, 0xf5,
    0xa8, 0x1a, 0x81, 0xd2, 0x20, 0xf4, 0x8a, 0x04, 0xc3, 0x18, 0xf2, 0x8b,
    0xff, 0x46, 0x26, 0xc4, 0x9c, 0x2b, 0x9d, 0xd1, 0x18, 0x94, 0xf6, 0x18,
    0x5a, 0x60, 0x92, 0x1c, 0x5c, 0xd6, 0xa9, 0x2c, 0x15, 0xd8, 0x52, 0xd0,
    0x55, 0x28, 0x02,
};

static const guint8 oid_krb5[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02 };
static const guint8 oid_krb5_u2u[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03 };
static const guint8 oid_spnego[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };
static const guint8 oid_ntlmssp[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a };

/* Where the GSS-framed krb5 token starts inside the two SPNEGO tokens, and where
 * its OID and TOK_ID are (checked by the tests that use them). */
#define NOT_US_GSS      13
#define AP_REP_GSS      30
#define GSS_OID_AT(g)   ((g) + 4)       /* 60 len(1 byte) 06 09 */
#define GSS_TOKID_AT(g) ((g) + 13)

#define T_ASSERT_STR(str, want) do { \
        assert_true((str).present); \
        assert_int_equal((str).len, strlen(want)); \
        assert_memory_equal((str).s, (want), strlen(want)); \
    } while (0)

/* What must hold whatever the input: bounded strings, e-data inside the input,
 * no KRB-ERROR field left behind when the result is not a KRB-ERROR. */
static void
check_invariants(const kd_gsskrb *g, const guint8 *buf, gsize n)
{
    assert_true(g->kind >= KD_GSSKRB_NONE && g->kind <= KD_GSSKRB_OTHER_TOKEN);
    assert_true(g->mech >= KD_GSSKRB_MECH_NONE && g->mech <= KD_GSSKRB_MECH_OTHER);
    const kd_gsskrb_str *strs[] = { &g->crealm, &g->cname, &g->realm, &g->sname, &g->etext };
    for (guint i = 0; i < G_N_ELEMENTS(strs); i++) {
        assert_true(strs[i]->len <= KD_GSSKRB_STR_MAX);
        assert_int_equal(strs[i]->s[strs[i]->len], '\0');
        if (strs[i]->truncated)
            assert_int_equal(strs[i]->len, KD_GSSKRB_STR_MAX);
        if (g->kind != KD_GSSKRB_KRB_ERROR)
            assert_false(strs[i]->present || strs[i]->len);
    }
    if (g->edata) {
        assert_true(g->edata >= buf && g->edata + g->edata_len <= buf + n);
    }
    if (g->kind != KD_GSSKRB_KRB_ERROR) {
        assert_int_equal(g->error_code, 0);
        assert_null(g->edata);
        assert_false(g->has_ctime || g->has_stime || g->has_cusec || g->has_susec);
    }
}

/* Parses an exactly-sized copy (AddressSanitizer sees any read past the end). */
static kd_gsskrb_kind
parse_copy(const guint8 *p, gsize n, kd_gsskrb *out)
{
    guint8 *copy = g_malloc(n ? n : 1);
    if (n)
        memcpy(copy, p, n);
    kd_gsskrb_kind k = kd_gsskrb_parse(copy, n, out);
    assert_int_equal(k, out->kind);
    check_invariants(out, copy, n);
    g_free(copy);
    out->edata = NULL;      /* pointed into the copy */
    return k;
}

static kd_gsskrb_kind
parse_array(GByteArray *a, kd_gsskrb *out)
{
    kd_gsskrb_kind k = parse_copy(a->data, a->len, out);
    g_byte_array_unref(a);
    return k;
}

static GByteArray *
bytes_of(const guint8 *p, gsize n)
{
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, p, (guint)n);
    return b;
}

/* ---- builders ---- */

static GByteArray *
gstring(const char *s)
{
    return t_der_bytes(0x1b, s, strlen(s));
}

static GByteArray *
principal(gint32 type, const char *const *comps, guint n)
{
    GByteArray *names = g_byte_array_new();
    for (guint i = 0; i < n; i++)
        names = t_der_cat(names, gstring(comps[i]));
    return t_der_tlv(0x30, t_der_cat(t_der_tlv(0xa0, t_der_int(type)),
                                     t_der_tlv(0xa1, t_der_tlv(0x30, names))));
}

#define N_FIELDS 14

/* A KRB-ERROR from its fields' contents: f[i] is the TLV inside context tag [i],
 * NULL when absent. Takes the fields. */
static GByteArray *
krb_error_of(GByteArray **f)
{
    GByteArray *seq = g_byte_array_new();
    for (guint i = 0; i < N_FIELDS; i++) {
        if (f[i])
            seq = t_der_cat(seq, t_der_tlv((guint8)(0xa0 | i), f[i]));
    }
    return t_der_tlv(0x7e, t_der_tlv(0x30, seq));
}

/* The fields a KRB-ERROR must have: KRB_AP_ERR_MODIFIED from host/srv2. */
static void
default_fields(GByteArray **f)
{
    static const char *const sname[] = { "host", "srv2.example.test" };
    memset(f, 0, N_FIELDS * sizeof *f);
    f[0] = t_der_int(5);
    f[1] = t_der_int(30);
    f[4] = t_der_bytes(0x18, "20261123130902Z", 15);
    f[5] = t_der_int(29320);
    f[6] = t_der_int(41);
    f[9] = gstring("EXAMPLE.TEST");
    f[10] = principal(3, sname, 2);
}

static GByteArray *
default_krb_error(void)
{
    GByteArray *f[N_FIELDS];
    default_fields(f);
    return krb_error_of(f);
}

static GByteArray *
gss_wrap(const guint8 *oid, gsize oid_len, guint16 tok_id, GByteArray *msg)
{
    guint8 t[2] = { (guint8)(tok_id >> 8), (guint8)tok_id };
    GByteArray *inner = t_der_cat(t_der_cat(t_der_bytes(0x06, oid, oid_len), bytes_of(t, 2)), msg);
    return t_der_tlv(0x60, inner);
}

/* negTokenResp; state < 0 leaves negState out; mech and token may be NULL. */
static GByteArray *
neg_resp(int state, GByteArray *mech_oid, GByteArray *token)
{
    GByteArray *seq = g_byte_array_new();
    if (state >= 0) {
        guint8 e = (guint8)state;
        seq = t_der_cat(seq, t_der_tlv(0xa0, t_der_bytes(0x0a, &e, 1)));
    }
    if (mech_oid)
        seq = t_der_cat(seq, t_der_tlv(0xa1, mech_oid));
    if (token)
        seq = t_der_cat(seq, t_der_tlv(0xa2, t_der_tlv(0x04, token)));
    return t_der_tlv(0xa1, t_der_tlv(0x30, seq));
}

/* Offset of `needle` in `hay` (the test fails when absent). */
static gsize
find(const guint8 *hay, gsize n, const guint8 *needle, gsize m)
{
    for (gsize i = 0; i + m <= n; i++) {
        if (memcmp(hay + i, needle, m) == 0)
            return i;
    }
    fail_msg("pattern not found");
    return 0;
}

/* ---- real tokens ---- */

static void
test_real_spnego_krb_error(void **state)
{
    (void)state;
    kd_gsskrb g;
    assert_int_equal(parse_copy(mit_spnego_not_us, sizeof mit_spnego_not_us, &g), KD_GSSKRB_KRB_ERROR);
    assert_true(g.in_spnego);
    assert_int_equal(g.spnego_neg_state, 2);        /* reject */
    assert_true(g.gss_framed);
    assert_int_equal(g.mech, KD_GSSKRB_MECH_KRB5);
    assert_int_equal(g.error_code, 35);             /* KRB_AP_ERR_NOT_US */
    assert_true(g.has_stime && g.has_susec);
    assert_int_equal(g.stime, 1795439342);          /* 2026-11-23 13:09:02 UTC */
    assert_int_equal(g.susec, 29320);
    assert_false(g.has_ctime || g.has_cusec);
    T_ASSERT_STR(g.realm, "EXAMPLE.TEST");
    T_ASSERT_STR(g.sname, "HTTP/web01.example.test");
    assert_int_equal(g.sname_type, 3);              /* NT-SRV-HST */
    assert_false(g.crealm.present || g.cname.present || g.etext.present);
    assert_null(g.edata);

    assert_int_equal(parse_copy(mit_spnego_badkeyver, sizeof mit_spnego_badkeyver, &g), KD_GSSKRB_KRB_ERROR);
    assert_int_equal(g.error_code, 44);             /* KRB_AP_ERR_BADKEYVER */
    assert_int_equal(g.stime, 1795439437);
    assert_int_equal(g.susec, 933468);
    T_ASSERT_STR(g.sname, "HTTP/www.example.test");
}

static void
test_real_gss_framed(void **state)
{
    (void)state;
    const guint8 *gss = mit_spnego_not_us + NOT_US_GSS;
    gsize n = sizeof mit_spnego_not_us - NOT_US_GSS;
    assert_int_equal(gss[0], 0x60);
    assert_memory_equal(gss + GSS_OID_AT(0), oid_krb5, sizeof oid_krb5);

    /* The responseToken alone, as an RPC verifier of auth type 16 would carry it. */
    kd_gsskrb g;
    assert_int_equal(parse_copy(gss, n, &g), KD_GSSKRB_KRB_ERROR);
    assert_true(g.gss_framed);
    assert_false(g.in_spnego);
    assert_int_equal(g.spnego_neg_state, -1);
    assert_int_equal(g.error_code, 35);
    T_ASSERT_STR(g.sname, "HTTP/web01.example.test");

    /* Microsoft's krb5 OID 1.2.840.48018.1.2.2 (same length). */
    guint8 *v = g_memdup2(gss, n);
    v[GSS_OID_AT(0) + 3] = 0x82;
    assert_int_equal(parse_copy(v, n, &g), KD_GSSKRB_KRB_ERROR);
    assert_int_equal(g.mech, KD_GSSKRB_MECH_MS_KRB5);
    assert_int_equal(g.error_code, 35);

    /* Another OID (1.2.840.113554.1.2.3): not read as Kerberos. */
    memcpy(v, gss, n);
    v[GSS_OID_AT(0) + 8] = 0x03;
    assert_int_equal(parse_copy(v, n, &g), KD_GSSKRB_OTHER_MECH);
    assert_int_equal(g.mech, KD_GSSKRB_MECH_OTHER);

    /* The OID tag is not an OID. */
    memcpy(v, gss, n);
    v[2] = 0x04;
    assert_int_equal(parse_copy(v, n, &g), KD_GSSKRB_MALFORMED);
    g_free(v);

    /* The bare KRB-ERROR after TOK_ID (no framing). */
    assert_int_equal(parse_copy(gss + GSS_TOKID_AT(0) + 2, n - GSS_TOKID_AT(0) - 2, &g), KD_GSSKRB_KRB_ERROR);
    assert_false(g.gss_framed);
    assert_int_equal(g.mech, KD_GSSKRB_MECH_NONE);
    assert_int_equal(g.error_code, 35);
}

static void
test_real_kdc_errors(void **state)
{
    (void)state;
    kd_gsskrb g;
    kd_edata ed;
    /* Parsed in place: e-data points into the token. */
    assert_int_equal(kd_gsskrb_parse(mit_kdc_needed_preauth, sizeof mit_kdc_needed_preauth, &g),
                     KD_GSSKRB_KRB_ERROR);
    check_invariants(&g, mit_kdc_needed_preauth, sizeof mit_kdc_needed_preauth);
    assert_int_equal(g.error_code, 25);             /* KDC_ERR_PREAUTH_REQUIRED */
    assert_false(g.gss_framed || g.in_spnego);
    T_ASSERT_STR(g.crealm, "EXAMPLE.TEST");
    T_ASSERT_STR(g.cname, "alice");
    assert_int_equal(g.cname_type, 1);
    T_ASSERT_STR(g.sname, "krbtgt/EXAMPLE.TEST");
    assert_int_equal(g.sname_type, 2);
    T_ASSERT_STR(g.etext, "NEEDED_PREAUTH");
    assert_false(g.etext.truncated);
    assert_non_null(g.edata);
    assert_int_equal(g.edata_len, 81);
    assert_true(kd_edata_parse(g.edata, g.edata_len, &ed));
    assert_int_equal(ed.n_etype_info2, 1);
    assert_int_equal(ed.etype_info2[0], 18);

    assert_int_equal(kd_gsskrb_parse(samba_kdc_disabled, sizeof samba_kdc_disabled, &g),
                     KD_GSSKRB_KRB_ERROR);
    assert_int_equal(g.error_code, 18);             /* KDC_ERR_CLIENT_REVOKED */
    T_ASSERT_STR(g.crealm, "AD.EXAMPLE.TEST");
    T_ASSERT_STR(g.cname, "bob");
    T_ASSERT_STR(g.sname, "krbtgt/AD.EXAMPLE.TEST");
    assert_false(g.etext.present);
    assert_true(kd_edata_parse(g.edata, g.edata_len, &ed));
    assert_true(ed.has_nt_status);
    assert_int_equal(ed.nt_status, STATUS_ACCOUNT_DISABLED);
}

static void
test_real_ap_req_ap_rep(void **state)
{
    (void)state;
    kd_gsskrb g;
    assert_int_equal(parse_copy(mit_spnego_ap_rep, sizeof mit_spnego_ap_rep, &g), KD_GSSKRB_AP_REP);
    assert_true(g.in_spnego && g.gss_framed);
    assert_int_equal(g.spnego_neg_state, 0);        /* accept-completed */
    assert_int_equal(g.mech, KD_GSSKRB_MECH_KRB5);

    assert_int_equal(parse_copy(mit_spnego_ap_req, sizeof mit_spnego_ap_req, &g), KD_GSSKRB_AP_REQ);
    assert_true(g.in_spnego && g.gss_framed);
    assert_int_equal(g.spnego_neg_state, -1);
    assert_int_equal(g.mech, KD_GSSKRB_MECH_KRB5);

    /* The AP-REP alone, with and without its framing (DCE-style third leg). */
    const guint8 *gss = mit_spnego_ap_rep + AP_REP_GSS;
    gsize n = sizeof mit_spnego_ap_rep - AP_REP_GSS;
    assert_int_equal(gss[0], 0x60);
    assert_int_equal(gss[1], 0x81);                 /* two length bytes: OID one later */
    assert_int_equal(parse_copy(gss, n, &g), KD_GSSKRB_AP_REP);
    assert_false(g.in_spnego);
    assert_int_equal(parse_copy(gss + 16, n - 16, &g), KD_GSSKRB_AP_REP);
    assert_int_equal(gss[16], 0x6f);
    assert_false(g.gss_framed);
}

static void
test_tok_ids(void **state)
{
    (void)state;
    kd_gsskrb g;
    /* TOK_ID of the real AP-REP token: 02 00 at 14 (two length bytes). */
    const guint8 *rep = mit_spnego_ap_rep + AP_REP_GSS;
    gsize rn = sizeof mit_spnego_ap_rep - AP_REP_GSS;
    assert_int_equal(rep[14], 0x02);
    assert_int_equal(rep[15], 0x00);
    guint8 *v = g_memdup2(rep, rn);
    v[14] = 0x03;       /* says KRB-ERROR, holds an AP-REP */
    assert_int_equal(parse_copy(v, rn, &g), KD_GSSKRB_MALFORMED);
    v[14] = 0x01;       /* says AP-REQ, holds an AP-REP */
    assert_int_equal(parse_copy(v, rn, &g), KD_GSSKRB_MALFORMED);
    v[14] = 0x04;       /* 04 04: a CFX MIC token id */
    v[15] = 0x04;
    assert_int_equal(parse_copy(v, rn, &g), KD_GSSKRB_OTHER_TOKEN);
    assert_int_equal(g.mech, KD_GSSKRB_MECH_KRB5);
    g_free(v);

    /* KRB-ERROR with TOK_ID 01 00 and 02 00: refused, not read as an error. */
    const guint8 *err = mit_spnego_not_us + NOT_US_GSS;
    gsize en = sizeof mit_spnego_not_us - NOT_US_GSS;
    v = g_memdup2(err, en);
    assert_int_equal(v[GSS_TOKID_AT(0)], 0x03);
    v[GSS_TOKID_AT(0)] = 0x01;
    assert_int_equal(parse_copy(v, en, &g), KD_GSSKRB_MALFORMED);
    v[GSS_TOKID_AT(0)] = 0x02;
    assert_int_equal(parse_copy(v, en, &g), KD_GSSKRB_MALFORMED);
    g_free(v);

    /* A genuine AP-REQ in krb5 framing: the AP-REQ inside the real SPNEGO token. */
    static const guint8 tok_ap_req[] = { 0x01, 0x00, 0x6e };
    gsize at = find(mit_spnego_ap_req, sizeof mit_spnego_ap_req, tok_ap_req, sizeof tok_ap_req);
    GByteArray *apreq = bytes_of(mit_spnego_ap_req + at + 2, sizeof mit_spnego_ap_req - at - 2);
    assert_int_equal(parse_array(gss_wrap(oid_krb5, sizeof oid_krb5, 0x0100, apreq), &g), KD_GSSKRB_AP_REQ);
    assert_int_equal(g.error_code, 0);
    /* Each kind has its own name. */
    for (int a = KD_GSSKRB_NONE; a <= KD_GSSKRB_OTHER_TOKEN; a++) {
        assert_true(strlen(kd_gsskrb_kind_name((kd_gsskrb_kind)a)) > 4);
        for (int b = KD_GSSKRB_NONE; b < a; b++)
            assert_string_not_equal(kd_gsskrb_kind_name((kd_gsskrb_kind)a), kd_gsskrb_kind_name((kd_gsskrb_kind)b));
    }
    assert_string_equal(kd_gsskrb_kind_name(KD_GSSKRB_AP_REP), "AP-REP");
}

/* ---- hostile bytes ---- */

static void
test_every_truncation(void **state)
{
    (void)state;
    const struct { const guint8 *p; gsize n; } toks[] = {
        { mit_spnego_not_us, sizeof mit_spnego_not_us },
        { mit_spnego_not_us + NOT_US_GSS, sizeof mit_spnego_not_us - NOT_US_GSS },
        { mit_spnego_badkeyver, sizeof mit_spnego_badkeyver },
        { mit_kdc_needed_preauth, sizeof mit_kdc_needed_preauth },
        { samba_kdc_disabled, sizeof samba_kdc_disabled },
        { mit_spnego_ap_rep, sizeof mit_spnego_ap_rep },
        { mit_spnego_ap_rep + AP_REP_GSS, sizeof mit_spnego_ap_rep - AP_REP_GSS },
        { mit_spnego_ap_req, sizeof mit_spnego_ap_req },
    };
    kd_gsskrb g;
    for (guint t = 0; t < G_N_ELEMENTS(toks); t++) {
        assert_int_equal(parse_copy(toks[t].p, 0, &g), KD_GSSKRB_NONE);
        for (gsize n = 1; n < toks[t].n; n++)
            assert_int_equal(parse_copy(toks[t].p, n, &g), KD_GSSKRB_MALFORMED);
        assert_int_not_equal(parse_copy(toks[t].p, toks[t].n, &g), KD_GSSKRB_MALFORMED);
    }
}

static void
test_lengths_past_the_end(void **state)
{
    (void)state;
    kd_gsskrb g;
    gsize n = sizeof mit_spnego_not_us;
    guint8 *v = g_memdup2(mit_spnego_not_us, n);
    /* the SPNEGO choice, the responseToken's OCTET STRING, the 0x60 framing: one more */
    const gsize len_bytes[] = { 1, 12, NOT_US_GSS + 1 };
    for (guint i = 0; i < G_N_ELEMENTS(len_bytes); i++) {
        memcpy(v, mit_spnego_not_us, n);
        v[len_bytes[i]]++;
        assert_int_equal(parse_copy(v, n, &g), KD_GSSKRB_MALFORMED);
    }
    /* ... and one less: the enclosed TLV sticks out of its parent */
    for (guint i = 0; i < G_N_ELEMENTS(len_bytes); i++) {
        memcpy(v, mit_spnego_not_us, n);
        v[len_bytes[i]]--;
        assert_int_equal(parse_copy(v, n, &g), KD_GSSKRB_MALFORMED);
    }
    g_free(v);

    /* [APPLICATION 30] length one byte too long */
    n = sizeof mit_kdc_needed_preauth;
    v = g_memdup2(mit_kdc_needed_preauth, n);
    assert_int_equal(v[1], 0x81);
    v[2]++;
    assert_int_equal(parse_copy(v, n, &g), KD_GSSKRB_MALFORMED);
    g_free(v);

    static const guint8 len4_huge[] = { 0x7e, 0x84, 0xff, 0xff, 0xff, 0xf0, 0x30, 0x00 };
    static const guint8 len5[] = { 0x60, 0x85, 0x00, 0x00, 0x00, 0x00, 0x02, 0x06, 0x00 };
    static const guint8 indefinite[] = { 0x60, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                         0x12, 0x01, 0x02, 0x02, 0x03, 0x00, 0x00, 0x00 };
    static const guint8 len_missing[] = { 0x7e, 0x82, 0x01 };
    assert_int_equal(parse_copy(len4_huge, sizeof len4_huge, &g), KD_GSSKRB_MALFORMED);
    assert_int_equal(parse_copy(len5, sizeof len5, &g), KD_GSSKRB_MALFORMED);
    assert_int_equal(parse_copy(indefinite, sizeof indefinite, &g), KD_GSSKRB_MALFORMED);
    assert_int_equal(parse_copy(len_missing, sizeof len_missing, &g), KD_GSSKRB_MALFORMED);
}

static void
test_nested_lengths_lying(void **state)
{
    (void)state;
    kd_gsskrb g;
    /* error-code [6] says 3 bytes for its INTEGER but holds 2 + the next field */
    static const guint8 code_field[] = { 0xa6, 0x03, 0x02, 0x01, 0x23 };
    gsize n = sizeof mit_spnego_not_us;
    gsize at = find(mit_spnego_not_us, n, code_field, sizeof code_field);
    guint8 *v = g_memdup2(mit_spnego_not_us, n);
    v[at + 1] = 0x02;
    assert_int_equal(parse_copy(v, n, &g), KD_GSSKRB_MALFORMED);
    v[at + 1] = 0x03;
    v[at + 3] = 0x02;   /* INTEGER length 2 inside a 3-byte field */
    assert_int_equal(parse_copy(v, n, &g), KD_GSSKRB_MALFORMED);
    g_free(v);

    /* sname's name-string SEQUENCE shorter than its strings */
    static const guint8 names[] = { 0xa1, 0x1c, 0x30, 0x1a };
    at = find(mit_spnego_not_us, n, names, sizeof names);
    v = g_memdup2(mit_spnego_not_us, n);
    v[at + 3] = 0x10;
    assert_int_equal(parse_copy(v, n, &g), KD_GSSKRB_MALFORMED);
    g_free(v);

    /* Every byte of the real tokens changed a few ways: whatever comes out holds the
     * invariants (bounded strings, e-data inside the input, nothing left behind). */
    const struct { const guint8 *p; gsize n; } toks[] = {
        { mit_spnego_not_us, sizeof mit_spnego_not_us },
        { mit_kdc_needed_preauth, sizeof mit_kdc_needed_preauth },
        { samba_kdc_disabled, sizeof samba_kdc_disabled },
        { mit_spnego_ap_rep, sizeof mit_spnego_ap_rep },
    };
    const guint8 deltas[] = { 0x01, 0xff, 0x80, 0x7f };
    guint errors = 0, malformed = 0;
    for (guint t = 0; t < G_N_ELEMENTS(toks); t++) {
        v = g_memdup2(toks[t].p, toks[t].n);
        for (gsize i = 0; i < toks[t].n; i++) {
            for (guint d = 0; d < G_N_ELEMENTS(deltas); d++) {
                v[i] = (guint8)(toks[t].p[i] + deltas[d]);
                kd_gsskrb_kind k = parse_copy(v, toks[t].n, &g);
                errors += k == KD_GSSKRB_KRB_ERROR;
                malformed += k == KD_GSSKRB_MALFORMED;
            }
            v[i] = toks[t].p[i];
        }
        g_free(v);
    }
    /* Content bytes still decode, structure bytes break: both happen. */
    assert_true(errors > 100);
    assert_true(malformed > 100);
}

static void
test_high_tag_numbers(void **state)
{
    (void)state;
    kd_gsskrb g;
    /* [APPLICATION 30] in high-tag-number form is not what Kerberos sends */
    static const guint8 app_high[] = { 0x7f, 0x1e, 0x02, 0x30, 0x00 };
    assert_int_equal(parse_copy(app_high, sizeof app_high, &g), KD_GSSKRB_NONE);
    /* a field with a huge tag number inside a KRB-ERROR */
    GByteArray *f[N_FIELDS];
    default_fields(f);
    GByteArray *e = krb_error_of(f);
    static const guint8 huge_field[] = { 0xbf, 0x8f, 0xff, 0xff, 0x7f, 0x03, 0x02, 0x01, 0x00 };
    g_byte_array_append(e, huge_field, sizeof huge_field);
    e->data[1] += sizeof huge_field;        /* short lengths: both fit in one byte */
    e->data[3] += sizeof huge_field;
    assert_int_equal(parse_array(e, &g), KD_GSSKRB_MALFORMED);
    /* the OID tag in high-tag form */
    static const guint8 oid_high[] = { 0x60, 0x05, 0x1f, 0x86, 0x01, 0x01, 0x00 };
    assert_int_equal(parse_copy(oid_high, sizeof oid_high, &g), KD_GSSKRB_MALFORMED);
}

static void
test_empty_and_junk(void **state)
{
    (void)state;
    kd_gsskrb g;
    assert_int_equal(kd_gsskrb_parse(NULL, 0, &g), KD_GSSKRB_NONE);
    assert_int_equal(kd_gsskrb_parse(NULL, 100, &g), KD_GSSKRB_NONE);
    static const guint8 zero[] = { 0x00 }, gss_only[] = { 0x60 }, gss_empty[] = { 0x60, 0x00 },
                        err_empty[] = { 0x7e, 0x00 }, resp_empty[] = { 0xa1, 0x00 },
                        oid_empty[] = { 0x60, 0x04, 0x06, 0x00, 0x03, 0x00 },
                        tok_id_cut[] = { 0x60, 0x0c, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                         0x12, 0x01, 0x02, 0x02, 0x03 };
    assert_int_equal(parse_copy(zero, sizeof zero, &g), KD_GSSKRB_NONE);
    assert_int_equal(parse_copy(gss_only, sizeof gss_only, &g), KD_GSSKRB_MALFORMED);
    assert_int_equal(parse_copy(gss_empty, sizeof gss_empty, &g), KD_GSSKRB_MALFORMED);
    assert_int_equal(parse_copy(err_empty, sizeof err_empty, &g), KD_GSSKRB_MALFORMED);
    assert_int_equal(parse_copy(resp_empty, sizeof resp_empty, &g), KD_GSSKRB_MALFORMED);
    assert_int_equal(parse_copy(oid_empty, sizeof oid_empty, &g), KD_GSSKRB_MALFORMED);
    assert_int_equal(parse_copy(tok_id_cut, sizeof tok_id_cut, &g), KD_GSSKRB_MALFORMED);
    /* an NTLMSSP message (RPC auth type 10 verifier) */
    static const guint8 ntlm[] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 2, 0, 0, 0 };
    assert_int_equal(parse_copy(ntlm, sizeof ntlm, &g), KD_GSSKRB_OTHER_MECH);
    assert_int_equal(g.mech, KD_GSSKRB_MECH_NTLMSSP);
    /* random bytes starting with each tag this reader knows */
    static const guint8 firsts[] = { 0x60, 0x7e, 0x6e, 0x6f, 0xa0, 0xa1 };
    GRand *r = g_rand_new_with_seed(13);
    guint8 buf[300];
    for (int i = 0; i < 30000; i++) {
        guint n = (guint)g_rand_int_range(r, 1, sizeof buf);
        for (guint j = 0; j < n; j++)
            buf[j] = (guint8)g_rand_int(r);
        buf[0] = firsts[i % sizeof firsts];
        if (n > 1 && (i & 1))
            buf[1] = (guint8)(n - 2 < 0x80 ? n - 2 : 0x81);
        parse_copy(buf, n, &g);
    }
    g_rand_free(r);
}

/* ---- KRB-ERROR fields ---- */

static void
test_all_fields(void **state)
{
    (void)state;
    static const char *const cname[] = { "srv1$" };
    static const char *const sname[] = { "RPCSS", "srv2.beta.example.test", "BETA" };
    static const guint8 etext[] = { 0xff, 0xfe, 0x00, 'A', 0xc3, 0x28 };   /* not UTF-8, a NUL */
    static const guint8 edata[] = { 0x30, 0x00 };
    GByteArray *f[N_FIELDS];
    default_fields(f);
    f[2] = t_der_bytes(0x18, "19700101000000Z", 15);
    f[3] = t_der_int(999999);
    g_byte_array_unref(f[6]);
    f[6] = t_der_int(G_MAXINT32);
    f[7] = gstring("ALPHA.EXAMPLE.TEST");
    f[8] = principal(1, cname, 1);
    g_byte_array_unref(f[10]);
    f[10] = principal(-128, sname, 3);              /* NT-MS-PRINCIPAL */
    f[11] = t_der_bytes(0x1b, etext, sizeof etext);
    f[12] = t_der_bytes(0x04, edata, sizeof edata);
    f[13] = t_der_int(7);                           /* unknown later field: skipped */
    GByteArray *e = krb_error_of(f);
    kd_gsskrb g;
    assert_int_equal(kd_gsskrb_parse(e->data, e->len, &g), KD_GSSKRB_KRB_ERROR);
    check_invariants(&g, e->data, e->len);
    assert_true(g.has_ctime && g.has_cusec);
    assert_int_equal(g.ctime, 0);
    assert_int_equal(g.cusec, 999999);
    assert_int_equal(g.error_code, G_MAXINT32);
    T_ASSERT_STR(g.crealm, "ALPHA.EXAMPLE.TEST");
    T_ASSERT_STR(g.cname, "srv1$");
    assert_int_equal(g.cname_type, 1);
    T_ASSERT_STR(g.sname, "RPCSS/srv2.beta.example.test/BETA");
    assert_int_equal(g.sname_type, -128);
    assert_true(g.etext.present);
    assert_int_equal(g.etext.len, sizeof etext);
    assert_memory_equal(g.etext.s, etext, sizeof etext);
    assert_int_equal(g.edata_len, sizeof edata);
    assert_memory_equal(g.edata, edata, sizeof edata);
    g_byte_array_unref(e);
}

static void
test_huge_strings(void **state)
{
    (void)state;
    GByteArray *f[N_FIELDS];
    default_fields(f);
    gsize big = 70000;                              /* three length bytes */
    guint8 *text = g_malloc(big);
    for (gsize i = 0; i < big; i++)
        text[i] = (guint8)('a' + i % 26);
    f[11] = t_der_bytes(0x1b, text, big);
    const char *comps[200];
    for (guint i = 0; i < G_N_ELEMENTS(comps); i++)
        comps[i] = "abc";
    g_byte_array_unref(f[10]);
    f[10] = principal(1, comps, G_N_ELEMENTS(comps));
    g_byte_array_unref(f[9]);
    f[9] = t_der_bytes(0x1b, text, 1000);
    kd_gsskrb g;
    assert_int_equal(parse_array(krb_error_of(f), &g), KD_GSSKRB_KRB_ERROR);
    assert_true(g.etext.truncated);
    assert_int_equal(g.etext.len, KD_GSSKRB_STR_MAX);
    assert_memory_equal(g.etext.s, text, KD_GSSKRB_STR_MAX);
    assert_true(g.sname.truncated);
    assert_int_equal(g.sname.len, KD_GSSKRB_STR_MAX);
    assert_memory_equal(g.sname.s, "abc/abc/", 8);
    assert_true(g.realm.truncated);
    assert_int_equal(g.error_code, 41);
    /* the same inside GSS framing and SPNEGO */
    default_fields(f);
    f[11] = t_der_bytes(0x1b, text, big);
    GByteArray *tok = neg_resp(2, t_der_bytes(0x06, oid_krb5, sizeof oid_krb5),
                               gss_wrap(oid_krb5, sizeof oid_krb5, 0x0300, krb_error_of(f)));
    assert_int_equal(parse_array(tok, &g), KD_GSSKRB_KRB_ERROR);
    assert_true(g.etext.truncated && g.in_spnego && g.gss_framed);
    g_free(text);
}

static void
test_required_fields(void **state)
{
    (void)state;
    kd_gsskrb g;
    GByteArray *f[N_FIELDS];
    struct { guint field; gint64 value; } bad_ints[] = {
        { 0, 4 },                   /* pvno */
        { 1, 31 },                  /* msg-type KRB-CRED */
        { 6, (gint64)G_MAXINT32 + 1 },  /* error-code past Int32 */
    };
    for (guint i = 0; i < G_N_ELEMENTS(bad_ints); i++) {
        default_fields(f);
        g_byte_array_unref(f[bad_ints[i].field]);
        f[bad_ints[i].field] = t_der_int(bad_ints[i].value);
        assert_int_equal(parse_array(krb_error_of(f), &g), KD_GSSKRB_MALFORMED);
    }
    /* missing pvno, msg-type or error-code */
    const guint required[] = { 0, 1, 6 };
    for (guint i = 0; i < G_N_ELEMENTS(required); i++) {
        default_fields(f);
        g_byte_array_unref(f[required[i]]);
        f[required[i]] = NULL;
        assert_int_equal(parse_array(krb_error_of(f), &g), KD_GSSKRB_MALFORMED);
    }
    /* realm as an OCTET STRING, a time as a string, a principal as a string */
    default_fields(f);
    g_byte_array_unref(f[9]);
    f[9] = t_der_bytes(0x04, "EXAMPLE.TEST", 12);
    assert_int_equal(parse_array(krb_error_of(f), &g), KD_GSSKRB_MALFORMED);
    default_fields(f);
    g_byte_array_unref(f[4]);
    f[4] = gstring("20261123130902Z");
    assert_int_equal(parse_array(krb_error_of(f), &g), KD_GSSKRB_MALFORMED);
    default_fields(f);
    g_byte_array_unref(f[10]);
    f[10] = gstring("host/srv2");
    assert_int_equal(parse_array(krb_error_of(f), &g), KD_GSSKRB_MALFORMED);

    /* fields out of order, and a field twice */
    GByteArray *seq = t_der_cat(t_der_cat(t_der_tlv(0xa1, t_der_int(30)), t_der_tlv(0xa0, t_der_int(5))),
                                t_der_tlv(0xa6, t_der_int(41)));
    assert_int_equal(parse_array(t_der_tlv(0x7e, t_der_tlv(0x30, seq)), &g), KD_GSSKRB_MALFORMED);
    seq = t_der_cat(t_der_cat(t_der_tlv(0xa0, t_der_int(5)), t_der_tlv(0xa1, t_der_int(30))),
                    t_der_cat(t_der_tlv(0xa6, t_der_int(41)), t_der_tlv(0xa6, t_der_int(41))));
    assert_int_equal(parse_array(t_der_tlv(0x7e, t_der_tlv(0x30, seq)), &g), KD_GSSKRB_MALFORMED);
    /* the three alone are enough */
    seq = t_der_cat(t_der_cat(t_der_tlv(0xa0, t_der_int(5)), t_der_tlv(0xa1, t_der_int(30))),
                    t_der_tlv(0xa6, t_der_int(41)));
    assert_int_equal(parse_array(t_der_tlv(0x7e, t_der_tlv(0x30, seq)), &g), KD_GSSKRB_KRB_ERROR);
    assert_int_equal(g.error_code, 41);
    assert_false(g.has_stime || g.realm.present || g.sname.present);

    /* not a SEQUENCE inside [APPLICATION 30]; a primitive field */
    default_fields(f);
    GByteArray *e = krb_error_of(f);
    e->data[2] = 0x31;
    assert_int_equal(parse_array(e, &g), KD_GSSKRB_MALFORMED);
    e = krb_error_of((default_fields(f), f));
    e->data[4] = 0x80;      /* [0] primitive */
    assert_int_equal(parse_array(e, &g), KD_GSSKRB_MALFORMED);
}

static void
test_time_values(void **state)
{
    (void)state;
    const struct { const char *text; gboolean ok; gint64 t; } times[] = {
        { "20261123130902Z", TRUE, 1795439342 },
        { "19700101000000Z", TRUE, 0 },
        { "20000229235960Z", TRUE, 951868800 },     /* leap day, leap second */
        { "19691231235959Z", TRUE, -1 },
        { "20261323130902Z", FALSE, 0 },            /* month 13 */
        { "20261100130902Z", FALSE, 0 },            /* day 0 */
        { "20261123240000Z", FALSE, 0 },            /* hour 24 */
        { "20261123130902.5Z", FALSE, 0 },          /* fraction */
        { "20261123130902+0100", FALSE, 0 },
        { "2026112313090Z", FALSE, 0 },
        { "2026-1123130902Z", FALSE, 0 },
        { "", FALSE, 0 },
    };
    GByteArray *f[N_FIELDS];
    kd_gsskrb g;
    for (guint i = 0; i < G_N_ELEMENTS(times); i++) {
        default_fields(f);
        g_byte_array_unref(f[4]);
        f[4] = t_der_bytes(0x18, times[i].text, strlen(times[i].text));
        assert_int_equal(parse_array(krb_error_of(f), &g), KD_GSSKRB_KRB_ERROR);
        assert_int_equal(g.has_stime, times[i].ok);
        if (times[i].ok)
            assert_int_equal(g.stime, times[i].t);
    }
    const gint64 usecs[] = { -1, 1000000 };
    for (guint i = 0; i < G_N_ELEMENTS(usecs); i++) {
        default_fields(f);
        g_byte_array_unref(f[5]);
        f[5] = t_der_int(usecs[i]);
        assert_int_equal(parse_array(krb_error_of(f), &g), KD_GSSKRB_KRB_ERROR);
        assert_false(g.has_susec);
        assert_true(g.has_stime);
    }
}

/* ---- SPNEGO and user-to-user ---- */

static void
test_spnego_shapes(void **state)
{
    (void)state;
    kd_gsskrb g;
    /* accept-completed, MIC only: no mech token (the RPC alter_context_resp case) */
    assert_int_equal(parse_array(neg_resp(0, NULL, NULL), &g), KD_GSSKRB_NO_MECH_TOKEN);
    assert_int_equal(g.spnego_neg_state, 0);
    assert_true(g.in_spnego);
    /* accept-incomplete with supportedMech MS krb5, no token */
    static const guint8 oid_ms[] = { 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02 };
    assert_int_equal(parse_array(neg_resp(1, t_der_bytes(0x06, oid_ms, sizeof oid_ms), NULL), &g),
                     KD_GSSKRB_NO_MECH_TOKEN);
    assert_int_equal(g.mech, KD_GSSKRB_MECH_MS_KRB5);
    /* NTLMSSP answer */
    static const guint8 ntlm[] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 2, 0, 0, 0 };
    assert_int_equal(parse_array(neg_resp(1, t_der_bytes(0x06, oid_ntlmssp, sizeof oid_ntlmssp),
                                          bytes_of(ntlm, sizeof ntlm)), &g), KD_GSSKRB_OTHER_MECH);
    assert_int_equal(g.mech, KD_GSSKRB_MECH_NTLMSSP);
    /* a bare KRB-ERROR as responseToken */
    assert_int_equal(parse_array(neg_resp(2, NULL, bytes_of(mit_kdc_needed_preauth, sizeof mit_kdc_needed_preauth)), &g),
                     KD_GSSKRB_KRB_ERROR);
    assert_true(g.in_spnego);
    assert_false(g.gss_framed);
    assert_int_equal(g.error_code, 25);
    /* SPNEGO inside SPNEGO is not unwrapped again */
    GByteArray *inner = neg_resp(2, NULL, bytes_of(mit_kdc_needed_preauth, sizeof mit_kdc_needed_preauth));
    assert_int_equal(parse_array(neg_resp(2, NULL, inner), &g), KD_GSSKRB_OTHER_MECH);
    assert_int_equal(g.error_code, 0);
    GByteArray *framed = t_der_tlv(0x60, t_der_cat(t_der_bytes(0x06, oid_spnego, sizeof oid_spnego),
                                                   neg_resp(2, NULL, default_krb_error())));
    assert_int_equal(parse_array(neg_resp(2, NULL, framed), &g), KD_GSSKRB_MALFORMED);
    /* GSS-framed SPNEGO negTokenResp holding a GSS KRB-ERROR: one layer, decoded */
    framed = t_der_tlv(0x60, t_der_cat(t_der_bytes(0x06, oid_spnego, sizeof oid_spnego),
                                       neg_resp(2, NULL, gss_wrap(oid_krb5, sizeof oid_krb5, 0x0300,
                                                                  default_krb_error()))));
    assert_int_equal(parse_array(framed, &g), KD_GSSKRB_KRB_ERROR);
    assert_int_equal(g.error_code, 41);
    T_ASSERT_STR(g.sname, "host/srv2.example.test");
    /* negTokenResp fields out of order; negState not ENUMERATED; responseToken not OCTET STRING */
    GByteArray *seq = t_der_cat(t_der_tlv(0xa2, t_der_tlv(0x04, default_krb_error())),
                                t_der_tlv(0xa0, t_der_bytes(0x0a, "\x02", 1)));
    assert_int_equal(parse_array(t_der_tlv(0xa1, t_der_tlv(0x30, seq)), &g), KD_GSSKRB_MALFORMED);
    seq = t_der_tlv(0xa0, t_der_int(2));
    assert_int_equal(parse_array(t_der_tlv(0xa1, t_der_tlv(0x30, seq)), &g), KD_GSSKRB_MALFORMED);
    seq = t_der_tlv(0xa2, t_der_tlv(0x30, default_krb_error()));
    assert_int_equal(parse_array(t_der_tlv(0xa1, t_der_tlv(0x30, seq)), &g), KD_GSSKRB_MALFORMED);
    /* an unknown token inside SPNEGO is another mechanism's */
    assert_int_equal(parse_array(neg_resp(1, NULL, bytes_of((const guint8 *)"\x01\x02\x03", 3)), &g), KD_GSSKRB_OTHER_MECH);
}

static GByteArray *
tgt_message(gint64 msg_type)
{
    static const char *const server[] = { "srv1$" };
    GByteArray *seq = t_der_cat(t_der_cat(t_der_tlv(0xa0, t_der_int(5)), t_der_tlv(0xa1, t_der_int(msg_type))),
                                t_der_tlv(0xa2, principal(-128, server, 1)));
    return t_der_tlv(0x30, seq);
}

static void
test_user_to_user(void **state)
{
    (void)state;
    kd_gsskrb g;
    assert_int_equal(parse_array(gss_wrap(oid_krb5_u2u, sizeof oid_krb5_u2u, 0x0400, tgt_message(16)), &g),
                     KD_GSSKRB_TGT_REQ);
    assert_int_equal(g.mech, KD_GSSKRB_MECH_KRB5_U2U);
    assert_int_equal(parse_array(gss_wrap(oid_krb5_u2u, sizeof oid_krb5_u2u, 0x0401, tgt_message(17)), &g),
                     KD_GSSKRB_TGT_REP);
    assert_int_equal(parse_array(gss_wrap(oid_krb5_u2u, sizeof oid_krb5_u2u, 0x0400, tgt_message(17)), &g),
                     KD_GSSKRB_MALFORMED);
    assert_int_equal(parse_array(gss_wrap(oid_krb5_u2u, sizeof oid_krb5_u2u, 0x0300, default_krb_error()), &g),
                     KD_GSSKRB_KRB_ERROR);
    assert_int_equal(g.mech, KD_GSSKRB_MECH_KRB5_U2U);
    assert_int_equal(g.error_code, 41);
}

static void
test_trailing_bytes(void **state)
{
    (void)state;
    kd_gsskrb g;
    /* after the outermost token: ignored */
    GByteArray *a = bytes_of(mit_spnego_not_us, sizeof mit_spnego_not_us);
    g_byte_array_append(a, (const guint8 *)"\0\0\0\0", 4);
    assert_int_equal(parse_array(a, &g), KD_GSSKRB_KRB_ERROR);
    /* inside the framing, after the message: refused */
    GByteArray *e = t_der_cat(default_krb_error(), bytes_of((const guint8 *)"\0\0", 2));
    assert_int_equal(parse_array(gss_wrap(oid_krb5, sizeof oid_krb5, 0x0300, e), &g), KD_GSSKRB_MALFORMED);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_spnego_krb_error),
        cmocka_unit_test(test_real_gss_framed),
        cmocka_unit_test(test_real_kdc_errors),
        cmocka_unit_test(test_real_ap_req_ap_rep),
        cmocka_unit_test(test_tok_ids),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_lengths_past_the_end),
        cmocka_unit_test(test_nested_lengths_lying),
        cmocka_unit_test(test_high_tag_numbers),
        cmocka_unit_test(test_empty_and_junk),
        cmocka_unit_test(test_all_fields),
        cmocka_unit_test(test_huge_strings),
        cmocka_unit_test(test_required_fields),
        cmocka_unit_test(test_time_values),
        cmocka_unit_test(test_spnego_shapes),
        cmocka_unit_test(test_user_to_user),
        cmocka_unit_test(test_trailing_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
