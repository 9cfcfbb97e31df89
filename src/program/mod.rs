//! Programs: a shop's rules as plain data, validated once.
//!
//! A [`ProgramDefinition`] is what a shop writes, in JSON, TOML or Rust.
//! [`Program::new`] validates it once and compiles it (ladders, coupons and
//! promotions read as one list of promotions, steps checked in order, codes
//! indexed, the automatic promotions listed), so that evaluating a checkout
//! never meets a malformed rule and never looks at a promotion whose code
//! it did not enter. Every error names the path to the field and the fix:
//!
//! ```text
//! ladders[0].steps[2]: threshold 200.00 must be above the previous step's 300.00
//! ```
//!
//! # Example
//!
//! ```
//! use loyalty::program::{Program, ProgramDefinition};
//!
//! let toml_text = r#"
//! id = "spring"
//! currency = "BRL"
//! time_zone = "America/Sao_Paulo"
//!
//! [[ladders]]
//! id = "spend-more"
//! steps = [
//!   { from = "100.00", percent = "5" },
//!   { from = "200.00", percent = "10" },
//!   { from = "300.00", percent = "15" },
//! ]
//! "#;
//! let definition: ProgramDefinition = toml::from_str(toml_text)?;
//! let program = Program::new(definition)?;
//! assert_eq!(program.ladders().len(), 1);
//!
//! let broken = toml_text.replace("\"200.00\"", "\"350.00\"");
//! let error = Program::new(toml::from_str(&broken)?).unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "ladders[0].steps[2]: threshold 300.00 must be above the previous step's 350.00"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, Country, CustomDate, Zone};
pub use crate::error::{Problem, ProgramError};
use crate::error::{Warning, WarningKind};
use crate::id::string_id;
use crate::money::PerCurrency;
use crate::money::{Currency, RemainderPolicy, RoundingMode, RoundingScope, Split};
use crate::rules::Unbuilt;
use crate::rules::cashback::{Cashback, CashbackDefinition};
use crate::rules::context::RuleContext;
use crate::rules::coupon::{Coupon, CouponDefinition, normalize_code};
use crate::rules::earn::{BonusDefinition, EarnRule, EarnRuleDefinition, Multipliers};
use crate::rules::expiry::LedgerPolicy;
use crate::rules::ladder::{Ladder, LadderDefinition};
use crate::rules::nudge::NudgeRules;
use crate::rules::promotion::{Origin, Promotion, PromotionDefinition};
use crate::rules::redemption::RedemptionPolicy;
use crate::rules::returns::ReturnPolicy;
use crate::rules::segment::{SegmentRule, SegmentRules};
pub use crate::rules::tier::TierDefinition;
use crate::rules::tier::{Benefits, TierRules, validate_tiers};
use currencies::Reading;
pub(crate) use currencies::{List, Unavailable};
pub use inputs::{InputPolicy, TaxPolicy, ZeroQuantity};
pub use limits::Limits;

mod currencies;
mod inputs;
pub(crate) mod limits;

string_id!(
    /// A program's id, as evaluations carry it.
    ProgramId,
    "program id"
);

/// How competing discounts are chosen and combined.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct StackingPolicy {
    /// How to choose among exclusive candidates. Default: best for the
    /// customer.
    pub pick: Pick,
    /// How stacked percentages combine. Default: compound.
    pub percentages: Percentages,
    /// The most all item discounts together may give, as an amount.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub max_total: Option<PerCurrency>,
    /// The most all item discounts together may give, as a percent of the
    /// eligible subtotal.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub max_total_percent: Option<Decimal>,
}

impl StackingPolicy {
    /// The default policy: best for the customer, compound percentages,
    /// no cap on the total.
    #[must_use]
    pub fn new() -> StackingPolicy {
        StackingPolicy::default()
    }

    /// Sets how exclusive candidates are chosen.
    #[must_use]
    pub fn pick(mut self, pick: Pick) -> StackingPolicy {
        self.pick = pick;
        self
    }

    /// Sets how stacked percentages combine.
    #[must_use]
    pub fn percentages(mut self, percentages: Percentages) -> StackingPolicy {
        self.percentages = percentages;
        self
    }

    /// Caps all item discounts together at an amount.
    #[must_use]
    pub fn max_total(mut self, max: impl Into<PerCurrency>) -> StackingPolicy {
        self.max_total = Some(max.into());
        self
    }

    /// Caps all item discounts together at a percent of the eligible
    /// subtotal.
    #[must_use]
    pub fn max_total_percent(mut self, percent: Decimal) -> StackingPolicy {
        self.max_total_percent = Some(percent);
        self
    }

    /// Validates the caps: not negative, in the program's minor units, a
    /// percent in (0, 100].
    fn validate(&self, path: &str, ctx: &mut RuleContext<'_>) -> Result<(), ProgramError> {
        if let Some(max) = self.max_total.as_ref().map(PerCurrency::value) {
            if max.is_sign_negative() && !max.is_zero() {
                return Err(ProgramError::new(
                    format!("{path}.max_total"),
                    Problem::Negative {
                        what: "total cap",
                        value: max,
                    },
                ));
            }
            ctx.amount(format!("{path}.max_total"), max)?;
        }
        if let Some(percent) = self.max_total_percent {
            crate::rules::ladder::check_percent(percent)
                .map_err(|p| ProgramError::new(format!("{path}.max_total_percent"), p))?;
            ctx.percent_warnings(format!("{path}.max_total_percent"), percent);
        }
        Ok(())
    }
}

/// Whether a setting has its default value (left out of the JSON).
pub(crate) fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// How the program picks among discounts that cannot all apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Pick {
    /// The combination that gives the customer the most. Ties go to the
    /// higher priority, then to the rule written first. The default.
    #[default]
    BestForCustomer,
    /// The highest priority wins; ties go to the rule written first.
    Priority,
}

/// How percent discounts combine when several apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Percentages {
    /// Each percent applies to the net left by the discounts before it
    /// (10% then 10% gives 19%). The default.
    #[default]
    Compound,
    /// Each percent applies to the original amount (10% and 10% give 20%).
    OnOriginal,
}

/// The calendar section of a program: the country whose holidays apply and
/// the shop's own dates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CalendarDefinition {
    /// The country for Mother's Day, Father's Day and Children's Day.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub country: Option<Country>,
    /// Named dates of the shop's own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub custom_dates: Vec<CustomDate>,
}

