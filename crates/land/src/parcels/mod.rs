//! Parcels (地块) with the enterprises on them, and 标准地 contracts with their checks: queries
//! (always within one zone) and audited writes. Also the parcel groups the evaluation reads:
//! enterprises that share a parcel (directly or through another shared parcel) form one group
//! with the parcels' total area. Every item is reachable as `parcels::…`; the files say what
//! each part serves.

mod contracts;
mod groups;
mod import;
mod register;

pub use contracts::*;
pub use groups::*;
pub use import::*;
pub use register::*;

use rust_decimal::Decimal;

use gaoxin_platform::error::AppError;

/// Ten-thousandths → a decimal.
pub fn ten_thousandths(raw: i64) -> Decimal {
    Decimal::new(raw, 4)
}

/// A decimal written by staff, at most 4 decimals, not negative; None when blank.
pub fn parse_amount(raw: &str, field: &'static str, what: &str) -> Result<Option<i64>, AppError> {
    use rust_decimal::prelude::ToPrimitive;
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let d: Decimal = raw
        .replace(',', "")
        .parse()
        .map_err(|_| AppError::field(field, format!("{what}“{raw}”不是数字")))?;
    if d.is_sign_negative() {
        return Err(AppError::field(field, format!("{what}不能为负数")));
    }
    if d.normalize().scale() > 4 {
        return Err(AppError::field(field, format!("{what}最多 4 位小数")));
    }
    (d * Decimal::from(10_000))
        .to_i64()
        .map(Some)
        .ok_or_else(|| AppError::field(field, format!("{what}过大")))
}
