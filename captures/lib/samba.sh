# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2016,SC2034
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
#   samba_client_conf HOST DCIP [krb5 libdefaults lines...]
#                                  krb5.conf (via mit_client_conf, forwardable TGTs as a
#                                  Windows client gets them) and smb.conf for client tools
#   samba_client_dns HOST DNSIP    HOST resolves names through DNSIP (the DC's DNS) only
#   samba_as HOST CMD...           like mit_as: CMD with the host's krb5.conf, ccache,
#                                  smb.conf (and resolv.conf if samba_client_dns was used)
#   samba_lab NAME [krb5 libdefaults lines...]
#                                  the usual lab: lab_init NAME, DC "dc" 10.88.0.2 provisioned
#                                  and started, client "client" 10.88.0.10 configured for it
#                                  (DNS through the DC); user alice; sets SAMBA_SMB_OPTS
#                                  (smbclient/rpcclient options: client smb.conf, Kerberos only)
#   samba_split_dc_key_lab NAME PCAP
#                                  samba_lab NAME (client: udp_preference_limit = 1) whose DC$
#                                  password then changes in the directory only (samba-tool
#                                  user setpassword): the KDC issues kvno-2 tickets for the
#                                  DC's services, which still accept with the kvno-1 key kept
#                                  in secrets.ldb. Then starts the capture into PCAP and
#                                  runs kinit alice in client
#   samba_expect_rpc_refusal FILTER PKT_TYPE CAUSE SPN
#                                  a CAUSE line (client=alice spn=SPN) on the first frame
#                                  matching FILTER (the DC's refusal); evidence: the DCE/RPC
#                                  PDU of type PKT_TYPE (11 bind, 14 alter_context) carrying
#                                  the AP-REQ in the same TCP stream, and the TGS-REP for the
#                                  host/ ticket
#   samba_expect_known_edata       sets EXPECT_KNOWN_MALFORMED for expect_check: Wireshark 4.0
#                                  mis-dissects the METHOD-DATA e-data Samba puts in
#                                  KDC_ERR_CLIENT_REVOKED / KDC_ERR_KEY_EXP (see below)
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
    local d pid pids i
    d=$(samba_dir "$host")
    pid=$(cat "$d/samba.pid")
    kill -TERM "$pid" 2>/dev/null || true
    # samba takes its children (smbd, winbindd, the service processes) with it; whatever
    # is left in the namespace after 10 s is killed.
    for i in $(seq 1 100); do
        pids=$(ip netns pids "kd-$LAB_ID-$host" 2>/dev/null || true)
        [ -z "$pids" ] && return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
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
    mit_client_conf "$host" "$SAMBA_REALM" "$dcip" "forwardable = true" "$@"
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
    # The own host name too, or libldap asks the DNS server for it.
    printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$(uname -n)" > "$LAB_DIR/$host/hosts"
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

samba_lab() {
    local name=$1
    shift
    lab_init "$name"
    lab_host dc 10.88.0.2
    lab_host client 10.88.0.10
    samba_provision dc 10.88.0.2
    samba_start dc
    samba_adduser dc alice
    samba_client_conf client 10.88.0.2 "$@"
    samba_client_dns client 10.88.0.2
    SAMBA_SMB_OPTS=(-s "$LAB_DIR/client/smb.conf" --use-kerberos=required --no-pass)
}

samba_split_dc_key_lab() {
    local name=$1 pcap=$2
    samba_lab "$name" "udp_preference_limit = 1"
    samba_tool dc user setpassword 'DC$' --newpassword='Machine-Passw0rd-2' >/dev/null
    lab_capture_start "$pcap"
    echo Passw0rd-alice | samba_as client kinit alice >/dev/null
}

samba_expect_rpc_refusal() {
    local filter=$1 ptype=$2 cause=$3 spn=$4 f stream req tgsrep
    f=$(expect_frame "$filter")
    stream=$(expect_field "$f" tcp.stream)
    req=$(expect_frame "dcerpc.pkt_type == $ptype && kerberos.msg_type == 14 && tcp.stream == $stream")
    tgsrep=$(expect_frame 'kerberos.msg_type == 13 && kerberos.SNameString == "host"')
    expect_line "$f" "$cause" client=alice "spn=$spn" "evidence=$req,$tgsrep"
}

