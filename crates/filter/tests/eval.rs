//! Evaluation semantics against a small in-test field source.

use std::borrow::Cow;
use std::net::IpAddr;

use kinsight_filter::{Field, FieldSource, Filter, Value};

/// An event as a list of field values; fields not listed are missing ("<NA>").
#[derive(Default)]
struct Event(Vec<(Field, Value<'static>)>);

impl Event {
    fn with(mut self, name: &str, value: impl Into<Value<'static>>) -> Event {
        let field = Field::parse(name).unwrap_or_else(|| panic!("no field {name}"));
        self.0.push((field, value.into()));
        self
    }
}

impl FieldSource for Event {
    fn value(&self, field: &Field) -> Option<Value<'_>> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.clone())
    }
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn nginx() -> Event {
    Event::default()
        .with("evt.type", "read")
        .with("evt.dir", "<")
        .with("evt.num", 1234u64)
        .with("evt.res", "SUCCESS")
        .with("evt.failed", false)
        .with("evt.is_io", true)
        .with("proc.name", "nginx")
        .with("proc.pid", 42i64)
        .with("proc.cmdline", "nginx -g daemon off;")
        .with("fd.num", 7i64)
        .with("fd.name", "/etc/nginx/Nginx.conf")
        .with("fd.sip", ip("10.1.2.3"))
        .with("fd.sport", 80u64)
        .with("fd.cip", ip("2001:db8::1"))
        .with("container.image", "nginx:1.10")
        .with("k8s.pod.label.app", "web")
}

#[track_caller]
fn check(event: &Event, expr: &str, expected: bool) {
    let filter = Filter::parse(expr).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(filter.matches(event), expected, "{expr}");
}

#[track_caller]
fn all(event: &Event, cases: &[(&str, bool)]) {
    for &(expr, expected) in cases {
        check(event, expr, expected);
    }
}

#[test]
fn connectives() {
    let e = nginx();
    all(
        &e,
        &[
            ("proc.name = nginx and evt.type = read", true),
            ("proc.name = nginx and evt.type = write", false),
            ("proc.name = curl or evt.type = read", true),
            ("proc.name = curl or evt.type = write", false),
            ("not proc.name = curl", true),
            ("not not proc.name = nginx", true),
            // or (and): true because the `and` group holds.
            (
                "proc.name = curl or proc.name = nginx and evt.type = read",
                true,
            ),
            // (or) and: false because the right operand fails.
            (
                "(proc.name = nginx or proc.name = curl) and evt.type = write",
                false,
            ),
            (
                "proc.name = nginx or proc.name = curl and evt.type = write",
                true,
            ),
            ("not proc.name = nginx or evt.type = read", true),
            ("not (proc.name = nginx or evt.type = write)", false),
        ],
    );
}

#[test]
fn missing_fields_fail_every_comparison() {
    let e = Event::default().with("evt.type", "switch");
    all(
        &e,
        &[
            ("fd.name = foo", false),
            ("fd.name != foo", false),
            ("not fd.name = foo", true),
            ("fd.num < 5", false),
            ("fd.num != 5", false),
            ("fd.name in (a, b)", false),
            ("fd.name exists", false),
            ("not fd.name exists", true),
            ("evt.type exists", true),
            ("fd.name contains ''", false),
        ],
    );
}

#[test]
fn strings() {
    let e = nginx();
    all(
        &e,
        &[
            ("proc.name = nginx", true),
            ("proc.name == nginx", true),
            ("proc.name = Nginx", false),
            ("proc.name != nginx", false),
            ("proc.name != curl", true),
            ("fd.name contains nginx/", true),
            ("fd.name contains nginx.conf", false),
            ("fd.name icontains NGINX.CONF", true),
            ("fd.name icontains 'etc/nginx/n'", true),
            ("fd.name icontains ''", true),
            ("fd.name startswith /etc/", true),
            ("fd.name startswith /usr", false),
            ("fd.name endswith .conf", true),
            ("fd.name endswith .CONF", false),
            ("proc.name in (apache, nginx)", true),
            ("proc.name in (apache, httpd)", false),
            ("proc.name in ()", false),
            ("proc.name < zzz", true),
            ("proc.name < nginx", false),
            ("proc.name <= nginx", true),
            ("proc.name > abc", true),
            ("proc.name >= nginy", false),
            ("proc.cmdline contains 'daemon off'", true),
            ("container.image = nginx:1.10", true),
            ("evt.dir = <", true),
            ("evt.dir = >", false),
            ("evt.res = SUCCESS", true),
        ],
    );
}

#[test]
fn glob_and_pmatch() {
    let e = nginx();
    all(
        &e,
        &[
            ("proc.name glob 'ng*'", true),
            ("proc.name glob ng?nx", true),
            ("proc.name glob '[a-m]*'", false),
            ("fd.name glob '/etc/*.conf'", true),
            ("fd.name glob '/etc/*.CONF'", false),
            ("fd.name pmatch (/etc)", true),
            ("fd.name pmatch (/etc/)", true),
            ("fd.name pmatch (/usr, /etc/nginx)", true),
            ("fd.name pmatch (/etc/nginx/Nginx.conf)", true),
            ("fd.name pmatch (/etc/ngi)", false),
            ("fd.name pmatch (/)", true),
            ("proc.name pmatch (/)", false),
        ],
    );
}

#[test]
fn numbers() {
    let e = nginx();
    all(
        &e,
        &[
            ("proc.pid = 42", true),
            ("proc.pid = 0x2a", true),
            ("proc.pid != 42", false),
            ("proc.pid < 43", true),
            ("proc.pid <= 42", true),
            ("proc.pid > 42", false),
            ("proc.pid >= 42", true),
            ("proc.pid > -1", true),
            ("proc.pid in (1, 42, 100)", true),
            ("proc.pid in (1, 100)", false),
            ("evt.num = 1234", true),
            ("evt.num > 1000", true),
            ("fd.num = 7", true),
        ],
    );
}

#[test]
fn numbers_from_other_value_types() {
    // Sources may hand over whichever integer type they hold, or text.
    let e = Event::default()
        .with("proc.pid", 42u64)
        .with("evt.num", 5i64)
        .with("fd.num", "  -3 ")
        .with("user.uid", u64::MAX)
        .with("thread.tid", "not a number");
    all(
        &e,
        &[
            ("proc.pid = 42", true),
            ("evt.num = 5", true),
            ("fd.num = -3", true),
            ("fd.num < 0", true),
            ("user.uid = 18446744073709551615", true),
            ("user.uid > 0", true),
            // Values that cannot be compared fail like missing ones, even for `!=`.
            ("thread.tid = 1", false),
            ("thread.tid != 1", false),
            ("thread.tid exists", true),
        ],
    );
}

#[test]
fn text_fields_accept_non_text_values() {
    let e = Event::default()
        .with("fd.typechar", 4u64)
        .with("fd.name", ip("10.0.0.1"))
        .with("evt.res", -2i64)
        .with("user.name", true);
    all(
        &e,
        &[
            ("fd.typechar = 4", true),
            ("fd.name = 10.0.0.1", true),
            ("fd.name startswith 10.", true),
            ("evt.res = -2", true),
            ("user.name = true", true),
        ],
    );
}

#[test]
fn addresses() {
    let e = nginx();
    all(
        &e,
        &[
            ("fd.sip = 10.1.2.3", true),
            ("fd.sip = 10.1.2.4", false),
            ("fd.sip != 10.1.2.4", true),
            ("fd.sip = 10.0.0.0/8", true),
            ("fd.sip = 10.1.2.0/24", true),
            ("fd.sip = 192.168.0.0/16", false),
            ("fd.sip != 192.168.0.0/16", true),
            ("fd.sip in (192.168.0.0/16, 10.1.0.0/16)", true),
            ("fd.sip = ::ffff:10.1.2.3", true),
            ("fd.sip > 10.1.2.2", true),
            ("fd.sip < 10.1.2.2", false),
            ("fd.cip = 2001:db8::1", true),
            ("fd.cip = 2001:db8::/32", true),
            ("fd.cip = 10.0.0.0/8", false),
            ("fd.cip = 0.0.0.0/0", false),
        ],
    );
    // IPv4-mapped IPv6 values from the source compare as IPv4, and text is parsed.
    let mapped = Event::default()
        .with("fd.sip", ip("::ffff:10.1.2.3"))
        .with("fd.cip", "172.17.0.2");
    all(
        &mapped,
        &[
            ("fd.sip = 10.1.2.3", true),
            ("fd.sip = 10.0.0.0/8", true),
            ("fd.sip >= 10.1.2.3", true),
            ("fd.cip = 172.17.0.0/16", true),
        ],
    );
}

#[test]
fn ports() {
    let e = nginx();
    all(
        &e,
        &[
            ("fd.sport = 80", true),
            ("fd.sport = http", true),
            ("fd.sport != https", true),
            ("fd.sport in (https, http-alt)", false),
            ("fd.sport < 1024", true),
        ],
    );
}

#[test]
fn booleans() {
    let e = nginx();
    all(
        &e,
        &[
            ("evt.failed = false", true),
            ("evt.failed = true", false),
            ("evt.failed != true", true),
            ("evt.is_io = true", true),
            ("evt.is_io in (true, false)", true),
            ("evt.is_io in (false)", false),
        ],
    );
    let text = Event::default()
        .with("evt.failed", "true")
        .with("evt.is_io", 0u64);
    all(
        &text,
        &[("evt.failed = true", true), ("evt.is_io = false", true)],
    );
}

#[test]
fn labels() {
    let e = nginx();
    all(
        &e,
        &[
            ("k8s.pod.label.app = web", true),
            ("k8s.pod.label[app] = web", true),
            ("k8s.pod.label.tier = web", false),
            ("k8s.pod.label.tier exists", false),
            ("k8s.ns.label.app = web", false),
        ],
    );
}

#[test]
fn borrowed_values_are_accepted() {
    struct Borrowing {
        name: String,
    }
    impl FieldSource for Borrowing {
        fn value(&self, field: &Field) -> Option<Value<'_>> {
            (*field == Field::ProcName).then(|| Value::Str(Cow::Borrowed(&self.name)))
        }
    }
    let filter = Filter::parse("proc.name icontains GIN").unwrap();
    assert!(filter.matches(&Borrowing {
        name: "nginx".into()
    }));
}

#[test]
fn canonical_rendering_evaluates_the_same() {
    let e = nginx();
    for expr in [
        "proc.name = curl or proc.name = nginx and evt.type = read",
        "not proc.name = nginx or evt.type = read",
        "fd.name icontains 'NGINX.CONF' and not (fd.sip = 192.168.0.0/16 or fd.sport = https)",
    ] {
        let filter = Filter::parse(expr).unwrap();
        let again = Filter::parse(&filter.to_string()).unwrap();
        assert_eq!(filter.matches(&e), again.matches(&e), "{expr}");
    }
}
