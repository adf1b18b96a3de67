// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    sg.c

Abstract:

    The bus-master half of the edu miniport, written as for Windows: the
    adapter registers for NDIS 6 scatter-gather DMA in MiniportInitializeEx,
    and a NET_BUFFER is moved by asking NDIS for its SCATTER_GATHER_LIST
    (NdisMAllocateNetBufferSGList) and programming edu's engine with each
    element in turn, as a NIC's send path programs its descriptors.

    edu's engine copies between host memory and its own 4 KiB buffer, so
    the elements of one list go to (or come from) consecutive offsets of
    that buffer: a NET_BUFFER of up to 4 KiB (MaximumPhysicalMapping).

    As NDIS documents, a list starts at the beginning of the NET_BUFFER's
    CurrentMdl: the first NET_BUFFER_CURRENT_MDL_OFFSET bytes it describes
    are not data, and the send path skips them.

Environment:

    Kernel mode.  Built against ndis-shim's ndis.h.

--*/

#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <ndis.h>
#include "edu.h"

/* One element: ~100 ms of virtual time under TCG; be generous. */
#define EDU_SG_ELEMENT_TIMEOUT_MS 5000

MINIPORT_PROCESS_SG_LIST EduProcessSGList;

/*
 * May run before NdisMAllocateNetBufferSGList returns (it does on the
 * shim), so it only records the list; the caller programs the engine.
 * NDIS calls it at DISPATCH_LEVEL (MINIPORT_PROCESS_SG_LIST page): where
 * a Windows driver would ASSERT that, this one counts it.
 */
VOID
EduProcessSGList(
	_In_ PDEVICE_OBJECT pDO,
	_In_ PVOID Reserved,
	_In_ PSCATTER_GATHER_LIST pSGL,
	_In_ PVOID Context)
{
	PEDU_SG_REQUEST Request = (PEDU_SG_REQUEST)Context;

	UNREFERENCED_PARAMETER(pDO);
	UNREFERENCED_PARAMETER(Reserved);
	Request->List = pSGL;
	Request->Calls++;
	if (EduPlatformAtDispatch())
		Request->CallsAtDispatch++;
}

static VOID
EduSgDescribe(
	_Out_ PNDIS_SG_DMA_DESCRIPTION Desc)
{
	NdisZeroMemory(Desc, sizeof(*Desc));
	Desc->Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	Desc->Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
	Desc->Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
	/* 32-bit addresses; NDIS narrows that to edu's 28 bits. */
	Desc->Flags = 0;
	Desc->MaximumPhysicalMapping = EDU_BUFFER_SIZE;
	Desc->ProcessSGListHandler = EduProcessSGList;
	Desc->SharedMemAllocateCompleteHandler = EduSharedMemAllocateComplete;
}

NDIS_STATUS
EduSgRegister(
	_In_ PEDU_ADAPTER Adapter)
{
	NDIS_SG_DMA_DESCRIPTION Desc;
	NDIS_STATUS Status;

	EduSgDescribe(&Desc);
	Status = NdisMRegisterScatterGatherDma(Adapter->MiniportAdapterHandle, &Desc,
					       &Adapter->SgDmaHandle);
	if (Status == NDIS_STATUS_SUCCESS)
		Adapter->SgListSize = Desc.ScatterGatherListSize;
	return Status;
}

VOID
EduSgDeregister(
	_In_ PEDU_ADAPTER Adapter)
{
	if (Adapter->SgDmaHandle != NULL)
		NdisMDeregisterScatterGatherDma(Adapter->SgDmaHandle);
	Adapter->SgDmaHandle = NULL;
}

/* Whether edu's engine is still moving data. */
static BOOLEAN
EduSgEngineBusy(
	_In_ PEDU_ADAPTER Adapter)
{
	ULONG Cmd;

	NdisReadRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_DMA_CMD), &Cmd);
	return (Cmd & EDU_DMA_CMD_RUN) != 0;
}

/* Waits (PASSIVE_LEVEL) until the engine is idle; FALSE on a timeout. */
static BOOLEAN
EduSgWaitIdle(
	_In_ PEDU_ADAPTER Adapter)
{
	ULONG Waited;

	for (Waited = 0; EduSgEngineBusy(Adapter); Waited++) {
		if (Waited >= EDU_SG_ELEMENT_TIMEOUT_MS)
			return FALSE;
		NdisMSleep(1000);
	}
	return TRUE;
}

