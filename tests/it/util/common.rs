//! Builders shared by the evaluation tests: programs from JSON, checkouts
//! from a small builder, and the checks every evaluation must pass.

use loyalty::evaluate::Checkout;
use loyalty::evaluation::{Evaluation, Target};
use loyalty::program::{Program, ProgramDefinition};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// The instant most checkouts are evaluated at (a Friday, 10:00 in Lisbon).
pub const AT: &str = "2026-11-27T10:00:00Z";

/// A decimal from text; panics on a typo in the test itself.
pub fn d(text: &str) -> Decimal {
    text.parse().expect("a decimal literal")
}

/// The seeds' ladder: 5% from 100, 10% from 200, 15% from 300, inclusive.
pub fn seeds_ladder() -> Value {
    json!({"id": "spend-more", "steps": [
        {"from": "100.00", "percent": "5"},
        {"from": "200.00", "percent": "10"},
        {"from": "300.00", "percent": "15"}
    ]})
}

/// A program from a JSON definition; panics when it is not valid.
pub fn program(definition: Value) -> Program {
    let definition: ProgramDefinition =
        serde_json::from_value(definition).expect("the program definition deserialises");
    Program::new(definition).expect("the program is valid")
}

/// A program in `currency` with the given extra fields (ladders, coupons,
/// stacking, time_zone...) merged into `{"id": "seeds", ...}`, whose tiers
/// are bronze, silver and gold unless `extra` gives its own.
pub fn program_in(currency: &str, extra: Value) -> Program {
    let mut base = json!({"id": "seeds", "currency": currency, "time_zone": "Europe/Lisbon",
                          "tiers": [{"id": "bronze"}, {"id": "silver"}, {"id": "gold"}]});
    if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    program(base)
}

/// A EUR program with the given extra fields.
pub fn eur_program(extra: Value) -> Program {
    program_in("EUR", extra)
}

/// A EUR program with the seeds' ladder only.
pub fn seeds_program() -> Program {
    eur_program(json!({"ladders": [seeds_ladder()]}))
}

/// Builds a [`Checkout`] through its JSON form.
#[derive(Clone, Debug)]
pub struct Basket {
    currency: String,
    order_id: String,
    order_customer: String,
    lines: Vec<Value>,
    shipping: Option<String>,
    coupons: Vec<String>,
    channel: Option<String>,
    customer: Value,
    usage: Vec<Value>,
    promotion_usage: Vec<Value>,
    redeem: Option<Value>,
    available: Option<Value>,
    at: String,
}

impl Basket {
    /// An empty order `A-1` of customer `C-1` in `currency`, at [`AT`]; the
    /// customer is known to have no previous order (stats given, empty).
    pub fn new(currency: &str) -> Basket {
        Basket {
            currency: currency.to_owned(),
            order_id: "A-1".to_owned(),
            order_customer: "C-1".to_owned(),
            lines: Vec::new(),
            shipping: None,
            coupons: Vec::new(),
            channel: None,
            customer: json!({"id": "C-1", "stats": {}}),
            usage: Vec::new(),
            promotion_usage: Vec::new(),
            redeem: None,
            available: None,
            at: AT.to_owned(),
        }
    }

    /// An empty EUR order.
    pub fn eur() -> Basket {
        Basket::new("EUR")
    }

    /// Adds a line `quantity × sku at price` (id = its position from 1).
    pub fn line(self, sku: &str, quantity: u64, price: &str) -> Basket {
        self.line_with(sku, quantity, price, &[], false)
    }

    /// Adds a line in categories.
    pub fn line_in(self, sku: &str, quantity: u64, price: &str, categories: &[&str]) -> Basket {
        self.line_with(sku, quantity, price, categories, false)
    }

    /// Adds an exempt line (a gift card).
    pub fn exempt_line(self, sku: &str, quantity: u64, price: &str) -> Basket {
        self.line_with(sku, quantity, price, &[], true)
    }

    /// Adds a line with everything given.
    pub fn line_with(
        mut self,
        sku: &str,
        quantity: u64,
        price: &str,
        categories: &[&str],
        exempt: bool,
    ) -> Basket {
        let id = (self.lines.len() + 1).to_string();
        self.lines.push(json!({
            "id": id,
            "sku": sku,
            "categories": categories,
            "quantity": quantity,
            "unit_price": format!("{price} {}", self.currency),
            "exempt": exempt,
        }));
        self
    }

    /// Sets the shipping charged.
    pub fn shipping(mut self, amount: &str) -> Basket {
        self.shipping = Some(amount.to_owned());
        self
    }

    /// Enters a code, as typed.
    pub fn coupon(mut self, code: &str) -> Basket {
        self.coupons.push(code.to_owned());
        self
    }

    /// Sets the order's channel.
    pub fn channel(mut self, channel: &str) -> Basket {
        self.channel = Some(channel.to_owned());
        self
    }

    /// Replaces the customer (JSON of `Customer`).
    pub fn customer(mut self, customer: Value) -> Basket {
        self.customer = customer;
        self
    }

    /// Sets the order's customer id (normally the checkout's).
    pub fn order_customer(mut self, id: &str) -> Basket {
        self.order_customer = id.to_owned();
        self
    }

