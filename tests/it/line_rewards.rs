//! Per-line and per-unit rewards as platforms define them, and buy X get Y
//! with two selectors: each scenario worked out by hand from the rule or
//! test the platform documents (cited in a comment; the research notes
//! name the source files), then the errors of bad input, the round trips,
//! and properties (parts sum exactly, no line below zero, no reward above
//! what it counts; buy X get Y never more than it can give and never the
//! same unit bought and got; a gift's units growing with the units bought).

use loyalty::error::WarningKind;
use loyalty::evaluation::{DiscountDetail, Effect, Evaluation, Reason, TraceEntry};
use loyalty::prelude::*;
use loyalty::program::{Problem, ProgramError};
use loyalty::rules::coupon::Rejection;
use loyalty::rules::ladder::LadderBasis;
use loyalty::rules::line_rewards::DiscountedUnits;
use loyalty::rules::promotion::{PromotionDefinition, Reward};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::util::cases;
use crate::util::common::{Basket, d, eval, program_in, sum};

/// A program in `currency` with `promotions`.
fn promoted(currency: &str, promotions: Value) -> Program {
    program_in(currency, json!({ "promotions": promotions }))
}

/// A EUR program with `promotions`.
fn eur(promotions: Value) -> Program {
    promoted("EUR", promotions)
}

/// The error of a EUR program with one promotion.
fn refused(promotion: Value) -> ProgramError {
    let definition: ProgramDefinition = serde_json::from_value(json!({
        "id": "seeds", "currency": "EUR", "promotions": [promotion]
    }))
    .expect("deserialises");
    Program::new(definition).expect_err("the program is refused")
}

/// The warnings of a EUR program with one promotion.
fn warnings(promotion: Value) -> Vec<(String, WarningKind)> {
    let definition: ProgramDefinition = serde_json::from_value(json!({
        "id": "seeds", "currency": "EUR", "promotions": [promotion]
    }))
    .expect("deserialises");
    Program::new(definition)
        .expect("valid")
        .warnings()
        .iter()
        .map(|w| (w.path().to_owned(), w.kind().clone()))
        .collect()
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

/// The discounts' total of rule `id`.
fn total(e: &Evaluation, id: &str) -> Decimal {
    sum(parts(e, id))
}

/// The only trace entry about `id`.
fn only<'e>(e: &'e Evaluation, id: &str) -> &'e TraceEntry {
    let entries: Vec<_> = e.trace.iter().filter(|t| t.rule.id == id).collect();
    assert_eq!(entries.len(), 1, "one entry about {id}: {entries:#?}");
    entries[0]
}

/// The description of rule `id`'s discount.
fn description(e: &Evaluation, id: &str) -> String {
    e.discounts
        .iter()
        .find(|x| x.rule.id == id)
        .unwrap_or_else(|| panic!("{id} applied: {:#?}", e.discounts))
        .description()
}

// --- Amount off each line ---------------------------------------------------

