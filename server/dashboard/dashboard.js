// @ts-check
/**
 * The dashboard's behaviour: polls the admin API of its own origin and renders what it answers.
 * Plain browser JavaScript, served as is (docs/admin-api.md, "Dashboard"). Everything that comes from the
 * emulator goes into the page as text (textContent), never as markup: diagnoses quote what
 * clients sent.
 *
 * Live view: GET /__emulator/requests?since=<last id seen> every second, the rest (clock,
 * Request-Keys, queue, keys, stats) every other second and right after every action. Polling,
 * not server-sent events, so that a token set in this tab can go in an Authorization header
 * (EventSource cannot send one).
 */

const BASE = '/__emulator';
const TOKEN_KEY = 'nhn-ocr-emulator.admin-token';
/** Rows the page keeps; older ones drop off the bottom. */
const MAX_ROWS = 500;
const POLL_MS = 1000;
/**
 * appKeys the filter and the queue offer: the ones seen last. One option per appKey ever seen
 * grew without end under many unique appKeys (10,000 options after 40 s, every redraw a long task).
 */
const MAX_LISTED_APPKEYS = 200;
/** appKeys counted for the "N more" note; past it the note says "N+ more". */
const MAX_COUNTED_APPKEYS = 10_000;

const state = {
  /** @type {any[]} newest first */
  rows: [],
  lastId: 0,
  /** @type {number | null} */
  selected: null,
  /** @type {any[]} */
  requestKeys: [],
  /** @type {Map<string, true>} the appKeys seen last, oldest first (at most MAX_LISTED_APPKEYS) */
  appKeys: new Map(),
  /** @type {Set<string>} every appKey seen, for the count only (at most MAX_COUNTED_APPKEYS) */
  seenAppKeys: new Set(),
  /** @type {Set<number>} */
  codes: new Set(),
  /** @type {any[]} */
  scenarios: [],
  clockNow: 0,
  tick: 0,
  needToken: false,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  timer: undefined,
  lastStatus: '',
};

/** @param {string} id */
function $(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node;
}

/**
 * A DOM element with properties and children (strings become text nodes).
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {(Node | string | null | undefined | false)[]} children
 */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name in node && name !== 'list') /** @type {any} */ (node)[name] = value;
    else node.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

class AdminError extends Error {}

/**
 * Calls the admin API: JSON in and out, the token (if any) as a Bearer header.
 * @param {string} path
 * @param {{ method?: string, body?: unknown }} [options]
 */
async function api(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers['Authorization'] = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${BASE}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    cache: 'no-store',
    credentials: 'same-origin',
  });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) {
    askForToken(token ? 'That token was refused.' : '');
    throw new AdminError('the admin API needs a token');
  }
  if (!response.ok) throw new AdminError(body.message ?? `HTTP ${response.status}`);
  return body;
}

/** @param {string} text @param {'ok' | 'error' | 'info'} [kind] */
function setStatus(text, kind = 'info') {
  const key = `${kind}:${text}`;
  if (key === state.lastStatus) return; // a live region read on every poll would be noise
  state.lastStatus = key;
  const status = $('status');
  status.textContent = text;
  status.dataset['kind'] = kind;
}

/** @param {string} why */
function askForToken(why) {
  state.needToken = true;
  const form = /** @type {HTMLFormElement} */ ($('token-form'));
  form.hidden = false;
  setStatus(why || 'This emulator needs its admin token.', 'error');
  const input = /** @type {HTMLInputElement} */ ($('token'));
  if (document.activeElement !== input) input.focus();
}

// ---- formatting ----------------------------------------------------------------------------

/** @param {string} iso */
function clockTime(iso) {
  return iso.slice(11, 19);
}

