/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every entry point ndis_shim.ko exports, once: X(name) for each.
 *
 * rust/exports.c exports each with EXPORT_SYMBOL_GPL; rust/abi/bindgen.h
 * gives each a function-pointer type from its prototype in ndis.h or
 * ndis_linux.h, and tools/gen-abi.sh turns the list into the checks in
 * rust/abi/prototypes.rs that the Rust definition in rust/exports.rs has
 * exactly that type. An entry here without a Rust definition, or with one
 * of another signature, does not build.
 *
 * DbgPrint and DbgPrintEx are not listed: they are C-variadic, which
 * kernel Rust cannot define, so rust/dbgprint.c defines and exports them;
 * NdisWriteErrorLogEntry neither, for the same reason (rust/error_log.c).
 */
#ifndef _NDIS_SHIM_EXPORTS_H
#define _NDIS_SHIM_EXPORTS_H

#define NDIS_SHIM_EXPORTS(X) \
	X(NdisGetVersion) \
	/* Module glue (ndis_linux.h) */ \
	X(NdisLinuxDriverLoad) \
	X(NdisLinuxDriverUnload) \
	X(NdisLinuxPciProbe) \
	X(NdisLinuxPciRemove) \
	X(NdisLinuxGetPciDevice) \
	/* Miniport driver and adapter */ \
	X(NdisMRegisterMiniportDriver) \
	X(NdisMDeregisterMiniportDriver) \
	X(NdisMSetMiniportAttributes) \
	X(NdisMGetBusData) \
	X(NdisMSetBusData) \
	X(NdisMMapIoSpace) \
	X(NdisMUnmapIoSpace) \
	X(NdisMRegisterInterruptEx) \
	X(NdisMDeregisterInterruptEx) \
	/* Timer objects and interrupt synchronization (rust/timer.rs) */ \
	X(NdisMSynchronizeWithInterruptEx) \
	X(NdisAllocateTimerObject) \
	X(NdisSetTimerObject) \
	X(NdisCancelTimerObject) \
	X(NdisFreeTimerObject) \
	/* Memory, MDLs, time */ \
	X(NdisAllocateMemoryWithTagPriority) \
	X(NdisFreeMemory) \
	X(NdisAllocateMdl) \
	X(NdisFreeMdl) \
	X(NdisAllocateMemoryWithTag) \
	X(NdisAllocateMemory) \
	X(NdisAllocateBufferPool) \
	X(NdisFreeBufferPool) \
	X(NdisAllocateBuffer) \
	/* NDIS 5 packets (rust/packet_pool.rs) */ \
	X(NdisAllocatePacketPool) \
	X(NdisAllocatePacketPoolEx) \
	X(NdisFreePacketPool) \
	X(NdisPacketPoolUsage) \
	X(NdisAllocatePacket) \
	X(NdisDprAllocatePacket) \
	X(NdisDprAllocatePacketNonInterlocked) \
	X(NdisFreePacket) \
	X(NdisDprFreePacket) \
	X(NdisDprFreePacketNonInterlocked) \
	X(NdisUnchainBufferAtFront) \
	X(NdisUnchainBufferAtBack) \
	X(NdisCopyFromPacketToPacket) \
	X(NdisCopyFromPacketToPacketSafe) \
	X(NdisStallExecution) \
	/* NET_BUFFER_LIST and NET_BUFFER pools */ \
	X(NdisAllocateNetBufferListPool) \
	X(NdisFreeNetBufferListPool) \
	X(NdisAllocateNetBufferList) \
	X(NdisAllocateNetBufferAndNetBufferList) \
	X(NdisFreeNetBufferList) \
	X(NdisAllocateNetBufferPool) \
	X(NdisFreeNetBufferPool) \
	X(NdisAllocateNetBuffer) \
	X(NdisFreeNetBuffer) \
	X(NdisGetPoolFromNetBufferList) \
	X(NdisGetPoolFromNetBuffer) \
	X(NdisRetreatNetBufferDataStart) \
	X(NdisAdvanceNetBufferDataStart) \
	X(NdisGetDataBuffer) \
	X(NdisMSleep) \
	/* Configuration, system time (rust/configuration.rs; NdisWriteErrorLogEntry: rust/error_log.c) */ \
	X(NdisOpenConfigurationEx) \
	X(NdisReadConfiguration) \
	X(NdisReadNetworkAddress) \
	X(NdisCloseConfiguration) \
	X(NdisGetCurrentSystemTime) \
	/* System DMA */ \
	X(NdisMRegisterDmaChannel) \
	X(NdisMDeregisterDmaChannel) \
	X(NdisSetupDmaTransfer) \
	X(NdisCompleteDmaTransfer) \
	X(NdisMReadDmaCounter) \
	/* NDIS 5.x registration and map registers */ \
	X(NdisMInitializeWrapper) \
	X(NdisMRegisterMiniport) \
	X(NdisTerminateWrapper) \
	X(NdisMSetAttributesEx) \
	X(NdisMQueryAdapterResources) \
	X(NdisMAllocateMapRegisters) \
	X(NdisMFreeMapRegisters) \
	X(NdisMStartBufferPhysicalMapping) \
	X(NdisMCompleteBufferPhysicalMapping) \
	/* Bus-master DMA: shared memory and alignment */ \
	X(NdisMAllocateSharedMemory) \
	X(NdisMFreeSharedMemory) \
	X(NdisMAllocateSharedMemoryAsyncEx) \
	X(NdisMAllocateSharedMemoryAsync) \
	X(NdisUpdateSharedMemory) \
	X(NdisMGetDmaAlignment) \
	X(NdisGetSharedDataAlignment) \
	/* NDIS 6 scatter-gather DMA */ \
	X(NdisMRegisterScatterGatherDma) \
	X(NdisMDeregisterScatterGatherDma) \
	X(NdisMAllocateNetBufferSGList) \
	X(NdisMFreeNetBufferSGList) \
	X(NdisQueryNetBufferPhysicalCount) \
	/* NDIS 6 network data path (rust/net_device.rs) */ \
	X(NdisMSendNetBufferListsComplete) \
	X(NdisMIndicateReceiveNetBufferLists) \
	X(NdisMOidRequestComplete) \
	X(NdisMIndicateStatusEx) \
	X(NdisMPauseComplete) \
	X(NdisMRestartComplete) \
	X(NdisMResetComplete) \
	/* I/O work items (rust/io_work_item.rs) */ \
	X(NdisAllocateIoWorkItem) \
	X(NdisQueueIoWorkItem) \
	X(NdisFreeIoWorkItem) \
	/* NDIS 5 interrupts, ports, PCI slot, timers, events, shutdown, \
	 * configuration (issue 14) */ \
	X(NdisLinuxPciShutdown) \
	X(NdisMRegisterInterrupt) \
	X(NdisMDeregisterInterrupt) \
	X(NdisMSynchronizeWithInterrupt) \
	X(NdisMRegisterIoPortRange) \
	X(NdisMDeregisterIoPortRange) \
	X(NdisReadPciSlotInformation) \
	X(NdisWritePciSlotInformation) \
	X(NdisMInitializeTimer) \
	X(NdisMSetTimer) \
	X(NdisMSetPeriodicTimer) \
	X(NdisMCancelTimer) \
	X(NdisInitializeTimer) \
	X(NdisSetTimer) \
	X(NdisCancelTimer) \
	X(NdisInitializeEvent) \
	X(NdisSetEvent) \
	X(NdisResetEvent) \
	X(NdisWaitEvent) \
	X(NdisMRegisterAdapterShutdownHandler) \
	X(NdisMDeregisterAdapterShutdownHandler) \
	X(NdisOpenConfiguration) \
	/* NDIS 5 data path (rust/ndis5_nic.rs) */ \
	X(NdisMSendComplete) \
	X(NdisMSendResourcesAvailable) \
	X(NdisGeneratePartialCancelId) \
	X(NdisMEthIndicateReceive) \
	X(NdisMEthIndicateReceiveComplete) \
	X(NdisMTransferDataComplete) \
	X(NdisMIndicateReceivePacket) \
	X(NdisMQueryInformationComplete) \
	X(NdisMSetInformationComplete) \
	X(NdisMIndicateStatus) \
	X(NdisMIndicateStatusComplete) \
	X(NdisMInitializeScatterGatherDma) \
	/* NDIS 5 support calls (rust/ndis5_support.rs) */ \
	X(RtlEqualUnicodeString) \
	X(NdisAnsiStringToUnicodeString) \
	X(NdisUnicodeStringToAnsiString) \
	X(NdisScheduleWorkItem) \
	X(NdisImmediateReadPciSlotInformation) \
	X(NdisImmediateWritePciSlotInformation) \
	X(NdisMPciAssignResources) \
	X(NdisMGetDeviceProperty) \
	X(NdisQueryPendingIOCount) \
	X(NdisGetSystemUpTime) \
	X(NdisSystemProcessorCount) \
	X(NdisGetCurrentProcessorCpuUsage) \
	X(NdisPacketSize) \
	X(NdisSetPacketPoolProtocolId) \
	/* end */

#endif /* _NDIS_SHIM_EXPORTS_H */
