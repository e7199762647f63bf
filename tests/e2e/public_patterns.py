# SPDX-License-Identifier: GPL-2.0-or-later
"""Behaviour checked by pattern on captures nobody here made (check_public.py).

Each check finds a pattern from plain Wireshark fields, never by file name, frame
number or address, and states what krbdiag must say wherever it occurs:
  copies     two recordings of one Kerberos datagram (same ports, identical
             payload, within 1 ms, addresses equal or 0.0.0.0/broadcast): the
             second carries no finding, and no finding calls such an address a KDC;
  pairing    a KRB-ERROR on a TCP connection is explained with the request of that
             connection (the client's last payload on it), readable or not;
  tcp_udp    a TCP request to port 88 left unanswered, repeated over UDP and
             answered there: never a failure (only recovered notes);
  recovered  a KDC error answering an AS-REQ (a TGS-REQ) followed by an AS-REP for
             the same client name (a TGS-REP for the service the error names) to
             the same host: a finding of a recoverable cause is recovered;
  user_to_user  a KDC error refusing a TGS-REQ (S_PRINCIPAL_UNKNOWN, MUST_USE_USER2USER),
             then a TGS-REQ from the same host with enc-tkt-in-skey naming the same
             principal, answered by a TGS-REP for it: the principal is a user
             reached user-to-user, so the error is user_to_user, recovered, and
             never spn_missing;
  one_pass   the end-of-run report of a single pass lists every finding of two
             passes (as a failure, a symptom or evidence), and its verdict counts
             failures once and no round trip as a failure."""

import json

import kdtest

FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "tcp.stream", "tcp.srcport", "tcp.dstport",
          "udp.srcport", "udp.dstport", "tcp.len", "udp.payload", "kerberos.msg_type", "kerberos.error_code",
          "kerberos.CNameString", "kerberos.SNameString", "kerberos.KDCOptions.enc.tkt.in.skey"]
NOWHERE = ("0.0.0.0", "255.255.255.255")
ROUND_TRIPS = {"preauth_required", "response_too_big", "referral"}


class Frame:
    def __init__(self, cols):
        v = dict(zip(FIELDS, cols))
        self.num = int(v["frame.number"])
        self.time = float(v["frame.time_epoch"] or 0)
        self.src = v["ip.src"].split(",")[0]
        self.dst = v["ip.dst"].split(",")[0]
        self.stream = v["tcp.stream"]
        self.sport = int((v["tcp.srcport"] or v["udp.srcport"] or "0").split(",")[0])
        self.dport = int((v["tcp.dstport"] or v["udp.dstport"] or "0").split(",")[0])
        self.tcp = bool(v["tcp.stream"])
        self.tcp_len = int((v["tcp.len"] or "0").split(",")[0])
        self.payload = v["udp.payload"]
        self.msg = [int(x) for x in v["kerberos.msg_type"].split(",") if x]
        self.errors = [int(x) for x in v["kerberos.error_code"].split(",") if x]
        self.cname = v["kerberos.CNameString"]
        self.sname = v["kerberos.SNameString"]
        self.skey = "1" in v["kerberos.KDCOptions.enc.tkt.in.skey"].split(",")


def frames_of(cap):
    args = ["-r", cap, "-Y", "kerberos || tcp.port == 88 || udp.port == 88", "-T", "fields",
            "-E", "separator=\t", "-E", "occurrence=a"]
    for f in FIELDS:
        args += ["-e", f]
    _, out, _ = kdtest.tshark(args)
    return [Frame(line.split("\t")) for line in out.splitlines() if line.count("\t") == len(FIELDS) - 1]


def nowhere(a):
    return a in NOWHERE or a.endswith(".255")


def recorded_copies(frames):
    """Frames that are a second recording of an earlier Kerberos datagram."""
    copies = set()
    recent = {}
    for fr in frames:
        if fr.tcp or not fr.msg or not fr.payload:
            continue
        key = (fr.payload, fr.sport, fr.dport)
        first = recent.get(key)
        if (first and fr.time - first.time <= 0.001 and
                (first.src == fr.src or nowhere(first.src) or nowhere(fr.src)) and
                (first.dst == fr.dst or nowhere(first.dst) or nowhere(fr.dst))):
            copies.add(fr.num)
        else:
            recent[key] = fr
    return copies


