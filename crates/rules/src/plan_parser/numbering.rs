//! The numbering tokens zones write at the start of an item (`一、` `(一)` `（一）` `1.` `1、`
//! `(1)` `①` `一是` `第一章`) and the label each contributes to a task's `ref`.

/// The style of a numbering token. Each style is one level of the outline; the levels are
/// ordered as the document first uses them, not by a fixed table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Chapter,
    Chinese,
    ParenChinese,
    Arabic,
    Dotted,
    ParenArabic,
    Circled,
    Ordinal,
}

/// A numbering token at the start of a line or segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbering {
    pub style: Style,
    /// The label in a `ref`: `一`, `(一)`, `1`, `(1)`, `①`, `一是`, `第一章`.
    pub label: String,
    /// Bytes of the token in the text, including its punctuation and following spaces.
    pub len: usize,
}

const CN_DIGITS: &str = "一二三四五六七八九十百零〇两";

fn is_cn_digit(c: char) -> bool {
    CN_DIGITS.contains(c)
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

/// The numbering token that starts `text`, if any.
pub fn leading(text: &str) -> Option<Numbering> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let first = chars.first()?.1;
    if first == '第' {
        return chapter(text, &chars);
    }
    if is_cn_digit(first) {
        return chinese(text, &chars);
    }
    if first == '(' || first == '（' {
        return parenthesised(text, &chars);
    }
    // ① … ⑳
    if ('\u{2460}'..='\u{2473}').contains(&first) {
        return Some(Numbering {
            style: Style::Circled,
            label: first.to_string(),
            len: end_at(text, &chars, 0),
        });
    }
    // ⑴ … ⒇
    if ('\u{2474}'..='\u{2487}').contains(&first) {
        let n = first as u32 - 0x2474 + 1;
        return Some(Numbering {
            style: Style::ParenArabic,
            label: format!("({n})"),
            len: end_at(text, &chars, 0),
        });
    }
    if first.is_ascii_digit() || is_fullwidth_digit(first) {
        return arabic(text, &chars);
    }
    None
}

/// The byte offset after char `i` of `text`, and after the spaces that follow it.
fn end_at(text: &str, chars: &[(usize, char)], i: usize) -> usize {
    let mut j = i + 1;
    while j < chars.len() && is_space(chars[j].1) {
        j += 1;
    }
    chars.get(j).map_or(text.len(), |c| c.0)
}

/// `第一章`, `第一部分`, `第一节`.
fn chapter(text: &str, chars: &[(usize, char)]) -> Option<Numbering> {
    let mut i = 1;
    while i < chars.len() && (is_cn_digit(chars[i].1) || chars[i].1.is_ascii_digit()) {
        i += 1;
    }
    if i > 1 && i < chars.len() {
        let rest: String = chars[i..].iter().take(2).map(|c| c.1).collect();
        let unit_len = if rest.starts_with("部分") {
            2
        } else if matches!(chars[i].1, '章' | '节' | '篇') {
            1
        } else {
            0
        };
        if unit_len > 0 {
            let last = i + unit_len - 1;
            let label: String = chars[..=last].iter().map(|c| c.1).collect();
            return Some(Numbering {
                style: Style::Chapter,
                label,
                len: end_at(text, chars, last),
            });
        }
    }
    None
}

/// `一、` and `一是`.
fn chinese(text: &str, chars: &[(usize, char)]) -> Option<Numbering> {
    let mut i = 0;
    while i < chars.len() && is_cn_digit(chars[i].1) {
        i += 1;
    }
    if i <= 3 && i < chars.len() {
        let digits: String = chars[..i].iter().map(|c| c.1).collect();
        match chars[i].1 {
            '、' | '．' => {
                return Some(Numbering {
                    style: Style::Chinese,
                    label: digits,
                    len: end_at(text, chars, i),
                });
            }
            '.' if chars.get(i + 1).is_none_or(|c| !c.1.is_ascii_digit()) => {
                return Some(Numbering {
                    style: Style::Chinese,
                    label: digits,
                    len: end_at(text, chars, i),
                });
            }
            '是' if i <= 2 && !digits.contains('百') && chars.len() > i + 1 => {
                let mut len = end_at(text, chars, i);
                // 一是，/一是：
                if let Some(&(o, c)) = chars.iter().find(|c| c.0 == len)
                    && matches!(c, '，' | ',' | '：' | ':')
                {
                    len = o + c.len_utf8();
                }
                return Some(Numbering {
                    style: Style::Ordinal,
                    label: format!("{digits}是"),
                    len,
                });
            }
            _ => {}
        }
    }
    None
}

/// `(一)`, `（一）`, `(1)`, `（1）`.
fn parenthesised(text: &str, chars: &[(usize, char)]) -> Option<Numbering> {
    let mut i = 1;
    while i < chars.len() && (is_cn_digit(chars[i].1) || chars[i].1.is_ascii_digit() || is_fullwidth_digit(chars[i].1))
    {
        i += 1;
    }
    if i > 1 && i <= 4 && i < chars.len() && matches!(chars[i].1, ')' | '）') {
        let inner: String = chars[1..i].iter().map(|c| halfwidth_digit(c.1)).collect();
        let chinese = inner.chars().all(is_cn_digit);
        let arabic = inner.chars().all(|c| c.is_ascii_digit());
        if chinese || arabic {
            return Some(Numbering {
                style: if chinese {
                    Style::ParenChinese
                } else {
                    Style::ParenArabic
                },
                label: format!("({inner})"),
                len: end_at(text, chars, i),
            });
        }
    }
    None
}