    /// Sets the order's currency (lines already added keep theirs).
    pub fn currency(mut self, currency: &str) -> Basket {
        self.currency = currency.to_owned();
        self
    }

    /// Adds usage counts for a code.
    pub fn usage(mut self, code: &str, overall: u64, by_customer: u64) -> Basket {
        self.usage
            .push(json!({"code": code, "overall": overall, "by_customer": by_customer}));
        self
    }

    /// Adds usage counts for an automatic promotion, by its id.
    pub fn promotion_usage(mut self, promotion: &str, overall: u64, by_customer: u64) -> Basket {
        self.promotion_usage
            .push(json!({"promotion": promotion, "overall": overall, "by_customer": by_customer}));
        self
    }

    /// Asks to pay with points or cashback (JSON of `Redeem`), the
    /// customer having `available` (JSON of `Available`).
    pub fn redeem(mut self, redeem: Value, available: Value) -> Basket {
        self.redeem = Some(redeem);
        self.available = Some(available);
        self
    }

    /// Sets the instant of evaluation.
    pub fn at(mut self, at: &str) -> Basket {
        self.at = at.to_owned();
        self
    }

    /// The checkout as JSON.
    pub fn to_json(&self) -> Value {
        let mut order = json!({
            "id": self.order_id,
            "customer": self.order_customer,
            "placed_at": self.at,
            "currency": self.currency,
            "lines": self.lines,
            "coupons": self.coupons,
        });
        if let Some(shipping) = &self.shipping {
            order["shipping"] = json!(format!("{shipping} {}", self.currency));
        }
        if let Some(channel) = &self.channel {
            order["channel"] = json!(channel);
        }
        let mut checkout = json!({
            "order": order,
            "customer": self.customer,
            "coupon_usage": self.usage,
            "at": self.at,
        });
        if !self.promotion_usage.is_empty() {
            checkout["promotion_usage"] = json!(self.promotion_usage);
        }
        if let Some(redeem) = &self.redeem {
            checkout["redeem"] = redeem.clone();
        }
        if let Some(available) = &self.available {
            checkout["available"] = available.clone();
        }
        checkout
    }

    /// The checkout; panics when the JSON is not a valid checkout.
    pub fn build(&self) -> Checkout {
        serde_json::from_value(self.to_json()).expect("the checkout deserialises")
    }

    /// The checkout, or the deserialisation error (an order that overflows).
    pub fn try_build(&self) -> Result<Checkout, serde_json::Error> {
        serde_json::from_value(self.to_json())
    }
}

/// Evaluates and unwraps, then checks the invariants every evaluation keeps.
pub fn eval(program: &Program, checkout: &Checkout) -> Evaluation {
    let evaluation = program.evaluate(checkout).expect("the checkout evaluates");
    check_invariants(&evaluation);
    evaluation
}

/// The sum of `xs`.
pub fn sum(xs: impl IntoIterator<Item = Decimal>) -> Decimal {
    xs.into_iter().fold(Decimal::ZERO, |a, b| a + b)
}

/// Invariants of any evaluation: per-line sums, totals, payable.
pub fn check_invariants(e: &Evaluation) {
    for line in &e.lines {
        let discounts = sum(line.discounts.iter().map(|d| d.amount));
        assert_eq!(
            line.gross - discounts,
            line.net,
            "line {}: gross − discounts = net",
            line.line
        );
        assert!(line.net >= Decimal::ZERO, "line {}: net ≥ 0", line.line);
        for part in &line.discounts {
            assert!(part.amount >= Decimal::ZERO, "line {}: part ≥ 0", line.line);
        }
    }
    let on_lines = sum(e
        .lines
        .iter()
        .flat_map(|l| l.discounts.iter().map(|d| d.amount)));
    assert_eq!(
        on_lines,
        e.totals.discount + e.totals.redeemed,
        "line parts sum to the discount and the redemptions"
    );
    let applied_items = sum(e
        .discounts
        .iter()
        .filter(|d| d.target == Target::Items)
        .map(|d| d.amount));
    assert_eq!(
        applied_items,
        e.totals.discount + e.totals.redeemed,
        "applied discounts and redemptions sum to the discount and the redemptions"
    );
    let redeemed = sum(e.redemptions.iter().map(|r| r.amount));
    assert_eq!(redeemed, e.totals.redeemed, "redemptions sum to redeemed");
    let applied_shipping = sum(e
        .discounts
        .iter()
        .filter(|d| d.target == Target::Shipping)
        .map(|d| d.amount));
    assert_eq!(applied_shipping, e.totals.shipping_discount);
    assert!(e.totals.shipping_discount >= Decimal::ZERO);
    assert!(e.totals.shipping_discount <= e.totals.shipping);
    assert_eq!(sum(e.lines.iter().map(|l| l.gross)), e.totals.subtotal);
    assert!(e.totals.payable >= Decimal::ZERO);
    assert_eq!(
        e.totals.payable,
        e.totals.subtotal - e.totals.discount + e.totals.shipping
            - e.totals.shipping_discount
            - e.totals.redeemed,
        "payable = subtotal − discount + shipping − shipping discount − redeemed"
    );
}
