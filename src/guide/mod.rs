//! Guides: longer walks through the crate than the items' own docs.
//!
//! - [`platforms`]: coming from another platform (Solidus, Saleor, Medusa,
//!   Sylius, Odoo, Shopify, Open Loyalty): each one's common promotion
//!   kinds written as a `loyalty` program, with the platform's rounding and
//!   remainder conventions named.

#[doc = include_str!("platforms.md")]
pub mod platforms {}
