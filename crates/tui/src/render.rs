//! Drawing the state: header, table, detail pane, footer or prompt, help. Everything that
//! matters is said in text (the sorted column's arrow, the `>` of the selected row, the
//! prompt's caret under a filter's fault), so the screen reads the same without colours.

use crate::app::{App, PromptKind};
use crate::detail;
use crate::table::{columns, fitting};
use crate::theme::Theme;
use crate::time::Timeline;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

/// Below this the table has no room for a name and its main counters.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;
/// The name column keeps at least this many cells before other columns are dropped.
const MIN_NAME: u16 = 28;
const SELECTED_MARK: &str = "> ";

/// Where the last frame put the table's rows (for mouse clicks) and how many fit.
#[derive(Clone, Copy, Debug, Default)]
pub struct Geometry {
    pub rows_area: Rect,
    pub first_row: usize,
}

pub fn draw(f: &mut Frame, app: &mut App, theme: &Theme, state: &mut TableState) -> Geometry {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!("terminal too small ({}x{}): kinsight top needs at least {MIN_WIDTH}x{MIN_HEIGHT}; q quits", area.width, area.height);
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return Geometry::default();
    }
    let footer_height = if app.prompt.as_ref().is_some_and(|p| p.error.is_some()) { 2 } else { 1 };
    let detail_height = if app.detail_open { (area.height.saturating_sub(4) / 2).clamp(8, 16) } else { 0 };
    let [head, body, pane, foot] = Layout::vertical([Constraint::Length(2), Constraint::Min(3), Constraint::Length(detail_height), Constraint::Length(footer_height)]).areas(area);
    header(f, app, theme, head);
    let geometry = table(f, app, theme, body, state);
    if app.detail_open {
        app.chart_points = detail::chart_width(pane) as usize;
        detail::draw(f, app, theme, pane);
    }
    footer(f, app, theme, foot);
    if app.help {
        help(f, area);
    }
    geometry
}

fn header(f: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let time = app.timeline.describe(app.status.span_ns());
    let reading = if app.status.active && matches!(app.timeline, Timeline::Replay(_)) { " (reading)" } else { "" };
    let first = format!(" kinsight top │ {} │ {time}{reading} │ every {}", app.source_label, seconds(app.interval_s));
    let mut where_ = vec![app.view.name.to_string()];
    where_.extend(app.path.iter().map(|c| c.name.clone()));
    let mut second = format!(" {} │ {} rows", where_.join(" › "), rows_text(app));
    if let Some(flt) = &app.filter {
        second.push_str(&format!(" │ filter: {flt}"));
    }
    if let Some(s) = &app.search {
        second.push_str(&format!(" │ search '{s}': {} match", app.matches()));
    }
    let lines = vec![Line::from(Span::styled(first, theme.title())), Line::from(Span::styled(second, theme.subtitle()))];
    f.render_widget(Paragraph::new(lines).style(theme.header()), area);
}

fn rows_text(app: &App) -> String {
    if !app.loaded {
        return "loading…".into();
    }
    if app.total > app.rows.len() {
        format!("{} of {}", app.rows.len(), app.total)
    } else {
        app.rows.len().to_string()
    }
}

