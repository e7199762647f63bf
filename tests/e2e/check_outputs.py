#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What users see besides the tree: the plugin loads, every field has a blurb,
README's cause list is the catalog's, statistics, the batch report (text and
JSON lines), preferences, expert info and filters in one-pass tshark."""

import json
import os
import subprocess
import sys

import kdtest

CAP = os.path.join(kdtest.REPO, "captures", "pcap")
results = []


def check(name, ok, detail=""):
    kdtest.report(name, ok, detail)
    results.append(ok)


def check_wrapper():
    """tools/krbdiag on bad input: a clear line per file, non-zero when something could
    not be read, and the other files of the batch still processed."""
    import tempfile
    tmp = tempfile.mkdtemp(prefix="krbdiag-wrapper.")
    os.chmod(tmp, 0o755)
    not_capture = os.path.join(tmp, "notes.pcapng")
    with open(not_capture, "w") as f:
        f.write("this is not a capture\n")
    truncated = os.path.join(tmp, "truncated.pcapng")
    data = open(os.path.join(CAP, "wrong_password.pcapng"), "rb").read()
    with open(truncated, "wb") as f:
        f.write(data[:len(data) - 100])
    no_krb = os.path.join(tmp, "no_kerberos.pcapng")
    subprocess.run(["editcap", "-r", os.path.join(CAP, "cname_spn.pcapng"), no_krb, "5-11"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for p in (not_capture, truncated, no_krb):
        os.chmod(p, 0o644)
    env = dict(os.environ, KRBDIAG_USE_BUILD="1")
    p = subprocess.run([os.path.join(kdtest.REPO, "tools", "krbdiag"), os.path.join(tmp, "missing.pcapng"),
                        not_capture, truncated, no_krb, os.path.join(CAP, "kinit_success.pcapng")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, timeout=300)
    err, out = p.stderr, p.stdout
    check("wrapper: missing file is named", "missing.pcapng: no such file" in err, err)
    check("wrapper: a file that is not a capture is named", "notes.pcapng: not a capture" in err, err)
    check("wrapper: truncated capture is diagnosed and flagged",
          "truncated.pcapng: truncated at byte %d" % (len(data) - 100) in err and "Wrong password" in out, err + out[-300:])
    check("wrapper: no Kerberos is said, not an error", "no Kerberos traffic in this capture" in out, out[-300:])
    check("wrapper: the rest of the batch runs and the exit status is non-zero",
          p.returncode == 1 and "[5/5]" in err and out.count("Verdict:") == 3, "rc=%d" % p.returncode)
    subprocess.run(["rm", "-rf", tmp])


def main():
    _, out, _ = kdtest.tshark(["-G", "plugins"])
    check("plugin loads", any(l.startswith("krbdiag.so") for l in out.splitlines()), out[-300:])
    types = [l.split("\t")[2].strip() for l in out.splitlines() if l.startswith("krbdiag.so") and l.count("\t") >= 3]
    check("tshark -G plugins lists krbdiag as a dissector plugin", types == ["dissector"], str(types))

    # Field names move between Wireshark versions (4.6 split kerberos.enc_part_element):
    # the plugin names every field it could not find at start-up, and logs the ones it reads.
    _, out, err = kdtest.tshark(["--log-level", "info", "-G", "fields"])
    check("every field krbdiag reads exists in this Wireshark (no start-up warning)",
          "registers no field" not in err, "\n".join(l for l in err.splitlines() if "krbdiag" in l)[-1500:])
    read_line = [l for l in err.splitlines() if "krbdiag: Wireshark" in l and "fields read:" in l]
    read = read_line[0].split("fields read:", 1)[1].split() if read_line else []
    # Fields ("F" rows, name third) and protocols ("P" rows, filter name third): a
    # protocol's item locates the bytes its messages are read from.
    registered = {r.split("\t")[2] for r in out.splitlines()
                  if (r.startswith("F\t") or r.startswith("P\t")) and r.count("\t") >= 2}
    check("the fields krbdiag resolved are in tshark -G fields",
          len(read) >= 10 and all(n in registered for n in read),
          "read %d, not registered: %s" % (len(read), [n for n in read if n not in registered]))
    # Kerberos messages (names, realms, tickets, errors) are read from their bytes,
    # found from each message's msg-type item: that item must be read.
    check("kerberos.msg_type is read (it locates each message's bytes)", "kerberos.msg_type" in read, str(read))

    rows = [l.split("\t") for l in out.splitlines() if "\tkrbdiag." in l and l.startswith("F\t")]
    bare = [r[2] for r in rows if len(r) < 8 or not r[7].strip()]
    check("every krbdiag field has a description", len(rows) >= 15 and not bare, "missing: %s" % bare)

    doc = subprocess.run([os.path.join(kdtest.build_dir(), "heuristics", "kd_catalog_doc")],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    readme = open(os.path.join(kdtest.REPO, "README.md"), encoding="utf-8").read()
    check("README cause list is generated from the catalog", doc.strip() in readme,
          "regenerate with: build/heuristics/kd_catalog_doc")

    gen = subprocess.run([os.path.join(kdtest.build_dir(), "heuristics", "kd_catalog_doc"), "--expert"],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    items = open(os.path.join(kdtest.REPO, "plugin", "kd_expert_items.c"), encoding="utf-8").read()
    check("plugin/kd_expert_items.c is generated from the catalog", gen == items,
          "regenerate with: build/heuristics/kd_catalog_doc --expert > plugin/kd_expert_items.c")

    wrong = os.path.join(CAP, "wrong_password.pcapng")
    _, out, _ = kdtest.tshark(["-r", wrong, "-q", "-z", "krbdiag,tree"])
    check("stats tree counts failures by cause, by short title",
          "Failures by cause" in out and "Wrong password" in out and "By error or status" in out
          and "KDC_ERR_PREAUTH_FAILED" in out and "By client principal" in out, out[-500:])

    _, out, _ = kdtest.tshark(["-r", wrong, "-q", "-z", "krbdiag,report"])
    check("text report: one block per problem, warnings first, verdict",
          out.find("Wrong password") < out.find("Pre-authentication requested") and "failing:    4 8 12" in out
          and "confidence:" in out and "Verdict:" in out, out[-800:])
    # pre-authentication round trips are no problems: counted apart from the failure
    check("verdict counts failures apart from normal round trips",
          "Verdict: 3 failures (1 problem); 3 normal round trips." in out, out[-300:])

    _, out, _ = kdtest.tshark(["-r", wrong, "-q", "-z", "krbdiag,report,json"])
    lines = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    problems = [l for l in lines if l.get("type") == "problem"]
    verdict = [l for l in lines if l.get("type") == "verdict"]
    check("JSON report parses and counts",
          problems and problems[0]["cause"] == "wrong_password" and problems[0]["count"] == 3
          and problems[0]["frames"] == [4, 8, 12] and problems[0]["confidence"] and problems[0]["recovered"] is False
          and verdict and verdict[0]["problems"] == 1 and verdict[0]["failures"] == 3, out[-500:])

    ok_cap = os.path.join(CAP, "kinit_success.pcapng")
    _, out, _ = kdtest.tshark(["-r", ok_cap, "-q", "-z", "krbdiag,report"])
    check("report on a successful logon: no warning", "WARNING" not in out and "Verdict: no failure;" in out, out[-400:])

    # A failure the client recovers from: a filterable note, the success as evidence
    # (the success comes later: two passes, or the end-of-run report of one).
    retry = os.path.join(CAP, "etype_no_common_retry.pcapng")
    _, out, _ = kdtest.tshark(["-2", "-r", retry, "-Y", "krbdiag.recovered", "-T", "fields", "-e", "frame.number",
                               "-e", "krbdiag.cause", "-e", "krbdiag.recovered_frame"])
    check("krbdiag.recovered selects the recovered failure", out.split() == ["2", "etype_no_common", "6"], out)
    _, out, _ = kdtest.tshark(["-2", "-r", retry, "-q", "-z", "expert"])
    notes = out[out.find("Notes"):] if "Notes" in out else ""
    check("a recovered failure is an expert note, not a warning",
          "(recovered)" in notes and "Warns" not in out, out[-600:])
    _, out, _ = kdtest.tshark(["-r", retry, "-q", "-z", "krbdiag,report"])
    check("one pass: the report holds the recovery", "[note, recovered]" in out and "Verdict: no failure;" in out
          and "1 recovered" in out, out[-600:])

    # One pass: evidence arriving later still reaches the expert list and the report.
    silent = os.path.join(CAP, "kdc_unreachable.pcapng")
    _, out, _ = kdtest.tshark(["-r", silent, "-q", "-z", "expert"])
    check("one pass: -z expert names the silent KDC on the deciding frame", "KDC did not answer" in out, out[-600:])
    _, out, _ = kdtest.tshark(["-r", silent, "-q", "-z", "krbdiag,report,json"])
    lines = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    firsts = sorted(l["frames"][0] for l in lines if l.get("cause") == "kdc_unreachable")
    check("one pass: the report holds the finding placed on the first request later", firsts[:1] == [1], out[-600:])
    check("no error label where there is no error",
          all("error" not in l for l in lines if l.get("cause") == "kdc_unreachable"), out[-600:])

    _, out, _ = kdtest.tshark(["-r", ok_cap, "-o", "krbdiag.show_info:FALSE", "-Y", "krbdiag", "-T", "fields",
                               "-e", "frame.number"])
    check("preference show_info:FALSE hides notes", out.strip() == "", out)

    skew = os.path.join(CAP, "clock_skew_kdc_behind.pcapng")
    _, a, _ = kdtest.tshark(["-r", skew, "-Y", "krbdiag.cause == \"clock_skew\"", "-T", "fields", "-e", "krbdiag.summary"])
    _, b, _ = kdtest.tshark(["-r", skew, "-o", "krbdiag.skew_tolerance:7200", "-Y", "krbdiag.cause == \"clock_skew\"",
                             "-T", "fields", "-e", "krbdiag.summary"])
    check("preference skew_tolerance reaches the engine", "allowed 300 s" in a and "allowed 7200 s" in b, a + b)
    # The documented filter finds a clock behind (negative offset) as well as ahead.
    _, c, _ = kdtest.tshark(["-r", skew, "-Y", "krbdiag.skew > 300 || krbdiag.skew < -300", "-T", "fields",
                             "-e", "krbdiag.skew"])
    check("the documented skew filter finds a KDC 2 hours behind", c.split() == ["-7200"], c)

    _, out, _ = kdtest.tshark(["-r", wrong, "-o", "krbdiag.rules_kdc:FALSE", "-Y", "krbdiag.cause == \"krb_error\"",
                               "-T", "fields", "-e", "frame.number"])
    # all six errors (3 PREAUTH_REQUIRED, 3 PREAUTH_FAILED) are KDC-group causes
    check("rule group switched off falls back to the generic finding", out.split() == ["2", "4", "6", "8", "10", "12"], out)

    _, out, _ = kdtest.tshark(["-r", wrong, "-q", "-z", "expert"])
    check("-z expert lists krbdiag items",
          "KRBDIAG" in out and "KDC_ERR_PREAUTH_FAILED: Wrong password" in out, out[-600:])

    # Where nothing reads krbdiag's tree (-z expert alone), its items are not built, only
    # the expert items: -z expert must say the same as when a filter names krbdiag.
    def krbdiag_lines(text):
        return sorted(l.strip() for l in text.splitlines() if "KRBDIAG" in l)
    alone = krbdiag_lines(out)
    _, read, _ = kdtest.tshark(["-r", wrong, "-q", "-z", "expert", "-Y", "krbdiag || !krbdiag"])
    check("-z expert says the same whether or not krbdiag's tree is read",
          alone and alone == krbdiag_lines(read), "\n".join(alone) + "\n---\n" + "\n".join(krbdiag_lines(read)))
    # A filter on expert fields alone still finds krbdiag's expert items in the tree.
    _, out, _ = kdtest.tshark(["-r", wrong, "-Y", "_ws.expert.message contains \"Wrong password\"", "-T", "fields",
                               "-e", "frame.number"])
    check("a filter on _ws.expert finds krbdiag's expert items", out.split() == ["4", "8", "12"], out)

    _, out, _ = kdtest.tshark(["-r", wrong])
    check("Info column carries the finding's short title", "[krbdiag: Wrong password]" in out, out[-400:])

    _, out, _ = kdtest.tshark(["-r", wrong, "-Y", "krbdiag.evidence == 3 && krbdiag.count == 1", "-T", "fields",
                               "-e", "frame.number"])
    check("evidence frames and counts are filterable", out.split() == ["4"], out)

    check_wrapper()
    print("outputs: %d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
