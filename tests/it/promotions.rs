//! Promotions of every reward kind, with or without a code: automatic ones
//! judged on every checkout (restrictions, usage limits, steps), coded ones
//! in the `promotions` list, ladders and coupons read as promotions, the
//! errors and warnings of the new settings, and the property that an
//! automatic promotion and the same promotion behind a code give the same
//! amounts.

use loyalty::evaluate::EvaluationError;
use loyalty::evaluation::{
    DiscountDetail, Effect, Evaluation, Reason, RuleKind, Stage, StepGiven, Target, TraceEntry,
};
use loyalty::money::{Currency, Money};
use loyalty::order::Refund;
use loyalty::prelude::*;
use loyalty::program::{Problem, ProgramError};
use loyalty::rules::coupon::Rejection;
use loyalty::rules::ladder::{LadderBasis, LadderMode, Thresholds};
use loyalty::rules::promotion::{Origin, PromotionDefinition, Reward};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::util::cases;
use crate::util::common::{Basket, check_invariants, d, eur_program, eval, program, seeds_ladder};

/// A EUR program with `promotions` (and the other fields of `extra`).
fn promoted(promotions: Value) -> Program {
    eur_program(json!({ "promotions": promotions }))
}

/// The error of a EUR program with the fields of `extra`.
fn refused(extra: Value) -> ProgramError {
    let mut base = json!({"id": "seeds", "currency": "EUR", "time_zone": "Europe/Lisbon",
                          "tiers": [{"id": "bronze"}, {"id": "silver"}, {"id": "gold"}]});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        base[k] = v;
    }
    let definition: ProgramDefinition = serde_json::from_value(base).expect("deserialises");
    Program::new(definition).expect_err("the program is refused")
}

/// The trace entries about rule `id`.
fn about<'e>(e: &'e Evaluation, id: &str) -> Vec<&'e TraceEntry> {
    e.trace.iter().filter(|t| t.rule.id == id).collect()
}

/// The only trace entry about `id`.
fn only<'e>(e: &'e Evaluation, id: &str) -> &'e TraceEntry {
    let entries = about(e, id);
    assert_eq!(entries.len(), 1, "one entry about {id}: {entries:#?}");
    entries[0]
}

/// The line parts of rule `id`, line by line (zero where it has none).
fn parts(e: &Evaluation, id: &str) -> Vec<Decimal> {
    e.lines
        .iter()
        .map(|l| {
            l.discounts
                .iter()
                .filter(|p| p.rule.id == id)
                .map(|p| p.amount)
                .sum()
        })
        .collect()
}

// --- Automatic promotions of every reward kind ---------------------------

#[test]
fn an_automatic_percent_off_applies_without_a_code() {
    let program = promoted(json!([{"id": "weekend-10", "name": "10% this weekend",
        "reward": {"type": "percent_off", "percent": "10"}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 2, "12.50")
            .line("MUG", 1, "8.90")
            .build(),
    );
    // 10% of 33.90 = 3.39, split by net: 25.00 → 2.50, 8.90 → 0.89.
    assert_eq!(e.totals.discount, d("3.39"));
    assert_eq!(parts(&e, "weekend-10"), [d("2.50"), d("0.89")]);
    assert_eq!(e.totals.payable, d("30.51"));
    let applied = &e.discounts[0];
    assert_eq!(applied.rule.kind, RuleKind::Promotion);
    assert_eq!(applied.rule.id, "weekend-10");
    assert_eq!(applied.name.as_deref(), Some("10% this weekend"));
    assert_eq!(applied.code, None);
    assert_eq!(applied.description(), "10% off eligible items");
    let entry = only(&e, "weekend-10");
    assert_eq!(entry.stage, Stage::Discounts);
    assert_eq!(
        entry.message(),
        "applied: 3.39 EUR off the items: 10% off eligible items"
    );
    // No code, no limit: nothing to store.
    assert!(e.effects.is_empty());
    assert!(e.coupons.is_empty());
    // The name is written beside the rule.
    let value = serde_json::to_value(&e.discounts[0]).unwrap();
    assert_eq!(value["name"], "10% this weekend");
    assert_eq!(
        value["rule"],
        json!({"kind": "promotion", "id": "weekend-10"})
    );
    assert_eq!(
        e.to_string().lines().nth(2).unwrap().trim_end(),
        "  promotion weekend-10                 -2.50"
    );
}

#[test]
fn an_automatic_promotion_s_condition_is_judged_on_every_checkout() {
    let program = promoted(json!([{"id": "weekend-10",
        "condition": {"weekdays": ["sat", "sun"]},
        "reward": {"type": "percent_off", "percent": "10"}}]));
    // 27 November 2026 is a Friday.
    let friday = eval(&program, &Basket::eur().line("TEA", 1, "20.00").build());
    assert_eq!(friday.totals.discount, d("0.00"));
    let entry = only(&friday, "weekend-10");
    assert_eq!(entry.stage, Stage::Promotions);
    assert_eq!(entry.rule.kind, RuleKind::Promotion);
    assert_eq!(entry.reason, Reason::ConditionNotMet);
    assert!(entry.observation.is_some());
    assert!(
        entry
            .message()
            .starts_with("not applied: condition not met: "),
        "{}",
        entry.message()
    );
    let saturday = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "20.00")
            .at("2026-11-28T10:00:00Z")
            .build(),
    );
    // 10% of 20.00.
    assert_eq!(saturday.totals.discount, d("2.00"));
}

#[test]
fn amount_off_each_unit_of_coffee_without_a_code() {
    let program = promoted(
        json!([{"id": "coffee-unit", "lines": {"categories": ["coffee"]},
        "reward": {"type": "amount_off_each_unit", "amount": "0.50"}}]),
    );
    let e = eval(
        &program,
        &Basket::eur()
            .line_in("BEANS", 3, "6.00", &["coffee"])
            .line_in("TEA", 1, "4.00", &["tea"])
            .build(),
    );
    // 0.50 × 3 bags, nothing on the tea.
    assert_eq!(parts(&e, "coffee-unit"), [d("1.50"), d("0")]);
    assert_eq!(e.totals.payable, d("20.50"));
    // Without coffee, nothing is eligible: the trace says so for an offer.
    let tea = eval(
        &program,
        &Basket::eur().line_in("TEA", 1, "4.00", &["tea"]).build(),
    );
    let entry = only(&tea, "coffee-unit");
    assert_eq!(
        entry.reason,
        Reason::NotEligible {
            rejection: Rejection::NoEligibleItems
        }
    );
    assert_eq!(
        entry.message(),
        "not applied: no item in the basket is eligible for this offer"
    );
}

