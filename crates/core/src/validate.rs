//! Field validation shared by every domain module: pure functions that say, in Chinese,
//! which field is wrong and why. No web framework, no database.

/// A value that failed validation: the field it came from and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}：{}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// A required single-line text: trimmed, not empty, at most `max_chars` characters (Chinese
/// characters count as one), no control characters.
pub fn required_text(field: &str, label: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, format!("{label}不能为空")));
    }
    optional_text(field, label, value, max_chars).map(|v| v.unwrap_or_default())
}

/// An optional single-line text: empty becomes None.
pub fn optional_text(field: &str, label: &str, value: &str, max_chars: usize) -> Result<Option<String>, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let chars = value.chars().count();
    if chars > max_chars {
        return Err(FieldError::new(
            field,
            format!("{label}过长：最多 {max_chars} 个字符，实际 {chars} 个"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, format!("{label}含有不可见的控制字符")));
    }
    Ok(Some(value.to_string()))
}

/// A telephone number as zones write them: digits, spaces, `-`, `+`, parentheses, 5–30 long.
pub fn phone(field: &str, value: &str) -> Result<Option<String>, FieldError> {
    let Some(value) = optional_text(field, "联系电话", value, 30)? else {
        return Ok(None);
    };
    let ok = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')' | '（' | '）' | '转'))
        && value.chars().filter(char::is_ascii_digit).count() >= 5;
    if ok {
        Ok(Some(value))
    } else {
        Err(FieldError::new(field, format!("联系电话格式不正确：{value}")))
    }
}

/// A user name: 3–64 characters of letters, digits, `.`, `_`, `-`.
pub fn username(value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    let ok = (3..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(value.to_string())
    } else {
        Err(FieldError::new("username", "用户名须为 3–64 位英文字母、数字或 . _ -"))
    }
}

/// A password: 8–128 characters, not one character repeated.
pub fn password(field: &str, value: &str) -> Result<(), FieldError> {
    let chars = value.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(field, format!("密码至少 {MIN_PASSWORD_CHARS} 位")));
    }
    if chars > 128 {
        return Err(FieldError::new(field, "密码最多 128 位"));
    }
    let mut distinct: Vec<char> = value.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err(FieldError::new(field, "密码过于简单：至少要有 4 个不同的字符"));
    }
    let lower = value.to_lowercase();
    if is_common_password(&lower) {
        return Err(FieldError::new(field, "这是常见密码，很容易被猜中，请换一个"));
    }
    Ok(())
}

/// Passwords are at least this long (issue 17, finding 10).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// The list shipped with the binary (`data/common-passwords.txt`), and any run of ascending or
/// descending characters (`abcdefghijk`, `9876543210`).
fn is_common_password(lower: &str) -> bool {
    const LIST: &str = include_str!("../../../data/common-passwords.txt");
    let codes: Vec<u32> = lower.chars().map(u32::from).collect();
    let run = |step: i64| codes.windows(2).all(|w| i64::from(w[1]) - i64::from(w[0]) == step);
    run(1) || run(-1) || LIST.lines().any(|l| !l.starts_with('#') && l.trim() == lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_length_counts_characters_not_bytes() {
        assert_eq!(required_text("name", "名称", "  科学技术局 ", 5).unwrap(), "科学技术局");
        let err = required_text("name", "名称", "科学技术局局", 5).unwrap_err();
        assert_eq!(err.field, "name");
        assert!(err.message.contains("最多 5 个字符"), "{}", err.message);
        assert!(
            required_text("name", "名称", "   ", 5)
                .unwrap_err()
                .message
                .contains("不能为空")
        );
        assert!(optional_text("x", "X", "a\u{7}b", 10).is_err());
        assert_eq!(optional_text("x", "X", "", 10).unwrap(), None);
    }

    #[test]
    fn phones_usernames_and_passwords() {
        assert_eq!(
            phone("phone", "0510-86861234").unwrap().as_deref(),
            Some("0510-86861234")
        );
        assert!(phone("phone", "电话号码").is_err());
        assert_eq!(phone("phone", "").unwrap(), None);
        assert!(username("keji").is_ok());
        assert!(username("科技").is_err());
        assert!(username("ab").is_err());
        assert!(password("password", "zone-clerk-7").is_ok());
        assert!(password("password", "demo1234").is_err(), "shorter than 10");
        assert!(password("password", "short").is_err());
        assert!(password("password", "aaaaaaaaaa").is_err());
        assert!(password("password", "abab1abab1").is_err(), "three distinct characters");
        for common in [
            "1234567890",
            "QWERTYUIOP",
            "woaini1314",
            "Password123",
            "abcdefghijkl",
            "9876543210",
        ] {
            let err = password("password", common).unwrap_err();
            assert!(err.message.contains("常见密码"), "{common}: {}", err.message);
        }
    }
}
