//! The lines of an sdkconfig and their values, read the way ESP-IDF's own readers read them.
//!
//! Lines are `CONFIG_X=y`, `CONFIG_X=123`, `CONFIG_X=0x1f`, `CONFIG_X="text"`, `CONFIG_X=`
//! and `# CONFIG_X is not set`. Both of ESP-IDF's readers (v3.x's `conf` and kconfiglib) take
//! a bool from the first character of its value, so `CONFIG_X=n # comment` is `n`; an empty
//! value is off for v3.x's reader and ignored by kconfiglib (see [`super::dialect`]).

use crate::schema::{OptionType, parse_int};
use crate::value::Value;

use super::Unmapped;

/// The value part of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue {
    /// `# CONFIG_X is not set`.
    NotSet,
    /// Text after `=`, as written (quotes included).
    Text(String),
}

/// One `CONFIG_` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: usize,
    /// The name without `CONFIG_`.
    pub name: String,
    /// The value.
    pub value: RawValue,
    /// 1-based column where the value starts.
    pub value_col: usize,
}

impl Line {
    /// The line as the user wrote it (`CONFIG_X=v` or `# CONFIG_X is not set`), for messages.
    pub fn shown(&self) -> String {
        match &self.value {
            RawValue::NotSet => format!("# CONFIG_{} is not set", self.name),
            RawValue::Text(t) => format!("CONFIG_{}={t}", self.name),
        }
    }

    /// The symbol as written, with `CONFIG_`.
    pub fn symbol(&self) -> String {
        format!("CONFIG_{}", self.name)
    }

    /// Whether the line sets a bool (or choice member) on: its value starts with `y`.
    pub fn is_on(&self) -> bool {
        matches!(&self.value, RawValue::Text(t) if t.starts_with('y'))
    }
}

/// Splits sdkconfig text into its `CONFIG_` lines; other lines that are not comments or blank
/// are returned as unmapped.
pub fn parse_lines(text: &str) -> (Vec<Line>, Vec<Unmapped>) {
    let mut lines = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let t = raw.trim();
        if let Some(rest) = t
            .strip_prefix("# CONFIG_")
            .and_then(|r| r.strip_suffix(" is not set"))
        {
            lines.push(Line {
                number,
                name: rest.trim().to_owned(),
                value: RawValue::NotSet,
                value_col: 1,
            });
        } else if t.is_empty() || t.starts_with('#') {
            continue;
        } else if let Some(rest) = t.strip_prefix("CONFIG_")
            && let Some((name, value)) = rest.split_once('=')
        {
            let lead = raw.len() - raw.trim_start().len();
            let value_col = lead + "CONFIG_".len() + name.chars().count() + 2;
            lines.push(Line {
                number,
                name: name.trim().to_owned(),
                value: RawValue::Text(value.to_owned()),
                value_col,
            });
        } else {
            bad.push(Unmapped {
                line: number,
                text: raw.to_owned(),
                reason: "not an sdkconfig line".into(),
            });
        }
    }
    (lines, bad)
}

/// Unquotes `"a\"b"` → `a"b`; unquoted text is returned as it is.
pub fn unquote(s: &str) -> Option<String> {
    let Some(inner) = s.strip_prefix('"') else {
        return Some(s.to_owned());
    };
    let inner = inner.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// A value read from a line: the value, and a warning when it was taken although ESP-IDF would
/// not have taken it as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The value.
    pub value: Value,
    /// Why taking it deserves a warning.
    pub warning: Option<String>,
}

impl Reading {
    fn plain(value: Value) -> Self {
        Reading {
            value,
            warning: None,
        }
    }
}

/// Why a line's value was not taken (the option keeps its default, as in ESP-IDF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// `CONFIG_X=` on a bool, which kconfiglib ignores.
    Empty,
    /// Anything else, with the reason.
    Invalid(String),
}

