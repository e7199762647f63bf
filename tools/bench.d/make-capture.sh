#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the benchmark capture for tools/bench:
#
#   make-capture.sh CACHE_DIR CORPUS_DIR BG_FRAMES KRB_FRAMES [LOAD]
#
# writes CACHE_DIR/big.pcapng, CACHE_DIR/bg.pcapng (the HTTP load alone) and
# CACHE_DIR/krb-only.pcapng (the Kerberos rounds alone).
#
# Background: a private nginx on 127.0.0.1 (never any other address), driven by
# bounded ApacheBench runs while dumpcap records BG_FRAMES packets on the
# loopback interface. LOAD "mixed" (default): keep-alive and not, several pages
# including a 40 kB download, 404s, POSTs. LOAD "http": a busy web server's
# small requests only (pages under 6 kB, JSON, 404s, POSTs; most connections
# kept alive), so nearly every frame is an HTTP request, an HTTP response or a
# TCP acknowledgement.
# Kerberos: the corpus captures laid end to end make one round; the round is
# copied until KRB_FRAMES frames are reached, each copy's 10.88.0.0/16 moved to
# a network of its own (tcprewrite --pnat) and time-shifted (editcap -t) so the
# copies spread evenly over the background's time span; mergecap interleaves
# everything by time stamp.
set -euo pipefail

cache=$1
corpus=$2
bg_frames=$3
krb_frames=$4
load=${5:-mixed}
case $load in mixed|http) ;; *) echo "make-capture: unknown load $load" >&2; exit 2 ;; esac
work=$cache/work
rm -rf "$work"
mkdir -p "$work"
chmod 755 "$work"

log() { printf '[make-capture %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

first_ts() { capinfos -T -r -S -a "$1" | cut -f2; }
last_ts() { capinfos -T -r -S -e "$1" | cut -f2; }
frames() { capinfos -T -r -c "$1" | cut -f2; }

# ------------------------------------------------------------ background
if [ -s "$cache/bg.pcapng" ] && [ "$(cat "$cache/bg.stamp" 2>/dev/null)" = "$bg_frames $load" ]; then
    log "reusing $cache/bg.pcapng"
else
    ng=$work/nginx
    mkdir -p "$ng/www" "$ng/tmp"
    port=18080
    while (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
    head -c 600 /dev/zero | tr '\0' 'a' | sed 's/^/<html><body>/;s/$/<\/body><\/html>/' >"$ng/www/index.html"
    head -c 6000 /dev/zero | tr '\0' 'b' >"$ng/www/page2.html"
    printf '{"items": [%s1]}\n' "$(printf '%.0s1, ' $(seq 300))" >"$ng/www/data.json"
    head -c 40000 /dev/urandom >"$ng/www/big.bin"
    printf '{"user": "alice", "action": "ping"}' >"$ng/post.json"
    cat >"$ng/nginx.conf" <<EOF
worker_processes 2;
pid $ng/nginx.pid;
error_log $ng/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $ng/tmp/body;
    proxy_temp_path $ng/tmp/proxy;
    fastcgi_temp_path $ng/tmp/fastcgi;
    uwsgi_temp_path $ng/tmp/uwsgi;
    scgi_temp_path $ng/tmp/scgi;
    keepalive_requests 1000;
    server {
        listen 127.0.0.1:$port;
        root $ng/www;
        location / { }
    }
}
EOF
    chmod -R a+rX "$ng"
    nginx -p "$ng" -c "$ng/nginx.conf"
    trap 'nginx -p "$ng" -c "$ng/nginx.conf" -s stop 2>/dev/null || true' EXIT
    sleep 0.5

    bg_raw=$work/bg-raw.pcapng
    log "capturing $bg_frames frames of HTTP load on lo:$port"
    dumpcap -q -i lo -f "tcp port $port" -c "$bg_frames" -B 64 -w "$bg_raw" 2>"$work/dumpcap.log" &
    dpid=$!
    for _ in $(seq 50); do
        grep -q "Capturing on" "$work/dumpcap.log" 2>/dev/null && break
        sleep 0.1
    done
    base=http://127.0.0.1:$port
    deadline=$((SECONDS + 900))
    round=0
    while kill -0 "$dpid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
        # Each ab run is bounded in requests and time (-s caps a wait).
        if [ "$load" = http ]; then
            case $((round % 5)) in
            0) ab -q -k -n 6000 -c 2 -s 5 "$base/index.html" ;;
            1) ab -q -n 800 -c 2 -s 5 "$base/page2.html" ;;
            2) ab -q -k -n 2000 -c 2 -s 5 "$base/missing/$round" ;;
            3) ab -q -k -n 2000 -c 2 -s 5 -p "$ng/post.json" -T application/json "$base/data.json" ;;
            4) ab -q -k -n 3000 -c 2 -s 5 "$base/data.json" ;;
            esac
        else
            case $((round % 6)) in
            0) ab -q -k -n 8000 -c 1 -s 5 "$base/index.html" ;;
            1) ab -q -n 2000 -c 1 -s 5 "$base/page2.html" ;;
            2) ab -q -k -n 2000 -c 1 -s 5 "$base/missing/$round" ;;
            3) ab -q -k -n 2000 -c 1 -s 5 "$base/big.bin" ;;
            4) ab -q -k -n 2000 -c 1 -s 5 -p "$ng/post.json" -T application/json "$base/data.json" ;;
            5) ab -q -n 1000 -c 1 -s 5 "$base/data.json" ;;
            esac
        fi >/dev/null 2>&1 || true
        round=$((round + 1))
        # Pauses stretch the load over about a minute, so that the Kerberos
        # rounds (about 30 s each) can be spread over it rather than stacked.
        sleep 0.5
    done
    if kill -0 "$dpid" 2>/dev/null; then
        log "load deadline reached; stopping dumpcap"
        kill -INT "$dpid" || true
    fi
    wait "$dpid" || true
    nginx -p "$ng" -c "$ng/nginx.conf" -s stop 2>/dev/null || true
    trap - EXIT
    mv "$bg_raw" "$cache/bg.pcapng"
    chmod 644 "$cache/bg.pcapng"
    echo "$bg_frames $load" >"$cache/bg.stamp"
    echo "$port" >"$cache/bg.port"
