//! Customers and inputs as hosts have them: guest checkouts, contacts and
//! the `identified` / `registered` conditions, line labels, discountable
//! amounts, tax bases for minimums and caps, and lenient quantity-0 lines.
//! Hand-worked scenarios (citing the platform rule they reproduce), bad
//! input as typed errors, serde round trips, and the invariants as
//! properties.

use loyalty::condition::{Condition, Facts, LabelMatch, LabelMatchError, LineSelector, Value};
use loyalty::customer::{Customer, CustomerError, CustomerId, RecordNeed};
use loyalty::error::EvaluationError;
use loyalty::evaluate::Checkout;
use loyalty::evaluation::{
    Effect, Evaluation, IgnoredBecause, Reason, RedemptionRefusal, RuleKind,
};
use loyalty::money::{Currency, Money, RoundingMode};
use loyalty::order::{Line, Order, OrderError, TaxBasis, TaxRate, TaxRateError};
use loyalty::program::{InputPolicy, Program, ProgramDefinition, TaxPolicy, ZeroQuantity};
use loyalty::rules::coupon::Rejection;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value as Json, json};

use crate::util::cases;
use crate::util::common::{AT, d, eur_program, eval, seeds_ladder};

const EUR: Currency = Currency::EUR;

fn eur(amount: &str) -> Money {
    Money::parse(amount, EUR).expect("an amount")
}

fn at() -> chrono::DateTime<chrono::Utc> {
    AT.parse().expect("an instant")
}

/// A EUR line as JSON: `quantity × sku at price`, with `extra` fields.
fn line(id: &str, sku: &str, quantity: i64, price: &str, extra: Json) -> Json {
    let mut line = json!({"id": id, "sku": sku, "quantity": quantity,
                          "unit_price": format!("{price} EUR")});
    if let (Some(line), Some(extra)) = (line.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            line.insert(k.clone(), v.clone());
        }
    }
    line
}

/// An order `A-1` of `customer` (a guest's when `None`) with `lines` and
/// `coupons`, placed at [`AT`].
fn order(customer: Option<&str>, lines: Vec<Json>, coupons: &[&str]) -> Json {
    let mut order = json!({"id": "A-1", "placed_at": AT, "currency": "EUR",
                           "lines": lines, "coupons": coupons});
    if let Some(customer) = customer {
        order["customer"] = json!(customer);
    }
    order
}

/// A checkout of `order`, with the customer JSON `customer` when given.
fn checkout(order: Json, customer: Option<Json>) -> Checkout {
    try_checkout(order, customer).expect("the checkout deserialises")
}

fn try_checkout(order: Json, customer: Option<Json>) -> Result<Checkout, serde_json::Error> {
    let mut checkout = json!({"order": order, "at": AT});
    if let Some(customer) = customer {
        checkout["customer"] = customer;
    }
    serde_json::from_value(checkout)
}

/// A program from `extra` merged into a EUR program, with `inputs`.
fn program_with_inputs(extra: Json, inputs: Json) -> Program {
    let mut extra = extra;
    extra["inputs"] = inputs;
    eur_program(extra)
}

/// A first-time registered customer `C-1` (stats given, empty).
fn newcomer() -> Json {
    json!({"id": "C-1", "stats": {}})
}

fn rejection(e: &Evaluation, code: &str) -> Option<Rejection> {
    e.coupon(code)
        .expect("the code was entered")
        .rejection
        .clone()
}

// ---------------------------------------------------------------------------
// Guest checkouts
// ---------------------------------------------------------------------------

/// Coupons that need a customer record, one that does not, points and
/// cashback.
fn guest_program() -> Program {
    eur_program(json!({
        "coupons": [
            {"id": "once", "codes": ["ONCE"], "per_customer_limit": 1,
             "reward": {"type": "amount_off", "amount": "5.00"}},
            {"id": "first", "codes": ["FIRST"], "first_order_only": true,
             "reward": {"type": "percent_off", "percent": "10"}},
            {"id": "fifth", "codes": ["FIFTH"], "order_number": 5,
             "reward": {"type": "amount_off", "amount": "5.00"}},
            {"id": "gold", "codes": ["GOLD"], "tiers": ["gold"],
             "reward": {"type": "percent_off", "percent": "10"}},
            {"id": "plain", "codes": ["PLAIN"],
             "reward": {"type": "amount_off", "amount": "5.00"}}
        ],
        "earning": [{"id": "points", "points": "1", "per": "1.00"}],
        "cashback": [{"id": "cashback", "percent": "2"}],
        "redemption": {"points": {"rate": {"points": 100, "value": "1.00"}}}
    }))
}

fn tea_for_two() -> Vec<Json> {
    vec![line("1", "TEA", 2, "25.00", json!({}))]
}

#[test]
fn a_guest_checkout_is_written_without_a_customer() {
    let codes = ["PLAIN"];
    // No customer at all, a contact only, or "guest" said outright.
    let bare = checkout(order(None, tea_for_two(), &codes), None);
    let contact = checkout(
        order(None, tea_for_two(), &codes),
        Some(json!({"email": "ana@example.com"})),
    );
    let said = checkout(
        order(None, tea_for_two(), &codes),
        Some(json!({"guest": true})),
    );
    for c in [&bare, &contact, &said] {
        assert!(c.order.is_guest());
        assert!(c.customer.is_guest());
        assert_eq!(c.customer.record_id(), None);
        assert_eq!(c.order.customer_id(), None);
        // The accessors that always give an id give the stand-in.
        assert_eq!(c.customer.id(), CustomerId::guest());
        assert_eq!(c.order.customer().as_str(), "guest");
    }
    assert_eq!(bare, said);
    assert_eq!(
        contact.customer.email().map(|e| e.as_str()),
        Some("ana@example.com")
    );
    assert!(contact.customer.is_identified());
    assert!(!bare.customer.is_identified());
    // The Rust form is the same checkout.
    let order = Order::guest_builder("A-1", at(), EUR)
        .line(Line::new("1", "TEA", 2, eur("25.00")))
        .coupon("PLAIN")
        .build()
        .unwrap();
    assert_eq!(Checkout::for_order(order, at()), bare);
    // Written out and read back, unchanged; the order has no "customer".
    for c in [&bare, &contact] {
        let written = serde_json::to_value(c).unwrap();
        assert!(written["order"].get("customer").is_none(), "{written}");
        assert_eq!(written["customer"]["guest"], json!(true));
        let read: Checkout = serde_json::from_value(written).unwrap();
        assert_eq!(&read, c);
    }
}

#[test]
fn a_guest_is_refused_the_coupons_that_need_a_customer_record() {
    // Saleor refuses a voucher "valid only for staff customers" when the
    // checkout has no user (`validate_only_for_staff`: `if not customer`):
    // a rule that needs the customer's record does not match a guest. Each
    // says which need, as data.
    let program = guest_program();
    let codes = ["ONCE", "FIRST", "FIFTH", "GOLD", "PLAIN"];
    let e = eval(
        &program,
        &checkout(order(None, tea_for_two(), &codes), None),
    );
    assert!(e.guest);
    assert_eq!(e.customer.as_str(), "guest");
    for (code, needs) in [
        ("ONCE", RecordNeed::PerCustomerLimit),
        ("FIRST", RecordNeed::FirstOrder),
        ("FIFTH", RecordNeed::OrderNumber),
        ("GOLD", RecordNeed::Tier),
    ] {
        assert_eq!(
            rejection(&e, code),
            Some(Rejection::GuestCheckout { needs }),
            "{code}"
        );
    }
    assert_eq!(rejection(&e, "PLAIN"), None);
    assert_eq!(
        e.coupon("ONCE").unwrap().message(),
        "guest checkout: no customer record: this code is limited per customer; sign in to use it"
    );
    let json = serde_json::to_value(e.coupon("FIRST").unwrap()).unwrap();
    assert_eq!(
        json["rejection"],
        json!({"reason": "guest_checkout", "needs": "first_order"})
    );
    // 2 × 25.00 = 50.00, PLAIN takes 5.00: 45.00 to pay.
    assert_eq!(e.totals.discount, d("5.00"));
    assert_eq!(e.totals.payable, d("45.00"));
    // The same order by a first-time customer: ONCE and FIRST apply too,
    // FIFTH and GOLD are refused for their own reasons.
    let known = eval(
        &program,
        &checkout(order(Some("C-1"), tea_for_two(), &codes), Some(newcomer())),
    );
    assert!(!known.guest);
    assert_eq!(rejection(&known, "ONCE"), None);
    assert_eq!(rejection(&known, "FIRST"), None);
    assert!(matches!(
        rejection(&known, "FIFTH"),
        Some(Rejection::NotNthOrder { .. })
    ));
    assert!(matches!(
        rejection(&known, "GOLD"),
        Some(Rejection::TierNotAllowed { .. })
    ));
}

