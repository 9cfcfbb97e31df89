//! Reusable [`proptest`] strategies for the crate's foundation types.
//!
//! Each test module that needs them imports `crate::util::support` and
//! uses `support::order()`, `support::condition()` and so on. Every strategy
//! produces values that are *valid* by construction (an order that
//! [`OrderBuilder::build`](loyalty::order::OrderBuilder::build) accepts, a
//! customer whose stats pass validation), except [`any_decimal`], which is
//! meant to hit the edges of [`Decimal`].
//!
//! Strategies are small and composable: `amount_in(c)` and `line(c)` take the
//! currency so that callers can keep a whole order in one currency with
//! `currency().prop_flat_map(..)`.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use loyalty::calendar::{Country, DateWindow, SeasonalEvent, TimeOfDay};
use loyalty::condition::Condition;
use loyalty::customer::{Birthday, Customer, CustomerStats, Segment, TierId};
use loyalty::money::{Currency, Money, RemainderPolicy, RoundingMode};
use loyalty::order::{Category, Channel, Line, Order, Sku};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// The currency codes [`currency`] picks from: three with no decimals
/// (JPY, KRW, CLP), three with two (EUR, USD, BRL) and three with three
/// (KWD, BHD, TND).
pub const CURRENCY_CODES: [&str; 9] = [
    "JPY", "KRW", "CLP", "EUR", "USD", "BRL", "KWD", "BHD", "TND",
];

/// Every [`RoundingMode`].
pub const ROUNDING_MODES: [RoundingMode; 5] = [
    RoundingMode::HalfUp,
    RoundingMode::HalfEven,
    RoundingMode::HalfDown,
    RoundingMode::TowardZero,
    RoundingMode::AwayFromZero,
];

/// Every [`RemainderPolicy`].
pub const REMAINDER_POLICIES: [RemainderPolicy; 2] =
    [RemainderPolicy::LargestRemainder, RemainderPolicy::InOrder];

/// The largest count of minor units [`amount_in`] produces: 10²² units,
/// so that amounts stay far enough from [`Decimal::MAX`] for exact integer
/// checks in `i128` (units × scaled weight) not to overflow.
pub const MAX_UNITS: i128 = 10_000_000_000_000_000_000_000;

/// A currency with 0, 2 or 3 decimals, from [`CURRENCY_CODES`].
pub fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(&CURRENCY_CODES[..])
        .prop_map(|code| Currency::new(code).expect("a known ISO 4217 code"))
}

/// A rounding mode, any of the five.
pub fn rounding_mode() -> impl Strategy<Value = RoundingMode> {
    prop::sample::select(&ROUNDING_MODES[..])
}

/// A remainder policy, either of the two.
pub fn remainder_policy() -> impl Strategy<Value = RemainderPolicy> {
    prop::sample::select(&REMAINDER_POLICIES[..])
}

/// A count of minor units, positive or negative: zero, one unit, small
/// counts, everyday prices, and large counts up to ±[`MAX_UNITS`].
pub fn minor_units() -> impl Strategy<Value = i128> {
    prop_oneof![
        2 => Just(0i128),
        1 => Just(1i128),
        1 => Just(-1i128),
        3 => -100i128..=100,
        3 => -10_000_000i128..=10_000_000,
        2 => -MAX_UNITS..=MAX_UNITS,
        1 => Just(MAX_UNITS),
        1 => Just(-MAX_UNITS),
    ]
}

/// An amount in `currency` that is a whole number of its minor units
/// (0.01 EUR, 1 JPY, 0.001 KWD), from [`minor_units`]: zero, negatives and
/// large amounts included.
pub fn amount_in(currency: Currency) -> impl Strategy<Value = Money> {
    minor_units().prop_map(move |units| {
        Money::from_minor_units(units, currency).expect("10^22 units fit a decimal")
    })
}

/// A price in `currency`: zero or more, in whole minor units, small enough
/// that 1 000 units on each of 20 lines stay below
/// [`Money::MAX_ORDER_AMOUNT`].
pub fn price_in(currency: Currency) -> impl Strategy<Value = Money> {
    prop_oneof![
        1 => Just(0i128),
        4 => 1i128..=10_000,
        3 => 1i128..=100_000_000,
        1 => 1i128..=1_000_000_000_000,
    ]
    .prop_map(move |units| Money::from_minor_units(units, currency).expect("fits"))
}