/** @param {number} bytes */
function mib(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** @param {number} n */
function count(n) {
  return n.toLocaleString('en-US');
}

/** @param {number} seconds */
function duration(seconds) {
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ''}`.trim();
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** @param {any} entry */
function resultBadge(entry) {
  if (entry.resultCode === undefined) return el('span', { class: 'badge warn', title: 'refused by the emulator itself (HTTP 4xx)' }, 'refused');
  return el('span', { class: `badge ${entry.resultCode === 0 ? 'ok' : 'bad'}` }, String(entry.resultCode));
}

/**
 * A masked Request-Key as the page shows it: its last four characters, the rest of the mask in
 * the tooltip (all asterisks, so nothing to read there).
 * @param {string} masked
 */
function shortKey(masked) {
  return el('code', { title: masked }, `…${masked.slice(-4)}`);
}

/** @param {string} stateName */
function stateBadge(stateName) {
  return el('span', { class: `badge ${stateName === 'valid' ? 'ok' : stateName === 'expired' ? 'bad' : 'muted-badge'}` }, stateName);
}

// ---- requests --------------------------------------------------------------------------------

/** @param {boolean} full */
async function pollRequests(full) {
  const since = full ? 0 : state.lastId;
  const answer = await api(`/requests?since=${since}&limit=${MAX_ROWS}`);
  if (answer.lastId < state.lastId) {
    // Ids started over: another emulator process answers on this port now.
    state.rows = [];
    state.lastId = 0;
    state.selected = null;
    return pollRequests(true);
  }
  const fresh = /** @type {any[]} */ (answer.requests);
  if (!fresh.length && !full) return;
  if (full) state.rows = [];
  for (const entry of fresh) {
    state.rows.unshift(entry);
    if (entry.appKey) sawAppKey(entry.appKey);
    if (typeof entry.resultCode === 'number') state.codes.add(entry.resultCode);
  }
  state.rows.length = Math.min(state.rows.length, MAX_ROWS);
  state.lastId = Math.max(state.lastId, answer.lastId);
  renderFilterOptions();
  renderRequests();
}

/** @param {string} appKey */
function sawAppKey(appKey) {
  // Seen again: to the end, the newest place.
  state.appKeys.delete(appKey);
  state.appKeys.set(appKey, true);
  if (state.appKeys.size > MAX_LISTED_APPKEYS) state.appKeys.delete(/** @type {string} */ (state.appKeys.keys().next().value));
  if (state.seenAppKeys.size < MAX_COUNTED_APPKEYS) state.seenAppKeys.add(appKey);
}

function filters() {
  return {
    appKey: /** @type {HTMLSelectElement} */ ($('filter-appkey')).value,
    endpoint: /** @type {HTMLSelectElement} */ ($('filter-endpoint')).value,
    code: /** @type {HTMLSelectElement} */ ($('filter-code')).value,
  };
}

/** @param {any} entry @param {ReturnType<typeof filters>} f */
function shown(entry, f) {
  if (f.appKey && entry.appKey !== f.appKey) return false;
  if (f.endpoint && entry.endpoint !== f.endpoint) return false;
  if (f.code === 'failed') return entry.resultCode !== 0;
  if (f.code !== '') return entry.resultCode === Number(f.code);
  return true;
}

/**
 * Keeps a select's options in step with a list of values, keeping its first `fixed` options and
 * the current choice; `note`, when given, ends the list as an option that cannot be chosen.
 * @param {HTMLSelectElement} select @param {string[]} values @param {number} fixed @param {string} [note]
 */
function syncOptions(select, values, fixed, note) {
  const have = [...select.options].slice(fixed).map((o) => (o.disabled ? `\u0000${o.text}` : o.value));
  const want = note ? [...values, `\u0000${note}`] : values;
  if (have.join('\n') === want.join('\n')) return;
  const chosen = select.value;
  while (select.options.length > fixed) select.remove(fixed);
  for (const value of values) select.add(el('option', { value }, value));
  if (note) select.add(el('option', { value: '', disabled: true, class: 'note' }, note));
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : '';
}

/**
 * The appKeys a select offers: the ones seen last, and the select's own choice even when it has
 * dropped out of them (a filter in use does not change under the user); the note says how many
 * more were seen.
 * @param {HTMLSelectElement} select
 */
function syncAppKeys(select) {
  const listed = [...state.appKeys.keys()];
  if (select.value && !state.appKeys.has(select.value)) listed.push(select.value);
  const more = state.seenAppKeys.size - listed.length;
  const note =
    more > 0
      ? `${count(more)}${state.seenAppKeys.size >= MAX_COUNTED_APPKEYS ? '+' : ''} more not listed (the ${MAX_LISTED_APPKEYS} seen last are)`
      : undefined;
  syncOptions(select, listed.sort(), 1, note);
}

function renderFilterOptions() {
  syncAppKeys(/** @type {HTMLSelectElement} */ ($('filter-appkey')));
  syncAppKeys(/** @type {HTMLSelectElement} */ ($('queue-appkey')));
  syncOptions(
    /** @type {HTMLSelectElement} */ ($('filter-code')),
    [...state.codes]
      .filter((c) => c !== 0)
      .sort((a, b) => a - b)
      .map(String),
    3,
  );
}

function renderRequests() {
  const f = filters();
  const rows = state.rows.filter((entry) => shown(entry, f));
  const body = $('request-rows');
  body.replaceChildren(
    ...rows.map((entry) => {
      const request = entry.endpoint ?? entry.path;
      const row = el(
        'tr',
        { class: entry.id === state.selected ? 'selected' : '', dataset: { id: String(entry.id) }, onclick: () => select(entry.id, false) },
        el(
          'td',
          {},
          el(
            'button',
            {
              type: 'button',
              class: 'link',
              'aria-label': `Details of request ${entry.id}`,
              onclick: (/** @type {Event} */ e) => {
                e.stopPropagation();
                select(entry.id, true);
              },
            },
            String(entry.id),
          ),
        ),
        el('td', { class: 'time' }, el('time', { dateTime: entry.time, title: entry.time }, clockTime(entry.time))),
        el(
          'td',
          { class: 'request' },
          el('span', { class: 'method' }, entry.method),
          ' ',
          request,
          entry.appKey ? el('div', { class: 'sub' }, entry.appKey) : null,
        ),
        el(
          'td',
          { class: 'result' },
          resultBadge(entry),
          entry.scenario && entry.scenario.reason !== 'built-in-default' ? el('div', { class: 'sub' }, entry.scenario.name) : null,
        ),
        el('td', { class: 'diagnosis' }, entry.resultCode === 0 && !entry.diagnosis ? '' : (entry.diagnosis ?? '')),
      );
      if (entry.id === state.selected) row.setAttribute('aria-current', 'true');
      return row;
    }),
  );
  $('no-requests').hidden = rows.length > 0;
  $('request-count').textContent = state.rows.length
    ? `(${count(rows.length)}${rows.length !== state.rows.length ? ` of ${count(state.rows.length)}` : ''})`
    : '';
  renderDetail();
}

/** @param {number} id @param {boolean} focus */
function select(id, focus) {
  state.selected = id;
  renderRequests();
  if (focus) $('detail-title').focus();
}

/**
 * A term and its description for a <dl>.
 * @param {string} term @param {Node | string} description
 */
function fact(term, description) {
  return [el('dt', {}, term), el('dd', {}, description)];
}

function renderDetail() {
  const section = $('detail');
  const entry = state.rows.find((e) => e.id === state.selected);
  if (!entry) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  $('detail-title').textContent = `Request ${entry.id}: ${entry.method} ${entry.endpoint ?? entry.path}`;
  const diagnosis = $('detail-diagnosis');
  diagnosis.textContent = entry.diagnosis ?? (entry.resultCode === 0 ? 'Answered successfully: nothing to diagnose.' : 'No diagnosis recorded.');
  diagnosis.dataset['kind'] = entry.resultCode === 0 ? 'ok' : 'bad';
  const env = entry.envelope ?? {};
  const facts = [
    ...fact('Time (emulator clock)', entry.time),
    ...fact('Path', el('code', {}, entry.path)),
    ...(entry.appKey ? fact('appKey', entry.appKey) : []),
    ...fact('Result code', entry.resultCode === undefined ? 'none: refused by the emulator (HTTP 4xx)' : String(entry.resultCode)),
    ...(entry.scenario ? fact('Scenario', `${entry.scenario.name} (${entry.scenario.reason}, call ${entry.scenario.call + 1})`) : []),
    ...(entry.durationMs !== undefined ? fact('Duration', `${entry.durationMs} ms`) : []),
    // Record mode (docs/record-live-service.md): where the call went and what was written.
    ...(entry.forwarded
      ? fact(
          'Forwarded',
          `to ${entry.forwarded.host}, ${entry.forwarded.calls} request(s), ${entry.forwarded.latencyMs} ms${entry.forwarded.resultCode !== undefined ? `, answered ${entry.forwarded.resultCode}` : ''}`,
        )
      : []),
    ...(entry.forwarded ? fact('Recorded', entry.forwarded.recorded ?? `nothing: ${entry.forwarded.notRecorded ?? 'no reason given'}`) : []),
    ...(env.keyVersion !== undefined ? fact('X-Key-Version', env.keyVersion) : []),
    ...(env.symmetricKeyBytes !== undefined ? fact('Symmetric key', `${env.symmetricKeyBytes} bytes unwrapped`) : []),
    ...(env.image ? fact('Image', `${env.image.fileType.toUpperCase()}, ${env.image.width} × ${env.image.height} px, ${count(env.image.bytes)} bytes`) : []),
    ...(env.image ? fact('Image SHA-256', el('code', { class: 'hash' }, env.image.sha256)) : []),
    ...(env.authenticity
      ? fact(
          'Authenticity fields',
          `${env.authenticity.idType}: ${Object.entries(env.authenticity.fields)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        )
      : []),
    ...(entry.requestKey ? fact('Request-Key', requestKeyFact(entry)) : []),
  ];
  $('detail-facts').replaceChildren(...facts);
}

