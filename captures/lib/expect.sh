# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Writing pcap/<scenario>.expected from what a scenario did. Frames are located with
# plain Wireshark fields through tshark (never from krbdiag's output). tshark takes
# most of a second to start, so expect_begin reads the common fields of every frame once
# into a table ($EXPECT_TABLE) and the per-frame helpers look there. Source this file,
# then:
#
#   expect_begin PCAP [COMMENT...]     start $EXPECT_FILE (PCAP with .expected), one
#                                      "# COMMENT" line per argument
#   expect_comment TEXT...             append a "# TEXT" line
#   expect_frames FILTER               all frame numbers matching the display filter
#                                      (one tshark run each)
#   expect_errors CODE                 frames carrying a KRB-ERROR with that error code
#                                      (from the table: no tshark run); fails if none
#   expect_frame FILTER [N]            the Nth (default 1st) matching frame; fails if none
#   expect_field FRAME FIELD           values of FIELD in FRAME (comma-separated)
#   expect_request FRAME               the request (AS-REQ, TGS-REQ or AP-REQ carrier) that
#                                      the KRB-ERROR in FRAME answers: the last one before
#                                      FRAME in the same UDP/TCP stream
#   expect_errname FRAME               Wireshark's name of the KRB-ERROR in FRAME, as the
#                                      Info column shows it, minus the "KRB5" prefix
#   expect_sname FRAME / expect_cname FRAME
#                                      sname / cname of the KRB-ERROR in FRAME, components
#                                      joined with "/", without realm
#   expect_preauth_required            one preauth_required line for every
#                                      KDC_ERR_PREAUTH_REQUIRED followed by an AS-REQ with
#                                      PA-ENC-TIMESTAMP from the same client to the same KDC
#                                      (evidence: the AS-REQ it answers and that
#                                      pre-authenticated AS-REQ);
#                                      fails if one is not followed by such an AS-REQ
#   expect_line FRAME CAUSE [KEY=VALUE...]
#                                      append a finding; adds error=NAME itself when FRAME
#                                      carries a KRB-ERROR and no error= was given
#   expect_check                       the capture has no malformed frames or error-level
#                                      expert items (except frames matching the filter in
#                                      $EXPECT_KNOWN_MALFORMED, if set), every KRB-ERROR frame has exactly one
#                                      line (its own, or one naming it in copies=) and every
#                                      line's frame exists; prints the file
set -euo pipefail

_expect_tshark() {
    # tshark as root complains on stderr about running as root; keep real errors.
    tshark "$@" 2> >(grep -v 'Running as user' >&2)
}

# Columns of $EXPECT_TABLE, in order (tab-separated, multiple values joined with ",").
EXPECT_COLUMNS=(frame.number ip.src ip.dst udp.stream tcp.stream kerberos.msg_type
    kerberos.error_code kerberos.padata_type kerberos.CNameString kerberos.SNameString
    _ws.col.Info)

expect_begin() {
    EXPECT_PCAP=$1
    shift
    EXPECT_FILE=${EXPECT_PCAP%.pcapng}.expected
    EXPECT_TABLE=$EXPECT_FILE.fields
    local c args=()
    for c in "${EXPECT_COLUMNS[@]}"; do
        args+=(-e "$c")
    done
    _expect_tshark -r "$EXPECT_PCAP" -T fields -E separator=/t -E aggregator=, "${args[@]}" > "$EXPECT_TABLE"
    : > "$EXPECT_FILE"
    local c
    for c in "$@"; do
        echo "# $c" >> "$EXPECT_FILE"
    done
}

expect_comment() {
    echo "# $*" >> "$EXPECT_FILE"
}

expect_frames() {
    _expect_tshark -r "$EXPECT_PCAP" -Y "$1" -T fields -e frame.number
}

expect_frame() {
    local filter=$1 n=${2:-1} f
    f=$(expect_frames "$filter" | sed -n "${n}p")
    if [ -z "$f" ]; then
        echo "expect: no frame #$n matches '$filter' in $EXPECT_PCAP" >&2
        return 1
    fi
    echo "$f"
}

