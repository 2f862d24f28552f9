//! The evaluation schemes shipped with gaoxin (`rules/land/` of the repository, compiled into
//! the binary): `huangyan-2022-guishang`, `huangyan-2022-guixia`, `huaian-2024`,
//! `zhejiang-default`. A zone copies one, edits it and loads its own.

use rust_embed::RustEmbed;

use gaoxin_rules::land::{self, Scheme};

#[derive(RustEmbed)]
#[folder = "../../rules/land/"]
struct ShippedSchemes;

/// (file name, text) of every shipped scheme, by name.
pub fn files() -> Vec<(String, String)> {
    let mut names: Vec<String> = ShippedSchemes::iter()
        .filter(|n| n.ends_with(".toml"))
        .map(|n| n.into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|n| {
            let file = ShippedSchemes::get(&n)?;
            Some((n, String::from_utf8_lossy(&file.data).into_owned()))
        })
        .collect()
}

/// The ids of the shipped schemes.
pub fn names() -> Vec<String> {
    files()
        .iter()
        .filter_map(|(file, text)| land::load(file, text).ok().map(|s| s.id))
        .collect()
}

/// A scheme by its id (`huaian-2024`) or a file's path; its own tests must pass.
pub fn resolve(name_or_file: &str) -> anyhow::Result<Scheme> {
    let path = std::path::Path::new(name_or_file);
    let scheme = if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("无法读取 {name_or_file}：{e}"))?;
        land::load(name_or_file, &text).map_err(|e| anyhow::anyhow!("{e}"))?
    } else {
        let found = files().into_iter().find_map(|(file, text)| {
            let scheme = land::load(&file, &text).ok()?;
            (scheme.id == name_or_file || file.trim_end_matches(".toml") == name_or_file).then_some(scheme)
        });
        found.ok_or_else(|| {
            anyhow::anyhow!(
                "没有名为“{name_or_file}”的评价方案，也没有这个文件（内置方案：{}）",
                names().join("、")
            )
        })?
    };
    if let Some(failed) = scheme.run_tests().into_iter().find(|t| !t.failures.is_empty()) {
        anyhow::bail!(
            "方案“{}”的测试“{}”未通过：{}",
            scheme.id,
            failed.name,
            failed.failures.join("；")
        );
    }
    Ok(scheme)
}
