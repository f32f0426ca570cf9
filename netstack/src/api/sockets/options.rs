//! `setsockopt`/`getsockopt`: the options of ESP-IDF's sockets, with lwIP's numbers.
//!
//! Values are passed as bytes, as in C: `int` options as a native-endian `i32` (4 bytes),
//! timeouts as a [`Timeval`], `SO_LINGER` as a [`Linger`], `IP_ADD_MEMBERSHIP` as a
//! `struct ip_mreq` (group then interface address, 8 bytes in network order),
//! `IP_MULTICAST_IF` as an address (4 bytes), `IP_MULTICAST_TTL`/`IP_MULTICAST_LOOP` as one
//! byte or an `int`. [`NetStack::setsockopt_int`] and [`NetStack::getsockopt_int`] save
//! the byte handling for `int` options.

use std::net::Ipv4Addr;
use std::time::Duration as StdDuration;
use std::vec::Vec;

use super::fail;
use crate::api::errno::Errno;
use crate::api::socket_table::{Binding, Fd, Socket, SocketType};
use crate::api::tcpip::{Core, NetStack};
use crate::config;
use crate::hooks::{self, Hooks, SockoptVerdict};
use crate::tcp::TcpSocketOptions;
use crate::time::Duration;
use crate::udp::UdpOptions;

/// `SOL_SOCKET`.
pub const SOL_SOCKET: i32 = 0xfff;
/// `IPPROTO_IP`.
pub const IPPROTO_IP: i32 = 0;
/// `SO_ACCEPTCONN` (get): whether the socket listens.
pub const SO_ACCEPTCONN: i32 = 0x0002;
/// `SO_REUSEADDR`: share the local port (with `so_reuse`).
pub const SO_REUSEADDR: i32 = 0x0004;
/// `SO_KEEPALIVE`: probe idle TCP connections.
pub const SO_KEEPALIVE: i32 = 0x0008;
/// `SO_BROADCAST`: allow sending to broadcast addresses.
pub const SO_BROADCAST: i32 = 0x0020;
/// `SO_LINGER` (with `so_linger`).
pub const SO_LINGER: i32 = 0x0080;
/// `SO_RCVBUF` (with `so_rcvbuf`): bytes a UDP socket queues before dropping datagrams.
pub const SO_RCVBUF: i32 = 0x1002;
/// `SO_SNDTIMEO`: how long a blocking send waits.
pub const SO_SNDTIMEO: i32 = 0x1005;
/// `SO_RCVTIMEO`: how long a blocking receive or accept waits.
pub const SO_RCVTIMEO: i32 = 0x1006;
/// `SO_ERROR` (get): takes the pending error.
pub const SO_ERROR: i32 = 0x1007;
/// `SO_TYPE` (get): `SOCK_STREAM` or `SOCK_DGRAM`.
pub const SO_TYPE: i32 = 0x1008;
/// `SO_NO_CHECK`: UDP datagrams go out without a checksum.
pub const SO_NO_CHECK: i32 = 0x100a;
/// `IP_TOS`.
pub const IP_TOS: i32 = 1;
/// `IP_TTL`.
pub const IP_TTL: i32 = 2;
/// `IP_ADD_MEMBERSHIP`: join a multicast group (`struct ip_mreq`).
pub const IP_ADD_MEMBERSHIP: i32 = 3;
/// `IP_DROP_MEMBERSHIP`: leave a multicast group.
pub const IP_DROP_MEMBERSHIP: i32 = 4;
/// `IP_MULTICAST_TTL`.
pub const IP_MULTICAST_TTL: i32 = 5;
/// `IP_MULTICAST_IF`: the interface (by address) multicast goes out on.
pub const IP_MULTICAST_IF: i32 = 6;
/// `IP_MULTICAST_LOOP`: our own multicast comes back to our sockets.
pub const IP_MULTICAST_LOOP: i32 = 7;
/// `IP_PKTINFO`: `recvmsg` reports destination address and interface (with
/// `netbuf_recvinfo`).
pub const IP_PKTINFO: i32 = 8;
/// `TCP_NODELAY`: no Nagle algorithm.
pub const TCP_NODELAY: i32 = 0x01;
/// `TCP_KEEPALIVE`: idle time before keepalive probes, in milliseconds (lwIP's own).
pub const TCP_KEEPALIVE: i32 = 0x02;
/// `TCP_KEEPIDLE`: idle time before keepalive probes, in seconds.
pub const TCP_KEEPIDLE: i32 = 0x03;
/// `TCP_KEEPINTVL`: time between keepalive probes, in seconds.
pub const TCP_KEEPINTVL: i32 = 0x04;
/// `TCP_KEEPCNT`: unanswered probes before the connection is dropped.
pub const TCP_KEEPCNT: i32 = 0x05;

