// The create page's script (imported by app.js there only): quick picks, and the range checked
// as it is chosen (end not before start, at most 62 days).
export function createPage({ createForm, $, $$, el, fill, iso, parse, daysBetween }) {
  // A time meeting's zone: this browser's, unless the page came back with the person's own.
  const zone = $('#zone');
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && browserZone && !$('.errors')) zone.value = browserZone;
  const start = $('#start');
  const end = $('#end');
  const status = $('#range-status');
  const today = new Date();
  start.min = end.min = iso(today);
  const check = () => {
    let message = '';
    let bad = false;
    if (start.value && end.value) {
      const span = daysBetween(parse(start.value), parse(end.value));
      if (span < 0) [message, bad] = [status.dataset.reversed, true];
      else if (span > 62) [message, bad] = [status.dataset.tooLong, true];
      else message = span === 0 ? status.dataset.chosenOne : fill(status.dataset.chosen, { n: span + 1 });
    }
    end.setCustomValidity(bad ? message : '');
    end.setAttribute('aria-invalid', String(bad));
    status.textContent = message;
    status.className = `status ${bad ? 'bad' : 'good'}`;
    return !bad;
  };
  const picks = {
    '4w': () => [today, new Date(today.getFullYear(), today.getMonth(), today.getDate() + 27)],
    this: () => [today, new Date(today.getFullYear(), today.getMonth() + 1, 0)],
    next: () => [new Date(today.getFullYear(), today.getMonth() + 1, 1), new Date(today.getFullYear(), today.getMonth() + 2, 0)],
  };
  for (const button of $$('.pick', createForm)) {
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', (e) => {
      e.preventDefault();
      const [s, t] = picks[button.dataset.pick]();
      start.value = iso(s);
      end.value = iso(t);
      for (const b of $$('.pick', createForm)) b.setAttribute('aria-pressed', String(b === button));
      check();
    });
  }
  for (const input of [start, end]) {
    input.addEventListener('change', () => {
      for (const b of $$('.pick', createForm)) b.setAttribute('aria-pressed', 'false');
      if (input === start && start.value && (!end.value || end.value < start.value)) end.min = start.value;
      check();
    });
  }
  // A time meeting's days on a calendar of the range, each ticked or not; choosing weekdays
  // ticks only those. Ticks are kept while the range changes.
  const pickDays = $('#pick-days');
  const pickMonths = $('#pick-months');
  if (pickDays && pickMonths) {
    const { weekStart, dayFormat } = pickDays.dataset;
    const [dayNames, monthNames] = [pickDays.dataset.days.split(','), pickDays.dataset.months.split(',')];
    const caption = new Intl.DateTimeFormat(document.documentElement.lang === 'ko' ? 'ko-KR' : 'en-GB', { year: 'numeric', month: 'long' });
    const ticks = new Map();
    const weekdays = () => $$('input[name="weekday"]', createForm).filter((i) => i.checked).map((i) => Number(i.value));
    // keep: the ticks shown stay (a new range); else the weekdays choose anew.
    const draw = (keep = true) => {
      if (keep) for (const box of $$('input[name="date"]', pickMonths)) ticks.set(box.value, box.checked);
      else ticks.clear();
      pickMonths.replaceChildren();
      if (!start.value || !end.value) return;
      const first = parse(start.value);
      const span = daysBetween(first, parse(end.value));
      if (span < 0 || span > 62) return;
      pickMonths.append(el('input', { type: 'hidden', name: 'dates_shown', value: '1' }));
      const chosen = weekdays();
      let body = null;
      let row = null;
      let month = -1;
      const pad = () => { while (row && row.children.length < 7) row.append(el('td')); };
      for (let k = 0; k <= span; k += 1) {
        const day = new Date(first.getFullYear(), first.getMonth(), first.getDate() + k);
        const column = (day.getDay() + 6 + Number(weekStart)) % 7;
        if (day.getMonth() !== month) {
          pad();
          month = day.getMonth();
          const table = $('#pick-month').content.firstElementChild.cloneNode(true);
          $('caption', table).textContent = caption.format(day);
          body = $('tbody', table);
          pickMonths.append(table);
          row = null;
        }
        if (!row || row.children.length === 7) {
          row = el('tr');
          body.append(row);
          for (let c = 0; c < column; c += 1) row.append(el('td'));
        }
        const value = iso(day);
        const weekday = (day.getDay() + 6) % 7;
        const label = fill(dayFormat, { wd: dayNames[weekday], mon: monthNames[day.getMonth()], m: day.getMonth() + 1, d: day.getDate() });
        const on = ticks.has(value) ? ticks.get(value) : chosen.length === 0 || chosen.includes(weekday + 1);
        const box = el('input', { type: 'checkbox', name: 'date', value, checked: on });
        box.setAttribute('aria-label', label);
        const text = el('label');
        text.append(box, String(day.getDate()));
        const cell = el('td');
        cell.append(text);
        row.append(cell);
      }
      pad();
    };
    // Arrow keys walk the calendar by day (left, right) and by week (up, down); Space ticks.
    // Every day of the range has a box, in order, so a week is seven boxes on.
    pickMonths.addEventListener('keydown', (e) => {
      const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 }[e.key];
      if (!step || e.target.name !== 'date') return;
      const boxes = $$('input[name="date"]', pickMonths);
      const next = boxes[boxes.indexOf(e.target) + step];
      e.preventDefault();
      if (next) next.focus();
    });
    for (const input of [start, end]) input.addEventListener('change', () => draw());
    for (const box of $$('input[name="weekday"]', createForm)) box.addEventListener('change', () => draw(false));
    for (const button of $$('.pick', createForm)) button.addEventListener('click', () => draw());
    draw();
  }
  createForm.addEventListener('submit', (e) => {
    if (e.submitter?.name === 'pick') return;
    if (!start.value || !end.value || !check()) {
      e.preventDefault();
      (start.value ? end : start).focus();
      if (!start.value || !end.value) status.textContent = createForm.querySelector('legend').textContent;
      status.className = 'status bad';
    }
  });
}
