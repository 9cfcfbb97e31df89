//! The evaluation as data and as text: the structured trace and its
//! sentences, what a checkout without customer stats or with a tier the
//! program does not list is told, the receipt, the serialised forms.

use crate::util::common::{Basket, d, eur_program, eval};
use loyalty::evaluation::{
    BonusMiss, DiscountDetail, Reason, RuleKind, Stage, StepGiven, TraceEntry,
};
use loyalty::rules::coupon::Rejection;
use loyalty::{Decimal, Program};
use serde_json::json;

fn entry<'e>(trace: &'e [TraceEntry], kind: RuleKind, id: &str) -> &'e TraceEntry {
    trace
        .iter()
        .find(|t| t.rule.kind == kind && t.rule.id == id)
        .unwrap_or_else(|| panic!("a trace entry for {id}"))
}

/// A customer JSON without stats: the history is unknown.
fn no_stats() -> serde_json::Value {
    json!({"id": "C-1"})
}

#[test]
fn without_stats_a_first_order_coupon_says_the_order_number_is_unknown() {
    let program = eur_program(json!({"coupons": [
        {"id": "first", "codes": ["FIRST"], "first_order_only": true,
         "reward": {"type": "amount_off", "amount": "5.00"}},
        {"id": "fifth", "codes": ["FIFTH"], "order_number": 5,
         "reward": {"type": "amount_off", "amount": "5.00"}},
        {"id": "any", "codes": ["ANY"], "reward": {"type": "amount_off", "amount": "1.00"}}
    ]}));
    let basket = Basket::eur()
        .line("TEA", 1, "100.00")
        .coupon("FIRST")
        .coupon("FIFTH")
        .coupon("ANY")
        .customer(no_stats());
    let e = eval(&program, &basket.build());
    for code in ["FIRST", "FIFTH"] {
        let verdict = e.coupon(code).unwrap();
        assert_eq!(verdict.rejection, Some(Rejection::OrderNumberUnknown));
        assert_eq!(
            verdict.message(),
            "this code depends on the order number, which is unknown: the checkout has no customer stats"
        );
    }
    // A coupon that does not depend on the history still applies: 1.00 off.
    assert!(e.coupon("ANY").unwrap().is_accepted());
    assert_eq!(e.totals.discount, d("1.00"));
    // With stats saying no previous order, it is the first order: 5.00 + 1.00.
    let known = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "100.00")
            .coupon("FIRST")
            .coupon("ANY")
            .build(),
    );
    assert!(known.coupon("FIRST").unwrap().is_accepted());
    assert_eq!(known.totals.discount, d("6.00"));
}

#[test]
fn without_stats_order_number_bonuses_and_conditions_do_not_apply() {
    let program = eur_program(json!({
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "bonuses": [{"id": "welcome", "when": "first_order", "points": "100"}],
        "ladders": [{"id": "new", "condition": "first_order",
                     "steps": [{"from": "10.00", "percent": "10"}]}]
    }));
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "50.00")
            .customer(no_stats())
            .build(),
    );
    // No ladder discount, no bonus: 50 points on 50.00.
    assert_eq!(e.totals.discount, d("0.00"));
    assert_eq!(e.points.total, d("50"));
    let bonus = entry(&e.trace, RuleKind::Bonus, "welcome");
    assert_eq!(
        bonus.reason,
        Reason::BonusNotTriggered {
            miss: BonusMiss::OrderNumberUnknown
        }
    );
    assert_eq!(
        bonus.message(),
        "not applied: the order number is unknown: the checkout has no customer stats"
    );
    let ladder = entry(&e.trace, RuleKind::Ladder, "new");
    assert_eq!(ladder.reason, Reason::ConditionNotMet);
    assert_eq!(
        ladder.message(),
        "not applied: condition not met: the order number is unknown: the checkout has no customer stats"
    );
    // The same customer with empty stats: 10% of 50.00 = 5.00 off, then
    // 45 points + 100 welcome = 145.
    let known = eval(&program, &Basket::eur().line("TEA", 1, "50.00").build());
    assert_eq!(known.totals.discount, d("5.00"));
    assert_eq!(known.points.total, d("145"));
}

