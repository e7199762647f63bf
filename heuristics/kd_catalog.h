/* kd_catalog.h
 * The cause catalog: the one place a diagnosis is defined.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each row gives a stable id (the value users filter on: krbdiag.cause == "id"),
 * a title, the severity shown in expert info, an explanation, a remedy and a
 * reference. The plugin's expert-info array, the README's cause list and the
 * tests' expectations are all derived from kd_catalog[].
 */
#ifndef KD_CATALOG_H
#define KD_CATALOG_H

#include <glib.h>

typedef enum {
    KD_SEV_NOTE = 0,    /* benign or informational: expert "note" */
    KD_SEV_WARN         /* a failure with a named cause: expert "warning" */
} kd_severity;

/* Rule groups can be switched off one by one (preferences). */
typedef enum {
    KD_GROUP_KDC = 0,   /* errors answered by a KDC: accounts, SPNs, clocks */
    KD_GROUP_SERVICE,   /* a service refusing a ticket: KRB_AP_ERR_* */
    KD_GROUP_ETYPE,     /* encryption types and keys between KDCs */
    KD_GROUP_TRANSPORT, /* reachability, UDP size, NTLM fallback, RPC status */
    KD_GROUP_COUNT
} kd_rule_group;

#define KD_CAUSES(X) \
    X(PREAUTH_REQUIRED, preauth_required) \
    X(WRONG_PASSWORD, wrong_password) \
    X(UNKNOWN_CLIENT, unknown_client) \
    X(SPN_MISSING, spn_missing) \
    X(SPN_IP_ADDRESS, spn_ip_address) \
    X(ACCOUNT_LOCKED, account_locked) \
    X(ACCOUNT_DISABLED, account_disabled) \
    X(ACCOUNT_EXPIRED, account_expired) \
    X(ACCOUNT_REVOKED, account_revoked) \
    X(LOGON_RESTRICTED, logon_restricted) \
    X(PASSWORD_EXPIRED, password_expired) \
    X(CLOCK_SKEW, clock_skew) \
    X(TICKET_EXPIRED, ticket_expired) \
    X(RESPONSE_TOO_BIG, response_too_big) \
    X(REFERRAL, referral) \
    X(TICKET_DECRYPT_FAILED, ticket_decrypt_failed) \
    X(CNAME_SPN, cname_spn) \
    X(DUPLICATE_SPN, duplicate_spn) \
    X(SPN_ACCOUNT_MISMATCH, spn_account_mismatch) \
    X(STALE_SERVICE_KEY, stale_service_key) \
    X(SAME_NAME_OTHER_DOMAIN, same_name_other_domain) \
    X(NTLM_FALLBACK, ntlm_fallback) \
    X(SEC_PKG_ERROR, sec_pkg_error) \
    X(RPC_MESSAGE_CHECK_FAILED, rpc_message_check_failed) \
    X(SHARED_ADDRESS_LOOPBACK, shared_address_loopback) \
    X(DC_ETYPE_MISMATCH, dc_etype_mismatch) \
    X(TRUST_KEY_MISMATCH, trust_key_mismatch) \
    X(ETYPE_NO_COMMON, etype_no_common) \
    X(KDC_UNREACHABLE, kdc_unreachable) \
    X(KRB_ERROR, krb_error) \
    X(DELEGATION_NOT_CONFIGURED, delegation_not_configured) \
    X(DELEGATION_TARGET_NOT_ALLOWED, delegation_target_not_allowed) \
    X(DELEGATION_NOT_FORWARDABLE, delegation_not_forwardable) \
    X(PROTOCOL_TRANSITION_REFUSED, protocol_transition_refused) \
    X(KDC_PROBE, kdc_probe) \
    X(USER_ENUMERATION, user_enumeration) \
    X(USER_TO_USER, user_to_user) \
    X(NTLM_SERVER_ONLY, ntlm_server_only) \
    X(NTLM_IP_TARGET, ntlm_ip_target) \
    X(NTLM_NO_KDC_CONTACT, ntlm_no_kdc_contact) \
    X(NTLM_SPNEGO_NTLM_ONLY, ntlm_spnego_ntlm_only) \
    X(TOKEN_TOO_LARGE, token_too_large) \
    X(RDNS_SPN, rdns_spn) \
    X(LDAP_CHANNEL_BINDING_REQUIRED, ldap_channel_binding_required) \
    X(LDAP_BIND_FAILED, ldap_bind_failed) \
    X(LDAP_SIGNING_REQUIRED, ldap_signing_required)

