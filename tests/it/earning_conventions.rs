//! Earning as platforms define it: points per matching line, earning on
//! shipping, the two net bases, line multipliers and rule names in the
//! output, and `stop` on campaigns and line multipliers. Hand-worked
//! scenarios (each number worked out in a comment, with the platform's rule
//! cited), properties for the invariants, serde round trips and the typed
//! errors for settings that mean nothing on their base.
//!
//! The platforms' rules cited:
//!
//! - Odoo `sale_loyalty` (`sale.order._program_check_compute_points`), a
//!   `loyalty.rule`'s `reward_point_mode`: `order` gives
//!   `reward_point_amount` once per order; `unit` gives
//!   `reward_point_amount × ordered_rule_products_qty`; `money` gives
//!   `reward_point_amount × amount_paid`, where `amount_paid` sums the
//!   `price_total` of the order lines whose product is among the rule's
//!   products ("this accounts for discounts -> 1 point per $ * (100$ -
//!   30%) will result in 70 points": a promotion is a line of its own, which
//!   counts only when its product is among the rule's).
//! - Open Loyalty (`PointsEarningRuleAlgorithm`): a points rule earns
//!   `pointValue` per unit of value on each item; `excludeDeliveryCost`
//!   (true by default) chooses `getGrossValueWithoutDeliveryCosts()` over
//!   `getGrossValue()`, the delivery earning like any item when it is
//!   false. The evaluator stops at a rule marked `lastExecutedRule`, and the
//!   multiply-by-product rules that come after it in its list do not run.

use crate::util::accrual::{check_accrual, definition, definition_json, shop, total, try_shop};
use crate::util::cases;
use crate::util::common::{self, Basket, d};

use loyalty::evaluate::Checkout;
use loyalty::evaluation::{Evaluation, Reason, RuleKind};
use loyalty::order::Refund;
use loyalty::program::{Problem, Program, ProgramDefinition};
use loyalty::rules::earn::{Campaign, EarnBase, EarnRuleDefinition, LineMultiplier, NetOf};
use loyalty::wallet::ReturnOutcome;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// Evaluates, then checks the discount and the points/cashback invariants.
fn ev(program: &Program, basket: &Basket) -> Evaluation {
    let evaluation = common::eval(program, &basket.build());
    check_accrual(&evaluation);
    evaluation
}

/// A line's points, zero when it earned none.
fn line_points(e: &Evaluation, line: &str) -> Decimal {
    e.points
        .lines
        .iter()
        .find(|l| l.line.as_str() == line)
        .map_or(Decimal::ZERO, |l| l.points)
}

/// The problem and path of a program that must be refused.
fn refused(extra: Value) -> (String, Problem) {
    let error = try_shop(extra).expect_err("the program is refused");
    (error.path().to_owned(), error.problem().clone())
}

/// A mixed basket: 3 mugs at 10.00, 1 coffee at 8.00, 2 coffees at 12.00.
fn mixed() -> Basket {
    Basket::eur()
        .line_in("MUG", 3, "10.00", &["kitchen"])
        .line_in("BEANS", 1, "8.00", &["coffee"])
        .line_in("GROUND", 2, "12.00", &["coffee"])
}

// ---------------------------------------------------------------------------
// Points per matching line
// ---------------------------------------------------------------------------

#[test]
fn per_line_gives_its_points_once_per_line_whatever_the_quantity() {
    let program = shop(json!({"earning": [
        {"id": "lines", "base": "per_line", "points": "5"}
    ]}));
    let e = ev(&program, &mixed());
    // 3 lines × 5 = 15, though the basket holds 3 + 1 + 2 = 6 units (Odoo's
    // `unit` mode would give 5 × 6 = 30, its `order` mode 5 once).
    assert_eq!(e.points.total, d("15"));
    assert_eq!(e.points.rules[0].base, d("3"));
    for line in ["1", "2", "3"] {
        assert_eq!(line_points(&e, line), d("5"));
    }
    assert_eq!(e.points.order_level, Decimal::ZERO);
    let entry = e
        .trace
        .iter()
        .find(|t| t.rule.kind == RuleKind::Earn)
        .unwrap();
    assert_eq!(entry.to_string(), "applied: 15 points on lines 3");
}

