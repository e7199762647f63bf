#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdc_unreachable_failover: the first KDC in the client's list runs no KDC (ICMP port
# unreachable), the second answers. MIT kinit tries the dead one first for every
# request, then the live one, and succeeds. One kdc_unreachable finding for the dead
# KDC (on its first unanswered request) plus the benign PREAUTH_REQUIRED. See
# kdc_unreachable.sh.
set -euo pipefail
SCENARIO=kdc_unreachable_failover MODE=failover \
    exec bash "$(dirname "${BASH_SOURCE[0]}")/kdc_unreachable.sh"