/// A decimal from anywhere in [`Decimal`]'s range: [`Decimal::MAX`],
/// [`Decimal::MIN`], zero (also with a scale, and negative zero), one, the
/// smallest positive value (scale 28), and arbitrary 96-bit mantissas with
/// any scale from 0 to 28 and either sign.
pub fn any_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        1 => Just(Decimal::MAX),
        1 => Just(Decimal::MIN),
        1 => Just(Decimal::ZERO),
        1 => Just(Decimal::new(0, 5)),
        1 => Just(Decimal::from_parts(0, 0, 0, true, 2)),
        1 => Just(Decimal::ONE),
        1 => Just(Decimal::NEGATIVE_ONE),
        1 => Just(Decimal::new(1, 28)),
        1 => Just(Decimal::new(-1, 28)),
        1 => Just(Decimal::new(5, 1)),
        1 => Just(Decimal::new(-5, 3)),
        4 => (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        4 => (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
        2 => (-100_000i64..=100_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

/// An amount of money in any [`currency`] from [`amount_in`].
pub fn money() -> impl Strategy<Value = Money> {
    currency().prop_flat_map(amount_in)
}

/// An amount with an arbitrary decimal from [`any_decimal`] (not
/// necessarily in minor units) in any [`currency`].
pub fn any_money() -> impl Strategy<Value = Money> {
    (any_decimal(), currency()).prop_map(|(amount, currency)| Money::new(amount, currency))
}

/// The largest mantissa of a weight from [`weight`]: 10⁹ with up to 4
/// decimals, so that weights scaled to integers (× 10⁴) stay below 10¹³.
pub const MAX_WEIGHT_MANTISSA: i64 = 1_000_000_000;

/// The largest scale of a weight from [`weight`].
pub const MAX_WEIGHT_SCALE: u32 = 4;

/// One non-negative weight: zero (often), small integers, or decimals with
/// up to [`MAX_WEIGHT_SCALE`] places and a mantissa up to
/// [`MAX_WEIGHT_MANTISSA`].
pub fn weight() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        2 => Just(Decimal::ZERO),
        3 => (1i64..=10).prop_map(Decimal::from),
        2 => (1i64..=1_000_000).prop_map(Decimal::from),
        3 => (1i64..=MAX_WEIGHT_MANTISSA, 0u32..=MAX_WEIGHT_SCALE)
            .prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

/// `len` non-negative weights (see [`weight`]) of which at least one is
/// positive, as [`allocate`](loyalty::money::allocate) requires. `len` must
/// be 1 or more.
pub fn weights(len: usize) -> impl Strategy<Value = Vec<Decimal>> {
    assert!(len >= 1, "weights(len) needs at least one part");
    (
        prop::collection::vec(weight(), len),
        0..len,
        (1i64..=1_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
    )
        .prop_map(|(mut weights, index, positive)| {
            if weights.iter().all(|w| w.is_zero()) {
                weights[index] = positive;
            }
            weights
        })
}

/// A non-blank identifier-like name: a letter then up to 7 letters, digits
/// or dashes.
pub fn name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9-]{0,7}"
}

/// A line in `currency` with the given id: a sku from a small pool (so that
/// orders repeat skus), 0–2 categories from a small pool, 1–1 000 units,
/// a [`price_in`] the currency, and sometimes exempt.
pub fn line_with_id(currency: Currency, id: String) -> impl Strategy<Value = Line> {
    (
        prop::sample::select(&["TEA", "COFFEE", "MUG", "GIFT-CARD", "SAMPLE"][..]),
        prop::collection::vec(
            prop::sample::select(&["tea", "coffee", "samples", "gear"][..]),
            0..=2,
        ),
        prop_oneof![3 => 1u32..=5, 1 => 1u32..=1_000],
        price_in(currency),
        prop::bool::weighted(0.15),
    )
        .prop_map(move |(sku, categories, quantity, price, exempt)| {
            let mut line = Line::new(id.clone(), sku, quantity, price).expect("valid line");
            for category in categories {
                line = line.with_category(category).expect("non-blank category");
            }
            if exempt { line.exempt() } else { line }
        })
}

/// A line in `currency` with a generated id (see [`line_with_id`]).
pub fn line(currency: Currency) -> impl Strategy<Value = Line> {
    "[A-Z0-9]{1,4}".prop_flat_map(move |id| line_with_id(currency, id))
}

/// The first instant [`placed_at`] produces: 2000-01-01T00:00:00Z.
pub fn year_2000() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2000, 1, 1)
        .expect("a date")
        .and_time(NaiveTime::MIN)
        .and_utc()
}