/* One element through the engine, polled: no interrupt is asked for. */
static NDIS_STATUS
EduSgMoveElement(
	_In_ PEDU_ADAPTER Adapter,
	_In_ PSCATTER_GATHER_ELEMENT Element,
	_In_ ULONG DeviceOffset,
	_In_ BOOLEAN WriteToDevice)
{
	ULONG64 Host = (ULONG64)Element->Address.QuadPart;
	ULONG64 Device = EDU_BUFFER_DEVICE_ADDRESS + DeviceOffset;
	PUCHAR Regs = Adapter->RegisterBase;

	/* A 4-byte write zero-extends: enough for edu's 28-bit reach. */
	if (Host + Element->Length - 1 > 0xFFFFFFFFULL)
		return NDIS_STATUS_RESOURCES;
	if (!EduSgWaitIdle(Adapter))
		return NDIS_STATUS_REQUEST_ABORTED;
	NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_SRC),
			       (ULONG)(WriteToDevice ? Host : Device));
	NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_DST),
			       (ULONG)(WriteToDevice ? Device : Host));
	NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_CNT), Element->Length);
	NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_CMD),
			       EDU_DMA_CMD_RUN |
			       (WriteToDevice ? 0 : EDU_DMA_CMD_FROM_DEVICE));
	return EduSgWaitIdle(Adapter) ? NDIS_STATUS_SUCCESS : NDIS_STATUS_REQUEST_ABORTED;
}

/*
 * Moves a NET_BUFFER's data, as List describes it, to or from edu's buffer
 * at DeviceOffset on: the first CurrentMdlOffset bytes of the list are
 * skipped, then DataLength bytes are moved element by element.
 */
static NDIS_STATUS
EduSgMoveList(
	_In_ PEDU_ADAPTER Adapter,
	_In_ PNET_BUFFER NetBuffer,
	_In_ PSCATTER_GATHER_LIST List,
	_In_ ULONG DeviceOffset,
	_In_ BOOLEAN WriteToDevice,
	_Out_ PULONG Moved)
{
	ULONG Skip = NET_BUFFER_CURRENT_MDL_OFFSET(NetBuffer);
	ULONG Remaining = NET_BUFFER_DATA_LENGTH(NetBuffer);
	NDIS_STATUS Status = NDIS_STATUS_SUCCESS;
	ULONG i;

	*Moved = 0;
	for (i = 0; i < List->NumberOfElements && Remaining != 0; i++) {
		SCATTER_GATHER_ELEMENT Element = List->Elements[i];

		if (Skip >= Element.Length) {
			Skip -= Element.Length;
			continue;
		}
		Element.Address.QuadPart += Skip;
		Element.Length -= Skip;
		Skip = 0;
		if (Element.Length > Remaining)
			Element.Length = Remaining;
		if (Element.Length > EDU_BUFFER_SIZE - DeviceOffset)
			return NDIS_STATUS_INVALID_LENGTH;
		Status = EduSgMoveElement(Adapter, &Element, DeviceOffset, WriteToDevice);
		if (Status != NDIS_STATUS_SUCCESS)
			return Status;
		DeviceOffset += Element.Length;
		Remaining -= Element.Length;
		(*Moved)++;
	}
	/* The list must cover the data. */
	return Remaining == 0 ? NDIS_STATUS_SUCCESS : NDIS_STATUS_INVALID_LENGTH;
}

