#!/usr/bin/env bash
# ndis-test: canary detector=kfence|kasan also=taint,calltrace,lockdep,slub
# An out-of-bounds write on a kmalloc object (canary_memory.c): KFENCE
# catches it, or KASAN in a KASAN kernel. There the write lands in the
# object's slab slot past its 24 bytes, which slub_debug's red zone covers
# too, and KASAN switches lockdep off (already off after 80-lockdep in a
# full run).
. "$(dirname "$0")/canary_lib.sh"
kfence_prepare
canary_load canary_memory bug=oob || { kfence_stats; exit 1; }
rmmod canary_memory
