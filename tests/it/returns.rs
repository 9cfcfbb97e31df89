//! Returns: hand-worked scenarios for every policy and refusal, and the
//! invariants (a full return gives back and takes back exactly what the
//! order had, however it is split) as properties.

use loyalty::evaluate::Checkout;
use loyalty::evaluation::{Effect, Evaluation, RuleKind};
use loyalty::order::Refund;
use loyalty::program::Program;
use loyalty::wallet::{ReturnError, ReturnOutcome};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::util::cases;
use crate::util::common::{self, Basket, d, eur_program, seeds_ladder};

const LATER: &str = "2026-12-05T10:00:00Z";

/// The seeds' ladder, a point per 1.00 net, 2% cashback, points paying at
/// 100 = 1.00, a 20.00 coupon, a bonus of 50 points from 100.00; `extra`
/// is merged in (a `returns` policy).
fn shop(extra: Value) -> Program {
    let mut definition = json!({
        "ladders": [seeds_ladder()],
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "cashback": [{"id": "cb", "percent": "2"}],
        "bonuses": [{"id": "big-order", "when": {"order_over": "100.00"}, "points": "50"}],
        "coupons": [{"id": "twenty", "codes": ["TWENTY"],
                     "reward": {"type": "amount_off", "amount": "20.00"}}],
        "redemption": {"points": {"rate": {"points": 100, "value": "1.00"}}},
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        definition[k] = v;
    }
    eur_program(definition)
}

fn sale(program: &Program, basket: &Basket) -> (Checkout, Evaluation) {
    let checkout = basket.build();
    let evaluation = common::eval(program, &checkout);
    (checkout, evaluation)
}

fn refund(id: &str, lines: &[(&str, u32)]) -> Refund {
    let mut refund = Refund::new(id, "A-1", LATER.parse().unwrap()).unwrap();
    for (line, quantity) in lines {
        refund = refund.line(*line, *quantity).unwrap();
    }
    refund
}

/// `n` refunds `R-1` … of one unit of line 1 each.
fn unit_by_unit(n: usize) -> Vec<Refund> {
    (1..=n)
        .map(|i| refund(&format!("R-{i}"), &[("1", 1)]))
        .collect()
}

/// Works out `refunds` one after the other, each after the ones before.
fn returns(
    program: &Program,
    (checkout, evaluation): &(Checkout, Evaluation),
    refunds: &[Refund],
) -> Vec<ReturnOutcome> {
    let mut done: Vec<ReturnOutcome> = Vec::new();
    for r in refunds {
        let outcome = program
            .evaluate_return(checkout, evaluation, &done, r)
            .expect("the return is worked out");
        check_return(&outcome);
        done.push(outcome);
    }
    done
}

/// A return's lines sum to its totals.
fn check_return(r: &ReturnOutcome) {
    let sum = |f: fn(&loyalty::wallet::ReturnedLine) -> Decimal| -> Decimal {
        r.lines.iter().map(f).sum()
    };
    assert_eq!(sum(|l| l.money) + r.shipping - r.deducted, r.money);
    assert_eq!(sum(|l| l.points) + r.order_points, r.points_to_reverse);
    assert_eq!(sum(|l| l.points_restored), r.points_restored);
    assert_eq!(sum(|l| l.cashback_restored), r.cashback_restored);
    assert!(r.points_reversed + r.shortfall <= r.points_to_reverse);
    if r.deducted.is_zero() {
        assert!(r.shortfall.is_zero() || r.points_reversed + r.shortfall == r.points_to_reverse);
    }
    assert!(r.money >= Decimal::ZERO);
}

#[test]
fn three_returns_of_one_unit_give_back_exactly_the_order() {
    // 3 × 40.00 = 120.00, 5% off: 114.00 (38.00 a unit); shipping 4.90.
    // Points: 114 + 50 (bonus from 100.00); cashback 2% of 114.00 = 2.28.
    let program = shop(json!({"returns": {"order_points": "keep"}}));
    let sold = sale(
        &program,
        &Basket::eur().line("MUG", 3, "40.00").shipping("4.90"),
    );
    assert_eq!(sold.1.points.total, d("164"));
    assert_eq!(sold.1.cashback.total, d("2.28"));
    let done = returns(&program, &sold, &unit_by_unit(3));
    let money: Vec<Decimal> = done.iter().map(|r| r.money).collect();
    assert_eq!(money, vec![d("38.00"), d("38.00"), d("42.90")]);
    let points: Vec<Decimal> = done.iter().map(|r| r.points_to_reverse).collect();
    // The bonus is kept (policy `keep`) until the last unit.
    assert_eq!(points, vec![d("38"), d("38"), d("88")]);
    let cashback: Vec<Decimal> = done.iter().map(|r| r.cashback_reversed).collect();
    assert_eq!(cashback, vec![d("0.76"), d("0.76"), d("0.76")]);
    assert_eq!((done[0].full, done[2].full), (false, true));
    assert_eq!(done[2].shipping, d("4.90"));
    assert_eq!(done[2].bonuses.len(), 1);
    assert_eq!(
        done[0].effects,
        vec![
            Effect::ReversePoints {
                key: "seeds/A-1/return:R-1/points".into(),
                customer: "C-1".parse().unwrap(),
                points: d("38"),
                lot: "seeds/A-1/points".into(),
            },
            Effect::ReverseCashback {
                key: "seeds/A-1/return:R-1/cashback".into(),
                customer: "C-1".parse().unwrap(),
                amount: d("0.76"),
                lot: "seeds/A-1/cashback".into(),
            },
        ]
    );
}

#[test]
fn uneven_shares_round_and_the_last_unit_takes_what_is_left() {
    // Without the ladder: 3 × 40.00 − the 20.00 coupon = 100.00 net, 100
    // points and the 50-point bonus (the subtotal is 120.00).
    let program = shop(json!({"ladders": [], "returns": {"order_points": "keep"}}));
    let sold = sale(
        &program,
        &Basket::eur().line("MUG", 3, "40.00").coupon("TWENTY"),
    );
    assert_eq!(sold.1.lines[0].net, d("100.00"));
    assert_eq!(sold.1.points.total, d("150"));
    let done = returns(&program, &sold, &unit_by_unit(3));
    // 33.333 → 33.33; 66.667 → 66.67 (33.34); then 100.00 − 66.67.
    let money: Vec<Decimal> = done.iter().map(|r| r.money).collect();
    assert_eq!(money, vec![d("33.33"), d("33.34"), d("33.33")]);
    // Points round down: 33, 66 (33), then 100 − 66 = 34 and the bonus.
    let points: Vec<Decimal> = done.iter().map(|r| r.lines[0].points).collect();
    assert_eq!(points, vec![d("33"), d("33"), d("34")]);
    // The whole order: its coupon use is released.
    assert!(done[2].effects.contains(&Effect::ReleaseCoupon {
        key: "seeds/A-1/return:R-3/coupon:twenty:TWENTY".into(),
        coupon: "twenty".parse().unwrap(),
        code: "TWENTY".into(),
        customer: "C-1".parse().unwrap(),
    }));
    assert!(
        !done[0]
            .effects
            .iter()
            .any(|e| matches!(e, Effect::ReleaseCoupon { .. }))
    );
}

#[test]
fn points_paid_with_come_back_with_the_units() {
    // 2 × 50.00 = 100.00, 5% off: 95.00; 1000 points pay 10.00: 85.00 net,
    // 85 points earned (+50 bonus: the subtotal is 100.00).
    let program = shop(json!({"returns": {"order_points": "keep"}}));
    let sold = sale(
        &program,
        &Basket::eur()
            .line("MUG", 2, "50.00")
            .redeem(json!({"points": 1000}), json!({"points": 1000})),
    );
    assert_eq!(sold.1.lines[0].net, d("85.00"));
    assert_eq!(sold.1.points.total, d("135"));
    let done = returns(&program, &sold, &[refund("R-1", &[("1", 1)])]);
    let r = &done[0];
    assert_eq!(r.money, d("42.50"), "half of what was paid in money");
    assert_eq!(r.points_to_reverse, d("42"));
    assert_eq!(r.points_restored, d("500"));
    assert!(r.effects.contains(&Effect::RestorePoints {
        key: "seeds/A-1/return:R-1/redeemed-points".into(),
        customer: "C-1".parse().unwrap(),
        points: d("500"),
        redemption: "seeds/A-1/redeem:points".into(),
    }));
    let rest = program
        .evaluate_return(&sold.0, &sold.1, &done, &refund("R-2", &[("1", 1)]))
        .unwrap();
    assert_eq!(rest.money, d("42.50"));
    assert_eq!(rest.points_restored, d("500"));
    assert_eq!(rest.points_to_reverse, d("93"), "43 and the bonus");
}

#[test]
fn a_bonus_goes_when_the_order_kept_no_longer_earns_it() {
    // 2 × 60.00 = 120.00 earns the bonus (from 100.00); one unit back
    // leaves 60.00, which does not.
    let program = shop(json!({}));
    let sold = sale(&program, &Basket::eur().line("MUG", 2, "60.00"));
    let done = returns(&program, &sold, &[refund("R-1", &[("1", 1)])]);
    let r = &done[0];
    assert_eq!(r.order_points, d("50"));
    assert_eq!(r.bonuses.len(), 1);
    assert_eq!(r.bonuses[0].kind, RuleKind::Bonus);
    // 120.00 − 5% = 114.00 net: 57 points a unit, and the bonus.
    assert_eq!(r.points_to_reverse, d("107"));
    // The bonus is not taken twice.
    let rest = program
        .evaluate_return(&sold.0, &sold.1, &done, &refund("R-2", &[("1", 1)]))
        .unwrap();
    assert_eq!(rest.order_points, d("0"));
    assert!(rest.bonuses.is_empty());
    assert_eq!(rest.points_to_reverse, d("57"));
    // Three units, one back: 120.00 kept still earns it.
    let sold = sale(&program, &Basket::eur().line("MUG", 3, "60.00"));
    let done = returns(&program, &sold, &[refund("R-1", &[("1", 1)])]);
    assert_eq!(done[0].order_points, d("0"));
}

#[test]
fn points_no_longer_held_follow_the_policy() {
    let basket = Basket::eur().line("MUG", 3, "40.00");
    let full = |policy: &str, held: &str| {
        let program = shop(json!({"returns": {"spent_points": policy}}));
        let sold = sale(&program, &basket);
        program
            .evaluate_return(
                &sold.0,
                &sold.1,
                &[],
                &refund("R-1", &[("1", 3)]).points_held(d(held)),
            )
            .unwrap()
    };
    // 164 points to take back; the customer holds 20.
    let capped = full("cap_at_zero", "20");
    assert_eq!(capped.points_to_reverse, d("164"));
    assert_eq!(
        (capped.points_reversed, capped.shortfall),
        (d("20"), d("144"))
    );
    assert_eq!(capped.money, d("114.00"));
    let negative = full("allow_negative", "20");
    assert_eq!(
        (negative.points_reversed, negative.shortfall),
        (d("164"), d("0"))
    );
    // 144 points at 100 = 1.00 are worth 1.44, kept from the refund.
    let deducted = full("deduct_from_refund", "20");
    assert_eq!(deducted.points_reversed, d("20"));
    assert_eq!(deducted.deducted, d("1.44"));
    assert_eq!(deducted.money, d("112.56"));
    assert_eq!(deducted.shortfall, d("0"));
    // Holding enough: nothing short.
    let enough = full("cap_at_zero", "500");
    assert_eq!(
        (enough.points_reversed, enough.shortfall),
        (d("164"), d("0"))
    );
}

#[test]
fn shipping_can_be_kept() {
    let program = shop(json!({"returns": {"shipping": "never"}}));
    let sold = sale(
        &program,
        &Basket::eur().line("MUG", 1, "40.00").shipping("4.90"),
    );
    let done = returns(&program, &sold, &[refund("R-1", &[("1", 1)])]);
    assert_eq!(done[0].money, d("40.00"));
    assert!(done[0].shipping.is_zero());
}

#[test]
fn bad_returns_are_refused_with_what_to_fix() {
    let program = shop(json!({}));
    let sold = sale(
        &program,
        &Basket::eur().line("MUG", 3, "40.00").line("CUP", 1, "5.00"),
    );
    let err = |earlier: &[ReturnOutcome], r: Refund| {
        program
            .evaluate_return(&sold.0, &sold.1, earlier, &r)
            .unwrap_err()
    };
    let e = err(&[], refund("R-1", &[("1", 4)]));
    assert!(matches!(e, ReturnError::TooManyUnits { remaining: 3, .. }));
    assert_eq!(
        e.to_string(),
        "refund R-1 returns 4 of line 1, but only 3 remain (of 3 sold): return at most 3"
    );
    // Two lines of the refund on the same order line add up.
    let e = err(&[], refund("R-1", &[("1", 2), ("1", 2)]));
    assert!(matches!(e, ReturnError::TooManyUnits { asked: 4, .. }));
    let done = returns(&program, &sold, &[refund("R-1", &[("1", 2)])]);
    let e = err(&done, refund("R-2", &[("1", 2)]));
    assert!(matches!(e, ReturnError::TooManyUnits { remaining: 1, .. }));
    assert!(matches!(
        err(&done, refund("R-1", &[("2", 1)])),
        ReturnError::AlreadyReturned { .. }
    ));
    assert!(matches!(
        err(&[], refund("R-1", &[("9", 1)])),
        ReturnError::UnknownLine { .. }
    ));
    assert!(matches!(
        err(&[], refund("R-1", &[("1", 0)])),
        ReturnError::ZeroUnits { .. }
    ));
    assert!(matches!(
        err(&[], refund("R-1", &[])),
        ReturnError::Empty { .. }
    ));
    let other = Refund::new("R-1", "B-7", LATER.parse().unwrap())
        .unwrap()
        .line("1", 1)
        .unwrap();
    assert!(matches!(err(&[], other), ReturnError::OtherOrder { .. }));
    let early = Refund::new("R-1", "A-1", "2026-11-01T00:00:00Z".parse().unwrap())
        .unwrap()
        .line("1", 1)
        .unwrap();
    assert!(matches!(err(&[], early), ReturnError::BeforeOrder { .. }));
    let negative = refund("R-1", &[("1", 1)]).points_held(d("-1"));
    assert!(matches!(
        err(&[], negative),
        ReturnError::NegativeHeld { .. }
    ));
    // Nothing passed in is changed, and a return reads back as written.
    let json = serde_json::to_string(&done[0]).unwrap();
    assert_eq!(
        serde_json::from_str::<ReturnOutcome>(&json).unwrap(),
        done[0]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    /// However an order is returned (in one go or unit by unit, lines in
    /// any order), the returns together give back what was paid, take back
    /// every point and cent of cashback it earned, and give back every
    /// point it was paid with.
    #[test]
    fn a_full_return_undoes_the_order_exactly(
        lines in prop::collection::vec((1u32..5, 100u32..20_000), 1..5),
        shipping in 0u32..1_000,
        redeem in 0u32..3_000,
        coupon in any::<bool>(),
        splits in prop::collection::vec(any::<prop::sample::Index>(), 1..12),
        keep_bonus in any::<bool>(),
    ) {
        let program = shop(json!({"returns": {
            "order_points": if keep_bonus { "keep" } else { "reverse" }}}));
        let mut basket = Basket::eur().shipping(&format!("{}.{:02}", shipping / 100, shipping % 100));
        for (i, (quantity, price)) in lines.iter().enumerate() {
            basket = basket.line(&format!("S{i}"), u64::from(*quantity),
                                 &format!("{}.{:02}", price / 100, price % 100));
        }
        if coupon {
            basket = basket.coupon("TWENTY");
        }
        if redeem > 0 {
            basket = basket.redeem(json!({"points": redeem}), json!({"points": redeem}));
        }
        let sold = sale(&program, &basket);
        // Units to return, one refund per split point, unit by unit.
        let mut units: Vec<String> = Vec::new();
        for (i, (quantity, _)) in lines.iter().enumerate() {
            for _ in 0..*quantity {
                units.push((i + 1).to_string());
            }
        }
        let mut cuts: Vec<usize> = splits.iter().map(|s| s.index(units.len() + 1)).collect();
        cuts.push(0);
        cuts.push(units.len());
        cuts.sort_unstable();
        cuts.dedup();
        let mut refunds = Vec::new();
        for (n, w) in cuts.windows(2).enumerate() {
            let mut r = Refund::new(format!("R-{n}"), "A-1", LATER.parse().unwrap()).unwrap();
            for unit in &units[w[0]..w[1]] {
                r = r.line(unit.as_str(), 1).unwrap();
            }
            refunds.push(r);
        }
        let done = returns(&program, &sold, &refunds);
        let total = |f: fn(&ReturnOutcome) -> Decimal| -> Decimal { done.iter().map(f).sum() };
        let e = &sold.1;
        prop_assert!(done.last().unwrap().full);
        prop_assert!(done[..done.len() - 1].iter().all(|r| !r.full));
        prop_assert_eq!(total(|r| r.money), e.totals.payable);
        prop_assert_eq!(total(|r| r.points_to_reverse), e.points.total);
        prop_assert_eq!(total(|r| r.points_reversed), e.points.total);
        prop_assert_eq!(total(|r| r.cashback_reversed), e.cashback.total);
        let paid_with: Decimal = e.redemptions.iter().map(|r| r.points).sum();
        prop_assert_eq!(total(|r| r.points_restored), paid_with);
        // One return of everything gives the same totals.
        let mut all = Refund::new("ALL", "A-1", LATER.parse().unwrap()).unwrap();
        for (i, (quantity, _)) in lines.iter().enumerate() {
            all = all.line((i + 1).to_string(), *quantity).unwrap();
        }
        let one = program.evaluate_return(&sold.0, &sold.1, &[], &all).unwrap();
        prop_assert_eq!(one.money, total(|r| r.money));
        prop_assert_eq!(one.points_to_reverse, total(|r| r.points_to_reverse));
        prop_assert_eq!(one.cashback_reversed, total(|r| r.cashback_reversed));
        prop_assert_eq!(one.points_restored, total(|r| r.points_restored));
        // And nothing more can come back.
        let more = Refund::new("MORE", "A-1", LATER.parse().unwrap()).unwrap().line("1", 1).unwrap();
        let refused = matches!(
            program.evaluate_return(&sold.0, &sold.1, &done, &more),
            Err(ReturnError::TooManyUnits { .. })
        );
        prop_assert!(refused);
    }
}