#[test]
fn per_line_counts_only_the_selected_lines_and_not_free_ones() {
    let program = shop(json!({
        "earning": [{"id": "coffee-lines", "base": "per_line", "points": "7",
                     "lines": {"categories": ["coffee"]}}],
        "coupons": [{"id": "beans-free", "codes": ["FREEBEANS"],
                     "lines": {"skus": ["BEANS"]},
                     "reward": {"type": "percent_off", "percent": "100"}}]
    }));
    // Two coffee lines × 7 = 14; the mugs are not selected.
    let e = ev(&program, &mixed());
    assert_eq!(e.points.total, d("14"));
    assert_eq!(line_points(&e, "1"), Decimal::ZERO);
    // With the beans made free (8.00 − 100% = 0.00), that line has nothing
    // to pay and earns nothing: 1 line × 7 = 7.
    let free = ev(&program, &mixed().coupon("FREEBEANS"));
    assert_eq!(free.points.total, d("7"));
    assert_eq!(line_points(&free, "2"), Decimal::ZERO);
    assert_eq!(line_points(&free, "3"), d("7"));
    // Unless the rule earns on free lines: 2 × 7 = 14 again.
    let on_free = shop(json!({
        "earning": [{"id": "coffee-lines", "base": "per_line", "points": "7",
                     "lines": {"categories": ["coffee"]}, "earn_on_free_lines": true}],
        "coupons": [{"id": "beans-free", "codes": ["FREEBEANS"],
                     "lines": {"skus": ["BEANS"]},
                     "reward": {"type": "percent_off", "percent": "100"}}]
    }));
    assert_eq!(
        ev(&on_free, &mixed().coupon("FREEBEANS")).points.total,
        d("14")
    );
}

#[test]
fn per_line_takes_the_multipliers_line_by_line() {
    let program = shop(json!({
        "earning": [{"id": "lines", "base": "per_line", "points": "5"}],
        "multipliers": {"lines": [{"id": "coffee-2x", "lines": {"categories": ["coffee"]},
                                   "factor": "2"}]}
    }));
    // Mugs 5 × 1 + beans 5 × 2 + ground 5 × 2 = 25.
    let e = ev(&program, &mixed());
    assert_eq!(e.points.total, d("25"));
    assert_eq!(line_points(&e, "1"), d("5"));
    assert_eq!(line_points(&e, "2"), d("10"));
    assert_eq!(line_points(&e, "3"), d("10"));
}

#[test]
fn per_line_is_built_in_rust_too() {
    let rule = EarnRuleDefinition::new("lines", 5, 1).base(EarnBase::PerLine);
    let program = Program::new(
        ProgramDefinition::new("shop", loyalty::money::Currency::EUR).earning_rule(rule),
    )
    .unwrap();
    assert_eq!(ev(&program, &mixed()).points.total, d("15"));
}

// ---------------------------------------------------------------------------
// Earning on shipping
// ---------------------------------------------------------------------------

fn with_shipping(rule: Value) -> Program {
    shop(json!({
        "earning": [rule],
        "coupons": [{"id": "ship", "codes": ["SHIP"], "reward": {"type": "free_shipping"}}]
    }))
}

#[test]
fn shipping_earns_only_when_the_rule_includes_it() {
    let basket = Basket::eur().line("TEA", 1, "100.00").shipping("4.90");
    // Today's rule: shipping never earns, 100 points.
    let off = ev(
        &with_shipping(json!({"id": "base", "points": "1", "per": "1.00"})),
        &basket,
    );
    assert_eq!(off.points.total, d("100"));
    assert_eq!(off.points.shipping, Decimal::ZERO);
    // Open Loyalty with `excludeDeliveryCost: false`: 100.00 + 4.90 = 104.90,
    // floored to 104 points. Split 10 000 : 490 (minor units), largest
    // remainder: 104 × 10 000 / 10 490 = 99.14 and 104 × 490 / 10 490 =
    // 4.86; the floors 99 + 4 = 103 leave 1, which goes to shipping (0.86
    // lost more than 0.14): the line 99, shipping 5.
    let on = ev(
        &with_shipping(
            json!({"id": "base", "points": "1", "per": "1.00", "include_shipping": true}),
        ),
        &basket,
    );
    assert_eq!(on.points.total, d("104"));
    assert_eq!(on.points.rules[0].base, d("104.90"));
    assert_eq!(line_points(&on, "1"), d("99"));
    assert_eq!(on.points.shipping, d("5"));
    assert_eq!(on.points.order_level, Decimal::ZERO);
}

#[test]
fn shipping_counts_net_of_its_discounts_on_a_net_base_and_charged_on_a_gross_one() {
    let basket = Basket::eur()
        .line("TEA", 1, "100.00")
        .shipping("4.90")
        .coupon("SHIP");
    // Free shipping: 4.90 − 4.90 = 0.00 paid, so the net base is 100.00
    // and shipping earns nothing.
    let net = ev(
        &with_shipping(json!({"id": "base", "points": "1", "include_shipping": true})),
        &basket,
    );
    assert_eq!(net.totals.shipping_discount, d("4.90"));
    assert_eq!(net.points.total, d("100"));
    assert_eq!(net.points.shipping, Decimal::ZERO);
    // The gross base counts what was charged, before discounts: 104.90 at
    // 2 points per 1.00 = 209.80, floored to 209. Split 10 000 : 490:
    // 209 × 10 000 / 10 490 = 199.24 and 209 × 490 / 10 490 = 9.76; the
    // floors 199 + 9 = 208 leave 1 for shipping (0.76 beats 0.24): the
    // line 199, shipping 10.
    let gross = ev(
        &with_shipping(
            json!({"id": "base", "base": "gross", "points": "2", "include_shipping": true}),
        ),
        &basket,
    );
    assert_eq!(gross.points.total, d("209"));
    assert_eq!(line_points(&gross, "1"), d("199"));
    assert_eq!(gross.points.shipping, d("10"));
}