typedef enum {
#define KD_CAUSE_ENUM(up, id) KD_CAUSE_##up,
    KD_CAUSES(KD_CAUSE_ENUM)
#undef KD_CAUSE_ENUM
    KD_CAUSE_COUNT
} kd_cause;

typedef struct {
    kd_cause cause;
    const char *id;             /* stable filter value */
    const char *title;          /* one line; expert summary is "<error>: <title>" */
    kd_severity severity;
    kd_rule_group group;
    const char *explanation;    /* what happened, for an administrator */
    const char *remedy;         /* what to do */
    const char *reference;      /* where the reasoning comes from */
} kd_cause_info;

extern const kd_cause_info kd_catalog[KD_CAUSE_COUNT];

const kd_cause_info *kd_cause_get(kd_cause cause);
/* -1 when the id is unknown. */
int kd_cause_from_id(const char *id);
const char *kd_group_name(kd_rule_group group);
/* A few words for where room is short (Info column, statistics); ids stay the filter values. */
const char *kd_cause_short_title(kd_cause cause);
/* A normal round trip of the protocol (pre-authentication asked, TCP retry, referral),
 * counted apart from failures and recoveries. */
gboolean kd_cause_is_round_trip(kd_cause cause);

/* Documented causes and remedy for one Kerberos error code: used by the generic
 * krb_error finding and as background text for specific ones. NULL when the code
 * is not a known Kerberos error. Names of codes come from Wireshark's own
 * value_string in the plugin, not from here. */
typedef struct {
    gint32 code;
    const char *causes;
    const char *remedy;
} kd_error_info;

const kd_error_info *kd_error_info_get(gint32 code);
/* The explanation and remedy a finding shows: its cause's, except for the generic
 * krb_error, which shows those of its error code where the code is known, and for a
 * cause whose row speaks of several errors (shared_address_loopback), whose
 * explanation names the one the finding holds. Every output (tree, fields, report)
 * takes them from here. */
const char *kd_finding_explanation(kd_cause cause, gint32 error_code);
const char *kd_finding_remedy(kd_cause cause, gint32 error_code);
/* Every known error code, in order (for documentation and tests). */
const kd_error_info *kd_error_info_all(guint *n);

/* What a KDC's e-text says. MIT KDCs put a status label of their own in the
 * KRB-ERROR e-text (src/kdc, the "status" string), Heimdal and Samba a sentence
 * (_kdc_set_e_text). Some labels name the failure (LOCKED_OUT); others only say
 * which processing step failed (LOOKING_UP_SERVER, PROCESS_TGS) and must not be
 * read as a cause: those rows have no cause (KD_ETEXT_NO_HINT). A row applies only
 * to the error codes it lists, because the same label comes with different codes
 * (MIT's PREAUTH_FAILED with 24 or 31 is a wrong password, with 37 a clock skew). */
#define KD_ETEXT_NO_HINT (-1)
#define KD_ETEXT_MAX_CODES 3
/* Longest e-text the lookup considers; longer ones are no known status. */
#define KD_ETEXT_MAX_LEN 64

typedef struct {
    const char *etext;          /* as the KDC sends it */
    const char *kdc;            /* which implementation sends it */
    gint32 codes[KD_ETEXT_MAX_CODES];   /* error codes it applies to ... */
    guint ncodes;               /* ... 0: any code */
    int cause;                  /* kd_cause, or KD_ETEXT_NO_HINT */
    const char *meaning;        /* what it says, for the summary after "the KDC says: ..." */
} kd_etext_info;

/* The row for this e-text (ASCII case ignored, runs of white space count as one
 * space, leading and trailing white space ignored), or NULL. Reads at most a few
 * hundred bytes of etext; any byte values are safe. */
const kd_etext_info *kd_catalog_etext_lookup(const char *etext);
/* Whether the row speaks for a KRB-ERROR with this error code. */
gboolean kd_etext_applies(const kd_etext_info *info, gint32 code);
/* The cause the e-text names for this error code, or KD_ETEXT_NO_HINT. */
int kd_catalog_etext_cause(const char *etext, gint32 code);
/* Every row (for documentation and tests). */
const kd_etext_info *kd_etext_all(guint *n);

#endif /* KD_CATALOG_H */
