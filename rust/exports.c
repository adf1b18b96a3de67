// SPDX-License-Identifier: GPL-2.0
/*
 * Export table of the ABI edge. The entry points are defined in Rust
 * (rust/exports.rs); including the headers here makes the C compiler check
 * that each exported symbol is declared with the prototype miniports see.
 */
#include <linux/export.h>
#include <ndis.h>
#include <ndis_linux.h>

EXPORT_SYMBOL_GPL(NdisGetVersion);

/* Module glue (ndis_linux.h) */
EXPORT_SYMBOL_GPL(NdisLinuxDriverLoad);
EXPORT_SYMBOL_GPL(NdisLinuxDriverUnload);
EXPORT_SYMBOL_GPL(NdisLinuxPciProbe);
EXPORT_SYMBOL_GPL(NdisLinuxPciRemove);

/* Miniport driver and adapter */
EXPORT_SYMBOL_GPL(NdisMRegisterMiniportDriver);
EXPORT_SYMBOL_GPL(NdisMDeregisterMiniportDriver);
EXPORT_SYMBOL_GPL(NdisMSetMiniportAttributes);
EXPORT_SYMBOL_GPL(NdisMGetBusData);
EXPORT_SYMBOL_GPL(NdisMSetBusData);
EXPORT_SYMBOL_GPL(NdisMMapIoSpace);
EXPORT_SYMBOL_GPL(NdisMUnmapIoSpace);
EXPORT_SYMBOL_GPL(NdisMRegisterInterruptEx);
EXPORT_SYMBOL_GPL(NdisMDeregisterInterruptEx);

/* Memory, MDLs, time */
EXPORT_SYMBOL_GPL(NdisAllocateMemoryWithTagPriority);
EXPORT_SYMBOL_GPL(NdisFreeMemory);
EXPORT_SYMBOL_GPL(NdisAllocateMdl);
EXPORT_SYMBOL_GPL(NdisFreeMdl);
EXPORT_SYMBOL_GPL(NdisStallExecution);
EXPORT_SYMBOL_GPL(NdisMSleep);

/* System DMA */
EXPORT_SYMBOL_GPL(NdisMRegisterDmaChannel);
EXPORT_SYMBOL_GPL(NdisMDeregisterDmaChannel);
EXPORT_SYMBOL_GPL(NdisSetupDmaTransfer);
EXPORT_SYMBOL_GPL(NdisCompleteDmaTransfer);
EXPORT_SYMBOL_GPL(NdisMReadDmaCounter);

/* NDIS 5.x registration and map registers */
EXPORT_SYMBOL_GPL(NdisMInitializeWrapper);
EXPORT_SYMBOL_GPL(NdisMRegisterMiniport);
EXPORT_SYMBOL_GPL(NdisTerminateWrapper);
EXPORT_SYMBOL_GPL(NdisMSetAttributesEx);
EXPORT_SYMBOL_GPL(NdisMQueryAdapterResources);
EXPORT_SYMBOL_GPL(NdisMAllocateMapRegisters);
EXPORT_SYMBOL_GPL(NdisMFreeMapRegisters);
EXPORT_SYMBOL_GPL(NdisMStartBufferPhysicalMapping);
EXPORT_SYMBOL_GPL(NdisMCompleteBufferPhysicalMapping);
/* Bus-master DMA: shared memory and alignment */
EXPORT_SYMBOL_GPL(NdisMAllocateSharedMemory);
EXPORT_SYMBOL_GPL(NdisMFreeSharedMemory);
EXPORT_SYMBOL_GPL(NdisMAllocateSharedMemoryAsyncEx);
EXPORT_SYMBOL_GPL(NdisUpdateSharedMemory);
EXPORT_SYMBOL_GPL(NdisMGetDmaAlignment);
EXPORT_SYMBOL_GPL(NdisGetSharedDataAlignment);
/* NDIS 6 scatter-gather DMA */
EXPORT_SYMBOL_GPL(NdisMRegisterScatterGatherDma);
EXPORT_SYMBOL_GPL(NdisMDeregisterScatterGatherDma);
EXPORT_SYMBOL_GPL(NdisMAllocateNetBufferSGList);
EXPORT_SYMBOL_GPL(NdisMFreeNetBufferSGList);