#[test]
fn amount_off_each_line_once_per_line_as_solidus_flat_rate() {
    // Solidus `calculators/flat_rate.rb`: a flat preferred_amount per line
    // item, whatever its quantity; `benefit.rb` caps it at the item's
    // discountable amount.
    let program = eur(json!([{"id": "flat-5",
        "reward": {"type": "amount_off_each_line", "amount": "5.00"}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("SHIRT", 3, "20.00")
            .line("MUG", 1, "3.00")
            .line("TEA", 2, "4.50")
            .build(),
    );
    // 5.00 on the shirts (not 3 × 5.00), 3.00 on the 3.00 mug (capped),
    // 5.00 on the 9.00 of tea: 13.00.
    assert_eq!(parts(&e, "flat-5"), [d("5.00"), d("3.00"), d("5.00")]);
    assert_eq!(e.totals.discount, d("13.00"));
    assert_eq!(description(&e, "flat-5"), "5.00 EUR off each eligible line");
    assert_eq!(
        e.discounts[0].detail,
        DiscountDetail::AmountOffEachLine {
            amount: Money::parse("5.00", Currency::EUR).unwrap()
        }
    );
    // The same amount off each unit: 15.00 + 3.00 + 9.00 = 27.00.
    let per_unit = eur(json!([{"id": "unit-5",
        "reward": {"type": "amount_off_each_unit", "amount": "5.00"}}]));
    let e = eval(
        &per_unit,
        &Basket::eur()
            .line("SHIRT", 3, "20.00")
            .line("MUG", 1, "3.00")
            .line("TEA", 2, "4.50")
            .build(),
    );
    assert_eq!(e.totals.discount, d("27.00"));
}

#[test]
fn line_rewards_apply_before_order_level_discounts() {
    let program = eur(json!([
        {"id": "flat-5", "lines": {"skus": ["SHIRT"]},
         "reward": {"type": "amount_off_each_line", "amount": "5.00"}},
        {"id": "ten", "reward": {"type": "percent_off", "percent": "10"}}
    ]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("SHIRT", 2, "20.00")
            .line("MUG", 1, "10.00")
            .build(),
    );
    // 5.00 off the shirts first (40.00 → 35.00); then 10% of 45.00 =
    // 4.50, split 35 : 10 → 3.50 / 1.00.
    assert_eq!(parts(&e, "flat-5"), [d("5.00"), d("0")]);
    assert_eq!(parts(&e, "ten"), [d("3.50"), d("1.00")]);
    assert_eq!(e.totals.payable, d("40.50"));
}

// --- Amount off each unit: first unit, caps ---------------------------------

#[test]
fn first_unit_and_further_units_as_solidus_flexi_rate() {
    // Solidus `calculators/flexi_rate.rb`: first_item + additional_item ×
    // (min(quantity, max_items) − 1); its example: first 5, additional 2,
    // max 5 → quantity 3 gives 9, quantity 10 gives 13.
    let program = promoted(
        "USD",
        json!([{"id": "flexi", "reward": {"type": "amount_off_each_unit",
            "amount": "2.00", "first_unit": "5.00", "max_units_per_line": 5}}]),
    );
    let e = eval(
        &program,
        &Basket::new("USD")
            .line("SHIRT", 3, "20.00")
            .line("HAT", 10, "20.00")
            .build(),
    );
    assert_eq!(parts(&e, "flexi"), [d("9.00"), d("13.00")]);
    assert_eq!(
        description(&e, "flexi"),
        "5.00 USD off the first eligible unit of each line, 2.00 USD off each further unit (8 unit(s) counted)"
    );
    // max_items = 0 is "no cap" in Solidus: leave max_units_per_line out.
    // 5 + 2 × 9 = 23.00 on ten hats.
    let uncapped = promoted(
        "USD",
        json!([{"id": "flexi", "reward": {"type": "amount_off_each_unit",
            "amount": "2.00", "first_unit": "5.00"}}]),
    );
    let e = eval(
        &uncapped,
        &Basket::new("USD").line("HAT", 10, "20.00").build(),
    );
    assert_eq!(e.totals.discount, d("23.00"));
    assert_eq!(
        description(&e, "flexi"),
        "5.00 USD off the first eligible unit of each line, 2.00 USD off each further unit"
    );
    // One unit: only the first-unit amount.
    let e = eval(
        &program,
        &Basket::new("USD").line("HAT", 1, "20.00").build(),
    );
    assert_eq!(e.totals.discount, d("5.00"));
}

#[test]
fn a_unit_cap_per_line_as_medusa_each() {
    // Medusa `compute-actions/line-items.ts`, allocation `each`: a fixed
    // value × min(quantity, max_quantity). Fixed 5, max_quantity 2, a line
    // of 3 at 10.00 → 10.00.
    let program = eur(
        json!([{"id": "each", "reward": {"type": "amount_off_each_unit",
        "amount": "5.00", "max_units_per_line": 2}}]),
    );
    let e = eval(&program, &Basket::eur().line("TEE", 3, "10.00").build());
    assert_eq!(e.totals.discount, d("10.00"));
    assert_eq!(
        description(&e, "each"),
        "5.00 EUR off each eligible unit (2 unit(s) counted)"
    );
    // Never more than the units counted cost: 2 units at 4.00 give 8.00
    // (Medusa caps at the whole line, 12.00, and would give 10.00).
    let e = eval(&program, &Basket::eur().line("TEE", 3, "4.00").build());
    assert_eq!(e.totals.discount, d("8.00"));
    assert_eq!(e.lines[0].net, d("4.00"));
}

#[test]
fn a_unit_cap_per_order_counts_the_cheapest_or_the_dearest_units() {
    // Medusa allocation `once`: lines sorted by unit price ascending, units
    // discounted cheapest first until max_quantity units.
    let basket = Basket::eur()
        .line("A", 2, "8.00")
        .line("B", 2, "5.00")
        .line("C", 1, "12.00")
        .build();
    let cheapest = eur(
        json!([{"id": "once", "reward": {"type": "amount_off_each_unit",
        "amount": "1.00", "max_units": 3}}]),
    );
    // The two 5.00 units, then one 8.00 unit.
    let e = eval(&cheapest, &basket);
    assert_eq!(parts(&e, "once"), [d("1.00"), d("2.00"), d("0")]);
    let dearest = eur(
        json!([{"id": "once", "reward": {"type": "amount_off_each_unit",
        "amount": "1.00", "max_units": 3, "discounted": "most_expensive"}}]),
    );
    // The 12.00 unit, then the two 8.00 units.
    let e = eval(&dearest, &basket);
    assert_eq!(parts(&e, "once"), [d("2.00"), d("0"), d("1.00")]);
    // Both caps: at most one unit per line, three in all, dearest first.
    let both = eur(
        json!([{"id": "once", "reward": {"type": "amount_off_each_unit",
        "amount": "1.00", "max_units_per_line": 1, "max_units": 2,
        "discounted": "most_expensive"}}]),
    );
    let e = eval(&both, &basket);
    assert_eq!(parts(&e, "once"), [d("1.00"), d("0"), d("1.00")]);
}

// --- Percent off each unit --------------------------------------------------

#[test]
fn percent_off_each_unit_rounds_each_unit_as_sylius() {
    // Sylius `UnitPercentageDiscountPromotionActionCommand.php`: each unit
    // gets (int) round(unit price × percentage). 10% of 125 cents = 12.5 →
    // 13 per unit, 26 on two units; a percent off the line's 2.50 rounds
    // once: 0.25.
    let each = eur(json!([{"id": "unit-10",
        "reward": {"type": "percent_off_each_unit", "percent": "10"}}]));
    let line = eur(json!([{"id": "line-10",
        "reward": {"type": "percent_off", "percent": "10"}}]));
    let basket = Basket::eur().line("PEN", 2, "1.25").build();
    assert_eq!(eval(&each, &basket).totals.discount, d("0.26"));
    assert_eq!(eval(&line, &basket).totals.discount, d("0.25"));
    assert_eq!(
        description(&eval(&each, &basket), "unit-10"),
        "10% off each eligible unit (2 unit(s) counted)"
    );
}

#[test]
fn percent_off_the_cheapest_unit_once_per_order_as_saleor() {
    // saleor-docs `developer/discounts/apply-vouchers.mdx`: a specific
    // product voucher of 10% on lines of $45 and $20 (not on $1.99) gives
    // −4.50 / −2.00 / 0; with applyOncePerOrder only the cheapest eligible
    // unit: −2.00 on the $20 line.
    let basket = Basket::new("USD")
        .line("A", 1, "45.00")
        .line("B", 1, "20.00")
        .line("C", 1, "1.99")
        .build();
    let all = promoted(
        "USD",
        json!([{"id": "v", "lines": {"skus": ["A", "B"]},
            "reward": {"type": "percent_off_each_unit", "percent": "10"}}]),
    );
    assert_eq!(
        parts(&eval(&all, &basket), "v"),
        [d("4.50"), d("2.00"), d("0")]
    );
    let once = promoted(
        "USD",
        json!([{"id": "v", "lines": {"skus": ["A", "B"]},
            "reward": {"type": "percent_off_each_unit", "percent": "10", "max_units": 1}}]),
    );
    let e = eval(&once, &basket);
    assert_eq!(parts(&e, "v"), [d("0"), d("2.00"), d("0")]);
    assert_eq!(
        description(&e, "v"),
        "10% off each eligible unit (1 unit(s) counted)"
    );
    // The dearest unit instead.
    let dearest = promoted(
        "USD",
        json!([{"id": "v", "lines": {"skus": ["A", "B"]},
            "reward": {"type": "percent_off_each_unit", "percent": "10", "max_units": 1,
                       "discounted": "most_expensive"}}]),
    );
    assert_eq!(
        parts(&eval(&dearest, &basket), "v"),
        [d("4.50"), d("0"), d("0")]
    );
}

#[test]
fn percent_off_each_unit_up_to_a_quantity_per_line_as_medusa_each() {
    // Medusa `each` percentage: percent × unit price × max_quantity. 10%,
    // max_quantity 2, a line of 3 at 10.00 → 2.00.
    let program = eur(
        json!([{"id": "each", "reward": {"type": "percent_off_each_unit",
        "percent": "10", "max_units_per_line": 2}}]),
    );
    let e = eval(&program, &Basket::eur().line("TEE", 3, "10.00").build());
    assert_eq!(e.totals.discount, d("2.00"));
}

#[test]
fn units_got_by_a_buy_x_get_y_are_not_discounted_again() {
    let program = eur(json!([
        {"id": "b1g1", "priority": 1,
         "reward": {"type": "buy_x_get_y", "buy": 1, "get": 1}},
        {"id": "unit-10", "reward": {"type": "percent_off_each_unit", "percent": "10"}}
    ]));
    let e = eval(&program, &Basket::eur().line("MUG", 2, "10.00").build());
    // One mug free (10.00); 10% of the one left to pay: 1.00.
    assert_eq!(total(&e, "b1g1"), d("10.00"));
    assert_eq!(total(&e, "unit-10"), d("1.00"));
    assert_eq!(e.lines[0].net, d("9.00"));
}

// --- Steps on each line's own amount or quantity ----------------------------

#[test]
fn steps_on_each_line_s_own_amount_as_solidus_tiered_flat_rate() {
    // Solidus `calculators/tiered_flat_rate.rb`: the tier whose key is at
    // most the item's own discountable amount (not the order's) gives a
    // flat amount per item.
    let steps = json!([{"from": "50.00", "amount": "5.00"}, {"from": "100.00", "amount": "10.00"}]);
    let program = eur(json!([{"id": "tiered", "reward": {"type": "amount_off",
        "basis": "line_amount", "steps": steps}}]));
    let basket = Basket::eur()
        .line("A", 1, "120.00")
        .line("B", 2, "30.00")
        .line("C", 1, "40.00")
        .build();
    let e = eval(&program, &basket);
    // 120.00 reaches 100 → 10.00; 60.00 reaches 50 → 5.00; 40.00 none.
    assert_eq!(parts(&e, "tiered"), [d("10.00"), d("5.00"), d("0")]);
    assert_eq!(e.totals.discount, d("15.00"));
    assert_eq!(
        description(&e, "tiered"),
        "step 2 reached (10.00 EUR off from 100.00) on best line amount 120.00"
    );
    // Where the order stands: on its best line.
    assert_eq!(e.ladders[0].basis, d("120.00"));
    assert_eq!(e.ladders[0].step, Some(1));
    assert_eq!(e.ladders[0].amount, d("15.00"));
    // The same steps on the basket's subtotal: 220.00 → 10.00 once.
    let basket_steps = eur(json!([{"id": "tiered", "reward": {"type": "amount_off",
        "steps": steps}}]));
    assert_eq!(eval(&basket_steps, &basket).totals.discount, d("10.00"));
}

#[test]
fn no_line_reaching_the_first_step_is_said_of_the_best_line() {
    let program = eur(json!([{"id": "tiered", "reward": {"type": "amount_off",
        "basis": "line_amount", "steps": [{"from": "50.00", "amount": "5.00"}]}}]));
    // 70.00 in all, but no line reaches 50.00 on its own.
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "40.00")
            .line("B", 1, "30.00")
            .build(),
    );
    assert_eq!(e.totals.discount, d("0.00"));
    let entry = only(&e, "tiered");
    assert_eq!(
        entry.reason,
        Reason::BelowFirstStep {
            basis: LadderBasis::LineAmount,
            measured: d("40.00"),
            first: d("50.00"),
            missing: d("10.00"),
        }
    );
    assert_eq!(
        entry.message(),
        "not applied: best line amount 40.00 is below the first step 50.00; 10.00 more reaches it"
    );
    // Behind a code, the verdict says to add to one line.
    let coded = eur(
        json!([{"id": "tiered", "codes": ["LINE5"], "reward": {"type": "amount_off",
        "basis": "line_amount", "steps": [{"from": "50.00", "amount": "5.00"}]}}]),
    );
    let e = eval(
        &coded,
        &Basket::eur()
            .line("A", 1, "40.00")
            .line("B", 1, "30.00")
            .coupon("LINE5")
            .build(),
    );
    assert_eq!(
        e.coupons[0].message(),
        "this code starts at a line amount of 50.00 (best eligible line: 40.00): add 10.00 more to one line"
    );
}

#[test]
fn percent_steps_on_each_line_s_quantity_with_caps_per_line() {
    let program = eur(json!([{"id": "bulk", "reward": {"type": "percent_off",
        "basis": "line_quantity", "steps": [
            {"from": "3", "percent": "10", "cap": "1.00"},
            {"from": "6", "percent": "20", "cap": "4.00"}]}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 6, "5.00")
            .line("B", 3, "3.33")
            .line("C", 2, "10.00")
            .build(),
    );
    // A: 6 units → 20% of 30.00 = 6.00, capped at 4.00; B: 3 units → 10%
    // of 9.99 = 0.999, under its cap, rounded on the line: 1.00; C: 2
    // units, no step.
    assert_eq!(parts(&e, "bulk"), [d("4.00"), d("1.00"), d("0")]);
    assert_eq!(e.ladders[0].basis, d("6"));
    assert_eq!(
        description(&e, "bulk"),
        "step 2 reached (20% from 6) on best line quantity 6"
    );
}

#[test]
fn a_ladder_may_step_each_line_too() {
    let program = program_in(
        "EUR",
        json!({"ladders": [{"id": "per-line", "basis": "line_amount",
            "steps": [{"from": "50.00", "percent": "10"}]}]}),
    );
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "60.00")
            .line("B", 1, "40.00")
            .build(),
    );
    // Only A reaches 50.00: 6.00.
    assert_eq!(parts(&e, "per-line"), [d("6.00"), d("0")]);
}

// --- A gift per N units -----------------------------------------------------

#[test]
fn a_gift_per_n_units_as_solidus_and_odoo() {
    // Solidus `benefits/create_discounted_item.rb`: the gift line's
    // quantity is floor(applicable quantity / necessary_quantity) ×
    // quantity. Odoo `sale_loyalty/tests/test_program_numbers.py`: buy 3
    // cabinets get 1: 3 → 1 free, 6 → 2, 75 → 25.
    let program = eur(json!([{"id": "cabinet", "lines": {"skus": ["CABINET"]},
        "reward": {"type": "free_gift", "sku": "CABINET", "value": "320.00", "per": 3}}]));
    for (bought, free, worth) in [(3, 1, "320.00"), (6, 2, "640.00"), (75, 25, "8000.00")] {
        let e = eval(
            &program,
            &Basket::eur().line("CABINET", bought, "320.00").build(),
        );
        assert_eq!(e.gifts.len(), 1, "{bought}");
        assert_eq!(e.gifts[0].quantity, free, "{bought}");
        assert_eq!(e.gifts[0].value, d(worth), "{bought}");
        assert!(e.effects.contains(&Effect::AddGift {
            key: "seeds/A-1/gift:cabinet".into(),
            coupon: "cabinet".parse().unwrap(),
            sku: "CABINET".parse().unwrap(),
            quantity: free,
        }));
        assert_eq!(
            description(&e, "cabinet"),
            format!("gift: {free} × CABINET")
        );
    }
    // Two cabinets: one short.
    let e = eval(
        &program,
        &Basket::eur().line("CABINET", 2, "320.00").build(),
    );
    assert!(e.gifts.is_empty());
    assert!(e.effects.is_empty());
    assert_eq!(
        only(&e, "cabinet").reason,
        Reason::NotEligible {
            rejection: Rejection::MinimumQuantityNotMet {
                minimum: 3,
                quantity: 2,
                missing: 1
            }
        }
    );
}

#[test]
fn a_gift_per_n_units_with_a_quantity_and_a_maximum() {
    // Two samples (worth 16.00 together) per 3 coffees, at most 4 samples.
    let program = eur(
        json!([{"id": "samples", "lines": {"categories": ["coffee"]},
        "reward": {"type": "free_gift", "sku": "SAMPLE", "quantity": 2, "value": "16.00",
                   "per": 3, "max_quantity": 4}}]),
    );
    let gift = |coffees: u64| {
        let e = eval(
            &program,
            &Basket::eur()
                .line_in("BEANS", coffees, "6.00", &["coffee"])
                .line_in("TEA", 5, "4.00", &["tea"])
                .build(),
        );
        e.gifts.first().map(|g| (g.quantity, g.value))
    };
    // 7 coffees: floor(7 / 3) = 2 groups → 4 samples, 32.00; the tea does
    // not count.
    assert_eq!(gift(7), Some((4, d("32.00"))));
    assert_eq!(gift(5), Some((2, d("16.00"))));
    // 30 coffees: 10 groups, at most 4 samples → 2 groups.
    assert_eq!(gift(30), Some((4, d("32.00"))));
    assert_eq!(gift(2), None);
}

// --- Buy X get Y with two selectors -----------------------------------------

/// Medusa's buy-get: buy 2 t-shirts, get 1 sweater, the most expensive.
fn tees_and_sweaters(max: Option<u32>) -> Program {
    let mut reward = json!({"type": "buy_x_get_y", "buy": 2, "get": 1,
        "buy_lines": {"skus": ["TEE"]}, "get_lines": {"categories": ["sweaters"]},
        "discounted": "most_expensive"});
    if let Some(max) = max {
        reward["max_applications"] = json!(max);
    }
    promoted("USD", json!([{"id": "tee-sweater", "reward": reward}]))
}

fn tees(tees: u64, sweaters: u64) -> Basket {
    Basket::new("USD").line("TEE", tees, "20.00").line_in(
        "SWEATER",
        sweaters,
        "50.00",
        &["sweaters"],
    )
}

#[test]
fn buy_two_t_shirts_get_a_sweater_as_medusa() {
    // Medusa PR #13305 ("Allow buyget promotion to apply multiple times"):
    // buy 2 t-shirts get 1 sweater; max_quantity 1: 4 t-shirts → 1 sweater
    // free; max_quantity 3: 6 t-shirts → 3 free, 8 → still 3. (Medusa's
    // max_quantity counts units got; with one unit got per application it
    // is max_applications.)
    let e = eval(&tees_and_sweaters(Some(1)), &tees(4, 3).build());
    assert_eq!(parts(&e, "tee-sweater"), [d("0"), d("50.00")]);
    let three = tees_and_sweaters(Some(3));
    let e = eval(&three, &tees(6, 4).build());
    assert_eq!(total(&e, "tee-sweater"), d("150.00"));
    let e = eval(&three, &tees(8, 4).build());
    assert_eq!(total(&e, "tee-sweater"), d("150.00"));
    assert_eq!(
        e.discounts[0].detail,
        DiscountDetail::BuyXGetY {
            buy: 2,
            get: 1,
            groups: 3,
            free_units: 3,
            discounted: Some(DiscountedUnits::MostExpensive),
            percent: None,
            amount: None,
        }
    );
    assert_eq!(
        description(&e, "tee-sweater"),
        "buy 2 get 1: 3 time(s), 3 most expensive unit(s) got free"
    );
    // Without a maximum, 8 t-shirts get the 4 sweaters.
    let e = eval(&tees_and_sweaters(None), &tees(8, 4).build());
    assert_eq!(total(&e, "tee-sweater"), d("200.00"));
    // The t-shirts themselves are never got.
    assert_eq!(parts(&e, "tee-sweater")[0], d("0"));
}

#[test]
fn the_units_got_are_the_cheapest_or_the_most_expensive() {
    // Medusa sorts the target items by price, descending: the most
    // expensive are discounted; many shops (and today's buy_x_get_y) give
    // the cheapest.
    let basket = Basket::new("USD")
        .line("TEE", 2, "20.00")
        .line_in("SWEATER-A", 1, "50.00", &["sweaters"])
        .line_in("SWEATER-B", 1, "60.00", &["sweaters"])
        .build();
    let e = eval(&tees_and_sweaters(None), &basket);
    assert_eq!(parts(&e, "tee-sweater"), [d("0"), d("0"), d("60.00")]);
    let cheapest = promoted(
        "USD",
        json!([{"id": "tee-sweater", "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1,
            "buy_lines": {"skus": ["TEE"]}, "get_lines": {"categories": ["sweaters"]}}}]),
    );
    let e = eval(&cheapest, &basket);
    assert_eq!(parts(&e, "tee-sweater"), [d("0"), d("50.00"), d("0")]);
    // Free and cheapest, it is described as today's buy X get Y is.
    assert_eq!(
        description(&e, "tee-sweater"),
        "buy 2 get 1: 1 group(s) of 3 eligible units, 1 cheapest unit(s) free"
    );
}

#[test]
fn buy_a_coffee_get_a_mug_at_half_price() {
    // Shopify's buy X get Y (`DiscountAutomaticBxgyInput`): customerBuys
    // and customerGets name different items, and the effect on the items
    // got is a percentage. Buy 1 coffee, get 1 mug at 50%: 2 coffees and
    // 3 mugs → 2 applications, 2 mugs at half price. The percent is
    // rounded once on the line's units got (Medusa: unit price × quantity
    // × value / 100): 50% of 19.98 = 9.99 (rounding each unit, 4.995 →
    // 5.00, would give 10.00).
    let program = eur(json!([{"id": "mug-half", "reward": {"type": "buy_x_get_y",
        "buy": 1, "get": 1, "buy_lines": {"skus": ["COFFEE"]}, "get_lines": {"skus": ["MUG"]},
        "percent": "50"}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("COFFEE", 2, "12.00")
            .line("MUG", 3, "9.99")
            .build(),
    );
    assert_eq!(parts(&e, "mug-half"), [d("0"), d("9.99")]);
    assert_eq!(
        description(&e, "mug-half"),
        "buy 1 get 1: 2 time(s), 2 cheapest unit(s) got at 50% off"
    );
    // No coffee, no mug at half price; the trace says why.
    let e = eval(&program, &Basket::eur().line("MUG", 3, "9.99").build());
    assert_eq!(e.totals.discount, d("0.00"));
    let entry = only(&e, "mug-half");
    assert_eq!(
        entry.reason,
        Reason::NotEligible {
            rejection: Rejection::BuyGetNotMet {
                buy: 1,
                get: 1,
                to_buy: 0,
                to_get: 3
            }
        }
    );
    assert_eq!(
        entry.message(),
        "not applied: this offer needs 1 eligible item(s) bought and 1 more to get, each unit counting once: the basket has 0 to buy and 3 to get"
    );
}

#[test]
fn an_amount_off_each_unit_got() {
    // Buy 2 shirts, get 1 pair of socks 5.00 off; 4 shirts → 2
    // applications: the cheapest socks (3.00, capped at its price) and a
    // pair at 8.00 (5.00 off): 8.00.
    let program = eur(json!([{"id": "socks", "reward": {"type": "buy_x_get_y",
        "buy": 2, "get": 1, "buy_lines": {"skus": ["SHIRT"]},
        "get_lines": {"categories": ["socks"]}, "amount": "5.00"}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("SHIRT", 4, "25.00")
            .line_in("SOCKS-A", 1, "3.00", &["socks"])
            .line_in("SOCKS-B", 2, "8.00", &["socks"])
            .build(),
    );
    assert_eq!(parts(&e, "socks"), [d("0"), d("3.00"), d("5.00")]);
    assert_eq!(
        description(&e, "socks"),
        "buy 2 get 1: 2 time(s), 2 cheapest unit(s) got at 5.00 EUR off each"
    );
}

#[test]
fn bought_units_are_set_aside_without_wasting_a_unit_to_get() {
    // Buy any clothes, get a shirt free: a shirt and trousers. The trousers
    // are bought (only the buy selector takes them), so the shirt can be
    // got; setting the dearest unit aside first would leave nothing to get.
    let program = eur(json!([{"id": "shirt", "reward": {"type": "buy_x_get_y",
        "buy": 1, "get": 1, "buy_lines": {"categories": ["clothes"]},
        "get_lines": {"skus": ["SHIRT"]}}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line_in("SHIRT", 1, "30.00", &["clothes"])
            .line_in("TROUSERS", 1, "20.00", &["clothes"])
            .build(),
    );
    assert_eq!(parts(&e, "shirt"), [d("30.00"), d("0")]);
}

#[test]
fn shared_units_are_bought_dearest_first_then_the_rule_picks_what_is_got() {
    // Buy from A or B, get from B or C, buy 1 get 1. A 1 × 10.00, B 2 ×
    // 15.00, C 2 × 5.00: 1 unit only to buy (A), 2 only to get (C), 2 both
    // (B): 2 applications (5 units, groups of 2). The second bought unit
    // is a B (the dearest shared unit); then the cheapest two left are the
    // Cs (10.00), the two most expensive a B and a C (20.00).
    let rule = |discounted: &str| {
        eur(
            json!([{"id": "ab-bc", "reward": {"type": "buy_x_get_y", "buy": 1, "get": 1,
            "buy_lines": {"skus": ["A", "B"]}, "get_lines": {"skus": ["B", "C"]},
            "discounted": discounted}}]),
        )
    };
    let basket = Basket::eur()
        .line("A", 1, "10.00")
        .line("B", 2, "15.00")
        .line("C", 2, "5.00")
        .build();
    let e = eval(&rule("cheapest"), &basket);
    assert_eq!(parts(&e, "ab-bc"), [d("0"), d("0"), d("10.00")]);
    let e = eval(&rule("most_expensive"), &basket);
    assert_eq!(parts(&e, "ab-bc"), [d("0"), d("15.00"), d("5.00")]);
}

#[test]
fn today_s_buy_x_get_y_means_what_it_meant() {
    // One selector (the promotion's lines), the cheapest units free: 3 tea
    // units, one group of 2 + 1, the 6.00 unit free.
    let legacy = json!({"id": "tea-3for2", "lines": {"categories": ["tea"]},
        "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1}});
    let program = eur(json!([legacy]));
    let basket = Basket::eur()
        .line_in("TEA-A", 2, "9.00", &["tea"])
        .line_in("TEA-B", 1, "6.00", &["tea"])
        .build();
    let e = eval(&program, &basket);
    assert_eq!(parts(&e, "tea-3for2"), [d("0"), d("6.00")]);
    assert_eq!(
        description(&e, "tea-3for2"),
        "buy 2 get 1: 1 group(s) of 3 eligible units, 1 cheapest unit(s) free"
    );
    // Its JSON reads back and writes out unchanged: no new field appears.
    let definition: PromotionDefinition = serde_json::from_value(legacy.clone()).unwrap();
    let mut written = serde_json::to_value(&definition).unwrap();
    written.as_object_mut().unwrap().remove("stacking");
    written.as_object_mut().unwrap().remove("priority");
    assert_eq!(written, legacy);
    // The same rule with every new field at what it defaults to.
    let explicit = eur(json!([{"id": "tea-3for2", "lines": {"categories": ["tea"]},
        "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1,
            "buy_lines": {"categories": ["tea"]}, "get_lines": {"categories": ["tea"]},
            "discounted": "cheapest", "percent": "100"}}]));
    assert_eq!(
        parts(&eval(&explicit, &basket), "tea-3for2"),
        [d("0"), d("6.00")]
    );
}

#[test]
fn disjoint_selectors_are_fine() {
    // Buy coffee, get a mug: the selectors share no sku, and that is the
    // point.
    let program = eur(
        json!([{"id": "mug", "reward": {"type": "buy_x_get_y", "buy": 1,
        "get": 1, "buy_lines": {"skus": ["COFFEE"]}, "get_lines": {"skus": ["MUG"]}}}]),
    );
    assert!(program.warnings().is_empty());
}

// --- Bad input --------------------------------------------------------------

#[test]
fn bad_line_and_unit_rewards_are_refused_naming_the_path() {
    let cases: Vec<(Value, &str, Problem)> = vec![
        (
            json!({"type": "amount_off_each_line", "amount": "-1.00"}),
            "promotions[0].reward.amount",
            Problem::Negative {
                what: "amount",
                value: d("-1.00"),
            },
        ),
        (
            json!({"type": "amount_off_each_unit", "amount": "2.00", "first_unit": "-5.00"}),
            "promotions[0].reward.first_unit",
            Problem::Negative {
                what: "amount",
                value: d("-5.00"),
            },
        ),
        (
            json!({"type": "amount_off_each_unit", "amount": "2.00", "max_units_per_line": 0}),
            "promotions[0].reward.max_units_per_line",
            Problem::ZeroLimit,
        ),
        (
            json!({"type": "percent_off_each_unit", "percent": "10", "max_units": 0}),
            "promotions[0].reward.max_units",
            Problem::ZeroLimit,
        ),
        (
            json!({"type": "percent_off_each_unit", "percent": "10", "discounted": "cheapest"}),
            "promotions[0].reward.discounted",
            Problem::OptionNeeds {
                option: "discounted",
                needs: "max_units",
            },
        ),
        (
            json!({"type": "percent_off_each_unit", "percent": "150"}),
            "promotions[0].reward.percent",
            Problem::PercentOutOfRange { value: d("150") },
        ),
        (
            json!({"type": "buy_x_get_y", "buy": 2, "get": 0}),
            "promotions[0].reward.get",
            Problem::BuyGetZero,
        ),
        (
            json!({"type": "buy_x_get_y", "buy": 0, "get": 1}),
            "promotions[0].reward.buy",
            Problem::BuyGetZero,
        ),
        (
            json!({"type": "buy_x_get_y", "buy": 1, "get": 1,
                   "buy_lines": {"skus": ["COFFEE"], "exclude_skus": ["COFFEE"]}}),
            "promotions[0].reward.buy_lines",
            Problem::SelectsNothing {
                role: "bought",
                listed: "sku \"COFFEE\"".into(),
            },
        ),
        (
            json!({"type": "buy_x_get_y", "buy": 1, "get": 1,
                   "get_lines": {"categories": ["mugs"], "exclude_categories": ["mugs"]}}),
            "promotions[0].reward.get_lines",
            Problem::SelectsNothing {
                role: "got",
                listed: "category \"mugs\"".into(),
            },
        ),
        (
            json!({"type": "buy_x_get_y", "buy": 1, "get": 1,
                   "get_lines": {"include_exempt": true}}),
            "promotions[0].reward.get_lines.include_exempt",
            Problem::ExemptNeverDiscounted,
        ),
        (
            json!({"type": "buy_x_get_y", "buy": 1, "get": 1, "percent": "50", "amount": "1.00"}),
            "promotions[0].reward.amount",
            Problem::PercentAndAmountOff,
        ),
        (
            json!({"type": "buy_x_get_y", "buy": 1, "get": 1, "percent": "0.00001"}),
            "promotions[0].reward.percent",
            Problem::PercentTooPrecise {
                value: d("0.00001"),
            },
        ),
        (
            json!({"type": "buy_x_get_y", "buy": 1, "get": 1, "amount": "-1.00"}),
            "promotions[0].reward.amount",
            Problem::Negative {
                what: "amount",
                value: d("-1.00"),
            },
        ),
        (
            json!({"type": "free_gift", "sku": "MUG", "value": "8.00", "per": 0}),
            "promotions[0].reward.per",
            Problem::ZeroLimit,
        ),
        (
            json!({"type": "free_gift", "sku": "MUG", "value": "8.00", "max_quantity": 2}),
            "promotions[0].reward.max_quantity",
            Problem::OptionNeeds {
                option: "max_quantity",
                needs: "per",
            },
        ),
        (
            json!({"type": "free_gift", "sku": "MUG", "value": "8.00", "quantity": 2,
                   "per": 3, "max_quantity": 3}),
            "promotions[0].reward.max_quantity",
            Problem::MaxQuantityNotMultiple {
                max: 3,
                quantity: 2,
            },
        ),
        (
            json!({"type": "percent_off", "basis": "line_quantity", "mode": "bracket",
                   "steps": [{"from": "2", "percent": "10"}]}),
            "promotions[0].reward.mode",
            Problem::BracketNeedsSubtotal,
        ),
        (
            json!({"type": "percent_off", "basis": "line_quantity",
                   "steps": [{"from": "2.5", "percent": "10"}]}),
            "promotions[0].reward.steps[0]",
            Problem::FractionalQuantity { value: d("2.5") },
        ),
    ];
    for (reward, path, problem) in cases {
        let error = refused(json!({"id": "p", "reward": reward}));
        assert_eq!(error.path(), path, "{reward}");
        assert_eq!(error.problem(), &problem, "{reward}");
    }
    // An amount finer than the currency's minor unit names its field.
    let error = refused(json!({"id": "p", "reward": {"type": "amount_off_each_unit",
        "amount": "2.00", "first_unit": "0.005"}}));
    assert_eq!(error.path(), "promotions[0].reward.first_unit");
    // The messages say what to do.
    let message = |reward: Value| refused(json!({"id": "p", "reward": reward})).to_string();
    assert_eq!(
        message(json!({"type": "buy_x_get_y", "buy": 1, "get": 1,
            "buy_lines": {"skus": ["COFFEE"], "exclude_skus": ["COFFEE"]}})),
        "promotions[0].reward.buy_lines: no line can ever be bought: sku \"COFFEE\" is both included and excluded; remove it from one of the two lists"
    );
    assert_eq!(
        message(json!({"type": "percent_off_each_unit", "percent": "10",
            "discounted": "most_expensive"})),
        "promotions[0].reward.discounted: discounted only applies with max_units: give max_units, or remove discounted"
    );
    assert_eq!(
        message(
            json!({"type": "buy_x_get_y", "buy": 1, "get": 1, "percent": "50",
            "amount": "1.00"})
        ),
        "promotions[0].reward.amount: give either percent or amount off each unit got, not both (neither: the units got are free)"
    );
    assert_eq!(
        message(
            json!({"type": "free_gift", "sku": "MUG", "value": "8.00", "quantity": 2,
            "per": 3, "max_quantity": 3})
        ),
        "promotions[0].reward.max_quantity: max_quantity 3 is not a whole number of gifts of 2 units: give a multiple of quantity"
    );
    // A misspelt field is refused by deserialisation.
    let typo: Result<ProgramDefinition, _> = serde_json::from_value(json!({
        "id": "seeds", "currency": "EUR", "promotions": [{"id": "p",
            "reward": {"type": "amount_off_each_unit", "amount": "1.00", "max_unit": 2}}]
    }));
    assert!(typo.unwrap_err().to_string().contains("max_unit"));
}

#[test]
fn rewards_worth_nothing_or_odd_percents_are_warned_of() {
    assert_eq!(
        warnings(json!({"id": "p", "reward": {"type": "amount_off_each_line", "amount": "0"}})),
        [(
            "promotions[0].reward.amount".to_owned(),
            WarningKind::ZeroReward { what: "amount" }
        )]
    );
    // A first unit off alone is worth something.
    assert!(
        warnings(
            json!({"id": "p", "reward": {"type": "amount_off_each_unit", "amount": "0",
            "first_unit": "5.00"}})
        )
        .is_empty()
    );
    assert_eq!(
        warnings(json!({"id": "p", "reward": {"type": "percent_off_each_unit", "percent": "0.5"}})),
        [(
            "promotions[0].reward.percent".to_owned(),
            WarningKind::PercentBelowOne { value: d("0.5") }
        )]
    );
    assert_eq!(
        warnings(
            json!({"id": "p", "reward": {"type": "buy_x_get_y", "buy": 1, "get": 1,
            "amount": "0"}})
        ),
        [(
            "promotions[0].reward.amount".to_owned(),
            WarningKind::ZeroReward { what: "amount" }
        )]
    );
}

// --- Round trips and builders -----------------------------------------------

/// A program with every new setting.
fn every_setting() -> Value {
    json!({"id": "seeds", "currency": "EUR", "promotions": [
        {"id": "a", "reward": {"type": "amount_off_each_line", "amount": "5.00"}},
        {"id": "b", "reward": {"type": "amount_off_each_unit", "amount": "2.00",
            "first_unit": "5.00", "max_units_per_line": 5, "max_units": 9,
            "discounted": "most_expensive"}},
        {"id": "c", "reward": {"type": "percent_off_each_unit", "percent": "10",
            "max_units_per_line": 1, "max_units": 3, "discounted": "cheapest"}},
        {"id": "d", "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1, "max_applications": 3,
            "buy_lines": {"skus": ["TEE"]}, "get_lines": {"categories": ["sweaters"]},
            "discounted": "most_expensive", "percent": "50"}},
        {"id": "e", "reward": {"type": "buy_x_get_y", "buy": 1, "get": 1, "amount": "2.50"}},
        {"id": "f", "reward": {"type": "free_gift", "sku": "SAMPLE", "quantity": 2,
            "value": "3.00", "per": 3, "max_quantity": 6}},
        {"id": "g", "reward": {"type": "amount_off", "basis": "line_amount",
            "steps": [{"from": "50.00", "amount": "5.00"}]}},
        {"id": "h", "reward": {"type": "percent_off", "basis": "line_quantity",
            "steps": [{"from": "3", "percent": "10"}]}}
    ]})
}

#[test]
fn the_new_settings_round_trip_through_json_and_toml() {
    let def: ProgramDefinition = serde_json::from_value(every_setting()).unwrap();
    Program::new(def.clone()).expect("valid");
    let json = serde_json::to_value(&def).unwrap();
    for (i, promotion) in every_setting()["promotions"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(json["promotions"][i]["reward"], promotion["reward"], "{i}");
    }
    assert_eq!(
        serde_json::from_value::<ProgramDefinition>(json).unwrap(),
        def
    );
    let toml = toml::to_string(&def).unwrap();
    assert_eq!(toml::from_str::<ProgramDefinition>(&toml).unwrap(), def);
}

#[test]
fn the_rust_builders_write_the_same_rewards() {
    let json = every_setting();
    let reward = |i: usize| -> Reward {
        serde_json::from_value(json["promotions"][i]["reward"].clone()).unwrap()
    };
    assert_eq!(Reward::amount_off_each_line(d("5.00")), reward(0));
    assert_eq!(
        Reward::amount_off_each_unit(d("2.00"))
            .first_unit(d("5.00"))
            .max_units_per_line(5)
            .max_units(9)
            .discounted(DiscountedUnits::MostExpensive),
        reward(1)
    );
    assert_eq!(
        Reward::percent_off_each_unit(d("10"))
            .max_units_per_line(1)
            .max_units(3)
            .discounted(DiscountedUnits::Cheapest),
        reward(2)
    );
    assert_eq!(
        Reward::buy_x_get_y(2, 1)
            .max_applications(3)
            .buy_lines(LineSelector::all().sku("TEE").unwrap())
            .get_lines(LineSelector::all().category("sweaters").unwrap())
            .discounted(DiscountedUnits::MostExpensive)
            .percent(d("50")),
        reward(3)
    );
    assert_eq!(Reward::buy_x_get_y(1, 1).amount(d("2.50")), reward(4));
    assert_eq!(
        Reward::free_gift("SAMPLE".parse().unwrap(), d("3.00"))
            .quantity(2)
            .per(3)
            .max_quantity(6),
        reward(5)
    );
    // A setter of another reward leaves it as it is.
    assert_eq!(
        Reward::amount_off_each_line(d("5.00")).max_units(3),
        reward(0)
    );
}

#[test]
fn evaluations_with_the_new_details_round_trip() {
    let program = Program::new(serde_json::from_value(every_setting()).unwrap()).unwrap();
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEE", 4, "20.00")
            .line_in("SWEATER", 2, "50.00", &["sweaters"])
            .line("MUG", 3, "60.00")
            .build(),
    );
    let kinds: Vec<String> = e
        .discounts
        .iter()
        .map(|x| {
            serde_json::to_value(&x.detail).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for kind in [
        "amount_off_each_line",
        "amount_off_each_unit",
        "percent_off_each_unit",
        "buy_x_get_y",
        "gift",
        "ladder",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let back: Evaluation = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
    assert_eq!(back, e);
}

// --- Properties -------------------------------------------------------------

/// Lines of (price in cents, units, in the "a" category).
fn lines() -> impl Strategy<Value = Vec<(u32, u64, bool)>> {
    prop::collection::vec((0..=5_000u32, 1..=6u64, any::<bool>()), 1..6)
}

fn basket_of(lines: &[(u32, u64, bool)]) -> Basket {
    let mut basket = Basket::eur();
    for (i, &(cents, units, a)) in lines.iter().enumerate() {
        let category: &[&str] = if a { &["a"] } else { &["b"] };
        basket = basket.line_in(
            &format!("SKU-{i}"),
            units,
            &format!("{}.{:02}", cents / 100, cents % 100),
            category,
        );
    }
    basket
}

fn money(cents: u32) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn cents(amount: Decimal) -> i64 {
    i64::try_from((amount * Decimal::ONE_HUNDRED).trunc().mantissa()).unwrap()
}

/// An each-unit reward: amount (with a first unit) or percent, with caps.
fn each_unit() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        0..=3_000u32,
        prop::option::of(0..=6_000u32),
        1..=100u32,
        prop::option::of(1..=4u32),
        prop::option::of(1..=8u32),
        any::<bool>(),
    )
        .prop_map(|(amount, each, first, percent, per_line, order, dearest)| {
            let mut r = if amount {
                let mut r = json!({"type": "amount_off_each_unit", "amount": money(each)});
                if let Some(first) = first {
                    r["first_unit"] = json!(money(first));
                }
                r
            } else {
                json!({"type": "percent_off_each_unit", "percent": percent.to_string()})
            };
            if let Some(m) = per_line {
                r["max_units_per_line"] = json!(m);
            }
            if let Some(m) = order {
                r["max_units"] = json!(m);
                if dearest {
                    r["discounted"] = json!("most_expensive");
                }
            }
            r
        })
}

/// A buy X get Y with two selectors over categories "a" and "b".
fn buy_get() -> impl Strategy<Value = (Value, u32, u32, Option<u32>, u8, u8)> {
    (
        1..=3u32,
        1..=2u32,
        prop::option::of(1..=3u32),
        0..3u8,
        0..3u8,
        any::<bool>(),
        prop_oneof![Just(None), (1..=100u32).prop_map(Some)],
    )
        .prop_map(|(buy, get, max, buy_side, get_side, dearest, percent)| {
            // 0: category a, 1: category b, 2: every line.
            let selector = |side: u8| match side {
                0 => json!({"categories": ["a"]}),
                1 => json!({"categories": ["b"]}),
                _ => json!({}),
            };
            let mut r = json!({"type": "buy_x_get_y", "buy": buy, "get": get,
                "buy_lines": selector(buy_side), "get_lines": selector(get_side)});
            if let Some(max) = max {
                r["max_applications"] = json!(max);
            }
            if dearest {
                r["discounted"] = json!("most_expensive");
            }
            if let Some(p) = percent {
                r["percent"] = json!(p.to_string());
            }
            (r, buy, get, max, buy_side, get_side)
        })
}

/// Whether a line of category `a` falls on `side` (0: a, 1: b, 2: all).
fn on(side: u8, a: bool) -> bool {
    match side {
        0 => a,
        1 => !a,
        _ => true,
    }
}

/// The most applications any assignment of the units to bought, got or
/// neither allows (each unit one role), by brute force over small baskets;
/// with the least the units got can cost at that count.
fn brute_force(
    lines: &[(u32, u64, bool)],
    buy: u32,
    get: u32,
    max: Option<u32>,
    buy_side: u8,
    get_side: u8,
) -> (u64, u64) {
    // Each unit: (price, can be bought, can be got).
    let units: Vec<(u64, bool, bool)> = lines
        .iter()
        .flat_map(|&(cents, n, a)| {
            std::iter::repeat_n(
                (u64::from(cents), on(buy_side, a), on(get_side, a)),
                n as usize,
            )
        })
        .collect();
    let mut best = (0u64, u64::MAX);
    let mut roles = vec![0u8; units.len()];
    loop {
        let (mut bought, mut got, mut cost) = (0u64, Vec::new(), 0u64);
        let mut valid = true;
        for (unit, &role) in units.iter().zip(&roles) {
            match role {
                1 if unit.1 => bought += 1,
                2 if unit.2 => got.push(unit.0),
                0 => {}
                _ => valid = false,
            }
        }
        if valid {
            let mut k = (bought / u64::from(buy)).min(got.len() as u64 / u64::from(get));
            if let Some(max) = max {
                k = k.min(u64::from(max));
            }
            // The cheapest k × get of the units got.
            got.sort_unstable();
            cost += got.iter().take((k * u64::from(get)) as usize).sum::<u64>();
            if k > best.0 || (k == best.0 && cost < best.1) {
                best = (k, cost);
            }
        }
        // The next assignment, counting in base 3.
        let mut i = 0;
        while i < roles.len() && roles[i] == 2 {
            roles[i] = 0;
            i += 1;
        }
        if i == roles.len() {
            break;
        }
        roles[i] += 1;
    }
    best
}

/// What an each-unit reward gives on each line of a basket alone, by the
/// documented rule: each line counts its units up to the line's cap; the
/// order's cap then counts units across the lines by price (cheapest or
/// dearest first, ties to the earlier line); a line's part is the rule's
/// amounts on its counted units (a percent rounded half-up per unit),
/// never more than they cost. In cents.
fn each_unit_oracle(reward: &Value, lines: &[(u32, u64, bool)], a_only: bool) -> Vec<i64> {
    let per_line = reward["max_units_per_line"].as_u64();
    let mut counted: Vec<u64> = lines
        .iter()
        .map(|&(_, units, a)| {
            if a_only && !a {
                0
            } else {
                per_line.map_or(units, |m| units.min(m))
            }
        })
        .collect();
    if let Some(order) = reward["max_units"].as_u64() {
        let mut by_price: Vec<usize> = (0..lines.len()).collect();
        let dearest = reward["discounted"] == "most_expensive";
        by_price.sort_by(|&x, &y| {
            let (px, py) = (lines[x].0, lines[y].0);
            (if dearest { py.cmp(&px) } else { px.cmp(&py) }).then(x.cmp(&y))
        });
        let mut left = order;
        for i in by_price {
            counted[i] = counted[i].min(left);
            left -= counted[i];
        }
    }
    lines
        .iter()
        .zip(&counted)
        .map(|(&(price, _, _), &c)| {
            if c == 0 {
                return 0;
            }
            let (price, c) = (i64::from(price), c as i64);
            let want = match reward["amount"].as_str() {
                Some(amount) => {
                    let each = cents(d(amount));
                    let first = reward["first_unit"].as_str().map_or(each, |f| cents(d(f)));
                    first + each * (c - 1)
                }
                None => {
                    let p: i64 = reward["percent"].as_str().unwrap().parse().unwrap();
                    (price * p + 50) / 100 * c
                }
            };
            want.min(price * c)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    /// Each-unit rewards give on each line what the documented rule gives
    /// (so never more than the units counted cost, nor more units than the
    /// caps count); the parts sum to the discount and no line goes below
    /// zero.
    #[test]
    fn each_unit_rewards_give_what_the_rule_says(
        reward in each_unit(),
        lines in lines(),
        a_only in any::<bool>(),
    ) {
        let mut promotion = json!({"id": "u", "reward": reward.clone()});
        if a_only {
            promotion["lines"] = json!({"categories": ["a"]});
        }
        let program = eur(json!([promotion]));
        let e = eval(&program, &basket_of(&lines).build());
        let given: Vec<i64> = parts(&e, "u").into_iter().map(cents).collect();
        prop_assert_eq!(&given, &each_unit_oracle(&reward, &lines, a_only));
        for line in &e.lines {
            prop_assert!(line.net >= Decimal::ZERO);
        }
        prop_assert_eq!(given.iter().sum::<i64>(), cents(e.totals.discount));
        if let (Some(order), Some(x)) = (
            reward["max_units"].as_u64(),
            e.discounts.iter().find(|x| x.rule.id == "u"),
        ) {
            let units = match &x.detail {
                DiscountDetail::AmountOffEachUnit { units, .. } => units.unwrap_or(0),
                DiscountDetail::PercentOffEachUnit { units, .. } => *units,
                other => panic!("{other:?}"),
            };
            prop_assert!(units <= order);
        }
    }

    /// Amount off each line: exactly min(amount, line) on each eligible
    /// line, alone.
    #[test]
    fn amount_off_each_line_is_the_amount_or_the_line(amount in 0..=3_000u32, lines in lines()) {
        let program = eur(json!([{"id": "l", "lines": {"categories": ["a"]},
            "reward": {"type": "amount_off_each_line", "amount": money(amount)}}]));
        let e = eval(&program, &basket_of(&lines).build());
        for (part, &(price, units, a)) in parts(&e, "l").iter().zip(&lines) {
            let expected = if a { i64::from(amount).min(i64::from(price) * units as i64) } else { 0 };
            prop_assert_eq!(cents(*part), expected);
        }
    }

    /// Buy X get Y with two selectors: as many applications as any
    /// assignment of the units to bought, got or neither allows, and no
    /// more (so never more units got than floor(bought / buy) × get, and
    /// never a unit both bought and got); parts only on lines the get
    /// selector takes, each at most its price; and, free and cheapest, the
    /// least the units got can cost.
    #[test]
    fn buy_x_get_y_gets_what_the_units_allow_and_no_more(
        (reward, buy, get, max, buy_side, get_side) in buy_get(),
        lines in prop::collection::vec((100..=5_000u32, 1..=2u64, any::<bool>()), 1..4),
    ) {
        let program = eur(json!([{"id": "bg", "reward": reward.clone()}]));
        let e = eval(&program, &basket_of(&lines).build());
        let (most, cheapest_cost) = brute_force(&lines, buy, get, max, buy_side, get_side);
        // Prices from 1.00 and percents from 1: a unit got always gives
        // something, so the rule applies exactly when a unit can be got.
        let applied = e.discounts.iter().find(|x| x.rule.id == "bg");
        prop_assert_eq!(applied.is_some(), most > 0);
        if let Some(x) = applied {
            match &x.detail {
                DiscountDetail::BuyXGetY { groups, free_units, .. } => {
                    prop_assert_eq!(*groups, most);
                    prop_assert_eq!(*free_units, most * u64::from(get));
                }
                other => prop_assert!(false, "{other:?}"),
            }
        }
        for (part, &(price, units, a)) in parts(&e, "bg").iter().zip(&lines) {
            if !on(get_side, a) {
                prop_assert_eq!(*part, Decimal::ZERO);
            }
            prop_assert!(cents(*part) <= i64::from(price) * units as i64);
        }
        if reward.get("percent").is_none() && reward.get("discounted").is_none() {
            prop_assert_eq!(cents(e.totals.discount), if most == 0 { 0 } else { cheapest_cost as i64 });
        }
    }

    /// The explicit form of today's buy X get Y (both selectors the
    /// promotion's lines, the cheapest, 100%) gives the same parts.
    #[test]
    fn the_explicit_buy_x_get_y_equals_today_s(
        buy in 1..=3u32,
        get in 1..=2u32,
        max in prop::option::of(1..=3u32),
        lines in lines(),
    ) {
        let mut legacy = json!({"type": "buy_x_get_y", "buy": buy, "get": get});
        if let Some(max) = max {
            legacy["max_applications"] = json!(max);
        }
        let mut explicit = legacy.clone();
        explicit["buy_lines"] = json!({"categories": ["a"]});
        explicit["get_lines"] = json!({"categories": ["a"]});
        explicit["discounted"] = json!("cheapest");
        explicit["percent"] = json!("100");
        let basket = basket_of(&lines).build();
        let a = eval(&eur(json!([{"id": "bg", "lines": {"categories": ["a"]}, "reward": legacy}])), &basket);
        let b = eval(&eur(json!([{"id": "bg", "lines": {"categories": ["a"]}, "reward": explicit}])), &basket);
        prop_assert_eq!(parts(&a, "bg"), parts(&b, "bg"));
        prop_assert_eq!(a.totals, b.totals);
    }

    /// A gift per N units: its quantity is min(floor(units / per), max
    /// groups) × quantity, and one more unit bought never gives fewer.
    #[test]
    fn a_gift_s_quantity_grows_with_the_units_bought(
        per in 1..=5u32,
        quantity in 1..=3u32,
        groups in prop::option::of(1..=4u32),
        units in 0..=30u64,
    ) {
        let mut reward = json!({"type": "free_gift", "sku": "GIFT", "value": "1.00",
            "quantity": quantity, "per": per});
        if let Some(groups) = groups {
            reward["max_quantity"] = json!(groups * quantity);
        }
        let program = eur(json!([{"id": "g", "lines": {"categories": ["a"]}, "reward": reward}]));
        let gift = |units: u64| {
            let mut basket = Basket::eur().line_in("TEA", 2, "4.00", &["b"]);
            if units > 0 {
                basket = basket.line_in("BEANS", units, "6.00", &["a"]);
            }
            let e = eval(&program, &basket.build());
            e.gifts.first().map_or(0, |g| u64::from(g.quantity))
        };
        let now = gift(units);
        let mut expected = units / u64::from(per);
        if let Some(groups) = groups {
            expected = expected.min(u64::from(groups));
        }
        prop_assert_eq!(now, expected * u64::from(quantity));
        prop_assert!(gift(units + 1) >= now);
    }

    /// Steps on each line's own amount: each line gets what it gets alone
    /// (so the order's discount is the sum of its lines' alone), and no
    /// line goes below zero.
    #[test]
    fn per_line_steps_treat_each_line_on_its_own(lines in lines(), percent in any::<bool>()) {
        let steps = if percent {
            json!([{"from": "20.00", "percent": "5", "cap": "3.00"},
                   {"from": "80.00", "percent": "12.5", "cap": "9.00"}])
        } else {
            json!([{"from": "20.00", "amount": "2.50"}, {"from": "80.00", "amount": "7.00"}])
        };
        let kind = if percent { "percent_off" } else { "amount_off" };
        let program = eur(json!([{"id": "s", "reward": {"type": kind,
            "basis": "line_amount", "steps": steps}}]));
        let e = eval(&program, &basket_of(&lines).build());
        let mut alone = Decimal::ZERO;
        for (i, line) in lines.iter().enumerate() {
            let one = eval(&program, &basket_of(std::slice::from_ref(line)).build());
            alone += one.totals.discount;
            prop_assert!(e.lines[i].net >= Decimal::ZERO);
            prop_assert_eq!(parts(&e, "s")[i], one.totals.discount);
        }
        prop_assert_eq!(e.totals.discount, alone);
    }
}

#[test]
fn unit_and_line_rewards_come_off_the_discountable_amount() {
    // Two units at 20.00, of which 15.00 each may be discounted (a sale
    // price already applied): 10% off each unit is 1.50 a unit, 3.00 on
    // the line; 12.00 off each unit fits in 15.00: 24.00; 10.00 off the
    // line fits in 30.00: 10.00. Per-line steps measure the whole 40.00
    // (from 35.00: 10%) and take 10% of the discountable 30.00: 3.00.
    let at = "2026-11-27T10:00:00Z".parse().unwrap();
    let line = Line::new("1", "TEA", 2, Money::parse("20.00", Currency::EUR).unwrap())
        .unwrap()
        .with_discountable_unit_amount(Money::parse("15.00", Currency::EUR).unwrap())
        .unwrap();
    let order = Order::builder("D-1", "C-1", at, Currency::EUR)
        .line(line)
        .build()
        .unwrap();
    let checkout = Checkout::new(order, Customer::new("C-1").unwrap(), at);
    let cases = [
        (
            json!({"type": "percent_off_each_unit", "percent": "10"}),
            "3.00",
        ),
        (
            json!({"type": "amount_off_each_unit", "amount": "12.00"}),
            "24.00",
        ),
        (
            json!({"type": "amount_off_each_line", "amount": "10.00"}),
            "10.00",
        ),
        (
            json!({"type": "percent_off", "basis": "line_amount",
                   "steps": [{"from": "35.00", "percent": "10"}]}),
            "3.00",
        ),
    ];
    for (reward, expected) in cases {
        let program = eur(json!([{"id": "r", "reward": reward.clone()}]));
        assert_eq!(
            eval(&program, &checkout).totals.discount,
            d(expected),
            "{reward}"
        );
    }
    // 20.00 off each unit: no more than the 15.00 each that may go.
    let program = eur(json!([{"id": "r",
        "reward": {"type": "amount_off_each_unit", "amount": "20.00"}}]));
    assert_eq!(eval(&program, &checkout).totals.discount, d("30.00"));
}
