/* SPDX-License-Identifier: GPL-2.0 */
/*++

Module Name:

    ndis_wdm.h  (ndis-shim; included by ndis.h after its base types)

Abstract:

    The pieces of wdm.h, ntdef.h and the MSVC intrinsics that Windows
    driver source uses without thinking about them: IRQL levels and
    KeGetCurrentIrql, PAGED_CODE and the code-section pragmas, C_ASSERT,
    the Interlocked functions, barriers, DbgBreakPoint and the
    DRIVER_INITIALIZE role type.  Each maps onto the Linux or compiler
    primitive with the documented Windows semantics; the mapping is listed
    in Documentation/porting.rst.

    Macros are #ifndef-guarded so that a source defining its own keeps it.

--*/

#ifndef _NDIS_WDM_H
#define _NDIS_WDM_H

#ifdef __KERNEL__
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/printk.h>
#include <asm/barrier.h>
#endif

#ifndef DBG
#define DBG 0
#endif

/*
 * Windows sources carry MSVC pragmas (#pragma warning(disable:4201),
 * #pragma alloc_text(PAGE, f), #pragma NDIS_PAGEABLE_FUNCTION(f)) that
 * GCC and clang do not know and ignore, warning under -Wall.  Like the
 * -Wmultichar setting in ndis.h this is deliberately not popped: the
 * pragmas are in the including source.
 */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"

/* MEMORY_ALLOCATION_ALIGNMENT (ntdef.h): 16 on 64-bit Windows. */
#ifndef MEMORY_ALLOCATION_ALIGNMENT
#if __SIZEOF_POINTER__ == 8
#define MEMORY_ALLOCATION_ALIGNMENT 16
#else
#define MEMORY_ALLOCATION_ALIGNMENT 8
#endif
#endif

/* The NTSTATUS values DriverEntry and its helpers return (ntstatus.h). */
#ifndef STATUS_SUCCESS
#define STATUS_SUCCESS                ((NTSTATUS)0x00000000L)
#endif
#ifndef STATUS_PENDING
#define STATUS_PENDING                ((NTSTATUS)0x00000103L)
#endif
#ifndef STATUS_UNSUCCESSFUL
#define STATUS_UNSUCCESSFUL           ((NTSTATUS)0xC0000001L)
#endif
#ifndef STATUS_NOT_IMPLEMENTED
#define STATUS_NOT_IMPLEMENTED        ((NTSTATUS)0xC0000002L)
#endif
#ifndef STATUS_INVALID_PARAMETER
#define STATUS_INVALID_PARAMETER      ((NTSTATUS)0xC000000DL)
#endif
#ifndef STATUS_NO_MEMORY
#define STATUS_NO_MEMORY              ((NTSTATUS)0xC0000017L)
#endif
#ifndef STATUS_INSUFFICIENT_RESOURCES
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#endif
#ifndef STATUS_NOT_SUPPORTED
#define STATUS_NOT_SUPPORTED          ((NTSTATUS)0xC00000BBL)
#endif

/* Compile-time assertion, usable at file and block scope. */
#ifndef C_ASSERT
#define C_ASSERT(e) _Static_assert(e, #e)
#endif

/* ------------------------------------------------------------------------
 * IRQL
 * ------------------------------------------------------------------------ */

#ifndef PASSIVE_LEVEL
#define PASSIVE_LEVEL 0
#endif
#ifndef LOW_LEVEL
#define LOW_LEVEL 0
#endif
#ifndef APC_LEVEL
#define APC_LEVEL 1
#endif
#ifndef DISPATCH_LEVEL
#define DISPATCH_LEVEL 2
#endif
#ifndef HIGH_LEVEL
#define HIGH_LEVEL 15
#endif

/*
 * KeGetCurrentIrql: DISPATCH_LEVEL wherever the code may not sleep --
 * softirq (a DPC), a bottom-half-disabled section (NdisAcquireSpinLock is
 * spin_lock_bh), hard interrupt, preemption or interrupts disabled --
 * otherwise PASSIVE_LEVEL.  Linux has no APC_LEVEL, and a miniport's ISR,
 * which Windows runs at its device IRQL, reads DISPATCH_LEVEL here.  The
 * host build only type-checks and says PASSIVE_LEVEL.
 */
