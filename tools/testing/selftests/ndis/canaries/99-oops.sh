#!/usr/bin/env bash
# ndis-test: canary detector=oops also=taint,calltrace,lockdep
# A NULL dereference in a kthread (canary_oops.c): an Oops, taint D. It
# also switches lockdep off and silences the hung-task detector, so it is
# the last canary.
. "$(dirname "$0")/canary_lib.sh"
# A KASAN kernel reports the dereference as a general protection fault.
oops='BUG: kernel NULL pointer dereference|KASAN: null-ptr-deref'
before=$(log_count "$oops")
canary_load canary_oops
# Unload only after the thread has run (it would not once stopped).
wait_log "$oops" "$before" 10
rmmod canary_oops
