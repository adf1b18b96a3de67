/* SPDX-License-Identifier: GPL-2.0 */
/*++

Module Name:

    ndis_sal.h  (ndis-shim; included by ndis.h)

Abstract:

    The annotation vocabulary of Windows driver source, all of it empty:
    SAL 2 (_In_, _IRQL_requires_max_(...), ...), the older SAL 1 and
    driver annotations (__in, __drv_maxIRQL(...), ...), the IN/OUT/OPTIONAL
    markers, calling conventions and the DECLSPEC_* modifiers.

    On Windows these feed the static analysers (PREfast, Static Driver
    Verifier) or the Win32 x86 calling conventions; Win64 has a single
    calling convention and the analysers do not run here, so each token
    expands to nothing.  The shim's exports and the miniport are both built
    for the Linux C ABI, so dropping __stdcall and friends changes no call.

    Every name is #ifndef-guarded: a source that brings its own definition
    (as some do for SAL names an old WDK lacked) keeps it, and no
    redefinition warning breaks a -Werror build.

--*/

#ifndef _NDIS_SAL_H
#define _NDIS_SAL_H

/* ------------------------------------------------------------------------
 * Calling conventions and linkage decorations
 * ------------------------------------------------------------------------ */

#ifndef __stdcall
#define __stdcall
#endif
#ifndef __cdecl
#define __cdecl
#endif
#ifndef __fastcall
#define __fastcall
#endif
#ifndef STDCALL
#define STDCALL
#endif
#ifndef NTAPI
#define NTAPI
#endif
#ifndef NDISAPI
#define NDISAPI
#endif
#ifndef NDIS_API
#define NDIS_API
#endif
#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef FASTCALL
#define FASTCALL
#endif
#ifndef EXPORT
#define EXPORT
#endif
#ifndef DECLSPEC_IMPORT
#define DECLSPEC_IMPORT
#endif
#ifndef DECLSPEC_EXPORT
#define DECLSPEC_EXPORT
#endif
#ifndef NTSYSAPI
#define NTSYSAPI
#endif
#ifndef NTKERNELAPI
#define NTKERNELAPI
#endif
#ifndef NTHALAPI
#define NTHALAPI
#endif

/* ------------------------------------------------------------------------
 * Declaration modifiers that do mean something to the compiler
 * ------------------------------------------------------------------------ */

#ifndef DECLSPEC_ALIGN
#define DECLSPEC_ALIGN(x) __attribute__((__aligned__(x)))
#endif
#ifndef DECLSPEC_NOINLINE
#define DECLSPEC_NOINLINE __attribute__((__noinline__))
#endif
#ifndef DECLSPEC_NORETURN
#define DECLSPEC_NORETURN __attribute__((__noreturn__))
#endif
#ifndef DECLSPEC_NOTHROW
#define DECLSPEC_NOTHROW
#endif
#ifndef DECLSPEC_SELECTANY
#define DECLSPEC_SELECTANY __attribute__((__weak__))
#endif

/*
 * __forceinline: always inlined, never an out-of-line copy, so a header
 * defining one may be included by every file of a driver (MSVC folds the
 * copies; GCC's gnu_inline "extern inline" never emits one).  Taking such
 * a function's address leaves an undefined symbol, and "static
 * FORCEINLINE" is a duplicate storage class: both work only with MSVC.
 * The kernel already builds "inline" as gnu_inline; the host compile
 * needs the attribute spelled out.
 */
#ifndef __forceinline
#define __forceinline extern __inline__ __attribute__((__always_inline__, __gnu_inline__))
#endif
#ifndef FORCEINLINE
#define FORCEINLINE __forceinline
#endif
#ifndef NOP_FUNCTION
#define NOP_FUNCTION ((void)0)
#endif

/* ------------------------------------------------------------------------
 * Parameter markers (ntdef.h)
 * ------------------------------------------------------------------------ */

#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif
#ifndef CONST
#define CONST const
#endif
#ifndef UNALIGNED
#define UNALIGNED
#endif

/* ------------------------------------------------------------------------
 * SAL 2 (sal.h, driverspecs.h)
 * ------------------------------------------------------------------------ */