/// The first instant after [`placed_at`]'s range: 2100-01-01T00:00:00Z.
pub fn year_2100() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2100, 1, 1)
        .expect("a date")
        .and_time(NaiveTime::MIN)
        .and_utc()
}

/// An instant between 2000-01-01 (included) and 2100-01-01 (excluded), to
/// the second.
pub fn placed_at() -> impl Strategy<Value = DateTime<Utc>> {
    let span = (year_2100() - year_2000()).num_seconds();
    (0..span).prop_map(|secs| year_2000() + Duration::seconds(secs))
}

/// An instant anywhere chrono can represent, with weight on the years the
/// library is used in, and the very edges ([`DateTime::<Utc>::MIN_UTC`],
/// [`DateTime::<Utc>::MAX_UTC`]).
pub fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        6 => placed_at(),
        1 => Just(DateTime::<Utc>::MIN_UTC),
        1 => Just(DateTime::<Utc>::MAX_UTC),
        2 => (DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp())
            .prop_map(|secs| DateTime::from_timestamp(secs, 0).expect("in range")),
    ]
}

/// A valid order: 1–20 lines with unique ids (`L1`, `L2`, …) all in one
/// [`currency`], a shipping charge (often zero), 0–3 coupon codes, an
/// optional channel and country, placed between 2000 and 2100.
pub fn order() -> impl Strategy<Value = Order> {
    currency().prop_flat_map(order_in)
}

/// A valid order in `currency` (see [`order`]).
pub fn order_in(currency: Currency) -> impl Strategy<Value = Order> {
    let lines = (1usize..=20).prop_flat_map(move |n| {
        (1..=n)
            .map(|i| line_with_id(currency, format!("L{i}")))
            .collect::<Vec<_>>()
    });
    (
        name(),
        name(),
        placed_at(),
        lines,
        prop_oneof![1 => Just(Money::zero(currency)), 1 => price_in(currency)],
        prop::collection::vec("[A-Za-z0-9]{1,10}", 0..=3),
        prop::option::of(prop::sample::select(&["web", "app", "store"][..])),
        prop::option::of(prop::sample::select(&["BR", "US", "PT", "JP"][..])),
    )
        .prop_map(
            move |(id, customer, at, lines, shipping, coupons, channel, country)| {
                let mut builder = Order::builder(id, customer, at, currency).shipping(shipping);
                for line in lines {
                    builder = builder.line(line);
                }
                for code in coupons {
                    builder = builder.coupon(code);
                }
                if let Some(channel) = channel {
                    builder = builder.channel(channel);
                }
                if let Some(country) = country {
                    builder = builder.country(Country::new(country).expect("two letters"));
                }
                builder.build().expect("a valid order")
            },
        )
}

/// A birthday: any month and a day that month has in a leap year (29
/// February included).
pub fn birthday() -> impl Strategy<Value = Birthday> {
    (1u32..=12, 1u32..=31).prop_filter_map("not a date", |(m, d)| Birthday::new(m, d).ok())
}

