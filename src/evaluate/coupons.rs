//! Stage 3, coupons: a verdict on every entered code, accepted or rejected
//! with a typed reason (unknown, expired, limit reached, minimum not met,
//! …); an accepted code's coupon is a candidate. Also the coupon's reward,
//! when the discounts stage applies it.

use super::discounts::{Detail, percent_of, spread};
use super::stacking::{Candidate, Candidates, Level, Source};
use super::{Context, EvaluationError, Trace, in_minor_units, overflow};
use crate::customer::RecordNeed;
use crate::evaluation::{Reason, RuleKind, RuleRef, Stage, Target, TraceEntry};
use crate::order::Line;
use crate::program::Percentages;
use crate::rules::coupon::{
    Coupon, CouponReward, CouponVerdict, Rejection, normalize_code, window_rejection,
};
use crate::util::Lines;

/// The verdicts, in the order the codes were entered.
pub(super) struct Verdicts {
    pub(super) verdicts: Vec<CouponVerdict>,
    /// Each entered code, normalised.
    pub(super) codes: Codes,
}

/// The entered codes, normalised, by the index of their verdict: the usual
/// single code kept without a list of its own, and moved into the output
/// that reports it.
#[derive(Default)]
pub(super) struct Codes {
    first: Option<String>,
    rest: Vec<String>,
}

impl Codes {
    fn push(&mut self, code: String) {
        if self.first.is_none() {
            self.first = Some(code);
        } else {
            self.rest.push(code);
        }
    }

    fn contains(&self, code: &str) -> bool {
        self.first.as_deref() == Some(code) || self.rest.iter().any(|c| c == code)
    }

    /// The code of verdict `index`; empty once taken.
    pub(super) fn get(&self, index: usize) -> &str {
        match index {
            0 => self.first.as_deref().unwrap_or_default(),
            i => self.rest.get(i - 1).map_or("", String::as_str),
        }
    }

    /// Takes the code of verdict `index` out, for the output that reports it
    /// last.
    pub(super) fn take(&mut self, index: usize) -> String {
        match index {
            0 => self.first.take().unwrap_or_default(),
            i => self
                .rest
                .get_mut(i - 1)
                .map(std::mem::take)
                .unwrap_or_default(),
        }
    }
}

/// A verdict for every entered code; the coupons that may apply are added
/// to `candidates`.
pub(super) fn judge<'a>(
    ctx: &Context<'a>,
    candidates: &mut Candidates<'a>,
) -> Result<Verdicts, EvaluationError> {
    let program = ctx.program;
    let entered = ctx.order.coupons();
    let mut out = Verdicts {
        verdicts: Vec::with_capacity(entered.len()),
        codes: Codes::default(),
    };
    let first = candidates.len();
    for code_entered in entered {
        let code = normalize_code(code_entered);
        let mut verdict = CouponVerdict {
            code: code_entered.clone(),
            coupon: None,
            rejection: None,
        };
        let coupon = if out.codes.contains(&code) {
            verdict.rejection = Some(Rejection::DuplicateCode);
            None
        } else {
            match program.coupon_for_normalized(&code) {
                None => {
                    verdict.rejection = Some(Rejection::UnknownCode);
                    None
                }
                Some(coupon) => {
                    verdict.coupon = Some(coupon.rule_id().clone());
                    verdict.rejection = rejection(ctx, coupon, &code)?;
                    Some(coupon)
                }
            }
        };
        out.codes.push(code);
        let index = out.verdicts.len();
        if let (Some(coupon), None) = (coupon, &verdict.rejection) {
            // A coupon entered twice under two of its batch codes counts
            // once.
            let entered_before = candidates[first..].iter().any(|c| match c.source {
                Source::Coupon { coupon: other, .. } => std::ptr::eq(other, coupon),
                Source::Ladder(_) | Source::Tier { .. } => false,
            });
            if entered_before {
                verdict.rejection = Some(Rejection::CouponAlreadyEntered);
            } else {
                let rank = program.ladders().len()
                    + program
                        .coupons()
                        .iter()
                        .position(|c| std::ptr::eq(c, coupon))
                        .unwrap_or(0);
                candidates.push(Candidate {
                    source: Source::Coupon {
                        coupon,
                        verdict: index,
                    },
                    stacking: &coupon.definition.stacking,
                    priority: coupon.definition.priority,
                    rank,
                    level: Level::of(&coupon.definition.reward),
                });
            }
        }
        out.verdicts.push(verdict);
    }
    Ok(out)
}

