//! `[[rule]]` entries: the cross-option rules, declared as expressions (format:
//! `schema/README.md`). This module reads them; [`crate::rules`] checks them on a
//! configuration.

use serde::Deserialize;

use super::{Cond, Schema, SchemaError, Symbol, compile_cond};
use crate::diagnostics::Severity;
use crate::expr::{Env, EvalError, Operand, Term};

/// A cross-option rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Short name, shown in messages (`snd-buf-vs-mss`).
    pub name: String,
    /// The check it mirrors (lwIP's, ESP-IDF's or netstack's own), shown in messages.
    pub origin: String,
    /// Error or warning.
    pub severity: Severity,
    /// `if`: the rule applies only while this holds.
    pub applies: Option<Cond>,
    /// What must hold.
    pub check: Cond,
    /// The complaint when `check` does not hold.
    pub message: Message,
    /// Indices of the options the rule reads, in the order its messages name them: the first
    /// option of `check` (what the rule is about), then those of `if`, then the rest of
    /// `check`'s.
    pub options: Vec<usize>,
}

/// A rule's message: text with `{term}` placeholders, each replaced by the term's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// As written in the schema.
    pub text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Value(Term),
}

impl Message {
    /// Splits `text` into text and placeholders.
    pub fn parse(text: &str) -> Result<Message, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return Err(format!(
                    "`}}` without `{{` at offset {}",
                    text.len() - rest.len() + open
                ));
            }
            let Some(close) = rest[open..].find('}') else {
                return Err("`{` without `}`".into());
            };
            let inner = &rest[open + 1..open + close];
            let term = Term::parse(inner).map_err(|e| format!("placeholder `{{{inner}}}` {e}"))?;
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            parts.push(Part::Value(term));
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(Message {
            text: text.to_owned(),
            parts,
        })
    }

    /// The placeholders' terms.
    pub fn terms(&self) -> impl Iterator<Item = &Term> {
        self.parts.iter().filter_map(|p| match p {
            Part::Value(t) => Some(t),
            Part::Text(_) => None,
        })
    }

    /// The message with every placeholder replaced by its value in `env`.
    pub fn render(&self, env: &dyn Env) -> Result<String, EvalError> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Value(t) => out.push_str(&t.value(env)?.to_string()),
            }
        }
        Ok(out)
    }
}

/// How bad a broken rule is.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawSeverity {
    Error,
    Warning,
}

/// A `[[rule]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    name: String,
    #[serde(default)]
    origin: String,
    severity: RawSeverity,
    #[serde(rename = "if")]
    cond: Option<String>,
    check: String,
    message: String,
}

/// The subject of schema errors about rule `name`.
pub(super) fn subject(name: &str) -> String {
    format!("rule {name}")
}

/// Compiles a rule's expressions and message; its options are filled in once the schema's
/// symbols are known.
pub(super) fn compile(raw: RawRule, errors: &mut Vec<SchemaError>) -> Option<Rule> {
    let subject = subject(&raw.name);
    let applies = raw
        .cond
        .as_deref()
        .map(|c| compile_cond(c, &subject, errors));
    let check = compile_cond(&raw.check, &subject, errors);
    let message = match Message::parse(&raw.message) {
        Ok(_) if raw.message.trim().is_empty() => {
            errors.push(SchemaError::about(&subject, "empty message"));
            None
        }
        Ok(m) => Some(m),
        Err(e) => {
            errors.push(SchemaError::about(&subject, format!("message: {e}")));
            None
        }
    };
    let (Some(check), Some(message), None | Some(Some(_))) = (check, message, &applies) else {
        return None;
    };
    Some(Rule {
        name: raw.name,
        origin: raw.origin,
        severity: match raw.severity {
            RawSeverity::Error => Severity::Error,
            RawSeverity::Warning => Severity::Warning,
        },
        applies: applies.flatten(),
        check,
        message,
        options: Vec::new(),
    })
}

impl Schema {
    /// Checks the symbols of every rule's expressions and placeholders.
    pub(super) fn check_rules(&self, errors: &mut Vec<SchemaError>) {
        for r in &self.rules {
            let subject = subject(&r.name);
            for cond in r.applies.iter().chain([&r.check]) {
                self.check_expr(&subject, cond, errors);
            }
            for term in r.message.terms() {
                let text = format!("{{{term}}}");
                match term {
                    Term::Atom(Operand::Sym(name)) if !self.symbols.contains_key(name) => {
                        errors.push(self.unknown_symbol(&subject, &text, name));
                    }
                    Term::Atom(_) => {}
                    _ => self.check_arithmetic(&subject, &text, term, errors),
                }
            }
        }
    }

    /// Fills in each rule's options: the first option its check names, then those of its
    /// `if`, then the check's others.
    pub(super) fn find_rule_options(&mut self, errors: &mut Vec<SchemaError>) {
        let option_of = |name: &str| match self.symbols.get(name) {
            Some(Symbol::Option(i) | Symbol::Member(i, _)) => Some(*i),
            _ => None,
        };
        let mut found = Vec::new();
        for r in &self.rules {
            let check: Vec<usize> = r
                .check
                .expr
                .symbols()
                .into_iter()
                .filter_map(option_of)
                .collect();
            let applies = r
                .applies
                .iter()
                .flat_map(|c| c.expr.symbols())
                .filter_map(option_of);
            let mut options: Vec<usize> = Vec::new();
            for i in check
                .first()
                .copied()
                .into_iter()
                .chain(applies)
                .chain(check.iter().copied())
            {
                if !options.contains(&i) {
                    options.push(i);
                }
            }
            if options.is_empty() {
                errors.push(SchemaError::about(
                    &subject(&r.name),
                    "a rule must read at least one option",
                ));
            }
            found.push(options);
        }
        for (r, options) in self.rules.iter_mut().zip(found) {
            r.options = options;
        }
    }
}
