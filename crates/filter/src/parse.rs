//! Recursive-descent parser producing the compiled tree directly, so that type errors are
//! reported with the position of the literal that caused them.
//!
//! Grammar (precedence from loosest to tightest: `or`, `and`, `not`):
//!
//! ```text
//! expr      := and ('or' and)*
//! and       := unary ('and' unary)*
//! unary     := 'not' unary | primary
//! primary   := '(' expr ')' | condition
//! condition := FIELD 'exists'
//!            | FIELD ('in' | 'pmatch') '(' [value (',' value)* [',']] ')'
//!            | FIELD OP value
//! value     := QUOTED | BARE
//! ```
//!
//! Lexing depends on position: a field name stops at operator characters (`proc.name=x`),
//! while a bare value may contain them (`evt.dir = <`, `proc.args contains a=b`).

use crate::error::{ErrorKind, FilterError};
use crate::glob::Glob;
use crate::literal::{parse_bool, parse_int, parse_port, IpNet};
use crate::tree::{Cmp, Node, Op, Test};
use crate::{Field, FieldKind};

/// Deep enough for any hand-written filter, shallow enough that neither parsing, rendering nor
/// dropping the tree can exhaust the stack.
const MAX_DEPTH: usize = 100;

/// Where (byte offset) and why parsing failed; `parse` ties it to the expression text.
type Failure = (usize, ErrorKind);
type Result<T> = std::result::Result<T, Failure>;

pub(crate) fn parse(expr: &str) -> std::result::Result<Node, FilterError> {
    let mut parser = Parser {
        src: expr,
        pos: 0,
        depth: 0,
    };
    let failed = |(position, kind)| FilterError::new(expr, position, kind);
    parser.expression().map_err(failed)
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
}

/// A literal as written: where it starts and its unescaped text.
struct Literal {
    pos: usize,
    text: String,
}

impl<'a> Parser<'a> {
    fn expression(&mut self) -> Result<Node> {
        self.skip_ws();
        if self.at_end() {
            return Err((0, ErrorKind::Empty));
        }
        let node = self.or()?;
        self.skip_ws();
        match self.peek() {
            None => Ok(node),
            Some(')') => Err((self.pos, ErrorKind::UnmatchedParen)),
            Some(_) => Err(self.unexpected()),
        }
    }

    fn or(&mut self) -> Result<Node> {
        let mut items = vec![self.and()?];
        while self.eat_keyword("or") {
            items.push(self.and()?);
        }
        Ok(group(items, Connective::Or))
    }

    fn and(&mut self) -> Result<Node> {
        let mut items = vec![self.unary()?];
        while self.eat_keyword("and") {
            items.push(self.unary()?);
        }
        Ok(group(items, Connective::And))
    }

    fn unary(&mut self) -> Result<Node> {
        self.skip_ws();
        let start = self.pos;
        if self.eat_keyword("not") {
            self.descend(start)?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            None => Err((start, ErrorKind::ExpectedCondition { found: None })),
            Some('(') => {
                self.descend(start)?;
                self.pos += 1;
                let inner = self.or()?;
                self.skip_ws();
                match self.peek() {
                    Some(')') => self.pos += 1,
                    None => return Err((start, ErrorKind::UnclosedParen)),
                    Some(_) => return Err(self.unexpected()),
                }
                self.depth -= 1;
                Ok(inner)
            }
            Some(_) => {
                let name = self.field_word()?;
                if name.is_empty() || matches!(name, "and" | "or") {
                    let found = Some(self.token_at(start));
                    return Err((start, ErrorKind::ExpectedCondition { found }));
                }
                self.condition(start, name)
            }
        }
    }

