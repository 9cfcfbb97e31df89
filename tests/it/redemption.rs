//! Paying with points and cashback at checkout: hand-worked scenarios for
//! every rule and refusal, bad input, and the invariants as properties.

use loyalty::error::EvaluationError;
use loyalty::evaluation::{
    DiscountDetail, Effect, RedemptionKind, RedemptionRefusal, RuleKind, Stage,
};
use loyalty::program::Program;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::util::cases;
use crate::util::common::{self, Basket, d, eur_program, seeds_ladder};
use loyalty::evaluation::Evaluation;

/// Evaluates the basket's checkout, checking the invariants of every
/// evaluation.
fn eval(program: &Program, basket: &Basket) -> Evaluation {
    common::eval(program, &basket.build())
}

/// The seeds' ladder, a point per 1.00 net, points at 100 = 1.00 (at least
/// 500, in steps of 100, up to half the payable amount), cashback from
/// 5.00; `points` and `cashback` replace the redemption rules.
fn shop_with(points: Value, cashback: Value) -> Program {
    let mut redemption = json!({});
    if !points.is_null() {
        redemption["points"] = points;
    }
    if !cashback.is_null() {
        redemption["cashback"] = cashback;
    }
    eur_program(json!({
        "ladders": [seeds_ladder()],
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "redemption": redemption,
    }))
}

fn points_rule() -> Value {
    json!({"rate": {"points": 100, "value": "1.00"}, "minimum": 500, "step": 100,
           "max_share_percent": 50})
}

fn shop() -> Program {
    shop_with(points_rule(), json!({"minimum": "5.00"}))
}

/// 2 × 60.00 = 120.00; 5% off = 6.00; 114.00 + 4.90 shipping = 118.90.
fn basket() -> Basket {
    Basket::eur().line("TEA", 2, "60.00").shipping("4.90")
}

fn refusal(program: &Program, checkout: &Basket) -> RedemptionRefusal {
    let e = eval(program, checkout);
    assert_eq!(e.redemptions.len(), 1);
    assert!(e.redemptions[0].amount.is_zero());
    assert!(e.totals.redeemed.is_zero());
    assert!(!e.effects.iter().any(|x| matches!(
        x,
        Effect::RedeemPoints { .. } | Effect::RedeemCashback { .. }
    )));
    e.redemptions[0].refused.clone().expect("refused")
}