#[test]
fn shipping_takes_the_order_multiplier_but_no_line_multiplier() {
    let program = shop(json!({
        "earning": [{"id": "base", "points": "1", "include_shipping": true}],
        "multipliers": {
            "campaigns": [{"id": "bf", "when": {"seasonal_event": "black_friday"}, "factor": "2"}],
            "lines": [{"id": "tea-3x", "lines": {"skus": ["TEA"]}, "factor": "3"}]
        }
    }));
    // On Black Friday (the checkouts' day): the tea 10.00 × 2 × 3 = 60,
    // shipping 5.00 × 2 = 10: 70 points, exactly split.
    let e = ev(
        &program,
        &Basket::eur().line("TEA", 1, "10.00").shipping("5.00"),
    );
    assert_eq!(e.points.total, d("70"));
    assert_eq!(line_points(&e, "1"), d("60"));
    assert_eq!(e.points.shipping, d("10"));
    assert_eq!(e.points.rules[0].multiplier, d("2"));
}

fn returns(
    program: &Program,
    checkout: &Checkout,
    e: &Evaluation,
    refunds: &[Refund],
) -> Vec<ReturnOutcome> {
    let mut done: Vec<ReturnOutcome> = Vec::new();
    for r in refunds {
        let outcome = program
            .evaluate_return(checkout, e, &done, r)
            .expect("the return is worked out");
        done.push(outcome);
    }
    done
}

fn refund(id: &str, lines: &[(&str, u32)]) -> Refund {
    let mut refund = Refund::new(id, "A-1", "2026-12-05T10:00:00Z".parse().unwrap()).unwrap();
    for (line, quantity) in lines {
        refund = refund.line(*line, *quantity).unwrap();
    }
    refund
}

#[test]
fn shipping_points_go_back_with_the_shipping_refund() {
    let rule = json!({"id": "base", "points": "1", "include_shipping": true});
    let basket = Basket::eur()
        .line("TEA", 2, "50.00")
        .line("MUG", 1, "20.00")
        .shipping("6.00");
    // 100.00 + 20.00 + 6.00 = 126 points: tea 100, mug 20, shipping 6.
    let refunds = [
        refund("R-1", &[("1", 1)]),
        refund("R-2", &[("1", 1), ("2", 1)]),
    ];
    let refunded = shop(json!({"earning": [rule]}));
    let checkout = basket.build();
    let e = common::eval(&refunded, &checkout);
    assert_eq!(e.points.total, d("126"));
    assert_eq!(e.points.shipping, d("6"));
    let done = returns(&refunded, &checkout, &e, &refunds);
    // One tea back: half of the tea's 100 = 50; nothing of shipping yet.
    assert_eq!(done[0].points_to_reverse, d("50"));
    assert_eq!(done[0].shipping_points, Decimal::ZERO);
    // The rest: 50 + 20 + the shipping's 6 = 76, with the 6.00 shipping.
    assert!(done[1].full);
    assert_eq!(done[1].shipping, d("6.00"));
    assert_eq!(done[1].shipping_points, d("6"));
    assert_eq!(done[1].points_to_reverse, d("76"));
    assert_eq!(
        total(done.iter().map(|r| r.points_to_reverse)),
        e.points.total
    );
    // A shop that keeps shipping keeps its points too: 50 + 20 = 70 only.
    let kept = shop(json!({"earning": [rule], "returns": {"shipping": "never"}}));
    let e = common::eval(&kept, &checkout);
    let done = returns(&kept, &checkout, &e, &refunds);
    assert_eq!(done[1].shipping, d("0.00"));
    assert_eq!(done[1].shipping_points, Decimal::ZERO);
    assert_eq!(done[1].points_to_reverse, d("70"));
    assert_eq!(
        total(done.iter().map(|r| r.points_to_reverse)),
        e.points.total - e.points.shipping
    );
}

// ---------------------------------------------------------------------------
// Net bases
// ---------------------------------------------------------------------------

/// 1 point per 1.00 on coffee, deducting `net_of`; a coupon of 20% off the
/// coffee and one of 10% off the whole order (compound, the default).
fn coffee_and_order_coupons(net_of: &str) -> Program {
    shop(json!({
        "earning": [{"id": "coffee", "points": "1", "lines": {"categories": ["coffee"]},
                     "net_of": net_of}],
        "coupons": [
            {"id": "coffee20", "codes": ["COFFEE20"], "lines": {"categories": ["coffee"]},
             "reward": {"type": "percent_off", "percent": "20"}},
            {"id": "ten", "codes": ["TEN"], "reward": {"type": "percent_off", "percent": "10"}}
        ]
    }))
}