#[test]
fn a_tier_the_program_does_not_list_is_said_in_the_trace() {
    let program = eur_program(json!({
        "tiers": [{"id": "silver"}, {"id": "gold"}],
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "multipliers": {"tiers": [{"tier": "gold", "factor": "2"}]}
    }));
    let basket = Basket::eur()
        .line("TEA", 1, "10.00")
        .customer(json!({"id": "C-1", "tier": "Gold", "stats": {}}));
    let e = eval(&program, &basket.build());
    // "Gold" is not "gold": no multiplier, 10 points, and the trace says why.
    assert_eq!(e.points.total, d("10"));
    let tier = entry(&e.trace, RuleKind::Tier, "Gold");
    assert_eq!(tier.stage, Stage::Facts);
    assert!(!tier.applied);
    assert_eq!(
        tier.message(),
        "not applied: the customer's tier \"Gold\" is not one of the program's tiers, so no tier rule applies (tier ids match exactly, case included)"
    );
    // A listed tier gets no such entry.
    let gold = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "10.00")
            .customer(json!({"id": "C-1", "tier": "gold", "stats": {}}))
            .build(),
    );
    assert_eq!(gold.points.total, d("20"));
    assert!(gold.trace.iter().all(|t| t.rule.kind != RuleKind::Tier));
}

#[test]
fn the_trace_is_data_and_its_sentences_are_written_on_demand() {
    let program = eur_program(json!({"ladders": [{"id": "spend-more", "steps": [
        {"from": "100.00", "percent": "5"},
        {"from": "200.00", "percent": "10"},
        {"from": "300.00", "percent": "15"}]}]}));
    let e = eval(&program, &Basket::eur().line("TEA", 1, "250.00").build());
    let applied = entry(&e.trace, RuleKind::Ladder, "spend-more");
    assert_eq!(applied.stage, Stage::Discounts);
    let Reason::Discounted { amount, detail, .. } = &applied.reason else {
        panic!("a discount: {:?}", applied.reason);
    };
    assert_eq!(amount.to_string(), "25.00 EUR");
    assert_eq!(
        detail,
        &DiscountDetail::Ladder {
            step: 1,
            bracket: false,
            given: StepGiven::Percent(d("10")),
            from: d("200.00"),
            basis: loyalty::rules::ladder::LadderBasis::Subtotal,
            measured: d("250.00"),
            next: e.ladders[0].next,
        }
    );
    assert_eq!(detail.step_number(), Some(2));
    assert_eq!(e.ladders[0].step_number(), Some(2));
    assert_eq!(e.ladders[0].next.unwrap().step_number(), 3);
    assert_eq!(
        applied.to_string(),
        "applied: 25.00 EUR off the items: step 2 reached (10% from 200.00) on subtotal 250.00; 50.00 more reaches step 3"
    );
    assert_eq!(
        e.discounts[0].description(),
        "step 2 reached (10% from 200.00) on subtotal 250.00; 50.00 more reaches step 3"
    );

    // Serialised, the sentence stands beside the data, and is ignored when
    // read back.
    let value = serde_json::to_value(&e).unwrap();
    assert_eq!(
        value["trace"][0]["message"],
        "applied: 25.00 EUR off the items: step 2 reached (10% from 200.00) on subtotal 250.00; 50.00 more reaches step 3"
    );
    assert_eq!(value["trace"][0]["stage"], "discounts");
    assert_eq!(value["trace"][0]["reason"]["kind"], "discounted");
    assert_eq!(
        value["discounts"][0]["description"],
        "step 2 reached (10% from 200.00) on subtotal 250.00; 50.00 more reaches step 3"
    );
    let mut edited = value.clone();
    edited["trace"][0]["message"] = json!("anything");
    let back: loyalty::evaluation::Evaluation = serde_json::from_value(edited).unwrap();
    assert_eq!(back, e);
}

