//! The calendar of a program: its time zone, its country and its custom
//! dates, which together give the date of every seasonal event.

use chrono::{Datelike, NaiveDate};

use super::{CalendarError, Country, CustomDate, SeasonalEvent, Zone};

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
        event.date_in(year, self.country, &self.custom)
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
        event.check(self.country, &self.custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CustomDateRule;

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
}