#ifdef __KERNEL__
static inline KIRQL KeGetCurrentIrql(void)
{
	/* in_atomic() counts softirq, BH-disabled and hardirq sections, and
	 * preemption-disabled ones (a plain spin_lock) where the kernel keeps
	 * a preempt count (CONFIG_PREEMPT_COUNT, as the test kernel does). */
	return (in_atomic() || irqs_disabled()) ? DISPATCH_LEVEL : PASSIVE_LEVEL;
}
#else
static inline KIRQL KeGetCurrentIrql(void)
{
	return PASSIVE_LEVEL;
}
#endif

/*
 * PAGED_CODE: a checked WDK build asserts IRQL <= APC_LEVEL, a free build
 * expands to nothing.  Linux pages no kernel code; a DBG kernel build
 * still catches the caller that may not sleep with might_sleep().
 */
#ifndef PAGED_CODE
#if DBG && defined(__KERNEL__)
#define PAGED_CODE() might_sleep()
#else
#define PAGED_CODE() ((void)0)
#endif
#endif
#ifndef PAGED_CODE_LOCKED
#define PAGED_CODE_LOCKED() ((void)0)
#endif

/*
 * Code-section placement: written "#pragma NDIS_INIT_FUNCTION(DriverEntry)"
 * (the WDK expands it to alloc_text(INIT, f)).  Linux modules keep all
 * their code resident, so these name nothing and the pragma is ignored.
 * ALLOC_PRAGMA is left undefined, so "#ifdef ALLOC_PRAGMA" blocks drop out.
 */
#ifndef NDIS_INIT_FUNCTION
#define NDIS_INIT_FUNCTION(_F)
#endif
#ifndef NDIS_PAGEABLE_FUNCTION
#define NDIS_PAGEABLE_FUNCTION(_F)
#endif

/* ------------------------------------------------------------------------
 * Driver role types (wdm.h)
 * ------------------------------------------------------------------------ */

typedef NTSTATUS DRIVER_INITIALIZE(struct _DRIVER_OBJECT *DriverObject,
				   PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE *PDRIVER_INITIALIZE;
typedef VOID DRIVER_UNLOAD(struct _DRIVER_OBJECT *DriverObject);
typedef DRIVER_UNLOAD *PDRIVER_UNLOAD;

/* ------------------------------------------------------------------------
 * Interlocked operations (wdm.h InterlockedXxx, MSVC _InterlockedXxx).
 * Each is one atomic read-modify-write with a full barrier, as Windows
 * documents; the compiler's __atomic builtins give exactly that in the
 * kernel and on the host.  Increment, Decrement and Add return the new
 * value; Exchange, ExchangeAdd, CompareExchange, And, Or and Xor the
 * value before the operation.
 * ------------------------------------------------------------------------ */

#define __NDIS_INTERLOCKED(_T, _S)						\
static inline _T InterlockedIncrement##_S(_T volatile *Addend)		\
{									\
	return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);		\
}									\
static inline _T InterlockedDecrement##_S(_T volatile *Addend)		\
{									\
	return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST);		\
}									\
static inline _T InterlockedAdd##_S(_T volatile *Addend, _T Value)	\
{									\
	return __atomic_add_fetch(Addend, Value, __ATOMIC_SEQ_CST);	\
}									\
static inline _T InterlockedExchangeAdd##_S(_T volatile *Addend, _T Value) \
{									\
	return __atomic_fetch_add(Addend, Value, __ATOMIC_SEQ_CST);	\
}									\
static inline _T InterlockedExchange##_S(_T volatile *Target, _T Value)	\
{									\
	return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);	\
}									\
static inline _T InterlockedCompareExchange##_S(_T volatile *Destination, \
						 _T Exchange, _T Comparand) \
{									\
	/* On failure the builtin stores the current value in Comparand. */ \
	__atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0,	\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);	\
	return Comparand;						\
}									\
static inline _T InterlockedAnd##_S(_T volatile *Destination, _T Value)	\
{									\
	return __atomic_fetch_and(Destination, Value, __ATOMIC_SEQ_CST);	\
}									\
static inline _T InterlockedOr##_S(_T volatile *Destination, _T Value)	\
{									\
	return __atomic_fetch_or(Destination, Value, __ATOMIC_SEQ_CST);	\
}									\
static inline _T InterlockedXor##_S(_T volatile *Destination, _T Value)	\
{									\
	return __atomic_fetch_xor(Destination, Value, __ATOMIC_SEQ_CST);	\
}

