//! Validation and serde of orders, lines, refunds and customers: every
//! error is checked for its variant and for a message that says what to fix.

use chrono::{DateTime, NaiveDate, Utc};
use loyalty::calendar::Country;
use loyalty::customer::{Birthday, Customer, CustomerError, CustomerStats};
use loyalty::id::EmptyIdError;
use loyalty::money::{Currency, Money, MoneyError};
use loyalty::order::{Line, LineId, Order, OrderError, OrderId, Refund};
use rust_decimal::Decimal;

const EUR: Currency = Currency::EUR;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 instant")
}

fn eur(amount: &str) -> Money {
    Money::parse(amount, EUR).expect("an amount")
}

fn line_id(id: &str) -> LineId {
    LineId::new(id).expect("a line id")
}

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

/// An order JSON document with the given lines (a JSON array's contents)
/// and extra top-level fields.
fn order_json(lines: &str, extra: &str) -> String {
    format!(
        r#"{{"id": "A-1", "customer": "C-1", "placed_at": "2026-11-27T14:30:00Z", "currency": "EUR", "lines": [{lines}]{extra}}}"#
    )
}

/// Asserts that a serde error's message starts with the Display of the
/// expected domain error (serde_json appends the position).
fn assert_serde_error_is(err: &serde_json::Error, expected: &OrderError) {
    let message = err.to_string();
    assert!(
        message.starts_with(&expected.to_string()),
        "serde error {message:?} should start with {:?}",
        expected.to_string()
    );
}

fn sample_order() -> Order {
    Order::builder("A-1", "C-1", at("2026-11-27T14:30:00Z"), EUR)
        .line(Line::new("1", "TEA-GREEN", 3, eur("12.50")).and_then(|l| l.with_category("tea")))
        .line(Line::new("2", "GIFT-CARD-50", 1, eur("50.00")).map(Line::exempt))
        .shipping(eur("4.90"))
        .coupon("WELCOME10")
        .channel("web")
        .country(Country::BR)
        .build()
        .expect("a valid order")
}

// ---------------------------------------------------------------------------
// Orders and lines
// ---------------------------------------------------------------------------

#[test]
fn a_valid_order_and_its_accessors() {
    let order = sample_order();
    assert_eq!(order.id().as_str(), "A-1");
    assert_eq!(order.customer().as_str(), "C-1");
    assert_eq!(order.currency(), EUR);
    // 3 × 12.50 + 50.00 = 87.50: exempt lines count in the gross subtotal,
    // shipping does not.
    assert_eq!(order.gross_subtotal(), eur("87.50"));
    assert_eq!(order.shipping(), eur("4.90"));
    assert_eq!(order.coupons(), ["WELCOME10".to_owned()]);
    assert_eq!(order.channel().map(|c| c.as_str()), Some("web"));
    assert_eq!(order.country(), Some(Country::BR));
    let tea = order.line("1").expect("line 1");
    assert_eq!(tea.gross(), Ok(eur("37.50")));
    assert!(tea.in_category("tea"));
    assert!(!tea.is_exempt());
    assert!(order.line("2").expect("line 2").is_exempt());
    assert!(order.line("3").is_none());
}

#[test]
fn order_json_round_trip() {
    let order = sample_order();
    let json = serde_json::to_value(&order).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "id": "A-1",
            "customer": "C-1",
            "placed_at": "2026-11-27T14:30:00Z",
            "currency": "EUR",
            "channel": "web",
            "country": "BR",
            "lines": [
                {"id": "1", "sku": "TEA-GREEN", "categories": ["tea"], "quantity": 3, "unit_price": "12.50 EUR"},
                {"id": "2", "sku": "GIFT-CARD-50", "quantity": 1, "unit_price": "50.00 EUR", "exempt": true}
            ],
            "shipping": "4.90 EUR",
            "coupons": ["WELCOME10"]
        })
    );
    let back: Order = serde_json::from_value(json).unwrap();
    assert_eq!(back, order);
    assert_eq!(back.gross_subtotal(), eur("87.50"));
}

