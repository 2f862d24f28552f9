//! The policy files shipped with gaoxin (`rules/` of the repository, compiled into the binary):
//! seed 002's 新开〔2020〕28号 and the worked examples of other shapes. `gaoxin demo` loads
//! them into the demo zone; a real zone loads its own with `gaoxin policy load` or the 政策 page.

use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../rules/"]
struct ShippedRules;

/// (file name, text) of every shipped rule file, by name.
pub fn files() -> Vec<(String, String)> {
    let mut names: Vec<String> = ShippedRules::iter()
        // Only the top folder: `rules/ladder/` holds cultivation criteria, not policies.
        .filter(|n| n.ends_with(".toml") && !n.contains('/'))
        .map(|n| n.into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|n| {
            let file = ShippedRules::get(&n)?;
            Some((n, String::from_utf8_lossy(&file.data).into_owned()))
        })
        .collect()
}
