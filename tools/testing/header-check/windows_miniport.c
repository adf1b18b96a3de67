// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    windows_miniport.c

Abstract:

    A small NDIS 6.x miniport for a PCI device with one memory BAR, a line
    interrupt and a single-channel system DMA engine, written the way a
    Windows miniport is written.  It exists to prove that such source
    compiles unchanged against ndis-shim's include/ndis.h: it is never
    linked or loaded.  The build defines NDIS_MINIPORT_DRIVER and one
    NDISxxx_MINIPORT macro, as a Windows driver project does.

    NDIS-CHECK-CONTRACTS: 60 61 620 630

--*/

#include <ndis.h>

#define MP_TAG                  'pmiS'
#define MP_MAJOR_DRIVER_VERSION 1
#define MP_MINOR_DRIVER_VERSION 0
#define MP_DMA_BUFFER_SIZE      4096
#define MP_HANG_CHECK_SECONDS   2
#define MP_MAX_FRAGMENTS        16          // transmit descriptors per frame
#define PAGE_SIZE_SAMPLE        4096

// Register offsets in BAR0.
#define REG_ID                  0x00
#define REG_INT_STATUS          0x24
#define REG_INT_ACK             0x64
#define REG_INT_MASK            0x68
#define REG_DMA_CONTROL         0x98
#define REG_DMA_COUNT           0x90

#define DMA_CONTROL_START       0x01
#define DMA_CONTROL_TO_DEVICE   0x00
#define DMA_CONTROL_FROM_DEVICE 0x02
#define INT_DMA_DONE            0x100

typedef struct _MP_ADAPTER {
    NDIS_HANDLE         AdapterHandle;
    NDIS_HANDLE         InterruptHandle;
    NDIS_HANDLE         DmaHandle;
    PUCHAR              CsrAddress;
    ULONG               CsrLength;
    NDIS_PHYSICAL_ADDRESS CsrPhysical;
    ULONG               InterruptVector;
    PVOID               DmaBuffer;
    PVOID               RingVa;             // shared memory (bus master)
    NDIS_PHYSICAL_ADDRESS RingPa;
    ULONG               RingLength;
    ULONG               PendingAllocations;
    PMDL                DmaMdl;
    BOOLEAN             DmaInProgress;
    BOOLEAN             DmaToDevice;
    ULONG               InterruptCount;
    ULONG               CoalescedSends;     // more fragments than descriptors
    NDIS_SPIN_LOCK      Lock;
} MP_ADAPTER, *PMP_ADAPTER;

static NDIS_HANDLE MiniportDriverHandle;

//
// Role-type declarations, as Static Driver Verifier wants them.
//
MINIPORT_SET_OPTIONS                MPSetOptions;
MINIPORT_INITIALIZE                 MPInitializeEx;
MINIPORT_HALT                       MPHaltEx;
MINIPORT_UNLOAD                     MPUnload;
MINIPORT_PAUSE                      MPPause;
MINIPORT_RESTART                    MPRestart;
MINIPORT_OID_REQUEST                MPOidRequest;
MINIPORT_SEND_NET_BUFFER_LISTS      MPSendNetBufferLists;
MINIPORT_RETURN_NET_BUFFER_LISTS    MPReturnNetBufferLists;
MINIPORT_CANCEL_SEND                MPCancelSend;
MINIPORT_CHECK_FOR_HANG             MPCheckForHangEx;
MINIPORT_RESET                      MPResetEx;
MINIPORT_DEVICE_PNP_EVENT_NOTIFY    MPDevicePnPEventNotify;
MINIPORT_SHUTDOWN                   MPShutdownEx;
MINIPORT_CANCEL_OID_REQUEST         MPCancelOidRequest;
MINIPORT_ISR                        MPInterrupt;
MINIPORT_INTERRUPT_DPC              MPInterruptDpc;
MINIPORT_DISABLE_INTERRUPT          MPDisableInterrupt;
MINIPORT_ENABLE_INTERRUPT           MPEnableInterrupt;
MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE MPAllocateComplete;

