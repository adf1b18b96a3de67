// SPDX-License-Identifier: GPL-2.0
/*
 * edu_linux.c - the Linux side of the edu_dma_c miniport.
 *
 * What Windows keeps outside a miniport's source lives here, and what a
 * port needs is all it holds: the PCI IDs (the INF), the module around
 * DriverEntry (NDIS_LINUX_PCI_MINIPORT, with edu's 28-bit DMA reach), the
 * system DMA controller the shim programs for NdisMSetupDmaTransfer (the
 * HAL's 8237 code; here edu's own engine), and the platform hooks the
 * miniport calls (edu.h). The hooks get the adapter's struct pci_dev from
 * the shim and hand the adapter to the sample's debugfs test interface,
 * which is test support, not port: tools/testing/edu-test/edu_c_test.c,
 * linked into the module by Kbuild.
 */
#include <linux/dma-mapping.h>
#include <linux/hardirq.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include <ndis_linux.h>
#include "edu.h"
#include "edu_test.h"

NDIS_LINUX_DRIVER_ENTRY DriverEntry;

/* ------------------------------------------------------------------------
 * The DMA controller: edu's single-channel engine.
 *
 * Called by the shim with its channel lock held, up to DISPATCH_LEVEL:
 * register and config-space accesses only (config accessors take a raw
 * spin lock, so they are fine here), nothing that sleeps.
 * ------------------------------------------------------------------------ */

static inline void __iomem *edu_reg(PEDU_ADAPTER a, ULONG off)
{
	return (void __iomem __force *)(a->RegisterBase + off);
}

static inline bool edu_engine_running(PEDU_ADAPTER a)
{
	return readl(edu_reg(a, EDU_REG_DMA_CMD)) & EDU_DMA_CMD_RUN;
}

/*
 * edu's engine cannot be told to stop (writes to its DMA registers are
 * ignored while it runs). Clearing Bus Master Enable is what keeps it off
 * memory: QEMU then drops the device's DMA (and MSI). The fence stays up
 * until the engine reports idle.
 */
static void edu_set_bus_master(PEDU_ADAPTER a, bool on)
{
	struct pci_dev *pdev = a->LinuxDevice;
	u16 cmd;

	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (on)
		cmd |= PCI_COMMAND_MASTER;
	else
		cmd &= ~PCI_COMMAND_MASTER;
	pci_write_config_word(pdev, PCI_COMMAND, cmd);
	a->BusMasterFenced = !on;
}

/* The engine went idle behind a fence: lift it for the next transfer. */
static void edu_unfence_if_idle(PEDU_ADAPTER a)
{
	if (a->BusMasterFenced && !edu_engine_running(a))
		edu_set_bus_master(a, true);
}

static NDIS_STATUS EduDmaStart(NDIS_HANDLE AdapterContext, UINT DmaChannel,
			       ULONG64 DeviceAddress, ULONG Length,
			       BOOLEAN WriteToDevice)
{
	PEDU_ADAPTER a = AdapterContext;
	struct pci_dev *pdev = a->LinuxDevice;
	ULONG off = a->DeviceOffset;
	u64 edu_addr, mask;

	if (DmaChannel != 0)
		return NDIS_STATUS_INVALID_PARAMETER;
	/*
	 * Out of edu's 4 KiB window: refuse before touching the engine (QEMU
	 * before 9.1 aborted on such a transfer; later ones log a guest error).
	 */
	if (Length == 0 || off > EDU_BUFFER_SIZE || Length > EDU_BUFFER_SIZE - off) {
		dev_err_ratelimited(&pdev->dev, "DMA start: offset %u length %u outside edu's buffer\n",
				    off, Length);
		return NDIS_STATUS_INVALID_LENGTH;
	}
	/* edu silently truncates an address beyond its mask: never let it. */
	mask = dma_get_mask(&pdev->dev);
	if (DeviceAddress > mask || Length - 1 > mask - DeviceAddress) {
		dev_err_ratelimited(&pdev->dev, "DMA start: bus address %#llx+%u beyond mask %#llx\n",
				    DeviceAddress, Length, mask);
		return NDIS_STATUS_RESOURCES;
	}
	edu_unfence_if_idle(a);
	if (a->BusMasterFenced || edu_engine_running(a))
		return NDIS_STATUS_RESOURCES;

	/* The test hook: move less than asked, at least one byte. */
	a->Unmoved = a->ShortBy < Length ? a->ShortBy : 0;
	a->ShortBy = 0;
	a->StoppedResidue = 0;
	if (DeviceAddress + Length - 1 > a->HighestBusAddress)
		a->HighestBusAddress = DeviceAddress + Length - 1;
	edu_addr = EDU_BUFFER_DEVICE_ADDRESS + off;
	/* 8-byte writes: a 4-byte write zero-extends and 0x84 is not a register. */
	if (WriteToDevice) {
		writeq(DeviceAddress, edu_reg(a, EDU_REG_DMA_SRC));
		writeq(edu_addr, edu_reg(a, EDU_REG_DMA_DST));
	} else {
		writeq(edu_addr, edu_reg(a, EDU_REG_DMA_SRC));
		writeq(DeviceAddress, edu_reg(a, EDU_REG_DMA_DST));
	}
	writeq(Length - a->Unmoved, edu_reg(a, EDU_REG_DMA_CNT));
	writel(EDU_DMA_CMD_RUN | EDU_DMA_CMD_IRQ |
	       (WriteToDevice ? 0 : EDU_DMA_CMD_FROM_DEVICE),
	       edu_reg(a, EDU_REG_DMA_CMD));
	return NDIS_STATUS_SUCCESS;
}

