//! A program in several currencies: read once per currency it serves.
//!
//! Each reading is a program of one currency: its amounts the plain
//! amounts for that currency, and without the rules that have no amount
//! there ([`Unavailable`], traced as `currency_mismatch` when an order in
//! that currency is evaluated). An amount of the whole program (the
//! stacking cap) must be given in every currency; points or cashback
//! without a redemption value in a currency are not spent there.

use std::collections::{HashMap, HashSet};

use crate::error::{Problem, ProgramError, Warning, WarningKind};
use crate::money::Currency;
use crate::rules::coupon::normalize_code;
use crate::rules::currency::{ReadAmounts, Reader, list};

use super::ProgramDefinition;

/// A list of rules of a program, as paths name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum List {
    Ladders,
    Coupons,
    Promotions,
    Earning,
    Bonuses,
    Campaigns,
    Cashback,
}

impl List {
    const ALL: [List; 7] = [
        List::Ladders,
        List::Coupons,
        List::Promotions,
        List::Earning,
        List::Bonuses,
        List::Campaigns,
        List::Cashback,
    ];

    /// The list's path in a program, e.g. `multipliers.campaigns`.
    pub(crate) fn path(self) -> &'static str {
        match self {
            List::Ladders => "ladders",
            List::Coupons => "coupons",
            List::Promotions => "promotions",
            List::Earning => "earning",
            List::Bonuses => "bonuses",
            List::Campaigns => "multipliers.campaigns",
            List::Cashback => "cashback",
        }
    }
}

/// A rule left out of a reading: it has no amount in its currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unavailable {
    /// Its list.
    pub(crate) list: List,
    /// Its index in the list as written.
    pub(crate) index: usize,
    /// Its id.
    pub(crate) id: String,
    /// Its codes, normalised: a coupon entered by one is refused.
    pub(crate) codes: Vec<String>,
    /// The first of its amounts with none in the currency.
    pub(crate) missing: String,
}

/// A program read for one currency.
pub(crate) struct Reading {
    /// The program of that currency alone.
    pub(crate) definition: ProgramDefinition,
    /// The rules left out.
    pub(crate) unavailable: Vec<Unavailable>,
    /// What looks wrong but is valid: a redemption not offered in the
    /// currency.
    pub(crate) warnings: Vec<Warning>,
    /// For each list (in [`List::ALL`] order), the index as written of
    /// each rule the reading kept.
    kept: [Vec<usize>; 7],
}

impl Reading {
    /// `path` of the reading (its lists without the rules left out) as a
    /// path of the program as written.
    pub(crate) fn written_path(&self, path: &str) -> String {
        // A list's path followed by `[`: no list's path is another's
        // followed by `[`.
        for (list, kept) in List::ALL.iter().zip(&self.kept) {
            let name = list.path();
            let Some(rest) = path.strip_prefix(name).and_then(|r| r.strip_prefix('[')) else {
                continue;
            };
            let Some((index, tail)) = rest.split_once(']') else {
                continue;
            };
            let Some(written) = index.parse::<usize>().ok().and_then(|i| kept.get(i)) else {
                continue;
            };
            return format!("{name}[{written}]{tail}");
        }
        path.to_owned()
    }
}

/// The currencies `definition` serves: its own, then those of
/// `currencies`, each once.
pub(crate) fn served(definition: &ProgramDefinition) -> Vec<Currency> {
    let mut served = vec![definition.currency];
    for currency in &definition.currencies {
        if !served.contains(currency) {
            served.push(*currency);
        }
    }
    served
}

