// The explorer's router: the view and its filters live in the query string, so every view has
// a URL that can be shared, bookmarked and opened in a new tab. Changes people make on purpose
// add a history entry (Back undoes them); tidying the URL replaces the current one.

import { ApiError, calls, onCall } from './api.js';
import { add, fill, h, problemBox } from './dom.js';
import * as gaps from './views/gaps.js';
import * as curate from './views/curate.js';
import * as intervention from './views/intervention.js';
import * as node from './views/node.js';
import * as report from './views/report.js';
import * as search from './views/search.js';
import * as share from './views/share.js';
import * as works from './views/works.js';

const VIEWS = { search, node, works, gaps, intervention, share, curate, report };
const main = document.getElementById('main');
const callList = document.getElementById('call-list');
let generation = 0;
let shown = null; // the query string on screen
let leaving = [];

function query(params) {
  const entries = params instanceof URLSearchParams ? [...params] : Object.entries(params);
  return `?${new URLSearchParams(entries.filter(([, v]) => v !== '' && v !== null && v !== undefined))}`;
}

/** Show `params` as a new page and render it; focus its heading, or the element `focus`. */
export function navigate(params, { focus = 'h1' } = {}) {
  history.pushState(null, '', query(params));
  render({ focus });
}

/** A change the view has already shown: a new history entry, without rendering again. */
export function record(params) {
  history.pushState(null, '', query(params));
  shown = location.search;
}

/** Tidy the current URL (same page, fuller or normalised filters). */
export function remember(params) {
  history.replaceState(null, '', query(params));
  shown = location.search;
}

async function render({ focus }) {
  const mine = ++generation;
  for (const f of leaving) f();
  leaving = [];
  shown = location.search;
  const params = new URLSearchParams(location.search);
  const name = VIEWS[params.get('view')] ? params.get('view') : 'search';
  for (const link of document.querySelectorAll('nav a[data-view]')) {
    const current = link.dataset.view === name || (name === 'node' && link.dataset.view === 'search')
      || (name === 'intervention' && link.dataset.view === 'works');
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  calls.length = 0;
  showCalls();
  main.setAttribute('aria-busy', 'true');
  const page = h('div', { class: `view view-${name}` });
  const mounted = [];
  const context = {
    navigate, record, remember,
    current: () => mine === generation,
    onMount: (f) => mounted.push(f),
    onLeave: (f) => leaving.push(f),
  };
  try {
    await VIEWS[name].render(page, params, context);
  } catch (error) {
    if (!(error instanceof ApiError)) console.error(error);
    fill(page, problemBox(error));
    page.querySelector('h2').setAttribute('tabindex', '-1');
  }
  if (mine !== generation) return; // a later navigation has replaced this one
  fill(main, page);
  for (const f of mounted) {
    try {
      await f();
    } catch (error) {
      add(page, problemBox(error, 'Part of this view could not be drawn'));
    }
  }
  main.setAttribute('aria-busy', 'false');
  document.title = `${page.querySelector('h1, h2')?.textContent ?? 'Explorer'} – Connects Graph`;
  if (focus) (page.querySelector(focus) ?? page.querySelector('h1, h2') ?? main).focus();
}

/** The API calls behind the view, kept up to date, for front-end developers to copy. */
function showCalls() {
  fill(callList, calls.map((call) => {
    const [method, url] = call.startsWith('POST ') ? ['POST', call.slice(5)] : ['GET', call];
    return h('li', {}, method === 'GET' ? h('a', { href: url }, h('code', {}, `GET ${url}`)) : h('code', {}, call));
  }));
}
onCall(showCalls);

// Links inside the explorer change the view without a page load; modified clicks (new tab)
// and links elsewhere behave as links always do.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href^="?"]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(new URLSearchParams(link.getAttribute('href').slice(1)));
});
window.addEventListener('popstate', () => {
  if (location.search !== shown) render({ focus: 'h1' }); // not for #fragment links
});
render({ focus: null });
