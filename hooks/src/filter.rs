//! A stateless IPv4 packet filter for the `ip4_input` hook point.
//!
//! Rules are checked in order and the first that matches decides; a packet no rule matches
//! gets the default policy. A denied packet is taken by the hook
//! ([`InputVerdict::Consumed`]): the stack neither processes nor answers it (like a firewall's
//! DROP, not REJECT).

use alloc::vec::Vec;

use netstack::NetifInfo;
use netstack::hooks::InputVerdict;
use netstack::wire::{IpProtocol, Ipv4Cidr, Ipv4Packet};

/// What a rule (or the default policy) does with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Let the stack process it.
    Allow,
    /// Take it away from the stack (drop it silently).
    Deny,
}

/// An inclusive range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortRange {
    /// Lowest port matched.
    pub first: u16,
    /// Highest port matched.
    pub last: u16,
}

impl PortRange {
    /// Exactly `port`.
    pub const fn one(port: u16) -> PortRange {
        PortRange {
            first: port,
            last: port,
        }
    }

    /// Whether `port` is in the range.
    pub const fn contains(&self, port: u16) -> bool {
        self.first <= port && port <= self.last
    }
}

/// One filter rule: every condition that is set must hold for the rule to match.
///
/// Port conditions match only TCP and UDP packets that carry the ports (a first or only
/// fragment whose payload holds them); any other packet does not match a rule with a port
/// condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    /// What to do with a matching packet.
    pub action: Action,
    /// The source address must be in this prefix.
    pub src: Option<Ipv4Cidr>,
    /// The destination address must be in this prefix.
    pub dst: Option<Ipv4Cidr>,
    /// The protocol must be this one.
    pub protocol: Option<IpProtocol>,
    /// The TCP/UDP source port must be in this range.
    pub src_port: Option<PortRange>,
    /// The TCP/UDP destination port must be in this range.
    pub dst_port: Option<PortRange>,
}

impl Rule {
    /// A rule matching every packet, with `action`; narrow it with the `with_*` methods.
    pub const fn new(action: Action) -> Rule {
        Rule {
            action,
            src: None,
            dst: None,
            protocol: None,
            src_port: None,
            dst_port: None,
        }
    }

    /// An allowing rule matching every packet.
    pub const fn allow() -> Rule {
        Rule::new(Action::Allow)
    }

    /// A denying rule matching every packet.
    pub const fn deny() -> Rule {
        Rule::new(Action::Deny)
    }

    /// Only packets from `prefix`.
    pub const fn from(mut self, prefix: Ipv4Cidr) -> Rule {
        self.src = Some(prefix);
        self
    }

    /// Only packets to `prefix`.
    pub const fn to(mut self, prefix: Ipv4Cidr) -> Rule {
        self.dst = Some(prefix);
        self
    }

    /// Only packets of `protocol`.
    pub const fn protocol(mut self, protocol: IpProtocol) -> Rule {
        self.protocol = Some(protocol);
        self
    }

    /// Only TCP/UDP packets from a port in `ports`.
    pub const fn src_port(mut self, ports: PortRange) -> Rule {
        self.src_port = Some(ports);
        self
    }

    /// Only TCP/UDP packets to a port in `ports`.
    pub const fn dst_port(mut self, ports: PortRange) -> Rule {
        self.dst_port = Some(ports);
        self
    }

    /// Whether the rule matches `packet`.
    pub fn matches(&self, packet: &Ipv4Packet<&[u8]>) -> bool {
        if self
            .src
            .is_some_and(|p| !p.contains_addr(&packet.src_addr()))
            || self
                .dst
                .is_some_and(|p| !p.contains_addr(&packet.dst_addr()))
            || self.protocol.is_some_and(|p| p != packet.protocol())
        {
            return false;
        }
        if self.src_port.is_none() && self.dst_port.is_none() {
            return true;
        }
        let Some((src, dst)) = ports(packet) else {
            return false;
        };
        self.src_port.is_none_or(|r| r.contains(src))
            && self.dst_port.is_none_or(|r| r.contains(dst))
    }
}