    fn condition(&mut self, field_pos: usize, name: &str) -> Result<Node> {
        let Some(field) = Field::parse(name) else {
            let suggestion = Field::suggest(name);
            let name = name.to_owned();
            return Err((field_pos, ErrorKind::UnknownField { name, suggestion }));
        };
        self.skip_ws();
        let op_pos = self.pos;
        let op = self.operator(name)?;
        check_operator(&field, op).map_err(|kind| (op_pos, kind))?;
        if op == Op::Exists {
            return Ok(Node::Exists(field));
        }
        let literals = if op.takes_list() {
            self.list(op)?
        } else {
            vec![self.value(op)?]
        };
        let test = compile(&field, op, &literals)?;
        let literals = literals.into_iter().map(|literal| literal.text).collect();
        Ok(Node::Cmp(Box::new(Cmp {
            field,
            op,
            literals,
            negate: op == Op::Ne,
            test,
        })))
    }

    fn operator(&mut self, field: &str) -> Result<Op> {
        let start = self.pos;
        let missing = || {
            (
                start,
                ErrorKind::MissingOperator {
                    field: field.into(),
                },
            )
        };
        let unknown = |found: &str| {
            (
                start,
                ErrorKind::UnknownOperator {
                    found: found.into(),
                },
            )
        };
        let rest = &self.src[start..];
        if rest.starts_with(['=', '!', '<', '>']) {
            let symbol = ["==", "!=", "<=", ">=", "=", "<", ">"]
                .into_iter()
                .find(|symbol| rest.starts_with(symbol))
                .ok_or_else(|| unknown("!"))?;
            self.pos += symbol.len();
            return Ok(Op::from_symbol(symbol).expect("symbol list holds known operators"));
        }
        let word = self.field_word()?;
        match Op::from_symbol(word) {
            Some(op) => Ok(op),
            // `proc.name)`, `proc.name and ...`, `proc.name fd.name = x`: no operator at all.
            None if word.is_empty() || is_keyword(word) || Field::parse(word).is_some() => {
                Err(missing())
            }
            None => Err(unknown(word)),
        }
    }

