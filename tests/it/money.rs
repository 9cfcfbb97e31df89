//! Hand-worked tests of `loyalty::money`: currencies, rounding in every mode
//! for every minor-unit class, checked arithmetic, allocation and serde.

use loyalty::money::{
    AllocationError, Currency, Money, MoneyError, RemainderPolicy, RoundingMode, allocate,
    allocate_minor_units,
};
use rust_decimal::Decimal;

use RemainderPolicy::{InOrder, LargestRemainder};
use RoundingMode::{AwayFromZero, HalfDown, HalfEven, HalfUp, TowardZero};

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal literal")
}

fn cur(code: &str) -> Currency {
    Currency::new(code).expect("a known currency")
}

fn money(amount: &str, code: &str) -> Money {
    Money::parse(amount, cur(code)).expect("an amount")
}

fn weights(values: &[&str]) -> Vec<Decimal> {
    values.iter().map(|v| dec(v)).collect()
}

/// Rounds `amount` in `code` with every mode and compares with the expected
/// results, given in the order HalfUp, HalfEven, HalfDown, TowardZero,
/// AwayFromZero.
fn check_rounding(code: &str, amount: &str, expected: [&str; 5]) {
    let modes = [HalfUp, HalfEven, HalfDown, TowardZero, AwayFromZero];
    for (mode, want) in modes.into_iter().zip(expected) {
        let rounded = money(amount, code).round(mode);
        assert_eq!(
            rounded.amount(),
            dec(want),
            "{amount} {code} rounded {mode:?}: got {}, want {want}",
            rounded.amount()
        );
        assert_eq!(rounded.currency(), cur(code));
        // The mode's own `round` agrees with `Money::round`.
        assert_eq!(
            mode.round(dec(amount), cur(code).minor_units()),
            dec(want),
            "RoundingMode::round({amount}) {mode:?}"
        );
    }
}

fn amounts(parts: &[Money]) -> Vec<Decimal> {
    parts.iter().map(Money::amount).collect()
}

// ---------------------------------------------------------------------------
// Rounding
// ---------------------------------------------------------------------------

#[test]
fn rounding_two_decimals_eur() {
    //                            HalfUp  HalfEven HalfDown TowardZero AwayFromZero
    check_rounding("EUR", "2.345", ["2.35", "2.34", "2.34", "2.34", "2.35"]);
    check_rounding("EUR", "2.355", ["2.36", "2.36", "2.35", "2.35", "2.36"]);
    check_rounding("EUR", "2.341", ["2.34", "2.34", "2.34", "2.34", "2.35"]);
    check_rounding("EUR", "2.349", ["2.35", "2.35", "2.35", "2.34", "2.35"]);
    check_rounding(
        "EUR",
        "-2.345",
        ["-2.35", "-2.34", "-2.34", "-2.34", "-2.35"],
    );
    check_rounding(
        "EUR",
        "-2.349",
        ["-2.35", "-2.35", "-2.35", "-2.34", "-2.35"],
    );
}

#[test]
fn rounding_zero_decimals_jpy() {
    check_rounding("JPY", "2.5", ["3", "2", "2", "2", "3"]);
    check_rounding("JPY", "3.5", ["4", "4", "3", "3", "4"]);
    check_rounding("JPY", "-2.5", ["-3", "-2", "-2", "-2", "-3"]);
    check_rounding("JPY", "2.4", ["2", "2", "2", "2", "3"]);
    check_rounding("JPY", "2.6", ["3", "3", "3", "2", "3"]);
}

#[test]
fn rounding_three_decimals_kwd() {
    check_rounding(
        "KWD",
        "1.0005",
        ["1.001", "1.000", "1.000", "1.000", "1.001"],
    );
    check_rounding(
        "KWD",
        "1.0015",
        ["1.002", "1.002", "1.001", "1.001", "1.002"],
    );
    check_rounding(
        "KWD",
        "-1.0005",
        ["-1.001", "-1.000", "-1.000", "-1.000", "-1.001"],
    );
}

