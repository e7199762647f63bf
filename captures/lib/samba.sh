# SPDX-License-Identifier: GPL-2.0-or-later
# Samba 4.17 Active Directory DC helpers on top of lab.sh. The DC is provisioned into
# $LAB_DIR/samba-<host> with its own smb.conf (nothing under /etc/samba, no system
# service) and runs inside the host's network namespace. Provisioning takes a few
# seconds, so every scenario script provisions its own fresh domain.
#
#   samba_provision HOST IP        provision realm $SAMBA_REALM (AD.EXAMPLE.TEST), domain
#                                  $SAMBA_DOMAIN (ADEX), DC name dc.<realm lowercase>
#   samba_start HOST               start samba -i in HOST, wait for KDC/LDAP/SMB
#   samba_stop HOST                stop it (for offline edits of the database)
#   samba_tool HOST ARGS...        samba-tool against the DC's local database (no network)
#   samba_ldb HOST                 prints the path of the DC's sam.ldb
#   samba_partition_ldb HOST       prints the path of the domain partition file
#                                  (private/sam.ldb.d/DC=...ldb)
#   samba_adduser HOST NAME [samba-tool user create options...]
#                                  password Passw0rd-<NAME>
#   samba_client_conf HOST DCIP    krb5.conf (via mit_client_conf) and smb.conf for client tools
#   samba_as HOST CMD...           like mit_as: CMD with the host's krb5.conf, ccache, smb.conf
#
# Administrator's password: $SAMBA_ADMINPASS.
set -euo pipefail

SAMBA_REALM=${SAMBA_REALM:-AD.EXAMPLE.TEST}
SAMBA_DOMAIN=${SAMBA_DOMAIN:-ADEX}
SAMBA_ADMINPASS=${SAMBA_ADMINPASS:-Passw0rd-Admin1}
SAMBA_PACKAGES=(samba samba-ad-dc samba-ad-provision samba-dsdb-modules winbind ldb-tools
    ldap-utils smbclient krb5-user)

samba_dir() { echo "$LAB_DIR/samba-$1"; }

samba_provision() {
    local host=$1 ip=$2
    local d
    d=$(samba_dir "$host")
    mkdir -p "$d/run" "$d/log"
    # Keep every path inside $d; no NetBIOS, no DNS forwarder (the lab has no way out),
    # plain LDAP simple binds allowed so an LDAP search stays readable in the capture.
    samba-tool domain provision --targetdir="$d" --realm="$SAMBA_REALM" --domain="$SAMBA_DOMAIN" \
        --host-name="$host" --host-ip="$ip" --server-role=dc --dns-backend=SAMBA_INTERNAL \
        --adminpass="$SAMBA_ADMINPASS" \
        --option="interfaces = lo $ip" \
        --option="bind interfaces only = yes" \
        --option="pid directory = $d/run" \
        --option="ncalrpc dir = $d/run/ncalrpc" \
        --option="winbindd socket directory = $d/run/winbindd" \
        --option="ntp signd socket directory = $d/run/ntp_signd" \
        --option="usershare path = $d/run/usershares" \
        --option="smb passwd file = $d/private/smbpasswd" \
        --option="log file = $d/log/log.%m" \
        --option="disable netbios = yes" \
        --option="load printers = no" \
        --option="printing = bsd" \
        --option="printcap name = /dev/null" \
        --option="dns forwarder = $ip" \
        --option="ldap server require strong auth = no" \
        --option="server services = -nbt -wrepl -ntp_signd -kcc -drepl -dnsupdate" \
        >"$d/provision.log" 2>&1 || {
        tail -30 "$d/provision.log" >&2
        return 1
    }
    # Drop the default share stanzas that point outside $d.
    python3 - "$d/etc/smb.conf" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r'\n\[(homes|printers|print\$)\]\n(\t[^\n]*\n)*', '\n', s)
s = re.sub(r'\tdns forwarder = [^\n]*\n', '', s)
# provision drops this one from the file it writes
if 'ldap server require strong auth' not in s:
    s = s.replace('[global]\n', '[global]\n\tldap server require strong auth = no\n', 1)
open(p, 'w').write(s)
PY
}

