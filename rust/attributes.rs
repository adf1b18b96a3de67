// SPDX-License-Identifier: GPL-2.0

//! What a miniport declares about an adapter: `NdisMSetMiniportAttributes`
//! (NDIS 6) and `NdisMSetAttributesEx` (NDIS 5).

use kernel::sync::atomic::Relaxed;

use crate::{
    abi,
    adapter::Adapter,
    adapter_core::AdapterCore,
    nic::{GeneralAttributes, OffloadAttributes},
    status::{Error, Result as NdisResult},
};

/// What `NdisMSetMiniportAttributes` was given, decoded.
pub(crate) enum MiniportAttributes {
    /// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES`, revision 1 or later.
    Registration {
        /// `MiniportAdapterContext`.
        context: usize,
        /// `AttributeFlags`.
        flags: u32,
        /// `CheckForHangTimeInSeconds`.
        hang_check_seconds: u32,
    },
    /// `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES`, revision 1 or later.
    General(GeneralAttributes),
    /// `NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES`, revision 1 or later.
    Offload(OffloadAttributes),
}

/// `NdisMSetMiniportAttributes`; `None` is a NULL, short or unknown
/// attribute structure.
pub(crate) fn set_attributes(adapter: &Adapter, attrs: Option<MiniportAttributes>) -> NdisResult {
    match attrs.ok_or(Error::InvalidParameter)? {
        MiniportAttributes::Registration {
            context,
            flags,
            hang_check_seconds,
        } => {
            adapter.declare(
                context,
                flags & abi::NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER != 0,
            );
            adapter
                .nic
                .hang_check_seconds
                .store(hang_check_seconds, Relaxed);
            Ok(())
        }
        // What the net_device is made from, after MiniportInitializeEx
        // (`crate::net_device::attach`).
        MiniportAttributes::General(general) => {
            adapter.nic.declare(general);
            Ok(())
        }
        MiniportAttributes::Offload(offload) => {
            *adapter.nic.offload.lock() = Some(offload);
            Ok(())
        }
    }
}

/// `NdisMSetAttributesEx` (NDIS 5): the adapter context and whether it is
/// a bus master. The hang-check time and interface type change nothing here.
pub(crate) fn set_attributes_ex(adapter: &AdapterCore, context: usize, attribute_flags: u32) {
    adapter.declare(
        context,
        attribute_flags & abi::NDIS_ATTRIBUTE_BUS_MASTER != 0,
    );
}
