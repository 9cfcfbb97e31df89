//! Line and unit rewards as platforms define them: what a promotion takes
//! off each line or each unit, which units a buy X get Y sets aside and
//! which it discounts, and how many gift units an order earns.
//!
//! Each is a [`Reward`] of a promotion, validated here; the evaluation
//! computes them in `evaluate/line_rewards.rs`. They apply before the
//! order-level discounts, and none takes more than what is left to pay on
//! the units it counts (nor more than their price).
//!
//! | reward | what comes off | as |
//! | --- | --- | --- |
//! | `amount_off_each_line` | `amount` once per eligible line, whatever its quantity | Solidus `FlatRate` on line items |
//! | `amount_off_each_unit` | `amount` per unit; `first_unit` on the first unit of each line; at most `max_units_per_line` units per line and `max_units` per order | Solidus `FlexiRate`, Medusa `each` with `max_quantity`, Sylius `unit_fixed_discount`, Saleor fixed product voucher |
//! | `percent_off_each_unit` | `percent` of each unit's price, rounded per unit; the same unit caps | Sylius `unit_percentage_discount`, Medusa `each` / `once` percentage |
//! | `buy_x_get_y` with `buy_lines` / `get_lines` | `percent` or `amount` off (default: all of) each unit got, the cheapest or the `most_expensive` | Medusa `buyget`, Shopify buy X get Y |
//! | `free_gift` with `per` | a gift line of `quantity` units per `per` eligible units, at most `max_quantity` | Solidus `CreateDiscountedItem`, Odoo free product |
//!
//! Steps measured on each line's own amount or quantity (Solidus
//! `TieredFlatRate`) are the [`LadderBasis`](crate::rules::ladder::LadderBasis)
//! `line_amount` and `line_quantity` of a stepped `percent_off` or
//! `amount_off`.
//!
//! # Which units count
//!
//! Units within a line are alike. `max_units_per_line` counts the first
//! units of each line; `max_units` counts units across the order, the
//! cheapest first (Medusa `once`, Saleor "once per order", Odoo
//! "cheapest") or, with `"discounted": "most_expensive"`, the dearest
//! first; ties go to the earlier line. Units another line-level reward
//! already made free (or got, in a buy X get Y) are not counted again.
//!
//! A unit's discount is worked out on its price (the line's amount over
//! its quantity), whatever the program's `percentages` setting, then held
//! to the share of the line's net left on the units counted.
//!
//! # Buy X get Y with two selectors
//!
//! The units bought come from `buy_lines`, the units got from `get_lines`
//! (each defaults to the promotion's `lines`); a unit counts as bought or
//! got, never both. The reward applies as many times as the units allow
//! (at most `max_applications`): `buy` units set aside and `get` units got
//! each time. Bought units are set aside first: units only the buy
//! selector takes, then, among units both selectors take, the most
//! expensive (ties: the later line), so that the units left to get are the
//! cheapest. Then the units got are the cheapest of what is left, or the
//! most expensive (Medusa), as `discounted` says. A percent off the units
//! got is rounded once per line on the units it gets there (Medusa:
//! `unit price × quantity × value / 100` per line); an amount comes off
//! each unit got. Without the new fields a `buy_x_get_y` means what it
//! always has: one selector, the cheapest units free.
//!
//! # Example
//!
//! ```
//! use loyalty::prelude::*;
//!
//! let program: ProgramDefinition = serde_json::from_value(serde_json::json!({
//!     "id": "shop", "currency": "USD",
//!     "promotions": [
//!         {"id": "flexi", "lines": {"skus": ["SHIRT"]},
//!          "reward": {"type": "amount_off_each_unit", "amount": "2.00",
//!                     "first_unit": "5.00", "max_units_per_line": 5}},
//!         {"id": "coffee-mug", "reward": {"type": "buy_x_get_y", "buy": 1, "get": 1,
//!          "buy_lines": {"skus": ["COFFEE"]}, "get_lines": {"skus": ["MUG"]},
//!          "percent": "50"}}
//!     ]
//! }))?;
//! let program = Program::new(program)?;
//! let at = "2026-11-27T10:00:00Z".parse()?;
//! let usd = |s: &str| Money::parse(s, Currency::USD);
//! let order = Order::builder("A-1", "C-1", at, Currency::USD)
//!     .line(Line::new("1", "SHIRT", 10, usd("20.00")?))
//!     .line(Line::new("2", "COFFEE", 1, usd("12.00")?))
//!     .line(Line::new("3", "MUG", 1, usd("9.00")?))
//!     .build()?;
//! let evaluation = program.evaluate(&Checkout::for_order(order, at))?;
//! // Solidus' FlexiRate example: 5 + 2 × (min(10, 5) − 1) = 13.00 off
//! // the shirts; half of the 9.00 mug, bought with a coffee: 4.50.
//! assert_eq!(evaluation.totals.discount, "17.50".parse()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::condition::LineSelector;
use crate::error::{Problem, ProgramError, WarningKind};
use crate::money::PerCurrency;
use crate::order::Sku;
use crate::rules::context::{RuleContext, selects_nothing};
use crate::rules::ladder::check_percent;
use crate::rules::promotion::Reward;

