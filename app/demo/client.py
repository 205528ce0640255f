"""What a person's Slack client does when they type, click, pick, submit or open App Home: the request it
sends the app, and what it does with the app's answer."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from app.demo import outgoing
from app.demo.blockkit import Json, action_of, find_element, form_problems, state_of, view_state
from app.demo.outgoing import AppAnswer, SignedSender
from app.demo.shapes import Refused, checked_view, message_json
from app.demo.store import MAX_VIEWS, Conversation, SlackState, View
from app.demo.workspace import BOT_USER_ID, CHANNEL_ID, CHANNEL_NAME, COMMANDS, SLACKBOT_ID, SlackUser

log = logging.getLogger("staffdesk.demo")
Values = dict[str, dict[str, Any]]
_MENTION = re.compile(r"(?<![\w@])@([a-z0-9._-]+)")
_CHANNEL = re.compile(r"(?<![\w#])#([a-z0-9_-]+)")
TROUBLE = "We had some trouble connecting. Try again?"


class Unavailable(Exception):
    """What the person asked for cannot be done: a view or message gone, or not theirs."""


@dataclass(frozen=True)
class Place:
    """Where an element was used: a view, or a message in a channel."""

    view_id: str | None = None
    channel: str | None = None
    ts: str | None = None


def as_sent(text: str, state: SlackState) -> str:
    """Typed text as Slack's client sends it: &, < and > as entities, @name and #channel as references."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def person(found: re.Match[str]) -> str:
        name = found.group(1)
        if name in {"here", "channel", "everyone"}:
            return f"<!{name}>"
        user = state.workspace.by_name(name)
        return f"<@{user.id}|{user.name}>" if user else found.group()

    text = _MENTION.sub(person, text)
    return _CHANNEL.sub(
        lambda f: f"<#{CHANNEL_ID}|{CHANNEL_NAME}>" if f.group(1) == CHANNEL_NAME else f.group(), text
    )


