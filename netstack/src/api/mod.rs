//! The application interfaces (std): the TCP/IP thread, and on top of it the BSD sockets
//! API, netconn, std-style wrappers and interface management (`docs/api.md`).
//!
//! Start a stack with [`NetStack::start`]; every call then goes through the thread's
//! mailbox, or takes the core lock with `tcpip_core_locking`:
//!
//! ```no_run
//! use netstack::api::{NetStack, sockets::{AF_INET, SOCK_STREAM}};
//! use netstack::{Stack, StackConfig};
//!
//! let ns = NetStack::start(Stack::new(StackConfig::default()))?;
//! let fd = ns.socket(AF_INET, SOCK_STREAM, 0)?;
//! ns.bind(fd, "127.0.0.1:3333".parse()?)?;
//! ns.listen(fd, 4)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod affinity;
pub mod errno;
pub mod net;
pub mod netconn;
pub mod netif;
mod socket_table;
pub mod sockets;
mod tcpip;
mod usage;

#[cfg(target_os = "linux")]
pub use affinity::current_cpus;
pub use errno::{Errno, errno};
pub use net::{TcpListener, TcpStream, UdpSocket};
pub use netconn::{Netbuf, Netconn, NetconnType};
pub use netif::{NetifCallback, NetifEvent, NetifStatus};
pub use socket_table::{Fd, SocketType};
pub use tcpip::{Core, NetStack};
pub use usage::PcbUsage;