/// `definition` read for `currency`; with `check`, its tables are checked
/// too (a currency it does not serve, a number of units per currency).
///
/// # Errors
///
/// Every table refused, and every program-wide amount without one in
/// `currency`.
pub(crate) fn read(
    definition: &ProgramDefinition,
    currency: Currency,
    served: &[Currency],
    check: bool,
) -> Result<Reading, ProgramError> {
    let mut r = Reader::new(currency, definition.currency, served, check);
    let mut def = definition.clone();
    def.currency = currency;
    def.currencies = Vec::new();
    let mut unavailable = Vec::new();
    let mut warnings = Vec::new();
    read_list(&mut def.ladders, List::Ladders, &mut r, &mut unavailable);
    read_list(&mut def.coupons, List::Coupons, &mut r, &mut unavailable);
    read_list(
        &mut def.promotions,
        List::Promotions,
        &mut r,
        &mut unavailable,
    );
    read_list(&mut def.earning, List::Earning, &mut r, &mut unavailable);
    read_list(&mut def.bonuses, List::Bonuses, &mut r, &mut unavailable);
    let campaigns = &mut def.multipliers.campaigns;
    read_list(campaigns, List::Campaigns, &mut r, &mut unavailable);
    read_list(&mut def.cashback, List::Cashback, &mut r, &mut unavailable);
    // The amounts of the whole program.
    r.optional("stacking", ".max_total", &mut def.stacking.max_total);
    if let Some(missing) = r.take_missing() {
        r.errors.push(ProgramError::new(
            missing,
            Problem::MissingCurrency { currency },
        ));
    }
    if let Some(points) = &mut def.redemption.points {
        r.amount("redemption.points", ".rate.value", &mut points.rate.value);
        if let Some(missing) = r.take_missing() {
            def.redemption.points = None;
            warnings.push(not_spent(missing, currency, "points"));
        }
    }
    if let Some(cashback) = &mut def.redemption.cashback {
        r.amount("redemption.cashback", ".minimum", &mut cashback.minimum);
        if let Some(missing) = r.take_missing() {
            def.redemption.cashback = None;
            warnings.push(not_spent(missing, currency, "cashback"));
        }
    }
    if let Some(error) = ProgramError::gather(r.errors) {
        return Err(error);
    }
    let written = [
        definition.ladders.len(),
        definition.coupons.len(),
        definition.promotions.len(),
        definition.earning.len(),
        definition.bonuses.len(),
        definition.multipliers.campaigns.len(),
        definition.cashback.len(),
    ];
    let kept = std::array::from_fn(|l| {
        let list = List::ALL[l];
        // Left out in written order, list by list.
        let mut gone = unavailable
            .iter()
            .filter(|u| u.list == list)
            .map(|u| u.index)
            .peekable();
        (0..written[l])
            .filter(|i| {
                if gone.peek() == Some(i) {
                    gone.next();
                    false
                } else {
                    true
                }
            })
            .collect()
    });
    Ok(Reading {
        definition: def,
        unavailable,
        warnings,
        kept,
    })
}

/// Reads each rule of `rules` (the list `list`), keeping those with every
/// amount in the reader's currency and noting the others.
fn read_list<T: ReadAmounts>(
    rules: &mut Vec<T>,
    list: List,
    r: &mut Reader<'_>,
    unavailable: &mut Vec<Unavailable>,
) {
    let mut index = 0;
    rules.retain_mut(|rule| {
        let at = index;
        index += 1;
        rule.read_amounts(r, &format!("{}[{at}]", list.path()));
        let Some(missing) = r.take_missing() else {
            return true;
        };
        unavailable.push(Unavailable {
            list,
            index: at,
            id: rule.rule_id().to_owned(),
            codes: rule
                .rule_codes()
                .iter()
                .map(|c| normalize_code(c))
                .collect(),
            missing,
        });
        false
    });
}

fn not_spent(missing: String, currency: Currency, what: &'static str) -> Warning {
    Warning::new(
        missing.clone(),
        WarningKind::NotSpentInCurrency { what, currency },
    )
}

/// Each reading's rules left out, by list and index.
type LeftOut<'r> = HashMap<(List, usize), &'r Unavailable>;

fn left_out<'r>(readings: &[&'r Reading]) -> Vec<LeftOut<'r>> {
    readings
        .iter()
        .map(|r| {
            r.unavailable
                .iter()
                .map(|u| ((u.list, u.index), u))
                .collect()
        })
        .collect()
}

