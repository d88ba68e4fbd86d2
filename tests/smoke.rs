mod common;

use actix_web::http::StatusCode;

#[actix_web::test]
async fn health_answers() {
    let server = common::start().await;
    let (status, body) = server.client().get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let (status, headers, page) = server
        .client()
        .send_raw(actix_web::http::Method::GET, "/", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&page).contains("<html"));
    let csp = headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert_eq!(csp, twinhub::http::ui::PAGE_CSP);
    let me = server.member("ann@example.eu", "FR").await;
    assert!(me.my_id().await > 0);
    server.stop().await;
}
