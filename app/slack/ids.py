"""Every callback, action and block id the app uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    ALLOCATION = "staffdesk_allocation"
    WHITELIST = "staffdesk_whitelist"
    PROJECT_PERSON = "staffdesk_project_person"
    REJECT = "staffdesk_reject"
    APPROVE_CHANGES = "staffdesk_approve_changes"


class Action(StrEnum):
    APPROVE = "staffdesk_approve"
    APPROVE_CHANGES = "staffdesk_approve_changes"
    REJECT = "staffdesk_reject"
    CANCEL = "staffdesk_cancel"
    RESUBMIT = "staffdesk_resubmit"
    START_ALLOCATION = "staffdesk_start_allocation"
    START_WHITELIST = "staffdesk_start_whitelist"
    START_MISSIONX_PERSON = "staffdesk_start_missionx_person"
    START_PROCORE_PERSON = "staffdesk_start_procore_person"
    PERSON = "person"
    PROJECT = "project"
    START = "start"
    END = "end"
    HOURS = "hours"
    UPSTREAM = "upstream"
    EMAIL = "email"
    PERMISSION = "permission"
    ROLE_TITLE = "role_title"
    MANAGER = "manager"
    RATE = "rate"
    RATE_TIME = "rate_time"
    LAST_NAME = "last_name"
    FIRST_NAME = "first_name"
    JOB_TITLE = "job_title"
    EMPLOYEE_ID = "employee_id"
    REASON = "reason"
    NOTE = "note"
    DAYS = "days"


class Block(StrEnum):
    PERSON = "person_block"
    PROJECT = "project_block"
    START = "start_block"
    END = "end_block"
    HOURS = "hours_block"
    PREVIEW = "preview_block"
    UPSTREAM = "upstream_block"
    EMAIL = "email_block"
    PERMISSION = "permission_block"
    ROLE_TITLE = "role_title_block"
    MANAGER = "manager_block"
    RATE = "rate_block"
    RATE_TIME = "rate_time_block"
    LAST_NAME = "last_name_block"
    FIRST_NAME = "first_name_block"
    JOB_TITLE = "job_title_block"
    EMPLOYEE_ID = "employee_id_block"
    REASON = "reason_block"
    NOTE = "note_block"
    DAYS = "days_block"
    DECISION = "decision_block"
    PROBLEM = "problem_block"
    ECHO = "echo_block"


NO_MATCH = "staffdesk_no_match:"
"""How the value of the option that says a search found nothing starts: never a project's id."""