/// `struct timeval` for `SO_RCVTIMEO`/`SO_SNDTIMEO` (16 bytes: two native-endian `i64`).
/// Zero means "wait forever", as in C.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timeval {
    /// Seconds.
    pub tv_sec: i64,
    /// Microseconds.
    pub tv_usec: i64,
}

impl Timeval {
    /// The encoded size.
    pub const SIZE: usize = 16;

    /// The bytes `setsockopt` takes.
    pub fn to_bytes(self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.tv_sec.to_ne_bytes());
        b[8..].copy_from_slice(&self.tv_usec.to_ne_bytes());
        b
    }

    /// Decodes the bytes `getsockopt` wrote.
    pub fn from_bytes(b: &[u8]) -> Option<Timeval> {
        Some(Timeval {
            tv_sec: i64::from_ne_bytes(b.get(..8)?.try_into().ok()?),
            tv_usec: i64::from_ne_bytes(b.get(8..16)?.try_into().ok()?),
        })
    }

    /// A timeout (`None` for zero: no timeout).
    pub fn from_duration(d: Option<StdDuration>) -> Timeval {
        d.map_or(Timeval::default(), |d| Timeval {
            tv_sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            tv_usec: i64::from(d.subsec_micros()),
        })
    }

    fn to_duration(self) -> Result<Option<StdDuration>, Errno> {
        if self.tv_sec < 0 || !(0..1_000_000).contains(&self.tv_usec) {
            return Err(Errno::EINVAL);
        }
        let d = StdDuration::from_secs(self.tv_sec.unsigned_abs())
            + StdDuration::from_micros(self.tv_usec.unsigned_abs());
        Ok((!d.is_zero()).then_some(d))
    }
}

/// `struct linger` for `SO_LINGER` (8 bytes: two native-endian `i32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Linger {
    /// Non-zero: linger on close.
    pub l_onoff: i32,
    /// Seconds to linger (0: reset the connection at close).
    pub l_linger: i32,
}

impl Linger {
    /// The bytes `setsockopt` takes.
    pub fn to_bytes(self) -> [u8; 8] {
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&self.l_onoff.to_ne_bytes());
        b[4..].copy_from_slice(&self.l_linger.to_ne_bytes());
        b
    }

    /// Decodes the bytes `getsockopt` wrote.
    pub fn from_bytes(b: &[u8]) -> Option<Linger> {
        Some(Linger {
            l_onoff: i32::from_ne_bytes(b.get(..4)?.try_into().ok()?),
            l_linger: i32::from_ne_bytes(b.get(4..8)?.try_into().ok()?),
        })
    }
}

/// An option value as the caller passed it.
fn int_value(value: &[u8]) -> Result<i32, Errno> {
    match value.len() {
        1 => Ok(i32::from(value[0])),
        n if n >= 4 => Ok(i32::from_ne_bytes([value[0], value[1], value[2], value[3]])),
        _ => Err(Errno::EINVAL),
    }
}

fn addr_value(value: &[u8], at: usize) -> Result<Ipv4Addr, Errno> {
    let b: [u8; 4] = value
        .get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .ok_or(Errno::EINVAL)?;
    Ok(Ipv4Addr::from(b))
}

