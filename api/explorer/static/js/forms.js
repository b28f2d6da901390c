// Forms that write: labelled controls that each name the place in the API's body they fill
// (`data-location`, as the API's 422 problems locate errors), an error summary that links to
// each problem, and each problem shown again next to its control (the GOV.UK pattern).

import { h } from './dom.js';

/**
 * A labelled control in a `.field` that names its API location. `kind` is 'input', 'textarea'
 * or 'select' (`options`: [value, label] pairs); `hint` is read with the control.
 */
export function control(kind, { id, name = id, label, location, value = '', hint = null, options = [], attrs = {} }) {
  const hintId = hint ? `${id}-hint` : null;
  const common = { id, name, 'aria-describedby': hintId, ...attrs };
  const element = kind === 'select'
    ? h('select', common, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)))
    : kind === 'textarea' ? h('textarea', { rows: 4, ...common }, value ?? '')
      : h('input', { value: value ?? '', ...common });
  return h('div', { class: 'field', 'data-location': location },
    h('label', { for: id }, label), hint ? h('p', { class: 'hint', id: hintId }, hint) : null, element);
}

/** Radios in a fieldset that names its location: `options` are [value, label] pairs. */
export function radios({ id, name = id, legend, location, options, value, hint = null }) {
  const hintId = hint ? `${id}-hint` : null;
  return h('fieldset', { class: 'field radios', 'data-location': location, id, 'aria-describedby': hintId },
    h('legend', {}, legend), hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    options.map(([v, text], i) => h('div', { class: 'radio' },
      h('input', { type: 'radio', id: `${id}-${i}`, name, value: v, checked: v === value }),
      h('label', { for: `${id}-${i}` }, text))));
}

/**
 * The field a form keeps for bots: off screen, out of the tab order and hidden from assistive
 * technology, so people never meet it; a program that fills every field is refused (400).
 */
export function honeypot(prefix) {
  return h('div', { class: 'trap', 'aria-hidden': 'true', 'data-location': 'body.website' },
    h('label', { for: `${prefix}-website` }, 'Leave this empty'),
    h('input', { id: `${prefix}-website`, name: 'website', tabindex: -1, autocomplete: 'off' }));
}

/** Lines (or ';'-separated items) of a text box, trimmed, empty ones dropped. */
export const lines = (text) => text.split(/[\n;]/).map((s) => s.trim()).filter(Boolean);

/** A whole number typed as one stays a number; anything else goes as typed, for the API to
 * locate what is wrong with it. */
export const whole = (text) => (/^\s*\d+\s*$/.test(text) ? Number(text) : text.trim());

/** The field for a location: the one naming it, else the nearest enclosing one named. */
function fieldFor(form, location) {
  let best = null;
  for (const field of form.querySelectorAll('[data-location]')) {
    const at = field.dataset.location;
    if (at === location) return field;
    if (location.startsWith(`${at}.`) && (!best || at.length > best.dataset.location.length)) best = field;
  }
  return best;
}

/** Forget the errors shown on `form`. */
export function clearErrors(form, summary) {
  summary.replaceChildren();
  summary.hidden = true;
  for (const message of form.querySelectorAll('.field-error')) message.remove();
  for (const field of form.querySelectorAll('.field.invalid')) field.classList.remove('invalid');
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    const kept = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((d) => d && !d.endsWith('-error'));
    if (kept.length) control.setAttribute('aria-describedby', kept.join(' '));
    else control.removeAttribute('aria-describedby');
  }
}

/**
 * Show an API problem on `form`: a summary (focused) that links to each located error, and each
 * error beside its control. Errors with no control here are listed in the summary alone.
 */
export function showErrors(form, summary, error, heading = 'There is a problem') {
  clearErrors(form, summary);
  const problem = error?.problem ?? { detail: error?.message ?? String(error) };
  const located = problem.errors?.length ? problem.errors : [];
  const items = [];
  let n = 0;
  for (const { location, message, value } of located) {
    const field = fieldFor(form, location ?? '');
    const text = `${message}${value !== undefined && value !== null ? ` (you gave: ${value})` : ''}`;
    const control = field?.matches('input, select, textarea') ? field
      : field?.querySelector('input:not([type=hidden]), select, textarea');
    if (!field || !control || field.classList.contains('trap')) {
      items.push(h('li', {}, text));
      continue;
    }
    const errorId = `${control.id}-error${n++ ? `-${n}` : ''}`;
    field.classList.add('invalid');
    const label = field.querySelector('legend, label');
    label.after(h('p', { class: 'field-error', id: errorId }, h('span', { class: 'visually-hidden' }, 'Error: '), text));
    const described = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', [described, errorId].filter(Boolean).join(' '));
    control.setAttribute('aria-invalid', 'true');
    const name = label.textContent;
    items.push(h('li', {}, h('a', {
      href: `#${control.id}`,
      onclick: (event) => { event.preventDefault(); control.focus(); },
    }, `${name}: ${text}`)));
  }
  summary.hidden = false;
  summary.append(h('h2', { id: `${form.id}-problems` }, heading),
    h('p', {}, problem.detail ?? problem.title ?? 'The request was refused.'),
    items.length ? h('ul', {}, items) : null);
  summary.focus();
}

/** The box `showErrors` fills: placed above its form, focusable, announced when it appears. */
export function errorSummary(form) {
  return h('div', { class: 'error-summary', role: 'alert', tabindex: -1, hidden: true, id: `${form}-summary` });
}

/** Send a form's body once: the button is disabled while its request runs. */
export async function sending(form, work) {
  const buttons = [...form.querySelectorAll('button[type=submit]')];
  for (const b of buttons) b.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    for (const b of buttons) b.disabled = false;
    form.setAttribute('aria-busy', 'false');
  }
}
