// The demo page: who you are, a channel and the app in a sidebar, messages with threads, App Home, and
// the app's modals. Every change comes from the stand-in (a long poll of /demo/state); every click, pick
// and line typed goes to it, and it sends the app what Slack would.
import { el, placeholder, rich, renderBlocks } from "./blocks.js";

const $ = (selector) => document.querySelector(selector);
const page = {
  me: localStorage.getItem("staffdesk-demo-user") || "",
  data: null,
  conv: null,
  tab: "messages",
  thread: null,
  values: {},
  errors: {},
  drawn: {},
  poll: null,
  dismissed: {},
};

function notice(text) {
  $("#notices").append(el("div", { class: "notice", role: "status" }, text,
    el("button", { type: "button", class: "x", "aria-label": "Dismiss", onclick: (e) => e.target.parentNode.remove() }, "×")));
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: page.me, ...body }),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) notice(answer.problem || `The stand-in answered HTTP ${response.status}.`);
  return answer;
}

const clock = (ts) => new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
const initials = (name) => name.split(/\s+/).map((w) => w[0] || "").join("").slice(0, 2).toUpperCase();

function context(place, values, errors = {}) {
  const ctx = {
    values, errors, users: page.data.users,
    act: (block, element, state) => post("/demo/act", {
      ...place, block_id: block.block_id, action_id: element.action_id, state, values,
    }),
    search: (block, element, value) => post("/demo/options", {
      view_id: place.view_id, block_id: block.block_id, action_id: element.action_id, value, values,
    }),
    confirm: (dialog, go) => confirmThen(dialog, go),
  };
  return ctx;
}

function confirmThen(dialog, go) {
  const layer = $("#confirm");
  const close = () => { layer.hidden = true; layer.replaceChildren(); };
  layer.replaceChildren(el("div", { class: "dialog", role: "alertdialog" },
    rich(dialog.title, "h2"), rich(dialog.text, "p"),
    el("footer", {},
      el("button", { type: "button", class: "btn", onclick: close }, rich(dialog.deny || { html: "Cancel" })),
      el("button", { type: "button", class: `btn ${dialog.style || "primary"}`, onclick: () => { close(); go(); } },
        rich(dialog.confirm || { html: "Yes" })))));
  layer.hidden = false;
}

function messageNode(message, conv, inThread) {
  const key = `${conv.id}/${message.ts}`;
  page.values[key] = page.values[key] || {};
  const ctx = context({ channel: conv.id, ts: message.ts }, page.values[key]);
  const replies = message.replies || [];
  return el("article", { class: `message${message.only_me ? " ephemeral" : ""}`, "data-ts": message.ts },
    el("div", { class: `avatar${message.bot ? " bot" : ""}`, "aria-hidden": "true" }, initials(message.author)),
    el("div", { class: "body" },
      el("div", { class: "meta" }, el("b", {}, message.author), message.bot ? el("span", { class: "tag" }, "APP") : null,
        el("time", {}, clock(message.ts)),
        message.only_me ? el("span", { class: "only-you" }, "Only visible to you") : null),
      message.html !== null ? rich({ html: message.html }, "div", "text") : renderBlocks(ctx, message.blocks),
      message.attachments ? placeholder("message part", "attachments") : null,
      !inThread && replies.length
        ? el("button", { type: "button", class: "replies", onclick: () => { page.thread = { conv: conv.id, ts: message.ts }; draw(); } },
          `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`)
        : null));
}

function redraw(region, key, build) {
  if (page.drawn[region] === key) return false;
  page.drawn[region] = key;
  build();
  return true;
}

function drawWho() {
  const who = $("#who");
  const cast = new Set(page.data.cast.map((c) => c.id));
  redraw("who", page.data.me, () => {
    who.replaceChildren(
      el("optgroup", { label: "The cast" }, page.data.cast.map((c) => el("option", { value: c.id }, `${c.name}: ${c.part}`))),
      el("optgroup", { label: "Everyone else" }, page.data.users.filter((u) => !cast.has(u.id))
        .map((u) => el("option", { value: u.id }, `${u.real_name}, ${u.title}`))));
    who.value = page.data.me;
  });
}

