#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Mutated corpus captures through tshark with a sanitized krbdiag.

Run through fuzz_captures.sh (which installs what is needed). Every corpus
capture is mutated with fixed seeds: `editcap -E RATE --seed S` (random byte
errors), `editcap -s SNAPLEN` (truncation to a random length), or both. The
mutated captures are concatenated in batches (`mergecap -a`, so that tshark's
start-up is paid once per batch) and each batch goes through tshark with the
AddressSanitizer + UndefinedBehaviorSanitizer build of the plugin, in one of
two modes, alternating: one pass with the full tree (`-V -z expert`), or two
passes with fields, expert info and the krbdiag statistics and report.

Verdict, per batch:
  - any UndefinedBehaviorSanitizer report (only krbdiag is instrumented): FAIL;
  - an AddressSanitizer error or a LeakSanitizer leak whose stack has a frame in
    krbdiag.so or in krbdiag's sources: FAIL; one without: listed as Wireshark's,
    not failed (Wireshark itself is not instrumented; its leaks at exit are not
    ours to fix); Wireshark 4.4's unfreed statistics-tree nodes, allocated below
    krbdiag's tree callbacks, are suppressed by name (lsan-wireshark.supp);
  - tshark killed by a signal or timed out: run again without the plugin; FAIL
    when only the run with krbdiag dies.
A failing batch is bisected: each member alone, and the reproducers are kept.
Exit status 1 when anything failed, 77 when the build is not a sanitizer build.
"""

import argparse
import concurrent.futures
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SKIP = 77

RATES = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2]


def cache_value(build, key):
    try:
        for line in open(os.path.join(build, "CMakeCache.txt"), errors="replace"):
            if line.startswith(key + ":"):
                return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return None


def asan_runtime(cc):
    """Path of the AddressSanitizer runtime the build's compiler links against."""
    names = ["libasan.so"] if "clang" not in os.path.basename(cc) else \
        ["libclang_rt.asan-x86_64.so", "libasan.so"]
    for n in names:
        p = subprocess.run([cc, "-print-file-name=%s" % n], stdout=subprocess.PIPE, text=True).stdout.strip()
        if p and os.path.isabs(p) and os.path.exists(p):
            return os.path.realpath(p)
    return None


class Ctx:
    pass


def tshark_cmd(ctx, plugins, args, log_prefix, with_asan=True):
    env = ["env", "-u", "HOME", "WIRESHARK_PLUGIN_DIR=%s" % plugins, "LC_ALL=C.UTF-8"]
    if with_asan:
        env += [
            "LD_PRELOAD=%s %s" % (ctx.asan, ctx.nodlclose),
            "ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=40:halt_on_error=1:"
            "exitcode=86:log_path=%s:detect_odr_violation=0" % log_prefix,
            "LSAN_OPTIONS=report_objects=0:suppressions=%s" % ctx.lsan_supp,
            "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=%s" % log_prefix,
        ]
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if os.getuid() == 0 else []
    return prefix + env + ["tshark"] + args


MODES = [
    ["-V", "-z", "expert"],
    ["-2", "-T", "fields", "-e", "frame.number", "-e", "krbdiag.cause", "-e", "krbdiag.evidence",
     "-z", "expert", "-z", "krbdiag,tree", "-z", "krbdiag,report", "-z", "krbdiag,ladder", "-z", "krbdiag,html"],
]


