//! Orders, their lines, and refunds.
//!
//! An [`Order`] is validated when it is built or deserialised: every line is
//! in the order's currency, prices are zero or more, quantities 1 or more,
//! line ids are unique, and the order's total is at most
//! [`Money::MAX_ORDER_AMOUNT`]. An evaluator can then rely on those facts.
//!
//! What hosts carry beside the price is kept too:
//!
//! - **labels**, key/value pairs a [`LineSelector`](crate::condition::LineSelector)
//!   can select on (`{"brand": "acme", "collection": "summer"}`);
//! - a **discountable unit amount**, the part of each unit's price that
//!   promotions may take off (a deposit, a minimum price, a product that is
//!   never discounted but still earns);
//! - a **tax rate**, read only when the program measures its minimums on
//!   another tax basis than its prices ([`TaxBasis`]);
//! - a **guest** order names no customer ([`Order::guest_builder`]);
//! - a line of **quantity 0** is kept aside ([`Order::zero_quantity_lines`]):
//!   a program refuses it, or ignores it when it asks for lenient input.
//!
//! # Example
//!
//! ```
//! use loyalty::money::{Currency, Money};
//! use loyalty::order::{Line, Order};
//!
//! let eur = Currency::EUR;
//! let order = Order::builder("A-1001", "C-42", "2026-11-27T14:30:00Z".parse()?, eur)
//!     .line(Line::new("1", "TEA-GREEN", 2, Money::parse("12.50", eur)?)?.with_category("tea")?)
//!     .line(Line::new("2", "GIFT-CARD-50", 1, Money::parse("50.00", eur)?)?.exempt())
//!     .shipping(Money::parse("4.90", eur)?)
//!     .coupon("WELCOME10")
//!     .build()?;
//! assert_eq!(order.gross_subtotal().to_string(), "75.00 EUR");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::Country;
use crate::customer::CustomerId;
use crate::id::{EmptyIdError, string_id};
use crate::money::{Currency, Money, MoneyError, RoundingMode};

string_id!(
    /// An order's identifier, as the shop knows it.
    OrderId,
    "order id"
);
string_id!(
    /// A line's identifier, unique within its order.
    LineId,
    "line id"
);
string_id!(
    /// A stock-keeping unit: the product a line sells.
    Sku,
    "sku"
);
string_id!(
    /// A product category, e.g. `"tea"` or `"refills"`.
    Category,
    "category"
);
string_id!(
    /// The channel an order came through, e.g. `"web"`, `"app"`, `"store"`.
    Channel,
    "channel"
);
string_id!(
    /// The key of a line's label, e.g. `"brand"` or `"collection"`. Keys
    /// match exactly, case included, like segments.
    LabelKey,
    "label key"
);

/// Why an order, line or refund is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OrderError {
    /// An identifier was blank.
    #[error(transparent)]
    EmptyId(#[from] EmptyIdError),
    /// A line's quantity was below zero.
    #[error(
        "line {line}: quantity {quantity} is negative: a quantity counts units sold, 1 or more"
    )]
    NegativeQuantity {
        /// The line.
        line: LineId,
        /// The quantity as given.
        quantity: i64,
    },
    /// A line's quantity was zero.
    #[error("line {line}: quantity is 0: leave the line out or sell at least 1 unit")]
    ZeroQuantity {
        /// The line.
        line: LineId,
    },
    /// A line's quantity does not fit in 32 bits.
    #[error("line {line}: quantity {quantity} is too large: at most {max} units per line", max = u32::MAX)]
    QuantityTooLarge {
        /// The line.
        line: LineId,
        /// The quantity as given.
        quantity: i64,
    },
    /// A line's unit price was below zero.
    #[error(
        "line {line}: unit price {price} is negative: prices are zero or more (returns are refunds, not negative lines)"
    )]
    NegativePrice {
        /// The line.
        line: LineId,
        /// The price as given.
        price: Money,
    },
    /// A line's unit price has more decimals than its currency.
    #[error("line {line}: unit price: {source}")]
    PriceNotInMinorUnits {
        /// The line.
        line: LineId,
        /// The underlying error.
        source: MoneyError,
    },
    /// An amount is in another currency than the order.
    #[error("{what} is in {found}, but the order is in {expected}: convert it to {expected}")]
    CurrencyMismatch {
        /// What carried the wrong currency, e.g. "line 3" or "shipping".
        what: String,
        /// The order's currency.
        expected: Currency,
        /// The currency found.
        found: Currency,
    },
    /// Two lines share an id.
    #[error("line id {line} appears twice: give each line of an order its own id")]
    DuplicateLine {
        /// The repeated id.
        line: LineId,
    },
    /// The shipping amount was below zero or not in minor units.
    #[error("shipping {amount} is invalid: it must be zero or more, in whole minor units")]
    InvalidShipping {
        /// The shipping amount as given.
        amount: Money,
    },
    /// The order's totals do not fit in a decimal.
    #[error("the order's total overflows: check for absurd prices or quantities")]
    Overflow,
    /// An amount of the order is above [`Money::MAX_ORDER_AMOUNT`].
    #[error(
        "{what} is {amount}, above the largest order amount {max}: check for absurd prices or quantities"
    )]
    AmountTooLarge {
        /// What is too large: a line's gross or the order's total.
        what: String,
        /// The amount.
        amount: Decimal,
        /// The limit.
        max: Decimal,
    },
    /// A label's key was blank.
    #[error("line {line}: a label has a blank key: give every label a key, e.g. \"brand\"")]
    EmptyLabelKey {
        /// The line.
        line: LineId,
    },
    /// A line has two labels with the same key.
    #[error("line {line}: label \"{key}\" is given twice: give each key once")]
    DuplicateLabel {
        /// The line.
        line: LineId,
        /// The repeated key.
        key: LabelKey,
    },
    /// A line's discountable unit amount is below zero, not in whole minor
    /// units, or in another currency than its price.
    #[error(
        "line {line}: discountable unit amount {amount} is invalid: give zero or more, in whole minor units of the line's currency"
    )]
    InvalidDiscountable {
        /// The line.
        line: LineId,
        /// The amount as given.
        amount: Money,
    },
    /// A line's discountable unit amount is above its unit price.
    #[error(
        "line {line}: discountable unit amount {discountable} is above the unit price {price}: at most the whole price may be discounted"
    )]
    DiscountableAbovePrice {
        /// The line.
        line: LineId,
        /// The discountable unit amount as given.
        discountable: Money,
        /// The unit price.
        price: Money,
    },
    /// A line's tax rate is not a rate.
    #[error("line {line}: tax rate {rate}: {source}")]
    InvalidTaxRate {
        /// The line.
        line: LineId,
        /// The rate as given.
        rate: Decimal,
        /// Why it is refused.
        source: TaxRateError,
    },
    /// A refund names a line the order does not have.
    #[error("refund of order {order}: line {line} is not in the order")]
    RefundUnknownLine {
        /// The order refunded.
        order: OrderId,
        /// The unknown line.
        line: LineId,
    },
    /// A refund returns more units than were sold, counting earlier refunds.
    #[error(
        "refund of order {order}: line {line} returns {returned} units but only {sold} were sold"
    )]
    RefundTooMany {
        /// The order refunded.
        order: OrderId,
        /// The line.
        line: LineId,
        /// The units returned, with any earlier refunds given.
        returned: u64,
        /// The units sold.
        sold: u32,
    },
    /// A refund belongs to another order.
    #[error("refund is for order {refund_order}, not {order}")]
    RefundWrongOrder {
        /// The order checked against.
        order: OrderId,
        /// The order the refund names.
        refund_order: OrderId,
    },
}