/// A program as a shop writes it.
///
/// Unknown fields are refused, so that a typo is an error and not a rule
/// silently ignored. See [`Program::new`] for what is validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgramDefinition {
    /// The program's id, part of every idempotency key.
    pub id: String,
    /// A name for people.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub name: Option<String>,
    /// The program's currency: of its plain amounts, and of the checkouts
    /// it evaluates (with those of `currencies`).
    pub currency: Currency,
    /// Further currencies the program serves. An order in one of them is
    /// evaluated with the program's amounts in it: each amount may be one
    /// per currency (`{"EUR": "10.00", "USD": "12.00"}`), and a rule with
    /// an amount that has none in the order's currency does not apply to
    /// it (`currency_mismatch` in the trace). Default: none, the program
    /// serves `currency` alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub currencies: Vec<Currency>,
    /// The time zone of dates, windows and seasonal events. Default: UTC.
    #[serde(default)]
    pub time_zone: Zone,
    /// How discounts are rounded to the minor unit. Default: half up.
    #[serde(default)]
    pub rounding: RoundingMode,
    /// Who gets leftover minor units in allocations. Default: largest
    /// remainder.
    #[serde(default)]
    pub remainder: RemainderPolicy,
    /// How the remainder policies that round each share
    /// (`round_then_in_order`, `last_takes_difference`) round them.
    /// Default: `rounding`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub share_rounding: Option<RoundingMode>,
    /// Where percent discounts are rounded: once on the eligible total,
    /// on each line's share, or on each unit's (percents off the items,
    /// percent steps, the tier's discount; bracket steps and a discount on
    /// the shipping alone are rounded once). A promotion may say
    /// otherwise. Default: total.
    #[serde(default, skip_serializing_if = "crate::program::is_default")]
    pub rounding_scope: RoundingScope,
    /// How an amount is spread over the lines it comes off: in proportion
    /// to their amounts, or the same per line or per unit. A promotion may
    /// say otherwise. Default: proportional.
    #[serde(default, skip_serializing_if = "crate::program::is_default")]
    pub split: Split,
    /// The country and custom dates.
    #[serde(default)]
    pub calendar: CalendarDefinition,
    /// How discounts combine.
    #[serde(default)]
    pub stacking: StackingPolicy,
    /// Progressive discount ladders: read as automatic promotions whose
    /// percent or amount off comes from their steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ladders: Vec<LadderDefinition>,
    /// Coupons: promotions that must have codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<CouponDefinition>,
    /// Promotions of any reward: automatic without codes, coupons with
    /// them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotions: Vec<PromotionDefinition>,
    /// The VIP tiers customers can be in, lowest first. When given, every
    /// tier a rule names must be one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<TierDefinition>,
    /// How tiers are measured, held and lost, when they say what they take.
    #[serde(default, skip_serializing_if = "TierRules::is_default")]
    pub tier_rules: TierRules,
    /// Points earning rules, applied in order; the ones that match add up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earning: Vec<EarnRuleDefinition>,
    /// Multipliers of earned points: by tier, line and campaign.
    #[serde(default, skip_serializing_if = "Multipliers::is_empty")]
    pub multipliers: Multipliers,
    /// Fixed bonuses of points for the order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bonuses: Vec<BonusDefinition>,
    /// Cashback rules; the ones that match add up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cashback: Vec<CashbackDefinition>,
    /// When points and cashback become available and expire.
    #[serde(default)]
    pub ledger: LedgerPolicy,
    /// Paying with points or cashback at checkout. Default: neither.
    #[serde(default, skip_serializing_if = "RedemptionPolicy::is_empty")]
    pub redemption: RedemptionPolicy,
    /// What a return takes back and gives back. Default: order-level points
    /// reversed when no longer earned, spent points capped at zero,
    /// shipping refunded with the last unit.
    #[serde(default, skip_serializing_if = "ReturnPolicy::is_default")]
    pub returns: ReturnPolicy,
    /// The sizes the program and its checkouts may reach.
    #[serde(default, skip_serializing_if = "Limits::is_default")]
    pub limits: Limits,
    /// The RFM segment rules: which scores give which segment, checked in
    /// order, the first match wins. Default: the common RFM table
    /// ([`SegmentRules::default`]).
    #[serde(
        default = "crate::rules::segment::default_table",
        skip_serializing_if = "crate::rules::segment::is_default_table"
    )]
    pub segments: Vec<SegmentRule>,
    /// Which nudges are on, and their thresholds. Default: none on.
    #[serde(
        default,
        skip_serializing_if = "NudgeRules::is_default",
        deserialize_with = "crate::rules::nudge::deserialize_unchecked"
    )]
    pub nudges: NudgeRules,
    /// How the program reads a checkout's input: lines of quantity 0, the
    /// tax basis of its minimums.
    #[serde(default, skip_serializing_if = "InputPolicy::is_default")]
    pub inputs: InputPolicy,
    /// The first error of a chain of setters, reported by `Program::new`.
    #[serde(skip)]
    pub(crate) unbuilt: Unbuilt,
}

