//! Property tests of the foundation: allocation, checked arithmetic,
//! rounding, serde round trips and condition evaluation.

use crate::util::support;

use loyalty::calendar::{Calendar, Country, SeasonalEvent, Zone};
use loyalty::condition::{Condition, Facts, LineSelector};
use loyalty::customer::Customer;
use loyalty::money::{
    AllocationError, Currency, Money, MoneyError, RemainderPolicy, RoundingMode, allocate,
};
use loyalty::order::{Category, Order, Sku};
use loyalty::program::{Program, ProgramDefinition, StackingPolicy};
use loyalty::rules::Stacking;
use loyalty::rules::ladder::{
    LadderBasis, LadderDefinition, LadderMode, Measure, StepDefinition, Thresholds,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// A weight scaled to an integer: weights from `support::weight` have at
/// most `support::MAX_WEIGHT_SCALE` decimals.
fn scaled(weight: Decimal) -> i128 {
    let factor = Decimal::from(10i64.pow(support::MAX_WEIGHT_SCALE));
    let value = weight * factor;
    assert!(
        value.fract().is_zero(),
        "weight {weight} has too many decimals"
    );
    value.to_i128().expect("fits")
}

/// The exact largest-remainder allocation of `units` minor units over
/// integer weights, in integer arithmetic: floors of `|units| × w / W`,
/// then one unit each to the largest remainders, ties to the earlier part,
/// zero weights never.
fn reference_largest_remainder(units: i128, weights: &[i128]) -> Vec<i128> {
    let total: i128 = weights.iter().sum();
    let magnitude = units.abs();
    let mut parts: Vec<i128> = weights.iter().map(|w| magnitude * w / total).collect();
    let remainders: Vec<i128> = weights.iter().map(|w| magnitude * w % total).collect();
    let mut left = magnitude - parts.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0).collect();
    order.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]).then(a.cmp(&b)));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    assert_eq!(left, 0);
    if units < 0 {
        for p in &mut parts {
            *p = -*p;
        }
    }
    parts
}

fn allocation_case() -> impl Strategy<Value = (Money, Vec<Decimal>, RemainderPolicy)> {
    (
        support::money(),
        (1usize..=20).prop_flat_map(support::weights),
        support::remainder_policy(),
    )
}

