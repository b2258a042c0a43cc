// A time meeting's page (imported by app.js there only): painting rectangles of slots with a
// mouse, a finger or a pen, each stroke saved as one whole answer; the group's counts kept
// live from the stream; and the times shown in this browser's zone when it differs.
export function timesPage(d, { $, $$, el, fill }) {
  const t = d.t;
  // Answers opened or closed, or their deadline moved: the server draws the page anew, and
  // again when the deadline passes.
  const redraw = (m) => (m.answers_open !== d.open || m.answers_close_at !== d.closes) && (location.reload(), true);
  const left = Date.parse(d.closes) - Date.now();
  if (d.open && left > 0 && left < 2e9) setTimeout(() => location.reload(), left + 1e3);
  const LEVELS = 12;
  const live = $('#live-status');
  // The viewer's zone, and whether times are shown in it (the switch below).
  const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  let local = false;
  const inZone = (start, zone, options) => new Intl.DateTimeFormat(d.lang, { timeZone: zone, ...options }).format(new Date(start));
  const inMyZone = (start) => inZone(start, mine, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  let lastBest = null;

  // The best slots as the server ranked them, each as its day and time (in the viewer's zone
  // when chosen) and how many are free then.
  const drawBest = (m, people, starred) => {
    const list = $('#best');
    if (!list) return;
    lastBest = [m, people, starred];
    const items = (m.best_slots || []).map((start, i) => {
      const cell = $(`#times-group a.slot[data-start="${CSS.escape(start)}"]`);
      const slot = Number(cell?.dataset.slot);
      const free = people.filter((p) => p.has(slot)).length;
      const stars = starred.filter((p) => p.has(slot)).length;
      const when = local ? inMyZone(start) : cell?.dataset.when ?? start;
      const item = el('li');
      const rank = el('span', { className: 'rank', textContent: String(i + 1) });
      rank.setAttribute('aria-hidden', 'true');
      const time = el('time', { dateTime: start, textContent: when });
      const counts = el('span', { className: 'counts', textContent: fill(t.free_of, { free, total: people.length, stars }) });
      item.append(rank, ' ', time, ' ', counts);
      return item;
    });
    list.replaceChildren(...items);
    const none = $('#best-none');
    if (none) none.hidden = items.length > 0;
  };

  const drawGroup = (m) => {
    const people = m.participants.map((p) => new Set(p.free || []));
    const starred = m.participants.map((p) => new Set(p.starred || []));
    const total = people.length;
    drawBest(m, people, starred);
    for (const a of $$('#times-group a.slot')) {
      const slot = Number(a.dataset.slot);
      const free = people.filter((p) => p.has(slot)).length;
      const stars = starred.filter((p) => p.has(slot)).length;
      const level = total ? Math.floor((free * LEVELS + Math.floor(total / 2)) / total) : 0;
      const all = total > 0 && free === total;
      a.className = `slot lv${level}${all ? ' all' : ''}`;
      a.textContent = String(free);
      if (stars > 0) {
        const mark = el('span', { className: 'stars', textContent: '★' });
        mark.setAttribute('aria-hidden', 'true');
        a.append(mark);
      }
      let label = fill(t.slot_free_of, { when: a.dataset.when, free, total });
      if (stars > 0) label += `, ★ ${stars}`;
      a.setAttribute('aria-label', all ? `${label} (${t.legend_all})` : label);
    }
  };

  // ---- painting
  const grid = $('#times-grid');
  let stroke = null;
  let saving = false;
  let queued = false;
  let pending = null;
  if (grid && d.me != null) {
    const cells = $$('td[data-row]', grid).filter((td) => td.querySelector('input'));
    const box = (td) => td.querySelector('input[name="free"]');
    const star = (td) => td.querySelector('input[name="star"]');
    const snapshot = () => new Map(cells.map((td) => [td, [box(td).checked, star(td).checked]]));
    const starMode = () => $('input[name="mode"][value="star"]')?.checked;
    const restore = (state) => {
      for (const [td, [free, starred]] of state) {
        box(td).checked = free;
        star(td).checked = starred;
      }
    };
    let lastSaved = snapshot();
    const status = $('#save-status');
    $('#save')?.setAttribute('hidden', '');
    const paint = (td) => {
      const [r, c] = [Number(td.dataset.row), Number(td.dataset.col)];
      const [r0, r1] = [Math.min(stroke.r, r), Math.max(stroke.r, r)];
      const [c0, c1] = [Math.min(stroke.c, c), Math.max(stroke.c, c)];
      for (const x of cells) {
        const [xr, xc] = [Number(x.dataset.row), Number(x.dataset.col)];
        const [free, starred] = stroke.before.get(x);
        const inside = xr >= r0 && xr <= r1 && xc >= c0 && xc <= c1;
        if (!stroke.stars) box(x).checked = inside ? stroke.on : free;
        // A star makes the slot free, as the API's star does; removing it leaves it free.
        else {
          star(x).checked = inside ? stroke.on : starred;
          box(x).checked = inside && stroke.on ? true : free;
        }
      }
    };
    const cellAt = (e) => document.elementFromPoint(e.clientX, e.clientY)?.closest('#times-grid td[data-row]');
    grid.addEventListener('pointerdown', (e) => {
      const td = e.target.closest('td[data-row]');
      if (!td || !td.querySelector('input') || e.button > 0) return;
      e.preventDefault();
      const stars = starMode();
      const on = !(stars ? star(td) : box(td)).checked;
      stroke = { r: Number(td.dataset.row), c: Number(td.dataset.col), on, stars, before: snapshot() };
      paint(td);
      box(td).focus({ preventScroll: true });
      grid.setPointerCapture?.(e.pointerId);
    });
    grid.addEventListener('pointermove', (e) => {
      if (!stroke) return;
      const td = cellAt(e);
      if (td && td.querySelector('input')) paint(td);
    });
    const end = () => {
      if (!stroke) return;
      stroke = null;
      save();
    };
    grid.addEventListener('pointerup', end);
    grid.addEventListener('pointercancel', end);
    // A pointer's click would toggle the box a second time; a key's (detail 0) is the toggle.
    grid.addEventListener('click', (e) => {
      if (e.detail > 0 && e.target.closest('label.slot, label.star')) e.preventDefault();
    });
    grid.addEventListener('change', (e) => {
      if (stroke) return;
      const td = e.target.closest('td[data-row]');
      if (e.target.name === 'star' && e.target.checked) box(td).checked = true;
      if (e.target.name === 'free' && !e.target.checked) star(td).checked = false;
      save();
    });
    // Arrow keys move between slots; Space marks one.
    grid.addEventListener('keydown', (e) => {
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      const move = moves[e.key];
      const td = e.target.closest('td[data-row]');
      if (!move || !td) return;
      let [r, c] = [Number(td.dataset.row), Number(td.dataset.col)];
      for (let i = 0; i < 200; i++) {
        [r, c] = [r + move[0], c + move[1]];
        const next = grid.querySelector(`td[data-row="${r}"][data-col="${c}"]`);
        if (!next) return;
        if (next.querySelector('input')) {
          e.preventDefault();
          (e.target.name === 'star' ? star(next) : box(next)).focus();
          return;
        }
      }
    });
    const save = async () => {
      if (saving) {
        queued = true;
        return;
      }
      saving = true;
      const free = cells.map(box).filter((i) => i.checked).map((i) => i.value);
      const starred = cells.filter((td) => box(td).checked && star(td).checked).map((td) => star(td).value);
      const password = d.protected ? $('#answer-password')?.value || undefined : undefined;
      let ok = false;
      let why = t.save_failed;
      try {
        const response = await fetch(`${d.api}/participants/${d.me}/availability`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ meeting_url_code: d.code, free, starred, password }),
        });
        if (response.status === 403) why = password ? t.wrong_password : t.password_needed;
        else if (response.status === 429) why = t.too_many_attempts;
        if (response.ok) {
          ok = true;
          drawGroup(await response.json());
          lastSaved = snapshot();
        }
      } catch {
        ok = false;
      }
      saving = false;
      status.textContent = ok ? t.saved : why;
      status.className = `status ${ok ? 'good' : 'bad'}`;
      if (queued) {
        queued = false;
        save();
        return;
      }
      if (!ok) restore(lastSaved);
      if (pending) {
        drawGroup(pending);
        pending = null;
      }
    };
  }

  // ---- the creator's share card and the organiser's controls, in their browser only
  const keyName = `meetifyr-organiser-${d.code}`;
  const given = /^#organiser=([A-Za-z0-9]{16,64})$/.exec(location.hash);
  let key = null;
  try {
    if (given) {
      localStorage.setItem(keyName, given[1]);
      history.replaceState(null, '', `${location.pathname}${location.search}#organiser`);
    }
    key = localStorage.getItem(keyName);
  } catch {
    key = given?.[1] ?? null;
  }
  const showFinal = (m) => {
    const w = m.final_slot;
    $('#final').hidden = !w;
    const undo = $('#org-unfinal-slot');
    if (undo) undo.hidden = !w;
    if (!w) return;
    const slot = m.slots.find((s) => s.start === w.start);
    const end = m.slots.find((s) => s.start === w.end)?.time ?? w.end.slice(11, 16);
    $('#final-slot').textContent = `${$(`#times-group a.slot[data-start="${w.start}"]`)?.dataset.when ?? slot?.date ?? ''} – ${end}`;
  };
  if (key || $('#share-link')) {
    const detailOf = async (response) => {
      const body = await response?.json().catch(() => null);
      if (response?.status === 429) return t.too_many_attempts;
      return typeof body?.detail === 'string' ? body.detail : body?.detail?.[0]?.msg ?? t.save_failed;
    };
    const gone = () => {
      try {
        localStorage.removeItem(keyName);
      } catch {}
      location.reload();
    };
    import(d.organiser_js).then((m) =>
      m.organiser({ d, t, key, $, el: (tag, props = {}) => Object.assign(document.createElement(tag), props), detailOf, gone, apply: (next) => {
        if (redraw(next)) return;
        drawGroup(next);
        showFinal(next);
      } }));
  }

  // ---- live
  let source;
  const connect = () => {
    source = new EventSource(`${d.api}/meetings/${d.code}/events`);
    source.addEventListener('message', (e) => {
      const frame = JSON.parse(e.data);
      if (redraw(frame.meeting)) return;
      if (stroke || saving) pending = frame.meeting;
      else drawGroup(frame.meeting);
      showFinal(frame.meeting);
    });
    source.addEventListener('deleted', () => location.reload());
    source.addEventListener('error', () => {
      live.textContent = t.offline;
      live.className = 'live status bad';
    });
    source.addEventListener('open', () => {
      if (live.textContent === t.offline) {
        live.textContent = t.online;
        live.className = 'live status good';
      }
    });
  };
  connect();
  addEventListener('pagehide', () => source.close());

  // ---- this browser's zone
  const toggle = $('#zone-switch');
  if (mine && mine !== d.zone && toggle) {
    const rows = $$('#times-group tbody tr, #times-grid tbody tr');
    const heads = $$('#times-group thead th:not(.corner), #times-grid thead th:not(.corner)');
    const original = [...rows.map((r) => r.cells[0].textContent), ...heads.map((h) => h.textContent)];
    const relabel = () => {
      toggle.textContent = fill(local ? t.show_meeting_zone : t.show_my_zone, { zone: local ? d.zone : mine });
      toggle.setAttribute('aria-pressed', String(local));
      $('#zone-line').textContent = fill(t.times_in, { zone: local ? mine : d.zone });
      rows.forEach((row, i) => {
        const first = row.querySelector('[data-start], input[name="free"]');
        const start = first?.dataset.start ?? first?.value;
        row.cells[0].textContent = local && start ? inZone(start, mine, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }) : original[i];
      });
      heads.forEach((h, i) => {
        const table = h.closest('table');
        const col = h.cellIndex;
        const first = [...table.tBodies[0].rows].map((r) => r.cells[col]?.querySelector('[data-start], input[name="free"]')).find(Boolean);
        const start = first?.dataset.start ?? first?.value;
        h.textContent = local && start ? inZone(start, mine, { weekday: 'short', month: 'short', day: 'numeric' }) : original[rows.length + i];
      });
    };
    toggle.addEventListener('click', () => {
      local = !local;
      relabel();
      if (lastBest) drawBest(...lastBest);
      else {
        // The list as the server wrote it, until the first live update.
        for (const time of $$('#best time')) {
          time.dataset.original ??= time.textContent;
          time.textContent = local ? inMyZone(time.dateTime) : time.dataset.original;
        }
      }
    });
    relabel();
    $('#zone-switch-row').hidden = false;
  }
}
