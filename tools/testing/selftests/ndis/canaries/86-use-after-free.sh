#!/usr/bin/env bash
# ndis-test: canary detector=kfence|kasan also=taint,calltrace,lockdep
# A read of a freed kmalloc object (canary_memory.c): KFENCE catches it, or
# KASAN in a KASAN kernel (which reports more than once only with
# kasan_multi_shot on the command line).
. "$(dirname "$0")/canary_lib.sh"
kfence_prepare
canary_load canary_memory bug=uaf || { kfence_stats; exit 1; }
rmmod canary_memory