function drawSidebar(convs) {
  redraw("sidebar", JSON.stringify([convs.map((c) => c.id), page.conv]), () => {
    const item = (c) => el("button", {
      type: "button", class: `conv${c.id === page.conv ? " active" : ""}`, "data-conv": c.id,
      onclick: () => openConversation(c),
    }, c.kind === "channel" ? `# ${c.name}` : c.name);
    $("#sidebar").replaceChildren(
      el("h2", {}, "Channels"), ...convs.filter((c) => c.kind === "channel").map(item),
      el("h2", {}, "Apps"), ...convs.filter((c) => c.kind === "app").map(item));
  });
}

function openConversation(conv, tab = "home") {
  page.conv = conv.id;
  page.thread = null;
  if (conv.kind === "app") showTab(tab);
  else draw();
}

function showTab(tab) {
  page.tab = tab;
  draw();
  post("/demo/home", { tab });
}

function drawMain(conv) {
  const isApp = conv.kind === "app";
  const home = isApp && page.tab === "home";
  $("#composer").hidden = home;
  $("#box").placeholder = `Message ${isApp ? conv.name : "#" + conv.name}, or a command: /allocate, /staffing help…`;
  redraw("head", JSON.stringify([conv.id, page.tab]), () => {
    const tabs = isApp ? el("nav", { class: "tabs" }, ["home", "messages"].map((t) => el("button", {
      type: "button", class: `tab${page.tab === t ? " active" : ""}`, "data-tab": t, onclick: () => showTab(t),
    }, t === "home" ? "Home" : "Messages"))) : null;
    $("#head").replaceChildren(...[el("h1", {}, isApp ? conv.name : `# ${conv.name}`), tabs].filter(Boolean));
  });
  const main = $("#main");
  const stuck = main.scrollHeight - main.scrollTop - main.clientHeight < 40;
  const drew = redraw("main", JSON.stringify([conv.id, home, home ? page.data.home : conv.messages]), () => {
    if (home) {
      const view = page.data.home;
      if (!view) {
        main.replaceChildren(el("p", { class: "empty" }, "Opening App Home…"));
        return;
      }
      page.values[view.id] = page.values[view.id] || {};
      const ctx = context({ view_id: view.id }, page.values[view.id]);
      main.replaceChildren(el("div", { class: "home", "data-view-id": view.id }, renderBlocks(ctx, view.blocks)));
      return;
    }
    main.replaceChildren(...(conv.messages.length
      ? conv.messages.map((m) => messageNode(m, conv, false))
      : [el("p", { class: "empty" }, "Nothing here yet. Type /staffing help below.")]));
  });
  if (drew && !home && stuck) main.scrollTop = main.scrollHeight;
}

function drawThread(convs) {
  const pane = $("#thread");
  const conv = page.thread && convs.find((c) => c.id === page.thread.conv);
  const parent = conv && conv.messages.find((m) => m.ts === page.thread.ts);
  pane.hidden = !parent;
  if (!parent) return;
  redraw("thread", JSON.stringify(parent), () => {
    pane.replaceChildren(
      el("header", {}, el("h2", {}, "Thread"), el("span", { class: "where" }, `#${conv.name}`),
        el("button", { type: "button", class: "x", "aria-label": "Close thread", onclick: () => { page.thread = null; draw(); } }, "×")),
      el("div", { class: "thread-body" }, messageNode(parent, conv, true),
        el("div", { class: "thread-count" }, `${parent.replies.length} ${parent.replies.length === 1 ? "reply" : "replies"}`),
        ...parent.replies.map((m) => messageNode(m, conv, true))));
  });
}

