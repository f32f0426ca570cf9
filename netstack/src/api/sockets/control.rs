//! `fcntl` and `ioctl`.

use crate::api::errno::Errno;
use crate::api::socket_table::{Binding, Fd};
use crate::api::tcpip::NetStack;
use crate::hooks::Hooks;
use crate::tcp::TcpState;

/// `F_GETFL`: the descriptor's flags.
pub const F_GETFL: i32 = 3;
/// `F_SETFL`: sets [`O_NONBLOCK`] (the access mode bits are ignored).
pub const F_SETFL: i32 = 4;
/// `O_NONBLOCK`: calls return `EAGAIN` instead of waiting.
pub const O_NONBLOCK: i32 = 1;
/// `O_NDELAY`: the same as [`O_NONBLOCK`].
pub const O_NDELAY: i32 = O_NONBLOCK;
/// `O_RDONLY`: in `F_GETFL` of a TCP socket that can only receive (after `SHUT_WR`).
pub const O_RDONLY: i32 = 2;
/// `O_WRONLY`: a TCP socket that can only send (after `SHUT_RD`, or the peer closed).
pub const O_WRONLY: i32 = 4;
/// `O_RDWR`: both directions open (always for UDP).
pub const O_RDWR: i32 = O_RDONLY | O_WRONLY;
/// The access-mode bits of the flags.
pub const O_ACCMODE: i32 = O_RDWR;
/// `FIONREAD`: bytes waiting to be received (the next datagram's size for UDP).
pub const FIONREAD: u32 = 0x4004_667f;
/// `FIONBIO`: non-blocking mode on (non-zero) or off.
pub const FIONBIO: u32 = 0x8004_667e;

impl<H: Hooks + Send + 'static> NetStack<H> {
    /// `fcntl(fd, cmd, arg)`. [`F_GETFL`] returns [`O_NONBLOCK`] if set, plus the access
    /// mode: for TCP [`O_RDWR`], [`O_RDONLY`] after `shutdown(SHUT_WR)`, [`O_WRONLY`] after
    /// `shutdown(SHUT_RD)` or once the peer closed (0 when neither direction is open);
    /// [`O_RDWR`] for UDP. [`F_SETFL`] sets or clears [`O_NONBLOCK`]/[`O_NDELAY`].
    ///
    /// Errors: `EBADF`; `ENOSYS` for other commands or flags (as lwIP).
    pub fn fcntl(&self, fd: Fd, cmd: i32, arg: i32) -> Result<i32, Errno> {
        self.op(move |core| {
            let s = core.sockets.get(fd)?;
            match cmd {
                F_GETFL => {
                    let mut flags = if s.nonblocking { O_NONBLOCK } else { 0 };
                    flags |= match s.binding {
                        Binding::TcpConn(h) => {
                            let state = core.stack.tcp_state(h)?;
                            let readiness = core.stack.tcp_readiness(h)?;
                            let peer_closed = readiness.hup && state != TcpState::SynSent;
                            let can_read = !(s.shut_rd || peer_closed);
                            let can_write = !s.shut_wr
                                && matches!(
                                    state,
                                    TcpState::SynSent
                                        | TcpState::SynReceived
                                        | TcpState::Established
                                        | TcpState::CloseWait
                                );
                            (if can_read { O_RDONLY } else { 0 })
                                | (if can_write { O_WRONLY } else { 0 })
                        }
                        _ => O_RDWR,
                    };
                    Ok(flags)
                }
                F_SETFL => {
                    if arg & !(O_NONBLOCK | O_ACCMODE) != 0 {
                        return Err(Errno::ENOSYS);
                    }
                    core.sockets.get_mut(fd)?.nonblocking = arg & O_NONBLOCK != 0;
                    Ok(0)
                }
                _ => Err(Errno::ENOSYS),
            }
        })
    }

    /// `ioctl(fd, request, arg)`: [`FIONREAD`] stores the bytes waiting in `arg`;
    /// [`FIONBIO`] sets non-blocking mode from `arg`.
    ///
    /// Errors: `EBADF`; `EINVAL` for other requests (lwIP's answer).
    pub fn ioctl(&self, fd: Fd, request: u32, arg: &mut i32) -> Result<(), Errno> {
        let value = *arg;
        let out = self.op(move |core| {
            let s = core.sockets.get(fd)?;
            match request {
                FIONREAD => {
                    let n = match s.binding {
                        Binding::TcpConn(h) => core.stack.tcp_queued(h)?.0,
                        Binding::Udp(h) => core.stack.udp_peek(h).map_or(0, |d| d.data.len()),
                        _ => 0,
                    };
                    Ok(Some(i32::try_from(n).unwrap_or(i32::MAX)))
                }
                FIONBIO => {
                    core.sockets.get_mut(fd)?.nonblocking = value != 0;
                    Ok(None)
                }
                _ => Err(Errno::EINVAL),
            }
        })?;
        if let Some(v) = out {
            *arg = v;
        }
        Ok(())
    }
}