/// `1.`, `1、`, `1．`, `1)` and the outline numbers `1.1`, `1.2.3`.
fn arabic(text: &str, chars: &[(usize, char)]) -> Option<Numbering> {
    let mut i = 0;
    while i < chars.len() && (chars[i].1.is_ascii_digit() || is_fullwidth_digit(chars[i].1)) {
        i += 1;
    }
    if i > 3 || i >= chars.len() {
        return None;
    }
    let digits: String = chars[..i].iter().map(|c| halfwidth_digit(c.1)).collect();
    let next = chars.get(i + 1).map(|c| c.1);
    match chars[i].1 {
        '、' | '，' => Some(Numbering {
            style: Style::Arabic,
            label: digits,
            len: end_at(text, chars, i),
        }),
        '.' | '．' => {
            if let Some(d) = next
                && d.is_ascii_digit()
            {
                // 1.1 / 1.2.3 outline numbers (not 1.5亿元)
                let mut j = i + 1;
                while j < chars.len() && (chars[j].1.is_ascii_digit() || chars[j].1 == '.') {
                    j += 1;
                }
                let label: String = chars[..j].iter().map(|c| c.1).collect();
                let after = chars.get(j).map(|c| c.1);
                if after.is_some_and(|c| is_space(c) || c == '、') && !label.ends_with('.') {
                    return Some(Numbering {
                        style: Style::Dotted,
                        label,
                        len: end_at(text, chars, j - 1),
                    });
                }
                return None;
            }
            Some(Numbering {
                style: Style::Arabic,
                label: digits,
                len: end_at(text, chars, i),
            })
        }
        ')' | '）' => Some(Numbering {
            style: Style::ParenArabic,
            label: format!("({digits})"),
            len: end_at(text, chars, i),
        }),
        _ => None,
    }
}

fn is_fullwidth_digit(c: char) -> bool {
    ('０'..='９').contains(&c)
}

fn halfwidth_digit(c: char) -> char {
    if is_fullwidth_digit(c) {
        char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c)
    } else {
        c
    }
}

/// The position of the next `一是`/`二是`… (or `①`, `(1)`) token after byte `from` in `text`
/// that starts a sub-item: at the start or after sentence punctuation.
pub fn inline_ordinals(text: &str) -> Vec<(usize, Numbering)> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        let starts =
            prev.is_none_or(|p| matches!(p, '。' | '；' | ';' | '：' | ':' | '，' | ',' | '\n') || is_space(p));
        if starts
            && (is_cn_digit(c)
                || ('\u{2460}'..='\u{2473}').contains(&c)
                || c == '('
                || c == '（'
                || ('\u{2474}'..='\u{2487}').contains(&c))
            && let Some(n) = leading(&text[i..])
            && matches!(n.style, Style::Ordinal | Style::Circled | Style::ParenArabic)
        {
            out.push((i, n));
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(s: &str) -> Option<(Style, String, String)> {
        leading(s).map(|n| (n.style, n.label, s[n.len..].to_string()))
    }

    #[test]
    fn tokens_and_labels() {
        assert_eq!(
            label("一、总体要求"),
            Some((Style::Chinese, "一".into(), "总体要求".into()))
        );
        assert_eq!(
            label("（一）指导思想"),
            Some((Style::ParenChinese, "(一)".into(), "指导思想".into()))
        );
        assert_eq!(
            label("(十二) 保障"),
            Some((Style::ParenChinese, "(十二)".into(), "保障".into()))
        );
        assert_eq!(
            label("1.打造平台"),
            Some((Style::Arabic, "1".into(), "打造平台".into()))
        );
        assert_eq!(label("12、推进"), Some((Style::Arabic, "12".into(), "推进".into())));
        assert_eq!(label("３．推进"), Some((Style::Arabic, "3".into(), "推进".into())));
        assert_eq!(
            label("（3）推进"),
            Some((Style::ParenArabic, "(3)".into(), "推进".into()))
        );
        assert_eq!(label("3)推进"), Some((Style::ParenArabic, "(3)".into(), "推进".into())));
        assert_eq!(label("②推进"), Some((Style::Circled, "②".into(), "推进".into())));
        assert_eq!(label("⑵推进"), Some((Style::ParenArabic, "(2)".into(), "推进".into())));
        assert_eq!(
            label("一是深入实施"),
            Some((Style::Ordinal, "一是".into(), "深入实施".into()))
        );
        assert_eq!(
            label("二是：深入实施"),
            Some((Style::Ordinal, "二是".into(), "深入实施".into()))
        );
        assert_eq!(
            label("第三章 保障措施"),
            Some((Style::Chapter, "第三章".into(), "保障措施".into()))
        );
        assert_eq!(
            label("第一部分 目标"),
            Some((Style::Chapter, "第一部分".into(), "目标".into()))
        );
        assert_eq!(label("1.1 加强"), Some((Style::Dotted, "1.1".into(), "加强".into())));
        assert_eq!(label("1.5亿元的项目"), None);
        assert_eq!(label("2023年完成"), None);
        assert_eq!(label("十九大精神"), None);
        assert_eq!(label("第一责任单位"), None);
        assert_eq!(label("(含)以上"), None);
    }

    #[test]
    fn ordinals_inside_a_paragraph() {
        let text = "加强平台。一是建设实验室；二是引进人才，①培育";
        let found: Vec<String> = inline_ordinals(text).into_iter().map(|(_, n)| n.label).collect();
        assert_eq!(found, vec!["一是", "二是", "①"]);
        assert!(inline_ordinals("统一是关键").is_empty());
    }
}
