//! When earned points and cashback become available, and when they expire.
//!
//! Points and cashback are **pending** until the return window closes
//! (`return_window_days` after the evaluation instant, counted in local
//! calendar days so that a daylight-saving change does not move the hour).
//! They then **expire** by the program's policy, counted from the day they
//! became available: never, N months later, or at the end of a calendar
//! year (the year they became available, or N years after); or, with
//! [`Expiry::AfterInactiveMonths`], all at once after N months without an
//! earning or redeeming order, which the [ledger](crate::wallet) works out
//! from the customer's entries.
//!
//! An expiry is an instant: the value counts as **expired at and after
//! it**, and can be used up to the instant before. An expiry may be
//! [rounded](ExpiryRounding) to the end of the local day or month: it then
//! moves to the first instant of the next local day (or month), so that
//! the value lasts the whole of its last day. Local days follow the
//! program's time zone, daylight-saving changes included: a day that starts
//! in a gap (clocks moved forward at midnight) starts at the first instant
//! after the gap.
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

use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc,
};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, Zone};
use crate::error::{Problem, ProgramError};

/// When earned value expires.
///
/// Serialised as `"never"`, `{"after_months": 12}`,
/// `{"end_of_year": 1}` (the end of the calendar year after the one in
/// which the value became available; 0 for that same year) or
/// `{"after_inactive_months": 12}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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
    /// All of it, after N months (1 or more) without an earning or
    /// redeeming order: the value has no fixed expiry of its own, and the
    /// [ledger](crate::wallet::Ledger) expires what is available when N
    /// months have passed since the customer's last earned or redeemed
    /// entry. Pending value is never touched.
    AfterInactiveMonths(i64),
}

impl Expiry {
    /// The months of inactivity after which value expires, for
    /// [`Expiry::AfterInactiveMonths`].
    #[must_use]
    pub fn inactive_months(self) -> Option<i64> {
        match self {
            Expiry::AfterInactiveMonths(m) => Some(m),
            _ => None,
        }
    }
}

/// How an expiry instant is rounded, in the program's time zone.
///
/// Serialised as `"none"` (the default), `"end_of_day"` or
/// `"end_of_month"`. Rounding moves an expiry later, never earlier, to the
/// first instant of the next local day (or month) after the last instant
/// the value can be used: an expiry at 13:00 on 27 December becomes local
/// midnight starting 28 December (or 1 January for `end_of_month`), and an
/// expiry already at a local midnight stays where it is.
///
/// # Example
///
/// ```
/// use loyalty::calendar::Zone;
/// use loyalty::rules::expiry::LedgerPolicy;
///
/// let policy: LedgerPolicy = serde_json::from_str(r#"{
///     "return_window_days": 30,
///     "points_expiry": {"after_months": 12},
///     "expiry_rounding": "end_of_month"
/// }"#)?;
/// let zone = Zone::parse("America/Sao_Paulo")?;
/// let (_, expires) = policy.points_dates("2026-11-27T13:00:00Z".parse()?, zone)?;
/// // 2027-12-27 10:00 local, rounded to the end of December: local
/// // midnight of 1 January 2028, 03:00Z.
/// assert_eq!(expires.unwrap().to_rfc3339(), "2028-01-01T03:00:00+00:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExpiryRounding {
    /// The expiry as computed. The default.
    #[default]
    None,
    /// To the end of the local day: the first instant of the next local day.
    EndOfDay,
    /// To the end of the local month: the first instant of the next local
    /// month.
    EndOfMonth,
}

impl ExpiryRounding {
    /// Whether this is [`ExpiryRounding::None`].
    #[must_use]
    pub fn is_none(&self) -> bool {
        *self == ExpiryRounding::None
    }

    /// `expires` rounded in `zone`.
    ///
    /// # Errors
    ///
    /// A [`CalendarError`] for instants at the edges of the calendar's
    /// range.
    pub fn round(self, expires: DateTime<Utc>, zone: Zone) -> Result<DateTime<Utc>, CalendarError> {
        let out_of_range = || CalendarError::DateOutOfRange {
            date: zone.local_date(expires),
        };
        let next = match self {
            ExpiryRounding::None => return Ok(expires),
            ExpiryRounding::EndOfDay | ExpiryRounding::EndOfMonth => {
                // The last local day the value can be used: the day of the
                // instant just before the expiry.
                let last = expires
                    .checked_sub_signed(TimeDelta::nanoseconds(1))
                    .ok_or_else(out_of_range)?;
                let last_day = zone.local_date(last);
                if self == ExpiryRounding::EndOfDay {
                    last_day.succ_opt()
                } else {
                    last_day
                        .with_day(1)
                        .and_then(|first| first.checked_add_months(Months::new(1)))
                }
                .ok_or_else(out_of_range)?
            }
        };
        zone.to_utc(next.and_time(NaiveTime::MIN))
    }
}