#[test]
fn a_coupon_verdict_serialises_its_message() {
    let program = eur_program(json!({"coupons": [{"id": "big", "codes": ["BIG"],
        "min_subtotal": "50.00", "reward": {"type": "amount_off", "amount": "5.00"}}]}));
    let e = eval(
        &program,
        &Basket::eur().line("TEA", 1, "37.50").coupon("big").build(),
    );
    let value = serde_json::to_value(&e.coupons[0]).unwrap();
    assert_eq!(
        value,
        json!({"code": "big", "coupon": "big",
               "rejection": {"reason": "minimum_not_met", "minimum": "50.00",
                             "subtotal": "37.50", "missing": "12.50"},
               "message": "the minimum for this code is 50.00: add 12.50 more of eligible items"})
    );
}

#[test]
fn an_evaluation_prints_as_a_receipt() {
    let program = eur_program(json!({
        "ladders": [{"id": "spend-more", "steps": [{"from": "100.00", "percent": "10"}]}],
        "coupons": [{"id": "ship", "codes": ["SHIP"], "reward": {"type": "free_shipping"}}],
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "cashback": [{"id": "cb", "percent": "2"}]
    }));
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 2, "40.00")
            .line("MUG", 1, "30.00")
            .shipping("4.90")
            .coupon("SHIP")
            .coupon("NOPE")
            .build(),
    );
    // 10% of 110.00 = 11.00, split 80:30 → 8.00 and 3.00; shipping free;
    // 99 points on 99.00; 2% of 99.00 = 1.98 cashback.
    assert_eq!(
        e.to_string(),
        "\
order A-1 · customer C-1 · program seeds · 2026-11-27 10:00 UTC
line 1  TEA                            80.00
  ladder spend-more                    -8.00
  net                                  72.00
line 2  MUG                            30.00
  ladder spend-more                    -3.00
  net                                  27.00
subtotal                              110.00
discount                              -11.00
shipping                                4.90
  coupon ship                          -4.90
payable                            99.00 EUR
points earned 99, available 2026-11-27
cashback earned 1.98 EUR, available 2026-11-27
code SHIP: applied
code NOPE: this code does not exist
"
    );
}

#[test]
fn the_customer_id_is_given_once_by_the_order() {
    use loyalty::customer::{Customer, CustomerError};
    use loyalty::evaluate::{Checkout, EvaluationError};
    let order = json!({"id": "A-1", "customer": "C-1", "placed_at": "2026-11-27T10:00:00Z",
                       "currency": "EUR",
                       "lines": [{"id": "1", "sku": "TEA", "quantity": 1, "unit_price": "10.00 EUR"}]});
    let at = "2026-11-27T10:00:00Z";
    // No customer at all: the order's, with nothing more known.
    let guest: Checkout = serde_json::from_value(json!({"order": order, "at": at})).unwrap();
    assert_eq!(guest.customer.id().as_str(), "C-1");
    assert_eq!(guest.customer.stats(), None);
    // A customer without its id takes the order's.
    let gold: Checkout = serde_json::from_value(
        json!({"order": order, "customer": {"tier": "gold", "stats": {"orders_before": 2}}, "at": at}),
    )
    .unwrap();
    assert_eq!(gold.customer.id().as_str(), "C-1");
    assert_eq!(gold.customer.order_number(), Some(3));
    // Both written out, as before: the same checkout.
    let both: Checkout = serde_json::from_value(json!({"order": order,
        "customer": {"id": "C-1", "tier": "gold", "stats": {"orders_before": 2}}, "at": at}))
    .unwrap();
    assert_eq!(both, gold);
    let round: Checkout = serde_json::from_value(serde_json::to_value(&gold).unwrap()).unwrap();
    assert_eq!(round, gold);
    // Two different ids still disagree, at evaluation.
    let other: Checkout =
        serde_json::from_value(json!({"order": order, "customer": {"id": "C-2"}, "at": at}))
            .unwrap();
    let program = eur_program(json!({}));
    assert!(matches!(
        program.evaluate(&other),
        Err(EvaluationError::CustomerMismatch { .. })
    ));
    // On its own, a customer needs its id.
    let e = serde_json::from_value::<Customer>(json!({"tier": "gold"})).unwrap_err();
    assert!(
        e.to_string()
            .contains(&CustomerError::MissingId.to_string()),
        "{e}"
    );
    assert_eq!(
        CustomerError::MissingId.to_string(),
        "customer has no id: give \"id\""
    );
    // In Rust: a checkout for the order's customer.
    assert_eq!(Checkout::for_order(guest.order.clone(), guest.at), guest);
}

