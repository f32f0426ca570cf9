//! The descriptor table of the sockets and netconn APIs: at most `config::MAX_SOCKETS`
//! open sockets (lwIP `MEMP_NUM_NETCONN`), each an integer descriptor, with what the API
//! layer keeps per socket beside the stack's control block.

use std::time::Duration as StdDuration;
use std::vec::Vec;

use super::errno::Errno;
use crate::config;
use crate::tcp::{TcpHandle, TcpListenerHandle, TcpSocketOptions};
use crate::udp::UdpHandle;
use crate::wire::IpEndpoint;

/// A socket descriptor.
pub type Fd = i32;

/// The kind of socket (`SOCK_STREAM`, `SOCK_DGRAM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocketType {
    /// TCP.
    Stream,
    /// UDP.
    Datagram,
}

/// What a socket is bound to in the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binding {
    /// A TCP socket that is neither listening nor connected yet.
    TcpNew,
    /// A listening TCP socket.
    TcpListener(TcpListenerHandle),
    /// A TCP connection (connecting, established or closing).
    TcpConn(TcpHandle),
    /// A UDP socket.
    Udp(UdpHandle),
}

/// One open socket.
#[derive(Debug)]
pub(crate) struct Socket {
    pub binding: Binding,
    pub ty: SocketType,
    /// Reuses of this slot; a descriptor held across a close-and-reopen does not reach the
    /// new socket.
    pub generation: u32,
    /// `O_NONBLOCK`.
    pub nonblocking: bool,
    /// `SO_RCVTIMEO` (`None`: wait forever).
    pub rcv_timeout: Option<StdDuration>,
    /// `SO_SNDTIMEO`.
    pub snd_timeout: Option<StdDuration>,
    /// Where a TCP socket was bound before `listen`/`connect`.
    pub local: Option<IpEndpoint>,
    /// `SO_REUSEADDR` for a TCP socket.
    pub reuse_addr: bool,
    /// TCP options set before the connection exists, applied when it does.
    pub tcp_options: TcpSocketOptions,
    /// A non-blocking `connect` is under way (`EALREADY` until it ends).
    pub connecting: bool,
    /// `shutdown(SHUT_RD)` was called.
    pub shut_rd: bool,
    /// `shutdown(SHUT_WR)` was called.
    pub shut_wr: bool,
    /// `SO_LINGER` (seconds), with `config::SO_LINGER`.
    pub linger: Option<u32>,
    /// `IP_PKTINFO`: `recvmsg` reports the destination address and interface.
    pub pktinfo: bool,
    /// Calls on this socket that may block right now.
    pub busy: u32,
    /// `close` was called; the slot is freed when the last busy call returns.
    pub closing: bool,
}

impl Socket {
    fn new(ty: SocketType, binding: Binding, generation: u32) -> Socket {
        Socket {
            binding,
            ty,
            generation,
            nonblocking: false,
            rcv_timeout: None,
            snd_timeout: None,
            local: None,
            reuse_addr: false,
            tcp_options: TcpSocketOptions::default(),
            connecting: false,
            shut_rd: false,
            shut_wr: false,
            linger: None,
            pktinfo: false,
            busy: 0,
            closing: false,
        }
    }
}

/// The table.
#[derive(Debug)]
pub(crate) struct SocketTable {
    slots: Vec<Option<Socket>>,
    next_generation: u32,
}

impl SocketTable {
    /// An empty table of `config::MAX_SOCKETS` slots.
    pub fn new() -> SocketTable {
        let mut slots = Vec::with_capacity(config::MAX_SOCKETS);
        slots.resize_with(config::MAX_SOCKETS, || None);
        SocketTable {
            slots,
            next_generation: 1,
        }
    }

