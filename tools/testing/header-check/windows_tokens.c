// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    windows_tokens.c

Abstract:

    The compiler, SAL and wdm.h vocabulary that third-party miniport
    sources use without a second thought, written the way those sources
    write it: calling conventions, FORCEINLINE, DECLSPEC_*, SAL 1 and 2
    annotations, role types, PAGED_CODE and the code-section pragmas,
    packed wire structures, C_ASSERT, the Interlocked functions and their
    intrinsic names, DbgBreakPoint, KeGetCurrentIrql, ASSERT, and the
    NET_BUFFER_LIST / NET_BUFFER fields a miniport touches.  It is compiled
    (never run) by check.sh for every contract below, on the host with gcc
    and clang and as kernel objects with the test kernel's flags, all with
    -Werror.

    NDIS-CHECK-CONTRACTS: 50 51 51+50 60 61 620 630 51+DBG 630+DBG

--*/

//
// SAL names an older WDK lacked, defined by the source itself before
// ndis.h (as virtio-win's osdep.h does): the header keeps them.
//
#define _Requires_lock_held_(lock)
#define _Acquires_exclusive_lock_(lock)
#define _Acquires_shared_lock_(lock)

#include <ndis.h>

//
// The contract resolves as in the WDK: the highest NDISxx_MINIPORT wins
// and picks NDIS_LEGACY_MINIPORT and the NDIS 5 characteristics.
//
#if defined(NDIS630_MINIPORT)
C_ASSERT(NDIS_MINIPORT_MAJOR_VERSION == 6 && NDIS_MINIPORT_MINOR_VERSION == 30);
#elif defined(NDIS51_MINIPORT)
C_ASSERT(NDIS_MINIPORT_MAJOR_VERSION == 5 && NDIS_MINIPORT_MINOR_VERSION == 1);
C_ASSERT(sizeof(NDIS_MINIPORT_CHARACTERISTICS) == sizeof(NDIS51_MINIPORT_CHARACTERISTICS));
#elif defined(NDIS50_MINIPORT)
C_ASSERT(NDIS_MINIPORT_MAJOR_VERSION == 5 && NDIS_MINIPORT_MINOR_VERSION == 0);
C_ASSERT(sizeof(NDIS_MINIPORT_CHARACTERISTICS) == sizeof(NDIS50_MINIPORT_CHARACTERISTICS));
#endif
C_ASSERT(NDIS_LEGACY_MINIPORT == (NDIS_MINIPORT_MAJOR_VERSION < 6));
C_ASSERT(NDIS_LEGACY_DRIVER == NDIS_LEGACY_MINIPORT);

#pragma warning(push)
#pragma warning(disable:4201)   // nameless struct/union
#pragma warning(disable:4214)   // bit field types other than int

//
// On-the-wire layouts, packed the Windows way.
//
#include <pshpack1.h>
typedef struct _MP_WIRE_HEADER {
    UCHAR   Type;
    USHORT  Length;
    ULONG   Sequence;
    union {
        struct {
            UCHAR Urgent : 1;
            UCHAR Reserved : 7;
        };
        UCHAR Flags;
    };
} MP_WIRE_HEADER, *PMP_WIRE_HEADER;
#include <poppack.h>

#pragma warning(pop)

C_ASSERT(sizeof(MP_WIRE_HEADER) == 8);
C_ASSERT(FIELD_OFFSET(MP_WIRE_HEADER, Sequence) == 3);

// poppack.h restored natural alignment.
typedef struct _MP_NATURAL {
    UCHAR   Type;
    ULONG   Value;
} MP_NATURAL;
C_ASSERT(sizeof(MP_NATURAL) == 8);

#include <pshpack4.h>
typedef struct _MP_PACK4 {
    USHORT      Tag;
    ULONGLONG   Value;
} MP_PACK4;
#include <poppack.h>
C_ASSERT(sizeof(MP_PACK4) == 12);

