//! `gaoxin project …`: the monthly bulletin, the half-year scores, the ledger import.

use clap::Subcommand;

use crate::cli::Format;
use crate::platform::auth::Scope;
use crate::platform::db::Db;

#[derive(Subcommand, Debug)]
pub enum ProjectCommand {
    /// 列出项目库各阶段的项目数和总投资
    Board {
        #[arg(long)]
        zone: Option<String>,
    },
}

async fn zone_scope(db: &Db, zone: Option<String>) -> anyhow::Result<Scope> {
    let zone = crate::modules::zones::cli::pick(db, zone.as_deref()).await?;
    Ok(Scope::demo_admin(zone.into(), 0))
}

pub async fn run(db: &Db, command: ProjectCommand, format: Format) -> anyhow::Result<()> {
    match command {
        ProjectCommand::Board { zone } => {
            let scope = zone_scope(db, zone).await?;
            let book = super::store::book(db.conn(), &scope).await?;
            let lines = book.lines(crate::modules::land::web::today());
            let board = book.board(&lines);
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&board)?),
                _ => {
                    for c in board {
                        println!("{}\t{} 个\t{} 亿元", c.name, c.count, c.amount_yi());
                    }
                }
            }
            Ok(())
        }
    }
}