    /// Opens a socket in the lowest free slot; [`Errno::ENFILE`] when all are taken.
    pub fn open(&mut self, ty: SocketType, binding: Binding) -> Result<Fd, Errno> {
        let index = self
            .slots
            .iter()
            .position(Option::is_none)
            .ok_or(Errno::ENFILE)?;
        let generation = self.next_generation;
        self.next_generation = self.next_generation.wrapping_add(1).max(1);
        let fd = Fd::try_from(index).map_err(|_| Errno::ENFILE)?;
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Some(Socket::new(ty, binding, generation));
        }
        Ok(fd)
    }

    fn slot(&self, fd: Fd) -> Option<&Socket> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get(i))
            .and_then(Option::as_ref)
    }

    fn slot_mut(&mut self, fd: Fd) -> Option<&mut Socket> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get_mut(i))
            .and_then(Option::as_mut)
    }

    /// The open socket `fd`; [`Errno::EBADF`] for a descriptor that is not open (or is
    /// being closed).
    pub fn get(&self, fd: Fd) -> Result<&Socket, Errno> {
        self.slot(fd).filter(|s| !s.closing).ok_or(Errno::EBADF)
    }

    /// The open socket `fd`, mutably.
    pub fn get_mut(&mut self, fd: Fd) -> Result<&mut Socket, Errno> {
        self.slot_mut(fd).filter(|s| !s.closing).ok_or(Errno::EBADF)
    }

    /// The socket `fd` if it is still the one of `generation`.
    pub fn get_current(&mut self, fd: Fd, generation: u32) -> Result<&mut Socket, Errno> {
        self.get_mut(fd)
            .ok()
            .filter(|s| s.generation == generation)
            .ok_or(Errno::EBADF)
    }

    /// Starts a call that may block on `fd`; returns the socket's generation.
    pub fn enter(&mut self, fd: Fd) -> Result<u32, Errno> {
        let s = self.get_mut(fd)?;
        s.busy += 1;
        Ok(s.generation)
    }

    /// Ends a call started by [`enter`](Self::enter); frees the slot if it was closed
    /// meanwhile and this was the last call.
    pub fn leave(&mut self, fd: Fd, generation: u32) {
        let Some(s) = self.slot_mut(fd).filter(|s| s.generation == generation) else {
            return;
        };
        s.busy = s.busy.saturating_sub(1);
        if s.closing && s.busy == 0 {
            self.free(fd);
        }
    }

    /// Marks `fd` closed and returns its binding for the caller to release; the slot is
    /// freed now if no call is busy on it, else by the last [`leave`](Self::leave).
    pub fn close(&mut self, fd: Fd) -> Result<(Binding, u32), Errno> {
        let s = self.get_mut(fd)?;
        s.closing = true;
        let out = (s.binding, s.generation);
        if s.busy == 0 {
            self.free(fd);
        }
        Ok(out)
    }

    /// Whether the slot of `fd` still holds the socket of `generation` (closing or not).
    pub fn holds(&self, fd: Fd, generation: u32) -> bool {
        self.slot(fd).is_some_and(|s| s.generation == generation)
    }

    fn free(&mut self, fd: Fd) {
        if let Some(slot) = usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)) {
            *slot = None;
        }
    }

    /// Whether every slot holds a socket (`hook_memp_available`: the caller compares before
    /// and after a `close`/`leave`).
    pub fn is_full(&self) -> bool {
        self.slots.iter().all(Option::is_some)
    }

    /// The open descriptors.
    pub fn open_fds(&self) -> impl Iterator<Item = Fd> + '_ {
        self.iter().map(|(fd, _)| fd)
    }

    /// The open sockets, with their descriptors.
    pub fn iter(&self) -> impl Iterator<Item = (Fd, &Socket)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((Fd::try_from(i).ok()?, s.as_ref()?)))
            .filter(|(_, s)| !s.closing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_are_the_lowest_free_slots_up_to_max_sockets() {
        let mut t = SocketTable::new();
        let fds: Vec<Fd> = (0..config::MAX_SOCKETS)
            .map(|_| t.open(SocketType::Stream, Binding::TcpNew).unwrap())
            .collect();
        assert_eq!(fds[0], 0);
        assert_eq!(
            t.open(SocketType::Stream, Binding::TcpNew),
            Err(Errno::ENFILE)
        );
        t.close(fds[0]).unwrap();
        assert_eq!(t.open(SocketType::Datagram, Binding::TcpNew), Ok(0));
    }

    #[test]
    fn bad_descriptors_are_ebadf() {
        let mut t = SocketTable::new();
        assert_eq!(t.get(-1).err(), Some(Errno::EBADF));
        assert_eq!(t.get(0).err(), Some(Errno::EBADF));
        assert_eq!(t.get(i32::MAX).err(), Some(Errno::EBADF));
        let fd = t.open(SocketType::Stream, Binding::TcpNew).unwrap();
        t.close(fd).unwrap();
        assert_eq!(t.close(fd).err(), Some(Errno::EBADF));
    }

    #[test]
    fn a_busy_socket_is_freed_by_its_last_call() {
        let mut t = SocketTable::new();
        let fd = t.open(SocketType::Stream, Binding::TcpNew).unwrap();
        let g = t.enter(fd).unwrap();
        t.close(fd).unwrap();
        assert_eq!(t.get(fd).err(), Some(Errno::EBADF), "closing is not open");
        assert!(t.holds(fd, g), "the slot waits for the busy call");
        assert_eq!(t.open(SocketType::Stream, Binding::TcpNew), Ok(1));
        t.leave(fd, g);
        assert!(!t.holds(fd, g));
        assert_eq!(t.open(SocketType::Stream, Binding::TcpNew), Ok(0));
        assert_eq!(
            t.get_current(0, g).err(),
            Some(Errno::EBADF),
            "a new generation"
        );
    }
}
