//! The fetch thread: the UI says what it wants to see ([`Want`]), this thread asks the
//! [`Source`] for it and hands back a [`Fetched`]. API calls never run on the drawing
//! loop, so a slow or dead server leaves the UI responsive and says so.

use crate::source::{Source, SourceError};
use crate::table::{connection_row, entity_row, http_row, Row};
use crate::time::Timeline;
use crate::views::Listing;
use serde_json::Value;
use std::sync::mpsc::{channel, Receiver, Sender};

/// Everything one screen needs from the API.
#[derive(Clone, Debug, PartialEq)]
pub struct Want {
    /// Changes whenever what is asked for changes (view, drill-down, filter, time): a reply
    /// to an older state is not shown.
    pub state: u64,
    pub listing: Listing,
    /// The entity drilled into, if any.
    pub parent: Option<String>,
    pub filter: Option<String>,
    pub timeline: Timeline,
    /// The entity of the detail pane and how many chart points fit.
    pub detail: Option<(String, usize)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    /// First and last nanosecond of the data, once there is some.
    pub data: Option<(u64, u64)>,
    /// `replay` or `live`.
    pub mode: String,
    /// A source still adds data (a replay being read).
    pub active: bool,
    /// Why this host is not watched, in live mode.
    pub live_message: Option<String>,
}

impl Status {
    pub fn span_ns(&self) -> Option<u64> {
        self.data.map(|(a, z)| z.saturating_sub(a))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub rows: Vec<Row>,
    /// Rows the API has in all (it may return fewer).
    pub total: usize,
}

/// What the detail pane shows of an entity.
#[derive(Clone, Debug, PartialEq)]
pub struct Detail {
    pub id: String,
    /// The `/api/entity` reply: kind, name, attributes, paths, totals.
    pub entity: Value,
    /// Chart name and values, one per history bucket.
    pub series: Vec<(&'static str, Vec<f64>)>,
    pub resolution_s: f64,
}

#[derive(Debug)]
pub struct Fetched {
    pub state: u64,
    pub status: Result<Status, SourceError>,
    pub table: Result<Table, SourceError>,
    pub detail: Option<Result<Detail, SourceError>>,
}

pub struct Fetcher {
    wants: Sender<Want>,
    pub replies: Receiver<Fetched>,
}

impl Fetcher {
    /// Starts the thread; it ends when the `Fetcher` is dropped.
    pub fn spawn(source: Box<dyn Source>) -> Fetcher {
        let (wants, want_rx) = channel::<Want>();
        let (reply_tx, replies) = channel();
        std::thread::Builder::new()
            .name("kinsight-top-fetch".into())
            .spawn(move || {
                while let Ok(mut want) = want_rx.recv() {
                    // Only the newest of several queued wants is worth asking for.
                    while let Ok(newer) = want_rx.try_recv() {
                        want = newer;
                    }
                    if reply_tx.send(fetch(source.as_ref(), &want)).is_err() {
                        break;
                    }
                }
            })
            .expect("spawning a thread");
        Fetcher { wants, replies }
    }

    pub fn ask(&self, want: Want) {
        // The thread only stops when this side is dropped.
        let _ = self.wants.send(want);
    }
}

pub fn status(source: &dyn Source) -> Result<Status, SourceError> {
    let v = source.get("/api/status", &[])?;
    let data = v["data"]["from"].as_u64().zip(v["data"]["to"].as_u64());
    Ok(Status {
        data,
        mode: v["mode"]["kind"].as_str().unwrap_or("live").to_string(),
        active: v["active"].as_bool().unwrap_or(false),
        live_message: v["live_message"].as_str().map(str::to_string),
    })
}

pub fn fetch(source: &dyn Source, want: &Want) -> Fetched {
    let status = status(source);
    let data = status.as_ref().ok().and_then(|s| s.data);
    let range = want.timeline.params(data);
    let table = table(source, want, &range);
    let detail = want.detail.as_ref().map(|(id, points)| detail(source, id, *points, &range));
    Fetched { state: want.state, status, table, detail }
}

fn table(source: &dyn Source, want: &Want, range: &[(&'static str, String)]) -> Result<Table, SourceError> {
    let mut q: Vec<(&str, String)> = range.to_vec();
    if let Some(f) = &want.filter {
        q.push(("filter", f.clone()));
    }
    let (path, make): (&str, fn(&Value) -> Row) = match want.listing {
        Listing::Entities { hierarchy, level, .. } => {
            q.push(("hierarchy", hierarchy.name().to_string()));
            match (&want.parent, level) {
                // Inside an entity the API picks the level below it.
                (Some(p), _) => q.push(("parent", p.clone())),
                (None, Some(l)) => q.push(("level", l.to_string())),
                (None, None) => {}
            }
            ("/api/entities", entity_row)
        }
        Listing::Connections => {
            q.extend(want.parent.iter().map(|p| ("entity", p.clone())));
            ("/api/connections", connection_row)
        }
        Listing::Http => {
            q.extend(want.parent.iter().map(|p| ("entity", p.clone())));
            q.push(("limit", "2000".into()));
            ("/api/http", http_row)
        }
    };
    let v = source.get(path, &q)?;
    let mut rows: Vec<Row> = v["rows"].as_array().map(|a| a.iter().map(make).collect()).unwrap_or_default();
    if let Listing::Entities { kind: Some(kind), .. } = want.listing {
        if want.parent.is_none() {
            rows.retain(|r| r.cells.get(1).is_some_and(|c| c.text == kind));
        }
    }
    let total = v["total"].as_u64().map_or(rows.len(), |t| t as usize);
    Ok(Table { total: total.max(rows.len()), rows })
}

/// The charts of the detail pane, from `/api/series` columns.
const CHARTS: &[(&str, &str)] = &[("CPU %", "cpu_pct"), ("NET in B/s", "net_in_bps"), ("NET out B/s", "net_out_bps"), ("FILE B/s", "file_read_bps"), ("HTTP req/s", "http_rps")];

fn detail(source: &dyn Source, id: &str, points: usize, range: &[(&'static str, String)]) -> Result<Detail, SourceError> {
    let mut q: Vec<(&str, String)> = range.to_vec();
    q.push(("id", id.to_string()));
    let entity = source.get("/api/entity", &q)?;
    let mut q: Vec<(&str, String)> = range.to_vec();
    q.push(("entity", id.to_string()));
    q.push(("points", points.clamp(2, 5000).to_string()));
    let s = source.get("/api/series", &q)?;
    let s = &s["series"];
    let column = |k: &str| -> Vec<f64> { s[k].as_array().map(|a| a.iter().map(|v| v.as_f64().unwrap_or(0.0)).collect()).unwrap_or_default() };
    let mut series: Vec<(&'static str, Vec<f64>)> = CHARTS.iter().map(|(title, key)| (*title, column(key))).collect();
    // File bytes are read plus written, as in the table's FILE column.
    if let Some((_, file)) = series.iter_mut().find(|(t, _)| *t == "FILE B/s") {
        for (a, b) in file.iter_mut().zip(column("file_write_bps")) {
            *a += b;
        }
    }
    Ok(Detail { id: id.to_string(), entity, series, resolution_s: s["resolution_s"].as_f64().unwrap_or(1.0) })
}