#[test]
fn an_automatic_discount_without_restrictions_still_needs_a_line_to_come_off() {
    let program = promoted(
        json!([{"id": "ten", "reward": {"type": "percent_off", "percent": "10"}},
        {"id": "steps", "reward": {"type": "amount_off",
         "steps": [{"from": "0.00", "amount": "1.00"}]}}]),
    );
    // Only a gift card, which is never discounted.
    let e = eval(
        &program,
        &Basket::eur().exempt_line("GIFT-CARD", 1, "50.00").build(),
    );
    assert_eq!(e.totals.discount, d("0.00"));
    assert_eq!(
        only(&e, "ten").reason,
        Reason::NotEligible {
            rejection: Rejection::NoEligibleItems
        }
    );
    // Steps from 0 are reached by nothing at all, as a ladder's are, and
    // find nothing to discount.
    let steps = only(&e, "steps");
    assert_eq!(steps.stage, Stage::Discounts);
    assert!(matches!(steps.reason, Reason::NothingToDiscount { .. }));
}

#[test]
fn automatic_free_shipping_from_a_minimum() {
    let program = promoted(json!([{"id": "ship-50", "min_subtotal": "50.00",
        "reward": {"type": "free_shipping"}}]));
    let short = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "37.50")
            .shipping("4.90")
            .build(),
    );
    assert_eq!(short.totals.shipping_discount, d("0.00"));
    let entry = only(&short, "ship-50");
    assert_eq!(entry.stage, Stage::Promotions);
    assert_eq!(
        entry.reason,
        Reason::NotEligible {
            rejection: Rejection::MinimumNotMet {
                minimum: d("50.00"),
                subtotal: d("37.50"),
                missing: d("12.50"),
            }
        }
    );
    assert_eq!(
        entry.message(),
        "not applied: the minimum for this offer is 50.00: add 12.50 more of eligible items"
    );
    let enough = eval(
        &program,
        &Basket::eur()
            .line("TEA", 2, "37.50")
            .shipping("4.90")
            .build(),
    );
    // 75.00 + 4.90 shipping, waived.
    assert_eq!(enough.totals.shipping_discount, d("4.90"));
    assert_eq!(enough.totals.payable, d("75.00"));
    assert_eq!(enough.discounts[0].target, Target::Shipping);
}

