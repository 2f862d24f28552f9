//! Responsibility annotations as zones write them in a line: bracketed (`（牵头单位：X；配合单位：Y）`),
//! labelled at the end of an item (`…。牵头单位：X`), side by side, on a line of their own, or
//! with the labels themselves in brackets (`【牵头单位】X`).

use super::numbering;
use super::roles::{self, Field, Form, Roles};
use super::{is_space, trim_lead_punct};

/// An annotation found in a line.
#[derive(Debug)]
pub(super) struct Span {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) roles: Roles,
    pub(super) form: Form,
    pub(super) unclosed: bool,
}

fn opening(c: char) -> Option<char> {
    match c {
        '(' | '（' => Some(')'),
        '[' => Some(']'),
        '【' => Some('】'),
        '〔' => Some('〕'),
        _ => None,
    }
}

fn is_closing(c: char) -> bool {
    matches!(c, ')' | '）' | ']' | '】' | '〕')
}

/// Annotations in a line: bracketed ones, and labelled fields without brackets at its end.
pub(super) fn annotations(line: &str, first_is_lead: bool) -> Vec<Span> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut spans: Vec<Span> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if opening(c).is_none() {
            i += 1;
            continue;
        }
        let mut depth = 0;
        let mut close = None;
        for (k, &(_, d)) in chars.iter().enumerate().skip(i) {
            if opening(d).is_some() {
                depth += 1;
            } else if is_closing(d) {
                depth -= 1;
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            }
        }
        let content_start = at + c.len_utf8();
        match close {
            Some(k) => {
                let (close_at, close_c) = chars[k];
                if let Some((roles, form)) = roles::parse(&line[content_start..close_at], first_is_lead) {
                    spans.push(Span {
                        start: at,
                        end: close_at + close_c.len_utf8(),
                        roles,
                        form,
                        unclosed: false,
                    });
                    i = k + 1;
                    continue;
                }
                i += 1;
            }
            None => {
                if let Some((roles, Form::Labelled)) = roles::parse(&line[content_start..], first_is_lead)
                    && roles.names_any()
                {
                    spans.push(Span {
                        start: at,
                        end: line.len(),
                        roles,
                        form: Form::Labelled,
                        unclosed: true,
                    });
                    break;
                }
                i += 1;
            }
        }
    }
    // Labelled fields without brackets after the item's text: `…。牵头单位：X 配合单位：Y`.
    let covered = |pos: usize| spans.iter().any(|s| s.start <= pos && pos < s.end);
    if let Some(&(start, _, _)) = roles::fields(line).iter().find(|(start, _, field)| {
        *start > 0
            && !covered(*start)
            && matches!(
                field,
                Field::Lead | Field::Responsible | Field::Cooperating | Field::Person | Field::Deadline
            )
    }) {
        let before = line[..start].chars().last();
        let end = spans.iter().find(|s| s.start > start).map_or(line.len(), |s| s.start);
        if before.is_some_and(|c| is_space(c) || matches!(c, '。' | '；' | ';' | '，' | ','))
            && let Some((roles, Form::Labelled)) = roles::parse(&line[start..end], first_is_lead)
            && roles.names_any()
        {
            spans.push(Span {
                start,
                end,
                roles,
                form: Form::Labelled,
                unclosed: false,
            });
            spans.sort_by_key(|s| s.start);
        }
    }
    // Annotations side by side (`（牵头单位：X）（完成时限：6月底前）`) are one annotation.
    let mut merged: Vec<Span> = Vec::new();
    for span in spans {
        if let Some(last) = merged.last_mut()
            && trim_lead_punct(&line[last.end..span.start]).is_empty()
            && (span.form == Form::Labelled || !span.roles.names_any())
        {
            last.end = span.end;
            last.unclosed |= span.unclosed;
            let roles = span.roles;
            last.roles.merge(roles);
            continue;
        }
        merged.push(span);
    }
    // A deadline on its own, beside no departments, is part of the text.
    let spans: Vec<Span> = merged.into_iter().filter(|s| s.roles.names_any()).collect();
    // Verbs and bare department lists count only where an item ends.
    let keep: Vec<bool> = spans
        .iter()
        .enumerate()
        .map(|(k, s)| {
            if s.form == Form::Labelled {
                return true;
            }
            let after = trim_lead_punct(&line[s.end..]);
            after.is_empty()
                || spans.get(k + 1).is_some_and(|n| line.len() - after.len() >= n.start)
                || numbering::leading(after).is_some()
        })
        .collect();
    spans
        .into_iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .collect()
}

/// A line that is only an annotation: `责任单位：X`, `牵头单位：X  配合单位：Y`, `完成时限：…`,
/// or a bracketed annotation on its own. The flag says whether it names 责任单位 only (which are
/// cooperating when another line gave the lead).
pub(super) fn annotation_line(text: &str, first_is_lead: bool) -> Option<(Roles, bool)> {
    let whole_bracket = text.chars().next().and_then(opening).is_some() && {
        let mut depth = 0;
        let mut closed_at = None;
        for (i, c) in text.char_indices() {
            if opening(c).is_some() {
                depth += 1;
            } else if is_closing(c) {
                depth -= 1;
                if depth == 0 {
                    closed_at = Some(i + c.len_utf8());
                    break;
                }
            }
        }
        closed_at.is_some_and(|end| trim_lead_punct(&text[end..]).is_empty())
    };
    let inner = if whole_bracket {
        let first = text.chars().next()?;
        let body = &text[first.len_utf8()..];
        let close = body.char_indices().rev().find(|(_, c)| is_closing(*c))?.0;
        &body[..close]
    } else {
        text
    };
    let found = roles::fields(inner);
    let responsible_only = found
        .iter()
        .all(|f| matches!(f.2, Field::Responsible | Field::Person | Field::Deadline));
    if found.first().is_some_and(|f| f.0 == 0) {
        return Some((
            roles::parse(inner, first_is_lead).map(|(r, _)| r).unwrap_or_default(),
            responsible_only,
        ));
    }
    if inner.len() != text.len()
        && let Some((roles, _)) = roles::parse(inner, first_is_lead)
    {
        return Some((roles, responsible_only && !found.is_empty()));
    }
    None
}

/// `【牵头单位】X【配合单位】Y`: field labels written in brackets instead of before a colon.
pub(super) fn bracket_labels(text: &str) -> String {
    if !text.contains('【') && !text.contains('[') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['【', '[']) {
        let open_char = rest[open..].chars().next().unwrap_or('【');
        let close_char = if open_char == '【' { '】' } else { ']' };
        let after = &rest[open + open_char.len_utf8()..];
        match after.find(close_char) {
            Some(close) if roles::field_of_label(&after[..close]).is_some() && after[..close].chars().count() <= 8 => {
                out.push_str(&rest[..open]);
                // A space before the label, so that it starts a field.
                if !out.is_empty() && !out.ends_with(|c: char| is_space(c) || "（(；;。，,".contains(c)) {
                    out.push(' ');
                }
                out.push_str(&after[..close]);
                out.push('：');
                rest = &after[close + close_char.len_utf8()..];
            }
            _ => {
                out.push_str(&rest[..open + open_char.len_utf8()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
