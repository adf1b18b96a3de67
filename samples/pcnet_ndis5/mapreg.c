// SPDX-License-Identifier: GPL-2.0
/*
 * mapreg.c - the map-register build of the same miniport source: every
 * file compiled once more, as one unit, with PCNET_USE_MAP_REGISTERS
 * defined (Kbuild), into pcnet_ndis5_mapreg.ko.  Kbuild builds an object
 * into one module only, hence one unit rather than the files again.
 */
#include "miniport.c"
#include "hw.c"
#include "send.c"
#include "recv.c"
#include "oid.c"
#include "pcnet_linux.c"
