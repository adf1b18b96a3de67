// SPDX-License-Identifier: GPL-2.0
/*
 * The net_device of an NDIS 6 adapter: allocation, registration, the
 * net_device_ops that call into the shim (rust/net_device.rs), and the few
 * sk_buff operations the send and receive paths need. Each function does
 * one job; the state machine and every NDIS rule live in Rust. Written in C
 * because the kernel crate has no net_device or sk_buff abstractions.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>
#include <ndis.h>

#include "helpers.h"
#include "netdev_helpers.h"

/* rust/net_device.rs */
int ndis_shim_nic_open(void *nic);
int ndis_shim_nic_stop(void *nic);
int ndis_shim_nic_xmit(void *nic, struct sk_buff *skb);
void ndis_shim_nic_rx_mode(void *nic);
void ndis_shim_nic_drvinfo(void *nic, char *driver, size_t len);
void ndis_shim_nic_link(void *nic, u32 *speed_mbps, u8 *duplex);
void ndis_shim_nic_tx_timeout(void *nic);
void ndis_shim_nic_stats(void *nic, u64 *values, u32 *valid);

/* The counters of ndis_shim_nic_stats, in rust/net_stats.rs's order. */
enum {
	NDIS_SHIM_RX_PACKETS, NDIS_SHIM_RX_BYTES, NDIS_SHIM_RX_ERRORS,
	NDIS_SHIM_RX_MISSED, NDIS_SHIM_MULTICAST, NDIS_SHIM_TX_PACKETS,
	NDIS_SHIM_TX_BYTES, NDIS_SHIM_TX_ERRORS, NDIS_SHIM_STATS_COUNT
};

/* A net_device's private area. */
struct ndis_shim_netdev {
	void *nic;			/* the adapter (rust/net_device.rs) */
	struct napi_struct napi;
	/* The interrupt whose DPC the poll runs (NULL: no NAPI). */
	struct ndis_shim_irq *irq;
	/* The CPU polling, while the DPC runs in the poll: its indications
	 * go to GRO. */
	int poll_cpu;
	/* Frames indicated during the current poll (the NAPI work done). */
	int polled;
	/* The last poll's DPC left frames (MoreNblsPending): it runs again. */
	bool dpc_owed;
};

static struct ndis_shim_netdev *ndis_shim_priv(struct net_device *dev)
{
	return netdev_priv(dev);
}

static void *ndis_shim_nic_of(struct net_device *dev)
{
	return ndis_shim_priv(dev)->nic;
}

static int ndis_shim_ndo_open(struct net_device *dev)
{
	int ret = ndis_shim_nic_open(ndis_shim_nic_of(dev));

	/* Byte queue limits start over at pause (when nothing is out). */
	if (!ret)
		netif_start_queue(dev);
	return ret;
}

static int ndis_shim_ndo_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
	return ndis_shim_nic_stop(ndis_shim_nic_of(dev));
}

static netdev_tx_t ndis_shim_ndo_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	return ndis_shim_nic_xmit(ndis_shim_nic_of(dev), skb) ? NETDEV_TX_BUSY : NETDEV_TX_OK;
}

static void ndis_shim_ndo_set_rx_mode(struct net_device *dev)
{
	ndis_shim_nic_rx_mode(ndis_shim_nic_of(dev));
}

/*
 * NDIS has no run-time OID to change the MAC address: a locally
 * administered one comes from the NetworkAddress keyword at initialization.
 */
/*
 * The miniport's counters where it keeps them (OID_GEN_STATISTICS, a
 * second old at most), the shim's own for the rest and for its drops.
 */
