//! The program's time zone: UTC, a fixed offset or an IANA zone, and the
//! passage between local time and UTC across gaps and overlaps.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, Offset, TimeDelta, Utc,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::CalendarError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ZoneKind {
    Utc,
    Fixed(FixedOffset),
    #[cfg(feature = "tz")]
    Named(chrono_tz::Tz),
}

/// A program's time zone: UTC, a fixed UTC offset, or (with the `tz`
/// feature, on by default) an IANA time zone such as `"America/Sao_Paulo"`.
///
/// It displays, serializes and deserializes as its canonical name: `"UTC"`,
/// `"+03:00"`, `"America/Sao_Paulo"`.
///
/// # Example
///
/// ```
/// use loyalty::calendar::Zone;
///
/// let zone: Zone = "-03:00".parse()?;
/// assert_eq!(zone.to_string(), "-03:00");
/// assert_eq!(Zone::default(), Zone::UTC);
/// # Ok::<(), loyalty::calendar::CalendarError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Zone(ZoneKind);

impl Zone {
    /// Coordinated Universal Time.
    pub const UTC: Zone = Zone(ZoneKind::Utc);

    /// Parses a time zone: `"UTC"` (or `"Z"`), a fixed offset `±HH:MM`
    /// (also `±HHMM` or `±HH`), or, with the `tz` feature, an IANA name
    /// (case-sensitive, such as `"America/Sao_Paulo"`).
    ///
    /// # Errors
    ///
    /// [`CalendarError::UnknownTimeZone`] for an unknown name,
    /// [`CalendarError::InvalidUtcOffset`] for a malformed offset, and, without
    /// the `tz` feature, [`CalendarError::TzFeatureDisabled`] for any other name.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::calendar::{CalendarError, Zone};
    ///
    /// assert_eq!(Zone::parse("UTC")?, Zone::UTC);
    /// assert_eq!(Zone::parse("+0530")?.to_string(), "+05:30");
    /// assert!(Zone::parse("Mars/Olympus").is_err());
    /// # Ok::<(), CalendarError>(())
    /// ```
    pub fn parse(name: &str) -> Result<Zone, CalendarError> {
        if name == "UTC" || name == "Z" {
            return Ok(Zone::UTC);
        }
        if name.starts_with('+') || name.starts_with('-') {
            return parse_offset(name).map(|offset| Zone(ZoneKind::Fixed(offset)));
        }
        #[cfg(feature = "tz")]
        {
            match name.parse::<chrono_tz::Tz>() {
                Ok(tz) => Ok(Zone(ZoneKind::Named(tz))),
                Err(_) => Err(CalendarError::UnknownTimeZone {
                    name: name.to_owned(),
                }),
            }
        }
        #[cfg(not(feature = "tz"))]
        {
            Err(CalendarError::TzFeatureDisabled {
                name: name.to_owned(),
            })
        }
    }

