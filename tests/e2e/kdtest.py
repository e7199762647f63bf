# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared helpers for krbdiag's end-to-end checks: run tshark with the freshly
built plugin (tools/kd-tshark) and read its findings from PDML."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
KD_TSHARK = os.path.join(REPO, "tools", "kd-tshark")


def build_dir():
    return os.environ.get("KRBDIAG_BUILD", os.path.join(REPO, "build"))


def capture_prefs(capture):
    """A capture with a keytab beside it (<name>.keytab: the service's test keys, made
    by its scenario script) is read the way a user who loaded that keytab reads it:
    Kerberos preferences "try to decrypt" and "keytab file"."""
    keytab = os.path.splitext(capture)[0] + ".keytab"
    if not os.path.isfile(keytab):
        return []
    return ["-o", "kerberos.decrypt:TRUE", "-o", "kerberos.file:" + os.path.abspath(keytab)]


def tshark(args, check=True):
    """Run tshark with the built plugin; returns (rc, stdout, stderr). The capture read
    (-r) brings its own preferences (capture_prefs)."""
    prefs = []
    if "-r" in args and args.index("-r") + 1 < len(args):
        prefs = capture_prefs(args[args.index("-r") + 1])
    cmd = [KD_TSHARK, "-B", build_dir()] + prefs + args
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, errors="replace", timeout=600)
    if check and p.returncode != 0:
        raise RuntimeError("tshark %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr[-2000:]))
    return p.returncode, p.stdout, p.stderr


class Finding:
    def __init__(self, frame):
        self.frame = frame
        self.cause = None
        self.error = None
        self.error_code = None
        self.spn = None
        self.client = None
        self.confidence = None
        self.summary = None
        self.recovered = False
        self.evidence = []
        self.alternatives = []
        self.checked = []       # contradictions looked for and not found (confirmed only)

    def key(self):
        return (self.frame, self.cause)

    def __repr__(self):
        return "%d %s error=%s spn=%s client=%s evidence=%s" % (
            self.frame, self.cause, self.error, self.spn, self.client,
            ",".join(str(e) for e in self.evidence))


def _walk(elem):
    for child in elem:
        yield child
        yield from _walk(child)


def parse_pdml(text):
    """Returns (findings, krb_errors): findings is a list of Finding; krb_errors maps
    frame -> list of Kerberos error codes the frame carries."""
    findings = []
    krb_errors = {}
    root = ET.fromstring(text)
    for packet in root.iter("packet"):
        frame = None
        for proto in packet.iter("proto"):
            if proto.get("name") == "frame":
                for f in proto.iter("field"):
                    if f.get("name") == "frame.number":
                        frame = int(f.get("show"))
                        break
        for f in _walk(packet):
            if f.tag == "field" and f.get("name") == "kerberos.error_code":
                krb_errors.setdefault(frame, []).append(int(f.get("show")))
        for proto in packet.iter("proto"):
            if proto.get("name") != "krbdiag":
                continue
            for item in proto.iter("field"):
                if item.get("name") != "krbdiag.finding":
                    continue
                fd = Finding(frame)
                for f in _walk(item):
                    name, show = f.get("name"), f.get("show")
                    if name == "krbdiag.cause":
                        fd.cause = show
                    elif name == "krbdiag.error":
                        fd.error = show
                    elif name == "krbdiag.error_code":
                        fd.error_code = int(show)
                    elif name == "krbdiag.spn":
                        fd.spn = show
                    elif name == "krbdiag.client":
                        fd.client = show
                    elif name == "krbdiag.confidence":
                        fd.confidence = show
                    elif name == "krbdiag.summary":
                        fd.summary = show
                    elif name == "krbdiag.recovered":
                        fd.recovered = show in ("1", "True", "true", "yes")
                    elif name == "krbdiag.evidence":
                        fd.evidence.append(int(show))
                    elif name == "krbdiag.alternative":
                        fd.alternatives.append(show)
                    elif name == "krbdiag.checked":
                        fd.checked.append(show)
                findings.append(fd)
    return findings, krb_errors


def findings_text(text):
    """Every krbdiag field of every frame of a PDML document, one "frame name=value"
    line each, in tree order: what the cross-version comparison compares."""
    lines = []
    root = ET.fromstring(text)
    for packet in root.iter("packet"):
        frame = None
        for f in packet.iter("field"):
            if f.get("name") == "frame.number":
                frame = f.get("show")
                break
        for proto in packet.iter("proto"):
            if proto.get("name") != "krbdiag":
                continue
            for f in _walk(proto):
                if f.tag == "field" and (f.get("name") or "").startswith("krbdiag."):
                    lines.append("%s %s=%s" % (frame, f.get("name"), f.get("show")))
    return "".join(l + "\n" for l in lines)


def save_findings(kind, name, pdml):
    """Keep the findings of one capture in <build>/findings/<kind>/ for tools/compare-findings
    (the same captures through another Wireshark version must give the same lines)."""
    d = os.path.join(build_dir(), "findings", kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name.replace(os.sep, "__") + ".txt"), "w", encoding="utf-8") as f:
        f.write(findings_text(pdml))


def findings_of(capture, two_pass=True, save_as=None):
    args = (["-2"] if two_pass else []) + ["-r", capture, "-T", "pdml"]
    _, out, _ = tshark(args)
    if save_as:
        save_findings(save_as[0], save_as[1], out)
    return parse_pdml(out)


def severities():
    """cause id -> 'warning' | 'note', from the cause catalog itself."""
    out = subprocess.run([os.path.join(build_dir(), "heuristics", "kd_catalog_doc"), "--tsv"],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    return {line.split("\t")[0]: line.split("\t")[1] for line in out.splitlines() if line}


def report(name, ok, detail=""):
    print("%s %s%s" % ("PASS" if ok else "FAIL", name, (": " + detail) if detail else ""))
    sys.stdout.flush()
