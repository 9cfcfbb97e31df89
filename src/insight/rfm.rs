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
//! rule matches is *unsegmented* (`None`). The rules are plain data
//! (serde), validated once; [`SegmentRules::default`] is the common RFM
//! table, which segments everyone. The segment is a [`Segment`] id, to be
//! put on a [`Customer`](crate::customer::Customer) and read by
//! `segment_in` conditions.
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
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::profile::Profile;
use crate::customer::{CustomerId, Segment};
use crate::id::EmptyIdError;

/// Why a base cannot be scored, or rules cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RfmError {
    /// No customer to rank against.
    #[error(
        "the customer base is empty: scores are ranks within a base, pass at least one customer"
    )]
    EmptyBase,
    /// A customer twice in the base.
    #[error("customer {customer} appears twice in the base: pass each customer once")]
    DuplicateCustomer {
        /// The customer.
        customer: CustomerId,
    },
    /// No rule at all.
    #[error("segment rules are empty: give at least one rule, or use the default table")]
    NoRules,
    /// A range outside 1–5, or empty.
    #[error(
        "segment rule {index} ({segment}): {measure} range [{low}, {high}] must be within 1–5, low ≤ high"
    )]
    BadRange {
        /// The rule's position, from 0.
        index: usize,
        /// Its segment.
        segment: Segment,
        /// `"r"`, `"f"` or `"m"`.
        measure: &'static str,
        /// The range's low end.
        low: u8,
        /// The range's high end.
        high: u8,
    },
    /// A rule that earlier rules shadow entirely.
    #[error(
        "segment rule {index} ({segment}) never matches: the rules before it take every score it covers"
    )]
    Unreachable {
        /// The rule's position, from 0.
        index: usize,
        /// Its segment.
        segment: Segment,
    },
    /// An identifier was blank.
    #[error(transparent)]
    Id(#[from] EmptyIdError),
}

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

/// Three scores, each 1–5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RfmScores {
    /// Recency: 5 bought most recently.
    pub r: u8,
    /// Frequency: 5 orders most often.
    pub f: u8,
    /// Monetary: 5 spends most.
    pub m: u8,
}

impl fmt::Display for RfmScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "R{} F{} M{}", self.r, self.f, self.m)
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
}

/// A range of scores, both ends included: `[4, 5]` in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(u8, u8)", into = "(u8, u8)")]
pub struct ScoreRange {
    /// The low end.
    pub low: u8,
    /// The high end.
    pub high: u8,
}

impl ScoreRange {
    /// Every score, 1 to 5.
    pub const ANY: ScoreRange = ScoreRange { low: 1, high: 5 };

    /// The scores `low` to `high` (checked when the rules are built).
    #[must_use]
    pub const fn new(low: u8, high: u8) -> ScoreRange {
        ScoreRange { low, high }
    }

    /// Whether `score` is in the range.
    #[must_use]
    pub fn holds(&self, score: u8) -> bool {
        self.low <= score && score <= self.high
    }

    fn valid(&self) -> bool {
        1 <= self.low && self.low <= self.high && self.high <= 5
    }
}

impl Default for ScoreRange {
    fn default() -> ScoreRange {
        ScoreRange::ANY
    }
}

impl From<(u8, u8)> for ScoreRange {
    fn from((low, high): (u8, u8)) -> ScoreRange {
        ScoreRange { low, high }
    }
}

impl From<ScoreRange> for (u8, u8) {
    fn from(range: ScoreRange) -> (u8, u8) {
        (range.low, range.high)
    }
}

/// A segment, and the scores that give it; a range left out is any score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SegmentRule {
    /// The segment.
    pub segment: Segment,
    /// Recency scores.
    #[serde(default)]
    pub r: ScoreRange,
    /// Frequency scores.
    #[serde(default)]
    pub f: ScoreRange,
    /// Monetary scores.
    #[serde(default)]
    pub m: ScoreRange,
}

