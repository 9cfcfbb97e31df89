//! Calendars of loyalty programs: time zones, countries, seasonal events,
//! windows of local time and spans of time of day.
//!
//! The library never reads a clock: every function that needs "now" takes the
//! instant as an argument (a [`DateTime<Utc>`]). Program rules are written in
//! the program's *local* time (its [`Zone`]), so a window such as "Black
//! Friday" means the whole local day, whatever the UTC offset of that day is.
//!
//! # Example
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use loyalty::calendar::{Calendar, Country, DateWindow, SeasonalEvent, Zone};
//!
//! let zone = Zone::parse("-03:00")?;
//! let calendar = Calendar::new(zone, Some(Country::BR), vec![])?;
//! let day = calendar.date_of(&SeasonalEvent::BlackFriday, 2026)?.expect("every year");
//! let window = DateWindow::on(day)?;
//! let at: DateTime<Utc> = "2026-11-27T03:00:00Z".parse().unwrap();
//! assert!(window.contains(at, calendar.zone()));
//! # Ok::<(), loyalty::calendar::CalendarError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, FixedOffset, MappedLocalTime, Month, NaiveDate, NaiveDateTime, NaiveTime,
    Offset, TimeDelta, Timelike, Utc, Weekday,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Everything that can go wrong when building or using a calendar.
///
/// Each message says what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The time zone name is not a known IANA name, `"UTC"` or a UTC offset.
    #[error(
        "unknown time zone {name:?}: use an IANA name such as \"America/Sao_Paulo\", \"UTC\", or a fixed offset such as \"-03:00\""
    )]
    UnknownTimeZone {
        /// The name as given.
        name: String,
    },
    /// A time zone that looks like a UTC offset but is malformed or too large.
    #[error(
        "invalid UTC offset {offset:?}: write it as +HH:MM or -HH:MM with hours below 24 and minutes below 60, such as \"-03:00\" or \"+05:30\""
    )]
    InvalidUtcOffset {
        /// The offset as given.
        offset: String,
    },
    /// An IANA time zone name was given but the crate was built without the `tz` feature.
    #[error(
        "time zone {name:?} is an IANA name, which needs the `tz` feature of the loyalty crate: enable that feature, or use \"UTC\" or a fixed offset such as \"-03:00\""
    )]
    TzFeatureDisabled {
        /// The name as given.
        name: String,
    },
    /// A country code that is not two ASCII letters.
    #[error(
        "invalid country code {code:?}: use a two-letter ISO 3166-1 alpha-2 code such as \"BR\" or \"US\""
    )]
    InvalidCountry {
        /// The code as given.
        code: String,
    },
    /// A country-dependent event (Mother's, Father's, Children's Day) cannot be
    /// resolved: the calendar has no country, or no rule is known for its country.
    #[error("{}", no_country_rule_message(.event, .country))]
    NoCountryRule {
        /// The event asked for.
        event: SeasonalEvent,
        /// The calendar's country, if it has one.
        country: Option<Country>,
    },
    /// A [`SeasonalEvent::Custom`] name that the calendar does not define.
    #[error(
        "unknown custom date {name:?}: add a custom date with that name to the program's calendar, or use the name of one it has"
    )]
    UnknownCustomDate {
        /// The name asked for.
        name: String,
    },
    /// A custom date with an empty (or all-blank) name.
    #[error(
        "a custom date has an empty name: give every custom date a name, such as \"anniversary\""
    )]
    EmptyCustomDateName,
    /// Two custom dates share a name.
    #[error("custom date {name:?} is defined more than once: give each custom date its own name")]
    DuplicateCustomDate {
        /// The repeated name.
        name: String,
    },
    /// A yearly custom date whose month and day do not name a real day.
    #[error(
        "custom date {name:?} has month {month} and day {day}, which is not a day of the year: use a month from 1 to 12 and a day that exists in it (February 29 is allowed)"
    )]
    InvalidCustomDate {
        /// The custom date's name.
        name: String,
        /// The month as given.
        month: u32,
        /// The day as given.
        day: u32,
    },
    /// A custom date written in a form that is neither yearly nor once.
    #[error(
        "custom date {name:?} must have either \"month\" and \"day\" (every year) or \"date\" (once, as YYYY-MM-DD), not both and not neither"
    )]
    AmbiguousCustomDate {
        /// The custom date's name.
        name: String,
    },
    /// A window whose start is not before its end.
    #[error(
        "empty date window: it starts at {start} but ends at {end} (the end is exclusive): make the start earlier than the end"
    )]
    EmptyWindow {
        /// The (inclusive) start.
        start: NaiveDateTime,
        /// The (exclusive) end.
        end: NaiveDateTime,
    },
    /// A time-of-day span whose start equals its end.
    #[error(
        "empty time of day: it starts and ends at {at}: make \"from\" and \"to\" differ (a \"from\" later than \"to\" wraps past midnight)"
    )]
    EmptyTimeOfDay {
        /// The common start and end.
        at: NaiveTime,
    },
    /// A string that is neither a date nor a local date-time.
    #[error(
        "invalid date or time {value:?}: write a date as YYYY-MM-DD or a local date-time as YYYY-MM-DDTHH:MM[:SS], such as \"2026-11-27\" or \"2026-11-27T18:00\""
    )]
    InvalidDateTime {
        /// The value as given.
        value: String,
    },
    /// A string that is not a time of day.
    #[error("invalid time of day {value:?}: write it as HH:MM or HH:MM:SS, such as \"18:00\"")]
    InvalidTimeOfDay {
        /// The value as given.
        value: String,
    },
    /// A year outside the range of dates the library supports.
    #[error("year {year} is out of range: use a year between -262000 and 262000")]
    YearOutOfRange {
        /// The year asked for.
        year: i32,
    },
    /// A date at the very edge of the supported range, where the next or previous day does not exist.
    #[error(
        "date {date} is at the edge of the supported range: use a date between years -262000 and 262000"
    )]
    DateOutOfRange {
        /// The date at the edge.
        date: NaiveDate,
    },
    /// A local date-time that has no UTC instant in range.
    #[error(
        "local time {local} in time zone {zone} is out of the supported range: use a date between years -262000 and 262000"
    )]
    LocalTimeOutOfRange {
        /// The local date-time.
        local: NaiveDateTime,
        /// The time zone's name.
        zone: String,
    },
}

fn no_country_rule_message(event: &SeasonalEvent, country: &Option<Country>) -> String {
    match country {
        None => format!(
            "{} depends on the country, but the calendar has no country: set the calendar's country (such as \"BR\" or \"US\") or use a custom date",
            event.name()
        ),
        Some(country) => format!(
            "no rule is known for {} in country \"{}\": set the calendar's country to one with a rule, or use a custom date for it",
            event.name(),
            country
        ),
    }
}

// ---------------------------------------------------------------------------
// Zone
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Country
// ---------------------------------------------------------------------------

