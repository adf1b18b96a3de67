#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ndis-shim test harness. Runs INSIDE the test VM as root.
#
#   harness.sh [CONFIG [OUTDIR [KODIR]]]
#     (or NDIS_CONFIG, NDIS_OUT, NDIS_KO in the environment;
#      NDIS_ONLY=REGEX runs only the test scripts whose path matches)
#
# Runs tests/*.sh in sort order, then the expected-failure canaries/*.sh.
# Around every test it watches what a test cannot hide from: new dmesg lines
# matching known splats, new bad taint bits, DMA-API debug's error_count,
# lockdep switching itself off, modules left loaded; at the end one kmemleak
# scan whose leaks are pinned on the test that was running at allocation
# time. KTAP goes to stdout and OUTDIR/ktap.txt, progress to stderr.
set -uo pipefail # no -e: a failing step is a result to report, not an exit

HERE=$(cd "$(dirname "$0")" && pwd)
CONFIG=${1:-${NDIS_CONFIG:-plain}}
OUT=${2:-${NDIS_OUT:-/tmp/ndis-harness}}
KO=${3:-${NDIS_KO:-${NDIS_BUILD:-$HERE/../../../../build}/ko}}
TEST_TIMEOUT=${NDIS_TEST_TIMEOUT:-300}
DBG=/sys/kernel/debug
DMA=$DBG/dma-api
LEAK=$DBG/kmemleak

# Taint bits that mean something went wrong: M(4) B(5) D(7) W(9) L(14).
# O, E and N (out-of-tree, unsigned, test module) are expected here.
BAD_TAINT=$(((1 << 4) | (1 << 5) | (1 << 7) | (1 << 9) | (1 << 14)))
TAINT_LETTERS=(P F S R M B U D A W C I O E L K X T N J)
# Kernel log lines that fail a test.
SPLAT='Oops|BUG:|WARNING:|INFO: (possible|task .* blocked)|possible recursive locking|circular locking|inconsistent lock state|lockdep|sleeping function called from invalid context|scheduling while atomic|DMAR:.*[Ff]ault|DMAR: \[DMA|swiotlb.*(overflow|full)|DMA-API:|general protection|kernel BUG|UBSAN:|KASAN:|refcount_t:|list_(add|del) corruption|soft lockup|hard LOCKUP|detected stalls|Call Trace:|unreferenced object|memory leak detector disabled'

mkdir -p "$OUT/tests"
KTAP=$OUT/ktap.txt

log() { echo "ndis-harness: $*" >&2; }
kmsg() { echo "ndis-harness: $*" >/dev/kmsg; }

jiffies() {
	# /proc/schedstat carries the current jiffies; timer_list always does.
	local j
	j=$(awk '$1 == "timestamp" { print $2; exit }' /proc/schedstat 2>/dev/null)
	[ -n "$j" ] || j=$(awk '$1 == "jiffies:" { print $2; exit }' /proc/timer_list)
	echo "$j"
}
taint() { cat /proc/sys/kernel/tainted; }
taint_letters() {
	local bits=$1 i s=
	for i in "${!TAINT_LETTERS[@]}"; do
		((bits & (1 << i))) && s+=${TAINT_LETTERS[$i]}
	done
	echo "$s"
}
dma_errors() { cat "$DMA/error_count" 2>/dev/null || echo 0; }
debug_locks() { awk '$1 == "debug_locks:" { print $2 }' /proc/lockdep_stats 2>/dev/null; }
modules() { awk '{ print $1 }' /proc/modules; }
# Kernel log between two markers (exclusive).
dmesg_between() {
	dmesg | awk -v b="ndis-harness: begin #$1:" -v e="ndis-harness: end #$1:" '
		index($0, e) { exit } on { print } index($0, b) { on = 1 }'
}

# Per-test state, indexed by test number.
declare -a NAME SCRIPT STATUS RC XFAIL J0 J1 TRIPS NOTES SECS NLEAK

# ---- 1: the checkers themselves must be on, or every "ok" would be hollow.
mountpoint -q $DBG || mount -t debugfs none $DBG
preflight() {
	local bad=
	if [ "$(cat $DMA/disabled 2>/dev/null)" != N ]; then
		bad+="DMA-API debug is not active ($DMA/disabled: $(cat $DMA/disabled 2>&1)); "
	else
		# Print every DMA-API error, not only the first one since boot.
		echo 1 >$DMA/all_errors
	fi
	# scan=off stops the periodic scan (its reports would land in some
	# test's window); it fails with EPERM when kmemleak is disabled.
	if [ ! -e $LEAK ] || ! { echo scan=off >$LEAK && echo clear >$LEAK; } 2>/dev/null; then
		bad+="kmemleak is not active; "
	fi
	[ "$(debug_locks)" = 1 ] || bad+="lockdep is not active (debug_locks=$(debug_locks)); "
	[ -n "$(jiffies)" ] || bad+="cannot read jiffies; "
	[ -d "$KO" ] || bad+="no module directory $KO; "
	echo "${bad%; }"
}

