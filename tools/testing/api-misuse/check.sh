#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Compile-fail checks for the safe Rust NDIS API (rust/api), host side: each
# snippet in cases/ includes the real API source (#[path] to rust/api) and is
# type-checked with the host rustc against kernel_stub.rs, a stand-in for the
# kernel crate items the API uses. No kernel tree or VM needed.
#
# A case states what it expects on a line of its own:
#   // expect: pass          must compile, warning-free (-D warnings);
#   // expect: E0382 [...]   must be rejected with each listed error code and
#                            with no other error (so it fails for the reason
#                            it is meant to, not a typo);
#   // expect: skip REASON   not run.
#
# Usage: tools/testing/api-misuse/check.sh [-v] [CASE...]
#   -v     show rustc's diagnostics for every case, not only failures
#   CASE   case names (cases/NAME.rs) to run; default all
# RUSTUP_TOOLCHAIN selects the toolchain (default: 1.95.0, the kernel's).
# Exit status: 0 when every case passed (or was skipped), 1 otherwise.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export RUSTUP_TOOLCHAIN=${RUSTUP_TOOLCHAIN:-1.95.0}
RUSTC=${RUSTC:-rustc}
RUSTFLAGS_CHECK=(--edition 2021 --crate-type lib --emit=metadata)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

verbose=0
if [ "${1:-}" = -v ]; then
	verbose=1
	shift
fi

pass=0 fail=0 skip=0
ok()  { pass=$((pass + 1)); printf 'ok - %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf 'not ok - %s # %s\n' "$1" "$2"; }
skp() { skip=$((skip + 1)); printf 'ok - %s # SKIP %s\n' "$1" "$2"; }
show() { sed 's/^/    /' "$1"; }

if [ "$#" -gt 0 ]; then
	CASES=()
	for c in "$@"; do CASES+=("$HERE/cases/${c%.rs}.rs"); done
else
	CASES=("$HERE"/cases/*.rs)
fi

summary() {
	# cargo's summary form, so tools/check.sh counts it with the rest.
	if [ "$fail" -eq 0 ]; then
		printf 'test result: ok. %d passed; %d failed; %d skipped\n' "$pass" "$fail" "$skip"
		exit 0
	fi
	printf 'test result: FAILED. %d passed; %d failed; %d skipped\n' "$pass" "$fail" "$skip"
	exit 1
}

# The toolchain, then the kernel stub: without them nothing can run.
if ! "$RUSTC" --version >"$TMP/stub.log" 2>&1; then
	for f in "${CASES[@]}"; do
		skp "$(basename "$f" .rs)" "no rustc for toolchain $RUSTUP_TOOLCHAIN"
	done
	show "$TMP/stub.log"
	summary
fi
if "$RUSTC" "${RUSTFLAGS_CHECK[@]}" -D warnings --crate-name kernel \
	-o "$TMP/libkernel.rmeta" "$HERE/kernel_stub.rs" >"$TMP/stub.log" 2>&1; then
	ok "kernel-stub"
else
	bad "kernel-stub" "the kernel crate stub does not compile"
	show "$TMP/stub.log"
	for f in "${CASES[@]}"; do
		skp "$(basename "$f" .rs)" "no kernel stub"
	done
	summary
fi

for f in "${CASES[@]}"; do
	name=$(basename "$f" .rs)
	log=$TMP/$name.log
	if [ ! -f "$f" ]; then
		bad "$name" "no such case: $f"
		continue
	fi
	expect=$(sed -n 's|^// expect: *||p' "$f" | head -n 1)
	read -r -a want <<<"$expect"
	if [ "${#want[@]}" -eq 0 ]; then
		bad "$name" "no '// expect:' line"
		continue
	fi
	if [ "${want[0]}" = skip ]; then
		skp "$name" "${expect#skip}"
		continue
	fi
	"$RUSTC" "${RUSTFLAGS_CHECK[@]}" -D warnings --crate-name "${name//-/_}" \
		--extern kernel="$TMP/libkernel.rmeta" -o "$TMP/$name.rmeta" "$f" \
		>"$log" 2>&1
	rc=$?
	if [ "${want[0]}" = pass ]; then
		if [ "$rc" -eq 0 ] && ! grep -q '^warning' "$log"; then
			ok "$name"
			[ "$verbose" -eq 0 ] || show "$log"
		else
			bad "$name" "correct use was rejected (exit $rc)"
			show "$log"
		fi
		continue
	fi
	if [ "$rc" -eq 0 ]; then
		bad "$name" "compiled, but must be rejected with ${want[*]}"
		show "$log"
		continue
	fi
	# Every error rustc reported, by code ("-" for errors without one).
	got=$(grep -E '^error(\[E[0-9]{4}\])?: ' "$log" |
		grep -v -E '^error: aborting due to' |
		sed -E 's/^error\[(E[0-9]{4})\].*/\1/; s/^error: .*/-/' | sort -u | paste -s -d ' ')
	missing=() unexpected=()
	for code in "${want[@]}"; do
		case " $got " in *" $code "*) ;; *) missing+=("$code") ;; esac
	done
	for code in $got; do
		case " ${want[*]} " in *" $code "*) ;; *) unexpected+=("$code") ;; esac
	done
	if [ "${#missing[@]}" -eq 0 ] && [ "${#unexpected[@]}" -eq 0 ]; then
		ok "$name"
		[ "$verbose" -eq 0 ] || show "$log"
	else
		bad "$name" "expected ${want[*]}, got ${got:-no error code}"
		show "$log"
	fi
done

summary