#[test]
fn points_pay_at_the_rate_and_the_order_earns_on_what_is_left() {
    let e = eval(
        &shop(),
        &basket().redeem(json!({"points": 500}), json!({"points": 1200})),
    );
    let r = &e.redemptions[0];
    assert_eq!(r.kind, RedemptionKind::Points);
    assert!(r.is_applied());
    assert_eq!(
        (r.points, r.amount, r.available),
        (d("500"), d("5.00"), d("1200"))
    );
    assert_eq!(
        e.totals.discount,
        d("6.00"),
        "paying with points is not a discount"
    );
    assert_eq!(e.totals.redeemed, d("5.00"));
    assert_eq!(e.totals.payable, d("113.90"));
    assert_eq!(e.lines[0].net, d("109.00"));
    // Points on the net after paying with points: 109.00 → 109.
    assert_eq!(e.points.total, d("109"));
    let paid = e
        .discounts
        .iter()
        .find(|x| x.rule.kind == RuleKind::Redemption)
        .expect("the redemption is listed with the discounts");
    assert_eq!(paid.rule.id.as_str(), "points");
    assert_eq!(paid.amount, d("5.00"));
    assert_eq!(
        paid.detail,
        DiscountDetail::PaidWithPoints { points: d("500") }
    );
    let entry = e
        .trace
        .iter()
        .find(|t| t.stage == Stage::Redemption)
        .expect("traced");
    assert_eq!(
        entry.message(),
        "applied: 5.00 EUR off the items: paid with 500 points"
    );
    let spend = e
        .effects
        .iter()
        .find(|x| matches!(x, Effect::RedeemPoints { .. }))
        .expect("an effect to spend the points");
    assert_eq!(
        spend,
        &Effect::RedeemPoints {
            key: "seeds/A-1/redeem:points".into(),
            customer: "C-1".parse().unwrap(),
            points: d("500"),
            amount: d("5.00"),
            available_seen: d("1200"),
        }
    );
    // The evaluation and the checkout read back as they were written.
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(serde_json::from_str::<Evaluation>(&json).unwrap(), e);
    assert!(json.contains(r#""redeemed":"5.00""#), "{json}");
    let checkout = basket()
        .redeem(json!({"points": 500}), json!({"points": 1200}))
        .build();
    let json = serde_json::to_string(&checkout).unwrap();
    assert!(json.contains(r#""redeem":{"points":"500"}"#), "{json}");
    assert_eq!(
        serde_json::from_str::<loyalty::evaluate::Checkout>(&json).unwrap(),
        checkout
    );
    assert_eq!(
        e.to_string(),
        "order A-1 · customer C-1 · program seeds · 2026-11-27 10:00 UTC
line 1  TEA                           120.00
  ladder spend-more                    -6.00
  redemption with points               -5.00
  net                                 109.00
subtotal                              120.00
discount                               -6.00
shipping                                4.90
paid with 500 points                   -5.00
payable                           113.90 EUR
points earned 109, available 2026-11-27
"
    );
}

#[test]
fn all_takes_the_most_the_share_allows_in_whole_steps() {
    // Half of 118.90 is 59.45: 5945 points, 5900 in steps of 100.
    let e = eval(
        &shop(),
        &basket().redeem(json!({"points": "all"}), json!({"points": 12345})),
    );
    let r = &e.redemptions[0];
    assert_eq!((r.points, r.amount), (d("5900"), d("59.00")));
    assert_eq!(e.totals.payable, d("59.90"));
    // All that is available, when it is less than the share: 1234 → 1200.
    let e = eval(
        &shop(),
        &basket().redeem(json!({"points": "all"}), json!({"points": 1234})),
    );
    assert_eq!(e.redemptions[0].points, d("1200"));
    assert_eq!(e.totals.payable, d("106.90"));
}

#[test]
fn exactly_on_the_limits_is_allowed() {
    // The minimum, exactly.
    let e = eval(
        &shop(),
        &basket().redeem(json!({"points": 500}), json!({"points": 500})),
    );
    assert!(e.redemptions[0].is_applied());
    // The most the share takes, exactly: 5900 points = 59.00 ≤ 59.45.
    let e = eval(
        &shop(),
        &basket().redeem(json!({"points": "5900"}), json!({"points": 10000})),
    );
    assert_eq!(e.redemptions[0].amount, d("59.00"));
}

#[test]
fn every_refusal_says_why() {
    let program = shop();
    let ask = |points: Value, available: u64| {
        refusal(
            &program,
            &basket().redeem(json!({"points": points}), json!({"points": available})),
        )
    };
    assert_eq!(
        ask(json!(1300), 1200),
        RedemptionRefusal::NotEnoughAvailable {
            asked: d("1300"),
            available: d("1200")
        }
    );
    assert_eq!(
        ask(json!(400), 1200),
        RedemptionRefusal::BelowMinimum {
            asked: d("400"),
            minimum: d("500")
        }
    );
    assert_eq!(
        ask(json!(550), 1200),
        RedemptionRefusal::NotAMultipleOfStep {
            asked: d("550"),
            step: d("100")
        }
    );
    assert_eq!(
        ask(json!(6000), 10000),
        RedemptionRefusal::AboveMaximum {
            asked: d("6000"),
            maximum: d("5900")
        }
    );
    assert_eq!(
        ask(json!("all"), 300),
        RedemptionRefusal::BelowMinimum {
            asked: d("300"),
            minimum: d("500")
        }
    );
    assert_eq!(
        ask(json!("all"), 0),
        RedemptionRefusal::NotEnoughAvailable {
            asked: d("500"),
            available: d("0")
        }
    );
    let message = ask(json!(6000), 10000).to_string();
    assert_eq!(message, "6000 is above the most this order takes, 5900");
    // No points redemption in the program.
    let no_points = shop_with(Value::Null, json!({}));
    assert_eq!(
        refusal(
            &no_points,
            &basket().redeem(json!({"points": 500}), json!({"points": 1200}))
        ),
        RedemptionRefusal::NotOffered {
            kind: RedemptionKind::Points
        }
    );
    // Nothing left to pay on the lines the points may pay for.
    let coffee_only = shop_with(
        json!({"rate": {"points": 100, "value": "1.00"}, "lines": {"categories": ["coffee"]}}),
        Value::Null,
    );
    assert_eq!(
        refusal(
            &coffee_only,
            &basket().redeem(json!({"points": 100}), json!({"points": 1200}))
        ),
        RedemptionRefusal::NothingToPay
    );
}

#[test]
fn a_refused_redemption_leaves_the_order_as_without_it() {
    let program = shop();
    let without = eval(&program, &basket());
    let refused = eval(
        &program,
        &basket().redeem(json!({"points": 550}), json!({"points": 1200})),
    );
    assert_eq!(refused.totals, without.totals);
    assert_eq!(refused.lines, without.lines);
    assert_eq!(refused.points, without.points);
    let entry = refused
        .trace
        .iter()
        .find(|t| t.stage == Stage::Redemption)
        .unwrap();
    assert!(!entry.applied);
    assert_eq!(entry.message(), "not applied: 550 is not a multiple of 100");
    assert!(
        refused
            .to_string()
            .contains("redemption with points refused: 550 is not a multiple of 100")
    );
}

#[test]
fn a_redemption_is_split_over_its_lines_in_proportion_to_their_net() {
    // 30.00 + 10.00, no ladder step; 1000 points = 10.00 → 7.50 + 2.50.
    let program = shop_with(
        json!({"rate": {"points": 100, "value": "1.00"}}),
        Value::Null,
    );
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "30.00")
            .line("CUP", 1, "10.00")
            .redeem(json!({"points": 1000}), json!({"points": 1000})),
    );
    let parts: Vec<Decimal> = e
        .lines
        .iter()
        .map(|l| l.discounts.iter().map(|x| x.amount).sum())
        .collect();
    assert_eq!(parts, vec![d("7.50"), d("2.50")]);
    assert_eq!(e.totals.payable, d("30.00"));
    // Three lines of 10.00 and 1.00 to share: the largest remainder rule.
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "10.00")
            .line("B", 1, "10.00")
            .line("C", 1, "10.00")
            .redeem(json!({"points": 100}), json!({"points": 100})),
    );
    let parts: Vec<Decimal> = e
        .lines
        .iter()
        .map(|l| l.discounts.iter().map(|x| x.amount).sum())
        .collect();
    assert_eq!(parts, vec![d("0.34"), d("0.33"), d("0.33")]);
}

