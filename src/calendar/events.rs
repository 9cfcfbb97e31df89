//! Seasonal events and the rules that find their dates in a given year:
//! Black Friday, 11/11, Mother's Day by country, a program's custom dates.

use std::fmt;

use chrono::{Datelike, Month, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::custom::{self, CustomDate};
use super::{CalendarError, Country};

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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

    /// The local date of this event in `year`, for a calendar in `country`
    /// with the custom dates `custom`; `None` when it does not occur that year.
    pub(super) fn date_in(
        &self,
        year: i32,
        country: Option<Country>,
        custom: &[CustomDate],
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
        match self {
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
                rule_for(self, country)?.resolve(year).map(Some)
            }
            SeasonalEvent::Custom(name) => custom::find(custom, name)?.in_year(year),
        }
    }

    /// Checks that the date of this event can be found for a calendar in
    /// `country` with the custom dates `custom`.
    pub(super) fn check(
        &self,
        country: Option<Country>,
        custom: &[CustomDate],
    ) -> Result<(), CalendarError> {
        match self {
            SeasonalEvent::MothersDay | SeasonalEvent::FathersDay | SeasonalEvent::ChildrensDay => {
                rule_for(self, country).map(|_| ())
            }
            SeasonalEvent::Custom(name) => custom::find(custom, name).map(|_| ()),
            _ => Ok(()),
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

/// The rule of a country-dependent event in `country`.
fn rule_for(event: &SeasonalEvent, country: Option<Country>) -> Result<DayRule, CalendarError> {
    country
        .and_then(|country| country_rule(event, country))
        .ok_or_else(|| CalendarError::NoCountryRule {
            event: event.clone(),
            country,
        })
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

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::calendar::Calendar;
    use crate::calendar::test_support::{calendar, d};

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
}
