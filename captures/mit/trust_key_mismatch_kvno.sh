#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trust_key_mismatch_kvno: as trust_key_mismatch, but B's copy of krbtgt/B.TEST@A.TEST
# also has another kvno (3; A's is 1). B finds no key of the ticket's kvno and the MIT
# KDC answers KRB_ERR_GENERIC (60, e-text PROCESS_TGS), not BAD_INTEGRITY: on the wire
# this looks like dc_etype_mismatch, except that the TGT is a cross-realm referral
# ticket (sname krbtgt/B.TEST issued by A.TEST) presented to the other realm's KDC.
# Proves trust_key_mismatch when the error code is generic.
set -euo pipefail
SCENARIO=trust_key_mismatch_kvno TRUST_KVNO=3 \
    exec bash "$(dirname "${BASH_SOURCE[0]}")/trust_key_mismatch.sh"
