// SPDX-License-Identifier: GPL-2.0
/*
 * NdisWriteErrorLogEntry, C-variadic like DbgPrint (rust/dbgprint.c says
 * why such an entry point is C): it reads the ULONG error values here and
 * hands them to the shim's Rust side (ndis_shim_error_log in
 * rust/exports.rs), which finds the adapter, counts the entry and logs one
 * rate-limited line. Windows writes the entry to the system event log; the
 * kernel log is Linux's.
 *
 * At most NDIS_SHIM_ERROR_LOG_VALUES values are read: Windows bounds an
 * error log packet too (ERROR_LOG_MAXIMUM_SIZE), and a caller's count is
 * not trusted to read that many arguments. The count the caller gave is
 * logged as given. Callable at IRQL <= DISPATCH_LEVEL, as on Windows:
 * nothing here sleeps or allocates.
 */
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/stdarg.h>

#include <ndis.h>

/* The most error values read (and logged) per entry. */
#define NDIS_SHIM_ERROR_LOG_VALUES 16

void ndis_shim_error_log(NDIS_HANDLE adapter, NDIS_ERROR_CODE code, ULONG count,
			 const ULONG *values, ULONG read);

VOID NdisWriteErrorLogEntry(NDIS_HANDLE NdisAdapterHandle,
			    NDIS_ERROR_CODE ErrorCode,
			    ULONG NumberOfErrorValues, ...)
{
	ULONG values[NDIS_SHIM_ERROR_LOG_VALUES];
	ULONG n = min_t(ULONG, NumberOfErrorValues, NDIS_SHIM_ERROR_LOG_VALUES);
	va_list ap;
	ULONG i;

	va_start(ap, NumberOfErrorValues);
	for (i = 0; i < n; i++)
		values[i] = va_arg(ap, ULONG);
	va_end(ap);
	ndis_shim_error_log(NdisAdapterHandle, ErrorCode, NumberOfErrorValues,
			    values, n);
}
EXPORT_SYMBOL_GPL(NdisWriteErrorLogEntry);
