//! The sockets option hook points (`sockets_setsockopt`, `sockets_getsockopt`) at their call
//! sites, with a `Hooks` implementation overriding the defaults: how the answers map onto the
//! calls' results (errno codes, lengths, the caller's buffer). The product-level test is
//! `examples/hooks-product/tests/sockopt.rs`.

#![cfg(not(any(
    netstack_hook_sockets_setsockopt = "none",
    netstack_hook_sockets_getsockopt = "none"
)))]

use std::sync::{Arc, Mutex};

use netstack::api::sockets::*;
use netstack::api::{Errno, NetStack};
use netstack::hooks::{Hooks, SockoptVerdict};
use netstack::{Stack, StackConfig};

const LEVEL: i32 = 0x7000;

/// The (fd, level, name) of every call the hooks saw.
type Calls = Arc<Mutex<Vec<(i32, i32, i32)>>>;

/// Answers at [`LEVEL`] by option name; records every call it sees.
#[derive(Clone, Default)]
struct Answers {
    calls: Calls,
}

impl Hooks for Answers {
    fn sockets_setsockopt(
        &mut self,
        fd: i32,
        level: i32,
        name: i32,
        value: &[u8],
    ) -> SockoptVerdict<()> {
        self.calls.lock().expect("calls").push((fd, level, name));
        match (level, name) {
            (LEVEL, 1) => SockoptVerdict::Handled(Ok(())),
            // Not an errno value: the call fails with EINVAL.
            (LEVEL, 2) => SockoptVerdict::Handled(Err(12345)),
            (LEVEL, 3) => SockoptVerdict::Handled(Err(Errno::EADDRINUSE.code())),
            (LEVEL, 4) => SockoptVerdict::Handled(Err(value.len() as i32)),
            _ => SockoptVerdict::Continue,
        }
    }

    fn sockets_getsockopt(
        &mut self,
        fd: i32,
        level: i32,
        name: i32,
        out: &mut [u8],
    ) -> SockoptVerdict<usize> {
        self.calls.lock().expect("calls").push((fd, level, name));
        match (level, name) {
            // Echoes the caller's buffer, reversed.
            (LEVEL, 1) => {
                out.reverse();
                SockoptVerdict::Handled(Ok(out.len()))
            }
            // Claims more than the buffer holds: EINVAL.
            (LEVEL, 2) => SockoptVerdict::Handled(Ok(out.len() + 1)),
            (LEVEL, 3) => SockoptVerdict::Handled(Err(Errno::EPERM.code())),
            // Writes, then lets the stack answer: what it wrote is discarded.
            _ => {
                out.fill(0xee);
                SockoptVerdict::Continue
            }
        }
    }
}

fn stack() -> (NetStack<Answers>, Calls) {
    let hooks = Answers::default();
    let calls = hooks.calls.clone();
    let ns = NetStack::start(Stack::with_hooks(StackConfig { random_seed: 5 }, hooks))
        .expect("tcpip thread");
    (ns, calls)
}

#[test]
fn set_answers_become_the_calls_results() {
    let (ns, calls) = stack();
    let u = ns.socket(AF_INET, SOCK_DGRAM, 0).expect("socket");
    assert_eq!(ns.setsockopt(u, LEVEL, 1, &[]), Ok(()));
    assert_eq!(ns.setsockopt_int(u, LEVEL, 2, 0), Err(Errno::EINVAL));
    assert_eq!(ns.setsockopt_int(u, LEVEL, 3, 0), Err(Errno::EADDRINUSE));
    // The hook sees the caller's bytes.
    assert_eq!(ns.setsockopt(u, LEVEL, 4, &[0; 9]), Err(Errno::EBADF));
    // Continue: the stack's answers.
    assert_eq!(ns.setsockopt_int(u, LEVEL, 5, 0), Err(Errno::ENOPROTOOPT));
    ns.setsockopt_int(u, IPPROTO_IP, IP_TTL, 9).expect("IP_TTL");
    assert_eq!(ns.getsockopt_int(u, IPPROTO_IP, IP_TTL), Ok(9));
    // A descriptor that is not a socket never reaches the hook.
    let before = calls.lock().expect("calls").len();
    assert_eq!(ns.setsockopt_int(u + 100, LEVEL, 1, 0), Err(Errno::EBADF));
    assert_eq!(calls.lock().expect("calls").len(), before);
    assert!(calls.lock().expect("calls").contains(&(u, LEVEL, 5)));
    ns.close(u).expect("close");
}

#[test]
fn get_answers_become_the_calls_results() {
    let (ns, calls) = stack();
    let t = ns.socket(AF_INET, SOCK_STREAM, 0).expect("socket");
    let mut out = [1u8, 2, 3];
    assert_eq!(ns.getsockopt(t, LEVEL, 1, &mut out), Ok(3));
    assert_eq!(out, [3, 2, 1], "the hook saw the caller's buffer");
    assert_eq!(ns.getsockopt(t, LEVEL, 2, &mut out), Err(Errno::EINVAL));
    assert_eq!(ns.getsockopt(t, LEVEL, 3, &mut out), Err(Errno::EPERM));
    assert_eq!(out, [3, 2, 1], "a failed call leaves the buffer");
    // Continue: the stack answers, over whatever the hook wrote.
    let mut int = [0u8; 8];
    assert_eq!(ns.getsockopt(t, SOL_SOCKET, SO_TYPE, &mut int), Ok(4));
    assert_eq!(int[..4], SOCK_STREAM.to_ne_bytes());
    assert_eq!(int[4..], [0; 4], "bytes past the answer are the caller's");
    assert_eq!(
        ns.getsockopt(t, LEVEL, 9, &mut int),
        Err(Errno::ENOPROTOOPT)
    );
    let before = calls.lock().expect("calls").len();
    assert_eq!(ns.getsockopt_int(t + 100, LEVEL, 1), Err(Errno::EBADF));
    assert_eq!(calls.lock().expect("calls").len(), before);
    ns.close(t).expect("close");
}
