//! Interface text in Simplified Chinese (default) and English, from `locales/messages.toml`
//! compiled into the binary. Templates call `ctx.t("key")`. A test checks that every key used
//! in a template or in code exists in both languages.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Zh,
    En,
}

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Locale::Zh => "zh",
            Locale::En => "en",
        }
    }

    /// The value of `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Locale> {
        match code {
            "zh" | "zh-CN" => Some(Locale::Zh),
            "en" => Some(Locale::En),
            _ => None,
        }
    }
}

const MESSAGES_TOML: &str = include_str!("../locales/messages.toml");

/// key → (zh, en)
pub static MESSAGES: LazyLock<HashMap<String, (String, String)>> = LazyLock::new(|| {
    let table: toml::Table = MESSAGES_TOML
        .parse()
        .expect("locales/messages.toml is valid TOML (checked by a test)");
    let mut out = HashMap::new();
    flatten("", &table, &mut out);
    out
});

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, (String, String)>) {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if let toml::Value::Table(inner) = value {
            match (inner.get("zh"), inner.get("en")) {
                (Some(toml::Value::String(zh)), Some(toml::Value::String(en))) => {
                    out.insert(full, (zh.clone(), en.clone()));
                }
                _ => flatten(&full, inner, out),
            }
        }
    }
}

/// Looks a key up. An unknown key comes back as itself, so a missing translation shows up
/// on the page instead of an empty space (and the i18n test fails).
pub fn t(locale: Locale, key: &str) -> &str {
    match MESSAGES.get(key) {
        Some((zh, en)) => match locale {
            Locale::Zh => zh,
            Locale::En => en,
        },
        None => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages_and_no_empty_text() {
        assert!(MESSAGES.len() > 50, "messages loaded: {}", MESSAGES.len());
        for (key, (zh, en)) in MESSAGES.iter() {
            assert!(!zh.trim().is_empty(), "{key} has no Chinese text");
            assert!(!en.trim().is_empty(), "{key} has no English text");
        }
    }

    #[test]
    fn lookup_follows_the_locale_and_echoes_unknown_keys() {
        assert_eq!(t(Locale::Zh, "nav.home"), "首页");
        assert_eq!(t(Locale::En, "nav.home"), "Home");
        assert_eq!(t(Locale::Zh, "no.such.key"), "no.such.key");
    }
}
