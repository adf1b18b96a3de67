// SPDX-License-Identifier: GPL-2.0
/*
 * edu5_test.c - the test interface of the edu_dma_ndis5 sample miniport.
 *
 * Not part of the port: what a Windows driver's test build would reach
 * through a control device object and a test tool.
 * samples/edu_dma_ndis5/Kbuild links this file into edu_dma_ndis5.ko; the
 * glue's platform hooks (edu5_linux.c) call the Edu5Test* hooks of
 * edu_test.h.
 *
 * A root-only debugfs directory per adapter,
 * /sys/kernel/debug/edu_dma_ndis5/<pci-name>/{cmd,result}. Commands (one
 * per write to cmd; the outcome is read from result):
 *   roundtrip len=N off=N buf=kmalloc|vmalloc reg=N [mdl=SHAPE]
 *	a buffer to edu's buffer and back into a second one, compared; the
 *	MDLs reshaped as edu_test.h's SHAPE (default pool);
 *   misuse      every bad physical-mapping call once (each is rejected);
 *   alloc       NdisMAllocateMapRegisters' refusals;
 *   nonbm       map registers of a non-bus master (SUCCESS, nothing);
 *   dmasize N   reallocate the map registers with DmaSize N (0, 1, 2);
 *   sg-register NdisMRegisterScatterGatherDma from this NDIS 5.1 bus master.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <ndis_linux.h>
#include "edu5.h"
#include "edu_test.h"

#define EDU5_RESULT_SIZE 512

struct edu5_test {
	PEDU5_ADAPTER adapter;
	struct dentry *dir;
	struct mutex lock;	/* one command at a time; guards result */
	char result[EDU5_RESULT_SIZE];
	size_t result_len;
};

static struct dentry *edu5_root;
static unsigned int edu5_root_users;
static DEFINE_MUTEX(edu5_root_lock);

static __printf(2, 3) void edu5_result(struct edu5_test *et, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	et->result_len += vscnprintf(et->result + et->result_len,
				     sizeof(et->result) - et->result_len, fmt, ap);
	va_end(ap);
}

/* A test buffer: kmalloc (contiguous) or vmalloc (page by page). */
struct edu5_buf {
	u8 *base;
	bool vmalloc;
	PMDL mdl;
};

static int edu5_buf_alloc(struct edu5_test *et, struct edu5_buf *b, bool vm,
			  unsigned int off, unsigned int len)
{
	b->vmalloc = vm;
	b->base = vm ? vzalloc(off + len) : kzalloc(off + len, GFP_KERNEL);
	if (!b->base)
		return -ENOMEM;
	b->mdl = NdisAllocateMdl(et->adapter->MiniportAdapterHandle, b->base + off, len);
	if (!b->mdl) {
		kvfree(b->base);
		return -ENOMEM;
	}
	return 0;
}

static void edu5_buf_free(struct edu5_buf *b)
{
	if (b->mdl)
		NdisFreeMdl(b->mdl);
	kvfree(b->base);
}

struct edu5_args {
	unsigned int len, off, reg;
	bool vmalloc;
	enum edu_mdl_shape mdl;
};

static int edu5_parse(char *s, struct edu5_args *a)
{
	char *word, *val;
	int ret = 0;

	while (!ret && (word = strsep(&s, " \t\n")) != NULL) {
		if (!*word)
			continue;
		val = strchr(word, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(word, "len"))
			ret = kstrtouint(val, 0, &a->len);
		else if (!strcmp(word, "off"))
			ret = kstrtouint(val, 0, &a->off);
		else if (!strcmp(word, "reg"))
			ret = kstrtouint(val, 0, &a->reg);
		else if (!strcmp(word, "buf"))
			a->vmalloc = !strcmp(val, "vmalloc");
		else if (!strcmp(word, "mdl")) {
			ret = match_string(edu_mdl_shape_names,
					   ARRAY_SIZE(edu_mdl_shape_names), val);
			if (ret >= 0) {
				a->mdl = ret;
				ret = 0;
			}
		} else
			ret = -EINVAL;
	}
	return ret;
}

