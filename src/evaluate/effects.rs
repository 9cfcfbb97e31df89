//! Stage 9, effects: what the host must store, each with an idempotency key
//! `program/order/rule`: for each promotion applied (in the order applied)
//! its gift, its redemption carrying the usage counts the evaluation saw
//! for a compare-and-set (a code's, or an automatic promotion's when it
//! limits its uses: one without a limit records nothing), and what it gave
//! against its spend budget, carrying what the evaluation saw spent; then
//! the points and cashback spent, carrying the balance the evaluation saw;
//! then the points and the cashback credited.

use super::Context;
use super::coupons::Codes;
use super::discounts::Settled;
use crate::evaluation::{
    CashbackOutcome, Effect, PointsOutcome, RedemptionKind, RedemptionOutcome,
};
use crate::money::PerCurrency;
use crate::rules::promotion::Reward;

/// The effects of an evaluation.
pub(super) fn collect(
    ctx: &Context<'_>,
    settled: &Settled<'_>,
    codes: &mut Codes,
    redemptions: &[RedemptionOutcome],
    points: &PointsOutcome,
    cashback: &CashbackOutcome,
) -> Vec<Effect> {
    let (promotions, discounts, gifts) = (
        &settled.promotions[..],
        &settled.discounts[..],
        &settled.gifts[..],
    );
    let program = ctx.program.program_id().as_str();
    let order = ctx.order.id().as_str();
    let customer = ctx.checkout.customer.id();
    // Keys are written piece by piece: `program/order/rule`.
    let key = |parts: &[&str]| {
        let length = program.len() + 1 + order.len() + parts.iter().map(|p| p.len()).sum::<usize>();
        let mut key = String::with_capacity(length);
        key.push_str(program);
        key.push('/');
        key.push_str(order);
        for part in parts {
            key.push_str(part);
        }
        key
    };
    let mut effects = Vec::with_capacity(2 * promotions.len() + redemptions.len() + 2);
    for &(coupon, verdict) in promotions {
        if let Reward::FreeGift { sku, quantity, .. } = &coupon.definition.reward {
            // The units the evaluation gives (a gift per N units grows with
            // the order).
            let quantity = gifts
                .iter()
                .find(|g| &g.rule.id == coupon.rule_id())
                .map_or(*quantity, |g| g.quantity);
            effects.push(Effect::AddGift {
                key: key(&["/gift:", coupon.id()]),
                coupon: coupon.rule_id().clone(),
                sku: sku.clone(),
                quantity,
            });
        }
        // What it gave against its budget, beside its redemption: its
        // discount (a promotion applies once).
        let spend = |effects: &mut Vec<Effect>| {
            if let Some(budget) = coupon.definition.budget.as_ref().map(PerCurrency::value)
                && let Some(amount) = discounts
                    .iter()
                    .find(|d| {
                        d.rule.kind == super::promotions::kind(coupon)
                            && d.rule.id == *coupon.rule_id()
                    })
                    .map(|d| d.amount)
            {
                effects.push(Effect::SpendBudget {
                    key: key(&["/budget:", coupon.id()]),
                    promotion: coupon.rule_id().clone(),
                    budget: super::in_minor_units(budget, ctx.currency),
                    spent_seen: super::in_minor_units(
                        ctx.checkout.budget_spent_of(coupon.id()),
                        ctx.currency,
                    ),
                    amount,
                });
            }
        };
        let Some(verdict) = verdict else {
            // An automatic promotion: its use is recorded only when it
            // has a limit to keep.
            if coupon.has_usage_limit() {
                let (seen_overall, seen_by_customer) = ctx.checkout.promotion_usage_of(coupon.id());
                effects.push(Effect::PromotionRedemption {
                    key: key(&["/promotion:", coupon.id()]),
                    promotion: coupon.rule_id().clone(),
                    customer: ctx.checkout.customer.record_id().cloned().into(),
                    seen_overall,
                    seen_by_customer,
                });
            }
            spend(&mut effects);
            continue;
        };
        let code = codes.take(verdict);
        let (seen_overall, seen_by_customer) = ctx.checkout.usage_of(&code);
        effects.push(Effect::CouponRedemption {
            key: key(&["/coupon:", coupon.id(), ":", &code]),
            coupon: coupon.rule_id().clone(),
            code,
            customer: ctx.checkout.customer.record_id().cloned().into(),
            seen_overall,
            seen_by_customer,
        });
        spend(&mut effects);
    }
    for redemption in redemptions.iter().filter(|r| r.is_applied()) {
        effects.push(match redemption.kind {
            RedemptionKind::Points => Effect::RedeemPoints {
                key: key(&["/redeem:points"]),
                customer: customer.clone(),
                points: redemption.points,
                amount: redemption.amount,
                available_seen: redemption.available,
            },
            RedemptionKind::Cashback => Effect::RedeemCashback {
                key: key(&["/redeem:cashback"]),
                customer: customer.clone(),
                amount: redemption.amount,
                available_seen: redemption.available,
            },
        });
    }
    if let Some(available_at) = points.available_at {
        effects.push(Effect::CreditPoints {
            key: key(&["/points"]),
            customer: customer.clone(),
            points: points.total,
            lines: points.lines.clone(),
            order_level: points.order_level,
            available_at,
            expires_at: points.expires_at,
        });
    }
    if let Some(available_at) = cashback.available_at {
        effects.push(Effect::CreditCashback {
            key: key(&["/cashback"]),
            customer: customer.clone(),
            amount: super::in_minor_units(cashback.total, ctx.currency),
            available_at,
            expires_at: cashback.expires_at,
        });
    }
    effects
}
