//! The command line: `gaoxin serve | demo | migrate | version | zone … | user …`.
//! Results go to stdout (as JSON with `--format json`), errors to stderr with exit code 1.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::app::{AppConfig, AppState, serve};
use gaoxin_admin::{accounts, zones};
use gaoxin_enterprises as enterprises;
use gaoxin_platform::cli::{Format, print_json};
use gaoxin_platform::db::{DatabaseUrl, Db};

#[derive(Parser, Debug)]
#[command(
    name = "gaoxin",
    version,
    about = "gaoxin — 高新区管委会运营平台 (the operating platform of a high-tech zone)"
)]
pub struct Cli {
    /// 数据库地址 (database URL): sqlite://gaoxin.db or postgres://…
    #[arg(long, global = true, env = "DATABASE_URL")]
    pub db: Option<String>,
    /// 输出格式 (output format)
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 启动服务 (serve the web UI and API)
    Serve {
        #[arg(long, env = "GAOXIN_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Mark cookies Secure (serve over TLS / behind an HTTPS proxy)
        #[arg(long, env = "GAOXIN_SECURE_COOKIES")]
        secure_cookies: bool,
    },
    /// 演示区 (create a fresh demo zone and serve it)
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// 随机种子 (the demo data is the same for the same seed)
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 企业数量 (how many enterprises the demo zone has)
        #[arg(long, default_value_t = 2000)]
        enterprises: usize,
        /// Create the demo data and exit without serving
        #[arg(long)]
        no_serve: bool,
    },
    /// 数据库迁移 (bring the database schema up to date)
    Migrate,
    /// 备份 (write the whole database, read in one snapshot, to a .zip file)
    Backup {
        /// The backup file to write (e.g. gaoxin-2026-12-07.zip)
        file: std::path::PathBuf,
    },
    /// 恢复 (restore a backup into an empty database given by --db)
    Restore {
        /// A file written by `gaoxin backup`
        file: std::path::PathBuf,
    },
    /// 迁移到另一数据库 (copy the database given by --db into an empty one, e.g. SQLite → PostgreSQL)
    MigrateTo {
        /// The target database URL (postgres://… or sqlite://…), empty
        url: String,
    },
    /// 版本 (print the version)
    Version,
    /// 开发区管理 (zones)
    #[command(subcommand)]
    Zone(zones::cli::ZoneCommand),
    /// 用户管理 (accounts)
    #[command(subcommand)]
    User(accounts::cli::UserCommand),
    /// 企业库 (enterprise registry)
    #[command(subcommand)]
    Enterprise(enterprises::cli::EnterpriseCommand),
    /// 年度数据 (annual data)
    #[command(subcommand)]
    Annual(enterprises::cli::AnnualCommand),
    /// 统一社会信用代码 (USCC)
    #[command(subcommand)]
    Uscc(enterprises::cli::UsccCommand),
    /// 政策 (policy evaluation; the zone's policies and payment batches)
    #[command(subcommand)]
    Policy(gaoxin_policies::cli::PolicyCommand),
    /// 梯度培育 (cultivation ladder: criteria, evaluation, one enterprise's gaps)
    #[command(subcommand)]
    Ladder(gaoxin_ladder::cli::LadderCommand),
    /// 亩均评价 (land-efficiency evaluation: scheme tests; a scheme on the registry's data)
    #[command(subcommand)]
    Land(gaoxin_land::cli::LandCommand),
    /// 目标与序时进度 (targets against 序时进度)
    #[command(subcommand)]
    Target(gaoxin_targets::cli::TargetCommand),
    /// 工作方案与任务台账 (plan parsing, the task ledger)
    #[command(subcommand)]
    Plan(gaoxin_plans::cli::PlanCommand),
    /// 招商项目 (the project book: board, monthly bulletin, half-year scores, ledger import)
    #[command(subcommand)]
    Project(gaoxin_projects::cli::ProjectCommand),
    /// 规则文件 (rule files: run their tests)
    #[command(subcommand)]
    Rules(gaoxin_policies::rule_files::RulesCommand),
    /// 基准测试 (benchmark helpers; see BENCHMARKS.md)
    #[command(subcommand)]
    Bench(gaoxin_bench::BenchCommand),
    /// 模糊测试 (fuzz the readers and parsers of outside input; exit 1 on a finding)
    Fuzz {
        /// spreadsheet, csv, docx, plan, expression, rule_file, or all
        #[arg(default_value = "all")]
        target: String,
        /// Seconds per target
        #[arg(long, default_value_t = 20.0)]
        seconds: f64,
        /// Seed of the mutations (default: the time)
        #[arg(long)]
        seed: Option<u64>,
        /// The kept corpus, one folder per target
        #[arg(long, default_value = "fuzz/corpus")]
        corpus: std::path::PathBuf,
        /// Where a finding is written
        #[arg(long, default_value = "fuzz/crashes")]
        crashes: std::path::PathBuf,
        /// Write the generated seeds (.xlsx, .docx) into the corpus and exit
        #[arg(long)]
        write_seeds: bool,
    },
}

