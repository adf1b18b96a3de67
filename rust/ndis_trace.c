// SPDX-License-Identifier: GPL-2.0
/*
 * The shim's trace events (ndis_trace.h), and the one call per event
 * the Rust side makes once it has seen the event's static key on
 * (rust/trace.rs): a disabled event costs a patched-out jump in Rust, no
 * call.
 */
#define CREATE_TRACE_POINTS
#include "ndis_trace.h"

void ndis_shim_trace_call(const char *call, u64 handle, u32 status);
void ndis_shim_trace_void_call(const char *call, u64 handle);
void ndis_shim_trace_dma_setup(u64 handle, u32 offset, u32 length, bool to_device,
			       u64 bus_address, bool bounced, u32 status);
void ndis_shim_trace_dma_complete(u64 handle, u32 offset, u32 length, bool to_device,
				  u32 status);
void ndis_shim_trace_net(const char *what, u64 adapter, u32 count, u32 code, u32 status);

void ndis_shim_trace_call(const char *call, u64 handle, u32 status)
{
	trace_ndis_call(call, handle, status);
}

void ndis_shim_trace_void_call(const char *call, u64 handle)
{
	trace_ndis_void_call(call, handle);
}

void ndis_shim_trace_dma_setup(u64 handle, u32 offset, u32 length, bool to_device,
			       u64 bus_address, bool bounced, u32 status)
{
	trace_ndis_dma_setup(handle, offset, length, to_device, bus_address, bounced, status);
}

void ndis_shim_trace_dma_complete(u64 handle, u32 offset, u32 length, bool to_device,
				  u32 status)
{
	trace_ndis_dma_complete(handle, offset, length, to_device, status);
}

void ndis_shim_trace_net(const char *what, u64 adapter, u32 count, u32 code, u32 status)
{
	trace_ndis_net(what, adapter, count, code, status);
}
