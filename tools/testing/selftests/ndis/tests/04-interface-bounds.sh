#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The test interfaces check every number they are given before they use it
# and bound every size and count: each interface gets, for each number it
# takes, 0, -1, 2^32-1, 2^64-1 and a word that is no number, plus a very
# long line, malformed words and unknown verbs, and must refuse each with
# its errno and its result line (exact), without a splat (the harness):
#   edu_dma_c      tools/testing/edu-test/edu_c_test.c     cmd, result
#   edu_dma_ndis5  tools/testing/edu-test/edu5_test.c      cmd, result
#   edu_dma        tools/testing/edu-rust-test/test_cmd.rs cmd, result
#   ndis_mask_race modules/ndis_mask_race                  run (errno only)
# The bounds are each interface's own (its source); a 0 they accept runs a
# command that does nothing (edu_dma_c "reap", edu_dma_ndis5
# "sg-register"); the Rust sample has no such command and its accepted
# zeros are the round trips of 30- and 31-edu-rust-*. Prints nested KTAP.
set -uo pipefail
KO=${NDIS_KO:-${KO:-/work/main/build/ko}}
shim=$KO/ndis_shim.ko
for m in ndis_shim edu_dma_c edu_dma_ndis5 edu_dma ndis_mask_race; do
	[ -f "$KO/$m.ko" ] || { echo "# SKIP $KO/$m.ko not built"; exit 4; }
done
DBG=/sys/kernel/debug
mountpoint -q $DBG || mount -t debugfs none $DBG
ERRF=${NDIS_OUT:-/tmp}/write-error

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }

