//! RFC 3339 timestamps for stored and exported data.
//!
//! chrono's own serde support pulls in its general format parser, which
//! costs about 20 KB of wasm. Timestamps here are always UTC and always
//! RFC 3339, so this module writes and reads exactly that:
//! `2026-11-25T02:31:00Z`, or `2026-11-25T02:31:00.125Z` when there are
//! milliseconds. Reading accepts any RFC 3339 offset (`+02:00`) and
//! fraction, converts to UTC and keeps whole milliseconds, so a time
//! read, written and read again is the same time.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc};

/// Formats a time as RFC 3339 in UTC, with milliseconds only when non-zero.
pub fn format_rfc3339(t: &DateTime<Utc>) -> String {
    let (d, tm) = (t.date_naive(), t.time());
    let ms = tm.nanosecond() / 1_000_000 % 1000;
    let mut s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        d.year(),
        d.month(),
        d.day(),
        tm.hour(),
        tm.minute(),
        tm.second()
    );
    if ms != 0 {
        s.push_str(&format!(".{ms:03}"));
    }
    s.push('Z');
    s
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let part = b.get(at..at + n)?;
    part.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Parses an RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`).
pub fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, String> {
    let bad = || format!("“{s}” is not an RFC 3339 date-time such as 2026-11-25T14:30:00Z");
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return Err(bad());
    }
    if b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let date = NaiveDate::from_ymd_opt(
        digits(b, 0, 4).ok_or_else(bad)? as i32,
        digits(b, 5, 2).ok_or_else(bad)?,
        digits(b, 8, 2).ok_or_else(bad)?,
    )
    .ok_or_else(bad)?;
    let (h, m, sec) = (
        digits(b, 11, 2).ok_or_else(bad)?,
        digits(b, 14, 2).ok_or_else(bad)?,
        digits(b, 17, 2).ok_or_else(bad)?,
    );
    let mut at = 19;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while at < b.len() && b[at].is_ascii_digit() {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(b[at] - b'0');
            }
            at += 1;
        }
        if at == start {
            return Err(bad());
        }
        for _ in (at - start)..9 {
            nanos *= 10;
        }
    }
    // Times are kept to the millisecond, as they are written, so what is
    // read equals what it reads back as after writing (a finer fraction
    // is cut). A leap second (:60) is the last millisecond of :59.
    let (sec, nanos) = if sec == 60 {
        (59, 999_000_000)
    } else {
        (sec, nanos / 1_000_000 * 1_000_000)
    };
    let time = NaiveTime::from_hms_nano_opt(h, m, sec, nanos).ok_or_else(bad)?;
    let offset_minutes: i64 = match b.get(at..) {
        Some([b'Z' | b'z']) => 0,
        Some([sign @ (b'+' | b'-'), ..]) if b.len() == at + 6 && b[at + 3] == b':' => {
            let oh = digits(b, at + 1, 2).ok_or_else(bad)?;
            let om = digits(b, at + 4, 2).ok_or_else(bad)?;
            if oh > 23 || om > 59 {
                return Err(bad());
            }
            let m = i64::from(oh * 60 + om);
            if *sign == b'-' { -m } else { m }
        }
        _ => return Err(bad()),
    };
    let local = NaiveDateTime::new(date, time);
    let utc = local
        .checked_sub_signed(TimeDelta::minutes(offset_minutes))
        .ok_or_else(bad)?;
    Ok(utc.and_utc())
}

/// `#[serde(with = "crate::domain::time::rfc3339")]` for `DateTime<Utc>` fields.
pub mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Writes the time as RFC 3339 UTC.
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_rfc3339(t))
    }

    /// Reads an RFC 3339 time.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_rfc3339(&s).map_err(D::Error::custom)
    }
}

/// `#[serde(default, with = "crate::domain::time::rfc3339_opt")]` for
/// `Option<DateTime<Utc>>` fields: `null` or absent is `None`.
pub mod rfc3339_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Writes the time as RFC 3339 UTC, or `null`.
    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::format_rfc3339(t)),
            None => s.serialize_none(),
        }
    }

    /// Reads an RFC 3339 time or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match <Option<std::borrow::Cow<'de, str>>>::deserialize(d)? {
            Some(s) => super::parse_rfc3339(&s).map(Some).map_err(D::Error::custom),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_utc_with_milliseconds_only_when_present() {
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 2, 31, 0).unwrap();
        assert_eq!(format_rfc3339(&t), "2026-11-25T02:31:00Z");
        let t = t + TimeDelta::milliseconds(125);
        assert_eq!(format_rfc3339(&t), "2026-11-25T02:31:00.125Z");
    }

    #[test]
    fn parses_what_it_formats() {
        let t =
            Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap() + TimeDelta::milliseconds(7);
        assert_eq!(parse_rfc3339(&format_rfc3339(&t)).unwrap(), t);
    }

    #[test]
    fn a_time_read_written_and_read_again_is_the_same_even_with_a_finer_fraction_or_a_leap_second()
    {
        // Found by fuzzing (read_marginalia, read_w3c): these were read to
        // the nanosecond but written to the millisecond, so an unchanged
        // export counted as "updated" on every import.
        for (text, written) in [
            ("2026-12-01T00:00:00.0001Z", "2026-12-01T00:00:00Z"),
            ("2026-12-01T00:00:00.123456789Z", "2026-12-01T00:00:00.123Z"),
            ("2026-12-01T23:59:60Z", "2026-12-01T23:59:59.999Z"),
            ("2026-09-22T18:00:60.5+02:00", "2026-09-22T16:00:59.999Z"),
        ] {
            let t = parse_rfc3339(text).unwrap();
            assert_eq!(format_rfc3339(&t), written, "{text}");
            assert_eq!(parse_rfc3339(&format_rfc3339(&t)).unwrap(), t, "{text}");
        }
    }

    #[test]
    fn parses_offsets_into_utc() {
        let want = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 0).unwrap();
        assert_eq!(parse_rfc3339("2026-01-01T12:00:00+02:00").unwrap(), want);
        assert_eq!(parse_rfc3339("2026-01-01T05:30:00-04:30").unwrap(), want);
        assert_eq!(
            parse_rfc3339("2026-01-01t10:00:00.000000000z").unwrap(),
            want
        );
    }

    #[test]
    fn rejects_what_is_not_rfc3339() {
        for bad in [
            "",
            "2026-01-01",
            "2026-01-01T10:00:00",
            "2026-13-01T10:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026-01-01T25:00:00Z",
            "2026-01-01T10:00:00.Z",
            "2026-01-01T10:00:00+2:00",
            "2026-01-01T10:00:00Zjunk",
            "２０２６-01-01T10:00:00Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad} was accepted");
        }
    }
}