#[test]
fn automatic_cheapest_free_and_buy_x_get_y() {
    let program = promoted(json!([
        {"id": "tea-3for2", "lines": {"categories": ["tea"]},
         "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1}},
        {"id": "cheapest-mug", "lines": {"categories": ["mugs"]}, "min_quantity": 2,
         "reward": {"type": "cheapest_free"}}
    ]));
    let e = eval(
        &program,
        &Basket::eur()
            .line_in("TEA-A", 2, "9.00", &["tea"])
            .line_in("TEA-B", 1, "6.00", &["tea"])
            .line_in("MUG-A", 1, "12.00", &["mugs"])
            .line_in("MUG-B", 1, "8.00", &["mugs"])
            .build(),
    );
    // 3 tea units: one group of 2 + 1, the cheapest (6.00) free; of the
    // mugs the cheapest (8.00) free.
    assert_eq!(parts(&e, "tea-3for2"), [d("0"), d("6.00"), d("0"), d("0")]);
    assert_eq!(
        parts(&e, "cheapest-mug"),
        [d("0"), d("0"), d("0"), d("8.00")]
    );
    assert_eq!(e.totals.discount, d("14.00"));
}

#[test]
fn automatic_points_gift_and_multiplier() {
    let program = eur_program(json!({
        "earning": [{"id": "points", "points": "1", "per": "1.00"}],
        "promotions": [
            {"id": "bonus-100", "reward": {"type": "bonus_points", "points": "100"}},
            {"id": "double", "condition": {"subtotal_at_least": "50.00"},
             "reward": {"type": "points_multiplier", "factor": "2"}},
            {"id": "mug-over-60", "min_subtotal": "60.00",
             "reward": {"type": "free_gift", "sku": "MUG", "value": "8.00"}}
        ]
    }));
    let small = eval(&program, &Basket::eur().line("TEA", 1, "30.00").build());
    // 30 points and the bonus of 100; below 50.00 no multiplier, below
    // 60.00 no gift.
    assert_eq!(small.points.total, d("130"));
    assert_eq!(small.points.bonuses[0].rule.kind, RuleKind::Promotion);
    assert_eq!(small.points.bonuses[0].rule.id, "bonus-100");
    assert!(small.gifts.is_empty());
    let big = eval(&program, &Basket::eur().line("TEA", 1, "70.00").build());
    // 70 × 2 = 140, and the bonus: 240; the mug added.
    assert_eq!(big.points.total, d("240"));
    assert_eq!(big.gifts.len(), 1);
    assert_eq!(big.gifts[0].sku.as_str(), "MUG");
    assert_eq!(big.gifts[0].value, d("8.00"));
    assert!(big.effects.contains(&Effect::AddGift {
        key: "seeds/A-1/gift:mug-over-60".into(),
        coupon: "mug-over-60".parse().unwrap(),
        sku: "MUG".parse().unwrap(),
        quantity: 1,
    }));
    // Unlimited automatic promotions record no use.
    assert!(
        !big.effects
            .iter()
            .any(|e| matches!(e, Effect::PromotionRedemption { .. }))
    );
}

// --- Steps on a percent or amount off ------------------------------------

/// The seeds' steps as a promotion's reward.
fn seeds_promotion() -> Value {
    json!({"id": "spend-more", "reward": {"type": "percent_off", "steps": [
        {"from": "100.00", "percent": "5"},
        {"from": "200.00", "percent": "10"},
        {"from": "300.00", "percent": "15"}]}})
}

#[test]
fn steps_on_a_percent_off_are_the_seeds_ladder() {
    let stepped = promoted(json!([seeds_promotion()]));
    let ladder = eur_program(json!({"ladders": [seeds_ladder()]}));
    // 99.99 → 0; 100.00 → 5.00; 250.00 → 25.00; 300.00 → 45.00.
    for (price, discount) in [
        ("99.99", "0.00"),
        ("100.00", "5.00"),
        ("250.00", "25.00"),
        ("300.00", "45.00"),
    ] {
        let basket = Basket::eur().line("TEA", 1, price).build();
        let a = eval(&stepped, &basket);
        let b = eval(&ladder, &basket);
        assert_eq!(a.totals.discount, d(discount), "{price}");
        assert_eq!(a.totals, b.totals, "{price}");
        assert_eq!(a.lines[0].net, b.lines[0].net);
        assert_eq!(a.ladders, b.ladders, "the same standing on {price}");
        for (x, y) in a.discounts.iter().zip(&b.discounts) {
            assert_eq!(x.detail, y.detail);
            assert_eq!(x.rule.kind, RuleKind::Promotion);
            assert_eq!(y.rule.kind, RuleKind::Ladder);
        }
    }
    let below = eval(&stepped, &Basket::eur().line("TEA", 1, "99.99").build());
    let entry = only(&below, "spend-more");
    assert_eq!(entry.stage, Stage::Promotions);
    assert_eq!(
        entry.message(),
        "not applied: subtotal 99.99 is below the first step 100.00; 0.01 more reaches it"
    );
    // The ladder says the same, under its own kind and stage.
    let ladder_below = eval(&ladder, &Basket::eur().line("TEA", 1, "99.99").build());
    let entry = only(&ladder_below, "spend-more");
    assert_eq!(
        (entry.rule.kind, entry.stage),
        (RuleKind::Ladder, Stage::Ladders)
    );
}

#[test]
fn amount_steps_on_quantity_with_exclusive_thresholds() {
    let program = promoted(json!([{"id": "more-units", "reward": {"type": "amount_off",
        "basis": "quantity", "thresholds": "exclusive",
        "steps": [{"from": "2", "amount": "5.00"}, {"from": "4", "amount": "12.00"}]}}]));
    let units = |n: u64| eval(&program, &Basket::eur().line("TEA", n, "10.00").build());
    // Above 2 units: 5.00; above 4: 12.00.
    assert_eq!(units(3).totals.discount, d("5.00"));
    assert_eq!(units(4).totals.discount, d("5.00"));
    assert_eq!(units(5).totals.discount, d("12.00"));
    // 3 units: 4 + 1 − 3 = 2 more reach the next step.
    let three = units(3);
    assert_eq!(three.ladders[0].next.unwrap().missing, d("2"));
    assert_eq!(
        three.discounts[0].detail,
        DiscountDetail::Ladder {
            step: 0,
            bracket: false,
            given: StepGiven::Amount(Money::new(d("5.00"), Currency::EUR)),
            from: d("2"),
            basis: LadderBasis::Quantity,
            measured: d("3"),
            next: three.ladders[0].next,
        }
    );
    let two = units(2);
    assert_eq!(
        only(&two, "more-units").message(),
        "not applied: quantity 2 is below the first step 2; 1 more reaches it"
    );
}

#[test]
fn bracket_steps_on_a_promotion() {
    let program = promoted(json!([{"id": "bands", "reward": {"type": "percent_off",
        "mode": "bracket",
        "steps": [{"from": "100.00", "percent": "5"}, {"from": "200.00", "percent": "10"}]}}]));
    let e = eval(&program, &Basket::eur().line("TEA", 1, "250.00").build());
    // (200 − 100) × 5% + (250 − 200) × 10% = 5.00 + 5.00.
    assert_eq!(e.totals.discount, d("10.00"));
    assert_eq!(
        e.discounts[0].description(),
        "bracket ladder up to step 2 on subtotal 250.00"
    );
}

#[test]
fn steps_measured_after_discounts_stand_where_they_applied() {
    let program = promoted(json!([
        {"id": "ten-off", "reward": {"type": "amount_off", "amount": "10.00"}, "priority": 1},
        {"id": "after", "reward": {"type": "percent_off", "measure": "after_discounts",
         "steps": [{"from": "100.00", "percent": "10"}]}}
    ]));
    // 105.00 gross reaches 100.00, but after 10.00 off only 95.00 remain.
    let e = eval(&program, &Basket::eur().line("TEA", 1, "105.00").build());
    assert_eq!(e.totals.discount, d("10.00"));
    assert_eq!(e.ladders[0].basis, d("95.00"));
    assert_eq!(e.ladders[0].step, None);
    let entry = only(&e, "after");
    assert_eq!(entry.stage, Stage::Discounts);
    assert!(matches!(entry.reason, Reason::NothingToDiscount { .. }));
    // 120.00 − 10.00 = 110.00 reaches it: 10% of 110.00 = 11.00.
    let e = eval(&program, &Basket::eur().line("TEA", 1, "120.00").build());
    assert_eq!(e.totals.discount, d("21.00"));
}

// --- Coded promotions in the promotions list ------------------------------

#[test]
fn a_promotion_with_codes_is_a_coupon_of_its_own_kind() {
    let program = promoted(json!([{"id": "tenoff", "codes": ["TENOFF"],
        "reward": {"type": "amount_off", "amount": "10.00"}}]));
    assert!(program.coupon_for_code("tenoff").is_some());
    assert!(program.coupons().is_empty());
    // Not entered: not judged, nothing in the trace.
    let without = eval(&program, &Basket::eur().line("TEA", 1, "30.00").build());
    assert_eq!(without.totals.discount, d("0.00"));
    assert!(without.trace.is_empty());
    let with = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "30.00")
            .coupon("tenoff")
            .build(),
    );
    assert_eq!(with.totals.discount, d("10.00"));
    assert_eq!(with.discounts[0].rule.kind, RuleKind::Promotion);
    assert_eq!(with.discounts[0].code.as_deref(), Some("TENOFF"));
    assert!(with.coupons[0].is_accepted());
    assert_eq!(
        with.effects,
        [Effect::CouponRedemption {
            key: "seeds/A-1/coupon:tenoff:TENOFF".into(),
            coupon: "tenoff".parse().unwrap(),
            code: "TENOFF".into(),
            customer: "C-1".parse().unwrap(),
            seen_overall: 0,
            seen_by_customer: 0,
        }]
    );
}

