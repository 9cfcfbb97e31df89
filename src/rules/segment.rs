//! The RFM segment rules of a program: which recency, frequency and
//! monetary scores give which named segment.
//!
//! A customer's [`RfmScores`] are three scores 1–5, worked out over the
//! whole customer base by [`RfmBase`](crate::insight::rfm::RfmBase).
//! [`SegmentRules`] then name the segment: a list of [`SegmentRule`]s
//! checked in order, the first whose ranges hold all three scores wins; a
//! customer no rule matches is *unsegmented* (`None`).
//! [`SegmentRules::default`] is the common RFM table, which segments
//! everyone.
//!
//! The rules are the program's `segments` (left out: the default table),
//! validated by [`Program::new`](crate::Program::new) with errors that name
//! the rule and the range (`segments[3].r: …`), and a warning when the
//! table leaves some scores unnamed; [`Program::segments`](crate::Program::segments)
//! gives them back. They can also be used on their own, without a program
//! (to try a table out): a [`SegmentRules`] value is validated when built
//! or deserialised.
//!
//! # Example
//!
//! ```
//! use loyalty::prelude::*;
//! use loyalty::rules::segment::RfmScores;
//!
//! let program = Program::new(serde_json::from_str::<ProgramDefinition>(r#"{
//!     "id": "shop", "currency": "EUR",
//!     "segments": [
//!         {"segment": "vip", "r": [4, 5], "f": [4, 5], "m": [4, 5]},
//!         {"segment": "everyone-else"}
//!     ]
//! }"#)?)?;
//! let vip = RfmScores::new(5, 4, 4)?;
//! assert_eq!(program.segments().segment_of(vip).map(|s| s.as_str()), Some("vip"));
//! assert!(program.warnings().is_empty());
//!
//! let broken = r#"{"id": "shop", "currency": "EUR", "segments": [{"segment": "vip", "r": [4, 2]}]}"#;
//! let error = Program::new(serde_json::from_str(broken)?).unwrap_err();
//! assert_eq!(error.path(), "segments[0].r");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::customer::{CustomerId, Segment};
use crate::error::{Problem, ProgramError, WarningKind};
use crate::id::EmptyIdError;
use crate::rules::context::RuleContext;

/// Why a base cannot be scored, or segment rules cannot be used.
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
    /// A score outside 1–5.
    #[error("{measure} score {score} is not a score: scores are 1 to 5")]
    Score {
        /// `"r"`, `"f"` or `"m"`.
        measure: &'static str,
        /// The value given.
        score: u8,
    },
    /// An identifier was blank.
    #[error(transparent)]
    Id(#[from] EmptyIdError),
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

impl RfmScores {
    /// The scores `r`, `f`, `m` (e.g. kept by the host from an earlier
    /// run).
    ///
    /// # Errors
    ///
    /// [`RfmError::Score`]: a score outside 1–5.
    pub fn new(r: u8, f: u8, m: u8) -> Result<RfmScores, RfmError> {
        for (measure, score) in [("r", r), ("f", f), ("m", m)] {
            if !(1..=5).contains(&score) {
                return Err(RfmError::Score { measure, score });
            }
        }
        Ok(RfmScores { r, f, m })
    }

    /// The bit of these scores among the 125 combinations.
    fn bit(self) -> u128 {
        1 << ((self.r - 1) * 25 + (self.f - 1) * 5 + (self.m - 1))
    }
}

impl fmt::Display for RfmScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "R{} F{} M{}", self.r, self.f, self.m)
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SegmentRule {
    /// The segment.
    pub segment: Segment,
    /// Recency scores. Default: any.
    #[serde(default)]
    pub r: ScoreRange,
    /// Frequency scores. Default: any.
    #[serde(default)]
    pub f: ScoreRange,
    /// Monetary scores. Default: any.
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

    /// The combinations of scores the rule holds, as bits (its ranges
    /// valid).
    fn covers(&self) -> u128 {
        all_scores()
            .filter(|s| self.matches(*s))
            .fold(0, |bits, s| bits | s.bit())
    }
}

/// Segment rules, validated: checked in order, the first match wins.
///
/// In JSON, a list:
///
/// ```
/// use loyalty::rules::segment::{RfmScores, SegmentRules};
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

/// All 125 combinations, as bits.
const ALL: u128 = (1 << 125) - 1;

/// What is wrong with a table, rule by rule.
enum Refusal {
    /// No rule.
    Empty,
    /// Rule `index`'s range of `measure` is outside 1–5 or empty.
    Range {
        index: usize,
        measure: &'static str,
        range: ScoreRange,
    },
    /// Rule `index` matches nothing the rules before it leave.
    Unreachable { index: usize },
}