/* Parameters */
#ifndef _In_
#define _In_
#endif
#ifndef _In_opt_
#define _In_opt_
#endif
#ifndef _In_z_
#define _In_z_
#endif
#ifndef _In_opt_z_
#define _In_opt_z_
#endif
#ifndef _In_reads_
#define _In_reads_(s)
#endif
#ifndef _In_reads_opt_
#define _In_reads_opt_(s)
#endif
#ifndef _In_reads_bytes_
#define _In_reads_bytes_(s)
#endif
#ifndef _In_reads_bytes_opt_
#define _In_reads_bytes_opt_(s)
#endif
#ifndef _In_range_
#define _In_range_(l, h)
#endif
#ifndef _Out_
#define _Out_
#endif
#ifndef _Out_opt_
#define _Out_opt_
#endif
#ifndef _Out_writes_
#define _Out_writes_(s)
#endif
#ifndef _Out_writes_opt_
#define _Out_writes_opt_(s)
#endif
#ifndef _Out_writes_bytes_
#define _Out_writes_bytes_(s)
#endif
#ifndef _Out_writes_bytes_opt_
#define _Out_writes_bytes_opt_(s)
#endif
#ifndef _Out_writes_to_
#define _Out_writes_to_(s, c)
#endif
#ifndef _Out_writes_bytes_to_
#define _Out_writes_bytes_to_(s, c)
#endif
#ifndef _Out_writes_bytes_all_
#define _Out_writes_bytes_all_(s)
#endif
#ifndef _Outptr_result_bytebuffer_to_
#define _Outptr_result_bytebuffer_to_(s, c)
#endif
#ifndef _Out_writes_bytes_all_opt_
#define _Out_writes_bytes_all_opt_(s)
#endif
#ifndef _Out_range_
#define _Out_range_(l, h)
#endif
#ifndef _Inout_
#define _Inout_
#endif
#ifndef _Inout_opt_
#define _Inout_opt_
#endif
#ifndef _Inout_z_
#define _Inout_z_
#endif
#ifndef _Inout_updates_
#define _Inout_updates_(s)
#endif
#ifndef _Inout_updates_opt_
#define _Inout_updates_opt_(s)
#endif
#ifndef _Inout_updates_bytes_
#define _Inout_updates_bytes_(s)
#endif
#ifndef _Inout_updates_bytes_opt_
#define _Inout_updates_bytes_opt_(s)
#endif
#ifndef _Outptr_
#define _Outptr_
#endif
#ifndef _Outptr_opt_
#define _Outptr_opt_
#endif
#ifndef _Outptr_result_maybenull_
#define _Outptr_result_maybenull_
#endif
#ifndef _Outptr_opt_result_maybenull_
#define _Outptr_opt_result_maybenull_
#endif
#ifndef _Outptr_result_buffer_
#define _Outptr_result_buffer_(s)
#endif
#ifndef _Outptr_result_bytebuffer_
#define _Outptr_result_bytebuffer_(s)
#endif
#ifndef _Outptr_result_bytebuffer_maybenull_
#define _Outptr_result_bytebuffer_maybenull_(s)
#endif
#ifndef _Reserved_
#define _Reserved_
#endif
#ifndef _Frees_ptr_
#define _Frees_ptr_
#endif
#ifndef _Frees_ptr_opt_
#define _Frees_ptr_opt_
#endif
#ifndef _Printf_format_string_
#define _Printf_format_string_
#endif
#ifndef _Pre_notnull_
#define _Pre_notnull_
#endif
#ifndef _Pre_maybenull_
#define _Pre_maybenull_
#endif
#ifndef _Pre_satisfies_
#define _Pre_satisfies_(e)
#endif
#ifndef _Post_invalid_
#define _Post_invalid_
#endif
#ifndef _Post_null_
#define _Post_null_
#endif
#ifndef _Post_notnull_
#define _Post_notnull_
#endif
#ifndef _Post_maybenull_
#define _Post_maybenull_
#endif
#ifndef _Post_satisfies_
#define _Post_satisfies_(e)
#endif
#ifndef _Post_writable_byte_size_
#define _Post_writable_byte_size_(s)
#endif

/* Return values and conditions */
#ifndef _Ret_maybenull_
#define _Ret_maybenull_
#endif
#ifndef _Ret_notnull_
#define _Ret_notnull_
#endif
#ifndef _Ret_range_
#define _Ret_range_(l, h)
#endif
#ifndef _Result_nullonfailure_
#define _Result_nullonfailure_
#endif
#ifndef _Result_zeroonfailure_
#define _Result_zeroonfailure_
#endif
#ifndef _Must_inspect_result_
#define _Must_inspect_result_
#endif
#ifndef _Check_return_
#define _Check_return_
#endif
#ifndef _Success_
#define _Success_(e)
#endif
#ifndef _Return_type_success_
#define _Return_type_success_(e)
#endif
#ifndef _When_
#define _When_(c, a)
#endif
#ifndef _At_
#define _At_(t, a)
#endif
#ifndef _At_buffer_
#define _At_buffer_(t, i, c, a)
#endif
#ifndef _Always_
#define _Always_(a)
#endif
#ifndef _On_failure_
#define _On_failure_(a)
#endif
#ifndef _Strict_type_match_
#define _Strict_type_match_
#endif
#ifndef _Literal_
#define _Literal_
#endif
#ifndef _Notliteral_
#define _Notliteral_
#endif
#ifndef _Null_terminated_
#define _Null_terminated_
#endif
#ifndef _Use_decl_annotations_
#define _Use_decl_annotations_
#endif

