#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ndis-shim test harness. Runs INSIDE the test VM as root.
#
#   harness.sh [CONFIG [OUTDIR [KODIR]]]
#     (or NDIS_CONFIG, NDIS_OUT, NDIS_KO in the environment;
#      NDIS_ONLY=REGEX runs only the test scripts whose path matches)
#
# Runs tests/*.sh in sort order, then the canaries: one synthetic canary per
# kernel-log pattern (canaries/kmsg-patterns), then canaries/[0-9]*.sh.
# Around every test it runs the detectors below and names each one that
# fires. A test's KTAP result is written the moment the test ends, to stdout
# and appended to OUTDIR/ktap.txt, which is on the host (9p, uncached): a
# guest that panics in test N keeps the results of 1..N-1, and the host
# (tools/check.sh) reports N as failed with the panic's text. The plan and
# every test's number and name are in OUTDIR/plan.txt before the first test
# runs. After the last test: a kmemleak scan, the KUnit suites' results,
# and the whole boot's kernel log scanned outside the tests' windows.
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

# The kernel-log detectors: a name and an extended regex over a log line
# without its timestamp. Each pattern is written not to match another's
# lines (WARN()'s "WARNING: ... at" is not lockdep's "WARNING: possible
# ..."), so that canaries/kmsg-patterns can prove every pattern alone.
# Beyond these, the harness's own detectors: taint, error_count (DMA-API
# debug's counter), lockdep switching itself off (reported as lockdep),
# kmemleak, module-left, timeout and kunit.
LOG_DETECTORS=(
	"oops|Oops: |general protection fault|kernel BUG at|BUG: (unable to handle|kernel NULL pointer)"
	"warning|^WARNING: ([^ ]+:[0-9]+ )?at |^WARNING: CPU: "
	"lockdep|WARNING: (possible (circular|recursive) locking|inconsistent lock state|bad unlock balance|suspicious RCU usage|.*lock order detected|held lock freed|lock held when returning)|^BUG: (MAX_LOCK|looking up invalid subclass)|BUG: Invalid wait context"
	"sleep-atomic|BUG: (sleeping function called from invalid context|scheduling while atomic)"
	"kfence|BUG: KFENCE: "
	"kasan|BUG: KASAN: "
	"slub|^BUG [^ ]+ \\(.*\\): |^INFO: (Allocated|Freed) in .* age=|^Object already free|slab_free_hook.*double free"
	"ubsan|UBSAN: "
	"list|list_(add|del) corruption"
	"softlockup|BUG: soft lockup|hard LOCKUP"
	"hung-task|INFO: task .* blocked for more than"
	"rcu-stall|rcu: INFO: .*detected stalls|rcu_.*detected stalls"
	"refcount|refcount_t: "
	"dma-api|DMA-API: "
	"dmar|DMAR: \\[(DMA|INTR-REMAP)|DMAR: DRHD: handling fault"
	"swiotlb|swiotlb buffer is full|swiotlb.*overflow"
	"calltrace|Call Trace:|^Stack:|^Backtrace:"
)
# Lines that look like a detector's but are not a report: DMA-API debug's
# boot banner.
LOG_BENIGN='DMA-API: (preallocated [0-9]+ debug entries|debugging enabled by kernel config)$'

mkdir -p "$OUT/tests"
KTAP=$OUT/ktap.txt
PLAN=$OUT/plan.txt
: >"$KTAP"

log() { echo "ndis-harness: $*" >&2; }
kmsg() { echo "ndis-harness: $*" >/dev/kmsg; }
# Print and append to ktap.txt. OUTDIR is a 9p mount without a cache
# option (cache=none, seen in the guest's /proc/mounts): every write()
# reaches the host before it returns, so a guest that panics next keeps
# what was written, without an fsync.
emit() { cat | tee -a "$KTAP"; }