impl ProgramDefinition {
    /// An empty program in `currency`, in UTC, rounding half up; add rules
    /// with the methods below.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::calendar::Zone;
    /// use loyalty::money::Currency;
    /// use loyalty::program::{Program, ProgramDefinition};
    /// use loyalty::rules::ladder::LadderDefinition;
    ///
    /// let program = Program::new(
    ///     ProgramDefinition::new("spring", Currency::EUR)
    ///         .time_zone(Zone::parse("Europe/Berlin")?)
    ///         .ladder(
    ///             LadderDefinition::new("spend-more")
    ///                 .percent_from("100", "5")
    ///                 .percent_from("200", "10"),
    ///         ),
    /// )?;
    /// assert_eq!(program.id(), "spring");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(id: impl Into<String>, currency: Currency) -> ProgramDefinition {
        ProgramDefinition {
            id: id.into(),
            name: None,
            currency,
            currencies: Vec::new(),
            time_zone: Zone::UTC,
            rounding: RoundingMode::default(),
            remainder: RemainderPolicy::default(),
            share_rounding: None,
            rounding_scope: RoundingScope::default(),
            split: Split::default(),
            calendar: CalendarDefinition::default(),
            stacking: StackingPolicy::default(),
            ladders: Vec::new(),
            coupons: Vec::new(),
            promotions: Vec::new(),
            tiers: Vec::new(),
            tier_rules: TierRules::default(),
            earning: Vec::new(),
            multipliers: Multipliers::default(),
            bonuses: Vec::new(),
            cashback: Vec::new(),
            ledger: LedgerPolicy::default(),
            redemption: RedemptionPolicy::default(),
            returns: ReturnPolicy::default(),
            limits: Limits::default(),
            segments: crate::rules::segment::default_table(),
            nudges: NudgeRules::default(),
            inputs: InputPolicy::default(),
            unbuilt: Unbuilt::default(),
        }
    }

    /// Sets the time zone.
    #[must_use]
    pub fn time_zone(mut self, zone: Zone) -> ProgramDefinition {
        self.time_zone = zone;
        self
    }

    /// Sets the rounding mode.
    #[must_use]
    pub fn rounding(mut self, mode: RoundingMode) -> ProgramDefinition {
        self.rounding = mode;
        self
    }

    /// Sets the remainder policy of allocations.
    #[must_use]
    pub fn remainder(mut self, policy: RemainderPolicy) -> ProgramDefinition {
        self.remainder = policy;
        self
    }

    /// Sets how the remainder policies that round each share round them.
    #[must_use]
    pub fn share_rounding(mut self, mode: RoundingMode) -> ProgramDefinition {
        self.share_rounding = Some(mode);
        self
    }

    /// Sets where percent discounts are rounded (a promotion may say
    /// otherwise).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::money::{RemainderPolicy, RoundingScope};
    /// use loyalty::prelude::*;
    ///
    /// // As Solidus: each line's percent rounded half up; an amount split
    /// // with every leftover cent on the first line.
    /// let program = Program::new(
    ///     ProgramDefinition::new("shop", Currency::USD)
    ///         .rounding_scope(RoundingScope::Line)
    ///         .remainder(RemainderPolicy::FirstTakesRest),
    /// )?;
    /// assert_eq!(program.rounding_scope(), RoundingScope::Line);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn rounding_scope(mut self, scope: RoundingScope) -> ProgramDefinition {
        self.rounding_scope = scope;
        self
    }

    /// Sets how amounts are spread over their lines (a promotion may say
    /// otherwise).
    #[must_use]
    pub fn split(mut self, split: Split) -> ProgramDefinition {
        self.split = split;
        self
    }

    /// Sets the sizes the program and its checkouts may reach.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> ProgramDefinition {
        self.limits = limits;
        self
    }

    /// Sets how the program reads a checkout's input.
    #[must_use]
    pub fn inputs(mut self, inputs: InputPolicy) -> ProgramDefinition {
        self.inputs = inputs;
        self
    }

    /// Sets the stacking policy.
    #[must_use]
    pub fn stacking(mut self, policy: StackingPolicy) -> ProgramDefinition {
        self.stacking = policy;
        self
    }

    /// Sets the calendar's country.
    #[must_use]
    pub fn country(mut self, country: Country) -> ProgramDefinition {
        self.calendar.country = Some(country);
        self
    }

    /// Adds a ladder.
    #[must_use]
    pub fn ladder(mut self, ladder: LadderDefinition) -> ProgramDefinition {
        self.ladders.push(ladder);
        self
    }

    /// Adds a coupon.
    #[must_use]
    pub fn coupon(mut self, coupon: CouponDefinition) -> ProgramDefinition {
        self.coupons.push(coupon);
        self
    }

    /// Adds a promotion: automatic when it has no codes, a coupon when it
    /// has them.
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::promotion::{PromotionDefinition, Reward};
    ///
    /// let program = Program::new(ProgramDefinition::new("shop", Currency::EUR).promotion(
    ///     PromotionDefinition::automatic("weekend", Reward::percent_off(Decimal::TEN))
    ///         .condition(Condition::Weekdays(vec![chrono::Weekday::Sat, chrono::Weekday::Sun])),
    /// ))?;
    /// assert!(program.promotions()[0].is_automatic());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn promotion(mut self, promotion: PromotionDefinition) -> ProgramDefinition {
        self.promotions.push(promotion);
        self
    }

    /// Adds a tier (tiers are listed lowest first). A blank id is reported
    /// by [`Program::new`].
    #[must_use]
    pub fn tier(mut self, id: &str) -> ProgramDefinition {
        match crate::customer::TierId::new(id) {
            Ok(id) => self.tiers.push(TierDefinition::new(id)),
            Err(_) => self.unbuilt.keep(
                format!("tiers[{}].id", self.tiers.len()),
                Problem::Blank { what: "tier id" },
            ),
        }
        self
    }

    /// Adds a tier written in full: its name, requirement and benefits
    /// (tiers are listed lowest first).
    #[must_use]
    pub fn tier_definition(mut self, tier: TierDefinition) -> ProgramDefinition {
        self.tiers.push(tier);
        self
    }

    /// Sets a name for people.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> ProgramDefinition {
        self.name = Some(name.into());
        self
    }

    /// Adds a date of the shop's own (an anniversary) to the calendar.
    #[must_use]
    pub fn custom_date(mut self, date: CustomDate) -> ProgramDefinition {
        self.calendar.custom_dates.push(date);
        self
    }

    /// Adds an earning rule.
    #[must_use]
    pub fn earning_rule(mut self, rule: EarnRuleDefinition) -> ProgramDefinition {
        self.earning.push(rule);
        self
    }

    /// Sets the multipliers.
    #[must_use]
    pub fn multipliers(mut self, multipliers: Multipliers) -> ProgramDefinition {
        self.multipliers = multipliers;
        self
    }

    /// Adds a bonus.
    #[must_use]
    pub fn bonus(mut self, bonus: BonusDefinition) -> ProgramDefinition {
        self.bonuses.push(bonus);
        self
    }

    /// Adds a cashback rule.
    #[must_use]
    pub fn cashback_rule(mut self, rule: CashbackDefinition) -> ProgramDefinition {
        self.cashback.push(rule);
        self
    }

    /// Sets the pending and expiry policy.
    #[must_use]
    pub fn ledger(mut self, policy: LedgerPolicy) -> ProgramDefinition {
        self.ledger = policy;
        self
    }

    /// Sets what customers may pay with.
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::redemption::{PointsRate, PointsRedemption, RedemptionPolicy};
    /// use rust_decimal::Decimal;
    ///
    /// let program = Program::new(ProgramDefinition::new("shop", Currency::EUR).redemption(
    ///     RedemptionPolicy {
    ///         points: Some(PointsRedemption::new(PointsRate::new(Decimal::ONE_HUNDRED, Decimal::ONE))),
    ///         ..RedemptionPolicy::default()
    ///     },
    /// ))?;
    /// assert!(program.redemption().points.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn redemption(mut self, policy: RedemptionPolicy) -> ProgramDefinition {
        self.redemption = policy;
        self
    }

    /// Sets what a return takes back and gives back.
    #[must_use]
    pub fn returns(mut self, policy: ReturnPolicy) -> ProgramDefinition {
        self.returns = policy;
        self
    }

    /// Sets the RFM segment rules (a [`SegmentRules`] or a list of
    /// [`SegmentRule`]s, checked by [`Program::new`]).
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::segment::SegmentRule;
    ///
    /// let program = Program::new(ProgramDefinition::new("shop", Currency::EUR).segments(vec![
    ///     SegmentRule::new("vip")?.r(4, 5).f(4, 5),
    ///     SegmentRule::new("others")?,
    /// ]))?;
    /// assert_eq!(program.segments().rules().len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn segments(mut self, rules: impl Into<Vec<SegmentRule>>) -> ProgramDefinition {
        self.segments = rules.into();
        self
    }

    /// Sets which nudges are on, and their thresholds (checked by
    /// [`Program::new`]).
    #[must_use]
    pub fn nudges(mut self, rules: NudgeRules) -> ProgramDefinition {
        self.nudges = rules;
        self
    }

    /// Serves `currency` too, beside the program's own: give the amounts
    /// that must differ there per currency.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::money::PerCurrency;
    ///
    /// let program = Program::new(
    ///     ProgramDefinition::new("shop", Currency::EUR)
    ///         .serve(Currency::USD)
    ///         .promotion(PromotionDefinition::automatic(
    ///             "ten-off",
    ///             Reward::amount_off(PerCurrency::table([
    ///                 (Currency::EUR, Decimal::TEN),
    ///                 (Currency::USD, Decimal::from(12)),
    ///             ])),
    ///         )),
    /// )?;
    /// assert_eq!(program.currencies(), [Currency::EUR, Currency::USD]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn serve(mut self, currency: Currency) -> ProgramDefinition {
        self.currencies.push(currency);
        self
    }
}

