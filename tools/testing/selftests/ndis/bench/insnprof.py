#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where the instructions of one shim pair and one raw sequence go: the
insnprof QEMU plugin's counts (insnprof.c) resolved to guest functions.
Called by report.py; on its own:

    insnprof.py BENCH_OUT_DIR [KERNEL...]

Per <KERNEL>/<config>-icount-profile/ VM: insnprof.txt (the plugin's
blocks), kallsyms.txt (the guest's /proc/kallsyms with the modules loaded)
and result.csv (the profiled rows, and "#profile block=..." lines naming
each block). Prints per case a table of instructions per pair by function,
shim against raw, and writes it all to BENCH_OUT_DIR/profile.txt.
"""
import bisect
import csv
import os
import re
import subprocess
import sys

MODE = "icount-profile"
CONFIGS = ["plain", "iommu", "swiotlb"]
NAME_MAX = 58


def read_blocks(path):
    """The plugin's blocks by number: windows, {total: windows}, the modal
    total, how many of its windows differed, and {vaddr: executions}."""
    blocks, cur = {}, None
    for line in open(path):
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        if f[0] == "block":
            cur = dict(windows=int(f[3]), totals={}, mode=None, differ=0, counts={})
            blocks[int(f[1])] = cur
        elif f[0] == "total":
            cur["totals"][f[1]] = int(f[3])
        elif f[0] == "profile":
            cur["mode"], cur["differ"] = int(f[1]), int(f[5])
        elif f[0] != "end":
            cur["counts"][int(f[0], 16)] = int(f[1])
    return blocks


def read_case_rows(path):
    """The "#profile" lines (block -> its facts) and the rows of result.csv."""
    named, body = {}, []
    for line in open(path):
        if line.startswith("#profile "):
            kv = dict(x.partition("=")[::2] for x in line.split()[1:])
            named[int(kv["block"])] = kv
        elif line.strip() and not line.startswith("#"):
            body.append(line)
    return named, list(csv.DictReader(body))


class Symbols:
    """Text symbols of a kallsyms dump, for address -> "function [module]"."""

    def __init__(self, path):
        syms = []
        for line in open(path):
            f = line.split()
            if len(f) >= 3 and f[1] in "tTwW":
                syms.append((int(f[0], 16), f[2], f[3].strip("[]") if len(f) > 3 else ""))
        syms.sort()
        self.addrs = [s[0] for s in syms]
        self.syms = syms

    def name(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        if i < 0:
            return ("?", "")
        return self.syms[i][1], self.syms[i][2]


def demangle(names):
    """Rust (v0) and C++ names through binutils' c++filt, crate hashes dropped."""
    names = sorted(set(names))
    try:
        out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True,
                             text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        out = names
    if len(out) != len(names):
        out = names
    short = {}
    for n, d in zip(names, out):
        d = re.sub(r"\[[0-9a-f]+\]", "", d)
        short[n] = d if len(d) <= NAME_MAX else d[:NAME_MAX - 3] + "..."
    return short


def by_function(block, syms):
    per = {}
    for addr, n in block["counts"].items():
        key = syms.name(addr)
        per[key] = per.get(key, 0) + n
    return per


def case_table(kv, row, shim, raw, syms, lines):
    ps, pr = by_function(shim, syms), by_function(raw, syms)
    names = demangle([k[0] for k in list(ps) + list(pr)])
    keys = sorted(set(ps) | set(pr), key=lambda k: (-ps.get(k, 0), -pr.get(k, 0), k))
    lines.append(f"{kv['case']} {kv['size']} B {kv['dir']}: instructions per pair / sequence "
                 f"(the window of one *_once call: its timed region, its two local_clock() "
                 f"calls and the call itself)")
    fmt = "  {:<60} {:<12} {:>7} {:>7} {:>8}"
    lines.append(fmt.format("function", "module", "shim", "raw", "shim-raw"))
    for k in keys:
        s, r = ps.get(k, 0), pr.get(k, 0)
        lines.append(fmt.format(names[k[0]], k[1] or "vmlinux", s or "", r or "", s - r))
    st, rt = shim["mode"] or 0, raw["mode"] or 0
    lines.append(fmt.format("total", "", st, rt, st - rt))
    for side, b in (("shim", shim), ("raw", raw)):
        other = sum(c for t, c in b["totals"].items() if t != str(b["mode"]))
        lines.append(f"  {side}: {b['windows']} windows, {b['windows'] - other} at the total above"
                     f" ({b['differ']} of them with other counts), {other} other"
                     f" (an interrupt inside the window)")
    if row:
        ms, mr = int(row["shim_med_ns"]), int(row["raw_med_ns"])
        lines.append(f"  icount medians of the same row: shim {ms}, raw {mr}, added {ms - mr}; "
                     f"window - median: shim {st - ms:+d}, raw {rt - mr:+d}, "
                     f"added {(st - rt) - (ms - mr):+d}")
    lines.append("")


def report(out, kernels):
    """Print and write profile.txt for every icount-profile VM; False if none."""
    lines = []
    for kernel in kernels:
        for config in CONFIGS:
            d = os.path.join(out, kernel, f"{config}-{MODE}")
            paths = [os.path.join(d, f) for f in ("insnprof.txt", "kallsyms.txt", "result.csv")]
            if not all(os.path.exists(p) for p in paths):
                continue
            blocks = read_blocks(paths[0])
            syms = Symbols(paths[1])
            named, rows = read_case_rows(paths[2])
            lines.append(f"== {kernel} kernel, {config}, {MODE} ==")
            lines.append("")
            cases = {}
            for b, kv in sorted(named.items()):
                cases.setdefault((kv["case"], kv["size"], kv["dir"]), {})[kv["side"]] = (b, kv)
            for (case, size, direction), sides in cases.items():
                if set(sides) != {"shim", "raw"}:
                    continue
                (bs, kv), (br, _) = sides["shim"], sides["raw"]
                if bs not in blocks or br not in blocks:
                    lines.append(f"{case} {size} B {direction}: no plugin output (blocks {bs}, {br})")
                    continue
                row = next((r for r in rows if (r["case"], r["size"], r["dir"])
                            == (case, size, direction)), None)
                case_table(kv, row, blocks[bs], blocks[br], syms, lines)
    if not lines:
        return False
    text = "\n".join(lines)
    print()
    print(text)
    with open(os.path.join(out, "profile.txt"), "w") as f:
        f.write(text + "\n")
    return True


if __name__ == "__main__":
    if not report(sys.argv[1], sys.argv[2:] or ["debug"]):
        sys.exit("insnprof.py: no icount-profile results under " + sys.argv[1])