#[test]
fn a_coded_promotion_with_steps_says_how_far_its_first_step_is() {
    let program = promoted(json!([{"id": "vip-steps", "codes": ["VIPSTEPS"],
        "reward": {"type": "percent_off", "steps": [{"from": "100.00", "percent": "5"}]}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "80.00")
            .coupon("VIPSTEPS")
            .build(),
    );
    let verdict = &e.coupons[0];
    assert_eq!(
        verdict.rejection,
        Some(Rejection::BelowFirstStep {
            basis: LadderBasis::Subtotal,
            measured: d("80.00"),
            first: d("100.00"),
            missing: d("20.00"),
        })
    );
    assert_eq!(
        verdict.message(),
        "this code starts at a subtotal of 100.00 (eligible items: 80.00): add 20.00 more"
    );
    let entry = only(&e, "vip-steps");
    assert_eq!(
        (entry.rule.kind, entry.stage),
        (RuleKind::Promotion, Stage::Coupons)
    );
    // Where the order stands on its steps, as for a ladder.
    assert_eq!(e.ladders[0].ladder, "vip-steps");
    assert_eq!(e.ladders[0].basis, d("80.00"));
    // 120.00 reaches it: 5% = 6.00.
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "120.00")
            .coupon("VIPSTEPS")
            .build(),
    );
    assert_eq!(e.totals.discount, d("6.00"));
    assert_eq!(e.ladders[0].amount, d("6.00"));
}

#[test]
fn every_promotion_in_one_list_ladders_then_coupons_then_promotions() {
    let program = eur_program(json!({
        "ladders": [seeds_ladder()],
        "coupons": [{"id": "c", "codes": ["C"], "reward": {"type": "free_shipping"}}],
        "promotions": [
            {"id": "auto", "reward": {"type": "amount_off", "amount": "1.00"}},
            {"id": "coded", "codes": ["P"], "reward": {"type": "amount_off", "amount": "2.00"}}
        ]
    }));
    let listed: Vec<(&str, Origin, bool)> = program
        .promotions()
        .iter()
        .map(|p| (p.id(), p.origin(), p.is_automatic()))
        .collect();
    assert_eq!(
        listed,
        [
            ("spend-more", Origin::Ladders, true),
            ("c", Origin::Coupons, false),
            ("auto", Origin::Promotions, true),
            ("coded", Origin::Promotions, false),
        ]
    );
    assert_eq!(program.coupons().len(), 1);
    assert_eq!(program.coupons()[0].id(), "c");
    assert_eq!(program.ladders().len(), 1);
    assert_eq!(program.promotion("coded").unwrap().definition.codes, ["P"]);
    assert_eq!(program.coupon_for_code("p").unwrap().id(), "coded");
    assert_eq!(
        program.to_string(),
        "program seeds (EUR, Europe/Lisbon): 1 ladder, 1 coupon (1 code), 2 promotions (1 automatic), 3 tiers, 0 earning rules, 0 multipliers, 0 bonuses, 0 cashback rules"
    );
    // A ladder is read as the automatic promotion it is.
    let read = &program.promotions()[0];
    assert!(read.steps().is_some());
    assert_eq!(
        serde_json::to_value(&read.definition).unwrap()["reward"]["type"],
        "percent_off"
    );
}

// --- Usage limits of automatic promotions ----------------------------------

fn limited() -> Program {
    promoted(
        json!([{"id": "first-100", "usage_limit": 100, "per_customer_limit": 1,
        "reward": {"type": "amount_off", "amount": "5.00"}}]),
    )
}

#[test]
fn a_limited_automatic_promotion_records_its_use_with_the_counts_seen() {
    let program = limited();
    let fresh = eval(&program, &Basket::eur().line("TEA", 1, "30.00").build());
    // 30.00 − 5.00.
    assert_eq!(fresh.totals.payable, d("25.00"));
    assert_eq!(
        fresh.effects,
        [Effect::PromotionRedemption {
            key: "seeds/A-1/promotion:first-100".into(),
            promotion: "first-100".parse().unwrap(),
            customer: "C-1".parse().unwrap(),
            seen_overall: 0,
            seen_by_customer: 0,
        }]
    );
    let used = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "30.00")
            .promotion_usage("first-100", 99, 0)
            .build(),
    );
    assert!(matches!(
        used.effects[..],
        [Effect::PromotionRedemption {
            seen_overall: 99,
            seen_by_customer: 0,
            ..
        }]
    ));
}

#[test]
fn a_limited_automatic_promotion_stops_at_its_limits() {
    let program = limited();
    let all_used = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "30.00")
            .promotion_usage("first-100", 100, 0)
            .build(),
    );
    assert_eq!(all_used.totals.discount, d("0.00"));
    assert!(all_used.effects.is_empty());
    let entry = only(&all_used, "first-100");
    assert_eq!(
        entry.reason,
        Reason::NotEligible {
            rejection: Rejection::UsageLimitReached {
                limit: 100,
                used: 100
            }
        }
    );
    assert_eq!(
        entry.message(),
        "not applied: this offer has reached its limit of 100 uses"
    );
    let by_this_customer = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "30.00")
            .promotion_usage("first-100", 10, 1)
            .build(),
    );
    assert_eq!(
        only(&by_this_customer, "first-100").reason,
        Reason::NotEligible {
            rejection: Rejection::PerCustomerLimitReached { limit: 1, used: 1 }
        }
    );
    // Counts of another promotion do not count.
    let other = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "30.00")
            .promotion_usage("something-else", 500, 5)
            .build(),
    );
    assert_eq!(other.totals.discount, d("5.00"));
}

#[test]
fn promotion_usage_that_contradicts_itself_is_refused() {
    let program = limited();
    let error = program
        .evaluate(
            &Basket::eur()
                .line("TEA", 1, "30.00")
                .promotion_usage("first-100", 1, 2)
                .build(),
        )
        .unwrap_err();
    assert_eq!(
        error,
        EvaluationError::PromotionUsageContradiction {
            promotion: "first-100".into(),
            by_customer: 2,
            overall: 1,
        }
    );
    assert_eq!(
        error.to_string(),
        "promotion_usage for \"first-100\": by_customer 2 is above overall 1: a customer's uses are part of all uses"
    );
    let twice = program
        .evaluate(
            &Basket::eur()
                .line("TEA", 1, "30.00")
                .promotion_usage("first-100", 1, 0)
                .promotion_usage("first-100", 2, 0)
                .build(),
        )
        .unwrap_err();
    assert_eq!(
        twice,
        EvaluationError::DuplicatePromotionUsage {
            promotion: "first-100".into()
        }
    );
}