/// A validated, compiled program. Immutable, `Send + Sync`: one program
/// serves any number of threads.
#[derive(Clone, Debug)]
pub struct Program {
    /// The definition as read for the program's currency: every amount
    /// plain, the rules without one left out.
    definition: ProgramDefinition,
    /// The definition as written, when reading changed it.
    written: Option<Box<ProgramDefinition>>,
    /// Every currency served, the program's own first.
    served: Vec<Currency>,
    /// The program as read for each further currency, in `served` order.
    views: Vec<Program>,
    /// The rules left out of this reading: no amount in its currency.
    unavailable: Vec<Unavailable>,
    /// The codes of those, normalised, by index into `unavailable`.
    unavailable_codes: HashMap<String, usize>,
    /// The decimals points are kept to, over every earning rule of every
    /// currency.
    points_decimals: u32,
    /// The id, shared with every evaluation.
    program_id: ProgramId,
    calendar: Calendar,
    /// The `ladders` list, compiled, as ladders.
    ladders: Vec<Ladder>,
    /// Every promotion in one shape: the ladders, then the coupons, then
    /// the `promotions` list.
    promotions: Vec<Promotion>,
    /// The automatic ones (no codes), by index into `promotions`, in order.
    automatic: Vec<usize>,
    /// How many of the automatic ones have steps.
    automatic_steps: usize,
    earning: Vec<EarnRule>,
    cashback: Vec<Cashback>,
    /// The ids of the campaigns and bonuses, shared with evaluations.
    campaign_ids: Vec<crate::rules::RuleId>,
    bonus_ids: Vec<crate::rules::RuleId>,
    /// The benefits of the tiers that give any, in tier order.
    tier_benefits: Vec<Benefits>,
    /// Normalised code → index into `promotions`.
    codes: HashMap<String, usize>,
    /// The validated segment rules.
    segments: SegmentRules,
    /// What looks wrong but is valid.
    warnings: Vec<Warning>,
}

impl Program {
    /// Validates and compiles a definition.
    ///
    /// Checked: the id; the calendar (country, custom dates); every ladder
    /// (steps ascending, percents in (0, 100], rewards that never shrink,
    /// amounts in the currency's minor units); every coupon and promotion
    /// (codes unique across the program ignoring case, a coupon with codes,
    /// `unique` only with codes, limits of 1 or more, rewards and their
    /// steps);
    /// every condition (bounds, lists, nesting, seasonal events the calendar
    /// can resolve); ids unique across ladders and coupons; every tier's
    /// benefits (a percent in (0, 100], lines only for a discount, bonus
    /// points not negative and kept to the program's points decimals); the
    /// segment rules (ranges within 1–5, no rule the rules before it
    /// shadow); the nudge settings (no negative days or amounts, shares in
    /// (0, 100], milestones from 1).
    ///
    /// A program that serves several currencies (`currencies`) is read
    /// once per currency, and each reading is checked as above: amounts in
    /// that currency's minor units, steps ascending in each. Also checked:
    /// every currency of an amount's table is one the program serves; a
    /// number of units has no currency; every rule has its amounts in at
    /// least one same currency; the stacking cap is given in every
    /// currency; ids and codes are unique across all rules. An error names
    /// the rule as written, whichever reading found it.
    ///
    /// # Errors
    ///
    /// The first [`ProgramError`] found, with its path.
    pub fn new(definition: ProgramDefinition) -> Result<Program, ProgramError> {
        if ProgramId::new(definition.id.as_str()).is_err() {
            return Err(ProgramError::new(
                "id",
                Problem::Blank { what: "program id" },
            ));
        }
        definition.unbuilt.check("")?;
        check_sizes(&definition)?;
        // Read once per currency served; each reading is a program of one
        // currency, compiled on its own.
        let served = currencies::served(&definition);
        let main = currencies::read(&definition, definition.currency, &served, true)?;
        let others = served[1..]
            .iter()
            .map(|currency| currencies::read(&definition, *currency, &served, false))
            .collect::<Result<Vec<_>, _>>()?;
        let readings: Vec<&Reading> = std::iter::once(&main).chain(&others).collect();
        let mut errors = currencies::check_across(&definition, &served, &readings);
        let mut warnings = currencies::partial(&served, &readings);
        let mut compile = |reading: &Reading| {
            let rewrite = |path: &str| reading.written_path(path);
            let main = reading.definition.currency == definition.currency;
            match Program::compile(reading.definition.clone(), main) {
                Ok(mut program) => {
                    warnings.extend(
                        std::mem::take(&mut program.warnings)
                            .into_iter()
                            .map(|w| w.map_path(&rewrite)),
                    );
                    warnings.extend(reading.warnings.iter().cloned());
                    program.unavailable = reading.unavailable.clone();
                    program.unavailable_codes = program
                        .unavailable
                        .iter()
                        .enumerate()
                        .flat_map(|(i, u)| u.codes.iter().map(move |c| (c.clone(), i)))
                        .collect();
                    Some(program)
                }
                Err(error) => {
                    errors.extend(error.map_path(&rewrite).into_all());
                    None
                }
            }
        };
        let program = compile(&main);
        let views: Vec<Option<Program>> = others.iter().map(&mut compile).collect();
        if let Some(error) = ProgramError::gather(dedup(errors, served.len())) {
            return Err(error);
        }
        let (Some(mut program), Some(views)) =
            (program, views.into_iter().collect::<Option<Vec<_>>>())
        else {
            // Every reading that failed gave its errors, refused above.
            return Err(ProgramError::new("", Problem::Blank { what: "program" }));
        };
        // Points are the same in every currency: kept to the decimals of
        // every earning rule as written.
        let points_decimals = definition
            .earning
            .iter()
            .map(|rule| rule.rounding.decimals())
            .max()
            .unwrap_or(0);
        program.points_decimals = points_decimals;
        program.views = views;
        for view in &mut program.views {
            view.points_decimals = points_decimals;
            view.served.clone_from(&served);
        }
        program.warnings = dedup(warnings, served.len());
        program.served = served;
        if program.definition != definition {
            program.written = Some(Box::new(definition));
        }
        Ok(program)
    }

