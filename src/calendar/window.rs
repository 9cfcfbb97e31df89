//! Windows of local time, such as the whole local day of Black Friday.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CalendarError, Zone};

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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::test_support::{d, dt};

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
}
