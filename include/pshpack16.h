/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pshpack16.h (ndis-shim): structures declared until the matching <poppack.h>
 * are packed to 16 byte(s), as with the Windows header of the same name.
 * The pack state is left pushed on purpose, which clang would otherwise
 * report at every #include of this file.
 */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wpragma-pack"
#endif
#pragma pack(push, 16)