/// Writes the refused codes of coupons into the trace, once every stage
/// that can refuse one has run (those not combinable are already there).
pub(super) fn trace_rejections(verdicts: &[CouponVerdict], trace: &mut Trace) {
    for verdict in verdicts {
        if let (Some(rejection), Some(coupon)) = (&verdict.rejection, &verdict.coupon)
            && !matches!(rejection, Rejection::NotCombinable { .. })
        {
            trace.push(|| {
                TraceEntry::new(
                    RuleRef::new(RuleKind::Coupon, coupon.clone()),
                    false,
                    Stage::Coupons,
                    Reason::CouponRejected {
                        code: verdict.code.clone(),
                        rejection: rejection.clone(),
                    },
                )
                .observed(match rejection {
                    Rejection::ConditionNotMet { because } => because.clone(),
                    _ => None,
                })
            });
        }
    }
}

/// Why `coupon`, entered as `code` (normalised), does not apply, if it
/// does not: checks in the order a customer would want them explained.
fn rejection(
    ctx: &Context<'_>,
    coupon: &Coupon,
    code: &str,
) -> Result<Option<Rejection>, EvaluationError> {
    let def = &coupon.definition;
    let facts = &ctx.facts;
    let customer = facts.customer();
    if let Some(window) = &def.valid
        && let Some(r) = window_rejection(window, facts.local())
    {
        return Ok(Some(r));
    }
    if customer.is_guest()
        && let Some(needs) = guest_needs(def)
    {
        return Ok(Some(Rejection::GuestCheckout { needs }));
    }
    let (overall, by_customer) = ctx.checkout.usage_of(code);
    let limit = if def.unique { Some(1) } else { def.usage_limit };
    if let Some(limit) = limit
        && overall >= limit
    {
        return Ok(Some(Rejection::UsageLimitReached {
            limit,
            used: overall,
        }));
    }
    if let Some(limit) = def.per_customer_limit
        && by_customer >= limit
    {
        return Ok(Some(Rejection::PerCustomerLimitReached {
            limit,
            used: by_customer,
        }));
    }
    if def.first_order_only || def.order_number.is_some() {
        let Some(order_number) = facts.order_number() else {
            return Ok(Some(Rejection::OrderNumberUnknown));
        };
        if def.first_order_only && order_number != 1 {
            return Ok(Some(Rejection::NotFirstOrder { order_number }));
        }
        if let Some(required) = def.order_number
            && order_number != required
        {
            return Ok(Some(Rejection::NotNthOrder {
                required,
                order_number,
            }));
        }
    }
    if !def.tiers.is_empty() && !customer.tier().is_some_and(|t| def.tiers.contains(t)) {
        return Ok(Some(Rejection::TierNotAllowed {
            tier: customer.tier().cloned(),
            allowed: def.tiers.clone(),
        }));
    }
    if !def.segments.is_empty() && !customer.segments().iter().any(|s| def.segments.contains(s)) {
        return Ok(Some(Rejection::SegmentNotAllowed {
            allowed: def.segments.clone(),
        }));
    }
    // The observation is written only for the rejection that reports it.
    if let Some(condition) = &def.condition
        && !condition.holds(facts)?
    {
        return Ok(Some(Rejection::ConditionNotMet {
            because: condition.evaluate(facts)?.because,
        }));
    }
    let needs_lines = !matches!(
        def.reward,
        CouponReward::FreeShipping
            | CouponReward::FreeGift { .. }
            | CouponReward::BonusPoints { .. }
            | CouponReward::PointsMultiplier { .. }
    ) || def.min_subtotal.is_some()
        || def.min_quantity.is_some()
        || !def.lines.is_all();
    let mut subtotal: i128 = 0;
    let mut quantity: u64 = 0;
    let mut any = false;
    // The minimum is measured on the program's tax basis.
    for (line, gross) in ctx.lines().iter().zip(ctx.measured()) {
        if Context::eligible(line, &def.lines) {
            any = true;
            subtotal = subtotal
                .checked_add(*gross)
                .ok_or_else(|| overflow("a coupon subtotal"))?;
            quantity = quantity.saturating_add(u64::from(line.quantity()));
        }
    }
    let subtotal = ctx.decimal(subtotal)?;
    if needs_lines && !any {
        return Ok(Some(Rejection::NoEligibleItems));
    }
    if let Some(minimum) = def.min_quantity
        && quantity < minimum
    {
        return Ok(Some(Rejection::MinimumQuantityNotMet {
            minimum,
            quantity,
            missing: minimum - quantity,
        }));
    }
    if let Some(minimum) = def.min_subtotal
        && subtotal < minimum
    {
        return Ok(Some(Rejection::MinimumNotMet {
            minimum: in_minor_units(minimum, ctx.currency),
            subtotal: in_minor_units(subtotal, ctx.currency),
            missing: in_minor_units(minimum - subtotal, ctx.currency),
        }));
    }
    if let CouponReward::BuyXGetY { buy, get, .. } = def.reward
        && quantity < u64::from(buy) + u64::from(get)
    {
        return Ok(Some(Rejection::MinimumQuantityNotMet {
            minimum: u64::from(buy) + u64::from(get),
            quantity,
            missing: u64::from(buy) + u64::from(get) - quantity,
        }));
    }
    if matches!(def.reward, CouponReward::FreeShipping) && ctx.shipping == 0 {
        return Ok(Some(Rejection::NothingToDiscount));
    }
    Ok(None)
}

