//! Link-layer devices: the boundary between the stack and whatever moves frames.
//!
//! A [`Device`] sends and receives whole frames by copy. Drivers (TAP, loopback, the
//! in-memory virtual link) implement it; wrappers (pcap writer, fault injector) take any
//! device and are devices themselves, so they stack.

use crate::time::Instant;

pub mod fault;
pub mod loopback;
#[cfg(feature = "std")]
pub mod pcap;
#[cfg(all(feature = "std", target_os = "linux"))]
pub mod tap;
#[cfg(feature = "std")]
pub mod virtual_link;
#[cfg(all(feature = "std", unix))]
pub mod wait;

pub use fault::{DirectionStats, FaultConfig, FaultInjector, FaultStats, Faults};
pub use loopback::Loopback;
#[cfg(feature = "std")]
pub use pcap::{LinkType, PcapDevice, PcapMode, PcapWriter};
#[cfg(all(feature = "std", target_os = "linux"))]
pub use tap::{TapDevice, TapError};
#[cfg(feature = "std")]
pub use virtual_link::{LinkConfig, LinkStats, VirtualLink, VirtualPort};

/// What kind of frames a device carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Medium {
    /// Ethernet II frames (with optional 802.1Q tag): TAP, the virtual link.
    Ethernet,
    /// Bare IP packets with no link header: loopback, PPP.
    Ip,
}

/// Checksums a device computes or verifies in hardware, so the stack may skip them.
///
/// Mirrors lwIP's per-netif checksum flags (`NETIF_CHECKSUM_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ChecksumOffload {
    /// The device fills in IPv4 header checksums on transmit.
    pub ipv4_tx: bool,
    /// The device fills in UDP/TCP/ICMP checksums on transmit.
    pub l4_tx: bool,
    /// The device has already verified checksums of received frames.
    pub rx_verified: bool,
}

/// Static facts about a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceCapabilities {
    /// The frame format.
    pub medium: Medium,
    /// Largest IP packet the link carries (1500 for Ethernet), excluding any link header.
    pub mtu: usize,
    /// Checksum work the device does for the stack.
    pub checksum: ChecksumOffload,
}

impl DeviceCapabilities {
    /// Bytes of link header the medium adds in front of an IP packet (untagged).
    pub const fn link_header_len(&self) -> usize {
        match self.medium {
            Medium::Ethernet => 14,
            Medium::Ip => 0,
        }
    }

    /// Largest whole frame the device sends or receives (MTU plus link header, plus room
    /// for one 802.1Q tag on Ethernet).
    pub const fn max_frame_len(&self) -> usize {
        match self.medium {
            Medium::Ethernet => self.mtu + 14 + 4,
            Medium::Ip => self.mtu,
        }
    }
}

/// Why a device could not move a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceError {
    /// The device cannot take a frame now (queue full); try again later.
    WouldBlock,
    /// The frame is larger than the device carries.
    TooLarge,
    /// The device is gone or failed (e.g. the TAP interface was deleted).
    Down,
}

impl core::fmt::Display for DeviceError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            DeviceError::WouldBlock => "device busy, try again",
            DeviceError::TooLarge => "frame larger than the device carries",
            DeviceError::Down => "device down",
        })
    }
}

/// A link-layer device that moves whole frames.
///
/// Both calls are non-blocking: the stack polls `receive` until it returns `Ok(None)`.
pub trait Device {
    /// Static facts: medium, MTU, checksum offload.
    fn capabilities(&self) -> DeviceCapabilities;

    /// Copies the next received frame into `buf` and returns its length, or `Ok(None)` when
    /// nothing is pending. A frame longer than `buf` is dropped and reported as
    /// [`DeviceError::TooLarge`]; the device stays usable.
    fn receive(&mut self, buf: &mut [u8], now: Instant) -> Result<Option<usize>, DeviceError>;

    /// Sends one whole frame.
    fn transmit(&mut self, frame: &[u8], now: Instant) -> Result<(), DeviceError>;

    /// A file descriptor that becomes readable when a frame arrives, for a driver loop (the
    /// TCP/IP thread) to sleep on instead of polling; `None` for devices without one.
    #[cfg(all(feature = "std", unix))]
    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        None
    }
}

/// A device shared between the stack, which owns one handle, and code that needs the same
/// device between polls (a driver loop waiting on a TAP's descriptor, a simulation reading a
/// fault injector's counters), possibly on another thread.
#[cfg(feature = "std")]
impl<D: Device + ?Sized> Device for std::sync::Arc<std::sync::Mutex<D>> {
    fn capabilities(&self) -> DeviceCapabilities {
        lock_shared(self).capabilities()
    }

    fn receive(&mut self, buf: &mut [u8], now: Instant) -> Result<Option<usize>, DeviceError> {
        lock_shared(self).receive(buf, now)
    }

    fn transmit(&mut self, frame: &[u8], now: Instant) -> Result<(), DeviceError> {
        lock_shared(self).transmit(frame, now)
    }

    #[cfg(unix)]
    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        lock_shared(self).raw_fd()
    }
}

/// Locks a shared device; a device is usable after a panic elsewhere (each call is one
/// step), so poisoning is ignored.
#[cfg(feature = "std")]
fn lock_shared<D: ?Sized>(shared: &std::sync::Mutex<D>) -> std::sync::MutexGuard<'_, D> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn a_shared_device_is_one_device_seen_through_every_handle() {
        let shared = Arc::new(Mutex::new(Loopback::new(4)));
        let mut handle: alloc::boxed::Box<dyn Device> = alloc::boxed::Box::new(shared.clone());
        assert_eq!(handle.capabilities(), shared.lock().unwrap().capabilities());
        handle.transmit(b"frame", Instant::ZERO).expect("queued");
        assert_eq!(
            shared.lock().unwrap().len(),
            1,
            "the other handle sees the queued frame"
        );
        let mut buf = [0u8; 16];
        let mut other = shared.clone();
        assert_eq!(other.receive(&mut buf, Instant::ZERO), Ok(Some(5)));
        assert_eq!(&buf[..5], b"frame");
        assert_eq!(handle.receive(&mut buf, Instant::ZERO), Ok(None));
    }
}