#[test]
fn points_pay_only_for_their_lines_and_never_for_shipping() {
    let program = shop_with(
        json!({"rate": {"points": 100, "value": "1.00"}, "lines": {"categories": ["coffee"]}}),
        Value::Null,
    );
    let e = eval(
        &program,
        &Basket::eur()
            .line_in("BEANS", 1, "12.00", &["coffee"])
            .line("MUG", 1, "20.00")
            .shipping("5.00")
            .redeem(json!({"points": "all"}), json!({"points": 5000})),
    );
    // At most the coffee's 12.00 (1200 points), though the share allows 37.00.
    assert_eq!(e.redemptions[0].points, d("1200"));
    assert_eq!(e.lines[0].net, d("0.00"));
    assert_eq!(e.lines[1].net, d("20.00"));
    assert_eq!(e.totals.payable, d("25.00"));
}

#[test]
fn the_program_may_earn_points_on_the_part_paid_with_points() {
    let program = shop_with(
        json!({"rate": {"points": 100, "value": "1.00"}, "earn_on_redeemed": true}),
        Value::Null,
    );
    let e = eval(
        &program,
        &basket().redeem(json!({"points": 1000}), json!({"points": 1000})),
    );
    // 114.00 after the ladder; the 10.00 paid with points still earns.
    assert_eq!(e.totals.payable, d("108.90"));
    assert_eq!(e.points.total, d("114"));
}