    /// The local date and time of the instant `at` in this zone.
    ///
    /// At the very edges of chrono's range (years beyond about ±262000), a
    /// local time that cannot be represented saturates to
    /// [`NaiveDateTime::MIN`] or [`NaiveDateTime::MAX`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::{DateTime, NaiveDateTime, Utc};
    /// use loyalty::calendar::Zone;
    ///
    /// let zone = Zone::parse("-03:00")?;
    /// let at: DateTime<Utc> = "2026-11-27T03:00:00Z".parse().unwrap();
    /// let local: NaiveDateTime = "2026-11-27T00:00:00".parse().unwrap();
    /// assert_eq!(zone.to_local(at), local);
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn to_local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        let utc = at.naive_utc();
        let offset = match self.0 {
            ZoneKind::Utc => return utc,
            ZoneKind::Fixed(offset) => offset,
            #[cfg(feature = "tz")]
            ZoneKind::Named(tz) => chrono::TimeZone::offset_from_utc_datetime(&tz, &utc).fix(),
        };
        match utc.checked_add_offset(offset) {
            Some(local) => local,
            None if offset.local_minus_utc() > 0 => NaiveDateTime::MAX,
            None => NaiveDateTime::MIN,
        }
    }

    /// The local date of the instant `at` in this zone.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::{DateTime, NaiveDate, Utc};
    /// use loyalty::calendar::Zone;
    ///
    /// let zone = Zone::parse("-03:00")?;
    /// let at: DateTime<Utc> = "2026-11-28T02:59:59Z".parse().unwrap();
    /// assert_eq!(zone.local_date(at), NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.to_local(at).date()
    }

    /// The earliest instant whose local time is at or after `local`.
    ///
    /// For most local times this is the one instant with that local time.
    /// Inside a gap (clocks moved forward, so the local time never happened)
    /// it is the first instant after the gap; for an ambiguous local time
    /// (clocks moved back, so it happened twice) it is the earlier instant.
    ///
    /// # Errors
    ///
    /// [`CalendarError::LocalTimeOutOfRange`] when the instant is outside the
    /// range chrono supports (years beyond about ±262000).
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::{DateTime, NaiveDateTime, Utc};
    /// use loyalty::calendar::Zone;
    ///
    /// let zone = Zone::parse("+05:30")?;
    /// let local: NaiveDateTime = "2026-01-01T05:30:00".parse().unwrap();
    /// let at: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    /// assert_eq!(zone.to_utc(local)?, at);
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn to_utc(&self, local: NaiveDateTime) -> Result<DateTime<Utc>, CalendarError> {
        let found = match self.0 {
            ZoneKind::Utc => earliest_at_or_after(&Utc, local),
            ZoneKind::Fixed(offset) => earliest_at_or_after(&offset, local),
            #[cfg(feature = "tz")]
            ZoneKind::Named(tz) => earliest_at_or_after(&tz, local),
        };
        found.ok_or_else(|| CalendarError::LocalTimeOutOfRange {
            local,
            zone: self.to_string(),
        })
    }
}

fn parse_offset(text: &str) -> Result<FixedOffset, CalendarError> {
    let invalid = || CalendarError::InvalidUtcOffset {
        offset: text.to_owned(),
    };
    let (sign, rest) = match text.as_bytes().split_first() {
        Some((b'+', rest)) => (1, rest),
        Some((b'-', rest)) => (-1, rest),
        _ => return Err(invalid()),
    };
    let digits = |bytes: &[u8]| -> Option<i32> {
        match bytes {
            [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
                Some(i32::from(a - b'0') * 10 + i32::from(b - b'0'))
            }
            _ => None,
        }
    };
    let (hours, minutes) = match rest {
        [h1, h2] => (digits(&[*h1, *h2]), Some(0)),
        [h1, h2, m1, m2] => (digits(&[*h1, *h2]), digits(&[*m1, *m2])),
        [h1, h2, b':', m1, m2] => (digits(&[*h1, *h2]), digits(&[*m1, *m2])),
        _ => (None, None),
    };
    match (hours, minutes) {
        (Some(h), Some(m)) if h < 24 && m < 60 => {
            FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(invalid)
        }
        _ => Err(invalid()),
    }
}

fn offset_seconds<Z: chrono::TimeZone>(zone: &Z, utc: NaiveDateTime) -> i64 {
    i64::from(zone.offset_from_utc_datetime(&utc).fix().local_minus_utc())
}

fn earliest_at_or_after<Z: chrono::TimeZone>(
    zone: &Z,
    local: NaiveDateTime,
) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        MappedLocalTime::Single(at) => Some(at.with_timezone(&Utc)),
        MappedLocalTime::Ambiguous(a, b) => {
            Some(std::cmp::min(a.with_timezone(&Utc), b.with_timezone(&Utc)))
        }
        MappedLocalTime::None => end_of_gap(zone, local),
    }
}

