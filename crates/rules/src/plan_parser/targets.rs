//! Quantitative targets written inside a task: Arabic digits and a unit (`新增发明专利141件`,
//! `700亿元`, `增长4.5%`). Not targets: years and time spans, ages and eligibility thresholds,
//! names and codes with digits, subsidy terms, and amounts that describe something (`总投资110亿元的`).

use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;

/// One target: the clause it is written in, its value and its unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// The clause, an exact substring of the task's text.
    pub text: String,
    #[serde(serialize_with = "as_number")]
    pub value: Decimal,
    pub unit: String,
}

fn as_number<S: serde::Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    let n: serde_json::Number =
        serde_json::from_str(&value.normalize().to_string()).map_err(serde::ser::Error::custom)?;
    n.serialize(s)
}

/// Units, longest first.
const UNITS: &[&str] = &[
    "个百分点",
    "万平方米",
    "平方公里",
    "万平方公里",
    "万千瓦时",
    "亿千瓦时",
    "万吨标准煤",
    "吨标准煤",
    "万标准箱",
    "万千瓦",
    "万人次",
    "亿人次",
    "亿美元",
    "万美元",
    "平方米",
    "千瓦时",
    "立方米",
    "万立方米",
    "公顷",
    "万亩",
    "万户",
    "万家",
    "万个",
    "万件",
    "万台",
    "万辆",
    "万套",
    "万张",
    "万名",
    "万人",
    "万吨",
    "亿元",
    "万元",
    "千元",
    "美元",
    "人次",
    "家次",
    "户次",
    "场次",
    "批次",
    "项次",
    "个次",
    "标准箱",
    "千瓦",
    "兆瓦",
    "公里",
    "千米",
    "百分点",
    "%",
    "％",
    "‰",
    "元",
    "家",
    "个",
    "项",
    "件",
    "人",
    "名",
    "位",
    "亩",
    "户",
    "所",
    "座",
    "台",
    "套",
    "张",
    "条",
    "场",
    "批",
    "款",
    "倍",
    "篇",
    "部",
    "辆",
    "栋",
    "处",
    "支",
    "间",
    "床",
    "吨",
    "米",
    "起",
    "宗",
    "份",
    "期",
    "类",
    "种",
    "只",
    "株",
    "棵",
    "头",
    "册",
    "门",
    "课",
    "路",
    "班",
    "对",
    "组",
    "队",
    "本",
    "岗",
    "轮",
    "单",
    "笔",
    "片",
    "块",
    "亿",
    "万",
];

/// Words in a target's clause that make it a policy term, not a goal.
const POLICY_TERMS: &[&str] = &[
    "奖励",
    "补助",
    "补贴",
    "资助",
    "奖补",
    "给予",
    "最高不超过",
    "最高",
    "不超过",
    "贴息",
    "一次性",
    "扶持资金",
    "减免",
    "按照其",
];

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn ascii(c: char) -> char {
    if ('０'..='９').contains(&c) {
        char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
    } else {
        c
    }
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '，' | ',' | '。' | '；' | ';' | '：' | ':' | '、' | '\n' | '！' | '？' | '(' | '（' | ')' | '）'
    )
}

