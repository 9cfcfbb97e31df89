//! The evaluation of a checkout: one pass, a fixed list of stages, each a
//! function in its own file from typed inputs to a typed result.
//!
//! 1. [`Stage::Facts`] (`facts.rs`): line amounts (and the part of each
//!    that discounts may take, and each as the program measures it on its
//!    tax basis), subtotal, local time in the program's zone, the
//!    customer's order number, derived once; lines of quantity 0 the
//!    program ignores are traced.
//! 2. [`Stage::Promotions`] (`automatic.rs`): each automatic promotion
//!    (the ladders among them, reported under [`Stage::Ladders`]) is
//!    judged: its standing on its steps, its restrictions (a guest is not
//!    eligible for one that needs a customer record), its first step, all
//!    measured on the program's tax basis.
//! 3. [`Stage::Coupons`] (`coupons.rs`): each entered code gets a verdict,
//!    accepted or rejected with a reason; only the promotions whose codes
//!    were entered are judged. What both stages share is `promotions.rs`.
//! 4. [`Stage::Stacking`] (`stacking.rs`): among the candidates (automatic
//!    promotions that apply, accepted coupons, the discount and free
//!    shipping of the customer's tier from `benefits.rs`), the program's
//!    policy picks the set that applies; a promotion whose discount would
//!    go over its spend budget is refused and the policy picks again.
//! 5. [`Stage::Discounts`] (`discounts.rs`): line-level rewards (cheapest
//!    free, buy X get Y, amount or percent off each unit or line, steps on
//!    each line's own amount, computed in `line_rewards.rs`) first, then
//!    order-level ones
//!    (steps, percent and amount off) by priority, then shipping. Each
//!    discount is rounded where its rounding scope says (once on the
//!    total by default, or per line or unit) and allocated over its
//!    eligible lines as its split says (in proportion to their net by
//!    default), so that the parts sum exactly to it; no line goes below
//!    zero (`sharing.rs`). A percent or amount off the shipping, or off
//!    the items and the shipping together, is `shipping.rs`'s.
//! 6. [`Stage::Redemption`] (`redemption.rs`): paying with points, then
//!    cashback, as the checkout asks and the program allows; allocated
//!    over the lines like a discount, or refused with a reason.
//! 7. [`Stage::Points`] (`points.rs`): earning rules, multipliers, bonuses
//!    (the tier's among them).
//! 8. [`Stage::Cashback`] (`cashback.rs`): cashback on the net paid.
//! 9. [`Stage::Effects`] (`effects.rs`): coupon redemptions, uses of
//!    automatic promotions that have a limit, budget spends, gifts, points
//!    and cashback spent and credited, for the host to store.
//!
//! A program that serves several currencies evaluates an order with its
//! reading for the order's currency (see
//! [`Program::in_currency`]); the rules without an amount in that currency
//! are traced before the stage that would judge them, as not applying
//! (`currency.rs`).
//!
//! The trace records each decision as data ([`Reason`]);
//! its sentences are written (`describe.rs`) only when displayed or
//! serialised.
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

mod automatic;
mod benefits;
mod cashback;
mod checkout;
mod coupons;
mod currency;
mod describe;
mod discounts;
mod effects;
mod facts;
mod line_rewards;
mod points;
mod promotions;
mod redemption;
mod sharing;
mod shipping;
mod stacking;

pub use crate::error::EvaluationError;
pub use crate::evaluation::Stage;
pub use checkout::{BudgetSpent, Checkout, CouponUsage, PromotionUsage};

use rust_decimal::Decimal;

