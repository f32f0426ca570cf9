//! Moving data: `send`/`sendto`/`sendmsg`/`write`/`writev` and
//! `recv`/`recvfrom`/`recvmsg`/`read`/`readv`.

use std::io::{IoSlice, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::vec::Vec;

use super::{endpoint, fail, rcv_timeout, snd_timeout, socket_addr};
use crate::api::errno::Errno;
use crate::api::socket_table::{Binding, Fd};
use crate::api::tcpip::{Core, NetStack};
use crate::config;
use crate::error::Error;
use crate::hooks::Hooks;

/// `MSG_PEEK`: receive without taking the data out of the queue.
pub const MSG_PEEK: i32 = 0x01;
/// `MSG_WAITALL`: a TCP receive waits for the whole buffer (or EOF, an error, a timeout).
pub const MSG_WAITALL: i32 = 0x02;
/// `MSG_OOB`: urgent data (not supported: `EOPNOTSUPP`).
pub const MSG_OOB: i32 = 0x04;
/// `MSG_DONTWAIT`: this call does not block.
pub const MSG_DONTWAIT: i32 = 0x08;
/// `MSG_MORE`: more data follows (accepted; Nagle already coalesces).
pub const MSG_MORE: i32 = 0x10;
/// `MSG_NOSIGNAL`: accepted (the stack never raises signals).
pub const MSG_NOSIGNAL: i32 = 0x20;
/// In [`RecvMsg::flags`]: the datagram was longer than the buffers and was truncated.
pub const MSG_TRUNC: i32 = 0x04;

/// Largest chunk one attempt moves through the mailbox: bounds the copy made per call.
const CHUNK: usize = 64 * 1024;

/// The destination of a received datagram (`IP_PKTINFO`, `struct in_pktinfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PktInfo {
    /// The address it was sent to (ours, a broadcast or a multicast group).
    pub addr: Ipv4Addr,
    /// The interface it arrived on (`ipi_ifindex`: the netif number plus one).
    pub ifindex: u32,
}

/// What [`NetStack::recvmsg`] received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvMsg {
    /// Bytes stored in the buffers.
    pub len: usize,
    /// The sender (the peer, for TCP).
    pub from: Option<SocketAddr>,
    /// [`MSG_TRUNC`] when a datagram did not fit.
    pub flags: i32,
    /// `IP_PKTINFO` control data, when the socket asked for it (with `netbuf_recvinfo`).
    pub pktinfo: Option<PktInfo>,
}

/// Received data, owned.
pub(crate) struct Received {
    pub data: Vec<u8>,
    pub from: Option<SocketAddr>,
    pub truncated: bool,
    pub pktinfo: Option<PktInfo>,
    /// The peer closed the stream (no more data will come).
    pub eof: bool,
}

