//! The UI's state and how keys change it: the view, the drill-down path, sort, filter,
//! search, the detail pane, the prompt and the time cursor. Nothing here draws or does
//! I/O: keys come in, [`Want`]s go out, [`Fetched`] replies come back.

use crate::fetch::{Detail, Fetched, Status, Want};
use crate::source::SourceError;
use crate::table::{self, column_named, columns, Row};
use crate::time::Timeline;
use crate::views::{self, Hierarchy, Listing, View};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One step of a drill-down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crumb {
    pub id: String,
    pub name: String,
    /// Where the selection was, to return to it on the way back.
    selected: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    /// `:` a view or a command.
    Command,
    /// `/` a sysdig filter.
    Filter,
    /// `f` text to find among the rows' names.
    Search,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
    /// In characters.
    pub cursor: usize,
    /// What was wrong with the last submission; for a filter, the column of the fault.
    pub error: Option<(String, Option<usize>)>,
}

impl Prompt {
    fn new(kind: PromptKind, text: String) -> Prompt {
        Prompt { kind, cursor: text.chars().count(), text, error: None }
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text.char_indices().nth(chars).map_or(self.text.len(), |(i, _)| i)
    }

    /// Edits the text; returns false for keys that are not editing.
    fn edit(&mut self, key: KeyEvent) -> bool {
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.text.clear();
                self.cursor = 0;
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            _ => return false,
        }
        self.error = None;
        true
    }
}

pub struct App {
    pub view: &'static View,
    pub path: Vec<Crumb>,
    pub filter: Option<String>,
    /// A filter just submitted, and the one to go back to if the API refuses it.
    filter_on_trial: Option<Option<String>>,
    pub sort_column: usize,
    pub sort_reversed: bool,
    pub search: Option<String>,
    pub rows: Vec<Row>,
    pub total: usize,
    pub selected: usize,
    /// The table has an answer for the current state (else it shows "loading").
    pub loaded: bool,
    pub detail_open: bool,
    pub detail: Option<Result<Detail, SourceError>>,
    pub prompt: Option<Prompt>,
    pub help: bool,
    /// One line for the footer: what went wrong, or what a key did.
    pub message: Option<String>,
    pub timeline: Timeline,
    pub status: Status,
    /// The source could not be asked lately.
    pub source_error: Option<String>,
    pub source_label: String,
    pub interval_s: f64,
    pub quit: bool,
    state: u64,
    /// Chart points the detail pane has room for (set by the renderer).
    pub chart_points: usize,
}

impl App {
    pub fn new(view: &'static View, timeline: Timeline, source_label: String, interval_s: f64) -> App {
        let mut app = App {
            view,
            path: Vec::new(),
            filter: None,
            filter_on_trial: None,
            sort_column: 0,
            sort_reversed: false,
            search: None,
            rows: Vec::new(),
            total: 0,
            selected: 0,
            loaded: false,
            detail_open: false,
            detail: None,
            prompt: None,
            help: false,
            message: None,
            timeline,
            status: Status::default(),
            source_error: None,
            source_label,
            interval_s,
            quit: false,
            state: 0,
            chart_points: 60,
        };
        app.sort_column = default_sort(view.listing);
        app
    }

    pub fn listing(&self) -> Listing {
        self.view.listing
    }

    /// What the screen needs now.
    pub fn want(&self) -> Want {
        let detail = if self.detail_open { self.selected_row().and_then(|r| r.entity.clone()).map(|id| (id, self.chart_points)) } else { None };
        Want {
            state: self.state,
            listing: self.listing(),
            parent: self.path.last().map(|c| c.id.clone()),
            filter: self.filter.clone(),
            timeline: self.timeline,
            detail,
        }
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }

    /// What is asked for changed: older replies no longer apply.
    fn changed(&mut self) {
        self.state += 1;
        self.loaded = false;
        self.detail = None;
    }

    pub fn switch_view(&mut self, view: &'static View) {
        if view.listing != self.view.listing {
            self.sort_column = default_sort(view.listing);
            self.sort_reversed = false;
        }
        self.view = view;
        self.path.clear();
        self.rows.clear();
        self.selected = 0;
        self.changed();
    }