    fn value(&mut self, op: Op) -> Result<Literal> {
        self.skip_ws();
        let start = self.pos;
        let missing = || {
            (
                start,
                ErrorKind::MissingValue {
                    op: op.symbol().into(),
                },
            )
        };
        match self.peek() {
            None | Some('(' | ')' | ',') => Err(missing()),
            Some(quote @ ('"' | '\'')) => self.quoted(quote),
            Some(_) => {
                let end = self.src[start..]
                    .find(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | '"' | '\''))
                    .map_or(self.src.len(), |len| start + len);
                let text = &self.src[start..end];
                // A keyword here means the value was forgotten (`proc.name = and ...`);
                // quoting it makes it a value.
                if is_keyword(text) {
                    return Err(missing());
                }
                self.pos = end;
                Ok(Literal {
                    pos: start,
                    text: text.to_owned(),
                })
            }
        }
    }

    fn quoted(&mut self, quote: char) -> Result<Literal> {
        let start = self.pos;
        let mut text = String::new();
        let mut chars = self.src[start + 1..].char_indices();
        while let Some((offset, c)) = chars.next() {
            match c {
                '\\' => {
                    let unescaped = match chars.next() {
                        Some((_, 'n')) => '\n',
                        Some((_, 't')) => '\t',
                        Some((_, 'r')) => '\r',
                        Some((_, c @ ('\\' | '"' | '\''))) => c,
                        Some((_, c)) => return Err((start + 1 + offset, ErrorKind::BadEscape(c))),
                        None => break,
                    };
                    text.push(unescaped);
                }
                c if c == quote => {
                    self.pos = start + 1 + offset + 1;
                    return Ok(Literal { pos: start, text });
                }
                c => text.push(c),
            }
        }
        Err((start, ErrorKind::UnterminatedString))
    }

    fn list(&mut self, op: Op) -> Result<Vec<Literal>> {
        self.skip_ws();
        let open = self.pos;
        if self.peek() != Some('(') {
            return Err((
                open,
                ErrorKind::ExpectedList {
                    op: op.symbol().into(),
                },
            ));
        }
        self.pos += 1;
        let mut items = Vec::new();
        // Like sysdig, accept an empty list (it never matches) and a trailing comma.
        loop {
            self.skip_ws();
            match self.peek() {
                Some(')') => break,
                None => return Err((open, ErrorKind::UnclosedParen)),
                _ => {}
            }
            items.push(self.value(op)?);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => break,
                None => return Err((open, ErrorKind::UnclosedParen)),
                Some(_) => {
                    let found = self.token_at(self.pos);
                    return Err((self.pos, ErrorKind::BadListSeparator { found }));
                }
            }
        }
        self.pos += 1;
        Ok(items)
    }

    /// A run of characters that can form a field name, keyword or word operator. A `[`
    /// opens a label key that runs to the next `]`, or, when quoted, to the closing quote
    /// (`k8s.pod.label["a]b"]`); the key's validity is `Field::parse`'s business.
    fn field_word(&mut self) -> Result<&'a str> {
        let start = self.pos;
        let mut chars = self.src[start..].char_indices().peekable();
        let mut end = self.src.len();
        while let Some((offset, c)) = chars.next() {
            if c == '[' {
                let closing = match chars.peek() {
                    Some(&(_, quote @ ('"' | '\''))) => {
                        chars.next();
                        quote
                    }
                    _ => ']',
                };
                if !chars.any(|(_, c)| c == closing) {
                    return Err((start + offset, ErrorKind::UnterminatedBracket));
                }
            } else if is_word_delimiter(c) {
                end = start + offset;
                break;
            }
        }
        self.pos = end;
        Ok(&self.src[start..end])
    }

    /// Consumes `keyword` if it is the next whole word.
    fn eat_keyword(&mut self, keyword: &str) -> bool {
        self.skip_ws();
        let rest = &self.src[self.pos..];
        let whole_word = rest
            .strip_prefix(keyword)
            .is_some_and(|after| after.chars().next().is_none_or(is_word_delimiter));
        if whole_word {
            self.pos += keyword.len();
        }
        whole_word
    }

    fn descend(&mut self, pos: usize) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err((pos, ErrorKind::TooDeep(MAX_DEPTH)));
        }
        Ok(())
    }

    /// A complete condition followed by something other than a connective.
    fn unexpected(&self) -> Failure {
        (
            self.pos,
            ErrorKind::Trailing {
                found: self.token_at(self.pos),
            },
        )
    }

    /// The token starting at `pos`, for error messages.
    fn token_at(&self, pos: usize) -> String {
        let rest = &self.src[pos..];
        let Some(first) = rest.chars().next() else {
            return String::new();
        };
        if is_word_delimiter(first) {
            return first.to_string();
        }
        let word = rest.split(is_word_delimiter).next().unwrap_or(rest);
        match word.char_indices().nth(40) {
            Some((cut, _)) => format!("{}...", &word[..cut]),
            None => word.to_owned(),
        }
    }

    fn skip_ws(&mut self) {
        let rest = &self.src[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn at_end(&self) -> bool {
        self.pos == self.src.len()
    }
}

fn is_keyword(word: &str) -> bool {
    matches!(word, "and" | "or" | "not")
}

pub(crate) fn is_word_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | ',' | '=' | '!' | '<' | '>' | '"' | '\'')
}

#[derive(Clone, Copy)]
enum Connective {
    And,
    Or,
}

/// Builds an `and`/`or` node, flattening operands of the same connective and unwrapping a
/// single operand, so equivalent spellings produce identical trees.
fn group(mut items: Vec<Node>, connective: Connective) -> Node {
    if items.len() == 1 {
        return items.pop().expect("one item");
    }
    let mut flat = Vec::with_capacity(items.len());
    for item in items {
        match (connective, item) {
            (Connective::And, Node::And(inner)) | (Connective::Or, Node::Or(inner)) => {
                flat.extend(inner)
            }
            (_, item) => flat.push(item),
        }
    }
    match connective {
        Connective::And => Node::And(flat),
        Connective::Or => Node::Or(flat),
    }
}

