//! `docs/options.md`: the reference table of every option, generated from the schema; the
//! tables of `docs/hooks.md`, generated from the hook points' declaration.

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

/// The generated parts of `docs/hooks.md`: `(name, text)`, each between
/// `<!-- BEGIN hooks.toml: name -->` and `<!-- END hooks.toml: name -->`.
pub fn hooks_md_parts(hooks: &crate::hooks::HookPoints) -> Vec<(&'static str, String)> {
    let mut points =
        String::from("| point | lwIP | runs | answer | without a hook |\n|---|---|---|---|---|\n");
    for p in hooks.wired() {
        let args: Vec<&str> = p.args.iter().map(|a| a.name.as_str()).collect();
        let _ = writeln!(
            points,
            "| `{}({})` | `{}` | {} | {} | {} |",
            p.name,
            args.join(", "),
            p.lwip,
            cell(&p.runs),
            cell(&p.answer),
            cell(&p.without)
        );
    }
    let mut lwip = String::from("| lwIP hook | netstack point | status |\n|---|---|---|\n");
    for p in &hooks.points {
        let mut notes = Vec::new();
        let status = if p.is_wired() {
            if p.is_esp_idf_option() {
                notes.push(format!("ESP-IDF's `{}`", p.option_key()));
            }
            if p.default_choice() == "none" {
                notes.push("default `none`".to_owned());
            }
            "implemented".to_owned()
        } else {
            notes.push(format!("`{}`", p.option_key()));
            format!(
                "planned: comes with {}",
                p.layer.as_deref().unwrap_or("its layer")
            )
        };
        if !p.note.is_empty() {
            notes.push(p.note.clone());
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", cell(&notes.join("; ")))
        };
        let _ = writeln!(lwip, "| `{}` | `{}` | {status}{notes} |", p.lwip, p.name);
    }
    vec![("points", points), ("lwip", lwip)]
}

/// `current` (the text of `docs/hooks.md`) with its generated parts rewritten from `hooks`;
/// an error names a part whose markers are missing.
pub fn hooks_md(current: &str, hooks: &crate::hooks::HookPoints) -> Result<String, String> {
    let mut text = current.to_owned();
    for (name, part) in hooks_md_parts(hooks) {
        let begin = format!(
            "<!-- BEGIN hooks.toml: {name} (generated by `netstack-config hooks-doc`; edit netstack-config/schema/hooks.toml) -->\n"
        );
        let end = format!("<!-- END hooks.toml: {name} -->");
        let (Some(b), Some(e)) = (text.find(&begin), text.find(&end)) else {
            return Err(format!(
                "docs/hooks.md has no markers `{}` … `{end}`",
                begin.trim()
            ));
        };
        if e < b {
            return Err(format!(
                "docs/hooks.md: `{end}` comes before its BEGIN marker"
            ));
        }
        text.replace_range(b + begin.len()..e, &part);
    }
    Ok(text)
}