    /// Called every refresh interval.
    pub fn tick(&mut self) {
        let before = self.timeline;
        self.timeline.tick(self.status.span_ns().unwrap_or(0));
        if self.timeline != before {
            self.state += 1;
        }
    }

    pub fn apply(&mut self, f: Fetched) {
        match f.status {
            Ok(s) => {
                self.status = s;
                self.source_error = None;
            }
            Err(e) => self.source_error = Some(e.to_string()),
        }
        if f.state != self.state {
            return;
        }
        match f.table {
            Ok(t) => {
                if self.filter_on_trial.take().is_some() {
                    self.message = None;
                }
                let keep = self.selected_row().map(row_key);
                self.rows = t.rows;
                self.total = t.total;
                self.sort_rows();
                self.selected = keep.and_then(|k| self.rows.iter().position(|r| row_key(r) == k)).unwrap_or(self.selected).min(self.rows.len().saturating_sub(1));
                self.loaded = true;
            }
            Err(SourceError::Api(p)) if p.param.as_deref() == Some("filter") => {
                // The filter goes back to what it was, and its prompt opens again at fault.
                let text = self.filter.clone().unwrap_or_default();
                self.filter = self.filter_on_trial.take().unwrap_or(None);
                let mut prompt = Prompt::new(PromptKind::Filter, text);
                prompt.error = Some((p.message.clone(), p.column));
                self.prompt = Some(prompt);
                self.changed();
            }
            Err(e) => {
                self.message = Some(e.to_string());
                self.loaded = true;
            }
        }
        if let Some(d) = f.detail {
            self.detail = Some(d);
        }
    }

    fn sort_rows(&mut self) {
        table::sort(&mut self.rows, self.sort_column, self.sort_reversed);
    }

    fn resort(&mut self) {
        let keep = self.selected_row().map(row_key);
        self.sort_rows();
        self.selected = keep.and_then(|k| self.rows.iter().position(|r| row_key(r) == k)).unwrap_or(0);
    }

