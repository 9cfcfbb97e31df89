//! Condition evaluation against hand-built facts, the observation each
//! verdict reports, `Condition::validate`, and `LineSelector`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use loyalty::calendar::{
    Calendar, CalendarError, Country, DateWindow, SeasonalEvent, TimeOfDay, Zone,
};
use loyalty::condition::{Condition, ConditionError, Facts, LineSelector, Verdict};
use loyalty::customer::{Birthday, Customer, CustomerStats, Segment, TierId};
use loyalty::money::{Currency, Money};
use loyalty::order::{Category, Channel, Line, Order, Sku};
use rust_decimal::Decimal;

const EUR: Currency = Currency::EUR;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 instant")
}

fn local(text: &str) -> NaiveDateTime {
    text.parse().expect("a local date-time")
}

fn eur(amount: &str) -> Money {
    Money::parse(amount, EUR).expect("an amount")
}

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("a time")
}

fn utc_calendar() -> Calendar {
    Calendar::default()
}

fn sao_paulo() -> Calendar {
    Calendar::new(
        Zone::parse("America/Sao_Paulo").unwrap(),
        Some(Country::BR),
        vec![],
    )
    .unwrap()
}

/// 2 × TEA at 50.00 (tea), 1 × COFFEE at 100.00 (coffee), and an exempt
/// GIFT-CARD at 50.00: a non-exempt subtotal of 200.00 over 3 units.
fn basket() -> Order {
    Order::builder("A-1", "C-1", at("2026-11-27T15:00:00Z"), EUR)
        .line(Line::new("1", "TEA", 2, eur("50.00")).and_then(|l| l.with_category("tea")))
        .line(Line::new("2", "COFFEE", 1, eur("100.00")).and_then(|l| l.with_category("coffee")))
        .line(Line::new("3", "GIFT-CARD", 1, eur("50.00")).map(Line::exempt))
        .channel("web")
        .country(Country::BR)
        .build()
        .unwrap()
}

fn order_of(lines: &[(&str, u32, &str)]) -> Order {
    let mut builder = Order::builder("A-2", "C-1", at("2026-11-27T15:00:00Z"), EUR);
    for (i, (sku, quantity, price)) in lines.iter().enumerate() {
        builder = builder.line(Line::new(format!("{}", i + 1), *sku, *quantity, eur(price)));
    }
    builder.build().unwrap()
}

/// A customer known to have no previous order.
fn customer() -> Customer {
    Customer::new("C-1")
        .unwrap()
        .with_stats(CustomerStats::default())
        .unwrap()
}

fn regular(orders_before: u32, last: Option<&str>) -> Customer {
    customer()
        .with_stats(CustomerStats {
            orders_before,
            last_order_at: last.map(at),
            ..CustomerStats::default()
        })
        .unwrap()
}

/// Evaluates `condition` and returns the verdict and its observation's
/// message ("" when there is none).
fn eval(
    condition: &Condition,
    order: &Order,
    customer: &Customer,
    calendar: &Calendar,
    when: &str,
) -> (bool, String) {
    let facts = Facts::new(order, customer, calendar, at(when));
    let verdict = condition.evaluate(&facts).expect("resolvable");
    let message = verdict
        .because
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    (verdict.met, message)
}

fn eval_basic(condition: &Condition, order: &Order, customer: &Customer) -> (bool, String) {
    eval(
        condition,
        order,
        customer,
        &utc_calendar(),
        "2026-11-27T15:00:00Z",
    )
}

// ---------------------------------------------------------------------------
// Facts
// ---------------------------------------------------------------------------

#[test]
fn facts_of_a_basket() {
    let order = basket();
    let customer = regular(4, Some("2026-10-28T15:00:00Z"));
    let calendar = sao_paulo();
    let facts = Facts::new(&order, &customer, &calendar, at("2026-11-27T15:00:00Z"));
    assert_eq!(facts.subtotal(), dec("200.00"));
    assert_eq!(facts.quantity(), 3);
    assert_eq!(facts.order_number(), Some(5));
    assert_eq!(facts.days_since_last_order(), Some(30));
    assert_eq!(facts.local(), local("2026-11-27T12:00:00"));
    assert_eq!(facts.at(), at("2026-11-27T15:00:00Z"));
    // The gross subtotal still counts the exempt line.
    assert_eq!(order.gross_subtotal(), eur("250.00"));
}

