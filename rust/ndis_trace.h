/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shim's trace events (trace system ndis_shim): defined in
 * ndis_trace.c, emitted from Rust (rust/trace.rs), which tests each
 * event's static key before calling in.  No kernel pointer is recorded:
 * handles are the shim's own numbers, buffers are named by offset and
 * length.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ndis_shim

#if !defined(_NDIS_SHIM_NDIS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _NDIS_SHIM_NDIS_TRACE_H

#include <linux/tracepoint.h>

/* An NDIS entry point that returns a status: its name, handle, status. */
TRACE_EVENT(ndis_call,
	TP_PROTO(const char *call, u64 handle, u32 status),
	TP_ARGS(call, handle, status),
	TP_STRUCT__entry(
		__string(call, call)
		__field(u64, handle)
		__field(u32, status)
	),
	TP_fast_assign(
		__assign_str(call);
		__entry->handle = handle;
		__entry->status = status;
	),
	TP_printk("%s handle=%#llx status=%#010x",
		  __get_str(call), __entry->handle, __entry->status)
);

/*
 * An NDIS entry point that returns nothing: its name and handle.  Not
 * ndis_call with a marker status: any u32 is a possible NDIS_STATUS, and a
 * filter on ndis_call's status (status != 0: the failures) stays exact.
 */
TRACE_EVENT(ndis_void_call,
	TP_PROTO(const char *call, u64 handle),
	TP_ARGS(call, handle),
	TP_STRUCT__entry(
		__string(call, call)
		__field(u64, handle)
	),
	TP_fast_assign(
		__assign_str(call);
		__entry->handle = handle;
	),
	TP_printk("%s handle=%#llx", __get_str(call), __entry->handle)
);

/* NdisMSetupDmaTransfer: the transfer asked for, the mapping made. */
TRACE_EVENT(ndis_dma_setup,
	TP_PROTO(u64 handle, u32 offset, u32 length, bool to_device, u64 bus_address,
		 bool bounced, u32 status),
	TP_ARGS(handle, offset, length, to_device, bus_address, bounced, status),
	TP_STRUCT__entry(
		__field(u64, handle)
		__field(u32, offset)
		__field(u32, length)
		__field(bool, to_device)
		__field(u64, bus_address)
		__field(bool, bounced)
		__field(u32, status)
	),
	TP_fast_assign(
		__entry->handle = handle;
		__entry->offset = offset;
		__entry->length = length;
		__entry->to_device = to_device;
		__entry->bus_address = bus_address;
		__entry->bounced = bounced;
		__entry->status = status;
	),
	TP_printk("handle=%#llx offset=%u length=%u to_device=%d bus_address=%#llx bounced=%d status=%#010x",
		  __entry->handle, __entry->offset, __entry->length, __entry->to_device,
		  __entry->bus_address, __entry->bounced, __entry->status)
);

/* NdisMCompleteDmaTransfer: the arguments and the status reported. */
TRACE_EVENT(ndis_dma_complete,
	TP_PROTO(u64 handle, u32 offset, u32 length, bool to_device, u32 status),
	TP_ARGS(handle, offset, length, to_device, status),
	TP_STRUCT__entry(
		__field(u64, handle)
		__field(u32, offset)
		__field(u32, length)
		__field(bool, to_device)
		__field(u32, status)
	),
	TP_fast_assign(
		__entry->handle = handle;
		__entry->offset = offset;
		__entry->length = length;
		__entry->to_device = to_device;
		__entry->status = status;
	),
	TP_printk("handle=%#llx offset=%u length=%u to_device=%d status=%#010x",
		  __entry->handle, __entry->offset, __entry->length, __entry->to_device,
		  __entry->status)
);

/*
 * The network path, per adapter (the adapter handle): a send handed to
 * MiniportSendNetBufferLists, its completion, a receive indication, an
 * OID request's completion and a status indication.
 */
TRACE_EVENT(ndis_net,
	TP_PROTO(const char *what, u64 adapter, u32 count, u32 code, u32 status),
	TP_ARGS(what, adapter, count, code, status),
	TP_STRUCT__entry(
		__string(what, what)
		__field(u64, adapter)
		__field(u32, count)
		__field(u32, code)
		__field(u32, status)
	),
	TP_fast_assign(
		__assign_str(what);
		__entry->adapter = adapter;
		__entry->count = count;
		__entry->code = code;
		__entry->status = status;
	),
	TP_printk("%s adapter=%#llx count=%u code=%#x status=%#010x",
		  __get_str(what), __entry->adapter, __entry->count, __entry->code,
		  __entry->status)
);

#endif /* _NDIS_SHIM_NDIS_TRACE_H */

/* Out of the kernel tree: define_trace.h finds this file through -I. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ndis_trace
#include <trace/define_trace.h>