#[test]
fn a_guest_earns_nothing_credited_and_sees_what_is_unclaimed() {
    let program = guest_program();
    let e = eval(
        &program,
        &checkout(order(None, tea_for_two(), &["PLAIN"]), None),
    );
    // Net 45.00: 45 points at 1 per 1.00 and 2% cashback = 0.90, neither
    // credited: nobody's wallet.
    assert_eq!(e.points.total, Decimal::ZERO);
    assert_eq!(e.points.unclaimed, d("45"));
    assert!(e.points.rules.is_empty() && e.points.lines.is_empty());
    assert_eq!(e.points.available_at, None);
    assert_eq!(e.cashback.total, Decimal::ZERO);
    assert_eq!(e.cashback.unclaimed, d("0.90"));
    // One effect: the redemption of PLAIN, counted overall only.
    assert_eq!(e.effects.len(), 1, "{:?}", e.effects);
    match &e.effects[0] {
        Effect::CouponRedemption { customer, code, .. } => {
            assert_eq!(customer, &None);
            assert_eq!(code, "PLAIN");
        }
        other => panic!("unexpected effect {other:?}"),
    }
    let effect = serde_json::to_value(&e.effects[0]).unwrap();
    assert!(effect.get("customer").is_none(), "{effect}");
    // The trace says why, once.
    let unclaimed: Vec<_> = e
        .trace
        .iter()
        .filter(|t| t.rule.kind == RuleKind::Customer)
        .collect();
    assert_eq!(unclaimed.len(), 1);
    assert_eq!(
        unclaimed[0].message(),
        "not applied: guest checkout: no customer record, so nothing is credited (45 points and 0.90 EUR cashback unclaimed)"
    );
    // The evaluation round-trips with its new fields.
    let written = serde_json::to_value(&e).unwrap();
    assert_eq!(written["guest"], json!(true));
    assert_eq!(written["points"]["unclaimed"], json!("45"));
    let read: Evaluation = serde_json::from_value(written).unwrap();
    assert_eq!(read, e);
    // The registered customer gets the same numbers credited.
    let known = eval(
        &program,
        &checkout(
            order(Some("C-1"), tea_for_two(), &["PLAIN"]),
            Some(newcomer()),
        ),
    );
    assert_eq!(known.points.total, d("45"));
    assert_eq!(known.points.unclaimed, Decimal::ZERO);
    assert_eq!(known.cashback.total, d("0.90"));
    assert!(
        known
            .effects
            .iter()
            .any(|x| matches!(x, Effect::CreditPoints { .. }))
    );
}

#[test]
fn a_guest_cannot_pay_with_points() {
    let program = guest_program();
    let mut json = json!({"order": order(None, tea_for_two(), &[]), "at": AT,
                          "redeem": {"points": "all"}, "available": {"points": "1000"}});
    let guest: Checkout = serde_json::from_value(json.clone()).unwrap();
    let e = eval(&program, &guest);
    assert_eq!(
        e.redemptions[0].refused,
        Some(RedemptionRefusal::NoCustomerRecord)
    );
    assert_eq!(e.totals.redeemed, Decimal::ZERO);
    assert!(
        !e.effects
            .iter()
            .any(|x| matches!(x, Effect::RedeemPoints { .. }))
    );
    // A registered customer pays 10.00 with 1000 points.
    json["order"]["customer"] = json!("C-1");
    let known: Checkout = serde_json::from_value(json).unwrap();
    let e = eval(&program, &known);
    assert!(e.redemptions[0].is_applied());
    assert_eq!(e.totals.redeemed, d("10.00"));
}

#[test]
fn customer_facts_observe_that_a_guest_has_no_record() {
    let order = Order::guest_builder("A-1", at(), EUR)
        .line(Line::new("1", "TEA", 1, eur("10.00")))
        .build()
        .unwrap();
    let calendar = loyalty::calendar::Calendar::default();
    let guest = Customer::guest();
    let facts = Facts::new(&order, &guest, &calendar, at());
    for (condition, message) in [
        (
            json!("first_order"),
            "guest checkout: no customer record (the order number is unknown)",
        ),
        (
            json!({"order_number_at_least": 2}),
            "guest checkout: no customer record (the order number is unknown)",
        ),
        (
            json!({"order_number_is": 5}),
            "guest checkout: no customer record (the order number is unknown)",
        ),
        (
            json!({"days_since_last_order_at_least": 30}),
            "guest checkout: no customer record (no order history)",
        ),
        (
            json!({"tier_in": ["gold"]}),
            "guest checkout: no customer record (no tier)",
        ),
        (
            json!({"segment_in": ["vip"]}),
            "guest checkout: no customer record (no segments)",
        ),
        (
            json!("birthday"),
            "guest checkout: no customer record (no birthday)",
        ),
        (
            json!("birthday_month"),
            "guest checkout: no customer record (no birthday)",
        ),
        (json!("registered"), "guest checkout: no customer record"),
        (
            json!("identified"),
            "guest checkout: no customer record and no contact",
        ),
    ] {
        let condition: Condition = serde_json::from_value(condition).unwrap();
        let verdict = condition.evaluate(&facts).unwrap();
        assert!(!verdict.met, "{condition:?}");
        let because = verdict.because.unwrap();
        assert_eq!(because.observed, Value::NoCustomerRecord, "{condition:?}");
        assert_eq!(because.to_string(), message);
    }
    // Negated, a guest passes "not registered".
    let not_registered: Condition = serde_json::from_value(json!({"not": "registered"})).unwrap();
    assert!(not_registered.evaluate(&facts).unwrap().met);
}

#[test]
fn identified_holds_for_a_record_or_a_contact() {
    // "Customer must be identified": a newsletter code for anyone who gave
    // an email, signed in or not.
    let program = eur_program(json!({"coupons": [
        {"id": "newsletter", "codes": ["HELLO"], "condition": "identified",
         "reward": {"type": "amount_off", "amount": "3.00"}},
        {"id": "members", "codes": ["MEMBER"], "condition": "registered",
         "reward": {"type": "amount_off", "amount": "2.00"}}
    ]}));
    let codes = ["HELLO", "MEMBER"];
    let anonymous = eval(
        &program,
        &checkout(order(None, tea_for_two(), &codes), None),
    );
    let contact = eval(
        &program,
        &checkout(
            order(None, tea_for_two(), &codes),
            Some(json!({"email": "ana@example.com"})),
        ),
    );
    let member = eval(
        &program,
        &checkout(order(Some("C-1"), tea_for_two(), &codes), None),
    );
    let refused = |e: &Evaluation, code| {
        matches!(rejection(e, code), Some(Rejection::ConditionNotMet { .. }))
    };
    assert!(refused(&anonymous, "HELLO") && refused(&anonymous, "MEMBER"));
    assert_eq!(
        anonymous.coupon("HELLO").unwrap().message(),
        "this code's conditions are not met: guest checkout: no customer record and no contact"
    );
    assert!(!refused(&contact, "HELLO") && refused(&contact, "MEMBER"));
    assert!(!refused(&member, "HELLO") && !refused(&member, "MEMBER"));
    // 50.00 − 3.00, − 3.00 − 2.00.
    assert_eq!(anonymous.totals.discount, d("0.00"));
    assert_eq!(contact.totals.discount, d("3.00"));
    assert_eq!(member.totals.discount, d("5.00"));
}