// ---------------------------------------------------------------------------
// Amounts and quantities
// ---------------------------------------------------------------------------

#[test]
fn a_subtotal_leaf_per_currency_reads_the_orders_currency() {
    use loyalty::money::PerCurrency;
    // 200.00 EUR; the order (200.00) is in EUR.
    let table =
        |eur: &str, usd: &str| PerCurrency::table([(EUR, dec(eur)), (Currency::USD, dec(usd))]);
    let met = Condition::SubtotalAtLeast(table("200.00", "500.00"));
    assert_eq!(
        eval_basic(&met, &basket(), &customer()),
        (true, "subtotal 200.00 is at least 200.00".into())
    );
    let short = Condition::SubtotalAtLeast(table("200.01", "100.00"));
    assert!(!eval_basic(&short, &basket(), &customer()).0);
    // Without an amount in EUR the leaf does not hold.
    let usd_only = Condition::SubtotalAtLeast(PerCurrency::table([(Currency::USD, dec("1.00"))]));
    assert!(!eval_basic(&usd_only, &basket(), &customer()).0);
    // A negative amount in any currency is refused.
    assert!(
        Condition::SubtotalAtLeast(table("1.00", "-1.00"))
            .validate(&utc_calendar())
            .is_err()
    );
}

#[test]
fn subtotal_at_least_exactly_on_the_line() {
    let met = Condition::SubtotalAtLeast(dec("200.00").into());
    assert_eq!(
        eval_basic(&met, &basket(), &customer()),
        (true, "subtotal 200.00 is at least 200.00".into())
    );
    let short = order_of(&[("TEA", 1, "199.99")]);
    assert_eq!(
        eval_basic(&met, &short, &customer()),
        (false, "subtotal 199.99 is below 200.00".into())
    );
    // A bound written without decimals is shown with two.
    assert_eq!(
        eval_basic(
            &Condition::SubtotalAtLeast(dec("200").into()),
            &short,
            &customer()
        ),
        (false, "subtotal 199.99 is below 200.00".into())
    );
}

#[test]
fn exempt_lines_are_not_in_the_subtotal() {
    // 150.00 of tea and a 50.00 gift card: the gross is 200.00, the
    // subtotal that conditions see is 150.00.
    let order = Order::builder("A-3", "C-1", at("2026-11-27T15:00:00Z"), EUR)
        .line(Line::new("1", "TEA", 3, eur("50.00")))
        .line(Line::new("2", "GIFT-CARD", 1, eur("50.00")).map(Line::exempt))
        .build()
        .unwrap();
    assert_eq!(order.gross_subtotal(), eur("200.00"));
    assert_eq!(
        eval_basic(
            &Condition::SubtotalAtLeast(dec("200.00").into()),
            &order,
            &customer()
        ),
        (false, "subtotal 150.00 is below 200.00".into())
    );
    assert_eq!(
        eval_basic(&Condition::QuantityAtLeast(4), &order, &customer()),
        (false, "quantity 3 is below 4".into())
    );
}

#[test]
fn subtotal_below() {
    let cond = Condition::SubtotalBelow(dec("200.00").into());
    assert_eq!(
        eval_basic(&cond, &basket(), &customer()),
        (false, "subtotal 200.00 is not below 200.00".into())
    );
    assert_eq!(
        eval_basic(&cond, &order_of(&[("TEA", 1, "199.99")]), &customer()),
        (true, "subtotal 199.99 is below 200.00".into())
    );
}

#[test]
fn quantity_at_least() {
    assert_eq!(
        eval_basic(&Condition::QuantityAtLeast(3), &basket(), &customer()),
        (true, "quantity 3 is at least 3".into())
    );
    assert_eq!(
        eval_basic(&Condition::QuantityAtLeast(4), &basket(), &customer()),
        (false, "quantity 3 is below 4".into())
    );
}

