//! The integration tests, one module per capability, as one test crate (one
//! link, one binary). Shared builders, strategies and invariants live in
//! [`util`].

mod util;

mod accrual_properties;
mod accrual_scenarios;
mod adversarial_wallet;
mod conditions;
mod currencies;
mod earning_conventions;
mod evaluation_api;
mod evaluation_properties;
mod evaluation_scenarios;
mod inputs;
mod insight;
mod limits;
mod line_rewards;
mod money;
mod nudges;
mod orders;
mod program;
mod program_api;
mod promotion_inputs;
mod promotions;
mod properties;
mod redemption;
mod returns;
mod rounding_scopes;
mod segments_nudges;
mod shipping_discounts;
mod simulate;
mod tier_benefits;
mod tiers;
mod wallet_flow;
mod wallet_ledger;
