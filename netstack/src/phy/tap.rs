//! A Linux TAP device: Ethernet frames to and from the host kernel through `/dev/net/tun`.
//!
//! [`TapDevice::open`] attaches to an existing TAP interface of that name in the calling
//! thread's network namespace, and fails with [`TapError::NotFound`] (naming the namespace)
//! when there is none: the kernel would otherwise create a fresh TAP that no traffic reaches,
//! the usual symptom of a program started outside the namespace that holds the device.
//! [`TapDevice::create`] is the explicit way to make one (which needs `CAP_NET_ADMIN`); a TAP
//! made this way vanishes when the device is dropped, one made beforehand (`ip tuntap add dev
//! NAME mode tap`) stays. The file
//! descriptor is non-blocking: `receive` returns `Ok(None)` when nothing is pending, and a
//! driver loop sleeps in [`TapDevice::wait_readable`] instead of spinning.
//!
//! The interface keeps working after it is moved to another network namespace
//! (`ip link set NAME netns NS`): the descriptor stays attached, so a test can open the TAP
//! in its own namespace and hand the kernel side to an isolated one.
#![allow(unsafe_code)]

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use super::{ChecksumOffload, Device, DeviceCapabilities, DeviceError, Medium};
use crate::time::{Duration, Instant};

/// Why a TAP device could not be opened.
#[derive(Debug)]
pub enum TapError {
    /// The interface name is empty, too long (15 bytes at most) or contains a NUL.
    InvalidName(String),
    /// [`TapDevice::open`]: no interface of this name in the calling thread's network
    /// namespace.
    NotFound {
        /// The name asked for.
        name: String,
        /// The namespace looked in, as `/proc/self/ns/net` names it (`net:[4026531840]`),
        /// or `None` if that could not be read.
        namespace: Option<String>,
    },
    /// A system call failed; `op` names it.
    Io {
        /// What was being done.
        op: &'static str,
        /// The error the kernel returned.
        source: io::Error,
    },
}

impl core::fmt::Display for TapError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TapError::InvalidName(name) => write!(f, "invalid interface name {name:?}"),
            TapError::NotFound { name, namespace } => write!(
                f,
                "no network device `{name}` in this network namespace ({}): run the program \
                 in the namespace that holds it (`ip netns exec NS ...`), create it first \
                 (`ip tuntap add dev {name} mode tap`), or make it with TapDevice::create",
                namespace.as_deref().unwrap_or("unknown")
            ),
            TapError::Io { op, source } => write!(f, "{op}: {source}"),
        }
    }
}

impl std::error::Error for TapError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TapError::InvalidName(_) | TapError::NotFound { .. } => None,
            TapError::Io { source, .. } => Some(source),
        }
    }
}

/// A TAP interface opened with `IFF_TAP | IFF_NO_PI`: whole Ethernet frames, no extra header.
#[derive(Debug)]
pub struct TapDevice {
    fd: OwnedFd,
    name: String,
    mtu: usize,
    /// Receive buffer for callers whose buffer may be too short for a whole frame.
    scratch: Vec<u8>,
}

/// `ifr_name` for `name`, NUL-terminated.
fn ifreq_for(name: &str) -> Result<libc::ifreq, TapError> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() >= libc::IFNAMSIZ || bytes.contains(&0) {
        return Err(TapError::InvalidName(name.to_string()));
    }
    // SAFETY: `ifreq` is a plain C struct (arrays, integers, a union of such and a raw
    // pointer) for which all-zero bytes is a valid value.
    let mut ifr: libc::ifreq = unsafe { core::mem::zeroed() };
    for (dst, &src) in ifr.ifr_name.iter_mut().zip(bytes) {
        *dst = src as libc::c_char;
    }
    Ok(ifr)
}

fn last_error(op: &'static str) -> TapError {
    TapError::Io {
        op,
        source: io::Error::last_os_error(),
    }
}

/// The MTU of interface `name` in the current network namespace (`SIOCGIFMTU`).
pub fn interface_mtu(name: &str) -> Result<usize, TapError> {
    let mut ifr = ifreq_for(name)?;
    // SAFETY: plain socket(2) call; the result is checked before use.
    let raw = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return Err(last_error("socket(AF_INET)"));
    }
    // SAFETY: `raw` is a fresh, valid descriptor owned by nobody else.
    let sock = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: SIOCGIFMTU reads `ifr_name` and writes `ifru_mtu` of the `ifreq` we own,
    // which outlives the call.
    let rc = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFMTU, &mut ifr) };
    if rc < 0 {
        return Err(last_error("ioctl(SIOCGIFMTU)"));
    }
    // SAFETY: the kernel filled the `ifru_mtu` member of the union on success.
    let mtu = unsafe { ifr.ifr_ifru.ifru_mtu };
    usize::try_from(mtu).map_err(|_| TapError::Io {
        op: "ioctl(SIOCGIFMTU)",
        source: io::Error::new(io::ErrorKind::InvalidData, "negative MTU"),
    })
}