#[test]
fn has_sku_and_category() {
    let sku = |s: &str| Condition::HasSku(Sku::new(s).unwrap());
    let category = |s: &str| Condition::HasCategory(Category::new(s).unwrap());
    assert_eq!(
        eval_basic(&sku("TEA"), &basket(), &customer()),
        (true, "the order has sku TEA".into())
    );
    assert_eq!(
        eval_basic(&sku("MUG"), &basket(), &customer()),
        (false, "the order has no sku MUG".into())
    );
    assert_eq!(
        eval_basic(&category("coffee"), &basket(), &customer()),
        (true, "the order has category coffee".into())
    );
    assert_eq!(
        eval_basic(&category("gear"), &basket(), &customer()),
        (false, "the order has no category gear".into())
    );
    // Skus match exactly, not ignoring case.
    assert!(!eval_basic(&sku("tea"), &basket(), &customer()).0);
}

// ---------------------------------------------------------------------------
// The customer
// ---------------------------------------------------------------------------

#[test]
fn tier_in() {
    let cond = Condition::TierIn(vec![
        TierId::new("gold").unwrap(),
        TierId::new("silver").unwrap(),
    ]);
    let gold = customer().with_tier("gold").unwrap();
    assert_eq!(
        eval_basic(&cond, &basket(), &gold),
        (true, "tier gold is in [gold, silver]".into())
    );
    let bronze = customer().with_tier("bronze").unwrap();
    assert_eq!(
        eval_basic(&cond, &basket(), &bronze),
        (false, "tier bronze is not in [gold, silver]".into())
    );
    assert_eq!(
        eval_basic(&cond, &basket(), &customer()),
        (false, "tier none is not in [gold, silver]".into())
    );
}

#[test]
fn segment_in() {
    let cond = Condition::SegmentIn(vec![Segment::new("vip").unwrap()]);
    let vip = customer()
        .with_segment("wholesale")
        .and_then(|c| c.with_segment("vip"))
        .unwrap();
    assert_eq!(
        eval_basic(&cond, &basket(), &vip),
        (true, "segment vip is in [vip]".into())
    );
    let other = customer().with_segment("wholesale").unwrap();
    assert_eq!(
        eval_basic(&cond, &basket(), &other),
        (false, "segments [wholesale] are not in [vip]".into())
    );
}

#[test]
fn first_order() {
    assert_eq!(
        eval_basic(&Condition::FirstOrder, &basket(), &customer()),
        (true, "this is the customer's first order".into())
    );
    assert_eq!(
        eval_basic(&Condition::FirstOrder, &basket(), &regular(4, None)),
        (false, "this is order 5, not the first".into())
    );
}

#[test]
fn order_numbers() {
    // The fifth order: four orders before it.
    let fifth = regular(4, None);
    assert_eq!(
        eval_basic(&Condition::OrderNumberAtLeast(5), &basket(), &fifth),
        (true, "this is order 5, at least 5".into())
    );
    assert_eq!(
        eval_basic(
            &Condition::OrderNumberAtLeast(5),
            &basket(),
            &regular(3, None)
        ),
        (false, "this is order 4, below 5".into())
    );
    assert_eq!(
        eval_basic(&Condition::OrderNumberIs(5), &basket(), &fifth),
        (true, "this is order 5".into())
    );
    assert_eq!(
        eval_basic(&Condition::OrderNumberIs(5), &basket(), &regular(5, None)),
        (false, "this is order 6, not order 5".into())
    );
}

#[test]
fn days_since_last_order() {
    let cond = Condition::DaysSinceLastOrderAtLeast(30);
    let customer = regular(2, Some("2026-10-28T15:00:00Z"));
    // Exactly 30 days later.
    assert_eq!(
        eval(
            &cond,
            &basket(),
            &customer,
            &utc_calendar(),
            "2026-11-27T15:00:00Z"
        ),
        (true, "30 days since the last order, at least 30".into())
    );
    // One second short of 30 whole days.
    assert_eq!(
        eval(
            &cond,
            &basket(),
            &customer,
            &utc_calendar(),
            "2026-11-27T14:59:59Z"
        ),
        (false, "29 days since the last order, below 30".into())
    );
    assert_eq!(
        eval_basic(&cond, &basket(), &regular(0, None)),
        (false, "the customer has no previous order".into())
    );
}