static void ndis_shim_ndo_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *s)
{
	u64 v[NDIS_SHIM_STATS_COUNT];
	u32 valid = 0;

	netdev_stats_to_stats64(s, &dev->stats);
	ndis_shim_nic_stats(ndis_shim_nic_of(dev), v, &valid);
#define NDIS_SHIM_TAKE(field, i) do { if (valid & BIT(i)) s->field = v[i]; } while (0)
	NDIS_SHIM_TAKE(rx_packets, NDIS_SHIM_RX_PACKETS);
	NDIS_SHIM_TAKE(rx_bytes, NDIS_SHIM_RX_BYTES);
	NDIS_SHIM_TAKE(rx_errors, NDIS_SHIM_RX_ERRORS);
	NDIS_SHIM_TAKE(rx_missed_errors, NDIS_SHIM_RX_MISSED);
	NDIS_SHIM_TAKE(multicast, NDIS_SHIM_MULTICAST);
	NDIS_SHIM_TAKE(tx_packets, NDIS_SHIM_TX_PACKETS);
	NDIS_SHIM_TAKE(tx_bytes, NDIS_SHIM_TX_BYTES);
	NDIS_SHIM_TAKE(tx_errors, NDIS_SHIM_TX_ERRORS);
#undef NDIS_SHIM_TAKE
}

static void ndis_shim_ndo_tx_timeout(struct net_device *dev, unsigned int txqueue)
{
	ndis_shim_nic_tx_timeout(ndis_shim_nic_of(dev));
}

static int ndis_shim_ndo_set_mac_address(struct net_device *dev, void *addr)
{
	return -EOPNOTSUPP;
}

static const struct net_device_ops ndis_shim_netdev_ops = {
	.ndo_open = ndis_shim_ndo_open,
	.ndo_stop = ndis_shim_ndo_stop,
	.ndo_start_xmit = ndis_shim_ndo_start_xmit,
	.ndo_set_rx_mode = ndis_shim_ndo_set_rx_mode,
	.ndo_tx_timeout = ndis_shim_ndo_tx_timeout,
	.ndo_get_stats64 = ndis_shim_ndo_get_stats64,
	.ndo_set_mac_address = ndis_shim_ndo_set_mac_address,
	.ndo_validate_addr = eth_validate_addr,
};

static void ndis_shim_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	ndis_shim_nic_drvinfo(ndis_shim_nic_of(dev), info->driver, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(dev->dev.parent), sizeof(info->bus_info));
}

/* Speed and duplex as the miniport last declared or indicated them. */
static int ndis_shim_get_link_ksettings(struct net_device *dev,
					struct ethtool_link_ksettings *ks)
{
	u32 speed;
	u8 duplex;

