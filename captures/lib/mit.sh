# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# MIT Kerberos helpers on top of lab.sh. A realm's KDC runs in one lab host; every
# host gets its own krb5.conf under $LAB_DIR/<host>/ so clients can differ
# (clock, enctypes, canonicalisation) without touching /etc.
#
#   mit_realm REALM KDCHOST KDCIP          create the database in $LAB_DIR/kdc-KDCHOST
#   mit_kdc_start KDCHOST [WRAPPER...]     start krb5kdc in KDCHOST (WRAPPER: e.g. faketime -f -1h)
#   mit_kadmin KDCHOST QUERY               kadmin.local -q QUERY against that KDC's database
#   mit_client_conf HOST REALM KDCIP [extra libdefaults lines...]
#                                          writes $LAB_DIR/HOST/krb5.conf
#   mit_as HOST CMD...                     run CMD in HOST with that host's krb5.conf and ccache
#   mit_lab NAME                           the usual two-host lab: lab_init NAME, host "kdc"
#                                          10.88.0.2 with realm EXAMPLE.TEST and alice
#                                          (+requires_preauth; KDC not started yet), host
#                                          "client" 10.88.0.10 (no krb5.conf yet)
#   mit_lab_start [extra libdefaults lines...]
#                                          start mit_lab's KDC and write the client's krb5.conf
#                                          (realm EXAMPLE.TEST, KDC 10.88.0.2, the extra lines)
#   mit_need [PACKAGE...]                  install what an MIT scenario needs (MIT KDC, admin
#                                          tools and client, tshark, iproute2) and PACKAGEs
#   mit_two_realms NAME                    lab_init NAME; hosts "kdca" 10.88.0.2 (realm A.TEST,
#                                          alice +requires_preauth), "kdcb" 10.88.0.3 (realm
#                                          B.TEST, host/svc.b.test), "client" 10.88.0.10; no
#                                          trust, no KDC started, no krb5.conf for the client
#   mit_kinit_kvno SPN                     in "client": kinit alice (right password), kvno SPN
#   mit_clock_skew_lab NAME PCAP client|kdc OFFSET
#                                          mit_lab NAME; that side's clock shifted by OFFSET
#                                          (faketime -f OFFSET, e.g. +2h), the client without
#                                          kdc_timesync; captures (port 88) a kinit alice into
#                                          PCAP; fails if kinit succeeds
#   mit_expect_errors CODE CAUSE           expect.sh lines: CAUSE for every KRB-ERROR with CODE
#                                          (client=alice spn=krbtgt/EXAMPLE.TEST, evidence: the
#                                          request it answers)
#
# Passwords: every principal made with mit_addprinc gets password "Passw0rd-<name>".
set -euo pipefail

mit_realm() {
    local realm=$1 kdchost=$2 kdcip=$3
    local d="$LAB_DIR/kdc-$kdchost"
    mkdir -p "$d"
    cat > "$d/kdc.conf" <<KDC
[kdcdefaults]
    kdc_listen = 88
    kdc_tcp_listen = 88

[realms]
    $realm = {
        database_name = $d/principal
        key_stash_file = $d/stash
        acl_file = $d/kadm5.acl
        max_life = 10h 0m 0s
        max_renewable_life = 7d 0h 0m 0s
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }

[logging]
    kdc = FILE:$d/kdc.log
KDC
    : > "$d/kadm5.acl"
    # The KDC's own krb5.conf only needs the realm; clients get theirs from mit_client_conf.
    cat > "$d/krb5.conf" <<CONF
[libdefaults]
    default_realm = $realm

[realms]
    $realm = {
        kdc = $kdcip
    }
CONF
    KRB5_CONFIG="$d/krb5.conf" KRB5_KDC_PROFILE="$d/kdc.conf" \
        kdb5_util -r "$realm" create -s -P "master-$realm" >/dev/null
}

mit_kadmin() {
    local kdchost=$1
    shift
    local d="$LAB_DIR/kdc-$kdchost"
    KRB5_CONFIG="$d/krb5.conf" KRB5_KDC_PROFILE="$d/kdc.conf" kadmin.local -q "$*" >/dev/null 2>"$d/kadmin.err" || {
        cat "$d/kadmin.err" >&2
        return 1
    }
}

