//! Tier benefits: a percent off every order of the tier's customers,
//! stacked after the seeds' ladder and the coupons (compound and on the
//! original), free shipping, bonus points; nothing for a customer without
//! a tier or in a tier without benefits; validation with paths; the JSON
//! form; and the invariants as properties.

use loyalty::customer::TierId;
use loyalty::evaluate::Checkout;
use loyalty::evaluation::{DiscountDetail, Evaluation, Reason, RuleKind, Stage, Target};
use loyalty::money::Currency;
use loyalty::program::{Problem, Program, ProgramDefinition};
use loyalty::rules::tier::{TierBenefits, TierDefinition};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::util::cases;
use crate::util::common::{Basket, d, eval, seeds_ladder};

/// Bronze (no benefits), silver and gold with `silver` and `gold` as their
/// benefits, and the fields of `extra` (ladders, coupons, stacking…).
fn tiered(silver: Value, gold: Value, extra: Value) -> Program {
    Program::new(definition(silver, gold, extra)).expect("the program is valid")
}

fn definition(silver: Value, gold: Value, extra: Value) -> ProgramDefinition {
    let mut base = json!({
        "id": "seeds", "currency": "EUR", "time_zone": "Europe/Lisbon",
        "tiers": [
            {"id": "bronze"},
            {"id": "silver", "benefits": silver},
            {"id": "gold", "benefits": gold}
        ]
    });
    if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(base).expect("the program definition deserialises")
}

/// A gold customer with no previous order.
fn gold() -> Value {
    json!({"id": "C-1", "tier": "gold", "stats": {}})
}

/// Two lines, 150.00 and 100.00: the ladder's second step (10%).
fn two_lines() -> Basket {
    Basket::eur()
        .line("TEA", 1, "150.00")
        .line("POT", 2, "50.00")
}

/// The parts of `rule`'s discount on each line, in line order.
fn parts(e: &Evaluation, kind: RuleKind, rule: &str) -> Vec<Decimal> {
    e.lines
        .iter()
        .map(|l| {
            l.discounts
                .iter()
                .filter(|p| p.rule.kind == kind && p.rule.id == rule)
                .map(|p| p.amount)
                .sum()
        })
        .collect()
}

fn message(e: &Evaluation, kind: RuleKind, stage: Stage) -> Vec<String> {
    e.trace
        .iter()
        .filter(|t| t.rule.kind == kind && t.stage == stage)
        .map(|t| t.message())
        .collect()
}

#[test]
fn gold_five_percent_compounds_after_the_seeds_ladder() {
    let program = tiered(
        json!({}),
        json!({"discount_percent": "5"}),
        json!({"ladders": [seeds_ladder()]}),
    );
    let e = eval(&program, &two_lines().customer(gold()).build());
    // 10% of 250.00 = 25.00 (15.00 + 10.00); then 5% of the 225.00 left =
    // 11.25, split 135 : 90 = 6.75 + 4.50.
    assert_eq!(e.totals.discount, d("36.25"));
    assert_eq!(e.totals.payable, d("213.75"));
    let tier = e.discount("gold").expect("the tier's discount");
    assert_eq!(tier.rule.kind, RuleKind::Tier);
    assert_eq!(tier.amount, d("11.25"));
    assert_eq!(tier.target, Target::Items);
    assert_eq!(tier.code, None);
    assert_eq!(
        tier.detail,
        DiscountDetail::PercentOff {
            percent: d("5"),
            capped_at: None
        }
    );
    assert_eq!(tier.description(), "5% off eligible items (gold tier)");
    // The ladder applies first, the tier after it.
    assert_eq!(e.discounts[0].rule.kind, RuleKind::Ladder);
    assert_eq!(e.discounts[1].rule.kind, RuleKind::Tier);
    assert_eq!(parts(&e, RuleKind::Tier, "gold"), [d("6.75"), d("4.50")]);
    assert_eq!(
        parts(&e, RuleKind::Ladder, "spend-more"),
        [d("15.00"), d("10.00")]
    );
    assert_eq!(
        message(&e, RuleKind::Tier, Stage::Discounts),
        ["applied: 11.25 EUR off the items: 5% off eligible items (gold tier)"]
    );
    assert!(e.to_string().contains("  tier gold"), "{e}");
}

