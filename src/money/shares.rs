//! The splits that round each share or walk the parts from the last, as
//! other platforms make them ([`RemainderPolicy::RoundThenInOrder`],
//! [`RemainderPolicy::LastTakesDifference`],
//! [`RemainderPolicy::FirstTakesRest`]), and the split that keeps every
//! part at or below a cap (an equal split over lines that cost less than
//! their equal share). All in whole units, exact: products that do not fit
//! in 128 bits are divided in 256.

use super::{AllocationError, RemainderPolicy, RoundingMode, overflow};
use crate::util::Buf;
use rust_decimal::Decimal;

/// The policies split here rather than by truncation and a pass over the
/// remainders.
#[derive(Clone, Copy, Debug)]
pub(super) enum SharePolicy {
    RoundThenInOrder,
    LastTakesDifference,
    FirstTakesRest,
}

impl SharePolicy {
    /// The policy, when it is one of these.
    pub(super) fn of(policy: RemainderPolicy) -> Option<SharePolicy> {
        match policy {
            RemainderPolicy::RoundThenInOrder => Some(SharePolicy::RoundThenInOrder),
            RemainderPolicy::LastTakesDifference => Some(SharePolicy::LastTakesDifference),
            RemainderPolicy::FirstTakesRest => Some(SharePolicy::FirstTakesRest),
            RemainderPolicy::LargestRemainder | RemainderPolicy::InOrder => None,
        }
    }
}

/// Splits `total` over `parts`, which hold the weights on entry and the
/// shares on return, by `policy`; `rounding` rounds each share where the
/// policy does. The parts sum exactly to `total`; a part of weight zero
/// gets zero; when `|total|` is at most the sum of the weights (a discount
/// over the amounts it comes off), no part goes above its weight. A
/// negative total is split like its absolute value, every part negative
/// or zero.
pub(super) fn split(
    total: i128,
    parts: &mut [i128],
    policy: SharePolicy,
    rounding: RoundingMode,
) -> Result<(), AllocationError> {
    let mut weights: Buf<u128, 16> = Buf::with_capacity(parts.len());
    let mut sum: u128 = 0;
    for (index, &weight) in parts.iter().enumerate() {
        let Ok(w) = u128::try_from(weight) else {
            return Err(AllocationError::NegativeWeight {
                index,
                weight: Decimal::try_from_i128_with_scale(weight, 0).unwrap_or(Decimal::MIN),
            });
        };
        sum = sum.checked_add(w).ok_or_else(overflow)?;
        weights.push(w);
    }
    if sum == 0 {
        return Err(AllocationError::ZeroTotalWeight);
    }
    let amount = total.unsigned_abs();
    // A discount never exceeds what it comes off: then neither does a part.
    let capped = amount <= sum;
    let mut shares: Buf<u128, 16> = Buf::filled(parts.len(), 0);
    match policy {
        SharePolicy::RoundThenInOrder => {
            round_then_in_order(amount, sum, &weights, rounding, capped, &mut shares);
        }
        SharePolicy::LastTakesDifference => {
            last_takes_difference(amount, sum, &weights, rounding, capped, &mut shares);
        }
        SharePolicy::FirstTakesRest => first_takes_rest(amount, sum, &weights, &mut shares),
    }
    for (part, &share) in parts.iter_mut().zip(shares.iter()) {
        let share = i128::try_from(share).map_err(|_| overflow())?;
        *part = if total < 0 { -share } else { share };
    }
    Ok(())
}

/// `amount × weight ÷ sum` rounded with `rounding` (exact: the product is
/// kept in 256 bits when it needs them).
fn rounded_share(amount: u128, weight: u128, sum: u128, rounding: RoundingMode) -> u128 {
    if weight == 0 {
        return 0;
    }
    let (quotient, remainder) = mul_div(amount, weight, sum);
    round_quotient(quotient, remainder, sum, rounding)
}

