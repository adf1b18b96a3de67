// SPDX-License-Identifier: GPL-2.0
/* Canary: a plain WARN_ON(1). The harness must see WARNING: and taint W. */
#include <linux/bug.h>
#include <linux/module.h>

static int __init canary_init(void)
{
	WARN_ON(1);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: WARN_ON");
MODULE_LICENSE("GPL");
