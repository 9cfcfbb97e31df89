//! A program serving several currencies: amounts given per currency
//! (thresholds, caps, amounts off, steps, budgets, earning rates, cashback
//! caps, redemption values), each order evaluated with its currency's
//! amounts; a rule without an amount in the order's currency does not
//! apply to it, with `currency_mismatch` in the trace (a coupon: refused);
//! the errors of amounts in currencies the program does not serve; and the
//! property that a multi-currency program gives, on each currency, what the
//! single-currency program of that currency gives.
//!
//! Conventions: Saleor gives each voucher its value and minimum spent per
//! channel (one currency each, `VoucherChannelListing.discount_value` and
//! `min_spent`); Sylius configures a fixed discount and an item-total rule
//! per channel (`{"WEB_US": {"amount": 1000}}`); Medusa gives a fixed
//! promotion's `application_method` a `currency_code`, and the promotion
//! does not apply to carts in another currency. The amounts below are
//! worked out by hand from those rules.

use loyalty::error::WarningKind;
use loyalty::evaluate::EvaluationError;
use loyalty::evaluation::{Evaluation, Reason, RedemptionRefusal};
use loyalty::money::PerCurrency;
use loyalty::prelude::*;
use loyalty::program::{Problem, ProgramError};
use loyalty::rules::coupon::Rejection;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::util::cases;
use crate::util::common::{Basket, d, eval};

/// A program serving EUR and USD (EUR its own) with `extra` fields.
fn two(extra: Value) -> Program {
    in_currencies("EUR", &["USD"], extra)
}

/// A program of `currency` also serving `others`, with `extra` fields.
fn in_currencies(currency: &str, others: &[&str], extra: Value) -> Program {
    Program::new(definition(currency, others, extra)).expect("the program is valid")
}

fn definition(currency: &str, others: &[&str], extra: Value) -> ProgramDefinition {
    let mut base = json!({"id": "shop", "currency": currency, "currencies": others});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        base[k] = v;
    }
    serde_json::from_value(base).expect("the definition deserialises")
}

fn refused(currency: &str, others: &[&str], extra: Value) -> ProgramError {
    Program::new(definition(currency, others, extra)).expect_err("the program is refused")
}

/// The evaluation of the basket's checkout.
fn run(program: &Program, basket: &Basket) -> Evaluation {
    eval(program, &basket.build())
}

/// What rule `id` took off.
fn off(e: &Evaluation, id: &str) -> Decimal {
    e.discounts
        .iter()
        .filter(|x| x.rule.id == id)
        .map(|x| x.amount)
        .sum()
}

/// The reason the trace gives for rule `id`.
fn reason(e: &Evaluation, id: &str) -> Reason {
    e.trace
        .iter()
        .find(|t| t.rule.id == id)
        .map(|t| t.reason.clone())
        .expect("the rule is traced")
}

// --- Amounts per currency -------------------------------------------------------

/// Saleor's voucher listing per channel: 10.00 off from 50.00 in EUR,
/// 12.00 off from 60.00 in USD.
fn ten_or_twelve() -> Program {
    two(
        json!({"promotions": [{"id": "off", "reward": {"type": "amount_off",
        "amount": {"EUR": "10.00", "USD": "12.00"}},
        "min_subtotal": {"EUR": "50.00", "USD": "60.00"}}]}),
    )
}

#[test]
fn each_order_gets_its_currencys_amount_and_minimum() {
    let program = ten_or_twelve();
    assert_eq!(program.currencies(), [Currency::EUR, Currency::USD]);
    // EUR: 2 × 30.00 = 60.00 ≥ 50.00 → 10.00 off.
    let e = run(&program, &Basket::eur().line("TEA", 2, "30.00"));
    assert_eq!(off(&e, "off"), d("10.00"));
    assert_eq!(e.totals.discount, d("10.00"));
    assert_eq!(e.currency, Currency::EUR);
    // USD: 60.00 ≥ 60.00 (inclusive) → 12.00 off.
    let e = run(&program, &Basket::new("USD").line("TEA", 2, "30.00"));
    assert_eq!(off(&e, "off"), d("12.00"));
    assert_eq!(e.totals.payable, d("48.00"));
    assert_eq!(e.currency, Currency::USD);
    // USD 55.00: the EUR minimum would be met, the USD one is not: 5.00
    // missing.
    let e = run(&program, &Basket::new("USD").line("TEA", 1, "55.00"));
    assert_eq!(e.totals.discount, Decimal::ZERO);
    assert!(matches!(
        reason(&e, "off"),
        Reason::NotEligible { rejection: Rejection::MinimumNotMet { missing, .. } } if missing == d("5.00")
    ));
}