static void edu5_cmd_roundtrip(struct edu5_test *et, struct edu5_args *a)
{
	struct edu5_buf src = { }, dst = { };
	NDIS_STATUS to, from = NDIS_STATUS_FAILURE;
	UINT n_to = 0, n_from = 0;
	bool same;

	if (a->len == 0 || a->len > EDU_BUFFER_SIZE) {
		edu5_result(et, "fail bad length %u\n", a->len);
		return;
	}
	if (edu5_buf_alloc(et, &src, a->vmalloc, a->off, a->len) ||
	    edu5_buf_alloc(et, &dst, a->vmalloc, a->off, a->len)) {
		edu5_result(et, "fail allocation\n");
		goto out;
	}
	get_random_bytes(src.base + a->off, a->len);
	EduTestShapeMdl(src.mdl, a->mdl);
	EduTestShapeMdl(dst.mdl, a->mdl);
	to = Edu5TransferBuffer(et->adapter, src.mdl, a->reg, TRUE, 0, &n_to);
	if (to == NDIS_STATUS_SUCCESS)
		from = Edu5TransferBuffer(et->adapter, dst.mdl, a->reg, FALSE, 0, &n_from);
	if (to == NDIS_STATUS_DEVICE_FAILED || from == NDIS_STATUS_DEVICE_FAILED) {
		/* edu may still write them: parked for good, not freed. */
		edu5_result(et, "fail engine did not finish; buffers parked\n");
		return;
	}
	same = !memcmp(src.base + a->off, dst.base + a->off, a->len);
	edu5_result(et, "%s to=0x%08x entries_to=%u from=0x%08x entries_from=%u verified=%d\n",
		    to == NDIS_STATUS_SUCCESS && from == NDIS_STATUS_SUCCESS && same ?
			    "ok" : "fail",
		    (u32)to, n_to, (u32)from, n_from, same);
out:
	edu5_buf_free(&src);
	edu5_buf_free(&dst);
}

/* Each row is one call the shim must reject: a log line and a count. */
static void edu5_cmd_misuse(struct edu5_test *et)
{
	NDIS_HANDLE h = et->adapter->MiniportAdapterHandle;
	NDIS_PHYSICAL_ADDRESS_UNIT units[EDU5_MAX_PHYSICAL_UNITS + 2];
	struct edu5_buf one = { }, two = { }, big = { };
	UINT n;

	if (edu5_buf_alloc(et, &one, false, 0, 64) ||
	    edu5_buf_alloc(et, &two, false, 0, 64) ||
	    edu5_buf_alloc(et, &big, true, 0, 2 * EDU5_MAXIMUM_MAPPING)) {
		edu5_result(et, "fail allocation\n");
		goto out;
	}
#define ROW(_name, _call) do { n = 99; _call; edu5_result(et, "%s=%u ", _name, n); } while (0)
	ROW("index_out_of_range",
	    NdisMStartBufferPhysicalMapping(h, one.mdl, EDU5_MAP_REGISTERS, TRUE, units, &n));
	ROW("null_buffer", NdisMStartBufferPhysicalMapping(h, NULL, 0, TRUE, units, &n));
	ROW("too_long", NdisMStartBufferPhysicalMapping(h, big.mdl, 0, TRUE, units, &n));
	ROW("stale_handle",
	    NdisMStartBufferPhysicalMapping((NDIS_HANDLE)((ULONG_PTR)h ^ 0x40000000),
					    one.mdl, 0, TRUE, units, &n));
	ROW("complete_unmapped", NdisMCompleteBufferPhysicalMapping(h, one.mdl, 1));
	ROW("complete_index_out_of_range",
	    NdisMCompleteBufferPhysicalMapping(h, one.mdl, EDU5_MAP_REGISTERS + 7));
	/* Register 2 maps one buffer: a second Start and a Complete naming
	 * another buffer are refused; the right Complete then works. */
	ROW("first_start", NdisMStartBufferPhysicalMapping(h, one.mdl, 2, FALSE, units, &n));
	ROW("start_in_use", NdisMStartBufferPhysicalMapping(h, two.mdl, 2, TRUE, units, &n));
	ROW("complete_wrong_buffer", NdisMCompleteBufferPhysicalMapping(h, two.mdl, 2));
	ROW("complete", NdisMCompleteBufferPhysicalMapping(h, one.mdl, 2));
#undef ROW
	edu5_result(et, "\n");
out:
	edu5_buf_free(&one);
	edu5_buf_free(&two);
	edu5_buf_free(&big);
}

static void edu5_cmd_alloc(struct edu5_test *et)
{
	NDIS_HANDLE h = et->adapter->MiniportAdapterHandle;

	edu5_result(et, "again=0x%08x dmasize3=0x%08x zero=0x%08x too_many=0x%08x\n",
		    (u32)NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 4, 4096),
		    (u32)NdisMAllocateMapRegisters(h, 0, 3, 4, 4096),
		    (u32)NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 0, 4096),
		    (u32)NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 1000, 4096));
}

static VOID Edu5TestProcessSGList(PDEVICE_OBJECT pDO, PVOID Reserved,
				  PSCATTER_GATHER_LIST pSGL, PVOID Context)
{
}

/*
 * NDIS 6 scatter-gather DMA is for NDIS 6 drivers: the
 * NdisMRegisterScatterGatherDma page documents NOT_SUPPORTED for a driver
 * below NDIS 6.0, bus master or not.
 */
static void edu5_cmd_sg_register(struct edu5_test *et)
{
	NDIS_SG_DMA_DESCRIPTION Desc = {
		.Header = {
			.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION,
			.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1,
			.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1,
		},
		.MaximumPhysicalMapping = 4096,
		.ProcessSGListHandler = Edu5TestProcessSGList,
	};
	NDIS_HANDLE Handle = NULL;
	NDIS_STATUS Status;

	Status = NdisMRegisterScatterGatherDma(et->adapter->MiniportAdapterHandle, &Desc,
					       &Handle);
	if (Status == NDIS_STATUS_SUCCESS)
		NdisMDeregisterScatterGatherDma(Handle);
	edu5_result(et, "sg-register status=0x%08x handle=%d\n", (u32)Status, Handle != NULL);
}