#[test]
fn the_net_base_deducts_every_discount_by_default_or_only_targeted_ones() {
    let basket = Basket::eur()
        .line_in("BEANS", 1, "50.00", &["coffee"])
        .line_in("TEA", 1, "50.00", &["tea"])
        .coupon("COFFEE20")
        .coupon("TEN");
    // The coffee: 20% of 50.00 = 10.00 → 40.00. Then 10% of what is left,
    // 40.00 + 50.00 = 90.00 → 9.00, spread 40 : 50 → 4.00 on the coffee,
    // 5.00 on the tea. Discounts 19.00 in all.
    let all = ev(&coffee_and_order_coupons("all_discounts"), &basket);
    assert_eq!(all.totals.discount, d("19.00"));
    // Today's net: 50.00 − 10.00 − 4.00 = 36.00 → 36 points.
    assert_eq!(all.points.total, d("36"));
    assert_eq!(all.points.rules[0].base, d("36.00"));
    // Only targeted discounts (Odoo's `money` mode on a rule restricted to
    // some products: the order-wide promotion is a line of another product):
    // 50.00 − 10.00 = 40.00 → 40 points; the 4.00 share of the order's 10%
    // is not deducted.
    let targeted = ev(&coffee_and_order_coupons("targeted_discounts"), &basket);
    assert_eq!(targeted.totals, all.totals);
    assert_eq!(targeted.points.total, d("40"));
    assert_eq!(targeted.points.rules[0].base, d("40.00"));
    assert_eq!(line_points(&targeted, "1"), d("40"));
    // The default is today's: leaving net_of out gives 36.
    let default = shop(json!({
        "earning": [{"id": "coffee", "points": "1", "lines": {"categories": ["coffee"]}}],
        "coupons": [
            {"id": "coffee20", "codes": ["COFFEE20"], "lines": {"categories": ["coffee"]},
             "reward": {"type": "percent_off", "percent": "20"}},
            {"id": "ten", "codes": ["TEN"], "reward": {"type": "percent_off", "percent": "10"}}
        ]
    }));
    assert_eq!(ev(&default, &basket).points, all.points);
}

#[test]
fn targeted_discounts_are_line_level_rewards_and_selected_promotions() {
    let program = |net_of: &str| {
        shop(json!({
            "earning": [{"id": "base", "points": "1", "net_of": net_of}],
            "ladders": [{"id": "spend", "steps": [{"from": "50.00", "percent": "10"}]}],
            "coupons": [
                {"id": "unit-off", "codes": ["UNIT"], "lines": {"skus": ["MUG"]},
                 "reward": {"type": "amount_off_each_unit", "amount": "1.00"}}
            ]
        }))
    };
    let basket = Basket::eur()
        .line("MUG", 3, "10.00")
        .line("TEA", 1, "30.00")
        .coupon("UNIT");
    // Line-level first: 1.00 off each of 3 mugs = 3.00 → 27.00. Then the
    // ladder on 27.00 + 30.00 = 57.00 ≥ 50.00: 10% = 5.70, spread 27 : 30
    // → 2.70 on the mugs, 3.00 on the tea.
    let all = ev(&program("all_discounts"), &basket);
    assert_eq!(all.totals.discount, d("8.70"));
    // Every discount: 60.00 − 8.70 = 51.30 → 51 points.
    assert_eq!(all.points.total, d("51"));
    // Targeted: the amount off each unit counts, the ladder (no line
    // selector) does not: 60.00 − 3.00 = 57.00 → 57 points, 27 on the mugs
    // and 30 on the tea.
    let targeted = ev(&program("targeted_discounts"), &basket);
    assert_eq!(targeted.points.total, d("57"));
    assert_eq!(line_points(&targeted, "1"), d("27"));
    assert_eq!(line_points(&targeted, "2"), d("30"));
}

#[test]
fn targeted_discounts_still_deduct_payments_with_points() {
    let program = shop(json!({
        "earning": [{"id": "base", "points": "1", "net_of": "targeted_discounts"}],
        "ladders": [{"id": "spend", "steps": [{"from": "50.00", "percent": "10"}]}],
        "redemption": {"points": {"rate": {"points": 100, "value": "1.00"}}}
    }));
    // 100.00 − 10% ladder = 90.00, then 500 points pay 5.00 → 85.00 to pay.
    // The ladder is not deducted, the payment is (as for any net base):
    // 100.00 − 5.00 = 95.00 → 95 points.
    let e = ev(
        &program,
        &Basket::eur()
            .line("TEA", 1, "100.00")
            .redeem(json!({"points": 500}), json!({"points": 1000})),
    );
    assert_eq!(e.totals.payable, d("85.00"));
    assert_eq!(e.points.total, d("95"));
}

