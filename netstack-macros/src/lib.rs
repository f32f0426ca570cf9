//! Procedural macros for netstack hook points (`docs/hooks.md`, `docs/architecture.md` § "The hook pipeline").
//!
//! - [`macro@hook`]: `#[hook(ip4_input)]` on a plain function checks, at compile time, that
//!   the name is a hook point and that the function has that hook's signature.
//! - [`hooks!`]: declares one type implementing `netstack::hooks::Hooks` from hook functions
//!   (of the product, of `netstack-hooks`, ...) and stateful hook objects kept in its fields.
//!
//! Use them through `netstack` (`netstack::hook`, `netstack::hooks!`, feature `macros`, on
//! by default). The generated code names `::netstack`, so the crate using them must depend on
//! `netstack` under that name. This crate does not depend on `netstack`: the hook points'
//! names and signatures come from their declaration (`netstack-config/schema/hooks.toml`),
//! from which netstack's `Hooks` trait is generated too (netstack's test `hook_points`
//! compares the two). A point the declaration lists as `planned` (its layer has not landed)
//! is refused with a message saying so. See `docs/hooks.md`.

use proc_macro::TokenStream;

mod attr;
mod compose;
mod expect;
mod points;

/// Marks a plain function as the handler of one hook point and checks it against that point.
///
/// ```ignore
/// #[netstack::hook(ip4_input)]
/// fn drop_telnet(packet: &Ipv4Packet<&[u8]>, netif: &NetifInfo<'_>) -> InputVerdict { .. }
/// ```
///
/// A hook function is stateless (no `self`) and is not registered by the attribute: name it
/// in `hooks!` (`ip4_input => drop_telnet`). A hook that keeps state is a hook object, a type
/// with a method named after the point, kept in a field of the `hooks!` struct.
///
/// Errors: an unknown hook name (with the closest point and the list of valid ones), a
/// method (`self` parameter; the message says where state goes) or a wrong number of
/// parameters (the message shows the expected signature), and a parameter or return type that
/// differs from the hook's (a type mismatch against the expected function type). The item
/// keeps its name, attributes and visibility and gets the hook's exact signature, with the
/// function as written inside it: a mismatch is reported once, here, and not again where
/// `hooks!` names the function.
#[proc_macro_attribute]
pub fn hook(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: proc_macro2::TokenStream = item.into();
    match attr::expand(args.into(), item.clone()) {
        Ok(out) => out.into(),
        // Keep the function, so one mistake gives one error (not a cascade of unused imports
        // and missing functions).
        Err(e) => {
            let mut out = e.into_compile_error();
            out.extend(item);
            out.into()
        }
    }
}

/// Declares a struct and implements `netstack::hooks::Hooks` for it from hook handlers.
///
/// ```ignore
/// netstack::hooks! {
///     /// The product's hooks.
///     pub struct ProductHooks {
///         /// Hook objects and other state: ordinary fields.
///         pub filter: netstack_hooks::filter::PacketFilter,
///         pub counters: netstack_hooks::counters::Counters,
///     }
///     ip4_input => [self.counters, self.filter, crate::drop_telnet],
///     vlan_set => crate::tag_everything,
/// }
/// ```
///
/// After the struct (`{ fields }` or `;`) come `hook => handler` entries, where a handler is
/// a function path (called with the hook's arguments), `self.field` (calls the method named
/// after the hook on that field: `self.filter.ip4_input(packet, netif)`), or a list of those
/// run in order until one has an opinion (`Consumed`, `Some(..)`, a non-`Default` decision;
/// `vlan_check` takes a single handler; every handler of a `memp_available` list runs, since
/// it is a notification).
///
/// Points without an entry keep the stack's own behaviour (`netstack::hooks::defaults`); one
/// that the build's `netstack.toml` makes `custom` is an error naming the entry to add.
///
/// Errors: an unknown hook name (with the closest point and the list), the same hook twice, a
/// `self.field` that is not a field, a list for `vlan_check`, a function whose signature
/// differs from the hook's (a type mismatch showing the expected function type), and a hook
/// whose point this build's `netstack.toml` sets to `none` (it would never be called).
#[proc_macro]
pub fn hooks(input: TokenStream) -> TokenStream {
    compose::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// States the product's configuration file: the build fails unless netstack was built with it.
///
/// ```ignore
/// // In the product crate (lib.rs or main.rs); the path is relative to the crate's directory.
/// netstack::expect_config!("netstack.toml");
/// ```
///
/// netstack's build script reads the file named by `NETSTACK_CONFIG`, which a product sets in
/// its `.cargo/config.toml`; cargo reads that file only from the directory it runs in, so a
/// build started elsewhere (`cargo build --manifest-path product/Cargo.toml`) would otherwise
/// use the built-in default without a word. The macro resolves the file as the build script
/// does and compares it, at compile time, with `netstack::config::SUMMARY`. On a mismatch the
/// error says which configuration the build used, which options differ, and how to point the
/// build at the file. A missing or invalid file is an error too (with the validator's
/// `FILE:LINE:COL` messages); the crate rebuilds when the file (or a file it extends) changes.
#[proc_macro]
pub fn expect_config(input: TokenStream) -> TokenStream {
    expect::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The hook points as `&[(name, trait method signature)]`, for netstack's test that this
/// crate's table matches the `Hooks` trait. Not for products.
#[doc(hidden)]
#[proc_macro]
pub fn __hook_points(_input: TokenStream) -> TokenStream {
    let points = match points::wired() {
        Ok(p) => p,
        Err(e) => return e.into_compile_error().into(),
    };
    let entries = points.iter().map(|p| {
        let name = &p.name;
        let sig = p.method_signature();
        quote::quote!((#name, #sig))
    });
    quote::quote!(&[#(#entries),*]).into()
}