    pub fn sort_title(&self) -> &'static str {
        columns(self.listing()).get(self.sort_column).map_or("", |c| c.title)
    }

    fn move_selection(&mut self, by: isize) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() as isize - 1;
        let next = (self.selected as isize + by).clamp(0, last) as usize;
        self.select(next);
    }

    fn select(&mut self, i: usize) {
        if i != self.selected {
            self.selected = i;
            // The detail pane follows the selection.
            if self.detail_open {
                self.state += 1;
                self.detail = None;
            }
        }
    }

    /// Selects the row at `i` of the visible rows (a mouse click).
    pub fn click(&mut self, i: usize) {
        if i < self.rows.len() {
            self.select(i);
        }
    }

    fn open_selected(&mut self) {
        let Some(row) = self.selected_row().cloned() else { return };
        match (&row.entity, row.openable) {
            (Some(id), true) => {
                self.path.push(Crumb { id: id.clone(), name: row.name.clone(), selected: self.selected });
                self.rows.clear();
                self.selected = 0;
                self.search = None;
                self.changed();
            }
            // A row with nothing below: Enter describes it.
            _ => self.toggle_detail(true),
        }
    }

    fn back(&mut self) {
        if let Some(c) = self.path.pop() {
            self.rows.clear();
            self.selected = c.selected;
            self.changed();
        }
    }

    fn toggle_detail(&mut self, open: bool) {
        self.detail_open = open;
        self.state += 1;
        self.detail = None;
    }

    fn find(&mut self, forward: bool, from_next: bool) {
        let Some(needle) = self.search.as_ref().map(|s| s.to_lowercase()) else { return };
        let n = self.rows.len();
        if n == 0 {
            return;
        }
        let start = if from_next { 1 } else { 0 };
        let hit = (start..n + start).map(|k| if forward { (self.selected + k) % n } else { (self.selected + n - k % n) % n }).find(|i| self.rows[*i].name.to_lowercase().contains(&needle));
        match hit {
            Some(i) => {
                self.select(i);
                self.message = None;
            }
            None => self.message = Some(format!("no row matches '{needle}'")),
        }
    }

    /// How many rows match the search, for the header.
    pub fn matches(&self) -> usize {
        self.search.as_ref().map_or(0, |s| {
            let s = s.to_lowercase();
            self.rows.iter().filter(|r| r.name.to_lowercase().contains(&s)).count()
        })
    }

    pub fn on_key(&mut self, key: KeyEvent, page: usize) {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        if self.prompt.is_some() {
            self.on_prompt_key(key);
            return;
        }
        if self.help {
            // Any key closes help; q still quits.
            self.help = false;
            if key.code != KeyCode::Char('q') {
                return;
            }
        }
        self.message = None;
        let span = self.status.span_ns().unwrap_or(0);
        match key.code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Char('?') | KeyCode::F(1) => self.help = true,
            KeyCode::Char(':') | KeyCode::F(2) => self.prompt = Some(Prompt::new(PromptKind::Command, String::new())),
            KeyCode::Char('/') | KeyCode::F(4) => self.prompt = Some(Prompt::new(PromptKind::Filter, self.filter.clone().unwrap_or_default())),
            KeyCode::Char('f') | KeyCode::F(3) => self.prompt = Some(Prompt::new(PromptKind::Search, self.search.clone().unwrap_or_default())),
            KeyCode::Char('n') => self.find(true, true),
            KeyCode::Char('N') => self.find(false, true),
            KeyCode::Down | KeyCode::Char('j') => self.move_selection(1),
            KeyCode::Up | KeyCode::Char('k') => self.move_selection(-1),
            KeyCode::PageDown => self.move_selection(page.max(1) as isize),
            KeyCode::PageUp => self.move_selection(-(page.max(1) as isize)),
            KeyCode::Home | KeyCode::Char('g') => self.move_selection(isize::MIN / 2),
            KeyCode::End | KeyCode::Char('G') => self.move_selection(isize::MAX / 2),
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => self.open_selected(),
            KeyCode::Backspace | KeyCode::Left | KeyCode::Char('h') => self.back(),
            KeyCode::Esc => {
                if self.detail_open {
                    self.toggle_detail(false);
                } else if self.search.is_some() {
                    self.search = None;
                } else {
                    self.back();
                }
            }
            KeyCode::Char('d') => self.toggle_detail(!self.detail_open),
            KeyCode::Char('>') | KeyCode::Char('.') => {
                let n = columns(self.listing()).len();
                self.sort_column = (self.sort_column + 1) % n;
                self.resort();
            }
            KeyCode::Char('<') | KeyCode::Char(',') => {
                let n = columns(self.listing()).len();
                self.sort_column = (self.sort_column + n - 1) % n;
                self.resort();
            }
            KeyCode::Char('I') => {
                self.sort_reversed = !self.sort_reversed;
                self.resort();
            }
            KeyCode::Char('t') => {
                let next = match self.listing() {
                    Listing::Entities { hierarchy, level: None, .. } => hierarchy.next(),
                    _ => Hierarchy::Physical,
                };
                self.switch_view(views::of_hierarchy(next));
            }
            KeyCode::Char(' ') => self.time_change(|t, _| t.toggle_play(), span),
            KeyCode::Char(']') => self.time_change(|t, s| t.step(true, s), span),
            KeyCode::Char('[') => self.time_change(|t, s| t.step(false, s), span),
            KeyCode::Char('w') => self.time_change(|t, _| t.widen(), span),
            KeyCode::Char('r') => self.state += 1,
            _ => {}
        }
    }

    fn time_change(&mut self, f: impl FnOnce(&mut Timeline, u64), span: u64) {
        let before = self.timeline;
        f(&mut self.timeline, span);
        if before != self.timeline {
            self.state += 1;
        } else {
            self.message = Some(match self.timeline {
                Timeline::Live { .. } => "live data: play, pause and step are for captures (w widens the window)".into(),
                Timeline::Replay(_) => "a capture: w is for live data (space plays, [ and ] step)".into(),
            });
        }
    }

    fn on_prompt_key(&mut self, key: KeyEvent) {
        let Some(p) = self.prompt.as_mut() else { return };
        match key.code {
            KeyCode::Esc => self.prompt = None,
            KeyCode::Backspace if p.text.is_empty() => self.prompt = None,
            KeyCode::Tab if p.kind == PromptKind::Command => {
                if let [one] = views::completions(&p.text)[..] {
                    p.text = one.to_string();
                    p.cursor = p.text.chars().count();
                }
            }
            KeyCode::Enter => {
                let p = self.prompt.take().expect("a prompt");
                self.submit(p);
            }
            _ => {
                p.edit(key);
            }
        }
    }

    fn submit(&mut self, mut p: Prompt) {
        let text = p.text.trim().to_string();
        match p.kind {
            PromptKind::Filter => {
                let new = (!text.is_empty()).then_some(text);
                if new != self.filter {
                    self.filter_on_trial = Some(self.filter.take());
                    self.filter = new;
                    self.rows.clear();
                    self.changed();
                }
            }
            PromptKind::Search => {
                self.search = (!text.is_empty()).then_some(text);
                self.find(true, false);
            }
            PromptKind::Command => {
                if let Err(e) = self.command(&text) {
                    p.error = Some((e, None));
                    self.prompt = Some(p);
                }
            }
        }
    }

    /// `:` commands: a view's name, `sort COLUMN`, `filter EXPR`, `quit`, `help`.
    fn command(&mut self, text: &str) -> Result<(), String> {
        let (word, rest) = text.split_once(char::is_whitespace).map_or((text, ""), |(w, r)| (w, r.trim()));
        match word {
            "" => Ok(()),
            "q" | "quit" | "q!" => {
                self.quit = true;
                Ok(())
            }
            "help" => {
                self.help = true;
                Ok(())
            }
            "sort" => {
                let column = column_named(self.listing(), rest).ok_or_else(|| {
                    let titles: Vec<&str> = columns(self.listing()).iter().map(|c| c.title).collect();
                    format!("no column '{rest}' in this view; columns: {}", titles.join(" "))
                })?;
                self.sort_column = column;
                self.sort_reversed = false;
                self.resort();
                Ok(())
            }
            "filter" => {
                self.submit(Prompt::new(PromptKind::Filter, rest.to_string()));
                Ok(())
            }
            name => match views::find(name) {
                Some(v) => {
                    self.switch_view(v);
                    Ok(())
                }
                None => match views::NOT_OFFERED.iter().find(|(n, _)| *n == name) {
                    Some((n, why)) => Err(format!("{n}: {why}")),
                    None => Err(format!("unknown view or command '{name}'; views: {}", views::VIEWS.iter().map(|v| v.name).collect::<Vec<_>>().join(" "))),
                },
            },
        }
    }
}