/// The source and destination ports of a TCP or UDP packet that carries them.
fn ports(packet: &Ipv4Packet<&[u8]>) -> Option<(u16, u16)> {
    if !matches!(packet.protocol(), IpProtocol::Tcp | IpProtocol::Udp) || packet.frag_offset() != 0
    {
        return None;
    }
    let head = packet.payload_slice().get(..4)?;
    Some((
        u16::from_be_bytes([head[0], head[1]]),
        u16::from_be_bytes([head[2], head[3]]),
    ))
}

/// An ordered list of [`Rule`]s with a default policy, and counts of what it decided.
///
/// Reading and changing it from a running stack: [`allowed`](Self::allowed),
/// [`denied`](Self::denied), [`rules`](Self::rules) and [`push`](Self::push) through
/// `NetStack::hooks` (or `stack.hooks()` / `hooks_mut()` between polls).
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
/// use std::time::Duration;
/// use netstack::api::{NetStack, UdpSocket};
/// use netstack::wire::IpProtocol;
/// use netstack::{Stack, StackConfig};
/// use netstack_hooks::filter::{PacketFilter, PortRange, Rule};
///
/// netstack::hooks! {
///     struct ProductHooks {
///         filter: PacketFilter,
///     }
///     ip4_input => self.filter,
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let discard = Rule::deny().protocol(IpProtocol::Udp).dst_port(PortRange::one(9));
/// let hooks = ProductHooks { filter: PacketFilter::default().rule(discard) };
/// let ns = NetStack::start(Stack::with_hooks(StackConfig::default(), hooks))?;
/// # if !netstack::config::NETIF_LOOPBACK { return Ok(()); }
/// let to = |port| SocketAddr::from((Ipv4Addr::LOCALHOST, port));
/// let socket = UdpSocket::bind(&ns, to(9))?;
/// socket.set_read_timeout(Some(Duration::from_millis(100)))?;
/// socket.send_to(b"dropped", to(9))?;
/// assert!(socket.recv_from(&mut [0u8; 16]).is_err());
/// assert_eq!(ns.hooks(|h| (h.filter.allowed(), h.filter.denied()))?, (0, 1));
/// // Rules can be added while the stack runs.
/// ns.hooks(|h| h.filter.push(Rule::deny().dst_port(PortRange::one(7))))?;
/// assert_eq!(ns.hooks(|h| h.filter.rules().len())?, 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketFilter {
    rules: Vec<Rule>,
    default: Action,
    allowed: u64,
    denied: u64,
}

impl PacketFilter {
    /// A filter with no rules whose default is `default`.
    pub const fn new(default: Action) -> PacketFilter {
        PacketFilter {
            rules: Vec::new(),
            default,
            allowed: 0,
            denied: 0,
        }
    }

    /// Appends `rule` (checked after the ones already there).
    pub fn rule(mut self, rule: Rule) -> PacketFilter {
        self.rules.push(rule);
        self
    }

    /// Appends `rule` to a filter in place (e.g. between polls, through `hooks_mut()`).
    pub fn push(&mut self, rule: Rule) {
        self.rules.push(rule);
    }

    /// The rules, in the order they are checked.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The action for `packet`: the first matching rule's, or the default.
    pub fn decide(&self, packet: &Ipv4Packet<&[u8]>) -> Action {
        self.rules
            .iter()
            .find(|r| r.matches(packet))
            .map_or(self.default, |r| r.action)
    }

    /// Packets allowed so far.
    pub const fn allowed(&self) -> u64 {
        self.allowed
    }

    /// Packets denied (taken) so far.
    pub const fn denied(&self) -> u64 {
        self.denied
    }

    /// The `ip4_input` hook: takes denied packets, lets allowed ones continue.
    pub fn ip4_input(&mut self, packet: &Ipv4Packet<&[u8]>, netif: &NetifInfo<'_>) -> InputVerdict {
        let _ = netif;
        match self.decide(packet) {
            Action::Allow => {
                self.allowed += 1;
                InputVerdict::Continue
            }
            Action::Deny => {
                self.denied += 1;
                InputVerdict::Consumed
            }
        }
    }
}