NDIS_STATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath);

//
// Hardware helpers
//

static VOID
MPStartDma(
    _In_ PMP_ADAPTER Adapter,
    _In_ ULONG Length,
    _In_ BOOLEAN WriteToDevice
    )
{
    ULONG control = DMA_CONTROL_START;

    control |= WriteToDevice ? DMA_CONTROL_TO_DEVICE : DMA_CONTROL_FROM_DEVICE;
    NdisWriteRegisterUlong((PULONG)(Adapter->CsrAddress + REG_DMA_COUNT), Length);
    NdisWriteRegisterUlong((PULONG)(Adapter->CsrAddress + REG_DMA_CONTROL), control);
}

static NDIS_STATUS
MPTransfer(
    _In_ PMP_ADAPTER Adapter,
    _In_ ULONG Offset,
    _In_ ULONG Length,
    _In_ BOOLEAN WriteToDevice
    )
{
    NDIS_STATUS Status;

    NdisAcquireSpinLock(&Adapter->Lock);
    if (Adapter->DmaInProgress) {
        NdisReleaseSpinLock(&Adapter->Lock);
        return NDIS_STATUS_RESOURCES;
    }

    NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, Adapter->DmaMdl,
                          Offset, Length, WriteToDevice);
    if (Status == NDIS_STATUS_SUCCESS) {
        Adapter->DmaInProgress = TRUE;
        Adapter->DmaToDevice = WriteToDevice;
        MPStartDma(Adapter, Length, WriteToDevice);
    }
    NdisReleaseSpinLock(&Adapter->Lock);
    return Status;
}

//
// Interrupt handling
//

_Use_decl_annotations_
BOOLEAN
MPInterrupt(
    NDIS_HANDLE MiniportInterruptContext,
    PBOOLEAN QueueDefaultInterruptDpc,
    PULONG TargetProcessors
    )
{
    PMP_ADAPTER Adapter = (PMP_ADAPTER)MiniportInterruptContext;
    ULONG IntStatus;

    UNREFERENCED_PARAMETER(TargetProcessors);

    NdisReadRegisterUlong((PULONG)(Adapter->CsrAddress + REG_INT_STATUS), &IntStatus);
    if (IntStatus == 0) {
        *QueueDefaultInterruptDpc = FALSE;
        return FALSE;
    }

    NdisWriteRegisterUlong((PULONG)(Adapter->CsrAddress + REG_INT_ACK), IntStatus);
    Adapter->InterruptCount++;
    *QueueDefaultInterruptDpc = TRUE;
    return TRUE;
}

#if NDIS_SUPPORT_NDIS620
_Use_decl_annotations_
VOID
MPInterruptDpc(
    NDIS_HANDLE MiniportInterruptContext,
    PVOID MiniportDpcContext,
    PVOID ReceiveThrottleParameters,
    PVOID NdisReserved2
    )
#else
_Use_decl_annotations_
VOID
MPInterruptDpc(
    NDIS_HANDLE MiniportInterruptContext,
    PVOID MiniportDpcContext,
    PULONG NdisReserved1,
    PULONG NdisReserved2
    )