/// An ISO 3166-1 alpha-2 country code, such as `BR` or `US`, stored uppercase.
///
/// It displays, serializes and deserializes as the two-letter code.
///
/// # Example
///
/// ```
/// use loyalty::calendar::Country;
///
/// let country = Country::new("br")?;
/// assert_eq!(country, Country::BR);
/// assert_eq!(country.as_str(), "BR");
/// assert!(Country::new("BRA").is_err());
/// # Ok::<(), loyalty::calendar::CalendarError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    /// Brazil.
    pub const BR: Country = Country(*b"BR");
    /// The United States.
    pub const US: Country = Country(*b"US");

    /// A country from its two-letter code, in either case.
    ///
    /// Whether the code is actually assigned is not checked; a code with no
    /// holiday rules only matters when a country-dependent event is asked for.
    ///
    /// # Errors
    ///
    /// [`CalendarError::InvalidCountry`] unless `code` is two ASCII letters.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::calendar::Country;
    ///
    /// assert_eq!(Country::new("US")?, Country::US);
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn new(code: &str) -> Result<Country, CalendarError> {
        match code.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(Country([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(CalendarError::InvalidCountry {
                code: code.to_owned(),
            }),
        }
    }

    /// The uppercase two-letter code.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::calendar::Country;
    ///
    /// assert_eq!(Country::BR.as_str(), "BR");
    /// ```
    pub fn as_str(&self) -> &str {
        // Always two ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({:?})", self.as_str())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Country {
    type Err = CalendarError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Country::new(s)
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Country::new(&code).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------
// Seasonal events
// ---------------------------------------------------------------------------

/// Dates a shop plans campaigns around.
///
/// Serialized in snake case: `"black_friday"`, `"double_eleven"`,
/// `"mothers_day"`, and `{"custom": "anniversary"}` for a custom date.
///
/// # Example
///
/// ```
/// use loyalty::calendar::SeasonalEvent;
///
/// assert_eq!(SeasonalEvent::BlackFriday.name(), "Black Friday");
/// assert_eq!(SeasonalEvent::Custom("anniversary".into()).to_string(), "anniversary");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeasonalEvent {
    /// The day after the fourth Thursday of November.
    BlackFriday,
    /// The Monday after Black Friday.
    CyberMonday,
    /// 25 December.
    Christmas,
    /// 15 March, World Consumer Rights Day.
    ConsumerDay,
    /// 10 October (10/10).
    DoubleTen,
    /// 11 November (11/11, Singles' Day).
    DoubleEleven,
    /// 12 December (12/12).
    DoubleTwelve,
    /// Mother's Day, which depends on the calendar's country.
    ///
    /// Second Sunday of May in BR, US, CA, AU, DE, IT, JP and CN; 10 May in MX;
    /// third Sunday of October in AR; last Sunday of May in FR (the exception
    /// that moves it to June when it falls on Pentecost is ignored: use a
    /// custom date for those years); first Sunday of May in ES and PT.
    MothersDay,
    /// Father's Day, which depends on the calendar's country.
    ///
    /// Second Sunday of August in BR; third Sunday of June in US, CA, GB, FR,
    /// JP, MX and AR; first Sunday of September in AU; 19 March in PT, IT and ES.
    FathersDay,
    /// Children's Day, which depends on the calendar's country.
    ///
    /// 12 October in BR; second Sunday of June in US (the commonly observed
    /// National Children's Day, not an official holiday); 5 May in JP and KR;
    /// 30 April in MX; 1 June in CN; third Sunday of August in AR.
    ChildrensDay,
    /// A named custom date of the program's calendar (see [`CustomDate`]).
    Custom(String),
}

impl SeasonalEvent {
    /// The human name of the event, such as `"Black Friday"`; a custom date's own name.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::calendar::SeasonalEvent;
    ///
    /// assert_eq!(SeasonalEvent::MothersDay.name(), "Mother's Day");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            SeasonalEvent::BlackFriday => "Black Friday",
            SeasonalEvent::CyberMonday => "Cyber Monday",
            SeasonalEvent::Christmas => "Christmas",
            SeasonalEvent::ConsumerDay => "Consumer Day",
            SeasonalEvent::DoubleTen => "Double Ten",
            SeasonalEvent::DoubleEleven => "Double Eleven",
            SeasonalEvent::DoubleTwelve => "Double Twelve",
            SeasonalEvent::MothersDay => "Mother's Day",
            SeasonalEvent::FathersDay => "Father's Day",
            SeasonalEvent::ChildrensDay => "Children's Day",
            SeasonalEvent::Custom(name) => name,
        }
    }
}

impl fmt::Display for SeasonalEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a date is found in a given year.
#[derive(Clone, Copy, Debug)]
enum DayRule {
    /// A fixed month and day.
    Fixed(Month, u32),
    /// The `n`th (1-based) given weekday of a month.
    Nth(Month, Weekday, u8),
    /// The last given weekday of a month.
    Last(Month, Weekday),
}

impl DayRule {
    fn resolve(self, year: i32) -> Result<NaiveDate, CalendarError> {
        let out = || CalendarError::YearOutOfRange { year };
        match self {
            DayRule::Fixed(month, day) => {
                NaiveDate::from_ymd_opt(year, month.number_from_month(), day).ok_or_else(out)
            }
            DayRule::Nth(month, weekday, n) => {
                NaiveDate::from_weekday_of_month_opt(year, month.number_from_month(), weekday, n)
                    .ok_or_else(out)
            }
            DayRule::Last(month, weekday) => {
                let first =
                    NaiveDate::from_ymd_opt(year, month.number_from_month(), 1).ok_or_else(out)?;
                let last = first
                    .checked_add_months(chrono::Months::new(1))
                    .and_then(|next| next.pred_opt())
                    .ok_or_else(out)?;
                let back = (7 + last.weekday().num_days_from_monday()
                    - weekday.num_days_from_monday())
                    % 7;
                last.checked_sub_days(chrono::Days::new(u64::from(back)))
                    .ok_or_else(out)
            }
        }
    }
}