__NDIS_INTERLOCKED(LONG, )
__NDIS_INTERLOCKED(LONG64, 64)
#undef __NDIS_INTERLOCKED

static inline PVOID InterlockedExchangePointer(PVOID volatile *Target, PVOID Value)
{
	return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}

static inline PVOID InterlockedCompareExchangePointer(PVOID volatile *Destination,
						       PVOID Exchange, PVOID Comparand)
{
	__atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return Comparand;
}

/* The MSVC intrinsics the functions above are built on, by their names. */
#ifndef _InterlockedIncrement
#define _InterlockedIncrement               InterlockedIncrement
#define _InterlockedDecrement               InterlockedDecrement
#define _InterlockedExchange                InterlockedExchange
#define _InterlockedExchangeAdd             InterlockedExchangeAdd
#define _InterlockedCompareExchange         InterlockedCompareExchange
#define _InterlockedAnd                     InterlockedAnd
#define _InterlockedOr                      InterlockedOr
#define _InterlockedXor                     InterlockedXor
#define _InterlockedIncrement64             InterlockedIncrement64
#define _InterlockedDecrement64             InterlockedDecrement64
#define _InterlockedExchange64              InterlockedExchange64
#define _InterlockedExchangeAdd64           InterlockedExchangeAdd64
#define _InterlockedCompareExchange64       InterlockedCompareExchange64
#define _InterlockedAnd64                   InterlockedAnd64
#define _InterlockedOr64                    InterlockedOr64
#define _InterlockedXor64                   InterlockedXor64
#define _InterlockedExchangePointer         InterlockedExchangePointer
#define _InterlockedCompareExchangePointer  InterlockedCompareExchangePointer
#endif

/* NDIS's names for two of them (ndis.h). */
#ifndef NdisInterlockedIncrement
#define NdisInterlockedIncrement(_Addend) InterlockedIncrement(_Addend)
#endif
#ifndef NdisInterlockedDecrement
#define NdisInterlockedDecrement(_Addend) InterlockedDecrement(_Addend)
#endif

/* Barriers: KeMemoryBarrier orders CPU accesses, _ReadWriteBarrier only
 * the compiler's. */
#ifndef KeMemoryBarrier
#ifdef __KERNEL__
#define KeMemoryBarrier() smp_mb()
#else
#define KeMemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#endif
#ifndef _ReadWriteBarrier
#define _ReadWriteBarrier() __asm__ __volatile__("" : : : "memory")
#endif

/* ------------------------------------------------------------------------
 * Breakpoints.  Without a kernel debugger attached Windows turns
 * DbgBreakPoint into a bug check; Linux has no debugger to stop in, and
 * stopping the machine for a driver's "look here" is no help, so the
 * kernel build logs where it was and the stack, then carries on (no BUG(),
 * no WARN(), which panic_on_warn would make fatal).
 * ------------------------------------------------------------------------ */

#ifndef DbgBreakPoint
#ifdef __KERNEL__
#define DbgBreakPoint()							\
	((void)pr_err("DbgBreakPoint() in %s (%s:%d)\n", __func__,		\
		      __FILE__, __LINE__),					\
	 dump_stack())
#else
#define DbgBreakPoint() ((void)0)
#endif
#endif
#ifndef __debugbreak
#define __debugbreak() DbgBreakPoint()
#endif
#ifndef KdBreakPoint
#if DBG
#define KdBreakPoint() DbgBreakPoint()
#else
#define KdBreakPoint() ((void)0)
#endif
#endif

/* NT_ASSERT is ASSERT (defined in ndis.h) as far as a miniport can tell. */
#ifndef NT_ASSERT
#define NT_ASSERT(_exp) ASSERT(_exp)
#endif

#endif /* _NDIS_WDM_H */