#endif
{
    PMP_ADAPTER Adapter = (PMP_ADAPTER)MiniportInterruptContext;
    NDIS_STATUS Status = NDIS_STATUS_SUCCESS;
    ULONG Remaining;

    UNREFERENCED_PARAMETER(MiniportDpcContext);
#if NDIS_SUPPORT_NDIS620
    UNREFERENCED_PARAMETER(ReceiveThrottleParameters);
#else
    UNREFERENCED_PARAMETER(NdisReserved1);
#endif
    UNREFERENCED_PARAMETER(NdisReserved2);

    NdisDprAcquireSpinLock(&Adapter->Lock);
    if (Adapter->DmaInProgress) {
        Remaining = NdisMReadDmaCounter(Adapter->DmaHandle);
        ASSERT(Remaining == 0);

        NdisMCompleteDmaTransfer(&Status, Adapter->DmaHandle, Adapter->DmaMdl,
                                 0, MP_DMA_BUFFER_SIZE, Adapter->DmaToDevice);
        Adapter->DmaInProgress = FALSE;
    }
    NdisDprReleaseSpinLock(&Adapter->Lock);

    if (Status != NDIS_STATUS_SUCCESS) {
        DbgPrint("sample: DMA completion failed, status 0x%08x\n", (unsigned int)Status);
    }
}

_Use_decl_annotations_
VOID
MPDisableInterrupt(NDIS_HANDLE MiniportInterruptContext)
{
    PMP_ADAPTER Adapter = (PMP_ADAPTER)MiniportInterruptContext;

    NdisWriteRegisterUlong((PULONG)(Adapter->CsrAddress + REG_INT_MASK), 0);
}

_Use_decl_annotations_
VOID
MPEnableInterrupt(NDIS_HANDLE MiniportInterruptContext)
{
    PMP_ADAPTER Adapter = (PMP_ADAPTER)MiniportInterruptContext;

    NdisWriteRegisterUlong((PULONG)(Adapter->CsrAddress + REG_INT_MASK), INT_DMA_DONE);
}

//
// Initialization and halt
//

static NDIS_STATUS
MPFindResources(
    _In_ PMP_ADAPTER Adapter,
    _In_ PNDIS_MINIPORT_INIT_PARAMETERS InitParameters
    )
{
    PNDIS_RESOURCE_LIST ResourceList = InitParameters->AllocatedResources;
    PCM_PARTIAL_RESOURCE_DESCRIPTOR Descriptor;
    BOOLEAN FoundMemory = FALSE, FoundInterrupt = FALSE;
    ULONG i;

    if (ResourceList == NULL) {
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }

    for (i = 0; i < ResourceList->Count; i++) {
        Descriptor = &ResourceList->PartialDescriptors[i];

        switch (Descriptor->Type) {
        case CmResourceTypeMemory:
            if (!FoundMemory) {
                Adapter->CsrPhysical = Descriptor->u.Memory.Start;
                Adapter->CsrLength = Descriptor->u.Memory.Length;
                FoundMemory = TRUE;
            }
            break;

        case CmResourceTypeInterrupt:
            Adapter->InterruptVector = Descriptor->u.Interrupt.Vector;
            FoundInterrupt = TRUE;
            break;

        case CmResourceTypePort:
        default:
            break;
        }
    }

    if (!FoundMemory || !FoundInterrupt) {
        DbgPrint("sample: resources missing (memory %d, interrupt %d)\n",
                 FoundMemory, FoundInterrupt);
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }

    DbgPrint("sample: BAR0 at 0x%08x%08x, %u bytes\n",
             (unsigned int)NdisGetPhysicalAddressHigh(Adapter->CsrPhysical),
             NdisGetPhysicalAddressLow(Adapter->CsrPhysical),
             Adapter->CsrLength);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
MPAllocateComplete(
    NDIS_HANDLE MiniportAdapterContext,
    PVOID VirtualAddress,
    PNDIS_PHYSICAL_ADDRESS PhysicalAddress,
    ULONG Length,
    PVOID Context)
{
    PMP_ADAPTER Adapter = (PMP_ADAPTER)MiniportAdapterContext;

    UNREFERENCED_PARAMETER(Context);
    Adapter->PendingAllocations--;
    if (VirtualAddress != NULL) {
        NdisMFreeSharedMemory(Adapter->AdapterHandle, Length, FALSE,
                              VirtualAddress, *PhysicalAddress);
    }
}

static VOID
MPFreeAdapter(_In_ PMP_ADAPTER Adapter)
{
    if (Adapter->DmaHandle != NULL) {
        NdisMDeregisterDmaChannel(Adapter->DmaHandle);
    }
    if (Adapter->InterruptHandle != NULL) {
        NdisMDeregisterInterruptEx(Adapter->InterruptHandle);
    }
    if (Adapter->DmaMdl != NULL) {
        NdisFreeMdl(Adapter->DmaMdl);
    }
    if (Adapter->DmaBuffer != NULL) {
        NdisFreeMemory(Adapter->DmaBuffer, MP_DMA_BUFFER_SIZE, 0);
    }
    if (Adapter->RingVa != NULL) {
        NdisMFreeSharedMemory(Adapter->AdapterHandle, Adapter->RingLength, FALSE,
                              Adapter->RingVa, Adapter->RingPa);
    }
    if (Adapter->CsrAddress != NULL) {
        NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->CsrAddress, Adapter->CsrLength);
    }
    NdisFreeSpinLock(&Adapter->Lock);
    NdisFreeMemory(Adapter, sizeof(MP_ADAPTER), 0);
}