    /// Validates and compiles a definition of one currency, every amount
    /// plain.
    /// Tiers are measured in the program's own currency: their amounts are
    /// checked in the `main` reading only.
    fn compile(definition: ProgramDefinition, main: bool) -> Result<Program, ProgramError> {
        let Ok(program_id) = ProgramId::new(definition.id.as_str()) else {
            return Err(ProgramError::new(
                "id",
                Problem::Blank { what: "program id" },
            ));
        };
        definition.unbuilt.check("")?;
        let calendar = Calendar::new(
            definition.time_zone,
            definition.calendar.country,
            definition.calendar.custom_dates.clone(),
        )
        .map_err(|e| ProgramError::new("calendar", Problem::Calendar(e)))?;
        for (i, tier) in definition.tiers.iter().enumerate() {
            if definition.tiers[..i].iter().any(|t| t.id == tier.id) {
                return Err(ProgramError::new(
                    format!("tiers[{i}].id"),
                    Problem::DuplicateId {
                        id: tier.id.to_string(),
                    },
                ));
            }
        }
        let mut ctx = RuleContext::new(definition.currency, &calendar, &definition.tiers);
        // Each rule validates itself against the program, on its own: every
        // rule that is wrong is reported. Ids are unique across all rules,
        // codes across all coupons.
        let mut errors: Vec<ProgramError> = Vec::new();
        let mut keep = |result: Result<(), ProgramError>| {
            if let Err(e) = result {
                errors.push(e);
            }
        };
        keep(definition.stacking.validate("stacking", &mut ctx));
        if definition.share_rounding.is_some()
            && !matches!(
                definition.remainder,
                RemainderPolicy::RoundThenInOrder | RemainderPolicy::LastTakesDifference
            )
        {
            ctx.warn(
                "share_rounding",
                WarningKind::NoEffect {
                    setting: "share_rounding",
                    why: "the remainder policy does not round each share (only round_then_in_order and last_takes_difference do)",
                },
            );
        }
        let mut ids: HashSet<&str> = HashSet::new();
        // Every promotion in one list: the ladders (read as promotions),
        // then the coupons, then the promotions. Codes are unique across
        // all of them.
        let mut ladders = Vec::with_capacity(definition.ladders.len());
        let mut promotions = Vec::with_capacity(
            definition.ladders.len() + definition.coupons.len() + definition.promotions.len(),
        );
        for (i, def) in definition.ladders.iter().enumerate() {
            let path = format!("ladders[{i}]");
            keep(unique(&mut ids, &path, &def.id));
            keep(def.clone().validate(&path, &mut ctx).map(|l| {
                promotions.push(Promotion::from_ladder(&l));
                ladders.push(l);
            }));
        }
        let mut codes: HashMap<String, usize> = HashMap::new();
        let first_coded = definition.ladders.len();
        let id_at = |index: usize| -> &str {
            let at = index - first_coded;
            match definition.coupons.get(at) {
                Some(def) => &def.id,
                None => definition
                    .promotions
                    .get(at - definition.coupons.len())
                    .map_or("", |def| def.id.as_str()),
            }
        };
        let lists = [
            ("coupons", Origin::Coupons, &definition.coupons),
            ("promotions", Origin::Promotions, &definition.promotions),
        ];
        let mut at = first_coded;
        for (list, origin, defs) in lists {
            for (i, def) in defs.iter().enumerate() {
                let path = format!("{list}[{i}]");
                keep(unique(&mut ids, &path, &def.id));
                keep(
                    def.clone()
                        .validate(&path, origin, &mut ctx)
                        .map(|p| promotions.push(p)),
                );
                for (c, code) in def.codes.iter().enumerate() {
                    if let Some(other) = codes.insert(normalize_code(code), at) {
                        keep(Err(ProgramError::new(
                            format!("{path}.codes[{c}]"),
                            Problem::DuplicateCode {
                                code: code.clone(),
                                other: id_at(other).to_owned(),
                            },
                        )));
                    }
                }
                at += 1;
            }
        }
        let mut earning = Vec::with_capacity(definition.earning.len());
        for (i, def) in definition.earning.iter().enumerate() {
            let path = format!("earning[{i}]");
            keep(unique(&mut ids, &path, &def.id));
            keep(
                def.clone()
                    .validate(&path, &mut ctx)
                    .map(|e| earning.push(e)),
            );
        }
        keep(definition.multipliers.validate_in("multipliers", &mut ctx));
        for (i, def) in definition.bonuses.iter().enumerate() {
            let path = format!("bonuses[{i}]");
            keep(unique(&mut ids, &path, &def.id));
            keep(def.validate_in(&path, &mut ctx));
        }
        let mut cashback = Vec::with_capacity(definition.cashback.len());
        for (i, def) in definition.cashback.iter().enumerate() {
            let path = format!("cashback[{i}]");
            keep(unique(&mut ids, &path, &def.id));
            keep(
                def.clone()
                    .validate(&path, &mut ctx)
                    .map(|c| cashback.push(c)),
            );
        }
        keep(definition.ledger.validate("ledger"));
        let points_decimals = definition
            .earning
            .iter()
            .map(|rule| rule.rounding.decimals())
            .max()
            .unwrap_or(0);
        keep(
            definition
                .redemption
                .validate("redemption", &mut ctx, points_decimals),
        );
        if main {
            keep(validate_tiers(
                &definition.tiers,
                &definition.tier_rules,
                &ctx,
            ));
        }
        for (i, tier) in definition.tiers.iter().enumerate() {
            keep(tier.benefits.validate(
                &format!("tiers[{i}].benefits"),
                &mut ctx,
                points_decimals,
            ));
        }
        let mut segments = SegmentRules::default();
        match crate::rules::segment::compile("segments", &definition.segments, &mut ctx) {
            Ok(compiled) => segments = compiled,
            Err(refused) => errors.extend(refused),
        }
        if let Err(refused) = crate::rules::nudge::compile("nudges", &definition.nudges, &mut ctx) {
            errors.extend(refused);
        }
        if let Some(error) = ProgramError::gather(errors) {
            return Err(error);
        }
        let warnings = ctx.warnings;
        let campaign_ids = rule_ids(
            "multipliers.campaigns",
            definition
                .multipliers
                .campaigns
                .iter()
                .map(|c| c.id.as_str()),
        )?;
        let bonus_ids = rule_ids("bonuses", definition.bonuses.iter().map(|b| b.id.as_str()))?;
        let tier_benefits = definition
            .tiers
            .iter()
            .enumerate()
            .filter_map(|(i, tier)| Benefits::compile(i, tier))
            .collect();
        for (index, promotion) in promotions.iter_mut().enumerate() {
            promotion.index = index;
        }
        let automatic: Vec<usize> = promotions
            .iter()
            .filter(|p| p.is_automatic())
            .map(|p| p.index)
            .collect();
        let automatic_steps = automatic
            .iter()
            .filter(|&&i| promotions[i].steps().is_some())
            .count();
        Ok(Program {
            program_id,
            served: vec![definition.currency],
            definition,
            written: None,
            views: Vec::new(),
            unavailable: Vec::new(),
            unavailable_codes: HashMap::new(),
            points_decimals,
            calendar,
            ladders,
            promotions,
            automatic,
            automatic_steps,
            earning,
            cashback,
            campaign_ids,
            bonus_ids,
            tier_benefits,
            codes,
            segments,
            warnings,
        })
    }

