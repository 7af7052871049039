//! Query parameters: only the documented ones are accepted (a typo gets a clear error, not
//! silently ignored), each parsed into its type with a message that names it.

use crate::error::ApiError;
use kinsight_history::History;

pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses a raw query string, refusing parameters not in `allowed` and repeats.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = match raw {
            None | Some("") => Vec::new(),
            Some(q) => serde_urlencoded::from_str(q).map_err(|e| ApiError::bad_param("query", format!("the query string is not valid: {e}")))?,
        };
        for (i, (k, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&k.as_str()) {
                return Err(ApiError::bad_param(k, format!("unknown parameter '{k}'; this endpoint takes: {}", allowed.join(", "))).with("allowed", allowed.to_vec()));
            }
            if pairs[..i].iter().any(|(p, _)| p == k) {
                return Err(ApiError::bad_param(k, format!("parameter '{k}' is given more than once")));
            }
        }
        Ok(Params { pairs })
    }

    /// The value of `k`; an empty value (`from=`, as forms and generated clients send for
    /// an unset field) is no value.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.pairs.iter().find(|(p, _)| p == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    /// A whole number parameter; unlike strings, an empty value is not a number.
    pub fn usize_in(&self, k: &str, default: usize, min: usize, max: usize) -> Result<usize, ApiError> {
        match self.pairs.iter().find(|(p, _)| p == k).map(|(_, v)| v.as_str()) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::bad_param(k, format!("'{k}' must be a whole number from {min} to {max}, not '{v}'"))),
            },
        }
    }

    pub fn one_of<'a>(&self, k: &str, default: &'a str, choices: &[&'a str]) -> Result<&'a str, ApiError> {
        match self.get(k) {
            None => Ok(default),
            Some(v) => choices
                .iter()
                .find(|c| **c == v)
                .copied()
                .ok_or_else(|| ApiError::bad_param(k, format!("'{k}' must be one of {}, not '{v}'", choices.join(", "))).with("allowed", choices.to_vec())),
        }
    }
}

/// A half-open time range `[from, to)` in nanoseconds since the epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    pub from: u64,
    pub to: u64,
}

impl TimeRange {
    pub fn seconds(&self) -> f64 {
        (self.to - self.from) as f64 / 1e9
    }

    /// Seconds of the range that history has data for (at least one), the denominator of
    /// rates: a range reaching past the end of a capture is not a quieter range.
    pub fn covered_seconds(&self, history: &History) -> f64 {
        let Some((a, z)) = history.data_range() else { return 1.0 };
        let from = self.from.max(a);
        let to = self.to.min(z);
        (to.saturating_sub(from) as f64 / 1e9).max(1.0)
    }
}

const DAY_NS: u64 = 86_400 * 1_000_000_000;

/// `from` and `to`: nanoseconds since the epoch, or a duration before the end of the data
/// (`-5m`, `-1h`, `-30s`, `-7d`); `to` may also be `end`. Defaults: all of the data.
/// `data` is the range the data covers (`None`: the last hour, as in the hub, whose store
/// holds more than a default page should ask for).
pub fn time_range(p: &Params, data: Option<(u64, u64)>, now_ns: u64) -> Result<TimeRange, ApiError> {
    let (start, end) = data.unwrap_or((now_ns.saturating_sub(3600 * 1_000_000_000), now_ns));
    // Relative times count back from the newest data: for a capture that is its end, for
    // a live host it is now.
    let anchor = end;
    let parse = |k: &str, default: u64| -> Result<u64, ApiError> {
        let Some(v) = p.get(k) else { return Ok(default) };
        if v == "end" {
            return Ok(anchor);
        }
        if let Some(rel) = v.strip_prefix('-') {
            let d = parse_duration(rel).ok_or_else(|| ApiError::bad_time_range(format!("'{k}={v}': a relative time is a minus sign and a duration such as -30s, -5m, -1h, -7d")).with("param", k))?;
            return Ok(anchor.saturating_sub(d));
        }
        v.parse::<u64>().map_err(|_| ApiError::bad_time_range(format!("'{k}={v}' is neither nanoseconds since the epoch nor a relative time such as -5m")).with("param", k))
    };
    let from = parse("from", start.max(anchor.saturating_sub(7 * DAY_NS)))?;
    let to = parse("to", end)?;
    if from >= to {
        return Err(ApiError::bad_time_range(format!("'from' ({from}) must be before 'to' ({to})")).with("from", from).with("to", to));
    }
    if to - from > 366 * DAY_NS {
        return Err(ApiError::bad_time_range("the range is longer than a year; history keeps at most what its tiers hold"));
    }
    Ok(TimeRange { from, to })
}

/// `30s`, `5m`, `1h`, `7d`, `1500ms` → nanoseconds.
pub fn parse_duration(s: &str) -> Option<u64> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let mult = match unit {
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60 * 1_000_000_000,
        "h" => 3600 * 1_000_000_000,
        "d" => DAY_NS,
        _ => return None,
    };
    n.checked_mul(mult)
}
