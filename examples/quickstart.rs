//! The seeds' progressive discount, 5% from 100, 10% from 200, 15% from 300,
//! with a welcome coupon, points (1 per 1.00 paid, double on Black Friday,
//! 1.5× for gold, a bonus at the 5th order) and 2% cashback, on a few
//! baskets.
//!
//! Run with `cargo run --example quickstart`.

use loyalty::customer::Customer;
use loyalty::evaluate::Checkout;
use loyalty::money::{Currency, Money};
use loyalty::order::{Line, Order};
use loyalty::program::{Program, ProgramDefinition};

const PROGRAM: &str = r#"{
    "id": "seeds",
    "currency": "EUR",
    "time_zone": "Europe/Lisbon",
    "ladders": [{
        "id": "spend-more-save-more",
        "steps": [
            {"from": "100.00", "percent": "5"},
            {"from": "200.00", "percent": "10"},
            {"from": "300.00", "percent": "15"}
        ]
    }],
    "coupons": [{
        "id": "welcome",
        "codes": ["WELCOME10"],
        "first_order_only": true,
        "min_subtotal": "50.00",
        "reward": {"type": "amount_off", "amount": "10.00"}
    }],
    "tiers": [{"id": "silver"}, {"id": "gold"}],
    "earning": [{"id": "points", "points": "1", "per": "1.00"}],
    "multipliers": {
        "tiers": [{"tier": "gold", "factor": "1.5"}],
        "campaigns": [{"id": "black-friday", "when": {"seasonal_event": "black_friday"}, "factor": "2"}]
    },
    "bonuses": [{"id": "fifth-order", "when": {"order_number": 5}, "points": "250"}],
    "cashback": [{"id": "cashback", "percent": "2", "cap": "5.00"}],
    "ledger": {"return_window_days": 14, "points_expiry": {"after_months": 12}}
}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let program = Program::new(serde_json::from_str::<ProgramDefinition>(PROGRAM)?)?;
    let eur = Currency::EUR;
    println!("{program}\n");

    // (basket, codes, orders before this one, gold?, when)
    let black_friday = "2026-11-27T15:00:00Z";
    let a_tuesday = "2026-12-01T15:00:00Z";
    let baskets: [(&str, &[&str], u32, bool, &str); 6] = [
        ("99.99", &[], 0, false, a_tuesday),
        ("100.00", &[], 2, false, a_tuesday),
        ("187.50", &["WELCOME10"], 0, false, black_friday),
        ("250.00", &["welcome10"], 4, true, a_tuesday),
        ("300.00", &[], 1, true, black_friday),
        ("40.00", &["WELCOME10"], 0, false, a_tuesday),
    ];
    for (n, (price, codes, orders_before, gold, when)) in baskets.into_iter().enumerate() {
        let at = when.parse()?;
        let mut order = Order::builder(format!("Q-{n}"), "C-1", at, eur).line(Line::new(
            "1",
            "TEA",
            1,
            Money::parse(price, eur)?,
        )?);
        for code in codes {
            order = order.coupon(*code);
        }
        let mut customer = Customer::new("C-1")?;
        if gold {
            customer = customer.with_tier("gold")?;
        }
        let customer = customer.with_stats(loyalty::customer::CustomerStats {
            orders_before,
            last_order_at: (orders_before > 0).then_some("2026-10-01T10:00:00Z".parse()?),
            ..Default::default()
        })?;
        let evaluation = program.evaluate(&Checkout::new(order.build()?, customer, at))?;
        let totals = evaluation.totals;
        println!(
            "basket {:>7}  order #{:<2} {:<6} {}  discount {:>6}  pays {:>7}  earns {:>4} points and {:>4} cashback",
            price,
            orders_before + 1,
            if gold { "gold" } else { "" },
            &when[..10],
            totals.discount,
            totals.payable,
            evaluation.points.total,
            evaluation.cashback.total
        );
        for entry in &evaluation.trace {
            println!("    {}: {}", entry.rule, entry.message());
        }
        for outcome in &evaluation.ladders {
            if let Some(next) = outcome.next {
                println!(
                    "    next: {} EUR more for step {}",
                    next.missing,
                    next.step + 1
                );
            }
        }
    }
    Ok(())
}
