"""The application flow and the applicants by gender and age: figures checked against independent
queries of the raw tables, disclosure control on literal tables and on random ones judged by
enumeration, and the views as an agency and as Trygghetsstiftelsen see them."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lom.queries import agency, connection, profile
from lom.queries.access import TSN
from lom.queries.disclosure import MIN_COUNT, small
from lom.ui import applicants
from lom.ui import format as fmt

from .conftest import rows
from .pages import open_page
from .test_access import login_app
from .test_disclosure import EXAMPLES
from .test_own_view import EMPTY, drawn

STAGES = ["applications", "decided", "granted", "rejected", "withdrawn", "pending"]


def flow_input(own: dict, national: dict, agencies: dict) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "stage": STAGES,
            "own_count": [own[s] for s in STAGES],
            "national_count": [national[s] for s in STAGES],
            "national_agencies": [agencies[s] for s in STAGES],
        }
    )


def hidden_stages(frame: pl.DataFrame) -> set[str]:
    return {s for s, h in zip(frame["stage"], frame["hidden"].to_list(), strict=True) if h}


# --- literal tables, worked by hand ---------------------------------------------------------------


def test_a_small_rest_of_the_withdrawn_is_hidden_with_its_complement():
    # Own 10 received = 8 decided (6 granted, 2 rejected) + 1 withdrawn + 1 pending.
    own = {"applications": 10, "decided": 8, "granted": 6, "rejected": 2, "withdrawn": 1, "pending": 1}
    # Nationally 110 = 90 (70 + 20) + 4 + 16: the other agencies' withdrawn are 4 - 1 = 3, a small count.
    national = {"applications": 110, "decided": 90, "granted": 70, "rejected": 20, "withdrawn": 4, "pending": 16}
    flow = agency.application_flow(flow_input(own, national, dict.fromkeys(STAGES, 20)), protect=True)
    # 110 - 90 - 16 would give the 4 back: the smallest other part of that line, pending, goes too.
    assert hidden_stages(flow) == {"withdrawn", "pending"}
    row = flow.filter(pl.col("stage") == "withdrawn").row(0, named=True)
    assert row["national_count"] is None and row["national_share"] is None
    assert row["own_count"] == 1 and row["own_share"] == pytest.approx(0.1)  # the own figures stay whole
    shown = flow.filter(pl.col("stage") == "granted").row(0, named=True)
    assert shown["national_count"] == 70 and shown["national_share"] == pytest.approx(70 / 110)
    # Trygghetsstiftelsen sees every figure.
    assert not hidden_stages(
        agency.application_flow(flow_input(own, national, dict.fromkeys(STAGES, 20)), protect=False)
    )


def test_a_stage_resting_on_few_other_agencies_is_hidden():
    own = {"applications": 30, "decided": 20, "granted": 15, "rejected": 5, "withdrawn": 0, "pending": 10}
    national = {"applications": 130, "decided": 100, "granted": 80, "rejected": 20, "withdrawn": 9, "pending": 21}
    agencies = dict.fromkeys(STAGES, 12) | {"withdrawn": 4}  # 4 other agencies withdrew any: 1 to 4
    flow = agency.application_flow(flow_input(own, national, agencies), protect=True)
    assert "withdrawn" in hidden_stages(flow)
    assert agency.MIN_OTHER_AGENCIES == 5 and MIN_COUNT == 5


@pytest.mark.parametrize(
    ("own", "national", "agencies"),
    [
        # Found by Hypothesis under CI: 13 received, 6 granted and 0 withdrawn shown; decided (9, one
        # other agency's 5) hidden with rejected and pending. decided = 6 + rejected >= 6 + 3 and
        # pending = 13 - decided >= 4 (the own figures): decided is 9, nothing else.
        (
            {"applications": 8, "decided": 4, "granted": 1, "rejected": 3, "withdrawn": 0, "pending": 4},
            {"applications": 13, "decided": 9, "granted": 6, "rejected": 3, "withdrawn": 0, "pending": 4},
            {"applications": 6, "decided": 2, "granted": 8, "rejected": 1, "withdrawn": 0, "pending": 1},
        ),
        (
            {"applications": 9, "decided": 5, "granted": 3, "rejected": 2, "withdrawn": 4, "pending": 0},
            {"applications": 20, "decided": 11, "granted": 9, "rejected": 2, "withdrawn": 4, "pending": 5},
            {"applications": 6, "decided": 2, "granted": 6, "rejected": 1, "withdrawn": 1, "pending": 7},
        ),
    ],
)
def test_a_stage_that_no_other_agencys_count_below_0_would_pin_is_hidden_with_all(own, national, agencies):
    # The lines alone leave decided open; a reader who adds that the other agencies' counts are
    # at least 0 closes it. The whole national flow hides.
    flow = agency.application_flow(flow_input(own, national, agencies), protect=True)
    assert hidden_stages(flow) == set(STAGES)
    assert flow["own_count"].to_list() == [own[s] for s in STAGES]  # its own, whole


def test_a_stage_no_agency_reached_is_shown_as_0():
    # Nobody in the nation has a pending application: 0 from 0 agencies is no one's figure, so it
    # shows, and nothing else needs hiding.
    own = {"applications": 30, "decided": 25, "granted": 20, "rejected": 5, "withdrawn": 5, "pending": 0}
    national = {"applications": 130, "decided": 110, "granted": 90, "rejected": 20, "withdrawn": 20, "pending": 0}
    agencies = dict.fromkeys(STAGES, 12) | {"pending": 0}
    flow = agency.application_flow(flow_input(own, national, agencies), protect=True)
    assert hidden_stages(flow) == set()
    assert flow.filter(pl.col("stage") == "pending")["national_count"].to_list() == [0]


def test_when_the_received_are_hidden_every_share_goes():
    own = {"applications": 2, "decided": 2, "granted": 2, "rejected": 0, "withdrawn": 0, "pending": 0}
    national = {"applications": 5, "decided": 5, "granted": 5, "rejected": 0, "withdrawn": 0, "pending": 0}
    flow = agency.application_flow(flow_input(own, national, dict.fromkeys(STAGES, 2)), protect=True)
    assert hidden_stages(flow) == set(STAGES)
    assert flow["own_count"].to_list() == [2, 2, 2, 0, 0, 0]


def test_groups_hide_a_small_rest_and_the_group_that_would_give_it_away():
    groups = pl.DataFrame(
        {
            "applicant_group": ["kvinna", "man", "annat/uppgift saknas"],
            "applications": [4, 3, 1],
            "decided": [4, 3, 1],
            "granted": [3, 2, 1],
            # Others: 60, 40 and 2 applications; 2 is small. The total 110 is shown beside them.
            "national_applications": [64, 43, 3],
            "national_decided": [60, 40, 3],
            "national_granted": [50, 30, 3],
            "national_agencies": [20, 20, 3],
            "national_agencies_decided": [20, 20, 3],
            "national_agencies_granted": [20, 20, 3],
        }
    )
    shown = agency.application_groups(groups, protect=True)
    hidden = dict(zip(shown["applicant_group"], shown["hidden"].to_list(), strict=True))
    # 'annat': 2 others' applications and 2 other agencies; the smallest other group, 'man', is its complement.
    assert "national_applications" in hidden["annat/uppgift saknas"] and "national_applications" in hidden["man"]
    assert "national_applications" not in hidden["kvinna"]
    assert shown.filter(pl.col("applicant_group") == "kvinna")["national_applications"].item() == 64
    assert shown["applications"].to_list() == [4, 3, 1]  # own whole
    assert shown["approval_rate"].to_list() == pytest.approx([0.75, 2 / 3, 1.0])
    assert not any(agency.application_groups(groups, protect=False)["hidden"].to_list())


def test_the_approval_rate_rests_on_the_agencies_with_decisions_not_with_applications():
    # 20 agencies sent applications in each group, but only 3 decided any for men: 2 besides the
    # viewer, small. The men's national approval rate hides, and the women's with it (the total
    # is shown); the applications, resting on 20 agencies, stay.
    groups = pl.DataFrame(
        {
            "applicant_group": ["kvinna", "man"],
            "applications": [4, 3],
            "decided": [4, 3],
            "granted": [3, 2],
            "national_applications": [64, 43],
            "national_decided": [60, 40],
            "national_granted": [50, 30],
            "national_agencies": [20, 20],
            "national_agencies_decided": [20, 3],
            "national_agencies_granted": [20, 20],
        }
    )
    shown = agency.application_groups(groups, protect=True)
    assert [sorted(h) for h in shown["hidden"].to_list()] == [["national_approval_rate"]] * 2
    assert shown["national_applications"].to_list() == [64, 43]


def test_an_agency_without_applications_has_no_shares_not_0():
    # The agency sent none this year: its shares are missing (–), not 0 %, while the nation's stand.
    groups = pl.DataFrame(
        {
            "applicant_group": ["kvinna", "man"],
            "applications": [0, 0],
            "decided": [0, 0],
            "granted": [0, 0],
            "national_applications": [60, 40],
            "national_decided": [50, 30],
            "national_granted": [40, 20],
            "national_agencies": [20, 20],
            "national_agencies_decided": [20, 20],
            "national_agencies_granted": [20, 20],
        }
    )
    shown = agency.application_groups(groups, protect=True)
    assert shown["share_of_applications"].to_list() == [None, None]
    assert shown["approval_rate"].to_list() == [None, None]
    assert shown["national_share_of_applications"].to_list() == pytest.approx([0.6, 0.4])


# --- random flows, judged by enumerating what a reader could fill in -------------------------------


@st.composite
def flows(draw):
    def one(high):
        granted, rejected, withdrawn, pending = (draw(st.integers(0, high)) for _ in range(4))
        decided = granted + rejected
        return {
            "applications": decided + withdrawn + pending,
            "decided": decided,
            "granted": granted,
            "rejected": rejected,
            "withdrawn": withdrawn,
            "pending": pending,
        }

    own, rest = one(4), one(7)
    national = {s: own[s] + rest[s] for s in STAGES}
    others = {s: 0 if rest[s] == 0 else draw(st.integers(1, 7)) for s in STAGES}
    agencies = {s: others[s] + (own[s] > 0) for s in STAGES}
    return own, national, agencies, others


@EXAMPLES
@given(flows())
def test_no_hidden_national_stage_can_be_filled_in(case):
    own, national, agencies, others = case
    flow = agency.application_flow(flow_input(own, national, agencies), protect=True)
    hidden = hidden_stages(flow)
    sensitive = {s for s in STAGES if small(national[s] - own[s]) or small(others[s])}
    assert sensitive <= hidden
    # A reader knows the shown national figures and the own ones, and that the national figures add
    # up (received = decided + withdrawn + pending, decided = granted + rejected) with no other
    # agency's count below 0. Every filling-in of the hidden leaves (granted, rejected, withdrawn,
    # pending) that fits the figures shown is a possible truth; 12 values a leaf is wider than any
    # rest drawn (0 to 7), so a second truth, where there is one, is among them.
    seen = fillings(own, national, hidden)
    exposed = [s for s in sensitive if len(seen[s]) < 2]
    assert not exposed, f"own={own} national={national} hidden={sorted(hidden)}"


def fillings(own: dict, national: dict, hidden: set[str]) -> dict[str, set[int]]:
    """Every value of each hidden stage that some filling-in of the hidden leaves gives, where the
    filling-in fits the shown national figures, the lines of the flow, and no other agency's count
    below 0 (each leaf at least the own). Rests are at most 7, so a window of 12 holds every second
    truth there is."""
    leaves = ["granted", "rejected", "withdrawn", "pending"]
    seen: dict[str, set[int]] = {s: set() for s in hidden}
    for values in itertools.product(*(range(own[s], own[s] + 12) if s in hidden else (national[s],) for s in leaves)):
        guess = dict(zip(leaves, values, strict=True))
        guess["decided"] = guess["granted"] + guess["rejected"]
        guess["applications"] = guess["decided"] + guess["withdrawn"] + guess["pending"]
        if all(guess[s] == national[s] for s in STAGES if s not in hidden):
            for s in hidden:
                seen[s].add(guess[s])
    return seen


@pytest.mark.parametrize(
    ("own_withdrawn", "national_withdrawn", "agencies_withdrawn", "pinned"),
    [
        (0, 6, 1, True),  # 6 from one other agency: its count, pinned by the lines
        (0, 6, 5, False),  # 6 from five other agencies: not small, shown whatever the lines say
        (2, 8, 5, True),  # the own 2 and 6 from four others (5 agencies with the own)
        (2, 8, 6, False),  # ... from five others
        (0, 4, 9, True),  # 4 persons from nine agencies: a small count
        (0, 5, 9, False),  # 5 persons: not small
        (3, 3, 1, False),  # only the own: nothing of anyone else's to give away
    ],
)
def test_a_hidden_stage_pinned_by_the_lines_counts_only_if_it_rests_on_few(
    own_withdrawn, national_withdrawn, agencies_withdrawn, pinned
):
    # Withdrawn alone hidden: received - decided - pending gives it back exactly, so the whole flow
    # must hide exactly when withdrawn rests on 1-4 persons or 1-4 other agencies.
    own = {"applications": 20 + own_withdrawn, "decided": 15, "granted": 10, "rejected": 5, "pending": 5}
    own["withdrawn"] = own_withdrawn
    national = {"decided": 150, "granted": 100, "rejected": 50, "pending": 50, "withdrawn": national_withdrawn}
    national["applications"] = 200 + national_withdrawn
    agencies = dict.fromkeys(STAGES, 30) | {"withdrawn": agencies_withdrawn}
    assert agency.pinned_by_own(own, national, agencies, {"withdrawn"}) is pinned
    # Counts beyond 256 compare by value (a Python `is` would not): the same flow at a thousand times.
    large = {s: v * 1000 for s, v in national.items()} | {"withdrawn": national_withdrawn}
    large["applications"] = 200_000 + national_withdrawn
    large_own = {s: v * 1000 for s, v in own.items()} | {"withdrawn": own_withdrawn}
    large_own["applications"] = 20_000 + own_withdrawn
    assert agency.pinned_by_own(large_own, large, agencies, {"withdrawn"}) is pinned
    # With pending hidden too, the two trade one for one: withdrawn is open again, nothing is pinned.
    assert agency.pinned_by_own(own, national, agencies, {"withdrawn", "pending"}) is False
    assert agency.pinned_by_own(large_own, large, agencies, {"withdrawn", "pending"}) is False


def test_a_large_pinned_stage_stays_pinned_while_others_trade():
    # Granted and rejected hidden trade one for one under the shown decided; withdrawn, hidden too,
    # is still pinned (received - decided - pending) and rests on one other agency: all hide. Every
    # count above 256, so that counts compare by value (a Python `is` would call them moved).
    own = {"applications": 2020, "decided": 1500, "granted": 1000, "rejected": 500, "withdrawn": 0, "pending": 520}
    national = {"decided": 150_000, "granted": 100_000, "rejected": 50_000, "withdrawn": 1000, "pending": 50_000}
    national["applications"] = 201_000
    agencies = dict.fromkeys(STAGES, 30) | {"withdrawn": 1}
    assert agency.pinned_by_own(own, national, agencies, {"granted", "rejected", "withdrawn"}) is True
    assert agency.pinned_by_own(own, national, agencies, {"granted", "rejected"}) is False


@EXAMPLES
@given(flows(), st.sets(st.sampled_from(STAGES[1:])))
def test_a_flow_is_pinned_exactly_when_a_hidden_small_stage_has_one_filling_in(case, hidden):
    # pinned_by_own against enumeration, for any set of hidden stages below the received: true
    # exactly when a hidden stage resting on 1-4 persons or agencies besides the own has one value
    # only. Hiding more than that costs the agency the national flow for nothing.
    own, national, agencies, others = case
    sensitive = {s for s in STAGES if small(national[s] - own[s]) or small(others[s])}
    seen = fillings(own, national, hidden)
    expected = any(len(seen[s]) < 2 for s in sensitive & hidden)
    assert agency.pinned_by_own(own, national, agencies, hidden) == expected, (own, national, sorted(hidden))


# --- the sample database, checked against the raw tables -------------------------------------------


def test_the_flow_and_the_groups_equal_the_raw_applications(sample_db, roles):
    own, year = roles["org_nr"], 2025
    raw = dict(
        rows(
            sample_db,
            f"""select d.decision, count(*) from applications a join decision_types d using (decision)
            where a.org_nr = '{own}' and year(a.received_on) = {year} group by all""",
        )
    )
    national_raw = dict(
        rows(sample_db, f"select decision, count(*) from applications where year(received_on) = {year} group by all")
    )

    def stages(by_decision: dict) -> dict:
        granted = by_decision.get("beviljad", 0) + by_decision.get("delvis beviljad", 0)
        rejected = by_decision.get("avslag", 0)
        return {
            "applications": sum(by_decision.values()),
            "decided": granted + rejected,
            "granted": granted,
            "rejected": rejected,
            "withdrawn": by_decision.get("återtagen", 0),
            "pending": by_decision.get("under handläggning", 0),
        }

    with connection.connect(sample_db) as con:
        flow = profile.application_flow(con, own, year, role=own)
        national_only = profile.application_flow(con, None, year, role=TSN)
        gender = profile.application_groups(con, own, year, "gender", role=own)
        ages = profile.application_groups(con, None, year, "age_band", role=TSN)
        with pytest.raises(PermissionError):
            profile.application_flow(con, None, year, role=own)  # an agency's national view has its own part
        other = rows(sample_db, f"select org_nr from agencies where org_nr <> '{own}' limit 1")[0][0]
        with pytest.raises(PermissionError):
            profile.application_groups(con, other, year, "gender", role=own)
    assert dict(zip(flow["stage"], flow["own_count"], strict=True)) == stages(raw)
    assert dict(zip(national_only["stage"], national_only["national_count"], strict=True)) == stages(national_raw)
    assert sum(raw.values()) > 0 and not any(flow["hidden"].to_list())

    by_gender = dict(
        rows(
            sample_db,
            f"select gender, count(*) from applications where org_nr = '{own}' and year(received_on) = {year} "
            "group by all",
        )
    )
    assert {g: n for g, n in zip(gender["applicant_group"], gender["applications"], strict=True) if n} == by_gender
    by_age = dict(
        rows(sample_db, f"select age_band, count(*) from applications where year(received_on) = {year} group by all")
    )
    assert dict(zip(ages["applicant_group"], ages["national_applications"], strict=True)) == by_age
    oldest = ages.filter(pl.col("applicant_group") == "60-")["national_share_of_applications"].item()
    assert oldest == pytest.approx(by_age["60-"] / sum(by_age.values()))


def test_the_agency_sees_its_own_flow_and_applicants_and_the_nation_beside(sample_db, monkeypatch, roles):
    own = roles["org_nr"]
    received = rows(
        sample_db, f"select count(*) from applications where org_nr = '{own}' and year(received_on) = 2025"
    )[0][0]
    app = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["agency"]})
    open_page(app, "profile").run()
    assert not app.exception
    subheaders = [s.value for s in app.header]
    assert "Ansökningarnas väg 2025" in subheaders and "Sökande efter kön och ålder 2025" in subheaders
    flow = next(t.value for t in app.dataframe if "Steg" in t.value.columns)
    assert flow["Steg"].tolist() == list(applicants.STAGES.values())
    name = rows(sample_db, f"select name from agencies where org_nr = '{own}'")[0][0]
    assert int(flow.iloc[0][name[:40]]) == received
    assert any(c.value.startswith(f"Av {fmt.number(received)} inkomna") for c in app.caption)
    assert any("60 år och äldre" in c.value for c in app.caption)
    # An approval rate without decisions reads as the grid's placeholder (–), never "None".
    assert not [c for t in app.dataframe for c in drawn(t).to_numpy().ravel() if c in EMPTY]

    staff = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["tsn"]})
    open_page(staff, "trends").run()
    assert not staff.exception
    national = next(t.value for t in staff.dataframe if "Steg" in t.value.columns)
    total = rows(sample_db, "select count(*) from applications where year(received_on) = 2025")[0][0]
    assert int(national.iloc[0]["Alla myndigheter"]) == total


@st.composite
def group_counts(draw):
    n = draw(st.integers(2, 5))
    own = [draw(st.integers(0, 4)) for _ in range(n)]
    rest = [draw(st.integers(0, 7)) for _ in range(n)]
    others = [0 if r == 0 else draw(st.integers(1, 7)) for r in rest]
    return own, rest, others


@EXAMPLES
@given(group_counts())
def test_no_hidden_national_group_can_be_filled_in(case):
    """Applications by group beside the total of all groups, which is shown: whatever is hidden, a
    reader who knows its own counts and the total still finds more than one possible truth."""
    own, rest, others = case
    names = [f"g{i}" for i in range(len(own))]
    national = [o + r for o, r in zip(own, rest, strict=True)]
    frame = pl.DataFrame(
        {
            "applicant_group": names,
            **{column: own for column in ("applications", "decided", "granted")},
            **{f"national_{column}": national for column in ("applications", "decided", "granted")},
            **{
                f"national_agencies{suffix}": [o + (m > 0) for o, m in zip(others, own, strict=True)]
                for suffix in ("", "_decided", "_granted")
            },
        }
    )
    shown = agency.application_groups(frame, protect=True)
    hidden = {g for g, h in zip(shown["applicant_group"], shown["hidden"].to_list(), strict=True) if h}
    sensitive = {g for g, r, o in zip(names, rest, others, strict=True) if small(r) or small(o)}
    assert sensitive <= hidden
    total = sum(national)
    seen: dict[str, set[int]] = {g: set() for g in hidden}
    known = {g: n for g, n in zip(names, national, strict=True) if g not in hidden}
    mine = dict(zip(names, own, strict=True))
    order = sorted(hidden)
    for values in itertools.product(*(range(mine[g], mine[g] + 12) for g in order)):
        if sum(values) + sum(known.values()) == total:
            for g, v in zip(order, values, strict=True):
                seen[g].add(v)
    exposed = [g for g in sensitive if len(seen[g]) < 2]
    assert not exposed, f"own={own} rest={rest} others={others} hidden={order}"