#[test]
fn a_full_return_releases_a_limited_promotion_s_use() {
    let program = limited();
    let checkout = Basket::eur().line("TEA", 2, "15.00").build();
    let evaluation = eval(&program, &checkout);
    let later = "2026-12-05T10:00:00Z".parse().unwrap();
    let half = Refund::new("R-1", "A-1", later)
        .unwrap()
        .line("1", 1)
        .unwrap();
    let first = program
        .evaluate_return(&checkout, &evaluation, &[], &half)
        .unwrap();
    assert!(
        !first
            .effects
            .iter()
            .any(|e| matches!(e, Effect::ReleasePromotion { .. }))
    );
    let rest = Refund::new("R-2", "A-1", later)
        .unwrap()
        .line("1", 1)
        .unwrap();
    let second = program
        .evaluate_return(&checkout, &evaluation, &[first], &rest)
        .unwrap();
    assert!(second.effects.contains(&Effect::ReleasePromotion {
        key: "seeds/A-1/return:R-2/promotion:first-100".into(),
        promotion: "first-100".parse().unwrap(),
        customer: "C-1".parse().unwrap(),
    }));
}

// --- Restrictions of automatic promotions ----------------------------------

#[test]
fn tier_segment_and_order_number_restrict_automatic_promotions() {
    let program = promoted(json!([
        {"id": "gold-5", "tiers": ["gold"], "reward": {"type": "percent_off", "percent": "5"}},
        {"id": "coffee-fans", "segments": ["coffee-lovers"],
         "reward": {"type": "amount_off", "amount": "1.00"}},
        {"id": "welcome", "first_order_only": true,
         "reward": {"type": "amount_off", "amount": "3.00"}}
    ]));
    let basket = Basket::eur().line("TEA", 1, "40.00");
    let silver = eval(
        &program,
        &basket
            .clone()
            .customer(json!({"id": "C-1", "tier": "silver", "stats": {"orders_before": 2}}))
            .build(),
    );
    assert_eq!(silver.totals.discount, d("0.00"));
    assert_eq!(
        only(&silver, "gold-5").reason,
        Reason::NotEligible {
            rejection: Rejection::TierNotAllowed {
                tier: Some("silver".parse().unwrap()),
                allowed: vec!["gold".parse().unwrap()],
            }
        }
    );
    assert_eq!(
        only(&silver, "gold-5").message(),
        "not applied: this offer is for members of gold"
    );
    assert_eq!(
        only(&silver, "coffee-fans").message(),
        "not applied: this offer is for customers in coffee-lovers"
    );
    assert_eq!(
        only(&silver, "welcome").reason,
        Reason::NotEligible {
            rejection: Rejection::NotFirstOrder { order_number: 3 }
        }
    );
    // A customer without stats has an unknown order number.
    let unknown = eval(
        &program,
        &basket.clone().customer(json!({"id": "C-1"})).build(),
    );
    assert_eq!(
        only(&unknown, "welcome").reason,
        Reason::NotEligible {
            rejection: Rejection::OrderNumberUnknown
        }
    );
    // A gold coffee lover's first order: 5% of 40.00 = 2.00, 1.00 and 3.00.
    let all = eval(
        &program,
        &basket
            .customer(
                json!({"id": "C-1", "tier": "gold", "segments": ["coffee-lovers"],
                             "stats": {}}),
            )
            .build(),
    );
    assert_eq!(all.totals.discount, d("6.00"));
}

#[test]
fn an_automatic_promotion_outside_its_window() {
    let program = promoted(
        json!([{"id": "november", "valid": {"from": "2026-11-01", "to": "2026-11-26"},
        "reward": {"type": "percent_off", "percent": "10"}}]),
    );
    let e = eval(&program, &Basket::eur().line("TEA", 1, "10.00").build());
    let entry = only(&e, "november");
    // Through the 26th: it ended at 00:00 on the 27th.
    assert_eq!(
        entry.reason,
        Reason::NotEligible {
            rejection: Rejection::Expired {
                ended: "2026-11-27T00:00:00".parse().unwrap()
            }
        }
    );
    assert_eq!(
        entry.message(),
        "not applied: this offer expired at 2026-11-27 00:00"
    );
    // And the program says so, read at that instant.
    let warnings = program.warnings_at("2026-11-27T10:00:00Z".parse().unwrap());
    assert_eq!(warnings[0].path(), "promotions[0].valid");
}

// --- Stacking ---------------------------------------------------------------

#[test]
fn automatic_and_coded_promotions_stack_under_one_policy() {
    let program = eur_program(json!({
        "promotions": [
            {"id": "twenty", "stacking": "exclusive",
             "reward": {"type": "percent_off", "percent": "20"}},
            {"id": "five", "stacking": "exclusive",
             "reward": {"type": "amount_off", "amount": "5.00"}}
        ],
        "coupons": [{"id": "three", "codes": ["THREE"],
                     "reward": {"type": "amount_off", "amount": "3.00"}}]
    }));
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "100.00")
            .coupon("THREE")
            .build(),
    );
    // Alone, 20% of 100.00 = 20.00 beats 5.00 and the stackable 3.00.
    assert_eq!(e.totals.discount, d("20.00"));
    let five = only(&e, "five");
    assert_eq!(five.stage, Stage::Stacking);
    assert_eq!(
        five.message(),
        "not applied: cannot be combined with promotion twenty"
    );
    assert_eq!(
        e.coupons[0].rejection,
        Some(Rejection::NotCombinable {
            with: "promotion twenty".into()
        })
    );
}

// --- A reward of value 0 ------------------------------------------------------