/** What a journal entry's Request-Key is, and what became of it. @param {any} entry */
function requestKeyFact(entry) {
  const { issued, used, ref } = entry.requestKey;
  const what = issued ? 'issued' : used ? 'used by this call' : 'sent';
  const held = ref ? state.requestKeys.find((k) => k.requestKey === ref && k.appKey === entry.appKey) : undefined;
  return el(
    'span',
    {},
    ref ? shortKey(ref) : '',
    ` ${what}`,
    held ? el('span', {}, '; now ', stateBadge(held.state), ` (expires ${clockTime(held.expiresAt)})`) : ref ? '; no longer held' : '',
  );
}

// ---- the rest of the state ---------------------------------------------------------------------

async function pollState() {
  const [clock, keys, queue, requestKeys, stats] = await Promise.all([
    api('/clock'),
    api('/keys'),
    api('/queue'),
    api('/request-keys?limit=50'),
    api('/stats'),
  ]);
  // Fewer entries held than rows shown: the journal was emptied or reset elsewhere (or holds
  // fewer than the page does): show what it holds.
  if (stats.journal.held < state.rows.length) await pollRequests(true);
  state.clockNow = Date.parse(clock.now);
  state.requestKeys = requestKeys.requestKeys;
  // Known, not seen anew: an appKey already listed keeps its place.
  for (const { appKey } of keys.keys) if (!state.appKeys.has(appKey)) sawAppKey(appKey);
  renderFilterOptions();
  renderClock(clock);
  renderKeys(keys.keys);
  renderQueue(queue.queue);
  renderRequestKeys(requestKeys);
  renderStats(stats);
  renderDetail();
}

