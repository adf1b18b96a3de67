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
    """The "#profile" lines (block -> its facts), the rows of result.csv and
    its timer_overhead_ns."""
    named, body, timer = {}, [], None
    for line in open(path):
        m = re.search(r"timer_overhead_ns=(\d+)", line)
        if line.startswith("#") and m:
            timer = int(m.group(1))
        if line.startswith("#profile "):
            kv = dict(x.partition("=")[::2] for x in line.split()[1:])
            named[int(kv["block"])] = kv
        elif line.strip() and not line.startswith("#"):
            body.append(line)
    return named, list(csv.DictReader(body)), timer


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


def window_median(blocks):
    """The median window total over @blocks, indexed as bench_stats() does."""
    totals = sorted(int(t) for b in blocks for t, c in b["totals"].items() if t != "other"
                    for _ in range(c))
    return totals[len(totals) // 2] if totals else 0


def is_clock(name):
    """local_clock() and what it calls: in a window whole, in a timed sample
    one call's worth (timer_overhead_ns)."""
    return name.startswith("local_clock") or "sched_clock" in name


COLUMNS = [("shim", "first"), ("shim", "second"), ("raw", "first"), ("raw", "second")]


def case_table(title, row, timer, blocks, syms, lines):
    """One case: @blocks by (side, order), each the modal window's counts."""
    per = {k: by_function(b, syms) for k, b in blocks.items()}
    keys = set().union(*per.values())
    names = demangle([k[0] for k in keys])
    keys = sorted(keys, key=lambda k: ([-per[c].get(k, 0) for c in COLUMNS], k))
    tot = [blocks[c]["mode"] or 0 for c in COLUMNS]
    same = per[COLUMNS[0]] == per[COLUMNS[1]] and per[COLUMNS[2]] == per[COLUMNS[3]]
    lines.append(f"{title}: instructions per shim pair / raw sequence, counted going first and "
                 f"second in its iteration{' (the same both ways)' if same else ''}; a window is "
                 f"one *_once call, its two local_clock() calls included")
    if same:
        fmt = "  {:<60} {:<10} {:>8} {:>8} {:>8}"
        lines.append(fmt.format("function", "module", "shim", "raw", "shim-raw"))
        cols = [COLUMNS[0], COLUMNS[2]]
    else:
        fmt = "  {:<60} {:<10} {:>8} {:>8} {:>8} {:>8}"
        lines.append(fmt.format("function", "module", "shim 1st", "shim 2nd", "raw 1st", "raw 2nd"))
        cols = COLUMNS
    for k in keys:
        v = [per[c].get(k, 0) for c in cols]
        lines.append(fmt.format(names[k[0]], k[1] or "vmlinux", *(x or "" for x in v),
                                *([v[0] - v[1]] if same else [])))
    if same:
        lines.append(fmt.format("total", "", tot[0], tot[2], tot[0] - tot[2]))
    else:
        lines.append(fmt.format("total", "", *tot))
        lines.append(fmt.format("added (shim - raw)", "", tot[0] - tot[2], tot[1] - tot[3], "", ""))
    for c in COLUMNS:
        b = blocks[c]
        other = sum(n for t, n in b["totals"].items() if t != str(b["mode"]))
        if other or b["differ"]:
            lines.append(f"  {c[0]} {c[1]}: {other} of {b['windows']} windows off the total above "
                         f"(an interrupt inside), {b['differ']} at it with other counts")
    if row and timer is not None:
        # A window holds the timed region, both local_clock() calls whole
        # and the *_once function's own entry and exit; a timed sample holds
        # about one local_clock() (the timer overhead) and the region.
        clock = {c: sum(n for k, n in per[c].items() if is_clock(k[0])) for c in COLUMNS}
        ws = window_median([blocks[("shim", o)] for o in ("first", "second")])
        wr = window_median([blocks[("raw", o)] for o in ("first", "second")])
        ms, mr = int(row["shim_med_ns"]), int(row["raw_med_ns"])
        cs, cr = clock[("shim", "first")], clock[("raw", "first")]
        lines.append(f"  check against the row's icount medians (shim {ms}, raw {mr}; timer "
                     f"overhead {timer}): window - clock functions = shim {ws - cs}, raw {wr - cr}; "
                     f"median - timer overhead = shim {ms - timer}, raw {mr - timer}; "
                     f"differences {ws - cs - (ms - timer):+d}, {wr - cr - (mr - timer):+d}")
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
            named, rows, timer = read_case_rows(paths[2])
            lines.append(f"== {kernel} kernel, {config}, {MODE} ==")
            vcpus = re.search(r"vcpus (\d+)", open(paths[0]).readline() or "")
            if vcpus and vcpus.group(1) != "1":
                lines.append(f"warning: {vcpus.group(1)} vCPUs: counts may miss whole functions "
                             f"(insnprof.c)")
            lines.append("")
            cases = {}
            for b, kv in sorted(named.items()):
                key = (kv["case"], kv["size"], kv["dir"])
                if b in blocks:
                    cases.setdefault(key, {})[(kv["side"], kv["order"])] = blocks[b]
            for (case, size, direction), got in cases.items():
                title = f"{case} {size} B {direction}"
                if set(got) != set(COLUMNS):
                    lines.append(f"{title}: incomplete plugin output")
                    continue
                row = next((r for r in rows if (r["case"], r["size"], r["dir"])
                            == (case, size, direction)), None)
                case_table(title, row, timer, got, syms, lines)
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