/// Which operators make sense on which kind of field. Text takes everything (sysdig compares
/// text with `<` bytewise); numbers and addresses take equality, ordering and `in`; booleans
/// only equality and `in`.
fn check_operator(field: &Field, op: Op) -> std::result::Result<(), ErrorKind> {
    let kind = field.kind();
    let allowed = match op {
        Op::Exists | Op::Eq | Op::Ne | Op::In => true,
        Op::Lt | Op::Le | Op::Gt | Op::Ge => kind != FieldKind::Bool,
        Op::Contains | Op::IContains | Op::StartsWith | Op::EndsWith | Op::Glob | Op::Pmatch => {
            kind == FieldKind::Str
        }
    };
    if allowed {
        return Ok(());
    }
    Err(ErrorKind::OperatorNotSupported {
        op: op.symbol().to_owned(),
        field: field.name(),
        kind: kind.describe(),
    })
}

fn compile(field: &Field, op: Op, literals: &[Literal]) -> Result<Test> {
    let kind = field.kind();
    let bad = |literal: &Literal, expected| {
        let (value, field) = (literal.text.clone(), field.name());
        (
            literal.pos,
            ErrorKind::BadValue {
                value,
                field,
                expected,
            },
        )
    };
    let single = || &literals[0];
    let text = || single().text.as_str().into();
    Ok(match kind {
        FieldKind::Str => match op {
            Op::Eq | Op::Ne => Test::StrEq(text()),
            Op::Contains => Test::Contains(text()),
            Op::IContains => Test::IContains(single().text.to_ascii_lowercase().into()),
            Op::StartsWith => Test::StartsWith(text()),
            Op::EndsWith => Test::EndsWith(text()),
            Op::Glob => Test::Glob(Glob::new(&single().text)),
            Op::In => {
                let mut set: Vec<Box<str>> =
                    literals.iter().map(|l| l.text.as_str().into()).collect();
                set.sort_unstable();
                set.dedup();
                Test::StrIn(set.into())
            }
            Op::Pmatch => Test::Pmatch(
                literals
                    .iter()
                    .map(|l| l.text.trim_end_matches('/').into())
                    .collect(),
            ),
            _ => Test::StrRel(op.relation().expect("ordering operator"), text()),
        },
        FieldKind::Int | FieldKind::Uint | FieldKind::Port => {
            let (range, expected) = match kind {
                FieldKind::Int => (i128::from(i64::MIN)..=i128::from(i64::MAX), "integer"),
                FieldKind::Uint => (0..=i128::from(u64::MAX), "unsigned integer"),
                _ => (0..=i128::from(u16::MAX), "port number or service name"),
            };
            let number = |literal: &Literal| {
                let parsed = if kind == FieldKind::Port {
                    parse_port(&literal.text)
                } else {
                    parse_int(&literal.text)
                };
                parsed
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| bad(literal, expected))
            };
            match op {
                Op::Eq | Op::Ne => Test::NumEq(number(single())?),
                Op::In => {
                    let mut set = literals.iter().map(number).collect::<Result<Vec<_>>>()?;
                    set.sort_unstable();
                    set.dedup();
                    Test::NumIn(set.into())
                }
                _ => Test::NumRel(op.relation().expect("ordering operator"), number(single())?),
            }
        }
        FieldKind::Ip => {
            let net = |literal: &Literal| {
                IpNet::parse(&literal.text).ok_or_else(|| bad(literal, "IP address or CIDR block"))
            };
            match op.relation() {
                Some(rel) => {
                    let addr = net(single())?;
                    if !addr.is_single() {
                        return Err(bad(single(), "single IP address"));
                    }
                    Test::IpRel(rel, addr.addr())
                }
                None => Test::IpIn(literals.iter().map(net).collect::<Result<Vec<_>>>()?.into()),
            }
        }
        FieldKind::Bool => {
            let (mut when_true, mut when_false) = (false, false);
            for literal in literals {
                match parse_bool(&literal.text) {
                    Some(true) => when_true = true,
                    Some(false) => when_false = true,
                    None => return Err(bad(literal, "boolean (true or false)")),
                }
            }
            Test::Bool {
                when_true,
                when_false,
            }
        }
    })
}
