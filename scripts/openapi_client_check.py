"""Uses a Python client generated from the server's OpenAPI document (by
openapi-python-client, see scripts/openapi-client-check.sh) the way an API client would:
token login, registration, NSO validation, people search, a contact request, a mailbox
message sent and read, unread counters and notifications. Every answer must parse into the
documented model; anything else (an ErrorBody, an unexpected status) fails the check.

Usage: python openapi_client_check.py BASE_URL PACKAGE_PARENT_DIR ADMIN_EMAIL ADMIN_PASSWORD
"""

import sys
import time

BASE, PARENT, ADMIN_EMAIL, PASSWORD = sys.argv[1:5]
sys.path.insert(0, PARENT)

from twinhub_client import AuthenticatedClient, Client  # noqa: E402
from twinhub_client.api.accounts import me, register, token  # noqa: E402
from twinhub_client.api.admin import appoint  # noqa: E402
from twinhub_client.api.contacts import accept, request  # noqa: E402
from twinhub_client.api.mail import inbox, read, send, unread  # noqa: E402
from twinhub_client.api.notifications import list_ as notifications  # noqa: E402
from twinhub_client.api.notifications import unread_count  # noqa: E402
from twinhub_client.api.nso import members, validate  # noqa: E402
from twinhub_client.api.search import search  # noqa: E402
from twinhub_client import models  # noqa: E402


def expect(answer, model, what):
    """The answer, which must be the documented model (not an error or nothing)."""
    if not isinstance(answer, model):
        raise SystemExit(f"{what}: expected {model.__name__}, got {answer!r}")
    return answer


anon = Client(base_url=BASE, raise_on_unexpected_status=True)


def login(email):
    body = models.LoginInput(email=email, password=PASSWORD)
    answer = expect(token.sync(client=anon, body=body), models.TokenResponse, f"token {email}")
    client = AuthenticatedClient(base_url=BASE, token=answer.token, raise_on_unexpected_status=True)
    return client, answer.user.id


def member(name):
    email = f"{name}@ci.test"
    body = models.RegisterInput(display_name=name.title(), email=email, password=PASSWORD, country="FR")
    expect(register.sync(client=anon, body=body), models.Accepted, f"register {email}")
    return login(email)


admin, admin_id = login(ADMIN_EMAIL)
expect(appoint.sync(admin_id, client=admin, body=models.OfficerInput(country="FR")), models.PublicProfile, "appoint")
ann, ann_id = member("ann")
bob, bob_id = member("bob")

# The NSO's list of members waiting for validation (the endpoint generators used to skip).
pending = expect(members.sync(client=admin, status=models.ValidationFilter.PENDING), models.PagePublicProfile, "members")
assert {p.id for p in pending.items} >= {ann_id, bob_id}, pending
for who in (ann_id, bob_id):
    expect(validate.sync(who, client=admin), models.PublicProfile, f"validate {who}")
assert expect(me.sync(client=ann), models.MeResponse, "me").user.validation is not None

# People search (the index commits within a moment).
deadline = time.monotonic() + 10
while True:
    found = expect(search.sync(client=ann, kind=models.Kind.PEOPLE, q="Bob"), models.Results, "search")
    if any(hit.id == bob_id for hit in found.items):
        break
    assert time.monotonic() < deadline, found
    time.sleep(0.2)

# Contacts, then a message from Ann to Bob, which Bob reads.
expect(request.sync(client=ann, body=models.RequestInput(user_id=bob_id)), models.StateAnswer, "request")
expect(accept.sync(ann_id, client=bob), models.StateAnswer, "accept")
sent = expect(
    send.sync(client=ann, body=models.NewMessage(to=[bob_id], subject="Hello", body="A project together?")),
    models.MessageView,
    "send",
)
before = expect(unread.sync(client=bob), models.Unread, "unread")
assert before.unread == 1 and before.seq > 0, before
listed = expect(inbox.sync(client=bob), models.PageMailSummary, "inbox")
assert [m.id for m in listed.items] == [sent.id], listed
message = expect(read.sync(sent.id, client=bob), models.MessageView, "read")
assert message.body == "A project together?" and message.from_.id == ann_id, message
assert expect(unread.sync(client=bob), models.Unread, "unread").unread == 0

# Bob's notifications: each kind parses into its own model.
page = expect(notifications.sync(client=bob), models.PageNotification, "notifications")
kinds = {type(n).__name__ for n in page.items}
assert {"NotificationMailReceived", "NotificationContactRequested", "NotificationValidated"} <= kinds, kinds
mail = next(n for n in page.items if isinstance(n, models.NotificationMailReceived))
assert mail.params.by == ann_id and mail.params.subject == "Hello", mail
expect(unread_count.sync(client=bob), models.Unread, "notification count")
print(f"generated client: {len(kinds)} notification kinds, search, contacts and mail work")