samba_start() {
    local host=$1
    local d
    d=$(samba_dir "$host")
    # smbd finds winbindd only at the compiled-in /run/samba/winbindd (libwbclient ignores
    # smb.conf), so samba gets its own mount namespace with $d/run mounted there.
    mkdir -p /run/samba
    lab_bg "$host" "$d/samba.pid" unshare -m --propagation private sh -c \
        'mount --bind "$4" /run/samba && exec samba -i -s "$1" -d "$3" >"$2" 2>&1' \
        sh "$d/etc/smb.conf" "$d/log/samba.out" "${SAMBA_DEBUG:-1}" "$d/run"
    local i
    for i in $(seq 1 300); do
        if lab_exec "$host" ss -ltn 2>/dev/null | grep -q ':88 ' &&
            lab_exec "$host" ss -ltn 2>/dev/null | grep -q ':389 ' &&
            lab_exec "$host" ss -ltn 2>/dev/null | grep -q ':445 ' &&
            lab_exec "$host" ss -ltn 2>/dev/null | grep -q ':53 '; then
            sleep 1
            return 0
        fi
        sleep 0.2
    done
    echo "samba: DC in $host did not start" >&2
    tail -40 "$d/log/samba.out" >&2 || true
    return 1
}

samba_stop() {
    local host=$1
    local d pid i
    d=$(samba_dir "$host")
    pid=$(cat "$d/samba.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    # Children (smbd, winbindd, the forked service processes) go with the namespace's pids.
    local pids
    pids=$(ip netns pids "kd-$LAB_ID-$host" 2>/dev/null || true)
    for i in $(seq 1 50); do
        pids=$(ip netns pids "kd-$LAB_ID-$host" 2>/dev/null || true)
        [ -z "$pids" ] && break
        sleep 0.1
    done
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
    return 0
}

samba_tool() {
    local host=$1
    shift
    samba-tool "$@" -s "$(samba_dir "$host")/etc/smb.conf"
}

samba_ldb() { echo "$(samba_dir "$1")/private/sam.ldb"; }

samba_base_dn() {
    local r=${SAMBA_REALM,,}
    echo "DC=${r//./,DC=}"
}

samba_partition_ldb() {
    echo "$(samba_dir "$1")/private/sam.ldb.d/$(samba_base_dn | tr '[:lower:]' '[:upper:]').ldb"
}

samba_adduser() {
    local host=$1 name=$2
    shift 2
    samba_tool "$host" user create "$name" "Passw0rd-$name" "$@" >/dev/null
}

samba_client_conf() {
    local host=$1 dcip=$2
    shift 2
    mit_client_conf "$host" "$SAMBA_REALM" "$dcip" "$@"
    cat > "$LAB_DIR/$host/smb.conf" <<CONF
[global]
    workgroup = $SAMBA_DOMAIN
    realm = $SAMBA_REALM
    security = ads
    disable netbios = yes
    client min protocol = SMB2
    client signing = desired
    client smb encrypt = off
    client ipc signing = desired
    client ldap sasl wrapping = plain
    # No forwarded TGT request from smbclient's Heimdal (its FAST-armoured KRB-ERRORs
    # are not dissected by Wireshark 4.0).
    gensec_gssapi:delegation = no
    gensec_gssapi:delegation_by_kdc_policy = no
    lock directory = $LAB_DIR/$host/samba
    state directory = $LAB_DIR/$host/samba
    cache directory = $LAB_DIR/$host/samba
    private dir = $LAB_DIR/$host/samba
    pid directory = $LAB_DIR/$host/samba
    ncalrpc dir = $LAB_DIR/$host/samba/ncalrpc
    log file = $LAB_DIR/$host/samba/log.%m
CONF
    mkdir -p "$LAB_DIR/$host/samba"
}

samba_client_dns() {
    # samba_client_dns HOST DNSIP: HOST resolves through the DC's DNS server only
    local host=$1 dnsip=$2
    mkdir -p "$LAB_DIR/$host"
    printf 'nameserver %s\noptions single-request attempts:1 timeout:2\n' "$dnsip" > "$LAB_DIR/$host/resolv.conf"
    printf '127.0.0.1 localhost\n' > "$LAB_DIR/$host/hosts"
}

samba_as() {
    local host=$1
    shift
    local env=(env KRB5_CONFIG="$LAB_DIR/$host/krb5.conf" KRB5CCNAME="FILE:$LAB_DIR/$host/ccache"
        KRB5_TRACE="$LAB_DIR/$host/trace.log" SMB_CONF_PATH="$LAB_DIR/$host/smb.conf")
    if [ -f "$LAB_DIR/$host/resolv.conf" ]; then
        # A private mount namespace: the bind mounts vanish with the command.
        lab_exec "$host" unshare -m --propagation private -- sh -c '
            mount --bind "$1/resolv.conf" /etc/resolv.conf &&
            mount --bind "$1/hosts" /etc/hosts &&
            shift && exec "$@"' samba_as "$LAB_DIR/$host" "${env[@]}" "$@"
    else
        lab_exec "$host" "${env[@]}" "$@"
    fi
}
