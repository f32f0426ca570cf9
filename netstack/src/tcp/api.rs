//! The TCP calls of [`Stack`] (lwIP's `tcp_*` raw API, shaped for the sockets layer the way
//! the UDP calls are): listen/accept, connect, send/receive, shutdown/close/abort, state,
//! readiness, events, options, endpoints and the pending error.
//!
//! Calls that send use the time of the latest `poll`/`input`.

use core::net::{IpAddr, Ipv4Addr};

use crate::error::Error;
use crate::hooks::Hooks;
use crate::stack::Stack;
use crate::wire::IpEndpoint;

use super::TcpState;
use super::control_block::{Tcb, TcpEvents, TcpReadiness, TcpSocketOptions};
use super::table::{TcpHandle, TcpListenerHandle};

/// Which direction(s) [`Stack::tcp_shutdown`] closes (`SHUT_RD`, `SHUT_WR`, `SHUT_RDWR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shutdown {
    /// No more receiving: further data is acknowledged and dropped.
    Read,
    /// No more sending: a FIN follows the queued data.
    Write,
    /// Both.
    Both,
}

fn v4(ep: IpEndpoint) -> Result<(Ipv4Addr, u16), Error> {
    match ep.addr {
        IpAddr::V4(a) => Ok((a, ep.port)),
        IpAddr::V6(_) => Err(Error::Invalid),
    }
}

fn endpoint(addr: Ipv4Addr, port: u16) -> IpEndpoint {
    IpEndpoint::new(IpAddr::V4(addr), port)
}

impl<H: Hooks> Stack<H> {
    /// Opens a listener on `local` (lwIP `tcp_bind` + `tcp_listen`); port 0 picks an
    /// ephemeral port. At most `config::TCP_ACCEPTMBOX_SIZE` connections wait to be accepted
    /// (half-open ones included); further SYNs are dropped.
    ///
    /// Errors: [`Error::AddrInUse`], [`Error::AddrNotAvailable`] (not one of our
    /// addresses), [`Error::PoolExhausted`] (`config::MAX_LISTENING_TCP`).
    pub fn tcp_listen(&mut self, local: IpEndpoint) -> Result<TcpListenerHandle, Error> {
        let (addr, mut port) = v4(local)?;
        if !addr.is_unspecified() && self.is_our_addr(addr).is_none() && !addr.is_loopback() {
            return Err(Error::AddrNotAvailable);
        }
        if port == 0 {
            port = self
                .tcp
                .ephemeral_port(&mut self.rng)
                .ok_or(Error::AddrInUse)?;
        } else if self.tcp.port_in_use(addr, port, true) {
            return Err(Error::AddrInUse);
        }
        self.tcp.insert_listener(addr, port)
    }

    /// Takes an established connection from a listener's queue (lwIP `accept`);
    /// [`Error::WouldBlock`] when none waits.
    pub fn tcp_accept(&mut self, listener: TcpListenerHandle) -> Result<TcpHandle, Error> {
        let l = self.tcp.listener_mut(listener)?;
        let index = l.accept_queue.pop_front().ok_or(Error::WouldBlock)?;
        let handle = self.tcp.handle(index).ok_or(Error::Invalid)?;
        if let Some(t) = self.tcp.get_index_mut(index) {
            t.listener = None;
        }
        Ok(handle)
    }

    /// The options new connections of a listener inherit.
    pub fn tcp_listener_set_options(
        &mut self,
        listener: TcpListenerHandle,
        options: TcpSocketOptions,
    ) -> Result<(), Error> {
        self.tcp.listener_mut(listener)?.options = options;
        Ok(())
    }

    /// The local endpoint of a listener.
    pub fn tcp_listener_endpoint(&self, listener: TcpListenerHandle) -> Result<IpEndpoint, Error> {
        let l = self.tcp.listener(listener)?;
        Ok(endpoint(l.addr, l.port))
    }

    /// Closes a listener; connections it had not handed out yet are reset.
    pub fn tcp_listener_close(&mut self, listener: TcpListenerHandle) -> Result<(), Error> {
        self.tcp.listener(listener)?;
        let index = listener.index();
        let _ = self.tcp_remove_listener(index);
        let children: alloc::vec::Vec<usize> = self
            .tcp
            .conns_iter_mut()
            .filter(|(_, t)| t.listener == Some(index))
            .map(|(i, _)| i)
            .collect();
        for i in children {
            self.tcp_reset_index(i);
        }
        Ok(())
    }