/// Each share rounded; then the units still missing go one each to the
/// first parts (of positive weight, below their weight when capped), and
/// the units over come one each off the first parts above zero.
fn round_then_in_order(
    amount: u128,
    sum: u128,
    weights: &[u128],
    rounding: RoundingMode,
    capped: bool,
    shares: &mut [u128],
) {
    let mut assigned: u128 = 0;
    for (share, &w) in shares.iter_mut().zip(weights) {
        *share = rounded_share(amount, w, sum, rounding);
        assigned += *share;
    }
    settle_in_order(amount, assigned, weights, capped, shares);
}

/// Places `amount − assigned` units one each in part order: adds to the
/// parts of positive weight (below their weight when `capped`), or takes
/// from the parts above zero. One pass places them all when each share was
/// rounded to a neighbour of its exact value (every part that lost to
/// rounding has room, and there are more of them than units missing);
/// further passes only guard against losing a unit.
fn settle_in_order(
    amount: u128,
    mut assigned: u128,
    weights: &[u128],
    capped: bool,
    shares: &mut [u128],
) {
    while assigned < amount {
        let before = assigned;
        for (share, &w) in shares.iter_mut().zip(weights) {
            if assigned == amount {
                break;
            }
            if w != 0 && (!capped || *share < w) {
                *share += 1;
                assigned += 1;
            }
        }
        if assigned == before {
            break;
        }
    }
    while assigned > amount {
        let before = assigned;
        for share in shares.iter_mut() {
            if assigned == amount {
                break;
            }
            if *share > 0 {
                *share -= 1;
                assigned -= 1;
            }
        }
        if assigned == before {
            break;
        }
    }
}

/// Every part of positive weight but the last has its share rounded; the
/// last takes the difference. Should the difference fall below zero, or
/// (when capped) above the last part's weight, the parts before it, from
/// the end, give back or take the units.
fn last_takes_difference(
    amount: u128,
    sum: u128,
    weights: &[u128],
    rounding: RoundingMode,
    capped: bool,
    shares: &mut [u128],
) {
    let Some(last) = weights.iter().rposition(|&w| w != 0) else {
        return;
    };
    let mut assigned: u128 = 0;
    for (share, &w) in shares[..last].iter_mut().zip(&weights[..last]) {
        *share = rounded_share(amount, w, sum, rounding);
        assigned += *share;
    }
    if assigned > amount {
        // Take the excess back from the end.
        let mut excess = assigned - amount;
        for share in shares[..last].iter_mut().rev() {
            let take = excess.min(*share);
            *share -= take;
            excess -= take;
        }
        shares[last] = 0;
        return;
    }
    shares[last] = amount - assigned;
    if capped && shares[last] > weights[last] {
        let mut excess = shares[last] - weights[last];
        shares[last] = weights[last];
        for (share, &w) in shares[..last].iter_mut().zip(&weights[..last]).rev() {
            let give = excess.min(w - (*share).min(w));
            *share += give;
            excess -= give;
        }
    }
}

/// From the last part to the first, each takes its share of what is left
/// (by its weight among the parts not yet served), rounded toward zero;
/// the first part of positive weight takes the rest.
fn first_takes_rest(amount: u128, sum: u128, weights: &[u128], shares: &mut [u128]) {
    let mut left = amount;
    let mut left_weight = sum;
    for (share, &w) in shares.iter_mut().zip(weights).rev() {
        if w == 0 || left_weight == 0 {
            continue;
        }
        // The weight of the parts not yet served is at least this one's,
        // so the share is at most what is left; the first part of
        // positive weight divides by its own weight and takes all of it.
        *share = mul_div(left, w, left_weight).0;
        left -= *share;
        left_weight -= w;
    }
}

