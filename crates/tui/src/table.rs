//! The table a view shows: its columns (titles, widths, which to drop first on a narrow
//! terminal) and its rows, made from the API's JSON. Sorting is done here, on the rows the
//! API returned, so that every view sorts the same way and a new sort needs no request.

use crate::views::Listing;
use kinsight_analysis::human::bytes;
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    /// Width in cells; 0 for the one column that takes what is left (names, URLs).
    pub width: u16,
    /// Columns with the highest number go first when the terminal is too narrow.
    pub drop_order: u8,
    /// Numbers sort largest first, text A to Z.
    pub numeric: bool,
}

const fn col(title: &'static str, width: u16, drop_order: u8, numeric: bool) -> Column {
    Column { title, width, drop_order, numeric }
}

const ENTITY_COLUMNS: &[Column] = &[
    col("NAME", 0, 0, false),
    col("KIND", 10, 2, false),
    col("NAMESPACE", 14, 4, false),
    col("PROCS", 5, 3, true),
    col("CPU", 6, 1, true),
    col("MEM", 7, 1, true),
    col("FILE", 7, 1, true),
    col("NET", 7, 1, true),
    col("HTTP", 6, 3, true),
    col("ERR%", 5, 5, true),
    col("LAT_MS", 7, 5, true),
];

const CONNECTION_COLUMNS: &[Column] = &[
    col("PROTO", 5, 3, false),
    col("CLIENT", 15, 2, false),
    col("SERVER", 21, 1, false),
    col("PROCESS", 0, 0, false),
    col("POD", 20, 3, false),
    col("IN", 7, 2, true),
    col("OUT", 7, 2, true),
    col("NET", 7, 1, true),
    col("REQS", 6, 3, true),
];

const HTTP_COLUMNS: &[Column] = &[
    col("TIME", 12, 2, false),
    col("METHOD", 6, 1, false),
    col("URL", 0, 0, false),
    col("STATUS", 6, 1, true),
    col("LAT_MS", 8, 1, true),
    col("SIZE", 7, 2, true),
    col("PROCESS", 14, 3, false),
    col("PEER", 18, 4, false),
];

pub fn columns(listing: Listing) -> &'static [Column] {
    match listing {
        Listing::Entities { .. } => ENTITY_COLUMNS,
        Listing::Connections => CONNECTION_COLUMNS,
        Listing::Http => HTTP_COLUMNS,
    }
}

/// The index of a column by its title, case-insensitive (`:sort net`).
pub fn column_named(listing: Listing, title: &str) -> Option<usize> {
    columns(listing).iter().position(|c| c.title.eq_ignore_ascii_case(title.trim()))
}

/// A value as shown and as sorted.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    pub key: SortKey,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SortKey {
    Number(f64),
    Text(String),
}

fn num(text: String, v: f64) -> Cell {
    Cell { text, key: SortKey::Number(v) }
}

fn text(s: &str) -> Cell {
    Cell { text: s.to_string(), key: SortKey::Text(s.to_lowercase()) }
}

fn bytes_cell(v: &Value) -> Cell {
    let n = v.as_u64().unwrap_or(0);
    num(bytes(n), n as f64)
}

/// `-` for a missing number (no HTTP requests: no error rate, no latency).
fn optional(v: &Value, decimals: usize) -> Cell {
    match v.as_f64() {
        Some(f) => num(format!("{f:.decimals$}"), f),
        None => num("-".into(), -1.0),
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The entity the row is, when it is one (what Enter opens and `d` describes).
    pub entity: Option<String>,
    /// What search looks in.
    pub name: String,
    /// Enter lists what is inside.
    pub openable: bool,
    pub cells: Vec<Cell>,
    /// The row's API object, for the detail pane of rows that are not entities.
    pub raw: Value,
}

pub fn entity_row(r: &Value) -> Row {
    let s = |k: &str| r[k].as_str().unwrap_or("");
    let name = s("name");
    Row {
        entity: r["id"].as_str().map(str::to_string),
        name: name.to_string(),
        openable: r["has_children"].as_bool().unwrap_or(false),
        cells: vec![
            text(name),
            text(s("kind")),
            text(s("namespace")),
            num(r["processes"].as_u64().unwrap_or(0).to_string(), r["processes"].as_f64().unwrap_or(0.0)),
            num(format!("{:.2}", r["cpu_pct"].as_f64().unwrap_or(0.0)), r["cpu_pct"].as_f64().unwrap_or(0.0)),
            bytes_cell(&r["memory_bytes"]),
            bytes_cell(&r["file_bytes"]),
            bytes_cell(&r["net_bytes"]),
            num(r["http_requests"].as_u64().unwrap_or(0).to_string(), r["http_requests"].as_f64().unwrap_or(0.0)),
            optional(&r["http_error_pct"], 1),
            optional(&r["http_latency_ms"], 2),
        ],
        raw: Value::Null,
    }
}

/// `NAME` of an entity reference, else its id.
fn ref_name(v: &Value) -> &str {
    v["name"].as_str().or_else(|| v["id"].as_str()).unwrap_or("")
}

pub fn connection_row(r: &Value) -> Row {
    let s = |k: &str| r[k].as_str().unwrap_or("");
    let server = format!("{}:{}", s("server_ip"), r["server_port"].as_u64().unwrap_or(0));
    let process = format!("{} ({})", ref_name(&r["owner"]["process"]), r["owner"]["pid"].as_i64().unwrap_or(0));
    Row {
        entity: None,
        name: format!("{} {} {} {}", s("client_ip"), server, process, ref_name(&r["owner"]["pod"])),
        openable: false,
        cells: vec![
            text(s("proto")),
            text(s("client_ip")),
            text(&server),
            text(&process),
            text(ref_name(&r["owner"]["pod"])),
            bytes_cell(&r["bytes_in"]),
            bytes_cell(&r["bytes_out"]),
            bytes_cell(&r["bytes"]),
            num(r["requests"].as_u64().unwrap_or(0).to_string(), r["requests"].as_f64().unwrap_or(0.0)),
        ],
        raw: r.clone(),
    }
}

/// `HH:MM:SS.mmm` of a time in nanoseconds since the epoch (UTC).
pub fn clock(ns: u64) -> String {
    let ms = ns / 1_000_000;
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}.{:03}", (s / 3600) % 24, (s / 60) % 60, s % 60, ms % 1000)
}

