#!/usr/bin/env bash
# ndis-test: canary detector=warning also=taint,calltrace
# WARN_ON(1) in a module's init (canary_warn.c).
. "$(dirname "$0")/canary_lib.sh"
canary_load canary_warn
rmmod canary_warn
