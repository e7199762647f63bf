# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Web helpers on top of lab.sh and mit.sh: a dnsmasq DNS server, an Apache 2.4 with
# mod_auth_gssapi, and clients (curl --negotiate) whose resolver points at that DNS
# server. Everything runs inside the lab's namespaces with private config files under
# $LAB_DIR; nothing in /etc/apache2, /etc/dnsmasq* or the system services is touched.
#
#   web_need                                install apache2, mod_auth_gssapi, dnsmasq-base, curl,
#                                           MIT krb5, tshark and the lab's tools
#   web_dns_start HOST RECORD...            dnsmasq in HOST (no upstream, no /etc/hosts);
#                                           RECORD is  A:name=ip (with its PTR),
#                                           CNAME:alias=target, ADDR:name=ip (no PTR) or
#                                           PTR:ip=name
#                                           (authoritative for example.test: unknown names
#                                           get NXDOMAIN)
#   web_client_dns HOST DNSIP               HOST resolves through DNSIP only: private
#                                           resolv.conf and a hosts file with localhost only
#   web_as HOST CMD...                      like mit_as, but /etc/resolv.conf and /etc/hosts
#                                           are bind-mounted from web_client_dns's files in a
#                                           private mount namespace
#   web_apache_start HOST IP NAME KEYTAB [DIRECTIVE...]
#                                           Apache (prefork, one config file in
#                                           $LAB_DIR/apache-HOST) on IP:80, ServerName NAME,
#                                           / protected by mod_auth_gssapi with
#                                           GssapiCredStore keytab:KEYTAB; extra DIRECTIVEs
#                                           go into the <Location /> block. Env for the
#                                           server: WEB_APACHE_ENV=(VAR=value ...); server-wide
#                                           directives: WEB_APACHE_SERVER=(DIRECTIVE ...)
#   web_apache_stop HOST                    stop that Apache (SIGTERM, waits for it)
#   web_curl HOST URL [curl options...]     curl --negotiate -u : URL in HOST (via web_as);
#                                           prints the HTTP status code. Env for curl:
#                                           WEB_CURL_ENV=(VAR=value ...)
#   web_ntlmssp                             make gss-ntlmssp available to this lab only:
#                                           sets WEB_GSS_MECH to a mech config that adds
#                                           NTLMSSP (see below)
#
# The HTTP group's lab, built from the helpers above (every scenario in captures/http):
#
#   web_lab NAME                            lab_init NAME; hosts kdc 10.88.0.2, dns 10.88.0.3,
#                                           www 10.88.0.20, client 10.88.0.10; realm
#                                           EXAMPLE.TEST in kdc (not started yet) with alice
#                                           (+requires_preauth). The scenario then adds its
#                                           service principals and fills $WEB_KEYTAB
#   web_keytab PRINCIPAL...                 ktadd each PRINCIPAL, in this order, to $WEB_KEYTAB
#                                           (a new random key: kvno goes up by one)
#   web_site SITE RECORD... [-- DIRECTIVE...]
#                                           start the KDC; dnsmasq in dns with the RECORDs
#                                           (web_dns_start); Apache in www on 10.88.0.20,
#                                           ServerName SITE, keytab $WEB_KEYTAB, DIRECTIVEs in
#                                           <Location />; krb5.conf for www and client, and
#                                           client resolving through dns
#   web_cname_site                          web_site alias.example.test with alias.example.test
#                                           CNAME web01.example.test (A 10.88.0.20), and the
#                                           client canonicalising host names through forward DNS
#                                           (dns_canonicalize_hostname = true)
#   web_www_spn                             HTTP/www.example.test (random key) in the KDC and
#                                           in $WEB_KEYTAB: the site's own SPN
#   web_www_site [DIRECTIVE...]             web_site www.example.test with www.example.test
#                                           A 10.88.0.20 (Apache's address), DIRECTIVEs in
#                                           <Location />
#   web_acceptor_mismatch_lab NAME          web_lab NAME with HTTP/www.example.test and
#                                           host/www.example.test (own keys, both in the keytab)
#                                           and web_site www.example.test accepting as
#                                           host@www.example.test (GssapiAcceptorName)
#   web_kinit                               kinit alice in client
#   web_get PCAP URL STATUS                 capture ($WEB_BPF) web_kinit and web_curl client URL
#                                           into PCAP; fails unless the answer is HTTP STATUS
#   web_expect_spn_missing SPN              expect.sh lines: spn_missing for every
#                                           KDC_ERR_S_PRINCIPAL_UNKNOWN (evidence: its request)
#   web_keytab_get NAME URL STATUS          web_get into pcap/NAME.pcapng, then the server's
#                                           keytab ($WEB_KEYTAB: test keys of this lab only)
#                                           beside it as pcap/NAME.keytab, which the end-to-end
#                                           runners load into Wireshark's Kerberos preferences
#   web_expect_401 CAUSE SPN [FRAME|KEY=VALUE...]
#                                           expect.sh lines: CAUSE for every 401 carrying a
#                                           KRB-ERROR (evidence: the HTTP request it answers,
#                                           then the FRAMEs; KEY=VALUE: more keys of the line)
#
# GSS mechanisms: web_as and web_apache_start set GSS_MECH_CONFIG, so MIT's mechglue reads
# only $WEB_GSS_MECH (default: an empty file, i.e. the built-in krb5/SPNEGO only) and
# never /etc/gss/mech.d. The captures then do not depend on whether gss-ntlmssp happens
# to be installed on the machine. web_ntlmssp does not install gss-ntlmssp system-wide
# (its /etc/gss/mech.d file would add NTLMSSP to every MIT SPNEGO exchange on the
# machine, including other labs running at the same time): it uses the installed module
# if there is one, else unpacks the Debian package into $LAB_DIR.
set -euo pipefail

