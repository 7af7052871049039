//! kinsight-tui: `kinsight top`, a full-screen terminal UI over kinsight's HTTP API.
//!
//! Owns: the UI's state machine ([`app`]: view, hierarchy, drill-down path, sort, filter,
//! search, detail pane, prompt, time cursor), drawing it with ratatui ([`render`],
//! [`detail`]), the terminal's setup and its restoration on exit and on panic, the fetch
//! thread ([`fetch`]), and the one [`Source`] trait the data comes through: a remote
//! server's API ([`HttpSource`]) or the server of `kinsight up` run in this process
//! ([`LocalServer`]).
//! Must not: compute anything the API does not serve (every number shown is the API's, so
//! `top`, the web UI and `kinsight up` agree), read captures or the host itself, or block
//! the drawing loop on the network.

pub mod app;
pub mod detail;
pub mod fetch;
mod local;
pub mod render;
pub mod source;
pub mod table;
mod terminal;
pub mod theme;
pub mod time;
pub mod views;

pub use local::LocalServer;
pub use source::{HttpSource, Source, SourceError};

use app::App;
use fetch::{Fetcher, Want};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind};
use ratatui::widgets::TableState;
use std::io::IsTerminal;
use std::time::{Duration, Instant};
use time::Timeline;

pub struct TopOptions {
    /// How often the tables are asked for again (and a playing replay moves on).
    pub interval: Duration,
    /// The view shown first (a csysdig name, a hierarchy or an alias).
    pub view: String,
    /// Live data: the window the tables total, in seconds.
    pub window_s: u64,
    /// Select and scroll with the mouse (the terminal then no longer selects text).
    pub mouse: bool,
}

#[derive(Debug)]
pub enum TopError {
    Source(SourceError),
    UnknownView(String),
    NotATerminal,
    Terminal(std::io::Error),
}

impl std::fmt::Display for TopError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TopError::Source(e) => write!(f, "{e}"),
            TopError::UnknownView(v) => {
                let names: Vec<&str> = views::VIEWS.iter().map(|v| v.name).collect();
                write!(f, "unknown view '{v}'; views: {}", names.join(", "))
            }
            TopError::NotATerminal => write!(f, "kinsight top draws on a terminal, and standard input or output is not one (for text output use kinsight read, live or k8s)"),
            TopError::Terminal(e) => write!(f, "the terminal failed: {e}"),
        }
    }
}

impl std::error::Error for TopError {}

/// While a reply is awaited the loop looks for it this often; otherwise it sleeps until a
/// key or the next refresh, so an idle UI costs next to nothing.
const REPLY_POLL: Duration = Duration::from_millis(25);

/// Runs the UI until the user quits. Checks the source first, so that an unreachable
/// server or a wrong token is an error message, not an empty screen.
pub fn run(source: Box<dyn Source>, opts: TopOptions) -> Result<(), TopError> {
    let view = views::find(&opts.view).ok_or_else(|| TopError::UnknownView(opts.view.clone()))?;
    let status = fetch::status(source.as_ref()).map_err(TopError::Source)?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(TopError::NotATerminal);
    }
    let timeline = if status.mode == "replay" { Timeline::replay(1_000_000_000) } else { Timeline::Live { window_s: opts.window_s.max(1) } };
    let mut app = App::new(view, timeline, source.describe(), opts.interval.as_secs_f64());
    app.status = status;
    let fetcher = Fetcher::spawn(source);
    let mut term = terminal::Session::enter(opts.mouse).map_err(TopError::Terminal)?;
    let result = event_loop(&mut term, &mut app, &fetcher, opts.interval).map_err(TopError::Terminal);
    drop(term);
    // The process ends next: the fetch thread (which may be waiting on a reply) and an
    // in-process server's threads are left to the exit instead of being stopped one by one,
    // which only delays it.
    std::mem::forget(fetcher);
    result
}

fn event_loop(term: &mut terminal::Session, app: &mut App, fetcher: &Fetcher, interval: Duration) -> std::io::Result<()> {
    let theme = theme::Theme::from_env();
    let mut table_state = TableState::default();
    let mut geometry = render::Geometry::default();
    let mut next_refresh = Instant::now() + interval;
    let mut asked: Option<Want> = None;
    let mut in_flight = false;
    let mut refresh_due = true;
    let mut redraw = true;
    loop {
        let want = app.want();
        if !in_flight && (refresh_due || asked.as_ref() != Some(&want)) {
            fetcher.ask(want.clone());
            asked = Some(want);
            in_flight = true;
            refresh_due = false;
        }
        if redraw {
            term.terminal.draw(|f| geometry = render::draw(f, app, &theme, &mut table_state))?;
            redraw = false;
        }
        if app.quit {
            return Ok(());
        }
        let until_refresh = next_refresh.saturating_duration_since(Instant::now());
        let wait = if in_flight { until_refresh.min(REPLY_POLL) } else { until_refresh };
        if event::poll(wait)? {
            match event::read()? {
                Event::Key(k) if k.kind == KeyEventKind::Press => {
                    app.on_key(k, geometry.rows_area.height as usize);
                    redraw = true;
                }
                Event::Mouse(m) => {
                    let page = geometry.rows_area.height as usize;
                    match m.kind {
                        MouseEventKind::ScrollDown => app.on_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE), page),
                        MouseEventKind::ScrollUp => app.on_key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE), page),
                        MouseEventKind::Down(MouseButton::Left) if geometry.rows_area.height > 0 => {
                            let r = geometry.rows_area;
                            if m.row >= r.y && m.row < r.y + r.height {
                                app.click(geometry.first_row + (m.row - r.y) as usize);
                            }
                        }
                        _ => {}
                    }
                    redraw = true;
                }
                Event::Resize(..) => redraw = true,
                _ => {}
            }
        }
        while let Ok(reply) = fetcher.replies.try_recv() {
            app.apply(reply);
            in_flight = false;
            redraw = true;
        }
        if Instant::now() >= next_refresh {
            app.tick();
            refresh_due = true;
            next_refresh = Instant::now() + interval;
        }
    }
}