#[test]
fn gold_five_percent_on_the_original_amounts() {
    let program = tiered(
        json!({}),
        json!({"discount_percent": "5"}),
        json!({"ladders": [seeds_ladder()], "stacking": {"percentages": "on_original"}}),
    );
    let e = eval(&program, &two_lines().customer(gold()).build());
    // 25.00, then 5% of the original 250.00 = 12.50, split in proportion
    // to the nets 135.00 : 90.00 = 7.50 + 5.00.
    assert_eq!(e.totals.discount, d("37.50"));
    assert_eq!(e.totals.payable, d("212.50"));
    assert_eq!(parts(&e, RuleKind::Tier, "gold"), [d("7.50"), d("5.00")]);
}

#[test]
fn each_step_of_the_seeds_ladder_with_gold_under_both_modes() {
    // (subtotal, ladder, tier compound, tier on the original)
    let cases = [
        ("99.99", "0.00", "5.00", "5.00"),
        ("100.00", "5.00", "4.75", "5.00"),
        ("250.00", "25.00", "11.25", "12.50"),
        ("300.00", "45.00", "12.75", "15.00"),
    ];
    for (subtotal, ladder, compound, original) in cases {
        for (mode, tier) in [("compound", compound), ("on_original", original)] {
            let program = tiered(
                json!({}),
                json!({"discount_percent": "5"}),
                json!({"ladders": [seeds_ladder()], "stacking": {"percentages": mode}}),
            );
            let basket = Basket::eur().line("TEA", 1, subtotal).customer(gold());
            let e = eval(&program, &basket.build());
            let on_ladder = e.discount("spend-more").map_or(Decimal::ZERO, |x| x.amount);
            assert_eq!(on_ladder, d(ladder), "{subtotal} {mode}");
            assert_eq!(
                e.discount("gold").unwrap().amount,
                d(tier),
                "{subtotal} {mode}"
            );
            assert_eq!(e.totals.discount, d(ladder) + d(tier), "{subtotal} {mode}");
        }
    }
}

#[test]
fn the_discount_is_rounded_once_and_split_exactly() {
    let program = tiered(json!({}), json!({"discount_percent": "5"}), json!({}));
    let basket = Basket::eur()
        .line("A", 1, "33.33")
        .line("B", 1, "33.33")
        .line("C", 1, "33.33")
        .customer(gold());
    let e = eval(&program, &basket.build());
    // 5% of 99.99 = 4.9995, rounded half up once to 5.00.
    assert_eq!(e.totals.discount, d("5.00"));
    let split = parts(&e, RuleKind::Tier, "gold");
    assert_eq!(split.iter().copied().sum::<Decimal>(), d("5.00"));
    assert!(split.iter().all(|p| *p == d("1.67") || *p == d("1.66")));
    // Rounding toward zero instead: 4.99.
    let program = tiered(
        json!({}),
        json!({"discount_percent": "5"}),
        json!({"rounding": "toward_zero"}),
    );
    assert_eq!(eval(&program, &basket.build()).totals.discount, d("4.99"));
}

#[test]
fn the_discount_comes_after_the_coupons_and_skips_exempt_and_unselected_lines() {
    let program = tiered(
        json!({}),
        json!({"discount_percent": "10", "lines": {"categories": ["coffee"]}}),
        json!({"coupons": [{"id": "ten-off", "codes": ["TENOFF"],
                            "reward": {"type": "amount_off", "amount": "10.00"}}]}),
    );
    let basket = Basket::eur()
        .line_in("BEANS", 1, "60.00", &["coffee"])
        .line_in("MUG", 1, "40.00", &["mugs"])
        .exempt_line("GIFT-CARD", 1, "50.00")
        .coupon("TENOFF")
        .customer(gold());
    let e = eval(&program, &basket.build());
    // 10.00 off first (6.00 + 4.00), then 10% of the coffee's 54.00 left.
    assert_eq!(e.discounts[0].rule.kind, RuleKind::Coupon);
    assert_eq!(e.discount("gold").unwrap().amount, d("5.40"));
    assert_eq!(
        parts(&e, RuleKind::Tier, "gold"),
        [d("5.40"), d("0"), d("0")]
    );
    assert_eq!(e.totals.discount, d("15.40"));
}