expect_errors() {
    local out
    out=$(awk -F'\t' -v ec="$(_expect_col kerberos.error_code)" -v c="$1" \
        '{ n = split($ec, v, ","); for (i = 1; i <= n; i++) if (v[i] == c) { print $1; break } }' "$EXPECT_TABLE")
    if [ -z "$out" ]; then
        echo "expect: no KRB-ERROR with code $1 in $EXPECT_PCAP" >&2
        return 1
    fi
    echo "$out"
}

expect_field() {
    local frame=$1 field=$2 i
    for i in "${!EXPECT_COLUMNS[@]}"; do
        if [ "${EXPECT_COLUMNS[$i]}" = "$field" ]; then
            awk -F'\t' -v f="$frame" -v c=$((i + 1)) '$1 == f { print $c }' "$EXPECT_TABLE"
            return 0
        fi
    done
    _expect_tshark -r "$EXPECT_PCAP" -Y "frame.number == $frame" -T fields -E aggregator=, -e "$field"
}

_expect_col() {
    local i
    for i in "${!EXPECT_COLUMNS[@]}"; do
        [ "${EXPECT_COLUMNS[$i]}" = "$1" ] && echo $((i + 1)) && return 0
    done
    return 1
}

expect_request() {
    local frame=$1 stream proto f
    stream=$(expect_field "$frame" udp.stream)
    proto=udp
    if [ -z "$stream" ]; then
        stream=$(expect_field "$frame" tcp.stream)
        proto=tcp
    fi
    if [ -z "$stream" ]; then
        echo "expect: frame $frame of $EXPECT_PCAP is neither UDP nor TCP" >&2
        return 1
    fi
    # Last frame before FRAME in the stream with an AS-REQ (10), TGS-REQ (12) or AP-REQ (14).
    f=$(awk -F'\t' -v f="$frame" -v s="$stream" -v sc="$(_expect_col "$proto.stream")" \
            -v mc="$(_expect_col kerberos.msg_type)" '
        $1 + 0 < f + 0 && $sc == s && $mc ~ /(^|,)(10|12|14)(,|$)/ { last = $1 }
        END { print last }' "$EXPECT_TABLE")
    if [ -z "$f" ]; then
        echo "expect: no request before frame $frame in $proto stream $stream" >&2
        return 1
    fi
    echo "$f"
}

expect_sname() {
    expect_field "$1" kerberos.SNameString | tr , /
}

expect_cname() {
    expect_field "$1" kerberos.CNameString | tr , /
}

expect_preauth_required() {
    local f req next client kdc
    # shellcheck disable=SC2013
    for f in $(awk -F'\t' -v ec="$(_expect_col kerberos.error_code)" '$ec == 25 { print $1 }' "$EXPECT_TABLE"); do
        req=$(expect_request "$f")
        client=$(expect_field "$f" ip.dst)
        kdc=$(expect_field "$f" ip.src)
        # The next AS-REQ (10) from the client to that KDC that carries PA-ENC-TIMESTAMP (2).
        next=$(awk -F'\t' -v f="$f" -v ip="$client" -v kdc="$kdc" -v sc="$(_expect_col ip.src)" \
                -v dc="$(_expect_col ip.dst)" -v mc="$(_expect_col kerberos.msg_type)" \
                -v pc="$(_expect_col kerberos.padata_type)" '
            $1 + 0 > f + 0 && $sc == ip && $dc == kdc && $mc == 10 && $pc ~ /(^|,)2(,|$)/ { print $1; exit }' "$EXPECT_TABLE")
        if [ -z "$next" ]; then
            echo "expect: PREAUTH_REQUIRED in frame $f is not followed by a pre-authenticated AS-REQ" >&2
            return 1
        fi
        expect_line "$f" preauth_required "client=$(expect_cname "$f")" "spn=$(expect_sname "$f")" "evidence=$req,$next"
    done
}

# Wireshark 4.0 krb5_error_codes (packet-kerberos.c), used when the Info column of the
# frame does not name the error (e.g. a KRB-ERROR inside HTTP or SMB2).
_expect_errname_table() {
    case $1 in
        0) echo KDC_ERR_NONE ;; 1) echo KDC_ERR_NAME_EXP ;; 2) echo KDC_ERR_SERVICE_EXP ;;
        3) echo KDC_ERR_BAD_PVNO ;; 4) echo KDC_ERR_C_OLD_MAST_KVNO ;;
        5) echo KDC_ERR_S_OLD_MAST_KVNO ;; 6) echo KDC_ERR_C_PRINCIPAL_UNKNOWN ;;
        7) echo KDC_ERR_S_PRINCIPAL_UNKNOWN ;; 8) echo KDC_ERR_PRINCIPAL_NOT_UNIQUE ;;
        9) echo KDC_ERR_NULL_KEY ;; 10) echo KDC_ERR_CANNOT_POSTDATE ;;
        11) echo KDC_ERR_NEVER_VALID ;; 12) echo KDC_ERR_POLICY ;; 13) echo KDC_ERR_BADOPTION ;;
        14) echo KDC_ERR_ETYPE_NOSUPP ;; 15) echo KDC_ERR_SUMTYPE_NOSUPP ;;
        16) echo KDC_ERR_PADATA_TYPE_NOSUPP ;; 17) echo KDC_ERR_TRTYPE_NOSUPP ;;
        18) echo KDC_ERR_CLIENT_REVOKED ;; 19) echo KDC_ERR_SERVICE_REVOKED ;;
        20) echo KDC_ERR_TGT_REVOKED ;; 21) echo KDC_ERR_CLIENT_NOTYET ;;
        22) echo KDC_ERR_SERVICE_NOTYET ;; 23) echo KDC_ERR_KEY_EXP ;;
        24) echo KDC_ERR_PREAUTH_FAILED ;; 25) echo KDC_ERR_PREAUTH_REQUIRED ;;
        26) echo KDC_ERR_SERVER_NOMATCH ;; 27) echo KDC_ERR_MUST_USE_USER2USER ;;
        28) echo KDC_ERR_PATH_NOT_ACCEPTED ;; 29) echo KDC_ERR_SVC_UNAVAILABLE ;;
        31) echo KRB_AP_ERR_BAD_INTEGRITY ;; 32) echo KRB_AP_ERR_TKT_EXPIRED ;;
        33) echo KRB_AP_ERR_TKT_NYV ;; 34) echo KRB_AP_ERR_REPEAT ;; 35) echo KRB_AP_ERR_NOT_US ;;
        36) echo KRB_AP_ERR_BADMATCH ;; 37) echo KRB_AP_ERR_SKEW ;; 38) echo KRB_AP_ERR_BADADDR ;;
        39) echo KRB_AP_ERR_BADVERSION ;; 40) echo KRB_AP_ERR_MSG_TYPE ;;
        41) echo KRB_AP_ERR_MODIFIED ;; 42) echo KRB_AP_ERR_BADORDER ;;
        43) echo KRB_AP_ERR_ILL_CR_TKT ;; 44) echo KRB_AP_ERR_BADKEYVER ;;
        45) echo KRB_AP_ERR_NOKEY ;; 46) echo KRB_AP_ERR_MUT_FAIL ;;
        47) echo KRB_AP_ERR_BADDIRECTION ;; 48) echo KRB_AP_ERR_METHOD ;;
        49) echo KRB_AP_ERR_BADSEQ ;; 50) echo KRB_AP_ERR_INAPP_CKSUM ;;
        51) echo KDC_AP_PATH_NOT_ACCEPTED ;; 52) echo KRB_ERR_RESPONSE_TOO_BIG ;;
        60) echo KRB_ERR_GENERIC ;; 61) echo KRB_ERR_FIELD_TOOLONG ;;
        62) echo KDC_ERROR_CLIENT_NOT_TRUSTED ;; 63) echo KDC_ERROR_KDC_NOT_TRUSTED ;;
        64) echo KDC_ERROR_INVALID_SIG ;; 65) echo KDC_ERR_KEY_TOO_WEAK ;;
        66) echo KDC_ERR_CERTIFICATE_MISMATCH ;; 67) echo KRB_AP_ERR_NO_TGT ;;
        68) echo KDC_ERR_WRONG_REALM ;;
        *) echo "expect: no name for Kerberos error $1" >&2; return 1 ;;
    esac
}

