//! `preset NAME [-o FILE]` and `preset --list`.

use std::path::Path;

use netstack_config::load::{self, Presets};
use netstack_config::resolve;

use super::context::{Context, report, write_out};
use super::counts::{Counts, LEGEND};
use super::{CONFIG_ERROR, OK, USAGE};

/// The one-line description of a preset: its `description = "..."`, else the first sentence
/// of its leading comment (after a `netstack preset: NAME` title line).
fn description(text: &str, loaded: &load::Loaded) -> String {
    if let Some(d) = &loaded.description {
        return d.clone();
    }
    let mut para = String::new();
    for line in text.lines().map(str::trim) {
        let Some(c) = line.strip_prefix('#').map(str::trim) else {
            break;
        };
        if c.is_empty() || c.starts_with("netstack preset:") {
            if para.is_empty() {
                continue;
            }
            break;
        }
        if !para.is_empty() {
            para.push(' ');
        }
        para.push_str(c);
    }
    match para.find(". ") {
        Some(i) => para[..=i].to_owned(),
        None => para,
    }
}

/// How `loaded` compares with the default configuration, and its differing options as
/// `key = value`.
fn differences(ctx: &Context, loaded: &load::Loaded) -> (Counts, Vec<String>) {
    let defaults = ctx.defaults();
    let base = &defaults.outcome.config;
    let this = resolve::resolve(ctx.schema, &loaded.assignments).config;
    let keys = base
        .iter()
        .zip(this.iter())
        .filter(|((_, a), (_, b))| a.value != b.value)
        .map(|((def, _), (_, b))| format!("{} = {}", def.key, b.value.to_toml(def.is_hex())))
        .collect();
    (Counts::of(&this, base), keys)
}

/// `preset`.
pub fn preset(ctx: &Context, name: Option<&str>, list: bool, output: Option<&Path>) -> i32 {
    if list {
        let mut status = OK;
        for name in ctx.presets.names() {
            let Some(p) = ctx.presets.get(&name) else {
                continue;
            };
            let loaded = load::load_preset(ctx.schema, &ctx.presets, &name);
            if netstack_config::diagnostics::has_errors(&loaded.diagnostics) {
                report(&loaded.diagnostics);
                status = CONFIG_ERROR;
                continue;
            }
            let (counts, diff) = differences(ctx, &loaded);
            println!("{name:<16} {}", description(&p.text, &loaded));
            if diff.is_empty() {
                println!("{:<16} same as the defaults", "");
            } else {
                println!("{:<16} {}: {}", "", counts.summary(), diff.join(", "));
            }
        }
        println!("({LEGEND})");
        return status;
    }
    let Some(name) = name else {
        eprintln!("error: name a preset or use --list");
        return USAGE;
    };
    let Some(p) = ctx.presets.get(name) else {
        eprintln!("error: {}", load::unknown_preset(&ctx.presets, name));
        return USAGE;
    };
    let loaded = load::load_preset(ctx.schema, &ctx.presets, name);
    let (counts, _) = differences(ctx, &loaded);
    eprintln!("preset {name}: {}", counts.summary());
    eprintln!("({LEGEND})");
    write_out(output, &p.text)
}
