//! The BSD sockets API (lwIP `sockets.c`, as ESP-IDF documents it): integer descriptors,
//! `errno` values, blocking calls with `SO_RCVTIMEO`/`SO_SNDTIMEO`, non-blocking mode.
//!
//! Each function is a method of [`NetStack`] named as in C, taking Rust types for what C
//! passes as `struct sockaddr` (a [`SocketAddr`]) and returning `Result<_, Errno>`; a
//! failure also sets the calling thread's [`errno`](super::errno()). Descriptors are
//! numbered from 0 within one stack (they are not the process's file descriptors).
//! IPv6 (`AF_INET6`) arrives with the IPv6 layer; until then it is `EAFNOSUPPORT`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration as StdDuration;

use super::errno::{Errno, set_errno};
use super::socket_table::{Binding, Fd, Socket, SocketType};
use super::tcpip::{Core, NetStack};
use crate::error::Error;
use crate::hooks::Hooks;
use crate::tcp::{Shutdown, TcpState};
use crate::wire::IpEndpoint;

mod control;
mod io;
mod options;
mod select;

pub use control::{
    F_GETFL, F_SETFL, FIONBIO, FIONREAD, O_ACCMODE, O_NDELAY, O_NONBLOCK, O_RDONLY, O_RDWR,
    O_WRONLY,
};
pub use io::{
    MSG_DONTWAIT, MSG_MORE, MSG_NOSIGNAL, MSG_OOB, MSG_PEEK, MSG_TRUNC, MSG_WAITALL, PktInfo,
    RecvMsg,
};
pub use options::{
    IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_MULTICAST_IF, IP_MULTICAST_LOOP, IP_MULTICAST_TTL,
    IP_PKTINFO, IP_TOS, IP_TTL, IPPROTO_IP, Linger, SO_ACCEPTCONN, SO_BROADCAST, SO_ERROR,
    SO_KEEPALIVE, SO_LINGER, SO_NO_CHECK, SO_RCVBUF, SO_RCVTIMEO, SO_REUSEADDR, SO_SNDTIMEO,
    SO_TYPE, SOL_SOCKET, TCP_KEEPALIVE, TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_NODELAY,
    Timeval,
};
pub use select::{
    FD_SETSIZE, FdSet, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDNORM,
    POLLWRNORM, PollFd,
};

/// `AF_UNSPEC`.
pub const AF_UNSPEC: i32 = 0;
/// `AF_INET`: IPv4.
pub const AF_INET: i32 = 2;
/// `AF_INET6`: IPv6 (not built yet: `EAFNOSUPPORT`).
pub const AF_INET6: i32 = 10;
/// `SOCK_STREAM`: TCP.
pub const SOCK_STREAM: i32 = 1;
/// `SOCK_DGRAM`: UDP.
pub const SOCK_DGRAM: i32 = 2;
/// `SOCK_RAW`: raw IP (not built yet: `EPROTONOSUPPORT`).
pub const SOCK_RAW: i32 = 3;
/// `IPPROTO_TCP`.
pub const IPPROTO_TCP: i32 = 6;
/// `IPPROTO_UDP`.
pub const IPPROTO_UDP: i32 = 17;
/// `SHUT_RD`.
pub const SHUT_RD: i32 = 0;
/// `SHUT_WR`.
pub const SHUT_WR: i32 = 1;
/// `SHUT_RDWR`.
pub const SHUT_RDWR: i32 = 2;

/// A failed call records its errno for [`errno`](super::errno()).
fn fail<T>(r: Result<T, Errno>) -> Result<T, Errno> {
    r.map_err(set_errno)
}

/// The stack's endpoint for a socket address; IPv6 is not built yet.
pub(crate) fn endpoint(addr: &SocketAddr) -> Result<IpEndpoint, Errno> {
    match addr {
        SocketAddr::V4(a) => Ok(IpEndpoint::new(IpAddr::V4(*a.ip()), a.port())),
        SocketAddr::V6(_) => Err(Errno::EAFNOSUPPORT),
    }
}

/// The socket address of a stack endpoint.
pub(crate) fn socket_addr(ep: IpEndpoint) -> SocketAddr {
    SocketAddr::new(ep.addr, ep.port)
}

/// `SO_RCVTIMEO` of a socket.
pub(crate) fn rcv_timeout(s: &Socket) -> Option<StdDuration> {
    s.rcv_timeout
}

/// `SO_SNDTIMEO` of a socket.
pub(crate) fn snd_timeout(s: &Socket) -> Option<StdDuration> {
    s.snd_timeout
}

