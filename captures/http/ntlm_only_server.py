#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A web site configured for NTLM only, the way IIS with Windows Authentication set to
the NTLM provider alone answers: an unauthenticated request gets 401 with
"WWW-Authenticate: NTLM" (no Negotiate); "Authorization: NTLM <token>" is handed to
MIT GSS-API with the NTLMSSP mechanism (gss-ntlmssp, loaded through GSS_MECH_CONFIG,
its accounts in NTLM_USER_FILE), whose CHALLENGE goes back in "WWW-Authenticate: NTLM
<token>" on the same connection; a complete logon gets 200. The HTTP framing is this
script's; every NTLM message is gss-ntlmssp's. Used by ntlm_server_only.sh.

usage: ntlm_only_server.py LISTEN_IP PORT ACCEPTOR_NAME   (ACCEPTOR_NAME: HTTP@host)
"""
import base64
import binascii
import http.server
import sys

import gssapi

NTLMSSP_OID = gssapi.OID.from_int_seq('1.3.6.1.4.1.311.2.2.10')


class NtlmOnlyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'     # keep-alive: NTLM authenticates the connection
    server_version = 'ntlm-only-lab/1'
    sys_version = ''

    def _answer(self, status, body, auth=None):
        data = body.encode()
        self.send_response(status)
        if auth is not None:
            self.send_header('WWW-Authenticate', auth)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        header = self.headers.get('Authorization', '')
        scheme, _, token = header.partition(' ')
        if scheme.lower() != 'ntlm' or not token:
            self._answer(401, 'NTLM logon required\n', 'NTLM')
            return
        try:
            blob = base64.b64decode(token, validate=True)
        except binascii.Error:
            self._answer(400, 'bad Authorization header\n')
            return
        # A NEGOTIATE starts a new logon on this connection.
        if not hasattr(self, 'ctx') or blob[8:12] == b'\x01\x00\x00\x00':
            self.ctx = gssapi.SecurityContext(creds=self.server.creds, usage='accept')
        try:
            out = self.ctx.step(blob)
        except gssapi.exceptions.GSSError as e:
            del self.ctx
            self._answer(401, 'NTLM logon failed: %s\n' % e, 'NTLM')
            return
        if not self.ctx.complete:
            self._answer(401, 'NTLM challenge\n', 'NTLM ' + base64.b64encode(out).decode())
            return
        self._answer(200, 'hello %s\n' % self.ctx.initiator_name)

    def log_message(self, fmt, *args):
        sys.stderr.write('%s %s\n' % (self.address_string(), fmt % args))


def main():
    ip, port, acceptor = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    server = http.server.HTTPServer((ip, port), NtlmOnlyHandler)
    name = gssapi.Name(acceptor, gssapi.NameType.hostbased_service)
    server.creds = gssapi.Credentials(name=name, usage='accept', mechs=[NTLMSSP_OID])
    server.serve_forever()


if __name__ == '__main__':
    main()
