// Elements are built with text nodes and attributes only, never innerHTML: every string that
// reaches the page comes from the graph, which staff and contributors write.

/** Make an element: h('a', {href: '#', class: 'x', onclick: f}, 'text', child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
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
