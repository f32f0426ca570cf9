//! The TCP/IP thread (lwIP's `tcpip_thread`): one thread owns the [`Stack`], drives its
//! devices and timers, and runs what the API asks of it.
//!
//! An API call reaches the stack in one of two ways, chosen by the configuration:
//! - **mailbox** (default): the call is posted to the thread's bounded mailbox of
//!   `config::TCPIP_RECVMBOX_SIZE` messages (a full mailbox makes the caller wait, as
//!   lwIP's `sys_mbox_post` does) and the caller waits for the answer;
//! - **core locking** (`tcpip_core_locking`): the caller takes the core lock and runs the
//!   operation itself, saving two context switches per call.
//!
//! Either way the thread sleeps in `poll(2)` on its devices' descriptors and a wake-up
//! socket until a frame arrives, an API call needs it, or the stack's next timer is due.
//! Calls that must wait (a blocking `recv`, `accept`, `connect`) wait on a change counter
//! that the thread bumps whenever something may have changed for sockets.

use std::boxed::Box;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::vec::Vec;

use super::errno::Errno;
use super::netif::NetifSettings;
use super::socket_table::SocketTable;
use crate::config;
use crate::hooks::Hooks;
use crate::phy::wait::wait_readable;
use crate::stack::Stack;
use crate::time::{Duration, Instant};

/// How long the thread sleeps at most when some interface's device has no descriptor to
/// wait on (an in-memory link): it then has to look at the device regularly.
const POLL_INTERVAL_WITHOUT_FD: Duration = Duration::from_millis(1);

/// How long a stopping thread keeps running so that connections the application closed
/// finish their close handshake (our FIN acknowledged, the peer's acknowledged) rather than
/// being abandoned half-closed on the peer.
const CLOSE_DRAIN: Duration = Duration::from_secs(2);

/// The least stack the thread gets, whatever `tcpip_task_stack_size` says: unoptimised Rust
/// frames are many times larger than the C frames ESP-IDF's default (3072 B) was sized for.
const MIN_THREAD_STACK: usize = if cfg!(debug_assertions) {
    1 << 20
} else {
    128 << 10
};

/// What the TCP/IP thread owns: the stack, the socket table and the interface settings the
/// API layer keeps beside it (DNS servers). API calls get `&mut Core` through
/// [`NetStack::call`].
pub struct Core<H> {
    /// The stack.
    pub stack: Stack<H>,
    pub(crate) sockets: SocketTable,
    pub(crate) netif_settings: NetifSettings,
}

/// A message for the thread: an operation to run on the core.
type Job<H> = Box<dyn FnOnce(&mut Core<H>) + Send>;

/// The change counter blocking calls wait on.
struct Changes {
    generation: Mutex<u64>,
    changed: Condvar,
}

impl<H: Hooks> Core<H> {
    /// Tells the hooks when the descriptor table, full before a `close`/`leave`
    /// (`was_full`, from `SocketTable::is_full`), has a free slot now
    /// (`Hooks::memp_available(Pool::Netconn)`). No state is kept: with hooks that ignore
    /// the call, the check compiles away.
    #[cfg(not(netstack_hook_memp_available = "none"))]
    pub(crate) fn report_socket_room(&mut self, was_full: bool) {
        if was_full && !self.sockets.is_full() {
            self.stack
                .hooks_mut()
                .memp_available(crate::hooks::Pool::Netconn);
        }
    }
}

