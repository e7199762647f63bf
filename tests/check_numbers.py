#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fails when a protocol number is written bare instead of by its name.

Protocol numbers (Kerberos error codes, PA-DATA and encryption types, message
types, NTSTATUS, DCE/RPC packet types, SMB2 commands) are named once, in
heuristics/kd_numbers.h. This check reads the C files of the given directories
(default: heuristics/), with comments and string literals blanked, and reports:

  1. an NTSTATUS of error severity written as a number (0xC0000000-0xC0FFFFFF);
  2. a comparison (==, !=, <, >, <=, >=) of a protocol-number variable with an
     integer literal other than 0 and -1 (the "absent" sentinels), either side;
  3. a case label with an integer literal in a switch on such a variable;
  4. a #define giving a protocol number a second name (a macro whose name has a
     part ERR, PA, ETYPE, NT, STATUS, PORT, KDC_OPT, DCERPC, SMB2 or NTLMSSP and
     whose value is an integer literal).

A protocol-number variable is an identifier (or the last member of a member
access, or an array element) named error_code, code, nt_status, status, padata,
pa, pa_type, etype(s), req_etypes, etype_info2, msg_type, message_type, pkt_type,
ptype, cmd, type, sport or dport. Names were chosen so that lengths, counts and
DER tags (len, n, tag, kvno) are never read as protocol numbers: the check is
precise rather than exhaustive, and a table of numbers (an initialiser) is not
parsed. kd_numbers.h itself is skipped.

Usage: check_numbers.py [DIR...]   (relative to the source tree; exit 1 on findings)
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

VAR = (r'(?:error_code|code|nt_status|status|padata|pa|pa_type|etypes?|req_etypes|etype_info2|'
       r'msg_type|message_type|pkt_type|ptype|cmd|type|sport|dport)')
# the variable, possibly indexed: etypes[i]
OPERAND = r'\b' + VAR + r'\b(?:\s*\[[^\]]*\])?'
LITERAL = r'(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*'
OP = r'(?:==|!=|<=|>=|<(?!<)|>(?!>))'
CMP_LEFT = re.compile(r'(?<![\w>.])(?:[\w\]\)]+(?:\.|->))*' + OPERAND + r'\s*' + OP + r'\s*(-?\s*' + LITERAL + r')\b')
CMP_RIGHT = re.compile(r'(?<![\w.])(-?' + LITERAL + r')\s*' + OP + r'\s*(?:[\w\]\)]+(?:\.|->))*' + OPERAND)
NTSTATUS = re.compile(r'\b0[xX][cC]0[0-9a-fA-F]{6}[uUlL]*\b')
SWITCH = re.compile(r'\bswitch\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)')
CASE = re.compile(r'\bcase\s+(-?\s*' + LITERAL + r')\s*:')
DEFINE = re.compile(r'^[ \t]*#[ \t]*define[ \t]+(?!TAG_)(\w*?(?:^|_|\b)(?:ERR|PA|ETYPE|NT|STATUS|PORT|KDC_OPT|DCERPC|SMB2|NTLMSSP)(?:_\w*)?)'
                    r'[ \t]+\(?(-?' + LITERAL + r')\)?[ \t]*$', re.M)
SENTINELS = {0, -1}


def blank(text):
    """Comments and string/char literals replaced by spaces, newlines kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r'[^\n]', ' ', text[i + 1:j - 1]) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def value(lit):
    lit = re.sub(r'[uUlL\s]', '', lit)
    neg = lit.startswith('-')
    lit = lit.lstrip('-')
    v = int(lit, 16) if lit.lower().startswith('0x') else int(lit)
    return -v if neg else v


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


def switch_bodies(code):
    """(start, end) of every switch body whose controlling expression is a protocol number."""
    for m in SWITCH.finditer(code):
        if not re.search(OPERAND + r'\s*$', m.group(1).strip()):
            continue
        start = code.find('{', m.end())
        if start < 0:
            continue
        depth, j = 0, start
        while j < len(code):
            if code[j] == '{':
                depth += 1
            elif code[j] == '}':
                depth -= 1
                if depth == 0:
                    break
            j += 1
        yield start, j


def check_file(path):
    raw = open(path, encoding='utf-8', errors='replace').read()
    code = blank(raw)
    lines = raw.split('\n')
    found = []

    def report(pos, what):
        ln = line_of(code, pos)
        found.append('%s:%d: %s: %s' % (os.path.relpath(path, ROOT), ln, what, lines[ln - 1].strip()))

    for m in NTSTATUS.finditer(code):
        report(m.start(), 'NTSTATUS as a number')
    for rx in (CMP_LEFT, CMP_RIGHT):
        for m in rx.finditer(code):
            if value(m.group(1)) not in SENTINELS:
                report(m.start(), 'protocol number compared with a literal')
    for m in DEFINE.finditer(code):
        report(m.start(), 'protocol number named outside kd_numbers.h')
    for start, end in switch_bodies(code):
        for m in CASE.finditer(code, start, end):
            if value(m.group(1)) not in SENTINELS:
                report(m.start(), 'case label with a literal in a switch on a protocol number')
    return sorted(set(found), key=lambda s: (s.split(':')[0], int(s.split(':')[1])))


def main(argv):
    dirs = argv[1:] or ['heuristics']
    problems = []
    for d in dirs:
        base = os.path.join(ROOT, d)
        for dirpath, _, files in os.walk(base):
            for f in sorted(files):
                if f.endswith(('.c', '.h')) and f != 'kd_numbers.h':
                    problems += check_file(os.path.join(dirpath, f))
    for p in problems:
        print(p)
    if problems:
        print('%d bare protocol number(s): name them in heuristics/kd_numbers.h' % len(problems))
        return 1
    print('no bare protocol number in %s' % ', '.join(dirs))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