#[test]
fn birthday_month() {
    let may = customer().with_birthday(Birthday::new(5, 17).unwrap());
    let cond = Condition::BirthdayMonth;
    assert_eq!(
        eval(
            &cond,
            &basket(),
            &may,
            &utc_calendar(),
            "2026-05-01T00:00:00Z"
        ),
        (true, "the customer's birthday month is May".into())
    );
    assert_eq!(
        eval(
            &cond,
            &basket(),
            &may,
            &utc_calendar(),
            "2026-11-27T15:00:00Z"
        ),
        (
            false,
            "the customer's birthday is in May, not November".into()
        )
    );
    assert_eq!(
        eval_basic(&cond, &basket(), &customer()),
        (false, "no birthday on file".into())
    );
    // The month is local: 2026-06-01T02:00Z is still 31 May in São Paulo.
    assert!(eval(&cond, &basket(), &may, &sao_paulo(), "2026-06-01T02:00:00Z").0);
    assert!(
        !eval(
            &cond,
            &basket(),
            &may,
            &utc_calendar(),
            "2026-06-01T02:00:00Z"
        )
        .0
    );
}

// ---------------------------------------------------------------------------
// The order's channel and country
// ---------------------------------------------------------------------------

#[test]
fn channel_and_country() {
    let web = Condition::ChannelIn(vec![Channel::new("web").unwrap()]);
    let app = Condition::ChannelIn(vec![Channel::new("app").unwrap()]);
    assert_eq!(
        eval_basic(&web, &basket(), &customer()),
        (true, "channel web is in [web]".into())
    );
    assert_eq!(
        eval_basic(&app, &basket(), &customer()),
        (false, "channel web is not in [app]".into())
    );
    let no_channel = order_of(&[("TEA", 1, "1.00")]);
    assert_eq!(
        eval_basic(&web, &no_channel, &customer()),
        (false, "channel none is not in [web]".into())
    );
    let brazil = Condition::CountryIn(vec![Country::BR, Country::US]);
    assert_eq!(
        eval_basic(&brazil, &basket(), &customer()),
        (true, "country BR is in [BR, US]".into())
    );
    assert_eq!(
        eval_basic(
            &Condition::CountryIn(vec![Country::US]),
            &basket(),
            &customer()
        ),
        (false, "country BR is not in [US]".into())
    );
    assert_eq!(
        eval_basic(&brazil, &no_channel, &customer()),
        (false, "country none is not in [BR, US]".into())
    );
}

// ---------------------------------------------------------------------------
// Local time
// ---------------------------------------------------------------------------

#[test]
fn date_window_at_local_midnight_in_sao_paulo() {
    // 27 November 2026 in São Paulo (UTC-3, no daylight saving time since
    // 2019) runs from 03:00Z on the 27th to 03:00Z on the 28th.
    let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let cond = Condition::DateWindow(DateWindow::on(day).unwrap());
    let cal = sao_paulo();
    let order = basket();
    let c = customer();
    assert_eq!(
        eval(&cond, &order, &c, &cal, "2026-11-27T02:59:59Z"),
        (
            false,
            "local time 2026-11-26 23:59:59 is before the window starts at 2026-11-27 00:00:00"
                .into()
        )
    );
    assert_eq!(
        eval(&cond, &order, &c, &cal, "2026-11-27T03:00:00Z"),
        (
            true,
            "local time 2026-11-27 00:00:00 is inside the window".into()
        )
    );
    assert!(eval(&cond, &order, &c, &cal, "2026-11-28T02:59:59Z").0);
    assert_eq!(
        eval(&cond, &order, &c, &cal, "2026-11-28T03:00:00Z"),
        (
            false,
            "local time 2026-11-28 00:00:00 is after the window ended at 2026-11-28 00:00:00"
                .into()
        )
    );
    // The same instants read in UTC land on other sides of the edges.
    assert!(eval(&cond, &order, &c, &utc_calendar(), "2026-11-27T02:59:59Z").0);
    assert!(!eval(&cond, &order, &c, &utc_calendar(), "2026-11-28T02:59:59Z").0);
}