#[test]
fn contradictory_guests_are_typed_errors() {
    let guest_order = || order(None, tea_for_two(), &[]);
    let named_order = || order(Some("C-1"), tea_for_two(), &[]);
    let error = |order, customer| try_checkout(order, Some(customer)).unwrap_err().to_string();
    assert!(
        error(named_order(), json!({"guest": true})).starts_with(
            &CustomerError::GuestOfNamedOrder {
                order_customer: CustomerId::new("C-1").unwrap()
            }
            .to_string()
        )
    );
    assert!(
        error(guest_order(), json!({"id": "C-1"})).starts_with(
            &CustomerError::GuestWithId {
                id: CustomerId::new("C-1").unwrap()
            }
            .to_string()
        )
    );
    for (field, value) in [
        ("tier", json!("gold")),
        ("segments", json!(["vip"])),
        ("stats", json!({})),
        ("birthday", json!("05-17")),
        ("joined_at", json!(AT)),
    ] {
        let message = error(guest_order(), json!({ field: value }));
        assert!(
            message.starts_with(&CustomerError::GuestHasRecord { field }.to_string()),
            "{message}"
        );
    }
    assert!(
        error(guest_order(), json!({"email": "not-an-email"})).contains("is not an email address")
    );
    // A null customer on the order is refused: leave it out for a guest.
    let mut null = named_order();
    null["customer"] = Json::Null;
    assert!(try_checkout(null, None).is_err());
    // A standalone guest customer, and one with an id.
    let guest: Customer = serde_json::from_value(json!({"guest": true})).unwrap();
    assert!(guest.is_guest());
    assert!(serde_json::from_value::<Customer>(json!({"guest": true, "id": "C-1"})).is_err());
    assert!(serde_json::from_value::<Customer>(json!({})).is_err());
    // In Rust: what a guest cannot have.
    assert_eq!(
        Customer::guest().with_tier("gold").unwrap_err(),
        CustomerError::GuestHasRecord { field: "tier" }
    );
    assert!(Customer::guest().with_segment("vip").is_err());
    assert!(
        Customer::guest()
            .with_stats(loyalty::customer::CustomerStats::default())
            .is_err()
    );
    let program = guest_program();
    let guest_checkout = checkout(guest_order(), None);
    // A guest given a birthday through the infallible setter is refused
    // at evaluation; a registered customer on a guest's order too.
    let with_birthday = Checkout::new(
        guest_checkout.order.clone(),
        Customer::guest().with_birthday(loyalty::customer::Birthday::new(5, 17).unwrap()),
        at(),
    );
    assert_eq!(
        program.evaluate(&with_birthday).unwrap_err(),
        EvaluationError::Customer(CustomerError::GuestHasRecord { field: "birthday" })
    );
    let mismatch = Checkout::new(
        guest_checkout.order.clone(),
        Customer::new("C-1").unwrap(),
        at(),
    );
    let err = program.evaluate(&mismatch).unwrap_err();
    assert!(matches!(err, EvaluationError::CustomerMismatch { .. }));
    assert_eq!(
        err.to_string(),
        "the order is for customer nobody (a guest), but the checkout's customer is C-1: pass the order's customer"
    );
    let named = checkout(named_order(), None);
    let err = program
        .evaluate(&Checkout::new(named.order, Customer::guest(), at()))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the checkout's customer is a guest")
    );
}

// ---------------------------------------------------------------------------
// Line labels
// ---------------------------------------------------------------------------

/// 20% off Acme's products, not its clearance; 10.00 off the summer and
/// autumn collections.
fn label_program() -> Program {
    eur_program(json!({"coupons": [
        {"id": "acme", "codes": ["ACME20"],
         "lines": {"labels": [{"key": "brand", "equals": "acme"}],
                   "exclude_labels": [{"key": "clearance"}]},
         "reward": {"type": "percent_off", "percent": "20"}},
        {"id": "seasons", "codes": ["SEASONS"],
         "lines": {"labels": [{"key": "collection", "one_of": ["summer", "autumn"]}]},
         "reward": {"type": "amount_off", "amount": "10.00"}}
    ]}))
}

fn labelled_lines() -> Vec<Json> {
    vec![
        line(
            "1",
            "MUG",
            2,
            "10.00",
            json!({"labels": {"brand": "acme", "collection": "summer"}}),
        ),
        line(
            "2",
            "BOWL",
            1,
            "30.00",
            json!({"labels": {"brand": "acme", "clearance": "yes"}}),
        ),
        line(
            "3",
            "TEA",
            1,
            "50.00",
            json!({"labels": {"brand": "zen", "collection": "autumn"}}),
        ),
        line("4", "SPOON", 1, "5.00", json!({})),
    ]
}

#[test]
fn labels_select_lines_like_collections() {
    // Shopify's "Amount off products: applies to specific collections":
    // a collection is a label here, and the discount comes off only the
    // lines in it.
    let program = label_program();
    let e = eval(
        &program,
        &checkout(order(Some("C-1"), labelled_lines(), &["ACME20"]), None),
    );
    // Only line 1 is Acme's and not on clearance: 20% of 2 × 10.00 = 4.00.
    assert_eq!(e.totals.discount, d("4.00"));
    assert_eq!(e.line("1").unwrap().net, d("16.00"));
    assert_eq!(e.line("2").unwrap().net, d("30.00"));
    let e = eval(
        &program,
        &checkout(order(Some("C-1"), labelled_lines(), &["SEASONS"]), None),
    );
    // Summer (20.00) and autumn (50.00): 10.00 split 20:50 = 2.86 + 7.14.
    assert_eq!(e.totals.discount, d("10.00"));
    assert_eq!(e.line("1").unwrap().net, d("17.14"));
    assert_eq!(e.line("3").unwrap().net, d("42.86"));
    assert_eq!(e.line("4").unwrap().net, d("5.00"));
}

#[test]
fn a_selector_whose_labels_are_all_excluded_warns() {
    let warnings = |lines: Json| {
        let program = eur_program(
            json!({"coupons": [{"id": "c", "codes": ["C"], "lines": lines,
            "reward": {"type": "amount_off", "amount": "1.00"}}]}),
        );
        program
            .warnings()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    // A sku excluded, but a label may still select lines: no warning.
    assert!(
        warnings(json!({"skus": ["MUG"], "exclude_skus": ["MUG"],
                        "labels": [{"key": "brand", "equals": "acme"}]}))
        .is_empty()
    );
    // Every include excluded (the label by its key): the rule never applies.
    assert_eq!(
        warnings(json!({"skus": ["MUG"], "exclude_skus": ["MUG"],
                        "labels": [{"key": "brand", "equals": "acme"}],
                        "exclude_labels": [{"key": "brand"}]})),
        ["coupons[0].lines: no line can be selected: sku \"MUG\" is both included and excluded"]
    );
    assert_eq!(
        warnings(json!({"labels": [{"key": "brand", "one_of": ["a", "b"]}],
                        "exclude_labels": [{"key": "brand", "one_of": ["a", "b"]}]})),
        [
            "coupons[0].lines: no line can be selected: label \"brand\" is both included and excluded"
        ]
    );
    // Another value of the key is excluded: lines may still pass.
    assert!(
        warnings(json!({"labels": [{"key": "brand", "equals": "acme"}],
                        "exclude_labels": [{"key": "brand", "equals": "zen"}]}))
        .is_empty()
    );
}

#[test]
fn many_labels_are_read_in_one_sort() {
    // 20 000 labels, the last repeating the first: refused by name, read
    // without a quadratic insertion.
    let mut labels = serde_json::Map::new();
    for i in 0..20_000 {
        labels.insert(format!("k{i:05}"), json!("v"));
    }
    let mut text =
        serde_json::to_string(&line("1", "MUG", 1, "1.00", json!({"labels": labels}))).unwrap();
    let parsed: Line = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed.labels().len(), 20_000);
    assert_eq!(parsed.labels().get("k12345"), Some("v"));
    text = text.replacen("\"k19999\"", "\"k00000\"", 1);
    let err = serde_json::from_str::<Line>(&text).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("line 1: label \"k00000\" is given twice"),
        "{err}"
    );
}

