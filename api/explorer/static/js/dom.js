// Elements are built with text nodes and attributes only, never innerHTML: every string that
// reaches the page comes from the graph, which staff and contributors write.

/** Make an element: h('a', {href: '#', class: 'x', onclick: f}, 'text', child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    // Through the CSSOM: the explorer's content security policy refuses style attributes.
    else if (name === 'style') Object.assign(el.style, value);
    else if (name === 'class') el.className = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Replace an element's children; like h(), it takes strings, nodes and (nested) lists. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Append to an element; like h(), it takes strings, nodes, (nested) lists, and skips nulls. */
export function add(el, ...children) {
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Tell screen-reader users what changed, without moving their focus. */
export function announce(text) {
  const status = document.getElementById('status');
  status.textContent = '';
  // A fresh text node after a tick, so the same message twice is read twice.
  setTimeout(() => { status.textContent = text; }, 50);
}

/** A labelled <select>: options are [value, label] pairs. */
export function select(name, label, options, current, attrs = {}) {
  const id = `f-${name}`;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name, ...attrs },
      options.map(([value, text]) => h('option', { value, selected: value === current }, text))));
}

/** A labelled <input>. */
export function input(name, label, value, attrs = {}) {
  const id = `f-${name}`;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name, value: value ?? '', ...attrs }));
}

export function plural(n, one, many = `${one}s`) {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

/** Group items by key, keeping first-seen order (Map.groupBy, for browsers without it). */
export function groupBy(items, key) {
  const groups = new Map();
  for (const item of items) {
    const k = key(item);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(item);
  }
  return groups;
}

/**
 * A guard against answers that arrive out of order: `const ask = newest()`, then per request
 * `const fresh = ask()` and, once it answers, use it only if `fresh()` is still true.
 */
export function newest() {
  let latest = 0;
  return () => {
    const mine = ++latest;
    return () => mine === latest;
  };
}

/** An inline problem (an RFC 9457 problem from the API, or a failure to reach it). */
export function problemBox(error, heading = 'Something went wrong') {
  const detail = error?.problem
    ? `${error.problem.title ?? 'Error'}: ${error.message}`
    : error instanceof TypeError && /fetch/i.test(error.message)
      ? 'The API could not be reached. Is it running?'
      : `The explorer failed: ${error?.message ?? error}`;
  return h('div', { class: 'problem', role: 'alert' }, h('h2', {}, heading), h('p', {}, detail));
}
