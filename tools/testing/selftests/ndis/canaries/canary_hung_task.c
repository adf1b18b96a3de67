// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: sleep uninterruptibly (D state) for `seconds` seconds in module
 * init, so the insmod task itself is the blocked one. The script lowers
 * kernel.hung_task_timeout_secs below that for the duration, and the
 * hung-task detector must report "INFO: task insmod:PID blocked for more
 * than N seconds". insmod returns when the sleep ends, so the script can
 * restore the sysctls right after.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static unsigned int seconds = 6;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long to stay in D state (1..60)");

static int __init canary_init(void)
{
	if (seconds < 1 || seconds > 60)
		return -EINVAL;
	/* msleep() sleeps in TASK_UNINTERRUPTIBLE, which the detector watches. */
	msleep(seconds * MSEC_PER_SEC);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: hung task");
MODULE_LICENSE("GPL");