use crate::condition::{Condition, Facts};
use crate::evaluation::{
    Evaluation, IgnoredBecause, IgnoredLine, Reason, RedemptionOutcome, RuleRef, Summary, Totals,
    TraceEntry,
};
use crate::money::Currency;
use crate::program::{List, Program};
use crate::rules::RuleId;
use facts::Context;

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
        let reading = self.for_currency(checkout.order.currency());
        if !std::ptr::eq(reading, self) {
            return reading.evaluate_with(checkout, options);
        }
        checkout.check(self)?;
        let mut trace = Trace::new(options, self, checkout);
        let Run {
            ctx,
            ladders,
            mut coupons,
            discounts,
            redeemed,
            mut points,
            mut cashback,
        } = self.run(checkout, true, &mut trace)?;
        if checkout.customer.is_guest() {
            unclaim(&mut points, &mut cashback, ctx.currency, &mut trace);
        }
        let effects = effects::collect(
            &ctx,
            &discounts,
            &mut coupons.codes,
            &redeemed.outcomes,
            &points,
            &cashback,
        );

        Ok(Evaluation {
            program: self.program_id().clone(),
            order: checkout.order.id().clone(),
            customer: checkout.customer.id().clone(),
            guest: checkout.customer.is_guest(),
            at: checkout.at,
            currency: ctx.currency,
            lines: discounts.lines,
            ignored_lines: checkout
                .order
                .zero_quantity_lines()
                .map(|line| IgnoredLine {
                    line: line.id().clone(),
                    sku: line.sku().clone(),
                    reason: IgnoredBecause::ZeroQuantity,
                })
                .collect(),
            discounts: discounts.discounts,
            gifts: discounts.gifts,
            coupons: coupons.verdicts,
            ladders,
            redemptions: redeemed.outcomes,
            totals: discounts.totals,
            points,
            cashback,
            trace: trace.entries,
            effects,
        })
    }

    /// The totals of an evaluation, without its detail: the same stages,
    /// the same amounts, points and cashback as
    /// [`evaluate`](Self::evaluate), but no lines, no trace, no verdicts and
    /// no effects are written. For analytics and simulations over many
    /// orders.
    ///
    /// # Errors
    ///
    /// As [`evaluate`](Self::evaluate).
    ///
    /// # Example
    ///
    /// ```
    /// # use loyalty::prelude::*;
    /// let program = Program::new(
    ///     ProgramDefinition::new("shop", Currency::EUR)
    ///         .ladder(LadderDefinition::new("spend-more").percent_from("100", "5"))
    ///         .earning_rule(EarnRuleDefinition::new("points", 1, 1)),
    /// )?;
    /// let at = "2026-11-27T10:00:00Z".parse()?;
    /// let order = Order::builder("A-1", "C-1", at, Currency::EUR)
    ///     .line(Line::new("1", "TEA", 4, Money::parse("30.00", Currency::EUR)?))
    ///     .build()?;
    /// let checkout = Checkout::for_order(order, at);
    /// let summary = program.summarize(&checkout)?;
    /// let full = program.evaluate(&checkout)?;
    /// assert_eq!(summary.totals, full.totals);
    /// assert_eq!(summary.points, full.points.total); // 114 on 120.00 − 6.00
    /// assert_eq!(summary.points, Decimal::from(114));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn summarize(&self, checkout: &Checkout) -> Result<Summary, EvaluationError> {
        let reading = self.for_currency(checkout.order.currency());
        if !std::ptr::eq(reading, self) {
            return reading.summarize(checkout);
        }
        checkout.check(self)?;
        let mut trace = Trace::new(EvaluateOptions::new().trace(false), self, checkout);
        let Run {
            ctx,
            discounts,
            mut points,
            mut cashback,
            ..
        } = self.run(checkout, false, &mut trace)?;
        if checkout.customer.is_guest() {
            unclaim(&mut points, &mut cashback, ctx.currency, &mut trace);
        }
        Ok(Summary {
            currency: ctx.currency,
            totals: discounts.totals,
            points: points.total,
            cashback: cashback.total,
        })
    }

    /// The stages without detail, kept for a caller inside the crate that
    /// needs more than the [`Summary`]: the discounts given rule by rule,
    /// the redemptions, when the points and cashback become available and
    /// expire. For the simulation, which sums them over a history.
    pub(crate) fn tally<'a>(
        &'a self,
        checkout: &'a Checkout,
    ) -> Result<Tally<'a>, EvaluationError> {
        let reading = self.for_currency(checkout.order.currency());
        if !std::ptr::eq(reading, self) {
            return reading.tally(checkout);
        }
        checkout.check(self)?;
        let mut trace = Trace::new(EvaluateOptions::new().trace(false), self, checkout);
        let mut run = self.run(checkout, false, &mut trace)?;
        if checkout.customer.is_guest() {
            let currency = run.ctx.currency;
            unclaim(&mut run.points, &mut run.cashback, currency, &mut trace);
        }
        Ok(Tally { run })
    }

    /// [`summarize`](Self::summarize) for many checkouts, in input order.
    #[must_use]
    pub fn summarize_batch(&self, checkouts: &[Checkout]) -> Vec<Result<Summary, EvaluationError>> {
        checkouts.iter().map(|c| self.summarize(c)).collect()
    }

    /// The stages, in order, on a checkout already checked; with `detail`
    /// they write every line, rule and verdict, without it only what the
    /// totals need.
    #[inline(always)]
    fn run<'a>(
        &'a self,
        checkout: &'a Checkout,
        detail: bool,
        trace: &mut Trace,
    ) -> Result<Run<'a>, EvaluationError> {
        let ctx = facts::derive(self, checkout, detail, trace)?;
        let mut candidates = stacking::Candidates::with_capacity(0);
        currency::left_out(&ctx, &[List::Ladders, List::Promotions], trace);
        let mut ladders = automatic::judge(&ctx, &mut candidates, trace)?;
        let mut coupons = coupons::judge(&ctx, &mut candidates, &mut ladders)?;
        benefits::offer(&ctx, &mut candidates);
        let mut application = discounts::Application::empty();
        stacking::pick(
            &ctx,
            &mut candidates,
            &mut coupons.verdicts,
            trace,
            &mut application,
        )?;
        let mut discounts = discounts::settle(
            &ctx,
            &candidates,
            &mut application,
            &mut coupons.verdicts,
            &coupons.codes,
            &mut ladders,
            trace,
        )?;
        coupons::trace_rejections(&ctx, &coupons, trace);
        let redeemed = redemption::redeem(&ctx, &mut discounts, trace)?;
        // Points are earned on the net after every redemption, or, when the
        // program says so, with the part paid with points counted back.
        currency::left_out(
            &ctx,
            &[List::Earning, List::Campaigns, List::Bonuses],
            trace,
        );
        let points = if redeemed.earning_back.is_empty() {
            points::earn(
                &ctx,
                &discounts.nets,
                &discounts.spread,
                discounts.shipping_paid,
                &discounts.promotions,
                trace,
            )?
        } else {
            let mut nets = discounts.nets.clone();
            for (net, back) in nets.iter_mut().zip(&redeemed.earning_back) {
                *net += back;
            }
            points::earn(
                &ctx,
                &nets,
                &discounts.spread,
                discounts.shipping_paid,
                &discounts.promotions,
                trace,
            )?
        };
        currency::left_out(&ctx, &[List::Cashback], trace);
        let cashback = cashback::earn(
            &ctx,
            &discounts.nets,
            discounts.shipping_paid,
            discounts.payable,
            trace,
        )?;
        Ok(Run {
            ctx,
            ladders,
            coupons,
            discounts,
            redeemed,
            points,
            cashback,
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
}

/// A guest checkout's points and cashback: nobody to credit, so what the
/// order would earn is moved to `unclaimed` and everything else is zero
/// (no effect credits them, no return reverses them), and the trace says
/// why.
fn unclaim(
    points: &mut crate::evaluation::PointsOutcome,
    cashback: &mut crate::evaluation::CashbackOutcome,
    currency: Currency,
    trace: &mut Trace,
) {
    if !(points.total.is_zero() && cashback.total.is_zero())
        && let Ok(id) = crate::rules::RuleId::new(crate::customer::CustomerId::guest().as_str())
    {
        trace.push(|| {
            TraceEntry::new(
                RuleRef::new(crate::evaluation::RuleKind::Customer, id),
                false,
                Stage::Points,
                Reason::GuestUnclaimed {
                    points: points.total,
                    cashback: crate::money::Money::new(
                        in_minor_units(cashback.total, currency),
                        currency,
                    ),
                },
            )
        });
    }
    *points = crate::evaluation::PointsOutcome {
        unclaimed: points.total,
        ..crate::evaluation::PointsOutcome::default()
    };
    *cashback = crate::evaluation::CashbackOutcome {
        unclaimed: cashback.total,
        ..crate::evaluation::CashbackOutcome::default()
    };
}

/// What the stages of one evaluation give, before the effects.
struct Run<'a> {
    ctx: Context<'a>,
    ladders: Vec<crate::evaluation::LadderOutcome>,
    coupons: coupons::Verdicts,
    discounts: discounts::Settled<'a>,
    redeemed: redemption::Redeemed,
    points: crate::evaluation::PointsOutcome,
    cashback: crate::evaluation::CashbackOutcome,
}