#[test]
fn a_lines_discounts_read_as_a_list_however_many() {
    use loyalty::evaluation::{LineDiscount, LineDiscounts};
    // Four discounts on one line: the ladder's and three coupons' parts.
    let program = eur_program(json!({
        "ladders": [{"id": "l", "steps": [{"from": "10.00", "percent": "10"}]}],
        "coupons": [
            {"id": "a", "codes": ["A"], "reward": {"type": "amount_off", "amount": "1.00"}},
            {"id": "b", "codes": ["B"], "reward": {"type": "amount_off", "amount": "2.00"}},
            {"id": "c", "codes": ["C"], "reward": {"type": "amount_off", "amount": "3.00"}}
        ]
    }));
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "100.00")
            .coupon("A")
            .coupon("B")
            .coupon("C")
            .build(),
    );
    // 10% of 100.00 = 10.00, then 1.00, 2.00, 3.00: 16.00 in four parts.
    let parts: Vec<Decimal> = e.lines[0].discounts.iter().map(|p| p.amount).collect();
    assert_eq!(parts, [d("10.00"), d("1.00"), d("2.00"), d("3.00")]);
    assert_eq!(e.totals.discount, d("16.00"));
    let value = serde_json::to_value(&e.lines[0].discounts).unwrap();
    assert_eq!(value.as_array().map(Vec::len), Some(4));
    let back: LineDiscounts = serde_json::from_value(value).unwrap();
    assert_eq!(back, e.lines[0].discounts);
    let empty: LineDiscounts = serde_json::from_value(json!([])).unwrap();
    assert!(empty.is_empty());
    let one: LineDiscounts = e.lines[0]
        .discounts
        .iter()
        .take(1)
        .cloned()
        .collect::<Vec<LineDiscount>>()
        .into_iter()
        .collect();
    assert_eq!(one.len(), 1);
}

/// A price written with zeros past the currency's decimals is the same
/// amount: every output amount is written with the currency's two.
#[test]
fn outputs_are_written_at_the_currencys_scale() {
    let program = crate::util::common::program_in(
        "BRL",
        json!({
            "ladders": [{"id": "l", "steps": [{"from": "1.00", "percent": "10"}]}],
            "earning": [{"id": "e", "points": "1", "per": "1.00", "rounding": {"decimals": 2}}],
            "cashback": [{"id": "cb", "percent": "2"}]
        }),
    );
    let e = eval(
        &program,
        &Basket::new("BRL")
            .line("TEA", 3, "1.1000000000000000000000000000")
            .build(),
    );
    let value = serde_json::to_value(&e).unwrap();
    // 3 × 1.10 = 3.30; 10% = 0.33; net 2.97; cashback 2% = 0.0594 → 0.06.
    assert_eq!(value["lines"][0]["gross"], "3.30");
    assert_eq!(value["lines"][0]["net"], "2.97");
    assert_eq!(value["lines"][0]["discounts"][0]["amount"], "0.33");
    assert_eq!(value["totals"]["subtotal"], "3.30");
    assert_eq!(value["totals"]["discount"], "0.33");
    assert_eq!(value["totals"]["payable"], "2.97");
    assert_eq!(value["ladders"][0]["basis"], "3.30");
    assert_eq!(value["discounts"][0]["amount"], "0.33");
    assert_eq!(value["cashback"]["total"], "0.06");
    assert_eq!(value["points"]["rules"][0]["base"], "2.97");
}

