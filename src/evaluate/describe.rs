//! The sentences of an evaluation, written from its structured trace only
//! when asked for (`Display`, `message()`, serialisation): a trace entry
//! ("not applied: subtotal 99.99 is below the first step 100.00; 0.01 more
//! reaches it"), a discount's description ("step 3 reached (15% from
//! 300.00) on subtotal 317.70"). Nothing here runs while evaluating.

use std::fmt;

use rust_decimal::Decimal;

use crate::evaluation::{
    AppliedDiscount, BonusMiss, DiscountDetail, MinimumOf, Reason, RuleKind, RuleRef, StepGiven,
    Target, TraceEntry,
};
use crate::rules::earn::EarnBase;
use crate::rules::ladder::LadderBasis;
use crate::rules::line_rewards::DiscountedUnits;
use crate::rules::promotion::ShippingShare;

/// A percent as written in a sentence: `12.5%`.
struct Pct(Decimal);

impl fmt::Display for Pct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0.normalize())
    }
}

fn basis_name(basis: LadderBasis) -> &'static str {
    match basis {
        LadderBasis::Subtotal => "subtotal",
        LadderBasis::Quantity => "quantity",
        LadderBasis::LineAmount => "best line amount",
        LadderBasis::LineQuantity => "best line quantity",
        LadderBasis::Shipping => "shipping",
    }
}

/// How a discount on the items and the shipping is split, as a suffix.
fn share_words(share: ShippingShare) -> &'static str {
    match share {
        ShippingShare::Proportional => ", split in proportion",
        ShippingShare::Remainder => ", the items first",
    }
}

/// The suffix of a discount reduced to the program's cap.
const CAPPED_BY_TOTAL: &str = " (reduced to the program's cap on total discount)";

/// The suffix of a benefit of a tier: ` (gold tier)`; nothing for other
/// rules.
fn of_tier(f: &mut fmt::Formatter<'_>, rule: &RuleRef) -> fmt::Result {
    if rule.kind == RuleKind::Tier {
        write!(f, " ({} tier)", rule.id)?;
    }
    Ok(())
}

impl fmt::Display for DiscountDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscountDetail::NoStep { .. } => f.write_str("no step reached"),
            DiscountDetail::Ladder {
                step,
                bracket,
                given,
                from,
                basis,
                measured,
                next,
            } => {
                let basis = basis_name(*basis);
                let number = step + 1;
                match (bracket, given) {
                    (true, _) => write!(
                        f,
                        "bracket ladder up to step {number} on {basis} {measured}"
                    )?,
                    (false, StepGiven::Percent(percent)) => write!(
                        f,
                        "step {number} reached ({} from {from}) on {basis} {measured}",
                        Pct(*percent)
                    )?,
                    (false, StepGiven::Amount(amount)) => write!(
                        f,
                        "step {number} reached ({amount} off from {from}) on {basis} {measured}"
                    )?,
                }
                if let Some(next) = next {
                    write!(
                        f,
                        "; {} more reaches step {}",
                        next.missing,
                        next.step_number()
                    )?;
                }
                Ok(())
            }
            DiscountDetail::PercentOff { percent, capped_at } => match capped_at {
                Some(cap) => write!(f, "{} off eligible items (capped at {cap})", Pct(*percent)),
                None => write!(f, "{} off eligible items", Pct(*percent)),
            },
            DiscountDetail::AmountOff { amount } => write!(f, "{amount} off eligible items"),
            DiscountDetail::AmountOffEachLine { amount } => {
                write!(f, "{amount} off each eligible line")
            }
            DiscountDetail::PercentOffShipping { percent, capped_at } => match capped_at {
                Some(cap) => write!(f, "{} off shipping (capped at {cap})", Pct(*percent)),
                None => write!(f, "{} off shipping", Pct(*percent)),
            },
            DiscountDetail::AmountOffShipping { amount } => write!(f, "{amount} off shipping"),
            DiscountDetail::PercentOffItemsAndShipping {
                percent,
                capped_at,
                share,
            } => {
                write!(f, "{} off eligible items and shipping", Pct(*percent))?;
                if let Some(cap) = capped_at {
                    write!(f, " (capped at {cap})")?;
                }
                f.write_str(share_words(*share))
            }
            DiscountDetail::AmountOffItemsAndShipping { amount, share } => {
                write!(f, "{amount} off eligible items and shipping")?;
                f.write_str(share_words(*share))
            }
            DiscountDetail::AmountOffEachUnit {
                amount,
                first_unit,
                units,
            } => {
                match first_unit {
                    Some(first) => write!(
                        f,
                        "{first} off the first eligible unit of each line, {amount} off each further unit"
                    )?,
                    None => write!(f, "{amount} off each eligible unit")?,
                }
                if let Some(units) = units {
                    write!(f, " ({units} unit(s) counted)")?;
                }
                Ok(())
            }
            DiscountDetail::PercentOffEachUnit { percent, units } => write!(
                f,
                "{} off each eligible unit ({units} unit(s) counted)",
                Pct(*percent)
            ),
            DiscountDetail::CheapestFree => f.write_str("the cheapest eligible unit free"),
            DiscountDetail::BuyXGetY {
                buy,
                get,
                groups,
                free_units,
                discounted: None,
                percent: None,
                amount: None,
            } => write!(
                f,
                "buy {buy} get {get}: {groups} group(s) of {} eligible units, {free_units} cheapest unit(s) free",
                u64::from(*buy) + u64::from(*get)
            ),
            DiscountDetail::BuyXGetY {
                buy,
                get,
                groups,
                free_units,
                discounted,
                percent,
                amount,
            } => {
                let which = match discounted {
                    Some(DiscountedUnits::MostExpensive) => "most expensive",
                    _ => "cheapest",
                };
                write!(
                    f,
                    "buy {buy} get {get}: {groups} time(s), {free_units} {which} unit(s) got "
                )?;
                match (percent, amount) {
                    (Some(percent), _) => write!(f, "at {} off", Pct(*percent)),
                    (None, Some(amount)) => write!(f, "at {amount} off each"),
                    (None, None) => f.write_str("free"),
                }
            }
            DiscountDetail::FreeShipping => f.write_str("free shipping"),
            DiscountDetail::PaidWithPoints { points } => {
                write!(f, "paid with {} points", points.normalize())
            }
            DiscountDetail::PaidWithCashback => f.write_str("paid with cashback"),
            DiscountDetail::Gift { sku, quantity } => write!(f, "gift: {quantity} × {sku}"),
            DiscountDetail::BonusPoints { points } => {
                write!(f, "{} bonus points", points.normalize())
            }
            DiscountDetail::PointsMultiplier { factor } => {
                write!(f, "{}× points", factor.normalize())
            }
        }
    }
}

