//! Validation of miniport characteristics structures, as
//! `NdisMRegisterMiniportDriver` and `NdisMRegisterInterruptEx` do.
//!
//! Works on plain Rust views that the kernel side fills from the C
//! structures, so the rules are testable on the host.
//!
//! # Sizes
//!
//! `NDIS_SIZEOF_*_REVISION_n` are `RTL_SIZEOF_THROUGH_FIELD` of the last field
//! of revision `n`, for the Win64 ABI this shim implements (`NDIS_OBJECT_HEADER`
//! is 4 bytes, padded to 8 before the first pointer; every handler is an
//! 8-byte pointer). Field offsets cross-checked against x64 `ndis.sys` type
//! information (`NDIS_MINIPORT_DRIVER_CHARACTERISTICS` is 0xA0 bytes,
//! `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS` 0x60):
//!
//! | structure | revision | last field | size |
//! |---|---|---|---|
//! | miniport driver | 1 (NDIS 6.0) | `CancelOidRequestHandler` @ 0x80 | 0x88 |
//! | miniport driver | 2 (NDIS 6.1) | `CancelDirectOidRequestHandler` @ 0x90 | 0x98 |
//! | miniport driver | 3 (NDIS 6.80) | `SynchronousOidRequestHandler` @ 0x98 | 0xA0 |
//! | interrupt | 1 | `MessageInfoTable` @ 0x58 | 0x60 |

use crate::{
    abi,
    status::{Error, Result},
};

/// `NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT`.
pub const NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT: u8 = abi::NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT as u8;
/// `NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS`.
pub const NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS: u8 =
    abi::NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS as u8;

/// `NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1` (Win64).
pub const NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1: u16 =
    abi::NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 as u16;
/// `NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2` (Win64).
pub const NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2: u16 =
    abi::NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 as u16;
/// `NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3` (Win64).
pub const NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3: u16 =
    abi::NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3 as u16;
/// `NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1` (Win64).
pub const NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1: u16 =
    abi::NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1 as u16;

/// The parts of `NDIS_MINIPORT_DRIVER_CHARACTERISTICS` that validation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CharacteristicsView {
    /// `Header.Type`.
    pub header_type: u8,
    /// `Header.Revision`.
    pub header_revision: u8,
    /// `Header.Size`.
    pub header_size: u16,
    /// `MajorNdisVersion`.
    pub major: u8,
    /// `MinorNdisVersion`.
    pub minor: u8,
    /// `InitializeHandlerEx != NULL`.
    pub has_initialize: bool,
    /// `HaltHandlerEx != NULL`.
    pub has_halt: bool,
    /// Bitmask of present handlers the shim does not support. Windows does not
    /// reject those, so neither does [`validate`]; the caller may log them.
    pub optional_handlers: u32,
}

/// An accepted NDIS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NdisVersion {
    /// Major version (always 6).
    pub major: u8,
    /// Minor version as NDIS encodes it: 0, 1, 20 or 30.
    pub minor: u8,
}

/// Size a structure of `revision` must have at least, or `None` if the
/// revision is unknown.
const fn driver_size_for(revision: u8) -> Option<u16> {
    match revision {
        1 => Some(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1),
        2 => Some(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2),
        3 => Some(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3),
        _ => None,
    }
}

/// Validates miniport driver characteristics.
///
/// - `Header.Type` must be 0x8A, `Header.Revision` 1..=3 and `Header.Size` at
///   least that revision's documented size: else [`Error::BadCharacteristics`].
///   A larger size is accepted (the header says how much the caller filled
///   in; only what the revision defines is read).
/// - The version must be NDIS 6.0, 6.1, 6.20 or 6.30 (`MinorNdisVersion` 0,
///   1, 20, 30): else [`Error::BadVersion`]. These are the versions whose
///   semantics the shim implements; NDIS 5.x and 6.40+ drivers are refused.
///   The revision is not tied to the version (a revision-3 structure from a
///   6.30 driver is just larger).
/// - `InitializeHandlerEx` and `HaltHandlerEx` are mandatory: else
///   [`Error::BadCharacteristics`].
pub fn validate(c: &CharacteristicsView) -> Result<NdisVersion> {
    if c.header_type != NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS {
        return Err(Error::BadCharacteristics);
    }
    match driver_size_for(c.header_revision) {
        Some(min) if c.header_size >= min => {}
        _ => return Err(Error::BadCharacteristics),
    }
    if c.major != 6 || !matches!(c.minor, 0 | 1 | 20 | 30) {
        return Err(Error::BadVersion);
    }
    if !c.has_initialize || !c.has_halt {
        return Err(Error::BadCharacteristics);
    }
    Ok(NdisVersion {
        major: c.major,
        minor: c.minor,
    })
}