#[test]
fn a_reward_of_zero_is_a_no_op_with_a_warning() {
    let program = eur_program(json!({
        "promotions": [{"id": "zero", "reward": {"type": "percent_off", "percent": "0"}}],
        "coupons": [
            {"id": "zero-off", "codes": ["ZERO"], "reward": {"type": "amount_off", "amount": "0"}},
            {"id": "no-points", "codes": ["NOPOINTS"],
             "reward": {"type": "bonus_points", "points": "0"}},
            {"id": "zero-unit", "codes": ["ZEROUNIT"],
             "reward": {"type": "amount_off_each_unit", "amount": "0.00"}}
        ]
    }));
    let warnings: Vec<String> = program.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "coupons[0].reward.amount: amount 0 gives nothing: the promotion applies as a no-op; give a value above 0, or remove the promotion",
            "coupons[1].reward.points: bonus points 0 gives nothing: the promotion applies as a no-op; give a value above 0, or remove the promotion",
            "coupons[2].reward.amount: amount 0 gives nothing: the promotion applies as a no-op; give a value above 0, or remove the promotion",
            "promotions[0].reward.percent: percent 0 gives nothing: the promotion applies as a no-op; give a value above 0, or remove the promotion",
        ]
    );
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "30.00")
            .coupon("ZERO")
            .coupon("NOPOINTS")
            .coupon("ZEROUNIT")
            .build(),
    );
    assert_eq!(e.totals.discount, d("0.00"));
    assert!(e.effects.is_empty(), "nothing redeemed: {:?}", e.effects);
    for verdict in &e.coupons {
        assert_eq!(verdict.rejection, Some(Rejection::NothingToDiscount));
    }
    assert!(matches!(
        only(&e, "zero").reason,
        Reason::NothingToDiscount { .. }
    ));
    // A step of 0 is still refused: leave the step out instead.
    let error =
        refused(json!({"ladders": [{"id": "l", "steps": [{"from": "0", "percent": "0"}]}]}));
    assert_eq!(error.path(), "ladders[0].steps[0].percent");
}

// --- Builders ---------------------------------------------------------------

#[test]
fn builders_write_the_same_promotions_as_the_files() {
    let built = PromotionDefinition::steps("spend-more")
        .percent_from("100.00", "5")
        .percent_from("200.00", "10")
        .percent_from("300.00", "15");
    let read: PromotionDefinition = serde_json::from_value(seeds_promotion()).unwrap();
    assert_eq!(built, read);
    let amounts = PromotionDefinition::steps("units")
        .basis(LadderBasis::Quantity)
        .thresholds(Thresholds::Exclusive)
        .amount_from(2, "5.00");
    assert_eq!(
        serde_json::to_value(&amounts).unwrap()["reward"],
        json!({"type": "amount_off", "steps": [{"from": "2", "amount": "5.00"}],
               "basis": "quantity", "thresholds": "exclusive"})
    );
    let weekend = PromotionDefinition::automatic("weekend", Reward::percent_off(Decimal::TEN))
        .name("Weekend")
        .min_subtotal("20.00");
    let program = Program::new(
        ProgramDefinition::new("shop", Currency::EUR)
            .promotion(weekend)
            .promotion(
                PromotionDefinition::steps("bands")
                    .mode(LadderMode::Bracket)
                    .percent_from("100.00", "5"),
            ),
    )
    .unwrap();
    assert!(program.promotions().iter().all(|p| p.is_automatic()));
    // A step of the other kind, or steps on a reward without a value.
    let mixed = Program::new(
        ProgramDefinition::new("shop", Currency::EUR).promotion(
            PromotionDefinition::steps("mixed")
                .percent_from("100.00", "5")
                .amount_from("200.00", "10.00"),
        ),
    )
    .unwrap_err();
    assert_eq!(mixed.path(), "promotions[0].reward.steps[1]");
    assert_eq!(mixed.problem(), &Problem::MixedRewards);
    let shipping = Program::new(ProgramDefinition::new("shop", Currency::EUR).promotion(
        PromotionDefinition::automatic("ship", Reward::FreeShipping).percent_from("1", "5"),
    ))
    .unwrap_err();
    assert_eq!(
        shipping.to_string(),
        "promotions[0].reward.steps: steps give a percent_off or amount_off its value; free_shipping has none: make the reward percent_off or amount_off"
    );
    // A code makes an automatic promotion a coupon.
    let coded = PromotionDefinition::automatic("p", Reward::FreeShipping).code("SHIP");
    assert!(!coded.is_automatic());
}

#[test]
fn programs_with_promotions_round_trip_through_json_and_toml() {
    let definition: ProgramDefinition = serde_json::from_value(json!({
        "id": "shop", "currency": "EUR",
        "promotions": [
            seeds_promotion(),
            {"id": "units", "reward": {"type": "amount_off", "basis": "quantity",
             "steps": [{"from": "3", "amount": "5.00"}]}},
            {"id": "coded", "codes": ["A", "B"], "unique": true, "usage_limit": 3,
             "reward": {"type": "percent_off", "percent": "10", "cap": "20.00"}}
        ]
    }))
    .unwrap();
    Program::new(definition.clone()).unwrap();
    let json = serde_json::to_string(&definition).unwrap();
    assert_eq!(
        serde_json::from_str::<ProgramDefinition>(&json).unwrap(),
        definition
    );
    let toml_text = toml::to_string(&definition).unwrap();
    assert_eq!(
        toml::from_str::<ProgramDefinition>(&toml_text).unwrap(),
        definition
    );
}

// --- Errors -----------------------------------------------------------------

#[test]
fn codes_collide_across_coupons_and_promotions() {
    let error = refused(json!({
        "coupons": [{"id": "a", "codes": ["SAVE"], "reward": {"type": "free_shipping"}}],
        "promotions": [{"id": "b", "codes": ["save "], "reward": {"type": "free_shipping"}}]
    }));
    assert_eq!(error.path(), "promotions[0].codes[0]");
    assert_eq!(
        error.problem(),
        &Problem::DuplicateCode {
            code: "save ".into(),
            other: "a".into()
        }
    );
    let error = refused(json!({"promotions": [
        {"id": "a", "codes": ["X1"], "reward": {"type": "free_shipping"}},
        {"id": "b", "codes": ["x1"], "reward": {"type": "free_shipping"}}
    ]}));
    assert_eq!(
        error.to_string(),
        "promotions[1].codes[0]: code \"x1\" is also a code of coupon \"a\": codes match ignoring case, so each must be unique"
    );
    // Ids are unique across every list.
    let error = refused(json!({"ladders": [seeds_ladder()],
        "promotions": [{"id": "spend-more", "reward": {"type": "free_shipping"}}]}));
    assert_eq!(error.path(), "promotions[0].id");
}