# The per-test samplers below set variables with shell builtins instead of
# printing for $(...): every fork and exec costs about 0.1 s in the TCG
# guest, and around 80 of them per test made the harness, not the tests,
# the larger part of a boot's time. They read a /proc file whole with
# `read -d ''` (slurp): bash reading line by line seeks back after each
# line, and a seq_file regenerates its whole text from the start on every
# such read; /proc/lockdep_stats line by line cost about 1 s per sample
# (measured: 117 reads, 1.5 s between two tests of a 4 s gap).
slurp() { # VAR FILE
	IFS= read -r -d '' "$1" <"$2" 2>/dev/null
	return 0
}

# JIFFIES: /proc/schedstat carries the current jiffies; timer_list always does.
read_jiffies() {
	local text
	JIFFIES=
	slurp text /proc/schedstat
	[[ $text =~ (^|$'\n')timestamp\ ([0-9]+) ]] && { JIFFIES=${BASH_REMATCH[2]}; return; }
	slurp text /proc/timer_list
	[[ $text =~ jiffies:\ ([0-9]+) ]] && JIFFIES=${BASH_REMATCH[1]}
}
# S_TAINT, S_ERR (DMA-API error_count), S_LOCKS (lockdep's debug_locks).
sample() {
	local text
	read -r S_TAINT </proc/sys/kernel/tainted
	S_ERR=0
	[ -r "$DMA/error_count" ] && read -r S_ERR <"$DMA/error_count"
	S_LOCKS=
	slurp text /proc/lockdep_stats
	[[ $text =~ debug_locks:\ +([0-9]+) ]] && S_LOCKS=${BASH_REMATCH[1]}
}
# MODULES: the loaded modules, one per line, newest first.
read_modules() {
	local text line
	MODULES=
	slurp text /proc/modules
	while IFS= read -r line; do
		[ -n "$line" ] && MODULES+="${line%% *}"$'\n'
	done <<<"$text"
}
# Microseconds since the epoch.
now_us() { NOW_US=${EPOCHREALTIME/[.,]/}; }
taint_letters() {
	local bits=$1 i s=
	for i in "${!TAINT_LETTERS[@]}"; do
		((bits & (1 << i))) && s+=${TAINT_LETTERS[$i]}
	done
	echo "$s"
}
# The kernel log without timestamps (KTAP indentation kept).
klog() { dmesg | sed -E 's/^\[ *[0-9]+\.[0-9]+\] //'; }
# The detector table as one string, a row per line, for awk's ENVIRON.
printf -v DETECTOR_ROWS '%s\n' "${LOG_DETECTORS[@]}"
# One pass over a kernel log (forks cost, see above sample()). With b and e
# set it reads the whole log and keeps only the lines between those two
# markers (exclusive), written to the file win; without, all of it. kunit,
# if set, receives KUnit's KTAP from the window (the suites' lines, top
# level at indent 0); hits receives each detector's first two lines, as
# "name: line". Printed, one per line: "fired NAME" for each detector that
# matched, in table order, then the first six hit lines as "hit LINE" and
# the first three failed KUnit results as "kunit LINE".
LOG_SCAN_AWK='
	BEGIN {
		n = split(ENVIRON["DETECTOR_ROWS"], rows, "\n")
		for (k = 1; k <= n; k++) {
			if (rows[k] == "") { n = k - 1; break }
			i = index(rows[k], "|"); name[k] = substr(rows[k], 1, i - 1); re[k] = substr(rows[k], i + 1)
		}
		on = (b == "")
		if (win != "") printf "" >win
		if (kunit != "") printf "" >kunit
	}
	{ sub(/^\[ *[0-9]+\.[0-9]+\] /, "") }
	b != "" && index($0, e) { exit }
	!on { if (index($0, b)) on = 1; next }
	{
		if (win != "") print >win
		if (kunit != "" && !/^ndis-harness:/ &&
		    /^ *(KTAP version 1|# Subtest: |1\.\.[0-9]+$|(not )?ok [0-9]+ |# .*(pass:|ASSERTION FAILED|EXPECTATION FAILED|Expected |at [^ ]+:[0-9]+$))/) {
			print >kunit
			if (/^ *not ok / && ++nk <= 3) { t = $0; sub(/^ */, "", t); kfail[nk] = t }
		}
		if ($0 ~ ENVIRON["LOG_BENIGN"]) next
		for (k = 1; k <= n; k++) if ($0 ~ re[k] && ++seen[k] <= 2) line[k, seen[k]] = $0
	}
	END {
		printf "" >hits
		for (k = 1; k <= n; k++) if (seen[k]) {
			print "fired " name[k]
			for (j = 1; j <= 2 && j <= seen[k]; j++) {
				print name[k] ": " line[k, j] >hits
				if (++nh <= 6) hit[nh] = name[k] ": " line[k, j]
			}
		}
		for (j = 1; j <= nh && j <= 6; j++) print "hit " hit[j]
		for (j = 1; j <= nk && j <= 3; j++) print "kunit " kfail[j]
	}'
# Test N's window of the kernel log, scanned: DIR/dmesg.txt, .hits,
# kunit.txt, and the summary above in DIR/log-scan.txt.
scan_test_log() { # N DIR
	dmesg | DETECTOR_ROWS=$DETECTOR_ROWS LOG_BENIGN=$LOG_BENIGN awk \
		-v b="ndis-harness: begin #$1:" -v e="ndis-harness: end #$1:" -v win="$2/dmesg.txt" \
		-v kunit="$2/kunit.txt" -v hits="$2/dmesg.txt.hits" "$LOG_SCAN_AWK" >"$2/log-scan.txt"
}
# The log detectors that match FILE (a log without timestamps), one name
# per line in table order; each one's first two lines in FILE.hits.
log_detectors() { # FILE
	DETECTOR_ROWS=$DETECTOR_ROWS LOG_BENIGN=$LOG_BENIGN awk -v hits="$1.hits" "$LOG_SCAN_AWK" "$1" |
		sed -n 's/^fired //p'
}

# Per-test state, indexed by test number.
declare -a NAME SCRIPT J0 J1 SECS CANARY
declare -A LEAK_FROM=() # test number -> leaks found after its result was out
BETWEEN=''               # detector evidence outside every test's window

# ---- 1: the checkers themselves must be on, or every "ok" would be hollow.
mountpoint -q $DBG || mount -t debugfs none $DBG
preflight() {
	local bad='' v
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
	sample
	[ "$S_LOCKS" = 1 ] || bad+="lockdep is not active (debug_locks=$S_LOCKS); "
	# The memory detector: KASAN in the KASAN kernel, KFENCE sampling
	# often in the test kernel. The guest boots sampling rarely
	# (tools/vm.sh: the boot's long-lived objects would fill KFENCE's pool)
	# and samples every NDIS_KFENCE_MS (10) from here on.
	if ! grep -q 'kasan' /proc/cmdline; then
		echo "${NDIS_KFENCE_MS:-10}" 2>/dev/null >/sys/module/kfence/parameters/sample_interval ||
			bad+="cannot set KFENCE's sample interval; "
		v=$(cat /sys/module/kfence/parameters/sample_interval 2>/dev/null || echo 0)
		[ "$v" != 0 ] || bad+="KFENCE is not sampling; "
	fi
	# slub_debug red zones and poisoning on the kmalloc caches (tools/vm.sh).
	v=0
	read -r v 2>/dev/null </sys/kernel/slab/kmalloc-64/red_zone
	[ "$v" = 1 ] || bad+="slub_debug red zones are off in kmalloc-64; "
	v=$(cat /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null || echo 0)
	{ [ "$v" != 0 ] && [ "$v" -lt "$TEST_TIMEOUT" ]; } ||
		bad+="hung-task detector off or slower than the test timeout ($v s); "
	[ "$(cat /proc/sys/kernel/soft_watchdog 2>/dev/null)" = 1 ] || bad+="soft-lockup detector off; "
	read_jiffies
	[ -n "$JIFFIES" ] || bad+="cannot read jiffies; "
	[ -d "$KO" ] || bad+="no module directory $KO; "
	echo "${bad%; }"
}

# One synthetic canary per log detector: a line that only its pattern
# matches, written to /dev/kmsg, proves the pattern works alone.
synthetic_canaries() {
	local dir=$OUT/kmsg-canaries det line quoted
	mkdir -p "$dir"
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; esac
		det=${line%% *} line=${line#* }
		printf -v quoted '%q' "$line"
		printf '%s\n' '#!/usr/bin/env bash' \
			"# ndis-test: canary detector=$det" \
			"# A line only the $det pattern matches; proves that pattern alone." \
			"printf '%s\\n' $quoted >/dev/kmsg" >"$dir/kmsg-$det.sh"
		echo "$dir/kmsg-$det.sh"
	done <"$HERE/canaries/kmsg-patterns"
}

TESTS=()
for f in "$HERE"/tests/*.sh; do [ -e "$f" ] && TESTS+=("$f"); done
[ -f "$HERE/canaries/kmsg-patterns" ] && mapfile -t -O ${#TESTS[@]} TESTS < <(synthetic_canaries)
# [0-9]*: the canary scripts, not build.sh
for f in "$HERE"/canaries/[0-9]*.sh; do [ -e "$f" ] && TESTS+=("$f"); done
# NDIS_ONLY=REGEX runs only the scripts whose path matches (e.g. "canaries|00-").
if [ -n "${NDIS_ONLY:-}" ]; then
	mapfile -t TESTS < <(printf '%s\n' "${TESTS[@]}" | grep -E -- "$NDIS_ONLY")
fi
# preflight + the tests + kmemleak scan + KUnit suites + the boot's log
TOTAL=$((${#TESTS[@]} + 4))
KMEMLEAK_N=$((TOTAL - 2)) KUNIT_N=$((TOTAL - 1)) BOOTLOG_N=$TOTAL

NAME[1]=checkers-active
for i in "${!TESTS[@]}"; do
	f=${TESTS[i]##*/} && f=${f%.sh}
	case ${TESTS[i]} in */canaries/* | */kmsg-canaries/*) f=canary-$f ;; esac
	NAME[i + 2]=$f SCRIPT[i + 2]=${TESTS[i]}
done
NAME[KMEMLEAK_N]=kmemleak-scan NAME[KUNIT_N]=kunit-suites NAME[BOOTLOG_N]=boot-log
# Every test's directory and directives, made and read once here: a mkdir
# or grep per test costs a fork each (see above sample()).
dirs=()
for ((k = 2; k < KMEMLEAK_N; k++)); do dirs+=("$OUT/tests/${NAME[k]}"); done
[ ${#dirs[@]} = 0 ] || mkdir -p "${dirs[@]}"
declare -A DIRECTIVES=()
if [ ${#TESTS[@]} -gt 0 ]; then
	while IFS= read -r line; do
		f=${line%%":# ndis-test: "*}
		DIRECTIVES[$f]+=${line#"$f":}$'\n'
	done < <(grep -H -E '^# ndis-test: ' "${TESTS[@]}")
fi
{
	echo "1..$TOTAL"
	for ((k = 1; k <= TOTAL; k++)); do echo "$k ${NAME[k]}"; done
} >"$PLAN"

{
	echo "KTAP version 1"
	echo "1..$TOTAL"
	echo "# ndis-shim harness: config=$CONFIG kernel=$(uname -r) cmdline: $(cat /proc/cmdline)"
} | emit

# A test's KTAP block: its output nested 4 spaces in (anything that is not
# already KTAP becomes a diagnostic line), notes, time, result; appended to
# ktap.txt. stdout gets the notes, time and result (the output is in
# ktap.txt and tests/NAME/output.txt): one sed, no tee (forks, see above
# sample()).
result() { # N STATUS DIRECTIVE NOTE [OUTPUT]
	local k=$1 st=$2 dir=$3 note=$4 out=${5:-} tail=''
	[ -n "$note" ] && tail+="# ${NAME[k]}: $note"$'\n'
	tail+="# ${NAME[k]}: ${SECS[k]:-0}s"$'\n'
	case $st in
	ok) tail+="ok $k ${NAME[k]}${dir:+ # $dir}" ;;
	skip) tail+="ok $k ${NAME[k]} # SKIP $dir" ;;
	*) tail+="not ok $k ${NAME[k]}${dir:+ # $dir}" ;;
	esac
	{
		[ -n "$out" ] && [ -s "$out" ] &&
			sed -E 's/^(\s*(ok|not ok|KTAP version|1\.\.|#))/    \1/; t; s/^/    # /' "$out"
		printf '%s\n' "$tail"
	} >>"$KTAP"
	printf '%s\n' "$tail"
}

NOTE1=$(preflight)
log "config $CONFIG, kernel $(uname -r), modules from $KO, $TOTAL tests"
if [ -z "$NOTE1" ]; then result 1 ok "" ""; else
	log "PREFLIGHT: $NOTE1"
	result 1 fail "" "$NOTE1"
fi

# ---- kmemleak: objects younger than 5 s are never reported, and an object
# is only reported once it was unreferenced (and unchanged) in two scans,
# hence the wait and two scans. Each leak is pinned on the test that was
# running at its allocation (by jiffies, else by a module name the test
# mentions); "clear" then keeps it from being reported again.
# Prints "N" per leak (test number, or 0 if in no test's window).
kmemleak_scan() { # REPORTFILE
	sleep 6
	{ echo scan >$LEAK && sleep 1 && echo scan >$LEAK && cat $LEAK >"$1" && echo clear >$LEAK; } 2>"$1.err" || return 1
	awk '
		function flush() { if (j != "") print j, mods; j = ""; mods = "" }
		/^unreferenced object/ { flush() }
		/^  comm .*jiffies/ { j = $NF }
		/\[[A-Za-z0-9_]+\]$/ { m = $NF; gsub(/[][]/, "", m); if (index(" " mods " ", " " m " ") == 0) mods = mods " " m }
		END { flush() }' "$1" | while read -r lj lmods; do
		local hit=0 k m
		for ((k = 2; k < KMEMLEAK_N; k++)); do
			[ -n "${J1[k]:-}" ] || break
			if [ "$lj" -ge "${J0[k]}" ] && [ "$lj" -le "${J1[k]}" ]; then hit=$k; break; fi
		done
		if [ "$hit" = 0 ]; then
			for m in $lmods; do
				for ((k = 2; k < KMEMLEAK_N; k++)); do
					[ -n "${J1[k]:-}" ] || break
					grep -qw "$m" "${SCRIPT[k]}" && { hit=$k; break 2; }
				done
			done
		fi
		echo "$hit"
	done
}

# State sampled at the end of the previous test, to see what happened
# between two tests (async work, timers, a DPC that ran late).
sample
prev_taint=$S_TAINT prev_err=$S_ERR prev_locks=$S_LOCKS
check_between() { # N
	local bits
	sample
	bits=$(((S_TAINT & ~prev_taint) & BAD_TAINT))
	((bits)) && BETWEEN+="taint $(taint_letters $bits) before #$1; "
	[ "$S_ERR" -gt "$prev_err" ] && BETWEEN+="DMA-API error_count $prev_err -> $S_ERR before #$1; "
	[ "$prev_locks" = 1 ] && [ "$S_LOCKS" != 1 ] && BETWEEN+="lockdep switched off before #$1; "
}

run_one() {
	local i=$1 script=$2 name=${NAME[$1]} t0 tmo='' taint0 err0 locks0 mods0 new='' m left='' d rc
	local canary='' also='' fired='' notes='' directive='' st line scan=0 n
	d=$OUT/tests/$name
	# The test's directives:
	#   "# ndis-test: timeout=SECS": a test that needs longer (hot-plug under TCG)
	#   "# ndis-test: canary detector=D[|D2] also=A,B": an expected failure
	#   "# ndis-test: kmemleak-scan": scan for leaks right after the test
	while IFS= read -r line; do
		case $line in
		"# ndis-test: timeout="*) [[ -z $tmo && $line =~ =([0-9]+)$ ]] && tmo=${BASH_REMATCH[1]} ;;
		"# ndis-test: canary "*)
			[[ -z $canary && $line =~ detector=([^ ]*) ]] && canary=${BASH_REMATCH[1]}
			[[ -z $also && $line =~ also=([^ ]*) ]] && also=${BASH_REMATCH[1]}
			;;
		"# ndis-test: kmemleak-scan") scan=1 ;;
		esac
	done <<<"${DIRECTIVES[$script]:-}"
	tmo=${tmo:-$TEST_TIMEOUT}
	CANARY[i]=$canary

	check_between "$i"
	read_modules
	mods0=$MODULES taint0=$S_TAINT err0=$S_ERR locks0=$S_LOCKS
	log "[$i/$TOTAL] $name ..."
	kmsg "begin #$i: $name"
	read_jiffies
	J0[i]=$JIFFIES
	now_us
	t0=$NOW_US

	# NDIS_XTRACE=1: every command of the test, timed, in xtrace.txt.
	(cd "$d" && if [ -n "${NDIS_XTRACE:-}" ]; then
		export BASH_ENV=$HERE/xtrace-env.sh NDIS_XTRACE_FILE=$d/xtrace.txt
	fi && NDIS_CONFIG=$CONFIG NDIS_KO=$KO NDIS_OUT=$d NDIS_TOP=${NDIS_TOP:-} \
		timeout -k 10 "$tmo" bash "$script") >"$d/output.txt" 2>&1 </dev/null
	rc=$?
	# 124: timeout's TERM ended it; 137: the KILL 10 s later did.
	case $rc in 124 | 137) fired+="timeout " notes+="timed out after ${tmo}s; " ;; esac

	# Unload what the test left loaded (newest first, as /proc/modules
	# lists them) so one failure does not cascade into the next test.
	read_modules
	for m in $MODULES; do
		[[ $'\n'$mods0 == *$'\n'$m$'\n'* ]] || new+="$m "
	done
	for m in $new $new; do # second pass for modules that had users
		[ -e "/sys/module/$m" ] && rmmod "$m" 2>/dev/null && left+="$m "
	done
	[ -n "$new" ] && fired+="module-left " notes+="left module(s) loaded: ${new% } (harness unloaded: ${left:-none}); "

	read_jiffies
	J1[i]=$JIFFIES
	now_us
	t0=$(((NOW_US - t0) / 100000))
	SECS[i]=$((t0 / 10)).$((t0 % 10))
	kmsg "end #$i: $name"

	# The detectors.
	scan_test_log "$i" "$d"
	local text hit='' kfail='' bits
	slurp text "$d/log-scan.txt"
	while IFS= read -r line; do
		case $line in
		"fired "*) fired+="${line#fired } " ;;
		"hit "*) hit+="${line#hit }|" ;;
		"kunit "*) kfail+="${line#kunit }|" ;;
		esac
	done <<<"$text"
	[ -n "$hit" ] && notes+="log: ${hit%|}; "
	sample
	bits=$(((S_TAINT & ~taint0) & BAD_TAINT))
	((bits)) && fired+="taint " notes+="new taint $(taint_letters $bits); "
	[ "$S_ERR" -gt "$err0" ] && fired+="error_count " notes+="DMA-API error_count $err0 -> $S_ERR; "
	if [ "$locks0" = 1 ] && [ "$S_LOCKS" != 1 ]; then
		notes+="lockdep switched itself off; "
		[[ " $fired " == *" lockdep "* ]] || fired+="lockdep "
	fi
	[ -n "$kfail" ] && fired+="kunit " notes+="KUnit: ${kfail%|}; "
	if ((scan)); then
		local leaks=0
		for n in $(kmemleak_scan "$d/kmemleak.txt"); do
			if [ "$n" = "$i" ]; then leaks=$((leaks + 1)); else LEAK_FROM[$n]=$((${LEAK_FROM[$n]:-0} + 1)); fi
		done
		((leaks)) && fired+="kmemleak " notes+="kmemleak: $leaks leak(s) allocated during the test; "
	fi
	# Each detector once, in the order it fired.
	line=" "
	for m in $fired; do [[ $line == *" $m "* ]] || line+="$m "; done
	line=${line# } fired=${line% }
	sample
	prev_taint=$S_TAINT prev_err=$S_ERR prev_locks=$S_LOCKS

	# The verdict.
	if [ -n "$canary" ]; then
		local t caught='' others='' unexpected='' f
		for t in ${canary//|/ }; do
			[[ " $fired " == *" $t "* ]] && { caught=$t; break; }
		done
		for f in $fired; do
			[ "$f" = "$caught" ] && continue
			others+="$f, "
			[[ ",$also," == *",$f,"* || "|$canary|" == *"|$f|"* ]] || unexpected+="$f "
		done
		others=${others%, }
		if [ "$rc" = 4 ] && [ -z "$fired" ]; then
			st=skip directive=$(grep -m1 '^#' "$d/output.txt" | sed -E 's/^# *(SKIP *)?//')
		elif [ -z "$caught" ]; then
			st=fail directive="not caught by $canary${fired:+; fired: $fired}"
		elif [ -n "$unexpected" ]; then
			st=fail directive="caught: $caught, but also unexpected: ${unexpected% }"
		else
			st=ok directive="caught: $caught${others:+ (also: $others)}"
		fi
		[ "$rc" != 0 ] && [ "$rc" != 4 ] && notes+="exit $rc; "
	elif [ "$rc" = 4 ] && [ -z "$fired" ]; then
		st=skip directive=$(grep -m1 '^#' "$d/output.txt" | sed -E 's/^# *(SKIP *)?//')
	elif [ "$rc" = 0 ] && [ -z "$fired" ]; then
		st=ok
	else
		st=fail notes="exit $rc; ${fired:+detectors: $fired; }$notes"
	fi
	log "[$i/$TOTAL] $name: exit $rc, ${SECS[i]}s${fired:+, fired: $fired}"
	result "$i" "$st" "$directive" "${notes%; }" "$d/output.txt"
}

i=1
for script in "${TESTS[@]}"; do
	i=$((i + 1))
	run_one "$i" "$script"
done
check_between "$KMEMLEAK_N"

# ---- the final kmemleak scan: a leak from a test whose result is already
# out fails this entry and names that test.
t0=$(date +%s) st=ok note=
if [ -e $LEAK ]; then
	for n in $(kmemleak_scan "$OUT/kmemleak.txt"); do LEAK_FROM[$n]=$((${LEAK_FROM[$n]:-0} + 1)); done
	[ -s "$OUT/kmemleak.txt.err" ] && st=fail note+="kmemleak scan failed: $(cat "$OUT/kmemleak.txt.err"); "
else
	st=fail note="no $LEAK; "
fi
for n in "${!LEAK_FROM[@]}"; do
	# A leak canary's own leak, reported late: its result already failed
	# (not caught in its window); it is not a second, unknown leak.
	if [[ "|${CANARY[n]:-}|" == *"|kmemleak|"* ]]; then
		note+="${LEAK_FROM[$n]} leak(s) from #$n ${NAME[n]}, reported after its window; "
		continue
	fi
	st=fail
	if [ "$n" = 0 ]; then note+="${LEAK_FROM[$n]} leak(s) outside any test; "; else
		note+="${LEAK_FROM[$n]} leak(s) allocated during #$n ${NAME[n]}; "
	fi
done
[ "$st" = fail ] && note+="see kmemleak.txt"
SECS[KMEMLEAK_N]=$(($(date +%s) - t0))
result "$KMEMLEAK_N" "$st" "" "${note%; }"

# ---- KUnit: every suite that ran, the first time it ran in this boot,
# as nested KTAP (a suite that fails later fails the test it ran in).
st=ok note='' nsuites=0
for ((k = 2; k < KMEMLEAK_N; k++)); do
	f=$OUT/tests/${NAME[k]}/kunit.txt
	# A canary's suite fails on purpose (and was judged as a canary).
	[[ ${NAME[k]} == canary-* ]] && continue
	[ -s "$f" ] || continue
	# Split into suites: a suite ends with its result at indent 0.
	awk -v seen="$OUT/kunit-seen" '
		BEGIN { while ((getline s < seen) > 0) have[s] = 1 }
		/^KTAP version|^1\.\.[0-9]+$/ { next } # the top-level header of a run
		{ buf = buf $0 "\n" }
		/^(not )?ok [0-9]+ / {
			name = $0; sub(/^(not )?ok [0-9]+ /, "", name); sub(/ #.*/, "", name)
			if (!(name in have)) { printf "%s", buf; print name >> seen; have[name] = 1 }
			buf = ""
		}' "$f" >>"$OUT/kunit-first.txt"