/* Structure fields */
#ifndef _Field_size_
#define _Field_size_(s)
#endif
#ifndef _Field_size_opt_
#define _Field_size_opt_(s)
#endif
#ifndef _Field_size_bytes_
#define _Field_size_bytes_(s)
#endif
#ifndef _Field_size_bytes_opt_
#define _Field_size_bytes_opt_(s)
#endif
#ifndef _Field_range_
#define _Field_range_(l, h)
#endif
#ifndef _Struct_size_bytes_
#define _Struct_size_bytes_(s)
#endif

/* Analysis hints, written as statements or at file scope */
#ifndef _Analysis_assume_
#define _Analysis_assume_(e)
#endif
#ifndef _Analysis_assume_lock_held_
#define _Analysis_assume_lock_held_(l)
#endif
#ifndef _Analysis_assume_lock_not_held_
#define _Analysis_assume_lock_not_held_(l)
#endif
#ifndef _Analysis_mode_
#define _Analysis_mode_(m)
#endif
#ifndef __analysis_assume
#define __analysis_assume(e)
#endif

/* Functions: role types, IRQL, dispatch routines */
#ifndef _Function_class_
#define _Function_class_(n)
#endif
#ifndef _Dispatch_type_
#define _Dispatch_type_(t)
#endif
#ifndef _IRQL_requires_
#define _IRQL_requires_(i)
#endif
#ifndef _IRQL_requires_max_
#define _IRQL_requires_max_(i)
#endif
#ifndef _IRQL_requires_min_
#define _IRQL_requires_min_(i)
#endif
#ifndef _IRQL_requires_same_
#define _IRQL_requires_same_
#endif
#ifndef _IRQL_raises_
#define _IRQL_raises_(i)
#endif
#ifndef _IRQL_saves_
#define _IRQL_saves_
#endif
#ifndef _IRQL_restores_
#define _IRQL_restores_
#endif
#ifndef _IRQL_saves_global_
#define _IRQL_saves_global_(k, l)
#endif
#ifndef _IRQL_restores_global_
#define _IRQL_restores_global_(k, l)
#endif
#ifndef _IRQL_always_function_max_
#define _IRQL_always_function_max_(i)
#endif
#ifndef _IRQL_always_function_min_
#define _IRQL_always_function_min_(i)
#endif
#ifndef _IRQL_is_cancel_
#define _IRQL_is_cancel_
#endif
#ifndef _IRQL_uses_cancel_
#define _IRQL_uses_cancel_
#endif
#ifndef _Kernel_float_saved_
#define _Kernel_float_saved_
#endif
#ifndef _Kernel_float_restored_
#define _Kernel_float_restored_
#endif
#ifndef _Kernel_requires_resource_held_
#define _Kernel_requires_resource_held_(r)
#endif
#ifndef _Kernel_requires_resource_not_held_
#define _Kernel_requires_resource_not_held_(r)
#endif
#ifndef _Kernel_acquires_resource_
#define _Kernel_acquires_resource_(r)
#endif
#ifndef _Kernel_releases_resource_
#define _Kernel_releases_resource_(r)
#endif
#ifndef _Kernel_clear_do_init_
#define _Kernel_clear_do_init_(v)
#endif

/* Locks and shared data */
#ifndef _Requires_lock_held_
#define _Requires_lock_held_(l)
#endif
#ifndef _Requires_lock_not_held_
#define _Requires_lock_not_held_(l)
#endif
#ifndef _Requires_exclusive_lock_held_
#define _Requires_exclusive_lock_held_(l)
#endif
#ifndef _Requires_shared_lock_held_
#define _Requires_shared_lock_held_(l)
#endif
#ifndef _Requires_no_locks_held_
#define _Requires_no_locks_held_
#endif
#ifndef _Acquires_lock_
#define _Acquires_lock_(l)
#endif
#ifndef _Acquires_exclusive_lock_
#define _Acquires_exclusive_lock_(l)
#endif
#ifndef _Acquires_shared_lock_
#define _Acquires_shared_lock_(l)
#endif
#ifndef _Releases_lock_
#define _Releases_lock_(l)
#endif
#ifndef _Releases_exclusive_lock_
#define _Releases_exclusive_lock_(l)
#endif
#ifndef _Releases_shared_lock_
#define _Releases_shared_lock_(l)
#endif
#ifndef _Guarded_by_
#define _Guarded_by_(l)
#endif
#ifndef _Write_guarded_by_
#define _Write_guarded_by_(l)
#endif
#ifndef _Has_lock_kind_
#define _Has_lock_kind_(k)
#endif
#ifndef _Create_lock_level_
#define _Create_lock_level_(n)
#endif
#ifndef _Lock_level_order_
#define _Lock_level_order_(a, b)
#endif
#ifndef _Interlocked_
#define _Interlocked_
#endif
#ifndef _Interlocked_operand_
#define _Interlocked_operand_
#endif

