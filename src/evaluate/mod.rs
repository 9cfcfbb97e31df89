//! The evaluation of a checkout: one pass, fixed stages.
//!
//! 1. **Facts**: line amounts, subtotal, local time in the program's zone,
//!    the customer's order number, derived once.
//! 2. **Coupons**: each entered code gets a verdict, accepted or rejected
//!    with a reason.
//! 3. **Ladders**: each ladder's condition and standing.
//! 4. **Stacking**: among the candidates (accepted coupons, ladders with a
//!    step reached), the program's policy picks the set that applies.
//! 5. **Discounts**: line-level rewards (cheapest free, buy X get Y, amount
//!    off each unit) first, then order-level ones (ladders, percent and
//!    amount off) by priority, then shipping. Each discount is rounded once
//!    and allocated over its eligible lines in proportion to their net, so
//!    that the parts sum exactly to it; no line goes below zero.
//! 6. **Effects**: coupon redemptions and gifts for the host to store.
//!
//! # Example
//!
//! ```
//! use loyalty::evaluate::Checkout;
//! use loyalty::program::{Program, ProgramDefinition};
//!
//! let program = Program::new(serde_json::from_str::<ProgramDefinition>(r#"{
//!     "id": "seeds", "currency": "EUR", "time_zone": "Europe/Lisbon",
//!     "ladders": [{"id": "spend-more", "steps": [
//!         {"from": "100.00", "percent": "5"},
//!         {"from": "200.00", "percent": "10"},
//!         {"from": "300.00", "percent": "15"}]}],
//!     "coupons": [{"id": "ten-off", "codes": ["TENOFF"],
//!                  "reward": {"type": "amount_off", "amount": "10.00"}}]
//! }"#)?)?;
//! let checkout: Checkout = serde_json::from_str(r#"{
//!     "order": {"id": "A-1", "customer": "C-1", "placed_at": "2026-11-27T10:00:00Z",
//!               "currency": "EUR", "shipping": "4.90 EUR", "coupons": ["tenoff"],
//!               "lines": [{"id": "1", "sku": "TEA", "quantity": 2, "unit_price": "125.00 EUR"}]},
//!     "customer": {"id": "C-1"},
//!     "at": "2026-11-27T10:00:00Z"
//! }"#)?;
//! let evaluation = program.evaluate(&checkout)?;
//! // 10% of 250.00 = 25.00, then 10.00 off: 215.00 + 4.90 shipping.
//! assert_eq!(evaluation.totals.discount, "35.00".parse()?);
//! assert_eq!(evaluation.totals.payable, "219.90".parse()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod accrual;

pub use crate::error::EvaluationError;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::condition::Facts;
use crate::customer::Customer;
use crate::evaluation::{
    AppliedDiscount, Effect, Evaluation, Gift, LadderOutcome, LineDiscount, LineOutcome, RuleKind,
    RuleRef, Target, Totals, TraceEntry,
};
use crate::money::{Currency, Money, allocate_minor_units};
use crate::order::{Line, Order};
use crate::program::{Percentages, Pick, Program};
use crate::rules::Stacking;
use crate::rules::coupon::{
    Coupon, CouponReward, CouponVerdict, Rejection, codes_match, normalize_code, window_rejection,
};
use crate::rules::ladder::{Ladder, LadderBasis, LadderMode, Measure, StepReward};

// One compiled program serves any number of threads.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Program>();
    send_sync::<Checkout>();
    send_sync::<Evaluation>();
};

/// How an evaluation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EvaluateOptions {
    /// Whether to write the trace and the discounts' descriptions (default
    /// yes). Without them the evaluation is the same but for an empty
    /// `trace` and empty `description`s, and faster: no sentence is
    /// formatted. For batch analytics that only need the amounts.
    pub trace: bool,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        EvaluateOptions { trace: true }
    }
}

impl EvaluateOptions {
    /// The default options, with the trace.
    #[must_use]
    pub fn new() -> EvaluateOptions {
        EvaluateOptions::default()
    }

    /// Sets whether to write the trace.
    #[must_use]
    pub fn trace(mut self, trace: bool) -> EvaluateOptions {
        self.trace = trace;
        self
    }
}

/// The trace being written, or not.
pub(crate) struct Trace {
    enabled: bool,
    entries: Vec<TraceEntry>,
}

impl Trace {
    /// Adds the entry `entry` builds, only when tracing.
    fn push(&mut self, entry: impl FnOnce() -> TraceEntry) {
        if self.enabled {
            self.entries.push(entry());
        }
    }
}

/// Whether an optional condition holds; when it does not, the trace says
/// why, with the observation that decided.
fn condition_holds(
    condition: Option<&crate::condition::Condition>,
    facts: &Facts<'_>,
    rule: &RuleRef,
    trace: &mut Trace,
) -> Result<bool, EvaluationError> {
    let Some(condition) = condition else {
        return Ok(true);
    };
    let verdict = condition.evaluate(facts)?;
    if !verdict.met {
        trace.push(|| TraceEntry {
            rule: rule.clone(),
            applied: false,
            message: match &verdict.because {
                Some(o) => format!("not applied: condition not met: {o}"),
                None => "not applied: condition not met".to_owned(),
            },
            observation: verdict.because.clone(),
        });
    }
    Ok(verdict.met)
}

/// What the host knows at checkout: the order, the customer, the coupon
/// usage counts from its store, and the instant of evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkout {
    /// The order being placed.
    pub order: Order,
    /// The customer, with a snapshot of their history before this order.
    pub customer: Customer,
    /// Usage counts of the entered codes. A code with no entry has never
    /// been used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupon_usage: Vec<CouponUsage>,
    /// The instant of evaluation: validity windows and seasonal events are
    /// read at this instant, in the program's time zone.
    pub at: DateTime<Utc>,
}

impl Checkout {
    /// A checkout of `order` by `customer` at `at`, with no coupon usage.
    #[must_use]
    pub fn new(order: Order, customer: Customer, at: DateTime<Utc>) -> Checkout {
        Checkout {
            order,
            customer,
            coupon_usage: Vec::new(),
            at,
        }
    }

    /// Adds the usage counts of a code.
    #[must_use]
    pub fn with_usage(mut self, usage: CouponUsage) -> Checkout {
        self.coupon_usage.push(usage);
        self
    }

    /// Uses of `code` (overall, by this customer); zero when not listed.
    fn usage_of(&self, code: &str) -> (u64, u64) {
        self.coupon_usage
            .iter()
            .find(|u| codes_match(&u.code, code))
            .map_or((0, 0), |u| (u.overall, u.by_customer))
    }
}

