//! The seeds' progressive discount, 5% from 100, 10% from 200, 15% from 300,
//! on a few baskets.
//!
//! Run with `cargo run --example quickstart`.

use loyalty::money::{Money, RoundingMode};
use loyalty::program::{Program, ProgramDefinition};
use rust_decimal::Decimal;

const PROGRAM: &str = r#"{
    "id": "seeds",
    "currency": "EUR",
    "time_zone": "Europe/Lisbon",
    "ladders": [{
        "id": "spend-more-save-more",
        "name": "Spend more, save more",
        "steps": [
            {"from": "100.00", "percent": "5"},
            {"from": "200.00", "percent": "10"},
            {"from": "300.00", "percent": "15"}
        ]
    }]
}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let definition: ProgramDefinition = serde_json::from_str(PROGRAM)?;
    let program = Program::new(definition)?;
    let ladder = &program.ladders()[0];
    let currency = program.currency();
    println!("{program}\n");
    println!(
        "{:>10}  {:>14}  {:>14}  next step",
        "basket", "discount", "to pay"
    );
    for basket in ["99.99", "100.00", "187.50", "250.00", "300.00", "420.00"] {
        let subtotal: Decimal = basket.parse()?;
        let raw = ladder.reward_for(subtotal, subtotal).ok_or("overflow")?;
        let discount = Money::new(raw, currency).round(RoundingMode::HalfUp);
        let to_pay = Money::new(subtotal, currency).checked_sub(discount)?;
        let standing = ladder.standing(subtotal, currency.minor_unit());
        let next = match standing.next {
            Some(next) => format!(
                "spend {} more for step {} (from {})",
                Money::new(next.missing, currency),
                next.step + 1,
                next.from
            ),
            None => "top step reached".to_owned(),
        };
        println!(
            "{:>10}  {:>14}  {:>14}  {next}",
            basket,
            discount.to_string(),
            to_pay.to_string()
        );
    }
    Ok(())
}