/// Why a number is not a tax rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaxRateError {
    /// Below zero.
    #[error("a tax rate is zero or more (0 for a zero-rated product)")]
    Negative,
    /// Above 100.
    #[error("a tax rate is at most 100 (percent): write 20 for 20%")]
    AboveHundred,
    /// More than four decimals.
    #[error("a tax rate is kept to 4 decimals (12.3456)")]
    TooPrecise,
}

/// A line's tax rate, in percent: `20` for 20% VAT, `0` for a zero-rated
/// product. From 0 to 100, with at most four decimals.
///
/// The crate computes no tax for the host: a rate is read only when a
/// program measures its minimums, thresholds and caps on another tax basis
/// than its prices are given in ([`TaxBasis`]). The tax of a line is then
/// computed on the line's amount (its unit price × quantity, or its net
/// after discounts) and rounded once per line to the minor unit.
///
/// # Example
///
/// ```
/// use loyalty::order::{TaxBasis, TaxRate};
/// use loyalty::money::RoundingMode;
/// use rust_decimal::Decimal;
///
/// let vat = TaxRate::new(Decimal::from(20))?;
/// // 50.00 with tax included holds 8.33 of tax (50.00 × 20 / 120 = 8.333…).
/// let tax = vat.tax_in(Decimal::new(5000, 2), TaxBasis::Inclusive, 2, RoundingMode::HalfUp);
/// assert_eq!(tax, Decimal::new(833, 2));
/// // 50.00 without tax adds 10.00.
/// let tax = vat.tax_in(Decimal::new(5000, 2), TaxBasis::Exclusive, 2, RoundingMode::HalfUp);
/// assert_eq!(tax, Decimal::new(1000, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct TaxRate(Decimal);

impl TaxRate {
    /// The rate `percent` (20 for 20%).
    ///
    /// # Errors
    ///
    /// A rate below 0, above 100, or with more than four decimals.
    pub fn new(percent: Decimal) -> Result<TaxRate, TaxRateError> {
        if percent.is_sign_negative() && !percent.is_zero() {
            return Err(TaxRateError::Negative);
        }
        if percent > Decimal::ONE_HUNDRED {
            return Err(TaxRateError::AboveHundred);
        }
        if percent.normalize().scale() > 4 {
            return Err(TaxRateError::TooPrecise);
        }
        Ok(TaxRate(percent.normalize()))
    }

    /// The rate in percent.
    #[must_use]
    pub fn percent(&self) -> Decimal {
        self.0
    }

    /// The tax an `amount` given `basis` carries, rounded with `mode` to
    /// `decimals`: for a tax-inclusive amount the tax it holds
    /// (`amount × rate / (100 + rate)`), for a tax-exclusive one the tax it
    /// adds (`amount × rate / 100`).
    #[must_use]
    pub fn tax_in(
        &self,
        amount: Decimal,
        basis: TaxBasis,
        decimals: u32,
        mode: RoundingMode,
    ) -> Decimal {
        if self.0.is_zero() {
            return Decimal::ZERO;
        }
        let divisor = match basis {
            TaxBasis::Inclusive => Decimal::ONE_HUNDRED + self.0,
            TaxBasis::Exclusive => Decimal::ONE_HUNDRED,
        };
        // Order amounts are at most 10^18 and a rate at most 100: the
        // product stays far inside a decimal's range.
        let raw = amount
            .checked_mul(self.0)
            .and_then(|v| v.checked_div(divisor))
            .unwrap_or(Decimal::ZERO);
        mode.round(raw, decimals)
    }
}