#[test]
fn cashback_pays_one_for_one_after_points() {
    let program = shop();
    let e = eval(
        &program,
        &basket().redeem(
            json!({"points": 500, "cashback": "all"}),
            json!({"points": 500, "cashback": "15.00"}),
        ),
    );
    assert_eq!(e.redemptions.len(), 2);
    assert_eq!(e.redemptions[1].kind, RedemptionKind::Cashback);
    assert_eq!(e.redemptions[1].amount, d("15.00"));
    assert_eq!(e.totals.redeemed, d("20.00"));
    assert_eq!(e.totals.payable, d("98.90"));
    assert!(e.effects.contains(&Effect::RedeemCashback {
        key: "seeds/A-1/redeem:cashback".into(),
        customer: "C-1".parse().unwrap(),
        amount: d("15.00"),
        available_seen: d("15.00"),
    }));
    // Below the minimum of 5.00, and more than available.
    let ask = |cashback: &str, available: &str| {
        refusal(
            &program,
            &basket().redeem(
                json!({"cashback": cashback}),
                json!({"cashback": available}),
            ),
        )
    };
    assert_eq!(
        ask("3.00", "15.00"),
        RedemptionRefusal::BelowMinimum {
            asked: d("3.00"),
            minimum: d("5.00")
        }
    );
    assert_eq!(
        ask("20.00", "15.00"),
        RedemptionRefusal::NotEnoughAvailable {
            asked: d("20.00"),
            available: d("15.00")
        }
    );
    // All of the payable amount at most: 118.90 of 200.00 available, but
    // cashback pays only the lines (114.00).
    let e = eval(
        &program,
        &basket().redeem(json!({"cashback": "all"}), json!({"cashback": "200.00"})),
    );
    assert_eq!(e.redemptions[0].amount, d("114.00"));
    assert_eq!(e.totals.payable, d("4.90"));
}

#[test]
fn summaries_agree_with_evaluations() {
    let program = shop();
    let checkout = basket()
        .redeem(
            json!({"points": "all", "cashback": "5.00"}),
            json!({"points": 777, "cashback": "9.99"}),
        )
        .build();
    let full = common::eval(&program, &checkout);
    let summary = program.summarize(&checkout).unwrap();
    assert_eq!(summary.totals, full.totals);
    assert_eq!(summary.points, full.points.total);
    assert_eq!(summary.cashback, full.cashback.total);
}

#[test]
fn bad_figures_are_errors_naming_the_field() {
    let program = shop();
    let err = |redeem: Value, available: Value| {
        program
            .evaluate(&basket().redeem(redeem, available).build())
            .expect_err("refused as bad input")
    };
    let e = err(json!({"points": -5}), json!({"points": 100}));
    assert!(matches!(
        e,
        EvaluationError::InvalidRedemption {
            field: "redeem.points",
            ..
        }
    ));
    assert_eq!(
        e.to_string(),
        "redeem.points -5 is negative: give zero or more points"
    );
    let e = err(json!({"points": "10.5"}), json!({"points": 100}));
    assert_eq!(
        e.to_string(),
        "redeem.points 10.5 has decimals, but this program keeps whole points: give a whole number"
    );
    let e = err(json!({"cashback": "1.005"}), json!({"cashback": "5.00"}));
    assert!(matches!(
        e,
        EvaluationError::InvalidRedemption {
            field: "redeem.cashback",
            ..
        }
    ));
    let e = err(json!({"points": 100}), json!({"points": "-1"}));
    assert!(matches!(
        e,
        EvaluationError::InvalidRedemption {
            field: "available.points",
            ..
        }
    ));
    // What serde refuses: an unknown field, a word other than "all".
    let mut checkout = basket().to_json();
    checkout["redeem"] = json!({"pionts": 100});
    assert!(serde_json::from_value::<loyalty::evaluate::Checkout>(checkout.clone()).is_err());
    checkout["redeem"] = json!({"points": "most"});
    let message = serde_json::from_value::<loyalty::evaluate::Checkout>(checkout)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("neither a number nor \"all\""),
        "{message}"
    );
}

