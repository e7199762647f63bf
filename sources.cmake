# SPDX-License-Identifier: GPL-2.0-or-later
# krbdiag's version and its one list of sources, read by both builds:
# CMakeLists.txt (against an installed Wireshark, found with pkg-config) and
# tools/intree/CMakeLists.txt (inside a Wireshark source tree, the way plugins
# are built on Windows and macOS). A new source file is added here only.
set(KRBDIAG_VERSION 0.1.0)

# The engine, relative to heuristics/: pure C11 + GLib, no Wireshark headers.
set(KD_ENGINE_SOURCES
  kd_catalog.c
  kd_dnsmsg.c
  kd_edata.c
  kd_encdata.c
  kd_kdcreq.c
  kd_krbmsg.c
  kd_krberr.c
  kd_ldapbind.c
  kd_ldapentry.c
  kd_engine.c
  kd_findings.c
  kd_gsskrb.c
  kd_ippkt.c
  kd_keytab.c
  kd_lru.c
  kd_ntlmauth.c
  kd_obs.c
  kd_pending.c
  kd_store.c
  kd_util.c
  rules/kd_rules_delegation.c
  rules/kd_rules_etype.c
  rules/kd_rules_kdc.c
  rules/kd_rules_ldap.c
  rules/kd_rules_probe.c
  rules/kd_rules_recovery.c
  rules/kd_rules_rpc.c
  rules/kd_rules_ntlm.c
  rules/kd_rules_service.c
  rules/kd_rules_transport.c
  rules/kd_rules_u2u.c
  rules/kd_rules_verifier.c
)

# The Wireshark plugin, relative to plugin/.
set(KD_PLUGIN_SOURCES
  packet-krbdiag.c
  kd_fields.c
  kd_extract.c
  kd_extract_dns.c
  kd_extract_http.c
  kd_extract_krb.c
  kd_extract_ldap.c
  kd_extract_net.c
  kd_extract_rpc.c
  kd_extract_smb.c
  kd_names.c
  kd_ladder.c
  kd_menu.c
  kd_stats.c
)

# The plugin's entry points (plugin_version, plugin_register...), relative to
# plugin/: built against an installed Wireshark only; inside a Wireshark source
# tree, Wireshark generates them (plugin.c) from KD_PLUGIN_SOURCES.
set(KD_PLUGIN_ENTRY_SOURCES
  kd_plugin.c
)