/// How often a code was redeemed before this checkout.
///
/// For a shared code, counts of the coupon; for a code of a unique batch,
/// counts of that code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouponUsage {
    /// The code (matched ignoring case and surrounding space).
    pub code: String,
    /// Redemptions by anyone.
    pub overall: u64,
    /// Redemptions by this checkout's customer.
    pub by_customer: u64,
}

fn overflow(what: &'static str) -> EvaluationError {
    EvaluationError::Overflow { what }
}

/// A discount that may apply, before stacking picks.
struct Candidate<'p> {
    rule: RuleRef,
    source: Source<'p>,
    stacking: &'p Stacking,
    priority: i32,
    /// Definition order across the program: ladders, then coupons.
    rank: usize,
    /// 0 line-level, 1 order-level, 2 shipping, 3 gift.
    stage: u8,
}

#[derive(Clone, Copy)]
enum Source<'p> {
    Ladder(&'p Ladder),
    Coupon { coupon: &'p Coupon, verdict: usize },
}

/// How a discount was reached, formatted only for the applied set.
#[derive(Clone, Copy)]
enum Detail<'p> {
    NoStep {
        basis: Decimal,
        next: Option<crate::rules::ladder::NextStep>,
    },
    Ladder {
        ladder: &'p Ladder,
        step: usize,
        basis: Decimal,
        next: Option<crate::rules::ladder::NextStep>,
    },
    PercentOff {
        percent: Decimal,
        capped_at: Option<Decimal>,
    },
    AmountOff(Decimal),
    AmountOffEachUnit(Decimal),
    CheapestFree,
    BuyXGetY {
        buy: u32,
        get: u32,
        groups: u64,
        free_units: u64,
    },
    FreeShipping,
    Gift {
        sku: &'p crate::order::Sku,
        quantity: u32,
    },
    BonusPoints(Decimal),
    PointsMultiplier(Decimal),
}

impl Detail<'_> {
    fn describe(&self, currency: Currency, capped_by_total: bool) -> String {
        let mut text = match *self {
            Detail::NoStep { .. } => "no step reached".to_owned(),
            Detail::Ladder {
                ladder,
                step,
                basis,
                next,
            } => {
                let reached = &ladder.steps()[step];
                let mut text = match (ladder.definition.mode, reached.reward) {
                    (LadderMode::Bracket, _) => format!(
                        "bracket ladder up to step {} on {} {}",
                        step + 1,
                        basis_name(ladder),
                        show(basis, ladder, currency)
                    ),
                    (_, StepReward::Percent { percent, .. }) => format!(
                        "step {} reached ({} from {}) on {} {}",
                        step + 1,
                        percent_text(percent),
                        show(reached.from, ladder, currency),
                        basis_name(ladder),
                        show(basis, ladder, currency)
                    ),
                    (_, StepReward::Amount { amount }) => format!(
                        "step {} reached ({} off from {}) on {} {}",
                        step + 1,
                        Money::new(amount, currency),
                        show(reached.from, ladder, currency),
                        basis_name(ladder),
                        show(basis, ladder, currency)
                    ),
                };
                if let Some(next) = next {
                    text.push_str(&format!(
                        "; {} more reaches step {}",
                        show(next.missing, ladder, currency),
                        next.step + 1
                    ));
                }
                text
            }
            Detail::PercentOff { percent, capped_at } => match capped_at {
                Some(cap) => format!(
                    "{} off eligible items (capped at {})",
                    percent_text(percent),
                    Money::new(cap, currency)
                ),
                None => format!("{} off eligible items", percent_text(percent)),
            },
            Detail::AmountOff(amount) => {
                format!("{} off eligible items", Money::new(amount, currency))
            }
            Detail::AmountOffEachUnit(amount) => {
                format!("{} off each eligible unit", Money::new(amount, currency))
            }
            Detail::CheapestFree => "the cheapest eligible unit free".to_owned(),
            Detail::BuyXGetY {
                buy,
                get,
                groups,
                free_units,
            } => format!(
                "buy {buy} get {get}: {groups} group(s) of {} eligible units, {free_units} cheapest unit(s) free",
                u64::from(buy) + u64::from(get)
            ),
            Detail::FreeShipping => "free shipping".to_owned(),
            Detail::Gift { sku, quantity } => format!("gift: {quantity} × {sku}"),
            Detail::BonusPoints(points) => format!("{} bonus points", points.normalize()),
            Detail::PointsMultiplier(factor) => format!("{}× points", factor.normalize()),
        };
        if capped_by_total {
            text.push_str(" (reduced to the program's cap on total discount)");
        }
        text
    }
}

/// One candidate's result in an application.
struct Applied<'p> {
    candidate: usize,
    target: Target,
    amount: Decimal,
    /// Minor-unit parts per line (items only).
    parts: Vec<i128>,
    detail: Detail<'p>,
    capped_by_total: bool,
}

struct Application<'p> {
    /// Each line's net after the applied discounts.
    nets: Vec<Decimal>,
    applied: Vec<Applied<'p>>,
    items: Decimal,
    shipping: Decimal,
    benefit: Decimal,
}

struct Context<'a> {
    program: &'a Program,
    order: &'a Order,
    gross: Vec<Decimal>,
    currency: Currency,
}

impl Program {
    /// Evaluates a checkout: every discount to apply, to the cent and per
    /// line, the verdict on each coupon, the trace of why, and the effects
    /// to store. Deterministic; reads no clock; changes nothing it is given.
    ///
    /// # Errors
    ///
    /// An [`EvaluationError`] for a checkout that contradicts the program or
    /// itself: another currency, another customer, usage counts where a
    /// customer's uses exceed all uses, amounts that overflow.
    pub fn evaluate(&self, checkout: &Checkout) -> Result<Evaluation, EvaluationError> {
        self.evaluate_with(checkout, EvaluateOptions::default())
    }

