//! Short constructors shared by the calendar's unit tests.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::time_of_day::parse_time;
use super::{Calendar, Country, Zone};

pub(super) fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

pub(super) fn dt(text: &str) -> NaiveDateTime {
    text.parse().unwrap()
}

pub(super) fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

pub(super) fn t(text: &str) -> NaiveTime {
    parse_time(text).unwrap()
}

pub(super) fn calendar(country: Option<&str>) -> Calendar {
    Calendar::new(Zone::UTC, country.map(|c| Country::new(c).unwrap()), vec![]).unwrap()
}