proptest! {
    // -----------------------------------------------------------------------
    // Allocation
    // -----------------------------------------------------------------------

    #[test]
    fn allocation_sums_exactly_and_stays_near_each_share(
        (amount, weights, policy) in allocation_case()
    ) {
        let parts = allocate(amount, &weights, policy).expect("valid input");
        prop_assert_eq!(parts.len(), weights.len());
        let units = amount.to_minor_units().expect("in minor units");
        let part_units: Vec<i128> = parts
            .iter()
            .map(|p| {
                assert_eq!(p.currency(), amount.currency());
                p.to_minor_units().expect("parts are in minor units")
            })
            .collect();
        // The parts sum exactly to the amount.
        prop_assert_eq!(part_units.iter().sum::<i128>(), units);
        let total: Decimal = parts.iter().map(Money::amount).sum();
        prop_assert_eq!(total, amount.amount());

        let scaled_weights: Vec<i128> = weights.iter().map(|w| scaled(*w)).collect();
        let total_weight: i128 = scaled_weights.iter().sum();
        for (i, (&p, &w)) in part_units.iter().zip(&scaled_weights).enumerate() {
            // Every part has the amount's sign, or is zero.
            if units > 0 {
                prop_assert!(p >= 0, "part {} is {} for a positive amount", i, p);
            } else if units < 0 {
                prop_assert!(p <= 0, "part {} is {} for a negative amount", i, p);
            } else {
                prop_assert_eq!(p, 0);
            }
            // Zero weight, zero part.
            if w == 0 {
                prop_assert_eq!(p, 0, "part {} has weight zero", i);
            }
            // Within one minor unit of the exact share units × w / W:
            // |p × W − units × w| ≤ W.
            let distance = (p * total_weight - units * w).abs();
            prop_assert!(
                distance <= total_weight,
                "part {} = {} is more than one unit from {} × {} / {}",
                i, p, units, w, total_weight
            );
        }
    }

    #[test]
    fn allocation_is_deterministic((amount, weights, policy) in allocation_case()) {
        let first = allocate(amount, &weights, policy);
        let second = allocate(amount, &weights, policy);
        prop_assert_eq!(first, second);
    }

    #[test]
    fn largest_remainder_matches_exact_arithmetic(
        units in -1_000_000_000_000i128..=1_000_000_000_000,
        currency in support::currency(),
        weights in (1usize..=20).prop_flat_map(support::weights),
    ) {
        let amount = Money::from_minor_units(units, currency).unwrap();
        let parts = allocate(amount, &weights, RemainderPolicy::LargestRemainder).unwrap();
        let got: Vec<i128> = parts.iter().map(|p| p.to_minor_units().unwrap()).collect();
        let scaled_weights: Vec<i128> = weights.iter().map(|w| scaled(*w)).collect();
        prop_assert_eq!(got, reference_largest_remainder(units, &scaled_weights));
    }

    #[test]
    fn exact_divisions_give_exact_shares(
        integer_weights in prop::collection::vec(0i64..=10, 1..=12)
            .prop_filter("a positive weight", |w| w.iter().any(|&x| x > 0)),
        multiple in -1_000i128..=1_000,
        currency in support::currency(),
    ) {
        // When the amount is a whole multiple of the total weight, every
        // share is a whole number of minor units and nothing is left over.
        let total: i128 = integer_weights.iter().map(|&w| i128::from(w)).sum();
        let units = multiple * total;
        let weights: Vec<Decimal> = integer_weights.iter().map(|&w| Decimal::from(w)).collect();
        let amount = Money::from_minor_units(units, currency).unwrap();
        let parts = allocate(amount, &weights, RemainderPolicy::LargestRemainder).unwrap();
        let got: Vec<i128> = parts.iter().map(|p| p.to_minor_units().unwrap()).collect();
        let want: Vec<i128> = integer_weights.iter().map(|&w| multiple * i128::from(w)).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn allocation_errors_do_not_panic(
        amount in support::any_money(),
        weights in prop::collection::vec(support::any_decimal(), 0..=8),
        policy in support::remainder_policy(),
    ) {
        let result = allocate(amount, &weights, policy);
        let negative = weights.iter().position(|w| w.is_sign_negative() && !w.is_zero());
        if !amount.currency().is_in_minor_units(amount.amount()) {
            prop_assert!(
                matches!(result, Err(AllocationError::Money(MoneyError::NotInMinorUnits { .. }))),
                "{:?}", result
            );
        } else if amount.to_minor_units().is_err() {
            prop_assert!(
                matches!(result, Err(AllocationError::Money(MoneyError::Overflow { .. }))),
                "{:?}", result
            );
        } else if let Some(index) = negative {
            // The first negative weight is named, unless the running total
            // of the weights before it overflowed first.
            prop_assert!(
                matches!(
                    result,
                    Err(AllocationError::NegativeWeight { index: i, weight })
                        if i == index && weight == weights[index]
                ) || matches!(result, Err(AllocationError::Money(MoneyError::Overflow { .. }))),
                "{:?}", result
            );
        } else if weights.iter().all(|w| w.is_zero()) {
            prop_assert_eq!(result, Err(AllocationError::ZeroTotalWeight));
        } else if let Ok(parts) = result {
            // Success means the sum is exact, in minor units.
            let total: Decimal = parts.iter().map(Money::amount).sum();
            prop_assert_eq!(total, amount.amount());
            prop_assert!(parts.iter().all(|p| p.ensure_minor_units().is_ok()));
        } else {
            // Only weights too large to add or divide can fail here.
            prop_assert!(
                matches!(result, Err(AllocationError::Money(MoneyError::Overflow { .. }))),
                "{:?}", result
            );
        }
    }

    // -----------------------------------------------------------------------
    // Arithmetic
    // -----------------------------------------------------------------------

    #[test]
    fn checked_arithmetic_matches_decimal_and_never_panics(
        a in support::any_decimal(),
        b in support::any_decimal(),
        currency in support::currency(),
    ) {
        let (x, y) = (Money::new(a, currency), Money::new(b, currency));
        match x.checked_add(y) {
            Ok(sum) => prop_assert_eq!(Some(sum.amount()), a.checked_add(b)),
            Err(e) => {
                prop_assert_eq!(e, MoneyError::Overflow { operation: "addition" });
                prop_assert!(a.checked_add(b).is_none());
            }
        }
        match x.checked_sub(y) {
            Ok(diff) => prop_assert_eq!(Some(diff.amount()), a.checked_sub(b)),
            Err(e) => {
                prop_assert_eq!(e, MoneyError::Overflow { operation: "subtraction" });
                prop_assert!(a.checked_sub(b).is_none());
            }
        }
        match x.checked_mul(b) {
            Ok(product) => prop_assert_eq!(Some(product.amount()), a.checked_mul(b)),
            Err(e) => {
                prop_assert_eq!(e, MoneyError::Overflow { operation: "multiplication" });
                prop_assert!(a.checked_mul(b).is_none());
            }
        }
        prop_assert_eq!(x.checked_min(y).map(|m| m.amount()), Ok(a.min(b)));
    }

    #[test]
    fn other_currencies_never_combine(a in support::money(), b in support::money()) {
        // Two currencies always: b moves to another one when they match
        // (rather than rejecting the case, which a soak would hit too often).
        let b = if a.currency() == b.currency() {
            let other = if a.currency() == Currency::EUR { Currency::USD } else { Currency::EUR };
            Money::new(b.amount(), other)
        } else {
            b
        };
        let mismatch = MoneyError::CurrencyMismatch { left: a.currency(), right: b.currency() };
        prop_assert_eq!(a.checked_add(b), Err(mismatch.clone()));
        prop_assert_eq!(a.checked_sub(b), Err(mismatch.clone()));
        prop_assert_eq!(a.checked_min(b), Err(mismatch));
    }

    #[test]
    fn display_parses_back_and_minor_units_convert_back(m in support::any_money()) {
        let shown = m.to_string();
        prop_assert!(shown.ends_with(&format!(" {}", m.currency())), "{}", shown);
        let back: Money = shown.parse().map_err(|e| TestCaseError::fail(format!("{shown}: {e}")))?;
        prop_assert_eq!(back, m);
        match m.to_minor_units() {
            Ok(units) => {
                prop_assert!(m.currency().is_in_minor_units(m.amount()));
                prop_assert_eq!(Money::from_minor_units(units, m.currency()), Ok(m));
            }
            Err(MoneyError::NotInMinorUnits { .. }) => {
                prop_assert!(!m.currency().is_in_minor_units(m.amount()));
            }
            Err(MoneyError::Overflow { .. }) => {
                prop_assert!(m.currency().is_in_minor_units(m.amount()));
                prop_assert!(m.currency().minor_units() > 0, "{} cannot overflow with factor 1", m);
            }
            Err(other) => prop_assert!(false, "unexpected error {:?}", other),
        }
    }

    #[test]
    fn money_amounts_display_with_at_least_the_currency_decimals(m in support::money()) {
        let shown = m.to_string();
        let number = shown.rsplit_once(' ').expect("amount and code").0;
        let decimals = number.split_once('.').map_or(0, |(_, frac)| frac.len());
        prop_assert_eq!(decimals as u32, m.currency().minor_units(), "{}", shown);
    }

    // -----------------------------------------------------------------------
    // Rounding
    // -----------------------------------------------------------------------

    #[test]
    fn rounding_lands_on_a_minor_unit_close_to_the_amount(
        x in support::any_decimal(),
        currency in support::currency(),
        mode in support::rounding_mode(),
    ) {
        let rounded = Money::new(x, currency).round(mode);
        let r = rounded.amount();
        prop_assert_eq!(rounded.currency(), currency);
        prop_assert!(currency.is_in_minor_units(r), "{} → {} not in minor units", x, r);
        let unit = currency.minor_unit();
        let distance = (r - x).abs();
        prop_assert!(distance < unit, "|{} − {}| ≥ one unit", r, x);
        match mode {
            RoundingMode::HalfUp | RoundingMode::HalfEven | RoundingMode::HalfDown => {
                prop_assert!(distance * Decimal::TWO <= unit, "{:?}: |{} − {}| > half a unit", mode, r, x);
            }
            RoundingMode::TowardZero => prop_assert!(r.abs() <= x.abs(), "{} → {}", x, r),
            RoundingMode::AwayFromZero => prop_assert!(r.abs() >= x.abs(), "{} → {}", x, r),
        }
        // The sign is kept (or the result is zero).
        prop_assert!(r.is_zero() || r.is_sign_negative() == x.is_sign_negative());
        // Rounding twice changes nothing.
        prop_assert_eq!(rounded.round(mode), rounded);
    }

    #[test]
    fn half_modes_agree_off_ties(
        x in support::any_decimal(),
        currency in support::currency(),
    ) {
        let unit = currency.minor_unit();
        let up = Money::new(x, currency).round(RoundingMode::HalfUp).amount();
        let down = Money::new(x, currency).round(RoundingMode::HalfDown).amount();
        let even = Money::new(x, currency).round(RoundingMode::HalfEven).amount();
        let is_tie = ((up - x).abs() * Decimal::TWO) == unit;
        if !is_tie {
            prop_assert_eq!(up, down);
            prop_assert_eq!(up, even);
        } else {
            prop_assert_eq!((up - down).abs(), unit);
            prop_assert!(even == up || even == down);
        }
    }

    // -----------------------------------------------------------------------
    // Serde round trips
    // -----------------------------------------------------------------------

    #[test]
    fn money_and_currency_round_trip(m in support::any_money(), c in support::currency()) {
        let back: Money = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        prop_assert_eq!(back, m);
        let back: Currency = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        prop_assert_eq!(back, c);
    }

    #[test]
    fn condition_round_trips(c in support::condition()) {
        let json = serde_json::to_string(&c).unwrap();
        let back: Condition = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
        prop_assert_eq!(back, c);
    }

    #[test]
    fn generated_conditions_are_shallow_and_valid(c in support::condition()) {
        prop_assert!(support::depth(&c) <= 4, "depth {}", support::depth(&c));
        prop_assert_eq!(c.validate(&Calendar::default()), Ok(()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::util::cases(64)))]

    #[test]
    fn order_round_trips(order in support::order()) {
        let json = serde_json::to_string(&order).unwrap();
        let back: Order = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
        prop_assert_eq!(back.gross_subtotal(), order.gross_subtotal());
        prop_assert_eq!(back, order);
    }

    #[test]
    fn customer_round_trips(customer in support::customer()) {
        let json = serde_json::to_string(&customer).unwrap();
        let back: Customer = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
        prop_assert_eq!(back, customer);
    }

    #[test]
    fn program_definition_round_trips(def in program_definition()) {
        let program = Program::new(def.clone()).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(program.definition(), &def);
        let json = serde_json::to_string(&def).unwrap();
        let back: ProgramDefinition = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
        prop_assert_eq!(&back, &def);
        let text = toml::to_string(&def).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let back: ProgramDefinition = toml::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(back, def);
    }

    // -----------------------------------------------------------------------
    // Condition evaluation
    // -----------------------------------------------------------------------

    #[test]
    fn evaluation_never_panics_and_is_deterministic(
        condition in any_condition(),
        order in support::order(),
        customer in support::customer(),
        calendar in calendar(),
        at in support::any_instant(),
    ) {
        let facts = Facts::new(&order, &customer, &calendar, at);
        let first = condition.evaluate(&facts);
        let second = condition.evaluate(&facts);
        prop_assert_eq!(&first, &second);
        // A condition that validates on the calendar evaluates without error
        // in the years programs run in.
        if condition.validate(&calendar).is_ok() && at >= support::year_2000() && at < support::year_2100() {
            prop_assert!(first.is_ok(), "{:?}", first);
        }
        if let Ok(verdict) = &first {
            // `not` inverts, a one-element `all` / `any` changes nothing.
            let not = Condition::Not(Box::new(condition.clone())).evaluate(&facts);
            prop_assert_eq!(not.map(|v| v.met), Ok(!verdict.met));
            let all = Condition::All(vec![condition.clone()]).evaluate(&facts);
            prop_assert_eq!(all.as_ref().map(|v| v.met), Ok(verdict.met));
            let any = Condition::Any(vec![condition.clone()]).evaluate(&facts);
            prop_assert_eq!(any.as_ref().map(|v| v.met), Ok(verdict.met));
            // The reported observation agrees with the verdict, `not` aside.
            if let Some(because) = &verdict.because {
                prop_assert_eq!(because.met != because.negated, verdict.met, "{:?}", verdict);
                prop_assert!(!because.to_string().is_empty());
            }
        }
    }
}

/// Calendars to evaluate in: UTC, São Paulo with a country, a far eastern
/// fixed offset, and a far western named zone without a country.
fn calendar() -> impl Strategy<Value = Calendar> {
    prop_oneof![
        Just(Calendar::default()),
        Just(
            Calendar::new(
                Zone::parse("America/Sao_Paulo").unwrap(),
                Some(Country::BR),
                vec![]
            )
            .unwrap()
        ),
        Just(Calendar::new(Zone::parse("+14:00").unwrap(), Some(Country::US), vec![]).unwrap()),
        Just(Calendar::new(Zone::parse("Pacific/Pago_Pago").unwrap(), None, vec![]).unwrap()),
    ]
}

/// Conditions that may not validate: the generated valid ones, plus leaves
/// with empty lists, order number 0, negative bounds, and events that need a
/// country or a custom date, mixed into trees.
fn any_condition() -> impl Strategy<Value = Condition> {
    let invalid_leaf = prop_oneof![
        Just(Condition::TierIn(vec![])),
        Just(Condition::Weekdays(vec![])),
        Just(Condition::OrderNumberAtLeast(0)),
        Just(Condition::OrderNumberIs(0)),
        Just(Condition::SubtotalAtLeast(Decimal::MIN.into())),
        Just(Condition::SubtotalBelow(Decimal::MAX.into())),
        Just(Condition::QuantityAtLeast(u64::MAX)),
        Just(Condition::DaysSinceLastOrderAtLeast(u32::MAX)),
        Just(Condition::SeasonalEvent(SeasonalEvent::MothersDay)),
        Just(Condition::SeasonalEvent(SeasonalEvent::FathersDay)),
        Just(Condition::SeasonalEvent(SeasonalEvent::ChildrensDay)),
        Just(Condition::SeasonalEvent(SeasonalEvent::Custom(
            "launch".into()
        ))),
    ];
    let leaf = prop_oneof![3 => support::leaf_condition(), 1 => invalid_leaf];
    leaf.prop_recursive(3, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..=4).prop_map(Condition::All),
            prop::collection::vec(inner.clone(), 0..=4).prop_map(Condition::Any),
            inner.prop_map(|c| Condition::Not(Box::new(c))),
        ]
    })
}

