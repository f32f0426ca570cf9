//! The hook points: names, signatures and chaining rules, written once for both macros.
//!
//! This table mirrors `netstack::hooks::Hooks`; netstack's test `hook_points` compares the two
//! (names, order and signatures), so a new hook method fails that test until it is added here.

/// One hook point of `netstack::hooks::Hooks`.
pub(crate) struct Point {
    /// The method's name, which is also the name used in `#[hook(..)]` and `hooks!`.
    pub name: &'static str,
    /// Parameter names and types (after `&mut self`), as the trait spells them.
    pub args: &'static [(&'static str, &'static str)],
    /// The return type; `()` for a notification (written without `-> ()` in signatures).
    pub ret: &'static str,
    /// For points whose handlers may be chained: the condition on the answer `r` under which
    /// the next handler runs (the answer that means "no opinion"). `None`: one handler only.
    pub pass: Option<&'static str>,
    /// The constant in `netstack::hooks::enabled` that is false when the point is `none`.
    pub enabled: &'static str,
}

/// Every hook point, in the trait's order.
pub(crate) const POINTS: &[Point] = &[
    Point {
        name: "ip4_input",
        args: &[
            ("packet", "&Ipv4Packet<&[u8]>"),
            ("netif", "&NetifInfo<'_>"),
        ],
        ret: "InputVerdict",
        pass: Some("r == InputVerdict::Continue"),
        enabled: "IP4_INPUT",
    },
    Point {
        name: "ip4_route",
        args: &[("dst", "Ipv4Addr")],
        ret: "Option<NetifId>",
        pass: Some("r.is_none()"),
        enabled: "IP4_ROUTE",
    },
    Point {
        name: "ip4_route_src",
        args: &[("src", "Option<Ipv4Addr>"), ("dst", "Ipv4Addr")],
        ret: "Option<NetifId>",
        pass: Some("r.is_none()"),
        enabled: "IP4_ROUTE_SRC",
    },
    Point {
        name: "ip4_canforward",
        args: &[("packet", "&Ipv4Packet<&[u8]>"), ("dst", "Ipv4Addr")],
        ret: "ForwardDecision",
        pass: Some("r == ForwardDecision::Default"),
        enabled: "IP4_CANFORWARD",
    },
    Point {
        name: "etharp_get_gw",
        args: &[("netif", "&NetifInfo<'_>"), ("dst", "Ipv4Addr")],
        ret: "Option<Ipv4Addr>",
        pass: Some("r.is_none()"),
        enabled: "ETHARP_GET_GW",
    },
    Point {
        name: "vlan_check",
        args: &[
            ("netif", "&NetifInfo<'_>"),
            ("frame", "&EthernetFrame<&[u8]>"),
            ("tag", "VlanTag"),
        ],
        ret: "bool",
        pass: None,
        enabled: "VLAN_CHECK",
    },
    Point {
        name: "vlan_set",
        args: &[
            ("netif", "&NetifInfo<'_>"),
            ("src", "EthernetAddress"),
            ("dst", "EthernetAddress"),
            ("ethertype", "EtherType"),
        ],
        ret: "Option<VlanTag>",
        pass: Some("r.is_none()"),
        enabled: "VLAN_SET",
    },
    Point {
        name: "unknown_eth_protocol",
        args: &[
            ("netif", "&NetifInfo<'_>"),
            ("frame", "&EthernetFrame<&[u8]>"),
        ],
        ret: "InputVerdict",
        pass: Some("r == InputVerdict::Continue"),
        enabled: "UNKNOWN_ETH_PROTOCOL",
    },
    Point {
        name: "tcp_isn",
        args: &[
            ("local", "SocketAddrV4"),
            ("remote", "SocketAddrV4"),
            ("isn", "&IsnContext<'_>"),
        ],
        ret: "u32",
        pass: None,
        enabled: "TCP_ISN",
    },
    Point {
        name: "tcp_inpacket_pcb",
        args: &[("conn", "&TcpConnInfo"), ("segment", "&TcpPacket<&[u8]>")],
        ret: "SegmentVerdict",
        pass: Some("r == SegmentVerdict::Accept"),
        enabled: "TCP_INPACKET_PCB",
    },
    Point {
        name: "tcp_out_tcpopt_length",
        args: &[("conn", "&TcpConnInfo"), ("internal_len", "usize")],
        ret: "usize",
        pass: None,
        enabled: "TCP_OUT_TCPOPT_LENGTH",
    },
    Point {
        name: "tcp_out_add_tcpopts",
        args: &[
            ("conn", "&TcpConnInfo"),
            ("segment", "&TcpRepr"),
            ("options", "&mut [u8]"),
        ],
        ret: "usize",
        pass: None,
        enabled: "TCP_OUT_ADD_TCPOPTS",
    },
    Point {
        name: "sockets_setsockopt",
        args: &[
            ("fd", "i32"),
            ("level", "i32"),
            ("name", "i32"),
            ("value", "&[u8]"),
        ],
        ret: "SockoptVerdict<()>",
        pass: Some("r == SockoptVerdict::Continue"),
        enabled: "SOCKETS_SETSOCKOPT",
    },
    Point {
        name: "sockets_getsockopt",
        args: &[
            ("fd", "i32"),
            ("level", "i32"),
            ("name", "i32"),
            ("out", "&mut [u8]"),
        ],
        ret: "SockoptVerdict<usize>",
        pass: Some("r == SockoptVerdict::Continue"),
        enabled: "SOCKETS_GETSOCKOPT",
    },
    Point {
        name: "dhcp_append_options",
        args: &[
            ("netif", "&NetifInfo<'_>"),
            ("state", "DhcpState"),
            ("message_type", "DhcpMessageType"),
            ("options", "&mut DhcpOptionWriter<'_>"),
        ],
        ret: "()",
        // Every handler appends its options.
        pass: Some("true"),
        enabled: "DHCP_APPEND_OPTIONS",
    },
    Point {
        name: "dhcp_parse_option",
        args: &[
            ("netif", "&NetifInfo<'_>"),
            ("state", "DhcpState"),
            ("message_type", "DhcpMessageType"),
            ("code", "u8"),
            ("data", "&[u8]"),
        ],
        ret: "DhcpOptionVerdict",
        pass: Some("r == DhcpOptionVerdict::Continue"),
        enabled: "DHCP_PARSE_OPTION",
    },
    Point {
        name: "memp_available",
        args: &[("pool", "Pool")],
        ret: "()",
        // A notification: every handler of a list runs.
        pass: Some("true"),
        enabled: "MEMP_AVAILABLE",
    },
];