fn country_rule(event: &SeasonalEvent, country: Country) -> Option<DayRule> {
    use Month::*;
    use Weekday::Sun;
    let code = country.as_str();
    match event {
        SeasonalEvent::MothersDay => match code {
            "BR" | "US" | "CA" | "AU" | "DE" | "IT" | "JP" | "CN" => {
                Some(DayRule::Nth(May, Sun, 2))
            }
            "MX" => Some(DayRule::Fixed(May, 10)),
            "AR" => Some(DayRule::Nth(October, Sun, 3)),
            "FR" => Some(DayRule::Last(May, Sun)),
            "ES" | "PT" => Some(DayRule::Nth(May, Sun, 1)),
            _ => None,
        },
        SeasonalEvent::FathersDay => match code {
            "BR" => Some(DayRule::Nth(August, Sun, 2)),
            "US" | "CA" | "GB" | "FR" | "JP" | "MX" | "AR" => Some(DayRule::Nth(June, Sun, 3)),
            "AU" => Some(DayRule::Nth(September, Sun, 1)),
            "PT" | "IT" | "ES" => Some(DayRule::Fixed(March, 19)),
            _ => None,
        },
        SeasonalEvent::ChildrensDay => match code {
            "BR" => Some(DayRule::Fixed(October, 12)),
            "US" => Some(DayRule::Nth(June, Sun, 2)),
            "JP" | "KR" => Some(DayRule::Fixed(May, 5)),
            "MX" => Some(DayRule::Fixed(April, 30)),
            "CN" => Some(DayRule::Fixed(June, 1)),
            "AR" => Some(DayRule::Nth(August, Sun, 3)),
            _ => None,
        },
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Custom dates
// ---------------------------------------------------------------------------

/// When a [`CustomDate`] occurs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CustomDateRule {
    /// Every year on this month (1–12) and day. A yearly February 29 falls on
    /// February 28 in years that are not leap years.
    Yearly {
        /// The month, 1 to 12.
        month: u32,
        /// The day of the month, 1 to 31.
        day: u32,
    },
    /// Once, on this date.
    Once(NaiveDate),
}

/// A named date of the program's own, such as the shop's anniversary.
///
/// Serialized as `{"name": "anniversary", "month": 6, "day": 1}` (every year)
/// or `{"name": "launch", "date": "2026-06-01"}` (once); other fields are
/// rejected. A yearly February 29 falls on February 28 in years that are not
/// leap years.
///
/// # Example
///
/// ```
/// use loyalty::calendar::{CustomDate, CustomDateRule};
///
/// let date: CustomDate = serde_json::from_str(r#"{"name": "anniversary", "month": 6, "day": 1}"#).unwrap();
/// assert_eq!(date.rule, CustomDateRule::Yearly { month: 6, day: 1 });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CustomDateRepr", into = "CustomDateRepr")]
pub struct CustomDate {
    /// The name events refer to, as in `{"custom": "anniversary"}`.
    pub name: String,
    /// When the date occurs.
    pub rule: CustomDateRule,
}

impl CustomDate {
    fn validate(&self) -> Result<(), CalendarError> {
        if self.name.trim().is_empty() {
            return Err(CalendarError::EmptyCustomDateName);
        }
        if let CustomDateRule::Yearly { month, day } = self.rule {
            // 2000 is a leap year, so February 29 is accepted.
            if NaiveDate::from_ymd_opt(2000, month, day).is_none() {
                return Err(CalendarError::InvalidCustomDate {
                    name: self.name.clone(),
                    month,
                    day,
                });
            }
        }
        Ok(())
    }

    fn in_year(&self, year: i32) -> Result<Option<NaiveDate>, CalendarError> {
        match self.rule {
            CustomDateRule::Once(date) => Ok((date.year() == year).then_some(date)),
            CustomDateRule::Yearly { month, day } => {
                match NaiveDate::from_ymd_opt(year, month, day) {
                    Some(date) => Ok(Some(date)),
                    None if month == 2 && day == 29 => NaiveDate::from_ymd_opt(year, 2, 28)
                        .map(Some)
                        .ok_or(CalendarError::YearOutOfRange { year }),
                    None if NaiveDate::from_ymd_opt(year, 1, 1).is_none() => {
                        Err(CalendarError::YearOutOfRange { year })
                    }
                    None => Err(CalendarError::InvalidCustomDate {
                        name: self.name.clone(),
                        month,
                        day,
                    }),
                }
            }
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomDateRepr {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    month: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    day: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<NaiveDate>,
}

impl TryFrom<CustomDateRepr> for CustomDate {
    type Error = CalendarError;

    fn try_from(repr: CustomDateRepr) -> Result<Self, Self::Error> {
        let rule = match (repr.month, repr.day, repr.date) {
            (Some(month), Some(day), None) => CustomDateRule::Yearly { month, day },
            (None, None, Some(date)) => CustomDateRule::Once(date),
            _ => return Err(CalendarError::AmbiguousCustomDate { name: repr.name }),
        };
        let date = CustomDate {
            name: repr.name,
            rule,
        };
        date.validate()?;
        Ok(date)
    }
}

impl From<CustomDate> for CustomDateRepr {
    fn from(date: CustomDate) -> Self {
        match date.rule {
            CustomDateRule::Yearly { month, day } => CustomDateRepr {
                name: date.name,
                month: Some(month),
                day: Some(day),
                date: None,
            },
            CustomDateRule::Once(once) => CustomDateRepr {
                name: date.name,
                month: None,
                day: None,
                date: Some(once),
            },
        }
    }
}

// ---------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------

/// The calendar of a program: its time zone, the country whose holidays
/// apply, and its custom dates.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use loyalty::calendar::{Calendar, Country, SeasonalEvent, Zone};
///
/// let calendar = Calendar::new(Zone::UTC, Some(Country::US), vec![])?;
/// assert_eq!(
///     calendar.date_of(&SeasonalEvent::MothersDay, 2026)?,
///     NaiveDate::from_ymd_opt(2026, 5, 10),
/// );
/// # Ok::<(), loyalty::calendar::CalendarError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Calendar {
    zone: Zone,
    country: Option<Country>,
    custom: Vec<CustomDate>,
}

impl Calendar {
    /// A calendar, after checking the custom dates.
    ///
    /// # Errors
    ///
    /// [`CalendarError::EmptyCustomDateName`] or
    /// [`CalendarError::DuplicateCustomDate`] when names are blank or repeated,
    /// and [`CalendarError::InvalidCustomDate`] when a yearly month and day do
    /// not name a real day (February 29 is allowed).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::calendar::{Calendar, CustomDate, CustomDateRule, Zone};
    ///
    /// let anniversary = CustomDate {
    ///     name: "anniversary".into(),
    ///     rule: CustomDateRule::Yearly { month: 6, day: 1 },
    /// };
    /// let calendar = Calendar::new(Zone::UTC, None, vec![anniversary.clone()])?;
    /// assert_eq!(calendar.custom_dates().len(), 1);
    /// assert!(Calendar::new(Zone::UTC, None, vec![anniversary.clone(), anniversary]).is_err());
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn new(
        zone: Zone,
        country: Option<Country>,
        custom: Vec<CustomDate>,
    ) -> Result<Calendar, CalendarError> {
        for (index, date) in custom.iter().enumerate() {
            date.validate()?;
            if custom
                .iter()
                .take(index)
                .any(|earlier| earlier.name == date.name)
            {
                return Err(CalendarError::DuplicateCustomDate {
                    name: date.name.clone(),
                });
            }
        }
        Ok(Calendar {
            zone,
            country,
            custom,
        })
    }

    /// The program's time zone.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::calendar::{Calendar, Zone};
    ///
    /// assert_eq!(Calendar::default().zone(), Zone::UTC);
    /// ```
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// The country whose holidays apply, if any.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::calendar::{Calendar, Country, Zone};
    ///
    /// let calendar = Calendar::new(Zone::UTC, Some(Country::BR), vec![])?;
    /// assert_eq!(calendar.country(), Some(Country::BR));
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn country(&self) -> Option<Country> {
        self.country
    }

    /// The program's custom dates, in the order given.
    pub fn custom_dates(&self) -> &[CustomDate] {
        &self.custom
    }

    /// The local date of `event` in `year`, or `None` when the event does not
    /// occur that year (only a custom date that happens once, in another year).
    ///
    /// # Errors
    ///
    /// [`CalendarError::NoCountryRule`] for Mother's, Father's or Children's
    /// Day when the calendar has no country or no rule is known for it;
    /// [`CalendarError::UnknownCustomDate`] for a custom name the calendar does
    /// not define; [`CalendarError::YearOutOfRange`] for years beyond about ±262000.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use loyalty::calendar::{Calendar, SeasonalEvent};
    ///
    /// let calendar = Calendar::default();
    /// assert_eq!(
    ///     calendar.date_of(&SeasonalEvent::BlackFriday, 2026)?,
    ///     NaiveDate::from_ymd_opt(2026, 11, 27),
    /// );
    /// assert!(calendar.date_of(&SeasonalEvent::MothersDay, 2026).is_err());
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn date_of(
        &self,
        event: &SeasonalEvent,
        year: i32,
    ) -> Result<Option<NaiveDate>, CalendarError> {
        use Month::*;
        let out = || CalendarError::YearOutOfRange { year };
        let fixed = |month: Month, day: u32| DayRule::Fixed(month, day).resolve(year).map(Some);
        let black_friday = || {
            DayRule::Nth(November, Weekday::Thu, 4)
                .resolve(year)?
                .succ_opt()
                .ok_or_else(out)
        };
        match event {
            SeasonalEvent::BlackFriday => black_friday().map(Some),
            SeasonalEvent::CyberMonday => black_friday()?
                .checked_add_days(chrono::Days::new(3))
                .ok_or_else(out)
                .map(Some),
            SeasonalEvent::Christmas => fixed(December, 25),
            SeasonalEvent::ConsumerDay => fixed(March, 15),
            SeasonalEvent::DoubleTen => fixed(October, 10),
            SeasonalEvent::DoubleEleven => fixed(November, 11),
            SeasonalEvent::DoubleTwelve => fixed(December, 12),
            SeasonalEvent::MothersDay | SeasonalEvent::FathersDay | SeasonalEvent::ChildrensDay => {
                self.rule_for(event)?.resolve(year).map(Some)
            }
            SeasonalEvent::Custom(name) => self.custom_date(name)?.in_year(year),
        }
    }

    /// Whether `event` falls on the local `date`.
    ///
    /// # Errors
    ///
    /// As [`Calendar::date_of`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use loyalty::calendar::{Calendar, SeasonalEvent};
    ///
    /// let calendar = Calendar::default();
    /// let day = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
    /// assert!(calendar.is_event_on(&SeasonalEvent::Christmas, day)?);
    /// assert!(!calendar.is_event_on(&SeasonalEvent::BlackFriday, day)?);
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn is_event_on(
        &self,
        event: &SeasonalEvent,
        date: NaiveDate,
    ) -> Result<bool, CalendarError> {
        Ok(self.date_of(event, date.year())? == Some(date))
    }

    /// Checks that this calendar can resolve `event` (used when a program is
    /// validated): a country rule exists for country-dependent events, and a
    /// custom date exists for a custom name.
    ///
    /// # Errors
    ///
    /// [`CalendarError::NoCountryRule`] or [`CalendarError::UnknownCustomDate`].
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::calendar::{Calendar, Country, SeasonalEvent, Zone};
    ///
    /// let calendar = Calendar::new(Zone::UTC, Some(Country::BR), vec![])?;
    /// assert!(calendar.check_event(&SeasonalEvent::FathersDay).is_ok());
    /// assert!(calendar.check_event(&SeasonalEvent::Custom("launch".into())).is_err());
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn check_event(&self, event: &SeasonalEvent) -> Result<(), CalendarError> {
        match event {
            SeasonalEvent::MothersDay | SeasonalEvent::FathersDay | SeasonalEvent::ChildrensDay => {
                self.rule_for(event).map(|_| ())
            }
            SeasonalEvent::Custom(name) => self.custom_date(name).map(|_| ()),
            _ => Ok(()),
        }
    }

    fn rule_for(&self, event: &SeasonalEvent) -> Result<DayRule, CalendarError> {
        self.country
            .and_then(|country| country_rule(event, country))
            .ok_or_else(|| CalendarError::NoCountryRule {
                event: event.clone(),
                country: self.country,
            })
    }

    fn custom_date(&self, name: &str) -> Result<&CustomDate, CalendarError> {
        self.custom
            .iter()
            .find(|date| date.name == name)
            .ok_or_else(|| CalendarError::UnknownCustomDate {
                name: name.to_owned(),
            })
    }
}

// ---------------------------------------------------------------------------
// DateWindow
// ---------------------------------------------------------------------------

/// Where a local time is relative to a [`DateWindow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowPosition {
    /// Before the window, which starts at `starts`.
    Before {
        /// The window's (inclusive) start.
        starts: NaiveDateTime,
    },
    /// Inside the window.
    Within,
    /// After the window, which ended at `ended`.
    After {
        /// The window's (exclusive) end.
        ended: NaiveDateTime,
    },
}

/// A window of local time: the start is inclusive, the end exclusive, and
/// either side may be open.
///
/// Serialized as `{"from": "2026-11-27", "to": "2026-11-30"}`, both fields
/// optional. Each is a date (`YYYY-MM-DD`) or a local date-time
/// (`YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DDTHH:MM`). A `from` date means 00:00 of
/// that day; a `to` date means through the end of that day; a `to` date-time
/// is exclusive. The window is checked when deserialized. A bound at midnight
/// is written back as a date (a `to` at midnight of day D as the date before D).
///
/// # Example
///
/// ```
/// use loyalty::calendar::DateWindow;
///
/// let window: DateWindow = serde_json::from_str(r#"{"from": "2026-11-27", "to": "2026-11-30"}"#).unwrap();
/// assert_eq!(window.end(), Some("2026-12-01T00:00:00".parse().unwrap()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "DateWindowRepr", into = "DateWindowRepr")]
pub struct DateWindow {
    start: Option<NaiveDateTime>,
    end: Option<NaiveDateTime>,
}

impl DateWindow {
    /// A window from `start` (inclusive) to `end` (exclusive); `None` leaves that side open.
    ///
    /// # Errors
    ///
    /// [`CalendarError::EmptyWindow`] unless `start` is before `end`.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::calendar::DateWindow;
    ///
    /// let start = "2026-11-27T18:00:00".parse().unwrap();
    /// let window = DateWindow::new(Some(start), None)?;
    /// assert_eq!(window.start(), Some(start));
    /// assert!(DateWindow::new(Some(start), Some(start)).is_err());
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn new(
        start: Option<NaiveDateTime>,
        end: Option<NaiveDateTime>,
    ) -> Result<DateWindow, CalendarError> {
        match (start, end) {
            (Some(start), Some(end)) if start >= end => {
                Err(CalendarError::EmptyWindow { start, end })
            }
            _ => Ok(DateWindow { start, end }),
        }
    }

    /// Whole local days from `first` to `last`, both included:
    /// `[first 00:00, last + 1 day 00:00)`.
    ///
    /// # Errors
    ///
    /// [`CalendarError::EmptyWindow`] when `last` is before `first`, and
    /// [`CalendarError::DateOutOfRange`] when `last` is the last supported date.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use loyalty::calendar::DateWindow;
    ///
    /// let first = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    /// let last = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    /// let window = DateWindow::days(first, last)?;
    /// assert_eq!(window.end(), Some("2026-12-01T00:00:00".parse().unwrap()));
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn days(first: NaiveDate, last: NaiveDate) -> Result<DateWindow, CalendarError> {
        let end = last
            .succ_opt()
            .ok_or(CalendarError::DateOutOfRange { date: last })?;
        DateWindow::new(
            Some(first.and_time(NaiveTime::MIN)),
            Some(end.and_time(NaiveTime::MIN)),
        )
    }

    /// The whole local day `day`.
    ///
    /// # Errors
    ///
    /// [`CalendarError::DateOutOfRange`] when `day` is the last supported date.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use loyalty::calendar::DateWindow;
    ///
    /// let window = DateWindow::on(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap())?;
    /// assert!(window.contains_local("2026-11-27T23:59:59".parse().unwrap()));
    /// assert!(!window.contains_local("2026-11-28T00:00:00".parse().unwrap()));
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn on(day: NaiveDate) -> Result<DateWindow, CalendarError> {
        DateWindow::days(day, day)
    }

    /// The inclusive start, or `None` when open.
    pub fn start(&self) -> Option<NaiveDateTime> {
        self.start
    }

    /// The exclusive end, or `None` when open.
    pub fn end(&self) -> Option<NaiveDateTime> {
        self.end
    }

    /// Whether the local date-time `local` is inside the window.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::calendar::DateWindow;
    ///
    /// let window = DateWindow::new(None, Some("2026-01-01T00:00:00".parse().unwrap()))?;
    /// assert!(window.contains_local("2025-12-31T23:59:59".parse().unwrap()));
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn contains_local(&self, local: NaiveDateTime) -> bool {
        self.position(local) == WindowPosition::Within
    }

    /// Whether the instant `at` is inside the window, read in `zone`.
    ///
    /// The instant is turned into local time and compared with the local
    /// bounds, so a window of whole days stays correct across changes of the
    /// UTC offset (daylight saving time).
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::{DateTime, NaiveDate, Utc};
    /// use loyalty::calendar::{DateWindow, Zone};
    ///
    /// let window = DateWindow::on(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap())?;
    /// let zone = Zone::parse("-03:00")?;
    /// let at: DateTime<Utc> = "2026-11-28T02:59:59Z".parse().unwrap();
    /// assert!(window.contains(at, zone));
    /// assert!(!window.contains(at, Zone::UTC));
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn contains(&self, at: DateTime<Utc>, zone: Zone) -> bool {
        self.contains_local(zone.to_local(at))
    }

    /// Where the local date-time `local` is relative to the window.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use loyalty::calendar::{DateWindow, WindowPosition};
    ///
    /// let window = DateWindow::on(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap())?;
    /// assert_eq!(
    ///     window.position("2026-11-28T00:00:00".parse().unwrap()),
    ///     WindowPosition::After { ended: "2026-11-28T00:00:00".parse().unwrap() },
    /// );
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn position(&self, local: NaiveDateTime) -> WindowPosition {
        match (self.start, self.end) {
            (Some(starts), _) if local < starts => WindowPosition::Before { starts },
            (_, Some(ended)) if local >= ended => WindowPosition::After { ended },
            _ => WindowPosition::Within,
        }
    }
}

/// A date or a local date-time, as written in a window bound.
enum Bound {
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

fn parse_bound(text: &str) -> Result<Bound, CalendarError> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Bound::Date(date));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Bound::DateTime(at));
        }
    }
    Err(CalendarError::InvalidDateTime {
        value: text.to_owned(),
    })
}

