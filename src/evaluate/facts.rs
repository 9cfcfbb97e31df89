//! Stage 1, facts: what every later stage reads, derived once: each line's
//! gross, the part of it discounts may take (its discountable amount) and
//! the amount the program measures it at (its tax basis), the condition
//! facts (subtotal, local time, order number), and a word in the trace when
//! the customer's tier is not one of the program's, or a line of quantity 0
//! is ignored.
//!
//! Where the discountable amounts and the tax basis meet the other stages:
//!
//! - discounts start from each line's discountable amount and never take
//!   more ([`Context::discountable`]); what a line keeps whatever the
//!   discounts (its floor) is added back when the discounts are settled
//!   ([`Context::restore_floors`]), so that every later stage (and the
//!   output) sees whole nets;
//! - a percentage is of the discountable amount;
//! - minimums and thresholds compare with the measured amounts
//!   ([`Context::measured`], [`Context::measure_nets`]); caps on a discount
//!   are converted to the price's terms ([`Context::price_cap`]).
//!
//! Tax is computed here only, per line, on the line's amount, rounded once
//! per line with the program's tax rounding.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::{Checkout, EvaluationError, Trace, overflow};
use crate::condition::{Facts, LineSelector};
use crate::evaluation::{Reason, RuleKind, RuleRef, Stage, TraceEntry};
use crate::money::{Currency, Money, RoundingMode};
use crate::order::{Line, Order, TaxBasis};
use crate::program::{Program, TaxPolicy};
use crate::rules::RuleId;
use crate::rules::ladder::{LadderMode, StepReward, StepTable};
use crate::rules::tier::Benefits;
use crate::util::Lines;

/// The checkout as the stages see it.
pub(super) struct Context<'a> {
    pub(super) program: &'a Program,
    pub(super) checkout: &'a Checkout,
    pub(super) order: &'a Order,
    pub(super) facts: Facts<'a>,
    /// Each line's unit price × quantity, in minor units: every amount
    /// inside the stages is a whole number of the currency's minor unit,
    /// turned into a `Decimal` only for the output.
    pub(super) gross: Lines<i128>,
    /// The lines' discountable amounts and measured amounts, when they
    /// differ from their gross (boxed: most checkouts have neither, and
    /// the context is moved between stages).
    adjusted: Option<Box<Adjusted>>,
    /// The shipping charge, in minor units.
    pub(super) shipping: i128,
    pub(super) currency: Currency,
    /// Whether the stages write their detail (per line, per rule, effects)
    /// or only the totals ([`Program::summarize`]).
    pub(super) detail: bool,
}

/// What differs from the lines' gross, when something does.
struct Adjusted {
    /// Each line's discountable amount, in minor units, when some line has
    /// an undiscountable part (`gross` otherwise).
    discountable: Option<Lines<i128>>,
    /// Each line's gross less its discountable amount: what it keeps
    /// whatever the discounts; `None` when every line is wholly
    /// discountable.
    floors: Option<Lines<i128>>,
    /// Each line's gross as the program measures it (tax added or taken
    /// out), when the program measures on another tax basis than its
    /// prices and some line has a rate (`gross` otherwise).
    measured: Option<Lines<i128>>,
    /// The program's tax basis, when it converts.
    taxes: Option<TaxPolicy>,
}

