# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for the capture scenarios: every host in its own network
# namespace, all joined by one bridge that lives in a namespace of its own, so
# nothing touches the machine's real interfaces. Source this file, then:
#
#   lab_init NAME                 work dir $LAB_DIR, bridge namespace, cleanup trap
#   lab_host HOST IP [NAME...]    namespace kd-$LAB_ID-HOST with IP/24 on the lab net;
#                                 NAMEs go into the lab's shared /etc/hosts file ($LAB_DIR/hosts)
#   lab_exec HOST CMD...          run CMD inside HOST's namespace
#   lab_bg HOST PIDFILE CMD...    run CMD in the background inside HOST, remember its pid
#   lab_capture_start FILE [BPF]  dumpcap on the bridge (default filter: Kerberos and friends);
#                                 with LAB_CAPTURE_PORTS="HOST..." set, on those hosts' bridge
#                                 ports instead: a frame between two of them is recorded twice,
#                                 byte-identical (a capture on two mirrored switch ports)
#   lab_capture_stop              stop dumpcap, make the file world-readable
#   lab_cleanup                   kill what was started, delete namespaces (also on exit)
#
# Addresses live on 10.88.0.0/24, which exists only inside these namespaces.
set -euo pipefail

LAB_NET_PREFIX=${LAB_NET_PREFIX:-10.88.0}
LAB_DEFAULT_BPF='port 88 or port 53 or port 80 or port 389 or port 445 or port 135 or port 464 or port 749 or icmp or (tcp and portrange 49152-65535 and net 10.88.0.0/24 and not port 22)'

lab_need() {
    # Install Debian packages the scenario needs, once per machine.
    local missing=()
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "lab: installing ${missing[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

lab_init() {
    LAB_NAME=$1
    LAB_ID=$(printf '%s' "$LAB_NAME$$" | md5sum | cut -c1-6)
    LAB_DIR=$(mktemp -d "/tmp/kdlab-$LAB_NAME.XXXXXX")
    chmod 755 "$LAB_DIR"
    LAB_BR_NS="kd-$LAB_ID-br"
    LAB_PIDS=()
    LAB_HOSTS=()
    LAB_PORTS=()
    : > "$LAB_DIR/hosts"
    echo "127.0.0.1 localhost" >> "$LAB_DIR/hosts"
    trap lab_cleanup EXIT INT TERM
    ip netns add "$LAB_BR_NS"
    ip -n "$LAB_BR_NS" link add br0 type bridge
    ip -n "$LAB_BR_NS" link set br0 up
    ip -n "$LAB_BR_NS" link set lo up
    # No IPv6: keeps captures free of router solicitations and AAAA noise.
    ip netns exec "$LAB_BR_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
}

lab_host() {
    local host=$1 ip=$2
    shift 2
    local ns="kd-$LAB_ID-$host"
    local n=${#LAB_HOSTS[@]}
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    ip link add "kd$LAB_ID$n" type veth peer name "kb$LAB_ID$n"
    ip link set "kd$LAB_ID$n" netns "$ns"
    ip link set "kb$LAB_ID$n" netns "$LAB_BR_NS"
    ip -n "$ns" link set "kd$LAB_ID$n" name eth0
    ip -n "$ns" addr add "$ip/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    ip -n "$LAB_BR_NS" link set "kb$LAB_ID$n" master br0
    ip -n "$LAB_BR_NS" link set "kb$LAB_ID$n" up
    LAB_HOSTS+=("$host")
    LAB_PORTS+=("kb$LAB_ID$n")
    local name
    for name in "$@"; do
        echo "$ip $name" >> "$LAB_DIR/hosts"
    done
}

lab_exec() {
    local host=$1
    shift
    ip netns exec "kd-$LAB_ID-$host" "$@"
}

lab_bg() {
    local host=$1 pidfile=$2
    shift 2
    ip netns exec "kd-$LAB_ID-$host" "$@" &
    echo $! > "$pidfile"
    LAB_PIDS+=("$!")
}

lab_capture_start() {
    LAB_CAPTURE=$1
    local bpf=${2:-$LAB_DEFAULT_BPF}
    rm -f "$LAB_CAPTURE"
    local ifaces=() h i
    if [ -n "${LAB_CAPTURE_PORTS:-}" ]; then
        for h in $LAB_CAPTURE_PORTS; do
            for i in "${!LAB_HOSTS[@]}"; do
                [ "${LAB_HOSTS[$i]}" = "$h" ] && ifaces+=(-i "${LAB_PORTS[$i]}" -f "$bpf")
            done
        done
    else
        ifaces=(-i br0 -f "$bpf")
    fi
    ip netns exec "$LAB_BR_NS" dumpcap -q "${ifaces[@]}" -w "$LAB_CAPTURE" >/dev/null 2>"$LAB_DIR/dumpcap.log" &
    LAB_DUMPCAP_PID=$!
    sleep 0.2
    if ! kill -0 "$LAB_DUMPCAP_PID" 2>/dev/null; then cat "$LAB_DIR/dumpcap.log" >&2; return 1; fi
    LAB_PIDS+=("$LAB_DUMPCAP_PID")
    # Wait until dumpcap has opened the file, so no early frame is lost.
    local i
    for i in $(seq 1 50); do
        [ -s "$LAB_CAPTURE" ] && break
        sleep 0.1
    done
    sleep 0.3
}

lab_capture_stop() {
    sleep 0.5
    if [ -n "${LAB_DUMPCAP_PID:-}" ]; then
        kill -INT "$LAB_DUMPCAP_PID" 2>/dev/null || true
        wait "$LAB_DUMPCAP_PID" 2>/dev/null || true
        LAB_DUMPCAP_PID=
    fi
    chmod a+r "$LAB_CAPTURE"
}

lab_cleanup() {
    set +e
    [ -n "${LAB_DUMPCAP_PID:-}" ] && kill -INT "$LAB_DUMPCAP_PID" 2>/dev/null && sleep 0.3
    local p
    for p in "${LAB_PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null
    done
    sleep 0.2
    local h
    for h in "${LAB_HOSTS[@]:-}"; do
        [ -n "$h" ] || continue
        # Anything still running in the namespace goes with it.
        local pids
        pids=$(ip netns pids "kd-$LAB_ID-$h" 2>/dev/null)
        [ -n "$pids" ] && kill -9 $pids 2>/dev/null
        ip netns del "kd-$LAB_ID-$h" 2>/dev/null
    done
    [ -n "${LAB_BR_NS:-}" ] && ip netns del "$LAB_BR_NS" 2>/dev/null
    [ -n "${LAB_DIR:-}" ] && [ -z "${LAB_KEEP:-}" ] && rm -rf "$LAB_DIR"
    trap - EXIT INT TERM
    set -e
}