    /// What is valid but probably a mistake: a percent below 1 ("did you
    /// mean 5?"), a reward of value 0 (a no-op), a condition that can never
    /// hold, a line selector that selects nothing, a coupon for the first
    /// order only on a later order number. Empty for a program without
    /// surprises.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    ///
    /// let program = Program::new(
    ///     ProgramDefinition::new("shop", Currency::EUR)
    ///         .ladder(LadderDefinition::new("spend-more").percent_from("100.00", "0.05")),
    /// )?;
    /// assert_eq!(
    ///     program.warnings()[0].to_string(),
    ///     "ladders[0].steps[0].percent: percent 0.05 is below 1: did you mean 5?"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// [`warnings`](Self::warnings), and the windows that have ended by `at`
    /// (a coupon's validity, a date window in a condition): the program
    /// reads no clock, so the host says when "now" is.
    #[must_use]
    pub fn warnings_at(&self, at: chrono::DateTime<chrono::Utc>) -> Vec<Warning> {
        let local = self.calendar.zone().to_local(at);
        let mut out = self.warnings.clone();
        let mut ended = |path: String, window: &crate::calendar::DateWindow| {
            if let Some(end) = window.end()
                && end <= local
            {
                out.push(Warning::new(path, WarningKind::WindowEnded { end }));
            }
        };
        let written = self.definition();
        let conditions = written
            .ladders
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("ladders[{i}].condition"), d.condition.as_ref()))
            .chain(
                written
                    .coupons
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (format!("coupons[{i}].condition"), d.condition.as_ref())),
            )
            .chain(
                written
                    .promotions
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (format!("promotions[{i}].condition"), d.condition.as_ref())),
            )
            .chain(
                written
                    .earning
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (format!("earning[{i}].condition"), d.condition.as_ref())),
            )
            .chain(
                written
                    .bonuses
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (format!("bonuses[{i}].condition"), d.condition.as_ref())),
            )
            .chain(
                written
                    .cashback
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (format!("cashback[{i}].condition"), d.condition.as_ref())),
            )
            .chain(
                written
                    .multipliers
                    .campaigns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (format!("multipliers.campaigns[{i}].when"), Some(&c.when))),
            );
        for (path, condition) in conditions {
            if let Some(condition) = condition {
                condition.windows(&mut |window| ended(path.clone(), window));
            }
        }
        for (list, promotions) in [
            ("coupons", &written.coupons),
            ("promotions", &written.promotions),
        ] {
            for (i, promotion) in promotions.iter().enumerate() {
                if let Some(window) = &promotion.valid {
                    ended(format!("{list}[{i}].valid"), window);
                }
            }
        }
        out
    }

    /// The program's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.definition.id
    }

    /// The program's id, shared (cloning it copies no text).
    #[must_use]
    pub fn program_id(&self) -> &ProgramId {
        &self.program_id
    }

    /// The definition it was compiled from.
    #[must_use]
    pub fn definition(&self) -> &ProgramDefinition {
        self.written.as_deref().unwrap_or(&self.definition)
    }

    /// Every currency the program serves, its own first.
    #[must_use]
    pub fn currencies(&self) -> &[Currency] {
        &self.served
    }

    /// The program's own currency, that of its plain amounts, whichever
    /// currency this reading is of: tiers, profiles, nudges and
    /// simulations measure orders in it.
    pub(crate) fn main_currency(&self) -> Currency {
        self.served
            .first()
            .copied()
            .unwrap_or(self.definition.currency)
    }

    /// The program as it reads for `currency`: every amount the one in
    /// `currency`, without the rules that have none there. The program
    /// itself for its own currency; `None` for a currency it does not
    /// serve.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    ///
    /// let program = Program::new(
    ///     ProgramDefinition::new("shop", Currency::EUR)
    ///         .serve(Currency::USD)
    ///         .promotion(PromotionDefinition::automatic("ten-off", Reward::amount_off(Decimal::TEN))),
    /// )?;
    /// // 10.00 is in euros: the promotion gives nothing on a dollar order.
    /// assert_eq!(program.promotions().len(), 1);
    /// assert_eq!(program.in_currency(Currency::USD).unwrap().promotions().len(), 0);
    /// assert!(program.in_currency(Currency::JPY).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn in_currency(&self, currency: Currency) -> Option<&Program> {
        if currency == self.definition.currency {
            return Some(self);
        }
        self.views
            .iter()
            .find(|view| view.definition.currency == currency)
    }

    /// The program for an order in `currency`: its reading there, or the
    /// program itself for a currency it does not serve (which its checks
    /// refuse).
    pub(crate) fn for_currency(&self, currency: Currency) -> &Program {
        self.in_currency(currency).unwrap_or(self)
    }

    /// The rules left out of this reading, for want of an amount in its
    /// currency.
    pub(crate) fn unavailable(&self) -> &[Unavailable] {
        &self.unavailable
    }

    /// The rule left out of this reading that has `code` (normalised).
    pub(crate) fn unavailable_code(&self, code: &str) -> Option<&Unavailable> {
        self.unavailable_codes
            .get(code)
            .and_then(|&i| self.unavailable.get(i))
    }

    /// The program's currency.
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.definition.currency
    }

    /// The program's calendar: time zone, country, custom dates.
    #[must_use]
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The rounding mode of discounts.
    #[must_use]
    pub fn rounding(&self) -> RoundingMode {
        self.definition.rounding
    }

    /// The remainder policy of allocations.
    #[must_use]
    pub fn remainder(&self) -> RemainderPolicy {
        self.definition.remainder
    }

    /// How the remainder policies that round each share round them: the
    /// program's `share_rounding`, else its rounding mode.
    #[must_use]
    pub fn share_rounding(&self) -> RoundingMode {
        self.definition
            .share_rounding
            .unwrap_or(self.definition.rounding)
    }

    /// Where percent discounts are rounded, unless a promotion says
    /// otherwise.
    #[must_use]
    pub fn rounding_scope(&self) -> RoundingScope {
        self.definition.rounding_scope
    }

    /// How amounts are spread over their lines, unless a promotion says
    /// otherwise.
    #[must_use]
    pub fn split(&self) -> Split {
        self.definition.split
    }

    /// The stacking policy.
    #[must_use]
    pub fn stacking(&self) -> &StackingPolicy {
        &self.definition.stacking
    }

    /// The compiled ladders, in definition order.
    #[must_use]
    pub fn ladders(&self) -> &[Ladder] {
        &self.ladders
    }

    /// The compiled coupons, in definition order.
    #[must_use]
    pub fn coupons(&self) -> &[Coupon] {
        let first = self.ladders.len();
        &self.promotions[first..first + self.definition.coupons.len()]
    }

    /// Every promotion of the program in one shape, in the order they rank:
    /// the ladders (read as automatic promotions with steps), then the
    /// coupons, then the `promotions` list. Those without codes are judged
    /// on every checkout ([`Promotion::is_automatic`]).
    #[must_use]
    pub fn promotions(&self) -> &[Promotion] {
        &self.promotions
    }

    /// The promotion with id `id`, of any list.
    #[must_use]
    pub fn promotion(&self, id: &str) -> Option<&Promotion> {
        self.promotions.iter().find(|p| p.id() == id)
    }

    /// The automatic promotions, in order.
    pub(crate) fn automatic(&self) -> impl ExactSizeIterator<Item = &Promotion> + '_ {
        self.automatic.iter().map(|&i| &self.promotions[i])
    }

    /// How many automatic promotions have steps.
    pub(crate) fn automatic_steps(&self) -> usize {
        self.automatic_steps
    }

    /// The compiled earning rules, in definition order.
    #[must_use]
    pub fn earning(&self) -> &[EarnRule] {
        &self.earning
    }

    /// The compiled cashback rules, in definition order.
    #[must_use]
    pub fn cashback(&self) -> &[Cashback] {
        &self.cashback
    }

    /// The multipliers of earned points.
    #[must_use]
    pub fn multipliers(&self) -> &Multipliers {
        &self.definition.multipliers
    }

    /// The bonuses.
    #[must_use]
    pub fn bonuses(&self) -> &[BonusDefinition] {
        &self.definition.bonuses
    }

    /// The ids of the campaigns, in definition order.
    pub(crate) fn campaign_ids(&self) -> &[crate::rules::RuleId] {
        &self.campaign_ids
    }

    /// The ids of the bonuses, in definition order.
    pub(crate) fn bonus_ids(&self) -> &[crate::rules::RuleId] {
        &self.bonus_ids
    }

    /// The sizes the program and its checkouts may reach.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.definition.limits
    }

    /// How the program reads a checkout's input.
    #[must_use]
    pub fn inputs(&self) -> &InputPolicy {
        &self.definition.inputs
    }

    /// The pending and expiry policy.
    #[must_use]
    pub fn ledger(&self) -> &LedgerPolicy {
        &self.definition.ledger
    }

    /// What customers may pay with.
    #[must_use]
    pub fn redemption(&self) -> &RedemptionPolicy {
        &self.definition.redemption
    }

    /// What a return takes back and gives back.
    #[must_use]
    pub fn returns(&self) -> &ReturnPolicy {
        &self.definition.returns
    }

    /// How tiers are measured, held and lost.
    #[must_use]
    pub fn tier_rules(&self) -> &TierRules {
        &self.definition.tier_rules
    }

    /// The program's tiers, lowest first.
    #[must_use]
    pub fn tiers(&self) -> &[TierDefinition] {
        &self.definition.tiers
    }

    /// The RFM segment rules, validated: the program's `segments`, or the
    /// default table.
    #[must_use]
    pub fn segments(&self) -> &SegmentRules {
        &self.segments
    }

    /// Which nudges are on, and their thresholds, validated.
    #[must_use]
    pub fn nudge_rules(&self) -> &NudgeRules {
        &self.definition.nudges
    }

    /// The benefits of `tier`, when it is one of the program's and gives
    /// any.
    #[inline]
    pub(crate) fn benefits_of(&self, tier: &crate::customer::TierId) -> Option<&Benefits> {
        self.tier_benefits.iter().find(|b| &b.tier == tier)
    }

    /// The decimals the program's points are kept to: the most any earning
    /// rule keeps (0 for whole points).
    #[must_use]
    pub fn points_decimals(&self) -> u32 {
        self.points_decimals
    }

    /// Whether every points figure of the program is whole: no earning
    /// rule keeps decimals (so a redemption must ask for whole points).
    #[must_use]
    pub fn keeps_whole_points(&self) -> bool {
        self.points_decimals() == 0
    }

    /// The coupon a code redeems, matching ignoring case and surrounding
    /// space.
    #[must_use]
    pub fn coupon_for_code(&self, code: &str) -> Option<&Coupon> {
        self.coupon_for_normalized(&normalize_code(code))
    }

    /// The coupon of a code already normalised with [`normalize_code`].
    pub(crate) fn coupon_for_normalized(&self, code: &str) -> Option<&Coupon> {
        self.codes.get(code).and_then(|&i| self.promotions.get(i))
    }
}

