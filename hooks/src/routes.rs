//! A static, deterministic routing table for the `ip4_route` and `etharp_get_gw` hook points.
//!
//! Each entry maps a destination prefix to an interface and, optionally, a gateway on it.
//! The longest matching prefix wins; among equal prefixes the first added wins, so the
//! answer never depends on anything but the table.

use alloc::vec::Vec;

use netstack::wire::{Ipv4Addr, Ipv4Cidr};
use netstack::{NetifId, NetifInfo};

/// One route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route {
    /// Destinations it covers.
    pub prefix: Ipv4Cidr,
    /// The interface to send on.
    pub netif: NetifId,
    /// The next hop for off-link destinations (`None`: the interface's own gateway).
    pub gateway: Option<Ipv4Addr>,
}

/// Static routes, longest prefix first.
///
/// Reading it: [`lookup`](Self::lookup) says which route a destination takes, on the table
/// itself or through the stack that owns the hooks (`stack.hooks().routes.lookup(dst)`,
/// `ns.hooks(move |h| h.routes.lookup(dst).copied())`).
///
/// ```
/// use netstack::wire::{Ipv4Addr, Ipv4Cidr};
/// use netstack::{Stack, StackConfig};
/// use netstack_hooks::routes::{Route, StaticRoutes};
///
/// netstack::hooks! {
///     struct ProductHooks {
///         routes: StaticRoutes,
///     }
///     ip4_route => self.routes,
/// }
///
/// let mut stack = Stack::with_hooks(StackConfig::default(), ProductHooks {
///     routes: StaticRoutes::new(),
/// });
/// let Some(lo) = stack.loopback_netif() else { return };
/// let route = Route {
///     prefix: Ipv4Cidr::new(Ipv4Addr::new(198, 51, 100, 0), 24).expect("a /24"),
///     netif: lo,
///     gateway: None,
/// };
/// stack.hooks_mut().routes.add(route);
/// let routes = &stack.hooks().routes;
/// assert_eq!(routes.lookup(Ipv4Addr::new(198, 51, 100, 7)), Some(&route));
/// assert_eq!(routes.lookup(Ipv4Addr::new(203, 0, 113, 1)), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StaticRoutes {
    routes: Vec<Route>,
}

impl StaticRoutes {
    /// An empty table (every answer is "let the stack decide").
    pub const fn new() -> StaticRoutes {
        StaticRoutes { routes: Vec::new() }
    }

    /// Adds a route.
    pub fn route(mut self, route: Route) -> StaticRoutes {
        self.add(route);
        self
    }

    /// Adds a route in place.
    pub fn add(&mut self, route: Route) {
        // Stable insertion keeps equal prefixes in the order they were added.
        let at = self
            .routes
            .iter()
            .position(|r| r.prefix.prefix_len() < route.prefix.prefix_len())
            .unwrap_or(self.routes.len());
        self.routes.insert(at, route);
    }

    /// The route for `dst`: the longest matching prefix.
    pub fn lookup(&self, dst: Ipv4Addr) -> Option<&Route> {
        self.routes.iter().find(|r| r.prefix.contains_addr(&dst))
    }

    /// The `ip4_route` hook: the interface of the route for `dst`.
    pub fn ip4_route(&mut self, dst: Ipv4Addr) -> Option<NetifId> {
        self.lookup(dst).map(|r| r.netif)
    }

    /// The `etharp_get_gw` hook: the gateway of the route for `dst`, if that route goes out
    /// through `netif` and names one.
    pub fn etharp_get_gw(&mut self, netif: &NetifInfo<'_>, dst: Ipv4Addr) -> Option<Ipv4Addr> {
        self.lookup(dst)
            .filter(|r| r.netif == netif.id)
            .and_then(|r| r.gateway)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{cidr, ip, with_netif};

    #[test]
    fn longest_prefix_then_first_added() {
        with_netif(|info| {
            let mut routes = StaticRoutes::new()
                .route(Route {
                    prefix: cidr(0, 0, 0, 0, 0),
                    netif: info.id,
                    gateway: Some(ip(10, 0, 0, 254)),
                })
                .route(Route {
                    prefix: cidr(198, 51, 100, 0, 24),
                    netif: info.id,
                    gateway: Some(ip(10, 0, 0, 2)),
                })
                .route(Route {
                    prefix: cidr(198, 51, 100, 0, 24),
                    netif: info.id,
                    gateway: Some(ip(10, 0, 0, 3)),
                });
            assert_eq!(
                routes.etharp_get_gw(info, ip(198, 51, 100, 7)),
                Some(ip(10, 0, 0, 2))
            );
            assert_eq!(
                routes.etharp_get_gw(info, ip(203, 0, 113, 1)),
                Some(ip(10, 0, 0, 254))
            );
            assert_eq!(routes.ip4_route(ip(203, 0, 113, 1)), Some(info.id));
            assert_eq!(StaticRoutes::new().ip4_route(ip(1, 2, 3, 4)), None);
        });
    }
}
