//! The benefits of the customer's tier, as candidates of the stacking
//! stage: a percent off the eligible items (order level, stackable, after
//! the coupons) and free shipping; and the tier's discount when the
//! discounts stage applies it. The tier's bonus points are the points
//! stage's.

use rust_decimal::Decimal;

use super::discounts::Detail;
use super::sharing::{Sharing, percent_off};
use super::stacking::{Candidate, Candidates, Level, Perk, Source};
use super::{Context, EvaluationError};
use crate::evaluation::Target;
use crate::order::Line;
use crate::program::Percentages;
use crate::rules::Stacking;
use crate::rules::tier::Benefits;
use crate::util::Lines;

/// A tier's benefits combine with every other stackable discount.
static STACKABLE: Stacking = Stacking::Stackable;

/// Adds the benefits of the customer's tier that give money to
/// `candidates`: nothing for a customer without a tier, or in a tier
/// without benefits. Free shipping only when shipping is charged.
#[inline]
pub(super) fn offer<'a>(ctx: &Context<'a>, candidates: &mut Candidates<'a>) {
    if let Some(benefits) = ctx.benefits() {
        offer_benefits(ctx, benefits, candidates);
    }
}

fn offer_benefits<'a>(ctx: &Context<'a>, benefits: &'a Benefits, candidates: &mut Candidates<'a>) {
    let program = ctx.program;
    let rank = program.promotions().len() + benefits.index;
    let mut push = |perk: Perk, level: Level| {
        candidates.push(Candidate {
            source: Source::Tier { benefits, perk },
            stacking: &STACKABLE,
            priority: 0,
            rank,
            level,
        });
    };
    if benefits.discount_percent.is_some() {
        push(Perk::Discount, Level::Order);
    }
    if benefits.free_shipping && ctx.shipping > 0 {
        push(Perk::FreeShipping, Level::Shipping);
    }
}

/// The tier's percent off its eligible lines, on their current `nets`
/// (minor units), allocated per line like a percent-off coupon.
pub(super) fn discount<'a>(
    ctx: &Context<'a>,
    benefits: &'a Benefits,
    nets: &[i128],
    free_units: &[u32],
    percentages: Percentages,
) -> Result<(Target, Lines<i128>, Detail<'a>), EvaluationError> {
    // A candidate only when the tier gives a percent.
    let percent = benefits.discount_percent.unwrap_or(Decimal::ZERO);
    let eligible = |line: &Line| Context::eligible(line, &benefits.lines);
    let (parts, _) = percent_off(
        ctx,
        percent,
        None,
        nets,
        eligible,
        percentages,
        Sharing::program(ctx, free_units),
        "a tier discount",
    )?;
    Ok((
        Target::Items,
        parts,
        Detail::PercentOff {
            percent,
            capped_at: None,
        },
    ))
}
