//! The field vocabulary: every name a filter may mention, and the type of its values.

use std::fmt;

/// How the values of a field compare, which decides the operators and literals it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// Text. Accepts every operator; `<`, `>` compare bytewise, as sysdig's `strcmp` does.
    Str,
    /// Signed integer (`proc.pid`, `fd.num`). Literals may be negative.
    Int,
    /// Unsigned integer (`evt.num`, `user.uid`).
    Uint,
    /// IPv4 or IPv6 address. Literals may be CIDR blocks (`10.0.0.0/8`) for `=`, `!=` and `in`.
    Ip,
    /// TCP/UDP port. Literals may be well-known service names (`http`, `ssh`), as in sysdig.
    Port,
    /// `true` or `false`, lowercase as in sysdig.
    Bool,
}

impl FieldKind {
    /// Whether values compare as numbers.
    pub fn is_numeric(self) -> bool {
        matches!(self, FieldKind::Int | FieldKind::Uint | FieldKind::Port)
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            FieldKind::Str => "string",
            FieldKind::Int => "integer",
            FieldKind::Uint => "unsigned integer",
            FieldKind::Ip => "IP address",
            FieldKind::Port => "port",
            FieldKind::Bool => "boolean",
        }
    }
}

// One table drives the enum, name lookup, kinds and descriptions, so they cannot drift apart.
macro_rules! fixed_fields {
    ($($variant:ident => $name:literal, $kind:ident, $desc:literal;)*) => {
        /// A field a filter can test. Fixed fields have one variant each; label fields carry
        /// the label key.
        ///
        /// Names follow sysdig and Falco. Label fields accept both the dotted form
        /// (`k8s.pod.label.app`) and the bracket form (`k8s.pod.label[app]`).
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field {
            $(#[doc = $desc] $variant,)*
            /// A pod label: `k8s.pod.label.<key>`.
            PodLabel(String),
            /// A namespace label: `k8s.ns.label.<key>`.
            NsLabel(String),
            /// A replication controller label: `k8s.rc.label.<key>`.
            RcLabel(String),
            /// A replica set label: `k8s.rs.label.<key>`.
            RsLabel(String),
            /// A deployment label: `k8s.deployment.label.<key>`.
            DeploymentLabel(String),
            /// A service label: `k8s.svc.label.<key>`.
            SvcLabel(String),
            /// A container (image or runtime) label: `container.label.<key>`.
            ContainerLabel(String),
        }

        const FIXED: &[Field] = &[$(Field::$variant,)*];

        impl Field {
            fn fixed_name(&self) -> Option<&'static str> {
                match self {
                    $(Field::$variant => Some($name),)*
                    _ => None,
                }
            }

            fn fixed_from_name(name: &str) -> Option<Field> {
                match name {
                    $($name => Some(Field::$variant),)*
                    _ => None,
                }
            }

            /// The type of the field's values.
            pub fn kind(&self) -> FieldKind {
                match self {
                    $(Field::$variant => FieldKind::$kind,)*
                    _ => FieldKind::Str,
                }
            }

            /// One line of help text.
            pub fn description(&self) -> &'static str {
                match self {
                    $(Field::$variant => $desc,)*
                    Field::PodLabel(_) => "value of the given label of the pod",
                    Field::NsLabel(_) => "value of the given label of the namespace",
                    Field::RcLabel(_) => "value of the given label of the replication controller",
                    Field::RsLabel(_) => "value of the given label of the replica set",
                    Field::DeploymentLabel(_) => "value of the given label of the deployment",
                    Field::SvcLabel(_) => "value of the given label of the service",
                    Field::ContainerLabel(_) => "value of the given label of the container",
                }
            }
        }
    };
}

