# SPDX-License-Identifier: GPL-2.0-or-later
"""Build the synthesized ldap_channel_binding capture around real Kerberos bytes.

usage: ldap_cbt_synth.py KDC_PCAPNG TOKENS_JSON OUT_PCAPNG

Real bytes: the KDC frames (AS exchange of alice, TGS-REQ/TGS-REP for
ldap/dc.example.test) copied unchanged from KDC_PCAPNG, captured on the lab bridge from
MIT krb5 1.20, and the SPNEGO NegTokenInit + AP-REQ MIT's GSS-API (python3-gssapi) made
for ldap@dc.example.test (an acceptor holding the service's keytab accepted it: the
ticket is good).
Synthesized: the LDAP connection and its two messages, as Wireshark shows them once the
TLS session of LDAPS or StartTLS is decrypted (the TLS layer itself is left out): a SASL
GSS-SPNEGO BindRequest carrying the real token, and the BindResponse a domain controller
enforcing LDAP channel binding (LdapEnforceChannelBinding = 2) sends when the token
carries no channel binding token: resultCode 49 with "80090346: LdapErr: DSID-0C090569,
comment: AcceptSecurityContext error, data 80090346, v4563".
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dcom_synth as ds                      # noqa: E402  (TCP, pcapng writer, DER)

CLIENT_IP, DC_IP = '10.88.0.10', '10.88.0.2'
AD_CBT_REFUSAL = (b'80090346: LdapErr: DSID-0C090569, comment: AcceptSecurityContext error, '
                  b'data 80090346, v4563\x00')


def ldap_message(msg_id, op):
    return ds.tlv(0x30, ds.tlv(0x02, bytes([msg_id])) + op)


def bind_request_sasl(mech, creds):
    sasl = ds.tlv(0x04, mech) + ds.tlv(0x04, creds)
    return ds.tlv(0x60, ds.tlv(0x02, b'\x03') + ds.tlv(0x04, b'') + ds.tlv(0xa3, sasl))


def bind_response(result, diag):
    return ds.tlv(0x61, ds.tlv(0x0a, bytes([result])) + ds.tlv(0x04, b'') + ds.tlv(0x04, diag))


def main():
    kdc_pcap, tokens_json, out = sys.argv[1:4]
    tok = json.load(open(tokens_json))
    assert tok['accept_status'].startswith('complete'), tok['accept_status']
    real = ds.read_real_frames(kdc_pcap)
    cap = ds.Capture(real[0][0])
    for ns, data in real:
        cap.add_real(ns, 0, data)
    client_mac = ':'.join('%02x' % b for b in real[0][1][6:12])
    dc_mac = ':'.join('%02x' % b for b in real[0][1][0:6])
    kdc_end = (real[-1][0] - cap.base_ns) / 1e9
    init_done = tok['t_init_done'] - cap.base_ns / 1e9
    eth0 = (0, ds.LINKTYPE_ETHERNET)
    c = ds.Conn(cap, eth0, CLIENT_IP, DC_IP, 50412, 389, (client_mac, dc_mac))
    t = max(kdc_end, init_done) + 0.0002
    t = c.handshake(t, 0.00025)
    t += 0.0001
    c.send(t, True, ldap_message(1, bind_request_sasl(b'GSS-SPNEGO', bytes.fromhex(tok['init_token']))),
           comment=ds.SYNTH + ' (LDAP as decrypted from LDAPS/StartTLS); SASL credentials: real MIT SPNEGO '
           'NegTokenInit + AP-REQ')
    t += 0.0009
    c.send(t, False, ldap_message(1, bind_response(49, AD_CBT_REFUSAL)),
           comment=ds.SYNTH + ' (LDAP as decrypted from LDAPS/StartTLS); Active Directory\'s answer when it '
           'enforces channel binding and the bind carries no channel binding token')
    c.close(t + 0.0005, 0.00025)
    comment = ('SYNTHESIZED capture (krbdiag corpus, ldap_channel_binding): a SASL GSS-SPNEGO LDAP bind '
               'refused with AcceptSecurityContext data 80090346 (channel binding required). The KDC '
               'frames and the SPNEGO/AP-REQ token are real (MIT krb5 1.20, lab); the LDAP messages '
               '(shown as after TLS decryption) and TCP/IP framing are synthesized.')
    ds.write_pcapng(out, [(ds.LINKTYPE_ETHERNET, 'eth0', 'client 10.88.0.10 (lab net)')],
                    cap.frames, comment)


if __name__ == '__main__':
    main()