impl Default for PacketFilter {
    /// A filter that allows everything (no rules).
    fn default() -> Self {
        PacketFilter::new(Action::Allow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{cidr, ip, ipv4_packet, with_netif};

    #[test]
    fn first_match_wins_then_default() {
        let filter = PacketFilter::new(Action::Deny)
            .rule(Rule::deny().from(cidr(10, 0, 0, 66, 32)))
            .rule(Rule::allow().from(cidr(10, 0, 0, 0, 24)))
            .rule(Rule::allow().protocol(IpProtocol::Udp).dst_port(PortRange {
                first: 5000,
                last: 5010,
            }));
        let lan = ipv4_packet(ip(10, 0, 0, 5), ip(10, 0, 0, 1), IpProtocol::Icmp, &[]);
        let bad = ipv4_packet(ip(10, 0, 0, 66), ip(10, 0, 0, 1), IpProtocol::Icmp, &[]);
        let wan = ipv4_packet(ip(192, 0, 2, 1), ip(10, 0, 0, 1), IpProtocol::Icmp, &[]);
        let udp_in = ipv4_packet(
            ip(192, 0, 2, 1),
            ip(10, 0, 0, 1),
            IpProtocol::Udp,
            &[0, 9, 0x13, 0x8a],
        );
        let udp_out = ipv4_packet(
            ip(192, 0, 2, 1),
            ip(10, 0, 0, 1),
            IpProtocol::Udp,
            &[0, 9, 0x13, 0x93],
        );
        let check = |p: &[u8]| filter.decide(&Ipv4Packet::new_unchecked(p));
        assert_eq!(check(&lan), Action::Allow);
        assert_eq!(
            check(&bad),
            Action::Deny,
            "the earlier deny wins over the /24 allow"
        );
        assert_eq!(check(&wan), Action::Deny, "default policy");
        assert_eq!(check(&udp_in), Action::Allow, "port 5002 in range");
        assert_eq!(check(&udp_out), Action::Deny, "port 5011 out of range");
    }

    #[test]
    fn port_rules_need_ports() {
        let rule = Rule::deny().dst_port(PortRange::one(23));
        let telnet = ipv4_packet(
            ip(1, 1, 1, 1),
            ip(2, 2, 2, 2),
            IpProtocol::Tcp,
            &[0x30, 0x39, 0, 23],
        );
        let short = ipv4_packet(ip(1, 1, 1, 1), ip(2, 2, 2, 2), IpProtocol::Tcp, &[0x30]);
        let icmp = ipv4_packet(
            ip(1, 1, 1, 1),
            ip(2, 2, 2, 2),
            IpProtocol::Icmp,
            &[0, 0, 0, 23],
        );
        assert!(rule.matches(&Ipv4Packet::new_unchecked(&telnet[..])));
        assert!(!rule.matches(&Ipv4Packet::new_unchecked(&short[..])));
        assert!(!rule.matches(&Ipv4Packet::new_unchecked(&icmp[..])));
    }

    #[test]
    fn hook_takes_denied_packets_and_counts() {
        let mut filter = PacketFilter::default().rule(Rule::deny().to(cidr(10, 0, 0, 9, 32)));
        let ok = ipv4_packet(ip(10, 0, 0, 5), ip(10, 0, 0, 1), IpProtocol::Icmp, &[]);
        let no = ipv4_packet(ip(10, 0, 0, 5), ip(10, 0, 0, 9), IpProtocol::Icmp, &[]);
        with_netif(|info| {
            assert_eq!(
                filter.ip4_input(&Ipv4Packet::new_unchecked(&ok[..]), info),
                InputVerdict::Continue
            );
            assert_eq!(
                filter.ip4_input(&Ipv4Packet::new_unchecked(&no[..]), info),
                InputVerdict::Consumed
            );
        });
        assert_eq!((filter.allowed(), filter.denied()), (1, 1));
    }
}
