/* SPDX-License-Identifier: GPL-2.0 */
/*++

Module Name:

    ndis.h  (ndis-shim)

Abstract:

    The NDIS 6.x miniport interface as seen by Windows miniport C source
    that is rebuilt, unchanged, as a Linux kernel module and linked against
    the exports of the ndis-shim module (which implements them on the Linux
    DMA-mapping, PCI, IRQ and memory APIs).

    Names, values, argument lists and the Win64 layout of every structure
    follow the published Windows headers (WDK ndis.h / wdm.h / ntddndis.h)
    and PDB-derived x64 layouts; the layout checks at the end of this file
    pin them down and say where each number comes from.

    Two compile modes:
      - __KERNEL__ defined: a Linux kernel module.  Spin locks, register
        access and ASSERT map onto Linux primitives; DbgPrint is the
        shim's, with Windows format rules.
      - otherwise: plain host C (gcc/clang -std=gnu11 -fsyntax-only), used
        only for the header and layout checks in tools/testing/header-check.

    How this differs from a Windows ndis.h:
      - Handles are opaque (NDIS_HANDLE).  There is no NDIS_DMA_BLOCK or
        NDIS_MINIPORT_BLOCK here: the shim looks its objects up from the
        handle, and no miniport should reach inside.  KDPC, KTIMER and
        KEVENT are declared only with their size, for the NDIS 5
        structures miniports embed (NDIS_MINIPORT_INTERRUPT,
        NDIS_MINIPORT_TIMER, NDIS_TIMER, NDIS_EVENT).
      - Only the part of NDIS the shim implements is declared (driver and
        adapter registration, resources, I/O space, interrupts, memory,
        MDLs, system DMA, bus-master shared memory and alignment, NDIS 6
        scatter-gather DMA with the NET_BUFFER fields it reads, the NDIS 5
        registration slice with map registers and physical mapping,
        NET_BUFFER_LIST/NET_BUFFER pools and data-space calls).  The rest
        of an NDIS 6 NIC miniport's interface (attributes, OID requests,
        status indications, send/receive, timers, work items,
        configuration) is declared but not yet exported: see
        Documentation/net-buffers.rst.
      - ULONG/LONG are 32 bits (Win64 LLP64), not C long.
      - The Linux glue used by the shim's controller interface is declared
        elsewhere, not in this header.

    Build as Windows does: define NDIS_MINIPORT_DRIVER and one of
    NDIS50_MINIPORT, NDIS51_MINIPORT, NDIS60_MINIPORT, NDIS61_MINIPORT,
    NDIS620_MINIPORT, NDIS630_MINIPORT (the contracts this shim supports)
    before including this file; when several are defined the highest
    wins, as in the WDK.

--*/

#ifndef _NDIS_
#define _NDIS_

/* ------------------------------------------------------------------------
 * Environment
 * ------------------------------------------------------------------------ */

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/io.h>
#include <linux/spinlock.h>
#include <linux/delay.h>
#include <linux/string.h>
#include <linux/printk.h>
#include <linux/pci.h>
#endif

/*
 * Pool tags are written as multi-character constants ('pmiS'), which MSVC
 * accepts silently.  Deliberately not popped: the including source needs it.
 */
#pragma GCC diagnostic ignored "-Wmultichar"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * NDIS contract version (same rules as the WDK ndis.h, restricted to the
 * 5.0, 5.1 and 6.0 - 6.30 contracts this shim implements)
 * ------------------------------------------------------------------------ */

#if defined(NDIS_MINIPORT_MAJOR_VERSION) || defined(NDIS_MINIPORT_MINOR_VERSION)
#error NDIS: Driver is re-defining NDIS reserved macros
#endif

#if defined(NDIS_MINIPORT_DRIVER)

#if defined(NDIS687_MINIPORT) || defined(NDIS686_MINIPORT) || \
    defined(NDIS685_MINIPORT) || defined(NDIS684_MINIPORT) || \
    defined(NDIS683_MINIPORT) || defined(NDIS682_MINIPORT) || \
    defined(NDIS681_MINIPORT) || defined(NDIS680_MINIPORT) || \
    defined(NDIS670_MINIPORT) || defined(NDIS660_MINIPORT) || \
    defined(NDIS651_MINIPORT) || defined(NDIS650_MINIPORT) || \
    defined(NDIS640_MINIPORT)
#error NDIS: ndis-shim implements the NDIS 5.0, 5.1 and 6.0 - 6.30 miniport contracts only
#elif defined(NDIS630_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 6
#define NDIS_MINIPORT_MINOR_VERSION 30
#elif defined(NDIS620_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 6
#define NDIS_MINIPORT_MINOR_VERSION 20
#elif defined(NDIS61_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 6
#define NDIS_MINIPORT_MINOR_VERSION 1
#elif defined(NDIS60_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 6
#define NDIS_MINIPORT_MINOR_VERSION 0
#elif defined(NDIS51_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 5
#define NDIS_MINIPORT_MINOR_VERSION 1
#elif defined(NDIS50_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 5
#define NDIS_MINIPORT_MINOR_VERSION 0
#else
#error NDIS: Define the contract with NDIS50_MINIPORT, NDIS51_MINIPORT, NDIS60_MINIPORT, NDIS61_MINIPORT, NDIS620_MINIPORT or NDIS630_MINIPORT
#endif

/* Cumulative, as in the WDK: a 6.20 miniport sees 6, 61 and 620; a 5.x
 * miniport none of them. */
#define NDIS_SUPPORT_NDIS6   (NDIS_MINIPORT_MAJOR_VERSION >= 6)
#define NDIS_SUPPORT_NDIS61  (NDIS_SUPPORT_NDIS6 && NDIS_MINIPORT_MINOR_VERSION >= 1)
#define NDIS_SUPPORT_NDIS620 (NDIS_SUPPORT_NDIS6 && NDIS_MINIPORT_MINOR_VERSION >= 20)
#define NDIS_SUPPORT_NDIS630 (NDIS_SUPPORT_NDIS6 && NDIS_MINIPORT_MINOR_VERSION >= 30)

#else /* !NDIS_MINIPORT_DRIVER */

/*
 * Not a miniport (the shim's own C glue, or the layout checks): see
 * everything the shim implements, as the WDK does for NDIS_WRAPPER.
 */
#define NDIS_SUPPORT_NDIS6   1
#define NDIS_SUPPORT_NDIS61  1
#define NDIS_SUPPORT_NDIS620 1
#define NDIS_SUPPORT_NDIS630 1

#endif /* NDIS_MINIPORT_DRIVER */

/*
 * Legacy (NDIS 5.x) drivers, computed as the WDK does and overridable the
 * same way: a 5.x miniport, or the non-miniport view (NDIS_WRAPPER in the
 * WDK), is a legacy miniport.  The shim has no protocol side.
 */
#ifndef NDIS_LEGACY_MINIPORT
#if !defined(NDIS_MINIPORT_DRIVER) || NDIS_MINIPORT_MAJOR_VERSION < 6
#define NDIS_LEGACY_MINIPORT 1
#else
#define NDIS_LEGACY_MINIPORT 0
#endif
#endif
#ifndef NDIS_LEGACY_PROTOCOL
#define NDIS_LEGACY_PROTOCOL 0
#endif
#ifndef NDIS_LEGACY_DRIVER
#if NDIS_LEGACY_MINIPORT || NDIS_LEGACY_PROTOCOL
#define NDIS_LEGACY_DRIVER 1
#else
#define NDIS_LEGACY_DRIVER 0
#endif
#endif

/* ------------------------------------------------------------------------
 * Base types (Win64 / LLP64 sizes)
 * ------------------------------------------------------------------------ */

#ifndef VOID
#define VOID void
#endif

typedef void *PVOID, **PPVOID;
typedef char CHAR, *PCHAR, *PSTR;
typedef const char *PCSTR;
typedef unsigned char UCHAR, *PUCHAR;
typedef short SHORT, CSHORT, *PSHORT;
typedef unsigned short USHORT, *PUSHORT;
typedef int INT, *PINT;
typedef unsigned int UINT, *PUINT;
/* Windows LONG/ULONG are 32-bit even on 64-bit targets. */
typedef int LONG, *PLONG;
typedef unsigned int ULONG, *PULONG;
typedef long long LONGLONG, *PLONGLONG;
typedef unsigned long long ULONGLONG, *PULONGLONG;
typedef unsigned long long ULONG64, *PULONG64;
typedef long long LONG64, *PLONG64;
typedef signed char INT8;
typedef unsigned char UINT8;
typedef short INT16;
typedef unsigned short UINT16;
typedef int INT32;
typedef unsigned int UINT32;
typedef long long INT64;
typedef unsigned long long UINT64;
/* Pointer-sized integers: unsigned long on LP64 Linux, 64-bit on Win64. */
typedef __INTPTR_TYPE__ LONG_PTR, *PLONG_PTR;
typedef __UINTPTR_TYPE__ ULONG_PTR, *PULONG_PTR;
typedef ULONG_PTR SIZE_T, *PSIZE_T;
typedef ULONG_PTR KAFFINITY;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef UCHAR KIRQL, *PKIRQL;
typedef LONG NTSTATUS;
typedef PVOID HANDLE;
/* WCHAR is UTF-16, not the 4-byte Linux wchar_t. */
typedef unsigned short WCHAR, *PWCHAR, *PWSTR;
typedef const unsigned short *PCWSTR;

#ifndef TRUE
#define TRUE  1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif

typedef union _LARGE_INTEGER {
	struct {
		ULONG LowPart;
		LONG HighPart;
	};
	struct {
		ULONG LowPart;
		LONG HighPart;
	} u;
	LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
	struct {
		ULONG LowPart;
		ULONG HighPart;
	};
	struct {
		ULONG LowPart;
		ULONG HighPart;
	} u;
	ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;
typedef PHYSICAL_ADDRESS NDIS_PHYSICAL_ADDRESS, *PNDIS_PHYSICAL_ADDRESS;

typedef struct _UNICODE_STRING {
	USHORT Length;		/* bytes, without terminator */
	USHORT MaximumLength;
	PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;
typedef UNICODE_STRING NDIS_STRING, *PNDIS_STRING;

typedef struct _LIST_ENTRY {
	struct _LIST_ENTRY *Flink;
	struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

/* Opaque kernel objects: the shim hands out pointers, never contents. */
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef struct _DEVICE_OBJECT DEVICE_OBJECT, *PDEVICE_OBJECT;
struct _EPROCESS;

typedef PVOID NDIS_HANDLE, *PNDIS_HANDLE;
typedef int NDIS_STATUS, *PNDIS_STATUS;
typedef ULONG NDIS_OID, *PNDIS_OID;
typedef ULONG NDIS_PORT_NUMBER, *PNDIS_PORT_NUMBER;
#define NDIS_DEFAULT_PORT_NUMBER ((NDIS_PORT_NUMBER)0)
typedef ULONG NET_IFINDEX, *PNET_IFINDEX;

typedef union _NET_LUID_LH {
	ULONG64 Value;
	struct {
		ULONG64 Reserved : 24;
		ULONG64 NetLuidIndex : 24;
		ULONG64 IfType : 16;
	} Info;
} NET_LUID_LH, *PNET_LUID_LH;
typedef NET_LUID_LH NET_LUID, *PNET_LUID;

/* ------------------------------------------------------------------------
 * What Windows driver source takes from wdm.h, ntdef.h and sal.h without
 * naming it: IRQL, Interlocked, C_ASSERT, PAGED_CODE, DRIVER_INITIALIZE
 * (ndis_wdm.h, which also pulls in the kernel headers it needs, so it
 * comes first), then calling conventions, DECLSPEC_* and SAL annotations,
 * all empty (ndis_sal.h).
 * ------------------------------------------------------------------------ */

#include "ndis_wdm.h"
#include "ndis_sal.h"

/* ------------------------------------------------------------------------
 * Helper macros
 * ------------------------------------------------------------------------ */

#define UNREFERENCED_PARAMETER(P)          ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P)      ((void)(P))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))

#define FIELD_OFFSET(type, field)  ((LONG)__builtin_offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) \
	(FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_NUMBER_OF(a)           (sizeof(a) / sizeof((a)[0]))
#define ARRAYSIZE(a)               RTL_NUMBER_OF(a)
#define CONTAINING_RECORD(address, type, field) \
	((type *)((PCHAR)(address) - (ULONG_PTR)(&((type *)0)->field)))
#define ARGUMENT_PRESENT(p)        ((CHAR *)(p) != (CHAR *)NULL)
#define NT_SUCCESS(s)              (((NTSTATUS)(s)) >= 0)

#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif

/* RtlXxx memory helpers and their NDIS names (builtins: no libc needed). */
#define RtlZeroMemory(D, L)       __builtin_memset((D), 0, (L))
#define RtlFillMemory(D, L, F)    __builtin_memset((D), (F), (L))
#define RtlCopyMemory(D, S, L)    __builtin_memcpy((D), (S), (L))
#define RtlMoveMemory(D, S, L)    __builtin_memmove((D), (S), (L))
#define RtlEqualMemory(A, B, L)   (!__builtin_memcmp((A), (B), (L)))

#define NdisZeroMemory(D, L)      RtlZeroMemory(D, L)
#define NdisFillMemory(D, L, F)   RtlFillMemory(D, L, F)
/* Windows maps NdisMoveMemory to RtlCopyMemory: no overlap allowed. */
#define NdisMoveMemory(D, S, L)   RtlCopyMemory(D, S, L)
#define NdisEqualMemory(A, B, L)  RtlEqualMemory(A, B, L)

/* Physical-address helpers (NDIS_PHYSICAL_ADDRESS is a LARGE_INTEGER). */
#define NdisGetPhysicalAddressHigh(_PA)      ((_PA).HighPart)
#define NdisGetPhysicalAddressLow(_PA)       ((_PA).LowPart)
#define NdisSetPhysicalAddressHigh(_PA, _V)  ((_PA).HighPart) = (_V)
#define NdisSetPhysicalAddressLow(_PA, _V)   ((_PA).LowPart) = (_V)
#define NDIS_PHYSICAL_ADDRESS_CONST(_Low, _High) \
	{ { (ULONG)(_Low), (LONG)(_High) } }

/* Debug output and assertions. */
#ifndef DBG
#define DBG 0
#endif

/*
 * DbgPrint/DbgPrintEx (wdm.h) are exported by the shim and format with
 * Windows' rules: "%lx" is a 32-bit ULONG, "%I64x" and "%llx" 64 bits,
 * "%Iu" pointer-sized, "%ws"/"%S" a WCHAR string, "%wZ" a PUNICODE_STRING,
 * "%Z" a PANSI_STRING (Documentation/porting.rst has the list). So they
 * carry no format attribute: the compiler would check Linux's rules and
 * warn on correct Windows code. Output goes to the kernel log, one line
 * per call, prefixed "ndis: ".
 */
typedef struct _STRING {
	USHORT Length;		/* bytes, without terminator */
	USHORT MaximumLength;
	PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCANSI_STRING;

/* DbgPrintEx Level (dpfilter.h): a bit of the filter mask, or the mask. */
#define DPFLTR_ERROR_LEVEL   0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL   2
#define DPFLTR_INFO_LEVEL    3
#define DPFLTR_MASK          0x80000000
/* DbgPrintEx ComponentId: the values the DbgPrintEx page tells drivers
 * to use (dpfilter.h); the shim logs every component alike. */
#define DPFLTR_IHVDRIVER_ID    77
#define DPFLTR_IHVVIDEO_ID     78
#define DPFLTR_IHVAUDIO_ID     79
#define DPFLTR_IHVNETWORK_ID   80
#define DPFLTR_IHVSTREAMING_ID 81
#define DPFLTR_IHVBUS_ID       82

ULONG DbgPrint(_In_z_ _Printf_format_string_ PCSTR Format, ...);
ULONG DbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level,
		 _In_z_ _Printf_format_string_ PCSTR Format, ...);

/*
 * As in the WDK: checked builds (DBG=1) print, free builds compile the
 * call away without evaluating its arguments. Build a port with
 * ccflags-y += -DDBG=1 to see its KdPrint output.
 */
#if DBG
#define KdPrint(_x_)   DbgPrint _x_
#define KdPrintEx(_x_) DbgPrintEx _x_
#else
#define KdPrint(_x_)
#define KdPrintEx(_x_)
#endif

#ifndef ASSERT
#if DBG && defined(__KERNEL__)
#define ASSERT(exp) ((void)WARN_ON_ONCE(!(exp)))
#else
/* Free-build semantics: not evaluated, but still type-checked. */
#define ASSERT(exp) ((void)sizeof(!(exp)))
#endif
#endif

/* ------------------------------------------------------------------------
 * NDIS_STATUS values (WDK ndis.h; NTSTATUS-based ones resolved)
 * ------------------------------------------------------------------------ */

#define NDIS_STATUS_SUCCESS                  ((NDIS_STATUS)0x00000000L)
#define NDIS_STATUS_PENDING                  ((NDIS_STATUS)0x00000103L)
#define NDIS_STATUS_NOT_RECOGNIZED           ((NDIS_STATUS)0x00010001L)
#define NDIS_STATUS_NOT_COPIED               ((NDIS_STATUS)0x00010002L)
#define NDIS_STATUS_NOT_ACCEPTED             ((NDIS_STATUS)0x00010003L)
#define NDIS_STATUS_CALL_ACTIVE              ((NDIS_STATUS)0x00010007L)
#define NDIS_STATUS_ONLINE                   ((NDIS_STATUS)0x40010003L)
#define NDIS_STATUS_RESET_START              ((NDIS_STATUS)0x40010004L)
#define NDIS_STATUS_RESET_END                ((NDIS_STATUS)0x40010005L)
#define NDIS_STATUS_RING_STATUS              ((NDIS_STATUS)0x40010006L)
#define NDIS_STATUS_CLOSED                   ((NDIS_STATUS)0x40010007L)
#define NDIS_STATUS_MEDIA_CONNECT            ((NDIS_STATUS)0x4001000BL)
#define NDIS_STATUS_MEDIA_DISCONNECT         ((NDIS_STATUS)0x4001000CL)
#define NDIS_STATUS_MEDIA_BUSY               ((NDIS_STATUS)0x40010011L)
#define NDIS_STATUS_LINK_SPEED_CHANGE        ((NDIS_STATUS)0x40010013L)
#define NDIS_STATUS_LINK_STATE               ((NDIS_STATUS)0x40010017L)
#define NDIS_STATUS_NOT_RESETTABLE           ((NDIS_STATUS)0x80010001L)
#define NDIS_STATUS_SOFT_ERRORS              ((NDIS_STATUS)0x80010003L)
#define NDIS_STATUS_HARD_ERRORS              ((NDIS_STATUS)0x80010004L)
#define NDIS_STATUS_BUFFER_OVERFLOW          ((NDIS_STATUS)0x80000005L)
#define NDIS_STATUS_FAILURE                  ((NDIS_STATUS)0xC0000001L)
#define NDIS_STATUS_INVALID_PARAMETER        ((NDIS_STATUS)0xC000000DL)
#define NDIS_STATUS_INVALID_DEVICE_REQUEST   ((NDIS_STATUS)0xC0000010L)
#define NDIS_STATUS_RESOURCES                ((NDIS_STATUS)0xC000009AL)
#define NDIS_STATUS_NOT_SUPPORTED            ((NDIS_STATUS)0xC00000BBL)
#define NDIS_STATUS_INVALID_STATE            ((NDIS_STATUS)0xC0000184L)
#define NDIS_STATUS_CLOSING                  ((NDIS_STATUS)0xC0010002L)
#define NDIS_STATUS_BAD_VERSION              ((NDIS_STATUS)0xC0010004L)
#define NDIS_STATUS_BAD_CHARACTERISTICS      ((NDIS_STATUS)0xC0010005L)
#define NDIS_STATUS_ADAPTER_NOT_FOUND        ((NDIS_STATUS)0xC0010006L)
#define NDIS_STATUS_OPEN_FAILED              ((NDIS_STATUS)0xC0010007L)
#define NDIS_STATUS_DEVICE_FAILED            ((NDIS_STATUS)0xC0010008L)
#define NDIS_STATUS_MULTICAST_FULL           ((NDIS_STATUS)0xC0010009L)
#define NDIS_STATUS_MULTICAST_EXISTS         ((NDIS_STATUS)0xC001000AL)
#define NDIS_STATUS_MULTICAST_NOT_FOUND      ((NDIS_STATUS)0xC001000BL)
#define NDIS_STATUS_REQUEST_ABORTED          ((NDIS_STATUS)0xC001000CL)
#define NDIS_STATUS_RESET_IN_PROGRESS        ((NDIS_STATUS)0xC001000DL)
#define NDIS_STATUS_CLOSING_INDICATING       ((NDIS_STATUS)0xC001000EL)
#define NDIS_STATUS_INVALID_PACKET           ((NDIS_STATUS)0xC001000FL)
#define NDIS_STATUS_OPEN_LIST_FULL           ((NDIS_STATUS)0xC0010010L)
#define NDIS_STATUS_ADAPTER_NOT_READY        ((NDIS_STATUS)0xC0010011L)
#define NDIS_STATUS_ADAPTER_NOT_OPEN         ((NDIS_STATUS)0xC0010012L)
#define NDIS_STATUS_NOT_INDICATING           ((NDIS_STATUS)0xC0010013L)
#define NDIS_STATUS_INVALID_LENGTH           ((NDIS_STATUS)0xC0010014L)
#define NDIS_STATUS_INVALID_DATA             ((NDIS_STATUS)0xC0010015L)
#define NDIS_STATUS_BUFFER_TOO_SHORT         ((NDIS_STATUS)0xC0010016L)
#define NDIS_STATUS_INVALID_OID              ((NDIS_STATUS)0xC0010017L)
#define NDIS_STATUS_ADAPTER_REMOVED          ((NDIS_STATUS)0xC0010018L)
#define NDIS_STATUS_UNSUPPORTED_MEDIA        ((NDIS_STATUS)0xC0010019L)
#define NDIS_STATUS_GROUP_ADDRESS_IN_USE     ((NDIS_STATUS)0xC001001AL)
#define NDIS_STATUS_FILE_NOT_FOUND           ((NDIS_STATUS)0xC001001BL)
#define NDIS_STATUS_ERROR_READING_FILE       ((NDIS_STATUS)0xC001001CL)
#define NDIS_STATUS_ALREADY_MAPPED           ((NDIS_STATUS)0xC001001DL)
#define NDIS_STATUS_RESOURCE_CONFLICT        ((NDIS_STATUS)0xC001001EL)
#define NDIS_STATUS_NO_CABLE                 ((NDIS_STATUS)0xC001001FL)
#define NDIS_STATUS_PAUSED                   ((NDIS_STATUS)0xC023002AL)
/* STATUS_NDIS_REQUEST_ABORTED: what MiniportCancelSend completes NBLs with
 * (not the NDIS 5 NDIS_STATUS_REQUEST_ABORTED above). */
#define NDIS_STATUS_SEND_ABORTED             ((NDIS_STATUS)0xC023000CL)
#define NDIS_STATUS_LOW_POWER_STATE          ((NDIS_STATUS)0xC023002FL)

#define NDIS_SUCCESS(s) ((NDIS_STATUS)(s) == NDIS_STATUS_SUCCESS)

/* ------------------------------------------------------------------------
 * Object header (ntddndis.h)
 * ------------------------------------------------------------------------ */

typedef struct _NDIS_OBJECT_HEADER {
	UCHAR Type;
	UCHAR Revision;
	USHORT Size;
} NDIS_OBJECT_HEADER, *PNDIS_OBJECT_HEADER;

#define NDIS_OBJECT_REVISION_1 1

#define NDIS_OBJECT_TYPE_DEFAULT                                     0x80
#define NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS                    0x81
#define NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION                          0x83
#define NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT                          0x84
#define NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES                    0x85
#define NDIS_OBJECT_TYPE_BIND_PARAMETERS                             0x86
#define NDIS_OBJECT_TYPE_OPEN_PARAMETERS                             0x87
#define NDIS_OBJECT_TYPE_RSS_CAPABILITIES                            0x88
#define NDIS_OBJECT_TYPE_RSS_PARAMETERS                              0x89
#define NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS             0x8A
#define NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS               0x8B
#define NDIS_OBJECT_TYPE_FILTER_PARTIAL_CHARACTERISTICS              0x8C
#define NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES                           0x8D
#define NDIS_OBJECT_TYPE_CLIENT_CHIMNEY_OFFLOAD_GENERIC_CHARACTERISTICS 0x8E
#define NDIS_OBJECT_TYPE_PROVIDER_CHIMNEY_OFFLOAD_GENERIC_CHARACTERISTICS 0x8F
#define NDIS_OBJECT_TYPE_CO_PROTOCOL_CHARACTERISTICS                 0x90
#define NDIS_OBJECT_TYPE_CO_MINIPORT_CHARACTERISTICS                 0x91
#define NDIS_OBJECT_TYPE_MINIPORT_PNP_CHARACTERISTICS                0x92
#define NDIS_OBJECT_TYPE_CLIENT_CHIMNEY_OFFLOAD_CHARACTERISTICS      0x93
#define NDIS_OBJECT_TYPE_PROVIDER_CHIMNEY_OFFLOAD_CHARACTERISTICS    0x94
#define NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS             0x95
#define NDIS_OBJECT_TYPE_REQUEST_EX                                  0x96
#define NDIS_OBJECT_TYPE_OID_REQUEST                                 0x96
#define NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS                       0x97
#define NDIS_OBJECT_TYPE_STATUS_INDICATION                           0x98
#define NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS                    0x99
#define NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS                     0x9A
#define NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS                   0x9B
#define NDIS_OBJECT_TYPE_PORT_CHARACTERISTICS                        0x9C
#define NDIS_OBJECT_TYPE_PORT_STATE                                  0x9D
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES    0x9E
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES         0x9F
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES         0xA0
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_NATIVE_802_11_ATTRIBUTES   0xA1
#define NDIS_OBJECT_TYPE_RESTART_GENERAL_ATTRIBUTES                  0xA2
#define NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS                 0xA3
#define NDIS_OBJECT_TYPE_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES 0xA4
#define NDIS_OBJECT_TYPE_CO_CALL_MANAGER_OPTIONAL_HANDLERS           0xA5
#define NDIS_OBJECT_TYPE_CO_CLIENT_OPTIONAL_HANDLERS                 0xA6
#define NDIS_OBJECT_TYPE_OFFLOAD                                     0xA7
#define NDIS_OBJECT_TYPE_OFFLOAD_ENCAPSULATION                       0xA8
#define NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT                        0xA9
#define NDIS_OBJECT_TYPE_DRIVER_WRAPPER_OBJECT                       0xAA
#if NDIS_SUPPORT_NDIS61
#define NDIS_OBJECT_TYPE_HD_SPLIT_ATTRIBUTES                         0xAB
#endif
#define NDIS_OBJECT_TYPE_NSI_NETWORK_RW_STRUCT                       0xAC
#define NDIS_OBJECT_TYPE_NSI_COMPARTMENT_RW_STRUCT                   0xAD
#define NDIS_OBJECT_TYPE_NSI_INTERFACE_PERSIST_RW_STRUCT             0xAE
#if NDIS_SUPPORT_NDIS61
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES 0xAF
#endif
#if NDIS_SUPPORT_NDIS620
#define NDIS_OBJECT_TYPE_SHARED_MEMORY_PROVIDER_CHARACTERISTICS      0xB0
#define NDIS_OBJECT_TYPE_RSS_PROCESSOR_INFO                          0xB1
#endif

/* ------------------------------------------------------------------------
 * MDL / NDIS_BUFFER (wdm.h).  No page list (PFN array) follows the header:
 * the shim finds an MDL's pages from its system address, MappedSystemVa,
 * which is valid when MdlFlags has MDL_MAPPED_TO_SYSTEM_VA or
 * MDL_SOURCE_IS_NONPAGED_POOL (what NdisAllocateMdl and
 * MmBuildMdlForNonPagedPool build).  The DMA calls refuse any other MDL
 * (Documentation/porting.rst).  StartVa + ByteOffset is the address in the
 * context the MDL was built in, possibly a user process.
 * ------------------------------------------------------------------------ */

typedef struct _MDL {
	struct _MDL *Next;
	CSHORT Size;
	CSHORT MdlFlags;
	struct _EPROCESS *Process;
	PVOID MappedSystemVa;
	PVOID StartVa;		/* page-aligned start */
	ULONG ByteCount;
	ULONG ByteOffset;	/* offset of the data within the first page */
} MDL, *PMDL;

typedef MDL NDIS_BUFFER, *PNDIS_BUFFER;

#define MDL_MAPPED_TO_SYSTEM_VA     0x0001
#define MDL_PAGES_LOCKED            0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE    0x0008
#define MDL_PARTIAL                 0x0010
#define MDL_PARTIAL_HAS_BEEN_MAPPED 0x0020
#define MDL_IO_PAGE_READ            0x0040
#define MDL_WRITE_OPERATION         0x0080
#define MDL_IO_SPACE                0x0800
#define MDL_NETWORK_HEADER          0x1000
#define MDL_MAPPING_CAN_FAIL        0x2000

typedef enum _MM_PAGE_PRIORITY {
	LowPagePriority = 0,
	NormalPagePriority = 16,
	HighPagePriority = 32
} MM_PAGE_PRIORITY;

/* OR-ed into the priority argument of the mapping calls. */
#define MdlMappingNoWrite   0x80000000
#define MdlMappingNoExecute 0x40000000

typedef enum _EX_POOL_PRIORITY {
	LowPoolPriority = 0,
	LowPoolPrioritySpecialPoolOverrun = 8,
	LowPoolPrioritySpecialPoolUnderrun = 9,
	NormalPoolPriority = 16,
	NormalPoolPrioritySpecialPoolOverrun = 24,
	NormalPoolPrioritySpecialPoolUnderrun = 25,
	HighPoolPriority = 32,
	HighPoolPrioritySpecialPoolOverrun = 40,
	HighPoolPrioritySpecialPoolUnderrun = 41
} EX_POOL_PRIORITY;

#define MmGetMdlVirtualAddress(_Mdl) \
	((PVOID)((PCHAR)((_Mdl)->StartVa) + (_Mdl)->ByteOffset))
#define MmGetMdlByteCount(_Mdl)      ((_Mdl)->ByteCount)
#define MmGetMdlByteOffset(_Mdl)     ((_Mdl)->ByteOffset)
#define MmGetMdlBaseVa(_Mdl)         ((_Mdl)->StartVa)

/*
 * MappedSystemVa when a flag says it is valid.  Windows would map any other
 * MDL from its page list; the shim has none, so it yields NULL, the
 * documented failure value.
 */
#define MmGetSystemAddressForMdlSafe(_Mdl, _Priority)                    \
	((void)(_Priority),                                                \
	 (((_Mdl)->MdlFlags &                                              \
	   (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) ?      \
		  (_Mdl)->MappedSystemVa : (PVOID)NULL))

/*
 * An MDL for _Length bytes at _BaseVa, not yet built: no flag, so no system
 * address.  Size is the header's alone (no page list follows it).
 */
#define MmInitializeMdl(_MemoryDescriptorList, _BaseVa, _Length)           \
	do {                                                                 \
		(_MemoryDescriptorList)->Next = (PMDL)NULL;                  \
		(_MemoryDescriptorList)->Size = (CSHORT)sizeof(MDL);         \
		(_MemoryDescriptorList)->MdlFlags = 0;                       \
		(_MemoryDescriptorList)->StartVa = (PVOID)((ULONG_PTR)(_BaseVa) & \
			~(ULONG_PTR)(__NDIS_PAGE_SIZE - 1));                 \
		(_MemoryDescriptorList)->ByteOffset = (ULONG)((ULONG_PTR)(_BaseVa) & \
			(__NDIS_PAGE_SIZE - 1));                             \
		(_MemoryDescriptorList)->ByteCount = (ULONG)(_Length);       \
	} while (0)

/*
 * Builds an MDL whose StartVa/ByteOffset describe nonpaged kernel memory:
 * as on Windows, MappedSystemVa = StartVa + ByteOffset and
 * MDL_SOURCE_IS_NONPAGED_POOL (there is no page list to fill in).
 */
#define MmBuildMdlForNonPagedPool(_MemoryDescriptorList)                   \
	do {                                                                 \
		(_MemoryDescriptorList)->Process = NULL;                     \
		(_MemoryDescriptorList)->MappedSystemVa =                    \
			MmGetMdlVirtualAddress(_MemoryDescriptorList);       \
		(_MemoryDescriptorList)->MdlFlags |=                         \
			MDL_SOURCE_IS_NONPAGED_POOL;                         \
	} while (0)

#define NDIS_BUFFER_LINKAGE(_Buffer) ((_Buffer)->Next)
#define NDIS_MDL_LINKAGE(_Mdl)       ((_Mdl)->Next)
#define NdisGetNextMdl(_CurrentMdl, _NextMdl) \
	do { *(_NextMdl) = (_CurrentMdl)->Next; } while (0)

#define NdisQueryMdl(_Mdl, _VirtualAddress, _Length, _Priority)          \
	do {                                                               \
		if (ARGUMENT_PRESENT(_VirtualAddress))                     \
			*(PVOID *)(_VirtualAddress) =                      \
				MmGetSystemAddressForMdlSafe(_Mdl, _Priority); \
		*(_Length) = MmGetMdlByteCount(_Mdl);                      \
	} while (0)

#define NdisQueryMdlOffset(_Mdl, _Offset, _Length)                       \
	do {                                                               \
		*(_Offset) = MmGetMdlByteOffset(_Mdl);                     \
		*(_Length) = MmGetMdlByteCount(_Mdl);                      \
	} while (0)

#define NdisQueryBuffer(_Buffer, _VirtualAddress, _Length) \
	NdisQueryMdl(_Buffer, _VirtualAddress, _Length, NormalPagePriority)
#define NdisQueryBufferSafe(_Buffer, _VirtualAddress, _Length, _Priority) \
	NdisQueryMdl(_Buffer, _VirtualAddress, _Length, _Priority)
#define NdisQueryBufferOffset(_Buffer, _Offset, _Length) \
	NdisQueryMdlOffset(_Buffer, _Offset, _Length)

/* NDIS 5 names for walking a buffer chain (ndis.h macros in the WDK). */
#define NdisGetNextBuffer(_CurrentBuffer, _NextBuffer) \
	do { *(_NextBuffer) = (_CurrentBuffer)->Next; } while (0)
#define NdisBufferLength(_Buffer) MmGetMdlByteCount(_Buffer)
#define NdisBufferVirtualAddressSafe(_Buffer, _Priority) \
	MmGetSystemAddressForMdlSafe(_Buffer, _Priority)

/* ------------------------------------------------------------------------
 * Hardware resources (wdm.h).  Windows packs these to 4 bytes, which puts
 * the 8-byte Interrupt.Affinity at offset 12 and makes a descriptor 20
 * bytes on Win64.
 * ------------------------------------------------------------------------ */

#define CmResourceTypeNull            0
#define CmResourceTypePort            1
#define CmResourceTypeInterrupt       2
#define CmResourceTypeMemory          3
#define CmResourceTypeDma             4
#define CmResourceTypeDeviceSpecific  5
#define CmResourceTypeBusNumber       6
#define CmResourceTypeMemoryLarge     7
#define CmResourceTypeNonArbitrated   128
#define CmResourceTypeConfigData      128
#define CmResourceTypeDevicePrivate   129
#define CmResourceTypePcCardConfig    130
#define CmResourceTypeMfCardConfig    131
#define CmResourceTypeConnection      132

typedef enum _CM_SHARE_DISPOSITION {
	CmResourceShareUndetermined = 0,
	CmResourceShareDeviceExclusive,
	CmResourceShareDriverExclusive,
	CmResourceShareShared
} CM_SHARE_DISPOSITION;

#define CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE   0x0000
#define CM_RESOURCE_INTERRUPT_LATCHED           0x0001
#define CM_RESOURCE_INTERRUPT_MESSAGE           0x0002
#define CM_RESOURCE_INTERRUPT_POLICY_INCLUDED   0x0004

#define CM_RESOURCE_MEMORY_READ_WRITE           0x0000
#define CM_RESOURCE_MEMORY_READ_ONLY            0x0001
#define CM_RESOURCE_MEMORY_WRITE_ONLY           0x0002
#define CM_RESOURCE_MEMORY_PREFETCHABLE         0x0004
#define CM_RESOURCE_MEMORY_COMBINEDWRITE        0x0008
#define CM_RESOURCE_MEMORY_24                   0x0010
#define CM_RESOURCE_MEMORY_CACHEABLE            0x0020
#define CM_RESOURCE_MEMORY_WINDOW_DECODE        0x0040
#define CM_RESOURCE_MEMORY_BAR                  0x0080
#define CM_RESOURCE_MEMORY_LARGE_40             0x0200
#define CM_RESOURCE_MEMORY_LARGE_48             0x0400
#define CM_RESOURCE_MEMORY_LARGE_64             0x0800

#define CM_RESOURCE_PORT_MEMORY                 0x0000
#define CM_RESOURCE_PORT_IO                     0x0001
#define CM_RESOURCE_PORT_10_BIT_DECODE          0x0004
#define CM_RESOURCE_PORT_12_BIT_DECODE          0x0008
#define CM_RESOURCE_PORT_16_BIT_DECODE          0x0010
#define CM_RESOURCE_PORT_POSITIVE_DECODE        0x0020
#define CM_RESOURCE_PORT_PASSIVE_DECODE         0x0040
#define CM_RESOURCE_PORT_WINDOW_DECODE          0x0080
#define CM_RESOURCE_PORT_BAR                    0x0100

#pragma pack(push, 4)

typedef struct _CM_PARTIAL_RESOURCE_DESCRIPTOR {
	UCHAR Type;			/* CmResourceTypeXxx */
	UCHAR ShareDisposition;		/* CM_SHARE_DISPOSITION */
	USHORT Flags;
	union {
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length;
		} Generic;
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length;
		} Port;
		struct {
			USHORT Level;
			USHORT Group;
			ULONG Vector;
			KAFFINITY Affinity;
		} Interrupt;
		struct {
			union {
				struct {
					USHORT Group;
					USHORT MessageCount;
					ULONG Vector;
					KAFFINITY Affinity;
				} Raw;
				struct {
					USHORT Level;
					USHORT Group;
					ULONG Vector;
					KAFFINITY Affinity;
				} Translated;
			};
		} MessageInterrupt;
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length;
		} Memory;
		struct {
			ULONG Channel;
			ULONG Port;
			ULONG Reserved1;
		} Dma;
		struct {
			ULONG Data[3];
		} DevicePrivate;
		struct {
			ULONG Start;
			ULONG Length;
			ULONG Reserved;
		} BusNumber;
		struct {
			ULONG DataSize;
			ULONG Reserved1;
			ULONG Reserved2;
		} DeviceSpecificData;
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length40;
		} Memory40;
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length48;
		} Memory48;
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length64;
		} Memory64;
	} u;
} CM_PARTIAL_RESOURCE_DESCRIPTOR, *PCM_PARTIAL_RESOURCE_DESCRIPTOR;

