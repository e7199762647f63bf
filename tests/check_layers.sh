#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The engine's layering, checked on the built objects and the sources:
#  (a) a rule family never calls another: no rules object file references a
#      symbol that another rules object file defines (nm on the engine archive);
#  (b) nothing under heuristics/ includes a Wireshark header.
#
#   tests/check_layers.sh LIBKD_ENGINE.a HEURISTICS_DIR
set -euo pipefail
lib=$1
src=$2
status=0

# "member symbol-type symbol" for every rules member of the archive.
syms=$(nm -A "$lib" 2>/dev/null | sed -n 's/^[^:]*:\(kd_rules_[a-z0-9_]*\.c\.o\): *[0-9a-f]* *\([A-Za-z]\) \(.*\)$/\1 \2 \3/p')
members=$(printf '%s\n' "$syms" | awk '{print $1}' | sort -u)
if [ -z "$members" ]; then
    echo "FAIL no rules object (kd_rules_*.c.o) in $lib"
    exit 1
fi
# One pass: who defines what, then every undefined reference of a rules object
# that another rules object defines.
report=$(printf '%s\n' "$syms" | awk '
    $2 ~ /^[TDBRC]$/ { owner[$3] = $1; defs[$1] = defs[$1] " " $3 }
    $2 == "U" { uses[++n] = $1 " " $3 }
    END {
        for (m in defs) print "rules object " m " defines:" defs[m]
        for (i = 1; i <= n; i++) {
            split(uses[i], u, " ")
            if ((u[2] in owner) && owner[u[2]] != u[1])
                print "FAIL " u[1] " uses " u[2] ", defined by another rule family (" owner[u[2]] ")"
        }
    }' | sort)
echo "$report"
if printf '%s\n' "$report" | grep -q '^FAIL'; then
    status=1
fi
[ $status = 0 ] && echo "PASS no rules object references a symbol of another rules object ($(echo $members | wc -w) objects)"

# Wireshark headers: epan/, wsutil/, wiretap/, ui/, ws_*.h, wireshark's config.h.
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]((epan|wsutil|wiretap|ui|wireshark)/|ws_[^/]*\.h|config\.h|moduleinfo\.h|wireshark\.h)' \
      "$src" --include='*.c' --include='*.h' || true)
if [ -n "$bad" ]; then
    echo "FAIL Wireshark header included under heuristics/:"
    echo "$bad"
    status=1
else
    echo "PASS no Wireshark header under $(basename "$src")/ ($(find "$src" -name '*.[ch]' | wc -l) files)"
fi
exit $status