#[test]
fn label_selectors_in_rust() {
    let mug = Line::new("1", "MUG", 1, eur("9.00"))
        .unwrap()
        .with_label("brand", "acme")
        .unwrap();
    let spoon = Line::new("2", "SPOON", 1, eur("2.00")).unwrap();
    let acme = LineSelector::default().label(LabelMatch::equals("brand", "acme").unwrap());
    assert!(acme.selects(&mug));
    assert!(!acme.selects(&spoon));
    assert!(!acme.is_all());
    // Labels combine with skus as another include: either one.
    let acme_or_spoon = acme.clone().sku("SPOON").unwrap();
    assert!(acme_or_spoon.selects(&spoon) && acme_or_spoon.selects(&mug));
    // An exclusion by label wins.
    let no_acme = LineSelector::default().exclude_label(LabelMatch::present("brand").unwrap());
    assert!(!no_acme.selects(&mug) && no_acme.selects(&spoon));
    // Round trips.
    let json = serde_json::to_value(&acme_or_spoon).unwrap();
    assert_eq!(
        json,
        json!({"skus": ["SPOON"], "labels": [{"key": "brand", "equals": "acme"}]})
    );
    assert_eq!(
        serde_json::from_value::<LineSelector>(json).unwrap(),
        acme_or_spoon
    );
    let mug_json = serde_json::to_value(&mug).unwrap();
    assert_eq!(mug_json["labels"], json!({"brand": "acme"}));
    assert_eq!(serde_json::from_value::<Line>(mug_json).unwrap(), mug);
}