expect_errname() {
    local frame=$1 info code
    info=$(expect_field "$frame" _ws.col.Info)
    if [[ $info =~ KRB\ Error:\ (KRB5)?([A-Z0-9_]+) ]]; then
        echo "${BASH_REMATCH[2]}"
        return 0
    fi
    code=$(expect_field "$frame" kerberos.error_code)
    if [ -z "$code" ]; then
        echo "expect: frame $frame of $EXPECT_PCAP carries no KRB-ERROR" >&2
        return 1
    fi
    _expect_errname_table "${code%%,*}"
}

expect_line() {
    local frame=$1 cause=$2
    shift 2
    local line="$frame $cause" kv has_error=
    for kv in "$@"; do
        case $kv in error=*) has_error=1 ;; esac
        # An empty value (e.g. a failed $(expect_request ...)) is a scenario bug.
        if [[ $kv != *=?* || $kv == *=,* || $kv == *,, || $kv == *,,* || $kv == *, ]]; then
            echo "expect: bad key=value '$kv' for frame $frame" >&2
            return 1
        fi
    done
    if [ -z "$has_error" ] && [ -n "$(expect_field "$frame" kerberos.error_code)" ]; then
        line="$line error=$(expect_errname "$frame")"
    fi
    for kv in "$@"; do
        line="$line $kv"
    done
    echo "$line" >> "$EXPECT_FILE"
}

