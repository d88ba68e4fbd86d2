//! The mailbox over real HTTP and WebSockets (R3, R4): messages between validated contacts
//! only (a refusal names the recipient), to and cc, inbox and sent, read and unread marks
//! with a live count on every tab, delete for myself, replies, paging and the send throttle.

mod common;

use actix_web::http::{Method, StatusCode};
use common::{assert_error, Client, TestServer};
use serde_json::{json, Value};

struct Cast {
    server: TestServer,
    ann: Client,
    bob: Client,
    cat: Client,
    dan: Client,
    ann_id: u64,
    bob_id: u64,
    cat_id: u64,
    dan_id: u64,
    new_id: u64,
}

/// Ann is a contact of Bob and Cat; Dan is validated but nobody's contact; New is not validated.
async fn cast_with(tweak: impl FnOnce(&mut twinhub::config::Config)) -> Cast {
    let server = common::start_with(tweak).await;
    let nso = common::fr_officer(&server).await;
    let (ann, ann_id) = server.teacher(&nso, "ann@x.eu", true).await;
    let (bob, bob_id) = server.teacher(&nso, "bob@x.eu", true).await;
    let (cat, cat_id) = server.teacher(&nso, "cat@x.eu", true).await;
    let (dan, dan_id) = server.teacher(&nso, "dan@x.eu", true).await;
    let (_new, new_id) = server.teacher(&nso, "new@x.eu", false).await;
    server.connect(&ann, &bob).await;
    server.connect(&ann, &cat).await;
    Cast {
        server,
        ann,
        bob,
        cat,
        dan,
        ann_id,
        bob_id,
        cat_id,
        dan_id,
        new_id,
    }
}

async fn send(from: &Client, body: Value) -> (StatusCode, Value) {
    from.post("/api/mail", body).await
}

async fn folder(c: &Client, path: &str) -> Vec<Value> {
    let (status, body) = c.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body["items"].as_array().unwrap().clone()
}

async fn unread(c: &Client) -> u64 {
    let (_, body) = c.get("/api/mail/unread").await;
    body["unread"].as_u64().unwrap()
}