/// Refuses a program past its limits before any rule is read.
fn check_sizes(definition: &ProgramDefinition) -> Result<(), ProgramError> {
    let limits = &definition.limits;
    let too_big = |path: &str, what, found, limit| {
        limits::within(what, found, limit)
            .map_err(|e| ProgramError::new(path, Problem::LimitExceeded(e)))
    };
    let rules = definition.ladders.len()
        + definition.coupons.len()
        + definition.promotions.len()
        + definition.earning.len()
        + definition.bonuses.len()
        + definition.multipliers.campaigns.len()
        + definition.cashback.len();
    too_big(
        "program",
        "rules in the program",
        rules,
        limits.rules_per_program,
    )?;
    let coupon_codes: usize = definition.coupons.iter().map(|c| c.codes.len()).sum();
    let promotion_codes: usize = definition.promotions.iter().map(|p| p.codes.len()).sum();
    too_big(
        if promotion_codes == 0 {
            "coupons"
        } else {
            "promotions"
        },
        "coupon codes in the program",
        coupon_codes.saturating_add(promotion_codes),
        limits.codes_per_program,
    )?;
    for (i, ladder) in definition.ladders.iter().enumerate() {
        too_big(
            &format!("ladders[{i}].steps"),
            "steps in the ladder",
            ladder.steps.len(),
            limits.steps_per_ladder,
        )?;
    }
    for (list, promotions) in [
        ("coupons", &definition.coupons),
        ("promotions", &definition.promotions),
    ] {
        for (i, promotion) in promotions.iter().enumerate() {
            too_big(
                &format!("{list}[{i}].reward.steps"),
                "steps in the ladder",
                promotion.reward.steps().len(),
                limits.steps_per_ladder,
            )?;
        }
    }
    Ok(())
}