	ndis_shim_nic_link(ndis_shim_nic_of(dev), &speed, &duplex);
	ethtool_link_ksettings_zero_link_mode(ks, supported);
	ethtool_link_ksettings_zero_link_mode(ks, advertising);
	ks->base.speed = netif_carrier_ok(dev) ? speed : SPEED_UNKNOWN;
	ks->base.duplex = netif_carrier_ok(dev) ? duplex : DUPLEX_UNKNOWN;
	ks->base.port = PORT_OTHER;
	ks->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

static const struct ethtool_ops ndis_shim_ethtool_ops = {
	.get_drvinfo = ndis_shim_get_drvinfo,
	.get_link_ksettings = ndis_shim_get_link_ksettings,
	.get_link = ethtool_op_get_link,
};

/**
 * ndis_shim_netdev_new() - an Ethernet net_device for an NDIS adapter
 * @parent: the adapter's PCI device
 * @nic: what the callbacks are given back (the shim's NIC object)
 * @mac: the adapter's current MAC address (ETH_ALEN bytes)
 * @mtu: the MTU the miniport declared (MtuSize: without the header)
 *
 * Not registered yet; the carrier starts off. Return: the device, or NULL.
 */
struct net_device *ndis_shim_netdev_new(struct device *parent, void *nic, const u8 *mac,
					unsigned int mtu)
{
	struct net_device *dev = alloc_etherdev(sizeof(struct ndis_shim_netdev));

	if (!dev)
		return NULL;
	ndis_shim_priv(dev)->nic = nic;
	ndis_shim_priv(dev)->poll_cpu = -1;
	SET_NETDEV_DEV(dev, parent);
	dev->netdev_ops = &ndis_shim_netdev_ops;
	dev->ethtool_ops = &ndis_shim_ethtool_ops;
	/*
	 * MDL chains carry an skb's page fragments without copying. The stack
	 * keeps fragments only for a device that checksums (netdev_fix_features
	 * drops NETIF_F_SG otherwise): a miniport without checksum offload
	 * gets the checksum done in software at transmit, on the fragments in
	 * place (ndis_shim_skb_offload); ndis_shim_netdev_offload replaces
	 * these with what the miniport offloads.
	 */
	dev->features = NETIF_F_SG | NETIF_F_HW_CSUM;
	dev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM;
	/* A send queue stalled this long resets the miniport (ndo_tx_timeout). */
	dev->watchdog_timeo = 5 * HZ;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = mtu;
	dev->mtu = mtu;
	eth_hw_addr_set(dev, mac);
	netif_carrier_off(dev);
	return dev;
}

/*
 * The miniport's send offloads (NDIS_SHIM_OFFLOAD_* in @caps) as
 * features, before registration. Linux's IP_CSUM covers TCP and UDP: a
 * miniport that checksums only TCP gets UDP checksummed in software at
 * transmit. With no checksum offload the software fallback of
 * ndis_shim_netdev_new stays.
 */
void ndis_shim_netdev_offload(struct net_device *dev, unsigned int caps,
			      unsigned int lso_v4_max, unsigned int lso_v6_max)
{
	netdev_features_t f = NETIF_F_SG;

	if (caps & NDIS_SHIM_OFFLOAD_RX) {
		dev->features |= NETIF_F_RXCSUM;
		dev->hw_features |= NETIF_F_RXCSUM;
	}

	if (caps & NDIS_SHIM_OFFLOAD_TCP4)
		f |= NETIF_F_IP_CSUM;
	if (caps & NDIS_SHIM_OFFLOAD_TCP6)
		f |= NETIF_F_IPV6_CSUM;
	if (!(f & (NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM)))
		return;
	if ((f & NETIF_F_IP_CSUM) && lso_v4_max)
		f |= NETIF_F_TSO;
	if ((f & NETIF_F_IPV6_CSUM) && lso_v6_max)
		f |= NETIF_F_TSO6;
	if (f & (NETIF_F_TSO | NETIF_F_TSO6)) {
		unsigned int max = GSO_LEGACY_MAX_SIZE;

		if (f & NETIF_F_TSO)
			max = min(max, lso_v4_max);
		if (f & NETIF_F_TSO6)
			max = min(max, lso_v6_max);
		netif_set_tso_max_size(dev, max);
	}
	dev->features = f | (dev->features & NETIF_F_RXCSUM);
	dev->hw_features = f | (dev->hw_features & NETIF_F_RXCSUM);
}

/*
 * NAPI: the miniport's DPC runs in the poll (so its receive indications
 * may go to GRO), with the NAPI budget as NDIS 6.20's MaxNblsToIndicate; a
 * miniport that says MoreNblsPending is polled again.
 */
static int ndis_shim_napi_poll(struct napi_struct *napi, int budget)
{
	struct ndis_shim_netdev *priv = container_of(napi, struct ndis_shim_netdev, napi);
	struct ndis_shim_irq *irq = READ_ONCE(priv->irq);
	bool more = false;
	int work;

	if (irq && budget > 0) {
		priv->polled = 0;
		WRITE_ONCE(priv->poll_cpu, smp_processor_id());
		more = ndis_shim_irq_poll(irq, budget);
		WRITE_ONCE(priv->poll_cpu, -1);
	}
	WRITE_ONCE(priv->dpc_owed, more);
	work = min(priv->polled, budget);
	if (more || work >= budget)
		return budget;
	napi_complete_done(napi, work);
	return work;
}

/*
 * Runs @irq's DPC in @dev's NAPI poll from now on. Before registration;
 * PASSIVE.
 */
void ndis_shim_netdev_napi_attach(struct net_device *dev, struct ndis_shim_irq *irq)
{
	struct ndis_shim_netdev *priv = ndis_shim_priv(dev);

	netif_napi_add(dev, &priv->napi, ndis_shim_napi_poll);
	WRITE_ONCE(priv->irq, irq);
	napi_enable(&priv->napi);
	ndis_shim_irq_set_napi(irq, &priv->napi);
}

/*
 * Back to the BH work: before the net_device goes, or its interrupt is
 * disconnected. Waits for a poll in progress. Idempotent; PASSIVE; its
 * callers (detach, then the halt's NdisMDeregisterInterruptEx) run one
 * after the other, never together.
 *
 * No DPC the ISR asked for may be lost on the way, or a miniport that
 * masked its device in the ISR (as NIC miniports do) never unmasks it and
 * its sends never complete: new interrupts go to the BH work first; a
 * poll already scheduled still runs the DPC (priv->irq is cleared only
 * after napi_disable() has waited for it); and a DPC that left frames
 * (MoreNblsPending), whose next poll the disable cancels, runs once more
 * on the BH work.
 */
void ndis_shim_netdev_napi_detach(struct net_device *dev)
{
	struct ndis_shim_netdev *priv = ndis_shim_priv(dev);
	struct ndis_shim_irq *irq = READ_ONCE(priv->irq);

	if (!irq)
		return;
	ndis_shim_irq_set_napi(irq, NULL);
	napi_disable(&priv->napi);
	WRITE_ONCE(priv->irq, NULL);
	netif_napi_del(&priv->napi);
	if (READ_ONCE(priv->dpc_owed)) {
		WRITE_ONCE(priv->dpc_owed, false);
		ndis_shim_irq_queue_dpc(irq);
	}
}

int ndis_shim_netdev_register(struct net_device *dev)
{
	return register_netdev(dev);
}

/* Calls ndo_stop first if the device is up. PASSIVE. */
void ndis_shim_netdev_unregister(struct net_device *dev)
{
	unregister_netdev(dev);
}

void ndis_shim_netdev_free(struct net_device *dev)
{
	free_netdev(dev);
}

void ndis_shim_netdev_carrier(struct net_device *dev, bool on)
{
	if (on)
		netif_carrier_on(dev);
	else
		netif_carrier_off(dev);
}

/* IFF_PROMISC, IFF_ALLMULTI: what the packet filter follows. */
/*
 * What debugfs's view shows of @dev: its name (@name, IFNAMSIZ bytes) and
 * whether its carrier is on. The caller keeps @dev alive (an RCU read-side
 * section before the shim's grace period). Any context.
 */
void ndis_shim_netdev_view(struct net_device *dev, char *name, bool *carrier)
{
	strscpy(name, dev->name, IFNAMSIZ);
	*carrier = netif_carrier_ok(dev);
}

unsigned int ndis_shim_netdev_flags(struct net_device *dev)
{
	return READ_ONCE(dev->flags);
}

/**
 * ndis_shim_netdev_multicast() - the device's multicast list
 * @dev: the device
 * @out: room for @max addresses of ETH_ALEN bytes
 * @max: how many fit
 *
 * Return: the number of addresses on the list; more than @max when they
 * did not all fit (only @max were copied).
 */
int ndis_shim_netdev_multicast(struct net_device *dev, u8 *out, unsigned int max)
{
	struct netdev_hw_addr *ha;
	int n = 0;

	netif_addr_lock_bh(dev);
	netdev_for_each_mc_addr(ha, dev) {
		if (n < max)
			memcpy(out + n * ETH_ALEN, ha->addr, ETH_ALEN);
		n++;
	}
	netif_addr_unlock_bh(dev);
	return n;
}

unsigned int ndis_shim_skb_len(const struct sk_buff *skb)
{
	return skb->len;
}

/* The linear part, then each page fragment. */
unsigned int ndis_shim_skb_pieces(const struct sk_buff *skb)
{
	return 1 + skb_shinfo(skb)->nr_frags;
}

/**
 * ndis_shim_skb_piece() - one piece of an skb's data, in kernel space
 * @skb: the skb (no frag list: the device does not declare NETIF_F_FRAGLIST)
 * @i: 0 for the linear part, then 1 + the fragment's index
 * @va: its address in the kernel's linear map
 * @len: its length (the linear part may be empty)
 *
 * Return: false when the piece has no linear-map address (a highmem page).
 */
bool ndis_shim_skb_piece(const struct sk_buff *skb, unsigned int i, void **va,
			 unsigned int *len)
{
	const skb_frag_t *frag;

	if (i == 0) {
		*va = skb->data;
		*len = skb_headlen(skb);
		return true;
	}
	frag = &skb_shinfo(skb)->frags[i - 1];
	if (PageHighMem(skb_frag_page(frag)))
		return false;
	*va = skb_frag_address(frag);
	*len = skb_frag_size(frag);
	return true;
}

/*
 * What the stack left to the device, as the NBL's offload requests
 * (NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO and
 * NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO values in @csum_info and
 * @lso_info, 0 for none), or done here in software where the miniport
 * (@caps) cannot. A large send is prepared as Windows' transport prepares
 * one: the TCP checksum holds the pseudo-header sum without the length,
 * the IPv4 header checksum is zero, and for LSOv2 the IP length is zero.
 * Return: 0, or an error: the frame is dropped.
 */
int ndis_shim_skb_offload(struct sk_buff *skb, unsigned int caps,
			  unsigned long *csum_info, unsigned long *lso_info)
{
	NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO csum = { .Value = NULL };
	NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO lso = { .Value = NULL };
	__be16 proto = vlan_get_protocol(skb);
	u8 l4 = 0;

	*csum_info = 0;
	*lso_info = 0;
	if (skb_is_gso(skb)) {
		unsigned int type = skb_shinfo(skb)->gso_type;
		bool v2 = caps & NDIS_SHIM_OFFLOAD_LSO_V2;

		if (skb_cow_head(skb, 0))
			return -ENOMEM;
		if ((type & SKB_GSO_TCPV4) && (caps & NDIS_SHIM_OFFLOAD_LSO4)) {
			struct iphdr *iph = ip_hdr(skb);

			iph->check = 0;
			if (v2)
				iph->tot_len = 0;
			tcp_hdr(skb)->check = ~csum_tcpudp_magic(iph->saddr, iph->daddr, 0,
								  IPPROTO_TCP, 0);
			if (v2) {
				lso.LsoV2Transmit.Type = NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE;
				lso.LsoV2Transmit.IPVersion = NDIS_TCP_LARGE_SEND_OFFLOAD_IPv4;
			} else {
				lso.LsoV1Transmit.Type = NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE;
			}
		} else if ((type & SKB_GSO_TCPV6) && (caps & NDIS_SHIM_OFFLOAD_LSO6)) {
			struct ipv6hdr *ip6 = ipv6_hdr(skb);

			ip6->payload_len = 0;
			tcp_hdr(skb)->check = ~csum_ipv6_magic(&ip6->saddr, &ip6->daddr, 0,
								IPPROTO_TCP, 0);
			lso.LsoV2Transmit.Type = NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE;
			lso.LsoV2Transmit.IPVersion = NDIS_TCP_LARGE_SEND_OFFLOAD_IPv6;
		} else {
			/* Not among the features: the stack does not send it. */
			return -EPROTONOSUPPORT;
		}
		/* Same bit positions in LsoV1Transmit and LsoV2Transmit. */
		lso.LsoV2Transmit.MSS = skb_shinfo(skb)->gso_size;
		lso.LsoV2Transmit.TcpHeaderOffset = skb_transport_offset(skb);
		*lso_info = (unsigned long)lso.Value;
		return 0;
	}
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return 0;
	if (proto == htons(ETH_P_IP)) {
		l4 = ip_hdr(skb)->protocol;
		csum.Transmit.IsIPv4 = 1;
	} else if (proto == htons(ETH_P_IPV6)) {
		l4 = ipv6_hdr(skb)->nexthdr;
		csum.Transmit.IsIPv6 = 1;
	}
	if (l4 == IPPROTO_TCP && skb->csum_offset == offsetof(struct tcphdr, check) &&
	    (caps & (csum.Transmit.IsIPv4 ? NDIS_SHIM_OFFLOAD_TCP4 : NDIS_SHIM_OFFLOAD_TCP6)))
		csum.Transmit.TcpChecksum = 1;
	else if (l4 == IPPROTO_UDP && skb->csum_offset == offsetof(struct udphdr, check) &&
		 (caps & (csum.Transmit.IsIPv4 ? NDIS_SHIM_OFFLOAD_UDP4 :
						 NDIS_SHIM_OFFLOAD_UDP6)))
		csum.Transmit.UdpChecksum = 1;
	else
		return skb_checksum_help(skb);
	csum.Transmit.TcpHeaderOffset = skb_transport_offset(skb);
	*csum_info = (unsigned long)csum.Value;
	return 0;
}

/* Byte queue limits: @bytes handed to the miniport. */
void ndis_shim_tx_sent(struct net_device *dev, unsigned int bytes)
{
	netdev_sent_queue(dev, bytes);
}

/* A send finished: consumed when the miniport sent it, else a drop. */
void ndis_shim_tx_done(struct net_device *dev, struct sk_buff *skb, bool sent)
{
	if (sent) {
		DEV_STATS_INC(dev, tx_packets);
		DEV_STATS_ADD(dev, tx_bytes, skb->len);
		dev_consume_skb_any(skb);
	} else {
		DEV_STATS_INC(dev, tx_dropped);
		dev_kfree_skb_any(skb);
	}
}

void ndis_shim_tx_completed(struct net_device *dev, unsigned int pkts, unsigned int bytes)
{
	netdev_completed_queue(dev, pkts, bytes);
}

void ndis_shim_tx_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
}

