#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make rust-analyzer`: rust-project.json at the top of the checkout, for
# rust-analyzer in an editor: the kernel's crates (core, kernel, pin_init,
# ...) from the kernel build tree, the Rust sample (samples/edu_dma, which
# includes the Rust miniport API rust/api/ with #[path]) and the shim
# (rust/shim.rs). Made by the kernel's own `make rust-analyzer M=...`
# (scripts/generate_rust_analyzer.py) into $NDIS_BUILD/rust-analyzer, with
# the kernel tree read-only; that script finds an external module's crate
# roots only beside their Kbuild, so the shim's root (named by the top-level
# Kbuild as rust/shim.o) is added here with the sample's dependencies.
# rust/core is a cargo crate: rust-analyzer reads its Cargo.toml itself.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KDIR=${KDIR:-$("$NDIS_TOP/tools/build-kernel.sh" --print-kdir)}
[ -f "$KDIR/rust/libkernel.rmeta" ] || die "no Rust-enabled kernel build tree at $KDIR: run 'make kernel' or pass KDIR="
out=$NDIS_BUILD/rust-analyzer
mkdir -p "$out"
stage "rust-analyzer: the kernel's make rust-analyzer M=$NDIS_TOP"
ro_kernel_tree "$KDIR" make -s -C "$KDIR" M="$NDIS_TOP" MO="$out" LLVM=-"$LLVM_VERSION" RUSTC=rustc \
	rust-analyzer >"$out/make.log" 2>&1 || { cat "$out/make.log" >&2; die "make rust-analyzer failed"; }
python3 - "$out/rust-project.json" "$NDIS_TOP" >"$NDIS_TOP/rust-project.json" <<'PY'
import copy, json, sys
project = json.load(open(sys.argv[1]))
top = sys.argv[2]
crates = project["crates"]
ours = [c for c in crates if c["root_module"].startswith(top + "/")]
sample = next((c for c in ours if c["root_module"].endswith("/samples/edu_dma/edu_dma.rs")), None)
if sample is None:
    sys.exit("rust-analyzer: the kernel's script did not list samples/edu_dma")
shim_root = top + "/rust/shim.rs"
if not any(c["root_module"] == shim_root for c in crates):
    shim = copy.deepcopy(sample)
    shim["root_module"] = shim_root
    shim["display_name"] = "ndis_shim"
    if "source" in shim:
        shim["source"] = {"include_dirs": [top + "/rust"], "exclude_dirs": []}
    crates.append(shim)
json.dump(project, sys.stdout, indent=2, sort_keys=True)
print()
PY
n=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(c["display_name"] for c in d["crates"] if c["root_module"].startswith(sys.argv[2] + "/")))' \
	"$NDIS_TOP/rust-project.json" "$NDIS_TOP")
stage "rust-analyzer: wrote rust-project.json (this tree's crates: $n)"
