#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Measurement half of tools/bench: runs tshark in the four set-ups, interleaved,
and prints a Markdown table (median wall time, peak RSS, instructions per frame).
Called by tools/bench, which builds the capture and the plugin folders."""

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

# The honest floor: a tree with one primed Kerberos field, true on every frame.
# Never prime `frame`: it makes Wireshark build the frame's own items (its
# protocol item with a formatted label, and more) that a post-dissector reading
# Kerberos fields never asks for, so the floor would pay for work krbdiag does not
# do (about 5.8k instructions per frame on 4.0) and hide krbdiag's own cost.
FLOOR_FILTER = "kerberos.msg_type || !kerberos.msg_type"
# The floor tools/bench used before, kept as a reference row only.
OLD_FLOOR_FILTER = "frame || kerberos.msg_type"


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (datetime.datetime.now().strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class Setup:
    def __init__(self, name, plugins, extra, what):
        self.name, self.plugins, self.extra, self.what = name, plugins, extra, what
        self.wall, self.rss = [], []
        self.ir = None           # instructions per frame
        self.ir_total = None
        self.ir_startup = None


def env_prefix(cache, plugins):
    """Command prefix running tshark with only the plugins in `plugins`, the same
    way for every set-up: as nobody when root (Wireshark ignores
    WIRESHARK_PLUGIN_DIR for root), with an empty home (no personal prefs)."""
    env = ["env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
           "HOME=%s" % os.path.join(cache, "home"), "WIRESHARK_PLUGIN_DIR=%s" % plugins]
    if os.getuid() == 0:
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + env
    return env


def http_port(cache):
    """TCP port of the HTTP load (make-capture.sh records it; 18080 unless taken)."""
    try:
        return int(open(os.path.join(cache, "bg.port")).read().strip())
    except (OSError, ValueError):
        return 18080


def frames_of(path):
    out = subprocess.run(["capinfos", "-T", "-r", "-c", path], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    return int(out.split("\t")[1])


def make_slice(big, out, first, count):
    if not os.path.exists(out):
        subprocess.run(["editcap", "-r", big, out, "%d-%d" % (first, first + count - 1)], check=True)
        os.chmod(out, 0o644)
    return out


def timed_run(cache, setup, capture, scratch):
    tfile = os.path.join(scratch, "time.txt")
    ofile = os.path.join(scratch, "out-%s.txt" % setup.name)
    cmd = ["/usr/bin/time", "-f", "%e %M", "-o", tfile] + env_prefix(cache, setup.plugins) + \
        ["tshark", "-r", capture, "-q", "-z", "expert"] + setup.extra
    with open(ofile, "w") as out:
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit("bench: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
    wall, rss_kb = open(tfile).read().split()[-2:]
    return float(wall), int(rss_kb) / 1024.0, ofile


def callgrind(cache, setup, capture, scratch, tag):
    outfile = os.path.join(scratch, "callgrind.%s.%s.out" % (setup.name, tag))
    if os.path.exists(outfile):
        os.unlink(outfile)
    cmd = env_prefix(cache, setup.plugins) + \
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=%s" % outfile,
         "tshark", "-r", capture, "-q", "-z", "expert"] + setup.extra
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit("bench: callgrind %s failed: %s" % (setup.name, p.stderr[-2000:]))
    total = None
    for line in open(outfile, errors="replace"):
        if line.startswith("totals:") or line.startswith("summary:"):
            total = int(line.split()[1])
    if total is None:
        raise SystemExit("bench: no totals in %s" % outfile)
    return total, outfile


FN_LINE = re.compile(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*?)\s*(?:\[([^\]]*)\])?\s*$")


def annotate(outfile, inclusive):
    """function -> Ir, from callgrind_annotate."""
    cmd = ["callgrind_annotate", "--threshold=100"]
    if inclusive:
        cmd.append("--inclusive=yes")
    cmd.append(outfile)
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         errors="replace").stdout
    costs = {}
    started = False
    for line in out.splitlines():
        if not started:
            started = line.strip().startswith("Ir") and "file:function" in line
            continue
        m = FN_LINE.match(line)
        if not m:
            continue
        name = m.group(2)
        name = name.split(":", 1)[1] if ":" in name else name
        obj = os.path.basename(m.group(3) or "")
        key = "%s (%s)" % (name, obj) if obj else name
        costs[key] = costs.get(key, 0) + int(m.group(1).replace(",", ""))
    return costs


# Per frame type: a slice made of frames of one type only, cut from the big capture.
FRAME_TYPES = [
    ("tcp_ack", "TCP ACK (no payload)", "tcp.len == 0 && tcp.flags == 0x010"),
    ("http_request", "HTTP request", "http.request && !http.authorization"),
    ("http_response", "HTTP response", "http.response && !http.www_authenticate"),
    ("kerberos", "Kerberos", "kerberos"),
    ("dns", "DNS", "dns && !kerberos"),
]


def type_slice(cache, big, name, flt, count):
    """The first `count` frames matching `flt`, as a capture of their own (cached)."""
    out = os.path.join(cache, "slice-type-%s-%d.pcapng" % (name, count))
    if os.path.exists(out):
        return out, frames_of(out)
    tmp = os.path.join(cache, "slice-type-%s.all.pcapng" % name)
    subprocess.run(["tshark", "-r", big, "-Y", flt, "-w", tmp], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    n = frames_of(tmp)
    subprocess.run(["editcap", "-r", tmp, out, "1-%d" % min(n, count)], check=True)
    os.unlink(tmp)
    os.chmod(out, 0o644)
    return out, frames_of(out)


def spread(xs, fmt="%.2f"):
    """min / median / max, so that the noise of a shared machine shows."""
    if not xs:
        return "-"
    return "%s / %s / %s" % (fmt % min(xs), fmt % statistics.median(xs), fmt % max(xs))


def fmt_ratio(x, base):
    return "%.3f" % (x / base) if base else "-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--callgrind", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-timing", action="store_true", help="instructions only (deterministic, any load)")
    ap.add_argument("--stamp", default="")
    ap.add_argument("--so", default="")
    ap.add_argument("--preset", default="mixed")
    ap.add_argument("--baseline", default="", help="plugin folder of a second krbdiag build, measured alongside")
    ap.add_argument("--baseline-so", default="")
    ap.add_argument("--types", type=int, default=1, help="callgrind per frame type")
    ap.add_argument("--type-frames", type=int, default=1000)
    ap.add_argument("--no-slice", action="store_true", help="no callgrind on the mixed slice (per type only)")
    a = ap.parse_args()
    cache = a.cache
    big = os.path.join(cache, "big.pcapng")
    n_big = frames_of(big)

    if a.quick:
        n_wall = min(200000, n_big)
        wall_cap = make_slice(big, os.path.join(cache, "slice-wall-%d.pcapng" % n_wall),
                              max(1, n_big // 2 - n_wall // 2), n_wall)
        n_cg = 5000
    else:
        n_wall, wall_cap, n_cg = n_big, big, 20000
    first = max(1, n_big // 2 - n_cg // 2)
    cg_cap = make_slice(big, os.path.join(cache, "slice-cg-%d.pcapng" % n_cg), first, n_cg)
    one_cap = make_slice(big, os.path.join(cache, "slice-one.pcapng"), first, 1)

    setups = [
        Setup("plain", os.path.join(cache, "plugins-none"), [], "no plugins"),
        Setup("floor", os.path.join(cache, "plugins-none"), ["-Y", FLOOR_FILTER],
              "no plugins, `-Y '%s'`" % FLOOR_FILTER),
        Setup("oldfloor", os.path.join(cache, "plugins-none"), ["-Y", OLD_FLOOR_FILTER],
              "no plugins, `-Y '%s'` (old floor, primes `frame`)" % OLD_FLOOR_FILTER),
        Setup("krbdiag", os.path.join(cache, "plugins-krbdiag"), [], "krbdiag plugin only"),
        # TRANSUM ships disabled and watches TCP ports 25,80,443,1433 only: enable it
        # and add the port of the HTTP load, or it does nothing here.
        Setup("transum", os.path.join(cache, "plugins-transum"),
              ["--enable-protocol", "transum", "-o", "transum.tcp_port_ranges:25,80,443,1433,%d" % http_port(cache)],
              "TRANSUM plugin only, enabled, HTTP port added"),
    ]
    if a.baseline:
        setups.insert(4, Setup("baseline", a.baseline, [], "krbdiag, baseline build"))
    by = {s.name: s for s in setups}
    scratch = tempfile.mkdtemp(prefix="run-", dir=cache)
    os.chmod(scratch, 0o1777)

    # Sanity: each set-up loads what it should.
    for s in setups:
        out = subprocess.run(env_prefix(cache, s.plugins) + ["tshark", "-G", "plugins"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        # -G plugins also lists extcap programs; only .so files are plugins here.
        names = sorted(line.split()[0] for line in out.splitlines()
                       if line.strip() and line.split()[0].endswith(".so"))
        want = {"plain": [], "floor": [], "oldfloor": [], "krbdiag": ["krbdiag.so"], "baseline": ["krbdiag.so"],
                "transum": ["transum.so"]}[s.name]
        if names != want:
            raise SystemExit("bench: set-up %s loads %s, want %s" % (s.name, names, want))

    log("capture: %s, %d frames; timed runs on %s (%d frames), %d runs per set-up"
        % (big, n_big, os.path.basename(wall_cap), n_wall, a.runs))
    krb_frames = subprocess.run(["tshark", "-r", cg_cap, "-Y", "kerberos", "-T", "fields", "-e", "frame.number"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.split()
    log("callgrind slice: %d frames (%d Kerberos)" % (n_cg, len(krb_frames)))

    # Warm the page cache, then interleave: run r goes through every set-up, in an
    # order rotated each run so that no set-up always follows the same one.
    if not a.no_timing:
        timed_run(cache, setups[0], wall_cap, scratch)
    for r in range(0 if a.no_timing else a.runs):
        order = setups[r % len(setups):] + setups[:r % len(setups)]
        for s in order:
            wall, rss, ofile = timed_run(cache, s, wall_cap, scratch)
            s.wall.append(wall)
            s.rss.append(rss)
            log("run %d/%d %-8s %7.2f s %7.1f MB" % (r + 1, a.runs, s.name, wall, rss))
            if s.name in ("krbdiag", "baseline") and r == 0:
                text = open(ofile, errors="replace").read()
                if "KRBDIAG" not in text:
                    raise SystemExit("bench: krbdiag produced no expert item: the plugin did not run")
                shutil.copy(ofile, os.path.join(cache, "expert-%s.txt" % s.name))

    annotations = {}
    if a.callgrind and not a.no_slice:
        for s in setups:
            log("callgrind %s (%d frames, then 1 frame)" % (s.name, n_cg))
            total, out_slice = callgrind(cache, s, cg_cap, scratch, "slice")
            startup, _ = callgrind(cache, s, one_cap, scratch, "one")
            s.ir_total, s.ir_startup = total, startup
            s.ir = (total - startup) / float(n_cg - 1)
            if s.name in ("krbdiag", "baseline", "floor", "plain"):
                keep = os.path.join(cache, "callgrind.%s.out" % s.name)
                shutil.copy(out_slice, keep)
                annotations[s.name] = keep

    type_rows = []
    if a.callgrind and a.types:
        cg_setups = [s for s in setups if s.name not in ("transum", "oldfloor")]
        startup = {s.name: s.ir_startup for s in cg_setups}
        for tname, tlabel, flt in FRAME_TYPES:
            cap, n = type_slice(cache, big, tname, flt, a.type_frames)
            if n < 50:
                log("frame type %s: only %d frames, skipped" % (tname, n))
                continue
            row = {"type": tname, "label": tlabel, "frames": n}
            for s in cg_setups:
                log("callgrind %s on %d %s frames" % (s.name, n, tname))
                if startup[s.name] is None:
                    startup[s.name], _ = callgrind(cache, s, one_cap, scratch, "one")
                total, _ = callgrind(cache, s, cap, scratch, "type")
                row[s.name] = (total - startup[s.name]) / float(n)
            type_rows.append(row)
            if "krbdiag" in row and "floor" in row and row.get("plain"):
                log("%s: plain %.0f, floor %.0f, krbdiag %.0f instructions/frame: %+.1f points over the floor"
                    % (tname, row["plain"], row["floor"], row["krbdiag"],
                       (row["krbdiag"] - row["floor"]) / row["plain"] * 100))

    plain = by["plain"]
    med = lambda xs: statistics.median(xs) if xs else float("nan")
    pw, pr = med(plain.wall), med(plain.rss)
    lines = []
    lines.append("Preset %s. Capture: %d frames (HTTP load on loopback + %s); timed: `tshark -r %s -q -z expert`, "
                 "%d interleaved rounds, wall shown as min / median / max; instructions: callgrind on a "
                 "%d-frame slice (%d Kerberos frames) minus a 1-frame run. Wireshark %s, %d cores."
                 % (a.preset, n_big, "the Kerberos corpus replicated and time-shifted",
                    "slice of %d frames" % n_wall if a.quick else "big.pcapng",
                    a.runs, n_cg, len(krb_frames), tshark_version(), os.cpu_count()))
    lines.append("")
    fl0 = by["floor"]
    lines.append("| set-up | wall (s) min / med / max | x plain | x floor | peak RSS (MB) | RSS - plain (MB) "
                 "| instructions/frame | x plain | points over floor |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in setups:
        w, rs = med(s.wall), med(s.rss)
        ir = "%.0f" % s.ir if s.ir is not None else "-"
        irr = fmt_ratio(s.ir, plain.ir) if s.ir is not None and plain.ir else "-"
        pts = "%+.1f" % ((s.ir - fl0.ir) / plain.ir * 100) if s.ir is not None and plain.ir and fl0.ir else "-"
        if s.wall:
            lines.append("| %s (%s) | %s | %s | %s | %.1f | %+.1f | %s | %s | %s |"
                         % (s.name, s.what, spread(s.wall), fmt_ratio(w, pw), fmt_ratio(w, med(fl0.wall)),
                            rs, rs - pr, ir, irr, pts))
        else:
            lines.append("| %s (%s) | - | - | - | - | - | %s | %s | %s |" % (s.name, s.what, ir, irr, pts))
    lines.append("")
    if type_rows:
        names = [s.name for s in setups if s.name not in ("transum", "oldfloor")]
        lines.append("Instructions per frame by frame type (callgrind on slices of one frame type each); "
                     "points = (set-up - floor) / plain x 100:")
        lines.append("")
        lines.append("| frame type | frames | " + " | ".join(names) + " | "
                     + " | ".join("%s points" % n for n in names if n not in ("plain", "floor")) + " |")
        lines.append("|---|---:|" + "---:|" * (len(names) + len([n for n in names if n not in ("plain", "floor")])))
        for row in type_rows:
            cells = ["%.0f" % row[n] for n in names]
            pts = ["%+.1f" % ((row[n] - row["floor"]) / row["plain"] * 100)
                   for n in names if n not in ("plain", "floor")]
            lines.append("| %s | %d | %s | %s |" % (row["label"], row["frames"], " | ".join(cells), " | ".join(pts)))
        lines.append("")
    kd, fl, tr = by["krbdiag"], by["floor"], by["transum"]
    verdicts = []
    if kd.wall:
        wr = med(kd.wall) / med(fl.wall)
        verdicts.append(("krbdiag wall at most 1.10x the floor (medians)", wr <= 1.10,
                         "%.3fx; min/max ratio %.3f..%.3f" % (wr, min(kd.wall) / max(fl.wall),
                                                             max(kd.wall) / min(fl.wall))))
    if kd.ir is not None and plain.ir:
        ir_pts = (kd.ir - fl.ir) / plain.ir * 100
        verdicts.append(("krbdiag within 3 points of the floor (instructions; aim 2)", ir_pts <= 3.0,
                         "%+.1f points" % ir_pts))
        # "Far below": krbdiag's cost over plain at most half of TRANSUM's.
        verdicts.append(("krbdiag far below TRANSUM (instructions; overhead at most half of TRANSUM's)",
                         kd.ir - plain.ir <= (tr.ir - plain.ir) / 2,
                         "krbdiag %.2fx plain, TRANSUM %.2fx" % (kd.ir / plain.ir, tr.ir / plain.ir)))
    if kd.wall:
        verdicts.append(("krbdiag far below TRANSUM (wall; overhead at most half of TRANSUM's)",
                         med(kd.wall) - pw <= (med(tr.wall) - pw) / 2,
                         "krbdiag %.2fx plain, TRANSUM %.2fx" % (med(kd.wall) / pw, med(tr.wall) / pw)))
        if "baseline" in by and by["baseline"].rss:
            verdicts.append(("krbdiag peak RSS not above the baseline build's (medians)",
                             med(kd.rss) <= med(by["baseline"].rss) + 0.5,
                             "%.1f MB vs %.1f MB" % (med(kd.rss), med(by["baseline"].rss))))
        rss_delta = med(kd.rss) - pr
        verdicts.append(("krbdiag peak RSS at most 64 MB over plain", rss_delta <= 64.0, "%+.1f MB" % rss_delta))
    for name, ok, detail in verdicts:
        lines.append("- %s: **%s** (%s)" % (name, "met" if ok else "MISSED", detail))
    table = "\n".join(lines)

    print()
    print(table)
    print()
    if annotations.get("krbdiag"):
        print(krbdiag_breakdown(annotations, by, n_cg))

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    res = {s.name: {"wall": s.wall, "rss_mb": s.rss, "ir_per_frame": s.ir, "ir_total": s.ir_total,
                    "ir_startup": s.ir_startup} for s in setups}
    res["_types"] = type_rows
    res["_meta"] = {"preset": a.preset, "frames": n_big, "timed_frames": n_wall, "callgrind_frames": n_cg,
                    "quick": a.quick, "runs": a.runs, "stamp": a.stamp, "plugin": a.so}
    with open(os.path.join(cache, "results-%s.json" % stamp), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(cache, "results-%s.md" % stamp), "w") as f:
        f.write(table + "\n")
    log("results saved in %s/results-%s.{md,json}; callgrind profiles in %s/callgrind.*.out"
        % (cache, stamp, cache))
    shutil.rmtree(scratch, ignore_errors=True)


def tshark_version():
    out = subprocess.run(["tshark", "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout
    m = re.search(r"TShark \(Wireshark\) (\S+)", out)
    return m.group(1) if m else "?"


def krbdiag_breakdown(annotations, by, n_cg):
    """Where krbdiag's instructions go: its own functions (inclusive), and the
    functions whose exclusive cost grows most from the floor to krbdiag."""
    inc = annotate(annotations["krbdiag"], inclusive=True)
    per = lambda v: v / float(n_cg)
    out = ["krbdiag's own functions, inclusive instructions per frame of the slice:", ""]
    out.append("| function | Ir/frame |")
    out.append("|---|---:|")
    rows = [(k, v) for k, v in inc.items() if "(krbdiag.so)" in k]
    for k, v in sorted(rows, key=lambda kv: -kv[1])[:25]:
        out.append("| %s | %.1f |" % (k.replace(" (krbdiag.so)", ""), per(v)))
    if "floor" in annotations:
        ex_k = annotate(annotations["krbdiag"], inclusive=False)
        ex_f = annotate(annotations["floor"], inclusive=False)
        diff = []
        for k in set(ex_k) | set(ex_f):
            d = ex_k.get(k, 0) - ex_f.get(k, 0)
            if d:
                diff.append((k, d))
        out.append("")
        out.append("Largest exclusive-cost differences, krbdiag minus floor (Ir/frame; includes start-up):")
        out.append("")
        out.append("| function | Ir/frame |")
        out.append("|---|---:|")
        for k, d in sorted(diff, key=lambda kv: -abs(kv[1]))[:25]:
            out.append("| %s | %+.1f |" % (k, per(d)))
    return "\n".join(out)


if __name__ == "__main__":
    main()
