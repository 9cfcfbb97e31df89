//! The programs and checkouts the benchmarks evaluate. Each builder is
//! named for what it builds; every checkout is checked to evaluate.

use loyalty::evaluate::Checkout;
use loyalty::program::{Program, ProgramDefinition};

// --- The smallest decision ------------------------------------------------

/// The smallest decision a general rules engine would be asked: the seeds'
/// ladder, one point per 1.00 of gross (floored), gold 3× and silver 2×
/// (the two tiers listed, as a program naming tiers must).
const SMALLEST: &str = r#"{
    "id": "smallest",
    "currency": "EUR",
    "time_zone": "UTC",
    "tiers": [{"id": "silver"}, {"id": "gold"}],
    "ladders": [{
        "id": "spend-more-save-more",
        "steps": [
            {"from": "100.00", "percent": "5"},
            {"from": "200.00", "percent": "10"},
            {"from": "300.00", "percent": "15"}
        ]
    }],
    "earning": [
        {"id": "points", "base": "gross", "points": "1", "per": "1.00", "rounding": "floor"}
    ],
    "multipliers": {
        "tiers": [
            {"tier": "gold", "factor": "3"},
            {"tier": "silver", "factor": "2"}
        ]
    }
}"#;

/// A one-line order (2 × 125.00) of a gold customer.
pub const SMALLEST_CHECKOUT: &str = r#"{
    "order": {"id": "S-1", "customer": "C-1", "placed_at": "2026-11-28T10:00:00Z",
              "currency": "EUR",
              "lines": [{"id": "1", "sku": "SKU-1", "quantity": 2, "unit_price": "125.00 EUR"}]},
    "customer": {"id": "C-1", "tier": "gold"},
    "at": "2026-11-28T10:00:00Z"
}"#;

/// The program of the smallest decision, compiled.
pub fn smallest_program() -> Program {
    let definition: ProgramDefinition =
        serde_json::from_str(SMALLEST).expect("the smallest program parses");
    Program::new(definition).expect("the smallest program compiles")
}

/// The checkout of the smallest decision, parsed from [`SMALLEST_CHECKOUT`].
pub fn smallest_checkout() -> Checkout {
    serde_json::from_str(SMALLEST_CHECKOUT).expect("the smallest checkout parses")
}

// --- The reference program ------------------------------------------------

