# SPDX-License-Identifier: GPL-2.0-or-later
"""Build the synthesized rpc_fault_verifier capture around real Kerberos bytes.

usage: rpc_fault_synth.py KDC_PCAPNG TOKENS_JSON OUT_PCAPNG

Real bytes: the KDC frames (AS exchange of the client, TGS-REQ/TGS-REP for
host/srv.example.test) copied unchanged from KDC_PCAPNG, captured on the lab bridge from
MIT krb5 1.20; the SPNEGO NegTokenInit + AP-REQ made by MIT's GSS-API (python3-gssapi)
and the acceptor's answer, MIT's real GSS-framed KRB-ERROR (inside SPNEGO, negState
reject) from accept_sec_context with a keytab that lacks the ticket's key version.
Synthesized: the TCP connection to port 135 and its DCE/RPC PDUs: a bind carrying the
AP-REQ, and a Fault with status 0x721 (RPC_S_SEC_PKG_ERROR) whose auth verifier carries
the acceptor's KRB-ERROR unchanged, as a Windows or MIT-based RPC server may answer a
refused bind. Wireshark 4.0 does not dissect a Kerberos token in a Fault's verifier.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dcom_synth as ds                      # noqa: E402  (PDUs, TCP, pcapng writer)

CLIENT_IP, SRV_IP = '10.88.0.10', '10.88.0.20'
RPC_C_AUTHN_LEVEL_PKT_PRIVACY = 6


def fault_with_verifier(call_id, status, token):
    # alloc_hint, p_cont_id, cancel_count, fault flags, status, reserved; pfc flags:
    # first | last | did_not_execute; then the sec_trailer and the verifier.
    body = ds.struct.pack('<IHBBII', 32, 0, 0, 0, status, 0)
    return ds.pdu(3, call_id, body, flags=0x23,
                  auth=(ds.RPC_C_AUTHN_GSS_NEGOTIATE, RPC_C_AUTHN_LEVEL_PKT_PRIVACY, token))


def main():
    kdc_pcap, tokens_json, out = sys.argv[1:4]
    tok = json.load(open(tokens_json))
    assert not tok['accept_status'].startswith('complete'), tok['accept_status']
    accept = bytes.fromhex(tok['accept_token'])
    assert accept, 'the acceptor gave no token'
    real = ds.read_real_frames(kdc_pcap)
    cap = ds.Capture(real[0][0])
    for ns, data in real:
        cap.add_real(ns, 0, data)
    # The client's MAC: source of its first frame to the KDC; the server's is made up.
    client_mac = ':'.join('%02x' % b for b in real[0][1][6:12])
    srv_mac = 'ae:88:00:00:00:20'
    kdc_end = (real[-1][0] - cap.base_ns) / 1e9
    init_done = tok['t_init_done'] - cap.base_ns / 1e9
    eth0 = (0, ds.LINKTYPE_ETHERNET)
    c = ds.Conn(cap, eth0, CLIENT_IP, SRV_IP, 49733, 135, (client_mac, srv_mac))
    t = max(kdc_end, init_done) + 0.0002
    t = c.handshake(t, 0.00025)
    t += 0.0001
    c.send(t, True, ds.bind(1, ds.IREMOTESCMACTIVATOR,
                            auth=(ds.RPC_C_AUTHN_GSS_NEGOTIATE, RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
                                  bytes.fromhex(tok['init_token']))),
           comment=ds.SYNTH + '; auth verifier: real MIT SPNEGO NegTokenInit + AP-REQ')
    t += 0.0008
    c.send(t, False, fault_with_verifier(1, ds.RPC_S_SEC_PKG_ERROR, accept),
           comment=ds.SYNTH + '; fault 0x721, auth verifier: real MIT acceptor SPNEGO '
           'reject + GSS-framed KRB-ERROR, unchanged')
    c.close(t + 0.0005, 0.00025)
    comment = ('SYNTHESIZED capture (krbdiag corpus, rpc_fault_verifier): an authenticated '
               'DCE/RPC bind refused with fault 0x721 whose auth verifier carries the '
               'acceptor\'s KRB-ERROR. Kerberos KDC frames, the AP-REQ and the KRB-ERROR '
               'are real (MIT krb5 1.20, lab); DCE/RPC and TCP/IP framing are synthesized.')
    ds.write_pcapng(out, [(ds.LINKTYPE_ETHERNET, 'eth0', 'client 10.88.0.10 (lab net)')],
                    cap.frames, comment)


if __name__ == '__main__':
    main()