typedef struct _MP_ADAPTER {
    NDIS_HANDLE             AdapterHandle;
    NDIS_SPIN_LOCK          Lock;
    _Interlocked_ volatile LONG RefCount;
    _Guarded_by_(Lock) ULONG PendingSends;
    volatile LONG64         BytesSent;
    ULONG                   Flags;
    PVOID volatile          PendingRequest;
    BOOLEAN                 BreakOnError;
    _Field_size_bytes_(sizeof(MP_WIRE_HEADER))
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) UCHAR HeaderBuffer[16];
} MP_ADAPTER, *PMP_ADAPTER;

C_ASSERT(FIELD_OFFSET(MP_ADAPTER, HeaderBuffer) % MEMORY_ALLOCATION_ALIGNMENT == 0);

#define MP_FLAG_RESET   0x00000001
#define MP_FLAG_HALT    0x00000002

//
// Role types and forward declarations, as Static Driver Verifier wants them.
//
DRIVER_INITIALIZE DriverEntry;

typedef
_Function_class_(MP_WORKER)
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
MP_WORKER(
    _In_ PMP_ADAPTER Adapter
    );
typedef MP_WORKER *PMP_WORKER;

static MP_WORKER MpResetWorker;

_IRQL_requires_(PASSIVE_LEVEL)
static
NDIS_STATUS
MpPagedRoutine(
    _Inout_ PMP_ADAPTER Adapter
    );

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, MpPagedRoutine)
#endif
#pragma NDIS_INIT_FUNCTION(DriverEntry)
#pragma NDIS_PAGEABLE_FUNCTION(MpPagedRoutine)

//
// Calling conventions: Win32 relics, one convention on Win64.
//
typedef ULONG (__stdcall *MP_HASH_FN)(_In_reads_bytes_(Length) const UCHAR *Data, _In_ ULONG Length);

static ULONG __stdcall
MpHash(
    _In_reads_bytes_(Length) const UCHAR *Data,
    _In_ ULONG Length
    )
{
    ULONG Hash = 0;
    ULONG i;

    for (i = 0; i < Length; i++) {
        Hash = Hash * 31 + Data[i];
    }
    return Hash;
}

static ULONG __cdecl MpSum2(ULONG A, ULONG B) { return A + B; }
static ULONG __fastcall MpSum3(ULONG A, ULONG B, ULONG C) { return A + B + C; }
static VOID STDCALL MpNop(VOID) { }
static BOOLEAN NDIS_API MpIsZero(ULONG V) { return V == 0; }
static LONG WINAPI MpNegate(LONG V) { return -V; }
static VOID CALLBACK MpTimerCallback(PVOID Context) { UNREFERENCED_PARAMETER(Context); }
static VOID NTAPI MpNtapi(VOID) { }

//
// Inlining control.
//
FORCEINLINE
ULONG
MpRoundUp(
    _In_ ULONG Value,
    _In_range_(1, 4096) ULONG Alignment
    )
{
    return (Value + Alignment - 1) & ~(Alignment - 1);
}

__forceinline BOOLEAN
MpIsFlagSet(
    _In_ const MP_ADAPTER *Adapter,
    _In_ ULONG Flag
    )
{
    return (Adapter->Flags & Flag) != 0;
}

DECLSPEC_NOINLINE
static VOID
MpLogSlowPath(
    _In_ PMP_ADAPTER Adapter
    )
{
    Adapter->BreakOnError = FALSE;
}

//
// SAL 2, the parts real drivers use.
//
_IRQL_requires_max_(DISPATCH_LEVEL)
_IRQL_requires_same_
_Must_inspect_result_
_Success_(return != FALSE)
_When_(Length == 0, _Post_satisfies_(*Copied == 0))
static BOOLEAN
MpCopy(
    _Out_writes_bytes_(Length) PUCHAR Destination,
    _In_reads_bytes_(Length) const UCHAR *Source,
    _In_ ULONG Length,
    _Inout_updates_(1) PULONG Total,
    _In_opt_ PVOID Reserved,
    _Out_opt_ PULONG Copied
    )
{
    UNREFERENCED_PARAMETER(Reserved);

    if (Destination == NULL || Source == NULL) {
        return FALSE;
    }
    NdisMoveMemory(Destination, Source, Length);
    *Total += Length;
    if (ARGUMENT_PRESENT(Copied)) {
        *Copied = Length;
    }
    return TRUE;
}

