"""Who is in an audience: the rules of people.models.Audience as one SQL filter and as one in-memory check.

Both read the same rules and must agree (people/tests/test_audiences.py checks them side by side). The SQL form
selects the officers of a plan item or a class; the in-memory form answers "is this officer in?" for a list of
items whose audiences were prefetched with AUDIENCE_PREFETCH, without a query per item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from zhifa.people.models import Audience, Domain, Officer, Role, Unit

# Prefetch these on the Audience (or "audience__" + each on its owner) before calling audience_contains in a loop.
AUDIENCE_PREFETCH = ("units", "domains", "include", "exclude")


def has_rules(audience: Audience) -> bool:
    """True when at least one rule is set (an audience without rules selects only its included officers)."""
    return bool(
        audience.units.all()
        or audience.domains.all()
        or audience.roles
        or audience.positions
        or audience.employment
        or audience.certificate_expires_within_months is not None
        or audience.joined_within_months is not None
    )


@dataclass(frozen=True)
class AudienceRules:
    """An audience's rules before (or without) saving: what a form would save, checked with rules_officers()."""

    units: tuple[Unit, ...] = ()
    domains: tuple[Domain, ...] = ()
    roles: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    employment: tuple[str, ...] = ()
    certificate_expires_within_months: int | None = None
    joined_within_months: int | None = None
    include: tuple[Officer, ...] = ()
    exclude: tuple[Officer, ...] = ()

    @classmethod
    def of(cls, audience: Audience) -> AudienceRules:
        """The saved audience's rules (reads its relations through .all(): prefetch AUDIENCE_PREFETCH)."""
        return cls(
            units=tuple(audience.units.all()),
            domains=tuple(audience.domains.all()),
            roles=tuple(audience.roles or ()),
            positions=tuple(audience.positions or ()),
            employment=tuple(audience.employment or ()),
            certificate_expires_within_months=audience.certificate_expires_within_months,
            joined_within_months=audience.joined_within_months,
            include=tuple(audience.include.all()),
            exclude=tuple(audience.exclude.all()),
        )

    def has_rules(self) -> bool:
        return bool(
            self.units
            or self.domains
            or self.roles
            or self.positions
            or self.employment
            or self.certificate_expires_within_months is not None
            or self.joined_within_months is not None
        )


def _rules_q(rules: AudienceRules, today: date) -> Q:
    q = Q()
    if rules.units:
        paths = Q()
        for unit in rules.units:
            paths |= Q(unit__path__startswith=unit.path)
        q &= paths
    domain_ids = [d.pk for d in rules.domains]
    if domain_ids:
        q &= Q(domains__in=domain_ids)
    roles = [r for r in rules.roles if r != Role.OFFICER]
    if roles and Role.OFFICER not in rules.roles:
        q &= Q(user__role_grants__role__in=roles)
    if rules.positions:
        q &= Q(position__in=rules.positions)
    if rules.employment:
        q &= Q(employment__in=rules.employment)
    if rules.certificate_expires_within_months is not None:
        until = today + relativedelta(months=rules.certificate_expires_within_months)
        q &= Q(certificate_expires__isnull=False, certificate_expires__lte=until)
    if rules.joined_within_months is not None:
        since = today - relativedelta(months=rules.joined_within_months)
        q &= Q(joined_on__isnull=False, joined_on__gte=since)
    return q


def rules_officers(rules: AudienceRules, *, today: date | None = None) -> QuerySet[Officer]:
    """The officers these rules select today (the SQL form of audience_officers, for rules not saved yet)."""
    today = today or timezone.localdate()
    included = Q(pk__in=[o.pk for o in rules.include])
    selected = _rules_q(rules, today) | included if rules.has_rules() else included
    excluded = [o.pk for o in rules.exclude]
    matching = Officer.objects.filter(selected).exclude(pk__in=excluded).values("pk")
    # A sub-select keeps the domain and role joins from repeating rows.
    return Officer.objects.filter(pk__in=matching)


def audience_officers(audience: Audience, *, today: date | None = None) -> QuerySet[Officer]:
    """The officers the audience selects today (live: an officer created or moved afterwards is in or out)."""
    return rules_officers(AudienceRules.of(audience), today=today)


def audience_contains(audience: Audience, officer: Officer, *, today: date | None = None) -> bool:
    """Whether the officer is in the audience; reads the officer's unit, domains and role grants (prefetch them)."""
    if any(o.pk == officer.pk for o in audience.exclude.all()):
        return False
    if any(o.pk == officer.pk for o in audience.include.all()):
        return True
    if not has_rules(audience):
        return False
    today = today or timezone.localdate()
    units = list(audience.units.all())
    if units and not any(officer.unit.path.startswith(u.path) for u in units):
        return False
    domain_ids = {d.pk for d in audience.domains.all()}
    if domain_ids and not domain_ids & {d.pk for d in officer.domains.all()}:
        return False
    roles = [r for r in audience.roles if r != Role.OFFICER]
    granted = {g.role for g in officer.user.role_grants.all()}
    if roles and Role.OFFICER not in audience.roles and not granted & set(roles):
        return False
    if audience.positions and officer.position not in audience.positions:
        return False
    if audience.employment and officer.employment not in audience.employment:
        return False
    if audience.certificate_expires_within_months is not None:
        until = today + relativedelta(months=audience.certificate_expires_within_months)
        if officer.certificate_expires is None or officer.certificate_expires > until:
            return False
    if audience.joined_within_months is not None:
        since = today - relativedelta(months=audience.joined_within_months)
        if officer.joined_on is None or officer.joined_on < since:
            return False
    return True