_Use_decl_annotations_
NDIS_STATUS
MPInitializeEx(
    NDIS_HANDLE MiniportAdapterHandle,
    NDIS_HANDLE MiniportDriverContext,
    PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters
    )
{
    NDIS_STATUS Status;
    PMP_ADAPTER Adapter;
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES RegistrationAttributes;
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS InterruptChars;
    NDIS_DMA_DESCRIPTION DmaDescription;
    PVOID MappedVa;
    ULONG MappedLength;
    ULONG DeviceId;
    USHORT VendorId = 0;

    UNREFERENCED_PARAMETER(MiniportDriverContext);

    Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(MP_ADAPTER),
                                                MP_TAG, NormalPoolPriority);
    if (Adapter == NULL) {
        return NDIS_STATUS_RESOURCES;
    }
    NdisZeroMemory(Adapter, sizeof(MP_ADAPTER));
    Adapter->AdapterHandle = MiniportAdapterHandle;
    NdisAllocateSpinLock(&Adapter->Lock);

    do {
        NdisZeroMemory(&RegistrationAttributes, sizeof(RegistrationAttributes));
        RegistrationAttributes.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
        RegistrationAttributes.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
        RegistrationAttributes.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
        RegistrationAttributes.MiniportAdapterContext = (NDIS_HANDLE)Adapter;
        RegistrationAttributes.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE |
                                                NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
        RegistrationAttributes.CheckForHangTimeInSeconds = MP_HANG_CHECK_SECONDS;
        RegistrationAttributes.InterfaceType = NdisInterfacePci;

        Status = NdisMSetMiniportAttributes(MiniportAdapterHandle,
                     (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&RegistrationAttributes);
        if (Status != NDIS_STATUS_SUCCESS) {
            break;
        }

        if (NdisMGetBusData(MiniportAdapterHandle, PCI_WHICHSPACE_CONFIG, 0,
                            &VendorId, sizeof(VendorId)) != sizeof(VendorId)) {
            Status = NDIS_STATUS_ADAPTER_NOT_FOUND;
            break;
        }

        Status = MPFindResources(Adapter, MiniportInitParameters);
        if (Status != NDIS_STATUS_SUCCESS) {
            break;
        }

        Status = NdisMMapIoSpace((PVOID *)&Adapter->CsrAddress, MiniportAdapterHandle,
                                 Adapter->CsrPhysical, Adapter->CsrLength);
        if (Status != NDIS_STATUS_SUCCESS) {
            break;
        }

        NdisReadRegisterUlong((PULONG)(Adapter->CsrAddress + REG_ID), &DeviceId);
        DbgPrint("sample: vendor 0x%04x, device id 0x%08x\n", VendorId, DeviceId);

        NdisZeroMemory(&InterruptChars, sizeof(InterruptChars));
        InterruptChars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
        InterruptChars.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
        InterruptChars.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
        InterruptChars.InterruptHandler = MPInterrupt;
        InterruptChars.InterruptDpcHandler = MPInterruptDpc;
        InterruptChars.DisableInterruptHandler = MPDisableInterrupt;
        InterruptChars.EnableInterruptHandler = MPEnableInterrupt;
        InterruptChars.MsiSupported = FALSE;

        Status = NdisMRegisterInterruptEx(MiniportAdapterHandle, Adapter,
                                          &InterruptChars, &Adapter->InterruptHandle);
        if (Status != NDIS_STATUS_SUCCESS) {
            Adapter->InterruptHandle = NULL;
            break;
        }
        ASSERT(InterruptChars.InterruptType == NDIS_CONNECT_LINE_BASED);

        NdisZeroMemory(&DmaDescription, sizeof(DmaDescription));
        DmaDescription.DemandMode = FALSE;
        DmaDescription.AutoInitialize = FALSE;
        DmaDescription.DmaChannelSpecified = FALSE;
        DmaDescription.DmaWidth = Width32Bits;
        DmaDescription.DmaSpeed = Compatible;
        DmaDescription.DmaPort = 0;
        DmaDescription.DmaChannel = 0;

        Status = NdisMRegisterDmaChannel(&Adapter->DmaHandle, MiniportAdapterHandle, 0,
                                         TRUE, &DmaDescription, MP_DMA_BUFFER_SIZE);
        if (Status != NDIS_STATUS_SUCCESS) {
            Adapter->DmaHandle = NULL;
            break;
        }

        Adapter->DmaBuffer = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle,
                                 MP_DMA_BUFFER_SIZE, MP_TAG, NormalPoolPriority);
        if (Adapter->DmaBuffer == NULL) {
            Status = NDIS_STATUS_RESOURCES;
            break;
        }
        NdisFillMemory(Adapter->DmaBuffer, MP_DMA_BUFFER_SIZE, 0x5A);

        Adapter->DmaMdl = NdisAllocateMdl(MiniportAdapterHandle, Adapter->DmaBuffer,
                                          MP_DMA_BUFFER_SIZE);
        if (Adapter->DmaMdl == NULL) {
            Status = NDIS_STATUS_RESOURCES;
            break;
        }

        NdisQueryMdl(Adapter->DmaMdl, &MappedVa, &MappedLength,
                     NormalPagePriority | MdlMappingNoExecute);
        if (MappedVa == NULL || MappedLength != MP_DMA_BUFFER_SIZE ||
            MmGetMdlVirtualAddress(Adapter->DmaMdl) != Adapter->DmaBuffer) {
            Status = NDIS_STATUS_FAILURE;
            break;
        }

        // A descriptor ring in shared memory, padded to the DMA alignment.
        Adapter->RingLength = max(NdisMGetDmaAlignment(MiniportAdapterHandle),
                                  NdisGetSharedDataAlignment()) * 16;
        NdisMAllocateSharedMemory(MiniportAdapterHandle, Adapter->RingLength, FALSE,
                                  &Adapter->RingVa, &Adapter->RingPa);
        if (Adapter->RingVa == NULL) {
            Status = NDIS_STATUS_RESOURCES;
            break;
        }
        NdisZeroMemory(Adapter->RingVa, Adapter->RingLength);
        NdisMUpdateSharedMemory(MiniportAdapterHandle, Adapter->RingLength,
                                Adapter->RingVa, Adapter->RingPa);
        NdisUpdateSharedMemory(MiniportAdapterHandle, Adapter->RingLength,
                               Adapter->RingVa, Adapter->RingPa);
        DbgPrint("sample: ring at device address 0x%08x%08x\n",
                 (unsigned int)NdisGetPhysicalAddressHigh(Adapter->RingPa),
                 NdisGetPhysicalAddressLow(Adapter->RingPa));
        // More receive buffers later, at PASSIVE_LEVEL in MPAllocateComplete.
        if (NdisMAllocateSharedMemoryAsyncEx(Adapter->DmaHandle, PAGE_SIZE_SAMPLE, FALSE,
                                             Adapter) == NDIS_STATUS_PENDING) {
            Adapter->PendingAllocations++;
        }

        // Push the buffer to the device once to prove the channel works.
        NdisFlushBuffer(Adapter->DmaMdl, TRUE);
        Status = MPTransfer(Adapter, 0, MP_DMA_BUFFER_SIZE, TRUE);
    } while (FALSE);

    if (Status != NDIS_STATUS_SUCCESS) {
        MPFreeAdapter(Adapter);
    }
    return Status;
}