impl SegmentRule {
    /// A rule giving `segment` to every score (narrow it with
    /// [`r`](Self::r), [`f`](Self::f), [`m`](Self::m)).
    ///
    /// # Errors
    ///
    /// A blank segment.
    pub fn new(segment: &str) -> Result<SegmentRule, RfmError> {
        Ok(SegmentRule {
            segment: Segment::new(segment)?,
            r: ScoreRange::ANY,
            f: ScoreRange::ANY,
            m: ScoreRange::ANY,
        })
    }

    /// Sets the recency range.
    #[must_use]
    pub fn r(mut self, low: u8, high: u8) -> SegmentRule {
        self.r = ScoreRange::new(low, high);
        self
    }

    /// Sets the frequency range.
    #[must_use]
    pub fn f(mut self, low: u8, high: u8) -> SegmentRule {
        self.f = ScoreRange::new(low, high);
        self
    }

    /// Sets the monetary range.
    #[must_use]
    pub fn m(mut self, low: u8, high: u8) -> SegmentRule {
        self.m = ScoreRange::new(low, high);
        self
    }

    /// Whether the rule holds the scores.
    #[must_use]
    pub fn matches(&self, scores: RfmScores) -> bool {
        self.r.holds(scores.r) && self.f.holds(scores.f) && self.m.holds(scores.m)
    }
}

/// Segment rules, validated: checked in order, the first match wins.
///
/// In JSON, a list:
///
/// ```
/// use loyalty::insight::rfm::{RfmScores, SegmentRules};
///
/// let rules: SegmentRules = serde_json::from_str(r#"[
///     {"segment": "champions", "r": [4, 5], "f": [4, 5], "m": [4, 5]},
///     {"segment": "everyone-else"}
/// ]"#)?;
/// assert!(rules.is_complete());
/// assert!(serde_json::from_str::<SegmentRules>(r#"[{"segment": "x", "r": [0, 5]}]"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<SegmentRule>", into = "Vec<SegmentRule>")]
pub struct SegmentRules {
    rules: Vec<SegmentRule>,
    /// Whether every combination of scores meets a rule.
    complete: bool,
}

impl TryFrom<Vec<SegmentRule>> for SegmentRules {
    type Error = RfmError;
    fn try_from(rules: Vec<SegmentRule>) -> Result<SegmentRules, RfmError> {
        SegmentRules::new(rules)
    }
}

impl From<SegmentRules> for Vec<SegmentRule> {
    fn from(rules: SegmentRules) -> Vec<SegmentRule> {
        rules.rules
    }
}

/// Every combination of three scores.
fn all_scores() -> impl Iterator<Item = RfmScores> {
    (1..=5u8)
        .flat_map(|r| (1..=5u8).flat_map(move |f| (1..=5u8).map(move |m| RfmScores { r, f, m })))
}

impl SegmentRules {
    /// Validates `rules`: at least one; every range within 1–5 and not
    /// empty; every rule matching some scores the rules before it leave.
    /// Rules that leave some scores unmatched are allowed: those customers
    /// are unsegmented (see [`is_complete`](Self::is_complete)).
    ///
    /// # Errors
    ///
    /// [`RfmError::NoRules`], [`RfmError::BadRange`],
    /// [`RfmError::Unreachable`].
    pub fn new(rules: Vec<SegmentRule>) -> Result<SegmentRules, RfmError> {
        if rules.is_empty() {
            return Err(RfmError::NoRules);
        }
        for (index, rule) in rules.iter().enumerate() {
            for (measure, range) in [("r", rule.r), ("f", rule.f), ("m", rule.m)] {
                if !range.valid() {
                    return Err(RfmError::BadRange {
                        index,
                        segment: rule.segment.clone(),
                        measure,
                        low: range.low,
                        high: range.high,
                    });
                }
            }
        }
        // 125 combinations: which rule each goes to.
        let mut reached = vec![false; rules.len()];
        let mut complete = true;
        for scores in all_scores() {
            match rules.iter().position(|rule| rule.matches(scores)) {
                Some(i) => reached[i] = true,
                None => complete = false,
            }
        }
        if let Some(index) = reached.iter().position(|r| !r) {
            return Err(RfmError::Unreachable {
                index,
                segment: rules[index].segment.clone(),
            });
        }
        Ok(SegmentRules { rules, complete })
    }