// ---------------------------------------------------------------------------
// Line multipliers and names in the output
// ---------------------------------------------------------------------------

fn multiplied(stop: bool) -> Program {
    shop(json!({
        "earning": [{"id": "base", "name": "Base points", "points": "1"}],
        "multipliers": {"lines": [
            {"id": "coffee-2x", "lines": {"categories": ["coffee"]}, "factor": "2", "stop": stop},
            {"id": "all-1.5x", "lines": {}, "factor": "1.5"}
        ]}
    }))
}

#[test]
fn the_output_names_the_rule_and_the_line_multipliers_with_their_lines() {
    let basket = Basket::eur()
        .line_in("BEANS", 1, "50.00", &["coffee"])
        .line_in("TEA", 1, "50.00", &["tea"]);
    let e = ev(&multiplied(false), &basket);
    // Coffee 50 × 2 × 1.5 = 150, tea 50 × 1.5 = 75: 225.
    assert_eq!(e.points.total, d("225"));
    assert_eq!(e.points.rules[0].name.as_deref(), Some("Base points"));
    let shown: Vec<(&str, Decimal, Vec<&str>)> = e
        .points
        .line_multipliers
        .iter()
        .map(|m| {
            (
                m.id.as_str(),
                m.factor,
                m.lines.iter().map(|l| l.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            ("coffee-2x", d("2"), vec!["1"]),
            ("all-1.5x", d("1.5"), vec!["1", "2"]),
        ]
    );
    // Without a name, none is shown; without matching lines, no multiplier.
    let plain = shop(json!({
        "earning": [{"id": "base", "points": "1"}],
        "multipliers": {"lines": [{"id": "coffee-2x", "lines": {"categories": ["coffee"]},
                                   "factor": "2"}]}
    }));
    let e = ev(&plain, &Basket::eur().line("TEA", 1, "50.00"));
    assert_eq!(e.points.rules[0].name, None);
    assert!(e.points.line_multipliers.is_empty());
    let json = serde_json::to_value(&e.points).unwrap();
    assert!(json.get("line_multipliers").is_none() && json.get("shipping").is_none());
    assert!(json["rules"][0].get("name").is_none());
}

#[test]
fn a_line_multiplier_with_stop_ends_the_ones_after_it_on_its_lines() {
    let basket = Basket::eur()
        .line_in("BEANS", 1, "50.00", &["coffee"])
        .line_in("TEA", 1, "50.00", &["tea"]);
    // Like Open Loyalty's `lastExecutedRule` before its multiply rules: the
    // coffee takes 2× and stops, so 50 × 2 = 100; the tea still takes
    // 1.5×: 75. 175 in all.
    let e = ev(&multiplied(true), &basket);
    assert_eq!(e.points.total, d("175"));
    assert_eq!(line_points(&e, "1"), d("100"));
    assert_eq!(line_points(&e, "2"), d("75"));
    let lines: Vec<Vec<&str>> = e
        .points
        .line_multipliers
        .iter()
        .map(|m| m.lines.iter().map(|l| l.as_str()).collect())
        .collect();
    assert_eq!(lines, vec![vec!["1"], vec!["2"]]);
}

#[test]
fn a_campaign_with_stop_ends_the_campaigns_after_it() {
    let program = |stop: bool, first: Value| {
        shop(json!({
            "earning": [{"id": "base", "points": "1"}],
            "multipliers": {"campaigns": [
                {"id": "bf-3x", "when": first, "factor": "3", "stop": stop},
                {"id": "always-2x", "when": {"subtotal_at_least": "0"}, "factor": "2"}
            ]}
        }))
    };
    let basket = Basket::eur().line("TEA", 1, "10.00");
    let black_friday = json!({"seasonal_event": "black_friday"});
    // Both run: 10 × 3 × 2 = 60.
    assert_eq!(
        ev(&program(false, black_friday.clone()), &basket)
            .points
            .total,
        d("60")
    );
    // Black Friday runs and stops: 10 × 3 = 30; the second is not applied.
    let e = ev(&program(true, black_friday), &basket);
    assert_eq!(e.points.total, d("30"));
    assert_eq!(e.points.rules[0].multiplier, d("3"));
    let stopped = e
        .trace
        .iter()
        .find(|t| t.rule.kind == RuleKind::Campaign && t.rule.id == "always-2x")
        .unwrap();
    assert!(!stopped.applied);
    assert!(
        matches!(&stopped.reason, Reason::CampaignStoppedBy { campaign } if campaign == "bf-3x")
    );
    assert_eq!(
        stopped.to_string(),
        "not applied: campaign bf-3x runs and stops the campaigns after it"
    );
    // A stopping campaign that does not run stops nothing: 10 × 2 = 20.
    let christmas = json!({"seasonal_event": "christmas"});
    assert_eq!(ev(&program(true, christmas), &basket).points.total, d("20"));
}

#[test]
fn the_rule_stop_keeps_its_meaning() {
    // `"stop": true` on a rule ends the rules after it, and only them: the
    // line multiplier still applies to its points. Coffee 10 × 2 (2×) = 20;
    // the base rule after it is skipped.
    let program = shop(json!({
        "earning": [
            {"id": "coffee", "points": "2", "lines": {"categories": ["coffee"]}, "stop": true},
            {"id": "base", "points": "1"}
        ],
        "multipliers": {"lines": [{"id": "coffee-2x", "lines": {"categories": ["coffee"]},
                                   "factor": "2"}]}
    }));
    let e = ev(
        &program,
        &Basket::eur().line_in("BEANS", 1, "5.00", &["coffee"]),
    );
    assert_eq!(e.points.total, d("20"));
    assert_eq!(e.points.rules.len(), 1);
}

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

#[test]
fn settings_that_mean_nothing_on_their_base_are_refused_naming_the_path() {
    for base in ["per_unit", "per_line", "per_order"] {
        let (path, problem) = refused(json!({"earning": [
            {"id": "base", "points": "1"},
            {"id": "r", "base": base, "points": "5", "include_shipping": true}
        ]}));
        assert_eq!(path, "earning[1].include_shipping");
        assert_eq!(problem, Problem::ShippingWithoutAmount);
    }
    for base in ["gross", "per_unit", "per_line", "per_order"] {
        let (path, problem) = refused(json!({"earning": [
            {"id": "r", "base": base, "points": "5", "net_of": "targeted_discounts"}
        ]}));
        assert_eq!(path, "earning[0].net_of");
        assert_eq!(problem, Problem::NetOfWithoutNet);
    }
    // `per` is for amounts only.
    let (path, problem) = refused(json!({"earning": [
        {"id": "r", "base": "per_line", "points": "5", "per": "2.00"}
    ]}));
    assert_eq!(path, "earning[0].per");
    assert_eq!(problem, Problem::PerWithoutAmount);
    // The messages say what to fix.
    let error = try_shop(json!({"earning": [
        {"id": "r", "base": "per_unit", "points": "5", "include_shipping": true}
    ]}))
    .unwrap_err();
    assert!(error.to_string().contains("earning[0].include_shipping"));
    assert!(error.to_string().contains("remove it, or use base \"net\""));
    // A gross base may take include_shipping; all_discounts is accepted on
    // any base (it is the default).
    assert!(
        try_shop(json!({"earning": [
            {"id": "r", "base": "gross", "points": "1", "include_shipping": true},
            {"id": "s", "base": "per_unit", "points": "1", "net_of": "all_discounts"}
        ]}))
        .is_ok()
    );
}

#[test]
fn malformed_settings_are_refused_by_deserialisation() {
    for bad in [
        json!({"earning": [{"id": "r", "points": "1", "include_shipping": "yes"}]}),
        json!({"earning": [{"id": "r", "points": "1", "net_of": "some_discounts"}]}),
        json!({"earning": [{"id": "r", "base": "per_lines", "points": "1"}]}),
        json!({"earning": [{"id": "r", "points": "1", "stop": "rules_and_multipliers"}]}),
        json!({"multipliers": {"lines": [{"id": "m", "lines": {}, "factor": "2", "stop": 1}]}}),
        json!({"multipliers": {"campaigns": [{"id": "c", "when": {"subtotal_at_least": "0"},
                                              "factor": "2", "halt": true}]}}),
    ] {
        assert!(
            serde_json::from_value::<ProgramDefinition>(definition_json(bad.clone())).is_err(),
            "{bad}"
        );
    }
}

// ---------------------------------------------------------------------------
// Serde round trips
// ---------------------------------------------------------------------------

#[test]
fn the_new_settings_round_trip_and_defaults_stay_out_of_the_json() {
    let def = definition(json!({
        "earning": [
            {"id": "lines", "base": "per_line", "points": "5", "earn_on_free_lines": true},
            {"id": "ship", "points": "1", "include_shipping": true, "net_of": "targeted_discounts"}
        ],
        "multipliers": {
            "lines": [{"id": "m", "lines": {"skus": ["TEA"]}, "factor": "2", "stop": true}],
            "campaigns": [{"id": "c", "when": {"subtotal_at_least": "0"}, "factor": "2",
                           "stop": true}]
        }
    }));
    let json = serde_json::to_value(&def).unwrap();
    assert_eq!(json["earning"][0]["base"], "per_line");
    assert_eq!(json["earning"][1]["include_shipping"], true);
    assert_eq!(json["earning"][1]["net_of"], "targeted_discounts");
    assert_eq!(json["multipliers"]["lines"][0]["stop"], true);
    assert_eq!(json["multipliers"]["campaigns"][0]["stop"], true);
    let back: ProgramDefinition = serde_json::from_value(json).unwrap();
    assert_eq!(back, def);
    let toml = toml::to_string(&def).unwrap();
    assert_eq!(toml::from_str::<ProgramDefinition>(&toml).unwrap(), def);
    // The defaults are not written.
    let plain = serde_json::to_value(definition(json!({
        "earning": [{"id": "base", "points": "1"}],
        "multipliers": {"lines": [{"id": "m", "lines": {}, "factor": "2"}]}
    })))
    .unwrap();
    for key in ["include_shipping", "net_of"] {
        assert!(plain["earning"][0].get(key).is_none(), "{key}");
    }
    assert!(plain["multipliers"]["lines"][0].get("stop").is_none());
    // The Rust builders give the same definitions.
    let built = EarnRuleDefinition::new("ship", 1, 1)
        .include_shipping()
        .net_of(NetOf::TargetedDiscounts);
    assert!(built.include_shipping && built.net_of == NetOf::TargetedDiscounts);
    let m = LineMultiplier::new("m", loyalty::condition::LineSelector::all(), 2).stop();
    assert_eq!(serde_json::to_value(&m).unwrap()["stop"], true);
    let c = Campaign::new(
        "c",
        serde_json::from_value(json!({"subtotal_at_least": "0"})).unwrap(),
        2,
    )
    .name("Always")
    .stop();
    assert_eq!(
        serde_json::from_value::<Campaign>(serde_json::to_value(&c).unwrap()).unwrap(),
        c
    );
}

#[test]
fn evaluations_with_the_new_outputs_round_trip() {
    let program = shop(json!({
        "earning": [{"id": "base", "name": "Base", "points": "1", "include_shipping": true}],
        "multipliers": {"lines": [{"id": "m", "lines": {"skus": ["TEA"]}, "factor": "2"}]}
    }));
    let e = ev(
        &program,
        &Basket::eur().line("TEA", 1, "10.00").shipping("3.00"),
    );
    // Tea 10 × 2 = 20, shipping 3: 23.
    assert_eq!(e.points.total, d("23"));
    assert_eq!(e.points.shipping, d("3"));
    let back: Evaluation = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
    assert_eq!(back, e);
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/// Lines of (sku, coffee?, quantity, price in cents).
fn lines_strategy() -> impl Strategy<Value = Vec<(bool, u64, u32)>> {
    prop::collection::vec((any::<bool>(), 1u64..6, 1u32..20_000), 1..8)
}

fn basket_of(lines: &[(bool, u64, u32)], shipping: u32) -> Basket {
    let mut basket = Basket::eur();
    for (i, &(coffee, quantity, cents)) in lines.iter().enumerate() {
        let price = format!("{}.{:02}", cents / 100, cents % 100);
        let category = if coffee { "coffee" } else { "tea" };
        basket = basket.line_in(&format!("SKU{i}"), quantity, &price, &[category]);
    }
    if shipping > 0 {
        basket = basket.shipping(&format!("{}.{:02}", shipping / 100, shipping % 100));
    }
    basket
}

/// A program with discounts of every kind, a line multiplier and the given
/// earning rules.
fn rich(earning: Value) -> Program {
    shop(json!({
        "earning": earning,
        "ladders": [{"id": "spend", "steps": [{"from": "50.00", "percent": "5"},
                                              {"from": "150.00", "percent": "10"}]}],
        "coupons": [
            {"id": "coffee20", "codes": ["COFFEE20"], "lines": {"categories": ["coffee"]},
             "reward": {"type": "percent_off", "percent": "20"}},
            {"id": "ship", "codes": ["SHIP"], "reward": {"type": "free_shipping"}}
        ],
        "multipliers": {"lines": [{"id": "coffee-1.5x", "lines": {"categories": ["coffee"]},
                                   "factor": "1.5"}]}
    }))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    #[test]
    fn per_line_points_are_n_times_the_matching_lines(
        lines in lines_strategy(),
        n in 1u32..50,
    ) {
        let program = shop(json!({"earning": [
            {"id": "coffee-lines", "base": "per_line", "points": n.to_string(),
             "lines": {"categories": ["coffee"]}}
        ]}));
        let e = ev(&program, &basket_of(&lines, 0));
        let matching = lines.iter().filter(|l| l.0).count();
        prop_assert_eq!(e.points.total, Decimal::from(n) * Decimal::from(matching as u64));
        for (i, l) in lines.iter().enumerate() {
            let expected = if l.0 { Decimal::from(n) } else { Decimal::ZERO };
            prop_assert_eq!(line_points(&e, &(i + 1).to_string()), expected);
        }
    }

    #[test]
    fn shipping_earning_off_is_todays_result(
        lines in lines_strategy(),
        shipping in 0u32..3_000,
        free in any::<bool>(),
    ) {
        let today = rich(json!([{"id": "base", "points": "1"},
                                {"id": "lines", "base": "per_line", "points": "2"}]));
        let explicit = rich(json!([{"id": "base", "points": "1", "include_shipping": false},
                                   {"id": "lines", "base": "per_line", "points": "2"}]));
        let including = rich(json!([{"id": "base", "points": "1", "include_shipping": true},
                                    {"id": "lines", "base": "per_line", "points": "2"}]));
        let mut basket = basket_of(&lines, shipping).coupon("COFFEE20");
        if free {
            basket = basket.coupon("SHIP");
        }
        let base = ev(&today, &basket);
        // Off, said or not: the same evaluation; and shipping never earns.
        prop_assert_eq!(&ev(&explicit, &basket).points, &base.points);
        prop_assert_eq!(base.points.shipping, Decimal::ZERO);
        prop_assert_eq!(ev(&today, &basket_of(&lines, 0).coupon("COFFEE20")).points.total,
                        base.points.total);
        // On: never fewer points, and the same when no shipping is paid.
        let on = ev(&including, &basket);
        prop_assert!(on.points.total >= base.points.total);
        let paid = on.totals.shipping - on.totals.shipping_discount;
        if paid.is_zero() {
            prop_assert_eq!(&on.points, &base.points);
        } else {
            prop_assert!(on.points.shipping <= paid.floor() + Decimal::ONE);
        }
    }

    #[test]
    fn a_higher_spend_never_earns_fewer_points_with_the_new_bases(
        lines in lines_strategy(),
        shipping in 0u32..3_000,
        raise in 0u32..5_000,
        more_shipping in 0u32..1_000,
        which in any::<prop::sample::Index>(),
    ) {
        let program = rich(json!([
            {"id": "lines", "base": "per_line", "points": "3"},
            {"id": "targeted", "points": "1", "net_of": "targeted_discounts",
             "include_shipping": true},
            {"id": "gross-ship", "base": "gross", "points": "1", "per": "10.00",
             "include_shipping": true}
        ]));
        let before = ev(&program, &basket_of(&lines, shipping).coupon("COFFEE20"));
        let mut higher = lines.clone();
        let i = which.index(higher.len());
        higher[i].2 += raise;
        let after = ev(
            &program,
            &basket_of(&higher, shipping + more_shipping).coupon("COFFEE20"),
        );
        for (b, a) in before.points.rules.iter().zip(&after.points.rules) {
            prop_assert_eq!(&b.rule, &a.rule);
            prop_assert!(a.points >= b.points, "{} earned {} then {}", b.rule.id, b.points, a.points);
        }
        prop_assert!(after.points.rules.len() >= before.points.rules.len());
        prop_assert!(after.points.total >= before.points.total);
    }

    #[test]
    fn the_attribution_sums_to_the_total_and_a_full_return_takes_it_back(
        lines in lines_strategy(),
        shipping in 0u32..3_000,
        rate in 1u32..7,
        free in any::<bool>(),
        keep_shipping in any::<bool>(),
    ) {
        let mut def = definition_json(json!({
            "earning": [
                {"id": "targeted", "points": rate.to_string(), "per": "3.00",
                 "net_of": "targeted_discounts", "include_shipping": true,
                 "rounding": {"decimals": 2}},
                {"id": "lines", "base": "per_line", "points": "1"}
            ],
            "ladders": [{"id": "spend", "steps": [{"from": "50.00", "percent": "5"}]}],
            "coupons": [{"id": "ship", "codes": ["SHIP"], "reward": {"type": "free_shipping"}}],
            "multipliers": {"lines": [{"id": "coffee-1.5x", "lines": {"categories": ["coffee"]},
                                       "factor": "1.5"}]}
        }));
        if keep_shipping {
            def["returns"] = json!({"shipping": "never"});
        }
        let program = Program::new(serde_json::from_value(def).unwrap()).unwrap();
        let mut basket = basket_of(&lines, shipping);
        if free {
            basket = basket.coupon("SHIP");
        }
        let checkout = basket.build();
        let e = common::eval(&program, &checkout);
        check_accrual(&e);
        prop_assert_eq!(
            total(e.points.lines.iter().map(|l| l.points)) + e.points.shipping,
            e.points.total - e.points.order_level
        );
        // Every unit back, one line per refund.
        let refunds: Vec<Refund> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| refund(&format!("R-{i}"), &[(&(i + 1).to_string(), l.1 as u32)]))
            .collect();
        let done = returns(&program, &checkout, &e, &refunds);
        let kept = if keep_shipping { e.points.shipping } else { Decimal::ZERO };
        prop_assert_eq!(
            total(done.iter().map(|r| r.points_to_reverse)),
            e.points.total - kept
        );
    }
}
