// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: list_del() an entry whose prev pointer was overwritten.
 * CONFIG_DEBUG_LIST must report "list_del corruption" (a WARN, since
 * CONFIG_BUG_ON_DATA_CORRUPTION is off) and refuse the deletion, so no
 * memory is written through the bad pointer.
 */
#include <linux/list.h>
#include <linux/module.h>

static LIST_HEAD(canary_list);
static struct list_head canary_entry;
static struct list_head canary_stray;

static int __init canary_init(void)
{
	INIT_LIST_HEAD(&canary_stray);
	list_add(&canary_entry, &canary_list);
	/* The corruption: prev no longer points at the node linked before. */
	WRITE_ONCE(canary_entry.prev, &canary_stray);
	list_del(&canary_entry);
	/* list_del() refused; leave the head empty for good measure. */
	INIT_LIST_HEAD(&canary_list);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: list corruption (DEBUG_LIST)");
MODULE_LICENSE("GPL");