typedef struct _CM_PARTIAL_RESOURCE_LIST {
	USHORT Version;
	USHORT Revision;
	ULONG Count;
	CM_PARTIAL_RESOURCE_DESCRIPTOR PartialDescriptors[1];	/* Count of them */
} CM_PARTIAL_RESOURCE_LIST, *PCM_PARTIAL_RESOURCE_LIST;

#pragma pack(pop)

typedef CM_PARTIAL_RESOURCE_LIST NDIS_RESOURCE_LIST, *PNDIS_RESOURCE_LIST;

typedef enum _NDIS_INTERFACE_TYPE {
	NdisInterfaceInternal = 0,
	NdisInterfaceIsa = 1,
	NdisInterfaceEisa = 2,
	NdisInterfaceMca = 3,
	NdisInterfaceTurboChannel = 4,
	NdisInterfacePci = 5,
	NdisInterfacePcMcia = 8,
	NdisInterfaceCBus = 9,
	NdisInterfaceMPIBus = 10,
	NdisInterfaceMPSABus = 11,
	NdisInterfaceProcessorInternal = 12,
	NdisInterfaceInternalPowerBus = 13,
	NdisInterfacePNPISABus = 14,
	NdisInterfacePNPBus = 15,
	NdisInterfaceUSB = 16,
	NdisInterfaceIrda = 17,
	NdisInterface1394 = 18,
	NdisMaximumInterfaceType = 19
} NDIS_INTERFACE_TYPE, *PNDIS_INTERFACE_TYPE;

/* NdisMGetBusData / NdisMSetBusData address spaces. */
#define PCI_WHICHSPACE_CONFIG 0x0
#define PCI_WHICHSPACE_ROM    0x52696350

/* ------------------------------------------------------------------------
 * Spin locks.  NdisAcquireSpinLock raises to DISPATCH_LEVEL (bottom halves
 * off on Linux); the Dpr variants are for code already at DISPATCH_LEVEL.
 * NdisAllocateSpinLock is a macro so that lockdep gets one class per site.
 * ------------------------------------------------------------------------ */

#ifdef __KERNEL__

typedef struct _NDIS_SPIN_LOCK {
	spinlock_t SpinLock;
	KIRQL OldIrql;		/* kept for source compatibility; unused */
} NDIS_SPIN_LOCK, *PNDIS_SPIN_LOCK;

#define NdisAllocateSpinLock(_L)   spin_lock_init(&(_L)->SpinLock)
#define NdisFreeSpinLock(_L)       ((void)(_L))
#define NdisAcquireSpinLock(_L)    spin_lock_bh(&(_L)->SpinLock)
#define NdisReleaseSpinLock(_L)    spin_unlock_bh(&(_L)->SpinLock)
#define NdisDprAcquireSpinLock(_L) spin_lock(&(_L)->SpinLock)
#define NdisDprReleaseSpinLock(_L) spin_unlock(&(_L)->SpinLock)

#else /* host: only needs to type-check */

typedef struct _NDIS_SPIN_LOCK {
	ULONG_PTR SpinLock;
	KIRQL OldIrql;
} NDIS_SPIN_LOCK, *PNDIS_SPIN_LOCK;

#define NdisAllocateSpinLock(_L)   ((void)(_L)->SpinLock)
#define NdisFreeSpinLock(_L)       ((void)(_L)->SpinLock)
#define NdisAcquireSpinLock(_L)    ((void)(_L)->SpinLock)
#define NdisReleaseSpinLock(_L)    ((void)(_L)->SpinLock)
#define NdisDprAcquireSpinLock(_L) ((void)(_L)->SpinLock)
#define NdisDprReleaseSpinLock(_L) ((void)(_L)->SpinLock)

#endif /* __KERNEL__ */

/* ------------------------------------------------------------------------
 * Memory-mapped register access.  Register is the address returned by
 * NdisMMapIoSpace plus an offset, usually cast to PULONG/PUSHORT/PUCHAR.
 * ------------------------------------------------------------------------ */

#ifdef __KERNEL__

#define __NDIS_IOMEM(_R) ((volatile void __force __iomem *)(_R))

#define NdisReadRegisterUlong(_Reg, _Data)  (*(_Data) = readl(__NDIS_IOMEM(_Reg)))
#define NdisReadRegisterUshort(_Reg, _Data) (*(_Data) = readw(__NDIS_IOMEM(_Reg)))
#define NdisReadRegisterUchar(_Reg, _Data)  (*(_Data) = readb(__NDIS_IOMEM(_Reg)))
#define NdisWriteRegisterUlong(_Reg, _Val)  writel((ULONG)(_Val), __NDIS_IOMEM(_Reg))
#define NdisWriteRegisterUshort(_Reg, _Val) writew((USHORT)(_Val), __NDIS_IOMEM(_Reg))
#define NdisWriteRegisterUchar(_Reg, _Val)  writeb((UCHAR)(_Val), __NDIS_IOMEM(_Reg))

#else

#define NdisReadRegisterUlong(_Reg, _Data)  (*(_Data) = *(volatile ULONG *)(_Reg))
#define NdisReadRegisterUshort(_Reg, _Data) (*(_Data) = *(volatile USHORT *)(_Reg))
#define NdisReadRegisterUchar(_Reg, _Data)  (*(_Data) = *(volatile UCHAR *)(_Reg))
#define NdisWriteRegisterUlong(_Reg, _Val)  (*(volatile ULONG *)(_Reg) = (ULONG)(_Val))
#define NdisWriteRegisterUshort(_Reg, _Val) (*(volatile USHORT *)(_Reg) = (USHORT)(_Val))
#define NdisWriteRegisterUchar(_Reg, _Val)  (*(volatile UCHAR *)(_Reg) = (UCHAR)(_Val))

#endif /* __KERNEL__ */

/* ------------------------------------------------------------------------
 * NDIS 6 objects the handlers below pass around, declared here and
 * defined further down (NET_BUFFER, NET_BUFFER_LIST, NDIS_OID_REQUEST,
 * NET_DEVICE_PNP_EVENT); the pause and restart parameters stay opaque.
 * ------------------------------------------------------------------------ */

typedef struct _NET_BUFFER NET_BUFFER, *PNET_BUFFER;
typedef struct _NET_BUFFER_LIST NET_BUFFER_LIST, *PNET_BUFFER_LIST;
typedef struct _NDIS_OID_REQUEST NDIS_OID_REQUEST, *PNDIS_OID_REQUEST;
typedef struct _NDIS_MINIPORT_PAUSE_PARAMETERS NDIS_MINIPORT_PAUSE_PARAMETERS,
	*PNDIS_MINIPORT_PAUSE_PARAMETERS;
typedef struct _NDIS_MINIPORT_RESTART_PARAMETERS NDIS_MINIPORT_RESTART_PARAMETERS,
	*PNDIS_MINIPORT_RESTART_PARAMETERS;
typedef struct _NET_DEVICE_PNP_EVENT NET_DEVICE_PNP_EVENT, *PNET_DEVICE_PNP_EVENT;
typedef struct _NDIS_PORT_AUTHENTICATION_PARAMETERS NDIS_PORT_AUTHENTICATION_PARAMETERS,
	*PNDIS_PORT_AUTHENTICATION_PARAMETERS;
typedef struct _NDIS_PCI_DEVICE_CUSTOM_PROPERTIES NDIS_PCI_DEVICE_CUSTOM_PROPERTIES,
	*PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES;
typedef struct _IO_INTERRUPT_MESSAGE_INFO IO_INTERRUPT_MESSAGE_INFO,
	*PIO_INTERRUPT_MESSAGE_INFO;

typedef enum _NDIS_HALT_ACTION {
	NdisHaltDeviceDisabled,
	NdisHaltDeviceInstanceDeInitialized,
	NdisHaltDevicePoweredDown,
	NdisHaltDeviceSurpriseRemoved,
	NdisHaltDeviceFailed,
	NdisHaltDeviceInitializationFailed,
	NdisHaltDeviceStopped
} NDIS_HALT_ACTION, *PNDIS_HALT_ACTION;

typedef enum _NDIS_SHUTDOWN_ACTION {
	NdisShutdownPowerOff,
	NdisShutdownBugCheck
} NDIS_SHUTDOWN_ACTION, *PNDIS_SHUTDOWN_ACTION;

typedef enum _NDIS_DEVICE_PNP_EVENT {
	NdisDevicePnPEventQueryRemoved,
	NdisDevicePnPEventRemoved,
	NdisDevicePnPEventSurpriseRemoved,
	NdisDevicePnPEventQueryStopped,
	NdisDevicePnPEventStopped,
	NdisDevicePnPEventPowerProfileChanged,
	NdisDevicePnPEventFilterListChanged,
	NdisDevicePnPEventMaximum
} NDIS_DEVICE_PNP_EVENT, *PNDIS_DEVICE_PNP_EVENT;

/* The ULONG InformationBuffer points to with
 * NdisDevicePnPEventPowerProfileChanged. */
typedef enum _NDIS_POWER_PROFILE {
	NdisPowerProfileBattery,
	NdisPowerProfileAcOnline
} NDIS_POWER_PROFILE, *PNDIS_POWER_PROFILE;

/* ------------------------------------------------------------------------
 * MiniportPause and MiniportRestart parameters (NDIS_OBJECT_TYPE_DEFAULT)
 * ------------------------------------------------------------------------ */

#define NDIS_MINIPORT_PAUSE_PARAMETERS_REVISION_1 1

struct _NDIS_MINIPORT_PAUSE_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	ULONG Flags;
	ULONG PauseReason;		/* NDIS_PAUSE_* */
};

#define NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_PAUSE_PARAMETERS, PauseReason)

#define NDIS_PAUSE_NDIS_INTERNAL                0x00000001
#define NDIS_PAUSE_LOW_POWER                    0x00000002
#define NDIS_PAUSE_BIND_PROTOCOL                0x00000004
#define NDIS_PAUSE_UNBIND_PROTOCOL              0x00000008
#define NDIS_PAUSE_ATTACH_FILTER                0x00000010
#define NDIS_PAUSE_DETACH_FILTER                0x00000020
#define NDIS_PAUSE_FILTER_RESTART_STACK         0x00000040
#define NDIS_PAUSE_MINIPORT_DEVICE_REMOVE       0x00000080

typedef struct _NDIS_RESTART_ATTRIBUTES NDIS_RESTART_ATTRIBUTES, *PNDIS_RESTART_ATTRIBUTES;
struct _NDIS_RESTART_ATTRIBUTES {
	PNDIS_RESTART_ATTRIBUTES Next;
	NDIS_OID Oid;
	ULONG DataLength;
	DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) UCHAR Data[1];
};

#define NDIS_MINIPORT_RESTART_PARAMETERS_REVISION_1 1

struct _NDIS_MINIPORT_RESTART_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	PNDIS_RESTART_ATTRIBUTES RestartAttributes;	/* the shim passes NULL */
	ULONG Flags;
};

#define NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_RESTART_PARAMETERS, Flags)

/* ------------------------------------------------------------------------
 * MiniportInitializeEx parameters
 * ------------------------------------------------------------------------ */

#define NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1 1

typedef struct _NDIS_MINIPORT_INIT_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	ULONG Flags;
	PNDIS_RESOURCE_LIST AllocatedResources;	/* translated resources */
	NDIS_HANDLE IMDeviceInstanceContext;
	NDIS_HANDLE MiniportAddDeviceContext;
	NET_IFINDEX IfIndex;
	NET_LUID NetLuid;
	PNDIS_PORT_AUTHENTICATION_PARAMETERS DefaultPortAuthStates;
	PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES PciDeviceCustomProperties;
} NDIS_MINIPORT_INIT_PARAMETERS, *PNDIS_MINIPORT_INIT_PARAMETERS;

#define NDIS_SIZEOF_MINIPORT_INIT_PARAMETERS_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_INIT_PARAMETERS, PciDeviceCustomProperties)

/* ------------------------------------------------------------------------
 * Miniport driver characteristics and handler types
 * ------------------------------------------------------------------------ */

typedef NDIS_STATUS (SET_OPTIONS)(
	_In_ NDIS_HANDLE NdisDriverHandle,
	_In_ NDIS_HANDLE DriverContext);
typedef SET_OPTIONS (*SET_OPTIONS_HANDLER);
typedef SET_OPTIONS (MINIPORT_SET_OPTIONS);

typedef NDIS_STATUS (MINIPORT_INITIALIZE)(
	_In_ NDIS_HANDLE NdisMiniportHandle,
	_In_ NDIS_HANDLE MiniportDriverContext,
	_In_ PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters);
typedef MINIPORT_INITIALIZE (*MINIPORT_INITIALIZE_HANDLER);

typedef VOID (MINIPORT_HALT)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_HALT_ACTION HaltAction);
typedef MINIPORT_HALT (*MINIPORT_HALT_HANDLER);

typedef VOID (MINIPORT_UNLOAD)(
	_In_ PDRIVER_OBJECT DriverObject);
typedef MINIPORT_UNLOAD (*MINIPORT_UNLOAD_HANDLER);

typedef NDIS_STATUS (MINIPORT_PAUSE)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters);
typedef MINIPORT_PAUSE (*MINIPORT_PAUSE_HANDLER);

typedef NDIS_STATUS (MINIPORT_RESTART)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters);
typedef MINIPORT_RESTART (*MINIPORT_RESTART_HANDLER);

typedef NDIS_STATUS (MINIPORT_OID_REQUEST)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_OID_REQUEST OidRequest);
typedef MINIPORT_OID_REQUEST (*MINIPORT_OID_REQUEST_HANDLER);

typedef VOID (MINIPORT_SEND_NET_BUFFER_LISTS)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNET_BUFFER_LIST NetBufferList,
	_In_ NDIS_PORT_NUMBER PortNumber,
	_In_ ULONG SendFlags);
typedef MINIPORT_SEND_NET_BUFFER_LISTS (*MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER);

typedef VOID (MINIPORT_RETURN_NET_BUFFER_LISTS)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNET_BUFFER_LIST NetBufferLists,
	_In_ ULONG ReturnFlags);
typedef MINIPORT_RETURN_NET_BUFFER_LISTS (*MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER);

typedef VOID (MINIPORT_CANCEL_SEND)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID CancelId);
typedef MINIPORT_CANCEL_SEND (*MINIPORT_CANCEL_SEND_HANDLER);

typedef BOOLEAN (MINIPORT_CHECK_FOR_HANG)(
	_In_ NDIS_HANDLE MiniportAdapterContext);
typedef MINIPORT_CHECK_FOR_HANG (*MINIPORT_CHECK_FOR_HANG_HANDLER);

typedef NDIS_STATUS (MINIPORT_RESET)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_Out_ PBOOLEAN AddressingReset);
typedef MINIPORT_RESET (*MINIPORT_RESET_HANDLER);

typedef VOID (MINIPORT_DEVICE_PNP_EVENT_NOTIFY)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNET_DEVICE_PNP_EVENT NetDevicePnPEvent);
typedef MINIPORT_DEVICE_PNP_EVENT_NOTIFY (*MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER);

typedef VOID (MINIPORT_SHUTDOWN)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_SHUTDOWN_ACTION ShutdownAction);
typedef MINIPORT_SHUTDOWN (*MINIPORT_SHUTDOWN_HANDLER);

typedef VOID (MINIPORT_CANCEL_OID_REQUEST)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID RequestId);
typedef MINIPORT_CANCEL_OID_REQUEST (*MINIPORT_CANCEL_OID_REQUEST_HANDLER);

typedef NDIS_STATUS (MINIPORT_DIRECT_OID_REQUEST)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_OID_REQUEST OidRequest);
typedef MINIPORT_DIRECT_OID_REQUEST (*MINIPORT_DIRECT_OID_REQUEST_HANDLER);

typedef VOID (MINIPORT_CANCEL_DIRECT_OID_REQUEST)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID RequestId);
typedef MINIPORT_CANCEL_DIRECT_OID_REQUEST (*MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER);

#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 1
#if NDIS_SUPPORT_NDIS61
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 2
#endif

/* Flags */
#define NDIS_WDM_DRIVER                         0x00000001
#define NDIS_INTERMEDIATE_DRIVER                0x00000002

typedef struct _NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
	NDIS_OBJECT_HEADER Header;
	UCHAR MajorNdisVersion;
	UCHAR MinorNdisVersion;
	UCHAR MajorDriverVersion;
	UCHAR MinorDriverVersion;
	ULONG Flags;
	SET_OPTIONS_HANDLER SetOptionsHandler;
	MINIPORT_INITIALIZE_HANDLER InitializeHandlerEx;
	MINIPORT_HALT_HANDLER HaltHandlerEx;
	MINIPORT_UNLOAD_HANDLER UnloadHandler;
	MINIPORT_PAUSE_HANDLER PauseHandler;
	MINIPORT_RESTART_HANDLER RestartHandler;
	MINIPORT_OID_REQUEST_HANDLER OidRequestHandler;
	MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER SendNetBufferListsHandler;
	MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER ReturnNetBufferListsHandler;
	MINIPORT_CANCEL_SEND_HANDLER CancelSendHandler;
	MINIPORT_CHECK_FOR_HANG_HANDLER CheckForHangHandlerEx;
	MINIPORT_RESET_HANDLER ResetHandlerEx;
	MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER DevicePnPEventNotifyHandler;
	MINIPORT_SHUTDOWN_HANDLER ShutdownHandlerEx;
	MINIPORT_CANCEL_OID_REQUEST_HANDLER CancelOidRequestHandler;
#if NDIS_SUPPORT_NDIS61
	MINIPORT_DIRECT_OID_REQUEST_HANDLER DirectOidRequestHandler;
	MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER CancelDirectOidRequestHandler;
#endif
} NDIS_MINIPORT_DRIVER_CHARACTERISTICS, *PNDIS_MINIPORT_DRIVER_CHARACTERISTICS;

#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelOidRequestHandler)
#if NDIS_SUPPORT_NDIS61
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelDirectOidRequestHandler)
#endif
#if !defined(NDIS_MINIPORT_DRIVER)
/* NDIS 6.80 (revision 3) appends SynchronousOidRequestHandler. No contract
 * this header offers declares it, but the shim accepts the larger
 * structure by its size (and reads it only through revision 2). */
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3 \
	(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 + sizeof(PVOID))
#endif

/* ------------------------------------------------------------------------
 * Adapter attributes (NdisMSetMiniportAttributes)
 * ------------------------------------------------------------------------ */

/* NDIS 6 AttributeFlags (not the NDIS 5 NDIS_ATTRIBUTE_* values). */
#define NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE        0x00000001
#define NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM               0x00000002
#define NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK     0x00000004
#define NDIS_MINIPORT_ATTRIBUTES_NOT_CO_NDIS            0x00000008
#define NDIS_MINIPORT_ATTRIBUTES_DO_NOT_BIND_TO_ALL_CO  0x00000010
#define NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND     0x00000020
#define NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER             0x00000040
#define NDIS_MINIPORT_ATTRIBUTES_CONTROLS_DEFAULT_PORT  0x00000080
#if NDIS_SUPPORT_NDIS630
#define NDIS_MINIPORT_ATTRIBUTES_NO_PAUSE_ON_SUSPEND    0x00000100
#define NDIS_MINIPORT_ATTRIBUTES_NO_OID_INTERCEPT_ON_NONDEFAULT_PORTS 0x00000200
#define NDIS_MINIPORT_ATTRIBUTES_REGISTER_BUGCHECK_CALLBACK 0x00000400
#endif

#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 1
#if NDIS_SUPPORT_NDIS630
/* Same layout as revision 1; the revision only advertises 6.30 flags. */
#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2 2
#endif

typedef struct _NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
	NDIS_OBJECT_HEADER Header;
	NDIS_HANDLE MiniportAdapterContext;
	ULONG AttributeFlags;
	UINT CheckForHangTimeInSeconds;
	NDIS_INTERFACE_TYPE InterfaceType;
} NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
	*PNDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;

#define NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType)
#if NDIS_SUPPORT_NDIS630
#define NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType)
#endif

#define NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES_REVISION_1 1

typedef struct _NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES {
	NDIS_OBJECT_HEADER Header;
	NDIS_HANDLE MiniportAddDeviceContext;
	ULONG Flags;
} NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES,
	*PNDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES;

/* The media NDIS knows (ntddndis.h); NDIS 5 and 6 alike. */
typedef enum _NDIS_MEDIUM {
	NdisMedium802_3,
	NdisMedium802_5,
	NdisMediumFddi,
	NdisMediumWan,
	NdisMediumLocalTalk,
	NdisMediumDix,
	NdisMediumArcnetRaw,
	NdisMediumArcnet878_2,
	NdisMediumAtm,
	NdisMediumWirelessWan,
	NdisMediumIrda,
	NdisMediumBpc,
	NdisMediumCoWan,
	NdisMedium1394,
	NdisMediumInfiniBand,
	NdisMediumTunnel,
	NdisMediumNative802_11,
	NdisMediumLoopback,
	NdisMediumWiMAX,
	NdisMediumIP,
	NdisMediumMax
} NDIS_MEDIUM, *PNDIS_MEDIUM;

/* ------------------------------------------------------------------------
 * General and offload attributes (NdisMSetMiniportAttributes), link state.
 * Declared as the WDK declares them; the shim does not read them yet
 * (NdisMSetMiniportAttributes accepts general attributes and ignores
 * them).  Pointer members to structures this header does not define
 * (power management, RSS, TCP chimney) are opaque.
 * ------------------------------------------------------------------------ */

typedef enum _NDIS_PHYSICAL_MEDIUM {
	NdisPhysicalMediumUnspecified,
	NdisPhysicalMediumWirelessLan,
	NdisPhysicalMediumCableModem,
	NdisPhysicalMediumPhoneLine,
	NdisPhysicalMediumPowerLine,
	NdisPhysicalMediumDSL,
	NdisPhysicalMediumFibreChannel,
	NdisPhysicalMedium1394,
	NdisPhysicalMediumWirelessWan,
	NdisPhysicalMediumNative802_11,
	NdisPhysicalMediumBluetooth,
	NdisPhysicalMediumInfiniband,
	NdisPhysicalMediumWiMax,
	NdisPhysicalMediumUWB,
	NdisPhysicalMedium802_3,
	NdisPhysicalMedium802_5,
	NdisPhysicalMediumIrda,
	NdisPhysicalMediumWiredWAN,
	NdisPhysicalMediumWiredCoWan,
	NdisPhysicalMediumOther
} NDIS_PHYSICAL_MEDIUM, *PNDIS_PHYSICAL_MEDIUM;

typedef enum _NDIS_MEDIA_CONNECT_STATE {
	MediaConnectStateUnknown,
	MediaConnectStateConnected,
	MediaConnectStateDisconnected
} NDIS_MEDIA_CONNECT_STATE, *PNDIS_MEDIA_CONNECT_STATE;

typedef enum _NDIS_MEDIA_DUPLEX_STATE {
	MediaDuplexStateUnknown,
	MediaDuplexStateHalf,
	MediaDuplexStateFull
} NDIS_MEDIA_DUPLEX_STATE, *PNDIS_MEDIA_DUPLEX_STATE;

typedef enum _NDIS_SUPPORTED_PAUSE_FUNCTIONS {
	NdisPauseFunctionsUnsupported,
	NdisPauseFunctionsSendOnly,
	NdisPauseFunctionsReceiveOnly,
	NdisPauseFunctionsSendAndReceive,
	NdisPauseFunctionsUnknown
} NDIS_SUPPORTED_PAUSE_FUNCTIONS, *PNDIS_SUPPORTED_PAUSE_FUNCTIONS;

/* Interface types (ifdef.h, ipifcons.h) */
typedef enum _NET_IF_ACCESS_TYPE {
	NET_IF_ACCESS_LOOPBACK = 1,
	NET_IF_ACCESS_BROADCAST = 2,
	NET_IF_ACCESS_POINT_TO_POINT = 3,
	NET_IF_ACCESS_POINT_TO_MULTI_POINT = 4,
	NET_IF_ACCESS_MAXIMUM = 5
} NET_IF_ACCESS_TYPE, *PNET_IF_ACCESS_TYPE;

typedef enum _NET_IF_DIRECTION_TYPE {
	NET_IF_DIRECTION_SENDRECEIVE,
	NET_IF_DIRECTION_SENDONLY,
	NET_IF_DIRECTION_RECEIVEONLY,
	NET_IF_DIRECTION_MAXIMUM
} NET_IF_DIRECTION_TYPE, *PNET_IF_DIRECTION_TYPE;

typedef enum _NET_IF_CONNECTION_TYPE {
	NET_IF_CONNECTION_DEDICATED = 1,
	NET_IF_CONNECTION_PASSIVE = 2,
	NET_IF_CONNECTION_DEMAND = 3,
	NET_IF_CONNECTION_MAXIMUM = 4
} NET_IF_CONNECTION_TYPE, *PNET_IF_CONNECTION_TYPE;

typedef USHORT NET_IFTYPE, *PNET_IFTYPE;
#define IF_TYPE_ETHERNET_CSMACD 6

#define NET_IF_LINK_SPEED_UNKNOWN ((ULONG64)(-1))
#define NDIS_LINK_SPEED_UNKNOWN   NET_IF_LINK_SPEED_UNKNOWN

#define IF_MAX_PHYS_ADDRESS_LENGTH   32
#define NDIS_MAX_PHYS_ADDRESS_LENGTH IF_MAX_PHYS_ADDRESS_LENGTH

/* AutoNegotiationFlags */
#define NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED  0x00000001
#define NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED   0x00000002
#define NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED           0x00000004
#define NDIS_LINK_STATE_PAUSE_FUNCTIONS_AUTO_NEGOTIATED  0x00000008

/* NDIS_STATUS_LINK_STATE's buffer; Header.Type NDIS_OBJECT_TYPE_DEFAULT. */
#define NDIS_LINK_STATE_REVISION_1 1

typedef struct _NDIS_LINK_STATE {
	NDIS_OBJECT_HEADER Header;
	NDIS_MEDIA_CONNECT_STATE MediaConnectState;
	NDIS_MEDIA_DUPLEX_STATE MediaDuplexState;
	ULONG64 XmitLinkSpeed;		/* bits per second */
	ULONG64 RcvLinkSpeed;
	NDIS_SUPPORTED_PAUSE_FUNCTIONS PauseFunctions;
	ULONG AutoNegotiationFlags;
} NDIS_LINK_STATE, *PNDIS_LINK_STATE;

