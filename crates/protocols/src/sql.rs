//! SQL statements as a view shows them: literals replaced by `?`, whitespace collapsed, and
//! the statement kind (the first keyword) as the operation.
//!
//! Replacing literals keeps the set of targets small (one line per statement shape, not
//! per value) and keeps values users put in queries out of the views.

use crate::MAX_TEXT;

/// The statement's first keyword, upper-cased (`SELECT`, `INSERT`, `BEGIN`), or `QUERY`
/// when it starts with something else.
pub fn statement_kind(stmt: &str) -> String {
    let word: String = skip_comments(stmt).chars().take_while(|c| c.is_ascii_alphabetic()).take(16).collect();
    if word.is_empty() {
        "QUERY".to_string()
    } else {
        word.to_ascii_uppercase()
    }
}

/// Leading whitespace and comments (`-- …` lines and `/* … */` blocks) off.
fn skip_comments(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("--") {
            s = rest.find('\n').map_or("", |i| &rest[i + 1..]);
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.find("*/").map_or("", |i| &rest[i + 2..]);
        } else {
            return s;
        }
    }
}

/// The statement with every string, number and `$n` / `:name`-free placeholder turned into
/// `?`, runs of whitespace as one space, at most [`MAX_TEXT`] bytes. Quoted identifiers
/// (`"t"`, `` `t` ``) are names, not literals, and stay.
pub fn normalize(stmt: &str) -> String {
    let b = stmt.as_bytes();
    let mut out = String::with_capacity(stmt.len().min(MAX_TEXT));
    let mut i = 0;
    let mut last: u8 = b' ';
    while i < b.len() && out.len() < MAX_TEXT {
        let c = b[i];
        if c.is_ascii_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            i += 1;
            continue;
        }
        let starts_number = c.is_ascii_digit() && !is_word(last);
        let signed_number = c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit) && (b"=<>+-*/(,".contains(&last) || out.trim_end().ends_with(|ch: char| "=<>+-*/(,".contains(ch)) || out.is_empty());
        if c == b'\'' || ((c == b'E' || c == b'e' || c == b'N' || c == b'n' || c == b'X' || c == b'x') && b.get(i + 1) == Some(&b'\'') && !is_word(last)) {
            // A string: up to its closing quote, `''` and backslash escapes inside.
            i += if c == b'\'' { 1 } else { 2 };
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 2,
                    b'\'' if b.get(i + 1) == Some(&b'\'') => i += 2,
                    b'\'' => {
                        i += 1;
                        break;
                    }
                    _ => i += 1,
                }
            }
            push_literal(&mut out);
            last = b'?';
        } else if starts_number || signed_number {
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            push_literal(&mut out);
            last = b'?';
        } else if c == b'$' && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            push_literal(&mut out);
            last = b'?';
        } else if c == b'"' || c == b'`' {
            // A quoted name: kept as written.
            let end = b[i + 1..].iter().position(|&x| x == c).map_or(b.len(), |p| i + 2 + p);
            out.push_str(&String::from_utf8_lossy(&b[i..end]));
            last = c;
            i = end;
        } else {
            // One character (UTF-8 sequences whole).
            let len = utf8_len(c);
            let end = (i + len).min(b.len());
            out.push_str(&String::from_utf8_lossy(&b[i..end]));
            last = c;
            i = end;
        }
    }
    while out.len() > MAX_TEXT {
        out.pop();
    }
    let trimmed = out.trim_end().trim_end_matches(';').trim_end();
    trimmed.to_string()
}

fn push_literal(out: &mut String) {
    out.push('?');
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_become_placeholders() {
        assert_eq!(normalize("UPDATE pgbench_accounts SET abalance = abalance + -2358 WHERE aid = 40215;"), "UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?");
        assert_eq!(normalize("SELECT * FROM t WHERE name = 'O''Brien' AND x IN (1, 2.5, 3e4)"), "SELECT * FROM t WHERE name = ? AND x IN (?, ?, ?)");
        assert_eq!(normalize("select  a1,\n\t\"Col 2\" from t2 where b = $1"), "select a1, \"Col 2\" from t2 where b = $1".replace("$1", "?"));
        assert_eq!(normalize("INSERT INTO t VALUES (E'a\\'b', x'ff', -1)"), "INSERT INTO t VALUES (?, ?, ?)");
        assert_eq!(normalize("SELECT a-1 FROM t"), "SELECT a-? FROM t");
        // Unterminated strings and stray bytes end the statement, never panic.
        assert_eq!(normalize("SELECT 'abc"), "SELECT ?");
        assert_eq!(normalize("SELECT \"abc"), "SELECT \"abc");
    }

    #[test]
    fn kinds() {
        assert_eq!(statement_kind("  select 1"), "SELECT");
        assert_eq!(statement_kind("/* x */ -- y\nBEGIN"), "BEGIN");
        assert_eq!(statement_kind("(SELECT 1)"), "QUERY");
    }
}