done
if [ -s "$OUT/kunit-first.txt" ]; then
	# Renumber the suites' results 1..K under one plan.
	awk '/^(not )?ok [0-9]+ / { n++; sub(/ok [0-9]+ /, "ok " n " ") } { print } END { print "1.." n + 0 > "/dev/stderr" }' \
		"$OUT/kunit-first.txt" >"$OUT/kunit.ktap" 2>"$OUT/kunit.plan"
	nsuites=$(sed 's/^1\.\.//' "$OUT/kunit.plan")
	{ echo "KTAP version 1"; cat "$OUT/kunit.plan" "$OUT/kunit.ktap"; } >"$OUT/kunit-suites.txt"
	grep -q '^not ok ' "$OUT/kunit.ktap" && st=fail
	SECS[KUNIT_N]=0
	result "$KUNIT_N" "$st" "" "$nsuites suite(s)" "$OUT/kunit-suites.txt"
else
	SECS[KUNIT_N]=0
	result "$KUNIT_N" skip "no KUnit suite ran in this boot" ""
fi

# ---- the whole boot's log: a detector line outside every test's window
# (boot, between tests, the final scan) fails this entry, as does state
# that changed between tests.
klog | awk '
	/ndis-harness: begin #/ { on = 1; next }
	/ndis-harness: end #/ { on = 0; next }
	!on' >"$OUT/outside-tests.txt"
st=ok note=''
fired=$(log_detectors "$OUT/outside-tests.txt" | paste -sd' ' -)
[ -n "$fired" ] && st=fail note+="outside any test: $(head -n 6 "$OUT/outside-tests.txt.hits" | paste -sd'|' -); "
[ -n "$BETWEEN" ] && st=fail note+="between tests: $BETWEEN"
SECS[BOOTLOG_N]=0
result "$BOOTLOG_N" "$st" "" "${note%; }"

fails=$(grep -c '^not ok' "$KTAP")
echo "# $fails of $TOTAL failed" | emit
dmesg >"$OUT/dmesg.txt"
[ "$fails" = 0 ]
