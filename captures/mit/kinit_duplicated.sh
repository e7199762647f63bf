#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kinit_duplicated: a successful kinit alice and kvno host/svc, recorded on two ports of
# the lab bridge at once (the client's and the KDC's), as a capture on two mirrored
# switch ports or on several interfaces records it: every datagram appears twice,
# byte-identical, microseconds apart, in one pcapng with two interfaces. Proves that
# duplicates are one message: the PREAUTH_REQUIRED round trip is one benign finding (on
# the first copy), no request is counted twice, and nothing else is reported.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
SCENARIO=kinit_duplicated
PCAP=$CAPTURES/pcap/$SCENARIO.pcapng
mkdir -p "$CAPTURES/pcap"

mit_lab "$SCENARIO"
mit_addprinc kdc host/svc.example.test -randkey
mit_lab_start

LAB_CAPTURE_PORTS="client kdc" lab_capture_start "$PCAP" 'port 88'
mit_kinit_kvno host/svc.example.test
lab_capture_stop
# dumpcap writes each interface's packets in batches; put them in time order, as a
# capture tool that merges interfaces does.
reordercap "$PCAP" "$PCAP.sorted" >/dev/null
mv "$PCAP.sorted" "$PCAP"
chmod a+r "$PCAP"

expect_begin "$PCAP" \
    "$SCENARIO: MIT krb5 1.20, kinit alice and kvno host/svc succeed; captured on the" \
    "client's and the KDC's bridge ports at once, so every datagram is recorded twice" \
    "(two interfaces, byte-identical, microseconds apart). Intended: one preauth_required" \
    "finding on the first copy of the error; the second copy (copies=) carries none."
[ "$(expect_frames 'frame.interface_id == 1' | wc -l)" -eq "$(expect_frames 'frame.interface_id == 0' | wc -l)" ]
# first_copy F: F, or the frame just before it when that one is F's twin (same UDP
# stream, same message type, recorded on the other interface).
first_copy() {
    local f=$1 p=$(($1 - 1))
    if [ "$p" -ge 1 ] && [ "$(expect_field "$p" udp.stream)" = "$(expect_field "$f" udp.stream)" ] &&
        [ "$(expect_field "$p" kerberos.msg_type)" = "$(expect_field "$f" kerberos.msg_type)" ] &&
        [ "$(expect_field "$p" frame.interface_id)" != "$(expect_field "$f" frame.interface_id)" ]; then
        echo "$p"
    else
        echo "$f"
    fi
}
for f in $(expect_errors 25); do
    [ "$(first_copy "$f")" = "$f" ] || continue
    twin=$((f + 1))
    [ "$(first_copy "$twin")" = "$f" ]
    req=$(first_copy "$(expect_request "$f")")
    next=$(expect_frame "frame.number > $twin && kerberos.msg_type == 10 && kerberos.padata_type == 2")
    expect_line "$f" preauth_required client=alice spn=krbtgt/EXAMPLE.TEST "copies=$twin" "evidence=$req,$next"
done
expect_check
