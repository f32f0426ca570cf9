//! Sleeping until one of several descriptors is readable (`poll(2)`): what a driver loop
//! such as the TCP/IP thread does between frames. Driver support: the one `unsafe` call is
//! `poll(2)` itself.
#![allow(unsafe_code)]

use std::io;
use std::os::fd::RawFd;
use std::vec::Vec;

use crate::time::Duration;

/// Waits until at least one of `fds` is readable (or has an error or hang-up), or
/// `timeout` passes (`None` waits indefinitely). A signal ends the wait early; callers
/// simply look again.
pub fn wait_readable(fds: &[RawFd], timeout: Option<Duration>) -> io::Result<()> {
    let timeout_ms = match timeout {
        None => -1,
        Some(d) => libc::c_int::try_from(d.millis()).unwrap_or(libc::c_int::MAX),
    };
    let mut pfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let nfds = libc::nfds_t::try_from(pfds.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "too many descriptors"))?;
    // SAFETY: `pfds` is a valid array of `nfds` pollfd structures that outlives the call.
    let rc = unsafe { libc::poll(pfds.as_mut_ptr(), nfds, timeout_ms) };
    if rc < 0 {
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn returns_when_a_descriptor_becomes_readable_or_at_the_timeout() {
        let (mut a, b) = UnixStream::pair().unwrap();
        let (_c, d) = UnixStream::pair().unwrap();
        let start = std::time::Instant::now();
        wait_readable(
            &[b.as_raw_fd(), d.as_raw_fd()],
            Some(Duration::from_millis(50)),
        )
        .unwrap();
        assert!(start.elapsed() >= std::time::Duration::from_millis(45));
        a.write_all(b"x").unwrap();
        let start = std::time::Instant::now();
        wait_readable(&[d.as_raw_fd(), b.as_raw_fd()], None).unwrap();
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