#[test]
fn a_plain_amount_is_in_the_programs_currency_only() {
    // Medusa: a fixed promotion in EUR does not apply to a USD cart.
    let program = two(json!({"promotions": [
        {"id": "ten", "reward": {"type": "amount_off", "amount": "10.00"}},
        {"id": "pct", "reward": {"type": "percent_off", "percent": "10"}}
    ]}));
    let w: Vec<String> = program.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        [
            "promotions[0]: no amount in USD (first at promotions[0].reward.amount): the rule does not apply to orders in USD; give it an amount there if it should"
        ]
    );
    assert!(matches!(
        program.warnings()[0].kind(),
        WarningKind::NotInEveryCurrency { .. }
    ));
    // EUR 100.00: 10.00 off, then 10% of 90.00 = 9.00 (stacked in order).
    let e = run(&program, &Basket::eur().line("TEA", 1, "100.00"));
    assert_eq!(off(&e, "ten"), d("10.00"));
    assert_eq!(off(&e, "pct"), d("9.00"));
    // USD 100.00: the amount off has no USD amount; the percent needs
    // none: 10.00.
    let e = run(&program, &Basket::new("USD").line("TEA", 1, "100.00"));
    assert_eq!(off(&e, "ten"), Decimal::ZERO);
    assert_eq!(off(&e, "pct"), d("10.00"));
    let entry = e.trace.iter().find(|t| t.rule.id == "ten").unwrap();
    assert!(!entry.applied);
    assert_eq!(
        entry.reason,
        Reason::CurrencyMismatch {
            currency: Currency::USD,
            missing: "promotions[0].reward.amount".into()
        }
    );
    assert_eq!(
        entry.to_string(),
        "not applied: no amount in USD (first at promotions[0].reward.amount)"
    );
    let json = serde_json::to_value(entry).unwrap();
    assert_eq!(json["reason"]["kind"], "currency_mismatch");
    assert_eq!(json["reason"]["currency"], "USD");
}

#[test]
fn zero_is_zero_in_every_currency() {
    // A step from 0 and a minimum of 0 need no amount per currency.
    let program = two(json!({"promotions": [{"id": "steps", "min_subtotal": "0",
        "reward": {"type": "percent_off", "steps": [
            {"from": "0", "percent": "5"},
            {"from": {"EUR": "100.00", "USD": "120.00"}, "percent": "10"}]}}]}));
    assert!(program.warnings().is_empty(), "{:?}", program.warnings());
    // USD 110.00: below 120.00 → 5% = 5.50; EUR 110.00 ≥ 100.00 → 11.00.
    let usd = run(&program, &Basket::new("USD").line("TEA", 1, "110.00"));
    assert_eq!(usd.totals.discount, d("5.50"));
    let eur = run(&program, &Basket::eur().line("TEA", 1, "110.00"));
    assert_eq!(eur.totals.discount, d("11.00"));
}

#[test]
fn ladders_of_amounts_read_per_currency_and_of_units_in_every_currency() {
    let program = two(json!({"ladders": [
        {"id": "spend", "stacking": "exclusive", "steps": [
            {"from": {"EUR": "100.00", "USD": "110.00"}, "percent": "5",
             "cap": {"EUR": "15.00", "USD": "17.00"}},
            {"from": {"EUR": "200.00", "USD": "220.00"}, "percent": "10",
             "cap": {"EUR": "15.00", "USD": "17.00"}}]},
        {"id": "units", "stacking": "exclusive", "basis": "quantity",
         "steps": [{"from": 3, "percent": "8"}]}
    ], "stacking": {"pick": "best_for_customer"}}));
    // USD 3 × 70.00 = 210.00: the 110.00 step (5% = 10.50); 3 units: 8% =
    // 16.80. Best for the customer: 16.80.
    let e = run(&program, &Basket::new("USD").line("TEA", 3, "70.00"));
    assert_eq!(off(&e, "units"), d("16.80"));
    assert_eq!(e.totals.discount, d("16.80"));
    // USD 2 × 100.00 = 200.00: below 220.00, 5% = 10.00 (in EUR, 200.00
    // would reach 10%).
    let e = run(&program, &Basket::new("USD").line("TEA", 2, "100.00"));
    assert_eq!(off(&e, "spend"), d("10.00"));
    // USD 1 × 230.00: 10% = 23.00, capped at 17.00.
    let e = run(&program, &Basket::new("USD").line("TEA", 1, "230.00"));
    assert_eq!(off(&e, "spend"), d("17.00"));
    // EUR 1 × 205.00: 10% = 20.50, capped at 15.00.
    let e = run(&program, &Basket::eur().line("TEA", 1, "205.00"));
    assert_eq!(off(&e, "spend"), d("15.00"));
    // EUR 2 × 100.00 = 200.00: 10% = 20.00, capped at 15.00.
    let e = run(&program, &Basket::eur().line("TEA", 2, "100.00"));
    assert_eq!(off(&e, "spend"), d("15.00"));
}

#[test]
fn a_currency_without_minor_units_takes_its_own_amounts() {
    // JPY has no decimals: 700 yen off from 5 000 yen.
    let program = in_currencies(
        "EUR",
        &["JPY"],
        json!({"promotions": [{"id": "off",
            "reward": {"type": "amount_off", "amount": {"EUR": "5.00", "JPY": 700}},
            "min_subtotal": {"EUR": "40.00", "JPY": 5000}}],
        "earning": [{"id": "base", "points": 1, "per": {"EUR": "1.00", "JPY": 100}}]}),
    );
    // 2 × 3 000 = 6 000 yen: 700 off, 5 300 paid, 53 points (1 per 100).
    let e = run(&program, &Basket::new("JPY").line("TEA", 2, "3000"));
    assert_eq!(e.totals.discount, d("700"));
    assert_eq!(e.totals.payable, d("5300"));
    assert_eq!(e.points.total, d("53"));
    // EUR 50.00: 5.00 off, 45 points.
    let e = run(&program, &Basket::eur().line("TEA", 1, "50.00"));
    assert_eq!(e.totals.discount, d("5.00"));
    assert_eq!(e.points.total, d("45"));
}