    /// [`evaluate`](Self::evaluate) with options, e.g. without the trace.
    ///
    /// # Errors
    ///
    /// As [`evaluate`](Self::evaluate).
    ///
    /// # Example
    ///
    /// ```
    /// # use loyalty::evaluate::{Checkout, EvaluateOptions};
    /// # use loyalty::program::{Program, ProgramDefinition};
    /// # let program = Program::new(serde_json::from_str::<ProgramDefinition>(r#"{"id": "p", "currency": "EUR",
    /// #   "ladders": [{"id": "l", "steps": [{"from": "100.00", "percent": "5"}]}]}"#)?)?;
    /// # let checkout: Checkout = serde_json::from_str(r#"{"order": {"id": "A", "customer": "C",
    /// #   "placed_at": "2026-01-01T00:00:00Z", "currency": "EUR",
    /// #   "lines": [{"id": "1", "sku": "S", "quantity": 1, "unit_price": "120.00 EUR"}]},
    /// #   "customer": {"id": "C"}, "at": "2026-01-01T00:00:00Z"}"#)?;
    /// let full = program.evaluate(&checkout)?;
    /// let lean = program.evaluate_with(&checkout, EvaluateOptions::new().trace(false))?;
    /// assert!(lean.trace.is_empty());
    /// assert_eq!(lean.totals, full.totals);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_with(
        &self,
        checkout: &Checkout,
        options: EvaluateOptions,
    ) -> Result<Evaluation, EvaluationError> {
        let order = &checkout.order;
        let customer = &checkout.customer;
        self.check_checkout(checkout)?;
        let currency = self.currency();
        let facts = Facts::new(order, customer, self.calendar(), checkout.at);

        let gross: Vec<Decimal> = order.lines().iter().map(Line::gross_amount).collect();
        let ctx = Context {
            program: self,
            order,
            gross,
            currency,
        };

        // One entry per rule is the usual count; reserve it once.
        let rules = self.ladders().len()
            + order.coupons().len()
            + self.earning().len()
            + self.bonuses().len()
            + self.multipliers().campaigns.len()
            + self.cashback().len();
        let mut trace = Trace {
            enabled: options.trace,
            entries: if options.trace {
                Vec::with_capacity(rules)
            } else {
                Vec::new()
            },
        };
        let mut verdicts: Vec<CouponVerdict> = Vec::with_capacity(order.coupons().len());
        let mut candidates: Vec<Candidate<'_>> = Vec::new();
        let mut ladder_outcomes = Vec::with_capacity(self.ladders().len());

        // Ladders: condition, then standing on the gross (a ladder measured
        // after discounts is re-measured when applied).
        for (index, ladder) in self.ladders().iter().enumerate() {
            let rule = RuleRef {
                kind: RuleKind::Ladder,
                id: ladder.rule_id().clone(),
            };
            let basis = ctx.ladder_basis(ladder, &ctx.gross)?;
            let standing = ladder.standing(basis, smallest_step(ladder, currency));
            ladder_outcomes.push(LadderOutcome {
                ladder: ladder.id().to_owned(),
                basis,
                step: standing.step,
                next: standing.next,
                amount: in_minor_units(Decimal::ZERO, currency),
            });
            if !condition_holds(
                ladder.definition.condition.as_ref(),
                &facts,
                &rule,
                &mut trace,
            )? {
                continue;
            }
            if standing.step.is_none() && ladder.definition.measure == Measure::BeforeDiscounts {
                trace.push(|| TraceEntry {
                    rule,
                    applied: false,
                    message: match (standing.next, ladder.steps().first()) {
                        (Some(next), Some(first)) => format!(
                            "not applied: {} {} is below the first step {}; {} more reaches it",
                            basis_name(ladder),
                            show(basis, ladder, currency),
                            show(first.from, ladder, currency),
                            show(next.missing, ladder, currency)
                        ),
                        _ => "not applied: no step reached".to_owned(),
                    },
                    observation: None,
                });
                continue;
            }
            candidates.push(Candidate {
                rule,
                source: Source::Ladder(ladder),
                stacking: &ladder.definition.stacking,
                priority: ladder.definition.priority,
                rank: index,
                stage: 1,
            });
        }

        // Coupons: a verdict for every entered code.
        let mut seen_codes: Vec<String> = Vec::with_capacity(order.coupons().len());
        for entered in order.coupons() {
            let code = normalize_code(entered);
            let mut verdict = CouponVerdict {
                code: entered.clone(),
                coupon: None,
                rejection: None,
                message: String::new(),
            };
            let coupon = if seen_codes.contains(&code) {
                verdict.rejection = Some(Rejection::DuplicateCode);
                None
            } else {
                match self.coupon_for_normalized(&code) {
                    None => {
                        verdict.rejection = Some(Rejection::UnknownCode);
                        None
                    }
                    Some(coupon) => {
                        verdict.coupon = Some(coupon.rule_id().clone());
                        verdict.rejection =
                            ctx.coupon_rejection(coupon, &code, checkout, &facts)?;
                        Some(coupon)
                    }
                }
            };
            seen_codes.push(code);
            let index = verdicts.len();
            if let (Some(coupon), None) = (coupon, &verdict.rejection) {
                let rank = self.ladders().len()
                    + self
                        .coupons()
                        .iter()
                        .position(|c| std::ptr::eq(c, coupon))
                        .unwrap_or(0);
                candidates.push(Candidate {
                    rule: RuleRef {
                        kind: RuleKind::Coupon,
                        id: coupon.rule_id().clone(),
                    },
                    source: Source::Coupon {
                        coupon,
                        verdict: index,
                    },
                    stacking: &coupon.definition.stacking,
                    priority: coupon.definition.priority,
                    rank,
                    stage: coupon_stage(&coupon.definition.reward),
                });
            }
            verdicts.push(verdict);
        }
        // A coupon entered twice under two of its batch codes counts once.
        dedupe_coupon_candidates(&mut candidates, &mut verdicts);

        // Stacking: pick the set, then apply it.
        let (chosen, application) = ctx.pick(&candidates)?;
        let winner_name = |losing: usize| -> String {
            let winner = chosen
                .iter()
                .filter(|&&c| c != losing)
                .map(|&c| &candidates[c])
                .find(|c| {
                    matches!(c.stacking, Stacking::Exclusive)
                        || matches!((c.stacking, candidates[losing].stacking), (Stacking::Group(a), Stacking::Group(b)) if a == b)
                })
                .or_else(|| chosen.first().map(|&c| &candidates[c]));
            winner.map_or_else(|| "another discount".to_owned(), |c| c.rule.to_string())
        };
        for (index, candidate) in candidates.iter().enumerate() {
            if chosen.contains(&index) {
                continue;
            }
            let with = winner_name(index);
            match candidate.source {
                Source::Coupon { verdict, .. } => {
                    verdicts[verdict].rejection =
                        Some(Rejection::NotCombinable { with: with.clone() });
                }
                Source::Ladder(_) => {}
            }
            trace.push(|| TraceEntry {
                rule: candidate.rule.clone(),
                applied: false,
                message: format!("not applied: cannot be combined with {with}"),
                observation: None,
            });
        }

        // Build the outcome.
        let n = order.lines().len();
        let mut line_discounts: Vec<Vec<LineDiscount>> = vec![Vec::new(); n];
        let mut discounts = Vec::with_capacity(application.applied.len());
        let mut gifts = Vec::new();
        // Redemptions and gifts, then points and cashback.
        let mut effects = Vec::with_capacity(2 * application.applied.len() + 2);
        let mut applied_coupons: Vec<&Coupon> = Vec::with_capacity(application.applied.len());
        for applied in &application.applied {
            let candidate = &candidates[applied.candidate];
            let gives_no_money = matches!(
                candidate.source,
                Source::Coupon { coupon, .. } if coupon_stage(&coupon.definition.reward) == 3
            );
            // A ladder measured after earlier discounts stands where it was
            // measured when applied, not where the gross put it.
            if let Source::Ladder(ladder) = candidate.source
                && let Some(outcome) = ladder_outcomes.iter_mut().find(|o| o.ladder == ladder.id())
            {
                match applied.detail {
                    Detail::Ladder {
                        step, basis, next, ..
                    } => {
                        outcome.basis = basis;
                        outcome.step = Some(step);
                        outcome.next = next;
                    }
                    Detail::NoStep { basis, next } => {
                        outcome.basis = basis;
                        outcome.step = None;
                        outcome.next = next;
                    }
                    _ => {}
                }
                outcome.amount = in_minor_units(applied.amount, currency);
            }
            if applied.amount.is_zero() && !gives_no_money {
                // Picked, but the lines it applies to were already fully
                // discounted (or no ladder step is reached after earlier
                // discounts): nothing to apply, nothing to redeem.
                match candidate.source {
                    Source::Coupon { verdict, .. } => {
                        verdicts[verdict].rejection = Some(Rejection::NothingToDiscount);
                    }
                    Source::Ladder(_) => trace.push(|| TraceEntry {
                        rule: candidate.rule.clone(),
                        applied: false,
                        message: format!(
                            "not applied: {}",
                            applied.detail.describe(currency, applied.capped_by_total)
                        ),
                        observation: None,
                    }),
                }
                continue;
            }
            let mut code = None;
            if let Source::Coupon { coupon, .. } = candidate.source {
                applied_coupons.push(coupon);
            }
            if let Source::Coupon { coupon, verdict } = candidate.source {
                if let CouponReward::FreeGift {
                    sku,
                    quantity,
                    value,
                } = &coupon.definition.reward
                {
                    gifts.push(Gift {
                        rule: candidate.rule.clone(),
                        sku: sku.clone(),
                        quantity: *quantity,
                        value: *value,
                    });
                    effects.push(Effect::AddGift {
                        key: format!("{}/{}/gift:{}", self.id(), order.id(), coupon.id()),
                        coupon: coupon.rule_id().clone(),
                        sku: sku.clone(),
                        quantity: *quantity,
                    });
                }
                let normalized = seen_codes[verdict].clone();
                let (seen_overall, seen_by_customer) = checkout.usage_of(&normalized);
                effects.push(Effect::CouponRedemption {
                    key: format!(
                        "{}/{}/coupon:{}:{}",
                        self.id(),
                        order.id(),
                        coupon.id(),
                        normalized
                    ),
                    coupon: coupon.rule_id().clone(),
                    code: normalized.clone(),
                    customer: customer.id().clone(),
                    seen_overall,
                    seen_by_customer,
                });
                code = Some(normalized);
            }
            for (i, &units) in applied.parts.iter().enumerate() {
                if units != 0 {
                    let amount = Money::from_minor_units(units, currency)?.amount();
                    line_discounts[i].push(LineDiscount {
                        rule: candidate.rule.clone(),
                        amount,
                    });
                }
            }
            let description = if options.trace {
                applied.detail.describe(currency, applied.capped_by_total)
            } else {
                String::new()
            };
            trace.push(|| TraceEntry {
                rule: candidate.rule.clone(),
                applied: true,
                message: format!(
                    "applied: {} off {}: {description}",
                    Money::new(applied.amount, currency),
                    match applied.target {
                        Target::Items => "the items",
                        Target::Shipping => "shipping",
                    },
                ),
                observation: None,
            });
            discounts.push(AppliedDiscount {
                rule: candidate.rule.clone(),
                code,
                target: applied.target,
                amount: in_minor_units(applied.amount, currency),
                description,
            });
        }
        for verdict in &mut verdicts {
            verdict.message = match &verdict.rejection {
                None => "applied".to_owned(),
                Some(r) => r.to_string(),
            };
            if let (Some(rejection), Some(coupon)) = (&verdict.rejection, &verdict.coupon)
                && !matches!(rejection, Rejection::NotCombinable { .. })
            {
                trace.push(|| TraceEntry {
                    rule: RuleRef {
                        kind: RuleKind::Coupon,
                        id: coupon.clone(),
                    },
                    applied: false,
                    message: format!("not applied: code {}: {rejection}", verdict.code),
                    observation: match rejection {
                        Rejection::ConditionNotMet { because } => because.clone(),
                        _ => None,
                    },
                });
            }
        }

        let lines = order
            .lines()
            .iter()
            .zip(ctx.gross.iter().zip(&application.nets))
            .zip(line_discounts)
            .map(|((line, (&gross, &net)), discounts)| LineOutcome {
                line: line.id().clone(),
                sku: line.sku().clone(),
                gross: in_minor_units(gross, currency),
                discounts,
                net: in_minor_units(net, currency),
            })
            .collect();
        let subtotal = order.gross_subtotal().amount();
        let shipping = order.shipping().amount();
        let payable = subtotal
            .checked_sub(application.items)
            .and_then(|v| v.checked_add(shipping))
            .and_then(|v| v.checked_sub(application.shipping))
            .ok_or_else(|| overflow("the payable amount"))?
            .max(Decimal::ZERO);

        // Points and cashback, on what is left after the discounts.
        let points = ctx.points(
            &facts,
            &application.nets,
            &applied_coupons,
            checkout.at,
            &mut trace,
        )?;
        let shipping_paid = shipping - application.shipping;
        let cashback = ctx.cashback(
            &facts,
            &application.nets,
            shipping_paid,
            payable,
            checkout.at,
            &mut trace,
        )?;
        if let Some(available_at) = points.available_at {
            effects.push(Effect::CreditPoints {
                key: format!("{}/{}/points", self.id(), order.id()),
                customer: customer.id().clone(),
                points: points.total,
                lines: points.lines.clone(),
                order_level: points.order_level,
                available_at,
                expires_at: points.expires_at,
            });
        }
        if let Some(available_at) = cashback.available_at {
            effects.push(Effect::CreditCashback {
                key: format!("{}/{}/cashback", self.id(), order.id()),
                customer: customer.id().clone(),
                amount: in_minor_units(cashback.total, currency),
                available_at,
                expires_at: cashback.expires_at,
            });
        }
        Ok(Evaluation {
            program: self.id().to_owned(),
            order: order.id().clone(),
            customer: customer.id().clone(),
            at: checkout.at,
            currency,
            lines,
            discounts,
            gifts,
            coupons: verdicts,
            ladders: ladder_outcomes,
            totals: Totals {
                subtotal: in_minor_units(subtotal, currency),
                discount: in_minor_units(application.items, currency),
                shipping: in_minor_units(shipping, currency),
                shipping_discount: in_minor_units(application.shipping, currency),
                payable: in_minor_units(payable, currency),
            },
            points,
            cashback,
            trace: trace.entries,
            effects,
        })
    }

    /// Evaluates many checkouts against this program, one after another,
    /// and returns the results in input order. A checkout that cannot be
    /// evaluated gives its error in its place; the others go on.
    ///
    /// # Example
    ///
    /// ```
    /// # use loyalty::evaluate::Checkout;
    /// # use loyalty::program::{Program, ProgramDefinition};
    /// # use loyalty::money::Currency;
    /// # let program = Program::new(ProgramDefinition::new("p", Currency::EUR))?;
    /// let checkouts: Vec<Checkout> = Vec::new();
    /// let results = program.evaluate_batch(&checkouts);
    /// assert_eq!(results.len(), checkouts.len());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn evaluate_batch(
        &self,
        checkouts: &[Checkout],
    ) -> Vec<Result<Evaluation, EvaluationError>> {
        self.evaluate_batch_with(checkouts, EvaluateOptions::default())
    }

    /// [`evaluate_batch`](Self::evaluate_batch) with options, e.g. without
    /// the trace for analytics over many orders.
    #[must_use]
    pub fn evaluate_batch_with(
        &self,
        checkouts: &[Checkout],
        options: EvaluateOptions,
    ) -> Vec<Result<Evaluation, EvaluationError>> {
        checkouts
            .iter()
            .map(|c| self.evaluate_with(c, options))
            .collect()
    }

    /// [`evaluate_batch`](Self::evaluate_batch) on up to `threads` scoped
    /// threads, each taking a contiguous share of the input. The results are
    /// the same as one after another, in input order. With one thread (or
    /// fewer checkouts than threads) it runs on the calling thread.
    #[must_use]
    pub fn evaluate_batch_parallel(
        &self,
        checkouts: &[Checkout],
        threads: std::num::NonZeroUsize,
    ) -> Vec<Result<Evaluation, EvaluationError>> {
        let threads = threads.get().min(checkouts.len());
        if threads <= 1 {
            return self.evaluate_batch(checkouts);
        }
        let chunk = checkouts.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = checkouts
                .chunks(chunk)
                .map(|part| scope.spawn(move || self.evaluate_batch(part)))
                .collect();
            let mut results = Vec::with_capacity(checkouts.len());
            for (handle, part) in handles.into_iter().zip(checkouts.chunks(chunk)) {
                match handle.join() {
                    Ok(part_results) => results.extend(part_results),
                    // evaluate never panics; should a thread fail all the
                    // same, its share is evaluated here instead.
                    Err(_) => results.extend(self.evaluate_batch(part)),
                }
            }
            results
        })
    }

    fn check_checkout(&self, checkout: &Checkout) -> Result<(), EvaluationError> {
        let order = &checkout.order;
        if order.currency() != self.currency() {
            return Err(EvaluationError::CurrencyMismatch {
                program: self.id().to_owned(),
                expected: self.currency(),
                order: order.currency(),
            });
        }
        if order.customer() != checkout.customer.id() {
            return Err(EvaluationError::CustomerMismatch {
                order_customer: order.customer().to_string(),
                customer: checkout.customer.id().to_string(),
            });
        }
        for (i, usage) in checkout.coupon_usage.iter().enumerate() {
            if usage.by_customer > usage.overall {
                return Err(EvaluationError::UsageContradiction {
                    code: usage.code.clone(),
                    by_customer: usage.by_customer,
                    overall: usage.overall,
                });
            }
            if checkout.coupon_usage[..i]
                .iter()
                .any(|u| codes_match(&u.code, &usage.code))
            {
                return Err(EvaluationError::DuplicateUsage {
                    code: usage.code.clone(),
                });
            }
        }
        if checkout
            .customer
            .stats()
            .last_order_at
            .is_some_and(|last| last > checkout.at)
        {
            return Err(EvaluationError::LastOrderInFuture);
        }
        Ok(())
    }
}