static BOOLEAN EduDmaStop(NDIS_HANDLE AdapterContext, UINT DmaChannel)
{
	PEDU_ADAPTER a = AdapterContext;

	if (!edu_engine_running(a)) {
		edu_unfence_if_idle(a);
		a->StoppedResidue = a->Unmoved;
		return TRUE;
	}
	edu_set_bus_master(a, false);
	/*
	 * QEMU runs the engine's timer and this config write under one lock:
	 * if the engine is idle now, it finished (with bus mastering on)
	 * before the fence went up, and the data is complete.
	 */
	if (!edu_engine_running(a)) {
		edu_set_bus_master(a, true);
		a->StoppedResidue = a->Unmoved;
		return TRUE;
	}
	return FALSE;
}

static BOOLEAN EduDmaIsBusy(NDIS_HANDLE AdapterContext, UINT DmaChannel)
{
	PEDU_ADAPTER a = AdapterContext;

	if (edu_engine_running(a))
		return TRUE;
	edu_unfence_if_idle(a);
	return FALSE;
}

/*
 * edu's count does not count down: all the data moves at the end, so a
 * running engine has moved nothing.  Once Stop saw it idle, what it was
 * not programmed to move (the short-transfer test hook) is the residue.
 */
static ULONG EduDmaReadResidue(NDIS_HANDLE AdapterContext, UINT DmaChannel)
{
	PEDU_ADAPTER a = AdapterContext;

	if (!edu_engine_running(a))
		return a->StoppedResidue;
	return readl(edu_reg(a, EDU_REG_DMA_CNT)) + a->Unmoved;
}

/*
 * edu has one engine, channel 0, which moves a block at once: it has no
 * auto-initialize mode (restarting itself on the same buffer).  Demand
 * mode, width and speed describe how an 8237 paces the bus and change
 * nothing for edu.
 */
static NDIS_STATUS EduDmaConfigure(NDIS_HANDLE AdapterContext, UINT DmaChannel,
				   const NDIS_DMA_DESCRIPTION *DmaDescription)
{
	PEDU_ADAPTER a = AdapterContext;
	struct pci_dev *pdev = a->LinuxDevice;

	if (DmaChannel != 0 || DmaDescription->AutoInitialize) {
		dev_info(&pdev->dev, "DMA channel %u%s: edu has channel 0, without auto-initialize\n",
			 DmaChannel, DmaDescription->AutoInitialize ? " auto-initialize" : "");
		return NDIS_STATUS_RESOURCE_CONFLICT;
	}
	return NDIS_STATUS_SUCCESS;
}

/* The miniport is about to program the engine itself (bus-master DMA). */
BOOLEAN EduPlatformEngineReady(PEDU_ADAPTER Adapter)
{
	edu_unfence_if_idle(Adapter);
	return !Adapter->BusMasterFenced && !edu_engine_running(Adapter);
}

static const NDIS_LINUX_DMA_CONTROLLER EduDmaController = {
	.Start = EduDmaStart,
	.Stop = EduDmaStop,
	.IsBusy = EduDmaIsBusy,
	.ReadResidue = EduDmaReadResidue,
	.Configure = EduDmaConfigure,
};

static const struct pci_device_id edu_dma_c_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(edu_dma_c, edu_dma_c_ids, DriverEntry, 28, &EduDmaController);

MODULE_DESCRIPTION("NDIS 6.30 system-DMA miniport for QEMU's edu device, on ndis-shim");
MODULE_LICENSE("GPL");

/* ------------------------------------------------------------------------
 * Platform hooks called by the miniport (see edu.h)
 * ------------------------------------------------------------------------ */

NDIS_STATUS EduPlatformAdapterStart(PEDU_ADAPTER Adapter)
{
	/* The controller's device: its config space and DMA mask. */
	Adapter->LinuxDevice = NdisLinuxGetPciDevice(Adapter->MiniportAdapterHandle);
	if (!Adapter->LinuxDevice)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;
	return EduTestAdapterStart(Adapter);
}

VOID EduPlatformAdapterReady(PEDU_ADAPTER Adapter)
{
	EduTestAdapterReady(Adapter);
}

VOID EduPlatformAdapterStop(PEDU_ADAPTER Adapter)
{
	EduTestAdapterStop(Adapter);
}

VOID EduPlatformAdapterHalted(PEDU_ADAPTER Adapter)
{
	EduTestAdapterHalted(Adapter);
	Adapter->LinuxDevice = NULL;
}

/* DISPATCH_LEVEL on Linux: bottom halves off (or a softirq), or above. */
BOOLEAN EduPlatformAtDispatch(VOID)
{
	return in_softirq() || in_hardirq() || irqs_disabled();
}