/// The first instant after the gap that contains `local`, or `None` when
/// `local` is not in a gap (it is out of range) or the gap cannot be bracketed.
fn end_of_gap<Z: chrono::TimeZone>(zone: &Z, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let day = TimeDelta::try_days(1)?;
    let before = offset_seconds(zone, local.checked_sub_signed(day)?);
    let after = offset_seconds(zone, local.checked_add_signed(day)?);
    if after <= before {
        return None;
    }
    // Whether the local time of the instant `secs` (seconds since the epoch)
    // is at or after `local`. Monotone inside the bracket below when the
    // bracket holds a single transition.
    let reached = |secs: i64| -> Option<bool> {
        let utc = DateTime::from_timestamp(secs, 0)?.naive_utc();
        let shifted = utc.checked_add_signed(TimeDelta::try_seconds(offset_seconds(zone, utc))?)?;
        Some(shifted >= local)
    };
    let local_secs = local.and_utc().timestamp();
    let mut lo = local_secs.checked_sub(after)?;
    let mut hi = local_secs.checked_sub(before)?.checked_add(1)?;
    if reached(lo)? || !reached(hi)? {
        return None;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reached(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0)
}

impl Default for Zone {
    fn default() -> Self {
        Zone::UTC
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ZoneKind::Utc => f.write_str("UTC"),
            ZoneKind::Fixed(offset) => {
                let secs = offset.local_minus_utc();
                let sign = if secs < 0 { '-' } else { '+' };
                let abs = secs.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
            }
            #[cfg(feature = "tz")]
            ZoneKind::Named(tz) => f.write_str(tz.name()),
        }
    }
}

impl FromStr for Zone {
    type Err = CalendarError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Zone::parse(s)
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Zone::parse(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(feature = "tz")]
    use crate::calendar::DateWindow;
    use crate::calendar::test_support::{d, dt, utc};

