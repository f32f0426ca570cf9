//! `std::net`-shaped wrappers over the sockets API: [`TcpListener`], [`TcpStream`] and
//! [`UdpSocket`], with `std::io::Read`/`Write` and errors as `std::io::Error` (the
//! [`Errno`]'s kind and message). Each owns its descriptor and closes it when dropped.

use std::io;
use std::net::{Ipv4Addr, Shutdown, SocketAddr};
use std::time::Duration;

use super::errno::Errno;
use super::socket_table::Fd;
use super::sockets::{
    AF_INET, FIONBIO, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_MULTICAST_LOOP, IP_MULTICAST_TTL,
    IPPROTO_IP, IPPROTO_TCP, SHUT_RD, SHUT_RDWR, SHUT_WR, SO_BROADCAST, SO_RCVTIMEO, SO_REUSEADDR,
    SO_SNDTIMEO, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, TCP_NODELAY, Timeval,
};
use super::tcpip::NetStack;
use crate::hooks::Hooks;

/// A descriptor closed on drop.
struct Owned<H> {
    stack: NetStack<H>,
    fd: Fd,
    /// How to close it: chosen where `H: Hooks` is known, so that dropping needs no bound
    /// (the types stay nameable with their `NoHooks` default in a product whose hooks are
    /// `custom`, where `NoHooks` is no `Hooks`).
    close: fn(&NetStack<H>, Fd),
}

/// Closes `fd`, ignoring errors (a drop has nobody to report them to).
fn close_quietly<H: Hooks + Send + 'static>(stack: &NetStack<H>, fd: Fd) {
    let _ = stack.close(fd);
}

impl<H: Hooks + Send + 'static> Owned<H> {
    fn open(stack: &NetStack<H>, ty: i32) -> io::Result<Owned<H>> {
        let fd = stack.socket(AF_INET, ty, 0)?;
        Ok(Owned::adopt(stack, fd))
    }

    fn adopt(stack: &NetStack<H>, fd: Fd) -> Owned<H> {
        Owned {
            stack: stack.clone(),
            fd,
            close: close_quietly::<H>,
        }
    }

    fn set_timeout(&self, name: i32, t: Option<Duration>) -> io::Result<()> {
        if t.is_some_and(|t| t.is_zero()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "cannot set a 0 duration timeout",
            ));
        }
        let tv = Timeval::from_duration(t).to_bytes();
        Ok(self.stack.setsockopt(self.fd, SOL_SOCKET, name, &tv)?)
    }

    fn timeout(&self, name: i32) -> io::Result<Option<Duration>> {
        let mut b = [0u8; Timeval::SIZE];
        self.stack.getsockopt(self.fd, SOL_SOCKET, name, &mut b)?;
        let tv = Timeval::from_bytes(&b).ok_or(Errno::EINVAL)?;
        let d = Duration::from_secs(tv.tv_sec.unsigned_abs())
            + Duration::from_micros(tv.tv_usec.unsigned_abs());
        Ok((!d.is_zero()).then_some(d))
    }

    fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        let mut arg = i32::from(on);
        Ok(self.stack.ioctl(self.fd, FIONBIO, &mut arg)?)
    }
}

impl<H> Drop for Owned<H> {
    fn drop(&mut self) {
        (self.close)(&self.stack, self.fd);
    }
}

/// A TCP listener (`std::net::TcpListener`).
pub struct TcpListener<H = crate::hooks::NoHooks> {
    sock: Owned<H>,
}

impl<H: Hooks + Send + 'static> TcpListener<H> {
    /// Binds to `addr` (with `SO_REUSEADDR` where `so_reuse` allows it, as std does) and
    /// listens.
    pub fn bind(stack: &NetStack<H>, addr: SocketAddr) -> io::Result<TcpListener<H>> {
        let sock = Owned::open(stack, SOCK_STREAM)?;
        if crate::config::SO_REUSE {
            stack.setsockopt_int(sock.fd, SOL_SOCKET, SO_REUSEADDR, 1)?;
        }
        stack.bind(sock.fd, addr)?;
        stack.listen(sock.fd, 128)?;
        Ok(TcpListener { sock })
    }

    /// Waits for the next connection.
    pub fn accept(&self) -> io::Result<(TcpStream<H>, SocketAddr)> {
        let (fd, peer) = self.sock.stack.accept(self.sock.fd)?;
        Ok((
            TcpStream {
                sock: Owned::adopt(&self.sock.stack, fd),
            },
            peer,
        ))
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.sock.stack.getsockname(self.sock.fd)?)
    }

    /// Non-blocking `accept` (`WouldBlock` when none waits).
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        self.sock.set_nonblocking(on)
    }

    /// The descriptor.
    pub fn fd(&self) -> Fd {
        self.sock.fd
    }
}

/// A TCP connection (`std::net::TcpStream`).
pub struct TcpStream<H = crate::hooks::NoHooks> {
    sock: Owned<H>,
}

