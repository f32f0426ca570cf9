//! An in-memory link joining two or more simulated devices on a virtual clock.
//!
//! [`VirtualLink`] is a hub: a frame transmitted by one [`VirtualPort`] at time `t` reaches
//! every other port at `t + latency`, after waiting for the sender's line when a bandwidth
//! is set (each port sends on its own full-duplex line, so one port's traffic does not
//! slow another's). The link is shared through `Arc<Mutex<..>>`, so ports may live in stacks
//! on different threads; simulations usually drive all stacks from one loop and jump the
//! clock to [`VirtualLink::next_delivery`] when nothing else is due.

use alloc::collections::{BinaryHeap, VecDeque};
use alloc::vec::Vec;
use core::cmp::Reverse;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{ChecksumOffload, Device, DeviceCapabilities, DeviceError, Medium};
use crate::time::{Duration, Instant};

/// The properties of a virtual link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkConfig {
    /// Propagation delay: from the end of a frame's serialization to its delivery.
    pub latency: Duration,
    /// Line rate of each sending port in bytes per second; `None` sends instantly.
    pub bandwidth: Option<u64>,
    /// Most frames a port may have waiting for (or on) its line; more are dropped, as a
    /// router's tail-drop queue would. `None` is unbounded. Only matters with a bandwidth.
    pub queue_limit: Option<usize>,
    /// The MTU every port reports.
    pub mtu: usize,
    /// The frame format every port reports.
    pub medium: Medium,
}

impl Default for LinkConfig {
    /// An Ethernet link with MTU 1500, no latency, unlimited bandwidth.
    fn default() -> LinkConfig {
        LinkConfig {
            latency: Duration::ZERO,
            bandwidth: None,
            queue_limit: None,
            mtu: 1500,
            medium: Medium::Ethernet,
        }
    }
}

/// Counters of a virtual link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkStats {
    /// Frames accepted from the ports.
    pub sent: u64,
    /// Frames received by ports (a frame reaching three ports counts three times).
    pub delivered: u64,
    /// Frames dropped because the sender's queue was full.
    pub dropped: u64,
}

/// A frame on its way to one port; ordered by delivery time, then by sending order.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    at: Instant,
    seq: u64,
    frame: Vec<u8>,
}

#[derive(Debug, Default)]
struct PortState {
    inbox: BinaryHeap<Reverse<Pending>>,
    /// When this port's line is free again, in microseconds.
    line_free_us: u64,
    /// Serialization end times (µs) of frames accepted and not yet fully sent.
    backlog: VecDeque<u64>,
}

#[derive(Debug)]
struct LinkState {
    config: LinkConfig,
    ports: Vec<Option<PortState>>,
    next_seq: u64,
    stats: LinkStats,
}

impl LinkState {
    fn next_delivery(&self) -> Option<Instant> {
        self.ports
            .iter()
            .flatten()
            .filter_map(|p| p.inbox.peek().map(|Reverse(pending)| pending.at))
            .min()
    }
}

/// Locks the link's state; a panic on another thread while it held the lock leaves the
/// state consistent (every update is a single step), so poisoning is ignored.
fn lock(state: &Mutex<LinkState>) -> MutexGuard<'_, LinkState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A shared in-memory hub. Cloning gives another handle to the same link.
#[derive(Debug, Clone)]
pub struct VirtualLink {
    state: Arc<Mutex<LinkState>>,
}

impl VirtualLink {
    /// A link with no ports yet.
    pub fn new(config: LinkConfig) -> VirtualLink {
        VirtualLink {
            state: Arc::new(Mutex::new(LinkState {
                config,
                ports: Vec::new(),
                next_seq: 0,
                stats: LinkStats::default(),
            })),
        }
    }

    /// Attaches a new port; it receives frames sent from now on by the other ports.
    pub fn port(&self) -> VirtualPort {
        let mut state = lock(&self.state);
        state.ports.push(Some(PortState::default()));
        VirtualPort {
            link: Arc::clone(&self.state),
            index: state.ports.len() - 1,
        }
    }

    /// The link's configuration.
    pub fn config(&self) -> LinkConfig {
        lock(&self.state).config
    }

    /// Changes the configuration for frames sent from now on.
    pub fn set_config(&self, config: LinkConfig) {
        lock(&self.state).config = config;
    }

    /// When the earliest frame in flight reaches its port, if any is in flight.
    pub fn next_delivery(&self) -> Option<Instant> {
        lock(&self.state).next_delivery()
    }

    /// Counters since the link was made.
    pub fn stats(&self) -> LinkStats {
        lock(&self.state).stats
    }
}

