/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The receive filter of the software NICs ndis_loopnic (NDIS 6) and
 * ndis5_loopnic (NDIS 5): whether OID_GEN_CURRENT_PACKET_FILTER's @Filter
 * lets a frame for @Dest into the adapter whose address is @Mac, as a
 * NIC's address filter would.
 */
#ifndef _NDIS_TEST_LOOP_FILTER_H
#define _NDIS_TEST_LOOP_FILTER_H

static inline BOOLEAN LoopFilterAccepts(ULONG Filter, const UCHAR *Mac, const UCHAR *Dest)
{
	static const UCHAR Broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (Filter & NDIS_PACKET_TYPE_PROMISCUOUS)
		return TRUE;
	if (NdisEqualMemory(Dest, Broadcast, 6))
		return (Filter & NDIS_PACKET_TYPE_BROADCAST) != 0;
	if (Dest[0] & 1)
		return (Filter & (NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST)) != 0;
	return (Filter & NDIS_PACKET_TYPE_DIRECTED) && NdisEqualMemory(Dest, Mac, 6);
}

#endif /* _NDIS_TEST_LOOP_FILTER_H */
