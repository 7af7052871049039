//! Parse errors: what went wrong, and where, rendered with a caret under the culprit.

use std::fmt;

/// Why an expression was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    #[error("empty expression")]
    Empty,
    #[error("unknown field '{name}'{}", hint(.suggestion))]
    UnknownField {
        name: String,
        suggestion: Option<String>,
    },
    #[error("expected an operator after '{field}'")]
    MissingOperator { field: String },
    #[error("unknown operator '{found}'")]
    UnknownOperator { found: String },
    #[error("operator '{op}' cannot be used on {kind} field '{field}'")]
    OperatorNotSupported {
        op: String,
        field: String,
        kind: &'static str,
    },
    #[error("missing value after '{op}'")]
    MissingValue { op: String },
    #[error("'{value}' is not a valid {expected} for '{field}'")]
    BadValue {
        value: String,
        field: String,
        expected: &'static str,
    },
    #[error("unterminated string")]
    UnterminatedString,
    #[error("unknown escape sequence '\\{0}' (use '\\\\' for a backslash)")]
    BadEscape(char),
    #[error("unterminated '[' in field name")]
    UnterminatedBracket,
    #[error("expected '(' after '{op}': it takes a list such as (a, b)")]
    ExpectedList { op: String },
    #[error("expected ',' or ')' in list, found '{found}'")]
    BadListSeparator { found: String },
    #[error("'(' is never closed")]
    UnclosedParen,
    #[error("unmatched ')'")]
    UnmatchedParen,
    #[error("expected a condition, 'not' or '(', found {}", found_or_end(.found))]
    ExpectedCondition { found: Option<String> },
    #[error("unexpected '{found}' after a complete condition (expected 'and', 'or' or the end)")]
    Trailing { found: String },
    #[error("expression nested deeper than {0} levels")]
    TooDeep(usize),
}

fn hint(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean '{s}'?)"))
        .unwrap_or_default()
}

fn found_or_end(found: &Option<String>) -> String {
    match found {
        Some(token) => format!("'{token}'"),
        None => "the end of the expression".to_owned(),
    }
}

/// A rejected expression: the reason, and the byte offset of the offending token.
///
/// `Display` shows the 1-based column and the expression line with a caret under the
/// offending token:
///
/// ```text
/// filter error at column 18: unknown field 'proc.nmae' (did you mean 'proc.name'?)
///   proc.pid = 1 and proc.nmae = nginx
///                    ^
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// Byte offset (0-based) into the expression of the token the error is about.
    pub position: usize,
    pub kind: ErrorKind,
    expr: String,
}

impl FilterError {
    pub(crate) fn new(expr: &str, position: usize, kind: ErrorKind) -> FilterError {
        FilterError {
            position,
            kind,
            expr: expr.to_owned(),
        }
    }

    /// The reason, without the position.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }

    /// The expression that was rejected.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// 1-based (line, column) of the error, counting characters rather than bytes.
    pub fn line_column(&self) -> (usize, usize) {
        let before = &self.expr[..self.position];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        (line, before[line_start..].chars().count() + 1)
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, column) = self.line_column();
        if self.expr.contains('\n') {
            writeln!(
                f,
                "filter error at line {line}, column {column}: {}",
                self.kind
            )?;
        } else {
            writeln!(f, "filter error at column {column}: {}", self.kind)?;
        }
        let text = self.expr.lines().nth(line - 1).unwrap_or("");
        // Tabs are kept in the padding so the caret lines up however the terminal expands them.
        let padding: String = text
            .chars()
            .take(column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        writeln!(f, "  {text}")?;
        write!(f, "  {padding}^")
    }
}

impl std::error::Error for FilterError {}