NDIS_STATUS
EduSgTransfer(
	_In_ PEDU_ADAPTER Adapter,
	_In_ PNET_BUFFER NetBuffer,
	_In_ BOOLEAN WriteToDevice,
	_Out_ PULONG Elements,
	_Out_ PBOOLEAN OwnList,
	_Out_ PBOOLEAN AtDispatch)
{
	EDU_SG_REQUEST Request = { NULL, 0, 0 };
	PSCATTER_GATHER_LIST List;
	NDIS_STATUS Status;
	PVOID Buffer;
	ULONG Moved;

	*Elements = 0;
	*OwnList = FALSE;
	*AtDispatch = FALSE;
	/* The list's memory, as sized by ScatterGatherListSize. */
	Buffer = NdisAllocateMemoryWithTagPriority(Adapter->MiniportAdapterHandle,
						   Adapter->SgListSize, EDU_POOL_TAG,
						   NormalPoolPriority);
	if (Buffer == NULL)
		return NDIS_STATUS_RESOURCES;
	Status = NdisMAllocateNetBufferSGList(Adapter->SgDmaHandle, NetBuffer, &Request,
					      WriteToDevice ? NDIS_SG_LIST_WRITE_TO_DEVICE : 0,
					      Buffer, Adapter->SgListSize);
	if (Status != NDIS_STATUS_SUCCESS)
		goto Out;
	List = Request.List;
	if (Request.Calls != 1 || List == NULL) {
		/* Nothing to free without the list. */
		Status = NDIS_STATUS_FAILURE;
		goto Out;
	}
	*AtDispatch = Request.CallsAtDispatch == 1;
	*OwnList = (PVOID)List != Buffer;
	Status = EduSgMoveList(Adapter, NetBuffer, List, 0, WriteToDevice, &Moved);
	*Elements = Moved;
	/*
	 * An engine that never went idle may still reach the memory: keep the
	 * list mapped (NdisMDeregisterScatterGatherDma releases it at halt).
	 */
	if (Status != NDIS_STATUS_REQUEST_ABORTED)
		NdisMFreeNetBufferSGList(Adapter->SgDmaHandle, List, NetBuffer);
Out:
	NdisFreeMemory(Buffer, Adapter->SgListSize, 0);
	return Status;
}