#[test]
fn shipping_defaults_to_zero() {
    let order: Order = serde_json::from_str(&order_json(
        r#"{"id": "1", "sku": "TEA", "quantity": 1, "unit_price": "1.00 EUR"}"#,
        "",
    ))
    .unwrap();
    assert_eq!(order.shipping(), eur("0"));
    assert!(order.coupons().is_empty());
}

#[test]
fn negative_quantity_from_json() {
    let err = serde_json::from_str::<Order>(&order_json(
        r#"{"id": "1", "sku": "TEA", "quantity": -1, "unit_price": "12.50 EUR"}"#,
        "",
    ))
    .unwrap_err();
    let expected = OrderError::NegativeQuantity {
        line: line_id("1"),
        quantity: -1,
    };
    assert_serde_error_is(&err, &expected);
    assert!(
        err.to_string().contains("quantity -1 is negative")
            && err.to_string().contains("1 or more"),
        "{err}"
    );
    // The same from a lone line.
    let err = serde_json::from_str::<Line>(
        r#"{"id": "7", "sku": "TEA", "quantity": -3, "unit_price": "1.00 EUR"}"#,
    )
    .unwrap_err();
    assert_serde_error_is(
        &err,
        &OrderError::NegativeQuantity {
            line: line_id("7"),
            quantity: -3,
        },
    );
}

#[test]
fn zero_quantity() {
    let err = Line::new("1", "TEA", 0, eur("1.00")).unwrap_err();
    assert_eq!(err, OrderError::ZeroQuantity { line: line_id("1") });
    assert_eq!(
        err.to_string(),
        "line 1: quantity is 0: leave the line out or sell at least 1 unit"
    );
    let json_err = serde_json::from_str::<Line>(
        r#"{"id": "1", "sku": "TEA", "quantity": 0, "unit_price": "1.00 EUR"}"#,
    )
    .unwrap_err();
    assert_serde_error_is(&json_err, &err);
}

#[test]
fn quantity_too_large_from_json() {
    let err = serde_json::from_str::<Line>(
        r#"{"id": "1", "sku": "TEA", "quantity": 4294967296, "unit_price": "1.00 EUR"}"#,
    )
    .unwrap_err();
    assert_serde_error_is(
        &err,
        &OrderError::QuantityTooLarge {
            line: line_id("1"),
            quantity: 4_294_967_296,
        },
    );
    assert!(
        err.to_string().contains("at most 4294967295 units"),
        "{err}"
    );
    // u32::MAX itself is fine.
    let line: Line = serde_json::from_str(
        r#"{"id": "1", "sku": "TEA", "quantity": 4294967295, "unit_price": "1.00 EUR"}"#,
    )
    .unwrap();
    assert_eq!(line.quantity(), u32::MAX);
}