fn seconds(s: f64) -> String {
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

fn table(f: &mut Frame, app: &App, theme: &Theme, area: Rect, state: &mut TableState) -> Geometry {
    let cols = columns(app.listing());
    let mut keep = fitting(cols, area.width.saturating_sub(SELECTED_MARK.len() as u16), MIN_NAME);
    // The sorted column stays on screen even when it is one that would be dropped first.
    if !keep.contains(&app.sort_column) && app.sort_column < cols.len() {
        let worst = keep.iter().copied().filter(|i| cols[*i].width > 0).max_by_key(|i| cols[*i].drop_order);
        keep.retain(|i| Some(*i) != worst);
        keep.push(app.sort_column);
        keep.sort_unstable();
    }
    let arrow = if app.sort_reversed { "▲" } else { "▼" };
    let header = Row::new(keep.iter().map(|i| {
        let c = &cols[*i];
        let title = if *i == app.sort_column { format!("{}{arrow}", c.title) } else { c.title.to_string() };
        let line = if c.numeric { Line::from(title).right_aligned() } else { Line::from(title) };
        Cell::from(line)
    }))
    .style(theme.column_titles());
    let rows = app.rows.iter().map(|r| {
        Row::new(keep.iter().map(|i| {
            let text = r.cells.get(*i).map_or(String::new(), |c| c.text.clone());
            // `+` marks rows that open (Enter), as csysdig's drill-down does.
            let text = if *i == 0 && cols[0].width == 0 && r.openable { format!("{text} +") } else { text };
            if cols[*i].numeric {
                Cell::from(Line::from(text).right_aligned())
            } else {
                Cell::from(text)
            }
        }))
    });
    let widths = keep.iter().map(|i| if cols[*i].width == 0 { Constraint::Min(MIN_NAME) } else { Constraint::Length(cols[*i].width) });
    let empty = app.loaded && app.rows.is_empty();
    let widget = Table::new(rows, widths).header(header).row_highlight_style(theme.selected()).highlight_symbol(SELECTED_MARK).column_spacing(1);
    state.select((!app.rows.is_empty()).then_some(app.selected));
    f.render_stateful_widget(widget, area, state);
    if empty {
        let why = if app.filter.is_some() { "no rows match the filter" } else { "no rows" };
        let msg = Rect { y: area.y + 1, height: 1, ..area };
        f.render_widget(Paragraph::new(format!("  ({why})")), msg);
    }
    Geometry { rows_area: Rect { y: area.y + 1, height: area.height.saturating_sub(1), ..area }, first_row: state.offset() }
}

fn footer(f: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    if let Some(p) = &app.prompt {
        let lead = match p.kind {
            PromptKind::Command => ":",
            PromptKind::Filter => "filter /",
            PromptKind::Search => "find ",
        };
        let mut lines = vec![Line::from(vec![Span::styled(lead, theme.prompt()), Span::raw(p.text.clone())])];
        if let Some((msg, column)) = &p.error {
            let text = match column {
                // The caret stands under the offending character.
                Some(c) => format!("{}^ column {c}: {msg}", " ".repeat(lead.chars().count() + c.saturating_sub(1))),
                None => format!("{} {msg}", " ".repeat(lead.chars().count())),
            };
            lines.push(Line::from(Span::styled(text, theme.error())));
        } else if p.kind == PromptKind::Command {
            let names = crate::views::completions(&p.text);
            lines[0].spans.push(Span::styled(format!("   {}", names.join(" ")), theme.hint()));
        }
        f.render_widget(Paragraph::new(lines), area);
        f.set_cursor_position((area.x + (lead.chars().count() + p.cursor) as u16, area.y));
        return;
    }
    let text = match (&app.message, &app.source_error, &app.status.live_message) {
        (Some(m), _, _) => Span::styled(format!(" {m}"), theme.error()),
        (_, Some(e), _) => Span::styled(format!(" {e} (retrying)"), theme.error()),
        (_, _, Some(m)) => Span::styled(format!(" {m}"), theme.error()),
        _ => {
            let time = match app.timeline {
                Timeline::Replay(_) => "␣ play [] step ",
                Timeline::Live { .. } => "w window ",
            };
            Span::styled(format!(" ?help :view /filter f find ⏎ open ⌫ back d detail <> sort {time}q quit"), theme.hint())
        }
    };
    f.render_widget(Paragraph::new(Line::from(text)), area);
}

const HELP: &[(&str, &str)] = &[
    ("↑ ↓ j k PgUp PgDn g G", "move the selection"),
    ("Enter → l", "open the selected row (what is inside it), or its detail"),
    ("Backspace ← h Esc", "back up one level"),
    (": or F2", "view or command: containers procs connections httplog kubernetes_pods ..."),
    ("", "physical logical services (hierarchies), sort COLUMN, filter EXPR, quit"),
    ("t", "next hierarchy: physical › logical › services"),
    ("/ or F4", "filter, sysdig syntax: k8s.ns.name=critical-app and proc.name contains ng"),
    ("f or F3, n N", "find rows by name, next, previous"),
    ("< > , .", "sort by the column to the left / right"),
    ("I", "invert the sort"),
    ("d", "detail pane of the selected row, with charts"),
    ("space", "capture: play / pause (a step per refresh)"),
    ("[ ]", "capture: step back / forward"),
    ("w", "live: widen the window (10 s, 1 min, 10 min, 1 h)"),
    ("r", "refresh now"),
    ("q Ctrl-C", "quit"),
];

fn help(f: &mut Frame, area: Rect) {
    let width = area.width.saturating_sub(4).min(96);
    let height = (HELP.len() as u16 + 3).min(area.height.saturating_sub(2));
    let popup = Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height };
    let lines: Vec<Line> = HELP.iter().map(|(k, what)| Line::from(format!("{k:>22}  {what}"))).collect();
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(Block::default().borders(Borders::ALL).title(" keys (any key closes) ")), popup);
}
