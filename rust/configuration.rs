// SPDX-License-Identifier: GPL-2.0

//! Configurations (`NdisOpenConfigurationEx`, `NdisReadConfiguration`,
//! `NdisReadNetworkAddress`, `NdisCloseConfiguration`) and error-log
//! entries (`NdisWriteErrorLogEntry`).
//!
//! Windows reads an adapter's configuration from its registry key; the
//! shim reads it from its `config` module parameter (`rust/config_param.c`,
//! the format in [`crate::config`] and `Documentation/configuration.rst`).
//! Opening a configuration takes a copy of the parameter's text: what a
//! handle reads does not change while it is open. A [`Configuration`] is
//! what a configuration handle names; its adapter owns it (closed by
//! `NdisCloseConfiguration`, or at the adapter's release if the miniport
//! never closed it), and it owns everything a read returned: the
//! `NDIS_CONFIGURATION_PARAMETER`s, their strings and the network address
//! bytes, valid until it is closed, as the Windows pages say.
//!
//! Like [`crate::net_buffer_pool`], this module makes C objects (the
//! parameters it hands out) but never reads a miniport's pointer: the
//! keyword arrives decoded, from [`crate::exports`].

use kernel::{
    new_mutex,
    prelude::*,
    sync::{Arc, Mutex},
};

use crate::{
    abi,
    adapter_core::AdapterCore,
    config,
    handle::{Handle, HandleKind},
    registry::InRegistry,
    status::{Error, Result as NdisResult},
    version,
};

extern "C" {
    fn ndis_shim_config_copy(buf: *mut u8, size: usize) -> usize;
    fn ndis_shim_config_max() -> usize;
}

/// Whether `len` bytes at `text` are a configuration text the parameter
/// may hold: UTF-8, every entry well-formed ([`config::validate`]).
/// Called by `rust/config_param.c` for every write, load time included.
///
/// # Safety
///
/// `text` must be readable for `len` bytes.
#[no_mangle]
unsafe extern "C" fn ndis_shim_config_valid(text: *const u8, len: usize) -> bool {
    if text.is_null() {
        return len == 0;
    }
    // SAFETY: readable for `len` bytes (safety requirement).
    let bytes = unsafe { core::slice::from_raw_parts(text, len) };
    match core::str::from_utf8(bytes) {
        Ok(s) => match config::validate(s) {
            Ok(()) => true,
            Err(e) => {
                pr_warn!("config: refused: {:?}\n", e);
                false
            }
        },
        Err(_) => {
            pr_warn!("config: refused: not UTF-8\n");
            false
        }
    }
}

/// The most results one configuration handle keeps; a read beyond it is
/// `NDIS_STATUS_RESOURCES` (Windows keeps every one until the close too;
/// the bound keeps a miniport reading in a loop from growing without end).
pub(crate) const MAX_KEPT: usize = 1024;

/// The keyword Windows answers itself (`NdisReadConfiguration`'s page:
/// "NdisVersion", 0xMMMMmmmm) unless the configuration has it.
const NDIS_VERSION: &str = "NdisVersion";

/// The keyword `NdisReadNetworkAddress` reads (its page).
const NETWORK_ADDRESS: &str = "NetworkAddress";

/// An `NDIS_CONFIGURATION_PARAMETER` handed out and the string it points
/// into.
struct Parameter {
    c: abi::NDIS_CONFIGURATION_PARAMETER,
    /// The UTF-16 text, NUL-terminated, of a string parameter (its
    /// `StringData.Buffer`); its heap block never moves.
    _text: KVec<u16>,
}

// SAFETY: the only pointer in `c` is into `_text`, which the parameter
// owns; nothing else refers to it from Rust.
unsafe impl Send for Parameter {}

/// What a read handed out, kept until the configuration is closed.
enum Kept {
    Parameter {
        _owned: KBox<Parameter>,
    },
    Address {
        _owned: KBox<[u8; config::NETWORK_ADDRESS_LEN]>,
    },
}

/// An open configuration: what a configuration handle names.
#[pin_data]
pub(crate) struct Configuration {
    /// The adapter handle it was opened with (its owner).
    owner: Handle,
    /// The adapter's PCI device name.
    device: KVec<u8>,
    /// The `config` parameter's text when it was opened (valid UTF-8).
    text: KVec<u8>,
    /// Everything reads handed out. Reads are PASSIVE_LEVEL only.
    #[pin]
    kept: Mutex<KVec<Kept>>,
}

// SAFETY: `KIND` `Configuration` is implemented by `Configuration` only.
unsafe impl InRegistry for Configuration {
    const KIND: HandleKind = HandleKind::Configuration;
}

/// The type a miniport asked `NdisReadConfiguration` for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ParameterKind {
    Integer,
    HexInteger,
    String,
    /// `NdisParameterMultiString`, `NdisParameterBinary` or no type at
    /// all: the shim holds strings, and returns these as nothing.
    Other,
}

