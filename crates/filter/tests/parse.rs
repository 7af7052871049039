//! Parser behaviour: precedence, lexing, canonical rendering, and every error with its position.

use kinsight_filter::{ErrorKind, Field, Filter};

fn parse(expr: &str) -> Filter {
    Filter::parse(expr).unwrap_or_else(|e| panic!("{expr:?} should parse:\n{e}"))
}

fn canonical(expr: &str) -> String {
    parse(expr).to_string()
}

fn error(expr: &str) -> (usize, ErrorKind) {
    match Filter::parse(expr) {
        Ok(filter) => panic!("{expr:?} should be rejected, parsed as {filter}"),
        Err(e) => (e.position, e.kind),
    }
}

#[test]
fn and_binds_tighter_than_or() {
    let mixed = parse("proc.name=a or proc.name=b and evt.type=open");
    assert_eq!(
        mixed,
        parse("proc.name=a or (proc.name=b and evt.type=open)")
    );
    assert_ne!(
        mixed,
        parse("(proc.name=a or proc.name=b) and evt.type=open")
    );
    assert_eq!(
        mixed.to_string(),
        "proc.name = a or (proc.name = b and evt.type = open)"
    );

    let mixed = parse("proc.name=a and proc.name=b or evt.type=open");
    assert_eq!(
        mixed,
        parse("(proc.name=a and proc.name=b) or evt.type=open")
    );
    assert_eq!(
        mixed.to_string(),
        "(proc.name = a and proc.name = b) or evt.type = open"
    );
}

#[test]
fn not_binds_tightest() {
    assert_eq!(
        parse("not proc.name=a and evt.type=open"),
        parse("(not proc.name=a) and evt.type=open")
    );
    assert_eq!(
        parse("not proc.name=a or evt.type=open"),
        parse("(not proc.name=a) or evt.type=open")
    );
    assert_eq!(
        canonical("not (proc.name=a or evt.type=open)"),
        "not (proc.name = a or evt.type = open)"
    );
    // Means `proc.name=a`; sysdig 0.29 would misread the doubled `not` unparenthesised.
    assert_eq!(canonical("not not proc.name=a"), "not (not proc.name = a)");
    assert_eq!(canonical("not(proc.name=a)"), "not proc.name = a");
}

#[test]
fn groups_of_one_connective_flatten() {
    let flat = parse("proc.name=a and proc.name=b and proc.name=c");
    assert_eq!(flat, parse("proc.name=a and (proc.name=b and proc.name=c)"));
    assert_eq!(
        flat,
        parse("((proc.name=a) and proc.name=b) and proc.name=c")
    );
    assert_eq!(canonical("((proc.name=a))"), "proc.name = a");
    assert_eq!(
        canonical("(proc.name=a or proc.name=b) and (evt.type=x or (evt.type=y or evt.type=z))"),
        "(proc.name = a or proc.name = b) and (evt.type = x or evt.type = y or evt.type = z)"
    );
}

#[test]
fn whitespace_is_optional_around_symbols() {
    let expected = "evt.type = read";
    for expr in [
        "evt.type=read",
        "evt.type =read",
        "evt.type= read",
        " \tevt.type\n=\r\nread  ",
    ] {
        assert_eq!(canonical(expr), expected, "{expr:?}");
    }
    assert_eq!(
        canonical("evt.type  in(read,write)"),
        "evt.type in (read, write)"
    );
    assert_eq!(
        canonical("evt.type=read and(proc.name=a)"),
        "evt.type = read and proc.name = a"
    );
    assert_eq!(
        canonical("evt.type=read and not(proc.name=a)"),
        "evt.type = read and not proc.name = a"
    );
    assert_eq!(
        canonical("(evt.type=read)or(evt.type=write)"),
        "evt.type = read or evt.type = write"
    );
}

