//! The hook points: names, signatures and chaining rules, read from their one declaration
//! (`netstack-config/schema/hooks.toml`, embedded in netstack-config), from which netstack's
//! build script also generates the `Hooks` trait's methods; netstack's test `hook_points`
//! compares the two renderings.

use netstack_config::hooks::{HookPoint, HookPoints};

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
