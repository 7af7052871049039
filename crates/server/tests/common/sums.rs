//! A check shared by the API tests over a replay (crates/server/tests/api.rs) and over a
//! live host (crates/kinsight/tests/live.rs): the numbers of a parent row add up.

use serde_json::Value;

fn enc(v: &str) -> String {
    v.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// Every counter of a parent row equals the sum of its children's (CPU, memory, bytes,
/// requests, processes), at every level of every hierarchy: what a table shows one level
/// down adds up to the row it was opened from.
pub fn parents_are_the_sum_of_their_children(get_json: &dyn Fn(&str) -> Value, range: &str) -> usize {
    const SUMMED: &[&str] = &["processes", "memory_bytes", "file_read_bytes", "file_write_bytes", "net_in_bytes", "net_out_bytes", "http_requests", "http_errors", "http_out_requests"];
    let hierarchies = get_json("/api/hierarchies");
    let mut ids: Vec<String> = hierarchies["hierarchies"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect();
    ids.extend(hierarchies["label_keys"].as_array().unwrap().iter().map(|k| format!("label:{}", k.as_str().unwrap())));
    let mut checked = 0;
    for h in &ids {
        // Breadth first from the top level, parents with activity only (empty ones sum to 0 trivially).
        let top = get_json(&format!("/api/entities?hierarchy={}&limit=100000{range}", enc(h)));
        let mut queue: Vec<Value> = top["rows"].as_array().unwrap().clone();
        while let Some(parent) = queue.pop() {
            if parent["has_children"] != true {
                continue;
            }
            let pid = parent["id"].as_str().unwrap();
            let v = get_json(&format!("/api/entities?hierarchy={}&parent={}&limit=100000{range}", enc(h), enc(pid)));
            let children = v["rows"].as_array().unwrap_or_else(|| panic!("{h} {pid}: {v:#}"));
            for key in SUMMED {
                let sum: u64 = children.iter().map(|c| c[key].as_u64().unwrap()).sum();
                assert_eq!(sum, parent[key].as_u64().unwrap(), "{h}: {pid} {key} = sum of its {} children ({})", children.len(), v["level"]);
            }
            let cpu: f64 = children.iter().map(|c| c["cpu_pct"].as_f64().unwrap()).sum();
            assert!((cpu - parent["cpu_pct"].as_f64().unwrap()).abs() < 1e-6 * cpu.max(1.0), "{h}: {pid} cpu_pct {} vs children {cpu}", parent["cpu_pct"]);
            checked += 1;
            queue.extend(children.iter().filter(|c| c["processes"].as_u64().unwrap_or(0) > 0).cloned());
        }
    }
    checked
}