fn init_tracing(serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving { "info,sqlx=warn,sea_orm=warn" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("GAOXIN_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(matches!(cli.command, Command::Serve { .. } | Command::Demo { .. }));
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn database_url(cli_db: Option<&str>) -> anyhow::Result<DatabaseUrl> {
    DatabaseUrl::parse(cli_db.unwrap_or("sqlite://gaoxin.db"))
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // How much of an uploaded table is read (GAOXIN_UPLOAD_MAX_*), for the server and commands.
    gaoxin_platform::spreadsheet::configure(
        gaoxin_platform::spreadsheet::Limits::from_env().map_err(|e| anyhow::anyhow!(e))?,
    );
    let format = cli.format;
    let db_arg = cli.db.as_deref();
    match cli.command {
        Command::Version => {
            let version = env!("CARGO_PKG_VERSION");
            match format {
                Format::Json => print_json(&serde_json::json!({"name": "gaoxin", "version": version})),
                Format::Text | Format::Csv => println!("gaoxin {version}"),
            }
            Ok(())
        }
        Command::Migrate => migrate(db_arg, format).await,
        Command::Backup { file } => backup(db_arg, format, &file).await,
        Command::Restore { file } => restore(db_arg, format, &file).await,
        Command::MigrateTo { url } => migrate_to(db_arg, format, &url).await,
        Command::Serve { bind, secure_cookies } => {
            let url = database_url(db_arg)?;
            let db = Db::open(&url).await?;
            tracing::info!(database = %url, "database ready");
            let config = AppConfig {
                secure_cookies,
                clock: gaoxin_platform::cli::clock()?,
                ..AppConfig::default()
            };
            serve(
                AppState {
                    db,
                    config: Arc::new(config),
                },
                bind,
            )
            .await
        }
        Command::Demo {
            bind,
            seed,
            enterprises,
            no_serve,
        } => demo(db_arg, format, bind, seed, enterprises, no_serve).await,
        Command::Zone(command) => zones::cli::run(&open(db_arg).await?, command, format).await,
        Command::User(command) => accounts::cli::run(&open(db_arg).await?, command, format).await,
        Command::Enterprise(command) => enterprises::cli::run_enterprise(&open(db_arg).await?, command, format).await,
        Command::Annual(command) => enterprises::cli::run_annual(&open(db_arg).await?, command, format).await,
        Command::Uscc(command) => enterprises::cli::run_uscc(command, format),
        Command::Bench(command) => gaoxin_bench::run(command),
        Command::Fuzz {
            target,
            seconds,
            seed,
            corpus,
            crashes,
            write_seeds,
        } => fuzz(format, &target, seconds, seed, &corpus, &crashes, write_seeds),
        Command::Policy(command) => {
            let db = open_if(db_arg, gaoxin_policies::cli::needs_db(&command)).await?;
            gaoxin_policies::cli::run(db.as_ref(), command, format).await
        }
        Command::Ladder(command) => {
            let db = open_if(db_arg, gaoxin_ladder::cli::needs_db(&command)).await?;
            gaoxin_ladder::cli::run(db.as_ref(), command, format).await
        }
        Command::Rules(command) => gaoxin_policies::rule_files::run_rules(command, format),
        Command::Target(command) => gaoxin_targets::cli::run(&open(db_arg).await?, command, format).await,
        Command::Plan(command) => {
            let db = open_if(db_arg, gaoxin_plans::cli::needs_db(&command)).await?;
            gaoxin_plans::cli::run(db.as_ref(), command, format).await
        }
        Command::Project(command) => gaoxin_projects::cli::run(&open(db_arg).await?, command, format).await,
        Command::Land(command) => {
            let db = open_if(db_arg, gaoxin_land::cli::needs_db(&command)).await?;
            gaoxin_land::cli::run(db.as_ref(), command, format).await
        }
    }
}

/// The database of a command, migrated.
async fn open(db_arg: Option<&str>) -> anyhow::Result<Db> {
    Db::open(&database_url(db_arg)?).await
}

/// The database of a command that needs one (rule-file commands work without).
async fn open_if(db_arg: Option<&str>, needed: bool) -> anyhow::Result<Option<Db>> {
    Ok(if needed { Some(open(db_arg).await?) } else { None })
}

async fn migrate(db_arg: Option<&str>, format: Format) -> anyhow::Result<()> {
    let url = database_url(db_arg)?;
    let db = Db::connect(&url).await?;
    let applied = db.migrate().await?;
    match format {
        Format::Json => print_json(&serde_json::json!({"database": url.to_string(), "applied": applied})),
        Format::Text | Format::Csv if applied.is_empty() => println!("数据库已是最新：{url}"),
        Format::Text | Format::Csv => println!("已执行 {} 个迁移：{}", applied.len(), applied.join(", ")),
    }
    Ok(())
}

/// `gaoxin fuzz`: each target for `seconds` from its corpus; the first finding stops the run
/// with exit 1 and the input kept in `crashes`.
fn fuzz(
    format: Format,
    name: &str,
    seconds: f64,
    seed: Option<u64>,
    corpus: &std::path::Path,
    crashes: &std::path::Path,
    write_seeds: bool,
) -> anyhow::Result<()> {
    if write_seeds {
        for path in gaoxin_fuzz::write_seeds(corpus)? {
            println!("{}", path.display());
        }
        return Ok(());
    }
    let targets: Vec<&'static gaoxin_fuzz::Target> = match name {
        "all" => gaoxin_fuzz::TARGETS.iter().collect(),
        one => vec![gaoxin_fuzz::target(one).ok_or_else(|| {
            let names: Vec<&str> = gaoxin_fuzz::TARGETS.iter().map(|t| t.name).collect();
            anyhow::anyhow!("没有名为 {one} 的模糊测试目标：可选 {} 或 all", names.join("、"))
        })?],
    };
    let seed = seed.unwrap_or_else(|| {
        gaoxin_core::clock::system_now()
            .timestamp_nanos_opt()
            .map_or(1, |n| n as u64)
    });
    if format != Format::Json {
        println!("种子 (seed) {seed}，每个目标 {seconds} 秒");
    }
    let mut results = Vec::new();
    for target in targets {
        let outcome = gaoxin_fuzz::fuzz(target, &corpus.join(target.name), crashes, seconds, seed)?;
        let finding = outcome
            .finding
            .as_ref()
            .map(|(p, why)| format!("{why}: {}", p.display()));
        if format != Format::Json {
            println!(
                "{:<12} {:>9} 次（语料 {} 个，最慢 {:.0} ms）{}",
                outcome.target,
                outcome.runs,
                outcome.corpus,
                outcome.slowest.as_secs_f64() * 1000.0,
                finding
                    .as_deref()
                    .map(|f| format!(" 发现问题：{f}"))
                    .unwrap_or_default()
            );
        }
        results.push(serde_json::json!({
            "target": outcome.target, "runs": outcome.runs, "corpus": outcome.corpus,
            "slowest_ms": outcome.slowest.as_millis() as u64, "finding": finding,
        }));
        if outcome.finding.is_some() {
            break;
        }
    }
    if format == Format::Json {
        print_json(&serde_json::json!({"seed": seed, "targets": results}));
    }
    match results.iter().find(|r| !r["finding"].is_null()) {
        Some(r) => anyhow::bail!("模糊测试发现问题（种子 {seed}）：{}", r["finding"]),
        None => Ok(()),
    }
}

fn report(
    format: Format,
    verb: &str,
    what: &str,
    manifest: &gaoxin_platform::backup::Manifest,
    started: std::time::Instant,
) {
    let seconds = started.elapsed().as_secs_f64();
    match format {
        Format::Json => print_json(&serde_json::json!({
            "action": verb, "target": what, "tables": manifest.tables.len(), "rows": manifest.rows(),
            "migrations": manifest.migrations.len(), "seconds": seconds,
        })),
        Format::Text | Format::Csv => println!(
            "{verb}：{what}（{} 张表，{} 行，用时 {seconds:.1} 秒）",
            manifest.tables.len(),
            manifest.rows()
        ),
    }
}

/// `gaoxin backup FILE`: the database in one snapshot, written to FILE (via a temporary file,
/// so a failed backup never leaves a half-written one under the name).
async fn backup(db_arg: Option<&str>, format: Format, file: &std::path::Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let db = Db::connect(&database_url(db_arg)?).await?;
    let partial = file.with_extension("partial");
    let out = std::fs::File::create(&partial).with_context(|| format!("无法写入 {}", partial.display()))?;
    let manifest = match gaoxin_platform::backup::backup(&db, std::io::BufWriter::new(out)).await {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, file).with_context(|| format!("无法写入 {}", file.display()))?;
    report(format, "已备份", &file.display().to_string(), &manifest, started);
    Ok(())
}

/// `gaoxin restore FILE`: into the (empty) database given by --db.
async fn restore(db_arg: Option<&str>, format: Format, file: &std::path::Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let url = database_url(db_arg)?;
    let db = Db::connect(&url).await?;
    let input = std::fs::File::open(file).with_context(|| format!("无法打开 {}", file.display()))?;
    let manifest = gaoxin_platform::backup::restore(&db, std::io::BufReader::new(input)).await?;
    report(format, "已恢复", &url.to_string(), &manifest, started);
    Ok(())
}

/// `gaoxin migrate-to URL`: the database given by --db, copied into the empty one at URL (a
/// backup held in memory, then restored).
async fn migrate_to(db_arg: Option<&str>, format: Format, target: &str) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let source = Db::connect(&database_url(db_arg)?).await?;
    let target_url = DatabaseUrl::parse(target)?;
    let target = Db::connect(&target_url).await?;
    let mut buffer = std::io::Cursor::new(Vec::new());
    gaoxin_platform::backup::backup(&source, &mut buffer).await?;
    buffer.set_position(0);
    let manifest = gaoxin_platform::backup::restore(&target, buffer).await?;
    report(format, "已迁移到", &target_url.to_string(), &manifest, started);
    Ok(())
}

/// `gaoxin demo`: a fresh demo database (a new `gaoxin-demo.db` unless `--db` names one), then
/// the server on it unless `--no-serve`.
async fn demo(
    db_arg: Option<&str>,
    format: Format,
    bind: SocketAddr,
    seed: u64,
    enterprises: usize,
    no_serve: bool,
) -> anyhow::Result<()> {
    let url = match db_arg {
        Some(given) => DatabaseUrl::parse(given)?,
        None => {
            let file = "gaoxin-demo.db";
            for suffix in ["", "-wal", "-shm"] {
                let path = format!("{file}{suffix}");
                if std::path::Path::new(&path).exists() {
                    std::fs::remove_file(&path).with_context(|| format!("无法删除旧的演示数据库 {path}"))?;
                }
            }
            DatabaseUrl::parse(&format!("sqlite://{file}"))?
        }
    };
    let db = Db::open(&url).await?;
    let summary = crate::demo::create(&db, seed, enterprises).await?;
    match format {
        Format::Json => print_json(&serde_json::json!({
            "url": format!("http://{bind}/"), "database": url.to_string(), "zone": summary.zone_code,
            "enterprises": summary.enterprises, "departments": summary.departments,
            "accounts": crate::demo::ACCOUNTS.iter().map(|a| serde_json::json!({"username": a.username, "role": a.role})).collect::<Vec<_>>(),
            "password": crate::demo::PASSWORD,
        })),
        Format::Text | Format::Csv => {
            println!(
                "演示区已生成：{}（{} 家企业，{} 个部门），数据库 {url}",
                summary.zone_name, summary.enterprises, summary.departments
            );
            println!("打开 http://{bind}/ ，演示账号（密码均为 {}）：", crate::demo::PASSWORD);
            for a in crate::demo::ACCOUNTS {
                println!("  {:<8} {}", a.username, a.description);
            }
        }
    }
    if no_serve {
        return Ok(());
    }
    let config = AppConfig {
        demo: true,
        clock: gaoxin_platform::cli::clock()?,
        ..AppConfig::default()
    };
    serve(
        AppState {
            db,
            config: Arc::new(config),
        },
        bind,
    )
    .await
}