/// The parts of `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS` that validation
/// needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterruptCharacteristicsView {
    /// `Header.Type`.
    pub header_type: u8,
    /// `Header.Revision`.
    pub header_revision: u8,
    /// `Header.Size`.
    pub header_size: u16,
    /// `InterruptHandler != NULL` (the ISR).
    pub has_isr: bool,
    /// `InterruptDpcHandler != NULL`.
    pub has_dpc: bool,
}

/// Validates interrupt characteristics for `NdisMRegisterInterruptEx`.
///
/// `Header.Type` must be 0x84, `Header.Revision` at least 1 and `Header.Size`
/// at least the revision-1 size (later revisions only append fields), and the
/// line-based ISR and DPC handlers must be present: else
/// [`Error::BadCharacteristics`].
pub fn validate_interrupt_characteristics(c: &InterruptCharacteristicsView) -> Result {
    if c.header_type != NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT
        || c.header_revision < 1
        || c.header_size < NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1
        || !c.has_isr
        || !c.has_dpc
    {
        return Err(Error::BadCharacteristics);
    }
    Ok(())
}

/// `sizeof(NDIS30_MINIPORT_CHARACTERISTICS)` (Win64): through
/// `TransferDataHandler` @ 0x68.
pub const NDIS30_MINIPORT_CHARACTERISTICS_SIZE: u32 =
    abi::NDIS_SHIM_SIZEOF_NDIS30_MINIPORT_CHARACTERISTICS;
/// `sizeof(NDIS40_MINIPORT_CHARACTERISTICS)`: plus `ReturnPacketHandler`,
/// `SendPacketsHandler`, `AllocateCompleteHandler`.
pub const NDIS40_MINIPORT_CHARACTERISTICS_SIZE: u32 =
    abi::NDIS_SHIM_SIZEOF_NDIS40_MINIPORT_CHARACTERISTICS;
/// `sizeof(NDIS50_MINIPORT_CHARACTERISTICS)`: plus six CoNDIS handlers.
pub const NDIS50_MINIPORT_CHARACTERISTICS_SIZE: u32 =
    abi::NDIS_SHIM_SIZEOF_NDIS50_MINIPORT_CHARACTERISTICS;
/// `sizeof(NDIS51_MINIPORT_CHARACTERISTICS)`: plus `CancelSendPacketsHandler`,
/// `PnPEventNotifyHandler`, `AdapterShutdownHandler` and four reserved slots.
pub const NDIS51_MINIPORT_CHARACTERISTICS_SIZE: u32 =
    abi::NDIS_SHIM_SIZEOF_NDIS51_MINIPORT_CHARACTERISTICS;

/// The parts of an `NDIS5x_MINIPORT_CHARACTERISTICS` that
/// `NdisMRegisterMiniport` validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ndis5CharacteristicsView {
    /// `MajorNdisVersion`.
    pub major: u8,
    /// `MinorNdisVersion`.
    pub minor: u8,
    /// `CharacteristicsLength`, the caller's `sizeof`.
    pub length: u32,
    /// `InitializeHandler != NULL`.
    pub has_initialize: bool,
    /// `HaltHandler != NULL`.
    pub has_halt: bool,
}

/// The structure size an NDIS 5.x (or older) version declares, or `None` if
/// `NdisMRegisterMiniport` does not know the version.
pub const fn ndis5_size_for(major: u8, minor: u8) -> Option<u32> {
    match (major, minor) {
        (3, 0) => Some(NDIS30_MINIPORT_CHARACTERISTICS_SIZE),
        (4, 0) => Some(NDIS40_MINIPORT_CHARACTERISTICS_SIZE),
        (5, 0) => Some(NDIS50_MINIPORT_CHARACTERISTICS_SIZE),
        (5, 1) => Some(NDIS51_MINIPORT_CHARACTERISTICS_SIZE),
        _ => None,
    }
}