#[test]
fn every_operator() {
    let cases = [
        ("proc.name=nginx", "proc.name = nginx"),
        ("proc.name==nginx", "proc.name = nginx"),
        ("proc.name!=nginx", "proc.name != nginx"),
        ("proc.name<nginx", "proc.name < nginx"),
        ("proc.name<=nginx", "proc.name <= nginx"),
        ("proc.name>nginx", "proc.name > nginx"),
        ("proc.name>=nginx", "proc.name >= nginx"),
        ("proc.pid<10", "proc.pid < 10"),
        ("proc.pid<=10", "proc.pid <= 10"),
        ("proc.pid>10", "proc.pid > 10"),
        ("proc.pid>=10", "proc.pid >= 10"),
        ("fd.name contains passwd", "fd.name contains passwd"),
        ("fd.name icontains PassWD", "fd.name icontains PassWD"),
        ("fd.name startswith /etc", "fd.name startswith /etc"),
        ("fd.name endswith .conf", "fd.name endswith .conf"),
        ("fd.name glob '/etc/*.conf'", "fd.name glob /etc/*.conf"),
        (
            "fd.name pmatch (/etc, /usr/lib)",
            "fd.name pmatch (/etc, /usr/lib)",
        ),
        (
            "evt.type in (open,openat , close)",
            "evt.type in (open, openat, close)",
        ),
        ("fd.name exists", "fd.name exists"),
        ("fd.sip = 10.0.0.0/8", "fd.sip = 10.0.0.0/8"),
        ("fd.sport in (http, 8080)", "fd.sport in (http, 8080)"),
        ("evt.failed = true", "evt.failed = true"),
    ];
    for (expr, expected) in cases {
        assert_eq!(canonical(expr), expected, "{expr:?}");
    }
}

#[test]
fn bare_values() {
    let cases = [
        ("fd.name=/etc/passwd", "/etc/passwd"),
        ("container.image=nginx:1.10", "nginx:1.10"),
        ("fd.sip=10.0.0.1", "10.0.0.1"),
        ("proc.pid=-1", "-1"),
        ("evt.dir=<", "<"),
        ("evt.dir = >", ">"),
        ("proc.args contains a=b", "a=b"),
        ("proc.name=nginx)", ""),
    ];
    for (expr, value) in &cases[..cases.len() - 1] {
        let rendered = canonical(expr);
        assert!(
            rendered.ends_with(&format!(" {value}")),
            "{expr:?} rendered as {rendered:?}"
        );
    }
    // A bare value stops at a parenthesis.
    assert_eq!(error("proc.name=nginx)").1, ErrorKind::UnmatchedParen);
    assert_eq!(canonical("(proc.name=nginx)"), "proc.name = nginx");
}