    /// Opens a connection to `remote` (lwIP `tcp_connect`): the SYN goes out at once.
    /// `local` picks the address and port (port 0 or `None`: an ephemeral port; address
    /// unspecified: the outgoing interface's).
    ///
    /// Errors: [`Error::NoRoute`], [`Error::AddrInUse`], [`Error::PoolExhausted`]
    /// (`config::MAX_ACTIVE_TCP`), [`Error::Invalid`] (port 0 or an unspecified,
    /// broadcast or multicast peer).
    pub fn tcp_connect(
        &mut self,
        remote: IpEndpoint,
        local: Option<IpEndpoint>,
    ) -> Result<TcpHandle, Error> {
        let remote = v4(remote)?;
        if remote.1 == 0
            || remote.0.is_unspecified()
            || remote.0.is_broadcast()
            || remote.0.is_multicast()
        {
            return Err(Error::Invalid);
        }
        let (laddr, lport) = match local {
            Some(ep) => v4(ep)?,
            None => (Ipv4Addr::UNSPECIFIED, 0),
        };
        let src = (!laddr.is_unspecified()).then_some(laddr);
        let (laddr, mss) = self.tcp_route_mss(src, remote.0).ok_or(Error::NoRoute)?;
        let lport = if lport == 0 {
            self.tcp
                .ephemeral_port(&mut self.rng)
                .ok_or(Error::AddrInUse)?
        } else {
            if self.tcp.find_conn((laddr, lport), remote).is_some()
                || self.tcp.port_in_use(laddr, lport, true)
            {
                return Err(Error::AddrInUse);
            }
            lport
        };
        let now = self.now;
        let iss = self.tcp_isn((laddr, lport), remote, now);
        let mut tcb = Tcb::new((laddr, lport), remote, iss, mss, now);
        tcb.state = TcpState::SynSent;
        let index = self.tcp.insert(tcb)?;
        let handle = self.tcp.handle(index).ok_or(Error::Invalid)?;
        self.tcp_after(index);
        Ok(handle)
    }

    /// Queues as much of `data` as fits in the send buffer and sends what the windows
    /// allow (lwIP `tcp_write` + `tcp_output`); returns how many bytes were taken.
    /// [`Error::WouldBlock`] when the buffer is full; the pending error, or
    /// [`Error::NotConnected`], when the connection cannot send.
    pub fn tcp_send(&mut self, h: TcpHandle, data: &[u8]) -> Result<usize, Error> {
        let tcb = self.tcp.get_mut(h)?;
        match tcb.state {
            TcpState::SynSent
            | TcpState::SynReceived
            | TcpState::Established
            | TcpState::CloseWait
                if !tcb.flags.fin_queued => {}
            TcpState::Closed => return Err(tcb.error.take().unwrap_or(Error::NotConnected)),
            _ => return Err(Error::NotConnected),
        }
        if data.is_empty() {
            return Ok(0);
        }
        let n = tcb.tx.enqueue(data);
        if n == 0 {
            return Err(Error::WouldBlock);
        }
        self.tcp_after(h.index());
        Ok(n)
    }

    /// Receives up to `buf.len()` bytes (lwIP `tcp_recved` is implied); `Ok(0)` is the end
    /// of the stream (the peer's FIN). [`Error::WouldBlock`] when nothing is there yet; the
    /// pending error after a reset or timeout. Reading opens the window: a window update
    /// goes out as soon as it grew by 2·MSS or half the buffer.
    pub fn tcp_recv(&mut self, h: TcpHandle, buf: &mut [u8]) -> Result<usize, Error> {
        let tcb = self.tcp.get_mut(h)?;
        if !tcb.rx.is_empty() {
            let n = tcb.rx.dequeue(buf);
            let threshold = (2 * tcb.rcv.mss).min(tcb.rx.capacity() / 2).max(1);
            if tcb.state.can_receive() && tcb.window_growth() >= threshold {
                tcb.flags.ack_now = true;
                self.tcp_after(h.index());
            } else if self.tcp.is_carried(h.index()) {
                // The ACK the last batch owes goes now, with whatever window the read opened.
                self.tcp_after(h.index());
            }
            return Ok(n);
        }
        if let Some(e) = tcb.error.take() {
            return Err(e);
        }
        if tcb.flags.fin_received || tcb.flags.shut_rd {
            return Ok(0);
        }
        match tcb.state {
            TcpState::Closed => Ok(0),
            _ => Err(Error::WouldBlock),
        }
    }

