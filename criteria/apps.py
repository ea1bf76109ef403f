from django.apps import AppConfig


class CriteriaConfig(AppConfig):
    name = "criteria"

    def ready(self) -> None:
        from criteria import jobs  # noqa: F401  (registers the import job)

        _add_to_group_pages()


def _add_to_group_pages() -> None:
    """Territories is the floor below and never imports criteria: a group's and a homogeneous
    group's page get their criteria counts, and who may enter criteria, from here."""
    from criteria.permissions import CRITERIA_ROLES
    from criteria.selectors import criteria_counts
    from territories.hooks import register_group_page_facts
    from territories.models import CoordinationGroup, HomogeneousGroup
    from wikispiral.wiki.permissions import AnyUser

    def group_page_facts(
        *,
        user: AnyUser,
        tenant: CoordinationGroup,
        homogeneous_group: HomogeneousGroup | None,
        role: str | None,
    ) -> dict[str, object]:
        staff = user.is_authenticated and user.is_network_staff
        return {
            "criteria": criteria_counts(tenant=tenant, group=homogeneous_group),
            # The page loaded the reader's role already: no query here (as can_enter_criteria).
            "can_enter_criteria": staff or role in CRITERIA_ROLES,
        }

    register_group_page_facts(group_page_facts)