/// The targets written in a task's text.
pub fn find(text: &str) -> Vec<Target> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i].1) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        let mut number = String::new();
        while j < chars.len() {
            let c = chars[j].1;
            if is_digit(c) {
                number.push(ascii(c));
            } else if (c == '.' || c == '．') && chars.get(j + 1).is_some_and(|n| is_digit(n.1)) {
                number.push('.');
            } else if c == ','
                && chars.get(j + 1..j + 4).is_some_and(|n| n.iter().all(|d| is_digit(d.1)))
                && !chars.get(j + 4).is_some_and(|d| is_digit(d.1))
            {
                // 1,000
            } else {
                break;
            }
            j += 1;
        }
        i = j;
        let before = if start == 0 { None } else { Some(chars[start - 1].1) };
        // Codes and names: “310”, 1+3+1, 5G, G20, 12345 hotline, 〔2019〕58号, ranges.
        if before.is_some_and(|c| {
            c.is_ascii_alphabetic()
                || matches!(
                    c,
                    '“' | '"' | '「' | '+' | '-' | '—' | '~' | '～' | '至' | '第' | '〔' | '[' | '/' | '.' | '#' | '前'
                )
        }) {
            continue;
        }
        let rest_start = chars.get(j).map_or(text.len(), |c| c.0);
        let rest = &text[rest_start..];
        if rest.starts_with(['+', '”', '"', '」', '-', '—', '~', '～', '/', '〕', ']'])
            || rest.starts_with(|c: char| c.is_ascii_alphabetic())
        {
            continue;
        }
        let (approx, after_approx) = ["多", "余"]
            .iter()
            .find_map(|a| rest.strip_prefix(a).map(|r| (*a, r)))
            .unwrap_or(("", rest));
        let Some(unit) = UNITS.iter().find(|u| after_approx.starts_with(**u)) else {
            continue;
        };
        let after_unit = &after_approx[unit.len()..];
        // Time spans written with 个: 3个月, 10个工作日.
        if *unit == "个"
            && (after_unit.starts_with('月') || after_unit.starts_with("工作日") || after_unit.starts_with("小时"))
        {
            continue;
        }
        if ["万", "亿"].contains(unit) && after_unit.starts_with(['年', '岁']) {
            continue;
        }
        // A capacity naming a plant or product (`80万吨乙烯改扩建项目`, `100兆瓦光伏电站`).
        if (unit.ends_with('吨') || unit.ends_with("瓦"))
            && after_unit.starts_with(|c: char| c > '\u{4e00}' && !"以左及之".contains(c))
        {
            continue;
        }
        let mut end = text.len() - after_unit.len();
        let mut tail = after_unit;
        let mut ceiling = false;
        for qualifier in ["及以上", "以上", "左右", "以内", "及以下", "以下", "之内"] {
            if let Some(r) = tail.strip_prefix(qualifier) {
                end += qualifier.len();
                tail = r;
                ceiling = qualifier.ends_with('下') || qualifier.ends_with('内');
                break;
            }
        }
        // An amount that describes something (`总投资110亿元的项目`, `13.32平方公里核心区的`).
        let rest_of_clause: String = tail.chars().take_while(|c| !is_clause_break(*c)).take(7).collect();
        if rest_of_clause.contains('的') {
            continue;
        }
        let clause_start = chars[..start]
            .iter()
            .rev()
            .find(|c| is_clause_break(c.1))
            .map_or(0, |c| c.0 + c.1.len_utf8());
        let lead_in = &text[clause_start..chars[start].0];
        // Thresholds: `6亩以下`, `不含6亩`, `满3年` (but `控制在4.5%以内` is a goal).
        if (ceiling
            && !["控制", "降", "低于", "压减", "压缩", "缩短", "减少"]
                .iter()
                .any(|w| lead_in.contains(w)))
            || ["不含", "含", "满", "超过", "低于", "高于", "不足", "年满"]
                .iter()
                .any(|w| lead_in.ends_with(w))
        {
            continue;
        }
        let clause_end = chars
            .iter()
            .find(|c| c.0 >= end && is_clause_break(c.1))
            .map_or(text.len(), |c| c.0);
        let clause = &text[clause_start..clause_end];
        if POLICY_TERMS.iter().any(|t| clause.contains(t)) {
            continue;
        }
        let Ok(value) = Decimal::from_str(&number) else {
            continue;
        };
        let _ = approx;
        out.push(Target {
            text: text[clause_start..end].trim_start().to_string(),
            value,
            unit: format!("{approx}{unit}"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, String, String)> {
        find(text)
            .into_iter()
            .map(|t| (t.text, t.value.to_string(), t.unit))
            .collect()
    }

    fn one(text: &str, clause: &str, value: &str, unit: &str) {
        assert_eq!(
            found(text),
            vec![(clause.to_string(), value.to_string(), unit.to_string())],
            "{text}"
        );
    }

    #[test]
    fn goals_are_found() {
        one("全年新增发明专利141件。", "全年新增发明专利141件", "141", "件");
        one(
            "力争工业总产值达到700亿元以上",
            "力争工业总产值达到700亿元以上",
            "700",
            "亿元",
        );
        one(
            "努力实现地区生产总值增长6.2%左右。",
            "努力实现地区生产总值增长6.2%左右",
            "6.2",
            "%",
        );
        one(
            "研发投入强度提高0.3个百分点",
            "研发投入强度提高0.3个百分点",
            "0.3",
            "个百分点",
        );
        one("新增规上企业1,200家", "新增规上企业1,200家", "1200", "家");
        one("推进60多个在建项目", "推进60多个", "60", "多个");
        assert_eq!(found("高企达到150家、科小200家").len(), 2);
    }

    #[test]
    fn what_is_not_a_target() {
        for text in [
            "5年内完成",
            "每年组织一次",
            "35岁以下青年人才",
            "开展“310”综合整治",
            "用好12345热线",
            "构建1+3+1产业体系",
            "建设5G基站",
            "国办发〔2019〕58号",
            "2023年6月底前完成",
            "对经认定的技术交易合同给予技术交易额1%的奖励",
            "每项合同奖励最高不超过10万元",
            "重点推进总投资110亿元的新乡万华生命科学产业城",
            "年营业收入2000万元以上的企业",
            "三个月内",
            "3个月内完成",
            "新增高企五十家",
            "争创全国500强",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
