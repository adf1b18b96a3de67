// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: an out-of-bounds write (bug=oob) or a use-after-free read
 * (bug=uaf) on a kmalloc object, for the kernel's memory-safety detector.
 *
 * KASAN checks every object: the write goes to the unused tail of the
 * object's slab slot (kmalloc(24) in kmalloc-32), which KASAN poisons.
 * KFENCE checks only the objects it samples (one per sample interval), so
 * without KASAN the canary allocates until it gets one, for a few seconds
 * at most. A KFENCE object sits at one end of its own page, next to a
 * guard page; the write goes to the first byte of that guard page, so
 * KFENCE reports it at once ("out-of-bounds write") and the only memory
 * written is the guard page. The use-after-free only reads.
 */
#include <linux/jiffies.h>
#include <linux/kfence.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#define OBJ_SIZE 24
#define SEARCH_SECONDS 5

static char *bug = "oob";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "oob (out-of-bounds write) or uaf (use-after-free read)");

/* An object the detector of this kernel watches, or NULL. */
static char *watched_alloc(void)
{
	/* Under KASAN a KFENCE object would escape it. */
	const bool want_kfence = !IS_ENABLED(CONFIG_KASAN);
	unsigned long end = jiffies + SEARCH_SECONDS * HZ;
	unsigned int tries = 0;
	char *p;

	do {
		p = kmalloc(OBJ_SIZE, GFP_KERNEL);
		tries++;
		if (!p || is_kfence_address(p) == want_kfence)
			break;
		kfree(p);
		p = NULL;
		cond_resched();
	} while (time_before(jiffies, end));
	pr_info("canary_memory: %s object after %u allocations\n",
		p ? (want_kfence ? "a KFENCE" : "a non-KFENCE") : "no suitable",
		tries);
	return p;
}

static int __init canary_init(void)
{
	char *p;

	if (strcmp(bug, "oob") && strcmp(bug, "uaf"))
		return -EINVAL;
	p = watched_alloc();
	if (!p)
		return -ENOMEM;

	if (!strcmp(bug, "oob")) {
		char *stray = p + OBJ_SIZE;

		/* KFENCE: the guard page before or after the object's page. */
		if (is_kfence_address(p))
			stray = PAGE_ALIGNED(p) ? p - 1 : PTR_ALIGN(p + OBJ_SIZE, PAGE_SIZE);
		WRITE_ONCE(*stray, 'X');
		kfree(p);
	} else {
		kfree(p);
		pr_info("canary_memory: read %d after free\n", READ_ONCE(*p));
	}
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: out-of-bounds write, use-after-free");
MODULE_LICENSE("GPL");