/* ------------------------------------------------------------------------
 * SAL 1 and the old driver annotations (specstrings.h, driverspecs.h).
 * __out is also a label inside the kernel's ___wait_event(): Linux code
 * that uses wait_event*() after including ndis.h must #undef __out first
 * (or wait on a completion instead).
 * ------------------------------------------------------------------------ */

#ifndef __in
#define __in
#endif
#ifndef __in_opt
#define __in_opt
#endif
#ifndef __in_z
#define __in_z
#endif
#ifndef __in_bcount
#define __in_bcount(s)
#endif
#ifndef __in_bcount_opt
#define __in_bcount_opt(s)
#endif
#ifndef __in_ecount
#define __in_ecount(s)
#endif
#ifndef __out
#define __out
#endif
#ifndef __out_opt
#define __out_opt
#endif
#ifndef __out_bcount
#define __out_bcount(s)
#endif
#ifndef __out_bcount_opt
#define __out_bcount_opt(s)
#endif
#ifndef __out_ecount
#define __out_ecount(s)
#endif
#ifndef __inout
#define __inout
#endif
#ifndef __inout_opt
#define __inout_opt
#endif
#ifndef __inout_bcount
#define __inout_bcount(s)
#endif
#ifndef __inout_ecount
#define __inout_ecount(s)
#endif
#ifndef __deref_out
#define __deref_out
#endif
#ifndef __deref_out_opt
#define __deref_out_opt
#endif
#ifndef __deref_out_bcount
#define __deref_out_bcount(s)
#endif
#ifndef __checkReturn
#define __checkReturn
#endif
#ifndef __drv_aliasesMem
#define __drv_aliasesMem
#endif
#ifndef __drv_allocatesMem
#define __drv_allocatesMem(k)
#endif
#ifndef __drv_freesMem
#define __drv_freesMem(k)
#endif
#ifndef __drv_requiresIRQL
#define __drv_requiresIRQL(i)
#endif
#ifndef __drv_maxIRQL
#define __drv_maxIRQL(i)
#endif
#ifndef __drv_minIRQL
#define __drv_minIRQL(i)
#endif
#ifndef __drv_raisesIRQL
#define __drv_raisesIRQL(i)
#endif
#ifndef __drv_setsIRQL
#define __drv_setsIRQL(i)
#endif
#ifndef __drv_savesIRQL
#define __drv_savesIRQL
#endif
#ifndef __drv_restoresIRQL
#define __drv_restoresIRQL
#endif
#ifndef __drv_savesIRQLGlobal
#define __drv_savesIRQLGlobal(k, l)
#endif
#ifndef __drv_restoresIRQLGlobal
#define __drv_restoresIRQLGlobal(k, l)
#endif
#ifndef __drv_sameIRQL
#define __drv_sameIRQL
#endif
#ifndef __drv_functionClass
#define __drv_functionClass(n)
#endif
#ifndef __drv_dispatchType
#define __drv_dispatchType(t)
#endif
#ifndef __drv_when
#define __drv_when(c, a)
#endif
#ifndef __drv_at
#define __drv_at(t, a)
#endif
#ifndef __drv_arg
#define __drv_arg(e, a)
#endif
#ifndef __drv_in
#define __drv_in(a)
#endif
#ifndef __drv_out
#define __drv_out(a)
#endif
#ifndef __drv_valueIs
#define __drv_valueIs(v)
#endif
#ifndef __drv_acquiresResource
#define __drv_acquiresResource(r)
#endif
#ifndef __drv_releasesResource
#define __drv_releasesResource(r)
#endif
#ifndef __drv_mustHold
#define __drv_mustHold(r)
#endif
#ifndef __drv_neverHold
#define __drv_neverHold(r)
#endif
#ifndef __drv_preferredFunction
#define __drv_preferredFunction(f, r)
#endif
#ifndef __drv_reportError
#define __drv_reportError(r)
#endif
#ifndef __drv_isObjectPointer
#define __drv_isObjectPointer
#endif
#ifndef __drv_strictType
#define __drv_strictType(t, m)
#endif
#ifndef __drv_strictTypeMatch
#define __drv_strictTypeMatch(m)
#endif

#endif /* _NDIS_SAL_H */