fn format_datetime(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.f").to_string()
}

fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DateWindowRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<String>,
}

impl TryFrom<DateWindowRepr> for DateWindow {
    type Error = CalendarError;

    fn try_from(repr: DateWindowRepr) -> Result<Self, Self::Error> {
        let start = match repr.from.as_deref().map(parse_bound).transpose()? {
            None => None,
            Some(Bound::Date(date)) => Some(date.and_time(NaiveTime::MIN)),
            Some(Bound::DateTime(at)) => Some(at),
        };
        let end = match repr.to.as_deref().map(parse_bound).transpose()? {
            None => None,
            Some(Bound::Date(date)) => Some(
                date.succ_opt()
                    .ok_or(CalendarError::DateOutOfRange { date })?
                    .and_time(NaiveTime::MIN),
            ),
            Some(Bound::DateTime(at)) => Some(at),
        };
        DateWindow::new(start, end)
    }
}

impl From<DateWindow> for DateWindowRepr {
    fn from(window: DateWindow) -> Self {
        let from = window.start.map(|start| {
            if start.time() == NaiveTime::MIN {
                format_date(start.date())
            } else {
                format_datetime(start)
            }
        });
        let to = window.end.map(|end| match end.date().pred_opt() {
            Some(day) if end.time() == NaiveTime::MIN => format_date(day),
            _ => format_datetime(end),
        });
        DateWindowRepr { from, to }
    }
}

