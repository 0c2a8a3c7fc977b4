"""The deploy rehearsal reads what CloudFormation will get (the translated templates) and would have
caught the missing authorizer permission that made 38 of 54 routes answer 500 when deployed."""

import pytest

from fitconnect_local.rehearsal import QUOTAS, main, rehearse
from fitconnect_local.template import load_template
from tests.support.paths import TEMPLATE


@pytest.fixture
def fresh_template():
    # Its own copy: the tests below break it on purpose.
    return load_template(TEMPLATE, parameters={"Stage": "test"})


def test_every_stack_translates_fits_its_quotas_and_every_trigger_reaches_its_function(fresh_template):
    reports, problems = rehearse(fresh_template)
    assert problems == []
    assert {report.path.parent.name for report in reports if report.path.name == "template.yaml"} >= {
        "identity",
        "members",
        "scheduling",
        "payments",
        "notifications",
        "inventory",
        "platform",
    }
    for report in reports:
        # Room for a context to grow by ~25 HTTP functions (6 resources each) before it must split.
        assert report.counts["resources"] <= QUOTAS["resources"] - 150, report.name
        assert report.counts["parameters"] <= QUOTAS["parameters"], report.name
    assert sum(report.routes for report in reports) >= 54


def test_a_missing_authorizer_permission_is_found(fresh_template):
    del fresh_template.body["Resources"]["TokenAuthorizerPermission"]
    _, problems = rehearse(fresh_template)
    assert any(
        p.startswith("authorizer TokenAuthorizer: API Gateway may not invoke AuthorizerFunction")
        for p in problems
    )


def test_a_route_whose_permission_does_not_cover_it_is_found(fresh_template):
    scheduling = fresh_template.children["SchedulingStack"]
    permission = scheduling.body["Resources"]["CreateBookingPermission"]["Properties"]
    permission["SourceArn"] = {
        "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:"
        "${AWS::AccountId}:${HttpApi}/*/POST/sessions/bookings"
    }  # the {id} segment lost
    _, problems = rehearse(fresh_template)
    assert problems == [
        next(p for p in problems if p.startswith("route POST /sessions/{session_id}/bookings:"))
    ]


def test_a_schedule_whose_role_cannot_invoke_and_a_wildcard_data_grant_are_found(fresh_template):
    inventory = fresh_template.children["InventoryStack"]
    sweep = inventory.body["Resources"]["SweepEquipmentFunction"]["Properties"]
    sweep["Events"]["EveryTwoMinutes"]["Properties"]["RoleArn"] = "arn:aws:iam::123456789012:role/nobody"
    sweep["Policies"].append(
        {"Statement": [{"Effect": "Allow", "Action": ["dynamodb:Scan"], "Resource": "*"}]}
    )
    _, problems = rehearse(fresh_template)
    assert any(p.startswith("SweepEquipmentFunction.EveryTwoMinutes: the schedule's role") for p in problems)
    assert "SweepEquipmentFunction: dynamodb:Scan on every resource (*)" in problems


def test_the_command_prints_each_stack_with_its_headroom(capsys):
    assert main([str(TEMPLATE)]) == 0
    out = capsys.readouterr().out
    assert "fitconnect-dev-SchedulingStack" in out
    assert "headroom" in out
    assert out.rstrip().endswith("every trigger reaches its function")
