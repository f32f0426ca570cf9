//! Building the client's messages (RFC 2131 §4.4.1 Table 5): which options go into which
//! message, within the options area of `config::DHCP_OPTIONS_LEN` bytes.

use core::net::Ipv4Addr;

use super::DhcpClientConfig;
use super::client::{Destination, Outgoing};
use crate::config;
use crate::wire::dhcpv4::{MIN_MAX_MESSAGE_SIZE, code};
use crate::wire::{
    DhcpEmitError, DhcpMessageType, DhcpOpcode, DhcpOptionWriter, DhcpRepr, EthernetAddress,
};

/// Bytes of a message the client sends: the fixed part, the cookie and
/// `config::DHCP_OPTIONS_LEN` bytes of options (at least the 300 bytes relays expect).
pub const MESSAGE_LEN: usize = DhcpRepr::buffer_len(config::DHCP_OPTIONS_LEN);

/// The parameters the client asks for (option 55): subnet mask, router, DNS servers,
/// broadcast address, and NTP servers with `config::DHCP_GET_NTP_SRV`.
pub fn parameter_request_list() -> &'static [u8] {
    const BASE: [u8; 5] = [
        code::SUBNET_MASK,
        code::ROUTER,
        code::DNS_SERVERS,
        code::BROADCAST_ADDRESS,
        code::NTP_SERVERS,
    ];
    if config::DHCP_GET_NTP_SRV {
        &BASE
    } else {
        &BASE[..4]
    }
}

/// Writes the message `out` describes into `buf` ([`MESSAGE_LEN`] bytes): the options
/// Table 5 asks for (message type, client id unless `config::DHCP_DISABLE_CLIENT_ID`,
/// requested address and server id where given, parameter list and maximum size in
/// DISCOVER/REQUEST), then host name and vendor class (DISCOVER/REQUEST; left out with a
/// warning when they do not fit), then what `extra` appends (the product's hook), then End.
pub fn build(
    out: &Outgoing,
    settings: &DhcpClientConfig,
    mac: EthernetAddress,
    mtu: usize,
    buf: &mut [u8],
    extra: impl FnOnce(&mut DhcpOptionWriter<'_>),
) -> Result<(), DhcpEmitError> {
    let mut client_id = [0u8; 7];
    client_id[0] = 1; // htype Ethernet (RFC 2132 §9.14)
    client_id[1..].copy_from_slice(mac.as_bytes());
    let asks = matches!(
        out.message_type,
        DhcpMessageType::Discover | DhcpMessageType::Request | DhcpMessageType::Inform
    );
    let max_size = u16::try_from(mtu)
        .unwrap_or(u16::MAX)
        .max(MIN_MAX_MESSAGE_SIZE);
    let repr = DhcpRepr {
        secs: out.secs,
        broadcast: settings.broadcast_flag && out.dst == Destination::Broadcast,
        client_ip: out.ciaddr,
        requested_ip: out.requested_ip,
        server_identifier: out.server_id,
        client_id: (!config::DHCP_DISABLE_CLIENT_ID).then_some(&client_id[..]),
        parameter_request_list: asks.then(parameter_request_list),
        max_message_size: asks.then_some(max_size),
        ..DhcpRepr::new(DhcpOpcode::Request, out.message_type, out.xid, mac)
    };
    repr.emit(buf, |w| {
        if asks && out.message_type != DhcpMessageType::Inform {
            let hostname = settings.hostname.as_deref().filter(|h| !h.is_empty());
            let vendor = settings
                .vendor_class
                .as_deref()
                .filter(|v| !v.is_empty() && !config::DHCP_DISABLE_VENDOR_CLASS_ID);
            for (code, value) in [(code::HOSTNAME, hostname), (code::VENDOR_CLASS, vendor)] {
                if let Some(value) = value
                    && let Err(e) = w.append(code, value.as_bytes())
                {
                    log::warn!(target: "netstack::dhcp", "option {code} left out: {e}");
                }
            }
        }
        extra(w);
    })
}

/// The IPv4 destination of a message.
pub fn destination(out: &Outgoing) -> Ipv4Addr {
    match out.dst {
        Destination::Broadcast => Ipv4Addr::BROADCAST,
        Destination::Unicast(a) => a,
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec;

    use super::*;
    use crate::wire::DhcpPacket;

    const MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 9]);

    fn outgoing(t: DhcpMessageType) -> Outgoing {
        Outgoing {
            message_type: t,
            xid: 42,
            secs: 3,
            ciaddr: Ipv4Addr::UNSPECIFIED,
            requested_ip: Some(Ipv4Addr::new(10, 0, 0, 5)),
            server_id: Some(Ipv4Addr::new(10, 0, 0, 1)),
            dst: Destination::Broadcast,
        }
    }

    /// Builds a `kind` message with `settings` into `buf` (no product options) and checks
    /// it is a valid DHCP packet.
    fn built<'b>(
        kind: DhcpMessageType,
        settings: &DhcpClientConfig,
        buf: &'b mut [u8],
    ) -> DhcpPacket<&'b [u8]> {
        build(&outgoing(kind), settings, MAC, 1500, buf, |_| {}).expect("fits");
        DhcpPacket::new_checked(&buf[..]).expect("valid")
    }

    #[test]
    fn request_carries_table_5_options_and_fits() {
        let mut buf = vec![0u8; MESSAGE_LEN];
        let settings = DhcpClientConfig {
            hostname: Some(String::from("node")),
            ..DhcpClientConfig::default()
        };
        let packet = built(DhcpMessageType::Request, &settings, &mut buf);
        let repr = DhcpRepr::parse(&packet).expect("parses");
        assert_eq!(repr.message_type, DhcpMessageType::Request);
        assert_eq!(repr.transaction_id, 42);
        assert_eq!(repr.requested_ip, Some(Ipv4Addr::new(10, 0, 0, 5)));
        assert_eq!(repr.server_identifier, Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(repr.hostname, Some(&b"node"[..]));
        assert_eq!(repr.max_message_size, Some(1500));
        assert_eq!(repr.parameter_request_list, Some(parameter_request_list()));
        assert_eq!(repr.client_id.is_some(), !config::DHCP_DISABLE_CLIENT_ID);
        assert_eq!(buf.len(), MESSAGE_LEN);
    }

    #[test]
    fn release_has_no_parameter_list_and_a_hostname_that_does_not_fit_is_left_out() {
        let mut buf = vec![0u8; MESSAGE_LEN];
        let settings = DhcpClientConfig {
            hostname: Some("h".repeat(200)),
            ..DhcpClientConfig::default()
        };
        // The host name is optional: the message is built without it.
        let packet = built(DhcpMessageType::Request, &settings, &mut buf);
        assert_eq!(DhcpRepr::parse(&packet).expect("parses").hostname, None);
        build(
            &outgoing(DhcpMessageType::Release),
            &settings,
            MAC,
            1500,
            &mut buf,
            |w| {
                assert!(w.contains(code::MESSAGE_TYPE));
            },
        )
        .expect("fits");
        let packet = DhcpPacket::new_checked(&buf[..]).expect("valid");
        let repr = DhcpRepr::parse(&packet).expect("parses");
        assert_eq!(repr.parameter_request_list, None);
        assert_eq!(repr.hostname, None);
    }
}