_Use_decl_annotations_
VOID
MPHaltEx(
    NDIS_HANDLE MiniportAdapterContext,
    NDIS_HALT_ACTION HaltAction
    )
{
    PMP_ADAPTER Adapter = (PMP_ADAPTER)MiniportAdapterContext;
    NDIS_STATUS Status;
    ULONG Waited = 0;

    DbgPrint("sample: halt, action %d\n", (int)HaltAction);

    MPDisableInterrupt(Adapter);
    while (Adapter->DmaInProgress && Waited < 1000) {
        NdisStallExecution(10);
        Waited++;
    }
    if (Adapter->DmaInProgress) {
        NdisMCompleteDmaTransfer(&Status, Adapter->DmaHandle, Adapter->DmaMdl,
                                 0, MP_DMA_BUFFER_SIZE, Adapter->DmaToDevice);
        UNREFERENCED_PARAMETER(Status);
    }
    NdisMSleep(1000);
    MPFreeAdapter(Adapter);
}

//
// The rest of the NDIS 6 contract: nothing to do for this device yet.
//

_Use_decl_annotations_
NDIS_STATUS
MPSetOptions(NDIS_HANDLE NdisDriverHandle, NDIS_HANDLE DriverContext)
{
    UNREFERENCED_PARAMETER(NdisDriverHandle);
    UNREFERENCED_PARAMETER(DriverContext);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
MPUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    NdisMDeregisterMiniportDriver(MiniportDriverHandle);
}

