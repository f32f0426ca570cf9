//! Kconfig-style expressions for `depends_on`, `if` and the schema's cross-option rules: `!`,
//! `&&`, `||`, parentheses and the comparisons `=`, `!=`, `<`, `<=`, `>`, `>=`, whose sides may
//! compute with integers ([`arith`]: `+`, `-`, `*`, `/`, `<<`, `>>`).
//!
//! Precedence as Kconfig: the comparisons bind tightest (`!a = b` is `!(a = b)`), then `!`, then
//! `&&`, then `||`; arithmetic binds tighter than a comparison. Ordering comparisons compare
//! numbers; between anything else they are false, as in Kconfig for symbols without a numeric
//! value. Arithmetic must be compared: `a + 1` alone is no condition.

use std::fmt;

pub mod arith;

pub use arith::{ArithOp, EvalError, Term};

use crate::value::Value;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A symbol used as a condition: true when on / non-zero / non-empty.
    Sym(String),
    /// Logical not.
    Not(Box<Expr>),
    /// Logical and.
    And(Box<Expr>, Box<Expr>),
    /// Logical or.
    Or(Box<Expr>, Box<Expr>),
    /// `lhs OP rhs`.
    Cmp {
        /// Left side.
        lhs: Term,
        /// The comparison.
        op: CmpOp,
        /// Right side.
        rhs: Term,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A plain operand: a side of a comparison, or a leaf of arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// A symbol, or a bare word (a choice member name when compared with a choice).
    Sym(String),
    /// A number (decimal or `0x` hex).
    Int(i64),
    /// A quoted string.
    Str(String),
    /// `y` or `n`.
    Bool(bool),
}

/// What an expression needs from the world to be evaluated.
pub trait Env {
    /// The current value of `symbol`, or `None` if no such symbol exists.
    fn value(&self, symbol: &str) -> Option<Value>;
}

/// An expression that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the expression text.
    pub offset: usize,
    /// What was expected.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at offset {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for ParseError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Int(i64),
    Str(String),
    Not,
    And,
    Or,
    Cmp(CmpOp),
    Arith(ArithOp),
    LParen,
    RParen,
}