/// Checks `rules`, reporting each refusal in order: every bad range (rule
/// by rule, r then f then m); when every range is valid, every rule the
/// rules before it shadow. Returns the combinations no rule meets, as
/// bits. One pass: each rule costs a fixed 125 steps.
fn check(rules: &[SegmentRule], refuse: &mut dyn FnMut(Refusal)) -> u128 {
    if rules.is_empty() {
        refuse(Refusal::Empty);
        return ALL;
    }
    let mut ranges_valid = true;
    for (index, rule) in rules.iter().enumerate() {
        for (measure, range) in [("r", rule.r), ("f", rule.f), ("m", rule.m)] {
            if !range.valid() {
                ranges_valid = false;
                refuse(Refusal::Range {
                    index,
                    measure,
                    range,
                });
            }
        }
    }
    if !ranges_valid {
        return ALL;
    }
    // The combinations no rule so far has taken.
    let mut left = ALL;
    for (index, rule) in rules.iter().enumerate() {
        let covers = rule.covers();
        if covers & left == 0 {
            refuse(Refusal::Unreachable { index });
        }
        left &= !covers;
    }
    left
}

impl SegmentRules {
    /// Validates `rules`: at least one; every range within 1–5 and not
    /// empty; every rule matching some scores the rules before it leave.
    /// Rules that leave some scores unmatched are allowed: those customers
    /// are unsegmented (see [`is_complete`](Self::is_complete)).
    ///
    /// # Errors
    ///
    /// The first of [`RfmError::NoRules`], [`RfmError::BadRange`],
    /// [`RfmError::Unreachable`].
    pub fn new(rules: Vec<SegmentRule>) -> Result<SegmentRules, RfmError> {
        let mut first = None;
        let left = check(&rules, &mut |refusal| {
            if first.is_none() {
                first = Some(refusal);
            }
        });
        match first {
            None => Ok(SegmentRules {
                rules,
                complete: left == 0,
            }),
            Some(Refusal::Empty) => Err(RfmError::NoRules),
            Some(Refusal::Range {
                index,
                measure,
                range,
            }) => Err(RfmError::BadRange {
                index,
                segment: rules[index].segment.clone(),
                measure,
                low: range.low,
                high: range.high,
            }),
            Some(Refusal::Unreachable { index }) => Err(RfmError::Unreachable {
                index,
                segment: rules[index].segment.clone(),
            }),
        }
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

    /// Whether these are the rules of the default table.
    #[must_use]
    pub fn is_default(&self) -> bool {
        is_default_table(&self.rules)
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
        SegmentRules {
            rules: default_table(),
            complete: true,
        }
    }
}

/// The rules of the default table (see [`SegmentRules::default`]).
pub(crate) fn default_table() -> Vec<SegmentRule> {
    use segments::*;
    let rule = |segment: &str, r: (u8, u8), f: (u8, u8), m: (u8, u8)| SegmentRule {
        segment: Segment::new(segment).unwrap_or_else(|_| unreachable!("a constant id")),
        r: r.into(),
        f: f.into(),
        m: m.into(),
    };
    let any = (1, 5);
    vec![
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
    ]
}

/// Whether `rules` are the default table's (how a program leaves
/// `segments` out).
pub(crate) fn is_default_table(rules: &[SegmentRule]) -> bool {
    rules == default_table().as_slice()
}

/// The program's `segments` at `path`: every refusal as an error naming
/// the rule (`segments[3].r`), a warning when some scores are left
/// unnamed; the validated rules.
pub(crate) fn compile(
    path: &str,
    rules: &[SegmentRule],
    ctx: &mut RuleContext<'_>,
) -> Result<SegmentRules, Vec<ProgramError>> {
    let mut errors = Vec::new();
    let left = check(rules, &mut |refusal| {
        errors.push(match refusal {
            Refusal::Empty => ProgramError::new(
                path,
                Problem::EmptyList {
                    what: "segment rules",
                },
            ),
            Refusal::Range {
                index,
                measure,
                range,
            } => ProgramError::new(
                format!("{path}[{index}].{measure}"),
                Problem::ScoreRange {
                    low: range.low,
                    high: range.high,
                },
            ),
            Refusal::Unreachable { index } => ProgramError::new(
                format!("{path}[{index}]"),
                Problem::SegmentNeverMatches {
                    segment: rules[index].segment.clone(),
                },
            ),
        });
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    if left != 0 {
        let first = all_scores()
            .find(|s| left & s.bit() != 0)
            .unwrap_or(RfmScores { r: 1, f: 1, m: 1 });
        ctx.warn(
            path,
            WarningKind::SegmentsIncomplete {
                unnamed: left.count_ones(),
                first,
            },
        );
    }
    Ok(SegmentRules {
        rules: rules.to_vec(),
        complete: left == 0,
    })
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
        assert!(table.is_default());
    }

    #[test]
    fn the_bits_number_the_125_combinations_once() {
        let bits: Vec<u128> = all_scores().map(RfmScores::bit).collect();
        assert_eq!(bits.len(), 125);
        assert_eq!(bits.iter().fold(0, |a, b| a | b), ALL);
        assert_eq!(bits.iter().map(|b| b.count_ones()).sum::<u32>(), 125);
    }
}