#[test]
fn the_program_cap_on_the_total_discount_cuts_the_tier_discount() {
    let program = tiered(
        json!({}),
        json!({"discount_percent": "5"}),
        json!({"ladders": [seeds_ladder()], "stacking": {"max_total_percent": "12"}}),
    );
    let e = eval(&program, &two_lines().customer(gold()).build());
    // The cap is 12% of 250.00 = 30.00: the ladder's 25.00, then 5.00 of
    // the tier's 11.25.
    assert_eq!(e.totals.discount, d("30.00"));
    let tier = e.discount("gold").unwrap();
    assert_eq!(tier.amount, d("5.00"));
    assert!(tier.capped_by_total);
    assert_eq!(
        tier.description(),
        "5% off eligible items (gold tier) (reduced to the program's cap on total discount)"
    );
}

#[test]
fn an_exclusive_coupon_worth_more_leaves_the_tier_discount_out() {
    let program = tiered(
        json!({}),
        json!({"discount_percent": "5"}),
        json!({"ladders": [seeds_ladder()],
               "coupons": [{"id": "thirty", "codes": ["THIRTY"], "stacking": "exclusive",
                            "reward": {"type": "percent_off", "percent": "30"}}]}),
    );
    let e = eval(
        &program,
        &two_lines().coupon("THIRTY").customer(gold()).build(),
    );
    // 30% of 250.00 = 75.00 beats 25.00 + 11.25.
    assert_eq!(e.totals.discount, d("75.00"));
    assert!(e.discount("gold").is_none());
    assert_eq!(
        message(&e, RuleKind::Tier, Stage::Stacking),
        ["not applied: cannot be combined with coupon thirty"]
    );
}

#[test]
fn free_shipping_for_the_tier() {
    let program = tiered(json!({"free_shipping": true}), json!({}), json!({}));
    let silver = json!({"id": "C-1", "tier": "silver", "stats": {}});
    let basket = Basket::eur()
        .line("TEA", 2, "20.00")
        .shipping("4.90")
        .customer(silver.clone());
    let e = eval(&program, &basket.build());
    assert_eq!(e.totals.shipping_discount, d("4.90"));
    assert_eq!(e.totals.discount, d("0"));
    assert_eq!(e.totals.payable, d("40.00"));
    let shipping = e.discount("silver").unwrap();
    assert_eq!(shipping.target, Target::Shipping);
    assert_eq!(shipping.detail, DiscountDetail::FreeShipping);
    assert_eq!(
        message(&e, RuleKind::Tier, Stage::Discounts),
        ["applied: 4.90 EUR off shipping: free shipping (silver tier)"]
    );
    // Without a shipping charge there is nothing to say.
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 2, "20.00")
            .customer(silver)
            .build(),
    );
    assert!(e.discounts.is_empty());
    assert!(message(&e, RuleKind::Tier, Stage::Discounts).is_empty());
}

#[test]
fn a_free_shipping_coupon_takes_the_shipping_first() {
    let program = tiered(
        json!({}),
        json!({"free_shipping": true}),
        json!({"coupons": [{"id": "ship", "codes": ["SHIP"],
                            "reward": {"type": "free_shipping"}}]}),
    );
    let basket = Basket::eur()
        .line("TEA", 1, "20.00")
        .shipping("4.90")
        .coupon("SHIP")
        .customer(gold());
    let e = eval(&program, &basket.build());
    assert_eq!(e.totals.shipping_discount, d("4.90"));
    assert_eq!(e.discount("ship").unwrap().amount, d("4.90"));
    assert!(e.discount("gold").is_none());
    assert_eq!(
        message(&e, RuleKind::Tier, Stage::Discounts),
        ["not applied: free shipping (gold tier)"]
    );
}

