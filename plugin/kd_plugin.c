/* kd_plugin.c
 * The entry points Wireshark looks for in a plugin library: its version, the
 * Wireshark version it was built for, and the registration of the protocol.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Only the build against an installed Wireshark compiles this file. Inside a
 * Wireshark source tree (tools/intree) Wireshark generates the same entry
 * points (plugin.c) from proto_register_krbdiag() and proto_reg_handoff_krbdiag().
 */
#define WS_BUILD_DLL
#include <wireshark.h>

#include <epan/proto.h>

#include "kd_compat.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

void proto_register_krbdiag(void);
void proto_reg_handoff_krbdiag(void);

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);
#if KD_HAVE_PLUGIN_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);
#endif

void
plugin_register(void)
{
    static proto_plugin plug;
    plug.register_protoinfo = proto_register_krbdiag;
    plug.register_handoff = proto_reg_handoff_krbdiag;
    proto_register_plugin(&plug);
}

#if KD_HAVE_PLUGIN_DESCRIBE
/* Listed as a dissector plugin by tshark -G plugins (else its type reads "unknown"). */
uint32_t
plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif
