#!/usr/bin/env bash
# Host-side tests: the kernel-independent Rust core (cargo test, clippy,
# rustfmt) and the C header check. No VM, no kernel tree needed.
#
#   tools/host-test.sh            run everything
#   tools/host-test.sh --fmt-only rustfmt check of all Rust sources only
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NDIS_TOP"

fmt_check() {
	# The kernel sources are not a cargo crate: check them file by file
	# with the kernel's rustfmt settings (edition 2021).
	local files
	files=$(find rust samples -name '*.rs' -not -path 'rust/core/*' | sort)
	if [ -n "$files" ]; then
		# shellcheck disable=SC2086
		rustfmt --edition 2021 --check $files
	fi
	(cd rust/core && cargo fmt --check)
}

if [ "${1:-}" = --fmt-only ]; then
	fmt_check
	exit 0
fi

stage "host tests: rust/abi is what tools/gen-abi.sh makes of include/ndis.h"
tools/gen-abi.sh --check
stage "host tests: the shim's modules import each other in no circle"
tools/testing/module-graph/check.py
stage "host tests: the kernel build's progress lines, on a fake build"
tools/testing/progress/check.sh
stage "host tests: rust/core (cargo test)"
(cd rust/core && cargo test --quiet 2>&1)
stage "host tests: clippy and rustfmt"
(cd rust/core && cargo clippy --quiet --all-targets -- -D warnings)
fmt_check
if [ -x tools/testing/api-misuse/check.sh ]; then
	stage "host tests: misuse of the Rust miniport API must not compile"
	tools/testing/api-misuse/check.sh
fi
if [ -x tools/testing/header-check/check.sh ]; then
	stage "host tests: include/ndis.h against Windows-style C"
	tools/testing/header-check/check.sh
fi