#[test]
fn bonus_points_for_every_order_of_the_tier() {
    let program = tiered(
        json!({}),
        json!({"bonus_points": "50"}),
        json!({"earning": [{"id": "base", "points": "1", "per": "1.00"}],
               "bonuses": [{"id": "welcome", "when": "first_order", "points": "100"}]}),
    );
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "120.00")
            .customer(gold())
            .build(),
    );
    // 120 on the lines, 100 for the first order, 50 for gold.
    assert_eq!(e.points.total, d("270"));
    assert_eq!(e.points.order_level, d("150"));
    let last = e.points.bonuses.last().unwrap();
    assert_eq!(last.rule.kind, RuleKind::Tier);
    assert_eq!(last.rule.id, "gold");
    assert_eq!(last.points, d("50"));
    assert_eq!(
        message(&e, RuleKind::Tier, Stage::Points),
        ["applied: 50 bonus points (gold tier)"]
    );
    let summary = program
        .summarize(
            &Basket::eur()
                .line("TEA", 1, "120.00")
                .customer(gold())
                .build(),
        )
        .unwrap();
    assert_eq!(summary.points, d("270"));
    // Even on an order of exempt lines only, and in a program without
    // earning rules.
    let program = tiered(json!({}), json!({"bonus_points": "50"}), json!({}));
    let basket = Basket::eur()
        .exempt_line("GIFT-CARD", 1, "25.00")
        .customer(gold());
    let e = eval(&program, &basket.build());
    assert_eq!(e.points.total, d("50"));
    assert_eq!(e.points.order_level, d("50"));
    assert!(e.points.available_at.is_some());
}

#[test]
fn bonus_points_with_decimals_where_the_program_keeps_them() {
    let program = tiered(
        json!({}),
        json!({"bonus_points": "2.5"}),
        json!({"earning": [{"id": "base", "points": "1", "per": "1.00",
                            "rounding": {"decimals": 2}}]}),
    );
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "10.01")
            .customer(gold())
            .build(),
    );
    assert_eq!(e.points.total, d("12.51"));
}

#[test]
fn all_three_benefits_together() {
    let program = tiered(
        json!({}),
        json!({"discount_percent": "5", "free_shipping": true, "bonus_points": "50"}),
        json!({"ladders": [seeds_ladder()],
               "earning": [{"id": "base", "points": "1", "per": "1.00"}],
               "cashback": [{"id": "back", "percent": "2"}]}),
    );
    let basket = two_lines().shipping("4.90").customer(gold());
    let e = eval(&program, &basket.build());
    assert_eq!(e.totals.discount, d("36.25"));
    assert_eq!(e.totals.shipping_discount, d("4.90"));
    assert_eq!(e.totals.payable, d("213.75"));
    // Floor(213.75) = 213 on the lines, 50 for gold.
    assert_eq!(e.points.total, d("263"));
    // 2% of 213.75 = 4.275, rounded half up.
    assert_eq!(e.cashback.total, d("4.28"));
    let summary = program.summarize(&basket.build()).unwrap();
    assert_eq!(summary.totals, e.totals);
    assert_eq!(summary.points, e.points.total);
    assert_eq!(summary.cashback, e.cashback.total);
    // The lean evaluation differs only by its trace.
    let lean = program
        .evaluate_with(
            &basket.build(),
            loyalty::evaluate::EvaluateOptions::new().trace(false),
        )
        .unwrap();
    assert_eq!(lean.totals, e.totals);
    assert_eq!(lean.discounts, e.discounts);
    assert_eq!(lean.points, e.points);
}