impl fmt::Display for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// Whether amounts include tax.
///
/// Used by a program's tax setting twice: whether the prices of the lines
/// are given with tax included, and whether the program's minimums,
/// thresholds and caps are measured with tax included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaxBasis {
    /// Tax included (gross prices, as in most of Europe). The default.
    #[default]
    Inclusive,
    /// Tax excluded (net prices, tax added at payment, as in the US).
    Exclusive,
}

/// A line's labels: key/value pairs the host gives its products
/// (`{"brand": "acme", "collection": "summer"}`), kept in key order.
///
/// Keys are non-blank and unique within a line; values are kept exactly as
/// given (an empty value is allowed: the key alone is then the fact).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Labels(Vec<(LabelKey, String)>);

impl Labels {
    /// No labels.
    #[must_use]
    pub fn new() -> Labels {
        Labels::default()
    }

    /// The value of `key`, if the line has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    /// The labels, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&LabelKey, &str)> {
        self.0.iter().map(|(k, v)| (k, v.as_str()))
    }

    /// How many labels.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The labels `pairs`, refusing a repeated key: sorted once, so that
    /// reading many labels stays `n log n`.
    fn from_pairs(mut pairs: Vec<(LabelKey, String)>) -> Result<Labels, LabelKey> {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(twice) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(twice[0].0.clone());
        }
        Ok(Labels(pairs))
    }

    /// Adds `key` = `value`, refusing a key already there.
    fn insert(&mut self, key: LabelKey, value: String) -> Result<(), LabelKey> {
        match self.0.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(_) => Err(key),
            Err(at) => {
                self.0.insert(at, (key, value));
                Ok(())
            }
        }
    }
}

impl Serialize for Labels {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k.as_str(), v)))
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Labels {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Labels".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A line's labels: an object of non-blank keys and text values, e.g. {\"brand\": \"acme\"}.",
            "type": "object",
            "additionalProperties": {"type": "string"},
        })
    }
}

/// Labels as written: every pair in the order given, a repeated key kept
/// so that it can be refused with its name (a map would keep the last).
#[derive(Default)]
struct LabelsData(Vec<(String, String)>);

impl<'de> Deserialize<'de> for LabelsData {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = LabelsData;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of labels, e.g. {\"brand\": \"acme\"}")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<LabelsData, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(LabelsData(pairs))
            }
        }
        d.deserialize_map(Pairs)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for LabelsData {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Labels".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Labels as schemars::JsonSchema>::json_schema(generator)
    }
}

/// One line of an order: a product, a quantity and a unit price.
///
/// Deserialised from
/// `{"id": "1", "sku": "TEA-GREEN", "categories": ["tea"], "quantity": 2, "unit_price": "12.50 EUR"}`,
/// with `"exempt": true` for a line that is never discounted and never
/// earns (a gift card, a deposit), and optionally:
///
/// - `"labels": {"brand": "acme"}`: key/value facts a line selector can
///   select on;
/// - `"discountable_unit_amount": "8.00 EUR"`: the part of each unit's
///   price that promotions may take off (at most the unit price; the whole
///   price when left out). Discounts are computed on it and never take a
///   unit below `unit_price − discountable_unit_amount`; the line still
///   earns on what is paid. `"0.00 EUR"` is a product that is never
///   discounted but earns (unlike `exempt`);
/// - `"tax_rate": "20"`: the line's tax rate in percent, read when the
///   program measures its minimums on another tax basis than its prices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "LineData")]
pub struct Line {
    id: LineId,
    sku: Sku,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    categories: Vec<Category>,
    quantity: u32,
    unit_price: Money,
    #[serde(skip_serializing_if = "is_false")]
    exempt: bool,
    #[serde(skip_serializing_if = "Labels::is_empty")]
    labels: Labels,
    #[serde(skip_serializing_if = "Option::is_none")]
    discountable_unit_amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tax_rate: Option<TaxRate>,
    /// Unit price × quantity, computed once.
    #[serde(skip)]
    gross: Decimal,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct LineData {
    id: String,
    sku: String,
    #[serde(default)]
    categories: Vec<String>,
    quantity: i64,
    unit_price: Money,
    #[serde(default)]
    exempt: bool,
    #[serde(default)]
    labels: LabelsData,
    #[serde(default, deserialize_with = "crate::util::not_null")]
    discountable_unit_amount: Option<Money>,
    #[serde(default, deserialize_with = "crate::util::not_null")]
    tax_rate: Option<Decimal>,
}

impl TryFrom<LineData> for Line {
    type Error = OrderError;
    fn try_from(data: LineData) -> Result<Self, Self::Error> {
        Line::from_data(data, false)
    }
}

impl Line {
    /// The line `data` describes; a quantity of 0 is kept when
    /// `zero_allowed` (an order's lines), refused otherwise.
    fn from_data(data: LineData, zero_allowed: bool) -> Result<Line, OrderError> {
        let id = LineId::new(data.id)?;
        let quantity = match data.quantity {
            q if q < 0 => {
                return Err(OrderError::NegativeQuantity {
                    line: id,
                    quantity: q,
                });
            }
            0 if !zero_allowed => return Err(OrderError::ZeroQuantity { line: id }),
            q => u32::try_from(q).map_err(|_| OrderError::QuantityTooLarge {
                line: id.clone(),
                quantity: q,
            })?,
        };
        let sku = Sku::new(data.sku)?;
        let mut line = Line::checked(id, sku, quantity, data.unit_price)?;
        for category in data.categories {
            line = line.with_category(category)?;
        }
        line.exempt = data.exempt;
        if !data.labels.0.is_empty() {
            let mut pairs = Vec::with_capacity(data.labels.0.len());
            for (key, value) in data.labels.0 {
                let Ok(key) = LabelKey::new(key) else {
                    return Err(OrderError::EmptyLabelKey { line: line.id });
                };
                pairs.push((key, value));
            }
            line.labels = Labels::from_pairs(pairs).map_err(|key| OrderError::DuplicateLabel {
                line: line.id.clone(),
                key,
            })?;
        }
        if let Some(amount) = data.discountable_unit_amount {
            line = line.with_discountable_unit_amount(amount)?;
        }
        if let Some(rate) = data.tax_rate {
            line = line.with_tax_rate(rate)?;
        }
        Ok(line)
    }

