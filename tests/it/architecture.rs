//! The invariants of ARCHITECTURE.md, checked on the sources.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every crate of the workspace: the binary at the root and the crates under `crates/`.
fn crate_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.to_path_buf()];
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        dirs.push(entry.unwrap().path());
    }
    dirs.sort();
    dirs
}

fn sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for dir in crate_dirs() {
        rust_files(&dir.join("src"), &mut files);
    }
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn domain_code_imports_neither_the_web_framework_nor_the_database() {
    let mut checked = 0;
    for (path, text) in sources() {
        let name = path.file_name().unwrap().to_str().unwrap();
        let p = path.to_string_lossy();
        let in_rules = p.contains("/crates/rules/src/") || p.contains("/crates/core/src/");
        if in_rules
            || [
                "domain.rs",
                "roles.rs",
                "validate.rs",
                "quantity.rs",
                "industry.rs",
                "tabular.rs",
                "compute.rs",
                "events.rs",
            ]
            .contains(&name)
        {
            checked += 1;
            for forbidden in ["axum", "sea_orm", "sqlx", "tower"] {
                assert!(!text.contains(forbidden), "{} mentions {forbidden}", path.display());
            }
        }
    }
    assert!(checked >= 16, "{checked}");
}

#[test]
fn modules_write_only_through_the_audited_writer() {
    for (path, text) in sources() {
        let p = path.to_string_lossy();
        let in_module = [
            "enterprises",
            "policies",
            "ladder",
            "land",
            "plans",
            "projects",
            "admin",
        ]
        .iter()
        .any(|m| p.contains(&format!("/crates/{m}/src/")));
        if !(in_module || p.ends_with("/src/demo.rs")) {
            continue;
        }
        for forbidden in [
            "ActiveModelTrait",
            "::insert(",
            "::insert_many(",
            "update_many",
            "delete_many",
            "delete_by_id",
            "execute_unprepared",
            ".exec(",
            "Entity::update(",
            "Entity::delete(",
        ] {
            assert!(
                !text.contains(forbidden),
                "{} uses {forbidden}: write through platform::audit::Writer instead",
                path.display()
            );
        }
    }
}

#[test]
fn main_rs_stays_thin() {
    let main = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs")).unwrap();
    assert!(main.lines().count() < 15);
}

#[test]
fn every_message_key_used_in_templates_and_code_exists_in_both_languages() {
    let mut texts: Vec<String> = sources().into_iter().map(|(_, t)| t).collect();
    fn html(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                html(&path, out);
            } else if path.extension().is_some_and(|e| e == "html") {
                out.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    for dir in crate_dirs() {
        if dir.join("templates").is_dir() {
            html(&dir.join("templates"), &mut texts);
        }
    }
    let messages = &*gaoxin_platform::i18n::MESSAGES;
    let mut used = 0;
    for text in &texts {
        for pattern in ["t(\"", "crumb(\"", "key: \""] {
            for piece in text.split(pattern).skip(1) {
                let key = piece.split('"').next().unwrap();
                let is_key = key.contains('.')
                    && !key.ends_with('.')
                    && key.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
                if is_key {
                    used += 1;
                    assert!(
                        messages.contains_key(key),
                        "message key {key} is used but not in locales/messages.toml"
                    );
                }
            }
        }
    }
    assert!(used > 100, "{used}");
    for action in gaoxin_admin::audit::web::ACTIONS {
        assert!(messages.contains_key(&format!("audit.action.{action}")));
    }
    for role in gaoxin_core::roles::Role::ALL {
        assert!(messages.contains_key(role.label_key()));
    }
}