/// Which units a reward that counts some of them takes: the cheapest (the
/// default) or the most expensive.
///
/// Serialised as `"cheapest"` or `"most_expensive"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DiscountedUnits {
    /// The cheapest units first (ties: the earlier line). The default.
    #[default]
    Cheapest,
    /// The most expensive units first (ties: the earlier line).
    MostExpensive,
}

impl Reward {
    /// `amount` off each eligible line, once per line whatever its
    /// quantity.
    ///
    /// ```
    /// use loyalty::rules::promotion::Reward;
    /// use loyalty::Decimal;
    ///
    /// let flat = Reward::amount_off_each_line(Decimal::new(500, 2));
    /// assert_eq!(flat.type_name(), "amount_off_each_line");
    /// ```
    #[must_use]
    pub fn amount_off_each_line(amount: impl Into<PerCurrency>) -> Reward {
        Reward::AmountOffEachLine {
            amount: amount.into(),
        }
    }

    /// `amount` off each eligible unit, every unit counted; set
    /// [`first_unit`](Self::first_unit),
    /// [`max_units_per_line`](Self::max_units_per_line) or
    /// [`max_units`](Self::max_units) as needed.
    ///
    /// ```
    /// use loyalty::rules::promotion::Reward;
    /// use loyalty::Decimal;
    ///
    /// // Solidus' FlexiRate: 5.00 off the first unit, 2.00 off each
    /// // further one, at most 5 units per line.
    /// let flexi = Reward::amount_off_each_unit(Decimal::new(200, 2))
    ///     .first_unit(Decimal::new(500, 2))
    ///     .max_units_per_line(5);
    /// assert!(matches!(flexi, Reward::AmountOffEachUnit { max_units_per_line: Some(5), .. }));
    /// ```
    #[must_use]
    pub fn amount_off_each_unit(amount: impl Into<PerCurrency>) -> Reward {
        Reward::AmountOffEachUnit {
            amount: amount.into(),
            first_unit: None,
            max_units_per_line: None,
            max_units: None,
            discounted: None,
        }
    }

    /// `percent` off each eligible unit, rounded per unit, every unit
    /// counted; cap the units with
    /// [`max_units_per_line`](Self::max_units_per_line) or
    /// [`max_units`](Self::max_units).
    #[must_use]
    pub fn percent_off_each_unit(percent: Decimal) -> Reward {
        Reward::PercentOffEachUnit {
            percent,
            max_units_per_line: None,
            max_units: None,
            discounted: None,
        }
    }

