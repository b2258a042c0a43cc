// Meetifyr's one script: it enhances pages that already work without it (forms post to the
// server). It uses the public API, the stroke route (PUT …/availability) and the live stream.
const $ = (s, root = document) => root.querySelector(s);
const $$ = (s, root = document) => [...root.querySelectorAll(s)];
const el = (tag, props = {}) => Object.assign(document.createElement(tag), props);
const fill = (text, holes) => text.replace(/\{(\w+)\}/g, (_, k) => String(holes[k] ?? ''));
const cookie = (name, value, path = '/') => {
  document.cookie = `${name}=${value}; path=${path}; max-age=31536000; samesite=lax${location.protocol === 'https:' ? '; secure' : ''}`;
};
document.documentElement.classList.add('js');

// ---- light and dark: remembered in a cookie so that the server renders it next time ----
const themeToggle = $('#theme-toggle');
if (themeToggle) {
  themeToggle.addEventListener('click', (e) => {
    e.preventDefault();
    const root = document.documentElement;
    const dark = root.dataset.theme
      ? root.dataset.theme === 'dark'
      : matchMedia('(prefers-color-scheme: dark)').matches;
    root.dataset.theme = dark ? 'light' : 'dark';
    themeToggle.setAttribute('aria-pressed', String(!dark));
    cookie('theme', root.dataset.theme);
  });
}

// ---- dates as YYYY-MM-DD in the person's own calendar ----
const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const parse = (s) => {
  const [y, m, d] = s.split('-').map(Number);
  return new Date(y, m - 1, d);
};
const daysBetween = (a, b) => Math.round((Date.UTC(...ymd(b)) - Date.UTC(...ymd(a))) / 86400000);
const ymd = (d) => [d.getFullYear(), d.getMonth(), d.getDate()];

// ---- the create page: its script loads only there ----
const createForm = $('#create');
if (createForm) import(createForm.dataset.script).then((m) => m.createPage({ createForm, $, $$, el, fill, iso, parse, daysBetween }));

// ---- the meeting page ----
const pageData = $('#page-data');
if (pageData) meetingPage(JSON.parse(pageData.textContent));
const timesData = $('#times-data');
if (timesData) import(timesData.dataset.script).then((m) => m.timesPage(JSON.parse(timesData.textContent), { $, $$, el, fill }));