    /// A line of `quantity` units of `sku` at `unit_price` each.
    ///
    /// # Errors
    ///
    /// A blank id or sku, a zero quantity, or a unit price that is negative
    /// or not in whole minor units.
    pub fn new(
        id: impl Into<String>,
        sku: impl Into<String>,
        quantity: u32,
        unit_price: Money,
    ) -> Result<Line, OrderError> {
        let id = LineId::new(id)?;
        let sku = Sku::new(sku)?;
        if quantity == 0 {
            return Err(OrderError::ZeroQuantity { line: id });
        }
        Line::checked(id, sku, quantity, unit_price)
    }

    /// A line of `sku` at `unit_price` whose quantity is 0: what a cart
    /// sends for a product whose units were all removed. An order keeps it
    /// aside ([`Order::zero_quantity_lines`]); a program refuses it, or
    /// ignores it (and reports it) when it asks for lenient input.
    ///
    /// # Errors
    ///
    /// A blank id or sku, or a unit price that is negative or not in whole
    /// minor units.
    pub fn zero_quantity(
        id: impl Into<String>,
        sku: impl Into<String>,
        unit_price: Money,
    ) -> Result<Line, OrderError> {
        Line::checked(LineId::new(id)?, Sku::new(sku)?, 0, unit_price)
    }

    fn checked(id: LineId, sku: Sku, quantity: u32, unit_price: Money) -> Result<Line, OrderError> {
        if unit_price.is_negative() {
            return Err(OrderError::NegativePrice {
                line: id,
                price: unit_price,
            });
        }
        if let Err(source) = unit_price.ensure_minor_units() {
            return Err(OrderError::PriceNotInMinorUnits { line: id, source });
        }
        let gross = unit_price
            .checked_mul(Decimal::from(quantity))
            .map_err(|_| OrderError::Overflow)?
            .amount();
        Ok(Line {
            id,
            sku,
            categories: Vec::new(),
            quantity,
            unit_price,
            exempt: false,
            labels: Labels::new(),
            discountable_unit_amount: None,
            tax_rate: None,
            gross,
        })
    }

    /// Adds a category.
    ///
    /// # Errors
    ///
    /// A blank category.
    pub fn with_category(mut self, category: impl Into<String>) -> Result<Line, OrderError> {
        let category = Category::new(category)?;
        if !self.categories.contains(&category) {
            self.categories.push(category);
        }
        Ok(self)
    }

