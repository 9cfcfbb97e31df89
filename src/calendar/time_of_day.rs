//! Spans of local time of day, such as 18:00 to 22:00 or 22:00 to 02:00.

use chrono::{NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

use super::CalendarError;

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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

pub(super) fn parse_time(text: &str) -> Result<NaiveTime, CalendarError> {
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::test_support::t;

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
}
