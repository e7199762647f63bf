/* kd_names.h
 * Wireshark's names for the numbers findings carry: Kerberos error codes,
 * encryption types, NTSTATUS values, read from the value_strings of the
 * Kerberos and SMB2 dissectors.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_NAMES_H
#define KD_NAMES_H

#include <wireshark.h>

/* Read the tables of kerberos.error_code, kerberos.etype and smb2.nt_status; call
 * from handoff, once every protocol has registered its fields. */
void kd_names_init(void);

/* "KRB_AP_ERR_MODIFIED" for 41; "Kerberos error 99" (allocated in scope) for a code
 * Wireshark does not name. */
const char *kd_error_name(wmem_allocator_t *scope, gint32 code);
/* kd_error_name() in file scope, for the engine (kd_config.error_name), which copies it. */
const char *kd_error_name_for_engine(gint32 code);
/* "aes256-cts-hmac-sha1-96" for 18; "unknown" for -1 (absent); NULL when Wireshark
 * has no name for it. Never allocates. */
const char *kd_etype_name(gint32 etype);
/* "STATUS_LOGON_FAILURE" from Wireshark's NTSTATUS table, else "status 0x..."
 * (allocated in scope). */
const char *kd_ntstatus_name(wmem_allocator_t *scope, guint32 status);

#endif /* KD_NAMES_H */