WEB_APACHE_MODULES=/usr/lib/apache2/modules
WEB_NTLMSSP_SO=/usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so
WEB_BPF='port 80 or port 88 or port 53'

_web_gss_mech() {
    if [ -z "${WEB_GSS_MECH:-}" ]; then
        WEB_GSS_MECH=$LAB_DIR/gss-mech.krb5only
        : > "$WEB_GSS_MECH"
    fi
    echo "$WEB_GSS_MECH"
}

web_ntlmssp() {
    local so=$WEB_NTLMSSP_SO
    if [ ! -r "$so" ]; then
        # The module's run-time dependencies, then the module itself, unpacked privately.
        lab_need libgssapi-krb5-2 libssl3 libunistring2 libwbclient0 zlib1g
        local d="$LAB_DIR/gss-ntlmssp"
        mkdir -p "$d"
        (cd "$d" && apt-get download gss-ntlmssp >/dev/null 2>&1) || {
            apt-get update -qq && (cd "$d" && apt-get download gss-ntlmssp >/dev/null)
        }
        dpkg-deb -x "$d"/gss-ntlmssp_*.deb "$d/root"
        so="$d/root${WEB_NTLMSSP_SO}"
        chmod -R a+rX "$d"
    fi
    WEB_GSS_MECH=$LAB_DIR/gss-mech.ntlmssp
    echo "gssntlmssp_v1 1.3.6.1.4.1.311.2.2.10 $so" > "$WEB_GSS_MECH"
}

web_need() {
    lab_need iproute2 tshark util-linux apache2-bin libapache2-mod-auth-gssapi dnsmasq-base curl \
        krb5-user krb5-kdc krb5-admin-server
}

_web_reverse_name() {
    # 10.88.0.20 -> 20.0.88.10.in-addr.arpa
    local IFS=.
    # shellcheck disable=SC2086
    set -- $1
    echo "$4.$3.$2.$1.in-addr.arpa"
}

