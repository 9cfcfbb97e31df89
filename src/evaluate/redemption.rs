//! Stage 6, redemption: paying part of the order with points, then with
//! cashback, as the checkout asks and the program allows.
//!
//! Each redemption is measured against the customer's available balance
//! (as the checkout gives it), the program's minimum and step, its largest
//! share of the payable amount and the lines it may pay for; it is applied
//! whole or refused with a typed reason, never cut silently. An applied
//! redemption is allocated over its lines in proportion to their net, like
//! a discount, so that a return can give it back line by line. Points are
//! worth their points × the rate, rounded down to the minor unit.

use rust_decimal::{Decimal, RoundingStrategy};

use super::discounts::Settled;
use super::{Context, EvaluationError, Trace, overflow};
use crate::evaluation::{
    AppliedDiscount, DiscountDetail, LineDiscount, Reason, RedemptionKind, RedemptionOutcome,
    RedemptionRefusal, RuleKind, RuleRef, Stage, Target, TraceEntry,
};
use crate::money::split_units_rounded;
use crate::rules::RuleId;
use crate::rules::redemption::Ask;
use crate::util::Lines;

/// What the redemptions paid.
#[derive(Default)]
pub(super) struct Redeemed {
    /// One outcome per redemption asked (points, then cashback).
    pub(super) outcomes: Vec<RedemptionOutcome>,
    /// The points redemption's part of each line, in minor units, when the
    /// program earns points on the part paid with points (empty otherwise).
    pub(super) earning_back: Lines<i128>,
}

/// The figures of one kind of redemption, in its own unit: points for
/// points, minor units for cashback.
struct Terms {
    minimum: Decimal,
    step: Decimal,
    /// `per` of the figure pay `worth` minor units: the rate's points and
    /// value for points, 1 and the minor units of 1.00 for cashback.
    per: Decimal,
    worth: Decimal,
    share: Decimal,
    /// The currency, for a figure that is an amount (cashback).
    currency: Option<crate::money::Currency>,
}

/// Applies the redemptions the checkout asks for to the settled
/// discounts: lines, nets, totals and the discounts list gain them.
#[inline]
pub(super) fn redeem(
    ctx: &Context<'_>,
    settled: &mut Settled<'_>,
    trace: &mut Trace,
) -> Result<Redeemed, EvaluationError> {
    if ctx.checkout.redeem.is_empty() {
        return Ok(Redeemed::default());
    }
    redeem_asked(ctx, settled, trace)
}