def audience_describe(audience: Audience) -> str:
    """The rules in one Chinese line, for lists and confirmations (e.g. "江北市（含下级）；市场监管")."""
    parts: list[str] = []
    units: list[Unit] = list(audience.units.all())
    if units:
        parts.append("、".join(f"{u.name}（含下级）" for u in units))
    if audience.domains.all():
        parts.append("、".join(d.name for d in audience.domains.all()))
    if audience.roles:
        parts.append("、".join(str(Role(r).label) for r in audience.roles if r in Role.values))
    if audience.positions:
        parts.append("职务：" + "、".join(audience.positions))
    if audience.employment:
        labels = dict(Officer.Employment.choices)
        parts.append("、".join(str(labels.get(e, e)) for e in audience.employment))
    if audience.certificate_expires_within_months is not None:
        parts.append(f"执法证{audience.certificate_expires_within_months}个月内到期")
    if audience.joined_within_months is not None:
        parts.append(f"新任人员（入职{audience.joined_within_months}个月内）")
    included, excluded = len(audience.include.all()), len(audience.exclude.all())
    if included:
        parts.append(f"另指定{included}人")
    if excluded:
        parts.append(f"排除{excluded}人")
    return "；".join(parts) or "未设置（不选中任何人）"


def audiences_containing(
    officer: Officer, audiences: QuerySet[Audience] | None = None, *, today: date | None = None
) -> list[int]:
    """The ids of the audiences (among `audiences`, default all) that contain the officer: the reverse question
    ("which courses are for me?"), answered in one query — units, domains, include and exclude in SQL, the rules
    stored on the audience row (roles, positions, employment, months) checked here; his role grants are read only
    when a candidate asks for roles. Agrees with audience_contains (people/tests/test_audiences.py)."""
    today = today or timezone.localdate()
    ancestors = [int(part) for part in officer.unit.path.strip("/").split("/") if part]
    # His domains as a sub-select (no query of their own).
    domain_ids = Officer.domains.through.objects.filter(officer_id=officer.pk).values("domain_id")
    units = Audience.units.through.objects.filter(audience_id=OuterRef("pk"))
    domains = Audience.domains.through.objects.filter(audience_id=OuterRef("pk"))
    included = Exists(Audience.include.through.objects.filter(audience_id=OuterRef("pk"), officer_id=officer.pk))
    excluded = Exists(Audience.exclude.through.objects.filter(audience_id=OuterRef("pk"), officer_id=officer.pk))
    unit_ok = ~Exists(units) | Exists(units.filter(unit_id__in=ancestors))
    domain_ok = ~Exists(domains) | Exists(domains.filter(domain_id__in=domain_ids))
    rows = (
        (audiences if audiences is not None else Audience.objects.all())
        .annotate(_in=included, _units=Exists(units), _domains=Exists(domains))
        .filter(~excluded)
        .filter(Q(_in=True) | (unit_ok & domain_ok))
        .values_list(
            "pk",
            "_in",
            "_units",
            "_domains",
            "roles",
            "positions",
            "employment",
            "certificate_expires_within_months",
            "joined_within_months",
        )
    )
    granted: set[str] | None = None
    found = []
    for pk, is_in, has_units, has_domains, roles, positions, employment, cert_months, joined_months in rows:
        if is_in:
            found.append(pk)
            continue
        has_rules = has_units or has_domains or roles or positions or employment
        if not has_rules and cert_months is None and joined_months is None:
            continue
        asked = [r for r in roles or () if r != Role.OFFICER]
        if asked and Role.OFFICER not in roles:
            if granted is None:
                granted = set(officer.user.role_grants.values_list("role", flat=True))
            if not granted & set(asked):
                continue
        if positions and officer.position not in positions:
            continue
        if employment and officer.employment not in employment:
            continue
        if cert_months is not None:
            until = today + relativedelta(months=cert_months)
            if officer.certificate_expires is None or officer.certificate_expires > until:
                continue
        if joined_months is not None:
            since = today - relativedelta(months=joined_months)
            if officer.joined_on is None or officer.joined_on < since:
                continue
        found.append(pk)
    return found


def audiences_reaching(paths: list[str]) -> QuerySet[Audience]:
    """The audiences that may select officers of the unit subtrees `paths` (an administrator's units): an included
    officer there, or rules whose units overlap them (a unit rule above, at or below one of them; no unit rule: any
    unit) and whose domains (if any) one of their officers has. Roles, positions, employment and months are not
    looked at: an audience they might empty for these units still counts as reaching them."""
    inside = Q(pk__in=[])
    overlap = Q(pk__in=[])
    for path in paths:
        ancestors = [int(part) for part in path.strip("/").split("/") if part]
        inside |= Q(officer__unit__path__startswith=path)
        overlap |= Q(unit__path__startswith=path) | Q(unit_id__in=ancestors)
    domain_holders = Q(pk__in=[])
    for path in paths:
        domain_holders |= Q(officer__unit__path__startswith=path)
    units = Audience.units.through.objects.filter(audience_id=OuterRef("pk"))
    domains = Audience.domains.through.objects.filter(audience_id=OuterRef("pk"))
    held = Officer.domains.through.objects.filter(domain_holders, domain_id=OuterRef("domain_id"))
    included = Exists(Audience.include.through.objects.filter(inside, audience_id=OuterRef("pk")))
    has_rules = (
        Exists(units)
        | Exists(domains)
        | ~Q(roles=[])
        | ~Q(positions=[])
        | ~Q(employment=[])
        | Q(certificate_expires_within_months__isnull=False)
        | Q(joined_within_months__isnull=False)
    )
    unit_ok = ~Exists(units) | Exists(units.filter(overlap))
    domain_ok = ~Exists(domains) | Exists(domains.filter(Exists(held)))
    return Audience.objects.filter(included | (has_rules & unit_ok & domain_ok))