impl Changes {
    fn current(&self) -> u64 {
        *self
            .generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn bump(&self) {
        let mut g = self
            .generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *g = g.wrapping_add(1);
        self.changed.notify_all();
    }

    /// Waits until the counter differs from `seen` or `deadline` passes; `false` on timeout.
    fn wait_past(&self, seen: u64, deadline: Option<std::time::Instant>) -> bool {
        let mut g = self
            .generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *g == seen {
            match deadline {
                None => {
                    g = self.changed.wait(g).unwrap_or_else(PoisonError::into_inner);
                }
                Some(d) => {
                    let now = std::time::Instant::now();
                    if now >= d {
                        return false;
                    }
                    g = self
                        .changed
                        .wait_timeout(g, d - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
        true
    }
}

/// State shared by the thread and every API handle.
pub(crate) struct Shared<H> {
    core: Mutex<Core<H>>,
    /// The mailbox; `None` with core locking.
    mailbox: Option<SyncSender<Job<H>>>,
    /// Writing a byte here wakes the thread from `poll(2)`.
    wake: UnixStream,
    changes: Changes,
    stop: AtomicBool,
    timers_running: AtomicBool,
    clock: Clock,
}

impl<H> Shared<H> {
    fn wake(&self) {
        // A full socket buffer means a wake-up is already pending: nothing is lost.
        let _ = (&self.wake).write(&[1]);
    }
}

std::thread_local! {
    /// Set on the TCP/IP thread, and on any thread while it holds the core lock: a blocking
    /// API call there would wait for itself.
    static IN_CORE: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

/// Marks the current thread as running stack code until dropped.
struct InCore(bool);

impl InCore {
    fn enter() -> InCore {
        InCore(IN_CORE.with(|c| c.replace(true)))
    }
}

impl Drop for InCore {
    fn drop(&mut self) {
        IN_CORE.with(|c| c.set(self.0));
    }
}

fn lock<H>(core: &Mutex<Core<H>>) -> MutexGuard<'_, Core<H>> {
    // Operations leave the core consistent at every step; a panic in a product's hook
    // must not take the whole stack down with it.
    core.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The clock of the thread: milliseconds since the thread started.
#[derive(Clone, Copy)]
struct Clock(std::time::Instant);

impl Clock {
    fn now(self) -> Instant {
        Instant::from_millis(u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX))
    }
}

/// Stops the thread when the last [`NetStack`] handle goes away.
struct Owner<H> {
    shared: Arc<Shared<H>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl<H> Drop for Owner<H> {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake();
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle
            && handle.thread().id() != std::thread::current().id()
        {
            let _ = handle.join();
        }
    }
}

/// A running stack: the handle API calls go through (sockets, netconn, interface
/// management). Cloning gives another handle to the same stack; the TCP/IP thread stops
/// when the last handle (and the last socket wrapper holding one) is dropped.
pub struct NetStack<H = crate::hooks::NoHooks> {
    owner: Arc<Owner<H>>,
}

impl<H> Clone for NetStack<H> {
    fn clone(&self) -> Self {
        NetStack {
            owner: Arc::clone(&self.owner),
        }
    }
}

impl<H: Hooks + Send + 'static> NetStack<H> {
    /// Starts the TCP/IP thread (lwIP `tcpip_init`) with `stack`, which already has its
    /// interfaces. The thread gets `config::TCPIP_TASK_STACK_SIZE` bytes of stack (at least
    /// 128 KiB, 1 MiB in debug builds) and the CPU of `config::TCPIP_TASK_AFFINITY` where the
    /// platform allows.
    pub fn start(stack: Stack<H>) -> io::Result<NetStack<H>> {
        let (wake_tx, wake_rx) = UnixStream::pair()?;
        wake_tx.set_nonblocking(true)?;
        wake_rx.set_nonblocking(true)?;
        let (mailbox, jobs) = if config::TCPIP_CORE_LOCKING {
            (None, None)
        } else {
            let (tx, rx) = sync_channel::<Job<H>>(config::TCPIP_RECVMBOX_SIZE.max(1));
            (Some(tx), Some(rx))
        };
        let shared = Arc::new(Shared {
            core: Mutex::new(Core {
                stack,
                sockets: SocketTable::new(),
                netif_settings: NetifSettings::default(),
            }),
            mailbox,
            wake: wake_tx,
            changes: Changes {
                generation: Mutex::new(0),
                changed: Condvar::new(),
            },
            stop: AtomicBool::new(false),
            timers_running: AtomicBool::new(true),
            clock: Clock(std::time::Instant::now()),
        });
        let stack_size = usize::try_from(config::TCPIP_TASK_STACK_SIZE)
            .unwrap_or(MIN_THREAD_STACK)
            .max(MIN_THREAD_STACK);
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("tcpip".into())
            .stack_size(stack_size)
            .spawn(move || {
                super::affinity::apply(config::TCPIP_TASK_AFFINITY);
                run(&thread_shared, jobs, &wake_rx);
            })?;
        Ok(NetStack {
            owner: Arc::new(Owner {
                shared,
                thread: Mutex::new(Some(thread)),
            }),
        })
    }

    fn shared(&self) -> &Shared<H> {
        &self.owner.shared
    }

    /// Runs `f` on the stack's hooks, on the TCP/IP thread, and returns what it returns: how
    /// a product reads or changes the state of its hook objects once [`NetStack::start`] owns
    /// the stack (`ns.hooks(|h| h.counters.total())`). Short for
    /// `call(|core| f(core.stack.hooks_mut()))`; the errors are [`call`](Self::call)'s.
    pub fn hooks<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut H) -> R + Send + 'static,
    ) -> Result<R, Errno> {
        self.call(move |core| f(core.stack.hooks_mut()))
    }

    /// Runs `f` on the core (lwIP `tcpip_callback` / `LOCK_TCPIP_CORE`): through the
    /// mailbox, or under the core lock with `tcpip_core_locking`. Returns what `f` returns;
    /// a panic in `f` comes back to the caller.
    ///
    /// Errors: [`Errno::ENETDOWN`] when the thread has stopped; [`Errno::EDEADLK`] when
    /// called from the TCP/IP thread itself or from inside another `call` (it would wait
    /// for itself) — with `check_thread_safety` that is a panic naming the mistake instead.
    pub fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Core<H>) -> R + Send + 'static,
    ) -> Result<R, Errno> {
        if IN_CORE.with(core::cell::Cell::get) {
            if config::CHECK_THREAD_SAFETY {
                panic!(
                    "netstack: API call from the TCP/IP thread or from inside another API call \
                     (it would deadlock); check_thread_safety is on"
                );
            }
            return Err(Errno::EDEADLK);
        }
        let shared = self.shared();
        if shared.stop.load(Ordering::SeqCst) {
            return Err(Errno::ENETDOWN);
        }
        let result = match &shared.mailbox {
            None => {
                let mut core = lock(&shared.core);
                core.stack.advance_clock(shared.clock.now());
                let _in_core = InCore::enter();
                f(&mut core)
            }
            Some(mailbox) => {
                let (tx, rx) = sync_channel(1);
                let job: Job<H> = Box::new(move |core: &mut Core<H>| {
                    let outcome = catch_unwind(AssertUnwindSafe(|| f(core)));
                    let _ = tx.send(outcome);
                });
                mailbox.send(job).map_err(|_| Errno::ENETDOWN)?;
                shared.wake();
                match rx.recv() {
                    Ok(Ok(r)) => r,
                    Ok(Err(panic)) => resume_unwind(panic),
                    Err(_) => return Err(Errno::ENETDOWN),
                }
            }
        };
        // The operation may have queued frames (loopback): the thread's next poll sends
        // them and tells waiters if anything changed.
        shared.wake();
        Ok(result)
    }

