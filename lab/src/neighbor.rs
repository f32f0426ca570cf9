//! Reading the Linux side's neighbour (ARP/NDP) table and multicast memberships.

use std::net::IpAddr;

/// One entry of `ip neigh`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbor {
    /// The neighbour's IP address.
    pub addr: IpAddr,
    /// Its link-layer address, if resolved.
    pub mac: Option<[u8; 6]>,
    /// The NUD state as `ip` prints it: `REACHABLE`, `STALE`, `INCOMPLETE`, `FAILED`, ...
    pub state: String,
}

/// Parses `aa:bb:cc:dd:ee:ff`.
pub fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    let mut parts = text.split(':');
    for byte in &mut mac {
        *byte = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(mac)
}

/// Formats a MAC address as `aa:bb:cc:dd:ee:ff`.
pub fn format_mac(mac: [u8; 6]) -> String {
    mac.map(|b| format!("{b:02x}")).join(":")
}

/// Parses the output of `ip neigh show`.
pub fn parse_neighbors(text: &str) -> Vec<Neighbor> {
    text.lines()
        .filter_map(|line| {
            let tokens: Vec<&str> = line.split_whitespace().collect();
            let addr = tokens.first()?.parse().ok()?;
            let mac = tokens
                .iter()
                .position(|t| *t == "lladdr")
                .and_then(|i| tokens.get(i + 1))
                .and_then(|m| parse_mac(m));
            let state = tokens.last()?.to_string();
            Some(Neighbor { addr, mac, state })
        })
        .collect()
}

/// Parses the IP multicast groups (the `inet`/`inet6` lines) of `ip maddr show`.
pub fn parse_multicast_groups(text: &str) -> Vec<IpAddr> {
    text.lines()
        .filter_map(|line| {
            let mut tokens = line.split_whitespace();
            match tokens.next()? {
                "inet" | "inet6" => tokens.next()?.parse().ok(),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbor_lines_are_parsed() {
        let text = "192.0.2.2 lladdr 02:00:00:00:00:02 REACHABLE\n\
                    192.0.2.9 FAILED\n\
                    fe80::1 lladdr 02:00:00:00:00:01 router STALE\n";
        let n = parse_neighbors(text);
        assert_eq!(n.len(), 3);
        assert_eq!(n[0].addr, "192.0.2.2".parse::<IpAddr>().unwrap());
        assert_eq!(n[0].mac, Some([2, 0, 0, 0, 0, 2]));
        assert_eq!(n[0].state, "REACHABLE");
        assert_eq!(n[1].mac, None);
        assert_eq!(n[1].state, "FAILED");
        assert_eq!(n[2].state, "STALE");
    }

    #[test]
    fn macs_round_trip() {
        assert_eq!(
            parse_mac("0a:1b:2c:3d:4e:5f"),
            Some([10, 27, 44, 61, 78, 95])
        );
        assert_eq!(format_mac([10, 27, 44, 61, 78, 95]), "0a:1b:2c:3d:4e:5f");
        assert_eq!(parse_mac("0a:1b:2c:3d:4e"), None);
        assert_eq!(parse_mac("0a:1b:2c:3d:4e:5f:00"), None);
    }

    #[test]
    fn multicast_groups_are_parsed() {
        let text = "5:\ttap0\n\tlink  01:00:5e:00:00:01\n\tinet  224.0.0.1\n\
                    \tinet6 ff02::1 users 2\n";
        let groups = parse_multicast_groups(text);
        assert_eq!(
            groups,
            vec![
                "224.0.0.1".parse::<IpAddr>().unwrap(),
                "ff02::1".parse::<IpAddr>().unwrap()
            ]
        );
    }
}