/// Whether interface `name` exists in the calling thread's network namespace (asked of the
/// kernel, so it holds whatever `/sys` shows).
fn interface_exists(name: &str) -> Result<bool, TapError> {
    let cname = std::ffi::CString::new(name).map_err(|_| TapError::InvalidName(name.into()))?;
    // SAFETY: `cname` is a valid NUL-terminated string that outlives the call.
    Ok(unsafe { libc::if_nametoindex(cname.as_ptr()) } != 0)
}

/// The calling thread's network namespace (`net:[4026531840]`), for messages.
fn current_namespace() -> Option<String> {
    std::fs::read_link("/proc/thread-self/ns/net")
        .ok()
        .map(|p| p.display().to_string())
}

impl TapDevice {
    /// Attaches to the existing TAP interface `name`, with the MTU the interface has.
    ///
    /// Errors: [`TapError::NotFound`] when the calling thread's network namespace has no
    /// interface of that name (make one with [`TapDevice::create`] or `ip tuntap add`);
    /// [`TapError::Io`] when it is not a TAP or the caller may not attach to it.
    pub fn open(name: &str) -> Result<TapDevice, TapError> {
        TapDevice::existing(name)?;
        TapDevice::create(name)
    }

    /// Attaches to the existing TAP interface `name`, reporting `mtu` to the stack without
    /// asking the kernel (set the interface's own MTU to match with `ip link`). Errors as
    /// [`open`](Self::open).
    pub fn open_with_mtu(name: &str, mtu: usize) -> Result<TapDevice, TapError> {
        TapDevice::existing(name)?;
        TapDevice::attach(name, mtu)
    }

    /// Creates TAP interface `name` in the calling thread's network namespace (needs
    /// `CAP_NET_ADMIN`), or attaches to it if it exists, with the MTU the interface has. A
    /// TAP created here vanishes when the device is dropped.
    pub fn create(name: &str) -> Result<TapDevice, TapError> {
        let mut tap = TapDevice::attach(name, 0)?;
        tap.mtu = interface_mtu(&tap.name)?;
        Ok(tap)
    }

    /// `Ok` if interface `name` exists, else [`TapError::NotFound`].
    fn existing(name: &str) -> Result<(), TapError> {
        ifreq_for(name)?;
        if interface_exists(name)? {
            Ok(())
        } else {
            Err(TapError::NotFound {
                name: name.into(),
                namespace: current_namespace(),
            })
        }
    }

    fn attach(name: &str, mtu: usize) -> Result<TapDevice, TapError> {
        let mut ifr = ifreq_for(name)?;
        let path = c"/dev/net/tun";
        // SAFETY: `path` is a NUL-terminated string; the result is checked before use.
        let raw = unsafe {
            libc::open(
                path.as_ptr(),
                libc::O_RDWR | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        };
        if raw < 0 {
            return Err(last_error("open(/dev/net/tun)"));
        }
        // SAFETY: `raw` is a fresh, valid descriptor owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        ifr.ifr_ifru.ifru_flags = (libc::IFF_TAP | libc::IFF_NO_PI) as libc::c_short;
        // SAFETY: TUNSETIFF reads the name and flags of the `ifreq` we own and writes the
        // chosen name back into it; `ifr` outlives the call.
        let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TUNSETIFF, &mut ifr) };
        if rc < 0 {
            return Err(last_error("ioctl(TUNSETIFF)"));
        }
        // SAFETY: the kernel leaves a NUL-terminated name in `ifr_name` (IFNAMSIZ bytes,
        // the last always NUL).
        let name = unsafe { CStr::from_ptr(ifr.ifr_name.as_ptr()) }
            .to_string_lossy()
            .into_owned();
        Ok(TapDevice {
            fd,
            name,
            mtu,
            scratch: Vec::new(),
        })
    }

    /// The interface name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The MTU reported to the stack.
    pub fn mtu(&self) -> usize {
        self.mtu
    }

    /// Waits until a frame can be read or `timeout` passes (`None` waits indefinitely).
    /// Returns whether the device is readable; a signal ends the wait early with `false`.
    pub fn wait_readable(&self, timeout: Option<Duration>) -> io::Result<bool> {
        let timeout_ms = match timeout {
            None => -1,
            Some(d) => libc::c_int::try_from(d.millis()).unwrap_or(libc::c_int::MAX),
        };
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: `pfd` is one valid pollfd that outlives the call; nfds is 1.
        let rc = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        if rc < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                return Ok(false);
            }
            return Err(err);
        }
        Ok(rc > 0 && pfd.revents & (libc::POLLIN | libc::POLLERR | libc::POLLHUP) != 0)
    }

    /// `read(2)` into `buf`, retrying on EINTR.
    fn read_into(fd: RawFd, buf: &mut [u8]) -> Result<Option<usize>, DeviceError> {
        loop {
            // SAFETY: `buf` is valid for writes of `buf.len()` bytes for the whole call.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if let Ok(n) = usize::try_from(n) {
                return Ok(Some(n));
            }
            let err = io::Error::last_os_error();
            match err.kind() {
                io::ErrorKind::Interrupted => continue,
                io::ErrorKind::WouldBlock => return Ok(None),
                _ => {
                    log::warn!(target: "netstack::tap", "read failed: {err}");
                    return Err(DeviceError::Down);
                }
            }
        }
    }
}