fn check_flags(flags: i32, allowed: i32) -> Result<(), Errno> {
    if flags & MSG_OOB != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if flags & !allowed != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// Receives up to `max` bytes from socket `fd` in one attempt.
fn recv_once<H: Hooks>(
    core: &mut Core<H>,
    fd: Fd,
    max: usize,
    peek: bool,
) -> Result<Received, Errno> {
    let s = core.sockets.get(fd)?;
    let (pktinfo_wanted, shut_rd) = (s.pktinfo, s.shut_rd);
    match s.binding {
        Binding::TcpConn(h) => {
            if shut_rd {
                return Ok(Received::eof());
            }
            let from = core.stack.tcp_remote_endpoint(h).ok().map(socket_addr);
            let mut data = std::vec![0u8; max.min(CHUNK)];
            let n = if peek {
                core.stack.tcp_peek(h, &mut data)?
            } else {
                match core.stack.tcp_recv(h, &mut data) {
                    Ok(n) => n,
                    Err(Error::WouldBlock) => return Err(Errno::EAGAIN),
                    Err(e) => return Err(Errno::from(e)),
                }
            };
            data.truncate(n);
            Ok(Received {
                eof: n == 0 && max > 0,
                data,
                from,
                truncated: false,
                pktinfo: None,
            })
        }
        Binding::TcpNew | Binding::TcpListener(_) => Err(Errno::ENOTCONN),
        Binding::Udp(h) => {
            let datagram = if peek {
                core.stack.udp_peek(h)?.clone()
            } else {
                core.stack.udp_recv_from(h)?
            };
            let truncated = datagram.data.len() > max;
            let mut data = datagram.data;
            data.truncate(max);
            let pktinfo = (config::NETBUF_RECVINFO && pktinfo_wanted).then(|| PktInfo {
                addr: datagram.dst,
                ifindex: u32::from(datagram.netif.0) + 1,
            });
            Ok(Received {
                data,
                from: Some(socket_addr(datagram.src)),
                truncated,
                pktinfo,
                eof: false,
            })
        }
    }
}

impl Received {
    fn eof() -> Received {
        Received {
            data: Vec::new(),
            from: None,
            truncated: false,
            pktinfo: None,
            eof: true,
        }
    }
}

/// Sends `data[offset..]` (at most one chunk) on socket `fd` in one attempt; returns the
/// bytes taken.
fn send_once<H: Hooks>(
    core: &mut Core<H>,
    fd: Fd,
    data: &[u8],
    to: Option<SocketAddr>,
) -> Result<usize, Errno> {
    let s = core.sockets.get(fd)?;
    let shut_wr = s.shut_wr;
    match s.binding {
        Binding::TcpConn(h) => {
            if shut_wr {
                return Err(Errno::ESHUTDOWN);
            }
            if to.is_some()
                && !matches!(core.stack.tcp_state(h)?, crate::tcp::TcpState::Established)
            {
                return Err(Errno::EISCONN);
            }
            let chunk = &data[..data.len().min(CHUNK)];
            match core.stack.tcp_send(h, chunk) {
                Ok(n) => Ok(n),
                Err(Error::WouldBlock) => Err(Errno::EAGAIN),
                Err(Error::NotConnected) => {
                    if core.sockets.get(fd)?.connecting {
                        Err(Errno::EAGAIN)
                    } else {
                        Err(Errno::ENOTCONN)
                    }
                }
                Err(e) => Err(Errno::from(e)),
            }
        }
        Binding::TcpNew | Binding::TcpListener(_) => Err(Errno::ENOTCONN),
        Binding::Udp(h) => {
            let result = match to {
                Some(addr) => core.stack.udp_send_to(h, data, endpoint(&addr)?),
                None => core.stack.udp_send(h, data),
            };
            match result {
                Ok(()) => Ok(data.len()),
                Err(Error::NotConnected) => Err(Errno::EDESTADDRREQ),
                Err(Error::NoRoute) => Err(Errno::ENETUNREACH),
                Err(Error::BufferFull) => Err(Errno::ENOMEM),
                Err(e) => Err(Errno::from(e)),
            }
        }
    }
}

impl<H: Hooks + Send + 'static> NetStack<H> {
    /// Receives into `max` bytes of fresh memory: the common part of every receive call.
    pub(crate) fn receive_owned(&self, fd: Fd, max: usize, flags: i32) -> Result<Received, Errno> {
        fail(check_flags(flags, MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT))?;
        let peek = flags & MSG_PEEK != 0;
        let dont_wait = flags & MSG_DONTWAIT != 0;
        let first = self.blocking(fd, rcv_timeout, dont_wait, move |core, fd| {
            recv_once(core, fd, max, peek)
        })?;
        if flags & MSG_WAITALL == 0 || peek || first.data.len() >= max || first.data.is_empty() {
            return Ok(first);
        }
        // MSG_WAITALL on a stream: keep receiving until the buffer is full.
        let mut all = first;
        if all.from.is_none() || all.truncated {
            return Ok(all);
        }
        while all.data.len() < max {
            let want = max - all.data.len();
            match self.blocking(fd, rcv_timeout, dont_wait, move |core, fd| {
                recv_once(core, fd, want, false)
            }) {
                Ok(more) if more.data.is_empty() => break,
                Ok(more) => all.data.extend_from_slice(&more.data),
                Err(_) => break,
            }
        }
        Ok(all)
    }

    /// `recv(fd, buf, flags)`: bytes received (0: the peer closed). Flags: [`MSG_PEEK`],
    /// [`MSG_WAITALL`], [`MSG_DONTWAIT`]. A datagram longer than `buf` is truncated.
    ///
    /// Errors: `EBADF`, `EAGAIN` (non-blocking, or `SO_RCVTIMEO` passed), `ENOTCONN`,
    /// `ECONNRESET`, `ETIMEDOUT`, `EOPNOTSUPP` (`MSG_OOB`), `EINVAL` (unknown flag).
    pub fn recv(&self, fd: Fd, buf: &mut [u8], flags: i32) -> Result<usize, Errno> {
        let r = self.receive_owned(fd, buf.len(), flags)?;
        buf[..r.data.len()].copy_from_slice(&r.data);
        Ok(r.data.len())
    }

    /// `read(fd, buf)`: `recv` without flags.
    pub fn read(&self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
        self.recv(fd, buf, 0)
    }

    /// `recvfrom(fd, buf, flags)`: like [`recv`](Self::recv), with the sender's address.
    pub fn recvfrom(
        &self,
        fd: Fd,
        buf: &mut [u8],
        flags: i32,
    ) -> Result<(usize, Option<SocketAddr>), Errno> {
        let r = self.receive_owned(fd, buf.len(), flags)?;
        buf[..r.data.len()].copy_from_slice(&r.data);
        Ok((r.data.len(), r.from))
    }

    /// `recvmsg(fd, iov, flags)`: scatters one receive over `bufs`; reports the sender,
    /// truncation ([`MSG_TRUNC`]) and `IP_PKTINFO` data.
    pub fn recvmsg(
        &self,
        fd: Fd,
        bufs: &mut [IoSliceMut<'_>],
        flags: i32,
    ) -> Result<RecvMsg, Errno> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let r = self.receive_owned(fd, total, flags)?;
        let len = scatter(&r.data, bufs);
        Ok(RecvMsg {
            len,
            from: r.from,
            flags: if r.truncated { MSG_TRUNC } else { 0 },
            pktinfo: r.pktinfo,
        })
    }

    /// `readv(fd, iov)`: `recvmsg` without flags, returning the byte count.
    pub fn readv(&self, fd: Fd, bufs: &mut [IoSliceMut<'_>]) -> Result<usize, Errno> {
        Ok(self.recvmsg(fd, bufs, 0)?.len)
    }

    /// Sends `data` to `to` (or the connected peer): a blocking TCP send queues all of it
    /// (waiting for room up to `SO_SNDTIMEO`, then returning what was queued, or `EAGAIN`
    /// if nothing was); a non-blocking one queues what fits.
    fn transmit(
        &self,
        fd: Fd,
        data: &[u8],
        to: Option<SocketAddr>,
        flags: i32,
    ) -> Result<usize, Errno> {
        fail(check_flags(flags, MSG_DONTWAIT | MSG_MORE | MSG_NOSIGNAL))?;
        let dont_wait = flags & MSG_DONTWAIT != 0;
        let is_udp =
            self.op(move |core| Ok(matches!(core.sockets.get(fd)?.binding, Binding::Udp(_))))?;
        if is_udp {
            let data: Arc<[u8]> = Arc::from(data);
            return self.blocking(fd, snd_timeout, dont_wait, move |core, fd| {
                send_once(core, fd, &data, to)
            });
        }
        let mut sent = 0;
        while sent < data.len() {
            let end = (sent + CHUNK).min(data.len());
            let chunk: Arc<[u8]> = Arc::from(&data[sent..end]);
            match self.blocking(fd, snd_timeout, dont_wait, move |core, fd| {
                send_once(core, fd, &chunk, to)
            }) {
                Ok(n) => sent += n,
                Err(e) if sent == 0 => return Err(e),
                Err(_) => break,
            }
            let nonblocking =
                dont_wait || self.op(move |core| Ok(core.sockets.get(fd)?.nonblocking))?;
            if nonblocking && sent < end {
                break;
            }
        }
        if data.is_empty() {
            // A zero-length send still reports a broken connection.
            let empty: Arc<[u8]> = Arc::from(&[][..]);
            self.op(move |core| send_once(core, fd, &empty, to))?;
        }
        Ok(sent)
    }

    /// `send(fd, data, flags)`: bytes queued. Flags: [`MSG_DONTWAIT`], [`MSG_MORE`],
    /// [`MSG_NOSIGNAL`].
    ///
    /// Errors: `EBADF`, `EAGAIN`, `ENOTCONN`, `EDESTADDRREQ` (unconnected UDP), `ECONNRESET`,
    /// `ESHUTDOWN` (after `shutdown(SHUT_WR)`), `EMSGSIZE`, `ENETUNREACH`, `EINVAL`
    /// (broadcast without `SO_BROADCAST`, unknown flag), `EOPNOTSUPP` (`MSG_OOB`).
    pub fn send(&self, fd: Fd, data: &[u8], flags: i32) -> Result<usize, Errno> {
        self.transmit(fd, data, None, flags)
    }

    /// `write(fd, data)`: `send` without flags.
    pub fn write(&self, fd: Fd, data: &[u8]) -> Result<usize, Errno> {
        self.transmit(fd, data, None, 0)
    }

    /// `sendto(fd, data, flags, to)`: a UDP datagram to `to` (on a TCP socket `to` must be
    /// absent or the connection's peer is used: `EISCONN` otherwise).
    pub fn sendto(&self, fd: Fd, data: &[u8], flags: i32, to: SocketAddr) -> Result<usize, Errno> {
        self.transmit(fd, data, Some(to), flags)
    }

    /// `sendmsg(fd, iov, flags, to)`: gathers `bufs` into one send (one datagram for UDP).
    pub fn sendmsg(
        &self,
        fd: Fd,
        bufs: &[IoSlice<'_>],
        flags: i32,
        to: Option<SocketAddr>,
    ) -> Result<usize, Errno> {
        let data: Vec<u8> = bufs.iter().flat_map(|b| b.iter().copied()).collect();
        self.transmit(fd, &data, to, flags)
    }

    /// `writev(fd, iov)`: `sendmsg` without flags or address.
    pub fn writev(&self, fd: Fd, bufs: &[IoSlice<'_>]) -> Result<usize, Errno> {
        self.sendmsg(fd, bufs, 0, None)
    }
}

/// Copies `data` across `bufs` in order; returns the bytes copied.
fn scatter(data: &[u8], bufs: &mut [IoSliceMut<'_>]) -> usize {
    let mut done = 0;
    for buf in bufs.iter_mut() {
        let n = buf.len().min(data.len() - done);
        buf[..n].copy_from_slice(&data[done..done + n]);
        done += n;
        if done == data.len() {
            break;
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scatter_fills_buffers_in_order() {
        let (mut a, mut b) = ([0u8; 3], [0u8; 4]);
        let mut bufs = [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)];
        assert_eq!(scatter(b"hello", &mut bufs), 5);
        assert_eq!(&a, b"hel");
        assert_eq!(&b[..2], b"lo");
    }

    #[test]
    fn flags_are_checked() {
        assert_eq!(check_flags(MSG_OOB, MSG_PEEK), Err(Errno::EOPNOTSUPP));
        assert_eq!(check_flags(0x4000, MSG_PEEK), Err(Errno::EINVAL));
        assert_eq!(check_flags(MSG_PEEK, MSG_PEEK), Ok(()));
    }
}