#[test]
fn no_tier_or_a_tier_without_benefits_gets_nothing() {
    let extra = json!({"ladders": [seeds_ladder()],
                       "earning": [{"id": "base", "points": "1", "per": "1.00"}],
                       "cashback": [{"id": "back", "percent": "2"}]});
    let program = tiered(
        json!({"free_shipping": true}),
        json!({"discount_percent": "5", "free_shipping": true, "bonus_points": "50"}),
        extra.clone(),
    );
    let mut without_tiers = extra;
    without_tiers["id"] = json!("seeds");
    without_tiers["currency"] = json!("EUR");
    without_tiers["time_zone"] = json!("Europe/Lisbon");
    let plain = crate::util::common::program(without_tiers);
    let basket = two_lines().shipping("4.90");
    let reference = eval(&plain, &basket.build());
    assert_eq!(reference.totals.payable, d("229.90"));
    for customer in [
        json!({"id": "C-1", "stats": {}}),
        json!({"id": "C-1", "tier": "bronze", "stats": {}}),
        json!({"id": "C-1", "tier": "platinum", "stats": {}}),
        // Tier ids match exactly, case included.
        json!({"id": "C-1", "tier": "Gold", "stats": {}}),
    ] {
        let checkout = basket.clone().customer(customer.clone()).build();
        let e = eval(&program, &checkout);
        assert_eq!(e.totals, reference.totals, "{customer}");
        assert_eq!(e.discounts, reference.discounts, "{customer}");
        assert_eq!(e.points, reference.points, "{customer}");
        assert_eq!(e.cashback, reference.cashback, "{customer}");
        assert!(
            e.trace
                .iter()
                .all(|t| t.rule.kind != RuleKind::Tier || t.stage == Stage::Facts),
            "{customer}"
        );
        let summary = program.summarize(&checkout).unwrap();
        assert_eq!(summary.totals, reference.totals);
    }
}

#[test]
fn a_zero_bonus_and_empty_benefits_give_nothing_and_are_not_written() {
    let program = tiered(json!({}), json!({"bonus_points": "0"}), json!({}));
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "10.00")
            .customer(gold())
            .build(),
    );
    assert_eq!(e.points.total, d("0"));
    assert!(e.points.bonuses.is_empty());
    let text = serde_json::to_value(program.definition()).unwrap();
    assert_eq!(text["tiers"][0], json!({"id": "bronze"}));
    assert_eq!(text["tiers"][1], json!({"id": "silver"}));
    assert_eq!(
        text["tiers"][2],
        json!({"id": "gold", "benefits": {"bonus_points": "0"}})
    );
}

fn refused(gold: Value, extra: Value) -> loyalty::program::ProgramError {
    let definition = definition(json!({}), gold, extra);
    Program::new(definition).expect_err("the program is refused")
}

#[test]
fn bad_benefits_are_refused_with_their_path() {
    let e = refused(json!({"discount_percent": "0"}), json!({}));
    assert_eq!(e.path(), "tiers[2].benefits.discount_percent");
    assert_eq!(e.problem(), &Problem::PercentOutOfRange { value: d("0") });
    let e = refused(json!({"discount_percent": "120"}), json!({}));
    assert_eq!(
        e.to_string(),
        "tiers[2].benefits.discount_percent: 120 is not a percent: give a value above 0 and at most 100"
    );
    let e = refused(json!({"discount_percent": "5.12345"}), json!({}));
    assert_eq!(
        e.problem(),
        &Problem::PercentTooPrecise {
            value: d("5.12345")
        }
    );
    let e = refused(json!({"bonus_points": "-1"}), json!({}));
    assert_eq!(e.path(), "tiers[2].benefits.bonus_points");
    assert_eq!(
        e.problem(),
        &Problem::Negative {
            what: "bonus",
            value: d("-1")
        }
    );
    let e = refused(json!({"bonus_points": "2.5"}), json!({}));
    assert_eq!(
        e.to_string(),
        "tiers[2].benefits.bonus_points: 2.5 points is not a whole number, but the program keeps whole points: give a whole number, or keep decimals in an earning rule's rounding"
    );
    let e = refused(
        json!({"bonus_points": "2.125"}),
        json!({"earning": [{"id": "base", "points": "1", "rounding": {"decimals": 2}}]}),
    );
    assert_eq!(
        e.problem(),
        &Problem::PointsTooPrecise {
            value: d("2.125"),
            decimals: 2
        }
    );
    // Trailing zeros are not decimals.
    assert!(
        Program::new(definition(
            json!({}),
            json!({"bonus_points": "50.00"}),
            json!({})
        ))
        .is_ok()
    );
    let e = refused(json!({"lines": {"categories": ["coffee"]}}), json!({}));
    assert_eq!(e.path(), "tiers[2].benefits.lines");
    assert_eq!(e.problem(), &Problem::LinesWithoutDiscount);
    let e = refused(
        json!({"discount_percent": "5", "lines": {"include_exempt": true}}),
        json!({}),
    );
    assert_eq!(e.path(), "tiers[2].benefits.lines.include_exempt");
    assert_eq!(e.problem(), &Problem::ExemptNeverDiscounted);
}

