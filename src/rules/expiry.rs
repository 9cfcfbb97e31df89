//! When earned points and cashback become available, and when they expire.
//!
//! Points and cashback are **pending** until the return window closes
//! (`return_window_days` after the evaluation instant, counted in local
//! calendar days so that a daylight-saving change does not move the hour).
//! They then **expire** by the program's policy, counted from the day they
//! became available: never, N months later, or at the end of a calendar
//! year (the year they became available, or N years after).
//!
//! # Example
//!
//! ```
//! use loyalty::calendar::Zone;
//! use loyalty::rules::expiry::LedgerPolicy;
//!
//! let policy: LedgerPolicy = serde_json::from_str(r#"{
//!     "return_window_days": 30,
//!     "points_expiry": {"after_months": 12}
//! }"#)?;
//! let zone = Zone::parse("America/Sao_Paulo")?;
//! let (available, expires) = policy.points_dates("2026-11-27T13:00:00Z".parse()?, zone)?;
//! assert_eq!(available.to_rfc3339(), "2026-12-27T13:00:00+00:00");
//! assert_eq!(expires.unwrap().to_rfc3339(), "2027-12-27T13:00:00+00:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, Zone};
use crate::error::{Problem, ProgramError};

/// When earned value expires.
///
/// Serialised as `"never"`, `{"after_months": 12}` or
/// `{"end_of_year": 1}` (the end of the calendar year after the one in
/// which the value became available; 0 for that same year).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expiry {
    /// It never expires. The default.
    #[default]
    Never,
    /// N months after it became available (1 or more).
    AfterMonths(i64),
    /// At the end of the calendar year N years after the one it became
    /// available in (0 or more), local time.
    EndOfYear(i64),
}

/// The program's pending and expiry policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LedgerPolicy {
    /// Days points and cashback stay pending, for returns (0 or more).
    pub return_window_days: i64,
    /// When points expire.
    pub points_expiry: Expiry,
    /// When cashback expires.
    pub cashback_expiry: Expiry,
}

impl LedgerPolicy {
    /// Validates the policy; `path` is `ledger`.
    ///
    /// # Errors
    ///
    /// A [`ProgramError`] for a negative return window, or an expiry that
    /// ends before it starts (0 months or fewer, a year before).
    pub(crate) fn validate(&self, path: &str) -> Result<(), ProgramError> {
        if self.return_window_days < 0 {
            return Err(ProgramError::new(
                format!("{path}.return_window_days"),
                Problem::NegativeWindow {
                    days: self.return_window_days,
                },
            ));
        }
        if self.return_window_days > 3660 {
            return Err(ProgramError::new(
                format!("{path}.return_window_days"),
                Problem::WindowTooLong {
                    days: self.return_window_days,
                },
            ));
        }
        for (field, expiry) in [
            ("points_expiry", self.points_expiry),
            ("cashback_expiry", self.cashback_expiry),
        ] {
            match expiry {
                Expiry::AfterMonths(m) if m < 1 => {
                    return Err(ProgramError::new(
                        format!("{path}.{field}"),
                        Problem::ExpiryBeforeStart {
                            what: "after_months",
                            value: m,
                        },
                    ));
                }
                Expiry::AfterMonths(m) if m > 1200 => {
                    return Err(ProgramError::new(
                        format!("{path}.{field}"),
                        Problem::ExpiryTooFar {
                            what: "after_months",
                            value: m,
                            max: 1200,
                        },
                    ));
                }
                Expiry::EndOfYear(y) if y < 0 => {
                    return Err(ProgramError::new(
                        format!("{path}.{field}"),
                        Problem::ExpiryBeforeStart {
                            what: "end_of_year",
                            value: y,
                        },
                    ));
                }
                Expiry::EndOfYear(y) if y > 100 => {
                    return Err(ProgramError::new(
                        format!("{path}.{field}"),
                        Problem::ExpiryTooFar {
                            what: "end_of_year",
                            value: y,
                            max: 100,
                        },
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// When points earned at `at` become available and when they expire.
    ///
    /// # Errors
    ///
    /// A [`CalendarError`] for dates outside the calendar's range.
    pub fn points_dates(
        &self,
        at: DateTime<Utc>,
        zone: Zone,
    ) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), CalendarError> {
        self.dates(at, zone, self.points_expiry)
    }

    /// When cashback earned at `at` becomes available and when it expires.
    ///
    /// # Errors
    ///
    /// A [`CalendarError`] for dates outside the calendar's range.
    pub fn cashback_dates(
        &self,
        at: DateTime<Utc>,
        zone: Zone,
    ) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), CalendarError> {
        self.dates(at, zone, self.cashback_expiry)
    }

    fn dates(
        &self,
        at: DateTime<Utc>,
        zone: Zone,
        expiry: Expiry,
    ) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), CalendarError> {
        let out_of_range = || CalendarError::DateOutOfRange {
            date: zone.local_date(at),
        };
        let local = zone.to_local(at);
        let days = u64::try_from(self.return_window_days).unwrap_or(0);
        let available_local = local
            .checked_add_days(Days::new(days))
            .ok_or_else(out_of_range)?;
        let available = zone.to_utc(available_local)?;
        let expires = match expiry {
            Expiry::Never => None,
            Expiry::AfterMonths(m) => {
                let months = u32::try_from(m).map_err(|_| out_of_range())?;
                let end = available_local
                    .checked_add_months(Months::new(months))
                    .ok_or_else(out_of_range)?;
                Some(zone.to_utc(end)?)
            }
            Expiry::EndOfYear(y) => {
                let years = i32::try_from(y).map_err(|_| out_of_range())?;
                let next_year = available_local
                    .year()
                    .checked_add(years)
                    .and_then(|v| v.checked_add(1))
                    .ok_or_else(out_of_range)?;
                let first = NaiveDate::from_ymd_opt(next_year, 1, 1).ok_or_else(out_of_range)?;
                Some(zone.to_utc(first.and_time(chrono::NaiveTime::MIN))?)
            }
        };
        Ok((available, expires))
    }
}