#[test]
fn negative_price() {
    let err = Line::new("1", "TEA", 1, eur("-0.01")).unwrap_err();
    assert_eq!(
        err,
        OrderError::NegativePrice {
            line: line_id("1"),
            price: eur("-0.01"),
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("unit price -0.01 EUR is negative") && message.contains("refunds"),
        "{message}"
    );
    // A zero price is allowed (a free sample).
    assert!(Line::new("1", "SAMPLE", 1, eur("0.00")).is_ok());
}

#[test]
fn price_not_in_minor_units() {
    let err = Line::new("1", "TEA", 1, eur("1.005")).unwrap_err();
    assert_eq!(
        err,
        OrderError::PriceNotInMinorUnits {
            line: line_id("1"),
            source: MoneyError::NotInMinorUnits {
                amount: dec("1.005"),
                currency: EUR,
                minor_unit: dec("0.01"),
                minor_units: 2,
            },
        }
    );
    let message = err.to_string();
    assert!(
        message.starts_with("line 1: unit price: 1.005 is not a whole number of EUR's minor unit")
            && message.contains("round it to 2 decimal places"),
        "{message}"
    );
    // 1.5 JPY is not in minor units either; 1.005 KWD is.
    assert!(Line::new("1", "TEA", 1, Money::parse("1.5", Currency::JPY).unwrap()).is_err());
    assert!(Line::new("1", "TEA", 1, Money::parse("1.005", Currency::KWD).unwrap()).is_ok());
}

#[test]
fn line_in_another_currency() {
    let usd = Money::parse("5.00", Currency::USD).unwrap();
    let err = Order::builder("A-1", "C-1", at("2026-01-01T00:00:00Z"), EUR)
        .line(Line::new("1", "TEA", 1, eur("5.00")))
        .line(Line::new("2", "MUG", 1, usd))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        OrderError::CurrencyMismatch {
            what: "line 2".into(),
            expected: EUR,
            found: Currency::USD,
        }
    );
    assert_eq!(
        err.to_string(),
        "line 2 is in USD, but the order is in EUR: convert it to EUR"
    );
    // From JSON.
    let json_err = serde_json::from_str::<Order>(&order_json(
        r#"{"id": "2", "sku": "MUG", "quantity": 1, "unit_price": "5.00 USD"}"#,
        "",
    ))
    .unwrap_err();
    assert_serde_error_is(&json_err, &err);
}

#[test]
fn duplicate_line_ids() {
    let err = Order::builder("A-1", "C-1", at("2026-01-01T00:00:00Z"), EUR)
        .line(Line::new("1", "TEA", 1, eur("5.00")))
        .line(Line::new("2", "MUG", 1, eur("5.00")))
        .line(Line::new("1", "COFFEE", 2, eur("7.00")))
        .build()
        .unwrap_err();
    assert_eq!(err, OrderError::DuplicateLine { line: line_id("1") });
    assert_eq!(
        err.to_string(),
        "line id 1 appears twice: give each line of an order its own id"
    );
    // Ids are trimmed, so " 1" repeats "1".
    let err = Order::builder("A-1", "C-1", at("2026-01-01T00:00:00Z"), EUR)
        .line(Line::new("1", "TEA", 1, eur("5.00")))
        .line(Line::new(" 1 ", "MUG", 1, eur("5.00")))
        .build()
        .unwrap_err();
    assert_eq!(err, OrderError::DuplicateLine { line: line_id("1") });
    // A large order finds its repeated id too (by an index, not a scan):
    // 1 000 distinct lines, then line "500" again.
    let large = |repeat: Option<&str>| {
        let mut builder = Order::builder("A-1", "C-1", at("2026-01-01T00:00:00Z"), EUR);
        for i in 0..1000 {
            builder = builder.line(Line::new(i.to_string(), "TEA", 1, eur("1.00")));
        }
        if let Some(id) = repeat {
            builder = builder.line(Line::new(id, "MUG", 1, eur("1.00")));
        }
        builder.build()
    };
    assert_eq!(large(None).unwrap().lines().len(), 1000);
    let err = large(Some("500")).unwrap_err();
    assert_eq!(
        err,
        OrderError::DuplicateLine {
            line: line_id("500")
        }
    );
}

#[test]
fn the_first_line_error_is_kept() {
    let err = Order::builder("A-1", "C-1", at("2026-01-01T00:00:00Z"), EUR)
        .line(Line::new("1", "TEA", 0, eur("5.00")))
        .line(Line::new("2", "MUG", 1, eur("-1.00")))
        .build()
        .unwrap_err();
    assert_eq!(err, OrderError::ZeroQuantity { line: line_id("1") });
}

