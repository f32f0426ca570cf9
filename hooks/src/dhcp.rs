//! DHCP client options a product adds and reads (`dhcp_append_options`, `dhcp_parse_option`).
//!
//! [`DhcpClientOptions`] appends the product's host name (option 12), vendor class (60) and
//! any other options to the client's DISCOVER and REQUEST messages, and records the options
//! of the server's replies the product asks for (vendor-specific information 43, NTP servers
//! 42, its own codes), readable afterwards:
//!
//! ```
//! use netstack::wire::dhcpv4::code;
//! use netstack_hooks::dhcp::DhcpClientOptions;
//!
//! let options = DhcpClientOptions::new()
//!     .hostname("sensor-17")
//!     .vendor_class("acme-sensor/2.1")
//!     .record(code::VENDOR_SPECIFIC)
//!     .record(code::NTP_SERVERS);
//! // later: options.recorded(code::VENDOR_SPECIFIC)
//! # let _ = options;
//! ```
//!
//! The stack sends its own host name (`local_hostname`, `DhcpClientConfig::hostname`) too;
//! a message carries each option once, so the object's host name is refused (and counted in
//! [`DhcpClientOptions::refused`]) while the stack's is set: give the name in one place.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use netstack::hooks::DhcpOptionVerdict;
use netstack::ipv4::dhcp::DhcpState;
use netstack::wire::dhcpv4::code;
use netstack::wire::{DhcpMessageType, DhcpOptionError, DhcpOptionWriter};
use netstack::{NetifId, NetifInfo};

/// An option recorded from a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedOption {
    /// The message it came in (OFFER, ACK, NAK).
    pub message_type: DhcpMessageType,
    /// Its data.
    pub data: Vec<u8>,
}

/// Appends the product's options to the DHCP client's messages and records chosen options
/// of the replies (a hook object for `dhcp_append_options` and `dhcp_parse_option`).
///
/// Reading it: [`recorded`](Self::recorded), [`recorded_on`](Self::recorded_on),
/// [`refused`](Self::refused) and [`hostname_value`](Self::hostname_value), through the
/// stack that owns the hooks: `ns.hooks(|h| h.dhcp.recorded(code::NTP_SERVERS).cloned())`
/// once the TCP/IP thread runs it (both DHCP points must be selected in `netstack.toml`:
/// they are `none` by default; `examples/hooks-product` does it).
///
/// ```
/// use netstack::wire::dhcpv4::code;
/// use netstack_hooks::dhcp::DhcpClientOptions;
///
/// let dhcp = DhcpClientOptions::new()
///     .hostname("sensor-7")
///     .record(code::NTP_SERVERS);
/// assert_eq!(dhcp.hostname_value().as_deref(), Some("sensor-7"));
/// // Until a server's reply carried option 42:
/// assert!(dhcp.recorded(code::NTP_SERVERS).is_none());
/// assert!(dhcp.refused().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct DhcpClientOptions {
    /// Options appended, in order.
    append: Vec<(u8, Vec<u8>)>,
    /// Codes to record.
    wanted: Vec<u8>,
    /// Latest value per interface and code.
    recorded: BTreeMap<(NetifId, u8), RecordedOption>,
    /// Options the writer refused (no room, or a code the message already had).
    refused: Vec<DhcpOptionError>,
}

impl DhcpClientOptions {
    /// Appends nothing and records nothing.
    pub fn new() -> DhcpClientOptions {
        DhcpClientOptions::default()
    }

    /// Sends `name` as the host name (option 12; RFC 2132 §3.14). An empty name, or one
    /// longer than 255 bytes, is not sent.
    pub fn hostname(self, name: &str) -> DhcpClientOptions {
        self.option(code::HOSTNAME, name.as_bytes())
    }

    /// Sends `class` as the vendor class identifier (option 60; RFC 2132 §9.13).
    pub fn vendor_class(self, class: &str) -> DhcpClientOptions {
        self.option(code::VENDOR_CLASS, class.as_bytes())
    }

    /// Sends option `code` with `data` (replacing an earlier value of that code). Empty or
    /// over-long data is not sent; neither are pad and end.
    pub fn option(mut self, code: u8, data: &[u8]) -> DhcpClientOptions {
        self.append.retain(|(c, _)| *c != code);
        if !data.is_empty() && data.len() <= 255 && code != code::PAD && code != code::END {
            self.append.push((code, data.to_vec()));
        }
        self
    }

    /// Records option `code` from the replies (OFFER, ACK, NAK).
    pub fn record(mut self, code: u8) -> DhcpClientOptions {
        if !self.wanted.contains(&code) {
            self.wanted.push(code);
        }
        self
    }

    /// Records every code in `codes`.
    pub fn record_all(self, codes: &[u8]) -> DhcpClientOptions {
        codes.iter().fold(self, |s, &c| s.record(c))
    }

