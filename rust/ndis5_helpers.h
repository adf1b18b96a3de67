/* SPDX-License-Identifier: GPL-2.0 */
/* rust/ndis5_helpers.c, called from rust/port_io.rs and rust/exports.rs. */
#ifndef _NDIS_SHIM_NDIS5_HELPERS_H
#define _NDIS_SHIM_NDIS5_HELPERS_H

#include <linux/module.h>
#include <linux/pci.h>

int ndis_shim_ioport_claim(struct pci_dev *pdev, u32 start, u32 n,
			   const char *name);
void ndis_shim_ioport_release(u32 start, u32 n);
void ndis_shim_event_set(s32 *state);
void ndis_shim_event_reset(s32 *state);
bool ndis_shim_event_wait(s32 *state, u32 ms);
bool ndis_shim_module_contains(struct module *mod, unsigned long addr);
void ndis_shim_bh_off(void);
void ndis_shim_bh_on(void);
u32 ndis_shim_online_cpus(void);
u32 ndis_shim_cpu_usage(void);

#endif /* _NDIS_SHIM_NDIS5_HELPERS_H */
