// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: index a fixed-size array one past its end, with an index the
 * compiler cannot see (a module parameter). CONFIG_UBSAN_BOUNDS must report
 * "array-index-out-of-bounds". The array is the first member of a struct,
 * so the stray read lands on the next member: no memory outside the object
 * is touched.
 */
#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static struct {
	int slots[4];
	int after;
} canary_table;

static int slot = ARRAY_SIZE(canary_table.slots);
module_param(slot, int, 0444);
MODULE_PARM_DESC(slot, "slot to read (default: one past the end)");

static int __init canary_init(void)
{
	/* READ_ONCE: the index cannot be folded into a constant. */
	int i = READ_ONCE(slot);

	/* At most one past the end: the read stays inside canary_table. */
	if (i < 0 || i > (int)ARRAY_SIZE(canary_table.slots))
		return -EINVAL;
	pr_info("canary_ubsan: slot %d holds %d\n", i, canary_table.slots[i]);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: out-of-bounds array index (UBSAN)");
MODULE_LICENSE("GPL");
