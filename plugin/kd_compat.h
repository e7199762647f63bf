/* kd_compat.h
 * The differences between the Wireshark versions krbdiag builds against.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * This is the only file of plugin/ that tests the Wireshark version: every
 * other file uses the names defined here. Versions: 4.0 (Debian 12), 4.2
 * (Ubuntu 24.04: built from these conditionals, not tested), 4.4 (Debian 13),
 * 4.6 (Debian sid). Where 4.2 stands was read from Wireshark's headers and
 * history: field_info.value became a pointer and boolean preferences became
 * bool in the 4.1 development series (so 4.2 has both); tvb_get_uint8()
 * replaced tvb_get_guint8() in 4.4 (4.2 is built with the old name, present
 * up to 4.4); value_string.h moved to wsutil/ and the stat_tap_ui init
 * callback started returning bool in 4.6.
 */
#ifndef KD_COMPAT_H
#define KD_COMPAT_H

#include <wireshark.h>      /* ws_version.h: WIRESHARK_VERSION_MAJOR/MINOR */
#include <epan/proto.h>

#define KD_WS_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) || \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

/* Value strings (try_val_to_str, value_string_ext). */
#if KD_WS_AT_LEAST(4, 6)
#include <wsutil/value_string.h>
#else
#include <epan/value_string.h>
#endif

/* The value of a field_info, as the fvalue_get_*() functions take it:
 * an embedded fvalue_t up to 4.0, a pointer to one from 4.2 on. */
#if KD_WS_AT_LEAST(4, 2)
#define kd_fi_value(fi) ((fi)->value)
#else
#define kd_fi_value(fi) (&(fi)->value)
#endif

/* The variable behind prefs_register_bool_preference(): gboolean (4 bytes)
 * up to 4.0, C99 bool (1 byte) from 4.2 on. Writing one through a pointer to
 * the other corrupts memory, so every boolean preference uses this type. */
#if KD_WS_AT_LEAST(4, 2)
typedef bool kd_pref_bool;
#else
typedef gboolean kd_pref_bool;
#endif

/* One byte from a tvb, and the first offset of one (tvb_get_guint8 and
 * tvb_find_guint8 are deprecated from 4.4 on). */
#if KD_WS_AT_LEAST(4, 4)
#define kd_tvb_get_u8(tvb, offset) tvb_get_uint8((tvb), (offset))
#define kd_tvb_find_u8(tvb, offset, maxlength, needle) tvb_find_uint8((tvb), (offset), (maxlength), (needle))
#else
#define kd_tvb_get_u8(tvb, offset) tvb_get_guint8((tvb), (offset))
#define kd_tvb_find_u8(tvb, offset, maxlength, needle) tvb_find_guint8((tvb), (offset), (maxlength), (needle))
#endif

/* stat_tap_ui init callbacks return whether the tap could be set up (4.6)
 * or nothing (up to 4.4). KD_STAT_TAP_INIT_RETURN(ok) ends such a callback. */
#if KD_WS_AT_LEAST(4, 6)
typedef bool kd_stat_tap_init_ret;
#define KD_STAT_TAP_INIT_RETURN(ok) return (ok)
#else
typedef void kd_stat_tap_init_ret;
#define KD_STAT_TAP_INIT_RETURN(ok) do { (void)(ok); return; } while (0)
#endif

/* plugin_describe() tells `tshark -G plugins` what kind of plugin this is.
 * 4.4 and 4.6 have it; 4.0 has neither the function nor wsutil/plugins.h in its
 * development package. Whether 4.2's package ships the header with the
 * WS_PLUGIN_DESC_* flags is not certain from its history, so from 4.2 on the
 * header and the flag themselves decide. */
#if KD_WS_AT_LEAST(4, 2) && defined(__has_include)
#if __has_include(<wsutil/plugins.h>)
#include <wsutil/plugins.h>
#endif
#endif
#ifdef WS_PLUGIN_DESC_DISSECTOR
#define KD_HAVE_PLUGIN_DESCRIBE 1
#else
#define KD_HAVE_PLUGIN_DESCRIBE 0
#endif

/* "4.6", for messages naming the Wireshark a field was looked up in. */
#define KD_WS_STR_(x) #x
#define KD_WS_STR(x) KD_WS_STR_(x)
#define KD_WS_VERSION_STR KD_WS_STR(WIRESHARK_VERSION_MAJOR) "." KD_WS_STR(WIRESHARK_VERSION_MINOR)

#endif /* KD_COMPAT_H */
