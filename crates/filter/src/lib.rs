//! Filter expressions in sysdig/Falco syntax over named fields: parsing, type checking with
//! precise error positions, and fast evaluation against any source of field values.
//!
//! This crate must not know about events, threads, containers or Kubernetes objects: callers
//! implement [`FieldSource`] to supply values, and the crate only compares them.
//!
//! ```
//! use kinsight_filter::{Field, FieldSource, Filter, Value};
//!
//! struct Event { name: &'static str, pid: i64 }
//!
//! impl FieldSource for Event {
//!     fn value(&self, field: &Field) -> Option<Value<'_>> {
//!         match field {
//!             Field::ProcName => Some(Value::from(self.name)),
//!             Field::ProcPid => Some(Value::Int(self.pid)),
//!             _ => None,
//!         }
//!     }
//! }
//!
//! let filter: Filter = "proc.name in (nginx, php-fpm) and proc.pid > 1".parse()?;
//! assert!(filter.matches(&Event { name: "nginx", pid: 42 }));
//! assert!(!filter.matches(&Event { name: "curl", pid: 42 }));
//! # Ok::<(), kinsight_filter::FilterError>(())
//! ```
//!
//! # Syntax and semantics
//!
//! - Connectives `not`, `and`, `or` (lowercase), in decreasing precedence, and parentheses.
//!   sysdig 0.29 rejects `a or b and c` as ambiguous; newer libsinsp and Falco read it as
//!   `a or (b and c)`, and so does this crate. `not not x` is `x` (sysdig 0.29 reads it as
//!   `not x`). [`Filter`]'s `Display` parenthesises both cases, so sysdig 0.29 and newer
//!   parsers read its output the same way.
//! - Operators: `=` (or `==`), `!=`, `<`, `<=`, `>`, `>=`, `contains`, `icontains`,
//!   `startswith`, `endswith`, `glob`, `in (a, b, ...)`, `pmatch (/path, ...)` and the postfix
//!   `exists`. Which ones a field takes depends on its [`FieldKind`].
//! - Values are bare words (`/etc/passwd`, `10.0.0.1`, `nginx:1.10`, `-1`, `<`) or single- or
//!   double-quoted strings with the escapes `\\ \" \' \n \t \r`. A bare word ends at
//!   whitespace, a parenthesis, a comma or a quote. A missing value is an error: write `""`
//!   for the empty string.
//! - A comparison on a field the source has no value for is false, whatever the operator, so
//!   `proc.name != x` is false and `not proc.name = x` true when there is no process, as in
//!   sysdig. `exists` is true exactly when the field has a value.
//! - `icontains` folds ASCII letters only, like sysdig.

mod error;
mod field;
mod glob;
mod literal;
mod parse;
mod tree;

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

pub use error::{ErrorKind, FilterError};
pub use field::{Field, FieldKind};

/// A field's value for one event, as handed over by a [`FieldSource`].
///
/// The variant need not match the field's [`FieldKind`] exactly: integers of either sign
/// compare with numeric fields, text is parsed where a number, address or boolean is expected,
/// and numbers or addresses are rendered when compared as text (without allocating).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Uint(u64),
    Ip(IpAddr),
    Bool(bool),
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Int(n) => write!(f, "{n}"),
            Value::Uint(n) => write!(f, "{n}"),
            Value::Ip(addr) => write!(f, "{addr}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::Str(Cow::Borrowed(s))
    }
}

impl From<String> for Value<'_> {
    fn from(s: String) -> Self {
        Value::Str(Cow::Owned(s))
    }
}

impl From<i64> for Value<'_> {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<u64> for Value<'_> {
    fn from(n: u64) -> Self {
        Value::Uint(n)
    }
}

impl From<IpAddr> for Value<'_> {
    fn from(addr: IpAddr) -> Self {
        Value::Ip(addr)
    }
}

impl From<bool> for Value<'_> {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// Supplies field values for the event being filtered.
///
/// Return `None` when the field does not apply to this event (sysdig prints `<NA>`): an
/// `fd.name` for a `switch`, a `k8s.pod.name` outside Kubernetes. Fields with several values
/// (`k8s.svc.name` of a pod behind two services) are compared through the one value returned;
/// return the most relevant one.
pub trait FieldSource {
    fn value(&self, field: &Field) -> Option<Value<'_>>;
}

/// A parsed, type-checked filter, ready to evaluate many times.
///
/// Equality compares meaning as parsed (fields, operators, typed constants), not the text:
/// `a and (b and c)` equals `a and b and c`, and a filter equals the re-parse of its
/// canonical rendering (`Display`).
#[derive(Debug, Clone)]
pub struct Filter {
    expr: String,
    root: tree::Node,
    fields: Vec<Field>,
}

impl Filter {
    /// Parses and type-checks an expression.
    pub fn parse(expr: &str) -> Result<Filter, FilterError> {
        let root = parse::parse(expr)?;
        let mut fields: Vec<Field> = Vec::new();
        root.for_each_field(&mut |field| {
            if !fields.contains(field) {
                fields.push(field.clone());
            }
        });
        Ok(Filter {
            expr: expr.to_owned(),
            root,
            fields,
        })
    }

    /// Whether the event described by `src` passes the filter.
    ///
    /// Operands are evaluated left to right and stop as soon as the result is known, so put
    /// cheap, selective conditions first.
    pub fn matches(&self, src: &dyn FieldSource) -> bool {
        self.root.eval(src)
    }

    /// Every field the expression uses, once each, in order of first use; callers use it to
    /// skip computing fields nobody asks for.
    pub fn fields(&self) -> Vec<Field> {
        self.fields.clone()
    }

    /// The expression as given to [`Filter::parse`].
    pub fn expr(&self) -> &str {
        &self.expr
    }
}

impl PartialEq for Filter {
    fn eq(&self, other: &Filter) -> bool {
        self.root == other.root
    }
}

/// The canonical form: one space around operators, `=` for `==`, `and`/`or` groups nested in
/// each other and doubled `not`s parenthesised, values quoted only where needed. It parses
/// back to an equal filter, with the same meaning in sysdig 0.29.
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}

impl FromStr for Filter {
    type Err = FilterError;

    fn from_str(expr: &str) -> Result<Filter, FilterError> {
        Filter::parse(expr)
    }
}