fn lex(text: &str) -> Result<Vec<(usize, Tok)>, ParseError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |offset, message: &str| ParseError {
        offset,
        message: message.to_owned(),
    };
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => (out.push((start, Tok::LParen)), i += 1).1,
            b')' => (out.push((start, Tok::RParen)), i += 1).1,
            b'=' => (out.push((start, Tok::Cmp(CmpOp::Eq))), i += 1).1,
            b'!' if bytes.get(i + 1) == Some(&b'=') => {
                (out.push((start, Tok::Cmp(CmpOp::Ne))), i += 2).1
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                (out.push((start, Tok::Arith(ArithOp::Shl))), i += 2).1
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                (out.push((start, Tok::Arith(ArithOp::Shr))), i += 2).1
            }
            b'+' => (out.push((start, Tok::Arith(ArithOp::Add))), i += 1).1,
            b'-' => (out.push((start, Tok::Arith(ArithOp::Sub))), i += 1).1,
            b'*' => (out.push((start, Tok::Arith(ArithOp::Mul))), i += 1).1,
            b'/' => (out.push((start, Tok::Arith(ArithOp::Div))), i += 1).1,
            b'<' | b'>' => {
                let or_equal = bytes.get(i + 1) == Some(&b'=');
                let op = match (c, or_equal) {
                    (b'<', false) => CmpOp::Lt,
                    (b'<', true) => CmpOp::Le,
                    (_, false) => CmpOp::Gt,
                    (_, true) => CmpOp::Ge,
                };
                out.push((start, Tok::Cmp(op)));
                i += if or_equal { 2 } else { 1 };
            }
            b'!' => (out.push((start, Tok::Not)), i += 1).1,
            b'&' if bytes.get(i + 1) == Some(&b'&') => (out.push((start, Tok::And)), i += 2).1,
            b'|' if bytes.get(i + 1) == Some(&b'|') => (out.push((start, Tok::Or)), i += 2).1,
            b'"' => {
                i += 1;
                let mut s = String::new();
                loop {
                    match bytes.get(i) {
                        None => return Err(err(start, "unterminated string")),
                        Some(b'"') => break,
                        Some(b'\\') => {
                            let Some(&next) = bytes.get(i + 1) else {
                                return Err(err(start, "unterminated string"));
                            };
                            s.push(char::from(next));
                            i += 2;
                        }
                        Some(_) => {
                            let ch = text[i..].chars().next().unwrap_or('"');
                            s.push(ch);
                            i += ch.len_utf8();
                        }
                    }
                }
                i += 1;
                out.push((start, Tok::Str(s)));
            }
            b'0'..=b'9' => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                let parsed = match word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
                    Some(hex) => i64::from_str_radix(hex, 16).ok(),
                    None => word.parse().ok(),
                };
                let n = parsed.ok_or_else(|| err(start, "invalid number"))?;
                out.push((start, Tok::Int(n)));
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push((start, Tok::Ident(text[start..i].to_owned())));
            }
            _ => return Err(err(start, "unexpected character")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(o, _)| *o)
    }

    fn fail<T>(&self, message: &str) -> Result<T, ParseError> {
        Err(ParseError {
            offset: self.offset(),
            message: message.to_owned(),
        })
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            lhs = Expr::Or(Box::new(lhs), Box::new(self.and()?));
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.cmp()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            lhs = Expr::And(Box::new(lhs), Box::new(self.cmp()?));
        }
        Ok(lhs)
    }

    fn cmp(&mut self) -> Result<Expr, ParseError> {
        // A parenthesised condition starts like a parenthesised term: try a term, and keep it
        // when a comparison follows.
        let start = self.pos;
        if let Ok(lhs) = self.term() {
            if let Some(&Tok::Cmp(op)) = self.peek() {
                self.pos += 1;
                let rhs = self.term()?;
                return Ok(Expr::Cmp { lhs, op, rhs });
            }
            if lhs.is_arithmetic() {
                return self
                    .fail("arithmetic must be compared with `=`, `!=`, `<`, `<=`, `>` or `>=`");
            }
        }
        self.pos = start;
        self.unary()
    }

    fn term(&mut self) -> Result<Term, ParseError> {
        self.binary(1)
    }

    /// Operators of at least precedence `min`, grouping left to right.
    fn binary(&mut self, min: u8) -> Result<Term, ParseError> {
        let mut lhs = self.factor()?;
        while let Some(&Tok::Arith(op)) = self.peek() {
            if op.precedence() < min {
                break;
            }
            self.pos += 1;
            let rhs = self.binary(op.precedence() + 1)?;
            lhs = Term::Bin {
                lhs: Box::new(lhs),
                op,
                rhs: Box::new(rhs),
            };
        }
        Ok(lhs)
    }

    fn factor(&mut self) -> Result<Term, ParseError> {
        match self.peek() {
            Some(Tok::Arith(ArithOp::Sub)) => {
                self.pos += 1;
                Ok(match self.factor()? {
                    // A negative number is a literal.
                    Term::Atom(Operand::Int(n)) if n.checked_neg().is_some() => {
                        Term::Atom(Operand::Int(-n))
                    }
                    t => Term::Neg(Box::new(t)),
                })
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let t = self.term()?;
                if self.peek() != Some(&Tok::RParen) {
                    return self.fail("expected `)`");
                }
                self.pos += 1;
                Ok(t)
            }
            _ => self.operand().map(Term::Atom),
        }
    }

    fn operand_at(&self, pos: usize) -> Option<Operand> {
        match self.toks.get(pos).map(|(_, t)| t)? {
            Tok::Ident(s) if s == "y" => Some(Operand::Bool(true)),
            Tok::Ident(s) if s == "n" => Some(Operand::Bool(false)),
            Tok::Ident(s) => Some(Operand::Sym(s.clone())),
            Tok::Int(n) => Some(Operand::Int(*n)),
            Tok::Str(s) => Some(Operand::Str(s.clone())),
            _ => None,
        }
    }

    fn operand(&mut self) -> Result<Operand, ParseError> {
        match self.operand_at(self.pos) {
            Some(op) => {
                self.pos += 1;
                Ok(op)
            }
            None => self.fail("expected a symbol, number or string"),
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            Some(Tok::Not) => {
                self.pos += 1;
                Ok(Expr::Not(Box::new(self.cmp()?)))
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let e = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return self.fail("expected `)`");
                }
                self.pos += 1;
                Ok(e)
            }
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(Expr::Sym(s))
            }
            Some(_) => self.fail("expected a symbol, `!` or `(`"),
            None => self.fail("unexpected end of expression"),
        }
    }
}