/// What a coupon needs of a customer record, which a guest lacks: the
/// first of its per-customer limit, order number, tiers and segments.
fn guest_needs(def: &crate::rules::coupon::CouponDefinition) -> Option<RecordNeed> {
    if def.per_customer_limit.is_some() {
        Some(RecordNeed::PerCustomerLimit)
    } else if def.first_order_only {
        Some(RecordNeed::FirstOrder)
    } else if def.order_number.is_some() {
        Some(RecordNeed::OrderNumber)
    } else if !def.tiers.is_empty() {
        Some(RecordNeed::Tier)
    } else if !def.segments.is_empty() {
        Some(RecordNeed::Segment)
    } else {
        None
    }
}

/// A coupon's discount on the lines' current `nets` (minor units),
/// allocated per line. `free_units` counts each line's units already made
/// free by a line-level reward: they are neither freed again nor
/// discounted.
pub(super) fn discount<'a>(
    ctx: &Context<'a>,
    coupon: &'a Coupon,
    nets: &[i128],
    free_units: &mut [u32],
    percentages: Percentages,
) -> Result<(Target, Lines<i128>, Detail<'a>), EvaluationError> {
    let def = &coupon.definition;
    let eligible = |line: &Line| Context::eligible(line, &def.lines);
    match &def.reward {
        CouponReward::PercentOff { percent, cap } => {
            let raw = percent_of(ctx, *percent, nets, &eligible, percentages, "a coupon")?;
            let cap = cap.map(|c| ctx.price_cap(c, &eligible)).transpose()?;
            let (raw, capped_at) = match cap {
                Some(c) if raw > c => (c, Some(c)),
                _ => (raw, None),
            };
            Ok((
                Target::Items,
                spread(ctx, raw, nets, eligible)?,
                Detail::PercentOff {
                    percent: *percent,
                    capped_at,
                },
            ))
        }
        CouponReward::AmountOff { amount } => Ok((
            Target::Items,
            spread(ctx, *amount, nets, eligible)?,
            Detail::AmountOff(*amount),
        )),
        CouponReward::AmountOffEachUnit { amount } => {
            let mut parts = Lines::filled(nets.len(), 0i128);
            let per_unit = ctx.units(*amount)?;
            for (((part, line), net), free) in parts
                .iter_mut()
                .zip(ctx.lines())
                .zip(nets)
                .zip(&*free_units)
            {
                if eligible(line) {
                    let paid_units = line.quantity().saturating_sub(*free);
                    let want = per_unit
                        .checked_mul(i128::from(paid_units))
                        .ok_or_else(|| overflow("a per-unit discount"))?;
                    *part = want.min(*net).max(0);
                }
            }
            Ok((Target::Items, parts, Detail::AmountOffEachUnit(*amount)))
        }
        CouponReward::CheapestFree => {
            let free = cheapest_units(ctx, nets, free_units, &eligible, 1)?;
            Ok((Target::Items, free, Detail::CheapestFree))
        }
        CouponReward::BuyXGetY {
            buy,
            get,
            max_applications,
        } => {
            let units: u64 = ctx
                .lines()
                .iter()
                .zip(&*free_units)
                .filter(|(l, _)| eligible(l))
                .map(|(l, free)| u64::from(l.quantity().saturating_sub(*free)))
                .sum();
            let group = u64::from(*buy) + u64::from(*get);
            let mut groups = units / group;
            if let Some(max) = max_applications {
                groups = groups.min(u64::from(*max));
            }
            let free_count = groups * u64::from(*get);
            let free = cheapest_units(ctx, nets, free_units, &eligible, free_count)?;
            Ok((
                Target::Items,
                free,
                Detail::BuyXGetY {
                    buy: *buy,
                    get: *get,
                    groups,
                    free_units: free_count,
                },
            ))
        }
        CouponReward::FreeShipping => {
            Ok((Target::Shipping, Lines::filled(0, 0), Detail::FreeShipping))
        }
        CouponReward::FreeGift { sku, quantity, .. } => Ok((
            Target::Items,
            Lines::filled(nets.len(), 0),
            Detail::Gift {
                sku,
                quantity: *quantity,
            },
        )),
        CouponReward::BonusPoints { points } => Ok((
            Target::Items,
            Lines::filled(nets.len(), 0),
            Detail::BonusPoints(*points),
        )),
        CouponReward::PointsMultiplier { factor } => Ok((
            Target::Items,
            Lines::filled(nets.len(), 0),
            Detail::PointsMultiplier(*factor),
        )),
    }
}

