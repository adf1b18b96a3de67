// SPDX-License-Identifier: GPL-2.0
/*
 * ndis5_ports.ko (ports.c): an NDIS 5.1 miniport for QEMU's pcnet (AMD PCnet-PCI II,
 * 1022:2000) whose MiniportInitialize checks the port I/O calls on the
 * device's I/O BAR (BAR0, 32 ports):
 *
 *   - NdisMRegisterIoPortRange of the BAR: SUCCESS, *PortOffset the first
 *     port; the APROM (ports 0..15, the station address in 0..5) read with
 *     NdisRawReadPortUchar, and port 5 three times with
 *     NdisRawReadPortBufferUchar (a buffer form reads one port repeatedly);
 *   - the register address port RAP (0x12, 16-bit I/O mode after the
 *     reset the RESET port 0x14 does on a read) written and read back with
 *     NdisRawWritePortUshort / NdisRawReadPortUshort, and CSR0 read through
 *     RDP (0x10): STOP set after the reset;
 *   - a range reaching past the BAR, one in no BAR (FAILURE, its page: "the
 *     specified InitialPort and NumberOfPorts are invalid"), one overlapping
 *     the registered range (RESOURCE_CONFLICT, "already claimed"), and a
 *     deregistration of a range never registered (counted by the shim).
 *
 * Then support.c checks the NDIS 5 support calls on the adapter.
 *
 * Each check logs "ndis5_ports: ok|not ok N DEV what"; the station address
 * is logged as "ndis5_ports: DEV mac=..". The BAR stays registered until
 * MiniportHalt (the test looks for it in /proc/ioports).
 */
#include "ports.h"

#define PCNET_APROM   0x00
#define PCNET_RDP     0x10
#define PCNET_RAP     0x12
#define PCNET_RESET   0x14
#define PCNET_PORTS   0x20
#define PCNET_CSR0_STOP 0x0004

NDIS_LINUX_DRIVER_ENTRY DriverEntry;