/// Consistent customer stats: `tier_window_orders ≤ orders_before`,
/// `0 ≤ tier_window_spend ≤ lifetime_spend`, and a last order only when
/// there was an order before.
pub fn stats() -> impl Strategy<Value = CustomerStats> {
    (
        prop_oneof![2 => Just(0u32), 3 => 1u32..=20, 1 => any::<u32>()],
        any::<u32>(),
        (0i64..=100_000_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
        0u32..=100,
        placed_at(),
        any::<bool>(),
    )
        .prop_map(
            |(orders_before, window_orders, lifetime, window_percent, last, has_last)| {
                CustomerStats {
                    orders_before,
                    lifetime_spend: lifetime,
                    tier_window_spend: (lifetime * Decimal::from(window_percent)
                        / Decimal::ONE_HUNDRED)
                        .round_dp(2)
                        .min(lifetime),
                    tier_window_orders: u32::try_from(
                        u64::from(window_orders) % (u64::from(orders_before) + 1),
                    )
                    .expect("at most orders_before"),
                    last_order_at: (orders_before > 0 && has_last).then_some(last),
                }
            },
        )
}

/// A valid customer: an id, and optionally a join date, a birthday, a tier
/// from `bronze`/`silver`/`gold`, up to three segments, with [`stats`] or
/// (one time in four) none.
pub fn customer() -> impl Strategy<Value = Customer> {
    (
        name(),
        prop::option::of(placed_at()),
        prop::option::of(birthday()),
        prop::option::of(prop::sample::select(&["bronze", "silver", "gold"][..])),
        prop::collection::vec(
            prop::sample::select(&["wholesale", "vip", "coffee-lovers"][..]),
            0..=3,
        ),
        prop::option::weighted(0.75, stats()),
    )
        .prop_map(|(id, joined, birthday, tier, segments, stats)| {
            let mut customer = Customer::new(id).expect("non-blank id");
            if let Some(at) = joined {
                customer = customer.with_joined_at(at);
            }
            if let Some(birthday) = birthday {
                customer = customer.with_birthday(birthday);
            }
            if let Some(tier) = tier {
                customer = customer.with_tier(tier).expect("non-blank tier");
            }
            for segment in segments {
                customer = customer.with_segment(segment).expect("non-blank segment");
            }
            match stats {
                Some(stats) => customer.with_stats(stats).expect("consistent stats"),
                None => customer,
            }
        })
}

/// A local date-time between 2000 and 2100, to the minute.
pub fn local_datetime() -> impl Strategy<Value = NaiveDateTime> {
    placed_at().prop_map(|at| {
        let naive = at.naive_utc();
        naive - Duration::seconds(i64::from(chrono::Timelike::second(&naive)))
    })
}

/// A non-empty date window: open on one side, both sides, or neither.
pub fn date_window() -> impl Strategy<Value = DateWindow> {
    (
        prop::option::of(local_datetime()),
        prop::option::of(1i64..=1_000_000),
        local_datetime(),
    )
        .prop_map(|(start, length, other)| {
            match (start, length) {
                (Some(start), Some(minutes)) => {
                    DateWindow::new(Some(start), Some(start + Duration::minutes(minutes)))
                }
                (Some(start), None) => DateWindow::new(Some(start), None),
                (None, Some(_)) => DateWindow::new(None, Some(other)),
                (None, None) => DateWindow::new(None, None),
            }
            .expect("a non-empty window")
        })
}

/// A time of day to the second.
pub fn time() -> impl Strategy<Value = NaiveTime> {
    (
        0u32..24,
        0u32..60,
        prop_oneof![3 => Just(0u32), 1 => 0u32..60],
    )
        .prop_map(|(h, m, s)| NaiveTime::from_hms_opt(h, m, s).expect("a time"))
}

/// A non-empty span of time of day, wrapping past midnight about half the
/// time.
pub fn time_of_day() -> impl Strategy<Value = TimeOfDay> {
    (time(), time())
        .prop_filter("from equals to", |(from, to)| from != to)
        .prop_map(|(from, to)| TimeOfDay::new(from, to).expect("from ≠ to"))
}

/// A weekday.
pub fn weekday() -> impl Strategy<Value = Weekday> {
    prop::sample::select(
        &[
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ][..],
    )
}

/// A seasonal event that every calendar resolves, with or without a
/// country: Black Friday, Cyber Monday, Christmas, Consumer Day, 10/10,
/// 11/11, 12/12.
pub fn seasonal_event() -> impl Strategy<Value = SeasonalEvent> {
    prop::sample::select(
        &[
            SeasonalEvent::BlackFriday,
            SeasonalEvent::CyberMonday,
            SeasonalEvent::Christmas,
            SeasonalEvent::ConsumerDay,
            SeasonalEvent::DoubleTen,
            SeasonalEvent::DoubleEleven,
            SeasonalEvent::DoubleTwelve,
        ][..],
    )
}

/// A non-negative condition bound: an everyday amount with 0–2 decimals.
fn bound_amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        1 => Just(Decimal::ZERO),
        4 => (0i64..=1_000_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

/// A leaf condition of any kind, with values that [`Condition::validate`]
/// accepts on a calendar without a country (non-empty lists, order numbers
/// from 1, non-negative amounts, country-free seasonal events).
pub fn leaf_condition() -> impl Strategy<Value = Condition> {
    let skus = prop::sample::select(&["TEA", "COFFEE", "MUG", "GIFT-CARD", "NOPE"][..]);
    let categories = prop::sample::select(&["tea", "coffee", "samples", "gear", "none"][..]);
    let tiers = prop::collection::vec(
        prop::sample::select(&["bronze", "silver", "gold", "platinum"][..]),
        1..=3,
    );
    let segments = prop::collection::vec(
        prop::sample::select(&["wholesale", "vip", "coffee-lovers", "new"][..]),
        1..=3,
    );
    let channels = prop::collection::vec(prop::sample::select(&["web", "app", "store"][..]), 1..=2);
    let countries = prop::collection::vec(prop::sample::select(&["BR", "US", "PT"][..]), 1..=2);
    prop_oneof![
        bound_amount().prop_map(|a| Condition::SubtotalAtLeast(a.into())),
        bound_amount().prop_map(|a| Condition::SubtotalBelow(a.into())),
        (0u64..=50).prop_map(Condition::QuantityAtLeast),
        skus.prop_map(|s| Condition::HasSku(Sku::new(s).expect("non-blank"))),
        categories.prop_map(|c| Condition::HasCategory(Category::new(c).expect("non-blank"))),
        tiers.prop_map(|list| Condition::TierIn(
            list.into_iter()
                .map(|t| TierId::new(t).expect("non-blank"))
                .collect()
        )),
        segments.prop_map(|list| Condition::SegmentIn(
            list.into_iter()
                .map(|s| Segment::new(s).expect("non-blank"))
                .collect()
        )),
        Just(Condition::FirstOrder),
        (1u64..=30).prop_map(Condition::OrderNumberAtLeast),
        (1u64..=30).prop_map(Condition::OrderNumberIs),
        (0u32..=400).prop_map(Condition::DaysSinceLastOrderAtLeast),
        channels.prop_map(|list| Condition::ChannelIn(
            list.into_iter()
                .map(|c| Channel::new(c).expect("non-blank"))
                .collect()
        )),
        countries.prop_map(|list| Condition::CountryIn(
            list.into_iter()
                .map(|c| Country::new(c).expect("two letters"))
                .collect()
        )),
        date_window().prop_map(Condition::DateWindow),
        prop::collection::vec(weekday(), 1..=7).prop_map(Condition::Weekdays),
        time_of_day().prop_map(Condition::TimeOfDay),
        seasonal_event().prop_map(Condition::SeasonalEvent),
        Just(Condition::BirthdayMonth),
    ]
}

/// A condition tree: leaves from [`leaf_condition`] joined by `all`, `any`
/// and `not`, at most 4 levels deep counting the leaves (see [`depth`]),
/// each list of 0–4 conditions (an empty `all` holds, an empty `any` does
/// not). Every tree validates on a calendar without a country.
pub fn condition() -> impl Strategy<Value = Condition> {
    leaf_condition().prop_recursive(3, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..=4).prop_map(Condition::All),
            prop::collection::vec(inner.clone(), 0..=4).prop_map(Condition::Any),
            inner.prop_map(|c| Condition::Not(Box::new(c))),
        ]
    })
}

/// The depth of a condition tree: 1 for a leaf, one more per `all` / `any`
/// / `not` level.
pub fn depth(condition: &Condition) -> usize {
    match condition {
        Condition::All(list) | Condition::Any(list) => {
            1 + list.iter().map(depth).max().unwrap_or(0)
        }
        Condition::Not(inner) => 1 + depth(inner),
        _ => 1,
    }
}