#[test]
fn every_bad_tier_is_reported_and_a_small_percent_is_warned() {
    let definition: ProgramDefinition = serde_json::from_value(json!({
        "id": "seeds", "currency": "EUR",
        "tiers": [
            {"id": "bronze", "benefits": {"discount_percent": "0.5"}},
            {"id": "silver", "benefits": {"bonus_points": "-5"}},
            {"id": "gold", "benefits": {"discount_percent": "101"}}
        ]
    }))
    .unwrap();
    let e = Program::new(definition).unwrap_err();
    assert_eq!(e.path(), "tiers[1].benefits.bonus_points");
    assert_eq!(e.others().len(), 1);
    assert_eq!(e.others()[0].path(), "tiers[2].benefits.discount_percent");
    let program = tiered(json!({}), json!({"discount_percent": "0.05"}), json!({}));
    assert_eq!(
        program.warnings()[0].to_string(),
        "tiers[2].benefits.discount_percent: percent 0.05 is below 1: did you mean 5?"
    );
}

#[test]
fn benefits_are_read_strictly() {
    let read = |benefits: Value| {
        serde_json::from_value::<ProgramDefinition>(json!({
            "id": "p", "currency": "EUR",
            "tiers": [{"id": "gold", "benefits": benefits}]
        }))
    };
    assert!(read(json!({"discount": "5"})).is_err());
    assert!(read(json!({"discount_percent": null})).is_err());
    assert!(read(json!({"bonus_points": null})).is_err());
    assert!(read(json!({})).is_ok());
}

#[test]
fn builders_write_the_same_program_as_the_json() {
    let gold = TierDefinition::new(TierId::new("gold").unwrap()).benefits(
        TierBenefits::new()
            .discount_percent("5")
            .free_shipping(true)
            .bonus_points(50),
    );
    let built = ProgramDefinition::new("p", Currency::EUR)
        .tier("bronze")
        .tier_definition(gold);
    let read: ProgramDefinition = serde_json::from_value(json!({
        "id": "p", "currency": "EUR",
        "tiers": [{"id": "bronze"},
                  {"id": "gold", "benefits": {"discount_percent": "5", "free_shipping": true,
                                              "bonus_points": "50"}}]
    }))
    .unwrap();
    assert_eq!(built, read);
    // A builder's bad number is reported by Program::new, with its path.
    let bad = ProgramDefinition::new("p", Currency::EUR).tier_definition(
        TierDefinition::new(TierId::new("gold").unwrap())
            .benefits(TierBenefits::new().discount_percent("five")),
    );
    let e = Program::new(bad).unwrap_err();
    assert_eq!(e.path(), "tiers[0].benefits.discount_percent");
    assert_eq!(
        e.problem(),
        &Problem::NotANumber {
            text: "five".into()
        }
    );
}

#[test]
fn a_program_with_benefits_survives_json() {
    let program = tiered(
        json!({"free_shipping": true}),
        json!({"discount_percent": "7.5", "free_shipping": true, "bonus_points": "50",
               "lines": {"exclude_categories": ["gift-cards"]}}),
        json!({"ladders": [seeds_ladder()]}),
    );
    let text = serde_json::to_string(program.definition()).unwrap();
    let back: ProgramDefinition = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, program.definition());
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value["tiers"][2]["benefits"],
        json!({"discount_percent": "7.5", "free_shipping": true, "bonus_points": "50",
               "lines": {"exclude_categories": ["gift-cards"]}})
    );
    // TOML too.
    let toml_text = toml::to_string(program.definition()).unwrap();
    let back: ProgramDefinition = toml::from_str(&toml_text).unwrap();
    assert_eq!(&back, program.definition());
    // And the evaluation, with its tier references.
    let e = eval(
        &Program::new(back).unwrap(),
        &two_lines().shipping("4.90").customer(gold()).build(),
    );
    let text = serde_json::to_string(&e).unwrap();
    let again: Evaluation = serde_json::from_str(&text).unwrap();
    assert_eq!(again, e);
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value["discounts"][1]["rule"],
        json!({"kind": "tier", "id": "gold"})
    );
    assert!(e.trace.iter().any(|t| matches!(
        t.reason,
        Reason::Discounted {
            target: Target::Shipping,
            ..
        }
    ) && t.rule.kind == RuleKind::Tier));
}

