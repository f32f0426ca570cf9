//! `errno` values of the sockets API, numbered as in ESP-IDF (newlib's `sys/errno.h`), and
//! how the stack's own [`Error`] maps onto them.

use core::fmt;
use std::cell::Cell;
use std::io;

use crate::error::Error;

/// Declares [`Errno`] with its newlib number and message once per value.
macro_rules! errno_values {
    ($($name:ident = $value:literal, $text:literal;)*) => {
        /// An `errno` value: why a sockets call failed. The numbers are ESP-IDF's (newlib),
        /// so a product porting C code sees the values it knows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(clippy::upper_case_acronyms)]
        #[non_exhaustive]
        pub enum Errno {
            $(
                #[doc = $text]
                $name = $value,
            )*
        }

        impl Errno {
            /// The newlib number.
            pub const fn code(self) -> i32 {
                self as i32
            }

            /// The value with this number, if it is one the API produces.
            pub fn from_code(code: i32) -> Option<Errno> {
                match code {
                    $($value => Some(Errno::$name),)*
                    _ => None,
                }
            }

            /// The message, as `strerror` gives it.
            pub const fn message(self) -> &'static str {
                match self {
                    $(Errno::$name => $text,)*
                }
            }
        }
    };
}

errno_values! {
    EPERM = 1, "Operation not permitted";
    EINTR = 4, "Interrupted system call";
    EIO = 5, "I/O error";
    EBADF = 9, "Bad file number";
    EAGAIN = 11, "No more processes / operation would block";
    ENOMEM = 12, "Not enough space";
    EFAULT = 14, "Bad address";
    ENODEV = 19, "No such device";
    EINVAL = 22, "Invalid argument";
    ENFILE = 23, "Too many open files in system";
    EMFILE = 24, "File descriptor value too large";
    EPIPE = 32, "Broken pipe";
    EDEADLK = 45, "Deadlock";
    ENOSYS = 88, "Function not implemented";
    EOPNOTSUPP = 95, "Operation not supported on socket";
    ECONNRESET = 104, "Connection reset by peer";
    ENOBUFS = 105, "No buffer space available";
    EAFNOSUPPORT = 106, "Address family not supported by protocol family";
    EPROTOTYPE = 107, "Protocol wrong type for socket";
    ENOTSOCK = 108, "Socket operation on non-socket";
    ENOPROTOOPT = 109, "Protocol not available";
    ESHUTDOWN = 110, "Can't send after socket shutdown";
    ECONNREFUSED = 111, "Connection refused";
    EADDRINUSE = 112, "Address already in use";
    ECONNABORTED = 113, "Software caused connection abort";
    ENETUNREACH = 114, "Network is unreachable";
    ENETDOWN = 115, "Network interface is not configured";
    ETIMEDOUT = 116, "Connection timed out";
    EHOSTDOWN = 117, "Host is down";
    EHOSTUNREACH = 118, "Host is unreachable";
    EINPROGRESS = 119, "Connection already in progress";
    EALREADY = 120, "Socket already connected";
    EDESTADDRREQ = 121, "Destination address required";
    EMSGSIZE = 122, "Message too long";
    EPROTONOSUPPORT = 123, "Unknown protocol";
    EADDRNOTAVAIL = 125, "Address not available";
    EISCONN = 127, "Socket is already connected";
    ENOTCONN = 128, "Socket is not connected";
}

impl Errno {
    /// `EWOULDBLOCK`: the same value as [`Errno::EAGAIN`].
    pub const EWOULDBLOCK: Errno = Errno::EAGAIN;
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (errno {})", self.message(), self.code())
    }
}

impl std::error::Error for Errno {}

impl From<Error> for Errno {
    /// The errno a sockets call reports for an error of the core (lwIP's `err_to_errno`).
    fn from(e: Error) -> Errno {
        match e {
            Error::NoRoute | Error::NetUnreachable => Errno::ENETUNREACH,
            Error::HostUnreachable => Errno::EHOSTUNREACH,
            Error::ConnectionRefused => Errno::ECONNREFUSED,
            Error::AddrInUse => Errno::EADDRINUSE,
            Error::AddrNotAvailable => Errno::EADDRNOTAVAIL,
            Error::WouldBlock => Errno::EAGAIN,
            Error::BufferFull | Error::PoolExhausted => Errno::ENOBUFS,
            Error::MsgTooLong => Errno::EMSGSIZE,
            Error::Invalid => Errno::EINVAL,
            Error::NotConnected => Errno::ENOTCONN,
            // lwIP refuses a broadcast without SO_BROADCAST with ERR_VAL, i.e. EINVAL.
            Error::BroadcastNotAllowed => Errno::EINVAL,
            Error::NetDown => Errno::ENETDOWN,
            Error::Refused => Errno::EPERM,
            Error::ConnectionReset => Errno::ECONNRESET,
            Error::TimedOut => Errno::ETIMEDOUT,
        }
    }
}

