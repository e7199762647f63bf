/* kd_keytab.h
 * The key list of a keytab file (MIT/Heimdal format 0x0502): which principal holds
 * which key version and encryption type. Key bytes are never kept.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The user names the keytab in Wireshark's Kerberos preferences; its file is as
 * untrusted as a capture: every length is checked against the bytes left.
 */
#ifndef KD_KEYTAB_H
#define KD_KEYTAB_H

#include <glib.h>

/* Entries kept from one keytab; more are counted as dropped. */
#define KD_KEYTAB_MAX 64
/* Largest keytab file read (a service's keytab is a few hundred bytes). */
#define KD_KEYTAB_MAX_FILE (1024 * 1024)

typedef struct {
    char *principal;    /* name components joined with '/', without realm */
    char *realm;
    gint64 kvno;
    gint32 etype;
} kd_keytab_key;

typedef struct {
    gboolean loaded;    /* a keytab was read (possibly with no usable entry) */
    kd_keytab_key keys[KD_KEYTAB_MAX];
    guint n;
    guint dropped;      /* entries past KD_KEYTAB_MAX */
    gboolean damaged;   /* the file ended inside an entry or had a bad length */
} kd_keytab;

/* Parse a keytab file's bytes into kt (cleared first). FALSE when the bytes are no
 * keytab of a version krbdiag reads (kt->loaded stays FALSE). */
gboolean kd_keytab_parse(const guint8 *buf, gsize len, kd_keytab *kt);
void kd_keytab_clear(kd_keytab *kt);

#endif /* KD_KEYTAB_H */
