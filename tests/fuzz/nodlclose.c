/* nodlclose.c
 * Preloaded into tshark by fuzz_captures.sh, after the AddressSanitizer runtime:
 * makes dlclose() a no-op so that plugins stay mapped until the process ends.
 * Wireshark unloads its plugins on exit, before LeakSanitizer looks; without this
 * a leak allocated by the plugin is reported from "<unknown module>" and cannot
 * be attributed to krbdiag.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
int dlclose(void *handle);

int
dlclose(void *handle)
{
    (void)handle;
    return 0;
}