# Samba 4.17's KDC answers an account-state failure (KDC_ERR_CLIENT_REVOKED, KDC_ERR_KEY_EXP)
# with e-data = METHOD-DATA { PA-ETYPE-INFO2, PA-PW-SALT(KERB-EXT-ERROR: NTSTATUS, 0, 1) }
# (the PW-SALT entry is missing for a locked-out account). Wireshark 4.0 decodes the e-data
# of these two codes as one PA-DATA (the form Windows uses), so it reports BER errors
# (expert group Malformed) and never fills kerberos.smb.nt_status for Samba.
samba_expect_known_edata() {
    EXPECT_KNOWN_MALFORMED='kerberos.error_code in {18,23}'
}

samba_edata_ntstatus() {
    # samba_edata_ntstatus FRAME: the NTSTATUS in the PA-PW-SALT of Samba's e-data, as
    # 0xC0000072, read from the raw kerberos.e_data bytes; empty if there is none
    local hex
    hex=$(expect_field "$1" kerberos.e_data)
    python3 - "$hex" <<'PY'
import sys
b = bytes.fromhex(sys.argv[1]) if sys.argv[1] else b''
def tlv(b, i):
    t = b[i]; l = b[i + 1]; i += 2
    if l & 0x80:
        n = l & 0x7f; l = int.from_bytes(b[i:i + n], 'big'); i += n
    return t, b[i:i + l], i + l
try:
    t, seq, _ = tlv(b, 0)
    i = 0
    while i < len(seq):
        _, padata, i = tlv(seq, i)
        _, typ, j = tlv(padata, 0)      # [1] padata-type
        _, val, _ = tlv(padata, j)      # [2] padata-value
        _, ptype, _ = tlv(typ, 0)
        if int.from_bytes(ptype, 'big') == 3:
            _, octets, _ = tlv(val, 0)
            print('0x%08X' % int.from_bytes(octets[0:4], 'little'))
except (IndexError, ValueError):
    pass
PY
}

samba_expect_response_too_big() {
    # One response_too_big line for every KRB_ERR_RESPONSE_TOO_BIG followed by a TCP retry
    # (an AS-REQ/TGS-REQ over TCP from the same client); fails if the retry is missing.
    local f req retry mt
    for f in $(expect_frames 'kerberos.error_code == 52'); do
        req=$(expect_request "$f")
        mt=$(expect_field "$req" kerberos.msg_type)
        retry=$(expect_frame "kerberos.msg_type == $mt && tcp && ip.src == $(expect_field "$f" ip.dst) && frame.number > $f")
        expect_line "$f" response_too_big "client=$(expect_cname "$f")" "spn=$(expect_sname "$f")" "evidence=$req,$retry"
    done
}

samba_duplicate_spn() {
    # samba_duplicate_spn HOST SPN ACCOUNT1 ACCOUNT2: SPN on both accounts. Samba refuses
    # a duplicate through samba-tool and through sam.ldb (even with the relax control), so
    # the DC is stopped and the domain partition file is modified directly, then started.
    local host=$1 spn=$2 a1=$3 a2=$4 part dn
    samba_tool "$host" spn add "$spn" "$a1" >/dev/null
    if samba_tool "$host" spn add "$spn" "$a2" >/dev/null 2>&1; then
        echo "samba: samba-tool accepted a duplicate SPN" >&2
        return 1
    fi
    samba_stop "$host"
    part=$(samba_partition_ldb "$host")
    dn=$(ldbsearch -H "$part" "(sAMAccountName=$a2)" dn | sed -n 's/^dn: //p')
    [ -n "$dn" ]
    printf 'dn: %s\nchangetype: modify\nadd: servicePrincipalName\nservicePrincipalName: %s\n' \
        "$dn" "$spn" | ldbmodify -H "$part" >/dev/null
    samba_start "$host"
    [ "$(ldbsearch -H "$(samba_ldb "$host")" "(servicePrincipalName=$spn)" dn | grep -c '^dn: ')" -eq 2 ]
}