#[test]
fn conditions_cashback_and_bonuses_read_their_currencys_amounts() {
    let program = two(json!({
        "promotions": [{"id": "big", "reward": {"type": "percent_off", "percent": "10"},
            "condition": {"subtotal_at_least": {"EUR": "100.00", "USD": "120.00"}}}],
        "cashback": [{"id": "cb", "percent": "5", "cap": {"EUR": "3.00", "USD": "4.00"}}],
        "bonuses": [{"id": "over", "when": {"order_over": {"EUR": "50.00", "USD": "60.00"}}, "points": 20}]
    }));
    // USD 110.00: below 120.00, no discount; cashback 5% of 110.00 = 5.50,
    // capped at 4.00; the bonus needs 60.00: 20 points.
    let e = run(&program, &Basket::new("USD").line("TEA", 1, "110.00"));
    assert_eq!(e.totals.discount, Decimal::ZERO);
    assert_eq!(e.cashback.total, d("4.00"));
    assert_eq!(e.points.total, d("20"));
    // EUR 110.00: 11.00 off; 5% of 99.00 = 4.95, capped at 3.00.
    let e = run(&program, &Basket::eur().line("TEA", 1, "110.00"));
    assert_eq!(e.totals.discount, d("11.00"));
    assert_eq!(e.cashback.total, d("3.00"));
    // USD 55.00: over the EUR 50.00 of the bonus, under its USD 60.00: no
    // bonus; 5% = 2.75, under the USD cap.
    let e = run(&program, &Basket::new("USD").line("TEA", 1, "55.00"));
    assert_eq!(e.points.total, Decimal::ZERO);
    assert_eq!(e.cashback.total, d("2.75"));
    // EUR 55.00: the bonus.
    assert_eq!(
        run(&program, &Basket::eur().line("TEA", 1, "55.00"))
            .points
            .total,
        d("20")
    );
}

#[test]
fn a_budget_counts_in_each_currency() {
    let program = two(json!({"promotions": [{"id": "off",
        "reward": {"type": "amount_off", "amount": {"EUR": "10.00", "USD": "12.00"}},
        "budget": {"EUR": "100.00", "USD": "20.00"}}]}));
    // USD: 12.00 spent already, another 12.00 would reach 24.00 > 20.00.
    let basket = Basket::new("USD").line("TEA", 1, "50.00");
    let mut checkout = basket.build();
    checkout.budget_spent = vec![BudgetSpent::new("off", d("12.00")).unwrap()];
    let e = program.evaluate(&checkout).unwrap();
    assert_eq!(e.totals.discount, Decimal::ZERO);
    assert!(
        !e.effects
            .iter()
            .any(|x| matches!(x, loyalty::evaluation::Effect::SpendBudget { .. }))
    );
    assert!(matches!(
        reason(&e, "off"),
        Reason::NotEligible { rejection: Rejection::BudgetExceeded { budget, .. } } if budget == d("20.00")
    ));
    // EUR: 12.00 of 100.00 spent, 10.00 more is within.
    let mut checkout = Basket::eur().line("TEA", 1, "50.00").build();
    checkout.budget_spent = vec![BudgetSpent::new("off", d("12.00")).unwrap()];
    assert_eq!(
        program.evaluate(&checkout).unwrap().totals.discount,
        d("10.00")
    );
}

// --- Coupons, redemption, returns --------------------------------------------------

#[test]
fn a_coupon_without_an_amount_in_the_currency_is_refused() {
    let program = two(json!({"coupons": [{"id": "welcome", "codes": ["WELCOME"],
        "reward": {"type": "amount_off", "amount": {"EUR": "5.00"}}}]}));
    let e = run(
        &program,
        &Basket::new("USD").line("TEA", 1, "40.00").coupon("welcome"),
    );
    assert_eq!(e.totals.discount, Decimal::ZERO);
    let verdict = &e.coupons[0];
    assert_eq!(verdict.coupon.as_ref().map(|c| c.as_str()), Some("welcome"));
    assert_eq!(
        verdict.rejection,
        Some(Rejection::CurrencyMismatch {
            currency: Currency::USD,
            missing: "coupons[0].reward.amount".into()
        })
    );
    assert_eq!(
        verdict.rejection.as_ref().unwrap().to_string(),
        "this code is not valid for orders in USD (no amount in USD at coupons[0].reward.amount)"
    );
    assert!(matches!(
        reason(&e, "welcome"),
        Reason::CouponRejected {
            rejection: Rejection::CurrencyMismatch { .. },
            ..
        }
    ));
    // In EUR it applies.
    let e = run(
        &program,
        &Basket::eur().line("TEA", 1, "40.00").coupon("WELCOME"),
    );
    assert_eq!(e.totals.discount, d("5.00"));
    // A code that no coupon has is still unknown.
    let e = run(
        &program,
        &Basket::new("USD").line("TEA", 1, "40.00").coupon("NOPE"),
    );
    assert_eq!(e.coupons[0].rejection, Some(Rejection::UnknownCode));
}

