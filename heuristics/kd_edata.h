/* kd_edata.h
 * A bounded reader for KRB-ERROR e-data (DER), for what Wireshark 4.0 does not
 * decode: Windows/Samba NTSTATUS in PA-PW-SALT or KERB-EXT-ERROR, and
 * ETYPE-INFO2 entries.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef KD_EDATA_H
#define KD_EDATA_H

#include <glib.h>

#include "kd_obs.h"

typedef struct {
    gboolean has_nt_status;
    guint32 nt_status;
    gint32 etype_info2[KD_MAX_ETYPES];
    guint n_etype_info2;
} kd_edata;

/* Parses METHOD-DATA (SEQUENCE OF PA-DATA) or KERB-ERROR-DATA. Never reads past
 * buf + len; returns FALSE when nothing usable was found. */
gboolean kd_edata_parse(const guint8 *buf, gsize len, kd_edata *out);

#endif /* KD_EDATA_H */
