//! A program's own named dates, yearly or once.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::CalendarError;

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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "CustomDateRepr", into = "CustomDateRepr")]
pub struct CustomDate {
    /// The name events refer to, as in `{"custom": "anniversary"}`.
    pub name: String,
    /// When the date occurs.
    pub rule: CustomDateRule,
}

impl CustomDate {
    pub(super) fn validate(&self) -> Result<(), CalendarError> {
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

    pub(super) fn in_year(&self, year: i32) -> Result<Option<NaiveDate>, CalendarError> {
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

/// The custom date called `name` among `dates`.
pub(super) fn find<'a>(
    dates: &'a [CustomDate],
    name: &str,
) -> Result<&'a CustomDate, CalendarError> {
    dates
        .iter()
        .find(|date| date.name == name)
        .ok_or_else(|| CalendarError::UnknownCustomDate {
            name: name.to_owned(),
        })
}

#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::test_support::d;
    use crate::calendar::{Calendar, SeasonalEvent, Zone};

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
}
