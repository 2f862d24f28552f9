//! The demo zone: deterministic, and every demo account sees what its role allows.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use gaoxin::app::{AppConfig, AppState, app};
use gaoxin_platform::db::Db;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::helpers::TestDb;

async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, Option<String>, String, Vec<String>) {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    let cookies = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    (status, location, body, cookies)
}

#[tokio::test]
async fn every_demo_account_signs_in_and_sees_what_its_role_allows() {
    let test_db = TestDb::new().await;
    let db = Db::open(&test_db.url).await.unwrap();
    let summary = gaoxin::demo::create(&db, 7, 60).await.unwrap();
    assert_eq!(summary.enterprises, 60);
    assert_eq!(summary.departments, 12);
    let router = app(AppState {
        db: db.clone(),
        config: Arc::new(AppConfig {
            demo: true,
            ..AppConfig::default()
        }),
    });
    let (_, _, login_page, _) = send(&router, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert!(login_page.contains("演示账号"));
    // username → (home status, /admin/users status, /departments status)
    let expected = [
        ("admin", StatusCode::OK, StatusCode::OK, StatusCode::OK),
        ("leader", StatusCode::OK, StatusCode::FORBIDDEN, StatusCode::OK),
        ("keji", StatusCode::OK, StatusCode::FORBIDDEN, StatusCode::OK),
        ("jingfa", StatusCode::OK, StatusCode::FORBIDDEN, StatusCode::OK),
        (
            "qiye",
            StatusCode::SEE_OTHER,
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        ("shenji", StatusCode::OK, StatusCode::OK, StatusCode::OK),
    ];
    for (user, home, users, departments) in expected {
        let form = format!("username={user}&password={}", gaoxin::demo::PASSWORD);
        let (status, _, body, cookies) = send(
            &router,
            Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("host", "localhost")
                .body(Body::from(form))
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{user}: {body}");
        let cookie = cookies.into_iter().find(|c| c.starts_with("gaoxin_session=")).unwrap();
        let get = |path: &str| {
            Request::get(path)
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap()
        };
        let (status, location, body, _) = send(&router, get("/")).await;
        assert_eq!(status, home, "{user} /");
        if status == StatusCode::OK {
            assert!(body.contains("<h1>首页</h1>"), "{user}");
        } else {
            let target = location.unwrap();
            assert!(target.starts_with("/enterprises/"));
            let (status, _, body, _) = send(&router, get(&target)).await;
            assert_eq!(status, StatusCode::OK);
            assert!(body.contains("统一社会信用代码"));
        }
        assert_eq!(send(&router, get("/admin/users")).await.0, users, "{user} /admin/users");
        assert_eq!(
            send(&router, get("/departments")).await.0,
            departments,
            "{user} /departments"
        );
    }
    // A second demo in the same database is refused.
    let err = gaoxin::demo::create(&db, 7, 60).await.unwrap_err().to_string();
    assert!(err.contains("空数据库"), "{err}");
}

#[tokio::test]
async fn the_same_seed_gives_the_same_demo_zone() {
    let mut lists = Vec::new();
    for seed in [3, 3, 4] {
        let test_db = TestDb::new().await;
        let db = Db::open(&test_db.url).await.unwrap();
        gaoxin::demo::create(&db, seed, 40).await.unwrap();
        use sea_orm::{EntityTrait, QueryOrder};
        let rows = gaoxin_enterprises::entity::Entity::find()
            .order_by_asc(gaoxin_enterprises::entity::Column::Id)
            .all(db.conn())
            .await
            .unwrap();
        for row in &rows {
            assert!(gaoxin_core::uscc::verify_uscc(&row.uscc).is_ok(), "{}", row.uscc);
        }
        lists.push(rows.into_iter().map(|r| (r.name, r.uscc)).collect::<Vec<_>>());
        db.close().await;
    }
    assert_eq!(lists[0], lists[1]);
    assert_ne!(lists[0], lists[2]);
}
