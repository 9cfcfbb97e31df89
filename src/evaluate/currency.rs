//! The rules without an amount in the order's currency, in a program that
//! serves several: traced as not applying (`currency_mismatch`, naming the
//! first amount they lack), each before the stage that would have judged
//! it; a coupon among them, entered by code, is refused by the coupons
//! stage with the same reason.

use super::{Context, Trace};
use crate::evaluation::{Reason, RuleKind, RuleRef, Stage, TraceEntry};
use crate::program::List;
use crate::program::Unavailable;
use crate::rules::RuleId;
use crate::rules::coupon::Rejection;

/// Traces the rules of `lists` left out for the order's currency; a
/// promotion with codes is traced only when one is entered.
pub(super) fn left_out(ctx: &Context<'_>, lists: &[List], trace: &mut Trace) {
    let left_out = ctx.program.unavailable();
    if !trace.enabled || left_out.is_empty() {
        return;
    }
    for rule in left_out
        .iter()
        .filter(|u| lists.contains(&u.list) && u.codes.is_empty())
    {
        let Some((rule_ref, stage)) = named(rule) else {
            continue;
        };
        trace.push(|| {
            TraceEntry::new(
                rule_ref,
                false,
                stage,
                Reason::CurrencyMismatch {
                    currency: ctx.currency,
                    missing: rule.missing.clone(),
                },
            )
        });
    }
}

/// The rule as outputs name it, and the stage that judges it.
pub(super) fn named(rule: &Unavailable) -> Option<(RuleRef, Stage)> {
    let (kind, stage) = match rule.list {
        List::Ladders => (RuleKind::Ladder, Stage::Ladders),
        List::Coupons => (RuleKind::Coupon, Stage::Coupons),
        List::Promotions if rule.codes.is_empty() => (RuleKind::Promotion, Stage::Promotions),
        List::Promotions => (RuleKind::Promotion, Stage::Coupons),
        List::Earning => (RuleKind::Earn, Stage::Points),
        List::Bonuses => (RuleKind::Bonus, Stage::Points),
        List::Campaigns => (RuleKind::Campaign, Stage::Points),
        List::Cashback => (RuleKind::Cashback, Stage::Cashback),
    };
    let id = RuleId::new(rule.id.as_str()).ok()?;
    Some((RuleRef::new(kind, id), stage))
}

/// The refusal of a code of a promotion left out for the order's
/// currency.
pub(super) fn refusal(ctx: &Context<'_>, rule: &Unavailable) -> Rejection {
    Rejection::CurrencyMismatch {
        currency: ctx.currency,
        missing: rule.missing.clone(),
    }
}