/// Each item once, in its first place, as its text tells: the readings of
/// a program in several currencies find the same errors and warnings (a
/// program in one currency has one reading, and is left as it is).
fn dedup<T: fmt::Display>(items: Vec<T>, readings: usize) -> Vec<T> {
    if readings < 2 {
        return items;
    }
    let mut seen = HashSet::with_capacity(items.len());
    items
        .into_iter()
        .filter(|item| seen.insert(item.to_string()))
        .collect()
}

/// Records a rule's id, refusing one already used by another rule.
fn unique<'d>(ids: &mut HashSet<&'d str>, path: &str, id: &'d str) -> Result<(), ProgramError> {
    if ids.insert(id) {
        Ok(())
    } else {
        Err(ProgramError::new(
            format!("{path}.id"),
            Problem::DuplicateId { id: id.to_owned() },
        ))
    }
}

/// The ids of campaigns or bonuses, shared with evaluations.
fn rule_ids<'d>(
    path: &str,
    ids: impl Iterator<Item = &'d str>,
) -> Result<Vec<crate::rules::RuleId>, ProgramError> {
    ids.enumerate()
        .map(|(i, id)| {
            crate::rules::RuleId::new(id).map_err(|_| {
                ProgramError::new(format!("{path}[{i}].id"), Problem::Blank { what: "id" })
            })
        })
        .collect()
}

impl fmt::Display for Program {
    /// One line per rule family, then the customer's side when there is
    /// one, e.g.:
    ///
    /// ```text
    /// program spring (BRL, America/Sao_Paulo): 1 ladder, 2 coupons (3 codes), 3 tiers, 1 earning rule, 2 multipliers, 1 bonus, 1 cashback rule; pays with points; tiers qualify over the calendar year; 1 warning
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn count(f: &mut fmt::Formatter<'_>, n: usize, one: &str, many: &str) -> fmt::Result {
            write!(f, "{n} {}", if n == 1 { one } else { many })
        }
        let d = self.definition();
        let currencies = self
            .served
            .iter()
            .map(Currency::code)
            .collect::<Vec<_>>()
            .join(" + ");
        write!(f, "program {} ({currencies}, {}): ", d.id, d.time_zone)?;
        count(f, d.ladders.len(), "ladder", "ladders")?;
        f.write_str(", ")?;
        count(f, d.coupons.len(), "coupon", "coupons")?;
        f.write_str(" (")?;
        let coupon_codes: usize = d.coupons.iter().map(|c| c.codes.len()).sum();
        count(f, coupon_codes, "code", "codes")?;
        f.write_str("), ")?;
        if !d.promotions.is_empty() {
            count(f, d.promotions.len(), "promotion", "promotions")?;
            let automatic = d.promotions.iter().filter(|p| p.is_automatic()).count();
            write!(f, " ({automatic} automatic), ")?;
        }
        count(f, d.tiers.len(), "tier", "tiers")?;
        f.write_str(", ")?;
        count(f, d.earning.len(), "earning rule", "earning rules")?;
        f.write_str(", ")?;
        let multipliers =
            d.multipliers.tiers.len() + d.multipliers.lines.len() + d.multipliers.campaigns.len();
        count(f, multipliers, "multiplier", "multipliers")?;
        f.write_str(", ")?;
        count(f, d.bonuses.len(), "bonus", "bonuses")?;
        f.write_str(", ")?;
        count(f, d.cashback.len(), "cashback rule", "cashback rules")?;
        // The customer's side, when the program has one.
        let pays = match (&d.redemption.points, &d.redemption.cashback) {
            (Some(_), Some(_)) => Some("points and cashback"),
            (Some(_), None) => Some("points"),
            (None, Some(_)) => Some("cashback"),
            (None, None) => None,
        };
        if let Some(pays) = pays {
            write!(f, "; pays with {pays}")?;
        }
        if d.tiers.iter().any(|t| t.qualify.is_some()) {
            let window = match d.tier_rules.window {
                crate::rules::tier::TierWindow::CalendarYear => "the calendar year".to_owned(),
                crate::rules::tier::TierWindow::RollingMonths(n) => format!("the last {n} months"),
                crate::rules::tier::TierWindow::Lifetime => "the whole history".to_owned(),
            };
            write!(f, "; tiers qualify over {window}")?;
        }
        if !self.warnings.is_empty() {
            f.write_str("; ")?;
            count(f, self.warnings.len(), "warning", "warnings")?;
        }
        Ok(())
    }
}