/// `value` written with the currency's decimals (`5` → `5.00`), when that
/// keeps it exact.
fn in_minor_units(value: Decimal, currency: Currency) -> Decimal {
    let mut shown = value;
    if shown.scale() < currency.minor_units() {
        shown.rescale(currency.minor_units());
        if shown != value {
            return value;
        }
    }
    shown
}

fn coupon_stage(reward: &CouponReward) -> u8 {
    match reward {
        CouponReward::CheapestFree
        | CouponReward::BuyXGetY { .. }
        | CouponReward::AmountOffEachUnit { .. } => 0,
        CouponReward::PercentOff { .. } | CouponReward::AmountOff { .. } => 1,
        CouponReward::FreeShipping => 2,
        CouponReward::FreeGift { .. }
        | CouponReward::BonusPoints { .. }
        | CouponReward::PointsMultiplier { .. } => 3,
    }
}

fn dedupe_coupon_candidates(candidates: &mut Vec<Candidate<'_>>, verdicts: &mut [CouponVerdict]) {
    let mut i = 0;
    while i < candidates.len() {
        let duplicate = candidates[..i].iter().any(|c| c.rule == candidates[i].rule);
        if duplicate {
            if let Source::Coupon { verdict, .. } = candidates[i].source {
                verdicts[verdict].rejection = Some(Rejection::CouponAlreadyEntered);
            }
            candidates.remove(i);
        } else {
            i += 1;
        }
    }
}

