#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The functions Wireshark keeps out of dissectors, kept out of plugin/ and heuristics/.

Wireshark's own checker (tools/checkAPIs.pl, run by `ninja checkAPI` and its
pre-commit hook, with the groups it gives dissector plugins) blocks calls that
overrun buffers, depend on the locale or the platform, bypass its file and
memory wrappers, end the program, or print to the terminal. This is the same
list, checked the same way (comments and string literals removed, then calls
looked for by name), so that a change that upstream would stop is stopped here
without Wireshark's scripts. Programs run at build time (a file with a main(),
such as the Markdown generators in heuristics/) may print.

    check_apis.py [FILE...]     (default: plugin/*.[ch], heuristics/**/*.[ch])
Exit 0: none found; 1: calls found (listed as FILE:LINE: NAME: why).
"""

import glob
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name -> what to use instead (the reasons of checkAPIs.pl's groups, in short).
FORBIDDEN = {}


def forbid(names, why):
    for n in names.split():
        FORBIDDEN[n] = why


forbid("gets sprintf vsprintf g_sprintf g_vsprintf strcpy strncpy strcat strncat",
       "can overrun its buffer: use snprintf, g_strlcpy, wmem_strbuf or g_strdup_printf")
forbid("g_snprintf g_vsnprintf", "use the C library's snprintf or vsnprintf")
forbid("g_fprintf g_vfprintf", "not portable to Windows builds")
forbid("atoi atof strtod strtoull", "use wsutil's strtoi functions or g_ascii_strtoull/g_ascii_strtod")
forbid("ntohl ntohs htonl htons", "not portable: use g_ntohl and the like, or tvb_get_ntoh*")
forbid("strdup strndup malloc calloc realloc valloc free cfree",
       "use wmem or the g_ functions (memory from one allocator is not freed by the other)")
forbid("bzero bcopy bcmp", "not ANSI C: use memset, memcpy, memcmp")
forbid("isalnum isascii isalpha iscntrl isdigit islower isgraph isprint ispunct isspace isupper "
       "isxdigit tolower toupper strcasecmp strncasecmp",
       "depends on the locale: use the g_ascii_ version")
forbid("g_memdup", "deprecated: use g_memdup2")
forbid("g_strcasecmp g_strncasecmp g_strup g_strdown g_string_up g_string_down",
       "deprecated: use the g_ascii_ version")
forbid("strerror", "use g_strerror")
forbid("open rename mkdir stat unlink remove fopen freopen fstat lseek",
       "file names are UTF-8 on Windows: use the ws_ or g_ wrapper")
forbid("tmpnam", "use mkstemp or g_file_open_tmp")
forbid("perror", "report with ws_warning or the caller's error path")
forbid("ctime", "use abs_time_secs_to_str")
forbid("tvb_length_remaining", "use tvb_captured_length_remaining or tvb_reported_length_remaining")
forbid("abort assert assert_perror exit g_assert g_error",
       "ends the program: a dissector must survive any capture (DISSECTOR_ASSERT, or a checked return)")
forbid("printf vprintf puts putchar g_print g_warning",
       "prints to the terminal from dissection: use ws_warning/ws_debug, or a tap's own output")

# A file with a main() is a program run at build time (the catalog's and the dispatch
# table's Markdown generators), never loaded by Wireshark: it may print and exit.
PROGRAM = re.compile(r'^int\s+main\s*\(', re.M)

# C comments, C++ comments, string and character literals (kept apart so that a
# quote inside a comment or a slash inside a string does not mislead).
TOKENS = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
CALL = re.compile(r'(?<![\w.>:])(' + "|".join(sorted(FORBIDDEN, key=len, reverse=True)) + r')\s*\(')
# printf-style length modifiers Windows builds do not take (use the PRI macros).
FORMAT = re.compile(r'%[-+ #0-9.*]*(ll|hh)[diouxX]')


def blank(m):
    """The match with everything but newlines blanked: line numbers stay right."""
    text = m.group(0)
    if text.startswith('"'):
        return '""'
    return re.sub(r'[^\n]', ' ', text)


def check(path):
    rel = os.path.relpath(path, REPO)
    src = open(path, encoding="utf-8", errors="replace").read()
    problems = []
    for m in FORMAT.finditer(src):
        line = src.count("\n", 0, m.start()) + 1
        problems.append("%s:%d: %s: use the PRI* macros (%%%s is not portable)" % (rel, line, m.group(0), m.group(1)))
    code = TOKENS.sub(blank, src)
    if PROGRAM.search(code):
        return problems
    for m in CALL.finditer(code):
        line = code.count("\n", 0, m.start()) + 1
        problems.append("%s:%d: %s: %s" % (rel, line, m.group(1), FORBIDDEN[m.group(1)]))
    return problems


def main(argv):
    files = argv[1:] or sorted(glob.glob(os.path.join(REPO, "plugin", "*.[ch]")) +
                               glob.glob(os.path.join(REPO, "heuristics", "**", "*.[ch]"), recursive=True))
    problems = []
    for f in files:
        problems += check(f)
    for p in problems:
        print(p)
    print("check_apis: %d files, %d calls Wireshark keeps out of dissectors" % (len(files), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