impl Expr {
    /// Parses Kconfig expression syntax.
    pub fn parse(text: &str) -> Result<Expr, ParseError> {
        let toks = lex(text)?;
        let mut p = Parser {
            toks,
            pos: 0,
            end: text.len(),
        };
        let e = p.or()?;
        if p.pos != p.toks.len() {
            return p.fail("unexpected token after expression");
        }
        Ok(e)
    }

    /// Every symbol name the expression mentions, in order (bare words in comparisons
    /// included).
    pub fn symbols(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Sym(s) => out.push(s),
            Expr::Not(e) => e.collect(out),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Expr::Cmp { lhs, rhs, .. } => {
                for op in lhs.operands().into_iter().chain(rhs.operands()) {
                    if let Operand::Sym(s) = op {
                        out.push(s);
                    }
                }
            }
        }
    }

    /// Whether a comparison in the expression computes.
    pub fn has_arithmetic(&self) -> bool {
        match self {
            Expr::Sym(_) => false,
            Expr::Not(e) => e.has_arithmetic(),
            Expr::And(a, b) | Expr::Or(a, b) => a.has_arithmetic() || b.has_arithmetic(),
            Expr::Cmp { lhs, rhs, .. } => lhs.is_arithmetic() || rhs.is_arithmetic(),
        }
    }

    /// Evaluates the expression; `&&` and `||` look at their right side only when the left
    /// one does not decide. Unknown symbols are false (the schema checks rule them out).
    pub fn try_eval(&self, env: &dyn Env) -> Result<bool, EvalError> {
        Ok(match self {
            Expr::Sym(s) => env.value(s).is_some_and(|v| v.truthy()),
            Expr::Not(e) => !e.try_eval(env)?,
            Expr::And(a, b) => a.try_eval(env)? && b.try_eval(env)?,
            Expr::Or(a, b) => a.try_eval(env)? || b.try_eval(env)?,
            Expr::Cmp { lhs, op, rhs } => compare(&lhs.value(env)?, *op, &rhs.value(env)?),
        })
    }

    /// Evaluates a condition: [`Expr::try_eval`], with an expression that cannot be evaluated
    /// false. The schema keeps arithmetic out of `depends_on` and `if`, so their conditions
    /// always evaluate.
    pub fn eval(&self, env: &dyn Env) -> bool {
        self.try_eval(env).unwrap_or(false)
    }
}

impl Term {
    /// Parses one side of a comparison on its own (a rule message's `{...}` placeholder).
    pub fn parse(text: &str) -> Result<Term, ParseError> {
        let toks = lex(text)?;
        let mut p = Parser {
            toks,
            pos: 0,
            end: text.len(),
        };
        let t = p.term()?;
        if p.pos != p.toks.len() {
            return p.fail("unexpected token after expression");
        }
        Ok(t)
    }
}

fn compare(l: &Value, op: CmpOp, r: &Value) -> bool {
    match op {
        CmpOp::Eq => values_equal(l, r),
        CmpOp::Ne => !values_equal(l, r),
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => match (numeric(l), numeric(r)) {
            (Some(a), Some(b)) => match op {
                CmpOp::Lt => a < b,
                CmpOp::Le => a <= b,
                CmpOp::Gt => a > b,
                _ => a >= b,
            },
            _ => false,
        },
    }
}