/// Writes `bytes` into `out`; returns the length written (`EINVAL` if `out` is short).
fn put(out: &mut [u8], bytes: &[u8]) -> Result<usize, Errno> {
    out.get_mut(..bytes.len())
        .ok_or(Errno::EINVAL)?
        .copy_from_slice(bytes);
    Ok(bytes.len())
}

fn keep_secs(v: i32) -> Result<Duration, Errno> {
    let secs = u64::try_from(v).map_err(|_| Errno::EINVAL)?;
    if secs == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(Duration::from_secs(secs))
}

/// Changes the TCP options of a socket (before or after it is connected).
fn with_tcp<H: Hooks>(
    core: &mut Core<H>,
    fd: Fd,
    change: impl FnOnce(&mut TcpSocketOptions) -> Result<(), Errno>,
) -> Result<(), Errno> {
    let s = core.sockets.get_mut(fd)?;
    if s.ty != SocketType::Stream {
        return Err(Errno::ENOPROTOOPT);
    }
    let mut options = s.tcp_options;
    change(&mut options)?;
    s.tcp_options = options;
    match s.binding {
        Binding::TcpConn(h) => core.stack.tcp_set_options(h, options)?,
        Binding::TcpListener(l) => core.stack.tcp_listener_set_options(l, options)?,
        _ => {}
    }
    Ok(())
}

/// Changes the UDP options of a socket.
fn with_udp<H: Hooks>(
    core: &mut Core<H>,
    fd: Fd,
    change: impl FnOnce(&mut UdpOptions) -> Result<(), Errno>,
) -> Result<(), Errno> {
    let Binding::Udp(h) = core.sockets.get(fd)?.binding else {
        return Err(Errno::ENOPROTOOPT);
    };
    let mut options = core.stack.udp_options(h)?;
    change(&mut options)?;
    core.stack.udp_set_options(h, options)?;
    Ok(())
}

