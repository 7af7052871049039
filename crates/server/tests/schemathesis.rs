//! The OpenAPI document describes what the server does: schemathesis 4 (PyPI; `.ci/run`
//! installs it in `.ci/venv`) generates requests from `/api/openapi.json`, valid and
//! invalid, against a replay of the shared Kubernetes capture, and checks every answer
//! against the document (status codes, content types, response schemas, that invalid data
//! is refused). Its configuration (tests/schemathesis/schemathesis.toml) says the one thing
//! it relaxes and why. Requests the document allows with its own defaults and with empty
//! values are checked here to be accepted.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Command;

fn schemathesis() -> PathBuf {
    if let Some(p) = std::env::var_os("KINSIGHT_SCHEMATHESIS") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.ci/venv/bin/schemathesis")
}

#[test]
fn schemathesis_finds_no_failure() {
    let st = schemathesis();
    assert!(st.is_file(), "{} is missing: `.ci/run` installs schemathesis (python3 -m venv .ci/venv && .ci/venv/bin/pip install schemathesis)", st.display());
    let server = replay_server(None);
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis/schemathesis.toml");
    // schemathesis keeps a cache in its working directory: give it one outside the tree.
    let work = std::env::temp_dir().join(format!("kinsight-schemathesis-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let out = Command::new(&st)
        .current_dir(&work)
        .arg("--config-file")
        .arg(&config)
        .args(["run", &format!("http://{}/api/openapi.json", server.addr), "--max-examples", "60", "--seed", "1"])
        // No phone-home, no colours in the log.
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .env("NO_COLOR", "1")
        .output()
        .expect("schemathesis runs");
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&work).ok();
    assert!(out.status.success(), "schemathesis found failures:\n{log}");
    assert!(log.contains("14 passed") || log.contains("No issues found"), "every operation tested:\n{log}");
    server.stop();
}

#[test]
fn the_documents_defaults_and_empty_values_are_accepted() {
    let server = replay_server(None);
    let doc = get_json(server.addr, "/api/openapi.json");
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let params = item["get"]["parameters"].as_array().cloned().unwrap_or_default();
        let required: Vec<String> = params.iter().filter(|p| p["required"] == true).map(|p| format!("{}=ns%3Acritical-app", p["name"].as_str().unwrap())).collect();
        let strings: Vec<&str> = params.iter().filter(|p| p["schema"]["type"] == "string" && p["required"] != true).map(|p| p["name"].as_str().unwrap()).collect();
        let defaults: Vec<String> = params.iter().filter_map(|p| Some(format!("{}={}", p["name"].as_str()?, p["schema"].get("default")?.as_str().map_or_else(|| p["schema"]["default"].to_string(), str::to_string)))).collect();
        for query in [required.clone(), required.iter().cloned().chain(strings.iter().map(|s| format!("{s}="))).collect(), required.iter().cloned().chain(defaults).collect::<Vec<_>>()] {
            let url = format!("{path}?{}", query.join("&"));
            let r = get(server.addr, &url, None);
            assert_eq!(r.status, 200, "GET {url}: {}", r.body);
            checked += 1;
        }
    }
    assert!(checked >= 39, "{checked}");
    server.stop();
}