    /// Buy `buy` get `get`: for every complete group of eligible units,
    /// the `get` cheapest free. Set [`buy_lines`](Self::buy_lines),
    /// [`get_lines`](Self::get_lines), [`discounted`](Self::discounted),
    /// [`percent`](Self::percent) or [`amount`](Self::amount) for the
    /// other forms.
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::line_rewards::DiscountedUnits;
    /// use loyalty::rules::promotion::Reward;
    ///
    /// // Medusa's buyget: buy 2 t-shirts, the most expensive sweater free.
    /// let reward = Reward::buy_x_get_y(2, 1)
    ///     .buy_lines(LineSelector::all().sku("T-SHIRT")?)
    ///     .get_lines(LineSelector::all().sku("SWEATER")?)
    ///     .discounted(DiscountedUnits::MostExpensive)
    ///     .max_applications(3);
    /// assert_eq!(reward.type_name(), "buy_x_get_y");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn buy_x_get_y(buy: u32, get: u32) -> Reward {
        Reward::BuyXGetY {
            buy,
            get,
            max_applications: None,
            buy_lines: None,
            get_lines: None,
            discounted: None,
            percent: None,
            amount: None,
        }
    }

    /// A gift of one unit of `sku`, worth `value`; set
    /// [`quantity`](Self::quantity), [`per`](Self::per) and
    /// [`max_quantity`](Self::max_quantity) as needed.
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::order::Sku;
    /// use loyalty::rules::promotion::Reward;
    ///
    /// // One sample per 3 coffees bought, at most 2.
    /// let samples = Reward::free_gift(Sku::new("SAMPLE")?, Decimal::new(150, 2))
    ///     .per(3)
    ///     .max_quantity(2);
    /// assert!(matches!(samples, Reward::FreeGift { per: Some(3), .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn free_gift(sku: Sku, value: impl Into<PerCurrency>) -> Reward {
        Reward::FreeGift {
            sku,
            quantity: 1,
            value: value.into(),
            per: None,
            max_quantity: None,
        }
    }

    /// Sets the amount off the first unit of each line of an
    /// `amount_off_each_unit`; other rewards are returned unchanged.
    #[must_use]
    pub fn first_unit(mut self, amount: impl Into<PerCurrency>) -> Reward {
        if let Reward::AmountOffEachUnit { first_unit, .. } = &mut self {
            *first_unit = Some(amount.into());
        }
        self
    }

    /// Sets the most units counted on one line of an `amount_off_each_unit`
    /// or a `percent_off_each_unit`; other rewards are returned unchanged.
    #[must_use]
    pub fn max_units_per_line(mut self, units: u32) -> Reward {
        if let Reward::AmountOffEachUnit {
            max_units_per_line, ..
        }
        | Reward::PercentOffEachUnit {
            max_units_per_line, ..
        } = &mut self
        {
            *max_units_per_line = Some(units);
        }
        self
    }

    /// Sets the most units counted on the whole order of an
    /// `amount_off_each_unit` or a `percent_off_each_unit`; other rewards
    /// are returned unchanged.
    #[must_use]
    pub fn max_units(mut self, units: u32) -> Reward {
        if let Reward::AmountOffEachUnit { max_units, .. }
        | Reward::PercentOffEachUnit { max_units, .. } = &mut self
        {
            *max_units = Some(units);
        }
        self
    }

    /// Sets which units are counted (`max_units`) or got (buy X get Y);
    /// other rewards are returned unchanged.
    #[must_use]
    pub fn discounted(mut self, units: DiscountedUnits) -> Reward {
        if let Reward::AmountOffEachUnit { discounted, .. }
        | Reward::PercentOffEachUnit { discounted, .. }
        | Reward::BuyXGetY { discounted, .. } = &mut self
        {
            *discounted = Some(units);
        }
        self
    }

    /// Sets the lines whose units a buy X get Y needs bought; other
    /// rewards are returned unchanged.
    #[must_use]
    pub fn buy_lines(mut self, lines: LineSelector) -> Reward {
        if let Reward::BuyXGetY { buy_lines, .. } = &mut self {
            *buy_lines = Some(lines);
        }
        self
    }

    /// Sets the lines whose units a buy X get Y gives; other rewards are
    /// returned unchanged.
    #[must_use]
    pub fn get_lines(mut self, lines: LineSelector) -> Reward {
        if let Reward::BuyXGetY { get_lines, .. } = &mut self {
            *get_lines = Some(lines);
        }
        self
    }

    /// Sets the most applications of a buy X get Y; other rewards are
    /// returned unchanged.
    #[must_use]
    pub fn max_applications(mut self, applications: u32) -> Reward {
        if let Reward::BuyXGetY {
            max_applications, ..
        } = &mut self
        {
            *max_applications = Some(applications);
        }
        self
    }

    /// Sets the percent off each unit a buy X get Y gives (instead of all
    /// of it); other rewards are returned unchanged.
    #[must_use]
    pub fn percent(mut self, value: Decimal) -> Reward {
        if let Reward::BuyXGetY { percent, .. } = &mut self {
            *percent = Some(value);
        }
        self
    }

    /// Sets the amount off each unit a buy X get Y gives (instead of all
    /// of it); other rewards are returned unchanged.
    #[must_use]
    pub fn amount(mut self, value: impl Into<PerCurrency>) -> Reward {
        if let Reward::BuyXGetY { amount, .. } = &mut self {
            *amount = Some(value.into());
        }
        self
    }

    /// Sets the units of a gift (for each `per` eligible units, with
    /// [`per`](Self::per)); other rewards are returned unchanged.
    #[must_use]
    pub fn quantity(mut self, units: u32) -> Reward {
        if let Reward::FreeGift { quantity, .. } = &mut self {
            *quantity = units;
        }
        self
    }

    /// Sets the eligible units that earn a gift's `quantity`; other
    /// rewards are returned unchanged.
    #[must_use]
    pub fn per(mut self, units: u32) -> Reward {
        if let Reward::FreeGift { per, .. } = &mut self {
            *per = Some(units);
        }
        self
    }

    /// Sets the most gift units per order; other rewards are returned
    /// unchanged.
    #[must_use]
    pub fn max_quantity(mut self, units: u32) -> Reward {
        if let Reward::FreeGift { max_quantity, .. } = &mut self {
            *max_quantity = Some(units);
        }
        self
    }
}

