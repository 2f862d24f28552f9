//! The rules engine: gaoxin's own small, typed, non-Turing-complete expression language
//! (`expr`), dated policy files (`policy`), and their evaluation over cases with caps applied in
//! a documented order (`eval`). Pure: no web framework, no database.

pub mod cli;
pub mod compile;
pub mod eval;
pub mod expr;
pub mod ladder;
pub mod land;
pub mod matching;
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
