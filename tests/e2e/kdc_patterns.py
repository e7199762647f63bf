# SPDX-License-Identifier: GPL-2.0-or-later
"""Patterns a KDC's answer shows, checked on any capture (by what the packets say,
never by file name, frame number or address):

- e-text: a KRB-ERROR whose e-text the catalog's table knows for its error code has
  that text quoted in its warning findings ("the KDC says: LOCKED_OUT").
- MIT's wrong password: KRB_AP_ERR_BAD_INTEGRITY with e-text PREAUTH_FAILED answering
  an AS-REQ carrying PA-ENC-TIMESTAMP or an encrypted challenge is wrong_password;
  KDC_ERR_CLIENT_REVOKED with LOCKED_OUT is account_locked, with CLIENT LOCKED OUT
  account_disabled.
- KDC kind: an error with an MIT label as e-text and no NTSTATUS in e-data never
  lists duplicate_spn.
- Clock side: a clock_skew finding on an error whose server time is within the
  tolerance of the capture's clock does not blame the server.
- Names: no summary writes a realm after a name that already has one."""

import os
import re
import xml.etree.ElementTree as ET

import kdtest

SKEW_TOLERANCE_S = 300
PA_ENC_TIMESTAMP = 2
PA_ENCRYPTED_CHALLENGE = 138
AS_REQ, TGS_REQ, KRB_ERROR = 10, 12, 30
BAD_INTEGRITY, CLIENT_REVOKED = 31, 18


def etext_table():
    """The catalog's e-text rows as {normalised text: (kdc, cause or None, codes or None)},
    read from heuristics/kd_catalog.c (the one place they are defined)."""
    src = open(os.path.join(kdtest.REPO, "heuristics", "kd_catalog.c"), encoding="utf-8").read()
    codes = {m.group(1): int(m.group(2)) for m in re.finditer(r"\b(EC_\w+)\s*=\s*(\d+)", src)}
    rows = {}
    for m in re.finditer(r"\bET([CA])\(\s*\"([^\"]+)\",\s*\"([^\"]+)\",\s*(\w+),\s*((?:\"(?:[^\"\\]|\\.)*\"\s*)+)(.*?)\),?\n",
                         src, re.S):
        kind, text, kdc, cause, _meaning, rest = m.groups()
        cause = None if cause == "NO_HINT" else cause[len("KD_CAUSE_"):].lower()
        row_codes = None
        if kind == "C":
            row_codes = {codes[c] for c in re.findall(r"EC_\w+", rest)}
        rows[norm(text)] = (kdc, cause, row_codes)
    return rows


def norm(text):
    return " ".join((text or "").split()).lower()


def _walk(elem):
    for child in elem:
        yield child
        yield from _walk(child)


class Packet:
    def __init__(self):
        self.frame = None
        self.time = None
        self.src = self.dst = None
        self.sport = self.dport = None
        self.msg_types = []
        self.error_code = None
        self.e_text = None
        self.stime = None
        self.padata = []
        self.nt_status = False


def generalized_time(hexval):
    """Seconds since the epoch of a KerberosTime ("YYYYMMDDHHMMSSZ") given as PDML hex."""
    import calendar
    try:
        s = bytes.fromhex(hexval).decode("ascii")
        return calendar.timegm((int(s[0:4]), int(s[4:6]), int(s[6:8]), int(s[8:10]), int(s[10:12]), int(s[12:14])))
    except (ValueError, IndexError):
        return None


def packets(pdml):
    out = []
    root = ET.fromstring(pdml)
    for packet in root.iter("packet"):
        p = Packet()
        for f in _walk(packet):
            if f.tag != "field":
                continue
            name, show = f.get("name"), f.get("show")
            if name == "frame.number" and p.frame is None:
                p.frame = int(show)
            elif name == "frame.time_epoch" and p.time is None:
                p.time = float(show)
            elif name in ("ip.src", "ipv6.src") and p.src is None:
                p.src = show
            elif name in ("ip.dst", "ipv6.dst") and p.dst is None:
                p.dst = show
            elif name in ("udp.srcport", "tcp.srcport") and p.sport is None:
                p.sport = int(show)
            elif name in ("udp.dstport", "tcp.dstport") and p.dport is None:
                p.dport = int(show)
            elif name == "kerberos.msg_type":
                p.msg_types.append(int(show))
            elif name == "kerberos.error_code" and p.error_code is None:
                p.error_code = int(show)
            elif name == "kerberos.e_text" and p.e_text is None:
                p.e_text = show
            elif name == "kerberos.stime" and p.stime is None:
                p.stime = generalized_time(f.get("value") or "")
            elif name == "kerberos.padata_type":
                p.padata.append(int(show))
            elif name == "kerberos.smb.nt_status":
                p.nt_status = True
        out.append(p)
    return out


