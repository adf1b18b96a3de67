// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: a KUnit suite with one passing and one failing case. KUnit runs it
 * at insmod and prints its KTAP to the kernel log; the harness must collect
 * it and report the failing case. The passing case shows a suite is not
 * judged by its first case alone.
 */
#include <kunit/test.h>
#include <linux/module.h>

static void canary_kunit_passes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 2);
}

static void canary_kunit_fails(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, 1 + 1, 3, "this case fails on purpose");
}

static struct kunit_case canary_kunit_cases[] = {
	KUNIT_CASE(canary_kunit_passes),
	KUNIT_CASE(canary_kunit_fails),
	{}
};

static struct kunit_suite canary_kunit_suite = {
	.name = "ndis_canary_kunit",
	.test_cases = canary_kunit_cases,
};
kunit_test_suite(canary_kunit_suite);

MODULE_DESCRIPTION("ndis-shim test canary: a failing KUnit case");
MODULE_LICENSE("GPL");