function meetingPage(d) {
  const t = d.t;
  // Each group day's date (from its link) and its name (from its label, before the colon)
  const dayName = new Map();
  for (const a of $$('#group .day')) {
    a.dataset.date = new URLSearchParams(a.search).get('day');
    dayName.set(a.dataset.date, a.getAttribute('aria-label').split(': ')[0]);
  }
  let meeting = null; // the meeting as GET returns it, once loaded
  let version = 0;
  let shown = null; // null: everyone
  let stroke = null; // the pointer stroke under way
  let pending = null; // a live update waiting for the stroke to end
  let detailDate = null;

  // Organiser: the key arrives once in the fragment (never sent to a server) and stays in this
  // browser; the address bar keeps only "#organiser".
  const keyName = `meetifyr-organiser-${d.code}`;
  const store = (area, name, value) => {
    try {
      if (value === null) area.removeItem(name);
      else if (value !== undefined) area.setItem(name, value);
      return area.getItem(name);
    } catch {
      return null;
    }
  };
  const given = /^#organiser=([A-Za-z0-9]{16,64})$/.exec(location.hash);
  if (given) {
    store(localStorage, keyName, given[1]);
    history.replaceState(null, '', `${location.pathname}${location.search}#organiser`);
  }
  const organiserKey = store(localStorage, keyName);
  const longDay = new Intl.DateTimeFormat(d.lang === 'ko' ? 'ko-KR' : 'en-GB', { weekday: 'short', month: 'long', day: 'numeric', year: 'numeric' });
  const showFinal = (date) => {
    $('#final').hidden = !date;
    const time = $('#final-day');
    if (date && time.dateTime !== date) {
      time.dateTime = date;
      time.textContent = dayName.get(date) ?? longDay.format(parse(date));
    }
    const undo = $('#org-unfinal');
    if (undo) undo.hidden = !date;
  };
  const detailOf = async (response) => {
    const body = await response?.json().catch(() => null);
    if (response?.status === 429) return t.too_many_attempts;
    return typeof body?.detail === 'string' ? body.detail : body?.detail?.[0]?.msg ?? t.save_failed;
  };
  const gone = () => {
    store(localStorage, keyName, null);
    source?.close();
    const main = $('main');
    main.replaceChildren(el('section', { className: 'card' }));
    main.firstChild.append(el('h1', { textContent: t.deleted, tabIndex: -1 }), el('p'));
    main.firstChild.lastChild.append(el('a', { href: '/', textContent: $('.brand')?.textContent || 'Meetifyr' }));
    main.firstChild.firstChild.focus();
  };
  if (organiserKey || $('#share-link')) {
    // The creator's share card and the organiser's controls load only in their browser.
    import(d.organiser_js)
      .then((m) => m.organiser({ d, t, key: organiserKey, $, el, parse, daysBetween, detailOf, gone, apply: (next, v) => apply(next, v) }))
      .then((after) => {
        afterRender = after;
        if (meeting) renderBest();
      });
  }

  // A protected answer: the password is asked for once and kept for this tab.
  const passwordName = (id) => `meetifyr-password-${d.code}-${id}`;
  const passwordInput = $('#answer-password');
  if (passwordInput) passwordInput.value = store(sessionStorage, passwordName(d.me)) ?? '';
  $('#claim-form')?.addEventListener('submit', (e) => {
    const password = $('#claim-password', e.target).value;
    if (password) store(sessionStorage, passwordName($('#claim-who', e.target).value), password);
  });

  const people = () => meeting.participants.filter((p) => !shown || shown.has(p.id));
  const dayOf = (p, date) => p.dates.find((x) => x.date === date);
  const tally = (list, date) => {
    let free = 0;
    let stars = 0;
    for (const p of list) {
      const x = dayOf(p, date);
      if (x?.enabled) free += 1;
      if (x?.starred) stars += 1;
    }
    // Days a required person cannot come rank below the rest, as the API ranks them.
    const requiredFree = list.every((p) => !p.required || dayOf(p, date)?.enabled);
    return { free, stars, requiredFree };
  };

  // Group view: every day's count, shade, stars and the everyone-free mark
  function renderGroup() {
    const list = people();
    const total = list.length;
    for (const a of $$('#group .day')) {
      const date = a.dataset.date;
      const { free, stars } = tally(list, date);
      const level = total ? Math.round((free * 12) / total) : 0;
      const everyone = total > 0 && free === total;
      a.className = `day lv${level}${everyone ? ' all' : ''}`;
      $('b', a).textContent = free;
      let star = $('em', a);
      if (stars && !star) star = a.appendChild(document.createElement('em'));
      if (star) {
        if (stars) star.textContent = `★${stars}`;
        else star.remove();
      }
      const counts = fill(t.free_of, { free, total, stars });
      let label = `${dayName.get(date)}: ${stars ? counts : counts.split(' · ')[0]}`;
      if (everyone) label += ` (${t.legend_all})`;
      a.setAttribute('aria-label', label);
    }
    if (detailDate) showDetail(detailDate, false);
  }

  // Best dates, and every day ranked the same way (most free, most stars, earliest)
  const rankItem = (date, rank) => {
    const total = meeting.participants.length;
    const { free, stars, requiredFree } = tally(meeting.participants, date);
    const li = el('li');
    if (rank) {
      const r = el('span', { className: 'rank', textContent: rank });
      r.setAttribute('aria-hidden', 'true');
      li.append(r, ' ');
    }
    const time = el('time', { textContent: dayName.get(date) ?? date });
    time.dateTime = date;
    const counts = fill(t.free_of, { free, total, stars });
    li.append(time, ' ', el('span', { className: 'counts', textContent: requiredFree ? counts : `${counts} · ${t.required_missing}` }));
    return li;
  };
  const rankedDays = () => [...dayName.keys()]
    .map((date) => ({ date, ...tally(meeting.participants, date) }))
    .sort((a, b) => b.requiredFree - a.requiredFree || b.free - a.free || b.stars - a.stars || (a.date < b.date ? -1 : 1));
  function renderBest() {
    const total = meeting.participants.length;
    $('#best').replaceChildren(...(total ? meeting.best_dates.map((date, i) => rankItem(date, i + 1)) : []));
    $('#best-none').hidden = total > 0 && meeting.best_dates.length > 0;
    const ranking = $('#ranking');
    ranking.hidden = total === 0;
    if (ranking.open) $('ol', ranking).replaceChildren(...rankedDays().map((x) => rankItem(x.date)));
    // The days to settle on, best first; their counts once someone has answered.
    const label = (x) => dayName.get(x.date) ?? x.date;
    afterRender?.(rankedDays().map((x) => [x.date, total ? `${label(x)} · ${fill(t.free_of, { free: x.free, total, stars: x.stars })}` : label(x)]), meeting);
  }
  let afterRender = null;
  $('#ranking').addEventListener('toggle', () => {
    if (meeting) renderBest();
  });

  // People chips: filter the group view; "only me"
  const chips = $('#chips');
  function renderChips() {
    for (const li of $$('li', chips)) if ($('.person', li)) li.remove();
    for (const p of meeting.participants) {
      const b = el('button', { className: 'chip person', type: 'button', textContent: p.name });
      if (p.required) b.append(' ', el('span', { className: 'required', textContent: `(${t.required_mark})` }));
      b.dataset.id = p.id;
      const li = el('li');
      li.append(b);
      chips.append(li);
    }
    $('#nobody').hidden = meeting.participants.length > 0;
    markChips();
  }
  function markChips() {
    for (const a of $$('.person', chips)) a.setAttribute('aria-pressed', String(!shown || shown.has(Number(a.dataset.id))));
    $('.all', chips).setAttribute('aria-pressed', String(!shown));
    const mine = $('.mine', chips);
    if (mine) mine.setAttribute('aria-pressed', String(!!shown && shown.size === 1 && shown.has(d.me)));
  }
  const wanted = new URLSearchParams(location.search).get('people');
  if (wanted) shown = new Set(wanted.split(',').map(Number));
  chips.addEventListener('click', (e) => {
    const a = e.target.closest('.chip');
    if (!a || !meeting) return;
    e.preventDefault();
    const all = meeting.participants.map((p) => p.id);
    if (a.classList.contains('all')) shown = null;
    else if (a.classList.contains('mine')) shown = new Set([d.me]);
    else {
      const id = Number(a.dataset.id);
      shown = new Set(shown ?? all);
      if (shown.has(id)) shown.delete(id);
      else shown.add(id);
      if (shown.size === all.length) shown = null;
    }
    markChips();
    renderGroup();
  });

  // Day details: who is free, busy, starred
  const detail = $('#detail');
  function showDetail(date, focus) {
    detailDate = date;
    const free = [];
    const busy = [];
    const starred = [];
    for (const p of people()) {
      const x = dayOf(p, date);
      (x?.enabled ? free : busy).push(p.name);
      if (x?.starred) starred.push(p.name);
    }
    const h = el('h3', { textContent: dayName.get(date) });
    const dl = el('dl');
    for (const [label, names] of [[t.free, free], [t.busy, busy], [`★ ${t.starred}`, starred]]) {
      dl.append(
        el('dt', { textContent: `${label} (${names.length})` }),
        el('dd', { textContent: names.join(', ') }),
      );
    }
    const close = el('button', { type: 'button', textContent: t.close });
    close.addEventListener('click', () => {
      detail.hidden = true;
      detailDate = null;
      $(`#group .day[data-date="${date}"]`)?.focus();
    });
    detail.replaceChildren(h, dl, close);
    detail.hidden = false;
    if (focus) detail.focus();
  }
  $('#group')?.addEventListener('click', (e) => {
    const a = e.target.closest('a.day');
    if (!a || !meeting) return;
    e.preventDefault();
    showDetail(a.dataset.date, true);
  });

  // Days in a row: its script loads only where the form is shown (after its link).
  let tripRefresh = null;
  if ($('#trip-form')) import(d.trip_js).then((m) => { tripRefresh = m.trip({ d, t, $, el, fill, dayName }); });

  // Answers opened or closed, or their deadline moved: the server draws the page anew, and
  // again when the deadline passes.
  const left = Date.parse(d.closes) - Date.now();
  if (d.open && left > 0 && left < 2e9) setTimeout(() => location.reload(), left + 1e3);
  function apply(next, nextVersion) {
    if (next.answers_open !== d.open || next.answers_close_at !== d.closes) return location.reload();
    if (nextVersion !== undefined && nextVersion < version) return;
    if (nextVersion !== undefined) version = nextVersion;
    const people = (m) => m.participants.map((p) => `${p.id}:${p.name}:${p.required}`).join();
    const before = meeting && people(meeting);
    meeting = next;
    if (before !== people(meeting)) renderChips();
    renderGroup();
    renderBest();
    tripRefresh?.();
    syncMine();
    showFinal(meeting.final_date ?? null);
  }

  // Live: other people's changes, never under a finger mid-stroke. The browser's own offline
  // signal shows a drop sooner than the stream notices one.
  const live = $('#live-status');
  let offline = false;
  const wentOffline = () => {
    offline = true;
    live.textContent = t.offline;
    live.className = 'live status bad';
  };
  const backOnline = () => {
    if (!offline) return;
    offline = false;
    live.textContent = t.online;
    live.className = 'live status good';
    setTimeout(() => {
      if (!offline) live.textContent = '';
    }, 3000);
  };
  let source;
  const connect = () => {
    source = new EventSource(`${d.api}/meetings/${d.code}/events`);
    source.addEventListener('message', (e) => {
      const frame = JSON.parse(e.data);
      if (stroke || saving) pending = frame;
      else apply(frame.meeting, frame.version);
    });
    source.addEventListener('deleted', gone);
    source.addEventListener('error', wentOffline);
    source.addEventListener('open', backOnline);
  };
  connect();
  addEventListener('offline', wentOffline);
  addEventListener('online', () => {
    if (source.readyState === EventSource.OPEN) backOnline();
    else if (source.readyState === EventSource.CLOSED) connect();
  });
  addEventListener('pagehide', () => source.close());
  // The meeting, from the API (the live stream sends it too, on connecting)
  fetch(`${d.api}/meetings/${d.code}`)
    .then((r) => (r.ok ? Promise.all([r.json(), r.headers.get('etag')]) : null))
    .then((got) => {
      if (got && !meeting) apply(got[0], Number(String(got[1]).replaceAll('"', '')) || undefined);
    })
    .catch(() => {});

  // Join through the API, then show the page again with the answer grid
  const join = $('#join-form');
  if (join) {
    join.addEventListener('submit', async (e) => {
      e.preventDefault();
      const name = $('#name', join).value;
      const password = $('#join-password', join).value || undefined;
      const response = await fetch(`${d.api}/participants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ meeting_url_code: d.code, name, password }),
      }).catch(() => null);
      if (!response?.ok) {
        const body = await response?.json().catch(() => null);
        $('#join-status').textContent = typeof body?.detail === 'string' ? body.detail : body?.detail?.[0]?.msg ?? t.save_failed;
        $('#join-status').className = 'status bad';
        return;
      }
      const created = await response.json();
      if (password) store(sessionStorage, passwordName(created.participant_id), password);
      cookie(`me_${d.code}`, created.participant_id, `/m/${d.code}`);
      // The server renders the answer grid for the person this browser now is.
      history.replaceState(null, '', `/m/${d.code}#answer-section`);
      location.reload();
    });
  }

  // My answer: paint by pointer, tick by keyboard; one request per stroke
  const form = $('#answer');
  let saving = false;
  let queued = null;
  const cells = () => $$('td:has(input)', form);
  const boxes = (cell) => [$('input[name=free]', cell), $('input[name=star]', cell)];
  const snapshot = () => cells().map((c) => boxes(c).map((b) => b.checked));
  const restore = (snap) => cells().forEach((c, i) => boxes(c).forEach((b, j) => { b.checked = snap[i][j]; }));
  const answer = () => {
    const free = [];
    const starred = [];
    for (const c of cells()) {
      const [f, s] = boxes(c);
      if (f.checked) free.push(f.value);
      if (s.checked) starred.push(s.value);
    }
    return { free, starred };
  };
  // The group view follows my boxes at once
  function showMine() {
    const me = meeting?.participants.find((p) => p.id === d.me);
    if (!me) return;
    const { free, starred } = answer();
    me.dates = me.dates.map((x) => ({ ...x, enabled: free.includes(x.date), starred: starred.includes(x.date) }));
    renderGroup();
  }
  function syncMine() {
    if (!form || stroke || saving) return;
    const me = meeting.participants.find((p) => p.id === d.me);
    if (!me) return;
    for (const c of cells()) {
      const [f, s] = boxes(c);
      const x = dayOf(me, f.value);
      f.checked = !!x?.enabled;
      s.checked = !!x?.starred;
    }
  }
  const saveStatus = $('#save-status');
  async function save(before) {
    if (saving) {
      queued = queued ?? before;
      return;
    }
    saving = true;
    const password = d.protected ? passwordInput?.value || undefined : undefined;
    const body = { meeting_url_code: d.code, ...answer(), password };
    let ok = false;
    let why = t.save_failed;
    try {
      const response = await fetch(`${d.api}/participants/${d.me}/availability`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status === 403) {
        why = password ? t.wrong_password : t.password_needed;
        store(sessionStorage, passwordName(d.me), null);
      } else if (response.status === 429) {
        why = t.too_many_attempts;
      }
      if (response.ok) {
        ok = true;
        if (password) store(sessionStorage, passwordName(d.me), password);
        const etag = Number((response.headers.get('etag') ?? '').replaceAll('"', ''));
        const next = await response.json();
        // A change made while this one was in flight is newer than this answer: keep its boxes.
        saving = queued != null;
        apply(next, Number.isFinite(etag) && etag > 0 ? etag : undefined);
      }
    } catch {
      ok = false;
    }
    saving = false;
    saveStatus.textContent = ok ? t.saved : why;
    saveStatus.className = `status ${ok ? 'good' : 'bad'}`;
    if (!ok) {
      restore(before);
      showMine();
      if (why !== t.save_failed) passwordInput?.focus();
    }
    if (queued) {
      const q = queued;
      queued = null;
      save(q);
    } else if (pending) {
      const p = pending;
      pending = null;
      apply(p.meeting, p.version);
    }
  }
  if (form) {
    const mode = () => $('input[name=mode]:checked')?.value ?? 'free';
    // A stroke covers every day from the one it started on to the one under the pointer, in
    // date order (the grid's cells are in date order): moving back shrinks it, and days it
    // leaves again return to how they were before it.
    const set = (cell, kind, value) => {
      const [free, star] = boxes(cell);
      if (kind === 'star') {
        star.checked = value;
        if (value) free.checked = true;
      } else {
        free.checked = value;
        if (!value) star.checked = false;
      }
    };
    const cover = (all, from, to, kind, value, before) => {
      const [lo, hi] = from < to ? [from, to] : [to, from];
      all.forEach((cell, i) => {
        if (i >= lo && i <= hi) set(cell, kind, value);
        else boxes(cell).forEach((b, j) => { b.checked = before[i][j]; });
      });
      showMine();
    };
    // Where the last toggle, stroke or extension ended: Shift+click and Shift+Space extend from
    // there, giving every day between the state that day has now.
    let anchor = null;
    const extend = (cell, kind) => {
      const all = cells();
      const to = all.indexOf(cell);
      const from = anchor && all.includes(anchor) ? all.indexOf(anchor) : to;
      const [free, star] = boxes(all[from]);
      const value = from === to ? !(kind === 'star' ? star.checked : free.checked) : (kind === 'star' ? star.checked : free.checked);
      const before = snapshot();
      cover(all, from, to, kind, value, before);
      anchor = cell;
      save(before);
    };
    form.addEventListener('pointerdown', (e) => {
      const cell = e.target.closest('td:has(input)');
      if (!cell || e.button > 0 || stroke) return;
      e.preventDefault();
      const kind = mode();
      if (e.shiftKey) {
        extend(cell, kind);
        return;
      }
      const all = cells();
      const [free, star] = boxes(cell);
      const at = all.indexOf(cell);
      stroke = { kind, value: !(kind === 'star' ? star.checked : free.checked), before: snapshot(), all, from: at, to: at, id: e.pointerId };
      form.setPointerCapture(e.pointerId);
      cover(all, at, at, kind, stroke.value, stroke.before);
    });
    form.addEventListener('pointermove', (e) => {
      if (!stroke || e.pointerId !== stroke.id) return;
      // Off the days (between months, past the range's end) the stroke keeps its last day.
      const cell = document.elementFromPoint(e.clientX, e.clientY)?.closest('td:has(input)');
      const at = cell && form.contains(cell) ? stroke.all.indexOf(cell) : -1;
      if (at < 0 || at === stroke.to) return;
      stroke.to = at;
      cover(stroke.all, stroke.from, at, stroke.kind, stroke.value, stroke.before);
    });
    const finish = (e) => {
      if (!stroke || e.pointerId !== stroke.id) return;
      const { before, all, to } = stroke;
      stroke = null;
      anchor = all[to];
      save(before);
    };
    form.addEventListener('pointerup', finish);
    form.addEventListener('pointercancel', finish);
    // The click that follows a stroke must not undo it; a keyboard's click (detail 0) toggles.
    // Nor may the click a Shift+Space releases toggle the box it extended to.
    let extended = null;
    form.addEventListener('click', (e) => {
      if ((e.detail > 0 || e.target === extended) && e.target.closest('td:has(input)')) e.preventDefault();
    }, true);
    // Shift+Space on a day's box extends from the last day toggled, as Shift+click does.
    form.addEventListener('keydown', (e) => {
      const cell = e.target.closest?.('td:has(input)');
      if (e.key !== ' ' || !e.shiftKey || !cell || e.target.type !== 'checkbox') return;
      e.preventDefault();
      if (e.repeat) return;
      extended = e.target;
      extend(cell, e.target.name === 'star' ? 'star' : 'free');
    });
    form.addEventListener('keyup', (e) => {
      if (e.key === ' ' && extended) setTimeout(() => { extended = null; });
    });
    form.addEventListener('change', (e) => {
      const cell = e.target.closest('td:has(input)');
      if (!cell) return;
      const before = snapshot();
      const [free, star] = boxes(cell);
      before[cells().indexOf(cell)][e.target === star ? 1 : 0] = !e.target.checked;
      if (e.target === star && star.checked) free.checked = true;
      if (e.target === free && !free.checked) star.checked = false;
      anchor = cell;
      showMine();
      save(before);
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      save(snapshot());
    });
  }

  if (shown) {
    markChips();
    renderGroup();
  }
}
