//! Rules for zone codes and names.

use gaoxin_core::validate::{FieldError, required_text};

/// A zone code: 2–32 lower-case letters, digits or `-` (used in URLs, headers and the CLI).
pub fn code(value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    let ok = (2..=32).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(value.to_string())
    } else {
        Err(FieldError::new(
            "code",
            format!("开发区代码须为 2–32 位小写字母、数字或 -：{value}"),
        ))
    }
}

pub fn name(value: &str) -> Result<String, FieldError> {
    required_text("name", "开发区名称", value, 100)
}

#[cfg(test)]
mod tests {
    #[test]
    fn zone_codes_are_short_lowercase_slugs() {
        assert_eq!(super::code("jiangyin").unwrap(), "jiangyin");
        assert!(super::code("江阴").is_err());
        assert!(super::code("A").is_err());
        assert!(super::name("").is_err());
    }
}