#define NDIS_SIZEOF_LINK_STATE_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_LINK_STATE, AutoNegotiationFlags)

/* MacOptions (OID_GEN_MAC_OPTIONS) */
#define NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA  0x00000001
#define NDIS_MAC_OPTION_RECEIVE_SERIALIZED   0x00000002
#define NDIS_MAC_OPTION_TRANSFERS_NOT_PEND   0x00000004
#define NDIS_MAC_OPTION_NO_LOOPBACK          0x00000008
#define NDIS_MAC_OPTION_FULL_DUPLEX          0x00000010
#define NDIS_MAC_OPTION_EOTX_INDICATION      0x00000020
#define NDIS_MAC_OPTION_8021P_PRIORITY       0x00000040
#define NDIS_MAC_OPTION_RESERVED             0x80000000

/* SupportedStatistics */
#define NDIS_STATISTICS_XMIT_OK_SUPPORTED                0x00000001
#define NDIS_STATISTICS_RCV_OK_SUPPORTED                 0x00000002
#define NDIS_STATISTICS_XMIT_ERROR_SUPPORTED             0x00000004
#define NDIS_STATISTICS_RCV_ERROR_SUPPORTED              0x00000008
#define NDIS_STATISTICS_RCV_NO_BUFFER_SUPPORTED          0x00000010
#define NDIS_STATISTICS_DIRECTED_BYTES_XMIT_SUPPORTED    0x00000020
#define NDIS_STATISTICS_DIRECTED_FRAMES_XMIT_SUPPORTED   0x00000040
#define NDIS_STATISTICS_MULTICAST_BYTES_XMIT_SUPPORTED   0x00000080
#define NDIS_STATISTICS_MULTICAST_FRAMES_XMIT_SUPPORTED  0x00000100
#define NDIS_STATISTICS_BROADCAST_BYTES_XMIT_SUPPORTED   0x00000200
#define NDIS_STATISTICS_BROADCAST_FRAMES_XMIT_SUPPORTED  0x00000400
#define NDIS_STATISTICS_DIRECTED_BYTES_RCV_SUPPORTED     0x00000800
#define NDIS_STATISTICS_DIRECTED_FRAMES_RCV_SUPPORTED    0x00001000
#define NDIS_STATISTICS_MULTICAST_BYTES_RCV_SUPPORTED    0x00002000
#define NDIS_STATISTICS_MULTICAST_FRAMES_RCV_SUPPORTED   0x00004000
#define NDIS_STATISTICS_BROADCAST_BYTES_RCV_SUPPORTED    0x00008000
#define NDIS_STATISTICS_BROADCAST_FRAMES_RCV_SUPPORTED   0x00010000
#define NDIS_STATISTICS_RCV_CRC_ERROR_SUPPORTED          0x00020000
#define NDIS_STATISTICS_TRANSMIT_QUEUE_LENGTH_SUPPORTED  0x00040000
#define NDIS_STATISTICS_BYTES_RCV_SUPPORTED              0x00080000
#define NDIS_STATISTICS_BYTES_XMIT_SUPPORTED             0x00100000
#define NDIS_STATISTICS_RCV_DISCARDS_SUPPORTED           0x00200000
#define NDIS_STATISTICS_GEN_STATISTICS_SUPPORTED         0x00400000
#define NDIS_STATISTICS_XMIT_DISCARDS_SUPPORTED          0x08000000

typedef struct _NDIS_PNP_CAPABILITIES NDIS_PNP_CAPABILITIES, *PNDIS_PNP_CAPABILITIES;
typedef struct _NDIS_RECEIVE_SCALE_CAPABILITIES NDIS_RECEIVE_SCALE_CAPABILITIES,
	*PNDIS_RECEIVE_SCALE_CAPABILITIES;
typedef struct _NDIS_PM_CAPABILITIES NDIS_PM_CAPABILITIES, *PNDIS_PM_CAPABILITIES;
typedef struct _NDIS_TCP_CONNECTION_OFFLOAD NDIS_TCP_CONNECTION_OFFLOAD,
	*PNDIS_TCP_CONNECTION_OFFLOAD;

#define NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 1
#if NDIS_SUPPORT_NDIS620
#define NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2 2
#endif

typedef struct _NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
	NDIS_OBJECT_HEADER Header;
	ULONG Flags;
	NDIS_MEDIUM MediaType;
	NDIS_PHYSICAL_MEDIUM PhysicalMediumType;
	ULONG MtuSize;
	ULONG64 MaxXmitLinkSpeed;
	ULONG64 XmitLinkSpeed;
	ULONG64 MaxRcvLinkSpeed;
	ULONG64 RcvLinkSpeed;
	NDIS_MEDIA_CONNECT_STATE MediaConnectState;
	NDIS_MEDIA_DUPLEX_STATE MediaDuplexState;
	ULONG LookaheadSize;
	PNDIS_PNP_CAPABILITIES PowerManagementCapabilities;
	ULONG MacOptions;
	ULONG SupportedPacketFilters;
	ULONG MaxMulticastListSize;
	USHORT MacAddressLength;
	UCHAR PermanentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
	UCHAR CurrentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
	PNDIS_RECEIVE_SCALE_CAPABILITIES RecvScaleCapabilities;
	NET_IF_ACCESS_TYPE AccessType;
	NET_IF_DIRECTION_TYPE DirectionType;
	NET_IF_CONNECTION_TYPE ConnectionType;
	NET_IFTYPE IfType;
	BOOLEAN IfConnectorPresent;
	ULONG SupportedStatistics;
	ULONG SupportedPauseFunctions;
	ULONG DataBackFillSize;
	ULONG ContextBackFillSize;
	PNDIS_OID SupportedOidList;
	ULONG SupportedOidListLength;
	ULONG AutoNegotiationFlags;
#if NDIS_SUPPORT_NDIS620
	PNDIS_PM_CAPABILITIES PowerManagementCapabilitiesEx;
#endif
} NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;

#define NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, AutoNegotiationFlags)
#if NDIS_SUPPORT_NDIS620
#define NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PowerManagementCapabilitiesEx)
#endif

/* Offload capabilities (ntddndis.h): the NDIS 6.0 layout, revision 1. */
#define NDIS_OFFLOAD_NOT_SUPPORTED 0
#define NDIS_OFFLOAD_SUPPORTED     1

#define NDIS_ENCAPSULATION_NOT_SUPPORTED            0x00000000
#define NDIS_ENCAPSULATION_NULL                     0x00000001
#define NDIS_ENCAPSULATION_IEEE_802_3               0x00000002
#define NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q       0x00000004
#define NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q_IN_OOB 0x00000008
#define NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED     0x00000010

typedef struct _NDIS_TCP_IP_CHECKSUM_OFFLOAD {
	struct {
		ULONG Encapsulation;
		ULONG IpOptionsSupported : 2;
		ULONG TcpOptionsSupported : 2;
		ULONG TcpChecksum : 2;
		ULONG UdpChecksum : 2;
		ULONG IpChecksum : 2;
	} IPv4Transmit;
	struct {
		ULONG Encapsulation;
		ULONG IpOptionsSupported : 2;
		ULONG TcpOptionsSupported : 2;
		ULONG TcpChecksum : 2;
		ULONG UdpChecksum : 2;
		ULONG IpChecksum : 2;
	} IPv4Receive;
	struct {
		ULONG Encapsulation;
		ULONG IpExtensionHeadersSupported : 2;
		ULONG TcpOptionsSupported : 2;
		ULONG TcpChecksum : 2;
		ULONG UdpChecksum : 2;
	} IPv6Transmit;
	struct {
		ULONG Encapsulation;
		ULONG IpExtensionHeadersSupported : 2;
		ULONG TcpOptionsSupported : 2;
		ULONG TcpChecksum : 2;
		ULONG UdpChecksum : 2;
	} IPv6Receive;
} NDIS_TCP_IP_CHECKSUM_OFFLOAD, *PNDIS_TCP_IP_CHECKSUM_OFFLOAD;

typedef struct _NDIS_TCP_LARGE_SEND_OFFLOAD_V1 {
	struct {
		ULONG Encapsulation;
		ULONG MaxOffLoadSize;
		ULONG MinSegmentCount;
		ULONG TcpOptions : 2;
		ULONG IpOptions : 2;
	} IPv4;
} NDIS_TCP_LARGE_SEND_OFFLOAD_V1, *PNDIS_TCP_LARGE_SEND_OFFLOAD_V1;

typedef struct _NDIS_IPSEC_OFFLOAD_V1 {
	struct {
		ULONG Encapsulation;
		ULONG AhEspCombined;
		ULONG TransportTunnelCombined;
		ULONG IPv4Options;
		ULONG Flags;
	} Supported;
	struct {
		ULONG Md5 : 2;
		ULONG Sha_1 : 2;
		ULONG Transport : 2;
		ULONG Tunnel : 2;
		ULONG Send : 2;
		ULONG Receive : 2;
	} IPv4AH;
	struct {
		ULONG Des : 2;
		ULONG Reserved : 2;
		ULONG TripleDes : 2;
		ULONG NullEsp : 2;
		ULONG Transport : 2;
		ULONG Tunnel : 2;
		ULONG Send : 2;
		ULONG Receive : 2;
	} IPv4ESP;
} NDIS_IPSEC_OFFLOAD_V1, *PNDIS_IPSEC_OFFLOAD_V1;

typedef struct _NDIS_TCP_LARGE_SEND_OFFLOAD_V2 {
	struct {
		ULONG Encapsulation;
		ULONG MaxOffLoadSize;
		ULONG MinSegmentCount;
	} IPv4;
	struct {
		ULONG Encapsulation;
		ULONG MaxOffLoadSize;
		ULONG MinSegmentCount;
		ULONG IpExtensionHeadersSupported : 2;
		ULONG TcpOptionsSupported : 2;
	} IPv6;
} NDIS_TCP_LARGE_SEND_OFFLOAD_V2, *PNDIS_TCP_LARGE_SEND_OFFLOAD_V2;

/* Header.Type NDIS_OBJECT_TYPE_OFFLOAD.  Revisions 2 (IPsecV2, NDIS 6.1)
 * and 3 (Rsc and encapsulated-packet offload, NDIS 6.30) append members
 * this header does not declare yet. */
#define NDIS_OFFLOAD_REVISION_1 1

typedef struct _NDIS_OFFLOAD {
	NDIS_OBJECT_HEADER Header;
	NDIS_TCP_IP_CHECKSUM_OFFLOAD Checksum;
	NDIS_TCP_LARGE_SEND_OFFLOAD_V1 LsoV1;
	NDIS_IPSEC_OFFLOAD_V1 IPsecV1;
	NDIS_TCP_LARGE_SEND_OFFLOAD_V2 LsoV2;
	ULONG Flags;
} NDIS_OFFLOAD, *PNDIS_OFFLOAD;

#define NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_OFFLOAD, Flags)

#define NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1 1

typedef struct _NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES {
	NDIS_OBJECT_HEADER Header;
	PNDIS_OFFLOAD DefaultOffloadConfiguration;
	PNDIS_OFFLOAD HardwareOffloadCapabilities;
	PNDIS_TCP_CONNECTION_OFFLOAD DefaultTcpConnectionOffloadConfiguration;
	PNDIS_TCP_CONNECTION_OFFLOAD TcpConnectionOffloadHardwareCapabilities;
} NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES;

#define NDIS_SIZEOF_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, \
				 TcpConnectionOffloadHardwareCapabilities)

/*
 * NDIS reads Header.Type to tell the members apart; miniports pass a
 * pointer to the one member they filled in.  802.11 and hardware-assist
 * attributes are not declared.
 */
typedef union _NDIS_MINIPORT_ADAPTER_ATTRIBUTES {
	NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES AddDeviceRegistrationAttributes;
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES RegistrationAttributes;
	NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES GeneralAttributes;
	NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES OffloadAttributes;
} NDIS_MINIPORT_ADAPTER_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_ATTRIBUTES;

/* NDIS 5 names, kept because old miniport code still uses them. */
#define NDIS_ATTRIBUTE_IGNORE_PACKET_TIMEOUT    0x00000001
#define NDIS_ATTRIBUTE_IGNORE_REQUEST_TIMEOUT   0x00000002
#define NDIS_ATTRIBUTE_IGNORE_TOKEN_RING_ERRORS 0x00000004
#define NDIS_ATTRIBUTE_BUS_MASTER               0x00000008
#define NDIS_ATTRIBUTE_INTERMEDIATE_DRIVER      0x00000010
#define NDIS_ATTRIBUTE_DESERIALIZE              0x00000020
#define NDIS_ATTRIBUTE_NO_HALT_ON_SUSPEND       0x00000040
#define NDIS_ATTRIBUTE_SURPRISE_REMOVE_OK       0x00000080

/* ------------------------------------------------------------------------
 * NDIS 5.x miniports (NdisMRegisterMiniport).  A driver built for NDIS 5
 * defines NDIS50_MINIPORT or NDIS51_MINIPORT before including this header;
 * NDIS_MINIPORT_CHARACTERISTICS is then that version's structure.  NDIS 5
 * miniports declare bus mastering with NdisMSetAttributesEx and use map
 * registers and physical mapping; NDIS 6 miniports use scatter-gather.
 * ------------------------------------------------------------------------ */


/* NDIS_PACKET is laid out further down ("NDIS 5 packets and buffers"). */
typedef struct _NDIS_PACKET NDIS_PACKET, *PNDIS_PACKET, **PPNDIS_PACKET;

typedef BOOLEAN (*W_CHECK_FOR_HANG_HANDLER)(_In_ NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_DISABLE_INTERRUPT_HANDLER)(_In_ NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_ENABLE_INTERRUPT_HANDLER)(_In_ NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_HALT_HANDLER)(_In_ NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_HANDLE_INTERRUPT_HANDLER)(_In_ NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_INITIALIZE_HANDLER)(
	_Out_ PNDIS_STATUS OpenErrorStatus,
	_Out_ PUINT SelectedMediumIndex,
	_In_ PNDIS_MEDIUM MediumArray,
	_In_ UINT MediumArraySize,
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE WrapperConfigurationContext);
typedef VOID (*W_ISR_HANDLER)(
	_Out_ PBOOLEAN InterruptRecognized,
	_Out_ PBOOLEAN QueueMiniportHandleInterrupt,
	_In_ NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_QUERY_INFORMATION_HANDLER)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_OID Oid,
	_In_ PVOID InformationBuffer,
	_In_ ULONG InformationBufferLength,
	_Out_ PULONG BytesWritten,
	_Out_ PULONG BytesNeeded);
typedef NDIS_STATUS (*W_RECONFIGURE_HANDLER)(
	_Out_ PNDIS_STATUS OpenErrorStatus,
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_HANDLE WrapperConfigurationContext);
typedef NDIS_STATUS (*W_RESET_HANDLER)(
	_Out_ PBOOLEAN AddressingReset,
	_In_ NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_SEND_HANDLER)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_PACKET Packet,
	_In_ UINT Flags);
typedef NDIS_STATUS (*W_SET_INFORMATION_HANDLER)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_OID Oid,
	_In_ PVOID InformationBuffer,
	_In_ ULONG InformationBufferLength,
	_Out_ PULONG BytesRead,
	_Out_ PULONG BytesNeeded);
typedef NDIS_STATUS (*W_TRANSFER_DATA_HANDLER)(
	_Out_ PNDIS_PACKET Packet,
	_Out_ PUINT BytesTransferred,
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_HANDLE MiniportReceiveContext,
	_In_ UINT ByteOffset,
	_In_ UINT BytesToTransfer);
typedef VOID (*W_RETURN_PACKET_HANDLER)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_PACKET Packet);
typedef VOID (*W_SEND_PACKETS_HANDLER)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PPNDIS_PACKET PacketArray,
	_In_ UINT NumberOfPackets);
typedef VOID (*W_ALLOCATE_COMPLETE_HANDLER)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID VirtualAddress,
	_In_ PNDIS_PHYSICAL_ADDRESS PhysicalAddress,
	_In_ ULONG Length,
	_In_ PVOID Context);
typedef VOID (*W_CANCEL_SEND_PACKETS_HANDLER)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID CancelId);
typedef VOID (*W_PNP_EVENT_NOTIFY_HANDLER)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_DEVICE_PNP_EVENT DevicePnPEvent,
	_In_ PVOID InformationBuffer,
	_In_ ULONG InformationBufferLength);
typedef VOID (*W_MINIPORT_SHUTDOWN_HANDLER)(_In_ NDIS_HANDLE MiniportAdapterContext);
/* CoNDIS (connection-oriented) handlers: slots only, never called. */
typedef PVOID W_CO_HANDLER;

/* The DDK's field lists, so each version extends the previous one. */
#define NDIS30_MINIPORT_CHARACTERISTICS_S				\
	UCHAR MajorNdisVersion;						\
	UCHAR MinorNdisVersion;						\
	USHORT Filler;							\
	UINT Reserved;							\
	W_CHECK_FOR_HANG_HANDLER CheckForHangHandler;			\
	W_DISABLE_INTERRUPT_HANDLER DisableInterruptHandler;		\
	W_ENABLE_INTERRUPT_HANDLER EnableInterruptHandler;		\
	W_HALT_HANDLER HaltHandler;					\
	W_HANDLE_INTERRUPT_HANDLER HandleInterruptHandler;		\
	W_INITIALIZE_HANDLER InitializeHandler;				\
	W_ISR_HANDLER ISRHandler;					\
	W_QUERY_INFORMATION_HANDLER QueryInformationHandler;		\
	W_RECONFIGURE_HANDLER ReconfigureHandler;			\
	W_RESET_HANDLER ResetHandler;					\
	W_SEND_HANDLER SendHandler;					\
	W_SET_INFORMATION_HANDLER SetInformationHandler;		\
	W_TRANSFER_DATA_HANDLER TransferDataHandler;

#define NDIS40_MINIPORT_CHARACTERISTICS_S				\
	NDIS30_MINIPORT_CHARACTERISTICS_S				\
	W_RETURN_PACKET_HANDLER ReturnPacketHandler;			\
	W_SEND_PACKETS_HANDLER SendPacketsHandler;			\
	W_ALLOCATE_COMPLETE_HANDLER AllocateCompleteHandler;

#define NDIS50_MINIPORT_CHARACTERISTICS_S				\
	NDIS40_MINIPORT_CHARACTERISTICS_S				\
	W_CO_HANDLER CoCreateVcHandler;					\
	W_CO_HANDLER CoDeleteVcHandler;					\
	W_CO_HANDLER CoActivateVcHandler;				\
	W_CO_HANDLER CoDeactivateVcHandler;				\
	W_CO_HANDLER CoSendPacketsHandler;				\
	W_CO_HANDLER CoRequestHandler;

#define NDIS51_MINIPORT_CHARACTERISTICS_S				\
	NDIS50_MINIPORT_CHARACTERISTICS_S				\
	W_CANCEL_SEND_PACKETS_HANDLER CancelSendPacketsHandler;		\
	W_PNP_EVENT_NOTIFY_HANDLER PnPEventNotifyHandler;		\
	W_MINIPORT_SHUTDOWN_HANDLER AdapterShutdownHandler;		\
	PVOID Reserved1;						\
	PVOID Reserved2;						\
	PVOID Reserved3;						\
	PVOID Reserved4;

typedef struct _NDIS30_MINIPORT_CHARACTERISTICS {
	NDIS30_MINIPORT_CHARACTERISTICS_S
} NDIS30_MINIPORT_CHARACTERISTICS, *PNDIS30_MINIPORT_CHARACTERISTICS;
typedef struct _NDIS40_MINIPORT_CHARACTERISTICS {
	NDIS40_MINIPORT_CHARACTERISTICS_S
} NDIS40_MINIPORT_CHARACTERISTICS, *PNDIS40_MINIPORT_CHARACTERISTICS;
typedef struct _NDIS50_MINIPORT_CHARACTERISTICS {
	NDIS50_MINIPORT_CHARACTERISTICS_S
} NDIS50_MINIPORT_CHARACTERISTICS, *PNDIS50_MINIPORT_CHARACTERISTICS;
typedef struct _NDIS51_MINIPORT_CHARACTERISTICS {
	NDIS51_MINIPORT_CHARACTERISTICS_S
} NDIS51_MINIPORT_CHARACTERISTICS, *PNDIS51_MINIPORT_CHARACTERISTICS;

/*
 * Chosen by the resolved contract, as the WDK does: a build that defines
 * both NDIS50_MINIPORT and NDIS51_MINIPORT is a 5.1 miniport.  Everything
 * else (6.x miniports, the non-miniport view) sees the 5.1 structure, the
 * largest NdisMRegisterMiniport accepts.
 */
#if defined(NDIS_MINIPORT_DRIVER) && NDIS_MINIPORT_MAJOR_VERSION == 5 && \
	NDIS_MINIPORT_MINOR_VERSION == 0
typedef NDIS50_MINIPORT_CHARACTERISTICS NDIS_MINIPORT_CHARACTERISTICS;
#else
typedef NDIS51_MINIPORT_CHARACTERISTICS NDIS_MINIPORT_CHARACTERISTICS;
#endif
typedef NDIS_MINIPORT_CHARACTERISTICS *PNDIS_MINIPORT_CHARACTERISTICS;

/* Pages a buffer spans: the most entries its physical mapping produces.
 * The shim splits at the kernel's page size; Windows x64 pages are 4 KiB. */
#ifdef __KERNEL__
#define __NDIS_PAGE_SIZE PAGE_SIZE
#else
#define __NDIS_PAGE_SIZE 0x1000UL
#endif
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(_Va, _Size)				\
	((ULONG)((((ULONG_PTR)(_Va) & (__NDIS_PAGE_SIZE - 1)) + (_Size) +	\
		  __NDIS_PAGE_SIZE - 1) / __NDIS_PAGE_SIZE))
#define NdisGetBufferPhysicalArraySize(_Buffer, _ArraySize)		\
	(*(_ArraySize) = ADDRESS_AND_SIZE_TO_SPAN_PAGES(		\
		MmGetMdlVirtualAddress(_Buffer), MmGetMdlByteCount(_Buffer)))

/* ------------------------------------------------------------------------
 * Interrupts (NdisMRegisterInterruptEx)
 * ------------------------------------------------------------------------ */

#define NDIS_MINIPORT_INTERRUPT_REVISION_1 1

typedef BOOLEAN (MINIPORT_ISR)(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_Out_ PBOOLEAN QueueDefaultInterruptDpc,
	_Out_ PULONG TargetProcessors);
typedef MINIPORT_ISR (*MINIPORT_ISR_HANDLER);

#if NDIS_SUPPORT_NDIS620
typedef VOID (MINIPORT_INTERRUPT_DPC)(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_In_ PVOID MiniportDpcContext,
	_In_ PVOID ReceiveThrottleParameters,
	_In_ PVOID NdisReserved2);
#else
typedef VOID (MINIPORT_INTERRUPT_DPC)(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_In_ PVOID MiniportDpcContext,
	_In_ PULONG NdisReserved1,
	_In_ PULONG NdisReserved2);
#endif
typedef MINIPORT_INTERRUPT_DPC (*MINIPORT_INTERRUPT_DPC_HANDLER);

#if NDIS_SUPPORT_NDIS620
typedef struct _NDIS_RECEIVE_THROTTLE_PARAMETERS {
	ULONG MaxNblsToIndicate;
	ULONG MoreNblsPending : 1;
} NDIS_RECEIVE_THROTTLE_PARAMETERS, *PNDIS_RECEIVE_THROTTLE_PARAMETERS;

#define NDIS_INDICATE_ALL_NBLS (~0u)
#endif

typedef VOID (MINIPORT_DISABLE_INTERRUPT)(
	_In_ NDIS_HANDLE MiniportInterruptContext);
typedef MINIPORT_DISABLE_INTERRUPT (*MINIPORT_DISABLE_INTERRUPT_HANDLER);

typedef VOID (MINIPORT_ENABLE_INTERRUPT)(
	_In_ NDIS_HANDLE MiniportInterruptContext);
typedef MINIPORT_ENABLE_INTERRUPT (*MINIPORT_ENABLE_INTERRUPT_HANDLER);

typedef BOOLEAN (MINIPORT_MESSAGE_INTERRUPT)(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_In_ ULONG MessageId,
	_Out_ PBOOLEAN QueueDefaultInterruptDpc,
	_Out_ PULONG TargetProcessors);
typedef MINIPORT_MESSAGE_INTERRUPT (*MINIPORT_MSI_ISR_HANDLER);

#if NDIS_SUPPORT_NDIS620
typedef VOID (MINIPORT_MESSAGE_INTERRUPT_DPC)(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_In_ ULONG MessageId,
	_In_ PVOID MiniportDpcContext,
	_In_ PVOID ReceiveThrottleParameters,
	_In_ PVOID NdisReserved2);
#else
typedef VOID (MINIPORT_MESSAGE_INTERRUPT_DPC)(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_In_ ULONG MessageId,
	_In_ PVOID MiniportDpcContext,
	_In_ PULONG NdisReserved1,
	_In_ PULONG NdisReserved2);
#endif
typedef MINIPORT_MESSAGE_INTERRUPT_DPC (*MINIPORT_MSI_INTERRUPT_DPC_HANDLER);

typedef VOID (MINIPORT_DISABLE_MESSAGE_INTERRUPT)(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_In_ ULONG MessageId);
typedef MINIPORT_DISABLE_MESSAGE_INTERRUPT (*MINIPORT_DISABLE_MSI_INTERRUPT_HANDLER);

typedef VOID (MINIPORT_ENABLE_MESSAGE_INTERRUPT)(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_In_ ULONG MessageId);
typedef MINIPORT_ENABLE_MESSAGE_INTERRUPT (*MINIPORT_ENABLE_MSI_INTERRUPT_HANDLER);

typedef BOOLEAN (MINIPORT_SYNCHRONIZE_INTERRUPT)(
	_In_ NDIS_HANDLE SynchronizeContext);
typedef MINIPORT_SYNCHRONIZE_INTERRUPT (*MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER);

typedef enum _NDIS_INTERRUPT_TYPE {
	NDIS_CONNECT_LINE_BASED = 1,
	NDIS_CONNECT_MESSAGE_BASED
} NDIS_INTERRUPT_TYPE, *PNDIS_INTERRUPT_TYPE;

typedef struct _NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
	NDIS_OBJECT_HEADER Header;	/* Type 0x84, Revision 1 */
	MINIPORT_ISR_HANDLER InterruptHandler;
	MINIPORT_INTERRUPT_DPC_HANDLER InterruptDpcHandler;
	MINIPORT_DISABLE_INTERRUPT_HANDLER DisableInterruptHandler;
	MINIPORT_ENABLE_INTERRUPT_HANDLER EnableInterruptHandler;
	BOOLEAN MsiSupported;
	BOOLEAN MsiSyncWithAllMessages;
	MINIPORT_MSI_ISR_HANDLER MessageInterruptHandler;
	MINIPORT_MSI_INTERRUPT_DPC_HANDLER MessageInterruptDpcHandler;
	MINIPORT_DISABLE_MSI_INTERRUPT_HANDLER DisableMessageInterruptHandler;
	MINIPORT_ENABLE_MSI_INTERRUPT_HANDLER EnableMessageInterruptHandler;
	NDIS_INTERRUPT_TYPE InterruptType;		/* output */
	PIO_INTERRUPT_MESSAGE_INFO MessageInfoTable;	/* output */
} NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, *PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS;

#define NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MessageInfoTable)

/* ------------------------------------------------------------------------
 * System (subordinate) DMA
 * ------------------------------------------------------------------------ */

/* 8237 transfer width and timing, not an address width. */
typedef enum _DMA_WIDTH {
	Width8Bits,
	Width16Bits,
	Width32Bits,
	Width64Bits,
	WidthNoWrap,
	MaximumDmaWidth
} DMA_WIDTH, *PDMA_WIDTH;

typedef enum _DMA_SPEED {
	Compatible,
	TypeA,
	TypeB,
	TypeC,
	TypeF,
	MaximumDmaSpeed
} DMA_SPEED, *PDMA_SPEED;

typedef struct _NDIS_DMA_DESCRIPTION {
	BOOLEAN DemandMode;
	BOOLEAN AutoInitialize;
	BOOLEAN DmaChannelSpecified;
	DMA_WIDTH DmaWidth;
	DMA_SPEED DmaSpeed;
	ULONG DmaPort;
	ULONG DmaChannel;
} NDIS_DMA_DESCRIPTION, *PNDIS_DMA_DESCRIPTION;

/* Addressing for NdisMAllocateMapRegisters' DmaSize. */
typedef UCHAR NDIS_DMA_SIZE;
#define NDIS_DMA_24BITS ((NDIS_DMA_SIZE)0)
#define NDIS_DMA_32BITS ((NDIS_DMA_SIZE)1)
#define NDIS_DMA_64BITS ((NDIS_DMA_SIZE)2)

/* ------------------------------------------------------------------------
 * Bus-master DMA structures
 * ------------------------------------------------------------------------ */

typedef struct _NDIS_PHYSICAL_ADDRESS_UNIT {
	NDIS_PHYSICAL_ADDRESS PhysicalAddress;
	UINT Length;
} NDIS_PHYSICAL_ADDRESS_UNIT, *PNDIS_PHYSICAL_ADDRESS_UNIT;

typedef struct _SCATTER_GATHER_ELEMENT {
	PHYSICAL_ADDRESS Address;	/* bus (DMA) address */
	ULONG Length;
	ULONG_PTR Reserved;
} SCATTER_GATHER_ELEMENT, *PSCATTER_GATHER_ELEMENT;

typedef struct _SCATTER_GATHER_LIST {
	ULONG NumberOfElements;
	ULONG_PTR Reserved;
	SCATTER_GATHER_ELEMENT Elements[];
} SCATTER_GATHER_LIST, *PSCATTER_GATHER_LIST;

typedef VOID (MINIPORT_PROCESS_SG_LIST)(
	_In_ PDEVICE_OBJECT pDO,
	_In_ PVOID Reserved,
	_In_ PSCATTER_GATHER_LIST pSGL,
	_In_ PVOID Context);
typedef MINIPORT_PROCESS_SG_LIST (*MINIPORT_PROCESS_SG_LIST_HANDLER);

typedef VOID (MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE)(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID VirtualAddress,
	_In_ PNDIS_PHYSICAL_ADDRESS PhysicalAddress,
	_In_ ULONG Length,
	_In_ PVOID Context);
typedef MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE (*MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER);

#define NDIS_SG_DMA_DESCRIPTION_REVISION_1 1
#define NDIS_SG_DMA_64_BIT_ADDRESS         0x00000001

typedef struct _NDIS_SG_DMA_DESCRIPTION {
	NDIS_OBJECT_HEADER Header;	/* Type 0x83, Revision 1 */
	ULONG Flags;
	ULONG MaximumPhysicalMapping;
	MINIPORT_PROCESS_SG_LIST_HANDLER ProcessSGListHandler;
	MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER SharedMemAllocateCompleteHandler;
	ULONG ScatterGatherListSize;	/* output */
} NDIS_SG_DMA_DESCRIPTION, *PNDIS_SG_DMA_DESCRIPTION;

#define NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_SG_DMA_DESCRIPTION, ScatterGatherListSize)

/*
 * SLIST_HEADER (wdm.h, x64 form): the head of an interlocked singly linked
 * list, 16 bytes and 16-aligned.  Declared for the NET_BUFFER and
 * NET_BUFFER_LIST unions it sets the alignment of; the shim has no
 * ExInterlockedPushEntrySList.
 */
typedef union DECLSPEC_ALIGN(16) _SLIST_HEADER {
	struct {
		ULONGLONG Alignment;
		ULONGLONG Region;
	};
	struct {
		ULONGLONG Depth : 16;
		ULONGLONG Sequence : 48;
		ULONGLONG Reserved : 4;
		ULONGLONG NextEntry : 60;
	} HeaderX64;
} SLIST_HEADER, *PSLIST_HEADER;

/*
 * NET_BUFFER / NET_BUFFER_LIST: the part of the NDIS 6 packet structures a
 * miniport fills in or reads to describe data as an MDL chain, with the
 * WDK's field names, unions and 16-byte (MEMORY_ALLOCATION_ALIGNMENT)
 * reserved areas.  The NET_BUFFER_DATA fields can be named directly
 * (nb->MdlChain, as C sources do), through NetBufferHeader as the WDK's C
 * view has it (nb->NetBufferHeader.MdlChain) or its C++ view
 * (nb->NetBufferHeader.NetBufferData.MdlChain, the "NET_BUFFER_HEADER
 * union (ndis/nbl.h)" page).  As on Windows, NdisMAllocateNetBufferSGList
 * maps from the start of CurrentMdl (CurrentMdlOffset + DataLength bytes;
 * the miniport skips CurrentMdlOffset bytes of the list), and
 * NdisQueryNetBufferPhysicalCount counts from DataOffset into MdlChain.
 */
