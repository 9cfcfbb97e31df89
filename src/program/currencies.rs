//! A program in several currencies: read once per currency it serves.
//!
//! Each reading is a program of one currency: its amounts the plain
//! amounts for that currency, and without the rules that have no amount
//! there ([`Unavailable`], traced as `currency_mismatch` when an order in
//! that currency is evaluated). An amount of the whole program (the
//! stacking cap) must be given in every currency; points or cashback
//! without a redemption value in a currency are not spent there.

use std::collections::HashSet;

use crate::error::{Problem, ProgramError, Warning, WarningKind};
use crate::money::Currency;
use crate::rules::coupon::normalize_code;
use crate::rules::currency::{Reader, list};

use super::ProgramDefinition;

/// A list of rules of a program, as paths name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
}

impl Reading {
    /// `path` of the reading (its lists without the rules left out) as a
    /// path of the program as written.
    pub(crate) fn written_path(&self, path: &str) -> String {
        // The longest list path first: `multipliers.campaigns` is not
        // `cashback`, but `coupons` must not match `coupons_…`.
        for list in List::ALL {
            let name = list.path();
            let Some(rest) = path.strip_prefix(name).and_then(|r| r.strip_prefix('[')) else {
                continue;
            };
            let Some((index, tail)) = rest.split_once(']') else {
                continue;
            };
            let Ok(index) = index.parse::<usize>() else {
                continue;
            };
            // The index-th rule kept is the written rule whose index, less
            // the rules of the list left out before it, is `index`.
            let mut written = index;
            for gone in self.unavailable.iter().filter(|u| u.list == list) {
                if gone.index <= written {
                    written += 1;
                }
            }
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
    let mut gone = |r: &mut Reader<'_>, list: List, index: usize, id: &str, codes: &[String]| {
        let missing = r.take_missing()?;
        unavailable.push(Unavailable {
            list,
            index,
            id: id.to_owned(),
            codes: codes.iter().map(|c| normalize_code(c)).collect(),
            missing,
        });
        Some(())
    };
    let mut index = 0;
    def.ladders.retain_mut(|rule| {
        let path = format!("ladders[{index}]");
        rule.read_amounts(&mut r, &path);
        index += 1;
        gone(&mut r, List::Ladders, index - 1, &rule.id, &[]).is_none()
    });
    for (list, rules) in [
        (List::Coupons, &mut def.coupons),
        (List::Promotions, &mut def.promotions),
    ] {
        let mut index = 0;
        rules.retain_mut(|rule| {
            let path = format!("{}[{index}]", list.path());
            rule.read_amounts(&mut r, &path);
            index += 1;
            gone(&mut r, list, index - 1, &rule.id, &rule.codes).is_none()
        });
    }
    let mut index = 0;
    def.earning.retain_mut(|rule| {
        let path = format!("earning[{index}]");
        rule.read_amounts(&mut r, &path);
        index += 1;
        gone(&mut r, List::Earning, index - 1, &rule.id, &[]).is_none()
    });
    let mut index = 0;
    def.bonuses.retain_mut(|rule| {
        let path = format!("bonuses[{index}]");
        rule.read_amounts(&mut r, &path);
        index += 1;
        gone(&mut r, List::Bonuses, index - 1, &rule.id, &[]).is_none()
    });
    let mut index = 0;
    def.multipliers.campaigns.retain_mut(|rule| {
        let path = format!("multipliers.campaigns[{index}]");
        rule.read_amounts(&mut r, &path);
        index += 1;
        gone(&mut r, List::Campaigns, index - 1, &rule.id, &[]).is_none()
    });
    let mut index = 0;
    def.cashback.retain_mut(|rule| {
        let path = format!("cashback[{index}]");
        rule.read_amounts(&mut r, &path);
        index += 1;
        gone(&mut r, List::Cashback, index - 1, &rule.id, &[]).is_none()
    });
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
    Ok(Reading {
        definition: def,
        unavailable,
        warnings,
    })
}

fn not_spent(missing: String, currency: Currency, what: &'static str) -> Warning {
    Warning::new(
        missing.clone(),
        WarningKind::NotSpentInCurrency { what, currency },
    )
}

/// Rules that apply in no currency, and ids or codes used twice among the
/// rules some reading left out (a reading checks those it keeps).
pub(crate) fn check_across(
    definition: &ProgramDefinition,
    served: &[Currency],
    readings: &[&Reading],
) -> Vec<ProgramError> {
    let mut errors = Vec::new();
    // A rule left out of every reading applies nowhere.
    if let Some(first) = readings.first() {
        for gone in &first.unavailable {
            let everywhere: Vec<(Currency, &str)> = readings
                .iter()
                .zip(served)
                .filter_map(|(reading, currency)| {
                    reading
                        .unavailable
                        .iter()
                        .find(|u| u.list == gone.list && u.index == gone.index)
                        .map(|u| (*currency, u.missing.as_str()))
                })
                .collect();
            if everywhere.len() == readings.len() {
                let missing = everywhere
                    .iter()
                    .map(|(c, path)| format!("{c} has none at {path}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                errors.push(ProgramError::new(
                    format!("{}[{}]", gone.list.path(), gone.index),
                    Problem::NoCommonCurrency { missing },
                ));
            }
        }
    }
    if readings.iter().all(|r| r.unavailable.is_empty()) {
        return errors;
    }
    // Ids and codes across every rule as written.
    let mut ids: HashSet<&str> = HashSet::new();
    let mut codes: HashSet<String> = HashSet::new();
    // Each list's rules: their ids and codes.
    type Rules<'d> = Vec<(&'d str, &'d [String])>;
    let lists: [(List, Rules<'_>); 7] = [
        (
            List::Ladders,
            definition
                .ladders
                .iter()
                .map(|r| (r.id.as_str(), &[][..]))
                .collect(),
        ),
        (
            List::Coupons,
            definition
                .coupons
                .iter()
                .map(|r| (r.id.as_str(), r.codes.as_slice()))
                .collect(),
        ),
        (
            List::Promotions,
            definition
                .promotions
                .iter()
                .map(|r| (r.id.as_str(), r.codes.as_slice()))
                .collect(),
        ),
        (
            List::Earning,
            definition
                .earning
                .iter()
                .map(|r| (r.id.as_str(), &[][..]))
                .collect(),
        ),
        (
            List::Bonuses,
            definition
                .bonuses
                .iter()
                .map(|r| (r.id.as_str(), &[][..]))
                .collect(),
        ),
        (List::Campaigns, Vec::new()),
        (
            List::Cashback,
            definition
                .cashback
                .iter()
                .map(|r| (r.id.as_str(), &[][..]))
                .collect(),
        ),
    ];
    for (list, rules) in &lists {
        for (i, (id, rule_codes)) in rules.iter().enumerate() {
            let path = format!("{}[{i}]", list.path());
            if !ids.insert(id) {
                errors.push(ProgramError::new(
                    format!("{path}.id"),
                    Problem::DuplicateId {
                        id: (*id).to_owned(),
                    },
                ));
            }
            for (c, code) in rule_codes.iter().enumerate() {
                if !codes.insert(normalize_code(code)) {
                    errors.push(ProgramError::new(
                        format!("{path}.codes[{c}]"),
                        Problem::DuplicateCode {
                            code: code.clone(),
                            other: other_with(definition, code, id),
                        },
                    ));
                }
            }
        }
    }
    errors
}

/// The id of the first rule other than `id` with `code`.
fn other_with(definition: &ProgramDefinition, code: &str, id: &str) -> String {
    let code = normalize_code(code);
    definition
        .coupons
        .iter()
        .chain(&definition.promotions)
        .find(|r| r.id != id && r.codes.iter().any(|c| normalize_code(c) == code))
        .map_or_else(String::new, |r| r.id.clone())
}

/// Warnings for the rules some readings left out and others kept: they
/// apply to orders in some currencies only.
pub(crate) fn partial(served: &[Currency], readings: &[&Reading]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut seen: Vec<(List, usize)> = Vec::new();
    for reading in readings {
        for gone in &reading.unavailable {
            if seen.contains(&(gone.list, gone.index)) {
                continue;
            }
            seen.push((gone.list, gone.index));
            let lacking: Vec<Currency> = readings
                .iter()
                .zip(served)
                .filter(|(r, _)| {
                    r.unavailable
                        .iter()
                        .any(|u| u.list == gone.list && u.index == gone.index)
                })
                .map(|(_, c)| *c)
                .collect();
            if lacking.len() < readings.len() {
                warnings.push(Warning::new(
                    format!("{}[{}]", gone.list.path(), gone.index),
                    WarningKind::NotInEveryCurrency {
                        currencies: list(&lacking),
                        missing: gone.missing.clone(),
                    },
                ));
            }
        }
    }
    warnings
}