function drawModal() {
  const layer = $("#modal");
  const top = page.data.modals[page.data.modals.length - 1];
  layer.hidden = !top;
  if (!top) { page.drawn.modal = null; return; }
  const errors = page.errors[top.id] || {};
  const focused = document.activeElement && document.activeElement.closest("[data-action-id]");
  const focusKey = focused && [focused.dataset.blockId, focused.dataset.actionId];
  const drew = redraw("modal", JSON.stringify([top.id, top.hash, errors]), () => {
    const view = top.view;
    page.values[top.id] = page.values[top.id] || {};
    const ctx = context({ view_id: top.id }, page.values[top.id], errors);
    const closeAll = () => post("/demo/close", { view_id: top.id, everything: true });
    const submit = view.submit ? el("button", { type: "button", class: "btn primary", "data-submit": "" }, rich(view.submit)) : null;
    if (submit) {
      submit.addEventListener("click", async () => {
        submit.disabled = true;
        const answer = await post("/demo/submit", { view_id: top.id, values: page.values[top.id] });
        page.errors[top.id] = (answer && answer.errors) || {};
        submit.disabled = false;
        page.drawn.modal = null;
        draw();
      });
    }
    layer.replaceChildren(el("div", { class: "modal", role: "dialog", "aria-modal": "true", "data-view-id": top.id, "data-hash": top.hash },
      el("header", {}, rich(view.title, "h2"),
        el("button", { type: "button", class: "x", "aria-label": "Close", onclick: closeAll }, "×")),
      el("div", { class: "modal-body" },
        errors[""] ? el("div", { class: "error", role: "alert" }, errors[""]) : null,
        renderBlocks(ctx, view.blocks)),
      el("footer", {},
        el("button", { type: "button", class: "btn", "data-close": "", onclick: () => post("/demo/close", { view_id: top.id }) },
          view.close ? rich(view.close) : "Cancel"),
        submit)));
  });
  if (drew && focusKey) {
    const again = layer.querySelector(`[data-block-id="${CSS.escape(focusKey[0])}"][data-action-id="${CSS.escape(focusKey[1])}"] input, [data-block-id="${CSS.escape(focusKey[0])}"][data-action-id="${CSS.escape(focusKey[1])}"] select`);
    if (again) again.focus();
  }
}

function drawNotices() {
  const seen = page.dismissed[page.data.me] || 0;
  const fresh = page.data.notices.filter((n) => n.id > seen);
  for (const n of fresh) notice(n.text);
  if (fresh.length) page.dismissed[page.data.me] = Math.max(...fresh.map((n) => n.id));
}

function drawHints() {
  const typed = $("#box").value;
  const hints = $("#hints");
  const matching = typed.startsWith("/") && page.data
    ? page.data.commands.filter((c) => c.command.startsWith(typed.split(" ")[0])) : [];
  hints.replaceChildren(...matching.map((c) => el("li", {}, el("b", {}, c.command), ` ${c.usage_hint} `, el("span", {}, c.description))));
  hints.hidden = !matching.length;
}

function draw() {
  if (!page.data) return;
  const convs = page.data.conversations;
  if (!convs.some((c) => c.id === page.conv)) page.conv = convs[0].id;
  const conv = convs.find((c) => c.id === page.conv);
  document.body.dataset.me = page.data.me;
  drawWho();
  drawSidebar(convs);
  drawMain(conv);
  drawThread(convs);
  drawModal();
  drawNotices();
}

async function pollForever() {
  for (;;) {
    const me = page.me;
    const after = page.data && page.data.me === me ? page.data.version : -1;
    page.poll = new AbortController();
    try {
      const response = await fetch(`/demo/state?user=${encodeURIComponent(me)}&after=${after}`,
        { signal: page.poll.signal, cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      if (me !== page.me) continue;
      if (data.closing) {
        $("#offline").textContent = "The demo has stopped. Run staffdesk demo again to go on.";
        $("#offline").hidden = false;
        return;
      }
      page.me = data.me;
      page.data = data;
      $("#offline").hidden = true;
      draw();
    } catch (error) {
      if (error.name === "AbortError") continue;
      $("#offline").hidden = false;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

$("#who").addEventListener("change", (event) => {
  page.me = event.target.value;
  localStorage.setItem("staffdesk-demo-user", page.me);
  Object.assign(page, { data: null, thread: null, values: {}, errors: {}, drawn: {} });
  $("#notices").replaceChildren();
  if (page.poll) page.poll.abort();
});

$("#composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = $("#box");
  const text = box.value;
  if (!text.trim() || !page.data) return;
  box.value = "";
  drawHints();
  await post("/demo/type", { channel: page.conv, text });
});
$("#box").addEventListener("input", drawHints);

pollForever();