class SlackClient:
    def __init__(self, state: SlackState, sender: SignedSender, base_url: str) -> None:
        self.state = state
        self.sender = sender
        self.base_url = base_url  # where the stand-in's response URLs are

    def _user(self, user_id: str) -> SlackUser:
        user = self.state.workspace.user(user_id)
        if user is None:
            raise Unavailable(f"there is no user {user_id}")
        return user

    def _conversation(self, user: SlackUser, channel_id: str) -> Conversation:
        channel = self.state.conversations.get(channel_id)
        if channel is None and channel_id == "D" + user.id.removeprefix("U"):
            channel = self.state.im_of(user.id)
        if channel is None or not self.state.may_read(channel, user.id):
            raise Unavailable("that conversation is not open to you")
        return channel

    async def _told(self, user: SlackUser, what: str, answer: AppAnswer) -> None:
        if answer.late:
            log.warning("the app took %.1f s to answer %s (Slack waits 3 s)", answer.seconds, what)
        if not answer.ok:
            self.state.notify(user.id, f"{what}: {answer.problem()}")
            await self.state.touch()

    async def type(self, user_id: str, channel_id: str, text: str, thread_ts: str | None = None) -> None:
        """A line typed in the message box: a slash command, or a message."""
        user = self._user(user_id)
        channel = self._conversation(user, channel_id)
        if text.startswith("/"):
            await self.command(user, channel, text)
        elif text.strip():
            self.state.post(channel, user.id, as_sent(text, self.state), [], thread_ts=thread_ts)
        await self.state.touch()

    async def command(self, user: SlackUser, channel: Conversation, typed: str) -> None:
        name, _, rest = typed.strip().partition(" ")
        if name not in COMMANDS:
            text = (
                f"`{name}` is not a valid command. In Slack, all messages that start with “/” are commands."
            )
            self.state.post(channel, SLACKBOT_ID, as_sent(text, self.state), [], only_for=user.id)
            return
        response_url = f"{self.base_url}/hooks/{self.state.new_hook(user.id, channel.id)}"
        trigger = self.state.new_trigger(user.id)
        fields = outgoing.command_fields(
            user, channel.id, channel.name, name, as_sent(rest.strip(), self.state), trigger, response_url
        )
        answer = await self.sender.form(fields)
        await self._told(user, name, answer)
        if not answer.ok:
            return
        body = answer.body or ({"text": answer.text} if answer.text.strip() else {})
        if body.get("text") or body.get("blocks"):
            public = body.get("response_type") == "in_channel"
            self.state.post(
                channel,
                BOT_USER_ID,
                str(body.get("text") or ""),
                list(body.get("blocks") or []),
                only_for=None if public else user.id,
            )

    def _view_of(self, user: SlackUser, view_id: str) -> View:
        view = self.state.view(view_id)
        if view is None or view.user != user.id:
            raise Unavailable("that view is closed")
        return view

    async def act(
        self, user_id: str, place: Place, block_id: str, action_id: str, given: Any, values: Values
    ) -> None:
        """A click, or a change of an element that reports its changes."""
        user = self._user(user_id)
        fields: Json = {"trigger_id": self.state.new_trigger(user.id)}
        if place.view_id:
            view = self._view_of(user, place.view_id)
            blocks = list(view.body["blocks"])
            state = view_state(blocks, values)
            fields |= {
                "container": {"type": "view", "view_id": view.id},
                "view": {**view.body, "state": state},
            }
        else:
            channel = self._conversation(user, place.channel or "")
            message = self.state.find_message(channel.id, place.ts or "")
            if message is None or message.only_for not in (None, user.id):
                raise Unavailable("that message is gone")
            blocks, ephemeral = message.blocks, message.only_for is not None
            hook = self.state.new_hook(user.id, channel.id, message.ts, ephemeral)
            fields |= {
                "container": {
                    "type": "message",
                    "message_ts": message.ts,
                    "channel_id": channel.id,
                    "is_ephemeral": ephemeral,
                },
                "channel": {
                    "id": channel.id,
                    "name": channel.name if channel.im_user is None else "directmessage",
                },
                "response_url": f"{self.base_url}/hooks/{hook}",
                "state": view_state(blocks, values),
            }
            if not ephemeral:
                fields["message"] = message_json(message)
        found = find_element(blocks, block_id, action_id)
        if found is None:
            raise Unavailable("that element is no longer there")
        block, element = found
        stateful = element.get("type") not in {"button", "overflow"}
        current = state_of(element, given if isinstance(given, dict) else None) if stateful else None
        fields["actions"] = [action_of(block, element, current, self.state.next_ts())]
        answer = await self.sender.interaction(outgoing.interaction("block_actions", user, **fields))
        await self._told(user, f"{element.get('type')} {action_id}", answer)

    async def submit(self, user_id: str, view_id: str, values: Values) -> dict[str, str]:
        """Send a form; the problems to show next to its fields (by block id, "" for the whole form)."""
        user = self._user(user_id)
        view = self._view_of(user, view_id)
        blocks = list(view.body["blocks"])
        state = view_state(blocks, values)
        problems = form_problems(blocks, state)
        if problems:
            return problems
        payload = outgoing.interaction(
            "view_submission",
            user,
            trigger_id=self.state.new_trigger(user.id),
            view={**view.body, "state": state},
            response_urls=[],
        )
        async with self.state.holding_view(view.id):
            answer = await self.sender.interaction(payload)
            await self._told(user, "the form", answer)
            problems = self._follow(user, view, answer) if answer.ok else {"": TROUBLE}
        await self.state.touch()
        return problems

    def _follow(self, user: SlackUser, view: View, answer: AppAnswer) -> dict[str, str]:
        """Do what the app's answer to a submission says: errors, update, push, clear, or close."""
        body = answer.body or {}
        action = body.get("response_action")
        try:
            if action == "errors":
                return self._errors(view, body.get("errors"))
            if action == "update":
                self.state.replace_view(
                    view, self.state.make_view(user.id, checked_view(body.get("view"), "modal"), keep=view)
                )
            elif action == "push":
                stack = self.state.stacks.get(user.id, [])
                if len(stack) >= MAX_VIEWS:
                    return {"": TROUBLE}
                stack.append(
                    self.state.make_view(user.id, checked_view(body.get("view"), "modal"), root=stack[0])
                )
            else:
                self.state.close_view(user.id, view.id, everything=action == "clear")
        except Refused as refused:
            log.warning(
                "Slack would refuse the app's answer to a form: %s %s", refused.error, refused.messages
            )
            return {"": TROUBLE}
        return {}

    @staticmethod
    def _errors(view: View, errors: Any) -> dict[str, str]:
        inputs = {b["block_id"] for b in view.body["blocks"] if b.get("type") == "input"}
        if not isinstance(errors, dict) or not errors or not set(errors) <= inputs:
            log.warning("Slack would refuse the app's errors for blocks that are not inputs: %s", errors)
            return {"": TROUBLE}
        return {str(k): str(v) for k, v in errors.items()}

    async def close(self, user_id: str, view_id: str, *, everything: bool) -> None:
        """The form's close button (back to the view below) or its close mark, which closes them all."""
        user = self._user(user_id)
        view = self._view_of(user, view_id)
        closed = self.state.close_view(
            user.id, view.id, everything=everything or bool(view.body.get("clear_on_close"))
        )
        await self.state.touch()
        for gone in closed:
            if gone.body.get("notify_on_close"):
                payload = outgoing.interaction("view_closed", user, view=gone.body, is_cleared=everything)
                await self._told(user, "closing the form", await self.sender.interaction(payload))

    async def options(
        self, user_id: str, view_id: str, block_id: str, action_id: str, typed: str, values: Values
    ) -> Json:
        """The options an external select offers for what was typed, as the app answers."""
        user = self._user(user_id)
        view = self._view_of(user, view_id)
        payload = outgoing.interaction(
            "block_suggestion",
            user,
            container={"type": "view", "view_id": view.id},
            action_id=action_id,
            block_id=block_id,
            value=typed,
            view={**view.body, "state": view_state(list(view.body["blocks"]), values)},
        )
        answer = await self.sender.interaction(payload)
        await self._told(user, "loading options", answer)
        body = answer.body or {}
        return {key: body[key] for key in ("options", "option_groups") if isinstance(body.get(key), list)}

    async def open_home(self, user_id: str, tab: str) -> None:
        """The app's Home (or Messages) tab opened: Slack tells the app, which may publish the Home view."""
        user = self._user(user_id)
        home = self.state.homes.get(user.id)
        channel = self.state.im_of(user.id)
        event = outgoing.home_opened(user, channel.id, tab, home.body if home else None, self.state.clock())
        await self._told(user, "opening App Home", await self.sender.event(event))
        await self.state.touch()