/// The reference program: three tiers, the seeds' ladder and 20 coupons of
/// every kind, three of them in the exclusive group "welcome".
const PROGRAM: &str = r#"{
    "id": "reference",
    "name": "Reference program for the benchmarks",
    "currency": "EUR",
    "time_zone": "Europe/Berlin",
    "tiers": [{"id": "bronze"}, {"id": "silver"}, {"id": "gold"}],
    "ladders": [{
        "id": "spend-more-save-more",
        "steps": [
            {"from": "100.00", "percent": "5"},
            {"from": "200.00", "percent": "10"},
            {"from": "300.00", "percent": "15"}
        ]
    }],
    "coupons": [
        {"id": "save10", "codes": ["SAVE10"],
         "reward": {"type": "percent_off", "percent": "10", "cap": "50.00"}},
        {"id": "welcome-10", "codes": ["WELCOME10"], "first_order_only": true,
         "min_subtotal": "50.00", "stacking": {"group": "welcome"},
         "reward": {"type": "percent_off", "percent": "10", "cap": "30.00"}},
        {"id": "welcome-5", "codes": ["WELCOME5"], "first_order_only": true,
         "stacking": {"group": "welcome"},
         "reward": {"type": "amount_off", "amount": "5.00"}},
        {"id": "welcome-ship", "codes": ["WELCOMESHIP"], "first_order_only": true,
         "stacking": {"group": "welcome"},
         "reward": {"type": "free_shipping"}},
        {"id": "ten-off", "codes": ["TENOFF"], "min_subtotal": "80.00",
         "reward": {"type": "amount_off", "amount": "10.00"}},
        {"id": "tea-15", "codes": ["TEA15"], "lines": {"categories": ["tea"]},
         "valid": {"from": "2026-11-01", "to": "2026-12-31"},
         "reward": {"type": "percent_off", "percent": "15"}},
        {"id": "coffee-unit", "codes": ["COFFEEUNIT"], "lines": {"categories": ["coffee"]},
         "reward": {"type": "amount_off_each_unit", "amount": "0.50"}},
        {"id": "ship-free", "codes": ["SHIPFREE"], "min_subtotal": "40.00",
         "reward": {"type": "free_shipping"}},
        {"id": "cheapest-accessory", "codes": ["CHEAPEST"], "min_quantity": 3,
         "lines": {"categories": ["accessories"]},
         "reward": {"type": "cheapest_free"}},
        {"id": "tea-3for2", "codes": ["TEA3FOR2"], "lines": {"categories": ["tea"]},
         "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1, "max_applications": 3}},
        {"id": "gift-mug", "codes": ["MUG"], "min_subtotal": "60.00",
         "reward": {"type": "free_gift", "sku": "MUG", "value": "8.00"}},
        {"id": "black-friday", "codes": ["BF20"], "stacking": "exclusive",
         "valid": {"from": "2026-11-27", "to": "2026-11-30"},
         "reward": {"type": "percent_off", "percent": "20", "cap": "100.00"}},
        {"id": "advent", "codes": ["ADVENT"],
         "valid": {"from": "2026-12-01T00:00", "to": "2026-12-24T18:00"},
         "reward": {"type": "amount_off", "amount": "15.00"}},
        {"id": "spring", "codes": ["SPRING5"],
         "valid": {"from": "2026-03-01", "to": "2026-03-31"},
         "reward": {"type": "percent_off", "percent": "5"}},
        {"id": "gold-12", "codes": ["GOLD12"], "tiers": ["gold"],
         "reward": {"type": "percent_off", "percent": "12", "cap": "60.00"}},
        {"id": "newsletter", "codes": ["NEWS3"], "per_customer_limit": 1,
         "reward": {"type": "amount_off", "amount": "3.00"}},
        {"id": "gift-cards", "codes": ["GIFT-AAA1", "GIFT-AAA2", "GIFT-AAA3"], "unique": true,
         "reward": {"type": "amount_off", "amount": "20.00"}},
        {"id": "coffee-bogo", "codes": ["COFFEEBOGO"], "lines": {"categories": ["coffee"]},
         "reward": {"type": "buy_x_get_y", "buy": 1, "get": 1, "max_applications": 1}},
        {"id": "accessory-unit", "codes": ["ACCUNIT"],
         "lines": {"categories": ["accessories"], "exclude_skus": ["SKU-2"]},
         "reward": {"type": "amount_off_each_unit", "amount": "1.00"}},
        {"id": "second-order", "codes": ["SECOND8"], "order_number": 2, "priority": 5,
         "reward": {"type": "percent_off", "percent": "8"}}
    ]
}"#;

const CATEGORIES: [&str; 3] = ["tea", "coffee", "accessories"];

/// The reference program, compiled.
pub fn reference_program() -> Program {
    let definition: ProgramDefinition =
        serde_json::from_str(PROGRAM).expect("the reference program parses");
    Program::new(definition).expect("the reference program compiles")
}

/// `lines` order lines as JSON (the items of a `"lines"` array), cycling
/// through the three categories. One line: 2 × 125.00; more lines:
/// quantities 1 to 3, prices from 8.90 to 57.90.
fn order_lines_json(lines: usize) -> String {
    (0..lines)
        .map(|i| {
            let (quantity, price) = if lines == 1 {
                (2, "125.00".to_owned())
            } else {
                (1 + i % 3, format!("{}.90", 8 + (i * 17) % 50))
            };
            format!(
                r#"{{"id": "{n}", "sku": "SKU-{i}", "categories": ["{category}"],
                    "quantity": {quantity}, "unit_price": "{price} EUR"}}"#,
                n = i + 1,
                category = CATEGORIES[i % CATEGORIES.len()],
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A checkout of `lines` lines with the code "save10" entered, by a
/// returning customer without a tier, on 28 November 2026 (the day after
/// Black Friday). Every size reaches a step of the ladder.
pub fn reference_checkout(lines: usize) -> Checkout {
    let json = format!(
        r#"{{
            "order": {{"id": "A-{lines}", "customer": "C-1", "placed_at": "2026-11-28T10:00:00Z",
                       "currency": "EUR", "shipping": "4.90 EUR", "coupons": ["save10"],
                       "lines": [{order_lines}]}},
            "customer": {{"id": "C-1", "stats": {{"orders_before": 3,
                          "lifetime_spend": "412.30", "last_order_at": "2026-10-02T09:00:00Z"}}}},
            "coupon_usage": [{{"code": "SAVE10", "overall": 120, "by_customer": 0}}],
            "at": "2026-11-28T10:00:00Z"
        }}"#,
        order_lines = order_lines_json(lines),
    );
    serde_json::from_str(&json).expect("the reference checkout parses")
}