/// Makes the `count` cheapest eligible units free (ties to the earlier
/// line), never more than a line's remaining net.
fn cheapest_units(
    ctx: &Context<'_>,
    nets: &[i128],
    free_units: &mut [u32],
    eligible: &impl Fn(&Line) -> bool,
    count: u64,
) -> Result<Lines<i128>, EvaluationError> {
    let lines = ctx.lines();
    let mut parts = Lines::filled(nets.len(), 0i128);
    let mut by_price: Lines<usize> = Lines::with_capacity(nets.len());
    for i in (0..nets.len()).filter(|&i| eligible(&lines[i])) {
        by_price.push(i);
    }
    by_price.sort_by(|&a, &b| {
        lines[a]
            .unit_price()
            .amount()
            .cmp(&lines[b].unit_price().amount())
            .then(a.cmp(&b))
    });
    let mut left = count;
    for &i in by_price.iter() {
        if left == 0 {
            break;
        }
        let line = &lines[i];
        // Only units not yet free; their remaining net is shared evenly.
        let available = line.quantity().saturating_sub(free_units[i]);
        if available == 0 {
            continue;
        }
        let take = u32::try_from(left.min(u64::from(available))).unwrap_or(available);
        let price = line.unit_price().to_minor_units()?;
        let net = nets[i].max(0);
        let by_price = price
            .checked_mul(i128::from(take))
            .ok_or_else(|| overflow("free units"))?;
        let by_net = if take == available {
            net
        } else {
            net.checked_mul(i128::from(take))
                .ok_or_else(|| overflow("free units"))?
                / i128::from(available)
        };
        parts[i] = by_price.min(by_net);
        free_units[i] += take;
        left -= u64::from(take);
    }
    Ok(parts)
}
