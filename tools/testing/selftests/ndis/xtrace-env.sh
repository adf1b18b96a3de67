# SPDX-License-Identifier: GPL-2.0
# Sourced through BASH_ENV by every bash a test starts when the harness
# runs with NDIS_XTRACE=1: each command, with the wall-clock time it began
# and its shell's PID, appended to the test's xtrace.txt, to find where a
# test spends its time (tools/testing/xtrace-summary.sh reads it).
exec {NDIS_XTRACE_FD}>>"$NDIS_XTRACE_FILE"
BASH_XTRACEFD=$NDIS_XTRACE_FD
PS4='+ $EPOCHREALTIME $$ '
set -x
