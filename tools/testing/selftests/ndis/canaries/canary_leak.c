// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: lose the only pointer to a 64-byte kmalloc. kmemleak must report
 * it: a small leak, the size of one of the shim's own objects.
 *
 * kmemleak counts any stale copy of the address in memory it scans as a
 * reference, so none may survive:
 *  - SLUB's per-CPU sheaf keeps the address in the array slot it handed the
 *    object out from. Freeing another object of the same cache right after,
 *    on the same CPU with interrupts off (so nothing else allocates in
 *    between), writes that slot over. Without sheaves (slub_debug) it is
 *    just one more free.
 *  - A KFENCE object is not used: its metadata keeps the address.
 *  - The whole unused part of the stack below canary_init() (kmalloc's,
 *    kmemleak's and lockdep's frames, which can run several KiB deep) is
 *    zeroed: kmemleak scans task stacks, also the cached ones of exited
 *    tasks. Zeroing only 4 KiB left a copy behind in the iommu boot, where
 *    kmemleak then reported the object minutes late.
 */
#include <linux/compiler.h>
#include <linux/irqflags.h>
#include <linux/kasan.h>
#include <linux/kfence.h>
#include <linux/module.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/string.h>

#define LEAK_SIZE 64
/* KFENCE samples one allocation per interval: a few retries suffice. */
#define LEAK_TRIES 100
/* Left alone below the stack pointer: memset's own frame. */
#define SCRUB_MARGIN 512

/* Returns 0 once an object has been lost. */
static noinline int leak_one(void)
{
	int tries;

	for (tries = 0; tries < LEAK_TRIES; tries++) {
		unsigned long flags;
		void *spare, *p;
		bool kfence;

		local_irq_save(flags);
		spare = kmalloc(LEAK_SIZE, GFP_ATOMIC);
		p = kmalloc(LEAK_SIZE, GFP_ATOMIC);
		kfence = is_kfence_address(spare) || is_kfence_address(p);
		/* Writes over p's slot in the sheaf p came from. */
		kfree(spare);
		local_irq_restore(flags);
		if (!spare || !p) {
			kfree(p);
			return -ENOMEM;
		}
		if (!kfence) {
			/* Touch it so the allocation cannot be optimised away. */
			WRITE_ONCE(*(char *)p, 'L');
			return 0;
		}
		kfree(p);
	}
	return -EAGAIN;
}

/*
 * Zero the stack between its end (past the overflow canary word) and a
 * margin below the current stack pointer: the frames that ran below ours
 * are dead. Interrupts are off so that nothing is live down there while
 * it is zeroed, and KASAN (make check-kasan) is told not to report the
 * dead frames' leftover red zones.
 */
static noinline void scrub_stack(void)
{
	unsigned long *end = end_of_stack(current) + 1;
	unsigned long sp = current_stack_pointer;
	unsigned long flags;

	if (sp - SCRUB_MARGIN <= (unsigned long)end)
		return;
	local_irq_save(flags);
	kasan_disable_current();
	memzero_explicit(end, sp - SCRUB_MARGIN - (unsigned long)end);
	kasan_enable_current();
	local_irq_restore(flags);
}

static int __init canary_init(void)
{
	int ret = leak_one();

	scrub_stack();
	return ret;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: a 64-byte memory leak");
MODULE_LICENSE("GPL");
