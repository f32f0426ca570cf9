//! Integer arithmetic inside expressions: the sides of a comparison and the placeholders of a
//! rule's message (`tcp_snd_buf_default >= 2 * tcp_mss`).
//!
//! Operators as in C: unary `-` binds tightest, then `*` `/`, then `+` `-`, then the shifts
//! `<<` `>>`; all binary operators group left to right. Arithmetic is checked: overflow,
//! division by zero and a negative shift are an [`EvalError`], never a wrapped value or a panic.

use std::fmt;

use super::{Env, Operand};
use crate::value::Value;

/// A binary arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`, rounding toward zero.
    Div,
    /// `<<`: multiplies by a power of two.
    Shl,
    /// `>>`: divides by a power of two, rounding down.
    Shr,
}

impl ArithOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Shl => "<<",
            ArithOp::Shr => ">>",
        }
    }

    /// Binding strength: higher binds tighter.
    pub(super) fn precedence(self) -> u8 {
        match self {
            ArithOp::Mul | ArithOp::Div => 3,
            ArithOp::Add | ArithOp::Sub => 2,
            ArithOp::Shl | ArithOp::Shr => 1,
        }
    }

    fn apply(self, a: i64, b: i64) -> Option<i64> {
        match self {
            ArithOp::Add => a.checked_add(b),
            ArithOp::Sub => a.checked_sub(b),
            ArithOp::Mul => a.checked_mul(b),
            ArithOp::Div => a.checked_div(b),
            ArithOp::Shl => {
                let power = 2_i64.checked_pow(u32::try_from(b).ok()?)?;
                a.checked_mul(power)
            }
            // Shifting further than the width leaves the sign, as dividing would.
            ArithOp::Shr => Some(a >> b.min(63)),
        }
    }
}

/// One side of a comparison: a plain operand, or arithmetic over integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A symbol, number, string or `y`/`n`, compared with Kconfig's rules.
    Atom(Operand),
    /// `-t`.
    Neg(Box<Term>),
    /// `lhs OP rhs`.
    Bin {
        /// Left operand.
        lhs: Box<Term>,
        /// The operator.
        op: ArithOp,
        /// Right operand.
        rhs: Box<Term>,
    },
}

/// An expression that could not be evaluated: arithmetic on something that is not a number,
/// an overflow, a division by zero or a negative shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// What went wrong, naming the sub-expression.
    pub message: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

impl Term {
    /// Whether the term computes (is more than one operand).
    pub fn is_arithmetic(&self) -> bool {
        !matches!(self, Term::Atom(_))
    }

    /// Every operand of the term, left to right.
    pub fn operands(&self) -> Vec<&Operand> {
        match self {
            Term::Atom(op) => vec![op],
            Term::Neg(t) => t.operands(),
            Term::Bin { lhs, rhs, .. } => {
                let mut v = lhs.operands();
                v.extend(rhs.operands());
                v
            }
        }
    }

    /// The term's value. A plain operand keeps Kconfig's reading (a bare word that is no
    /// symbol is a literal); arithmetic needs integers.
    pub fn value(&self, env: &dyn Env) -> Result<Value, EvalError> {
        match self {
            Term::Atom(op) => Ok(operand_value(op, env)),
            _ => self.int(env).map(Value::Int),
        }
    }

    /// The term as an integer.
    pub fn int(&self, env: &dyn Env) -> Result<i64, EvalError> {
        let fail = |what: &str| EvalError {
            message: format!("`{self}` {what}"),
        };
        match self {
            Term::Atom(op) => match (op, operand_value(op, env)) {
                (_, Value::Int(n)) => Ok(n),
                (Operand::Sym(s), _) if env.value(s).is_none() => Err(EvalError {
                    message: format!("`{s}` is no symbol"),
                }),
                (_, v) => Err(EvalError {
                    message: format!("`{op}` is {v}, not a number"),
                }),
            },
            Term::Neg(t) => t.int(env)?.checked_neg().ok_or_else(|| fail("overflows")),
            Term::Bin { lhs, op, rhs } => {
                let (a, b) = (lhs.int(env)?, rhs.int(env)?);
                match op {
                    ArithOp::Div if b == 0 => Err(fail("divides by zero")),
                    ArithOp::Shl | ArithOp::Shr if b < 0 => {
                        Err(fail(&format!("shifts by a negative amount ({b})")))
                    }
                    _ => op.apply(a, b).ok_or_else(|| fail("overflows")),
                }
            }
        }
    }
}