// ---------------------------------------------------------------------------
// TimeOfDay
// ---------------------------------------------------------------------------

/// A span of local time of day: `from` inclusive, `to` exclusive. When `from`
/// is later than `to` the span wraps past midnight (22:00–02:00); `to` at
/// 00:00 means "until midnight".
///
/// Serialized as `{"from": "18:00", "to": "22:00"}` (`HH:MM` or `HH:MM:SS`),
/// checked when deserialized.
///
/// # Example
///
/// ```
/// use chrono::NaiveTime;
/// use loyalty::calendar::TimeOfDay;
///
/// let night = TimeOfDay::new(
///     NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
///     NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
/// )?;
/// assert!(night.contains(NaiveTime::from_hms_opt(23, 30, 0).unwrap()));
/// assert!(night.contains(NaiveTime::from_hms_opt(1, 0, 0).unwrap()));
/// assert!(!night.contains(NaiveTime::from_hms_opt(2, 0, 0).unwrap()));
/// # Ok::<(), loyalty::calendar::CalendarError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "TimeOfDayRepr", into = "TimeOfDayRepr")]
pub struct TimeOfDay {
    from: NaiveTime,
    to: NaiveTime,
}

impl TimeOfDay {
    /// A span from `from` (inclusive) to `to` (exclusive), wrapping past
    /// midnight when `from` is later than `to`.
    ///
    /// # Errors
    ///
    /// [`CalendarError::EmptyTimeOfDay`] when `from` equals `to`.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveTime;
    /// use loyalty::calendar::TimeOfDay;
    ///
    /// let six = NaiveTime::from_hms_opt(18, 0, 0).unwrap();
    /// assert!(TimeOfDay::new(six, six).is_err());
    /// ```
    pub fn new(from: NaiveTime, to: NaiveTime) -> Result<Self, CalendarError> {
        if from == to {
            return Err(CalendarError::EmptyTimeOfDay { at: from });
        }
        Ok(TimeOfDay { from, to })
    }

    /// The inclusive start.
    pub fn from(&self) -> NaiveTime {
        self.from
    }

    /// The exclusive end.
    pub fn to(&self) -> NaiveTime {
        self.to
    }

    /// Whether the local time `t` is inside the span.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveTime;
    /// use loyalty::calendar::TimeOfDay;
    ///
    /// let evening = TimeOfDay::new(
    ///     NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
    ///     NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
    /// )?;
    /// assert!(evening.contains(NaiveTime::from_hms_opt(18, 0, 0).unwrap()));
    /// assert!(!evening.contains(NaiveTime::from_hms_opt(22, 0, 0).unwrap()));
    /// # Ok::<(), loyalty::calendar::CalendarError>(())
    /// ```
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.from < self.to {
            self.from <= t && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }
}

