/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ndis_linux.h - the Linux side of a ported NDIS miniport.
 *
 * On Windows three things stand around a miniport's own code: the INF file
 * (which PCI IDs it drives), the PnP manager (which calls DriverEntry and
 * starts each device) and the HAL (which programs the system DMA controller
 * for NdisMSetupDmaTransfer). On Linux they are one small glue file per
 * miniport, written against this header:
 *
 *	static const struct pci_device_id my_ids[] = {
 *		{ PCI_DEVICE(0x1234, 0x11e8) }, { }
 *	};
 *	NDIS_LINUX_PCI_MINIPORT(my_miniport, my_ids, DriverEntry,
 *				28, &my_dma_controller);
 *
 * The Windows-side source (DriverEntry, MiniportInitializeEx, its DMA logic)
 * stays unchanged. The DMA controller is the one porting step with no
 * Windows counterpart: see Documentation/controller.rst.
 */
#ifndef _NDIS_LINUX_H
#define _NDIS_LINUX_H

#ifdef __KERNEL__
#include <linux/module.h>
#include <linux/pci.h>
#else
/* Host view (the Rust bindings' generator): kernel objects stay opaque. */
struct module;
struct pci_dev;
#endif
#include <ndis.h>

/*
 * The engine that moves a system-DMA channel's data. On a PC it was the 8237
 * the HAL programmed; on PCI it is the device's own DMA engine. The shim
 * calls Start, Stop, IsBusy and ReadResidue one at a time per channel (the
 * channel is claimed by the Setup, Complete or NdisMReadDmaCounter making
 * the call), at DISPATCH_LEVEL (bottom halves off, interrupts on unless the
 * caller had them off): none of them may sleep. @AdapterContext is what the
 * miniport gave NdisMSetMiniportAttributes.
 */
typedef struct _NDIS_LINUX_DMA_CONTROLLER {
	/* Program and start a transfer of @Length bytes at bus address
	 * @DeviceAddress. Return NDIS_STATUS_SUCCESS, or a failure status
	 * (nothing started) that Setup reports as NDIS_STATUS_RESOURCES. */
	NDIS_STATUS (*Start)(NDIS_HANDLE AdapterContext, UINT DmaChannel,
			     ULONG64 DeviceAddress, ULONG Length,
			     BOOLEAN WriteToDevice);
	/* Stop the current transfer. Return TRUE when the engine is idle and
	 * will not touch memory again, FALSE when that cannot be confirmed
	 * (the shim then keeps the memory mapped until IsBusy says FALSE). */
	BOOLEAN (*Stop)(NDIS_HANDLE AdapterContext, UINT DmaChannel);
	/* TRUE while the engine may still access memory. */
	BOOLEAN (*IsBusy)(NDIS_HANDLE AdapterContext, UINT DmaChannel);
	/* Bytes of the current transfer not yet moved; once stopped, of the
	 * last one (NdisMReadDmaCounter after Complete reports what this
	 * returned right after Stop). */
	ULONG (*ReadResidue)(NDIS_HANDLE AdapterContext, UINT DmaChannel);
	/* Optional (NULL: nothing to configure). Called once by
	 * NdisMRegisterDmaChannel, at PASSIVE_LEVEL (may sleep), with the
	 * channel number Start and the others will get (DmaDescription's
	 * DmaChannel when DmaChannelSpecified, else 0) and the miniport's
	 * description (DemandMode, AutoInitialize, DmaWidth, DmaSpeed, DmaPort;
	 * valid during the call only). Return NDIS_STATUS_SUCCESS, or
	 * NDIS_STATUS_RESOURCE_CONFLICT (the engine has no such channel, or
	 * cannot work in the mode asked for) or NDIS_STATUS_RESOURCES, which
	 * Register returns; any other status fails Register with
	 * NDIS_STATUS_FAILURE. A member added after the first four: a glue
	 * that does not name it gets NULL from its initializer. */
	NDIS_STATUS (*Configure)(NDIS_HANDLE AdapterContext, UINT DmaChannel,
				 const NDIS_DMA_DESCRIPTION *DmaDescription);
} NDIS_LINUX_DMA_CONTROLLER, *PNDIS_LINUX_DMA_CONTROLLER;

/* Windows' DRIVER_OBJECT, as much of it as a miniport passes around. */
struct _DRIVER_OBJECT {
	PVOID NdisLinuxReserved[2];	/* the shim's; never touched by a miniport */
};

typedef NTSTATUS NDIS_LINUX_DRIVER_ENTRY(PDRIVER_OBJECT DriverObject,
					  PUNICODE_STRING RegistryPath);

