#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ntlm_ip_target_smb: an NTLM logon because the client named the server by its address.
# alice gets a TGT from the Samba 4.17 AD DC (kinit: the client does talk to a KDC),
# then smbclient --use-kerberos=desired lists netlogon on //10.88.0.2 (the DC's
# address, not its name). Samba's client, like Windows, asks for no ticket when the
# target is an IP address: no TGS-REQ for cifs/10.88.0.2, the SMB2 SESSION_SETUP
# carries NTLMSSP (NEGOTIATE, CHALLENGE, AUTHENTICATE as ADEX\alice) and succeeds. The
# AUTHENTICATE's NTLMv2 response names the target cifs/10.88.0.2 (MsvAvTargetName).
# Proves ntlm_ip_target.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/samba.sh"
. "$CAPTURES/lib/expect.sh"
lab_need iproute2 util-linux tshark python3 "${SAMBA_PACKAGES[@]}"
NAME=ntlm_ip_target_smb
PCAP=$CAPTURES/pcap/$NAME.pcapng
DC_IP=10.88.0.2
mkdir -p "$CAPTURES/pcap"

samba_lab "$NAME" "udp_preference_limit = 1"

lab_capture_start "$PCAP"
echo Passw0rd-alice | samba_as client kinit alice >/dev/null
samba_as client smbclient -s "$LAB_DIR/client/smb.conf" --use-kerberos=desired -U 'alice%Passw0rd-alice' \
    "//$DC_IP/netlogon" -c ls >/dev/null
lab_capture_stop

expect_begin "$PCAP" \
    "$NAME: Samba 4.17 AD DC; kinit alice (TGT), then smbclient --use-kerberos=desired" \
    "lists //$DC_IP/netlogon (the DC's address): no TGS-REQ, SMB2 SESSION_SETUP with NTLMSSP" \
    "NEGOTIATE, CHALLENGE, AUTHENTICATE (ADEX\\alice, MsvAvTargetName cifs/$DC_IP), success."
expect_preauth_required
if [ -n "$(expect_frames 'kerberos.msg_type == 12')" ]; then
    echo "$NAME: the client asked for a service ticket" >&2
    exit 1
fi
auth=$(expect_frame "smb2.cmd == 1 && ntlmssp.messagetype == 3 && ntlmssp.auth.username == \"alice\" && ntlmssp.ntlmv2_response.target_name == \"cifs/$DC_IP\"")
stream=$(expect_field "$auth" tcp.stream)
expect_frame "smb2.cmd == 1 && smb2.flags.response == 1 && smb2.nt_status == 0 && tcp.stream == $stream" >/dev/null
neg=$(expect_frame "smb2.cmd == 1 && ntlmssp.messagetype == 1 && tcp.stream == $stream")
expect_line "$auth" ntlm_ip_target client=alice "evidence=$neg"
expect_check