/// What identifies a row across refreshes.
fn row_key(r: &Row) -> String {
    r.entity.clone().unwrap_or_else(|| r.name.clone())
}

/// NET for tables of entities and connections (csysdig's usual order), newest first for
/// the HTTP log.
fn default_sort(listing: Listing) -> usize {
    match listing {
        Listing::Http => 0,
        l => column_named(l, "NET").unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Table;
    use crate::source::ApiProblem;
    use ratatui::crossterm::event::KeyEvent;
    use serde_json::json;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn typed(app: &mut App, s: &str) {
        for c in s.chars() {
            app.on_key(key(KeyCode::Char(c)), 10);
        }
    }

    fn reply(app: &App, table: Result<Table, SourceError>) -> Fetched {
        Fetched { state: app.want().state, status: Ok(Status::default()), table, detail: None }
    }

    fn rows(names: &[(&str, bool)]) -> Table {
        let rows: Vec<Row> = names.iter().map(|(n, open)| table::entity_row(&json!({ "id": format!("x:{n}"), "name": n, "has_children": open }))).collect();
        Table { total: rows.len(), rows }
    }

    fn app() -> App {
        App::new(views::find("logical").unwrap(), Timeline::replay(1_000_000_000), "test".into(), 1.0)
    }

    #[test]
    fn enter_drills_down_and_backspace_comes_back_to_the_same_row() {
        let mut a = app();
        a.apply(reply(&a, Ok(rows(&[("a", true), ("b", true)]))));
        a.on_key(key(KeyCode::Down), 10);
        a.on_key(key(KeyCode::Enter), 10);
        assert_eq!(a.want().parent.as_deref(), Some("x:b"));
        assert!(!a.loaded);
        a.apply(reply(&a, Ok(rows(&[("leaf", false)]))));
        a.on_key(key(KeyCode::Enter), 10);
        assert!(a.detail_open, "a row with nothing below opens its detail");
        a.on_key(key(KeyCode::Backspace), 10);
        assert_eq!(a.want().parent, None);
        assert_eq!(a.selected, 1);
    }

    #[test]
    fn a_refused_filter_reopens_its_prompt_with_the_column_and_the_old_filter_stays() {
        let mut a = app();
        a.on_key(key(KeyCode::Char('/')), 10);
        typed(&mut a, "k8s.ns.name=x");
        a.on_key(key(KeyCode::Enter), 10);
        assert_eq!(a.want().filter.as_deref(), Some("k8s.ns.name=x"));
        a.apply(reply(&a, Ok(rows(&[("x", true)]))));
        a.on_key(key(KeyCode::Char('/')), 10);
        typed(&mut a, " and");
        a.on_key(key(KeyCode::Enter), 10);
        let problem = ApiProblem { status: 400, code: "bad_filter".into(), message: "expected a condition".into(), param: Some("filter".into()), column: Some(18) };
        a.apply(reply(&a, Err(SourceError::Api(problem))));
        let p = a.prompt.as_ref().expect("the prompt is open again");
        assert_eq!(p.text, "k8s.ns.name=x and");
        assert_eq!(p.error, Some(("expected a condition".into(), Some(18))));
        assert_eq!(a.want().filter.as_deref(), Some("k8s.ns.name=x"));
    }

    #[test]
    fn commands_switch_views_and_sort_and_say_what_is_wrong() {
        let mut a = app();
        typed(&mut a, ":pods");
        a.on_key(key(KeyCode::Enter), 10);
        assert_eq!(a.view.name, "kubernetes_pods");
        typed(&mut a, ":sort cpu");
        a.on_key(key(KeyCode::Enter), 10);
        assert_eq!(a.sort_title(), "CPU");
        typed(&mut a, ":kubernetes_replicasets");
        a.on_key(key(KeyCode::Enter), 10);
        assert!(a.prompt.as_ref().unwrap().error.as_ref().unwrap().0.contains("replicaset"));
        a.on_key(key(KeyCode::Esc), 10);
        typed(&mut a, ":nonsense");
        a.on_key(key(KeyCode::Enter), 10);
        assert!(a.prompt.as_ref().unwrap().error.as_ref().unwrap().0.contains("unknown view"));
    }

    #[test]
    fn search_selects_matching_rows_in_turn() {
        let mut a = app();
        a.apply(reply(&a, Ok(rows(&[("api", true), ("backend-1", true), ("web", true), ("backend-2", true)]))));
        typed(&mut a, "fbackend");
        a.on_key(key(KeyCode::Enter), 10);
        assert_eq!(a.selected_row().unwrap().name, "backend-1");
        a.on_key(key(KeyCode::Char('n')), 10);
        assert_eq!(a.selected_row().unwrap().name, "backend-2");
        assert_eq!(a.matches(), 2);
    }

    #[test]
    fn replies_to_an_older_state_are_not_shown() {
        let mut a = app();
        let old = reply(&a, Ok(rows(&[("old", true)])));
        a.on_key(key(KeyCode::Char('t')), 10);
        a.apply(old);
        assert!(a.rows.is_empty() && !a.loaded);
    }
}
