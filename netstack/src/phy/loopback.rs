//! The loopback device: every packet transmitted is queued and received back.
//!
//! Like lwIP's `loopif` (127.0.0.1) and its per-netif loopback queue, the device carries
//! bare IP packets ([`Medium::Ip`]) and holds at most a fixed number of them
//! (`loopback_max_pbufs` in the configuration); a transmit into a full queue fails with
//! [`DeviceError::WouldBlock`] and the packet is not queued.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use super::{ChecksumOffload, Device, DeviceCapabilities, DeviceError, Medium};
use crate::time::Instant;

/// A [`Device`] whose receive side returns what its transmit side was given, in order.
#[derive(Debug, Clone)]
pub struct Loopback {
    queue: VecDeque<Vec<u8>>,
    capacity: usize,
    mtu: usize,
    dropped: u64,
}

impl Loopback {
    /// The MTU of a loopback device made with [`Loopback::new`]: the largest IPv4 packet.
    pub const DEFAULT_MTU: usize = 65_535;

    /// A loopback device holding at most `capacity` packets (at least one) of up to
    /// [`Loopback::DEFAULT_MTU`] bytes.
    pub fn new(capacity: usize) -> Loopback {
        Loopback::with_mtu(capacity, Loopback::DEFAULT_MTU)
    }

    /// A loopback device holding at most `capacity` packets (at least one) of up to `mtu`
    /// bytes.
    pub fn with_mtu(capacity: usize, mtu: usize) -> Loopback {
        let capacity = capacity.max(1);
        Loopback {
            queue: VecDeque::with_capacity(capacity.min(64)),
            capacity,
            mtu,
            dropped: 0,
        }
    }

    /// How many packets the queue holds at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many packets are waiting to be received.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no packet is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// How many packets were refused because the queue was full or they were too large.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

impl Device for Loopback {
    fn capabilities(&self) -> DeviceCapabilities {
        DeviceCapabilities {
            medium: Medium::Ip,
            mtu: self.mtu,
            // Nothing leaves the host, so nothing can be damaged on the way: like Linux'
            // `lo`, checksums of looped packets need not be verified again.
            checksum: ChecksumOffload {
                ipv4_tx: false,
                l4_tx: false,
                rx_verified: true,
            },
        }
    }

    fn receive(&mut self, buf: &mut [u8], _now: Instant) -> Result<Option<usize>, DeviceError> {
        let Some(packet) = self.queue.pop_front() else {
            return Ok(None);
        };
        let Some(dest) = buf.get_mut(..packet.len()) else {
            return Err(DeviceError::TooLarge);
        };
        dest.copy_from_slice(&packet);
        Ok(Some(packet.len()))
    }

    fn transmit(&mut self, frame: &[u8], _now: Instant) -> Result<(), DeviceError> {
        if frame.len() > self.mtu {
            self.dropped += 1;
            return Err(DeviceError::TooLarge);
        }
        if self.queue.len() >= self.capacity {
            self.dropped += 1;
            return Err(DeviceError::WouldBlock);
        }
        self.queue.push_back(frame.to_vec());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Instant = Instant::ZERO;

    #[test]
    fn what_is_transmitted_is_received_in_order() {
        let mut lo = Loopback::new(4);
        assert_eq!(lo.capabilities().medium, Medium::Ip);
        lo.transmit(&[1, 2, 3], T0).unwrap();
        lo.transmit(&[4, 5], T0).unwrap();
        assert_eq!(lo.len(), 2);
        let mut buf = [0u8; 16];
        assert_eq!(lo.receive(&mut buf, T0), Ok(Some(3)));
        assert_eq!(&buf[..3], &[1, 2, 3]);
        assert_eq!(lo.receive(&mut buf, T0), Ok(Some(2)));
        assert_eq!(&buf[..2], &[4, 5]);
        assert_eq!(lo.receive(&mut buf, T0), Ok(None));
        assert!(lo.is_empty());
    }

    #[test]
    fn full_queue_refuses_with_would_block() {
        let mut lo = Loopback::new(2);
        lo.transmit(&[1], T0).unwrap();
        lo.transmit(&[2], T0).unwrap();
        assert_eq!(lo.transmit(&[3], T0), Err(DeviceError::WouldBlock));
        assert_eq!(lo.dropped(), 1);
        let mut buf = [0u8; 4];
        assert_eq!(lo.receive(&mut buf, T0), Ok(Some(1)));
        lo.transmit(&[3], T0).unwrap();
        assert_eq!(lo.len(), 2);
    }

    #[test]
    fn oversized_packets_are_refused_both_ways() {
        let mut lo = Loopback::with_mtu(4, 8);
        assert_eq!(lo.transmit(&[0; 9], T0), Err(DeviceError::TooLarge));
        lo.transmit(&[7; 8], T0).unwrap();
        lo.transmit(&[8; 2], T0).unwrap();
        let mut small = [0u8; 4];
        // Too long for the caller's buffer: dropped, and the device stays usable.
        assert_eq!(lo.receive(&mut small, T0), Err(DeviceError::TooLarge));
        assert_eq!(lo.receive(&mut small, T0), Ok(Some(2)));
    }

    #[test]
    fn zero_capacity_still_holds_one_packet() {
        let mut lo = Loopback::new(0);
        assert_eq!(lo.capacity(), 1);
        lo.transmit(&[1], T0).unwrap();
    }
}
