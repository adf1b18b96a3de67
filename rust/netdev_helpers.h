/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux network side of an NDIS 6 adapter (rust/netdev_helpers.c):
 * thin C wrappers around struct net_device and struct sk_buff, which the
 * kernel crate has no abstractions for. Their Rust declarations and the
 * callbacks they call are in rust/net_device.rs.
 */
#ifndef _NDIS_SHIM_NETDEV_HELPERS_H
#define _NDIS_SHIM_NETDEV_HELPERS_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

struct net_device *ndis_shim_netdev_new(struct device *parent, void *nic, const u8 *mac,
					unsigned int mtu);
/* The send offloads a miniport declared (ndis_shim_netdev_offload). */
#define NDIS_SHIM_OFFLOAD_TCP4   0x01	/* TCP checksum over IPv4 */
#define NDIS_SHIM_OFFLOAD_UDP4   0x02
#define NDIS_SHIM_OFFLOAD_TCP6   0x04
#define NDIS_SHIM_OFFLOAD_UDP6   0x08
#define NDIS_SHIM_OFFLOAD_LSO4   0x10	/* large send over IPv4 */
#define NDIS_SHIM_OFFLOAD_LSO6   0x20	/* large send over IPv6 (LSOv2) */
#define NDIS_SHIM_OFFLOAD_LSO_V2 0x40	/* IPv4 large sends as LSOv2 */
#define NDIS_SHIM_OFFLOAD_RX     0x80	/* TCP/UDP receive checksums */

void ndis_shim_netdev_offload(struct net_device *dev, unsigned int caps,
			      unsigned int lso_v4_max, unsigned int lso_v6_max);
struct ndis_shim_irq;
void ndis_shim_netdev_napi_attach(struct net_device *dev, struct ndis_shim_irq *irq);
void ndis_shim_netdev_napi_detach(struct net_device *dev);
int ndis_shim_netdev_register(struct net_device *dev);
void ndis_shim_netdev_unregister(struct net_device *dev);
void ndis_shim_netdev_free(struct net_device *dev);
void ndis_shim_netdev_carrier(struct net_device *dev, bool on);
void ndis_shim_netdev_view(struct net_device *dev, char *name, bool *carrier);
unsigned int ndis_shim_netdev_flags(struct net_device *dev);
int ndis_shim_netdev_multicast(struct net_device *dev, u8 *out, unsigned int max);

unsigned int ndis_shim_skb_len(const struct sk_buff *skb);
int ndis_shim_skb_offload(struct sk_buff *skb, unsigned int caps,
			  unsigned long *csum_info, unsigned long *lso_info);
unsigned int ndis_shim_skb_pieces(const struct sk_buff *skb);
bool ndis_shim_skb_piece(const struct sk_buff *skb, unsigned int i, void **va,
			 unsigned int *len);
void ndis_shim_tx_sent(struct net_device *dev, unsigned int bytes);
void ndis_shim_tx_done(struct net_device *dev, struct sk_buff *skb, bool sent);
void ndis_shim_tx_completed(struct net_device *dev, unsigned int pkts, unsigned int bytes);
void ndis_shim_tx_stop(struct net_device *dev);
void ndis_shim_tx_wake(struct net_device *dev);
void ndis_shim_tx_reset(struct net_device *dev);

struct sk_buff *ndis_shim_rx_alloc(struct net_device *dev, unsigned int len, u8 **data);
void ndis_shim_rx_deliver(struct net_device *dev, struct sk_buff *skb, bool csum_ok);
bool ndis_shim_rx_csum_ok(unsigned long info);
void ndis_shim_rx_dropped(struct net_device *dev);
void ndis_shim_rx_free(struct net_device *dev, struct sk_buff *skb);

#endif /* _NDIS_SHIM_NETDEV_HELPERS_H */