/// The smallest change of a ladder's basis: a minor unit, or one unit.
fn smallest_step(ladder: &Ladder, currency: Currency) -> Decimal {
    match ladder.definition.basis {
        LadderBasis::Subtotal => currency.minor_unit(),
        LadderBasis::Quantity => Decimal::ONE,
    }
}

fn basis_name(ladder: &Ladder) -> &'static str {
    match ladder.definition.basis {
        LadderBasis::Subtotal => "subtotal",
        LadderBasis::Quantity => "quantity",
    }
}

/// A ladder's basis value as written in a sentence: an amount with the
/// currency's decimals, or a number of units.
fn show(value: Decimal, ladder: &Ladder, currency: Currency) -> Decimal {
    match ladder.definition.basis {
        LadderBasis::Subtotal => in_minor_units(value, currency),
        LadderBasis::Quantity => value.normalize(),
    }
}

/// A percent as written in a sentence: `12.5%`.
struct Percent(Decimal);

impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}%", self.0.normalize())
    }
}

fn percent_text(p: Decimal) -> Percent {
    Percent(p)
}

impl<'a> Context<'a> {
    fn lines(&self) -> &[Line] {
        self.order.lines()
    }

    /// Whether a line may receive a discount from a rule with `selector`.
    fn eligible(line: &Line, selector: &crate::condition::LineSelector) -> bool {
        !line.is_exempt() && selector.selects(line)
    }

