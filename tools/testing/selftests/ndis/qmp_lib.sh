# SPDX-License-Identifier: GPL-2.0
# QEMU's monitor from inside the guest, shared by the hot-plug tests
# (tests/12-e1000-hot-unplug.sh, 17-pcnet-ndis5-faults.sh,
# 44-hot-unplug.sh, 48-race-teardown.sh); sourced, not run. tools/vm.sh wires the virtio-serial port
# org.ndis-shim.qmp to QEMU's own QMP server.
# shellcheck shell=bash

# qmp_connect: true if the VM has the port; then fd Q is on it and the
# capabilities are negotiated.
qmp_connect() {
	local p port=
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = org.ndis-shim.qmp ] && port=/dev/$(basename "$p")
	done
	[ -n "$port" ] && [ -c "$port" ] || return 1
	exec {Q}<>"$port"
	QID=0 REPLY_LINE= EVENTS=
	# A previous test in this boot negotiated already: either answer will do.
	qmp '"execute": "qmp_capabilities"' || [[ $REPLY_LINE == *"already"* ]]
}

# qmp_open: qmp_connect, or exit 4 (SKIP) in a VM without the port.
qmp_open() {
	qmp_connect ||
		{ echo "# SKIP no QMP port (org.ndis-shim.qmp): VM not started by tools/vm.sh"; exit 4; }
}

# qmp 'BODY': one command ("execute" ... without the braces); true when
# QEMU returned, REPLY_LINE = the answer. Events met on the way are kept
# in EVENTS.
qmp() {
	QID=$((QID + 1))
	local id=ndis$$-$QID line end=$((SECONDS + 30))
	printf '{%s, "id": "%s"}\n' "$1" "$id" >&"$Q"
	REPLY_LINE=
	while ((SECONDS < end)); do
		read -r -t 1 -u "$Q" line || continue
		if [[ $line == *'"event"'* ]]; then
			EVENTS+=$line$'\n'
		elif [[ $line == *"\"$id\""* ]]; then
			REPLY_LINE=$line
			echo "# qmp (${SECONDS}s): $1 -> $line"
			[[ $line == *'"return"'* ]]
			return
		fi
	done
	echo "# qmp: $1 -> no answer"
	return 1
}

# qmp_wait_deleted ID SECS: until QEMU reports DEVICE_DELETED for ID.
qmp_wait_deleted() {
	local end=$((SECONDS + $2)) line
	until [[ $EVENTS == *DEVICE_DELETED*"\"$1\""* ]]; do
		((SECONDS < end)) || return 1
		read -r -t 1 -u "$Q" line && EVENTS+=$line$'\n'
	done
}

# ---- a NIC hot-plugged behind ndis_hp0 on one of the NICs' hubs
# (tests/12-e1000-hot-unplug.sh: an e1000 on hub 0;
# 17-pcnet-ndis5-faults.sh: a pcnet on hub 1), over ../e1000_lib.sh.
# The test sets HP_ID (QEMU's device id), HP_NETDEV (its hub port's id),
# HP_HUB, HP_MODEL (QEMU's device), HP_PCI_ID (vendor:device as sysfs
# reads them) and HP_MAC; nic_plug sets HP_DEV, the guest's PCI name.
HP_DEV= HP_NETDEV_ADDED=0
nic_devices() { # PCI names of the HP_PCI_ID functions present
	local d v id
	for d in $PCI/devices/*; do
		read -r v <"$d/vendor" && read -r id <"$d/device" || continue
		[ "$v:$id" = "$HP_PCI_ID" ] && echo "${d##*/}"
	done
	return 0
}
nic_plug() { # hub port (once) and device_add; HP_DEV = the new function
	local before d i
	if [ $HP_NETDEV_ADDED = 0 ]; then
		qmp '"execute": "netdev_add", "arguments": {"type": "hubport", "id": "'$HP_NETDEV'", "hubid": '$HP_HUB'}' || return 1
		HP_NETDEV_ADDED=1
	fi
	before=$(nic_devices)
	HP_DEV=
	qmp '"execute": "device_add", "arguments": {"driver": "'$HP_MODEL'", "id": "'$HP_ID'", "netdev": "'$HP_NETDEV'", "bus": "ndis_hp0", "mac": "'$HP_MAC'", "romfile": ""}' || return 1
	for ((i = 0; i < 300; i++)); do
		for d in $(nic_devices); do
			[[ $'\n'$before$'\n' == *$'\n'$d$'\n'* ]] || HP_DEV=$d
		done
		[ -n "$HP_DEV" ] && break
		sleep 0.1
	done
	echo "# plugged (${SECONDS}s): ${HP_DEV:-nothing}"
	[ -n "$HP_DEV" ]
}
nic_unplug() { # device_del; until the guest and QEMU both let go
	local i
	EVENTS=
	echo "$(basename "$0" .sh): device_del $HP_ID ($HP_DEV)" >/dev/kmsg
	qmp '"execute": "device_del", "arguments": {"id": "'$HP_ID'"}' || return 1
	for ((i = 0; i < 600; i++)); do
		[ -e "$PCI/devices/$HP_DEV" ] || break
		sleep 0.1
	done
	[ -e "$PCI/devices/$HP_DEV" ] && { echo "# $HP_DEV still in the guest after 60 s"; return 1; }
	echo "# removed from the guest (${SECONDS}s)"
	qmp_wait_deleted $HP_ID 60 || { echo "# no DEVICE_DELETED from QEMU"; return 1; }
	echo "# QEMU: DEVICE_DELETED (${SECONDS}s)"
}
# nic_unplug_all: the added NIC and its hub port never outlive the test
# (44-hot-unplug uses the same root port); before e1000_lib's cleanup.
nic_unplug_all() {
	kill_ns
	[ -n "$HP_DEV" ] && [ -e "$PCI/devices/$HP_DEV" ] && nic_unplug
	[ $HP_NETDEV_ADDED = 1 ] && qmp '"execute": "netdev_del", "arguments": {"id": "'$HP_NETDEV'"}'
	return 0
}
# nic_bring_up NS IF IP: the NIC added, bound to DRIVER_A, in NS as IF,
# link up.
nic_bring_up() {
	nic_plug && load_a && attach "$HP_DEV" "$DRIVER_A" "$1" "$2" "$3" &&
		[ "$(driver_of "$HP_DEV")" = "$DRIVER_A" ] && link_up "$1" "$2"
}
# stream FROM-NS TO-NS TO-IP: endless zeros over TCP (nothing to verify
# once the NIC is gone); STREAM_PID = the sender.
stream() {
	PORT=$((PORT + 1))
	ip netns exec "$2" socat -u TCP-LISTEN:$PORT,reuseaddr OPEN:/dev/null &
	BG+=($!)
	listen "$2" $PORT || return 1
	ip netns exec "$1" socat -u OPEN:/dev/zero TCP:"$3":$PORT 2>/dev/null &
	STREAM_PID=$!
	BG+=($STREAM_PID)
}
# alive PID: PID (a stream's STREAM_PID) still runs; false for none.
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
adapter_listed() { grep -q "^$1 " $DBG/ndis_shim/adapters; }
rx_bytes() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_bytes" 2>/dev/null || echo 0; }
