#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# samba_kinit_success: a Samba 4.17 AD DC (its Heimdal KDC), an MIT krb5 1.20 client.
# kinit alice over UDP: KDC_ERR_PREAUTH_REQUIRED (e-data METHOD-DATA with the PA types
# Samba offers and ETYPE-INFO2), the pre-authenticated AS-REQ gets
# KRB_ERR_RESPONSE_TOO_BIG (the AS-REP with its PAC does not fit the UDP limit), the
# client retries over TCP and gets its TGT. Then kvno cifs/dc.ad.example.test and
# smbclient -k listing the netlogon share over SMB2 (SPNEGO/Kerberos session setup, a
# forwarded-TGT TGS exchange by smbclient's own Heimdal because the DC is trusted for
# delegation). A successful exchange: only the benign findings (preauth_required,
# response_too_big), nothing else.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 "${SAMBA_PACKAGES[@]}"
NAME=samba_kinit_success
PCAP=$CAPTURES/pcap/$NAME.pcapng
mkdir -p "$CAPTURES/pcap"

samba_lab "$NAME"

lab_capture_start "$PCAP"
echo Passw0rd-alice | samba_as client kinit alice >/dev/null
samba_as client kvno cifs/dc.ad.example.test >/dev/null
samba_as client smbclient "${SAMBA_SMB_OPTS[@]}" //dc.ad.example.test/netlogon -c ls >/dev/null
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC (Heimdal KDC), MIT krb5 1.20 client; kinit alice over UDP:" \
    "PREAUTH_REQUIRED, then KRB_ERR_RESPONSE_TOO_BIG for the pre-authenticated AS-REQ and a" \
    "TCP retry that gets the AS-REP; kvno cifs/dc.ad.example.test; smbclient -k lists" \
    "netlogon over SMB2 (Kerberos session setup succeeds). Benign findings only."
expect_preauth_required
samba_expect_response_too_big
expect_frame 'kerberos.error_code == 52' >/dev/null
expect_frame 'kerberos.msg_type == 11 && tcp' >/dev/null
expect_frame 'smb2.cmd == 1 && smb2.nt_status == 0 && smb2.flags.response == 1' >/dev/null
expect_frame 'smb2.cmd == 3 && smb2.nt_status == 0 && smb2.flags.response == 1' >/dev/null
expect_check
