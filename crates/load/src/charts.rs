//! Line charts as inline SVG, so `report.html` draws its charts with no script and no download.

use std::fmt::Write as _;

/// One line of a chart: a value per second.
pub struct Series<'a> {
    pub label: &'a str,
    /// A CSS colour.
    pub color: &'a str,
    pub values: Vec<f64>,
}

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 230.0;
const LEFT: f64 = 62.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 30.0;

/// A chart of `series` over the run's seconds, its y axis in `unit`, with a legend.
pub fn line_chart(title: &str, unit: &str, series: &[Series<'_>]) -> String {
    let seconds = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let mut out = String::new();
    let _ = write!(out, "<figure><figcaption>{}</figcaption>", esc(title));
    if seconds < 2 {
        out.push_str("<p>The run was too short for a chart.</p></figure>");
        return out;
    }
    let top_value = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    // Four gridlines a round step apart: the step is nice, not just the top.
    let y_max = 4.0 * nice_ceiling(top_value / 4.0);
    let span = (seconds - 1) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |t: f64| LEFT + t / span * plot_w;
    let y = |v: f64| TOP + plot_h - (v / y_max).clamp(0.0, 1.0) * plot_h;
    let peak: Vec<String> = series
        .iter()
        .map(|s| {
            let max = s.values.iter().copied().fold(0.0_f64, f64::max);
            format!("{} up to {}", s.label, number(max, unit))
        })
        .collect();
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}: {} over {seconds} s\">",
        esc(title),
        esc(&peak.join(", "))
    );
    for i in 0..=4 {
        let v = y_max * i as f64 / 4.0;
        let py = y(v);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{py:.1}\" y2=\"{py:.1}\"/>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            py + 4.0,
            esc(&number(v, unit))
        );
    }
    let step = time_step(seconds as u64);
    let mut t = 0;
    while t as f64 <= span {
        let px = x(t as f64);
        let _ = write!(
            out,
            "<line class=\"axis\" x1=\"{px:.1}\" x2=\"{px:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"tick\" x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            TOP + plot_h,
            TOP + plot_h + 4.0,
            HEIGHT - 10.0,
            clock(t)
        );
        t += step;
    }
    for s in series {
        let points: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(t, &v)| format!("{:.1},{:.1}", x(t as f64), y(if v.is_finite() { v } else { 0.0 })))
            .collect();
        let _ = write!(
            out,
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\" points=\"{}\"/>",
            esc(s.color),
            points.join(" ")
        );
    }
    out.push_str("</svg><p class=\"legend\">");
    for s in series {
        let _ = write!(
            out,
            "<span><i style=\"background:{}\"></i>{}</span> ",
            esc(s.color),
            esc(s.label)
        );
    }
    out.push_str("</p></figure>");
    out
}

/// The smallest of 1, 2, 5 × 10ⁿ at or above `v` (1 for nothing at all).
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&c| c >= v)
        .unwrap_or(10.0 * magnitude)
}

/// Seconds between time ticks: at most about eight ticks.
fn time_step(seconds: u64) -> u64 {
    [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600]
        .into_iter()
        .find(|&step| seconds / step <= 8)
        .unwrap_or(7200)
}

fn clock(t: u64) -> String {
    if t < 60 {
        format!("{t}s")
    } else {
        format!("{}:{:02}", t / 60, t % 60)
    }
}

fn number(v: f64, unit: &str) -> String {
    let text = if v >= 10_000.0 {
        format!("{}k", (v / 1000.0).round())
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() < 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    };
    if unit.is_empty() {
        text
    } else {
        format!("{text} {unit}")
    }
}

/// Text for HTML and SVG: the report's one escaper.
pub(crate) fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_rounded_to_readable_steps() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.3), 10.0);
        assert_eq!(nice_ceiling(120.0), 200.0);
        assert_eq!(nice_ceiling(500.0), 500.0);
        assert_eq!(time_step(60), 10);
        assert_eq!(time_step(600), 120);
        assert_eq!(clock(125), "2:05");
        assert_eq!(number(20000.0, "req/s"), "20k req/s");
        assert_eq!(number(0.25, ""), "0.25");
        assert_eq!(number(12.5, "ms"), "12.5 ms");
    }

    #[test]
    fn a_chart_draws_one_line_per_series_through_every_second() {
        // Given two series over five seconds
        let series = [
            Series {
                label: "p50",
                color: "#1f77b4",
                values: vec![1.0, 2.0, 3.0, 4.0, 5.0],
            },
            Series {
                label: "p<95>",
                color: "#d62728",
                values: vec![2.0, 4.0, 6.0, 8.0, 10.0],
            },
        ];
        // When drawn
        let svg = line_chart("Response times", "ms", &series);
        // Then there are two lines of five points, the first at the left edge
        assert_eq!(svg.matches("<polyline").count(), 2);
        let second = svg.split("points=\"").nth(2).unwrap().split('"').next().unwrap();
        let points: Vec<&str> = second.split(' ').collect();
        assert_eq!(points.len(), 5);
        assert_eq!(points[0].split(',').next(), Some("62.0"));
        // (10 is half way up: a quarter of 10 rounds up to a step of 5, so the axis ends at 20)
        assert_eq!(
            points[4],
            format!("{:.1},{:.1}", WIDTH - RIGHT, TOP + (HEIGHT - TOP - BOTTOM) / 2.0)
        );
        // And labels are escaped and named for screen readers
        assert!(svg.contains("p&lt;95&gt;") && !svg.contains("p<95>"));
        assert!(svg.contains("aria-label=\"Response times: p50 up to 5 ms, p&lt;95&gt; up to 10 ms over 5 s\""));
    }

    #[test]
    fn a_run_of_one_second_says_so_instead_of_drawing() {
        let series = [Series {
            label: "users",
            color: "black",
            values: vec![3.0],
        }];
        assert!(line_chart("Users", "", &series).contains("too short"));
    }
}
