//! `gaoxin bench files`: the large, valid files the import benchmarks read.

use std::path::PathBuf;

use anyhow::Context;
use rust_xlsxwriter::Workbook;

use gaoxin_core::rng::Rng;
use gaoxin_core::uscc::numbered_uscc;
use gaoxin_enterprises::domain::{ANNUAL_COLUMNS, ENTERPRISE_COLUMNS};

pub(super) fn files(enterprises: usize, years: usize, seed: u64, out: PathBuf) -> anyhow::Result<()> {
    std::fs::create_dir_all(&out).with_context(|| format!("无法创建目录 {}", out.display()))?;
    let mut rng = Rng::new(seed);
    let classes = ["2761", "3841", "3741", "6513", "3421", "2651", "7320", "3921"];
    let carriers = ["生物医药产业园", "新能源汽车产业园", "科技企业孵化器", "创新创业大厦"];

    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("企业")?;
    for (c, spec) in ENTERPRISE_COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, spec.header)?;
    }
    for i in 0..enterprises {
        let r = i as u32 + 1;
        ws.write_string(r, 0, format!("基准测试企业{i}有限公司"))?;
        ws.write_string(r, 1, numbered_uscc(i))?;
        ws.write_string(r, 2, classes[rng.below(classes.len())])?;
        ws.write_string(
            r,
            3,
            format!(
                "{}-{:02}-{:02}",
                2000 + rng.below(24),
                1 + rng.below(12),
                1 + rng.below(28)
            ),
        )?;
        ws.write_string(r, 4, format!("新乡市高新区创业路{}号", rng.below(900)))?;
        ws.write_string(r, 5, "张伟")?;
        ws.write_string(r, 6, "李娜")?;
        ws.write_string(r, 7, format!("0373-{}", 3_000_000 + rng.below(999_999)))?;
        ws.write_string(r, 8, "王芳")?;
        ws.write_number(r, 9, (rng.below(20_000) as f64) / 100.0)?;
        ws.write_number(r, 10, (5 + rng.below(2000)) as f64)?;
        ws.write_string(r, 11, "生命科学和生物技术")?;
        ws.write_string(r, 12, carriers[rng.below(carriers.len())])?;
        ws.write_string(r, 13, if rng.below(3) == 0 { "规上" } else { "规下" })?;
        ws.write_string(r, 14, "在营")?;
        ws.write_string(r, 15, if rng.below(4) == 0 { "高企" } else { "" })?;
        ws.write_string(r, 16, "刘洋")?;
    }
    let enterprise_file = out.join("enterprises.xlsx");
    workbook.save(&enterprise_file)?;

    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("年度数据")?;
    for (c, spec) in ANNUAL_COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, spec.header)?;
    }
    let mut r = 1u32;
    for i in 0..enterprises {
        let code = numbered_uscc(i);
        for y in 0..years {
            ws.write_string(r, 0, &code)?;
            ws.write_number(r, 1, (2024 - years + 1 + y) as f64)?;
            let revenue_fen = 5_000_000 + rng.below(2_000_000_000) as i64;
            ws.write_number(r, 2, (revenue_fen / 100) as f64 / 10_000.0)?;
            for c in 3..=6 {
                ws.write_number(r, c, (rng.below(1_000_000) as f64) / 100.0)?;
            }
            for c in 7..=11 {
                ws.write_number(r, c, (rng.below(1_000_000) as f64) / 1000.0)?;
            }
            for c in [12u16, 13, 15] {
                ws.write_number(r, c, rng.below(200) as f64)?;
            }
            r += 1;
        }
    }
    let annual_file = out.join("annual.xlsx");
    workbook.save(&annual_file)?;
    println!(
        "{}（{} 行）\n{}（{} 行）",
        enterprise_file.display(),
        enterprises,
        annual_file.display(),
        enterprises * years
    );
    Ok(())
}