/// One device attached to a [`VirtualLink`]; detaches itself when dropped.
#[derive(Debug)]
pub struct VirtualPort {
    link: Arc<Mutex<LinkState>>,
    index: usize,
}

impl VirtualPort {
    /// When the earliest frame on its way to this port arrives, if any.
    pub fn next_delivery(&self) -> Option<Instant> {
        lock(&self.link)
            .ports
            .get(self.index)
            .and_then(Option::as_ref)
            .and_then(|p| p.inbox.peek().map(|Reverse(pending)| pending.at))
    }

    /// The link this port belongs to.
    pub fn link(&self) -> VirtualLink {
        VirtualLink {
            state: Arc::clone(&self.link),
        }
    }
}

impl Drop for VirtualPort {
    fn drop(&mut self) {
        if let Some(slot) = lock(&self.link).ports.get_mut(self.index) {
            *slot = None;
        }
    }
}

impl Device for VirtualPort {
    fn capabilities(&self) -> DeviceCapabilities {
        let config = lock(&self.link).config;
        DeviceCapabilities {
            medium: config.medium,
            mtu: config.mtu,
            checksum: ChecksumOffload::default(),
        }
    }

    fn receive(&mut self, buf: &mut [u8], now: Instant) -> Result<Option<usize>, DeviceError> {
        let mut link = lock(&self.link);
        let Some(Some(port)) = link.ports.get_mut(self.index) else {
            return Err(DeviceError::Down);
        };
        match port.inbox.peek() {
            Some(Reverse(pending)) if pending.at <= now => {}
            _ => return Ok(None),
        }
        let Some(Reverse(pending)) = port.inbox.pop() else {
            return Ok(None);
        };
        link.stats.delivered += 1;
        let Some(dest) = buf.get_mut(..pending.frame.len()) else {
            return Err(DeviceError::TooLarge);
        };
        dest.copy_from_slice(&pending.frame);
        Ok(Some(pending.frame.len()))
    }