def request_answered(pkts, err):
    """The latest request before err from err's destination address and port to its
    source address and port: what a KDC's error answers."""
    for p in reversed([q for q in pkts if q.frame < err.frame]):
        if (p.src, p.sport, p.dst, p.dport) == (err.dst, err.dport, err.src, err.sport) and \
                (AS_REQ in p.msg_types or TGS_REQ in p.msg_types):
            return p
    return None


def check(pdml, findings, severities, seen=None):
    """Problems (strings) the capture's findings show against the patterns above;
    seen (a dict) counts the cases each pattern applied to."""
    seen = {} if seen is None else seen

    def saw(what):
        seen[what] = seen.get(what, 0) + 1

    rows = etext_table()
    pkts = packets(pdml)
    by_frame = {}
    for fd in findings:
        by_frame.setdefault(fd.frame, []).append(fd)
    problems = []
    for p in pkts:
        if KRB_ERROR not in p.msg_types or p.error_code is None:
            continue
        fds = [fd for fd in by_frame.get(p.frame, []) if fd.error_code == p.error_code]
        causes = [fd.cause for fd in fds]
        row = rows.get(norm(p.e_text)) if p.e_text else None
        applies = row and (row[2] is None or p.error_code in row[2])
        label = norm(p.e_text).upper() if p.e_text else ""
        # e-text quoted in every warning finding the error got
        if applies:
            saw("e-text quoted")
            for fd in fds:
                if severities.get(fd.cause) == "warning" and label not in (fd.summary or "").upper():
                    problems.append("frame %d: e-text %r not quoted in %s" % (p.frame, p.e_text, fd.cause))
        # MIT's wrong password answered with BAD_INTEGRITY
        if p.error_code == BAD_INTEGRITY and label == "PREAUTH_FAILED":
            req = request_answered(pkts, p)
            if req and AS_REQ in req.msg_types and \
                    (PA_ENC_TIMESTAMP in req.padata or PA_ENCRYPTED_CHALLENGE in req.padata):
                saw("BAD_INTEGRITY wrong password")
            if req and AS_REQ in req.msg_types and \
                    (PA_ENC_TIMESTAMP in req.padata or PA_ENCRYPTED_CHALLENGE in req.padata) and \
                    "wrong_password" not in causes:
                problems.append("frame %d: BAD_INTEGRITY/PREAUTH_FAILED to a pre-authenticated AS-REQ is %s, "
                                "want wrong_password" % (p.frame, causes))
        if p.error_code == CLIENT_REVOKED and label in ("LOCKED_OUT", "CLIENT LOCKED OUT"):
            want = "account_locked" if label == "LOCKED_OUT" else "account_disabled"
            saw("lock-out e-text")
            if want not in causes:
                problems.append("frame %d: CLIENT_REVOKED with e-text %s is %s, want %s" % (
                    p.frame, label, causes, want))
        # no duplicate SPN offered for an MIT KDC
        if row and row[0] == "MIT" and not p.nt_status:
            saw("MIT e-text")
            for fd in fds:
                if "duplicate_spn" in fd.alternatives or fd.cause == "duplicate_spn":
                    problems.append("frame %d: MIT e-text %s, yet duplicate_spn is offered" % (p.frame, label))
        # which clock is off
        if p.stime is not None and p.time is not None and abs(p.stime - p.time) < SKEW_TOLERANCE_S - 2:
            if "clock_skew" in causes:
                saw("skew, server clock within tolerance")
            for fd in fds:
                if fd.cause == "clock_skew" and re.search(r"(KDC|service)'s clock is off", fd.summary or ""):
                    problems.append("frame %d: server time %+.0f s from the capture's, within %d s, yet the "
                                    "server is blamed" % (p.frame, p.stime - p.time, SKEW_TOLERANCE_S))
    for fd in findings:
        if fd.summary and "@" in fd.summary:
            saw("names with a realm")
        if re.search(r"[^\s@;,()]+@[^\s@;,()]+@[^\s@;,()]+", fd.summary or ""):
            problems.append("frame %d: a name with two realms in %r" % (fd.frame, fd.summary))
    return problems