void ndis_shim_tx_wake(struct net_device *dev)
{
	netif_wake_queue(dev);
}

/* Nothing is outstanding any more (after Pause): BQL starts over. */
void ndis_shim_tx_reset(struct net_device *dev)
{
	netdev_reset_queue(dev);
}

/**
 * ndis_shim_rx_alloc() - an skb for a received frame of @len bytes
 * @dev: the device
 * @len: the frame's length, Ethernet header included
 * @data: where to copy the frame
 *
 * Atomic. Return: the skb, or NULL (counted as a drop).
 */
struct sk_buff *ndis_shim_rx_alloc(struct net_device *dev, unsigned int len, u8 **data)
{
	struct sk_buff *skb = netdev_alloc_skb_ip_align(dev, len);

	if (!skb) {
		DEV_STATS_INC(dev, rx_dropped);
		return NULL;
	}
	*data = skb_put(skb, len);
	return skb;
}

/*
 * Hands a received frame to the stack: to GRO when the miniport indicates
 * from its DPC in this device's NAPI poll, else through the per-CPU
 * backlog, never straight in: a miniport may indicate from inside its send
 * handler (NDIS allows it at DISPATCH_LEVEL), and delivering there could
 * make the stack transmit again on the same queue whose lock
 * ndo_start_xmit holds. @csum_ok: the miniport verified the TCP/UDP
 * checksum (its receive checksum offload).
 */