/// [`redeem`], when the checkout asks for a redemption.
fn redeem_asked(
    ctx: &Context<'_>,
    settled: &mut Settled<'_>,
    trace: &mut Trace,
) -> Result<Redeemed, EvaluationError> {
    let asked = ctx.checkout.redeem;
    let mut out = Redeemed::default();
    let policy = ctx.program.redemption();
    let available = ctx.checkout.available;
    let minor = Decimal::from(10u64.pow(ctx.currency.minor_units()));
    for (kind, ask) in [
        (RedemptionKind::Points, asked.points),
        (RedemptionKind::Cashback, asked.cashback),
    ] {
        let Some(ask) = ask else { continue };
        let rule = RuleRef::new(
            RuleKind::Redemption,
            RuleId::new(kind.as_str()).map_err(|_| overflow("a redemption"))?,
        );
        if ctx.checkout.customer.is_guest() {
            let have = match kind {
                RedemptionKind::Points => available.points,
                RedemptionKind::Cashback => available.cashback,
            };
            refuse(&mut out, trace, rule, kind, ask, have, {
                RedemptionRefusal::NoCustomerRecord
            });
            continue;
        }
        let (terms, lines, have) = match kind {
            RedemptionKind::Points => match &policy.points {
                Some(p) => (
                    Terms {
                        minimum: p.minimum,
                        step: p.step,
                        per: p.rate.points,
                        worth: p
                            .rate
                            .value
                            .value()
                            .checked_mul(minor)
                            .ok_or_else(|| overflow("a redemption"))?,
                        share: p.max_share_percent,
                        currency: None,
                    },
                    &p.lines,
                    available.points,
                ),
                None => {
                    refuse(&mut out, trace, rule, kind, ask, available.points, {
                        RedemptionRefusal::NotOffered { kind }
                    });
                    continue;
                }
            },
            RedemptionKind::Cashback => match &policy.cashback {
                Some(_)
                    if available
                        .cashback_currency
                        .is_some_and(|c| c != ctx.currency) =>
                {
                    let balance = available.cashback_currency.unwrap_or(ctx.currency);
                    refuse(&mut out, trace, rule, kind, ask, available.cashback, {
                        RedemptionRefusal::OtherCurrency {
                            balance,
                            order: ctx.currency,
                        }
                    });
                    continue;
                }
                Some(c) => (
                    Terms {
                        minimum: c.minimum.value(),
                        step: ctx.currency.minor_unit(),
                        per: Decimal::ONE,
                        worth: minor,
                        share: c.max_share_percent,
                        currency: Some(ctx.currency),
                    },
                    &c.lines,
                    available.cashback,
                ),
                None => {
                    refuse(&mut out, trace, rule, kind, ask, available.cashback, {
                        RedemptionRefusal::NotOffered { kind }
                    });
                    continue;
                }
            },
        };
        // What the redemption may pay, in minor units: its share of the
        // payable amount, and no more than its lines' net.
        let mut weights: Lines<i128> = Lines::with_capacity(settled.nets.len());
        let mut on_lines: i128 = 0;
        for (line, &net) in ctx.lines().iter().zip(&settled.nets) {
            let w = if Context::eligible(line, lines) {
                net.max(0)
            } else {
                0
            };
            on_lines = on_lines
                .checked_add(w)
                .ok_or_else(|| overflow("a redemption"))?;
            weights.push(w);
        }
        let payable = Decimal::try_from_i128_with_scale(settled.payable.max(0), 0)
            .map_err(|_| overflow("a redemption"))?;
        let by_share = payable
            .checked_mul(terms.share)
            .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
            .ok_or_else(|| overflow("a redemption"))?
            .floor();
        let on_lines =
            Decimal::try_from_i128_with_scale(on_lines, 0).map_err(|_| overflow("a redemption"))?;
        let cap = on_lines.min(by_share);
        let (used, paid) = match decide(&terms, ask, have, cap)? {
            Ok(figures) => figures,
            Err(refusal) => {
                refuse(&mut out, trace, rule, kind, ask, have, refusal);
                continue;
            }
        };
        // Paid in minor units, split over the lines like a discount.
        let paid_units = paid.mantissa() / 10i128.pow(paid.scale());
        let mut parts: Lines<i128> = Lines::filled(weights.len(), 0);
        split_units_rounded(
            paid_units,
            &weights,
            ctx.program.remainder(),
            ctx.program.share_rounding(),
            &mut parts,
        )
        .map_err(|_| overflow("a redemption"))?;
        for (net, &part) in settled.nets.iter_mut().zip(&parts) {
            *net -= part;
        }
        settled.payable -= paid_units;
        let amount = ctx.money(paid_units)?;
        settled.totals.redeemed = settled
            .totals
            .redeemed
            .checked_add(amount.amount())
            .ok_or_else(|| overflow("a redemption"))?;
        settled.totals.payable = ctx.decimal(settled.payable)?;
        if kind == RedemptionKind::Points
            && policy.points.as_ref().is_some_and(|p| p.earn_on_redeemed)
        {
            out.earning_back = parts.clone();
        }
        let detail = match kind {
            RedemptionKind::Points => DiscountDetail::PaidWithPoints { points: used },
            RedemptionKind::Cashback => DiscountDetail::PaidWithCashback,
        };
        if ctx.detail {
            for ((outcome, &part), &net) in settled.lines.iter_mut().zip(&parts).zip(&settled.nets)
            {
                if part != 0 {
                    outcome.discounts.push(LineDiscount {
                        rule: rule.clone(),
                        amount: ctx.decimal(part)?,
                    });
                    outcome.net = ctx.decimal(net)?;
                }
            }
            settled.discounts.push(AppliedDiscount {
                rule: rule.clone(),
                name: None,
                code: None,
                target: Target::Items,
                amount: amount.amount(),
                detail: detail.clone(),
                capped_by_total: false,
            });
        }
        trace.push(|| {
            TraceEntry::new(
                rule.clone(),
                true,
                Stage::Redemption,
                Reason::Discounted {
                    amount,
                    target: Target::Items,
                    detail,
                    capped_by_total: false,
                },
            )
        });
        out.outcomes.push(RedemptionOutcome {
            kind,
            asked: ask,
            available: have,
            points: if kind == RedemptionKind::Points {
                used
            } else {
                Decimal::ZERO
            },
            amount: amount.amount(),
            refused: None,
        });
    }
    Ok(out)
}

