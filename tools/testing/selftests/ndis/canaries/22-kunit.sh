#!/usr/bin/env bash
# ndis-test: canary detector=kunit
# A KUnit suite with one passing and one failing case (canary_kunit.c);
# KUnit runs it at insmod.
. "$(dirname "$0")/canary_lib.sh"
canary_load canary_kunit
rmmod canary_kunit