#[test]
fn settings_that_need_a_code_or_steps_name_the_fix() {
    let cases: [(Value, &str, &str); 9] = [
        (
            json!({"id": "p", "unique": true, "reward": {"type": "free_shipping"}}),
            "promotions[0].unique",
            "unique makes each code of a batch single-use, but this promotion has no codes: give codes, or remove unique (an automatic promotion limits its uses with usage_limit)",
        ),
        (
            json!({"id": "p", "reward": {"type": "percent_off", "percent": "5",
                   "steps": [{"from": "1", "percent": "5"}]}}),
            "promotions[0].reward.percent",
            "give either percent or steps, not both",
        ),
        (
            json!({"id": "p", "reward": {"type": "percent_off", "cap": "5.00",
                   "steps": [{"from": "1", "percent": "5"}]}}),
            "promotions[0].reward.cap",
            "with steps, each step has its own cap: move cap into the steps",
        ),
        (
            json!({"id": "p", "reward": {"type": "percent_off",
                   "steps": [{"from": "1", "amount": "5.00"}]}}),
            "promotions[0].reward.steps[0]",
            "a step of percent_off gives a percent: write percent in every step, or make the reward amount_off",
        ),
        (
            json!({"id": "p", "reward": {"type": "amount_off", "amount": "5.00",
                   "basis": "quantity"}}),
            "promotions[0].reward.basis",
            "basis applies to steps, but this reward gives a fixed amount: add steps, or remove basis",
        ),
        (
            json!({"id": "p", "reward": {"type": "amount_off"}}),
            "promotions[0].reward.amount",
            "amount_off needs a amount: give amount, or steps that give it",
        ),
        (
            json!({"id": "p", "reward": {"type": "percent_off",
                   "steps": [{"from": "200.00", "percent": "5"}, {"from": "100.00", "percent": "10"}]}}),
            "promotions[0].reward.steps[1]",
            "threshold 100.00 must be above the previous step's 200.00",
        ),
        (
            json!({"id": "p", "reward": {"type": "amount_off", "mode": "bracket",
                   "steps": [{"from": "100.00", "amount": "5.00"}]}}),
            "promotions[0].reward.mode",
            "bracket mode applies a percent to each band: give every step a percent, or use mode \"whole_basket\"",
        ),
        (
            json!({"id": "p", "reward": {"type": "amount_off", "amount": "-1.00"}}),
            "promotions[0].reward.amount",
            "amount -1.00 is negative: give zero or more",
        ),
    ];
    for (promotion, path, message) in cases {
        let error = refused(json!({ "promotions": [promotion] }));
        assert_eq!(error.to_string(), format!("{path}: {message}"));
    }
    // A coupon must have codes; the message says where an automatic one goes.
    let error = refused(json!({"coupons": [{"id": "c", "codes": [],
        "reward": {"type": "free_shipping"}}]}));
    assert_eq!(
        error.to_string(),
        "coupons[0].codes: a coupon needs at least one code: give codes, or move it to promotions to apply it without a code"
    );
    // Steps count against the program's limit as a ladder's do.
    let error = refused(json!({"limits": {"steps_per_ladder": 1},
        "promotions": [seeds_promotion()]}));
    assert_eq!(error.path(), "promotions[0].reward.steps");
}

// --- Properties -------------------------------------------------------------

/// A reward of every kind, with amounts a EUR basket can meet.
fn reward() -> impl Strategy<Value = Value> {
    prop_oneof![
        (1..=100u32).prop_map(|p| json!({"type": "percent_off", "percent": p.to_string()})),
        (1..=100u32, 1..=5_000u32).prop_map(|(p, cap)| json!({"type": "percent_off",
            "percent": p.to_string(), "cap": format!("{}.{:02}", cap / 100, cap % 100)})),
        (0..=5_000u32).prop_map(|a| json!({"type": "amount_off",
            "amount": format!("{}.{:02}", a / 100, a % 100)})),
        (0..=300u32).prop_map(|a| json!({"type": "amount_off_each_unit",
            "amount": format!("{}.{:02}", a / 100, a % 100)})),
        Just(json!({"type": "free_shipping"})),
        Just(json!({"type": "cheapest_free"})),
        (1..=3u32, 1..=2u32, prop::option::of(1..=3u32)).prop_map(|(buy, get, max)| {
            let mut r = json!({"type": "buy_x_get_y", "buy": buy, "get": get});
            if let Some(max) = max {
                r["max_applications"] = json!(max);
            }
            r
        }),
        (0..=500u32).prop_map(|p| json!({"type": "bonus_points", "points": p.to_string()})),
        (1..=3u32).prop_map(|f| json!({"type": "points_multiplier", "factor": f.to_string()})),
        Just(json!({"type": "free_gift", "sku": "TOTE", "value": "8.00"})),
        (any::<bool>(), 1..=20_000u32).prop_map(|(bracket, first)| json!({"type": "percent_off",
            "mode": if bracket { "bracket" } else { "whole_basket" },
            "steps": [{"from": format!("{}.{:02}", first / 100, first % 100), "percent": "5",
                       "cap": "20.00"},
                      {"from": format!("{}.00", first / 100 + 100), "percent": "12.5", "cap": "40.00"}]})),
        (1..=4u32, any::<bool>()).prop_map(|(first, after)| json!({"type": "amount_off",
            "basis": "quantity", "measure": if after { "after_discounts" } else { "before_discounts" },
            "steps": [{"from": first.to_string(), "amount": "2.00"},
                      {"from": (first + 3).to_string(), "amount": "7.50"}]})),
    ]
}

/// A promotion around `reward`, with some restrictions.
fn promotion() -> impl Strategy<Value = Value> {
    (
        reward(),
        any::<bool>(),
        prop::option::of(0..=10_000u32),
        prop::option::of(1..=6u64),
        any::<bool>(),
    )
        .prop_map(|(reward, tea_only, min, min_quantity, first_order)| {
            let mut p = json!({"id": "p", "name": "The promotion", "reward": reward});
            if tea_only {
                p["lines"] = json!({"categories": ["tea"]});
            }
            if let Some(min) = min {
                p["min_subtotal"] = json!(format!("{}.{:02}", min / 100, min % 100));
            }
            if let Some(q) = min_quantity {
                p["min_quantity"] = json!(q);
            }
            if first_order {
                p["first_order_only"] = json!(true);
            }
            p
        })
}

/// A random basket: lines (cents, units, tea), shipping, orders before.
fn basket() -> impl Strategy<Value = Basket> {
    (
        prop::collection::vec(
            (0..=20_000u32, 1..=6u64, any::<bool>(), any::<bool>()),
            0..6,
        ),
        prop_oneof![Just(0u32), 1..=1_500u32],
        0..3u32,
    )
        .prop_map(|(lines, shipping, orders_before)| {
            let mut basket = Basket::eur();
            for (i, (cents, units, tea, exempt)) in lines.into_iter().enumerate() {
                let categories: &[&str] = if tea { &["tea"] } else { &["mugs"] };
                basket = basket.line_with(
                    &format!("SKU-{i}"),
                    units,
                    &format!("{}.{:02}", cents / 100, cents % 100),
                    categories,
                    exempt && i > 0,
                );
            }
            basket
                .shipping(&format!("{}.{:02}", shipping / 100, shipping % 100))
                .customer(json!({"id": "C-1", "stats": {"orders_before": orders_before}}))
        })
}

