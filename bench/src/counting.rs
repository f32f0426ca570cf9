//! A netstack device wrapper counting the frames and bytes sent through it, used under both
//! stacks alike to show they did the same work (segment sizes, ACK frequency).

use netstack::phy::{Device, DeviceCapabilities, DeviceError};
use netstack::time::Instant;

/// Frames and bytes sent through a [`Counting`] device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameCounts {
    /// Frames sent.
    pub frames: u64,
    /// Bytes in those frames (Ethernet header included).
    pub bytes: u64,
    /// Frames of 1000 bytes or more (full data segments).
    pub large: u64,
}

impl FrameCounts {
    /// Both directions together.
    pub fn plus(self, other: FrameCounts) -> FrameCounts {
        FrameCounts {
            frames: self.frames + other.frames,
            bytes: self.bytes + other.bytes,
            large: self.large + other.large,
        }
    }
}

/// Counts what `D` sends.
#[derive(Debug)]
pub struct Counting<D> {
    inner: D,
    counts: std::sync::Arc<std::sync::Mutex<FrameCounts>>,
}

impl<D> Counting<D> {
    /// Wraps `inner`; the returned handle reads the counts while the stack owns the device.
    pub fn new(inner: D) -> (Counting<D>, CountsHandle) {
        let counts = std::sync::Arc::default();
        let handle = CountsHandle(std::sync::Arc::clone(&counts));
        (Counting { inner, counts }, handle)
    }
}

/// Reads a [`Counting`] device's counts.
#[derive(Debug, Clone)]
pub struct CountsHandle(std::sync::Arc<std::sync::Mutex<FrameCounts>>);

impl CountsHandle {
    /// The counts so far.
    pub fn get(&self) -> FrameCounts {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<D: Device> Device for Counting<D> {
    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }

    fn receive(&mut self, buf: &mut [u8], now: Instant) -> Result<Option<usize>, DeviceError> {
        self.inner.receive(buf, now)
    }

    fn transmit(&mut self, frame: &[u8], now: Instant) -> Result<(), DeviceError> {
        self.inner.transmit(frame, now)?;
        let mut c = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        c.frames += 1;
        c.bytes += frame.len() as u64;
        c.large += u64::from(frame.len() >= 1000);
        Ok(())
    }

    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        self.inner.raw_fd()
    }
}