#[test]
fn a_program_refuses_nonsense_redemption_rules() {
    let bad = |points: Value| {
        let definition: loyalty::program::ProgramDefinition = serde_json::from_value(json!({
            "id": "p", "currency": "EUR", "redemption": {"points": points}
        }))
        .unwrap();
        Program::new(definition).unwrap_err().to_string()
    };
    assert!(
        bad(json!({"rate": {"points": 0, "value": "1.00"}}))
            .contains("redemption.points.rate.points")
    );
    assert!(
        bad(json!({"rate": {"points": 100, "value": "0.001"}}))
            .contains("redemption.points.rate.value")
    );
    assert!(
        bad(json!({"rate": {"points": 100, "value": "1.00"}, "step": 0}))
            .contains("redemption.points.step")
    );
    assert!(
        bad(json!({"rate": {"points": 100, "value": "1.00"}, "max_share_percent": 150}))
            .contains("redemption.points.max_share_percent")
    );
    assert!(
        bad(json!({"rate": {"points": 100, "value": "1.00"}, "minimum": -1}))
            .contains("redemption.points.minimum")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    /// Whatever is asked, a redemption never pays more than its share of
    /// the payable amount or than its lines, uses no more than available, in
    /// whole steps, from the minimum; the payable amount falls by exactly
    /// what it paid; every other figure of the order is unchanged.
    #[test]
    fn a_redemption_keeps_within_its_rules(
        prices in prop::collection::vec(1u32..20_000, 1..6),
        shipping in 0u32..1_000,
        available in 0u32..20_000,
        ask in prop::option::of(0u32..20_000),
        share in 1u32..=100,
        step in prop::sample::select(vec![1u32, 10, 100, 250]),
        minimum in 0u32..1_000,
    ) {
        let program = shop_with(
            json!({"rate": {"points": 100, "value": "1.00"}, "minimum": minimum,
                   "step": step, "max_share_percent": share}),
            Value::Null,
        );
        let mut basket = Basket::eur().shipping(&format!("{}.{:02}", shipping / 100, shipping % 100));
        for (i, p) in prices.iter().enumerate() {
            basket = basket.line(&format!("S{i}"), 1, &format!("{}.{:02}", p / 100, p % 100));
        }
        let without = eval(&program, &basket);
        let asked = ask.map_or(json!("all"), |a| json!(a));
        let e = eval(&program, &basket.redeem(json!({"points": asked}), json!({"points": available})));
        let r = &e.redemptions[0];
        prop_assert_eq!(e.totals.discount, without.totals.discount);
        prop_assert_eq!(e.totals.payable, without.totals.payable - r.amount);
        if r.is_applied() {
            let pay_cap = without.totals.payable * Decimal::from(share) / Decimal::ONE_HUNDRED;
            let lines: Decimal = without.lines.iter().map(|l| l.net).sum();
            prop_assert!(r.amount <= pay_cap && r.amount <= lines);
            prop_assert!(r.points <= Decimal::from(available));
            prop_assert!(r.points >= Decimal::from(minimum));
            prop_assert!((r.points % Decimal::from(step)).is_zero());
            prop_assert_eq!(r.amount, r.points / Decimal::ONE_HUNDRED);
            if let Some(a) = ask {
                prop_assert_eq!(r.points, Decimal::from(a));
            }
        } else {
            prop_assert!(r.amount.is_zero());
            prop_assert_eq!(&e.lines, &without.lines);
        }
        // "all" takes the most allowed: one more step would break a rule.
        if ask.is_none() && r.is_applied() {
            let more = r.points + Decimal::from(step);
            let pay_cap = without.totals.payable * Decimal::from(share) / Decimal::ONE_HUNDRED;
            let lines: Decimal = without.lines.iter().map(|l| l.net).sum();
            prop_assert!(more > Decimal::from(available) || more / Decimal::ONE_HUNDRED > pay_cap.min(lines));
        }
    }
}
