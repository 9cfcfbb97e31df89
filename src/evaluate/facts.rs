//! Stage 1, facts: what every later stage reads, derived once: each line's
//! gross, the condition facts (subtotal, local time, order number), and a
//! word in the trace when the customer's tier is not one of the program's.

use rust_decimal::Decimal;

use super::{Checkout, EvaluationError, Trace};
use crate::condition::{Facts, LineSelector};
use crate::evaluation::{Reason, RuleKind, RuleRef, Stage, TraceEntry};
use crate::money::{Currency, Money};
use crate::order::{Line, Order};
use crate::program::Program;
use crate::rules::RuleId;
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
    /// The shipping charge, in minor units.
    pub(super) shipping: i128,
    pub(super) currency: Currency,
    /// Whether the stages write their detail (per line, per rule, effects)
    /// or only the totals ([`Program::summarize`]).
    pub(super) detail: bool,
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
    let currency = program.currency();
    let mut gross = Lines::with_capacity(order.lines().len());
    for line in order.lines() {
        gross.push(Money::new(line.gross_amount(), currency).to_minor_units()?);
    }
    Ok(Context {
        program,
        checkout,
        order,
        facts: Facts::new(order, customer, program.calendar(), checkout.at),
        gross,
        shipping: order.shipping().to_minor_units()?,
        currency,
        detail,
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

    /// Whether a line may receive a discount from a rule with `selector`.
    pub(super) fn eligible(line: &Line, selector: &LineSelector) -> bool {
        !line.is_exempt() && selector.selects(line)
    }
}
