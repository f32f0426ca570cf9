//! Packet captures on the Linux side of the TAP, and checking them with tshark.
//!
//! [`Capture`] runs `dumpcap` (the capture engine behind tshark) inside the namespace and
//! writes a classic pcap file. [`check_capture`] reads any capture back with tshark, with
//! checksum validation on for IPv4, UDP, TCP, ICMP, ICMPv6 and IGMP, and fails listing
//! every malformed packet, bad checksum or expert error: call it at the end of every interop
//! test so a packet Linux tolerated but Wireshark calls broken still fails the test.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::command::{signal, wait_until};
use crate::error::CaptureError;

/// How long a capture keeps running after it is asked to stop, so the kernel hands dumpcap
/// the packets it still buffers (libpcap delivers them in blocks, with a timeout).
const SETTLE: Duration = Duration::from_millis(500);

/// tshark preferences that turn on checksum validation (ICMP, ICMPv6 and IGMP checksums are
/// always validated).
const CHECKSUM_PREFS: &[&str] = &[
    "-o",
    "ip.check_checksum:TRUE",
    "-o",
    "udp.check_checksum:TRUE",
    "-o",
    "tcp.check_checksum:TRUE",
];

/// A display filter matching every packet the lab considers broken.
const BAD_PACKETS: &str = "_ws.malformed || _ws.expert.severity == error \
    || ip.checksum.status == 0 || udp.checksum.status == 0 || tcp.checksum.status == 0 \
    || icmp.checksum.status == 0 || icmpv6.checksum.status == 0 || igmp.checksum.status == 0";

/// A running capture; stopped (and its file kept) when dropped.
#[derive(Debug)]
pub struct Capture {
    child: Option<Child>,
    path: PathBuf,
    stderr: Option<JoinHandle<String>>,
}

impl Capture {
    /// Starts `dumpcap` on `iface` inside namespace `ns`, writing to `path`, and returns
    /// once it is capturing. Panics if it does not start within ten seconds.
    pub(crate) fn start(ns: &str, iface: &str, path: PathBuf) -> Capture {
        std::fs::remove_file(&path).ok();
        let mut child = Command::new("ip")
            .args([
                "netns", "exec", ns, "dumpcap", "-q", "-P", "-i", iface, "-w",
            ])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("netstack-lab: cannot start dumpcap");
        let pipe = child.stderr.take().expect("stderr is piped");
        let (ready_tx, ready_rx) = mpsc::channel();
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if line.contains("Capturing on") {
                    ready_tx.send(()).ok();
                }
                text.push_str(&line);
                text.push('\n');
            }
            text
        });
        let mut capture = Capture {
            child: Some(child),
            path,
            stderr: Some(stderr),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if ready_rx.recv_timeout(Duration::from_millis(50)).is_ok() {
                break;
            }
            let exited = capture
                .child
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if exited || Instant::now() > deadline {
                let log = capture.finish();
                panic!("netstack-lab: dumpcap on {iface} in {ns} did not start: {log}");
            }
        }
        // The header is written when capturing starts; give the socket a moment to be bound.
        thread::sleep(Duration::from_millis(100));
        capture
    }

    /// The capture file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops capturing and returns the file (kept on disk for inspection).
    pub fn stop(mut self) -> PathBuf {
        self.finish();
        self.path.clone()
    }

    /// Stops capturing and checks the file with [`check_capture`]; panics listing the bad
    /// packets if there are any.
    pub fn stop_and_check(self) -> CaptureReport {
        let path = self.stop();
        check_capture(&path).unwrap_or_else(|err| panic!("netstack-lab: {err}"))
    }

    /// Stops dumpcap (SIGINT, so it flushes the file) and returns what it printed.
    fn finish(&mut self) -> String {
        if let Some(mut child) = self.child.take() {
            if matches!(child.try_wait(), Ok(None)) {
                thread::sleep(SETTLE);
                signal(child.id(), "INT");
                if wait_until(&mut child, Instant::now() + Duration::from_secs(5)).is_none() {
                    child.kill().ok();
                }
            }
            child.wait().ok();
        }
        self.stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.finish();
    }
}

/// What [`check_capture`] found in a good capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureReport {
    /// The capture file.
    pub path: PathBuf,
    /// One line per packet: `number<TAB>protocol<TAB>info`, as tshark summarises it.
    pub packets: Vec<String>,
}

impl CaptureReport {
    /// The packets whose summary line contains `text`.
    pub fn matching(&self, text: &str) -> Vec<&str> {
        self.packets
            .iter()
            .filter(|p| p.contains(text))
            .map(String::as_str)
            .collect()
    }
}

/// Runs tshark on `path` with checksum validation and `extra` arguments; its stdout.
fn tshark(path: &Path, extra: &[&str]) -> Result<String, CaptureError> {
    let output = Command::new("tshark")
        .arg("-n")
        .arg("-r")
        .arg(path)
        .args(CHECKSUM_PREFS)
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .map_err(|err| CaptureError::Unreadable {
            path: path.to_path_buf(),
            reason: format!("cannot run tshark: {err}"),
        })?;
    if !output.status.success() {
        return Err(CaptureError::Unreadable {
            path: path.to_path_buf(),
            reason: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Decodes every packet of a capture (pcap or pcapng) and fails if any is malformed, has a
/// bad IPv4/UDP/TCP/ICMP/ICMPv6/IGMP checksum, or draws an expert error from tshark.
pub fn check_capture(path: &Path) -> Result<CaptureReport, CaptureError> {
    let columns = [
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-e",
        "_ws.col.Protocol",
        "-e",
        "_ws.col.Info",
    ];
    let all = tshark(path, &columns)?;
    let mut bad_args = vec!["-Y", BAD_PACKETS];
    bad_args.extend_from_slice(&columns);
    bad_args.extend_from_slice(&["-e", "_ws.expert.message"]);
    let bad = tshark(path, &bad_args)?;
    let problems: Vec<String> = bad.lines().map(str::to_string).collect();
    if !problems.is_empty() {
        return Err(CaptureError::BadPackets {
            path: path.to_path_buf(),
            problems,
        });
    }
    Ok(CaptureReport {
        path: path.to_path_buf(),
        packets: all.lines().map(str::to_string).collect(),
    })
}
