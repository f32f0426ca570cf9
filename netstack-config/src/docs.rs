//! `docs/options.md`: the reference table of every option, generated from the schema.

use std::fmt::Write as _;

use crate::schema::{OptionDef, OptionType, Schema, Status};
use crate::value::Value;

/// Counts of options by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// All options.
    pub total: usize,
    /// Used by the stack now.
    pub wired: usize,
    /// To be used once their part of the stack lands.
    pub planned: usize,
    /// Accepted and ignored, with a reason.
    pub no_effect: usize,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} options: {} wired, {} planned, {} no-effect",
            self.total, self.wired, self.planned, self.no_effect
        )
    }
}

/// Counts the schema's options by status.
pub fn stats(schema: &Schema) -> Stats {
    let mut s = Stats {
        total: schema.options.len(),
        ..Stats::default()
    };
    for o in &schema.options {
        match o.status {
            Some(Status::Wired) => s.wired += 1,
            Some(Status::Planned) => s.planned += 1,
            Some(Status::NoEffect) => s.no_effect += 1,
            None => {}
        }
    }
    s
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The default(s) of an option, in words: `5744 if wnd_scale, else 5760`.
pub fn default_text(def: &OptionDef) -> String {
    let show = |v: &Value| match v {
        Value::Choice(m) => m.clone(),
        v => v.to_toml(def.is_hex()),
    };
    let parts: Vec<String> = def
        .default
        .iter()
        .map(|d| match &d.cond {
            Some(c) => format!("{} if `{}`", show(&d.value), c.text),
            None if def.default.len() > 1 => format!("else {}", show(&d.value)),
            None => show(&d.value),
        })
        .collect();
    parts.join(", ")
}

/// The range(s) of an option, in words.
pub fn range_text(def: &OptionDef) -> String {
    let fmt = |n: i64| {
        if def.is_hex() {
            format!("0x{n:x}")
        } else {
            n.to_string()
        }
    };
    def.range
        .iter()
        .map(|r| match &r.cond {
            Some(c) => format!("{}..={} if `{}`", fmt(r.value.0), fmt(r.value.1), c.text),
            None => format!("{}..={}", fmt(r.value.0), fmt(r.value.1)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The section on the cross-option rules: each rule's condition, check and message.
fn rules_md(schema: &Schema, s: &mut String) {
    if schema.rules.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Cross-option rules\n");
    let _ = writeln!(
        s,
        "Checked once every option is resolved: a rule applies while its condition holds and is broken when its check does not. \
         A broken rule is reported at the first of its options the configuration sets, with a note for each other one; \
         `{{...}}` in a message stands for a value of the configuration.\n"
    );
    let _ = writeln!(s, "| Rule | Severity | If | Check | Message | Origin |");
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for r in &schema.rules {
        let cond = r
            .applies
            .as_ref()
            .map(|c| format!("`{}`", c.text))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | `{}` | {} | {} |",
            r.name,
            r.severity,
            cell(&cond),
            cell(&r.check.text),
            cell(&r.message.text),
            cell(&r.origin)
        );
    }
    s.push('\n');
}

/// The full text of `docs/options.md`.
pub fn options_md(schema: &Schema) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# netstack options\n");
    let _ = writeln!(
        s,
        "Generated from `netstack-config/schema/options.toml` by `netstack-config options-doc`; do not edit.\n"
    );
    let _ = writeln!(
        s,
        "Write options in `netstack.toml` as `key = value`. `netstack-config explain KEY` tells more about each.\n"
    );
    let _ = writeln!(s, "{}.\n", stats(schema));
    let mut menus: Vec<&str> = Vec::new();
    for o in &schema.options {
        if !menus.contains(&o.menu.as_str()) {
            menus.push(&o.menu);
        }
    }
    for menu in menus {
        let _ = writeln!(s, "## {}\n", if menu.is_empty() { "Other" } else { menu });
        let _ = writeln!(
            s,
            "| Key | CONFIG name | Type | Default | Range | Depends on | Status | Summary |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
        for o in schema.options.iter().filter(|o| o.menu == menu) {
            let ty = match (o.ty, o.rust_type) {
                (_, Some(t)) => format!("{} ({})", o.ty.name(), t.name()),
                (t, None) => t.name().to_owned(),
            };
            let config = o
                .kconfig
                .as_ref()
                .map_or_else(|| "— (netstack)".to_owned(), |k| format!("`CONFIG_{k}`"));
            let deps = o
                .depends_on
                .as_ref()
                .map(|c| format!("`{}`", c.text))
                .unwrap_or_default();
            let status = o.status.map_or("?", |s| s.name());
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
                o.key,
                config,
                ty,
                cell(&default_text(o)),
                cell(&range_text(o)),
                cell(&deps),
                status,
                cell(o.prompt.trim())
            );
        }
        s.push('\n');
        for o in schema
            .options
            .iter()
            .filter(|o| o.menu == menu && o.ty == OptionType::Choice)
        {
            let _ = writeln!(s, "Choices of `{}`:\n", o.key);
            for m in &o.choices {
                let config = o.member_sdk_name(m);
                let deps = m
                    .depends_on
                    .as_ref()
                    .map(|c| format!(" (needs `{}`)", c.text))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "- `\"{}\"` (`CONFIG_{config}`): {}{deps}",
                    m.name,
                    m.prompt.trim()
                );
            }
            s.push('\n');
        }
    }
    rules_md(schema, &mut s);
    if !schema.externals.is_empty() {
        let _ = writeln!(s, "## External symbols\n");
        let _ = writeln!(
            s,
            "Symbols ESP-IDF's options depend on that are not lwIP options, and how netstack decides them.\n"
        );
        let _ = writeln!(s, "| Symbol | Kind | Value | Reason |");
        let _ = writeln!(s, "|---|---|---|---|");
        for e in &schema.externals {
            let kind = match e.kind {
                crate::schema::ExternalKind::Platform => "platform",
                crate::schema::ExternalKind::Dropped => "dropped",
            };
            let _ = writeln!(
                s,
                "| `{}` | {kind} | {} | {} |",
                e.name,
                e.value,
                cell(e.reason.trim())
            );
        }
    }
    s
}