    /// The rules, in order.
    #[must_use]
    pub fn rules(&self) -> &[SegmentRule] {
        &self.rules
    }

    /// Whether every combination of scores meets a rule (no customer is
    /// unsegmented).
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// The segment of the first rule holding `scores`; `None`:
    /// unsegmented.
    #[must_use]
    pub fn segment_of(&self, scores: RfmScores) -> Option<&Segment> {
        self.rules
            .iter()
            .find(|rule| rule.matches(scores))
            .map(|rule| &rule.segment)
    }
}

/// The segment ids of the default table.
pub mod segments {
    /// Bought recently, often, and spent the most.
    pub const CHAMPIONS: &str = "champions";
    /// Buy often, recently enough.
    pub const LOYAL: &str = "loyal";
    /// Recent, a few orders: could become loyal.
    pub const POTENTIAL_LOYALIST: &str = "potential-loyalist";
    /// Bought once, very recently.
    pub const NEW: &str = "new";
    /// Bought once, recently.
    pub const PROMISING: &str = "promising";
    /// Middling on recency and frequency.
    pub const NEED_ATTENTION: &str = "need-attention";
    /// Middling recency, few orders.
    pub const ABOUT_TO_SLEEP: &str = "about-to-sleep";
    /// Ordered fairly often, but long ago.
    pub const AT_RISK: &str = "at-risk";
    /// Ordered most often, but long ago.
    pub const CANT_LOSE: &str = "cant-lose";
    /// Few orders, long ago.
    pub const HIBERNATING: &str = "hibernating";
    /// Few orders, longest ago.
    pub const LOST: &str = "lost";
}

impl Default for SegmentRules {
    /// The common RFM table, on recency and frequency (monetary only
    /// promotes recent frequent big spenders to champions), in this order:
    ///
    /// | segment | R | F | M |
    /// |---|---|---|---|
    /// | champions | 4–5 | 4–5 | 4–5 |
    /// | champions | 5 | 4–5 | any |
    /// | loyal | 3–4 | 4–5 | any |
    /// | potential-loyalist | 4–5 | 2–3 | any |
    /// | new | 5 | 1 | any |
    /// | promising | 4 | 1 | any |
    /// | need-attention | 3 | 3 | any |
    /// | about-to-sleep | 3 | 1–2 | any |
    /// | cant-lose | 1–2 | 5 | any |
    /// | at-risk | 1–2 | 3–4 | any |
    /// | hibernating | 2 | 1–2 | any |
    /// | lost | 1 | 1–2 | any |
    ///
    /// Every combination of scores meets a rule.
    fn default() -> SegmentRules {
        use segments::*;
        let rule = |segment: &str, r: (u8, u8), f: (u8, u8), m: (u8, u8)| SegmentRule {
            segment: Segment::new(segment).unwrap_or_else(|_| unreachable!("a constant id")),
            r: r.into(),
            f: f.into(),
            m: m.into(),
        };
        let any = (1, 5);
        SegmentRules {
            rules: vec![
                rule(CHAMPIONS, (4, 5), (4, 5), (4, 5)),
                rule(CHAMPIONS, (5, 5), (4, 5), any),
                rule(LOYAL, (3, 4), (4, 5), any),
                rule(POTENTIAL_LOYALIST, (4, 5), (2, 3), any),
                rule(NEW, (5, 5), (1, 1), any),
                rule(PROMISING, (4, 4), (1, 1), any),
                rule(NEED_ATTENTION, (3, 3), (3, 3), any),
                rule(ABOUT_TO_SLEEP, (3, 3), (1, 2), any),
                rule(CANT_LOSE, (1, 2), (5, 5), any),
                rule(AT_RISK, (1, 2), (3, 4), any),
                rule(HIBERNATING, (2, 2), (1, 2), any),
                rule(LOST, (1, 1), (1, 2), any),
            ],
            complete: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_table_is_valid_and_complete() {
        let table = SegmentRules::default();
        let checked = SegmentRules::new(table.rules().to_vec()).unwrap();
        assert_eq!(checked, table);
        assert!(table.is_complete());
    }

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