    /// The latest value of option `code` recorded on any interface (the last reply wins).
    pub fn recorded(&self, code: u8) -> Option<&RecordedOption> {
        self.recorded
            .iter()
            .filter(|((_, c), _)| *c == code)
            .map(|(_, v)| v)
            .next_back()
    }

    /// The latest value of option `code` recorded on interface `netif`.
    pub fn recorded_on(&self, netif: NetifId, code: u8) -> Option<&RecordedOption> {
        self.recorded.get(&(netif, code))
    }

    /// The options the writer refused, oldest first.
    pub fn refused(&self) -> &[DhcpOptionError] {
        &self.refused
    }

    /// The host name this object sends, if any.
    pub fn hostname_value(&self) -> Option<String> {
        self.append
            .iter()
            .find(|(c, _)| *c == code::HOSTNAME)
            .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
    }

    /// The `dhcp_append_options` hook: appends the options to DISCOVER and REQUEST (the
    /// messages that ask for a lease; DECLINE and RELEASE get none).
    pub fn dhcp_append_options(
        &mut self,
        _netif: &NetifInfo<'_>,
        _state: DhcpState,
        message_type: DhcpMessageType,
        options: &mut DhcpOptionWriter<'_>,
    ) {
        if !matches!(
            message_type,
            DhcpMessageType::Discover | DhcpMessageType::Request
        ) {
            return;
        }
        for (code, data) in &self.append {
            if let Err(e) = options.append(*code, data) {
                self.refused.push(e);
            }
        }
    }

    /// The `dhcp_parse_option` hook: records the wanted options; never drops a reply.
    pub fn dhcp_parse_option(
        &mut self,
        netif: &NetifInfo<'_>,
        _state: DhcpState,
        message_type: DhcpMessageType,
        code: u8,
        data: &[u8],
    ) -> DhcpOptionVerdict {
        if self.wanted.contains(&code) {
            self.recorded.insert(
                (netif.id, code),
                RecordedOption {
                    message_type,
                    data: data.to_vec(),
                },
            );
        }
        DhcpOptionVerdict::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::with_netif;

    #[test]
    fn appends_to_discover_and_request_only_and_counts_refusals() {
        with_netif(appends);
    }

    fn appends(info: &NetifInfo<'_>) {
        let info = *info;
        let mut o = DhcpClientOptions::new()
            .hostname("node")
            .vendor_class("acme/1")
            .option(224, &[1, 2])
            .option(225, &[]);
        let mut area = [0u8; 64];
        let mut w = DhcpOptionWriter::new(&mut area);
        o.dhcp_append_options(
            &info,
            DhcpState::Selecting,
            DhcpMessageType::Discover,
            &mut w,
        );
        assert!(w.contains(code::HOSTNAME) && w.contains(code::VENDOR_CLASS) && w.contains(224));
        assert!(!w.contains(225));
        assert_eq!(w.len(), 6 + 8 + 4);
        let mut area = [0u8; 64];
        let mut w = DhcpOptionWriter::new(&mut area);
        o.dhcp_append_options(&info, DhcpState::Bound, DhcpMessageType::Release, &mut w);
        assert!(w.is_empty());
        // A host name the stack already sent, and no room for the rest.
        let mut area = [0u8; 12];
        let mut w = DhcpOptionWriter::new(&mut area);
        w.append(code::HOSTNAME, b"stack").expect("fits");
        o.dhcp_append_options(
            &info,
            DhcpState::Requesting,
            DhcpMessageType::Request,
            &mut w,
        );
        assert_eq!(o.refused()[0], DhcpOptionError::Duplicate(code::HOSTNAME));
        assert!(matches!(o.refused()[1], DhcpOptionError::NoSpace { .. }));
        assert_eq!(o.hostname_value().as_deref(), Some("node"));
    }

    #[test]
    fn records_the_latest_wanted_options() {
        with_netif(records);
    }

    fn records(info: &NetifInfo<'_>) {
        let info = *info;
        let mut o = DhcpClientOptions::new().record_all(&[43, 42]);
        let offer = DhcpMessageType::Offer;
        let ack = DhcpMessageType::Ack;
        assert_eq!(
            o.dhcp_parse_option(&info, DhcpState::Selecting, offer, 43, &[1]),
            DhcpOptionVerdict::Continue
        );
        o.dhcp_parse_option(&info, DhcpState::Selecting, offer, 1, &[255, 0, 0, 0]);
        o.dhcp_parse_option(&info, DhcpState::Requesting, ack, 43, &[2]);
        let got = o.recorded(43).expect("recorded");
        assert_eq!((got.message_type, &got.data[..]), (ack, &[2u8][..]));
        assert_eq!(o.recorded_on(info.id, 43), Some(got));
        assert_eq!(o.recorded(1), None);
        assert_eq!(o.recorded(42), None);
    }
}