    /// Wakes every blocked call to look again (after a change the thread's poll does not
    /// see, such as a socket closed by another thread).
    pub(crate) fn notify_waiters(&self) {
        self.shared().changes.bump();
    }

    /// The change counter, read before an attempt that may have to wait.
    pub(crate) fn generation(&self) -> u64 {
        self.shared().changes.current()
    }

    /// Waits until something may have changed since `seen` was read, or `deadline`;
    /// `false` on timeout.
    pub(crate) fn wait_past(&self, seen: u64, deadline: Option<std::time::Instant>) -> bool {
        self.shared().changes.wait_past(seen, deadline)
    }

    /// Runs `attempt` until it returns something other than [`Errno::EAGAIN`], waiting for
    /// a change between attempts, up to `deadline` (then [`Errno::EAGAIN`]).
    pub(crate) fn retry<R, F>(
        &self,
        deadline: Option<std::time::Instant>,
        attempt: F,
    ) -> Result<R, Errno>
    where
        R: Send + 'static,
        F: Fn(&mut Core<H>) -> Result<R, Errno> + Send + Clone + 'static,
    {
        loop {
            let seen = self.generation();
            match self.call(attempt.clone())? {
                Err(Errno::EAGAIN) => {
                    if !self.wait_past(seen, deadline) {
                        return Err(Errno::EAGAIN);
                    }
                }
                other => return other,
            }
        }
    }