_Use_decl_annotations_
NDIS_STATUS
MPPause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(PauseParameters);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
NDIS_STATUS
MPRestart(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(RestartParameters);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
NDIS_STATUS
MPOidRequest(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(OidRequest);
    return NDIS_STATUS_NOT_SUPPORTED;
}

_Use_decl_annotations_
VOID
MPSendNetBufferLists(
    NDIS_HANDLE MiniportAdapterContext,
    PNET_BUFFER_LIST NetBufferList,
    NDIS_PORT_NUMBER PortNumber,
    ULONG SendFlags
    )
{
    PMP_ADAPTER Adapter = (PMP_ADAPTER)MiniportAdapterContext;
    PNET_BUFFER NetBuffer;

    UNREFERENCED_PARAMETER(PortNumber);
    UNREFERENCED_PARAMETER(SendFlags);

    //
    // A frame spread over more physical pages than the NIC has transmit
    // descriptors is copied into one buffer before it is mapped.
    //
    for (NetBuffer = NET_BUFFER_LIST_FIRST_NB(NetBufferList);
         NetBuffer != NULL;
         NetBuffer = NET_BUFFER_NEXT_NB(NetBuffer)) {
        if (NdisQueryNetBufferPhysicalCount(NetBuffer) > MP_MAX_FRAGMENTS) {
            Adapter->CoalescedSends++;
        }
    }
}

_Use_decl_annotations_
VOID
MPReturnNetBufferLists(
    NDIS_HANDLE MiniportAdapterContext,
    PNET_BUFFER_LIST NetBufferLists,
    ULONG ReturnFlags
    )
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(NetBufferLists);
    UNREFERENCED_PARAMETER(ReturnFlags);
}

