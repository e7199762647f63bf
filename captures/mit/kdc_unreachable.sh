#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdc_unreachable: the client's only KDC does not answer at all (host down or a firewall
# dropping port 88: here the address 10.88.0.6 has a static neighbour entry on the
# client and no host behind it, so frames go out and nothing comes back). MIT kinit
# sends the AS-REQ over UDP, opens TCP after 1 s (SYN retransmitted by the kernel),
# retries UDP at 4 s and 9 s, and gives up after about 18 s with "Cannot contact any KDC
# for realm". No KRB-ERROR at all; the finding sits on the first unanswered request,
# with the retries as evidence. Proves kdc_unreachable.
#
# Variants (own wrapper scripts): MODE=refused (a host that is up but runs no KDC:
# ICMP port unreachable for UDP, RST for TCP) and MODE=failover (that dead KDC listed
# first, a working KDC second: kinit succeeds).
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/expect.sh"
mit_need
MODE=${MODE:-silent}
SCENARIO=${SCENARIO:-kdc_unreachable}
PCAP=$CAPTURES/pcap/$SCENARIO.pcapng
mkdir -p "$CAPTURES/pcap"

lab_init "$SCENARIO"
lab_host kdc 10.88.0.2
lab_host client 10.88.0.10
case $MODE in
    silent)
        dead=10.88.0.6
        lab_exec client ip neigh replace "$dead" lladdr 02:00:00:00:00:06 dev eth0 nud permanent
        ;;
    refused|failover)
        dead=10.88.0.5
        lab_host dead "$dead"   # up, but no KDC
        ;;
    *) echo "kdc_unreachable: unknown MODE $MODE" >&2; exit 1 ;;
esac
mit_realm EXAMPLE.TEST kdc 10.88.0.2
mit_addprinc kdc alice +requires_preauth
mit_kdc_start kdc
mit_client_conf client EXAMPLE.TEST "$dead"
if [ "$MODE" = failover ]; then
    sed -i "s/kdc = $dead/&\n        kdc = 10.88.0.2/" "$LAB_DIR/client/krb5.conf"
fi

lab_capture_start "$PCAP" 'port 88 or icmp'
if [ "$MODE" = failover ]; then
    echo Passw0rd-alice | mit_as client kinit alice >/dev/null
elif echo Passw0rd-alice | mit_as client kinit alice >/dev/null 2>&1; then
    echo "$SCENARIO: kinit succeeded without a KDC" >&2
    exit 1
fi
lab_capture_stop

case $MODE in
    silent) expect_begin "$PCAP" \
        "$SCENARIO: MIT krb5 1.20 kinit, the only KDC ($dead) never answers: AS-REQ over" \
        "UDP, TCP SYN after 1 s (retransmitted), UDP retries at 4 s and 9 s, give-up at 18 s." \
        "The TCP attempt that shows the UDP request unanswered decides it (finding of its own)." ;;
    refused) expect_begin "$PCAP" \
        "$SCENARIO: MIT krb5 1.20 kinit, the only KDC address ($dead) runs no KDC: the UDP" \
        "AS-REQ gets ICMP port unreachable, the TCP SYN a RST; kinit gives up at once." \
        "The ICMP error decides it (finding of its own)." ;;
    failover) expect_begin "$PCAP" \
        "$SCENARIO: MIT krb5 1.20 kinit, the first KDC listed ($dead) runs no KDC (ICMP" \
        "port unreachable), the second (10.88.0.2) answers; each AS-REQ goes to the dead" \
        "one first. kinit succeeds: the series is recovered (evidence: the second KDC's" \
        "answers); the ICMP error that decides it carries a finding of its own (one pass)." ;;
esac
expect_preauth_required
# Every Kerberos request or TCP connection attempt to the dead KDC, and what came back.
unanswered=$(expect_frames "!icmp && ip.dst == $dead && (kerberos.msg_type == 10 || (tcp.flags.syn == 1 && !tcp.analysis.retransmission))")
replies=$(expect_frames "ip.src == $dead && (icmp.type == 3 || tcp.flags.reset == 1)")
first=$(echo "$unanswered" | head -n 1)
[ -n "$first" ]
evidence=$(printf '%s\n' "$unanswered" "$replies" | grep . | sort -n -u | paste -sd,)
# The second sign decides that the KDC is silent: that frame carries a finding of its
# own, since a single pass has shown the first request already.
deciding=$(printf '%s\n' "$unanswered" "$replies" | grep . | sort -n -u | sed -n 2p)
[ -n "$deciding" ]
if [ "$MODE" = failover ]; then
    # The live KDC's answers to the same AS-REQ recover the series.
    answers=$(expect_frames "ip.src == 10.88.0.2 && (kerberos.msg_type == 11 || kerberos.msg_type == 30)")
    all=$(printf '%s\n' "$evidence" "$answers" | tr ',' '\n' | grep . | sort -n -u | paste -sd,)
    expect_line "$first" kdc_unreachable client=alice spn=krbtgt/EXAMPLE.TEST recovered=yes "evidence=$all"
    expect_line "$deciding" kdc_unreachable client=alice spn=krbtgt/EXAMPLE.TEST recovered=yes \
        "evidence=$first,$(echo "$answers" | head -n 1)"
else
    expect_line "$first" kdc_unreachable client=alice spn=krbtgt/EXAMPLE.TEST recovered=no "evidence=$evidence"
    expect_line "$deciding" kdc_unreachable client=alice spn=krbtgt/EXAMPLE.TEST recovered=no "evidence=$first"
fi
expect_check
