//! The machine output of an evaluation (`gaoxin land evaluate --format json|csv`), one record
//! per enterprise. The JSON field names are a contract: `uscc`, `indicators` (each indicator's
//! value, 4 decimals, null when unknown), `scores` (each indicator's points, 2 decimals),
//! `score` (the total, 2 decimals), `rank`, `class`, `excluded` (the reason, or null). Numbers
//! are JSON numbers written from exact decimals, never through floating point.

use std::io::Write;

use rust_decimal::Decimal;

use super::{LandResult, Scheme};
use crate::expr::round_half_up;

/// One enterprise of the output.
pub struct Record<'a> {
    pub uscc: &'a str,
    pub name: Option<&'a str>,
    pub result: &'a LandResult,
}

/// Ranked first (ties in the given order), the excluded after them in the given order.
pub fn ranked<'a>(mut records: Vec<Record<'a>>) -> Vec<Record<'a>> {
    records.sort_by_key(|r| (r.result.excluded.is_some(), r.result.rank));
    records
}

/// The rows of a CSV read by `land::input::read_csv` with their results, [`ranked`].
pub fn ranked_rows<'a>(rows: &'a [super::input::Row], results: &'a [LandResult]) -> Vec<Record<'a>> {
    ranked(
        rows.iter()
            .zip(results)
            .map(|(row, result)| Record {
                uscc: &row.uscc,
                name: row.name.as_deref(),
                result,
            })
            .collect(),
    )
}

fn json_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("a string serialises");
}

fn fixed(out: &mut Vec<u8>, d: Decimal, places: u32) {
    write!(out, "{:.*}", places as usize, round_half_up(d, places)).expect("writing to a Vec");
}

/// Formats records in parallel, in order, chunk by chunk, and hands each chunk to `sink`.
fn write_parallel(
    records: &[Record<'_>],
    sink: &mut impl Write,
    one: impl Fn(&mut Vec<u8>, usize, &Record<'_>) + Sync,
) -> std::io::Result<()> {
    const CHUNK: usize = 4096;
    let starts: Vec<usize> = (0..records.len()).step_by(CHUNK).collect();
    for group in starts.chunks(16) {
        let parts = crate::ladder::parallel_map(group, |start| {
            let mut out = Vec::with_capacity(CHUNK * 256);
            for (n, r) in records[*start..(*start + CHUNK).min(records.len())].iter().enumerate() {
                one(&mut out, start + n, r);
            }
            out
        });
        for part in parts {
            sink.write_all(&part)?;
        }
    }
    Ok(())
}

/// Writes the records as a JSON array, one object per line.
pub fn write_json(scheme: &Scheme, records: &[Record<'_>], mut sink: impl Write) -> std::io::Result<()> {
    sink.write_all(b"[")?;
    write_parallel(records, &mut sink, |out, n, r| {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"\n{\"uscc\":");
        json_str(out, r.uscc);
        if let Some(name) = r.name {
            out.extend_from_slice(b",\"name\":");
            json_str(out, name);
        }
        let res = r.result;
        out.extend_from_slice(b",\"indicators\":{");
        for (k, i) in res.indicators.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            json_str(out, &scheme.indicators[k].id);
            out.push(b':');
            match i.value {
                Some(v) => fixed(out, v, 4),
                None => out.extend_from_slice(b"null"),
            }
        }
        out.extend_from_slice(b"},\"scores\":{");
        for (k, i) in res.indicators.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            json_str(out, &scheme.indicators[k].id);
            out.push(b':');
            fixed(out, i.score, 2);
        }
        out.extend_from_slice(b"},\"adjustments\":{");
        for (k, (a, points)) in res.adjustments.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            json_str(out, &scheme.adjustments[*a].rule.id);
            out.push(b':');
            fixed(out, *points, 2);
        }
        out.extend_from_slice(b"},\"score\":");
        match res.excluded {
            None => fixed(out, res.total, 2),
            Some(_) => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"rank\":");
        match res.excluded {
            None => {
                let _ = write!(out, "{}", res.rank);
            }
            Some(_) => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"class\":");
        json_str(out, scheme.class_name(res));
        out.extend_from_slice(b",\"excluded\":");
        match res.excluded {
            None => out.extend_from_slice(b"null"),
            Some(x) => json_str(out, &scheme.exclusion_reason(x).1),
        }
        out.push(b'}');
    })?;
    sink.write_all(b"\n]\n")?;
    sink.flush()
}

fn csv_field(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Writes the records as CSV: `uscc,name,score,rank,class,excluded`, then each indicator's
/// value (column named by its id) and points (`id_score`), then the adjustments' points.
pub fn write_csv(scheme: &Scheme, records: &[Record<'_>], mut sink: impl Write) -> std::io::Result<()> {
    let mut out: Vec<u8> = Vec::with_capacity(1 << 20);
    out.extend_from_slice(b"uscc,name,score,rank,class,excluded");
    for i in &scheme.indicators {
        out.push(b',');
        csv_field(&mut out, &i.id);
    }
    for i in &scheme.indicators {
        out.push(b',');
        csv_field(&mut out, &format!("{}_score", i.id));
    }
    out.extend_from_slice(b",adjustments\n");
    sink.write_all(&out)?;
    write_parallel(records, &mut sink, |out, _, r| {
        let res = r.result;
        csv_field(out, r.uscc);
        out.push(b',');
        csv_field(out, r.name.unwrap_or(""));
        out.push(b',');
        if res.excluded.is_none() {
            fixed(out, res.total, 2);
            out.push(b',');
            let _ = write!(out, "{}", res.rank);
        } else {
            out.push(b',');
        }
        out.push(b',');
        csv_field(out, scheme.class_name(res));
        out.push(b',');
        if let Some(x) = res.excluded {
            csv_field(out, &scheme.exclusion_reason(x).1);
        }
        for k in 0..scheme.indicators.len() {
            out.push(b',');
            if let Some(v) = res.indicators.get(k).and_then(|i| i.value) {
                fixed(out, v, 4);
            }
        }
        for k in 0..scheme.indicators.len() {
            out.push(b',');
            if let Some(i) = res.indicators.get(k) {
                fixed(out, i.score, 2);
            }
        }
        out.push(b',');
        if res.excluded.is_none() {
            fixed(out, res.adjustments.iter().map(|(_, p)| *p).sum(), 2);
        }
        out.push(b'\n');
    })?;
    sink.flush()
}

/// The ranking as staff read it: rank, class, score, name; then those listed separately.
pub fn write_text(scheme: &Scheme, year: i32, records: &[Record<'_>], mut sink: impl Write) -> std::io::Result<()> {
    let evaluated = records.iter().filter(|r| r.result.excluded.is_none()).count();
    writeln!(
        sink,
        "{}（{}）{year} 年度：{evaluated} 家参评，{} 家不参评或不在范围",
        scheme.name,
        scheme.document_number,
        records.len() - evaluated
    )?;
    for r in records {
        let who = r.name.unwrap_or(r.uscc);
        match r.result.excluded.map(|x| scheme.exclusion_reason(x).1) {
            None => writeln!(
                sink,
                "{:>5}  {:<10}  {:>9}  {who}",
                r.result.rank,
                scheme.class_name(r.result),
                format!("{:.2}", round_half_up(r.result.total, 2)),
            )?,
            Some(reason) if reason.starts_with("不在评价范围") => {}
            Some(reason) => writeln!(
                sink,
                "    -  {:<10}  {:>9}  {who}（{reason}）",
                scheme.class_name(r.result),
                ""
            )?,
        }
    }
    sink.flush()
}