#[test]
fn unknown_fields_are_refused() {
    let err = serde_json::from_str::<Order>(&order_json(
        r#"{"id": "1", "sku": "TEA", "quantity": 1, "unit_price": "1.00 EUR"}"#,
        r#", "discount": "5.00 EUR""#,
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown field `discount`"),
        "{err}"
    );
    let err = serde_json::from_str::<Order>(&order_json(
        r#"{"id": "1", "sku": "TEA", "qty": 1, "unit_price": "1.00 EUR"}"#,
        "",
    ))
    .unwrap_err();
    assert!(err.to_string().contains("unknown field `qty`"), "{err}");
}

#[test]
fn negative_or_fractional_shipping() {
    for amount in ["-4.90", "4.905"] {
        let err = Order::builder("A-1", "C-1", at("2026-01-01T00:00:00Z"), EUR)
            .line(Line::new("1", "TEA", 1, eur("5.00")))
            .shipping(eur(amount))
            .build()
            .unwrap_err();
        assert_eq!(
            err,
            OrderError::InvalidShipping {
                amount: eur(amount)
            }
        );
        let message = err.to_string();
        assert!(
            message.contains(&format!("shipping {amount} EUR is invalid"))
                && message.contains("zero or more, in whole minor units"),
            "{message}"
        );
    }
    let json_err = serde_json::from_str::<Order>(&order_json(
        r#"{"id": "1", "sku": "TEA", "quantity": 1, "unit_price": "1.00 EUR"}"#,
        r#", "shipping": "-1.00 EUR""#,
    ))
    .unwrap_err();
    assert_serde_error_is(
        &json_err,
        &OrderError::InvalidShipping {
            amount: eur("-1.00"),
        },
    );
    // Shipping in another currency.
    let err = Order::builder("A-1", "C-1", at("2026-01-01T00:00:00Z"), EUR)
        .shipping(Money::parse("3", Currency::JPY).unwrap())
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        OrderError::CurrencyMismatch {
            what: "shipping".into(),
            expected: EUR,
            found: Currency::JPY,
        }
    );
}

#[test]
fn blank_ids_are_refused() {
    let err = Order::builder("  ", "C-1", at("2026-01-01T00:00:00Z"), EUR)
        .build()
        .unwrap_err();
    assert_eq!(err, OrderError::EmptyId(EmptyIdError { kind: "order id" }));
    assert_eq!(err.to_string(), "order id is empty: give a non-blank value");
    let err = Line::new("1", "", 1, eur("1.00")).unwrap_err();
    assert_eq!(err, OrderError::EmptyId(EmptyIdError { kind: "sku" }));
    let err = Order::builder("A-1", "", at("2026-01-01T00:00:00Z"), EUR)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "customer id is empty: give a non-blank value"
    );
}

#[test]
fn overflowing_totals_are_refused() {
    let huge = Money::new(Decimal::MAX, EUR);
    let err = Order::builder("A-1", "C-1", at("2026-01-01T00:00:00Z"), EUR)
        .line(Line::new("1", "TEA", 2, huge))
        .build()
        .unwrap_err();
    assert_eq!(err, OrderError::Overflow);
    assert!(err.to_string().contains("absurd prices"), "{err}");
}

// ---------------------------------------------------------------------------
// Refunds
// ---------------------------------------------------------------------------

fn refund_order() -> Order {
    Order::builder("A-1", "C-1", at("2026-03-15T10:00:00Z"), EUR)
        .line(Line::new("1", "MUG", 3, eur("9.00")))
        .line(Line::new("2", "TEA", 1, eur("4.00")))
        .build()
        .unwrap()
}

#[test]
fn partial_refund_is_ok() {
    let refund = Refund::new("R-1", "A-1", at("2026-03-20T10:00:00Z"))
        .and_then(|r| r.line("1", 2))
        .and_then(|r| r.line("2", 1))
        .unwrap();
    assert_eq!(refund.check_against(&refund_order()), Ok(()));
    assert_eq!(refund.quantity_of("1"), 2);
    assert_eq!(refund.quantity_of("2"), 1);
    assert_eq!(refund.quantity_of("9"), 0);
    assert_eq!(refund.order().as_str(), "A-1");
}