/// What `connect` reports for a connection attempt that ended.
fn connect_error(e: Option<Error>) -> Errno {
    match e {
        Some(Error::ConnectionReset) | Some(Error::ConnectionRefused) | None => Errno::ECONNREFUSED,
        Some(e) => Errno::from(e),
    }
}

impl<H: Hooks + Send + 'static> NetStack<H> {
    /// Runs `f` on the core and flattens the result, recording a failure as errno.
    pub(crate) fn op<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Core<H>) -> Result<R, Errno> + Send + 'static,
    ) -> Result<R, Errno> {
        fail(self.call(f).and_then(|r| r))
    }

    /// Runs `attempt` on socket `fd` until it does not return `EAGAIN`: once for a
    /// non-blocking socket or with `dont_wait`, else waiting for changes up to the timeout
    /// `timeout_of` reads from the socket. A `close` from another thread meanwhile ends the
    /// wait with `EBADF`.
    pub(crate) fn blocking<R, F>(
        &self,
        fd: Fd,
        timeout_of: fn(&Socket) -> Option<StdDuration>,
        dont_wait: bool,
        attempt: F,
    ) -> Result<R, Errno>
    where
        R: Send + 'static,
        F: Fn(&mut Core<H>, Fd) -> Result<R, Errno> + Send + Clone + 'static,
    {
        let (generation, nonblocking, timeout) = self.op(move |core| {
            let s = core.sockets.get(fd)?;
            let out = (s.nonblocking, timeout_of(s));
            let generation = core.sockets.enter(fd)?;
            Ok((generation, out.0, out.1))
        })?;
        let attempt = move |core: &mut Core<H>| {
            core.sockets.get_current(fd, generation)?;
            attempt(core, fd)
        };
        let result = if nonblocking || dont_wait {
            self.call(attempt).and_then(|r| r)
        } else {
            let deadline = timeout.map(|t| std::time::Instant::now() + t);
            self.retry(deadline, attempt)
        };
        let _ = self.call(move |core| {
            let was_full = crate::hooks::enabled::MEMP_AVAILABLE && core.sockets.is_full();
            core.sockets.leave(fd, generation);
            core.report_socket_room(was_full);
        });
        // A `close` waiting for this call to return looks again.
        self.notify_waiters();
        fail(result)
    }

    /// `socket(domain, type, protocol)`: a new socket. `domain` must be [`AF_INET`];
    /// `type` [`SOCK_STREAM`] (protocol 0 or [`IPPROTO_TCP`]) or [`SOCK_DGRAM`] (0 or
    /// [`IPPROTO_UDP`]).
    ///
    /// Errors: `EAFNOSUPPORT`, `EPROTONOSUPPORT` (raw sockets, a protocol that does not fit
    /// the type), `EINVAL` (unknown type), `ENFILE` (`max_sockets` open), `ENOBUFS` (no
    /// UDP control block left).
    pub fn socket(&self, domain: i32, ty: i32, protocol: i32) -> Result<Fd, Errno> {
        if domain != AF_INET {
            return fail(Err(Errno::EAFNOSUPPORT));
        }
        let ty = match (ty, protocol) {
            (SOCK_STREAM, 0 | IPPROTO_TCP) => SocketType::Stream,
            (SOCK_DGRAM, 0 | IPPROTO_UDP) => SocketType::Datagram,
            (SOCK_STREAM | SOCK_DGRAM | SOCK_RAW, _) => return fail(Err(Errno::EPROTONOSUPPORT)),
            _ => return fail(Err(Errno::EINVAL)),
        };
        self.op(move |core| match ty {
            SocketType::Stream => core.sockets.open(ty, Binding::TcpNew),
            SocketType::Datagram => {
                let h = core.stack.udp_open().map_err(|_| Errno::ENOBUFS)?;
                core.sockets.open(ty, Binding::Udp(h)).inspect_err(|_| {
                    let _ = core.stack.udp_close(h);
                })
            }
        })
    }

    /// `bind(fd, addr)`: the local address and port (port 0 picks an ephemeral port).
    ///
    /// Errors: `EBADF`, `EADDRINUSE` (unless every user of the port set `SO_REUSEADDR`,
    /// with `so_reuse`), `EADDRNOTAVAIL` (not one of our addresses), `EINVAL` (already
    /// bound, listening or connected), `EAFNOSUPPORT`.
    pub fn bind(&self, fd: Fd, addr: SocketAddr) -> Result<(), Errno> {
        let ep = fail(endpoint(&addr))?;
        self.op(move |core| {
            let s = core.sockets.get(fd)?;
            match s.binding {
                Binding::Udp(h) => Ok(core.stack.udp_bind(h, ep)?),
                Binding::TcpNew if s.local.is_none() => {
                    let reuse = s.reuse_addr;
                    let local = tcp_bind_check(core, fd, ep, reuse)?;
                    core.sockets.get_mut(fd)?.local = Some(local);
                    Ok(())
                }
                _ => Err(Errno::EINVAL),
            }
        })
    }

    /// `listen(fd, backlog)`: accept connections on a TCP socket (bound to an ephemeral
    /// port if it was not bound). At most `tcp_acceptmbox_size` connections wait to be
    /// accepted, whatever `backlog` says.
    ///
    /// Errors: `EBADF`, `EOPNOTSUPP` (UDP), `EINVAL` (connected), `EADDRINUSE`, `ENOBUFS`
    /// (`max_listening_tcp` listeners).
    pub fn listen(&self, fd: Fd, _backlog: i32) -> Result<(), Errno> {
        self.op(move |core| {
            let s = core.sockets.get(fd)?;
            match s.binding {
                Binding::TcpListener(_) => Ok(()),
                Binding::TcpNew => {
                    let local = s
                        .local
                        .unwrap_or(IpEndpoint::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0));
                    let options = s.tcp_options;
                    let l = core.stack.tcp_listen(local)?;
                    let _ = core.stack.tcp_listener_set_options(l, options);
                    core.sockets.get_mut(fd)?.binding = Binding::TcpListener(l);
                    Ok(())
                }
                Binding::Udp(_) => Err(Errno::EOPNOTSUPP),
                Binding::TcpConn(_) => Err(Errno::EINVAL),
            }
        })
    }

    /// `accept(fd)`: the next connection of a listening socket, as a new descriptor with
    /// the peer's address. Blocks (up to `SO_RCVTIMEO`) unless the socket is non-blocking.
    ///
    /// Errors: `EBADF` (also when the socket is closed meanwhile), `EINVAL` (not
    /// listening), `EAGAIN`, `ENFILE` (no descriptor left: the connection is reset).
    pub fn accept(&self, fd: Fd) -> Result<(Fd, SocketAddr), Errno> {
        self.blocking(fd, rcv_timeout, false, |core, fd| {
            let Binding::TcpListener(l) = core.sockets.get(fd)?.binding else {
                return Err(Errno::EINVAL);
            };
            let h = core.stack.tcp_accept(l)?;
            let peer = core.stack.tcp_remote_endpoint(h)?;
            match core.sockets.open(SocketType::Stream, Binding::TcpConn(h)) {
                Ok(new) => {
                    if let Ok(options) = core.stack.tcp_options(h) {
                        core.sockets.get_mut(new)?.tcp_options = options;
                    }
                    Ok((new, socket_addr(peer)))
                }
                Err(e) => {
                    let _ = core.stack.tcp_abort(h);
                    Err(e)
                }
            }
        })
    }

    /// `connect(fd, addr)`. TCP: opens the connection; a blocking socket waits until it is
    /// established or fails, a non-blocking one returns `EINPROGRESS` and reports the
    /// outcome through writability (`select`/`poll`) and `SO_ERROR`. UDP: sets the default
    /// peer and filters received datagrams to it.
    ///
    /// Errors: `EBADF`, `ECONNREFUSED`, `ETIMEDOUT`, `ENETUNREACH` (no route),
    /// `EHOSTUNREACH`, `EINPROGRESS`, `EALREADY` (a non-blocking connect is under way),
    /// `EISCONN`, `EADDRINUSE`, `ENOBUFS` (`max_active_tcp` connections), `EINVAL`
    /// (unspecified, broadcast or multicast peer, port 0).
    pub fn connect(&self, fd: Fd, addr: SocketAddr) -> Result<(), Errno> {
        let remote = fail(endpoint(&addr))?;
        let started = self.op(move |core| {
            let s = core.sockets.get(fd)?;
            // No interface, or no next hop on it (off-link without a gateway): fail now
            // rather than after every SYN retransmission.
            if let IpAddr::V4(dst) = remote.addr
                && !dst.is_unspecified()
                && !dst.is_broadcast()
            {
                let src = match s.local.map(|l| l.addr) {
                    Some(IpAddr::V4(a)) if !a.is_unspecified() => Some(a),
                    _ => None,
                };
                core.stack
                    .check_route(src, dst)
                    .map_err(|_| Errno::ENETUNREACH)?;
            }
            let s = core.sockets.get(fd)?;
            match s.binding {
                Binding::Udp(h) => {
                    core.stack.udp_connect(h, remote)?;
                    Ok(false)
                }
                Binding::TcpNew => {
                    let (local, options, nonblocking) = (s.local, s.tcp_options, s.nonblocking);
                    let h = core.stack.tcp_connect(remote, local).map_err(|e| match e {
                        Error::NoRoute => Errno::ENETUNREACH,
                        e => Errno::from(e),
                    })?;
                    let _ = core.stack.tcp_set_options(h, options);
                    let s = core.sockets.get_mut(fd)?;
                    s.binding = Binding::TcpConn(h);
                    s.connecting = true;
                    if nonblocking {
                        Err(Errno::EINPROGRESS)
                    } else {
                        Ok(true)
                    }
                }
                Binding::TcpConn(_) if s.connecting => Err(Errno::EALREADY),
                Binding::TcpConn(_) | Binding::TcpListener(_) => Err(Errno::EISCONN),
            }
        })?;
        if !started {
            return Ok(());
        }
        self.blocking(
            fd,
            |_| None,
            false,
            |core, fd| {
                let Binding::TcpConn(h) = core.sockets.get(fd)?.binding else {
                    return Err(Errno::ECONNABORTED);
                };
                match core.stack.tcp_state(h)? {
                    TcpState::SynSent | TcpState::SynReceived => Err(Errno::EAGAIN),
                    TcpState::Closed => {
                        let e = connect_error(core.stack.tcp_take_error(h)?);
                        core.sockets.get_mut(fd)?.connecting = false;
                        Err(e)
                    }
                    _ => {
                        core.sockets.get_mut(fd)?.connecting = false;
                        Ok(())
                    }
                }
            },
        )
    }

    /// `shutdown(fd, how)`: [`SHUT_RD`], [`SHUT_WR`] (a FIN follows the queued data) or
    /// [`SHUT_RDWR`] on a TCP connection.
    ///
    /// Errors: `EBADF`, `ENOTCONN`, `EOPNOTSUPP` (UDP), `EINVAL` (bad `how`).
    pub fn shutdown(&self, fd: Fd, how: i32) -> Result<(), Errno> {
        let how = match how {
            SHUT_RD => Shutdown::Read,
            SHUT_WR => Shutdown::Write,
            SHUT_RDWR => Shutdown::Both,
            _ => return fail(Err(Errno::EINVAL)),
        };
        self.op(move |core| {
            let s = core.sockets.get(fd)?;
            match s.binding {
                Binding::TcpConn(h) => {
                    core.stack.tcp_shutdown(h, how).map_err(|e| match e {
                        Error::NotConnected => Errno::ENOTCONN,
                        e => Errno::from(e),
                    })?;
                    let s = core.sockets.get_mut(fd)?;
                    s.shut_rd |= matches!(how, Shutdown::Read | Shutdown::Both);
                    s.shut_wr |= matches!(how, Shutdown::Write | Shutdown::Both);
                    Ok(())
                }
                Binding::Udp(_) => Err(Errno::EOPNOTSUPP),
                _ => Err(Errno::ENOTCONN),
            }
        })
    }

    /// `close(fd)`: releases the socket. A TCP connection closes gracefully (a reset if
    /// unread data is left, or with `SO_LINGER` of 0 seconds); with a positive
    /// `SO_LINGER`, `close` first waits up to that long for queued data to be acknowledged.
    /// Calls blocked on the socket in other threads return `EBADF`; `close` returns once
    /// they have.
    ///
    /// Errors: `EBADF`.
    pub fn close(&self, fd: Fd) -> Result<(), Errno> {
        let linger = self.op(move |core| Ok(core.sockets.get(fd)?.linger))?;
        if let Some(secs) = linger.filter(|&s| s > 0) {
            let deadline = std::time::Instant::now() + StdDuration::from_secs(u64::from(secs));
            let _ = self.retry(Some(deadline), move |core| {
                let Ok(Binding::TcpConn(h)) = core.sockets.get(fd).map(|s| s.binding) else {
                    return Ok(());
                };
                match core.stack.tcp_queued(h) {
                    Ok((_, unacked)) if unacked > 0 => Err(Errno::EAGAIN),
                    _ => Ok(()),
                }
            });
        }
        let generation = self.op(move |core| {
            let was_full = crate::hooks::enabled::MEMP_AVAILABLE && core.sockets.is_full();
            let (binding, generation) = core.sockets.close(fd)?;
            release(core, binding, linger == Some(0));
            core.report_socket_room(was_full);
            Ok(generation)
        })?;
        self.notify_waiters();
        // Wait for calls other threads have in progress on this socket to return.
        let _ = self.retry(None, move |core| {
            if core.sockets.holds(fd, generation) {
                Err(Errno::EAGAIN)
            } else {
                Ok(())
            }
        });
        Ok(())
    }

    /// `getsockname(fd)`: the local address (`0.0.0.0:0` for an unbound socket).
    pub fn getsockname(&self, fd: Fd) -> Result<SocketAddr, Errno> {
        self.op(move |core| {
            let s = core.sockets.get(fd)?;
            let unspecified = IpEndpoint::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
            let ep = match s.binding {
                Binding::TcpNew => s.local.unwrap_or(unspecified),
                Binding::TcpListener(l) => core.stack.tcp_listener_endpoint(l)?,
                Binding::TcpConn(h) => core.stack.tcp_local_endpoint(h)?,
                Binding::Udp(h) => core.stack.udp_local_endpoint(h)?,
            };
            Ok(socket_addr(ep))
        })
    }

    /// `getpeername(fd)`: the connected peer's address.
    ///
    /// Errors: `EBADF`, `ENOTCONN`.
    pub fn getpeername(&self, fd: Fd) -> Result<SocketAddr, Errno> {
        self.op(move |core| {
            let s = core.sockets.get(fd)?;
            let ep = match s.binding {
                Binding::TcpConn(h) if !s.connecting => core.stack.tcp_remote_endpoint(h)?,
                Binding::Udp(h) => core
                    .stack
                    .udp_remote_endpoint(h)
                    .map_err(|_| Errno::ENOTCONN)?,
                _ => return Err(Errno::ENOTCONN),
            };
            Ok(socket_addr(ep))
        })
    }

    /// The descriptors open now (for leak checks and diagnostics).
    pub fn open_sockets(&self) -> Result<std::vec::Vec<Fd>, Errno> {
        self.call(|core| core.sockets.open_fds().collect())
    }
}