    /// Copies up to `buf.len()` received bytes without consuming them (`MSG_PEEK`): the
    /// next [`tcp_recv`](Self::tcp_recv) returns them again, and the window does not move.
    /// With nothing received, answers as `tcp_recv` does (`Ok(0)` at the end of the
    /// stream, the pending error, or [`Error::WouldBlock`]).
    pub fn tcp_peek(&mut self, h: TcpHandle, buf: &mut [u8]) -> Result<usize, Error> {
        let tcb = self.tcp.get(h)?;
        if tcb.rx.is_empty() {
            return self.tcp_recv(h, &mut []);
        }
        let (a, b) = tcb.rx.peek(0, buf.len());
        let (front, back) = buf.split_at_mut(a.len());
        front.copy_from_slice(a);
        if let Some(back) = back.get_mut(..b.len()) {
            back.copy_from_slice(b);
        }
        Ok(a.len() + b.len())
    }

    /// Whether connections the application closed are still finishing their close
    /// (FIN-WAIT-1, FIN-WAIT-2, CLOSING, LAST-ACK): the TCP/IP thread keeps polling for
    /// them before it exits.
    #[cfg(all(feature = "std", unix))]
    pub(crate) fn tcp_closing_orphans(&self) -> bool {
        (0..self.tcp.conn_capacity()).any(|i| {
            self.tcp.get_index(i).is_some_and(|t| {
                t.flags.orphan
                    && matches!(
                        t.state,
                        TcpState::FinWait1
                            | TcpState::FinWait2
                            | TcpState::Closing
                            | TcpState::LastAck
                    )
            })
        })
    }

