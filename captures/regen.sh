#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerate the capture corpus: run every scenario script captures/<group>/<scenario>.sh
# (every group directory except lib/ and pcap/), one after the other, and report each.
# Exits non-zero if any scenario failed. Needs root (network namespaces); each script
# installs the Debian packages it needs.
#
#   bash captures/regen.sh                   all scenarios
#   bash captures/regen.sh NAME...           only these: a scenario name (kinit_success),
#                                            group/scenario (mit/kinit_success) or a
#                                            group (mit)
# Each scenario's output goes to $REGEN_LOG_DIR/<group>_<scenario>.log (default: a
# fresh directory under /tmp); the tail of it is shown when the scenario fails.
set -uo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

all_scripts() {
    local s group
    for s in "$CAPTURES"/*/*.sh; do
        [ -f "$s" ] || continue
        group=$(basename "$(dirname "$s")")
        case $group in lib|pcap) continue ;; esac
        echo "$s"
    done
}

scripts=()
if [ $# -eq 0 ]; then
    mapfile -t scripts < <(all_scripts)
else
    for name in "$@"; do
        name=${name%.sh}
        found=0
        while read -r s; do
            rel=${s#"$CAPTURES"/}
            rel=${rel%.sh}
            if [ "$name" = "$rel" ] || [ "$name" = "${rel#*/}" ] || [ "$name" = "${rel%%/*}" ]; then
                scripts+=("$s")
                found=1
            fi
        done < <(all_scripts)
        if [ $found -eq 0 ]; then
            echo "regen: no scenario or group named '$name'" >&2
            exit 2
        fi
    done
fi
if [ ${#scripts[@]} -eq 0 ]; then
    echo "regen: no scenario scripts found under $CAPTURES" >&2
    exit 2
fi

REGEN_LOG_DIR=${REGEN_LOG_DIR:-$(mktemp -d /tmp/krbdiag-regen.XXXXXX)}
mkdir -p "$REGEN_LOG_DIR"
failed=()
start_all=$SECONDS
for s in "${scripts[@]}"; do
    rel=${s#"$CAPTURES"/}
    rel=${rel%.sh}
    log="$REGEN_LOG_DIR/${rel//\//_}.log"
    start=$SECONDS
    if bash "$s" > "$log" 2>&1; then
        printf 'ok    %-45s %4ds\n' "$rel" $((SECONDS - start))
    else
        rc=$?
        printf 'FAIL  %-45s %4ds  (exit %d, log %s)\n' "$rel" $((SECONDS - start)) "$rc" "$log"
        tail -n 20 "$log" | sed 's/^/      | /'
        failed+=("$rel")
    fi
done
echo "regen: ${#scripts[@]} scenario(s), ${#failed[@]} failed, $((SECONDS - start_all))s; logs in $REGEN_LOG_DIR"
if [ ${#failed[@]} -gt 0 ]; then
    echo "regen: failed: ${failed[*]}" >&2
    exit 1
fi
