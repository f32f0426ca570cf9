//! A smoltcp [`Device`](smoltcp::phy::Device) over any netstack
//! [`Device`](netstack::phy::Device), so both stacks run on the very same link (the
//! in-memory [`VirtualLink`](netstack::phy::VirtualLink), or a TAP through
//! [`TapDevice`](netstack::phy::TapDevice)) and the comparison measures the stacks, not
//! their drivers.
//!
//! The copies are the same as netstack's own: a received frame is copied from the device into
//! a buffer the stack parses; a frame to send is built in a buffer and copied to the device.

use netstack::phy::Device as NsDevice;
use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

/// A netstack device seen as a smoltcp Ethernet device.
#[derive(Debug)]
pub struct SmolDevice<D> {
    inner: D,
    rx: Vec<u8>,
    tx: Vec<u8>,
    ip_mtu: usize,
    errors: u64,
    received: u64,
}

impl<D: NsDevice> SmolDevice<D> {
    /// Wraps `inner`; smoltcp is told the IP MTU is `ip_mtu` (at most the device's), which
    /// also sets the MSS smoltcp announces (`ip_mtu - 40`).
    pub fn new(inner: D, ip_mtu: usize) -> SmolDevice<D> {
        let caps = inner.capabilities();
        let frame = caps.max_frame_len();
        SmolDevice {
            inner,
            rx: vec![0; frame],
            tx: vec![0; frame],
            ip_mtu: ip_mtu.min(caps.mtu),
            errors: 0,
            received: 0,
        }
    }

    /// The wrapped device.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// Frames received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Frames the device refused to send or failed to receive.
    pub fn errors(&self) -> u64 {
        self.errors
    }
}

fn ns_time(t: Instant) -> netstack::time::Instant {
    netstack::time::Instant::from_millis(u64::try_from(t.total_millis()).unwrap_or(0))
}

/// A received frame.
#[derive(Debug)]
pub struct Rx<'a> {
    frame: &'a [u8],
}

/// Room for one frame to send.
#[derive(Debug)]
pub struct Tx<'a, D> {
    inner: &'a mut D,
    buf: &'a mut [u8],
    errors: &'a mut u64,
    now: netstack::time::Instant,
}

impl phy::RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(self.frame)
    }
}

impl<D: NsDevice> phy::TxToken for Tx<'_, D> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let len = len.min(self.buf.len());
        let buf = &mut self.buf[..len];
        let r = f(buf);
        if self.inner.transmit(buf, self.now).is_err() {
            *self.errors += 1;
        }
        r
    }
}

impl<D: NsDevice> phy::Device for SmolDevice<D> {
    type RxToken<'a>
        = Rx<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = Tx<'a, D>
    where
        Self: 'a;

    fn receive(&mut self, timestamp: Instant) -> Option<(Rx<'_>, Tx<'_, D>)> {
        let now = ns_time(timestamp);
        loop {
            match self.inner.receive(&mut self.rx, now) {
                Ok(Some(n)) => {
                    self.received += 1;
                    return Some((
                        Rx {
                            frame: &self.rx[..n],
                        },
                        Tx {
                            inner: &mut self.inner,
                            buf: &mut self.tx,
                            errors: &mut self.errors,
                            now,
                        },
                    ));
                }
                Ok(None) => return None,
                // An oversized frame was dropped; the device goes on.
                Err(netstack::phy::DeviceError::TooLarge) => self.errors += 1,
                Err(_) => {
                    self.errors += 1;
                    return None;
                }
            }
        }
    }

    fn transmit(&mut self, timestamp: Instant) -> Option<Tx<'_, D>> {
        Some(Tx {
            inner: &mut self.inner,
            buf: &mut self.tx,
            errors: &mut self.errors,
            now: ns_time(timestamp),
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        // smoltcp counts the Ethernet header in the MTU of an Ethernet device.
        caps.max_transmission_unit = self.ip_mtu + 14;
        caps
    }
}