    /// Closes one or both directions (lwIP `tcp_shutdown`).
    pub fn tcp_shutdown(&mut self, h: TcpHandle, how: Shutdown) -> Result<(), Error> {
        let tcb = self.tcp.get_mut(h)?;
        if matches!(how, Shutdown::Read | Shutdown::Both) {
            tcb.flags.shut_rd = true;
            tcb.rx.clear();
        }
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            match tcb.state {
                TcpState::SynSent => {
                    tcb.terminate(None);
                }
                TcpState::SynReceived | TcpState::Established => {
                    tcb.flags.fin_queued = true;
                    tcb.state = TcpState::FinWait1;
                }
                TcpState::CloseWait => {
                    tcb.flags.fin_queued = true;
                    tcb.state = TcpState::LastAck;
                }
                TcpState::Closed => return Err(Error::NotConnected),
                _ => {}
            }
        }
        self.tcp_after(h.index());
        Ok(())
    }

    /// Closes the connection gracefully (lwIP `tcp_close`): a FIN follows the queued data,
    /// and the stack finishes the close on its own; the handle is no longer valid. Unread
    /// received data makes it a reset instead (RFC 2525 §2.17, as Linux and lwIP).
    pub fn tcp_close(&mut self, h: TcpHandle) -> Result<(), Error> {
        let tcb = self.tcp.get_mut(h)?;
        if !tcb.rx.is_empty() && tcb.state.is_synchronized() {
            return self.tcp_abort(h);
        }
        match tcb.state {
            TcpState::SynSent | TcpState::Closed => tcb.terminate(None),
            TcpState::SynReceived | TcpState::Established => {
                tcb.flags.fin_queued = true;
                tcb.state = TcpState::FinWait1;
            }
            TcpState::CloseWait => {
                tcb.flags.fin_queued = true;
                tcb.state = TcpState::LastAck;
            }
            TcpState::FinWait2 => {
                tcb.timers.wait_at = Some(
                    self.now
                        + crate::time::Duration::from_millis(u64::from(
                            crate::config::TCP_FIN_WAIT_TIMEOUT,
                        )),
                );
            }
            _ => {}
        }
        tcb.flags.orphan = true;
        tcb.events = TcpEvents::NONE;
        self.tcp_after(h.index());
        Ok(())
    }

    /// Aborts the connection (lwIP `tcp_abort`): a reset goes to the peer when the
    /// connection was synchronized, and the handle is no longer valid.
    pub fn tcp_abort(&mut self, h: TcpHandle) -> Result<(), Error> {
        self.tcp.get(h)?;
        self.tcp_reset_index(h.index());
        Ok(())
    }

    /// Sends a reset (if synchronized) and frees connection `index`.
    pub(crate) fn tcp_reset_index(&mut self, index: usize) {
        if let Some(tcb) = self.tcp.take(index) {
            if matches!(
                tcb.state,
                TcpState::SynReceived
                    | TcpState::Established
                    | TcpState::FinWait1
                    | TcpState::FinWait2
                    | TcpState::CloseWait
                    | TcpState::Closing
                    | TcpState::LastAck
            ) {
                let seg = tcb.reset_segment();
                let _ = self.tcp_emit(index, &tcb, &seg);
            }
            self.tcp.put(index, tcb);
        }
        self.tcp_free(index);
    }

    /// The connection's state.
    pub fn tcp_state(&self, h: TcpHandle) -> Result<TcpState, Error> {
        Ok(self.tcp.get(h)?.state)
    }

    /// Readiness for poll/select.
    pub fn tcp_readiness(&self, h: TcpHandle) -> Result<TcpReadiness, Error> {
        let t = self.tcp.get(h)?;
        let closed = t.state == TcpState::Closed;
        let open_to_send =
            matches!(t.state, TcpState::Established | TcpState::CloseWait) && !t.flags.fin_queued;
        Ok(TcpReadiness {
            readable: !t.rx.is_empty() || t.flags.fin_received || t.error.is_some() || closed,
            writable: (open_to_send && t.tx.free() > 0) || t.error.is_some(),
            error: t.error.is_some(),
            hup: t.flags.fin_received || closed,
            accept_ready: false,
        })
    }

    /// Readiness of a listener (`accept_ready` when a connection waits).
    pub fn tcp_listener_readiness(&self, l: TcpListenerHandle) -> Result<TcpReadiness, Error> {
        let l = self.tcp.listener(l)?;
        Ok(TcpReadiness {
            readable: !l.accept_queue.is_empty(),
            accept_ready: !l.accept_queue.is_empty(),
            ..TcpReadiness::default()
        })
    }

    /// Calls `f` for every connection with events since the last drain, and clears them.
    pub fn tcp_drain_events(&mut self, mut f: impl FnMut(TcpHandle, TcpEvents)) {
        let mut found: heapless::Vec<(usize, TcpEvents), { crate::config::MAX_ACTIVE_TCP }> =
            heapless::Vec::new();
        for (i, t) in self.tcp.conns_iter_mut() {
            if !t.events.is_empty() && !t.flags.orphan && t.listener.is_none() {
                let _ = found.push((i, core::mem::take(&mut t.events)));
            }
        }
        for (i, e) in found {
            if let Some(h) = self.tcp.handle(i) {
                f(h, e);
            }
        }
    }

    /// Calls `f` for every listener with events since the last drain, and clears them.
    pub fn tcp_drain_listener_events(&mut self, mut f: impl FnMut(TcpListenerHandle, TcpEvents)) {
        for (i, l) in self.tcp.listeners_iter_mut() {
            if !l.events.is_empty() {
                let e = core::mem::take(&mut l.events);
                f(
                    TcpListenerHandle {
                        index: i as u16,
                        generation: l.generation,
                    },
                    e,
                );
            }
        }
    }

    /// The connection's options.
    pub fn tcp_options(&self, h: TcpHandle) -> Result<TcpSocketOptions, Error> {
        Ok(self.tcp.get(h)?.options)
    }

    /// Changes the connection's options (`TCP_NODELAY`, keepalive parameters); turning
    /// Nagle off sends what it held back.
    pub fn tcp_set_options(
        &mut self,
        h: TcpHandle,
        options: TcpSocketOptions,
    ) -> Result<(), Error> {
        let t = self.tcp.get_mut(h)?;
        t.options = options;
        t.timers.keep_at = None;
        t.arm_keepalive();
        self.tcp_after(h.index());
        Ok(())
    }

    /// The local endpoint.
    pub fn tcp_local_endpoint(&self, h: TcpHandle) -> Result<IpEndpoint, Error> {
        let t = self.tcp.get(h)?;
        Ok(endpoint(t.local_addr, t.local_port))
    }

    /// The peer's endpoint.
    pub fn tcp_remote_endpoint(&self, h: TcpHandle) -> Result<IpEndpoint, Error> {
        let t = self.tcp.get(h)?;
        Ok(endpoint(t.remote_addr, t.remote_port))
    }

    /// Takes the pending error (`SO_ERROR`).
    pub fn tcp_take_error(&mut self, h: TcpHandle) -> Result<Option<Error>, Error> {
        Ok(self.tcp.get_mut(h)?.error.take())
    }

    /// Bytes waiting to be read, and bytes queued to send (unsent or unacknowledged).
    pub fn tcp_queued(&self, h: TcpHandle) -> Result<(usize, usize), Error> {
        let t = self.tcp.get(h)?;
        Ok((t.rx.len(), t.tx.len()))
    }

    /// Room in the send buffer.
    pub fn tcp_send_capacity(&self, h: TcpHandle) -> Result<usize, Error> {
        Ok(self.tcp.get(h)?.tx.free())
    }
}