typedef union _NET_BUFFER_DATA_LENGTH {
	ULONG DataLength;
	SIZE_T stDataLength;
} NET_BUFFER_DATA_LENGTH, *PNET_BUFFER_DATA_LENGTH;

/* The NET_BUFFER_DATA members, shared by the three views below. */
#define __NDIS_NET_BUFFER_DATA_FIELDS					\
	PNET_BUFFER Next;						\
	PMDL CurrentMdl;						\
	ULONG CurrentMdlOffset;						\
	union {								\
		ULONG DataLength;					\
		SIZE_T stDataLength;					\
		NET_BUFFER_DATA_LENGTH NbDataLength;			\
	};								\
	PMDL MdlChain;							\
	ULONG DataOffset;

typedef struct _NET_BUFFER_DATA {
	__NDIS_NET_BUFFER_DATA_FIELDS
} NET_BUFFER_DATA, *PNET_BUFFER_DATA;

typedef union _NET_BUFFER_HEADER {
	struct {
		__NDIS_NET_BUFFER_DATA_FIELDS
	};
	NET_BUFFER_DATA NetBufferData;
	SLIST_HEADER Link;
} NET_BUFFER_HEADER, *PNET_BUFFER_HEADER;

struct _NET_BUFFER {
	union {
		struct {
			__NDIS_NET_BUFFER_DATA_FIELDS
		};
		SLIST_HEADER Link;
		NET_BUFFER_HEADER NetBufferHeader;
	};
	USHORT ChecksumBias;
	USHORT Reserved;
	NDIS_HANDLE NdisPoolHandle;
	DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID NdisReserved[2];
	DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID ProtocolReserved[6];
	DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID MiniportReserved[4];
	NDIS_PHYSICAL_ADDRESS DataPhysicalAddress;
	union {
		PVOID SharedMemoryInfo;
		PSCATTER_GATHER_LIST ScatterGatherList;
	};
};

#undef __NDIS_NET_BUFFER_DATA_FIELDS

/*
 * NET_BUFFER_LIST_CONTEXT (nbl.h): the context area NdisAllocateNetBufferList
 * gives an NBL.  ContextData holds Size bytes; the used part starts Offset
 * bytes in (the rest before it is backfill).  16 bytes on x64: ContextData
 * is MEMORY_ALLOCATION_ALIGNMENT aligned.
 */
typedef struct _NET_BUFFER_LIST_CONTEXT NET_BUFFER_LIST_CONTEXT, *PNET_BUFFER_LIST_CONTEXT;
struct _NET_BUFFER_LIST_CONTEXT {
	PNET_BUFFER_LIST_CONTEXT Next;
	USHORT Size;
	USHORT Offset;
	DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) UCHAR ContextData[];
};

/*
 * NDIS_NET_BUFFER_LIST_INFO (nblinfo.h): the indices of NetBufferListInfo[],
 * per contract and as the x64 WDK numbers them.  MaxNetBufferListInfo, and
 * so sizeof(NET_BUFFER_LIST), grows with the contract: 11 entries for 6.0,
 * 13 for 6.1, 18 for 6.20, 24 for 6.30.  The shim allocates every NBL at
 * the 6.30 size (its own, non-miniport view), so each contract's view fits.
 */
typedef enum _NDIS_NET_BUFFER_LIST_INFO {
	TcpIpChecksumNetBufferListInfo,
	TcpOffloadBytesTransferred = TcpIpChecksumNetBufferListInfo,
	IPsecOffloadV1NetBufferListInfo,
#if NDIS_SUPPORT_NDIS61
	IPsecOffloadV2NetBufferListInfo = IPsecOffloadV1NetBufferListInfo,
#endif
	TcpLargeSendNetBufferListInfo,
	TcpReceiveNoPush = TcpLargeSendNetBufferListInfo,
	ClassificationHandleNetBufferListInfo,
	Ieee8021QNetBufferListInfo,
	NetBufferListCancelId,
	MediaSpecificInformation,
	NetBufferListFrameType,
	NetBufferListProtocolId = NetBufferListFrameType,
	NetBufferListHashValue,
	NetBufferListHashInfo,
	WfpNetBufferListInfo,
#if NDIS_SUPPORT_NDIS61
	IPsecOffloadV2TunnelNetBufferListInfo,
	IPsecOffloadV2HeaderNetBufferListInfo,
#endif
#if NDIS_SUPPORT_NDIS620
	NetBufferListCorrelationId,
	NetBufferListFilteringInfo,
	MediaSpecificInformationEx,
	NblOriginalInterfaceIfIndex,
	NblReAuthWfpFlowContext = NblOriginalInterfaceIfIndex,
	TcpReceiveBytesTransferred,
#if NDIS_SUPPORT_NDIS630
	SwitchForwardingReserved,
	SwitchForwardingDetail,
	VirtualSubnetInfo,
	IMReserved,
	TcpRecvSegCoalesceInfo,
	RscTcpTimestampDelta,
	TcpSendOffloadsSupplementalNetBufferListInfo = RscTcpTimestampDelta,
#endif
#endif
	MaxNetBufferListInfo
} NDIS_NET_BUFFER_LIST_INFO, *PNDIS_NET_BUFFER_LIST_INFO;

typedef struct _NET_BUFFER_LIST_DATA {
	PNET_BUFFER_LIST Next;
	PNET_BUFFER FirstNetBuffer;
} NET_BUFFER_LIST_DATA, *PNET_BUFFER_LIST_DATA;

typedef union _NET_BUFFER_LIST_HEADER {
	struct {
		PNET_BUFFER_LIST Next;
		PNET_BUFFER FirstNetBuffer;
	};
	NET_BUFFER_LIST_DATA NetBufferListData;
	SLIST_HEADER Link;
} NET_BUFFER_LIST_HEADER, *PNET_BUFFER_LIST_HEADER;

struct _NET_BUFFER_LIST {
	union {
		struct {
			PNET_BUFFER_LIST Next;
			PNET_BUFFER FirstNetBuffer;
		};
		SLIST_HEADER Link;
		NET_BUFFER_LIST_HEADER NetBufferListHeader;
	};
	PNET_BUFFER_LIST_CONTEXT Context;
	PNET_BUFFER_LIST ParentNetBufferList;
	NDIS_HANDLE NdisPoolHandle;
	DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID NdisReserved[2];
	DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID ProtocolReserved[4];
	DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID MiniportReserved[2];
	PVOID Scratch;
	NDIS_HANDLE SourceHandle;
	ULONG NblFlags;
	LONG ChildRefCount;
	ULONG Flags;
	union {
		NDIS_STATUS Status;
		ULONG NdisReserved2;
	};
	/* Per-packet out-of-band information, indexed by NDIS_NET_BUFFER_LIST_INFO. */
	PVOID NetBufferListInfo[MaxNetBufferListInfo];
};

#define NET_BUFFER_NEXT_NB(_NB)               ((_NB)->Next)
#define NET_BUFFER_FIRST_MDL(_NB)             ((_NB)->MdlChain)
#define NET_BUFFER_DATA_LENGTH(_NB)           ((_NB)->DataLength)
#define NET_BUFFER_DATA_OFFSET(_NB)           ((_NB)->DataOffset)
#define NET_BUFFER_CURRENT_MDL(_NB)           ((_NB)->CurrentMdl)
#define NET_BUFFER_CURRENT_MDL_OFFSET(_NB)    ((_NB)->CurrentMdlOffset)
#define NET_BUFFER_CHECKSUM_BIAS(_NB)         ((_NB)->ChecksumBias)
#define NET_BUFFER_MINIPORT_RESERVED(_NB)     ((_NB)->MiniportReserved)
#define NET_BUFFER_PROTOCOL_RESERVED(_NB)     ((_NB)->ProtocolReserved)

#define NET_BUFFER_LIST_NEXT_NBL(_NBL)        ((_NBL)->Next)
#define NET_BUFFER_LIST_FIRST_NB(_NBL)        ((_NBL)->FirstNetBuffer)
#define NET_BUFFER_LIST_FLAGS(_NBL)           ((_NBL)->Flags)
#define NET_BUFFER_LIST_STATUS(_NBL)          ((_NBL)->Status)
#define NET_BUFFER_LIST_MINIPORT_RESERVED(_NBL) ((_NBL)->MiniportReserved)
#define NET_BUFFER_LIST_PROTOCOL_RESERVED(_NBL) ((_NBL)->ProtocolReserved)
#define NET_BUFFER_LIST_NBL_FLAGS(_NBL)       ((_NBL)->NblFlags)
#define NET_BUFFER_LIST_INFO(_NBL, _Id)       ((_NBL)->NetBufferListInfo[(_Id)])
#define NET_BUFFER_LIST_CONTEXT_DATA_START(_NBL) \
	((PUCHAR)(((_NBL)->Context) + 1) + (_NBL)->Context->Offset)
#define NET_BUFFER_LIST_CONTEXT_DATA_SIZE(_NBL) \
	(((_NBL)->Context)->Size - ((_NBL)->Context)->Offset)

#define NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(_NBL) \
	(NET_BUFFER_LIST_INFO(_NBL, NetBufferListCancelId))
#define NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(_NBL, _CancelId) \
	NET_BUFFER_LIST_INFO(_NBL, NetBufferListCancelId) = (_CancelId)

#define NdisTestNblFlag(_NBL, _F)             (((_NBL)->NblFlags & (_F)) != 0)
#define NdisTestNblFlags(_NBL, _F)            (((_NBL)->NblFlags & (_F)) == (_F))
#define NdisSetNblFlag(_NBL, _F)              ((_NBL)->NblFlags |= (_F))
#define NdisClearNblFlag(_NBL, _F)            ((_NBL)->NblFlags &= ~(_F))

/*
 * Per-packet checksum and large-send information (nblchecksum.h,
 * nbllso.h): each is one pointer-sized NetBufferListInfo[] entry, read
 * and written through Value:
 *   NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO csum;
 *   csum.Value = NET_BUFFER_LIST_INFO(nbl, TcpIpChecksumNetBufferListInfo);
 */
typedef struct _NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO {
	union {
		struct {
			ULONG IsIPv4 : 1;
			ULONG IsIPv6 : 1;
			ULONG TcpChecksum : 1;
			ULONG UdpChecksum : 1;
			ULONG IpHeaderChecksum : 1;
			ULONG Reserved : 11;
			ULONG TcpHeaderOffset : 10;
		} Transmit;
		struct {
			ULONG TcpChecksumFailed : 1;
			ULONG UdpChecksumFailed : 1;
			ULONG IpChecksumFailed : 1;
			ULONG TcpChecksumSucceeded : 1;
			ULONG UdpChecksumSucceeded : 1;
			ULONG IpChecksumSucceeded : 1;
			ULONG Loopback : 1;
			ULONG TcpChecksumValueInvalid : 1;
			ULONG IpChecksumValueInvalid : 1;
		} Receive;
		PVOID Value;
	};
} NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO, *PNDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO;

#define NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE 0
#define NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE 1
#define NDIS_TCP_LARGE_SEND_OFFLOAD_IPv4    0
#define NDIS_TCP_LARGE_SEND_OFFLOAD_IPv6    1

typedef struct _NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO {
	union {
		struct {
			ULONG Unused : 30;
			ULONG Type : 1;
			ULONG Reserved2 : 1;
		} Transmit;
		struct {
			ULONG MSS : 20;
			ULONG TcpHeaderOffset : 10;
			ULONG Type : 1;
			ULONG Reserved2 : 1;
		} LsoV1Transmit;
		struct {
			ULONG TcpPayload : 30;
			ULONG Type : 1;
			ULONG Reserved2 : 1;
		} LsoV1TransmitComplete;
		struct {
			ULONG MSS : 20;
			ULONG TcpHeaderOffset : 10;
			ULONG Type : 1;
			ULONG IPVersion : 1;
		} LsoV2Transmit;
		struct {
			ULONG Reserved : 30;
			ULONG Type : 1;
			ULONG Reserved2 : 1;
		} LsoV2TransmitComplete;
		PVOID Value;
	};
} NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO,
	*PNDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO;

/* NdisMAllocateNetBufferSGList flags */
#define NDIS_SG_LIST_WRITE_TO_DEVICE 0x000000001

/*
 * IRQL <= DISPATCH_LEVEL.  The most physical pieces the data can take: for
 * each MDL holding data, the pages it spans from its start to the data's
 * end in it.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
ULONG NdisQueryNetBufferPhysicalCount(
	_In_ PNET_BUFFER NetBuffer);

/* ------------------------------------------------------------------------
 * NET_BUFFER_LIST and NET_BUFFER pools (nblapi.h).  Every call here is
 * IRQL <= DISPATCH_LEVEL.  Documentation/net-buffers.rst says what the shim
 * does where the pages are silent.
 * ------------------------------------------------------------------------ */

/* ProtocolId: miniports pass NDIS_PROTOCOL_ID_DEFAULT. */
#define NDIS_PROTOCOL_ID_DEFAULT 0x00
#define NDIS_PROTOCOL_ID_TCP_IP  0x02
#define NDIS_PROTOCOL_ID_IPX     0x06
#define NDIS_PROTOCOL_ID_NBF     0x07
#define NDIS_PROTOCOL_ID_MAX     0x0F
#define NDIS_PROTOCOL_ID_MASK    0x0F

#define NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 1

typedef struct _NET_BUFFER_LIST_POOL_PARAMETERS {
	NDIS_OBJECT_HEADER Header;	/* NDIS_OBJECT_TYPE_DEFAULT, revision 1 */
	UCHAR ProtocolId;
	BOOLEAN fAllocateNetBuffer;	/* each NBL comes with one NET_BUFFER */
	USHORT ContextSize;		/* a multiple of MEMORY_ALLOCATION_ALIGNMENT */
	ULONG PoolTag;
	ULONG DataSize;			/* > 0: the NET_BUFFER comes with an MDL and data */
} NET_BUFFER_LIST_POOL_PARAMETERS, *PNET_BUFFER_LIST_POOL_PARAMETERS;

#define NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize)

#define NET_BUFFER_POOL_PARAMETERS_REVISION_1 1

typedef struct _NET_BUFFER_POOL_PARAMETERS {
	NDIS_OBJECT_HEADER Header;	/* NDIS_OBJECT_TYPE_DEFAULT, revision 1 */
	ULONG PoolTag;
	ULONG DataSize;
} NET_BUFFER_POOL_PARAMETERS, *PNET_BUFFER_POOL_PARAMETERS;

#define NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_POOL_PARAMETERS, DataSize)

/* NetAllocateMdl: *BufferSize bytes asked for; on return, what it got. */
typedef PMDL (NET_BUFFER_ALLOCATE_MDL)(
	_Inout_ PULONG BufferSize);
typedef NET_BUFFER_ALLOCATE_MDL *NET_BUFFER_ALLOCATE_MDL_HANDLER;

typedef VOID (NET_BUFFER_FREE_MDL)(
	_In_ PMDL Mdl);
typedef NET_BUFFER_FREE_MDL *NET_BUFFER_FREE_MDL_HANDLER;

/* A pool handle, or NULL when the pool cannot be made.  NdisHandle is
 * optional and not looked at. */
NDIS_HANDLE NdisAllocateNetBufferListPool(
	_In_opt_ NDIS_HANDLE NdisHandle,
	_In_ PNET_BUFFER_LIST_POOL_PARAMETERS Parameters);

VOID NdisFreeNetBufferListPool(
	_In_ NDIS_HANDLE PoolHandle);

PNET_BUFFER_LIST NdisAllocateNetBufferList(
	_In_ NDIS_HANDLE PoolHandle,
	_In_ USHORT ContextSize,
	_In_ USHORT ContextBackFill);

/* From a pool made with fAllocateNetBuffer TRUE and DataSize 0. */
PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(
	_In_ NDIS_HANDLE PoolHandle,
	_In_ USHORT ContextSize,
	_In_ USHORT ContextBackFill,
	_In_opt_ PMDL MdlChain,
	_In_ ULONG DataOffset,
	_In_ SIZE_T DataLength);

/* Frees the NBL with what its pool allocated with it (NET_BUFFER, MDL,
 * data); NET_BUFFERs the caller chained on it from NdisAllocateNetBuffer
 * are the caller's to free. */
VOID NdisFreeNetBufferList(
	_In_ PNET_BUFFER_LIST NetBufferList);

NDIS_HANDLE NdisAllocateNetBufferPool(
	_In_opt_ NDIS_HANDLE NdisHandle,
	_In_ PNET_BUFFER_POOL_PARAMETERS Parameters);

VOID NdisFreeNetBufferPool(
	_In_ NDIS_HANDLE PoolHandle);

PNET_BUFFER NdisAllocateNetBuffer(
	_In_ NDIS_HANDLE PoolHandle,
	_In_opt_ PMDL MdlChain,
	_In_ ULONG DataOffset,
	_In_ SIZE_T DataLength);

VOID NdisFreeNetBuffer(
	_In_ PNET_BUFFER NetBuffer);

NDIS_HANDLE NdisGetPoolFromNetBufferList(
	_In_ PNET_BUFFER_LIST NetBufferList);

NDIS_HANDLE NdisGetPoolFromNetBuffer(
	_In_ PNET_BUFFER NetBuffer);

/* NDIS_STATUS_SUCCESS, NDIS_STATUS_RESOURCES (no memory for the new MDL)
 * or NDIS_STATUS_FAILURE. */
NDIS_STATUS NdisRetreatNetBufferDataStart(
	_In_ PNET_BUFFER NetBuffer,
	_In_ ULONG DataOffsetDelta,
	_In_ ULONG DataBackFill,
	_In_opt_ NET_BUFFER_ALLOCATE_MDL_HANDLER AllocateMdlHandler);

VOID NdisAdvanceNetBufferDataStart(
	_In_ PNET_BUFFER NetBuffer,
	_In_ ULONG DataOffsetDelta,
	_In_ BOOLEAN FreeMdl,
	_In_opt_ NET_BUFFER_FREE_MDL_HANDLER FreeMdlHandler);

/* A pointer to BytesNeeded contiguous bytes of data: into the MDL when
 * they are contiguous (and aligned as asked), else Storage with the bytes
 * copied in, else NULL. */
PVOID NdisGetDataBuffer(
	_In_ PNET_BUFFER NetBuffer,
	_In_ ULONG BytesNeeded,
	_Out_writes_bytes_all_opt_(BytesNeeded) PVOID Storage,
	_In_ UINT AlignMultiple,
	_In_ UINT AlignOffset);

/* NdisAllocateMemory / NdisFreeMemory MemoryFlags */
#define NDIS_MEMORY_CONTIGUOUS 0x00000001
#define NDIS_MEMORY_NONCACHED  0x00000002

/* ------------------------------------------------------------------------
 * Functions exported by the ndis-shim module
 * ------------------------------------------------------------------------ */

/* Version of the NDIS library: major in the high word (0x0006001E = 6.30). */
UINT NdisGetVersion(VOID);

/* Driver registration (PASSIVE_LEVEL, from DriverEntry / unload). */
NDIS_STATUS NdisMRegisterMiniportDriver(
	_In_ PDRIVER_OBJECT DriverObject,
	_In_ PUNICODE_STRING RegistryPath,
	_In_opt_ NDIS_HANDLE MiniportDriverContext,
	_In_ PNDIS_MINIPORT_DRIVER_CHARACTERISTICS MiniportDriverCharacteristics,
	_Out_ PNDIS_HANDLE NdisMiniportDriverHandle);

VOID NdisMDeregisterMiniportDriver(
	_In_ NDIS_HANDLE NdisMiniportDriverHandle);

NDIS_STATUS NdisMSetMiniportAttributes(
	_In_ NDIS_HANDLE NdisMiniportHandle,
	_In_ PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes);

/* Bus configuration space; return the number of bytes transferred. */
ULONG NdisMGetBusData(
	_In_ NDIS_HANDLE NdisMiniportHandle,
	_In_ ULONG WhichSpace,
	_In_ ULONG Offset,
	_Out_writes_bytes_(Length) PVOID Buffer,
	_In_ ULONG Length);

ULONG NdisMSetBusData(
	_In_ NDIS_HANDLE NdisMiniportHandle,
	_In_ ULONG WhichSpace,
	_In_ ULONG Offset,
	_In_reads_bytes_(Length) PVOID Buffer,
	_In_ ULONG Length);

/* Device memory (PASSIVE_LEVEL). */
NDIS_STATUS NdisMMapIoSpace(
	_Out_ PVOID *VirtualAddress,
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_PHYSICAL_ADDRESS PhysicalAddress,
	_In_ UINT Length);

VOID NdisMUnmapIoSpace(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ PVOID VirtualAddress,
	_In_ UINT Length);

/* Interrupts (PASSIVE_LEVEL). */
NDIS_STATUS NdisMRegisterInterruptEx(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_In_ PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MiniportInterruptCharacteristics,
	_Out_ PNDIS_HANDLE NdisInterruptHandle);

VOID NdisMDeregisterInterruptEx(
	_In_ NDIS_HANDLE NdisInterruptHandle);

/* Memory (IRQL <= DISPATCH_LEVEL). */
PVOID NdisAllocateMemoryWithTagPriority(
	_In_ NDIS_HANDLE NdisHandle,
	_In_ UINT Length,
	_In_ ULONG Tag,
	_In_ EX_POOL_PRIORITY Priority);

VOID NdisFreeMemory(
	_In_ PVOID VirtualAddress,
	_In_ UINT Length,
	_In_ UINT MemoryFlags);

/*
 * The NDIS 5 allocators (also callable by NDIS 6 code, which the WDK
 * restricts to NdisAllocateMemoryWithTagPriority). Both return
 * NDIS_STATUS_SUCCESS or NDIS_STATUS_FAILURE and set *VirtualAddress to
 * the memory or NULL; the memory is zeroed. NdisAllocateMemory's flags:
 *   0                       nonpaged memory;
 *   NDIS_MEMORY_CONTIGUOUS  physically contiguous, page aligned, wholly at
 *                           or below HighestAcceptableAddress (as
 *                           MmAllocateContiguousMemory), up to 4 MiB;
 *   NDIS_MEMORY_NONCACHED   page aligned; cached on Linux, see
 *                           Documentation/porting.rst.
 * HighestAcceptableAddress only limits contiguous memory, as on Windows
 * (its page says to pass -1). All of it goes back with NdisFreeMemory,
 * which needs neither Length nor MemoryFlags to match (the shim frees by
 * address), although Windows requires them to.
 */
NDIS_STATUS NdisAllocateMemory(
	_Outptr_result_maybenull_ PVOID *VirtualAddress,
	_In_ UINT Length,
	_In_ UINT MemoryFlags,
	_In_ NDIS_PHYSICAL_ADDRESS HighestAcceptableAddress);

NDIS_STATUS NdisAllocateMemoryWithTag(
	_Outptr_result_maybenull_ PVOID *VirtualAddress,
	_In_ UINT Length,
	_In_ ULONG Tag);

/*
 * NDIS 5 buffer descriptors (NDIS_BUFFER is an MDL). As on Windows XP and
 * later, a pool is only a name: NdisAllocateBuffer builds an MDL for the
 * nonpaged range as NdisAllocateMdl does (PoolHandle may be NULL, and
 * NumberOfDescriptors is not a limit), NdisFreeBuffer is NdisFreeMdl
 * (IoFreeMdl in the WDK) and NdisFreeBufferPool frees nothing.
 * NdisAllocateBuffer sets *Status to NDIS_STATUS_SUCCESS, or to
 * NDIS_STATUS_FAILURE with *Buffer NULL (its page).
 */
VOID NdisAllocateBufferPool(
	_Out_ PNDIS_STATUS Status,
	_Out_ PNDIS_HANDLE PoolHandle,
	_In_ UINT NumberOfDescriptors);

VOID NdisFreeBufferPool(
	_In_ NDIS_HANDLE PoolHandle);

VOID NdisAllocateBuffer(
	_Out_ PNDIS_STATUS Status,
	_Out_ PNDIS_BUFFER *Buffer,
	_In_opt_ NDIS_HANDLE PoolHandle,
	_In_reads_bytes_(Length) PVOID VirtualAddress,
	_In_ UINT Length);

#define NdisFreeBuffer(_Buffer) NdisFreeMdl(_Buffer)

/* MDLs describing nonpaged kernel memory (IRQL <= DISPATCH_LEVEL), built
 * as MmBuildMdlForNonPagedPool builds them. */
PMDL NdisAllocateMdl(
	_In_ NDIS_HANDLE NdisHandle,
	_In_ PVOID VirtualAddress,
	_In_ UINT Length);

VOID NdisFreeMdl(
	_In_ PMDL Mdl);

/* ========================================================================
 * NDIS 5 packets and buffers (Documentation/ndis5.rst, "Packets and
 * buffers").  The WDK's layout of NDIS_PACKET and what its pool puts after
 * each descriptor: ProtocolReserved grown to the pool's
 * ProtocolReservedLength, then NDIS_PACKET_OOB_DATA at NdisPacketOobOffset,
 * then NDIS_PACKET_EXTENSION.  Calls the WDK implements as macros on the
 * packet stay macros here; the pool calls are the shim's (rust/packet_pool.rs).
 * ======================================================================== */

typedef struct _NDIS_PACKET_POOL *PNDIS_PACKET_POOL;

typedef struct _NDIS_PACKET_PRIVATE {
	UINT PhysicalCount;		/* pages the buffers span */
	UINT TotalLength;		/* bytes the buffers describe */
	PNDIS_BUFFER Head;		/* first buffer; NULL: no chain */
	PNDIS_BUFFER Tail;		/* last buffer (stale when Head is NULL) */
	PNDIS_PACKET_POOL Pool;		/* the pool handle it came from */
	UINT Count;			/* buffers in the chain */
	ULONG Flags;
	BOOLEAN ValidCounts;		/* the three counts above are current */
	UCHAR NdisPacketFlags;		/* fPACKET_xxx */
	USHORT NdisPacketOobOffset;	/* from the packet to its OOB data */
} NDIS_PACKET_PRIVATE, *PNDIS_PACKET_PRIVATE;

/* Private.Flags */
#define NDIS_FLAGS_PROTOCOL_ID_MASK         0x0000000F
#define NDIS_FLAGS_MULTICAST_PACKET         0x00000010
#define NDIS_FLAGS_RESERVED2                0x00000020
#define NDIS_FLAGS_RESERVED3                0x00000040
#define NDIS_FLAGS_DONT_LOOPBACK            0x00000080
#define NDIS_FLAGS_IS_LOOPBACK_PACKET       0x00000100
#define NDIS_FLAGS_LOOPBACK_ONLY            0x00000200
#define NDIS_FLAGS_RESERVED4                0x00000400
#define NDIS_FLAGS_DOUBLE_BUFFERED          0x00000800
#define NDIS_FLAGS_SENT_AT_DPC              0x00001000
#define NDIS_FLAGS_USES_SG_BUFFER_LIST      0x00002000
#define NDIS_FLAGS_USES_ORIGINAL_PACKET     0x00004000
#define NDIS_FLAGS_PADDED                   0x00010000
#define NDIS_FLAGS_XLATE_AT_TOP             0x00020000

/* Private.NdisPacketFlags */
#define fPACKET_WRAPPER_RESERVED             0x3F
#define fPACKET_CONTAINS_MEDIA_SPECIFIC_INFO 0x40
#define fPACKET_ALLOCATED_BY_NDIS            0x80

#define PROTOCOL_RESERVED_SIZE_IN_PACKET (4 * sizeof(PVOID))

struct _NDIS_PACKET {
	NDIS_PACKET_PRIVATE Private;
	union {
		struct {	/* connectionless miniports */
			UCHAR MiniportReserved[2 * sizeof(PVOID)];
			UCHAR WrapperReserved[2 * sizeof(PVOID)];
		};
		struct {	/* deserialized miniports */
			UCHAR MiniportReservedEx[3 * sizeof(PVOID)];
			UCHAR WrapperReservedEx[sizeof(PVOID)];
		};
		struct {
			UCHAR MacReserved[4 * sizeof(PVOID)];
		};
	};
	ULONG_PTR Reserved[2];
	UCHAR ProtocolReserved[1];	/* ProtocolReservedLength bytes */
};

typedef enum _NDIS_PER_PACKET_INFO {
	TcpIpChecksumPacketInfo,
	IpSecPacketInfo,
	TcpLargeSendPacketInfo,
	ClassificationHandlePacketInfo,
	NdisReserved,
	ScatterGatherListPacketInfo,
	Ieee8021QInfo,
	OriginalPacketInfo,
	PacketCancelId,
	OriginalNetBufferList,
	CachedNetBufferList,
	ShortPacketPaddingInfo,
	MaxPerPacketInfo
} NDIS_PER_PACKET_INFO, *PNDIS_PER_PACKET_INFO;

typedef struct _NDIS_PACKET_EXTENSION {
	PVOID NdisPacketInfo[MaxPerPacketInfo];
} NDIS_PACKET_EXTENSION, *PNDIS_PACKET_EXTENSION;

typedef struct _NDIS_PACKET_OOB_DATA {
	union {
		ULONGLONG TimeToSend;
		ULONGLONG TimeSent;
	};
	ULONGLONG TimeReceived;
	UINT HeaderSize;
	UINT SizeMediaSpecificInfo;
	PVOID MediaSpecificInformation;
	NDIS_STATUS Status;
} NDIS_PACKET_OOB_DATA, *PNDIS_PACKET_OOB_DATA;

/* Ieee8021QInfo's value. */
typedef struct _NDIS_PACKET_8021Q_INFO {
	union {
		struct {
			UINT32 UserPriority:3;
			UINT32 CanonicalFormatId:1;
			UINT32 VlanId:12;
			UINT32 Reserved:16;
		} TagHeader;
		PVOID Value;
	};
} NDIS_PACKET_8021Q_INFO, *PNDIS_PACKET_8021Q_INFO;

/* TcpIpChecksumPacketInfo's value. */
typedef struct _NDIS_TCP_IP_CHECKSUM_PACKET_INFO {
	union {
		struct {
			ULONG NdisPacketChecksumV4:1;
			ULONG NdisPacketChecksumV6:1;
			ULONG NdisPacketTcpChecksum:1;
			ULONG NdisPacketUdpChecksum:1;
			ULONG NdisPacketIpChecksum:1;
		} Transmit;
		struct {
			ULONG NdisPacketTcpChecksumFailed:1;
			ULONG NdisPacketUdpChecksumFailed:1;
			ULONG NdisPacketIpChecksumFailed:1;
			ULONG NdisPacketTcpChecksumSucceeded:1;
			ULONG NdisPacketUdpChecksumSucceeded:1;
			ULONG NdisPacketIpChecksumSucceeded:1;
			ULONG NdisPacketLoopback:1;
		} Receive;
		ULONG Value;
	};
} NDIS_TCP_IP_CHECKSUM_PACKET_INFO, *PNDIS_TCP_IP_CHECKSUM_PACKET_INFO;

#define NDIS_OOB_DATA_FROM_PACKET(_Packet)				\
	((PNDIS_PACKET_OOB_DATA)((PUCHAR)(_Packet) +			\
				 (_Packet)->Private.NdisPacketOobOffset))
#define NDIS_PACKET_EXTENSION_FROM_PACKET(_P)				\
	((PNDIS_PACKET_EXTENSION)((PUCHAR)(_P) +			\
				  (_P)->Private.NdisPacketOobOffset +	\
				  sizeof(NDIS_PACKET_OOB_DATA)))
#define NDIS_PER_PACKET_INFO_FROM_PACKET(_P, _Id)			\
	(NDIS_PACKET_EXTENSION_FROM_PACKET(_P)->NdisPacketInfo[(_Id)])
#define NDIS_GET_ORIGINAL_PACKET(_P) \
	NDIS_PER_PACKET_INFO_FROM_PACKET(_P, OriginalPacketInfo)
#define NDIS_SET_ORIGINAL_PACKET(_P, _OP) \
	(NDIS_PER_PACKET_INFO_FROM_PACKET(_P, OriginalPacketInfo) = (_OP))
#define NDIS_GET_PACKET_CANCEL_ID(_P) \
	NDIS_PER_PACKET_INFO_FROM_PACKET(_P, PacketCancelId)
#define NDIS_SET_PACKET_CANCEL_ID(_P, _cId) \
	(NDIS_PER_PACKET_INFO_FROM_PACKET(_P, PacketCancelId) = (_cId))
/* The WDK's function forms of the two macros above. */
#define NdisGetPacketCancelId(_P)	NDIS_GET_PACKET_CANCEL_ID(_P)
#define NdisSetPacketCancelId(_P, _cId)	NDIS_SET_PACKET_CANCEL_ID(_P, _cId)