/// Checks the shape of a line or unit reward of the promotion at `path`:
/// values not negative, percents in range, caps of 1 or more, options
/// given with what they need, selectors that can select a line.
pub(crate) fn compile(path: &str, reward: &Reward) -> Result<(), ProgramError> {
    let at = |field: &str| format!("{path}.reward.{field}");
    let err = |field: &str, problem| Err(ProgramError::new(at(field), problem));
    let not_negative = |field: &str, what: &'static str, value: Decimal| {
        if value.is_sign_negative() && !value.is_zero() {
            return err(field, Problem::Negative { what, value });
        }
        Ok(())
    };
    let percent_in_range = |field: &str, percent: Decimal| {
        if percent.is_zero() {
            return Ok(());
        }
        check_percent(percent)
            .map(|_| ())
            .map_err(|p| ProgramError::new(at(field), p))
    };
    match reward {
        Reward::AmountOffEachLine { amount } => not_negative("amount", "amount", amount.value()),
        Reward::AmountOffEachUnit {
            amount,
            first_unit,
            max_units_per_line,
            max_units,
            discounted,
        } => {
            not_negative("amount", "amount", amount.value())?;
            if let Some(first) = first_unit {
                not_negative("first_unit", "amount", first.value())?;
            }
            unit_caps(path, *max_units_per_line, *max_units, *discounted)
        }
        Reward::PercentOffEachUnit {
            percent,
            max_units_per_line,
            max_units,
            discounted,
        } => {
            percent_in_range("percent", *percent)?;
            unit_caps(path, *max_units_per_line, *max_units, *discounted)
        }
        Reward::BuyXGetY {
            buy,
            get,
            max_applications,
            buy_lines,
            get_lines,
            percent,
            amount,
            ..
        } => {
            if *buy == 0 {
                return err("buy", Problem::BuyGetZero);
            }
            if *get == 0 {
                return err("get", Problem::BuyGetZero);
            }
            if *max_applications == Some(0) {
                return err("max_applications", Problem::ZeroLimit);
            }
            for (field, role, lines) in [
                ("buy_lines", "bought", buy_lines),
                ("get_lines", "got", get_lines),
            ] {
                let Some(lines) = lines else { continue };
                if lines.include_exempt {
                    return err(
                        &format!("{field}.include_exempt"),
                        Problem::ExemptNeverDiscounted,
                    );
                }
                if let Some((what, value)) = selects_nothing(lines) {
                    let listed = format!("{what} \"{value}\"");
                    return err(field, Problem::SelectsNothing { role, listed });
                }
            }
            match (percent, amount) {
                (Some(_), Some(_)) => err("amount", Problem::PercentAndAmountOff),
                (Some(p), None) => percent_in_range("percent", *p),
                (None, Some(a)) => not_negative("amount", "amount", a.value()),
                (None, None) => Ok(()),
            }
        }
        Reward::FreeGift {
            quantity,
            value,
            per,
            max_quantity,
            ..
        } => {
            if *quantity == 0 {
                return err("quantity", Problem::ZeroLimit);
            }
            not_negative("value", "gift value", value.value())?;
            if *per == Some(0) {
                return err("per", Problem::ZeroLimit);
            }
            match (per, max_quantity) {
                (None, Some(_)) => err(
                    "max_quantity",
                    Problem::OptionNeeds {
                        option: "max_quantity",
                        needs: "per",
                    },
                ),
                (Some(_), Some(0)) => err("max_quantity", Problem::ZeroLimit),
                (Some(_), Some(max)) if max % quantity != 0 => err(
                    "max_quantity",
                    Problem::MaxQuantityNotMultiple {
                        max: *max,
                        quantity: *quantity,
                    },
                ),
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// The unit caps of an each-unit reward: 1 or more, and `discounted` only
/// with `max_units`.
fn unit_caps(
    path: &str,
    max_units_per_line: Option<u32>,
    max_units: Option<u32>,
    discounted: Option<DiscountedUnits>,
) -> Result<(), ProgramError> {
    let err =
        |field: &str, problem| Err(ProgramError::new(format!("{path}.reward.{field}"), problem));
    if max_units_per_line == Some(0) {
        return err("max_units_per_line", Problem::ZeroLimit);
    }
    if max_units == Some(0) {
        return err("max_units", Problem::ZeroLimit);
    }
    if discounted.is_some() && max_units.is_none() {
        return err(
            "discounted",
            Problem::OptionNeeds {
                option: "discounted",
                needs: "max_units",
            },
        );
    }
    Ok(())
}

/// Checks a line or unit reward against its program (amounts in whole
/// minor units of its currency, selectors) and warns of a reward worth
/// nothing and of a percent below 1.
pub(crate) fn validate(
    path: &str,
    reward: &Reward,
    ctx: &mut RuleContext<'_>,
) -> Result<(), ProgramError> {
    let at = |field: &str| format!("{path}.reward.{field}");
    let zero = |ctx: &mut RuleContext<'_>, field: &str, what: &'static str| {
        ctx.warn(at(field), WarningKind::ZeroReward { what });
    };
    match reward {
        Reward::AmountOffEachLine { amount } => {
            ctx.amount(at("amount"), amount.value())?;
            if amount.value().is_zero() {
                zero(ctx, "amount", "amount");
            }
        }
        Reward::AmountOffEachUnit {
            amount, first_unit, ..
        } => {
            ctx.amount(at("amount"), amount.value())?;
            if let Some(first) = first_unit {
                ctx.amount(at("first_unit"), first.value())?;
            }
            if amount.value().is_zero() && first_unit.as_ref().is_none_or(|f| f.value().is_zero()) {
                zero(ctx, "amount", "amount");
            }
        }
        Reward::PercentOffEachUnit { percent, .. } => {
            if percent.is_zero() {
                zero(ctx, "percent", "percent");
            } else {
                ctx.percent_warnings(at("percent"), *percent);
            }
        }
        Reward::BuyXGetY {
            buy_lines,
            get_lines,
            percent,
            amount,
            ..
        } => {
            if let Some(lines) = buy_lines {
                ctx.discount_lines(&at("buy_lines"), lines)?;
            }
            if let Some(lines) = get_lines {
                ctx.discount_lines(&at("get_lines"), lines)?;
            }
            match (percent, amount) {
                (Some(p), _) if p.is_zero() => zero(ctx, "percent", "percent"),
                (Some(p), _) => ctx.percent_warnings(at("percent"), *p),
                (_, Some(a)) => {
                    ctx.amount(at("amount"), a.value())?;
                    if a.value().is_zero() {
                        zero(ctx, "amount", "amount");
                    }
                }
                (None, None) => {}
            }
        }
        Reward::FreeGift { value, .. } => {
            ctx.amount(at("value"), value.value())?;
        }
        _ => {}
    }
    Ok(())
}