/// Where each type name of the table lives: `(name, module path)`.
const TYPE_PATHS: &[(&str, &str)] = &[
    ("Ipv4Addr", "::core::net"),
    ("SocketAddrV4", "::core::net"),
    ("Option", "::core::option"),
    ("DhcpState", "::netstack::ipv4::dhcp"),
    ("DhcpOptionVerdict", "::netstack::hooks"),
    ("ForwardDecision", "::netstack::hooks"),
    ("InputVerdict", "::netstack::hooks"),
    ("IsnContext", "::netstack::hooks"),
    ("Pool", "::netstack::hooks"),
    ("SegmentVerdict", "::netstack::hooks"),
    ("SockoptVerdict", "::netstack::hooks"),
    ("TcpConnInfo", "::netstack::hooks"),
    ("DhcpMessageType", "::netstack::wire"),
    ("DhcpOptionWriter", "::netstack::wire"),
    ("EtherType", "::netstack::wire"),
    ("EthernetAddress", "::netstack::wire"),
    ("EthernetFrame", "::netstack::wire"),
    ("Ipv4Packet", "::netstack::wire"),
    ("TcpPacket", "::netstack::wire"),
    ("TcpRepr", "::netstack::wire"),
    ("VlanTag", "::netstack::wire"),
    ("NetifId", "::netstack"),
    ("NetifInfo", "::netstack"),
];

/// The `use` lines that make the table's type names resolve in generated code (and the
/// `Hooks` trait, for `self.field` handlers' methods of the same name).
pub(crate) fn imports() -> String {
    let mut out = String::from("#[allow(unused_imports)] use ::netstack::hooks::Hooks as _;\n");
    for (name, module) in TYPE_PATHS.iter().filter(|(n, _)| *n != "Option") {
        out.push_str(&format!("#[allow(unused_imports)] use {module}::{name};\n"));
    }
    out
}

/// `ty` (a type of the table) with every type name written as its full path, for code that
/// cannot bring the names into scope (a function signature at the caller's module level).
pub(crate) fn qualified(ty: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match TYPE_PATHS.iter().find(|(n, _)| n == word) {
            Some((name, module)) => out.push_str(&format!("{module}::{name}")),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in ty.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

impl Point {
    /// The key of the point's `hook_<key>` option in `netstack.toml` (ESP-IDF's name where
    /// it differs from the point's).
    pub(crate) fn option_key(&self) -> &'static str {
        match self.name {
            "dhcp_parse_option" => "dhcp_extra_option",
            name => name,
        }
    }

    /// The point called `name`.
    pub(crate) fn find(name: &str) -> Option<&'static Point> {
        POINTS.iter().find(|p| p.name == name)
    }

    /// The signature a hook function must have: `fn(packet: &Ipv4Packet<&[u8]>, ...) -> ...`.
    pub(crate) fn fn_signature(&self) -> String {
        let args: Vec<String> = self.args.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        format!("fn({}){}", args.join(", "), self.arrow())
    }

    /// ` -> Ret`, or nothing for a notification.
    fn arrow(&self) -> String {
        if self.is_notification() {
            String::new()
        } else {
            format!(" -> {}", self.ret)
        }
    }

    /// Whether the point answers nothing (`()`): every handler of a list runs.
    pub(crate) fn is_notification(&self) -> bool {
        self.ret == "()"
    }

    /// The trait method's signature: `fn ip4_input(&mut self, packet: ...) -> InputVerdict`.
    pub(crate) fn method_signature(&self) -> String {
        let mut parts = vec!["&mut self".to_owned()];
        parts.extend(self.args.iter().map(|(n, t)| format!("{n}: {t}")));
        format!("fn {}({}){}", self.name, parts.join(", "), self.arrow())
    }

    /// The function-pointer type of a hook function: `fn(&Ipv4Packet<&[u8]>, ...) -> ...`.
    pub(crate) fn fn_pointer_type(&self) -> String {
        let args: Vec<&str> = self.args.iter().map(|(_, t)| *t).collect();
        format!("fn({}){}", args.join(", "), self.arrow())
    }
}

/// The valid hook names, comma-separated, for error messages.
pub(crate) fn names() -> String {
    POINTS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
}

/// The error for a name that is not a hook point: the closest point, if one is close, and
/// the whole list.
pub(crate) fn unknown(name: &str) -> String {
    let hint = netstack_config::diagnostics::did_you_mean(name, POINTS.iter().map(|p| p.name))
        .map(|p| format!("did you mean `{p}`? "))
        .unwrap_or_default();
    format!(
        "unknown hook `{name}`; {hint}the hook points are: {}",
        names()
    )
}