fixed_fields! {
    EvtType => "evt.type", Str, "event type, e.g. 'open'";
    EvtDir => "evt.dir", Str, "event direction: '>' for enter, '<' for exit";
    EvtNum => "evt.num", Uint, "event number";
    EvtTime => "evt.time", Str, "event timestamp as a time-of-day string with nanoseconds";
    EvtRawtime => "evt.rawtime", Uint, "event timestamp in nanoseconds since the epoch";
    EvtRes => "evt.res", Str, "event result: 'SUCCESS' or an error code such as 'ENOENT'";
    EvtFailed => "evt.failed", Bool, "true for events that returned an error";
    EvtIsIo => "evt.is_io", Bool, "true for events that read or write an fd";
    EvtBuflen => "evt.buflen", Uint, "length of the event's data buffer";
    ProcName => "proc.name", Str, "executable name of the process";
    ProcPid => "proc.pid", Int, "id of the process";
    ProcPpid => "proc.ppid", Int, "id of the parent process";
    ProcExe => "proc.exe", Str, "first command line argument (usually the executable path)";
    ProcCmdline => "proc.cmdline", Str, "full command line: name and arguments";
    ProcArgs => "proc.args", Str, "command line arguments, without the name";
    ThreadTid => "thread.tid", Int, "id of the thread";
    UserName => "user.name", Str, "user name";
    UserUid => "user.uid", Uint, "user id";
    FdNum => "fd.num", Int, "file descriptor number";
    FdName => "fd.name", Str, "fd name: file path, connection tuple, ...";
    FdType => "fd.type", Str, "fd type: 'file', 'ipv4', 'unix', 'pipe', ...";
    FdTypechar => "fd.typechar", Str, "fd type as one character: 'f', '4', '6', 'u', ...";
    FdDirectory => "fd.directory", Str, "directory of a file fd";
    FdFilename => "fd.filename", Str, "file name of a file fd, without the directory";
    FdSip => "fd.sip", Ip, "server IP address";
    FdCip => "fd.cip", Ip, "client IP address";
    FdSport => "fd.sport", Port, "server port";
    FdCport => "fd.cport", Port, "client port";
    FdLip => "fd.lip", Ip, "local IP address";
    FdRip => "fd.rip", Ip, "remote IP address";
    FdLport => "fd.lport", Port, "local port";
    FdRport => "fd.rport", Port, "remote port";
    FdL4proto => "fd.l4proto", Str, "IP protocol of a socket: 'tcp', 'udp', 'icmp' or 'raw'";
    FdIsServer => "fd.is_server", Bool, "true if the process is the server end of the connection";
    ContainerId => "container.id", Str, "container id";
    ContainerName => "container.name", Str, "container name";
    ContainerImage => "container.image", Str, "container image";
    ContainerType => "container.type", Str, "container runtime, e.g. 'docker'";
    K8sNsName => "k8s.ns.name", Str, "Kubernetes namespace name";
    K8sNsId => "k8s.ns.id", Str, "Kubernetes namespace uid";
    K8sPodName => "k8s.pod.name", Str, "Kubernetes pod name";
    K8sPodId => "k8s.pod.id", Str, "Kubernetes pod uid";
    K8sPodLabels => "k8s.pod.labels", Str, "Kubernetes pod labels as 'key:value,key:value'";
    K8sPodPhase => "k8s.pod.phase", Str, "Kubernetes pod phase: 'Pending', 'Running', 'Succeeded', 'Failed' or 'Unknown'";
    K8sPodRestarts => "k8s.pod.restarts", Uint, "restarts of the Kubernetes pod's containers, summed";
    K8sPodReady => "k8s.pod.ready", Bool, "true when every regular container of the Kubernetes pod is ready";
    K8sRcName => "k8s.rc.name", Str, "Kubernetes replication controller name";
    K8sRcId => "k8s.rc.id", Str, "Kubernetes replication controller uid";
    K8sRsName => "k8s.rs.name", Str, "Kubernetes replica set name";
    K8sRsId => "k8s.rs.id", Str, "Kubernetes replica set uid";
    K8sDeploymentName => "k8s.deployment.name", Str, "Kubernetes deployment name";
    K8sDeploymentId => "k8s.deployment.id", Str, "Kubernetes deployment uid";
    K8sSvcName => "k8s.svc.name", Str, "Kubernetes service name";
    K8sSvcId => "k8s.svc.id", Str, "Kubernetes service uid";
    K8sNodeName => "k8s.node.name", Str, "Kubernetes node name";
    ReqProto => "req.proto", Str, "protocol of a request: 'http', 'dns', 'postgres', 'mysql', 'redis'";
    ReqOp => "req.op", Str, "operation of a request: HTTP method, SQL statement kind, Redis command, DNS query type";
    ReqTarget => "req.target", Str, "target of a request: URL, normalised statement, key prefix or domain";
    ReqStatus => "req.status", Str, "status of a request: HTTP code, SQLSTATE or MySQL error number, DNS rcode name, Redis error prefix, 'OK'";
    ReqError => "req.error", Bool, "true for requests that failed";
    ReqLatency => "req.latency", Uint, "latency of a request in nanoseconds";
}

type MakeLabel = fn(String) -> Field;

