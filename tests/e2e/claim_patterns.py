#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Claims that must hold on real captures, checked by pattern against the packets
themselves (never by file, frame or address): a confirmed finding names the
contradictions it ruled out; "KDC B refuses the TGT KDC A issued" is about the same
ticket (ciphertext) and no frame contradicts it; 0x721 after an AP-REP on its
connection is not "the service refused the ticket"; "no common encryption type" is
not said when the offer and the announced keys share a type; an NTLM fallback is an
AUTHENTICATE with an account, shortly after a Kerberos failure, confirmed only when
the Kerberos target is a host."""

import kdtest

# Causes whose claims are checked against the packets themselves.
CLAIMS = {"dc_etype_mismatch", "sec_pkg_error", "etype_no_common", "ntlm_fallback"}
NOT_A_HOST = {"0.0.0.0", "255.255.255.255", "::"}
FALLBACK_WINDOW = 30.0

FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.stream",
          "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport", "kerberos.msg_type",
          "kerberos.error_code", "kerberos.cipher", "kerberos.ENCTYPE", "kerberos.etype",
          "ntlmssp.messagetype", "ntlmssp.auth.username"]


def packets(cap):
    """frame -> {field: [values]} for the frames carrying Kerberos or NTLMSSP, and RPC faults."""
    args = ["-r", cap, "-Y", "kerberos || ntlmssp || dcerpc.pkt_type == 3", "-T", "fields", "-E", "separator=\t",
            "-E", "aggregator=;", "-E", "occurrence=a"]
    for f in FIELDS:
        args += ["-e", f]
    _, out, _ = kdtest.tshark(args, check=False)
    pk = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) < len(FIELDS) or not cols[0].isdigit():
            continue
        row = {f: [v for v in c.split(";") if v] for f, c in zip(FIELDS, cols)}
        row["src"] = (row["ip.src"] or row["ipv6.src"] or ["?"])[0]
        row["dst"] = (row["ip.dst"] or row["ipv6.dst"] or ["?"])[0]
        row["sport"] = (row["udp.srcport"] or row["tcp.srcport"] or ["?"])[0]
        row["dport"] = (row["udp.dstport"] or row["tcp.dstport"] or ["?"])[0]
        row["time"] = float(row["frame.time_epoch"][0])
        pk[int(cols[0])] = row
    return pk


def has_msg(row, t):
    return str(t) in row["kerberos.msg_type"]


class Requests:
    """The requests of a capture by the address and port they came from, in frame order:
    a KDC answer answers the latest one from its destination address and port."""

    def __init__(self, pk):
        self.by_end = {}
        for f in sorted(pk):
            r = pk[f]
            for t in (10, 12):
                if has_msg(r, t):
                    self.by_end.setdefault((r["src"], r["sport"]), []).append((f, t))

    def answered(self, pk, frame, req_types):
        a = pk[frame]
        best = None
        for f, t in self.by_end.get((a["dst"], a["dport"]), []):
            if f >= frame:
                break
            if t in req_types:
                best = f
        return best


def check(cap, findings):
    """Problems with claims the packets contradict (see the module text)."""
    probs = []
    for fd in findings:
        if fd.confidence == "confirmed" and not fd.checked:
            probs.append("frame %d: %s confirmed without contradiction checks" % (fd.frame, fd.cause))
    if not any(fd.cause in CLAIMS for fd in findings):
        return probs
    pk = packets(cap)
    reqs = Requests(pk)
    ap_reps = {}                # TCP stream -> frames carrying an AP-REP
    for f, r in pk.items():
        if has_msg(r, 15) and r["tcp.stream"]:
            ap_reps.setdefault(r["tcp.stream"][0], []).append(f)
    # Ticket ciphertext -> KDC addresses that issued it / accepted it / refused it.
    issued, accepted, refused = {}, {}, {}
    for f, r in pk.items():
        if (has_msg(r, 11) or has_msg(r, 13)) and r["kerberos.cipher"]:
            issued.setdefault(r["kerberos.cipher"][0], set()).add(r["src"])
        if has_msg(r, 13) or has_msg(r, 30):
            q = reqs.answered(pk, f, (12,))
            if q and pk[q]["kerberos.cipher"]:
                tk = pk[q]["kerberos.cipher"][0]
                (accepted if has_msg(r, 13) else refused).setdefault(tk, set()).add(r["src"])
    for fd in findings:
        r = pk.get(fd.frame)
        if fd.cause == "dc_etype_mismatch" and r:
            q = reqs.answered(pk, fd.frame, (12,))
            tk = pk[q]["kerberos.cipher"][0] if q and pk[q]["kerberos.cipher"] else None
            issuers = issued.get(tk, set())
            if (not tk or r["src"] in NOT_A_HOST or not issuers or r["src"] in issuers
                    or r["src"] in accepted.get(tk, set()) or issuers & refused.get(tk, set())):
                probs.append("frame %d: dc_etype_mismatch that the capture contradicts (same ticket issued, "
                             "accepted or refused elsewhere, or no host address)" % fd.frame)
        if fd.cause == "sec_pkg_error" and r and "refused" in (fd.summary or ""):
            stream = (r["tcp.stream"] or [None])[0]
            if any(f < fd.frame for f in ap_reps.get(stream, [])):
                probs.append("frame %d: sec_pkg_error says the ticket was refused after an AP-REP accepted it"
                             % fd.frame)
        if fd.cause == "etype_no_common" and r:
            q = reqs.answered(pk, fd.frame, (10, 12))
            if q and set(pk[q]["kerberos.ENCTYPE"]) & set(r["kerberos.etype"]):
                probs.append("frame %d: etype_no_common although the offer and the announced keys share a type"
                             % fd.frame)
        if fd.cause == "ntlm_fallback":
            auth = r and any(int(t, 0) == 3 for t in r["ntlmssp.messagetype"])
            users = r["ntlmssp.auth.username"] if auth else []
            if not users or users[0] == "NULL":
                probs.append("frame %d: ntlm_fallback on no AUTHENTICATE with an account" % fd.frame)
            k = [e for e in fd.evidence if e in pk and has_msg(pk[e], 30)]
            if r and (not k or not 0 <= r["time"] - pk[k[0]]["time"] <= FALLBACK_WINDOW):
                probs.append("frame %d: ntlm_fallback without a Kerberos failure shortly before" % fd.frame)
            if fd.confidence == "confirmed" and "/" not in (fd.spn or ""):
                probs.append("frame %d: ntlm_fallback confirmed although the Kerberos target names no host"
                             % fd.frame)
    return probs
