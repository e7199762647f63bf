/* kd_menu.c
 * Wireshark's menu entry Tools > Kerberos Diagnosis > Ladder (HTML): the HTML page
 * of the open capture (its findings with their ladders, and the report), written to
 * a temporary file and opened with the desktop's application for HTML.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The page comes from the same writer as tshark's -z krbdiag,html, reading the
 * findings the plugin stored while the capture loaded (no second run of anything).
 * Menus are Wireshark's public plugin interface (epan/plugin_if.h), the same on 4.0,
 * 4.4 and 4.6; tshark registers the entry and never shows it.
 */
#include <wireshark.h>

#include <glib/gstdio.h>

#include <epan/plugin_if.h>
#ifdef KD_HAVE_GIO
#include <gio/gio.h>
#endif

#include "packet-krbdiag.h"

/* Write page into a new temporary file; its name (to free), or NULL. */
static char *
write_page(const GString *page)
{
    GError *err = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("krbdiag-ladder-XXXXXX.html", &path, &err);
    if (fd < 0) {
        ws_warning("krbdiag: cannot create a temporary file for the ladder page: %s", err->message);
        g_error_free(err);
        return NULL;
    }
    g_close(fd, NULL);
    if (!g_file_set_contents(path, page->str, (gssize)page->len, &err)) {
        ws_warning("krbdiag: cannot write %s: %s", path, err->message);
        g_error_free(err);
        g_free(path);
        return NULL;
    }
    return path;
}

#ifdef KD_HAVE_GIO
/* Open uri with the desktop's application for text/html. Not by the file's sniffed
 * content type (g_app_info_launch_default_for_uri): shared-mime-info takes the
 * page's <html xmlns="http://www.w3.org/1999/xhtml"> for application/xhtml+xml,
 * which desktops often leave without a default (GIO then says no application is
 * registered) or hand to an XML editor. */
static gboolean
launch_html(const char *uri, GError **err)
{
    GAppInfo *app = g_app_info_get_default_for_type("text/html", FALSE);
    if (!app)
        return g_app_info_launch_default_for_uri(uri, NULL, err);
    GList uris = { (gpointer)uri, NULL, NULL };
    gboolean launched = g_app_info_launch_uris(app, &uris, NULL, err);
    g_object_unref(app);
    return launched;
}
#endif

static void
open_page(const char *path)
{
#ifdef KD_HAVE_GIO
    GError *err = NULL;
    char *uri = g_filename_to_uri(path, NULL, &err);
    if (!uri || !launch_html(uri, &err)) {
        ws_warning("krbdiag: wrote %s, but cannot open it: %s", path, err ? err->message : "?");
        g_clear_error(&err);
    }
    g_free(uri);
#else
    ws_warning("krbdiag: wrote %s (open it in a web browser)", path);
#endif
}

static void
ladder_menu_activated(ext_menubar_gui_type gui_type _U_, gpointer gui_object _U_, gpointer user_data _U_)
{
    ws_info_t *info = NULL;
    plugin_if_get_ws_info(&info);
    const char *name = info && info->cf_filename ? info->cf_filename : "(no capture open)";
    GString *page = g_string_new(NULL);
    kd_report_write_html(page, name);
    char *path = write_page(page);
    g_string_free(page, TRUE);
    if (path)
        open_page(path);
    g_free(path);
}

void
kd_register_menu(int proto)
{
    ext_menu_t *menu = ext_menubar_register_menu(proto, "Kerberos Diagnosis", TRUE);
    ext_menubar_set_parentmenu(menu, "Tools");
    ext_menubar_add_entry(menu, "Ladder (HTML)",
                          "Open the findings of this capture as ladder diagrams, with the report, in a web browser",
                          ladder_menu_activated, NULL);
}
