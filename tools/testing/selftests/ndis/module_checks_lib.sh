#!/usr/bin/env bash
# Shared by the tests whose test module runs its checks when it loads and
# logs one line per check, "NAME: ok <what>" or "NAME: not ok <what>", then
# "NAME: rejected N" (the calls it made that the shim must refuse, marked
# REJECTED in its source) and "NAME: done". Sourced by tests/NN-*.sh.
#
#   module_checks NAME CHECKS REJECTIONS [AFTER]
#
# loads ndis_shim.ko and NAME.ko, prints the checks as nested KTAP, then
# that exactly CHECKS checks ran, that debugfs rejected_calls moved by
# exactly REJECTIONS and the module marks as many, and the unloads of NAME
# and ndis_shim. AFTER, a function, is then called with the next KTAP
# number and prints one more result line (1 if it failed). Returns 0 only
# if everything passed, 4 (skip) when a module is not built.
# log_since_mark prints the kernel log since the test began.

DBG=/sys/kernel/debug

log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }

module_checks() {
	local name=$1 checks=$2 rejections=$3 after=${4:-}
	local shim=${NDIS_KO:?}/ndis_shim.ko test_ko=$NDIS_KO/$name.ko ko
	local failed=0 rejected0 rejected1 done_line marked n l delta extra=0
	local -a lines
	for ko in "$shim" "$test_ko"; do
		[ -f "$ko" ] || { echo "# SKIP $ko not built"; return 4; }
	done
	mark="ndis-test: $$-$(date +%s%N)"
	echo "$mark" >/dev/kmsg

	insmod "$shim" || { echo "# insmod ndis_shim failed"; return 1; }
	read -r rejected0 <"$DBG/ndis_shim/rejected_calls"
	insmod "$test_ko" || failed=1
	read -r rejected1 <"$DBG/ndis_shim/rejected_calls"
	mapfile -t lines < <(log_since_mark | sed -nE "s/.*$name: ((not )?ok .*)/\\1/p")
	done_line=$(log_since_mark | grep -c "$name: done\$")
	marked=$(log_since_mark | sed -nE "s/.*$name: rejected ([0-9]+)\$/\\1/p")

	[ -n "$after" ] && extra=1
	echo "KTAP version 1"
	echo "1..$((${#lines[@]} + 4 + extra))"
	n=0
	for l in "${lines[@]}"; do
		n=$((n + 1))
		case $l in
		"not ok "*) echo "not ok $n ${l#not ok }"; failed=1 ;;
		*) echo "ok $n ${l#ok }" ;;
		esac
	done
	n=$((n + 1))
	if [ "$done_line" = 1 ] && [ "${#lines[@]}" -eq "$checks" ]; then
		echo "ok $n every check ran (${#lines[@]})"
	else
		echo "not ok $n every check ran (${#lines[@]} lines, want $checks; done=$done_line)"; failed=1
	fi
	n=$((n + 1))
	delta=$((${rejected1:-0} - ${rejected0:-0}))
	if [ "$delta" = "$rejections" ] && [ "${marked:-}" = "$rejections" ]; then
		echo "ok $n rejected_calls +$delta, each refusal $name.ko expects"
	else
		echo "not ok $n rejected_calls ${rejected0:-?} -> ${rejected1:-?} (+$delta), $name.ko marks ${marked:-?}, want $rejections"; failed=1
	fi
	n=$((n + 1))
	if rmmod "$name"; then echo "ok $n rmmod $name"; else echo "not ok $n rmmod $name"; failed=1; fi
	n=$((n + 1))
	if rmmod ndis_shim; then echo "ok $n rmmod ndis_shim"; else echo "not ok $n rmmod ndis_shim"; failed=1; fi
	if [ -n "$after" ]; then
		"$after" $((n + 1)) || failed=1
	fi
	return "$failed"
}
