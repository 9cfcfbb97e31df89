//! RFM: recency, frequency and monetary scores 1–5 by quantiles over the
//! whole customer base, and the named segments they give.
//!
//! [`RfmBase::new`] takes each customer's [`RfmFigures`] once, sorts each
//! measure once (O(n log n)), and scores any figures in O(log n) by a
//! binary search, never by a scan of the base:
//!
//! - **The rule.** A value's score is `1 + ⌊5·b / n⌋`, where `n` is the
//!   size of the base and `b` the number of customers of the base whose
//!   value is strictly lower (for recency: who bought strictly longer
//!   ago). In words: the cut points are the 20/40/60/80% quantiles, and a
//!   value reaches score k + 1 when at least k × 20% of the base is
//!   strictly below it.
//! - **Ties** at a quantile edge: equal values get equal scores, the score
//!   of the lowest rank they share. A base where everyone spent the same
//!   scores everyone M 1.
//! - **Recency** is scored so that more recent is higher: the fewest days
//!   since the last order score 5.
//!
//! [`SegmentRules`] then name the segment: a list of rules checked in
//! order, the first whose ranges hold all three scores wins; a customer no
//! rule matches is *unsegmented* (`None`). The rules are program data,
//! the program's `segments` (see [`rules::segment`](crate::rules::segment)),
//! validated by [`Program::new`]; [`RfmBase::segment_with`] names the
//! segments by them. [`SegmentRules::default`] is the common RFM table,
//! which segments everyone, and the program's unless it gives its own; a
//! table can also be tried without a program, with
//! [`RfmBase::segment`]. The segment is a [`Segment`] id, to be put on a
//! [`Customer`](crate::customer::Customer) and read by `segment_in`
//! conditions and a coupon's `segments`.
//!
//! # Example
//!
//! ```
//! use loyalty::insight::rfm::{RfmBase, RfmFigures, SegmentRules};
//!
//! let base: Vec<RfmFigures> = (0..10)
//!     .map(|i| RfmFigures::new(&format!("C-{i}"), 90 - 10 * i, 1 + i as u32, (100 * i).into()).unwrap())
//!     .collect();
//! let scored = RfmBase::new(&base)?.segment(&SegmentRules::default());
//! assert_eq!(scored[9].scores.to_string(), "R5 F5 M5");
//! assert_eq!(scored[9].segment.as_deref(), Some("champions"));
//! assert_eq!(scored[0].segment.as_deref(), Some("lost"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::profile::Profile;
use crate::customer::{CustomerId, Segment};
use crate::program::Program;
pub use crate::rules::segment::{
    RfmError, RfmScores, ScoreRange, SegmentRule, SegmentRules, segments,
};

/// A customer's figures, as RFM ranks them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RfmFigures {
    /// The customer.
    pub customer: CustomerId,
    /// Days since the last order (fewer is more recent).
    pub recency_days: i64,
    /// Orders.
    pub frequency: u32,
    /// Spend.
    pub monetary: Decimal,
}

impl RfmFigures {
    /// The figures of `customer`.
    ///
    /// # Errors
    ///
    /// A blank customer id.
    pub fn new(
        customer: &str,
        recency_days: i64,
        frequency: u32,
        monetary: Decimal,
    ) -> Result<RfmFigures, RfmError> {
        Ok(RfmFigures {
            customer: CustomerId::new(customer)?,
            recency_days,
            frequency,
            monetary,
        })
    }

    /// The figures of a profile: local days since its last order, its
    /// orders and its spend net of returns; `None` for a customer with no
    /// order counted (no recency to rank).
    #[must_use]
    pub fn from_profile(profile: &Profile) -> Option<RfmFigures> {
        Some(RfmFigures {
            customer: profile.customer.clone(),
            recency_days: profile.days_since_last_order?,
            frequency: profile.orders,
            monetary: profile.spend,
        })
    }
}

/// A customer's scores and segment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomerRfm {
    /// The customer.
    pub customer: CustomerId,
    /// The scores.
    pub scores: RfmScores,
    /// The segment of the first rule that matches; `None`: unsegmented.
    pub segment: Option<Segment>,
}

/// The base's figures, each measure sorted once: what a score is ranked
/// against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RfmBase {
    figures: Vec<RfmFigures>,
    /// Recency keys (days since, negated: higher is more recent), sorted.
    recency: Vec<i64>,
    frequency: Vec<u32>,
    monetary: Vec<Decimal>,
}

