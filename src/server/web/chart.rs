//! The burn-down chart, drawn on the server as SVG: banned devices and banned modules day by
//! day, each policy deadline a marked vertical line, and where the last 30 days' pace leads
//! (a dashed projection), so "will we make it?" is a look. Tooltips are SVG `<title>`s: they
//! need no script.

use std::fmt::Write as _;

use crate::date::Date;
use crate::report::html::escape;

/// One day's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    /// The day.
    pub day: Date,
    /// Banned devices that day.
    pub devices: u64,
    /// Banned modules that day.
    pub modules: u64,
}

/// A deadline to mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// The day.
    pub day: Date,
    /// What it is (`policy: rule`).
    pub label: String,
    /// Current devices it applies to.
    pub devices: u64,
}

const W: f64 = 880.0;
const H: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 36.0;
/// The fewest days the x axis spans.
const MIN_SPAN_DAYS: i64 = 30;
/// The days of the pace a projection follows.
const PACE_DAYS: i64 = 30;

/// Where the recent pace leads: the slope per day over the last [`PACE_DAYS`] (least squares
/// of the banned devices), and the day the count reaches zero at that pace, if it falls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    /// Devices per day (negative: falling).
    pub per_day: f64,
    /// The last day's count.
    pub last: u64,
    /// The last day.
    pub from: Date,
    /// The day it reaches zero, when falling.
    pub zero_on: Option<Date>,
}

impl Pace {
    /// The count on `day` at this pace (never below zero).
    pub fn on(&self, day: Date) -> u64 {
        let d = (day.days() - self.from.days()) as f64;
        (self.last as f64 + self.per_day * d).max(0.0).round() as u64
    }
}

/// The recent pace of `days` (oldest first), if there are two days or more in the window.
pub fn pace(days: &[Day]) -> Option<Pace> {
    let last = days.last()?;
    let recent: Vec<&Day> = days
        .iter()
        .filter(|d| last.day.days() - d.day.days() <= PACE_DAYS)
        .collect();
    if recent.len() < 2 {
        return None;
    }
    let n = recent.len() as f64;
    let xs: Vec<f64> = recent.iter().map(|d| d.day.days() as f64).collect();
    let ys: Vec<f64> = recent.iter().map(|d| d.devices as f64).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let per_day = sxy / sxx;
    let zero_on = (per_day < 0.0).then(|| {
        let days = (last.devices as f64 / -per_day).ceil() as i64;
        Date::from_days(last.day.days() + days.min(365 * 100))
    });
    Some(Pace {
        per_day,
        last: last.devices,
        from: last.day,
        zero_on,
    })
}

/// A round top for the y axis at or above `max`.
fn nice_top(max: u64) -> u64 {
    let max = max.max(4);
    let mag = 10u64.pow((max as f64).log10().floor() as u32);
    [1, 2, 5, 10]
        .iter()
        .map(|m| m * mag)
        .find(|t| *t >= max)
        .unwrap_or(10 * mag)
}

