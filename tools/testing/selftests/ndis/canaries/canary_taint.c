// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: taint the kernel and do nothing else. Every real misdeed that
 * taints also prints something (WARNING:, a splat, a call trace), so only
 * this canary shows the harness's taint check works on its own.
 *
 * M (machine check) because no other check or canary sets it: the bit is
 * new whatever ran before, so this canary does not depend on its position.
 * LOCKDEP_STILL_OK: a taint alone must not switch lockdep off.
 */
#include <linux/module.h>
#include <linux/panic.h>

static int __init canary_init(void)
{
	add_taint(TAINT_MACHINE_CHECK, LOCKDEP_STILL_OK);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: a bad taint bit alone");
MODULE_LICENSE("GPL");