_Use_decl_annotations_
VOID
MPCancelSend(NDIS_HANDLE MiniportAdapterContext, PVOID CancelId)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(CancelId);
}

_Use_decl_annotations_
BOOLEAN
MPCheckForHangEx(NDIS_HANDLE MiniportAdapterContext)
{
    PMP_ADAPTER Adapter = (PMP_ADAPTER)MiniportAdapterContext;

    return Adapter->InterruptCount == 0 && Adapter->DmaInProgress;
}

_Use_decl_annotations_
NDIS_STATUS
MPResetEx(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
MPDevicePnPEventNotify(NDIS_HANDLE MiniportAdapterContext, PNET_DEVICE_PNP_EVENT NetDevicePnPEvent)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(NetDevicePnPEvent);
}

_Use_decl_annotations_
VOID
MPShutdownEx(NDIS_HANDLE MiniportAdapterContext, NDIS_SHUTDOWN_ACTION ShutdownAction)
{
    PMP_ADAPTER Adapter = (PMP_ADAPTER)MiniportAdapterContext;

    if (ShutdownAction == NdisShutdownPowerOff) {
        MPDisableInterrupt(Adapter);
    }
}

_Use_decl_annotations_
VOID
MPCancelOidRequest(NDIS_HANDLE MiniportAdapterContext, PVOID RequestId)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(RequestId);
}

//
// Driver entry
//

_Use_decl_annotations_
NDIS_STATUS
DriverEntry(
    PDRIVER_OBJECT DriverObject,
    PUNICODE_STRING RegistryPath
    )
{
    NDIS_STATUS Status;
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS MPChar;
    UINT NdisVersion = NdisGetVersion();

    DbgPrint("sample: NDIS %u.%u, built for %d.%d\n",
             NdisVersion >> 16, NdisVersion & 0xFFFF,
             NDIS_MINIPORT_MAJOR_VERSION, NDIS_MINIPORT_MINOR_VERSION);

    NdisZeroMemory(&MPChar, sizeof(MPChar));

    MPChar.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
#if NDIS_SUPPORT_NDIS61
    {C_ASSERT(sizeof(MPChar) >= NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2);}
    MPChar.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    MPChar.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
#else
    {C_ASSERT(sizeof(MPChar) >= NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1);}
    MPChar.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    MPChar.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
#endif

    MPChar.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
    MPChar.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
    MPChar.MajorDriverVersion = MP_MAJOR_DRIVER_VERSION;
    MPChar.MinorDriverVersion = MP_MINOR_DRIVER_VERSION;
    MPChar.Flags = 0;

    MPChar.SetOptionsHandler = MPSetOptions;
    MPChar.InitializeHandlerEx = MPInitializeEx;
    MPChar.HaltHandlerEx = MPHaltEx;
    MPChar.UnloadHandler = MPUnload;
    MPChar.PauseHandler = MPPause;
    MPChar.RestartHandler = MPRestart;
    MPChar.OidRequestHandler = MPOidRequest;
    MPChar.SendNetBufferListsHandler = MPSendNetBufferLists;
    MPChar.ReturnNetBufferListsHandler = MPReturnNetBufferLists;
    MPChar.CancelSendHandler = MPCancelSend;
    MPChar.CheckForHangHandlerEx = MPCheckForHangEx;
    MPChar.ResetHandlerEx = MPResetEx;
    MPChar.DevicePnPEventNotifyHandler = MPDevicePnPEventNotify;
    MPChar.ShutdownHandlerEx = MPShutdownEx;
    MPChar.CancelOidRequestHandler = MPCancelOidRequest;

    Status = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL,
                                         &MPChar, &MiniportDriverHandle);
    if (Status != NDIS_STATUS_SUCCESS) {
        DbgPrint("sample: NdisMRegisterMiniportDriver failed, status 0x%08x\n",
                 (unsigned int)Status);
    }
    return Status;
}
