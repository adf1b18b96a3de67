// SPDX-License-Identifier: GPL-2.0
/*
 * ndis_config.ko: an NDIS 6 miniport for QEMU's edu device whose
 * MiniportInitializeEx checks the configuration calls, NdisWriteErrorLogEntry
 * and NdisGetCurrentSystemTime against what tests/29-edu-config.sh put in
 * the shim's "config" parameter first:
 *
 *   (every adapter) IntKey=42 HexKey=1f StrKey="hello world" Override=0
 *   NetworkAddress=<mac>; (the first edu alone) Override=1
 *
 * Each check logs "ndis_config: ok|not ok N DEV what" (the expected status
 * named after the Microsoft page it comes from); values the script checks
 * are logged as "ndis_config: DEV value KEY=V". mode=0 runs everything;
 * mode=1 and 2 only expect NdisReadNetworkAddress to fail (a malformed
 * and a missing NetworkAddress) and make no misuse calls. One
 * configuration is left open on purpose: the shim must close it after
 * MiniportHaltEx, with one log line, leaking nothing.
 */
#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include <ndis_linux.h>

static int mode;
module_param(mode, int, 0444);
MODULE_PARM_DESC(mode, "0: every check; 1, 2: NetworkAddress malformed, missing");

NDIS_LINUX_DRIVER_ENTRY DriverEntry;
MINIPORT_INITIALIZE CfgInitialize;
MINIPORT_HALT CfgHalt;
MINIPORT_UNLOAD CfgUnload;

static NDIS_HANDLE cfg_driver_handle;

struct cfg_adapter {
	NDIS_HANDLE handle;
	const char *name;
	unsigned int n;		/* checks so far */
	unsigned int rejected;	/* calls made that the shim must refuse */
	int failed;
};

#define CHECK(a, cond, fmt, ...) do {						\
	bool __ok = (cond);							\
	(a)->n++;								\
	if (!__ok)								\
		(a)->failed = 1;						\
	pr_info("ndis_config: %sok %u %s " fmt "\n", __ok ? "" : "not ",	\
		(a)->n, (a)->name, ##__VA_ARGS__);				\
} while (0)

/* An NDIS_STRING of @ascii in @buf (at least strlen + 1 WCHARs). */
static NDIS_STRING kw(WCHAR *buf, const char *ascii)
{
	NDIS_STRING s;
	size_t i, n = strlen(ascii);

	for (i = 0; i <= n; i++)
		buf[i] = (unsigned char)ascii[i];
	s.Buffer = buf;
	s.Length = n * sizeof(WCHAR);
	s.MaximumLength = (n + 1) * sizeof(WCHAR);
	return s;
}

static NDIS_STATUS read_cfg(NDIS_HANDLE h, const char *key, NDIS_PARAMETER_TYPE type,
			    PNDIS_CONFIGURATION_PARAMETER *out)
{
	WCHAR buf[32];
	NDIS_STRING s = kw(buf, key);
	NDIS_STATUS st = 0xdeadbeef;

	*out = (PNDIS_CONFIGURATION_PARAMETER)0x1;	/* must be overwritten */
	NdisReadConfiguration(&st, out, h, &s, type);
	return st;
}

static bool read_int(struct cfg_adapter *a, NDIS_HANDLE h, const char *key,
		     NDIS_PARAMETER_TYPE type, ULONG want)
{
	PNDIS_CONFIGURATION_PARAMETER p;
	NDIS_STATUS st = read_cfg(h, key, type, &p);

	CHECK(a, st == NDIS_STATUS_SUCCESS && p && p->ParameterType == type &&
	      p->ParameterData.IntegerData == want,
	      "NdisReadConfiguration %s type %d: SUCCESS, %u (st %#x)", key, type,
	      want, st);
	return st == NDIS_STATUS_SUCCESS;
}

static void read_missing(struct cfg_adapter *a, NDIS_HANDLE h, const char *key,
			 NDIS_PARAMETER_TYPE type, const char *why)
{
	PNDIS_CONFIGURATION_PARAMETER p;
	NDIS_STATUS st = read_cfg(h, key, type, &p);

	/* NdisReadConfiguration page: FAILURE, "could not be found". */
	CHECK(a, st == NDIS_STATUS_FAILURE && !p,
	      "NdisReadConfiguration %s type %d (%s): FAILURE, NULL (st %#x)",
	      key, type, why, st);
}

