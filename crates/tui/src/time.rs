//! Which span of history the tables total, as the API's `from` / `to` parameters.
//!
//! Live data: the last `window` before the newest data (a relative `from`), so each
//! refresh shows what happened lately. A capture: from its start to a cursor that play
//! moves forward by one step per refresh, pause stops, and step moves by hand; the cursor
//! at the end (the default) shows the whole capture.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeline {
    Live { window_s: u64 },
    Replay(Cursor),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Nanoseconds after the start of the data; `None`: its end, wherever that is now.
    pub at_ns: Option<u64>,
    pub playing: bool,
    pub step_ns: u64,
}

/// Windows `w` cycles through on live data.
pub const LIVE_WINDOWS_S: &[u64] = &[10, 60, 600, 3600];

const SECOND: u64 = 1_000_000_000;

impl Timeline {
    pub fn replay(step_ns: u64) -> Timeline {
        Timeline::Replay(Cursor { at_ns: None, playing: false, step_ns: step_ns.max(SECOND / 10) })
    }

    /// The `from` and `to` parameters for data spanning `data` (first and last
    /// nanosecond, when there is data yet).
    pub fn params(&self, data: Option<(u64, u64)>) -> Vec<(&'static str, String)> {
        match (self, data) {
            (Timeline::Live { window_s }, _) => vec![("from", format!("-{window_s}s"))],
            (Timeline::Replay(Cursor { at_ns: Some(at), .. }), Some((start, end))) => {
                // At least one second: a range must not be empty, and history's finest
                // buckets are one second.
                let to = (start + at).clamp(start + SECOND, end.max(start + SECOND));
                vec![("from", start.to_string()), ("to", to.to_string())]
            }
            (Timeline::Replay(_), _) => Vec::new(),
        }
    }

    /// Called once per refresh: play moves the cursor; past the end it stops there.
    pub fn tick(&mut self, span_ns: u64) {
        if let Timeline::Replay(c) = self {
            if c.playing {
                let next = c.at_ns.unwrap_or(0) + c.step_ns;
                if next >= span_ns {
                    c.at_ns = None;
                    c.playing = false;
                } else {
                    c.at_ns = Some(next);
                }
            }
        }
    }

    /// Play or pause. Playing from the end starts over from the beginning.
    pub fn toggle_play(&mut self) {
        if let Timeline::Replay(c) = self {
            c.playing = !c.playing;
            if c.playing && c.at_ns.is_none() {
                c.at_ns = Some(c.step_ns);
            }
        }
    }

    /// Moves the cursor by one step forward or back, and pauses.
    pub fn step(&mut self, forward: bool, span_ns: u64) {
        if let Timeline::Replay(c) = self {
            c.playing = false;
            let at = c.at_ns.unwrap_or(span_ns);
            let next = if forward { at.saturating_add(c.step_ns) } else { at.saturating_sub(c.step_ns).max(c.step_ns.min(span_ns)) };
            c.at_ns = if next >= span_ns { None } else { Some(next) };
        }
    }

    /// The next live window.
    pub fn widen(&mut self) {
        if let Timeline::Live { window_s } = self {
            let i = LIVE_WINDOWS_S.iter().position(|w| w == window_s).map_or(0, |i| (i + 1) % LIVE_WINDOWS_S.len());
            *window_s = LIVE_WINDOWS_S[i];
        }
    }

    /// For the header: `replay ▶ 3.0 / 13.1 s` or `live, last 10 s`.
    pub fn describe(&self, span_ns: Option<u64>) -> String {
        match self {
            Timeline::Live { window_s } => format!("live, last {}", human_seconds(*window_s)),
            Timeline::Replay(c) => {
                let span = span_ns.unwrap_or(0);
                let at = c.at_ns.unwrap_or(span).min(span);
                let state = if c.playing { "playing" } else { "paused" };
                format!("replay {state} {:.1}/{:.1} s", at as f64 / 1e9, span as f64 / 1e9)
            }
        }
    }
}

fn human_seconds(s: u64) -> String {
    match s {
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAN: u64 = 13 * SECOND;
    const DATA: Option<(u64, u64)> = Some((100 * SECOND, 100 * SECOND + SPAN));

    #[test]
    fn a_replay_starts_with_the_whole_capture() {
        let t = Timeline::replay(SECOND);
        assert!(t.params(DATA).is_empty(), "no range: all of the data");
        assert_eq!(t.describe(Some(SPAN)), "replay paused 13.0/13.0 s");
    }

    #[test]
    fn play_moves_a_step_per_refresh_and_stops_at_the_end() {
        let mut t = Timeline::replay(5 * SECOND);
        t.toggle_play();
        assert_eq!(t.params(DATA), vec![("from", (100 * SECOND).to_string()), ("to", (105 * SECOND).to_string())]);
        t.tick(SPAN);
        assert_eq!(t.describe(Some(SPAN)), "replay playing 10.0/13.0 s");
        t.tick(SPAN);
        assert_eq!(t, Timeline::replay(5 * SECOND), "paused at the end");
    }

    #[test]
    fn steps_pause_and_stay_inside_the_capture() {
        let mut t = Timeline::replay(5 * SECOND);
        t.step(false, SPAN);
        assert_eq!(t.describe(Some(SPAN)), "replay paused 8.0/13.0 s");
        t.step(false, SPAN);
        t.step(false, SPAN);
        assert_eq!(t.describe(Some(SPAN)), "replay paused 5.0/13.0 s", "never before the first step");
        t.step(true, SPAN);
        t.step(true, SPAN);
        assert_eq!(t.describe(Some(SPAN)), "replay paused 13.0/13.0 s");
    }

    #[test]
    fn live_shows_a_window_before_the_newest_data() {
        let mut t = Timeline::Live { window_s: 10 };
        assert_eq!(t.params(None), vec![("from", "-10s".to_string())]);
        t.widen();
        assert_eq!(t.describe(None), "live, last 1 min");
    }
}