    fn ladder_basis(
        &self,
        ladder: &Ladder,
        amounts: &[Decimal],
    ) -> Result<Decimal, EvaluationError> {
        let mut basis = Decimal::ZERO;
        for (line, amount) in self.lines().iter().zip(amounts) {
            if !Self::eligible(line, &ladder.definition.lines) {
                continue;
            }
            let add = match ladder.definition.basis {
                LadderBasis::Subtotal => *amount,
                LadderBasis::Quantity => Decimal::from(line.quantity()),
            };
            basis = basis
                .checked_add(add)
                .ok_or_else(|| overflow("a ladder basis"))?;
        }
        Ok(basis)
    }

    fn coupon_rejection(
        &self,
        coupon: &Coupon,
        code: &str,
        checkout: &Checkout,
        facts: &Facts<'_>,
    ) -> Result<Option<Rejection>, EvaluationError> {
        let def = &coupon.definition;
        let customer: &Customer = &checkout.customer;
        if let Some(window) = &def.valid
            && let Some(r) = window_rejection(window, facts.local())
        {
            return Ok(Some(r));
        }
        let (overall, by_customer) = checkout.usage_of(code);
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
        let order_number = facts.order_number();
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
        if !def.tiers.is_empty() && !customer.tier().is_some_and(|t| def.tiers.contains(t)) {
            return Ok(Some(Rejection::TierNotAllowed {
                tier: customer.tier().cloned(),
                allowed: def.tiers.clone(),
            }));
        }
        if !def.segments.is_empty() && !customer.segments().iter().any(|s| def.segments.contains(s))
        {
            return Ok(Some(Rejection::SegmentNotAllowed {
                allowed: def.segments.clone(),
            }));
        }
        if let Some(condition) = &def.condition {
            let verdict = condition.evaluate(facts)?;
            if !verdict.met {
                return Ok(Some(Rejection::ConditionNotMet {
                    because: verdict.because,
                }));
            }
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
        let mut subtotal = Decimal::ZERO;
        let mut quantity: u64 = 0;
        let mut any = false;
        for (line, gross) in self.lines().iter().zip(&self.gross) {
            if Self::eligible(line, &def.lines) {
                any = true;
                subtotal = subtotal
                    .checked_add(*gross)
                    .ok_or_else(|| overflow("a coupon subtotal"))?;
                quantity = quantity.saturating_add(u64::from(line.quantity()));
            }
        }
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
                minimum: in_minor_units(minimum, self.currency),
                subtotal: in_minor_units(subtotal, self.currency),
                missing: in_minor_units(minimum - subtotal, self.currency),
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
        if matches!(def.reward, CouponReward::FreeShipping) && self.order.shipping().is_zero() {
            return Ok(Some(Rejection::NothingToDiscount));
        }
        Ok(None)
    }

    /// Chooses the candidates that apply under the program's policy.
    fn pick(
        &self,
        candidates: &[Candidate<'a>],
    ) -> Result<(Vec<usize>, Application<'a>), EvaluationError> {
        if candidates.is_empty() {
            return Ok((Vec::new(), self.apply(candidates, &[])?));
        }
        let exclusive: Vec<usize> = (0..candidates.len())
            .filter(|&i| matches!(candidates[i].stacking, Stacking::Exclusive))
            .collect();
        let by_priority = |a: &usize, b: &usize| {
            candidates[*b]
                .priority
                .cmp(&candidates[*a].priority)
                .then(candidates[*a].rank.cmp(&candidates[*b].rank))
        };
        match self.program.stacking().pick {
            Pick::Priority => {
                let mut order: Vec<usize> = (0..candidates.len()).collect();
                order.sort_by(by_priority);
                let chosen = if matches!(candidates[order[0]].stacking, Stacking::Exclusive) {
                    vec![order[0]]
                } else {
                    self.combinable(candidates, &order, |_| Ok(Decimal::ZERO))?
                };
                let application = self.apply(candidates, &chosen)?;
                Ok((chosen, application))
            }
            Pick::BestForCustomer => {
                let mut order: Vec<usize> = (0..candidates.len()).collect();
                order.sort_by(by_priority);
                // Within a group, the member worth most on its own.
                let alone = |i: usize| -> Result<Decimal, EvaluationError> {
                    Ok(self.apply(candidates, &[i])?.benefit)
                };
                let mut options: Vec<Vec<usize>> = Vec::new();
                let stackable = self.combinable(candidates, &order, alone)?;
                if !stackable.is_empty() {
                    options.push(stackable);
                }
                for &i in &exclusive {
                    options.push(vec![i]);
                }
                // Ties go to the option whose first rule by priority comes
                // first (higher priority, then written earlier).
                let lead = |option: &[usize]| option.iter().copied().min_by(by_priority);
                let mut best: Option<(Vec<usize>, Application<'a>)> = None;
                for option in options {
                    let application = self.apply(candidates, &option)?;
                    let better = match &best {
                        None => true,
                        Some((current, b)) => match application.benefit.cmp(&b.benefit) {
                            std::cmp::Ordering::Greater => true,
                            std::cmp::Ordering::Less => false,
                            std::cmp::Ordering::Equal => match (lead(&option), lead(current)) {
                                (Some(a), Some(c)) => by_priority(&a, &c).is_lt(),
                                _ => false,
                            },
                        },
                    };
                    if better {
                        best = Some((option, application));
                    }
                }
                match best {
                    Some(found) => Ok(found),
                    None => Ok((Vec::new(), self.apply(candidates, &[])?)),
                }
            }
        }
    }

    /// Every non-exclusive candidate, keeping one per group: the one worth
    /// most by `worth` (ties to the higher priority, then the earlier rule).
    fn combinable(
        &self,
        candidates: &[Candidate<'_>],
        by_priority: &[usize],
        worth: impl Fn(usize) -> Result<Decimal, EvaluationError>,
    ) -> Result<Vec<usize>, EvaluationError> {
        let mut chosen: Vec<usize> = Vec::new();
        let mut groups: Vec<(&str, usize, Decimal)> = Vec::new();
        for &i in by_priority {
            match candidates[i].stacking {
                Stacking::Exclusive => {}
                Stacking::Stackable => chosen.push(i),
                Stacking::Group(name) => {
                    let value = worth(i)?;
                    match groups.iter_mut().find(|(g, _, _)| *g == name.as_str()) {
                        Some(entry) => {
                            if value > entry.2 {
                                entry.1 = i;
                                entry.2 = value;
                            }
                        }
                        None => groups.push((name.as_str(), i, value)),
                    }
                }
            }
        }
        chosen.extend(groups.iter().map(|(_, i, _)| *i));
        chosen.sort_unstable();
        Ok(chosen)
    }

    /// Applies a set of candidates in stage order, then priority, then
    /// definition order, on a fresh copy of the line amounts.
    fn apply(
        &self,
        candidates: &[Candidate<'a>],
        set: &[usize],
    ) -> Result<Application<'a>, EvaluationError> {
        let mut order: Vec<usize> = set.to_vec();
        order.sort_by(|a, b| {
            let (ca, cb) = (&candidates[*a], &candidates[*b]);
            ca.stage
                .cmp(&cb.stage)
                .then(cb.priority.cmp(&ca.priority))
                .then(ca.rank.cmp(&cb.rank))
        });
        let policy = self.program.stacking();
        let mut nets = self.gross.clone();
        // Units of each line already made free by a line-level reward, so
        // that a later one neither frees them again nor discounts them.
        let mut free_units = vec![0u32; nets.len()];
        let mut shipping_left = self.order.shipping().amount();
        let mut cap_left = self.total_cap()?;
        let mut application = Application {
            applied: Vec::with_capacity(order.len()),
            items: Decimal::ZERO,
            shipping: Decimal::ZERO,
            benefit: Decimal::ZERO,
            nets: Vec::new(),
        };
        for index in order {
            let candidate = &candidates[index];
            let (target, mut parts, detail) = match candidate.source {
                Source::Ladder(ladder) => {
                    self.ladder_discount(ladder, &nets, policy.percentages)?
                }
                Source::Coupon { coupon, .. } => match &coupon.definition.reward {
                    CouponReward::FreeShipping => {
                        let amount = shipping_left;
                        shipping_left = Decimal::ZERO;
                        application.shipping += amount;
                        application.benefit += amount;
                        application.applied.push(Applied {
                            candidate: index,
                            target: Target::Shipping,
                            amount,
                            parts: Vec::new(),
                            detail: Detail::FreeShipping,
                            capped_by_total: false,
                        });
                        continue;
                    }
                    CouponReward::FreeGift {
                        value,
                        sku,
                        quantity,
                    } => {
                        application.benefit = application
                            .benefit
                            .checked_add(*value)
                            .ok_or_else(|| overflow("a gift's value"))?;
                        application.applied.push(Applied {
                            candidate: index,
                            target: Target::Items,
                            amount: Decimal::ZERO,
                            parts: vec![0; nets.len()],
                            detail: Detail::Gift {
                                sku,
                                quantity: *quantity,
                            },
                            capped_by_total: false,
                        });
                        continue;
                    }
                    CouponReward::BonusPoints { points } => {
                        application.applied.push(Applied {
                            candidate: index,
                            target: Target::Items,
                            amount: Decimal::ZERO,
                            parts: vec![0; nets.len()],
                            detail: Detail::BonusPoints(*points),
                            capped_by_total: false,
                        });
                        continue;
                    }
                    CouponReward::PointsMultiplier { factor } => {
                        application.applied.push(Applied {
                            candidate: index,
                            target: Target::Items,
                            amount: Decimal::ZERO,
                            parts: vec![0; nets.len()],
                            detail: Detail::PointsMultiplier(*factor),
                            capped_by_total: false,
                        });
                        continue;
                    }
                    reward => self.coupon_discount(
                        coupon,
                        reward,
                        &nets,
                        &mut free_units,
                        policy.percentages,
                    )?,
                },
            };
            // The program's cap on the total discount.
            let mut amount_units: i128 = parts.iter().sum();
            let mut capped_by_total = false;
            if let Some(cap) = cap_left.as_mut() {
                if amount_units > *cap {
                    let capped = Money::from_minor_units(*cap, self.currency)?;
                    let weights = parts
                        .iter()
                        .map(|&p| Decimal::try_from_i128_with_scale(p, 0))
                        .collect::<Result<Vec<Decimal>, _>>()
                        .map_err(|_| overflow("the total cap"))?;
                    if capped.is_zero() {
                        parts.iter_mut().for_each(|p| *p = 0);
                    } else {
                        allocate_minor_units(
                            capped,
                            &weights,
                            self.program.remainder(),
                            &mut parts,
                        )?;
                    }
                    amount_units = *cap;
                    capped_by_total = true;
                }
                *cap -= amount_units;
            }
            let amount = Money::from_minor_units(amount_units, self.currency)?.amount();
            for (net, &p) in nets.iter_mut().zip(&parts) {
                if p != 0 {
                    *net -= Money::from_minor_units(p, self.currency)?.amount();
                }
            }
            application.items = application
                .items
                .checked_add(amount)
                .ok_or_else(|| overflow("the total discount"))?;
            application.benefit = application
                .benefit
                .checked_add(amount)
                .ok_or_else(|| overflow("the total discount"))?;
            application.applied.push(Applied {
                candidate: index,
                target,
                amount,
                parts,
                detail,
                capped_by_total,
            });
        }
        application.nets = nets;
        Ok(application)
    }

    /// The program's cap on the total item discount, in minor units.
    fn total_cap(&self) -> Result<Option<i128>, EvaluationError> {
        let policy = self.program.stacking();
        let mut cap: Option<Decimal> = policy.max_total;
        if let Some(percent) = policy.max_total_percent {
            let mut eligible = Decimal::ZERO;
            for (line, gross) in self.lines().iter().zip(&self.gross) {
                if !line.is_exempt() {
                    eligible = eligible
                        .checked_add(*gross)
                        .ok_or_else(|| overflow("the cap"))?;
                }
            }
            let by_percent = eligible
                .checked_mul(percent)
                .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
                .ok_or_else(|| overflow("the cap"))?;
            cap = Some(cap.map_or(by_percent, |c| c.min(by_percent)));
        }
        cap.map(|c| {
            // Round down to the minor unit so the cap is never exceeded.
            let c = crate::money::RoundingMode::TowardZero.round(c, self.currency.minor_units());
            Money::new(c, self.currency)
                .to_minor_units()
                .map_err(EvaluationError::from)
        })
        .transpose()
    }

    /// Rounds `raw` once, clamps it to the eligible net, and allocates it
    /// over the eligible lines in proportion to their net.
    fn spread(
        &self,
        raw: Decimal,
        nets: &[Decimal],
        eligible: impl Fn(&Line) -> bool,
    ) -> Result<Vec<i128>, EvaluationError> {
        let mut weights = Vec::with_capacity(nets.len());
        let mut available = Decimal::ZERO;
        for (line, net) in self.lines().iter().zip(nets) {
            let w = if eligible(line) {
                (*net).max(Decimal::ZERO)
            } else {
                Decimal::ZERO
            };
            available = available
                .checked_add(w)
                .ok_or_else(|| overflow("eligible amounts"))?;
            weights.push(w);
        }
        let mut parts = vec![0i128; nets.len()];
        let rounded = self
            .program
            .rounding()
            .round(raw, self.currency.minor_units());
        let amount = rounded.min(available).max(Decimal::ZERO);
        if amount.is_zero() {
            return Ok(parts);
        }
        allocate_minor_units(
            Money::new(amount, self.currency),
            &weights,
            self.program.remainder(),
            &mut parts,
        )?;
        Ok(parts)
    }

    fn ladder_discount(
        &self,
        ladder: &'a Ladder,
        nets: &[Decimal],
        percentages: Percentages,
    ) -> Result<(Target, Vec<i128>, Detail<'a>), EvaluationError> {
        let def = &ladder.definition;
        let measured = match def.measure {
            Measure::BeforeDiscounts => &self.gross,
            Measure::AfterDiscounts => nets,
        };
        let basis = self.ladder_basis(ladder, measured)?;
        let base_amounts = match percentages {
            Percentages::Compound => nets,
            Percentages::OnOriginal => &self.gross,
        };
        let eligible = |line: &Line| Self::eligible(line, &def.lines);
        let mut base = Decimal::ZERO;
        for (line, amount) in self.lines().iter().zip(base_amounts) {
            if eligible(line) {
                base = base
                    .checked_add(*amount)
                    .ok_or_else(|| overflow("a ladder"))?;
            }
        }
        let standing = ladder.standing(basis, smallest_step(ladder, self.currency));
        let Some(step) = standing.step else {
            return Ok((
                Target::Items,
                vec![0; nets.len()],
                Detail::NoStep {
                    basis,
                    next: standing.next,
                },
            ));
        };
        let reward_basis = if def.mode == LadderMode::Bracket {
            base
        } else {
            basis
        };
        let raw = ladder
            .reward_for(reward_basis, base)
            .ok_or_else(|| overflow("a ladder reward"))?;
        let detail = Detail::Ladder {
            ladder,
            step,
            basis,
            next: standing.next,
        };
        Ok((Target::Items, self.spread(raw, nets, eligible)?, detail))
    }

    fn coupon_discount(
        &self,
        coupon: &'a Coupon,
        reward: &'a CouponReward,
        nets: &[Decimal],
        free_units: &mut [u32],
        percentages: Percentages,
    ) -> Result<(Target, Vec<i128>, Detail<'a>), EvaluationError> {
        let def = &coupon.definition;
        let eligible = |line: &Line| Self::eligible(line, &def.lines);
        let currency = self.currency;
        match reward {
            CouponReward::PercentOff { percent, cap } => {
                let base_amounts = match percentages {
                    Percentages::Compound => nets,
                    Percentages::OnOriginal => &self.gross,
                };
                let mut base = Decimal::ZERO;
                for (line, amount) in self.lines().iter().zip(base_amounts) {
                    if eligible(line) {
                        base = base
                            .checked_add(*amount)
                            .ok_or_else(|| overflow("a coupon"))?;
                    }
                }
                let raw = base
                    .checked_mul(*percent)
                    .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
                    .ok_or_else(|| overflow("a coupon"))?;
                let (raw, capped_at) = match cap {
                    Some(c) if raw > *c => (*c, Some(*c)),
                    _ => (raw, None),
                };
                Ok((
                    Target::Items,
                    self.spread(raw, nets, eligible)?,
                    Detail::PercentOff {
                        percent: *percent,
                        capped_at,
                    },
                ))
            }
            CouponReward::AmountOff { amount } => Ok((
                Target::Items,
                self.spread(*amount, nets, eligible)?,
                Detail::AmountOff(*amount),
            )),
            CouponReward::AmountOffEachUnit { amount } => {
                let mut parts = vec![0i128; nets.len()];
                let per_unit = Money::new(*amount, currency).to_minor_units()?;
                for (((part, line), net), free) in parts
                    .iter_mut()
                    .zip(self.lines())
                    .zip(nets)
                    .zip(&*free_units)
                {
                    if eligible(line) {
                        let net_units = Money::new(*net, currency).to_minor_units()?;
                        let paid_units = line.quantity().saturating_sub(*free);
                        let want = per_unit
                            .checked_mul(i128::from(paid_units))
                            .ok_or_else(|| overflow("a per-unit discount"))?;
                        *part = want.min(net_units).max(0);
                    }
                }
                Ok((Target::Items, parts, Detail::AmountOffEachUnit(*amount)))
            }
            CouponReward::CheapestFree => {
                let free = self.cheapest_units(nets, free_units, &eligible, 1)?;
                Ok((Target::Items, free, Detail::CheapestFree))
            }
            CouponReward::BuyXGetY {
                buy,
                get,
                max_applications,
            } => {
                let units: u64 = self
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
                let free = self.cheapest_units(nets, free_units, &eligible, free_count)?;
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
            CouponReward::FreeShipping => Ok((Target::Shipping, Vec::new(), Detail::FreeShipping)),
            CouponReward::FreeGift { .. }
            | CouponReward::BonusPoints { .. }
            | CouponReward::PointsMultiplier { .. } => {
                Ok((Target::Items, vec![0; nets.len()], Detail::CheapestFree))
            }
        }
    }

    /// Makes the `count` cheapest eligible units free (ties to the earlier
    /// line), never more than a line's remaining net.
    fn cheapest_units(
        &self,
        nets: &[Decimal],
        free_units: &mut [u32],
        eligible: &impl Fn(&Line) -> bool,
        count: u64,
    ) -> Result<Vec<i128>, EvaluationError> {
        let mut parts = vec![0i128; nets.len()];
        let mut by_price: Vec<usize> = (0..nets.len())
            .filter(|&i| eligible(&self.lines()[i]))
            .collect();
        by_price.sort_by(|&a, &b| {
            self.lines()[a]
                .unit_price()
                .amount()
                .cmp(&self.lines()[b].unit_price().amount())
                .then(a.cmp(&b))
        });
        let mut left = count;
        for i in by_price {
            if left == 0 {
                break;
            }
            let line = &self.lines()[i];
            // Only units not yet free; their remaining net is shared evenly.
            let available = line.quantity().saturating_sub(free_units[i]);
            if available == 0 {
                continue;
            }
            let take = u32::try_from(left.min(u64::from(available))).unwrap_or(available);
            let price = line.unit_price().to_minor_units()?;
            let net = Money::new(nets[i], self.currency).to_minor_units()?.max(0);
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
}
