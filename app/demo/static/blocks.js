// Block Kit as DOM. Text objects arrive with `html`, made safe by the stand-in (app/demo/mrkdwn.py);
// nothing else is ever put into innerHTML. A block or element this page cannot show becomes a labelled
// placeholder, never nothing.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function rich(textObject, tag = "span", cls = "") {
  const node = el(tag, { class: cls });
  if (textObject && typeof textObject.html === "string") node.innerHTML = textObject.html;
  return node;
}

export function placeholder(kind, name) {
  return el("div", { class: "placeholder", "data-unsupported": name },
    `[${kind} “${name}”: the demo page cannot show it]`);
}

const optionLabel = (option) => (option && option.text ? option.text.text : "");
const sameOption = (a, b) => !!a && !!b && a.value === b.value;
const STATE_KEY = {
  plain_text_input: "value", number_input: "value", email_text_input: "value", url_text_input: "value",
  datepicker: "selected_date", timepicker: "selected_time", static_select: "selected_option",
  external_select: "selected_option", radio_buttons: "selected_option", users_select: "selected_user",
  checkboxes: "selected_options", multi_static_select: "selected_options", multi_users_select: "selected_users",
};
const INITIAL_KEY = {
  value: "initial_value", selected_date: "initial_date", selected_time: "initial_time",
  selected_option: "initial_option", selected_user: "initial_user", selected_options: "initial_options",
  selected_users: "initial_users",
};

// ctx: { values, users, errors, act(block, element, state), search(block, element, typed), confirm(c) }
function current(ctx, block, element) {
  const key = STATE_KEY[element.type];
  const mine = ((ctx.values[block.block_id] || {})[element.action_id]);
  if (mine && key in mine) return mine[key];
  return element[INITIAL_KEY[key]] ?? null;
}

function changed(ctx, block, element, value, { dispatch }) {
  const state = { type: element.type, [STATE_KEY[element.type]]: value };
  ctx.values[block.block_id] = ctx.values[block.block_id] || {};
  ctx.values[block.block_id][element.action_id] = state;
  if (dispatch) ctx.act(block, element, state);
}

function allOptions(element) {
  if (element.options) return element.options;
  return (element.option_groups || []).flatMap((group) => group.options || []);
}

function selectOf(element, options, selected, multiple, onchange) {
  const select = el("select", { multiple, size: multiple ? Math.min(Math.max(options.length, 2), 6) : null, onchange });
  if (!multiple) select.append(el("option", { value: "" }, optionLabel({ text: element.placeholder }) || "Select…"));
  options.forEach((option, index) => {
    const on = multiple ? (selected || []).some((s) => sameOption(s, option)) : sameOption(selected, option);
    select.append(el("option", { value: String(index), selected: on }, optionLabel(option)));
  });
  return select;
}

function externalSelect(ctx, block, element, dispatch) {
  const picked = current(ctx, block, element);
  const box = el("div", { class: "external" });
  const shown = el("div", { class: `external-picked${picked ? " picked" : ""}` }, picked ? optionLabel(picked) : "Nothing picked yet");
  const list = el("ul", { class: "external-options", role: "listbox" });
  const minimum = element.min_query_length ?? 3;
  const input = el("input", {
    type: "search", autocomplete: "off",
    placeholder: optionLabel({ text: element.placeholder }) || "Type to search",
  });
  input.addEventListener("input", async () => {
    const typed = input.value;
    list.replaceChildren();
    if (typed.length < minimum) return;
    const answer = await ctx.search(block, element, typed);
    if (input.value !== typed) return;
    const groups = answer.option_groups || [{ options: answer.options || [] }];
    for (const group of groups) {
      if (group.label) list.append(el("li", { class: "group" }, optionLabel({ text: group.label })));
      for (const option of group.options || []) {
        list.append(el("li", {
          role: "option", class: "option", "data-value": option.value,
          onclick: () => {
            shown.textContent = optionLabel(option);
            shown.classList.add("picked");
            list.replaceChildren();
            input.value = "";
            changed(ctx, block, element, option, { dispatch });
          },
        }, optionLabel(option)));
      }
    }
    if (!list.children.length) list.append(el("li", { class: "group" }, "No options"));
  });
  box.append(shown, input, list);
  return box;
}

function choices(ctx, block, element, dispatch) {
  const multiple = element.type === "checkboxes";
  const picked = current(ctx, block, element);
  const name = `${block.block_id}-${element.action_id}`;
  const box = el("div", { class: "choices" });
  for (const option of element.options || []) {
    const on = multiple ? (picked || []).some((p) => sameOption(p, option)) : sameOption(picked, option);
    const input = el("input", { type: multiple ? "checkbox" : "radio", name, checked: on, value: option.value });
    input.addEventListener("change", () => {
      const chosen = multiple
        ? [...box.querySelectorAll("input")].map((i, n) => (i.checked ? element.options[n] : null)).filter(Boolean)
        : option;
      changed(ctx, block, element, chosen, { dispatch });
    });
    box.append(el("label", { class: "choice" }, input, rich(option.text),
      option.description ? rich(option.description, "small", "hint") : null));
  }
  return box;
}