mit_addprinc() {
    # mit_addprinc KDCHOST NAME [extra addprinc options]
    local kdchost=$1 name=$2
    shift 2
    mit_kadmin "$kdchost" "addprinc $* -pw Passw0rd-${name//\//_} $name"
}

mit_kdc_start() {
    local kdchost=$1
    shift
    local d="$LAB_DIR/kdc-$kdchost"
    lab_bg "$kdchost" "$d/kdc.pid" env KRB5_CONFIG="$d/krb5.conf" KRB5_KDC_PROFILE="$d/kdc.conf" \
        "$@" krb5kdc -n -P "$d/kdc.pid.krb5"
    # Wait for the KDC to listen.
    local _
    for _ in $(seq 1 50); do
        lab_exec "$kdchost" ss -lun 2>/dev/null | grep -q ':88 ' && return 0
        sleep 0.1
    done
    echo "mit: KDC in $kdchost did not start" >&2
    cat "$d/kdc.log" >&2 || true
    return 1
}

mit_client_conf() {
    local host=$1 realm=$2 kdcip=$3
    shift 3
    mkdir -p "$LAB_DIR/$host"
    {
        echo "[libdefaults]"
        echo "    default_realm = $realm"
        echo "    dns_lookup_kdc = false"
        echo "    dns_lookup_realm = false"
        echo "    rdns = false"
        echo "    dns_canonicalize_hostname = false"
        local line
        for line in "$@"; do
            echo "    $line"
        done
        echo
        echo "[realms]"
        echo "    $realm = {"
        echo "        kdc = $kdcip"
        echo "    }"
    } > "$LAB_DIR/$host/krb5.conf"
}

mit_as() {
    local host=$1
    shift
    lab_exec "$host" env KRB5_CONFIG="$LAB_DIR/$host/krb5.conf" KRB5CCNAME="FILE:$LAB_DIR/$host/ccache" \
        KRB5_TRACE="$LAB_DIR/$host/trace.log" "$@"
}

mit_lab() {
    lab_init "$1"
    lab_host kdc 10.88.0.2
    lab_host client 10.88.0.10
    mit_realm EXAMPLE.TEST kdc 10.88.0.2
    mit_addprinc kdc alice +requires_preauth
}

mit_lab_start() {
    mit_kdc_start kdc
    mit_client_conf client EXAMPLE.TEST 10.88.0.2 "$@"
}

mit_need() {
    lab_need iproute2 krb5-kdc krb5-admin-server krb5-user tshark "$@"
}

mit_two_realms() {
    lab_init "$1"
    lab_host kdca 10.88.0.2
    lab_host kdcb 10.88.0.3
    lab_host client 10.88.0.10
    mit_realm A.TEST kdca 10.88.0.2
    mit_realm B.TEST kdcb 10.88.0.3
    mit_addprinc kdca alice +requires_preauth
    mit_addprinc kdcb host/svc.b.test -randkey
}

mit_kinit_kvno() {
    echo Passw0rd-alice | mit_as client kinit alice >/dev/null
    mit_as client kvno "$1" >/dev/null
}

mit_clock_skew_lab() {
    local name=$1 pcap=$2 side=$3 offset=$4
    local kdc_clock=() client_clock=()
    case $side in
        kdc) kdc_clock=(faketime -f "$offset") ;;
        client) client_clock=(faketime -f "$offset") ;;
        *) echo "mit: clock skew side must be client or kdc, not $side" >&2; return 1 ;;
    esac
    mit_lab "$name"
    mit_kdc_start kdc "${kdc_clock[@]}"
    # Without this the MIT client silently adopts the KDC's time after the error.
    mit_client_conf client EXAMPLE.TEST 10.88.0.2 "kdc_timesync = 0"
    lab_capture_start "$pcap" 'port 88'
    if echo Passw0rd-alice | mit_as client "${client_clock[@]}" kinit alice >/dev/null 2>&1; then
        echo "$name: kinit succeeded despite the skew" >&2
        return 1
    fi
    lab_capture_stop
}

mit_expect_errors() {
    local code=$1 cause=$2 errs f
    errs=$(expect_errors "$code")
    for f in $errs; do
        expect_line "$f" "$cause" client=alice spn=krbtgt/EXAMPLE.TEST "evidence=$(expect_request "$f")"
    done
}