/// A last order at exactly the evaluation instant is allowed (0 days
/// since); one a second later is refused.
#[test]
fn a_last_order_at_the_evaluation_instant_is_at_the_boundary() {
    use loyalty::evaluate::EvaluationError;
    let program = eur_program(json!({"coupons": [{"id": "back", "codes": ["BACK"],
        "condition": {"days_since_last_order_at_least": 0},
        "reward": {"type": "amount_off", "amount": "1.00"}}]}));
    let at = crate::util::common::AT;
    let same = Basket::eur()
        .line("TEA", 1, "10.00")
        .coupon("BACK")
        .customer(json!({"id": "C-1", "stats": {"orders_before": 1, "last_order_at": at}}));
    let e = eval(&program, &same.build());
    assert!(e.coupon("BACK").unwrap().is_accepted());
    assert_eq!(e.totals.discount, d("1.00"));
    let later: chrono::DateTime<chrono::Utc> =
        at.parse::<chrono::DateTime<chrono::Utc>>().unwrap() + chrono::Duration::seconds(1);
    let future = Basket::eur().line("TEA", 1, "10.00").customer(
        json!({"id": "C-1", "stats": {"orders_before": 1, "last_order_at": later.to_rfc3339()}}),
    );
    assert_eq!(
        program.evaluate(&future.build()),
        Err(EvaluationError::LastOrderInFuture)
    );
}

/// Codes as people type them: a decomposed accent (what some phone
/// keyboards send), full-width letters, a ligature, `ß`, and invisible
/// characters all match the code as written; two codes of a program that
/// normalise alike are refused.
#[test]
#[cfg(feature = "unicode")]
fn codes_match_as_people_type_them() {
    use loyalty::rules::coupon::{codes_match, normalize_code};
    let program = eur_program(json!({"coupons": [
        {"id": "cafe", "codes": ["CAFÉ"], "reward": {"type": "amount_off", "amount": "1.00"}},
        {"id": "street", "codes": ["STRASSE"], "reward": {"type": "amount_off", "amount": "2.00"}},
        {"id": "fit", "codes": ["FIT10"], "reward": {"type": "amount_off", "amount": "3.00"}}
    ]}));
    for (typed, coupon) in [
        ("cafe\u{301}", "cafe"),           // e + combining acute
        ("ｃａｆé", "cafe"),               // full-width letters
        ("straße", "street"),              // ß upper-cases to SS
        ("\u{FB01}t10", "fit"),            // the ﬁ ligature
        ("FIT\u{200B}10", "fit"),          // a zero-width space inside
        ("\u{FEFF} fit10\u{00A0}", "fit"), // a byte-order mark, a no-break space
    ] {
        let e = eval(
            &program,
            &Basket::eur().line("TEA", 1, "50.00").coupon(typed).build(),
        );
        let verdict = e.coupon(typed).unwrap();
        assert!(verdict.is_accepted(), "{typed:?}: {:?}", verdict.rejection);
        assert_eq!(verdict.coupon.as_ref().map(|c| c.as_str()), Some(coupon));
    }
    assert!(codes_match("cafe\u{301}", "CAFÉ"));
    assert!(!codes_match("CAFE", "CAFÉ"));
    assert_eq!(normalize_code("ｃａｆé"), "CAFÉ");
    // Two codes that normalise alike: refused at Program::new.
    let e = Program::new(
        serde_json::from_value::<loyalty::ProgramDefinition>(json!({"id": "shop", "currency": "EUR",
            "coupons": [
                {"id": "a", "codes": ["CAFÉ"], "reward": {"type": "amount_off", "amount": "1.00"}},
                {"id": "b", "codes": ["cafe\u{301}"], "reward": {"type": "amount_off", "amount": "1.00"}}
            ]}))
        .unwrap(),
    )
    .unwrap_err();
    assert!(
        e.to_string().starts_with(
            "coupons[1].codes[0]: code \"cafe\u{301}\" is also a code of coupon \"a\""
        ),
        "{e}"
    );
}
