//! One customer's VIP tier over three years, as a host would follow it:
//! five orders in 2026 that climb from bronze to silver to gold, a partial
//! return that leaves gold standing, then two quiet years in which gold
//! falls to silver, and silver to bronze, one level at each year-end
//! review and only after 30 grace days.
//!
//! Each order is evaluated ([`Program::evaluate`]); its outlook
//! ([`Program::tier_outlook`] with the history before it) gives the
//! sentence for the customer ("this order makes you silver") and, when the
//! tier changes, the `tier_changed` effect to store; then the host appends
//! its [`TierEvent::from_evaluation`] to the history, and a return's
//! [`TierEvent::from_return`]. At each key instant the example prints the
//! [`TierStatus`] line worked out from the history ([`Program::tier_status`]).
//!
//! Run with `cargo run --example tiers`.

use chrono::{DateTime, Utc};
use loyalty::customer::TierId;
use loyalty::evaluate::Checkout;
use loyalty::evaluation::{Effect, Evaluation};
use loyalty::money::{Currency, Money};
use loyalty::order::{Line, Order, Refund};
use loyalty::program::{Program, ProgramDefinition};
use loyalty::tiers::{TierEvent, TierStatus};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The seeds' ladder (5% from 100.00, 10% from 200.00, 15% from 300.00), a
/// point per 1.00 paid, and three tiers: bronze for everyone, silver from
/// 300.00 spent in a calendar year, gold from 1000.00 and 5 orders. A tier
/// reached in a year is held to the end of the next; a review that finds
/// the year's figures short takes one level off, 30 days later.
const PROGRAM: &str = include_str!("data/tiers_program.json");

/// Order `id` of customer C-1 at `at`: lines of (sku, units, unit price).
fn order(id: &str, at: &str, lines: &[(&str, u32, &str)]) -> Result<Order> {
    let mut order = Order::builder(id, "C-1", at.parse()?, Currency::EUR);
    for (n, (sku, units, price)) in lines.iter().enumerate() {
        let price = Money::parse(price, Currency::EUR)?;
        order = order.line(Line::new((n + 1).to_string(), *sku, *units, price));
    }
    Ok(order.build()?)
}

/// An instant as the shop's local date and time.
fn local(program: &Program, at: DateTime<Utc>) -> String {
    let local = program.calendar().zone().to_local(at);
    local.format("%Y-%m-%d %H:%M").to_string()
}

/// The customer's tier at `at`, printed under `what` happens then, and
/// what the next review would make of it if the year ended now.
fn status(program: &Program, history: &[TierEvent], at: &str, what: &str) -> Result<TierStatus> {
    let at = at.parse()?;
    let status = program.tier_status(history, at)?;
    println!("{}  {what}\n  > {status}", local(program, at));
    if let Some(review) = status.review.as_ref().filter(|r| r.tier != status.tier) {
        let to = review.tier.as_ref().map_or("no tier", |t| t.as_str());
        println!(
            "    the review at {} would give {to}",
            local(program, review.at)
        );
    }
    Ok(status)
}

/// Evaluates `order`, prints its outlook, and appends its event to the
/// history.
fn checkout(
    program: &Program,
    history: &mut Vec<TierEvent>,
    order: Order,
) -> Result<(Checkout, Evaluation)> {
    let at = order.placed_at();
    let checkout = Checkout::for_order(order, at);
    let evaluation = program.evaluate(&checkout)?;
    let t = &evaluation.totals;
    let event = TierEvent::from_evaluation(&evaluation);
    println!(
        "{}  order {}: {} EUR, {} off, counts {} (earns {} points)",
        local(program, evaluation.at),
        evaluation.order,
        t.subtotal,
        t.discount,
        event.spend,
        evaluation.points.total,
    );
    let outlook = program.tier_outlook(history, &evaluation)?;
    println!("  \"{outlook}\"");
    if let Some(Effect::TierChanged { key, from, to, .. }) = &outlook.effect {
        let [from, to] = [from, to].map(|t| t.as_ref().map_or("no tier", TierId::as_str));
        println!("  stored: tier_changed {from} → {to}  ({key})");
    }
    history.push(event);
    println!("  > {}", outlook.status);
    Ok((checkout, evaluation))
}