/// The chart of `days` (oldest first) with `marks`, up to at least `today`.
pub fn burndown(days: &[Day], marks: &[Mark], today: Date) -> String {
    let mut out = String::new();
    let last_mark = marks.iter().map(|m| m.day).max().unwrap_or(today);
    let end = today.max(last_mark);
    // At least a month across, so a young fleet's few days do not fill the width.
    let first = days
        .first()
        .map(|d| d.day)
        .unwrap_or(today)
        .min(Date::from_days(end.days() - MIN_SPAN_DAYS));
    let span = (end.days() - first.days()).max(1) as f64;
    let top = nice_top(
        days.iter()
            .map(|d| d.devices.max(d.modules))
            .max()
            .unwrap_or(0),
    );
    let x = |d: Date| LEFT + (d.days() - first.days()) as f64 / span * (W - LEFT - RIGHT);
    let y = |v: f64| TOP + (1.0 - v / top as f64) * (H - TOP - BOTTOM);
    let _ = write!(
        out,
        r#"<svg id="burndown" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-labelledby="burndown-title"><title id="burndown-title">Banned devices and modules by day, with policy deadlines</title>"#
    );
    for i in 0..=4 {
        let v = top as f64 * f64::from(i) / 4.0;
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            y(v) + 4.0,
            v.round() as u64,
            yy = y(v)
        );
    }
    for i in 0..=5 {
        let d = Date::from_days(first.days() + (span * f64::from(i) / 5.0).round() as i64);
        let anchor = match i {
            0 => "start",
            5 => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="{anchor}">{d}</text>"#,
            x(d),
            H - BOTTOM + 18.0
        );
    }
    let _ = write!(
        out,
        r#"<line class="today" x1="{t:.1}" x2="{t:.1}" y1="{TOP}" y2="{:.1}"/><text class="tick" x="{t:.1}" y="{:.1}" text-anchor="middle">today</text>"#,
        H - BOTTOM,
        TOP - 4.0,
        t = x(today)
    );
    deadlines(&mut out, marks, first, &x);
    series(&mut out, days, "modules", |d| d.modules, &x, &y);
    series(&mut out, days, "devices", |d| d.devices, &x, &y);
    if let Some(p) = pace(days)
        && p.per_day < 0.0
    {
        let stop = p.zero_on.unwrap_or(end).min(end);
        let _ = write!(
            out,
            r#"<line class="pace" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"><title>at the last {PACE_DAYS} days' pace</title></line>"#,
            x(p.from),
            y(p.last as f64),
            x(stop),
            y(p.on(stop) as f64)
        );
    }
    let _ = write!(
        out,
        r#"<g class="legend"><rect class="devices" x="{LEFT}" y="{:.1}" width="10" height="10"/><text x="{:.1}" y="{:.1}">banned devices</text><rect class="modules" x="{:.1}" y="{:.1}" width="10" height="10"/><text x="{:.1}" y="{:.1}">banned modules</text></g></svg>"#,
        H - 12.0,
        LEFT + 14.0,
        H - 3.0,
        LEFT + 140.0,
        H - 12.0,
        LEFT + 154.0,
        H - 3.0
    );
    out
}

/// Each deadline a dashed vertical line with its label (alternating heights), and those before
/// the drawing's first day listed at its left edge as passed.
fn deadlines(out: &mut String, marks: &[Mark], first: Date, x: &impl Fn(Date) -> f64) {
    // Deadlines before the drawing's first day are listed at its left edge, passed.
    for (i, m) in marks.iter().filter(|m| m.day < first).enumerate() {
        let _ = write!(
            out,
            r#"<g class="deadline passed"><title>{} — deadline {} (passed), {} devices</title><text x="{:.1}" y="{:.1}">◀ {} {} (passed)</text></g>"#,
            escape(&m.label),
            m.day,
            m.devices,
            LEFT + 4.0,
            TOP + 14.0 + i as f64 * 12.0,
            m.day,
            escape(&shorten(&m.label, 40)),
        );
    }
    for (i, m) in marks.iter().filter(|m| m.day >= first).enumerate() {
        let mx = x(m.day);
        let ly = 12.0 + (i % 2) as f64 * 12.0;
        let anchor = if mx > W * 0.7 { "end" } else { "start" };
        let _ = write!(
            out,
            r#"<g class="deadline"><title>{} — deadline {}, {} devices</title><line x1="{mx:.1}" x2="{mx:.1}" y1="{ly:.1}" y2="{:.1}"/><text x="{:.1}" y="{ly:.1}" text-anchor="{anchor}">{} {}</text></g>"#,
            escape(&m.label),
            m.day,
            m.devices,
            H - BOTTOM,
            if anchor == "end" { mx - 3.0 } else { mx + 3.0 },
            m.day,
            escape(&shorten(&m.label, 40)),
        );
    }
}

