//! `@modules/date`: a dict of formatted UTC dates around now (or `spec.base_date`,
//! a time-difference query such as `now/d - 1d`).

use serde_json::{Map, Value};

use super::{Ctx, Outcome};

pub fn check(spec: &Map<String, Value>) -> Result<(), String> {
    match spec.get("base_date") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) => parse_timediff(s, 0).map(|_| ()),
        Some(other) => Err(format!("Timediff format is invalid. (value={other})")),
    }
}

pub fn run(spec: &Map<String, Value>, ctx: &mut Ctx<'_>) -> Result<Outcome, String> {
    check(spec)?;
    let base = match spec.get("base_date").and_then(Value::as_str) {
        Some(q) if !q.is_empty() => parse_timediff(q, ctx.now)?,
        _ => ctx.now,
    };
    Ok(Outcome::output(Value::Object(dates(base, ctx.now))))
}

/// The output dict for a base time (seconds since the epoch, UTC); `timestamp`
/// is the current time.
pub fn dates(base: i64, now: i64) -> Map<String, Value> {
    let dt = DateTime::from_unix(base);
    let mut out = Map::new();
    let mut put = |k: &str, v: String| {
        out.insert(k.to_string(), Value::String(v));
    };
    put("year", dt.fmt_year());
    for y in 1..=3 {
        put(&format!("year-{y}y"), dt.add_months(-12 * y).fmt_year());
    }
    put("month", dt.fmt_month());
    put("month+1m", dt.add_months(1).fmt_month());
    for m in 1..=11 {
        put(&format!("month-{m}m"), dt.add_months(-m).fmt_month());
    }
    put("date", dt.fmt_date());
    put("date+1d", dt.add_days(1).fmt_date());
    for d in 1..=15 {
        put(&format!("date-{d}d"), dt.add_days(-d).fmt_date());
    }
    put("year_start_month", format!("{:04}-01", dt.year));
    put(
        "month_start_date",
        format!("{:04}-{:02}-01", dt.year, dt.month),
    );
    put(
        "datetime",
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            dt.fmt_date(),
            dt.secs / 3600,
            dt.secs / 60 % 60,
            dt.secs % 60
        ),
    );
    out.insert("timestamp".into(), Value::from(now));
    out
}

/// `now`, `now/d` (midnight), `now/w` (Monday midnight), optionally followed by
/// `+N` / `-N` with a unit `s`, `m` (minutes), `h`, `d` or `w`.
pub fn parse_timediff(query: &str, now: i64) -> Result<i64, String> {
    let invalid = || format!("Timediff format is invalid. (value={query})");
    let q: String = query.chars().filter(|c| !c.is_whitespace()).collect();
    let (base_text, rest) = if let Some(r) = q.strip_prefix("now/d") {
        ("now/d", r)
    } else if let Some(r) = q.strip_prefix("now/w") {
        ("now/w", r)
    } else if let Some(r) = q.strip_prefix("now") {
        ("now", r)
    } else {
        return Err(invalid());
    };
    let day_start = now - now.rem_euclid(86_400);
    let base = match base_text {
        "now/d" => day_start,
        "now/w" => {
            // 1970-01-01 was a Thursday: Monday-based weekday = (days + 3) % 7.
            let weekday = (now.div_euclid(86_400) + 3).rem_euclid(7);
            day_start - weekday * 86_400
        }
        _ => now,
    };
    if rest.is_empty() {
        return Ok(base);
    }
    let mut chars = rest.chars();
    let sign = match chars.next() {
        Some('+') => 1,
        Some('-') => -1,
        _ => return Err(invalid()),
    };
    let body: String = chars.collect();
    let unit = body.chars().last().ok_or_else(invalid)?;
    let digits = &body[..body.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid());
    }
    let n: i64 = digits.parse().map_err(|_| invalid())?;
    let unit_secs = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return Err(invalid()),
    };
    n.checked_mul(unit_secs)
        .and_then(|d| base.checked_add(sign * d))
        .ok_or_else(invalid)
}

