//! `explain OPTION [FILE]`.

use std::path::Path;

use netstack_config::docs::{default_text, range_text};
use netstack_config::expr::Env;
use netstack_config::resolve::{self, Provenance};
use netstack_config::schema::{OptionDef, Symbol};

use super::context::Context;
use super::{OK, USAGE};

fn row(label: &str, text: impl AsRef<str>) {
    let text = text.as_ref();
    if !text.is_empty() {
        println!("  {label:<13} {text}");
    }
}

/// The configuration an explanation is about: its resolved options, the defaults, and how
/// to say "in it" (`in netstack.toml`, `with the defaults`).
struct Subject<'a> {
    config: &'a resolve::Config<'static>,
    defaults: &'a resolve::Config<'static>,
    within: String,
}

/// `explain OPTION [FILE]`: FILE (else `$NETSTACK_CONFIG`, else the defaults) is the
/// configuration whose value and dependencies are shown.
pub fn explain(ctx: &Context, name: &str, file: Option<&Path>) -> i32 {
    let schema = ctx.schema;
    let Some(symbol) = schema.lookup(name) else {
        let all = schema
            .keys()
            .chain(schema.externals.iter().map(|e| e.name.as_str()));
        let hint = netstack_config::diagnostics::did_you_mean(&name.to_lowercase(), all)
            .map(|h| format!("; did you mean `{h}`?"))
            .unwrap_or_default();
        eprintln!("error: no option or symbol `{name}`{hint}");
        return USAGE;
    };
    let defaults = ctx.defaults();
    let chosen = match Context::pick(file) {
        Some(_) => match ctx.resolve_ok(file) {
            Ok(r) => Some(r),
            Err(status) => return status,
        },
        None => None,
    };
    let subject = Subject {
        config: &chosen.as_ref().unwrap_or(&defaults).outcome.config,
        defaults: &defaults.outcome.config,
        within: chosen.as_ref().map_or_else(
            || "with the defaults".to_owned(),
            |r| format!("in {}", r.name),
        ),
    };
    match symbol {
        Symbol::External(i) => {
            let e = &schema.externals[i];
            println!(
                "{} — external symbol ({})",
                e.name,
                if matches!(e.kind, netstack_config::schema::ExternalKind::Platform) {
                    "platform fact"
                } else {
                    "dropped ESP32 concern"
                }
            );
            row("value:", e.value.to_string());
            row("reason:", e.reason.trim());
            let users: Vec<&str> = schema
                .options
                .iter()
                .filter(|o| {
                    o.depends_on
                        .as_ref()
                        .is_some_and(|c| c.expr.symbols().contains(&e.name.as_str()))
                })
                .map(|o| o.key.as_str())
                .collect();
            row("used by:", users.join(", "));
        }
        Symbol::Member(i, m) => {
            let def = &schema.options[i];
            let member = &def.choices[m];
            println!(
                "{name} is member `{}` of choice `{}`: write `{} = \"{}\"`\n",
                member.name, def.key, def.key, member.name
            );
            option(ctx, def, &subject);
        }
        Symbol::Option(i) => option(ctx, &schema.options[i], &subject),
    }
    OK
}

fn option(ctx: &Context, def: &OptionDef, subject: &Subject<'_>) {
    let schema = ctx.schema;
    println!("{} — {}", def.key, def.prompt.trim());
    let mut sdk = format!("CONFIG_{}", def.sdk_name());
    if def.kconfig.is_none() {
        sdk.push_str(" (netstack-only; not in ESP-IDF's Kconfig)");
    }
    if !def.renamed_from.is_empty() {
        let old: Vec<String> = def
            .renamed_from
            .iter()
            .map(|o| format!("CONFIG_{o}"))
            .collect();
        sdk.push_str(&format!(" (formerly {})", old.join(", ")));
    }
    row("sdkconfig:", sdk);
    row("menu:", &def.menu);
    let ty = match def.rust_type {
        Some(t) => format!("{} (Rust {})", def.ty.name(), t.name()),
        None => def.ty.name().to_owned(),
    };
    row("type:", ty);
    row("default:", default_text(def));
    row("range:", range_text(def));
    if let Some(c) = &def.depends_on {
        let holds = c.expr.eval(subject.config as &dyn Env);
        row(
            "depends on:",
            format!(
                "{} ({} {})",
                c.text,
                if holds { "holds" } else { "does not hold" },
                subject.within
            ),
        );
    }
    for m in &def.choices {
        let deps = m
            .depends_on
            .as_ref()
            .map(|c| format!(" (needs {})", c.text))
            .unwrap_or_default();
        row(
            "choice:",
            format!(
                "\"{}\" (CONFIG_{}): {}{deps}",
                m.name,
                def.member_sdk_name(m),
                m.prompt.trim()
            ),
        );
    }
    row("selects:", def.select.join(", "));
    row("implies:", def.imply.join(", "));
    let by = |f: fn(&OptionDef) -> &Vec<String>| -> String {
        schema
            .options
            .iter()
            .filter(|o| f(o).contains(&def.key))
            .map(|o| o.key.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    row("selected by:", by(|o| &o.select));
    row("implied by:", by(|o| &o.imply));
    row("lwIP:", def.lwip.trim());
    row(
        "status:",
        format!(
            "{} — {}",
            def.status.map_or("?", |s| s.name()),
            def.effect.trim()
        ),
    );
    let mut generated = format!("netstack::config::{}", def.const_name());
    if def.cfg {
        generated.push_str(&format!(", cfg netstack_{}", def.key));
    }
    row("generated:", generated);
    if let (Some(r), Some(d)) = (subject.config.get(&def.key), subject.defaults.get(&def.key)) {
        let value = r.value.to_toml(def.is_hex());
        let whence = match &r.provenance {
            Provenance::Default if r.value != d.value => format!(
                "derived: not set, follows other options; {} in the default configuration",
                d.value.to_toml(def.is_hex())
            ),
            p => p.describe(),
        };
        row(
            "value:",
            format!("{} = {value} {} ({whence})", def.key, subject.within),
        );
    }
    println!();
    for line in def.help.trim().lines() {
        println!("  {line}");
    }
}