#[test]
fn bad_labels_are_typed_errors() {
    let line_err = |labels: &str| {
        serde_json::from_str::<Line>(&format!(
            r#"{{"id": "1", "sku": "MUG", "quantity": 1, "unit_price": "1.00 EUR", "labels": {labels}}}"#
        ))
        .unwrap_err()
        .to_string()
    };
    let blank = OrderError::EmptyLabelKey {
        line: "1".parse().unwrap(),
    };
    assert!(line_err(r#"{" ": "x"}"#).starts_with(&blank.to_string()));
    assert_eq!(
        blank.to_string(),
        "line 1: a label has a blank key: give every label a key, e.g. \"brand\""
    );
    let twice = line_err(r#"{"brand": "a", "brand": "b"}"#);
    assert!(
        twice.starts_with("line 1: label \"brand\" is given twice: give each key once"),
        "{twice}"
    );
    assert!(line_err(r#"["brand"]"#).contains("an object of labels"));
    assert!(line_err(r#"{"brand": 3}"#).contains("invalid type"));
    // In Rust.
    let mug = || Line::new("1", "MUG", 1, eur("1.00")).unwrap();
    assert_eq!(mug().with_label("", "x").unwrap_err(), blank);
    assert!(matches!(
        mug()
            .with_label("brand", "a")
            .unwrap()
            .with_label(" brand ", "b"),
        Err(OrderError::DuplicateLabel { .. })
    ));
    // Label matches.
    let match_err = |json: Json| {
        serde_json::from_value::<LabelMatch>(json)
            .unwrap_err()
            .to_string()
    };
    assert!(match_err(json!({"key": " "})).starts_with(&LabelMatchError::BlankKey.to_string()));
    assert!(
        match_err(json!({"key": "brand", "equals": "a", "one_of": ["b"]}))
            .starts_with("label match \"brand\": give \"equals\" or \"one_of\", not both")
    );
    assert!(
        match_err(json!({"key": "brand", "one_of": []}))
            .starts_with("label match \"brand\": one_of is empty")
    );
    assert!(match_err(json!({"key": "brand", "is": "a"})).contains("unknown field"));
    assert!(matches!(
        LabelMatch::one_of("brand", Vec::<String>::new()),
        Err(LabelMatchError::EmptyList { .. })
    ));
    assert_eq!(LabelMatch::present(""), Err(LabelMatchError::BlankKey));
    // A program whose selector has a bad match is refused as it is read.
    let bad = json!({"id": "p", "currency": "EUR", "coupons": [
        {"id": "c", "codes": ["C"], "lines": {"labels": [{"key": ""}]},
         "reward": {"type": "amount_off", "amount": "1.00"}}]});
    assert!(serde_json::from_value::<ProgramDefinition>(bad).is_err());
}

// ---------------------------------------------------------------------------
// Discountable amounts
// ---------------------------------------------------------------------------

fn percent_coupon(percent: &str) -> Json {
    json!({"id": "pct", "codes": ["PCT"],
           "reward": {"type": "percent_off", "percent": percent}})
}

#[test]
fn a_deposit_is_neither_discounted_nor_the_base_of_a_percentage() {
    // A 5.25 bottle of which 0.25 is a deposit: the promotion's base is
    // the 5.00 that may be discounted (Medusa's `is_discountable` per
    // product, here per part of the price).
    let program = eur_program(json!({
        "coupons": [percent_coupon("10"),
                    {"id": "big", "codes": ["BIG"],
                     "reward": {"type": "amount_off", "amount": "30.00"}}],
        "earning": [{"id": "points", "points": "1", "per": "1.00"}]
    }));
    let bottles = || {
        vec![line(
            "1",
            "WATER",
            4,
            "5.25",
            json!({"discountable_unit_amount": "5.00 EUR"}),
        )]
    };
    // 10% of 4 × 5.00 = 2.00 (not 10% of 21.00 = 2.10).
    let e = eval(
        &program,
        &checkout(order(Some("C-1"), bottles(), &["PCT"]), None),
    );
    assert_eq!(e.totals.discount, d("2.00"));
    assert_eq!(e.line("1").unwrap().gross, d("21.00"));
    assert_eq!(e.line("1").unwrap().net, d("19.00"));
    assert_eq!(e.points.total, d("19"));
    // 30.00 off takes the 20.00 that may be discounted and leaves the
    // 1.00 of deposits; the line still earns on what is paid (1 point).
    let e = eval(
        &program,
        &checkout(order(Some("C-1"), bottles(), &["BIG"]), None),
    );
    assert_eq!(e.totals.discount, d("20.00"));
    assert_eq!(e.line("1").unwrap().net, d("1.00"));
    assert_eq!(e.totals.payable, d("1.00"));
    assert_eq!(e.points.total, d("1"));
}

#[test]
fn sylius_cart_promotions_that_do_not_apply_to_discounted_products() {
    // Sylius' feature "Receiving percentage discount from cart promotions
    // only on non discounted products": a T-Shirt at 20.00 reduced 25% by
    // a catalog promotion (15.00) and a Mug at 40.00; a 50% cart
    // promotion gives T-Shirt 7.50 + Mug 20.00 = 27.50 when it applies to
    // discounted products, and T-Shirt 15.00 + Mug 20.00 = 35.00 when it
    // does not.
    let program = eur_program(json!({"coupons": [
        percent_coupon("50"),
        {"id": "not-on-sale", "codes": ["FULLPRICE"],
         "lines": {"exclude_labels": [{"key": "on_sale"}]},
         "reward": {"type": "percent_off", "percent": "50"}}
    ]}));
    let cart = |shirt: Json| {
        vec![
            line("1", "T-SHIRT", 1, "15.00", shirt),
            line("2", "MUG", 1, "40.00", json!({})),
        ]
    };
    let applies = eval(
        &program,
        &checkout(order(Some("C-1"), cart(json!({})), &["PCT"]), None),
    );
    assert_eq!(applies.line("1").unwrap().net, d("7.50"));
    assert_eq!(applies.line("2").unwrap().net, d("20.00"));
    assert_eq!(applies.totals.payable, d("27.50"));
    // Not on discounted products, for every promotion: the host says the
    // sale price may not be discounted further.
    let frozen = eval(
        &program,
        &checkout(
            order(
                Some("C-1"),
                cart(json!({"discountable_unit_amount": "0.00 EUR"})),
                &["PCT"],
            ),
            None,
        ),
    );
    // …or for this promotion only: the line is labelled, the promotion
    // excludes the label.
    let labelled = eval(
        &program,
        &checkout(
            order(
                Some("C-1"),
                cart(json!({"labels": {"on_sale": "25%"}})),
                &["FULLPRICE"],
            ),
            None,
        ),
    );
    for e in [&frozen, &labelled] {
        assert_eq!(e.line("1").unwrap().net, d("15.00"));
        assert_eq!(e.line("2").unwrap().net, d("20.00"));
        assert_eq!(e.totals.payable, d("35.00"));
    }
}

#[test]
fn a_minimum_price_is_a_floor_under_every_promotion() {
    // Sylius' minimum price: "the price below which any promotion can't
    // decrease price anymore". A 40.00 product with a minimum of 30.00 may
    // lose at most 10.00 per unit, whatever promotions stack.
    let program = eur_program(json!({
        "ladders": [{"id": "l", "steps": [{"from": "1.00", "amount": "25.00"}]}],
        "coupons": [{"id": "c", "codes": ["TEN"], "reward": {"type": "amount_off", "amount": "10.00"}}]
    }));
    let lines = vec![
        line(
            "1",
            "JACKET",
            2,
            "40.00",
            json!({"discountable_unit_amount": "10.00 EUR"}),
        ),
        line("2", "CAP", 1, "20.00", json!({})),
    ];
    let e = eval(
        &program,
        &checkout(order(Some("C-1"), lines, &["TEN"]), None),
    );
    // Discountable: 20.00 on the jackets, 20.00 on the cap. The ladder's
    // 25.00 splits 12.50 / 12.50; the coupon's 10.00 then splits over what
    // is left, 7.50 / 7.50: 5.00 / 5.00. Jackets 80.00 − 17.50 = 62.50,
    // never below 2 × 30.00.
    assert_eq!(e.totals.discount, d("35.00"));
    assert_eq!(e.line("1").unwrap().net, d("62.50"));
    assert_eq!(e.line("2").unwrap().net, d("2.50"));
    assert!(e.line("1").unwrap().net >= d("60.00"));
}

#[test]
fn a_discountable_amount_equal_to_the_price_changes_nothing() {
    let program =
        eur_program(json!({"ladders": [seeds_ladder()], "coupons": [percent_coupon("10")]}));
    let plain = eval(
        &program,
        &checkout(
            order(
                Some("C-1"),
                vec![line("1", "TEA", 3, "70.00", json!({}))],
                &["PCT"],
            ),
            None,
        ),
    );
    let stated = eval(
        &program,
        &checkout(
            order(
                Some("C-1"),
                vec![line(
                    "1",
                    "TEA",
                    3,
                    "70.00",
                    json!({"discountable_unit_amount": "70.00 EUR"}),
                )],
                &["PCT"],
            ),
            None,
        ),
    );
    assert_eq!(plain.totals, stated.totals);
    assert_eq!(plain.lines, stated.lines);
}

#[test]
fn bad_discountable_amounts_are_typed_errors() {
    let bottle = || Line::new("1", "WATER", 1, eur("5.25")).unwrap();
    let id = || "1".parse().unwrap();
    assert_eq!(
        bottle()
            .with_discountable_unit_amount(eur("5.26"))
            .unwrap_err(),
        OrderError::DiscountableAbovePrice {
            line: id(),
            discountable: eur("5.26"),
            price: eur("5.25"),
        }
    );
    assert_eq!(
        OrderError::DiscountableAbovePrice {
            line: id(),
            discountable: eur("5.26"),
            price: eur("5.25"),
        }
        .to_string(),
        "line 1: discountable unit amount 5.26 EUR is above the unit price 5.25 EUR: at most the whole price may be discounted"
    );
    for bad in [
        eur("-0.01"),
        Money::new(d("1.001"), EUR),
        Money::parse("1.00", Currency::USD).unwrap(),
    ] {
        assert!(matches!(
            bottle().with_discountable_unit_amount(bad),
            Err(OrderError::InvalidDiscountable { .. })
        ));
    }
    let from_json = serde_json::from_value::<Line>(line(
        "1",
        "WATER",
        1,
        "5.25",
        json!({"discountable_unit_amount": "6.00 EUR"}),
    ))
    .unwrap_err();
    assert!(
        from_json
            .to_string()
            .starts_with("line 1: discountable unit amount 6.00 EUR is above")
    );
    // In another currency than the order, inside an order.
    let usd = try_checkout(
        order(
            Some("C-1"),
            vec![line(
                "1",
                "WATER",
                1,
                "5.25",
                json!({"discountable_unit_amount": "5.00 USD"}),
            )],
            &[],
        ),
        None,
    );
    assert!(usd.is_err());
    // Round trip of a line with every new field.
    let full = bottle()
        .with_discountable_unit_amount(eur("5.00"))
        .unwrap()
        .with_tax_rate(d("19"))
        .unwrap()
        .with_label("brand", "spring")
        .unwrap();
    let json = serde_json::to_value(&full).unwrap();
    assert_eq!(json["discountable_unit_amount"], json!("5.00 EUR"));
    assert_eq!(json["tax_rate"], json!("19"));
    assert_eq!(serde_json::from_value::<Line>(json).unwrap(), full);
}

// ---------------------------------------------------------------------------
// Tax bases
// ---------------------------------------------------------------------------

fn uk_taxes() -> Json {
    json!({"taxes": {"prices": "inclusive", "measure": "exclusive"}})
}

#[test]
fn a_minimum_written_without_tax_on_prices_with_tax() {
    // PrestaShop's cart rule condition "Minimum amount", set "Tax
    // excluded", on a shop whose prices include VAT: a 100.00 minimum is
    // met by 120.00 with 20% VAT (100.00 net) and not by 110.00 (91.67).
    let coupons = json!({"coupons": [
        {"id": "save", "codes": ["SAVE10"], "min_subtotal": "100.00",
         "reward": {"type": "amount_off", "amount": "10.00"}}]});
    let program = program_with_inputs(coupons.clone(), uk_taxes());
    let basket = |price: &str| {
        checkout(
            order(
                Some("C-1"),
                vec![line("1", "KETTLE", 1, price, json!({"tax_rate": "20"}))],
                &["SAVE10"],
            ),
            None,
        )
    };
    // 110.00 holds 110.00 × 20 / 120 = 18.333… → 18.33 of VAT: 91.67.
    let e = eval(&program, &basket("110.00"));
    assert_eq!(
        rejection(&e, "SAVE10"),
        Some(Rejection::MinimumNotMet {
            minimum: d("100.00"),
            subtotal: d("91.67"),
            missing: d("8.33"),
        })
    );
    // 120.00 holds 20.00: 100.00, the minimum. 10.00 comes off the price
    // as charged: 110.00 to pay.
    let e = eval(&program, &basket("120.00"));
    assert_eq!(rejection(&e, "SAVE10"), None);
    assert_eq!(e.totals.payable, d("110.00"));
    // Without the tax basis, 110.00 meets the minimum as given.
    let plain = eur_program(coupons);
    assert_eq!(rejection(&eval(&plain, &basket("110.00")), "SAVE10"), None);
}

#[test]
fn a_ladder_measured_with_tax_on_prices_without_it() {
    // A US shop: prices before sales tax, a "spend 100 with tax" ladder.
    let program = program_with_inputs(
        json!({"ladders": [{"id": "spend", "steps": [{"from": "100.00", "percent": "5"}]}]}),
        json!({"taxes": {"prices": "exclusive", "measure": "inclusive"}}),
    );
    let basket = |price: &str| {
        checkout(
            order(
                Some("C-1"),
                vec![line("1", "LAMP", 1, price, json!({"tax_rate": "10"}))],
                &[],
            ),
            None,
        )
    };
    // 90.00 + 9.00 tax = 99.00: 1.00 short.
    let e = eval(&program, &basket("90.00"));
    assert_eq!(e.totals.discount, d("0.00"));
    assert_eq!(e.ladders[0].basis, d("99.00"));
    assert_eq!(e.ladders[0].next.unwrap().missing, d("1.00"));
    // 91.00 + 9.10 = 100.10 reaches the step: 5% of the price, 4.55.
    let e = eval(&program, &basket("91.00"));
    assert_eq!(e.totals.discount, d("4.55"));
    assert_eq!(e.ladders[0].basis, d("100.10"));
}

#[test]
fn conditions_on_the_subtotal_are_measured() {
    let program = program_with_inputs(
        json!({"coupons": [{"id": "c", "codes": ["BIG"], "condition": {"subtotal_at_least": "100.00"},
                            "reward": {"type": "amount_off", "amount": "5.00"}}]}),
        uk_taxes(),
    );
    let e = eval(
        &program,
        &checkout(
            order(
                Some("C-1"),
                vec![line("1", "KETTLE", 1, "110.00", json!({"tax_rate": "20"}))],
                &["BIG"],
            ),
            None,
        ),
    );
    match rejection(&e, "BIG") {
        Some(Rejection::ConditionNotMet { because: Some(o) }) => {
            assert_eq!(o.to_string(), "subtotal 91.67 is below 100.00");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn caps_are_converted_to_the_prices_terms() {
    // "50% off, at most 10.00 before VAT" on prices with VAT: 10.00 net is
    // 12.00 as charged at 20%.
    let coupons = json!({"coupons": [{"id": "half", "codes": ["HALF"],
        "reward": {"type": "percent_off", "percent": "50", "cap": "10.00"}}]});
    let program = program_with_inputs(coupons.clone(), uk_taxes());
    let basket = |lines| checkout(order(Some("C-1"), lines, &["HALF"]), None);
    let single = || vec![line("1", "KETTLE", 1, "120.00", json!({"tax_rate": "20"}))];
    assert_eq!(
        eval(&program, &basket(single())).totals.discount,
        d("12.00")
    );
    assert_eq!(
        eval(&eur_program(coupons), &basket(single()))
            .totals
            .discount,
        d("10.00")
    );
    // Two rates: 60.00 at 20% (50.00 net) and 50.00 zero-rated: 110.00
    // priced, 100.00 measured; the cap is 10.00 × 110 / 100 = 11.00.
    let mixed = vec![
        line("1", "KETTLE", 1, "60.00", json!({"tax_rate": "20"})),
        line("2", "BOOK", 1, "50.00", json!({"tax_rate": "0"})),
    ];
    assert_eq!(eval(&program, &basket(mixed)).totals.discount, d("11.00"));
    // The program's cap on all discounts too: 5.00 net is 6.00 charged.
    let capped = program_with_inputs(
        json!({"stacking": {"max_total": "5.00"}, "coupons": [percent_coupon("50")]}),
        uk_taxes(),
    );
    let e = eval(
        &capped,
        &checkout(order(Some("C-1"), single(), &["PCT"]), None),
    );
    assert_eq!(e.totals.discount, d("6.00"));
    // A ladder step's cap, and a bracket ladder's brackets.
    let ladders = program_with_inputs(
        json!({"ladders": [{"id": "l", "steps": [{"from": "50.00", "percent": "50", "cap": "10.00"}]}]}),
        uk_taxes(),
    );
    let e = eval(&ladders, &checkout(order(Some("C-1"), single(), &[]), None));
    assert_eq!(e.totals.discount, d("12.00"));
    let brackets = json!({"ladders": [{"id": "b", "mode": "bracket", "steps": [
        {"from": "50.00", "percent": "10"}, {"from": "100.00", "percent": "20"}]}]});
    // 180.00 with 20% VAT is 150.00 net: 10% of 50.00 + 20% of 50.00 =
    // 15.00 net, 18.00 as charged. As priced, 10% of 50.00 + 20% of
    // 80.00 = 21.00.
    let big = || {
        checkout(
            order(
                Some("C-1"),
                vec![line("1", "SOFA", 1, "180.00", json!({"tax_rate": "20"}))],
                &[],
            ),
            None,
        )
    };
    assert_eq!(
        eval(&program_with_inputs(brackets.clone(), uk_taxes()), &big())
            .totals
            .discount,
        d("18.00")
    );
    assert_eq!(
        eval(&eur_program(brackets), &big()).totals.discount,
        d("21.00")
    );
}

#[test]
fn tax_is_rounded_once_per_line() {
    // Three lines of 0.05 at 20% VAT: each holds 0.05 × 20 / 120 =
    // 0.0083… → 0.01, so 0.12 net is measured (0.15 − 3 × 0.01), where
    // the tax of the sum would give 0.13.
    let program = program_with_inputs(
        json!({"ladders": [{"id": "l", "steps": [{"from": "0.13", "percent": "10"}]}]}),
        uk_taxes(),
    );
    let lines = (1..=3)
        .map(|i| line(&i.to_string(), "PIN", 1, "0.05", json!({"tax_rate": "20"})))
        .collect();
    let e = eval(&program, &checkout(order(Some("C-1"), lines, &[]), None));
    assert_eq!(e.ladders[0].basis, d("0.12"));
    assert_eq!(e.totals.discount, d("0.00"));
    // TaxRate itself, with another rounding.
    let vat = TaxRate::new(d("20")).unwrap();
    assert_eq!(
        vat.tax_in(d("0.05"), TaxBasis::Inclusive, 2, RoundingMode::HalfUp),
        d("0.01")
    );
    assert_eq!(
        vat.tax_in(d("0.05"), TaxBasis::Inclusive, 2, RoundingMode::TowardZero),
        d("0.00")
    );
    assert_eq!(
        vat.tax_in(d("0.05"), TaxBasis::Exclusive, 2, RoundingMode::HalfUp),
        d("0.01")
    );
}

#[test]
fn bad_tax_input_is_a_typed_error() {
    let line = || Line::new("1", "LAMP", 1, eur("10.00")).unwrap();
    for (rate, source) in [
        ("-1", TaxRateError::Negative),
        ("100.01", TaxRateError::AboveHundred),
        ("7.12345", TaxRateError::TooPrecise),
    ] {
        assert_eq!(
            line().with_tax_rate(d(rate)).unwrap_err(),
            OrderError::InvalidTaxRate {
                line: "1".parse().unwrap(),
                rate: d(rate),
                source,
            }
        );
    }
    assert_eq!(
        line().with_tax_rate(d("-1")).unwrap_err().to_string(),
        "line 1: tax rate -1: a tax rate is zero or more (0 for a zero-rated product)"
    );
    assert!(line().with_tax_rate(d("0")).is_ok());
    assert!(line().with_tax_rate(d("100")).is_ok());
    let json = serde_json::from_str::<Line>(
        r#"{"id": "1", "sku": "LAMP", "quantity": 1, "unit_price": "10.00 EUR", "tax_rate": "-5"}"#,
    )
    .unwrap_err();
    assert!(
        json.to_string().starts_with("line 1: tax rate -5:"),
        "{json}"
    );
    // A tax section must say both bases, and only those.
    for taxes in [
        json!({"prices": "inclusive"}),
        json!({"prices": "inclusive", "measure": "excluded"}),
        json!({"prices": "inclusive", "measure": "exclusive", "rate": "20"}),
    ] {
        let definition = json!({"id": "p", "currency": "EUR", "inputs": {"taxes": taxes}});
        assert!(serde_json::from_value::<ProgramDefinition>(definition).is_err());
    }
}

// ---------------------------------------------------------------------------
// Lenient input: lines of quantity 0
// ---------------------------------------------------------------------------

fn with_a_removed_mug() -> Vec<Json> {
    vec![
        line("1", "TEA", 2, "60.00", json!({})),
        line("2", "MUG", 0, "9.00", json!({"labels": {"brand": "acme"}})),
        line("3", "SPOON", 1, "5.00", json!({})),
    ]
}

#[test]
fn a_quantity_0_line_is_refused_unless_the_program_is_lenient() {
    let strict = eur_program(json!({"ladders": [seeds_ladder()]}));
    let lenient = program_with_inputs(
        json!({"ladders": [seeds_ladder()]}),
        json!({"zero_quantity": "ignore"}),
    );
    let c = checkout(order(Some("C-1"), with_a_removed_mug(), &[]), None);
    // The order keeps the line aside; its other lines are as sent.
    assert_eq!(c.order.lines().len(), 2);
    assert_eq!(
        c.order
            .zero_quantity_lines()
            .map(|l| l.id().as_str())
            .collect::<Vec<_>>(),
        ["2"]
    );
    let err = strict.evaluate(&c).unwrap_err();
    assert_eq!(
        err,
        EvaluationError::ZeroQuantity {
            line: "2".parse().unwrap()
        }
    );
    assert_eq!(
        err.to_string(),
        "line 2: quantity is 0: leave the line out or sell at least 1 unit (or set the program's inputs.zero_quantity to \"ignore\")"
    );
    assert!(strict.summarize(&c).is_err());
    // Lenient: 2 × 60.00 + 5.00 = 125.00, 5% = 6.25; the mug is named.
    let e = eval(&lenient, &c);
    assert_eq!(e.totals.subtotal, d("125.00"));
    assert_eq!(e.totals.discount, d("6.25"));
    assert_eq!(e.ignored_lines.len(), 1);
    assert_eq!(e.ignored_lines[0].line.as_str(), "2");
    assert_eq!(e.ignored_lines[0].sku.as_str(), "MUG");
    assert_eq!(e.ignored_lines[0].reason, IgnoredBecause::ZeroQuantity);
    let entry = e
        .trace
        .iter()
        .find(|t| matches!(t.reason, Reason::LineIgnored { .. }))
        .expect("traced");
    assert_eq!(entry.rule.kind, RuleKind::Line);
    assert_eq!(
        entry.to_string(),
        "not applied: quantity 0 of MUG: the line is ignored (lenient input)"
    );
    // Nothing is lost: the checkout writes the line out where it was.
    let written = serde_json::to_value(&c).unwrap();
    let ids: Vec<_> = written["order"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert_eq!(written["order"]["lines"][1]["quantity"], json!(0));
    assert_eq!(serde_json::from_value::<Checkout>(written).unwrap(), c);
    // And the evaluation round-trips with its ignored line.
    let read: Evaluation = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
    assert_eq!(read, e);
}

#[test]
fn quantity_0_in_rust_and_on_a_lone_line() {
    // A lone line still refuses 0; an order takes one built for it.
    assert!(Line::new("1", "MUG", 0, eur("9.00")).is_err());
    let order = Order::builder("A-1", "C-1", at(), EUR)
        .line(Line::zero_quantity("1", "MUG", eur("9.00")))
        .line(Line::new("2", "TEA", 1, eur("10.00")))
        .build()
        .unwrap();
    assert_eq!(order.lines().len(), 1);
    assert_eq!(order.zero_quantity_lines().len(), 1);
    assert_eq!(order.gross_subtotal(), eur("10.00"));
    // Line ids are unique across both.
    let twice = Order::builder("A-1", "C-1", at(), EUR)
        .line(Line::zero_quantity("1", "MUG", eur("9.00")))
        .line(Line::new("1", "TEA", 1, eur("10.00")))
        .build();
    assert!(matches!(twice, Err(OrderError::DuplicateLine { .. })));
    // A quantity-0 line is validated like any other.
    assert!(matches!(
        Line::zero_quantity("1", "MUG", eur("-1.00")),
        Err(OrderError::NegativePrice { .. })
    ));
    let negative = try_checkout(
        order_json_with(vec![line("1", "MUG", -1, "9.00", json!({}))]),
        None,
    );
    assert!(
        negative
            .unwrap_err()
            .to_string()
            .contains("quantity -1 is negative")
    );
    // The program setting in Rust.
    let program =
        Program::new(ProgramDefinition::new("p", EUR).inputs(InputPolicy::new().lenient()))
            .unwrap();
    assert_eq!(program.inputs().zero_quantity, ZeroQuantity::Ignore);
    let e = program.evaluate(&Checkout::for_order(order, at())).unwrap();
    assert_eq!(e.ignored_lines.len(), 1);
}

fn order_json_with(lines: Vec<Json>) -> Json {
    order(Some("C-1"), lines, &[])
}

#[test]
fn the_inputs_section_round_trips() {
    let definition = ProgramDefinition::new("p", EUR).inputs(InputPolicy::new().lenient().taxes(
        TaxPolicy::new(TaxBasis::Inclusive, TaxBasis::Exclusive).rounding(RoundingMode::HalfEven),
    ));
    let json = serde_json::to_value(&definition).unwrap();
    assert_eq!(
        json["inputs"],
        json!({"zero_quantity": "ignore",
               "taxes": {"prices": "inclusive", "measure": "exclusive", "rounding": "half_even"}})
    );
    assert_eq!(
        serde_json::from_value::<ProgramDefinition>(json).unwrap(),
        definition
    );
    // A program that says nothing writes no section.
    let plain = serde_json::to_value(ProgramDefinition::new("p", EUR)).unwrap();
    assert!(plain.get("inputs").is_none());
    let toml_text = r#"
id = "p"
currency = "EUR"
[inputs]
zero_quantity = "ignore"
[inputs.taxes]
prices = "exclusive"
measure = "inclusive"
"#;
    let from_toml: ProgramDefinition = toml::from_str(toml_text).unwrap();
    assert!(from_toml.inputs.taxes.unwrap().converts());
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/// A basket: up to 5 lines of (sku, categories, quantity, price in cents,
/// labels, tax rate, discountable cents ≤ price).
type Spec = (
    &'static str,
    Vec<&'static str>,
    u32,
    i64,
    Vec<(&'static str, &'static str)>,
    u32,
    i64,
);

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::sample::select(&["TEA", "MUG", "SPOON"][..]),
        prop::collection::vec(prop::sample::select(&["tea", "gear"][..]), 0..=2),
        1u32..=5,
        0i64..=20_000,
        prop::collection::vec(
            (
                prop::sample::select(&["brand", "collection", "clearance"][..]),
                prop::sample::select(&["acme", "zen", "summer", ""][..]),
            ),
            0..=3,
        ),
        prop::sample::select(&[0u32, 0, 5, 10, 20, 21][..]),
        0i64..=100,
    )
        .prop_map(|(sku, categories, quantity, cents, labels, rate, share)| {
            (
                sku,
                categories,
                quantity,
                cents,
                labels,
                rate,
                cents * share / 100,
            )
        })
}

fn cents(c: i64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

/// The lines of `specs` as JSON; with labels, tax rates and discountable
/// amounts as asked.
fn spec_lines(specs: &[Spec], labels: bool, rates: bool, discountable: bool) -> Vec<Json> {
    specs
        .iter()
        .enumerate()
        .map(
            |(i, (sku, categories, quantity, price, label_list, rate, share))| {
                let mut extra = json!({"categories": categories});
                if labels {
                    let mut map = serde_json::Map::new();
                    for (k, v) in label_list {
                        map.entry((*k).to_owned()).or_insert(json!(v));
                    }
                    extra["labels"] = Json::Object(map);
                }
                if rates {
                    extra["tax_rate"] = json!(rate.to_string());
                }
                if discountable {
                    extra["discountable_unit_amount"] = json!(format!("{} EUR", cents(*share)));
                }
                line(
                    &(i + 1).to_string(),
                    sku,
                    i64::from(*quantity),
                    &cents(*price),
                    extra,
                )
            },
        )
        .collect()
}

/// Ladders and coupons that select on skus and categories, never on
/// labels; earning and cashback.
fn rules() -> Json {
    json!({
        "ladders": [seeds_ladder(),
                    {"id": "gear", "lines": {"categories": ["gear"]}, "measure": "after_discounts",
                     "steps": [{"from": "20.00", "percent": "5", "cap": "7.00"}]}],
        "coupons": [
            {"id": "pct", "codes": ["PCT"], "min_subtotal": "30.00",
             "reward": {"type": "percent_off", "percent": "15", "cap": "12.00"}},
            {"id": "amt", "codes": ["AMT"], "lines": {"skus": ["MUG"]},
             "reward": {"type": "amount_off", "amount": "8.00"}},
            {"id": "unit", "codes": ["UNIT"], "reward": {"type": "amount_off_each_unit", "amount": "1.50"}},
            {"id": "b2g1", "codes": ["B2G1"], "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1}}
        ],
        "stacking": {"max_total": "40.00"},
        "earning": [{"id": "points", "points": "1", "per": "1.00"}],
        "cashback": [{"id": "cashback", "percent": "2", "min_spend": "10.00"}]
    })
}

fn codes() -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::subsequence(&["PCT", "AMT", "UNIT", "B2G1"][..], 0..=4)
}

/// What two evaluations must share to be "the same evaluation".
fn same(a: &Evaluation, b: &Evaluation) {
    assert_eq!(a.totals, b.totals);
    assert_eq!(a.lines, b.lines);
    assert_eq!(a.discounts, b.discounts);
    assert_eq!(a.coupons, b.coupons);
    assert_eq!(a.ladders, b.ladders);
    assert_eq!(a.points, b.points);
    assert_eq!(a.cashback, b.cashback);
    assert_eq!(a.effects, b.effects);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    /// Labels change nothing for rules that do not select on them.
    #[test]
    fn labels_do_not_change_rules_that_ignore_them(
        specs in prop::collection::vec(spec(), 1..=5),
        codes in codes(),
    ) {
        let program = eur_program(rules());
        let plain = eval(&program, &checkout(order(Some("C-1"), spec_lines(&specs, false, false, false), &codes), Some(newcomer())));
        let labelled = eval(&program, &checkout(order(Some("C-1"), spec_lines(&specs, true, false, false), &codes), Some(newcomer())));
        same(&plain, &labelled);
    }

    /// A program measuring on the basis its prices are given in, or one
    /// whose lines are all zero-rated, evaluates as one without taxes.
    #[test]
    fn taxes_that_change_nothing_change_nothing(
        specs in prop::collection::vec(spec(), 1..=5),
        codes in codes(),
        prices_inclusive in any::<bool>(),
    ) {
        let plain = eur_program(rules());
        let basis = |inclusive: bool| if inclusive { "inclusive" } else { "exclusive" };
        let mut zero_rated = specs.clone();
        for s in &mut zero_rated {
            s.5 = 0;
        }
        let reference = eval(&plain, &checkout(order(Some("C-1"), spec_lines(&specs, false, false, false), &codes), Some(newcomer())));
        // Rate 0 under a program that converts.
        let converting = program_with_inputs(rules(), json!({"taxes": {
            "prices": basis(prices_inclusive), "measure": basis(!prices_inclusive)}}));
        let zero = eval(&converting, &checkout(order(Some("C-1"), spec_lines(&zero_rated, false, true, false), &codes), Some(newcomer())));
        same(&reference, &zero);
        // Any rates under a program that measures as it prices.
        let alike = program_with_inputs(rules(), json!({"taxes": {
            "prices": basis(prices_inclusive), "measure": basis(prices_inclusive)}}));
        let rated = eval(&alike, &checkout(order(Some("C-1"), spec_lines(&specs, false, true, false), &codes), Some(newcomer())));
        same(&reference, &rated);
    }

    /// With tax rates that do change the measure, every evaluation still
    /// keeps its invariants, and a threshold met without tax is met with
    /// it added.
    #[test]
    fn measured_with_tax_added_a_ladder_never_stands_lower(
        specs in prop::collection::vec(spec(), 1..=5),
    ) {
        let ladder = json!({"ladders": [seeds_ladder()]});
        let exclusive = eur_program(ladder.clone());
        let inclusive = program_with_inputs(ladder, json!({"taxes": {"prices": "exclusive", "measure": "inclusive"}}));
        let lines = spec_lines(&specs, false, true, false);
        let a = eval(&exclusive, &checkout(order(Some("C-1"), lines.clone(), &[]), None));
        let b = eval(&inclusive, &checkout(order(Some("C-1"), lines, &[]), None));
        prop_assert!(b.ladders[0].basis >= a.ladders[0].basis);
        prop_assert!(b.ladders[0].step >= a.ladders[0].step);
    }

    /// No discount takes a line below its price less its discountable
    /// amount, and the discount never exceeds the discountable amounts.
    #[test]
    fn discounts_stay_within_the_discountable_amounts(
        specs in prop::collection::vec(spec(), 1..=5),
        codes in codes(),
    ) {
        let program = eur_program(rules());
        let e = eval(&program, &checkout(order(Some("C-1"), spec_lines(&specs, false, false, true), &codes), Some(newcomer())));
        let mut discountable = Decimal::ZERO;
        for (i, (_, _, quantity, price, _, _, share)) in specs.iter().enumerate() {
            let floor = Decimal::new((price - share) * i64::from(*quantity), 2);
            let outcome = e.line(&(i + 1).to_string()).unwrap();
            prop_assert!(outcome.net >= floor, "line {}: net {} below {}", i + 1, outcome.net, floor);
            discountable += Decimal::new(share * i64::from(*quantity), 2);
        }
        prop_assert!(e.totals.discount <= discountable);
    }

    /// Ignoring quantity-0 lines gives the evaluation of the order without
    /// them, with those lines named.
    #[test]
    fn ignoring_quantity_0_lines_equals_leaving_them_out(
        specs in prop::collection::vec(spec(), 1..=5),
        zeros in prop::collection::vec((0usize..=5, prop::sample::select(&["MUG", "TEA"][..])), 1..=3),
        codes in codes(),
    ) {
        let program = program_with_inputs(rules(), json!({"zero_quantity": "ignore"}));
        let without = spec_lines(&specs, true, false, false);
        let mut with = without.clone();
        for (n, (place, sku)) in zeros.iter().enumerate() {
            let place = (*place).min(with.len());
            with.insert(place, line(&format!("z{n}"), sku, 0, "3.00", json!({})));
        }
        let a = eval(&program, &checkout(order(Some("C-1"), without, &codes), Some(newcomer())));
        let b = eval(&program, &checkout(order(Some("C-1"), with.clone(), &codes), Some(newcomer())));
        same(&a, &b);
        prop_assert!(a.ignored_lines.is_empty());
        prop_assert_eq!(b.ignored_lines.len(), zeros.len());
        // The checkout is written out with every line where it was.
        let c = checkout(order(Some("C-1"), with.clone(), &codes), Some(newcomer()));
        let written = serde_json::to_value(&c).unwrap();
        let ids: Vec<_> = written["order"]["lines"].as_array().unwrap().iter().map(|l| l["id"].clone()).collect();
        let sent: Vec<_> = with.iter().map(|l| l["id"].clone()).collect();
        prop_assert_eq!(ids, sent);
    }

    /// A guest's discounts are those of a registered customer for the
    /// coupons that need no record; nothing is credited.
    #[test]
    fn a_guest_pays_what_a_customer_pays_without_the_record_coupons(
        specs in prop::collection::vec(spec(), 1..=5),
        codes in codes(),
    ) {
        let program = eur_program(rules());
        let lines = spec_lines(&specs, false, false, false);
        let guest = eval(&program, &checkout(order(None, lines.clone(), &codes), None));
        let known = eval(&program, &checkout(order(Some("C-1"), lines, &codes), Some(newcomer())));
        prop_assert_eq!(&guest.totals, &known.totals);
        prop_assert_eq!(&guest.lines, &known.lines);
        prop_assert_eq!(guest.points.total, Decimal::ZERO);
        prop_assert_eq!(guest.points.unclaimed, known.points.total);
        prop_assert_eq!(guest.cashback.unclaimed, known.cashback.total);
        let credited = guest.effects.iter().any(|x| {
            matches!(x, Effect::CreditPoints { .. } | Effect::CreditCashback { .. })
        });
        prop_assert!(!credited);
    }
}