async function loadScenarios() {
  const { scenarios } = await api('/scenarios');
  state.scenarios = scenarios;
  const select = /** @type {HTMLSelectElement} */ ($('queue-scenario'));
  const names = scenarios.map((/** @type {any} */ s) => s.name);
  syncOptions(select, names, 0);
  if (!select.value && names.length) select.value = names[0];
  describeScenario();
}

function describeScenario() {
  const name = /** @type {HTMLSelectElement} */ ($('queue-scenario')).value;
  const scenario = state.scenarios.find((s) => s.name === name);
  $('queue-description').textContent = scenario ? `${scenario.description} Endpoints: ${scenario.endpoints.join(', ')}.` : '';
}

/** @param {any} clock */
function renderClock(clock) {
  const now = $('clock-now');
  now.textContent = `${clock.now.slice(0, 10)} ${clock.now.slice(11, 19)} UTC`;
  now.setAttribute('datetime', clock.now);
  $('clock-offset').textContent = clock.offsetSeconds > 0 ? `(${duration(clock.offsetSeconds)} ahead of real time)` : '(real time)';
}

/** @param {any[]} queue */
function renderQueue(queue) {
  $('queue-list').replaceChildren(
    ...queue.map((shot) =>
      el('li', {}, el('code', {}, shot.scenario), ` × ${shot.remaining}`, shot.appKey ? el('span', { class: 'muted' }, ` for ${shot.appKey}`) : ''),
    ),
  );
  $('queue-empty').hidden = queue.length > 0;
}