static void check_open_misuse(struct cfg_adapter *a)
{
	NDIS_CONFIGURATION_OBJECT co;
	NDIS_HANDLE h = (NDIS_HANDLE)0x1;
	NDIS_STATUS st;

	/* NdisOpenConfigurationEx page: SUCCESS, RESOURCES or FAILURE ("if
	 * none of the preceding values applies"): each misuse is FAILURE. */
	st = NdisOpenConfigurationEx(NULL, &h);
	a->rejected++;
	CHECK(a, st == NDIS_STATUS_FAILURE && !h, "open: NULL ConfigObject: FAILURE (%#x)", st);

	memset(&co, 0, sizeof(co));
	co.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	co.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
	co.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
	co.NdisHandle = a->handle;
	h = (NDIS_HANDLE)0x1;
	st = NdisOpenConfigurationEx(&co, &h);
	a->rejected++;
	CHECK(a, st == NDIS_STATUS_FAILURE && !h, "open: wrong Header.Type: FAILURE (%#x)", st);

	co.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
	co.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1 - 4;
	h = (NDIS_HANDLE)0x1;
	st = NdisOpenConfigurationEx(&co, &h);
	a->rejected++;
	CHECK(a, st == NDIS_STATUS_FAILURE && !h, "open: short Header.Size: FAILURE (%#x)", st);

	co.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
	co.NdisHandle = (NDIS_HANDLE)((uintptr_t)a->handle ^ 0x100);
	h = (NDIS_HANDLE)0x1;
	st = NdisOpenConfigurationEx(&co, &h);
	a->rejected++;
	CHECK(a, st == NDIS_STATUS_FAILURE && !h, "open: forged NdisHandle: FAILURE (%#x)", st);

	co.NdisHandle = a->handle;
	st = NdisOpenConfigurationEx(&co, NULL);
	a->rejected++;
	CHECK(a, st == NDIS_STATUS_FAILURE, "open: NULL ConfigurationHandle: FAILURE (%#x)", st);
}

static NDIS_HANDLE open_cfg(struct cfg_adapter *a)
{
	NDIS_CONFIGURATION_OBJECT co;
	NDIS_HANDLE h = NULL;
	NDIS_STATUS st;

	memset(&co, 0, sizeof(co));
	co.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
	co.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
	co.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
	co.NdisHandle = a->handle;
	st = NdisOpenConfigurationEx(&co, &h);
	CHECK(a, st == NDIS_STATUS_SUCCESS && h, "open: SUCCESS, a handle (%#x)", st);
	return st == NDIS_STATUS_SUCCESS ? h : NULL;
}

static void check_address(struct cfg_adapter *a, NDIS_HANDLE h)
{
	NDIS_STATUS st = 0xdeadbeef;
	PVOID addr = (PVOID)0x1;
	UINT len = 99;

	NdisReadNetworkAddress(&st, &addr, &len, h);
	if (mode == 0) {
		const u8 *b = addr;

		CHECK(a, st == NDIS_STATUS_SUCCESS && addr && len == 6,
		      "NdisReadNetworkAddress: SUCCESS, 6 bytes (st %#x len %u)", st, len);
		if (st == NDIS_STATUS_SUCCESS && addr && len == 6)
			pr_info("ndis_config: %s value NetworkAddress=%pM\n", a->name, b);
	} else {
		/* Its page: FAILURE, no address or "not a string". */
		CHECK(a, st == NDIS_STATUS_FAILURE && !addr && len == 0,
		      "NdisReadNetworkAddress (%s): FAILURE, NULL, 0 (st %#x)",
		      mode == 1 ? "malformed" : "missing", st);
	}
}

static void check_config(struct cfg_adapter *a)
{
	PNDIS_CONFIGURATION_PARAMETER p, q;
	NDIS_HANDLE h, h2;
	NDIS_STATUS st;

	if (mode != 0) {
		h = open_cfg(a);
		if (h) {
			check_address(a, h);
			NdisCloseConfiguration(h);
		}
		return;
	}
	check_open_misuse(a);
	h = open_cfg(a);
	if (!h)
		return;
	read_int(a, h, "IntKey", NdisParameterInteger, 42);
	read_int(a, h, "iNTkEY", NdisParameterInteger, 42);
	read_int(a, h, "IntKey", NdisParameterHexInteger, 0x42);
	read_int(a, h, "HexKey", NdisParameterHexInteger, 0x1f);
	read_missing(a, h, "HexKey", NdisParameterInteger, "1f is not base 10");
	read_missing(a, h, "NoSuchKey", NdisParameterInteger, "missing");
	read_missing(a, h, "NoSuchKey", NdisParameterString, "missing");
	read_missing(a, h, "IntKe", NdisParameterInteger, "a prefix");
	read_missing(a, h, "StrKey", NdisParameterBinary, "binary");
	/* Its page: NdisVersion is predefined, 0xMMMMmmmm. */
	read_int(a, h, "NdisVersion", NdisParameterInteger, 0x0006001E);

	st = read_cfg(h, "StrKey", NdisParameterString, &p);
	CHECK(a, st == NDIS_STATUS_SUCCESS && p && p->ParameterType == NdisParameterString &&
	      p->ParameterData.StringData.Length == 22 &&
	      p->ParameterData.StringData.MaximumLength == 24 &&
	      p->ParameterData.StringData.Buffer &&
	      p->ParameterData.StringData.Buffer[0] == 'h' &&
	      p->ParameterData.StringData.Buffer[5] == ' ' &&
	      p->ParameterData.StringData.Buffer[10] == 'd' &&
	      p->ParameterData.StringData.Buffer[11] == 0,
	      "NdisReadConfiguration StrKey string: SUCCESS, UTF-16 \"hello world\" (st %#x)", st);

	if (read_cfg(h, "Override", NdisParameterInteger, &q) == NDIS_STATUS_SUCCESS && q)
		pr_info("ndis_config: %s value Override=%u\n", a->name,
			q->ParameterData.IntegerData);

	check_address(a, h);

	/* Forged and NULL arguments: FAILURE, each a rejected call. */
	st = read_cfg((NDIS_HANDLE)((uintptr_t)h ^ 0x100), "IntKey", NdisParameterInteger, &q);
	a->rejected++;
	CHECK(a, st == NDIS_STATUS_FAILURE && !q, "read: forged handle: FAILURE (%#x)", st);
	st = 0xdeadbeef;
	NdisReadConfiguration(&st, &q, h, NULL, NdisParameterInteger);
	a->rejected++;
	CHECK(a, st == NDIS_STATUS_FAILURE && !q, "read: NULL Keyword: FAILURE (%#x)", st);

	/* Everything read stays valid until the close. */
	CHECK(a, p && p->ParameterData.StringData.Buffer[0] == 'h',
	      "the string is still there after more reads");
	NdisCloseConfiguration(h);
	st = read_cfg(h, "IntKey", NdisParameterInteger, &q);
	a->rejected++;
	CHECK(a, st == NDIS_STATUS_FAILURE && !q, "read: closed handle: FAILURE (%#x)", st);
	NdisCloseConfiguration(h);
	a->rejected++;
	NdisCloseConfiguration((NDIS_HANDLE)0x1234);
	a->rejected++;

	/* A second configuration, left open on purpose with a result in it:
	 * the shim closes it after MiniportHaltEx. */
	h2 = open_cfg(a);
	if (h2)
		read_int(a, h2, "IntKey", NdisParameterInteger, 42);
}

