"""SlackPeople over the Web API: e-mails (users.info), users by e-mail, and user group members."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient


class SlackWebPeople:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def email_of(self, slack_user_id: str) -> str | None:
        try:
            answer = await self._client.users_info(user=slack_user_id)
        except SlackApiError as error:
            if error.response.get("error") == "user_not_found":
                return None
            raise
        user = answer.get("user") or {}
        email = (user.get("profile") or {}).get("email")
        return str(email) if email else None

    async def user_by_email(self, email: str) -> str | None:
        try:
            answer = await self._client.users_lookupByEmail(email=email)
        except SlackApiError as error:
            if error.response.get("error") == "users_not_found":
                return None
            raise
        user = answer.get("user") or {}
        if user.get("deleted") or user.get("is_bot"):
            return None
        return str(user["id"]) if user.get("id") else None

    async def usergroup_members(self, handle: str) -> frozenset[str]:
        groups = (await self._client.usergroups_list()).get("usergroups") or []
        group = next((g for g in groups if g.get("handle") == handle.lstrip("@")), None)
        if group is None:
            return frozenset()
        users = (await self._client.usergroups_users_list(usergroup=group["id"])).get("users") or []
        return frozenset(str(u) for u in users)
