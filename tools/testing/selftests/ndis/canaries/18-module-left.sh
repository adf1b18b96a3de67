#!/usr/bin/env bash
# ndis-test: canary detector=module-left
# Loads a module that does nothing (canary_module_left.c) and exits 0
# without unloading it.
. "$(dirname "$0")/canary_lib.sh"
canary_load canary_module_left
