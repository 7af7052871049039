//! The compiled expression: a tree whose leaves hold constants already parsed to the field's
//! type, so evaluating it parses nothing and allocates nothing.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::net::IpAddr;

use crate::glob::Glob;
use crate::literal::{parse_int, IpNet};
use crate::{Field, FieldSource, Value};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// Two or more operands; nested `and`s are flattened into one.
    And(Vec<Node>),
    /// Two or more operands; nested `or`s are flattened into one.
    Or(Vec<Node>),
    Not(Box<Node>),
    Exists(Field),
    Cmp(Box<Cmp>),
}

/// The operators as written, kept for re-rendering. `==` is folded into `Eq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    IContains,
    StartsWith,
    EndsWith,
    Glob,
    In,
    Pmatch,
    Exists,
}

impl Op {
    pub(crate) fn from_symbol(symbol: &str) -> Option<Op> {
        Some(match symbol {
            "=" | "==" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "contains" => Op::Contains,
            "icontains" => Op::IContains,
            "startswith" => Op::StartsWith,
            "endswith" => Op::EndsWith,
            "glob" => Op::Glob,
            "in" => Op::In,
            "pmatch" => Op::Pmatch,
            "exists" => Op::Exists,
            _ => return None,
        })
    }

    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "contains",
            Op::IContains => "icontains",
            Op::StartsWith => "startswith",
            Op::EndsWith => "endswith",
            Op::Glob => "glob",
            Op::In => "in",
            Op::Pmatch => "pmatch",
            Op::Exists => "exists",
        }
    }

    pub(crate) fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::Pmatch)
    }

    pub(crate) fn relation(self) -> Option<Rel> {
        match self {
            Op::Lt => Some(Rel::Lt),
            Op::Le => Some(Rel::Le),
            Op::Gt => Some(Rel::Gt),
            Op::Ge => Some(Rel::Ge),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rel {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Rel {
    /// Whether `value <rel> constant` holds, given `value.cmp(constant)`.
    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Rel::Lt => ordering.is_lt(),
            Rel::Le => ordering.is_le(),
            Rel::Gt => ordering.is_gt(),
            Rel::Ge => ordering.is_ge(),
        }
    }
}

/// One comparison. `!=` is `=` with `negate` set, applied only when the field has a value:
/// a missing field fails every comparison, `!=` included, as in sysdig.
#[derive(Debug, Clone)]
pub(crate) struct Cmp {
    pub(crate) field: Field,
    pub(crate) op: Op,
    /// The values as written (unescaped), for re-rendering.
    pub(crate) literals: Vec<String>,
    pub(crate) negate: bool,
    pub(crate) test: Test,
}

/// Equal when they test the same thing: `proc.pid = 0x10` equals `proc.pid = 16`.
impl PartialEq for Cmp {
    fn eq(&self, other: &Cmp) -> bool {
        (&self.field, self.op, self.negate, &self.test)
            == (&other.field, other.op, other.negate, &other.test)
    }
}

/// A comparison against constants of the field's type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    StrEq(Box<str>),
    StrRel(Rel, Box<str>),
    Contains(Box<str>),
    /// The needle is ASCII-lowercased once here; sysdig's `icontains` folds ASCII only too.
    IContains(Box<str>),
    StartsWith(Box<str>),
    EndsWith(Box<str>),
    /// Sorted and deduplicated, for binary search.
    StrIn(Box<[Box<str>]>),
    Glob(Glob),
    /// Path prefixes without trailing slashes.
    Pmatch(Box<[Box<str>]>),
    NumEq(i128),
    NumRel(Rel, i128),
    /// Sorted and deduplicated, for binary search.
    NumIn(Box<[i128]>),
    IpIn(Box<[IpNet]>),
    IpRel(Rel, IpAddr),
    Bool {
        when_true: bool,
        when_false: bool,
    },
}

impl Node {
    pub(crate) fn eval(&self, src: &dyn FieldSource) -> bool {
        match self {
            Node::And(items) => items.iter().all(|node| node.eval(src)),
            Node::Or(items) => items.iter().any(|node| node.eval(src)),
            Node::Not(inner) => !inner.eval(src),
            Node::Exists(field) => src.value(field).is_some(),
            Node::Cmp(cmp) => match src.value(&cmp.field) {
                Some(value) => cmp.test.eval(&value).is_some_and(|hit| hit != cmp.negate),
                None => false,
            },
        }
    }

    pub(crate) fn for_each_field<'a>(&'a self, visit: &mut impl FnMut(&'a Field)) {
        match self {
            Node::And(items) | Node::Or(items) => {
                items.iter().for_each(|node| node.for_each_field(visit))
            }
            Node::Not(inner) => inner.for_each_field(visit),
            Node::Exists(field) => visit(field),
            Node::Cmp(cmp) => visit(&cmp.field),
        }
    }
}