/// A valid ladder with `id`: 1–5 steps with ascending thresholds in whole
/// minor units of `currency`, and either non-shrinking percents (the first
/// steps capped with growing caps, the rest uncapped) or non-shrinking
/// amounts; bracket mode only with percents.
fn ladder(id: String, currency: Currency) -> impl Strategy<Value = LadderDefinition> {
    let unit = currency.minor_unit();
    (
        (
            prop::collection::vec((1i64..=100_000, 0i64..=50, 0i64..=5_000), 1..=5),
            0usize..=5,
            any::<bool>(),
            any::<bool>(),
        ),
        prop_oneof![Just(Thresholds::Inclusive), Just(Thresholds::Exclusive)],
        prop_oneof![
            Just(Measure::BeforeDiscounts),
            Just(Measure::AfterDiscounts)
        ],
        prop::option::of(support::condition()),
        selector(),
        prop_oneof![
            Just(Stacking::Stackable),
            Just(Stacking::Exclusive),
            Just(Stacking::Group("welcome".into())),
        ],
        -5i32..=5,
        prop::option::of("[A-Za-z][A-Za-z ]{0,11}"),
    )
        .prop_map(
            move |(
                (raw, capped_steps, amounts, bracket),
                thresholds,
                measure,
                condition,
                lines,
                stacking,
                priority,
                name,
            )| {
                let mut from = Decimal::ZERO;
                let mut half_percents = 0i64;
                let mut reward_units = 0i64;
                let mut steps = Vec::new();
                for (i, (gap, more, extra)) in raw.into_iter().enumerate() {
                    from += Decimal::from(gap) * unit;
                    reward_units += 1 + extra;
                    half_percents = (half_percents + more).clamp(1, 200);
                    let reward = Decimal::from(reward_units) * unit;
                    steps.push(if amounts {
                        StepDefinition {
                            from: from.into(),
                            percent: None,
                            amount: Some(reward.into()),
                            cap: None,
                        }
                    } else {
                        StepDefinition {
                            from: from.into(),
                            percent: Some(Decimal::from(half_percents) / Decimal::TWO),
                            amount: None,
                            cap: (i < capped_steps).then_some(reward.into()),
                        }
                    });
                }
                let mut ladder = LadderDefinition::new(id.clone())
                    .basis(LadderBasis::Subtotal)
                    .measure(measure)
                    .thresholds(thresholds)
                    .mode(if bracket && !amounts {
                        LadderMode::Bracket
                    } else {
                        LadderMode::WholeBasket
                    })
                    .lines(lines)
                    .stacking(stacking)
                    .priority(priority);
                ladder.name = name;
                ladder.condition = condition;
                ladder.steps = steps;
                ladder
            },
        )
}

