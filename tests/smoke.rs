mod common;

use actix_web::http::StatusCode;

#[actix_web::test]
async fn health_answers() {
    let server = common::start().await;
    let (status, body) = server.client().get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let me = server.member("ann@example.eu", "FR").await;
    assert!(me.my_id().await > 0);
    server.stop().await;
}