impl ParameterKind {
    pub(crate) fn from_raw(raw: abi::NDIS_PARAMETER_TYPE) -> Self {
        match raw {
            abi::NdisParameterInteger => Self::Integer,
            abi::NdisParameterHexInteger => Self::HexInteger,
            abi::NdisParameterString => Self::String,
            _ => Self::Other,
        }
    }
}

impl Configuration {
    /// A configuration of the adapter on the PCI device named `device`
    /// (the adapter `owner` names) with a copy of the `config` parameter
    /// as it is now. PASSIVE.
    pub(crate) fn open(device_name: &[u8], owner: Handle) -> NdisResult<Arc<Self>> {
        let mut device = KVec::new();
        device.extend_from_slice(device_name, GFP_KERNEL)?;
        // SAFETY: no arguments.
        let max = unsafe { ndis_shim_config_max() };
        let mut text = KVec::from_elem(0u8, max, GFP_KERNEL)?;
        // SAFETY: `text` is writable for `max` bytes.
        let len = unsafe { ndis_shim_config_copy(text.as_mut_ptr(), max) };
        // `len < max` always: the parameter holds less than `max` bytes.
        text.truncate(if len < max { len } else { 0 });
        if core::str::from_utf8(&text).is_err() {
            // Cannot happen: every write was checked. Read as empty.
            text.clear();
        }
        Ok(Arc::pin_init(
            try_pin_init!(Configuration {
                owner,
                device,
                text,
                kept <- new_mutex!(KVec::new()),
            }),
            GFP_KERNEL,
        )?)
    }

    /// The adapter handle it was opened with.
    pub(crate) fn owner(&self) -> Handle {
        self.owner
    }

    fn text(&self) -> &str {
        core::str::from_utf8(&self.text).unwrap_or("")
    }

    fn device(&self) -> &str {
        core::str::from_utf8(&self.device).unwrap_or("")
    }

    /// The value the configuration has for `keyword`.
    fn lookup(&self, keyword: &[u16]) -> Option<&str> {
        config::lookup(self.text(), self.device(), keyword)
    }

    /// Keeps `item` until the close; `RESOURCES` past [`MAX_KEPT`].
    fn keep(&self, item: Kept) -> NdisResult {
        let mut kept = self.kept.lock();
        if kept.len() >= MAX_KEPT {
            return Err(Error::Resources);
        }
        kept.push(item, GFP_KERNEL)?;
        Ok(())
    }

    /// `NdisReadConfiguration`: the value of `keyword` as `kind`, in an
    /// `NDIS_CONFIGURATION_PARAMETER` the configuration owns. `FAILURE`
    /// when the keyword is missing or its value cannot be read as `kind`
    /// (not a number, beyond 32 bits, or a type the shim does not hold);
    /// `RESOURCES` when memory runs out (the page's three statuses).
    /// PASSIVE.
    pub(crate) fn read(
        &self,
        keyword: &[u16],
        kind: ParameterKind,
    ) -> NdisResult<*mut abi::NDIS_CONFIGURATION_PARAMETER> {
        let value = match self.lookup(keyword) {
            Some(value) => value,
            None if config::keyword_matches(keyword, NDIS_VERSION) => {
                return self.keep_integer(abi::NdisParameterInteger, version::ndis_version());
            }
            None => return Err(Error::Failure),
        };
        match kind {
            ParameterKind::Integer => {
                let n = config::parse_integer(value, false).ok_or(Error::Failure)?;
                self.keep_integer(abi::NdisParameterInteger, n)
            }
            ParameterKind::HexInteger => {
                let n = config::parse_integer(value, true).ok_or(Error::Failure)?;
                self.keep_integer(abi::NdisParameterHexInteger, n)
            }
            ParameterKind::String => self.keep_string(value),
            ParameterKind::Other => Err(Error::Failure),
        }
    }

    fn keep_integer(
        &self,
        kind: abi::NDIS_PARAMETER_TYPE,
        n: u32,
    ) -> NdisResult<*mut abi::NDIS_CONFIGURATION_PARAMETER> {
        self.keep_parameter(
            abi::NDIS_CONFIGURATION_PARAMETER {
                ParameterType: kind,
                ParameterData: abi::_NDIS_CONFIGURATION_PARAMETER__bindgen_ty_1 { IntegerData: n },
            },
            KVec::new(),
        )
    }

