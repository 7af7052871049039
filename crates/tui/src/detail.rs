//! The detail pane: what the API says about the selected entity (attributes, totals) and a
//! small chart (sparkline) per counter over the time shown. Rows that are not entities
//! (connections, HTTP transactions) show their own fields.

use crate::app::App;
use crate::fetch::Detail;
use crate::theme::Theme;
use kinsight_analysis::human::bytes;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline, Wrap};
use ratatui::Frame;
use serde_json::Value;

/// The share of the pane's width the charts get.
const CHART_PERCENT: u16 = 55;

fn split(pane: Rect) -> [Rect; 2] {
    let inner = Block::default().borders(Borders::ALL).inner(pane);
    Layout::horizontal([Constraint::Percentage(100 - CHART_PERCENT), Constraint::Percentage(CHART_PERCENT)]).spacing(2).areas(inner)
}

/// How many chart points fit (one per cell).
pub fn chart_width(pane: Rect) -> u16 {
    split(pane)[1].width.max(2)
}

pub fn draw(f: &mut Frame, app: &App, theme: &Theme, pane: Rect) {
    let row = app.selected_row();
    let title = match row {
        Some(r) => format!(" detail: {} ", r.entity.as_deref().unwrap_or(&r.name)),
        None => " detail ".into(),
    };
    f.render_widget(Block::default().borders(Borders::ALL).title(title), pane);
    let [facts, charts] = split(pane);
    let Some(row) = row else { return };
    if row.entity.is_none() {
        f.render_widget(Paragraph::new(flatten(&row.raw)).wrap(Wrap { trim: true }), Rect { width: facts.width + charts.width, ..facts });
        return;
    }
    match &app.detail {
        None => f.render_widget(Paragraph::new("loading…"), facts),
        Some(Err(e)) => f.render_widget(Paragraph::new(e.to_string()).style(theme.error()).wrap(Wrap { trim: true }), facts),
        Some(Ok(d)) => {
            f.render_widget(Paragraph::new(entity_lines(d)).wrap(Wrap { trim: true }), facts);
            draw_charts(f, d, theme, charts);
        }
    }
}

fn entity_lines(d: &Detail) -> Vec<Line<'static>> {
    let e = &d.entity;
    let mut lines = vec![Line::from(format!("{} {}", e["kind"].as_str().unwrap_or(""), e["name"].as_str().unwrap_or("")))];
    if let Some(ns) = e["namespace"].as_str() {
        lines.push(Line::from(format!("namespace: {ns}")));
    }
    if let Some(path) = e["paths"]["logical"].as_array().filter(|p| p.len() > 1) {
        let names: Vec<&str> = path.iter().filter_map(|p| p["name"].as_str()).collect();
        lines.push(Line::from(format!("logical: {}", names.join(" › "))));
    }
    let t = &e["totals"];
    if t.is_object() {
        lines.push(Line::from(format!(
            "CPU {:.2}%  MEM {}  NET {} (in {} out {})  FILE {}",
            t["cpu_pct"].as_f64().unwrap_or(0.0),
            bytes(t["memory_bytes"].as_u64().unwrap_or(0)),
            bytes(t["net_bytes"].as_u64().unwrap_or(0)),
            bytes(t["net_in_bytes"].as_u64().unwrap_or(0)),
            bytes(t["net_out_bytes"].as_u64().unwrap_or(0)),
            bytes(t["file_bytes"].as_u64().unwrap_or(0)),
        )));
        if t["http_requests"].as_u64().unwrap_or(0) > 0 || t["http_out_requests"].as_u64().unwrap_or(0) > 0 {
            lines.push(Line::from(format!(
                "HTTP served {} ({} errors, {:.2} ms), sent {}",
                t["http_requests"].as_u64().unwrap_or(0),
                t["http_errors"].as_u64().unwrap_or(0),
                t["http_latency_ms"].as_f64().unwrap_or(0.0),
                t["http_out_requests"].as_u64().unwrap_or(0)
            )));
        }
    }
    for l in flatten(&e["attributes"]).lines {
        lines.push(l);
    }
    if let Some(filter) = e["filter"].as_str() {
        lines.push(Line::from(format!("filter: {filter}")));
    }
    lines
}

/// `key: value` lines of a JSON object, nested objects as `key.sub: value`, lists joined.
fn flatten(v: &Value) -> ratatui::text::Text<'static> {
    let mut out = Vec::new();
    fn walk(prefix: &str, v: &Value, out: &mut Vec<Line<'static>>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(&key, v, out);
                }
            }
            Value::Null => {}
            Value::Array(a) if a.is_empty() => {}
            Value::Array(a) => {
                let parts: Vec<String> = a.iter().map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| compact(x))).collect();
                out.push(Line::from(format!("{prefix}: {}", parts.join(", "))));
            }
            Value::String(s) => out.push(Line::from(format!("{prefix}: {s}"))),
            other => out.push(Line::from(format!("{prefix}: {other}"))),
        }
    }
    walk("", v, &mut out);
    out.into()
}

/// An object in one short line: its name, else its JSON.
fn compact(v: &Value) -> String {
    match (v["kind"].as_str(), v["name"].as_str()) {
        (Some(k), Some(n)) => format!("{k}/{n}"),
        (None, Some(n)) => n.to_string(),
        _ => v.to_string(),
    }
}

fn draw_charts(f: &mut Frame, d: &Detail, theme: &Theme, area: Rect) {
    // A label line (what it is, its latest and largest value) above each chart; charts
    // share the height left, at least one line each.
    let shown = d.series.len().min((area.height / 2) as usize).max(1);
    let per_chart = (area.height / shown as u16).max(2);
    for (i, (title, values)) in d.series.iter().take(shown).enumerate() {
        let y = area.y + per_chart * i as u16;
        let last = values.last().copied().unwrap_or(0.0);
        let max = values.iter().copied().fold(0.0, f64::max);
        let show = |v: f64| if title.contains("B/s") { format!("{}/s", bytes(v as u64)) } else { format!("{v:.2}") };
        let label = format!("{title}: now {} max {}  ({} s points)", show(last), show(max), d.resolution_s);
        f.render_widget(Paragraph::new(label), Rect { y, height: 1, ..area });
        // Sparklines take integers: hundredths keep small rates visible.
        let data: Vec<u64> = values.iter().rev().take(area.width as usize).rev().map(|v| (v * 100.0).round().max(0.0) as u64).collect();
        let chart = Sparkline::default().data(&data).style(theme.chart());
        f.render_widget(chart, Rect { y: y + 1, height: per_chart - 1, ..area });
    }
}
