//! Two writes for one user can be published in the opposite order of their sequence
//! numbers: the socket must still deliver them in order, and resync only when one never comes.

mod common;

use serde_json::json;
use twinhub::domain::event::{UserEvent, UserEventBody};
use twinhub::ids::UserId;
use twinhub::live::bus::BusMessage;
use twinhub::live::registry::Publish;

fn event(seq: u64) -> UserEvent {
    UserEvent {
        seq,
        at: time::OffsetDateTime::UNIX_EPOCH,
        body: UserEventBody::NotificationsRead {
            ids: vec![],
            unread: seq,
        },
    }
}

#[actix_web::test]
async fn out_of_order_pushes_are_delivered_in_order_and_lost_ones_resync() {
    let server = common::start().await;
    let anon = server.client();
    anon.register("ann@x.eu", "FR").await;
    let ann = anon.login_token("ann@x.eu", common::PASSWORD).await;
    let user = UserId(ann.my_id().await);
    let mut ws = server.ws_token(&ann).await;
    let r = ws.call(json!({"type": "resume"})).await;
    assert_eq!(r["data"]["last_seq"], 0);

    let publish = |events: Vec<u64>| {
        let msgs = events
            .into_iter()
            .map(|s| BusMessage::User(user, event(s)))
            .collect();
        server.registry.do_send(Publish(msgs));
    };
    publish(vec![2, 1]);
    let first = ws.recv_until(|f| f["type"] == "event").await;
    let second = ws.recv_until(|f| f["type"] == "event").await;
    assert_eq!(
        (
            first["event"]["seq"].as_u64(),
            second["event"]["seq"].as_u64()
        ),
        (Some(1), Some(2))
    );

    // Seq 3 never comes: after the gap wait, the client is told to resync to 4.
    publish(vec![4]);
    let resync = ws
        .recv_until(|f| f["type"] == "resync" || f["type"] == "event")
        .await;
    assert_eq!(resync["type"], "resync", "{resync}");
    assert_eq!(resync["last_seq"], 4);
    // And live delivery continues from there.
    publish(vec![5]);
    let next = ws.recv_until(|f| f["type"] == "event").await;
    assert_eq!(next["event"]["seq"], 5);
    server.stop().await;
}
