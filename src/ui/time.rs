//! The clock and the local time zone, read from the browser and handed to
//! the domain as values.

use chrono::{DateTime, Datelike, Duration, Utc};

/// Now, from the browser's clock.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// Sets a User Timing mark (read by `scripts/bench`, shown in a browser's
/// performance panel); nothing where the browser has no timing.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Runs `f` once the next frame is painted (a timer queued from the
/// frame's callback), for work that must not hold up what is shown.
/// `f` may run after its owner is gone: it must use `try_` accessors.
pub fn after_paint(f: impl FnOnce() + 'static) {
    leptos::prelude::request_animation_frame(move || {
        leptos::prelude::set_timeout(f, std::time::Duration::ZERO)
    });
}

/// A date as the user's calendar shows it, e.g. `25 Nov 2026`.
pub fn local_date(t: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.timestamp_millis() as f64));
    // getTimezoneOffset is minutes behind UTC.
    let offset = Duration::minutes(-(date.get_timezone_offset() as i64));
    let d = (t + offset).date_naive();
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// A time of day as the user's clock shows it, e.g. `14:05`.
pub fn local_time(t: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.timestamp_millis() as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// The user's calendar date as `YYYY-MM-DD`, for file names.
pub fn local_iso_date(t: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.timestamp_millis() as f64));
    let offset = Duration::minutes(-(date.get_timezone_offset() as i64));
    let d = (t + offset).date_naive();
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// The instant a local calendar day (`YYYY-MM-DD`, as a date input gives
/// it) begins, or, with `end`, its last millisecond; `None` for anything
/// else.
pub fn local_day(iso: &str, end: bool) -> Option<DateTime<Utc>> {
    let mut parts = iso.trim().splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let date = js_sys::Date::new_with_year_month_day(y, m as i32 - 1, d as i32);
    let ms = date.get_time();
    if ms.is_nan() {
        return None;
    }
    let start = DateTime::from_timestamp_millis(ms as i64)?;
    if end {
        // The next local midnight (a day is not always 24 hours), less 1 ms.
        let next = js_sys::Date::new_with_year_month_day(y, m as i32 - 1, d as i32 + 1);
        DateTime::from_timestamp_millis(next.get_time() as i64 - 1)
    } else {
        Some(start)
    }
}