    /// Adds the label `key` = `value`.
    ///
    /// ```
    /// use loyalty::money::{Currency, Money};
    /// use loyalty::order::Line;
    ///
    /// let line = Line::new("1", "MUG", 1, Money::parse("9.00", Currency::EUR)?)?
    ///     .with_label("brand", "acme")?
    ///     .with_label("collection", "summer")?;
    /// assert_eq!(line.labels().get("brand"), Some("acme"));
    /// assert!(line.clone().with_label("brand", "zen").is_err());
    /// assert!(line.with_label(" ", "x").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`OrderError::EmptyLabelKey`] for a blank key,
    /// [`OrderError::DuplicateLabel`] for a key the line already has.
    pub fn with_label(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Line, OrderError> {
        let Ok(key) = LabelKey::new(key) else {
            return Err(OrderError::EmptyLabelKey { line: self.id });
        };
        if let Err(key) = self.labels.insert(key, value.into()) {
            return Err(OrderError::DuplicateLabel { line: self.id, key });
        }
        Ok(self)
    }

    /// Sets the part of each unit's price that promotions may take off:
    /// discounts are computed on it and never take a unit below
    /// `unit_price − amount`. Zero for a product never discounted that still
    /// earns; a minimum price `m` is `unit_price − m`.
    ///
    /// ```
    /// use loyalty::money::{Currency, Money};
    /// use loyalty::order::Line;
    ///
    /// let eur = Currency::EUR;
    /// // A 5.25 bottle of which 0.25 is a deposit no promotion touches.
    /// let bottle = Line::new("1", "WATER", 4, Money::parse("5.25", eur)?)?
    ///     .with_discountable_unit_amount(Money::parse("5.00", eur)?)?;
    /// assert_eq!(bottle.discountable_amount().to_string(), "20.00");
    /// assert!(Line::new("2", "MUG", 1, Money::parse("9.00", eur)?)?
    ///     .with_discountable_unit_amount(Money::parse("9.01", eur)?)
    ///     .is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`OrderError::InvalidDiscountable`] for an amount below zero, not in
    /// minor units or in another currency;
    /// [`OrderError::DiscountableAbovePrice`] for one above the unit price.
    pub fn with_discountable_unit_amount(mut self, amount: Money) -> Result<Line, OrderError> {
        if amount.currency() != self.unit_price.currency()
            || amount.is_negative()
            || amount.ensure_minor_units().is_err()
        {
            return Err(OrderError::InvalidDiscountable {
                line: self.id,
                amount,
            });
        }
        if amount.amount() > self.unit_price.amount() {
            return Err(OrderError::DiscountableAbovePrice {
                line: self.id,
                discountable: amount,
                price: self.unit_price,
            });
        }
        self.discountable_unit_amount = Some(amount);
        Ok(self)
    }

    /// Sets the line's tax rate, in percent (`20` for 20%).
    ///
    /// # Errors
    ///
    /// [`OrderError::InvalidTaxRate`] for a rate below 0, above 100 or with
    /// more than four decimals.
    pub fn with_tax_rate(mut self, percent: Decimal) -> Result<Line, OrderError> {
        match TaxRate::new(percent) {
            Ok(rate) => {
                self.tax_rate = Some(rate);
                Ok(self)
            }
            Err(source) => Err(OrderError::InvalidTaxRate {
                line: self.id,
                rate: percent,
                source,
            }),
        }
    }

    /// Marks the line as exempt: never discounted, never earns (gift cards,
    /// deposits, donations).
    #[must_use]
    pub fn exempt(mut self) -> Line {
        self.exempt = true;
        self
    }

    /// The line's id.
    #[must_use]
    pub fn id(&self) -> &LineId {
        &self.id
    }

    /// The product sold.
    #[must_use]
    pub fn sku(&self) -> &Sku {
        &self.sku
    }

    /// The product's categories.
    #[must_use]
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// Whether the line is in `category`.
    #[must_use]
    pub fn in_category(&self, category: &str) -> bool {
        self.categories.iter().any(|c| c.as_str() == category)
    }

    /// The line's labels.
    #[must_use]
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// The number of units.
    #[must_use]
    pub fn quantity(&self) -> u32 {
        self.quantity
    }

    /// The price of one unit.
    #[must_use]
    pub fn unit_price(&self) -> Money {
        self.unit_price
    }

    /// The part of one unit's price that promotions may take off: the unit
    /// price unless the host said less.
    #[must_use]
    pub fn discountable_unit_amount(&self) -> Money {
        self.discountable_unit_amount.unwrap_or(self.unit_price)
    }

    /// Whether the host gave a discountable unit amount below the price.
    #[must_use]
    pub fn has_undiscountable_part(&self) -> bool {
        self.discountable_unit_amount
            .is_some_and(|d| d.amount() < self.unit_price.amount())
    }

    /// The discountable unit amount × quantity: what promotions may take
    /// off the line in all.
    #[must_use]
    pub fn discountable_amount(&self) -> Decimal {
        match self.discountable_unit_amount {
            // At most the unit price, so at most the gross: no overflow.
            Some(d) => d
                .amount()
                .checked_mul(Decimal::from(self.quantity))
                .unwrap_or(self.gross),
            None => self.gross,
        }
    }

    /// The line's tax rate, when the host gave one.
    #[must_use]
    pub fn tax_rate(&self) -> Option<TaxRate> {
        self.tax_rate
    }

    /// Whether the line is exempt from discounts and earning.
    #[must_use]
    pub fn is_exempt(&self) -> bool {
        self.exempt
    }

    /// Unit price × quantity.
    ///
    /// # Errors
    ///
    /// None in practice: a line whose gross overflows cannot be built. The
    /// `Result` is kept so that a future change of representation need not
    /// break callers.
    pub fn gross(&self) -> Result<Money, MoneyError> {
        Ok(Money::new(self.gross, self.unit_price.currency()))
    }

    /// Unit price × quantity, as a bare amount in the line's currency.
    #[must_use]
    pub fn gross_amount(&self) -> Decimal {
        self.gross
    }
}

/// A customer's order, as placed.
///
/// Built with [`Order::builder`] (or [`Order::guest_builder`] for a guest
/// checkout) or deserialised from JSON/TOML; both validate. The fields are
/// read through accessors so that a validated order stays valid.
///
/// In JSON, an order without `"customer"` is a guest's: nobody's record,
/// so rules that need one (per-customer limits, the order number, the
/// customer's stats) do not match it, and no points or cashback are
/// credited. A line of quantity 0 is kept aside, in its place among the
/// lines when the order is written out again.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "OrderData")]
pub struct Order {
    id: OrderId,
    /// `None` for a guest.
    customer: Option<CustomerId>,
    placed_at: DateTime<Utc>,
    currency: Currency,
    channel: Option<Channel>,
    country: Option<Country>,
    lines: Vec<Line>,
    /// Lines of quantity 0, with their place among all the lines given.
    zero_lines: Vec<(usize, Line)>,
    shipping: Money,
    coupons: Vec<String>,
    gross_subtotal: Decimal,
}

/// An order as written out: its lines, those of quantity 0 among them, in
/// the order given.
#[derive(Serialize)]
struct OrderOut<'a> {
    id: &'a OrderId,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer: Option<&'a CustomerId>,
    placed_at: DateTime<Utc>,
    currency: Currency,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<&'a Channel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<Country>,
    lines: AllLines<'a>,
    shipping: Money,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    coupons: &'a [String],
}

/// Every line of an order in the order given, those of quantity 0 in their
/// place.
struct AllLines<'a> {
    lines: &'a [Line],
    zero_lines: &'a [(usize, Line)],
}

impl Serialize for AllLines<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.lines.len() + self.zero_lines.len()))?;
        let mut lines = self.lines.iter().peekable();
        let mut zeros = self.zero_lines.iter().peekable();
        let mut at = 0;
        loop {
            let line = match (zeros.peek(), lines.peek()) {
                (Some((place, _)), Some(_)) if *place > at => lines.next(),
                (Some(_), _) => zeros.next().map(|(_, line)| line),
                (None, Some(_)) => lines.next(),
                (None, None) => break,
            };
            if let Some(line) = line {
                seq.serialize_element(line)?;
            }
            at += 1;
        }
        seq.end()
    }
}