    /// Stops the stack's timers (lwIP `sys_timeouts_deinit`): the thread no longer polls the
    /// stack, so neither timers nor received frames are processed until
    /// [`timeouts_init`](Self::timeouts_init); API calls still work.
    pub fn timeouts_deinit(&self) {
        self.shared().timers_running.store(false, Ordering::SeqCst);
        self.shared().wake();
    }

    /// Restarts the timers stopped by [`timeouts_deinit`](Self::timeouts_deinit) (lwIP
    /// `sys_timeouts_init`).
    pub fn timeouts_init(&self) {
        self.shared().timers_running.store(true, Ordering::SeqCst);
        self.shared().wake();
    }

    /// Whether the timers run.
    pub fn timeouts_running(&self) -> bool {
        self.shared().timers_running.load(Ordering::SeqCst)
    }
}

/// The thread's loop.
fn run<H: Hooks>(shared: &Shared<H>, jobs: Option<Receiver<Job<H>>>, wake: &UnixStream) {
    let _in_core = InCore::enter();
    let clock = shared.clock;
    let mut fds: Vec<RawFd> = Vec::new();
    let mut stop_by: Option<Instant> = None;
    loop {
        // Empty the wake-up socket before looking at what woke us: whoever wrote to it had
        // already posted its job (or set `stop`), so nothing is missed.
        drain(wake);
        if shared.stop.load(Ordering::SeqCst) {
            let by = *stop_by.get_or_insert(clock.now() + CLOSE_DRAIN);
            if clock.now() >= by || !lock(&shared.core).stack.tcp_closing_orphans() {
                break;
            }
        }
        let mut changed = false;
        if let Some(jobs) = &jobs {
            while let Ok(job) = jobs.try_recv() {
                let mut core = lock(&shared.core);
                core.stack.advance_clock(clock.now());
                job(&mut core);
            }
        }
        let (deadline, poll_often) = {
            let mut core = lock(&shared.core);
            let running = shared.timers_running.load(Ordering::SeqCst);
            if running {
                let result = core.stack.poll(clock.now());
                changed |= result.activity || result.received > 0;
                // The sockets layer looks at readiness, not at events: clear them so that
                // `activity` reports only new ones.
                core.stack.tcp_drain_events(|_, _| {});
                core.stack.tcp_drain_listener_events(|_, _| {});
                core.stack.udp_drain_events(|_, _| {});
                super::netif::pump_dhcp_events(&mut core);
            }
            fds.clear();
            fds.push(wake.as_raw_fd());
            fds.extend(core.stack.device_fds());
            let devices = core.stack.netifs().filter(|n| !n.loopback).count();
            let deadline = if running {
                core.stack.next_deadline()
            } else {
                None
            };
            (deadline, running && devices + 1 > fds.len())
        };
        if changed {
            shared.changes.bump();
        }
        let now = clock.now();
        let mut timeout = deadline.map(|d| d.saturating_since(now));
        if poll_often {
            timeout = Some(timeout.map_or(POLL_INTERVAL_WITHOUT_FD, |t| {
                t.min(POLL_INTERVAL_WITHOUT_FD)
            }));
        }
        if let Some(by) = stop_by {
            let left = by.saturating_since(now);
            timeout = Some(timeout.map_or(left, |t| t.min(left)));
        }
        if timeout.is_some_and(|t| t.millis() == 0) {
            continue;
        }
        if let Err(e) = wait_readable(&fds, timeout) {
            log::error!(target: "netstack::tcpip", "waiting for devices failed: {e}");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
    // Wake every waiter: calls see the thread gone.
    shared.changes.bump();
}

/// Empties the wake-up socket.
fn drain(mut wake: &UnixStream) {
    let mut buf = [0u8; 64];
    while matches!(wake.read(&mut buf), Ok(n) if n > 0) {}
}