/// The program's pending and expiry policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct LedgerPolicy {
    /// Days points and cashback stay pending, for returns (0 or more).
    pub return_window_days: i64,
    /// When points expire.
    pub points_expiry: Expiry,
    /// When cashback expires.
    pub cashback_expiry: Expiry,
    /// How expiry instants are rounded: to the end of the local day or
    /// month, or not at all (the default, left out when serialised).
    #[serde(skip_serializing_if = "ExpiryRounding::is_none")]
    pub expiry_rounding: ExpiryRounding,
}

impl LedgerPolicy {
    /// Validates the policy; `path` is `ledger`.
    ///
    /// # Errors
    ///
    /// A [`ProgramError`] for a negative return window, an expiry that
    /// ends before it starts (0 months or fewer, a year before), or an
    /// inactivity of 0 months or fewer.
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
                Expiry::AfterInactiveMonths(m) if m < 1 => {
                    return Err(ProgramError::new(
                        format!("{path}.{field}"),
                        Problem::InactivityTooShort { months: m },
                    ));
                }
                Expiry::AfterInactiveMonths(m) if m > 1200 => {
                    return Err(ProgramError::new(
                        format!("{path}.{field}"),
                        Problem::ExpiryTooFar {
                            what: "after_inactive_months",
                            value: m,
                            max: 1200,
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
    /// The expiry is rounded by [`expiry_rounding`](Self::expiry_rounding);
    /// it is `None` for [`Expiry::Never`] and for
    /// [`Expiry::AfterInactiveMonths`] (the ledger works that one out).
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
    /// The expiry is rounded by [`expiry_rounding`](Self::expiry_rounding);
    /// it is `None` for [`Expiry::Never`] and for
    /// [`Expiry::AfterInactiveMonths`] (the ledger works that one out).
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
            Expiry::Never | Expiry::AfterInactiveMonths(_) => None,
            Expiry::AfterMonths(m) => Some(months_after(available_local, m, zone)?),
            Expiry::EndOfYear(y) => {
                let years = i32::try_from(y).map_err(|_| out_of_range())?;
                let next_year = available_local
                    .year()
                    .checked_add(years)
                    .and_then(|v| v.checked_add(1))
                    .ok_or_else(out_of_range)?;
                let first = NaiveDate::from_ymd_opt(next_year, 1, 1).ok_or_else(out_of_range)?;
                Some(zone.to_utc(first.and_time(NaiveTime::MIN))?)
            }
        };
        let expires = match expires {
            Some(expires) => Some(self.expiry_rounding.round(expires, zone)?),
            None => None,
        };
        Ok((available, expires))
    }

    /// When value left untouched since `last_activity` (the customer's last
    /// earned or redeemed entry) expires by an inactivity of `months`:
    /// `months` local calendar months later, then rounded by
    /// [`expiry_rounding`](Self::expiry_rounding).
    ///
    /// # Errors
    ///
    /// A [`CalendarError`] for dates outside the calendar's range.
    pub fn inactivity_expiry(
        &self,
        last_activity: DateTime<Utc>,
        months: i64,
        zone: Zone,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let end = months_after(zone.to_local(last_activity), months, zone)?;
        self.expiry_rounding.round(end, zone)
    }
}

/// The instant `months` local calendar months after `local` (the last day
/// of a shorter month when the day does not exist in it).
fn months_after(
    local: NaiveDateTime,
    months: i64,
    zone: Zone,
) -> Result<DateTime<Utc>, CalendarError> {
    let out_of_range = || CalendarError::DateOutOfRange { date: local.date() };
    let months = u32::try_from(months).map_err(|_| out_of_range())?;
    let end = local
        .checked_add_months(Months::new(months))
        .ok_or_else(out_of_range)?;
    zone.to_utc(end)
}