#[test]
fn weekdays_are_local() {
    let friday = Condition::Weekdays(vec![Weekday::Fri]);
    // 2026-11-28T02:00Z is Saturday in UTC but Friday 23:00 in São Paulo.
    assert_eq!(
        eval(
            &friday,
            &basket(),
            &customer(),
            &sao_paulo(),
            "2026-11-28T02:00:00Z"
        ),
        (true, "Friday is one of [Friday]".into())
    );
    assert_eq!(
        eval(
            &friday,
            &basket(),
            &customer(),
            &utc_calendar(),
            "2026-11-28T02:00:00Z"
        ),
        (false, "Saturday is not one of [Friday]".into())
    );
    let weekend = Condition::Weekdays(vec![Weekday::Sat, Weekday::Sun]);
    assert_eq!(
        eval(
            &weekend,
            &basket(),
            &customer(),
            &utc_calendar(),
            "2026-11-27T12:00:00Z"
        ),
        (false, "Friday is not one of [Saturday, Sunday]".into())
    );
}

#[test]
fn time_of_day_wrapping_midnight() {
    let night = Condition::TimeOfDay(TimeOfDay::new(time(22, 0), time(2, 0)).unwrap());
    let cal = utc_calendar();
    let (o, c) = (basket(), customer());
    assert_eq!(
        eval(&night, &o, &c, &cal, "2026-11-27T23:30:00Z"),
        (true, "local time 23:30:00 is within 22:00–02:00".into())
    );
    assert_eq!(
        eval(&night, &o, &c, &cal, "2026-11-27T22:00:00Z"),
        (true, "local time 22:00:00 is within 22:00–02:00".into())
    );
    assert!(eval(&night, &o, &c, &cal, "2026-11-28T00:00:00Z").0);
    assert!(eval(&night, &o, &c, &cal, "2026-11-28T01:59:59Z").0);
    assert_eq!(
        eval(&night, &o, &c, &cal, "2026-11-28T02:00:00Z"),
        (false, "local time 02:00:00 is outside 22:00–02:00".into())
    );
    assert!(!eval(&night, &o, &c, &cal, "2026-11-27T12:00:00Z").0);
    assert!(!eval(&night, &o, &c, &cal, "2026-11-27T21:59:59Z").0);
    // Fractions of a second are not shown.
    assert_eq!(
        eval(&night, &o, &c, &cal, "2026-11-27T23:30:00.750Z").1,
        "local time 23:30:00 is within 22:00–02:00"
    );
    // Read in São Paulo, 01:00Z is 22:00 local.
    assert!(eval(&night, &o, &c, &sao_paulo(), "2026-11-27T01:00:00Z").0);
    assert!(!eval(&night, &o, &c, &sao_paulo(), "2026-11-27T05:00:00Z").0);
}

#[test]
fn black_friday_2026_local_versus_utc() {
    let cond = Condition::SeasonalEvent(SeasonalEvent::BlackFriday);
    let (o, c) = (basket(), customer());
    // 02:00Z on the 27th: Friday in UTC, still Thursday 23:00 in São Paulo.
    assert_eq!(
        eval(&cond, &o, &c, &utc_calendar(), "2026-11-27T02:00:00Z"),
        (true, "2026-11-27 is Black Friday (2026-11-27)".into())
    );
    assert_eq!(
        eval(&cond, &o, &c, &sao_paulo(), "2026-11-27T02:00:00Z"),
        (false, "2026-11-26 is not Black Friday (2026-11-27)".into())
    );
    // 02:00Z on the 28th: Saturday in UTC, still Friday in São Paulo.
    assert_eq!(
        eval(&cond, &o, &c, &utc_calendar(), "2026-11-28T02:00:00Z"),
        (false, "2026-11-28 is not Black Friday (2026-11-27)".into())
    );
    assert_eq!(
        eval(&cond, &o, &c, &sao_paulo(), "2026-11-28T02:00:00Z"),
        (true, "2026-11-27 is Black Friday (2026-11-27)".into())
    );
    // Cyber Monday is three days later; Mother's Day in Brazil 2026 is the
    // second Sunday of May, the 10th.
    assert!(
        eval(
            &Condition::SeasonalEvent(SeasonalEvent::CyberMonday),
            &o,
            &c,
            &sao_paulo(),
            "2026-11-30T15:00:00Z"
        )
        .0
    );
    assert_eq!(
        eval(
            &Condition::SeasonalEvent(SeasonalEvent::MothersDay),
            &o,
            &c,
            &sao_paulo(),
            "2026-05-10T15:00:00Z"
        ),
        (true, "2026-05-10 is Mother's Day (2026-05-10)".into())
    );
}

