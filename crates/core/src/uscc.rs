//! 统一社会信用代码 (unified social credit code, "USCC") per GB 32100-2015.
//!
//! 18 characters from `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, Z, S, V); the 18th is a
//! check character: (31 − Σ value·weight mod 31) mod 31 with weights 3^(i−1) mod 31.
//! The first character is the registering authority (9 工商, 5 民政, 1 机构编制, N 农业, Y 其他…),
//! so letters there are legitimate.

pub const USCC_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn value_of(c: char) -> Option<u32> {
    USCC_CHARSET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters, or None if one of them is not allowed.
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value_of(c)? * w;
        count += 1;
    }
    if count != 17 || first17.chars().count() != 17 {
        return None;
    }
    let check = (31 - sum % 31) % 31;
    USCC_CHARSET.chars().nth(check as usize)
}

/// Verifies a code; returns it normalised (trimmed, upper case) or the reason in Chinese.
pub fn verify_uscc(raw: &str) -> Result<String, String> {
    let code: String = raw.trim().to_uppercase();
    let len = code.chars().count();
    if len != 18 {
        return Err(format!("统一社会信用代码应为 18 位，实际为 {len} 位"));
    }
    for (i, c) in code.chars().enumerate() {
        if value_of(c).is_none() {
            return Err(format!(
                "第 {} 位字符“{c}”不合法（只允许数字和除 I、O、Z、S、V 以外的大写字母）",
                i + 1
            ));
        }
    }
    let expected = check_char(&code[..17]).expect("17 valid characters");
    let actual = code.chars().nth(17).expect("18 characters");
    if expected != actual {
        return Err(format!("校验位错误：第 18 位应为“{expected}”，实际为“{actual}”"));
    }
    Ok(code)
}

/// Completes 17 characters with their check character (for generated demo data).
pub fn with_check_char(first17: &str) -> Option<String> {
    check_char(first17).map(|c| format!("{first17}{c}"))
}

/// The `n`-th of a series of distinct valid codes (`91410700MA` + 7 characters + check), for
/// generated files and tests.
pub fn numbered_uscc(n: usize) -> String {
    let body = USCC_CHARSET.as_bytes();
    let mut first17 = String::from("91410700MA");
    let mut k = n;
    for _ in 0..7 {
        first17.push(body[k % body.len()] as char);
        k /= body.len();
    }
    with_check_char(&first17).expect("built from the allowed characters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_codes_verify() {
        // Codes printed on public business licences (华为技术, 深圳市腾讯计算机系统, 阿里巴巴(中国), 北京小米科技).
        for code in [
            "914403001922038216",
            "91440300708461136T",
            "91330100799655058B",
            "91110108551385082Q",
        ] {
            assert_eq!(verify_uscc(code), Ok(code.to_string()));
            assert_eq!(with_check_char(&code[..17]).as_deref(), Some(code));
        }
    }

    #[test]
    fn letters_in_the_authority_position_are_legitimate() {
        let code = with_check_char("N2410700MA00000A1").unwrap();
        assert!(verify_uscc(&code).is_ok(), "{code}");
        let code = with_check_char("Y1410700MA00000B2").unwrap();
        assert!(verify_uscc(&code).is_ok(), "{code}");
    }

    #[test]
    fn wrong_codes_say_why() {
        assert!(verify_uscc("9144030019").unwrap_err().contains("实际为 10 位"));
        assert!(
            verify_uscc("914403007084611I6T")
                .unwrap_err()
                .contains("第 16 位字符“I”")
        );
        let err = verify_uscc("914403001922038217").unwrap_err();
        assert!(err.contains("校验位错误") && err.contains("应为“6”"), "{err}");
        assert_eq!(verify_uscc(" 91440300708461136t ").unwrap(), "91440300708461136T");
    }
}
