//! A check shared by the sums tests over replays (crates/server/tests/sums.rs) and over a
//! live host (crates/kinsight/tests/live.rs): the numbers of a parent row add up.

use serde_json::Value;

fn enc(v: &str) -> String {
    v.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The columns that are totals over the range (or, for memory, the sum of what the
/// processes running at the end of the range hold): a parent's is its children's sum.
pub const SUMMED: &[&str] = &["processes", "memory_bytes", "file_read_bytes", "file_write_bytes", "file_bytes", "net_in_bytes", "net_out_bytes", "net_bytes", "http_requests", "http_errors", "http_out_requests", "requests", "request_errors", "sent_requests", "sent_errors"];

/// Rates over the range: a parent's is its children's sum.
pub const RATES: &[&str] = &["cpu_pct", "http_rps", "request_rps", "sent_rps"];

/// Mean latencies with the count they are the mean of: a parent's is its children's mean
/// weighted by that count.
pub const MEANS: &[(&str, &str)] = &[("http_latency_ms", "http_requests"), ("request_latency_ms", "requests"), ("sent_latency_ms", "sent_requests")];

fn u(r: &Value, key: &str) -> u64 {
    r[key].as_u64().unwrap_or_else(|| panic!("{key} of {r:#}"))
}

fn f(r: &Value, key: &str) -> f64 {
    r[key].as_f64().unwrap_or_else(|| panic!("{key} of {r:#}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// A row's own columns agree: `file_bytes` is read plus written, `net_bytes` in plus out,
/// the error share and mean latency are `null` exactly when nothing was served.
fn row_is_consistent(r: &Value, what: &str) {
    assert_eq!(u(r, "file_bytes"), u(r, "file_read_bytes") + u(r, "file_write_bytes"), "{what}: {r:#}");
    assert_eq!(u(r, "net_bytes"), u(r, "net_in_bytes") + u(r, "net_out_bytes"), "{what}: {r:#}");
    for (n, errors, pct, latency) in [("http_requests", "http_errors", "http_error_pct", "http_latency_ms"), ("requests", "request_errors", "request_error_pct", "request_latency_ms"), ("sent_requests", "sent_errors", "sent_error_pct", "sent_latency_ms")] {
        let served = u(r, n);
        assert_eq!(r[pct].is_null(), served == 0, "{what}: {r:#}");
        assert_eq!(r[latency].is_null(), served == 0, "{what}: {r:#}");
        assert!(u(r, errors) <= served, "{what}: {r:#}");
        if served > 0 {
            assert!(close(f(r, pct), u(r, errors) as f64 * 100.0 / served as f64), "{what}: {r:#}");
        }
    }

}

/// `children` (rows below `parent`, at one level) add up to it: totals are sums, rates
/// (CPU, requests per second) are sums over the same seconds, and the mean latency is the
/// children's weighted by the requests each served.
pub fn children_add_up(parent: &Value, children: &[Value], what: &str) {
    for key in SUMMED {
        let sum: u64 = children.iter().map(|c| u(c, key)).sum();
        assert_eq!(sum, u(parent, key), "{what}: {key} = sum of its {} children", children.len());
    }
    for key in RATES {
        let sum: f64 = children.iter().map(|c| f(c, key)).sum();
        assert!(close(sum, f(parent, key)), "{what}: {key} {} vs children {sum}", parent[key]);
    }
    for (latency, n) in MEANS {
        if u(parent, n) > 0 {
            let weighted: f64 = children.iter().filter(|c| u(c, n) > 0).map(|c| f(c, latency) * u(c, n) as f64).sum();
            let mean = weighted / u(parent, n) as f64;
            assert!(close(mean, f(parent, latency)), "{what}: {latency} {} vs children's weighted mean {mean}", parent[latency]);
        }
    }
    // A parent speaks the protocols its children speak.
    let mut spoken: Vec<&Value> = children.iter().flat_map(|c| c["protocols"].as_array().unwrap().iter()).collect();
    spoken.sort_by_key(|p| p.as_str());
    spoken.dedup();
    let mut own: Vec<&Value> = parent["protocols"].as_array().unwrap().iter().collect();
    own.sort_by_key(|p| p.as_str());
    assert_eq!(own, spoken, "{what}: protocols");
}

/// Every counter of a parent row equals the sum of its children's (or, for the mean
/// latency, their weighted mean), at every level of every hierarchy and at every level
/// below each parent, not only the next: what a table shows at any depth adds up to the
/// row it was opened from. At the process level, the command groups add up too, and the
/// processes still running at the end hold all of the parent's memory. Returns how many
/// parents were checked.
pub fn parents_are_the_sum_of_their_children(get_json: &dyn Fn(&str) -> Value, range: &str) -> usize {
    let hierarchies = get_json("/api/hierarchies");
    let mut ids: Vec<(String, Vec<String>)> = hierarchies["hierarchies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["id"].as_str().unwrap().to_string(), h["levels"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string()).collect()))
        .collect();
    for k in hierarchies["label_keys"].as_array().unwrap() {
        ids.push((format!("label:{}", k.as_str().unwrap()), ["label", "pod", "container", "process"].map(String::from).to_vec()));
    }
    let mut checked = 0;
    for (h, levels) in &ids {
        let top = get_json(&format!("/api/entities?hierarchy={}&limit=100000{range}", enc(h)));
        // Each row with the index of its level in the hierarchy.
        let mut queue: Vec<(Value, usize)> = top["rows"].as_array().unwrap().iter().map(|r| (r.clone(), 0)).collect();
        while let Some((parent, at)) = queue.pop() {
            let pid = parent["id"].as_str().unwrap();
            row_is_consistent(&parent, &format!("{h} {pid}"));
            // Parents with activity only: empty ones sum to 0 trivially.
            if parent["has_children"] != true || u(&parent, "processes") == 0 {
                continue;
            }
            let list = |extra: &str| {
                let v = get_json(&format!("/api/entities?hierarchy={}&parent={}&limit=100000{range}{extra}", enc(h), enc(pid)));
                v["rows"].as_array().unwrap_or_else(|| panic!("{h} {pid}: {v:#}")).clone()
            };
            for (i, level) in levels.iter().enumerate().skip(at + 1) {
                let rows = list(&format!("&level={level}"));
                children_add_up(&parent, &rows, &format!("{h}: {pid} › {level}"));
                if i == at + 1 {
                    queue.extend(rows.iter().map(|r| (r.clone(), i)));
                }
                if level == "process" {
                    let groups = list("&level=process&group=command");
                    children_add_up(&parent, &groups, &format!("{h}: {pid} › commands"));
                    let running = list("&level=process&alive=true");
                    assert!(running.iter().all(|r| r["process"]["alive"] == true), "{h}: {pid}: alive=true kept an exited process");
                    let memory: u64 = running.iter().map(|r| u(r, "memory_bytes")).sum();
                    assert_eq!(memory, u(&parent, "memory_bytes"), "{h}: {pid}: the memory of the {} processes running at the end", running.len());
                }
            }
            checked += 1;
        }
    }
    checked
}