/// Reads the value of a line for an option of type `ty`. `empty_is_off`: whether `CONFIG_X=`
/// means off (ESP-IDF v3.x's reader).
pub fn read_value(ty: OptionType, v: &RawValue, empty_is_off: bool) -> Result<Reading, Skip> {
    let text = match v {
        RawValue::NotSet => {
            return if ty == OptionType::Bool {
                Ok(Reading::plain(Value::Bool(false)))
            } else {
                Err(Skip::Invalid(format!(
                    "`is not set` on a non-bool option ({}), which ESP-IDF ignores",
                    ty.name()
                )))
            };
        }
        RawValue::Text(t) => t.as_str(),
    };
    match ty {
        // ESP-IDF reads a bool from the first character of its value.
        OptionType::Bool => match text.chars().next() {
            Some('y') => Ok(Reading::plain(Value::Bool(true))),
            Some('n') => Ok(Reading::plain(Value::Bool(false))),
            None if empty_is_off => Ok(Reading::plain(Value::Bool(false))),
            None => Err(Skip::Empty),
            Some(_) => Err(Skip::Invalid(format!(
                "`{text}` is not a bool value: ESP-IDF reads `y` or `n` from the first character"
            ))),
        },
        OptionType::Int | OptionType::Hex if text.trim().is_empty() => {
            Err(Skip::Invalid("empty value for a number".into()))
        }
        OptionType::Int => text
            .trim()
            .parse()
            .map(|n| Reading::plain(Value::Int(n)))
            .map_err(|_| Skip::Invalid(format!("`{text}` is not an integer"))),
        OptionType::Hex => {
            let t = text.trim();
            parse_int(t)
                .or_else(|| i64::from_str_radix(t, 16).ok())
                .map(|n| Reading::plain(Value::Int(n)))
                .ok_or_else(|| Skip::Invalid(format!("`{text}` is not a hex number")))
        }
        OptionType::String => {
            let t = text.trim();
            if t.starts_with('"') {
                unquote(t)
                    .map(|s| Reading::plain(Value::Str(s)))
                    .ok_or_else(|| Skip::Invalid(format!("malformed string {t}")))
            } else {
                Ok(Reading {
                    value: Value::Str(t.to_owned()),
                    warning: Some(
                        "the string is not quoted, which ESP-IDF rejects (keeping its default); \
                         taken as written"
                            .into(),
                    ),
                })
            }
        }
        OptionType::Choice => Err(Skip::Invalid(
            "a choice is set by its member lines (CONFIG_<CHOICE>_<MEMBER>=y)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> RawValue {
        RawValue::Text(s.into())
    }

    #[test]
    fn lines() {
        let (l, bad) =
            parse_lines("# c\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=\"x\\\"y\"\ngarbage\n\n");
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].name, "A");
        assert_eq!(l[0].value_col, 10);
        assert_eq!(l[1].value, RawValue::NotSet);
        assert_eq!(l[1].shown(), "# CONFIG_B is not set");
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 5);
        assert_eq!(unquote("\"x\\\"y\\\\\"").as_deref(), Some("x\"y\\"));
        assert_eq!(unquote("\"bad").as_deref(), None);
    }

    #[test]
    fn bools_read_their_first_character() {
        let b = |s: &str| read_value(OptionType::Bool, &text(s), false).map(|r| r.value);
        assert_eq!(b("n # off here"), Ok(Value::Bool(false)));
        assert_eq!(b("yes"), Ok(Value::Bool(true)));
        assert_eq!(b(""), Err(Skip::Empty));
        let Err(Skip::Invalid(why)) = b("1") else {
            panic!("1 is no bool value")
        };
        assert!(why.contains("`y` or `n`"), "{why}");
        // ESP-IDF v3.x: empty is off.
        assert_eq!(
            read_value(OptionType::Bool, &text(""), true).map(|r| r.value),
            Ok(Value::Bool(false))
        );
    }

    #[test]
    fn numbers_and_strings() {
        let r = |ty, s: &str| read_value(ty, &text(s), false);
        assert_eq!(r(OptionType::Hex, "0x1F").unwrap().value, Value::Int(31));
        assert_eq!(r(OptionType::Hex, "ff").unwrap().value, Value::Int(255));
        assert!(r(OptionType::Int, "").is_err());
        assert!(r(OptionType::Int, "5 # five").is_err());
        assert!(read_value(OptionType::Int, &RawValue::NotSet, false).is_err());
        let quoted = r(OptionType::String, "\"a b\"").unwrap();
        assert_eq!(
            (quoted.value, quoted.warning),
            (Value::Str("a b".into()), None)
        );
        let bare = r(OptionType::String, "pool.ntp.org").unwrap();
        assert_eq!(bare.value, Value::Str("pool.ntp.org".into()));
        assert!(bare.warning.unwrap().contains("not quoted"));
    }
}