pub fn http_row(r: &Value) -> Row {
    let s = |k: &str| r[k].as_str().unwrap_or("");
    let ts = r["ts_ns"].as_u64().unwrap_or(0);
    let status = r["status"].as_u64().unwrap_or(0);
    let latency = r["latency_ms"].as_f64().unwrap_or(0.0);
    Row {
        entity: None,
        name: format!("{} {}", s("method"), s("url")),
        openable: false,
        cells: vec![
            Cell { text: clock(ts), key: SortKey::Number(ts as f64) },
            text(s("method")),
            text(s("url")),
            num(status.to_string(), status as f64),
            num(format!("{latency:.2}"), latency),
            bytes_cell(&r["size_bytes"]),
            text(ref_name(&r["owner"]["process"])),
            text(ref_name(&r["peer"])),
        ],
        raw: r.clone(),
    }
}

/// Sorts by one column: numbers largest first, text A to Z, `reversed` flips it; ties keep
/// the API's order so that rows do not jump between refreshes.
pub fn sort(rows: &mut [Row], column: usize, reversed: bool) {
    rows.sort_by(|a, b| {
        let (ka, kb) = (&a.cells.get(column).map(|c| &c.key), &b.cells.get(column).map(|c| &c.key));
        let ord = match (ka, kb) {
            (Some(SortKey::Number(x)), Some(SortKey::Number(y))) => y.total_cmp(x),
            (Some(SortKey::Text(x)), Some(SortKey::Text(y))) => x.cmp(y),
            _ => std::cmp::Ordering::Equal,
        };
        if reversed {
            ord.reverse()
        } else {
            ord
        }
    });
}

/// Which columns fit in `width` cells: the droppable ones go, highest drop order first,
/// until the flexible column keeps at least `min_flex` cells.
pub fn fitting(cols: &[Column], width: u16, min_flex: u16) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..cols.len()).collect();
    let needed = |keep: &[usize]| keep.iter().map(|i| cols[*i].width + 1).sum::<u16>() + min_flex;
    while needed(&keep) > width {
        let Some(worst) = keep.iter().copied().filter(|i| cols[*i].drop_order > 0).max_by_key(|i| (cols[*i].drop_order, *i)) else { break };
        keep.retain(|i| *i != worst);
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn narrow_terminals_keep_the_name_and_the_main_counters() {
        let keep: Vec<&str> = fitting(ENTITY_COLUMNS, 78, 28).iter().map(|i| ENTITY_COLUMNS[*i].title).collect();
        for main in ["NAME", "CPU", "MEM", "FILE", "NET"] {
            assert!(keep.contains(&main), "{main} kept at 78 columns: {keep:?}");
        }
        assert!(keep.len() < ENTITY_COLUMNS.len(), "some column gives way at 78 columns: {keep:?}");
        assert_eq!(fitting(ENTITY_COLUMNS, 200, 28).len(), ENTITY_COLUMNS.len());
    }

    #[test]
    fn numbers_sort_largest_first_and_text_alphabetically() {
        let rows: Vec<Row> = [("b", 10), ("a", 300), ("c", 20)].iter().map(|(n, b)| entity_row(&json!({ "id": n, "name": n, "net_bytes": b }))).collect();
        let net = column_named(Listing::Entities { hierarchy: crate::views::Hierarchy::Logical, level: None, kind: None }, "net").unwrap();
        let mut by_net = rows.clone();
        sort(&mut by_net, net, false);
        assert_eq!(by_net.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["a", "c", "b"]);
        let mut by_name = rows;
        sort(&mut by_name, 0, false);
        assert_eq!(by_name.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        sort(&mut by_name, 0, true);
        assert_eq!(by_name[0].name, "c");
    }

    #[test]
    fn clock_is_utc_time_of_day() {
        assert_eq!(clock(((13 * 3600 + 4 * 60 + 5) * 1000 + 42) * 1_000_000), "13:04:05.042");
    }
}