/// The figure used (points, or an amount of cashback) and what it pays in
/// minor units, or why not. `cap` is the most it may pay, in minor units.
/// The outer error is an overflow on absurd figures.
fn decide(
    terms: &Terms,
    ask: Ask,
    have: Decimal,
    cap: Decimal,
) -> Result<Result<(Decimal, Decimal), RedemptionRefusal>, EvaluationError> {
    let big = || overflow("a redemption");
    let mul = |a: Decimal, b: Decimal| a.checked_mul(b).ok_or_else(big);
    let div = |a: Decimal, b: Decimal| a.checked_div(b).ok_or_else(big);
    let step = terms.step;
    let down_to_step = |figure: Decimal| mul(div(figure, step)?.floor(), step);
    // What `figure` pays, in minor units, rounded down.
    let pays = |figure: Decimal| {
        Ok::<_, EvaluationError>(
            div(mul(figure, terms.worth)?, terms.per)?
                .round_dp_with_strategy(0, RoundingStrategy::ToZero),
        )
    };
    // The most the cap takes, a multiple of the step.
    let most = down_to_step(div(mul(cap, terms.per)?, terms.worth)?)?;
    let minimum = terms.minimum;
    let refuse = |refusal| Ok(Err(refusal));
    let figure = match ask {
        Ask::All => {
            if cap.is_zero() {
                return refuse(RedemptionRefusal::NothingToPay);
            }
            let figure = down_to_step(have)?.min(most);
            if figure <= Decimal::ZERO {
                return refuse(RedemptionRefusal::NotEnoughAvailable {
                    asked: terms.show(step.max(minimum)),
                    available: terms.show(have),
                });
            }
            if figure < minimum {
                return refuse(RedemptionRefusal::BelowMinimum {
                    asked: terms.show(figure),
                    minimum: terms.show(minimum),
                });
            }
            figure
        }
        Ask::Exactly(figure) => {
            if figure > have {
                return refuse(RedemptionRefusal::NotEnoughAvailable {
                    asked: terms.show(figure),
                    available: terms.show(have),
                });
            }
            if figure <= Decimal::ZERO || figure < minimum {
                return refuse(RedemptionRefusal::BelowMinimum {
                    asked: terms.show(figure),
                    minimum: terms.show(minimum.max(step)),
                });
            }
            if !figure.checked_rem(step).ok_or_else(big)?.is_zero() {
                return refuse(RedemptionRefusal::NotAMultipleOfStep {
                    asked: terms.show(figure),
                    step: terms.show(step),
                });
            }
            if cap.is_zero() {
                return refuse(RedemptionRefusal::NothingToPay);
            }
            if pays(figure)? > cap {
                return refuse(RedemptionRefusal::AboveMaximum {
                    asked: terms.show(figure),
                    maximum: terms.show(most),
                });
            }
            figure
        }
    };
    let paid = pays(figure)?;
    if paid.is_zero() {
        // Too few points to pay one minor unit: the fewest that do.
        let fewest = mul(div(div(terms.per, terms.worth)?, step)?.ceil(), step)?;
        return refuse(RedemptionRefusal::BelowMinimum {
            asked: terms.show(figure),
            minimum: terms.show(fewest),
        });
    }
    Ok(Ok((terms.show(figure), paid)))
}

impl Terms {
    /// A figure as the outputs write it: points without trailing zeros, an
    /// amount with the currency's decimals.
    fn show(&self, figure: Decimal) -> Decimal {
        match self.currency {
            None => figure.normalize(),
            Some(currency) => super::in_minor_units(figure, currency),
        }
    }
}

/// Records a refused redemption.
fn refuse(
    out: &mut Redeemed,
    trace: &mut Trace,
    rule: RuleRef,
    kind: RedemptionKind,
    ask: Ask,
    available: Decimal,
    refusal: RedemptionRefusal,
) {
    trace.push(|| {
        TraceEntry::new(
            rule,
            false,
            Stage::Redemption,
            Reason::RedemptionRefused {
                refusal: refusal.clone(),
            },
        )
    });
    out.outcomes.push(RedemptionOutcome {
        kind,
        asked: ask,
        available,
        points: Decimal::ZERO,
        amount: Decimal::ZERO,
        refused: Some(refusal),
    });
}
