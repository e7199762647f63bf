/* kd_catalog.c
 * The cause catalog and the per-error-code background table.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_catalog.h"

#include <string.h>

#include "kd_numbers.h"

#define ROW(up, id_, title_, sev_, group_, expl_, remedy_, ref_) \
    [KD_CAUSE_##up] = { KD_CAUSE_##up, #id_, title_, sev_, group_, expl_, remedy_, ref_ }

/* shared_address_loopback's explanation, naming what the client got back: the catalog
 * row names the possible errors; kd_finding_explanation() names the one a finding holds. */
#define SHARED_ADDRESS_TEXT(what) \
    "The DCOM server's ServerAlive2 answer lists a network address that the client owns " \
    "too (for example the link-local 169.254.95.120 of an IBM IMM USB RNDIS adapter present " \
    "on both machines). The client picked it, connected to itself, and presented the other " \
    "server's ticket to its own service, which cannot decrypt it (" what ")."

const kd_cause_info kd_catalog[KD_CAUSE_COUNT] = {
    ROW(PREAUTH_REQUIRED, preauth_required,
        "Pre-authentication requested (normal first round trip)",
        KD_SEV_NOTE, KD_GROUP_KDC,
        "The KDC asks the client to prove it knows the password before it issues a ticket. "
        "Clients send a first AS-REQ without pre-authentication, get this error with the salt "
        "and encryption types (ETYPE-INFO2), and retry with PA-ENC-TIMESTAMP.",
        "Nothing to fix when a pre-authenticated AS-REQ follows. If none follows, the client "
        "had no usable password or key for the principal (check its keytab or credential cache).",
        "RFC 4120 3.1.1, 5.2.7.2"),
    ROW(WRONG_PASSWORD, wrong_password,
        "Wrong password",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The password typed or cached on the client is not the account's current one: the KDC "
        "could not decrypt the pre-authentication data with the key it holds for the principal, "
        "or a domain controller's LDAP server refused a simple bind with AcceptSecurityContext "
        "data 52e (ERROR_LOGON_FAILURE, which an unknown user name gets too). Repeated failures "
        "for one principal from one host at a steady pace point to a stale credential stored in "
        "a service, scheduled task, mapped drive or keytab; failures for many principals from "
        "one host point to password guessing.",
        "Have the user enter the current password; update stored credentials (services, "
        "scheduled tasks, mapped drives, keytabs: re-export the keytab after a password change). "
        "Watch the account's lock-out threshold.",
        "Microsoft event 4771 (0x18); RFC 4120 7.5.9"),
    ROW(UNKNOWN_CLIENT, unknown_client,
        "Client account unknown",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The KDC (or the domain controller's LDAP server) has no account for the client name: a "
        "typo, a deleted or renamed account, a user principal name it does not know, or the wrong "
        "realm. On a TGS-REQ with PA-FOR-USER it is an S4U2Self request for an unknown user. (A "
        "refused LDAP bind says it with AcceptSecurityContext data 525.)",
        "Check the spelling and realm of the client name (klist, the logon name used); confirm the "
        "account exists in this realm/domain (Get-ADUser, kadmin getprinc).",
        "Microsoft event 4768 (0x6)"),
    ROW(SPN_MISSING, spn_missing,
        "Service principal name not registered",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The KDC has no account holding the service principal name the client asked for, so it "
        "cannot issue a service ticket. The client built the SPN from the name it was given "
        "(host name, DNS alias, port), and no account carries exactly that SPN.",
        "Register the SPN on the account that runs the service (setspn -S <spn> <account>, or "
        "kadmin addprinc / ktadd for MIT), or make the client use a name whose SPN exists. "
        "Windows clients then fall back to NTLM, which hides the problem.",
        "Microsoft event 4769 (0x7); RFC 4120 7.5.9 (KDC_ERR_S_PRINCIPAL_UNKNOWN)"),
    ROW(SPN_IP_ADDRESS, spn_ip_address,
        "Service addressed by IP address (no SPN for an IP)",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The client asked for a ticket for a service named by an IP address. SPNs are normally "
        "registered for host names, so the KDC finds no account and Kerberos fails "
        "(Windows clients usually do not even try and use NTLM).",
        "Connect by host name (FQDN) instead of IP address, or register the IP-based SPN on the "
        "service account (Windows 10 1507+/Server 2016+ clients can use it when "
        "TryIPSPN is enabled).",
        "Microsoft: Configuring Kerberos for IP addresses"),
    ROW(ACCOUNT_LOCKED, account_locked,
        "Account locked out",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The KDC refuses the client because its account is locked out after too many failed "
        "logons (NTSTATUS 0xC0000234, or a run of pre-authentication failures just before; a "
        "refused LDAP bind: AcceptSecurityContext data 775).",
        "Find the source of the failed logons (the wrong_password findings before this one name "
        "the host), fix the stale credential there, then unlock the account (Unlock-ADAccount, "
        "kadmin modprinc -unlock).",
        "MS-KILE 3.3.5.7.1; Microsoft event 4771"),
    ROW(ACCOUNT_DISABLED, account_disabled,
        "Account disabled",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The KDC refuses the client because the account is disabled (NTSTATUS 0xC0000072; a "
        "refused LDAP bind: AcceptSecurityContext data 533).",
        "Enable the account if it should be used (Enable-ADAccount, kadmin modprinc +allow_tix), "
        "or stop the client from using it.",
        "MS-KILE 3.3.5.7.1"),
    ROW(ACCOUNT_EXPIRED, account_expired,
        "Account expired",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The account's expiry date has passed (KDC_ERR_NAME_EXP, or NTSTATUS 0xC0000193; a "
        "refused LDAP bind: AcceptSecurityContext data 701).",
        "Extend or clear the account expiry date (Set-ADAccountExpiration, kadmin modprinc "
        "-expire never) if the account should still be used.",
        "RFC 4120 7.5.9; MS-KILE 3.3.5.7.1"),
    ROW(ACCOUNT_REVOKED, account_revoked,
        "Client credentials revoked (disabled, locked or expired)",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The KDC says the client's credentials are revoked but sends no status code that tells "
        "which: the account is disabled, locked out, expired or outside its logon hours.",
        "Check the account's state on the KDC (Get-ADUser -Properties Enabled,LockedOut,"
        "AccountExpirationDate; kadmin getprinc). If it is locked, find the source of the "
        "failed logons first.",
        "RFC 4120 7.5.9 (KDC_ERR_CLIENT_REVOKED)"),
    ROW(LOGON_RESTRICTED, logon_restricted,
        "Logon restriction (workstation, hours, policy)",
        KD_SEV_WARN, KD_GROUP_KDC,
        "A logon restriction forbids this logon: allowed workstations (0xC0000070), logon hours "
        "(0xC000006F), an authentication policy or silo (0xC0000413), or another KDC policy (a "
        "refused LDAP bind: AcceptSecurityContext data 530, 531 or 569).",
        "Review the account's logon workstations, logon hours and authentication policy "
        "silo membership, or use an allowed machine and time.",
        "MS-KILE 3.3.5.7.1; Microsoft event 4768 (0xC)"),
    ROW(PASSWORD_EXPIRED, password_expired,
        "Password expired or must be changed",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The account's password has expired or must be changed at next logon "
        "(KDC_ERR_KEY_EXPIRED, NTSTATUS 0xC0000071 or 0xC0000224; a refused LDAP bind: "
        "AcceptSecurityContext data 532 or 773).",
        "Change the password (kpasswd, Ctrl+Alt+Del, Set-ADAccountPassword); for service "
        "accounts, set a new password and update every place it is stored.",
        "RFC 4120 7.5.9; Microsoft event 4768 (0x17)"),
    ROW(CLOCK_SKEW, clock_skew,
        "Clock skew too great",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The clocks of the client and the KDC or service differ by more than the allowed skew "
        "(5 minutes by default). Comparing the error's server time with the client time and "
        "with the capture's own clock tells which side is off.",
        "Synchronise the clock that is off with the domain's time source (w32tm /resync, "
        "chrony/ntpd); check time zones and virtual machines restored from snapshots.",
        "RFC 4120 1.6; Microsoft: Maximum tolerance for computer clock synchronization"),
    ROW(TICKET_EXPIRED, ticket_expired,
        "Ticket expired",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "The client presented a ticket past its end time. Clients normally renew or request a "
        "new ticket; a persistent failure means the client does not (or its clock is wrong).",
        "Get a new ticket (klist purge / kinit); if it keeps happening, check the client's clock "
        "and its ticket renewal.",
        "RFC 4120 7.5.9 (KRB_AP_ERR_TKT_EXPIRED)"),
    ROW(RESPONSE_TOO_BIG, response_too_big,
        "Response too big for UDP (client retries over TCP)",
        KD_SEV_NOTE, KD_GROUP_TRANSPORT,
        "The KDC's answer did not fit in a UDP datagram, so it asks the client to retry over TCP. "
        "Normal with large tickets (big PACs, many groups).",
        "Nothing to fix when a TCP retry follows. If it does not, open TCP port 88 between the "
        "client and the KDC.",
        "RFC 4120 7.2.1"),
    ROW(REFERRAL, referral,
        "Referral to another realm",
        KD_SEV_NOTE, KD_GROUP_KDC,
        "The KDC says the principal belongs to another realm and refers the client there "
        "(client referral, RFC 6806). Normal in multi-domain forests.",
        "Nothing to fix if the client follows the referral. Persistent errors point to DNS or "
        "krb5.conf realm mapping ([domain_realm]) sending the client to the wrong realm.",
        "RFC 6806"),
    ROW(TICKET_DECRYPT_FAILED, ticket_decrypt_failed,
        "Service could not decrypt the ticket (cause not determined from this capture)",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "The service could not decrypt the ticket the KDC issued for it: the KDC encrypted it "
        "with the key of one account and the service decrypted with another key. The usual "
        "causes are a duplicate SPN, a DNS alias (CNAME) making the client ask for another "
        "host's SPN, the service running as another account than the SPN's (IIS kernel-mode "
        "authentication), a changed password or stale keytab, or identically named hosts in "
        "two domains. The capture does not hold the evidence that separates them.",
        "Capture from the client while reproducing, after klist purge and ipconfig /flushdns, "
        "so DNS answers and the ticket request are visible; run setspn -Q <spn> and setspn -X "
        "to find the account(s) holding the SPN; compare with the account the service runs as.",
        "Microsoft article \"IIS 7+ Kerberos authentication failure: KRB_AP_ERR_MODIFIED\""),
    ROW(CNAME_SPN, cname_spn,
        "DNS alias: ticket requested for the canonical host name",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "The user addressed the service by a DNS alias; DNS answered with a CNAME and the client "
        "requested a ticket for the canonical name's SPN. The KDC encrypted the ticket with the "
        "key of the account holding that SPN, not the one the service under the alias uses.",
        "Either register the alias SPN on the service's account and make the client ask for it "
        "(disable canonicalisation: Internet Explorer/Edge FEATURE_USE_CNAME_FOR_SPN_KB911149, "
        "krb5.conf dns_canonicalize_hostname = false, HttpWebRequest CustomTargetNameDictionary), "
        "or replace the CNAME with an A record for the alias.",
        "Microsoft article \"IIS 7+ Kerberos authentication failure: KRB_AP_ERR_MODIFIED\", "
        "scenario 2; "
        "Microsoft KB 911149"),
    ROW(DUPLICATE_SPN, duplicate_spn,
        "Duplicate SPN: the same SPN is registered on more than one account",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "Two accounts carry the same service principal name. The KDC refuses to choose "
        "(KDC_ERR_PRINCIPAL_NOT_UNIQUE) or encrypts the ticket with one account's key while the "
        "service runs as the other, which cannot decrypt it.",
        "Find the owners with setspn -Q <spn> (and setspn -X for all duplicates in the forest); "
        "remove the SPN from the account the service does not run as (setspn -D). Check HOST/ "
        "SPNs too.",
        "Microsoft article \"IIS 7+ Kerberos authentication failure: KRB_AP_ERR_MODIFIED\", "
        "scenario 1; "
        "Microsoft KDC event 11"),
    ROW(SPN_ACCOUNT_MISMATCH, spn_account_mismatch,
        "Service runs as another account than the SPN's owner",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "The KDC encrypted the ticket with the key of the account that holds the SPN, but the "
        "service decrypts with a different account: typical for IIS kernel-mode authentication, "
        "which uses the machine account unless useAppPoolCredentials is set, while the HTTP/ "
        "SPN sits on the application pool's service account (or the other way round). With the "
        "service's keytab loaded into Wireshark this is confirmed: it holds keys of other "
        "principals only, none of the SPN.",
        "Make the SPN's owner and the decrypting account the same: for IIS with the HTTP/ SPN on "
        "a domain service account, set useAppPoolCredentials=\"true\" (kernel mode on) or "
        "disable kernel-mode authentication; with the SPN on the machine account, run the pool "
        "as the machine identity or move the SPN (setspn -D / -S).",
        "Microsoft article \"IIS 7+ Kerberos authentication failure: KRB_AP_ERR_MODIFIED\", "
        "scenario 3"),
    ROW(STALE_SERVICE_KEY, stale_service_key,
        "Stale service key (password or keytab changed)",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "The ticket was encrypted with a key the service does not hold: the service account's "
        "password or keytab changed on the KDC and the service still uses the old key (or the "
        "reverse, before replication). Usually the key version (kvno) differs "
        "(KRB_AP_ERR_BADKEYVER; Windows says KRB_AP_ERR_MODIFIED); a keytab made from another "
        "password can hold the ticket's version with another key (KRB_AP_ERR_BAD_INTEGRITY or "
        "KRB_AP_ERR_MODIFIED). With the service's keytab loaded into Wireshark this is "
        "confirmed: it holds the SPN's key at other versions only, or at the ticket's version a "
        "key made from another password that does not decrypt the ticket.",
        "Re-export the keytab (ktadd / ktpass) and install it on the service, or restart the "
        "service after its password change; reset the password once and let it replicate to "
        "every domain controller.",
        "RFC 4120 5.2.9 (kvno), 7.5.9 (KRB_AP_ERR_BADKEYVER, KRB_AP_ERR_BAD_INTEGRITY, "
        "KRB_AP_ERR_MODIFIED); "
        "Microsoft article \"IIS 7+ Kerberos authentication failure: KRB_AP_ERR_MODIFIED\""),
    ROW(SAME_NAME_OTHER_DOMAIN, same_name_other_domain,
        "Identically named hosts in two domains",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "The target was named without its domain, and the ticket came from a different realm "
        "than the client's: an identically named account in the other domain holds the SPN, so "
        "the ticket is encrypted for the wrong machine.",
        "Use the fully qualified host name of the target; rename one of the machines, or fix "
        "the DNS suffix search order.",
        "Microsoft Kerberos client event 4 (KRB_AP_ERR_MODIFIED); "
        "article \"0x80070721 A security package specific error occurred while using WMI between "
        "domains\""),
    ROW(NTLM_FALLBACK, ntlm_fallback,
        "Fell back to NTLM",
        KD_SEV_WARN, KD_GROUP_TRANSPORT,
        "Negotiate authentication ended in NTLM instead of Kerberos. NTLM works but hides the "
        "Kerberos problem, does not delegate, and may be blocked by policy.",
        "Fix the Kerberos failure named in the evidence (SPN, name used, KDC reachability); "
        "address servers by host name, not IP address.",
        "RFC 4178 (SPNEGO); MS-SPNG"),
    ROW(SEC_PKG_ERROR, sec_pkg_error,
        "RPC security package error (0x80070721)",
        KD_SEV_WARN, KD_GROUP_TRANSPORT,
        "A DCE/RPC or DCOM call failed with RPC_S_SEC_PKG_ERROR (0x721, HRESULT 0x80070721, "
        "\"A security package specific error occurred\"): authentication failed beneath the "
        "call, usually a Kerberos failure between the same hosts just before.",
        "Fix the Kerberos failure this finding links to. Rule out first the host-side known "
        "issues that leave no Kerberos trace: a COM+ application whose identity user logged "
        "off (Windows Server 2008), and DCOM calls from Windows XP clients to Windows Server "
        "2008 servers.",
        "Microsoft article \"Troubleshoot: Client Calls to DCOM Server Failed With: A security "
        "package specific error occurred (0x80070721)\"; "
        "MS-ERREF 2.2 (RPC_S_SEC_PKG_ERROR 0x721)"),
    ROW(RPC_MESSAGE_CHECK_FAILED, rpc_message_check_failed,
        "A signed or sealed RPC call failed its check after Kerberos authentication succeeded",
        KD_SEV_WARN, KD_GROUP_TRANSPORT,
        "The service accepted the Kerberos ticket (AP-REP in the bind_ack or "
        "alter_context_resp), then refused a request protected with the session key (auth "
        "level packet integrity or privacy) with RPC_S_SEC_PKG_ERROR (0x721, 0x80070721): one "
        "message failed its signature, sequence or sealing check. The ticket is not the "
        "problem: the message was altered on its way, the two ends disagree on the message "
        "sequence, or one end lost the security context.",
        "Leave SPNs and keys alone. Look for what rewrites RPC traffic between the hosts (WAN "
        "optimizers, intrusion prevention, TCP offload or filter drivers); capture on both ends "
        "at once and compare the failing request's bytes; read the server's System log for the "
        "call. When the capture itself lost segments of the connection, capture again before "
        "drawing conclusions.",
        "MS-RPCE 2.2.1.1.8 (authentication levels); RFC 4121 4.2 (per-message tokens); "
        "MS-ERREF 2.2 (RPC_S_SEC_PKG_ERROR 0x721)"),
    ROW(SHARED_ADDRESS_LOOPBACK, shared_address_loopback,
        "DCOM address list contains an address the client shares: it connected to itself",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        SHARED_ADDRESS_TEXT("a Kerberos error such as KRB_AP_ERR_MODIFIED or KRB_AP_ERR_NOT_US, then "
                            "0x80070721"),
        "Disable the shared interface (IBM USB Remote NDIS Network Device) on one or both "
        "servers, or re-address it; firmware updates re-enable it, so monitor it.",
        "article \"0x80070721 A security package specific error occurred while using WMI between "
        "domains\""),
    ROW(DC_ETYPE_MISMATCH, dc_etype_mismatch,
        "Domain controllers disagree on encryption types or keys",
        KD_SEV_WARN, KD_GROUP_ETYPE,
        "A ticket-granting ticket issued by one KDC is refused by another KDC of the same realm: "
        "they do not hold the same krbtgt keys or supported encryption types, typically after a "
        "domain functional level raise when a DC rebuilt its keys before it learned that AES is "
        "supported.",
        "Restart the domain controllers one by one so each rebuilds its keys; check AD "
        "replication (repadmin /showrepl) and the krbtgt account; for MIT, make sure every KDC "
        "has the same database and stash.",
        "Microsoft article \"Troubleshoot: Client Calls to DCOM Server Failed With: A security "
        "package specific error occurred (0x80070721)\""),
    ROW(TRUST_KEY_MISMATCH, trust_key_mismatch,
        "Realm trust keys differ between the two realms",
        KD_SEV_WARN, KD_GROUP_ETYPE,
        "The referral ticket (krbtgt/OTHER@THIS) issued by this realm's KDC is refused by the "
        "other realm's KDC: the two sides of the trust hold different trust passwords or keys.",
        "Reset the trust password on both sides (netdom trust /resetOneSide, or set the same "
        "password and enctypes on krbtgt/OTHER@THIS in both MIT realms).",
        "RFC 4120 1.2 (cross-realm)"),
    ROW(ETYPE_NO_COMMON, etype_no_common,
        "No common encryption type",
        KD_SEV_WARN, KD_GROUP_ETYPE,
        "The encryption types the client offers and the keys the account has do not intersect: "
        "a DES-only or RC4-only client or account, RC4 disabled while the account only has an "
        "RC4 key, or an account whose password predates AES support.",
        "Align the encryption types: allow a type both support (msDS-SupportedEncryptionTypes, "
        "krb5.conf permitted_enctypes), or reset the account's password so the KDC generates "
        "AES keys.",
        "Microsoft event 4768 (0xE); Microsoft KDC events 16 and 27; RFC 4120 7.5.9"),
    ROW(KDC_UNREACHABLE, kdc_unreachable,
        "KDC did not answer",
        KD_SEV_WARN, KD_GROUP_TRANSPORT,
        "The client's Kerberos requests to this KDC got no answer (retransmissions, ICMP "
        "unreachable, or TCP reset on port 88).",
        "Check that the KDC is running and reachable on UDP and TCP port 88 from the client "
        "(firewalls), and that DNS SRV records or krb5.conf name the right KDCs.",
        "RFC 4120 7.2"),
    ROW(KRB_ERROR, krb_error,
        "Kerberos error",
        KD_SEV_WARN, KD_GROUP_KDC,
        "A Kerberos error with no more specific diagnosis from the capture. The documented "
        "causes of this error code follow.",
        "See the remedy for this error code.",
        "RFC 4120 7.5.9; Microsoft events 4768, 4769 and 4771 (failure codes)"),
    ROW(DELEGATION_NOT_CONFIGURED, delegation_not_configured,
        "Constrained delegation not configured (S4U2Proxy refused)",
        KD_SEV_WARN, KD_GROUP_KDC,
        "A front-end service asked the KDC for a ticket to a back-end service on behalf of a user "
        "(S4U2Proxy: KDC option cname-in-addl-tkt, the user's ticket as additional ticket), and the "
        "KDC refused with KDC_ERR_BADOPTION because the front-end account may not delegate at all: "
        "it has no delegation list (NTSTATUS STATUS_NOT_SUPPORTED, 0xC00000BB) and the back-end "
        "service does not allow it by resource-based delegation. An MIT KDC with the db2 database "
        "keeps no delegation list and refuses every S4U2Proxy request "
        "(UNSUPPORTED_S4U2PROXY_REQUEST).",
        "Allow the front-end account to delegate to the back-end SPN: on its account, Delegation tab, "
        "\"Trust this user for delegation to specified services only\" with the SPN "
        "(msDS-AllowedToDelegateTo), or resource-based constrained delegation on the back-end account "
        "(Set-ADComputer/Set-ADUser <backend> -PrincipalsAllowedToDelegateToAccount <frontend>, "
        "msDS-AllowedToActOnBehalfOfOtherIdentity). MIT: the LDAP KDB backend with "
        "krbAllowedToDelegateTo on the front-end principal; the db2 backend cannot.",
        "MS-SFU 3.2.5.2; MS-KILE 3.3.5.7.4; MIT kdc_util.c (kdc_process_s4u2proxy_req)"),
    ROW(DELEGATION_TARGET_NOT_ALLOWED, delegation_target_not_allowed,
        "Delegation to this service not allowed (S4U2Proxy refused)",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The front-end service asked for a ticket to a back-end service on behalf of a user "
        "(S4U2Proxy) and the KDC refused with KDC_ERR_BADOPTION: the requested SPN is not in the "
        "front-end account's delegation list (msDS-AllowedToDelegateTo) and the back-end account "
        "does not allow the front-end by resource-based delegation. Windows KDCs say "
        "STATUS_NO_MATCH (0xC0000272), which they also use when the user's ticket is not forwardable.",
        "Add exactly the requested SPN (service class and host name form the client uses) to the "
        "front-end account's msDS-AllowedToDelegateTo, or list the front-end account in the back-end "
        "account's msDS-AllowedToActOnBehalfOfOtherIdentity (-PrincipalsAllowedToDelegateToAccount). "
        "If the list is right, check that the user's ticket is forwardable (see "
        "delegation_not_forwardable).",
        "MS-SFU 3.2.5.2.2; MS-KILE 3.3.5.7.4"),
    ROW(DELEGATION_NOT_FORWARDABLE, delegation_not_forwardable,
        "User's ticket not forwardable (S4U2Proxy refused)",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The front-end service presented the user's ticket to the KDC to delegate it (S4U2Proxy), "
        "but that evidence ticket is not forwardable, and classic constrained delegation requires "
        "a forwardable one. Either the user is marked \"Account is sensitive and cannot be "
        "delegated\" (or is in Protected Users), or the ticket came from S4U2Self on an account "
        "not trusted for protocol transition (TrustedToAuthForDelegation off: \"Use Kerberos only\"), "
        "which issues non-forwardable tickets.",
        "If the user is sensitive or in Protected Users, delegation of that user is refused by "
        "design: use another account. For a front-end that logs users on without Kerberos "
        "(forms, certificates), enable protocol transition: Delegation tab \"Use any authentication "
        "protocol\" (TrustedToAuthForDelegation; MIT: modprinc +ok_to_auth_as_delegate), or use "
        "resource-based constrained delegation, which accepts non-forwardable evidence.",
        "MS-SFU 3.2.5.1.2, 3.2.5.2.2; MIT kdc_util.c (EVIDENCE_TKT_NOT_FORWARDABLE)"),
    ROW(PROTOCOL_TRANSITION_REFUSED, protocol_transition_refused,
        "Protocol transition refused (S4U2Self)",
        KD_SEV_WARN, KD_GROUP_KDC,
        "A service asked the KDC for a ticket to itself on behalf of a user (S4U2Self: PA-FOR-USER "
        "or PA-S4U-X509-USER in a TGS-REQ) and the KDC refused. The service account must be a "
        "service principal the KDC issues tickets to (it has an SPN), the user must exist in the "
        "realm named, and some KDCs refuse protocol transition to accounts not trusted for it.",
        "Check that the service's account has an SPN and that the user name and realm in the "
        "request exist; allow protocol transition where the service needs forwardable tickets "
        "(TrustedToAuthForDelegation, \"Use any authentication protocol\"; MIT: "
        "+ok_to_auth_as_delegate).",
        "MS-SFU 3.1.5.1, 3.2.5.1"),
    ROW(KDC_PROBE, kdc_probe,
        "Probe: a request without a client or service name",
        KD_SEV_NOTE, KD_GROUP_KDC,
        "An AS-REQ named no client principal or no service principal. Kerberos clients always name "
        "both; scanners and service detection tools (nmap, Zeek and Suricata test traffic, "
        "vulnerability scanners) send such requests to see whether a KDC answers. The error that "
        "answers it says nothing about any account.",
        "Nothing to fix on the KDC. If the source is not a known scanner, find out who runs it.",
        "RFC 4120 5.4.1 (cname and sname are OPTIONAL only in the ASN.1)"),
    ROW(USER_ENUMERATION, user_enumeration,
        "User name enumeration: single AS-REQs for many names",
        KD_SEV_NOTE, KD_GROUP_KDC,
        "One host sent one AS-REQ each for many different client names and never followed any with "
        "a pre-authenticated AS-REQ: the KDC's answers (KDC_ERR_C_PRINCIPAL_UNKNOWN for names that do "
        "not exist, KDC_ERR_PREAUTH_REQUIRED for names that do) tell which accounts exist. This is "
        "what user enumeration tools (kerbrute, nmap krb5-enum-users) and AS-REP roasting scans do; "
        "no user failed to log on.",
        "Find the host and who runs the tool there. Accounts that answered without asking for "
        "pre-authentication (an AS-REP) can be attacked offline: require pre-authentication on "
        "them. Windows logs these as events 4768 with result 0x6 / 0x19.",
        "Microsoft event 4768; RFC 4120 3.1.3"),
    ROW(USER_TO_USER, user_to_user,
        "Service runs as a user account: user-to-user needed",
        KD_SEV_WARN, KD_GROUP_KDC,
        "The client asked for a ticket to a principal that is a user account, not a service with an "
        "SPN and a keytab (a DCOM server running as a user, a peer-to-peer application). The KDC "
        "answers such a request with KDC_ERR_S_PRINCIPAL_UNKNOWN (Windows, a plain user name) or "
        "KDC_ERR_MUST_USE_USER2USER (an MIT principal marked -allow_svr). The remedy is the "
        "user-to-user path: the client gets the server's TGT (KERB-TGT-REQUEST / KERB-TGT-REPLY inside "
        "SPNEGO) and asks the KDC for a ticket encrypted in that TGT's session key (enc-tkt-in-skey). "
        "When that follows and succeeds, nothing failed. It fails when the server's logon session "
        "holds no TGT (it was activated with NTLM, or runs under a logon without Kerberos "
        "credentials: KRB_AP_ERR_NO_TGT, or no KERB-TGT-REPLY), or when the KDC refuses the "
        "user-to-user request.",
        "Registering an SPN is not the fix: the target is a user. If user-to-user failed, make the "
        "server's session hold a TGT: let it log on with Kerberos (not NTLM; a reachable KDC, "
        "klist shows a krbtgt ticket), or run the server as an account that has an SPN and a key. "
        "Clients that cannot do user-to-user need the server to run under a service account.",
        "MS-KILE 3.1.5.6 (user-to-user), 3.3.5.7.6; RFC 4120 2.9.2 (ENC-TKT-IN-SKEY); "
        "draft-ietf-cat-user2user; MIT kadmin -allow_svr (KDC_ERR_MUST_USE_USER2USER)"),
    ROW(NTLM_SERVER_ONLY, ntlm_server_only,
        "NTLM logon: the server offered NTLM only",
        KD_SEV_NOTE, KD_GROUP_TRANSPORT,
        "The client logged on with NTLM because the server never offered Kerberos: its 401 "
        "answer named WWW-Authenticate: NTLM without Negotiate or Kerberos, or the DCE/RPC bind "
        "asked for NTLMSSP itself rather than SPNEGO or Kerberos. The service is configured for "
        "NTLM; the client did what it was asked and no Kerberos failure is involved.",
        "If the service should use Kerberos, configure it so: in IIS put Negotiate before NTLM "
        "in the site's Windows Authentication providers (or remove NTLM), register the site's "
        "SPN on the account its pool runs as; for an RPC or DCOM application, use "
        "RPC_C_AUTHN_GSS_NEGOTIATE or RPC_C_AUTHN_GSS_KERBEROS instead of RPC_C_AUTHN_WINNT.",
        "RFC 4559 (HTTP Negotiate); MS-NLMP; MS-RPCE 2.2.1.1.7 (security providers)"),
    ROW(NTLM_IP_TARGET, ntlm_ip_target,
        "NTLM logon: the target was addressed by IP address",
        KD_SEV_WARN, KD_GROUP_TRANSPORT,
        "The client logged on with NTLM to a server it addressed by IP address (the HTTP Host "
        "header, or the target name its NTLMv2 response carries, e.g. cifs/10.0.0.5, is an "
        "address). A Kerberos ticket is asked for a service principal name made of the name the "
        "user typed; no SPN exists for an address unless one was registered, so Windows and "
        "Samba's smbclient do not try Kerberos at all (MIT clients may look the address up in "
        "reverse DNS and ask for that name instead) and Negotiate ends in NTLM.",
        "Address the server by its host name (the one its SPN is registered for). Where an "
        "address must be used, register an SPN for it (setspn -S HTTP/10.0.0.5 account) and "
        "allow Windows clients to use it (TryIPSPN, Windows 10 1507 / Server 2016 and later).",
        "Microsoft article \"Configuring Kerberos for IP Address\" (TryIPSPN); MS-KILE 3.3.5.1"),
    ROW(NTLM_NO_KDC_CONTACT, ntlm_no_kdc_contact,
        "NTLM logon: the client never contacted a KDC",
        KD_SEV_WARN, KD_GROUP_TRANSPORT,
        "The client logged on with NTLM and the capture shows no AS or TGS exchange of that "
        "client before the logon: it had no Kerberos credentials to offer. Either it logged on "
        "with a local account (not a domain account), it cannot reach a domain controller (DNS "
        "SRV records, firewall, VPN not up), or it asked earlier, before the capture started, "
        "and keeps that answer. The finding says which of these the capture rules out.",
        "Check how the client logged on (whoami, klist: a domain account has a krbtgt ticket); "
        "check that it finds and reaches a domain controller (nltest /dsgetdc:DOMAIN, "
        "_kerberos._tcp SRV records, TCP and UDP 88 open); to see the whole exchange, purge the "
        "tickets first (klist purge) and start the capture before the logon.",
        "MS-KILE 3.1.5; RFC 4120 3.1 (AS exchange); MS-NLMP"),
    ROW(NTLM_SPNEGO_NTLM_ONLY, ntlm_spnego_ntlm_only,
        "NTLM logon: the client offered NTLM only in Negotiate",
        KD_SEV_WARN, KD_GROUP_TRANSPORT,
        "The server offered Negotiate, and the client's first SPNEGO token listed NTLMSSP as its "
        "only mechanism (or the client answered with NTLM directly): the client did not try "
        "Kerberos for this service although it holds Kerberos credentials. Its SSPI or GSSAPI "
        "found no ticket it could get for the target, or it is configured to use NTLM for it "
        "(an application asking for NTLM, a GSSAPI mechanism configuration without krb5).",
        "Find why the client left Kerberos out: its ticket cache (klist) for the service's SPN, "
        "the application's authentication settings (the package it asks for), and, for MIT "
        "GSSAPI, the mechanisms it may use (/etc/gss/mech.d, GSS_USE_PROXY); then log on again "
        "with the capture running.",
        "RFC 4178 3.2 (mechTypes, optimistic token); MS-SPNG 3.1.5"),
    ROW(TOKEN_TOO_LARGE, token_too_large,
        "Kerberos token too large for the web server",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "The web server refused a request carrying an Authorization: Negotiate (Kerberos) header "
        "because the header is longer than it accepts: IIS and http.sys answer HTTP 400 "
        "(\"Request Header Too Long\", \"Header Field Too Long\"), Apache 400 (\"Size of a "
        "request header field exceeds server limit\"), some servers 401 again and again. The "
        "ticket carries the user's group memberships in its PAC: users in many groups "
        "(including nested and SID history) cannot log on while others can.",
        "Raise the server's limits: http.sys MaxFieldLength and MaxRequestBytes "
        "(HKLM\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters, up to 65534 and "
        "16777216, then restart), Apache LimitRequestFieldSize and LimitRequestLine; reduce the "
        "user's group memberships (and SID history), or keep resource groups out of the PAC "
        "(resource SID compression).",
        "Microsoft article \"HTTP 400 Bad Request (Request Header too long) responses to HTTP "
        "requests\" (MaxFieldLength, MaxRequestBytes); MS-PAC 2.4; Apache core "
        "LimitRequestFieldSize"),
    ROW(RDNS_SPN, rdns_spn,
        "Reverse DNS: ticket requested for the host name the PTR record gives",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "The client canonicalised the host name it was given through reverse DNS: it looked up "
        "the address, asked for its PTR record, and built the SPN from the name the PTR answer "
        "gave (MIT krb5 does this by default: krb5.conf rdns = true). The PTR record names "
        "another host than the one the user addressed, so the KDC encrypted the ticket with the "
        "key of the account holding that host's SPN, not the one the service uses, or, when no "
        "account holds that SPN, answered KDC_ERR_S_PRINCIPAL_UNKNOWN.",
        "Make the client build the SPN from the name it was given: krb5.conf rdns = false (with "
        "dns_canonicalize_hostname = false, or = fallback, so no forward canonicalisation "
        "replaces it), or fix the PTR record so the address maps back to the service's own name; "
        "or register that name's SPN on the service's account.",
        "MIT krb5 krb5.conf(5): rdns, dns_canonicalize_hostname; RFC 4120 1.3 (host name "
        "canonicalisation)"),
    ROW(LDAP_CHANNEL_BINDING_REQUIRED, ldap_channel_binding_required,
        "LDAP server requires channel binding (LDAP bind refused)",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "The domain controller refused an LDAP bind over TLS (LDAPS or StartTLS) with "
        "AcceptSecurityContext data 80090346 (SEC_E_BAD_BINDINGS): it enforces LDAP channel "
        "binding, and the client's Kerberos or NTLM authentication carried no channel binding "
        "token (CBT) for the TLS channel, or a wrong one (a TLS-terminating proxy, a client "
        "library that does not compute it). The credentials themselves are fine.",
        "Update the client or its LDAP library to send channel binding tokens (Windows updates "
        "of March 2020 on; OpenLDAP/Cyrus SASL with GSS-SPNEGO channel bindings), bind to the "
        "domain controller directly rather than through a TLS-terminating device, or relax the "
        "domain controller's \"Domain controller: LDAP server channel binding token "
        "requirements\" policy (LdapEnforceChannelBinding 1: when supported) while clients are "
        "fixed; keep LDAP signing required (\"LDAP server signing requirements\") for plain "
        "LDAP.",
        "Microsoft ADV190023 (LDAP channel binding and LDAP signing); KB 4520412; RFC 5929; "
        "MS-ERREF 2.1 (SEC_E_BAD_BINDINGS 0x80090346)"),
    ROW(LDAP_BIND_FAILED, ldap_bind_failed,
        "LDAP bind refused",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "The LDAP server refused a bind (resultCode invalidCredentials 49 or another failure) "
        "and its diagnostic message names no account state krbdiag knows, or none at all. "
        "Active Directory writes the reason after \"AcceptSecurityContext error, data\" in the "
        "diagnostic message. A Kerberos failure on the same connection just before, when there "
        "is one, is the cause and is named with it.",
        "Read the data code in the diagnostic message (the details give its meaning); for a SASL "
        "(GSS-SPNEGO, GSSAPI) bind check the Kerberos exchange before it (the service ticket for "
        "ldap/<dc>).",
        "RFC 4511 4.2, 4.1.9; RFC 4513; MS-ERREF 2.2 (Win32 errors after \"data\")"),
    ROW(LDAP_SIGNING_REQUIRED, ldap_signing_required,
        "LDAP server requires signing or TLS (LDAP bind refused)",
        KD_SEV_WARN, KD_GROUP_SERVICE,
        "The LDAP server refused a bind over a connection without TLS with resultCode 8 "
        "(strongerAuthRequired): it accepts on plain LDAP only SASL binds that sign (integrity) "
        "or seal the traffic, and a simple bind or a SASL bind without a security layer was "
        "offered. Active Directory answers so when \"Domain controller: LDAP server signing "
        "requirements\" is \"Require signing\" (LDAPServerIntegrity 2; diagnostic message "
        "\"00002028: LdapErr: DSID-0C090259, comment: The server requires binds to turn on "
        "integrity checking if SSL\\TLS are not already active on the connection\"); Samba AD "
        "with its default \"ldap server require strong auth = yes\" (\"BindSimple: Transport "
        "encryption required.\"). The refusal says nothing against the credentials.",
        "Bind over TLS (LDAPS on port 636, or StartTLS: ldapsearch -ZZ), or with SASL and "
        "signing (GSS-SPNEGO or GSSAPI with a security layer: not maxssf=0; Windows: "
        "ADS_USE_SIGNING, ldap_set_option LDAP_OPT_SIGN). On the server, only while clients are "
        "fixed: the \"Domain controller: LDAP server signing requirements\" policy "
        "(LDAPServerIntegrity) or Samba's \"ldap server require strong auth\" "
        "(allow_sasl_over_tls, no).",
        "RFC 4511 4.1.9 (strongerAuthRequired), RFC 4513 5.2, 6; Microsoft ADV190023 and "
        "\"How to enable LDAP signing in Windows Server\"; MS-ERREF 2.2 "
        "(ERROR_DS_STRONG_AUTH_REQUIRED 0x2028); smb.conf(5) ldap server require strong auth"),
};

#undef ROW

const kd_cause_info *
kd_cause_get(kd_cause cause)
{
    if ((int)cause < 0 || cause >= KD_CAUSE_COUNT)
        return NULL;
    return &kd_catalog[cause];
}

int
kd_cause_from_id(const char *id)
{
    if (!id)
        return -1;
    for (int i = 0; i < KD_CAUSE_COUNT; i++) {
        if (strcmp(kd_catalog[i].id, id) == 0)
            return i;
    }
    return -1;
}

const char *
kd_group_name(kd_rule_group group)
{
    static const char *const names[KD_GROUP_COUNT] = {
        "kdc", "service", "etype", "transport"
    };
    return ((int)group >= 0 && group < KD_GROUP_COUNT) ? names[group] : "?";
}

/* Documented causes per error code (RFC 4120 7.5.9, RFC 6113, RFC 4556, MS-KILE,
 * Microsoft event 4768/4769/4771 tables). Sorted by code. */
static const kd_error_info error_info[] = {
    { KDC_ERR_NAME_EXP, "The client's account has expired.", "Extend the account expiry date." },
    { KDC_ERR_SERVICE_EXP, "The service's account has expired.", "Extend the service account's expiry date." },
    { KDC_ERR_BAD_PVNO, "The request uses a Kerberos protocol version the KDC does not support.", "Use Kerberos 5 clients." },
    { KDC_ERR_C_OLD_MAST_KVNO, "The client's key is encrypted in an old master key.", "Re-key the client principal." },
    { KDC_ERR_S_OLD_MAST_KVNO, "The service's key is encrypted in an old master key.", "Re-key the service principal." },
    { KDC_ERR_C_PRINCIPAL_UNKNOWN, "The user name does not exist in the KDC's database, or is in another realm.", "Check the user name and realm." },
    { KDC_ERR_S_PRINCIPAL_UNKNOWN, "No account holds the requested SPN, or the client built the wrong SPN (alias, IP address, port).", "Register the SPN or use the right name." },
    { KDC_ERR_PRINCIPAL_NOT_UNIQUE, "The same principal or SPN is registered on several accounts.", "Remove the duplicate (setspn -X / -Q)." },
    { KDC_ERR_NULL_KEY, "The account has no key (no password set).", "Reset the account's password." },
    { KDC_ERR_CANNOT_POSTDATE, "The ticket cannot be postdated, or postdating is not allowed.", "Do not request postdated tickets." },
    { KDC_ERR_NEVER_VALID, "The requested start time is later than the end time.", "Check the client's requested times and clock." },
    { KDC_ERR_POLICY, "KDC policy rejects the request: logon hours, workstation restrictions, smart card required, authentication policy or silo.", "Review the account's logon restrictions." },
    { KDC_ERR_BADOPTION, "The KDC cannot honour a requested option: constrained delegation to a target not in msDS-AllowedToDelegateTo, S4U to a protected user, or a ticket near expiry.", "Check delegation settings for the service (msDS-AllowedToDelegateTo, 'sensitive and cannot be delegated')." },
    { KDC_ERR_ETYPE_NOSUPP, "No common encryption type between the client, the KDC and the account (DES-only or RC4-only accounts, RC4 disabled, keys missing after a functional level raise).", "Align supported encryption types; reset the account password to create AES keys." },
    { KDC_ERR_SUMTYPE_NOSUPP, "The KDC does not support the checksum type.", "Use a supported checksum type." },
    { KDC_ERR_PADATA_TYPE_NOSUPP, "The KDC does not support the pre-authentication type: often a smart-card logon with a missing or invalid KDC certificate.", "Check the DC's certificate for smart-card logon." },
    { KDC_ERR_TRTYPE_NOSUPP, "The KDC does not support the transited-realm encoding.", "Check cross-realm configuration." },
    { KDC_ERR_CLIENT_REVOKED, "The client's credentials are revoked: account disabled, locked out, expired, or outside logon hours.", "Check the account's state (enabled, locked, expiry)." },
    { KDC_ERR_SERVICE_REVOKED, "The service's credentials are revoked (service account disabled or locked).", "Enable or unlock the service account." },
    { KDC_ERR_TGT_REVOKED, "The ticket-granting ticket has been revoked.", "Get a new TGT (kinit / log off and on)." },
    { KDC_ERR_CLIENT_NOTYET, "The client's account is not yet valid.", "Check the account's start date." },
    { KDC_ERR_SERVICE_NOTYET, "The service's account is not yet valid.", "Check the service account's start date." },
    { KDC_ERR_KEY_EXPIRED, "The password has expired or must be changed.", "Change the password." },
    { KDC_ERR_PREAUTH_FAILED, "Pre-authentication failed: wrong password, or a stale stored credential.", "Use the current password; update stored credentials." },
    { KDC_ERR_PREAUTH_REQUIRED, "The KDC requires pre-authentication (normal first round trip).", "Nothing, if the client retries with pre-authentication." },
    { KDC_ERR_SERVER_NOMATCH, "The ticket in the request does not match the requested server.", "Check which ticket the client uses." },
    { KDC_ERR_MUST_USE_USER2USER, "The service requires user-to-user authentication.", "Use user-to-user mode for this service." },
    { KDC_ERR_PATH_NOT_ACCEPTED, "The KDC policy rejects the cross-realm path.", "Check the trust path (capaths)." },
    { KDC_ERR_SVC_UNAVAILABLE, "The KDC is unavailable or busy; a read-only DC could not forward the request.", "Check the KDC's health and its link to a writable DC." },
    { KRB_AP_ERR_BAD_INTEGRITY, "The authenticator or ticket failed an integrity check: encrypted with a key other than the expected one (krbtgt or trust key mismatch, tampered or forged ticket).", "Check that every KDC has the same krbtgt and trust keys." },
    { KRB_AP_ERR_TKT_EXPIRED, "The ticket has expired (normal renewal when a new request follows).", "Get a new ticket; check the client clock if it persists." },
    { KRB_AP_ERR_TKT_NYV, "The ticket is not yet valid: the clocks of the KDC and the service differ.", "Synchronise the clocks." },
    { KRB_AP_ERR_REPEAT, "The authenticator was seen before (replay), e.g. a proxy or load balancer duplicating requests.", "Check for request duplication between client and service." },
    { KRB_AP_ERR_NOT_US, "The ticket is for another server or realm (DNS or hosts file pointing elsewhere).", "Check name resolution for the service." },
    { KRB_AP_ERR_BADMATCH, "The ticket and authenticator do not match (wrong KDC, protocol transition mismatch).", "Check which KDC issued the ticket." },
    { KRB_AP_ERR_SKEW, "The clocks differ by more than the allowed skew.", "Synchronise the clocks." },
    { KRB_AP_ERR_BADADDR, "The request came from an address not in the ticket (NAT, proxy, address change).", "Use address-less tickets (noaddresses) or fix the path." },
    { KRB_AP_ERR_BADVERSION, "Protocol version mismatch.", "Use Kerberos 5 on both sides." },
    { KRB_AP_ERR_MSG_TYPE, "Message type not supported by the receiver.", "Check the application's Kerberos use." },
    { KRB_AP_ERR_MODIFIED, "The service could not decrypt the ticket: the KDC used another account's key (duplicate SPN, DNS alias, wrong service account, stale password, same name in two domains).", "Find which account holds the SPN and which key the service uses." },
    { KRB_AP_ERR_BADORDER, "Message out of order.", "Check the application's message sequence." },
    { KRB_AP_ERR_ILL_CR_TKT, "Illegal cross-realm ticket.", "Check cross-realm configuration." },
    { KRB_AP_ERR_BADKEYVER, "The service does not hold the key version the ticket was encrypted with (stale keytab after a password change).", "Refresh the service's keytab." },
    { KRB_AP_ERR_NOKEY, "The service has no key for the ticket's encryption type or realm.", "Add a key of that type to the service's keytab; check msDS-SupportedEncryptionTypes." },
    { KRB_AP_ERR_MUT_FAIL, "Mutual authentication failed.", "Check the service's key and identity." },
    { KRB_AP_ERR_BADDIRECTION, "Incorrect message direction.", "Check the application's Kerberos use." },
    { KRB_AP_ERR_METHOD, "Alternative authentication method required.", "Check the service's requirements." },
    { KRB_AP_ERR_BADSEQ, "Incorrect sequence number.", "Check the application's message sequence." },
    { KRB_AP_ERR_INAPP_CKSUM, "Inappropriate checksum type.", "Use a supported checksum type." },
    { KRB_AP_PATH_NOT_ACCEPTED, "The cross-realm path was not accepted by the service.", "Check the trust path." },
    { KRB_ERR_RESPONSE_TOO_BIG, "The response did not fit in UDP; the client should retry over TCP.", "Nothing if a TCP retry follows; otherwise allow TCP/88." },
    { KRB_ERR_GENERIC, "Generic error: PAC too large from group memberships, password change not replicated, SPN too long or with too many parts.", "Check the e-data status, token size and SPN form." },
    { KRB_ERR_FIELD_TOOLONG, "A field is too long for this implementation.", "Shorten the names involved." },
    { KDC_ERROR_CLIENT_NOT_TRUSTED, "Smart card: the client's certificate is not trusted (revoked, untrusted root).", "Check the client certificate chain." },
    { KDC_ERROR_KDC_NOT_TRUSTED, "Smart card: the KDC's certificate is not trusted by the client.", "Check the KDC certificate chain on the client." },
    { KDC_ERROR_INVALID_SIG, "Smart card: invalid signature.", "Check the client certificate." },
    { KDC_ERR_KEY_TOO_WEAK, "Smart card: key too weak or Diffie-Hellman parameters not accepted.", "Use stronger keys." },
    { KDC_ERR_CERTIFICATE_MISMATCH, "Smart card: certificate does not match the account.", "Check the certificate mapping." },
    { KRB_AP_ERR_NO_TGT, "No ticket-granting ticket for user-to-user.", "Provide a TGT." },
    { KDC_ERR_WRONG_REALM, "Wrong realm: the principal belongs to another realm (referral).", "Follow the referral; check realm mapping." },
    { KRB_AP_ERR_USER_TO_USER_REQUIRED, "The service requires user-to-user authentication.", "Use user-to-user mode." },
    { KDC_ERR_CANT_VERIFY_CERTIFICATE, "Smart card: the certificate cannot be verified.", "Check the certificate chain." },
    { KDC_ERR_INVALID_CERTIFICATE, "Smart card: invalid certificate.", "Check the certificate." },
    { KDC_ERR_REVOKED_CERTIFICATE, "Smart card: revoked certificate.", "Issue a new certificate." },
    { KDC_ERR_REVOCATION_STATUS_UNKNOWN, "Smart card: revocation status unknown.", "Check CRL/OCSP availability." },
    { KDC_ERR_REVOCATION_STATUS_UNAVAILABLE, "Smart card: revocation status unavailable.", "Check CRL/OCSP availability." },
    { KDC_ERR_CLIENT_NAME_MISMATCH, "Smart card: client name mismatch.", "Check the certificate's subject alternative name." },
    { KDC_ERR_KDC_NAME_MISMATCH, "Smart card: KDC name mismatch.", "Check the KDC certificate." },
    { KDC_ERR_INCONSISTENT_KEY_PURPOSE, "Smart card: inconsistent key purpose.", "Check the certificate's EKU." },
    { KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED, "Smart card: digest in certificate not accepted.", "Use an accepted digest." },
    { KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED, "Smart card: PA checksum must be included.", "Update the client." },
    { KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED, "Smart card: digest in signed data not accepted.", "Use an accepted digest." },
    { KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED, "Smart card: public key encryption not supported.", "Use Diffie-Hellman." },
    { KDC_ERR_PREAUTH_EXPIRED, "FAST: pre-authentication expired.", "Retry the logon." },
    { KDC_ERR_MORE_PREAUTH_DATA_REQUIRED, "FAST: more pre-authentication data required.", "Nothing; the client continues." },
    { KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET, "FAST: pre-authentication set not accepted.", "Check FAST/armoring configuration." },
    { KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS, "FAST: unknown critical FAST option.", "Update the client or KDC." },
    { KDC_ERR_NO_ACCEPTABLE_KDF, "PKINIT: no acceptable key derivation function.", "Align PKINIT KDF support." },
};

const kd_error_info *
kd_error_info_get(gint32 code)
{
    guint lo = 0, hi = G_N_ELEMENTS(error_info);
    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        if (error_info[mid].code == code)
            return &error_info[mid];
        if (error_info[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const kd_error_info *
generic_error_info(kd_cause cause, gint32 error_code)
{
    return cause == KD_CAUSE_KRB_ERROR && error_code >= 0 ? kd_error_info_get(error_code) : NULL;
}

/* A cause's explanation told for the error a finding holds, where the catalog row
 * speaks of several. */
static const struct {
    kd_cause cause;
    gint32 error_code;      /* -1: no Kerberos error (only the RPC fault) */
    const char *explanation;
} explanation_by_error[] = {
    { KD_CAUSE_SHARED_ADDRESS_LOOPBACK, KRB_AP_ERR_MODIFIED, SHARED_ADDRESS_TEXT("KRB_AP_ERR_MODIFIED, then 0x80070721") },
    { KD_CAUSE_SHARED_ADDRESS_LOOPBACK, KRB_AP_ERR_NOT_US, SHARED_ADDRESS_TEXT("KRB_AP_ERR_NOT_US, then 0x80070721") },
    { KD_CAUSE_SHARED_ADDRESS_LOOPBACK, KRB_AP_ERR_BAD_INTEGRITY, SHARED_ADDRESS_TEXT("KRB_AP_ERR_BAD_INTEGRITY, then 0x80070721") },
    { KD_CAUSE_SHARED_ADDRESS_LOOPBACK, -1, SHARED_ADDRESS_TEXT("the call fails with 0x80070721") },
};

const char *
kd_finding_explanation(kd_cause cause, gint32 error_code)
{
    const kd_error_info *info = generic_error_info(cause, error_code);
    if (info)
        return info->causes;
    for (gsize i = 0; i < G_N_ELEMENTS(explanation_by_error); i++) {
        if (explanation_by_error[i].cause == cause && explanation_by_error[i].error_code == error_code)
            return explanation_by_error[i].explanation;
    }
    return kd_cause_get(cause)->explanation;
}

const char *
kd_finding_remedy(kd_cause cause, gint32 error_code)
{
    const kd_error_info *info = generic_error_info(cause, error_code);
    return info ? info->remedy : kd_cause_get(cause)->remedy;
}

const kd_error_info *
kd_error_info_all(guint *n)
{
    *n = G_N_ELEMENTS(error_info);
    return error_info;
}

/* Known e-text of MIT krb5 1.20 (src/kdc and src/plugins/kdb) and Heimdal/Samba
 * (kdc/kerberos5.c, krb5tgs.c). */

/* ETC: a row for the listed error codes; ETA: a row for any code. */
#define ETC(text_, kdc_, cause_, meaning_, ...) \
    { .etext = text_, .kdc = kdc_, .codes = { __VA_ARGS__ }, \
      .ncodes = G_N_ELEMENTS(((gint32[]){ __VA_ARGS__ })), .cause = cause_, .meaning = meaning_ }
#define ETA(text_, kdc_, cause_, meaning_) \
    { .etext = text_, .kdc = kdc_, .ncodes = 0, .cause = cause_, .meaning = meaning_ }
#define NO_HINT KD_ETEXT_NO_HINT

static const kd_etext_info etext_info[] = {
    /* MIT: labels that name the failure. */
    ETC("PREAUTH_FAILED", "MIT", KD_CAUSE_WRONG_PASSWORD,
        "the pre-authentication (password proof) did not verify",
        KDC_ERR_PREAUTH_FAILED, KRB_AP_ERR_BAD_INTEGRITY),
    ETC("LOCKED_OUT", "MIT", KD_CAUSE_ACCOUNT_LOCKED,
        "the principal is locked out after too many failed pre-authentications (policy maxfailure)",
        KDC_ERR_CLIENT_REVOKED),
    /* MIT's name for a principal barred from all tickets (kadmin -allow_tix): an
     * administrator disabled it; not a lock-out after failures. */
    ETC("CLIENT LOCKED OUT", "MIT", KD_CAUSE_ACCOUNT_DISABLED,
        "the principal is barred from all tickets (disabled by an administrator: -allow_tix)",
        KDC_ERR_CLIENT_REVOKED),
    ETC("CLIENT EXPIRED", "MIT", KD_CAUSE_ACCOUNT_EXPIRED,
        "the principal's expiry date has passed", KDC_ERR_NAME_EXP, KRB_ERR_GENERIC),
    ETC("CLIENT KEY EXPIRED", "MIT", KD_CAUSE_PASSWORD_EXPIRED,
        "the principal's password has expired", KDC_ERR_KEY_EXPIRED, KRB_ERR_GENERIC),
    ETC("REQUIRED PWCHANGE", "MIT", KD_CAUSE_PASSWORD_EXPIRED,
        "the principal must change its password first", KDC_ERR_KEY_EXPIRED),
    ETC("CLIENT_NOT_FOUND", "MIT", KD_CAUSE_UNKNOWN_CLIENT,
        "the client principal is not in the KDC's database", KDC_ERR_C_PRINCIPAL_UNKNOWN),
    ETC("SERVER_NOT_FOUND", "MIT", KD_CAUSE_SPN_MISSING,
        "the requested server principal is not in the KDC's database", KDC_ERR_S_PRINCIPAL_UNKNOWN),
    ETC("UNKNOWN_SERVER", "MIT", KD_CAUSE_SPN_MISSING,
        "the requested server principal is not in the KDC's database", KDC_ERR_S_PRINCIPAL_UNKNOWN),
    ETC("CANT_FIND_CLIENT_KEY", "MIT", KD_CAUSE_ETYPE_NO_COMMON,
        "the principal has no key of any encryption type the client asked for", KDC_ERR_ETYPE_NOSUPP),
    ETC("BAD_ENCRYPTION_TYPE", "MIT", KD_CAUSE_ETYPE_NO_COMMON,
        "no encryption type the client asked for is usable", KDC_ERR_ETYPE_NOSUPP),
    ETC("NEEDED_PREAUTH", "MIT", KD_CAUSE_PREAUTH_REQUIRED,
        "the principal must pre-authenticate", KDC_ERR_PREAUTH_REQUIRED),
    ETC("TKT_EXPIRED", "MIT", KD_CAUSE_TICKET_EXPIRED,
        "the ticket in the request has expired", KRB_AP_ERR_TKT_EXPIRED),
    ETC("HIGHER_AUTHENTICATION_REQUIRED", "MIT", KD_CAUSE_LOGON_RESTRICTED,
        "the service requires a stronger authentication (authentication indicator)", KDC_ERR_POLICY),
    ETC("REFERRAL", "MIT", KD_CAUSE_REFERRAL,
        "the principal belongs to another realm", KDC_ERR_WRONG_REALM),
    /* MIT: failures without a cause of their own in the catalog. */
    ETA("SERVICE LOCKED OUT", "MIT", NO_HINT,
        "the service principal is barred from all tickets (disabled), though the error says "
        "unknown"),
    ETA("SERVER LOCKED OUT", "MIT", NO_HINT,
        "the service principal is barred from all tickets (disabled), though the error says "
        "unknown"),
    ETA("SERVICE EXPIRED", "MIT", NO_HINT, "the service principal's expiry date has passed"),
    ETA("SERVICE NOT ALLOWED", "MIT", NO_HINT,
        "the principal may not be used as a service (-allow_svr): only user-to-user"),
    ETA("SERVER NOT ALLOWED", "MIT", NO_HINT,
        "the principal may not be used as a service (-allow_svr): only user-to-user"),
    ETA("TICKET NOT RENEWABLE", "MIT", NO_HINT,
        "a renewal was asked for a ticket that is not renewable"),
    ETA("POSTDATE NOT ALLOWED", "MIT", NO_HINT, "postdated tickets are not allowed for these principals"),
    ETA("INVALID AS OPTIONS", "MIT", NO_HINT, "the AS-REQ carries options allowed only in a TGS-REQ"),
    ETA("ANONYMOUS NOT ALLOWED", "MIT", NO_HINT, "anonymous tickets are not allowed for this service"),
    ETA("NO PREAUTH", "MIT", NO_HINT,
        "the service requires pre-authentication and the ticket-granting ticket was issued "
        "without it"),
    ETA("NO HW PREAUTH", "MIT", NO_HINT,
        "the service requires hardware pre-authentication and the ticket-granting ticket was "
        "issued without it"),
    ETA("TGT BASED NOT ALLOWED", "MIT", NO_HINT, "the service does not accept tickets obtained with a TGT"),
    ETA("NOT_ALLOWED_TO_DELEGATE", "MIT", NO_HINT, "the service is not allowed to delegate to this target"),
    ETA("NOT_YET_VALID", "MIT", NO_HINT, "the ticket in the request is not valid yet"),
    ETA("TICKET NOT VALID", "MIT", NO_HINT, "the ticket in the request is marked invalid"),
    /* MIT: processing steps. They say where the KDC was when it failed, not why:
     * the error code decides, never these. */
    ETA("LOOKING_UP_SERVER", "MIT", NO_HINT, "it failed while looking up the server principal"),
    ETA("LOOKING_UP_CLIENT", "MIT", NO_HINT, "it failed while looking up the client principal"),
    ETA("PROCESS_TGS", "MIT", NO_HINT, "it failed while processing the ticket in the TGS-REQ"),
    ETA("HANDLE_AUTHDATA", "MIT", NO_HINT,
        "it failed while adding authorization data (the PAC) to the ticket"),
    ETA("FINDING_SERVER_KEY", "MIT", NO_HINT, "it failed while finding the server's key"),
    ETA("DECRYPT_CLIENT_KEY", "MIT", NO_HINT, "it failed while decrypting the client's key"),
    ETA("KDC_RETURN_PADATA", "MIT", NO_HINT, "it failed while building the reply's pre-authentication data"),
    ETA("KDC_RETURN_ENC_PADATA", "MIT", NO_HINT, "it failed while building the reply's encrypted pre-authentication data"),
    ETA("VALIDATE_MESSAGE_TYPE", "MIT", NO_HINT, "it failed while checking the message type"),
    ETA("FIND_FAST", "MIT", NO_HINT, "it failed while reading the FAST armour"),
    ETA("READ_COOKIE", "MIT", NO_HINT, "it failed while reading the FAST cookie"),
    ETA("GET_LOCAL_TGT", "MIT", NO_HINT, "it failed while reading its own krbtgt entry"),
    ETA("ISSUE", "MIT", NO_HINT, "it failed while issuing the ticket"),
    ETA("UNKNOWN_REASON", "MIT", NO_HINT, "it failed for a reason it did not name"),
    /* Heimdal and Samba (Heimdal-based) KDCs. */
    ETC("Need to use PA-ENC-TIMESTAMP/PA-PK-AS-REQ", "Heimdal/Samba", KD_CAUSE_PREAUTH_REQUIRED,
        "the principal must pre-authenticate", KDC_ERR_PREAUTH_REQUIRED),
    ETC("Reply packet too large", "Heimdal/Samba", KD_CAUSE_RESPONSE_TOO_BIG,
        "the reply does not fit in UDP: retry over TCP", KRB_ERR_RESPONSE_TOO_BIG),
    ETC("No key matching enctype", "Heimdal/Samba", KD_CAUSE_ETYPE_NO_COMMON,
        "the principal has no key of any encryption type the client asked for", KDC_ERR_ETYPE_NOSUPP),
    ETC("No key matching entype", "Heimdal/Samba", KD_CAUSE_ETYPE_NO_COMMON,
        "the principal has no key of any encryption type the client asked for", KDC_ERR_ETYPE_NOSUPP),
    ETA("Doesn't have a client key available", "Heimdal/Samba", NO_HINT,
        "it holds no usable key for the client"),
    ETA("Client has no reply key", "Heimdal/Samba", NO_HINT, "it found no key to encrypt the reply to the client"),
    ETA("Client have no reply key", "Heimdal/Samba", NO_HINT, "it found no key to encrypt the reply to the client"),
    ETA("Anonymous ticket requests are disabled", "Heimdal/Samba", NO_HINT, "anonymous tickets are disabled"),
    ETA("Bad KDC options", "Heimdal/Samba", NO_HINT, "the request's KDC options are not allowed"),
    ETA("Ticket may not be forwardable", "Heimdal/Samba", NO_HINT, "the ticket may not be forwardable"),
    ETA("Ticket may not be proxiable", "Heimdal/Samba", NO_HINT, "the ticket may not be proxiable"),
    ETA("Ticket may not be postdate", "Heimdal/Samba", NO_HINT, "the ticket may not be postdated"),
    ETA("Ticket may not be postdateable", "Heimdal/Samba", NO_HINT, "the ticket may not be postdated"),
    ETA("Request from wrong address", "Heimdal/Samba", NO_HINT,
        "the request came from an address the ticket does not list"),
    ETA("Requested effective lifetime is negative or too short", "Heimdal/Samba", NO_HINT,
        "the requested ticket lifetime is negative or too short (check the client's clock)"),
    ETA("No server in request", "Heimdal/Samba", NO_HINT, "the request names no server"),
    ETA("No client in request", "Heimdal/Samba", NO_HINT, "the request names no client"),
    ETA("KDC internal error", "Heimdal/Samba", NO_HINT, "it failed internally"),
};

#undef ETC
#undef ETA
#undef NO_HINT

/* Canonical form for comparison: at most KD_ETEXT_MAX_LEN bytes after trimming and
 * folding white space runs to one space, ASCII lower case; other bytes as they are.
 * FALSE when the text is longer than that (no known e-text is). */
static gboolean
etext_normalise(const char *in, char out[KD_ETEXT_MAX_LEN + 1])
{
    /* Bound the scan too: a hostile e-text can be long and padded with white space. */
    const guint scan_max = 4 * KD_ETEXT_MAX_LEN;
    guint n = 0;
    gboolean pending_space = FALSE;
    for (guint i = 0; i < scan_max && in[i] != '\0'; i++) {
        guchar c = (guchar)in[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            pending_space = n > 0;
            continue;
        }
        if (n + (pending_space ? 2 : 1) > KD_ETEXT_MAX_LEN)
            return FALSE;
        if (pending_space)
            out[n++] = ' ';
        pending_space = FALSE;
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    /* in[0 .. scan_max - 1] were all read above when the scan stopped at its bound. */
    if (strnlen(in, scan_max + 1) > scan_max)
        return FALSE;
    out[n] = '\0';
    return n > 0;
}

/* The rows' e-texts in canonical form, made once: a lookup then normalises only the
 * text it is given. An empty string marks a row no text can match. */
static char etext_canonical[G_N_ELEMENTS(etext_info)][KD_ETEXT_MAX_LEN + 1];

static void
etext_canonical_init(void)
{
    static gsize done = 0;
    if (!g_once_init_enter(&done))
        return;
    for (guint i = 0; i < G_N_ELEMENTS(etext_info); i++) {
        if (!etext_normalise(etext_info[i].etext, etext_canonical[i]))
            etext_canonical[i][0] = '\0';
    }
    g_once_init_leave(&done, 1);
}

const kd_etext_info *
kd_catalog_etext_lookup(const char *etext)
{
    char want[KD_ETEXT_MAX_LEN + 1];
    if (!etext || !etext_normalise(etext, want))
        return NULL;
    etext_canonical_init();
    /* The first row that matches, as the table is ordered. */
    for (guint i = 0; i < G_N_ELEMENTS(etext_info); i++) {
        if (etext_canonical[i][0] == want[0] && strcmp(want, etext_canonical[i]) == 0)
            return &etext_info[i];
    }
    return NULL;
}

gboolean
kd_etext_applies(const kd_etext_info *info, gint32 code)
{
    if (!info)
        return FALSE;
    if (info->ncodes == 0)
        return TRUE;
    for (guint i = 0; i < info->ncodes && i < KD_ETEXT_MAX_CODES; i++) {
        if (info->codes[i] == code)
            return TRUE;
    }
    return FALSE;
}

int
kd_catalog_etext_cause(const char *etext, gint32 code)
{
    const kd_etext_info *info = kd_catalog_etext_lookup(etext);
    return kd_etext_applies(info, code) ? info->cause : KD_ETEXT_NO_HINT;
}

const kd_etext_info *
kd_etext_all(guint *n)
{
    *n = G_N_ELEMENTS(etext_info);
    return etext_info;
}

/* How each cause reads where room is short (the Info column, statistics), and
 * whether it is a normal round trip of the protocol rather than a failure. */
typedef struct {
    const char *short_title;
    gboolean round_trip;
} kd_cause_display;

static const kd_cause_display display[KD_CAUSE_COUNT] = {
    [KD_CAUSE_PREAUTH_REQUIRED] = { "Pre-authentication asked", TRUE },
    [KD_CAUSE_WRONG_PASSWORD] = { "Wrong password", FALSE },
    [KD_CAUSE_UNKNOWN_CLIENT] = { "Unknown client", FALSE },
    [KD_CAUSE_SPN_MISSING] = { "SPN not registered", FALSE },
    [KD_CAUSE_SPN_IP_ADDRESS] = { "Service named by IP address", FALSE },
    [KD_CAUSE_ACCOUNT_LOCKED] = { "Account locked out", FALSE },
    [KD_CAUSE_ACCOUNT_DISABLED] = { "Account disabled", FALSE },
    [KD_CAUSE_ACCOUNT_EXPIRED] = { "Account expired", FALSE },
    [KD_CAUSE_ACCOUNT_REVOKED] = { "Credentials revoked", FALSE },
    [KD_CAUSE_LOGON_RESTRICTED] = { "Logon restriction", FALSE },
    [KD_CAUSE_PASSWORD_EXPIRED] = { "Password expired", FALSE },
    [KD_CAUSE_CLOCK_SKEW] = { "Clock skew", FALSE },
    [KD_CAUSE_TICKET_EXPIRED] = { "Ticket expired", FALSE },
    [KD_CAUSE_RESPONSE_TOO_BIG] = { "Too big for UDP, TCP retry", TRUE },
    [KD_CAUSE_REFERRAL] = { "Referral to another realm", TRUE },
    [KD_CAUSE_TICKET_DECRYPT_FAILED] = { "Ticket not decrypted", FALSE },
    [KD_CAUSE_CNAME_SPN] = { "DNS alias: wrong SPN", FALSE },
    [KD_CAUSE_DUPLICATE_SPN] = { "Duplicate SPN", FALSE },
    [KD_CAUSE_SPN_ACCOUNT_MISMATCH] = { "Service runs as another account", FALSE },
    [KD_CAUSE_STALE_SERVICE_KEY] = { "Stale service key", FALSE },
    [KD_CAUSE_SAME_NAME_OTHER_DOMAIN] = { "Same host name, other domain", FALSE },
    [KD_CAUSE_NTLM_FALLBACK] = { "Fell back to NTLM", FALSE },
    [KD_CAUSE_SEC_PKG_ERROR] = { "RPC security package error", FALSE },
    [KD_CAUSE_RPC_MESSAGE_CHECK_FAILED] = { "RPC message check failed", FALSE },
    [KD_CAUSE_SHARED_ADDRESS_LOOPBACK] = { "Connected to itself (shared address)", FALSE },
    [KD_CAUSE_DC_ETYPE_MISMATCH] = { "DCs disagree on keys", FALSE },
    [KD_CAUSE_TRUST_KEY_MISMATCH] = { "Trust keys differ", FALSE },
    [KD_CAUSE_ETYPE_NO_COMMON] = { "No common encryption type", FALSE },
    [KD_CAUSE_KDC_UNREACHABLE] = { "KDC did not answer", FALSE },
    [KD_CAUSE_KRB_ERROR] = { "Kerberos error", FALSE },
    [KD_CAUSE_DELEGATION_NOT_CONFIGURED] = { "Delegation not configured", FALSE },
    [KD_CAUSE_DELEGATION_TARGET_NOT_ALLOWED] = { "Delegation target not allowed", FALSE },
    [KD_CAUSE_DELEGATION_NOT_FORWARDABLE] = { "Ticket not forwardable", FALSE },
    [KD_CAUSE_PROTOCOL_TRANSITION_REFUSED] = { "Protocol transition refused", FALSE },
    [KD_CAUSE_KDC_PROBE] = { "KDC probe", FALSE },
    [KD_CAUSE_USER_ENUMERATION] = { "User enumeration", FALSE },
    [KD_CAUSE_USER_TO_USER] = { "User-to-user needed", FALSE },
    [KD_CAUSE_NTLM_SERVER_ONLY] = { "NTLM: server offers NTLM only", FALSE },
    [KD_CAUSE_NTLM_IP_TARGET] = { "NTLM: target named by IP address", FALSE },
    [KD_CAUSE_NTLM_NO_KDC_CONTACT] = { "NTLM: no KDC contact", FALSE },
    [KD_CAUSE_NTLM_SPNEGO_NTLM_ONLY] = { "NTLM: client offered NTLM only", FALSE },
    [KD_CAUSE_TOKEN_TOO_LARGE] = { "Kerberos token too large", FALSE },
    [KD_CAUSE_RDNS_SPN] = { "Reverse DNS: wrong SPN", FALSE },
    [KD_CAUSE_LDAP_CHANNEL_BINDING_REQUIRED] = { "LDAP channel binding required", FALSE },
    [KD_CAUSE_LDAP_BIND_FAILED] = { "LDAP bind refused", FALSE },
};

const char *
kd_cause_short_title(kd_cause cause)
{
    const char *s = (guint)cause < KD_CAUSE_COUNT ? display[cause].short_title : NULL;
    return s ? s : kd_cause_get(cause)->title;
}

gboolean
kd_cause_is_round_trip(kd_cause cause)
{
    return (guint)cause < KD_CAUSE_COUNT && display[cause].round_trip;
}
