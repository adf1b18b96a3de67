#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Medians and ratios of the NIC benchmark (tools/bench-nic.sh):

    nic_report.py BENCH_OUT_DIR

Reads BENCH_OUT_DIR/nic/<config>-<mode>/<family>/nic.csv (rows
rep,slot,driver,test,dir,offloads,value,unit; slot `test` is A on the NDIS
sample, `ref` A on the family's Linux driver: e1000, pcnet32), prints a
table per family and one line per family and config for scripts,

    nic FAMILY CONFIG throughput_ratio=X rtt_ratio=Y

writes BENCH_OUT_DIR/nic-results.csv (a family column) and nic.txt, and
appends the lines to
BENCH_OUT_DIR/results.csv (the DMA benchmark's) as `# nic ...` comments,
replacing those of an earlier run.
"""
import csv
import os
import statistics
import sys

# Targets of issues 13 and 14 (Documentation/performance.rst, "NIC").
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
        if not os.path.isdir(os.path.join(nic, name)):
            continue
        config, _, mode = name.rpartition("-")
        for family in sorted(os.listdir(os.path.join(nic, name))):
            path = os.path.join(nic, name, family, "nic.csv")
            if os.path.exists(path):
                runs[(family, config, mode)] = read(path)
    if not any(runs.values()):
        sys.exit("nic_report.py: no results under " + nic)

    # Medians per (family, config, mode, test, dir, offloads) and slot.
    groups = {}
    drivers = {}
    for (family, config, mode), rows in runs.items():
        for r in rows:
            key = (family, config, mode, r["test"], r["dir"], r["offloads"])
            groups.setdefault(key, {}).setdefault(r["slot"], []).append(r["value"])
            drivers[(family, r["slot"])] = r["driver"]
            groups[key]["unit"] = r["unit"]
    table = []
    for key in sorted(groups):
        g = groups[key]
        t, f = g.get("test", []), g.get("ref", [])
        if not t or not f:
            continue
        mt, mf = statistics.median(t), statistics.median(f)
        table.append(dict(family=key[0], config=key[1], mode=key[2], test=key[3], dir=key[4],
                          offloads=key[5], unit=g["unit"], n=min(len(t), len(f)), ndis=mt,
                          linux=mf, ratio=(mt / mf if mf else float("nan")),
                          spread_ndis=spread(t), spread_linux=spread(f)))

    with open(os.path.join(out, "nic-results.csv"), "w", newline="") as f:
        for line in machine:
            f.write(f"# {line}\n")
        w = csv.DictWriter(f, fieldnames=list(table[0].keys()) if table else ["family"])
        w.writeheader()
        for r in table:
            w.writerow({k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in r.items()})

    print()
    print("NIC: per family, A on the NDIS sample vs A on Linux's driver, B on Linux's driver; "
          "medians of repetitions; a-to-b = A sends")
    for line in machine:
        print("  " + line)
    lines = []
    for family in sorted({k[0] for k in runs}):
        rows = [r for r in table if r["family"] == family]
        print()
        print(f"{family}: A on {drivers.get((family, 'test'), '?')} (NDIS) vs A on "
              f"{drivers.get((family, 'ref'), '?')} (Linux)")
        print_table(rows)
        lines += summary(family, {c for (fam, c, m) in runs if fam == family and m == "wall"}, rows)

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


def print_table(rows):
    """One family's medians and ratios, then its per-frame cost under icount."""
    hdr = ("config", "mode", "test", "dir", "offl", "n", "NDIS", "Linux", "unit", "NDIS/Lx",
           "spread N/L %")
    fmt = "{:<7}{:<7}{:<11}{:<7}{:<5}{:>2} {:>9} {:>9} {:<11}{:>8}  {}"
    print(fmt.format(*hdr))
    for r in rows:
        print(fmt.format(r["config"], r["mode"], r["test"], r["dir"], r["offloads"], r["n"],
                         f"{r['ndis']:.1f}", f"{r['linux']:.1f}", r["unit"], f"{r['ratio']:.3f}",
                         f"{r['spread_ndis']:.0f}/{r['spread_linux']:.0f}"))

    # Instructions per frame: the difference is what A's driver costs more.
    insn = [r for r in rows if r["test"] == "insn"]
    if insn:
        print("per-frame cost (icount, 1 vCPU: instructions the guest executed per frame of A, "
              "whole guest; NDIS minus Linux = what the shim and the sample cost more):")
        for r in insn:
            path = "send" if r["dir"] == "a-to-b" else "receive"
            print(f"  {r['config']:<7}{path:<8} NDIS {r['ndis']:.0f}, Linux {r['linux']:.0f}: "
                  f"{r['ndis'] - r['linux']:+.0f} instructions per frame")


def summary(family, configs, rows):
    """The lines for scripts: one per config of a wall run."""
    lines = []
    for config in sorted(configs):
        wall = [r for r in rows if r["config"] == config and r["mode"] == "wall"]
        tp = [r["ratio"] for r in wall if r["test"] == "tcp" and r["offloads"] == "on"]
        rtt = [r["ratio"] for r in wall if r["test"] == "rtt-median"]
        if len(tp) < 2 or len(rtt) < 2:
            lines.append(f"nic {family} {config} throughput_ratio=nan rtt_ratio=nan")
            continue
        lines.append(f"nic {family} {config} throughput_ratio={min(tp):.3f} "
                     f"rtt_ratio={max(rtt):.3f}")
    return lines


def spread(values):
    """(max - min) / median in percent: how far the repetitions disagree."""
    m = statistics.median(values)
    return 100 * (max(values) - min(values)) / m if m else 0.0


if __name__ == "__main__":
    main()