fn set<H: Hooks>(
    core: &mut Core<H>,
    fd: Fd,
    level: i32,
    name: i32,
    value: &[u8],
) -> Result<(), Errno> {
    let s: &Socket = core.sockets.get(fd)?;
    let is_udp = matches!(s.binding, Binding::Udp(_));
    match (level, name) {
        (SOL_SOCKET, SO_REUSEADDR) if config::SO_REUSE => {
            let on = int_value(value)? != 0;
            if is_udp {
                with_udp(core, fd, |o| {
                    o.reuse_addr = on;
                    Ok(())
                })
            } else {
                core.sockets.get_mut(fd)?.reuse_addr = on;
                Ok(())
            }
        }
        (SOL_SOCKET, SO_KEEPALIVE) => {
            let on = int_value(value)? != 0;
            with_tcp(core, fd, |o| {
                o.keepalive.enabled = on;
                Ok(())
            })
        }
        (SOL_SOCKET, SO_BROADCAST) => {
            let on = int_value(value)? != 0;
            if is_udp {
                with_udp(core, fd, |o| {
                    o.broadcast = on;
                    Ok(())
                })
            } else {
                // TCP never broadcasts; accepted and ignored, as lwIP does.
                Ok(())
            }
        }
        (SOL_SOCKET, SO_RCVBUF) if config::SO_RCVBUF => {
            let bytes = usize::try_from(int_value(value)?).map_err(|_| Errno::EINVAL)?;
            if is_udp {
                with_udp(core, fd, |o| {
                    o.rcvbuf = Some(bytes);
                    Ok(())
                })
            } else {
                // TCP's receive buffer is its window (tcp_wnd_default).
                Ok(())
            }
        }
        (SOL_SOCKET, SO_LINGER) if config::SO_LINGER => {
            let l = Linger::from_bytes(value).ok_or(Errno::EINVAL)?;
            if l.l_onoff != 0 && l.l_linger < 0 {
                return Err(Errno::EINVAL);
            }
            core.sockets.get_mut(fd)?.linger = (l.l_onoff != 0).then(|| l.l_linger.unsigned_abs());
            Ok(())
        }
        (SOL_SOCKET, SO_RCVTIMEO) => {
            let t = Timeval::from_bytes(value)
                .ok_or(Errno::EINVAL)?
                .to_duration()?;
            core.sockets.get_mut(fd)?.rcv_timeout = t;
            Ok(())
        }
        (SOL_SOCKET, SO_SNDTIMEO) => {
            let t = Timeval::from_bytes(value)
                .ok_or(Errno::EINVAL)?
                .to_duration()?;
            core.sockets.get_mut(fd)?.snd_timeout = t;
            Ok(())
        }
        (SOL_SOCKET, SO_NO_CHECK) => {
            let on = int_value(value)? != 0;
            with_udp(core, fd, |o| {
                o.no_checksum = on;
                Ok(())
            })
        }
        (SOL_SOCKET, SO_ACCEPTCONN | SO_ERROR | SO_TYPE) => Err(Errno::ENOPROTOOPT),
        (IPPROTO_IP, IP_TTL) => {
            let ttl = u8::try_from(int_value(value)?).map_err(|_| Errno::EINVAL)?;
            if is_udp {
                with_udp(core, fd, |o| {
                    o.ttl = ttl;
                    Ok(())
                })
            } else {
                Err(Errno::ENOPROTOOPT)
            }
        }
        (IPPROTO_IP, IP_TOS) => {
            let tos = u8::try_from(int_value(value)?).map_err(|_| Errno::EINVAL)?;
            if is_udp {
                with_udp(core, fd, |o| {
                    o.tos = tos;
                    Ok(())
                })
            } else {
                Err(Errno::ENOPROTOOPT)
            }
        }
        (IPPROTO_IP, IP_MULTICAST_TTL) => {
            let ttl = u8::try_from(int_value(value)?).map_err(|_| Errno::EINVAL)?;
            with_udp(core, fd, |o| {
                o.multicast_ttl = ttl;
                Ok(())
            })
        }
        (IPPROTO_IP, IP_MULTICAST_LOOP) => {
            let on = int_value(value)? != 0;
            with_udp(core, fd, |o| {
                o.multicast_loop = on;
                Ok(())
            })
        }
        (IPPROTO_IP, IP_MULTICAST_IF) => {
            let addr = addr_value(value, 0)?;
            with_udp(core, fd, |o| {
                o.multicast_if = (!addr.is_unspecified()).then_some(addr);
                Ok(())
            })
        }
        (IPPROTO_IP, IP_ADD_MEMBERSHIP | IP_DROP_MEMBERSHIP) => {
            let Binding::Udp(h) = core.sockets.get(fd)?.binding else {
                return Err(Errno::ENOPROTOOPT);
            };
            let group = addr_value(value, 0)?;
            let interface = addr_value(value, 4)?;
            if !group.is_multicast() {
                return Err(Errno::EINVAL);
            }
            let netif = if interface.is_unspecified() {
                None
            } else {
                Some(
                    core.stack
                        .is_our_addr(interface)
                        .ok_or(Errno::EADDRNOTAVAIL)?,
                )
            };
            if name == IP_ADD_MEMBERSHIP {
                core.stack.udp_join_multicast(h, netif, group)?;
            } else {
                core.stack
                    .udp_leave_multicast(h, netif, group)
                    .map_err(|_| Errno::EADDRNOTAVAIL)?;
            }
            Ok(())
        }
        (IPPROTO_IP, IP_PKTINFO) if config::NETBUF_RECVINFO => {
            let on = int_value(value)? != 0;
            if !is_udp {
                return Err(Errno::ENOPROTOOPT);
            }
            core.sockets.get_mut(fd)?.pktinfo = on;
            Ok(())
        }
        (super::IPPROTO_TCP, TCP_NODELAY) => {
            let on = int_value(value)? != 0;
            with_tcp(core, fd, |o| {
                o.nodelay = on;
                Ok(())
            })
        }
        (super::IPPROTO_TCP, TCP_KEEPALIVE) => {
            let ms = u64::try_from(int_value(value)?).map_err(|_| Errno::EINVAL)?;
            with_tcp(core, fd, |o| {
                o.keepalive.idle = Duration::from_millis(ms.max(1));
                Ok(())
            })
        }
        (super::IPPROTO_TCP, TCP_KEEPIDLE) => {
            let d = keep_secs(int_value(value)?)?;
            with_tcp(core, fd, |o| {
                o.keepalive.idle = d;
                Ok(())
            })
        }
        (super::IPPROTO_TCP, TCP_KEEPINTVL) => {
            let d = keep_secs(int_value(value)?)?;
            with_tcp(core, fd, |o| {
                o.keepalive.interval = d;
                Ok(())
            })
        }
        (super::IPPROTO_TCP, TCP_KEEPCNT) => {
            let n = u32::try_from(int_value(value)?).map_err(|_| Errno::EINVAL)?;
            if n == 0 {
                return Err(Errno::EINVAL);
            }
            with_tcp(core, fd, |o| {
                o.keepalive.count = n;
                Ok(())
            })
        }
        _ => Err(Errno::ENOPROTOOPT),
    }
}

