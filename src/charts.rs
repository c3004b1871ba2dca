//! Small SVG charts drawn by hand (no chart library): a cumulative line, a set of bars, and a
//! sparkline (one small line per row, to compare many over the same weeks). Each comes with its
//! numbers as a table for screen readers and print.

use leptos::prelude::*;

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 120.0;
const PAD: f64 = 4.0;

/// One bar or point: its label and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub label: String,
    pub value: f64,
}

fn scale(points: &[Point]) -> f64 {
    points.iter().map(|p| p.value).fold(0.0, f64::max).max(1.0)
}

/// A line through the points, left to right, with the area under it shaded.
#[component]
pub fn LineChart(points: Vec<Point>, #[prop(into)] label: String) -> impl IntoView {
    let max = scale(&points);
    let n = points.len().max(2) as f64 - 1.0;
    let xy: Vec<(f64, f64)> = points.iter().enumerate().map(|(i, p)| (PAD + i as f64 * (WIDTH - 2.0 * PAD) / n, HEIGHT - PAD - p.value / max * (HEIGHT - 2.0 * PAD))).collect();
    let line: String = xy.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
    let area = match (xy.first(), xy.last()) {
        (Some(first), Some(last)) => format!("{:.1},{:.1} {line} {:.1},{:.1}", first.0, HEIGHT - PAD, last.0, HEIGHT - PAD),
        _ => String::new(),
    };
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label.clone() preserveAspectRatio="none">
                <polygon points=area class="chart-area" />
                <polyline points=line class="chart-line" fill="none" />
            </svg>
            <DataTable points label />
        </figure>
    }
}

/// One bar per point.
#[component]
pub fn BarChart(points: Vec<Point>, #[prop(into)] label: String) -> impl IntoView {
    let max = scale(&points);
    let n = points.len().max(1) as f64;
    let slot = (WIDTH - 2.0 * PAD) / n;
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // A bar of nothing still shows as a line on the axis, so that a 0 reads as measured.
            let h = (p.value / max * (HEIGHT - 2.0 * PAD)).max(1.0);
            view! {
                <rect class="chart-bar" x=format!("{:.1}", PAD + i as f64 * slot + slot * 0.1) y=format!("{:.1}", HEIGHT - PAD - h)
                    width=format!("{:.1}", slot * 0.8) height=format!("{h:.1}")>
                    <title>{format!("{}: {}", p.label, p.value)}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label.clone() preserveAspectRatio="none">{bars}</svg>
            <DataTable points label />
        </figure>
    }
}

/// The chart's numbers, for screen readers (and anyone who prefers numbers).
#[component]
fn DataTable(points: Vec<Point>, label: String) -> impl IntoView {
    view! {
        <table class="visually-hidden">
            <caption>{label}</caption>
            <tbody>
                {points.into_iter().map(|p| view! { <tr><th scope="row">{p.label}</th><td>{p.value}</td></tr> }).collect_view()}
            </tbody>
        </table>
    }
}

const SPARK_WIDTH: f64 = 120.0;
const SPARK_HEIGHT: f64 = 24.0;

/// A small line through the values that exist (a missing one leaves its place empty), on the
/// scale `max` shared by the sparklines it is compared with, and its numbers as a hidden table.
#[component]
pub fn Sparkline(points: Vec<(String, Option<f64>)>, max: f64, #[prop(into)] label: String) -> impl IntoView {
    let n = points.len().max(2) as f64 - 1.0;
    let max = max.max(1.0);
    let line: Vec<String> = points
        .iter()
        .enumerate()
        .filter_map(|(i, (_, v))| v.map(|v| format!("{:.1},{:.1}", 1.0 + i as f64 * (SPARK_WIDTH - 2.0) / n, SPARK_HEIGHT - 1.0 - v / max * (SPARK_HEIGHT - 2.0))))
        .collect::<Vec<_>>();
    // A single value is drawn as a dot: a line of no length with round ends.
    let line = if line.len() == 1 { format!("{0} {0}", line[0]) } else { line.join(" ") };
    view! {
        <svg class="sparkline" viewBox=format!("0 0 {SPARK_WIDTH} {SPARK_HEIGHT}") role="img" aria-label=label.clone() preserveAspectRatio="none">
            <polyline points=line class="chart-line" fill="none" />
        </svg>
        <table class="visually-hidden">
            <caption>{label}</caption>
            <tbody>
                {points.into_iter().map(|(week, v)| view! { <tr><th scope="row">{week}</th><td>{v.map_or_else(|| "—".to_owned(), |v| v.to_string())}</td></tr> }).collect_view()}
            </tbody>
        </table>
    }
}