/// Splits `total` (0 or more) over the parts with a positive cap and
/// weight, by weight, so that no part goes above its cap: a part whose cap
/// is below its share of what is left takes its cap, and the others share
/// the rest by `policy`; a unit a policy would still place above a cap
/// goes to the next part with room, in part order. `total` above the sum
/// of the caps is cut to it. `out` gets the parts; it must be as long as
/// `caps` and `weights`.
pub(crate) fn split_capped(
    total: i128,
    caps: &[i128],
    weights: &[i128],
    policy: RemainderPolicy,
    rounding: RoundingMode,
    out: &mut [i128],
) -> Result<(), AllocationError> {
    if out.len() < caps.len() || weights.len() < caps.len() {
        return Err(AllocationError::BufferTooShort {
            room: out.len().min(weights.len()),
            parts: caps.len(),
        });
    }
    let out = &mut out[..caps.len()];
    out.iter_mut().for_each(|p| *p = 0);
    // The parts that may take anything, by cap per unit of weight.
    let mut open: Buf<usize, 16> = Buf::with_capacity(caps.len());
    let mut room: u128 = 0;
    let mut weight_left: u128 = 0;
    for (i, (&cap, &w)) in caps.iter().zip(weights).enumerate() {
        if cap > 0 && w > 0 {
            open.push(i);
            room = room.checked_add(cap.unsigned_abs()).ok_or_else(overflow)?;
            weight_left = weight_left
                .checked_add(w.unsigned_abs())
                .ok_or_else(overflow)?;
        }
    }
    let mut left = total.max(0).unsigned_abs().min(room);
    if left == 0 {
        return Ok(());
    }
    let cap_of = |i: usize| caps[i].unsigned_abs();
    let weight_of = |i: usize| weights[i].unsigned_abs();
    open.sort_unstable_by(|&a, &b| {
        // cap_a / w_a against cap_b / w_b, exactly; ties keep part order.
        wide_cmp(
            widening_mul(cap_of(a), weight_of(b)),
            widening_mul(cap_of(b), weight_of(a)),
        )
        .then(a.cmp(&b))
    });
    // Those whose cap is at most their share of what is left take their
    // cap; each leaves the others at least as much per unit of weight.
    let mut full = 0;
    for &i in open.iter() {
        let reaches = wide_cmp(
            widening_mul(cap_of(i), weight_left),
            widening_mul(left, weight_of(i)),
        )
        .is_le();
        if !reaches {
            break;
        }
        out[i] = caps[i];
        left -= cap_of(i);
        weight_left -= weight_of(i);
        full += 1;
    }
    let rest = &open[full..];
    if rest.is_empty() || left == 0 {
        return Ok(());
    }
    // The others share what is left by weight, in part order.
    rest_in_order(left, rest, caps, weights, policy, rounding, out)
}

/// The split of `left` over the parts `rest` (whose caps are above their
/// exact shares) by weight and `policy`, then each part brought back to
/// its cap, the units over going to the next parts with room.
fn rest_in_order(
    left: u128,
    rest: &[usize],
    caps: &[i128],
    weights: &[i128],
    policy: RemainderPolicy,
    rounding: RoundingMode,
    out: &mut [i128],
) -> Result<(), AllocationError> {
    let mut order: Buf<usize, 16> = Buf::from_slice(rest);
    order.sort_unstable();
    let mut parts: Buf<i128, 16> = Buf::with_capacity(order.len());
    for &i in order.iter() {
        parts.push(weights[i]);
    }
    let left_units = i128::try_from(left).map_err(|_| overflow())?;
    super::split_in_place_rounded(left_units, &mut parts, policy, rounding)?;
    let mut over: i128 = 0;
    for (&i, &part) in order.iter().zip(parts.iter()) {
        let part = part.max(0);
        if part > caps[i] {
            over += part - caps[i];
            out[i] = caps[i];
        } else {
            out[i] = part;
        }
    }
    for &i in order.iter() {
        if over == 0 {
            break;
        }
        let give = over.min(caps[i] - out[i]);
        out[i] += give;
        over -= give;
    }
    Ok(())
}

/// `quotient + remainder / divisor` rounded to a whole number by `mode`
/// (the value is not negative).
fn round_quotient(quotient: u128, remainder: u128, divisor: u128, mode: RoundingMode) -> u128 {
    if remainder == 0 {
        return quotient;
    }
    // remainder < divisor: compare the fraction with one half without
    // doubling (which could overflow).
    let other = divisor - remainder;
    let up = match mode {
        RoundingMode::TowardZero => false,
        RoundingMode::AwayFromZero => true,
        RoundingMode::HalfUp => remainder >= other,
        RoundingMode::HalfDown => remainder > other,
        RoundingMode::HalfEven => remainder > other || (remainder == other && quotient % 2 == 1),
    };
    quotient + u128::from(up)
}

