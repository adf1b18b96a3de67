/* SPDX-License-Identifier: GPL-2.0 */
/*
 * poppack.h (ndis-shim): ends the packing a <pshpackN.h> began, as with
 * the Windows header of the same name.
 */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wpragma-pack"
#endif
#pragma pack(pop)