#[test]
fn rounding_leaves_whole_minor_units_alone() {
    for mode in [HalfUp, HalfEven, HalfDown, TowardZero, AwayFromZero] {
        assert_eq!(money("2.34", "EUR").round(mode).amount(), dec("2.34"));
        assert_eq!(money("-7", "JPY").round(mode).amount(), dec("-7"));
        assert_eq!(money("0.125", "KWD").round(mode).amount(), dec("0.125"));
        assert_eq!(money("0", "EUR").round(mode).amount(), Decimal::ZERO);
    }
}

#[test]
fn rounded_money_displays_with_the_currency_decimals() {
    assert_eq!(
        money("10.005", "EUR").round(HalfUp).to_string(),
        "10.01 EUR"
    );
    assert_eq!(
        money("10.005", "EUR").round(HalfEven).to_string(),
        "10.00 EUR"
    );
    assert_eq!(
        money("1.0005", "KWD").round(HalfEven).to_string(),
        "1.000 KWD"
    );
    assert_eq!(money("2.5", "JPY").round(HalfUp).to_string(), "3 JPY");
}

#[test]
fn half_modes_only_differ_on_exact_ties() {
    // 2.3450001 is past the tie: every half mode goes up.
    for mode in [HalfUp, HalfEven, HalfDown] {
        assert_eq!(
            money("2.3450001", "EUR").round(mode).amount(),
            dec("2.35"),
            "{mode:?}"
        );
        assert_eq!(
            money("2.3449999", "EUR").round(mode).amount(),
            dec("2.34"),
            "{mode:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Currencies
// ---------------------------------------------------------------------------

#[test]
fn known_currencies_and_their_minor_units() {
    for (code, units) in [
        ("JPY", 0),
        ("KRW", 0),
        ("CLP", 0),
        ("KWD", 3),
        ("BHD", 3),
        ("JOD", 3),
        ("OMR", 3),
        ("TND", 3),
        ("EUR", 2),
        ("USD", 2),
        ("BRL", 2),
    ] {
        let currency = cur(code);
        assert_eq!(currency.code(), code);
        assert_eq!(currency.minor_units(), units, "{code}");
        assert_eq!(currency.to_string(), code);
    }
    assert_eq!(cur("EUR").minor_unit(), dec("0.01"));
    assert_eq!(cur("JPY").minor_unit(), dec("1"));
    assert_eq!(cur("KWD").minor_unit(), dec("0.001"));
    assert_eq!(Currency::EUR, cur("EUR"));
    assert_eq!(Currency::JPY.minor_units(), 0);
    assert_eq!(Currency::KWD.minor_units(), 3);
}

#[test]
fn currency_codes_ignore_case_and_surrounding_space() {
    assert_eq!(cur("eur"), Currency::EUR);
    assert_eq!(cur("Jpy"), Currency::JPY);
    assert_eq!(cur(" usd "), Currency::USD);
    assert_eq!(cur("kwd").code(), "KWD");
    assert_eq!("brl".parse::<Currency>(), Ok(Currency::BRL));
}

#[test]
fn unknown_currencies_are_errors_naming_the_code() {
    for code in ["XYZ", "", "EURO", "EU", "E R"] {
        let err = Currency::new(code).unwrap_err();
        assert_eq!(
            err,
            MoneyError::UnknownCurrency {
                code: code.to_owned()
            }
        );
        let message = err.to_string();
        assert!(
            message.contains(&format!("unknown currency \"{code}\"")),
            "{message}"
        );
        assert!(message.contains("ISO 4217"), "{message}");
    }
}

#[test]
fn minor_unit_checks() {
    assert!(cur("EUR").is_in_minor_units(dec("12.34")));
    assert!(cur("EUR").is_in_minor_units(dec("12.3400")));
    assert!(!cur("EUR").is_in_minor_units(dec("12.345")));
    assert!(cur("JPY").is_in_minor_units(dec("100.000")));
    assert!(!cur("JPY").is_in_minor_units(dec("100.5")));
    assert!(cur("KWD").is_in_minor_units(dec("1.005")));
    assert!(!cur("KWD").is_in_minor_units(dec("1.0005")));

    let err = Money::exact(dec("12.345"), Currency::EUR).unwrap_err();
    assert_eq!(
        err,
        MoneyError::NotInMinorUnits {
            amount: dec("12.345"),
            currency: Currency::EUR,
            minor_unit: dec("0.01"),
            minor_units: 2,
        }
    );
    assert!(
        err.to_string().contains("round it to 2 decimal places"),
        "{err}"
    );
    assert_eq!(
        Money::exact(dec("12.30"), Currency::EUR).map(|m| m.amount()),
        Ok(dec("12.3"))
    );
}

// ---------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------

#[test]
fn arithmetic_in_one_currency() {
    assert_eq!(
        money("19.99", "EUR").checked_mul(Decimal::from(3)),
        Ok(money("59.97", "EUR"))
    );
    assert_eq!(
        money("10.00", "EUR").checked_add(money("2.55", "EUR")),
        Ok(money("12.55", "EUR"))
    );
    let diff = money("10.00", "EUR")
        .checked_sub(money("12.50", "EUR"))
        .unwrap();
    assert_eq!(diff.amount(), dec("-2.50"));
    assert!(diff.is_negative());
    assert!(!money("0.00", "EUR").is_negative());
    assert!(money("0.00", "EUR").is_zero());
    assert_eq!(
        money("3.00", "EUR").checked_min(money("2.99", "EUR")),
        Ok(money("2.99", "EUR"))
    );
    assert_eq!(Money::zero(Currency::JPY).to_string(), "0 JPY");
}

#[test]
fn currency_mismatch_is_an_error() {
    let eur = money("1.00", "EUR");
    let usd = money("1.00", "USD");
    let mismatch = MoneyError::CurrencyMismatch {
        left: Currency::EUR,
        right: Currency::USD,
    };
    assert_eq!(eur.checked_add(usd), Err(mismatch.clone()));
    assert_eq!(eur.checked_sub(usd), Err(mismatch.clone()));
    assert_eq!(eur.checked_min(usd), Err(mismatch.clone()));
    assert_eq!(
        mismatch.to_string(),
        "cannot combine EUR with USD: amounts must share one currency"
    );
    assert_eq!(
        usd.checked_add(eur),
        Err(MoneyError::CurrencyMismatch {
            left: Currency::USD,
            right: Currency::EUR
        })
    );
}

#[test]
fn overflow_is_an_error_not_a_panic() {
    let max = Money::new(Decimal::MAX, Currency::EUR);
    let min = Money::new(Decimal::MIN, Currency::EUR);
    let one = money("1", "EUR");
    assert_eq!(
        max.checked_add(one),
        Err(MoneyError::Overflow {
            operation: "addition"
        })
    );
    assert_eq!(
        min.checked_sub(one),
        Err(MoneyError::Overflow {
            operation: "subtraction"
        })
    );
    let err = max.checked_mul(Decimal::from(2)).unwrap_err();
    assert_eq!(
        err,
        MoneyError::Overflow {
            operation: "multiplication"
        }
    );
    assert!(
        err.to_string()
            .contains("amount overflow in multiplication"),
        "{err}"
    );
    assert_eq!(
        min.checked_mul(Decimal::from(2)),
        Err(MoneyError::Overflow {
            operation: "multiplication"
        })
    );
    // At the edge but not past it.
    assert_eq!(
        max.checked_sub(one).map(|m| m.amount()),
        Ok(Decimal::MAX - Decimal::ONE)
    );
    assert_eq!(max.checked_mul(Decimal::ONE), Ok(max));
}

#[test]
fn minor_unit_conversions() {
    assert_eq!(money("12.34", "EUR").to_minor_units(), Ok(1234));
    assert_eq!(money("-12.34", "EUR").to_minor_units(), Ok(-1234));
    assert_eq!(money("100", "JPY").to_minor_units(), Ok(100));
    assert_eq!(money("1.5", "KWD").to_minor_units(), Ok(1500));
    assert!(matches!(
        money("12.345", "EUR").to_minor_units(),
        Err(MoneyError::NotInMinorUnits { .. })
    ));
    assert_eq!(
        Money::new(Decimal::MAX, Currency::EUR).to_minor_units(),
        Err(MoneyError::Overflow {
            operation: "conversion to minor units"
        })
    );
    assert_eq!(
        Money::from_minor_units(-1234, Currency::EUR),
        Ok(money("-12.34", "EUR"))
    );
    assert_eq!(
        Money::from_minor_units(1500, Currency::KWD),
        Ok(money("1.5", "KWD"))
    );
    assert_eq!(
        Money::from_minor_units(i128::MAX, Currency::EUR),
        Err(MoneyError::Overflow {
            operation: "conversion from minor units"
        })
    );
}

#[test]
fn parsing_and_display() {
    assert_eq!(money("5", "EUR").to_string(), "5.00 EUR");
    assert_eq!(money("12.5", "EUR").to_string(), "12.50 EUR");
    assert_eq!(money("12.345", "EUR").to_string(), "12.345 EUR");
    assert_eq!(money("100", "JPY").to_string(), "100 JPY");
    assert_eq!(money("1.5", "KWD").to_string(), "1.500 KWD");
    assert_eq!(money("-0.5", "USD").to_string(), "-0.50 USD");
    assert_eq!(" 12.50 EUR ".parse::<Money>(), Ok(money("12.50", "EUR")));
    assert_eq!(
        "12.50".parse::<Money>(),
        Err(MoneyError::MissingCurrency {
            text: "12.50".into()
        })
    );
    assert_eq!("12.50 EUR".parse::<Money>(), Ok(money("12.50", "EUR")));
    assert_eq!("12.50 eur".parse::<Money>(), Ok(money("12.50", "EUR")));
    assert_eq!(
        "12.50 XYZ".parse::<Money>(),
        Err(MoneyError::UnknownCurrency { code: "XYZ".into() })
    );
    let err = Money::parse("twelve", Currency::EUR).unwrap_err();
    assert_eq!(
        err,
        MoneyError::InvalidAmount {
            text: "twelve".into()
        }
    );
    assert!(
        err.to_string()
            .contains("\"twelve\" is not an amount: write a decimal number"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// Allocation
// ---------------------------------------------------------------------------

#[test]
fn ten_euros_over_three_equal_parts() {
    for policy in [LargestRemainder, InOrder] {
        let parts = allocate(money("10.00", "EUR"), &weights(&["1", "1", "1"]), policy).unwrap();
        assert_eq!(
            amounts(&parts),
            weights(&["3.34", "3.33", "3.33"]),
            "{policy:?}"
        );
        assert!(parts.iter().all(|p| p.currency() == Currency::EUR));
    }
}

#[test]
fn five_cents_over_seven_parts_go_to_the_first_five() {
    // Each exact share is 5/7 of a cent, all truncated to 0; the 5 cents
    // left go one each to the first five parts (equal remainders: earlier
    // parts first; in order: first parts first).
    let seven = weights(&["1", "1", "1", "1", "1", "1", "1"]);
    let want = weights(&["0.01", "0.01", "0.01", "0.01", "0.01", "0", "0"]);
    for policy in [LargestRemainder, InOrder] {
        let parts = allocate(money("0.05", "EUR"), &seven, policy).unwrap();
        assert_eq!(amounts(&parts), want, "{policy:?}");
    }
}

#[test]
fn yen_over_one_two_three() {
    // 100 × 1/6 = 16.67, 100 × 2/6 = 33.33, 100 × 3/6 = 50: floors 16, 33,
    // 50 and one yen left; the largest remainder (0.67) is the first part,
    // which is also first in order.
    for policy in [LargestRemainder, InOrder] {
        let parts = allocate(money("100", "JPY"), &weights(&["1", "2", "3"]), policy).unwrap();
        assert_eq!(amounts(&parts), weights(&["17", "33", "50"]), "{policy:?}");
    }
}

#[test]
fn one_dinar_over_three_parts() {
    // 1000 fils / 3 = 333.33 each; one fils left for the first part.
    for policy in [LargestRemainder, InOrder] {
        let parts = allocate(money("1.000", "KWD"), &weights(&["1", "1", "1"]), policy).unwrap();
        assert_eq!(
            amounts(&parts),
            weights(&["0.334", "0.333", "0.333"]),
            "{policy:?}"
        );
        assert_eq!(parts[0].to_string(), "0.334 KWD");
    }
}

#[test]
fn largest_remainder_is_not_always_the_first_part() {
    // 1.00 over [1, 2]: exact 33.33 and 66.67 cents, floors 33 and 66, one
    // cent left. The second part lost 0.67 to truncation, the first 0.33.
    let parts = allocate(
        money("1.00", "EUR"),
        &weights(&["1", "2"]),
        LargestRemainder,
    )
    .unwrap();
    assert_eq!(amounts(&parts), weights(&["0.33", "0.67"]));
    // In order, the cent goes to the first part regardless.
    let parts = allocate(money("1.00", "EUR"), &weights(&["1", "2"]), InOrder).unwrap();
    assert_eq!(amounts(&parts), weights(&["0.34", "0.66"]));

    // 0.10 over [1, 1, 2]: exact 2.5, 2.5, 5 cents; floors 2, 2, 5; one cent
    // left. Parts 0 and 1 tie at 0.5: the earlier part wins.
    let parts = allocate(
        money("0.10", "EUR"),
        &weights(&["1", "1", "2"]),
        LargestRemainder,
    )
    .unwrap();
    assert_eq!(amounts(&parts), weights(&["0.03", "0.02", "0.05"]));

    // 0.10 over [3, 3, 1]: exact 4.29, 4.29, 1.43 cents; floors 4, 4, 1;
    // one cent left. Remainders 0.29, 0.29, 0.43: the last part gets it.
    let parts = allocate(
        money("0.10", "EUR"),
        &weights(&["3", "3", "1"]),
        LargestRemainder,
    )
    .unwrap();
    assert_eq!(amounts(&parts), weights(&["0.04", "0.04", "0.02"]));
}

#[test]
fn shares_that_divide_exactly_get_no_extra_unit() {
    // 0.03 over [2, 1] is exactly 0.02 and 0.01; 0.06 over [1, 2, 3] is
    // exactly 0.01, 0.02, 0.03.
    let parts = allocate(
        money("0.03", "EUR"),
        &weights(&["2", "1"]),
        LargestRemainder,
    )
    .unwrap();
    assert_eq!(amounts(&parts), weights(&["0.02", "0.01"]));
    let parts = allocate(
        money("0.06", "EUR"),
        &weights(&["1", "2", "3"]),
        LargestRemainder,
    )
    .unwrap();
    assert_eq!(amounts(&parts), weights(&["0.01", "0.02", "0.03"]));
    // The doc example: 0.05 over [1, 2, 2].
    for policy in [LargestRemainder, InOrder] {
        let parts = allocate(money("0.05", "EUR"), &weights(&["1", "2", "2"]), policy).unwrap();
        assert_eq!(
            amounts(&parts),
            weights(&["0.01", "0.02", "0.02"]),
            "{policy:?}"
        );
    }
}

#[test]
fn zero_weights_get_zero() {
    for policy in [LargestRemainder, InOrder] {
        let parts = allocate(
            money("10.00", "EUR"),
            &weights(&["0", "1", "0", "1"]),
            policy,
        )
        .unwrap();
        assert_eq!(
            amounts(&parts),
            weights(&["0", "5.00", "0", "5.00"]),
            "{policy:?}"
        );
        // One cent over [0, 1, 1]: half a cent each; the zero-weight first
        // part never gets the leftover cent.
        let parts = allocate(money("0.01", "EUR"), &weights(&["0", "1", "1"]), policy).unwrap();
        assert_eq!(amounts(&parts), weights(&["0", "0.01", "0"]), "{policy:?}");
    }
}

#[test]
fn zero_amount_gives_zero_parts() {
    for policy in [LargestRemainder, InOrder] {
        let parts = allocate(money("0.00", "EUR"), &weights(&["1", "2"]), policy).unwrap();
        assert_eq!(amounts(&parts), vec![Decimal::ZERO, Decimal::ZERO]);
    }
}

#[test]
fn negative_amount_is_split_like_its_absolute_value() {
    for policy in [LargestRemainder, InOrder] {
        let parts = allocate(money("-10.00", "EUR"), &weights(&["1", "1", "1"]), policy).unwrap();
        assert_eq!(
            amounts(&parts),
            weights(&["-3.34", "-3.33", "-3.33"]),
            "{policy:?}"
        );
        assert!(parts.iter().all(|p| p.amount() <= Decimal::ZERO));
        let sum: Decimal = parts.iter().map(Money::amount).sum();
        assert_eq!(sum, dec("-10.00"));
    }
    let parts = allocate(
        money("-1.00", "EUR"),
        &weights(&["1", "2"]),
        LargestRemainder,
    )
    .unwrap();
    assert_eq!(amounts(&parts), weights(&["-0.33", "-0.67"]));
}

#[test]
fn fractional_weights() {
    // 12.00 over [0.5, 1.5]: exactly 3.00 and 9.00.
    let parts = allocate(
        money("12.00", "EUR"),
        &weights(&["0.5", "1.5"]),
        LargestRemainder,
    )
    .unwrap();
    assert_eq!(amounts(&parts), weights(&["3.00", "9.00"]));
    // By line amounts: 10.00 over [19.99, 5.01] (total 25.00):
    // 7.996 and 2.004 → floors 7.99 and 2.00, the cent to the first part.
    let parts = allocate(
        money("10.00", "EUR"),
        &weights(&["19.99", "5.01"]),
        LargestRemainder,
    )
    .unwrap();
    assert_eq!(amounts(&parts), weights(&["8.00", "2.00"]));
}

#[test]
fn allocation_errors() {
    let ten = money("10.00", "EUR");
    assert_eq!(
        allocate(ten, &[], LargestRemainder),
        Err(AllocationError::ZeroTotalWeight)
    );
    let err = allocate(ten, &weights(&["0", "0"]), InOrder).unwrap_err();
    assert_eq!(err, AllocationError::ZeroTotalWeight);
    assert!(
        err.to_string()
            .contains("give at least one part a positive weight"),
        "{err}"
    );

    let err = allocate(ten, &weights(&["1", "-1", "2"]), LargestRemainder).unwrap_err();
    assert_eq!(
        err,
        AllocationError::NegativeWeight {
            index: 1,
            weight: dec("-1")
        }
    );
    assert_eq!(
        err.to_string(),
        "weight -1 of part 1 is negative: weights must be zero or more"
    );

    let err = allocate(money("10.005", "EUR"), &weights(&["1"]), InOrder).unwrap_err();
    assert_eq!(
        err,
        AllocationError::Money(MoneyError::NotInMinorUnits {
            amount: dec("10.005"),
            currency: Currency::EUR,
            minor_unit: dec("0.01"),
            minor_units: 2,
        })
    );
    assert!(
        err.to_string().contains("round it to 2 decimal places"),
        "{err}"
    );

    assert_eq!(
        allocate(ten, &[Decimal::MAX, Decimal::MAX], LargestRemainder),
        Err(AllocationError::Money(MoneyError::Overflow {
            operation: "allocation"
        }))
    );
}

#[test]
fn allocate_into_a_buffer() {
    let mut out = [99i128; 5];
    allocate_minor_units(
        money("10.00", "EUR"),
        &weights(&["1", "1", "1"]),
        LargestRemainder,
        &mut out,
    )
    .unwrap();
    // The first three slots are overwritten; the rest are left alone.
    assert_eq!(out, [334, 333, 333, 99, 99]);

    let mut short = [0i128; 2];
    assert_eq!(
        allocate_minor_units(
            money("10.00", "EUR"),
            &weights(&["1", "1", "1"]),
            InOrder,
            &mut short
        ),
        Err(AllocationError::BufferTooShort { room: 2, parts: 3 })
    );

    // More than 16 parts (the stack buffer): 0.20 over 20 equal parts.
    let twenty = vec![Decimal::ONE; 20];
    let mut out = vec![0i128; 20];
    allocate_minor_units(money("0.20", "EUR"), &twenty, LargestRemainder, &mut out).unwrap();
    assert_eq!(out, vec![1i128; 20]);
    let mut out = vec![0i128; 20];
    allocate_minor_units(money("0.25", "EUR"), &twenty, LargestRemainder, &mut out).unwrap();
    let mut want = vec![2i128; 5];
    want.extend(vec![1i128; 15]);
    assert_eq!(out, want);
}

// ---------------------------------------------------------------------------
// Serde
// ---------------------------------------------------------------------------

#[test]
fn money_deserializes_from_string_and_object() {
    let want = money("12.50", "EUR");
    let from_text: Money = serde_json::from_str("\"12.50 EUR\"").unwrap();
    assert_eq!(from_text, want);
    let from_parts: Money = serde_json::from_str(r#"{"amount":"12.50","currency":"EUR"}"#).unwrap();
    assert_eq!(from_parts, want);
    let lower: Money = serde_json::from_str(r#"{"amount":"100","currency":"jpy"}"#).unwrap();
    assert_eq!(lower, money("100", "JPY"));
}

#[test]
fn money_serializes_as_a_string() {
    assert_eq!(
        serde_json::to_string(&money("12.50", "EUR")).unwrap(),
        "\"12.50 EUR\""
    );
    assert_eq!(
        serde_json::to_string(&money("12.5", "EUR")).unwrap(),
        "\"12.50 EUR\""
    );
    assert_eq!(
        serde_json::to_string(&money("7", "KWD")).unwrap(),
        "\"7.000 KWD\""
    );
    let parsed: Money = serde_json::from_str(r#"{"amount":"12.50","currency":"EUR"}"#).unwrap();
    assert_eq!(serde_json::to_string(&parsed).unwrap(), "\"12.50 EUR\"");
    assert_eq!(serde_json::to_string(&Currency::KWD).unwrap(), "\"KWD\"");
    assert_eq!(
        serde_json::from_str::<Currency>("\"kwd\"").unwrap(),
        Currency::KWD
    );
}

#[test]
fn money_serde_errors_say_what_is_wrong() {
    let err = serde_json::from_str::<Money>("\"12.50 XYZ\"").unwrap_err();
    assert!(
        err.to_string().contains("unknown currency \"XYZ\""),
        "{err}"
    );
    let err = serde_json::from_str::<Money>("\"lots EUR\"").unwrap_err();
    assert!(
        err.to_string().contains("\"lots\" is not an amount"),
        "{err}"
    );
    let err = serde_json::from_str::<Currency>("\"EURO\"").unwrap_err();
    assert!(
        err.to_string().contains("unknown currency \"EURO\""),
        "{err}"
    );
    assert!(serde_json::from_str::<Money>(r#"{"amount":"12.50"}"#).is_err());
}

/// Exact shares stay exact under both policies: 0.03 over [2, 1] is 0.02 and
/// 0.01, and 9 JPY over [6, 2, 1] is 6, 2 and 1 (no leftover unit to place).
#[test]
fn exact_shares_are_exact_in_order_too() {
    use loyalty::money::{Currency, Money, RemainderPolicy, allocate};
    use rust_decimal::Decimal;
    for policy in [RemainderPolicy::InOrder, RemainderPolicy::LargestRemainder] {
        let parts = allocate(
            Money::parse("0.03", Currency::EUR).unwrap(),
            &[Decimal::from(2), Decimal::from(1)],
            policy,
        )
        .unwrap();
        let shown: Vec<String> = parts.iter().map(|m| m.amount().to_string()).collect();
        assert_eq!(shown, ["0.02", "0.01"], "{policy:?}");
        let yen = allocate(
            Money::parse("9", Currency::JPY).unwrap(),
            &[Decimal::from(6), Decimal::from(2), Decimal::from(1)],
            policy,
        )
        .unwrap();
        let shown: Vec<String> = yen.iter().map(|m| m.amount().to_string()).collect();
        assert_eq!(shown, ["6", "2", "1"], "{policy:?}");
    }
}

/// A selector that only lets exempt lines in survives a round trip.
#[test]
fn include_exempt_alone_is_not_all() {
    let selector: loyalty::condition::LineSelector =
        serde_json::from_str(r#"{"include_exempt": true}"#).unwrap();
    assert!(!selector.is_all());
}