/// An evaluation without its detail, from [`Program::tally`]: the same
/// amounts as the full evaluation, read through its accessors.
pub(crate) struct Tally<'a> {
    run: Run<'a>,
}

impl<'a> Tally<'a> {
    /// The order's totals.
    pub(crate) fn totals(&self) -> &Totals {
        &self.run.discounts.totals
    }

    /// The discounts given, in the order they applied, as the full
    /// evaluation lists them (redemptions, which are not discounts, left
    /// out): each rule, its amount in minor units, the code of a coupon.
    pub(crate) fn discounts(&self) -> impl Iterator<Item = (&'a RuleId, i128, Option<&str>)> + '_ {
        let codes = &self.run.coupons.codes;
        self.run
            .discounts
            .given
            .iter()
            .map(move |g| (g.rule, g.units, g.code.map(|v| codes.get(v))))
    }

    /// The redemptions asked, applied or refused.
    pub(crate) fn redemptions(&self) -> &[RedemptionOutcome] {
        &self.run.redeemed.outcomes
    }

    /// The points earned, when they become available and when they expire.
    pub(crate) fn points(&self) -> (Decimal, Option<Dates>) {
        let p = &self.run.points;
        (p.total, p.available_at.map(|at| (at, p.expires_at)))
    }

    /// The cashback earned, when it becomes available and when it expires.
    pub(crate) fn cashback(&self) -> (Decimal, Option<Dates>) {
        let c = &self.run.cashback;
        (c.total, c.available_at.map(|at| (at, c.expires_at)))
    }
}

/// When earned value becomes available, and when it expires (if it does).
pub(crate) type Dates = (
    chrono::DateTime<chrono::Utc>,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// The trace being written, or not.
pub(crate) struct Trace {
    enabled: bool,
    entries: Vec<TraceEntry>,
}

impl Trace {
    fn new(options: EvaluateOptions, program: &Program, checkout: &Checkout) -> Trace {
        // One entry per rule is the usual count; reserve it once.
        let rules = program.automatic().len()
            + checkout.order.coupons().len()
            + program.earning().len()
            + program.bonuses().len()
            + program.multipliers().campaigns.len()
            + program.cashback().len();
        Trace {
            enabled: options.trace,
            entries: if options.trace {
                Vec::with_capacity(rules)
            } else {
                Vec::new()
            },
        }
    }

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
    condition: Option<&Condition>,
    facts: &Facts<'_>,
    rule: &RuleRef,
    stage: Stage,
    trace: &mut Trace,
) -> Result<bool, EvaluationError> {
    let Some(condition) = condition else {
        return Ok(true);
    };
    let verdict = condition.judge(facts, trace.enabled)?;
    if !verdict.met {
        trace.push(|| {
            TraceEntry::new(rule.clone(), false, stage, Reason::ConditionNotMet)
                .observed(verdict.because.clone())
        });
    }
    Ok(verdict.met)
}

fn overflow(what: &'static str) -> EvaluationError {
    EvaluationError::Overflow { what }
}

/// `value` written with the currency's decimals (`5` → `5.00`), when that
/// keeps it exact.
fn in_minor_units(value: Decimal, currency: Currency) -> Decimal {
    crate::money::Money::new(value, currency).scaled_amount()
}