/*
 * A byte no other caller got (until 256 calls wrapped it), for the most
 * significant byte of the caller's cancel IDs, so that IDs of different
 * drivers never match (NdisGeneratePartialCancelId).  The shim takes one
 * per NDIS 5 adapter for the IDs it tags its sends with; a miniport's
 * MiniportCancelSendPackets compares whole IDs.
 */
UCHAR NdisGeneratePartialCancelId(VOID);

#define NDIS_GET_PACKET_HEADER_SIZE(_Packet) \
	(NDIS_OOB_DATA_FROM_PACKET(_Packet)->HeaderSize)
#define NDIS_SET_PACKET_HEADER_SIZE(_Packet, _HdrSize) \
	(NDIS_OOB_DATA_FROM_PACKET(_Packet)->HeaderSize = (_HdrSize))
#define NDIS_GET_PACKET_STATUS(_Packet) \
	(NDIS_OOB_DATA_FROM_PACKET(_Packet)->Status)
#define NDIS_SET_PACKET_STATUS(_Packet, _Status) \
	(NDIS_OOB_DATA_FROM_PACKET(_Packet)->Status = (_Status))
#define NDIS_GET_PACKET_TIME_TO_SEND(_Packet) \
	(NDIS_OOB_DATA_FROM_PACKET(_Packet)->TimeToSend)
#define NDIS_SET_PACKET_TIME_TO_SEND(_Packet, _TimeToSend) \
	(NDIS_OOB_DATA_FROM_PACKET(_Packet)->TimeToSend = (_TimeToSend))
#define NDIS_GET_PACKET_TIME_SENT(_Packet) \
	(NDIS_OOB_DATA_FROM_PACKET(_Packet)->TimeSent)
#define NDIS_SET_PACKET_TIME_SENT(_Packet, _TimeSent) \
	(NDIS_OOB_DATA_FROM_PACKET(_Packet)->TimeSent = (_TimeSent))
#define NDIS_GET_PACKET_TIME_RECEIVED(_Packet) \
	(NDIS_OOB_DATA_FROM_PACKET(_Packet)->TimeReceived)
#define NDIS_SET_PACKET_TIME_RECEIVED(_Packet, _TimeReceived) \
	(NDIS_OOB_DATA_FROM_PACKET(_Packet)->TimeReceived = (_TimeReceived))
#define NDIS_GET_PACKET_MEDIA_SPECIFIC_INFO(_Packet, _pMediaSpecificInfo, _pSizeMediaSpecificInfo) \
	do {								\
		if (!((_Packet)->Private.NdisPacketFlags &		\
		      fPACKET_ALLOCATED_BY_NDIS) ||			\
		    !((_Packet)->Private.NdisPacketFlags &		\
		      fPACKET_CONTAINS_MEDIA_SPECIFIC_INFO)) {		\
			*(_pMediaSpecificInfo) = NULL;			\
			*(_pSizeMediaSpecificInfo) = 0;			\
		} else {						\
			*(_pMediaSpecificInfo) = NDIS_OOB_DATA_FROM_PACKET(_Packet)->MediaSpecificInformation; \
			*(_pSizeMediaSpecificInfo) = NDIS_OOB_DATA_FROM_PACKET(_Packet)->SizeMediaSpecificInfo; \
		}							\
	} while (0)
#define NDIS_SET_PACKET_MEDIA_SPECIFIC_INFO(_Packet, _MediaSpecificInfo, _SizeMediaSpecificInfo) \
	do {								\
		if ((_Packet)->Private.NdisPacketFlags &		\
		    fPACKET_ALLOCATED_BY_NDIS) {			\
			(_Packet)->Private.NdisPacketFlags |=		\
				fPACKET_CONTAINS_MEDIA_SPECIFIC_INFO;	\
			NDIS_OOB_DATA_FROM_PACKET(_Packet)->MediaSpecificInformation = (_MediaSpecificInfo); \
			NDIS_OOB_DATA_FROM_PACKET(_Packet)->SizeMediaSpecificInfo = (_SizeMediaSpecificInfo); \
		}							\
	} while (0)

#define NdisGetPacketFlags(_Packet)          ((_Packet)->Private.Flags)
#define NdisSetPacketFlags(_Packet, _Flags)  ((_Packet)->Private.Flags |= (_Flags))
#define NdisClearPacketFlags(_Packet, _Flags) ((_Packet)->Private.Flags &= ~(_Flags))
#define NDIS_GET_PACKET_PROTOCOL_TYPE(_Packet) \
	((_Packet)->Private.Flags & NDIS_FLAGS_PROTOCOL_ID_MASK)
#define NdisGetPoolFromPacket(_Packet) ((NDIS_HANDLE)(_Packet)->Private.Pool)

/* Buffers (NDIS_BUFFER is an MDL; the WDK's macros). */
#define NdisBufferVirtualAddress(_Buffer) \
	MmGetSystemAddressForMdlSafe(_Buffer, NormalPagePriority)
#define NdisAdjustBufferLength(_Buffer, _Length) \
	((_Buffer)->ByteCount = (ULONG)(_Length))
#define NDIS_BUFFER_TO_SPAN_PAGES(_Buffer)				\
	(MmGetMdlByteCount(_Buffer) == 0 ? 1 :				\
	 ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(_Buffer), \
					MmGetMdlByteCount(_Buffer)))

/*
 * Chaining, as the WDK's macros do it: _Buffer may head a chain of its
 * own, which goes in whole; the cached counts are then stale.
 */
#define NdisChainBufferAtFront(_Packet, _Buffer)			\
	do {								\
		PNDIS_BUFFER __NdisTmp = (_Buffer);			\
		while (__NdisTmp->Next != NULL)				\
			__NdisTmp = __NdisTmp->Next;			\
		if ((_Packet)->Private.Head == NULL)			\
			(_Packet)->Private.Tail = __NdisTmp;		\
		__NdisTmp->Next = (_Packet)->Private.Head;		\
		(_Packet)->Private.Head = (_Buffer);			\
		(_Packet)->Private.ValidCounts = FALSE;			\
	} while (0)

#define NdisChainBufferAtBack(_Packet, _Buffer)				\
	do {								\
		PNDIS_BUFFER __NdisTmp = (_Buffer);			\
		while (__NdisTmp->Next != NULL)				\
			__NdisTmp = __NdisTmp->Next;			\
		if ((_Packet)->Private.Head != NULL)			\
			(_Packet)->Private.Tail->Next = (_Buffer);	\
		else							\
			(_Packet)->Private.Head = (_Buffer);		\
		(_Packet)->Private.Tail = __NdisTmp;			\
		(_Packet)->Private.ValidCounts = FALSE;			\
	} while (0)

/* Empties the chain (the buffers are the caller's to free). */
#define NdisReinitializePacket(_Packet)					\
	do {								\
		(_Packet)->Private.Head = (PNDIS_BUFFER)NULL;		\
		(_Packet)->Private.ValidCounts = FALSE;			\
	} while (0)

/* After a buffer's length or the chain changed in place: Tail is the last
 * buffer again and the cached counts are recomputed on the next query. */
#define NdisRecalculatePacketCounts(_Packet)				\
	do {								\
		PNDIS_BUFFER __NdisT = (_Packet)->Private.Head;		\
		if (__NdisT != NULL) {					\
			while (__NdisT->Next != NULL)			\
				__NdisT = __NdisT->Next;		\
			(_Packet)->Private.Tail = __NdisT;		\
		}							\
		(_Packet)->Private.ValidCounts = FALSE;			\
	} while (0)

/*
 * Walks the chain only when the cached counts are stale, then caches
 * them (ValidCounts), as the WDK's macro does.  Each output may be NULL.
 */
#define NdisQueryPacket(_Packet, _PhysicalBufferCount, _BufferCount, _FirstBuffer, _TotalPacketLength) \
	do {								\
		PNDIS_BUFFER *__NdisFirst = (_FirstBuffer);		\
		PUINT __NdisPhysOut = (_PhysicalBufferCount);		\
		PUINT __NdisCountOut = (_BufferCount);			\
		PUINT __NdisLenOut = (_TotalPacketLength);		\
		if (__NdisFirst != NULL)				\
			*__NdisFirst = (_Packet)->Private.Head;		\
		if (__NdisLenOut || __NdisCountOut || __NdisPhysOut) {	\
			if (!(_Packet)->Private.ValidCounts) {		\
				PNDIS_BUFFER __NdisB;			\
				UINT __NdisPhys = 0, __NdisLen = 0;	\
				UINT __NdisCount = 0;			\
				for (__NdisB = (_Packet)->Private.Head;	\
				     __NdisB != NULL;			\
				     __NdisB = __NdisB->Next) {		\
					__NdisPhys += NDIS_BUFFER_TO_SPAN_PAGES(__NdisB); \
					__NdisLen += MmGetMdlByteCount(__NdisB); \
					__NdisCount++;			\
				}					\
				(_Packet)->Private.PhysicalCount = __NdisPhys; \
				(_Packet)->Private.TotalLength = __NdisLen; \
				(_Packet)->Private.Count = __NdisCount;	\
				(_Packet)->Private.ValidCounts = TRUE;	\
			}						\
			if (__NdisPhysOut)				\
				*__NdisPhysOut = (_Packet)->Private.PhysicalCount; \
			if (__NdisCountOut)				\
				*__NdisCountOut = (_Packet)->Private.Count; \
			if (__NdisLenOut)				\
				*__NdisLenOut = (_Packet)->Private.TotalLength; \
		}							\
	} while (0)

#define NdisQueryPacketLength(_Packet, _TotalPacketLength)		\
	do {								\
		if (!(_Packet)->Private.ValidCounts)			\
			NdisQueryPacket(_Packet, NULL, NULL, NULL,	\
					_TotalPacketLength);		\
		else							\
			*(_TotalPacketLength) = (_Packet)->Private.TotalLength; \
	} while (0)

/*
 * The first buffer, its address and length, and the packet's length
 * (walking the chain; the cached counts are not used).  With no buffer,
 * all are NULL/0.  Safe: the address may be NULL where the buffer has no
 * system address (the priority says how hard Windows would try).
 */
#define NdisGetFirstBufferFromPacketSafe(_Packet, _FirstBuffer, _FirstBufferVA, _FirstBufferLength, _TotalBufferLength, _Priority) \
	do {								\
		PNDIS_BUFFER __NdisBuf = (_Packet)->Private.Head;	\
		*(_FirstBuffer) = __NdisBuf;				\
		if (__NdisBuf != NULL) {				\
			*(_FirstBufferVA) =				\
				MmGetSystemAddressForMdlSafe(__NdisBuf, _Priority); \
			*(_FirstBufferLength) = *(_TotalBufferLength) = \
				MmGetMdlByteCount(__NdisBuf);		\
			for (__NdisBuf = __NdisBuf->Next; __NdisBuf != NULL; \
			     __NdisBuf = __NdisBuf->Next)		\
				*(_TotalBufferLength) +=		\
					MmGetMdlByteCount(__NdisBuf);	\
		} else {						\
			*(_FirstBufferVA) = NULL;			\
			*(_FirstBufferLength) = 0;			\
			*(_TotalBufferLength) = 0;			\
		}							\
	} while (0)
#define NdisGetFirstBufferFromPacket(_Packet, _FirstBuffer, _FirstBufferVA, _FirstBufferLength, _TotalBufferLength) \
	NdisGetFirstBufferFromPacketSafe(_Packet, _FirstBuffer, _FirstBufferVA, \
					 _FirstBufferLength, _TotalBufferLength, \
					 NormalPagePriority)

/*
 * Packet pools.  Every descriptor, overflow ones included, is allocated
 * with the pool, so NdisAllocatePacket never allocates memory (it may run
 * at DISPATCH_LEVEL).  *Status: NDIS_STATUS_SUCCESS, or
 * NDIS_STATUS_RESOURCES (more than 0xFFFF descriptors, none, a
 * ProtocolReservedLength too large, no memory).  A pool names no owner: one
 * its driver never frees is freed when the shim unloads (logged).
 */
VOID NdisAllocatePacketPool(
	_Out_ PNDIS_STATUS Status,
	_Out_ PNDIS_HANDLE PoolHandle,
	_In_ UINT NumberOfDescriptors,
	_In_ UINT ProtocolReservedLength);

VOID NdisAllocatePacketPoolEx(
	_Out_ PNDIS_STATUS Status,
	_Out_ PNDIS_HANDLE PoolHandle,
	_In_ UINT NumberOfDescriptors,
	_In_ UINT NumberOfOverflowDescriptors,
	_In_ UINT ProtocolReservedLength);

/* Packets still allocated: refused and counted; the pool then goes
 * when its last packet is freed. */
VOID NdisFreePacketPool(
	_In_ NDIS_HANDLE PoolHandle);

/* Descriptors of the pool in use. */
UINT NdisPacketPoolUsage(
	_In_ NDIS_HANDLE PoolHandle);

/* *Status NDIS_STATUS_SUCCESS with a zeroed descriptor, or
 * NDIS_STATUS_RESOURCES with *Packet NULL when the pool has none free (or
 * the handle names no pool: refused and counted). */
VOID NdisAllocatePacket(
	_Out_ PNDIS_STATUS Status,
	_Out_ PNDIS_PACKET *Packet,
	_In_ NDIS_HANDLE PoolHandle);

VOID NdisDprAllocatePacket(
	_Out_ PNDIS_STATUS Status,
	_Out_ PNDIS_PACKET *Packet,
	_In_ NDIS_HANDLE PoolHandle);

VOID NdisDprAllocatePacketNonInterlocked(
	_Out_ PNDIS_STATUS Status,
	_Out_ PNDIS_PACKET *Packet,
	_In_ NDIS_HANDLE PoolHandle);

/* A packet that is not one of its pool's allocated descriptors is
 * refused and counted. */
VOID NdisFreePacket(
	_In_ PNDIS_PACKET Packet);

VOID NdisDprFreePacket(
	_In_ PNDIS_PACKET Packet);

VOID NdisDprFreePacketNonInterlocked(
	_In_ PNDIS_PACKET Packet);

/* *Buffer is the buffer taken off the chain, or NULL when it is empty. */
VOID NdisUnchainBufferAtFront(
	_Inout_ PNDIS_PACKET Packet,
	_Out_ PNDIS_BUFFER *Buffer);

VOID NdisUnchainBufferAtBack(
	_Inout_ PNDIS_PACKET Packet,
	_Out_ PNDIS_BUFFER *Buffer);

/* Copies up to BytesToCopy bytes, stopping where either chain ends;
 * *BytesCopied says how many.  Safe: 0 copied when a buffer in the range
 * has no system address. */
VOID NdisCopyFromPacketToPacket(
	_In_ PNDIS_PACKET Destination,
	_In_ UINT DestinationOffset,
	_In_ UINT BytesToCopy,
	_In_ PNDIS_PACKET Source,
	_In_ UINT SourceOffset,
	_Out_ PUINT BytesCopied);

VOID NdisCopyFromPacketToPacketSafe(
	_In_ PNDIS_PACKET Destination,
	_In_ UINT DestinationOffset,
	_In_ UINT BytesToCopy,
	_In_ PNDIS_PACKET Source,
	_In_ UINT SourceOffset,
	_Out_ PUINT BytesCopied,
	_In_ MM_PAGE_PRIORITY Priority);

/* ==================== end of NDIS 5 packets and buffers ================= */

/* Delays: Stall busy-waits (any IRQL), Sleep may sleep (PASSIVE_LEVEL). */
VOID NdisStallExecution(
	_In_ UINT MicrosecondsToStall);

VOID NdisMSleep(
	_In_ ULONG MicrosecondsToSleep);

/* System DMA. */
NDIS_STATUS NdisMRegisterDmaChannel(
	_Out_ PNDIS_HANDLE MiniportDmaHandle,
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ UINT DmaChannel,
	_In_ BOOLEAN Dma32BitAddresses,
	_In_ PNDIS_DMA_DESCRIPTION DmaDescription,
	_In_ ULONG MaximumLength);

VOID NdisMDeregisterDmaChannel(
	_In_ NDIS_HANDLE MiniportDmaHandle);

VOID NdisSetupDmaTransfer(
	_Out_ PNDIS_STATUS Status,
	_In_ NDIS_HANDLE MiniportDmaHandle,
	_In_ PNDIS_BUFFER Buffer,
	_In_ ULONG Offset,
	_In_ ULONG Length,
	_In_ BOOLEAN WriteToDevice);

VOID NdisCompleteDmaTransfer(
	_Out_ PNDIS_STATUS Status,
	_In_ NDIS_HANDLE MiniportDmaHandle,
	_In_ PNDIS_BUFFER Buffer,
	_In_ ULONG Offset,
	_In_ ULONG Length,
	_In_ BOOLEAN WriteToDevice);

#define NdisMSetupDmaTransfer(_S, _H, _B, _O, _L, _M_) \
	NdisSetupDmaTransfer(_S, _H, _B, _O, _L, _M_)
#define NdisMCompleteDmaTransfer(_S, _H, _B, _O, _L, _M_) \
	NdisCompleteDmaTransfer(_S, _H, _B, _O, _L, _M_)

ULONG NdisMReadDmaCounter(
	_In_ NDIS_HANDLE MiniportDmaHandle);

/*
 * Shared memory.  The adapter must have a DMA adapter first, bus master or
 * subordinate: NdisMRegisterScatterGatherDma or NdisMRegisterDmaChannel
 * (NdisMAllocateMapRegisters for an NDIS 5 bus master); the memory lies
 * within that DMA adapter's addressing.  PhysicalAddress is the device's
 * (bus) address of the memory, which under an IOMMU is not its physical
 * address.  The free must repeat the allocation's Length, Cached,
 * VirtualAddress and PhysicalAddress exactly.
 */
_IRQL_requires_(PASSIVE_LEVEL)
VOID NdisMAllocateSharedMemory(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ ULONG Length,
	_In_ BOOLEAN Cached,
	_Outptr_result_maybenull_ PVOID *VirtualAddress,
	_Out_ PNDIS_PHYSICAL_ADDRESS PhysicalAddress);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID NdisMFreeSharedMemory(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ ULONG Length,
	_In_ BOOLEAN Cached,
	_In_ PVOID VirtualAddress,
	_In_ NDIS_PHYSICAL_ADDRESS PhysicalAddress);

/* NDIS_STATUS_PENDING: the result reaches the SharedMemAllocateCompleteHandler
 * of the NDIS_SG_DMA_DESCRIPTION at PASSIVE_LEVEL, with NULL VirtualAddress
 * and PhysicalAddress when the allocation fails; else NDIS_STATUS_FAILURE. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS NdisMAllocateSharedMemoryAsyncEx(
	_In_ NDIS_HANDLE MiniportDmaHandle,
	_In_ ULONG Length,
	_In_ BOOLEAN Cached,
	_In_ PVOID Context);

/* Shared memory is coherent: nothing to update.  Exported for old code;
 * the NdisM form is an empty macro, as in the WDK. */
VOID NdisUpdateSharedMemory(
	_In_ NDIS_HANDLE NdisAdapterHandle,
	_In_ ULONG Length,
	_In_ PVOID VirtualAddress,
	_In_ NDIS_PHYSICAL_ADDRESS PhysicalAddress);

#define NdisMUpdateSharedMemory(_H, _L, _V, _P)

/* Alignment and cache.  NdisMGetDmaAlignment is 0 for an adapter that has
 * no DMA adapter yet (no SG DMA registration, DMA channel or map
 * registers). */
ULONG NdisMGetDmaAlignment(
	_In_ NDIS_HANDLE MiniportAdapterHandle);

ULONG NdisGetSharedDataAlignment(VOID);

/*
 * NdisFlushBuffer is KeFlushIoBuffers, which x86/x64 Windows defines
 * empty: DMA there snoops the CPU caches.  Linux does the cache
 * maintenance an architecture needs inside the DMA-mapping calls the shim
 * makes (map, sync, unmap) and coherent memory needs none, so here it is
 * empty too; the arguments are still evaluated and type-checked.
 */
#define KeFlushIoBuffers(_Mdl, _ReadOperation, _DmaOperation) \
	((void)(PMDL)(_Mdl), (void)(_ReadOperation), (void)(_DmaOperation))
#define NdisFlushBuffer(_Buffer, _WriteToDevice) \
	KeFlushIoBuffers((_Buffer), !(_WriteToDevice), TRUE)

/* ------------------------------------------------------------------------
 * NDIS 5.x registration and bus-master DMA (map registers)
 * ------------------------------------------------------------------------ */

/* DriverEntry: SystemSpecific1/2 are DriverEntry's arguments. */
VOID NdisMInitializeWrapper(
	_Out_ PNDIS_HANDLE NdisWrapperHandle,
	_In_ PVOID SystemSpecific1,
	_In_ PVOID SystemSpecific2,
	_In_opt_ PVOID SystemSpecific3);

NDIS_STATUS NdisMRegisterMiniport(
	_In_ NDIS_HANDLE NdisWrapperHandle,
	_In_ PNDIS_MINIPORT_CHARACTERISTICS MiniportCharacteristics,
	_In_ UINT CharacteristicsLength);

VOID NdisTerminateWrapper(
	_In_ NDIS_HANDLE NdisWrapperHandle,
	_In_opt_ PVOID SystemSpecific);

/* MiniportInitialize: AttributeFlags takes the NDIS_ATTRIBUTE_* values. */
VOID NdisMSetAttributesEx(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_opt_ UINT CheckForHangTimeInSeconds,
	_In_ ULONG AttributeFlags,
	_In_opt_ NDIS_INTERFACE_TYPE AdapterType);

/* The adapter's resources; WrapperConfigurationContext is Initialize's. */
VOID NdisMQueryAdapterResources(
	_Out_ PNDIS_STATUS Status,
	_In_ NDIS_HANDLE WrapperConfigurationContext,
	_Out_ PNDIS_RESOURCE_LIST ResourceList,
	_Inout_ PUINT BufferSize);

/* PASSIVE_LEVEL, after NdisMSetAttributesEx.  Not a bus master: SUCCESS,
 * nothing allocated.  Incompatible parameters (DmaSize, no register, an
 * empty buffer, registers already held, more than 64 map registers in
 * all): NDIS_STATUS_RESOURCES. */
NDIS_STATUS NdisMAllocateMapRegisters(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ UINT DmaChannel,
	_In_ NDIS_DMA_SIZE DmaSize,
	_In_ ULONG BaseMapRegistersNeeded,
	_In_ ULONG MaximumPhysicalMapping);

VOID NdisMFreeMapRegisters(
	_In_ NDIS_HANDLE MiniportAdapterHandle);

/* IRQL <= DISPATCH_LEVEL.  PhysicalAddressArray must hold
 * NdisGetBufferPhysicalArraySize entries; the addresses are bus (DMA)
 * addresses.  A rejected call sets *ArraySize to 0. */
VOID NdisMStartBufferPhysicalMapping(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ PNDIS_BUFFER Buffer,
	_In_ ULONG PhysicalMapRegister,
	_In_ BOOLEAN WriteToDevice,
	_Out_ PNDIS_PHYSICAL_ADDRESS_UNIT PhysicalAddressArray,
	_Out_ PUINT ArraySize);

VOID NdisMCompleteBufferPhysicalMapping(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ PNDIS_BUFFER Buffer,
	_In_ ULONG PhysicalMapRegister);

/* IRQL <= DISPATCH_LEVEL, once NdisMAllocateMapRegisters made the DMA
 * adapter.  NDIS_STATUS_PENDING: the result reaches the characteristics'
 * AllocateCompleteHandler at PASSIVE_LEVEL, with NULL VirtualAddress and
 * PhysicalAddress when the allocation fails; else NDIS_STATUS_FAILURE. */
NDIS_STATUS NdisMAllocateSharedMemoryAsync(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ ULONG Length,
	_In_ BOOLEAN Cached,
	_In_ PVOID Context);

/* NDIS 6 scatter-gather DMA (bus masters). */
NDIS_STATUS NdisMRegisterScatterGatherDma(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_Inout_ PNDIS_SG_DMA_DESCRIPTION DmaDescription,
	_Out_ PNDIS_HANDLE NdisMiniportDmaHandle);

VOID NdisMDeregisterScatterGatherDma(
	_In_ NDIS_HANDLE NdisMiniportDmaHandle);

/*
 * IRQL <= DISPATCH_LEVEL.  ProcessSGListHandler runs at DISPATCH_LEVEL
 * (on the shim: from this call, before it returns); ScatterGatherListBuffer
 * is used when it holds the list.  SUCCESS or RESOURCES.
 */
NDIS_STATUS NdisMAllocateNetBufferSGList(
	_In_ NDIS_HANDLE NdisMiniportDmaHandle,
	_In_ PNET_BUFFER NetBuffer,
	_In_ PVOID Context,
	_In_ ULONG Flags,
	_In_reads_bytes_opt_(ScatterGatherListBufferSize) PVOID ScatterGatherListBuffer,
	_In_ ULONG ScatterGatherListBufferSize);

VOID NdisMFreeNetBufferSGList(
	_In_ NDIS_HANDLE NdisMiniportDmaHandle,
	_In_ PSCATTER_GATHER_LIST pSGL,
	_In_ PNET_BUFFER NetBuffer);

/* ------------------------------------------------------------------------
 * The rest of an NDIS 6 NIC miniport's interface: OID requests, status
 * indications, the send and receive calls, pause/restart/reset
 * completion, timers, I/O work items, configuration, the error log.
 * DECLARED ONLY: the shim does not export these yet, so a miniport that
 * calls one builds but does not load (modpost reports the symbol).
 * ------------------------------------------------------------------------ */

typedef struct _GUID {
	ULONG Data1;
	USHORT Data2;
	USHORT Data3;
	UCHAR Data4[8];
} GUID, *PGUID;

/* NDIS_OID_REQUEST.RequestType */
typedef enum _NDIS_REQUEST_TYPE {
	NdisRequestQueryInformation,
	NdisRequestSetInformation,
	NdisRequestQueryStatistics,
	NdisRequestOpen,
	NdisRequestClose,
	NdisRequestSend,
	NdisRequestTransferData,
	NdisRequestReset,
	NdisRequestGeneric1,
	NdisRequestGeneric2,
	NdisRequestGeneric3,
	NdisRequestGeneric4,
	NdisRequestMethod
} NDIS_REQUEST_TYPE, *PNDIS_REQUEST_TYPE;

#define NDIS_OID_REQUEST_REVISION_1         1
#define NDIS_OID_REQUEST_TIMEOUT_INFINITE   0
#define NDIS_OID_REQUEST_NDIS_RESERVED_SIZE 16

struct _NDIS_OID_REQUEST {
	NDIS_OBJECT_HEADER Header;	/* NDIS_OBJECT_TYPE_OID_REQUEST */
	NDIS_REQUEST_TYPE RequestType;
	NDIS_PORT_NUMBER PortNumber;
	UINT Timeout;			/* seconds */
	PVOID RequestId;
	NDIS_HANDLE RequestHandle;
	union _REQUEST_DATA {
		struct _QUERY {
			NDIS_OID Oid;
			PVOID InformationBuffer;
			UINT InformationBufferLength;
			UINT BytesWritten;
			UINT BytesNeeded;
		} QUERY_INFORMATION;
		struct _SET {
			NDIS_OID Oid;
			PVOID InformationBuffer;
			UINT InformationBufferLength;
			UINT BytesRead;
			UINT BytesNeeded;
		} SET_INFORMATION;
		struct _METHOD {
			NDIS_OID Oid;
			PVOID InformationBuffer;
			ULONG InputBufferLength;
			ULONG OutputBufferLength;
			ULONG MethodId;
			UINT BytesWritten;
			UINT BytesRead;
			UINT BytesNeeded;
		} METHOD_INFORMATION;
	} DATA;
	UCHAR NdisReserved[NDIS_OID_REQUEST_NDIS_RESERVED_SIZE * sizeof(PVOID)];
	UCHAR MiniportReserved[2 * sizeof(PVOID)];
	UCHAR SourceReserved[2 * sizeof(PVOID)];
	UCHAR SupportedRevision;
	UCHAR Reserved1;
	USHORT Reserved2;
};

#define NDIS_SIZEOF_OID_REQUEST_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_OID_REQUEST, Reserved2)

/* General OIDs (ntddndis.h): operational characteristics */
#define OID_GEN_SUPPORTED_LIST                  0x00010101
#define OID_GEN_HARDWARE_STATUS                 0x00010102
#define OID_GEN_MEDIA_SUPPORTED                 0x00010103
#define OID_GEN_MEDIA_IN_USE                    0x00010104
#define OID_GEN_MAXIMUM_LOOKAHEAD               0x00010105
#define OID_GEN_MAXIMUM_FRAME_SIZE              0x00010106
#define OID_GEN_LINK_SPEED                      0x00010107
#define OID_GEN_TRANSMIT_BUFFER_SPACE           0x00010108
#define OID_GEN_RECEIVE_BUFFER_SPACE            0x00010109
#define OID_GEN_TRANSMIT_BLOCK_SIZE             0x0001010A
#define OID_GEN_RECEIVE_BLOCK_SIZE              0x0001010B
#define OID_GEN_VENDOR_ID                       0x0001010C
#define OID_GEN_VENDOR_DESCRIPTION              0x0001010D
#define OID_GEN_CURRENT_PACKET_FILTER           0x0001010E
#define OID_GEN_CURRENT_LOOKAHEAD               0x0001010F
#define OID_GEN_DRIVER_VERSION                  0x00010110
#define OID_GEN_MAXIMUM_TOTAL_SIZE              0x00010111
#define OID_GEN_PROTOCOL_OPTIONS                0x00010112
#define OID_GEN_MAC_OPTIONS                     0x00010113
#define OID_GEN_MEDIA_CONNECT_STATUS            0x00010114
#define OID_GEN_MAXIMUM_SEND_PACKETS            0x00010115
#define OID_GEN_VENDOR_DRIVER_VERSION           0x00010116
#define OID_GEN_SUPPORTED_GUIDS                 0x00010117
#define OID_GEN_NETWORK_LAYER_ADDRESSES         0x00010118
#define OID_GEN_TRANSPORT_HEADER_OFFSET         0x00010119
#define OID_GEN_MEDIA_CAPABILITIES              0x00010201
#define OID_GEN_PHYSICAL_MEDIUM                 0x00010202
#define OID_GEN_RECEIVE_SCALE_CAPABILITIES      0x00010203
#define OID_GEN_RECEIVE_SCALE_PARAMETERS        0x00010204
#define OID_GEN_MAC_ADDRESS                     0x00010205
#define OID_GEN_MAX_LINK_SPEED                  0x00010206
#define OID_GEN_LINK_STATE                      0x00010207
#define OID_GEN_LINK_PARAMETERS                 0x00010208
#define OID_GEN_INTERRUPT_MODERATION            0x00010209
#define OID_GEN_ENUMERATE_PORTS                 0x0001020D
#define OID_GEN_PORT_STATE                      0x0001020E
#define OID_GEN_PORT_AUTHENTICATION_PARAMETERS  0x0001020F

/* General OIDs: statistics */
#define OID_GEN_XMIT_OK                         0x00020101
#define OID_GEN_RCV_OK                          0x00020102
#define OID_GEN_XMIT_ERROR                      0x00020103
#define OID_GEN_RCV_ERROR                       0x00020104
#define OID_GEN_RCV_NO_BUFFER                   0x00020105
#define OID_GEN_STATISTICS                      0x00020106
#define OID_GEN_DIRECTED_BYTES_XMIT             0x00020201
#define OID_GEN_DIRECTED_FRAMES_XMIT            0x00020202
#define OID_GEN_MULTICAST_BYTES_XMIT            0x00020203
#define OID_GEN_MULTICAST_FRAMES_XMIT           0x00020204
#define OID_GEN_BROADCAST_BYTES_XMIT            0x00020205
#define OID_GEN_BROADCAST_FRAMES_XMIT           0x00020206
#define OID_GEN_DIRECTED_BYTES_RCV              0x00020207
#define OID_GEN_DIRECTED_FRAMES_RCV             0x00020208
#define OID_GEN_MULTICAST_BYTES_RCV             0x00020209
#define OID_GEN_MULTICAST_FRAMES_RCV            0x0002020A
#define OID_GEN_BROADCAST_BYTES_RCV             0x0002020B
#define OID_GEN_BROADCAST_FRAMES_RCV            0x0002020C
#define OID_GEN_RCV_CRC_ERROR                   0x0002020D
#define OID_GEN_TRANSMIT_QUEUE_LENGTH           0x0002020E

