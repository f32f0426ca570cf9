//! Schema self-checks beyond what parsing enforces: completeness (prompt, help, status,
//! effect; a rule's origin), consistency of defaults, ranges and Rust types, naming rules.
//!
//! The crate's tests require the real schema to pass every check.

use crate::schema::{OptionType, Schema, SchemaError, Status};
use crate::value::Value;

fn err(subject: &str, message: impl Into<String>) -> SchemaError {
    SchemaError {
        position: None,
        subject: Some(subject.to_owned()),
        message: message.into(),
    }
}

impl Schema {
    /// Every completeness/consistency problem of the schema (empty for a good schema).
    pub fn lint(&self) -> Vec<SchemaError> {
        let mut out = Vec::new();
        for e in &self.externals {
            if e.reason.trim().is_empty() {
                out.push(err(&e.name, "external symbol without a reason"));
            }
        }
        for o in &self.options {
            let k = o.key.as_str();
            if !k
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                || !k.starts_with(|c: char| c.is_ascii_lowercase())
            {
                out.push(err(k, "key must be lower-case letters, digits and `_`"));
            }
            if let Some(kc) = &o.kconfig {
                let expected = kc.strip_prefix("LWIP_").unwrap_or(kc).to_lowercase();
                if expected != o.key {
                    out.push(err(
                        k,
                        format!("key should be `{expected}` (from kconfig `{kc}`)"),
                    ));
                }
            }
            for (what, text) in [("prompt", &o.prompt), ("help", &o.help), ("menu", &o.menu)] {
                if text.trim().is_empty() {
                    out.push(err(k, format!("missing {what}")));
                }
            }
            if o.prompt.contains('\n') {
                out.push(err(k, "prompt must be one line"));
            }
            match o.status {
                None => out.push(err(k, "missing status (wired | planned | no-effect)")),
                Some(Status::NoEffect) if o.effect.trim().is_empty() => {
                    out.push(err(k, "status no-effect needs the reason in `effect`"))
                }
                Some(_) if o.effect.trim().is_empty() => out.push(err(k, "missing effect")),
                Some(_) => {}
            }
            if o.cfg && !matches!(o.ty, OptionType::Bool | OptionType::Choice) {
                out.push(err(k, "cfg = true needs a bool or choice option"));
            }
            for m in &o.choices {
                if m.prompt.trim().is_empty() {
                    out.push(err(k, format!("choice member `{}` has no prompt", m.name)));
                }
                if !m
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    out.push(err(
                        k,
                        format!("choice member `{}` must be lower-case", m.name),
                    ));
                }
            }
            self.lint_numbers(o, &mut out);
        }
        for r in &self.rules {
            let subject = format!("rule {}", r.name);
            if r.name.is_empty()
                || !r
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                out.push(err(
                    &subject,
                    "name must be lower-case letters, digits and `-`",
                ));
            }
            if r.origin.trim().is_empty() {
                out.push(err(&subject, "missing origin (the check it mirrors)"));
            }
        }
        out
    }

    fn lint_numbers(&self, o: &crate::schema::OptionDef, out: &mut Vec<SchemaError>) {
        let k = o.key.as_str();
        if !matches!(o.ty, OptionType::Int | OptionType::Hex) {
            if o.rust_type.is_some() {
                out.push(err(k, "rust_type is for int/hex options only"));
            }
            return;
        }
        let Some(rt) = o.rust_type else {
            out.push(err(k, "int/hex option needs a rust_type"));
            return;
        };
        let (tmin, tmax) = rt.bounds();
        for r in &o.range {
            let (min, max) = r.value;
            if min > max {
                out.push(err(k, format!("range {min}..={max} is empty")));
            }
            if min < tmin || max > tmax {
                out.push(err(
                    k,
                    format!("range {min}..={max} does not fit {}", rt.name()),
                ));
            }
        }
        for d in &o.default {
            let Value::Int(v) = d.value else { continue };
            if v < tmin || v > tmax {
                out.push(err(k, format!("default {v} does not fit {}", rt.name())));
            }
            // Compare with every range that can apply together with this default: the
            // unconditional ones, and conditional ones with the same condition text.
            for r in &o.range {
                let same = match (&d.cond, &r.cond) {
                    (_, None) => true,
                    (Some(dc), Some(rc)) => dc.text == rc.text,
                    (None, Some(_)) => o.default.len() == 1,
                };
                let (min, max) = r.value;
                if same && (v < min || v > max) {
                    let when = r
                        .cond
                        .as_ref()
                        .map(|c| format!(" (when `{}`)", c.text))
                        .unwrap_or_default();
                    out.push(err(
                        k,
                        format!("default {v} is outside range {min}..={max}{when}"),
                    ));
                }
            }
        }
    }
}