impl Serialize for Order {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        OrderOut {
            id: &self.id,
            customer: self.customer.as_ref(),
            placed_at: self.placed_at,
            currency: self.currency,
            channel: self.channel.as_ref(),
            country: self.country,
            lines: AllLines {
                lines: &self.lines,
                zero_lines: &self.zero_lines,
            },
            shipping: self.shipping,
            coupons: &self.coupons,
        }
        .serialize(serializer)
    }
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct OrderData {
    id: String,
    /// The customer's id; left out for a guest checkout.
    #[serde(default, deserialize_with = "crate::util::not_null")]
    customer: Option<String>,
    placed_at: DateTime<Utc>,
    currency: Currency,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    country: Option<Country>,
    lines: Vec<OrderLine>,
    #[serde(default)]
    shipping: Option<Money>,
    #[serde(default)]
    coupons: Vec<String>,
}

/// A line of an order as read: like a [`Line`], with a quantity of 0
/// allowed (kept aside by the order).
struct OrderLine(Line);

impl<'de> Deserialize<'de> for OrderLine {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let data = LineData::deserialize(d)?;
        Line::from_data(data, true)
            .map(OrderLine)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for OrderLine {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Line as schemars::JsonSchema>::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Line as schemars::JsonSchema>::json_schema(generator)
    }
}

/// Up to this many lines, an order finds repeated line ids by scanning;
/// above, by an index.
const SCAN_LINES: usize = 32;

impl TryFrom<OrderData> for Order {
    type Error = OrderError;
    fn try_from(data: OrderData) -> Result<Self, Self::Error> {
        let mut builder = match data.customer {
            Some(customer) => Order::builder(data.id, customer, data.placed_at, data.currency),
            None => Order::guest_builder(data.id, data.placed_at, data.currency),
        };
        if let Some(channel) = data.channel {
            builder = builder.channel(channel);
        }
        if let Some(country) = data.country {
            builder = builder.country(country);
        }
        for line in data.lines {
            builder = builder.line(line.0);
        }
        if let Some(shipping) = data.shipping {
            builder = builder.shipping(shipping);
        }
        for code in data.coupons {
            builder = builder.coupon(code);
        }
        builder.build()
    }
}

impl Order {
    /// The order with `remaining[i]` units of its line `i` (lines left with
    /// none dropped): what a customer keeps after returns. `None` when
    /// nothing is kept.
    pub(crate) fn keeping(&self, remaining: &[u32]) -> Result<Option<Order>, OrderError> {
        let mut kept = self.clone();
        kept.lines.clear();
        let mut subtotal = Decimal::ZERO;
        for (line, &quantity) in self.lines.iter().zip(remaining) {
            if quantity == 0 {
                continue;
            }
            let mut line = line.clone();
            line.quantity = quantity;
            line.gross = line
                .unit_price
                .checked_mul(Decimal::from(quantity))
                .map_err(|_| OrderError::Overflow)?
                .amount();
            subtotal = subtotal
                .checked_add(line.gross)
                .ok_or(OrderError::Overflow)?;
            kept.lines.push(line);
        }
        if kept.lines.is_empty() {
            return Ok(None);
        }
        kept.gross_subtotal = subtotal;
        Ok(Some(kept))
    }

    /// Starts an order; add lines, shipping and coupons, then
    /// [`build`](OrderBuilder::build).
    pub fn builder(
        id: impl Into<String>,
        customer: impl Into<String>,
        placed_at: DateTime<Utc>,
        currency: Currency,
    ) -> OrderBuilder {
        OrderBuilder::start(id.into(), Some(customer.into()), placed_at, currency)
    }

    /// Starts the order of a guest checkout: nobody's record. Rules that
    /// need one (per-customer limits, first order, order number, the
    /// customer's stats) do not match it, each saying why; no points or
    /// cashback are credited.
    ///
    /// ```
    /// use loyalty::money::{Currency, Money};
    /// use loyalty::order::{Line, Order};
    ///
    /// let order = Order::guest_builder("A-7", "2026-11-27T10:00:00Z".parse()?, Currency::EUR)
    ///     .line(Line::new("1", "TEA", 1, Money::parse("9.00", Currency::EUR)?))
    ///     .build()?;
    /// assert!(order.is_guest());
    /// assert_eq!(order.customer_id(), None);
    /// assert!(!serde_json::to_string(&order)?.contains("customer"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn guest_builder(
        id: impl Into<String>,
        placed_at: DateTime<Utc>,
        currency: Currency,
    ) -> OrderBuilder {
        OrderBuilder::start(id.into(), None, placed_at, currency)
    }

    /// The order's id.
    #[must_use]
    pub fn id(&self) -> &OrderId {
        &self.id
    }

    /// The customer who placed it; for a guest's order, the stand-in
    /// [`CustomerId::guest`] (tell a guest with [`is_guest`](Self::is_guest)
    /// or [`customer_id`](Self::customer_id)).
    #[must_use]
    pub fn customer(&self) -> &CustomerId {
        self.customer
            .as_ref()
            .unwrap_or_else(|| CustomerId::guest())
    }

    /// The customer who placed it; `None` for a guest.
    #[must_use]
    pub fn customer_id(&self) -> Option<&CustomerId> {
        self.customer.as_ref()
    }

    /// Whether the order is a guest's: it names no customer.
    #[must_use]
    pub fn is_guest(&self) -> bool {
        self.customer.is_none()
    }

    /// When it was placed (a UTC instant).
    #[must_use]
    pub fn placed_at(&self) -> DateTime<Utc> {
        self.placed_at
    }

    /// The order's currency; every line and the shipping are in it.
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The channel, when known.
    #[must_use]
    pub fn channel(&self) -> Option<&Channel> {
        self.channel.as_ref()
    }

    /// The shipping country, when known.
    #[must_use]
    pub fn country(&self) -> Option<Country> {
        self.country
    }

    /// The lines, in the order given (those of quantity 0 left out: see
    /// [`zero_quantity_lines`](Self::zero_quantity_lines)).
    #[must_use]
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// The lines of quantity 0, in the order given: a program refuses an
    /// order that has any, or ignores them (and says so) when it asks for
    /// lenient input.
    pub fn zero_quantity_lines(&self) -> impl ExactSizeIterator<Item = &Line> {
        self.zero_lines.iter().map(|(_, line)| line)
    }

    /// The line with `id`.
    #[must_use]
    pub fn line(&self, id: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.id.as_str() == id)
    }

    /// The shipping charged.
    #[must_use]
    pub fn shipping(&self) -> Money {
        self.shipping
    }

    /// The coupon codes the customer entered, as entered.
    #[must_use]
    pub fn coupons(&self) -> &[String] {
        &self.coupons
    }

    /// The sum of every line's gross (exempt lines included, shipping not).
    #[must_use]
    pub fn gross_subtotal(&self) -> Money {
        Money::new(self.gross_subtotal, self.currency)
    }
}

