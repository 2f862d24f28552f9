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
        Command::Policy(command) => {
            let db = open_if(db_arg, gaoxin_policies::cli::needs_db(&command)).await?;
            gaoxin_policies::cli::run(db.as_ref(), command, format).await
        }
        Command::Ladder(command) => {
            let db = open_if(db_arg, gaoxin_ladder::cli::needs_db(&command)).await?;
            gaoxin_ladder::cli::run(db.as_ref(), command, format).await
        }
        Command::Rules(command) => gaoxin_policies::rule_files::run_rules(command, format),
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
