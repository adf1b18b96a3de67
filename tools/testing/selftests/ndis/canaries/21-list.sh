#!/usr/bin/env bash
# ndis-test: canary detector=list also=warning,taint,calltrace
# list_del() of an entry with a corrupted prev pointer (canary_list.c):
# DEBUG_LIST WARNs (CONFIG_BUG_ON_DATA_CORRUPTION is off).
. "$(dirname "$0")/canary_lib.sh"
canary_load canary_list
rmmod canary_list