/// Label field families: the name prefix and the variant constructor.
const LABEL_FAMILIES: &[(&str, MakeLabel)] = &[
    ("k8s.pod.label", Field::PodLabel),
    ("k8s.ns.label", Field::NsLabel),
    ("k8s.rc.label", Field::RcLabel),
    ("k8s.rs.label", Field::RsLabel),
    ("k8s.deployment.label", Field::DeploymentLabel),
    ("k8s.svc.label", Field::SvcLabel),
    ("container.label", Field::ContainerLabel),
];

impl Field {
    /// Looks a field up by name; `None` if no such field exists.
    ///
    /// Label keys may be written dotted (`k8s.pod.label.app.kubernetes.io/name`) or in
    /// brackets (`k8s.pod.label[app]`). Keys holding whitespace, brackets, quotes or operator
    /// characters must be bracketed and quoted (`k8s.pod.label["a b"]`), as in libsinsp.
    pub fn parse(name: &str) -> Option<Field> {
        if let Some(field) = Field::fixed_from_name(name) {
            return Some(field);
        }
        LABEL_FAMILIES.iter().find_map(|&(prefix, make)| {
            let rest = name.strip_prefix(prefix)?;
            let key = if let Some(key) = rest.strip_prefix('.') {
                lexes_as_one_word(key).then_some(key)?
            } else {
                bracket_key(rest.strip_prefix('[')?.strip_suffix(']')?)?
            };
            (!key.is_empty()).then(|| make(key.to_owned()))
        })
    }

    /// The canonical name, which [`Field::parse`] maps back to the same field.
    pub fn name(&self) -> String {
        self.to_string()
    }

    /// The label key of a label field.
    pub fn label_key(&self) -> Option<&str> {
        self.label_parts().map(|(_, key)| key)
    }

    /// Every field that is not a label field, in documentation order.
    pub fn fixed() -> &'static [Field] {
        FIXED
    }

    /// Name prefixes of the label field families, e.g. `k8s.pod.label`.
    pub fn label_prefixes() -> impl Iterator<Item = &'static str> {
        LABEL_FAMILIES.iter().map(|&(prefix, _)| prefix)
    }

    fn label_parts(&self) -> Option<(&'static str, &str)> {
        let (prefix, key) = match self {
            Field::PodLabel(key) => ("k8s.pod.label", key),
            Field::NsLabel(key) => ("k8s.ns.label", key),
            Field::RcLabel(key) => ("k8s.rc.label", key),
            Field::RsLabel(key) => ("k8s.rs.label", key),
            Field::DeploymentLabel(key) => ("k8s.deployment.label", key),
            Field::SvcLabel(key) => ("k8s.svc.label", key),
            Field::ContainerLabel(key) => ("container.label", key),
            _ => return None,
        };
        Some((prefix, key))
    }

    /// The known field name closest to a misspelt one, for "did you mean" hints. A label
    /// field is matched on its prefix and keeps its key: `k8s.pod.lable.app` suggests
    /// `k8s.pod.label.app`.
    pub(crate) fn suggest(name: &str) -> Option<String> {
        let fixed = FIXED
            .iter()
            .filter_map(Field::fixed_name)
            .map(|candidate| (edit_distance(name, candidate), candidate.to_owned()));
        let labels = Field::label_prefixes().filter_map(|prefix| {
            let components = prefix.matches('.').count() + 1;
            let split = name
                .find('[')
                .or_else(|| name.match_indices('.').nth(components - 1).map(|(i, _)| i))?;
            let (head, key) = name.split_at(split);
            Some((edit_distance(head, prefix), format!("{prefix}{key}")))
        });
        let (distance, best) = fixed.chain(labels).min_by_key(|(distance, _)| *distance)?;
        (distance > 0 && distance <= 2).then_some(best)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = self.fixed_name() {
            return f.write_str(name);
        }
        let (prefix, key) = self.label_parts().expect("non-fixed fields are labels");
        // Real label keys (`app.kubernetes.io/name`) read back fine dotted; anything else
        // the lexer would split goes in quoted brackets. (A key holding both quote
        // characters cannot come from parsing and cannot be written back.)
        if lexes_as_one_word(key) {
            write!(f, "{prefix}.{key}")
        } else if key.contains('"') {
            write!(f, "{prefix}['{key}']")
        } else {
            write!(f, "{prefix}[\"{key}\"]")
        }
    }
}

/// Whether the parser's field-name lexer would read `text` as one plain word.
fn lexes_as_one_word(text: &str) -> bool {
    !text.contains(|c| crate::parse::is_word_delimiter(c) || matches!(c, '[' | ']'))
}

