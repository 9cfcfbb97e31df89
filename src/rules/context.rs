//! What a rule is validated against: the program's currency, calendar and
//! tiers; and where it reports what looks wrong.

use rust_decimal::Decimal;

use crate::calendar::{Calendar, DateWindow};
use crate::condition::{Condition, LineSelector};
use crate::customer::TierId;
use crate::error::{Problem, ProgramError, Warning, WarningKind};
use crate::money::{Currency, Money};
use crate::rules::tier::TierDefinition;

/// The program around a rule, as the rule validates itself.
pub(crate) struct RuleContext<'p> {
    pub(crate) currency: Currency,
    pub(crate) calendar: &'p Calendar,
    pub(crate) tiers: &'p [TierDefinition],
    pub(crate) warnings: Vec<Warning>,
}

impl<'p> RuleContext<'p> {
    pub(crate) fn new(
        currency: Currency,
        calendar: &'p Calendar,
        tiers: &'p [TierDefinition],
    ) -> RuleContext<'p> {
        RuleContext {
            currency,
            calendar,
            tiers,
            warnings: Vec::new(),
        }
    }

    /// Records a warning.
    pub(crate) fn warn(&mut self, path: impl Into<String>, kind: WarningKind) {
        self.warnings.push(Warning::new(path, kind));
    }

    /// An amount of the program: whole minor units of its currency, and no
    /// larger than an order can be (a larger cap or discount could only
    /// overflow).
    pub(crate) fn amount(
        &self,
        path: impl Into<String>,
        value: Decimal,
    ) -> Result<(), ProgramError> {
        if value > Money::MAX_ORDER_AMOUNT {
            return Err(ProgramError::new(
                path,
                Problem::AmountTooLarge {
                    value,
                    max: Money::MAX_ORDER_AMOUNT,
                },
            ));
        }
        Money::new(value, self.currency)
            .ensure_minor_units()
            .map_err(|e| ProgramError::new(path, Problem::Money(e)))
    }

    /// A percent already checked to be in (0, 100]: warns below 1.
    pub(crate) fn percent_warnings(&mut self, path: impl Into<String>, value: Decimal) {
        if value < Decimal::ONE {
            self.warn(path, WarningKind::PercentBelowOne { value });
        }
    }

    /// A tier a rule names: one of the program's, which must list them.
    pub(crate) fn tier(&self, path: impl Into<String>, tier: &TierId) -> Result<(), ProgramError> {
        if self.tiers.iter().any(|t| &t.id == tier) {
            return Ok(());
        }
        let problem = if self.tiers.is_empty() {
            Problem::TiersNotListed {
                tier: tier.to_string(),
            }
        } else {
            Problem::UnknownTier {
                tier: tier.to_string(),
                listed: self
                    .tiers
                    .iter()
                    .map(|t| t.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        };
        Err(ProgramError::new(path, problem))
    }

    /// An optional condition: valid against the calendar, naming only the
    /// program's tiers; warns when it can never hold.
    pub(crate) fn condition(
        &mut self,
        path: &str,
        condition: Option<&Condition>,
    ) -> Result<(), ProgramError> {
        let Some(condition) = condition else {
            return Ok(());
        };
        condition
            .validate(self.calendar)
            .map_err(|e| ProgramError::new(path, Problem::Condition(e)))?;
        let mut named = Vec::new();
        condition.named_tiers(&mut named);
        for tier in named {
            self.tier(path, tier)?;
        }
        if let Some(why) = never_holds(condition) {
            self.warn(path, WarningKind::NeverHolds { why });
        }
        if above_zero(condition, 0) {
            self.warn(path, WarningKind::ExclusiveZeroMinimum);
        }
        let mut windows = Vec::new();
        condition.windows(&mut |window| windows.push(*window));
        for window in &windows {
            self.window(path, window);
        }
        Ok(())
    }

    /// Warns about a date window that no instant can be inside: one that
    /// lies wholly in a gap of the program's time zone (the local times
    /// skipped when clocks move forward).
    pub(crate) fn window(&mut self, path: &str, window: &DateWindow) {
        let (Some(start), Some(end)) = (window.start(), window.end()) else {
            return;
        };
        let zone = self.calendar.zone();
        // The first instant at or after the start; in a gap, the first
        // after it. Nothing is inside when that is already past the end.
        if let Ok(first) = zone.to_utc(start)
            && zone.to_local(first) >= end
            && start < end
        {
            self.warn(path, WarningKind::WindowInGap { start, end });
        }
    }

    /// A line selector of a discount: exempt lines are never discounted.
    pub(crate) fn discount_lines(
        &mut self,
        path: &str,
        lines: &LineSelector,
    ) -> Result<(), ProgramError> {
        if lines.include_exempt {
            return Err(ProgramError::new(
                format!("{path}.include_exempt"),
                Problem::ExemptNeverDiscounted,
            ));
        }
        self.lines(path, lines);
        Ok(())
    }

    /// A line selector: warns when no line can pass it (every sku,
    /// category and label match it includes is also excluded).
    pub(crate) fn lines(&mut self, path: &str, lines: &LineSelector) {
        if let Some((what, value)) = selects_nothing(lines) {
            self.warn(path, WarningKind::SelectsNothing { what, value });
        }
    }
}

/// Whether no line can pass a selector because every sku, category and
/// label match it includes is also excluded: `sku`, `category` or `label`
/// and the first value (or label key) listed.
pub(crate) fn selects_nothing(lines: &LineSelector) -> Option<(&'static str, String)> {
    let includes =
        !lines.skus.is_empty() || !lines.categories.is_empty() || !lines.labels.is_empty();
    let skus_out = lines.skus.iter().all(|s| lines.exclude_skus.contains(s));
    let categories_out = lines
        .categories
        .iter()
        .all(|c| lines.exclude_categories.contains(c));
    // A label match is out when the same match, or any line with its key,
    // is excluded.
    let labels_out = lines.labels.iter().all(|m| {
        lines
            .exclude_labels
            .iter()
            .any(|x| x == m || (x.key() == m.key() && x.matches_any_value()))
    });
    if !(includes && skus_out && categories_out && labels_out) {
        return None;
    }
    match (
        lines.skus.first(),
        lines.categories.first(),
        lines.labels.first(),
    ) {
        (Some(sku), _, _) => Some(("sku", sku.to_string())),
        (None, Some(category), _) => Some(("category", category.to_string())),
        (None, None, Some(label)) => Some(("label", label.key().to_string())),
        (None, None, None) => None,
    }
}

/// Why a condition can never hold, when that is plain from its shape: an
/// empty `any`, a `not` of an empty `all`, an `all` with such a part.
fn never_holds(condition: &Condition) -> Option<&'static str> {
    match condition {
        Condition::Any(parts) if parts.is_empty() => Some("an empty any"),
        Condition::Any(parts) => {
            if parts.iter().all(|p| never_holds(p).is_some()) {
                Some("no part of the any can hold")
            } else {
                None
            }
        }
        Condition::Not(inner) if matches!(inner.as_ref(), Condition::All(parts) if parts.is_empty()) => {
            Some("the negation of an empty all")
        }
        Condition::SubtotalBelow(bound) if bound.value() <= Decimal::ZERO => {
            Some("a subtotal is never below 0")
        }
        Condition::All(parts) if subtotal_bounds_cross(parts) => {
            Some("a subtotal bound above another's limit: no subtotal meets both")
        }
        Condition::All(parts) => parts.iter().find_map(never_holds).or_else(|| {
            let first = parts.iter().any(|p| matches!(p, Condition::FirstOrder));
            let later = parts.iter().any(|p| {
                matches!(p, Condition::OrderNumberAtLeast(n) if *n > 1)
                    || matches!(p, Condition::OrderNumberIs(n) if *n != 1)
            });
            (first && later).then_some("first_order with a later order number")
        }),
        _ => None,
    }
}