// --- A program with many coupon codes -------------------------------------

/// The `i`-th code (from 1) of the gift card batch.
fn gift_card_code(i: usize) -> String {
    format!("GIFT-{i:06}")
}

/// The seeds' ladder and one coupon, "gift-cards": a unique batch of
/// `codes` single-use codes `GIFT-000001` … worth 20.00 off each.
pub fn coupon_codes_program(codes: usize) -> Program {
    let codes: Vec<String> = (1..=codes).map(gift_card_code).collect();
    let program = serde_json::json!({
        "id": "coupon-codes",
        "currency": "EUR",
        "time_zone": "Europe/Berlin",
        "ladders": [{
            "id": "spend-more-save-more",
            "steps": [
                {"from": "100.00", "percent": "5"},
                {"from": "200.00", "percent": "10"},
                {"from": "300.00", "percent": "15"}
            ]
        }],
        "coupons": [{
            "id": "gift-cards", "codes": codes, "unique": true,
            "reward": {"type": "amount_off", "amount": "20.00"}
        }]
    });
    let definition: ProgramDefinition =
        serde_json::from_value(program).expect("the coupon codes program parses");
    Program::new(definition).expect("the coupon codes program compiles")
}

/// A three-line order (the lines of `reference_checkout(3)`) entering the
/// last code of a batch of `codes`, never used before, in lower case.
pub fn coupon_codes_checkout(codes: usize) -> Checkout {
    let json = format!(
        r#"{{
            "order": {{"id": "G-{codes}", "customer": "C-1", "placed_at": "2026-11-28T10:00:00Z",
                       "currency": "EUR", "shipping": "4.90 EUR", "coupons": ["{code}"],
                       "lines": [{order_lines}]}},
            "customer": {{"id": "C-1", "stats": {{"orders_before": 3,
                          "lifetime_spend": "412.30", "last_order_at": "2026-10-02T09:00:00Z"}}}},
            "at": "2026-11-28T10:00:00Z"
        }}"#,
        code = gift_card_code(codes).to_lowercase(),
        order_lines = order_lines_json(3),
    );
    serde_json::from_str(&json).expect("the coupon codes checkout parses")
}

// --- The full program -----------------------------------------------------

/// What the "full" program adds to the reference one: four earning rules
/// (net, per unit of coffee, per order from 100.00, gross with a cap), tier
/// multipliers, double points on Black Friday, a bonus on the fifth order,
/// 2% cashback capped at 20.00, and a ledger policy.
const FULL_EXTRAS: &str = r#"{
    "earning": [
        {"id": "base-points", "points": "1", "per": "1.00"},
        {"id": "coffee-club", "base": "per_unit", "points": "10",
         "lines": {"categories": ["coffee"]}},
        {"id": "order-points", "base": "per_order", "points": "50", "min_order": "100.00"},
        {"id": "gross-points", "base": "gross", "points": "1", "per": "10.00", "cap": "50"}
    ],
    "multipliers": {
        "tiers": [
            {"tier": "silver", "factor": "1.25"},
            {"tier": "gold", "factor": "1.5"}
        ],
        "campaigns": [
            {"id": "black-friday-double", "when": {"seasonal_event": "black_friday"},
             "factor": "2"}
        ]
    },
    "bonuses": [{"id": "fifth-order", "when": {"order_number": 5}, "points": "250"}],
    "cashback": [{"id": "cashback", "percent": "2", "cap": "20.00"}],
    "ledger": {"return_window_days": 30, "points_expiry": {"after_months": 12}}
}"#;

/// The full program: the reference one with [`FULL_EXTRAS`] added, compiled.
pub fn full_program() -> Program {
    let mut program: serde_json::Value =
        serde_json::from_str(PROGRAM).expect("the reference program parses");
    let extras: serde_json::Value = serde_json::from_str(FULL_EXTRAS).expect("the extras parse");
    let (Some(program_fields), serde_json::Value::Object(extra_fields)) =
        (program.as_object_mut(), extras)
    else {
        unreachable!("both are JSON objects");
    };
    program_fields.extend(extra_fields);
    let definition: ProgramDefinition =
        serde_json::from_value(program).expect("the full program parses");
    Program::new(definition).expect("the full program compiles")
}