/* One per miniport module; filled by NDIS_LINUX_PCI_MINIPORT. */
typedef struct _NDIS_LINUX_MINIPORT {
	const char *Name;
	struct module *Owner;
	NDIS_LINUX_DRIVER_ENTRY *DriverEntry;
	/* The device's real DMA reach in bits (edu: 28). Set once per
	 * adapter, before MiniportInitializeEx runs; NDIS arguments can only
	 * narrow it. */
	UCHAR DmaAddressBits;
	const NDIS_LINUX_DMA_CONTROLLER *DmaController;
	DRIVER_OBJECT DriverObject;
} NDIS_LINUX_MINIPORT, *PNDIS_LINUX_MINIPORT;

/* Exported by the shim; called by the glue NDIS_LINUX_PCI_MINIPORT makes. */
int NdisLinuxDriverLoad(PNDIS_LINUX_MINIPORT Miniport);
void NdisLinuxDriverUnload(PNDIS_LINUX_MINIPORT Miniport);
int NdisLinuxPciProbe(PNDIS_LINUX_MINIPORT Miniport, struct pci_dev *Pdev);
void NdisLinuxPciRemove(PNDIS_LINUX_MINIPORT Miniport, struct pci_dev *Pdev);
/* The PCI driver's shutdown (reboot, power-off): the adapter's NDIS 5
 * shutdown handler (NdisMRegisterAdapterShutdownHandler), if registered. */
void NdisLinuxPciShutdown(PNDIS_LINUX_MINIPORT Miniport, struct pci_dev *Pdev);

/*
 * The PCI function an adapter was probed with: what the glue needs of the
 * device (its struct device for DMA, config space, debugfs names) without
 * searching the bus for it. @MiniportAdapterHandle is the handle NDIS gave
 * MiniportInitializeEx (NDIS 6) or MiniportInitialize (NDIS 5); it is valid
 * from the start of that call until MiniportHaltEx/MiniportHalt returns,
 * and so is the pointer returned, which needs no reference of its own.
 * NULL for a handle that names no adapter (counted as a rejected call).
 */
struct pci_dev *NdisLinuxGetPciDevice(NDIS_HANDLE MiniportAdapterHandle);

/*
 * NDIS_LINUX_PCI_MINIPORT - the module and PCI driver around a miniport.
 * @_name: driver name (a C identifier)
 * @_ids: its struct pci_device_id table (the INF's models section)
 * @_entry: the miniport's DriverEntry
 * @_dma_bits: the device's DMA address width in bits
 * @_controller: its NDIS_LINUX_DMA_CONTROLLER, or NULL without system DMA
 *
 * Loading the module runs DriverEntry (which calls
 * NdisMRegisterMiniportDriver), then binds the PCI IDs: each probe becomes
 * MiniportInitializeEx, each remove MiniportHaltEx. Unloading halts every
 * adapter, then calls the miniport's unload handler.
 */
#define NDIS_LINUX_PCI_MINIPORT(_name, _ids, _entry, _dma_bits, _controller)	\
	MODULE_DEVICE_TABLE(pci, _ids);						\
	static NDIS_LINUX_MINIPORT _name##_ndis_miniport = {			\
		.Name = #_name,							\
		.Owner = THIS_MODULE,						\
		.DriverEntry = _entry,						\
		.DmaAddressBits = _dma_bits,					\
		.DmaController = _controller,					\
	};									\
	static int _name##_pci_probe(struct pci_dev *pdev,			\
				     const struct pci_device_id *id)		\
	{									\
		return NdisLinuxPciProbe(&_name##_ndis_miniport, pdev);		\
	}									\
	static void _name##_pci_remove(struct pci_dev *pdev)			\
	{									\
		NdisLinuxPciRemove(&_name##_ndis_miniport, pdev);		\
	}									\
	static void _name##_pci_shutdown(struct pci_dev *pdev)			\
	{									\
		NdisLinuxPciShutdown(&_name##_ndis_miniport, pdev);		\
	}									\
	static struct pci_driver _name##_pci_driver = {				\
		.name = #_name,							\
		.id_table = _ids,						\
		.probe = _name##_pci_probe,					\
		.remove = _name##_pci_remove,					\
		.shutdown = _name##_pci_shutdown,				\
	};									\
	static int __init _name##_module_init(void)				\
	{									\
		int err = NdisLinuxDriverLoad(&_name##_ndis_miniport);		\
		if (err)							\
			return err;						\
		err = pci_register_driver(&_name##_pci_driver);			\
		if (err)							\
			NdisLinuxDriverUnload(&_name##_ndis_miniport);		\
		return err;							\
	}									\
	static void __exit _name##_module_exit(void)				\
	{									\
		pci_unregister_driver(&_name##_pci_driver);			\
		NdisLinuxDriverUnload(&_name##_ndis_miniport);			\
	}									\
	module_init(_name##_module_init);					\
	module_exit(_name##_module_exit)

#endif /* _NDIS_LINUX_H */
