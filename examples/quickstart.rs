//! The seeds' progressive discount, 5% from 100, 10% from 200, 15% from 300,
//! together with a coupon, on a few baskets.
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
    }]
}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let program = Program::new(serde_json::from_str::<ProgramDefinition>(PROGRAM)?)?;
    let eur = Currency::EUR;
    let at = "2026-11-27T15:00:00Z".parse()?;
    println!("{program}\n");

    let baskets: [(&str, &[&str], u32); 6] = [
        ("99.99", &[], 0),
        ("100.00", &[], 2),
        ("187.50", &["WELCOME10"], 0),
        ("250.00", &["welcome10"], 5),
        ("300.00", &[], 1),
        ("40.00", &["WELCOME10"], 0),
    ];
    for (n, (price, codes, orders_before)) in baskets.into_iter().enumerate() {
        let mut order = Order::builder(format!("Q-{n}"), "C-1", at, eur).line(Line::new(
            "1",
            "TEA",
            1,
            Money::parse(price, eur)?,
        )?);
        for code in codes {
            order = order.coupon(*code);
        }
        let customer = Customer::new("C-1")?.with_stats(loyalty::customer::CustomerStats {
            orders_before,
            last_order_at: (orders_before > 0).then_some("2026-10-01T10:00:00Z".parse()?),
            ..Default::default()
        })?;
        let evaluation = program.evaluate(&Checkout::new(order.build()?, customer, at))?;
        let totals = evaluation.totals;
        println!(
            "basket {:>7}  order #{:<2} discount {:>6}  pays {:>7}",
            price,
            orders_before + 1,
            totals.discount,
            totals.payable
        );
        for entry in &evaluation.trace {
            println!("    {}: {}", entry.rule, entry.message);
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