/* Asks NDIS for the lists of Count NET_BUFFERs; Requests[i] gets list i. */
static NDIS_STATUS
EduSgAllocateRing(
	_In_ PEDU_ADAPTER Adapter,
	_In_reads_(Count) PNET_BUFFER *NetBuffers,
	_In_ ULONG Count,
	_In_ BOOLEAN WriteToDevice,
	_Out_writes_(Count) PEDU_SG_REQUEST Requests)
{
	NDIS_STATUS Status;
	ULONG i;

	for (i = 0; i < Count; i++) {
		/* No buffer: NDIS allocates each list's storage. */
		Status = NdisMAllocateNetBufferSGList(Adapter->SgDmaHandle, NetBuffers[i],
						      &Requests[i],
						      WriteToDevice ? NDIS_SG_LIST_WRITE_TO_DEVICE : 0,
						      NULL, 0);
		if (Status != NDIS_STATUS_SUCCESS)
			return Status;
		if (Requests[i].Calls != 1 || Requests[i].List == NULL)
			return NDIS_STATUS_FAILURE;
	}
	return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS
EduSgTransferRing(
	_In_ PEDU_ADAPTER Adapter,
	_In_reads_(Count) PNET_BUFFER *Sources,
	_In_reads_(Count) PNET_BUFFER *Destinations,
	_In_ ULONG Count,
	_In_ ULONG Stride,
	_Out_ PULONG Outstanding,
	_Out_ PULONG AtDispatch)
{
	PEDU_SG_REQUEST Requests;
	NDIS_STATUS Status;
	ULONG Size, i, Moved;

	*Outstanding = 0;
	*AtDispatch = 0;
	if (Count == 0 || Stride == 0 || Count > EDU_BUFFER_SIZE / Stride)
		return NDIS_STATUS_INVALID_PARAMETER;
	for (i = 0; i < Count; i++) {
		if (NET_BUFFER_DATA_LENGTH(Sources[i]) > Stride ||
		    NET_BUFFER_DATA_LENGTH(Destinations[i]) > Stride)
			return NDIS_STATUS_INVALID_LENGTH;
	}
	Size = 2 * Count * sizeof(EDU_SG_REQUEST);
	Requests = NdisAllocateMemoryWithTagPriority(Adapter->MiniportAdapterHandle, Size,
						     EDU_POOL_TAG, NormalPoolPriority);
	if (Requests == NULL)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(Requests, Size);

	/* Every source list first, then each to its slot of edu's buffer. */
	Status = EduSgAllocateRing(Adapter, Sources, Count, TRUE, Requests);
	for (i = 0; Status == NDIS_STATUS_SUCCESS && i < Count; i++)
		Status = EduSgMoveList(Adapter, Sources[i], Requests[i].List, i * Stride,
				       TRUE, &Moved);
	/* The destinations' lists with the sources' still held. */
	if (Status == NDIS_STATUS_SUCCESS)
		Status = EduSgAllocateRing(Adapter, Destinations, Count, FALSE,
					   &Requests[Count]);
	for (i = 0; Status == NDIS_STATUS_SUCCESS && i < Count; i++)
		Status = EduSgMoveList(Adapter, Destinations[i], Requests[Count + i].List,
				       i * Stride, FALSE, &Moved);

	for (i = 0; i < 2 * Count; i++) {
		if (Requests[i].List != NULL)
			(*Outstanding)++;
		*AtDispatch += Requests[i].CallsAtDispatch;
	}
	/* As in EduSgTransfer: nothing is freed under an engine still running. */
	if (Status != NDIS_STATUS_REQUEST_ABORTED) {
		for (i = 0; i < 2 * Count; i++) {
			if (Requests[i].List != NULL)
				NdisMFreeNetBufferSGList(Adapter->SgDmaHandle, Requests[i].List,
							 i < Count ? Sources[i] :
								     Destinations[i - Count]);
		}
	}
	NdisFreeMemory(Requests, Size, 0);
	return Status;
}

/* A NET_BUFFER over one MDL, as a protocol driver would hand one down. */
static VOID
EduSgInitNetBuffer(
	_Out_ PNET_BUFFER NetBuffer,
	_In_opt_ PMDL Mdl,
	_In_ ULONG DataOffset,
	_In_ ULONG DataLength)
{
	NdisZeroMemory(NetBuffer, sizeof(*NetBuffer));
	NET_BUFFER_FIRST_MDL(NetBuffer) = Mdl;
	NET_BUFFER_CURRENT_MDL(NetBuffer) = Mdl;
	NET_BUFFER_CURRENT_MDL_OFFSET(NetBuffer) = DataOffset;
	NET_BUFFER_DATA_OFFSET(NetBuffer) = DataOffset;
	NET_BUFFER_DATA_LENGTH(NetBuffer) = DataLength;
}

ULONG
EduSgRunMisuse(
	_In_ PEDU_ADAPTER Adapter,
	_Out_writes_(EDU_MISUSE_MAX_ROWS) PEDU_MISUSE_ROW Rows)
{
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES RegAttrs;
	NDIS_SG_DMA_DESCRIPTION Desc;
	EDU_SG_REQUEST Request = { NULL, 0, 0 };
	NDIS_HANDLE Handle = NULL;
	NET_BUFFER Nb;
	NDIS_STATUS Status;
	PVOID Data;
	PMDL Mdl = NULL;
	ULONG i, n = 0;
	static const struct {
		PCSTR Name;
		BOOLEAN HasMdl;
		BOOLEAN ForgedHandle;	/* the adapter's, not the SG DMA handle */
		ULONG DataOffset;
		ULONG DataLength;
	} Bad[] = {
		{ "sg-no-mdl", FALSE, FALSE, 0, 16 },
		{ "sg-offset-overflow", TRUE, FALSE, 0xFFFFFFF0, 0x20 },
		{ "sg-beyond-chain", TRUE, FALSE, 200, 57 },
		{ "sg-over-maximum", TRUE, FALSE, 0, EDU_BUFFER_SIZE + 1 },
		{ "sg-zero-length", TRUE, FALSE, 0, 0 },
		{ "sg-bad-handle", TRUE, TRUE, 0, 16 },
	};

#define EDU_SG_ROW(_Name, _Status) \
	do { \
		if (n < EDU_MISUSE_MAX_ROWS) { \
			Rows[n].Name = (_Name); \
			Rows[n].Status = (_Status); \
			n++; \
		} \
	} while (0)

	Data = NdisAllocateMemoryWithTagPriority(Adapter->MiniportAdapterHandle, 256,
						 EDU_POOL_TAG, NormalPoolPriority);
	if (Data != NULL)
		Mdl = NdisAllocateMdl(Adapter->MiniportAdapterHandle, Data, 256);
	if (Mdl == NULL) {
		EDU_SG_ROW("sg-alloc", NDIS_STATUS_RESOURCES);
		goto Out;
	}

	/*
	 * NET_BUFFERs NDIS cannot map, and a NULL one: no callback for any of
	 * them.
	 */
	EDU_SG_ROW("sg-null-net-buffer",
		   NdisMAllocateNetBufferSGList(Adapter->SgDmaHandle, NULL, &Request,
						NDIS_SG_LIST_WRITE_TO_DEVICE, NULL, 0));
	for (i = 0; i < ARRAYSIZE(Bad); i++) {
		EduSgInitNetBuffer(&Nb, Bad[i].HasMdl ? Mdl : NULL, Bad[i].DataOffset,
				   Bad[i].DataLength);
		EDU_SG_ROW(Bad[i].Name,
			   NdisMAllocateNetBufferSGList(Bad[i].ForgedHandle ?
								Adapter->MiniportAdapterHandle :
								Adapter->SgDmaHandle,
							&Nb, &Request, NDIS_SG_LIST_WRITE_TO_DEVICE,
							NULL, 0));
	}
	EDU_SG_ROW("sg-callbacks-on-failure", (NDIS_STATUS)Request.Calls);

	/*
	 * A list freed twice, and one NDIS never handed out: both rejected
	 * (logged and counted), neither unmapped.  No caller buffer: the
	 * list is NDIS's own.
	 */
	EduSgInitNetBuffer(&Nb, Mdl, 8, 64);
	Status = NdisMAllocateNetBufferSGList(Adapter->SgDmaHandle, &Nb, &Request,
					      NDIS_SG_LIST_WRITE_TO_DEVICE, NULL, 0);
	EDU_SG_ROW("sg-allocate", Status);
	EDU_SG_ROW("sg-callbacks", (NDIS_STATUS)Request.Calls);
	EDU_SG_ROW("sg-callbacks-at-dispatch", (NDIS_STATUS)Request.CallsAtDispatch);
	if (Status == NDIS_STATUS_SUCCESS && Request.List != NULL) {
		EDU_SG_ROW("sg-elements", (NDIS_STATUS)Request.List->NumberOfElements);
		NdisMFreeNetBufferSGList(Adapter->SgDmaHandle, Request.List, &Nb);
		NdisMFreeNetBufferSGList(Adapter->SgDmaHandle, Request.List, &Nb);
	}
	NdisMFreeNetBufferSGList(Adapter->SgDmaHandle, (PSCATTER_GATHER_LIST)Data, &Nb);

	/* Registrations NDIS refuses. */
	EduSgDescribe(&Desc);
	Desc.Header.Revision = 0;
	EDU_SG_ROW("sg-register-bad-revision",
		   NdisMRegisterScatterGatherDma(Adapter->MiniportAdapterHandle, &Desc, &Handle));
	EduSgDescribe(&Desc);
	Desc.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1 - 4;
	EDU_SG_ROW("sg-register-bad-size",
		   NdisMRegisterScatterGatherDma(Adapter->MiniportAdapterHandle, &Desc, &Handle));
	EduSgDescribe(&Desc);
	Desc.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	EDU_SG_ROW("sg-register-bad-type",
		   NdisMRegisterScatterGatherDma(Adapter->MiniportAdapterHandle, &Desc, &Handle));
	EduSgDescribe(&Desc);
	EDU_SG_ROW("sg-register-twice",
		   NdisMRegisterScatterGatherDma(Adapter->MiniportAdapterHandle, &Desc, &Handle));

	/* The same adapter, re-declared as not a bus master, then restored. */
	NdisZeroMemory(&RegAttrs, sizeof(RegAttrs));
	RegAttrs.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	RegAttrs.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	RegAttrs.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	RegAttrs.MiniportAdapterContext = (NDIS_HANDLE)Adapter;
	RegAttrs.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE;
	RegAttrs.InterfaceType = NdisInterfacePci;
	NdisMSetMiniportAttributes(Adapter->MiniportAdapterHandle,
				   (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&RegAttrs);
	EDU_SG_ROW("sg-register-not-bus-master",
		   NdisMRegisterScatterGatherDma(Adapter->MiniportAdapterHandle, &Desc, &Handle));
	RegAttrs.AttributeFlags |= NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
	NdisMSetMiniportAttributes(Adapter->MiniportAdapterHandle,
				   (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&RegAttrs);
Out:
	if (Mdl != NULL)
		NdisFreeMdl(Mdl);
	if (Data != NULL)
		NdisFreeMemory(Data, 256, 0);
	return n;
#undef EDU_SG_ROW
}