/// A program of `promotion` beside the seeds' steps and a point per 1.00.
fn program_with(promotion: &Value) -> Program {
    program(
        json!({"id": "seeds", "currency": "EUR", "time_zone": "Europe/Lisbon",
        "earning": [{"id": "points", "points": "1", "per": "1.00"}],
        "promotions": [seeds_promotion(), promotion]}),
    )
}

/// What the promotion `p` did on an evaluation: applied, or the reason it
/// did not apply (a code's rejection, or the trace's reason for an offer).
fn outcome_of(e: &Evaluation) -> Result<(), String> {
    if let Some(verdict) = e.coupons.first() {
        return match &verdict.rejection {
            None => Ok(()),
            Some(r) => Err(format!("{r:?}")),
        };
    }
    match e.trace.iter().find(|t| t.rule.id == "p" && !t.applied) {
        None => Ok(()),
        Some(entry) => Err(match &entry.reason {
            Reason::NotEligible { rejection } => format!("{rejection:?}"),
            Reason::BelowFirstStep {
                basis,
                measured,
                first,
                missing,
            } => format!(
                "{:?}",
                Rejection::BelowFirstStep {
                    basis: *basis,
                    measured: *measured,
                    first: *first,
                    missing: *missing,
                }
            ),
            Reason::NothingToDiscount { .. } => format!("{:?}", Rejection::NothingToDiscount),
            other => format!("{other:?}"),
        }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    /// An automatic promotion and the same promotion behind a code,
    /// entered, give the same amounts on every line, the same totals,
    /// points, gifts and standing, and apply or not for the same reason.
    #[test]
    fn an_automatic_promotion_equals_the_same_promotion_entered(
        promotion in promotion(),
        basket in basket(),
    ) {
        let automatic = program_with(&promotion);
        let mut coded = promotion.clone();
        coded["codes"] = json!(["CODE"]);
        let coded = program_with(&coded);
        let a = automatic.evaluate(&basket.build()).unwrap();
        let b = coded.evaluate(&basket.clone().coupon("code").build()).unwrap();
        check_invariants(&a);
        check_invariants(&b);
        prop_assert_eq!(a.totals, b.totals);
        prop_assert_eq!(&a.lines, &b.lines);
        prop_assert_eq!(&a.points, &b.points);
        prop_assert_eq!(&a.gifts, &b.gifts);
        prop_assert_eq!(&a.ladders, &b.ladders);
        prop_assert_eq!(a.discounts.len(), b.discounts.len());
        for (x, y) in a.discounts.iter().zip(&b.discounts) {
            prop_assert_eq!(&x.rule, &y.rule);
            prop_assert_eq!(&x.name, &y.name);
            prop_assert_eq!(x.amount, y.amount);
            prop_assert_eq!(&x.detail, &y.detail);
            prop_assert_eq!(&x.code, &None);
            prop_assert_eq!(y.code.is_some(), y.rule.id == "p");
        }
        prop_assert_eq!(outcome_of(&a), outcome_of(&b));
        // Only the code leaves a redemption: the automatic one has no limit.
        prop_assert_eq!(
            b.effects.iter().any(|e| matches!(e, Effect::CouponRedemption { .. })),
            b.coupons[0].is_accepted()
        );
        let recorded = a.effects.iter().any(|e| matches!(
            e,
            Effect::CouponRedemption { .. } | Effect::PromotionRedemption { .. }
        ));
        prop_assert!(!recorded, "an unlimited automatic promotion records nothing");
    }

    /// A ladder and the same steps written as a promotion give the same
    /// amounts and standings, whatever the options.
    #[test]
    fn a_ladder_equals_its_promotion(
        quantity in any::<bool>(),
        after in any::<bool>(),
        exclusive in any::<bool>(),
        bracket in any::<bool>(),
        amounts in any::<bool>(),
        first in 1..=300u32,
        basket in basket(),
    ) {
        let amounts = amounts && !bracket;
        let quantity = quantity && !bracket;
        let step = |from: u32, value: &str| {
            let from = if quantity { from.to_string() } else { format!("{from}.00") };
            if amounts { json!({"from": from, "amount": value}) } else { json!({"from": from, "percent": value}) }
        };
        let ladder = json!({
            "id": "l",
            "basis": if quantity { "quantity" } else { "subtotal" },
            "measure": if after { "after_discounts" } else { "before_discounts" },
            "thresholds": if exclusive { "exclusive" } else { "inclusive" },
            "mode": if bracket { "bracket" } else { "whole_basket" },
            "steps": if quantity {
                [step(first % 5 + 1, "5"), step(first % 5 + 4, "10")]
            } else {
                [step(first, "5"), step(first + 7, "10")]
            },
            "lines": {"exclude_categories": ["mugs"]},
        });
        let definition: loyalty::rules::ladder::LadderDefinition =
            serde_json::from_value(ladder.clone()).unwrap();
        let as_promotion = serde_json::to_value(PromotionDefinition::from(definition)).unwrap();
        let coupon = json!({"id": "five", "codes": ["FIVE"], "priority": 3,
                            "reward": {"type": "amount_off", "amount": "5.00"}});
        let with_ladder = eur_program(json!({"ladders": [ladder], "coupons": [coupon]}));
        let with_promotion =
            eur_program(json!({"coupons": [coupon], "promotions": [as_promotion]}));
        let checkout = basket.coupon("FIVE").build();
        let a = with_ladder.evaluate(&checkout).unwrap();
        let b = with_promotion.evaluate(&checkout).unwrap();
        prop_assert_eq!(a.totals, b.totals);
        prop_assert_eq!(&a.ladders, &b.ladders);
        for (x, y) in a.lines.iter().zip(&b.lines) {
            prop_assert_eq!(x.net, y.net);
        }
        for (x, y) in a.discounts.iter().zip(&b.discounts) {
            prop_assert_eq!(x.amount, y.amount);
            prop_assert_eq!(&x.detail, &y.detail);
        }
    }
}
