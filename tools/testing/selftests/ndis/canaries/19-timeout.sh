#!/usr/bin/env bash
# ndis-test: canary detector=timeout
# ndis-test: timeout=5
# Runs past its own 5-second timeout. exec: the harness's signal reaches
# the sleep itself, so nothing is left running.
. "$(dirname "$0")/canary_lib.sh"
exec sleep 60
