// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: lose the only pointer to 64-byte kmallocs (LEAK_COUNT of them).
 * kmemleak must report them: small leaks, the size of the shim's own
 * objects.
 *
 * kmemleak counts any stale copy of the address in memory it scans as a
 * reference, so none may survive:
 *  - SLUB's per-CPU sheaf keeps the address in the array slot it handed the
 *    object out from. Freeing another object of the same cache right after,
 *    on the same CPU with interrupts off (so nothing else allocates in
 *    between), writes that slot over. Without sheaves (slub_debug) it is
 *    just one more free.
 *  - A KFENCE object is not used: its metadata keeps the address.
 *  - The whole unused part of the stack below canary_init() is zeroed:
 *    kmemleak scans task stacks, also the cached ones of exited tasks.
 *  - Interrupts stay off until the address is gone from registers and the
 *    stack: kmemleak also scans the per-CPU IRQ stacks.
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
/*
 * Objects lost, each with its own allocation. Some stay referenced for a
 * while despite all of the below (where from is not known): with 4, the
 * canary boots reported 3, 1 and 4 of them in the test's window, the rest
 * later. One is enough for the detector; 8 leave margin.
 */
#define LEAK_COUNT 8
/* Left alone below the stack pointer: memset's own frame. */
#define SCRUB_MARGIN 512

/*
 * Returns 0 once an object has been lost. Called with interrupts off: an
 * interrupt taken while the address sits in a register saves it on the
 * per-CPU IRQ stack, which kmemleak scans and which keeps it until a
 * deeper interrupt overwrites it (seen: a leak reported minutes late in
 * the iommu and swiotlb boots).
 */
static noinline int leak_one(void)
{
	int tries;

	for (tries = 0; tries < LEAK_TRIES; tries++) {
		void *spare, *p;
		bool kfence;

		spare = kmalloc(LEAK_SIZE, GFP_ATOMIC);
		p = kmalloc(LEAK_SIZE, GFP_ATOMIC);
		kfence = is_kfence_address(spare) || is_kfence_address(p);
		/* Writes over p's slot in the sheaf p came from. */
		kfree(spare);
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
 * (kmalloc's, kmemleak's, lockdep's, several KiB deep) are dead. KASAN
 * (make check-kasan) is told not to report their leftover red zones.
 */
static noinline void scrub_stack(void)
{
	unsigned long *end = end_of_stack(current) + 1;
	unsigned long sp = current_stack_pointer;

	if (sp - SCRUB_MARGIN <= (unsigned long)end)
		return;
	kasan_disable_current();
	memzero_explicit(end, sp - SCRUB_MARGIN - (unsigned long)end);
	kasan_enable_current();
}

/* Zero the registers a call may leave the address in. */
static __always_inline void scrub_caller_saved_registers(void)
{
#ifdef CONFIG_X86_64
	asm volatile("xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\txor %%edx, %%edx\n\t"
		     "xor %%esi, %%esi\n\txor %%edi, %%edi\n\txor %%r8d, %%r8d\n\t"
		     "xor %%r9d, %%r9d\n\txor %%r10d, %%r10d\n\txor %%r11d, %%r11d"
		     ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
#endif
}

static int __init canary_init(void)
{
	unsigned long flags;
	int i, ret;

	/*
	 * The address lives only inside leak_one() (callee-saved registers are
	 * restored on its return), in caller-saved registers, and on the stack
	 * below this frame; all three are wiped before interrupts come back.
	 */
	local_irq_save(flags);
	for (i = 0, ret = 0; i < LEAK_COUNT && !ret; i++)
		ret = leak_one();
	scrub_stack();
	scrub_caller_saved_registers();
	local_irq_restore(flags);
	return ret;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: a 64-byte memory leak");
MODULE_LICENSE("GPL");