#[actix_web::test]
async fn contacts_write_to_each_other_and_every_tab_follows() {
    let k = cast_with(|_| {}).await;
    let bob_token = k
        .server
        .client()
        .login_token("bob@x.eu", common::PASSWORD)
        .await;
    let mut tab1 = k.server.ws_token(&bob_token).await;
    let mut tab2 = k.server.ws_token(&bob_token).await;
    for tab in [&mut tab1, &mut tab2] {
        tab.call(json!({"type": "resume"})).await;
    }

    let (status, sent) = send(
        &k.ann,
        json!({"to": [k.bob_id], "cc": [k.cat_id], "subject": "Our project", "body": "Shall we start in March?\n<b>Yes</b>"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let id = sent["id"].as_u64().unwrap();
    assert_eq!(sent["folder"], "sent");
    assert_eq!(sent["to"][0]["id"], k.bob_id);
    assert_eq!(sent["cc"][0]["id"], k.cat_id);

    // Both of Bob's tabs hear it, with the new count; then the notification.
    for tab in [&mut tab1, &mut tab2] {
        let ev = tab
            .recv_until(|f| f["type"] == "event" && f["event"]["kind"] == "mail")
            .await;
        assert_eq!(ev["event"]["change"], "new");
        assert_eq!(ev["event"]["unread_mail"], 1);
        assert_eq!(ev["event"]["summary"]["subject"], "Our project");
        assert_eq!(ev["event"]["summary"]["from"]["id"], k.ann_id);
        let note = tab
            .recv_until(|f| f["type"] == "event" && f["event"]["kind"] == "notification")
            .await;
        assert_eq!(note["event"]["notification"]["kind"], "mail_received");
        assert_eq!(note["event"]["notification"]["params"]["message"], id);
    }
    let inbox = folder(&k.bob, "/api/mail/inbox").await;
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0]["read"], false);
    assert!(inbox[0].get("body").is_none(), "lists carry no body");
    assert_eq!(folder(&k.cat, "/api/mail/inbox").await.len(), 1);
    assert_eq!(folder(&k.ann, "/api/mail/sent").await[0]["id"], id);
    assert!(folder(&k.ann, "/api/mail/inbox").await.is_empty());
    let (_, count) = k.bob.get("/api/mail/unread").await;
    assert_eq!(count["unread"], 1);
    assert!(count["seq"].as_u64().unwrap() >= 2, "{count}");

    // Reading marks it read on every tab; unread brings it back.
    let (status, message) = k.bob.get(&format!("/api/mail/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(message["body"], "Shall we start in March?\n<b>Yes</b>");
    for tab in [&mut tab1, &mut tab2] {
        let ev = tab
            .recv_until(|f| f["type"] == "event" && f["event"]["kind"] == "mail")
            .await;
        assert_eq!(ev["event"]["change"], "read");
        assert_eq!(ev["event"]["unread_mail"], 0);
    }
    assert_eq!(unread(&k.bob).await, 0);
    let (status, answer) = k
        .bob
        .send(Method::POST, &format!("/api/mail/{id}/unread"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["unread"], 1);
    let ev = tab2
        .recv_until(|f| f["type"] == "event" && f["event"]["kind"] == "mail")
        .await;
    assert_eq!(ev["event"]["change"], "unread");

    // Reply-all from Bob: Ann and Cat receive it, linked to the first.
    let (status, reply) = send(
        &k.bob,
        json!({"to": [k.ann_id], "subject": "Re: Our project", "body": "Yes!", "in_reply_to": id}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(
        folder(&k.ann, "/api/mail/inbox").await[0]["in_reply_to"],
        id
    );
    let reply_id = reply["id"].as_u64().unwrap();

    // The conversation, oldest first, as each participant holds it.
    let subjects = |thread: &Value| -> Vec<String> {
        thread
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["subject"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, thread) = k.ann.get(&format!("/api/mail/{reply_id}/thread")).await;
    assert_eq!(status, StatusCode::OK, "{thread}");
    assert_eq!(subjects(&thread), ["Our project", "Re: Our project"]);
    assert_eq!(thread[0]["folder"], "sent");
    assert_eq!(thread[1]["folder"], "inbox");
    assert_eq!(
        thread[1]["read"], false,
        "showing the thread marks nothing read"
    );
    let (_, cats) = k.cat.get(&format!("/api/mail/{id}/thread")).await;
    assert_eq!(subjects(&cats), ["Our project"], "Cat was not in the reply");

    // Deleting is for myself: Bob's copy goes, Ann's and Cat's stay; the last one erases it.
    let (status, _) = k
        .bob
        .send(Method::DELETE, &format!("/api/mail/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(unread(&k.bob).await, 0, "the unread copy left the count");
    assert_eq!(
        k.bob.get(&format!("/api/mail/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k.cat.get(&format!("/api/mail/{id}")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        k.ann.get(&format!("/api/mail/{id}")).await.0,
        StatusCode::OK
    );
    for c in [&k.ann, &k.cat] {
        let (status, _) = c
            .send(Method::DELETE, &format!("/api/mail/{id}"), None)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let stored: Option<Value> = k
        .server
        .core
        .store
        .get_json(twinhub::store::Tree::MessageidMessage, &id.to_be_bytes())
        .unwrap();
    assert!(stored.is_none(), "nobody holds it: erased");
    let (_, bobs) = k.bob.get(&format!("/api/mail/{reply_id}/thread")).await;
    assert_eq!(
        subjects(&bobs),
        ["Re: Our project"],
        "deleted for Bob: gone from his thread"
    );
    assert_eq!(
        k.dan.get(&format!("/api/mail/{reply_id}/thread")).await.0,
        StatusCode::NOT_FOUND
    );
    // Someone else's message is not found, not forbidden (no hint that it exists).
    assert_eq!(
        k.dan.get(&format!("/api/mail/{reply_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    k.server.stop().await;
}

#[actix_web::test]
async fn only_contacts_with_validated_profiles_can_be_written_to() {
    let k = cast_with(|_| {}).await;
    let msg =
        |to: Vec<u64>, cc: Vec<u64>| json!({"to": to, "cc": cc, "subject": "Hi", "body": "Hello"});

    let refused = send(&k.ann, msg(vec![k.bob_id], vec![k.dan_id])).await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    assert!(
        refused.1["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("dan is not one of your contacts"),
        "{}",
        refused.1
    );
    assert!(
        folder(&k.bob, "/api/mail/inbox").await.is_empty(),
        "refused as a whole"
    );
    assert!(folder(&k.ann, "/api/mail/sent").await.is_empty());
    assert_error(
        &send(&k.ann, msg(vec![k.new_id], vec![])).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &send(&k.dan, msg(vec![k.ann_id], vec![])).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &send(&k.ann, msg(vec![], vec![k.bob_id])).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    assert_error(
        &send(&k.ann, msg(vec![k.ann_id], vec![])).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    assert_error(
        &send(&k.ann, msg(vec![424_242], vec![])).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let long = json!({"to": [k.bob_id], "subject": "s".repeat(201), "body": "x"});
    assert_error(
        &send(&k.ann, long).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    let blank = json!({"to": [k.bob_id], "subject": "  ", "body": "x"});
    assert_error(
        &send(&k.ann, blank).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    let orphan = json!({"to": [k.bob_id], "subject": "Re", "body": "x", "in_reply_to": 777_777});
    assert_error(
        &send(&k.ann, orphan).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // Too many recipients is refused before any work on them, duplicates or not.
    let crowd = json!({"to": vec![k.bob_id; 51], "subject": "s", "body": "x"});
    assert_error(
        &send(&k.ann, crowd).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    let unknown_field = json!({"to": [k.bob_id], "subject": "s", "body": "x", "bcc": [k.cat_id]});
    assert_eq!(send(&k.ann, unknown_field).await.0, StatusCode::BAD_REQUEST);

    // Once Bob removes Ann from his contacts, she can no longer write to him.
    let (status, _) = k
        .bob
        .send(Method::DELETE, &format!("/api/contacts/{}", k.ann_id), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_error(
        &send(&k.ann, msg(vec![k.bob_id], vec![])).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    k.server.stop().await;
}

#[actix_web::test]
async fn folders_page_newest_first_and_sending_is_throttled() {
    let k = cast_with(|cfg| cfg.limits.messages_per_window = 3).await;
    for n in 0..3 {
        let (status, body) = send(
            &k.ann,
            json!({"to": [k.bob_id], "subject": format!("n{n}"), "body": "x"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let limited = send(
        &k.ann,
        json!({"to": [k.bob_id], "subject": "n3", "body": "x"}),
    )
    .await;
    assert_error(&limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let (_, first) = k.bob.get("/api/mail/inbox?limit=2").await;
    let subjects: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["n2", "n1"]);
    let next = first["next"].as_str().unwrap();
    let (_, rest) = k
        .bob
        .get(&format!("/api/mail/inbox?limit=2&after={next}"))
        .await;
    assert_eq!(rest["items"][0]["subject"], "n0");
    assert!(rest["next"].is_null());
    assert_eq!(unread(&k.bob).await, 3);
    k.server.stop().await;
}

/// The `.eml` files the outbox holds now.
fn outbox(server: &TestServer) -> Vec<std::path::PathBuf> {
    common::email::eml_files(&server.core.config.mail.outbox_dir)
}

async fn message(from: &Client, to: u64, subject: &str, body: &str) -> (StatusCode, Value) {
    from.post(
        &format!("/api/users/{to}/message"),
        json!({"subject": subject, "body": body}),
    )
    .await
}

#[actix_web::test]
async fn send_a_message_goes_to_the_mailbox_between_contacts_and_by_e_mail_otherwise() {
    let k = cast_with(|_| {}).await;

    // Contacts: an internal message, nothing e-mailed.
    let (status, answer) = message(&k.ann, k.bob_id, "Hello Bob", "Between contacts").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["delivered"], "mailbox");
    assert_eq!(
        folder(&k.bob, "/api/mail/inbox").await[0]["subject"],
        "Hello Bob"
    );

    // Dan is validated but no contact: his private e-mail gets the text, Ann's name and
    // address (also as Reply-To); his mailbox and Ann's sent folder stay empty.
    let (status, answer) = message(
        &k.ann,
        k.dan_id,
        "Project idea",
        "Would you like to work with us?",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, json!({"delivered": "email"}));
    assert!(
        !answer.to_string().contains("dan@x.eu"),
        "the address is never shown"
    );
    common::email::wait_until("the e-mail is written", || outbox(&k.server).len() == 1).await;
    let raw = std::fs::read_to_string(&outbox(&k.server)[0]).unwrap();
    let mail = common::email::parse(&raw);
    assert!(
        mail.header("To").contains("dan@x.eu"),
        "{}",
        mail.header("To")
    );
    assert!(mail.header("Reply-To").contains("ann@x.eu"));
    assert!(common::email::decode_header(&mail.header("Reply-To")).contains("ann"));
    assert_eq!(
        common::email::decode_header(&mail.header("Subject")),
        "Project idea"
    );
    assert!(
        mail.body.contains("Would you like to work with us?"),
        "{}",
        mail.body
    );
    assert!(
        mail.body.contains("ann <ann@x.eu> sent you a message"),
        "{}",
        mail.body
    );
    assert!(folder(&k.dan, "/api/mail/inbox").await.is_empty());
    let ann_sent = folder(&k.ann, "/api/mail/sent").await;
    assert_eq!(ann_sent.len(), 1, "only the message to Bob is stored");

    // A member who is not validated is reached by e-mail too.
    let (_, answer) = message(&k.ann, k.new_id, "Welcome", "Hi!").await;
    assert_eq!(answer["delivered"], "email");
    common::email::wait_until("the second e-mail", || outbox(&k.server).len() == 2).await;

    // Dan blocks Ann: she is told it went by e-mail, and nothing goes out.
    let (status, _) = k
        .dan
        .send(Method::PUT, &format!("/api/blocks/{}", k.ann_id), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, answer) = message(&k.ann, k.dan_id, "Again", "Please answer").await;
    assert_eq!(answer["delivered"], "email");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        outbox(&k.server).len(),
        2,
        "nothing for a member who blocked the sender"
    );

    assert_error(
        &message(&k.ann, k.dan_id, " ", "x").await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    assert_error(
        &message(&k.ann, k.ann_id, "Me", "x").await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    );
    assert_error(
        &message(&k.ann, 555_555, "Who", "x").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // Addresses are not confirmed at registration: only NSO-validated members may have the
    // platform e-mail someone in their name.
    let new = k
        .server
        .client()
        .login_browser("new@x.eu", common::PASSWORD)
        .await;
    let refused = message(&new, k.dan_id, "Hello", "x").await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    k.server.stop().await;
}

#[actix_web::test]
async fn e_mails_to_non_contacts_have_their_own_lower_throttle() {
    let k = cast_with(|cfg| cfg.limits.emails_per_window = 2).await;
    for n in 0..2 {
        let (status, answer) = message(&k.ann, k.dan_id, &format!("n{n}"), "x").await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    assert_error(
        &message(&k.ann, k.dan_id, "n2", "x").await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    // The mailbox between contacts is not held back by it.
    assert_eq!(
        message(&k.ann, k.bob_id, "still", "fine").await.1["delivered"],
        "mailbox"
    );
    k.server.stop().await;
}

#[actix_web::test]
async fn only_my_received_messages_can_be_marked_unread() {
    let k = cast_with(|_| {}).await;
    let (status, sent) = send(
        &k.ann,
        json!({"to": [k.bob_id], "subject": "s", "body": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let id = sent["id"].as_u64().unwrap();
    let unread = |c: &Client| {
        let path = format!("/api/mail/{id}/unread");
        let c = c.clone_session();
        async move { c.send(Method::POST, &path, None).await }
    };
    // The sender's copy is in "sent": there is no inbox entry to mark.
    assert_error(&unread(&k.ann).await, StatusCode::NOT_FOUND, "not_found");
    // Someone who never received it.
    assert_error(&unread(&k.cat).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(
        &k.cat
            .send(Method::DELETE, &format!("/api/mail/{id}"), None)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // The recipient: already unread, so the count stays 1; read, then unread: 1 again.
    let (status, answer) = unread(&k.bob).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["unread"], 1);
    k.bob.get(&format!("/api/mail/{id}")).await;
    assert_eq!(unread(&k.bob).await.1["unread"], 1);
    k.server.stop().await;
}