web_dns_start() {
    local host=$1
    shift
    local d="$LAB_DIR/dns-$host"
    mkdir -p "$d"
    {
        echo "no-resolv"
        echo "no-hosts"
        echo "no-poll"
        echo "keep-in-foreground"
        echo "pid-file="
        echo "port=53"
        echo "local=/example.test/"
        echo "log-queries"
        echo "log-facility=$d/dnsmasq.log"
        local r
        for r in "$@"; do
            case $r in
                A:*) r=${r#A:}; echo "host-record=${r%%=*},${r#*=}" ;;
                CNAME:*) r=${r#CNAME:}; echo "cname=${r%%=*},${r#*=}" ;;
                ADDR:*) r=${r#ADDR:}; echo "address=/${r%%=*}/${r#*=}" ;;
                PTR:*) r=${r#PTR:}; echo "ptr-record=$(_web_reverse_name "${r%%=*}"),${r#*=}" ;;
                *) echo "web: bad DNS record $r" >&2; return 1 ;;
            esac
        done
    } > "$d/dnsmasq.conf"
    lab_bg "$host" "$d/dnsmasq.pid" dnsmasq --conf-file="$d/dnsmasq.conf"
    local _
    for _ in $(seq 1 50); do
        lab_exec "$host" ss -lun 2>/dev/null | grep -q ':53 ' && return 0
        sleep 0.1
    done
    echo "web: dnsmasq in $host did not start" >&2
    cat "$d/dnsmasq.log" >&2 || true
    return 1
}

web_client_dns() {
    local host=$1 dnsip=$2
    mkdir -p "$LAB_DIR/$host"
    printf 'nameserver %s\noptions single-request attempts:1 timeout:2\n' "$dnsip" > "$LAB_DIR/$host/resolv.conf"
    printf '127.0.0.1 localhost\n' > "$LAB_DIR/$host/hosts"
}

web_as() {
    local host=$1
    shift
    # A private mount namespace: the bind mounts vanish with the command.
    # shellcheck disable=SC2016 # $1 and $@ belong to the inner sh
    lab_exec "$host" unshare -m --propagation private -- sh -c '
        mount --bind "$1/resolv.conf" /etc/resolv.conf &&
        mount --bind "$1/hosts" /etc/hosts &&
        shift && exec "$@"' web_as "$LAB_DIR/$host" \
        env KRB5_CONFIG="$LAB_DIR/$host/krb5.conf" KRB5CCNAME="FILE:$LAB_DIR/$host/ccache" \
        KRB5_TRACE="$LAB_DIR/$host/trace.log" GSS_MECH_CONFIG="$(_web_gss_mech)" "$@"
}

web_apache_start() {
    local host=$1 ip=$2 name=$3 keytab=$4
    shift 4
    local d="$LAB_DIR/apache-$host"
    mkdir -p "$d/htdocs"
    echo "hello from $name" > "$d/htdocs/index.html"
    chmod 644 "$keytab"
    local m line
    {
        cat <<CONF
ServerRoot "$d"
ServerName $name
DefaultRuntimeDir "$d"
PidFile "$d/httpd.pid"
ErrorLog "$d/error.log"
LogLevel warn auth_gssapi:debug
Listen $ip:80
User www-data
Group www-data
CONF
        for m in mpm_prefork authn_core authz_core authz_user dir auth_gssapi; do
            echo "LoadModule ${m}_module $WEB_APACHE_MODULES/mod_$m.so"
        done
        cat <<CONF
StartServers 1
MinSpareServers 1
MaxSpareServers 2
MaxRequestWorkers 4
KeepAlive On
LogFormat "%h %l %u %t \"%r\" %>s %b" common
TransferLog "$d/access.log"
DocumentRoot "$d/htdocs"
DirectoryIndex index.html
CONF
        for line in ${WEB_APACHE_SERVER[@]+"${WEB_APACHE_SERVER[@]}"}; do
            echo "$line"
        done
        cat <<CONF
<Location />
    AuthType GSSAPI
    AuthName "krbdiag lab"
    GssapiCredStore keytab:$keytab
CONF
        local line
        for line in "$@"; do
            echo "    $line"
        done
        cat <<CONF
    Require valid-user
</Location>
CONF
    } > "$d/httpd.conf"
    # No replay cache file in /var/tmp: the lab must not leave files behind. setsid: on
    # shutdown Apache's prefork parent signals its whole process group, which would
    # otherwise be the caller's.
    lab_bg "$host" "$d/apache.pid" setsid env KRB5_CONFIG="$LAB_DIR/$host/krb5.conf" KRB5RCACHETYPE=none \
        GSS_MECH_CONFIG="$(_web_gss_mech)" \
        ${WEB_APACHE_ENV[@]+"${WEB_APACHE_ENV[@]}"} apache2 -f "$d/httpd.conf" -DFOREGROUND
    local _
    for _ in $(seq 1 50); do
        lab_exec "$host" ss -ltn 2>/dev/null | grep -q "$ip:80 " && return 0
        sleep 0.1
    done
    echo "web: Apache in $host did not start" >&2
    cat "$d/error.log" >&2 || true
    return 1
}