#[test]
fn points_pay_at_each_currencys_value_and_not_where_there_is_none() {
    let redemption =
        json!({"points": {"rate": {"points": 100, "value": {"EUR": "1.00", "USD": "1.10"}}}});
    let program = two(json!({"redemption": redemption}));
    // 500 points in USD: 5 × 1.10 = 5.50 off.
    let basket = Basket::new("USD")
        .line("TEA", 1, "40.00")
        .redeem(json!({"points": 500}), json!({"points": 800}));
    let e = run(&program, &basket);
    assert_eq!(e.redemptions[0].amount, d("5.50"));
    assert_eq!(e.totals.payable, d("34.50"));
    // Without a USD value, points are not spent in USD (a warning says so).
    let program =
        two(json!({"redemption": {"points": {"rate": {"points": 100, "value": "1.00"}}}}));
    assert_eq!(
        program.warnings()[0].to_string(),
        "redemption.points.rate.value: no amount in USD: points cannot be spent on orders in USD; give an amount there if they should"
    );
    let e = run(&program, &basket);
    assert_eq!(e.totals.payable, d("40.00"));
    assert!(e.redemptions.iter().all(|r| r.amount.is_zero()));
    let e = run(
        &program,
        &Basket::eur()
            .line("TEA", 1, "40.00")
            .redeem(json!({"points": 500}), json!({"points": 800})),
    );
    assert_eq!(e.totals.payable, d("35.00"));
}

#[test]
fn an_order_in_a_currency_not_served_is_refused() {
    let program = ten_or_twelve();
    let checkout = Basket::new("GBP").line("TEA", 1, "40.00").build();
    let error = program.evaluate(&checkout).unwrap_err();
    assert!(
        matches!(error, EvaluationError::CurrencyMismatch { order, .. } if order == Currency::GBP),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "the order is in GBP, but program shop is in EUR, USD: convert the order, use a program in GBP, or add GBP to the program's currencies"
    );
    assert!(program.in_currency(Currency::GBP).is_none());
    let usd = program.in_currency(Currency::USD).unwrap();
    assert_eq!(usd.currency(), Currency::USD);
    // The reading holds the USD amounts, plain.
    assert_eq!(
        serde_json::to_value(&usd.definition().promotions[0].reward).unwrap()["amount"],
        "12.00"
    );
    // The program keeps the definition as written.
    assert_eq!(
        serde_json::to_value(&program.definition().promotions[0].reward).unwrap()["amount"],
        json!({"EUR": "10.00", "USD": "12.00"})
    );
    assert!(
        program
            .to_string()
            .starts_with("program shop (EUR + USD, UTC): ")
    );
}

#[test]
fn a_return_of_an_order_in_another_currency_uses_its_amounts() {
    let program = two(
        json!({"earning": [{"id": "base", "points": 1, "per": {"EUR": "1.00", "USD": "2.00"}}]}),
    );
    // USD 2 × 30.00 = 60.00: 30 points (1 per 2.00); returning one unit
    // takes back 15.
    let checkout = Basket::new("USD").line("TEA", 2, "30.00").build();
    let e = program.evaluate(&checkout).unwrap();
    assert_eq!(e.points.total, d("30"));
    let refund: Refund = serde_json::from_value(json!({"id": "R-1", "order": "A-1",
        "at": "2026-11-28T10:00:00Z", "lines": [{"line": "1", "quantity": 1}]}))
    .unwrap();
    let outcome = program
        .evaluate_return(&checkout, &e, &[], &refund)
        .unwrap();
    assert_eq!(outcome.points_reversed, d("15"));
}

