#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""HTTP GET with Negotiate authentication done by Samba's gensec (GSS-SPNEGO), the
security layer Samba's own HTTP client (lib/http, RPC over HTTP) and smbclient use:
it leaves Kerberos out for a target named by an IP address, as Windows does. The HTTP
framing is this script's; every SPNEGO/Kerberos/NTLMSSP token is gensec's. Used by
ntlm_ip_target_http.sh.

usage: gensec_http_get.py SMB_CONF HOST PATH DOMAIN USER PASSWORD
Prints the final HTTP status code.
"""
import base64
import http.client
import sys

from samba import credentials, gensec
from samba.param import LoadParm


def negotiate_token(headers):
    """The Negotiate token of a 401's WWW-Authenticate headers: b'' for a bare offer,
    None when Negotiate is not offered."""
    for value in headers:
        scheme, _, token = value.strip().partition(' ')
        if scheme.lower() == 'negotiate':
            return base64.b64decode(token) if token else b''
    return None


def main():
    smb_conf, host, path, domain, user, password = sys.argv[1:7]
    lp = LoadParm()
    lp.load(smb_conf)
    creds = credentials.Credentials()
    creds.guess(lp)
    creds.set_domain(domain)
    creds.set_username(user)
    creds.set_password(password)
    creds.set_realm(lp.get('realm'))
    creds.set_kerberos_state(credentials.AUTO_USE_KERBEROS)
    conn = http.client.HTTPConnection(host, 80)
    conn.request('GET', path)
    resp = conn.getresponse()
    resp.read()
    ctx = None
    while resp.status == 401:
        token = negotiate_token(resp.headers.get_all('WWW-Authenticate') or [])
        if token is None:
            break
        if ctx is None:
            if token:
                break               # a token before we sent any: not ours
            ctx = gensec.Security.start_client({'lp_ctx': lp, 'target_hostname': host})
            ctx.set_credentials(creds)
            ctx.set_target_hostname(host)
            ctx.set_target_service('HTTP')
            ctx.start_mech_by_sasl_name('GSS-SPNEGO')
        elif not token:
            break                   # the server refused the logon
        _, out = ctx.update(token)
        conn.request('GET', path, headers={'Authorization': 'Negotiate ' + base64.b64encode(out).decode()})
        resp = conn.getresponse()
        resp.read()
    print(resp.status)


if __name__ == '__main__':
    main()