/// A UTC calendar date and the seconds into that day.
#[derive(Debug, Clone, Copy, PartialEq)]
struct DateTime {
    year: i64,
    month: i64,
    day: i64,
    secs: i64,
}

impl DateTime {
    fn from_unix(t: i64) -> Self {
        let days = t.div_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        DateTime {
            year,
            month,
            day,
            secs: t.rem_euclid(86_400),
        }
    }

    /// Calendar month arithmetic; the day is clamped to the target month's length.
    fn add_months(self, n: i64) -> Self {
        let total = self.year * 12 + (self.month - 1) + n;
        let year = total.div_euclid(12);
        let month = total.rem_euclid(12) + 1;
        DateTime {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
            secs: self.secs,
        }
    }

    fn add_days(self, n: i64) -> Self {
        let days = days_from_civil(self.year, self.month, self.day) + n;
        let (year, month, day) = civil_from_days(days);
        DateTime {
            year,
            month,
            day,
            secs: self.secs,
        }
    }

    fn fmt_year(&self) -> String {
        format!("{:04}", self.year)
    }

    fn fmt_month(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    fn fmt_date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-22T00:49:42Z, a Sunday
    const NOW: i64 = 1_795_308_582;

    #[test]
    fn civil_round_trip() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn matches_upstream_sample() {
        let d = dates(NOW, NOW);
        let get = |k: &str| d.get(k).cloned().unwrap_or(Value::Null);
        assert_eq!(get("year"), "2026");
        assert_eq!(get("year-3y"), "2023");
        assert_eq!(get("month"), "2026-11");
        assert_eq!(get("month+1m"), "2026-12");
        assert_eq!(get("month-10m"), "2026-01");
        assert_eq!(get("month-11m"), "2025-12");
        assert_eq!(get("date"), "2026-11-22");
        assert_eq!(get("date+1d"), "2026-11-23");
        assert_eq!(get("date-15d"), "2026-11-07");
        assert_eq!(get("year_start_month"), "2026-01");
        assert_eq!(get("month_start_date"), "2026-11-01");
        assert_eq!(get("datetime"), "2026-11-22T00:49:42Z");
        assert_eq!(get("timestamp"), NOW);
        let keys: Vec<&String> = d.keys().collect();
        assert_eq!(keys.len(), 38);
        assert_eq!(keys[0], "year");
        assert_eq!(keys[37], "timestamp");
    }

    #[test]
    fn month_arithmetic_clamps_the_day() {
        let t = days_from_civil(2024, 3, 31) * 86_400;
        let d = dates(t, t);
        assert_eq!(d.get("month-1m"), Some(&Value::from("2024-02")));
        let dt = DateTime::from_unix(t).add_months(-1);
        assert_eq!((dt.year, dt.month, dt.day), (2024, 2, 29));
        let leap = DateTime::from_unix(days_from_civil(2024, 2, 29) * 86_400).add_months(-12);
        assert_eq!(leap.fmt_date(), "2023-02-28");
    }

    #[test]
    fn timediff_queries() {
        let midnight = NOW - NOW % 86_400;
        assert_eq!(parse_timediff("now", NOW), Ok(NOW));
        assert_eq!(parse_timediff("now/d", NOW), Ok(midnight));
        // Sunday 2026-11-22 → Monday 2026-11-16
        assert_eq!(parse_timediff("now/w", NOW), Ok(midnight - 6 * 86_400));
        assert_eq!(parse_timediff("now - 1d", NOW), Ok(NOW - 86_400));
        assert_eq!(parse_timediff("now/d+2h", NOW), Ok(midnight + 7200));
        assert_eq!(parse_timediff("now-5m", NOW), Ok(NOW - 300));
        assert_eq!(
            parse_timediff("yesterday", NOW),
            Err("Timediff format is invalid. (value=yesterday)".to_string())
        );
        assert!(parse_timediff("now-1y", NOW).is_err());
        assert!(parse_timediff("now-d", NOW).is_err());
    }
}