impl Device for TapDevice {
    fn capabilities(&self) -> DeviceCapabilities {
        DeviceCapabilities {
            medium: Medium::Ethernet,
            mtu: self.mtu,
            checksum: ChecksumOffload::default(),
        }
    }

    fn receive(&mut self, buf: &mut [u8], _now: Instant) -> Result<Option<usize>, DeviceError> {
        let fd = self.fd.as_raw_fd();
        let max = self.capabilities().max_frame_len();
        if buf.len() >= max {
            return TapDevice::read_into(fd, buf);
        }
        // The kernel silently truncates a frame that does not fit: read into a buffer
        // big enough for any frame and report one the caller cannot hold.
        if self.scratch.len() < max {
            self.scratch = vec![0; max.max(2048)];
        }
        let Some(n) = TapDevice::read_into(fd, &mut self.scratch)? else {
            return Ok(None);
        };
        let (Some(dest), Some(src)) = (buf.get_mut(..n), self.scratch.get(..n)) else {
            return Err(DeviceError::TooLarge);
        };
        dest.copy_from_slice(src);
        Ok(Some(n))
    }

    fn transmit(&mut self, frame: &[u8], _now: Instant) -> Result<(), DeviceError> {
        if frame.len() > self.capabilities().max_frame_len() {
            return Err(DeviceError::TooLarge);
        }
        loop {
            // SAFETY: `frame` is valid for reads of `frame.len()` bytes for the whole call.
            let n = unsafe { libc::write(self.fd.as_raw_fd(), frame.as_ptr().cast(), frame.len()) };
            if n >= 0 {
                return Ok(());
            }
            let err = io::Error::last_os_error();
            return match (err.kind(), err.raw_os_error()) {
                (io::ErrorKind::Interrupted, _) => continue,
                (io::ErrorKind::WouldBlock, _) => Err(DeviceError::WouldBlock),
                (_, Some(libc::EINVAL | libc::EMSGSIZE)) => Err(DeviceError::TooLarge),
                _ => {
                    // EIO: the interface is down; EBADFD: it was deleted.
                    log::warn!(target: "netstack::tap", "write to {} failed: {err}", self.name);
                    Err(DeviceError::Down)
                }
            };
        }
    }

    fn raw_fd(&self) -> Option<RawFd> {
        Some(self.fd.as_raw_fd())
    }
}

impl AsRawFd for TapDevice {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl AsFd for TapDevice {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn names_are_checked_before_any_system_call() {
        assert!(matches!(TapDevice::open(""), Err(TapError::InvalidName(_))));
        assert!(matches!(
            TapDevice::open("a-name-far-too-long"),
            Err(TapError::InvalidName(_))
        ));
        assert!(matches!(
            TapDevice::open("nul\0"),
            Err(TapError::InvalidName(_))
        ));
    }

    /// A name no interface of this machine has (this process's id in it).
    fn missing_name() -> String {
        format!("nsmiss{}", std::process::id() % 1_000_000)
    }

    #[test]
    fn open_does_not_create_a_missing_device() {
        let name = missing_name();
        let err = TapDevice::open(&name).unwrap_err();
        assert!(
            matches!(&err, TapError::NotFound { name: n, .. } if *n == name),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "no network device `{name}` in this network namespace (net:["
            )),
            "{text}"
        );
        assert!(text.contains("ip netns exec NS"), "{text}");
        assert!(
            text.contains(&format!("ip tuntap add dev {name} mode tap")),
            "{text}"
        );
        assert!(!interface_exists(&name).unwrap(), "open created {name}");
        assert!(matches!(
            TapDevice::open_with_mtu(&name, 1500),
            Err(TapError::NotFound { .. })
        ));
    }

    #[test]
    fn create_makes_a_device_that_goes_with_it() {
        let name = format!("nsmk{}", std::process::id() % 1_000_000);
        let tap = match TapDevice::create(&name) {
            Ok(tap) => tap,
            // Without CAP_NET_ADMIN (or /dev/net/tun) there is nothing to create with.
            Err(TapError::Io { source, .. })
                if matches!(
                    source.kind(),
                    io::ErrorKind::PermissionDenied | io::ErrorKind::NotFound
                ) =>
            {
                return;
            }
            Err(e) => panic!("create {name}: {e}"),
        };
        assert!(interface_exists(&name).unwrap());
        assert_eq!(tap.name(), name);
        assert!(tap.mtu() > 0);
        drop(tap);
        assert!(!interface_exists(&name).unwrap(), "gone with its creator");
        assert!(matches!(
            TapDevice::open(&name),
            Err(TapError::NotFound { .. })
        ));
    }

    #[test]
    fn missing_interfaces_have_no_mtu() {
        let err = interface_mtu("nsnoexist0").unwrap_err();
        assert!(err.to_string().contains("SIOCGIFMTU"), "{err}");
    }
}
