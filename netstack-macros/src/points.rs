//! The hook points: names, signatures and chaining rules, read from their one declaration
//! (`netstack-config/schema/hooks.toml`, embedded in netstack-config), from which netstack's
//! build script also generates the `Hooks` trait's methods; netstack's test `hook_points`
//! compares the two renderings.

use netstack_config::hooks::{HookPoint, HookPoints};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

/// One hook point of `netstack::hooks::Hooks`.
pub(crate) type Point = HookPoint;

/// Every hook point, wired and planned, in the trait's order.
pub(crate) fn all() -> syn::Result<&'static HookPoints> {
    netstack_config::embedded::hooks().map_err(|errors| {
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        syn::Error::new(
            proc_macro2::Span::call_site(),
            format!(
                "netstack-config's hook points do not parse: {}",
                text.join("; ")
            ),
        )
    })
}

/// The wired points (those the stack calls), in the trait's order.
pub(crate) fn wired() -> syn::Result<Vec<&'static Point>> {
    Ok(all()?.wired().collect())
}

/// The wired point called `name`, or the error for a name that is planned or no point at all.
pub(crate) fn find(name: &str) -> Result<&'static Point, String> {
    let points = all().map_err(|e| e.to_string())?;
    match points.find(name) {
        Some(p) if p.is_wired() => Ok(p),
        Some(p) => Err(p.planned_message()),
        None => Err(unknown(points, name)),
    }
}

/// The `use` lines that make the declaration's type names resolve in generated code (and the
/// `Hooks` trait, for `self.field` handlers' methods of the same name). Only the types of
/// wired points: a planned point's types may not exist yet.
pub(crate) fn imports() -> syn::Result<String> {
    let points = all()?;
    let mut used: Vec<&str> = Vec::new();
    for p in points.wired() {
        let types = p.args.iter().map(|a| a.ty.as_str()).chain(p.ret.as_deref());
        for ty in types {
            for word in ty.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if word != "Option" && !used.contains(&word) {
                    used.push(word);
                }
            }
        }
    }
    let mut out = String::from("#[allow(unused_imports)] use ::netstack::hooks::Hooks as _;\n");
    for (name, _) in points
        .types
        .iter()
        .filter(|(n, _)| used.contains(&n.as_str()))
    {
        out.push_str(&format!(
            "#[allow(unused_imports)] use {};\n",
            points.qualified(name, "::netstack")
        ));
    }
    Ok(out)
}

/// `ty` (a type of the declaration) with every type name written as its full path, for code
/// that cannot bring the names into scope (a function signature at the caller's module level).
pub(crate) fn qualified(ty: &str) -> syn::Result<String> {
    Ok(all()?.qualified(ty, "::netstack"))
}

/// How generated code writes the declaration's type names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spelling {
    /// As declared: the code brings the names into scope with [`imports`].
    AsDeclared,
    /// As full paths ([`qualified`]): for code at the caller's module level.
    Qualified,
}

fn parse_type(ty: &str, spelling: Spelling) -> syn::Result<syn::Type> {
    match spelling {
        Spelling::AsDeclared => syn::parse_str(ty),
        Spelling::Qualified => syn::parse_str(&qualified(ty)?),
    }
}

/// The parameter names (prefixed, so they cannot clash with a handler's path) and types of a
/// point's method.
pub(crate) fn arguments(
    point: &Point,
    spelling: Spelling,
) -> syn::Result<(Vec<Ident>, Vec<syn::Type>)> {
    let names = point
        .args
        .iter()
        .map(|a| format_ident!("__netstack_{}", a.name))
        .collect();
    let types = point
        .args
        .iter()
        .map(|a| parse_type(&a.ty, spelling))
        .collect::<syn::Result<Vec<_>>>()?;
    Ok((names, types))
}

/// `-> Ret` of a point's method, or nothing for a notification.
pub(crate) fn return_type(point: &Point, spelling: Spelling) -> syn::Result<TokenStream> {
    match &point.ret {
        None => Ok(quote!()),
        Some(ret) => {
            let ret = parse_type(ret, spelling)?;
            Ok(quote!(-> #ret))
        }
    }
}

/// The valid hook names, comma-separated, for error messages.
pub(crate) fn names() -> String {
    all()
        .map(|p| {
            p.wired()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// The error for a name that is not a hook point: the closest point, if one is close, and
/// the whole list.
fn unknown(points: &HookPoints, name: &str) -> String {
    let hint =
        netstack_config::diagnostics::did_you_mean(name, points.wired().map(|p| p.name.as_str()))
            .map(|p| format!("did you mean `{p}`? "))
            .unwrap_or_default();
    format!(
        "unknown hook `{name}`; {hint}the hook points are: {}",
        names()
    )
}