/// Derives the facts of a checkout already checked against the program.
pub(super) fn derive<'a>(
    program: &'a Program,
    checkout: &'a Checkout,
    detail: bool,
    trace: &mut Trace,
) -> Result<Context<'a>, EvaluationError> {
    let order = &checkout.order;
    let customer = &checkout.customer;
    if let Some(tier) = customer.tier()
        && !program.definition().tiers.iter().any(|t| &t.id == tier)
        && let Ok(id) = RuleId::new(tier.as_str())
    {
        trace.push(|| {
            TraceEntry::new(
                RuleRef::new(RuleKind::Tier, id),
                false,
                Stage::Facts,
                Reason::UnknownTier { tier: tier.clone() },
            )
        });
    }
    for line in order.zero_quantity_lines() {
        // Reached only when the program ignores them: it refuses them in
        // `Checkout::check` otherwise.
        if let Ok(id) = RuleId::new(line.id().as_str()) {
            trace.push(|| {
                TraceEntry::new(
                    RuleRef::new(RuleKind::Line, id),
                    false,
                    Stage::Facts,
                    Reason::LineIgnored {
                        sku: line.sku().clone(),
                    },
                )
            });
        }
    }
    let currency = program.currency();
    let lines = order.lines();
    let mut gross = Lines::with_capacity(lines.len());
    for line in lines {
        gross.push(Money::new(line.gross_amount(), currency).to_minor_units()?);
    }
    let discountable = if lines.iter().any(Line::has_undiscountable_part) {
        let mut amounts = Lines::with_capacity(lines.len());
        for line in lines {
            amounts.push(Money::new(line.discountable_amount(), currency).to_minor_units()?);
        }
        Some(amounts)
    } else {
        None
    };
    let floors = discountable.as_ref().map(|amounts| {
        let mut floors = Lines::with_capacity(lines.len());
        for (g, d) in gross.iter().zip(amounts.iter()) {
            floors.push(g - d);
        }
        floors
    });
    let taxes = program
        .inputs()
        .taxes
        .filter(|t| t.converts() && lines.iter().any(|l| l.tax_rate().is_some()));
    let measured = match taxes {
        Some(taxes) => {
            let mut amounts = Lines::with_capacity(lines.len());
            for (line, &g) in lines.iter().zip(gross.iter()) {
                amounts.push(measure(line, g, taxes, currency)?);
            }
            Some(amounts)
        }
        None => None,
    };
    let measured_subtotal = match &measured {
        Some(amounts) => {
            let mut subtotal: i128 = 0;
            for (line, m) in lines.iter().zip(amounts.iter()) {
                if !line.is_exempt() {
                    subtotal = subtotal
                        .checked_add(*m)
                        .ok_or_else(|| overflow("the measured subtotal"))?;
                }
            }
            Some(Money::from_minor_units(subtotal, currency)?.amount())
        }
        None => None,
    };
    Ok(Context {
        program,
        checkout,
        order,
        facts: match measured_subtotal {
            Some(subtotal) => {
                Facts::new(order, customer, program.calendar(), checkout.at).with_subtotal(subtotal)
            }
            None => Facts::new(order, customer, program.calendar(), checkout.at),
        },
        gross,
        adjusted: (discountable.is_some() || measured.is_some()).then(|| {
            Box::new(Adjusted {
                discountable,
                floors,
                measured,
                taxes,
            })
        }),
        shipping: order.shipping().to_minor_units()?,
        currency,
        detail,
    })
}

/// `amount` (minor units) of `line` as the program measures it: with the
/// line's tax added (prices without tax, minimums with) or taken out
/// (prices with tax, minimums without), the tax rounded once.
fn measure(
    line: &Line,
    amount: i128,
    taxes: TaxPolicy,
    currency: Currency,
) -> Result<i128, EvaluationError> {
    let Some(rate) = line.tax_rate() else {
        return Ok(amount);
    };
    let decimals = currency.minor_units();
    let value = Money::from_minor_units(amount, currency)?.amount();
    let tax = Money::new(
        rate.tax_in(value, taxes.prices, decimals, taxes.rounding),
        currency,
    )
    .to_minor_units()?;
    Ok(match taxes.prices {
        TaxBasis::Exclusive => amount + tax,
        TaxBasis::Inclusive => amount - tax,
    })
}

