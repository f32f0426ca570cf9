//! Checks the schema's cross-option rules (`[[rule]]` in `schema/options.toml`) on a resolved
//! configuration.
//!
//! A rule applies while its `if` holds and is broken when its `check` does not hold. A broken
//! rule is reported at the first of its options ([`Rule::options`]) that the user set, with a
//! note for each other option (its location if set, "default" if not). A rule whose
//! arithmetic fails on the configuration (overflow, division by zero) is an error saying so.

use crate::config_file::{Assignment, Source};
use crate::diagnostics::{Diagnostic, Location, Severity};
use crate::expr::EvalError;
use crate::resolve::{Config, Provenance};
use crate::schema::Rule;

/// Checks every rule of the configuration's schema.
pub fn check(config: &Config<'_>) -> Vec<Diagnostic> {
    config
        .schema
        .rules
        .iter()
        .filter_map(|rule| broken(config, rule))
        .collect()
}

/// The complaint, if `rule` applies and its check fails.
fn complaint(config: &Config<'_>, rule: &Rule) -> Result<Option<String>, EvalError> {
    if let Some(cond) = &rule.applies
        && !cond.expr.try_eval(config)?
    {
        return Ok(None);
    }
    if rule.check.expr.try_eval(config)? {
        return Ok(None);
    }
    rule.message.render(config).map(Some)
}

fn broken(config: &Config<'_>, rule: &Rule) -> Option<Diagnostic> {
    let (severity, message) = match complaint(config, rule) {
        Ok(None) => return None,
        Ok(Some(message)) => (rule.severity, message),
        Err(e) => (
            Severity::Error,
            format!("the rule cannot be checked on this configuration: {e}"),
        ),
    };
    let location_of = |i: usize| match &config.options[i].provenance {
        Provenance::Assigned(a) => a.location(),
        _ => None,
    };
    // An sdkconfig line is named as the user wrote it.
    let written = |i: usize| match &config.options[i].provenance {
        Provenance::Assigned(Assignment {
            source: Source::Sdkconfig { written, .. },
            ..
        }) => Some(written.as_str()),
        _ => None,
    };
    let options = &rule.options;
    let primary = options
        .iter()
        .copied()
        .find(|&i| location_of(i).is_some())
        .or_else(|| options.first().copied());
    let line = primary
        .and_then(written)
        .map_or_else(String::new, |w| format!("`{w}`: "));
    let mut d = Diagnostic {
        severity,
        location: primary.and_then(location_of),
        message: format!("{line}{message} [rule {}; {}]", rule.name, rule.origin),
        notes: Vec::new(),
    };
    for &i in options.iter().filter(|&&i| Some(i) != primary) {
        d = note(config, d, i, location_of(i), written(i));
    }
    Some(d)
}

/// Adds the note about option `i`: where it is set, or where its value comes from.
fn note(
    config: &Config<'_>,
    d: Diagnostic,
    i: usize,
    location: Option<Location>,
    written: Option<&str>,
) -> Diagnostic {
    let def = &config.schema.options[i];
    let r = &config.options[i];
    let key = &def.key;
    let shown = r.value.to_toml(def.is_hex());
    match (location, written) {
        (Some(loc), Some(w)) => d.with_note(Some(loc), format!("`{w}` sets {key} = {shown}")),
        (Some(loc), None) => d.with_note(Some(loc), format!("{key} = {shown} is set here")),
        (None, _) => d.with_note(
            None,
            format!("{key} = {shown} ({})", r.provenance.describe()),
        ),
    }
}