impl fmt::Display for AppliedDiscount {
    /// The description: how the discount was reached.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.detail.fmt(f)?;
        of_tier(f, &self.rule)?;
        if self.capped_by_total {
            f.write_str(CAPPED_BY_TOTAL)?;
        }
        Ok(())
    }
}

impl fmt::Display for BonusMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BonusMiss::NotFirstOrder { order_number } => {
                write!(f, "this is order {order_number}, not the first")
            }
            BonusMiss::NotOrderNumber {
                order_number,
                wanted,
            } => write!(f, "this is order {order_number}, not order {wanted}"),
            BonusMiss::NoBirthday => f.write_str("no birthday on file"),
            BonusMiss::OrderNumberUnknown => {
                f.write_str("the order number is unknown: the checkout has no customer stats")
            }
            BonusMiss::OtherBirthdayMonth {
                birthday_month,
                month,
            } => write!(f, "the birthday is in month {birthday_month}, not {month}"),
            BonusMiss::BelowAmount { subtotal, amount } => {
                write!(f, "subtotal {subtotal} is below {amount}")
            }
        }
    }
}

impl fmt::Display for TraceEntry {
    /// The sentence: "applied: …" or "not applied: …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Reason::ConditionNotMet => {
                f.write_str("not applied: condition not met")?;
                if let Some(o) = &self.observation {
                    write!(f, ": {o}")?;
                }
                Ok(())
            }
            Reason::UnknownTier { tier } => write!(
                f,
                "not applied: the customer's tier \"{tier}\" is not one of the program's tiers, so no tier rule applies (tier ids match exactly, case included)"
            ),
            Reason::BelowFirstStep {
                basis,
                measured,
                first,
                missing,
            } => write!(
                f,
                "not applied: {} {measured} is below the first step {first}; {missing} more reaches it",
                basis_name(*basis)
            ),
            Reason::NoStepReached => f.write_str("not applied: no step reached"),
            Reason::NotCombinable { with } => match with {
                Some(rule) => write!(f, "not applied: cannot be combined with {rule}"),
                None => f.write_str("not applied: cannot be combined with another discount"),
            },
            Reason::NothingToDiscount {
                detail,
                capped_by_total,
            } => {
                write!(f, "not applied: {detail}")?;
                of_tier(f, &self.rule)?;
                if *capped_by_total {
                    f.write_str(CAPPED_BY_TOTAL)?;
                }
                Ok(())
            }
            Reason::Discounted {
                amount,
                target,
                detail,
                capped_by_total,
            } => {
                write!(
                    f,
                    "applied: {amount} off {}: {detail}",
                    match target {
                        Target::Items => "the items",
                        Target::Shipping => "shipping",
                    }
                )?;
                of_tier(f, &self.rule)?;
                if *capped_by_total {
                    f.write_str(CAPPED_BY_TOTAL)?;
                }
                Ok(())
            }
            Reason::NotEligible { rejection } => {
                write!(f, "not applied: {}", rejection.for_offer())
            }
            Reason::CouponRejected { code, rejection } => {
                write!(f, "not applied: code {code}: {rejection}")
            }
            Reason::Campaign { factor } => match (self.applied, &self.observation) {
                (true, Some(o)) => write!(f, "applied: {}× points: {o}", factor.normalize()),
                (true, None) => write!(f, "applied: {}× points", factor.normalize()),
                (false, Some(o)) => write!(f, "not applied: {o}"),
                (false, None) => f.write_str("not applied: condition not met"),
            },
            Reason::CurrencyMismatch { currency, missing } => write!(
                f,
                "not applied: no amount in {currency} (first at {missing})"
            ),
            Reason::StoppedBy { rule } => write!(
                f,
                "not applied: earning rule {rule} stops the rules after it"
            ),
            Reason::CampaignStoppedBy { campaign } => write!(
                f,
                "not applied: campaign {campaign} runs and stops the campaigns after it"
            ),
            Reason::BelowMinimum {
                of,
                amount,
                minimum,
            } => write!(
                f,
                "not applied: {} {amount} is below the minimum {minimum}",
                match of {
                    MinimumOf::Subtotal => "subtotal",
                    MinimumOf::NetPaid => "net paid",
                }
            ),
            Reason::NoPoints { base } => write!(
                f,
                "not applied: earns 0 points on a base of {}",
                base.normalize()
            ),
            Reason::Points {
                points,
                base,
                counted,
                factor,
                capped,
            } => {
                write!(
                    f,
                    "applied: {} points on {} {counted}",
                    points.normalize(),
                    match base {
                        EarnBase::Net => "net",
                        EarnBase::Gross => "gross",
                        EarnBase::PerUnit => "units",
                        EarnBase::PerLine => "lines",
                        EarnBase::PerOrder => "order",
                    }
                )?;
                if *factor != Decimal::ONE {
                    write!(f, " × {}", factor.normalize())?;
                }
                if *capped {
                    f.write_str(" (capped)")?;
                }
                Ok(())
            }
            Reason::BonusNotTriggered { miss } => write!(f, "not applied: {miss}"),
            Reason::RedemptionRefused { refusal } => write!(f, "not applied: {refusal}"),
            Reason::LineIgnored { sku } => write!(
                f,
                "not applied: quantity 0 of {sku}: the line is ignored (lenient input)"
            ),
            Reason::GuestUnclaimed { points, cashback } => write!(
                f,
                "not applied: guest checkout: no customer record, so nothing is credited ({} points and {} cashback unclaimed)",
                points.normalize(),
                cashback
            ),
            Reason::BonusPoints { points } => {
                write!(f, "applied: {} bonus points", points.normalize())?;
                of_tier(f, &self.rule)
            }
            Reason::NoCashback { base } => {
                write!(f, "not applied: no cashback on a net paid of {base}")
            }
            Reason::Cashback {
                amount,
                percent,
                base,
                capped,
            } => {
                write!(
                    f,
                    "applied: {amount} cashback, {}% of net paid {base}",
                    percent.round_dp(4).normalize()
                )?;
                if *capped {
                    f.write_str(" (capped)")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::{RuleKind, RuleRef, Stage};
    use crate::money::{Currency, Money};
    use crate::rules::RuleId;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn entry(kind: RuleKind, applied: bool, reason: Reason) -> TraceEntry {
        TraceEntry::new(
            RuleRef::new(kind, RuleId::new("r").unwrap()),
            applied,
            Stage::Points,
            reason,
        )
    }

    #[test]
    fn sentences_of_reasons_without_an_observation() {
        let campaign = entry(
            RuleKind::Campaign,
            false,
            Reason::Campaign { factor: d("2") },
        );
        assert_eq!(campaign.message(), "not applied: condition not met");
        let on = entry(
            RuleKind::Campaign,
            true,
            Reason::Campaign { factor: d("2.0") },
        );
        assert_eq!(on.message(), "applied: 2× points");
        let alone = entry(
            RuleKind::Ladder,
            false,
            Reason::NotCombinable { with: None },
        );
        assert_eq!(
            alone.message(),
            "not applied: cannot be combined with another discount"
        );
        let cond = entry(RuleKind::Earn, false, Reason::ConditionNotMet);
        assert_eq!(cond.message(), "not applied: condition not met");
    }

    #[test]
    fn points_sentences_show_the_factor_only_when_it_is_not_one() {
        let points = |factor: &str, capped| {
            entry(
                RuleKind::Earn,
                true,
                Reason::Points {
                    points: d("10"),
                    base: EarnBase::PerUnit,
                    counted: d("4"),
                    factor: d(factor),
                    capped,
                },
            )
            .message()
        };
        assert_eq!(points("1", false), "applied: 10 points on units 4");
        assert_eq!(
            points("1.50", true),
            "applied: 10 points on units 4 × 1.5 (capped)"
        );
    }

    #[test]
    fn cashback_percent_is_written_to_four_decimals() {
        let eur = Currency::EUR;
        let e = entry(
            RuleKind::Cashback,
            true,
            Reason::Cashback {
                amount: Money::new(d("1.00"), eur),
                percent: d("2.1234567"),
                base: Money::new(d("47.09"), eur),
                capped: false,
            },
        );
        assert_eq!(
            e.message(),
            "applied: 1.00 EUR cashback, 2.1235% of net paid 47.09 EUR"
        );
    }
}
