//! Waiting on many sockets: `select` and `poll`.

use std::time::Duration as StdDuration;
use std::vec::Vec;

use super::fail;
use crate::api::errno::Errno;
use crate::api::socket_table::{Binding, Fd};
use crate::api::tcpip::{Core, NetStack};
use crate::hooks::Hooks;

/// Descriptors an [`FdSet`] holds: 0 to `FD_SETSIZE - 1` (`max_sockets` is at most 253).
pub const FD_SETSIZE: usize = 256;

/// `POLLIN`: data (or EOF, or a connection to accept) can be read.
pub const POLLIN: i16 = 0x1;
/// `POLLOUT`: data can be sent.
pub const POLLOUT: i16 = 0x2;
/// `POLLERR`: an error is pending.
pub const POLLERR: i16 = 0x4;
/// `POLLNVAL`: not an open descriptor.
pub const POLLNVAL: i16 = 0x8;
/// `POLLRDNORM`: as [`POLLIN`].
pub const POLLRDNORM: i16 = 0x10;
/// `POLLPRI`: urgent data (never set).
pub const POLLPRI: i16 = 0x40;
/// `POLLWRNORM`: as [`POLLOUT`].
pub const POLLWRNORM: i16 = 0x80;
/// `POLLHUP`: the peer closed, or the connection is gone.
pub const POLLHUP: i16 = 0x200;

/// A set of descriptors (`fd_set`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FdSet {
    bits: [u64; FD_SETSIZE / 64],
}

impl FdSet {
    /// An empty set (`FD_ZERO`).
    pub fn new() -> FdSet {
        FdSet::default()
    }

    fn slot(fd: Fd) -> Option<(usize, u64)> {
        let i = usize::try_from(fd).ok().filter(|&i| i < FD_SETSIZE)?;
        Some((i / 64, 1u64 << (i % 64)))
    }

    /// Adds `fd` (`FD_SET`); descriptors outside the set's range are ignored.
    pub fn set(&mut self, fd: Fd) {
        if let Some((w, b)) = FdSet::slot(fd) {
            self.bits[w] |= b;
        }
    }

    /// Removes `fd` (`FD_CLR`).
    pub fn clear(&mut self, fd: Fd) {
        if let Some((w, b)) = FdSet::slot(fd) {
            self.bits[w] &= !b;
        }
    }

    /// Whether `fd` is in the set (`FD_ISSET`).
    pub fn is_set(&self, fd: Fd) -> bool {
        FdSet::slot(fd).is_some_and(|(w, b)| self.bits[w] & b != 0)
    }

    /// The descriptors below `nfds` in the set.
    fn members(&self, nfds: usize) -> impl Iterator<Item = Fd> + '_ {
        (0..nfds.min(FD_SETSIZE))
            .filter_map(|i| Fd::try_from(i).ok())
            .filter(|&fd| self.is_set(fd))
    }
}

/// One entry of [`NetStack::poll`] (`struct pollfd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PollFd {
    /// The descriptor; negative entries are skipped.
    pub fd: Fd,
    /// What to wait for ([`POLLIN`], [`POLLOUT`]).
    pub events: i16,
    /// What happened (set by `poll`; [`POLLERR`], [`POLLHUP`], [`POLLNVAL`] always count).
    pub revents: i16,
}

/// What a socket is ready for.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ready {
    pub read: bool,
    pub write: bool,
    pub error: bool,
    pub hup: bool,
}

/// The readiness of socket `fd`.
pub(crate) fn readiness<H: Hooks>(core: &Core<H>, fd: Fd) -> Result<Ready, Errno> {
    let s = core.sockets.get(fd)?;
    Ok(match s.binding {
        Binding::TcpNew => Ready::default(),
        Binding::TcpListener(l) => {
            let r = core.stack.tcp_listener_readiness(l)?;
            Ready {
                read: r.accept_ready,
                ..Ready::default()
            }
        }
        Binding::TcpConn(h) => {
            let r = core.stack.tcp_readiness(h)?;
            let closed = core.stack.tcp_state(h)? == crate::tcp::TcpState::Closed;
            Ready {
                read: r.readable || s.shut_rd,
                // A finished connect (either way) makes the socket writable.
                write: r.writable || (s.connecting && closed),
                error: r.error,
                hup: r.hup,
            }
        }
        Binding::Udp(h) => {
            let r = core.stack.udp_readiness(h)?;
            Ready {
                read: r.readable,
                write: r.writable,
                error: r.error,
                hup: false,
            }
        }
    })
}