impl Test {
    /// `None` when the value cannot be compared at all (a source handing an address to a
    /// numeric field); the comparison then fails whatever the operator, like a missing field.
    fn eval(&self, value: &Value<'_>) -> Option<bool> {
        Some(match self {
            Test::StrEq(c) => with_str(value, |s| s == &**c),
            Test::StrRel(rel, c) => with_str(value, |s| rel.holds(s.cmp(c))),
            Test::Contains(c) => with_str(value, |s| s.contains(&**c)),
            Test::IContains(c) => with_str(value, |s| contains_ignore_ascii_case(s, c)),
            Test::StartsWith(c) => with_str(value, |s| s.starts_with(&**c)),
            Test::EndsWith(c) => with_str(value, |s| s.ends_with(&**c)),
            Test::StrIn(set) => with_str(value, |s| set.binary_search_by(|c| (**c).cmp(s)).is_ok()),
            Test::Glob(glob) => with_str(value, |s| glob.matches(s)),
            Test::Pmatch(prefixes) => {
                with_str(value, |s| prefixes.iter().any(|p| under_path(s, p)))
            }
            Test::NumEq(c) => as_number(value)? == *c,
            Test::NumRel(rel, c) => rel.holds(as_number(value)?.cmp(c)),
            Test::NumIn(set) => set.binary_search(&as_number(value)?).is_ok(),
            Test::IpIn(nets) => {
                let addr = as_ip(value)?;
                nets.iter().any(|net| net.contains(addr))
            }
            Test::IpRel(rel, c) => rel.holds(as_ip(value)?.to_canonical().cmp(c)),
            Test::Bool {
                when_true,
                when_false,
            } => {
                if as_bool(value)? {
                    *when_true
                } else {
                    *when_false
                }
            }
        })
    }
}

/// Runs `f` on the value as text. Non-text values are rendered into a stack buffer so that
/// a source handing numbers to a text field costs no allocation.
fn with_str<R>(value: &Value<'_>, f: impl FnOnce(&str) -> R) -> R {
    match value {
        Value::Str(s) => f(s),
        other => {
            let mut buf = StackBuf::new();
            // Every non-text value fits: the longest is an IPv6 address (45 bytes).
            let _ = write!(buf, "{other}");
            f(buf.as_str())
        }
    }
}

fn as_number(value: &Value<'_>) -> Option<i128> {
    match value {
        Value::Int(n) => Some((*n).into()),
        Value::Uint(n) => Some((*n).into()),
        Value::Str(s) => parse_int(s.trim()),
        Value::Ip(_) | Value::Bool(_) => None,
    }
}

fn as_ip(value: &Value<'_>) -> Option<IpAddr> {
    match value {
        Value::Ip(addr) => Some(*addr),
        Value::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_bool(value: &Value<'_>) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Int(n) => Some(*n != 0),
        Value::Uint(n) => Some(*n != 0),
        Value::Str(s) => crate::literal::parse_bool(s),
        Value::Ip(_) => None,
    }
}

/// `needle` is already lowercase ASCII.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// `path` is `prefix` itself or lies below it. `prefix` has no trailing slash; the root is "".
fn under_path(path: &str, prefix: &str) -> bool {
    if prefix.is_empty() {
        return path.starts_with('/');
    }
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

struct StackBuf {
    bytes: [u8; 64],
    len: usize,
}

impl StackBuf {
    fn new() -> StackBuf {
        StackBuf {
            bytes: [0; 64],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        // Only whole `str`s are ever copied in, so this cannot fail.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dest = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        dest.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

// Canonical rendering. Groups of the other connective are always parenthesised, so the output
// never mixes `and` and `or` at one level: sysdig 0.29 rejects such expressions.
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::And(items) => join(f, items, " and "),
            Node::Or(items) => join(f, items, " or "),
            // sysdig 0.29 reads `not not x` as `not x`, so a doubled `not` gets parentheses.
            Node::Not(inner) if matches!(**inner, Node::Not(_)) => write!(f, "not ({inner})"),
            Node::Not(inner) => {
                f.write_str("not ")?;
                write_operand(f, inner)
            }
            Node::Exists(field) => write!(f, "{field} exists"),
            Node::Cmp(cmp) => {
                write!(f, "{} {} ", cmp.field, cmp.op.symbol())?;
                if cmp.op.takes_list() {
                    f.write_char('(')?;
                    for (i, literal) in cmp.literals.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write_literal(f, literal)?;
                    }
                    f.write_char(')')
                } else {
                    write_literal(f, &cmp.literals[0])
                }
            }
        }
    }
}

fn join(f: &mut fmt::Formatter<'_>, items: &[Node], separator: &str) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        write_operand(f, item)?;
    }
    Ok(())
}

fn write_operand(f: &mut fmt::Formatter<'_>, node: &Node) -> fmt::Result {
    match node {
        Node::And(_) | Node::Or(_) => write!(f, "({node})"),
        _ => write!(f, "{node}"),
    }
}

/// Writes a value bare when it would read back unchanged, quoted otherwise.
fn write_literal(f: &mut fmt::Formatter<'_>, literal: &str) -> fmt::Result {
    let bare = !literal.is_empty()
        && !matches!(literal, "and" | "or" | "not")
        && literal.bytes().all(|b| {
            b.is_ascii_graphic() && !matches!(b, b'(' | b')' | b',' | b'"' | b'\'' | b'\\')
        });
    if bare {
        return f.write_str(literal);
    }
    f.write_char('"')?;
    for c in literal.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}