def check(cap, findings, frames):
    """Problems found on one capture (empty list when every pattern holds)."""
    problems = []
    if not findings:
        return problems
    on = {}
    for fd in findings:
        on.setdefault(fd.frame, []).append(fd)

    # copies: one finding per message; 0.0.0.0 or a broadcast address is no KDC.
    for n in sorted(recorded_copies(frames)):
        if n in on:
            problems.append("copies: frame %d is a recorded copy and carries %s" % (n, [f.cause for f in on[n]]))
    for fd in findings:
        for a in NOWHERE:
            if fd.summary and ("KDC %s " % a) in fd.summary:
                problems.append("copies: frame %d names %s as a KDC" % (fd.frame, a))

    # pairing: a KRB-ERROR from port 88 over TCP cites its connection's request.
    for fr in frames:
        if not (fr.tcp and 30 in fr.msg and fr.sport == 88) or fr.num not in on:
            continue
        mine = [x for x in frames if x.stream == fr.stream and x.num < fr.num and x.dport == 88 and x.tcp_len > 0]
        if not mine:
            continue
        req = mine[-1]
        for fd in on[fr.num]:
            if fd.error_code is not None and req.num not in fd.evidence:
                problems.append("pairing: frame %d (%s) does not cite frame %d, the request on its connection"
                                % (fr.num, fd.cause, req.num))

    # tcp_udp: TCP request unanswered, the same request answered over UDP.
    answered_tcp = {x.stream for x in frames if x.tcp and x.sport == 88 and x.tcp_len > 0}
    pattern = False
    for fr in frames:
        if not (fr.tcp and fr.dport == 88 and any(m in (10, 12) for m in fr.msg)) or fr.stream in answered_tcp:
            continue
        for u in frames:
            if (not u.tcp and u.src == fr.src and u.dport == 88 and u.msg == fr.msg and u.sname == fr.sname and
                    0.5 <= u.time - fr.time <= 30 and
                    any(a.dport == u.sport and a.sport == 88 and not a.tcp and a.num > u.num for a in frames)):
                pattern = True
                break
    if pattern:
        bad = [fd for fd in findings if fd.cause == "kdc_unreachable" and not fd.recovered]
        if bad:
            problems.append("tcp_udp: TCP unanswered and UDP answered, yet kdc_unreachable failures on %s"
                            % sorted({fd.frame for fd in bad}))
        if not any(fd.cause == "kdc_unreachable" and fd.recovered for fd in findings):
            problems.append("tcp_udp: TCP unanswered and UDP answered: no recovered kdc_unreachable note")

    # recovered: an error, then the ticket for the same question to the same host.
    copies = recorded_copies(frames)
    for fr in frames:
        if 30 not in fr.msg or fr.num in copies or fr.num not in on or 25 in fr.errors or 52 in fr.errors:
            continue
        req = None
        for x in reversed([x for x in frames if x.num < fr.num and x.src == fr.dst and x.sport == fr.dport]):
            if any(m in (10, 12) for m in x.msg):
                req = x
                break
        if not req:
            continue
        as_req = 10 in req.msg
        for ok in frames:
            if ok.num <= fr.num or ok.dst != fr.dst or ok.num in copies:
                continue
            if as_req and 11 in ok.msg and ok.cname and ok.cname == req.cname:
                pass
            elif not as_req and 13 in ok.msg and fr.sname and ok.sname.lower() == fr.sname.lower():
                pass
            else:
                continue
            for fd in on[fr.num]:
                if (fd.cause in ("etype_no_common", "spn_missing", "krb_error", "dc_etype_mismatch", "user_to_user")
                        and not fd.recovered):
                    problems.append("recovered: frame %d (%s) is followed by the ticket in frame %d but not recovered"
                                    % (fr.num, fd.cause, ok.num))
            break

    # user_to_user: the refused principal asked again with enc-tkt-in-skey and granted.
    for fr in frames:
        if not (7 in fr.errors or 27 in fr.errors) or fr.num in copies or fr.num not in on or not fr.sname:
            continue
        name = fr.sname.lower()
        u2u = [x for x in frames if x.num > fr.num and x.src == fr.dst and 12 in x.msg and x.skey and
               name in x.sname.lower().split(",")]
        if not u2u:
            continue
        granted = [ok for ok in frames if ok.num > u2u[0].num and ok.dst == fr.dst and 13 in ok.msg and
                   ok.sname.lower() == name]
        for fd in on[fr.num]:
            if fd.cause != "user_to_user":
                problems.append("user_to_user: frame %d (%s) is followed by a user-to-user request in frame %d"
                                % (fr.num, fd.cause, u2u[0].num))
            elif granted and not fd.recovered:
                problems.append("user_to_user: frame %d is followed by the user-to-user ticket in frame %d but "
                                "not recovered" % (fr.num, granted[0].num))

    # one_pass: the report of a single pass holds the final findings: every frame
    # with a finding in two passes is a failing frame of a problem of its cause, a
    # symptom of one (an RPC fault or NTLM logon inheriting a Kerberos failure), or
    # evidence of one (a frame restating an earlier failure); each failure is counted once.
    _, out, _ = kdtest.tshark(["-r", cap, "-q", "-z", "krbdiag,report,json"])
    problems_json = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    listed = {}
    verdict = None
    for p in problems_json:
        if p.get("type") == "problem":
            for fr in p["frames"]:
                listed.setdefault(fr, set()).add(p["cause"])
            for fr in p.get("symptom_frames", []) + p.get("evidence", []):
                listed.setdefault(fr, set()).add("*")
        elif p.get("type") == "verdict":
            verdict = p
    missing = sorted({(fd.frame, fd.cause) for fd in findings
                      if fd.cause not in listed.get(fd.frame, set()) and "*" not in listed.get(fd.frame, set())})
    if missing:
        problems.append("one_pass: findings of two passes missing from the report of one pass: %s" % missing[:10])
    if verdict:
        fails = [p for p in problems_json if p.get("type") == "problem" and p["severity"] == "warning"]
        if any(p["cause"] in ROUND_TRIPS for p in fails) or verdict.get("problems") != len(fails) \
                or verdict.get("failures") != sum(p["count"] for p in fails):
            problems.append("one_pass: verdict counts %s failures in %s problems, report lists %s"
                            % (verdict.get("failures"), verdict.get("problems"),
                               [(p["cause"], p["count"]) for p in fails]))
        trips = sum(1 for fd in findings if fd.cause in ROUND_TRIPS and not fd.recovered)
        if verdict.get("round_trips") != trips:
            problems.append("one_pass: verdict counts %s round trips, findings %d" % (verdict.get("round_trips"), trips))
    return problems
