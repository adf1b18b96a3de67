#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The shim's modules (rust/*.rs) must not import each other in a circle.

Reads every `crate::NAME` path outside comments, builds the module graph,
and fails on the first cycle it finds, printing it. The host-tested core
(rust/core, included at the crate root) and the generated ABI (rust/abi)
import nothing of the shim's and are left out.
"""
import glob
import os
import re
import sys

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
shim = os.path.join(top, "rust")
leaves = {os.path.basename(f)[:-3] for f in glob.glob(os.path.join(shim, "core", "*.rs"))}
leaves |= {"abi"}

graph = {}
for path in sorted(glob.glob(os.path.join(shim, "*.rs"))):
    name = os.path.basename(path)[:-3]
    text = re.sub(r"//[^\n]*", "", open(path).read())
    deps = set(re.findall(r"crate::([a-z_][a-z0-9_]*)", text))
    for block in re.findall(r"use crate::\{(.*?)\};", text, re.S):
        depth, cur = 0, ""
        for ch in block + ",":
            depth += ch == "{"
            depth -= ch == "}"
            if ch == "," and depth == 0:
                if cur.strip():
                    deps.add(cur.strip().split("::")[0])
                cur = ""
            else:
                cur += ch
    graph[name] = sorted(d for d in deps if d != name and d not in leaves and d != "self")

WHITE, GREY, BLACK = 0, 1, 2
colour = dict.fromkeys(graph, WHITE)


def visit(node, path):
    colour[node] = GREY
    for dep in graph.get(node, ()):
        if colour.get(dep) == GREY:
            return path[path.index(dep):] + [dep]
        if colour.get(dep) == WHITE:
            found = visit(dep, path + [dep])
            if found:
                return found
    colour[node] = BLACK
    return None


for start in graph:
    if colour[start] == WHITE:
        cycle = visit(start, [start])
        if cycle:
            print("rust/: modules import each other in a circle: " + " -> ".join(cycle))
            print("test result: FAILED. 0 passed; 1 failed; 0 ignored")
            sys.exit(1)
print(f"rust/: {len(graph)} modules, no import circle")
print("test result: ok. 1 passed; 0 failed; 0 ignored")
