#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# token_too_large: the web server refuses the Kerberos token for its size. Apache 2.4 +
# mod_auth_gssapi serves http://www.example.test/ with LimitRequestFieldSize 600,
# standing in for the limits of IIS and http.sys (MaxFieldLength, MaxRequestBytes),
# which a user in many groups exceeds with the PAC in the ticket: here the MIT ticket
# (no PAC) is small, so the limit is set below its size instead. First a request Apache
# refuses for another reason (plain curl, no authentication, a Host header with a space:
# HTTP 400, the look-alike); then curl --negotiate (MIT krb5 1.20), which sends its
# token at once: TGS-REQ/REP for HTTP/www.example.test, and the GET carrying the
# "Authorization: Negotiate" header of about 1 KB, answered 400 "Size of a request header
# field exceeds server limit". Proves token_too_large on that 400 (evidence: the request
# with the header and its size; likely, as the 400 does not say which header and only the
# Authorization header's length is read), and nothing on the 400 that is not about a
# header.
set -euo pipefail
CAPTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$CAPTURES/lib/lab.sh"
. "$CAPTURES/lib/mit.sh"
. "$CAPTURES/lib/web.sh"
. "$CAPTURES/lib/expect.sh"
web_need
PCAP=$CAPTURES/pcap/token_too_large.pcapng
mkdir -p "$CAPTURES/pcap"

web_lab token_too_large
web_www_spn
# shellcheck disable=SC2034 # read by web_apache_start
WEB_APACHE_SERVER=("LimitRequestFieldSize 600")
web_www_site
lab_capture_start "$PCAP" "$WEB_BPF"
web_kinit
# The look-alike: a malformed Host header, refused before authentication.
bad=$(web_as client curl -s -o /dev/null -w '%{http_code}\n' --noproxy '*' -H 'Host: www example' \
    http://www.example.test/)
status=$(web_curl client http://www.example.test/)
lab_capture_stop
[ "$bad" = 400 ] || { echo "token_too_large: expected HTTP 400 for the bad Host, got $bad" >&2; exit 1; }
[ "$status" = 400 ] || { echo "token_too_large: expected HTTP 400, got $status" >&2; exit 1; }

expect_begin "$PCAP" \
    "token_too_large: curl --negotiate (MIT krb5 1.20) to Apache 2.4 + mod_auth_gssapi 1.6" \
    "with LimitRequestFieldSize 600 (standing in for http.sys MaxFieldLength): a 400 for a" \
    "malformed Host header first (no Authorization: not this cause), then TGS-REQ/REP for" \
    "HTTP/www.example.test and the GET with a Negotiate header longer than" \
    "600 bytes, answered 400 \"Size of a request header field exceeds server limit\"."
expect_preauth_required
req=$(expect_frame 'http.request && kerberos.msg_type == 14')
refused=$(expect_frame "http.response.code == 400 && frame.number > $req")
expect_line "$refused" token_too_large client=alice spn=HTTP/www.example.test "evidence=$req" confidence=likely
first400=$(expect_frame 'http.response.code == 400')
[ "$first400" != "$refused" ] || { echo "token_too_large: no look-alike 400 before the refusal" >&2; exit 1; }
expect_check