    #[test]
    fn time_zone_parsing() {
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::UTC);
        assert_eq!(Zone::parse("Z").unwrap(), Zone::UTC);
        for (input, canonical) in [
            ("+03:00", "+03:00"),
            ("-03:30", "-03:30"),
            ("+0530", "+05:30"),
            ("-03", "-03:00"),
            ("+00:00", "+00:00"),
            ("-00:00", "+00:00"),
        ] {
            let zone: Zone = input.parse().unwrap();
            assert_eq!(zone.to_string(), canonical);
            assert_eq!(Zone::parse(canonical).unwrap(), zone);
        }
        for bad in [
            "+24:00",
            "+03:60",
            "+3:00",
            "-03:0",
            "+03:00:00",
            "+",
            "+ab:cd",
            "+03-00",
        ] {
            assert_eq!(
                Zone::parse(bad),
                Err(CalendarError::InvalidUtcOffset { offset: bad.into() }),
                "{bad}"
            );
        }
        let zone = Zone::parse("-03:00").unwrap();
        assert_eq!(
            zone.to_local(utc("2026-11-27T03:00:00Z")),
            dt("2026-11-27T00:00:00")
        );
        assert_eq!(
            zone.to_utc(dt("2026-11-27T00:00:00")).unwrap(),
            utc("2026-11-27T03:00:00Z")
        );
        assert_eq!(
            zone.local_date(utc("2026-11-27T02:59:59Z")),
            d("2026-11-26")
        );
    }

    #[cfg(feature = "tz")]
    #[test]
    fn iana_time_zones() {
        let zone = Zone::parse("America/Sao_Paulo").unwrap();
        assert_eq!(zone.to_string(), "America/Sao_Paulo");
        let err = Zone::parse("Mars/Olympus").unwrap_err();
        assert_eq!(
            err,
            CalendarError::UnknownTimeZone {
                name: "Mars/Olympus".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "unknown time zone \"Mars/Olympus\": use an IANA name such as \"America/Sao_Paulo\", \"UTC\", or a fixed offset such as \"-03:00\""
        );
        assert!(Zone::parse("").is_err());
        assert!(Zone::parse("america/sao_paulo").is_err());
    }

    #[cfg(not(feature = "tz"))]
    #[test]
    fn iana_names_need_the_tz_feature() {
        let err = Zone::parse("America/Sao_Paulo").unwrap_err();
        assert_eq!(
            err,
            CalendarError::TzFeatureDisabled {
                name: "America/Sao_Paulo".into()
            }
        );
        assert!(err.to_string().contains("`tz` feature"), "{err}");
    }

    #[cfg(feature = "tz")]
    #[test]
    fn new_york_dst() {
        let zone = Zone::parse("America/New_York").unwrap();
        // Spring forward: 02:00 EST becomes 03:00 EDT.
        let spring = DateWindow::on(d("2026-03-08")).unwrap();
        assert_eq!(
            zone.to_utc(spring.start().unwrap()).unwrap(),
            utc("2026-03-08T05:00:00Z")
        );
        assert!(spring.contains(utc("2026-03-08T05:00:00Z"), zone));
        assert!(!spring.contains(utc("2026-03-08T04:59:59Z"), zone));
        assert!(spring.contains(utc("2026-03-09T03:59:59Z"), zone));
        assert!(!spring.contains(utc("2026-03-09T04:00:00Z"), zone));
        // Fall back: 02:00 EDT becomes 01:00 EST.
        let fall = DateWindow::on(d("2026-11-01")).unwrap();
        assert!(fall.contains(utc("2026-11-01T04:00:00Z"), zone));
        assert!(fall.contains(utc("2026-11-02T04:59:59Z"), zone));
        assert!(!fall.contains(utc("2026-11-02T05:00:00Z"), zone));
        // In the gap: the first instant after it.
        assert_eq!(
            zone.to_utc(dt("2026-03-08T02:30:00")).unwrap(),
            utc("2026-03-08T07:00:00Z")
        );
        assert_eq!(
            zone.to_utc(dt("2026-03-08T02:00:00")).unwrap(),
            utc("2026-03-08T07:00:00Z")
        );
        assert_eq!(
            zone.to_utc(dt("2026-03-08T03:00:00")).unwrap(),
            utc("2026-03-08T07:00:00Z")
        );
        assert_eq!(
            zone.to_utc(dt("2026-03-08T01:59:59")).unwrap(),
            utc("2026-03-08T06:59:59Z")
        );
        // Ambiguous: the earlier instant.
        assert_eq!(
            zone.to_utc(dt("2026-11-01T01:30:00")).unwrap(),
            utc("2026-11-01T05:30:00Z")
        );
        assert_eq!(
            zone.to_local(utc("2026-11-01T06:30:00Z")),
            dt("2026-11-01T01:30:00")
        );
    }

    #[cfg(feature = "tz")]
    #[test]
    fn historic_sao_paulo_dst_started_at_midnight() {
        let zone = Zone::parse("America/Sao_Paulo").unwrap();
        assert_eq!(
            zone.to_utc(dt("2018-11-04T00:00:00")).unwrap(),
            utc("2018-11-04T03:00:00Z")
        );
        assert_eq!(
            zone.to_utc(dt("2018-11-04T00:59:59.5")).unwrap(),
            utc("2018-11-04T03:00:00Z")
        );
        assert_eq!(
            zone.to_local(utc("2018-11-04T03:00:00Z")),
            dt("2018-11-04T01:00:00")
        );
        // Fall back at midnight 2019-02-17 (-02:00 → -03:00): 23:xx happened twice.
        assert_eq!(
            zone.to_utc(dt("2019-02-16T23:30:00")).unwrap(),
            utc("2019-02-17T01:30:00Z")
        );
        let day = DateWindow::on(d("2018-11-04")).unwrap();
        assert!(day.contains(utc("2018-11-04T03:00:00Z"), zone));
        assert!(!day.contains(utc("2018-11-04T02:59:59Z"), zone));
    }

    #[cfg(feature = "tz")]
    #[test]
    fn whole_day_gap_in_apia() {
        // Samoa skipped 2011-12-30: 2011-12-29T24:00-10:00 became 2011-12-31T00:00+14:00.
        let zone = Zone::parse("Pacific/Apia").unwrap();
        assert_eq!(
            zone.to_utc(dt("2011-12-30T12:00:00")).unwrap(),
            utc("2011-12-30T10:00:00Z")
        );
        let skipped = DateWindow::on(d("2011-12-30")).unwrap();
        assert!(!skipped.contains(utc("2011-12-30T09:59:59Z"), zone));
        assert!(!skipped.contains(utc("2011-12-30T10:00:00Z"), zone));
    }

    #[cfg(feature = "tz")]
    #[test]
    fn serde_named_zone() {
        let zone = Zone::parse("America/Sao_Paulo").unwrap();
        let json = serde_json::to_string(&zone).unwrap();
        assert_eq!(json, "\"America/Sao_Paulo\"");
        assert_eq!(serde_json::from_str::<Zone>(&json).unwrap(), zone);
        let err = serde_json::from_str::<Zone>("\"Mars/Olympus\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown time zone \"Mars/Olympus\": use an IANA name"),
            "{err}"
        );
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Z {
            zone: Zone,
        }
        let text = toml::to_string(&Z { zone }).unwrap();
        assert_eq!(toml::from_str::<Z>(&text).unwrap(), Z { zone });
    }
}
