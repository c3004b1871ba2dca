//! Dates, times and durations in the reader's language, through the browser's `Intl`.

use linli_model::Timestamp;

use crate::i18n::Locale;

/// The BCP 47 tag `Intl` understands for an interface language.
pub fn tag(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "en-GB",
        Locale::zh_Hans => "zh-CN",
        Locale::zh_Hant => "zh-TW",
    }
}

/// A date and time, e.g. "26 Nov 2026, 14:05" / "2026年11月26日 14:05".
pub fn date_time(at: Timestamp, locale: Locale) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.0 as f64));
    let options = js_sys::Object::new();
    for (key, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    date.to_locale_string(tag(locale), &options).into()
}

/// A time of day, e.g. "14:05".
pub fn time(at: Timestamp, locale: Locale) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.0 as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_time_string_with_options(tag(locale), &options).into()
}

/// A date, e.g. "26 Nov 2026".
pub fn date(at: Timestamp, locale: Locale) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.0 as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    date.to_locale_date_string(tag(locale), &options).into()
}

/// A number with the reader's grouping, e.g. "1,234".
pub fn number(n: u64, locale: Locale) -> String {
    js_sys::Number::from(n as f64).to_locale_string(tag(locale)).into()
}

/// A duration in milliseconds, rounded to what a person cares about: "45 min", "3 h 20 min", "2 d 4 h".
pub fn duration(ms: i64, locale: Locale) -> String {
    let minutes = (ms.max(0) + 30_000) / 60_000;
    let (days, hours, mins) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    let (d, h, m) = match locale {
        Locale::en => (" d", " h", " min"),
        Locale::zh_Hans => ("天", "小时", "分钟"),
        Locale::zh_Hant => ("天", "小時", "分鐘"),
    };
    let sep = if locale == Locale::en { " " } else { "" };
    match (days, hours) {
        (0, 0) => format!("{mins}{m}"),
        (0, _) => format!("{hours}{h}{sep}{mins}{m}"),
        _ => format!("{days}{d}{sep}{hours}{h}"),
    }
}

/// A `datetime-local` input's value for a time (in the browser's time zone).
pub fn to_input(at: Option<Timestamp>) -> String {
    let Some(at) = at else { return String::new() };
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.0 as f64));
    format!("{:04}-{:02}-{:02}T{:02}:{:02}", date.get_full_year(), date.get_month() + 1, date.get_date(), date.get_hours(), date.get_minutes())
}

/// The time a `datetime-local` (or `date`) input holds, if it holds one.
pub fn from_input(value: &str) -> Option<Timestamp> {
    if value.trim().is_empty() {
        return None;
    }
    let ms = js_sys::Date::parse(value);
    (!ms.is_nan()).then_some(Timestamp(ms as i64))
}

/// A translated sentence with its `{name}` slots filled, e.g. `fill("Claimed by {name}", &[("name", "Ah Mei")])`.
/// (The translations keep slots in single braces: leptos_i18n's own interpolation needs its
/// build-script route to produce strings, and these are needed as strings for labels.)
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    one_not_many(&values.iter().fold(template.to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value)))
}

/// English counts: "1 members" reads "1 member" (the translations write the plural; Chinese
/// has none).
fn one_not_many(text: &str) -> String {
    const NOUNS: [&str; 6] = ["members", "tasks", "signatures", "writes", "others", "requests"];
    let mut out = text.to_owned();
    for noun in NOUNS {
        let singular = &noun[..noun.len() - 1];
        for (many, one) in [(format!(" 1 {noun}"), format!(" 1 {singular}")), (format!("(1 {noun}"), format!("(1 {singular}"))] {
            out = out.replace(&many, &one);
        }
        if let Some(rest) = out.strip_prefix(&format!("1 {noun}")) {
            out = format!("1 {singular}{rest}");
        }
    }
    out
}

/// The colon after a label, as each language writes it (Chinese: a full-width "：").
pub fn colon(locale: Locale) -> &'static str {
    match locale {
        Locale::en => ": ",
        Locale::zh_Hans | Locale::zh_Hant => "：",
    }
}