/// Black Friday 2026 (27 November), 11:00 in Berlin.
const BLACK_FRIDAY: &str = "2026-11-27T10:00:00Z";

/// The 10-line order of `reference_checkout(10)` with "save10" entered, by
/// a gold customer placing their fifth order, on Black Friday 2026: every
/// stage of the full program has work to do (ladder, coupon, four earning
/// rules, tier and campaign multipliers, the bonus, cashback, expiry dates).
pub fn full_checkout() -> Checkout {
    let json = format!(
        r#"{{
            "order": {{"id": "F-10", "customer": "C-1", "placed_at": "{BLACK_FRIDAY}",
                       "currency": "EUR", "shipping": "4.90 EUR", "coupons": ["save10"],
                       "lines": [{order_lines}]}},
            "customer": {{"id": "C-1", "tier": "gold", "stats": {{"orders_before": 4,
                          "lifetime_spend": "612.30", "last_order_at": "2026-10-02T09:00:00Z"}}}},
            "coupon_usage": [{{"code": "SAVE10", "overall": 120, "by_customer": 0}}],
            "at": "{BLACK_FRIDAY}"
        }}"#,
        order_lines = order_lines_json(10),
    );
    serde_json::from_str(&json).expect("the full checkout parses")
}

// --- The batch --------------------------------------------------------------

/// How many checkouts the batch holds.
pub const BATCH: usize = 10_000;

/// `BATCH` three-line checkouts for the full program, varied: prices, quantities and categories;
/// no tier or one of the three; no code or one of six (some rejected, e.g.
/// "TEA15" outside its window or without tea); first to ninth order; five
/// instants from 20 November to 20 December 2026, Black Friday among them.
pub fn batch_checkouts() -> Vec<Checkout> {
    const TIERS: [Option<&str>; 4] = [None, Some("bronze"), Some("silver"), Some("gold")];
    const CODES: [Option<&str>; 6] = [
        None,
        Some("SAVE10"),
        Some("TENOFF"),
        Some("TEA15"),
        Some("SHIPFREE"),
        Some("COFFEEUNIT"),
    ];
    const INSTANTS: [&str; 5] = [
        "2026-11-20T15:30:00Z",
        BLACK_FRIDAY,
        "2026-11-28T08:00:00Z",
        "2026-12-05T19:45:00Z",
        "2026-12-20T12:00:00Z",
    ];
    (0..BATCH)
        .map(|k| {
            let lines: Vec<String> = (0..3)
                .map(|j| {
                    let v = k * 7 + j * 13;
                    format!(
                        r#"{{"id": "{n}", "sku": "SKU-{sku}", "categories": ["{category}"],
                            "quantity": {quantity}, "unit_price": "{units}.{cents:02} EUR"}}"#,
                        n = j + 1,
                        sku = v % 40,
                        category = CATEGORIES[(k + j) % CATEGORIES.len()],
                        quantity = 1 + v % 4,
                        units = 5 + v % 90,
                        cents = (k * 31 + j * 7) % 100,
                    )
                })
                .collect();
            let orders_before = k % 9;
            let tier =
                TIERS[k % TIERS.len()].map_or_else(String::new, |t| format!(r#""tier": "{t}", "#));
            let last_order = if orders_before == 0 {
                String::new()
            } else {
                r#", "last_order_at": "2026-10-02T09:00:00Z""#.to_owned()
            };
            let coupons =
                CODES[k % CODES.len()].map_or_else(String::new, |code| format!(r#""{code}""#));
            let at = INSTANTS[k % INSTANTS.len()];
            let json = format!(
                r#"{{
                    "order": {{"id": "B-{k}", "customer": "C-{c}", "placed_at": "{at}",
                               "currency": "EUR", "shipping": "4.90 EUR", "coupons": [{coupons}],
                               "lines": [{lines}]}},
                    "customer": {{"id": "C-{c}", {tier}"stats": {{"orders_before": {orders_before},
                                  "lifetime_spend": "{spend}.00"{last_order}}}}},
                    "at": "{at}"
                }}"#,
                c = k % 997,
                lines = lines.join(", "),
                spend = orders_before * 55,
            );
            serde_json::from_str(&json).expect("a batch checkout parses")
        })
        .collect()
}
