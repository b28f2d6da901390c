// The explorer's router: the view and its filters live in the query string, so every view has
// a URL that can be shared, bookmarked and opened in a new tab.

import { ApiError, calls } from './api.js';
import { fill, h } from './dom.js';
import * as gaps from './views/gaps.js';
import * as node from './views/node.js';
import * as search from './views/search.js';
import * as works from './views/works.js';

const VIEWS = { search, node, works, gaps };
const main = document.getElementById('main');
let generation = 0;

function query(params) {
  const entries = [...new URLSearchParams(params)].filter(([, value]) => value !== '' && value !== 'undefined');
  return `?${new URLSearchParams(entries)}`;
}

/** Show `params` as a new page (pushState) and render it; focus its heading, or `focus`. */
export function navigate(params, { focus = 'h1' } = {}) {
  history.pushState(null, '', query(params));
  render({ focus });
}

/** Record a view's new filters in the URL without rendering again (the view updates itself). */
export function remember(params) {
  history.replaceState(null, '', query(params));
}

async function render({ focus }) {
  const mine = ++generation;
  const params = new URLSearchParams(location.search);
  const name = VIEWS[params.get('view')] ? params.get('view') : 'search';
  for (const link of document.querySelectorAll('nav a[data-view]')) {
    const current = link.dataset.view === name || (name === 'node' && link.dataset.view === 'search');
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  calls.length = 0;
  const page = h('div', { class: `view view-${name}` });
  const mounted = [];
  const context = { navigate, remember, current: () => mine === generation, onMount: (f) => mounted.push(f) };
  try {
    await VIEWS[name].render(page, params, context);
  } catch (error) {
    if (!(error instanceof ApiError)) console.error(error);
    fill(page, failure(error));
  }
  if (mine !== generation) return; // a later navigation has replaced this one
  fill(main, page);
  for (const f of mounted) await f();
  page.append(apiCalls());
  document.title = `${page.querySelector('h1')?.textContent ?? 'Explorer'} – Connects Graph`;
  if (focus) (page.querySelector(focus) ?? main).focus();
}

function failure(error) {
  const detail = error instanceof ApiError
    ? `${error.problem.title ?? 'Error'}: ${error.message}`
    : error instanceof TypeError && /fetch/i.test(error.message)
      ? 'The API could not be reached. Is it running?'
      : `The explorer failed: ${error.message}`;
  return h('div', { class: 'problem', role: 'alert' },
    h('h1', { tabindex: -1 }, 'Something went wrong'), h('p', {}, detail));
}

/** The API calls behind the view, for front-end developers to copy. */
export function apiCalls() {
  const box = h('details', { class: 'calls' },
    h('summary', {}, 'API calls behind this view'),
    h('ul', {}, calls.map((url) => h('li', {}, h('a', { href: url }, h('code', {}, `GET ${url}`))))));
  box.dataset.calls = 'true';
  return box;
}

// Links inside the explorer change the view without a page load; modified clicks (new tab)
// and links elsewhere behave as links always do.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href^="?"]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(new URLSearchParams(link.getAttribute('href').slice(1)));
});
window.addEventListener('popstate', () => render({ focus: 'h1' }));
render({ focus: null });
