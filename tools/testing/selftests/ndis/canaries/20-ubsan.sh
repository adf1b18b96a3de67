#!/usr/bin/env bash
# ndis-test: canary detector=ubsan also=calltrace
# An array index one past the end, unknown at compile time (canary_ubsan.c).
. "$(dirname "$0")/canary_lib.sh"
canary_load canary_ubsan
rmmod canary_ubsan
