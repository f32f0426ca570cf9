//! Option values and their textual forms.

use std::fmt;

/// A resolved or assigned option value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// `bool` options.
    Bool(bool),
    /// `int` and `hex` options.
    Int(i64),
    /// `string` options.
    Str(String),
    /// `choice` options: the selected member's name.
    Choice(String),
}

impl Value {
    /// Kconfig truthiness: on, non-zero, non-empty; a choice always has a member.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Int(n) => *n != 0,
            Value::Str(s) => !s.is_empty(),
            Value::Choice(_) => true,
        }
    }

    /// The value as it is written in a `netstack.toml` (`true`, `1440`, `0x10` for hex,
    /// `"text"`, `"member"`).
    pub fn to_toml(&self, hex: bool) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Int(n) if hex && *n >= 0 => format!("0x{n:x}"),
            Value::Int(n) => n.to_string(),
            Value::Str(s) | Value::Choice(s) => quote(s),
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_toml(false))
    }
}

/// A double-quoted string with `\\`, `\"` and control characters escaped (valid TOML and
/// sdkconfig).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_forms() {
        assert_eq!(Value::Int(16).to_toml(true), "0x10");
        assert_eq!(Value::Int(16).to_toml(false), "16");
        assert_eq!(Value::Bool(false).to_string(), "false");
        assert_eq!(Value::Str("a\"b\\".into()).to_string(), r#""a\"b\\""#);
        assert_eq!(Value::Choice("mss".into()).to_string(), "\"mss\"");
    }
}
