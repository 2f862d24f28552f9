use std::str::FromStr;

use super::input::{plain_decimal, read_cell};
use super::recipients::{Recipients, sort_key};
use super::*;
use crate::policy::VarKind;
#[test]
fn the_shortcut_for_plain_numbers_reads_what_the_general_parser_reads() {
    for raw in [
        "0",
        "0.00",
        "146.53",
        "1.50",
        "007",
        "20000000.00",
        "123456789012345678",
        "5",
    ] {
        let fast = plain_decimal(raw.as_bytes(), true).unwrap();
        let slow = Decimal::from_str(raw).unwrap();
        assert_eq!((fast, fast.scale()), (slow, slow.scale()), "{raw}");
        assert_eq!(read_cell(VarKind::Money, raw), VarKind::Money.read(raw), "{raw}");
    }
    for raw in [
        "",
        " 5",
        "1,000",
        "-5",
        ".5",
        "5.",
        "1.2.3",
        "1e3",
        "1234567890123456789",
        "1.5",
    ] {
        assert!(
            plain_decimal(raw.as_bytes(), false).is_none() || raw.is_empty(),
            "{raw}"
        );
        assert_eq!(read_cell(VarKind::Count, raw), VarKind::Count.read(raw), "{raw}");
        assert_eq!(read_cell(VarKind::Money, raw), VarKind::Money.read(raw), "{raw}");
    }
}

#[test]
fn recipients_are_found_again_and_sorted_like_their_names() {
    let mut r = Recipients::default();
    let long = "91410700MA3X5C8K2Q-分公司";
    let names = [
        "E2",
        "E10",
        "",
        "A\u{0}B",
        "A",
        long,
        "é",
        "E10 ",
        "123456789012345",
        "1234567890123456",
    ];
    let ids: Vec<usize> = names.iter().map(|n| r.id(n).0).collect();
    assert_eq!(ids, (0..names.len()).collect::<Vec<_>>());
    for _ in 0..3000 {
        r.id(&format!("X{}", r.len()));
    }
    for (i, n) in names.iter().enumerate() {
        assert_eq!(r.id(n), (i, false));
        assert_eq!(r.name(i), *n);
    }
    let mut by_key: Vec<&str> = names.to_vec();
    by_key.sort_unstable_by(|a, b| sort_key(a).cmp(&sort_key(b)).then_with(|| a.cmp(b)));
    let mut by_name = names.to_vec();
    by_name.sort();
    assert_eq!(by_key, by_name);
}