function textInput(ctx, block, element, dispatch) {
  const value = current(ctx, block, element) ?? "";
  const kinds = { number_input: "text", email_text_input: "email", url_text_input: "url" };
  const attrs = {
    placeholder: element.placeholder ? element.placeholder.text : null,
    inputmode: element.type === "number_input" ? (element.is_decimal_allowed ? "decimal" : "numeric") : null,
  };
  const field = element.multiline
    ? el("textarea", { rows: 3, ...attrs })
    : el("input", { type: kinds[element.type] || "text", ...attrs });
  field.value = value;
  const on = (element.dispatch_action_config || {}).trigger_actions_on || ["on_enter_pressed"];
  field.addEventListener("input", () => changed(ctx, block, element, field.value, {
    dispatch: dispatch && on.includes("on_character_entered"),
  }));
  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !element.multiline) {
      event.preventDefault();
      changed(ctx, block, element, field.value, { dispatch: dispatch && on.includes("on_enter_pressed") });
    }
  });
  return field;
}

function button(ctx, block, element) {
  const go = () => {
    if (element.url && /^https?:\/\//.test(element.url)) window.open(element.url, "_blank", "noopener");
    ctx.act(block, element, null);
  };
  return el("button", {
    type: "button", class: `btn ${element.style || ""}`,
    onclick: () => (element.confirm ? ctx.confirm(element.confirm, go) : go()),
  }, rich(element.text));
}

export function element(ctx, block, element, dispatch) {
  const tag = { "data-block-id": block.block_id, "data-action-id": element.action_id, "data-type": element.type };
  const wrap = (node) => el("div", { class: `element ${element.type}`, ...tag }, node);
  const users = ctx.users.map((u) => ({ text: { text: `${u.real_name} (@${u.name})` }, value: u.id }));
  switch (element.type) {
    case "button":
      return wrap(button(ctx, block, element));
    case "static_select":
    case "multi_static_select": {
      const options = allOptions(element);
      const multiple = element.type === "multi_static_select";
      const select = selectOf(element, options, current(ctx, block, element), multiple, () => {
        const chosen = [...select.selectedOptions].filter((o) => o.value !== "").map((o) => options[Number(o.value)]);
        changed(ctx, block, element, multiple ? chosen : chosen[0] || null, { dispatch });
      });
      return wrap(select);
    }
    case "users_select":
    case "multi_users_select": {
      const multiple = element.type === "multi_users_select";
      const picked = current(ctx, block, element);
      const selected = multiple ? users.filter((u) => (picked || []).includes(u.value)) : users.find((u) => u.value === picked);
      const select = selectOf(element, users, selected, multiple, () => {
        const chosen = [...select.selectedOptions].filter((o) => o.value !== "").map((o) => users[Number(o.value)].value);
        changed(ctx, block, element, multiple ? chosen : chosen[0] || null, { dispatch });
      });
      return wrap(select);
    }
    case "external_select":
      return wrap(externalSelect(ctx, block, element, dispatch));
    case "datepicker":
    case "timepicker": {
      const input = el("input", { type: element.type === "datepicker" ? "date" : "time" });
      input.value = current(ctx, block, element) || "";
      input.addEventListener("change", () => changed(ctx, block, element, input.value || null, { dispatch }));
      return wrap(input);
    }
    case "checkboxes":
    case "radio_buttons":
      return wrap(choices(ctx, block, element, dispatch));
    case "plain_text_input":
    case "number_input":
    case "email_text_input":
    case "url_text_input":
      return wrap(textInput(ctx, block, element, dispatch));
    case "image":
      return placeholder("image", element.alt_text || element.image_url || "image");
    default:
      return placeholder("Block Kit element", element.type);
  }
}

function section(ctx, block) {
  const body = el("div", { class: "section-body" });
  if (block.text) body.append(rich(block.text, "div", "text"));
  if (block.fields) body.append(el("div", { class: "fields" }, block.fields.map((f) => rich(f, "div"))));
  const row = el("div", { class: "section" }, body);
  if (block.accessory) row.append(element(ctx, block, block.accessory, true));
  return row;
}

function input(ctx, block) {
  const error = (ctx.errors || {})[block.block_id];
  return el("div", { class: `input${error ? " has-error" : ""}` },
    el("label", { class: "label" }, rich(block.label), block.optional ? el("span", { class: "optional" }, " (optional)") : null),
    element(ctx, block, block.element || {}, !!block.dispatch_action),
    block.hint ? rich(block.hint, "div", "hint") : null,
    error ? el("div", { class: "error", role: "alert" }, error) : null);
}

export function renderBlocks(ctx, blocks) {
  const out = el("div", { class: "blocks" });
  for (const block of blocks || []) {
    let node;
    switch (block.type) {
      case "section": node = section(ctx, block); break;
      case "context":
        node = el("div", { class: "context" }, (block.elements || []).map((e) =>
          (e.type === "mrkdwn" || e.type === "plain_text" ? rich(e) : placeholder("context element", e.type))));
        break;
      case "header": node = rich(block.text, "h3", "header"); break;
      case "divider": node = el("hr"); break;
      case "actions":
        node = el("div", { class: "actions" }, (block.elements || []).map((e) => element(ctx, block, e, true)));
        break;
      case "input": node = input(ctx, block); break;
      default: node = placeholder("Block Kit block", block.type);
    }
    node.dataset.blockId = block.block_id || "";
    out.append(node);
  }
  return out;
}
