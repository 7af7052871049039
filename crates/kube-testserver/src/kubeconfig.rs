//! kubeconfig files pointing at a test server, in the format kubectl and client libraries
//! read: clusters, users (token, client certificate, exec plugin), contexts.

use base64::Engine as _;

use crate::tls::ClientCert;

/// How a kubeconfig user authenticates.
#[derive(Debug, Clone)]
pub enum Credentials {
    Anonymous,
    Token(String),
    ClientCert(ClientCert),
    /// A client-go credential plugin: `command` prints an `ExecCredential` on stdout.
    Exec {
        command: String,
        args: Vec<String>,
    },
}

/// One context: a server, its CA (for HTTPS), a user and a default namespace.
#[derive(Debug, Clone)]
pub struct Context {
    pub name: String,
    pub server: String,
    pub ca_pem: Option<String>,
    pub credentials: Credentials,
    pub namespace: Option<String>,
}

/// A YAML scalar that needs no thought about escaping: a JSON string is a YAML string.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

/// The kubeconfig text for `contexts`, with `current` as the current context.
pub fn render(contexts: &[Context], current: &str) -> String {
    let mut out = String::from("apiVersion: v1\nkind: Config\npreferences: {}\n");
    out.push_str(&format!("current-context: {}\nclusters:\n", q(current)));
    for c in contexts {
        out.push_str(&format!(
            "- name: {}\n  cluster:\n    server: {}\n",
            q(&c.name),
            q(&c.server)
        ));
        if let Some(ca) = &c.ca_pem {
            out.push_str(&format!(
                "    certificate-authority-data: {}\n",
                q(&b64(ca))
            ));
        }
    }
    out.push_str("users:\n");
    for c in contexts {
        out.push_str(&format!("- name: {}\n  user:", q(&c.name)));
        match &c.credentials {
            Credentials::Anonymous => out.push_str(" {}\n"),
            Credentials::Token(t) => out.push_str(&format!("\n    token: {}\n", q(t))),
            Credentials::ClientCert(cert) => out.push_str(&format!(
                "\n    client-certificate-data: {}\n    client-key-data: {}\n",
                q(&b64(&cert.cert_pem)),
                q(&b64(&cert.key_pem))
            )),
            Credentials::Exec { command, args } => {
                out.push_str(&format!(
                    "\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never\n      provideClusterInfo: false\n      args:",
                    q(command)
                ));
                if args.is_empty() {
                    out.push_str(" []\n");
                } else {
                    out.push('\n');
                    for a in args {
                        out.push_str(&format!("      - {}\n", q(a)));
                    }
                }
            }
        }
    }
    out.push_str("contexts:\n");
    for c in contexts {
        out.push_str(&format!(
            "- name: {}\n  context:\n    cluster: {}\n    user: {}\n",
            q(&c.name),
            q(&c.name),
            q(&c.name)
        ));
        if let Some(ns) = &c.namespace {
            out.push_str(&format!("    namespace: {}\n", q(ns)));
        }
    }
    out
}