/** @param {any} answer */
function renderRequestKeys(answer) {
  const keys = [...answer.requestKeys].reverse();
  $('rk-rows').replaceChildren(
    ...keys.map((key) => {
      const left = (Date.parse(key.expiresAt) - state.clockNow) / 1000;
      return el(
        'tr',
        {},
        el('td', {}, shortKey(key.requestKey)),
        el('td', {}, key.appKey, el('div', { class: 'sub' }, key.idType)),
        el('td', {}, stateBadge(key.state)),
        el(
          'td',
          {},
          el('time', { dateTime: key.expiresAt, title: key.expiresAt }, clockTime(key.expiresAt)),
          el('div', { class: 'sub' }, key.state === 'consumed' ? 'used' : left > 0 ? `in ${duration(left)}` : `${duration(left)} ago`),
        ),
      );
    }),
  );
  $('rk-count').textContent = answer.held ? `(${count(answer.held)} held)` : '';
  $('rk-empty').hidden = keys.length > 0;
}

/** @param {any[]} keys */
function renderKeys(keys) {
  $('key-rows').replaceChildren(
    ...keys.map((ring) => {
      const current = ring.versions.length ? ring.versions[ring.versions.length - 1].version : undefined;
      const versions = ring.versions.length
        ? ring.versions.map((/** @type {any} */ v) =>
            el(
              'span',
              { class: `chip${v.revoked ? ' revoked' : ''}` },
              v.revoked ? el('del', {}, v.version) : v.version,
              v.version === current ? el('span', { class: 'sub-inline' }, ' current') : v.revoked ? el('span', { class: 'sub-inline' }, ' revoked') : '',
              v.revoked
                ? null
                : el(
                    'button',
                    {
                      type: 'button',
                      class: 'tiny',
                      'aria-label': `Revoke ${ring.service} key version ${v.version} of ${ring.appKey}`,
                      onclick: () =>
                        act(
                          () => api(`/keys/${ring.service}/revoke`, { method: 'POST', body: { appKey: ring.appKey, version: v.version } }),
                          `Revoked ${ring.service} key version ${v.version}`,
                        ),
                    },
                    'revoke',
                  ),
            ),
          )
        : [el('span', { class: 'muted' }, 'none issued yet')];
      return el(
        'tr',
        {},
        el('td', {}, ring.service, el('div', { class: 'sub' }, ring.appKey)),
        el('td', { class: 'chips' }, ...versions),
        el(
          'td',
          {},
          el(
            'button',
            {
              type: 'button',
              class: 'quiet',
              'aria-label': `Rotate the ${ring.service} key of ${ring.appKey}`,
              onclick: () =>
                act(() => api(`/keys/${ring.service}/rotate`, { method: 'POST', body: { appKey: ring.appKey } }), `Rotated the ${ring.service} key`),
            },
            'Rotate',
          ),
        ),
      );
    }),
  );
}

/** @param {any} stats */
function renderStats(stats) {
  const { memory, requestKeys, keyCache, journal } = stats;
  $('stats').replaceChildren(
    ...fact('Uptime', duration(stats.uptimeSeconds)),
    ...fact('Resident memory', mib(memory.rss)),
    ...fact('Heap used', mib(memory.heapUsed)),
    ...fact('Journal', `${count(journal.held)} of ${count(journal.capacity)}`),
    // With Redis the Request-Keys are shared and counted nowhere (GET /__emulator/stats).
    ...fact(
      'Request-Keys',
      requestKeys ? `${count(requestKeys.held)} held, ${count(requestKeys.consumed)} used (max ${count(requestKeys.max)})` : `shared in Redis, not counted`,
    ),
    ...fact('Key cache', `${count(keyCache.size)} keys; ${count(keyCache.hits)} hits, ${count(keyCache.misses)} misses`),
  );
}

