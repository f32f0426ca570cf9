//! How many protocol control blocks are in use: what a product watches to size its pools,
//! and what tests check to prove nothing leaked.

use super::errno::Errno;
use super::tcpip::NetStack;
use crate::hooks::Hooks;
use crate::tcp::TcpState;

/// Control blocks in use (lwIP's `MEMP_TCP_PCB`, `MEMP_TCP_PCB_LISTEN`, `MEMP_UDP_PCB`
/// usage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PcbUsage {
    /// TCP connections in any state but TIME-WAIT.
    pub tcp: usize,
    /// TCP connections waiting out 2·MSL in TIME-WAIT (freed by the stack on its own).
    pub tcp_time_wait: usize,
    /// TCP listeners.
    pub tcp_listeners: usize,
    /// UDP control blocks.
    pub udp: usize,
}

impl<H: Hooks + Send + 'static> NetStack<H> {
    /// The control blocks in use now.
    pub fn pcb_usage(&self) -> Result<PcbUsage, Errno> {
        self.call(|core| {
            let tcp = &core.stack.tcp;
            let mut usage = PcbUsage::default();
            for index in 0..tcp.conn_capacity() {
                match tcp.conn_state(index) {
                    Some(TcpState::TimeWait) => usage.tcp_time_wait += 1,
                    Some(_) => usage.tcp += 1,
                    None => {}
                }
            }
            usage.tcp_listeners = tcp.listener_count();
            usage.udp = core.stack.udp.len();
            usage
        })
    }
}