def mutate(ctx, idx, src, dst):
    """Mutation number idx of capture src, into dst; returns its description."""
    rng = random.Random(ctx.seed * 1000003 + idx)
    kind = rng.choice(["E", "E", "s", "Es"]) if idx >= ctx.originals else "none"
    desc = "%s %s" % (os.path.basename(src), kind)
    args = ["editcap"]
    if "E" in kind:
        rate = rng.choice(RATES)
        eseed = rng.randrange(1, 2 ** 31)
        args += ["-E", "%g" % rate, "--seed", str(eseed)]
        desc += " -E %g --seed %d" % (rate, eseed)
    if "s" in kind:
        snap = rng.choice([rng.randrange(14, 120), rng.randrange(120, 600), rng.randrange(600, 1600)])
        args += ["-s", str(snap)]
        desc += " -s %d" % snap
    if kind == "none":
        shutil.copy(src, dst)
    else:
        p = subprocess.run(args + [src, dst], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            raise RuntimeError("editcap failed on %s: %s" % (desc, p.stderr))
    os.chmod(dst, 0o644)
    return desc


FRAME_RE = re.compile(r"^\s*#\d+ ")


def classify(text):
    """Split sanitizer logs into reports; returns [(kind, ours, first_lines)]."""
    reports = []
    blocks = re.split(r"(?m)^(?===\d+==ERROR|Direct leak|Indirect leak|.*runtime error:)", text)
    for b in blocks:
        b = b.strip()
        if not b:
            continue
        if "runtime error:" in b.splitlines()[0]:
            kind = "ubsan"
        elif b.startswith("Direct leak") or b.startswith("Indirect leak"):
            kind = "leak"
        elif "ERROR: AddressSanitizer" in b:
            kind = "asan"
        elif "ERROR: LeakSanitizer" in b:
            continue            # header of a leak report; the leaks follow
        else:
            continue
        frames = [l for l in b.splitlines() if FRAME_RE.match(l)]
        ours = kind == "ubsan" or any(
            "krbdiag.so" in l or "/heuristics/" in l or "/plugin/" in l or " kd_" in l for l in frames)
        head = "\n".join(b.splitlines()[:1] + frames[:12])
        reports.append((kind, ours, head))
    return reports


def run_batch(ctx, bi, members, mode, tag=None):
    """members: [(path, desc)]; returns dict with verdict."""
    tag = tag or "b%05d" % bi
    bdir = os.path.join(ctx.work, tag)
    os.makedirs(bdir, exist_ok=True)
    os.chmod(bdir, 0o1777)
    if len(members) == 1:
        cap = members[0][0]
    else:
        cap = os.path.join(bdir, "batch.pcapng")
        subprocess.run(["mergecap", "-a", "-w", cap] + [m[0] for m in members], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.chmod(cap, 0o644)
    log_prefix = os.path.join(bdir, "san")
    cmd = tshark_cmd(ctx, ctx.plugins, ["-r", cap] + MODES[mode], log_prefix)
    t0 = time.time()
    try:
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           errors="replace", timeout=ctx.timeout)
        rc, err = p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        rc, err = "timeout", ""
    secs = time.time() - t0
    # AddressSanitizer writes to log_path; gcc's UndefinedBehaviorSanitizer
    # runtime writes to stderr whatever its log_path says: read both.
    logs = err + "\n"
    for f in sorted(glob.glob(log_prefix + ".*")):
        logs += open(f, errors="replace").read() + "\n"
    reports = classify(logs)
    res = {"tag": tag, "cap": cap, "members": members, "mode": mode, "rc": rc, "secs": secs,
           "reports": reports, "ours": [r for r in reports if r[1]], "foreign": [r for r in reports if not r[1]],
           "died": False, "stderr": err[-1500:]}
    if rc == "timeout" or (isinstance(rc, int) and (rc < 0 or rc >= 128)) and not reports:
        # Does tshark die without the plugin too?
        plain = tshark_cmd(ctx, ctx.empty_plugins, ["-r", cap] + MODES[mode], log_prefix + "-plain",
                           with_asan=False)
        try:
            q = subprocess.run(plain, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=ctx.timeout)
            plain_rc = q.returncode
        except subprocess.TimeoutExpired:
            plain_rc = "timeout"
        plain_dies = plain_rc == "timeout" or plain_rc < 0 or plain_rc >= 128
        res["died"] = not plain_dies
        res["foreign_death"] = plain_dies
    # The sanitizer's exit code without a report we could read: fail, do not guess.
    res["unread"] = rc == 86 and not reports
    res["fail"] = bool(res["ours"]) or res["died"] or res["unread"]
    if not res["fail"] and not ctx.keep:
        shutil.rmtree(bdir, ignore_errors=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("KRBDIAG_BUILD", os.path.join(REPO, "build")))
    ap.add_argument("--out", default=None, help="work folder (default: a new one under /tmp)")
    ap.add_argument("--count", type=int, default=None, help="mutated captures (default 200; --long 10000)")
    ap.add_argument("--short", action="store_true", help="the CI pass: 200 mutated captures plus the originals")
    ap.add_argument("--long", action="store_true", help="10,000 mutated captures")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=20, help="mutated captures per tshark run")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per tshark run")
    ap.add_argument("--keep", action="store_true", help="keep every batch, not only failing ones")
    a = ap.parse_args()

    build = os.path.abspath(a.build)
    if cache_value(build, "KRBDIAG_SANITIZE") not in ("ON", "TRUE", "1"):
        print("SKIP: %s is not a sanitizer build; configure one with -DKRBDIAG_SANITIZE=ON "
              "(cmake -S . -B build-asan -DKRBDIAG_SANITIZE=ON && cmake --build build-asan) and pass --build" % build)
        return SKIP
    sos = glob.glob(os.path.join(build, "plugins", "*", "epan", "krbdiag.so"))
    if not sos:
        print("FAIL: no krbdiag.so under %s/plugins (build first)" % build)
        return 1
    so = sos[0]
    abi = os.path.basename(os.path.dirname(os.path.dirname(so)))
    cc = cache_value(build, "CMAKE_C_COMPILER") or "cc"

    ctx = Ctx()
    ctx.seed = a.seed
    ctx.keep = a.keep
    ctx.timeout = a.timeout
    ctx.asan = asan_runtime(cc)
    if not ctx.asan:
        print("FAIL: cannot find the AddressSanitizer runtime of %s" % cc)
        return 1
    ctx.work = os.path.abspath(a.out) if a.out else tempfile.mkdtemp(prefix="krbdiag-fuzzcap.")
    if os.path.isdir(ctx.work):
        shutil.rmtree(ctx.work)
    os.makedirs(ctx.work)
    os.chmod(ctx.work, 0o755)
    p = ctx.work
    while p != "/":          # nobody must reach the work folder
        p = os.path.dirname(p)
        if os.getuid() == 0 and not os.stat(p).st_mode & 0o001:
            print("FAIL: %s is not reachable by nobody; pass --out under /tmp" % p)
            return 1
    ctx.plugins = os.path.join(ctx.work, "plugins")
    ctx.empty_plugins = os.path.join(ctx.work, "no-plugins")
    os.makedirs(os.path.join(ctx.plugins, abi, "epan"))
    os.makedirs(os.path.join(ctx.empty_plugins, abi, "epan"))
    shutil.copy(so, os.path.join(ctx.plugins, abi, "epan"))
    # Wireshark's own statistics-tree leaks (4.4); copied where nobody can read it.
    ctx.lsan_supp = os.path.join(ctx.work, "lsan-wireshark.supp")
    shutil.copy(os.path.join(HERE, "lsan-wireshark.supp"), ctx.lsan_supp)
    ctx.nodlclose = os.path.join(ctx.work, "nodlclose.so")
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", ctx.nodlclose, os.path.join(HERE, "nodlclose.c")],
                   check=True)
    for root, dirs, files in os.walk(ctx.work):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o755)

    corpus = sorted(glob.glob(os.path.join(REPO, "captures", "pcap", "*.pcapng")))
    count = a.count if a.count is not None else (10000 if a.long else 200)
    ctx.originals = len(corpus) if not a.long or a.count is None else 0
    total = count + ctx.originals
    mdir = os.path.join(ctx.work, "mutated")
    os.makedirs(mdir)
    os.chmod(mdir, 0o755)
    print("fuzz_captures: %d corpus captures, %d mutated + %d originals, seed %d, batches of %d, %d jobs, plugin %s"
          % (len(corpus), count, ctx.originals, a.seed, a.batch, a.jobs, so))
    sys.stdout.flush()

    t0 = time.time()

    def make(i):
        src = corpus[i % len(corpus)]
        dst = os.path.join(mdir, "m%05d.pcapng" % i)
        return dst, mutate(ctx, i, src, dst)

    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        muts = list(ex.map(make, range(total)))
    print("  %d captures made in %.0f s" % (len(muts), time.time() - t0))
    sys.stdout.flush()
    frames = 0
    for k in range(0, len(muts), 500):     # capinfos takes many files at once
        out = subprocess.run(["capinfos", "-T", "-r", "-c"] + [m[0] for m in muts[k:k + 500]],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        for line in out.splitlines():
            try:
                frames += int(line.split("\t")[1])
            except (IndexError, ValueError):
                pass
    batches = [muts[i:i + a.batch] for i in range(0, len(muts), a.batch)]
    results = []
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        futs = [ex.submit(run_batch, ctx, bi, members, bi % len(MODES)) for bi, members in enumerate(batches)]
        for n, f in enumerate(concurrent.futures.as_completed(futs)):
            r = f.result()
            results.append(r)
            if r["fail"] or (n + 1) % 50 == 0:
                print("  %d/%d batches, %.0f s%s" % (n + 1, len(batches), time.time() - t0,
                                                    "  FAIL %s" % r["tag"] if r["fail"] else ""))
                sys.stdout.flush()

    failed = [r for r in results if r["fail"]]
    foreign = [r for r in results if r["foreign"] or r.get("foreign_death")]
    # Bisect failing batches: which member alone reproduces?
    repro = []
    for r in failed[:5]:            # a systematic failure need not be bisected 500 times
        for j, m in enumerate(r["members"]):
            one = run_batch(ctx, 0, [m], r["mode"], tag="%s-m%02d" % (r["tag"], j))
            if one["fail"]:
                keep = os.path.join(ctx.work, "repro-%s" % os.path.basename(m[0]))
                shutil.copy(m[0], keep)
                repro.append((keep, m[1], one))
    secs = time.time() - t0
    print()
    for r in failed:
        print("FAIL %s (mode %d, rc %s): %s" % (r["tag"], r["mode"], r["rc"], r["cap"]))
        for kind, _, head in r["ours"]:
            print("  [%s]\n    %s" % (kind, head.replace("\n", "\n    ")))
        if r["unread"]:
            print("  sanitizer exit code without a readable report; stderr: %s" % r["stderr"][-500:])
        if r["died"]:
            print("  tshark died with krbdiag and not without it; stderr: %s" % r["stderr"][-500:])
    for path, desc, one in repro:
        print("reproducer: %s (%s), mode %d" % (path, desc, one["mode"]))
    for r in foreign:
        for kind, _, head in r["foreign"]:
            print("not krbdiag's [%s] in %s:\n    %s" % (kind, r["tag"], head.replace("\n", "\n    ")[:1500]))
        if r.get("foreign_death"):
            print("tshark dies on %s without the plugin too (rc %s)" % (r["cap"], r["rc"]))
    nonzero = sum(1 for r in results if r["rc"] not in (0,) and not r["fail"])
    print("fuzz_captures: %d captures (%d frames) in %d tshark runs, %.0f s; %d krbdiag failures, "
          "%d runs with reports outside krbdiag, %d other non-zero exits"
          % (total, frames, len(results), secs, len(failed), len(foreign), nonzero))
    print("%d passed, %d failed" % (len(results) - len(failed), len(failed)))
    if not failed and not a.keep and not a.out:
        shutil.rmtree(ctx.work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