/// Rules that apply in no currency, and ids or codes used twice by rules
/// that no reading has together (a reading checks the rules it keeps).
pub(crate) fn check_across(
    definition: &ProgramDefinition,
    served: &[Currency],
    readings: &[&Reading],
) -> Vec<ProgramError> {
    let mut errors = Vec::new();
    let gone = left_out(readings);
    // A rule left out of every reading applies nowhere.
    if let Some(first) = readings.first() {
        for rule in &first.unavailable {
            let key = (rule.list, rule.index);
            if gone.iter().all(|g| g.contains_key(&key)) {
                let missing = gone
                    .iter()
                    .zip(served)
                    .filter_map(|(g, currency)| {
                        g.get(&key)
                            .map(|u| format!("{currency} has none at {}", u.missing))
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                errors.push(ProgramError::new(
                    format!("{}[{}]", rule.list.path(), rule.index),
                    Problem::NoCommonCurrency { missing },
                ));
            }
        }
    }
    if gone.iter().all(HashMap::is_empty) {
        return errors;
    }
    // Whether some reading keeps both rules (and so checks them itself).
    let together = |a: (List, usize), b: (List, usize)| {
        gone.iter()
            .any(|g| !g.contains_key(&a) && !g.contains_key(&b))
    };
    let mut ids: HashMap<&str, (List, usize)> = HashMap::new();
    let mut codes: HashMap<String, (List, usize, &str)> = HashMap::new();
    let no_codes: &[String] = &[];
    let rules = definition
        .ladders
        .iter()
        .enumerate()
        .map(|(i, r)| (List::Ladders, i, r.id.as_str(), no_codes))
        .chain(
            definition
                .coupons
                .iter()
                .enumerate()
                .map(|(i, r)| (List::Coupons, i, r.id.as_str(), r.codes.as_slice())),
        )
        .chain(
            definition
                .promotions
                .iter()
                .enumerate()
                .map(|(i, r)| (List::Promotions, i, r.id.as_str(), r.codes.as_slice())),
        )
        .chain(
            definition
                .earning
                .iter()
                .enumerate()
                .map(|(i, r)| (List::Earning, i, r.id.as_str(), no_codes)),
        )
        .chain(
            definition
                .bonuses
                .iter()
                .enumerate()
                .map(|(i, r)| (List::Bonuses, i, r.id.as_str(), no_codes)),
        )
        .chain(
            definition
                .cashback
                .iter()
                .enumerate()
                .map(|(i, r)| (List::Cashback, i, r.id.as_str(), no_codes)),
        );
    for (list, i, id, rule_codes) in rules {
        let path = format!("{}[{i}]", list.path());
        match ids.get(id) {
            Some(&first) if !together(first, (list, i)) => {
                errors.push(ProgramError::new(
                    format!("{path}.id"),
                    Problem::DuplicateId { id: id.to_owned() },
                ));
            }
            Some(_) => {}
            None => {
                ids.insert(id, (list, i));
            }
        }
        for (c, code) in rule_codes.iter().enumerate() {
            let normal = normalize_code(code);
            match codes.get(&normal) {
                Some(&(first_list, first, other)) if !together((first_list, first), (list, i)) => {
                    errors.push(ProgramError::new(
                        format!("{path}.codes[{c}]"),
                        Problem::DuplicateCode {
                            code: code.clone(),
                            other: other.to_owned(),
                        },
                    ));
                }
                Some(_) => {}
                None => {
                    codes.insert(normal, (list, i, id));
                }
            }
        }
    }
    errors
}

/// Warnings for the rules some readings left out and others kept: they
/// apply to orders in some currencies only.
pub(crate) fn partial(served: &[Currency], readings: &[&Reading]) -> Vec<Warning> {
    let gone = left_out(readings);
    let mut warnings = Vec::new();
    let mut seen: HashSet<(List, usize)> = HashSet::new();
    for reading in readings {
        for rule in &reading.unavailable {
            let key = (rule.list, rule.index);
            if !seen.insert(key) {
                continue;
            }
            let lacking: Vec<Currency> = gone
                .iter()
                .zip(served)
                .filter(|(g, _)| g.contains_key(&key))
                .map(|(_, c)| *c)
                .collect();
            if lacking.len() < readings.len() {
                warnings.push(Warning::new(
                    format!("{}[{}]", rule.list.path(), rule.index),
                    WarningKind::NotInEveryCurrency {
                        currencies: list(&lacking),
                        missing: rule.missing.clone(),
                    },
                ));
            }
        }
    }
    warnings
}