fi
bg=$cache/bg.pcapng
bg_n=$(frames "$bg")
bg_t0=$(first_ts "$bg")
bg_t1=$(last_ts "$bg")
log "background: $bg_n frames, $bg_t0 .. $bg_t1"

# ---------------------------------------------------------- Kerberos round
R0=1000000000
mkdir -p "$work/round" "$work/rounds"
offset=0
single=()
multi=()
for f in "$corpus"/*.pcapng; do
    if capinfos -T -r -E "$f" | cut -f2 | grep -qi 'per-packet'; then
        multi+=("$f")
    else
        single+=("$f")
    fi
done
i=0
for f in "${single[@]}" "${multi[@]}"; do
    t0=$(first_ts "$f")
    dur=$(capinfos -T -r -u "$f" | cut -f2)
    delta=$(awk -v a="$R0" -v o="$offset" -v t="$t0" 'BEGIN { printf "%.6f", a + o - t }')
    editcap -F pcapng -t "$delta" "$f" "$work/round/$(printf %03d $i).pcapng"
    offset=$(awk -v o="$offset" -v d="$dur" 'BEGIN { printf "%.6f", o + d + 0.05 }')
    i=$((i + 1))
done
span=$offset
ns=${#single[@]}
# The single-encapsulation part (Ethernet) can go through tcprewrite as pcap.
mergecap -F pcap -w "$work/round-ether.pcap" $(ls "$work/round"/*.pcapng | head -n "$ns")
multi_files=$(ls "$work/round"/*.pcapng | tail -n +"$((ns + 1))")
round_n=$(frames "$work/round-ether.pcap")
for m in $multi_files; do round_n=$((round_n + $(frames "$m"))); done
rounds=$(( (krb_frames + round_n - 1) / round_n ))
log "round: ${#single[@]}+${#multi[@]} captures, $round_n frames, ${span}s; $rounds copies"
awk -v s="$span" -v a="$bg_t0" -v b="$bg_t1" 'BEGIN { exit !(b - a < 1.5 * s) }' &&
    log "warning: the background lasts $(awk -v a="$bg_t0" -v b="$bg_t1" 'BEGIN { print b - a }') s, little room to spread the rounds"

for k in $(seq 0 $((rounds - 1))); do
    start=$(awk -v span="$span" -v t0="$bg_t0" -v t1="$bg_t1" -v k="$k" -v n="$rounds" -v r0="$R0" 'BEGIN {
        room = (t1 - t0) - span; if (room < 0) room = 0
        printf "%.6f", t0 + (n > 1 ? room * k / (n - 1) : 0) - r0 }')
    net=$((100 + k % 150)).$((k / 150))
    tcprewrite --pnat="10.88.0.0/24:10.$net.0/24" --infile="$work/round-ether.pcap" \
        --outfile="$work/rw.pcap" 2>/dev/null
    editcap -F pcapng -t "$start" "$work/rw.pcap" "$work/rounds/r$(printf %04d "$k")-e.pcapng"
    j=0
    for m in $multi_files; do
        editcap -F pcapng -t "$start" "$m" "$work/rounds/r$(printf %04d "$k")-m$j.pcapng"
        j=$((j + 1))
    done
done
mergecap -w "$cache/krb-only.pcapng" "$work/rounds"/*.pcapng
log "Kerberos part: $(frames "$cache/krb-only.pcapng") frames"
mergecap -w "$cache/big.pcapng" "$bg" "$cache/krb-only.pcapng"
chmod 644 "$cache"/*.pcapng
log "big capture: $(frames "$cache/big.pcapng") frames"
rm -rf "$work"