fn numeric(v: &Value) -> Option<i64> {
    match v {
        Value::Int(n) => Some(*n),
        _ => None,
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Str(x) | Value::Choice(x), Value::Str(y) | Value::Choice(y)) => x == y,
        (Value::Bool(x), Value::Int(y)) | (Value::Int(y), Value::Bool(x)) => i64::from(*x) == *y,
        _ => false,
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Sym(s) => f.write_str(s),
            Operand::Int(n) => write!(f, "{n}"),
            Operand::Str(s) => write!(f, "{s:?}"),
            Operand::Bool(b) => f.write_str(if *b { "y" } else { "n" }),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn wrap(e: &Expr, parent_and: bool, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match e {
                Expr::Or(..) if parent_and => write!(f, "({e})"),
                _ => write!(f, "{e}"),
            }
        }
        match self {
            Expr::Sym(s) => f.write_str(s),
            Expr::Not(e) => match **e {
                Expr::Sym(_) => write!(f, "!{e}"),
                _ => write!(f, "!({e})"),
            },
            Expr::And(a, b) => {
                wrap(a, true, f)?;
                f.write_str(" && ")?;
                wrap(b, true, f)
            }
            Expr::Or(a, b) => write!(f, "{a} || {b}"),
            Expr::Cmp { lhs, op, rhs } => write!(f, "{lhs} {} {rhs}", op.as_str()),
        }
    }
}

/// An environment of fixed values for the expression tests.
#[cfg(test)]
pub(crate) struct TestEnv(pub std::collections::HashMap<&'static str, Value>);

#[cfg(test)]
impl Env for TestEnv {
    fn value(&self, symbol: &str) -> Option<Value> {
        self.0.get(symbol).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    use TestEnv as Map;

    fn env() -> Map {
        Map(HashMap::from([
            ("a", Value::Bool(true)),
            ("b", Value::Bool(false)),
            ("num", Value::Int(3)),
            ("s", Value::Str(String::new())),
            ("c", Value::Choice("mss".into())),
        ]))
    }

    fn eval(text: &str) -> bool {
        Expr::parse(text).unwrap().eval(&env())
    }

    #[test]
    fn precedence() {
        assert!(eval("a || b && b"));
        assert!(!eval("(a || b) && b"));
        assert!(eval("!b && a"));
        assert!(!eval("!(a && a)"));
        assert!(eval("a && !b = y"));
    }

    #[test]
    fn comparisons() {
        assert!(eval("num = 3"));
        assert!(eval("num != 4"));
        assert!(eval("c = mss"));
        assert!(!eval("c = disable"));
        assert!(eval("a = y"));
        assert!(eval("b = n"));
        assert!(eval("s = \"\""));
        assert!(eval("num = 0x3"));
        assert!(eval("a = a"));
    }

    #[test]
    fn ordering_comparisons() {
        assert!(eval("num >= 3"));
        assert!(eval("num > 2"));
        assert!(!eval("num > 3"));
        assert!(eval("num <= 3 && num < 4"));
        assert!(!eval("num < 3"));
        assert!(eval("num >= 0x3 || b"));
        assert!(!eval("c >= 3"), "non-numbers never order");
        assert!(!eval("!num >= 3"), "`!` applies to the comparison");
        assert_eq!(
            Expr::parse("num>=3&&a").unwrap().to_string(),
            "num >= 3 && a"
        );
    }

    #[test]
    fn truthiness() {
        assert!(eval("num"));
        assert!(!eval("s"));
        assert!(eval("c"));
        assert!(!eval("unknown"));
    }

    #[test]
    fn errors() {
        assert!(Expr::parse("a &&").is_err());
        assert!(Expr::parse("(a").is_err());
        assert!(Expr::parse("a b").is_err());
        assert!(Expr::parse("a & b").is_err());
        assert!(Expr::parse("").is_err());
        assert_eq!(Expr::parse("a && $").unwrap_err().offset, 5);
    }

    #[test]
    fn symbols_and_display() {
        let e = Expr::parse("!(a || b) && c = mss").unwrap();
        assert_eq!(e.symbols(), ["a", "b", "c", "mss"]);
        assert_eq!(e.to_string(), "!(a || b) && c = mss");
        let e = Expr::parse("(a || b) && a").unwrap();
        assert_eq!(e.to_string(), "(a || b) && a");
        assert_eq!(Expr::parse(&e.to_string()).unwrap(), e);
    }
}
