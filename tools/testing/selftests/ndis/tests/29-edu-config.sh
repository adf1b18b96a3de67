#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configuration, error log and system time on the edu adapters
# (modules/ndis_config): the shim's "config" module parameter is set here
# (a malformed text must be refused and leave the old one), then
# ndis_config.ko's MiniportInitializeEx checks, on every edu adapter,
# NdisOpenConfigurationEx/NdisReadConfiguration (integer, hex, string,
# missing, case-insensitive keywords, NdisVersion, the device's own entry
# over a "*" entry)/NdisReadNetworkAddress/NdisCloseConfiguration, their
# misuse (FAILURE, each counted in rejected_calls), NdisWriteErrorLogEntry
# (counted in debugfs adapters, logged with its values, 16 at most) and
# NdisGetCurrentSystemTime. One configuration is left open: the shim
# closes it after halt with one log line, and kmemleak finds nothing.
# Then a malformed and a missing NetworkAddress (ndis_config mode=1, 2).
set -uo pipefail
CHECKS=26      # "ndis_config: ok|not ok" lines per adapter in mode 0
REJECTIONS=12  # calls per adapter in mode 0 the shim must refuse
MAC=02:00:00:00:00:01
DBG=/sys/kernel/debug
PARAM=/sys/module/ndis_shim/parameters/config
shim=${NDIS_KO:?}/ndis_shim.ko test_ko=$NDIS_KO/ndis_config.ko
for ko in "$shim" "$test_ko"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
mountpoint -q $DBG || mount -t debugfs none $DBG
mapfile -t EDU < <(for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] && basename "$d"
done | sort)
na=${#EDU[@]}
[ "$na" -gt 0 ] || { echo "# SKIP no edu device"; exit 4; }

mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }

failed=0 n=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
bad() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

echo "KTAP version 1"
echo "1..$((na * (CHECKS + 9) + 13))"
insmod "$shim" || { bad "insmod ndis_shim"; exit 1; }
ok "insmod ndis_shim"

CFG="*/IntKey=42 */HexKey=1f */StrKey=\"hello world\" */Override=0 ${EDU[0]}/Override=1 */NetworkAddress=${MAC//:/-}"
printf '%s' "$CFG" >"$PARAM"
check "config parameter set and read back" [ "$(cat "$PARAM")" = "$CFG" ]
if printf '%s' '*/x=1 nodevice/IntKey=1' >"$PARAM" 2>/dev/null; then
	bad "a malformed config refused"
else
	check "a malformed config refused, the old one kept" [ "$(cat "$PARAM")" = "$CFG" ]
fi

read -r rejected0 <"$DBG/ndis_shim/rejected_calls"
check "insmod ndis_config" insmod "$test_ko"
read -r rejected1 <"$DBG/ndis_shim/rejected_calls"
log=$(log_since_mark)
for dev in "${EDU[@]}"; do
	mapfile -t lines < <(sed -nE "s/.*ndis_config: ((not )?ok [0-9]+ $dev .*)/\1/p" <<<"$log")
	for l in "${lines[@]}"; do
		case $l in
		"not ok "*) bad "$dev: ${l#not ok * $dev }" ;;
		*) ok "$dev: ${l#ok * $dev }" ;;
		esac
	done
	for ((i = ${#lines[@]}; i < CHECKS; i++)); do bad "$dev: check $((i + 1)) did not run"; done
	got=$(sed -nE "s/.*ndis_config: $dev value Override=([0-9]+)$/\1/p" <<<"$log")
	want=0; [ "$dev" = "${EDU[0]}" ] && want=1
	check "$dev: Override=$got, the device's own entry over *" [ "$got" = "$want" ]
	got=$(sed -nE "s/.*ndis_config: $dev value NetworkAddress=(.*)$/\1/p" <<<"$log")
	check "$dev: NetworkAddress $got" [ "$got" = "$MAC" ]
	line=$(grep "^$dev driver=ndis_config " "$DBG/ndis_shim/adapters")
	check "$dev: debugfs configurations=1 error_log_entries=3" \
		grep -q "configurations=1 error_log_entries=3" <<<"$line"
	check "$dev: error log entries logged with their code and values" \
		grep -q "$dev: ndis_config: error log entry 1: code 0xc000138a, 3 value(s): 0x1 0x2 0x3$" <<<"$log"
	check "$dev: 20 values given, 16 logged" \
		grep -q "$dev: ndis_config: error log entry 3: code 0xc000138d, 20 value(s):.* 0x10 \.\.\.$" <<<"$log"
done
marked=$(sed -nE 's/.*ndis_config: .* rejected ([0-9]+)$/\1/p' <<<"$log" | awk '{ s += $1 } END { print s + 0 }')
delta=$((rejected1 - rejected0))
if [ "$delta" = "$marked" ] && [ "$delta" = $((na * REJECTIONS)) ]; then
	ok "rejected_calls +$delta, each refusal ndis_config.ko expects"
else
	bad "rejected_calls +$delta, ndis_config.ko marks $marked, want $((na * REJECTIONS))"
fi
check "rmmod ndis_config" rmmod ndis_config
left=$(log_since_mark | grep -c "ndis_config: 1 configuration(s) not closed; closed")
check "the open configuration closed at halt ($left of $na)" [ "$left" = "$na" ]

for mode in 1 2; do
	if [ $mode = 1 ]; then cfg="*/NetworkAddress=02-00-00-00-00"; else cfg="*/IntKey=1"; fi
	printf '%s' "$cfg" >"$PARAM"
	mark="ndis-test: $$-$(date +%s%N)-$mode"
	echo "$mark" >/dev/kmsg
	check "insmod ndis_config mode=$mode" insmod "$test_ko" mode=$mode
	log=$(log_since_mark)
	for dev in "${EDU[@]}"; do
		mapfile -t lines < <(sed -nE "s/.*ndis_config: ((not )?ok [0-9]+ $dev .*)/\1/p" <<<"$log")
		check "$dev mode=$mode: ${lines[1]:-no second check}" \
			[ "${#lines[@]}" = 2 ] && [ "${lines[0]#ok }" != "${lines[0]}" ] && [ "${lines[1]#ok }" != "${lines[1]}" ]
		check "$dev mode=$mode: nothing left open" \
			grep -q "^$dev driver=ndis_config .*configurations=0 " "$DBG/ndis_shim/adapters"
	done
	check "rmmod ndis_config mode=$mode" rmmod ndis_config
done
echo >"$PARAM"
check "config parameter cleared" [ -z "$(cat "$PARAM")" ]
check "rmmod ndis_shim" rmmod ndis_shim
exit "$failed"
