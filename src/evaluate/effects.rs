//! Stage 9, effects: what the host must store, each with an idempotency key
//! `program/order/rule`: for each coupon applied (in the order applied) its
//! gift and its redemption, carrying the usage counts the evaluation saw
//! for a compare-and-set; then the points and cashback spent, carrying the
//! balance the evaluation saw; then the points and the cashback credited.

use super::Context;
use super::coupons::Codes;
use crate::evaluation::{
    CashbackOutcome, Effect, PointsOutcome, RedemptionKind, RedemptionOutcome,
};
use crate::rules::coupon::{Coupon, CouponReward};

/// The effects of an evaluation.
pub(super) fn collect(
    ctx: &Context<'_>,
    coupons: &[(&Coupon, usize)],
    codes: &mut Codes,
    redemptions: &[RedemptionOutcome],
    points: &PointsOutcome,
    cashback: &CashbackOutcome,
) -> Vec<Effect> {
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
    let mut effects = Vec::with_capacity(2 * coupons.len() + redemptions.len() + 2);
    for &(coupon, verdict) in coupons {
        if let CouponReward::FreeGift { sku, quantity, .. } = &coupon.definition.reward {
            effects.push(Effect::AddGift {
                key: key(&["/gift:", coupon.id()]),
                coupon: coupon.rule_id().clone(),
                sku: sku.clone(),
                quantity: *quantity,
            });
        }
        let code = codes.take(verdict);
        let (seen_overall, seen_by_customer) = ctx.checkout.usage_of(&code);
        effects.push(Effect::CouponRedemption {
            key: key(&["/coupon:", coupon.id(), ":", &code]),
            coupon: coupon.rule_id().clone(),
            code,
            customer: ctx.checkout.customer.record_id().cloned(),
            seen_overall,
            seen_by_customer,
        });
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