    /// A string parameter: `value` as UTF-16, `Length` its bytes without
    /// the terminating NUL, `MaximumLength` with it.
    fn keep_string(&self, value: &str) -> NdisResult<*mut abi::NDIS_CONFIGURATION_PARAMETER> {
        let units = value.encode_utf16().count();
        // A UNICODE_STRING counts bytes in a USHORT: the parameter holds
        // fewer than 4096 bytes, so this never fails.
        let max_bytes = u16::try_from((units + 1) * 2).map_err(|_| Error::Failure)?;
        let mut text = KVec::with_capacity(units + 1, GFP_KERNEL)?;
        for unit in Iterator::chain(value.encode_utf16(), core::iter::once(0)) {
            text.push(unit, GFP_KERNEL)?;
        }
        let string = abi::NDIS_STRING {
            Length: max_bytes - 2,
            MaximumLength: max_bytes,
            Buffer: text.as_mut_ptr(),
        };
        self.keep_parameter(
            abi::NDIS_CONFIGURATION_PARAMETER {
                ParameterType: abi::NdisParameterString,
                ParameterData: abi::_NDIS_CONFIGURATION_PARAMETER__bindgen_ty_1 {
                    StringData: string,
                },
            },
            text,
        )
    }

    fn keep_parameter(
        &self,
        c: abi::NDIS_CONFIGURATION_PARAMETER,
        text: KVec<u16>,
    ) -> NdisResult<*mut abi::NDIS_CONFIGURATION_PARAMETER> {
        let mut parameter = KBox::new(Parameter { c, _text: text }, GFP_KERNEL)?;
        // The box's contents never move: the pointer stays valid while it
        // is kept.
        let ptr = &raw mut parameter.c;
        self.keep(Kept::Parameter { _owned: parameter })?;
        Ok(ptr)
    }

    /// `NdisReadNetworkAddress`: the `NetworkAddress` keyword's 6 bytes,
    /// owned by the configuration. `FAILURE` when it is missing or not 12
    /// hex digits (with optional `-` or `:` between byte pairs). PASSIVE.
    pub(crate) fn network_address(&self) -> NdisResult<*const u8> {
        let keyword: KVec<u16> = {
            let mut k = KVec::new();
            for unit in NETWORK_ADDRESS.encode_utf16() {
                k.push(unit, GFP_KERNEL)?;
            }
            k
        };
        let value = self.lookup(&keyword).ok_or(Error::Failure)?;
        let bytes = config::parse_network_address(value).ok_or(Error::Failure)?;
        let address = KBox::new(bytes, GFP_KERNEL)?;
        let ptr = address.as_ptr();
        self.keep(Kept::Address { _owned: address })?;
        Ok(ptr)
    }
}

/// `NdisWriteErrorLogEntry` on `adapter`: counts the entry and logs it,
/// rate-limited per adapter, at `dev_err` for an error code (severity bits
/// 11), `dev_warn` otherwise. `count` is what the miniport passed;
/// `values` the ones read (at most `rust/error_log.c`'s cap). Any context
/// up to DISPATCH_LEVEL: never sleeps.
pub(crate) fn write_error_log(adapter: &AdapterCore, code: u32, count: u32, values: &[u32]) {
    let n = adapter.count_error_log_entry();
    if !adapter.error_log_allows() {
        return;
    }
    let dev = adapter.device();
    let name = adapter.driver.name();
    // One line: the code, the count given, the values read.
    let mut line = [0u8; 200];
    let mut w = LineWriter {
        buf: &mut line,
        len: 0,
    };
    for v in values {
        let _ = core::fmt::Write::write_fmt(&mut w, format_args!(" {:#x}", v));
    }
    let len = w.len;
    let shown = core::str::from_utf8(&line[..len]).unwrap_or("");
    let truncated = if (count as usize) > values.len() {
        " ..."
    } else {
        ""
    };
    if code >> 30 == 3 {
        dev_err!(
            dev,
            "{}: error log entry {}: code {:#010x}, {} value(s):{}{}\n",
            name,
            n,
            code,
            count,
            shown,
            truncated
        );
    } else {
        dev_warn!(
            dev,
            "{}: error log entry {}: code {:#010x}, {} value(s):{}{}\n",
            name,
            n,
            code,
            count,
            shown,
            truncated
        );
    }
}

/// Formats into a fixed buffer, dropping what does not fit.
struct LineWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl core::fmt::Write for LineWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let room = self.buf.len() - self.len;
        if s.len() > room {
            return Err(core::fmt::Error);
        }
        self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
        self.len += s.len();
        Ok(())
    }
}

/// 100 ns intervals between 1601-01-01 and 1970-01-01 (UTC).
const WINDOWS_EPOCH_OFFSET: i64 = 116_444_736_000_000_000;

/// `NdisGetCurrentSystemTime`: the wall clock in 100 ns units since
/// 1601-01-01 UTC (`KeQuerySystemTime`'s), from `ktime_get_real`.
pub(crate) fn system_time() -> i64 {
    // SAFETY: callable in any context but NMI, as the kernel crate's
    // `RealTime` clock says.
    let ns = unsafe { kernel::bindings::ktime_get_real() };
    ns / 100 + WINDOWS_EPOCH_OFFSET
}