    fn transmit(&mut self, frame: &[u8], now: Instant) -> Result<(), DeviceError> {
        let caps = self.capabilities();
        if frame.len() > caps.max_frame_len() {
            return Err(DeviceError::TooLarge);
        }
        let mut link = lock(&self.link);
        let config = link.config;
        let seq = link.next_seq;
        link.next_seq += 1;
        let now_us = now.millis().saturating_mul(1000);
        let Some(Some(port)) = link.ports.get_mut(self.index) else {
            return Err(DeviceError::Down);
        };

        // Frames fully serialized by now have left the queue.
        while port.backlog.front().is_some_and(|&end| end <= now_us) {
            port.backlog.pop_front();
        }
        if config
            .queue_limit
            .is_some_and(|limit| port.backlog.len() >= limit)
        {
            link.stats.dropped += 1;
            return Ok(());
        }
        let start_us = port.line_free_us.max(now_us);
        let end_us = match config.bandwidth {
            Some(rate) if rate > 0 => {
                let bits = (frame.len() as u64).saturating_mul(1_000_000);
                start_us.saturating_add(bits.div_ceil(rate))
            }
            _ => start_us,
        };
        port.line_free_us = end_us;
        port.backlog.push_back(end_us);
        let at = Instant::from_millis(end_us.div_ceil(1000)) + config.latency;

        link.stats.sent += 1;
        for (index, other) in link.ports.iter_mut().enumerate() {
            if index == self.index {
                continue;
            }
            if let Some(other) = other {
                other.inbox.push(Reverse(Pending {
                    at,
                    seq,
                    frame: frame.to_vec(),
                }));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn recv(port: &mut VirtualPort, now: u64) -> Option<Vec<u8>> {
        let mut buf = [0u8; 1600];
        port.receive(&mut buf, Instant::from_millis(now))
            .unwrap()
            .map(|n| buf[..n].to_vec())
    }

    #[test]
    fn frames_arrive_after_the_latency_at_every_other_port() {
        let link = VirtualLink::new(LinkConfig {
            latency: Duration::from_millis(10),
            ..LinkConfig::default()
        });
        let mut a = link.port();
        let mut b = link.port();
        let mut c = link.port();
        a.transmit(&[1, 2, 3], Instant::from_millis(5)).unwrap();
        assert_eq!(link.next_delivery(), Some(Instant::from_millis(15)));
        assert_eq!(recv(&mut b, 14), None);
        assert_eq!(recv(&mut b, 15), Some(vec![1, 2, 3]));
        assert_eq!(recv(&mut c, 100), Some(vec![1, 2, 3]));
        // The sender does not hear itself.
        assert_eq!(recv(&mut a, 100), None);
        assert_eq!(link.next_delivery(), None);
        assert_eq!(
            link.stats(),
            LinkStats {
                sent: 1,
                delivered: 2,
                dropped: 0
            }
        );
    }

    #[test]
    fn order_is_kept_per_sender_and_by_time_across_senders() {
        let link = VirtualLink::new(LinkConfig::default());
        let mut a = link.port();
        let mut b = link.port();
        let mut c = link.port();
        a.transmit(&[1], Instant::from_millis(2)).unwrap();
        b.transmit(&[2], Instant::from_millis(1)).unwrap();
        a.transmit(&[3], Instant::from_millis(2)).unwrap();
        assert_eq!(recv(&mut c, 10), Some(vec![2]));
        assert_eq!(recv(&mut c, 10), Some(vec![1]));
        assert_eq!(recv(&mut c, 10), Some(vec![3]));
        assert_eq!(recv(&mut c, 10), None);
    }

    #[test]
    fn bandwidth_adds_serialization_delay() {
        // 1000 bytes/s: a 100-byte frame takes 100 ms on the line.
        let link = VirtualLink::new(LinkConfig {
            latency: Duration::from_millis(5),
            bandwidth: Some(1000),
            ..LinkConfig::default()
        });
        let mut a = link.port();
        let mut b = link.port();
        a.transmit(&[0; 100], Instant::ZERO).unwrap();
        a.transmit(&[1; 100], Instant::ZERO).unwrap();
        assert_eq!(b.next_delivery(), Some(Instant::from_millis(105)));
        assert_eq!(recv(&mut b, 104), None);
        assert_eq!(recv(&mut b, 105).map(|f| f[0]), Some(0));
        assert_eq!(b.next_delivery(), Some(Instant::from_millis(205)));
        assert_eq!(recv(&mut b, 205).map(|f| f[0]), Some(1));
        // An idle line sends at once.
        a.transmit(&[2; 10], Instant::from_millis(1000)).unwrap();
        assert_eq!(b.next_delivery(), Some(Instant::from_millis(1015)));
    }

    #[test]
    fn queue_limit_tail_drops_while_the_line_is_busy() {
        let link = VirtualLink::new(LinkConfig {
            bandwidth: Some(1000),
            queue_limit: Some(2),
            ..LinkConfig::default()
        });
        let mut a = link.port();
        let mut b = link.port();
        for i in 0..5 {
            a.transmit(&[i; 100], Instant::ZERO).unwrap();
        }
        assert_eq!(link.stats().dropped, 3);
        // After the first frame left the line, there is room for one more.
        a.transmit(&[9; 100], Instant::from_millis(100)).unwrap();
        assert_eq!(link.stats().dropped, 3);
        let mut got = Vec::new();
        while let Some(t) = link.next_delivery() {
            got.push((t.millis(), recv(&mut b, t.millis()).unwrap()[0]));
        }
        assert_eq!(got, [(100, 0), (200, 1), (300, 9)]);
    }

    #[test]
    fn a_simulation_loop_can_jump_the_clock() {
        let link = VirtualLink::new(LinkConfig {
            latency: Duration::from_millis(7),
            ..LinkConfig::default()
        });
        let mut a = link.port();
        let mut b = link.port();
        let mut now = Instant::ZERO;
        a.transmit(b"ping", now).unwrap();
        let mut rounds = 0;
        while let Some(t) = link.next_delivery() {
            now = t;
            if let Some(f) = recv(&mut b, now.millis()) {
                assert_eq!(f, b"ping");
                b.transmit(b"pong", now).unwrap();
            }
            if let Some(f) = recv(&mut a, now.millis()) {
                assert_eq!(f, b"pong");
            }
            rounds += 1;
        }
        assert_eq!(rounds, 2);
        assert_eq!(now, Instant::from_millis(14));
    }

    #[test]
    fn dropped_ports_stop_receiving_and_oversized_frames_are_refused() {
        let link = VirtualLink::new(LinkConfig::default());
        let mut a = link.port();
        let b = link.port();
        assert_eq!(b.link().config().mtu, 1500);
        drop(b);
        a.transmit(&[1], Instant::ZERO).unwrap();
        assert_eq!(link.next_delivery(), None);
        assert_eq!(
            a.transmit(&[0; 1519], Instant::ZERO),
            Err(DeviceError::TooLarge)
        );
        let mut c = link.port();
        let mut tiny = [0u8; 2];
        a.transmit(&[1, 2, 3], Instant::ZERO).unwrap();
        assert_eq!(
            c.receive(&mut tiny, Instant::ZERO),
            Err(DeviceError::TooLarge)
        );
        assert_eq!(c.receive(&mut tiny, Instant::ZERO), Ok(None));
    }
}