expect_check() {
    local bad rc=0 f n nframes
    # EXPECT_KNOWN_MALFORMED: a display filter for frames whose dissection errors are a
    # known, documented Wireshark 4.0 limitation on a real capture (say why in the script).
    local known=${EXPECT_KNOWN_MALFORMED:-}
    bad=$(_expect_tshark -r "$EXPECT_PCAP" -Y "(_ws.malformed || _ws.expert.severity >= error)${known:+ && !($known)}")
    if [ -n "$bad" ]; then
        echo "expect: $EXPECT_PCAP has malformed frames or expert errors:" >&2
        echo "$bad" >&2
        rc=1
    fi
    # shellcheck disable=SC2013
    for f in $(awk -F'\t' -v mc="$(_expect_col kerberos.msg_type)" '$mc ~ /(^|,)30(,|$)/ { print $1 }' "$EXPECT_TABLE"); do
        # A line for the frame itself, or one naming it as a recorded copy (copies=).
        n=$(grep -v '^#' "$EXPECT_FILE" | awk -v f="$f" '
            $1 == f { print; next }
            { for (i = 3; i <= NF; i++) if ($i ~ /^copies=/) {
                  m = split(substr($i, 8), c, ","); for (j = 1; j <= m; j++) if (c[j] == f) print } }' | wc -l)
        if [ "$n" -ne 1 ]; then
            echo "expect: KRB-ERROR frame $f has $n lines in $EXPECT_FILE (want 1)" >&2
            rc=1
        fi
    done
    nframes=$(wc -l < "$EXPECT_TABLE")
    # shellcheck disable=SC2013
    for f in $(grep -v '^#' "$EXPECT_FILE" | awk 'NF { print $1 }'); do
        if ! [[ $f =~ ^[0-9]+$ ]] || [ "$f" -lt 1 ] || [ "$f" -gt "$nframes" ]; then
            echo "expect: line for frame '$f' in $EXPECT_FILE: no such frame" >&2
            rc=1
        fi
    done
    rm -f "$EXPECT_TABLE"
    # Comments first, then the findings in frame order.
    { grep '^#' "$EXPECT_FILE" || true; grep -v '^#' "$EXPECT_FILE" | sort -n -k1,1 -s || true; } > "$EXPECT_FILE.tmp"
    mv "$EXPECT_FILE.tmp" "$EXPECT_FILE"
    echo "== $EXPECT_FILE"
    cat "$EXPECT_FILE"
    return $rc
}
