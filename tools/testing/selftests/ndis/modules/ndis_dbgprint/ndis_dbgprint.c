// SPDX-License-Identifier: GPL-2.0
/*
 * ndis_dbgprint - on load, prints one line per DbgPrint conversion the way a
 * Windows miniport writes it ("%lx" of a ULONG, "%wZ" of a UNICODE_STRING,
 * ...). Each line is "ndis: Tnn <text>"; tests/02-dbgprint.sh holds the
 * text Windows' rules give for each and compares it with the kernel log.
 * The arguments are chosen so that Linux's rules would print something
 * else: a LONG of -5 read as 64 bits is 4294967291, a ULONGLONG read as 32
 * bits loses its high half, and each is followed by another argument that
 * a wrong width would shift.
 *
 * Built as a checked build (DBG=1) so that KdPrint prints. The kernel
 * builds with -fshort-wchar, so L"" literals are UTF-16, as on Windows.
 */
#define DBG 1
#define NDIS_MINIPORT_DRIVER
#define NDIS51_MINIPORT

#include <linux/module.h>
#include <linux/string.h>

#include <ndis.h>

static WCHAR CountedBuffer[] = L"countedXYZ";
static UNICODE_STRING Counted = {
	.Length = 5 * sizeof(WCHAR),	/* "count": the rest is not printed */
	.MaximumLength = sizeof(CountedBuffer),
	.Buffer = CountedBuffer,
};
static CHAR AnsiBuffer[] = "ansiXYZ";
static ANSI_STRING Ansi = {
	.Length = 4,
	.MaximumLength = sizeof(AnsiBuffer),
	.Buffer = AnsiBuffer,
};
/* U+00E9, U+20AC and U+1F600 (a surrogate pair), then a lone surrogate. */
static WCHAR NonAscii[] = { 0x00e9, 0x20ac, 0xd83d, 0xde00, 0xd800, 'x', 0 };
static CHAR Long[600];

static int __init ndis_dbgprint_init(void)
{
	static int object;
	ULONG status;

	DbgPrint("T01 %lx|%lx\n", (ULONG)0xdeadbeef, (ULONG)0x1234);
	DbgPrint("T02 %ld|%ld\n", (LONG)-5, (LONG)7);
	DbgPrint("T03 %lu|%u\n", (ULONG)4000000000u, (UINT)3);
	DbgPrint("T04 %I64x|%lx\n", (ULONGLONG)0x123456789abcdef0ull, (ULONG)0xab);
	DbgPrint("T05 %I64d|%ld\n", (LONGLONG)-1234567890123ll, (LONG)-1);
	DbgPrint("T06 %llu|%llx\n", (ULONGLONG)18446744073709551615ull,
		 (ULONGLONG)0xfedcba9876543210ull);
	DbgPrint("T07 %Iu|%Ix\n", (SIZE_T)0x100000000ull, (ULONG_PTR)0xffffffffffull);
	DbgPrint("T08 %Id|%lu\n", (LONG_PTR)-2, (ULONG)8);
	DbgPrint("T09 %I32x|%I32d\n", (ULONG)0xcafe, (LONG)-9);
	DbgPrint("T10 %hd|%hu|%hx\n", 0x12345, 0xffff1, 0x1abcd);
	DbgPrint("T11 %hhd|%hhx\n", 0x1ff, 0x1ab);
	DbgPrint("T12 %ws|%lu\n", L"wide str", (ULONG)12);
	DbgPrint("T13 %S|%ls\n", L"upper S", L"ell s");
	DbgPrint("T14 %wZ|%lu\n", &Counted, (ULONG)14);
	DbgPrint("T15 %Z|%lu\n", &Ansi, (ULONG)15);
	DbgPrint("T16 %C|%wc|%lc|%c|%hc|%hC\n", (WCHAR)L'W', (WCHAR)L'x',
		 (WCHAR)L'y', 'a', 'b', 'c');
	DbgPrint("T17 %s|%hs|%hS\n", "narrow", "h narrow", "hS narrow");
	DbgPrint("T18 [%8lx][%-8lx][%08lX]\n", (ULONG)0xbeef, (ULONG)0xbeef,
		 (ULONG)0xbeef);
	DbgPrint("T19 [%#lx][%#lx][%#o][%#X]\n", (ULONG)0xbeef, (ULONG)0, 8u, 0xabu);
	DbgPrint("T20 [%+ld][% ld][%.3ld][%.0ld]\n", (LONG)5, (LONG)5, (LONG)7,
		 (LONG)0);
	DbgPrint("T21 [%*ld][%-*ld][%.*ws]\n", 4, (LONG)42, 4, (LONG)42, 3,
		 L"precision");
	DbgPrint("T22 [%10ws][%-6S][%.2Z]\n", L"right", L"left", &Ansi);
	DbgPrint("T23 %ws|%s|%wZ|%Z\n", (PCWSTR)NULL, (PCSTR)NULL,
		 (PUNICODE_STRING)NULL, (PANSI_STRING)NULL);
	DbgPrint("T24 %ws\n", NonAscii);
	DbgPrint("T25 100%%|%lu\n", (ULONG)25);
	DbgPrint("T26 %p\n", &object);
	pr_info("ndis_dbgprint: T26 raw %px\n", &object);
	DbgPrint("T27 %f|%lu|%q\n", (ULONG)27);
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL, "T28 error %lu\n", (ULONG)28);
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_WARNING_LEVEL, "T29 warning\n");
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_TRACE_LEVEL, "T30 trace\n");
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL, "T31 info\n");
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, 5, "T32 level five\n");
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_MASK | 0x6, "T33 mask warning\n");
	DbgPrint(KERN_ERR "T34 kern err\n");
	memset(Long, 'x', sizeof(Long) - 1);
	DbgPrint("T35 %s", Long);
	KdPrint(("T36 kd %lx|%ld\n", (ULONG)0x36, (LONG)-36));
	KdPrintEx((DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL, "T37 kdex %ws\n", L"w"));
	status = DbgPrint("T38 returns\n");
	pr_info("ndis_dbgprint: T38 status %u\n", status);
	pr_info("ndis_dbgprint: done\n");
	return 0;
}

static void __exit ndis_dbgprint_exit(void)
{
}

module_init(ndis_dbgprint_init);
module_exit(ndis_dbgprint_exit);
MODULE_DESCRIPTION("ndis-shim selftest: DbgPrint with Windows format strings");
MODULE_LICENSE("GPL");