fn get<H: Hooks>(
    core: &mut Core<H>,
    fd: Fd,
    level: i32,
    name: i32,
    len: usize,
) -> Result<Vec<u8>, Errno> {
    let s = core.sockets.get(fd)?;
    let (binding, ty) = (s.binding, s.ty);
    let udp = match binding {
        Binding::Udp(h) => Some(core.stack.udp_options(h)?),
        _ => None,
    };
    let tcp = core.sockets.get(fd)?.tcp_options;
    let int = |v: i32| v.to_ne_bytes().to_vec();
    let bytes = match (level, name) {
        (SOL_SOCKET, SO_ACCEPTCONN) => int(i32::from(matches!(binding, Binding::TcpListener(_)))),
        (SOL_SOCKET, SO_REUSEADDR) if config::SO_REUSE => int(i32::from(
            udp.map_or(core.sockets.get(fd)?.reuse_addr, |o| o.reuse_addr),
        )),
        (SOL_SOCKET, SO_KEEPALIVE) if ty == SocketType::Stream => {
            int(i32::from(tcp.keepalive.enabled))
        }
        (SOL_SOCKET, SO_BROADCAST) => int(i32::from(udp.is_some_and(|o| o.broadcast))),
        (SOL_SOCKET, SO_RCVBUF) if config::SO_RCVBUF => {
            let v = match udp {
                Some(o) => o.rcvbuf.unwrap_or(usize::MAX),
                None => config::TCP_WND_DEFAULT,
            };
            int(i32::try_from(v).unwrap_or(i32::MAX))
        }
        (SOL_SOCKET, SO_LINGER) if config::SO_LINGER => {
            let l = core.sockets.get(fd)?.linger;
            Linger {
                l_onoff: i32::from(l.is_some()),
                l_linger: l.map_or(0, |s| i32::try_from(s).unwrap_or(i32::MAX)),
            }
            .to_bytes()
            .to_vec()
        }
        (SOL_SOCKET, SO_RCVTIMEO) => Timeval::from_duration(core.sockets.get(fd)?.rcv_timeout)
            .to_bytes()
            .to_vec(),
        (SOL_SOCKET, SO_SNDTIMEO) => Timeval::from_duration(core.sockets.get(fd)?.snd_timeout)
            .to_bytes()
            .to_vec(),
        (SOL_SOCKET, SO_ERROR) => int(take_error(core, fd)?.map_or(0, Errno::code)),
        (SOL_SOCKET, SO_TYPE) => int(match ty {
            SocketType::Stream => super::SOCK_STREAM,
            SocketType::Datagram => super::SOCK_DGRAM,
        }),
        (SOL_SOCKET, SO_NO_CHECK) if udp.is_some() => {
            int(i32::from(udp.is_some_and(|o| o.no_checksum)))
        }
        (IPPROTO_IP, IP_TTL) => int(i32::from(udp.map_or(config::IP_DEFAULT_TTL, |o| o.ttl))),
        (IPPROTO_IP, IP_TOS) => int(i32::from(udp.map_or(0, |o| o.tos))),
        (IPPROTO_IP, IP_MULTICAST_TTL) if udp.is_some() => {
            std::vec![udp.map_or(1, |o| o.multicast_ttl)]
        }
        (IPPROTO_IP, IP_MULTICAST_LOOP) if udp.is_some() => {
            std::vec![u8::from(udp.is_some_and(|o| o.multicast_loop))]
        }
        (IPPROTO_IP, IP_MULTICAST_IF) if udp.is_some() => udp
            .and_then(|o| o.multicast_if)
            .unwrap_or(Ipv4Addr::UNSPECIFIED)
            .octets()
            .to_vec(),
        (IPPROTO_IP, IP_PKTINFO) if config::NETBUF_RECVINFO && udp.is_some() => {
            int(i32::from(core.sockets.get(fd)?.pktinfo))
        }
        (super::IPPROTO_TCP, TCP_NODELAY) if ty == SocketType::Stream => {
            int(i32::from(tcp.nodelay))
        }
        (super::IPPROTO_TCP, TCP_KEEPALIVE) if ty == SocketType::Stream => {
            int(i32::try_from(tcp.keepalive.idle.millis()).unwrap_or(i32::MAX))
        }
        (super::IPPROTO_TCP, TCP_KEEPIDLE) if ty == SocketType::Stream => {
            int(i32::try_from(tcp.keepalive.idle.millis() / 1000).unwrap_or(i32::MAX))
        }
        (super::IPPROTO_TCP, TCP_KEEPINTVL) if ty == SocketType::Stream => {
            int(i32::try_from(tcp.keepalive.interval.millis() / 1000).unwrap_or(i32::MAX))
        }
        (super::IPPROTO_TCP, TCP_KEEPCNT) if ty == SocketType::Stream => {
            int(i32::try_from(tcp.keepalive.count).unwrap_or(i32::MAX))
        }
        _ => return Err(Errno::ENOPROTOOPT),
    };
    if bytes.len() > len {
        return Err(Errno::EINVAL);
    }
    Ok(bytes)
}