static void check_error_log_and_time(struct cfg_adapter *a)
{
	LARGE_INTEGER t;
	s64 want;

	NdisWriteErrorLogEntry(a->handle, NDIS_ERROR_CODE_HARDWARE_FAILURE, 3, 1, 2, 3);
	NdisWriteErrorLogEntry(a->handle, NDIS_ERROR_CODE_TIMEOUT, 0);
	/* 20 values given, the shim reads its cap (16). */
	NdisWriteErrorLogEntry(a->handle, NDIS_ERROR_CODE_DRIVER_FAILURE, 20,
			       1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
			       17, 18, 19, 20);
	NdisWriteErrorLogEntry((NDIS_HANDLE)0x1, NDIS_ERROR_CODE_DRIVER_FAILURE, 1, 7);
	a->rejected++;
	CHECK(a, true, "NdisWriteErrorLogEntry: 3 entries, 1 forged handle");

	t.QuadPart = 0;
	NdisGetCurrentSystemTime(&t);
	want = ktime_get_real_ns() / 100 + 116444736000000000LL;
	CHECK(a, t.QuadPart > 116444736000000000LL && t.QuadPart <= want &&
	      want - t.QuadPart < 10000000LL,
	      "NdisGetCurrentSystemTime: 100 ns since 1601, within 1 s of ktime_get_real (%lld vs %lld)",
	      t.QuadPart, want);
	NdisGetCurrentSystemTime(NULL);
	a->rejected++;
}

NDIS_STATUS CfgInitialize(NDIS_HANDLE AdapterHandle, NDIS_HANDLE DriverContext,
			  PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
	struct cfg_adapter *a;
	struct pci_dev *pdev;
	NDIS_STATUS st;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return NDIS_STATUS_RESOURCES;
	a->handle = AdapterHandle;
	pdev = NdisLinuxGetPciDevice(AdapterHandle);
	a->name = pdev ? pci_name(pdev) : "?";

	NdisZeroMemory(&ra, sizeof(ra));
	ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.MiniportAdapterContext = (NDIS_HANDLE)a;
	ra.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE;
	ra.InterfaceType = NdisInterfacePci;
	st = NdisMSetMiniportAttributes(AdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
	if (st != NDIS_STATUS_SUCCESS) {
		kfree(a);
		return st;
	}
	check_config(a);
	if (mode == 0)
		check_error_log_and_time(a);
	pr_info("ndis_config: %s checks %u failed %d rejected %u\n", a->name, a->n,
		a->failed, a->rejected);
	return NDIS_STATUS_SUCCESS;
}

VOID CfgHalt(NDIS_HANDLE Ctx, NDIS_HALT_ACTION HaltAction)
{
	kfree(Ctx);
}

VOID CfgUnload(PDRIVER_OBJECT DriverObject)
{
	NdisMDeregisterMiniportDriver(cfg_driver_handle);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;

	NdisZeroMemory(&c, sizeof(c));
	c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
	c.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
	c.MajorDriverVersion = 1;
	c.InitializeHandlerEx = CfgInitialize;
	c.HaltHandlerEx = CfgHalt;
	c.UnloadHandler = CfgUnload;
	return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c,
					   &cfg_driver_handle);
}

static const struct pci_device_id ndis_config_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(ndis_config, ndis_config_ids, DriverEntry, 32, NULL);

MODULE_DESCRIPTION("ndis-shim selftest: configuration, error log, system time");
MODULE_LICENSE("GPL");