void ndis_shim_rx_deliver(struct net_device *dev, struct sk_buff *skb, bool csum_ok)
{
	struct ndis_shim_netdev *priv = ndis_shim_priv(dev);

	skb->protocol = eth_type_trans(skb, dev);
	if (csum_ok && (dev->features & NETIF_F_RXCSUM))
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	DEV_STATS_INC(dev, rx_packets);
	DEV_STATS_ADD(dev, rx_bytes, skb->len + ETH_HLEN);
	if (READ_ONCE(priv->poll_cpu) == smp_processor_id()) {
		priv->polled++;
		napi_gro_receive(&priv->napi, skb);
	} else {
		netif_rx(skb);
	}
}

/*
 * Whether an NBL's NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO value says the
 * miniport verified its TCP or UDP checksum, and nothing failed.
 */
bool ndis_shim_rx_csum_ok(unsigned long info)
{
	NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO csum = { .Value = (PVOID)info };

	if (csum.Receive.TcpChecksumFailed || csum.Receive.UdpChecksumFailed ||
	    csum.Receive.IpChecksumFailed)
		return false;
	return csum.Receive.TcpChecksumSucceeded || csum.Receive.UdpChecksumSucceeded;
}

void ndis_shim_rx_dropped(struct net_device *dev)
{
	DEV_STATS_INC(dev, rx_dropped);
}

/* A received frame the shim could not fill: freed, counted as a drop. */
void ndis_shim_rx_free(struct net_device *dev, struct sk_buff *skb)
{
	DEV_STATS_INC(dev, rx_dropped);
	dev_kfree_skb_any(skb);
}
