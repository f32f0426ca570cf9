//! The netconn API (lwIP `api_lib.c`): connections as values rather than descriptors, and
//! received data handed over as [`Netbuf`]s that own it — a received datagram moves out of
//! the stack without being copied, TCP data is copied once (the sockets API copies it
//! again into the caller's buffer).
//!
//! A netconn takes a slot of the same table as the sockets (`max_sockets`).

use std::net::SocketAddr;
use std::vec::Vec;

use super::errno::Errno;
use super::socket_table::Fd;
use super::sockets::{AF_INET, PktInfo, SHUT_RDWR, SOCK_DGRAM, SOCK_STREAM};
use super::tcpip::NetStack;
use crate::hooks::Hooks;

/// What kind of connection (`NETCONN_TCP`, `NETCONN_UDP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetconnType {
    /// A TCP connection or listener.
    Tcp,
    /// A UDP endpoint.
    Udp,
}

/// Received data with where it came from (lwIP's `struct netbuf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Netbuf {
    /// The data.
    pub data: Vec<u8>,
    /// The sender.
    pub from: Option<SocketAddr>,
    /// Destination address and interface of a datagram (`netbuf_recvinfo`, when asked
    /// for with `IP_PKTINFO` on the netconn's descriptor).
    pub pktinfo: Option<PktInfo>,
}

/// A connection (lwIP `struct netconn`). Dropping it deletes it (`netconn_delete`).
pub struct Netconn<H = crate::hooks::NoHooks> {
    stack: NetStack<H>,
    fd: Fd,
    closed: bool,
    /// How to delete it, chosen where `H: Hooks` is known (so dropping needs no bound).
    delete: fn(&NetStack<H>, Fd),
}

/// Deletes `fd`, ignoring errors (a drop has nobody to report them to).
fn delete_quietly<H: Hooks + Send + 'static>(stack: &NetStack<H>, fd: Fd) {
    let _ = stack.close(fd);
}

impl<H: Hooks + Send + 'static> Netconn<H> {
    /// `netconn_new`.
    ///
    /// Errors: `ENFILE` (the table is full), `ENOBUFS`.
    pub fn new(stack: &NetStack<H>, ty: NetconnType) -> Result<Netconn<H>, Errno> {
        let sock_type = match ty {
            NetconnType::Tcp => SOCK_STREAM,
            NetconnType::Udp => SOCK_DGRAM,
        };
        let fd = stack.socket(AF_INET, sock_type, 0)?;
        Ok(Netconn::adopt(stack, fd))
    }

    fn adopt(stack: &NetStack<H>, fd: Fd) -> Netconn<H> {
        Netconn {
            stack: stack.clone(),
            fd,
            closed: false,
            delete: delete_quietly::<H>,
        }
    }

    /// The descriptor this netconn occupies (for `setsockopt`, `select`).
    pub fn fd(&self) -> Fd {
        self.fd
    }

    /// `netconn_bind`.
    pub fn bind(&self, addr: SocketAddr) -> Result<(), Errno> {
        self.stack.bind(self.fd, addr)
    }

    /// `netconn_connect`: TCP waits until the connection is established or fails.
    pub fn connect(&self, addr: SocketAddr) -> Result<(), Errno> {
        self.stack.connect(self.fd, addr)
    }

    /// `netconn_listen`.
    pub fn listen(&self) -> Result<(), Errno> {
        self.stack.listen(self.fd, 0)
    }

    /// `netconn_accept`: waits for the next connection.
    pub fn accept(&self) -> Result<Netconn<H>, Errno> {
        let (fd, _) = self.stack.accept(self.fd)?;
        Ok(Netconn::adopt(&self.stack, fd))
    }

    /// `netconn_recv`: the next received data, waiting for it; `None` once the peer closed
    /// a TCP connection.
    pub fn recv(&self) -> Result<Option<Netbuf>, Errno> {
        let r = self.stack.receive_owned(self.fd, usize::MAX, 0)?;
        if r.data.is_empty() && r.eof {
            return Ok(None);
        }
        Ok(Some(Netbuf {
            data: r.data,
            from: r.from,
            pktinfo: r.pktinfo,
        }))
    }

    /// `netconn_write`: queues all of `data` on a TCP connection; returns the bytes queued.
    pub fn write(&self, data: &[u8]) -> Result<usize, Errno> {
        self.stack.send(self.fd, data, 0)
    }

    /// `netconn_send`: one datagram to the connected peer.
    pub fn send(&self, data: &[u8]) -> Result<(), Errno> {
        self.stack.send(self.fd, data, 0).map(|_| ())
    }

    /// `netconn_sendto`: one datagram to `to`.
    pub fn sendto(&self, data: &[u8], to: SocketAddr) -> Result<(), Errno> {
        self.stack.sendto(self.fd, data, 0, to).map(|_| ())
    }

    /// `netconn_peer`.
    pub fn peer(&self) -> Result<SocketAddr, Errno> {
        self.stack.getpeername(self.fd)
    }

    /// `netconn_addr`.
    pub fn addr(&self) -> Result<SocketAddr, Errno> {
        self.stack.getsockname(self.fd)
    }

    /// `netconn_close`: closes a TCP connection both ways (the netconn stays until
    /// deleted).
    pub fn close(&self) -> Result<(), Errno> {
        match self.stack.shutdown(self.fd, SHUT_RDWR) {
            Err(Errno::EOPNOTSUPP) | Err(Errno::ENOTCONN) => Ok(()),
            other => other,
        }
    }

    /// `netconn_delete`: releases the netconn now (dropping it does the same).
    pub fn delete(mut self) -> Result<(), Errno> {
        self.closed = true;
        self.stack.close(self.fd)
    }
}

impl<H> Drop for Netconn<H> {
    fn drop(&mut self) {
        if !self.closed {
            (self.delete)(&self.stack, self.fd);
        }
    }
}
