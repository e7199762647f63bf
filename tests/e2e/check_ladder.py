#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The ladder diagrams: -z krbdiag,ladder (text) and tools/krbdiag --html (one
self-contained page with inline SVG).

- text: for a few corpus captures of different shapes (a DNS alias, a DCOM
  connection to itself, KDC failover with ICMP errors, a recovered etype failure),
  every cause of the capture's .expected file has a ladder whose failing row is one
  of its expected frames, names the cause, the error and the report's confidence,
  and shows the expected evidence frames; every arrow goes between the addresses
  tshark itself shows for that frame; a side on a Kerberos port is a KDC, on the
  DNS port a DNS server; a frame from an address to itself is drawn as a loop;
- HTML: well-formed XML (XHTML), no script, no external reference, one SVG per
  problem of the JSON report, a hostile file name (markup, non-UTF-8 bytes)
  escaped;
- hostile names inside a capture (a copy of the DNS-alias capture whose host name
  is markup with a control character and a byte that is not UTF-8): the text ladder
  holds no control character, the page stays well-formed and shows the markup as
  text;
- the page renders in a real browser: headless Chromium draws it to a PNG that is
  not blank (skipped inside tools/chroot's version chroots: no browser there)."""

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

import kdtest
from check_corpus import load_expected

CAP = os.path.join(kdtest.REPO, "captures", "pcap")
WRAPPER = os.path.join(kdtest.REPO, "tools", "krbdiag")
# Shapes, not answers: what each must show comes from its .expected file and from
# tshark's own view of the frames.
CAPTURES = ("cname_spn", "dcom_self_fault", "dcom_shared_address", "kdc_unreachable_failover",
            "etype_no_common_retry")
ROW = re.compile(r"^  (!!| !|ok|  ) +(\d+)  .*? ([A-H?])->([A-H?])  (.*)$")
PARTY = re.compile(r"^  (?:parties:)?\s+([A-H]) = (\S+) (\S+)$")
results = []


def check(name, ok, detail=""):
    kdtest.report(name, ok, "" if ok else detail)
    results.append(ok)


def parse_ladders(text):
    """The ladders of -z krbdiag,ladder in text (other outputs around it are skipped):
    [{cause, confidence, failing, parties: {letter: (roles, address)}, rows: [...]}]"""
    ladders = []
    inside = False
    for line in text.splitlines():
        if "= Kerberos Diagnosis ladder =" in line:
            inside = True
            continue
        if re.match(r"^=+$", line):
            inside = False
        if not inside:
            continue
        m = re.match(r"^\[(WARNING|note|note, recovered)\] .* \((\w+)\)$", line)
        if m:
            ladders.append({"cause": m.group(2), "parties": {}, "rows": []})
            continue
        if not ladders:
            continue
        lad = ladders[-1]
        if line.startswith("  confidence:"):
            lad["confidence"] = line.split()[-1]
        elif line.startswith("  failing:"):
            lad["failing"] = [int(x) for x in re.findall(r"\b\d+\b", line.split("(and")[0])]
        elif PARTY.match(line):
            m = PARTY.match(line)
            lad["parties"][m.group(1)] = (m.group(2).split("/"), m.group(3))
        elif ROW.match(line):
            m = ROW.match(line)
            lad["rows"].append({"mark": m.group(1), "frame": int(m.group(2)), "from": m.group(3),
                                "to": m.group(4), "label": m.group(5)})
    return ladders


def frame_ends(path):
    """frame -> (src, dst, sport, dport) as tshark shows the frame (ports of the
    frame's own transport header, 0 when it has none)."""
    fields = ["frame.number", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
              "udp.srcport", "udp.dstport", "icmp.type"]
    args = ["-r", path, "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        args += ["-e", f]
    _, out, _ = kdtest.tshark(args)
    ends = {}
    for line in out.splitlines():
        v = line.split("\t")
        if len(v) < len(fields) or not v[0]:
            continue
        src, dst = v[1] or v[3], v[2] or v[4]
        sport, dport = (v[5], v[6]) if v[5] else (v[7], v[8])
        icmp = bool(v[9])
        ends[int(v[0])] = (src, dst, 0 if icmp else int(sport or 0), 0 if icmp else int(dport or 0))
    return ends


def check_rows(name, lad, ends):
    bad = []
    for row in lad["rows"]:
        if row["from"] == "?":
            continue
        src, dst, sport, dport = ends.get(row["frame"], (None, None, 0, 0))
        got = (lad["parties"].get(row["from"], ([], None))[1], lad["parties"].get(row["to"], ([], None))[1])
        if got != (src, dst):
            bad.append("frame %d drawn %s->%s, tshark shows %s->%s" % (row["frame"], got[0], got[1], src, dst))
            continue
        for port, letter in ((sport, row["from"]), (dport, row["to"])):
            want = {88: "KDC", 53: "DNS"}.get(port)
            if want and want not in lad["parties"][letter][0]:
                bad.append("frame %d: port %d side is %s" % (row["frame"], port, lad["parties"][letter][0]))
        if (src == dst) != (row["from"] == row["to"]):
            bad.append("frame %d: to itself %s, drawn %s->%s" % (row["frame"], src == dst, row["from"], row["to"]))
    return bad


def check_text(name):
    path = os.path.join(CAP, name + ".pcapng")
    _, out, _ = kdtest.tshark(["-r", path, "-q", "-z", "krbdiag,ladder", "-z", "krbdiag,report,json"])
    problems = [json.loads(l) for l in out.splitlines() if l.startswith('{"type":"problem"')]
    ladders = parse_ladders(out)
    ends = frame_ends(path)
    bad = []
    if [l["cause"] for l in ladders] != [p["cause"] for p in problems]:
        bad.append("ladders %s, report %s" % ([l["cause"] for l in ladders], [p["cause"] for p in problems]))
    for exp in load_expected(path[:-len(".pcapng")] + ".expected"):
        if "xfail" in exp:
            continue
        mine = [l for l in ladders if l["cause"] == exp["cause"]]
        if not mine:
            # A symptom (an RPC status inheriting a Kerberos failure's cause) is drawn
            # in the ladder of the failure it belongs to, as the report lists it there.
            if not any(r["mark"] in (" !", "!!") and r["frame"] == exp["frame"] and "symptom" in r["label"]
                       for l in ladders for r in l["rows"]):
                bad.append("no ladder for %s, nor a symptom row in frame %d" % (exp["cause"], exp["frame"]))
            continue
        for lad in mine:
            failing = [r for r in lad["rows"] if r["mark"] == "!!"]
            if len(failing) != 1 or failing[0]["from"] == "?":
                bad.append("%s: %d failing rows, or its ends unknown" % (exp["cause"], len(failing)))
                continue
            row = failing[0]
            if not re.search(r"\(%s\) \[%s\](; symptom: .*)?$" % (exp["cause"], lad["confidence"]), row["label"]):
                bad.append("%s: failing row says %r" % (exp["cause"], row["label"]))
            if "error" in exp and row["frame"] == exp["frame"] and not row["label"].startswith(exp["error"] + ":"):
                bad.append("%s: failing row does not name %s" % (exp["cause"], exp["error"]))
            if row["frame"] == exp["frame"]:
                want = {int(x) for x in exp.get("evidence", "").split(",") if x}
                missing = want - {r["frame"] for r in lad["rows"]}
                if missing:
                    bad.append("%s: evidence frames %s not drawn" % (exp["cause"], sorted(missing)))
        if not any(r["frame"] == exp["frame"] for lad in mine for r in lad["rows"]) and \
                not any(exp["frame"] in lad.get("failing", []) for lad in mine):
            bad.append("%s: expected frame %d neither drawn nor listed as failing" % (exp["cause"], exp["frame"]))
    for lad in ladders:
        bad += check_rows(name, lad, ends)
        conf = [p["confidence"] for p in problems if p["cause"] == lad["cause"]]
        if lad.get("confidence") not in conf:
            bad.append("%s: confidence %s, report %s" % (lad["cause"], lad.get("confidence"), conf))
    check("ladder text: " + name, not bad, "; ".join(bad))


def check_html(work):
    hostile = os.path.join(work.encode(), b"a<b>&\"c'\xff.pcapng")
    shutil.copy(os.path.join(CAP, "cname_spn.pcapng"), hostile)
    page = os.path.join(work, "page.html")
    caps = [os.path.join(CAP, n + ".pcapng") for n in CAPTURES]
    env = dict(os.environ, KRBDIAG_USE_BUILD="1", KRBDIAG_BUILD=kdtest.build_dir())
    p = subprocess.run([WRAPPER.encode(), b"--html", page.encode()] + [c.encode() for c in caps] + [hostile],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=600)
    check("html: tools/krbdiag --html succeeds", p.returncode == 0 and os.path.isfile(page),
          p.stderr.decode(errors="replace")[-500:])
    if not os.path.isfile(page):
        return None
    text = open(page, encoding="utf-8").read()
    try:
        root = ET.fromstring(text.split("\n", 1)[1])   # after <!DOCTYPE html>
    except ET.ParseError as e:
        check("html: well-formed XML", False, str(e))
        return page
    check("html: well-formed XML", True)
    urls = set(re.findall(r"(?:https?|ftp)://[^\"'\s<>)]+", text))
    check("html: no script, no external reference",
          "<script" not in text.lower() and urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml"}
          and not re.search(r"(?:src|href)=", text), str(urls))
    n_problems = 0
    for c in caps + caps[:1]:       # the hostile name is a copy of the first
        _, out, _ = kdtest.tshark(["-r", c, "-q", "-z", "krbdiag,report,json"])
        n_problems += sum(1 for l in out.splitlines() if l.startswith('{"type":"problem"'))
    svgs = root.findall(".//{http://www.w3.org/2000/svg}svg")
    check("html: one SVG ladder per problem of the report", len(svgs) == n_problems,
          "%d svg, %d problems" % (len(svgs), n_problems))
    names = [h.text for h in root.iter("{http://www.w3.org/1999/xhtml}h2")]
    check("html: the hostile file name is escaped text", any(n and "a<b>&\"c'" in n for n in names), str(names))
    return page


def check_hostile(work):
    data = open(os.path.join(CAP, "cname_spn.pcapng"), "rb").read()
    path = os.path.join(work, "hostile.pcapng")
    with open(path, "wb") as f:
        f.write(data.replace(b"alias", b"<\x01&\xff>"))     # same length: every length field holds
    os.chmod(path, 0o644)
    _, out, _ = kdtest.tshark(["-r", path, "-q", "-z", "krbdiag,ladder"])
    lads = parse_ladders(out)
    labels = [r["label"] for l in lads for r in l["rows"]]
    check("hostile names: the text ladder draws them without control characters",
          any("<" in x and "&" in x for x in labels) and not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out),
          repr(labels))
    rc, page, _ = kdtest.tshark(["-r", path, "-q", "-z", "krbdiag,html"])
    try:
        root = ET.fromstring(page.split("\n", 1)[1])
        texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
        ok = any(t.startswith("DNS answer: <") for t in texts) and "\x01" not in page
        check("hostile names: the page escapes them", ok, repr([t for t in texts if "DNS" in t]))
    except ET.ParseError as e:
        check("hostile names: the page escapes them", False, str(e))


def png_ink(path):
    """Share of pixels that are not the page's background (the top-left pixel)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), "unexpected PNG format"
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, prev, pixels = zlib.decompress(idat), width * bpp, bytearray(width * bpp), []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            pr = (a if abs(b - c) <= abs(a - c) and abs(b - c) <= abs(a + b - 2 * c) else
                  b if abs(a - c) <= abs(a + b - 2 * c) else c) if f == 4 else 0
            line[i] = (line[i] + (0, a, b, (a + b) // 2, pr)[f]) & 0xff
        pixels.append(line)
        prev = line
    bg = bytes(pixels[0][:3])
    step = max(1, width // 200)
    ink = total = 0
    for line in pixels[::step]:
        for x in range(0, width, step):
            total += 1
            ink += bytes(line[x * bpp:x * bpp + 3]) != bg
    return ink / total


def check_browser(page, work):
    if os.environ.get("KRBDIAG_IN_CHROOT"):
        print("SKIP html in a browser: no browser in the version chroots")
        return
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        check("html renders in headless Chromium", False, "chromium is not installed (tools/setup installs it)")
        return
    png = os.path.join(work, "page.png")
    p = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--user-data-dir=" + os.path.join(work, "profile"), "--window-size=1400,1000",
                        "--screenshot=" + png, "file://" + page], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=180, cwd=work)
    ok = os.path.isfile(png)
    check("html renders in headless Chromium", ok, p.stderr.decode(errors="replace")[-500:])
    if ok:
        ink = png_ink(png)
        check("the rendered page is not blank", 0.01 < ink < 0.9, "%.3f of the pixels drawn" % ink)


def main():
    for name in CAPTURES:
        check_text(name)
    work = tempfile.mkdtemp(prefix="krbdiag-ladder.")
    os.chmod(work, 0o755)
    try:
        check_hostile(work)
        page = check_html(work)
        if page:
            check_browser(page, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("ladder: %d checks, %d failed" % (len(results), results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
