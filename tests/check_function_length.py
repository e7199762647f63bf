#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Lists C functions longer than a limit (default 80 lines) and fails if any.

A function is counted from the line of its name to its closing brace, in the
layout Wireshark's style gives it: return type on its own line, the name at the
start of a line, the opening and closing braces at the start of a line.
Registration tables and the cause catalog are data (initialisers), not functions,
and are never counted; proto_register_* / proto_reg_handoff_* functions, which are
mostly the hf/ei arrays Wireshark wants inside them, are left out as registration.

Usage: check_function_length.py [--limit N] [--list] [DIR...]   (default: heuristics)
  --list  print every function with its length, longest first, and never fail
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = re.compile(r'^([A-Za-z_]\w*)\s*\(')
REGISTRATION = re.compile(r'^proto_(register|reg_handoff)_')


def functions(path):
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    i = 0
    while i < len(lines):
        m = NAME.match(lines[i])
        if m and m.group(1) not in ('if', 'for', 'while', 'switch', 'return', 'sizeof'):
            j = i
            while j < len(lines) and not lines[j].startswith('{') and not lines[j].rstrip().endswith(';'):
                j += 1
            if j < len(lines) and lines[j].startswith('{'):
                k = j + 1
                while k < len(lines) and not lines[k].startswith('}'):
                    k += 1
                yield m.group(1), i + 1, k - i + 1
                i = k
        i += 1


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument('--limit', type=int, default=80)
    ap.add_argument('--list', action='store_true')
    ap.add_argument('dirs', nargs='*', default=['heuristics'])
    args = ap.parse_args(argv[1:])
    rows = []
    for d in args.dirs:
        for dirpath, _, files in os.walk(os.path.join(ROOT, d)):
            for f in sorted(files):
                if not f.endswith('.c'):
                    continue
                path = os.path.join(dirpath, f)
                for name, line, length in functions(path):
                    if not REGISTRATION.match(name):
                        rows.append((length, os.path.relpath(path, ROOT), line, name))
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    if args.list:
        for length, path, line, name in rows:
            print('%4d %s:%d %s' % (length, path, line, name))
        return 0
    long_ones = [r for r in rows if r[0] > args.limit]
    for length, path, line, name in long_ones:
        print('%s:%d: %s is %d lines (limit %d)' % (path, line, name, length, args.limit))
    if long_ones:
        print('%d function(s) over %d lines: split them' % (len(long_ones), args.limit))
        return 1
    print('%d functions in %s, none over %d lines (longest: %s, %d)'
          % (len(rows), ', '.join(args.dirs), args.limit, rows[0][3] if rows else '-', rows[0][0] if rows else 0))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