/// The key inside `[...]`: quoted (without its quote character inside), or bare without
/// whitespace, brackets or quotes.
fn bracket_key(inner: &str) -> Option<&str> {
    for quote in ['"', '\''] {
        if let Some(key) = inner
            .strip_prefix(quote)
            .and_then(|s| s.strip_suffix(quote))
        {
            return (!key.contains(quote)).then_some(key);
        }
    }
    let bare = !inner.contains(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | '"' | '\''));
    bare.then_some(inner)
}

/// Edit distance counting insertions, deletions, substitutions and swaps of adjacent
/// characters (the commonest typo) as one edit each. Field names are ASCII, so bytes do.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // rows[i][j]: distance between a[..i] and b[..j]; only three rows are ever needed.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixed_name_round_trips() {
        for field in Field::fixed() {
            assert_eq!(Field::parse(&field.name()).as_ref(), Some(field));
        }
    }

    #[test]
    fn label_forms() {
        let app = Field::PodLabel("app".into());
        assert_eq!(Field::parse("k8s.pod.label.app"), Some(app.clone()));
        assert_eq!(Field::parse("k8s.pod.label[app]"), Some(app.clone()));
        assert_eq!(Field::parse("k8s.pod.label[\"app\"]"), Some(app.clone()));
        assert_eq!(Field::parse("k8s.pod.label['app']"), Some(app.clone()));
        assert_eq!(app.name(), "k8s.pod.label.app");
        assert_eq!(
            Field::parse("k8s.ns.label.app.kubernetes.io/name"),
            Some(Field::NsLabel("app.kubernetes.io/name".into()))
        );
        assert_eq!(
            Field::parse("container.label[maintainer]"),
            Some(Field::ContainerLabel("maintainer".into()))
        );
        assert_eq!(Field::parse("k8s.pod.label"), None);
        assert_eq!(Field::parse("k8s.pod.label."), None);
        assert_eq!(Field::parse("k8s.pod.label[]"), None);
        assert_eq!(Field::parse("k8s.pod.labelx"), None);
        assert_eq!(Field::parse("k8s.pod.label[a b]"), None);
        assert_eq!(Field::parse("k8s.pod.label.a b"), None);
        assert_eq!(Field::parse("k8s.pod.label.a[b]"), None);
        assert_eq!(Field::parse("k8s.pod.label[\"a\"b\"]"), None);
        assert_eq!(
            Field::parse("k8s.pod.label[\"a b\"]"),
            Some(Field::PodLabel("a b".into()))
        );
        assert_eq!(Field::parse("k8s.pod.labels"), Some(Field::K8sPodLabels));
    }

    #[test]
    fn odd_label_keys_render_in_brackets() {
        let odd = Field::PodLabel("a b".into());
        assert_eq!(odd.name(), "k8s.pod.label[\"a b\"]");
        assert_eq!(Field::parse(&odd.name()), Some(odd));
        let quoted = Field::SvcLabel("say \"hi\"".into());
        assert_eq!(Field::parse(&quoted.name()), Some(quoted));
        for key in ["a]b", "a[b]", "a[b c]", "it's", "(]", "a=b"] {
            let field = Field::PodLabel(key.into());
            assert_eq!(Field::parse(&field.name()), Some(field), "{key:?}");
        }
    }

    #[test]
    fn kinds() {
        assert_eq!(Field::ProcPid.kind(), FieldKind::Int);
        assert_eq!(Field::EvtNum.kind(), FieldKind::Uint);
        assert_eq!(Field::FdSip.kind(), FieldKind::Ip);
        assert_eq!(Field::FdSport.kind(), FieldKind::Port);
        assert_eq!(Field::EvtFailed.kind(), FieldKind::Bool);
        assert_eq!(Field::PodLabel("x".into()).kind(), FieldKind::Str);
    }

    #[test]
    fn suggestions() {
        let suggest = |name| Field::suggest(name);
        assert_eq!(suggest("proc.nmae").as_deref(), Some("proc.name"));
        assert_eq!(suggest("proc.pdi").as_deref(), Some("proc.pid"));
        assert_eq!(
            suggest("k8s.pod.lable.app").as_deref(),
            Some("k8s.pod.label.app")
        );
        assert_eq!(
            suggest("k8s.pod.lable[app]").as_deref(),
            Some("k8s.pod.label[app]")
        );
        assert_eq!(
            suggest("containr.label.x").as_deref(),
            Some("container.label.x")
        );
        assert_eq!(suggest("completely.different"), None);
        assert_eq!(suggest("proc.name"), None);
    }
}
