//! The cultivation criteria shipped with gaoxin (`rules/ladder/` of the repository, compiled
//! into the binary). `gaoxin demo` loads them into the demo zone; a real zone loads them (or
//! its own edited copies) with `gaoxin ladder load` or the 培育标准 page.

use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../rules/ladder/"]
struct ShippedCriteria;

/// (file name, text) of every shipped criteria file, by name.
pub fn files() -> Vec<(String, String)> {
    let mut names: Vec<String> = ShippedCriteria::iter()
        .filter(|n| n.ends_with(".toml"))
        .map(|n| n.into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|n| {
            let file = ShippedCriteria::get(&n)?;
            Some((n, String::from_utf8_lossy(&file.data).into_owned()))
        })
        .collect()
}