impl From<Errno> for io::Error {
    /// An `io::Error` with the matching [`io::ErrorKind`] and the errno's message.
    fn from(e: Errno) -> io::Error {
        io::Error::new(e.kind(), e)
    }
}

impl Errno {
    /// The [`io::ErrorKind`] std uses for the same condition.
    pub fn kind(self) -> io::ErrorKind {
        use io::ErrorKind as K;
        match self {
            Errno::EAGAIN => K::WouldBlock,
            Errno::EINTR => K::Interrupted,
            Errno::EPERM => K::PermissionDenied,
            Errno::EINVAL | Errno::EBADF | Errno::EDESTADDRREQ | Errno::EFAULT => K::InvalidInput,
            Errno::ENODEV => K::NotFound,
            Errno::ENOMEM | Errno::ENOBUFS | Errno::ENFILE | Errno::EMFILE => K::OutOfMemory,
            Errno::EPIPE | Errno::ESHUTDOWN => K::BrokenPipe,
            Errno::ECONNRESET => K::ConnectionReset,
            Errno::ECONNREFUSED => K::ConnectionRefused,
            Errno::ECONNABORTED => K::ConnectionAborted,
            Errno::EADDRINUSE => K::AddrInUse,
            Errno::EADDRNOTAVAIL => K::AddrNotAvailable,
            Errno::ENETUNREACH => K::NetworkUnreachable,
            Errno::ENETDOWN => K::NetworkDown,
            Errno::EHOSTUNREACH | Errno::EHOSTDOWN => K::HostUnreachable,
            Errno::ETIMEDOUT => K::TimedOut,
            Errno::ENOTCONN => K::NotConnected,
            Errno::EDEADLK => K::Deadlock,
            Errno::ENOSYS | Errno::EOPNOTSUPP | Errno::ENOPROTOOPT | Errno::EPROTONOSUPPORT => {
                K::Unsupported
            }
            Errno::EAFNOSUPPORT | Errno::EPROTOTYPE | Errno::ENOTSOCK | Errno::EMSGSIZE => {
                K::InvalidInput
            }
            Errno::EINPROGRESS | Errno::EALREADY | Errno::EISCONN | Errno::EIO => K::Other,
        }
    }
}

std::thread_local! {
    static LAST: Cell<i32> = const { Cell::new(0) };
}

/// The calling thread's `errno`: the code of the latest failed sockets call on this thread
/// (0 if none failed yet), for code written in the C style.
pub fn errno() -> i32 {
    LAST.with(Cell::get)
}

/// Records `e` as this thread's `errno` and passes it on.
pub(crate) fn set_errno(e: Errno) -> Errno {
    LAST.with(|c| c.set(e.code()));
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_newlibs() {
        assert_eq!(Errno::ECONNREFUSED.code(), 111);
        assert_eq!(Errno::EADDRINUSE.code(), 112);
        assert_eq!(Errno::ECONNABORTED.code(), 113);
        assert_eq!(Errno::ENETUNREACH.code(), 114);
        assert_eq!(Errno::ENETDOWN.code(), 115);
        assert_eq!(Errno::ETIMEDOUT.code(), 116);
        assert_eq!(Errno::EHOSTDOWN.code(), 117);
        assert_eq!(Errno::EHOSTUNREACH.code(), 118);
        assert_eq!(Errno::EINPROGRESS.code(), 119);
        assert_eq!(Errno::EALREADY.code(), 120);
        assert_eq!(Errno::EDESTADDRREQ.code(), 121);
        assert_eq!(Errno::EPROTONOSUPPORT.code(), 123);
        assert_eq!(Errno::EWOULDBLOCK, Errno::EAGAIN);
        assert_eq!(Errno::from_code(9), Some(Errno::EBADF));
        assert_eq!(Errno::from_code(3), None);
    }

    #[test]
    fn io_errors_keep_kind_and_message() {
        let e: io::Error = Errno::ECONNREFUSED.into();
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
        assert!(std::format!("{e}").contains("Connection refused"));
        let e: io::Error = Errno::EAGAIN.into();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
    }

    #[test]
    fn core_errors_map_to_their_errno() {
        assert_eq!(Errno::from(Error::ConnectionRefused), Errno::ECONNREFUSED);
        assert_eq!(Errno::from(Error::NoRoute), Errno::ENETUNREACH);
        assert_eq!(Errno::from(Error::HostUnreachable), Errno::EHOSTUNREACH);
        assert_eq!(Errno::from(Error::TimedOut), Errno::ETIMEDOUT);
        assert_eq!(Errno::from(Error::WouldBlock), Errno::EAGAIN);
    }

    #[test]
    fn errno_is_per_thread() {
        set_errno(Errno::EBADF);
        assert_eq!(errno(), 9);
        std::thread::spawn(|| assert_eq!(errno(), 0))
            .join()
            .unwrap();
    }
}