/// One look at every descriptor of a `select`.
fn select_once<H: Hooks>(
    core: &Core<H>,
    nfds: usize,
    sets: [Option<FdSet>; 3],
) -> Result<(usize, [Option<FdSet>; 3]), Errno> {
    let mut out = [
        sets[0].map(|_| FdSet::new()),
        sets[1].map(|_| FdSet::new()),
        sets[2].map(|_| FdSet::new()),
    ];
    let mut count = 0;
    for (which, set) in sets.iter().enumerate() {
        let Some(set) = set else { continue };
        for fd in set.members(nfds) {
            let r = readiness(core, fd)?;
            let hit = match which {
                0 => r.read || r.error || r.hup,
                1 => r.write || r.error,
                _ => r.error,
            };
            if hit {
                if let Some(o) = out[which].as_mut() {
                    o.set(fd);
                }
                count += 1;
            }
        }
    }
    Ok((count, out))
}

fn poll_once<H: Hooks>(core: &Core<H>, fds: &mut [PollFd]) -> usize {
    let mut count = 0;
    for p in fds.iter_mut() {
        p.revents = 0;
        if p.fd < 0 {
            continue;
        }
        match readiness(core, p.fd) {
            Err(_) => p.revents = POLLNVAL,
            Ok(r) => {
                if r.read && p.events & (POLLIN | POLLRDNORM) != 0 {
                    p.revents |= p.events & (POLLIN | POLLRDNORM);
                }
                if r.write && p.events & (POLLOUT | POLLWRNORM) != 0 {
                    p.revents |= p.events & (POLLOUT | POLLWRNORM);
                }
                if r.error {
                    p.revents |= POLLERR;
                }
                if r.hup {
                    p.revents |= POLLHUP;
                }
            }
        }
        if p.revents != 0 {
            count += 1;
        }
    }
    count
}

impl<H: Hooks + Send + 'static> NetStack<H> {
    /// `select(nfds, readfds, writefds, exceptfds, timeout)`: waits until a descriptor
    /// below `nfds` in one of the sets is ready (readable: data, EOF, an error or a
    /// connection to accept; writable: room to send, or a finished non-blocking connect;
    /// exception: a pending error), or `timeout` passes (`None`: no limit; zero: just look).
    /// The sets are replaced by the ready descriptors; returns how many there are.
    ///
    /// Errors: `EBADF` (a descriptor in a set is not open), `EINVAL` (`nfds` out of range).
    pub fn select(
        &self,
        nfds: i32,
        readfds: Option<&mut FdSet>,
        writefds: Option<&mut FdSet>,
        exceptfds: Option<&mut FdSet>,
        timeout: Option<StdDuration>,
    ) -> Result<usize, Errno> {
        let nfds = fail(
            usize::try_from(nfds)
                .ok()
                .filter(|&n| n <= FD_SETSIZE)
                .ok_or(Errno::EINVAL),
        )?;
        let sets = [
            readfds.as_deref().copied(),
            writefds.as_deref().copied(),
            exceptfds.as_deref().copied(),
        ];
        let deadline = timeout.map(|t| std::time::Instant::now() + t);
        let (count, out) =
            fail(
                self.retry(deadline, move |core| match select_once(core, nfds, sets)? {
                    (0, _) => Err(Errno::EAGAIN),
                    found => Ok(found),
                }),
            )
            .or_else(|e| match e {
                Errno::EAGAIN => Ok((
                    0,
                    [
                        sets[0].map(|_| FdSet::new()),
                        sets[1].map(|_| FdSet::new()),
                        sets[2].map(|_| FdSet::new()),
                    ],
                )),
                e => Err(e),
            })?;
        for (target, result) in [readfds, writefds, exceptfds].into_iter().zip(out) {
            if let (Some(t), Some(r)) = (target, result) {
                *t = r;
            }
        }
        Ok(count)
    }

    /// `poll(fds, timeout)`: waits until an entry's events happen (or `POLLERR`,
    /// `POLLHUP`, `POLLNVAL`), or `timeout` passes (`None`: no limit); fills `revents` and
    /// returns how many entries have some.
    pub fn poll(&self, fds: &mut [PollFd], timeout: Option<StdDuration>) -> Result<usize, Errno> {
        let entries: Vec<PollFd> = fds.to_vec();
        let deadline = timeout.map(|t| std::time::Instant::now() + t);
        let result = self.retry(deadline, move |core| {
            let mut entries = entries.clone();
            match poll_once(core, &mut entries) {
                0 => Err(Errno::EAGAIN),
                n => Ok((n, entries)),
            }
        });
        match result {
            Ok((n, entries)) => {
                fds.copy_from_slice(&entries);
                Ok(n)
            }
            Err(Errno::EAGAIN) => {
                for p in fds.iter_mut() {
                    p.revents = 0;
                }
                Ok(0)
            }
            Err(e) => fail(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fd_sets_hold_descriptors_in_range() {
        let mut s = FdSet::new();
        s.set(3);
        s.set(255);
        s.set(256);
        s.set(-1);
        assert!(s.is_set(3) && s.is_set(255));
        assert!(!s.is_set(256) && !s.is_set(-1) && !s.is_set(4));
        s.clear(3);
        assert!(!s.is_set(3));
        assert_eq!(s.members(256).collect::<Vec<_>>(), [255]);
        assert_eq!(s.members(100).count(), 0);
    }
}
