/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tools/gen-abi.sh runs bindgen on to make rust/abi/ndis.rs, the one
 * Rust view of the ABI: include/ndis.h and include/ndis_linux.h in host
 * mode (no __KERNEL__: no Linux headers; struct pci_dev and struct module
 * become the kernel crate's bindings), with no NDIS*_MINIPORT contract
 * defined, so every revision of every structure is visible, as the shim's
 * own C objects see them.
 *
 * For every export in exports.h it adds NAME_fn, a pointer to a function
 * of NAME's prototype, which rust/abi/prototypes.rs checks the Rust
 * definition against.
 */
#include <ndis.h>
#include <ndis_linux.h>

#include "exports.h"

/*
 * Sizes the shim reads structures by that ndis.h has no macro for: the
 * NDIS 3.0 - 5.1 characteristics (NdisMRegisterMiniport's
 * CharacteristicsLength) and the scatter-gather list layout.
 */
#define NDIS_SHIM_SIZEOF_NDIS30_MINIPORT_CHARACTERISTICS sizeof(NDIS30_MINIPORT_CHARACTERISTICS)
#define NDIS_SHIM_SIZEOF_NDIS40_MINIPORT_CHARACTERISTICS sizeof(NDIS40_MINIPORT_CHARACTERISTICS)
#define NDIS_SHIM_SIZEOF_NDIS50_MINIPORT_CHARACTERISTICS sizeof(NDIS50_MINIPORT_CHARACTERISTICS)
#define NDIS_SHIM_SIZEOF_NDIS51_MINIPORT_CHARACTERISTICS sizeof(NDIS51_MINIPORT_CHARACTERISTICS)
#define NDIS_SHIM_SIZEOF_SCATTER_GATHER_LIST_HEADER __builtin_offsetof(SCATTER_GATHER_LIST, Elements)
#define NDIS_SHIM_SIZEOF_SCATTER_GATHER_ELEMENT sizeof(SCATTER_GATHER_ELEMENT)

/*
 * The resource list the shim builds for MiniportInitializeEx and
 * NdisMQueryAdapterResources: a CM_PARTIAL_RESOURCE_LIST with room for
 * every resource a PCI function has (six BARs, a ROM, an interrupt).
 */
#define NDIS_SHIM_MAX_RESOURCES 8
#pragma pack(push, 4)
typedef struct _NDIS_SHIM_RESOURCE_LIST {
	USHORT Version;
	USHORT Revision;
	ULONG Count;
	CM_PARTIAL_RESOURCE_DESCRIPTOR PartialDescriptors[NDIS_SHIM_MAX_RESOURCES];
} NDIS_SHIM_RESOURCE_LIST;
#pragma pack(pop)
_Static_assert(__builtin_offsetof(NDIS_SHIM_RESOURCE_LIST, PartialDescriptors) ==
	       __builtin_offsetof(CM_PARTIAL_RESOURCE_LIST, PartialDescriptors),
	       "NDIS_SHIM_RESOURCE_LIST must begin as CM_PARTIAL_RESOURCE_LIST does");

/*
 * NdisMGetDeviceProperty's resource lists: a CM_RESOURCE_LIST of one full
 * descriptor whose partial list is the adapter's NDIS_SHIM_RESOURCE_LIST.
 */
#pragma pack(push, 4)
typedef struct _NDIS_SHIM_CM_RESOURCE_LIST {
	ULONG Count;
	INTERFACE_TYPE InterfaceType;
	ULONG BusNumber;
	NDIS_SHIM_RESOURCE_LIST PartialResourceList;
} NDIS_SHIM_CM_RESOURCE_LIST;
#pragma pack(pop)
_Static_assert(__builtin_offsetof(NDIS_SHIM_CM_RESOURCE_LIST, InterfaceType) ==
	       __builtin_offsetof(CM_RESOURCE_LIST, List[0].InterfaceType) &&
	       __builtin_offsetof(NDIS_SHIM_CM_RESOURCE_LIST, PartialResourceList) ==
	       __builtin_offsetof(CM_RESOURCE_LIST, List[0].PartialResourceList),
	       "NDIS_SHIM_CM_RESOURCE_LIST must begin as CM_RESOURCE_LIST does");

#define NDIS_SHIM_PROTOTYPE(name) typedef __typeof__(name) *name##_fn;
NDIS_SHIM_EXPORTS(NDIS_SHIM_PROTOTYPE)