#[test]
fn unresolvable_event_is_an_evaluation_error() {
    let cond = Condition::SeasonalEvent(SeasonalEvent::MothersDay);
    let (o, c, cal) = (basket(), customer(), utc_calendar());
    let facts = Facts::new(&o, &c, &cal, at("2026-05-10T15:00:00Z"));
    assert_eq!(
        cond.evaluate(&facts),
        Err(CalendarError::NoCountryRule {
            event: SeasonalEvent::MothersDay,
            country: None
        })
    );
}

// ---------------------------------------------------------------------------
// Combinators
// ---------------------------------------------------------------------------

fn gold() -> Condition {
    Condition::TierIn(vec![TierId::new("gold").unwrap()])
}

#[test]
fn all_reports_the_first_failure() {
    let cond = Condition::All(vec![
        Condition::SubtotalAtLeast(dec("100.00").into()),
        Condition::HasSku(Sku::new("MUG").unwrap()),
        gold(),
    ]);
    assert_eq!(
        eval_basic(&cond, &basket(), &customer()),
        (false, "the order has no sku MUG".into())
    );
}

#[test]
fn all_met_reports_the_last_leaf() {
    let cond = Condition::All(vec![
        Condition::SubtotalAtLeast(dec("100.00").into()),
        Condition::QuantityAtLeast(2),
    ]);
    assert_eq!(
        eval_basic(&cond, &basket(), &customer()),
        (true, "quantity 3 is at least 2".into())
    );
}

#[test]
fn any_reports_the_first_success_or_the_first_failure() {
    let cond = Condition::Any(vec![
        gold(),
        Condition::FirstOrder,
        Condition::QuantityAtLeast(1),
    ]);
    assert_eq!(
        eval_basic(&cond, &basket(), &customer()),
        (true, "this is the customer's first order".into())
    );
    let none = Condition::Any(vec![gold(), Condition::QuantityAtLeast(10)]);
    assert_eq!(
        eval_basic(&none, &basket(), &customer()),
        (false, "tier none is not in [gold]".into())
    );
}

#[test]
fn not_inverts_and_marks_the_observation() {
    let cond = Condition::Not(Box::new(Condition::SubtotalAtLeast(dec("300.00").into())));
    let facts_order = basket();
    let c = customer();
    let cal = utc_calendar();
    let facts = Facts::new(&facts_order, &c, &cal, at("2026-11-27T15:00:00Z"));
    let verdict = cond.evaluate(&facts).unwrap();
    assert!(verdict.met);
    let because = verdict.because.unwrap();
    assert!(because.negated);
    assert!(!because.met, "the leaf itself was not met");
    assert_eq!(
        because.to_string(),
        "subtotal 200.00 is below 300.00 (negated)"
    );
    // A double negation is not negated.
    let twice = Condition::Not(Box::new(cond));
    assert_eq!(
        eval_basic(&twice, &basket(), &customer()),
        (false, "subtotal 200.00 is below 300.00".into())
    );
}

#[test]
fn empty_lists() {
    let (o, c, cal) = (basket(), customer(), utc_calendar());
    let facts = Facts::new(&o, &c, &cal, at("2026-11-27T15:00:00Z"));
    assert_eq!(
        Condition::All(vec![]).evaluate(&facts),
        Ok(Verdict {
            met: true,
            because: None
        })
    );
    assert_eq!(
        Condition::Any(vec![]).evaluate(&facts),
        Ok(Verdict {
            met: false,
            because: None
        })
    );
}

