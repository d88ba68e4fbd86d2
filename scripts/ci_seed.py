"""Seeds a fresh server for scripts/schemathesis.sh, so the fuzzer reaches past "not found"
into the handlers' logic: the administrator becomes NSO officer of France; Ann and Bob
register and are validated, become contacts and exchange a message; Ann joins a school,
publishes a posting, creates a group and posts in it; Bob comments on the posting.
Prints Ann's bearer token (the fuzzer runs as Ann).

Usage: python ci_seed.py BASE_URL ADMIN_EMAIL PASSWORD
"""

import datetime
import sys

import httpx

BASE, ADMIN_EMAIL, PASSWORD = sys.argv[1:4]
http = httpx.Client(base_url=BASE, timeout=30)


def call(method, path, token=None, body=None, expect=(200, 201, 202, 204)):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = http.request(method, path, json=body, headers=headers)
    if answer.status_code not in expect:
        raise SystemExit(f"seed: {method} {path}: {answer.status_code} {answer.text}")
    return answer.json() if answer.content else None


def login(email):
    answer = call("POST", "/api/auth/token", body={"email": email, "password": PASSWORD})
    return answer["token"], answer["user"]["id"]


admin, admin_id = login(ADMIN_EMAIL)
call("PUT", f"/api/admin/nso-officers/{admin_id}", admin, {"country": "FR"})


def teacher(name):
    email = f"{name}@seed.test"
    call("POST", "/api/auth/register", body={"display_name": name.title(), "email": email, "password": PASSWORD, "country": "FR"})
    token, id_ = login(email)
    call("PUT", f"/api/nso/members/{id_}/validation", admin)
    return token, id_


ann, ann_id = teacher("ann")
bob, bob_id = teacher("bob")
call("POST", "/api/contacts/requests", ann, {"user_id": bob_id})
call("POST", f"/api/contacts/requests/{ann_id}/accept", bob)
first = call("POST", "/api/mail", ann, {"to": [bob_id], "subject": "Hello", "body": "A project?"})
call("POST", "/api/mail", bob, {"to": [ann_id], "subject": "Re: Hello", "body": "Yes.", "in_reply_to": first["id"]})

school = call("POST", "/api/schools", ann, {"name": "Collège Lumière", "country": "FR", "city": "Lyon"})
call("POST", f"/api/users/{ann_id}/schools", ann, {"school_id": school["id"]})
visible_until = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
posting = call("POST", "/api/postings", ann, {
    "scope": "european", "school_id": school["id"], "title": "Recycling robots",
    "summary": "Pupils build robots from waste.", "description": "Two partner schools.",
    "languages": ["en", "fr"], "subjects": ["technology"], "topics": ["sustainability"],
    "key_competences": ["stem"], "pupil_ages": ["13-15"], "visible_until": visible_until,
})
call("POST", f"/api/postings/{posting['id']}/comments", bob, {"body": "Count us in."})
version = call("GET", "/api/groups/code-of-conduct", ann)["version"]
group = call("POST", "/api/groups", ann, {
    "title": "Weather", "description": "Experiments with the weather", "subjects": ["geography"],
    "languages": ["en"], "policy": "all", "accept_code_of_conduct": version,
})
call("POST", f"/api/groups/{group['id']}/members", bob)
call("POST", f"/api/groups/{group['id']}/messages", ann, {"client_id": "seed-1", "text": "Welcome!", "mentions": [bob_id]})
print(ann)
