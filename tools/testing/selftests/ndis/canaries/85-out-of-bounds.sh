#!/usr/bin/env bash
# ndis-test: canary detector=kfence|kasan also=taint,calltrace,lockdep
# An out-of-bounds write on a kmalloc object (canary_memory.c): KFENCE
# catches it, or KASAN in a KASAN kernel. KASAN switches lockdep off when
# it reports (lockdep is already off after 80-lockdep in a full run).
. "$(dirname "$0")/canary_lib.sh"
canary_load canary_memory bug=oob || { kfence_stats; exit 1; }
rmmod canary_memory