fn series(
    out: &mut String,
    days: &[Day],
    class: &str,
    value: impl Fn(&Day) -> u64,
    x: &impl Fn(Date) -> f64,
    y: &impl Fn(f64) -> f64,
) {
    if days.is_empty() {
        return;
    }
    let points: Vec<String> = days
        .iter()
        .map(|d| format!("{:.1},{:.1}", x(d.day), y(value(d) as f64)))
        .collect();
    let _ = write!(
        out,
        r#"<polyline class="series {class}" points="{}"/>"#,
        points.join(" ")
    );
    if days.len() <= 120 {
        for d in days {
            let _ = write!(
                out,
                r#"<circle class="point {class}" cx="{:.1}" cy="{:.1}" r="3"><title>{}: {} banned devices, {} banned modules</title></circle>"#,
                x(d.day),
                y(value(d) as f64),
                d.day,
                d.devices,
                d.modules
            );
        }
    }
}

fn shorten(s: &str, most: usize) -> String {
    if s.chars().count() <= most {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(most - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn falling() -> Vec<Day> {
        (0..20)
            .map(|i| Day {
                day: Date::from_days(day("2026-11-01").days() + i),
                devices: 200 - 5 * i as u64,
                modules: 400 - 10 * i as u64,
            })
            .collect()
    }

    #[test]
    fn a_steady_fall_projects_its_zero_day() {
        let p = pace(&falling()).unwrap();
        assert!((p.per_day + 5.0).abs() < 1e-9, "{p:?}");
        assert_eq!(p.last, 105);
        // 105 left at 5 a day: 21 days after 2026-11-20.
        assert_eq!(p.zero_on, Some(day("2026-12-11")));
        assert_eq!(p.on(day("2026-11-30")), 55);
        let flat: Vec<Day> = falling()
            .into_iter()
            .map(|d| Day { devices: 7, ..d })
            .collect();
        assert_eq!(pace(&flat).unwrap().zero_on, None);
        assert_eq!(pace(&falling()[..1]), None);
    }

    #[test]
    fn the_chart_draws_both_series_each_deadline_and_the_pace() {
        let marks = vec![
            Mark {
                day: day("2027-06-30"),
                label: "ca-5g: huawei <core>".into(),
                devices: 12,
            },
            Mark {
                day: day("2026-12-31"),
                label: "uk-tsr: huawei".into(),
                devices: 3,
            },
        ];
        let svg = burndown(&falling(), &marks, day("2026-12-07"));
        assert!(svg.starts_with("<svg id=\"burndown\""));
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert_eq!(svg.matches("<g class=\"deadline\">").count(), 2);
        assert!(svg.contains("huawei &lt;core&gt;"), "{svg}");
        assert!(!svg.contains("<core>"));
        assert!(svg.contains("class=\"pace\""));
        assert!(svg.contains("2027-06-30"));
        assert!(svg.contains("<title>2026-11-01: 200 banned devices, 400 banned modules</title>"));
        // Every coordinate inside the drawing.
        for cap in svg
            .split(['"', ' ', ','])
            .filter_map(|t| t.parse::<f64>().ok())
        {
            assert!((-1.0..=W + 1.0).contains(&cap), "{cap} in {svg}");
        }
    }

    #[test]
    fn a_deadline_before_the_first_day_is_listed_at_the_edge_as_passed() {
        let marks = vec![Mark {
            day: day("2024-06-28"),
            label: "canada-2022: huawei-zte-5g".into(),
            devices: 1,
        }];
        let svg = burndown(&falling(), &marks, day("2026-12-07"));
        assert!(svg.contains("<g class=\"deadline passed\">"), "{svg}");
        assert!(
            svg.contains("2024-06-28 canada-2022: huawei-zte-5g (passed)"),
            "{svg}"
        );
        assert!(!svg.contains("<g class=\"deadline\">"), "{svg}");
    }

    #[test]
    fn no_data_still_draws_axes_and_today() {
        let svg = burndown(&[], &[], day("2026-12-07"));
        assert!(svg.contains("class=\"today\""));
        assert!(!svg.contains("<polyline"));
        assert_eq!(nice_top(0), 5);
        assert_eq!(nice_top(130), 200);
        assert_eq!(nice_top(1000), 1000);
    }
}
