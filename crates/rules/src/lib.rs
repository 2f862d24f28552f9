//! gaoxin-rules: the rules engine.
//!
//! gaoxin's own small, typed, non-Turing-complete expression language (`expr`, `compile`),
//! every kind of dated rule file — policies (`policy`, evaluated with caps in a documented order
//! by `eval`, matched by `matching`), cultivation criteria (`ladder`), 亩均 schemes (`land`),
//! task scoring schemes (`task_scoring`), project rulebooks (`project_rules`) — the data they
//! may bind to (`sources`), and the work-plan parser (`plan_parser`).
//!
//! Pure: it reads text and bytes and returns values with their explanations. It never names a
//! web framework, a database or a crate above it (only `gaoxin-core`).

pub mod compile;
pub mod eval;
pub mod expr;
pub mod ladder;
pub mod land;
pub mod matching;
pub mod plan_parser;
pub mod policy;
pub mod project_rules;
pub mod sources;
pub mod task_scoring;

/// The rule files a path names: the file itself, or every `*.toml` directly in the folder,
/// sorted by name (sub-folders are other kinds of rules: `rules/ladder/`).
pub fn toml_files(path: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}
