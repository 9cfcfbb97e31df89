//! Orders, their lines, and refunds.
//!
//! An [`Order`] is validated when it is built or deserialised: every line is
//! in the order's currency, prices are zero or more, quantities 1 or more,
//! line ids are unique, and the order's total is at most
//! [`Money::MAX_ORDER_AMOUNT`]. An evaluator can then rely on those facts.
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

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::Country;
use crate::customer::CustomerId;
use crate::id::{EmptyIdError, string_id};
use crate::money::{Currency, Money, MoneyError};

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

/// One line of an order: a product, a quantity and a unit price.
///
/// Deserialised from
/// `{"id": "1", "sku": "TEA-GREEN", "categories": ["tea"], "quantity": 2, "unit_price": "12.50 EUR"}`,
/// with `"exempt": true` for a line that is never discounted and never
/// earns (a gift card, a deposit).
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
}

impl TryFrom<LineData> for Line {
    type Error = OrderError;
    fn try_from(data: LineData) -> Result<Self, Self::Error> {
        let id = LineId::new(data.id)?;
        let quantity = match data.quantity {
            q if q < 0 => {
                return Err(OrderError::NegativeQuantity {
                    line: id,
                    quantity: q,
                });
            }
            0 => return Err(OrderError::ZeroQuantity { line: id }),
            q => u32::try_from(q).map_err(|_| OrderError::QuantityTooLarge {
                line: id.clone(),
                quantity: q,
            })?,
        };
        let mut line = Line::new(id.as_str(), data.sku, quantity, data.unit_price)?;
        for category in data.categories {
            line = line.with_category(category)?;
        }
        line.exempt = data.exempt;
        Ok(line)
    }
}

impl Line {
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
/// Built with [`Order::builder`] or deserialised from JSON/TOML; both
/// validate. The fields are read through accessors so that a validated order
/// stays valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "OrderData")]
pub struct Order {
    id: OrderId,
    customer: CustomerId,
    placed_at: DateTime<Utc>,
    currency: Currency,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<Channel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<Country>,
    lines: Vec<Line>,
    shipping: Money,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    coupons: Vec<String>,
    #[serde(skip)]
    gross_subtotal: Decimal,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct OrderData {
    id: String,
    customer: String,
    placed_at: DateTime<Utc>,
    currency: Currency,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    country: Option<Country>,
    lines: Vec<Line>,
    #[serde(default)]
    shipping: Option<Money>,
    #[serde(default)]
    coupons: Vec<String>,
}

/// Up to this many lines, an order finds repeated line ids by scanning;
/// above, by an index.
const SCAN_LINES: usize = 32;

impl TryFrom<OrderData> for Order {
    type Error = OrderError;
    fn try_from(data: OrderData) -> Result<Self, Self::Error> {
        let mut builder = Order::builder(data.id, data.customer, data.placed_at, data.currency);
        if let Some(channel) = data.channel {
            builder = builder.channel(channel);
        }
        if let Some(country) = data.country {
            builder = builder.country(country);
        }
        for line in data.lines {
            builder = builder.line(line);
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
        OrderBuilder {
            id: id.into(),
            customer: customer.into(),
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

    /// The order's id.
    #[must_use]
    pub fn id(&self) -> &OrderId {
        &self.id
    }

    /// The customer who placed it.
    #[must_use]
    pub fn customer(&self) -> &CustomerId {
        &self.customer
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

    /// The lines, in the order given.
    #[must_use]
    pub fn lines(&self) -> &[Line] {
        &self.lines
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
    customer: String,
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
    /// Adds a line, or keeps the error that building it gave.
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
        let customer = CustomerId::new(self.customer)?;
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
        Ok(Order {
            id,
            customer,
            placed_at: self.placed_at,
            currency,
            channel,
            country: self.country,
            lines: self.lines,
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