/* 802.3 OIDs */
#define OID_802_3_PERMANENT_ADDRESS             0x01010101
#define OID_802_3_CURRENT_ADDRESS               0x01010102
#define OID_802_3_MULTICAST_LIST                0x01010103
#define OID_802_3_MAXIMUM_LIST_SIZE             0x01010104
#define OID_802_3_MAC_OPTIONS                   0x01010105
#define OID_802_3_RCV_ERROR_ALIGNMENT           0x01020101
#define OID_802_3_XMIT_ONE_COLLISION            0x01020102
#define OID_802_3_XMIT_MORE_COLLISIONS          0x01020103
#define OID_802_3_XMIT_DEFERRED                 0x01020201
#define OID_802_3_XMIT_MAX_COLLISIONS           0x01020202
#define OID_802_3_RCV_OVERRUN                   0x01020203
#define OID_802_3_XMIT_UNDERRUN                 0x01020204
#define OID_802_3_XMIT_HEARTBEAT_FAILURE        0x01020205
#define OID_802_3_XMIT_TIMES_CRS_LOST           0x01020206
#define OID_802_3_XMIT_LATE_COLLISIONS          0x01020207

/* NDIS 6 task offload OIDs (ntddndis.h) */
#define OID_OFFLOAD_ENCAPSULATION               0x0101010A
#define OID_TCP_OFFLOAD_CURRENT_CONFIG          0xFC01020B
#define OID_TCP_OFFLOAD_PARAMETERS              0xFC01020C
#define OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES   0xFC01020D

/* Offload status indications: StatusBuffer is an NDIS_OFFLOAD. */
#define NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG        ((NDIS_STATUS)0x40020006L)
#define NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES ((NDIS_STATUS)0x40020007L)

/* OID_TCP_OFFLOAD_PARAMETERS (ntddndis.h).  Each UCHAR member is one of
 * the values below; NO_CHANGE leaves that offload as it is. */
#define NDIS_OFFLOAD_PARAMETERS_NO_CHANGE                  0
/* IPv4Checksum, TCPIPv4Checksum, UDPIPv4Checksum, TCPIPv6Checksum, UDPIPv6Checksum */
#define NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED             1
#define NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED     2
#define NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED     3
#define NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED              4
/* LsoV1 */
#define NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED             1
#define NDIS_OFFLOAD_PARAMETERS_LSOV1_ENABLED              2
/* IPsecV1 */
#define NDIS_OFFLOAD_PARAMETERS_IPSECV1_DISABLED           1
#define NDIS_OFFLOAD_PARAMETERS_IPSECV1_AH_ENABLED         2
#define NDIS_OFFLOAD_PARAMETERS_IPSECV1_ESP_ENABLED        3
#define NDIS_OFFLOAD_PARAMETERS_IPSECV1_AH_AND_ESP_ENABLED 4
/* LsoV2IPv4, LsoV2IPv6 */
#define NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED             1
#define NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED              2
#if NDIS_SUPPORT_NDIS630
/* RscIPv4, RscIPv6 */
#define NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED               1
#define NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED                2
#endif

#define NDIS_OFFLOAD_PARAMETERS_REVISION_1 1
#if NDIS_SUPPORT_NDIS61
#define NDIS_OFFLOAD_PARAMETERS_REVISION_2 2
#endif
#if NDIS_SUPPORT_NDIS630
#define NDIS_OFFLOAD_PARAMETERS_REVISION_3 3
#endif

/* Later WDKs append members (VXLAN, UDP segmentation) that no contract
 * this header offers declares; a set request may carry them, and the
 * miniport reads what its revision defines. */
typedef struct _NDIS_OFFLOAD_PARAMETERS {
	NDIS_OBJECT_HEADER Header;	/* NDIS_OBJECT_TYPE_DEFAULT */
	UCHAR IPv4Checksum;
	UCHAR TCPIPv4Checksum;
	UCHAR UDPIPv4Checksum;
	UCHAR TCPIPv6Checksum;
	UCHAR UDPIPv6Checksum;
	UCHAR LsoV1;
	UCHAR IPsecV1;
	UCHAR LsoV2IPv4;
	UCHAR LsoV2IPv6;
	UCHAR TcpConnectionIPv4;
	UCHAR TcpConnectionIPv6;
	ULONG Flags;
#if NDIS_SUPPORT_NDIS61
	UCHAR IPsecV2;
	UCHAR IPsecV2IPv4;
#endif
#if NDIS_SUPPORT_NDIS630
	struct {
		UCHAR RscIPv4;
		UCHAR RscIPv6;
	};
	struct {
		UCHAR EncapsulatedPacketTaskOffload;
		UCHAR EncapsulationTypes;
	};
#endif
} NDIS_OFFLOAD_PARAMETERS, *PNDIS_OFFLOAD_PARAMETERS;

#define NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_OFFLOAD_PARAMETERS, Flags)
#if NDIS_SUPPORT_NDIS61
#define NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_2 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_OFFLOAD_PARAMETERS, IPsecV2IPv4)
#endif
#if NDIS_SUPPORT_NDIS630
#define NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_3 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_OFFLOAD_PARAMETERS, EncapsulationTypes)
#endif

/* OID_OFFLOAD_ENCAPSULATION: Enabled is one of NDIS_OFFLOAD_SET_*,
 * EncapsulationType one of NDIS_ENCAPSULATION_*. */
#define NDIS_OFFLOAD_SET_NO_CHANGE 0
#define NDIS_OFFLOAD_SET_ON        1
#define NDIS_OFFLOAD_SET_OFF       2

#define NDIS_OFFLOAD_ENCAPSULATION_REVISION_1 1

typedef struct _NDIS_OFFLOAD_ENCAPSULATION {
	NDIS_OBJECT_HEADER Header;	/* NDIS_OBJECT_TYPE_OFFLOAD_ENCAPSULATION */
	struct {
		ULONG Enabled;
		ULONG EncapsulationType;
		ULONG HeaderSize;
	} IPv4;
	struct {
		ULONG Enabled;
		ULONG EncapsulationType;
		ULONG HeaderSize;
	} IPv6;
} NDIS_OFFLOAD_ENCAPSULATION, *PNDIS_OFFLOAD_ENCAPSULATION;

#define NDIS_SIZEOF_OFFLOAD_ENCAPSULATION_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_OFFLOAD_ENCAPSULATION, IPv6)

/* OID_GEN_STATISTICS (ntddndis.h): SupportedStatistics says which
 * members are valid. */
#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV    0x00000001
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV   0x00000002
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV   0x00000004
#define NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV              0x00000008
#define NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS           0x00000010
#define NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR              0x00000020
#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT   0x00000040
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT  0x00000080
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT  0x00000100
#define NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT             0x00000200
#define NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR             0x00000400
#define NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS          0x00008000
#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV     0x00010000
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV    0x00020000
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV    0x00040000
#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT    0x00080000
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT   0x00100000
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT   0x00200000

#define NDIS_STATISTICS_INFO_REVISION_1 1

typedef struct _NDIS_STATISTICS_INFO {
	NDIS_OBJECT_HEADER Header;	/* NDIS_OBJECT_TYPE_DEFAULT */
	ULONG SupportedStatistics;
	ULONG64 ifInDiscards;
	ULONG64 ifInErrors;
	ULONG64 ifHCInOctets;
	ULONG64 ifHCInUcastPkts;
	ULONG64 ifHCInMulticastPkts;
	ULONG64 ifHCInBroadcastPkts;
	ULONG64 ifHCOutOctets;
	ULONG64 ifHCOutUcastPkts;
	ULONG64 ifHCOutMulticastPkts;
	ULONG64 ifHCOutBroadcastPkts;
	ULONG64 ifOutErrors;
	ULONG64 ifOutDiscards;
	ULONG64 ifHCInUcastOctets;
	ULONG64 ifHCInMulticastOctets;
	ULONG64 ifHCInBroadcastOctets;
	ULONG64 ifHCOutUcastOctets;
	ULONG64 ifHCOutMulticastOctets;
	ULONG64 ifHCOutBroadcastOctets;
} NDIS_STATISTICS_INFO, *PNDIS_STATISTICS_INFO;

#define NDIS_SIZEOF_STATISTICS_INFO_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_STATISTICS_INFO, ifHCOutBroadcastOctets)

/* Power management OIDs */
#define OID_PNP_CAPABILITIES                    0xFD010100
#define OID_PNP_SET_POWER                       0xFD010101
#define OID_PNP_QUERY_POWER                     0xFD010102

/* ========================================================================
 * NDIS 5 constants and structures a NIC miniport uses (ntddndis.h,
 * ndis.h), with their WDK names and values.
 * ======================================================================== */

/* More general OIDs (optional) */
#define OID_GEN_MACHINE_NAME                    0x0001021A
#define OID_GEN_RNDIS_CONFIG_PARAMETER          0x0001021B
#define OID_GEN_VLAN_ID                         0x0001021C
#define OID_GEN_GET_TIME_CAPS                   0x0002020F
#define OID_GEN_GET_NETCARD_TIME                0x00020210
#define OID_GEN_NETCARD_LOAD                    0x00020211
#define OID_GEN_DEVICE_PROFILE                  0x00020212
#define OID_GEN_INIT_TIME_MS                    0x00020213
#define OID_GEN_RESET_COUNTS                    0x00020214
#define OID_GEN_MEDIA_SENSE_COUNTS              0x00020215

/* NDIS 5 task offload */
#define OID_TCP_TASK_OFFLOAD                    0xFC010201

/* Power management OIDs and wake-up flags */
#define OID_PNP_ADD_WAKE_UP_PATTERN             0xFD010103
#define OID_PNP_REMOVE_WAKE_UP_PATTERN          0xFD010104
#define OID_PNP_WAKE_UP_PATTERN_LIST            0xFD010105
#define OID_PNP_ENABLE_WAKE_UP                  0xFD010106
#define OID_PNP_WAKE_UP_OK                      0xFD020200
#define OID_PNP_WAKE_UP_ERROR                   0xFD020201

#define NDIS_PNP_WAKE_UP_MAGIC_PACKET           0x00000001
#define NDIS_PNP_WAKE_UP_PATTERN_MATCH          0x00000002
#define NDIS_PNP_WAKE_UP_LINK_CHANGE            0x00000004

/* NDIS_PNP_CAPABILITIES.Flags */
#define NDIS_DEVICE_WAKE_UP_ENABLE                0x00000001
#define NDIS_DEVICE_WAKE_ON_PATTERN_MATCH_ENABLE  0x00000002
#define NDIS_DEVICE_WAKE_ON_MAGIC_PACKET_ENABLE   0x00000004

/* OID_802_3_MAC_OPTIONS */
#define NDIS_802_3_MAC_OPTION_PRIORITY          0x00000001

/* More OID_GEN_MAC_OPTIONS bits */
#define NDIS_MAC_OPTION_SUPPORTS_MAC_ADDRESS_OVERWRITE 0x00000080
#define NDIS_MAC_OPTION_RECEIVE_AT_DPC          0x00000100
#define NDIS_MAC_OPTION_8021Q_VLAN              0x00000200

/* NDIS 5 status indications (NdisMIndicateStatus) */
#define NDIS_STATUS_WAN_LINE_UP                 ((NDIS_STATUS)0x40010008L)
#define NDIS_STATUS_WAN_LINE_DOWN               ((NDIS_STATUS)0x40010009L)
#define NDIS_STATUS_WAN_FRAGMENT                ((NDIS_STATUS)0x4001000AL)
#define NDIS_STATUS_HARDWARE_LINE_UP            ((NDIS_STATUS)0x4001000DL)
#define NDIS_STATUS_HARDWARE_LINE_DOWN          ((NDIS_STATUS)0x4001000EL)
#define NDIS_STATUS_INTERFACE_UP                ((NDIS_STATUS)0x4001000FL)
#define NDIS_STATUS_INTERFACE_DOWN              ((NDIS_STATUS)0x40010010L)
#define NDIS_STATUS_MEDIA_SPECIFIC_INDICATION   ((NDIS_STATUS)0x40010012L)

/* OID_GEN_MEDIA_CONNECT_STATUS */
typedef enum _NDIS_MEDIA_STATE {
	NdisMediaStateConnected,
	NdisMediaStateDisconnected
} NDIS_MEDIA_STATE, *PNDIS_MEDIA_STATE;

/* OID_GEN_HARDWARE_STATUS */
typedef enum _NDIS_HARDWARE_STATUS {
	NdisHardwareStatusReady,
	NdisHardwareStatusInitializing,
	NdisHardwareStatusReset,
	NdisHardwareStatusClosing,
	NdisHardwareStatusNotReady
} NDIS_HARDWARE_STATUS, *PNDIS_HARDWARE_STATUS;

/* OID_PNP_SET_POWER / OID_PNP_QUERY_POWER */
typedef enum _NDIS_DEVICE_POWER_STATE {
	NdisDeviceStateUnspecified = 0,
	NdisDeviceStateD0,
	NdisDeviceStateD1,
	NdisDeviceStateD2,
	NdisDeviceStateD3,
	NdisDeviceStateMaximum
} NDIS_DEVICE_POWER_STATE, *PNDIS_DEVICE_POWER_STATE;

typedef struct _NDIS_PM_WAKE_UP_CAPABILITIES {
	NDIS_DEVICE_POWER_STATE MinMagicPacketWakeUp;
	NDIS_DEVICE_POWER_STATE MinPatternWakeUp;
	NDIS_DEVICE_POWER_STATE MinLinkChangeWakeUp;
} NDIS_PM_WAKE_UP_CAPABILITIES, *PNDIS_PM_WAKE_UP_CAPABILITIES;

/* OID_PNP_CAPABILITIES (declared with the NDIS 6 attributes above) */
struct _NDIS_PNP_CAPABILITIES {
	ULONG Flags;
	NDIS_PM_WAKE_UP_CAPABILITIES WakeUpCapabilities;
};

/* NDIS_INTERRUPT_MODE: with the NDIS 5 interrupt calls, below. */

/* ================= end of NDIS 5 constants and structures ============== */

/* OID_GEN_CURRENT_PACKET_FILTER bits */
#define NDIS_PACKET_TYPE_DIRECTED               0x00000001
#define NDIS_PACKET_TYPE_MULTICAST              0x00000002
#define NDIS_PACKET_TYPE_ALL_MULTICAST          0x00000004
#define NDIS_PACKET_TYPE_BROADCAST              0x00000008
#define NDIS_PACKET_TYPE_SOURCE_ROUTING         0x00000010
#define NDIS_PACKET_TYPE_PROMISCUOUS            0x00000020
#define NDIS_PACKET_TYPE_SMT                    0x00000040
#define NDIS_PACKET_TYPE_ALL_LOCAL              0x00000080
#define NDIS_PACKET_TYPE_GROUP                  0x00001000
#define NDIS_PACKET_TYPE_ALL_FUNCTIONAL         0x00002000
#define NDIS_PACKET_TYPE_FUNCTIONAL             0x00004000
#define NDIS_PACKET_TYPE_MAC_FRAME              0x00008000

/* MiniportDevicePnPEventNotify's argument (Header.Type NDIS_OBJECT_TYPE_DEFAULT). */
#define NET_DEVICE_PNP_EVENT_REVISION_1 1

struct _NET_DEVICE_PNP_EVENT {
	NDIS_OBJECT_HEADER Header;
	NDIS_PORT_NUMBER PortNumber;
	NDIS_DEVICE_PNP_EVENT DevicePnPEvent;
	PVOID InformationBuffer;	/* NdisDevicePnPEventPowerProfileChanged: a ULONG */
	ULONG InformationBufferLength;
	UCHAR NdisReserved[2 * sizeof(PVOID)];
};

#define NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NET_DEVICE_PNP_EVENT, NdisReserved)

/* Status indications (NdisMIndicateStatusEx) */
#define NDIS_STATUS_INDICATION_REVISION_1 1

typedef struct _NDIS_STATUS_INDICATION {
	NDIS_OBJECT_HEADER Header;	/* NDIS_OBJECT_TYPE_STATUS_INDICATION */
	NDIS_HANDLE SourceHandle;	/* MiniportAdapterHandle */
	NDIS_PORT_NUMBER PortNumber;
	NDIS_STATUS StatusCode;		/* NDIS_STATUS_LINK_STATE, ... */
	ULONG Flags;
	NDIS_HANDLE DestinationHandle;
	PVOID RequestId;
	PVOID StatusBuffer;		/* NDIS_LINK_STATE for NDIS_STATUS_LINK_STATE */
	ULONG StatusBufferSize;
	GUID Guid;
	PVOID NdisReserved[4];
} NDIS_STATUS_INDICATION, *PNDIS_STATUS_INDICATION;

#define NDIS_SIZEOF_STATUS_INDICATION_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_STATUS_INDICATION, NdisReserved)

/* SendFlags (MiniportSendNetBufferLists) */
#define NDIS_SEND_FLAGS_DISPATCH_LEVEL          0x00000001
#define NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK      0x00000002
#if NDIS_SUPPORT_NDIS620
#define NDIS_SEND_FLAGS_SINGLE_QUEUE            0x00000004
#endif
#define NDIS_TEST_SEND_FLAG(_Flags, _Fl)        (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_SEND_FLAG(_Flags, _Fl)         ((_Flags) |= (_Fl))
#define NDIS_TEST_SEND_AT_DISPATCH_LEVEL(_Flags) \
	NDIS_TEST_SEND_FLAG((_Flags), NDIS_SEND_FLAGS_DISPATCH_LEVEL)

/* SendCompleteFlags (NdisMSendNetBufferListsComplete) */
#define NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL 0x00000001
#define NDIS_TEST_SEND_COMPLETE_FLAG(_Flags, _Fl) (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_SEND_COMPLETE_FLAG(_Flags, _Fl)  ((_Flags) |= (_Fl))
#define NDIS_TEST_SEND_COMPLETE_AT_DISPATCH_LEVEL(_Flags) \
	NDIS_TEST_SEND_COMPLETE_FLAG((_Flags), NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL)

/* ReceiveFlags (NdisMIndicateReceiveNetBufferLists) */
#define NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL       0x00000001
#define NDIS_RECEIVE_FLAGS_RESOURCES            0x00000002
#define NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE    0x00000100
#define NDIS_RECEIVE_FLAGS_SINGLE_VLAN          0x00000200
#define NDIS_RECEIVE_FLAGS_PERFECT_FILTERED     0x00000400
#if NDIS_SUPPORT_NDIS620
#define NDIS_RECEIVE_FLAGS_SINGLE_QUEUE         0x00000800
#define NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID 0x00001000
#define NDIS_RECEIVE_FLAGS_MORE_NBLS            0x00002000
#endif
#define NDIS_TEST_RECEIVE_FLAG(_Flags, _Fl)    (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_RECEIVE_FLAG(_Flags, _Fl)     ((_Flags) |= (_Fl))
#define NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(_Flags) \
	NDIS_TEST_RECEIVE_FLAG((_Flags), NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)
#define NDIS_TEST_RECEIVE_CANNOT_PEND(_Flags) \
	NDIS_TEST_RECEIVE_FLAG((_Flags), NDIS_RECEIVE_FLAGS_RESOURCES)

/* ReturnFlags (MiniportReturnNetBufferLists) */
#define NDIS_RETURN_FLAGS_DISPATCH_LEVEL        0x00000001
#if NDIS_SUPPORT_NDIS620
#define NDIS_RETURN_FLAGS_SINGLE_QUEUE          0x00000002
#endif
#define NDIS_TEST_RETURN_FLAG(_Flags, _Fl)     (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_RETURN_FLAG(_Flags, _Fl)      ((_Flags) |= (_Fl))
#define NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(_Flags) \
	NDIS_TEST_RETURN_FLAG((_Flags), NDIS_RETURN_FLAGS_DISPATCH_LEVEL)

/* Data path, IRQL <= DISPATCH_LEVEL. */
VOID NdisMSendNetBufferListsComplete(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ PNET_BUFFER_LIST NetBufferLists,
	_In_ ULONG SendCompleteFlags);

VOID NdisMIndicateReceiveNetBufferLists(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ PNET_BUFFER_LIST NetBufferLists,
	_In_ NDIS_PORT_NUMBER PortNumber,
	_In_ ULONG NumberOfNetBufferLists,
	_In_ ULONG ReceiveFlags);

VOID NdisMOidRequestComplete(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ PNDIS_OID_REQUEST OidRequest,
	_In_ NDIS_STATUS Status);

VOID NdisMIndicateStatusEx(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ PNDIS_STATUS_INDICATION StatusIndication);

VOID NdisMPauseComplete(
	_In_ NDIS_HANDLE MiniportAdapterHandle);

VOID NdisMRestartComplete(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_STATUS Status);

VOID NdisMResetComplete(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_STATUS Status,
	_In_ BOOLEAN AddressingReset);

/* Runs SynchronizeFunction with the interrupt (MessageId's) held off. */
BOOLEAN NdisMSynchronizeWithInterruptEx(
	_In_ NDIS_HANDLE NdisInterruptHandle,
	_In_ ULONG MessageId,
	_In_ MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER SynchronizeFunction,
	_In_ PVOID SynchronizeContext);

/* Timer objects */
typedef VOID (NDIS_TIMER_FUNCTION)(
	_In_ PVOID SystemSpecific1,
	_In_ PVOID FunctionContext,
	_In_ PVOID SystemSpecific2,
	_In_ PVOID SystemSpecific3);
typedef NDIS_TIMER_FUNCTION *PNDIS_TIMER_FUNCTION;

#define NDIS_TIMER_CHARACTERISTICS_REVISION_1 1

typedef struct _NDIS_TIMER_CHARACTERISTICS {
	NDIS_OBJECT_HEADER Header;	/* NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS */
	ULONG AllocationTag;
	PNDIS_TIMER_FUNCTION TimerFunction;
	PVOID FunctionContext;
} NDIS_TIMER_CHARACTERISTICS, *PNDIS_TIMER_CHARACTERISTICS;

#define NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_TIMER_CHARACTERISTICS, FunctionContext)

NDIS_STATUS NdisAllocateTimerObject(
	_In_ NDIS_HANDLE NdisHandle,
	_In_ PNDIS_TIMER_CHARACTERISTICS TimerCharacteristics,
	_Out_ PNDIS_HANDLE pTimerObject);

/* DueTime: negative is relative, in 100 ns units.  TRUE if the timer was
 * already queued. */
BOOLEAN NdisSetTimerObject(
	_In_ NDIS_HANDLE TimerObject,
	_In_ LARGE_INTEGER DueTime,
	_In_opt_ LONG MillisecondsPeriod,
	_In_opt_ PVOID FunctionContext);

BOOLEAN NdisCancelTimerObject(
	_In_ NDIS_HANDLE TimerObject);

VOID NdisFreeTimerObject(
	_In_ NDIS_HANDLE TimerObject);

/* I/O work items (PASSIVE_LEVEL callbacks) */
typedef VOID (NDIS_IO_WORKITEM_FUNCTION)(
	_In_ PVOID WorkItemContext,
	_In_ NDIS_HANDLE NdisIoWorkItemHandle);
typedef NDIS_IO_WORKITEM_FUNCTION *NDIS_IO_WORKITEM_ROUTINE;

NDIS_HANDLE NdisAllocateIoWorkItem(
	_In_ NDIS_HANDLE NdisObjectHandle);

VOID NdisQueueIoWorkItem(
	_In_ NDIS_HANDLE NdisIoWorkItemHandle,
	_In_ NDIS_IO_WORKITEM_ROUTINE Routine,
	_In_ PVOID WorkItemContext);

VOID NdisFreeIoWorkItem(
	_In_ NDIS_HANDLE NdisIoWorkItemHandle);

/* Configuration (PASSIVE_LEVEL) */
typedef enum _NDIS_PARAMETER_TYPE {
	NdisParameterInteger,
	NdisParameterHexInteger,
	NdisParameterString,
	NdisParameterMultiString,
	NdisParameterBinary
} NDIS_PARAMETER_TYPE, *PNDIS_PARAMETER_TYPE;

typedef struct _BINARY_DATA {
	USHORT Length;
	PVOID Buffer;
} BINARY_DATA;

typedef struct _NDIS_CONFIGURATION_PARAMETER {
	NDIS_PARAMETER_TYPE ParameterType;
	union {
		ULONG IntegerData;
		NDIS_STRING StringData;
		BINARY_DATA BinaryData;
	} ParameterData;
} NDIS_CONFIGURATION_PARAMETER, *PNDIS_CONFIGURATION_PARAMETER;

#define NDIS_CONFIGURATION_OBJECT_REVISION_1 1
#define NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION 0x00000001

typedef struct _NDIS_CONFIGURATION_OBJECT {
	NDIS_OBJECT_HEADER Header;	/* NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT */
	NDIS_HANDLE NdisHandle;		/* MiniportAdapterHandle */
	ULONG Flags;
} NDIS_CONFIGURATION_OBJECT, *PNDIS_CONFIGURATION_OBJECT;

#define NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1 \
	RTL_SIZEOF_THROUGH_FIELD(NDIS_CONFIGURATION_OBJECT, Flags)

NDIS_STATUS NdisOpenConfigurationEx(
	_In_ PNDIS_CONFIGURATION_OBJECT ConfigObject,
	_Out_ PNDIS_HANDLE ConfigurationHandle);

VOID NdisReadConfiguration(
	_Out_ PNDIS_STATUS Status,
	_Out_ PNDIS_CONFIGURATION_PARAMETER *ParameterValue,
	_In_ NDIS_HANDLE ConfigurationHandle,
	_In_ PNDIS_STRING Keyword,
	_In_ NDIS_PARAMETER_TYPE ParameterType);

VOID NdisReadNetworkAddress(
	_Out_ PNDIS_STATUS Status,
	_Outptr_result_bytebuffer_to_(*NetworkAddressLength, *NetworkAddressLength) PVOID *NetworkAddress,
	_Out_ PUINT NetworkAddressLength,
	_In_ NDIS_HANDLE ConfigurationHandle);

VOID NdisCloseConfiguration(
	_In_ NDIS_HANDLE ConfigurationHandle);

/* Error log (netevent.h codes) */
typedef ULONG NDIS_ERROR_CODE, *PNDIS_ERROR_CODE;
#define NDIS_ERROR_CODE_RESOURCE_CONFLICT               ((NDIS_ERROR_CODE)0xC0001388L)
#define NDIS_ERROR_CODE_OUT_OF_RESOURCES                ((NDIS_ERROR_CODE)0xC0001389L)
#define NDIS_ERROR_CODE_HARDWARE_FAILURE                ((NDIS_ERROR_CODE)0xC000138AL)
#define NDIS_ERROR_CODE_ADAPTER_NOT_FOUND               ((NDIS_ERROR_CODE)0xC000138BL)
#define NDIS_ERROR_CODE_INTERRUPT_CONNECT               ((NDIS_ERROR_CODE)0xC000138CL)
#define NDIS_ERROR_CODE_DRIVER_FAILURE                  ((NDIS_ERROR_CODE)0xC000138DL)
#define NDIS_ERROR_CODE_BAD_VERSION                     ((NDIS_ERROR_CODE)0xC000138EL)
#define NDIS_ERROR_CODE_TIMEOUT                         ((NDIS_ERROR_CODE)0x8000138FL)
#define NDIS_ERROR_CODE_NETWORK_ADDRESS                 ((NDIS_ERROR_CODE)0xC0001390L)
#define NDIS_ERROR_CODE_UNSUPPORTED_CONFIGURATION       ((NDIS_ERROR_CODE)0xC0001391L)
#define NDIS_ERROR_CODE_INVALID_VALUE_FROM_ADAPTER      ((NDIS_ERROR_CODE)0xC0001392L)
#define NDIS_ERROR_CODE_MISSING_CONFIGURATION_PARAMETER ((NDIS_ERROR_CODE)0xC0001393L)
#define NDIS_ERROR_CODE_BAD_IO_BASE_ADDRESS             ((NDIS_ERROR_CODE)0xC0001394L)
#define NDIS_ERROR_CODE_RECEIVE_SPACE_SMALL             ((NDIS_ERROR_CODE)0x40001395L)
#define NDIS_ERROR_CODE_ADAPTER_DISABLED                ((NDIS_ERROR_CODE)0x80001396L)

VOID NdisWriteErrorLogEntry(
	_In_ NDIS_HANDLE NdisAdapterHandle,
	_In_ NDIS_ERROR_CODE ErrorCode,
	_In_ ULONG NumberOfErrorValues,
	...);

/* 100 ns units since 1601-01-01 UTC (KeQuerySystemTime in the WDK). */
VOID NdisGetCurrentSystemTime(
	_Out_ PLARGE_INTEGER pSystemTime);

/* ========================================================================
 * NDIS 5.x interrupts, port I/O, PCI slot information, timers, events,
 * shutdown handler and configuration (issue 14).  Kept in one section:
 * NDIS_PACKET, buffers and the NDIS 5 OIDs are declared elsewhere.
 *
 * The kernel objects below (KDPC, KTIMER, KEVENT) exist only so that the
 * structures miniports embed have the WDK's size and member names; the
 * shim keeps its own state, found through a handle it stores in the
 * object (never a pointer it dereferences), so a miniport must not touch
 * them (Documentation/ndis5.rst).
 * ======================================================================== */

typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;

typedef struct _SINGLE_LIST_ENTRY {
	struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

typedef struct _DISPATCHER_HEADER {
	UCHAR Type;
	UCHAR Signalling;
	UCHAR Size;
	UCHAR Reserved1;
	LONG SignalState;
	LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER, *PDISPATCHER_HEADER;

struct _KDPC;
typedef VOID (KDEFERRED_ROUTINE)(
	_In_ struct _KDPC *Dpc,
	_In_opt_ PVOID DeferredContext,
	_In_opt_ PVOID SystemArgument1,
	_In_opt_ PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;

typedef struct _KDPC {
	UCHAR Type;
	UCHAR Importance;
	USHORT Number;
	SINGLE_LIST_ENTRY DpcListEntry;
	KAFFINITY ProcessorHistory;
	PKDEFERRED_ROUTINE DeferredRoutine;
	PVOID DeferredContext;
	PVOID SystemArgument1;
	PVOID SystemArgument2;
	PVOID DpcData;
} KDPC, *PKDPC, *PRKDPC;

typedef struct _KTIMER {
	DISPATCHER_HEADER Header;
	ULARGE_INTEGER DueTime;
	LIST_ENTRY TimerListEntry;
	struct _KDPC *Dpc;
	ULONG Processor;
	ULONG Period;
} KTIMER, *PKTIMER, *PRKTIMER;

typedef struct _KEVENT {
	DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT, *PRKEVENT;

typedef struct _KINTERRUPT KINTERRUPT, *PKINTERRUPT;
typedef struct _NDIS_MINIPORT_BLOCK NDIS_MINIPORT_BLOCK, *PNDIS_MINIPORT_BLOCK;

typedef enum _KINTERRUPT_MODE {
	LevelSensitive,
	Latched
} KINTERRUPT_MODE;

typedef enum _NDIS_INTERRUPT_MODE {
	NdisInterruptLevelSensitive,
	NdisInterruptLatched
} NDIS_INTERRUPT_MODE, *PNDIS_INTERRUPT_MODE;

/* ---- Interrupts ---- */

/*
 * Embedded by the miniport (its adapter structure); NdisMRegisterInterrupt
 * fills it.  The shim records the connection's handle in Reserved.
 */
typedef struct _NDIS_MINIPORT_INTERRUPT {
	PKINTERRUPT InterruptObject;
	KSPIN_LOCK DpcCountLock;
	PVOID Reserved;
	W_ISR_HANDLER MiniportIsr;
	W_HANDLE_INTERRUPT_HANDLER MiniportDpc;
	KDPC InterruptDpc;
	PNDIS_MINIPORT_BLOCK Miniport;
	UCHAR DpcCount;
	BOOLEAN Filler1;
	KEVENT DpcsCompletedEvent;
	BOOLEAN SharedInterrupt;
	BOOLEAN IsrRequested;
} NDIS_MINIPORT_INTERRUPT, *PNDIS_MINIPORT_INTERRUPT;

/*
 * PASSIVE_LEVEL, from MiniportInitialize.  InterruptVector and
 * InterruptLevel are the adapter's (NdisMQueryAdapterResources); the shim
 * connects the PCI function's own interrupt.  RequestIsr FALSE: the
 * characteristics' DisableInterruptHandler runs instead of the ISR and
 * EnableInterruptHandler after HandleInterruptHandler; such an interrupt
 * cannot be shared (SharedInterrupt TRUE needs RequestIsr TRUE).
 */
NDIS_STATUS NdisMRegisterInterrupt(
	_Out_ PNDIS_MINIPORT_INTERRUPT Interrupt,
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ UINT InterruptVector,
	_In_ UINT InterruptLevel,
	_In_ BOOLEAN RequestIsr,
	_In_ BOOLEAN SharedInterrupt,
	_In_ NDIS_INTERRUPT_MODE InterruptMode);

VOID NdisMDeregisterInterrupt(
	_In_ PNDIS_MINIPORT_INTERRUPT Interrupt);

/* SynchronizeFunction is BOOLEAN (*)(PVOID SynchronizeContext), run with
 * the ISR held off; its result is returned. */
BOOLEAN NdisMSynchronizeWithInterrupt(
	_In_ PNDIS_MINIPORT_INTERRUPT Interrupt,
	_In_ PVOID SynchronizeFunction,
	_In_ PVOID SynchronizeContext);

/* ---- I/O ports ---- */

/*
 * PASSIVE_LEVEL.  The range must lie inside one of the adapter's I/O
 * BARs (else NDIS_STATUS_FAILURE); *PortOffset is then InitialPort itself,
 * as on x86/x64 Windows, so port numbers from the resource list and
 * PortOffset-relative ones both work with the NdisRaw*Port* macros.
 */
NDIS_STATUS NdisMRegisterIoPortRange(
	_Out_ PVOID *PortOffset,
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ UINT InitialPort,
	_In_ UINT NumberOfPorts);

VOID NdisMDeregisterIoPortRange(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ UINT InitialPort,
	_In_ UINT NumberOfPorts,
	_In_ PVOID PortOffset);

#ifdef __KERNEL__
/* The HAL's port accessors on the kernel's port I/O (inline, no export). */
#define __NDIS_PORT(_P) ((unsigned long)(ULONG_PTR)(_P))
static inline UCHAR READ_PORT_UCHAR(PUCHAR Port) { return inb(__NDIS_PORT(Port)); }
static inline USHORT READ_PORT_USHORT(PUSHORT Port) { return inw(__NDIS_PORT(Port)); }
static inline ULONG READ_PORT_ULONG(PULONG Port) { return inl(__NDIS_PORT(Port)); }
static inline VOID WRITE_PORT_UCHAR(PUCHAR Port, UCHAR Value) { outb(Value, __NDIS_PORT(Port)); }
static inline VOID WRITE_PORT_USHORT(PUSHORT Port, USHORT Value) { outw(Value, __NDIS_PORT(Port)); }
static inline VOID WRITE_PORT_ULONG(PULONG Port, ULONG Value) { outl(Value, __NDIS_PORT(Port)); }
static inline VOID READ_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count)
{ insb(__NDIS_PORT(Port), Buffer, Count); }
static inline VOID READ_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count)
{ insw(__NDIS_PORT(Port), Buffer, Count); }
static inline VOID READ_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count)
{ insl(__NDIS_PORT(Port), Buffer, Count); }
static inline VOID WRITE_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count)
{ outsb(__NDIS_PORT(Port), Buffer, Count); }
static inline VOID WRITE_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count)
{ outsw(__NDIS_PORT(Port), Buffer, Count); }
static inline VOID WRITE_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count)
{ outsl(__NDIS_PORT(Port), Buffer, Count); }
#else
UCHAR READ_PORT_UCHAR(PUCHAR Port);
USHORT READ_PORT_USHORT(PUSHORT Port);
ULONG READ_PORT_ULONG(PULONG Port);
VOID WRITE_PORT_UCHAR(PUCHAR Port, UCHAR Value);
VOID WRITE_PORT_USHORT(PUSHORT Port, USHORT Value);
VOID WRITE_PORT_ULONG(PULONG Port, ULONG Value);
VOID READ_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count);
VOID READ_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count);
VOID READ_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count);
VOID WRITE_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count);
VOID WRITE_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count);
VOID WRITE_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count);
#endif /* __KERNEL__ */