fn main() -> Result<()> {
    let program = Program::new(serde_json::from_str::<ProgramDefinition>(PROGRAM)?)?;
    let mut history = Vec::new();
    println!("{program}\ncustomer C-1, times in Lisbon\n");

    // 2026. 120.00 less 5%: 114.00 counts, 186.00 short of silver.
    let a1 = order("A-1", "2026-02-10T10:00:00Z", &[("TEA", 4, "30.00")])?;
    checkout(&program, &mut history, a1)?;
    // 220.00 less 10%: 198.00, 312.00 this year: silver, held to the end
    // of 2027. Gold wants 688.00 more and 3 more orders.
    let a2 = order("A-2", "2026-04-15T10:00:00Z", &[("KETTLE", 1, "220.00")])?;
    checkout(&program, &mut history, a2)?;
    // 80.00 (no step): 392.00 in 3 orders.
    let a3 = order("A-3", "2026-06-20T10:00:00Z", &[("MUG", 4, "20.00")])?;
    checkout(&program, &mut history, a3)?;
    // 350.00 less 15%: 297.50; 689.50 in 4 orders.
    let a4 = order("A-4", "2026-09-05T10:00:00Z", &[("GRINDER", 1, "350.00")])?;
    checkout(&program, &mut history, a4)?;
    // 400.00 less 15%: 340.00; 1029.50 in 5 orders: gold, held to the end
    // of 2027.
    let a5 = order(
        "A-5",
        "2026-11-27T10:00:00Z",
        &[("LAMP", 1, "340.00"), ("CANDLE", 2, "30.00")],
    )?;
    let (c5, e5) = checkout(&program, &mut history, a5)?;
    let gold = program.tier_status(&history, e5.at)?;
    assert_eq!(gold.figures.spend, "1029.50".parse()?);
    assert_eq!(gold.figures.points, 1029.into()); // 114 + 198 + 80 + 297 + 340

    // One candle back: the candles carry 9.00 of the 60.00 off, so one
    // counted 25.50; 1004.00 is still over 1000.00 and gold stands.
    let at = "2026-12-05T11:00:00Z".parse()?;
    let refund = Refund::new("R-1", "A-5", at)?.line("2", 1)?;
    let back = program.evaluate_return(&c5, &e5, &[], &refund)?;
    let event = TierEvent::from_return(&back, &e5);
    println!(
        "{}  return {} of 1 CANDLE of A-5: counts {}, {} points taken back",
        local(&program, at),
        back.refund,
        event.spend,
        back.points_to_reverse,
    );
    history.push(event);
    let s = status(&program, &history, "2026-12-05T11:00:00Z", "after it")?;
    assert_eq!((s.figures.spend, s.figures.orders), ("1004.00".parse()?, 5));

    // 2027 and 2028: no order. A tier is held to the end of the year after
    // the one it was reached in; each review at local midnight finds the
    // year just ended at 0.00 and takes one level off, 30 days later.
    for (at, what, tier) in [
        ("2027-12-31T23:59:59Z", "the end of 2027", "gold"),
        ("2028-01-01T00:00:00Z", "the review of 2027", "gold"),
        ("2028-01-15T12:00:00Z", "in the grace days", "gold"),
        ("2028-01-31T00:00:00Z", "the grace days end", "silver"),
        ("2029-01-01T00:00:00Z", "the review of 2028", "silver"),
        ("2029-01-31T00:00:00Z", "the grace days end", "bronze"),
    ] {
        let s = status(&program, &history, at, what)?;
        assert_eq!(s.tier.as_ref().map(|t| t.as_str()), Some(tier));
    }
    Ok(())
}
