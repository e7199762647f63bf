#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Mutated corpus captures through tshark with the sanitized krbdiag plugin.
#
#   tests/fuzz/fuzz_captures.sh --build BUILD [--short | --long | --count N]
#                               [--seed S] [--batch K] [--jobs J] [--out DIR] [--keep]
#
# BUILD must be configured with -DKRBDIAG_SANITIZE=ON (otherwise: "SKIP", exit 77):
#   cmake -S . -B build-asan -DKRBDIAG_SANITIZE=ON && cmake --build build-asan -j2
#   tests/fuzz/fuzz_captures.sh --build build-asan --short    # CI: about a minute
#   tests/fuzz/fuzz_captures.sh --build build-asan --long     # 10,000 mutated captures
# Installs tshark/editcap/mergecap and python3 with apt-get when missing.
# The rules (what fails, what is only listed) are in fuzz_captures.py.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v editcap >/dev/null 2>&1 || need+=(wireshark-common)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "fuzz_captures: missing ${need[*]} (install them, or run as root)" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
exec python3 "$here/fuzz_captures.py" "$@"