/// Lines (price in cents, quantity, exempt), shipping in cents.
type Lines = Vec<(u32, u32, bool)>;

fn checkout(lines: &Lines, shipping: u32, customer: Value, coupon: bool) -> Checkout {
    let mut basket = Basket::eur();
    for (i, &(price, quantity, exempt)) in lines.iter().enumerate() {
        let price = Decimal::new(i64::from(price), 2).to_string();
        basket = basket.line_with(
            &format!("SKU-{i}"),
            u64::from(quantity),
            &price,
            if i % 2 == 0 { &["coffee"] } else { &["tea"] },
            exempt,
        );
    }
    if coupon {
        basket = basket.coupon("TEN").coupon("SHIP");
    }
    basket
        .shipping(&Decimal::new(i64::from(shipping), 2).to_string())
        .customer(customer)
        .build()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    #[test]
    fn a_tier_discount_never_raises_the_payable_amount_and_summarize_agrees(
        lines in prop::collection::vec((0..50_000u32, 1..5u32, prop::bool::weighted(0.1)), 1..8),
        shipping in prop_oneof![Just(0u32), 1..2_000u32],
        percent in 1..=10_000u32,
        on_original in any::<bool>(),
        cap in prop::option::of(1..=100u32),
        only_coffee in any::<bool>(),
        coupon in any::<bool>(),
        bonus in 0..500u32,
    ) {
        let percent = Decimal::new(i64::from(percent), 2).normalize().to_string();
        let mut gold = json!({"discount_percent": percent, "free_shipping": true,
                              "bonus_points": bonus.to_string()});
        if only_coffee {
            gold["lines"] = json!({"categories": ["coffee"]});
        }
        let mut stacking = json!({"percentages": if on_original { "on_original" } else { "compound" }});
        if let Some(cap) = cap {
            stacking["max_total_percent"] = json!(cap.to_string());
        }
        let program = tiered(json!({}), gold, json!({
            "ladders": [seeds_ladder()],
            "stacking": stacking,
            "coupons": [
                {"id": "ten", "codes": ["TEN"], "reward": {"type": "percent_off", "percent": "10"}},
                {"id": "ship", "codes": ["SHIP"], "reward": {"type": "free_shipping"}}
            ],
            "earning": [{"id": "base", "points": "1", "per": "1.00"}],
            "cashback": [{"id": "back", "percent": "2"}]
        }));
        let with = checkout(&lines, shipping, json!({"id": "C-1", "tier": "gold", "stats": {}}), coupon);
        let without = checkout(&lines, shipping, json!({"id": "C-1", "tier": "bronze", "stats": {}}), coupon);
        let e = eval(&program, &with);
        let plain = eval(&program, &without);
        prop_assert!(e.totals.payable <= plain.totals.payable);
        prop_assert!(e.totals.discount >= plain.totals.discount);
        prop_assert!(e.totals.discount <= e.totals.subtotal);
        let tier: Decimal = e.discounts.iter()
            .filter(|x| x.rule.kind == RuleKind::Tier && x.target == Target::Items)
            .map(|x| x.amount)
            .sum();
        let on_lines: Decimal = e.lines.iter()
            .flat_map(|l| l.discounts.iter())
            .filter(|p| p.rule.kind == RuleKind::Tier)
            .map(|p| p.amount)
            .sum();
        prop_assert_eq!(on_lines, tier);
        prop_assert_eq!(e.points.order_level, plain.points.order_level + Decimal::from(bonus));
        for checkout in [&with, &without] {
            let full = program.evaluate(checkout).unwrap();
            let summary = program.summarize(checkout).unwrap();
            prop_assert_eq!(summary.totals, full.totals);
            prop_assert_eq!(summary.points, full.points.total);
            prop_assert_eq!(summary.cashback, full.cashback.total);
        }
    }
}
