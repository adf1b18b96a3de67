/* SPDX-License-Identifier: GPL-2.0 */
/* ndis5_ports.ko: what ports.c and support.c share. */
#ifndef _NDIS5_PORTS_H
#define _NDIS5_PORTS_H

#define NDIS_MINIPORT_DRIVER
#define NDIS51_MINIPORT

#include <linux/module.h>
#include <linux/pci.h>

#include <ndis_linux.h>

typedef struct _PORTS_ADAPTER {
	NDIS_HANDLE Handle;
	NDIS_HANDLE Wrapper;
	struct pci_dev *Pdev;
	PVOID PortOffset;
	UINT IoBase;
	UINT IoLength;
	BOOLEAN Registered;
	const char *Name;
	unsigned int N;
} PORTS_ADAPTER, *PPORTS_ADAPTER;

#define CHECK(a, cond, fmt, ...) \
	pr_info("ndis5_ports: %sok %u %s " fmt "\n", (cond) ? "" : "not ", \
		++(a)->N, (a)->Name, ##__VA_ARGS__)

/* support.c: the support-call checks, from MiniportInitialize. */
VOID SupportChecks(PPORTS_ADAPTER a);

#endif /* _NDIS5_PORTS_H */
