mod common;

use serde_json::json;

#[actix_web::test]
async fn validation_reaches_the_teacher_live_and_resume_replays_it() {
    let server = common::start().await;
    let anon = server.client();
    anon.register("nso@x.eu", "FR").await;
    anon.register("admin@x.eu", "FR").await;
    anon.register("ann@x.eu", "FR").await;
    server.make_admin("admin@x.eu");
    let admin = anon.login_token("admin@x.eu", common::PASSWORD).await;
    let nso_id = server.user_id("nso@x.eu").0;
    let (s, _) = admin.appoint_nso(nso_id, "FR").await;
    assert!(s.is_success());
    let nso = anon.login_token("nso@x.eu", common::PASSWORD).await;
    let ann = anon.login_token("ann@x.eu", common::PASSWORD).await;

    let mut tab = server.ws_token(&ann).await;
    let r = tab.call(json!({"type":"resume"})).await;
    assert_eq!(r["data"]["last_seq"], 0, "{r}");
    let ann_id = server.user_id("ann@x.eu").0;
    let (s, _) = nso
        .send(
            actix_web::http::Method::PUT,
            &format!("/api/nso/members/{ann_id}/validation"),
            None,
        )
        .await;
    assert!(s.is_success());
    let ev = tab.recv_until(|f| f["type"] == "event").await;
    assert_eq!(ev["event"]["seq"], 1);
    assert_eq!(ev["event"]["kind"], "notification");
    assert_eq!(ev["event"]["unread"], 1);

    let mut later = server.ws_token(&ann).await;
    let r = later.call(json!({"type":"resume","after":0})).await;
    assert_eq!(r["data"]["replayed"], 1, "{r}");
    server.stop().await;
}