/// Checks a TCP `bind` to `ep` and picks the ephemeral port for port 0.
fn tcp_bind_check<H: Hooks>(
    core: &mut Core<H>,
    fd: Fd,
    ep: IpEndpoint,
    reuse: bool,
) -> Result<IpEndpoint, Errno> {
    let IpAddr::V4(addr) = ep.addr else {
        return Err(Errno::EAFNOSUPPORT);
    };
    if !(addr.is_unspecified() || addr.is_loopback() || core.stack.is_our_addr(addr).is_some()) {
        return Err(Errno::EADDRNOTAVAIL);
    }
    let reuse = reuse && crate::config::SO_REUSE;
    let taken_by_socket = |core: &Core<H>, port: u16| {
        core.sockets.iter().any(|(other, s)| {
            other != fd
                && s.binding == Binding::TcpNew
                && !(reuse && s.reuse_addr)
                && s.local.is_some_and(|l| {
                    l.port == port
                        && (l.addr == ep.addr || l.addr.is_unspecified() || addr.is_unspecified())
                })
        })
    };
    let port = if ep.port == 0 {
        // A few random picks; bound sockets take at most `max_sockets` ports.
        let mut found = None;
        for _ in 0..crate::config::MAX_SOCKETS + 2 {
            let stack = &mut core.stack;
            let Some(p) = stack.tcp.ephemeral_port(&mut stack.rng) else {
                break;
            };
            if !taken_by_socket(core, p) {
                found = Some(p);
                break;
            }
        }
        found.ok_or(Errno::EADDRINUSE)?
    } else {
        if core.stack.tcp.port_in_use(addr, ep.port, reuse) || taken_by_socket(core, ep.port) {
            return Err(Errno::EADDRINUSE);
        }
        ep.port
    };
    Ok(IpEndpoint::new(ep.addr, port))
}

/// Releases what a closed socket held in the stack.
fn release<H: Hooks>(core: &mut Core<H>, binding: Binding, abort: bool) {
    match binding {
        Binding::TcpConn(h) if abort && crate::config::SO_LINGER => {
            let _ = core.stack.tcp_abort(h);
        }
        Binding::TcpConn(h) => {
            let _ = core.stack.tcp_close(h);
        }
        Binding::TcpListener(l) => {
            let _ = core.stack.tcp_listener_close(l);
        }
        Binding::Udp(h) => {
            let _ = core.stack.udp_close(h);
        }
        Binding::TcpNew => {}
    }
}
