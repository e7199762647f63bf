/* replay_main.c
 * Runs a libFuzzer-style target over saved inputs, with any compiler:
 *
 *   fuzz_X_replay FILE-OR-DIRECTORY...
 *
 * Directories are read in name order (not recursively). Exits non-zero when a
 * path cannot be read or when no input was found; a crashing input crashes the
 * process (and the sanitizers, when built with them, report it).
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
    gchar *buf = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        fprintf(stderr, "replay: %s\n", err->message);
        g_error_free(err);
        return -1;
    }
    /* Exactly-sized copy, as libFuzzer hands inputs over. */
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, buf, len);
    g_free(buf);
    if (getenv("REPLAY_VERBOSE"))
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, (size_t)len);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    return 0;
}

static int
cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
    unsigned ran = 0;
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        if (!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            if (run_file(argv[i]) == 0)
                ran++;
            else
                bad = 1;
            continue;
        }
        GDir *d = g_dir_open(argv[i], 0, NULL);
        if (!d) {
            fprintf(stderr, "replay: cannot open %s\n", argv[i]);
            bad = 1;
            continue;
        }
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL) {
            if (n[0] != '.')
                g_ptr_array_add(names, g_build_filename(argv[i], n, NULL));
        }
        g_dir_close(d);
        qsort(names->pdata, names->len, sizeof(gpointer), cmp);
        for (guint j = 0; j < names->len; j++) {
            const char *p = g_ptr_array_index(names, j);
            if (!g_file_test(p, G_FILE_TEST_IS_REGULAR))
                continue;
            if (run_file(p) == 0)
                ran++;
            else
                bad = 1;
        }
        g_ptr_array_free(names, TRUE);
    }
    printf("replay: %u inputs, no crash\n", ran);
    return bad || ran == 0 ? 1 : 0;
}
