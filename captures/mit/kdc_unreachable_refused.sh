#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdc_unreachable_refused: the KDC host is up but no KDC runs on it: the UDP AS-REQ gets
# ICMP port unreachable, the TCP SYN a RST, and MIT kinit gives up at once ("Cannot
# contact any KDC"). Proves kdc_unreachable without retransmissions. See
# kdc_unreachable.sh.
set -euo pipefail
SCENARIO=kdc_unreachable_refused MODE=refused \
    exec bash "$(dirname "${BASH_SOURCE[0]}")/kdc_unreachable.sh"
