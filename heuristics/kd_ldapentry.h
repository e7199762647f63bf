/* kd_ldapentry.h
 * A bounded reader for an LDAP SearchResultEntry (RFC 4511 4.5.2): its DN and the
 * values of the attributes krbdiag reads (servicePrincipalName, sAMAccountName),
 * from the entry's bytes: one wanted field (the entry) instead of four (DN,
 * attribute types, values) marked before every frame.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   SearchResultEntry ::= [APPLICATION 4] SEQUENCE {
 *       objectName LDAPDN (OCTET STRING),
 *       attributes SEQUENCE OF SEQUENCE { type OCTET STRING, vals SET OF OCTET STRING } }
 * read from its tag, or from objectName on (where Wireshark's entry item starts in
 * 4.0, 4.4 and 4.6); definite lengths only.
 */
#ifndef KD_LDAPENTRY_H
#define KD_LDAPENTRY_H

#include <glib.h>

#include "kd_edata.h"       /* kd_der */

/* servicePrincipalName values kept per entry (the first ones). */
#define KD_LDAPENTRY_MAX_SPNS 64

typedef struct {
    gboolean has_dn;
    kd_der dn;
    guint n_spns;
    kd_der spns[KD_LDAPENTRY_MAX_SPNS];     /* in the entry's order */
    gboolean has_sam_account_name;
    kd_der sam_account_name;                /* the first value */
} kd_ldapentry;

/* FALSE when buf does not start with a SearchResultEntry. */
gboolean kd_ldapentry_parse(const guint8 *buf, gsize len, kd_ldapentry *out);

#endif /* KD_LDAPENTRY_H */