static void edu5_cmd_nonbm(struct edu5_test *et)
{
	NDIS_PHYSICAL_ADDRESS_UNIT units[EDU5_MAX_PHYSICAL_UNITS];
	struct edu5_buf one = { };
	NDIS_STATUS s1, s2;
	UINT n = 99;

	if (edu5_buf_alloc(et, &one, false, 0, 64)) {
		edu5_result(et, "fail allocation\n");
		return;
	}
	s1 = Edu5ReallocateMapRegisters(et->adapter, FALSE, NDIS_DMA_64BITS);
	NdisMStartBufferPhysicalMapping(et->adapter->MiniportAdapterHandle, one.mdl, 0,
					TRUE, units, &n);
	s2 = Edu5ReallocateMapRegisters(et->adapter, TRUE, NDIS_DMA_64BITS);
	edu5_result(et, "nonbm_alloc=0x%08x nonbm_entries=%u busmaster_alloc=0x%08x\n",
		    (u32)s1, n, (u32)s2);
	edu5_buf_free(&one);
}

static ssize_t edu5_cmd_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct edu5_test *et = file->private_data;
	struct edu5_args a = { .len = 64 };
	char buf[128], *s, *verb;
	unsigned int size;
	int ret = 0;

	if (count >= sizeof(buf))
		return -E2BIG;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	s = strim(buf);
	verb = strsep(&s, " \t");

	mutex_lock(&et->lock);
	et->result_len = 0;
	et->result[0] = '\0';
	if (!strcmp(verb, "roundtrip")) {
		ret = edu5_parse(s, &a);
		if (!ret)
			edu5_cmd_roundtrip(et, &a);
	} else if (!strcmp(verb, "misuse")) {
		edu5_cmd_misuse(et);
	} else if (!strcmp(verb, "alloc")) {
		edu5_cmd_alloc(et);
	} else if (!strcmp(verb, "nonbm")) {
		edu5_cmd_nonbm(et);
	} else if (!strcmp(verb, "sg-register")) {
		edu5_cmd_sg_register(et);
	} else if (!strcmp(verb, "dmasize")) {
		ret = s ? kstrtouint(s, 0, &size) : -EINVAL;
		if (!ret)
			edu5_result(et, "dmasize=%u status=0x%08x\n", size,
				    (u32)Edu5ReallocateMapRegisters(et->adapter, TRUE,
								    (NDIS_DMA_SIZE)size));
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&et->lock);
	return ret ? ret : count;
}

static ssize_t edu5_result_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct edu5_test *et = file->private_data;
	ssize_t ret;

	mutex_lock(&et->lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, et->result, et->result_len);
	mutex_unlock(&et->lock);
	return ret;
}

static const struct file_operations edu5_cmd_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = edu5_cmd_write,
	.llseek = noop_llseek,
};

static const struct file_operations edu5_result_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = edu5_result_read,
	.llseek = default_llseek,
};

/* The hooks the glue's platform hooks call (edu_test.h). */

NDIS_STATUS Edu5TestAdapterStart(PEDU5_ADAPTER Adapter)
{
	struct pci_dev *pdev = NdisLinuxGetPciDevice(Adapter->MiniportAdapterHandle);
	struct edu5_test *et;

	if (!pdev)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;
	et = kzalloc(sizeof(*et), GFP_KERNEL);
	if (!et)
		return NDIS_STATUS_RESOURCES;
	et->adapter = Adapter;
	mutex_init(&et->lock);
	Adapter->LinuxPrivate = et;
	mutex_lock(&edu5_root_lock);
	if (!edu5_root_users++)
		edu5_root = debugfs_create_dir("edu_dma_ndis5", NULL);
	et->dir = debugfs_create_dir(pci_name(pdev), edu5_root);
	mutex_unlock(&edu5_root_lock);
	debugfs_create_file("cmd", 0200, et->dir, et, &edu5_cmd_fops);
	debugfs_create_file("result", 0400, et->dir, et, &edu5_result_fops);
	return NDIS_STATUS_SUCCESS;
}

VOID Edu5TestAdapterStop(PEDU5_ADAPTER Adapter)
{
	struct edu5_test *et = Adapter->LinuxPrivate;

	/* Waits for a command in progress; none can start afterwards. */
	debugfs_remove_recursive(et->dir);
	mutex_lock(&edu5_root_lock);
	if (!--edu5_root_users) {
		debugfs_remove_recursive(edu5_root);
		edu5_root = NULL;
	}
	mutex_unlock(&edu5_root_lock);
	Adapter->LinuxPrivate = NULL;
	mutex_destroy(&et->lock);
	kfree(et);
}