BIG32=4294967295 BIG64=18446744073709551615
LONG=$(printf 'roundtrip len=%04999d' 1)
CMD='' RESULT='' bad=''
# CMD-LINE WANT-ERRNO WANT-RESULT: one write to $CMD; the write's errno
# (none: 0) and the first line of $RESULT (if set) must be these.
t() {
	local err='' got=''
	{ echo "$1" >"$CMD"; } 2>"$ERRF"
	read -r err <"$ERRF"
	case $err in
	"") err=0 ;;
	*"Invalid argument") err=EINVAL ;;
	*"Numerical result out of range") err=ERANGE ;;
	*"Argument list too long") err=E2BIG ;;
	esac
	[ -z "$RESULT" ] || read -r got <"$RESULT"
	if [ "$err" != "$2" ] || [ "$got" != "$3" ]; then
		bad+="'${1:0:60}' -> $err '$got', want $2 '$3'; "
	fi
}
# VERB KEY MIN MAX ACCEPTED: the extremes of one number of a C interface
# (edu_test.h: kstrtouint, then MIN..MAX); ACCEPTED is VERB's result when
# 0 is within bounds.
c_extremes() {
	local v=$1 k=$2 range="out of range $3..$4"
	if [ "$3" = 0 ]; then t "$v $k=0" 0 "$5"
	else t "$v $k=0" ERANGE "fail bad argument $k=0: $range"; fi
	t "$v $k=-1" EINVAL "fail bad argument $k=-1: invalid value"
	t "$v $k=$BIG32" ERANGE "fail bad argument $k=$BIG32: $range"
	t "$v $k=$BIG64" ERANGE "fail bad argument $k=$BIG64: $range"
	t "$v $k=many" EINVAL "fail bad argument $k=many: invalid value"
}
group() { # DESCRIPTION: one result for the cases since the last group
	if [ -z "$bad" ]; then ok "$1"; else notok "$1: $bad"; fi
	bad=
}
first_dir() { # DEBUGFS-DIR: its first adapter directory
	local d
	for d in "$1"/*/; do [ -e "$d/cmd" ] && { echo "${d%/}"; return; }; done
}
load() { # MODULE: insmod (after the shim)
	if insmod "$KO/$1.ko"; then return; fi
	notok "insmod $1"
	rmmod ndis_shim
	exit 1
}

echo "KTAP version 1"
echo "1..20"
if ! insmod "$shim"; then notok "insmod ndis_shim"; exit 1; fi

# ---- edu_dma_c: every number is key=N, kstrtouint, then its bounds.
load edu_dma_c
D=$(first_dir $DBG/edu_dma_c)
CMD=$D/cmd RESULT=$D/result
for kb in "off 0 4096" "len 1 4096" "mdl_off 0 65536" "repeat 0 10000" "count 1 64" \
	"short 0 4096" "parts 1 4" "skip 0 4096" "calls 1 10000"; do
	# shellcheck disable=SC2086 # KEY MIN MAX
	c_extremes reap $kb "ok"
done
group "edu_dma_c: every number's extremes refused or accepted by its bounds"
t "reap off=4000 len=200" ERANGE "fail bad arguments off=4000 len=200: beyond edu's 4096-byte buffer"
t "reap off=$BIG32 len=1" ERANGE "fail bad argument off=$BIG32: out of range 0..4096"
group "edu_dma_c: off + len within edu's buffer, no wrap"
t "$LONG" E2BIG "fail command longer than 255 bytes"
group "edu_dma_c: a very long line"
t "reap len" EINVAL "fail bad argument len: not key=value"
t "reap size=1" EINVAL "fail bad argument size=1: unknown key"
t "reap buf=heap" EINVAL "fail bad argument buf=heap: invalid value"
t "reap mdl=paged" EINVAL "fail bad argument mdl=paged: invalid value"
t "reap dir=up" EINVAL "fail bad argument dir=up: invalid value"
t "reap cached=maybe" EINVAL "fail bad argument cached=maybe: invalid value"
t "bogus" EINVAL "fail unknown command bogus"
group "edu_dma_c: malformed words, unknown keys, values and verbs"
# The biggest accepted count does what it says, quickly.
t "complete-flood calls=10000" 0 "complete-flood calls=10000 success=10000"
group "edu_dma_c: the largest flood accepted and run"
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi

# ---- edu_dma_ndis5
load edu_dma_ndis5
D=$(first_dir $DBG/edu_dma_ndis5)
CMD=$D/cmd RESULT=$D/result
SG="sg-register status=0xc00000bb handle=0" # NDIS 5.1: NOT_SUPPORTED (28-edu-ndis5)
for kb in "len 1 4096" "off 0 65536" "reg 0 3" "rows 1 10"; do
	# shellcheck disable=SC2086 # KEY MIN MAX
	c_extremes sg-register $kb "$SG"
done
group "edu_dma_ndis5: every number's extremes refused or accepted by its bounds"
t "dmasize 3" ERANGE "fail dmasize 3: want 0, 1 or 2 (-34)"
t "dmasize -1" EINVAL "fail dmasize -1: want 0, 1 or 2 (-22)"
t "dmasize $BIG32" ERANGE "fail dmasize $BIG32: want 0, 1 or 2 (-34)"
t "dmasize $BIG64" ERANGE "fail dmasize $BIG64: want 0, 1 or 2 (-34)"
t "dmasize many" EINVAL "fail dmasize many: want 0, 1 or 2 (-22)"
t "dmasize" EINVAL "fail dmasize: want 0, 1 or 2 (-22)"
group "edu_dma_ndis5: dmasize only 0, 1 or 2"
t "$LONG" E2BIG "fail command longer than 127 bytes"
group "edu_dma_ndis5: a very long line"
t "roundtrip len" EINVAL "fail bad argument len: not key=value"
t "roundtrip size=1" EINVAL "fail bad argument size=1: unknown key"
t "roundtrip buf=heap" EINVAL "fail bad argument buf=heap: invalid value"
t "misuse mdl=paged" EINVAL "fail bad argument mdl=paged: invalid value"
t "bogus" EINVAL "fail unknown command bogus"
group "edu_dma_ndis5: malformed words, unknown keys, values and verbs"
if rmmod edu_dma_ndis5; then ok "rmmod edu_dma_ndis5"; else notok "rmmod edu_dma_ndis5"; fi

# ---- edu_dma (Rust): decimal u32, then its bounds; each verb its own keys.
load edu_dma
D=$(first_dir $DBG/edu_dma)
CMD=$D/cmd RESULT=$D/result
MAXB=65536
for vk in "roundtrip off 0" "roundtrip len 1" "roundtrip mdl_off 0" "shm off 0" "shm len 0" \
	"shm rx_off 0" "sg-roundtrip parts 1 8" "sg-roundtrip size 1" "sg-roundtrip skip 0" \
	"sg-roundtrip len 1" "counter len 1"; do
	read -r v k min max <<<"$vk"
	range="out of range $min..=${max:-$MAXB}"
	# An accepted 0 would run a transfer: 30- and 31-edu-rust-* do.
	[ "$min" = 0 ] || t "$v $k=0" ERANGE "error $k=0: $range"
	t "$v $k=-1" EINVAL "error $k=-1: not a decimal number"
	t "$v $k=$BIG32" ERANGE "error $k=$BIG32: $range"
	t "$v $k=$BIG64" ERANGE "error $k=$BIG64: $range"
	t "$v $k=many" EINVAL "error $k=many: not a decimal number"
done
group "edu_dma: every number's extremes refused by its bounds"
# Used to add skip + len as u32 before any check: an overflow panic.
t "sg-roundtrip skip=$BIG32 len=1" ERANGE "error skip=$BIG32: out of range 0..=$MAXB"
group "edu_dma: sg-roundtrip skip=2^32-1 len=1 refused"
t "$LONG" E2BIG "error command longer than 128 bytes"
group "edu_dma: a very long line"
t "roundtrip len" EINVAL "error len: not key=value"
t "roundtrip rx_off=1" EINVAL "error rx_off=1: unknown key"
t "roundtrip len=1 len=2" EINVAL "error len=2: given twice"
t "roundtrip buf=heap" EINVAL "error buf=heap: kmalloc or vmalloc"
t "shm buf=vmalloc" EINVAL "error buf=vmalloc: unknown key"
t "$(printf 'counter len=\xff')" EINVAL "error command not UTF-8"
t "bogus" EINVAL "error unknown command bogus"
group "edu_dma: malformed words, unknown keys, values and verbs"
if rmmod edu_dma; then ok "rmmod edu_dma"; else notok "rmmod edu_dma"; fi

# ---- ndis_mask_race: refusals are errnos only (result is the last run's).
load ndis_mask_race
CMD=$DBG/ndis_mask_race/run RESULT=
t "iterations=0" ERANGE ""
t "iterations=-1" EINVAL ""
t "iterations=$BIG32" ERANGE ""
t "iterations=$BIG64" ERANGE ""
t "iterations=many" EINVAL ""
t "seed=-1" EINVAL ""
t "seed=18446744073709551616" ERANGE ""
t "seed=many" EINVAL ""
group "ndis_mask_race: iterations 1..10000, seed a u64"
t "$LONG" E2BIG ""
t "runs=1" EINVAL ""
group "ndis_mask_race: a very long line, an unknown key"
if rmmod ndis_mask_race; then ok "rmmod ndis_mask_race"; else notok "rmmod ndis_mask_race"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
