//! A year of orders of 10 000 customers, made up from a seeded generator,
//! simulated under a program and under a variant of it that gives double
//! points: a monthly table of both side by side, `simulation.csv` (a row
//! per month per program) and `liability.svg` (the points outstanding at
//! each month end, both programs).
//!
//! Two customers in five pay with their points whenever the program lets
//! them (500 points or more, for up to half of an order): their orders
//! ask for all their points, and the simulation measures each ask against
//! the customer's wallet at that instant. What they redeem leaves the
//! liability, what nobody spends expires after six months.
//!
//! Run with `cargo run --release --example simulate [OUT_DIR]`; the files
//! go to OUT_DIR, by default the system's temporary directory. The same
//! seed gives the same orders, hence the same figures, on every run.

use std::fmt::Write as _;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use loyalty::insight::simulate::{HistoryItem, Month, Simulation, SimulationReport};
use loyalty::money::{Currency, Money};
use loyalty::order::{Line, Order};
use loyalty::program::{Program, ProgramDefinition};
use loyalty::rules::redemption::{Ask, Redeem};
use rust_decimal::Decimal;

/// The program: the seeds' ladder (gift cards excluded), a welcome coupon
/// and a coffee 3-for-2, points per 1.00 paid (`@POINTS@`) and per bag of
/// coffee, kept 6 months, tiers earned by spend over the calendar year.
const PROGRAM: &str = r#"{
    "id": "@ID@", "currency": "EUR", "time_zone": "Europe/Lisbon",
    "ladders": [{"id": "spend-more-save-more",
        "steps": [{"from": "100.00", "percent": "5"}, {"from": "200.00", "percent": "10"},
                  {"from": "300.00", "percent": "15"}],
        "lines": {"exclude_categories": ["gift-cards"]}}],
    "coupons": [
        {"id": "welcome", "codes": ["WELCOME10"], "first_order_only": true, "min_subtotal": "50.00",
         "reward": {"type": "percent_off", "percent": "10", "cap": "30.00"}},
        {"id": "coffee-3-for-2", "codes": ["CAFE3X2"], "lines": {"categories": ["coffee"]},
         "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1, "max_applications": 2}}],
    "tiers": [{"id": "bronze"}, {"id": "silver", "qualify": {"spend": "300.00"}},
              {"id": "gold", "qualify": {"all": [{"spend": "1000.00"}, {"orders": 5}]}}],
    "tier_rules": {"window": "calendar_year", "downgrade": "one_level", "grace_days": 30},
    "earning": [{"id": "points", "points": "@POINTS@", "per": "1.00"},
                {"id": "coffee-club", "base": "per_unit", "points": "10",
                 "lines": {"categories": ["coffee"]}}],
    "multipliers": {"tiers": [{"tier": "silver", "factor": "1.25"}, {"tier": "gold", "factor": "1.5"}]},
    "redemption": {"points": {"rate": {"points": 100, "value": "1.00"}, "minimum": 500,
                              "max_share_percent": 50}},
    "ledger": {"return_window_days": 14, "points_expiry": {"after_months": 6}}
}"#;

/// The products: sku, category, price in cents.
const SKUS: [(&str, &str, i64); 7] = [
    ("TEA-GREEN", "tea", 1_290),
    ("TEA-BLACK", "tea", 950),
    ("COFFEE-BEANS", "coffee", 1_800),
    ("COFFEE-GROUND", "coffee", 1_550),
    ("MUG", "accessories", 2_490),
    ("KETTLE", "accessories", 8_900),
    ("GIFT-CARD", "gift-cards", 5_000),
];

const CUSTOMERS: usize = 10_000;

/// SplitMix64: a small, fast, seeded generator, good enough for test data.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn program(id: &str, points_per_euro: u32) -> Result<Program, Box<dyn std::error::Error>> {
    let json = PROGRAM
        .replace("@ID@", id)
        .replace("@POINTS@", &points_per_euro.to_string());
    Ok(Program::new(serde_json::from_str::<ProgramDefinition>(
        &json,
    )?)?)
}