/// `1 + ⌊5·b/n⌋`, `b` the values strictly below `value`.
fn score<T: Ord>(sorted: &[T], value: &T) -> u8 {
    let below = sorted.partition_point(|v| v < value) as u128;
    let n = sorted.len().max(1) as u128;
    // below ≤ n, so the score is 1 to 6; 6 only when value is above all,
    // which a value of the base never is.
    (1 + (5 * below / n)).min(5) as u8
}

impl RfmBase {
    /// Collects and sorts the base's figures.
    ///
    /// # Errors
    ///
    /// [`RfmError::EmptyBase`], [`RfmError::DuplicateCustomer`].
    pub fn new(base: &[RfmFigures]) -> Result<RfmBase, RfmError> {
        if base.is_empty() {
            return Err(RfmError::EmptyBase);
        }
        let mut seen: HashSet<&str> = HashSet::with_capacity(base.len());
        for figures in base {
            if !seen.insert(figures.customer.as_str()) {
                return Err(RfmError::DuplicateCustomer {
                    customer: figures.customer.clone(),
                });
            }
        }
        let mut recency: Vec<i64> = base
            .iter()
            .map(|f| f.recency_days.saturating_neg())
            .collect();
        let mut frequency: Vec<u32> = base.iter().map(|f| f.frequency).collect();
        let mut monetary: Vec<Decimal> = base.iter().map(|f| f.monetary).collect();
        recency.sort_unstable();
        frequency.sort_unstable();
        monetary.sort_unstable();
        Ok(RfmBase {
            figures: base.to_vec(),
            recency,
            frequency,
            monetary,
        })
    }

    /// How many customers the base holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.figures.len()
    }

    /// Whether the base is empty (never, once built).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.figures.is_empty()
    }

    /// The scores of `figures` against the base (a customer of the base,
    /// or a newcomer ranked against it).
    #[must_use]
    pub fn scores(&self, figures: &RfmFigures) -> RfmScores {
        RfmScores {
            r: score(&self.recency, &figures.recency_days.saturating_neg()),
            f: score(&self.frequency, &figures.frequency),
            m: score(&self.monetary, &figures.monetary),
        }
    }

    /// Every customer of the base with their scores and segment, in the
    /// base's order.
    #[must_use]
    pub fn segment(&self, rules: &SegmentRules) -> Vec<CustomerRfm> {
        self.figures
            .iter()
            .map(|figures| {
                let scores = self.scores(figures);
                CustomerRfm {
                    customer: figures.customer.clone(),
                    scores,
                    segment: rules.segment_of(scores).cloned(),
                }
            })
            .collect()
    }

    /// Every customer of the base with their scores and the segment the
    /// program's [`segments`](Program::segments) give: as
    /// [`segment`](Self::segment) with those rules.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::insight::rfm::{RfmBase, RfmFigures};
    /// use loyalty::prelude::*;
    ///
    /// let program = Program::new(serde_json::from_str::<ProgramDefinition>(r#"{
    ///     "id": "shop", "currency": "EUR",
    ///     "segments": [{"segment": "big-spender", "m": [5, 5]}, {"segment": "others"}]
    /// }"#)?)?;
    /// let base = [
    ///     RfmFigures::new("C-1", 10, 2, "900.00".parse()?)?,
    ///     RfmFigures::new("C-2", 10, 2, "50.00".parse()?)?,
    /// ];
    /// let scored = RfmBase::new(&base)?.segment_with(&program);
    /// // C-1 spent more than half the base (1 of 2): M = 1 + ⌊5·1/2⌋ = 3.
    /// assert_eq!(scored[0].scores.to_string(), "R1 F1 M3");
    /// assert_eq!(scored[0].segment.as_deref(), Some("others"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn segment_with(&self, program: &Program) -> Vec<CustomerRfm> {
        self.segment(program.segments())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_rule() {
        let sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        let scores: Vec<u8> = sorted.iter().map(|v| score(&sorted, v)).collect();
        assert_eq!(scores, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(score(&[7], &7), 1);
        assert_eq!(score(&[1, 1, 1, 2], &1), 1);
        assert_eq!(score(&[1, 1, 1, 2], &2), 4);
    }
}
