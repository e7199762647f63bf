/* kd_rules.h
 * Helpers shared between rule files.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_RULES_H
#define KD_RULES_H

#include "kd_engine_int.h"

/* "aes256-cts..., rc4-hmac" using the configured names; newly allocated. */
char *kd_etype_list(const kd_engine *eng, const gint32 *etypes, guint n);
void kd_skew_finding(kd_engine *eng, const kd_obs *obs, const char *spn, const char *client,
                     const kd_req *req, const char *server_role);
/* The CNAME record whose target is host (alias in *alias_out), or NULL. */
const kd_dns_rec *kd_alias_for(kd_engine *eng, const char *host, char **alias_out);

/* Encryption-type and key disagreements (KDC_ERR_ETYPE_NOSUPP, BAD_INTEGRITY ...):
 * TRUE when a finding was made. */
gboolean kd_rules_etype_error(kd_engine *eng, const kd_obs *obs, kd_req *req,
                              const char *spn, const char *client);
/* Retransmitted KDC requests without an answer. */
void kd_rules_unanswered(kd_engine *eng, const kd_obs *obs, kd_req *req);
/* Duplicate-SPN knowledge. */
void kd_rules_note_duplicate(kd_engine *eng, const char *spn, guint32 frame);
void kd_rules_owner_evidence(kd_engine *eng, kd_finding *f, const char *spn);

/* DCOM: the ServerAlive2 record showing the service's address is shared, or NULL. */
const kd_binding_rec *kd_rules_shared_binding(kd_engine *eng, const kd_obs *err);
void kd_rules_shared_evidence(kd_engine *eng, kd_finding *f, const kd_obs *err, const kd_binding_rec *b);

/* Duplicate SPN evidence from LDAP: arriving before or after a failure. */
void kd_rules_await_owners(kd_engine *eng, const char *spn, guint32 frame);
guint kd_owner_count(kd_engine *eng, const char *spn);

void kd_rules_issue_evidence(kd_engine *eng, kd_finding *f, const char *spn, const kd_addr *client);
const char *kd_issued_client(kd_engine *eng, const char *spn, const kd_addr *client);
kd_finding *kd_rules_silent_refusal(kd_engine *eng, const kd_obs *obs, const kd_req *ap);

#endif /* KD_RULES_H */