/// Whether an `all`'s subtotal bounds leave no subtotal between them: a
/// least (`subtotal_at_least`, `subtotal_above`) at or above a greatest
/// (`subtotal_at_most`, `subtotal_below`), inclusive where both are.
fn subtotal_bounds_cross(parts: &[Condition]) -> bool {
    let lows = parts.iter().filter_map(|p| match p {
        Condition::SubtotalAtLeast(a) => Some((a.value(), false)),
        Condition::SubtotalAbove(a) => Some((a.value(), true)),
        _ => None,
    });
    lows.into_iter().any(|(low, low_exclusive)| {
        parts.iter().any(|p| match p {
            Condition::SubtotalAtMost(high) if low_exclusive => high.value() <= low,
            Condition::SubtotalAtMost(high) => high.value() < low,
            Condition::SubtotalBelow(high) => high.value() <= low,
            _ => false,
        })
    })
}

/// Whether the condition has a `subtotal_above` of 0 where it restricts
/// (not under a `not`, where it means "a free basket").
fn above_zero(condition: &Condition, depth: usize) -> bool {
    if depth > crate::condition::MAX_DEPTH {
        return false;
    }
    match condition {
        Condition::SubtotalAbove(bound) => bound.value().is_zero(),
        Condition::All(parts) | Condition::Any(parts) => {
            parts.iter().any(|p| above_zero(p, depth + 1))
        }
        _ => false,
    }
}
