//! The machine output of a policy evaluation (`gaoxin policy eval --format json|csv`): every
//! award line and every recipient's total, amounts to the fen. Kept with the engine because it
//! is half of a million-row run's time.

use std::io::Write;

use rust_decimal::Decimal;

use super::Outcome;

/// Appends `s` as a JSON string, exactly as serde_json writes it (only `"`, `\\` and control
/// characters are escaped), without serde_json for the usual string that needs no escaping.
pub fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        serde_json::to_writer(&mut *buf, s).expect("a string serialises");
    }
}

/// Appends `format!("{:.2}", amount)` (yuan to the fen) without the formatting machinery when
/// the amount has at most two decimals, which every rounded award line and total has.
pub fn push_yuan(buf: &mut Vec<u8>, amount: Decimal) {
    let scale = amount.scale();
    let fen = match scale {
        0..=2 => amount.mantissa().unsigned_abs().checked_mul(10u128.pow(2 - scale)),
        _ => None,
    };
    let Some(fen) = fen else {
        write!(buf, "{amount:.2}").expect("writing to a Vec");
        return;
    };
    if amount.is_sign_negative() {
        buf.push(b'-');
    }
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    // At least three digits: "0.05" is fen 5. In u64 when it fits: u128 division is a call.
    match u64::try_from(fen) {
        Ok(mut rest) => {
            while rest > 0 || digits.len() - at < 3 {
                at -= 1;
                digits[at] = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
        }
        Err(_) => {
            let mut rest = fen;
            while rest > 0 || digits.len() - at < 3 {
                at -= 1;
                digits[at] = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
        }
    }
    let whole = digits.len() - 2;
    buf.extend_from_slice(&digits[at..whole]);
    buf.push(b'.');
    buf.extend_from_slice(&digits[whole..]);
}

/// Writes the outcome to `out`, as JSON or as CSV. Built by hand in a byte buffer handed on a
/// megabyte at a time: serde_json::Value, or `write!` with an escaped copy of every string, cost
/// half of a million-line run.
pub fn write(outcome: &Outcome, json: bool, mut out: impl Write) -> std::io::Result<()> {
    const CHUNK: usize = 1 << 20;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 4096);
    let mut flush = |buf: &mut Vec<u8>, force: bool| -> std::io::Result<()> {
        if force || buf.len() >= CHUNK {
            out.write_all(buf)?;
            buf.clear();
        }
        Ok(())
    };
    match json {
        true => {
            // Per award: `, "policy": "…", "award": "…", "amount": "` once.
            let middles: Vec<Vec<u8>> = outcome
                .award_ids()
                .iter()
                .map(|(policy, award)| {
                    let mut m = b", \"policy\": ".to_vec();
                    push_json_str(&mut m, policy);
                    m.extend_from_slice(b", \"award\": ");
                    push_json_str(&mut m, award);
                    m.extend_from_slice(b", \"amount\": \"");
                    m
                })
                .collect();
            buf.extend_from_slice(b"{\"awards\": [");
            for (i, (enterprise, award, amount)) in outcome.line_parts().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                buf.extend_from_slice(b"\n  {\"enterprise\": ");
                push_json_str(&mut buf, enterprise);
                buf.extend_from_slice(&middles[award]);
                push_yuan(&mut buf, amount);
                buf.extend_from_slice(b"\"}");
                flush(&mut buf, false)?;
            }
            buf.extend_from_slice(b"\n], \"totals\": [");
            for (i, (e, a)) in outcome.totals.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                buf.extend_from_slice(b"\n  {\"enterprise\": ");
                push_json_str(&mut buf, e);
                buf.extend_from_slice(b", \"amount\": \"");
                push_yuan(&mut buf, *a);
                buf.extend_from_slice(b"\"}");
                flush(&mut buf, false)?;
            }
            buf.extend_from_slice(b"\n]}\n");
        }
        false => {
            let middles: Vec<Vec<u8>> = outcome
                .award_ids()
                .iter()
                .map(|(policy, award)| format!(",{policy},{award},").into_bytes())
                .collect();
            buf.extend_from_slice(b"enterprise,policy,award,amount\n");
            for (enterprise, award, amount) in outcome.line_parts() {
                buf.extend_from_slice(enterprise.as_bytes());
                buf.extend_from_slice(&middles[award]);
                push_yuan(&mut buf, amount);
                buf.push(b'\n');
                flush(&mut buf, false)?;
            }
        }
    }
    flush(&mut buf, true)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn yuan_and_json_strings_are_written_as_format_and_serde_json_write_them() {
        for raw in [
            "0",
            "0.00",
            "0.05",
            "1.5",
            "100000",
            "216.06",
            "-3.2",
            "12345678901234567890.12",
            "1.005",
            "0.001",
        ] {
            let d = Decimal::from_str(raw).unwrap();
            let mut buf = Vec::new();
            push_yuan(&mut buf, d);
            assert_eq!(String::from_utf8(buf).unwrap(), format!("{d:.2}"), "{raw}");
        }
        let mut buf = Vec::new();
        push_yuan(&mut buf, -Decimal::ZERO);
        assert_eq!(String::from_utf8(buf).unwrap(), format!("{:.2}", -Decimal::ZERO));
        for s in ["E00001", "企业\"甲\"", "a\\b", "tab\there", "\u{1}"] {
            let mut buf = Vec::new();
            push_json_str(&mut buf, s);
            assert_eq!(String::from_utf8(buf).unwrap(), serde_json::to_string(s).unwrap());
        }
    }
}
