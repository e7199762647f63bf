# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# lib/dcom.sh: the real-Kerberos half of the synthesized DCOM captures (dcom_shared_address,
# dcom_serveralive2_ok). Source after lab.sh and mit.sh, then:
#
#   dcom_need                the Debian packages of dcom_lab and dcom_synth.py
#   dcom_lab NAME MODE       MODE ok | fail
#   dcom_capture NAME MODE PCAP [SYNTH_MODE]
#                            dcom_lab NAME MODE, then dcom_synth.py SYNTH_MODE (default MODE)
#                            builds PCAP around the real KDC frames and tokens
#                            (world-readable); cleans the lab up
#
# Two MIT realms as two domains of one forest: ALPHA.EXAMPLE.TEST (KDC 10.88.0.2, the
# client srv1 = host/srv1.alpha.example.test at 10.88.0.12) and BETA.EXAMPLE.TEST (KDC
# 10.88.0.3, host/srv2.beta.example.test), with a one-way trust (krbtgt/BETA@ALPHA).
# srv1 gets its machine TGT from its keytab before the capture starts (a Windows member
# server always holds one), then python3-gssapi asks for a SPNEGO/Kerberos context to
# host@srv2.beta.example.test: the TGS-REQ to ALPHA is answered with a referral to BETA
# (ALPHA's KDC maps .beta.example.test to BETA, as an AD forest does), then the TGS-REQ
# to BETA gets the service ticket. Those KDC exchanges are captured for real on the lab
# bridge (port 88) into $DCOM_KDC_PCAP. The AP-REQ token is handed to an acceptor:
#   ok:   srv2's own keytab                       -> SPNEGO accept-completed + AP-REP
#   fail: srv1's machine key filed under srv2's name (what srv1 does when DCOM loops the
#         connection back to itself: it decrypts the ticket with its own key)
#                                                 -> KRB-ERROR KRB_AP_ERR_MODIFIED
# The tokens and their times land in $DCOM_OUT/tokens.json.
set -euo pipefail

DCOM_SYNTH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../synth" && pwd)

dcom_need() {
    lab_need iproute2 krb5-kdc krb5-admin-server krb5-user tshark python3-gssapi \
        python3-scapy python3-impacket python3-pyasn1
}

dcom_lab() {
    local name=$1 mode=$2
    lab_init "$name"
    lab_host kdca 10.88.0.2
    lab_host kdcb 10.88.0.3
    lab_host srv1 10.88.0.12
    mit_realm ALPHA.EXAMPLE.TEST kdca 10.88.0.2
    mit_realm BETA.EXAMPLE.TEST kdcb 10.88.0.3
    # The inter-realm key: same principal, same password, so the same key in both.
    mit_addprinc kdca krbtgt/BETA.EXAMPLE.TEST@ALPHA.EXAMPLE.TEST
    mit_addprinc kdcb krbtgt/BETA.EXAMPLE.TEST@ALPHA.EXAMPLE.TEST
    mit_addprinc kdca host/srv1.alpha.example.test -randkey +requires_preauth
    mit_addprinc kdcb host/srv2.beta.example.test -randkey
    mit_kadmin kdca "ktadd -k $LAB_DIR/srv1.keytab host/srv1.alpha.example.test"
    mit_kadmin kdcb "ktadd -k $LAB_DIR/srv2.keytab host/srv2.beta.example.test"
    # ALPHA's KDC answers host/<name>.beta.example.test with a referral to BETA.
    printf '\n[domain_realm]\n    .beta.example.test = BETA.EXAMPLE.TEST\n' \
        >> "$LAB_DIR/kdc-kdca/krb5.conf"
    mit_kdc_start kdca
    mit_kdc_start kdcb
    # srv1 knows both KDCs but no domain_realm mapping: it asks its own realm first
    # (referral), as a Windows client asks its own DC.
    mit_client_conf srv1 ALPHA.EXAMPLE.TEST 10.88.0.2
    printf '    BETA.EXAMPLE.TEST = {\n        kdc = 10.88.0.3\n    }\n' >> "$LAB_DIR/srv1/krb5.conf"
    mit_as srv1 kinit -k -t "$LAB_DIR/srv1.keytab" host/srv1.alpha.example.test

    local keytab=$LAB_DIR/srv2.keytab kvno
    if [ "$mode" = fail ]; then
        kvno=$(klist -k "$LAB_DIR/srv2.keytab" | awk '/host\/srv2/ { print $1; exit }')
        keytab=$LAB_DIR/srv1-as-srv2.keytab
        /usr/bin/python3 "$DCOM_SYNTH_DIR/dcom_tokens.py" rekey "$LAB_DIR/srv1.keytab" \
            "$keytab" host/srv2.beta.example.test@BETA.EXAMPLE.TEST "$kvno"
    fi

    DCOM_KDC_PCAP=$LAB_DIR/kdc.pcapng
    DCOM_OUT=$LAB_DIR/out
    mkdir -p "$DCOM_OUT"
    lab_capture_start "$DCOM_KDC_PCAP" 'port 88'
    mit_as srv1 env KRB5RCACHETYPE=none /usr/bin/python3 "$DCOM_SYNTH_DIR/dcom_tokens.py" \
        tokens "$DCOM_OUT" srv2.beta.example.test "$keytab" "$mode"
    lab_capture_stop
}

dcom_capture() {
    local name=$1 mode=$2 pcap=$3 synth=${4:-$2}
    dcom_lab "$name" "$mode"
    /usr/bin/python3 "$DCOM_SYNTH_DIR/dcom_synth.py" "$synth" "$DCOM_KDC_PCAP" "$DCOM_OUT/tokens.json" "$pcap"
    chmod a+r "$pcap"
    lab_cleanup
}