/* As the WDK defines them: Port is a port number, often held in a pointer
 * or ULONG_PTR (PortOffset + register). */
#define NdisRawWritePortUchar(Port, Data) \
	WRITE_PORT_UCHAR((PUCHAR)(Port), (UCHAR)(Data))
#define NdisRawWritePortUshort(Port, Data) \
	WRITE_PORT_USHORT((PUSHORT)(Port), (USHORT)(Data))
#define NdisRawWritePortUlong(Port, Data) \
	WRITE_PORT_ULONG((PULONG)(Port), (ULONG)(Data))
#define NdisRawReadPortUchar(Port, Data) \
	(*(Data) = READ_PORT_UCHAR((PUCHAR)(Port)))
#define NdisRawReadPortUshort(Port, Data) \
	(*(Data) = READ_PORT_USHORT((PUSHORT)(Port)))
#define NdisRawReadPortUlong(Port, Data) \
	(*(Data) = READ_PORT_ULONG((PULONG)(Port)))
#define NdisRawWritePortBufferUchar(Port, Buffer, Length) \
	WRITE_PORT_BUFFER_UCHAR((PUCHAR)(Port), (PUCHAR)(Buffer), (Length))
#define NdisRawWritePortBufferUshort(Port, Buffer, Length) \
	WRITE_PORT_BUFFER_USHORT((PUSHORT)(Port), (PUSHORT)(Buffer), (Length))
#define NdisRawWritePortBufferUlong(Port, Buffer, Length) \
	WRITE_PORT_BUFFER_ULONG((PULONG)(Port), (PULONG)(Buffer), (Length))
#define NdisRawReadPortBufferUchar(Port, Buffer, Length) \
	READ_PORT_BUFFER_UCHAR((PUCHAR)(Port), (PUCHAR)(Buffer), (Length))
#define NdisRawReadPortBufferUshort(Port, Buffer, Length) \
	READ_PORT_BUFFER_USHORT((PUSHORT)(Port), (PUSHORT)(Buffer), (Length))
#define NdisRawReadPortBufferUlong(Port, Buffer, Length) \
	READ_PORT_BUFFER_ULONG((PULONG)(Port), (PULONG)(Buffer), (Length))

/* ---- PCI configuration space ---- */

#define PCI_TYPE0_ADDRESSES 6
#define PCI_TYPE1_ADDRESSES 2
#define PCI_TYPE2_ADDRESSES 5

typedef struct _PCI_COMMON_CONFIG {
	USHORT VendorID;
	USHORT DeviceID;
	USHORT Command;
	USHORT Status;
	UCHAR RevisionID;
	UCHAR ProgIf;
	UCHAR SubClass;
	UCHAR BaseClass;
	UCHAR CacheLineSize;
	UCHAR LatencyTimer;
	UCHAR HeaderType;
	UCHAR BIST;
	union {
		struct _PCI_HEADER_TYPE_0 {
			ULONG BaseAddresses[PCI_TYPE0_ADDRESSES];
			ULONG CIS;
			USHORT SubVendorID;
			USHORT SubSystemID;
			ULONG ROMBaseAddress;
			UCHAR CapabilitiesPtr;
			UCHAR Reserved1[3];
			ULONG Reserved2;
			UCHAR InterruptLine;
			UCHAR InterruptPin;
			UCHAR MinimumGrant;
			UCHAR MaximumLatency;
		} type0;
		struct _PCI_HEADER_TYPE_1 {
			ULONG BaseAddresses[PCI_TYPE1_ADDRESSES];
			UCHAR PrimaryBus;
			UCHAR SecondaryBus;
			UCHAR SubordinateBus;
			UCHAR SecondaryLatency;
			UCHAR IOBase;
			UCHAR IOLimit;
			USHORT SecondaryStatus;
			USHORT MemoryBase;
			USHORT MemoryLimit;
			USHORT PrefetchBase;
			USHORT PrefetchLimit;
			ULONG PrefetchBaseUpper32;
			ULONG PrefetchLimitUpper32;
			USHORT IOBaseUpper16;
			USHORT IOLimitUpper16;
			UCHAR CapabilitiesPtr;
			UCHAR Reserved1[3];
			ULONG ROMBaseAddress;
			UCHAR InterruptLine;
			UCHAR InterruptPin;
			USHORT BridgeControl;
		} type1;
		struct _PCI_HEADER_TYPE_2 {
			ULONG SocketRegistersBaseAddress;
			UCHAR CapabilitiesPtr;
			UCHAR Reserved;
			USHORT SecondaryStatus;
			UCHAR PrimaryBus;
			UCHAR SecondaryBus;
			UCHAR SubordinateBus;
			UCHAR SecondaryLatency;
			struct {
				ULONG Base;
				ULONG Limit;
			} Range[PCI_TYPE2_ADDRESSES - 1];
			UCHAR InterruptLine;
			UCHAR InterruptPin;
			USHORT BridgeControl;
		} type2;
	} u;
	UCHAR DeviceSpecific[192];
} PCI_COMMON_CONFIG, *PPCI_COMMON_CONFIG;

#define PCI_COMMON_HDR_LENGTH (FIELD_OFFSET(PCI_COMMON_CONFIG, DeviceSpecific))

/*
 * The adapter's own function, whatever SlotNumber says (NDIS 5 miniports
 * pass 0 or what they read from the registry).  Returns the bytes moved: 0
 * for a range past the function's configuration space.
 */
ULONG NdisReadPciSlotInformation(
	_In_ NDIS_HANDLE NdisAdapterHandle,
	_In_ ULONG SlotNumber,
	_In_ ULONG Offset,
	_Out_writes_bytes_(Length) PVOID Buffer,
	_In_ ULONG Length);

ULONG NdisWritePciSlotInformation(
	_In_ NDIS_HANDLE NdisAdapterHandle,
	_In_ ULONG SlotNumber,
	_In_ ULONG Offset,
	_In_reads_bytes_(Length) PVOID Buffer,
	_In_ ULONG Length);

/* ---- Timers (the routine runs at DISPATCH_LEVEL) ---- */

typedef struct _NDIS_MINIPORT_TIMER {
	KTIMER Timer;
	KDPC Dpc;
	PNDIS_TIMER_FUNCTION MiniportTimerFunction;
	PVOID MiniportTimerContext;
	PNDIS_MINIPORT_BLOCK Miniport;
	struct _NDIS_MINIPORT_TIMER *NextDeferredTimer;
} NDIS_MINIPORT_TIMER, *PNDIS_MINIPORT_TIMER;

typedef struct _NDIS_TIMER {
	KTIMER Timer;
	KDPC Dpc;
} NDIS_TIMER, *PNDIS_TIMER;

/* PASSIVE_LEVEL.  The timer belongs to the adapter: one still armed when
 * MiniportHalt returns is cancelled, logged, and never runs again. */
VOID NdisMInitializeTimer(
	_Inout_ PNDIS_MINIPORT_TIMER Timer,
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ PNDIS_TIMER_FUNCTION TimerFunction,
	_In_ PVOID FunctionContext);

VOID NdisMSetTimer(
	_In_ PNDIS_MINIPORT_TIMER Timer,
	_In_ UINT MillisecondsToDelay);

VOID NdisMSetPeriodicTimer(
	_In_ PNDIS_MINIPORT_TIMER Timer,
	_In_ UINT MillisecondPeriod);

VOID NdisMCancelTimer(
	_In_ PNDIS_MINIPORT_TIMER Timer,
	_Out_ PBOOLEAN TimerCancelled);

/* PASSIVE_LEVEL.  The timer belongs to the miniport driver whose module
 * holds TimerFunction: freed when the driver unloads. */
VOID NdisInitializeTimer(
	_Inout_ PNDIS_TIMER Timer,
	_In_ PNDIS_TIMER_FUNCTION TimerFunction,
	_In_opt_ PVOID FunctionContext);

VOID NdisSetTimer(
	_In_ PNDIS_TIMER Timer,
	_In_ UINT MillisecondsToDelay);

VOID NdisCancelTimer(
	_In_ PNDIS_TIMER Timer,
	_Out_ PBOOLEAN TimerCancelled);

/* ---- Events (notification events; embedded, no shim state) ---- */

typedef struct _NDIS_EVENT {
	KEVENT Event;
} NDIS_EVENT, *PNDIS_EVENT;

VOID NdisInitializeEvent(
	_Out_ PNDIS_EVENT Event);

VOID NdisSetEvent(
	_In_ PNDIS_EVENT Event);

VOID NdisResetEvent(
	_In_ PNDIS_EVENT Event);

/* PASSIVE_LEVEL.  MsToWait 0: no time-out.  TRUE if the event is set. */
BOOLEAN NdisWaitEvent(
	_In_ PNDIS_EVENT Event,
	_In_ UINT MsToWait);

/* ---- Shutdown handler and configuration ---- */

typedef VOID (*ADAPTER_SHUTDOWN_HANDLER)(_In_ PVOID ShutdownContext);

/* The handler runs from the PCI driver's shutdown callback (reboot,
 * power-off), at PASSIVE_LEVEL on the shim. */
VOID NdisMRegisterAdapterShutdownHandler(
	_In_ NDIS_HANDLE MiniportHandle,
	_In_ PVOID ShutdownContext,
	_In_ ADAPTER_SHUTDOWN_HANDLER ShutdownHandler);

VOID NdisMDeregisterAdapterShutdownHandler(
	_In_ NDIS_HANDLE MiniportHandle);

/* A constant NDIS_STRING (keywords for NdisReadConfiguration), as the
 * WDK's; u"" literals are the 16-bit WCHARs L"" is on Windows. */
#define NDIS_STRING_CONST(x) \
	{ sizeof(u"" x) - sizeof(WCHAR), sizeof(u"" x), (PWSTR)(u"" x) }

/* PASSIVE_LEVEL, WrapperConfigurationContext as MiniportInitialize got it:
 * the adapter's values, as NdisOpenConfigurationEx gives an NDIS 6
 * miniport; read with NdisReadConfiguration, closed with
 * NdisCloseConfiguration. */
VOID NdisOpenConfiguration(
	_Out_ PNDIS_STATUS Status,
	_Out_ PNDIS_HANDLE ConfigurationHandle,
	_In_ NDIS_HANDLE WrapperConfigurationContext);

/* ---- The NDIS 5 data path (Documentation/ndis5.rst, "Data path") ----
 *
 * The WDK implements most of these as macros that call through the
 * NDIS_MINIPORT_BLOCK the handle points to; here the handle is opaque and
 * each is an exported function, called as the same statement.  A handle
 * that names no NDIS 5 adapter is refused and counted (nothing happens).
 * IRQL <= DISPATCH_LEVEL unless said otherwise.
 */

/* A packet MiniportSend(Packets) took: Status is its result (SUCCESS or a
 * failure); the packet is the shim's again. */
VOID NdisMSendComplete(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ PNDIS_PACKET Packet,
	_In_ NDIS_STATUS Status);

/* The miniport can take sends again after refusing one with
 * NDIS_STATUS_RESOURCES: the shim resends what it queued. */
VOID NdisMSendResourcesAvailable(
	_In_ NDIS_HANDLE MiniportAdapterHandle);

/*
 * An 802.3 frame: HeaderBuffer holds its 14-byte header, LookaheadBuffer
 * the first LookaheadBufferSize bytes after it, PacketSize the length
 * after the header.  Both buffers are only read during the call.  When the
 * lookahead is shorter than PacketSize the shim calls TransferDataHandler
 * with MiniportReceiveContext (from within this call) for the rest.
 */
VOID NdisMEthIndicateReceive(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE MiniportReceiveContext,
	_In_ PVOID HeaderBuffer,
	_In_ UINT HeaderBufferSize,
	_In_ PVOID LookaheadBuffer,
	_In_ UINT LookaheadBufferSize,
	_In_ UINT PacketSize);

VOID NdisMEthIndicateReceiveComplete(
	_In_ NDIS_HANDLE MiniportAdapterHandle);

/* TransferDataHandler returned NDIS_STATUS_PENDING for Packet: its data
 * is in place (Status SUCCESS) or the frame is dropped. */
VOID NdisMTransferDataComplete(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ PNDIS_PACKET Packet,
	_In_ NDIS_STATUS Status,
	_In_ UINT BytesTransferred);

/* Full packets.  The shim copies each; a packet whose status
 * (NDIS_SET_PACKET_STATUS) is NDIS_STATUS_RESOURCES is the miniport's
 * again on return, any other comes back through ReturnPacketHandler. */
VOID NdisMIndicateReceivePacket(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ PPNDIS_PACKET ReceivePackets,
	_In_ UINT NumberOfPackets);

/* A QueryInformationHandler/SetInformationHandler call that returned
 * NDIS_STATUS_PENDING finished; BytesWritten/BytesRead/BytesNeeded are
 * read from where that call was given them. */
VOID NdisMQueryInformationComplete(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_STATUS Status);

VOID NdisMSetInformationComplete(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_STATUS Status);

/* NDIS_STATUS_MEDIA_CONNECT / NDIS_STATUS_MEDIA_DISCONNECT set the
 * carrier; other statuses are logged. */
VOID NdisMIndicateStatus(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_STATUS GeneralStatus,
	_In_ PVOID StatusBuffer,
	_In_ UINT StatusBufferSize);

VOID NdisMIndicateStatusComplete(
	_In_ NDIS_HANDLE MiniportAdapterHandle);

/*
 * NDIS 5.1 per-packet DMA, PASSIVE_LEVEL from MiniportInitialize of a bus
 * master (NdisMSetAttributesEx with NDIS_ATTRIBUTE_BUS_MASTER).  After
 * SUCCESS each packet MiniportSend(Packets) receives carries its
 * SCATTER_GATHER_LIST in
 * NDIS_PER_PACKET_INFO_FROM_PACKET(Packet, ScatterGatherListPacketInfo),
 * mapped until NdisMSendComplete.  NDIS_STATUS_NOT_SUPPORTED when not a
 * bus master, NDIS_STATUS_RESOURCES when no DMA adapter can be made.
 */
NDIS_STATUS NdisMInitializeScatterGatherDma(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ BOOLEAN Dma64BitAddresses,
	_In_ ULONG MaximumPhysicalMapping);

/* ======================== end of the issue 14 section =================== */

/* ========================================================================
 * NDIS 5.x support calls a NIC miniport makes beside its data path
 * (issue 14): the wdm.h list helpers and their NdisInterlocked forms,
 * mapped-memory copies, strings, NDIS 5 work items, PCI slot access
 * through WrapperConfigurationContext, device properties and system
 * information (Documentation/ndis5.rst, "Support calls").  The WDK's
 * macros and inline functions that touch no NDIS-internal structure are
 * the same here; the rest are the shim's (rust/ndis5_support.rs).
 * ======================================================================== */

typedef char CCHAR, *PCCHAR;
typedef ANSI_STRING NDIS_ANSI_STRING, *PNDIS_ANSI_STRING;

/* ---- Doubly and singly linked lists (wdm.h; no integrity checks, as in
 * the WDKs NDIS 5 drivers were built with) ---- */

static inline VOID InitializeListHead(_Out_ PLIST_ENTRY ListHead)
{
	ListHead->Flink = ListHead->Blink = ListHead;
}

static inline BOOLEAN IsListEmpty(_In_ const LIST_ENTRY *ListHead)
{
	return (BOOLEAN)(ListHead->Flink == ListHead);
}

/* TRUE if the list is empty after the removal. */
static inline BOOLEAN RemoveEntryList(_In_ PLIST_ENTRY Entry)
{
	PLIST_ENTRY Flink = Entry->Flink;
	PLIST_ENTRY Blink = Entry->Blink;

	Blink->Flink = Flink;
	Flink->Blink = Blink;
	return (BOOLEAN)(Flink == Blink);
}

/* On an empty list both return ListHead itself (check IsListEmpty first). */
static inline PLIST_ENTRY RemoveHeadList(_Inout_ PLIST_ENTRY ListHead)
{
	PLIST_ENTRY Entry = ListHead->Flink;
	PLIST_ENTRY Flink = Entry->Flink;

	ListHead->Flink = Flink;
	Flink->Blink = ListHead;
	return Entry;
}

static inline PLIST_ENTRY RemoveTailList(_Inout_ PLIST_ENTRY ListHead)
{
	PLIST_ENTRY Entry = ListHead->Blink;
	PLIST_ENTRY Blink = Entry->Blink;

	ListHead->Blink = Blink;
	Blink->Flink = ListHead;
	return Entry;
}

static inline VOID InsertTailList(_Inout_ PLIST_ENTRY ListHead, _Inout_ PLIST_ENTRY Entry)
{
	PLIST_ENTRY Blink = ListHead->Blink;

	Entry->Flink = ListHead;
	Entry->Blink = Blink;
	Blink->Flink = Entry;
	ListHead->Blink = Entry;
}

static inline VOID InsertHeadList(_Inout_ PLIST_ENTRY ListHead, _Inout_ PLIST_ENTRY Entry)
{
	PLIST_ENTRY Flink = ListHead->Flink;

	Entry->Flink = Flink;
	Entry->Blink = ListHead;
	Flink->Blink = Entry;
	ListHead->Flink = Entry;
}

/* ListToAppend is a list without its head: its first entry. */
static inline VOID AppendTailList(_Inout_ PLIST_ENTRY ListHead, _Inout_ PLIST_ENTRY ListToAppend)
{
	PLIST_ENTRY ListEnd = ListHead->Blink;

	ListHead->Blink->Flink = ListToAppend;
	ListHead->Blink = ListToAppend->Blink;
	ListToAppend->Blink->Flink = ListHead;
	ListToAppend->Blink = ListEnd;
}

/* NULL when the list is empty. */
static inline PSINGLE_LIST_ENTRY PopEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead)
{
	PSINGLE_LIST_ENTRY FirstEntry = ListHead->Next;

	if (FirstEntry != NULL)
		ListHead->Next = FirstEntry->Next;
	return FirstEntry;
}

static inline VOID PushEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead,
				 _Inout_ PSINGLE_LIST_ENTRY Entry)
{
	Entry->Next = ListHead->Next;
	ListHead->Next = Entry;
}

/*
 * The NdisInterlocked list calls: the ExInterlocked forms the WDK maps them
 * to, under the NDIS_SPIN_LOCK's lock taken with interrupts off (Windows
 * takes it at raised IRQL with interrupts disabled), so they mix with
 * NdisAcquireSpinLock on the same lock and are callable at any IRQL up to
 * DISPATCH_LEVEL, as their pages say; not from MiniportISR (an ISR that
 * took a lock NdisAcquireSpinLock holds on its processor would spin for
 * ever, on Windows too).  Insert returns the list's first
 * entry before the insertion, Remove/Pop the entry taken: NULL for an
 * empty list (unlike RemoveHeadList).
 */
#ifdef __KERNEL__
#define __NDIS_LIST_LOCK(_L, _F)   spin_lock_irqsave(&(_L)->SpinLock, _F)
#define __NDIS_LIST_UNLOCK(_L, _F) spin_unlock_irqrestore(&(_L)->SpinLock, _F)
#else
#define __NDIS_LIST_LOCK(_L, _F)   ((void)(_L)->SpinLock, (void)(_F))
#define __NDIS_LIST_UNLOCK(_L, _F) ((void)(_L)->SpinLock, (void)(_F))
#endif

static inline PLIST_ENTRY NdisInterlockedInsertHeadList(_Inout_ PLIST_ENTRY ListHead,
							_Inout_ PLIST_ENTRY ListEntry,
							_Inout_ PNDIS_SPIN_LOCK SpinLock)
{
	unsigned long Flags = 0;
	PLIST_ENTRY First;

	__NDIS_LIST_LOCK(SpinLock, Flags);
	First = ListHead->Flink;
	InsertHeadList(ListHead, ListEntry);
	__NDIS_LIST_UNLOCK(SpinLock, Flags);
	return First == ListHead ? NULL : First;
}

/* Returns the list's last entry before the insertion (NULL if empty). */
static inline PLIST_ENTRY NdisInterlockedInsertTailList(_Inout_ PLIST_ENTRY ListHead,
							_Inout_ PLIST_ENTRY ListEntry,
							_Inout_ PNDIS_SPIN_LOCK SpinLock)
{
	unsigned long Flags = 0;
	PLIST_ENTRY Last;

	__NDIS_LIST_LOCK(SpinLock, Flags);
	Last = ListHead->Blink;
	InsertTailList(ListHead, ListEntry);
	__NDIS_LIST_UNLOCK(SpinLock, Flags);
	return Last == ListHead ? NULL : Last;
}

static inline PLIST_ENTRY NdisInterlockedRemoveHeadList(_Inout_ PLIST_ENTRY ListHead,
							_Inout_ PNDIS_SPIN_LOCK SpinLock)
{
	unsigned long Flags = 0;
	PLIST_ENTRY Entry = NULL;

	__NDIS_LIST_LOCK(SpinLock, Flags);
	if (!IsListEmpty(ListHead))
		Entry = RemoveHeadList(ListHead);
	__NDIS_LIST_UNLOCK(SpinLock, Flags);
	return Entry;
}

/* Returns the list's first entry before the push (NULL if empty). */
static inline PSINGLE_LIST_ENTRY NdisInterlockedPushEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead,
							      _Inout_ PSINGLE_LIST_ENTRY ListEntry,
							      _Inout_ PNDIS_SPIN_LOCK Lock)
{
	unsigned long Flags = 0;
	PSINGLE_LIST_ENTRY First;

	__NDIS_LIST_LOCK(Lock, Flags);
	First = ListHead->Next;
	PushEntryList(ListHead, ListEntry);
	__NDIS_LIST_UNLOCK(Lock, Flags);
	return First;
}

static inline PSINGLE_LIST_ENTRY NdisInterlockedPopEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead,
							     _Inout_ PNDIS_SPIN_LOCK Lock)
{
	unsigned long Flags = 0;
	PSINGLE_LIST_ENTRY Entry;

	__NDIS_LIST_LOCK(Lock, Flags);
	Entry = PopEntryList(ListHead);
	__NDIS_LIST_UNLOCK(Lock, Flags);
	return Entry;
}

/* Adds under the lock (ExInterlockedAddUlong); returns the value before
 * the addition, which NDIS callers may ignore. */
static inline ULONG NdisInterlockedAddUlong(_Inout_ PULONG Addend, _In_ ULONG Increment,
					    _Inout_ PNDIS_SPIN_LOCK SpinLock)
{
	unsigned long Flags = 0;
	ULONG Old;

	__NDIS_LIST_LOCK(SpinLock, Flags);
	Old = *Addend;
	*Addend = Old + Increment;
	__NDIS_LIST_UNLOCK(SpinLock, Flags);
	return Old;
}

/* ---- Mapped (device) memory, as NdisMMapIoSpace maps it ----
 *
 * The WDK's x86/x64 forms are RtlCopyMemory/RtlZeroMemory; in a kernel
 * build the To/From and Zero forms are the kernel's I/O-memory copies
 * (the same on x86, correct on every architecture).  NdisMoveMappedMemory
 * does not say which side is device memory: a plain copy, as in the WDK. */
#define NdisMoveMappedMemory(_Destination, _Source, _Length) \
	RtlCopyMemory(_Destination, _Source, _Length)
#ifdef __KERNEL__
#define NdisMoveToMappedMemory(_Destination, _Source, _Length) \
	memcpy_toio((volatile void __iomem *)(_Destination), (_Source), (_Length))
#define NdisMoveFromMappedMemory(_Destination, _Source, _Length) \
	memcpy_fromio((_Destination), (const volatile void __iomem *)(_Source), (_Length))
#define NdisZeroMappedMemory(_Destination, _Length) \
	memset_io((volatile void __iomem *)(_Destination), 0, (_Length))
#else
#define NdisMoveToMappedMemory(_Destination, _Source, _Length) \
	NdisMoveMappedMemory(_Destination, _Source, _Length)
#define NdisMoveFromMappedMemory(_Destination, _Source, _Length) \
	NdisMoveMappedMemory(_Destination, _Source, _Length)
#define NdisZeroMappedMemory(_Destination, _Length) \
	RtlZeroMemory(_Destination, _Length)
#endif

/* ---- Strings ---- */

/* Length the string's bytes without the terminator (at most 0xFFFC),
 * MaximumLength two more; a NULL SourceString gives an empty string. */
static inline VOID RtlInitUnicodeString(_Out_ PUNICODE_STRING DestinationString,
					_In_opt_z_ PCWSTR SourceString)
{
	SIZE_T Size = 0;

	if (SourceString != NULL) {
		while (SourceString[Size] != 0)
			Size++;
		Size *= sizeof(WCHAR);
		if (Size > 0xFFFC)
			Size = 0xFFFC;
	}
	DestinationString->Length = (USHORT)Size;
	DestinationString->MaximumLength = SourceString ? (USHORT)(Size + sizeof(WCHAR)) : 0;
	DestinationString->Buffer = (PWSTR)SourceString;
}

/* As RtlInitUnicodeString, in bytes (at most 0xFFFE), MaximumLength one
 * more. */
static inline VOID RtlInitString(_Out_ PSTRING DestinationString, _In_opt_z_ PCSTR SourceString)
{
	SIZE_T Size = 0;

	if (SourceString != NULL) {
		Size = __builtin_strlen(SourceString);
		if (Size > 0xFFFE)
			Size = 0xFFFE;
	}
	DestinationString->Length = (USHORT)Size;
	DestinationString->MaximumLength = SourceString ? (USHORT)(Size + 1) : 0;
	DestinationString->Buffer = (PCHAR)SourceString;
}
#define RtlInitAnsiString(_D, _S) RtlInitString(_D, _S)

#define NdisInitUnicodeString(_us, s) RtlInitUnicodeString(_us, s)
#define NdisInitAnsiString(_as, s)    RtlInitString(_as, s)

/* TRUE if the two strings have the same characters; CaseInsensitive
 * compares their upper-case forms (the shim's: Unicode simple case
 * mapping). */
BOOLEAN RtlEqualUnicodeString(
	_In_ PCUNICODE_STRING String1,
	_In_ PCUNICODE_STRING String2,
	_In_ BOOLEAN CaseInSensitive);

#define NdisEqualString(_String1, _String2, _CaseInsensitive) \
	RtlEqualUnicodeString(_String1, _String2, _CaseInsensitive)

/*
 * PASSIVE_LEVEL.  Convert into the caller's buffer, as
 * RtlAnsiStringToUnicodeString / RtlUnicodeStringToAnsiString do without
 * allocating; the shim's ANSI code page is ISO 8859-1 (a character with no
 * byte becomes '?').  ANSI to Unicode: NDIS_STATUS_BUFFER_OVERFLOW, the
 * destination unchanged, unless its MaximumLength exceeds the converted
 * Length (room for the terminator, which is written).  Unicode to ANSI:
 * a destination too short gets the first MaximumLength - 1 characters
 * and NDIS_STATUS_BUFFER_OVERFLOW.
 */
NDIS_STATUS NdisAnsiStringToUnicodeString(
	_Inout_ PNDIS_STRING DestinationString,
	_In_ PNDIS_ANSI_STRING SourceString);

NDIS_STATUS NdisUnicodeStringToAnsiString(
	_Inout_ PNDIS_ANSI_STRING DestinationString,
	_In_ PNDIS_STRING SourceString);

/* NdisInitializeString: a Unicode copy of a NUL-terminated ANSI string in
 * memory NdisAllocateMemoryWithTag gives (ISO 8859-1 bytes widened, as the
 * WDK's macro does); an empty string with a NULL Buffer if that fails.
 * NdisFreeString (the string by value, as in the WDK) frees it. */
static inline VOID NdisInitializeString(_Out_ PNDIS_STRING Destination, _In_z_ PUCHAR Source)
{
	SIZE_T Length = __builtin_strlen((const char *)Source);
	PWCHAR Buffer;
	SIZE_T i;

	Destination->Length = 0;
	Destination->MaximumLength = 0;
	Destination->Buffer = NULL;
	if (Length > 0x7FFE)
		Length = 0x7FFE;
	if (NdisAllocateMemoryWithTag((PVOID *)&Buffer, (UINT)((Length + 1) * sizeof(WCHAR)),
				      'rtSN') != NDIS_STATUS_SUCCESS)
		return;
	for (i = 0; i < Length; i++)
		Buffer[i] = (WCHAR)Source[i];
	Buffer[Length] = 0;
	Destination->Length = (USHORT)(Length * sizeof(WCHAR));
	Destination->MaximumLength = (USHORT)((Length + 1) * sizeof(WCHAR));
	Destination->Buffer = Buffer;
}

#define NdisFreeString(_String) \
	NdisFreeMemory((_String).Buffer, (_String).MaximumLength, 0)

/* ---- NDIS 5 work items ---- */

struct _NDIS_WORK_ITEM;
typedef VOID (*NDIS_PROC)(_In_ struct _NDIS_WORK_ITEM *WorkItem, _In_opt_ PVOID Context);

typedef struct _NDIS_WORK_ITEM {
	PVOID Context;
	NDIS_PROC Routine;
	UCHAR WrapperReserved[8 * sizeof(PVOID)];
} NDIS_WORK_ITEM, *PNDIS_WORK_ITEM;

#define NdisInitializeWorkItem(_WI_, _R_, _C_)	\
	do {					\
		(_WI_)->Context = (_C_);	\
		(_WI_)->Routine = (_R_);	\
	} while (0)

/*
 * IRQL <= DISPATCH_LEVEL.  Routine(WorkItem, Context) runs later at
 * PASSIVE_LEVEL in a kernel worker; Routine and Context are read at this
 * call, so the routine may free the item.  NDIS_STATUS_SUCCESS ("always
 * succeeds"); on the shim NDIS_STATUS_RESOURCES when its memory for the
 * queue entry cannot be had, and a NULL item or routine is refused
 * (NDIS_STATUS_FAILURE, counted).  Miniport unload waits for the queued
 * items' routines.
 */