web_apache_stop() {
    local host=$1
    local d="$LAB_DIR/apache-$host"
    local pid
    pid=$(cat "$d/apache.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null || true
    local _
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
}

web_curl() {
    local host=$1 url=$2
    shift 2
    local env=()
    [ -z "${WEB_CURL_ENV+set}" ] || env=(env "${WEB_CURL_ENV[@]}")
    web_as "$host" "${env[@]}" curl -s -o /dev/null -w '%{http_code}\n' --noproxy '*' --negotiate -u : "$@" "$url"
}

web_lab() {
    lab_init "$1"
    lab_host kdc 10.88.0.2
    lab_host dns 10.88.0.3
    lab_host www 10.88.0.20
    lab_host client 10.88.0.10
    mit_realm EXAMPLE.TEST kdc 10.88.0.2
    mit_addprinc kdc alice +requires_preauth
    WEB_KEYTAB=$LAB_DIR/http.keytab
}

web_keytab() {
    local p
    for p in "$@"; do
        mit_kadmin kdc "ktadd -k $WEB_KEYTAB $p"
    done
}

web_site() {
    local site=$1 records=()
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        records+=("$1")
        shift
    done
    [ $# -eq 0 ] || shift
    mit_kdc_start kdc
    web_dns_start dns "${records[@]}"
    mit_client_conf www EXAMPLE.TEST 10.88.0.2
    web_apache_start www 10.88.0.20 "$site" "$WEB_KEYTAB" "$@"
    mit_client_conf client EXAMPLE.TEST 10.88.0.2
    web_client_dns client 10.88.0.3
}

web_www_spn() {
    mit_addprinc kdc HTTP/www.example.test -randkey
    web_keytab HTTP/www.example.test
}

web_www_site() {
    web_site www.example.test A:www.example.test=10.88.0.20 -- "$@"
}

web_cname_site() {
    web_site alias.example.test A:web01.example.test=10.88.0.20 CNAME:alias.example.test=web01.example.test
    # Canonicalise host names through forward DNS only (no reverse lookup).
    sed -i 's/dns_canonicalize_hostname = false/dns_canonicalize_hostname = true/' "$LAB_DIR/client/krb5.conf"
}

web_acceptor_mismatch_lab() {
    web_lab "$1"
    mit_addprinc kdc HTTP/www.example.test -randkey
    mit_addprinc kdc host/www.example.test -randkey
    web_keytab host/www.example.test HTTP/www.example.test
    web_www_site "GssapiAcceptorName host@www.example.test"
}

web_kinit() {
    echo Passw0rd-alice | web_as client kinit alice >/dev/null
}

web_get() {
    local pcap=$1 url=$2 want=$3 status
    lab_capture_start "$pcap" "$WEB_BPF"
    web_kinit
    status=$(web_curl client "$url")
    lab_capture_stop
    if [ "$status" != "$want" ]; then
        echo "$LAB_NAME: expected HTTP $want, got $status" >&2
        return 1
    fi
}

web_keytab_get() {
    local name=$1 url=$2 want=$3
    web_get "$CAPTURES/pcap/$name.pcapng" "$url" "$want"
    cp "$WEB_KEYTAB" "$CAPTURES/pcap/$name.keytab"
    chmod 644 "$CAPTURES/pcap/$name.keytab"
}

web_expect_spn_missing() {
    local spn=$1 f
    for f in $(expect_frames 'kerberos.error_code == 7'); do
        expect_line "$f" spn_missing client=alice "spn=$spn" "evidence=$(expect_request "$f")"
    done
}

web_expect_401() {
    local cause=$1 spn=$2 f ev extra keys
    shift 2
    for f in $(expect_frames 'http.response.code == 401 && kerberos.msg_type == 30'); do
        ev=$(expect_request "$f")
        keys=()
        for extra in "$@"; do
            case $extra in
                *=*) keys+=("$extra") ;;
                *) ev=$ev,$extra ;;
            esac
        done
        expect_line "$f" "$cause" client=alice "spn=$spn" "evidence=$ev" ${keys[@]+"${keys[@]}"}
    done
}
