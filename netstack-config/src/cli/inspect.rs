//! `check`, `show` and `diff`.

use std::path::Path;

use netstack_config::docs::stats;
use netstack_config::resolve::Provenance;

use super::context::{Context, report};
use super::counts::{Counts, LEGEND, is_derived};
use super::{CONFIG_ERROR, OK};

/// `check [FILE]`.
pub fn check(ctx: &Context, file: Option<&Path>) -> i32 {
    let r = ctx.resolve(file);
    let diags = r.diagnostics();
    report(&diags);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors > 0 {
        eprintln!("{}: {errors} error(s), {warnings} warning(s)", r.name);
        return CONFIG_ERROR;
    }
    let counts = Counts::of(&r.outcome.config, &ctx.defaults().outcome.config);
    println!(
        "{}: ok ({}; {warnings} warning(s))",
        r.name,
        counts.summary()
    );
    println!("({LEGEND})");
    println!("{}", stats(ctx.schema));
    OK
}

/// `show [FILE] [--changed]`.
pub fn show(ctx: &Context, file: Option<&Path>, changed: bool) -> i32 {
    let r = match ctx.resolve_ok(file) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let defaults = ctx.defaults();
    let defaults = &defaults.outcome.config;
    let config = &r.outcome.config;
    let lines: Vec<(String, String)> = config
        .iter()
        .enumerate()
        .filter(|(i, (_, o))| {
            !changed
                || !matches!(o.provenance, Provenance::Default)
                || is_derived(config, defaults, *i)
        })
        .map(|(i, (def, o))| {
            let mark = match &o.provenance {
                Provenance::Default if is_derived(config, defaults, i) => format!(
                    "derived ({} in the default configuration)",
                    defaults.options[i].value.to_toml(def.is_hex())
                ),
                Provenance::Default => String::new(),
                p => p.describe(),
            };
            (
                format!("{} = {}", def.key, o.value.to_toml(def.is_hex())),
                mark,
            )
        })
        .collect();
    let width = lines
        .iter()
        .filter(|(_, m)| !m.is_empty())
        .map(|(l, _)| l.len())
        .max()
        .unwrap_or(0);
    println!("# {}", r.loaded.chain.join(" <- "));
    println!("# {}", Counts::of(config, defaults).summary());
    println!("# ({LEGEND})");
    for (line, mark) in lines {
        if mark.is_empty() {
            println!("{line}");
        } else {
            println!("{line:width$}  # {mark}");
        }
    }
    OK
}

/// `diff`'s exit status when the configurations differ (as diff(1) and `git diff --exit-code`).
const DIFFERENT: i32 = 1;
/// `diff`'s exit status when a configuration cannot be compared.
const TROUBLE: i32 = 2;

/// `diff A B`, or `diff FILE` (the default configuration against FILE): exit status 0 equal,
/// 1 different, 2 errors.
pub fn diff(ctx: &Context, a: &Path, b: Option<&Path>) -> i32 {
    let (ra, rb) = match b {
        Some(b) => (ctx.resolve(Some(a)), ctx.resolve(Some(b))),
        None => (ctx.defaults(), ctx.resolve(Some(a))),
    };
    let mut bad = false;
    for r in [&ra, &rb] {
        report(&r.diagnostics());
        bad |= r.has_errors();
    }
    if bad {
        return TROUBLE;
    }
    let (ca, cb) = (&ra.outcome.config, &rb.outcome.config);
    let mut n = 0;
    let mut derived = 0;
    for ((def, x), (_, y)) in ca.iter().zip(cb.iter()) {
        if x.value != y.value {
            n += 1;
            derived += usize::from(!x.provenance.is_assigned() && !y.provenance.is_assigned());
            println!(
                "{}: {} -> {}    # {} / {}",
                def.key,
                x.value.to_toml(def.is_hex()),
                y.value.to_toml(def.is_hex()),
                x.provenance.describe(),
                y.provenance.describe()
            );
        }
    }
    if n == 0 {
        println!("no differences");
        OK
    } else if b.is_none() {
        println!("{}: {}", rb.name, Counts::of(cb, ca).summary());
        println!("({LEGEND})");
        DIFFERENT
    } else {
        println!(
            "{n} option(s) differ ({derived} derived: set in neither file, they follow other \
             options)"
        );
        DIFFERENT
    }
}
