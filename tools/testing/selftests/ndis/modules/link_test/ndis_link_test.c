// SPDX-License-Identifier: GPL-2.0
/*
 * Proves the ABI edge: a separately built module resolves a shim export
 * through Module.symvers and calls it.
 */
#include <linux/module.h>
#include <ndis.h>

static int __init ndis_link_test_init(void)
{
	UINT version = NdisGetVersion();

	pr_info("ndis_link_test: NdisGetVersion() = 0x%08x (NDIS %u.%u)\n",
		version, version >> 16, version & 0xffff);
	return 0;
}

static void __exit ndis_link_test_exit(void)
{
}

module_init(ndis_link_test_init);
module_exit(ndis_link_test_exit);
MODULE_DESCRIPTION("ndis-shim link test: calls an exported NDIS entry point");
MODULE_LICENSE("GPL");