#[test]
fn nested_combinations() {
    // all(any(gold, first order), not(has sku GIFT-CARD)): a first-time
    // customer passes the any, but the basket has a gift card.
    let cond = Condition::All(vec![
        Condition::Any(vec![gold(), Condition::FirstOrder]),
        Condition::Not(Box::new(Condition::HasSku(Sku::new("GIFT-CARD").unwrap()))),
    ]);
    assert_eq!(
        eval_basic(&cond, &basket(), &customer()),
        (false, "the order has sku GIFT-CARD (negated)".into())
    );
    let tea_only = order_of(&[("TEA", 1, "5.00")]);
    assert_eq!(
        eval_basic(&cond, &tea_only, &customer()),
        (true, "the order has no sku GIFT-CARD (negated)".into())
    );
}

#[test]
fn condition_json_forms() {
    let cond: Condition = serde_json::from_str(
        r#"{"any": [{"tier_in": ["gold"]}, {"order_number_at_least": 5}, "first_order"]}"#,
    )
    .unwrap();
    assert_eq!(
        cond,
        Condition::Any(vec![
            gold(),
            Condition::OrderNumberAtLeast(5),
            Condition::FirstOrder
        ])
    );
    assert_eq!(
        serde_json::to_string(&Condition::FirstOrder).unwrap(),
        "\"first_order\""
    );
    assert!(serde_json::from_str::<Condition>(r#"{"tier_is": ["gold"]}"#).is_err());
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

#[test]
fn validate_errors() {
    let cal = utc_calendar();
    let err = Condition::TierIn(vec![]).validate(&cal).unwrap_err();
    assert_eq!(err, ConditionError::EmptyList { field: "tier_in" });
    assert_eq!(
        err.to_string(),
        "tier_in has an empty list: name at least one value, or remove the condition"
    );
    assert_eq!(
        Condition::Weekdays(vec![]).validate(&cal),
        Err(ConditionError::EmptyList { field: "weekdays" })
    );
    let err = Condition::OrderNumberAtLeast(0).validate(&cal).unwrap_err();
    assert_eq!(
        err,
        ConditionError::ZeroOrderNumber {
            field: "order_number_at_least"
        }
    );
    assert!(
        err.to_string().contains("orders are numbered from 1"),
        "{err}"
    );
    assert_eq!(
        Condition::OrderNumberIs(0).validate(&cal),
        Err(ConditionError::ZeroOrderNumber {
            field: "order_number_is"
        })
    );
    let err = Condition::SubtotalAtLeast(dec("-1.00").into())
        .validate(&cal)
        .unwrap_err();
    assert_eq!(
        err,
        ConditionError::NegativeAmount {
            field: "subtotal_at_least",
            value: dec("-1.00")
        }
    );
    assert_eq!(
        err.to_string(),
        "subtotal_at_least is -1.00: amounts in conditions are zero or more"
    );
    // Errors deep inside a tree are found.
    let nested = Condition::All(vec![
        Condition::FirstOrder,
        Condition::Any(vec![Condition::Not(Box::new(Condition::SegmentIn(vec![])))]),
    ]);
    assert_eq!(
        nested.validate(&cal),
        Err(ConditionError::EmptyList {
            field: "segment_in"
        })
    );
    assert_eq!(
        Condition::SeasonalEvent(SeasonalEvent::Custom("launch".into())).validate(&cal),
        Err(ConditionError::Calendar(CalendarError::UnknownCustomDate {
            name: "launch".into()
        }))
    );
    assert_eq!(
        Condition::SubtotalAtLeast(Decimal::ZERO.into()).validate(&cal),
        Ok(())
    );
}

fn nested_nots(levels: usize) -> Condition {
    let mut cond = Condition::FirstOrder;
    for _ in 0..levels {
        cond = Condition::Not(Box::new(cond));
    }
    cond
}

#[test]
fn validate_depth() {
    let cal = utc_calendar();
    // 32 levels of `not` above a leaf are allowed; 33 are not.
    assert_eq!(nested_nots(32).validate(&cal), Ok(()));
    let err = nested_nots(33).validate(&cal).unwrap_err();
    assert_eq!(err, ConditionError::TooDeep);
    assert_eq!(
        err.to_string(),
        "conditions are nested deeper than 32 levels: flatten them"
    );
    let mut deep_all = Condition::FirstOrder;
    for _ in 0..40 {
        deep_all = Condition::All(vec![deep_all]);
    }
    assert_eq!(deep_all.validate(&cal), Err(ConditionError::TooDeep));
}

// ---------------------------------------------------------------------------
// Line selectors
// ---------------------------------------------------------------------------

fn tea_line() -> Line {
    Line::new("1", "GREEN", 1, eur("5.00"))
        .and_then(|l| l.with_category("tea"))
        .unwrap()
}

fn sample_line() -> Line {
    Line::new("2", "SAMPLE", 1, eur("0.00"))
        .and_then(|l| l.with_category("tea"))
        .and_then(|l| l.with_category("samples"))
        .unwrap()
}

fn mug_line() -> Line {
    Line::new("3", "MUG", 1, eur("9.00")).unwrap()
}

fn gift_line() -> Line {
    Line::new("4", "GIFT-CARD", 1, eur("50.00"))
        .map(Line::exempt)
        .unwrap()
}

#[test]
fn selector_all_takes_every_non_exempt_line() {
    let all = LineSelector::all();
    assert!(all.is_all());
    assert!(all.selects(&tea_line()));
    assert!(all.selects(&sample_line()));
    assert!(all.selects(&mug_line()));
    assert!(!all.selects(&gift_line()));
}

#[test]
fn selector_include_by_sku_or_category() {
    let tea = LineSelector::default().category("tea").unwrap();
    assert!(!tea.is_all());
    assert!(tea.selects(&tea_line()));
    assert!(tea.selects(&sample_line()));
    assert!(!tea.selects(&mug_line()));
    let tea_or_mug = tea.sku("MUG").unwrap();
    assert!(tea_or_mug.selects(&mug_line()));
    assert!(tea_or_mug.selects(&tea_line()));
}

#[test]
fn selector_exclusion_wins() {
    let tea_not_samples = LineSelector::default()
        .category("tea")
        .and_then(|s| s.exclude_category("samples"))
        .unwrap();
    assert!(tea_not_samples.selects(&tea_line()));
    assert!(!tea_not_samples.selects(&sample_line()));
    // Included by sku and excluded by sku: excluded.
    let both = LineSelector::default()
        .sku("MUG")
        .and_then(|s| s.exclude_sku("MUG"))
        .unwrap();
    assert!(!both.selects(&mug_line()));
    // Exclusions alone keep every other line.
    let no_mugs = LineSelector::default().exclude_sku("MUG").unwrap();
    assert!(!no_mugs.is_all());
    assert!(no_mugs.selects(&tea_line()));
    assert!(!no_mugs.selects(&mug_line()));
}

#[test]
fn selector_exempt_lines_only_with_include_exempt() {
    let gifts = LineSelector::default().sku("GIFT-CARD").unwrap();
    assert!(!gifts.selects(&gift_line()));
    let gifts = LineSelector {
        include_exempt: true,
        ..gifts
    };
    assert!(gifts.selects(&gift_line()));
    let everything = LineSelector {
        include_exempt: true,
        ..LineSelector::default()
    };
    assert!(everything.selects(&gift_line()));
    assert!(everything.selects(&mug_line()));
    // Exclusion still wins over include_exempt.
    let no_gifts = LineSelector {
        include_exempt: true,
        ..LineSelector::default().exclude_sku("GIFT-CARD").unwrap()
    };
    assert!(!no_gifts.selects(&gift_line()));
}

#[test]
fn selector_serde() {
    let selector: LineSelector =
        serde_json::from_str(r#"{"categories": ["tea"], "exclude_categories": ["samples"]}"#)
            .unwrap();
    assert!(selector.selects(&tea_line()));
    assert!(!selector.selects(&sample_line()));
    assert_eq!(
        serde_json::to_string(&selector).unwrap(),
        r#"{"categories":["tea"],"exclude_categories":["samples"]}"#
    );
    let err = serde_json::from_str::<LineSelector>(r#"{"category": ["tea"]}"#).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `category`"),
        "{err}"
    );
}