#[test]
fn refund_of_an_unknown_line() {
    let refund = Refund::new("R-2", "A-1", at("2026-03-20T10:00:00Z"))
        .and_then(|r| r.line("9", 1))
        .unwrap();
    let err = refund.check_against(&refund_order()).unwrap_err();
    assert_eq!(
        err,
        OrderError::RefundUnknownLine {
            order: OrderId::new("A-1").unwrap(),
            line: line_id("9"),
        }
    );
    assert_eq!(
        err.to_string(),
        "refund of order A-1: line 9 is not in the order"
    );
}

#[test]
fn refund_of_too_many_units_counts_every_entry_of_the_line() {
    // 2 + 2 units of line 1, of which 3 were sold.
    let refund = Refund::new("R-3", "A-1", at("2026-03-20T10:00:00Z"))
        .and_then(|r| r.line("1", 2))
        .and_then(|r| r.line("1", 2))
        .unwrap();
    let err = refund.check_against(&refund_order()).unwrap_err();
    assert_eq!(
        err,
        OrderError::RefundTooMany {
            order: OrderId::new("A-1").unwrap(),
            line: line_id("1"),
            returned: 4,
            sold: 3,
        }
    );
    assert_eq!(
        err.to_string(),
        "refund of order A-1: line 1 returns 4 units but only 3 were sold"
    );
    // Exactly what was sold is fine.
    let all = Refund::new("R-4", "A-1", at("2026-03-20T10:00:00Z"))
        .and_then(|r| r.line("1", 3))
        .unwrap();
    assert_eq!(all.check_against(&refund_order()), Ok(()));
}

#[test]
fn refund_of_another_order() {
    let refund = Refund::new("R-5", "A-2", at("2026-03-20T10:00:00Z"))
        .and_then(|r| r.line("1", 1))
        .unwrap();
    let err = refund.check_against(&refund_order()).unwrap_err();
    assert_eq!(
        err,
        OrderError::RefundWrongOrder {
            order: OrderId::new("A-1").unwrap(),
            refund_order: OrderId::new("A-2").unwrap(),
        }
    );
    assert_eq!(err.to_string(), "refund is for order A-2, not A-1");
}

