//! Insight: what a customer's history says about them, for the shop's
//! retention work.
//!
//! - [`profile`]: a customer's [`Profile`](profile::Profile) from their
//!   orders and returns: orders counted, first and last, average order
//!   value, days between orders (mean and median), spend in the last N
//!   days, favourite categories, and how often each product is bought
//!   again.
//! - [`rfm`]: recency, frequency and monetary scores 1–5 by quantiles over
//!   the whole base, and the named segments (champions, at risk, lost…)
//!   by the program's segment table
//!   ([`RfmBase::segment_with`](rfm::RfmBase::segment_with)), as
//!   [`Segment`](crate::customer::Segment) ids a
//!   [`Customer`](crate::customer::Customer) can carry into `segment_in`
//!   conditions and coupons for segments.
//! - [`nudges`]: the messages a customer could be sent at an instant
//!   (refill due, points expiring, next tier or ladder step within reach,
//!   milestone order, win-back, birthday, thank-you), each with its data
//!   and a suggested send instant, by the program's nudge settings
//!   ([`Program::nudges`](crate::program::Program::nudges)).
//!
//! The segment table and the nudge settings are program data
//! ([`rules::segment`](crate::rules::segment),
//! [`rules::nudge`](crate::rules::nudge)), checked by
//! [`Program::new`](crate::program::Program::new); the functions that take
//! them explicitly ([`RfmBase::segment`](rfm::RfmBase::segment),
//! [`NudgeRules::nudges`](nudges::NudgeRules::nudges)) try rules without a
//! program.
//! - [`simulate`]: a program run over a history of orders, carrying each
//!   customer's state (order count, tier, wallet) from order to order,
//!   customers paying with their points and cashback as the history asks,
//!   summed by local month into a
//!   [`SimulationReport`](simulate::SimulationReport) that merges across
//!   disjoint sets of customers.
//!
//! Like the rest of the crate it reads no clock: the instant is an
//! argument, and days are local days in the zone given (the program's,
//! through [`Program::profile`](crate::program::Program::profile)).
//!
//! # Example: from histories to segments
//!
//! ```
//! use loyalty::customer::Customer;
//! use loyalty::insight::profile::{OrderRecord, RecordLine, ReturnRecord};
//! use loyalty::insight::rfm::{RfmBase, RfmFigures, SegmentRules};
//! use loyalty::prelude::*;
//!
//! let program = Program::new(serde_json::from_str::<ProgramDefinition>(
//!     r#"{"id": "shop", "currency": "EUR", "time_zone": "Europe/Lisbon"}"#,
//! )?)?;
//! let order = |id: &str, customer: &str, at: &str, net: &str| {
//!     OrderRecord::new(id, customer, at.parse().unwrap(), Currency::EUR).unwrap()
//!         .line(RecordLine::new("1", "TEA", 1, net.parse().unwrap()).unwrap())
//! };
//! let at = "2026-06-30T12:00:00Z".parse()?;
//! let histories = [
//!     ("C-1", vec![order("A-1", "C-1", "2026-06-01T10:00:00Z", "40.00"),
//!                  order("A-2", "C-1", "2026-06-20T10:00:00Z", "60.00")]),
//!     ("C-2", vec![order("B-1", "C-2", "2026-01-10T10:00:00Z", "15.00")]),
//! ];
//! // B-1 came back whole: C-2 has no order left, and no recency to rank.
//! let returns = [ReturnRecord::new("B-1", "2026-01-12T10:00:00Z".parse()?, Currency::EUR)?
//!     .line("1", 1, "15.00".parse()?)?];
//! let mut figures = Vec::new();
//! for (customer, orders) in &histories {
//!     let mine: Vec<_> = returns.iter().filter(|r| orders.iter().any(|o| o.order == r.order))
//!         .cloned().collect();
//!     let profile = program.profile(&customer.parse()?, orders, &mine, at, 90)?;
//!     figures.extend(RfmFigures::from_profile(&profile));
//! }
//! assert_eq!(figures.len(), 1);
//! let scored = RfmBase::new(&figures)?.segment(&SegmentRules::default());
//! let customer = Customer::new("C-1")?.with_segment(scored[0].segment.as_deref().unwrap_or("none"))?;
//! assert!(customer.in_segment("lost")); // alone in its base: every score is 1
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod nudges;
pub mod profile;
pub mod rfm;
pub mod simulate;
