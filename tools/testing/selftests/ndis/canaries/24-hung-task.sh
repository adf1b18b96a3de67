#!/usr/bin/env bash
# ndis-test: canary detector=hung-task also=calltrace
# insmod sleeps 6 s in D state (canary_hung_task.c) while the hung-task
# detector looks every second for tasks blocked more than 2 s.
. "$(dirname "$0")/canary_lib.sh"
k=/proc/sys/kernel
timeout=$(cat $k/hung_task_timeout_secs) interval=
[ -e $k/hung_task_check_interval_secs ] && interval=$(cat $k/hung_task_check_interval_secs)
restore() {
	echo "$timeout" >$k/hung_task_timeout_secs
	[ -z "$interval" ] || echo "$interval" >$k/hung_task_check_interval_secs
}
trap restore EXIT
[ -z "$interval" ] || echo 1 >$k/hung_task_check_interval_secs
echo 2 >$k/hung_task_timeout_secs
canary_load canary_hung_task seconds=6
rmmod canary_hung_task
