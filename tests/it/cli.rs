//! The command line, run as a real process against a real database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::TestDb;

fn gaoxin(db: &TestDb, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gaoxin"))
        .arg("--db")
        .arg(db.url.as_str())
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("GAOXIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn ok_json(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let out = gaoxin(db, args, None);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn fails_with(db: &TestDb, args: &[&str], needle: &str) {
    let out = gaoxin(db, args, None);
    assert!(!out.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(needle), "{args:?}: stderr {stderr:?} lacks {needle:?}");
    assert!(out.stdout.is_empty(), "errors go to stderr only");
}

#[tokio::test]
async fn zones_and_users_are_managed_from_the_command_line() {
    let db = TestDb::new().await;
    let migrated = ok_json(&db, &["migrate", "--format", "json"]);
    assert_eq!(migrated["applied"].as_array().unwrap().len(), 1);
    let again = ok_json(&db, &["migrate", "--format", "json"]);
    assert_eq!(again["applied"].as_array().unwrap().len(), 0);
    let zone = ok_json(&db, &["zone", "add", "jiangyin", "江阴高新区", "--format", "json"]);
    assert_eq!(zone["code"], "jiangyin");
    fails_with(&db, &["zone", "add", "jiangyin", "重复"], "已存在");
    fails_with(&db, &["zone", "add", "江阴", "江阴"], "开发区代码");
    let user = ok_json(
        &db,
        &[
            "user",
            "add",
            "boss",
            "--role",
            "admin",
            "--name",
            "周主任",
            "--password",
            "secret-pass-1",
            "--format",
            "json",
        ],
    );
    assert_eq!(user["role"], "admin");
    assert_eq!(user["zone"], "jiangyin");
    fails_with(
        &db,
        &["user", "add", "s1", "--role", "staff", "--password", "secret-pass-1"],
        "部门人员必须选择所属部门",
    );
    fails_with(
        &db,
        &[
            "user",
            "add",
            "s1",
            "--role",
            "staff",
            "--department",
            "无此部门",
            "--password",
            "secret-pass-1",
        ],
        "没有名为",
    );
    fails_with(
        &db,
        &[
            "user",
            "add",
            "p1",
            "--role",
            "province",
            "--zone",
            "jiangyin",
            "--password",
            "secret-pass-1",
        ],
        "不能指定 --zone",
    );
    fails_with(
        &db,
        &["user", "add", "boss", "--role", "leader", "--password", "secret-pass-1"],
        "已被使用",
    );
    fails_with(
        &db,
        &["user", "add", "weak", "--role", "leader", "--password", "123"],
        "至少 8 位",
    );
    fails_with(
        &db,
        &["user", "add", "x1", "--role", "root", "--password", "secret-pass-1"],
        "未知角色",
    );
    ok_json(
        &db,
        &[
            "user",
            "add",
            "prov",
            "--role",
            "province",
            "--password",
            "secret-pass-1",
            "--format",
            "json",
        ],
    );
    // The password from standard input.
    let out = gaoxin(
        &db,
        &["user", "passwd", "boss", "--format", "json"],
        Some("another-pass-2\n"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let disabled = ok_json(&db, &["user", "disable", "boss", "--format", "json"]);
    assert_eq!(disabled["active"], false);
    let users = ok_json(&db, &["user", "list", "--format", "json"]);
    let boss = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "boss")
        .unwrap();
    assert_eq!(boss["active"], false);
    let zones = ok_json(&db, &["zone", "list", "--format", "json"]);
    assert_eq!(zones[0]["accounts"], 1);
    fails_with(&db, &["user", "disable", "ghost"], "不存在");
    // Every change made from the command line is in the audit log.
    let app_db = gaoxin::platform::db::Db::open(&db.url).await.unwrap();
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let lines = gaoxin::platform::audit::entity::Entity::find()
        .filter(gaoxin::platform::audit::entity::Column::ActorName.eq("命令行 (cli)"))
        .all(app_db.conn())
        .await
        .unwrap();
    let actions: Vec<&str> = lines.iter().map(|l| l.action.as_str()).collect();
    assert!(actions.contains(&"password_changed"), "{actions:?}");
    assert!(lines.len() >= 5, "{actions:?}");
}

#[test]
fn version_and_bad_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_gaoxin"))
        .args(["version", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], "gaoxin");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    let out = Command::new(env!("CARGO_BIN_EXE_gaoxin"))
        .args(["--db", "mysql://x", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("数据库地址"));
    let out = Command::new(env!("CARGO_BIN_EXE_gaoxin"))
        .args(["frobnicate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
