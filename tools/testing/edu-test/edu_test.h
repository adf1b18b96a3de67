/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edu_test.h - the test interfaces of the edu sample miniports.
 *
 * The samples' Linux glue is what a port needs and nothing more; their
 * debugfs test interfaces live here, under tools/testing/edu-test/, and
 * each sample's Kbuild builds its own into the sample module:
 *
 *	edu_c_test.c	edu_dma_c	/sys/kernel/debug/edu_dma_c/<pci-name>/
 *	edu5_test.c	edu_dma_ndis5	/sys/kernel/debug/edu_dma_ndis5/<pci-name>/
 *
 * The glue's platform hooks (edu.h, edu5.h) call these, at PASSIVE_LEVEL.
 * What the interpreters drive is the miniport's own operations, declared
 * in edu.h and edu5.h; of the glue they use only what edu.h declares
 * (EduPlatformEngineReady, to lift the DMA controller's bus-master fence
 * before a scatter-gather test). The struct pci_dev comes from the shim
 * (NdisLinuxGetPciDevice). The state of each adapter's interface is kept
 * in the adapter's LinuxPrivate.
 */
#ifndef _EDU_TEST_H_
#define _EDU_TEST_H_

#include <linux/kstrtox.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <ndis.h>

struct _EDU_ADAPTER;
struct _EDU5_ADAPTER;

/*
 * ---- MDL shapes (both interpreters' "mdl=" argument) ----
 *
 * The MDLs a Windows driver may hand the DMA calls, made from one that
 * NdisAllocateMdl built (MmBuildMdlForNonPagedPool's shape) over kernel
 * memory. What the shim accepts is in Documentation/porting.rst ("MDLs").
 * A user-context StartVa is simulated: nothing may use it as an address.
 */
enum edu_mdl_shape {
	EDU_MDL_POOL,		/* as built: MDL_SOURCE_IS_NONPAGED_POOL */
	EDU_MDL_USER_POOL,	/* same, StartVa in a user context */
	EDU_MDL_USER_LOCKED,	/* MmProbeAndLockPages + MmMapLockedPages... */
	EDU_MDL_UNBUILT,	/* IoAllocateMdl alone: no flag */
	EDU_MDL_LOCKED_UNMAPPED,	/* MmProbeAndLockPages alone */
	EDU_MDL_USER_SYSTEM_VA,	/* flagged, MappedSystemVa a user address */
	EDU_MDL_SKEWED,		/* MappedSystemVa not at ByteOffset */
};

static const char *const edu_mdl_shape_names[] __maybe_unused = {
	"pool", "user-pool", "user-locked", "unbuilt", "locked-unmapped",
	"user-system-va", "skewed",
};

#define EDU_TEST_USER_VA ((ULONG_PTR)0x00007ffd00000000ULL)

static inline VOID
EduTestShapeMdl(
	_Inout_ PMDL Mdl,
	_In_ enum edu_mdl_shape Shape)
{
	PVOID UserVa = (PVOID)EDU_TEST_USER_VA;

	switch (Shape) {
	case EDU_MDL_POOL:
		break;
	case EDU_MDL_USER_POOL:
		Mdl->StartVa = UserVa;
		break;
	case EDU_MDL_USER_LOCKED:
		Mdl->StartVa = UserVa;
		Mdl->MdlFlags = MDL_MAPPED_TO_SYSTEM_VA | MDL_PAGES_LOCKED;
		break;
	case EDU_MDL_UNBUILT:
		Mdl->MdlFlags = 0;
		break;
	case EDU_MDL_LOCKED_UNMAPPED:
		Mdl->StartVa = UserVa;
		Mdl->MdlFlags = MDL_PAGES_LOCKED;
		break;
	case EDU_MDL_USER_SYSTEM_VA:
		Mdl->StartVa = UserVa;
		Mdl->MappedSystemVa = MmGetMdlVirtualAddress(Mdl);
		break;
	case EDU_MDL_SKEWED:
		Mdl->MappedSystemVa = (PUCHAR)Mdl->MappedSystemVa + 64;
		break;
	}
}

/*
 * ---- Commands (both interfaces) ----
 *
 * One command per write: a verb and key=value words. Every number is
 * checked against its bounds before a command uses it; a refused command
 * fails the write (E2BIG, EINVAL, ERANGE) and says why in "result".
 */

/* A number a command takes: "key=N" (kstrtouint), min..max, at its offset. */
struct edu_test_num {
	const char *key;
	size_t at;
	unsigned int min, max;
};

/*
 * The command a write carries, NUL-terminated in @buf: 0, -E2BIG when it
 * does not fit (@size - 1 bytes at most), -EFAULT.
 */
static inline int edu_test_read_cmd(char *buf, size_t size, const char __user *ubuf,
				    size_t count)
{
	if (count >= size)
		return -E2BIG;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return 0;
}

/*
 * If @key names one of the @n @nums, parses @val into that field of @args
 * (*@num: which): 0, -EINVAL (not a number, -1 included) or -ERANGE (out
 * of bounds, 2^32 and above included). -ENOENT for another key.
 */
static inline int edu_test_parse_num(const struct edu_test_num *nums, size_t n,
				     void *args, const char *key, const char *val,
				     const struct edu_test_num **num)
{
	unsigned int *field;
	int ret;

	for (*num = nums; *num < nums + n; (*num)++) {
		if (strcmp(key, (*num)->key))
			continue;
		field = (unsigned int *)((char *)args + (*num)->at);
		ret = kstrtouint(val, 0, field);
		if (!ret && (*field < (*num)->min || *field > (*num)->max))
			ret = -ERANGE;
		return ret;
	}
	return -ENOENT;
}

/* ---- edu_dma_c (edu_c_test.c) ---- */

/* From EduPlatformAdapterStart: the adapter's test state, nothing visible. */
NDIS_STATUS
EduTestAdapterStart(
	_In_ struct _EDU_ADAPTER *Adapter);

/*
 * From EduPlatformAdapterReady (initialization done): creates the
 * adapter's debugfs files, so no command finds the adapter half set up.
 */
VOID
EduTestAdapterReady(
	_In_ struct _EDU_ADAPTER *Adapter);

/*
 * From EduPlatformAdapterStop: removes them (if EduTestAdapterReady made
 * them), waiting for a command in progress; none can start afterwards.
 */
VOID
EduTestAdapterStop(
	_In_ struct _EDU_ADAPTER *Adapter);

/*
 * From EduPlatformAdapterHalted (the DMA channel is gone): frees the test
 * buffers a transfer might still have reached.
 */
VOID
EduTestAdapterHalted(
	_In_ struct _EDU_ADAPTER *Adapter);

/* ---- edu_dma_ndis5 (edu5_test.c) ---- */

/* From Edu5PlatformAdapterStart: creates the adapter's debugfs files. */
NDIS_STATUS
Edu5TestAdapterStart(
	_In_ struct _EDU5_ADAPTER *Adapter);

/*
 * From Edu5PlatformAdapterStop: removes them (waiting for a command in
 * progress) and frees the test state.
 */
VOID
Edu5TestAdapterStop(
	_In_ struct _EDU5_ADAPTER *Adapter);

#endif /* _EDU_TEST_H_ */