#[test]
fn a_ladder_step_nudge_reads_a_cart_in_the_programs_currency_only() {
    use loyalty::insight::nudges::{Nudge, NudgeInputs};
    // 10% from 200.00 EUR / 220.00 USD; a nudge when at most 20.00 is
    // missing (an amount of the program's currency).
    let program = two(json!({
        "ladders": [{"id": "spend", "steps": [
            {"from": {"EUR": "100.00", "USD": "110.00"}, "percent": "5"},
            {"from": {"EUR": "200.00", "USD": "220.00"}, "percent": "10"}]}],
        "nudges": {"ladder_step": {"within": "20.00"}}
    }));
    let now = "2026-11-27T11:00:00Z".parse().unwrap();
    // EUR 185.00: 15.00 from the 200.00 step.
    let eur = run(&program, &Basket::eur().line("TEA", 1, "185.00"));
    let nudges = program.nudges(&NudgeInputs::new().cart(&eur), now).unwrap();
    assert!(
        matches!(&nudges[..], [Nudge::LadderStep { missing, .. }] if *missing == d("15.00")),
        "{nudges:?}"
    );
    // USD 205.00: 15.00 USD from 220.00, but 20.00 is in euros: no nudge.
    let usd = run(&program, &Basket::new("USD").line("TEA", 1, "205.00"));
    assert_eq!(usd.ladders[0].next.as_ref().unwrap().missing, d("15.00"));
    assert!(
        program
            .nudges(&NudgeInputs::new().cart(&usd), now)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn cashback_is_spent_in_its_own_currency_only() {
    let program =
        two(json!({"redemption": {"cashback": {"minimum": {"EUR": "5.00", "USD": "6.00"}}}}));
    let ask = |currency: Option<&str>| {
        let mut available = json!({"cashback": "20.00"});
        if let Some(c) = currency {
            available["cashback_currency"] = json!(c);
        }
        Basket::new("USD")
            .line("TEA", 1, "40.00")
            .redeem(json!({"cashback": "5.50"}), available)
    };
    // 5.50 USD asked, below the USD minimum of 6.00 (the EUR one, 5.00,
    // would take it).
    let e = run(&program, &ask(Some("USD")));
    assert!(matches!(
        e.redemptions[0].refused,
        Some(RedemptionRefusal::BelowMinimum { minimum, .. }) if minimum == d("6.00")
    ));
    // The balance in euros is not spent on a dollar order.
    let e = run(&program, &ask(Some("EUR")));
    assert_eq!(
        e.redemptions[0].refused,
        Some(RedemptionRefusal::OtherCurrency {
            balance: Currency::EUR,
            order: Currency::USD
        })
    );
    assert_eq!(e.totals.payable, d("40.00"));
    // 7.00 of a USD balance (the currency left out: the order's).
    let basket = Basket::new("USD")
        .line("TEA", 1, "40.00")
        .redeem(json!({"cashback": "7.00"}), json!({"cashback": "20.00"}));
    assert_eq!(run(&program, &basket).totals.payable, d("33.00"));
}

#[test]
fn an_earning_rule_without_per_earns_per_unit_of_the_programs_currency_only() {
    // "1 point per 1.00" by default: 1 point per euro, not per yen.
    let program = in_currencies(
        "EUR",
        &["JPY"],
        json!({"earning": [{"id": "base", "points": 1}]}),
    );
    assert_eq!(program.warnings()[0].path(), "earning[0]");
    let e = run(&program, &Basket::new("JPY").line("TEA", 1, "6000"));
    assert_eq!(e.points.total, Decimal::ZERO);
    assert_eq!(
        reason(&e, "base"),
        Reason::CurrencyMismatch {
            currency: Currency::JPY,
            missing: "earning[0].per".into()
        }
    );
    assert_eq!(
        run(&program, &Basket::eur().line("TEA", 1, "40.00"))
            .points
            .total,
        d("40")
    );
}

#[test]
fn tiers_are_measured_in_the_programs_own_currency() {
    use loyalty::tiers::{TierError, TierEvent};
    // A spend of 300.50 is an amount of euros: valid though yen have no
    // cents.
    let program = in_currencies(
        "EUR",
        &["JPY"],
        json!({"tiers": [{"id": "bronze"}, {"id": "silver", "qualify": {"spend": "300.50"}}]}),
    );
    let at = "2026-11-27T10:00:00Z".parse().unwrap();
    let eur = [TierEvent::order(
        "A-1".parse().unwrap(),
        at,
        d("400.00"),
        Currency::EUR,
    )];
    let yen = [TierEvent::order(
        "A-2".parse().unwrap(),
        at,
        d("500"),
        Currency::JPY,
    )];
    assert_eq!(
        program
            .tier_status(&eur, at)
            .unwrap()
            .tier
            .unwrap()
            .as_str(),
        "silver"
    );
    // The reading for yen measures tiers in euros too: a yen order is
    // refused, not counted as 500 euros.
    let jpy = program.in_currency(Currency::JPY).unwrap();
    assert_eq!(
        jpy.tier_status(&eur, at).unwrap().tier.unwrap().as_str(),
        "silver"
    );
    assert!(matches!(
        jpy.tier_status(&yen, at),
        Err(TierError::Currency { .. })
    ));
    assert!(matches!(
        program.tier_status(&yen, at),
        Err(TierError::Currency { .. })
    ));
}

#[test]
fn several_rules_left_out_are_named_where_they_are_written() {
    // USD leaves out promotions 0, 1 and 3 and campaign 0; the errors and
    // warnings of the others name them as written.
    let eur_only = |id: &str| json!({"id": id, "reward": {"type": "amount_off", "amount": "1.00"}});
    let error = refused(
        "EUR",
        &["USD"],
        json!({"promotions": [eur_only("a"), eur_only("b"),
            {"id": "c", "reward": {"type": "amount_off", "amount": {"EUR": "1.00", "USD": "1.005"}}},
            eur_only("d"),
            {"id": "e", "reward": {"type": "amount_off", "amount": {"EUR": "1.00", "USD": "-1.00"}}}]}),
    );
    let paths: Vec<&str> = std::iter::once(error.path())
        .chain(error.others().iter().map(ProgramError::path))
        .collect();
    assert_eq!(
        paths,
        ["promotions[2].reward.amount", "promotions[4].reward.amount"]
    );
    let program = two(json!({"multipliers": {"campaigns": [
        {"id": "x", "when": {"subtotal_at_least": "10.00"}, "factor": 2},
        {"id": "y", "when": {"subtotal_above": {"EUR": "10.00", "USD": "0"}}, "factor": 2}]}}));
    // The USD reading finds "above 0" on its first campaign, written second.
    let paths: Vec<String> = program.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(
        paths[0].starts_with("multipliers.campaigns[0]: no amount in USD"),
        "{paths:?}"
    );
    assert!(
        paths[1].starts_with("multipliers.campaigns[1].when: above 0"),
        "{paths:?}"
    );
}

// --- Errors ----------------------------------------------------------------------

#[test]
fn an_amount_in_a_currency_not_served_names_the_path_and_the_fix() {
    let error = refused(
        "EUR",
        &["USD"],
        json!({"promotions": [{"id": "off",
            "reward": {"type": "amount_off", "amount": {"EUR": "10.00", "GBP": "9.00"}}}]}),
    );
    assert_eq!(error.path(), "promotions[0].reward.amount.GBP");
    assert!(
        matches!(error.problem(), Problem::UnlistedCurrency { currency, .. } if *currency == Currency::GBP)
    );
    assert_eq!(
        error.to_string(),
        "promotions[0].reward.amount.GBP: GBP is not a currency of the program, which serves EUR, USD: add \"GBP\" to currencies, or remove this amount"
    );
    // A single-currency program refuses a table with another currency too.
    let error = refused(
        "EUR",
        &[],
        json!({"earning": [{"id": "base", "points": 1, "min_order": {"USD": "10.00"}}]}),
    );
    assert_eq!(error.path(), "earning[0].min_order.USD");
}

#[test]
fn a_number_of_units_has_no_currency() {
    let error = refused(
        "EUR",
        &["USD"],
        json!({"ladders": [{"id": "units", "basis": "quantity",
            "steps": [{"from": {"EUR": 3, "USD": 4}, "percent": "10"}]}]}),
    );
    assert_eq!(error.path(), "ladders[0].steps[0].from");
    assert_eq!(error.problem(), &Problem::CurrencyOnCount);
}

#[test]
fn a_rule_with_no_currency_in_common_is_refused() {
    let error = refused(
        "EUR",
        &["USD"],
        json!({"promotions": [{"id": "off",
            "reward": {"type": "amount_off", "amount": {"EUR": "10.00"}},
            "min_subtotal": {"USD": "50.00"}}]}),
    );
    assert_eq!(error.path(), "promotions[0]");
    assert_eq!(
        error.to_string(),
        "promotions[0]: the rule applies in no currency: EUR has none at promotions[0].min_subtotal, USD has none at promotions[0].reward.amount; give each of its amounts in at least one same currency"
    );
}

#[test]
fn an_amount_wrong_in_one_currency_is_named_where_it_is_written() {
    // promotions[0] is left out of the USD reading; the error of
    // promotions[1]'s USD amount (3 decimals) still names promotions[1].
    let error = refused(
        "EUR",
        &["USD", "JPY"],
        json!({"promotions": [
            {"id": "eur-only", "reward": {"type": "amount_off", "amount": "5.00"}},
            {"id": "off", "reward": {"type": "amount_off",
                "amount": {"EUR": "10.00", "USD": "12.345", "JPY": 1500}}}]}),
    );
    assert_eq!(error.path(), "promotions[1].reward.amount");
    assert!(error.to_string().contains("USD"), "{error}");
    // Yen have no decimals.
    let error = refused(
        "EUR",
        &["JPY"],
        json!({"promotions": [{"id": "off", "reward": {"type": "amount_off",
            "amount": {"EUR": "10.00", "JPY": "1500.5"}}}]}),
    );
    assert_eq!(error.path(), "promotions[0].reward.amount");
    assert!(error.to_string().contains("JPY"), "{error}");
}

#[test]
fn ids_and_codes_stay_unique_across_currencies() {
    let error = refused(
        "EUR",
        &["USD"],
        json!({"promotions": [
            {"id": "off", "reward": {"type": "amount_off", "amount": {"EUR": "10.00"}}},
            {"id": "off", "reward": {"type": "amount_off", "amount": {"USD": "12.00"}}}]}),
    );
    assert_eq!(error.path(), "promotions[1].id");
    assert!(error.others().is_empty(), "{error}");
    let error = refused(
        "EUR",
        &["USD"],
        json!({"coupons": [
            {"id": "a", "codes": ["TEN"], "reward": {"type": "amount_off", "amount": {"EUR": "10.00"}}},
            {"id": "b", "codes": ["ten"], "reward": {"type": "amount_off", "amount": {"USD": "12.00"}}}]}),
    );
    assert_eq!(error.path(), "coupons[1].codes[0]");
    assert!(matches!(error.problem(), Problem::DuplicateCode { other, .. } if other == "a"));
    assert!(error.others().is_empty(), "{error}");
    // Two coupons both in EUR share a code: one error, as in a program of
    // one currency.
    let error = refused(
        "EUR",
        &["USD"],
        json!({"coupons": [
            {"id": "usd", "codes": ["X"], "reward": {"type": "amount_off", "amount": {"USD": "1.00"}}},
            {"id": "a", "codes": ["TEN"], "reward": {"type": "amount_off", "amount": {"EUR": "10.00"}}},
            {"id": "b", "codes": ["ten"], "reward": {"type": "amount_off", "amount": {"EUR": "12.00"}}}]}),
    );
    assert_eq!(error.path(), "coupons[2].codes[0]");
    assert!(error.others().is_empty(), "{error}");
}

#[test]
fn a_program_wide_cap_needs_every_currency() {
    let error = refused("EUR", &["USD"], json!({"stacking": {"max_total": "50.00"}}));
    assert_eq!(error.path(), "stacking.max_total");
    assert_eq!(
        error.problem(),
        &Problem::MissingCurrency {
            currency: Currency::USD
        }
    );
    let program = two(
        json!({"stacking": {"max_total": {"EUR": "5.00", "USD": "6.00"}},
        "promotions": [{"id": "pct", "reward": {"type": "percent_off", "percent": "50"}}]}),
    );
    let e = run(&program, &Basket::new("USD").line("TEA", 1, "40.00"));
    assert_eq!(e.totals.discount, d("6.00"));
}

#[test]
fn tables_written_wrong_are_refused_when_read() {
    for (amount, says) in [
        (json!({}), "an empty table of amounts"),
        (json!({"EUR": "1", "eur": "2"}), "EUR is given twice"),
        (json!({"EURO": "1"}), "unknown currency"),
        (json!({"EUR": "ten"}), ""),
    ] {
        let error =
            serde_json::from_value::<ProgramDefinition>(json!({"id": "p", "currency": "EUR",
            "promotions": [{"id": "off", "reward": {"type": "amount_off", "amount": amount}}]}))
            .unwrap_err();
        assert!(error.to_string().contains(says), "{error}");
    }
}

#[test]
fn the_rust_api_takes_tables_wherever_it_takes_an_amount() {
    let both = |eur: &str, usd: &str| {
        PerCurrency::table([(Currency::EUR, d(eur)), (Currency::USD, d(usd))])
    };
    let built = Program::new(
        ProgramDefinition::new("shop", Currency::EUR)
            .serve(Currency::USD)
            .promotion(
                PromotionDefinition::automatic("off", Reward::amount_off(both("10.00", "12.00")))
                    .min_subtotal(both("50.00", "60.00")),
            ),
    )
    .unwrap();
    let read = ten_or_twelve();
    for basket in [
        Basket::new("USD").line("TEA", 2, "30.00"),
        Basket::eur().line("TEA", 1, "55.00"),
    ] {
        assert_eq!(run(&built, &basket).totals, run(&read, &basket).totals);
    }
    assert_eq!(built.definition(), read.definition());
}

// --- Property: a multi-currency program is the single-currency program of each ----

/// A rule's amount in EUR and, maybe, in USD (cents).
fn amounts() -> impl Strategy<Value = (i64, Option<i64>)> {
    (
        prop_oneof![1 => Just(0i64), 9 => 1i64..=5_000],
        prop::option::weighted(0.8, 1i64..=5_000),
    )
}

/// As [`amounts`], never 0.
fn positive() -> impl Strategy<Value = (i64, Option<i64>)> {
    (1i64..=5_000, prop::option::weighted(0.8, 1i64..=5_000))
}

/// The amount as the multi-currency program writes it, and as the
/// single-currency program of `usd` does (`None`: it has no such rule).
fn written(amount: (i64, Option<i64>), usd: bool) -> (Value, Option<Value>) {
    let cents = |c: i64| Value::String(Decimal::new(c, 2).to_string());
    let (eur, dollars) = amount;
    let multi = match dollars {
        Some(u) => json!({"EUR": cents(eur), "USD": cents(u)}),
        None => cents(eur),
    };
    let single = match (usd, dollars) {
        (true, Some(u)) => Some(cents(u)),
        // A plain 0 is 0 in every currency.
        (true, None) if eur == 0 => Some(cents(0)),
        (true, None) => None,
        (false, _) => Some(cents(eur)),
    };
    (multi, single)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(96)))]

    /// Evaluated on an order in EUR or USD, a program serving both gives
    /// what the program of that currency alone gives (its amounts the
    /// ones in that currency, without the rules that have none there):
    /// the same lines, discounts, totals, points, cashback and effects.
    #[test]
    fn a_multi_currency_program_is_each_currencys_program(
        offs in prop::collection::vec((amounts(), amounts()), 0..3),
        percents in prop::collection::vec((1u32..=50, amounts()), 0..3),
        ladder in prop::option::of((positive(), positive())),
        // `per` and the ladder's steps are above 0 in every currency.
        per in positive(),
        cap in amounts(),
        coupon in amounts(),
        condition in amounts(),
        bonus in amounts(),
        max_total in (1i64..=20_000, 1i64..=20_000),
        enter_code in any::<bool>(),
        lines in prop::collection::vec((1u64..=4, 1i64..=20_000), 1..5),
        usd in any::<bool>(),
        pick in prop::sample::select(vec!["best_for_customer", "priority"]),
    ) {
        let mut multi_promotions = Vec::new();
        let mut single_promotions = Vec::new();
        for (i, (amount, minimum)) in offs.iter().enumerate() {
            let (am, asg) = written(*amount, usd);
            let (mm, msg) = written(*minimum, usd);
            let id = format!("off-{i}");
            multi_promotions.push(json!({"id": id, "reward": {"type": "amount_off", "amount": am}, "min_subtotal": mm}));
            if let (Some(a), Some(m)) = (asg, msg) {
                single_promotions.push(json!({"id": id, "reward": {"type": "amount_off", "amount": a}, "min_subtotal": m}));
            }
        }
        for (i, (percent, cap)) in percents.iter().enumerate() {
            let (cm, csg) = written(*cap, usd);
            let id = format!("pct-{i}");
            multi_promotions.push(json!({"id": id, "reward": {"type": "percent_off", "percent": percent.to_string(), "cap": cm}}));
            if let Some(c) = csg {
                single_promotions.push(json!({"id": id, "reward": {"type": "percent_off", "percent": percent.to_string(), "cap": c}}));
            }
        }
        let (mut multi_ladders, mut single_ladders) = (Vec::new(), Vec::new());
        if let Some((first, second)) = ladder {
            // Thresholds ascending in both currencies: the second is the
            // first plus its own amount.
            let plus = |a: (i64, Option<i64>), b: (i64, Option<i64>)| {
                (a.0 + b.0, a.1.zip(b.1).map(|(x, y)| x + y))
            };
            let (f1, f1s) = written(first, usd);
            let (f2, f2s) = written(plus(first, second), usd);
            multi_ladders.push(json!({"id": "spend", "steps": [
                {"from": f1, "percent": "5"}, {"from": f2, "percent": "10"}]}));
            if let (Some(a), Some(b)) = (f1s, f2s) {
                single_ladders.push(json!({"id": "spend", "steps": [
                    {"from": a, "percent": "5"}, {"from": b, "percent": "10"}]}));
            }
        }
        // A coupon and a bonus with amounts per currency, a condition on a
        // table, and a total cap given in both currencies.
        let (coupon_m, coupon_s) = written(coupon, usd);
        let (cond_m, cond_s) = written(condition, usd);
        let (bonus_m, bonus_s) = written(bonus, usd);
        let (total_m, total_s) = written((max_total.0, Some(max_total.1)), usd);
        multi_promotions.push(json!({"id": "code", "codes": ["CODE"],
            "reward": {"type": "amount_off", "amount": coupon_m},
            "condition": {"subtotal_at_least": cond_m}}));
        if let (Some(a), Some(c)) = (coupon_s, cond_s) {
            single_promotions.push(json!({"id": "code", "codes": ["CODE"],
                "reward": {"type": "amount_off", "amount": a},
                "condition": {"subtotal_at_least": c}}));
        }
        let (pm, psg) = written(per, usd);
        let (cbm, cbs) = written(cap, usd);
        let mut multi = json!({"id": "shop", "currency": "EUR", "currencies": ["USD"],
            "promotions": multi_promotions, "ladders": multi_ladders,
            "stacking": {"pick": pick, "max_total": total_m},
            "earning": [{"id": "base", "points": 1, "per": pm}],
            "bonuses": [{"id": "over", "when": {"order_over": bonus_m}, "points": 5}],
            "cashback": [{"id": "cb", "percent": "3", "cap": cbm}]});
        let mut single = json!({"id": "shop", "currency": if usd { "USD" } else { "EUR" },
            "promotions": single_promotions, "ladders": single_ladders,
            "stacking": {"pick": pick, "max_total": total_s},
            "earning": psg.map(|p| vec![json!({"id": "base", "points": 1, "per": p})]).unwrap_or_default(),
            "bonuses": bonus_s.map(|b| vec![json!({"id": "over", "when": {"order_over": b}, "points": 5})]).unwrap_or_default(),
            "cashback": cbs.map(|c| vec![json!({"id": "cb", "percent": "3", "cap": c})]).unwrap_or_default()});
        for p in [&mut multi, &mut single] {
            p["time_zone"] = json!("UTC");
        }
        let multi = Program::new(serde_json::from_value(multi).unwrap());
        let single = Program::new(serde_json::from_value(single).unwrap());
        // Both valid, or both refused (a ladder whose USD steps do not
        // ascend is refused in both).
        let (multi, single) = match (multi, single) {
            (Ok(m), Ok(s)) => (m, s),
            (Err(_), Err(_)) => return Ok(()),
            (m, s) => return Err(TestCaseError::fail(format!("{:?} / {:?}", m.err(), s.err()))),
        };
        let mut basket = Basket::new(if usd { "USD" } else { "EUR" });
        if enter_code {
            basket = basket.coupon("code");
        }
        for (i, (quantity, cents)) in lines.iter().enumerate() {
            basket = basket.line(&format!("SKU-{i}"), *quantity, &Decimal::new(*cents, 2).to_string());
        }
        let checkout = basket.build();
        let a = multi.evaluate(&checkout).unwrap();
        let b = single.evaluate(&checkout).unwrap();
        prop_assert_eq!(&a.lines, &b.lines);
        prop_assert_eq!(&a.discounts, &b.discounts);
        prop_assert_eq!(&a.totals, &b.totals);
        prop_assert_eq!(&a.ladders, &b.ladders);
        prop_assert_eq!(&a.points, &b.points);
        prop_assert_eq!(&a.cashback, &b.cashback);
        prop_assert_eq!(&a.effects, &b.effects);
        // The code: the same verdict, but for a coupon left out of the
        // reading, refused for the currency where the program of one
        // currency has no such code.
        prop_assert_eq!(a.coupons.len(), b.coupons.len());
        for (x, y) in a.coupons.iter().zip(&b.coupons) {
            match (&x.rejection, &y.rejection) {
                (Some(Rejection::CurrencyMismatch { .. }), Some(Rejection::UnknownCode)) => {}
                (x, y) => prop_assert_eq!(x, y),
            }
        }
        // The rules the single program lacks are traced as not applying.
        for entry in a.trace.iter().filter(|t| matches!(t.reason, Reason::CurrencyMismatch { .. })) {
            prop_assert!(!entry.applied);
            prop_assert!(b.trace.iter().all(|t| t.rule != entry.rule));
        }
        prop_assert_eq!(multi.summarize(&checkout).unwrap(), single.summarize(&checkout).unwrap());
    }

    /// A table read back is the table written, and reads the amount of
    /// each of its currencies.
    #[test]
    fn tables_round_trip(eur in 0i64..=1_000_000, usd in 0i64..=1_000_000, jpy in 0i64..=100_000_000) {
        let table = PerCurrency::table([
            (Currency::USD, Decimal::new(usd, 2)),
            (Currency::JPY, Decimal::from(jpy)),
            (Currency::EUR, Decimal::new(eur, 2)),
        ]);
        let back: PerCurrency = serde_json::from_value(serde_json::to_value(&table).unwrap()).unwrap();
        prop_assert_eq!(&back, &table);
        prop_assert_eq!(back.get(Currency::USD, Currency::EUR), Some(Decimal::new(usd, 2)));
        prop_assert_eq!(back.get(Currency::JPY, Currency::EUR), Some(Decimal::from(jpy)));
        prop_assert_eq!(back.get(Currency::GBP, Currency::EUR), None);
        let from_toml: PerCurrency = toml::from_str::<toml::Value>(&format!("a = {{ EUR = \"{}\", USD = \"{}\", JPY = {jpy} }}", Decimal::new(eur, 2), Decimal::new(usd, 2)))
            .unwrap()["a"].clone().try_into().unwrap();
        prop_assert_eq!(from_toml, table);
    }
}