#[test]
fn refund_serde() {
    let refund: Refund = serde_json::from_str(
        r#"{"id": "R-1", "order": "A-1", "at": "2026-03-20T10:00:00Z", "lines": [{"line": "1", "quantity": 2}]}"#,
    )
    .unwrap();
    assert_eq!(refund.quantity_of("1"), 2);
    assert_eq!(refund.id().as_str(), "R-1");
    assert_eq!(refund.at(), at("2026-03-20T10:00:00Z"));
    let back: Refund = serde_json::from_str(&serde_json::to_string(&refund).unwrap()).unwrap();
    assert_eq!(back, refund);
    let err = serde_json::from_str::<Refund>(
        r#"{"id": "R-1", "order": "A-1", "at": "2026-03-20T10:00:00Z", "lines": [], "reason": "broken"}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown field `reason`"), "{err}");
    let err = serde_json::from_str::<Refund>(
        r#"{"order": "A-1", "at": "2026-03-20T10:00:00Z", "lines": []}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("missing field `id`"), "{err}");
}

// ---------------------------------------------------------------------------
// Customers
// ---------------------------------------------------------------------------

#[test]
fn customer_builder_and_order_number() {
    let customer = Customer::new("C-42")
        .and_then(|c| c.with_tier("gold"))
        .and_then(|c| c.with_segment("vip"))
        .and_then(|c| c.with_segment("vip"))
        .and_then(|c| {
            c.with_stats(CustomerStats {
                orders_before: 4,
                lifetime_spend: dec("812.40"),
                tier_window_spend: dec("300.00"),
                tier_window_orders: 2,
                last_order_at: Some(at("2026-10-02T09:00:00Z")),
            })
        })
        .unwrap();
    assert_eq!(customer.order_number(), Some(5));
    assert_eq!(customer.tier().map(|t| t.as_str()), Some("gold"));
    assert_eq!(customer.segments().len(), 1, "a segment is added once");
    assert!(customer.in_segment("vip"));
    assert!(!customer.in_segment("wholesale"));
    // Without stats the order number is unknown; with empty stats it is 1.
    assert_eq!(Customer::new("C-1").unwrap().order_number(), None);
    let first = Customer::new("C-1")
        .unwrap()
        .with_stats(CustomerStats::default())
        .unwrap();
    assert_eq!(first.order_number(), Some(1));
}

#[test]
fn negative_spend() {
    let stats = CustomerStats {
        orders_before: 1,
        lifetime_spend: dec("-1.00"),
        ..CustomerStats::default()
    };
    let err = stats.validate().unwrap_err();
    assert_eq!(
        err,
        CustomerError::NegativeSpend {
            field: "lifetime_spend",
            value: dec("-1.00"),
        }
    );
    assert_eq!(
        err.to_string(),
        "stats.lifetime_spend is -1.00: spend is zero or more"
    );
    let stats = CustomerStats {
        tier_window_spend: dec("-0.01"),
        ..CustomerStats::default()
    };
    assert_eq!(
        stats.validate(),
        Err(CustomerError::NegativeSpend {
            field: "tier_window_spend",
            value: dec("-0.01"),
        })
    );
}

#[test]
fn window_orders_above_orders_before() {
    let stats = CustomerStats {
        orders_before: 2,
        tier_window_orders: 3,
        ..CustomerStats::default()
    };
    let err = Customer::new("C-1").unwrap().with_stats(stats).unwrap_err();
    assert!(matches!(err, CustomerError::InconsistentStats { .. }));
    assert!(
        err.to_string()
            .contains("tier_window_orders is above orders_before"),
        "{err}"
    );
}

#[test]
fn window_spend_above_lifetime_spend() {
    let stats = CustomerStats {
        orders_before: 2,
        lifetime_spend: dec("10.00"),
        tier_window_spend: dec("10.01"),
        ..CustomerStats::default()
    };
    let err = stats.validate().unwrap_err();
    assert!(matches!(err, CustomerError::InconsistentStats { .. }));
    assert!(
        err.to_string()
            .contains("tier_window_spend is above lifetime_spend"),
        "{err}"
    );
}

#[test]
fn last_order_without_orders_before() {
    let stats = CustomerStats {
        orders_before: 0,
        last_order_at: Some(at("2026-01-01T00:00:00Z")),
        ..CustomerStats::default()
    };
    let err = stats.validate().unwrap_err();
    assert!(matches!(err, CustomerError::InconsistentStats { .. }));
    assert!(
        err.to_string()
            .contains("last_order_at is set but orders_before is 0"),
        "{err}"
    );
    // From JSON too.
    let json_err = serde_json::from_str::<Customer>(
        r#"{"id": "C-1", "stats": {"orders_before": 0, "last_order_at": "2026-01-01T00:00:00Z"}}"#,
    )
    .unwrap_err();
    assert!(
        json_err.to_string().starts_with(&err.to_string()),
        "{json_err}"
    );
}

#[test]
fn customer_serde() {
    let customer: Customer = serde_json::from_str(
        r#"{"id": "C-42", "birthday": "1990-05-17", "tier": "gold", "segments": ["vip", "vip", "wholesale"],
            "stats": {"orders_before": 4, "lifetime_spend": "812.40"}}"#,
    )
    .unwrap();
    assert_eq!(customer.birthday(), Some(Birthday::new(5, 17).unwrap()));
    assert_eq!(customer.segments().len(), 2);
    assert_eq!(customer.stats().unwrap().orders_before, 4);
    assert_eq!(customer.stats().unwrap().lifetime_spend, dec("812.40"));
    let json = serde_json::to_value(&customer).unwrap();
    assert_eq!(json["birthday"], "05-17");
    let back: Customer = serde_json::from_value(json).unwrap();
    assert_eq!(back, customer);

    let err = serde_json::from_str::<Customer>(r#"{"id": "C-1", "vip": true}"#).unwrap_err();
    assert!(err.to_string().contains("unknown field `vip`"), "{err}");
    let err =
        serde_json::from_str::<Customer>(r#"{"id": "C-1", "stats": {"orders": 3}}"#).unwrap_err();
    assert!(err.to_string().contains("unknown field `orders`"), "{err}");
}

// ---------------------------------------------------------------------------
// Birthdays
// ---------------------------------------------------------------------------

#[test]
fn birthday_parsing() {
    let short: Birthday = "05-17".parse().unwrap();
    assert_eq!((short.month(), short.day()), (5, 17));
    let long: Birthday = "1990-05-17".parse().unwrap();
    assert_eq!(long, short);
    assert_eq!(long.to_string(), "05-17");
    let leap: Birthday = "02-29".parse().unwrap();
    assert_eq!((leap.month(), leap.day()), (2, 29));
}

#[test]
fn birthday_errors() {
    let err = "02-30".parse::<Birthday>().unwrap_err();
    assert_eq!(err, CustomerError::InvalidBirthday { month: 2, day: 30 });
    assert_eq!(
        err.to_string(),
        "birthday 02-30 is not a date: give a month 1–12 and a day that month has"
    );
    assert_eq!(
        Birthday::new(13, 1),
        Err(CustomerError::InvalidBirthday { month: 13, day: 1 })
    );
    for text in ["5/17", "May 17", "90-05-17", "1990-05-17-01", ""] {
        let err = text.parse::<Birthday>().unwrap_err();
        assert_eq!(
            err,
            CustomerError::BirthdayFormat {
                text: text.to_owned()
            },
            "{text:?}"
        );
        assert!(
            err.to_string()
                .contains("write \"MM-DD\" or \"YYYY-MM-DD\""),
            "{err}"
        );
    }
}

#[test]
fn birthday_falls_on() {
    let may = Birthday::new(5, 17).unwrap();
    assert!(may.falls_on(date(2026, 5, 17)));
    assert!(!may.falls_on(date(2026, 5, 18)));
    assert!(!may.falls_on(date(2026, 6, 17)));

    let leap_day = Birthday::new(2, 29).unwrap();
    // 2027 is not a leap year: the 28th stands in for the 29th.
    assert!(leap_day.falls_on(date(2027, 2, 28)));
    assert!(!leap_day.falls_on(date(2027, 3, 1)));
    // 2028 is: only the 29th.
    assert!(!leap_day.falls_on(date(2028, 2, 28)));
    assert!(leap_day.falls_on(date(2028, 2, 29)));
    // 2100 is not a leap year (divisible by 100, not by 400).
    assert!(leap_day.falls_on(date(2100, 2, 28)));
    // A 28 February birthday is only ever the 28th.
    let feb28 = Birthday::new(2, 28).unwrap();
    assert!(feb28.falls_on(date(2027, 2, 28)));
    assert!(feb28.falls_on(date(2028, 2, 28)));
    assert!(!feb28.falls_on(date(2028, 2, 29)));
}

/// An order whose total would pass 10^18 is refused, not rounded: 2 units of
/// 600 000 000 000 000 000.00 EUR make 1.2 × 10^18.
#[test]
fn an_order_above_the_largest_amount_is_refused() {
    use loyalty::money::{Currency, Money};
    use loyalty::order::{Line, Order, OrderError};
    let eur = Currency::EUR;
    let price = Money::parse("600000000000000000.00", eur).unwrap();
    let result = Order::builder("A-1", "C-1", "2026-01-01T00:00:00Z".parse().unwrap(), eur)
        .line(Line::new("1", "X", 2, price))
        .build();
    let error = result.unwrap_err();
    assert!(
        matches!(error, OrderError::AmountTooLarge { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("absurd prices"), "{error}");
}