/// The orders of 2026, in time order: each customer orders about 1, 4, 12
/// or 40 times a year (half, 30%, 15% and 5% of them), at random instants;
/// two in five first orders enter the welcome code, one in ten coffee
/// orders the 3-for-2; two customers in five ask to pay with all their
/// points at every checkout.
fn orders(seed: u64) -> Result<Vec<HistoryItem>, Box<dyn std::error::Error>> {
    let mut rng = SplitMix(seed);
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse()?;
    let year_seconds = 365 * 86_400;
    let eur = Currency::EUR;
    let mut orders = Vec::new();
    for c in 0..CUSTOMERS {
        // Drawn apart, so that the orders are those of a history without
        // redemption.
        let redeems = SplitMix(seed ^ (c as u64).wrapping_mul(0x2545_F491_4F6C_DD1D)).below(5) < 2;
        let rate = match rng.below(100) {
            0..50 => 1,
            50..80 => 4,
            80..95 => 12,
            _ => 40,
        };
        let count = 1 + rng.below(2 * rate);
        let mut instants: Vec<u64> = (0..count).map(|_| rng.below(year_seconds)).collect();
        instants.sort_unstable();
        for (n, seconds) in instants.into_iter().enumerate() {
            let at = start + TimeDelta::seconds(i64::try_from(seconds)?);
            let mut order =
                Order::builder(format!("O-{c:05}-{n:02}"), format!("C-{c:05}"), at, eur)
                    .shipping(Money::parse("4.90", eur)?);
            let mut coffee = false;
            for l in 0..1 + rng.below(3) {
                let (sku, category, cents) = SKUS[usize::try_from(rng.below(SKUS.len() as u64))?];
                coffee |= category == "coffee";
                let price = Money::new(Decimal::new(cents, 2), eur);
                let quantity = 1 + u32::try_from(rng.below(3))?;
                let line = Line::new(format!("{}", l + 1), sku, quantity, price)?;
                order = order.line(line.with_category(category)?);
            }
            if n == 0 && rng.below(5) < 2 {
                order = order.coupon("WELCOME10");
            } else if coffee && rng.below(10) == 0 {
                order = order.coupon("CAFE3X2");
            }
            let item = HistoryItem::new(order.build()?);
            orders.push(if redeems {
                item.redeem(Redeem::points(Ask::All))
            } else {
                item
            });
        }
    }
    orders.sort_by(|a, b| {
        (a.order.placed_at(), a.order.id()).cmp(&(b.order.placed_at(), b.order.id()))
    });
    Ok(orders)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args_os()
        .nth(1)
        .map_or_else(std::env::temp_dir, Into::into);
    std::fs::create_dir_all(&out)?;
    let history = orders(2026)?;
    let programs = [
        ("base", program("base", 1)?),
        ("double", program("double-points", 2)?),
    ];
    let mut reports: Vec<(&str, SimulationReport)> = Vec::new();
    for (name, program) in &programs {
        let started = Instant::now();
        let report = Simulation::new(program).run(history.iter().cloned())?;
        let elapsed = started.elapsed();
        println!(
            "{name:>6}: {} orders of {CUSTOMERS} customers simulated in {elapsed:.2?}: {:.0} orders/s",
            history.len(),
            history.len() as f64 / elapsed.as_secs_f64()
        );
        reports.push((name, report));
    }
    let mut months: Vec<Month> = reports
        .iter()
        .flat_map(|(_, r)| r.months.keys().copied())
        .collect();
    months.sort_unstable();
    months.dedup();

    println!(
        "\n{:<7} {:>6} | {:>21} | {:>19} | {:>17} | {:>17} | {:>17} | {:>19}",
        "month",
        "orders",
        "revenue base/double",
        "discounts",
        "points issued",
        "points redeemed",
        "points expired",
        "liability (points)"
    );
    let mut csv = String::from(
        "month,program,orders,revenue,discounts,coupon_uses,points_issued,points_redeemed,\
         points_paid,points_expired,liability_points,liability_value\n",
    );
    for &month in &months {
        let figures: Vec<_> = reports
            .iter()
            .map(|(_, r)| r.month(month).cloned().unwrap_or_default())
            .collect();
        let discounts: Vec<Decimal> = figures.iter().map(|f| f.discounts.values().sum()).collect();
        let liability: Vec<Decimal> = reports
            .iter()
            .map(|(_, r)| r.points_liability(month))
            .collect();
        let (a, b) = (&figures[0], &figures[1]);
        println!(
            "{month:<7} {:>6} | {:>10} {:>10} | {:>9} {:>9} | {:>8} {:>8} | {:>8} {:>8} | {:>8} {:>8} | {:>9} {:>9}",
            a.orders,
            a.revenue,
            b.revenue,
            discounts[0],
            discounts[1],
            a.points_issued,
            b.points_issued,
            a.points_redeemed,
            b.points_redeemed,
            a.points_expired,
            b.points_expired,
            liability[0],
            liability[1],
        );
        for (i, (name, report)) in reports.iter().enumerate() {
            let f = &figures[i];
            let value = report.points_liability_value(month).unwrap_or_default();
            writeln!(
                csv,
                "{month},{name},{},{},{},{},{},{},{},{},{},{value}",
                f.orders,
                f.revenue,
                discounts[i],
                f.coupon_uses.values().sum::<u64>(),
                f.points_issued,
                f.points_redeemed,
                f.points_paid,
                f.points_expired,
                liability[i],
            )?;
        }
    }
    for (name, report) in &reports {
        let (points, paid): (Decimal, Decimal) = report
            .months
            .values()
            .fold((Decimal::ZERO, Decimal::ZERO), |(p, v), f| {
                (p + f.points_redeemed, v + f.points_paid)
            });
        println!("{name:>6}: {points} points redeemed, paying {paid} EUR of the orders");
    }
    let csv_path = out.join("simulation.csv");
    std::fs::write(&csv_path, csv)?;
    let svg_path = out.join("liability.svg");
    std::fs::write(&svg_path, chart(&months, &reports))?;
    println!(
        "\nwrote {}\nwrote {}",
        csv_path.display(),
        svg_path.display()
    );
    Ok(())
}

