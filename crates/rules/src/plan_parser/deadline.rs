//! Deadlines as written (`全年`, `6月底前`, `2023年12月31日`, `持续推进`) and the date each
//! one means, where it is a date.

use chrono::NaiveDate;

const OPEN_ENDED: &[&str] = &[
    "全年",
    "持续推进",
    "长期坚持",
    "长期推进",
    "长期",
    "持续",
    "常态化",
    "年内",
    "每年",
    "每月",
    "每季度",
    "按年度",
    "逐年推进",
    "持续开展",
    "持续实施",
];

/// Whether a clause of an annotation is a deadline rather than departments.
pub fn is_deadline_phrase(clause: &str) -> bool {
    let c = clause.trim();
    if OPEN_ENDED
        .iter()
        .any(|w| c == *w || c.starts_with(w) && c.chars().count() <= 8)
    {
        return true;
    }
    let has_time =
        c.contains('年') || c.contains('月') || c.contains("季度") || c.contains("上半年") || c.contains("下半年");
    let dated = c.chars().any(|ch| ch.is_ascii_digit())
        || c.contains("年底")
        || c.contains("月底")
        || c.contains("季度")
        || c.contains("半年");
    has_time && dated && c.chars().count() <= 24 && !c.contains("负责") && !c.contains("牵头")
}

/// The deadline without a trailing `完成`/`前完成` verb: `2023年6月底前完成` → `2023年6月底前`.
pub fn trim_phrase(clause: &str) -> &str {
    let c = clause.trim();
    for suffix in ["基本完成", "全面完成", "完成"] {
        if let Some(rest) = c.strip_suffix(suffix)
            && !rest.is_empty()
        {
            return rest;
        }
    }
    c
}

fn cn_number(s: &str) -> Option<u32> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|i| (i / 3) as u32)
            .or(if c == '〇' { Some(0) } else { None })
    };
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    if let Some((tens, ones)) = s.split_once('十') {
        let t = if tens.is_empty() {
            1
        } else {
            digit(tens.chars().next()?)?
        };
        let o = if ones.is_empty() {
            0
        } else {
            digit(ones.chars().next()?)?
        };
        return Some(t * 10 + o);
    }
    let mut n = 0;
    for c in s.chars() {
        n = n * 10 + digit(c)?;
    }
    Some(n)
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// The date a deadline means: a day, the end of a month, quarter, half or year. A month or
/// 年底 without a year takes the plan's year. `全年`, `持续推进` and the like have none.
pub fn due_date(deadline: &str, plan_year: Option<i32>) -> Option<NaiveDate> {
    let text: String = deadline
        .chars()
        .map(|c| {
            if ('０'..='９').contains(&c) {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect();
    if OPEN_ENDED.iter().any(|w| text.trim() == *w) {
        return None;
    }
    // The last date written is the deadline (`2023年3月启动，6月底前完成`).
    let chars: Vec<char> = text.chars().collect();
    let mut year: Option<i32> = None;
    let mut best: Option<NaiveDate> = None;
    let mut i = 0;
    let number_at = |i: usize| -> (String, usize) {
        let mut j = i;
        while j < chars.len() && (chars[j].is_ascii_digit() || "零一二三四五六七八九十〇".contains(chars[j]))
        {
            j += 1;
        }
        (chars[i..j].iter().collect(), j)
    };
    while i < chars.len() {
        let (num, j) = number_at(i);
        if num.is_empty() {
            let rest: String = chars[i..].iter().collect();
            let y = year.or(plan_year);
            if rest.starts_with("年底") || rest.starts_with("年末") || rest.starts_with("下半年") {
                best = y.and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31)).or(best);
            } else if rest.starts_with("上半年") {
                best = y.and_then(|y| NaiveDate::from_ymd_opt(y, 6, 30)).or(best);
            }
            i += 1;
            continue;
        }
        let unit = chars.get(j).copied();
        let n = cn_number(&num);
        match (unit, n) {
            (Some('年'), Some(n)) if num.chars().count() == 4 => {
                year = Some(n as i32);
                let after: String = chars[j + 1..].iter().take(3).collect();
                if after.starts_with('底')
                    || after.starts_with('末')
                    || after.starts_with("前")
                    || after.is_empty()
                    || after.starts_with("年底")
                {
                    best = NaiveDate::from_ymd_opt(n as i32, 12, 31).or(best);
                }
            }
            (Some('月'), Some(m)) if (1..=12).contains(&m) => {
                let y = year.or(plan_year);
                let (day, k) = number_at(j + 1);
                if !day.is_empty() && matches!(chars.get(k), Some('日') | Some('号')) {
                    if let (Some(y), Some(d)) = (y, cn_number(&day)) {
                        best = NaiveDate::from_ymd_opt(y, m, d).or(best);
                    }
                    i = k + 1;
                    continue;
                }
                best = y.and_then(|y| month_end(y, m)).or(best);
            }
            (Some('季'), Some(q)) | (Some('个'), Some(q))
                if (1..=4).contains(&q) && chars.get(j..j + 2).is_some_and(|s| s.contains(&'季')) =>
            {
                best = year.or(plan_year).and_then(|y| month_end(y, q * 3)).or(best);
            }
            _ => {}
        }
        i = j.max(i + 1);
    }
    // 第二季度 / 二季度
    if best.is_none()
        && let Some(p) = text.find("季度")
    {
        let before: Vec<char> = text[..p].chars().collect();
        if let Some(q) = before.last().and_then(|c| cn_number(&c.to_string()))
            && (1..=4).contains(&q)
        {
            best = year.or(plan_year).and_then(|y| month_end(y, q * 3));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_from_deadlines() {
        assert_eq!(due_date("2023年12月31日", None), d(2023, 12, 31));
        assert_eq!(due_date("2023年6月底前", None), d(2023, 6, 30));
        assert_eq!(due_date("6月底前", Some(2024)), d(2024, 6, 30));
        assert_eq!(due_date("6月底前", None), None);
        assert_eq!(due_date("2月底前", Some(2024)), d(2024, 2, 29));
        assert_eq!(due_date("年底前", Some(2023)), d(2023, 12, 31));
        assert_eq!(due_date("2023年底", None), d(2023, 12, 31));
        assert_eq!(due_date("2023年", None), d(2023, 12, 31));
        assert_eq!(due_date("2023年第二季度", None), d(2023, 6, 30));
        assert_eq!(due_date("三季度", Some(2023)), d(2023, 9, 30));
        assert_eq!(due_date("上半年", Some(2023)), d(2023, 6, 30));
        assert_eq!(due_date("二〇二三年十二月底前", None), d(2023, 12, 31));
        assert_eq!(due_date("2023年3月启动，10月底前完成", None), d(2023, 10, 31));
        assert_eq!(due_date("全年", Some(2023)), None);
        assert_eq!(due_date("持续推进", Some(2023)), None);
    }

    #[test]
    fn deadline_phrases() {
        assert!(is_deadline_phrase("2023年6月底前完成"));
        assert!(is_deadline_phrase("全年"));
        assert!(is_deadline_phrase("持续推进"));
        assert!(!is_deadline_phrase("区科技局牵头"));
        assert_eq!(trim_phrase("2023年6月底前完成"), "2023年6月底前");
    }
}