/// The value of an operand.
pub(super) fn operand_value(op: &Operand, env: &dyn Env) -> Value {
    match op {
        // A bare word that is no symbol is a literal (a choice member name).
        Operand::Sym(s) => env.value(s).unwrap_or_else(|| Value::Str(s.clone())),
        Operand::Int(n) => Value::Int(*n),
        Operand::Str(s) => Value::Str(s.clone()),
        Operand::Bool(b) => Value::Bool(*b),
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Atom(op) => write!(f, "{op}"),
            Term::Neg(t) => match **t {
                Term::Atom(_) => write!(f, "-{t}"),
                _ => write!(f, "-({t})"),
            },
            Term::Bin { lhs, op, rhs } => {
                let side = |t: &Term, f: &mut fmt::Formatter<'_>, right: bool| match t {
                    // Left to right grouping: a right operand of equal strength needs parentheses.
                    Term::Bin { op: inner, .. }
                        if inner.precedence() < op.precedence()
                            || (right && inner.precedence() == op.precedence()) =>
                    {
                        write!(f, "({t})")
                    }
                    _ => write!(f, "{t}"),
                };
                side(lhs, f, false)?;
                write!(f, " {} ", op.as_str())?;
                side(rhs, f, true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::expr::Expr;

    use crate::expr::TestEnv as Map;

    fn env() -> Map {
        Map(HashMap::from([
            ("mss", Value::Int(1440)),
            ("buf", Value::Int(2500)),
            ("big", Value::Int(i64::MAX)),
            ("zero", Value::Int(0)),
            ("on", Value::Bool(true)),
        ]))
    }

    fn int(text: &str) -> Result<i64, String> {
        Term::parse(text)
            .map_err(|e| e.to_string())?
            .int(&env())
            .map_err(|e| e.to_string())
    }

    fn holds(text: &str) -> bool {
        Expr::parse(text).unwrap().try_eval(&env()).unwrap()
    }

    #[test]
    fn precedence_and_grouping() {
        assert_eq!(int("2 + 3 * 4"), Ok(14));
        assert_eq!(int("(2 + 3) * 4"), Ok(20));
        assert_eq!(int("10 - 3 - 2"), Ok(5), "left to right");
        assert_eq!(int("100 / 10 / 5"), Ok(2));
        assert_eq!(int("1 << 2 + 1"), Ok(8), "shifts bind looser than +");
        assert_eq!(int("0xffff << 1"), Ok(131_070));
        assert_eq!(int("-mss + 2"), Ok(-1438));
        assert_eq!(int("2 * -3"), Ok(-6));
        assert_eq!(int("7 / 2"), Ok(3));
        assert_eq!(int("-7 >> 1"), Ok(-4), "`>>` rounds down");
        assert_eq!(int("5 >> 100"), Ok(0));
        assert_eq!(int("mss - 1440"), Ok(0));
        assert_eq!(int("mss-1"), Ok(1439));
    }

    #[test]
    fn arithmetic_in_conditions() {
        assert!(!holds("buf >= 2 * mss"));
        assert!(holds("buf < 2 * mss && on"));
        assert!(holds("!buf >= 2 * mss"), "`!` applies to the comparison");
        assert!(holds("(buf + 380) / 2 = mss"));
        assert!(holds("((buf + 380) / 2 = mss)"));
        assert!(holds("(mss) = 1440"));
        assert!(holds("mss = -(-1440)"));
        assert!(
            holds("on || zero / zero = 1"),
            "`||` decides on its left side"
        );
    }

    #[test]
    fn errors_are_reported_not_panics() {
        assert_eq!(
            int("mss / zero"),
            Err("`mss / zero` divides by zero".into())
        );
        assert_eq!(int("big + 1"), Err("`big + 1` overflows".into()));
        assert_eq!(int("big * 2"), Err("`big * 2` overflows".into()));
        assert_eq!(int("-big - 2"), Err("`-big - 2` overflows".into()));
        assert_eq!(int("1 << 63"), Err("`1 << 63` overflows".into()));
        assert_eq!(int("3 << 62"), Err("`3 << 62` overflows".into()));
        assert_eq!(
            int("1 << -1"),
            Err("`1 << -1` shifts by a negative amount (-1)".into())
        );
        assert_eq!(int("on + 1"), Err("`on` is true, not a number".into()));
        assert_eq!(int("nope * 2"), Err("`nope` is no symbol".into()));
        let e = Expr::parse("mss / zero > 1").unwrap();
        assert!(e.try_eval(&env()).is_err());
        assert!(
            !e.eval(&env()),
            "a condition that cannot be evaluated is false"
        );
    }

    #[test]
    fn parse_errors() {
        let offset = |text: &str| Expr::parse(text).unwrap_err().offset;
        assert_eq!(offset("mss + 1"), 7, "arithmetic alone is no condition");
        assert_eq!(offset("(mss * 2) && on"), 10);
        assert_eq!(offset("mss >= 2 *"), 10);
        assert_eq!(offset("mss >= (2 * mss"), 15);
        assert!(Term::parse("mss +").is_err());
        assert!(Term::parse("mss mss").is_err());
        assert!(Term::parse("").is_err());
    }

    #[test]
    fn display_round_trips() {
        for (text, shown) in [
            ("a>=2*b", "a >= 2 * b"),
            ("a >= (2 * b)", "a >= 2 * b"),
            ("a = (b + c) * d", "a = (b + c) * d"),
            ("a = b - (c - d)", "a = b - (c - d)"),
            ("a = (b - c) - d", "a = b - c - d"),
            ("a <= 0xffff << (b + 1)", "a <= 65535 << b + 1"),
            ("a = -(b * c)", "a = -(b * c)"),
            ("a = -3 - -b", "a = -3 - -b"),
        ] {
            let e = Expr::parse(text).unwrap();
            assert_eq!(e.to_string(), shown);
            assert_eq!(Expr::parse(&e.to_string()).unwrap(), e, "{text}");
        }
        assert!(Expr::parse("a >= 2 * b").unwrap().has_arithmetic());
        assert!(!Expr::parse("a >= 2 && b").unwrap().has_arithmetic());
        assert_eq!(
            Expr::parse("x = y * (z + 1) || w").unwrap().symbols(),
            ["x", "z", "w"],
            "`y` is the literal true"
        );
    }
}
