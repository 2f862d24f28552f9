//! Exact quantities: money in 万元, land in 亩, energy in 吨标准煤, emissions in 吨.
//!
//! A quantity is an integer count of 10^-SCALE units of its display unit, stored as BIGINT:
//! 万元 with scale 6 is a count of fen (1 万元 = 1,000,000 fen), so money is exact to the fen;
//! 亩 with scale 4, tonnes with scale 3. Never f32/f64. Pure: no web framework, no database.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

/// An exact decimal quantity with `SCALE` decimal places, as an integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fixed<const SCALE: u32>(pub i64);

/// Money in 万元 (the raw integer is fen).
pub type Wan = Fixed<6>;
/// Land in 亩 (1 亩 = 666.67 m²), to 1/10,000 亩.
pub type Mu = Fixed<4>;
/// Mass in 吨 (energy in 吨标准煤, emissions in 吨), to the kilogram.
pub type Tonnes = Fixed<3>;
/// 万千瓦时 to the kWh.
pub type WanKwh = Fixed<4>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuantityError {
    NotANumber(String),
    TooManyDecimals { scale: u32 },
    TooLarge,
    Negative,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::NotANumber(text) => write!(f, "“{text}”不是数字"),
            QuantityError::TooManyDecimals { scale: 6 } => f.write_str("最多 6 位小数（万元精确到分）"),
            QuantityError::TooManyDecimals { scale } => write!(f, "最多 {scale} 位小数"),
            QuantityError::TooLarge => f.write_str("数值过大"),
            QuantityError::Negative => f.write_str("不能为负数"),
        }
    }
}

impl std::error::Error for QuantityError {}

impl<const SCALE: u32> Fixed<SCALE> {
    pub const ZERO: Fixed<SCALE> = Fixed(0);

    /// From an exact decimal; refuses more decimals than the scale keeps.
    pub fn from_decimal(value: Decimal) -> Result<Self, QuantityError> {
        let value = value.normalize();
        if value.scale() > SCALE {
            return Err(QuantityError::TooManyDecimals { scale: SCALE });
        }
        let raw = value
            .checked_mul(Decimal::from(10i64.pow(SCALE)))
            .ok_or(QuantityError::TooLarge)?;
        i64::try_from(raw.trunc())
            .map(Fixed)
            .map_err(|_| QuantityError::TooLarge)
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, SCALE)
    }

    /// Parses what people type or spreadsheets hold: thousands separators, full-width digits,
    /// surrounding spaces; `-` alone or nothing is not a number (the caller decides whether
    /// empty means unknown).
    pub fn parse(text: &str) -> Result<Self, QuantityError> {
        let cleaned: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{a0}'))
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '．' => '.',
                '－' => '-',
                other => other,
            })
            .collect();
        let value = Decimal::from_str(&cleaned)
            .or_else(|_| Decimal::from_scientific(&cleaned))
            .map_err(|_| QuantityError::NotANumber(text.trim().to_string()))?;
        Self::from_decimal(value)
    }

    /// Like [`Fixed::parse`], refusing negative values.
    pub fn parse_non_negative(text: &str) -> Result<Self, QuantityError> {
        let value = Self::parse(text)?;
        if value.0 < 0 {
            Err(QuantityError::Negative)
        } else {
            Ok(value)
        }
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl<const SCALE: u32> fmt::Display for Fixed<SCALE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_decimal().normalize())
    }
}

/// Turns an Excel number (an f64 as spreadsheets store it) into an exact decimal: the
/// shortest decimal that reads back as the same f64, which is what the user typed.
pub fn decimal_from_spreadsheet(value: f64) -> Option<Decimal> {
    if !value.is_finite() {
        return None;
    }
    Decimal::from_str(&format!("{value}"))
        .ok()
        .or_else(|| Decimal::from_scientific(&format!("{value:e}")).ok())
}

/// A figure as Chinese reports print it: rounded half away from zero (四舍五入) to `decimals`
/// places, exactly that many shown, thousands separated — `2889.22525` → `2,889.23` (万元 to two
/// decimals, percentages to one).
pub fn shown(value: Decimal, decimals: u32) -> String {
    let mut rounded = value.round_dp_with_strategy(decimals, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(decimals);
    let text = rounded.to_string();
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wan_yuan_is_exact_to_the_fen() {
        let v = Wan::parse("1,234.56").unwrap();
        assert_eq!(v.0, 1_234_560_000);
        assert_eq!(v.to_string(), "1234.56");
        assert_eq!(Wan::parse("0.000001").unwrap().0, 1);
        assert_eq!(
            Wan::parse("0.0000001").unwrap_err().to_string(),
            "最多 6 位小数（万元精确到分）"
        );
        // 0.1 + 0.2 is 0.3 here.
        let sum: Wan = Fixed(Wan::parse("0.1").unwrap().0 + Wan::parse("0.2").unwrap().0);
        assert_eq!(sum, Wan::parse("0.3").unwrap());
    }

    #[test]
    fn what_people_type_is_understood() {
        assert_eq!(Mu::parse(" ３５．６ ").unwrap().to_string(), "35.6");
        assert_eq!(Mu::parse("1，200").unwrap().to_string(), "1200");
        assert_eq!(Tonnes::parse("1.5e3").unwrap().to_string(), "1500");
        assert!(matches!(Mu::parse("三十亩"), Err(QuantityError::NotANumber(_))));
        assert_eq!(Mu::parse_non_negative("-1"), Err(QuantityError::Negative));
        assert_eq!(Wan::parse("99999999999999999999"), Err(QuantityError::TooLarge));
    }

    #[test]
    fn spreadsheet_numbers_read_as_typed() {
        assert_eq!(decimal_from_spreadsheet(0.1).unwrap().to_string(), "0.1");
        assert_eq!(decimal_from_spreadsheet(1234.56).unwrap().to_string(), "1234.56");
        assert_eq!(
            decimal_from_spreadsheet(1e21).unwrap(),
            Decimal::from_str("1000000000000000000000").unwrap()
        );
        assert_eq!(decimal_from_spreadsheet(f64::NAN), None);
    }

    #[test]
    fn figures_are_shown_as_reports_print_them() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(shown(d("2889.22525"), 2), "2,889.23");
        assert_eq!(shown(d("13000"), 2), "13,000.00");
        assert_eq!(shown(d("0.125"), 2), "0.13", "half away from zero, not to even");
        assert_eq!(shown(d("-1234567.5"), 1), "-1,234,567.5");
        assert_eq!(shown(d("58.25"), 1), "58.3");
        assert_eq!(shown(d("999.995"), 2), "1,000.00");
    }
}