/// `units × percent ÷ 100`, rounded to a whole unit by `mode`: a percent of
/// an amount in minor units. Exact for a percent of at most four decimals
/// (as programs keep them); `None` on overflow or a finer percent.
pub(crate) fn percent_of_units(units: i128, percent: Decimal, mode: RoundingMode) -> Option<i128> {
    const SCALE: u32 = 4;
    let percent = percent.normalize();
    if percent.is_sign_negative() || percent.scale() > SCALE {
        return None;
    }
    let per_ten_thousand =
        u128::try_from(percent.mantissa()).ok()? * 10u128.pow(SCALE - percent.scale());
    let magnitude = units.unsigned_abs();
    let (quotient, remainder) = mul_div(magnitude, per_ten_thousand, 1_000_000);
    let rounded = i128::try_from(round_quotient(quotient, remainder, 1_000_000, mode)).ok()?;
    Some(if units < 0 { -rounded } else { rounded })
}

/// `a × b ÷ c` and its remainder, exactly, for `c > 0` and a quotient that
/// fits in 128 bits (`a ≤ c` or `b ≤ c`).
pub(crate) fn mul_div(a: u128, b: u128, c: u128) -> (u128, u128) {
    if let Some(product) = a.checked_mul(b) {
        return (product / c, product % c);
    }
    let (high, low) = widening_mul(a, b);
    // Long division of the 256-bit product, one bit at a time: only for
    // amounts near the order limit.
    let mut remainder = high % c;
    let mut quotient: u128 = 0;
    for bit in (0..128).rev() {
        let carry = remainder >> 127;
        remainder = (remainder << 1) | ((low >> bit) & 1);
        quotient <<= 1;
        if carry == 1 || remainder >= c {
            remainder = remainder.wrapping_sub(c);
            quotient |= 1;
        }
    }
    (quotient, remainder)
}

/// `a × b` as (high, low) 128-bit halves.
fn widening_mul(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & MASK);
    let (b1, b0) = (b >> 64, b & MASK);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let middle = (p00 >> 64) + (p01 & MASK) + (p10 & MASK);
    let low = (p00 & MASK) | (middle << 64);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64);
    (high, low)
}

