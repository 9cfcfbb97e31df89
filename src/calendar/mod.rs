//! Calendars of loyalty programs: time zones, countries, seasonal events,
//! windows of local time and spans of time of day.
//!
//! The library never reads a clock: every function that needs "now" takes the
//! instant as an argument (a [`DateTime<Utc>`](chrono::DateTime)). Program
//! rules are written in the program's *local* time (its [`Zone`]), so a window
//! such as "Black Friday" means the whole local day, whatever the UTC offset
//! of that day is.
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

mod country;
mod custom;
mod events;
mod program_calendar;
#[cfg(test)]
mod test_support;
mod time_of_day;
mod window;
mod zone;

pub use country::Country;
pub use custom::{CustomDate, CustomDateRule};
pub use events::SeasonalEvent;
pub use program_calendar::Calendar;
pub use time_of_day::TimeOfDay;
pub use window::{DateWindow, WindowPosition};
pub use zone::Zone;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

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

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Serialize};

    #[cfg(feature = "tz")]
    use super::test_support::utc;
    use super::test_support::{d, dt, t};
    use super::*;

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