/// A line chart of the points liability at each month end, one line per
/// program, with axes, gridlines and a legend.
fn chart(months: &[Month], reports: &[(&str, SimulationReport)]) -> String {
    const COLOURS: [&str; 2] = ["#1f77b4", "#d62728"];
    let (width, height, left, right, top, bottom) = (760.0, 420.0, 90.0, 20.0, 40.0, 60.0);
    let series: Vec<Vec<f64>> = reports
        .iter()
        .map(|(_, r)| {
            months
                .iter()
                .map(|&m| r.points_liability(m).to_string().parse().unwrap_or(0.0))
                .collect()
        })
        .collect();
    let max = series.iter().flatten().fold(1.0_f64, |a, &b| a.max(b));
    // A round top for the axis: 1, 2 or 5 times a power of ten, in 5 steps.
    let magnitude = 10f64.powf((max / 5.0).log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|k| k * magnitude)
        .find(|s| s * 5.0 >= max)
        .unwrap_or(max / 5.0);
    let (plot_w, plot_h) = (width - left - right, height - top - bottom);
    let x = |i: usize| left + plot_w * i as f64 / (months.len().max(2) - 1) as f64;
    let y = |v: f64| top + plot_h * (1.0 - v / (step * 5.0));
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{}" y="22" text-anchor="middle" font-size="15">Points liability at month end</text>
"#,
        width / 2.0
    );
    for k in 0..=5 {
        let (v, yy) = (step * f64::from(k), y(step * f64::from(k)));
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{}" y2="{yy:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{v}</text>"##,
            width - right,
            left - 6.0,
            yy + 4.0
        );
    }
    for (i, month) in months.iter().enumerate() {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="end" transform="rotate(-45 {:.1} {})">{month}</text>"#,
            x(i),
            height - bottom + 16.0,
            x(i),
            height - bottom + 16.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<path d="M{left} {top} V{} H{}" fill="none" stroke="black"/>"#,
        height - bottom,
        width - right
    );
    let _ = writeln!(
        svg,
        r#"<text transform="rotate(-90 16 {0})" x="16" y="{0}" text-anchor="middle">points outstanding</text>"#,
        top + plot_h / 2.0
    );
    for (n, ((name, _), values)) in reports.iter().zip(&series).enumerate() {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{:.1},{:.1}", x(i), y(v)))
            .collect();
        let colour = COLOURS[n % COLOURS.len()];
        let ly = top + 14.0 + 18.0 * n as f64;
        let _ = writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>
<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{colour}" stroke-width="2"/><text x="{}" y="{}">{name}</text>"#,
            points.join(" "),
            left + 12.0,
            left + 36.0,
            left + 42.0,
            ly + 4.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}
