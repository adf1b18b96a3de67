// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: dereference NULL in a kthread. The kernel must Oops ("BUG: kernel
 * NULL pointer dereference", "Oops:") and taint D; only the kthread dies.
 * An Oops switches lockdep off and silences the hung-task detector for the
 * rest of the boot, so this canary runs last.
 *
 * Unloading: the script removes the module only once the Oops is in the
 * log, so the thread never runs module code that is gone. kthread_stop()
 * then returns at once: a kthread killed by an Oops completes the same
 * "exited" completion as one that returns.
 */
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched/task.h>

/* Never set: a load the compiler cannot prove NULL (and so keeps). */
static int *canary_target;
static struct task_struct *canary_thread;

static int canary_thread_fn(void *unused)
{
	int *target = READ_ONCE(canary_target);

	return READ_ONCE(*target);
}

static int __init canary_init(void)
{
	struct task_struct *t = kthread_create(canary_thread_fn, NULL, "ndis_canary_oops");

	if (IS_ERR(t))
		return PTR_ERR(t);
	/* Keep the task_struct for kthread_stop() after the thread died. */
	canary_thread = get_task_struct(t);
	wake_up_process(t);
	return 0;
}

static void __exit canary_exit(void)
{
	kthread_stop(canary_thread);
	put_task_struct(canary_thread);
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: Oops in a kthread");
MODULE_LICENSE("GPL");