/// The errno of a sockets option hook's `Err(code)`: `EINVAL` for a code that is not one.
fn hook_errno(code: i32) -> Errno {
    Errno::from_code(code).unwrap_or(Errno::EINVAL)
}

/// Takes the socket's pending error (`SO_ERROR`), finishing a non-blocking connect.
pub(crate) fn take_error<H: Hooks>(core: &mut Core<H>, fd: Fd) -> Result<Option<Errno>, Errno> {
    let s = core.sockets.get(fd)?;
    let (binding, connecting) = (s.binding, s.connecting);
    match binding {
        Binding::TcpConn(h) => {
            let state = core.stack.tcp_state(h)?;
            let pending = core.stack.tcp_take_error(h)?;
            if connecting && state != crate::tcp::TcpState::SynSent {
                core.sockets.get_mut(fd)?.connecting = false;
                if state == crate::tcp::TcpState::Closed {
                    return Ok(Some(match pending {
                        None | Some(crate::Error::ConnectionReset) => Errno::ECONNREFUSED,
                        Some(e) => Errno::from(e),
                    }));
                }
            }
            Ok(pending.map(Errno::from))
        }
        Binding::Udp(h) => Ok(core.stack.udp_take_error(h)?.map(Errno::from)),
        _ => Ok(None),
    }
}