#[test]
fn quoted_values() {
    assert_eq!(
        parse(r#"proc.name = "php-fpm""#),
        parse("proc.name = php-fpm")
    );
    assert_eq!(parse("proc.name = 'php-fpm'"), parse("proc.name = php-fpm"));
    assert_eq!(
        canonical(r#"proc.cmdline contains "a b""#),
        r#"proc.cmdline contains "a b""#
    );
    assert_eq!(
        canonical(r#"proc.name = 'say "hi"'"#),
        r#"proc.name = "say \"hi\"""#
    );
    assert_eq!(canonical(r#"proc.name = "it's""#), r#"proc.name = "it's""#);
    assert_eq!(canonical(r#"proc.name = 'it\'s'"#), r#"proc.name = "it's""#);
    assert_eq!(
        canonical(r#"proc.name = "a\\b\tc\nd\re""#),
        r#"proc.name = "a\\b\tc\nd\re""#
    );
    assert_eq!(canonical(r#"proc.name = """#), r#"proc.name = """#);
    assert_eq!(canonical(r#"proc.name = "and""#), r#"proc.name = "and""#);
    assert_eq!(
        canonical(r#"proc.name in ("a,b", 'c)')"#),
        r#"proc.name in ("a,b", "c)")"#
    );
    assert_eq!(
        canonical("proc.name = \"héllo wörld\""),
        "proc.name = \"héllo wörld\""
    );
    assert_eq!(canonical(r#"proc.name = "(x)""#), r#"proc.name = "(x)""#);
}

#[test]
fn lists() {
    assert_eq!(canonical("proc.name in ()"), "proc.name in ()");
    assert_eq!(canonical("proc.name in (a,)"), "proc.name in (a)");
    assert_eq!(
        canonical("proc.name in ( a , 'b' ,\"c\" )"),
        "proc.name in (a, b, c)"
    );
    // Sets compare by content.
    assert_eq!(
        parse("proc.pid in (3, 1, 2, 1)"),
        parse("proc.pid in (1, 2, 3)")
    );
}

#[test]
fn label_fields() {
    let dotted = parse("k8s.pod.label.app = nginx");
    assert_eq!(dotted, parse("k8s.pod.label[app] = nginx"));
    assert_eq!(dotted, parse("k8s.pod.label[\"app\"]=nginx"));
    assert_eq!(dotted.fields(), vec![Field::PodLabel("app".into())]);
    assert_eq!(dotted.to_string(), "k8s.pod.label.app = nginx");
    assert_eq!(
        canonical("k8s.ns.label.app.kubernetes.io/name exists"),
        "k8s.ns.label.app.kubernetes.io/name exists"
    );
    assert_eq!(
        canonical("k8s.svc.label['a b']=x"),
        "k8s.svc.label[\"a b\"] = x"
    );
    assert_eq!(
        canonical("k8s.svc.label[\"a]b\"]=x"),
        "k8s.svc.label[\"a]b\"] = x"
    );
    assert!(matches!(
        error("k8s.svc.label[a b]=x"),
        (0, ErrorKind::UnknownField { .. })
    ));
    for family in ["k8s.rs", "k8s.rc", "k8s.deployment", "k8s.svc", "k8s.ns"] {
        parse(&format!("{family}.label.tier = web"));
    }
    parse("container.label.maintainer exists");
}

#[test]
fn fields_are_listed_once_in_order_of_use() {
    let filter = parse(
        "evt.type=open and (proc.name=a or fd.name exists) and not evt.type=close and proc.pid in (1)",
    );
    assert_eq!(
        filter.fields(),
        vec![
            Field::EvtType,
            Field::ProcName,
            Field::FdName,
            Field::ProcPid
        ]
    );
}

#[test]
fn expr_keeps_the_original_text() {
    let text = "  proc.name==nginx ";
    let filter: Filter = text.parse().unwrap();
    assert_eq!(filter.expr(), text);
    assert_eq!(filter.to_string(), "proc.name = nginx");
}

#[test]
fn numbers_compare_by_value() {
    assert_eq!(parse("proc.pid = 0x10"), parse("proc.pid = 16"));
    assert_eq!(parse("proc.pid = +16"), parse("proc.pid = 16"));
    assert_eq!(parse("fd.sport = http"), parse("fd.sport = 80"));
    parse("evt.num = 18446744073709551615");
    parse("proc.pid = -9223372036854775808");
}

// ---- errors ---------------------------------------------------------------------------------

#[test]
fn empty_expression() {
    assert_eq!(error(""), (0, ErrorKind::Empty));
    assert_eq!(error("  \n\t "), (0, ErrorKind::Empty));
}

#[test]
fn unknown_field() {
    let expr = "proc.pid = 1 and proc.nmae = nginx";
    let (position, kind) = error(expr);
    assert_eq!(position, 17);
    assert_eq!(
        kind,
        ErrorKind::UnknownField {
            name: "proc.nmae".into(),
            suggestion: Some("proc.name".into())
        }
    );
    let rendered = Filter::parse(expr).unwrap_err().to_string();
    assert_eq!(
        rendered,
        "filter error at column 18: unknown field 'proc.nmae' (did you mean 'proc.name'?)\n\
         \x20 proc.pid = 1 and proc.nmae = nginx\n\
         \x20                  ^"
    );
    assert_eq!(
        error("bogus = 1"),
        (
            0,
            ErrorKind::UnknownField {
                name: "bogus".into(),
                suggestion: None
            }
        )
    );
    assert!(matches!(
        error("k8s.pod.label = x"),
        (0, ErrorKind::UnknownField { .. })
    ));
    assert!(matches!(error("AND"), (0, ErrorKind::UnknownField { .. })));
}

#[test]
fn missing_operator() {
    let missing = ErrorKind::MissingOperator {
        field: "proc.name".into(),
    };
    assert_eq!(error("proc.name"), (9, missing.clone()));
    assert_eq!(error("proc.name and evt.type=open"), (10, missing.clone()));
    assert_eq!(error("(proc.name)"), (10, missing.clone()));
    assert_eq!(error("proc.name fd.name = x"), (10, missing));
}

#[test]
fn unknown_operator() {
    assert_eq!(
        error("proc.name foo x"),
        (
            10,
            ErrorKind::UnknownOperator {
                found: "foo".into()
            }
        )
    );
    assert_eq!(
        error("proc.name ! x"),
        (10, ErrorKind::UnknownOperator { found: "!".into() })
    );
    assert_eq!(
        error("proc.name containsx y"),
        (
            10,
            ErrorKind::UnknownOperator {
                found: "containsx".into()
            }
        )
    );
    assert_eq!(
        error("proc.name CONTAINS y"),
        (
            10,
            ErrorKind::UnknownOperator {
                found: "CONTAINS".into()
            }
        )
    );
}

#[test]
fn operator_not_supported_by_field_kind() {
    let cases = [
        ("proc.pid contains 1", 9, "contains"),
        ("proc.pid startswith 1", 9, "startswith"),
        ("fd.sport glob 8*", 9, "glob"),
        ("fd.sip startswith 10.", 7, "startswith"),
        ("fd.sip pmatch (10.0.0.1)", 7, "pmatch"),
        ("evt.failed < true", 11, "<"),
        ("evt.is_io icontains t", 10, "icontains"),
    ];
    for (expr, position, op) in cases {
        let (at, kind) = error(expr);
        assert_eq!(at, position, "{expr:?}");
        assert!(
            matches!(&kind, ErrorKind::OperatorNotSupported { op: o, .. } if o == op),
            "{expr:?}: {kind:?}"
        );
    }
}

#[test]
fn missing_value() {
    let missing = |op: &str| ErrorKind::MissingValue { op: op.into() };
    assert_eq!(error("proc.name ="), (11, missing("=")));
    assert_eq!(error("proc.name = "), (12, missing("=")));
    assert_eq!(
        error("proc.name contains and evt.type=x"),
        (19, missing("contains"))
    );
    assert_eq!(error("(proc.name = )"), (13, missing("=")));
    assert_eq!(error("proc.name in (a, , b)"), (17, missing("in")));
    assert_eq!(error("proc.name = (a)"), (12, missing("=")));
}

#[test]
fn bad_values_for_typed_fields() {
    let cases = [
        ("proc.pid = abc", 11, "abc"),
        ("proc.pid = 1e3", 11, "1e3"),
        ("proc.pid = 9223372036854775808", 11, "9223372036854775808"),
        ("evt.num = -1", 10, "-1"),
        ("fd.sport = 65536", 11, "65536"),
        ("fd.sport > gopher", 11, "gopher"),
        ("fd.sip = 10.0.0.300", 9, "10.0.0.300"),
        ("fd.sip = 10.0.0.0/33", 9, "10.0.0.0/33"),
        ("fd.sip > 10.0.0.0/8", 9, "10.0.0.0/8"),
        ("evt.failed = yes", 13, "yes"),
        ("evt.failed = TRUE", 13, "TRUE"),
        ("proc.pid in (1, x, 3)", 16, "x"),
        ("proc.pid = 'abc'", 11, "abc"),
    ];
    for (expr, position, value) in cases {
        let (at, kind) = error(expr);
        assert_eq!(at, position, "{expr:?}");
        assert!(
            matches!(&kind, ErrorKind::BadValue { value: v, .. } if v == value),
            "{expr:?}: {kind:?}"
        );
    }
    assert_eq!(
        Filter::parse("proc.pid = abc").unwrap_err().message(),
        "'abc' is not a valid integer for 'proc.pid'"
    );
}

#[test]
fn unterminated_string() {
    assert_eq!(
        error(r#"proc.name = "abc"#),
        (12, ErrorKind::UnterminatedString)
    );
    assert_eq!(
        error("proc.name = 'abc"),
        (12, ErrorKind::UnterminatedString)
    );
    assert_eq!(
        error(r#"proc.name = "abc\"#),
        (12, ErrorKind::UnterminatedString)
    );
    assert_eq!(
        error(r#"proc.name in ("a", "b)"#),
        (19, ErrorKind::UnterminatedString)
    );
}

#[test]
fn bad_escape() {
    assert_eq!(
        error(r#"proc.name = "a\qb""#),
        (14, ErrorKind::BadEscape('q'))
    );
}

#[test]
fn unbalanced_parentheses() {
    assert_eq!(error("(proc.name=x"), (0, ErrorKind::UnclosedParen));
    assert_eq!(
        error("evt.type=a and ((proc.name=x) or fd.num=1"),
        (15, ErrorKind::UnclosedParen)
    );
    assert_eq!(error("proc.name=x)"), (11, ErrorKind::UnmatchedParen));
    assert_eq!(error("(proc.name=x))"), (13, ErrorKind::UnmatchedParen));
    assert_eq!(error("proc.name in (a, b"), (13, ErrorKind::UnclosedParen));
    assert_eq!(
        error("k8s.pod.label[app = x"),
        (13, ErrorKind::UnterminatedBracket)
    );
    assert_eq!(
        error("k8s.pod.label[\"app] = x"),
        (13, ErrorKind::UnterminatedBracket)
    );
}

#[test]
fn in_without_a_list() {
    assert_eq!(
        error("evt.type in read"),
        (12, ErrorKind::ExpectedList { op: "in".into() })
    );
    assert_eq!(
        error("evt.type in"),
        (11, ErrorKind::ExpectedList { op: "in".into() })
    );
    assert_eq!(
        error("fd.name pmatch /etc"),
        (
            15,
            ErrorKind::ExpectedList {
                op: "pmatch".into()
            }
        )
    );
    assert_eq!(
        error("proc.name in (curl bash)"),
        (
            19,
            ErrorKind::BadListSeparator {
                found: "bash".into()
            }
        )
    );
}

#[test]
fn trailing_garbage() {
    let trailing = |found: &str| ErrorKind::Trailing {
        found: found.into(),
    };
    assert_eq!(
        error("evt.type=read evt.type=write"),
        (14, trailing("evt.type"))
    );
    assert_eq!(error("proc.name exists x"), (17, trailing("x")));
    assert_eq!(error("proc.name exists = 3"), (17, trailing("=")));
    assert_eq!(error("proc.name in (a) x"), (17, trailing("x")));
    assert_eq!(error(r#"proc.name = "a"b"#), (15, trailing("b")));
    assert_eq!(
        error("proc.name = a AND evt.type = b"),
        (14, trailing("AND"))
    );
    assert_eq!(
        error("proc.name = a andnot evt.type = b"),
        (14, trailing("andnot"))
    );
    assert_eq!(error("(proc.name = a b)"), (15, trailing("b")));
    assert_eq!(error("proc.name = a, b"), (13, trailing(",")));
}

#[test]
fn dangling_connectives() {
    let expected = |found: Option<&str>| ErrorKind::ExpectedCondition {
        found: found.map(Into::into),
    };
    assert_eq!(error("not"), (3, expected(None)));
    assert_eq!(error("evt.type=read and"), (17, expected(None)));
    assert_eq!(error("evt.type=read or "), (17, expected(None)));
    assert_eq!(error("and evt.type=read"), (0, expected(Some("and"))));
    assert_eq!(
        error("evt.type=read and or x=1"),
        (18, expected(Some("or")))
    );
    assert_eq!(error("()"), (1, expected(Some(")"))));
    assert_eq!(error("= 3"), (0, expected(Some("="))));
}

#[test]
fn nesting_is_bounded() {
    let deep = format!("{}proc.name=a{}", "(".repeat(500), ")".repeat(500));
    assert_eq!(error(&deep), (100, ErrorKind::TooDeep(100)));
    let nots = format!("{}proc.name=a", "not ".repeat(500));
    assert!(matches!(error(&nots).1, ErrorKind::TooDeep(_)));
    let fine = format!("{}proc.name=a{}", "(".repeat(50), ")".repeat(50));
    parse(&fine);
}

#[test]
fn error_display_counts_characters_and_lines() {
    let e = Filter::parse("proc.name = \"ünïcode\" and bad.field = 1").unwrap_err();
    assert_eq!(e.position, 28);
    assert_eq!(e.line_column(), (1, 27));
    assert!(e
        .to_string()
        .starts_with("filter error at column 27: unknown field 'bad.field'"));
    assert!(e.to_string().ends_with(&format!("\n  {}^", " ".repeat(26))));

    let e = Filter::parse("proc.name = a and\n\tnot bad.field = 1").unwrap_err();
    assert_eq!(e.line_column(), (2, 6));
    assert_eq!(
        e.to_string(),
        "filter error at line 2, column 6: unknown field 'bad.field'\n  \tnot bad.field = 1\n  \t    ^"
    );

    let e = Filter::parse("proc.name").unwrap_err();
    assert_eq!(
        e.to_string(),
        "filter error at column 10: expected an operator after 'proc.name'\n  proc.name\n           ^"
    );
}
