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
        let in_rules = p.contains("/crates/rules/src/") || p.contains("/crates/core/src/") || p.contains("/domain/");
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

/// A crate's modules (the files and folders directly under `src/`) and which of them each
/// names (`crate::x`, or `super::x` from a module at the top), comments left out.
fn module_graph(crate_dir: &Path) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let src = crate_dir.join("src");
    let mut modules = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" || !(path.is_dir() || path.extension().is_some_and(|e| e == "rs")) {
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path.clone());
        }
        modules.insert(name, files);
    }
    let names: Vec<String> = modules.keys().cloned().collect();
    let mut graph = std::collections::BTreeMap::new();
    for (name, files) in &modules {
        let mut uses = std::collections::BTreeSet::new();
        for file in files {
            // `super::` names the crate root from a file directly under src/ or a folder's mod.rs.
            let at_top = file.parent() == Some(src.as_path())
                || (file.ends_with("mod.rs") && file.parent().and_then(Path::parent) == Some(src.as_path()));
            let code: String = std::fs::read_to_string(file)
                .unwrap()
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            for other in &names {
                let named = code.contains(&format!("crate::{other}::"))
                    || code.contains(&format!("crate::{other};"))
                    || code.contains(&format!("crate::{other} as"))
                    || code.contains(&format!("crate::{other}}}"))
                    || code.contains(&format!("crate::{other},"))
                    || (at_top && code.contains(&format!("super::{other}::")))
                    || (at_top && code.contains(&format!("super::{other};")));
                if named && other != name {
                    uses.insert(other.clone());
                }
            }
        }
        graph.insert(name.clone(), uses);
    }
    graph
}

#[test]
fn no_module_of_a_crate_reaches_back_to_a_module_that_names_it() {
    let mut checked = 0;
    for dir in crate_dirs() {
        let graph = module_graph(&dir);
        checked += graph.len();
        // Depth-first search for a cycle; report the first one with its path.
        fn visit(
            node: &str,
            graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
            path: &mut Vec<String>,
            done: &mut std::collections::BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(at) = path.iter().position(|p| p == node) {
                let mut cycle = path[at..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            if done.contains(node) {
                return None;
            }
            path.push(node.to_string());
            for next in &graph[node] {
                if let Some(c) = visit(next, graph, path, done) {
                    return Some(c);
                }
            }
            path.pop();
            done.insert(node.to_string());
            None
        }
        let mut done = std::collections::BTreeSet::new();
        for node in graph.keys() {
            if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
                panic!("{}: modules form a cycle: {}", dir.display(), cycle.join(" → "));
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn the_clock_is_read_in_one_place() {
    let clock = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/core/src/clock.rs");
    for (path, text) in sources() {
        if path == clock {
            continue;
        }
        for forbidden in [
            "Utc::now",
            "Local::now",
            "FixedOffset::east",
            ".date_naive()",
            "SystemTime::now",
        ] {
            assert!(
                !text.contains(forbidden),
                "{} uses {forbidden}: ask the zone's clock (gaoxin_core::clock, Scope::today) instead",
                path.display()
            );
        }
    }
}

#[test]
fn architecture_md_names_every_crate_and_module_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    for dir in crate_dirs() {
        if dir != root {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                map.contains(&format!("`crates/{name}`")),
                "ARCHITECTURE.md does not name crates/{name}"
            );
        }
        let src = dir.join("src");
        for entry in std::fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                assert!(
                    map.contains(&format!("`{rel}/`")),
                    "ARCHITECTURE.md does not name the folder {rel}/"
                );
            }
        }
    }
    for folder in ["tests/it", "tests/browser", "rules", "data"] {
        assert!(
            map.contains(&format!("`{folder}/`")),
            "ARCHITECTURE.md does not name {folder}/"
        );
    }
}
