#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Medians and ratios of the NIC benchmark (tools/bench-nic.sh):

    nic_report.py BENCH_OUT_DIR

Reads BENCH_OUT_DIR/nic/<config>-<mode>/nic.csv (rows
rep,slot,driver,test,dir,offloads,value,unit; slot `test` is A on the NDIS
sample, `ref` A on Linux's e1000), prints a table and one line per config
for scripts,

    nic e1000 CONFIG throughput_ratio=X rtt_ratio=Y

writes BENCH_OUT_DIR/nic-results.csv and nic.txt, and appends the lines to
BENCH_OUT_DIR/results.csv (the DMA benchmark's) as `# nic ...` comments,
replacing those of an earlier run.
"""
import csv
import os
import statistics
import sys

# Targets of issue 13 (Documentation/performance.rst, "NIC").
THROUGHPUT_MIN = 0.95
RTT_MAX = 1.10


def read(path):
    rows = []
    with open(path) as f:
        for r in csv.reader(f):
            if len(r) == 8:
                rep, slot, driver, test, direction, off, value, unit = r
                rows.append(dict(rep=int(rep), slot=slot, driver=driver, test=test, dir=direction,
                                 offloads=off, value=float(value), unit=unit))
    return rows


def main():
    out = sys.argv[1]
    nic = os.path.join(out, "nic")
    machine = open(os.path.join(nic, "machine.txt")).read().splitlines() \
        if os.path.exists(os.path.join(nic, "machine.txt")) else []
    runs = {}
    for name in sorted(os.listdir(nic)):
        path = os.path.join(nic, name, "nic.csv")
        if os.path.exists(path):
            config, _, mode = name.rpartition("-")
            runs[(config, mode)] = read(path)
    if not any(runs.values()):
        sys.exit("nic_report.py: no results under " + nic)

    # Medians per (config, mode, slot, test, dir, offloads).
    groups = {}
    drivers = {}
    for (config, mode), rows in runs.items():
        for r in rows:
            key = (config, mode, r["test"], r["dir"], r["offloads"])
            groups.setdefault(key, {}).setdefault(r["slot"], []).append(r["value"])
            drivers[r["slot"]] = r["driver"]
            groups[key]["unit"] = r["unit"]
    test_drv = drivers.get("test", "?")
    table = []
    for key in sorted(groups):
        g = groups[key]
        t, f = g.get("test", []), g.get("ref", [])
        if not t or not f:
            continue
        mt, mf = statistics.median(t), statistics.median(f)
        table.append(dict(config=key[0], mode=key[1], test=key[2], dir=key[3], offloads=key[4],
                          unit=g["unit"], n=min(len(t), len(f)), ndis=mt, linux=mf,
                          ratio=(mt / mf if mf else float("nan")),
                          spread_ndis=spread(t), spread_linux=spread(f)))

    with open(os.path.join(out, "nic-results.csv"), "w", newline="") as f:
        for line in machine:
            f.write(f"# {line}\n")
        w = csv.DictWriter(f, fieldnames=list(table[0].keys()) if table else ["config"])
        w.writeheader()
        for r in table:
            w.writerow({k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in r.items()})

    print()
    print("NIC: A on " + test_drv + " (NDIS) vs A on e1000 (Linux), B on e1000; medians of "
          "repetitions; a-to-b = A sends")
    for line in machine:
        print("  " + line)
    hdr = ("config", "mode", "test", "dir", "offl", "n", "NDIS", "Linux", "unit", "NDIS/Lx",
           "spread N/L %")
    fmt = "{:<7}{:<7}{:<11}{:<7}{:<5}{:>2} {:>9} {:>9} {:<11}{:>8}  {}"
    print()
    print(fmt.format(*hdr))
    for r in table:
        print(fmt.format(r["config"], r["mode"], r["test"], r["dir"], r["offloads"], r["n"],
                         f"{r['ndis']:.1f}", f"{r['linux']:.1f}", r["unit"], f"{r['ratio']:.3f}",
                         f"{r['spread_ndis']:.0f}/{r['spread_linux']:.0f}"))

    # Instructions per frame: the difference is what A's driver costs more.
    insn = [r for r in table if r["test"] == "insn"]
    if insn:
        print()
        print("per-frame cost (icount, 1 vCPU: instructions the guest executed per frame of A, "
              "whole guest; NDIS minus Linux = what the shim and the sample cost more):")
        for r in insn:
            path = "send" if r["dir"] == "a-to-b" else "receive"
            print(f"  {r['config']:<7}{path:<8} NDIS {r['ndis']:.0f}, Linux {r['linux']:.0f}: "
                  f"{r['ndis'] - r['linux']:+.0f} instructions per frame")

    # The lines for scripts, per config of a wall run.
    lines = []
    for config in sorted({c for (c, m) in runs if m == "wall"}):
        tp = [r["ratio"] for r in table if r["config"] == config and r["mode"] == "wall"
              and r["test"] == "tcp" and r["offloads"] == "on"]
        rtt = [r["ratio"] for r in table if r["config"] == config and r["mode"] == "wall"
               and r["test"] == "rtt-median"]
        if len(tp) < 2 or len(rtt) < 2:
            lines.append(f"nic e1000 {config} throughput_ratio=nan rtt_ratio=nan")
            continue
        lines.append(f"nic e1000 {config} throughput_ratio={min(tp):.3f} rtt_ratio={max(rtt):.3f}")
    print()
    print(f"targets: throughput_ratio >= {THROUGHPUT_MIN}, rtt_ratio <= {RTT_MAX}")
    for line in lines:
        print(line)
    with open(os.path.join(out, "nic.txt"), "w") as f:
        f.write("".join(line + "\n" for line in lines))
    res = os.path.join(out, "results.csv")
    if os.path.exists(res):
        with open(res) as f:
            kept = [line for line in f if not line.startswith("# nic ")]
        with open(res, "w") as f:
            f.writelines(kept + [f"# {line}\n" for line in lines])


def spread(values):
    """(max - min) / median in percent: how far the repetitions disagree."""
    m = statistics.median(values)
    return 100 * (max(values) - min(values)) / m if m else 0.0


if __name__ == "__main__":
    main()