static NDIS_STATUS PortsFindIo(NDIS_HANDLE Wrapper, PUINT Base, PUINT Length)
{
	UCHAR Buffer[sizeof(NDIS_RESOURCE_LIST) + 7 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
	PNDIS_RESOURCE_LIST Resources = (PNDIS_RESOURCE_LIST)Buffer;
	UINT Size = sizeof(Buffer);
	NDIS_STATUS Status;
	ULONG i;

	NdisMQueryAdapterResources(&Status, Wrapper, Resources, &Size);
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	for (i = 0; i < Resources->Count; i++) {
		PCM_PARTIAL_RESOURCE_DESCRIPTOR Desc = &Resources->PartialDescriptors[i];

		if (Desc->Type == CmResourceTypePort) {
			*Base = (UINT)Desc->u.Port.Start.QuadPart;
			*Length = Desc->u.Port.Length;
			return NDIS_STATUS_SUCCESS;
		}
	}
	return NDIS_STATUS_RESOURCE_CONFLICT;
}

static VOID PortsChecks(PPORTS_ADAPTER a)
{
	UCHAR Mac[6], Mac2[6];
	USHORT Rap, Csr0, Rap0;
	NDIS_STATUS Status;
	PVOID Other = (PVOID)1;
	ULONG_PTR Io = (ULONG_PTR)a->PortOffset;
	UINT i;

	for (i = 0; i < 6; i++)
		NdisRawReadPortUchar(Io + PCNET_APROM + i, &Mac[i]);
	/* The buffer forms read one port Length times (string I/O). */
	memset(Mac2, 0, sizeof(Mac2));
	NdisRawReadPortBufferUchar((PUCHAR)a->PortOffset + PCNET_APROM + 5, Mac2, 3);
	pr_info("ndis5_ports: %s mac=%pM\n", a->Name, Mac);
	CHECK(a, Mac2[0] == Mac[5] && Mac2[1] == Mac[5] && Mac2[2] == Mac[5] && !Mac2[3],
	      "APROM byte 5 read 3 times by NdisRawReadPortBufferUchar (0x%02x 0x%02x 0x%02x)",
	      Mac2[0], Mac2[1], Mac2[2]);

	/* A read of RESET resets the chip into 16-bit I/O (WIO) mode. */
	NdisRawReadPortUshort(Io + PCNET_RESET, &Rap);
	NdisRawWritePortUshort(Io + PCNET_RAP, 88);
	NdisRawReadPortUshort(Io + PCNET_RAP, &Rap);
	NdisRawWritePortUshort(Io + PCNET_RAP, 0);
	NdisRawReadPortUshort(Io + PCNET_RAP, &Rap0);
	NdisRawReadPortUshort(Io + PCNET_RDP, &Csr0);
	CHECK(a, Rap == 88 && Rap0 == 0, "RAP written and read back (88 %u, 0 %u)", Rap, Rap0);
	CHECK(a, Csr0 & PCNET_CSR0_STOP, "CSR0 through RDP after reset: STOP (0x%04x)", Csr0);

	Status = NdisMRegisterIoPortRange(&Other, a->Handle, a->IoBase + a->IoLength - 4, 8);
	CHECK(a, Status == NDIS_STATUS_FAILURE && Other == NULL,
	      "range past the BAR: FAILURE (0x%08x)", (u32)Status);
	Other = (PVOID)1;
	Status = NdisMRegisterIoPortRange(&Other, a->Handle, 0x80, 4);
	CHECK(a, Status == NDIS_STATUS_FAILURE && Other == NULL,
	      "range in no BAR of the adapter: FAILURE (0x%08x)", (u32)Status);
	Status = NdisMRegisterIoPortRange(&Other, a->Handle, a->IoBase + PCNET_RDP, 4);
	CHECK(a, Status == NDIS_STATUS_RESOURCE_CONFLICT && Other == NULL,
	      "range overlapping the registered one: RESOURCE_CONFLICT (0x%08x)", (u32)Status);
	/* Counted by the shim (the test checks rejected_calls). */
	NdisMDeregisterIoPortRange(a->Handle, a->IoBase + PCNET_RDP, 4, NULL);
	CHECK(a, TRUE, "deregistering a range never registered returned");
}

static NDIS_STATUS PortsInitialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
				   PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
				   NDIS_HANDLE MiniportAdapterHandle,
				   NDIS_HANDLE WrapperConfigurationContext)
{
	struct pci_dev *pdev = NdisLinuxGetPciDevice(MiniportAdapterHandle);
	PPORTS_ADAPTER a;
	NDIS_STATUS Status;

	*OpenErrorStatus = NDIS_STATUS_SUCCESS;
	if (MediumArraySize < 1 || MediumArray[0] != NdisMedium802_3 || !pdev)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*SelectedMediumIndex = 0;
	if (NdisAllocateMemoryWithTag((PVOID *)&a, sizeof(*a), 'troP') != NDIS_STATUS_SUCCESS)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(a, sizeof(*a));
	a->Handle = MiniportAdapterHandle;
	a->Wrapper = WrapperConfigurationContext;
	a->Pdev = pdev;
	a->Name = pci_name(pdev);
	NdisMSetAttributesEx(MiniportAdapterHandle, a, 0, 0, NdisInterfacePci);

	Status = PortsFindIo(WrapperConfigurationContext, &a->IoBase, &a->IoLength);
	CHECK(a, Status == NDIS_STATUS_SUCCESS && a->IoLength == PCNET_PORTS,
	      "an I/O BAR of 32 ports in the resources (0x%08x, %u)", (u32)Status, a->IoLength);
	if (Status != NDIS_STATUS_SUCCESS) {
		NdisFreeMemory(a, sizeof(*a), 0);
		return Status;
	}
	Status = NdisMRegisterIoPortRange(&a->PortOffset, MiniportAdapterHandle, a->IoBase,
					  a->IoLength);
	CHECK(a, Status == NDIS_STATUS_SUCCESS && a->PortOffset == (PVOID)(ULONG_PTR)a->IoBase,
	      "NdisMRegisterIoPortRange of the BAR: SUCCESS, PortOffset the first port (0x%08x)",
	      (u32)Status);
	a->Registered = Status == NDIS_STATUS_SUCCESS;
	if (a->Registered)
		PortsChecks(a);
	SupportChecks(a);
	pr_info("ndis5_ports: %s checks=%u\n", a->Name, a->N);
	return NDIS_STATUS_SUCCESS;
}

static VOID PortsHalt(NDIS_HANDLE MiniportAdapterContext)
{
	PPORTS_ADAPTER a = MiniportAdapterContext;

	if (a->Registered)
		NdisMDeregisterIoPortRange(a->Handle, a->IoBase, a->IoLength, a->PortOffset);
	NdisFreeMemory(a, sizeof(*a), 0);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_CHARACTERISTICS Chars;
	NDIS_HANDLE Wrapper;
	NDIS_STATUS Status;

	NdisMInitializeWrapper(&Wrapper, DriverObject, RegistryPath, NULL);
	if (!Wrapper)
		return NDIS_STATUS_FAILURE;
	NdisZeroMemory(&Chars, sizeof(Chars));
	Chars.MajorNdisVersion = 5;
	Chars.MinorNdisVersion = 1;
	Chars.InitializeHandler = PortsInitialize;
	Chars.HaltHandler = PortsHalt;
	Status = NdisMRegisterMiniport(Wrapper, &Chars, sizeof(Chars));
	if (Status != NDIS_STATUS_SUCCESS)
		NdisTerminateWrapper(Wrapper, NULL);
	return Status;
}

static const struct pci_device_id ndis5_ports_ids[] = {
	{ PCI_DEVICE(0x1022, 0x2000) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(ndis5_ports, ndis5_ports_ids, DriverEntry, 32, NULL);

MODULE_DESCRIPTION("NDIS 5 port I/O checks on QEMU's pcnet, on ndis-shim");
MODULE_LICENSE("GPL");
