"""Following and unfollowing: the button on each followable page, the POST endpoints (with and
without htmx), what one may not follow (404), and the watch list."""

import pytest
from django.test import Client
from django.urls import reverse

from projects.actions.services import action_create
from territories.models import Membership
from territories.secretariat.services import coordination_group_hide
from territories.services import membership_set
from tests.factories import make_coordination_group, make_page, make_user
from tests.notifications.conftest import follow
from wikispiral.notifications.models import Follow

pytestmark = pytest.mark.django_db

FOLLOW = reverse("notifications:follow")
UNFOLLOW = reverse("notifications:unfollow")


def _follows(user) -> set[tuple[str, str]]:
    return set(Follow.objects.filter(user=user).values_list("kind", "key"))


def test_following_a_page_without_javascript_comes_back_to_it(client_for):
    ana = make_user()
    page = make_page(title="Water")
    client = client_for(ana)

    response = client.post(
        FOLLOW, {"kind": "page", "key": page.pk, "next": page.get_absolute_url()}
    )

    assert response.status_code == 302 and response["Location"] == page.get_absolute_url()
    assert _follows(ana) == {("page", str(page.pk))}
    html = client.get(page.get_absolute_url()).content.decode()
    assert "You follow this page." in html and "Stop following" in html


def test_a_page_seen_before_following_shows_the_new_state_right_after(client_for):
    # The page is kept whole per reader (the wiki's personal cache): following retires it.
    ana = make_user()
    page = make_page()
    client = client_for(ana)
    assert "Follow this page" in client.get(page.get_absolute_url()).content.decode()

    client.post(FOLLOW, {"kind": "page", "key": page.pk})
    followed = client.get(page.get_absolute_url()).content.decode()
    client.post(UNFOLLOW, {"kind": "page", "key": page.pk})
    unfollowed = client.get(page.get_absolute_url()).content.decode()

    assert "You follow this page." in followed
    assert "You follow this page." not in unfollowed and "Follow this page" in unfollowed


def test_with_htmx_the_answer_is_the_new_button(client_for):
    ana = make_user()
    page = make_page()
    client = client_for(ana)

    response = client.post(FOLLOW, {"kind": "page", "key": page.pk}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="follow-page-{page.pk}"' in html and "Stop following" in html
    assert 'role="status"' in html and "You follow it now" in html


def test_an_unsafe_next_is_ignored(client_for):
    page = make_page()
    client = client_for(make_user())

    response = client.post(
        FOLLOW, {"kind": "page", "key": page.pk, "next": "https://evil.example.org/"}
    )

    assert response["Location"] == page.get_absolute_url()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "page", "key": "999999"},
        {"kind": "page", "key": "not-a-page"},
        {"kind": "nonsense", "key": "1"},
        {"kind": "page"},
        {"kind": "page", "key": "9" * 500},
    ],
)
def test_following_nothing_answers_404(client_for, data):
    client = client_for(make_user())

    assert client.post(FOLLOW, data).status_code == 404
    assert not Follow.objects.exists()


def test_a_nul_in_the_key_is_refused_before_the_view(client_for):
    client = client_for(make_user())

    assert client.post(FOLLOW, {"kind": "page", "key": "1\x00"}).status_code == 400
    assert not Follow.objects.exists()


def test_following_what_one_may_not_see_answers_404():
    outsider, member = make_user(), make_user()
    group = make_coordination_group(name="Hidden")
    membership_set(group=group, user=member, role=Membership.Role.MEMBER)
    page = make_page(space=group.space)
    coordination_group_hide(actor=make_user(secretariat=True), group=group, reason="Test")
    outsider_client, member_client = Client(), Client()
    outsider_client.force_login(outsider)
    member_client.force_login(member)

    refused = [
        outsider_client.post(FOLLOW, {"kind": kind, "key": key}).status_code
        for kind, key in (("group", group.pk), ("page", page.pk), ("scope", f"cg-{group.pk}"))
    ]
    allowed = [
        member_client.post(FOLLOW, {"kind": kind, "key": key}).status_code
        for kind, key in (("group", group.pk), ("page", page.pk), ("scope", f"cg-{group.pk}"))
    ]

    assert refused == [404, 404, 404] and not _follows(outsider)
    assert allowed == [302, 302, 302] and len(_follows(member)) == 3


def test_a_draft_action_is_followed_by_the_groups_members_only(client_for):
    facilitator, stranger = make_user(), make_user()
    group = make_coordination_group(facilitator=facilitator)
    draft = action_create(tenant=group, actor=facilitator, title="Draft", language="en")

    assert client_for(stranger).post(FOLLOW, {"kind": "action", "key": draft.pk}).status_code == 404
    assert (
        client_for(facilitator).post(FOLLOW, {"kind": "action", "key": draft.pk}).status_code == 302
    )


def test_an_anonymous_visitor_is_offered_the_login_and_follows_nothing(client):
    page = make_page()

    response = client.post(
        FOLLOW, {"kind": "page", "key": page.pk, "next": page.get_absolute_url()}
    )
    html = client.get(page.get_absolute_url()).content.decode()

    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    assert not Follow.objects.exists()
    assert f"{reverse('accounts:login')}?next={page.get_absolute_url()}" in html.replace("%2F", "/")


def test_an_htmx_post_after_the_session_ran_out_sends_the_window_to_the_login(client):
    page = make_page()

    response = client.post(
        FOLLOW,
        {"kind": "page", "key": page.pk, "next": page.get_absolute_url()},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))
    assert not Follow.objects.exists()


def test_get_is_not_allowed(client_for):
    client = client_for(make_user())

    assert client.get(FOLLOW).status_code == 405
    assert client.get(UNFOLLOW).status_code == 405


def test_the_button_is_on_the_group_synthesis_and_action_pages(client_for):
    facilitator = make_user()
    group = make_coordination_group(name="Lyon", facilitator=facilitator)
    action = action_create(
        tenant=group, actor=facilitator, title="Garden", language="en", published=True
    )
    client = client_for(make_user())

    pages = {
        "Follow this group": reverse("directory:group", kwargs={"cg": group.slug}),
        "Follow this synthesis": reverse("syntheses:synthesis", kwargs={"key": f"cg-{group.pk}"}),
        "Follow this action": reverse(
            "actions:detail", kwargs={"cg": group.slug, "action": action.pk}
        ),
    }

    for words, url in pages.items():
        html = client.get(url).content.decode()
        assert words in html, url
        assert f'action="{FOLLOW}"' in html


def test_unfollowing_from_the_watch_list(client_for):
    ana = make_user()
    page = make_page(title="Wells")
    group = make_coordination_group(name="Lyon")
    follow(ana, "page", page.pk)
    follow(ana, "group", group.pk)
    follow(ana, "page", 999999)  # gone since
    client = client_for(ana)

    listed = client.get(reverse("notifications:following")).content.decode()
    response = client.post(
        UNFOLLOW, {"kind": "page", "key": page.pk, "next": reverse("notifications:following")}
    )

    assert "Wells" in listed and "Lyon" in listed and "Something you can no longer see" in listed
    assert response["Location"] == reverse("notifications:following")
    assert _follows(ana) == {("group", str(group.pk)), ("page", "999999")}


def test_the_watch_list_hides_the_titles_of_what_she_may_no_longer_see(client_for):
    ana = make_user()
    group = make_coordination_group(name="Secret place")
    follow(ana, "group", group.pk)
    coordination_group_hide(actor=make_user(secretariat=True), group=group, reason="Test")

    listed = client_for(ana).get(reverse("notifications:following")).content.decode()

    assert "Secret place" not in listed and "Something you can no longer see" in listed
