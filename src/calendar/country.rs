//! The country whose holidays a program's calendar follows.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::CalendarError;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Zone;

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
}