impl<H: Hooks + Send + 'static> NetStack<H> {
    /// `setsockopt(fd, level, name, value)`.
    ///
    /// Errors: `EBADF`; `ENOPROTOOPT` for an option this socket type or the configuration
    /// does not support (`SO_REUSEADDR` without `so_reuse`, `SO_RCVBUF` without
    /// `so_rcvbuf`, `SO_LINGER` without `so_linger`, `IP_PKTINFO` without
    /// `netbuf_recvinfo`, IPv6 options); `EINVAL` for a value of the wrong size or range;
    /// `EADDRNOTAVAIL` for a membership on an address that is not ours.
    ///
    /// The hook `Hooks::sockets_setsockopt` (`LWIP_HOOK_SOCKETS_SETSOCKOPT`, unless
    /// `hook_sockets_setsockopt` is `none`) runs first, once `fd` is known to be a socket, and
    /// may answer for the stack (docs/hooks.md).
    pub fn setsockopt(&self, fd: Fd, level: i32, name: i32, value: &[u8]) -> Result<(), Errno> {
        let value = value.to_vec();
        self.op(move |core| {
            if hooks::enabled::SOCKETS_SETSOCKOPT {
                core.sockets.get(fd)?;
                let verdict = core
                    .stack
                    .hooks_mut()
                    .sockets_setsockopt(fd, level, name, &value);
                if let SockoptVerdict::Handled(r) = verdict {
                    return r.map_err(hook_errno);
                }
            }
            set(core, fd, level, name, &value)
        })
    }

    /// `getsockopt(fd, level, name, out)`: writes the value into `out` and returns its
    /// length (`IP_MULTICAST_TTL` and `IP_MULTICAST_LOOP` are one byte, as in lwIP).
    ///
    /// Errors: as [`setsockopt`](Self::setsockopt), and `EINVAL` when `out` is too short.
    ///
    /// The hook `Hooks::sockets_getsockopt` (`LWIP_HOOK_SOCKETS_GETSOCKOPT`, unless
    /// `hook_sockets_getsockopt` is `none`) runs first, once `fd` is known to be a socket, with
    /// a copy of `out`, and may answer for the stack (docs/hooks.md).
    pub fn getsockopt(
        &self,
        fd: Fd,
        level: i32,
        name: i32,
        out: &mut [u8],
    ) -> Result<usize, Errno> {
        let len = out.len();
        #[cfg(not(netstack_hook_sockets_getsockopt = "none"))]
        let mut buf = out.to_vec();
        let bytes = self.op(move |core| {
            #[cfg(not(netstack_hook_sockets_getsockopt = "none"))]
            {
                core.sockets.get(fd)?;
                let verdict = core
                    .stack
                    .hooks_mut()
                    .sockets_getsockopt(fd, level, name, &mut buf);
                if let SockoptVerdict::Handled(r) = verdict {
                    let n = r.map_err(hook_errno)?;
                    if n > len {
                        return Err(Errno::EINVAL);
                    }
                    buf.truncate(n);
                    return Ok(buf);
                }
            }
            get(core, fd, level, name, len)
        })?;
        fail(put(out, &bytes))
    }

    /// `setsockopt` of an `int` option.
    pub fn setsockopt_int(&self, fd: Fd, level: i32, name: i32, value: i32) -> Result<(), Errno> {
        self.setsockopt(fd, level, name, &value.to_ne_bytes())
    }

    /// `getsockopt` of an `int` option (also reads the one-byte multicast options).
    pub fn getsockopt_int(&self, fd: Fd, level: i32, name: i32) -> Result<i32, Errno> {
        let mut out = [0u8; 4];
        let n = self.getsockopt(fd, level, name, &mut out)?;
        fail(int_value(&out[..n]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeval_round_trips_and_zero_means_forever() {
        let t = Timeval {
            tv_sec: 1,
            tv_usec: 500_000,
        };
        assert_eq!(Timeval::from_bytes(&t.to_bytes()), Some(t));
        assert_eq!(t.to_duration(), Ok(Some(StdDuration::from_millis(1500))));
        assert_eq!(Timeval::default().to_duration(), Ok(None));
        assert_eq!(
            Timeval {
                tv_sec: -1,
                tv_usec: 0
            }
            .to_duration(),
            Err(Errno::EINVAL)
        );
        assert_eq!(Timeval::from_bytes(&[0; 8]), None);
    }

    #[test]
    fn int_values_take_one_or_four_bytes() {
        assert_eq!(int_value(&[1]), Ok(1));
        assert_eq!(int_value(&7i32.to_ne_bytes()), Ok(7));
        assert_eq!(int_value(&[1, 2]), Err(Errno::EINVAL));
    }
}
