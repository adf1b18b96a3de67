# SPDX-License-Identifier: GPL-2.0
# QEMU's monitor from inside the guest, shared by the hot-plug tests
# (tests/12-e1000-hot-unplug.sh, 44-hot-unplug.sh, 48-race-teardown.sh);
# sourced, not run. tools/vm.sh wires the virtio-serial port
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
