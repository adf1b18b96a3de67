#!/usr/bin/env bash
# ndis-test: canary detector=kmemleak
# ndis-test: kmemleak-scan
# A 64-byte kmalloc whose only pointer is lost (canary_leak.c).
. "$(dirname "$0")/canary_lib.sh"
canary_load canary_leak
rmmod canary_leak