/// Builds an [`Order`]; the first error is kept and reported by
/// [`build`](OrderBuilder::build).
#[derive(Debug)]
#[must_use = "an order builder does nothing until build() is called"]
pub struct OrderBuilder {
    id: String,
    /// `None` for a guest.
    customer: Option<String>,
    placed_at: DateTime<Utc>,
    currency: Currency,
    channel: Option<String>,
    country: Option<Country>,
    lines: Vec<Line>,
    shipping: Option<Money>,
    coupons: Vec<String>,
    error: Option<OrderError>,
}

impl OrderBuilder {
    fn start(
        id: String,
        customer: Option<String>,
        placed_at: DateTime<Utc>,
        currency: Currency,
    ) -> OrderBuilder {
        OrderBuilder {
            id,
            customer,
            placed_at,
            currency,
            channel: None,
            country: None,
            lines: Vec::new(),
            shipping: None,
            coupons: Vec::new(),
            error: None,
        }
    }

    /// Adds a line, or keeps the error that building it gave. A line of
    /// quantity 0 ([`Line::zero_quantity`]) is kept aside.
    pub fn line(mut self, line: impl Into<LineResult>) -> OrderBuilder {
        match line.into().0 {
            Ok(line) => self.lines.push(line),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Sets the shipping charged (zero by default).
    pub fn shipping(mut self, shipping: Money) -> OrderBuilder {
        self.shipping = Some(shipping);
        self
    }

    /// Adds a coupon code as the customer entered it.
    pub fn coupon(mut self, code: impl Into<String>) -> OrderBuilder {
        self.coupons.push(code.into());
        self
    }

    /// Sets the channel.
    pub fn channel(mut self, channel: impl Into<String>) -> OrderBuilder {
        self.channel = Some(channel.into());
        self
    }

    /// Sets the shipping country.
    pub fn country(mut self, country: Country) -> OrderBuilder {
        self.country = Some(country);
        self
    }

    /// Validates and builds the order.
    ///
    /// # Errors
    ///
    /// The first error met: a blank id, a line in another currency or
    /// repeated, an invalid shipping amount, or totals that overflow.
    pub fn build(self) -> Result<Order, OrderError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let id = OrderId::new(self.id)?;
        let customer = self.customer.map(CustomerId::new).transpose()?;
        let channel = self.channel.map(Channel::new).transpose()?;
        let currency = self.currency;
        let mut gross_subtotal = Decimal::ZERO;
        // Line ids seen so far: a scan of the few earlier lines of a small
        // order, an index for a large one, so that reading an order stays
        // linear in its lines.
        let mut seen: Option<std::collections::HashSet<&str>> = (self.lines.len() > SCAN_LINES)
            .then(|| std::collections::HashSet::with_capacity(self.lines.len()));
        for (index, line) in self.lines.iter().enumerate() {
            if line.unit_price.currency() != currency {
                return Err(OrderError::CurrencyMismatch {
                    what: format!("line {}", line.id),
                    expected: currency,
                    found: line.unit_price.currency(),
                });
            }
            let repeated = match seen.as_mut() {
                Some(seen) => !seen.insert(line.id.as_str()),
                None => self.lines[..index].iter().any(|l| l.id == line.id),
            };
            if repeated {
                return Err(OrderError::DuplicateLine {
                    line: line.id.clone(),
                });
            }
            let gross = line.gross().map_err(|_| OrderError::Overflow)?;
            if gross.amount() > Money::MAX_ORDER_AMOUNT {
                return Err(OrderError::AmountTooLarge {
                    what: format!("line {}'s gross", line.id),
                    amount: gross.amount(),
                    max: Money::MAX_ORDER_AMOUNT,
                });
            }
            gross_subtotal = gross_subtotal
                .checked_add(gross.amount())
                .ok_or(OrderError::Overflow)?;
        }
        let shipping = self.shipping.unwrap_or(Money::zero(currency));
        if shipping.currency() != currency {
            return Err(OrderError::CurrencyMismatch {
                what: "shipping".to_owned(),
                expected: currency,
                found: shipping.currency(),
            });
        }
        if shipping.is_negative() || shipping.ensure_minor_units().is_err() {
            return Err(OrderError::InvalidShipping { amount: shipping });
        }
        let total = gross_subtotal
            .checked_add(shipping.amount())
            .ok_or(OrderError::Overflow)?;
        if total > Money::MAX_ORDER_AMOUNT {
            return Err(OrderError::AmountTooLarge {
                what: "the order's total with shipping".to_owned(),
                amount: total,
                max: Money::MAX_ORDER_AMOUNT,
            });
        }
        // Lines of quantity 0 are kept aside, with their place.
        let mut lines = self.lines;
        let mut zero_lines = Vec::new();
        if lines.iter().any(|l| l.quantity == 0) {
            let mut kept = Vec::with_capacity(lines.len());
            for (place, line) in lines.into_iter().enumerate() {
                if line.quantity == 0 {
                    zero_lines.push((place, line));
                } else {
                    kept.push(line);
                }
            }
            lines = kept;
        }
        Ok(Order {
            id,
            customer,
            placed_at: self.placed_at,
            currency,
            channel,
            country: self.country,
            lines,
            zero_lines,
            shipping,
            coupons: self.coupons,
            gross_subtotal,
        })
    }
}

/// A line, or the error met while building it, for [`OrderBuilder::line`].
#[derive(Debug)]
pub struct LineResult(Result<Line, OrderError>);

impl From<Line> for LineResult {
    fn from(line: Line) -> Self {
        LineResult(Ok(line))
    }
}

impl From<Result<Line, OrderError>> for LineResult {
    fn from(result: Result<Line, OrderError>) -> Self {
        LineResult(result)
    }
}

/// Units of one line returned in a refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundLine {
    /// The line returned.
    pub line: LineId,
    /// How many of its units.
    pub quantity: u32,
}