/// Validates `NdisMRegisterMiniport`'s characteristics as NDIS 5.1 does:
///
/// - the version must be 3.0, 4.0, 5.0 or 5.1: else [`Error::BadVersion`];
/// - `CharacteristicsLength` must cover that version's structure: else
///   [`Error::BadCharacteristics`] (only that many bytes are read);
/// - `InitializeHandler` and `HaltHandler` are mandatory: else
///   [`Error::BadCharacteristics`].
pub fn validate_ndis5(c: &Ndis5CharacteristicsView) -> Result<NdisVersion> {
    let size = ndis5_size_for(c.major, c.minor).ok_or(Error::BadVersion)?;
    if c.length < size || !c.has_initialize || !c.has_halt {
        return Err(Error::BadCharacteristics);
    }
    Ok(NdisVersion {
        major: c.major,
        minor: c.minor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: CharacteristicsView = CharacteristicsView {
        header_type: 0x8A,
        header_revision: 2,
        header_size: 0x98,
        major: 6,
        minor: 20,
        has_initialize: true,
        has_halt: true,
        optional_handlers: 0,
    };

    #[test]
    fn accepts_supported_versions_and_revisions() {
        for minor in [0, 1, 20, 30] {
            let v = validate(&CharacteristicsView { minor, ..GOOD }).unwrap();
            assert_eq!(v, NdisVersion { major: 6, minor });
        }
        for (rev, size) in [(1, 0x88), (2, 0x98), (3, 0xA0), (1, 0xA0)] {
            let c = CharacteristicsView {
                header_revision: rev,
                header_size: size,
                ..GOOD
            };
            assert!(validate(&c).is_ok(), "rev {rev} size {size:#x}");
        }
        let c = CharacteristicsView {
            optional_handlers: u32::MAX,
            ..GOOD
        };
        assert!(validate(&c).is_ok());
    }

    #[test]
    fn rejects_bad_headers() {
        let bad = |c: CharacteristicsView| validate(&c);
        let e = Err(Error::BadCharacteristics);
        assert_eq!(
            bad(CharacteristicsView {
                header_type: 0x84,
                ..GOOD
            }),
            e
        );
        for rev in [0, 4, 0xff] {
            assert_eq!(
                bad(CharacteristicsView {
                    header_revision: rev,
                    ..GOOD
                }),
                e
            );
        }
        for (rev, size) in [(1, 0x87), (2, 0x97), (3, 0x9F), (2, 0)] {
            let c = CharacteristicsView {
                header_revision: rev,
                header_size: size,
                ..GOOD
            };
            assert_eq!(bad(c), e);
        }
        assert_eq!(
            bad(CharacteristicsView {
                has_initialize: false,
                ..GOOD
            }),
            e
        );
        assert_eq!(
            bad(CharacteristicsView {
                has_halt: false,
                ..GOOD
            }),
            e
        );
    }

    #[test]
    fn rejects_bad_versions() {
        for (major, minor) in [(5, 0), (5, 1), (6, 2), (6, 40), (6, 50), (7, 0), (0, 0)] {
            let c = CharacteristicsView {
                major,
                minor,
                ..GOOD
            };
            assert_eq!(validate(&c), Err(Error::BadVersion), "{major}.{minor}");
        }
    }

    #[test]
    fn header_checked_before_version() {
        let c = CharacteristicsView {
            header_type: 0,
            major: 5,
            ..GOOD
        };
        assert_eq!(validate(&c), Err(Error::BadCharacteristics));
    }

    #[test]
    fn interrupt_characteristics() {
        let good = InterruptCharacteristicsView {
            header_type: 0x84,
            header_revision: 1,
            header_size: 0x60,
            has_isr: true,
            has_dpc: true,
        };
        assert_eq!(validate_interrupt_characteristics(&good), Ok(()));
        let e = Err(Error::BadCharacteristics);
        for c in [
            InterruptCharacteristicsView {
                header_type: 0x8A,
                ..good
            },
            InterruptCharacteristicsView {
                header_revision: 0,
                ..good
            },
            InterruptCharacteristicsView {
                header_size: 0x5F,
                ..good
            },
            InterruptCharacteristicsView {
                has_isr: false,
                ..good
            },
            InterruptCharacteristicsView {
                has_dpc: false,
                ..good
            },
        ] {
            assert_eq!(validate_interrupt_characteristics(&c), e, "{c:?}");
        }
    }

    #[test]
    fn ndis5_characteristics() {
        let good = Ndis5CharacteristicsView {
            major: 5,
            minor: 1,
            length: 0xF0,
            has_initialize: true,
            has_halt: true,
        };
        for (major, minor, length) in [
            (3, 0, 0x70),
            (4, 0, 0x88),
            (5, 0, 0xB8),
            (5, 1, 0xF0),
            (5, 0, 0xF0),
        ] {
            let c = Ndis5CharacteristicsView {
                major,
                minor,
                length,
                ..good
            };
            assert_eq!(
                validate_ndis5(&c),
                Ok(NdisVersion { major, minor }),
                "{c:?}"
            );
        }
        for (major, minor) in [(5, 2), (6, 0), (4, 1), (2, 0), (0, 0)] {
            let c = Ndis5CharacteristicsView {
                major,
                minor,
                ..good
            };
            assert_eq!(validate_ndis5(&c), Err(Error::BadVersion), "{c:?}");
        }
        let e = Err(Error::BadCharacteristics);
        for c in [
            Ndis5CharacteristicsView {
                length: 0xEF,
                ..good
            },
            Ndis5CharacteristicsView { length: 0, ..good },
            Ndis5CharacteristicsView {
                minor: 0,
                length: 0xB7,
                ..good
            },
            Ndis5CharacteristicsView {
                has_initialize: false,
                ..good
            },
            Ndis5CharacteristicsView {
                has_halt: false,
                ..good
            },
        ] {
            assert_eq!(validate_ndis5(&c), e, "{c:?}");
        }
    }
}
