//! Shell-style wildcards for the `glob` operator, with `fnmatch(3)` semantics and no flags:
//! `*` and `?` also match `/`, and a leading `.` is not special.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    tokens: Box<[Token]>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    AnyChar,
    AnyRun,
    Class {
        negated: bool,
        ranges: Box<[(char, char)]>,
    },
}

impl Token {
    fn matches(&self, c: char) -> bool {
        match self {
            Token::Literal(l) => *l == c,
            Token::AnyChar => true,
            Token::Class { negated, ranges } => {
                ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
            }
            Token::AnyRun => unreachable!("runs are handled by the matcher"),
        }
    }
}

impl Glob {
    pub(crate) fn new(pattern: &str) -> Glob {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            let token = match chars[i] {
                '*' => {
                    // Consecutive stars match the same as one and would only slow backtracking.
                    if tokens.last() == Some(&Token::AnyRun) {
                        i += 1;
                        continue;
                    }
                    Token::AnyRun
                }
                '?' => Token::AnyChar,
                '\\' if i + 1 < chars.len() => {
                    i += 1;
                    Token::Literal(chars[i])
                }
                '[' => match parse_class(&chars[i + 1..]) {
                    Some((token, used)) => {
                        i += used;
                        token
                    }
                    // An unclosed bracket is an ordinary character, as in fnmatch.
                    None => Token::Literal('['),
                },
                c => Token::Literal(c),
            };
            tokens.push(token);
            i += 1;
        }
        Glob {
            tokens: tokens.into(),
        }
    }

    /// Iterative matcher: on a mismatch, retry from the last `*` consuming one more character.
    /// This only ever backtracks to the latest star, so it runs in O(pattern × text).
    pub(crate) fn matches(&self, text: &str) -> bool {
        let tokens = &self.tokens;
        let (mut ti, mut si) = (0, 0);
        let mut resume: Option<(usize, usize)> = None;
        loop {
            if let Some(token) = tokens.get(ti) {
                if *token == Token::AnyRun {
                    resume = Some((ti + 1, si));
                    ti += 1;
                    continue;
                }
                if let Some(c) = text[si..].chars().next() {
                    if token.matches(c) {
                        ti += 1;
                        si += c.len_utf8();
                        continue;
                    }
                }
            } else if si == text.len() {
                return true;
            }
            match resume {
                Some((star_ti, star_si)) if star_si < text.len() => {
                    let skipped = text[star_si..].chars().next().map_or(1, char::len_utf8);
                    resume = Some((star_ti, star_si + skipped));
                    ti = star_ti;
                    si = star_si + skipped;
                }
                _ => return false,
            }
        }
    }
}

/// Parses the inside of `[...]` (after the `[`); returns the token and how many characters
/// it used including the closing `]`, or `None` if the bracket is never closed.
fn parse_class(chars: &[char]) -> Option<(Token, usize)> {
    let mut i = 0;
    let negated = matches!(chars.first(), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(i)?;
        // A `]` right after the opening bracket is a member, not the end.
        if c == ']' && !first {
            return Some((
                Token::Class {
                    negated,
                    ranges: ranges.into(),
                },
                i + 1,
            ));
        }
        first = false;
        match (chars.get(i + 1), chars.get(i + 2)) {
            (Some('-'), Some(&hi)) if hi != ']' => {
                ranges.push((c, hi));
                i += 3;
            }
            _ => {
                ranges.push((c, c));
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    fn glob(pattern: &str, text: &str) -> bool {
        Glob::new(pattern).matches(text)
    }

    #[test]
    fn wildcards() {
        assert!(glob("*", ""));
        assert!(glob("*", "anything/at/all"));
        assert!(glob("php*", "php-fpm"));
        assert!(!glob("php*", "xphp"));
        assert!(glob("*fpm", "php-fpm"));
        assert!(glob("p?p-*", "php-fpm"));
        assert!(!glob("p?p", "pp"));
        assert!(glob("/etc/*.conf", "/etc/nginx/nginx.conf"));
        assert!(glob("a*b*c", "aXXbYYbZc"));
        assert!(!glob("a*b*c", "aXXbYYbZ"));
        assert!(glob("**a", "bba"));
        assert!(glob("é?", "éü"));
    }

    #[test]
    fn classes_and_escapes() {
        assert!(glob("[abc]x", "bx"));
        assert!(!glob("[abc]x", "dx"));
        assert!(glob("[a-z][0-9]", "q7"));
        assert!(glob("[!a-z]", "Q"));
        assert!(!glob("[^a-z]", "q"));
        assert!(glob("[]]", "]"));
        assert!(glob("[a-]", "-"));
        assert!(glob("[", "["));
        assert!(glob("a[", "a["));
        assert!(glob("\\*", "*"));
        assert!(!glob("\\*", "x"));
        assert!(glob("x\\", "x\\"));
    }

    #[test]
    fn long_inputs_do_not_blow_up() {
        let text = "a".repeat(10_000);
        assert!(!glob("*a*a*a*a*a*b", &text));
    }
}