TESTS=()
for f in "$HERE"/tests/*.sh; do [ -e "$f" ] && TESTS+=("$f"); done
# [0-9]*: the canary scripts, not build.sh
for f in "$HERE"/canaries/[0-9]*.sh; do [ -e "$f" ] && TESTS+=("$f"); done
# NDIS_ONLY=REGEX runs only the scripts whose path matches (e.g. "canaries|00-").
if [ -n "${NDIS_ONLY:-}" ]; then
	mapfile -t TESTS < <(printf '%s\n' "${TESTS[@]}" | grep -E -- "$NDIS_ONLY")
fi
# 1 preflight + the tests + 1 final kmemleak scan
TOTAL=$((${#TESTS[@]} + 2))

NAME[1]=checkers-active
SECS[1]=0
NOTES[1]=$(preflight)
if [ -z "${NOTES[1]}" ]; then STATUS[1]=ok; else STATUS[1]=fail; fi
log "config $CONFIG, kernel $(uname -r), modules from $KO, $TOTAL tests"
[ "${STATUS[1]}" = ok ] || log "PREFLIGHT: ${NOTES[1]}"

run_one() {
	local i=$1 script=$2 name t0 tmo taint0 err0 locks0 mods0 new m left='' d
	name=$(basename "$script" .sh)
	case $script in */canaries/*) name=canary-$name ;; esac
	NAME[i]=$name SCRIPT[i]=$script TRIPS[i]='' NOTES[i]=''
	XFAIL[i]=0
	grep -q '^# ndis-test: xfail' "$script" && XFAIL[i]=1
	# "# ndis-test: timeout=SECS": a test that needs longer (hot-plug under TCG)
	tmo=$(sed -n 's/^# ndis-test: timeout=\([0-9][0-9]*\)$/\1/p' "$script" | head -n 1)
	tmo=${tmo:-$TEST_TIMEOUT}
	d=$OUT/tests/$name
	mkdir -p "$d"
	mods0=$(modules) taint0=$(taint) err0=$(dma_errors) locks0=$(debug_locks)
	log "[$i/$TOTAL] $name ..."
	kmsg "begin #$i: $name"
	J0[i]=$(jiffies) t0=$(date +%s.%N)

	(cd "$d" && NDIS_CONFIG=$CONFIG NDIS_KO=$KO NDIS_OUT=$d NDIS_TOP=${NDIS_TOP:-} \
		timeout -k 10 "$tmo" bash "$script") >"$d/output.txt" 2>&1 </dev/null
	RC[i]=$?
	[ "${RC[i]}" = 124 ] && NOTES[i]+="timed out after ${tmo}s; "

	# Unload what the test left loaded (newest first, as /proc/modules
	# lists them) so one failure does not cascade into the next test.
	new=$(modules | grep -vxF -f <(echo "$mods0"))
	for m in $new $new; do # second pass for modules that had users
		grep -qx "$m" <(modules) && rmmod "$m" 2>/dev/null && left+="$m "
	done
	[ -n "$new" ] && NOTES[i]+="left module(s) loaded: $(echo "$new" | paste -sd" " -) (harness unloaded: ${left:-none}); "

	J1[i]=$(jiffies)
	SECS[i]=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	kmsg "end #$i: $name"

	# The checks. A trip is a checker firing, kept apart from other notes
	# because an expected-failure test passes exactly when one fires.
	dmesg_between "$i" >"$d/dmesg.txt"
	local hits bits
	hits=$(grep -E "$SPLAT" "$d/dmesg.txt" | head -n 5 | sed 's/^\[ *[0-9.]*\] //')
	[ -n "$hits" ] && TRIPS[i]+="dmesg: $(echo "$hits" | paste -sd'|' -); "
	bits=$((($(taint) & ~taint0) & BAD_TAINT))
	((bits)) && TRIPS[i]+="new taint $(taint_letters $bits); "
	[ "$(dma_errors)" -gt "$err0" ] && TRIPS[i]+="DMA-API error_count $err0 -> $(dma_errors); "
	[ "$locks0" = 1 ] && [ "$(debug_locks)" != 1 ] && TRIPS[i]+="lockdep switched itself off; "
	log "[$i/$TOTAL] $name: exit ${RC[i]}, ${SECS[i]}s${TRIPS[i]:+, tripped: ${TRIPS[i]}}"
}

i=1
for script in "${TESTS[@]}"; do
	i=$((i + 1))
	run_one "$i" "$script"
done

# ---- last: kmemleak. Objects younger than 5 s are never reported, and a
# leak is only reported once seen unreferenced, hence the wait and two scans.
LAST=$TOTAL
NAME[LAST]=kmemleak-scan STATUS[LAST]=ok NOTES[LAST]=
t0=$(date +%s)
if [ -e $LEAK ]; then
	sleep 6
	{ echo scan >$LEAK && sleep 1 && echo scan >$LEAK && cat $LEAK >"$OUT/kmemleak.txt"; } 2>"$OUT/kmemleak.err" ||
		{ STATUS[LAST]=fail NOTES[LAST]="kmemleak scan failed: $(cat "$OUT/kmemleak.err")"; }
else
	STATUS[LAST]=fail NOTES[LAST]="no $LEAK"
fi
SECS[LAST]=$(($(date +%s) - t0))
# One "jiffies module1 module2" line per leak.
leaks=$(awk '
	function flush() { if (j != "") print j, mods; j = ""; mods = "" }
	/^unreferenced object/ { flush() }
	/^  comm .*jiffies/ { j = $NF }
	/\[[A-Za-z0-9_]+\]$/ { m = $NF; gsub(/[][]/, "", m); if (index(" " mods " ", " " m " ") == 0) mods = mods " " m }
	END { flush() }' "$OUT/kmemleak.txt" 2>/dev/null)
unattributed=0
while read -r lj lmods; do
	[ -n "$lj" ] || continue
	hit=
	for ((k = 2; k < LAST; k++)); do
		if [ "$lj" -ge "${J0[k]}" ] && [ "$lj" -le "${J1[k]}" ]; then hit=$k; break; fi
	done
	if [ -z "$hit" ]; then # fall back on a module name the test script mentions
		for m in $lmods; do
			for ((k = 2; k < LAST; k++)); do
				grep -qw "$m" "${SCRIPT[k]}" && { hit=$k; break 2; }
			done
		done
	fi
	if [ -n "$hit" ]; then
		NLEAK[hit]=$((${NLEAK[hit]:-0} + 1))
	else
		unattributed=$((unattributed + 1))
	fi
done <<<"$leaks"
for k in "${!NLEAK[@]}"; do
	TRIPS[k]+="kmemleak: ${NLEAK[k]} leak(s) allocated during the test (see kmemleak.txt); "
done
((unattributed)) && NOTES[LAST]+="$unattributed leak(s) outside any test (see kmemleak.txt); "

# ---- verdicts
for ((k = 2; k < LAST; k++)); do
	if [ "${RC[k]}" = 4 ] && [ -z "${TRIPS[k]}" ]; then
		STATUS[k]=skip
	elif [ "${XFAIL[k]}" = 1 ]; then
		if [ -n "${TRIPS[k]}" ]; then
			STATUS[k]=ok NOTES[k]="expected failure caught: ${TRIPS[k]}${NOTES[k]}"
		else
			STATUS[k]=fail NOTES[k]="canary not caught: no checker fired (exit ${RC[k]}); ${NOTES[k]}"
		fi
	elif [ "${RC[k]}" = 0 ] && [ -z "${TRIPS[k]}${NOTES[k]}" ]; then
		STATUS[k]=ok
	else
		STATUS[k]=fail NOTES[k]="exit ${RC[k]}; ${TRIPS[k]}${NOTES[k]}"
	fi
done

# ---- KTAP. Test output is nested 4 spaces in; anything that is not
# already KTAP becomes a diagnostic line.
{
	echo "KTAP version 1"
	echo "1..$TOTAL"
	echo "# ndis-shim harness: config=$CONFIG kernel=$(uname -r) cmdline: $(cat /proc/cmdline)"
	for ((k = 1; k <= LAST; k++)); do
		out=$OUT/tests/${NAME[k]}/output.txt
		[ -f "$out" ] && sed -E 's/^(\s*(ok|not ok|KTAP version|1\.\.|#))/    \1/; t; s/^/    # /' "$out"
		note=${NOTES[k]%; }
		[ -n "$note" ] && echo "# ${NAME[k]}: $note"
		echo "# ${NAME[k]}: ${SECS[k]}s"
		case ${STATUS[k]} in
		ok) echo "ok $k ${NAME[k]}" ;;
		skip) echo "ok $k ${NAME[k]} # SKIP $(grep -m1 '^#' "$out" | sed -E 's/^# *(SKIP *)?//')" ;;
		*) echo "not ok $k ${NAME[k]}" ;;
		esac
	done
} >"$KTAP"
fails=$(grep -c '^not ok' "$KTAP")
echo "# $fails of $TOTAL failed" >>"$KTAP"
cat "$KTAP"

dmesg >"$OUT/dmesg.txt"
[ "$fails" = 0 ]