/// A line selector for a discount rule: include and exclude lists (never
/// `include_exempt`, which a discount rule refuses: exempt lines are never
/// discounted).
fn selector() -> impl Strategy<Value = LineSelector> {
    (
        prop::collection::vec(prop::sample::select(&["TEA", "MUG"][..]), 0..=2),
        prop::collection::vec(prop::sample::select(&["tea", "gear"][..]), 0..=2),
        prop::collection::vec(prop::sample::select(&["SAMPLE"][..]), 0..=1),
        prop::collection::vec(prop::sample::select(&["samples"][..]), 0..=1),
    )
        .prop_map(
            |(skus, categories, exclude_skus, exclude_categories)| LineSelector {
                skus: skus.into_iter().map(|s| Sku::new(s).unwrap()).collect(),
                categories: categories
                    .into_iter()
                    .map(|c| Category::new(c).unwrap())
                    .collect(),
                exclude_skus: exclude_skus
                    .into_iter()
                    .map(|s| Sku::new(s).unwrap())
                    .collect(),
                exclude_categories: exclude_categories
                    .into_iter()
                    .map(|c| Category::new(c).unwrap())
                    .collect(),
                include_exempt: false,
                ..LineSelector::default()
            },
        )
}

/// A valid program definition with 0–3 ladders.
fn program_definition() -> impl Strategy<Value = ProgramDefinition> {
    (
        support::currency(),
        prop::sample::select(
            &[
                "UTC",
                "-03:00",
                "+05:30",
                "America/Sao_Paulo",
                "Europe/Lisbon",
            ][..],
        ),
        support::rounding_mode(),
        support::remainder_policy(),
        prop::option::of(prop::sample::select(&["BR", "US"][..])),
        0usize..=3,
    )
        .prop_flat_map(|(currency, zone, rounding, remainder, country, ladders)| {
            let ladders: Vec<_> = (0..ladders)
                .map(|i| ladder(format!("ladder-{i}"), currency))
                .collect();
            (
                Just((currency, zone, rounding, remainder, country)),
                ladders,
            )
        })
        .prop_map(
            |((currency, zone, rounding, remainder, country), ladders)| {
                let mut def = ProgramDefinition::new("props", currency)
                    .tier("bronze")
                    .tier("silver")
                    .tier("gold")
                    .tier("platinum")
                    .time_zone(Zone::parse(zone).unwrap())
                    .rounding(rounding)
                    .remainder(remainder)
                    .stacking(StackingPolicy::default());
                if let Some(country) = country {
                    def = def.country(Country::new(country).unwrap());
                }
                for ladder in ladders {
                    def = def.ladder(ladder);
                }
                def
            },
        )
}

#[test]
fn reference_allocation_is_hand_checked() {
    // 100 over [1, 2, 3]: floors 16, 33, 50; remainders 4, 2, 0 (of 6).
    assert_eq!(
        reference_largest_remainder(100, &[1, 2, 3]),
        vec![17, 33, 50]
    );
    assert_eq!(
        reference_largest_remainder(-100, &[1, 2, 3]),
        vec![-17, -33, -50]
    );
    // 3 over [2, 1]: exactly 2 and 1.
    assert_eq!(reference_largest_remainder(3, &[2, 1]), vec![2, 1]);
    // 1 over [0, 1, 1]: a tie, to the earlier positive part.
    assert_eq!(reference_largest_remainder(1, &[0, 1, 1]), vec![0, 1, 0]);
}