/// Units returned from an order, line by line.
///
/// A refund is checked against its order with [`Refund::check_against`]:
/// every line must exist and no more units may come back than were sold.
///
/// # Example
///
/// ```
/// use loyalty::money::{Currency, Money};
/// use loyalty::order::{Line, Order, Refund};
///
/// let eur = Currency::EUR;
/// let order = Order::builder("A-1", "C-1", "2026-03-15T10:00:00Z".parse()?, eur)
///     .line(Line::new("1", "MUG", 3, Money::parse("9.00", eur)?))
///     .build()?;
/// let refund = Refund::new("R-1", "A-1", "2026-03-20T10:00:00Z".parse()?)?.line("1", 2)?;
/// refund.check_against(&order)?;
/// assert!(Refund::new("R-2", "A-1", "2026-03-20T10:00:00Z".parse()?)?.line("1", 4)?.check_against(&order).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refund {
    id: RefundId,
    order: OrderId,
    at: DateTime<Utc>,
    lines: Vec<RefundLine>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::util::not_null"
    )]
    points_held: Option<Decimal>,
}

string_id!(
    /// The id of a return, unique within its order: part of the
    /// idempotency keys of what the return takes back and gives back.
    RefundId,
    "refund id"
);

impl Refund {
    /// Refund `id` of order `order` made at `at`, with no lines yet.
    ///
    /// # Errors
    ///
    /// A blank id.
    pub fn new(
        id: impl Into<String>,
        order: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Result<Refund, OrderError> {
        Ok(Refund {
            id: RefundId::new(id)?,
            order: OrderId::new(order)?,
            at,
            lines: Vec::new(),
            points_held: None,
        })
    }

    /// Says how many points the customer holds at the refund (pending and
    /// available), which a reversal can take back; without it, the
    /// customer is taken to hold enough.
    #[must_use]
    pub fn points_held(mut self, points: Decimal) -> Refund {
        self.points_held = Some(points);
        self
    }

    /// The refund's id.
    #[must_use]
    pub fn id(&self) -> &RefundId {
        &self.id
    }

    /// The points the customer holds, if the host said.
    #[must_use]
    pub fn held(&self) -> Option<Decimal> {
        self.points_held
    }

    /// Returns `quantity` units of line `line`.
    ///
    /// # Errors
    ///
    /// A blank line id.
    pub fn line(mut self, line: impl Into<String>, quantity: u32) -> Result<Refund, OrderError> {
        self.lines.push(RefundLine {
            line: LineId::new(line)?,
            quantity,
        });
        Ok(self)
    }

    /// The order refunded.
    #[must_use]
    pub fn order(&self) -> &OrderId {
        &self.order
    }

    /// When the refund was made.
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// The units returned.
    #[must_use]
    pub fn lines(&self) -> &[RefundLine] {
        &self.lines
    }

    /// The units of `line` this refund returns.
    #[must_use]
    pub fn quantity_of(&self, line: &str) -> u64 {
        self.lines
            .iter()
            .filter(|l| l.line.as_str() == line)
            .map(|l| u64::from(l.quantity))
            .sum()
    }

    /// Checks the refund against its order.
    ///
    /// # Errors
    ///
    /// [`OrderError::RefundWrongOrder`], [`OrderError::RefundUnknownLine`] or
    /// [`OrderError::RefundTooMany`].
    pub fn check_against(&self, order: &Order) -> Result<(), OrderError> {
        if self.order != order.id {
            return Err(OrderError::RefundWrongOrder {
                order: order.id.clone(),
                refund_order: self.order.clone(),
            });
        }
        for refund_line in &self.lines {
            let Some(line) = order.line(refund_line.line.as_str()) else {
                return Err(OrderError::RefundUnknownLine {
                    order: order.id.clone(),
                    line: refund_line.line.clone(),
                });
            };
            let returned = self.quantity_of(line.id.as_str());
            if returned > u64::from(line.quantity) {
                return Err(OrderError::RefundTooMany {
                    order: order.id.clone(),
                    line: line.id.clone(),
                    returned,
                    sold: line.quantity,
                });
            }
        }
        Ok(())
    }
}