/// Compares two 256-bit numbers given as (high, low).
fn wide_cmp(a: (u128, u128), b: (u128, u128)) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then(a.1.cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shares(total: i128, weights: &[i128], policy: SharePolicy, mode: RoundingMode) -> Vec<i128> {
        let mut parts = weights.to_vec();
        split(total, &mut parts, policy, mode).unwrap();
        parts
    }

    /// Money#allocate of RubyMoney (lib/money/money/allocation.rb), as
    /// written: from the last part, each takes `truncate(remaining × part
    /// / sum of the parts left)`.
    fn ruby_allocate(amount: i128, weights: &[i128]) -> Vec<i128> {
        let mut parts = weights.to_vec();
        let mut result = Vec::new();
        let mut remaining = amount;
        while let Some(part) = parts.pop() {
            let parts_sum: i128 = parts.iter().sum::<i128>() + part;
            let split = if parts_sum > 0 {
                remaining * part / parts_sum
            } else {
                0
            };
            result.insert(0, split);
            remaining -= split;
        }
        result
    }

    /// Sylius's ProportionalIntegerDistributor (PHP_ROUND_HALF_DOWN, then
    /// ±1 to the first elements), on integers that fit.
    fn sylius_distribute(weights: &[i128], amount: i128) -> Vec<i128> {
        let total: i128 = weights.iter().sum();
        let mut out: Vec<i128> = weights
            .iter()
            .map(|&w| {
                let (q, r) = ((w * amount) / total, (w * amount) % total);
                q + i128::from(2 * r > total)
            })
            .collect();
        let missing = amount - out.iter().sum::<i128>();
        for slot in out.iter_mut().take(missing.unsigned_abs() as usize) {
            *slot += missing.signum();
        }
        out
    }

    #[test]
    fn shares_by_hand() {
        use SharePolicy::*;
        // Sylius's spec: [4000, 2000, 2000] by 300 → 150, 75, 75;
        // [4300, 1400, 2300] → 161.25, 52.5 (half down: 52), 86.25: 299,
        // the missing unit to the first: 162, 52, 86.
        assert_eq!(
            shares(
                300,
                &[4000, 2000, 2000],
                RoundThenInOrder,
                RoundingMode::HalfDown
            ),
            [150, 75, 75]
        );
        assert_eq!(
            shares(
                300,
                &[4300, 1400, 2300],
                RoundThenInOrder,
                RoundingMode::HalfDown
            ),
            [162, 52, 86]
        );
        assert_eq!(
            shares(
                -300,
                &[4300, 1400, 2300],
                RoundThenInOrder,
                RoundingMode::HalfDown
            ),
            [-162, -52, -86]
        );
        // Half up instead: 161, 53, 86 sum to 300 already.
        assert_eq!(
            shares(
                300,
                &[4300, 1400, 2300],
                RoundThenInOrder,
                RoundingMode::HalfUp
            ),
            [161, 53, 86]
        );
        // Saleor's example: 5.00 over 4.00 and 45.00: 4/49 × 500 = 40.8 →
        // 41, the last 500 − 41 = 459.
        assert_eq!(
            shares(500, &[400, 4500], LastTakesDifference, RoundingMode::HalfUp),
            [41, 459]
        );
        // 10 over 1:1:1: 3.33 → 3, 3, the last 4.
        assert_eq!(
            shares(10, &[1, 1, 1], LastTakesDifference, RoundingMode::HalfUp),
            [3, 3, 4]
        );
        // The last part of positive weight is the last: 0 after it.
        assert_eq!(
            shares(10, &[1, 1, 0], LastTakesDifference, RoundingMode::HalfUp),
            [5, 5, 0]
        );
        // Rounded shares above the amount: 2 over 3:3:3:1 gives 0.6 → 1 three
        // times; the excess comes back from the end, the last gets 0.
        assert_eq!(
            shares(2, &[3, 3, 3, 1], LastTakesDifference, RoundingMode::HalfUp),
            [1, 1, 0, 0]
        );
        // Money#allocate: 3 over 2:1:1 → the last trunc(3 × 1/4) = 0, then
        // trunc(3 × 1/3) = 1, the first the rest, 2.
        assert_eq!(
            shares(3, &[2, 1, 1], FirstTakesRest, RoundingMode::HalfUp),
            [2, 1, 0]
        );
        // Solidus's PercentWithCap: 50.00 over 120/230/300 → 9.24, 17.69, 23.07.
        assert_eq!(
            shares(
                5000,
                &[12000, 23000, 30000],
                FirstTakesRest,
                RoundingMode::HalfUp
            ),
            [924, 1769, 2307]
        );
        // Leading parts of weight zero get nothing.
        assert_eq!(
            shares(7, &[0, 0, 2, 5], FirstTakesRest, RoundingMode::HalfUp),
            [0, 0, 2, 5]
        );
        assert_eq!(
            split(1, &mut [0, 0], FirstTakesRest, RoundingMode::HalfUp),
            Err(AllocationError::ZeroTotalWeight)
        );
        assert!(matches!(
            split(1, &mut [1, -1], RoundThenInOrder, RoundingMode::HalfUp),
            Err(AllocationError::NegativeWeight { index: 1, .. })
        ));
    }

    #[test]
    fn capped_splits_by_hand() {
        // 10.00 equally over lines of 1.00, 50.00 and 50.00: the first takes
        // its 1.00, the others 4.50 each.
        let mut out = [0i128; 3];
        split_capped(
            1000,
            &[100, 5000, 5000],
            &[1, 1, 1],
            RemainderPolicy::LargestRemainder,
            RoundingMode::HalfUp,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [100, 450, 450]);
        // 0.10 equally over three: 4, 3, 3; a part of cap 0 gets nothing.
        let mut out = [0i128; 4];
        split_capped(
            10,
            &[100, 0, 100, 100],
            &[1, 1, 1, 1],
            RemainderPolicy::LargestRemainder,
            RoundingMode::HalfUp,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [4, 0, 3, 3]);
        // By units: 6.00 over 2 units of 5.00 and 1 of 20.00: 2.00 a unit.
        let mut out = [0i128; 2];
        split_capped(
            600,
            &[1000, 2000],
            &[2, 1],
            RemainderPolicy::LargestRemainder,
            RoundingMode::HalfUp,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [400, 200]);
        // More than the caps: cut to them.
        let mut out = [0i128; 2];
        split_capped(
            999,
            &[3, 4],
            &[1, 1],
            RemainderPolicy::InOrder,
            RoundingMode::HalfUp,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [3, 4]);
        // The last takes the difference, but never above its cap: 3 over
        // caps 2, 2, 1 by 1:1:1 → 1, 1, 1 (no cap reached).
        let mut out = [0i128; 3];
        split_capped(
            3,
            &[2, 2, 1],
            &[1, 1, 1],
            RemainderPolicy::LastTakesDifference,
            RoundingMode::HalfUp,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [1, 1, 1]);
    }

    #[test]
    fn percents_of_units_by_hand() {
        // 15% of 1.15 = 17.25 cents: 17 half up; 12.5% of 0.04 = 0.5: 1 half
        // up, 0 half even and half down.
        assert_eq!(
            percent_of_units(115, Decimal::from(15), RoundingMode::HalfUp),
            Some(17)
        );
        let eighth = Decimal::new(125, 1);
        assert_eq!(percent_of_units(4, eighth, RoundingMode::HalfUp), Some(1));
        assert_eq!(percent_of_units(4, eighth, RoundingMode::HalfEven), Some(0));
        assert_eq!(percent_of_units(4, eighth, RoundingMode::HalfDown), Some(0));
        assert_eq!(
            percent_of_units(12, eighth, RoundingMode::HalfEven),
            Some(2)
        );
        assert_eq!(percent_of_units(-4, eighth, RoundingMode::HalfUp), Some(-1));
        assert_eq!(
            percent_of_units(4, Decimal::new(1, 5), RoundingMode::HalfUp),
            None
        );
    }

    #[test]
    fn wide_products_divide_exactly() {
        // (2^127 − 1) × (2^127 − 1) ÷ (2^127 − 1) = 2^127 − 1.
        let big = u128::MAX >> 1;
        assert_eq!(mul_div(big, big, big), (big, 0));
        // 10^30 × 10^20 ÷ 10^21 = 10^29, remainder 0; + 7 leaves 7.
        let (e30, e20, e21) = (10u128.pow(30), 10u128.pow(20), 10u128.pow(21));
        assert_eq!(mul_div(e30, e20, e21), (10u128.pow(29), 0));
        assert_eq!(
            mul_div(e30, e20 + 1, e21),
            (10u128.pow(29) + 10u128.pow(9), 0)
        );
        assert_eq!(mul_div(e30 + 7, e20, e20 * 10), (e30 / 10, 7 * e20));
    }

    proptest! {
        /// The 256-bit division agrees with the 128-bit one wherever the
        /// product fits, and q × c + r = a × b with r < c beyond.
        #[test]
        fn wide_division_is_exact(a in any::<u64>(), b in any::<u64>(), c in 1u64..) {
            let (a, b, c) = (u128::from(a), u128::from(b), u128::from(c));
            prop_assert_eq!(mul_div(a, b, c), ((a * b) / c, (a * b) % c));
            // Scaled past 128 bits: (a·2^64) × (b·2^62) ÷ (c·2^64), the quotient
            // fitting whenever b·2^62 ≤ c·2^64.
            let (a2, b2, c2) = (a << 64, b << 62, c << 64);
            if b2 <= c2 {
                let (q, r) = mul_div(a2, b2, c2);
                prop_assert!(r < c2);
                let (high, low) = widening_mul(q, c2);
                let (low, carry) = low.overflowing_add(r);
                prop_assert_eq!((high + u128::from(carry), low), widening_mul(a2, b2));
            }
        }

        /// Every share policy sums exactly; a part of weight zero gets
        /// zero; an amount at most the weights leaves every part between 0
        /// and its weight.
        #[test]
        fn share_policies_sum_exactly_within_the_weights(
            total in -1_000_000_000i128..1_000_000_000,
            weights in prop::collection::vec(prop_oneof![Just(0i128), 0i128..1_000_000_000], 1..30),
            policy in prop::sample::select(vec![SharePolicy::RoundThenInOrder, SharePolicy::LastTakesDifference, SharePolicy::FirstTakesRest]),
            mode in prop::sample::select(vec![RoundingMode::HalfUp, RoundingMode::HalfEven, RoundingMode::HalfDown, RoundingMode::TowardZero, RoundingMode::AwayFromZero]),
        ) {
            let mut weights = weights;
            if weights.iter().all(|&w| w == 0) {
                weights[0] = 1;
            }
            let parts = shares(total, &weights, policy, mode);
            prop_assert_eq!(parts.iter().sum::<i128>(), total);
            let within = total.unsigned_abs() <= weights.iter().sum::<i128>().unsigned_abs();
            for (p, w) in parts.iter().zip(&weights) {
                prop_assert!(*w != 0 || *p == 0, "a part of weight zero gets zero");
                prop_assert!(*p == 0 || p.signum() == total.signum());
                if within {
                    prop_assert!(p.unsigned_abs() <= w.unsigned_abs(), "part {p} above weight {w}");
                }
            }
        }

        /// First takes rest is Money#allocate, part for part.
        #[test]
        fn first_takes_rest_is_money_allocate(
            amount in 0i128..1_000_000_000,
            weights in prop::collection::vec(0i128..1_000_000, 1..20),
        ) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            prop_assert_eq!(
                shares(amount, &weights, SharePolicy::FirstTakesRest, RoundingMode::HalfUp),
                ruby_allocate(amount, &weights)
            );
        }

        /// Round then in order with half-down shares is Sylius's
        /// distributor, on positive weights and an amount at most their
        /// sum (the distributor's use: a discount over item totals).
        #[test]
        fn round_then_in_order_is_the_proportional_integer_distributor(
            weights in prop::collection::vec(1i128..1_000_000, 1..20),
            share in 0u32..=1000,
        ) {
            let sum: i128 = weights.iter().sum();
            let amount = sum * i128::from(share) / 1000;
            let reference = sylius_distribute(&weights, amount);
            // Where the reference keeps each part within its weight, the
            // two agree; elsewhere this split keeps it there.
            prop_assume!(reference.iter().zip(&weights).all(|(p, w)| 0 <= *p && p <= w));
            prop_assert_eq!(
                shares(amount, &weights, SharePolicy::RoundThenInOrder, RoundingMode::HalfDown),
                reference
            );
        }

        /// A capped split sums to the amount (cut to the caps), keeps every
        /// part within its cap, and gives nothing to a part of cap or
        /// weight zero.
        #[test]
        fn capped_splits_stay_within_the_caps(
            total in 0i128..10_000_000,
            lines in prop::collection::vec((0i128..100_000, 0i128..5), 1..20),
            policy in prop::sample::select(vec![RemainderPolicy::LargestRemainder, RemainderPolicy::InOrder, RemainderPolicy::RoundThenInOrder, RemainderPolicy::LastTakesDifference, RemainderPolicy::FirstTakesRest]),
        ) {
            let caps: Vec<i128> = lines.iter().map(|l| l.0).collect();
            let weights: Vec<i128> = lines.iter().map(|l| l.1).collect();
            let mut out = vec![0i128; caps.len()];
            split_capped(total, &caps, &weights, policy, RoundingMode::HalfUp, &mut out).unwrap();
            let room: i128 = caps.iter().zip(&weights).filter(|(_, w)| **w > 0).map(|(c, _)| *c).sum();
            prop_assert_eq!(out.iter().sum::<i128>(), total.min(room));
            for ((p, c), w) in out.iter().zip(&caps).zip(&weights) {
                prop_assert!(0 <= *p && p <= c);
                prop_assert!(*w != 0 || *p == 0);
            }
        }
    }
}