impl<H: Hooks + Send + 'static> TcpStream<H> {
    /// Connects to `addr`, waiting until the connection is established.
    pub fn connect(stack: &NetStack<H>, addr: SocketAddr) -> io::Result<TcpStream<H>> {
        let sock = Owned::open(stack, SOCK_STREAM)?;
        stack.connect(sock.fd, addr)?;
        Ok(TcpStream { sock })
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.sock.stack.getpeername(self.sock.fd)?)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.sock.stack.getsockname(self.sock.fd)?)
    }

    /// Closes one or both directions.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let how = match how {
            Shutdown::Read => SHUT_RD,
            Shutdown::Write => SHUT_WR,
            Shutdown::Both => SHUT_RDWR,
        };
        Ok(self.sock.stack.shutdown(self.sock.fd, how)?)
    }

    /// `TCP_NODELAY`.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        Ok(self
            .sock
            .stack
            .setsockopt_int(self.sock.fd, IPPROTO_TCP, TCP_NODELAY, i32::from(on))?)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        Ok(self
            .sock
            .stack
            .getsockopt_int(self.sock.fd, IPPROTO_TCP, TCP_NODELAY)?
            != 0)
    }

    /// `SO_RCVTIMEO` (`None`: wait forever; zero is an error, as in std).
    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        self.sock.set_timeout(SO_RCVTIMEO, t)
    }

    /// `SO_SNDTIMEO`.
    pub fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        self.sock.set_timeout(SO_SNDTIMEO, t)
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.sock.timeout(SO_RCVTIMEO)
    }

    /// Non-blocking mode.
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        self.sock.set_nonblocking(on)
    }

    /// The descriptor.
    pub fn fd(&self) -> Fd {
        self.sock.fd
    }
}

impl<H: Hooks + Send + 'static> io::Read for TcpStream<H> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.sock.stack.recv(self.sock.fd, buf, 0)?)
    }
}

impl<H: Hooks + Send + 'static> io::Write for TcpStream<H> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(self.sock.stack.send(self.sock.fd, buf, 0)?)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A UDP socket (`std::net::UdpSocket`).
pub struct UdpSocket<H = crate::hooks::NoHooks> {
    sock: Owned<H>,
}

impl<H: Hooks + Send + 'static> UdpSocket<H> {
    /// A socket bound to `addr`.
    pub fn bind(stack: &NetStack<H>, addr: SocketAddr) -> io::Result<UdpSocket<H>> {
        let sock = Owned::open(stack, SOCK_DGRAM)?;
        stack.bind(sock.fd, addr)?;
        Ok(UdpSocket { sock })
    }

    /// Sends one datagram to `to`.
    pub fn send_to(&self, buf: &[u8], to: SocketAddr) -> io::Result<usize> {
        Ok(self.sock.stack.sendto(self.sock.fd, buf, 0, to)?)
    }

    /// Receives one datagram (truncated to `buf`) and its sender.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (n, from) = self.sock.stack.recvfrom(self.sock.fd, buf, 0)?;
        Ok((n, from.ok_or(Errno::ENOTCONN)?))
    }

    /// Sets the default peer and filters received datagrams to it.
    pub fn connect(&self, addr: SocketAddr) -> io::Result<()> {
        Ok(self.sock.stack.connect(self.sock.fd, addr)?)
    }

    /// Sends to the connected peer.
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        Ok(self.sock.stack.send(self.sock.fd, buf, 0)?)
    }

    /// Receives from the connected peer.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.sock.stack.recv(self.sock.fd, buf, 0)?)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.sock.stack.getsockname(self.sock.fd)?)
    }

    /// `SO_BROADCAST`.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        Ok(self
            .sock
            .stack
            .setsockopt_int(self.sock.fd, SOL_SOCKET, SO_BROADCAST, i32::from(on))?)
    }

    /// Joins `group` on the interface with address `interface` (unspecified: the default).
    pub fn join_multicast_v4(&self, group: &Ipv4Addr, interface: &Ipv4Addr) -> io::Result<()> {
        self.membership(IP_ADD_MEMBERSHIP, group, interface)
    }

    /// Leaves `group`.
    pub fn leave_multicast_v4(&self, group: &Ipv4Addr, interface: &Ipv4Addr) -> io::Result<()> {
        self.membership(IP_DROP_MEMBERSHIP, group, interface)
    }

    fn membership(&self, name: i32, group: &Ipv4Addr, interface: &Ipv4Addr) -> io::Result<()> {
        let mut mreq = [0u8; 8];
        mreq[..4].copy_from_slice(&group.octets());
        mreq[4..].copy_from_slice(&interface.octets());
        Ok(self
            .sock
            .stack
            .setsockopt(self.sock.fd, IPPROTO_IP, name, &mreq)?)
    }

    /// `IP_MULTICAST_TTL`.
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        let ttl = u8::try_from(ttl).map_err(|_| Errno::EINVAL)?;
        Ok(self
            .sock
            .stack
            .setsockopt(self.sock.fd, IPPROTO_IP, IP_MULTICAST_TTL, &[ttl])?)
    }

    /// `IP_MULTICAST_LOOP`.
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        Ok(self.sock.stack.setsockopt(
            self.sock.fd,
            IPPROTO_IP,
            IP_MULTICAST_LOOP,
            &[u8::from(on)],
        )?)
    }

    /// `SO_RCVTIMEO`.
    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        self.sock.set_timeout(SO_RCVTIMEO, t)
    }

    /// Non-blocking mode.
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        self.sock.set_nonblocking(on)
    }

    /// The descriptor.
    pub fn fd(&self) -> Fd {
        self.sock.fd
    }
}