impl<'a> Context<'a> {
    /// The benefits of the customer's tier, when it gives any: found
    /// where needed (a look through the program's tiers with benefits,
    /// none in most programs) rather than carried by every stage.
    #[inline]
    pub(super) fn benefits(&self) -> Option<&'a Benefits> {
        let tier = self.checkout.customer.tier()?;
        self.program.benefits_of(tier)
    }

    /// The order's lines.
    pub(super) fn lines(&self) -> &[Line] {
        self.order.lines()
    }

    /// `units` minor units as an amount of the currency.
    pub(super) fn decimal(&self, units: i128) -> Result<Decimal, EvaluationError> {
        Ok(Money::from_minor_units(units, self.currency)?.amount())
    }

    /// `units` minor units as money.
    pub(super) fn money(&self, units: i128) -> Result<Money, EvaluationError> {
        Ok(Money::from_minor_units(units, self.currency)?)
    }

    /// A program amount (validated to whole minor units) in minor units.
    pub(super) fn units(&self, amount: Decimal) -> Result<i128, EvaluationError> {
        Ok(Money::new(amount, self.currency).to_minor_units()?)
    }

    /// Each line's discountable amount (minor units): what discounts start
    /// from and never exceed.
    #[inline]
    pub(super) fn discountable(&self) -> &[i128] {
        self.adjusted
            .as_ref()
            .and_then(|a| a.discountable.as_deref())
            .unwrap_or(&self.gross)
    }

    /// Adds each line's floor back to the discountable `nets`, making them
    /// whole nets (once the discounts are settled).
    pub(super) fn restore_floors(&self, nets: &mut [i128]) {
        if let Some(floors) = self.adjusted.as_ref().and_then(|a| a.floors.as_ref()) {
            for (net, floor) in nets.iter_mut().zip(floors.iter()) {
                *net += floor;
            }
        }
    }

    /// Each line's gross as the program measures it, for minimums and
    /// thresholds.
    #[inline]
    pub(super) fn measured(&self) -> &[i128] {
        self.adjusted
            .as_ref()
            .and_then(|a| a.measured.as_deref())
            .unwrap_or(&self.gross)
    }

    /// The lines' discountable `nets` as the program measures them: whole
    /// nets (the floors added back), with tax added or taken out.
    pub(super) fn measure_nets<'n>(
        &self,
        nets: &'n [i128],
    ) -> Result<Cow<'n, [i128]>, EvaluationError> {
        let Some(adjusted) = &self.adjusted else {
            return Ok(Cow::Borrowed(nets));
        };
        let mut out = nets.to_vec();
        self.restore_floors(&mut out);
        if let Some(taxes) = adjusted.taxes {
            for (line, amount) in self.lines().iter().zip(out.iter_mut()) {
                *amount = measure(line, *amount, taxes, self.currency)?;
            }
        }
        Ok(Cow::Owned(out))
    }

    /// The gross of the lines `eligible` selects as priced and as measured
    /// (minor units), when the program measures on another tax basis and
    /// both are above zero.
    fn priced_and_measured(
        &self,
        eligible: &dyn Fn(&Line) -> bool,
    ) -> Result<Option<(i128, i128)>, EvaluationError> {
        let Some(measured) = self.adjusted.as_ref().and_then(|a| a.measured.as_ref()) else {
            return Ok(None);
        };
        let (mut priced, mut measured_total) = (0i128, 0i128);
        for ((line, g), m) in self
            .lines()
            .iter()
            .zip(self.gross.iter())
            .zip(measured.iter())
        {
            if eligible(line) {
                priced = priced.checked_add(*g).ok_or_else(|| overflow("a cap"))?;
                measured_total = measured_total
                    .checked_add(*m)
                    .ok_or_else(|| overflow("a cap"))?;
            }
        }
        Ok((priced > 0 && measured_total > 0).then_some((priced, measured_total)))
    }

    /// A cap on a discount, written on the program's tax basis, in the
    /// price's terms: `cap × priced / measured` over the lines `eligible`
    /// selects, rounded down to the minor unit; `cap` itself when the
    /// program measures as it prices.
    pub(super) fn price_cap(
        &self,
        cap: Decimal,
        eligible: &dyn Fn(&Line) -> bool,
    ) -> Result<Decimal, EvaluationError> {
        let Some((priced, measured)) = self.priced_and_measured(eligible)? else {
            return Ok(cap);
        };
        let units = self.units(cap)?;
        let converted = match units.checked_mul(priced) {
            Some(product) => product / measured,
            // Beyond any real amount: in decimals, rounded down.
            None => {
                let value = cap
                    .checked_mul(Decimal::from(priced))
                    .and_then(|v| v.checked_div(Decimal::from(measured)))
                    .ok_or_else(|| overflow("a cap"))?;
                return Ok(RoundingMode::TowardZero.round(value, self.currency.minor_units()));
            }
        };
        self.decimal(converted)
    }

    /// A step table's unrounded reward at `step` on the eligible `base`
    /// (price terms): as the table computes it, but with a step's cap
    /// converted to the price's terms and a bracket table's brackets
    /// measured on the program's tax basis when it measures on another than
    /// it prices. Used for every promotion with steps (ladders among them).
    pub(super) fn step_reward(
        &self,
        table: &StepTable,
        step: usize,
        base: Decimal,
        eligible: &dyn Fn(&Line) -> bool,
    ) -> Result<Decimal, EvaluationError> {
        let converted = self.priced_and_measured(eligible)?;
        let reward = match (table.mode(), converted) {
            (LadderMode::WholeBasket, None) => table.reward_at(step, base),
            (LadderMode::Bracket, None) => table.reward_for(base, base),
            (LadderMode::WholeBasket, Some(_)) => match table.steps().get(step).map(|s| s.reward) {
                Some(StepReward::Percent { percent, cap }) => {
                    let raw = base
                        .checked_mul(percent)
                        .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
                        .ok_or_else(|| overflow("a ladder reward"))?;
                    Some(match cap {
                        Some(cap) => raw.min(self.price_cap(cap, eligible)?),
                        None => raw,
                    })
                }
                _ => table.reward_at(step, base),
            },
            (LadderMode::Bracket, Some((priced, measured))) => {
                let (priced, measured) = (Decimal::from(priced), Decimal::from(measured));
                base.checked_mul(measured)
                    .and_then(|v| v.checked_div(priced))
                    .and_then(|m| table.reward_for(m, m))
                    .and_then(|r| r.checked_mul(priced))
                    .and_then(|r| r.checked_div(measured))
            }
        };
        reward.ok_or_else(|| overflow("a ladder reward"))
    }

    /// Whether a line may receive a discount from a rule with `selector`.
    pub(super) fn eligible(line: &Line, selector: &LineSelector) -> bool {
        !line.is_exempt() && selector.selects(line)
    }
}