// ---- actions and the loop ----------------------------------------------------------------------

/**
 * Runs an admin action, reports it, and refreshes what it changed.
 * @param {() => Promise<unknown>} action @param {string} done
 */
async function act(action, done) {
  try {
    await action();
    setStatus(done, 'ok');
    await pollState();
    await pollRequests(false);
  } catch (error) {
    if (!state.needToken) setStatus(/** @type {Error} */ (error).message, 'error');
  }
}

async function tick() {
  state.timer = undefined;
  const live = /** @type {HTMLInputElement} */ ($('live')).checked;
  if (!state.needToken && live && !document.hidden) {
    try {
      await pollRequests(false);
      if (state.tick++ % 2 === 0) await pollState();
      if (state.tick % 20 === 0) await loadScenarios(); // scenario files reload while running
      setStatus('Live: new requests appear as they arrive.', 'ok');
    } catch (error) {
      if (!state.needToken) setStatus(`Cannot reach the emulator: ${/** @type {Error} */ (error).message}`, 'error');
    }
  } else if (!live) setStatus('Paused: turn Live on to follow new requests.', 'info');
  schedule();
}

function schedule() {
  if (state.timer === undefined) state.timer = setTimeout(tick, POLL_MS);
}

/** Polls now instead of at the next tick (one loop only). */
function kick() {
  clearTimeout(state.timer);
  state.timer = undefined;
  void tick();
}

async function start() {
  try {
    await loadScenarios();
    await pollRequests(true);
    await pollState();
    setStatus('Live: new requests appear as they arrive.', 'ok');
  } catch (error) {
    if (!state.needToken) setStatus(`Cannot reach the emulator: ${/** @type {Error} */ (error).message}`, 'error');
  }
  schedule();
}

function wire() {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ ($('token'));
    sessionStorage.setItem(TOKEN_KEY, input.value);
    input.value = '';
    $('token-form').hidden = true;
    state.needToken = false;
    void start();
  });
  for (const id of ['filter-appkey', 'filter-endpoint', 'filter-code']) $(id).addEventListener('change', renderRequests);
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  $('live').addEventListener('change', () => {
    if (/** @type {HTMLInputElement} */ ($('live')).checked) kick();
  });
  $('clear-journal').addEventListener('click', () =>
    act(async () => {
      await api('/requests', { method: 'DELETE' });
      state.rows = [];
      state.selected = null;
      renderRequests();
    }, 'Journal cleared'),
  );
  $('queue-scenario').addEventListener('change', describeScenario);
  $('queue-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const scenario = /** @type {HTMLSelectElement} */ ($('queue-scenario')).value;
    const times = Number(/** @type {HTMLInputElement} */ ($('queue-times')).value);
    const appKey = /** @type {HTMLSelectElement} */ ($('queue-appkey')).value;
    void act(() => api('/queue', { method: 'POST', body: { scenario, times, ...(appKey ? { appKey } : {}) } }), `Queued ${scenario} × ${times}`);
  });
  $('clear-queue').addEventListener('click', () => act(() => api('/queue', { method: 'DELETE' }), 'Queue cleared'));
  $('clock-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const seconds = Number(/** @type {HTMLInputElement} */ ($('clock-seconds')).value);
    void act(() => api('/clock', { method: 'POST', body: { advanceSeconds: seconds } }), `Clock advanced by ${duration(seconds)}`);
  });
  for (const button of document.querySelectorAll('[data-advance]')) {
    button.addEventListener('click', () => {
      const seconds = Number(/** @type {HTMLElement} */ (button).dataset['advance']);
      void act(() => api('/clock', { method: 'POST', body: { advanceSeconds: seconds } }), `Clock advanced by ${duration(seconds)}`);
    });
  }
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) kick();
  });
}

wire();
void start();