_Requires_lock_not_held_(Adapter->Lock)
_Acquires_lock_(Adapter->Lock)
_IRQL_raises_(DISPATCH_LEVEL)
static VOID
MpLock(
    _Inout_ PMP_ADAPTER Adapter
    )
{
    NdisAcquireSpinLock(&Adapter->Lock);
}

_Requires_lock_held_(Adapter->Lock)
_Releases_lock_(Adapter->Lock)
static VOID
MpUnlock(
    _Inout_ PMP_ADAPTER Adapter
    )
{
    NdisReleaseSpinLock(&Adapter->Lock);
}

_Ret_maybenull_
_Post_writable_byte_size_(sizeof(MP_WIRE_HEADER))
static PMP_WIRE_HEADER
MpHeader(
    _In_ PMP_ADAPTER Adapter
    )
{
    return (PMP_WIRE_HEADER)Adapter->HeaderBuffer;
}

_At_(*Request, _Post_maybenull_)
static VOID
MpTakeRequest(
    _Inout_ PMP_ADAPTER Adapter,
    _Outptr_result_maybenull_ PVOID *Request
    )
{
    *Request = InterlockedExchangePointer(&Adapter->PendingRequest, NULL);
}

// SAL 1 and the NDIS 5 era markers.
__checkReturn
__drv_maxIRQL(DISPATCH_LEVEL)
static NDIS_STATUS
MpOldStyle(
    __in PMP_ADAPTER Adapter,
    __in_opt PVOID Context,
    __out PULONG Value,
    __inout PULONG Counter,
    __out_opt PULONG Optional,
    __in_bcount(Length) PUCHAR Buffer,
    __in ULONG Length
    )
{
    UNREFERENCED_PARAMETER(Context);
    *Value = MpHash(Buffer, Length) ^ Adapter->Flags;
    (*Counter)++;
    if (Optional != NULL) {
        *Optional = 0;
    }
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS
MpVeryOldStyle(
    IN PMP_ADAPTER Adapter,
    OUT PULONG Value,
    IN PVOID Context OPTIONAL
    )
{
    UNREFERENCED_PARAMETER(Context);
    *Value = Adapter->Flags;
    return NDIS_STATUS_SUCCESS;
}

//
// _Use_decl_annotations_: the annotations live on the declaration.
//
_IRQL_requires_max_(PASSIVE_LEVEL)
_Must_inspect_result_
static NDIS_STATUS
MpCheckIrql(
    _In_ PMP_ADAPTER Adapter
    );

_Use_decl_annotations_
static NDIS_STATUS
MpCheckIrql(
    PMP_ADAPTER Adapter
    )
{
    ASSERT(Adapter != NULL);
    ASSERT(KeGetCurrentIrql() <= DISPATCH_LEVEL);
    NT_ASSERT(Adapter->RefCount >= 0);
    return KeGetCurrentIrql() == PASSIVE_LEVEL ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

_Use_decl_annotations_
static NDIS_STATUS
MpPagedRoutine(
    PMP_ADAPTER Adapter
    )
{
    PAGED_CODE();

    Adapter->Flags &= ~MP_FLAG_RESET;
    return NDIS_STATUS_SUCCESS;
}

//
// Reference counting and statistics, Interlocked style.
//
static LONG
MpReference(
    _Inout_ PMP_ADAPTER Adapter
    )
{
    return InterlockedIncrement(&Adapter->RefCount);
}

static VOID
MpDereference(
    _Inout_ PMP_ADAPTER Adapter
    )
{
    LONG Count = InterlockedDecrement(&Adapter->RefCount);

    ASSERT(Count >= 0);
    if (Count == 0) {
        Adapter->Flags |= MP_FLAG_HALT;
    }
}

static VOID
MpInterlockedEverything(
    _Inout_ PMP_ADAPTER Adapter
    )
{
    LONG Old;
    LONG64 Old64;
    PVOID OldPointer;
    ULONG Pending = 0;

    Old = InterlockedExchange(&Adapter->RefCount, 1);
    Old = InterlockedCompareExchange(&Adapter->RefCount, 2, Old);
    Old = InterlockedExchangeAdd(&Adapter->RefCount, 3);
    Old = InterlockedAdd(&Adapter->RefCount, -3);
    Old = InterlockedAnd((PLONG)&Adapter->Flags, ~MP_FLAG_RESET);
    Old = InterlockedOr((PLONG)&Adapter->Flags, MP_FLAG_RESET);
    Old = InterlockedXor((PLONG)&Adapter->Flags, MP_FLAG_RESET);
    Old = InterlockedIncrement((PLONG)&Pending);
    Old = _InterlockedIncrement(&Adapter->RefCount);
    Old = _InterlockedDecrement(&Adapter->RefCount);
    Old = _InterlockedExchange(&Adapter->RefCount, Old);
    Old = _InterlockedCompareExchange(&Adapter->RefCount, 0, Old);
    Old = _InterlockedExchangeAdd(&Adapter->RefCount, 1);
    Old = _InterlockedAnd(&Adapter->RefCount, 0xff);
    Old = _InterlockedOr(&Adapter->RefCount, 0x100);
    Old = _InterlockedXor(&Adapter->RefCount, 0x100);
    Old = NdisInterlockedIncrement(&Adapter->RefCount);
    Old = NdisInterlockedDecrement(&Adapter->RefCount);

    Old64 = InterlockedExchangeAdd64(&Adapter->BytesSent, 1514);
    Old64 = InterlockedAdd64(&Adapter->BytesSent, Old64);
    Old64 = InterlockedIncrement64(&Adapter->BytesSent);
    Old64 = InterlockedDecrement64(&Adapter->BytesSent);
    Old64 = InterlockedExchange64(&Adapter->BytesSent, 0);
    Old64 = InterlockedCompareExchange64(&Adapter->BytesSent, 1, Old64);
    Old64 = InterlockedAnd64(&Adapter->BytesSent, 0xffff);
    Old64 = InterlockedOr64(&Adapter->BytesSent, 0x10000);
    Old64 = InterlockedXor64(&Adapter->BytesSent, 0x10000);
    Old64 = _InterlockedExchangeAdd64(&Adapter->BytesSent, 1);
    Old64 = _InterlockedCompareExchange64(&Adapter->BytesSent, 0, Old64);
    Old64 = _InterlockedIncrement64(&Adapter->BytesSent);
    Old64 = _InterlockedDecrement64(&Adapter->BytesSent);
    Old64 = _InterlockedExchange64(&Adapter->BytesSent, Old64);
    Old64 = _InterlockedAnd64(&Adapter->BytesSent, -1);
    Old64 = _InterlockedOr64(&Adapter->BytesSent, 0);
    Old64 = _InterlockedXor64(&Adapter->BytesSent, 0);

    OldPointer = InterlockedCompareExchangePointer(&Adapter->PendingRequest, Adapter, NULL);
    OldPointer = _InterlockedExchangePointer(&Adapter->PendingRequest, OldPointer);
    OldPointer = _InterlockedCompareExchangePointer(&Adapter->PendingRequest, NULL, OldPointer);

    KeMemoryBarrier();
    _ReadWriteBarrier();

    if (Old < 0 || Old64 < 0 || OldPointer != NULL) {
        if (Adapter->BreakOnError) {
            DbgBreakPoint();
        }
        KdBreakPoint();
    }
}

//
// NET_BUFFER_LIST / NET_BUFFER fields a miniport reads and writes, by
// macro and by name, including the WDK's NetBufferHeader views.
//
static ULONG
MpNblBytes(
    _In_ PNET_BUFFER_LIST NetBufferLists
    )
{
    PNET_BUFFER_LIST Nbl;
    PNET_BUFFER Nb;
    ULONG Bytes = 0;

    for (Nbl = NetBufferLists; Nbl != NULL; Nbl = NET_BUFFER_LIST_NEXT_NBL(Nbl)) {
        NET_BUFFER_LIST_MINIPORT_RESERVED(Nbl)[0] = Nbl->SourceHandle;
        NET_BUFFER_LIST_MINIPORT_RESERVED(Nbl)[1] = NULL;
        NET_BUFFER_LIST_STATUS(Nbl) = NDIS_STATUS_SUCCESS;
        Nbl->Flags |= 0x00001000;   // NBL_FLAGS_MINIPORT_RESERVED
        for (Nb = NET_BUFFER_LIST_FIRST_NB(Nbl); Nb != NULL; Nb = NET_BUFFER_NEXT_NB(Nb)) {
            ASSERT(Nb->NetBufferHeader.MdlChain == NET_BUFFER_FIRST_MDL(Nb));
            ASSERT(Nb->NetBufferHeader.NetBufferData.DataOffset == NET_BUFFER_DATA_OFFSET(Nb));
            NET_BUFFER_MINIPORT_RESERVED(Nb)[0] = Nbl;
            Bytes += NET_BUFFER_DATA_LENGTH(Nb);
        }
    }
    return Bytes;
}

static VOID
MpResetWorker(
    PMP_ADAPTER Adapter
    )
{
    MpLock(Adapter);
    Adapter->PendingSends = 0;
    MpUnlock(Adapter);
}

//
// DriverEntry: references every helper so that none is unused.
//
NTSTATUS
DriverEntry(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PUNICODE_STRING RegistryPath
    )
{
    static MP_ADAPTER Adapter;
    static const MP_HASH_FN Hash = MpHash;
    static const PMP_WORKER Worker = MpResetWorker;
    PDRIVER_INITIALIZE Self = DriverEntry;
    UCHAR Buffer[sizeof(MP_WIRE_HEADER)];
    PVOID Request;
    ULONG Total = 0, Copied = 0, Value = 0;
    NDIS_STATUS Status;

    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    UNREFERENCED_PARAMETER(Self);

    NdisAllocateSpinLock(&Adapter.Lock);
    MpReference(&Adapter);
    Worker(&Adapter);
    if (!MpCopy(Buffer, (const UCHAR *)MpHeader(&Adapter), sizeof(Buffer), &Total, NULL, &Copied)) {
        return STATUS_UNSUCCESSFUL;
    }
    Value = Hash(Buffer, Copied) + MpSum2(1, 2) + MpSum3(1, 2, 3) + MpRoundUp(Total, 16);
    MpNop();
    MpNtapi();
    MpTimerCallback(&Adapter);
    if (MpIsZero(Value) || MpIsFlagSet(&Adapter, MP_FLAG_HALT)) {
        MpLogSlowPath(&Adapter);
    }
    Value = (ULONG)MpNegate((LONG)Value);
    Status = MpOldStyle(&Adapter, NULL, &Value, &Total, NULL, Buffer, sizeof(Buffer));
    if (Status == NDIS_STATUS_SUCCESS) {
        Status = MpVeryOldStyle(&Adapter, &Value, NULL);
    }
    if (Status == NDIS_STATUS_SUCCESS) {
        Status = MpCheckIrql(&Adapter);
    }
    if (Status == NDIS_STATUS_SUCCESS) {
        Status = MpPagedRoutine(&Adapter);
    }
    MpInterlockedEverything(&Adapter);
    MpTakeRequest(&Adapter, &Request);
    Total += MpNblBytes((PNET_BUFFER_LIST)Request);
    MpDereference(&Adapter);
    NdisFreeSpinLock(&Adapter.Lock);
    return Status == NDIS_STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