NDIS_STATUS NdisScheduleWorkItem(
	_In_ PNDIS_WORK_ITEM WorkItem);

/* ---- Adapter resources and PCI slots through the wrapper context ---- */

/* The adapter's configuration space, as NdisReadPciSlotInformation
 * (WrapperConfigurationContext is MiniportInitialize's; SlotNumber is
 * ignored): the bytes transferred, 0 for a forged context (counted). */
ULONG NdisImmediateReadPciSlotInformation(
	_In_ NDIS_HANDLE WrapperConfigurationContext,
	_In_ ULONG SlotNumber,
	_In_ ULONG Offset,
	_Out_writes_bytes_(Length) PVOID Buffer,
	_In_ ULONG Length);

ULONG NdisImmediateWritePciSlotInformation(
	_In_ NDIS_HANDLE WrapperConfigurationContext,
	_In_ ULONG SlotNumber,
	_In_ ULONG Offset,
	_In_reads_bytes_(Length) PVOID Buffer,
	_In_ ULONG Length);

/* Obsolete in NDIS 5.1, still called: *AssignedResources points at the
 * resources Linux assigned the function (the list NdisMQueryAdapterResources
 * copies), owned by the shim until the halt; SlotNumber is ignored.
 * NDIS_STATUS_SUCCESS; a forged handle: NDIS_STATUS_FAILURE, NULL, counted. */
NDIS_STATUS NdisMPciAssignResources(
	_In_ NDIS_HANDLE MiniportHandle,
	_In_ ULONG SlotNumber,
	_Out_ PNDIS_RESOURCE_LIST *AssignedResources);

typedef enum _INTERFACE_TYPE {
	InterfaceTypeUndefined = -1,
	Internal = 0,
	Isa,
	Eisa,
	MicroChannel,
	TurboChannel,
	PCIBus,
	VMEBus,
	NuBus,
	PCMCIABus,
	CBus,
	MPIBus,
	MPSABus,
	ProcessorInternal,
	InternalPowerBus,
	PNPISABus,
	PNPBus,
	Vmcs,
	ACPIBus,
	MaximumInterfaceType
} INTERFACE_TYPE, *PINTERFACE_TYPE;

typedef struct _CM_FULL_RESOURCE_DESCRIPTOR {
	INTERFACE_TYPE InterfaceType;
	ULONG BusNumber;
	CM_PARTIAL_RESOURCE_LIST PartialResourceList;
} CM_FULL_RESOURCE_DESCRIPTOR, *PCM_FULL_RESOURCE_DESCRIPTOR;

typedef struct _CM_RESOURCE_LIST {
	ULONG Count;
	CM_FULL_RESOURCE_DESCRIPTOR List[1];
} CM_RESOURCE_LIST, *PCM_RESOURCE_LIST;

/*
 * Each out pointer is optional.  No call of the shim takes a
 * DEVICE_OBJECT, and DEVICE_OBJECT is opaque here, so the device objects
 * are tokens: non-NULL, fixed for the adapter's life, distinct per
 * adapter; NextDeviceObject is PhysicalDeviceObject (no filter below the
 * miniport).  Both resource lists are one list with one full descriptor
 * (PCIBus, the function's bus number) holding the adapter's resources
 * (raw and translated are the same on the shim), owned by the shim until
 * the halt.  A forged handle: every pointer NULL, counted.
 */
VOID NdisMGetDeviceProperty(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_Inout_opt_ PDEVICE_OBJECT *PhysicalDeviceObject,
	_Inout_opt_ PDEVICE_OBJECT *FunctionalDeviceObject,
	_Inout_opt_ PDEVICE_OBJECT *NextDeviceObject,
	_Inout_opt_ PCM_RESOURCE_LIST *AllocatedResources,
	_Inout_opt_ PCM_RESOURCE_LIST *AllocatedResourcesTranslated);

/* The sends and Query/Set requests the adapter's miniport holds (the
 * shim's own: a miniport driver passes its MiniportAdapterHandle).
 * NDIS_STATUS_SUCCESS; a forged handle: NDIS_STATUS_FAILURE, counted. */
NDIS_STATUS NdisQueryPendingIOCount(
	_In_ PVOID NdisBindingHandle,
	_Inout_ PULONG IoCount);

/* ---- System information ---- */

/* Milliseconds since boot.  Any IRQL. */
VOID NdisGetSystemUpTime(
	_Out_ PULONG pSystemUpTime);

/* The processors online. */
CCHAR NdisSystemProcessorCount(VOID);

/* The current processor's busy time since boot, in percent (0..100). */
VOID NdisGetCurrentProcessorCpuUsage(
	_Out_ PULONG pCpuUsage);

/* NdisPacketSize: the bytes of one packet descriptor a pool with that
 * ProtocolReservedSize lays out (packet, OOB data, extension); 0 for a
 * size no pool can have. */
UINT NdisPacketSize(
	_In_ UINT ProtocolReservedSize);

/* Packets later allocated from the pool carry ProtocolId (masked with
 * NDIS_PROTOCOL_ID_MASK) in Private.Flags; a forged pool handle is
 * refused and counted. */
VOID NdisSetPacketPoolProtocolId(
	_In_ NDIS_HANDLE PacketPoolHandle,
	_In_ UINT ProtocolId);

/* =================== end of the NDIS 5 support calls ==================== */

/* ------------------------------------------------------------------------
 * Win64 layout checks.  Sources:
 *   [PDB]  x64 layouts dumped from Windows 10 (ntdiff/headers, ndis.sys
 *          and ntoskrnl type information), which give sizes and offsets
 *          directly;
 *   [DECL] derived from the WDK declaration under the x64 ABI, where no
 *          dump was at hand.
 * Linux x86_64/arm64 (LP64) lays these out the same way once ULONG is
 * 32 bits, which is what these checks make sure of.
 * ------------------------------------------------------------------------ */

#if defined(__x86_64__) || defined(__aarch64__) || \
	(defined(__LP64__) && __SIZEOF_POINTER__ == 8)

#define __NDIS_CHECK_SIZE(t, n)      _Static_assert(sizeof(t) == (n), "sizeof(" #t ") != " #n)
#define __NDIS_CHECK_OFF(t, f, n) \
	_Static_assert(__builtin_offsetof(t, f) == (n), "offsetof(" #t ", " #f ") != " #n)
#define __NDIS_CHECK_ALIGN(t, n)     _Static_assert(_Alignof(t) == (n), "_Alignof(" #t ") != " #n)

/* Base types [DECL: Win64 LLP64 data model] */
__NDIS_CHECK_SIZE(UCHAR, 1);
__NDIS_CHECK_SIZE(BOOLEAN, 1);
__NDIS_CHECK_SIZE(USHORT, 2);
__NDIS_CHECK_SIZE(WCHAR, 2);
__NDIS_CHECK_SIZE(ULONG, 4);
__NDIS_CHECK_SIZE(LONG, 4);
__NDIS_CHECK_SIZE(UINT, 4);
__NDIS_CHECK_SIZE(NDIS_STATUS, 4);
__NDIS_CHECK_SIZE(ULONG64, 8);
__NDIS_CHECK_SIZE(LONGLONG, 8);
__NDIS_CHECK_SIZE(ULONG_PTR, 8);
__NDIS_CHECK_SIZE(PVOID, 8);
__NDIS_CHECK_SIZE(NDIS_HANDLE, 8);
/* Enums are int-sized in the Microsoft ABI. */
__NDIS_CHECK_SIZE(DMA_WIDTH, 4);
__NDIS_CHECK_SIZE(NDIS_INTERFACE_TYPE, 4);

/* LARGE_INTEGER [PDB: size 0x8, LowPart 0, HighPart 4] */
__NDIS_CHECK_SIZE(LARGE_INTEGER, 8);
__NDIS_CHECK_SIZE(PHYSICAL_ADDRESS, 8);
__NDIS_CHECK_OFF(LARGE_INTEGER, LowPart, 0);
__NDIS_CHECK_OFF(LARGE_INTEGER, HighPart, 4);

/* UNICODE_STRING [PDB: size 0x10, Buffer 0x8] */
__NDIS_CHECK_SIZE(UNICODE_STRING, 16);
__NDIS_CHECK_OFF(UNICODE_STRING, Buffer, 8);

/* MDL [PDB: size 0x30; Process 0x10, MappedSystemVa 0x18, StartVa 0x20,
 * ByteCount 0x28, ByteOffset 0x2c] */
__NDIS_CHECK_SIZE(MDL, 48);
__NDIS_CHECK_OFF(MDL, Size, 8);
__NDIS_CHECK_OFF(MDL, MdlFlags, 10);
__NDIS_CHECK_OFF(MDL, Process, 16);
__NDIS_CHECK_OFF(MDL, MappedSystemVa, 24);
__NDIS_CHECK_OFF(MDL, StartVa, 32);
__NDIS_CHECK_OFF(MDL, ByteCount, 40);
__NDIS_CHECK_OFF(MDL, ByteOffset, 44);

/* NDIS_OBJECT_HEADER [PDB: size 0x4] */
__NDIS_CHECK_SIZE(NDIS_OBJECT_HEADER, 4);

/* CM_PARTIAL_RESOURCE_DESCRIPTOR [PDB: size 0x14, u at 0x4, u size 0x10,
 * Interrupt.Affinity 0xc] and CM_PARTIAL_RESOURCE_LIST [PDB: size 0x1c,
 * PartialDescriptors 0x8] */
__NDIS_CHECK_SIZE(CM_PARTIAL_RESOURCE_DESCRIPTOR, 20);
__NDIS_CHECK_OFF(CM_PARTIAL_RESOURCE_DESCRIPTOR, u, 4);
__NDIS_CHECK_OFF(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Start, 4);
__NDIS_CHECK_OFF(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Length, 12);
__NDIS_CHECK_OFF(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Interrupt.Vector, 8);
__NDIS_CHECK_OFF(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Interrupt.Affinity, 12);
__NDIS_CHECK_SIZE(CM_PARTIAL_RESOURCE_LIST, 28);
__NDIS_CHECK_OFF(CM_PARTIAL_RESOURCE_LIST, PartialDescriptors, 8);

/* NDIS_MINIPORT_INIT_PARAMETERS [PDB: size 0x40; AllocatedResources 0x8,
 * IfIndex 0x20, NetLuid 0x28, PciDeviceCustomProperties 0x38] */
__NDIS_CHECK_SIZE(NET_LUID, 8);
__NDIS_CHECK_SIZE(NDIS_MINIPORT_INIT_PARAMETERS, 64);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INIT_PARAMETERS, Flags, 4);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INIT_PARAMETERS, AllocatedResources, 8);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INIT_PARAMETERS, IfIndex, 32);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INIT_PARAMETERS, NetLuid, 40);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INIT_PARAMETERS, PciDeviceCustomProperties, 56);

/* NDIS_MINIPORT_DRIVER_CHARACTERISTICS [PDB: Flags 0x8, SetOptionsHandler
 * 0x10, InitializeHandlerEx 0x18, CancelOidRequestHandler 0x80,
 * CancelDirectOidRequestHandler 0x90, size 0x98] */
__NDIS_CHECK_OFF(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, MajorNdisVersion, 4);
__NDIS_CHECK_OFF(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, Flags, 8);
__NDIS_CHECK_OFF(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, SetOptionsHandler, 0x10);
__NDIS_CHECK_OFF(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, InitializeHandlerEx, 0x18);
__NDIS_CHECK_OFF(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, HaltHandlerEx, 0x20);
__NDIS_CHECK_OFF(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, OidRequestHandler, 0x40);
__NDIS_CHECK_OFF(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CheckForHangHandlerEx, 0x60);
__NDIS_CHECK_OFF(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, ShutdownHandlerEx, 0x78);
__NDIS_CHECK_OFF(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelOidRequestHandler, 0x80);
_Static_assert(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 == 0x88,
	       "NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 != 0x88");
#if NDIS_SUPPORT_NDIS61
__NDIS_CHECK_OFF(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, DirectOidRequestHandler, 0x88);
__NDIS_CHECK_OFF(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelDirectOidRequestHandler, 0x90);
__NDIS_CHECK_SIZE(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, 0x98);
_Static_assert(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 == 0x98,
	       "NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 != 0x98");
#else
__NDIS_CHECK_SIZE(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, 0x88);
#endif

/* NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES [PDB: size 0x20;
 * MiniportAdapterContext 0x8, AttributeFlags 0x10, InterfaceType 0x18] */
__NDIS_CHECK_SIZE(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, 32);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, MiniportAdapterContext, 8);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, AttributeFlags, 16);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, CheckForHangTimeInSeconds, 20);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType, 24);
_Static_assert(NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 == 28,
	       "NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 != 28");

/* NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS [PDB: size 0x60; MsiSupported
 * 0x28, MessageInterruptHandler 0x30, InterruptType 0x50,
 * MessageInfoTable 0x58] */
__NDIS_CHECK_SIZE(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, 0x60);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, InterruptHandler, 0x08);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, EnableInterruptHandler, 0x20);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MsiSupported, 0x28);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MsiSyncWithAllMessages, 0x29);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MessageInterruptHandler, 0x30);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, InterruptType, 0x50);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MessageInfoTable, 0x58);

/* NDIS_DMA_DESCRIPTION [DECL: three BOOLEANs, then int-sized enums at 4] */
__NDIS_CHECK_SIZE(NDIS_DMA_DESCRIPTION, 20);
__NDIS_CHECK_OFF(NDIS_DMA_DESCRIPTION, DmaChannelSpecified, 2);
__NDIS_CHECK_OFF(NDIS_DMA_DESCRIPTION, DmaWidth, 4);
__NDIS_CHECK_OFF(NDIS_DMA_DESCRIPTION, DmaSpeed, 8);
__NDIS_CHECK_OFF(NDIS_DMA_DESCRIPTION, DmaPort, 12);
__NDIS_CHECK_OFF(NDIS_DMA_DESCRIPTION, DmaChannel, 16);

/* Bus-master structures [DECL] */
__NDIS_CHECK_SIZE(NDIS_PHYSICAL_ADDRESS_UNIT, 16);
__NDIS_CHECK_OFF(NDIS_PHYSICAL_ADDRESS_UNIT, Length, 8);
__NDIS_CHECK_SIZE(SCATTER_GATHER_ELEMENT, 24);
__NDIS_CHECK_OFF(SCATTER_GATHER_ELEMENT, Length, 8);
__NDIS_CHECK_OFF(SCATTER_GATHER_ELEMENT, Reserved, 16);
__NDIS_CHECK_SIZE(SCATTER_GATHER_LIST, 16);
__NDIS_CHECK_OFF(SCATTER_GATHER_LIST, Elements, 16);

/* NDIS_SG_DMA_DESCRIPTION [PDB: size 0x28; ProcessSGListHandler 0x10,
 * ScatterGatherListSize 0x20] */
__NDIS_CHECK_SIZE(NDIS_SG_DMA_DESCRIPTION, 0x28);
__NDIS_CHECK_OFF(NDIS_SG_DMA_DESCRIPTION, MaximumPhysicalMapping, 8);
__NDIS_CHECK_OFF(NDIS_SG_DMA_DESCRIPTION, ProcessSGListHandler, 0x10);
__NDIS_CHECK_OFF(NDIS_SG_DMA_DESCRIPTION, SharedMemAllocateCompleteHandler, 0x18);
__NDIS_CHECK_OFF(NDIS_SG_DMA_DESCRIPTION, ScatterGatherListSize, 0x20);

/* NDIS5x_MINIPORT_CHARACTERISTICS [DECL: 8-byte pointers from 0x8] */
__NDIS_CHECK_OFF(NDIS51_MINIPORT_CHARACTERISTICS, CheckForHangHandler, 0x08);
__NDIS_CHECK_OFF(NDIS51_MINIPORT_CHARACTERISTICS, HaltHandler, 0x20);
__NDIS_CHECK_OFF(NDIS51_MINIPORT_CHARACTERISTICS, InitializeHandler, 0x30);
__NDIS_CHECK_OFF(NDIS51_MINIPORT_CHARACTERISTICS, AllocateCompleteHandler, 0x80);
__NDIS_CHECK_OFF(NDIS51_MINIPORT_CHARACTERISTICS, CancelSendPacketsHandler, 0xB8);
__NDIS_CHECK_SIZE(NDIS30_MINIPORT_CHARACTERISTICS, 0x70);
__NDIS_CHECK_SIZE(NDIS40_MINIPORT_CHARACTERISTICS, 0x88);
__NDIS_CHECK_SIZE(NDIS50_MINIPORT_CHARACTERISTICS, 0xB8);
__NDIS_CHECK_SIZE(NDIS51_MINIPORT_CHARACTERISTICS, 0xF0);
__NDIS_CHECK_SIZE(NDIS_MEDIUM, 4);


/* SLIST_HEADER [PDB: size 0x10, 16-aligned] */
__NDIS_CHECK_SIZE(SLIST_HEADER, 0x10);
__NDIS_CHECK_ALIGN(SLIST_HEADER, 16);

/* NET_BUFFER_DATA / NET_BUFFER_HEADER [PDB (Win10 x64 ndis.sys):
 * NET_BUFFER_DATA 0x30, NbDataLength 0x18, MdlChain 0x20, DataOffset 0x28;
 * NET_BUFFER_HEADER 0x30] */
__NDIS_CHECK_SIZE(NET_BUFFER_DATA, 0x30);
__NDIS_CHECK_OFF(NET_BUFFER_DATA, DataLength, 0x18);
__NDIS_CHECK_OFF(NET_BUFFER_DATA, NbDataLength, 0x18);
__NDIS_CHECK_OFF(NET_BUFFER_DATA, MdlChain, 0x20);
__NDIS_CHECK_OFF(NET_BUFFER_DATA, DataOffset, 0x28);
__NDIS_CHECK_SIZE(NET_BUFFER_HEADER, 0x30);
__NDIS_CHECK_OFF(NET_BUFFER_HEADER, MdlChain, 0x20);
__NDIS_CHECK_OFF(NET_BUFFER_HEADER, NetBufferData.DataOffset, 0x28);

/* NET_BUFFER [PDB (Win10 x64 ndis.sys): size 0xb0; NetBufferHeader 0,
 * ChecksumBias 0x30, NdisPoolHandle 0x38, NdisReserved 0x40,
 * ProtocolReserved 0x50, MiniportReserved 0x80, DataPhysicalAddress 0xa0,
 * ScatterGatherList 0xa8; 16-aligned (DECLSPEC_ALIGN in the WDK)] */
__NDIS_CHECK_ALIGN(NET_BUFFER, 16);
__NDIS_CHECK_OFF(NET_BUFFER, NetBufferHeader, 0);
__NDIS_CHECK_OFF(NET_BUFFER, Link, 0);
__NDIS_CHECK_OFF(NET_BUFFER, CurrentMdl, 0x08);
__NDIS_CHECK_OFF(NET_BUFFER, CurrentMdlOffset, 0x10);
__NDIS_CHECK_OFF(NET_BUFFER, DataLength, 0x18);
__NDIS_CHECK_OFF(NET_BUFFER, MdlChain, 0x20);
__NDIS_CHECK_OFF(NET_BUFFER, DataOffset, 0x28);
__NDIS_CHECK_OFF(NET_BUFFER, ChecksumBias, 0x30);
__NDIS_CHECK_OFF(NET_BUFFER, NdisPoolHandle, 0x38);
__NDIS_CHECK_OFF(NET_BUFFER, NdisReserved, 0x40);
__NDIS_CHECK_OFF(NET_BUFFER, ProtocolReserved, 0x50);
__NDIS_CHECK_OFF(NET_BUFFER, MiniportReserved, 0x80);
__NDIS_CHECK_OFF(NET_BUFFER, DataPhysicalAddress, 0xa0);
__NDIS_CHECK_OFF(NET_BUFFER, ScatterGatherList, 0xa8);
__NDIS_CHECK_SIZE(NET_BUFFER, 0xb0);

/* NET_BUFFER_LIST [PDB (Win10 x64 ndis.sys): NetBufferListInfo at 0x90,
 * one pointer per NDIS_NET_BUFFER_LIST_INFO index, Context 0x10,
 * ParentNetBufferList 0x18, NdisPoolHandle 0x20, NdisReserved 0x30,
 * ProtocolReserved 0x40, MiniportReserved 0x60, Scratch 0x70,
 * SourceHandle 0x78, NblFlags 0x80, ChildRefCount 0x84, Flags 0x88,
 * Status 0x8c, NetBufferListInfo 0x90 (not declared here); 16-aligned] */
__NDIS_CHECK_ALIGN(NET_BUFFER_LIST, 16);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, FirstNetBuffer, 0x08);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, NetBufferListHeader, 0);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, Context, 0x10);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, ParentNetBufferList, 0x18);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, NdisPoolHandle, 0x20);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, NdisReserved, 0x30);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, ProtocolReserved, 0x40);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, MiniportReserved, 0x60);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, Scratch, 0x70);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, SourceHandle, 0x78);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, NblFlags, 0x80);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, ChildRefCount, 0x84);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, Flags, 0x88);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, Status, 0x8c);
__NDIS_CHECK_OFF(NET_BUFFER_LIST, NetBufferListInfo, 0x90);
/* 16-aligned, so rounded up to 16 when the count is odd */
__NDIS_CHECK_SIZE(NET_BUFFER_LIST, (0x90 + 8 * MaxNetBufferListInfo + 15) & ~15);
/* MaxNetBufferListInfo per contract [DECL: nblinfo.h, x64 numbering] */
#if NDIS_SUPPORT_NDIS630
_Static_assert(MaxNetBufferListInfo == 24, "MaxNetBufferListInfo != 24 (6.30)");
_Static_assert(TcpRecvSegCoalesceInfo == 22, "TcpRecvSegCoalesceInfo != 22");
#elif NDIS_SUPPORT_NDIS620
_Static_assert(MaxNetBufferListInfo == 18, "MaxNetBufferListInfo != 18 (6.20)");
#elif NDIS_SUPPORT_NDIS61
_Static_assert(MaxNetBufferListInfo == 13, "MaxNetBufferListInfo != 13 (6.1)");
#elif NDIS_SUPPORT_NDIS6
_Static_assert(MaxNetBufferListInfo == 11, "MaxNetBufferListInfo != 11 (6.0)");
#endif
_Static_assert(NetBufferListCancelId == 5, "NetBufferListCancelId != 5");
_Static_assert(TcpLargeSendNetBufferListInfo == 2, "TcpLargeSendNetBufferListInfo != 2");

/* NET_BUFFER_LIST_CONTEXT [PDB (x86 ndis.sys: size 8, ContextData 8);
 * DECL x64: Next 0, Size 8, Offset 0xa, ContextData 16-aligned at 0x10] */
__NDIS_CHECK_OFF(NET_BUFFER_LIST_CONTEXT, Size, 8);
__NDIS_CHECK_OFF(NET_BUFFER_LIST_CONTEXT, Offset, 0xa);
__NDIS_CHECK_OFF(NET_BUFFER_LIST_CONTEXT, ContextData, 0x10);
__NDIS_CHECK_SIZE(NET_BUFFER_LIST_CONTEXT, 0x10);

/* Pool parameters [DECL: header, then the members packed in order] */
__NDIS_CHECK_OFF(NET_BUFFER_LIST_POOL_PARAMETERS, ProtocolId, 4);
__NDIS_CHECK_OFF(NET_BUFFER_LIST_POOL_PARAMETERS, fAllocateNetBuffer, 5);
__NDIS_CHECK_OFF(NET_BUFFER_LIST_POOL_PARAMETERS, ContextSize, 6);
__NDIS_CHECK_OFF(NET_BUFFER_LIST_POOL_PARAMETERS, PoolTag, 8);
__NDIS_CHECK_OFF(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize, 12);
__NDIS_CHECK_SIZE(NET_BUFFER_LIST_POOL_PARAMETERS, 16);
_Static_assert(NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 == 16,
	       "NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 != 16");
__NDIS_CHECK_OFF(NET_BUFFER_POOL_PARAMETERS, PoolTag, 4);
__NDIS_CHECK_OFF(NET_BUFFER_POOL_PARAMETERS, DataSize, 8);
__NDIS_CHECK_SIZE(NET_BUFFER_POOL_PARAMETERS, 12);

/* Per-packet information: one NetBufferListInfo[] entry each [DECL] */
__NDIS_CHECK_SIZE(NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO, 8);
__NDIS_CHECK_SIZE(NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO, 8);

/* Declared-only NDIS 6 structures [DECL: the WDK declarations under the
 * x64 ABI; enums int-sized, ULONG64 8-aligned] */
__NDIS_CHECK_OFF(NDIS_LINK_STATE, MediaConnectState, 4);
__NDIS_CHECK_OFF(NDIS_LINK_STATE, XmitLinkSpeed, 0x10);
__NDIS_CHECK_OFF(NDIS_LINK_STATE, PauseFunctions, 0x20);
__NDIS_CHECK_SIZE(NDIS_LINK_STATE, 0x28);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MtuSize, 0x10);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MaxXmitLinkSpeed, 0x18);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MediaConnectState, 0x38);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PowerManagementCapabilities, 0x48);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MacAddressLength, 0x5c);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PermanentMacAddress, 0x5e);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, CurrentMacAddress, 0x7e);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, RecvScaleCapabilities, 0xa0);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, IfType, 0xb4);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, IfConnectorPresent, 0xb6);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, SupportedOidList, 0xc8);
__NDIS_CHECK_OFF(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, AutoNegotiationFlags, 0xd4);
_Static_assert(NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 == 0xd8,
	       "NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 != 0xd8");
__NDIS_CHECK_SIZE(NDIS_TCP_IP_CHECKSUM_OFFLOAD, 32);
__NDIS_CHECK_SIZE(NDIS_TCP_LARGE_SEND_OFFLOAD_V1, 16);
__NDIS_CHECK_SIZE(NDIS_IPSEC_OFFLOAD_V1, 28);
__NDIS_CHECK_SIZE(NDIS_TCP_LARGE_SEND_OFFLOAD_V2, 28);
__NDIS_CHECK_OFF(NDIS_OFFLOAD, LsoV2, 0x50);
__NDIS_CHECK_OFF(NDIS_OFFLOAD, Flags, 0x6c);
__NDIS_CHECK_SIZE(NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, 40);
__NDIS_CHECK_OFF(NDIS_OID_REQUEST, RequestId, 0x10);
__NDIS_CHECK_OFF(NDIS_OID_REQUEST, DATA, 0x20);
__NDIS_CHECK_OFF(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.InformationBuffer, 0x28);
__NDIS_CHECK_OFF(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.BytesNeeded, 0x44);
__NDIS_CHECK_OFF(NDIS_OID_REQUEST, NdisReserved, 0x48);
__NDIS_CHECK_OFF(NDIS_OID_REQUEST, SupportedRevision, 0xe8);
_Static_assert(NDIS_SIZEOF_OID_REQUEST_REVISION_1 == 0xec,
	       "NDIS_SIZEOF_OID_REQUEST_REVISION_1 != 0xec");
__NDIS_CHECK_OFF(NDIS_STATUS_INDICATION, StatusCode, 0x14);
__NDIS_CHECK_OFF(NDIS_STATUS_INDICATION, StatusBuffer, 0x30);
__NDIS_CHECK_OFF(NDIS_STATUS_INDICATION, Guid, 0x3c);
__NDIS_CHECK_OFF(NDIS_STATUS_INDICATION, NdisReserved, 0x50);
__NDIS_CHECK_SIZE(NDIS_STATUS_INDICATION, 0x70);
__NDIS_CHECK_OFF(NDIS_TIMER_CHARACTERISTICS, TimerFunction, 8);
__NDIS_CHECK_SIZE(NDIS_TIMER_CHARACTERISTICS, 0x18);
__NDIS_CHECK_OFF(NDIS_CONFIGURATION_PARAMETER, ParameterData, 8);
__NDIS_CHECK_SIZE(NDIS_CONFIGURATION_PARAMETER, 0x18);
__NDIS_CHECK_SIZE(NDIS_CONFIGURATION_OBJECT, 0x18);
__NDIS_CHECK_OFF(NDIS_STATISTICS_INFO, ifInDiscards, 8);
__NDIS_CHECK_SIZE(NDIS_STATISTICS_INFO, 0x98);
__NDIS_CHECK_OFF(NDIS_OFFLOAD_PARAMETERS, Flags, 0x10);
_Static_assert(NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1 == 0x14,
	       "NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1 != 0x14");
__NDIS_CHECK_SIZE(NDIS_OFFLOAD_ENCAPSULATION, 0x1c);
__NDIS_CHECK_OFF(NET_DEVICE_PNP_EVENT, DevicePnPEvent, 8);
__NDIS_CHECK_OFF(NET_DEVICE_PNP_EVENT, InformationBuffer, 0x10);
__NDIS_CHECK_OFF(NET_DEVICE_PNP_EVENT, NdisReserved, 0x1c);
__NDIS_CHECK_SIZE(NET_DEVICE_PNP_EVENT, 0x30);

/* NDIS 5 packets (x64 WDK layout: Private 0x30, then the reserved areas) */
__NDIS_CHECK_SIZE(NDIS_PACKET_PRIVATE, 0x30);
__NDIS_CHECK_OFF(NDIS_PACKET_PRIVATE, Head, 0x08);
__NDIS_CHECK_OFF(NDIS_PACKET_PRIVATE, Pool, 0x18);
__NDIS_CHECK_OFF(NDIS_PACKET_PRIVATE, Count, 0x20);
__NDIS_CHECK_OFF(NDIS_PACKET_PRIVATE, ValidCounts, 0x28);
__NDIS_CHECK_OFF(NDIS_PACKET_PRIVATE, NdisPacketOobOffset, 0x2a);
__NDIS_CHECK_OFF(NDIS_PACKET, MiniportReserved, 0x30);
__NDIS_CHECK_OFF(NDIS_PACKET, WrapperReserved, 0x40);
__NDIS_CHECK_OFF(NDIS_PACKET, MiniportReservedEx, 0x30);
__NDIS_CHECK_OFF(NDIS_PACKET, Reserved, 0x50);
__NDIS_CHECK_OFF(NDIS_PACKET, ProtocolReserved, 0x60);
__NDIS_CHECK_SIZE(NDIS_PACKET, 0x68);
__NDIS_CHECK_OFF(NDIS_PACKET_OOB_DATA, HeaderSize, 0x10);
__NDIS_CHECK_OFF(NDIS_PACKET_OOB_DATA, MediaSpecificInformation, 0x18);
__NDIS_CHECK_OFF(NDIS_PACKET_OOB_DATA, Status, 0x20);
__NDIS_CHECK_SIZE(NDIS_PACKET_OOB_DATA, 0x28);
__NDIS_CHECK_SIZE(NDIS_PACKET_EXTENSION, 12 * 8);
__NDIS_CHECK_SIZE(NDIS_PNP_CAPABILITIES, 16);
/* NDIS 5 objects miniports embed (issue 14 section) [DECL: WDK ndis.h,
 * wdm.h, x64] */
__NDIS_CHECK_SIZE(KDPC, 0x40);
__NDIS_CHECK_SIZE(KTIMER, 0x40);
__NDIS_CHECK_SIZE(KEVENT, 0x18);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT, MiniportIsr, 0x18);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT, InterruptDpc, 0x28);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT, Miniport, 0x68);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT, DpcsCompletedEvent, 0x78);
__NDIS_CHECK_OFF(NDIS_MINIPORT_INTERRUPT, IsrRequested, 0x91);
__NDIS_CHECK_SIZE(NDIS_MINIPORT_INTERRUPT, 0x98);
__NDIS_CHECK_OFF(NDIS_MINIPORT_TIMER, MiniportTimerFunction, 0x80);
__NDIS_CHECK_SIZE(NDIS_MINIPORT_TIMER, 0xa0);
__NDIS_CHECK_SIZE(NDIS_TIMER, 0x80);
__NDIS_CHECK_SIZE(NDIS_EVENT, 0x18);
__NDIS_CHECK_OFF(PCI_COMMON_CONFIG, u.type0.SubVendorID, 0x2c);
__NDIS_CHECK_OFF(PCI_COMMON_CONFIG, u.type0.InterruptLine, 0x3c);
__NDIS_CHECK_OFF(PCI_COMMON_CONFIG, DeviceSpecific, 0x40);
__NDIS_CHECK_SIZE(PCI_COMMON_CONFIG, 0x100);

#undef __NDIS_CHECK_SIZE
#undef __NDIS_CHECK_OFF
#undef __NDIS_CHECK_ALIGN

#endif /* 64-bit layout checks */

#ifdef __cplusplus
}
#endif

#endif /* _NDIS_ */