fn parse_time(text: &str) -> Result<NaiveTime, CalendarError> {
    NaiveTime::parse_from_str(text, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .map_err(|_| CalendarError::InvalidTimeOfDay {
            value: text.to_owned(),
        })
}

fn format_time(t: NaiveTime) -> String {
    if t.second() == 0 && t.nanosecond() == 0 {
        t.format("%H:%M").to_string()
    } else {
        t.format("%H:%M:%S%.f").to_string()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeOfDayRepr {
    from: String,
    to: String,
}

impl TryFrom<TimeOfDayRepr> for TimeOfDay {
    type Error = CalendarError;

    fn try_from(repr: TimeOfDayRepr) -> Result<Self, Self::Error> {
        TimeOfDay::new(parse_time(&repr.from)?, parse_time(&repr.to)?)
    }
}

impl From<TimeOfDay> for TimeOfDayRepr {
    fn from(span: TimeOfDay) -> Self {
        TimeOfDayRepr {
            from: format_time(span.from),
            to: format_time(span.to),
        }
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn dt(text: &str) -> NaiveDateTime {
        text.parse().unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn t(text: &str) -> NaiveTime {
        parse_time(text).unwrap()
    }

    fn calendar(country: Option<&str>) -> Calendar {
        Calendar::new(
            Zone::UTC,
            country.map(|c| Country::new(c).unwrap()),
            vec![],
        )
        .unwrap()
    }

    #[test]
    fn black_friday_and_cyber_monday_2024_to_2030() {
        let cal = Calendar::default();
        let expected = [
            (2024, "2024-11-29"),
            (2025, "2025-11-28"),
            (2026, "2026-11-27"),
            (2027, "2027-11-26"),
            (2028, "2028-11-24"),
            (2029, "2029-11-23"),
            (2030, "2030-11-29"),
        ];
        for (year, day) in expected {
            let bf = d(day);
            assert_eq!(
                cal.date_of(&SeasonalEvent::BlackFriday, year).unwrap(),
                Some(bf)
            );
            assert_eq!(bf.weekday(), Weekday::Fri);
            let cm = cal
                .date_of(&SeasonalEvent::CyberMonday, year)
                .unwrap()
                .unwrap();
            assert_eq!(cm, bf + TimeDelta::days(3));
            assert_eq!(cm.weekday(), Weekday::Mon);
            assert!(cal.is_event_on(&SeasonalEvent::BlackFriday, bf).unwrap());
            assert!(!cal.is_event_on(&SeasonalEvent::BlackFriday, cm).unwrap());
        }
    }

    #[test]
    fn fixed_events() {
        let cal = Calendar::default();
        let cases = [
            (SeasonalEvent::Christmas, "2026-12-25"),
            (SeasonalEvent::ConsumerDay, "2026-03-15"),
            (SeasonalEvent::DoubleTen, "2026-10-10"),
            (SeasonalEvent::DoubleEleven, "2026-11-11"),
            (SeasonalEvent::DoubleTwelve, "2026-12-12"),
        ];
        for (event, day) in cases {
            assert_eq!(cal.date_of(&event, 2026).unwrap(), Some(d(day)), "{event}");
            assert!(cal.check_event(&event).is_ok());
        }
    }

    #[test]
    fn family_days_br_and_us() {
        let br = calendar(Some("BR"));
        let us = calendar(Some("US"));
        let cases = [
            (&br, SeasonalEvent::MothersDay, 2025, "2025-05-11"),
            (&br, SeasonalEvent::MothersDay, 2026, "2026-05-10"),
            (&br, SeasonalEvent::FathersDay, 2025, "2025-08-10"),
            (&br, SeasonalEvent::FathersDay, 2026, "2026-08-09"),
            (&br, SeasonalEvent::ChildrensDay, 2025, "2025-10-12"),
            (&br, SeasonalEvent::ChildrensDay, 2026, "2026-10-12"),
            (&us, SeasonalEvent::MothersDay, 2025, "2025-05-11"),
            (&us, SeasonalEvent::MothersDay, 2026, "2026-05-10"),
            (&us, SeasonalEvent::FathersDay, 2025, "2025-06-15"),
            (&us, SeasonalEvent::FathersDay, 2026, "2026-06-21"),
            (&us, SeasonalEvent::ChildrensDay, 2025, "2025-06-08"),
            (&us, SeasonalEvent::ChildrensDay, 2026, "2026-06-14"),
        ];
        for (cal, event, year, day) in cases {
            assert_eq!(
                cal.date_of(&event, year).unwrap(),
                Some(d(day)),
                "{event} {year}"
            );
            assert!(cal.is_event_on(&event, d(day)).unwrap());
        }
    }

    #[test]
    fn family_days_other_countries() {
        let cases = [
            ("AR", SeasonalEvent::MothersDay, 2025, "2025-10-19"),
            ("FR", SeasonalEvent::MothersDay, 2025, "2025-05-25"),
            ("FR", SeasonalEvent::MothersDay, 2026, "2026-05-31"),
            ("ES", SeasonalEvent::MothersDay, 2026, "2026-05-03"),
            ("MX", SeasonalEvent::MothersDay, 2026, "2026-05-10"),
            ("AU", SeasonalEvent::FathersDay, 2025, "2025-09-07"),
            ("IT", SeasonalEvent::FathersDay, 2026, "2026-03-19"),
            ("GB", SeasonalEvent::FathersDay, 2026, "2026-06-21"),
            ("JP", SeasonalEvent::ChildrensDay, 2026, "2026-05-05"),
            ("KR", SeasonalEvent::ChildrensDay, 2026, "2026-05-05"),
            ("MX", SeasonalEvent::ChildrensDay, 2026, "2026-04-30"),
            ("CN", SeasonalEvent::ChildrensDay, 2026, "2026-06-01"),
            ("AR", SeasonalEvent::ChildrensDay, 2025, "2025-08-17"),
        ];
        for (country, event, year, day) in cases {
            let cal = calendar(Some(country));
            assert_eq!(
                cal.date_of(&event, year).unwrap(),
                Some(d(day)),
                "{event} {country}"
            );
        }
    }

    #[test]
    fn family_days_without_rule_are_errors() {
        let none = calendar(None);
        let err = none.date_of(&SeasonalEvent::MothersDay, 2026).unwrap_err();
        assert_eq!(
            err,
            CalendarError::NoCountryRule {
                event: SeasonalEvent::MothersDay,
                country: None
            }
        );
        let message = err.to_string();
        assert!(message.contains("set the calendar's country"), "{message}");
        assert!(message.contains("custom date"), "{message}");
        assert!(none.check_event(&SeasonalEvent::FathersDay).is_err());
        assert!(none.check_event(&SeasonalEvent::BlackFriday).is_ok());

        let zz = calendar(Some("ZZ"));
        let err = zz.date_of(&SeasonalEvent::ChildrensDay, 2026).unwrap_err();
        assert!(matches!(
            err,
            CalendarError::NoCountryRule { country: Some(c), .. } if c.as_str() == "ZZ"
        ));
        assert!(err.to_string().contains("\"ZZ\""), "{err}");
        // China has Mother's Day but no Father's Day rule: never a guess.
        let cn = calendar(Some("CN"));
        assert!(cn.check_event(&SeasonalEvent::MothersDay).is_ok());
        assert!(cn.check_event(&SeasonalEvent::FathersDay).is_err());
        assert!(
            cn.is_event_on(&SeasonalEvent::FathersDay, d("2026-06-21"))
                .is_err()
        );
    }

    #[test]
    fn custom_dates() {
        let cal = Calendar::new(
            Zone::UTC,
            None,
            vec![
                CustomDate {
                    name: "anniversary".into(),
                    rule: CustomDateRule::Yearly { month: 6, day: 1 },
                },
                CustomDate {
                    name: "leap".into(),
                    rule: CustomDateRule::Yearly { month: 2, day: 29 },
                },
                CustomDate {
                    name: "launch".into(),
                    rule: CustomDateRule::Once(d("2026-06-01")),
                },
            ],
        )
        .unwrap();
        let ev = |name: &str| SeasonalEvent::Custom(name.into());
        assert_eq!(
            cal.date_of(&ev("anniversary"), 2027).unwrap(),
            Some(d("2027-06-01"))
        );
        assert_eq!(
            cal.date_of(&ev("leap"), 2028).unwrap(),
            Some(d("2028-02-29"))
        );
        assert_eq!(
            cal.date_of(&ev("leap"), 2026).unwrap(),
            Some(d("2026-02-28"))
        );
        assert_eq!(
            cal.date_of(&ev("launch"), 2026).unwrap(),
            Some(d("2026-06-01"))
        );
        assert_eq!(cal.date_of(&ev("launch"), 2027).unwrap(), None);
        assert!(!cal.is_event_on(&ev("launch"), d("2027-06-01")).unwrap());
        assert!(cal.is_event_on(&ev("launch"), d("2026-06-01")).unwrap());
        assert!(cal.check_event(&ev("launch")).is_ok());
        let err = cal.date_of(&ev("birthday"), 2026).unwrap_err();
        assert_eq!(
            err,
            CalendarError::UnknownCustomDate {
                name: "birthday".into()
            }
        );
        assert!(cal.check_event(&ev("birthday")).is_err());
        assert_eq!(cal.custom_dates().len(), 3);
    }

    #[test]
    fn calendar_validation() {
        let yearly = |name: &str, month, day| CustomDate {
            name: name.into(),
            rule: CustomDateRule::Yearly { month, day },
        };
        let new = |dates| Calendar::new(Zone::UTC, None, dates);
        assert_eq!(
            new(vec![yearly(" ", 1, 1)]),
            Err(CalendarError::EmptyCustomDateName)
        );
        assert_eq!(
            new(vec![yearly("a", 1, 1), yearly("a", 2, 2)]),
            Err(CalendarError::DuplicateCustomDate { name: "a".into() })
        );
        for (month, day) in [(2, 30), (13, 1), (0, 1), (4, 31), (1, 0)] {
            assert!(matches!(
                new(vec![yearly("x", month, day)]),
                Err(CalendarError::InvalidCustomDate { .. })
            ));
        }
        assert!(new(vec![yearly("leap", 2, 29)]).is_ok());
    }

    #[test]
    fn extreme_years_do_not_panic() {
        let cal = Calendar::new(
            Zone::UTC,
            Some(Country::new("FR").unwrap()),
            vec![CustomDate {
                name: "leap".into(),
                rule: CustomDateRule::Yearly { month: 2, day: 29 },
            }],
        )
        .unwrap();
        let events = [
            SeasonalEvent::BlackFriday,
            SeasonalEvent::CyberMonday,
            SeasonalEvent::Christmas,
            SeasonalEvent::MothersDay,
            SeasonalEvent::FathersDay,
            SeasonalEvent::Custom("leap".into()),
        ];
        for year in [
            i32::MIN,
            -262_145,
            -262_144,
            262_142,
            262_143,
            262_144,
            i32::MAX,
        ] {
            for event in &events {
                let _ = cal.date_of(event, year);
            }
        }
        assert_eq!(
            cal.date_of(&SeasonalEvent::Christmas, i32::MAX),
            Err(CalendarError::YearOutOfRange { year: i32::MAX })
        );
        assert_eq!(
            cal.date_of(&SeasonalEvent::Custom("leap".into()), i32::MIN),
            Err(CalendarError::YearOutOfRange { year: i32::MIN })
        );
        assert!(DateWindow::on(NaiveDate::MAX).is_err());
        assert!(DateWindow::on(NaiveDate::MIN).is_ok());
        let zones = ["UTC", "+14:00", "-12:00"];
        #[cfg(feature = "tz")]
        let zones = [&zones[..], &["America/New_York", "Pacific/Kiritimati"]].concat();
        for name in zones {
            let zone = Zone::parse(name).unwrap();
            let _ = zone.to_local(DateTime::<Utc>::MAX_UTC);
            let _ = zone.to_local(DateTime::<Utc>::MIN_UTC);
            let _ = zone.to_utc(NaiveDateTime::MAX);
            let _ = zone.to_utc(NaiveDateTime::MIN);
        }
        assert!(
            Zone::parse("+14:00")
                .unwrap()
                .to_utc(NaiveDateTime::MIN)
                .is_err()
        );
    }

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
    fn black_friday_window_in_sao_paulo() {
        let zone = Zone::parse("America/Sao_Paulo").unwrap();
        let cal = Calendar::new(zone, Some(Country::BR), vec![]).unwrap();
        let day = cal
            .date_of(&SeasonalEvent::BlackFriday, 2026)
            .unwrap()
            .unwrap();
        let window = DateWindow::on(day).unwrap();
        assert!(window.contains(utc("2026-11-27T03:00:00Z"), cal.zone()));
        assert!(window.contains(utc("2026-11-28T02:59:59Z"), cal.zone()));
        assert!(!window.contains(utc("2026-11-27T02:59:59Z"), cal.zone()));
        assert!(!window.contains(utc("2026-11-28T03:00:00Z"), cal.zone()));
        assert_eq!(
            zone.to_utc(window.start().unwrap()).unwrap(),
            utc("2026-11-27T03:00:00Z")
        );
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

    #[test]
    fn date_window_basics() {
        let start = dt("2026-11-27T00:00:00");
        let end = dt("2026-11-28T00:00:00");
        let window = DateWindow::new(Some(start), Some(end)).unwrap();
        assert_eq!(window, DateWindow::on(d("2026-11-27")).unwrap());
        assert_eq!(
            window.position(dt("2026-11-26T23:59:59")),
            WindowPosition::Before { starts: start }
        );
        assert_eq!(window.position(start), WindowPosition::Within);
        assert_eq!(window.position(end), WindowPosition::After { ended: end });
        assert_eq!(
            DateWindow::new(Some(end), Some(start)),
            Err(CalendarError::EmptyWindow {
                start: end,
                end: start
            })
        );
        assert!(DateWindow::new(Some(start), Some(start)).is_err());
        assert!(DateWindow::days(d("2026-11-28"), d("2026-11-27")).is_err());
        let open = DateWindow::new(None, None).unwrap();
        assert!(open.contains_local(NaiveDateTime::MIN));
        assert!(open.contains_local(NaiveDateTime::MAX));
        let window = DateWindow::days(d("2026-11-27"), d("2026-11-30")).unwrap();
        assert_eq!(window.end(), Some(dt("2026-12-01T00:00:00")));
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Doc {
        zone: Zone,
        country: Country,
        window: DateWindow,
        hours: TimeOfDay,
        events: Vec<SeasonalEvent>,
        custom: Vec<CustomDate>,
    }

    fn sample_doc() -> Doc {
        Doc {
            zone: Zone::parse("-03:00").unwrap(),
            country: Country::BR,
            window: DateWindow::days(d("2026-11-27"), d("2026-11-30")).unwrap(),
            hours: TimeOfDay::new(t("22:00"), t("02:00:30")).unwrap(),
            events: vec![
                SeasonalEvent::BlackFriday,
                SeasonalEvent::DoubleEleven,
                SeasonalEvent::MothersDay,
                SeasonalEvent::Custom("anniversary".into()),
            ],
            custom: vec![
                CustomDate {
                    name: "anniversary".into(),
                    rule: CustomDateRule::Yearly { month: 6, day: 1 },
                },
                CustomDate {
                    name: "launch".into(),
                    rule: CustomDateRule::Once(d("2026-06-01")),
                },
            ],
        }
    }

    #[test]
    fn serde_json_forms() {
        let json = serde_json::to_value(sample_doc()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "zone": "-03:00",
                "country": "BR",
                "window": {"from": "2026-11-27", "to": "2026-11-30"},
                "hours": {"from": "22:00", "to": "02:00:30"},
                "events": ["black_friday", "double_eleven", "mothers_day", {"custom": "anniversary"}],
                "custom": [
                    {"name": "anniversary", "month": 6, "day": 1},
                    {"name": "launch", "date": "2026-06-01"}
                ]
            })
        );
        let back: Doc = serde_json::from_value(json).unwrap();
        assert_eq!(back, sample_doc());
    }

    #[test]
    fn serde_toml_round_trip() {
        let text = toml::to_string(&sample_doc()).unwrap();
        assert!(text.contains("zone = \"-03:00\""), "{text}");
        let back: Doc = toml::from_str(&text).unwrap();
        assert_eq!(back, sample_doc());

        let window: DateWindow =
            toml::from_str("from = \"2026-11-27T18:00\"\nto = \"2026-11-30\"").unwrap();
        assert_eq!(window.start(), Some(dt("2026-11-27T18:00:00")));
        assert_eq!(window.end(), Some(dt("2026-12-01T00:00:00")));
        let err =
            toml::from_str::<DateWindow>("from = \"2026-11-30\"\nto = \"2026-11-27\"").unwrap_err();
        assert!(err.to_string().contains("empty date window"), "{err}");
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

    #[test]
    fn serde_zone_and_country() {
        for name in ["UTC", "+05:30", "-03:00"] {
            let zone = Zone::parse(name).unwrap();
            let json = serde_json::to_string(&zone).unwrap();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(serde_json::from_str::<Zone>(&json).unwrap(), zone);
        }
        assert!(serde_json::from_str::<Zone>("\"+25:00\"").is_err());
        assert_eq!(
            serde_json::from_str::<Country>("\"us\"").unwrap(),
            Country::US
        );
        let err = serde_json::from_str::<Country>("\"USA\"").unwrap_err();
        assert!(
            err.to_string().contains("invalid country code \"USA\""),
            "{err}"
        );
        assert_eq!(format!("{:?}", Country::BR), "Country(\"BR\")");
    }

    #[test]
    fn serde_date_window_forms() {
        let cases = [
            r#"{"from":"2026-11-27","to":"2026-11-30"}"#,
            r#"{"from":"2026-11-27T18:00:00","to":"2026-11-30T06:30:00"}"#,
            r#"{"from":"2026-11-27T18:00:00.500"}"#,
            r#"{"to":"2026-11-30"}"#,
            r#"{}"#,
        ];
        for json in cases {
            let window: DateWindow = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&window).unwrap(), json);
        }
        // A midnight datetime is written back as a date.
        let window: DateWindow =
            serde_json::from_str(r#"{"from":"2026-11-27T00:00","to":"2026-12-01T00:00:00"}"#)
                .unwrap();
        let json = serde_json::to_string(&window).unwrap();
        assert_eq!(json, r#"{"from":"2026-11-27","to":"2026-11-30"}"#);
        assert_eq!(serde_json::from_str::<DateWindow>(&json).unwrap(), window);
        // Space separator and minutes-only are accepted.
        let window: DateWindow = serde_json::from_str(r#"{"from":"2026-11-27 18:00"}"#).unwrap();
        assert_eq!(window.start(), Some(dt("2026-11-27T18:00:00")));
        // Edges: the earliest midnight `to` cannot be written as the day before.
        let edge = DateWindow::new(None, Some(NaiveDate::MIN.and_time(NaiveTime::MIN))).unwrap();
        let json = serde_json::to_string(&edge).unwrap();
        assert_eq!(serde_json::from_str::<DateWindow>(&json).unwrap(), edge);
    }

    #[test]
    fn serde_rejects_invalid_windows() {
        let err = serde_json::from_str::<DateWindow>(r#"{"from":"2026-11-30","to":"2026-11-27"}"#)
            .unwrap_err();
        assert!(err.to_string().contains("empty date window"), "{err}");
        let err = serde_json::from_str::<DateWindow>(
            r#"{"from":"2026-11-27T10:00","to":"2026-11-27T10:00"}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("make the start earlier than the end"),
            "{err}"
        );
        let err = serde_json::from_str::<DateWindow>(r#"{"from":"2026-13-01"}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("invalid date or time \"2026-13-01\""),
            "{err}"
        );
        assert!(
            serde_json::from_str::<DateWindow>(r#"{"from":"2026-11-27","until":"2026-11-30"}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<DateWindow>(r#"{"to":"+262143-12-31"}"#).is_err());
    }

    #[test]
    fn time_of_day() {
        let evening = TimeOfDay::new(t("18:00"), t("22:00")).unwrap();
        assert!(evening.contains(t("18:00")));
        assert!(evening.contains(t("21:59:59")));
        assert!(!evening.contains(t("22:00")));
        assert!(!evening.contains(t("17:59")));
        let night = TimeOfDay::new(t("22:00"), t("02:00")).unwrap();
        assert!(night.contains(t("22:00")));
        assert!(night.contains(t("00:00")));
        assert!(!night.contains(t("02:00")));
        assert!(!night.contains(t("12:00")));
        let until_midnight = TimeOfDay::new(t("22:00"), t("00:00")).unwrap();
        assert!(until_midnight.contains(t("23:59:59")));
        assert!(!until_midnight.contains(t("00:00")));
        assert_eq!(
            TimeOfDay::new(t("10:00"), t("10:00")),
            Err(CalendarError::EmptyTimeOfDay { at: t("10:00") })
        );
    }

    #[test]
    fn serde_time_of_day() {
        let json = r#"{"from":"18:00","to":"22:00"}"#;
        let span: TimeOfDay = serde_json::from_str(json).unwrap();
        assert_eq!(span, TimeOfDay::new(t("18:00"), t("22:00")).unwrap());
        assert_eq!(serde_json::to_string(&span).unwrap(), json);
        let span: TimeOfDay =
            serde_json::from_str(r#"{"from":"18:00:30","to":"22:00:00"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&span).unwrap(),
            r#"{"from":"18:00:30","to":"22:00"}"#
        );
        let err =
            serde_json::from_str::<TimeOfDay>(r#"{"from":"18:00","to":"18:00"}"#).unwrap_err();
        assert!(err.to_string().contains("empty time of day"), "{err}");
        let err =
            serde_json::from_str::<TimeOfDay>(r#"{"from":"25:00","to":"18:00"}"#).unwrap_err();
        assert!(
            err.to_string().contains("invalid time of day \"25:00\""),
            "{err}"
        );
        assert!(serde_json::from_str::<TimeOfDay>(r#"{"from":"18:00"}"#).is_err());
        let span: TimeOfDay = toml::from_str("from = \"22:00\"\nto = \"02:00\"").unwrap();
        assert_eq!(
            toml::from_str::<TimeOfDay>(&toml::to_string(&span).unwrap()).unwrap(),
            span
        );
    }

    #[test]
    fn serde_seasonal_events_and_custom_dates() {
        let all = [
            (SeasonalEvent::BlackFriday, "\"black_friday\""),
            (SeasonalEvent::CyberMonday, "\"cyber_monday\""),
            (SeasonalEvent::Christmas, "\"christmas\""),
            (SeasonalEvent::ConsumerDay, "\"consumer_day\""),
            (SeasonalEvent::DoubleTen, "\"double_ten\""),
            (SeasonalEvent::DoubleEleven, "\"double_eleven\""),
            (SeasonalEvent::DoubleTwelve, "\"double_twelve\""),
            (SeasonalEvent::MothersDay, "\"mothers_day\""),
            (SeasonalEvent::FathersDay, "\"fathers_day\""),
            (SeasonalEvent::ChildrensDay, "\"childrens_day\""),
            (
                SeasonalEvent::Custom("anniversary".into()),
                r#"{"custom":"anniversary"}"#,
            ),
        ];
        for (event, json) in all {
            assert_eq!(serde_json::to_string(&event).unwrap(), json);
            assert_eq!(serde_json::from_str::<SeasonalEvent>(json).unwrap(), event);
        }
        assert_eq!(SeasonalEvent::ChildrensDay.to_string(), "Children's Day");
        assert!(serde_json::from_str::<SeasonalEvent>("\"easter\"").is_err());

        let err =
            serde_json::from_str::<CustomDate>(r#"{"name":"x","month":2,"day":30}"#).unwrap_err();
        assert!(err.to_string().contains("not a day of the year"), "{err}");
        let err = serde_json::from_str::<CustomDate>(
            r#"{"name":"x","month":2,"day":3,"date":"2026-01-01"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("either"), "{err}");
        assert!(serde_json::from_str::<CustomDate>(r#"{"name":"x","month":2}"#).is_err());
        assert!(
            serde_json::from_str::<CustomDate>(r#"{"name":"x","month":2,"day":3,"year":1}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<CustomDate>(r#"{"name":"","month":2,"day":3}"#).is_err());
        let leap: CustomDate =
            serde_json::from_str(r#"{"name":"leap","month":2,"day":29}"#).unwrap();
        assert_eq!(leap.rule, CustomDateRule::Yearly { month: 2, day: 29 });
    }

    #[test]
    fn error_messages_say_what_to_fix() {
        let err = CalendarError::NoCountryRule {
            event: SeasonalEvent::FathersDay,
            country: Some(Country::new("CN").unwrap()),
        };
        assert_eq!(
            err.to_string(),
            "no rule is known for Father's Day in country \"CN\": set the calendar's country to one with a rule, or use a custom date for it"
        );
        assert!(Country::new("B1").is_err());
        assert!(Country::new("ÄB").is_err());
        assert!(Country::new("").is_err());
    }
}
